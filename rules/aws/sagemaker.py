"""SageMaker: notebooks, models, endpoint configurations, endpoints, domains."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

NOTEBOOK = "aws.sagemaker.notebook_instance"


@rule(
    id="sagemaker-notebook-no-direct-internet",
    title="SageMaker notebook instances have no direct internet access",
    severity="high", category="network", applies_to=[NOTEBOOK],
    description="A notebook with direct internet access can reach and be reached from the internet "
                "outside your VPC controls, so data and credentials can leave without passing any "
                "egress filtering.",
    risk="Exfiltration of training data and of the execution role's credentials.",
    remediation={
        "terraform": 'direct_internet_access = "Disabled"\nsubnet_id = aws_subnet.private.id',
        "cloudformation": "DirectInternetAccess: Disabled\nSubnetId: !Ref PrivateSubnet",
        "cli": "Recreate the notebook with --direct-internet-access Disabled and a private subnet.",
    },
    references=["https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html"],
    aliases=["CKV_AWS_122", "sagemaker_notebook_instance_without_direct_internet_access_configured"],
)
def notebook_no_direct_internet(nb: Resource):
    if nb.a.get("direct_internet_access", True):
        return fail("direct internet access is enabled", at="direct_internet_access")
    return ok()
