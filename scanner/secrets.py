"""Secret detection for configuration that workloads carry.

Normalizers call `scrub_mapping` / `scrub_text` on env vars, hyperparameters, scripts,
ConfigMap data and parameter defaults. A detected value is replaced in place by
``[REDACTED:<kind>]`` and described by a `Detection` (where, what kind, a short salted-free
fingerprint of the value so the same secret can be recognised across resources). The raw
value never leaves this module, so nothing downstream (inventory, findings, reports) can
print it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets as _random
from dataclasses import dataclass

# Well-known token formats. Order matters: the first match names the kind.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
            r"[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)"
        ),
    ),
    ("aws-access-key-id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("anthropic-api-key", re.compile(r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{20,}")),
    (
        "openai-api-key",
        re.compile(
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}"
            r"|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}"
            r"|\bsk-[A-Za-z0-9]{48}\b"
        ),
    ),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    (
        "github-token",
        re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{60,}\b"),
    ),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    (
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"),
    ),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("stripe-key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{20,}\b")),
    ("wandb-api-key", re.compile(r"(?i)\bwandb[_-]?api[_-]?key\s*[=:]\s*['\"]?[0-9a-f]{40}\b")),
    (
        "database-url-password",
        re.compile(
            r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver)"
            r"://[^:/?#\s@]+:([^@/?#\s]{3,})@[^\s'\"]+"
        ),
    ),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}")),
]

# AWS secret access keys have no prefix: only with a telling name nearby.
_AWS_SECRET = re.compile(r"(?i)aws.{0,20}?secret.{0,20}?['\"=:\s]([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])")

_KEYLIKE_NAME = re.compile(
    r"(?i)(?:^|[_\-.])(?:pass(?:word|wd)?|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|"
    r"private[_\-]?key|credentials?|auth|client[_\-]?secret|signing[_\-]?key|session[_\-]?key)(?:$|[_\-.])"
    r"|(?:password|secret|token|apikey|api_key)$"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:\$\{.*\}|\$\(.*\)|\{\{.*\}\}|<.*>|%\(.*\)s|changeme|change-me|example|dummy|test|none|null|"
    r"true|false|xxx+|\*+|redacted|\[REDACTED:[a-z\-]+\]|arn:aws:(?:secretsmanager|ssm|kms):.*|"
    r"projects/[^/]+/secrets/.*|/[\w/.\-]+)$"
)

REDACTED = "[REDACTED:{kind}]"
MIN_ENTROPY_VALUE_LEN = 12
ENTROPY_THRESHOLD = 3.3


@dataclass(frozen=True, slots=True)
class Detection:
    path: str  # attribute path, e.g. environment.HF_TOKEN or on_start
    kind: str
    fingerprint: str  # keyed hash of the value: identifies within a scan, reveals nothing
    line: int | None = None

    def to_json(self) -> dict:
        d = {"path": self.path, "kind": self.kind, "fingerprint": self.fingerprint}
        if self.line is not None:
            d["line"] = self.line
        return d


# Keyed per process: a fingerprint tells two detections of one value apart from two
# different values within a scan, but cannot be brute-forced back to a short password.
_FP_KEY = _random.token_bytes(32)


def _fp(value: str) -> str:
    return "hmac:" + hmac.new(_FP_KEY, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:12]


def shannon_entropy(s: str) -> float:
    if not s:
        return 0.0
    counts: dict[str, int] = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _looks_random(value: str) -> bool:
    v = value.strip()
    if len(v) < MIN_ENTROPY_VALUE_LEN or " " in v or _PLACEHOLDER.match(v):
        return False
    classes = sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2 and shannon_entropy(v) >= ENTROPY_THRESHOLD


# Every pattern above contains one of these literals (compared in lower case). Plain
# substring tests rule out most text (names, messages, ordinary config) far faster than a
# case-insensitive regex alternation would, before the dozen full patterns run.
_LITERALS = (
    "-----begin",
    "akia",
    "asia",
    "abia",
    "acca",
    "sk-",
    "sk_live_",
    "rk_live_",
    "hf_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "hooks.slack",
    "aiza",
    "wandb",
    "://",
    "eyj",
    "secret",
)


def _may_hold_secret(text: str) -> bool:
    low = text.lower()
    return any(lit in low for lit in _LITERALS)


def find_in_text(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every well-known secret in `text`, without overlaps."""
    if not _may_hold_secret(text):
        return []
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, s: int, e: int) -> None:
        if any(s < te and ts < e for ts, te in taken):
            return
        taken.append((s, e))
        found.append((kind, s, e))

    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            if kind == "database-url-password":
                if _PLACEHOLDER.match(m.group(1)):
                    continue
                add(kind, m.start(1), m.end(1))  # redact the password, keep host for context
            else:
                add(kind, m.start(), m.end())
    for m in _AWS_SECRET.finditer(text):
        add("aws-secret-access-key", m.start(1), m.end(1))
    return sorted(found, key=lambda t: t[1])


def classify(name: str, value: str) -> str | None:
    """The kind of secret `value` is, given the name it is stored under, or None."""
    if not isinstance(value, str) or not value:
        return None
    hits = find_in_text(value)
    if hits:
        return hits[0][0]
    if _KEYLIKE_NAME.search(name) and _looks_random(value):
        return "generic-high-entropy"
    return None


def scrub_text(text: str, path: str, start_line: int | None = None) -> tuple[str, list[Detection]]:
    """Replace every well-known secret in a script or document; line numbers are counted
    from `start_line` (the line the text starts on in its file) when given."""
    hits = find_in_text(text)
    if not hits:
        return text, []
    out, dets, last = [], [], 0
    for kind, s, e in hits:
        out.append(text[last:s])
        out.append(REDACTED.format(kind=kind))
        line = start_line + text.count("\n", 0, s) if start_line is not None else None
        dets.append(Detection(path, kind, _fp(text[s:e]), line))
        last = e
    out.append(text[last:])
    return "".join(out), dets


def scrub_value(name: str, value, path: str, line: int | None = None):
    """Scrub one named value (an env var, a hyperparameter). Returns (value, detections)."""
    if not isinstance(value, str):
        return value, []
    hits = find_in_text(value)
    if hits:
        return scrub_text(value, path, line)
    if _KEYLIKE_NAME.search(name) and _looks_random(value):
        return REDACTED.format(kind="generic-high-entropy"), [
            Detection(path, "generic-high-entropy", _fp(value), line)
        ]
    return value, []


def scrub_mapping(
    mapping: dict, path: str, lines: dict[str, int] | None = None
) -> tuple[dict, list[Detection]]:
    """Scrub a name -> value mapping (env, hyperparameters, ConfigMap data). `lines` may
    give the line of each key. Values that are not strings are kept as they are."""
    out, dets = {}, []
    for k, v in mapping.items():
        sub = f"{path}.{k}" if path else str(k)
        nv, d = scrub_value(str(k), v, sub, (lines or {}).get(k))
        out[k] = nv
        dets.extend(d)
    return out, dets


def redact_string(s: str) -> str:
    """Defence in depth for reporters: redact any well-known secret left in free text."""
    if not isinstance(s, str):
        return s
    return scrub_text(s, "")[0]
