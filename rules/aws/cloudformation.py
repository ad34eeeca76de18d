"""CloudFormation/SAM templates as a whole: their parameters."""

from __future__ import annotations

from rules.helpers.secrets import secret_verdicts
from rules.sdk import rule
from scanner.model.resource import Resource


@rule(
    id="cloudformation-parameter-defaults-no-secrets",
    title="CloudFormation template parameters have no hard-coded secret defaults",
    severity="high",
    category="secrets",
    applies_to=["aws.cloudformation.stack"],
    description="A parameter default is part of the template: it is committed with it, shown in the console "
    "and returned by DescribeStacks unless NoEcho is set.",
    risk="Leaked credentials from the repository or the stack's parameters.",
    remediation={
        "cloudformation": "Drop the Default and resolve the value at deploy time:\n"
        "'{{resolve:secretsmanager:my-secret:SecretString:token}}'",
        "cli": "Rotate the exposed secret, then redeploy the stack without the default.",
    },
    references=[
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html",
    ],
)
def parameter_defaults_no_secrets(stack: Resource):
    return secret_verdicts(stack, "parameters")
