"""What a failed call means. Denied: the permission is named and what went unscanned is
reported. Throttled and server errors (5xx: botocore's adaptive retries cover both) and
timeouts: reported once the retries ran out, with the number of attempts. A 2xx answer whose
body does not parse (cut short, not JSON): reported as malformed, never read as an empty
answer. A region that is not enabled for the account: skipped quietly. Anything else:
reported."""

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
# Server-side failures (also any HTTP 5xx): botocore retries them, as it does throttling.
SERVER = frozenset(
    {
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceFailure",
        "ServiceException",
    }
)
# What an opt-in region that the account has not enabled answers.
REGION_OFF = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired"}
)


class MalformedAnswer(Exception):
    """A 2xx answer whose JSON body does not parse (raised by `check_json_body`)."""


class CallFailed(Exception):
    """A call that did not return; `kind` is denied | throttled | server | timeout | malformed
    | region | error. `attempts`: how many times it was sent (0 when unknown)."""

    def __init__(self, kind: str, service: str, op: str, detail: str, attempts: int = 0):
        self.kind, self.service, self.op = kind, service, op
        self.permission = iam_action(service, op)
        self.detail = redact_string(detail)[:300]
        self.attempts = attempts
        super().__init__(self.reason)

    @property
    def short(self) -> str:
        """The call and how it failed, without the detail: what an unread value says."""
        how = {
            "denied": "was denied",
            "throttled": "was throttled",
            "server": "failed with a server error",
            "timeout": "timed out",
            "malformed": "answered with a malformed body",
        }.get(self.kind, "failed")
        return f"{self.permission} {how}"

    @property
    def reason(self) -> str:
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        if self.kind == "denied":
            return f"access denied to {self.permission} (missing permission {self.permission}): {self.detail}"
        if self.kind == "throttled":
            return f"{self.permission} was throttled and retries ran out{tries}: {self.detail}"
        if self.kind == "server":
            return f"{self.permission} failed with a server error{tries}: {self.detail}"
        if self.kind == "timeout":
            return f"{self.permission} timed out: {self.detail}"
        if self.kind == "malformed":
            return f"{self.permission} answered with a malformed body: {self.detail}"
        return f"{self.permission} failed: {self.detail}"


@dataclass
class Classified:
    kind: str
    detail: str
    attempts: int = 0


def check_json_body(operation_model=None, response_dict=None, **_) -> None:
    """botocore `before-parse` handler. botocore reads a JSON body that does not parse as
    {"message": body}: a listing cut short would pass for an empty one. A 2xx answer of a
    JSON protocol must parse, or the call fails (XML bodies already fail in the parser)."""
    import json

    if operation_model is None or not response_dict:
        return
    if operation_model.metadata.get("protocol") not in ("json", "rest-json"):
        return
    if operation_model.has_streaming_output or not 200 <= response_dict.get("status_code", 0) < 300:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes | bytearray) or not body.strip():
        return
    try:
        json.loads(body)
    except ValueError as e:
        raise MalformedAnswer(
            f"HTTP {response_dict['status_code']} with a body that is not valid JSON ({e}; {len(body)} bytes)"
        ) from None


def classify(exc: BaseException, *, quiet_region: bool) -> Classified:
    """Map a botocore exception to a failure kind. `quiet_region`: this region may be one
    the account has not enabled (not the home region, no --endpoint-url)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error") or {}
        code = str(err.get("Code") or "")
        text = re.sub(r"<[^>]+>", " ", str(err.get("Message") or ""))  # a stand-in's HTML error page
        meta = exc.response.get("ResponseMetadata") or {}
        status = meta.get("HTTPStatusCode")
        msg = f"{code}: {' '.join(text.split())[:200]}".strip()
        attempts = int(meta.get("RetryAttempts") or 0) + 1
        if code in REGION_OFF and quiet_region:
            return Classified("region", msg)
        if code in DENIED or (status == 403 and code not in REGION_OFF):
            return Classified("denied", msg)
        if code in THROTTLED or status == 429:
            return Classified("throttled", msg, attempts)
        if code in SERVER or (isinstance(status, int) and status >= 500):
            return Classified("server", f"HTTP {status} {msg}".strip(), attempts)
        return Classified("error", msg or f"HTTP {status}")
    if isinstance(exc, MalformedAnswer | ResponseParserError):
        # botocore's parser quotes the body after a colon: the reason needs none of it
        return Classified("malformed", str(exc).split(". Further retries", 1)[0].split("\n", 1)[0][:200])
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return Classified("timeout", str(exc))
    if isinstance(exc, EndpointConnectionError):
        return Classified("region" if quiet_region else "error", str(exc))
    return Classified("error", f"{type(exc).__name__}: {exc}")
