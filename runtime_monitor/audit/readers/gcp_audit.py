"""GCP Cloud Audit Logs: LogEntry records with an AuditLog ``protoPayload``, as exported by
logging sinks (JSON lines, gzipped or not) or printed by ``gcloud logging read
--format=json`` (one JSON array, read element by element)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from runtime_monitor.audit.event import (
    FAILURE,
    SUCCESS,
    UNKNOWN,
    AuditEvent,
    as_dict,
    as_list,
    as_str,
    parse_time,
)
from runtime_monitor.audit.jsonstream import READ_ERRORS, iter_array, iter_lines, reason_of
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.sources import Input

SOURCE = "gcp-audit"
AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"
_LOG_MARK = "cloudaudit.googleapis.com%2F"


def read_input(inp: Input, stats: ReadStats) -> Iterator[AuditEvent]:
    try:
        stream = inp.open()
        array = _array_file(stream)
    except READ_ERRORS as e:
        stats.problems.add(SOURCE, inp.name, None, "unreadable input", f"{type(e).__name__}: {e}")
        return
    with stream:
        items = iter_array(stream) if array else iter_lines(stream, inp.first_line)
        i = 0
        for obj, line, why in items:
            if why is not None:
                reason = reason_of(why)
                stats.problems.add(SOURCE, inp.name, line, reason, why)
                continue
            # a line of JSON lines may hold an array of entries (a one-line gcloud array)
            entries = obj if isinstance(obj, list) and not array else (obj,)
            if not entries:
                stats.skipped[("gcp", "empty array")] += 1
            for entry in entries:
                i += 1
                ev = entry_event(entry, inp.name, line, i, stats)
                if ev is not None:
                    yield ev


def _array_file(stream) -> bool:
    """Whether the input is one JSON array (``gcloud logging read --format=json``) rather than
    JSON lines (a sink's export). It starts with "[" either way when a JSON-lines file's first
    line is an array: a first line that is a whole value with more lines after it is JSON
    lines (that line is then reported on its own and the rest read), not an array followed by
    damage that would end the read."""
    if not stream.peek(64)[:64].lstrip().startswith(b"["):
        return False
    first, nl, rest = stream.peek(1 << 16).lstrip().partition(b"\n")
    if not nl or not rest.strip():
        return True  # one line, or more than was peeked: an array
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return True  # "[" alone on its line: a pretty-printed array
    return False  # an array on the first line (its entries are read), then more lines


def canonical_principal(email: str) -> str:
    """IAM member form, as policies write principals: serviceAccount:… or user:…"""
    if email.startswith(("serviceAccount:", "user:", "group:", "principal:")):
        return email
    return f"serviceAccount:{email}" if email.endswith(".gserviceaccount.com") else f"user:{email}"


def canonical_resource(name: str) -> str:
    """Cloud Storage objects and buckets as gs:// URIs; other resource names as logged."""
    if name.startswith("projects/_/buckets/"):
        bucket, _, rest = name[len("projects/_/buckets/") :].partition("/")
        if rest.startswith("objects/"):
            return f"gs://{bucket}/{rest[len('objects/') :]}"
        return f"gs://{bucket}"
    return name


def entry_event(entry: object, file: str, line: int | None, i: int, stats: ReadStats) -> AuditEvent | None:
    stats.records["gcp"] += 1
    if not isinstance(entry, dict):
        stats.problems.add(SOURCE, file, line, "not a LogEntry")
        return None
    proto = entry.get("protoPayload")
    if not isinstance(proto, dict):
        stats.skipped[("gcp", "LogEntry without an AuditLog payload")] += 1
        return None
    if proto.get("@type") != AUDIT_LOG_TYPE:
        stats.problems.add(
            SOURCE, file, line, "unknown event version", f"protoPayload @type {proto.get('@type')!r}"
        )
        return None
    auth = as_dict(proto.get("authenticationInfo"))
    email = as_str(auth.get("principalEmail")) or as_str(auth.get("principalSubject"))
    if not email:
        stats.problems.add(SOURCE, file, line, "record without a principal")
        return None
    t = parse_time(entry.get("timestamp") or entry.get("receiveTimestamp"))
    if t is None:
        stats.problems.add(SOURCE, file, line, "record without a valid time")
        return None
    delegation = as_list(auth.get("serviceAccountDelegationInfo"))
    first = as_dict(delegation[0]) if delegation else {}
    via = as_str(
        as_dict(first.get("firstPartyPrincipal") or first.get("thirdPartyPrincipal")).get("principalEmail")
    )
    code = as_dict(proto.get("status")).get("code")
    if not code:  # absent, null or 0 (OK)
        outcome, error = SUCCESS, ""
    elif isinstance(code, int | str) and not isinstance(code, bool):
        outcome, error = FAILURE, str(code)
    else:  # a status code of an odd type: neither a success nor a failure we can name
        outcome, error = UNKNOWN, ""
    meta = as_dict(proto.get("requestMetadata"))
    log_name = as_str(entry.get("logName"))
    log_type = log_name.split(_LOG_MARK, 1)[1] if _LOG_MARK in log_name else ""
    resource = as_str(proto.get("resourceName"))
    stats.events["gcp"] += 1
    stats.seen(t)
    return AuditEvent(
        provider="gcp",
        time=t,
        principal=canonical_principal(email),
        action=as_str(proto.get("methodName")),
        resources=(canonical_resource(resource),) if resource else (),
        source_ip=as_str(meta.get("callerIp")),
        user_agent=as_str(meta.get("callerSuppliedUserAgent")),
        outcome=outcome,
        error_code=error,
        file=file,
        line=line,
        record=i,
        event_version="AuditLog",
        raw_id=as_str(entry.get("insertId")),
        service=as_str(proto.get("serviceName")),
        session=canonical_principal(via) if via else "",
        log_type=log_type,
    )
