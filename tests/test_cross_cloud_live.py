"""Issue 6, last "done when": live scans of a cluster and of its clouds, joined with
`mlposture scan inventory`, give privilege paths from a Kubernetes service account through
IRSA into an AWS role, and through GKE Workload Identity into a Google service account, to
admin of the account or project and to its data.

Every scan is the real CLI against loopback stand-ins speaking the real protocols: the
recorded scenario cluster and a small GKE cluster (fixtures/live/k8s/server.py), moto for
AWS account 111122223333 (built through IAM and S3, fixtures/live/cross/estate.py) and the
GCP REST and gRPC stand-ins (tests/test_live_gcp_standin.py).

Refresh fixtures/live/cross/expected.yaml after a deliberate change and review the diff:
    .venv/bin/python tests/test_cross_cloud_live.py --update
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_live_gcp_standin import IamStandIn, RestStandIn, load_world  # noqa: E402

from fixtures.live.aws.harness import Servers  # noqa: E402
from fixtures.live.aws.harness import scan as scan_aws  # noqa: E402
from fixtures.live.cross import estate  # noqa: E402
from fixtures.live.k8s.server import StandInApiServer, kubeconfig, load_cluster  # noqa: E402
from scanner.cli import main  # noqa: E402
from scanner.gate import EXIT_FINDINGS  # noqa: E402
from scanner.graph.k8s_links import irsa_trust  # noqa: E402
from scanner.model.inventory import Inventory  # noqa: E402

ADMIN_AWS = f"ADMIN@aws:{estate.ACCOUNT}"
ADMIN_GCP = "ADMIN@gcp:ml-prod"
TRAINER = "k8s:ml-prod/team-a/ServiceAccount/trainer"
LLM_CHAT = "k8s:ml-prod/ml-serving/ServiceAccount/llm-chat"
PREDICTOR = "k8s:gke-prod/ml-serving/ServiceAccount/predictor"
TRAINER_ROLE = f"arn:aws:iam::{estate.ACCOUNT}:role/team-a-trainer"
READ_ROLE = f"arn:aws:iam::{estate.ACCOUNT}:role/llm-chat-model-read"
BUCKET_ARN = f"arn:aws:s3:::{estate.BUCKET}"
GSA_UID = f"//iam.googleapis.com/projects/ml-prod/serviceAccounts/{estate.GSA}"


def _cli(*args: str) -> None:
    """Run the CLI in-process; findings over the gate are expected, any other failure is not."""
    r = CliRunner().invoke(main, [*args, "-q"], catch_exceptions=False)
    assert r.exit_code in (0, EXIT_FINDINGS), r.output


def _scan_cluster(docs: dict | None, context: str, d: Path) -> Path:
    inv = d / f"{context}.inv"
    with StandInApiServer(docs) as server:
        kc = d / f"kubeconfig-{context}"
        kc.write_text(yaml.safe_dump(kubeconfig(server.url, (context,))))
        _cli(
            "scan",
            "k8s",
            "--kubeconfig",
            str(kc),
            "--save-inventory",
            str(inv),
            "-o",
            f"json={d / context}.json",
        )
    return inv


def run_estate(d: Path) -> dict:
    """Scan every part live, save the inventories, join them; the reports and timings."""
    times = {}
    t = time.perf_counter()
    eks = _scan_cluster(None, "ml-prod", d)
    gke = _scan_cluster(estate.gke_docs(load_cluster()), "gke-prod", d)
    times["k8s"] = time.perf_counter() - t

    t = time.perf_counter()
    servers = Servers()
    try:
        estate.build_aws(servers.moto_url)
        aws = d / "aws.inv"
        code, report, err = scan_aws(
            servers.url,
            *("--org-role", "scan", "--accounts", estate.ACCOUNT, "--services", "iam,s3", "--all-buckets"),
            *("--save-inventory", str(aws)),
            out=d / "aws.json",
        )
    finally:
        servers.stop()
    assert code == EXIT_FINDINGS, err
    times["aws"] = time.perf_counter() - t

    t = time.perf_counter()
    world = estate.gcp_world(load_world(("ml-prod",)))
    rest, iam = RestStandIn(world), IamStandIn(world)
    gcp = d / "gcp.inv"
    try:
        _cli(
            *("scan", "gcp", "--project", "ml-prod", "--endpoint", rest.url, "--iam-endpoint", iam.endpoint),
            *("--anonymous", "--regions", "us-central1", "--retry-base-delay", "0"),
            *("--save-inventory", str(gcp), "-o", f"json={d / 'gcp.json'}"),
        )
    finally:
        rest.close()
        iam.close()
    times["gcp"] = time.perf_counter() - t

    t = time.perf_counter()
    _cli("scan", "inventory", str(eks), str(aws), str(gke), str(gcp), "-o", f"json={d / 'joined.json'}")
    times["joined"] = time.perf_counter() - t
    reports = {p.stem: json.loads(p.read_text()) for p in d.glob("*.json")}
    for name, report in reports.items():
        assert report["scan"]["errors"] == [], (name, report["scan"]["errors"])
    return {**reports, "times": times, "dir": d}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    got = run_estate(tmp_path_factory.mktemp("cross"))
    print("scan times: " + ", ".join(f"{k} {v:.2f}s" for k, v in got["times"].items()))
    return got


def _finding(report: dict, start: str, target: str) -> dict:
    found = [
        f
        for f in report["findings"]
        if f["category"] == "privilege-path"
        and f["resource"]["uid"] == start
        and f["evidence"]["path"] == f"path:{target}"
    ]
    assert len(found) == 1, [f["message"] for f in report["findings"] if f["resource"]["uid"] == start]
    return found[0]


def _hops(f: dict) -> list[tuple[str, str | None]]:
    """(node, technique) of the finding's first path."""
    first = estate.path_key(f)["paths"][0]
    return [(s["node"], s["technique"]) for s in f["path"][: len(first)]]


def test_joined_privilege_paths_are_exactly_the_expected(scanned):
    want = estate.load_expected()
    assert estate.path_findings(scanned["joined"]) == want, "stale expected.yaml: run with --update"


def test_irsa_takes_the_trainer_service_account_to_aws_admin(scanned):
    f = _finding(scanned["joined"], TRAINER, ADMIN_AWS)
    print(f["message"])
    assert (
        f["rule_id"] == "privilege-path-admin"
        and f["confidence"] == "certain"
        and f["severity"] == "critical"
    )
    assert _hops(f) == [
        (TRAINER, "k8s-irsa"),
        (TRAINER_ROLE, "aws-iam-attach-role-policy"),
        (ADMIN_AWS, None),
    ]
    irsa = f["path"][0]
    assert irsa["permissions"] == ["sts:AssumeRoleWithWebIdentity"]
    assert "trusts the cluster's OIDC provider" in irsa["note"]


def test_the_live_trust_policy_admits_exactly_the_annotated_service_account(scanned):
    """IRSA is certain because the role, read live, trusts the OIDC provider for team-a:trainer
    only; the cluster scan alone cannot know that and has no path from the account at all."""
    inv = Inventory.load(scanned["dir"] / "aws.inv")
    role = inv.get(inv.resolve(TRAINER_ROLE))
    assert irsa_trust(role, "team-a", "trainer")[0] == "certain"
    assert irsa_trust(role, "team-a", "default") is None and irsa_trust(role, "team-b", "trainer") is None
    alone = [f for f in scanned["ml-prod"]["findings"] if f["resource"]["uid"] in (TRAINER, LLM_CHAT)]
    assert [f["rule_id"] for f in alone if f["category"] == "privilege-path"] == []


def test_irsa_takes_the_chat_service_account_to_the_training_data(scanned):
    f = _finding(scanned["joined"], LLM_CHAT, BUCKET_ARN)
    print(f["message"])
    assert f["rule_id"] == "privilege-path-data" and f["confidence"] == "certain" and f["severity"] == "high"
    assert _hops(f) == [(LLM_CHAT, "k8s-irsa"), (READ_ROLE, "aws-data-read"), (BUCKET_ARN, None)]
    assert "s3:GetObject" in f["path"][1]["permissions"]


def test_workload_identity_takes_the_gke_service_account_to_project_owner(scanned):
    f = _finding(scanned["joined"], PREDICTOR, ADMIN_GCP)
    print(f["message"])
    assert f["rule_id"] == "privilege-path-admin"
    assert _hops(f) == [
        (PREDICTOR, "k8s-gke-workload-identity"),
        (GSA_UID, "gcp-project-set-iam-policy"),
        (ADMIN_GCP, None),
    ]


def test_the_workload_identity_binding_read_live_makes_the_path_certain(scanned):
    f = _finding(scanned["joined"], PREDICTOR, ADMIN_GCP)
    assert f["confidence"] == "certain" and f["severity"] == "critical"
    assert "roles/iam.workloadIdentityUser" in f["path"][0]["note"]


def test_the_internet_reaches_the_training_data_through_the_exposed_inference_service(scanned):
    f = _finding(scanned["joined"], "k8s:ml-prod/ml-serving/InferenceService/llm-chat", BUCKET_ARN)
    assert f["rule_id"] == "internet-path-data" and f["confidence"] == "certain"
    assert [s["node"] for s in f["path"]][2:] == [LLM_CHAT, READ_ROLE, BUCKET_ARN]


def test_the_joined_scan_is_fast(scanned):
    assert scanned["times"]["joined"] < 10, scanned["times"]


def _update() -> None:
    with tempfile.TemporaryDirectory() as d:
        got = run_estate(Path(d))
    findings = estate.path_findings(got["joined"])
    estate.write_expected(findings)
    print(f"wrote {len(findings)} privilege-path findings to {estate.EXPECTED}; times {got['times']}")


if __name__ == "__main__" and "--update" in sys.argv:
    _update()
