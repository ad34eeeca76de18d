"""Privilege paths end to end: each scenario under fixtures/graph/aws is real Terraform, read
through the IaC pipeline, or a saved inventory (`inventory.json`, live-shaped, loaded as
`scan inventory` loads it), built into the graph and searched. What must be found is found
with the right confidence; what must not be found (as certain) is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, sarif_errors

from scanner.collect.iac import collect_iac
from scanner.engine import build_inventory
from scanner.graph.build import build_graph
from scanner.graph.model import INTERNET, Edge, Node, PrivilegeGraph
from scanner.graph.paths import find_paths, severity_of, shortest_paths
from scanner.model.inventory import Inventory

FIXTURES = REPO / "fixtures" / "graph" / "aws"
DEV = "tf:aws_iam_user.dev"


def scan(name: str):
    saved = FIXTURES / name / "inventory.json"
    if saved.exists():  # as `mlposture scan inventory` reads it
        inv = Inventory()
        inv.merge(Inventory.load(saved))
        inv.link()
    else:
        batches, found = collect_iac([FIXTURES / name])
        assert not found.errors and not [e for b in batches for e in b.errors]
        inv = build_inventory(batches)
    graph = build_graph(inv, ("scanner.graph.aws",))
    return inv, graph, find_paths(graph, inv)


def dev_admin(findings):
    return [f for f in findings if f.resource.uid == DEV and f.rule_id == "privilege-path-admin"]


# ------------------------------------------------------------------ must find


def test_permissions_split_across_two_policies():
    _, _, findings = scan("split_policies")
    (f,) = dev_admin(findings)
    assert f.confidence == "certain" and f.severity == "critical"
    nodes = [s.node for s in f.path]
    assert nodes == [DEV, "tf:aws_iam_role.deployer", "ADMIN@aws:111122223333"]
    first = f.path[0]
    assert first.technique == "aws-lambda-create-invoke"
    assert {"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"} <= set(first.permissions)
    # both policies are named as where the permissions were granted
    assert "inline policy" in first.note and "lambda-dev" in first.note
    assert first.location is not None and first.location.file == "main.tf"


def test_resource_constraint_that_still_covers_the_principal_itself():
    _, _, findings = scan("own_policy_resource")
    (f,) = dev_admin(findings)
    assert f.path[0].technique == "aws-iam-put-user-policy" and f.confidence == "certain"


def test_notaction_that_leaves_iam_allowed():
    _, graph, findings = scan("notaction")
    (f,) = dev_admin(findings)
    assert f.confidence == "certain"
    assert f.path[0].technique in {"aws-iam-put-user-policy", "aws-iam-attach-user-policy"}
    # S3 and EC2 are excluded, so dev is not admin by its own policy: the path is an escalation
    assert not any(e.technique == "aws-admin-access" for e in graph.edges_from(DEV))


def test_condition_on_a_key_the_scanner_cannot_know_is_conditional():
    _, graph, findings = scan("unknown_condition")
    (f,) = dev_admin(findings)
    assert f.confidence == "conditional" and f.severity == "high"
    (edge,) = [e for e in graph.edges_from(DEV) if e.technique == "aws-iam-attach-user-policy"]
    assert edge.conditions == ("aws:MultiFactorAuthPresent",)


def test_role_chain_through_two_trusts():
    _, _, findings = scan("role_chain")
    (f,) = dev_admin(findings)
    assert [s.node for s in f.path] == [
        DEV,
        "tf:aws_iam_role.hop",
        "tf:aws_iam_role.target",
        "ADMIN@aws:111122223333",
    ]
    assert [s.technique for s in f.path[:2]] == ["aws-sts-assume-role", "aws-sts-assume-role"]
    assert f.confidence == "certain"


def test_lower_case_action_names_match():
    _, graph, findings = scan("lowercase")
    (f,) = dev_admin(findings)
    # the certain path through the existing function wins over the shorter SSM one,
    # which needs an EC2 instance the scan does not hold
    assert [s.node for s in f.path][:3] == [DEV, "tf:aws_lambda_function.worker", "tf:aws_iam_role.fn_role"]
    assert f.confidence == "certain"
    (ssm,) = [e for e in graph.edges_from(DEV) if e.technique == "aws-ssm-send-command"]
    assert ssm.confidence == "requires-resource" and ssm.permissions == ("ssm:SendCommand",)
    # no instance is in the scan: the edge leads to a stand-in for one, then to the roles it may run as
    assert [e.dst for e in graph.edges_from(ssm.dst)] == ["tf:aws_iam_role.box_role"]


def test_policy_naming_a_bucket_through_a_module_output_reads_that_bucket_only():
    """`"${module.shared.bucket_arn}/*"` (also through a nested module, a for_each instance,
    a module output that is itself a template, and a policy document data source) is the
    ARN of that module's bucket: one certain read edge per role, none to the other buckets,
    none across root modules that use the same addresses."""
    inv, graph, _ = scan("module_output_bucket")
    a, b = "tf:stacks/a:", "tf:stacks/b:"
    buckets = {r.uid for r in inv.of_type("aws.s3.bucket")}
    assert buckets == {
        a + "module.shared.aws_s3_bucket.b",
        a + "module.wrapped.module.inner.aws_s3_bucket.b",
        a + 'module.per_env["dev"].aws_s3_bucket.b',
        a + 'module.per_env["prod"].aws_s3_bucket.b',
        b + "module.shared.aws_s3_bucket.b",
    }

    def reads(role: str) -> dict[str, str]:
        return {e.dst: e.confidence for e in graph.edges_from(role) if e.technique == "aws-data-read"}

    assert reads(a + "aws_iam_role.trainer") == {a + "module.shared.aws_s3_bucket.b": "certain"}
    assert reads(a + "aws_iam_role.nested") == {a + "module.wrapped.module.inner.aws_s3_bucket.b": "certain"}
    assert reads(a + "aws_iam_role.prod") == {a + 'module.per_env["prod"].aws_s3_bucket.b': "certain"}
    assert reads(b + "aws_iam_role.trainer") == {b + "module.shared.aws_s3_bucket.b": "certain"}
    assert sum(1 for e in graph.edges() if e.technique == "aws-data-read") == 4


# ------------------------------------------------------------------ must not find


@pytest.mark.parametrize(
    "name",
    ["deny_same_policy", "deny_two_policies", "deny_only", "aws_managed_only", "closed_window"],
)
def test_nothing_found(name):
    _, graph, findings = scan(name)
    assert findings == []
    assert list(graph.edges_from(DEV)) == []


def test_technique_whose_resource_does_not_exist_is_never_certain():
    _, _, findings = scan("missing_resource")
    (f,) = dev_admin(findings)
    assert f.confidence == "requires-resource" and f.severity == "high"
    assert "needs an existing aws.lambda.function" in f.path[0].note


# ------------------------------------------------------------------ SCPs and resource policies


def _edges(graph, src=None, dst=None):
    return [e for e in graph.edges() if (src is None or e.src == src) and (dst is None or e.dst == dst)]


def test_scp_denying_iam_at_the_root_removes_the_escalation():
    inv, graph, findings = scan("scp_deny_iam")
    (scp,) = inv.of_type("aws.organizations.policy")
    assert scp.attrs["targets"][0]["type"] == "ROOT"  # the attachment, folded in
    assert dev_admin(findings) == []
    assert list(graph.edges_from(DEV)) == []


def test_scp_attached_to_another_account_leaves_the_escalation():
    inv, graph, findings = scan("scp_other_account")
    (scp,) = inv.of_type("aws.organizations.policy")
    assert scp.attrs["targets"] == [{"id": "444455556666", "type": "ACCOUNT", "name": None}]
    (f,) = dev_admin(findings)
    assert f.confidence == "certain" and f.path[0].technique == "aws-iam-put-user-policy"


def test_scp_on_an_ou_whose_members_are_unknown_makes_only_what_it_denies_conditional():
    _, graph, findings = scan("scp_ou")
    (f,) = dev_admin(findings)
    assert f.confidence == "conditional"
    (edge,) = _edges(graph, DEV, "ADMIN@aws:111122223333")
    assert edge.conditions == (
        "SCP no_iam on OU ou-ab12-34cd56ef: whether the account is in that OU is not in the scan",
    )
    (read,) = _edges(graph, DEV, "tf:aws_s3_bucket.training")
    assert read.confidence == "certain"  # S3 is not what the SCP denies


def test_scps_read_live_apply_per_account_exempt_management_and_service_linked_roles():
    _, graph, findings = scan("scp_org_live")
    member = "arn:aws:iam::111122223333:user/dev"
    # deny-iam at the root: the member's escalation is gone
    assert not [e for e in graph.edges_from(member) if e.dst.startswith("ADMIN@")]
    # deny-s3-reads on an OU: the member may or may not be in it
    (read,) = _edges(graph, member, "arn:aws:s3:::acme-training-data")
    assert read.confidence == "conditional" and "ou-ab12-11111111" in read.conditions[0]
    # the management account, and an account attached to no SCP (not in the Organization)
    got = {f.resource.uid: f.confidence for f in findings if f.rule_id == "privilege-path-admin"}
    assert got == {
        "arn:aws:iam::999988887777:user/ops": "certain",
        "arn:aws:iam::222233334444:user/guest": "certain",
    }
    slr = "arn:aws:iam::111122223333:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMakerNotebooks"
    assert [e.confidence for e in _edges(graph, slr, "ADMIN@aws:111122223333")] == ["certain"]


def test_explicit_deny_in_a_secret_policy_wins_over_the_identity_policy():
    _, graph, findings = scan("secret_deny")
    secret = "tf:aws_secretsmanager_secret.api_key"
    assert _edges(graph, "tf:aws_iam_role.reader", secret) == []
    assert not [f for f in findings if f.resource.uid == DEV]  # no path through reader
    assert [e.confidence for e in _edges(graph, "tf:aws_iam_role.auditor", secret)] == ["certain"]
    # in one account the secret's policy alone grants: ci has no policy of its own
    (ci,) = _edges(graph, "tf:aws_iam_role.ci", secret)
    assert ci.confidence == "certain" and ci.note == "the resource policy names this principal"


def test_secret_policy_grants_another_accounts_role_through_its_customer_key():
    _, graph, findings = scan("secret_cross_account")
    secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:model-api-key-AbCdEf"
    partner = "arn:aws:iam::444455556666:role/partner"
    (edge,) = _edges(graph, partner, secret)
    assert edge.confidence == "certain" and edge.permissions == (
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
    )
    (f,) = [f for f in findings if f.rule_id == "privilege-path-data"]
    assert [s.node for s in f.path] == ["arn:aws:iam::444455556666:user/dev", partner, secret]
    assert f.confidence == "certain"
    # another account's role that the secret's policy does not name reads nothing, whatever
    # its own policy says; nor does the partner read a secret with no resource policy
    assert list(graph.edges_from("arn:aws:iam::444455556666:role/snoop")) == []
    assert [e.dst for e in graph.edges_from(partner)] == [secret]


def test_public_ecr_repository_of_a_model_image_is_reachable_from_the_internet():
    _, graph, findings = scan("ecr_public")
    (edge,) = [e for e in graph.edges_from(INTERNET)]
    assert edge.dst == "tf:aws_ecr_repository.serving" and edge.confidence == "certain"
    assert graph.node(edge.dst).sensitive == "model images (run by ML compute)"
    (f,) = findings
    assert f.rule_id == "internet-path-data" and f.severity == "critical"
    # the account-only repository is sensitive (by its name) but not public
    assert graph.node("tf:aws_ecr_repository.tools").sensitive == "model images (by name)"


def test_queue_anyone_may_send_to_triggers_a_function_and_a_topic_anyone_may_subscribe_to():
    _, graph, findings = scan("queue_public")
    fn, topic = "tf:aws_lambda_function.worker", "tf:aws_sns_topic.results"
    got = {(e.dst, e.technique, e.permissions, e.confidence) for e in graph.edges_from(INTERNET)}
    assert got == {
        (fn, "aws-public-invoke", ("sqs:SendMessage",), "certain"),
        (topic, "aws-data-read", ("sns:Subscribe",), "certain"),
    }
    paths = {f.resource.uid: [s.node for s in f.path] for f in findings if f.rule_id == "internet-path-data"}
    assert paths[fn] == [INTERNET, fn, "tf:aws_iam_role.worker", "tf:aws_s3_bucket.training"]
    assert graph.node("tf:aws_sqs_queue.jobs").sensitive == "messages that trigger ML compute"
    assert graph.node("tf:aws_sqs_queue.alerts").sensitive is None  # ops alerts: not ML data


# ------------------------------------------------------------------ search mechanics


def _graph(edges: list[tuple[str, str, str]]) -> PrivilegeGraph:
    g = PrivilegeGraph()
    for n in {x for e in edges for x in e[:2]}:
        kind = "sink" if n.startswith("ADMIN") else "principal"
        g.add_node(Node(n, kind, "aws.iam.role" if kind == "principal" else "aws.admin", n, "aws"))
    for src, dst, conf in edges:
        g.add_edge(Edge(src, dst, f"t-{src}-{dst}", confidence=conf))
    return g


def test_every_distinct_shortest_path_is_listed_and_longer_ones_are_not():
    g = _graph(
        [
            ("u", "a", "certain"),
            ("u", "b", "certain"),
            ("a", "ADMIN@aws:1", "certain"),
            ("b", "ADMIN@aws:1", "certain"),
            ("u", "c", "certain"),
            ("c", "d", "certain"),
            ("d", "ADMIN@aws:1", "certain"),
        ]
    )
    paths = shortest_paths(g, "u", "ADMIN@aws:1")
    assert sorted(p.nodes for p in paths) == [["u", "a", "ADMIN@aws:1"], ["u", "b", "ADMIN@aws:1"]]
    (f,) = [x for x in find_paths(g) if x.resource.uid == "u"]
    # both paths are in the finding, each starting again at the start node
    assert [s.node for s in f.path].count("u") == 2
    assert f.fingerprint == find_paths(g)[[x.resource.uid for x in find_paths(g)].index("u")].fingerprint


def test_a_certain_path_is_preferred_to_a_shorter_uncertain_one():
    g = _graph([("u", "ADMIN@aws:1", "conditional"), ("u", "a", "certain"), ("a", "ADMIN@aws:1", "certain")])
    (p,) = shortest_paths(g, "u", "ADMIN@aws:1")
    assert p.nodes == ["u", "a", "ADMIN@aws:1"] and p.confidence == "certain"


def test_severity_follows_what_is_reached_and_how_sure():
    assert severity_of("privilege-path-admin", "certain") == "critical"
    assert severity_of("privilege-path-admin", "conditional") == "high"
    assert severity_of("privilege-path-data", "certain") == "high"
    assert severity_of("privilege-path-data", "requires-resource") == "medium"
    assert severity_of("internet-path-data", "certain") == "critical"


# ------------------------------------------------------------------ reports


def test_sarif_with_a_privilege_path_validates(tmp_path: Path):
    from reports.sarif import to_sarif
    from scanner.engine import ScanOptions, scan_iac

    result, _ = scan_iac([FIXTURES / "role_chain"], ScanOptions(include_rules=["privilege-path-admin"]))
    assert {f.rule_id for f in result.findings} == {"privilege-path-admin"}
    assert "privilege-path-admin" in result.rules
    log = to_sarif(result)
    assert sarif_errors(log) == []
    results = log["runs"][0]["results"]
    dev = next(r for r in results if "dev" in json.dumps(r["locations"]))
    flow = dev["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [loc["location"]["logicalLocations"][0]["name"] for loc in flow][0] == DEV
    assert "aws-sts-assume-role" in flow[0]["location"]["message"]["text"]


# ------------------------------------------------------------------ shortcuts change nothing


def _reference(inv) -> PrivilegeGraph:
    """The graph with every shortcut off: each target asked on its own, nothing shared."""
    from scanner.graph import aws

    g = PrivilegeGraph()
    g.state["aws_reference"] = True
    aws.add_nodes(inv, g)
    aws.add_edges(inv, g)
    return g


def _edge_set(graph: PrivilegeGraph) -> list[str]:
    return sorted(repr(e) for e in graph.edges())


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_optimized_graph_equals_the_straightforward_one_on_every_fixture(name):
    inv, graph, findings = scan(name)
    ref = _reference(inv)
    assert _edge_set(graph) == _edge_set(ref)
    assert [f.fingerprint for f in find_paths(ref, inv)] == [f.fingerprint for f in findings]


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("iam_graph_bench", REPO / "bench" / "iam_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("seed", [7, 11])
def test_optimized_graph_equals_the_straightforward_one_on_a_generated_account(seed):
    inv, _ = _bench().generate(300, 1500, seed=seed)
    graph = build_graph(inv, ("scanner.graph.aws",))
    ref = _reference(inv)
    assert len(_edge_set(graph)) > 100  # the account has paths to compare
    assert _edge_set(graph) == _edge_set(ref)
    got, want = find_paths(graph, inv), find_paths(ref, inv)
    assert [(f.fingerprint, f.confidence, f.evidence.value) for f in got] == [
        (f.fingerprint, f.confidence, f.evidence.value) for f in want
    ]


def _with_scps(inv) -> None:
    """SCPs whose Resource patterns tell some targets apart from the others (the shared answer
    must not cover those), one on an OU (undecided), one with a condition, and a region lock
    with secrets outside the region (targets then differ by the region of the request)."""
    from scanner.model.resource import Resource, SourceRef

    acct = "111122223333"

    def scp(name, targets, *stmts):
        arn = f"arn:aws:organizations::999988887777:policy/o-abcd1234ef/service_control_policy/p-{name}"
        inv.add(
            Resource(
                arn,
                "aws.organizations.policy",
                "aws",
                name,
                {
                    "arn": arn,
                    "type": "SERVICE_CONTROL_POLICY",
                    "policy": {"Version": "2012-10-17", "Statement": list(stmts)},
                    "targets": targets,
                },
                SourceRef("live", dialect="aws", api="organizations:DescribePolicy"),
                account="999988887777",
            )
        )

    root = [{"id": "r-ab12", "type": "ROOT", "name": "Root"}]
    scp(
        "guard",
        root,
        {"Effect": "Deny", "Action": ["iam:PassRole"], "Resource": [f"arn:aws:iam::{acct}:role/team1-*"]},
        {"Effect": "Deny", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::*team2*/*"]},
        {
            "Effect": "Deny",
            "Action": ["sts:AssumeRole"],
            "Resource": [f"arn:aws:iam::{acct}:role/team0-*"],
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": ["0"]}},
        },
    )
    scp(
        "region-lock",
        root,
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*"],
            "Resource": ["*"],
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
        },
    )
    for i in range(3):  # out of the allowed region: a "*" grant reads them no more
        arn = f"arn:aws:secretsmanager:eu-west-1:{acct}:secret:eu-{i}-AbCdEf"
        inv.add(
            Resource(
                arn,
                "aws.secretsmanager.secret",
                "aws",
                f"eu-{i}",
                {"arn": arn, "name": f"eu-{i}"},
                SourceRef("live", dialect="aws"),
                account=acct,
                region="eu-west-1",
            )
        )
    scp(
        "ou-guard",
        [{"id": "ou-ab12-11111111", "type": "ORGANIZATIONAL_UNIT", "name": "ml"}],
        {"Effect": "Deny", "Action": ["secretsmanager:*", "iam:Put*"], "Resource": ["*"]},
    )


@pytest.mark.parametrize("seed", [5])
def test_optimized_graph_equals_the_straightforward_one_under_scps(seed):
    inv, _ = _bench().generate(300, 1500, seed=seed)
    plain = _edge_set(build_graph(inv, ("scanner.graph.aws",)))
    _with_scps(inv)
    graph = build_graph(inv, ("scanner.graph.aws",))
    ref = _reference(inv)
    got = _edge_set(graph)
    assert got == _edge_set(ref)
    assert got != plain  # the SCPs changed something
    conditions = {c for e in graph.edges() for c in e.conditions}
    assert any("ou-ab12-11111111" in c for c in conditions)
    assert [f.fingerprint for f in find_paths(graph, inv)] == [f.fingerprint for f in find_paths(ref, inv)]


def test_unknown_account_makes_account_dependent_edges_conditional_not_missed():
    inv, graph, findings = scan("unknown_account")
    assert graph.state["aws"].scope.account_known is False
    by_tech = {(e.technique, e.dst): e for e in graph.edges_from(DEV)}
    passed = by_tech[("aws-lambda-create-invoke", "tf:aws_iam_role.deployer")]
    assert passed.confidence == "conditional" and "aws:ResourceAccount" in passed.conditions
    assumed = by_tech[("aws-sts-assume-role", "tf:aws_iam_role.ops")]
    assert assumed.confidence == "conditional" and "aws:PrincipalAccount" in assumed.conditions
    (f,) = dev_admin(findings)
    assert f.confidence == "conditional"
