"""What a failed Google API call means for the scan, and bounded retries.

- Denied: a 403 naming the missing permission. The unit it guarded is reported unscanned
  (exit 3), never counted as passing.
- ApiDisabled: the API is not enabled in the project (403 SERVICE_DISABLED /
  accessNotConfigured). Nothing of that service can exist there in a usable state, so it
  is a quieter note, not an incomplete scan.
- Transient (timeouts, 429, 5xx, a dropped connection, a 2xx body that is not JSON):
  retried with exponential backoff, then reported naming the call.
- PageFailed: a later page of a listing failed for good. What the earlier pages held is
  kept; the error says the listing is incomplete and what was not listed.
"""

from __future__ import annotations

import json
import random
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

_PERMISSION = re.compile(
    r"Permission '([\w.]+)' denied|does not have ([a-z]+\.[\w.]+) access|permission ([a-z]+\.[a-zA-Z]+\.\w+)",
)
_DISABLED_TEXT = re.compile(r"has not been used in project|it is disabled|SERVICE_DISABLED", re.IGNORECASE)
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class GcpCallError(Exception):
    """A call that failed for good. `permission` is the one the error names (or the one the
    call needs); `status` is the HTTP status or gRPC code name."""

    def __init__(self, message: str, status: str = "", permission: str = "", service: str = ""):
        super().__init__(message)
        self.status = status
        self.permission = permission
        self.service = service


class Denied(GcpCallError):
    pass


class ApiDisabled(GcpCallError):
    pass


class NotFound(GcpCallError):
    pass


class Transient(GcpCallError):
    """Retryable: raised by `classify` and retried by `with_retry`."""


class PageFailed(GcpCallError):
    """Page `page` (2 or later) of a listing failed for good after `kept` items were read
    from the pages before it: the caller keeps those, the scan names the rest."""

    def __init__(self, call: str, page: int, kept: int, cause: GcpCallError):
        why = str(cause).removeprefix(f"{call} failed: ")
        super().__init__(
            f"listing incomplete: {call} failed on page {page} after {kept} item(s) were read: {why}",
            status=cause.status,
            permission=cause.permission,
        )
        self.call, self.page, self.kept, self.cause = call, page, kept, cause


@dataclass
class RetryPolicy:
    attempts: int = 5  # first try included
    base_delay: float = 0.5  # seconds; doubled each retry, with jitter
    max_delay: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, n: int) -> float:
        d = min(self.max_delay, self.base_delay * 2**n)
        return d / 2 + random.random() * d / 2


def with_retry(
    fn: Callable[[], T], policy: RetryPolicy, classify: Callable[[Exception], Exception], call: str = ""
) -> T:
    """Run `fn`; turn its failures into our errors; retry the transient ones. `call` names
    the call in the error that a failure ends with (denials name their permission)."""
    named = f"{call} failed: " if call else ""
    last: Exception | None = None
    for n in range(max(1, policy.attempts)):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001: classified below, re-raised if unknown
            err = classify(e)
            if err is e and not isinstance(e, GcpCallError):
                raise
            if type(err) is GcpCallError and named:
                err = GcpCallError(f"{named}{err}", status=err.status, permission=err.permission)
            if not isinstance(err, Transient):
                raise err from e
            last = err
            if n + 1 < policy.attempts:
                policy.sleep(policy.delay(n))
    assert last is not None
    raise GcpCallError(
        f"{named}gave up after {policy.attempts} attempts: {last}", status=last.status
    ) from last


def _error_body(content: Any) -> dict:
    try:
        body = json.loads(content.decode("utf-8", "replace") if isinstance(content, bytes) else content)
    except (ValueError, TypeError, AttributeError):
        return {}
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else {}


def _reasons(err: dict) -> tuple[set[str], dict]:
    reasons: set[str] = set()
    meta: dict = {}
    for d in err.get("details") or []:
        if isinstance(d, dict) and d.get("reason"):
            reasons.add(str(d["reason"]))
            meta.update(d.get("metadata") or {})
    for e in err.get("errors") or []:
        if isinstance(e, dict) and e.get("reason"):
            reasons.add(str(e["reason"]))
    return reasons, meta


def permission_in(message: str) -> str:
    m = _PERMISSION.search(message or "")
    return next((g for g in m.groups() if g), "") if m else ""


def classify_http(e: Exception, needed: str = "") -> Exception:
    """googleapiclient / httplib2 failures -> our errors. `needed` is the permission the
    call is declared to need, named when the error body does not say."""
    import http.client

    import httplib2
    from googleapiclient.errors import HttpError

    if isinstance(e, TimeoutError | socket.timeout | ConnectionError):
        return Transient(f"network error: {type(e).__name__}: {e}", status="timeout")
    if isinstance(e, http.client.HTTPException | httplib2.HttpLib2Error):  # a body cut short, a bad answer
        return Transient(f"network error: {type(e).__name__}: {str(e)[:200]}", status="network")
    if isinstance(e, ValueError):  # a 2xx answer whose body is not JSON (googleapiclient's model)
        return Transient(f"malformed answer, not valid JSON: {str(e)[:200]}", status="malformed")
    if not isinstance(e, HttpError):
        return e
    status = int(e.resp.status)
    err = _error_body(e.content)
    message = str(err.get("message") or e.reason or "")[:500]
    reasons, meta = _reasons(err)
    if status in _RETRY_STATUS or "rateLimitExceeded" in reasons or "RATE_LIMIT_EXCEEDED" in reasons:
        return Transient(f"HTTP {status}: {message}", status=str(status))
    if status == 403 and (
        reasons & {"SERVICE_DISABLED", "accessNotConfigured"} or _DISABLED_TEXT.search(message)
    ):
        return ApiDisabled(message, status="403", service=str(meta.get("service") or ""))
    if status in (401, 403):
        perm = str(meta.get("permission") or "") or permission_in(message) or needed
        return Denied(message, status=str(status), permission=perm)
    if status == 404:
        return NotFound(message, status="404")
    return GcpCallError(f"HTTP {status}: {message}", status=str(status))


def classify_grpc(e: Exception, needed: str = "") -> Exception:
    """google.api_core exceptions from the gRPC IAM admin client -> our errors."""
    from google.api_core import exceptions as gx

    if isinstance(
        e, gx.TooManyRequests | gx.ServiceUnavailable | gx.DeadlineExceeded | gx.InternalServerError
    ):
        return Transient(f"{type(e).__name__}: {e.message}", status=type(e).__name__)
    if isinstance(e, gx.ResourceExhausted):
        return Transient(f"quota: {e.message}", status="RESOURCE_EXHAUSTED")
    if isinstance(e, gx.PermissionDenied | gx.Unauthenticated):
        message = str(e.message or "")[:500]
        if getattr(e, "reason", None) == "SERVICE_DISABLED" or _DISABLED_TEXT.search(message):
            return ApiDisabled(message, status="PERMISSION_DENIED", service="iam.googleapis.com")
        meta = getattr(e, "metadata", None) or {}
        perm = str(meta.get("permission") or "") or permission_in(message) or needed
        return Denied(message, status="PERMISSION_DENIED", permission=perm)
    if isinstance(e, gx.NotFound):
        return NotFound(str(e.message), status="NOT_FOUND")
    if isinstance(e, gx.GoogleAPICallError):
        return GcpCallError(f"{type(e).__name__}: {e.message}", status=type(e).__name__)
    return e
