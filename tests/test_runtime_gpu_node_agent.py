"""The GPU node agent's live path without a GPU: the Kubernetes reads against a loopback API
server (token auth, field selector, 403 naming the missing RBAC verb), `monitor gpu snapshot`
end to end (NVML from a recorded snapshot through the hidden seam, PodResources over a unix
socket, cgroups from a /proc tree, the device plugin ConfigMap), Xid events, and the state
file that lets GPU-009 see a tenant change."""

from __future__ import annotations

import copy
import json
from concurrent import futures
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from fixtures.runtime.k8s_api import NodeApiServer
from runtime_monitor.gpu import device_plugin, kube, podresources, state
from runtime_monitor.gpu.fake_nvml import FakeNvml
from runtime_monitor.gpu.nvml import XID_CRITICAL, collect_nvml
from runtime_monitor.gpu.snapshot import load_snapshot
from runtime_monitor.monitor import evaluate
from runtime_monitor.policy import load_policy, parse_policy
from scanner.cli import main

REPO = Path(__file__).resolve().parent.parent
SNAPS = REPO / "fixtures" / "runtime" / "snapshots"
POLICY_PATH = REPO / "fixtures" / "runtime" / "policies" / "platform.yaml"
POLICY = load_policy(POLICY_PATH)


def plugin_yaml(cfg: dict) -> str:
    """The device plugin config file a recorded `device_plugin_config` came from."""
    doc: dict = {"version": "v1"}
    if cfg["mig_strategy"]:
        doc["flags"] = {"migStrategy": cfg["mig_strategy"]}
    ts, mps = cfg["time_slicing"], cfg["mps"]
    sharing = {}
    if ts:
        sharing["timeSlicing"] = {
            "renameByDefault": ts["rename_by_default"],
            "failRequestsGreaterThanOne": ts["fail_requests_greater_than_one"],
            "resources": ts["resources"],
        }
    if mps:
        sharing["mps"] = {"renameByDefault": mps["rename_by_default"], "resources": mps["resources"]}
    if sharing:
        doc["sharing"] = sharing
    return yaml.safe_dump(doc)


def api_objects(snap: dict) -> tuple[list, list, list]:
    node = snap["node"]["name"]
    pods = []
    for p in snap["pods"]:
        p = copy.deepcopy(p)
        p["spec"]["nodeName"] = node
        pods.append(p)
    elsewhere = copy.deepcopy(pods[-1])
    elsewhere["metadata"].update(name="on-another-node", uid="ffffffff-1111-4222-8333-ffffffffffff")
    elsewhere["spec"]["nodeName"] = "other-node"
    config_maps = []
    dp = snap.get("device_plugin_config")
    if dp and "config" in dp:
        key = dp["source"].rsplit(" ", 1)[1]
        data = {key: plugin_yaml(dp["config"])}
        if key != "default":  # the node label must pick the key among several
            data["default"] = "version: v1\n"
        config_maps.append(
            {"metadata": {"namespace": "gpu-operator", "name": "device-plugin-config"}, "data": data}
        )
    return [{"metadata": {"name": node, "labels": snap["node"]["labels"]}}], pods + [elsewhere], config_maps


@pytest.fixture
def kubelet(tmp_path):
    """A kubelet PodResources server on a unix socket, answering List with what it is given."""
    import grpc

    req_cls, resp_cls, pod_cls, ctr_cls, dev_cls = podresources.messages()
    answer: list = []

    def list_(request, context):
        return resp_cls(
            pod_resources=[
                pod_cls(
                    name=r["name"],
                    namespace=r["namespace"],
                    containers=[
                        ctr_cls(name=c["name"], devices=[dev_cls(**d) for d in c["devices"]])
                        for c in r["containers"]
                    ],
                )
                for r in answer
            ]
        )

    handler = grpc.method_handlers_generic_handler(
        "v1.PodResourcesLister",
        {
            "List": grpc.unary_unary_rpc_method_handler(
                list_, request_deserializer=req_cls.FromString, response_serializer=resp_cls.SerializeToString
            )
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    sock = tmp_path / "kubelet.sock"
    server.add_insecure_port(f"unix://{sock}")
    server.start()
    yield str(sock), answer
    server.stop(None)


def toolkit_toml(cfg: dict) -> str:
    b = lambda v: "true" if v else "false"  # noqa: E731
    return (
        f"accept-nvidia-visible-devices-envvar-when-unprivileged = {b(cfg['accept-nvidia-visible-devices-envvar-when-unprivileged'])}\n"
        f"accept-nvidia-visible-devices-as-volume-mounts = {b(cfg['accept-nvidia-visible-devices-as-volume-mounts'])}\n"
        f'[nvidia-container-runtime]\nmode = "{cfg["mode"]}"\n'
        f"[features]\ndisable-cuda-compat-lib-hook = {b(cfg['disable-cuda-compat-lib-hook'])}\n"
    )


def summary(result) -> set:
    return {(f.rule_id, f.resource.uid, f.status, f.severity, f.message, f.muted) for f in result.findings}


# -- the Kubernetes reads ------------------------------------------------------------------


def test_node_pods_and_device_plugin_config_from_the_api_server(tmp_path):
    snap = load_snapshot(SNAPS / "t4-time-sliced.json")
    with NodeApiServer(*api_objects(snap)) as api:
        node, pods, dp, errors = kube.read_kubernetes("gpu-t4-1", str(api.write_kubeconfig(tmp_path / "kc")))
        assert node == snap["node"] and errors == []
        assert {p["metadata"]["name"] for p in pods} == {p["metadata"]["name"] for p in snap["pods"]}
        assert dp == snap["device_plugin_config"]  # key t4 picked by the node's label over "default"
        (pod_list,) = [r for r in api.requests if r[1] == "/api/v1/pods"]
        assert pod_list[2]["fieldSelector"] == ["spec.nodeName=gpu-t4-1"]
        assert [r[1] for r in api.requests] == [
            "/api/v1/nodes/gpu-t4-1",
            "/api/v1/pods",
            "/api/v1/namespaces/gpu-operator/configmaps/device-plugin-config",
        ]
        assert {r[0] for r in api.requests} == {"GET"}


def test_403_is_not_applicable_and_names_the_missing_rbac_verb(tmp_path):
    snap = load_snapshot(SNAPS / "t4-time-sliced.json")
    with NodeApiServer(*api_objects(snap)) as api:
        api.forbid("/api/v1/pods", "list", "pods", "at the cluster scope")
        api.forbid("/api/v1/nodes/gpu-t4-1", "get", "nodes", "at the cluster scope")
        node, pods, dp, errors = kube.read_kubernetes("gpu-t4-1", str(api.write_kubeconfig(tmp_path / "kc")))
    assert pods["not_applicable"] == "NoPermission"
    assert "RBAC does not grant verb 'list' on 'pods' at the cluster scope" in pods["reason"]
    assert node["labels"] == {} and "verb 'get' on 'nodes'" in node["labels_error"]["reason"]
    assert dp["not_applicable"] == "Unavailable"  # no pods, so no device plugin pod names a ConfigMap
    assert [e["unscanned"] for e in errors] == [
        "node labels (pool selection, K8S-005, K8S-006)",
        "pod specs (K8S-*), tenants of GPU processes",
    ]


def test_a_forbidden_configmap_names_its_namespace(tmp_path):
    snap = load_snapshot(SNAPS / "t4-time-sliced.json")
    with NodeApiServer(*api_objects(snap)) as api:
        api.forbid(
            "/api/v1/namespaces/gpu-operator/configmaps/device-plugin-config",
            "get",
            "configmaps",
            'in the namespace "gpu-operator"',
        )
        _, pods, dp, errors = kube.read_kubernetes("gpu-t4-1", str(api.write_kubeconfig(tmp_path / "kc")))
    assert isinstance(pods, list)
    assert (
        dp["not_applicable"] == "NoPermission"
        and "'get' on 'configmaps' in namespace 'gpu-operator'" in dp["reason"]
    )
    assert errors[0]["unscanned"] == "device plugin sharing config (K8S-006)"


def test_a_wrong_token_is_unavailable_not_a_pass(tmp_path):
    snap = load_snapshot(SNAPS / "t4-time-sliced.json")
    with NodeApiServer(*api_objects(snap)) as api:
        kc = api.write_kubeconfig(tmp_path / "kc")
        kc.write_text(kc.read_text().replace(api.token, "wrong-token"))
        _, pods, _, _ = kube.read_kubernetes("gpu-t4-1", str(kc))
    assert pods["not_applicable"] == "Unavailable" and "401" in pods["reason"]
    assert "wrong-token" not in json.dumps(pods)


# -- monitor gpu snapshot end to end ------------------------------------------------------


@pytest.mark.parametrize("name", ["t4-time-sliced", "a100-mig-two-tenants", "h100-cc-off"])
def test_snapshot_command_end_to_end_replays_to_the_same_findings(name, tmp_path, kubelet):
    src_path = SNAPS / f"{name}.json"
    src = load_snapshot(src_path)
    sock, answer = kubelet
    answer.extend(src["pod_resources"])
    proc = tmp_path / "proc"
    for pid, text in src["cgroups"].items():
        if text is not None:
            (proc / pid).mkdir(parents=True)
            (proc / pid / "cgroup").write_text(text)
    (tmp_path / "config.toml").write_text(toolkit_toml(src["toolkit"]["config"]))
    out = tmp_path / "taken.json"
    with NodeApiServer(*api_objects(src)) as api:
        args = ["monitor", "gpu", "snapshot", "--nvml-from-snapshot", str(src_path)]
        args += ["--kubeconfig", str(api.write_kubeconfig(tmp_path / "kc")), "--proc", str(proc)]
        args += ["--pod-resources-socket", sock, "--toolkit-config", str(tmp_path / "config.toml")]
        args += ["--node-name", src["node"]["name"], "-o", str(out)]
        r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    taken = load_snapshot(out)  # validates against the published schema
    assert taken["errors"] == [] and taken["nvml"] == src["nvml"]
    assert taken["device_plugin_config"] == src["device_plugin_config"]
    assert taken["cgroups"] == src["cgroups"] and taken["components"] == src["components"]
    got, _ = evaluate(taken, POLICY, today="2026-11-20")
    want, _ = evaluate(src, POLICY, today="2026-11-20")
    assert summary(got) == summary(want) and len(want.findings) > 5
    # and the CLI replays it like any recorded snapshot
    r = CliRunner().invoke(
        main, ["monitor", "gpu", "--policy", str(POLICY_PATH), "--once", "-q", "--from-snapshot", str(out)]
    )
    assert r.exit_code == 1


def test_the_nvml_seam_is_hidden_from_help():
    r = CliRunner().invoke(main, ["monitor", "gpu", "snapshot", "--help"])
    assert "--nvml-from-snapshot" not in r.output and "--kubeconfig" in r.output


# -- Xid events ----------------------------------------------------------------------------


def test_xid_events_replay_and_unsupported_event_types_raise_the_real_error():
    import pynvml

    src = load_snapshot(SNAPS / "a100-mig-two-tenants.json")
    fake = FakeNvml(src["nvml"])
    assert collect_nvml(fake) == src["nvml"]
    assert src["nvml"]["gpus"][1]["xid_events"] == [
        {"xid": 95, "gpu_instance_id": None, "compute_instance_id": None}
    ]
    h = fake.nvmlDeviceGetHandleByIndex(0)
    event_set = fake.nvmlEventSetCreate()
    with pytest.raises(pynvml.NVMLError_NotSupported):
        fake.nvmlDeviceRegisterEvents(h, XID_CRITICAL | pynvml.nvmlEventTypeClock, event_set)
    with pytest.raises(pynvml.NVMLError_Timeout):
        fake.nvmlEventSetWait_v2(event_set, 10)
    geforce = load_snapshot(SNAPS / "geforce-consumer.json")["nvml"]["gpus"][0]["xid_events"]
    assert geforce == {"not_applicable": "NotSupported", "call": "nvmlDeviceRegisterEvents"}


def test_gpu_014_names_the_xid_and_the_tenants():
    f = {
        x.rule_id: x
        for x in evaluate(load_snapshot(SNAPS / "a100-mig-two-tenants.json"), POLICY)[0].findings
        if x.rule_id == "GPU-014"
    }
    assert "Xid 95 (uncontained ECC error): reset the GPU" in f["GPU-014"].message
    t4 = [
        x
        for x in evaluate(load_snapshot(SNAPS / "t4-time-sliced.json"), POLICY)[0].findings
        if x.rule_id == "GPU-014"
    ]
    assert (
        len(t4) == 1
        and "Xid 13 not attributable to a GPU instance, on a GPU shared by fraud, research" in t4[0].message
    )


# -- K8S-006 and GPU-003 ------------------------------------------------------------------


def test_k8s_006_reads_the_device_plugin_config():
    t4 = [
        x
        for x in evaluate(load_snapshot(SNAPS / "t4-time-sliced.json"), POLICY)[0].findings
        if x.rule_id == "K8S-006"
    ]
    config = next(x for x in t4 if x.evidence.path == "device_plugin_config")
    assert (
        "failRequestsGreaterThanOne is false" in config.message
        and "renameByDefault is false" in config.message
    )
    # the H100's labels still say "none"; only the ConfigMap shows the exclusive GPU time-sliced
    h100 = [
        x
        for x in evaluate(load_snapshot(SNAPS / "h100-cc-off.json"), POLICY)[0].findings
        if x.rule_id == "K8S-006"
    ]
    assert [x.evidence.path for x in h100] == ["device_plugin_config"]
    assert "time-slices nvidia.com/gpu into 2 replicas, pool isolation is exclusive" in h100[0].message


def test_device_plugin_config_parsing_and_key_choice():
    cfg = device_plugin.parse_config(
        "version: v1\nsharing:\n  mps:\n    resources:\n    - {name: nvidia.com/gpu, replicas: 3}\n"
    )
    assert cfg == {
        "mig_strategy": None,
        "time_slicing": None,
        "mps": {"rename_by_default": False, "resources": [{"name": "nvidia.com/gpu", "replicas": 3}]},
    }
    with pytest.raises(device_plugin.ConfigProblem, match="replicas must be a positive integer"):
        device_plugin.parse_config("sharing: {timeSlicing: {resources: [{name: g, replicas: 0}]}}")
    with pytest.raises(device_plugin.ConfigProblem, match="not valid YAML"):
        device_plugin.parse_config("flags: {}\nflags: {}\n")
    assert device_plugin.pick_key({"a": "", "b": ""}, {device_plugin.CONFIG_LABEL: "b"}, "a") == "b"
    assert device_plugin.pick_key({"a": "", "b": ""}, {}, "a") == "a"
    with pytest.raises(device_plugin.ConfigProblem, match="neither"):
        device_plugin.pick_key({"a": "", "b": ""}, {}, None)


def test_gpu_003_passes_a_declared_compute_instance_split():
    text = POLICY_PATH.read_text().replace(
        'layout: ["3g.40gb", "3g.40gb"]',
        'layout: ["3g.40gb", {gpu_instance: 3g.40gb, compute_instances: [1c.3g.40gb, 1c.3g.40gb]}]',
    )
    assert text != POLICY_PATH.read_text()
    split = parse_policy(text, "split.yaml")
    f = [
        x
        for x in evaluate(load_snapshot(SNAPS / "a100-mig-two-tenants.json"), split)[0].findings
        if x.rule_id == "GPU-003"
    ]
    assert len(f) == 1 and "1g.10gb" in f[0].message  # GPU 0's split is now the declared one
    bad = text.replace("compute_instances: [1c.3g.40gb, 1c.3g.40gb]", "compute_instances: [1c.4g.40gb]")
    with pytest.raises(Exception, match="not a compute instance of GPU instance '3g.40gb'"):
        parse_policy(bad, "bad.yaml")


# -- GPU-009 and the state file -----------------------------------------------------------


def gpu009(snap, previous):
    return [
        x for x in evaluate(snap, POLICY, previous_tenants=previous)[0].findings if x.rule_id == "GPU-009"
    ]


def test_gpu_009_fires_only_when_a_pending_gpu_changes_tenant():
    snap = load_snapshot(SNAPS / "t4-time-sliced.json")
    uuid = snap["nvml"]["gpus"][0]["uuid"]
    (first,) = gpu009(snap, None)
    assert first.severity == "low" and "first pass" in first.message
    assert gpu009(snap, {uuid: ["fraud", "research"]}) == []  # the same tenants: no tenant change
    (changed,) = gpu009(snap, {uuid: ["fraud"]})
    assert changed.severity == "medium" and changed.status == "fail"
    assert "now used by research, before by fraud" in changed.message


def test_state_file_across_passes(tmp_path):
    src = json.loads((SNAPS / "t4-time-sliced.json").read_text())
    only_fraud = copy.deepcopy(src)
    only_fraud["pod_resources"] = only_fraud["pod_resources"][:1]
    only_fraud["nvml"]["gpus"][0]["processes"]["compute"] = only_fraud["nvml"]["gpus"][0]["processes"][
        "compute"
    ][:1]
    (tmp_path / "fraud.json").write_text(json.dumps(only_fraud))
    states = tmp_path / "state"

    def once(snap: str) -> dict:
        out = tmp_path / "r.json"
        args = ["monitor", "gpu", "--policy", str(POLICY_PATH), "--once", "-q", "--from-snapshot", snap]
        CliRunner().invoke(main, args + ["--state-dir", str(states), "-o", f"json={out}"])
        return json.loads(out.read_text())

    def gpu009_messages(report):
        return [f["message"] for f in report["findings"] if f["rule_id"] == "GPU-009"]

    assert "first pass" in gpu009_messages(once(str(tmp_path / "fraud.json")))[0]
    saved = json.loads(state.state_file(states, "gpu-t4-1").read_text())
    assert saved["gpus"] == {src["nvml"]["gpus"][0]["uuid"]: ["fraud"]}
    # research joins the GPU whose retired pages are still pending
    assert (
        "now used by research, before by fraud"
        in gpu009_messages(once(str(SNAPS / "t4-time-sliced.json")))[0]
    )
    assert gpu009_messages(once(str(SNAPS / "t4-time-sliced.json"))) == []  # no change since
    # a corrupt state file is a scan error, judged as a first pass
    state.state_file(states, "gpu-t4-1").write_text("{not json")
    report = once(str(SNAPS / "t4-time-sliced.json"))
    assert any(
        e["source"] == "state" and "gpu-t4-1.json:1: not valid JSON" in e["reason"]
        for e in report["scan"]["errors"]
    )


def test_replay_without_state_dir_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(state, "default_dir", lambda: tmp_path / "default")
    args = ["monitor", "gpu", "--policy", str(POLICY_PATH), "--once", "-q", "--from-snapshot"]
    CliRunner().invoke(main, args + [str(SNAPS / "t4-time-sliced.json")])
    assert not (tmp_path / "default").exists()
