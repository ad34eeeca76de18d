"""What counts as GPU-backed capacity, for governance and isolation rules.

GPU-backed means: SageMaker resources on accelerated instance families (``ml.g*``,
``ml.p*``, ``ml.inf*``, ``ml.trn*``), Vertex resources with accelerators, and Kubernetes
workloads that request or limit a GPU (the normalizer's ``gpu`` attribute)."""

from __future__ import annotations

import re

from scanner.model.resource import Resource

# ml.g4dn.xlarge, ml.g5.2xlarge, ml.p4d.24xlarge, ml.inf2.xlarge, ml.trn1.32xlarge, ...
_ACCELERATED = re.compile(r"^ml\.(?:g\d|p\d|inf\d|trn\d)[a-z0-9-]*\.", re.IGNORECASE)


def is_gpu_instance_type(instance_type: object) -> bool:
    """True for SageMaker instance types of an accelerated family."""
    return isinstance(instance_type, str) and bool(_ACCELERATED.match(instance_type))


def gpu_instance_types(r: Resource) -> list[str]:
    """The accelerated instance types a resource runs on (empty when none, or unknown)."""
    a = r.attrs
    found: list[str] = []
    if is_gpu_instance_type(a.get("instance_type")):
        found.append(a["instance_type"])
    for v in a.get("production_variants") or []:
        if isinstance(v, dict) and is_gpu_instance_type(v.get("instance_type")):
            found.append(v["instance_type"])
    return found


def is_gpu_backed(r: Resource) -> bool:
    """Whether the resource holds GPU (or other accelerator) capacity, as far as the source says."""
    a = r.attrs
    if r.type == "k8s.workload":
        return a.get("gpu") is True
    if a.get("accelerators"):  # Vertex and other GCP resources that declare accelerators
        return True
    return bool(gpu_instance_types(r))
