"""The labels a workload's pods carry, put on each of its pod templates as ``labels``, so
that a Service or NetworkPolicy selector (in any file of the scan) can be matched to them.

Template labels as written, plus the labels the controllers always add: KServe and
Knative name the service on its pods, the training operator names the job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scanner.model.resource import Resource

from .values import as_map, key_line, str_map
from .workloads import PodSite, workload_family

_SEGMENT = re.compile(r"^([^\[]+)(?:\[(\d+)\])?$")


def _at(obj: Mapping, path: str):
    """The value at a manifest path such as spec.workerGroupSpecs[0].template, or None."""
    cur = obj
    for seg in path.split("."):
        m = _SEGMENT.match(seg)
        if not m or not isinstance(cur, Mapping):
            return None
        cur = cur.get(m.group(1))
        if m.group(2) is not None:
            cur = cur[int(m.group(2))] if isinstance(cur, list) and int(m.group(2)) < len(cur) else None
    return cur


def _written(obj: Mapping, site: PodSite) -> tuple[Mapping | None, str]:
    """(the mapping that holds the pod's labels, its manifest path)."""
    if site.where == "spec":  # a bare Pod
        return obj.get("metadata"), "metadata"
    if site.where.endswith(".spec"):
        path = site.where[: -len(".spec")] + ".metadata"
        return _at(obj, path), path
    return _at(obj, site.where), site.where  # KServe components carry labels themselves


def _added(obj: Mapping, site: PodSite) -> dict[str, str]:
    family = workload_family(str(obj.get("kind")), str(obj.get("apiVersion")))
    name = str(as_map(obj.get("metadata"), "metadata").get("name"))
    if family == "kserve":
        component = site.role.split("-")[0]
        added = {"serving.kserve.io/inferenceservice": name, "component": component}
        annotations = as_map(as_map(obj.get("metadata"), "metadata").get("annotations"), "annotations")
        if annotations.get("serving.kserve.io/deploymentMode") == "RawDeployment":
            added["app"] = f"isvc.{name}-{component}"  # the raw-mode Service selects on it
        return added
    if family == "knative":
        return {"serving.knative.dev/service": name}
    if family == "kubeflow":
        return {
            "training.kubeflow.org/job-name": name,
            "training.kubeflow.org/replica-type": site.role.lower(),
        }
    if family == "ray" and obj.get("kind") == "RayCluster":
        # KubeRay's head Service (<name>-head-svc) selects on node-type and identifier
        head = site.role == "head"
        group = "headgroup" if head else site.role.removeprefix("worker:")
        node_type = "head" if head else "worker"
        return {
            "ray.io/cluster": name,
            "ray.io/node-type": node_type,
            "ray.io/group": group,
            "ray.io/identifier": f"{name}-{node_type}",
            "ray.io/is-ray-node": "yes",
        }
    return {}


def add_pod_labels(obj: Mapping, sites: list[PodSite], workload: Resource) -> None:
    templates = workload.attrs.get("pod_templates", [])
    for i, (site, t) in enumerate(zip(sites, templates, strict=False)):
        holder, path = _written(obj, site)
        written = holder.get("labels") if isinstance(holder, Mapping) else None
        labels = {k: v for k, v in str_map(written, f"{path}.labels").items() if isinstance(v, str)}
        t["labels"] = {**labels, **_added(obj, site)}
        line = key_line(holder, "labels") if isinstance(holder, Mapping) else None
        if line is not None:
            workload.lines.setdefault(f"pod_templates[{i}].labels", line)
