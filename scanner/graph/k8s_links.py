"""Edges out of a Kubernetes cluster into the clouds: IRSA and EKS Pod Identity (a service
account -> an AWS role), GKE Workload Identity (a service account -> a Google service
account, or the federated member ``serviceAccount:<project>.svc.id.goog[<ns>/<name>]``).

A role or Google account the scan does not hold still gets a node (``aws:role:<arn>``,
``gcp:member:serviceAccount:<email>``) so the path shows where it leaves the scan."""

from __future__ import annotations

import fnmatch
import re

from scanner.graph import gcp_iam
from scanner.graph.model import Edge, Node, PrivilegeGraph
from scanner.model.finding import Location
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource

SA = "k8s.service_account"
POD_IDENTITY = "aws.eks.pod_identity_association"
_ARN_ACCOUNT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):")
_WI_MEMBER = re.compile(r"^serviceAccount:([\w.:-]+)\.svc\.id\.goog\[([^/\]]+)/([^\]]+)\]$")
WI_ROLE = "roles/iam.workloadIdentityUser"


def _loc(r: Resource, attr: str) -> Location | None:
    return Location(r.source.file, r.line_of(attr), r.line_of(attr)) if r.source.file else None


def aws_principal(graph: PrivilegeGraph, arn: str, kind: str = "role") -> str:
    """The node of an AWS role or user by ARN: aws.py's when it holds it, else an external one."""
    found = graph.resolve(arn)
    if found is not None:
        return found
    node_id = f"aws:{kind}:{arn}"
    m = _ARN_ACCOUNT.match(arn)
    label = f"{kind} {arn.rsplit('/', 1)[-1]} (not in the scan)"
    graph.add_node(Node(node_id, "principal", f"aws.iam.{kind}", label, "aws", m.group(1) if m else None))
    graph.alias(arn, node_id)
    return node_id


# ------------------------------------------------------------------ IRSA
def _listify(v) -> list:
    return v if isinstance(v, list) else [v] if v is not None else []


def irsa_trust(role: Resource | None, namespace: str, name: str) -> tuple[str, str] | None:
    """(confidence, note) of IRSA into `role` for the service account, from its trust policy;
    None when the trust policy, as written, does not let this account in."""
    if role is None:
        return "conditional", "the role is not in the scan: its trust policy is not known"
    doc = role.attrs.get("assume_role_policy")
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list):
        return "conditional", "the role's trust policy is not known"
    subject = f"system:serviceaccount:{namespace}:{name}"
    undecided = False
    for st in doc["Statement"]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        actions = [str(a).lower() for a in _listify(st.get("Action"))]
        if not any(a in ("*", "sts:*", "sts:assumerolewithwebidentity") for a in actions):
            continue
        principal = st.get("Principal")
        fed = principal.get("Federated") if isinstance(principal, dict) else None
        if not any(isinstance(f, str) and "oidc-provider/" in f for f in _listify(fed)):
            if not any(not isinstance(f, str) for f in _listify(fed)):
                continue
            undecided = True
        verdict = _sub_condition(st.get("Condition"), subject)
        if verdict is True and not undecided:
            return "certain", "the role trusts the cluster's OIDC provider for this account"
        if verdict is not False:
            undecided = True
    if undecided:
        return "conditional", "the role's trust policy could not be decided for this account"
    return None


def _sub_condition(cond, subject: str) -> bool | None:
    """Whether the `:sub` conditions of a statement admit `subject` (None: cannot say)."""
    if cond is None:
        return True
    if not isinstance(cond, dict):
        return None
    verdict: bool | None = True
    for op, body in cond.items():
        if not isinstance(body, dict):
            return None
        for key, values in body.items():
            if not str(key).endswith(":sub"):
                continue
            vals = _listify(values)
            if not all(isinstance(v, str) for v in vals):
                verdict = None
                continue
            like = op.startswith("StringLike")
            if op.startswith(("StringEquals", "StringLike")):
                hit = any(fnmatch.fnmatchcase(subject, v) if like else subject == v for v in vals)
                if not hit:
                    return False
            else:
                verdict = None
    return verdict


def _irsa(inv: Inventory, graph: PrivilegeGraph, sa: Resource) -> None:
    arn = sa.attrs.get("aws_role_arn")
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return
    role_node = aws_principal(graph, arn)
    trust = irsa_trust(inv.get(role_node), sa.region or "default", sa.name)
    if trust is None or not graph.has(sa.uid):
        return
    conf, note = trust
    graph.add_edge(
        Edge(
            sa.uid,
            role_node,
            "k8s-irsa",
            ("sts:AssumeRoleWithWebIdentity",),
            conf,
            granted_by=(sa.uid,),
            location=_loc(sa, "aws_role_arn"),
            note=note,
        )
    )


def _pod_identity(inv: Inventory, graph: PrivilegeGraph) -> None:
    """aws_eks_pod_identity_association: the namespace/name service account -> the role. The
    cluster name of a manifest is not known, so an association matches by namespace and name."""
    for a in inv.of_type(POD_IDENTITY):
        ns, name, role = (a.attrs.get(k) for k in ("namespace", "service_account", "role_arn"))
        if not (isinstance(ns, str) and isinstance(name, str)):
            continue
        if isinstance(role, Ref):
            role_node = graph.resolve(role.uid)
        elif isinstance(role, str) and role.startswith("arn:"):
            role_node = aws_principal(graph, role)
        else:
            role_node = None
        if role_node is None:
            continue
        cluster = a.attrs.get("cluster_name")
        for sa in inv.of_type(SA):
            if sa.region != ns or sa.name != name or not graph.has(sa.uid):
                continue
            exact = isinstance(cluster, str) and sa.account == cluster
            graph.add_edge(
                Edge(
                    sa.uid,
                    role_node,
                    "k8s-eks-pod-identity",
                    ("eks-auth:AssumeRoleForPodIdentity",),
                    "certain" if exact else "conditional",
                    () if exact else ("the association's cluster is not known to be this one",),
                    granted_by=(a.uid,),
                    location=_loc(a, "role_arn"),
                )
            )


# ------------------------------------------------------------------ GKE Workload Identity
def _gke_wi(inv: Inventory, graph: PrivilegeGraph, sa: Resource, members: dict) -> None:
    ns, name = sa.region or "default", sa.name
    for member_node in members.get((ns, name), ()):  # roles granted to the KSA itself
        graph.add_edge(
            Edge(sa.uid, member_node, "k8s-gke-workload-identity-principal", location=_loc(sa, "namespace"))
        )
    email = sa.attrs.get("gcp_service_account")
    if not isinstance(email, str) or "@" not in email:
        return
    gsa = gcp_iam.member_node(graph, f"serviceAccount:{email}")
    if "gcp.grants" not in graph.state:
        # the GCP contributor keeps the scan's grants only when the scan has GCP resources;
        # without them every annotated account would list every resource again for none
        graph.state["gcp.grants"] = gcp_iam.grants(inv)
    found = gcp_iam.workload_identity_grant(inv, graph, gsa, ns, name)
    if found is not None:
        binding, where = found
        edge = Edge(
            sa.uid,
            gsa,
            "k8s-gke-workload-identity",
            ("iam.serviceAccounts.getAccessToken",),
            "certain",
            granted_by=(binding,),
            location=where,
            note=f"{WI_ROLE} for {ns}/{name} and the annotation",
        )
    else:
        edge = Edge(
            sa.uid,
            gsa,
            "k8s-gke-workload-identity",
            ("iam.serviceAccounts.getAccessToken",),
            "conditional",
            ("roles/iam.workloadIdentityUser binding not in the scan",),
            granted_by=(sa.uid,),
            location=_loc(sa, "gcp_service_account"),
            note="only the annotation is in the scan",
        )
    graph.add_edge(edge)


def _wi_members(graph: PrivilegeGraph) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for n in graph.nodes("principal"):
        if n.type == "gcp.member" and (m := _WI_MEMBER.match(n.label)):
            out.setdefault((m.group(2), m.group(3)), []).append(n.id)
    return out


def add_edges(inv: Inventory, graph: PrivilegeGraph) -> None:
    members = _wi_members(graph)
    for sa in inv.of_type(SA):
        if graph.has(sa.uid):
            _irsa(inv, graph, sa)
            _gke_wi(inv, graph, sa, members)
    _pod_identity(inv, graph)
