"""Where each kind of workload keeps its pod specs.

`pod_sites(obj)` answers with (role, manifest path, pod spec, extra model containers) for
every pod spec of an object, or None when the object runs no pods (a Service, a Secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .values import NormalizeError, as_list, as_map


@dataclass
class PodSite:
    role: str
    where: str  # manifest path of the pod spec, e.g. spec.template.spec
    spec: Any
    model_containers: list[tuple[str, Any]] = field(default_factory=list)


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def _template_spec(parent: Mapping, where: str, role: str, required: bool = True) -> list[PodSite]:
    """parent.template.spec; `where` is the path of `parent`."""
    tmpl = as_map(parent.get("template"), f"{where}.template")
    if "spec" not in tmpl:
        if required:
            raise NormalizeError(f"{where}.template.spec is missing")
        return []
    return [PodSite(role, f"{where}.template.spec", tmpl["spec"])]


def _core(obj: Mapping) -> list[PodSite]:
    spec = as_map(obj.get("spec"), "spec")
    if obj["kind"] == "Pod":
        if not spec:
            raise NormalizeError("spec is missing")
        return [PodSite("pod", "spec", spec)]
    if obj["kind"] == "CronJob":
        job = as_map(as_map(spec.get("jobTemplate"), "spec.jobTemplate").get("spec"), "spec.jobTemplate.spec")
        return _template_spec(job, "spec.jobTemplate.spec", "pod")
    return _template_spec(spec, "spec", "pod")


# KServe: the keys under which a component names its model server's container.
KSERVE_MODEL_KEYS = (
    "model",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "pmml",
    "lightgbm",
    "paddle",
    "huggingface",
    "alibi",
    "art",
)
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")


def _kserve(obj: Mapping) -> list[PodSite]:
    spec = as_map(obj.get("spec"), "spec")
    if "predictor" not in spec:
        raise NormalizeError("spec.predictor is missing")
    sites = []
    for comp in KSERVE_COMPONENTS:
        if comp not in spec:
            continue
        where = f"spec.{comp}"
        c = as_map(spec[comp], where)
        models = [(f"{where}.{k}", c[k]) for k in KSERVE_MODEL_KEYS if isinstance(c.get(k), Mapping)]
        sites.append(PodSite(comp, where, c, models))
        if "workerSpec" in c:  # multi-node serving: its own pod spec
            sites.append(PodSite(f"{comp}-worker", f"{where}.workerSpec", c["workerSpec"]))
    return sites


def _knative(obj: Mapping) -> list[PodSite]:
    return _template_spec(as_map(obj.get("spec"), "spec"), "spec", "pod")


def _kubeflow(obj: Mapping) -> list[PodSite]:
    """PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob: spec.<x>ReplicaSpecs.<Role>."""
    spec = as_map(obj.get("spec"), "spec")
    sites = []
    for key, replicas in spec.items():
        if not str(key).endswith("ReplicaSpecs"):
            continue
        for role, rs in as_map(replicas, f"spec.{key}").items():
            sites += _template_spec(as_map(rs, f"spec.{key}.{role}"), f"spec.{key}.{role}", str(role))
    if not sites:
        raise NormalizeError("spec has no *ReplicaSpecs")
    return sites


def _ray_cluster(cluster: Mapping, where: str) -> list[PodSite]:
    sites = []
    if "headGroupSpec" in cluster:
        head = as_map(cluster["headGroupSpec"], f"{where}.headGroupSpec")
        sites += _template_spec(head, f"{where}.headGroupSpec", "head")
    for i, g in enumerate(as_list(cluster.get("workerGroupSpecs"), f"{where}.workerGroupSpecs")):
        g = as_map(g, f"{where}.workerGroupSpecs[{i}]")
        name = g.get("groupName") if isinstance(g.get("groupName"), str) else str(i)
        sites += _template_spec(g, f"{where}.workerGroupSpecs[{i}]", f"worker:{name}")
    return sites


def _ray(obj: Mapping) -> list[PodSite]:
    spec = as_map(obj.get("spec"), "spec")
    kind = obj["kind"]
    if kind == "RayCluster":
        sites = _ray_cluster(spec, "spec")
        if not sites:
            raise NormalizeError("spec.headGroupSpec is missing")
        return sites
    key = "rayClusterSpec" if kind == "RayJob" else "rayClusterConfig"
    sites = _ray_cluster(as_map(spec.get(key), f"spec.{key}"), f"spec.{key}")
    if kind == "RayJob" and "submitterPodTemplate" in spec:
        sub = as_map(spec["submitterPodTemplate"], "spec.submitterPodTemplate")
        if "spec" in sub:
            sites.append(PodSite("submitter", "spec.submitterPodTemplate.spec", sub["spec"]))
    return sites  # a RayJob may use an existing cluster (clusterSelector) and run no pods itself


CORE_KINDS = {
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
}
KUBEFLOW_KINDS = {"PyTorchJob", "TFJob", "MPIJob", "XGBoostJob", "PaddleJob", "JAXJob"}
RAY_KINDS = {"RayCluster", "RayJob", "RayService"}
INFERENCE_KINDS = {"InferenceService", "Service"}  # Service here means a Knative Service


def workload_family(kind: str, api_version: str) -> str | None:
    group = group_of(api_version)
    if kind in CORE_KINDS and group in ("", "apps", "batch", "extensions"):
        return "core"
    if kind == "InferenceService" and group == "serving.kserve.io":
        return "kserve"
    if kind == "Service" and group == "serving.knative.dev":
        return "knative"
    if kind in KUBEFLOW_KINDS and group == "kubeflow.org":
        return "kubeflow"
    if kind in RAY_KINDS and group == "ray.io":
        return "ray"
    if kind == "Notebook" and group == "kubeflow.org":
        return "notebook"  # Kubeflow Notebook: spec.template.spec, like a Knative Service
    return None


_SITES = {
    "core": _core,
    "kserve": _kserve,
    "knative": _knative,
    "kubeflow": _kubeflow,
    "ray": _ray,
    "notebook": _knative,
}


def pod_sites(obj: Mapping) -> list[PodSite] | None:
    family = workload_family(str(obj.get("kind")), str(obj.get("apiVersion")))
    return _SITES[family](obj) if family else None
