"""Source-neutral readings for governance attributes, shared by the Terraform and
CloudFormation mappings: whether a notebook start script installs an idle auto-stop, the
day count of a rotation schedule, and which endpoint variant an autoscaling target names."""

from __future__ import annotations

import re

from scanner.model.resource import Unresolved

# The AWS sample (aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples,
# "auto-stop-idle") downloads autostop.py and runs it from cron with an IDLE_TIME; home-grown
# variants call the same thing an idle timeout or idle shutdown.
_IDLE = re.compile(
    r"autostop|auto-stop|auto_stop|sagemaker-notebook-instance-idle|idle[-_ ]?(?:time|timeout|shutdown)",
    re.IGNORECASE,
)
_RATE_DAYS = re.compile(r"^\s*rate\(\s*(\d+)\s+days?\s*\)\s*$", re.IGNORECASE)
_VARIANT_ID = re.compile(r"^endpoint/([^/]+)/variant/([^/]+)$")

SAGEMAKER_VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def installs_idle_shutdown(script: object) -> bool:
    """True when a start script's text sets up an idle auto-stop."""
    return isinstance(script, str) and bool(_IDLE.search(script))


def rate_days(expr: object) -> int | None:
    """N of ``rate(N days)``; None for cron expressions and anything else."""
    m = _RATE_DAYS.match(expr) if isinstance(expr, str) else None
    return int(m.group(1)) if m else None


def variant_resource_id(resource_id: object) -> tuple[str, str] | None:
    """(endpoint name, variant name) of ``endpoint/<name>/variant/<variant>``."""
    m = _VARIANT_ID.match(resource_id) if isinstance(resource_id, str) else None
    return (m.group(1), m.group(2)) if m else None


def set_variant_capacity(
    variants: object, provenance: dict[str, str], variant: str, lo: object, hi: object
) -> None:
    """Put a scalable target's min/max on the named production variant of an endpoint
    configuration. Several endpoints may share one configuration: targets that disagree
    leave the variant's capacity unresolved rather than the last one winning."""
    for i, v in enumerate(variants if isinstance(variants, list) else []):
        if not isinstance(v, dict) or v.get("variant_name") != variant:
            continue
        for key, value in (("min_capacity", lo), ("max_capacity", hi)):
            if v.get(key) is not None and v[key] != value:
                value = Unresolved(f"{key} differs between the endpoints that use this configuration")
            v[key] = value
            path = f"production_variants[{i}].{key}"
            if isinstance(value, Unresolved):
                provenance[path] = "unresolved"
            else:
                provenance.pop(path, None)
