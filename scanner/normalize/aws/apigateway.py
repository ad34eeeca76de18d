"""API Gateway routes to models: REST API methods with their integrations (GetRestApis,
GetResources with embedded methods) and HTTP API routes with theirs (GetApis, GetRoutes,
GetIntegrations). What an integration invokes becomes `integration_target` and `invokes`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.normalize.terraform.apigateway import _LAMBDA_URI, _SAGEMAKER_URI, classify

from .base import LiveBuilder, Normalized, policy_doc, scoped

if TYPE_CHECKING:
    from . import Raw


def _invokes(b: LiveBuilder, itype: Any, uri: Any) -> None:
    target = classify(itype, uri) if (itype or uri) else None
    b.put("integration_target", target)
    if not isinstance(uri, str):
        return
    if m := _LAMBDA_URI.search(uri):
        b.relate("invokes", m.group(1), "integration_uri")
    elif uri.startswith("arn:aws:lambda:"):
        b.relate("invokes", uri, "integration_uri")
    elif m := _SAGEMAKER_URI.search(uri):
        b.relate(
            "invokes", scoped("aws.sagemaker.endpoint", b.account, b.region, m.group(1)), "integration_uri"
        )


def rest_api(raw: Raw) -> Normalized:
    d = raw.data
    arn = f"arn:aws:apigateway:{raw.region}::/restapis/{d['id']}"
    b = LiveBuilder(
        "aws.apigateway.rest_api",
        arn,
        d.get("name") or d["id"],
        raw.account,
        raw.region,
        "apigateway:GET",
        d.get("tags"),
    )
    b.put("arn", arn)
    types = (d.get("endpointConfiguration") or {}).get("types")
    b.put("endpoint_types", list(types) if types else None, default=["EDGE"])
    pol = d.get("policy")
    b.put("policy", policy_doc(pol.replace('\\"', '"') if isinstance(pol, str) else pol))
    out = b.finish()
    for res in raw.extra.get("resources") or []:
        for verb, m in (res.get("resourceMethods") or {}).items():
            out.merge(_method(raw, arn, res, verb, m))
    return out


def _method(raw: Raw, api_arn: str, res: dict, verb: str, m: dict) -> Normalized:
    uid = f"{api_arn}/resources/{res['id']}/methods/{verb}"
    b = LiveBuilder(
        "aws.apigateway.rest_method",
        uid,
        f"{raw.data.get('name')} {verb} {res.get('path')}",
        raw.account,
        raw.region,
        "apigateway:GET",
    )
    b.put("http_method", verb)
    b.put("authorization", m.get("authorizationType"), default="NONE")
    b.put("api_key_required", m.get("apiKeyRequired"), default=False)
    integ = m.get("methodIntegration")
    b.put("integration_type", (integ or {}).get("type"))
    b.put("integration_uri", (integ or {}).get("uri"))
    _invokes(b, (integ or {}).get("type"), (integ or {}).get("uri"))
    b.relate("in_api", api_arn, "rest_api_id")
    return b.finish()


def http_api(raw: Raw) -> Normalized:
    d = raw.data
    out = Normalized()
    integrations = {i["IntegrationId"]: i for i in raw.extra.get("integrations") or []}
    for r in raw.extra.get("routes") or []:
        uid = f"arn:aws:apigateway:{raw.region}::/apis/{d['ApiId']}/routes/{r['RouteId']}"
        b = LiveBuilder(
            "aws.apigateway.http_route",
            uid,
            f"{d.get('Name')} {r.get('RouteKey')}",
            raw.account,
            raw.region,
            "apigateway:GET",
        )
        b.put("route_key", r.get("RouteKey"))
        b.put("authorization", r.get("AuthorizationType"), default="NONE")
        b.put("api_key_required", r.get("ApiKeyRequired"), default=False)
        target = r.get("Target") or ""
        integ = integrations.get(target.removeprefix("integrations/")) if target else None
        b.put("integration_type", (integ or {}).get("IntegrationType"))
        b.put("integration_uri", (integ or {}).get("IntegrationUri"))
        _invokes(b, (integ or {}).get("IntegrationType"), (integ or {}).get("IntegrationUri"))
        out.merge(b.finish())
    return out


NORMALIZERS = {"apigateway.rest_api": rest_api, "apigateway.http_api": http_api}
