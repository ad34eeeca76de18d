"""One cluster: discover what it serves, list every catalogue resource, normalize.

Every fault becomes a ScanError (source "kubernetes") that names the RBAC verb and
resource that failed and what went unscanned, so an unreadable resource is never
counted as passing. An optional CRD the cluster does not serve is skipped quietly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.model.resource import SourceRef
from scanner.normalize.k8s import NormalizeError, fold_quotas, normalize_object, workload_family
from scanner.normalize.k8s.live import (
    Ownership,
    Placement,
    _int,
    clean,
    controller_of,
    normalize_node,
    placement,
)

from .catalogue import Target
from .discovery import discover
from .http import ApiError, RawApi
from .listing import PAGE_SIZE, ListIncomplete, list_all, list_path

DIALECT = "k8s-api"
SOURCE = "kubernetes"  # ScanError.source
RBAC_FILE = "deploy/scanner-rbac.yaml"


@dataclass
class ClusterScan:
    cluster: str
    batch: Batch
    api_calls: int = 0
    objects: int = 0  # objects listed
    absent: list[str] = field(default_factory=list)  # optional APIs not installed

    def summary(self) -> dict:
        out = {
            "dialect": DIALECT,
            "cluster": self.cluster,
            "files": 0,
            "resources": len(self.batch.resources),
            "objects_listed": self.objects,
            "api_calls": self.api_calls,
        }
        if self.absent:
            out["not_installed"] = self.absent
        if self.batch.unmodelled:
            out["unmodelled"] = dict(sorted(self.batch.unmodelled.items()))
        return out


def _why(e: ApiError, verb: str, what: str) -> str:
    """A fault as a person acts on it: the missing permission, the limit, the outage."""
    if e.status == 403:
        return f"forbidden: the scanner's identity may not {verb} (grant it, see {RBAC_FILE})" + (
            f"; the API server said: {e.reason}" if e.reason else ""
        )
    if e.status == 401:
        return "the API server rejected the credentials (401 Unauthorized): the token is missing or expired"
    if e.status == 429:
        return f"rate limited by the API server (429) while trying to {what}: {e.reason}"
    if e.status == 0:
        return f"no answer from the API server while trying to {what}: {e.reason}"
    if 200 <= e.status < 300:
        return f"a malformed answer (HTTP {e.status}) from the API server while trying to {what}: {e.reason}"
    return f"HTTP {e.status} from the API server while trying to {what}: {e.reason or 'no message'}"


def _scope(t: Target) -> str:
    return "in all namespaces" if t.namespaced else "(cluster-scoped)"


def collect_cluster(cluster: str, api: RawApi, page_size: int = PAGE_SIZE) -> ClusterScan:
    scan = ClusterScan(cluster, Batch(DIALECT))
    batch = scan.batch

    def error(reason: str, unscanned: str) -> None:
        batch.errors.append(ScanError(SOURCE, f"cluster {cluster}: {reason}", None, unscanned))

    try:
        found = discover(api)
    except ApiError as e:
        error(
            _why(e, "get the API discovery documents (/api, /apis)", "read API discovery"),
            f"everything in cluster {cluster}",
        )
        scan.api_calls = len(api.calls)
        return scan
    scan.absent = sorted(t.describe() for t in found.absent)
    for t in found.missing:
        error(f"the API server does not serve {t.describe()}", f"{t.what} in cluster {cluster}")

    listed: list[tuple[Target, str, dict]] = []
    for t, gv in found.served:
        verb = f"list {t.describe()} {_scope(t)}"
        try:
            items = list_all(api, t, gv, page_size)
        except ListIncomplete as e:  # keep what the earlier pages listed; name the rest
            error(
                f"listing incomplete: page {e.page} failed after {len(e.items)} object(s) were listed: "
                + _why(e.cause, verb, f"{verb} (page {e.page})"),
                f"{t.what} in cluster {cluster}: those after the first {len(e.items)} listed",
            )
            items = e.items
        except ApiError as e:
            error(_why(e, verb, verb), f"{t.what} in cluster {cluster}")
            continue
        listed.extend((t, gv, item) for item in items)
    scan.objects = len(listed)
    scan.api_calls = len(api.calls)
    _normalize(listed, found.groups, cluster, batch)
    return scan


def _superseded(listed: list[tuple[Target, str, dict]], owners: Ownership) -> set[int]:
    """ReplicaSets of a Deployment the scan could not list stand in for it (they are what was
    seen), but a Deployment keeps one per revision: only the newest of each owner is checked,
    not every old revision again. The ids (`id()`) of the others."""
    by_owner: dict[str, list[tuple[tuple, dict]]] = defaultdict(list)
    for t, _, item in listed:
        ref = controller_of(item) if t.kind == "ReplicaSet" else None
        if ref is None or ref.get("kind") != "Deployment" or ref.get("uid") in owners.by_uid:
            continue
        meta = item.get("metadata") or {}
        rev = _int((meta.get("annotations") or {}).get("deployment.kubernetes.io/revision"))
        by_owner[str(ref.get("uid"))].append(((rev or 0, str(meta.get("creationTimestamp") or "")), item))
    out: set[int] = set()
    for sets in by_owner.values():
        newest = max(sets, key=lambda x: x[0])[1]
        out.update(id(item) for _, item in sets if item is not newest)
    return out


def _normalize(listed: list[tuple[Target, str, dict]], groups: set[str], cluster: str, batch: Batch) -> None:
    owners = Ownership(served_groups=groups)
    for _, _, item in listed:
        owners.add(item)
    superseded = _superseded(listed, owners)
    on_node: dict[str, list[Placement]] = defaultdict(list)
    nodes = []
    for t, gv, item in listed:
        source = SourceRef("live", dialect=DIALECT, api=f"GET {list_path(t, gv)}")
        if t.kind == "Node":
            nodes.append((item, source))
            continue
        if t.kind == "Pod" and (placed := placement(item, owners, cluster)) is not None:
            on_node[placed[0]].append(placed[1])
        if workload_family(t.kind, gv) is not None and owners.is_derived(item):
            continue  # its owner in the scan carries its pod spec (Services and the like stay)
        if id(item) in superseded:
            batch.count_unmodelled("apps/v1/ReplicaSet (an older revision of an unlisted Deployment)")
            continue
        obj = clean(item, gv, t.kind)
        try:
            out = normalize_object(obj, source, cluster)
        except NormalizeError as e:
            batch.errors.append(
                ScanError(SOURCE, f"cluster {cluster}: {_label(obj)}: {e}", None, _label(obj))
            )
            continue
        except Exception as e:  # a normalizer bug costs one object, not the scan
            reason = f"cluster {cluster}: {_label(obj)}: internal error: {type(e).__name__}: {e}"
            batch.errors.append(ScanError(SOURCE, reason, None, _label(obj)))
            continue
        if not out.resources:
            batch.count_unmodelled(f"{obj.get('apiVersion')}/{obj.get('kind')}")
        batch.resources.extend(out.resources)
        batch.relations.extend(out.relations)
    for item, source in nodes:
        name = (item.get("metadata") or {}).get("name")
        r, rels = normalize_node(item, on_node.get(str(name), []), source, cluster)
        batch.resources.append(r)
        batch.relations.extend(rels)
    fold_quotas(batch.resources)


def _label(obj: dict) -> str:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    ns = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')} {ns}{meta.get('name')}"
