"""API Gateway routes that reach models: REST API methods and HTTP API routes."""

from __future__ import annotations

from rules.helpers.iam import RESTRICTING_CONDITION_KEYS, resource_policy_public
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved

REST_API = "aws.apigateway.rest_api"
METHOD = "aws.apigateway.rest_method"
ROUTE = "aws.apigateway.http_route"
MODEL_TARGETS = {"lambda": "a Lambda function", "sagemaker": "a SageMaker endpoint"}


@rule(
    id="apigateway-route-to-model-authorized",
    title="API Gateway routes that invoke Lambda functions or SageMaker endpoints require authorization",
    severity="high",
    category="network",
    applies_to=[METHOD, ROUTE],
    description="A REST method or HTTP route with authorization NONE and no API key lets anyone on the "
    "internet invoke the function or endpoint behind it: the model answers arbitrary callers, "
    "who can extract it, inject prompts and run up GPU and invocation cost. Use IAM, a Cognito "
    "or JWT authorizer, or a Lambda authorizer.",
    risk="Unauthenticated model invocation: model extraction, prompt injection, cost abuse.",
    remediation={
        "terraform": 'authorization = "AWS_IAM"   # REST: aws_api_gateway_method\n'
        'authorization_type = "JWT"  # HTTP API: aws_apigatewayv2_route, with authorizer_id',
        "cloudformation": "AuthorizationType: AWS_IAM   # or COGNITO_USER_POOLS / JWT with AuthorizerId",
        "cli": "aws apigateway update-method --rest-api-id ID --resource-id RID --http-method POST "
        "--patch-operations op=replace,path=/authorizationType,value=AWS_IAM",
    },
    references=[
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html",
    ],
    aliases=["CKV_AWS_59", "CKV_AWS_309"],
)
def route_to_model_authorized(r: Resource):
    if str(r.a.get("authorization", "NONE")).upper() != "NONE":
        return ok()
    if r.a.get("api_key_required", False) is True:
        return ok()
    target = r.a.get("integration_target")
    if target in MODEL_TARGETS:
        return fail(
            f"authorization is NONE with no API key, and it invokes {MODEL_TARGETS[target]}",
            at="authorization",
        )
    return ok()


def _denies_outside_source(doc) -> bool:
    """A Deny statement conditioned on where the caller is (the "deny unless from this IP
    range / VPC endpoint" pattern) restricts callers even when the Allow is open."""
    for s in doc.get("Statement") or [] if isinstance(doc, dict) else []:
        if not isinstance(s, dict) or str(s.get("Effect", "")).lower() != "deny":
            continue
        cond = s.get("Condition")
        if isinstance(cond, dict) and any(
            isinstance(kv, dict) and any(str(k).lower() in RESTRICTING_CONDITION_KEYS for k in kv)
            for kv in cond.values()
        ):
            return True
    return False


@rule(
    id="apigateway-rest-api-private-or-restricted",
    title="REST APIs that invoke models are private or restrict callers with a resource policy",
    severity="medium",
    category="network",
    applies_to=[REST_API],
    description="A REST API with a method that invokes a Lambda function or a SageMaker endpoint should "
    "either be a PRIVATE API (reachable only through interface VPC endpoints) or carry a resource policy "
    "that restricts callers: Allow statements limited to named principals or to conditions on the source "
    "IP, VPC, VPC endpoint, account or organization, or a Deny for callers outside them. An EDGE or "
    "REGIONAL API with no such policy is reachable from the whole internet, and only its method "
    "authorization stands between a caller and the model. APIs whose methods invoke no model are not "
    "checked.",
    risk="Model endpoints reachable from anywhere: extraction, prompt injection and cost abuse, "
    "protected by authorization alone.",
    remediation={
        "terraform": 'endpoint_configuration {\n  types = ["PRIVATE"]\n}\n'
        '# or a policy with Condition = { IpAddress = { "aws:SourceIp" = [...] } }',
        "cloudformation": "EndpointConfiguration:\n  Types: [PRIVATE]\n"
        "# or Policy with Condition: {StringEquals: {aws:SourceVpce: vpce-...}}",
        "cli": "aws apigateway update-rest-api --rest-api-id ID --patch-operations "
        "op=replace,path=/policy,value=file://policy.json",
    },
    references=[
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies.html",
    ],
)
def rest_api_private_or_restricted(api: Resource, inv):
    methods = [m for m in inv.referrers(api, "in_api") if inv.outgoing(m.uid, "invokes")]
    if not methods:
        return ok()
    types = api.a.get("endpoint_types", ["EDGE"])
    if any(isinstance(t, Unresolved) for t in types):
        return unknown("an endpoint type is unresolved", at="endpoint_types")
    if "PRIVATE" in types:
        return ok()
    if api.a.get("policy") is None:
        return fail(f"a {'/'.join(types)} API with no resource policy invokes a model", at="endpoint_types")
    doc = api.attrs.get("policy")  # resolved at the top; the helpers read plain dicts
    if _denies_outside_source(doc):
        return ok()
    a = resource_policy_public(doc)
    if a.hits:
        return fail("the resource policy allows any caller, unrestricted", at=f"policy.{a.hits[0].path}")
    if a.unresolved:
        return unknown("the resource policy is unresolved", at="policy")
    return ok()
