"""Kubernetes audit logs: JSON lines of ``audit.k8s.io/v1`` Events (the log backend's
format; an ``EventList`` a line is read too).

Stages: one request is logged at up to four stages. An event is produced at
ResponseComplete or Panic, and at ResponseStarted for the long-running connections
(exec, attach, port-forward), whose ResponseComplete comes when the session ends and is
then not counted again (recent audit IDs are remembered, boundedly). RequestReceived is
skipped and counted: it says nothing about the outcome, and a later stage follows."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

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
from runtime_monitor.audit.jsonstream import READ_ERRORS, iter_lines, reason_of
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.sources import Input

SOURCE = "k8s-audit"
VERSIONS = ("audit.k8s.io/v1", "audit.k8s.io/v1beta1")
CONNECT_SUBRESOURCES = ("exec", "attach", "portforward")
_SEEN_IDS = 100_000  # audit IDs remembered to drop the second stage of a connection
_WORKLOADS = ("deployments", "statefulsets", "daemonsets", "replicasets", "jobs")


def read_input(inp: Input, stats: ReadStats) -> Iterator[AuditEvent]:
    try:
        stream = inp.open()
    except READ_ERRORS as e:
        stats.problems.add(SOURCE, inp.name, None, "unreadable input", f"{type(e).__name__}: {e}")
        return
    seen: OrderedDict[str, None] = OrderedDict()
    first_line = inp.first_line
    with stream:
        i = 0
        for obj, line, why in iter_lines(stream, first_line):
            if why is not None:
                reason = reason_of(why)
                stats.problems.add(SOURCE, inp.name, line, reason, why)
                continue
            items = obj.get("items") if isinstance(obj, dict) and obj.get("kind") == "EventList" else [obj]
            if not isinstance(items, list):
                stats.problems.add(
                    SOURCE, inp.name, line, "not an audit Event", "EventList without a list of items"
                )
                continue
            for item in items:
                i += 1
                ev = audit_event(item, inp.name, line, i, stats, seen)
                if ev is not None:
                    yield ev


def _pod_spec(resource: str, obj: dict) -> dict | None:
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return None
    if resource == "pods":
        return spec
    if resource == "cronjobs":
        spec = as_dict(as_dict(spec.get("jobTemplate")).get("spec"))
    if resource in (*_WORKLOADS, "cronjobs"):
        return as_dict(as_dict(spec.get("template")).get("spec")) or None
    return None


def pod_risks(spec: dict) -> dict:
    """The facts of a pod spec that break tenant isolation (Falco's k8s_audit fields:
    privileged containers, hostPath volumes, host namespaces, added capabilities)."""
    containers = [
        c
        for key in ("containers", "initContainers", "ephemeralContainers")
        for c in as_list(spec.get(key))
        if isinstance(c, dict)
    ]
    privileged = sorted(
        as_str(c.get("name")) or "?"
        for c in containers
        if as_dict(c.get("securityContext")).get("privileged") is True
    )
    caps = sorted(
        {
            str(cap)
            for c in containers
            for cap in as_list(as_dict(as_dict(c.get("securityContext")).get("capabilities")).get("add"))
            if str(cap).upper().removeprefix("CAP_")
            in ("SYS_ADMIN", "SYS_PTRACE", "SYS_MODULE", "MKNOD", "ALL")
        }
    )
    host_paths = sorted(
        str(v["hostPath"].get("path"))
        for v in as_list(spec.get("volumes"))
        if isinstance(v, dict) and isinstance(v.get("hostPath"), dict)
    )
    host_ns = sorted(k for k in ("hostPID", "hostIPC", "hostNetwork") if spec.get(k) is True)
    out: dict = {}
    if privileged:
        out["privileged"] = privileged
    if caps:
        out["capabilities"] = caps
    if host_paths:
        out["host_path"] = host_paths
    if host_ns:
        out["host_namespaces"] = host_ns
    return out


def audit_event(
    ev: object, file: str, line: int, i: int, stats: ReadStats, seen: OrderedDict
) -> AuditEvent | None:
    stats.records["k8s"] += 1
    if not isinstance(ev, dict):
        stats.problems.add(SOURCE, file, line, "not an audit Event")
        return None
    version = ev.get("apiVersion")
    if version not in VERSIONS or ev.get("kind") != "Event":
        stats.problems.add(SOURCE, file, line, "unknown event version", f"{version!r} {ev.get('kind')!r}")
        return None
    stage = ev.get("stage")
    ref = ev.get("objectRef") if isinstance(ev.get("objectRef"), dict) else {}
    sub = as_str(ref.get("subresource"))
    if stage == "RequestReceived" or (stage == "ResponseStarted" and sub not in CONNECT_SUBRESOURCES):
        stats.skipped[("k8s", f"stage {stage}")] += 1
        return None
    audit_id = as_str(ev.get("auditID"))
    if audit_id and sub in CONNECT_SUBRESOURCES:  # only connections are logged at two kept stages
        if audit_id in seen:
            stats.skipped[("k8s", "later stage of a connection already counted")] += 1
            return None
        seen[audit_id] = None
        if len(seen) > _SEEN_IDS:
            seen.popitem(last=False)
    user = ev.get("user") if isinstance(ev.get("user"), dict) else {}
    imp = ev.get("impersonatedUser") if isinstance(ev.get("impersonatedUser"), dict) else {}
    principal = as_str(imp.get("username")) or as_str(user.get("username"))
    if not principal:
        stats.problems.add(SOURCE, file, line, "record without a principal")
        return None
    t = parse_time(ev.get("stageTimestamp") or ev.get("requestReceivedTimestamp"))
    if t is None:
        stats.problems.add(SOURCE, file, line, "record without a valid time")
        return None
    verb = as_str(ev.get("verb"))
    resource = as_str(ref.get("resource"))
    ns = as_str(ref.get("namespace"))
    req = ev.get("requestObject") if isinstance(ev.get("requestObject"), dict) else None
    name = as_str(ref.get("name")) or as_str(as_dict(as_dict(req).get("metadata")).get("name"))
    if resource:
        action = f"{verb} {resource}/{sub}" if sub else f"{verb} {resource}"
        uri = f"k8s:{ns or '_cluster'}/{resource}" + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")
        resources: tuple[str, ...] = (uri,)
    else:  # a non-resource URL (/healthz, /metrics)
        action = f"{verb} {as_str(ev.get('requestURI')).split('?')[0]}"
        resources = ()
    request: dict = {}
    level = as_str(ev.get("level"))
    if verb in ("create", "update", "patch") and not sub and resource in ("pods", *_WORKLOADS, "cronjobs"):
        if req is None:
            request["logged"] = False  # Metadata level: the spec is not in the log
        elif (spec := _pod_spec(resource, req)) is not None:
            request.update(pod_risks(spec))
    elif sub == "ephemeralcontainers" and req is not None and isinstance(req.get("spec"), dict):
        request.update(pod_risks(req["spec"]))
    status = ev.get("responseStatus") if isinstance(ev.get("responseStatus"), dict) else {}
    code = status.get("code")
    outcome = (
        UNKNOWN
        if not isinstance(code, int) or isinstance(code, bool)
        else (SUCCESS if code < 400 else FAILURE)
    )
    ips = as_list(ev.get("sourceIPs"))
    stats.events["k8s"] += 1
    stats.seen(t)
    return AuditEvent(
        provider="k8s",
        time=t,
        principal=principal,
        action=action,
        resources=resources,
        source_ip=ips[0] if ips and isinstance(ips[0], str) else "",
        user_agent=as_str(ev.get("userAgent")),
        outcome=outcome,
        error_code=str(code) if outcome == FAILURE else "",
        file=file,
        line=line,
        record=i,
        event_version=version,
        raw_id=audit_id,
        service="k8s",
        session=as_str(user.get("username")) if imp else "",
        log_type=level,
        namespace=ns,
        request=request,
    )
