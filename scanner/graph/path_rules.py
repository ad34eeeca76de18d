"""Metadata of the privilege-path rules. They are not per-resource rules, so they live
outside the rule catalogue (rules/loader.py) and `scanner.graph.paths` emits them; the
engine adds this metadata to `ScanResult.rules` so SARIF and reports can describe them."""

from __future__ import annotations

from rules.sdk import RuleMeta

CATEGORY = "privilege-path"

_STARTS = (
    "aws.iam.user",
    "aws.iam.role",
    "aws.lambda.function",
    "gcp.iam.service_account",
    "k8s.service_account",
)
_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_evaluation-logic.html",
    "https://pathfinding.cloud/",
)
_REMEDIATE_ESCALATION = {
    "terraform": "Remove the permission each step names (the policy is in the step's location), or scope its"
    " Resource to what the workload needs: iam:PassRole to named role ARNs with an iam:PassedToService"
    " condition, no iam:Put*/Attach*/CreatePolicyVersion on the principal's own identity.",
    "cloudformation": "Remove or scope the statements the path's steps name in the role or policy resources.",
    "cli": "mlposture paths --from PRINCIPAL --to admin fixtures/  # re-check after the change",
}
_REMEDIATE_DATA = {
    "terraform": "Break the path at its weakest link: scope the role trust or iam:PassRole of the middle steps,"
    " and grant read access to the data only to the roles that process it.",
    "cloudformation": "Scope the trust and PassRole statements the path names; restrict the bucket, key or"
    " secret policy to the principals that need it.",
    "cli": "mlposture who-can s3:GetObject arn:aws:s3:::BUCKET/*",
}
_REMEDIATE_INTERNET = {
    "terraform": 'Require authentication on the entry point (authorization_type = "AWS_IAM" on the function URL,'
    " an authorizer on the API route) and give the function a role that cannot reach the data or escalate.",
    "cloudformation": "AuthType: AWS_IAM on AWS::Lambda::Url, an Authorizer on the API method, and a least-privilege"
    " execution role.",
    "cli": "aws lambda update-function-url-config --function-name FN --auth-type AWS_IAM",
}

GRAPH_RULES: dict[str, RuleMeta] = {
    m.id: m
    for m in (
        RuleMeta(
            id="privilege-path-admin",
            title="No principal can escalate to account administrator",
            severity="critical",
            category=CATEGORY,
            applies_to=_STARTS,
            description="A principal that is not an administrator by its own policies can become one through a"
            " chain of steps (assume a role, pass a role to new compute, rewrite a policy it holds).",
            risk="Whoever holds the starting identity owns the account.",
            remediation=_REMEDIATE_ESCALATION,
            references=_REFS,
            provider="aws",
            tags=("graph",),
        ),
        RuleMeta(
            id="internet-path-admin",
            title="Nothing reachable from the internet runs with administrator privileges",
            severity="critical",
            category=CATEGORY,
            applies_to=_STARTS,
            description="An unauthenticated entry point (a public function URL, an open API route, a role any AWS"
            " account may assume) leads to administrator privileges.",
            risk="Anyone on the internet who finds the entry point owns the account.",
            remediation=_REMEDIATE_INTERNET,
            references=_REFS,
            provider="aws",
            tags=("graph",),
        ),
        RuleMeta(
            id="privilege-path-data",
            title="No principal reaches sensitive ML data through another identity",
            severity="high",
            category=CATEGORY,
            applies_to=_STARTS,
            description="A principal reaches training data, model artifacts, a model registry, a feature store or a"
            " secret by becoming another identity, although its own policies do not grant that access.",
            risk="Training data or models can be read, poisoned or exfiltrated by an identity never meant to.",
            remediation=_REMEDIATE_DATA,
            references=_REFS,
            provider="aws",
            tags=("graph",),
        ),
        RuleMeta(
            id="internet-path-data",
            title="No path leads from the internet to sensitive ML data",
            severity="critical",
            category=CATEGORY,
            applies_to=_STARTS,
            description="An unauthenticated entry point runs as, or leads to, an identity that can read training"
            " data, model artifacts, a model registry, a feature store or a secret; or the data's own policy lets"
            " anyone read it.",
            risk="Anyone on the internet can reach the data through the exposed function or endpoint.",
            remediation=_REMEDIATE_INTERNET,
            references=_REFS,
            provider="aws",
            tags=("graph",),
        ),
    )
}


def graph_rule_ids() -> tuple[str, ...]:
    return tuple(GRAPH_RULES)
