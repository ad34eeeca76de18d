"""JUnit XML for the test-report views of GitLab, Jenkins and Azure DevOps.

Shape (README, "Output formats"):
- one ``<testsuite>`` per rule (name = rule id) and one ``<testcase>`` per (rule, resource):
  ``classname`` = rule id, ``name`` = resource uid, ``file`` = where it is defined;
- a failing finding is a ``<failure type=SEVERITY>``, a muted or unknown one ``<skipped>``,
  a rule that crashed ``<error>``; where one (rule, resource) has several findings (several
  evidence paths), the testcase takes the worst: error, then failure, then skipped;
- passing (rule, resource) pairs are counted, not listed, in a scan: no testcase is invented
  for them; every suite's ``<properties>`` carries the scan's check and pass counts instead;
- scan errors (files that did not parse) are ``<error>`` testcases of a ``mlposture.scan``
  suite, so an incomplete scan shows in CI;
- details (location, evidence, remediation) go in ``<system-out>``, which every consumer
  shows and every schema allows.
ElementTree escapes markup; characters that XML 1.0 cannot carry at all (most control
characters) are replaced first, and every scanned string is bounded.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from scanner.model.finding import SEVERITY_RANK, Finding, ScanResult

from . import scrub_finding, scrub_tree

MAX_ATTR = 1_000
MAX_TEXT = 8_000
# Not allowed anywhere in an XML 1.0 document (not even as a character reference).
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WORST = {"error": 3, "fail": 2, "skipped": 1}


def xml_text(value: object, limit: int = MAX_ATTR) -> str:
    s = _ILLEGAL.sub("\ufffd", str(value))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _repo_path(root: str, file: str) -> str:
    """Finding files are relative to the scan root; CI tools want them from the checkout."""
    if root and root != "." and not posixpath.isabs(file):
        return posixpath.join(root, file)
    return file


def _outcome(f: Finding) -> str:
    if f.status == "error":
        return "error"
    if f.status == "fail" and not f.muted:
        return "fail"
    return "skipped"


def _details(d: dict, f: Finding) -> str:
    loc = d.get("location") or {}
    lines = [f"{d['rule_id']}: {d['message']}", f"severity: {d['severity']}  status: {d['status']}"]
    if loc.get("file"):
        line = f":{loc['start_line']}" if loc.get("start_line") else ""
        lines.append(f"location: {loc['file']}{line}")
    ev = d["evidence"]
    value = json.dumps(ev.get("value"), ensure_ascii=False, default=str)
    lines.append(f"evidence: {ev.get('path') or '(resource)'} = {xml_text(value, 500)}")
    if f.muted:
        lines.append(f"muted: {d.get('mute_reason') or ''}")
    for step in d.get("path") or []:
        lines.append(f"  -> {step['node']}" + (f" via {step['technique']}" if step.get("technique") else ""))
    for how, snippet in (f.remediation or {}).items():
        lines.append(f"remediation ({how}):\n{snippet}")
    return "\n".join(lines)


def _testcase(result: ScanResult, findings: list[Finding]) -> tuple[ET.Element, str]:
    findings = sorted(findings, key=lambda f: -_WORST[_outcome(f)])
    worst = _outcome(findings[0])
    docs = [scrub_finding(f.to_json()) for f in findings]
    first = findings[0]
    case = ET.Element(
        "testcase",
        classname=xml_text(first.rule_id),
        name=xml_text(docs[0]["resource"]["uid"]),
        time="0",
    )
    loc = docs[0].get("location") or {}
    if loc.get("file"):
        case.set("file", xml_text(_repo_path(result.root, loc["file"])))
        if loc.get("start_line"):
            case.set("line", str(int(loc["start_line"])))
    message = xml_text("; ".join(dict.fromkeys(d["message"] for d in docs)))
    if worst == "error":
        ET.SubElement(case, "error", message=message, type="rule-error")
    elif worst == "fail":
        el = ET.SubElement(case, "failure", message=message, type=first.severity)
        el.text = xml_text(first.title, MAX_TEXT)
    else:
        why = "muted: " + (docs[0].get("mute_reason") or "") if first.muted else "unknown: " + message
        ET.SubElement(case, "skipped", message=xml_text(why))
    out = ET.SubElement(case, "system-out")
    out.text = xml_text("\n\n".join(_details(d, f) for d, f in zip(docs, findings, strict=True)), MAX_TEXT)
    return case, worst


def _properties(parent: ET.Element, props: dict) -> None:
    el = ET.SubElement(parent, "properties")
    for k, v in props.items():
        ET.SubElement(el, "property", name=k, value=xml_text(v))


def _suite(name: str, result: ScanResult, extra: dict) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(name), timestamp=xml_text(result.started_at, 40))
    _properties(
        suite,
        {
            **extra,
            "mlposture.scan_id": result.scan_id,
            "mlposture.checks": result.checks,
            "mlposture.passed": result.passed,
            "mlposture.note": "passing (rule, resource) pairs are counted here, not listed as testcases",
        },
    )
    return suite


def _count(suite: ET.Element, outcomes: list[str]) -> dict[str, int]:
    counts = {
        "tests": len(outcomes),
        "failures": outcomes.count("fail"),
        "errors": outcomes.count("error"),
        "skipped": outcomes.count("skipped"),
    }
    for k, v in counts.items():
        suite.set(k, str(v))
    suite.set("time", "0")
    return counts


def to_junit(result: ScanResult) -> ET.Element:
    root = ET.Element("testsuites", name="mlposture")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    by_rule: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in result.findings:
        by_rule[f.rule_id][f.resource.uid].append(f)
    order = sorted(
        by_rule, key=lambda r: (-max(SEVERITY_RANK[f.severity] for fs in by_rule[r].values() for f in fs), r)
    )
    suites: list[tuple[ET.Element, list[str]]] = []
    for rule_id in order:
        meta = result.rules.get(rule_id) or {}
        some = next(iter(by_rule[rule_id].values()))[0]
        suite = _suite(
            rule_id,
            result,
            {
                "mlposture.rule.title": meta.get("title") or some.title,
                "mlposture.rule.severity": meta.get("severity") or some.severity,
                "mlposture.rule.category": meta.get("category") or some.category,
            },
        )
        outcomes = []
        for uid in sorted(by_rule[rule_id]):
            case, outcome = _testcase(result, by_rule[rule_id][uid])
            suite.append(case)
            outcomes.append(outcome)
        suites.append((suite, outcomes))
    if result.errors or not suites:
        suite = _suite("mlposture.scan", result, {"mlposture.incomplete": str(result.incomplete).lower()})
        outcomes = []
        for e in scrub_tree([e.to_json() for e in result.errors]):
            case = ET.SubElement(
                suite, "testcase", classname="mlposture.scan", name=xml_text(e.get("file") or e["source"])
            )
            case.set("time", "0")
            text = e["reason"] + (f" (not scanned: {e['unscanned']})" if e.get("unscanned") else "")
            ET.SubElement(case, "error", message=xml_text(text), type=xml_text(f"scan-error/{e['source']}"))
            outcomes.append("error")
        suites.append((suite, outcomes))
    for suite, outcomes in suites:
        for k, v in _count(suite, outcomes).items():
            totals[k] += v
        root.append(suite)
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", "0")
    return root


def render(result: ScanResult) -> str:
    root = to_junit(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
