"""What a failed call means. Denied: the permission is named and what went unscanned is
reported. Throttled (after botocore's adaptive retries) and timed out: reported. A region
that is not enabled for the account: skipped quietly. Anything else: reported."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.secrets import redact_string

from .calls import iam_action

DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedAccess",
        "Forbidden",
    }
)
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)
# What an opt-in region that the account has not enabled answers.
REGION_OFF = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
)


class CallFailed(Exception):
    """A call that did not return; `kind` is denied | throttled | timeout | region | error."""

    def __init__(self, kind: str, service: str, op: str, detail: str):
        self.kind, self.service, self.op = kind, service, op
        self.permission = iam_action(service, op)
        self.detail = redact_string(detail)[:300]
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        if self.kind == "denied":
            return f"access denied to {self.permission} (missing permission {self.permission}): {self.detail}"
        if self.kind == "throttled":
            return f"{self.permission} was throttled and retries ran out: {self.detail}"
        if self.kind == "timeout":
            return f"{self.permission} timed out: {self.detail}"
        return f"{self.permission} failed: {self.detail}"


@dataclass
class Classified:
    kind: str
    detail: str


def classify(exc: BaseException, *, quiet_region: bool) -> Classified:
    """Map a botocore exception to a failure kind. `quiet_region`: this region may be one
    the account has not enabled (not the home region, no --endpoint-url)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, ClientError):
        err = exc.response.get("Error") or {}
        code = str(err.get("Code") or "")
        text = re.sub(r"<[^>]+>", " ", str(err.get("Message") or ""))  # a stand-in's HTML error page
        msg = f"{code}: {' '.join(text.split())[:200]}".strip()
        status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        if code in REGION_OFF and quiet_region:
            return Classified("region", msg)
        if code in DENIED or (status == 403 and code not in REGION_OFF):
            return Classified("denied", msg)
        if code in THROTTLED or status == 429:
            return Classified("throttled", msg)
        return Classified("error", msg or f"HTTP {status}")
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return Classified("timeout", str(exc))
    if isinstance(exc, EndpointConnectionError):
        return Classified("region" if quiet_region else "error", str(exc))
    return Classified("error", f"{type(exc).__name__}: {exc}")
