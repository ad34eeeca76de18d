"""Signals against the learned baseline (`audit.baseline`): the first time an asset sees a
principal, an action or a network after the learning window (AUD-001's "new"), and reads
above the volume learned for the asset and principal (AUD-003). During the learning window
they only learn."""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from operator import itemgetter

from runtime_monitor.audit.baseline import DAY, OPEN_DAYS
from runtime_monitor.audit.detections.access import ASSET_TYPE, DATA_READS
from runtime_monitor.audit.detections.base import Detector, Hit, detection
from runtime_monitor.audit.event import SUCCESS, iso

MIN_LEARNED_DAYS = 3  # fewer learned days than this is no volume baseline
VOLUME_FACTOR = 3
VOLUME_FLOOR = 20  # requests a day above the learned maximum before anything is said


@lru_cache(maxsize=1 << 14)  # per event otherwise; callers come from few addresses
def network_of(ip: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address is in; a service name (an AWS service calling
    on a principal's behalf) as it is."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _window(ctx) -> tuple[float | None, float | None]:
    start = ctx.baseline.learning_start(ctx.stats.first_time if ctx.stats else None)
    if start is None:
        return None, None
    return start, start + ctx.declared.policy.audit.learning_window_days * DAY


@detection(
    id="audit-first-seen-asset-access",
    check="AUD-001",
    title="Declared ML assets are used only by the principals, actions and networks learned for them",
    severity="medium",
    category="anomaly",
    risk="A principal, action or network an asset has never seen, after the learning window: the "
    "first sign of stolen credentials or a new, unreviewed access path.",
    remediation={"console": "Confirm the new access with its owner; the baseline keeps it from then on."},
)
class FirstSeen(Detector):
    """After the policy's learning window (``audit.learning_window_days``, counted from the
    first event the baseline store ever saw), the first successful use of an asset by a
    principal, with an action, or from a network (/24, /48) the asset had not seen."""

    DIMS = ("principal", "action", "network")

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        # (asset uid, dim, value) -> [first, last, n, file, line, asset, provider]
        self.seen: dict[tuple[str, str, str], list] = {}

    def observe(self, ev, assets) -> None:
        if ev.outcome != SUCCESS or not assets:
            return
        values = (ev.principal, ev.action, network_of(ev.source_ip) if ev.source_ip else "")
        for d, _ in assets:
            for dim, value in zip(self.DIMS, values, strict=True):
                if not value:
                    continue
                s = self.seen.get((d.uid, dim, value))
                if s is None:
                    self.seen[(d.uid, dim, value)] = [ev.time, ev.time, 1, ev.file, ev.line, d, ev.provider]
                else:
                    if ev.time < s[0]:
                        s[0], s[3], s[4] = ev.time, ev.file, ev.line
                    s[1] = max(s[1], ev.time)
                    s[2] += 1

    def hits(self):
        base = self.ctx.baseline
        start, end = _window(self.ctx)
        out = []
        if start is None:
            return out
        for (uid, dim, value), (first, _last, n, file, line, d, provider) in sorted(
            self.seen.items(), key=lambda kv: kv[0]
        ):
            if first < end or base.known(uid, dim, value):
                continue
            out.append(
                Hit(
                    self.meta.id,
                    uid,
                    ASSET_TYPE,
                    d.asset.id,
                    provider,
                    f"first {dim} {value} for {d.label} on {iso(first)}, after the learning window "
                    f"that ended {iso(end)} ({n} event(s))",
                    f"first_seen.{dim}[{value}]",
                    {
                        "dimension": dim,
                        "value": value,
                        "first_seen": iso(first),
                        "events": n,
                        "learning_window_end": iso(end),
                    },
                    file=file,
                    line=line,
                )
            )
        return out

    def commit(self) -> None:
        rows = [(uid, dim, v, s[0], s[1], s[2]) for (uid, dim, v), s in self.seen.items()]
        self.ctx.baseline.remember(rows)


@detection(
    id="audit-read-volume-above-baseline",
    check="AUD-003",
    title="Daily reads of declared models and data stay within the volume learned for each principal",
    severity="high",
    category="anomaly",
    risk="A principal reading many times more of a model or dataset than it ever did is the volume "
    "signature of exfiltration (GuardDuty's Exfiltration:S3/AnomalousBehavior).",
    remediation={
        "console": "Confirm the job behind the reads; if unknown, revoke the principal's "
        "sessions and rotate its credentials."
    },
)
class VolumeAboveBaseline(Detector):
    """Successful data reads of an asset by one principal in one UTC day, after the
    learning window, above VOLUME_FACTOR times the largest earlier day (requests, or
    bytes where the log records them) and at least VOLUME_FLOOR requests more, once
    MIN_LEARNED_DAYS earlier days are known for that asset and principal. A day's volume
    is its distinct events (by event id) across every run the store has seen, so a replay
    or a duplicate delivery is not counted twice. Metadata reads (HeadObject, listings)
    move no data and are not counted."""

    FLUSH = 20_000  # event ids buffered before they go to the store

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.where: dict[tuple[str, str, int], tuple] = {}  # -> (file, line, asset, provider)
        self.pending: list[tuple[str, int, str, int, int]] = []

    def observe(self, ev, assets) -> None:
        if ev.outcome != SUCCESS or ev.action not in DATA_READS:
            return
        day = int(ev.time // DAY)
        eid = event_key(ev)
        for d, _ in assets:
            key = (d.uid, ev.principal, day)
            if key not in self.where:
                self.where[key] = (ev.file, ev.line, d, ev.provider)
            self.pending.append((d.uid, eid, ev.principal, day, ev.bytes_out or 0))
        if len(self.pending) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            # in key order, the store's pages are visited once a batch; stable, so among
            # copies of one event the first read still wins
            self.pending.sort(key=itemgetter(0, 1))
            self.ctx.baseline.add_events(self.pending)
            self.pending = []

    def hits(self):
        self._flush()
        base = self.ctx.baseline
        start, end = _window(self.ctx)
        out = []
        if start is None:
            return out
        end_day = end / DAY
        histories: dict[tuple[str, str], dict[int, tuple[int, int]]] = {}
        for (uid, principal, day), (file, line, d, provider) in sorted(
            self.where.items(), key=lambda kv: kv[0]
        ):
            if day < end_day:
                continue
            history = histories.get((uid, principal))
            if history is None:
                history = histories[(uid, principal)] = base.days(uid, principal)
            req, nbytes = history.get(day, (0, 0))
            learned = [rb for dd, rb in history.items() if dd < day]
            if len(learned) < MIN_LEARNED_DAYS:
                continue
            max_req = max(r for r, _ in learned)
            max_bytes = max(b for _, b in learned)
            over_req = req > VOLUME_FACTOR * max_req and req >= max_req + VOLUME_FLOOR
            over_bytes = (
                max_bytes > 0 and nbytes > VOLUME_FACTOR * max_bytes and req >= max_req + VOLUME_FLOOR
            )
            if not (over_req or over_bytes):
                continue
            date = iso(day * DAY)[:10]
            out.append(
                Hit(
                    self.meta.id,
                    uid,
                    ASSET_TYPE,
                    d.asset.id,
                    provider,
                    f"{principal} read {d.label} {req} time(s) ({nbytes} bytes) on {date}; the largest "
                    f"learned day was {max_req} reads ({max_bytes} bytes)",
                    f"volume[{principal}]",
                    {
                        "principal": principal,
                        "day": date,
                        "requests": req,
                        "bytes": nbytes,
                        "learned_max_requests": max_req,
                        "learned_max_bytes": max_bytes,
                        "learned_days": len(learned),
                    },
                    file=file,
                    line=line,
                )
            )
        return out

    def commit(self) -> None:
        self._flush()
        last = self.ctx.stats.last_time if self.ctx.stats else None
        if last is not None:
            self.ctx.baseline.close_days(int(last // DAY) - OPEN_DAYS)


def event_key(ev) -> int:
    """A stable 63-bit key of an event: its id (eventID, insertId, auditID), or where it was
    read when the log gives none."""
    raw = ev.raw_id or f"{ev.file}:{ev.line}:{ev.record}"
    return int.from_bytes(hashlib.blake2b(raw.encode(), digest_size=8).digest(), "big") >> 1
