/* mlposture HTML report: filter and sort the server-rendered findings table. Data comes
   from the JSON block (JSON.parse, never eval); the DOM is changed only through
   attributes and textContent, never innerHTML. Allowed by the page's CSP by its hash, so
   any edit here changes the hash, which reports/html.py computes at render time. */
(function () {
  "use strict";
  var rows = JSON.parse(document.getElementById("data").textContent);
  var table = document.getElementById("findings-table");
  var shown = document.getElementById("shown");
  var filterBox = document.getElementById("filters");
  if (!table || !filterBox) { return; }
  var bodies = Array.prototype.slice.call(table.querySelectorAll("tbody.finding"));
  var selects = Array.prototype.slice.call(filterBox.querySelectorAll("select[data-field]"));
  var text = document.getElementById("filter-text");
  var sortKey = null;
  var sortDir = 1;

  function rowOf(body) { return rows[Number(body.getAttribute("data-i"))]; }

  function applyFilters() {
    var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var want = selects.map(function (s) { return [s.getAttribute("data-field"), s.value]; });
    var count = 0;
    bodies.forEach(function (body) {
      var r = rowOf(body);
      var ok = want.every(function (w) { return !w[1] || String(r[w[0]]) === w[1]; }) &&
        terms.every(function (t) { return r.text.indexOf(t) !== -1; });
      body.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count === bodies.length
      ? "Showing all " + count + " findings"
      : "Showing " + count + " of " + bodies.length + " findings";
  }

  // Code-point order, not the locale's: the same in every browser, and what a test predicts.
  function order(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }

  function compareBy(key) {
    return function (a, b) {
      var x = rowOf(a), y = rowOf(b), c;
      if (key === "severity") { c = x.rank - y.rank; }
      else if (key === "location") { c = order(x.file, y.file) || x.line - y.line; }
      else { c = order(String(x[key]), String(y[key])); }
      return c * sortDir || Number(a.getAttribute("data-i")) - Number(b.getAttribute("data-i"));
    };
  }

  function sortBy(key, button) {
    sortDir = sortKey === key ? -sortDir : (key === "severity" ? -1 : 1);
    sortKey = key;
    bodies.sort(compareBy(key));
    bodies.forEach(function (body) { table.appendChild(body); });
    table.querySelectorAll("thead th").forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    button.parentNode.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
  }

  // A link to a finding (#f-N) opens its details, clearing filters that hide it.
  function revealTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var body = id ? document.getElementById(id) : null;
    if (!body || !body.classList.contains("finding")) { return; }
    if (body.hidden) { resetFilters(); }
    var details = body.querySelector("details");
    if (details) { details.open = true; }
  }

  function resetFilters() {
    selects.forEach(function (s) { s.value = ""; });
    text.value = "";
    applyFilters();
  }

  // Printing shows every finding's details; the state is restored afterwards.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    closedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });

  selects.forEach(function (s) { s.addEventListener("change", applyFilters); });
  text.addEventListener("input", applyFilters);
  document.getElementById("filter-reset").addEventListener("click", resetFilters);
  table.querySelectorAll("th button.sort").forEach(function (b) {
    b.addEventListener("click", function () { sortBy(b.getAttribute("data-key"), b); });
  });
  window.addEventListener("hashchange", revealTarget);
  filterBox.hidden = false;
  applyFilters();
  revealTarget();
})();
