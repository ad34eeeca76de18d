"""Lambda: functions, function URLs and resource-based permissions."""

from __future__ import annotations

from rules.helpers.roles import execution_role_admin_verdict
from rules.helpers.secrets import secret_verdicts
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved, cannot_be

FUNCTION = "aws.lambda.function"
URL = "aws.lambda.function_url"
PERMISSION = "aws.lambda.permission"


@rule(
    id="lambda-function-env-no-secrets",
    title="Lambda function environment variables contain no hard-coded secrets",
    severity="critical",
    category="secrets",
    applies_to=[FUNCTION],
    description="Environment variables are returned in clear text by GetFunctionConfiguration and kept in "
    "templates and state; a key stored there is readable by anyone who can read either.",
    risk="Leaked API keys, model-hub tokens or cloud credentials.",
    remediation={
        "terraform": "Store the value in Secrets Manager and pass only its ARN:\n"
        "environment { variables = { TOKEN_SECRET_ARN = aws_secretsmanager_secret.t.arn } }",
        "cloudformation": "Environment:\n  Variables:\n    TOKEN_SECRET_ARN: !Ref TokenSecret",
        "cli": "Rotate the exposed secret, then aws lambda update-function-configuration --environment ...",
    },
    references=[
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
    ],
    aliases=["CKV_AWS_45", "awslambda_function_no_secrets_in_variables"],
)
def env_no_secrets(fn: Resource):
    return secret_verdicts(fn, "environment")


@rule(
    id="lambda-function-env-encrypted-with-cmk",
    title="Lambda function environment variables are encrypted with a customer-managed KMS key",
    severity="medium",
    category="encryption",
    applies_to=[FUNCTION],
    description="A function with environment variables but no KMSKeyArn uses the AWS-managed Lambda key, "
    "which every principal with lambda:GetFunctionConfiguration can use to read them.",
    risk="Configuration values readable without a separate key permission.",
    remediation={
        "terraform": "kms_key_arn = aws_kms_key.lambda.arn",
        "cloudformation": "KmsKeyArn: !GetAtt LambdaKey.Arn",
        "cli": "aws lambda update-function-configuration --function-name NAME --kms-key-arn KEY_ARN",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html"],
    aliases=["CKV_AWS_173", "awslambda_function_env_vars_not_encrypted_with_cmk"],
)
def env_encrypted_with_cmk(fn: Resource):
    if not fn.a.get("environment"):
        return ok()  # nothing to encrypt
    if not fn.a.get("kms_key_arn"):
        return fail("environment variables use the AWS-managed key", at="kms_key_arn")
    return ok()


@rule(
    id="lambda-function-tracing-active",
    title="Lambda functions have X-Ray active tracing enabled",
    severity="low",
    category="logging",
    applies_to=[FUNCTION],
    description="Active tracing records every invocation and its downstream calls, which investigations "
    "rely on to see what a function reached.",
    risk="Abuse of a function and the services it called cannot be reconstructed.",
    remediation={
        "terraform": 'tracing_config {\n  mode = "Active"\n}',
        "cloudformation": "TracingConfig:\n  Mode: Active",
        "cli": "aws lambda update-function-configuration --function-name NAME --tracing-config Mode=Active",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html"],
    aliases=["CKV_AWS_50"],
)
def tracing_active(fn: Resource):
    if fn.a.get("tracing_mode", "PassThrough") != "Active":
        return fail("active tracing is not enabled", at="tracing_mode")
    return ok()


@rule(
    id="lambda-function-in-vpc",
    title="Lambda functions run in a VPC",
    severity="low",
    category="network",
    applies_to=[FUNCTION],
    description="A function outside a VPC reaches the internet directly, beyond your security groups, "
    "VPC endpoints and egress filtering.",
    risk="Exfiltration from the function cannot be filtered or observed in VPC flow logs.",
    remediation={
        "terraform": "vpc_config {\n  subnet_ids         = [aws_subnet.private.id]\n"
        "  security_group_ids = [aws_security_group.fn.id]\n}",
        "cloudformation": "VpcConfig:\n  SubnetIds: [!Ref PrivateSubnet]\n  SecurityGroupIds: [!Ref FunctionSg]",
        "cli": "aws lambda update-function-configuration --function-name NAME "
        "--vpc-config SubnetIds=...,SecurityGroupIds=...",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"],
    aliases=["CKV_AWS_117", "awslambda_function_inside_vpc"],
)
def in_vpc(fn: Resource):
    vpc = fn.a.get("vpc_config")
    if not vpc or not vpc.get("subnet_ids"):
        return fail("no VPC configuration is set", at="vpc_config")
    return ok()


@rule(
    id="lambda-function-execution-role-not-admin",
    title="Lambda function execution roles do not grant administrator access",
    severity="high",
    category="iam",
    applies_to=[FUNCTION],
    description="Any code path that an attacker controls in the function (injection, a poisoned "
    "dependency or model) runs with the execution role; an admin role gives away the account.",
    risk="Compromise of the function becomes compromise of the AWS account.",
    remediation={
        "terraform": "Attach a least-privilege policy to the role instead of AdministratorAccess or "
        '"Action": "*" on "Resource": "*".',
        "cloudformation": "Replace arn:aws:iam::aws:policy/AdministratorAccess in ManagedPolicyArns with a "
        "scoped policy.",
        "cli": "aws iam detach-role-policy --role-name ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
    },
    references=[
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ],
)
def execution_role_not_admin(fn: Resource, inv):
    return execution_role_admin_verdict(fn, inv, "role_arn")


@rule(
    id="lambda-function-url-auth-required",
    title="Lambda function URLs require IAM authentication",
    severity="high",
    category="network",
    applies_to=[URL],
    description="A function URL with auth type NONE can be invoked by anyone on the internet who learns "
    "the URL.",
    risk="Unauthenticated invocation: abuse, cost, and whatever data the function can reach.",
    remediation={
        "terraform": 'authorization_type = "AWS_IAM"',
        "cloudformation": "AuthType: AWS_IAM",
        "cli": "aws lambda update-function-url-config --function-name NAME --auth-type AWS_IAM",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"],
    aliases=["CKV_AWS_258", "awslambda_function_url_public"],
)
def url_auth_required(url: Resource):
    if url.a.get("auth_type") == "NONE":
        return fail("auth type is NONE", at="auth_type")
    return ok()


@rule(
    id="lambda-function-url-cors-restricted",
    title="Lambda function URL CORS does not allow every origin",
    severity="medium",
    category="network",
    applies_to=[URL],
    description="A wildcard allowed origin lets any web page call the function from a visitor's browser.",
    risk="Cross-origin abuse of the function from arbitrary sites.",
    remediation={
        "terraform": 'cors {\n  allow_origins = ["https://app.example.com"]\n}',
        "cloudformation": "Cors:\n  AllowOrigins: [https://app.example.com]",
        "cli": "aws lambda update-function-url-config --function-name NAME "
        "--cors AllowOrigins=https://app.example.com",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html"],
    aliases=["CKV2_AWS_75", "awslambda_function_url_cors_policy"],
)
def url_cors_restricted(url: Resource):
    cors = url.a.get("cors")
    if not cors:
        return ok()
    origins = cors.get("allow_origins") or []
    for i, o in enumerate(origins):
        if o.strip() == "*":
            return fail("CORS allows any origin", at=origins.path_of(i))
    return ok()


@rule(
    id="lambda-permission-not-public",
    title="Lambda permissions do not grant invocation to any principal without a source condition",
    severity="critical",
    category="iam",
    applies_to=[PERMISSION],
    description='A resource-based permission with principal "*" and no source ARN, source account or '
    "organization lets any AWS account (or anyone, for a function URL) invoke the function.",
    risk="Invocation by arbitrary external principals.",
    remediation={
        "terraform": 'principal  = "s3.amazonaws.com"\nsource_arn = aws_s3_bucket.data.arn',
        "cloudformation": "Principal: s3.amazonaws.com\nSourceArn: !GetAtt DataBucket.Arn",
        "cli": "aws lambda remove-permission --function-name NAME --statement-id ID",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"],
    aliases=["CKV_AWS_301", "awslambda_function_not_publicly_accessible"],
)
def permission_not_public(p: Resource):
    if cannot_be(p.attrs.get("principal"), ("*",)):
        return ok()  # a partly known principal (an ARN, a service) that cannot be "*"
    if p.a.get("principal", "").strip() != "*":
        return ok()
    scoped = [k for k in ("source_arn", "source_account", "principal_org_id") if p.attrs.get(k) is not None]
    if any(not isinstance(p.attrs[k], Unresolved) for k in scoped):
        return ok()
    if scoped:
        return unknown(f"{scoped[0]} is unresolved", at=scoped[0])
    return fail('principal is "*" with no source or organization condition', at="principal")
