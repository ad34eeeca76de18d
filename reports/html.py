"""The HTML report: ONE self-contained file (inline CSS, JS and SVG; nothing fetched), safe
to open from disk or as an email attachment.

Everything shown comes from scanned input or from a JSON report that may itself be hostile,
so: jinja2 autoescapes every value; URLs become links only when they are plain http(s); the
data the script needs travels as JSON in a non-executed <script type="application/json">
with every character that could end the element escaped; the script builds DOM with
textContent only; and a Content-Security-Policy allows our one script, by hash, and nothing
else. The table is rendered here, so the page reads without JavaScript too; the script only
filters and sorts."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from scanner.model.finding import SEVERITIES, SEVERITY_RANK, STATUSES, ScanResult, split_paths

from .json_report import to_dict

TEMPLATES = Path(__file__).resolve().parent / "templates"
# C0 controls (but tab and newline) and DEL: harmless once escaped, but noise in a page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A link only for a plain absolute http(s) URL with nothing a parser could read twice.
_SAFE_URL = re.compile(r"https?://[^\s\"'<>\\`\x00-\x1f\x7f]+", re.IGNORECASE)
DIALECTS = {"terraform": "Terraform", "cloudformation": "CloudFormation", "kubernetes": "Kubernetes"}
DIALECTS |= {"cli": "CLI", "console": "Console"}


def safe_href(url: Any) -> str | None:
    return url if isinstance(url, str) and _SAFE_URL.fullmatch(url) else None


def _finalize(value: Any) -> Any:
    """Every {{ }} passes here before escaping: None prints as nothing, control characters
    as U+FFFD. Our own inlined CSS and JS (Markup) pass through untouched."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _CONTROL.sub("\ufffd", value)
    return value


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = _short
    return env


def _short(value: Any, n: int) -> str:
    """For SVG text, which cannot wrap: the full text goes in a <title> beside it."""
    s = "" if value is None else str(value)
    return s if len(s) <= n else s[: n - 1] + "\u2026"


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON that cannot end its <script> element or open a comment in it: `<`, `>` and `&`
    are \\u-escaped (legal in JSON strings, the only place they can occur); ensure_ascii
    escapes U+2028/2029 and every other non-ASCII character."""
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()


def render(result: ScanResult) -> str:
    doc = to_dict(result)  # secrets scrubbed, exactly what the JSON report would carry
    script = _asset("report.js")
    assert "</script" not in script.lower()
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src '{csp_hash(script)}'; base-uri 'none'; form-action 'none'"
    )
    view = build_view(doc)
    data = Markup(script_json(view.pop("rows_data")))
    return (
        _env()
        .get_template("report.html.j2")
        .render(**view, csp=csp, style=Markup(_asset("report.css")), script=Markup(script), data=data)
    )


# --- the view: everything the template shows, computed here so the template stays plain ---


def _location(loc: dict | None) -> str:
    if not loc:
        return ""
    line = loc.get("start_line")
    return f"{loc.get('file', '')}:{line}" if line else str(loc.get("file", ""))


def _value_text(ev: dict) -> str:
    v = ev.get("value")
    if v is None:
        return ""
    if isinstance(v, dict) and "$unresolved" in v and set(v) <= {"$unresolved", "prefix", "parts"}:
        return f"unresolved: {v['$unresolved']}"
    if isinstance(v, str):
        return v
    return json.dumps(v, indent=2, ensure_ascii=False, default=str)


def _tenant(f: dict) -> str:
    value = f["evidence"].get("value")
    from_evidence = value.get("tenant") if isinstance(value, dict) else None
    return str(f["resource"].get("region") or from_evidence or "(no tenant)")


def _finding_view(i: int, f: dict, rules: dict, new: set[str]) -> dict:
    res = f["resource"]
    help_uri = (rules.get(f["rule_id"]) or {}).get("help_uri")
    return {
        **f,
        "path": f.get("path") or [],
        "location": f.get("location") or {},
        "i": i,
        "rank": SEVERITY_RANK.get(f["severity"], -1),
        "where": _location(f.get("location")),
        "value_text": _value_text(f["evidence"]),
        "is_new": f["fingerprint"] in new,
        "help_href": safe_href(help_uri),
        "refs": [{"text": str(r), "href": safe_href(r)} for r in f.get("references") or []],
        "fixes": [(DIALECTS.get(k, k), v) for k, v in (f.get("remediation") or {}).items()],
        "label": res.get("name") or res["uid"],
    }


def _row_data(f: dict) -> dict:
    """What the script filters and sorts on, per finding; `text` is the free-text haystack."""
    res, loc = f["resource"], f.get("location") or {}
    words = (f["rule_id"], f["title"], f["message"], f["fingerprint"], f["where"], *res.values())
    return {
        "severity": f["severity"],
        "rank": f["rank"],
        "category": f["category"],
        "provider": res["provider"],
        "source": f["source"],
        "rule": f["rule_id"],
        "status": f["status"],
        "muted": "yes" if f["muted"] else "no",
        "baseline": "new" if f["is_new"] else "persisting",
        "resource": f["label"],
        "file": loc.get("file") or "",
        "line": loc.get("start_line") or 0,
        "message": f["message"],
        "text": " ".join(str(w) for w in words if w).lower(),
    }


def _bars(counts: dict[str, int]) -> list[dict]:
    top = max(counts.values(), default=0) or 1
    return [{"label": k, "count": n, "width": round(300 * n / top)} for k, n in counts.items()]


def _path_diagram(steps: list[dict]) -> dict:
    """Boxes top to bottom, one per step; the arrow below a box is the edge that leads on,
    labelled with its technique, permissions and where it was found."""
    box_h, gap = 44, 70
    nodes, edges = [], []
    for n, step in enumerate(steps):
        y = 10 + n * (box_h + gap)
        nodes.append({"y": y, "node": step["node"], "type": step.get("node_type") or ""})
        if n < len(steps) - 1:
            perms = ", ".join(step.get("permissions") or [])
            where = _location(step.get("location"))
            detail = " · ".join(x for x in (where, step.get("note") or "") if x)
            edges.append(
                {
                    "y1": y + box_h,
                    "y2": y + box_h + gap,
                    "technique": step.get("technique") or "(edge)",
                    "perms": perms,
                    "detail": detail,
                }
            )
    height = 20 + len(steps) * box_h + max(0, len(steps) - 1) * gap
    return {"nodes": nodes, "edges": edges, "height": height, "steps": steps}


def _path_diagrams(f: dict) -> list[dict]:
    """One diagram per distinct shortest path of the finding (they share its start)."""
    return [_path_diagram(steps) for steps in split_paths(f.get("path") or [])]


def _runtime_groups(findings: list[dict]) -> list[dict]:
    nodes: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        if f["source"] == "runtime" and f["category"] == "isolation":
            nodes[str(f["resource"].get("account") or "(unknown node)")][_tenant(f)].append(f)
    return [
        {"node": node, "tenants": [{"tenant": t, "findings": fs} for t, fs in sorted(tenants.items())]}
        for node, tenants in sorted(nodes.items())
    ]


GPU_TAG_RULE = "gpu-capacity-cost-attribution-tagged"


def _untagged_gpu(findings: list[dict]) -> list[tuple[str, int]]:
    """(resource type, count) of GPU-backed resources failing the tag policy, most first."""
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        if f["rule_id"] == GPU_TAG_RULE and f["status"] == "fail" and not f.get("muted"):
            counts[str(f["resource"].get("type") or "")] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _fixed_view(f: dict) -> dict:
    """A fixed finding as the baseline recorded it: any shape a baseline file may hold."""
    res = f.get("resource") if isinstance(f.get("resource"), dict) else {}
    loc = f.get("location") if isinstance(f.get("location"), dict) else None
    return {
        "severity": str(f.get("severity") or ""),
        "rule_id": str(f.get("rule_id") or ""),
        "label": str(res.get("name") or res.get("uid") or ""),
        "where": _location(loc),
        "message": str(f.get("message") or ""),
    }


REQUIREMENT_STATUSES = ("pass", "fail", "unknown", "not-applicable", "not-covered")


def _compliance_view(c: Any) -> dict | None:
    """The --compliance section. It may come from a JSON report on disk: statuses are
    whitelisted (they name a CSS class), the framework URL is a link only when plain http(s)."""
    if not isinstance(c, dict):
        return None
    fw = c.get("framework") if isinstance(c.get("framework"), dict) else {}
    reqs = [r for r in c.get("requirements") or [] if isinstance(r, dict)]
    return {
        "name": str(fw.get("name") or fw.get("id") or ""),
        "version": str(fw.get("version") or ""),
        "href": safe_href(fw.get("url")),
        "summary": [(s, int((c.get("summary") or {}).get(s, 0) or 0)) for s in REQUIREMENT_STATUSES],
        "requirements": [
            {
                "id": str(r.get("id") or ""),
                "title": str(r.get("title") or ""),
                "status": str(r.get("status")) if r.get("status") in REQUIREMENT_STATUSES else "unknown",
                "failed": int(r.get("failed") or 0),
                "rules": [str(x) for x in r.get("rules") or []],
            }
            for r in reqs
        ],
    }


def _options(findings: list[dict], key) -> list[str]:
    return sorted({key(f) for f in findings})


def build_view(doc: dict) -> dict:
    comparison = doc.get("comparison")
    new = set(comparison["new"]) if comparison else set()
    findings = [_finding_view(i, f, doc.get("rules") or {}, new) for i, f in enumerate(doc["findings"])]
    # default order: most severe first, failures before unknowns, muted last
    order = sorted(
        findings,
        key=lambda f: (
            f["muted"],
            -f["rank"],
            STATUSES.index(f["status"]) if f["status"] in STATUSES else 9,
            f["rule_id"],
            f["resource"]["uid"],
        ),
    )
    s, scan = doc["summary"], doc["scan"]
    charts = [
        ("sev", "severity", {k: s["by_severity"].get(k, 0) for k in SEVERITIES}),
        ("cat", "category", s["by_category"]),
        ("prov", "provider", s["by_provider"]),
        ("src", "source", s["by_source"]),
    ]
    present_sev = {f["severity"] for f in findings}
    return {
        "tool": doc["tool"],
        "scan": scan,
        "summary": s,
        "comparison": comparison,
        "findings": order,
        "rows_data": [_row_data(f) for f in findings],
        "charts": [{"id": cid, "by": by, "bars": _bars(counts)} for cid, by, counts in charts],
        "paths": [dict(f, diagrams=_path_diagrams(f)) for f in order if f.get("path")],
        "runtime": _runtime_groups(order),
        "untagged_gpu": _untagged_gpu(findings),
        "compliance": _compliance_view(doc.get("compliance")),
        "unmodelled": [
            {"dialect": src.get("dialect", ""), "types": sorted(src["unmodelled"].items())}
            for src in scan.get("sources", [])
            if src.get("unmodelled")
        ],
        "filters": [
            ("severity", "Severity", [x for x in SEVERITIES if x in present_sev]),
            ("category", "Category", _options(findings, lambda f: f["category"])),
            ("provider", "Provider", _options(findings, lambda f: f["resource"]["provider"])),
            ("source", "Source", _options(findings, lambda f: f["source"])),
            ("rule", "Rule", _options(findings, lambda f: f["rule_id"])),
            ("status", "Status", [x for x in STATUSES if any(f["status"] == x for f in findings)]),
            ("muted", "Muted", ["no", "yes"]),
        ]
        + ([("baseline", "Baseline", ["new", "persisting"])] if comparison else []),
        "fixed": [_fixed_view(f) for f in (comparison or {}).get("fixed", [])],
    }
