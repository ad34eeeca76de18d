"""SARIF 2.1.0, shaped for GitHub code scanning (and valid against the OASIS schema).

Choices worth knowing (README, "Output formats"):
- Paths are relative to the directory the scan ran in (the checkout in CI), with
  ``uriBaseId: %SRCROOT%``; a file outside it becomes an absolute ``file://`` URI.
- ``partialFingerprints["mlposture/v1"]`` is the finding fingerprint (rule, resource,
  evidence path; no line numbers), so an alert survives edits that move lines.
- Muted findings are kept, with ``suppressions`` (``inSource`` for inline, ``external`` for
  the config file), so code scanning shows them as dismissed rather than fixed.
- UNKNOWN findings (a value IaC could not resolve) are results of ``kind: "review"``. SARIF
  (3.27.10) requires ``level: "none"`` for any kind other than ``fail``, so they carry no
  level of their own; their severity is in ``properties``.
- Findings of status ``error`` (a rule that crashed) and scan errors are tool execution
  notifications, not results: they are not problems in the code but places the scan did
  not see, and they make ``executionSuccessful`` false.
- One run per finding source (``iac``, ``live``, ``runtime``), in that order, for each source
  that has findings or scan errors (one ``iac`` run when there are none). Each run has its
  own invocation and ``automationDetails.id`` ``mlposture/<source>/``: GitHub code scanning
  accepts several runs of one tool in a file only when their categories differ, and tracks
  (and closes) alerts per category. Every run carries the whole rule list, so ``ruleIndex``
  is valid in each.
- With a baseline comparison, results new since the baseline have ``baselineState: "new"``
  and persisting ones ``"unchanged"``; muted and unknown findings (never compared) have none.
  Fixed findings are not written as ``"absent"`` results: such results would have no
  location to show, and code scanning works out what was fixed itself, per category. The
  JSON and Markdown reports list them.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from scanner.model.finding import Finding, Location, ScanResult, split_paths

from . import dumps, scrub_tree

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://mlposture.dev"
FINGERPRINT_KEY = "mlposture/v1"
SRCROOT = "%SRCROOT%"

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub buckets security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
PRECISION = {"stable": "very-high", "incubating": "high", "experimental": "medium"}
MAX_TEXT = 2000  # resource names and values come from scanned files: bound what we echo


def rule_name(rule_id: str) -> str:
    """``sagemaker-notebook-no-direct-internet`` -> ``SagemakerNotebookNoDirectInternet``."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", rule_id) if w)


def _text(s: str) -> str:
    """Plain message text. SARIF consumers read ``[text](id)`` as an embedded link; escape
    brackets only when such a pattern is present, so paths like ``env[0]`` stay readable."""
    s = s if len(s) <= MAX_TEXT else s[: MAX_TEXT - 1] + "…"
    if "](" in s:
        s = s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return s


def _bounded(value):
    """A property value from scanned input with every string bounded, at any depth."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, dict):
        return {str(k)[:MAX_TEXT]: _bounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bounded(v) for v in value]
    return value


FENCE_LANG = {"terraform": "hcl", "cloudformation": "yaml", "kubernetes": "yaml", "cli": "sh"}


def _fence(code: str, how: str = "") -> str:
    """A Markdown code fence longer than any backtick run inside the snippet."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{FENCE_LANG.get(how, '')}\n{code}\n{ticks}"


def _uri(root: str, file: str) -> dict:
    """An artifactLocation for `file` (relative to the scan root `root`)."""
    if posixpath.isabs(file):
        return {"uri": "file://" + quote(file)}
    joined = posixpath.normpath(posixpath.join(root or ".", file))
    if posixpath.isabs(joined):
        return {"uri": "file://" + quote(joined)}
    return {"uri": quote(joined), "uriBaseId": SRCROOT}


def _physical(root: str, loc: Location) -> dict:
    phys: dict = {"artifactLocation": _uri(root, loc.file)}
    if loc.start_line:
        region = {"startLine": int(loc.start_line)}
        if loc.end_line and loc.end_line >= loc.start_line:
            region["endLine"] = int(loc.end_line)
        phys["region"] = region
    return phys


# -- rules -------------------------------------------------------------------------------


def _rule_meta(result: ScanResult) -> dict[str, dict]:
    """Rule metadata for every rule evaluated, plus a minimal entry for any rule a finding
    names that the metadata lacks (a report made by a newer catalogue, a graph finding)."""
    metas = {rid: dict(m) for rid, m in sorted(result.rules.items())}
    for f in result.findings:
        if f.rule_id not in metas:
            metas[f.rule_id] = {
                "id": f.rule_id,
                "title": f.title,
                "severity": f.severity,
                "category": f.category,
                "remediation": f.remediation,
                "references": f.references,
                "aliases": f.aliases,
                "provider": f.resource.provider,
            }
    return metas


def _help(m: dict) -> dict:
    desc = m.get("description") or m.get("title", "")
    text = [desc]
    md = [f"**{m.get('title', '')}**", "", desc]
    if m.get("risk"):
        text.append(f"Risk: {m['risk']}")
        md += ["", f"**Risk:** {m['risk']}"]
    remediation = m.get("remediation") or {}
    if remediation:
        md += ["", "## Remediation"]
    for how, snippet in remediation.items():
        text.append(f"Remediation ({how}):\n{snippet}")
        md += ["", f"### {how}", "", _fence(snippet, how)]
    refs = m.get("references") or []
    if refs:
        text.append("References:\n" + "\n".join(refs))
        md += ["", "## References", ""] + [f"- <{r}>" for r in refs]
    if m.get("aliases"):
        md += ["", "Equivalent checks: " + ", ".join(f"`{a}`" for a in m["aliases"])]
    return {"text": "\n\n".join(text), "markdown": "\n".join(md)}


def _rule(m: dict) -> dict:
    severity = m.get("severity", "medium")
    tags = [m.get("category", ""), m.get("provider", ""), "security", *m.get("aliases", [])]
    full = m.get("description") or m.get("title", "")
    if m.get("risk"):
        full = f"{full} Risk: {m['risk']}"
    out = {
        "id": m["id"],
        "name": rule_name(m["id"]),
        "shortDescription": {"text": m.get("title") or m["id"]},
        "fullDescription": {"text": full or m["id"]},
        "help": _help(m),
        "helpUri": m.get("help_uri") or f"{INFORMATION_URI}/rules/{m['id']}",
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "tags": [t for t in dict.fromkeys(tags) if t],
            "precision": PRECISION.get(m.get("maturity", "stable"), "high"),
            "severity": severity,
            "category": m.get("category", ""),
        },
    }
    if m.get("applies_to"):
        out["properties"]["applies_to"] = list(m["applies_to"])
    if m.get("compliance"):
        out["properties"]["compliance"] = list(m["compliance"])
    return out


# -- results -----------------------------------------------------------------------------


def _suppression(f: Finding) -> dict:
    where, _, reason = (f.mute_reason or "").partition(":")
    kind = "inSource" if where.strip() == "inline" else "external"
    return {"kind": kind, "status": "accepted", "justification": _text(reason.strip() or f.mute_reason or "")}


def _code_flow(root: str, f: Finding) -> dict:
    # A finding may list several paths from one start: each becomes its own thread flow.
    flows: list[list] = []
    for path in split_paths(f.path):
        locations: list = []
        flows.append(locations)
        for step in path:
            loc: dict = {
                "logicalLocations": [
                    {"fullyQualifiedName": _text(step.node), "kind": "resource", "name": _text(step.node)}
                ]
            }
            if step.location and step.location.file:
                loc["physicalLocation"] = _physical(root, step.location)
            parts = [p for p in (step.technique, ", ".join(step.permissions), step.note) if p]
            loc["message"] = {"text": _text(" — ".join(parts) if parts else step.node)}
            tfl: dict = {"location": loc}
            if step.node_type:
                tfl["properties"] = {"node_type": step.node_type}
            locations.append(tfl)
    return {"message": {"text": _text(f.title)}, "threadFlows": [{"locations": locs} for locs in flows]}


def _result(root: str, f: Finding, index: dict[str, int]) -> dict:
    logical = {
        "name": _text(f.resource.name),
        "fullyQualifiedName": _text(f.resource.uid),
        "kind": "resource",
        "properties": {"type": f.resource.type},
    }
    location: dict = {"logicalLocations": [logical]}
    if f.location and f.location.file:
        location["physicalLocation"] = _physical(root, f.location)
    out: dict = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "message": {"text": _text(f.message)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "fingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "severity": f.severity,
            "category": f.category,
            "status": f.status,
            "confidence": f.confidence,
            "source": f.source,
            "resource": {
                k: _bounded(v)
                for k, v in {
                    "uid": f.resource.uid,
                    "type": f.resource.type,
                    "name": f.resource.name,
                    "provider": f.resource.provider,
                    "account": f.resource.account,
                    "region": f.resource.region,
                }.items()
                if v is not None
            },
            "evidence": {
                "path": _bounded(f.evidence.path),
                "value": _bounded(f.evidence.value),
                "provenance": f.evidence.provenance,
            },
        },
    }
    if f.aliases:
        out["properties"]["aliases"] = list(f.aliases)
    if f.compliance:
        out["properties"]["compliance"] = list(f.compliance)
    if f.status == "unknown":
        out["kind"] = "review"
        out["level"] = "none"
    else:
        out["kind"] = "fail"
        out["level"] = LEVEL.get(f.severity, "warning")
    if f.muted:
        out["suppressions"] = [_suppression(f)]
    if f.path:
        out["codeFlows"] = [_code_flow(root, f)]
    return out


# -- invocation --------------------------------------------------------------------------


SOURCES = ("iac", "live", "runtime")
_LIVE_ERROR_SOURCES = {"aws", "gcp", "k8s", "kubernetes-api", "azure", "live"}
_RUNTIME_ERROR_SOURCES = {
    "nvml",
    "gpu",
    "podresources",
    "audit",
    "cloudtrail",
    "gcp-audit",
    "k8s-audit",
    "runtime",
}


def error_source(source: str) -> str:
    """The finding source (run) a scan error belongs to: collectors name their dialect or API."""
    if source in _LIVE_ERROR_SOURCES:
        return "live"
    if source in _RUNTIME_ERROR_SOURCES:
        return "runtime"
    return "iac"


def _notifications(root: str, errors, findings: list[Finding], index: dict[str, int]) -> list[dict]:
    notes = []
    for e in errors:
        text = e.reason + (f" (not scanned: {e.unscanned})" if e.unscanned else "")
        n: dict = {
            "level": "error",
            "message": {"text": _text(text)},
            "descriptor": {"id": f"scan-error/{e.source}"},
            "properties": {"source": e.source, "unscanned": e.unscanned},
        }
        if e.file:
            n["locations"] = [{"physicalLocation": {"artifactLocation": _uri(root, e.file)}}]
        notes.append(n)
    for f in findings:
        if f.status != "error":
            continue
        n = {
            "level": "error",
            "message": {"text": _text(f.message)},
            "descriptor": {"id": "rule-error"},
            "associatedRule": {"id": f.rule_id, "index": index[f.rule_id]},
            "locations": [
                {"logicalLocations": [{"fullyQualifiedName": _text(f.resource.uid), "kind": "resource"}]}
            ],
        }
        if f.location and f.location.file:
            n["locations"][0]["physicalLocation"] = _physical(root, f.location)
        notes.append(n)
    return notes


def _baseline_states(result: ScanResult) -> dict[str, str]:
    c = result.comparison
    if c is None:
        return {}
    return {**{fp: "unchanged" for fp in c.persisting}, **{fp: "new" for fp in c.new}}


def _run(result: ScanResult, source: str, rules: list[dict], findings: list[Finding], errors) -> dict:
    root = result.root or "."
    index = {r["id"]: i for i, r in enumerate(rules)}
    notes = _notifications(root, errors, findings, index)
    invocation: dict = {
        "executionSuccessful": not notes,
        "startTimeUtc": result.started_at,
        "endTimeUtc": result.finished_at,
    }
    if notes:
        invocation["toolExecutionNotifications"] = scrub_tree(notes)
    driver = {
        "name": "mlposture",
        "version": result.tool_version or "0",
        "semanticVersion": result.tool_version or "0.0.0",
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    states = _baseline_states(result)
    results = []
    for f in findings:
        if f.status == "error":
            continue
        r = _result(root, f, index)
        if f.fingerprint in states:
            r["baselineState"] = states[f.fingerprint]
        results.append(r)
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"mlposture/{source}/"},
        "invocations": [invocation],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory mlposture ran in (the repository root in CI)."}}
        },
        # scanned input reaches only results and notifications; the rule metadata is ours
        "results": scrub_tree(results),
        "properties": {"scan_id": result.scan_id, "targets": list(result.targets), "source": source},
    }


def to_sarif(result: ScanResult) -> dict:
    rules = [_rule(m) for m in _rule_meta(result).values()]
    by_source: dict[str, tuple[list, list]] = {}
    for f in result.findings:
        by_source.setdefault(f.source if f.source in SOURCES else "iac", ([], []))[0].append(f)
    for e in result.errors:
        by_source.setdefault(error_source(e.source), ([], []))[1].append(e)
    if not by_source:
        by_source["iac"] = ([], [])
    runs = [_run(result, src, rules, *by_source[src]) for src in sorted(by_source, key=SOURCES.index)]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def render(result: ScanResult) -> str:
    return dumps(to_sarif(result))
