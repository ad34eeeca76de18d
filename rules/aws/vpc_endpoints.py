"""Private reachability of SageMaker from VPC-only Studio domains."""

from __future__ import annotations

from typing import Any

from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Ref, Resource, Unresolved

DOMAIN = "aws.sagemaker.domain"
VPC_ENDPOINT = "aws.ec2.vpc_endpoint"
NEEDED = ("sagemaker.api", "sagemaker.runtime")


def _same_vpc(a: Any, b: Any) -> bool | None:
    """True/False, or None when the endpoint's VPC cannot be compared."""
    if isinstance(b, Unresolved) or b is None:
        return None
    if isinstance(a, Ref) or isinstance(b, Ref):
        return isinstance(a, Ref) and isinstance(b, Ref) and a.uid == b.uid
    return a == b


def _service(name: Any) -> str | None:
    """The SageMaker service an endpoint's service name is for ("" when another)."""
    text = name.expr if isinstance(name, Unresolved) else name
    if not isinstance(text, str):
        return None
    for svc in NEEDED:  # "com.amazonaws.${AWS::Region}.sagemaker.api": the region does not matter
        if text.endswith(f".{svc}"):
            return svc
    return None if isinstance(name, Unresolved) else ""


@rule(
    id="sagemaker-vpc-only-domain-has-runtime-endpoints",
    title="VPC-only SageMaker Studio domains have interface endpoints for the SageMaker API and runtime",
    severity="low",
    category="network",
    applies_to=[DOMAIN],
    description="A Studio domain with AppNetworkAccessType VpcOnly has no internet path: without "
    "interface VPC endpoints for com.amazonaws.<region>.sagemaker.api and sagemaker.runtime in its VPC, "
    "notebooks cannot call SageMaker (or only through a NAT gateway, outside the endpoints' policies). "
    "Judged against the endpoints in the same scan; domains open to the internet pass (see "
    "sagemaker-domain-vpc-only), a domain whose VPC is not known is unknown.",
    risk="Users work around a broken VPC-only domain by reopening it to the internet or adding a NAT "
    "path that bypasses endpoint policies.",
    remediation={
        "terraform": 'resource "aws_vpc_endpoint" "sagemaker_api" {\n'
        "  vpc_id            = aws_vpc.studio.id\n"
        '  service_name      = "com.amazonaws.${var.region}.sagemaker.api"\n'
        '  vpc_endpoint_type = "Interface"\n'
        "  private_dns_enabled = true\n}\n# and the same for sagemaker.runtime",
        "cloudformation": "SageMakerApiEndpoint:\n  Type: AWS::EC2::VPCEndpoint\n  Properties:\n"
        "    VpcId: !Ref StudioVpc\n    ServiceName: !Sub com.amazonaws.${AWS::Region}.sagemaker.api\n"
        "    VpcEndpointType: Interface\n    PrivateDnsEnabled: true\n# and the same for sagemaker.runtime",
        "cli": "aws ec2 create-vpc-endpoint --vpc-id VPC --vpc-endpoint-type Interface "
        "--service-name com.amazonaws.REGION.sagemaker.api --subnet-ids ... --security-group-ids ...",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html",
    ],
)
def vpc_only_domain_endpoints(d: Resource, inv):
    if d.a.get("app_network_access_type", "PublicInternetOnly") != "VpcOnly":
        return ok()  # not VPC-only: it does not depend on endpoints
    vpc = d.attrs.get("vpc_id")
    if vpc is None or isinstance(vpc, Unresolved):
        return unknown("the domain's VPC is not known", at="vpc_id")
    found: set[str] = set()
    maybe: set[str] = set()
    for ep in inv.of_type(VPC_ENDPOINT):
        same = _same_vpc(vpc, ep.attrs.get("vpc_id"))
        if same is False:
            continue
        etype = ep.attrs.get("vpc_endpoint_type") or "Gateway"
        svc = _service(ep.attrs.get("service_name"))
        if svc == "" or (isinstance(etype, str) and etype != "Interface"):
            continue
        if same and svc and etype == "Interface":
            found.add(svc)
        else:
            maybe.update([svc] if svc else NEEDED)
    missing = [s for s in NEEDED if s not in found]
    if not missing:
        return ok()
    if all(s in maybe for s in missing):
        return unknown(f"an endpoint that may serve {' and '.join(missing)} is unresolved", at="vpc_id")
    return fail(f"no interface VPC endpoint for {' and '.join(missing)} in the domain's VPC", at="vpc_id")
