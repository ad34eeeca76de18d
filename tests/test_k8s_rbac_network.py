"""Kubernetes RBAC, network exposure and the NVIDIA GPU stack: normalization of each kind
and the rules' verdicts on the cases the examples do not cover."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rules.k8s.gpu_stack import version_tuple
from rules.k8s.rbac_model import grants, is_system_subject
from scanner.collect.iac.discover import Limits
from scanner.collect.iac.kubernetes import load
from scanner.engine import ScanOptions, scan_iac
from scanner.model.resource import SourceRef, Unresolved
from scanner.normalize.k8s import normalize_object


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def loaded(tmp_path: Path, text: str):
    b = load([write(tmp_path, text)], tmp_path, Limits())
    assert not b.errors, b.errors
    return b


def of(batch, rtype: str) -> dict:
    return {r.name: r for r in batch.resources if r.type == rtype}


def verdicts(tmp_path: Path, text: str, rule: str) -> dict[str, str]:
    result, _ = scan_iac([write(tmp_path, text)], ScanOptions(include_rules=[rule]))
    assert not result.errors, result.errors
    return {f.resource.name: f.status for f in result.findings}


# ------------------------------------------------------------------ RBAC
def test_service_account_cloud_identities(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: infer
          namespace: ml
          annotations:
            eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/infer
            iam.gke.io/gcp-service-account: infer@proj.iam.gserviceaccount.com
        automountServiceAccountToken: false
        imagePullSecrets: [{name: regcred}]
        """,
    )
    sa = of(b, "k8s.service_account")["infer"]
    assert sa.uid == "k8s:manifest/ml/ServiceAccount/infer"
    assert sa.attrs["aws_role_arn"] == "arn:aws:iam::111122223333:role/infer"
    assert sa.attrs["gcp_service_account"] == "infer@proj.iam.gserviceaccount.com"
    assert sa.attrs["automount_service_account_token"] is False
    assert sa.attrs["image_pull_secrets"] == ["regcred"]
    assert sa.lines["aws_role_arn"] == 7
    kinds = {(r.kind, r.dst) for r in b.relations}
    assert ("assumes_role", "arn:aws:iam::111122223333:role/infer") in kinds
    assert ("acts_as", "infer@proj.iam.gserviceaccount.com") in kinds


def test_roles_bindings_and_relations(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: reader, namespace: ml}
        rules:
          - apiGroups: [""]
            resources: [Secrets]
            verbs: [GET]
            resourceNames: [hf-token]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: agg
          labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
        aggregationRule:
          clusterRoleSelectors: [{matchLabels: {team: ml}}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: rb, namespace: ml}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
        subjects:
          - {kind: ServiceAccount, name: infer}
          - {kind: User, name: alice}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: crb}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg}
        subjects: [{kind: Group, name: devs}]
        """,
    )
    role = of(b, "k8s.role")["reader"]
    assert role.attrs["rules"] == [
        {
            "api_groups": [""],
            "resources": ["secrets"],
            "verbs": ["get"],
            "resource_names": ["hf-token"],
            "non_resource_urls": [],
        }
    ]
    cr = of(b, "k8s.cluster_role")["agg"]
    assert cr.uid == "k8s:manifest/_cluster/ClusterRole/agg" and cr.region is None
    assert cr.attrs["aggregation_selectors"] == [{"team": "ml"}] and cr.attrs["aggregate_to"] == ["edit"]
    rb = of(b, "k8s.role_binding")["rb"]
    assert rb.attrs["role_ref"]["kind"] == "Role"
    assert [s["namespace"] for s in rb.attrs["subjects"]] == ["ml", None]  # an SA defaults to the binding's
    rels = {(r.src.rsplit("/", 1)[1], r.kind, r.dst) for r in b.relations}
    assert ("rb", "binds", "k8s:manifest/ml/Role/reader") in rels
    assert ("rb", "grants_to", "k8s:manifest/ml/ServiceAccount/infer") in rels
    assert ("rb", "grants_to", "k8s:manifest/_cluster/User/alice") in rels
    assert ("crb", "binds", "k8s:manifest/_cluster/ClusterRole/agg") in rels


@pytest.mark.parametrize(
    "subject, system",
    [
        ({"kind": "Group", "name": "system:masters"}, True),
        ({"kind": "Group", "name": "system:authenticated"}, False),
        ({"kind": "Group", "name": "system:serviceaccounts:ml"}, False),
        ({"kind": "User", "name": "system:serviceaccount:kube-system:x"}, True),
        ({"kind": "User", "name": "system:serviceaccount:ml:x"}, False),
        ({"kind": "ServiceAccount", "name": "x", "namespace": "kube-system"}, True),
        ({"kind": "ServiceAccount", "name": "x", "namespace": "ml"}, False),
    ],
)
def test_system_subjects(subject, system):
    assert is_system_subject(subject) is system


def test_rbac_resource_matching():
    rule = {"api_groups": [""], "resources": ["*/exec"], "verbs": ["create"], "resource_names": []}
    assert grants([rule], "", "pods/exec", ["create"]) == ["create"]
    assert grants([rule], "", "pods", ["create"]) == []
    other_group = {**rule, "api_groups": ["apps"], "resources": ["*"]}
    assert grants([other_group], "", "secrets", ["get"]) == []


def test_rbac_rules_skip_system_only_bindings_even_to_unknown_roles(tmp_path):
    got = verdicts(
        tmp_path,
        """\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: nodes}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:node}
        subjects: [{kind: Group, name: system:nodes}]
        """,
        "k8s-rbac-no-secret-read-for-tenants",
    )
    assert got == {}


# ------------------------------------------------------------------ network
def test_network_policy_default_deny(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-all, namespace: ml}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: allow, namespace: ml}
        spec:
          podSelector: {matchLabels: {app: llm}}
          ingress: [{}]
          egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
        """,
    )
    deny, allow = of(b, "k8s.network_policy")["deny-all"], of(b, "k8s.network_policy")["allow"]
    assert deny.attrs["default_deny_ingress"] and deny.attrs["default_deny_egress"]
    assert not allow.attrs["default_deny_ingress"] and allow.attrs["ingress_allows_all"]
    assert (
        allow.attrs["policy_types"] == ["Ingress", "Egress"] and allow.provenance["policy_types"] == "default"
    )
    assert allow.attrs["pod_selector"]["match_labels"] == {"app": "llm"}


@pytest.mark.parametrize(
    "annotations, lb_class, internal",
    [
        ({}, None, False),
        ({"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}, None, True),
        ({"networking.gke.io/load-balancer-type": "Internal"}, None, True),
        ({"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}, None, True),
        ({"service.beta.kubernetes.io/aws-load-balancer-type": "external"}, None, True),  # LBC default
        (
            {
                "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            },
            None,
            False,
        ),
        ({}, "service.k8s.aws/nlb", True),
    ],
)
def test_internal_load_balancer(annotations, lb_class, internal):
    obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "annotations": annotations},
        "spec": {"type": "LoadBalancer", "loadBalancerClass": lb_class, "selector": {"app": "x"}},
    }
    (svc,) = normalize_object(obj, SourceRef("live")).resources
    assert svc.type == "k8s.service" and svc.attrs["internal_load_balancer"] is internal


def test_ingress_and_http_route(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: llm
          namespace: ml
          annotations: {nginx.ingress.kubernetes.io/auth-url: "https://auth.example.com/check"}
        spec:
          ingressClassName: nginx
          tls: [{hosts: [llm.example.com]}]
          rules:
            - host: llm.example.com
              http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: llm, port: {number: 80}}}}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: route, namespace: ml}
        spec:
          parentRefs: [{name: public-gw}]
          hostnames: [api.example.com]
          rules: [{backendRefs: [{name: llm, port: 80}]}]
        """,
    )
    ing, route = of(b, "k8s.ingress")["llm"], of(b, "k8s.ingress")["route"]
    assert ing.attrs["hosts"] == ["llm.example.com"] and ing.attrs["tls"] is True
    assert ing.attrs["backends"] == ["llm"] and ing.attrs["auth"] == "ingress-nginx external auth"
    assert ing.attrs["ingress_class"] == "nginx"
    assert route.attrs["kind"] == "HTTPRoute" and route.attrs["ingress_class"] == "public-gw"
    assert route.attrs["hosts"] == ["api.example.com"] and route.attrs["backends"] == ["llm"]


def test_pod_labels_on_templates(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: llm, namespace: ml, labels: {team: a}}
        spec:
          template:
            metadata: {labels: {app: llm}}
            spec: {containers: [{name: c, image: x}]}
        ---
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: kn, namespace: ml}
        spec:
          template:
            metadata: {labels: {tier: gpu}}
            spec: {containers: [{image: x}]}
        """,
    )
    w = of(b, "k8s.workload")
    assert w["llm"].attrs["pod_templates"][0]["labels"] == {"app": "llm"}
    assert w["kn"].attrs["pod_templates"][0]["labels"] == {"tier": "gpu", "serving.knative.dev/service": "kn"}


def test_loadbalancer_on_unresolved_gpu_is_unknown(tmp_path):
    got = verdicts(
        tmp_path,
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: maybe-gpu, namespace: ml}
        spec:
          template:
            metadata: {labels: {app: x}}
            spec:
              containers: [{name: c, image: x, resources: {limits: {nvidia.com/gpu: "{{ .Values.gpus }}"}}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: lb, namespace: ml}
        spec: {type: LoadBalancer, selector: {app: x}}
        """,
        "k8s-inference-not-exposed-by-loadbalancer",
    )
    assert got == {"lb": "unknown"}


# ------------------------------------------------------------------ GPU stack
def test_device_plugin_config_map(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: plugin, namespace: gpu-operator}
        data:
          a100: |-
            version: v1
            flags:
              migStrategy: mixed
              plugin: {deviceListStrategy: [volume-mounts, cdi-annotations]}
            sharing:
              timeSlicing:
                failRequestsGreaterThanOne: true
                resources:
                  - {name: nvidia.com/gpu, replicas: 4}
                  - {name: nvidia.com/mig-1g.10gb, replicas: 8}
          notes: "not a plugin config"
        """,
    )
    assert set(of(b, "k8s.config_map")) == {"plugin"}  # still a ConfigMap for the secrets rules
    (cfg,) = of(b, "k8s.gpu_device_plugin_config").values()
    assert (
        cfg.name == "plugin:a100"
        and cfg.uid == "k8s:manifest/gpu-operator/NvidiaDevicePluginConfig/plugin:a100"
    )
    assert cfg.attrs["sharing_strategy"] == "time-slicing" and cfg.attrs["replicas"] == 8
    assert cfg.attrs["fail_requests_greater_than_one"] is True and cfg.attrs["mig_strategy"] == "mixed"
    assert cfg.attrs["device_list_strategy"] == ["volume-mounts", "cdi-annotations"]
    assert cfg.lines["replicas"] == 5
    assert any(r.kind == "defined_in" and r.dst.endswith("/ConfigMap/plugin") for r in b.relations)


def test_device_plugin_daemonset_flags(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: plugin, namespace: kube-system}
        spec:
          template:
            spec:
              containers:
                - name: plugin
                  image: nvcr.io/nvidia/k8s-device-plugin:v0.17.0
                  args: [--device-list-strategy, envvar]
                  env:
                    - {name: DEVICE_LIST_STRATEGY, value: volume-mounts}
                    - {name: ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED, value: "true"}
                - name: gfd
                  image: nvcr.io/nvidia/k8s-device-plugin:v0.17.0
                  command: [gpu-feature-discovery]
        """,
    )
    assert set(of(b, "k8s.workload")) == {"plugin"}
    cfg = of(b, "k8s.gpu_device_plugin_config")["plugin"]
    assert cfg.attrs["device_list_strategy"] == ["envvar"]  # the flag wins over the variable
    assert cfg.attrs["accept_envvar_unprivileged"] is True and cfg.attrs["uses_config_file"] is False


def test_cluster_policy(tmp_path):
    b = loaded(
        tmp_path,
        """\
        apiVersion: nvidia.com/v1
        kind: ClusterPolicy
        metadata:
          name: cluster-policy
          labels: {helm.sh/chart: gpu-operator-v25.3.1}
        spec:
          toolkit: {enabled: true, image: "nvcr.io/nvidia/k8s/container-toolkit:v1.17.8-ubuntu20.04"}
          devicePlugin: {config: {name: plugin-config, default: any}}
          cdi: {enabled: true}
          mig: {strategy: mixed}
        """,
    )
    (p,) = of(b, "k8s.gpu_operator_policy").values()
    assert p.uid == "k8s:manifest/_cluster/ClusterPolicy/cluster-policy"
    assert p.attrs["operator_version"] == "v25.3.1"
    assert p.attrs["toolkit_version"] == "v1.17.8-ubuntu20.04"
    assert p.attrs["device_plugin_config"] == {"name": "plugin-config", "default": "any"}
    assert p.attrs["cdi_enabled"] is True and p.attrs["mig_strategy"] == "mixed"
    assert p.attrs["device_list_strategy"] == ["cdi-annotations"]  # CDI on: the operator's choice
    assert (
        p.attrs["accept_envvar_unprivileged"] is True
        and p.provenance["accept_envvar_unprivileged"] == "default"
    )


def test_unresolved_replicas_is_unknown(tmp_path):
    text = """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: plugin, namespace: gpu-operator}
        data:
          any: |-
            version: v1
            sharing:
              timeSlicing:
                resources: [{name: nvidia.com/gpu, replicas: many}]
        """
    b = loaded(tmp_path, text)
    assert isinstance(of(b, "k8s.gpu_device_plugin_config")["plugin:any"].attrs["replicas"], Unresolved)
    assert verdicts(tmp_path, text, "k8s-gpu-sharing-not-across-tenants") == {"plugin:any": "unknown"}


@pytest.mark.parametrize(
    "tag, want",
    [("v1.17.8-ubuntu20.04", (1, 17, 8)), ("1.16.1", (1, 16, 1)), ("v25.3", (25, 3, 0)), ("latest", None)],
)
def test_version_tuple(tag, want):
    assert version_tuple(tag) == want


def test_toolkit_finding_names_the_open_cves(tmp_path):
    result, _ = scan_iac(
        [
            write(
                tmp_path,
                """\
                apiVersion: nvidia.com/v1
                kind: ClusterPolicy
                metadata: {name: cp}
                spec: {toolkit: {version: v1.17.3-ubi8}}
                """,
            )
        ],
        ScanOptions(include_rules=["k8s-gpu-container-toolkit-patched"]),
    )
    (f,) = result.findings
    assert "CVE-2025-23359" in f.message and "CVE-2025-23266" in f.message
    assert "CVE-2024-0132" not in f.message  # fixed in 1.16.2


def test_alias_bomb_inside_a_device_plugin_configmap_is_a_scan_error(tmp_path):
    """The config a ConfigMap embeds is parsed with the same limits as a manifest."""
    from scanner.engine import ScanOptions, scan_iac

    bomb = ["version: v1", "sharing: {}", 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    text = "\n".join("    " + line for line in bomb)
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nvidia-device-plugin-config\n"
        "  namespace: gpu-operator\ndata:\n  config.yaml: |\n" + text + "\n"
    )
    result, _ = scan_iac([tmp_path], ScanOptions())
    assert any("device plugin config" in e.reason for e in result.errors), result.errors
