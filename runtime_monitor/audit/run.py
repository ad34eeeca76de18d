"""The joiner: readers -> the events that matter to the policy -> detections -> a
ScanResult, with declared (the policy), granted (an inventory) and observed (the logs)
access side by side.

Files are read in parallel (worker processes over batches of files) when there are
several: reading and parsing is the cost, and each worker keeps only the events that
touch a declared asset, a tenant namespace or a watched action (the CloudTrail reader does
not even build the others), so what crosses processes is small. Detections run in the
parent, on events in file order, as with one process: ties in time resolve the same way."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from operator import attrgetter

from runtime_monitor.audit.baseline import Baseline
from runtime_monitor.audit.declared import Declared, prefix_key
from runtime_monitor.audit.detections import DETECTIONS, Context
from runtime_monitor.audit.detections.access import NOTEBOOK_ACCESS
from runtime_monitor.audit.detections.base import Detector
from runtime_monitor.audit.event import AuditEvent
from runtime_monitor.audit.findings import to_finding
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.readers import read
from runtime_monitor.audit.sources import Input, inputs
from runtime_monitor.policy import RuntimePolicy
from scanner.model.finding import SEVERITY_RANK, ScanError, ScanResult

DIALECT = {"aws": "cloudtrail", "gcp": "gcp-audit", "k8s": "k8s-audit"}


@dataclass
class AuditOptions:
    cloudtrail: list[str] = field(default_factory=list)
    gcp: list[str] = field(default_factory=list)
    k8s: list[str] = field(default_factory=list)
    since: float | None = None  # epoch seconds: older events are not read
    inventory: object = None  # scanner.model.inventory.Inventory
    baseline_path: str | None = None  # None: learn within this run only (a scratch file)
    workers: int = 1
    k8s_cluster: str | None = None  # names Kubernetes subjects like the live scan (k8s:<cluster>/...)

    def specs(self) -> list[tuple[str, str]]:
        return (
            [("aws", s) for s in self.cloudtrail]
            + [("gcp", s) for s in self.gcp]
            + [("k8s", s) for s in self.k8s]
        )


Relevant = tuple[AuditEvent, list[tuple[int, str]]]  # the event, (asset index, location) pairs


def _watched(declared: Declared) -> frozenset[str]:
    return NOTEBOOK_ACCESS | frozenset(declared.policy.audit.watched_events)


def _is_watched(action: str, watched: frozenset[str]) -> bool:
    return (
        action in watched
        or action.rpartition(":")[2] in watched  # policies may write bare event names
        or action.partition(" ")[2] in watched  # or K8s resources (pods/exec)
    )


def wanted(declared: Declared):
    """The readers' prefilter (`cloudtrail.Want`): a watched action, or a resource in an
    index bucket of a declared location. A superset of what `relevant_events` keeps, so
    only records that may matter become events."""
    keys = frozenset(declared.index_keys())
    watched = _watched(declared)

    def want(action: str, resources: list[str]) -> bool:
        return _is_watched(action, watched) or any(prefix_key(r) in keys for r in resources)

    return want


def relevant_events(
    events: Iterable[AuditEvent], declared: Declared, since: float | None
) -> Iterator[Relevant]:
    index = {id(d): i for i, d in enumerate(declared.assets)}
    tenant_ns = {ns for t in declared.policy.tenants for ns in t.namespaces}
    watched = _watched(declared)
    for ev in events:
        if since is not None and ev.time < since:
            continue
        hits = declared.event_assets(ev) if ev.resources else []
        if hits or (ev.provider == "k8s" and ev.namespace in tenant_ns) or _is_watched(ev.action, watched):
            yield ev, [(index[id(d)], loc) for d, loc in hits]


# -- worker side ------------------------------------------------------------------------
# A worker reads a batch of files and returns only the relevant events, as flat tuples
# with repeated strings shared (pickle then writes each once), and its read counts.
_WORKER: dict = {}
_FIELDS = tuple(f.name for f in fields(AuditEvent))
_as_tuple = attrgetter(*_FIELDS)
_SHARED = ("principal", "action", "source_ip", "user_agent", "service", "event_version", "log_type")
_SHARED_AT = tuple(_FIELDS.index(f) for f in _SHARED)
BATCH_FILES = 4  # files a message: enough to amortise a round trip, few enough to keep order cheap
QUEUE_BATCHES = 8  # batches a worker may run ahead of the parent


def _init_worker(policy: RuntimePolicy, since: float | None) -> None:
    declared = Declared(policy)
    _WORKER.update(declared=declared, since=since, want=wanted(declared))


def _read_batch(jobs: list[tuple[str, str | Input]]) -> tuple[list[tuple[tuple, list]], ReadStats]:
    stats = ReadStats()
    out = []
    strings: dict[str, str] = {}
    w = _WORKER
    for provider, src in jobs:
        events = read(provider, inputs(src) if isinstance(src, str) else [src], stats, w["want"])
        for ev, hits in relevant_events(events, w["declared"], w["since"]):
            t = list(_as_tuple(ev))
            for i in _SHARED_AT:
                t[i] = strings.setdefault(t[i], t[i])
            out.append((tuple(t), hits))
    return out, stats


# -- parent side ------------------------------------------------------------------------
def expand(specs: list[tuple[str, str]], errors: list[ScanError]) -> list[tuple[str, Input]]:
    """Every file of every input; a listing that fails (no bucket, access denied) is a
    scan error naming what was not read, and the rest goes on."""
    out = []
    for provider, spec in specs:
        try:
            out.extend((provider, inp) for inp in inputs(spec))
        except Exception as e:  # botocore ClientError, NoCredentialsError, OSError
            from scanner.secrets import redact_string

            msg = redact_string(f"{type(e).__name__}: {e}")[:300]
            errors.append(ScanError(DIALECT[provider], f"cannot list {spec}: {msg}", spec, unscanned=spec))
    return out


def stream_relevant(
    files: list[tuple[str, Input]], declared: Declared, opts: AuditOptions, stats: ReadStats
) -> Iterator[Relevant]:
    workers = max(1, min(opts.workers, len(files)))
    if workers == 1:
        want = wanted(declared)
        for provider, inp in files:
            yield from relevant_events(read(provider, [inp], stats, want), declared, opts.since)
        return
    import multiprocessing as mp

    # Forked workers inherit the inputs themselves (a --follow tail reads only what was
    # appended); S3 objects go by name, so each worker opens them with its own client.
    jobs = [(provider, inp.name if inp.name.startswith("s3://") else inp) for provider, inp in files]
    batches = [jobs[i : i + BATCH_FILES] for i in range(0, len(jobs), BATCH_FILES)]
    # Each worker takes every workers-th batch and streams its results down its own bounded
    # queue; the parent takes them round-robin, so detections see file order. No scheduler
    # thread in the parent that a busy machine can starve, and the parent holds at most
    # QUEUE_BATCHES batches a worker whatever the input.
    ctx = mp.get_context("fork")
    queues = [ctx.Queue(QUEUE_BATCHES) for _ in range(workers)]
    procs = [
        ctx.Process(
            target=_worker_main,
            args=(declared.policy, opts.since, batches[k::workers], queues[k]),
            daemon=True,
        )
        for k in range(workers)
    ]
    for p in procs:
        p.start()
    try:
        for i in range(len(batches)):
            events, st = _receive(queues[i % workers], procs[i % workers])
            stats.merge(st)
            for t, hits in events:
                yield AuditEvent(*t), hits
        for p in procs:
            p.join()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join()


def _worker_main(policy: RuntimePolicy, since: float | None, batches: list, q) -> None:
    _init_worker(policy, since)
    try:
        for batch in batches:
            q.put((None, _read_batch(batch)))
    except BaseException:  # the parent raises it; a traceback always pickles
        import traceback

        q.put((traceback.format_exc(limit=8), None))


def _receive(q, proc):
    import queue

    while True:
        try:
            error, result = q.get(timeout=1.0)
            break
        except queue.Empty:
            if not proc.is_alive() and q.empty():
                why = f"audit reader process exited ({proc.exitcode}) before its files were read"
                raise RuntimeError(why) from None
    if error is not None:
        raise RuntimeError(f"audit reader process failed:\n{error}")
    return result


class AuditRun:
    """One run: feed it batches of files, ask for the findings so far (`snapshot`, which
    writes nothing to the baseline store but the event ids of data reads, stored once
    each), and `close` it to commit what was learned."""

    def __init__(self, policy: RuntimePolicy, opts: AuditOptions) -> None:
        self.started = _now()
        self.opts = opts
        self.declared = Declared(policy)
        self.errors: list[ScanError] = []
        self.stats = ReadStats()
        self.baseline = Baseline(opts.baseline_path) if opts.baseline_path else Baseline.scratch()
        granted = None
        if opts.inventory is not None:
            from runtime_monitor.audit.granted import Granted

            granted = Granted(opts.inventory, self.declared)
        self.ctx = Context(
            declared=self.declared,
            providers={p for p, _ in opts.specs()},
            granted=granted,
            baseline=self.baseline,
            stats=self.stats,
            inventory=opts.inventory,
            cluster=opts.k8s_cluster or _policy_cluster(policy),
        )
        self.detectors = [d.factory(self.ctx) for d in DETECTIONS]
        self._observers = [d.observe for d in self.detectors if type(d).observe is not Detector.observe]
        self.relevant = 0

    def feed(self, files: list[tuple[str, Input]]) -> int:
        """Read `files`; returns how many relevant events they held."""
        before = self.relevant
        for ev, hits in stream_relevant(files, self.declared, self.opts, self.stats):
            self.relevant += 1
            assets = [(self.declared.assets[i], loc) for i, loc in hits]
            _observe_coverage(self.ctx, ev, assets)
            for observe in self._observers:
                observe(ev, assets)
        return self.relevant - before

    def snapshot(self) -> ScanResult:
        return self._result([h for det in self.detectors for h in det.hits()])

    def close(self) -> ScanResult:
        try:
            hits = [h for det in self.detectors for h in det.hits()]
            for det in self.detectors:
                det.commit()
            if self.stats.last_time is not None:
                self.baseline.set_last_event(self.stats.last_time)
        finally:
            self.baseline.close()
        return self._result(hits)

    def abort(self) -> None:
        self.baseline.close()

    def _result(self, hits) -> ScanResult:
        metas = {d.meta.id: d.meta for d in DETECTIONS}
        findings = [to_finding(h, metas[h.rule_id]) for h in hits]
        findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule_id, f.resource.uid, f.evidence.path))
        errors = self.errors + self.stats.problems.scan_errors()
        stats, declared = self.stats, self.declared
        sources = [
            {
                "dialect": DIALECT[p],
                "files": stats.files[p],
                "records": stats.records[p],
                "events": stats.events[p],
                "skipped": {why: n for (pp, why), n in sorted(stats.skipped.items()) if pp == p},
                "problems": sum(n for (src, _), n in stats.problems.counts.items() if src == DIALECT[p]),
            }
            for p in ("aws", "gcp", "k8s")
            if p in self.ctx.providers
        ]
        sources.append(
            {"dialect": "audit-relevant-events", "events": self.relevant, "assets": len(declared.assets)}
        )
        failing = {(f.rule_id, f.resource.uid) for f in findings}
        checks = len(DETECTIONS) * max(len(declared.assets), 1)
        from scanner import __version__

        return ScanResult(
            scan_id=str(uuid.uuid4()),
            started_at=self.started,
            finished_at=_now(),
            targets=[spec for _, spec in self.opts.specs()],
            findings=findings,
            errors=errors,
            sources=sources,
            resources=len(declared.assets),
            rules_evaluated=len(DETECTIONS),
            checks=checks,
            passed=max(checks - len(failing), 0),
            rules={d.meta.id: d.meta.to_json() for d in DETECTIONS},
            tool_version=__version__,
            root="",
        )


def _policy_cluster(policy: RuntimePolicy) -> str | None:
    src = policy.audit.sources.get("k8s")
    return getattr(src, "cluster", None) if src is not None else None


def run_audit(policy: RuntimePolicy, opts: AuditOptions) -> ScanResult:
    """Read every input once and report."""
    run = AuditRun(policy, opts)
    try:
        run.feed(expand(opts.specs(), run.errors))
    except BaseException:
        run.abort()
        raise
    return run.close()


def _observe_coverage(ctx: Context, ev: AuditEvent, assets) -> None:
    for d, loc in assets:
        ctx.observed.setdefault((d.uid, loc), set()).add(ev.log_type)
    if ev.request.get("logged") is False and ctx.declared.tenant_of_namespace(ev.namespace) is not None:
        n, file, line = ctx.unlogged_pod_specs.get(ev.namespace, (0, ev.file, ev.line))
        ctx.unlogged_pod_specs[ev.namespace] = (n + 1, file, line)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
