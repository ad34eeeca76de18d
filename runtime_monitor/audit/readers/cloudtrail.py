"""CloudTrail: log files as delivered to S3 (``{"Records": [...]}``, gzipped, one file per
account, region and ~5 minutes) and EventBridge JSON lines (``detail`` holds the record;
bare records a line are read too).

Memory: a delivered file is read whole and parsed with orjson when it decompresses to at
most WHOLE_FILE_LIMIT bytes (delivered files are far smaller); above that, and to salvage
a truncated file, records are parsed one by one (`jsonstream.iter_array`), so memory stays
bounded by one record whatever the file's size."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator

import orjson

from runtime_monitor.audit.event import FAILURE, SUCCESS, AuditEvent, as_dict, as_list, as_str, parse_time
from runtime_monitor.audit.jsonstream import CHUNK, READ_ERRORS, iter_array, iter_lines, reason_of
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.sources import Input, salvage

SOURCE = "cloudtrail"
Want = Callable[[str, list[str]], bool]  # (action, canonical resources) -> build the event?
WHOLE_FILE_LIMIT = 256 << 20
_RECORDS_DOC = re.compile(rb'\s*\{\s*"Records"\s*:')
# eventSource host -> IAM service prefix, where they differ
_PREFIX = {
    "runtime.sagemaker": "sagemaker",
    "sagemaker-featurestore-runtime": "sagemaker",
    "featurestore-runtime.sagemaker": "sagemaker",
    "monitoring": "cloudwatch",
    "bedrock-runtime": "bedrock",
}
# requestParameters naming a SageMaker resource -> its ARN resource type
_SAGEMAKER_NAMES = (
    ("notebookInstanceName", "notebook-instance"),
    ("notebookInstanceLifecycleConfigName", "notebook-instance-lifecycle-config"),
    ("endpointName", "endpoint"),
    ("modelName", "model"),
    ("featureGroupName", "feature-group"),
    ("trainingJobName", "training-job"),
    ("domainId", "domain"),
)


def read_input(inp: Input, stats: ReadStats, want: Want | None = None) -> Iterator[AuditEvent]:
    """`want(action, resources)` says which records become events; the others are still
    validated and counted (problems, record and event counts, first and last time)."""
    try:
        stream = inp.open()
        head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    except READ_ERRORS as e:
        stats.problems.add(SOURCE, inp.name, None, "unreadable input", f"{type(e).__name__}: {e}")
        return
    with stream:
        if _RECORDS_DOC.match(head):
            yield from _records_file(inp, stream, stats, want)
        else:
            yield from _lines(inp.name, stream, stats, inp.first_line, want)


def _records_file(inp: Input, stream, stats: ReadStats, want: Want | None) -> Iterator[AuditEvent]:
    name = inp.name
    chunks, size, error = [], 0, None
    try:
        while size <= WHOLE_FILE_LIMIT and (chunk := stream.read(CHUNK)):
            chunks.append(chunk)
            size += len(chunk)
    except READ_ERRORS as e:
        error = f"{type(e).__name__}: {e}"
    data = b"".join(chunks)
    del chunks
    records = None
    if error is None and size <= WHOLE_FILE_LIMIT:
        try:
            records = orjson.loads(data)["Records"]
            if not isinstance(records, list):
                raise TypeError('"Records" is not an array')
        except (TypeError, KeyError) as e:
            stats.problems.add(SOURCE, name, None, "malformed JSON", str(e))
            return
        except orjson.JSONDecodeError:
            records = None  # one bad record: read the others one by one, each problem at its line
        if records is not None:
            del data
            for i, rec in enumerate(records, 1):
                ev = record_event(rec, name, None, i, stats, want)
                if ev is not None:
                    yield ev
            return
    if records is None and error is None and size <= WHOLE_FILE_LIMIT:
        items = iter_array(io.BytesIO(data), "Records")
    elif error is not None:
        # Salvage the records before the damage; the damage itself is one problem.
        stats.problems.add(SOURCE, name, None, "truncated gzip", error)
        with contextlib.suppress(*READ_ERRORS):  # else keep what GzipFile gave
            data = salvage(inp, WHOLE_FILE_LIMIT)
        items = iter_array(io.BytesIO(data), "Records")
    else:  # above the whole-file limit: one record at a time
        items = iter_array(stream, "Records", data)
    del data
    for i, (rec, line, why) in enumerate(items, 1):
        if why is not None:  # a bad record, or the damage that ends the array
            if error is None:
                reason = reason_of(why)
                stats.problems.add(SOURCE, name, line, reason, why, record=i)
            continue
        ev = record_event(rec, name, line, i, stats, want)
        if ev is not None:
            yield ev


def _lines(
    name: str, stream, stats: ReadStats, first_line: int = 1, want: Want | None = None
) -> Iterator[AuditEvent]:
    i = 0
    for obj, line, why in iter_lines(stream, first_line):
        if why is not None:
            reason = reason_of(why)
            stats.problems.add(SOURCE, name, line, reason, why)
            continue
        i += 1
        if not isinstance(obj, dict):
            stats.problems.add(SOURCE, name, line, "not a CloudTrail record")
            continue
        detail = obj.get("detail")
        if isinstance(detail, dict) and "eventVersion" in detail:  # EventBridge
            ev = record_event(detail, name, line, i, stats, want)
            if ev is not None:
                yield ev
        elif "eventVersion" in obj:
            ev = record_event(obj, name, line, i, stats, want)
            if ev is not None:
                yield ev
        elif isinstance(obj.get("Records"), list):  # a delivered file a line (Firehose)
            for rec in obj["Records"]:
                ev = record_event(rec, name, line, i, stats, want)
                if ev is not None:
                    yield ev
        elif "detail-type" in obj:
            stats.skipped[("aws", "EventBridge event that is not a CloudTrail record")] += 1
        else:
            stats.problems.add(SOURCE, name, line, "not a CloudTrail record")


def principal_of(ui: dict) -> tuple[str, str]:
    """(canonical principal, the concrete session). Role sessions fold into the role, so
    that a policy naming the role matches every session of it."""
    t = ui.get("type")
    arn = as_str(ui.get("arn"))
    if t in ("AssumedRole", "FederatedUser"):
        issuer = as_dict(as_dict(ui.get("sessionContext")).get("sessionIssuer"))
        return (as_str(issuer.get("arn")) or arn), arn
    if t == "AWSService":
        return as_str(ui.get("invokedBy")), ""
    acct = as_str(ui.get("accountId"))
    if t == "AWSAccount":
        return (f"arn:aws:iam::{acct}:root" if acct else as_str(ui.get("principalId"))), ""
    if t == "Root" and not arn and acct:
        return f"arn:aws:iam::{acct}:root", ""
    return arn or as_str(ui.get("principalId")), ""


def _resources(rec: dict, prefix: str, params: dict) -> list[str]:
    out: list[str] = []
    for r in as_list(rec.get("resources")):
        a = r.get("ARN") if isinstance(r, dict) else None
        if isinstance(a, str):
            out.append(_s3_uri(a) if a.startswith("arn:aws:s3:::") else a)
    if prefix == "s3":
        bucket = params.get("bucketName")
        if isinstance(bucket, str):
            key = params.get("key")
            if not isinstance(key, str):  # a listing (ListObjects, ListObjectsV2) names its prefix
                key = params.get("prefix") if isinstance(params.get("prefix"), str) else None
            uri = f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
            if uri not in out:
                out.append(uri)
    elif prefix == "sagemaker":
        region, acct = as_str(rec.get("awsRegion")), as_str(rec.get("recipientAccountId"))
        for param, kind in _SAGEMAKER_NAMES:
            v = params.get(param)
            if isinstance(v, str) and v:
                arn = f"arn:aws:sagemaker:{region}:{acct}:{kind}/{v.lower()}"
                if arn not in out:
                    out.append(arn)
    elif prefix == "secretsmanager":
        sid = params.get("secretId")
        if isinstance(sid, str) and sid and not any(x.startswith("arn:") for x in out):
            region, acct = as_str(rec.get("awsRegion")), as_str(rec.get("recipientAccountId"))
            out.append(
                sid if sid.startswith("arn:") else f"arn:aws:secretsmanager:{region}:{acct}:secret:{sid}"
            )
    return out


def _s3_uri(arn: str) -> str:
    return "s3://" + arn[len("arn:aws:s3:::") :]


_KNOWN_MAJOR = "1."


def record_event(
    rec: object, file: str, line: int | None, i: int, stats: ReadStats, want: Want | None = None
) -> AuditEvent | None:
    stats.records["aws"] += 1
    if not isinstance(rec, dict):
        stats.problems.add(SOURCE, file, line, "not a CloudTrail record", record=i)
        return None
    version = rec.get("eventVersion")
    if not isinstance(version, str) or not version.startswith(_KNOWN_MAJOR):
        stats.problems.add(SOURCE, file, line, "unknown event version", f"eventVersion {version!r}", record=i)
        return None
    ui = rec.get("userIdentity")
    principal, session = principal_of(ui) if isinstance(ui, dict) else ("", "")
    if not principal:
        stats.problems.add(SOURCE, file, line, "record without a principal", record=i)
        return None
    t = parse_time(rec.get("eventTime"))
    if t is None:
        stats.problems.add(SOURCE, file, line, "record without a valid time", record=i)
        return None
    source = as_str(rec.get("eventSource"))
    host = source.removesuffix(".amazonaws.com")
    prefix = _PREFIX.get(host, host)
    params = rec.get("requestParameters")
    params = params if isinstance(params, dict) else {}
    action = f"{prefix}:{as_str(rec.get('eventName'))}"
    resources = _resources(rec, prefix, params)
    stats.events["aws"] += 1
    stats.seen(t)
    if want is not None and not want(action, resources):
        return None  # valid and counted, but no detection reads it
    err = as_str(rec.get("errorCode")) or ("unknown" if rec.get("errorCode") else "")
    extra = rec.get("additionalEventData")
    out_bytes = extra.get("bytesTransferredOut") if isinstance(extra, dict) else None
    return AuditEvent(
        provider="aws",
        time=t,
        principal=principal,
        action=action,
        resources=tuple(resources),
        source_ip=as_str(rec.get("sourceIPAddress")),
        user_agent=as_str(rec.get("userAgent")),
        outcome=FAILURE if err else SUCCESS,
        error_code=err,
        file=file,
        line=line,
        record=i,
        event_version=version,
        raw_id=as_str(rec.get("eventID")),
        service=source,
        session=session,
        vpc_endpoint=as_str(rec.get("vpcEndpointId")),
        bytes_out=_count(out_bytes),
        log_type=as_str(rec.get("eventCategory")) or "Management",
    )


def _count(v: object) -> int | None:
    """A byte count as logged; None for anything that is not a finite number."""
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v or v in (float("inf"), float("-inf")):
        return None
    return int(v)
