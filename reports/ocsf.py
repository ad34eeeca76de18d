"""OCSF 1.5.0 events for SIEM ingestion: a JSON array, one event per finding.

Choices worth knowing (README, "Output formats"):
- Rule findings from IaC and live accounts are **Compliance Findings** (class_uid 2003) whose
  ``compliance`` names the rule as ``control`` and its framework ids as ``requirements``;
  runtime findings and privilege paths are **Detection Findings** (2004).
- ``type_uid`` = class_uid * 100 + activity_id. Without a baseline every finding is Create
  (1). With one, new findings are Create, persisting ones Update (2), and fixed ones are
  extra Close (3) events with status Resolved and compliance status Pass.
- Finding status: muted findings are Suppressed (3, the reason in ``status_detail``), the
  others New (1). Compliance status: fail -> Fail, unknown (a value IaC could not resolve)
  -> Warning ("no result due to missing information"), a rule error -> Unknown.
- AWS and GCP resources carry the ``cloud`` profile (provider, region, account).
- Everything OCSF has no attribute for (evidence, location, path steps, rule aliases,
  confidence wording, scan id) goes in ``unmapped``.
- ``finding_info.uid`` is the finding fingerprint, stable across scans, so a SIEM can
  deduplicate and close what was fixed. ``metadata.uid`` is unique per event.
Every string from scanned input is secret-scrubbed, stripped of control characters and
bounded. The tests validate the events against Prowler's OCSF models (``py-ocsf-models``)
and against ``reports/schemas/ocsf-1.5-finding.schema.json``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from scanner.model.finding import Finding, ScanResult

from . import dumps, scrub_finding, scrub_tree

OCSF_VERSION = "1.5.0"
CATEGORY_FINDINGS = 2
COMPLIANCE_FINDING = 2003
DETECTION_FINDING = 2004
CLASS_NAME = {COMPLIANCE_FINDING: "Compliance Finding", DETECTION_FINDING: "Detection Finding"}
ACTIVITY = {1: "Create", 2: "Update", 3: "Close"}
SEVERITY_ID = {"critical": 5, "high": 4, "medium": 3, "low": 2, "info": 1}
SEVERITY_NAME = {5: "Critical", 4: "High", 3: "Medium", 2: "Low", 1: "Informational"}
CONFIDENCE_ID = {"certain": 3, "conditional": 2, "requires-resource": 1}
CONFIDENCE_NAME = {3: "High", 2: "Medium", 1: "Low"}
STATUS_NAME = {1: "New", 3: "Suppressed", 4: "Resolved"}
COMPLIANCE_STATUS = {"fail": (3, "Fail"), "unknown": (2, "Warning"), "error": (0, "Unknown")}
CLOUD_PROVIDER = {"aws": ("AWS", 10, "AWS Account"), "gcp": ("GCP", 5, "GCP Account")}
DETECTION_CATEGORIES = {"privilege-path", "anomaly"}
MAX_STR = 4_000
MAX_ITEMS = 1_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: Any) -> Any:
    """Scanned text made safe for any JSON consumer: no control characters (a NUL breaks
    many SIEM stores), bounded."""
    if isinstance(value, str):
        s = _CONTROL.sub("\ufffd", value)
        return s if len(s) <= MAX_STR else s[: MAX_STR - 1] + "…"
    if isinstance(value, dict):
        return {str(k)[:200]: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value[:MAX_ITEMS]]
    return value


def epoch_ms(iso: str) -> int:
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    except (ValueError, AttributeError):
        return 0


def class_for(f: Finding | dict) -> int:
    if isinstance(f, Finding):
        source, category, path = f.source, f.category, f.path
    else:
        source, category, path = f.get("source"), f.get("category"), f.get("path")
    if source == "runtime" or path or category in DETECTION_CATEGORIES:
        return DETECTION_FINDING
    return COMPLIANCE_FINDING


def _standards(ids: list[str]) -> list[str]:
    """Framework names from compliance ids like ``CIS-AWS-2.0:2.1.1``."""
    names = [i.split(":", 1)[0] for i in ids if i]
    return list(dict.fromkeys(names)) or ["mlposture"]


def _resource(res: dict) -> dict:
    out = {k: res[k] for k in ("uid", "type", "name", "region") if res.get(k)}
    data = {k: res[k] for k in ("provider", "account") if res.get(k)}
    if data:
        out["data"] = data
    return out


def _cloud(res: dict) -> dict | None:
    known = CLOUD_PROVIDER.get(str(res.get("provider", "")))
    if known is None:
        return None
    name, type_id, type_name = known
    cloud: dict = {"provider": name}
    if res.get("region"):
        cloud["region"] = res["region"]
    if res.get("account"):
        acct = res["account"]
        cloud["account"] = {"uid": acct, "name": acct, "type_id": type_id, "type": type_name}
    return cloud


def _event(result: ScanResult, d: dict, *, activity: int, status_id: int, time: int) -> dict:
    """One event from a finding's JSON (scrubbed); `d` may be a fixed baseline entry."""
    class_uid = class_for(d)
    sev_id = SEVERITY_ID.get(d.get("severity", ""), 0)
    res = d.get("resource") or {}
    event: dict = {
        "activity_id": activity,
        "activity_name": ACTIVITY[activity],
        "category_uid": CATEGORY_FINDINGS,
        "category_name": "Findings",
        "class_uid": class_uid,
        "class_name": CLASS_NAME[class_uid],
        "type_uid": class_uid * 100 + activity,
        "type_name": f"{CLASS_NAME[class_uid]}: {ACTIVITY[activity]}",
        "time": time,
        "severity_id": sev_id,
        "severity": SEVERITY_NAME.get(sev_id, "Unknown"),
        "status_id": status_id,
        "status": STATUS_NAME[status_id],
        "message": d.get("message", ""),
        "metadata": {
            "version": OCSF_VERSION,
            "uid": f"{result.scan_id}:{d.get('fingerprint', '')}:{activity}",
            "event_code": d.get("rule_id", ""),
            "product": {
                "name": "mlposture",
                "vendor_name": "mlposture",
                "version": result.tool_version or "0",
            },
        },
        "finding_info": {
            "uid": d.get("fingerprint", ""),
            "title": d.get("title") or d.get("rule_id", ""),
            "desc": d.get("message", ""),
            "types": [t for t in (d.get("category"), d.get("source")) if t],
            "created_time": time,
        },
        "resources": [_resource(res)],
    }
    if d.get("muted") and status_id == 3:
        event["status_detail"] = d.get("mute_reason") or ""
    if d.get("confidence") in CONFIDENCE_ID:
        cid = CONFIDENCE_ID[d["confidence"]]
        event["confidence_id"], event["confidence"] = cid, CONFIDENCE_NAME[cid]
    cloud = _cloud(res)
    if cloud is not None:
        event["cloud"] = cloud
        event["metadata"]["profiles"] = ["cloud"]
    remediation = d.get("remediation") or {}
    if remediation or d.get("references"):
        desc = "\n\n".join(f"{how}:\n{text}" for how, text in remediation.items())
        event["remediation"] = {"desc": desc or event["finding_info"]["title"]}
        if d.get("references"):
            event["remediation"]["references"] = list(d["references"])
    if class_uid == COMPLIANCE_FINDING:
        cstatus = (1, "Pass") if activity == 3 else COMPLIANCE_STATUS.get(d.get("status", ""), (0, "Unknown"))
        event["compliance"] = {
            "control": d.get("rule_id", ""),
            "standards": _standards(d.get("compliance") or []),
            "status_id": cstatus[0],
            "status": cstatus[1],
        }
        if d.get("compliance"):
            event["compliance"]["requirements"] = list(d["compliance"])
    unmapped = {
        k: d[k]
        for k in ("rule_id", "source", "category", "status", "confidence", "evidence", "location", "path")
        if d.get(k) not in (None, "", [], {})
    }
    if d.get("aliases"):
        unmapped["aliases"] = list(d["aliases"])
    unmapped["scan_id"] = result.scan_id
    event["unmapped"] = unmapped
    return _clean(event)


def to_ocsf(result: ScanResult) -> list[dict]:
    time = epoch_ms(result.finished_at or result.started_at)
    c = result.comparison
    persisting = set(c.persisting) if c is not None else set()
    events = []
    for f in result.findings:
        d = scrub_finding(f.to_json())
        activity = 2 if f.fingerprint in persisting else 1
        events.append(_event(result, d, activity=activity, status_id=3 if f.muted else 1, time=time))
    for entry in c.fixed if c is not None else []:
        d = scrub_tree(dict(entry))
        d.setdefault("status", "fail")
        events.append(_event(result, d, activity=3, status_id=4, time=time))
    return events


def render(result: ScanResult) -> str:
    return dumps(to_ocsf(result))


@cache
def schema() -> dict:
    text = resources.files("reports").joinpath("schemas/ocsf-1.5-finding.schema.json").read_text("utf-8")
    return json.loads(text)


def validation_errors(events: list) -> list[str]:
    """Every way `events` departs from our OCSF schema and the invariants OCSF states in
    words (type_uid, captions); empty when valid."""
    from jsonschema import Draft202012Validator

    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
        for e in Draft202012Validator(schema()).iter_errors(events)
    ]
    for i, e in enumerate(events if isinstance(events, list) else []):
        if not isinstance(e, dict):
            continue
        if e.get("type_uid") != e.get("class_uid", 0) * 100 + e.get("activity_id", 0):
            errors.append(f"{i}/type_uid: not class_uid * 100 + activity_id")
        if "severity" in e and SEVERITY_NAME.get(e.get("severity_id")) != e["severity"]:
            errors.append(f"{i}/severity: does not match severity_id")
    return errors
