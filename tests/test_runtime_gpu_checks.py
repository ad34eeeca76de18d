"""GPU-node checks on recorded snapshots: every check fails on one fixture and passes on
another; not-applicable results follow the policy's defaults; exceptions mute; the result
is an ordinary ScanResult that every report renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime_monitor.gpu.checks import all_checks
from runtime_monitor.gpu.snapshot import load_snapshot
from runtime_monitor.monitor import evaluate
from runtime_monitor.policy import load_policy, parse_policy

REPO = Path(__file__).resolve().parent.parent
SNAPS = REPO / "fixtures" / "runtime" / "snapshots"
POLICY_PATH = REPO / "fixtures" / "runtime" / "policies" / "platform.yaml"
POLICY = load_policy(POLICY_PATH)


def run(name: str, policy=POLICY):
    return evaluate(load_snapshot(SNAPS / f"{name}.json"), policy, today="2026-11-20")


def outcomes(name: str, check_id: str) -> list:
    from runtime_monitor.gpu.view import build_view

    check = next(c for c in all_checks() if c.id == check_id)
    return list(check.fn(build_view(load_snapshot(SNAPS / f"{name}.json"), POLICY)))


# check -> (a snapshot where it fails, a snapshot where it passes)
MATRIX = {
    "GPU-001": ("l4-unpooled", "h100-cc-exclusive"),
    "GPU-002": ("a100-nonroot", "a100-mig-clean"),
    "GPU-003": ("a100-mig-two-tenants", "a100-mig-clean"),
    "GPU-004": ("a100-mig-two-tenants", "h100-cc-exclusive"),
    "GPU-005": ("t4-time-sliced", "h100-cc-exclusive"),
    "GPU-006": ("t4-time-sliced", "a100-mig-clean"),
    "GPU-007": ("h100-cc-off", "h100-cc-exclusive"),
    "GPU-008": ("t4-time-sliced", "h100-cc-exclusive"),
    "GPU-009": ("t4-time-sliced", "h100-cc-exclusive"),
    "GPU-010": ("t4-time-sliced", "h100-cc-exclusive"),
    "GPU-011": ("h100-cc-off", "h100-cc-exclusive"),
    "GPU-012": ("h100-cc-off", "h100-cc-exclusive"),
    "GPU-013": ("h100-cc-off", "h100-cc-exclusive"),
    "GPU-014": ("a100-mig-two-tenants", "h100-cc-exclusive"),
    "K8S-001": ("h100-cc-off", "h100-cc-exclusive"),
    "K8S-002": ("t4-time-sliced", "h100-cc-exclusive"),
    "K8S-003": ("h100-cc-off", "h100-cc-exclusive"),
    "K8S-004": ("h100-cc-off", "h100-cc-exclusive"),
    "K8S-005": ("l4-unpooled", "h100-cc-exclusive"),
    "K8S-006": ("t4-time-sliced", "h100-cc-exclusive"),
    "K8S-007": ("h100-cc-off", "h100-cc-exclusive"),
}


def test_the_matrix_covers_every_check():
    assert set(MATRIX) == {c.id for c in all_checks()}


@pytest.mark.parametrize("check_id", sorted(MATRIX))
def test_each_check_fails_and_passes_on_snapshots(check_id):
    bad, good = MATRIX[check_id]
    failing = [o for o in outcomes(bad, check_id) if o.status in ("fail", "warn")]
    assert failing, f"{check_id} found nothing on {bad}"
    assert all(o.reason for o in failing)
    good_out = outcomes(good, check_id)
    assert good_out and all(o.status == "pass" for o in good_out), [o.reason for o in good_out]


def test_the_clean_h100_node_passes_everything():
    result, stats = run("h100-cc-exclusive")
    assert result.findings == [] and result.errors == []
    assert result.passed == result.checks > 20
    assert not stats.violations and not stats.not_applicable


def by_rule(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def test_a100_mig_shared_by_two_tenants():
    result, stats = run("a100-mig-two-tenants")
    f = by_rule(result)
    # two compute instances of GPU instance 2 went to fraud (exclusive) and search
    (share,) = f["GPU-006"]
    assert share.resource.uid.endswith("GPU-000000a0-aaaa-4bbb-8ccc-0000000000a0/gi2")
    assert "fraud" in share.message and "search" in share.message and share.severity == "critical"
    # policy path and line of what it was judged against
    assert share.location.file == str(POLICY_PATH) and share.location.start_line == POLICY.line_of(
        "tenants[0].sharing"
    )
    # the fraud batch pod reached a MIG device it was not given, through NVIDIA_VISIBLE_DEVICES
    (bypass,) = f["GPU-005"]
    assert "fraud-prod/fraud-batch-0" in bypass.message and "NVIDIA_VISIBLE_DEVICES=all" in bypass.message
    assert bypass.evidence.value["used"].startswith("MIG-") and bypass.evidence.path.endswith(
        "processes.compute[0]"
    )
    # a host process and a bare docker container on GPU 1
    assert {x.evidence.value["pid"] for x in f["GPU-004"]} == {4401, 4501}
    # GPU 1: wrong layout and a pending MIG disable (a warning, low)
    # GPU 0 has the declared GPU instances but GI 2 is split into two compute instances; GPU 1 the wrong GIs
    split, wrong = sorted(f["GPU-003"], key=lambda x: x.resource.uid)
    assert (
        "GPU instance 2 (3g.40gb) is split into compute instances ['1c.3g.40gb', '1c.3g.40gb']"
        in split.message
    )
    assert split.evidence.value == {"2": ["1c.3g.40gb", "1c.3g.40gb"]}
    assert "1g.10gb" in wrong.message
    assert f["GPU-002"][0].severity == "low" and "pending" in f["GPU-002"][0].message
    # remapped rows cannot be read with MIG on: not applicable, reported as unknown under `warn`
    assert {x.status for x in f["GPU-009"]} == {"unknown"}
    # dcgm-exporter's /proc mount is a declared exception: kept, muted, with the reason
    (dcgm,) = f["K8S-004"]
    assert dcgm.muted and "dcgm-exporter reads /proc" in dcgm.mute_reason
    assert ("GPU-006", "fraud", "GPU-000000a0-aaaa-4bbb-8ccc-0000000000a0", "critical") in stats.violations
    # the env var values of other variables never reach a finding
    assert "HF_TOKEN" not in json.dumps([x.to_json() for x in result.findings])


def test_t4_time_sliced_across_tenants():
    result, _ = run("t4-time-sliced")
    f = by_rule(result)
    assert "::0" in f["GPU-006"][0].message and "::1" in f["GPU-006"][0].message
    assert "research/sneaky-0" in f["GPU-005"][0].message and "nvidia.com/gpu: 0" in f["GPU-005"][0].message
    node_level = {x.evidence.path for x in f["K8S-002"]}
    assert "toolkit.config.accept-nvidia-visible-devices-envvar-when-unprivileged" in node_level
    assert "components.device_plugin.device_list_strategy" in node_level
    assert "sharing exclusive" in f["K8S-006"][0].message


def test_h100_without_confidential_computing():
    result, _ = run("h100-cc-off")
    f = by_rule(result)
    assert "simulation" in f["GPU-012"][0].message and "dev tools" in f["GPU-012"][0].message
    assert "1.17.7" in f["K8S-007"][0].message and f["K8S-007"][0].category == "supply-chain"
    assert "570.86.15" in f["GPU-011"][0].message
    assert "SYS_ADMIN" in f["K8S-003"][0].message and "NET_BIND_SERVICE" not in f["K8S-003"][0].message


def test_consumer_gpu_not_supported_is_never_a_silent_pass():
    result, stats = run("geforce-consumer")
    f = by_rule(result)
    for rule in ("GPU-008", "GPU-009", "GPU-010", "GPU-014"):
        assert [x.status for x in f[rule]] == ["unknown"], rule
        assert "NotSupported" in f[rule][0].message
    na = result.sources[0]["not_applicable"]
    assert {r["check"] for r in na} == {"GPU-008", "GPU-009", "GPU-010", "GPU-014"}
    assert stats.not_applicable["GPU-008"] == 1
    # the index device id (DEVICE_ID_STRATEGY=index) resolves to the GPU: the notebook is allocated
    assert "GPU-005" not in f
    # Xorg, a host process, draws on it
    assert f["GPU-004"][0].evidence.value == {"pid": 1234, "pod_uid": None}


@pytest.mark.parametrize("mode, status", [("fail", "fail"), ("warn", "unknown"), ("ignore", None)])
def test_defaults_decide_what_not_supported_means(mode, status):
    policy = parse_policy(
        POLICY_PATH.read_text().replace("not_supported: warn", f"not_supported: {mode}"), str(POLICY_PATH)
    )
    result, stats = run("geforce-consumer", policy)
    got = [x.status for x in result.findings if x.rule_id == "GPU-008"]
    assert got == ([status] if status else [])
    # recorded in every mode
    assert any(
        r["check"] == "GPU-008" and r["handled_as"] == mode for r in result.sources[0]["not_applicable"]
    )
    assert stats.not_applicable["GPU-008"] == 1


def test_unattributed_process_can_be_a_warning():
    policy = parse_policy(
        POLICY_PATH.read_text().replace("unattributed_process: fail", "unattributed_process: warn")
    )
    result, _ = run("geforce-consumer", policy)
    (xorg,) = [x for x in result.findings if x.rule_id == "GPU-004"]
    assert xorg.status == "fail" and xorg.severity == "low"


def test_old_driver_uses_v2_process_calls_and_has_no_branch_minimum():
    snap = load_snapshot(SNAPS / "v100-old-driver.json")
    gpu = snap["nvml"]["gpus"][0]
    assert gpu["process_api"] == "v2" and gpu["processes"]["compute"][0]["pid"] == 9101
    assert snap["nvml"]["conf_compute"]["not_applicable"] == "FunctionNotFound"
    result, _ = evaluate(snap, POLICY)
    f = by_rule(result)
    assert list(f) == ["GPU-011"] and "branch 470" in f["GPU-011"][0].message


def test_non_root_agent_reports_what_it_could_not_see():
    result, _ = run("a100-nonroot")
    f = by_rule(result)
    assert "NoPermission" in f["GPU-004"][0].message and f["GPU-004"][0].status == "unknown"
    assert "NoPermission" in f["GPU-010"][0].message
    assert "GpuIsLost" in f["GPU-001"][0].message
    assert "PodResources" in f["GPU-006"][0].message
    assert "Permission denied" in f["K8S-002"][0].message
    # the unreachable kubelet socket is a scan error: the gate says "incomplete"
    assert result.errors and result.errors[0].source == "podresources" and result.incomplete


def test_expired_exception_stops_muting():
    text = POLICY_PATH.read_text().replace(
        "reason: dcgm-exporter reads /proc for its PID mapper",
        "reason: dcgm-exporter reads /proc\n      expires: 2026-01-01",
    )
    result, _ = run("a100-mig-two-tenants", parse_policy(text))
    (dcgm,) = [x for x in result.findings if x.rule_id == "K8S-004"]
    assert not dcgm.muted


@pytest.mark.parametrize("fmt", ["json", "sarif", "html", "md", "junit", "ocsf"])
def test_every_report_renders_a_monitor_pass(fmt):
    from reports import render

    result, _ = run("a100-mig-two-tenants")
    text = render(fmt, result)
    assert "GPU-006" in text.replace("\\", "")  # markdown escapes the dash


def test_sarif_carries_runtime_rule_metadata():
    from reports.sarif import to_sarif

    result, _ = run("t4-time-sliced")
    sarif = to_sarif(result)
    (run_,) = sarif["runs"]
    assert run_["automationDetails"]["id"] == "mlposture/runtime/"
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert set(rules) >= {c.id for c in all_checks()}
    assert "DEVICE_LIST_STRATEGY" in rules["GPU-005"]["help"]["text"]
    assert rules["GPU-006"]["properties"]["security-severity"]


def test_json_report_validates_against_its_schema():
    from jsonschema import Draft202012Validator

    from reports.json_report import to_dict

    schema = json.loads((REPO / "reports" / "schemas" / "report-v1.schema.json").read_text())
    result, _ = run("a100-nonroot")
    errors = list(Draft202012Validator(schema).iter_errors(json.loads(json.dumps(to_dict(result)))))
    assert not errors, errors[0].message


def test_check_metadata_is_complete():
    ids = [c.id for c in all_checks()]
    assert len(ids) == len(set(ids))
    for c in all_checks():
        assert c.meta.title and c.meta.description and c.meta.remediation and c.meta.risk, c.id
        assert c.meta.severity in ("critical", "high", "medium", "low", "info")
