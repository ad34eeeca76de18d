"""Kubernetes contributor to the privilege graph: service accounts, users and groups as
principals, workloads as compute, Secrets as data, `ADMIN@k8s:<cluster>` as the sink, and
edges from RBAC (rules/techniques/k8s.yaml, evaluated by `k8s_rbac`), from what workloads
declare (the service account they run as, the Services that expose them) and out of the
cluster (IRSA and EKS Pod Identity to AWS roles, GKE Workload Identity to Google service
accounts, aws-auth mappings from AWS into the cluster).

Permissions are evaluated per principal over all of its grants together: its own bindings
plus those of the groups the API server always puts it in (system:authenticated, and for a
service account system:serviceaccounts[:<namespace>])."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property

import yaml

from scanner.graph import k8s_links
from scanner.graph.k8s_rbac import (
    Grant,
    Request,
    Subject,
    allowing,
    as_list,
    grants_by_subject,
    implicit_groups,
)
from scanner.graph.model import INTERNET, Edge, Node, Permission, PrivilegeGraph, admin_node, load_techniques
from scanner.model.finding import Location
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

SA, WORKLOAD, SECRET = "k8s.service_account", "k8s.workload", "k8s.secret"
SERVICE, INGRESS, CONFIG_MAP = "k8s.service", "k8s.ingress", "k8s.config_map"
MASTERS = "system:masters"
IMPERSONATION_TARGETS = ("users", "groups")


# ------------------------------------------------------------------ ids
def sa_id(cluster: str, namespace: str, name: str) -> str:
    """The service account's resource uid (what the normalizer gives it)."""
    return f"k8s:{cluster}/{namespace}/ServiceAccount/{name}"


def user_id(cluster: str, name: str) -> str:
    return f"k8s:{cluster}:user:{name}"


def group_id(cluster: str, name: str) -> str:
    return f"k8s:{cluster}:group:{name}"


def location_of(r: Resource, attr: str | None = None) -> Location | None:
    if r.source.file is None:
        return None
    line = r.line_of(attr) if attr else r.source.start_line
    end = r.source.end_line if not attr else line
    return Location(r.source.file, line, end)


# ------------------------------------------------------------------ techniques
@dataclass(frozen=True)
class Rbac:
    """A k8s technique with its permission sets parsed: any one complete set will do."""

    id: str
    kind: str
    sets: tuple[tuple[tuple[Permission, Request], ...], ...]


@cache
def rbac_techniques() -> tuple[Rbac, ...]:
    out = []
    for t in load_techniques().values():
        if t.provider != "k8s" or t.extra.get("kind") == "structural":
            continue
        sets = [t.permissions] + [
            tuple(Permission(p["action"], p.get("resource", "*")) for p in alt)
            for alt in t.extra.get("alternatives") or []
        ]
        parsed = tuple(tuple((p, Request.parse(p.action)) for p in s) for s in sets)
        out.append(Rbac(t.id, t.extra["kind"], parsed))
    return tuple(out)


def satisfy(tech: Rbac, grants: list[Grant], namespace: str | None, target: str | None = None):
    """[(action, grants used)] for the first permission set the grants allow, else None."""
    for perm_set in tech.sets:
        used = []
        for perm, req in perm_set:
            name = target if perm.resource == "{target}" else None if perm.resource == "*" else perm.resource
            hits = allowing(grants, req, namespace, name)
            if not hits:
                break
            used.append((perm.action, hits))
        else:
            return used
    return None


# ------------------------------------------------------------------ the cluster's view
@dataclass
class Cluster:
    name: str
    inv: Inventory
    grants: dict[Subject, list[Grant]] = field(default_factory=dict)
    sas: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # ns -> names
    users: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    workloads: list[Resource] = field(default_factory=list)
    secrets: list[Resource] = field(default_factory=list)

    @property
    def admin(self) -> str:
        return admin_node("k8s", self.name)

    def principals(self) -> Iterable[tuple[Subject, str]]:
        for ns, names in sorted(self.sas.items()):
            for n in sorted(names):
                yield Subject("ServiceAccount", n, ns), sa_id(self.name, ns, n)
        for n in sorted(self.users):
            yield Subject("User", n), user_id(self.name, n)
        for n in sorted(self.groups):
            yield Subject("Group", n), group_id(self.name, n)

    def effective(self, subject: Subject) -> list[Grant]:
        out = list(self.grants.get(subject, ()))
        for g in implicit_groups(subject):
            out += self.grants.get(Subject("Group", g), ())
        return out

    # Indexes by namespace, so that a principal whose grants reach a few namespaces is
    # matched against those namespaces' objects only, not against every object of the
    # cluster (principals x objects grew quadratically with the number of tenants).
    @cached_property
    def _ns_order(self) -> dict[str, int]:
        return {ns: i for i, ns in enumerate(self.sas)}

    @cached_property
    def _workloads_by_ns(self) -> dict[str | None, list[tuple[int, Resource]]]:
        return _by_namespace(self.workloads)

    @cached_property
    def _secrets_by_ns(self) -> dict[str | None, list[tuple[int, Resource]]]:
        return _by_namespace(self.secrets)

    def sa_namespaces(self, granted_in: set[str | None]) -> list[str]:
        """The namespaces with service accounts that grants in `granted_in` reach, in `sas` order."""
        if None in granted_in:
            return list(self.sas)
        return sorted((ns for ns in granted_in if ns in self.sas), key=self._ns_order.__getitem__)

    def workloads_in(self, granted_in: set[str | None]) -> list[Resource]:
        """The workloads of the namespaces in `granted_in` (all of them when it holds None)."""
        return self.workloads if None in granted_in else _pick(self._workloads_by_ns, granted_in)

    def secrets_in(self, granted_in: set[str | None]) -> list[Resource]:
        return self.secrets if None in granted_in else _pick(self._secrets_by_ns, granted_in)


def _by_namespace(items: list[Resource]) -> dict[str | None, list[tuple[int, Resource]]]:
    out: dict[str | None, list[tuple[int, Resource]]] = defaultdict(list)
    for i, r in enumerate(items):
        out[r.region].append((i, r))
    return out


def _pick(index: dict[str | None, list[tuple[int, Resource]]], namespaces: set[str | None]) -> list[Resource]:
    """The items of these namespaces, in their original order."""
    hits = [x for ns in namespaces for x in index.get(ns, ())]
    hits.sort(key=lambda x: x[0])
    return [r for _, r in hits]


def clusters(inv: Inventory) -> dict[str, Cluster]:
    """Every cluster of the scan with its principals, workloads and secrets."""
    out: dict[str, Cluster] = {}

    def get(name: str) -> Cluster:
        if name not in out:
            out[name] = Cluster(name, inv)
            out[name].grants = grants_by_subject(inv, name)
            out[name].groups.add(MASTERS)
        return out[name]

    for r in inv.resources.values():
        if r.provider != "k8s" or not r.account:
            continue
        c = get(r.account)
        if r.type == SA:
            c.sas[r.region or "default"].add(r.name)
        elif r.type == WORKLOAD:
            c.workloads.append(r)
            for t in as_list(r.attrs.get("pod_templates")):
                if isinstance(t, dict) and isinstance(t.get("service_account"), str):
                    c.sas[r.region or "default"].add(t["service_account"])
        elif r.type == SECRET:
            c.secrets.append(r)
        elif r.type in ("k8s.role", "k8s.cluster_role"):
            for rule in as_list(r.attrs.get("rules")):  # named impersonation targets become nodes
                if isinstance(rule, dict) and "impersonate" in (as_list(rule.get("verbs"))):
                    for res in as_list(rule.get("resources")):
                        if res in IMPERSONATION_TARGETS:
                            target = c.users if res == "users" else c.groups
                            target.update(as_list(rule.get("resource_names")))
    for c in out.values():
        for s in c.grants:
            if s.kind == "ServiceAccount":
                c.sas[s.namespace or "default"].add(s.name)
            elif s.kind == "User":
                c.users.add(s.name)
            else:
                c.groups.add(s.name)
    return out


# ------------------------------------------------------------------ nodes
def add_nodes(inv: Inventory, graph: PrivilegeGraph) -> None:
    for c in clusters(inv).values():
        graph.add_node(Node(c.admin, "sink", "k8s.admin", f"cluster admin of {c.name}", "k8s", c.name))
        for ns, names in c.sas.items():
            for n in names:
                r = inv.resources.get(sa_id(c.name, ns, n))
                graph.add_node(
                    Node(
                        sa_id(c.name, ns, n),
                        "principal",
                        SA,
                        f"ServiceAccount {ns}/{n}",
                        "k8s",
                        c.name,
                        location_of(r) if r else None,
                    )
                )
                graph.alias(f"{c.name}/{ns}/{n}", sa_id(c.name, ns, n))
        for n in c.users:
            graph.add_node(Node(user_id(c.name, n), "principal", "k8s.user", f"User {n}", "k8s", c.name))
            graph.alias(f"k8s:{c.name}/_cluster/User/{n}", user_id(c.name, n))
        for n in c.groups:
            graph.add_node(Node(group_id(c.name, n), "principal", "k8s.group", f"Group {n}", "k8s", c.name))
            graph.alias(f"k8s:{c.name}/_cluster/Group/{n}", group_id(c.name, n))
        for w in c.workloads:
            label = f"{w.attrs.get('kind', 'Workload')} {w.region}/{w.name}"
            graph.add_node(Node(w.uid, "compute", WORKLOAD, label, "k8s", c.name, location_of(w)))
        for s in c.secrets:
            why = "service account token" if s.attrs.get("service_account") else "secret"
            graph.add_node(
                Node(s.uid, "data", SECRET, f"Secret {s.region}/{s.name}", "k8s", c.name, location_of(s), why)
            )
    if any(_exposed(inv)):
        graph.add_node(Node(INTERNET, "source", "internet", "the internet", ""))


# ------------------------------------------------------------------ edges
def _rbac_edge(src: str, dst: str, technique: str, used, confidence: str = "certain", note: str = "") -> Edge:
    bindings: list[Resource] = []
    for _, hits in used:
        for g in hits:
            if g.binding not in bindings:
                bindings.append(g.binding)
    roles = sorted({g.role for _, hits in used for g in hits})
    return Edge(
        src,
        dst,
        technique,
        permissions=tuple(a for a, _ in used),
        confidence=confidence,
        granted_by=tuple(b.uid for b in bindings),
        location=location_of(bindings[0]) if bindings else None,
        note=note or "via " + ", ".join(roles),
    )


def _add(graph: PrivilegeGraph, edge: Edge) -> None:
    if edge.src != edge.dst and graph.has(edge.src) and graph.has(edge.dst):
        graph.add_edge(edge)


def add_edges(inv: Inventory, graph: PrivilegeGraph) -> None:
    for c in clusters(inv).values():
        _structural(c, graph)
        for subject, node_id in c.principals():
            grants = c.effective(subject)
            if grants:
                for tech in rbac_techniques():
                    _apply(tech, c, node_id, grants, graph)
    for src, dst, note, conf, where in _exposed(inv):
        _add(graph, Edge(INTERNET, dst.uid, "k8s-exposed-service", (), conf, (), (src.uid,), where, note))
    k8s_links.add_edges(inv, graph)


def _apply(tech: Rbac, c: Cluster, src: str, grants: list[Grant], graph: PrivilegeGraph) -> None:
    kind = tech.kind
    granted_in = {g.namespace for g in grants}  # None: a cluster-wide grant reaches every namespace

    if kind in ("cluster", "aws-auth"):
        ns, target = (None, None) if kind == "cluster" else ("kube-system", "aws-auth")
        used = satisfy(tech, grants, ns, target)
        if used is None:
            return
        conf = "conditional" if tech.id == "k8s-validating-webhook" else "certain"
        note = ""
        if kind == "aws-auth" and not c.inv.get(f"k8s:{c.name}/kube-system/ConfigMap/aws-auth"):
            conf, note = "requires-resource", "only on EKS clusters that still use the aws-auth ConfigMap"
        _add(graph, _rbac_edge(src, c.admin, tech.id, used, conf, note))
    elif kind == "namespace":
        if (used := satisfy(tech, grants, None)) is not None:  # cluster-wide: every namespace
            for ns, names in c.sas.items():
                for n in names:
                    _add(graph, _rbac_edge(src, sa_id(c.name, ns, n), tech.id, used))
            return
        for ns in granted_in - {None}:
            if (used := satisfy(tech, grants, ns)) is not None:
                for n in c.sas.get(ns, ()):
                    _add(graph, _rbac_edge(src, sa_id(c.name, ns, n), tech.id, used))
    elif kind == "sa":
        for ns in c.sa_namespaces(granted_in):
            for n in c.sas[ns]:
                if (used := satisfy(tech, grants, ns, n)) is not None:
                    _add(graph, _rbac_edge(src, sa_id(c.name, ns, n), tech.id, used))
    elif kind in ("user", "group"):
        names, ids = (c.users, user_id) if kind == "user" else (c.groups, group_id)
        for n in names:
            if (used := satisfy(tech, grants, None, n)) is not None:
                _add(graph, _rbac_edge(src, ids(c.name, n), tech.id, used))
    elif kind == "nodes":  # cluster-wide permissions: the same answer for every workload
        if (used := satisfy(tech, grants, None)) is not None:
            for w in c.workloads:
                _add(graph, _rbac_edge(src, w.uid, tech.id, used, "certain", f"into the pods of {w.name}"))
    elif kind == "workload":
        used_in: dict[str | None, list | None] = {}  # one answer per namespace
        for w in c.workloads_in(granted_in):
            if w.region not in used_in:
                used_in[w.region] = satisfy(tech, grants, w.region)
            if (used := used_in[w.region]) is not None:
                _add(graph, _rbac_edge(src, w.uid, tech.id, used, "certain", f"into the pods of {w.name}"))
    elif kind == "secret":
        for s in c.secrets_in(granted_in):
            if (used := satisfy(tech, grants, s.region, s.name)) is not None:
                _add(graph, _rbac_edge(src, s.uid, tech.id, used))


def _structural(c: Cluster, graph: PrivilegeGraph) -> None:
    inv = c.inv
    for w in c.workloads:
        for rel in inv.outgoing(w.uid, "runs_as"):
            _add(graph, Edge(w.uid, rel.dst, "k8s-runs-as", location=location_of(w, rel.attr)))
    for s in c.secrets:
        sa = s.attrs.get("service_account")
        if s.attrs.get("secret_type") == "kubernetes.io/service-account-token" and isinstance(sa, str):
            _add(
                graph,
                Edge(
                    s.uid,
                    sa_id(c.name, s.region or "default", sa),
                    "k8s-sa-token-secret",
                    location=location_of(s),
                ),
            )
    for subject, node_id in c.principals():
        for g in implicit_groups(subject):
            if g in c.groups:
                _add(graph, Edge(node_id, group_id(c.name, g), "k8s-group-member", note="implicit group"))
    _add(graph, Edge(group_id(c.name, MASTERS), c.admin, "k8s-system-masters"))
    _aws_auth(c, graph)


def _aws_auth(c: Cluster, graph: PrivilegeGraph) -> None:
    """kube-system/aws-auth mapRoles and mapUsers: an AWS role or user -> its K8s user and groups."""
    cm = c.inv.get(f"k8s:{c.name}/kube-system/ConfigMap/aws-auth")
    if cm is None or not isinstance(cm.attrs.get("data"), dict):
        return
    for key, arn_key in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
        text = cm.attrs["data"].get(key)
        if not isinstance(text, str) or len(text) > 1_000_000:
            continue
        try:
            entries = yaml.safe_load(text)
        except yaml.YAMLError:
            continue  # the rules report a malformed aws-auth; the graph only follows good entries
        for e in entries if isinstance(entries, list) else []:
            if not isinstance(e, dict) or not isinstance(e.get(arn_key), str):
                continue
            src = k8s_links.aws_principal(graph, e[arn_key], "role" if arn_key == "rolearn" else "user")
            targets = [group_id(c.name, str(g)) for g in e.get("groups") or []]
            if isinstance(e.get("username"), str) and "{{" not in e["username"]:
                targets.append(user_id(c.name, e["username"]))
            for t in targets:
                graph.add_node(
                    Node(
                        t,
                        "principal",
                        "k8s.group" if ":group:" in t else "k8s.user",
                        t.split(":", 3)[3],
                        "k8s",
                        c.name,
                    )
                )
                _add(graph, Edge(src, t, "k8s-aws-auth-mapping", location=location_of(cm, f"data.{key}")))


# ------------------------------------------------------------------ exposure
def _selects(selector: dict, w: Resource) -> bool:
    if not selector:
        return False
    return any(
        isinstance(t, dict) and selector.items() <= (t.get("labels") or {}).items()
        for t in as_list(w.attrs.get("pod_templates"))
    )


def _exposed(inv: Inventory):
    """(service or ingress, workload, note, confidence, location) for what the internet reaches."""
    workloads = inv.of_type(WORKLOAD)
    services = {(s.account, s.region, s.name): s for s in inv.of_type(SERVICE)}
    in_namespace: dict[tuple, list[Resource]] = defaultdict(list)  # a Service selects in its own namespace
    for w in workloads:
        in_namespace[(w.account, w.region)].append(w)

    def selected(svc: Resource):
        sel = svc.attrs.get("selector")
        if not isinstance(sel, dict):
            return []
        return [w for w in in_namespace.get((svc.account, svc.region), ()) if _selects(sel, w)]

    for svc in services.values():
        kind = svc.attrs.get("service_type")
        if kind == "LoadBalancer" and svc.attrs.get("internal_load_balancer") is not True:
            ranges = as_list(svc.attrs.get("load_balancer_source_ranges"))
            open_ = not ranges or any(r in ("0.0.0.0/0", "::/0") for r in ranges)
            conf, note = (
                ("certain", f"LoadBalancer Service {svc.name}")
                if open_
                else (
                    "conditional",
                    f"LoadBalancer Service {svc.name}, source ranges {', '.join(map(str, ranges))}",
                )
            )
        elif kind == "NodePort" or svc.attrs.get("external_ips"):
            conf, note = "conditional", f"{kind} Service {svc.name}: reachable where the nodes are"
        else:
            continue
        for w in selected(svc):
            yield svc, w, note, conf, location_of(svc, "service_type")
    for ing in inv.of_type(INGRESS):
        auth = ing.attrs.get("auth")
        conf = "conditional" if auth else "certain"
        for backend in as_list(ing.attrs.get("backends")):
            svc = services.get((ing.account, ing.region, backend))
            for w in selected(svc) if svc else []:
                note = f"{ing.attrs.get('kind', 'Ingress')} {ing.name} -> Service {backend}"
                yield ing, w, note + (f" (authenticated by {auth})" if auth else ""), conf, location_of(ing)
    for w in workloads:
        if w.attrs.get("exposure") == "external":
            yield w, w, f"{w.attrs.get('kind')} {w.name} is exposed externally", "certain", location_of(w)
