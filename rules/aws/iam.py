"""IAM: role trust policies and identity policies (customer-managed and inline)."""

from __future__ import annotations

from rules.helpers.iam import (
    Analysis,
    account_of,
    passrole_on_any,
    trust_cross_account_without_external_id,
    trust_open_to_anyone,
    wildcard_admin,
)
from rules.sdk import Verdict, fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved

ROLE = "aws.iam.role"
POLICY = "aws.iam.policy"
USER = "aws.iam.user"
GROUP = "aws.iam.group"


def _documents(r: Resource) -> list[tuple[str, object]]:
    """(attribute path, document) of every identity policy written on the resource itself."""
    if r.type == POLICY:
        return [("document", r.attrs.get("document"))]
    inline = r.attrs.get("inline_policies") or []
    if isinstance(inline, Unresolved):
        return [("inline_policies", inline)]
    return [
        (f"inline_policies[{i}].document", p.get("document") if isinstance(p, dict) else p)
        for i, p in enumerate(inline)
    ]


def _verdicts(path: str, a: Analysis) -> list[Verdict]:
    """One fail per offending statement; unknown only when nothing failed."""
    full = lambda p: f"{path}.{p}" if p else path  # noqa: E731
    if a.hits:
        return [fail(h.reason, at=full(h.path)) for h in a.hits]
    if a.unresolved:
        return [unknown("policy document is unresolved", at=full(a.unresolved[0]))]
    return []


def _check_documents(r: Resource, analyse) -> list[Verdict]:
    out: list[Verdict] = []
    for path, doc in _documents(r):
        out += _verdicts(path, analyse(doc))
    if any(v.status == "fail" for v in out):
        out = [v for v in out if v.status == "fail"]
    return out or [ok()]


@rule(
    id="iam-role-trust-not-public",
    title="IAM role trust policies do not let any principal assume the role",
    severity="critical",
    category="iam",
    applies_to=[ROLE],
    description='A trust policy with Principal "*" (or AWS "*") and no condition on the caller\'s account, '
    "organization or source lets any AWS principal in the world assume the role.",
    risk="Anyone with an AWS account obtains the role's permissions.",
    remediation={
        "terraform": 'principals {\n  type        = "AWS"\n  identifiers = ["arn:aws:iam::111122223333:root"]\n}',
        "cloudformation": "Principal:\n  AWS: arn:aws:iam::111122223333:root",
        "cli": "aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json",
    },
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    ],
)
def role_trust_not_public(role: Resource):
    return _verdicts("assume_role_policy", trust_open_to_anyone(role.attrs.get("assume_role_policy"))) or ok()


@rule(
    id="iam-policy-no-admin-wildcard",
    title='IAM policies do not allow "*" actions on "*" resources',
    severity="high",
    category="iam",
    applies_to=[POLICY, ROLE, USER, GROUP],
    description='A statement allowing Action "*" on Resource "*" is full administrator access; whoever holds '
    "the policy controls the account. Checks customer-managed policies and the inline policies of roles, "
    "users and groups.",
    risk="Full account compromise from any principal or workload that holds the policy.",
    remediation={
        "terraform": 'List the actions and resources the workload needs instead of "*".',
        "cloudformation": 'List the actions and resources the workload needs instead of "*".',
        "cli": "aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default",
    },
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
    aliases=[
        "CKV_AWS_62",
        "CKV_AWS_63",
        "iam_customer_attached_policy_no_administrative_privileges",
        "iam_inline_policy_no_administrative_privileges",
    ],
)
def policy_no_admin_wildcard(r: Resource):
    return _check_documents(r, wildcard_admin)


@rule(
    id="iam-policy-no-passrole-on-any-resource",
    title="IAM policies do not allow iam:PassRole on every role",
    severity="high",
    category="iam",
    applies_to=[POLICY, ROLE, USER, GROUP],
    description='iam:PassRole on "*" lets the holder hand any role, including admin roles, to a new '
    "notebook, training job or function and act with its permissions.",
    risk="Privilege escalation to the most powerful role that trusts a compute service.",
    remediation={
        "terraform": "Resource = aws_iam_role.training.arn  # and a condition on iam:PassedToService",
        "cloudformation": "Resource: !GetAtt TrainingRole.Arn",
        "cli": "Scope the iam:PassRole statement to the ARNs of the roles the workload launches.",
    },
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"],
)
def policy_no_passrole_on_any(r: Resource):
    return _check_documents(r, passrole_on_any)


@rule(
    id="iam-role-trust-cross-account-external-id",
    title="IAM roles that trust another AWS account require an external id or the organization",
    severity="high",
    category="iam",
    applies_to=[ROLE],
    description="A trust policy that lets a principal of another AWS account (an account id or an IAM "
    "ARN whose account differs from the role's own; when the role's account is not known, any literal "
    "account) call sts:AssumeRole should carry an sts:ExternalId condition (StringEquals or StringLike) "
    "or an aws:PrincipalOrgID condition. Without one, a third party (a labelling vendor, an MLOps SaaS) "
    "acting for several customers can be tricked into using this role for someone else: the confused "
    "deputy problem.",
    risk="Another customer of the trusted third party reaches the role's models, data and endpoints.",
    remediation={
        "terraform": 'condition {\n  test     = "StringEquals"\n  variable = "sts:ExternalId"\n'
        "  values   = [var.vendor_external_id]\n}",
        "cloudformation": "Condition:\n  StringEquals:\n    sts:ExternalId: !Ref VendorExternalId",
        "cli": "aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json",
    },
    references=[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html",
    ],
)
def role_trust_cross_account_external_id(role: Resource):
    own = role.account or account_of(role.attrs.get("arn"))
    doc = role.attrs.get("assume_role_policy")
    return _verdicts("assume_role_policy", trust_cross_account_without_external_id(doc, own)) or ok()
