"""One shape for IAM policy documents from every source (Terraform jsonencode or heredoc,
`aws_iam_policy_document`, CloudFormation, live JSON): lists everywhere, principals as a
dict of lists, conditions as ``{operator: {key: [values]}}``. Unresolved parts stay
`Unresolved`; a document that is not a policy at all becomes ``Unresolved``."""

from __future__ import annotations

import json
from typing import Any

from scanner.model.resource import Ref, Unresolved

_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _as_list(v: Any) -> Any:
    if v is None:
        return []
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, list | tuple):
        return list(v)
    return [v]


def _principal(p: Any) -> Any:
    if isinstance(p, Unresolved) or p is None:
        return p
    if p == "*":
        return "*"
    if isinstance(p, str):  # a bare principal string is an AWS principal
        return {"AWS": [p]}
    if isinstance(p, dict):
        return {str(k): _as_list(v) for k, v in p.items()}
    return Unresolved("principal of unexpected shape")


def _condition(c: Any) -> Any:
    if c is None:
        return {}
    if not isinstance(c, dict):
        return c if isinstance(c, Unresolved) else Unresolved("condition of unexpected shape")
    out = {}
    for op, kv in c.items():
        if isinstance(kv, dict):
            out[str(op)] = {str(k): _as_list(v) for k, v in kv.items()}
        else:
            out[str(op)] = kv if isinstance(kv, Unresolved) else Unresolved(f"condition {op}")
    return out


def normalize_statement(s: dict) -> dict:
    out: dict[str, Any] = {"Effect": s.get("Effect", "Allow")}
    if "Sid" in s:
        out["Sid"] = s["Sid"]
    for k in _LIST_KEYS:
        if k in s:
            out[k] = _as_list(s[k])
    for k in ("Principal", "NotPrincipal"):
        if k in s:
            out[k] = _principal(s[k])
    if "Condition" in s:
        out["Condition"] = _condition(s["Condition"])
    return out


def normalize_policy(doc: Any) -> Any:
    """A policy document in canonical form. Accepts a dict, a JSON string, or Unresolved."""
    if isinstance(doc, Unresolved | Ref):
        return doc if isinstance(doc, Unresolved) else Unresolved(f"policy from {doc.uid}")
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return Unresolved("policy is not valid JSON")
    if not isinstance(doc, dict):
        return Unresolved("policy is not an object")
    stmts = doc.get("Statement", [])
    if isinstance(stmts, Unresolved):
        return {"Version": doc.get("Version"), "Statement": stmts}
    if isinstance(stmts, dict):
        stmts = [stmts]
    out = []
    for s in stmts if isinstance(stmts, list) else []:
        out.append(normalize_statement(s) if isinstance(s, dict) else Unresolved("statement"))
    return {"Version": doc.get("Version", "2012-10-17"), "Statement": out}
