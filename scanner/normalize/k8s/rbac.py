"""RBAC objects -> `k8s.service_account`, `k8s.role`, `k8s.cluster_role`, `k8s.role_binding`
and `k8s.cluster_role_binding`.

A binding points at its role (``binds``) and at each subject (``grants_to``); the role may
sit in another file, be a built-in one or be missing, so what a binding grants is worked
out by the rules over the inventory, never here.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model.resource import Relation, Resource, SourceRef

from .annotations import safe_annotations, suppressions
from .base import base, finish, meta_of, source_of, uid_of
from .pod import Collected
from .values import as_bool, as_list, as_map, as_str, key_line, str_map

SERVICE_ACCOUNT = "k8s.service_account"
ROLE = "k8s.role"
CLUSTER_ROLE = "k8s.cluster_role"
ROLE_BINDING = "k8s.role_binding"
CLUSTER_ROLE_BINDING = "k8s.cluster_role_binding"

CLUSTER = "_cluster"  # the namespace slot of a cluster-scoped object's uid
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
GKE_WI_ANNOTATION = "iam.gke.io/gcp-service-account"
AGGREGATE_PREFIX = "rbac.authorization.k8s.io/aggregate-to-"


def cluster_uid(account: str, kind: str, name: str) -> str:
    return uid_of(account, CLUSTER, kind, name)


def cluster_base(
    obj: Mapping, rtype: str, source: SourceRef, account: str
) -> tuple[Resource, Mapping, Collected]:
    """A cluster-scoped object's Resource: no namespace, region None."""
    meta, name, _, _ = meta_of(obj)
    labels = {str(k): str(v) for k, v in as_map(meta.get("labels"), "metadata.labels").items()}
    out = Collected()
    out.line("labels", key_line(meta, "labels"))
    r = Resource(
        uid=cluster_uid(account, obj["kind"], name),
        type=rtype,
        provider="k8s",
        name=name,
        source=source_of(obj, source),
        account=account,
        tags=labels,
    )
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    return r, meta, out


def subject_uid(account: str, kind: str, name: str, namespace: str | None) -> str:
    if kind == "ServiceAccount":
        return uid_of(account, namespace or "default", "ServiceAccount", name)
    return cluster_uid(account, kind, name)  # users and groups exist outside the cluster's objects


# ------------------------------------------------------------------ ServiceAccount
def normalize_service_account(
    obj: Mapping, source: SourceRef, account: str
) -> tuple[Resource, list[Relation]]:
    r, meta, out = base(obj, SERVICE_ACCOUNT, source, account)
    annotations = as_map(meta.get("annotations"), "metadata.annotations")
    kept, dets = safe_annotations(annotations)
    out.secrets.extend(dets)
    aws_role = as_str(annotations.get(IRSA_ANNOTATION))
    gcp_sa = as_str(annotations.get(GKE_WI_ANNOTATION))
    out.line("aws_role_arn", key_line(annotations, IRSA_ANNOTATION))
    out.line("gcp_service_account", key_line(annotations, GKE_WI_ANNOTATION))
    out.line("automount_service_account_token", key_line(obj, "automountServiceAccountToken"))
    pulls = []
    for i, p in enumerate(as_list(obj.get("imagePullSecrets"), "imagePullSecrets")):
        name = as_map(p, f"imagePullSecrets[{i}]").get("name")
        if isinstance(name, str):
            pulls.append(name)
    r.suppressions = suppressions(annotations)
    attrs = {
        "namespace": r.region,
        "annotations": kept,
        "aws_role_arn": aws_role,
        "gcp_service_account": gcp_sa,
        "automount_service_account_token": as_bool(obj.get("automountServiceAccountToken")),
        "image_pull_secrets": pulls,
    }
    rels = []
    if isinstance(aws_role, str) and aws_role:
        rels.append(Relation(r.uid, "assumes_role", aws_role, "aws_role_arn"))  # linked by ARN
    if isinstance(gcp_sa, str) and gcp_sa:
        rels.append(Relation(r.uid, "acts_as", gcp_sa, "gcp_service_account"))
    return finish(r, out, attrs), rels


# ------------------------------------------------------------------ Role and ClusterRole
def _words(v, where: str, lower: bool) -> list[str]:
    out = []
    for x in as_list(v, where):
        s = as_str(x)
        if isinstance(s, str):
            out.append(s.lower() if lower else s)
    return out


def policy_rules(obj: Mapping, out: Collected) -> list[dict]:
    rules = []
    seq = obj.get("rules")
    for i, raw in enumerate(as_list(seq, "rules")):
        rule = as_map(raw, f"rules[{i}]")
        where = f"rules[{i}]"
        rules.append(
            {
                "api_groups": _words(rule.get("apiGroups"), f"{where}.apiGroups", lower=False),
                "resources": _words(rule.get("resources"), f"{where}.resources", lower=True),
                "verbs": _words(rule.get("verbs"), f"{where}.verbs", lower=True),
                "resource_names": _words(rule.get("resourceNames"), f"{where}.resourceNames", lower=False),
                "non_resource_urls": _words(
                    rule.get("nonResourceURLs"), f"{where}.nonResourceURLs", lower=False
                ),
            }
        )
        ln = getattr(seq[i], "start_line", None) if isinstance(seq, list) else None
        out.line(where, ln or key_line(obj, "rules"))
    out.line("rules", key_line(obj, "rules"))
    return rules


def normalize_role(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = base(obj, ROLE, source, account)
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    return finish(r, out, {"namespace": r.region, "rules": policy_rules(obj, out)}, secrets=False)


def normalize_cluster_role(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = cluster_base(obj, CLUSTER_ROLE, source, account)
    agg = as_map(obj.get("aggregationRule"), "aggregationRule")
    selectors = []
    for i, sel in enumerate(as_list(agg.get("clusterRoleSelectors"), "aggregationRule.clusterRoleSelectors")):
        sel = as_map(sel, f"aggregationRule.clusterRoleSelectors[{i}]")
        selectors.append(str_map(sel.get("matchLabels"), "matchLabels"))
    out.line("aggregation_selectors", key_line(obj, "aggregationRule"))
    labels = str_map(meta.get("labels"), "metadata.labels")
    aggregate_to = sorted(
        k[len(AGGREGATE_PREFIX) :]
        for k, v in labels.items()
        if k.startswith(AGGREGATE_PREFIX) and v == "true"
    )
    attrs = {
        "rules": policy_rules(obj, out),
        "aggregation_selectors": selectors,
        "aggregate_to": aggregate_to,
    }
    return finish(r, out, attrs, secrets=False)


# ------------------------------------------------------------------ bindings
def _role_ref(obj: Mapping) -> dict:
    ref = as_map(obj.get("roleRef"), "roleRef")
    return {
        "kind": as_str(ref.get("kind")) or "ClusterRole",
        "name": as_str(ref.get("name")) or "",
        "api_group": as_str(ref.get("apiGroup")) or "rbac.authorization.k8s.io",
    }


def _subjects(obj: Mapping, account: str, namespace: str | None, out: Collected) -> list[dict]:
    subjects = []
    seq = obj.get("subjects")
    for i, raw in enumerate(as_list(seq, "subjects")):
        s = as_map(raw, f"subjects[{i}]")
        kind, name = as_str(s.get("kind")), as_str(s.get("name"))
        if not isinstance(kind, str) or not isinstance(name, str):
            continue
        ns = as_str(s.get("namespace"))
        ns = ns if isinstance(ns, str) and ns else None
        if kind == "ServiceAccount" and ns is None:
            ns = namespace or "default"
        subjects.append(
            {"kind": kind, "name": name, "namespace": ns, "uid": subject_uid(account, kind, name, ns)}
        )
        out.line(
            f"subjects[{len(subjects) - 1}]", getattr(raw, "start_line", None) or key_line(obj, "subjects")
        )
    out.line("subjects", key_line(obj, "subjects"))
    return subjects


def _binding_relations(r: Resource, ref: dict, subjects: list[dict], account: str) -> list[Relation]:
    if ref["kind"] == "Role":
        role_uid = uid_of(account, r.region or "default", "Role", ref["name"])
    else:
        role_uid = cluster_uid(account, "ClusterRole", ref["name"])
    rels = [Relation(r.uid, "binds", role_uid, "role_ref")]
    for i, s in enumerate(subjects):
        rels.append(Relation(r.uid, "grants_to", s["uid"], f"subjects[{i}]"))
    return rels


def normalize_role_binding(obj: Mapping, source: SourceRef, account: str) -> tuple[Resource, list[Relation]]:
    r, meta, out = base(obj, ROLE_BINDING, source, account)
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    ref = _role_ref(obj)
    out.line("role_ref", key_line(obj, "roleRef"))
    subjects = _subjects(obj, account, r.region, out)
    attrs = {"namespace": r.region, "role_ref": ref, "subjects": subjects}
    return finish(r, out, attrs, secrets=False), _binding_relations(r, ref, subjects, account)


def normalize_cluster_role_binding(
    obj: Mapping, source: SourceRef, account: str
) -> tuple[Resource, list[Relation]]:
    r, _, out = cluster_base(obj, CLUSTER_ROLE_BINDING, source, account)
    ref = _role_ref(obj)
    out.line("role_ref", key_line(obj, "roleRef"))
    subjects = _subjects(obj, account, None, out)
    attrs = {"role_ref": ref, "subjects": subjects}
    return finish(r, out, attrs, secrets=False), _binding_relations(r, ref, subjects, account)
