"""API Gateway routes to models: `AWS::ApiGateway::Method` (its Integration is inline) and
`AWS::ApiGatewayV2::Route` (the `AWS::ApiGatewayV2::Integration` its Target names is folded
in). Same canonical attributes as the Terraform mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scanner.model.resource import Ref, Relation, Unresolved
from scanner.normalize.iam_policy import normalize_policy
from scanner.normalize.terraform.apigateway import METHOD, REST_API, ROUTE, classify, target_of

from .builder import MISSING, Builder, dig, key_line, to_bool, to_str
from .intrinsics import references

_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def _dst(owner_uid: str, value: Any, rtype: str, names: Mapping[str, str]) -> str | None:
    if isinstance(value, Ref):
        return value.uid
    if not isinstance(value, str) or not value:
        return None
    if "${" in value:
        m = _SUB_VAR.search(value)
        return f"{owner_uid.rsplit('#', 1)[0]}#{m.group(1)}" if m else None
    return names.get(f"{rtype}|{value}", value if value.startswith("arn:") else None)


def _set_integration(b: Builder, itype: Any, uri: Any, line: int | None) -> None:
    itype = None if itype is MISSING else itype
    uri = None if uri is MISSING else uri
    b.set("integration_type", to_str(itype) if itype is not None else None, line=line)
    b.set(
        "integration_uri", uri if isinstance(uri, Ref | Unresolved) or uri is None else to_str(uri), line=line
    )
    kind = classify(itype, uri)
    b.set("integration_target", kind, line=line)
    found = target_of(uri, kind)
    if found is not None:
        dst = _dst(b.uid, found[0], found[1], b.names)
        if dst:
            b.relations.append(Relation(b.uid, "invokes", dst, "integration_uri"))


def _common(b: Builder) -> None:
    b.prop("authorization", "AuthorizationType", to_str, default="NONE")
    b.prop("api_key_required", "ApiKeyRequired", to_bool, default=False)


def rest_api(b: Builder) -> None:
    types = dig(b.props, ("EndpointConfiguration", "Types"))
    if isinstance(types, Unresolved):
        pass
    elif isinstance(types, list):
        types = [to_str(t).upper() if isinstance(t, str) else t for t in types] or MISSING
    elif types is not MISSING and types is not None:
        types = dig(b.props, ("EndpointConfiguration",))
        types = types if isinstance(types, Unresolved) else Unresolved("EndpointConfiguration.Types")
    b.set("endpoint_types", types, line=b.line("EndpointConfiguration"), default=["EDGE"])
    b.prop("policy", "Policy", normalize_policy)


def rest_method(b: Builder) -> None:
    b.prop("http_method", "HttpMethod", to_str)
    b.relate("in_api", dig(b.props, ("RestApiId",)), "rest_api_id", REST_API)
    _common(b)
    integ = dig(b.props, ("Integration",))
    if isinstance(integ, Unresolved):
        for k in ("integration_type", "integration_uri", "integration_target"):
            b.set(k, integ, line=b.line("Integration"))
        return
    if not isinstance(integ, Mapping):
        for k in ("integration_type", "integration_uri", "integration_target"):
            b.set(k, None)
        return
    _set_integration(b, integ.get("Type", MISSING), integ.get("Uri", MISSING), b.line("Integration"))


def http_route(b: Builder) -> None:
    b.prop("route_key", "RouteKey", to_str)
    _common(b)
    for k in ("integration_type", "integration_uri", "integration_target"):
        b.set(k, None)  # fold_integration fills them


def fold_integration(uid: str, props: Mapping, builders: Mapping[str, Builder], names, line) -> None:
    """An `AWS::ApiGatewayV2::Integration`, onto every route whose Target names it."""
    lid = uid.rsplit("#", 1)[-1]
    for b in builders.values():
        if b.rtype != ROUTE or not b.uid.startswith(uid.rsplit("#", 1)[0] + "#"):
            continue
        raw_target = b.raw.get("Target") if isinstance(b.raw, Mapping) else None
        if raw_target is None or lid not in references(raw_target, {lid}):
            continue
        _set_integration(
            b,
            props.get("IntegrationType", MISSING),
            props.get("IntegrationUri", MISSING),
            key_line(b.raw, ("Target",)),
        )


FOLDERS = {"AWS::ApiGatewayV2::Integration": fold_integration}
MAPPERS = {
    "AWS::ApiGateway::RestApi": (REST_API, rest_api),
    "AWS::ApiGateway::Method": (METHOD, rest_method),
    "AWS::ApiGatewayV2::Route": (ROUTE, http_route),
}
