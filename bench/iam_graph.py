"""Benchmark: the AWS privilege graph on a generated account.

    .venv/bin/python bench/iam_graph.py                 # 10,000 and 20,000 principals, seeds 7, 8, 9
    .venv/bin/python bench/iam_graph.py --sizes 5000,10000,20000,40000
    .venv/bin/python bench/iam_graph.py --principals 5000 --statements 25000 --seed 8

The account is made of teams of `TEAM_SIZE` principals (a bigger account has more teams):
roles (trusting a service, the account, or a principal of the team), users in a group of
their team, customer-managed and inline policies, buckets, secrets, functions (some with a
public URL). Statements are mostly scoped to the team's own resources (`CROSS_TEAM` name
another team's); 2 % are on "*", 15 % add a service wildcard, 3.4 % are Deny guardrails,
0.6 % are escalation permissions (10 % of those on "*"), 0.05 % are "*" on "*". The mix is
described in docs/performance.md. Builds the graph, finds all paths, and prints wall time
and peak RSS; each size runs in a fresh process so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACCT = "111122223333"
TEAM_SIZE = 100  # principals per team
CROSS_TEAM = 0.05  # share of scoped grants that name another team's resource
SERVICES = ["lambda", "sagemaker", "ec2", "glue", "ecs-tasks", "codebuild", "states", "events"]
# service -> (actions, how a scoped statement names its resources)
ACTIONS = {
    "s3": (["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "bucket"),
    "dynamodb": (["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], "table"),
    "sagemaker": (
        ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:InvokeEndpoint"],
        "job",
    ),
    "lambda": (["lambda:InvokeFunction", "lambda:GetFunction"], "function"),
    "logs": (["logs:CreateLogStream", "logs:PutLogEvents"], "*"),  # idiomatically on "*"
    "kms": (["kms:Decrypt", "kms:GenerateDataKey"], "key"),
    "secretsmanager": (["secretsmanager:GetSecretValue"], "secret"),
    "ecr": (["ecr:GetDownloadUrlForLayer"], "repo"),
    "ec2": (["ec2:DescribeInstances"], "*"),
    "cloudwatch": (["cloudwatch:PutMetricData"], "*"),
    "sqs": (["sqs:SendMessage"], "queue"),
    "sns": (["sns:Publish"], "topic"),
}
WILDCARDS = {"s3": "s3:*", "sagemaker": "sagemaker:*", "logs": "logs:*", "dynamodb": "dynamodb:*",
             "ec2": "ec2:Describe*", "lambda": "lambda:Get*", "kms": "kms:*"}  # fmt: skip
ESCALATIONS = [
    ("iam:PassRole", "role"),
    ("iam:PutUserPolicy", "self"),
    ("iam:AttachRolePolicy", "self"),
    ("sts:AssumeRole", "role"),
    ("lambda:UpdateFunctionCode", "function"),
    ("iam:CreateAccessKey", "user"),
    ("lambda:CreateFunction", "*"),
    ("ssm:SendCommand", "*"),
    ("iam:CreatePolicyVersion", "policy"),
]


def generate(n_principals: int, n_statements: int, seed: int = 7):
    from scanner.model.inventory import Inventory
    from scanner.model.resource import Resource, SourceRef

    rnd = random.Random(seed)
    inv = Inventory()
    n_teams = max(1, n_principals // TEAM_SIZE)  # a bigger account has more teams, not bigger ones
    n_roles, n_groups = n_principals // 2, max(1, n_principals // 20)
    n_users = n_principals - n_roles - n_groups
    n_policies = max(1, n_principals // 5)
    buckets = [
        f"acme-{'training' if i % 10 == 0 else 'app'}-{i}" for i in range(max(n_teams, n_principals // 10))
    ]
    role_arns = [f"arn:aws:iam::{ACCT}:role/team{i % n_teams}-role-{i}" for i in range(n_roles)]
    user_arns = [f"arn:aws:iam::{ACCT}:user/user-{i}" for i in range(n_users)]
    fn_arns = [
        f"arn:aws:lambda:us-east-1:{ACCT}:function:fn-{i}" for i in range(max(n_teams, n_principals // 20))
    ]
    pol_arns = [f"arn:aws:iam::{ACCT}:policy/pol-{i}" for i in range(n_policies)]
    secrets = [f"s{i}" for i in range(max(n_teams, n_principals // 50))]

    def of_team(items: list, team: int):
        """An item of the team (item i belongs to team i % n_teams); now and then another team's."""
        if rnd.random() < CROSS_TEAM:
            team = rnd.randrange(n_teams)
        return items[team + n_teams * rnd.randrange((len(items) - 1 - team) // n_teams + 1)]

    def add(uid_, rtype_, name_, /, **attrs):
        inv.add(
            Resource(
                uid_,
                rtype_,
                "aws",
                name_,
                attrs,
                SourceRef("live", api="bench"),
                account=ACCT,
                region="us-east-1",
            )
        )

    def resource_for(kind, self_arn, team):
        wide = rnd.random() < 0.1  # an escalation permission on "*"
        if kind == "role":
            if wide:
                return "*"
            return (
                of_team(role_arns, team) if rnd.random() < 0.5 else f"arn:aws:iam::{ACCT}:role/team{team}-*"
            )
        if kind == "self":
            return self_arn
        if kind == "function":
            return "*" if wide else of_team(fn_arns, team)
        if kind == "user":
            return of_team(user_arns, team)
        if kind == "policy":
            return of_team(pol_arns, team)
        return "*"

    def scoped(kind, team):
        if kind == "bucket":
            b = of_team(buckets, team)
            objects = f"arn:aws:s3:::{b}/*" if rnd.random() < 0.8 else f"arn:aws:s3:::{b}/team{team}/*"
            return [f"arn:aws:s3:::{b}", objects]
        if kind == "*":
            return ["*"]
        return [
            {
                "table": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/team{team}-t{rnd.randrange(6)}",
                "job": f"arn:aws:sagemaker:us-east-1:{ACCT}:training-job/team{team}-*",
                "function": of_team(fn_arns, team) if fn_arns else "*",
                "key": f"arn:aws:kms:us-east-1:{ACCT}:key/team{team}-{rnd.randrange(2)}",
                "secret": f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:{of_team(secrets, team)}-*",
                "repo": f"arn:aws:ecr:us-east-1:{ACCT}:repository/team{team}/*",
                "queue": f"arn:aws:sqs:us-east-1:{ACCT}:team{team}-q",
                "topic": f"arn:aws:sns:us-east-1:{ACCT}:team{team}-t",
            }[kind]
        ]

    def statement(self_arn, team):
        x = rnd.random()
        if x < 0.006:  # an escalation permission
            action, kind = rnd.choice(ESCALATIONS)
            return {"Effect": "Allow", "Action": [action], "Resource": [resource_for(kind, self_arn, team)]}
        if x < 0.0065:  # full admin
            return {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
        if x < 0.04:  # a guardrail
            svc = rnd.choice(list(ACTIONS))
            return {"Effect": "Deny", "Action": [rnd.choice(ACTIONS[svc][0])], "Resource": ["*"]}
        svc = rnd.choice(list(ACTIONS))
        names, kind = ACTIONS[svc]
        acts = rnd.sample(names, rnd.randint(1, len(names)))
        if x < 0.15 and svc in WILDCARDS:  # a service wildcard, still on scoped resources
            acts.append(WILDCARDS[svc])
        res = ["*"] if x > 0.98 else scoped(kind, team)  # 2 % of statements on every resource
        s = {"Effect": "Allow", "Action": acts, "Resource": res}
        if rnd.random() < 0.05:
            s["Condition"] = {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}}
        return s

    per_policy = max(1, n_statements // (n_policies + n_principals))
    made = 0
    for i, arn in enumerate(pol_arns):  # policy i belongs to team i % n_teams
        stmts = [statement("*", i % n_teams) for _ in range(rnd.randint(1, 2 * per_policy))]
        made += len(stmts)
        add(
            f"pol-{i}",
            "aws.iam.policy",
            f"pol-{i}",
            arn=arn,
            policy_name=f"pol-{i}",
            document={"Version": "2012-10-17", "Statement": stmts},
        )
    inline_budget = max(1, (n_statements - made) // n_principals)

    def inline(self_arn, team):
        n = rnd.randint(1, 2 * inline_budget - 1)
        return [
            {
                "name": "inline",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [statement(self_arn, team) for _ in range(n)],
                },
            }
        ]

    def managed(team, n):
        return list(dict.fromkeys(of_team(pol_arns, team) for _ in range(n)))

    group_names = [f"group-{i}" for i in range(n_groups)]
    for i, name in enumerate(group_names):
        arn = f"arn:aws:iam::{ACCT}:group/{name}"
        t = i % n_teams
        add(name, "aws.iam.group", name, arn=arn, group_name=name, inline_policies=inline(arn, t),
            managed_policy_arns=managed(t, 2))  # fmt: skip
    for i, arn in enumerate(user_arns):
        t = i % n_teams
        add(f"user-{i}", "aws.iam.user", f"user-{i}", arn=arn, user_name=f"user-{i}",
            inline_policies=inline(arn, t), managed_policy_arns=managed(t, rnd.randint(0, 2)),
            groups=[of_team(group_names, t)])  # fmt: skip
    for i, arn in enumerate(role_arns):
        t = i % n_teams
        x = rnd.random()
        if x < 0.6:
            principal = {"Service": [f"{rnd.choice(SERVICES)}.amazonaws.com"]}
        elif x < 0.85:
            principal = {"AWS": [f"arn:aws:iam::{ACCT}:root"]}
        else:
            principal = {"AWS": [of_team(role_arns if rnd.random() < 0.5 else user_arns, t)]}
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": principal}],
        }
        name = arn.rsplit("/", 1)[1]
        add(f"role-{i}", "aws.iam.role", name, arn=arn, role_name=name, assume_role_policy=trust,
            inline_policies=inline(arn, t), managed_policy_arns=managed(t, rnd.randint(0, 2)))  # fmt: skip
    for i, b in enumerate(buckets):
        add(f"bucket-{i}", "aws.s3.bucket", b, bucket=b, arn=f"arn:aws:s3:::{b}")
    for i, name in enumerate(secrets):
        arn = f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:{name}-AbCdEf"
        add(f"secret-{i}", "aws.secretsmanager.secret", name, name=name, arn=arn)
    role_ids = list(range(n_roles))
    for i, arn in enumerate(fn_arns):
        role = of_team(role_ids, i % n_teams)
        add(f"fn-{i}", "aws.lambda.function", f"fn-{i}", arn=arn, function_name=f"fn-{i}",
            role_arn=role_arns[role])  # fmt: skip
        inv.relate(f"fn-{i}", "execution_role", f"role-{role}")
        if i % 10 == 0:
            add(f"url-{i}", "aws.lambda.function_url", f"url-{i}", function_name=f"fn-{i}", auth_type="NONE")
            inv.relate(f"url-{i}", "url_of", f"fn-{i}")
    inv.link()
    stmts = sum(
        len(d["document"]["Statement"])
        for r in inv.resources.values()
        for d in r.attrs.get("inline_policies", [])
    )
    stmts += sum(len(r.attrs["document"]["Statement"]) for r in inv.of_type("aws.iam.policy"))
    return inv, stmts


def run_once(n_principals: int, n_statements: int, seed: int = 7) -> dict:
    from scanner.cli import _tune_gc
    from scanner.graph.build import build_graph
    from scanner.graph.paths import find_paths

    _tune_gc()  # as every scan command does
    inv, stmts = generate(n_principals, n_statements, seed)
    t0 = time.perf_counter()
    graph = build_graph(inv, ("scanner.graph.aws",))
    t1 = time.perf_counter()
    findings = find_paths(graph, inv)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {
        "principals": n_principals,
        "seed": seed,
        "statements": stmts,
        "nodes": graph.g.number_of_nodes(),
        "edges": graph.g.number_of_edges(),
        "findings": len(findings),
        "build_s": round(t1 - t0, 2),
        "paths_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "peak_rss_mib": round(peak),
    }


def _child(n: int, seed: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--principals", str(n), "--seed", str(seed), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--principals", type=int, help="one run of this size")
    ap.add_argument("--statements", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sizes", default="10000,20000", help="the sizes compared (default 10000,20000)")
    ap.add_argument("--seeds", default="7,8,9", help="one generated account per seed and size")
    ap.add_argument("--json", action="store_true", help="one result as JSON (used for the child runs)")
    a = ap.parse_args()
    if a.principals:
        out = run_once(a.principals, a.statements or a.principals * 5, a.seed)
        print(json.dumps(out) if a.json else out)
        return
    # Each account is one random draw of the same mix: a rare kind of principal (one with
    # nearly every permission, whose hubs reach every user and role) is in some draws and not
    # in others. So each size runs on several seeds, each in a fresh process, sizes interleaved
    # so that a slow spell of a shared machine falls on all of them; the median per size is
    # compared.
    sizes = [int(x) for x in a.sizes.split(",")]
    seeds = [int(x) for x in a.seeds.split(",")]
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    for seed in seeds:
        for n in sizes:
            r = _child(n, seed)
            runs[n].append(r)
            print(
                f"{n:>6} principals, seed {seed}: {r['statements']} statements, {r['nodes']} nodes, "
                f"{r['edges']} edges, {r['findings']} findings; build {r['build_s']} s + paths "
                f"{r['paths_s']} s = {r['total_s']} s, peak RSS {r['peak_rss_mib']} MiB",
                flush=True,
            )
    med = {n: statistics.median(r["total_s"] for r in runs[n]) for n in sizes}
    for n in sizes:
        print(f"{n:>6} principals: median {med[n]:.2f} s over seeds {a.seeds}")
    for small, big in zip(sizes, sizes[1:], strict=False):
        per_seed = ", ".join(
            f"{b['total_s'] / max(s_['total_s'], 1e-9):.2f}"
            for s_, b in zip(runs[small], runs[big], strict=True)
        )
        print(
            f"time ratio {big // 1000}k/{small // 1000}k (size x{big / small:g}): "
            f"{med[big] / max(med[small], 1e-9):.2f} of the medians (per seed: {per_seed})"
        )


if __name__ == "__main__":
    main()
