"""API Gateway routes that reach models: REST API methods and HTTP API routes."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

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
