"""Kubernetes governance: Namespaces (Pod Security labels, GPU quotas folded from
ResourceQuotas), Secrets (values never kept), min replicas per workload kind, and the
governance rules' verdicts on edge cases."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path

import pytest

from scanner.collect.iac.discover import Limits
from scanner.collect.iac.kubernetes import load
from scanner.engine import ScanOptions, scan_iac, scan_inventory
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, SourceRef, Unresolved
from scanner.normalize.k8s import fold_quotas, normalize_object

# built at runtime so no planted value sits in the repository
HF = "hf_" + "Gv7kQ2xM9pL4wR8tY1bN6cZ3dF5hJ0sA"
HF_B64 = base64.b64encode(HF.encode()).decode()


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def load_files(tmp_path: Path, **files: str):
    paths = [write(tmp_path, text, f"{name}.yaml") for name, text in files.items()]
    return load(paths, tmp_path, Limits())


def by_name(batch, rtype: str) -> dict[str, Resource]:
    return {r.name: r for r in batch.resources if r.type == rtype}


def findings(tmp_path: Path, text: str, rule: str):
    result, _ = scan_iac([write(tmp_path, text)], ScanOptions(include_rules=[rule]))
    assert not result.errors, result.errors
    return result.findings


GPU_JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}, namespace: {ns}}}
spec:
  template:
    spec:
      containers:
        - name: c
          image: x
          resources: {{limits: {{nvidia.com/gpu: {gpus}}}}}
"""


# ------------------------------------------------------------------ Namespace and ResourceQuota
def test_namespace_labels_and_pod_security(tmp_path):
    b = load_files(
        tmp_path,
        ns="""\
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ml-serving
          labels:
            team: genai
            pod-security.kubernetes.io/enforce: restricted
            pod-security.kubernetes.io/enforce-version: v1.30
            pod-security.kubernetes.io/warn: restricted
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: bare}
        """,
    )
    ns = by_name(b, "k8s.namespace")
    r = ns["ml-serving"]
    assert r.uid == "k8s:manifest/ml-serving/Namespace/ml-serving" and r.region == "ml-serving"
    assert r.attrs["labels"]["team"] == "genai" and r.tags["team"] == "genai"
    assert r.attrs["pod_security"] == {
        "enforce": "restricted",
        "audit": None,
        "warn": "restricted",
        "enforce_version": "v1.30",
    }
    assert r.lines["pod_security.enforce"] == 7
    assert ns["bare"].attrs["pod_security"]["enforce"] is None
    assert ns["bare"].attrs["gpu_quota"] == {} and ns["bare"].attrs["resource_quotas"] == []


QUOTAS = """\
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpu-big, namespace: ml}
spec:
  hard:
    requests.nvidia.com/gpu: "8"
    limits.nvidia.com/gpu: 8
    requests.cpu: "64"
    count/inferenceservices.serving.kserve.io: "10"
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: gpu-small, namespace: ml}
spec:
  scopes: [NotBestEffort]
  hard:
    requests.nvidia.com/gpu: 4
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: orphan, namespace: nowhere}
spec:
  hard: {requests.nvidia.com/gpu: "2"}
"""


def test_quotas_fold_onto_their_namespace_across_files(tmp_path):
    b = load_files(tmp_path, a="apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n", b=QUOTAS)
    ns = by_name(b, "k8s.namespace")
    assert set(ns) == {"ml"}  # the orphan quota's namespace is not invented
    ml = ns["ml"]
    # every quota is enforced, so the smallest limit binds; count/ and cpu are not GPU caps
    assert ml.attrs["gpu_quota"] == {"requests.nvidia.com/gpu": 4, "limits.nvidia.com/gpu": 8}
    assert ml.attrs["resource_quotas"] == ["gpu-big", "gpu-small"]
    quotas = by_name(b, "k8s.resource_quota")
    assert set(quotas) == {"gpu-big", "gpu-small", "orphan"}
    assert quotas["gpu-small"].attrs["scoped"] and not quotas["gpu-big"].attrs["scoped"]
    assert quotas["gpu-big"].attrs["hard"]["count/inferenceservices.serving.kserve.io"] == "10"
    rel = next(r for r in b.relations if r.src == quotas["orphan"].uid)
    assert (rel.kind, rel.dst) == ("quota_for", "k8s:manifest/nowhere/Namespace/nowhere")
    fold_quotas(b.resources)  # folding again changes nothing
    assert ml.attrs["resource_quotas"] == ["gpu-big", "gpu-small"]


def test_quota_count_a_template_leaves_open_is_unresolved(tmp_path):
    b = load_files(
        tmp_path,
        q="""\
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: q, namespace: ml}
        spec:
          hard: {requests.nvidia.com/gpu: "{{ .Values.gpus }}"}
        """,
    )
    (q,) = b.resources
    assert isinstance(q.attrs["gpu"]["requests.nvidia.com/gpu"], Unresolved)


# ------------------------------------------------------------------ Secret
SECRET = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: hf
  namespace: ml
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{{"data":{{"token":"{HF_B64}"}},"stringData":{{"raw":"{HF}"}}}}'
data:
  token: {HF_B64}
stringData:
  raw: {HF}
  token: {HF}
"""


def test_secret_values_are_never_kept(tmp_path):
    b = load_files(tmp_path, s=SECRET)
    (r,) = b.resources
    assert r.type == "k8s.secret"
    assert r.attrs == {
        "namespace": "ml",
        "secret_type": "Opaque",
        "service_account": None,
        "has_data": True,
        "keys": ["raw", "token"],
    }
    assert r.provenance["secret_type"] == "default"
    dumped = json.dumps(r.to_json())
    assert HF not in dumped and HF_B64 not in dumped

    result, inv = scan_iac([write(tmp_path, SECRET, "scan.yaml")])
    out = json.dumps([f.to_json() for f in result.findings]) + json.dumps(inv.to_json())
    assert HF not in out and HF_B64 not in out
    (f,) = [f for f in result.findings if f.rule_id == "k8s-secret-manifest-has-no-data"]
    assert "raw, token" in f.message and f.location.start_line == 8


def test_service_account_token_secret(tmp_path):
    b = load_files(
        tmp_path,
        s="""\
        apiVersion: v1
        kind: Secret
        metadata:
          name: tok
          namespace: ml
          annotations: {kubernetes.io/service-account.name: runner}
        type: kubernetes.io/service-account-token
        """,
    )
    (r,) = b.resources
    assert r.attrs["secret_type"] == "kubernetes.io/service-account-token"
    assert r.attrs["service_account"] == "runner" and r.attrs["has_data"] is False
    assert [(x.kind, x.dst) for x in b.relations] == [("token_for", "k8s:manifest/ml/ServiceAccount/runner")]


def test_live_secret_holds_data_by_design_and_is_not_flagged():
    obj = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "ml"},
        "data": {"k": HF_B64},
    }
    out = normalize_object(obj, SourceRef("live", dialect="k8s-api"), account="prod")
    assert HF_B64 not in json.dumps(out.resources[0].to_json())
    inv = Inventory()
    inv.extend(out.resources, out.relations)
    result = scan_inventory(inv, ScanOptions(include_rules=["k8s-secret-manifest-has-no-data"]))
    assert result.findings == []


# ------------------------------------------------------------------ min replicas
KSERVE = (
    "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: w}}\nspec:\n"
    "  predictor:\n{extra}    model:\n      modelFormat: {{name: x}}\n"
)
CORE = (
    "apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n{extra}"
    "  template:\n    spec:\n      containers: [{{name: c, image: x}}]\n"
)
KNATIVE = (
    "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {{name: w}}\nspec:\n  template:\n{meta}"
    "    spec:\n      containers: [{{image: x}}]\n"
)


@pytest.mark.parametrize(
    ("manifest", "want", "defaulted"),
    [
        (KSERVE.format(extra=""), (1, False), True),
        (KSERVE.format(extra="    minReplicas: 0\n"), (0, True), False),
        (KSERVE.format(extra="    minReplicas: 3\n"), (3, False), False),
        (KNATIVE.format(meta=""), (0, True), True),
        (
            KNATIVE.format(meta='    metadata: {annotations: {autoscaling.knative.dev/min-scale: "2"}}\n'),
            (2, False),
            False,
        ),
        (
            KNATIVE.format(meta='    metadata: {annotations: {autoscaling.knative.dev/minScale: "1"}}\n'),
            (1, False),
            False,
        ),
        (CORE.format(api="apps/v1", kind="Deployment", extra=""), (1, False), True),
        (CORE.format(api="apps/v1", kind="Deployment", extra="  replicas: 0\n"), (0, True), False),
        (CORE.format(api="apps/v1", kind="StatefulSet", extra="  replicas: 3\n"), (3, False), False),
        (CORE.format(api="batch/v1", kind="Job", extra=""), (None, None), False),
        (CORE.format(api="apps/v1", kind="DaemonSet", extra=""), (None, None), False),
    ],
    ids=[
        "kserve-default",
        "kserve-zero",
        "kserve-3",
        "knative-default",
        "knative-min-scale",
        "knative-legacy",
        "deployment-default",
        "deployment-0",
        "statefulset-3",
        "job",
        "daemonset",
    ],
)
def test_min_replicas_per_kind(tmp_path, manifest, want, defaulted):
    (r,) = load_files(tmp_path, w=manifest).resources
    assert (r.attrs["min_replicas"], r.attrs["scale_to_zero"]) == want
    assert (r.provenance.get("min_replicas") == "default") is defaulted


def test_min_replicas_from_a_template_is_unresolved(tmp_path):
    (r,) = load_files(tmp_path, w=KSERVE.format(extra='    minReplicas: "{{ .Values.min }}"\n')).resources
    assert isinstance(r.attrs["min_replicas"], Unresolved) and isinstance(
        r.attrs["scale_to_zero"], Unresolved
    )


# ------------------------------------------------------------------ rule verdicts
def test_scale_to_zero_points_at_the_predictor_when_defaulted(tmp_path):
    text = KSERVE.format(extra="") + "      resources: {limits: {nvidia.com/gpu: 1}}\n"
    (f,) = findings(tmp_path, text, "k8s-gpu-inference-scales-to-zero")
    assert f.status == "fail" and "(the default)" in f.message and f.location.start_line == 5
    assert f.evidence.provenance == "default"


def test_scale_to_zero_unknown_when_min_replicas_is_templated(tmp_path):
    text = (
        KSERVE.format(extra='    minReplicas: "{{ .Values.min }}"\n')
        + "      resources: {limits: {nvidia.com/gpu: 1}}\n"
    )
    (f,) = findings(tmp_path, text, "k8s-gpu-inference-scales-to-zero")
    assert f.status == "unknown"


def test_gpu_quota_rule_follows_workloads_into_the_namespace(tmp_path):
    ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n---\n"
    # a GPU job in another namespace does not make this one a GPU namespace
    assert (
        findings(
            tmp_path, ns + GPU_JOB.format(name="j", ns="other", gpus=1), "k8s-gpu-namespace-has-gpu-quota"
        )
        == []
    )
    (f,) = findings(
        tmp_path, ns + GPU_JOB.format(name="j", ns="ml", gpus=1), "k8s-gpu-namespace-has-gpu-quota"
    )
    assert f.status == "fail" and "(j)" in f.message and f.location.start_line == 3
    # a GPU count a template leaves open: whether the namespace runs GPUs is unknown
    (f,) = findings(
        tmp_path,
        ns + GPU_JOB.format(name="j", ns="ml", gpus='"{{ .Values.gpus }}"'),
        "k8s-gpu-namespace-has-gpu-quota",
    )
    assert f.status == "unknown"


def test_gpu_quota_rule_passes_on_requests_only(tmp_path):
    quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q, namespace: ml}}\nspec: {{hard: {{{key}: 4}}}}\n---\n"
    ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n---\n"
    job = GPU_JOB.format(name="j", ns="ml", gpus=1)
    assert (
        findings(
            tmp_path,
            ns + quota.format(key="requests.nvidia.com/gpu") + job,
            "k8s-gpu-namespace-has-gpu-quota",
        )
        == []
    )
    (f,) = findings(
        tmp_path, ns + quota.format(key="nvidia.com/gpu") + job, "k8s-gpu-namespace-has-gpu-quota"
    )
    assert "does not enforce" in f.message and f.evidence.value == {"nvidia.com/gpu": 4}


def test_pod_security_rule_reads_enforce_only(tmp_path):
    ns = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml\n  labels:\n"
        "    pod-security.kubernetes.io/audit: restricted\n    pod-security.kubernetes.io/warn: restricted\n---\n"
    )
    (f,) = findings(
        tmp_path, ns + GPU_JOB.format(name="j", ns="ml", gpus=1), "k8s-namespace-pod-security-enforced"
    )
    assert "is not set" in f.message and f.evidence.path == "pod_security.enforce"
