"""deploy/scanner-rbac.yaml grants exactly what a live scan lists, with read verbs only,
and never Secrets: a full scan is recorded on the stand-in server and its request paths
compared with the ClusterRole."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
import yaml

from fixtures.live.k8s.server import StandInApiServer, kubeconfig
from scanner.collect.k8s import TARGETS, RetryPolicy, resolve_targets
from scanner.commands.k8s import scan_k8s
from scanner.engine import ScanOptions

RBAC = Path(__file__).resolve().parent.parent / "deploy" / "scanner-rbac.yaml"
READ_VERBS = {"get", "list", "watch"}


def cluster_role() -> dict:
    docs = list(yaml.safe_load_all(RBAC.read_text()))
    kinds = {d["kind"]: d for d in docs}
    assert set(kinds) == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding"}
    binding = kinds["ClusterRoleBinding"]
    assert binding["roleRef"]["name"] == kinds["ClusterRole"]["metadata"]["name"]
    sa = kinds["ServiceAccount"]["metadata"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": sa["name"], "namespace": sa["namespace"]}
    ]
    return kinds["ClusterRole"]


def granted() -> tuple[set[tuple[str, str]], list[str]]:
    """((group, plural) granted, nonResourceURLs granted); asserts the verbs are read-only."""
    resources, urls = set(), []
    for rule in cluster_role()["rules"]:
        assert set(rule["verbs"]) <= READ_VERBS, rule
        if "nonResourceURLs" in rule:
            assert rule["verbs"] == ["get"]
            urls += rule["nonResourceURLs"]
            continue
        for g in rule["apiGroups"]:
            for r in rule["resources"]:
                assert "*" not in (g, r), "no wildcards"
                resources.add((g, r))
    return resources, urls


def requested(paths: list[str]) -> tuple[set[tuple[str, str]], set[str]]:
    """((group, plural) listed, discovery paths) from recorded request paths."""
    lists, discovery = set(), set()
    for p in paths:
        segs = p.strip("/").split("/")
        if segs[0] == "api" and len(segs) == 3:
            lists.add(("", segs[2]))
        elif segs[0] == "apis" and len(segs) == 4:
            lists.add((segs[1], segs[3]))
        else:
            discovery.add(p)
    return lists, discovery


def test_the_role_is_read_only_has_no_secrets_and_matches_the_catalogue():
    resources, _ = granted()
    assert not {r for r in resources if r[1] in ("secrets", "pods/exec", "serviceaccounts/token")}
    assert resources == {(t.group, t.plural) for t in TARGETS}


def _every_api_served() -> dict[str, dict]:
    """Discovery documents and empty lists for every resource in the catalogue (every CRD
    installed), so the recorded scan touches each one."""
    docs: dict[str, dict] = {}
    groups: dict[str, list] = {}
    for t in TARGETS:
        gv = "v1" if t.group == "" else f"{t.group}/v1"
        groups.setdefault(t.group, [])
        entry = {
            "name": t.plural,
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": ["get", "list", "watch"],
        }
        doc = docs.setdefault(
            f"/api/{gv}" if t.group == "" else f"/apis/{gv}",
            {"kind": "APIResourceList", "groupVersion": gv, "resources": []},
        )
        doc["resources"].append(entry)
        base = "/api/v1" if t.group == "" else f"/apis/{gv}"
        docs[f"{base}/{t.plural}"] = {
            "kind": f"{t.kind}List",
            "apiVersion": gv,
            "metadata": {"resourceVersion": "1"},
            "items": [],
        }
    docs["/apis"] = {
        "kind": "APIGroupList",
        "groups": [
            {
                "name": g,
                "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"},
            }
            for g in groups
            if g
        ],
    }
    return docs


@pytest.mark.parametrize("docs", [None, "every-api"], ids=["scenario", "every-api-installed"])
def test_a_recorded_scan_requests_exactly_what_the_role_grants(tmp_path, docs):
    with StandInApiServer(_every_api_served() if docs else None) as server:
        kc = tmp_path / "kubeconfig"
        kc.write_text(yaml.safe_dump(kubeconfig(server.url)))
        result, _ = scan_k8s(
            resolve_targets(str(kc), (), False), ScanOptions(), None, RetryPolicy(attempts=1)
        )
        assert not [e for e in result.errors if e.source == "kubernetes"]
        paths = [r.path for r in server.requests]
        assert {r.method for r in server.requests} == {"GET"}
    lists, discovery = requested(paths)
    resources, urls = granted()
    assert lists <= resources
    if docs:  # with every CRD installed the scan lists every granted resource: nothing spare
        assert lists == resources
    for p in discovery:
        assert any(fnmatch.fnmatchcase(p, u) for u in urls), p
