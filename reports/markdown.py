"""Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY`` (GitHub-flavoured).

Choices worth knowing (README, "Output formats"):
- Every piece of scanned text (names, uids, paths, messages, evidence, reasons) goes through
  ``md_text``: one line, bounded, HTML special characters as entities, Markdown punctuation
  backslash-escaped (so no link, image, emphasis, table cell or heading can be opened), and a
  zero-width joiner after ``@`` and ``#`` so GitHub makes no mention and no issue reference.
  Backslash escapes vanish when rendered, so what a reader copies is the original text.
- Remediation snippets are our rule catalogue's; they go in code fences longer than any
  backtick run inside them.
- The document stays under ``MAX_CHARS`` (GitHub comments hold 65,536): findings are added
  most severe first until the budget is spent, then one line says how many were left out.
- With a baseline comparison, new findings come first, then the persisting ones, then what
  was fixed.
"""

from __future__ import annotations

import json
import posixpath
import re

from scanner.model.finding import SEVERITIES, SEVERITY_RANK, Finding, ScanResult, split_paths

from . import scrub_finding, scrub_tree
from .json_report import summary

MAX_CHARS = 60_000
MAX_FIELD = 300  # one name, uid, path or message in a line
MAX_EVIDENCE = 500
MAX_SNIPPET = 1_500
MAX_LISTED = 50  # scan errors, unmodelled types, fixed findings: each list stops here
ZWJ = "\u200d"
ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}

# C0 and C1 controls, DEL, line/paragraph separators and bidi overrides (which can make a
# file name read backwards): all end up as one space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
# `=` too: a line of them under a paragraph would make it a heading
_ESCAPES = {c: "\\" + c for c in "\\`*_{}[]()+-.!|~:="}
_ESCAPES.update({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
_ESCAPES.update({"@": "@" + ZWJ, "#": "\\#" + ZWJ})
_SPECIAL = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


def md_text(value: object, limit: int = MAX_FIELD) -> str:
    """Scanned text made inert in GitHub-flavoured Markdown, on one line, at most `limit`
    characters before escaping."""
    s = _CONTROL.sub(" ", str(value)).strip()
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group()], s)


_SNIPPET_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _fence(code: str) -> str:
    code = _SNIPPET_CONTROL.sub(" ", code.replace("\r\n", "\n"))
    if len(code) > MAX_SNIPPET:
        code = code[: MAX_SNIPPET - 1] + "…"
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}\n{code}\n{ticks}"


def _where(result: ScanResult, f: Finding) -> str:
    if not f.location or not f.location.file:
        return ""
    path = f.location.file
    if result.root and result.root != "." and not posixpath.isabs(path):
        path = posixpath.join(result.root, path)
    return f"{path}:{f.location.start_line}" if f.location.start_line else path


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


# -- pieces ------------------------------------------------------------------------------


def _title(result: ScanResult, s: dict) -> str:
    sev = ", ".join(f"{n} {k}" for k, n in s["by_severity"].items() if n)
    head = f"❌ {_count(s['failed'], 'failing finding')} ({sev})" if s["failed"] else "✅ no failing findings"
    if result.comparison is not None:
        head += f", {len(result.comparison.new)} new since the baseline"
    if s["incomplete"]:
        head += " · ⚠️ scan incomplete"
    return f"## mlposture: {head}"


def _counts(result: ScanResult, s: dict) -> list[str]:
    new = set(result.comparison.new) if result.comparison is not None else None
    lines = [
        f"{_count(s['resources'], 'resource')}, {_count(s['rules'], 'rule')}, {_count(s['checks'], 'check')}: "
        f"{s['passed']} passed, {s['failed']} failed, {s['unknown']} unknown, {s['error']} rule errors, "
        f"{s['muted']} muted.",
        "",
        "| Severity | Failing |" + (" New |" if new is not None else ""),
        "| --- | ---: |" + (" ---: |" if new is not None else ""),
    ]
    for sev in SEVERITIES:
        row = f"| {ICON[sev]} {sev} | {s['by_severity'][sev]} |"
        if new is not None:
            row += f" {sum(f.severity == sev for f in result.findings if f.fingerprint in new)} |"
        lines.append(row)
    return lines


def _finding(result: ScanResult, f: Finding) -> str:
    d = scrub_finding(f.to_json())  # the last line before bytes leave: redact secrets
    where = _where(result, f)
    head = f"- **{md_text(d['rule_id'], 120)}** · {md_text(d['resource']['uid'])}"
    if where:
        head += f" · {md_text(scrub_tree(where))}"
    if f.status == "unknown":
        head += " · _unknown_"
    elif f.status == "error":
        head += " · _rule error_"
    lines = [head, f"  {md_text(d['message'])}"]
    if f.muted:
        lines.append(f"  Muted: {md_text(d.get('mute_reason') or '')}")
    ev = d["evidence"]
    value = json.dumps(ev.get("value"), ensure_ascii=False, default=str)
    body = [f"Evidence: {md_text(ev.get('path') or '(resource)', 200)} = {md_text(value, MAX_EVIDENCE)}"]
    if ev.get("provenance") and ev["provenance"] != "explicit":
        body[0] += f" ({md_text(ev['provenance'], 40)})"
    paths = split_paths(d.get("path") or [])
    for k, steps in enumerate(paths, 1):
        body += ["", f"Path {k} of {len(paths)}:" if len(paths) > 1 else "Path:", ""]
        for i, step in enumerate(steps, 1):
            how = step.get("technique") or ""
            body.append(f"{i}. {md_text(step['node'], 200)}" + (f" via {md_text(how, 80)}" if how else ""))
    for how, snippet in (f.remediation or {}).items():
        body += ["", f"Remediation ({md_text(how, 40)}):", "", _fence(str(snippet))]
    details = "\n".join("  " + x if x else "" for x in "\n".join(body).split("\n"))
    return (
        "\n".join(lines)
        + f"\n\n  <details><summary>Evidence and remediation</summary>\n\n{details}\n\n  </details>\n"
    )


def _by_severity(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    ordered = sorted(findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.rule_id, f.resource.uid))
    return [(sev, [f for f in ordered if f.severity == sev]) for sev in SEVERITIES]


def _fixed(result: ScanResult) -> list[str]:
    fixed = result.comparison.fixed if result.comparison is not None else []
    if not fixed:
        return []
    lines = [f"### ✅ Fixed since the baseline ({len(fixed)})", ""]
    for e in scrub_tree(fixed[:MAX_LISTED]):
        res = e.get("resource") or {}
        lines.append(
            f"- {md_text(e.get('severity', ''), 20)} **{md_text(e.get('rule_id', ''), 120)}** · "
            f"{md_text(res.get('uid', ''))}"
        )
    if len(fixed) > MAX_LISTED:
        lines.append(f"- … and {len(fixed) - MAX_LISTED} more")
    return [*lines, ""]


def _not_scanned(result: ScanResult) -> list[str]:
    lines: list[str] = []
    if result.errors:
        lines += [f"### ⚠️ Not scanned ({len(result.errors)})", ""]
        for e in scrub_tree([e.to_json() for e in result.errors[:MAX_LISTED]]):
            where = f"{md_text(e['file'])}: " if e.get("file") else ""
            left = f" (left out: {md_text(e['unscanned'], 200)})" if e.get("unscanned") else ""
            lines.append(f"- {md_text(e['source'], 40)}: {where}{md_text(e['reason'])}{left}")
        if len(result.errors) > MAX_LISTED:
            lines.append(f"- … and {len(result.errors) - MAX_LISTED} more (see the JSON report)")
        lines.append("")
    unmodelled: dict[str, int] = {}
    for src in result.sources:
        for t, n in (src.get("unmodelled") or {}).items():
            unmodelled[str(t)] = unmodelled.get(str(t), 0) + int(n)
    if unmodelled:
        top = sorted(unmodelled.items(), key=lambda kv: (-kv[1], kv[0]))
        lines += [
            f"### Not modelled, so not checked: {_count(sum(unmodelled.values()), 'resource')} "
            f"of {_count(len(top), 'type')}",
            "",
            ", ".join(f"{md_text(t, 120)} ×{n}" for t, n in top[:MAX_LISTED])
            + (f" and {len(top) - MAX_LISTED} more" if len(top) > MAX_LISTED else ""),
            "",
        ]
    return lines


GPU_TAG_RULE = "gpu-capacity-cost-attribution-tagged"


def _untagged_gpu(result: ScanResult) -> list[str]:
    """GPU-backed resources that fail the tag policy, counted by resource type (shown only
    when there are any): the capacity nobody can be billed for."""
    counts: dict[str, int] = {}
    for f in result.findings:
        if f.rule_id == GPU_TAG_RULE and f.status == "fail" and not f.muted:
            counts[f.resource.type] = counts.get(f.resource.type, 0) + 1
    if not counts:
        return []
    lines = [f"### Untagged GPU capacity ({_count(sum(counts.values()), 'resource')})", ""]
    lines += ["| Resource type | Untagged |", "| --- | ---: |"]
    for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {md_text(t, 120)} | {n} |")
    return [*lines, ""]


STATUS_ICON = {"pass": "✅", "fail": "❌", "unknown": "❔", "not-applicable": "▫️", "not-covered": "➖"}


def _compliance(result: ScanResult) -> list[str]:
    """One row per requirement of the framework asked for with --compliance. The section may
    come from a JSON report read back from disk, so every value is escaped."""
    c = result.compliance
    if not c:
        return []
    fw = c.get("framework") or {}
    counts = c.get("summary") or {}
    lines = [
        f"### Compliance: {md_text(fw.get('name', ''), 120)} {md_text(fw.get('version', ''), 40)}",
        "",
        ", ".join(f"{int(counts.get(s, 0))} {s}" for s in STATUS_ICON),
        "",
        "| Requirement | Title | Status | Failing | Rules |",
        "| --- | --- | --- | ---: | --- |",
    ]
    for r in (c.get("requirements") or [])[:200]:
        status = str(r.get("status", ""))
        rules = [str(x) for x in r.get("rules") or []]
        shown = ", ".join(md_text(x, 120) for x in rules[:10]) + (
            f" +{len(rules) - 10}" if len(rules) > 10 else ""
        )
        lines.append(
            f"| {md_text(r.get('id', ''), 40)} | {md_text(r.get('title', ''), 160)} | "
            f"{STATUS_ICON.get(status, '')} {md_text(status, 20)} | {int(r.get('failed') or 0)} | {shown or '–'} |"
        )
    return [*lines, ""]


# -- the document ------------------------------------------------------------------------


def _sections(result: ScanResult) -> list[tuple[str, list[Finding]]]:
    listed = [f for f in result.findings if not f.muted]
    muted = [f for f in result.findings if f.muted]
    c = result.comparison
    if c is None:
        sections = [("Findings", listed)]
    else:
        new, persisting = set(c.new), set(c.persisting)
        sections = [
            ("🆕 New since the baseline", [f for f in listed if f.fingerprint in new]),
            ("Persisting (in the baseline)", [f for f in listed if f.fingerprint in persisting]),
            # unknown and error findings are never compared: shown after the others
            ("Other findings", [f for f in listed if f.fingerprint not in new | persisting]),
        ]
    return [*sections, ("Muted", muted)]


def render(result: ScanResult, max_chars: int = MAX_CHARS) -> str:
    s = summary(result)
    head = [_title(result, s), "", *_counts(result, s), ""]
    if result.comparison is not None:
        c = result.comparison
        head += [
            f"Compared with baseline {md_text(scrub_tree(c.baseline), 200)}: {len(c.new)} new, "
            f"{len(c.persisting)} persisting, {len(c.fixed)} fixed.",
            "",
        ]
    head += _untagged_gpu(result)
    head += _compliance(result)
    tail = _not_scanned(result)
    fixed = _fixed(result)
    footer = "_Rendered by mlposture; the JSON and SARIF reports hold every finding._\n"
    budget = max_chars - sum(len(x) + 1 for x in head + tail + fixed) - len(footer) - 200
    body: list[str] = []
    used, left_out = 0, 0
    for title, findings in _sections(result):
        if not findings:
            continue
        part = [f"### {title} ({len(findings)})", ""]
        for sev, group in _by_severity(findings):
            if not group or left_out:
                left_out += len(group)
                continue
            part += [f"#### {ICON[sev]} {sev.capitalize()} ({len(group)})", ""]
            for i, f in enumerate(group):
                block = _finding(result, f)
                if used + len(block) + sum(len(x) + 1 for x in part) > budget:
                    left_out += len(group) - i
                    break
                part.append(block)
            if not part[-1].startswith("- "):  # a heading over nothing shown
                del part[-2:]
        if len(part) > 2:
            body += part
            used += sum(len(x) + 1 for x in part)
    if left_out:
        body += [
            f"**{_count(left_out, 'more finding')} not shown; see the JSON/SARIF report.**",
            "",
        ]
    return "\n".join(head + body + fixed + tail) + "\n" + footer
