"""Network exposure of the security groups that ML compute sits behind."""

from __future__ import annotations

from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.normalize.supporting import OPEN_CIDRS

SECURITY_GROUP = "aws.ec2.security_group"
ML_COMPUTE = ("aws.sagemaker.notebook_instance", "aws.sagemaker.model", "aws.lambda.function")


def _label(r: Resource) -> str:
    spec = RESOURCE_TYPES.get(r.type)
    return f'{spec.description if spec else r.type} "{r.name}"'


def _port_range(rule: dict) -> str:
    lo, hi = rule.get("from_port"), rule.get("to_port")
    if rule.get("protocol") == "-1" or lo is None:
        return "all ports"
    return f"port {lo}" if lo == hi else f"ports {lo}-{hi}"


@rule(
    id="ml-compute-security-group-not-open-to-internet",
    title="Security groups attached to ML compute allow no ingress from the internet",
    severity="high",
    category="network",
    applies_to=[SECURITY_GROUP],
    description="A security group used by a SageMaker notebook or model, or a Lambda function, that "
    "allows inbound traffic from 0.0.0.0/0 or ::/0 exposes Jupyter, model servers and anything else "
    "listening in the VPC to the whole internet. Groups no ML compute in the scan uses pass.",
    risk="Remote access to notebooks (code execution as the execution role) and model servers.",
    remediation={
        "terraform": 'Replace cidr_blocks = ["0.0.0.0/0"] with the VPC or a load balancer\'s security group:\n'
        "security_groups = [aws_security_group.alb.id]",
        "cloudformation": "Replace CidrIp: 0.0.0.0/0 with SourceSecurityGroupId: !Ref AlbSecurityGroup",
        "cli": "aws ec2 revoke-security-group-ingress --group-id SG_ID --ip-permissions ...",
    },
    references=[
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html",
    ],
    # No aliases: Checkov's CKV_AWS_24/25 and Prowler's ec2_securitygroup_allow_ingress_* judge every
    # group, this rule only those in front of ML compute, so it must not stand in for them.
)
def ml_security_group_not_open(sg: Resource, inv):
    users = [r for r in inv.referrers(sg, "uses_security_group") if r.type in ML_COMPUTE]
    if not users:
        return ok()  # not in front of ML compute in this scan
    ingress = sg.attrs.get("ingress") or []
    if isinstance(ingress, Unresolved):
        return unknown("ingress rules are unresolved", at="ingress")
    opaque = False
    for i, rule_ in enumerate(ingress):
        if not isinstance(rule_, dict):
            opaque = True
            continue
        for family in ("cidr_ipv4", "cidr_ipv6"):
            cidrs = rule_.get(family)
            if isinstance(cidrs, Unresolved):
                opaque = True
                continue
            for j, c in enumerate(cidrs or []):
                if isinstance(c, Unresolved):
                    opaque = True
                elif isinstance(c, str) and c.strip() in OPEN_CIDRS:
                    return fail(
                        f"{c.strip()} may reach {_port_range(rule_)}; used by {_label(users[0])}",
                        at=f"ingress[{i}].{family}[{j}]",
                    )
    if opaque:
        return unknown("an ingress rule is unresolved", at="ingress")
    return ok()
