"""`AWS::EC2::VPCEndpoint` and `AWS::IAM::InstanceProfile` (see the Terraform twin)."""

from __future__ import annotations

from scanner.normalize.iam_policy import normalize_policy

from .builder import MISSING, Builder, dig, to_bool, to_str

VPC_ENDPOINT = "aws.ec2.vpc_endpoint"
INSTANCE_PROFILE = "aws.iam.instance_profile"
ROLE = "aws.iam.role"


def vpc_endpoint(b: Builder) -> None:
    b.attrs["arn"] = None  # VPC endpoints have no ARN in CloudFormation's return values
    b.prop("vpc_id", "VpcId", to_str)
    b.prop("service_name", "ServiceName", to_str)
    b.prop("vpc_endpoint_type", "VpcEndpointType", to_str, default="Gateway")
    doc = dig(b.props, ("PolicyDocument",))
    b.set(
        "policy",
        None if doc is MISSING or doc is None else normalize_policy(doc),
        line=b.line("PolicyDocument"),
    )
    b.prop("private_dns_enabled", "PrivateDnsEnabled", to_bool, default=False)


def instance_profile(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("name", "InstanceProfileName", to_str, default=b.name)
    roles = dig(b.props, ("Roles",))
    role = roles[0] if isinstance(roles, list) and roles else (None if roles is MISSING else roles)
    role = b.set("role", to_str(role) if role is not None else None, line=b.line("Roles", 0))
    b.relate("has_role", role, "role", ROLE)


MAPPERS = {
    "AWS::EC2::VPCEndpoint": (VPC_ENDPOINT, vpc_endpoint),
    "AWS::IAM::InstanceProfile": (INSTANCE_PROFILE, instance_profile),
}
NAME_KEYS = {"AWS::IAM::InstanceProfile": "InstanceProfileName"}
