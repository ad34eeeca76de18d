"""The severity and category we give each Checkov policy (OSS Checkov has none), read from
`rules/checkov/severities.json`; ids missing from it get the documented defaults."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

_PROVIDER = {"AWS": "aws", "GCP": "gcp", "K8S": "k8s"}
_ID = re.compile(r"^CKV2?_([A-Z0-9]+)_")


@cache
def table() -> dict:
    text = resources.files("rules.checkov").joinpath("severities.json").read_text("utf-8")
    return json.loads(text)


def severity(check_id: str) -> str:
    t = table()
    return (t["policies"].get(check_id) or {}).get("severity", t["default_severity"])


def category(check_id: str) -> str:
    t = table()
    return (t["policies"].get(check_id) or {}).get("category", t["default_category"])


def source_path(check_id: str) -> str | None:
    """Where the policy lives inside the checkov package, e.g. terraform/checks/resource/aws/S3Versioning.py."""
    return (table()["policies"].get(check_id) or {}).get("source")


def provider(check_id: str) -> str:
    m = _ID.match(check_id)
    return _PROVIDER.get(m.group(1), "iac") if m else "iac"
