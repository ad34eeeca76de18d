"""`Ctx`: what one unit of work (an account x region x service) uses to call AWS. Every
call goes through `call`/`pages`, which check it is declared, turn botocore failures into
`CallFailed`, and treat a documented "not found" answer as "nothing there". `map` spreads a
unit's per-resource Describe/Get calls over the shared detail pool; `Lanes.gate` bounds the
calls in flight across every unit and detail task together."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from scanner.model.finding import ScanError
from scanner.normalize.aws import Raw, Unread

from .calls import is_declared
from .faults import CallFailed, MalformedAnswer, classify

log = logging.getLogger("mlposture.aws")


# A body that does not parse (cut short in transit) is sent for again: botocore parses the
# body after its own retry loop, so it never retries one itself.
MALFORMED_ATTEMPTS = 3


def _malformed(e: BaseException) -> bool:
    from botocore.parsers import ResponseParserError

    return isinstance(e, MalformedAnswer | ResponseParserError)


def _pause(attempt: int) -> None:
    import time

    time.sleep(0.1 * attempt)


@functools.cache
def failures() -> tuple[type[BaseException], ...]:
    """What a call can raise that is the service's (or the wire's) doing, not a bug here
    (botocore is imported on first use, as everywhere in the collectors)."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    return (ClientError, BotoCoreError, ResponseParserError, MalformedAnswer)


@dataclass
class Account:
    """One account's credentials: a boto3 Session (the caller's, or an assumed role's)."""

    account_id: str
    session: Any
    home_region: str
    endpoint_url: str | None
    config: Any  # botocore Config
    _clients: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str, region: str | None):
        key = (service, region or self.home_region)
        c = self._clients.get(key)
        if c is not None:
            return c
        with self._lock:  # boto3 sessions are not thread-safe; clients are
            c = self._clients.get(key)
            if c is None:
                c = self.session.client(
                    service, region_name=key[1], endpoint_url=self.endpoint_url, config=self.config
                )
                self._clients[key] = c
            return c


class Lanes:
    """The scan's concurrency: a detail pool for per-resource calls and a gate that bounds
    the calls in flight (list calls of units and detail calls together) to `workers`."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.gate = threading.BoundedSemaphore(self.workers)
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="mlposture-aws-detail")
        self.local = threading.local()  # .in_detail: this thread runs a detail task

    def close(self) -> None:
        self.pool.shutdown(wait=True)


class _Buffers:
    """What one detail task emitted, kept apart so the unit adds it in input order."""

    def __init__(self) -> None:
        self.records: list[Raw] = []
        self.errors: list[ScanError] = []
        self.notes: list[str] = []


class Ctx:
    def __init__(
        self,
        account: Account,
        region: str | None,
        service: str,
        quiet_region: bool,
        options: dict | None = None,
        lanes: Lanes | None = None,
        on_emit: Callable[[str, str], None] | None = None,
    ):
        self.account = account
        self.options = options or {}
        self.region = region  # None for global services (IAM, S3 listing)
        self.service = service
        self.quiet_region = quiet_region
        self.lanes = lanes
        self.on_emit = on_emit  # progress: (service, record kind)
        self._own = _Buffers()
        self._task = threading.local()  # .buf: the buffers of the detail task on this thread

    # Inside a detail task, what the task emits goes to its own buffers.
    def _buf(self) -> _Buffers:
        return getattr(self._task, "buf", None) or self._own

    @property
    def records(self) -> list[Raw]:
        return self._buf().records

    @property
    def errors(self) -> list[ScanError]:
        return self._buf().errors

    @property
    def notes(self) -> list[str]:
        return self._buf().notes

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def where(self) -> str:
        return f"{self.account_id}/{self.region}" if self.region else self.account_id

    # -- calls ----------------------------------------------------------------
    def call(
        self, service: str, op: str, *, missing: tuple[str, ...] = (), region: str | None = None, **params
    ) -> dict | None:
        """One call; None when the answer is one of the `missing` error codes."""
        from botocore import xform_name
        from botocore.exceptions import ClientError

        if not is_declared(service, op):
            raise AssertionError(f"{service}:{op} is not declared in scanner.collect.aws.calls")
        client = self.account.client(service, region or self.region)
        for attempt in range(1, MALFORMED_ATTEMPTS + 1):
            try:
                with self.gate():
                    return getattr(client, xform_name(op))(**params)
            except ClientError as e:
                if (e.response.get("Error") or {}).get("Code") in missing:
                    return None
                raise self._failed(e, service, op) from None
            except failures() as e:
                if _malformed(e) and attempt < MALFORMED_ATTEMPTS:
                    _pause(attempt)
                    continue
                raise self._failed(e, service, op, attempt) from None
        raise AssertionError("unreachable")

    def _failed(self, e: BaseException, service: str, op: str, attempts: int = 0) -> CallFailed:
        c = classify(e, quiet_region=self.quiet_region)
        return CallFailed(c.kind, service, op, c.detail, max(c.attempts, attempts))

    def pages(
        self, service: str, op: str, key: str, *, region: str | None = None, what: str = "", **params
    ) -> Iterator[Any]:
        """Items under `key` across every page (botocore's paginator where it has one). A
        failure on the first page raises CallFailed; one on a later page ends the listing
        there: the items already read are kept (the caller goes on with them) and an error
        says the listing is incomplete, naming the call and `what` (the kind it lists) after
        the items read."""
        from botocore import xform_name

        client = self.account.client(service, region or self.region)
        if not client.can_paginate(xform_name(op)):
            yield from (self.call(service, op, region=region, **params) or {}).get(key) or []
            return
        if not is_declared(service, op):
            raise AssertionError(f"{service}:{op} is not declared in scanner.collect.aws.calls")
        pages = iter(client.get_paginator(xform_name(op)).paginate(**params))
        read = items = 0
        attempt = 1
        while True:
            try:
                with self.gate():
                    page = next(pages)
            except StopIteration:
                return
            except failures() as e:
                if read == 0 and _malformed(e) and attempt < MALFORMED_ATTEMPTS:
                    # the first page again (a paginator cannot resume after a failed page)
                    _pause(attempt)
                    attempt += 1
                    pages = iter(client.get_paginator(xform_name(op)).paginate(**params))
                    continue
                failed = self._failed(e, service, op, attempt if read == 0 else 0)
                if read == 0 or failed.kind == "region":
                    raise failed from None
                self.truncated(failed, read, items, what)
                return
            read += 1
            got = page.get(key) or []
            items += len(got)
            yield from got

    def truncated(self, e: CallFailed, pages: int, items: int, what: str) -> None:
        """A listing that stopped after `pages` pages: what they held is kept, the rest named."""
        what = what or "items"
        self.errors.append(
            ScanError(
                source="aws",
                reason=(
                    f"{self.where}: listing incomplete: {e.reason} (on page {pages + 1}; "
                    f"the {items} item(s) of the first {pages} page(s) were kept)"
                ),
                unscanned=f"{what} after the first {items} listed by {e.permission} ({self.where})",
            )
        )

    def gate(self):
        import contextlib

        return self.lanes.gate if self.lanes else contextlib.nullcontext()

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """`fn` over `items` on the detail pool; results in input order, and what each task
        emitted added in input order too, so a scan's output does not depend on timing. A
        detail task that maps again runs inline (the pool never waits on itself)."""
        items = list(items)
        lanes = self.lanes
        if lanes is None or len(items) < 2 or getattr(lanes.local, "in_detail", False):
            return [fn(x) for x in items]

        def task(x):
            lanes.local.in_detail = True
            self._task.buf = buf = _Buffers()
            try:
                return fn(x), buf, None
            except BaseException as e:  # RegionOff, a collector bug: raised in the unit below
                return None, buf, e
            finally:
                self._task.buf = None
                lanes.local.in_detail = False

        done = [f.result() for f in [lanes.pool.submit(task, x) for x in items]]
        for _, buf, _ in done:  # every task's output is kept, even when one of them raised
            self.records.extend(buf.records)
            self.errors.extend(buf.errors)
            self.notes.extend(buf.notes)
        failed = next((e for _, _, e in done if e is not None), None)
        if failed is not None:
            raise failed
        return [r for r, _, _ in done]

    def all(self, service: str, op: str, key: str, **params) -> list:
        return list(self.pages(service, op, key, **params))

    def attempt(self, unscanned: str, fn: Callable, *args, **kwargs) -> Any:
        """Run a part of the collection; on a failed call, record what went unscanned and go on."""
        try:
            return fn(*args, **kwargs)
        except CallFailed as e:
            self.failed(e, unscanned)
            return None

    def read(self, unscanned: str, fn: Callable, *args, **kwargs) -> Any:
        """`attempt` for a detail whose absence means something (no policy, no keys): on a
        failed call, an `Unread` marker instead of None, so it is never taken for "none"."""
        try:
            return fn(*args, **kwargs)
        except CallFailed as e:
            self.failed(e, unscanned)
            return Unread(e.short)

    def failed(self, e: CallFailed, unscanned: str) -> None:
        if e.kind == "region":
            self.notes.append(f"{self.where}: {e.service} skipped, region not enabled ({e.detail})")
            log.debug("region skipped: %s %s: %s", self.where, e.service, e.detail)
            raise RegionOff(e)
        self.errors.append(
            ScanError(
                source="aws", reason=f"{self.where}: {e.reason}", unscanned=f"{unscanned} ({self.where})"
            )
        )

    # -- results --------------------------------------------------------------
    def emit(self, kind: str, data: dict, **extra) -> None:
        self.records.append(Raw(kind, self.account_id, self.region, data, extra=extra))
        if self.on_emit:
            self.on_emit(self.service, kind)


class RegionOff(Exception):
    """The region is not enabled for the account: the whole unit is skipped quietly."""
