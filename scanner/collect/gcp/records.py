"""Recorded live GCP records in a file (`*.gcp.yaml`): the raw API JSON a scan collects,
one record per resource, normalized exactly as a live scan normalizes it. Rule examples for
resources that Terraform cannot declare (Vertex AI models, custom and pipeline jobs) are
written this way:

    records:
      - kind: vertex.custom_job          # a raw record kind (scanner.normalize.gcp)
        project: ml-prod
        region: us-central1
        data: {name: projects/1/locations/us-central1/customJobs/7, displayName: fail-no-cmek, ...}
        policy: {bindings: [...]}          # optional: the resource's IAM policy
        policy_error: "..."                # optional: why the policy could not be read
        extra: {email: ...}                # optional: collector context (a key's account)
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .context import Raw

_FIELDS = {"kind", "project", "region", "data", "policy", "policy_error", "extra"}


def load_records(path: str | Path) -> tuple[list[dict], list[Raw]]:
    """(project records, raw records) of one file; a malformed record raises ValueError."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise ValueError(f"{path}: expected a mapping with a 'records' list")
    raws: list[Raw] = []
    for i, rec in enumerate(doc["records"]):
        if not isinstance(rec, dict) or not {"kind", "data"} <= set(rec) or set(rec) - _FIELDS:
            raise ValueError(f"{path}: record {i} needs kind and data, and only {sorted(_FIELDS)}")
        raws.append(
            Raw(
                str(rec["kind"]),
                str(rec.get("project") or ""),
                rec["data"],
                rec.get("region"),
                policy=rec.get("policy"),
                policy_error=rec.get("policy_error"),
                extra=dict(rec.get("extra") or {}),
            )
        )
    projects = [p for p in doc.get("projects") or [] if isinstance(p, dict)]
    return projects, raws


def scan_gcp_records(paths: list, options=None):
    """Normalize and evaluate recorded files as a live scan would; (ScanResult, Inventory)."""
    from scanner.engine import ScanOptions, _now, build_inventory, run
    from scanner.normalize.gcp import normalize_gcp

    options = options or ScanOptions()
    started = _now()
    batches = [normalize_gcp(*load_records(p)) for p in paths]
    inv = build_inventory(batches)
    sources = [{"dialect": "gcp-live", "files": len(paths), "resources": len(inv)}]
    return run(
        inv, targets=[str(p) for p in paths], errors=[], sources=sources, options=options, started_at=started
    ), inv
