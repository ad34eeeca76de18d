"""Notifications after a scheduled scan: POST the NEW failing findings at or above a severity
to generic JSON webhooks and to Slack incoming webhooks.

- New means: against the baseline when one was given (`result.comparison`), else against
  the previous stored scan of the same targets and shard, else every failing finding.
- One POST per URL, no retries, a 10 s timeout, and no redirects followed at all (a 3xx is a
  failure): a webhook can never bounce us to another scheme or host.
- A failure is a console warning and an entry in the JSON report (`scan.notifications`);
  it never changes the exit code.
- Only scanned text already redacted goes out, and it goes through `redact_string` again.
  The webhook URL itself (a Slack URL is a credential) is never recorded: only its origin.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.model.finding import SEVERITY_RANK, Finding, ScanResult
from scanner.secrets import redact_string

TIMEOUT_S = 10.0
MAX_LISTED = 50  # Slack: findings listed, then "and N more"
MAX_GENERIC = 1000  # generic JSON: findings listed, then `omitted`
MAX_FIELD = 300
_PER_BLOCK = 10  # Slack section text is limited to 3,000 characters
_MAX_RESPONSE = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


class NotifyError(ValueError):
    """A webhook URL that cannot be used (not http/https, no host)."""


@dataclass(frozen=True)
class Target:
    kind: str  # webhook | slack
    url: str


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise NotifyError(f"a notification URL must be http:// or https:// with a host, got {origin(url)!r}")
    return url


def origin(url: str) -> str:
    """What may be shown of a webhook URL: scheme and host (its path and query are secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else "<invalid>"


def _failing(f: Finding) -> bool:
    return f.status == "fail" and not f.muted


def new_findings(result: ScanResult, min_severity: str, previous: set[str] | None = None) -> list[Finding]:
    """The failing, unmuted findings at or above `min_severity` that are new: against the
    baseline comparison when there is one, else not in `previous` (fingerprints), else all."""
    floor = SEVERITY_RANK[min_severity.lower()]
    if result.comparison is not None:
        new = set(result.comparison.new)
        keep = lambda f: f.fingerprint in new  # noqa: E731
    elif previous is not None:
        keep = lambda f: f.fingerprint not in previous  # noqa: E731
    else:
        keep = lambda f: True  # noqa: E731
    out = [f for f in result.findings if _failing(f) and SEVERITY_RANK[f.severity] >= floor and keep(f)]
    return sorted(out, key=lambda f: -SEVERITY_RANK[f.severity])


def _text(value: object, limit: int = MAX_FIELD) -> str:
    s = _CONTROL.sub(" ", redact_string(str(value))).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _finding_json(f: Finding) -> dict:
    loc = None
    if f.location is not None:
        loc = {
            "file": _text(f.location.file),
            "start_line": f.location.start_line,
            "end_line": f.location.end_line,
        }
    return {
        "fingerprint": f.fingerprint,
        "rule_id": f.rule_id,
        "severity": f.severity,
        "resource": {
            "uid": _text(f.resource.uid),
            "type": f.resource.type,
            "name": _text(f.resource.name or ""),
        },
        "location": loc,
        "message": _text(f.message, 1000),
    }


def generic_payload(result: ScanResult, findings: list[Finding], min_severity: str) -> dict:
    from reports.json_report import summary

    return {
        "tool": {"name": "mlposture", "version": result.tool_version},
        "scan_id": result.scan_id,
        "min_severity": min_severity,
        "summary": summary(result) | {"new": len(findings)},
        "findings": [_finding_json(f) for f in findings[:MAX_GENERIC]],
        "omitted": max(0, len(findings) - MAX_GENERIC),
    }


def slack_escape(value: object, limit: int = MAX_FIELD) -> str:
    """Scanned text for Slack mrkdwn: one line, bounded, redacted, and `&`, `<`, `>` as
    entities (so no link, mention or special command can be opened)."""
    s = _text(value, limit)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_line(f: Finding) -> str:
    where = ""
    if f.location is not None and f.location.file:
        where = f" ({slack_escape(f.location.file, 120)}" + (
            f":{f.location.start_line})" if f.location.start_line else ")"
        )
    return (
        f"*{f.severity.upper()}* `{slack_escape(f.rule_id, 100)}` "
        f"{slack_escape(f.resource.name or f.resource.uid, 150)}{where}: {slack_escape(f.message, 200)}"
    )


def slack_payload(result: ScanResult, findings: list[Finding], min_severity: str) -> dict:
    n = len(findings)
    head = (
        f"mlposture scan {slack_escape(result.scan_id, 80)}: {n} new finding{'s' * (n != 1)} "
        f"at or above {min_severity}"
    )
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{head}*"}}]
    listed = [_slack_line(f) for f in findings[:MAX_LISTED]]
    for i in range(0, len(listed), _PER_BLOCK):
        text = "\n".join(listed[i : i + _PER_BLOCK])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    if n > MAX_LISTED:
        more = f"and {n - MAX_LISTED} more"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": head, "blocks": blocks}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirect())


def post(target: Target, payload: dict, timeout: float = TIMEOUT_S) -> dict:
    """One POST; the outcome as the JSON report records it."""
    entry = {"kind": target.kind, "endpoint": origin(target.url)}
    body = json.dumps(payload).encode("utf-8")
    req = urllib.request.Request(
        target.url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "mlposture"},
    )
    try:
        check_url(target.url)
        with _opener().open(req, timeout=timeout) as resp:
            resp.read(_MAX_RESPONSE)
            status = resp.status
        ok = 200 <= status < 300
        return entry | {"status": "delivered" if ok else "failed", "http_status": status}
    except urllib.error.HTTPError as e:
        return entry | {"status": "failed", "http_status": e.code, "error": f"HTTP {e.code}"}
    except NotifyError as e:
        return entry | {"status": "failed", "http_status": None, "error": str(e)}
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        return entry | {"status": "failed", "http_status": None, "error": _text(reason, 200)}


def notify(
    result: ScanResult,
    targets: list[Target],
    min_severity: str = "high",
    previous: set[str] | None = None,
    timeout: float = TIMEOUT_S,
) -> list[dict]:
    """Send the new findings to every target; record and return the outcomes."""
    findings = new_findings(result, min_severity, previous)
    outcomes = []
    for t in targets:
        payload = (slack_payload if t.kind == "slack" else generic_payload)(result, findings, min_severity)
        outcomes.append(post(t, payload, timeout) | {"findings": len(findings)})
    result.notifications = outcomes
    return outcomes


def previous_fingerprints(store, result: ScanResult, shard: str | None) -> set[str] | None:
    """Failing, unmuted fingerprints of the latest stored scan of the same targets and shard
    (not this one); None when there is none."""
    for s in store.list_scans(limit=500, shard=shard):
        if s["id"] != result.scan_id and s["shard"] == shard and list(s["targets"]) == list(result.targets):
            return {
                f["fingerprint"] for f in store.findings(s["id"]) if f["status"] == "fail" and not f["muted"]
            }
    return None
