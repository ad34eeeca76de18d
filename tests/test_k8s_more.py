"""The remaining Kubernetes items: LimitRange normalization, RBAC escalation verbs, cloud
identities of inference service accounts, routes to model servers and the GPU platform
rules, on the cases the rules' own examples do not cover."""

from __future__ import annotations

import textwrap
from pathlib import Path

from scanner.collect.iac.discover import Limits
from scanner.collect.iac.kubernetes import load
from scanner.engine import ScanOptions, scan_iac
from scanner.model.types import RESOURCE_TYPES


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def verdicts(tmp_path: Path, text: str, rule: str) -> dict[str, set[str]]:
    result, _ = scan_iac([write(tmp_path, text)], ScanOptions(include_rules=[rule]))
    assert not result.errors, result.errors
    out: dict[str, set[str]] = {}
    for f in result.findings:
        out.setdefault(f.resource.name, set()).add(f.status)
    return out


def test_limit_range_normalized(tmp_path):
    b = load(
        [
            write(
                tmp_path,
                """\
                apiVersion: v1
                kind: LimitRange
                metadata: {name: defaults, namespace: ml}
                spec:
                  limits:
                    - type: Pod
                      max: {cpu: "64"}
                    - type: Container
                      default: {cpu: 4, memory: 32Gi, nvidia.com/gpu: 1}
                      defaultRequest: {cpu: "1"}
                      max: {memory: 128Gi}
                """,
            )
        ],
        tmp_path,
        Limits(),
    )
    assert not b.errors, b.errors
    (lr,) = [r for r in b.resources if r.type == "k8s.limit_range"]
    assert lr.uid == "k8s:manifest/ml/LimitRange/defaults"
    assert lr.attrs["default_limits"] == {"cpu": "4", "memory": "32Gi", "nvidia.com/gpu": "1"}
    assert lr.attrs["default_requests"] == {"cpu": "1"}
    assert lr.attrs["max"] == {"memory": "128Gi"}  # the Pod item's max is not a container's
    assert lr.attrs["types"] == ["Pod", "Container"]
    assert lr.lines["default_limits"] == 9
    assert set(lr.attrs) <= set(RESOURCE_TYPES["k8s.limit_range"].attrs) | {"namespace"}
    assert [(r.kind, r.dst) for r in b.relations] == [("limits_for", "k8s:manifest/ml/Namespace/ml")]


def test_limit_range_in_another_namespace_does_not_count(tmp_path):
    got = verdicts(
        tmp_path,
        """\
        apiVersion: v1
        kind: Namespace
        metadata: {name: train}
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {name: defaults, namespace: other}
        spec:
          limits:
            - default: {cpu: "4", memory: 8Gi}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: train}
        spec:
          containers:
            - {name: c, image: x, resources: {limits: {nvidia.com/gpu: 1}}}
        """,
        "k8s-gpu-workload-limit-range",
    )
    assert got == {"train": {"fail"}}


BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: b, namespace: ml}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}
subjects:
  - {{apiGroup: rbac.authorization.k8s.io, kind: Group, name: team}}
"""


def test_builtin_roles_and_missing_roles(tmp_path):
    rule = "k8s-rbac-no-escalate-bind-impersonate"
    # edit impersonates service accounts of its namespace; view does nothing of the kind
    edit = BINDING.format(kind="RoleBinding", role_kind="ClusterRole", role="edit")
    assert verdicts(tmp_path, edit, rule) == {"b": {"fail"}}
    view = BINDING.format(kind="RoleBinding", role_kind="ClusterRole", role="view")
    assert verdicts(tmp_path, view, rule) == {}
    # cluster-admin's wildcard verbs include all three, nodes/proxy and token creation
    admin = BINDING.format(kind="ClusterRoleBinding", role_kind="ClusterRole", role="cluster-admin")
    for r in (rule, "k8s-rbac-no-nodes-proxy", "k8s-rbac-no-token-create"):
        assert verdicts(tmp_path, admin, r) == {"b": {"fail"}}, r
    # a role that is not in the scan cannot be judged
    missing = BINDING.format(kind="RoleBinding", role_kind="Role", role="somewhere-else")
    assert verdicts(tmp_path, missing, "k8s-rbac-no-token-create") == {"b": {"unknown"}}


def test_cloud_identity_pod_opt_out_and_templated_automount(tmp_path):
    rule = "k8s-service-account-cloud-identity-scoped"
    base = """\
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: sa
          namespace: ml
          annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/r"}
        %s
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: isvc, namespace: ml}
        spec:
          predictor:
            serviceAccountName: sa
            automountServiceAccountToken: %s
            model: {modelFormat: {name: sklearn}, storageUri: "s3://m/x"}
        """
    # every inference pod opts out: nothing is mounted
    assert verdicts(tmp_path, base % ("", "false"), rule) == {}
    # the pod opts in although the account opts out: the account is not the one to fix
    assert verdicts(tmp_path, base % ("automountServiceAccountToken: false", "true"), rule) == {}
    templated = base % ('automountServiceAccountToken: "{{ .Values.automount }}"', "false")
    assert verdicts(tmp_path, templated, rule) == {"sa": {"unknown"}}


def test_route_to_inference_service_with_serving_auth_passes(tmp_path):
    rule = "k8s-inference-ingress-tls-and-auth"
    text = """\
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: embedder
          namespace: ml
          annotations: {%s}
        spec:
          template:
            spec:
              containers: [{image: registry.example.com/embedder:1.0}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: route, namespace: ml}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - backendRefs: [{name: embedder}]
        """
    assert verdicts(tmp_path, text % "", rule) == {"route": {"fail"}}
    assert verdicts(tmp_path, text % 'serving.kserve.io/enable-auth: "true"', rule) == {}


def test_mig_strategy_not_judged_without_mig_workloads(tmp_path):
    text = """\
        apiVersion: nvidia.com/v1
        kind: ClusterPolicy
        metadata: {name: policy}
        spec:
          mig: {strategy: none}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - {name: c, image: x, resources: {limits: {%s: 1}}}
        """
    assert verdicts(tmp_path, text % "nvidia.com/gpu", "k8s-gpu-mig-strategy-declared") == {}
    got = verdicts(tmp_path, text % "nvidia.com/mig-3g.40gb", "k8s-gpu-mig-strategy-declared")
    assert got == {"policy": {"fail"}}
