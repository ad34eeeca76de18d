"""API Gateway routes to models: REST API methods (with `aws_api_gateway_integration` folded
in by rest_api/resource/method) and HTTP API routes (with the `aws_apigatewayv2_integration`
their target names folded in). What the integration invokes, a Lambda function or a SageMaker
endpoint, becomes `integration_target` and an `invokes` relation."""

from __future__ import annotations

import re
from typing import Any

from scanner.model.resource import Ref, Relation, Unresolved
from scanner.normalize.iam_policy import normalize_policy
from scanner.normalize.terraform.model import TfResource, uid_for

from .builder import Builder, Built
from .fold import Index, _set
from .values import str_list, to_bool

METHOD = "aws.apigateway.rest_method"
REST_API = "aws.apigateway.rest_api"
ROUTE = "aws.apigateway.http_route"
FUNCTION = "aws.lambda.function"
ENDPOINT = "aws.sagemaker.endpoint"

_LAMBDA_URI = re.compile(r":lambda:path/[^/]+/functions/(.+?)/invocations")
_SAGEMAKER_URI = re.compile(r"runtime\.sagemaker:path/+endpoints/([^/]+)/invocations")


def classify(integration_type: Any, uri: Any) -> Any:
    """ "lambda", "sagemaker" or "other"; Unresolved when the uri cannot tell. Shared with
    CloudFormation. AWS_PROXY integrations always invoke Lambda."""
    if isinstance(integration_type, str) and integration_type.upper() == "AWS_PROXY":
        return "lambda"
    if isinstance(integration_type, str) and integration_type.upper() in ("HTTP", "HTTP_PROXY", "MOCK"):
        return "other"
    text = uri.expr if isinstance(uri, Unresolved) else uri
    if isinstance(text, str):
        if ":lambda:path/" in text or text.startswith("arn:aws:lambda:"):
            return "lambda"
        if "runtime.sagemaker" in text:
            return "sagemaker"
        if isinstance(uri, str):
            return "other"
    if isinstance(uri, Ref) and isinstance(integration_type, str):
        return Unresolved(f"integration uri from {uri.uid}")
    if uri is None and integration_type is None:
        return None
    return Unresolved("integration uri is not known")


def target_of(uri: Any, target: Any) -> tuple[Any, str] | None:
    """(value for the `invokes` relation, target type): a Ref, an ARN or a literal name, or
    an interpolation's text (the caller maps resource addresses in it)."""
    if target not in ("lambda", "sagemaker"):
        return None
    rtype = FUNCTION if target == "lambda" else ENDPOINT
    if isinstance(uri, Ref):
        return uri, rtype
    text = uri.expr if isinstance(uri, Unresolved) else uri
    if not isinstance(text, str):
        return None
    if target == "lambda":
        m = _LAMBDA_URI.search(text)
        return (m.group(1) if m else text), rtype
    m = _SAGEMAKER_URI.search(text)
    return (m.group(1) if m else None), rtype


_ADDRESS = re.compile(r"\$\{\s*((?:aws_lambda_function|aws_sagemaker_endpoint)\.[A-Za-z0-9_-]+)")


def _relate(target: Built, tf: TfResource, idx: Index, uri: Any, kind_target: Any) -> None:
    found = target_of(uri, kind_target)
    if found is None:
        return
    value, rtype = found
    dst: Any = None
    if isinstance(value, Ref):
        dst = value.uid
    elif isinstance(value, str) and "${" in value:
        m = _ADDRESS.search(value)
        if m is not None:
            address = f"{tf.module}.{m.group(1)}" if tf.module else m.group(1)
            dst = uid_for(tf.root, address)
    elif isinstance(value, str) and value:
        b = idx.find(rtype, value)
        dst = b.resource.uid if b is not None else value
    if dst:
        idx.relations.append(Relation(target.resource.uid, "invokes", dst, "integration_uri"))


def _integration(target: Built, tf: TfResource, idx: Index, itype: Any, uri: Any) -> None:
    _set(target, "integration_type", itype, tf, "type" if "type" in tf.config else "integration_type")
    _set(target, "integration_uri", uri, tf, "uri" if "uri" in tf.config else "integration_uri")
    kind = classify(itype, uri)
    _set(target, "integration_target", kind, tf)
    _relate(target, tf, idx, uri, kind)


def _no_integration(b: Builder) -> None:
    for k in ("integration_type", "integration_uri", "integration_target"):
        b.put(k, None)  # filled by a folded integration


# ------------------------------------------------------------------------- REST APIs
def rest_method(tf: TfResource) -> Built:
    b = Builder(tf, METHOD, "aws")
    b.attr("http_method")
    b.attr("authorization", default="NONE")
    b.attr("api_key_required", default=False, conv=to_bool)
    b.relate("in_api", b.get("rest_api_id"), "rest_api_id", REST_API)
    _no_integration(b)
    return b.finish()


def endpoint_types(ec: Any, default: Any) -> Any:
    """The endpoint configuration's types, upper-cased; the default when none is written."""
    if isinstance(ec, Unresolved | Ref):
        return Unresolved("endpoint_configuration is not known")
    if ec is None:
        return default
    types = str_list(ec.get("types")) if isinstance(ec, dict) else None
    if isinstance(types, list):
        return [t.upper() if isinstance(t, str) else t for t in types] or default
    return types


def rest_api(tf: TfResource) -> Built:
    b = Builder(tf, REST_API, "aws")
    b.key(b.get("name"), b.get("id"))
    b.attr("arn")
    types = endpoint_types(b.block("endpoint_configuration"), None)
    b.put("endpoint_types", types, tf_path="endpoint_configuration", default=["EDGE"])
    b.policy("policy", "policy")
    return b.finish()


def fold_rest_api_policy(tf: TfResource, idx: Index) -> None:
    target = idx.find(REST_API, tf.config.get("rest_api_id"))
    if target is not None:
        _set(target, "policy", normalize_policy(tf.config.get("policy")), tf, "policy")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Ref) and isinstance(b, Ref):
        return a.uid == b.uid
    if isinstance(a, Unresolved) or isinstance(b, Unresolved):
        return isinstance(a, Unresolved) and isinstance(b, Unresolved) and a.expr == b.expr
    return a == b and a is not None


def fold_rest_integration(tf: TfResource, idx: Index) -> None:
    cfg = tf.config
    hm = cfg.get("http_method")
    if isinstance(hm, Ref) and hm.uid in idx.by_uid:
        targets = [idx.by_uid[hm.uid]]
    else:
        targets = [
            b
            for b in idx.by_uid.values()
            if b.resource.type == METHOD
            and all(
                _same(b.tf.config.get(k), cfg.get(k)) for k in ("rest_api_id", "resource_id", "http_method")
            )
        ]
    if len(targets) != 1:
        return
    _integration(targets[0], tf, idx, cfg.get("type"), cfg.get("uri"))


# ------------------------------------------------------------------------- HTTP APIs
def http_route(tf: TfResource) -> Built:
    b = Builder(tf, ROUTE, "aws")
    b.attr("route_key")
    b.attr("authorization", "authorization_type", default="NONE")
    b.attr("api_key_required", default=False, conv=to_bool)
    _no_integration(b)
    return b.finish()


def _targets_integration(route: Built, tf: TfResource) -> bool:
    target = route.tf.config.get("target")
    if isinstance(target, Ref):
        return target.uid == tf.uid
    if isinstance(target, Unresolved):
        return route.tf.module == tf.module and f"{tf.type}.{tf.name}." in target.expr
    return False


def fold_http_integration(tf: TfResource, idx: Index) -> None:
    for b in list(idx.by_uid.values()):
        if b.resource.type == ROUTE and _targets_integration(b, tf):
            _integration(b, tf, idx, tf.config.get("integration_type"), tf.config.get("integration_uri"))


MAPPERS = {
    "aws_api_gateway_method": rest_method,
    "aws_apigatewayv2_route": http_route,
    "aws_api_gateway_rest_api": rest_api,
}
FOLDERS = {
    "aws_api_gateway_rest_api_policy": fold_rest_api_policy,
    "aws_api_gateway_integration": fold_rest_integration,
    "aws_apigatewayv2_integration": fold_http_integration,
}
