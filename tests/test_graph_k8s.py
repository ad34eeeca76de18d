"""The Kubernetes part of the privilege graph, on small manifests run through the real IaC
pipeline (fixtures/graph/k8s/<scenario>/): RBAC scoping, resourceNames, aggregation,
impersonation, exposure, and the links out of the cluster (IRSA, GKE Workload Identity)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx
import pytest

from scanner.collect.iac import collect_iac
from scanner.engine import build_inventory
from scanner.graph import k8s
from scanner.graph.build import build_graph
from scanner.graph.k8s_rbac import Request, rule_allows
from scanner.graph.model import INTERNET, PrivilegeGraph, load_techniques
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, SourceRef

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graph"
ADMIN = "ADMIN@k8s:manifest"


def inventory(*dirs: str) -> Inventory:
    batches, found = collect_iac([FIXTURES / d for d in dirs])
    errors = list(found.errors) + [e for b in batches for e in b.errors]
    assert not errors, errors
    return build_inventory(batches)


def graph_of(inv: Inventory, names=("scanner.graph.gcp", "scanner.graph.k8s")) -> PrivilegeGraph:
    return build_graph(inv, names)  # raises if a contributor fails


def sa(ns: str, name: str) -> str:
    return k8s.sa_id("manifest", ns, name)


def edges(g: PrivilegeGraph, src: str, dst: str) -> dict:
    return {e.technique: e for e in g.edges() if e.src == src and e.dst == dst}


# ------------------------------------------------------------------ RBAC scoping
def test_create_pods_reaches_every_service_account_of_its_namespace_only():
    g = graph_of(inventory("k8s/namespaces"))
    deployer = sa("ml", "deployer")
    for target in (sa("ml", "trainer"), sa("ml", "default")):  # default: the training Job's account
        e = edges(g, deployer, target)["k8s-create-pod"]
        assert e.permissions == ("create pods",) and e.confidence == "certain"
        assert e.granted_by == ("k8s:manifest/ml/RoleBinding/deployer-launches",)
        assert e.location.file == "rbac.yaml" and e.location.start_line == 23
    assert not nx.has_path(g.g, deployer, sa("prod", "other"))
    # and the Job's pods run as default, so the path is workload -> account
    assert edges(g, "k8s:manifest/ml/Job/train", sa("ml", "default"))["k8s-runs-as"]


def test_rolebinding_to_a_clusterrole_grants_only_in_its_namespace():
    g = graph_of(inventory("k8s/namespaces"))
    ci = sa("team-a", "ci")
    e = edges(g, ci, sa("team-a", "runner"))["k8s-create-workload"]
    assert e.permissions == ("create jobs.batch",) and "ClusterRole job-runner" in e.note
    assert g.has(sa("team-b", "runner")) and not nx.has_path(g.g, ci, sa("team-b", "runner"))
    assert not nx.has_path(g.g, ci, ADMIN)


def test_resource_names_limit_secret_reads_to_the_named_secret():
    g = graph_of(inventory("k8s/secrets"))
    reader = sa("ml", "reader")
    path = nx.shortest_path(g.g, reader, sa("ml", "sa-a"))
    assert path == [reader, "k8s:manifest/ml/Secret/token-a", sa("ml", "sa-a")]
    assert not nx.has_path(g.g, reader, "k8s:manifest/ml/Secret/token-b")
    assert not nx.has_path(g.g, reader, sa("ml", "sa-b"))


def test_aggregated_cluster_role_takes_the_rules_of_the_roles_it_selects():
    g = graph_of(inventory("k8s/secrets"))
    agent = sa("mon", "agent")
    e = edges(g, agent, "k8s:manifest/ml/Secret/token-b")["k8s-read-secret"]
    assert e.granted_by == ("k8s:manifest/_cluster/ClusterRoleBinding/agent-monitors",)
    assert "ClusterRole monitoring" in e.note  # the bound role; its own rules list is empty
    assert nx.has_path(g.g, agent, sa("ml", "sa-b"))


def test_impersonating_system_masters_is_cluster_admin():
    g = graph_of(inventory("k8s/impersonate"))
    alice, bob = k8s.user_id("manifest", "alice"), k8s.user_id("manifest", "bob")
    path = nx.shortest_path(g.g, alice, ADMIN)
    assert path == [alice, k8s.group_id("manifest", "system:masters"), ADMIN]
    assert edges(g, alice, path[1])["k8s-impersonate-group"].permissions == ("impersonate groups",)
    # bob may impersonate carol, who holds nothing
    assert edges(g, bob, k8s.user_id("manifest", "carol"))["k8s-impersonate-user"]
    assert not nx.has_path(g.g, bob, ADMIN)


def test_loadbalancer_service_exposes_the_inference_pods_service_account():
    g = graph_of(inventory("k8s/exposed"))
    predictor = "k8s:manifest/serving/Deployment/predictor"
    path = nx.shortest_path(g.g, INTERNET, sa("serving", "predictor"))
    assert path == [INTERNET, predictor, sa("serving", "predictor")]
    e = edges(g, INTERNET, predictor)["k8s-exposed-service"]
    assert e.granted_by == ("k8s:manifest/serving/Service/predictor",) and e.confidence == "certain"
    assert not nx.has_path(g.g, INTERNET, sa("serving", "scorer"))  # behind a ClusterIP Service


# ------------------------------------------------------------------ links out of the cluster
def test_irsa_to_a_role_outside_the_scan_is_an_external_conditional_node():
    g = graph_of(inventory("k8s/cloud-links"))
    arn = "arn:aws:iam::111122223333:role/external-trainer"
    node = g.resolve(arn)
    assert node == f"aws:role:{arn}" and g.node(node).scope == "111122223333"
    e = edges(g, sa("ml", "external"), node)["k8s-irsa"]
    assert e.confidence == "conditional" and e.permissions == ("sts:AssumeRoleWithWebIdentity",)


@pytest.mark.skipif(importlib.util.find_spec("scanner.graph.aws") is None, reason="aws contributor absent")
def test_irsa_path_continues_into_the_aws_role():
    inv = inventory("k8s/cloud-links")
    for rd in Inventory.load(
        FIXTURES / "k8s" / "cloud-links-aws" / "aws-role.inventory.json"
    ).resources.values():
        inv.add(rd)
    g = graph_of(inv, ("scanner.graph.aws", "scanner.graph.gcp", "scanner.graph.k8s"))
    role = g.resolve("arn:aws:iam::111122223333:role/ml-trainer")
    assert role is not None and not role.startswith("aws:role:")  # aws.py's node, by its ARN
    e = edges(g, sa("ml", "trainer"), role)["k8s-irsa"]
    assert e.confidence == "certain"  # the trust policy names system:serviceaccount:ml:trainer
    assert nx.has_path(g.g, sa("ml", "trainer"), "ADMIN@aws:111122223333")
    # a trust policy for another account's subject lets nobody else in
    assert not edges(g, sa("ml", "intruder"), role)


def test_gke_workload_identity_certain_with_both_sides_conditional_with_the_annotation_only():
    g = graph_of(inventory("k8s/cloud-links"))
    gsa = g.resolve("trainer@p1.iam.gserviceaccount.com")
    assert gsa == "tf:google_service_account.trainer"
    both = edges(g, sa("ml", "wi-bound"), gsa)["k8s-gke-workload-identity"]
    assert both.confidence == "certain" and both.location.file == "wi.tf"
    only = edges(g, sa("ml", "wi-annotated"), gsa)["k8s-gke-workload-identity"]
    assert only.confidence == "conditional" and only.location.file == "serviceaccounts.yaml"
    # and on through GCP: the Google account owns p1
    assert nx.has_path(g.g, sa("ml", "wi-bound"), "ADMIN@gcp:p1")


# ------------------------------------------------------------------ units
@pytest.mark.parametrize(
    ("rule", "action", "name", "allowed"),
    [
        ({"verbs": ["*"], "api_groups": [""], "resources": ["pods"]}, "create pods", None, True),
        ({"verbs": ["create"], "api_groups": [""], "resources": ["pods"]}, "create pods/exec", None, False),
        ({"verbs": ["create"], "api_groups": [""], "resources": ["*/exec"]}, "create pods/exec", None, True),
        ({"verbs": ["create"], "api_groups": ["apps"], "resources": ["*"]}, "create jobs.batch", None, False),
        (
            {"verbs": ["get"], "api_groups": [""], "resources": ["secrets"], "resource_names": ["a"]},
            "get secrets",
            None,
            False,
        ),
        (
            {"verbs": ["get"], "api_groups": [""], "resources": ["secrets"], "resource_names": ["a"]},
            "get secrets",
            "a",
            True,
        ),
        ({"verbs": ["get"], "api_groups": ["*"], "resources": ["*"]}, "* *.*", None, False),
    ],
)
def test_rule_matching_follows_the_api_server(rule, action, name, allowed):
    assert rule_allows(rule, Request.parse(action), name) is allowed


def test_every_k8s_technique_parses_and_structural_ones_need_no_permissions():
    techs = [t for t in load_techniques().values() if t.provider == "k8s"]
    assert len({t.id for t in techs}) == len(techs) >= 20
    for t in techs:
        if t.extra["kind"] == "structural":
            continue  # no RBAC verbs: they follow from what is declared
        assert t.permissions, t.id
        for alt in [t.permissions, *t.extra.get("alternatives", [])]:
            for p in alt:
                Request.parse(p.action if hasattr(p, "action") else p["action"])


def test_cluster_wide_star_rule_is_cluster_admin_and_a_role_outside_the_scan_grants_nothing():
    def res(uid, rtype, attrs, name, region=None):
        return Resource(uid, rtype, "k8s", name, attrs, SourceRef("live"), account="c1", region=region)

    inv = Inventory()
    inv.add(
        res(
            "k8s:c1/_cluster/ClusterRole/all",
            "k8s.cluster_role",
            {"rules": [{"api_groups": ["*"], "resources": ["*"], "verbs": ["*"]}]},
            "all",
        )
    )
    for n, role in (("root", "all"), ("ghost", "missing")):
        inv.add(
            res(
                f"k8s:c1/_cluster/ClusterRoleBinding/{n}",
                "k8s.cluster_role_binding",
                {
                    "role_ref": {"kind": "ClusterRole", "name": role},
                    "subjects": [{"kind": "ServiceAccount", "name": n, "namespace": "ops"}],
                },
                n,
            )
        )
        inv.relate(f"k8s:c1/_cluster/ClusterRoleBinding/{n}", "binds", f"k8s:c1/_cluster/ClusterRole/{role}")
    g = graph_of(inv)
    assert (
        edges(g, k8s.sa_id("c1", "ops", "root"), "ADMIN@k8s:c1")["k8s-cluster-admin"].confidence == "certain"
    )
    assert not any(g.edges_from(k8s.sa_id("c1", "ops", "ghost")))


# ------------------------------------------------------------------ the other RBAC techniques
@pytest.mark.parametrize(
    ("account", "technique"),
    [
        ("binder", "k8s-cluster-bind"),
        ("approver", "k8s-csr-approve"),
        ("hooker", "k8s-mutating-webhook"),
        ("authmapper", "k8s-aws-auth-update"),
    ],
)
def test_cluster_level_escalations_reach_cluster_admin(account, technique):
    g = graph_of(inventory("k8s/escalation"))
    e = edges(g, sa("ops", account), ADMIN)[technique]
    assert e.confidence == "certain"  # aws-auth: the ConfigMap is in the scan, so this is EKS
    assert e.location.file == "rbac.yaml"
    catalogue = load_techniques()[technique]
    sets = [[p.action for p in catalogue.permissions]] + [
        [p["action"] for p in alt] for alt in catalogue.extra.get("alternatives", [])
    ]
    assert list(e.permissions) in sets  # the permissions of one complete set, as the catalogue says


def test_exec_and_node_proxy_reach_running_workloads_and_token_requests_only_named_accounts():
    g = graph_of(inventory("k8s/escalation"))
    web, batch = "k8s:manifest/ops/Deployment/web", "k8s:manifest/other/Deployment/batch"
    assert edges(g, sa("ops", "execer"), web)["k8s-pod-exec"].permissions == ("create pods/exec",)
    assert not edges(g, sa("ops", "execer"), batch)  # its Role is in ops only
    assert nx.shortest_path(g.g, sa("ops", "execer"), sa("ops", "web")) == [
        sa("ops", "execer"),
        web,
        sa("ops", "web"),
    ]
    assert set(edges(g, sa("ops", "proxier"), batch)) == {"k8s-nodes-proxy"}  # nodes/proxy: any node's pods
    assert edges(g, sa("ops", "tokener"), sa("ops", "web"))["k8s-sa-token-request"]
    assert not edges(g, sa("ops", "tokener"), sa("ops", "helper"))  # resourceNames: [web]


def test_aws_auth_maps_iam_principals_into_the_cluster():
    g = graph_of(inventory("k8s/escalation"))
    role = g.resolve("arn:aws:iam::111122223333:role/eks-admins")
    assert nx.shortest_path(g.g, role, ADMIN) == [role, k8s.group_id("manifest", "system:masters"), ADMIN]
    dana = g.resolve("arn:aws:iam::111122223333:user/dana")
    assert edges(g, dana, k8s.group_id("manifest", "ml-devs"))["k8s-aws-auth-mapping"]
    assert not nx.has_path(g.g, dana, ADMIN)


def test_workload_identity_federation_member_is_the_kubernetes_service_account():
    g = graph_of(inventory("k8s/escalation"))
    fed = sa("ops", "fed")
    path = nx.shortest_path(g.g, fed, "tf:google_storage_bucket.features")
    assert path == [
        fed,
        "gcp:member:serviceAccount:p1.svc.id.goog[ops/fed]",
        "tf:google_storage_bucket.features",
    ]


def test_unreadable_rbac_attributes_grant_nothing_and_break_nothing():
    from scanner.model.resource import Unresolved

    inv = Inventory()
    src = SourceRef("iac", "odd.yaml", 1, 9)
    inv.add(
        Resource(
            "k8s:c1/_cluster/ClusterRole/odd",
            "k8s.cluster_role",
            "k8s",
            "odd",
            {"rules": Unresolved("rules"), "aggregation_selectors": Unresolved("sel")},
            src,
            account="c1",
        )
    )
    inv.add(
        Resource(
            "k8s:c1/_cluster/ClusterRoleBinding/odd",
            "k8s.cluster_role_binding",
            "k8s",
            "odd",
            {"role_ref": {"kind": "ClusterRole", "name": "odd"}, "subjects": Unresolved("subjects")},
            src,
            account="c1",
        )
    )
    inv.add(
        Resource(
            "k8s:c1/ml/Deployment/w",
            "k8s.workload",
            "k8s",
            "w",
            {"namespace": "ml", "pod_templates": Unresolved("templates")},
            src,
            account="c1",
            region="ml",
        )
    )
    inv.relate("k8s:c1/_cluster/ClusterRoleBinding/odd", "binds", "k8s:c1/_cluster/ClusterRole/odd")
    g = graph_of(inv)
    assert g.has("k8s:c1/ml/Deployment/w") and g.has("ADMIN@k8s:c1")
    assert [e.technique for e in g.edges()] == ["k8s-system-masters"]
