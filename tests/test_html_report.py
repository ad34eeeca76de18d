"""The HTML report without a browser: one self-contained file, every hostile string from
scanned input shown only as text, no secret, nothing remote, a JSON data block that cannot
end its element, and every section. tests/test_browser.py runs it in Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from conftest import REPO, json_report_errors
from test_demo import planted_secrets

from reports import FORMATS, render
from reports.html import safe_href, script_json
from reports.json_report import from_dict
from scanner.baseline import compare, load_baseline
from scanner.cli import main

SAMPLE = REPO / "fixtures" / "reports" / "sample-scan.json"
BASELINE = REPO / "fixtures" / "reports" / "sample-baseline.json"
HOSTILE = ("<script>window.__pwned=1</script>", '"><img src=x onerror="window.__pwned=1">')
JS_URL = "javascript:window.__pwned=1"


class Page(HTMLParser):
    """Every start tag with its (unescaped) attributes, and the text of each <script>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def sample_result(with_baseline: bool = False):
    result = from_dict(json.loads(SAMPLE.read_text()))
    if with_baseline:
        compare(result, load_baseline(BASELINE), "fixtures/reports/sample-baseline.json")
    return result


@pytest.fixture(scope="module")
def sample_html() -> str:
    return render("html", sample_result())


@pytest.fixture(scope="module")
def baseline_html() -> str:
    return render("html", sample_result(with_baseline=True))


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("html") / "demo.html"
    cmd = [sys.executable, "-m", "scanner.cli", "scan", "iac", "fixtures/demo", "-q", "-o", f"html={out}"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    return out.read_text(encoding="utf-8")


def test_sample_is_a_valid_v1_report_with_every_shape():
    doc = json.loads(SAMPLE.read_text())
    assert json_report_errors(doc) == []
    findings = doc["findings"]
    paths = [f for f in findings if f.get("path")]
    assert len(paths) == 1 and paths[0]["category"] == "privilege-path"
    assert 3 <= len(paths[0]["path"]) <= 4 and paths[0]["confidence"] == "conditional"
    runtime = [f for f in findings if f["source"] == "runtime" and f["category"] == "isolation"]
    assert len(runtime) == 2 and all(f["resource"]["account"] and f["resource"]["region"] for f in runtime)
    assert sum(f["muted"] for f in findings) == 1
    assert sum(f["status"] == "unknown" for f in findings) == 1
    assert doc["scan"]["errors"]
    text = SAMPLE.read_text()
    assert all(json.dumps(h)[1:-1] in text for h in HOSTILE) and JS_URL in text
    assert any(len(f["resource"]["name"]) >= 5000 for f in findings)


def test_html_is_registered_and_rendered_by_the_cli(tmp_path):
    assert FORMATS["html"] == "reports.html"
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["report", str(SAMPLE), "-o", f"html={out}", "--baseline", str(BASELINE)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_hostile_strings_appear_only_as_escaped_text(sample_html):
    assert "<script>window.__pwned" not in sample_html
    assert "<img" not in sample_html.lower()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in sample_html  # rendered, as text
    page = Page(sample_html)
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.lower().startswith("on")], (tag, attrs)
        assert tag not in ("img", "iframe", "object", "embed", "base", "form")
    # our two scripts and no other: the data block and the one the CSP hash allows
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]


def test_links_are_only_http_https_or_in_page(sample_html):
    page = Page(sample_html)
    hrefs = [a["href"] for t, a in page.tags if "href" in a]
    assert hrefs
    for href in hrefs:
        assert re.match(r"(#|https?://|data:,$)", href), href
    assert JS_URL not in hrefs and JS_URL in sample_html  # shown as text
    assert "https://kubernetes.io/docs/concepts/security/pod-security-standards/" in hrefs


def test_nothing_is_fetched_from_anywhere(sample_html):
    page = Page(sample_html)
    for tag, attrs in page.tags:
        assert "src" not in attrs and "srcset" not in attrs, (tag, attrs)
        if tag == "link":
            assert attrs.get("href") == "data:,", attrs
    style = sample_html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style


def test_csp_allows_exactly_the_inline_script_by_hash(sample_html):
    page = Page(sample_html)
    csp = next(a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    script = page.scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "innerHTML" not in script.replace("never innerHTML", "")


def test_json_data_block_cannot_break_out(sample_html):
    page = Page(sample_html)
    attrs, text = page.scripts[0]
    assert attrs == {"type": "application/json", "id": "data"}
    assert "<" not in text and ">" not in text and "&" not in text
    rows = json.loads(text)
    assert len(rows) == len(sample_result().findings)
    assert any(HOSTILE[0] in r["text"] for r in rows)  # survives as data
    tricky = script_json({"x": "</script><!--<script>\u2028\u2029&amp;"})
    assert re.fullmatch(r"[\x20-\x7e]*", tricky) and "<" not in tricky and "&" not in tricky
    assert json.loads(tricky) == {"x": "</script><!--<script>\u2028\u2029&amp;"}


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://docs.aws.amazon.com/x?a=1&b=2#c", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ('https://x.example/" onmouseover="alert(1)', False),
        ("https://x.example/\nx", False),
        (None, False),
    ],
)
def test_safe_href(url, ok):
    assert (safe_href(url) is not None) is ok


def test_sections_and_rows(sample_html):
    page = Page(sample_html)
    ids = page.ids()
    assert {"summary", "findings", "paths", "runtime", "not-scanned"} <= ids
    assert "baseline" not in ids
    n = len(sample_result().findings)
    assert sum(1 for t, a in page.tags if t == "tbody" and "finding" in a.get("class", "")) == n
    assert sample_html.count("<details>") == n  # one detail per finding, rendered without JS
    # the filter controls exist, hidden until the script runs
    assert 'id="filters" role="search" aria-label="Filter findings" hidden' in sample_html
    for key in ("severity", "category", "provider", "source", "rule", "status", "text"):
        assert f'id="filter-{key}"' in sample_html
    assert sample_html.count('class="path-diagram"') == 1
    assert "gpu-node-a" in sample_html and "team-vision" in sample_html
    assert "the whole file" in sample_html and "networking.k8s.io/v1/Ingress" in sample_html
    # every chart is an accessible image
    svgs = [a for t, a in page.tags if t == "svg"]
    assert svgs and all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)


def test_baseline_section(baseline_html):
    result = sample_result(with_baseline=True)
    assert "baseline" in Page(baseline_html).ids()
    assert baseline_html.count('<span class="badge new">new</span>') == len(result.comparison.new) + 1
    assert len(result.comparison.fixed) == 1
    assert "lambda-function-url-auth" in baseline_html
    assert "&lt;script&gt;" in baseline_html.split('id="baseline"', 1)[1]


def test_demo_report_has_no_secret_and_says_what_is_absent(demo_html):
    secrets = planted_secrets()
    assert len(secrets) >= 5
    for s in secrets:
        assert s not in demo_html, f"a planted secret ({s[:4]}…) appears in the HTML report"
    assert "[REDACTED:" in demo_html
    assert "No runtime findings in this scan." in demo_html
    # the demo's public function URL leads to an admin role: drawn, path by path
    assert 'class="path-diagram"' in demo_html and "internet-path-admin" in demo_html
    assert "No scan errors." in demo_html


def test_finding_with_no_location_path_or_refs_renders():
    from conftest import build_result

    html = render("html", build_result())
    assert html.count("<details>") == len(build_result().findings)


def test_every_distinct_path_of_a_finding_gets_its_own_diagram():
    from conftest import build_result

    from reports import render
    from scanner.model.finding import split_paths

    r = build_result()
    f = next(f for f in r.findings if f.path)
    one = list(f.path)
    f.path = one + one  # a second distinct shortest path from the same start
    assert [len(p) for p in split_paths(f.path)] == [len(one), len(one)]
    html = render("html", r)
    assert html.count('class="path-diagram"') == 2
    assert "Path 2 of 2" in html and "2 distinct shortest paths" in html
    md = render("md", r)
    assert "Path 1 of 2:" in md and "Path 2 of 2:" in md
    sarif = json.loads(render("sarif", r))
    flows = [
        res["codeFlows"][0]["threadFlows"]
        for run in sarif["runs"]
        for res in run["results"]
        if "codeFlows" in res
    ]
    assert [len(tf) for tf in flows] == [2]


def test_unresolved_evidence_reads_as_its_expression_with_or_without_parts():
    from reports.html import _value_text

    ref = {"$ref": "tf:module.m.aws_s3_bucket.b", "attr": "arn"}
    assert _value_text({"value": {"$unresolved": "var.kms"}}) == "unresolved: var.kms"
    templated = {"$unresolved": '"${module.m.arn}/*"', "parts": [ref, "/*"]}
    assert _value_text({"value": templated}) == 'unresolved: "${module.m.arn}/*"'
    assert _value_text({"value": {"$unresolved": "x", "other": 1}}).startswith("{")
