"""Cloud Storage: only the buckets that ML resources reference (gs:// URIs in models, jobs,
pipelines, functions, services), wherever they live, with their IAM policies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .context import Raw, ScanContext
from .faults import Denied

_GS = re.compile(r"gs://([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])")
# records whose gs:// URIs name buckets an ML workload reads or writes
_REFERRERS = ("vertex.", "run.", "functions.", "notebooks.")


def _strings(v: Any) -> Iterable[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def referenced_buckets(raws: list[Raw]) -> list[str]:
    names: set[str] = set()
    for r in raws:
        if r.kind.startswith(_REFERRERS):
            for s in _strings(r.data):
                names.update(_GS.findall(s))
            # Cloud Functions keep their source in a bucket named without gs://
            src = ((r.data.get("buildConfig") or {}).get("source") or {}).get("storageSource") or {}
            if src.get("bucket"):
                names.add(src["bucket"])
    return sorted(names)


def collect_bucket(ctx: ScanContext, name: str) -> None:
    st = ctx.rest.service("storage", "v1")
    with ctx.unit(
        f"Cloud Storage bucket {name} (referenced by an ML resource)", api="storage.googleapis.com"
    ):
        # projection=full adds the legacy ACLs (acl, defaultObjectAcl), which GCS only shows to
        # a caller who may read the bucket's IAM policy; without that, settings are still read
        # and the ACLs are left unknown, never taken as empty
        acl_error = None
        try:
            bucket = ctx.rest.call(st.buckets().get(bucket=name, projection="full"))
        except Denied as e:
            bucket = ctx.rest.call(st.buckets().get(bucket=name))
            acl_error = f"bucket ACLs not readable: permission '{e.permission or 'storage.buckets.getIamPolicy'}' denied"
            ctx.error(acl_error, f"ACLs of bucket {name}")
        policy, why = ctx.policy_of(
            lambda: ctx.rest.call(st.buckets().getIamPolicy(bucket=name, optionsRequestedPolicyVersion=3)),
            f"IAM policy of bucket {name}",
        )
        raw = Raw("storage.bucket", "", bucket, bucket.get("location"), policy=policy, policy_error=why)
        raw.extra["acl_error"] = acl_error
        ctx.add(raw)
