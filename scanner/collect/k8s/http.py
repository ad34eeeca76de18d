"""Read-only raw JSON GETs through the kubernetes client, with bounded retries.

The client's generated models are strict (an unknown enum value or a CRD field breaks
deserialization), so every call fetches raw JSON, which is also the shape of a manifest.
There is no method parameter: this module can only GET.

Retried: 429 and 503 (honouring Retry-After, capped), other 5xx, timeouts, dropped
connections and a 2xx answer whose body is not a JSON object (cut short in transit).
Everything else, and a retry budget used up, raises `ApiError` with the HTTP status (0 for
a transport failure) so the caller can say what went unscanned.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiError(Exception):
    def __init__(self, status: int, reason: str, path: str):
        super().__init__(f"{status} {reason}" if status else reason)
        self.status = status
        self.reason = reason
        self.path = path


@dataclass
class Call:
    """One HTTP request the scan made (the call recorder's entry)."""

    path: str
    status: int  # 0: no HTTP answer (timeout, connection refused)
    attempt: int


@dataclass
class RetryPolicy:
    attempts: int = 4  # tries per request, the first included
    max_wait: float = 10.0  # cap on one wait, Retry-After included
    backoff: float = 0.5  # first wait when the server names none; doubles
    timeout: tuple[float, float] = (5.0, 30.0)  # (connect, read) seconds


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from the API server; fall back to backoff


def _status_reason(body: bytes) -> str:
    """The API server's Status message, trimmed; never the whole body."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    msg = doc.get("message") if isinstance(doc, dict) else None
    return str(msg)[:300] if msg else ""


@dataclass
class RawApi:
    """GET JSON from one cluster. `client` is a kubernetes.client.ApiClient built with
    urllib3 retries off (kubeconfig.ClusterTarget.client), so this policy is the only one."""

    client: object
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    calls: list[Call] = field(default_factory=list)

    def get(self, path: str, query: list[tuple[str, str]] | None = None) -> dict:
        import urllib3
        from kubernetes.client.exceptions import ApiException

        method, url, headers, _, _ = self.client.param_serialize(
            "GET",
            path,
            query_params=query or [],
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        wait = self.policy.backoff
        for attempt in range(1, self.policy.attempts + 1):
            last = attempt == self.policy.attempts
            try:
                resp = self.client.call_api(
                    method, url, header_params=headers, _request_timeout=self.policy.timeout
                )
                body = resp.read()
            except (urllib3.exceptions.HTTPError, ApiException, OSError) as e:
                self.calls.append(Call(path, 0, attempt))
                reason = _transport_reason(e)
                if last:
                    raise ApiError(0, f"{reason} (after {attempt} attempts)", path) from None
                self.sleep(wait)
                wait = min(wait * 2, self.policy.max_wait)
                continue
            self.calls.append(Call(path, resp.status, attempt))
            if 200 <= resp.status < 300:
                try:
                    doc = json.loads(body)
                except ValueError:  # UnicodeDecodeError included
                    doc = None
                if isinstance(doc, dict):
                    return doc
                what = "not JSON" if doc is None else "not a JSON object"
                reason = f"the answer is {what} (malformed or cut short, {len(body)} bytes)"
                if last:
                    raise ApiError(resp.status, f"{reason} (after {attempt} attempts)", path)
                self.sleep(wait)
                wait = min(wait * 2, self.policy.max_wait)
                continue
            reason = _status_reason(body) or (resp.reason or "")
            if resp.status not in RETRY_STATUSES or last:
                if resp.status in RETRY_STATUSES:
                    reason = f"{reason} (after {attempt} attempts)".strip()
                raise ApiError(resp.status, reason, path)
            named = _retry_after(resp.getheader("Retry-After"))
            self.sleep(min(named if named is not None else wait, self.policy.max_wait))
            wait = min(wait * 2, self.policy.max_wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _transport_reason(e: Exception) -> str:
    import urllib3

    if isinstance(e, urllib3.exceptions.TimeoutError):
        return "timed out"
    if isinstance(e, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable"
    text = getattr(e, "reason", None) or str(e)
    return f"{type(e).__name__}: {str(text)[:200]}"
