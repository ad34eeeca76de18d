"""Namespace scoping across many tenants: what a grant, a Service or a namespace rule sees is
exactly the objects of its own namespace (and of its own cluster), or every namespace for a
cluster-wide grant. The graph and the rules find these objects through indexes by namespace;
these tests hold the results those indexes must give."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from rules.k8s._common import WORKLOAD, in_namespace
from scanner.collect.iac import collect_iac
from scanner.engine import ScanOptions, build_inventory, scan_inventory
from scanner.graph import k8s
from scanner.graph.build import build_graph
from scanner.model.inventory import Inventory
from scanner.model.resource import SourceRef
from scanner.normalize.k8s import normalize_object

TENANTS = ("t0", "t1", "t2", "t3")

TENANT = """\
apiVersion: v1
kind: ServiceAccount
metadata: {{name: runner, namespace: {ns}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: serving, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: ops, namespace: {ns}}}
rules:
  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [create]
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get]
    resourceNames: [creds]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: ops, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: ops}}
subjects:
  - {{kind: ServiceAccount, name: runner, namespace: {ns}}}
---
apiVersion: batch/v1
kind: Job
metadata: {{name: train, namespace: {ns}}}
spec:
  template:
    spec:
      serviceAccountName: runner
      containers: [{{name: c, image: x}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: serve, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: serve}}}}
  template:
    metadata: {{labels: {{app: serve}}}}
    spec:
      serviceAccountName: serving
      containers: [{{name: c, image: x}}]
---
apiVersion: v1
kind: Service
metadata: {{name: serve, namespace: {ns}}}
spec:
  type: LoadBalancer
  selector: {{app: serve}}
  ports: [{{port: 80}}]
---
apiVersion: v1
kind: Secret
metadata: {{name: creds, namespace: {ns}}}
type: Opaque
---
apiVersion: v1
kind: Secret
metadata: {{name: other, namespace: {ns}}}
type: Opaque
"""

CLUSTER = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-proxy}
rules:
  - apiGroups: [""]
    resources: [nodes/proxy]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node-proxy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-proxy}
subjects:
  - {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: token, namespace: t2}
rules:
  - apiGroups: [""]
    resources: [serviceaccounts/token]
    verbs: [create]
    resourceNames: [serving]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: token, namespace: t2}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: token}
subjects:
  - {kind: ServiceAccount, name: runner, namespace: t1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cross, namespace: t3}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ops}
subjects:
  - {kind: ServiceAccount, name: runner, namespace: t0}
"""


def _graph(tmp_path: Path):
    for ns in TENANTS:
        (tmp_path / f"{ns}.yaml").write_text(TENANT.format(ns=ns))
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    batches, found = collect_iac([tmp_path])
    assert not list(found.errors) + [e for b in batches for e in b.errors]
    return build_graph(build_inventory(batches), ("scanner.graph.k8s",))


def _uid(ns: str, kind: str, name: str) -> str:
    return f"k8s:manifest/{ns}/{kind}/{name}"


def _targets(g, src: str, technique: str) -> set[str]:
    return {e.dst for e in g.edges() if e.src == src and e.technique == technique}


def test_grants_reach_the_objects_of_their_own_namespaces_only(tmp_path):
    g = _graph(tmp_path)
    runner = {ns: k8s.sa_id("manifest", ns, "runner") for ns in TENANTS}
    workloads = {ns: {_uid(ns, "Job", "train"), _uid(ns, "Deployment", "serve")} for ns in TENANTS}
    # a Role in its own namespace: the exec reaches that namespace's pods, resourceNames one secret
    for ns in ("t1", "t2"):
        assert _targets(g, runner[ns], "k8s-pod-exec") == workloads[ns]
        assert _targets(g, runner[ns], "k8s-read-secret") == {_uid(ns, "Secret", "creds")}
    # a second RoleBinding in t3 widens t0's runner to t3, and to nothing else
    assert _targets(g, runner["t0"], "k8s-pod-exec") == workloads["t0"] | workloads["t3"]
    assert _targets(g, runner["t0"], "k8s-read-secret") == {
        _uid("t0", "Secret", "creds"),
        _uid("t3", "Secret", "creds"),
    }
    # a token request granted in t2 reaches t2's named account only
    assert _targets(g, runner["t1"], "k8s-sa-token-request") == {k8s.sa_id("manifest", "t2", "serving")}
    assert not _targets(g, runner["t0"], "k8s-sa-token-request")
    # nodes/proxy cluster-wide: every workload of every namespace
    alice = k8s.user_id("manifest", "alice")
    assert _targets(g, alice, "k8s-nodes-proxy") == set().union(*workloads.values())
    assert not _targets(g, alice, "k8s-pod-exec")


def test_a_loadbalancer_service_exposes_the_workloads_it_selects_in_its_own_namespace(tmp_path):
    g = _graph(tmp_path)
    # every tenant has a Deployment labelled app: serve; each Service selects its own only
    assert {e.dst for e in g.edges() if e.technique == "k8s-exposed-service"} == {
        _uid(ns, "Deployment", "serve") for ns in TENANTS
    }
    for ns in TENANTS:
        (e,) = [
            e
            for e in g.edges()
            if e.technique == "k8s-exposed-service" and e.dst == _uid(ns, "Deployment", "serve")
        ]
        assert e.granted_by == (_uid(ns, "Service", "serve"),)


GPU_JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}, namespace: ml}}
spec:
  template:
    spec:
      containers:
        - name: c
          image: x
          resources: {{limits: {{nvidia.com/gpu: {gpus}}}}}
"""


def _objects(cluster: str, *texts: str):
    out = []
    for text in texts:
        out += normalize_object(
            yaml.safe_load(textwrap.dedent(text)), SourceRef("iac", "m.yaml", 1, 9), cluster
        ).resources
    return out


def test_namespace_rules_keep_clusters_apart_and_see_objects_added_later():
    ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n"
    inv = Inventory()
    inv.extend(_objects("c1", ns, GPU_JOB.format(name="gpu", gpus=1)))
    inv.extend(_objects("c2", ns, GPU_JOB.format(name="cpu", gpus=0)))  # same namespace name, another cluster

    def failing() -> list[str]:
        result = scan_inventory(inv, ScanOptions(include_rules=["k8s-gpu-namespace-has-gpu-quota"]))
        return sorted(f.resource.uid for f in result.findings)

    assert failing() == ["k8s:c1/ml/Namespace/ml"]
    assert [w.name for w in in_namespace(inv, WORKLOAD, "c2", "ml")] == ["cpu"]
    # a GPU workload added to c2 after a first evaluation is seen by the next one
    inv.extend(_objects("c2", GPU_JOB.format(name="gpu2", gpus=2)))
    assert [w.name for w in in_namespace(inv, WORKLOAD, "c2", "ml")] == ["cpu", "gpu2"]
    assert failing() == ["k8s:c1/ml/Namespace/ml", "k8s:c2/ml/Namespace/ml"]
    assert in_namespace(inv, WORKLOAD, "c3", "ml") == []
