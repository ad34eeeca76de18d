"""The node adapters: NVML through the fake (the real pynvml error classes, the live
adapter code), kubelet PodResources over a real gRPC unix socket, /proc cgroups in every
shape, the toolkit config, pod slimming, and the snapshot schema."""

from __future__ import annotations

import json
from concurrent import futures
from pathlib import Path

import pynvml
import pytest

from runtime_monitor.gpu import cgroups, kube, podresources, toolkit
from runtime_monitor.gpu.fake_nvml import FakeNvml
from runtime_monitor.gpu.nvml import collect_nvml, safe
from runtime_monitor.gpu.snapshot import SnapshotError, load_snapshot, validate

REPO = Path(__file__).resolve().parent.parent
SNAPS = REPO / "fixtures" / "runtime" / "snapshots"
ALL = sorted(SNAPS.glob("*.json"))
UID = "0000000b-1111-4222-8333-00000000000b"


def test_there_are_snapshots_for_every_required_scenario():
    names = {p.stem for p in ALL}
    assert {
        "a100-mig-two-tenants",
        "h100-cc-exclusive",
        "t4-time-sliced",
        "geforce-consumer",
        "v100-old-driver",
        "a100-nonroot",
    } <= names


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_fixtures_validate_and_replay_through_the_live_adapter_unchanged(path):
    raw = json.loads(path.read_text())
    validate(raw, str(path))
    # recorded snapshots are complete: the adapter over the fake gives back exactly the same section
    assert collect_nvml(FakeNvml(raw["nvml"])) == raw["nvml"]


def test_the_fake_raises_the_real_pynvml_error_classes():
    fake = FakeNvml(json.loads((SNAPS / "geforce-consumer.json").read_text())["nvml"])
    h = fake.nvmlDeviceGetHandleByIndex(0)
    with pytest.raises(pynvml.NVMLError_NotSupported):
        fake.nvmlDeviceGetEccMode(h)
    with pytest.raises(pynvml.NVMLError_NotFound):
        fake.nvmlDeviceGetHandleByIndex(5)
    old = FakeNvml(json.loads((SNAPS / "v100-old-driver.json").read_text())["nvml"])
    with pytest.raises(pynvml.NVMLError_FunctionNotFound):
        old.nvmlSystemGetConfComputeState()
    with pytest.raises(pynvml.NVMLLibraryMismatchError):
        old.nvmlDeviceGetComputeRunningProcesses(old.nvmlDeviceGetHandleByIndex(0))
    root = FakeNvml(json.loads((SNAPS / "a100-nonroot.json").read_text())["nvml"])
    with pytest.raises(pynvml.NVMLError_NoPermission):
        root.nvmlDeviceGetComputeRunningProcesses(root.nvmlDeviceGetHandleByIndex(0))
    with pytest.raises(pynvml.NVMLError_GpuIsLost):
        root.nvmlDeviceGetHandleByIndex(1)


def test_safe_names_the_reason_and_lets_our_bugs_through():
    def boom():
        raise pynvml.NVMLError(pynvml.NVML_ERROR_NO_PERMISSION)

    assert safe("nvmlX", boom) == {"not_applicable": "NoPermission", "call": "nvmlX"}
    with pytest.raises(ZeroDivisionError):
        safe("nvmlX", lambda: 1 / 0)


def test_a_hand_written_snapshot_fills_what_it_leaves_out_as_not_supported(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "nvml": {
                    "driver_version": "570.158.01",
                    "gpus": [{"index": 0, "uuid": "GPU-1", "name": "X"}],
                },
            }
        )
    )
    gpu = load_snapshot(p)["nvml"]["gpus"][0]
    assert gpu["ecc_mode"] == {"not_applicable": "NotSupported", "call": "nvmlDeviceGetEccMode"}
    assert gpu["processes"]["compute"]["not_applicable"] == "NotSupported"


def test_bad_snapshots_fail_with_their_line(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{\n "schema_version": 1,\n "nvml": {\n  "gpus": [\n   {"index": -1}\n  ]\n }\n}\n')
    with pytest.raises(SnapshotError) as e:
        load_snapshot(p)
    assert e.value.problems[0][0] == 5 and "nvml.gpus[0].index" in str(e.value)
    p.write_text('{"schema_version": 1,\n "nvml": {')
    with pytest.raises(SnapshotError, match=r"bad.json:2: not valid JSON"):
        load_snapshot(p)
    with pytest.raises(SnapshotError, match="cannot read"):
        load_snapshot(tmp_path / "missing.json")


def test_published_snapshot_schema_is_the_one_used():
    assert (REPO / "docs" / "gpu-snapshot.schema.json").read_text() == (
        REPO / "runtime_monitor" / "schemas" / "gpu-snapshot.schema.json"
    ).read_text()


@pytest.mark.parametrize(
    "text, pod, container",
    [
        # cgroup v2, systemd driver, containerd
        (
            f"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID.replace('-', '_')}.slice/cri-containerd-{'a' * 64}.scope\n",
            UID,
            "a" * 64,
        ),
        # cgroup v1, cgroupfs driver, docker shim (Guaranteed QoS has no QoS level)
        (
            f"12:memory:/kubepods/pod{UID}/{'b' * 64}\n11:devices:/kubepods/pod{UID}/{'b' * 64}\n",
            UID,
            "b" * 64,
        ),
        # cgroup v1, systemd, CRI-O
        (
            f"11:devices:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{UID.replace('-', '_')}.slice/crio-{'c' * 64}.scope\n",
            UID,
            "c" * 64,
        ),
        # v1 with the pod only in some controllers
        (f"1:name=systemd:/user.slice\n5:cpu:/kubepods/burstable/pod{UID}/{'d' * 64}\n", UID, "d" * 64),
        # static pod: a 32-hex config hash as its uid
        (f"0::/kubepods/besteffort/pod{'e' * 32}/{'f' * 64}\n", "e" * 32, "f" * 64),
        # not Kubernetes: a Docker container, a host service
        (f"0::/system.slice/docker-{'9' * 64}.scope\n", None, "9" * 64),
        ("0::/system.slice/nvidia-persistenced.service\n", None, None),
        ("", None, None),
    ],
)
def test_cgroup_shapes(text, pod, container):
    owner = cgroups.parse_cgroup(text)
    assert (owner.pod_uid, owner.container_id) == (pod, container)


def test_read_cgroups_records_gone_processes(tmp_path):
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "cgroup").write_text("0::/x\n")
    assert cgroups.read_cgroups([42, 43], tmp_path) == {"42": "0::/x\n", "43": None}


@pytest.fixture
def kubelet_socket(tmp_path):
    """A kubelet PodResources server on a unix socket, answering List."""
    import grpc

    req_cls, resp_cls, pod_cls, ctr_cls, dev_cls = podresources.messages()
    response = resp_cls(
        pod_resources=[
            pod_cls(
                name="ranker-0",
                namespace="search-prod",
                containers=[
                    ctr_cls(
                        name="main",
                        devices=[dev_cls(resource_name="nvidia.com/gpu", device_ids=["GPU-abc::1"])],
                    ),
                    ctr_cls(name="sidecar"),
                ],
            ),
            pod_cls(name="no-gpu", namespace="default", containers=[ctr_cls(name="x")]),
        ]
    )
    seen = []

    def list_(request, context):
        seen.append(request)
        return response

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
    yield str(sock), seen
    server.stop(None)


def test_pod_resources_list_over_a_unix_socket(kubelet_socket):
    sock, seen = kubelet_socket
    got = podresources.list_pod_resources(sock)
    assert got == [
        {
            "namespace": "search-prod",
            "name": "ranker-0",
            "containers": [
                {
                    "name": "main",
                    "devices": [{"resource_name": "nvidia.com/gpu", "device_ids": ["GPU-abc::1"]}],
                }
            ],
        }
    ]
    assert len(seen) == 1


def test_pod_resources_unreachable_raises(tmp_path):
    import grpc

    with pytest.raises(grpc.RpcError):
        podresources.list_pod_resources(str(tmp_path / "none.sock"), timeout=1)


def test_toolkit_config_defaults_leave_the_bypass_open(tmp_path):
    cfg = toolkit.parse_config('[nvidia-container-runtime]\nmode = "legacy"\n')
    assert cfg[toolkit.KEYS[0]] is True and cfg[toolkit.KEYS[1]] is False and cfg["mode"] == "legacy"
    hardened = toolkit.parse_config(
        f'{toolkit.KEYS[0]} = false\n{toolkit.KEYS[1]} = true\n[nvidia-container-runtime]\nmode = "cdi"\n'
    )
    assert hardened[toolkit.KEYS[0]] is False and hardened[toolkit.KEYS[1]] is True
    (tmp_path / "bad.toml").write_text("= broken")
    assert toolkit.read_toolkit(str(tmp_path / "bad.toml"))["config"]["not_applicable"] == "Invalid"
    assert toolkit.read_toolkit(str(tmp_path / "none.toml"))["config"]["not_applicable"] == "Unavailable"


def test_slim_pod_keeps_no_secret_values_and_components_come_from_images():
    raw = {
        "metadata": {"name": "dp", "namespace": "gpu-operator", "uid": "u1"},
        "spec": {
            "containers": [
                {
                    "name": "plugin",
                    "image": "nvcr.io/nvidia/k8s-device-plugin:v0.17.1",
                    "env": [
                        {"name": "DEVICE_LIST_STRATEGY", "value": "volume-mounts"},
                        {
                            "name": "AWS_SECRET_ACCESS_KEY",
                            "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        },
                        {"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"},
                    ],
                }
            ],
            "volumes": [
                {"name": "dev", "hostPath": {"path": "/dev"}},
                {"name": "cfg", "configMap": {"name": "x"}},
            ],
        },
    }
    slim = kube.slim_pod(raw)
    assert "wJalrXUtnFEMI" not in json.dumps(slim)
    assert {"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"} in slim["spec"]["containers"][0]["env"]
    # hostPath volumes, and ConfigMap names (the device plugin config), nothing else
    assert slim["spec"]["volumes"] == [
        {"name": "dev", "hostPath": {"path": "/dev"}},
        {"name": "cfg", "configMap": {"name": "x"}},
    ]
    comps = kube.components_from_pods([slim])
    assert comps["device_plugin"]["version"] == "0.17.1" and comps["device_plugin"][
        "device_list_strategy"
    ] == ["volume-mounts"]
