"""`mlposture scan k8s` against a stand-in API server (fixtures/live/k8s/server.py) that
serves a recorded scenario cluster over loopback HTTP to the real kubernetes client:
exact findings, read-only requests, live == manifest, nodes and GPU placement, owned
objects, and every fault path (403, 401, absent CRD, 429, timeouts, expired pages)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from fixtures.live.k8s import update_expected
from fixtures.live.k8s.server import TOKEN, StandInApiServer, kubeconfig
from scanner.cli import main
from scanner.collect.k8s import KubeconfigError, RetryPolicy, resolve_targets
from scanner.commands.k8s import scan_k8s
from scanner.engine import ScanOptions
from scanner.gate import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_USAGE
from scanner.model.resource import SourceRef
from scanner.normalize.k8s import normalize_object

CTX = "ml-prod"
WANDB_KEY = "4f9c2a7e1b3d5f8a0c6e2b4d7f9a1c3e5b7d9f0a"  # the value planted in the eval-settings ConfigMap
NO_WAIT = RetryPolicy(attempts=3, backoff=0.0, timeout=(2.0, 5.0))


@pytest.fixture
def server():
    with StandInApiServer() as s:
        yield s


def write_kubeconfig(tmp_path: Path, url: str, contexts=(CTX,), token: str = TOKEN) -> str:
    p = tmp_path / "kubeconfig"
    p.write_text(yaml.safe_dump(kubeconfig(url, contexts, token)))
    return str(p)


def scan(server, tmp_path, policy=NO_WAIT, page_size=None, sleep=None, contexts=(CTX,), rules=None):
    kc = write_kubeconfig(tmp_path, server.url, contexts)
    targets = resolve_targets(kc, (), len(contexts) > 1)
    options = ScanOptions(today="2026-01-15", include_rules=rules)
    return scan_k8s(targets, options, page_size, policy, sleep or (lambda s: None))


def live_errors(result):
    return [e for e in result.errors if e.source == "kubernetes"]


def test_scenario_gives_exactly_the_expected_findings(server, tmp_path):
    kc = write_kubeconfig(tmp_path, server.url)
    out = tmp_path / "scan.json"
    started = time.perf_counter()
    res = CliRunner().invoke(main, ["scan", "k8s", "--kubeconfig", kc, "-o", f"json={out}", "-q"])
    elapsed = time.perf_counter() - started
    print(f"scenario scan (CLI, in-process): {elapsed:.2f}s, {len(server.requests)} requests")
    assert res.exit_code == EXIT_FINDINGS, res.output
    report = json.loads(out.read_text())
    got = sorted(
        (f["rule_id"], f["resource"]["uid"], f["evidence"]["path"], f["status"]) for f in report["findings"]
    )
    want = sorted(update_expected.key(e) for e in update_expected.load())
    assert got == want, f"stale expected.yaml: run {update_expected.__file__}"
    assert not [e for e in report["scan"]["errors"] if e["source"] == "kubernetes"]
    assert all("NEW - review" not in e["why"] for e in update_expected.load())
    src = next(s for s in report["scan"]["sources"] if s.get("dialect") == "k8s-api")
    assert src["cluster"] == CTX and src["resources"] > 40
    assert "services.serving.knative.dev" in src["not_installed"]  # absent CRDs, quietly


def test_every_request_is_an_authenticated_get_and_secrets_are_never_requested(server, tmp_path):
    result, inv = scan(server, tmp_path)
    assert not live_errors(result)
    assert server.requests, "the scan made no requests"
    assert {r.method for r in server.requests} == {"GET"}
    assert all(r.authorized for r in server.requests)
    assert not [r.path for r in server.requests if "secrets" in r.path]
    # every list is paged, so a large cluster never answers with one huge response
    depth = {"api": 3, "apis": 4}  # /api/v1/<plural>, /apis/<group>/<version>/<plural>
    lists = [r for r in server.requests if len(r.path.strip("/").split("/")) == depth[r.path.split("/")[1]]]
    assert len(lists) == 28 and all(r.query.get("limit") == ["500"] for r in lists)


def test_configmap_secrets_never_reach_the_inventory_or_reports(server, tmp_path):
    kc = write_kubeconfig(tmp_path, server.url)
    inv_path, json_path, sarif = tmp_path / "inv.json", tmp_path / "scan.json", tmp_path / "scan.sarif"
    res = CliRunner().invoke(
        main,
        ["scan", "k8s", "--kubeconfig", kc, "--save-inventory", str(inv_path), "-o", f"json={json_path}"]
        + ["-o", f"sarif={sarif}"],
    )
    assert res.exit_code == EXIT_FINDINGS, res.output
    for text in (inv_path.read_text(), json_path.read_text(), sarif.read_text(), res.output):
        assert WANDB_KEY not in text
        assert "last-applied-configuration" not in text
    inv = json.loads(inv_path.read_text())
    cm = next(r for r in inv["resources"] if r["uid"] == f"k8s:{CTX}/team-a/ConfigMap/eval-settings")
    assert cm["attrs"]["data"]["WANDB_API_KEY"].startswith("[REDACTED")
    assert cm["attrs"]["data"]["EVAL_DATASET"] == "s3://team-a-datasets/eval/v3/"


# ------------------------------------------------------------------ live == manifest
MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: feature-api
  namespace: team-a
  labels: {app: feature-api}
spec:
  replicas: 2
  selector: {matchLabels: {app: feature-api}}
  template:
    metadata:
      labels: {app: feature-api}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: api
        image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team-a/feature-api@sha256:0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c
        resources:
          limits: {cpu: "1", memory: 1Gi}
          requests: {cpu: 250m, memory: 512Mi}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: debug-gpu
  namespace: team-a
  labels: {run: debug-gpu}
spec:
  hostPID: true
  containers:
  - name: shell
    image: nvidia/cuda:12.4.1-base-ubuntu22.04
    command: [sleep, infinity]
    resources:  # requests written out: the API server copies limits into absent requests
      limits: {nvidia.com/gpu: "1"}
      requests: {nvidia.com/gpu: "1"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: trainer
  namespace: team-a
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/team-a-trainer
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
  labels:
    team: a
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: team-a-trainer-job-launcher
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: job-launcher}
subjects:
- {kind: ServiceAccount, name: trainer, namespace: team-a}
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llm-chat
  namespace: ml-serving
  labels: {team: serving}
  annotations:
    serving.kserve.io/deploymentMode: RawDeployment
spec:
  predictor:
    minReplicas: 1
    maxReplicas: 2
    serviceAccountName: llm-chat
    automountServiceAccountToken: false
    containers:
    - name: kserve-container
      image: vllm/vllm-openai:v0.6.3
      args: [--model=/mnt/models, --port=8080]
      resources:
        limits: {cpu: "8", memory: 48Gi, nvidia.com/gpu: "1"}
        requests: {cpu: "8", memory: 48Gi, nvidia.com/gpu: "1"}
      securityContext: {privileged: true}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: team-b
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: eval-settings
  namespace: team-a
data:
  EVAL_DATASET: s3://team-a-datasets/eval/v3/
  WANDB_API_KEY: 4f9c2a7e1b3d5f8a0c6e2b4d7f9a1c3e5b7d9f0a
"""


def test_live_objects_normalize_like_their_manifests(server, tmp_path):
    _, inv = scan(server, tmp_path)
    checked = set()
    for doc in yaml.safe_load_all(MANIFESTS):
        for m in normalize_object(doc, SourceRef("iac", "m.yaml", dialect="kubernetes"), CTX).resources:
            if m.type == "k8s.namespace":
                continue  # the live one has its quota folded in (fold_quotas): compared below
            live = inv.get(m.uid)
            assert live is not None, m.uid
            assert (live.type, live.name, live.region, live.attrs) == (m.type, m.name, m.region, m.attrs), (
                m.uid
            )
            assert live.source.kind == "live" and live.source.dialect == "k8s-api"
            checked.add(doc["kind"])
    assert checked >= {"Deployment", "Pod", "ServiceAccount", "ClusterRoleBinding", "InferenceService"}
    ns = inv.get(f"k8s:{CTX}/team-a/Namespace/team-a")
    assert ns.attrs["labels"] == {
        "team": "a",
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    assert ns.attrs["gpu_quota"] == {"requests.nvidia.com/gpu": 8}


def test_cloud_identity_annotations_are_kept(server, tmp_path):
    _, inv = scan(server, tmp_path)
    sa = inv.get(f"k8s:{CTX}/team-a/ServiceAccount/trainer")
    assert sa.attrs["aws_role_arn"] == "arn:aws:iam::111122223333:role/team-a-trainer"
    assert sa.attrs["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/team-a-trainer"
    }


# ------------------------------------------------------------------ nodes, placement, ownership
def test_nodes_carry_gpu_labels_capacity_and_the_pods_placed_on_them(server, tmp_path):
    _, inv = scan(server, tmp_path)
    t4 = inv.get(f"k8s:{CTX}/_cluster/Node/ip-10-0-3-44.ec2.internal")
    assert t4.type == "k8s.node"
    assert (t4.attrs["gpu_product"], t4.attrs["sharing_strategy"], t4.attrs["gpu_replicas"]) == (
        "Tesla-T4-SHARED",
        "time-slicing",
        4,
    )
    assert t4.attrs["gpu_capacity"] == {"nvidia.com/gpu": 16} and t4.attrs["gpu_count"] == 4
    assert t4.attrs["device_plugin_config"] == "shared-t4"
    assert t4.attrs["gpu_allocated"] == 3  # debug-gpu, a Ray worker and a notebook: one each
    assert t4.attrs["gpu_namespaces"] == ["team-a", "team-b"]
    placed = {p["name"]: p["workload"] for p in t4.attrs["pods"]}
    assert placed == {
        "alice-nb-0": f"k8s:{CTX}/team-a/Notebook/alice-nb",  # Pod -> StatefulSet -> Notebook
        "debug-gpu": f"k8s:{CTX}/team-a/Pod/debug-gpu",
        "rag-worker-gpu-workers-4m9zq": f"k8s:{CTX}/team-b/RayCluster/rag",
    }
    hosted = {r.dst for r in inv.outgoing(t4.uid, "hosts")}
    assert hosted == set(placed.values()) and all(inv.get(u) is not None for u in hosted)
    a100 = inv.get(f"k8s:{CTX}/_cluster/Node/ip-10-0-2-31.ec2.internal")
    assert a100.attrs["gpu_allocated"] == 5 and a100.attrs["mig_strategy"] == "none"
    assert {p["workload"] for p in a100.attrs["pods"]} == {
        f"k8s:{CTX}/ml-serving/InferenceService/llm-chat",  # Pod -> ReplicaSet -> Deployment -> ISVC
        f"k8s:{CTX}/team-a/PyTorchJob/bert-finetune",
    }
    cpu = inv.get(f"k8s:{CTX}/_cluster/Node/ip-10-0-1-17.ec2.internal")
    assert cpu.attrs["gpu"] is False and cpu.attrs["gpu_allocated"] == 0
    assert "nightly-eval-28930020-7h2kd" not in {p["name"] for p in cpu.attrs["pods"]}  # finished


def test_objects_a_listed_controller_created_are_not_counted_twice(server, tmp_path):
    _, inv = scan(server, tmp_path)
    workloads = {r.uid for r in inv.of_type("k8s.workload")}
    assert workloads == {
        f"k8s:{CTX}/ml-serving/InferenceService/llm-chat",
        f"k8s:{CTX}/team-a/Deployment/feature-api",
        f"k8s:{CTX}/team-a/CronJob/nightly-eval",
        f"k8s:{CTX}/team-a/PyTorchJob/bert-finetune",
        f"k8s:{CTX}/team-a/Notebook/alice-nb",
        f"k8s:{CTX}/team-a/Pod/debug-gpu",
        f"k8s:{CTX}/team-b/RayCluster/rag",
    }
    # a controller-made Service is still checked: it is where the exposure is
    assert inv.get(f"k8s:{CTX}/team-b/Service/rag-head-svc").attrs["service_type"] == "LoadBalancer"
    # the ClusterPolicy normalizes; the device plugin DaemonSet it created does not duplicate it
    assert inv.get(f"k8s:{CTX}/_cluster/ClusterPolicy/cluster-policy") is not None


# ------------------------------------------------------------------ paging
def test_small_pages_give_the_same_inventory(server, tmp_path):
    _, whole = scan(server, tmp_path)
    n_whole = len(server.requests)
    server.requests.clear()
    _, paged = scan(server, tmp_path, page_size=2)
    assert sorted(whole.resources) == sorted(paged.resources)
    conts = [r for r in server.requests if r.path == "/api/v1/pods" and "continue" in r.query]
    assert len(conts) == 4  # 9 pods in pages of 2
    assert len(server.requests) > n_whole


def test_an_expired_continue_token_restarts_the_list(server, tmp_path):
    server.docs["/api/v1/pods"]  # noqa: B018 - the list exists
    original = server.answer
    calls = {"n": 0}

    def answer(path, query):
        if path == "/api/v1/pods" and "continue" in query and calls["n"] == 0:
            calls["n"] += 1
            return 410, {
                "kind": "Status",
                "code": 410,
                "message": "The provided continue parameter is too old",
            }
        return original(path, query)

    server.answer = answer
    result, inv = scan(server, tmp_path, page_size=4)
    assert not live_errors(result)
    assert calls["n"] == 1
    assert inv.get(f"k8s:{CTX}/team-a/Pod/debug-gpu") is not None


# ------------------------------------------------------------------ faults
def test_forbidden_list_names_the_verb_and_what_went_unscanned(server, tmp_path):
    server.forbid("list", "pods", "/api/v1/pods")
    kc = write_kubeconfig(tmp_path, server.url)
    out = tmp_path / "scan.json"
    res = CliRunner().invoke(
        main, ["scan", "k8s", "--kubeconfig", kc, "--rules", "k8s-rbac-no-token-create", "-o", f"json={out}"]
    )
    assert res.exit_code == EXIT_INCOMPLETE, res.output
    (err,) = [e for e in json.loads(out.read_text())["scan"]["errors"] if e["source"] == "kubernetes"]
    assert "may not list pods in all namespaces" in err["reason"]
    assert "deploy/scanner-rbac.yaml" in err["reason"] and "cannot list resource" in err["reason"]
    assert err["unscanned"].startswith("Pods (standalone pods") and CTX in err["unscanned"]


def test_forbidden_pods_leave_the_rest_scanned(server, tmp_path):
    server.forbid("list", "pods", "/api/v1/pods")
    result, inv = scan(server, tmp_path)
    assert result.incomplete
    assert inv.get(f"k8s:{CTX}/team-a/Pod/debug-gpu") is None
    assert inv.get(f"k8s:{CTX}/team-a/Deployment/feature-api") is not None


def test_absent_crd_is_skipped_quietly(server, tmp_path):
    server.fail("/apis/ray.io/v1", 404, "the server could not find the requested resource", sticky=True)
    result, inv = scan(server, tmp_path)
    assert not live_errors(result)
    assert inv.get(f"k8s:{CTX}/team-b/RayCluster/rag") is None
    src = next(s for s in result.sources if s.get("cluster") == CTX)
    assert {"rayclusters.ray.io", "rayjobs.ray.io", "rayservices.ray.io"} <= set(src["not_installed"])


def test_a_missing_builtin_api_is_an_error_not_a_pass(server, tmp_path):
    server.fail("/apis/batch/v1", 404, "gone", sticky=True)
    result, _ = scan(server, tmp_path)
    reasons = [e.reason for e in live_errors(result)]
    assert any("does not serve jobs.batch" in r for r in reasons)
    assert any("does not serve cronjobs.batch" in r for r in reasons)


def test_429_is_retried_honouring_retry_after(server, tmp_path):
    server.fail("/api/v1/nodes", 429, "Too many requests", headers={"Retry-After": "7"})
    server.fail("/api/v1/nodes", 429, "Too many requests", headers={"Retry-After": "120"})
    waits = []
    policy = RetryPolicy(attempts=3, backoff=0.0, max_wait=30.0, timeout=(2.0, 5.0))
    result, inv = scan(server, tmp_path, policy=policy, sleep=waits.append)
    assert not live_errors(result)
    assert waits == [7.0, 30.0]  # the server's wait, capped
    assert inv.get(f"k8s:{CTX}/_cluster/Node/ip-10-0-3-44.ec2.internal") is not None


def test_429_past_the_retry_budget_is_reported(server, tmp_path):
    server.fail("/api/v1/nodes", 429, "Too many requests", headers={"Retry-After": "1"}, sticky=True)
    result, inv = scan(server, tmp_path)
    (err,) = live_errors(result)
    assert "rate limited" in err.reason and "after 3 attempts" in err.reason
    assert err.unscanned.startswith("Nodes")
    assert not inv.of_type("k8s.node")
    assert sum(1 for r in server.requests if r.path == "/api/v1/nodes") == 3


def test_timeouts_are_retried_then_reported(server, tmp_path):
    server.fail("/apis/apps/v1/deployments", stall=1.0, sticky=True)
    policy = RetryPolicy(attempts=2, backoff=0.0, timeout=(1.0, 0.2))
    result, inv = scan(server, tmp_path, policy=policy)
    (err,) = live_errors(result)
    assert "no answer from the API server" in err.reason and "timed out" in err.reason
    assert err.unscanned.startswith("Deployments")
    assert inv.get(f"k8s:{CTX}/team-a/Deployment/feature-api") is None


def test_a_timeout_then_an_answer_is_a_complete_scan(server, tmp_path):
    server.fail("/apis/apps/v1/deployments", stall=1.0)
    policy = RetryPolicy(attempts=2, backoff=0.0, timeout=(1.0, 0.2))
    result, inv = scan(server, tmp_path, policy=policy)
    assert not live_errors(result)
    assert inv.get(f"k8s:{CTX}/team-a/Deployment/feature-api") is not None


# ------------------------------------------------------------------ 5xx, truncated pages, malformed
PINNED = ["k8s-images-pinned-by-digest"]  # medium: below the gate's "high"


def test_5xx_is_retried_and_a_persistent_one_is_reported_never_passed(server, tmp_path):
    from scanner.gate import exit_code

    whole, whole_inv = scan(server, tmp_path, rules=PINNED)
    server.requests.clear()
    server.fail("/api/v1/nodes", 503, "the server is currently unable to handle the request")  # once
    server.fail("/apis/apps/v1/deployments", 500, "etcdserver: request timed out", sticky=True)
    result, inv = scan(server, tmp_path, rules=PINNED)
    (err,) = live_errors(result)
    assert err.reason == (
        f"cluster {CTX}: HTTP 500 from the API server while trying to list deployments.apps in all "
        "namespaces: etcdserver: request timed out (after 3 attempts)"
    )
    assert err.unscanned.startswith("Deployments") and err.unscanned.endswith(f"in cluster {CTX}")
    assert sum(1 for r in server.requests if r.path == "/apis/apps/v1/deployments") == 3
    assert sum(1 for r in server.requests if r.path == "/api/v1/nodes") == 2  # the 503, then the answer
    assert len(inv.of_type("k8s.node")) == 3  # retried: complete
    assert inv.get(f"k8s:{CTX}/team-a/Deployment/feature-api") is None
    assert inv.get(f"k8s:{CTX}/team-a/Pod/debug-gpu") is not None  # other calls' objects are kept
    # the Deployment was not seen, so no rule checked it; the ReplicaSets the scan did read are
    # checked in its place, on their own pod templates (a pass there is a pass on what was seen)
    before = {r.uid for r in whole_inv.of_type("k8s.workload")}
    after = {r.uid for r in inv.of_type("k8s.workload")}
    assert before - after == {f"k8s:{CTX}/team-a/Deployment/feature-api"}
    assert after - before == {
        f"k8s:{CTX}/team-a/ReplicaSet/feature-api-7c9d8b6f4",
        f"k8s:{CTX}/ml-serving/ReplicaSet/llm-chat-predictor-6d8f9c7b5",
    }
    assert not [f for f in result.findings if "/Deployment/" in f.resource.uid]
    assert result.checks == whole.checks - 1 + 2
    assert exit_code(whole, "high") == 0 and exit_code(result, "high") == 3


def test_a_failed_continue_page_keeps_the_first_page_and_names_the_rest(server, tmp_path):
    from scanner.gate import exit_code

    whole, whole_inv = scan(server, tmp_path, page_size=4, rules=PINNED)
    server.fail("/api/v1/pods", 500, "etcdserver: leader changed", sticky=True, continued=True)
    cut = '{"kind": "ServiceAccountList", "apiVersion": "v1", "items": [{"metadata": {"name": "defa'
    server.fail("/api/v1/serviceaccounts", body=cut, sticky=True, continued=True)
    result, inv = scan(server, tmp_path, page_size=4, rules=PINNED)
    errs = {e.unscanned: e.reason for e in live_errors(result)}
    pods = next(u for u in errs if u.startswith("Pods"))
    assert pods.endswith(f"in cluster {CTX}: those after the first 4 listed")
    assert errs[pods] == (
        f"cluster {CTX}: listing incomplete: page 2 failed after 4 object(s) were listed: HTTP 500 from the "
        "API server while trying to list pods in all namespaces (page 2): etcdserver: leader changed "
        "(after 3 attempts)"
    )
    sas = next(u for u in errs if u.startswith("ServiceAccounts"))
    assert sas.endswith("those after the first 4 listed") and len(errs) == 2
    assert "listing incomplete: page 2 failed after 4 object(s)" in errs[sas]
    assert "a malformed answer (HTTP 200)" in errs[sas] and "the answer is not JSON" in errs[sas]
    # the first pages are kept: four service accounts of five; team-b/default was on page two
    assert {r.name for r in inv.of_type("k8s.service_account")} == {"default", "trainer", "llm-chat"}
    assert inv.get(f"k8s:{CTX}/team-b/ServiceAccount/default") is None
    assert inv.get(f"k8s:{CTX}/team-a/ServiceAccount/trainer") is not None
    # debug-gpu, a standalone pod on page two, is not in the scan: not checked, not passed
    lost = {r.uid for r in whole_inv.of_type("k8s.workload")} - {r.uid for r in inv.of_type("k8s.workload")}
    assert lost == {f"k8s:{CTX}/team-a/Pod/debug-gpu"}
    assert not [f for f in result.findings if f.resource.uid in lost]
    assert whole.checks - result.checks == 1
    assert exit_code(result, "high") == 3


def test_a_malformed_answer_is_retried_then_an_error_naming_the_call(server, tmp_path):
    cut = '{"kind": "NodeList", "apiVersion": "v1", "items": [{"metadata": {"name": "ip-10'
    server.fail("/api/v1/nodes", body=cut, sticky=True)
    server.fail("/apis/apps/v1/deployments", body="<html>502 Bad Gateway</html>")  # once
    result, inv = scan(server, tmp_path)
    (err,) = live_errors(result)
    assert err.reason == (
        f"cluster {CTX}: a malformed answer (HTTP 200) from the API server while trying to list nodes "
        f"(cluster-scoped): the answer is not JSON (malformed or cut short, {len(cut)} bytes) (after 3 attempts)"
    )
    assert err.unscanned.startswith("Nodes") and not inv.of_type("k8s.node")
    assert inv.get(f"k8s:{CTX}/team-a/Deployment/feature-api") is not None  # retried
    # a malformed discovery document costs the cluster, named, never a crash
    server.fail("/apis", body='{"kind": "APIGroupList", "groups": [', sticky=True)
    result, inv = scan(server, tmp_path)
    (err,) = live_errors(result)
    assert "a malformed answer (HTTP 200)" in err.reason and "API discovery" in err.reason
    assert err.unscanned == f"everything in cluster {CTX}" and len(inv) == 0 and result.incomplete


def test_bad_credentials_cost_the_cluster_and_say_so(server, tmp_path):
    kc = write_kubeconfig(tmp_path, server.url, token="wrong")
    out = tmp_path / "scan.json"
    res = CliRunner().invoke(main, ["scan", "k8s", "--kubeconfig", kc, "-o", f"json={out}"])
    assert res.exit_code == EXIT_INCOMPLETE, res.output
    (err,) = json.loads(out.read_text())["scan"]["errors"]
    assert "401" in err["reason"] and err["unscanned"] == f"everything in cluster {CTX}"


def test_unreachable_cluster_is_incomplete(tmp_path):
    with StandInApiServer() as s:
        url = s.url
    result, inv = scan_k8s(
        resolve_targets(write_kubeconfig(tmp_path, url), (), False),
        ScanOptions(),
        None,
        NO_WAIT,
        lambda s: None,
    )
    (err,) = live_errors(result)
    assert "no answer from the API server" in err.reason and len(inv) == 0


# ------------------------------------------------------------------ contexts and in-cluster
def test_all_contexts_scans_each_cluster(server, tmp_path):
    result, inv = scan(server, tmp_path, contexts=("ml-prod", "ml-staging"))
    assert {s["cluster"] for s in result.sources if "cluster" in s} == {"ml-prod", "ml-staging"}
    assert inv.get("k8s:ml-staging/team-a/Pod/debug-gpu") is not None
    assert inv.get("k8s:ml-prod/team-a/Pod/debug-gpu") is not None


def test_context_selection_and_usage_errors(server, tmp_path):
    kc = write_kubeconfig(tmp_path, server.url, ("a", "arn:aws:eks:us-east-1:111122223333:cluster/prod"))
    assert [t.name for t in resolve_targets(kc, (), False)] == ["a"]  # the current context
    (eks,) = resolve_targets(kc, ("arn:aws:eks:us-east-1:111122223333:cluster/prod",), False)
    assert eks.name == "arn:aws:eks:us-east-1:111122223333:cluster:prod"  # "/" would split the uid
    with pytest.raises(KubeconfigError, match="no context 'nope'"):
        resolve_targets(kc, ("nope",), False)
    runner = CliRunner()
    assert (
        runner.invoke(main, ["scan", "k8s", "--kubeconfig", kc, "--context", "nope"]).exit_code == EXIT_USAGE
    )
    both = runner.invoke(main, ["scan", "k8s", "--kubeconfig", kc, "--context", "a", "--all-contexts"])
    assert both.exit_code == EXIT_USAGE
    missing = runner.invoke(main, ["scan", "k8s", "--kubeconfig", str(tmp_path / "none")])
    assert missing.exit_code == EXIT_USAGE and "cannot read the kubeconfig" in missing.output


def test_in_cluster_config_is_used_in_a_pod_without_a_kubeconfig(tmp_path, monkeypatch):
    from kubernetes.config import incluster_config

    token, ca = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text("in-cluster-token")
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(ca))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.100.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    monkeypatch.delenv("KUBECONFIG", raising=False)
    (t,) = resolve_targets(None, (), False, cluster_name="ml-prod")
    assert (t.name, t.context) == ("ml-prod", None)
    client = t.client()
    assert client.configuration.host == "https://10.100.0.1:443"
    assert client.configuration.api_key["BearerToken"] == "bearer in-cluster-token"
    assert client.configuration.retries is False  # the bounded policy in http.py is the only one
    client.close()
    with pytest.raises(KubeconfigError, match="need a kubeconfig"):
        resolve_targets(None, ("x",), False)


def test_only_the_newest_replicaset_of_an_unlisted_deployment_stands_in_for_it():
    """Deployments could not be listed: their ReplicaSets are checked in their place, but a
    Deployment keeps one per revision, so only the newest of each is checked (the older ones
    are counted as read and not modelled, not checked again as if they ran)."""
    from scanner.collect.k8s.catalogue import TARGETS
    from scanner.collect.k8s.collector import _normalize
    from scanner.model.batch import Batch

    rs_target = next(t for t in TARGETS if t.kind == "ReplicaSet")

    def rs(name, rev, owner_uid):
        return {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": "team-a",
                "uid": f"uid-{name}",
                "annotations": {"deployment.kubernetes.io/revision": str(rev)},
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": "api",
                        "uid": owner_uid,
                        "controller": True,
                    }
                ],
            },
            "spec": {
                "replicas": 1 if rev == 3 else 0,
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {"containers": [{"name": "api", "image": f"registry.example/api:{rev}"}]},
                },
            },
        }

    listed = [(rs_target, "apps/v1", rs(f"api-r{n}", n, "dep-1")) for n in (1, 3, 2)]
    batch = Batch("kubernetes-live")
    _normalize(listed, {"apps"}, CTX, batch)
    names = sorted(r.name for r in batch.resources if r.type == "k8s.workload")
    assert names == ["api-r3"]
    assert sum(batch.unmodelled.values()) == 2
