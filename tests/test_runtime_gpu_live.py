"""The live NVML path on a machine with a GPU (skipped elsewhere, with the reason): a real
snapshot validates against the published schema, replays unchanged through the fake, and a
monitor pass over it produces a result every report renders."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _nvml_or_skip():
    import pynvml

    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as e:
        pytest.skip(f"no NVML on this machine ({e}); the live path runs where nvmlInit() succeeds")
    pynvml.nvmlShutdown()


@pytest.mark.gpu
def test_live_snapshot_and_pass(tmp_path):
    _nvml_or_skip()
    from reports import render
    from runtime_monitor.gpu.fake_nvml import FakeNvml
    from runtime_monitor.gpu.nvml import collect_nvml
    from runtime_monitor.gpu.snapshot import take_snapshot, validate
    from runtime_monitor.monitor import evaluate
    from runtime_monitor.policy import load_policy

    snap = take_snapshot(
        pod_resources_socket=str(tmp_path / "absent.sock"),
        toolkit_config=str(tmp_path / "none.toml"),
        with_kubernetes=False,
    )
    validate(snap, "live")
    assert snap["nvml"]["gpus"] and isinstance(snap["nvml"]["driver_version"], str)
    for gpu in snap["nvml"]["gpus"]:
        assert gpu.get("uuid", "").startswith("GPU-") or "error" in gpu
    assert collect_nvml(FakeNvml(snap["nvml"])) == snap["nvml"]
    result, _ = evaluate(snap, load_policy(REPO / "runtime_monitor" / "policy_template.yaml"))
    assert result.checks > 0 and any(e.source == "podresources" for e in result.errors)
    assert render("sarif", result)
