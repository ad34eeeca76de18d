"""apigateway-rest-api-private-or-restricted on hand-built inventories."""

from __future__ import annotations

from rules.loader import load_catalogue
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved, UnresolvedAccess
from scanner.normalize.iam_policy import normalize_policy

RULE = load_catalogue().by_id["apigateway-rest-api-private-or-restricted"]
OPEN = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}


def _verdict(api_attrs: dict, invokes: bool = True) -> str:
    inv = Inventory()
    api = Resource(uid="api", type="aws.apigateway.rest_api", provider="aws", name="api", attrs=api_attrs)
    m = Resource(uid="m", type="aws.apigateway.rest_method", provider="aws", name="m", attrs={})
    fn = Resource(uid="fn", type="aws.lambda.function", provider="aws", name="fn", attrs={})
    inv.extend([api, m, fn])
    inv.relate("m", "in_api", "api")
    if invokes:
        inv.relate("m", "invokes", "fn")
    try:
        statuses = {v.status for v in RULE.evaluate(api, inv)}
    except UnresolvedAccess:
        return "unknown"
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


def pol(*stmts) -> dict:
    return normalize_policy({"Version": "2012-10-17", "Statement": list(stmts)})


def test_public_api_without_policy_fails_only_when_it_invokes_a_model():
    assert _verdict({"endpoint_types": ["EDGE"], "policy": None}) == "fail"
    assert _verdict({"endpoint_types": ["EDGE"], "policy": None}, invokes=False) == "pass"


def test_private_api_passes_and_unresolved_type_is_unknown():
    assert _verdict({"endpoint_types": ["PRIVATE"], "policy": None}) == "pass"
    assert _verdict({"endpoint_types": Unresolved("var.t"), "policy": None}) == "unknown"


def test_resource_policy_restricts_or_not():
    assert _verdict({"endpoint_types": ["REGIONAL"], "policy": pol(OPEN)}) == "fail"
    ip = {**OPEN, "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
    assert _verdict({"endpoint_types": ["REGIONAL"], "policy": pol(ip)}) == "pass"
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
    }
    assert _verdict({"endpoint_types": ["REGIONAL"], "policy": pol(OPEN, deny)}) == "pass"
    assert _verdict({"endpoint_types": ["REGIONAL"], "policy": Unresolved("var.p")}) == "unknown"
