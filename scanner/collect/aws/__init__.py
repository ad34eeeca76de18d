"""Live AWS collection: accounts x regions x services on a bounded thread pool, each unit
reading through `Ctx` (declared, read-only calls; faults become ScanErrors naming the
missing permission and what went unscanned), then normalized into canonical resources.
A unit lists on its own thread and spreads per-resource calls over a shared detail pool;
one gate bounds the calls in flight to `workers` across both."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime

from scanner.model.finding import ScanError
from scanner.normalize.aws import Normalized, normalize

from .code import CodeLimits
from .collectors import ENDPOINT_SERVICE, GLOBAL, REGIONAL, s3, supporting
from .collectors import SERVICES as ALL_SERVICES
from .context import Account, Ctx, Lanes, RegionOff
from .faults import CallFailed, check_json_body
from .progress import ScanProgress
from .recorder import CallRecorder
from .session import AwsSetupError, enabled_regions, resolve_scope, service_regions

log = logging.getLogger("mlposture.aws")

__all__ = ["ALL_SERVICES", "AwsCollection", "AwsScanConfig", "AwsSetupError", "collect_aws"]


@dataclass
class AwsScanConfig:
    profile: str | None = None
    region: str | None = None  # the session's home region (default: the profile's, else us-east-1)
    regions: list[str] | None = None
    accounts: list[str] | None = None
    org_role: str | None = None
    external_id: str | None = None
    endpoint_url: str | None = None
    services: list[str] | None = None
    jobs_since: datetime | None = None
    all_buckets: bool = False
    workers: int = 16
    max_attempts: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    shard: tuple[int, int] | None = None
    inspect_code: bool = False  # download Lambda code and layers and scan them for secrets
    code_limits: CodeLimits = field(default_factory=CodeLimits)
    # a progress line (counts per service) goes here; the CLI passes a terminal status
    progress: Callable[[str], None] | None = None
    # extra botocore event handlers registered on every session (tests inject faults here)
    event_hooks: list[tuple[str, Callable]] = field(default_factory=list)


@dataclass
class AwsCollection:
    normalized: Normalized
    errors: list[ScanError]
    accounts: list[str]
    regions: dict[str, list[str]]
    notes: list[str]
    recorder: CallRecorder
    wall_s: float = 0.0

    @property
    def calls(self) -> int:
        return self.recorder.total


@dataclass
class Unit:
    account: Account
    region: str | None
    service: str
    run: Callable[[Ctx], None]
    quiet_region: bool


def _run_unit(u: Unit, options: dict, lanes: Lanes, progress: ScanProgress | None) -> Ctx:
    ctx = Ctx(
        u.account, u.region, u.service, u.quiet_region, options, lanes, progress.emitted if progress else None
    )
    try:
        u.run(ctx)
    except RegionOff:
        ctx.records.clear()  # the region is off: nothing there, nothing missed
    except CallFailed as e:
        try:
            ctx.failed(e, f"{u.service} resources not read before {e.permission} failed")
        except RegionOff:
            ctx.records.clear()
    except Exception as e:  # a collector bug: say what went unscanned, keep the rest
        from scanner.secrets import redact_string

        ctx.errors.append(
            ScanError(
                source="aws",
                reason=f"{ctx.where}: {u.service} collector failed: {redact_string(f'{type(e).__name__}: {e}')[:300]}",
                unscanned=f"{u.service} resources ({ctx.where})",
            )
        )
    return ctx


def collect_aws(cfg: AwsScanConfig) -> AwsCollection:
    started = time.perf_counter()
    recorder = CallRecorder()
    # a 2xx JSON body that does not parse fails the call (botocore would read it as empty)
    hooks = [("before-call", recorder.before_call), ("before-parse", check_json_body), *cfg.event_hooks]
    scope = resolve_scope(cfg, hooks)
    services = [s for s in (cfg.services or ALL_SERVICES)]
    unknown = sorted(set(services) - set(ALL_SERVICES))
    if unknown:
        raise AwsSetupError(f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(ALL_SERVICES)}")
    errors: list[ScanError] = list(scope.errors)
    notes: list[str] = []
    options = {
        "jobs_since": cfg.jobs_since,
        "inspect_code": cfg.inspect_code,
        "code_limits": cfg.code_limits,
        "endpoint_url": cfg.endpoint_url,
    }
    progress = ScanProgress(cfg.progress, lambda: recorder.total) if cfg.progress else None
    lanes = Lanes(cfg.workers)
    regions: dict[str, list[str]] = {}
    units: list[Unit] = []
    for acct in scope.accounts:
        regs, err = enabled_regions(acct, cfg)
        if err:
            errors.append(
                ScanError(
                    source="aws",
                    reason=f"{acct.account_id}: {err}",
                    unscanned=f"regions other than {acct.home_region} in {acct.account_id}",
                )
            )
        regions[acct.account_id] = regs
        for svc, fn in GLOBAL.items():
            if svc in services:
                units.append(Unit(acct, None, svc, fn, False))
        for svc, fn in REGIONAL.items():
            if svc not in services:
                continue
            for r in service_regions(acct, ENDPOINT_SERVICE.get(svc, svc), regs, cfg):
                quiet = r != acct.home_region and cfg.endpoint_url is None
                units.append(Unit(acct, r, svc, fn, quiet))
    out = Normalized()
    try:
        _pool(units, options, cfg, out, errors, notes, lanes, progress)
        second = _second_pass(scope, services, cfg, out, regions)
        _pool(second, options, cfg, out, errors, notes, lanes, progress)
    finally:
        lanes.close()
    return AwsCollection(
        out,
        errors,
        [a.account_id for a in scope.accounts],
        regions,
        notes,
        recorder,
        time.perf_counter() - started,
    )


def _second_pass(scope, services, cfg: AwsScanConfig, out: Normalized, regions) -> list[Unit]:
    # Second pass: what ML resources reference (buckets, security groups), per account.
    second: list[Unit] = []
    by_account: dict[str, list] = {}
    for r in out.resources:
        by_account.setdefault(r.account or "", []).append(r)
    for acct in scope.accounts:
        mine = by_account.get(acct.account_id, [])
        if "s3" in services:
            wanted = None if cfg.all_buckets else s3.referenced_buckets(mine)
            if wanted is None or wanted:
                second.append(Unit(acct, None, "s3", lambda c, w=wanted: s3.collect(c, w), False))
        if "security-groups" in services:
            for reg in regions.get(acct.account_id, []):
                ids = sorted(_sg_ids(mine, reg))
                if ids:
                    quiet = reg != acct.home_region and cfg.endpoint_url is None
                    second.append(
                        Unit(
                            acct,
                            reg,
                            "security-groups",
                            lambda c, i=ids: supporting.collect_security_groups(c, i),
                            quiet,
                        )
                    )
    return second


def _sg_ids(resources, region: str) -> set[str]:
    ids: set[str] = set()
    for r in resources:
        if r.region != region:
            continue
        for key in ("security_group_ids",):
            ids.update(x for x in r.attrs.get(key) or [] if isinstance(x, str))
        v = r.attrs.get("vpc_config")
        if isinstance(v, dict):
            ids.update(x for x in v.get("security_group_ids") or [] if isinstance(x, str))
    return ids


def _pool(
    units: list[Unit],
    options: dict,
    cfg: AwsScanConfig,
    out: Normalized,
    errors: list,
    notes: list,
    lanes: Lanes,
    progress: ScanProgress | None,
) -> None:
    if not units:
        return
    if progress:
        progress.planned(len(units))
    with ThreadPoolExecutor(max_workers=max(1, cfg.workers), thread_name_prefix="mlposture-aws") as pool:
        futures = [pool.submit(_run_unit, u, options, lanes, progress) for u in units]
        for f in as_completed(futures):
            ctx = f.result()
            norm = normalize(ctx.records)
            out.merge(norm)
            errors.extend(ctx.errors)
            errors.extend(
                ScanError(source="aws", reason=f"{ctx.where}: {e}", unscanned=e.split(":")[0])
                for e in norm.errors
            )
            notes.extend(ctx.notes)
            if progress:
                progress.unit_done()
