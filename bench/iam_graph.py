"""Benchmark: the AWS privilege graph on a generated account.

    .venv/bin/python bench/iam_graph.py                 # 10,000 and 20,000 principals
    .venv/bin/python bench/iam_graph.py --principals 5000 --statements 25000

Generates roles (with trust policies: services, the account, other principals), users in
groups, customer-managed policies, inline policies, buckets, secrets, keys, functions and
notebooks, with a realistic mix of scoped statements, service wildcards, a few "*" grants
and a few escalation permissions. Builds the graph, finds all paths, and prints wall time
and peak RSS. Each size runs in a fresh process so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACCT = "111122223333"
SERVICES = ["lambda", "sagemaker", "ec2", "glue", "ecs-tasks", "codebuild", "states", "events"]
ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "sagemaker:CreateTrainingJob",
    "sagemaker:DescribeTrainingJob",
    "sagemaker:InvokeEndpoint",
    "lambda:InvokeFunction",
    "lambda:GetFunction",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "secretsmanager:GetSecretValue",
    "ecr:GetDownloadUrlForLayer",
    "ec2:DescribeInstances",
    "cloudwatch:PutMetricData",
    "sqs:SendMessage",
    "sns:Publish",
]
WILDCARDS = ["s3:*", "sagemaker:*", "logs:*", "dynamodb:*", "ec2:Describe*", "lambda:Get*", "kms:*"]
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
    n_roles, n_groups = n_principals // 2, max(1, n_principals // 20)
    n_users = n_principals - n_roles - n_groups
    n_policies = max(1, n_principals // 5)
    buckets = [f"acme-{'training' if i % 10 == 0 else 'app'}-{i}" for i in range(n_principals // 10)]
    role_arns = [f"arn:aws:iam::{ACCT}:role/team{i % 50}-role-{i}" for i in range(n_roles)]
    user_arns = [f"arn:aws:iam::{ACCT}:user/user-{i}" for i in range(n_users)]
    fn_arns = [f"arn:aws:lambda:us-east-1:{ACCT}:function:fn-{i}" for i in range(n_principals // 20)]
    pol_arns = [f"arn:aws:iam::{ACCT}:policy/pol-{i}" for i in range(n_policies)]

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

    def resource_for(kind, self_arn):
        if kind == "role":
            return rnd.choice(
                [rnd.choice(role_arns), f"arn:aws:iam::{ACCT}:role/team{rnd.randrange(50)}-*", "*"]
            )
        if kind == "self":
            return self_arn
        if kind == "function":
            return rnd.choice(fn_arns + ["*"])
        if kind == "user":
            return rnd.choice(user_arns)
        if kind == "policy":
            return rnd.choice(pol_arns)
        return "*"

    def statement(self_arn):
        x = rnd.random()
        if x < 0.006:
            action, kind = rnd.choice(ESCALATIONS)
            return {"Effect": "Allow", "Action": [action], "Resource": [resource_for(kind, self_arn)]}
        if x < 0.0065:
            return {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
        if x < 0.04:
            return {"Effect": "Deny", "Action": [rnd.choice(ACTIONS)], "Resource": ["*"]}
        acts = rnd.sample(ACTIONS, rnd.randint(1, 4)) + ([rnd.choice(WILDCARDS)] if x < 0.2 else [])
        if any(a.startswith("s3:") for a in acts):
            b = rnd.choice(buckets)
            res = [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"]
        else:
            res = (
                ["*"]
                if rnd.random() < 0.5
                else [f"arn:aws:dynamodb:us-east-1:{ACCT}:table/t{rnd.randrange(300)}"]
            )
        s = {"Effect": "Allow", "Action": acts, "Resource": res}
        if rnd.random() < 0.05:
            s["Condition"] = {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}}
        return s

    per_policy = max(1, n_statements // (n_policies + n_principals))
    made = 0
    for i, arn in enumerate(pol_arns):
        stmts = [statement("*") for _ in range(rnd.randint(1, 2 * per_policy))]
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

    def inline(self_arn):
        return [
            {
                "name": "inline",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [statement(self_arn) for _ in range(rnd.randint(1, 2 * inline_budget - 1))],
                },
            }
        ]

    for i in range(n_groups):
        arn = f"arn:aws:iam::{ACCT}:group/group-{i}"
        add(
            f"group-{i}",
            "aws.iam.group",
            f"group-{i}",
            arn=arn,
            group_name=f"group-{i}",
            inline_policies=inline(arn),
            managed_policy_arns=rnd.sample(pol_arns, 2),
        )
    for i, arn in enumerate(user_arns):
        add(
            f"user-{i}",
            "aws.iam.user",
            f"user-{i}",
            arn=arn,
            user_name=f"user-{i}",
            inline_policies=inline(arn),
            managed_policy_arns=rnd.sample(pol_arns, rnd.randint(0, 2)),
            groups=[f"group-{rnd.randrange(n_groups)}"],
        )
    for i, arn in enumerate(role_arns):
        x = rnd.random()
        if x < 0.6:
            principal = {"Service": [f"{rnd.choice(SERVICES)}.amazonaws.com"]}
        elif x < 0.85:
            principal = {"AWS": [f"arn:aws:iam::{ACCT}:root"]}
        else:
            principal = {"AWS": [rnd.choice(role_arns + user_arns)]}
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": principal}],
        }
        add(
            f"role-{i}",
            "aws.iam.role",
            f"team{i % 50}-role-{i}",
            arn=arn,
            role_name=f"team{i % 50}-role-{i}",
            assume_role_policy=trust,
            inline_policies=inline(arn),
            managed_policy_arns=rnd.sample(pol_arns, rnd.randint(0, 2)),
        )
    for i, b in enumerate(buckets):
        add(f"bucket-{i}", "aws.s3.bucket", b, bucket=b, arn=f"arn:aws:s3:::{b}")
    for i in range(n_principals // 50):
        add(
            f"secret-{i}",
            "aws.secretsmanager.secret",
            f"s{i}",
            name=f"s{i}",
            arn=f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:s{i}-AbCdEf",
        )
    for i, arn in enumerate(fn_arns):
        role = rnd.randrange(n_roles)
        add(
            f"fn-{i}",
            "aws.lambda.function",
            f"fn-{i}",
            arn=arn,
            function_name=f"fn-{i}",
            role_arn=role_arns[role],
        )
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


def run_once(n_principals: int, n_statements: int) -> dict:
    from scanner.graph.build import build_graph
    from scanner.graph.paths import find_paths

    inv, stmts = generate(n_principals, n_statements)
    t0 = time.perf_counter()
    graph = build_graph(inv, ("scanner.graph.aws",))
    t1 = time.perf_counter()
    findings = find_paths(graph, inv)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {
        "principals": n_principals,
        "statements": stmts,
        "nodes": graph.g.number_of_nodes(),
        "edges": graph.g.number_of_edges(),
        "findings": len(findings),
        "build_s": round(t1 - t0, 2),
        "paths_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "peak_rss_mib": round(peak),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--principals", type=int)
    ap.add_argument("--statements", type=int)
    ap.add_argument("--json", action="store_true", help="one result as JSON (used for the child runs)")
    a = ap.parse_args()
    if a.principals:
        out = run_once(a.principals, a.statements or a.principals * 5)
        print(json.dumps(out) if a.json else out)
        return
    rows = []
    for n in (10_000, 20_000):
        proc = subprocess.run(
            [sys.executable, __file__, "--principals", str(n), "--statements", str(n * 5), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for r in rows:
        print(
            f"{r['principals']:>6} principals {r['statements']:>7} statements: {r['nodes']} nodes, {r['edges']} edges, "
            f"{r['findings']} findings; build {r['build_s']} s + paths {r['paths_s']} s = {r['total_s']} s, "
            f"peak RSS {r['peak_rss_mib']} MiB"
        )
    print(f"time ratio 20k/10k: {rows[1]['total_s'] / max(rows[0]['total_s'], 1e-9):.2f}")


if __name__ == "__main__":
    main()
