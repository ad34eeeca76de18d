"""Kubernetes manifests: loader errors, normalization of every workload kind, secrets,
suppression annotations, line numbers, and the rules on edge cases."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from scanner.collect.iac.discover import Limits
from scanner.collect.iac.kubernetes import load
from scanner.engine import ScanOptions, scan_iac
from scanner.model.resource import Resource, SourceRef, Unresolved
from scanner.normalize.k8s import NormalizeError, normalize_object

HF = "hf_" + "Zq8xK2mP4nR7tV1wY3bD6fH9jL0cE5gA"  # built at runtime: matches the token format


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def load_text(tmp_path: Path, text: str, name: str = "m.yaml", limits: Limits = Limits()):
    return load([write(tmp_path, text, name)], tmp_path, limits)


def one(batch, name: str | None = None) -> Resource:
    rs = [r for r in batch.resources if name is None or r.name == name]
    assert len(rs) == 1, [r.name for r in batch.resources]
    return rs[0]


DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
  namespace: serving
  labels: {{app: llm}}
spec:
  template:
    spec:
      serviceAccountName: llm-sa
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      initContainers:
        - name: fetch
          image: busybox:1.36
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          env:
            - name: HF_TOKEN
              value: {HF}
            - name: MODEL
              value: llama
            - name: DB_PASSWORD
              valueFrom: {{secretKeyRef: {{name: db, key: password}}}}
          envFrom:
            - secretRef: {{name: extra}}
          securityContext:
            runAsUser: 0
            privileged: true
            capabilities: {{add: [CAP_SYS_ADMIN, net_raw], drop: [all]}}
          resources:
            requests: {{cpu: "2", nvidia.com/gpu: "2"}}
            limits: {{cpu: 4, memory: 16Gi, nvidia.com/gpu: 2}}
          volumeMounts:
            - {{name: models, mountPath: /models, readOnly: true}}
      volumes:
        - name: models
          hostPath: {{path: /mnt/models}}
        - name: creds
          secret: {{secretName: creds}}
        - name: cache
          emptyDir: {{}}
"""


# ------------------------------------------------------------------ normalization
def test_deployment_containers_inheritance_and_scrubbing(tmp_path):
    b = load_text(tmp_path, DEPLOYMENT)
    assert not b.errors and b.files == 1
    r = one(b)
    assert r.uid == "k8s:manifest/serving/Deployment/llm"
    assert (r.type, r.provider, r.account, r.region, r.tags) == (
        "k8s.workload",
        "k8s",
        "manifest",
        "serving",
        {"app": "llm"},
    )
    assert r.source == SourceRef("iac", "m.yaml", 1, 44, dialect="kubernetes")
    a = r.attrs
    assert a["kind"] == "Deployment" and a["gpu"] is True and a["exposure"] is None
    (t,) = a["pod_templates"]
    assert t["role"] == "pod" and t["path"] == "spec.template.spec" and t["service_account"] == "llm-sa"
    assert t["host_pid"] is False and r.provenance["pod_templates[0].host_pid"] == "default"
    assert t["volumes"] == [
        {
            "name": "models",
            "host_path": "/mnt/models",
            "secret": None,
            "config_map": None,
            "empty_dir": False,
        },
        {"name": "creds", "host_path": None, "secret": "creds", "config_map": None, "empty_dir": False},
        {"name": "cache", "host_path": None, "secret": None, "config_map": None, "empty_dir": True},
    ]
    server, fetch = t["containers"]
    assert (server["role"], fetch["role"]) == ("container", "init")
    # pod-level runAsNonRoot flows down; the container's own runAsUser wins over the pod's
    assert server["run_as_non_root"] is True and server["run_as_user"] == 0
    assert fetch["run_as_non_root"] is True and fetch["run_as_user"] == 1000
    assert server["privileged"] is True and fetch["privileged"] is None
    assert server["capabilities_add"] == ["SYS_ADMIN", "NET_RAW"] and server["capabilities_drop"] == ["ALL"]
    assert server["gpu_request"] == 2 and server["gpu_limit"] == 2
    assert server["limits"] == {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "2"}
    assert server["volume_mounts"] == [{"name": "models", "mount_path": "/models", "read_only": True}]
    assert server["env"] == {"HF_TOKEN": "[REDACTED:huggingface-token]", "MODEL": "llama"}
    assert server["env_secret_refs"] == ["db", "extra"]
    assert a["secrets"] == [
        {
            "path": "pod_templates[0].containers[0].env.HF_TOKEN",
            "kind": "huggingface-token",
            "fingerprint": a["secrets"][0]["fingerprint"],
            "line": 22,
        }
    ]
    assert HF not in json.dumps(r.to_json()) and HF not in repr(b)
    assert [(rel.kind, rel.dst) for rel in b.relations] == [
        ("runs_as", "k8s:manifest/serving/ServiceAccount/llm-sa")
    ]
    assert Resource.from_json(json.loads(json.dumps(r.to_json()))).to_json() == r.to_json()


def test_line_numbers_point_at_containers_and_fields(tmp_path):
    r = one(load_text(tmp_path, DEPLOYMENT))
    assert r.lines["pod_templates[0]"] == 10
    assert r.lines["pod_templates[0].containers[0]"] == 18
    assert r.lines["pod_templates[0].containers[1]"] == 15
    assert r.lines["pod_templates[0].containers[0].privileged"] == 31
    assert r.lines["pod_templates[0].containers[0].run_as_user"] == 30
    assert r.lines["pod_templates[0].containers[1].run_as_user"] == 13  # inherited from the pod
    assert r.lines["pod_templates[0].containers[0].env.HF_TOKEN"] == 22
    assert r.lines["pod_templates[0].volumes[0].host_path"] == 40
    assert r.line_of("pod_templates[0].containers[0].read_only_root_filesystem") == 18


def test_default_service_account_namespace_and_relation(tmp_path):
    b = load_text(
        tmp_path,
        """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, image: x}]
        """,
    )
    r = one(b)
    assert r.region == "default" and r.provenance["namespace"] == "default"
    assert r.attrs["pod_templates"][0]["service_account"] == "default"
    assert r.attrs["gpu"] is False
    assert b.relations[0].dst == "k8s:manifest/default/ServiceAccount/default"


POD = "template: {spec: {containers: [{name: c, image: x}]}}"
KINDS = [
    ("apps/v1", "StatefulSet", f"spec: {{{POD}}}", [("pod", "spec.template.spec")]),
    ("apps/v1", "DaemonSet", f"spec: {{{POD}}}", [("pod", "spec.template.spec")]),
    ("apps/v1", "ReplicaSet", f"spec: {{{POD}}}", [("pod", "spec.template.spec")]),
    ("v1", "ReplicationController", f"spec: {{{POD}}}", [("pod", "spec.template.spec")]),
    ("batch/v1", "Job", f"spec: {{{POD}}}", [("pod", "spec.template.spec")]),
    (
        "batch/v1",
        "CronJob",
        f"spec: {{schedule: '* * * * *', jobTemplate: {{spec: {{{POD}}}}}}}",
        [("pod", "spec.jobTemplate.spec.template.spec")],
    ),
    ("serving.knative.dev/v1", "Service", f"spec: {{{POD}}}", [("pod", "spec.template.spec")]),
    (
        "kubeflow.org/v1",
        "PyTorchJob",
        f"spec: {{pytorchReplicaSpecs: {{Master: {{{POD}}}, Worker: {{{POD}}}}}}}",
        [
            ("Master", "spec.pytorchReplicaSpecs.Master.template.spec"),
            ("Worker", "spec.pytorchReplicaSpecs.Worker.template.spec"),
        ],
    ),
    (
        "kubeflow.org/v1",
        "TFJob",
        f"spec: {{tfReplicaSpecs: {{Chief: {{{POD}}}, PS: {{{POD}}}}}}}",
        [
            ("Chief", "spec.tfReplicaSpecs.Chief.template.spec"),
            ("PS", "spec.tfReplicaSpecs.PS.template.spec"),
        ],
    ),
    (
        "kubeflow.org/v2beta1",
        "MPIJob",
        f"spec: {{mpiReplicaSpecs: {{Launcher: {{{POD}}}}}}}",
        [("Launcher", "spec.mpiReplicaSpecs.Launcher.template.spec")],
    ),
    (
        "kubeflow.org/v1",
        "XGBoostJob",
        f"spec: {{xgbReplicaSpecs: {{Worker: {{{POD}}}}}}}",
        [("Worker", "spec.xgbReplicaSpecs.Worker.template.spec")],
    ),
    (
        "ray.io/v1",
        "RayCluster",
        f"spec: {{headGroupSpec: {{{POD}}}, workerGroupSpecs: [{{groupName: gpu, {POD}}}, {{{POD}}}]}}",
        [
            ("head", "spec.headGroupSpec.template.spec"),
            ("worker:gpu", "spec.workerGroupSpecs[0].template.spec"),
            ("worker:1", "spec.workerGroupSpecs[1].template.spec"),
        ],
    ),
    (
        "ray.io/v1",
        "RayJob",
        f"spec: {{entrypoint: python x.py, rayClusterSpec: {{headGroupSpec: {{{POD}}}}},"
        f" submitterPodTemplate: {{spec: {{containers: [{{name: s, image: x}}]}}}}}}",
        [
            ("head", "spec.rayClusterSpec.headGroupSpec.template.spec"),
            ("submitter", "spec.submitterPodTemplate.spec"),
        ],
    ),
]


@pytest.mark.parametrize(("api", "kind", "spec", "roles"), KINDS, ids=[k[1] for k in KINDS])
def test_every_workload_kind_has_its_pod_templates(tmp_path, api, kind, spec, roles):
    r = one(
        load_text(
            tmp_path, f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w, namespace: ml}}\n{spec}\n"
        )
    )
    assert r.uid == f"k8s:manifest/ml/{kind}/w" and r.attrs["kind"] == kind
    assert [(t["role"], t["path"]) for t in r.attrs["pod_templates"]] == roles
    assert all(t["containers"] for t in r.attrs["pod_templates"])


def test_kserve_components_model_containers_and_exposure(tmp_path):
    b = load_text(
        tmp_path,
        """\
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: llm
          labels: {networking.knative.dev/visibility: cluster-local}
        spec:
          predictor:
            serviceAccountName: reader
            automountServiceAccountToken: false
            model:
              modelFormat: {name: huggingface}
              storageUri: hf://org/model
              resources: {limits: {nvidia.com/gpu: "1", cpu: "8", memory: 32Gi}}
            containers:
              - name: sidecar
                image: envoy:1
          transformer:
            containers:
              - name: transformer
                image: t:1
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: public}
        spec:
          predictor:
            pytorch: {storageUri: s3://m/r, image: pytorch/torchserve:0.11}
        """,
    )
    assert not b.errors
    llm, public = one(b, "llm"), one(b, "public")
    assert llm.attrs["exposure"] == "cluster-local" and public.attrs["exposure"] == "external"
    pred, trans = llm.attrs["pod_templates"]
    assert (pred["role"], pred["path"], trans["role"]) == ("predictor", "spec.predictor", "transformer")
    assert pred["automount_service_account_token"] is False and pred["service_account"] == "reader"
    model, sidecar = pred["containers"]
    assert model["name"] == "kserve-container" and model["image"] is None and model["gpu_limit"] == 1
    assert sidecar["name"] == "sidecar" and llm.attrs["gpu"] is True
    assert llm.lines["pod_templates[0].containers[0]"] == 11
    assert public.attrs["pod_templates"][0]["containers"][0]["image"] == "pytorch/torchserve:0.11"
    assert public.attrs["gpu"] is False


@pytest.mark.parametrize(
    ("resources", "counts"),
    [
        ("limits: {amd.com/gpu: 2}", (2, 2)),
        ("limits: {gpu.intel.com/i915: 1, gpu.intel.com/millicores: 500}", (1, 1)),
        ("limits: {nvidia.com/mig-1g.10gb: 2, nvidia.com/mig-2g.20gb: 1}", (3, 3)),
        ("{requests: {nvidia.com/gpu: 1}, limits: {cpu: 1}}", (1, 0)),
        ("limits: {cpu: 1}", (0, 0)),
    ],
)
def test_gpu_counts(resources, counts):
    request_, limit = counts
    obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "x", "resources": yaml.safe_load(resources)}]},
    }
    r = normalize_object(obj, SourceRef("live", api="k8s"), account="prod")
    c = r.resources[0].attrs["pod_templates"][0]["containers"][0]
    assert (c["gpu_request"], c["gpu_limit"]) == (request_, limit)
    assert r.resources[0].attrs["gpu"] is (limit > 0 or request_ > 0)
    assert r.resources[0].uid == "k8s:prod/default/Pod/p" and r.resources[0].lines == {}


def test_gpu_from_env_runtime_class_and_unparseable_counts():
    def pod(spec_extra=None, container_extra=None):
        c = {"name": "c", "image": "x", **(container_extra or {})}
        obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [c], **(spec_extra or {})},
        }
        return normalize_object(obj, SourceRef("iac")).resources[0].attrs

    assert pod(container_extra={"env": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"}]})["gpu"] is True
    assert pod(container_extra={"env": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": "void"}]})["gpu"] is False
    assert pod(spec_extra={"runtimeClassName": "nvidia"})["gpu"] is True
    a = pod(container_extra={"resources": {"limits": {"nvidia.com/gpu": "lots"}}})
    assert isinstance(a["gpu"], Unresolved)
    assert isinstance(a["pod_templates"][0]["containers"][0]["gpu_limit"], Unresolved)


def test_config_map_scrubbed_and_binary_data_ignored(tmp_path):
    b = load_text(
        tmp_path,
        """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg, namespace: feats}
        data:
          url: postgresql://feast:Sup3rS3cretPw@db:5432/feast
          level: info
        binaryData:
          blob: aGVsbG8=
        """,
    )
    r = one(b)
    assert r.type == "k8s.config_map" and r.uid == "k8s:manifest/feats/ConfigMap/cfg"
    assert r.attrs["data"] == {
        "url": "postgresql://feast:[REDACTED:database-url-password]@db:5432/feast",
        "level": "info",
    }
    assert r.attrs["secrets"][0]["path"] == "data.url" and r.attrs["secrets"][0]["line"] == 5
    assert "Sup3rS3cretPw" not in json.dumps(r.to_json())


def test_last_applied_annotation_is_dropped_and_annotations_scrubbed(tmp_path):
    r = one(
        load_text(
            tmp_path,
            f"""\
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: '{{"env": "hunter2-hunter2"}}'
            team.example.com/token: {HF}
        spec:
          containers: [{{name: c, image: x}}]
        """,
        )
    )
    assert "kubectl.kubernetes.io/last-applied-configuration" not in r.attrs["annotations"]
    assert HF not in json.dumps(r.to_json()) and "hunter2" not in json.dumps(r.to_json())


# ------------------------------------------------------------------ loader errors
def test_bad_documents_cost_only_themselves(tmp_path):
    b = load_text(
        tmp_path,
        """\
        apiVersion: v1
        kind: Pod
        metadata: {name: good}
        spec: {containers: [{name: c, image: x}]}
        ---
        - just a list
        ---
        apiVersion: v1
        metadata: {name: nokind}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {namespace: x}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: broken}
        spec: {template: {spec: {containers: "not a list"}}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: nospec}
        spec: {}
        ---
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: svc}
        subsets: [{ports: [{port: 80}]}]
        """,
    )
    assert [r.name for r in b.resources] == ["good"]
    reasons = [e.reason for e in b.errors]
    assert reasons[0].startswith("document 2: not a mapping but a list")
    assert reasons[1].startswith("document 3") and "kind" in reasons[1]
    assert reasons[2].startswith("document 4") and "metadata.name" in reasons[2]
    assert reasons[3].startswith("document 5 (Deployment broken)") and "must be a list" in reasons[3]
    assert (
        reasons[4].startswith("document 6 (Deployment nospec)") and "template.spec is missing" in reasons[4]
    )
    assert len(b.errors) == 5
    assert all(
        e.source == "kubernetes" and e.file == "m.yaml" and e.unscanned.startswith("document")
        for e in b.errors
    )


def test_kind_list_yields_its_items(tmp_path):
    b = load_text(
        tmp_path,
        """\
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: x}]}}
          - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {k: v}}
          - {apiVersion: v1, kind: Pod}
        """,
    )
    assert sorted(r.name for r in b.resources) == ["a", "b"]
    assert len(b.errors) == 1 and b.errors[0].reason.startswith("document 1 item 3")


def test_json_manifest(tmp_path):
    obj = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}},
    }
    b = load_text(tmp_path, json.dumps(obj, indent=2), name="job.json")
    assert one(b).attrs["pod_templates"][0]["containers"][0]["image"] == "x"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n", "not UTF-8"),
        (b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n", "YAML syntax error at line"),
        (
            b'apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Release.Name }}\n  x: {{ include "a" }}\n',
            "helm template",
        ),
    ],
)
def test_unreadable_files_are_scan_errors(tmp_path, content, reason):
    p = tmp_path / "bad.yaml"
    p.write_bytes(content)
    b = load([p], tmp_path, Limits())
    assert not b.resources and len(b.errors) == 1
    e = b.errors[0]
    assert reason in e.reason and e.file == "bad.yaml" and e.unscanned == "every object in this file"


def test_alias_bomb_and_size_limit(tmp_path):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    b = load_text(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + bomb)
    assert len(b.errors) == 1 and "safety limit" in b.errors[0].reason
    b = load_text(tmp_path, DEPLOYMENT, limits=Limits(max_file_bytes=100))
    assert len(b.errors) == 1 and "byte limit" in b.errors[0].reason


def test_helm_template_that_parses_gives_unresolved_values(tmp_path):
    r = one(
        load_text(
            tmp_path,
            """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              image: "{{ .Values.image }}"
              securityContext:
                privileged: {{ .Values.privileged }}
        """,
        )
    )
    c = r.attrs["pod_templates"][0]["containers"][0]
    assert c["image"] == Unresolved("template expression {{ .Values.image }}")
    assert c["privileged"] == Unresolved("template expression {{ .Values.privileged }}")


def test_normalizer_rejects_malformed_objects_directly():
    with pytest.raises(NormalizeError, match="has no containers"):
        normalize_object(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}},
            SourceRef("live"),
        )
    with pytest.raises(NormalizeError, match="predictor"):
        normalize_object(
            {
                "apiVersion": "serving.kserve.io/v1beta1",
                "kind": "InferenceService",
                "metadata": {"name": "i"},
                "spec": {},
            },
            SourceRef("live"),
        )
    assert (
        normalize_object(
            {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "s"}, "subsets": []},
            SourceRef("live"),
        ).resources
        == []
    )


# ------------------------------------------------------------------ suppressions and rules end to end
SUPPRESSED = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: train
  annotations:
    mlposture.io/ignore: "k8s-run-as-non-root, k8s-no-dangerous-capabilities"
    mlposture.io/ignore-reason: image needs root until v2
    mlposture.io/ignore-expires: "{expires}"
    checkov.io/skip1: CKV_K8S_20=escalation needed by the profiler
spec:
  template:
    spec:
      containers:
        - name: c
          image: x
          securityContext: {{capabilities: {{add: [SYS_PTRACE]}}}}
"""


def test_suppression_annotations_parse(tmp_path):
    r = one(load_text(tmp_path, SUPPRESSED.format(expires="2999-01-01")))
    assert [(s.rule, s.reason, s.expires, s.line) for s in r.suppressions] == [
        ("k8s-run-as-non-root", "image needs root until v2", "2999-01-01", 6),
        ("k8s-no-dangerous-capabilities", "image needs root until v2", "2999-01-01", 6),
        ("CKV_K8S_20", "escalation needed by the profiler", None, 9),
    ]


@pytest.mark.parametrize(("expires", "muted"), [("2999-01-01", True), ("2000-01-01", False)])
def test_suppressions_mute_findings(tmp_path, expires, muted):
    p = write(tmp_path, SUPPRESSED.format(expires=expires))
    result, _ = scan_iac([p], ScanOptions(today="2025-06-01"))
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["k8s-no-privilege-escalation"].muted  # through the Checkov alias, no expiry
    assert by_rule["k8s-run-as-non-root"].muted is muted
    assert by_rule["k8s-no-dangerous-capabilities"].muted is muted
    assert by_rule["k8s-no-dangerous-capabilities"].location.start_line == 16


def test_env_secret_finding_names_the_variable_never_the_value(tmp_path):
    p = write(tmp_path, DEPLOYMENT)
    result, _ = scan_iac([p], ScanOptions(include_rules=["k8s-env-no-secrets"]))
    (f,) = result.findings
    assert "HF_TOKEN" in f.message and "huggingface-token" in f.message and 'container "server"' in f.message
    assert f.location.start_line == 22
    assert HF not in json.dumps([x.to_json() if hasattr(x, "to_json") else str(x) for x in result.findings])
    assert HF not in f.message and HF not in str(f.evidence)


def test_unresolved_container_does_not_hide_a_failing_sibling(tmp_path):
    p = write(
        tmp_path,
        """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: templated
              image: x
              securityContext: {privileged: "{{ .Values.p }}"}
            - name: bad
              image: x
              securityContext: {privileged: true}
        """,
    )
    result, _ = scan_iac([p], ScanOptions(include_rules=["k8s-container-not-privileged"]))
    assert sorted((f.status, f.evidence.path) for f in result.findings) == [
        ("fail", "pod_templates[0].containers[1].privileged"),
        ("unknown", "pod_templates[0].containers[0].privileged"),
    ]


@pytest.mark.parametrize(
    ("path", "flagged"),
    [
        ("/dev/nvidia0", True),
        ("/dev/dri", True),
        ("/dev", True),
        ("/", True),
        ("/var/run", True),
        ("/run/containerd/containerd.sock", True),
        ("/run/nvidia/driver", True),
        ("/dev/../dev/nvidiactl", True),
        ("/mnt/data", False),
        ("/var/log", False),
        ("/devices", False),
    ],
)
def test_sensitive_host_paths(path, flagged):
    from rules.k8s.gpu import sensitive_host_path

    assert (sensitive_host_path(path) is not None) is flagged
