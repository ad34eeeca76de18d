"""Readings shared by the Terraform and CloudFormation mappings of the AWS services ML
workloads depend on (security groups, CloudTrail): one spelling of an ingress rule and of
a trail's data events, whichever dialect wrote them. Pure."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Ref, Unresolved

ALL_PROTOCOLS = "-1"
# IANA numbers the APIs accept in place of names; the canonical form is the name.
_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": ALL_PROTOCOLS}
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def protocol(v: Any) -> Any:
    if isinstance(v, Unresolved | Ref):
        return v if isinstance(v, Unresolved) else Unresolved(f"protocol from {v.uid}")
    if v is None:
        return ALL_PROTOCOLS  # aws_vpc_security_group_ingress_rule requires it; be lenient
    s = str(v).strip().lower()
    return _PROTOCOL_NAMES.get(s, s)


def port(v: Any, proto: Any) -> Any:
    """A port bound as an int; None where every port is meant (all protocols, or -1)."""
    if proto == ALL_PROTOCOLS or v is None:
        return None
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, Ref):
        return Unresolved(f"port from {v.uid}")
    try:
        n = int(str(v).strip())
    except ValueError:
        return Unresolved(f"not a port: {v!r}")
    return None if n == -1 else n


def string_list(v: Any) -> Any:
    """A list of strings (CIDRs, ARNs, selector values) from a list, one value, or nothing."""
    if v is None or v == "":
        return []
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, Ref):
        return Unresolved(f"list from {v.uid}")
    items = v if isinstance(v, list | tuple) else [v]
    return [x.strip() if isinstance(x, str) else x for x in items]


def ingress_rule(proto: Any, from_port: Any, to_port: Any, ipv4: Any, ipv6: Any) -> dict:
    p = protocol(proto)
    return {
        "from_port": port(from_port, p),
        "to_port": port(to_port, p),
        "protocol": p,
        "cidr_ipv4": string_list(ipv4),
        "cidr_ipv6": string_list(ipv6),
    }


# ------------------------------------------------------------------------- CloudTrail
READ_WRITE = ("All", "ReadOnly", "WriteOnly")


def data_event(resource_type: Any, values: Any, read_write: Any) -> dict:
    if read_write is None:
        read_write = "All"
    return {"resource_type": resource_type, "values": string_list(values), "read_write": read_write}


def advanced_data_events(selectors: list[Any]) -> list[Any]:
    """Advanced event selectors, each ``{field_selectors: [{field, equals, starts_with,
    ends_with, not_equals, ...}]}`` with snake-case keys, as data events. Selectors for
    management or network activity are left out; one that cannot be read is Unresolved."""
    out: list[Any] = []
    for sel in selectors:
        if isinstance(sel, Unresolved | Ref) or not isinstance(sel, dict):
            out.append(Unresolved("advanced event selector is not known"))
            continue
        fields: dict[str, dict] = {}
        opaque = False
        for fs in sel.get("field_selectors") or []:
            if not isinstance(fs, dict) or not isinstance(fs.get("field"), str):
                opaque = True
                continue
            fields[fs["field"]] = fs
        category = _equals(fields.get("eventCategory"))
        if opaque or isinstance(category, Unresolved):
            out.append(Unresolved("advanced event selector fields are not known"))
            continue
        if category != ["Data"]:
            continue
        rtype = _equals(fields.get("resources.type"))
        arn = fields.get("resources.ARN") or {}
        values: Any = []
        for k in ("equals", "starts_with", "ends_with"):
            v = string_list(arn.get(k))
            values = v if isinstance(v, Unresolved) or isinstance(values, Unresolved) else values + v
        ro = _equals(fields.get("readOnly"))
        read_write = (
            ro
            if isinstance(ro, Unresolved)
            else "ReadOnly"
            if ro == ["true"]
            else "WriteOnly"
            if ro == ["false"]
            else "All"
        )
        if isinstance(rtype, list) and len(rtype) == 1:
            out.append(data_event(rtype[0], values, read_write))
        else:
            out.append(Unresolved("advanced selector resources.type is not one known type"))
    return out


def _equals(fs: dict | None) -> Any:
    if fs is None:
        return None
    v = string_list(fs.get("equals"))
    if isinstance(v, list) and any(not isinstance(x, str) for x in v):
        return Unresolved("selector value is not known")
    return v


def org_target_type(target_id: str) -> str | None:
    """What an Organizations policy target id names, by its form: r-… the root, ou-… an OU,
    twelve digits an account (None: none of these)."""
    if target_id.startswith("r-"):
        return "ROOT"
    if target_id.startswith("ou-"):
        return "ORGANIZATIONAL_UNIT"
    if len(target_id) == 12 and target_id.isascii() and target_id.isdigit():
        return "ACCOUNT"
    return None
