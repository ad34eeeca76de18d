"""Hostile scanned content through every registered format: markup, links, mentions,
control characters, huge strings and a planted secret must come out inert, parseable,
bounded and without the secret. Then the demo, rendered in every format, leaks none of its
planted secrets."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from conftest import REPO, build_result, json_report_errors, sarif_errors
from test_demo import planted_secrets
from test_formats import ocsf_model_errors

from reports import FORMATS, render
from reports.ocsf import validation_errors as ocsf_errors
from scanner.model.finding import Location, PathStep, ScanError

SECRET = "hf_" + "kQ7wZp3LmX9vRt2NbY6cHd8FjS4gAe5UoW"  # hf_ + 34 letters and digits
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"
MD_LINK = "](javascript:alert(1))"
DETAILS = "<details><summary>"
CONTROL = "a\x00b\x07c\x1bd\x7fe\u2028f\r\ng"
HUGE = "A" * 100_000
HOSTILE = f"{SCRIPT} {IMG} {JS} [x{MD_LINK} @everyone #1 {DETAILS} {CONTROL}"


def hostile_result():
    r = build_result()
    r.sources[0]["unmodelled"] = {f"aws_{SCRIPT}": 1, f"t{MD_LINK}": 2}
    for i, f in enumerate(r.findings):
        f.resource.name = f"{HOSTILE} name"
        f.resource.uid = f"tf:aws_x.{i}{IMG}{CONTROL}"
        f.message = f"{HOSTILE} token {SECRET} {HUGE}"
        f.evidence.value = {"HF_TOKEN": SECRET, "tag": HOSTILE, "big": HUGE}
        f.evidence.path = f"tags.{SCRIPT}"
        if f.location:
            f.location = Location(f"dir/{IMG}/{CONTROL}.tf", 3, 4)
        if f.muted:
            f.mute_reason = f"inline: {HOSTILE} {SECRET} {HUGE}"
    r.findings[5].path[1] = PathStep(f"{SCRIPT}", "aws.iam.role", f"{MD_LINK}", [IMG], None, HOSTILE)
    r.errors.append(ScanError("terraform", f"{HOSTILE} {SECRET} {HUGE}", f"{IMG}.tf", f"{DETAILS}"))
    return r


FMTS = sorted(FORMATS)


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return {fmt: render(fmt, hostile_result()) for fmt in FMTS}


@pytest.fixture(scope="module")
def benign() -> dict[str, str]:
    return {fmt: render(fmt, build_result()) for fmt in FMTS}


@pytest.mark.parametrize("fmt", FMTS)
def test_secret_appears_nowhere(outputs, fmt):
    assert SECRET not in outputs[fmt]


@pytest.mark.parametrize("fmt", FMTS)
def test_output_is_bounded(outputs, fmt):
    # The canonical JSON keeps what it was given (about 2.2 MB here); the other formats bound
    # each string. HTML (another module) echoes values in full for now: bounded like JSON.
    limit = {"json": 2_500_000, "html": 4_000_000}.get(fmt, 300_000)
    assert len(outputs[fmt]) < limit, len(outputs[fmt])


@pytest.mark.parametrize("fmt", FMTS)
def test_output_parses_in_its_own_format(outputs, fmt):
    text = outputs[fmt]
    if fmt == "json":
        assert json_report_errors(json.loads(text)) == []
    elif fmt == "sarif":
        assert sarif_errors(json.loads(text)) == []
    elif fmt == "ocsf":
        events = json.loads(text)
        assert ocsf_errors(events) == [] and ocsf_model_errors(events) == []
    elif fmt == "junit":
        ET.fromstring(text)
    elif fmt == "html":
        _Tags().feed(text)
    elif fmt == "md":
        assert text.count("<details>") == text.count("</details>")
    else:  # a format added later must say how it is checked
        pytest.fail(f"no parse check for {fmt}")


def test_json_formats_carry_no_raw_control_characters(outputs):
    for fmt in ("json", "sarif", "ocsf"):
        if fmt not in outputs:
            continue
        # JSON escapes them; OCSF goes further and replaces them (SIEM stores reject NUL)
        assert not re.search(r"[\x00-\x1f]", outputs[fmt].replace("\n", ""))
    assert "\\u0000" not in outputs["ocsf"]


# -- Markdown ----------------------------------------------------------------------------


def test_markdown_is_inert(outputs, benign):
    md = outputs["md"]
    assert "<script" not in md and "<img" not in md and "onerror=alert(1)>" not in md
    assert "](javascript" not in md and "(javascript:" not in md
    assert "javascript:" not in md  # the colon is escaped: no scheme anywhere
    # our own <details> only: one per finding shown, never one from scanned text
    assert md.count("<details>") == benign["md"].count("<details>")
    assert md.count("<summary>") == md.count("<details>")
    assert "@everyone" not in md and "#1 " not in md  # no mention, no issue link
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u2028]", md)
    assert "A" * 1000 not in md  # each field is capped
    for line in md.splitlines():
        assert not line.startswith(("<script", "<img", "#1")), line


def test_md_text_escapes_each_kind_of_markup():
    from reports.markdown import ZWJ, md_text

    assert md_text("a|b") == "a\\|b"  # no new table cell
    assert md_text("===") == "\\=\\=\\="  # no setext heading
    assert md_text("# h") == "\\#" + ZWJ + " h"
    assert md_text("[x](javascript:y)") == "\\[x\\]\\(javascript\\:y\\)"
    assert md_text("@team") == "@" + ZWJ + "team"
    assert md_text("<b>&") == "&lt;b&gt;&amp;"
    assert md_text("a\u202eexe.txt\nb") == "a exe\\.txt b"  # no bidi override, one line
    assert md_text("x" * 500, 10) == "x" * 9 + "…"


# -- JUnit -------------------------------------------------------------------------------


def test_junit_is_inert(outputs):
    text = outputs["junit"]
    assert "<script" not in text and "<img" not in text and "<details" not in text
    root = ET.fromstring(text)
    strings = [v for el in root.iter() for v in [*el.attrib.values(), el.text or ""]]
    assert any(SCRIPT in s for s in strings)  # kept as text, escaped in the XML
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", s) for s in strings)
    assert all(len(s) <= 8_000 for s in strings)


# -- HTML (when registered) --------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_inert(outputs, benign):
    if "html" not in outputs:
        pytest.skip("html format not registered")
    hostile, clean = _Tags(), _Tags()
    hostile.feed(outputs["html"])
    clean.feed(benign["html"])
    assert [t for t, _ in hostile.tags if t in ("script", "img", "iframe")] == [
        t for t, _ in clean.tags if t in ("script", "img", "iframe")
    ]
    for tag, attrs in hostile.tags:
        assert "onerror" not in attrs, tag
        for name, value in attrs.items():
            if name in ("href", "src", "action", "formaction") and value:
                assert not value.strip().lower().startswith("javascript:"), (tag, name, value)
    assert "<script>alert(1)" not in outputs["html"]


# -- the demo ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_outputs():
    import os

    from scanner.engine import scan_iac

    here = os.getcwd()
    os.chdir(REPO)
    try:
        result, _ = scan_iac(["fixtures/demo"])
    finally:
        os.chdir(here)
    return {fmt: render(fmt, result) for fmt in FMTS}


def test_demo_in_every_format_leaks_no_planted_secret(demo_outputs):
    secrets = planted_secrets()
    assert len(secrets) >= 5
    for fmt, text in demo_outputs.items():
        assert text
        for s in secrets:
            assert s not in text, f"a planted secret ({s[:4]}…) appears in the {fmt} report"
