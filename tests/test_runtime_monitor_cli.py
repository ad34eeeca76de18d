"""`mlposture monitor gpu` end to end on recorded snapshots: exit codes, reports, the
JSON-lines stream, the metrics endpoint, and a clear error where NVML is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main

REPO = Path(__file__).resolve().parent.parent
SNAPS = REPO / "fixtures" / "runtime" / "snapshots"
POLICY = str(REPO / "fixtures" / "runtime" / "policies" / "platform.yaml")


def gpu(*args):
    return CliRunner().invoke(main, ["monitor", "gpu", "--policy", POLICY, *args])


@pytest.mark.parametrize(
    "snap, fail_on, code",
    [
        ("h100-cc-exclusive", "high", 0),  # clean
        ("t4-time-sliced", "high", 1),  # findings at or above high
        ("v100-old-driver", "critical", 0),  # only a high finding: under the threshold
        ("a100-nonroot", "critical", 3),  # the kubelet socket was unreachable: incomplete
    ],
)
def test_once_exit_codes(snap, fail_on, code):
    r = gpu("--once", "-q", "--fail-on", fail_on, "--from-snapshot", str(SNAPS / f"{snap}.json"))
    assert r.exit_code == code, r.output


def test_once_writes_reports(tmp_path):
    r = gpu(
        "--once",
        "-q",
        "--from-snapshot",
        str(SNAPS / "a100-mig-two-tenants.json"),
        "-o",
        f"json={tmp_path}/r.json",
        "-o",
        f"sarif={tmp_path}/r.sarif",
    )
    assert r.exit_code == 1
    doc = json.loads((tmp_path / "r.json").read_text())
    assert {f["rule_id"] for f in doc["findings"]} >= {"GPU-003", "GPU-005", "GPU-006"}
    assert all(f["source"] == "runtime" for f in doc["findings"])
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert any(r["id"] == "GPU-006" for r in sarif["runs"][0]["tool"]["driver"]["rules"])


def test_continuous_mode_streams_json_lines():
    r = gpu("--interval", "1s", "--max-passes", "2", "--from-snapshot", str(SNAPS / "t4-time-sliced.json"))
    assert r.exit_code == 1, r.output
    lines = [json.loads(x) for x in r.output.splitlines()]
    passes = [x for x in lines if x["type"] == "pass"]
    assert [p["pass"] for p in passes] == [1, 2] and passes[0]["target"] == "gpu-node:gpu-t4-1"
    findings = [x for x in lines if x["type"] == "finding"]
    assert len(findings) == 2 * passes[0]["findings"]
    assert {f["fingerprint"] for f in findings[: len(findings) // 2]} == {
        f["fingerprint"] for f in findings[len(findings) // 2 :]
    }


def test_metrics_after_a_pass():
    from runtime_monitor.gpu.metrics import GpuMetrics
    from runtime_monitor.gpu.snapshot import load_snapshot
    from runtime_monitor.monitor import evaluate
    from runtime_monitor.policy import load_policy

    m = GpuMetrics("gpu-t4-1")
    _, stats = evaluate(load_snapshot(SNAPS / "t4-time-sliced.json"), load_policy(POLICY))
    m.update(stats)
    text = m.render().decode()
    assert (
        'mlposture_gpu_isolation_violations{check="GPU-006",gpu="GPU-000000t0-aaaa-4bbb-8ccc-0000000000t0",node="gpu-t4-1",severity="critical",tenant="fraud"} 1.0'
        in text
    )
    assert "mlposture_gpu_last_pass_timestamp_seconds" in text
    _, clean = evaluate(load_snapshot(SNAPS / "geforce-consumer.json"), load_policy(POLICY))
    m.update(clean)
    text = m.render().decode()
    assert 'check="GPU-006"' not in text  # a fixed violation disappears
    assert 'mlposture_gpu_checks_not_applicable{check="GPU-008",node="gpu-t4-1"} 1.0' in text


def test_usage_errors_exit_2(tmp_path):
    assert (
        gpu("--once", "--interval", "5s", "--from-snapshot", str(SNAPS / "t4-time-sliced.json")).exit_code
        == 2
    )
    assert gpu("--interval", "soon").exit_code == 2
    r = CliRunner().invoke(main, ["monitor", "gpu", "--once"])
    assert r.exit_code == 2 and "--policy" in r.output
    bad = tmp_path / "p.yaml"
    bad.write_text("apiVersion: mlposture.dev/v1alpha1\nkind: RuntimePolicy\npools: 3\n")
    r = CliRunner().invoke(main, ["monitor", "gpu", "--policy", str(bad), "--once"])
    assert r.exit_code == 2 and "p.yaml:3: pools" in r.output
    snap = tmp_path / "s.json"
    snap.write_text('{"schema_version": 2, "nvml": {}}')
    r = gpu("--once", "--from-snapshot", str(snap))
    assert r.exit_code == 2 and "schema_version" in r.output


def test_without_nvml_the_live_path_says_so():
    import pynvml

    try:
        pynvml.nvmlInit()
        pynvml.nvmlShutdown()
        pytest.skip("NVML is present here; tests/test_runtime_gpu_live.py covers the live path")
    except pynvml.NVMLError:
        pass
    r = CliRunner().invoke(main, ["monitor", "gpu", "snapshot"])
    assert r.exit_code == 2 and "NVML is not available" in r.output and "--from-snapshot" in r.output
    r = gpu("--once")
    assert r.exit_code == 2 and "NVML is not available" in r.output


def test_daemonset_is_read_only_and_minimal():
    import yaml

    docs = {
        d["kind"]: d for d in yaml.safe_load_all((REPO / "deploy" / "gpu-monitor-daemonset.yaml").read_text())
    }
    rules = docs["ClusterRole"]["rules"]
    assert rules == [{"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get", "list"]}]
    spec = docs["DaemonSet"]["spec"]["template"]["spec"]
    assert spec["hostPID"] is True and spec["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    (c,) = spec["containers"]
    # every mount is read-only but the state file's directory (GPU-009's memory of tenants)
    assert [m["mountPath"] for m in c["volumeMounts"] if not m["readOnly"]] == [
        "/var/lib/mlposture-gpu-monitor"
    ]
    (role,) = [
        d
        for d in yaml.safe_load_all((REPO / "deploy" / "gpu-monitor-daemonset.yaml").read_text())
        if d["kind"] == "Role"
    ]
    assert role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert {m["mountPath"] for m in c["volumeMounts"]} >= {"/host/proc", "/var/lib/kubelet/pod-resources"}
    # the args are the CLI's own options
    r = CliRunner().invoke(main, ["monitor", "gpu", "--help"])
    for arg in c["args"][2:]:
        assert arg.split("=")[0] in r.output
