"""Render `data "aws_iam_policy_document"` the way the AWS provider does, from its
evaluated config, so `data.aws_iam_policy_document.x.json` is a policy a rule can read.

A fully known document renders to a JSON string; one with unknown parts (a computed ARN)
stays a dict holding `Unresolved`/`Ref` values, which the policy normalizer accepts."""

from __future__ import annotations

import json
from typing import Any

from scanner.model.resource import Ref, Unresolved

from .functions import is_known

_LISTS = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def _principals(blocks: Any) -> Any:
    if isinstance(blocks, Unresolved):
        return blocks
    out: dict[str, list] = {}
    for p in blocks or []:
        if not isinstance(p, dict):
            return Unresolved("principals")
        kind, ids = p.get("type"), p.get("identifiers")
        if not isinstance(kind, str):
            return Unresolved("principals type")
        if kind == "*" and ids in (["*"], "*"):
            return "*"
        ids = ids if isinstance(ids, list | Unresolved | Ref) else [ids]
        if isinstance(ids, Unresolved | Ref):
            out[kind] = ids  # type: ignore[assignment]
        else:
            out.setdefault(kind, []).extend(ids)
    return out


def _conditions(blocks: Any) -> Any:
    if isinstance(blocks, Unresolved):
        return blocks
    out: dict[str, dict] = {}
    for c in blocks or []:
        if (
            not isinstance(c, dict)
            or not isinstance(c.get("test"), str)
            or not isinstance(c.get("variable"), str)
        ):
            return Unresolved("condition")
        values = c.get("values")
        values = values if isinstance(values, list | Unresolved | Ref) else [values]
        out.setdefault(c["test"], {})[c["variable"]] = values
    return out


def _statement(s: dict) -> dict:
    out: dict[str, Any] = {}
    if s.get("sid") not in (None, ""):
        out["Sid"] = s["sid"]
    out["Effect"] = s.get("effect") or "Allow"
    for src, dst in _LISTS:
        v = s.get(src)
        if v is not None:
            out[dst] = v if isinstance(v, list | Unresolved | Ref) else [v]
    for src, dst in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if s.get(src):
            out[dst] = _principals(s[src])
    if s.get("condition"):
        out["Condition"] = _conditions(s["condition"])
    return out


def _statements_of(doc: Any) -> list | None:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return None
    if not isinstance(doc, dict):
        return None
    st = doc.get("Statement", [])
    return [st] if isinstance(st, dict) else st if isinstance(st, list) else None


def _merge_by_sid(base: list, extra: list) -> list:
    """Statements of `extra` replace those of `base` with the same non-empty Sid."""
    out = list(base)
    for s in extra:
        sid = s.get("Sid") if isinstance(s, dict) else None
        at = next((i for i, b in enumerate(out) if sid and isinstance(b, dict) and b.get("Sid") == sid), None)
        if at is None:
            out.append(s)
        else:
            out[at] = s
    return out


def _merge_documents(statements: list, config: dict, keys: tuple[str, ...]) -> list | Unresolved:
    """`statements` with the statements of the documents under `keys` merged in by Sid."""
    for key in keys:
        docs = config.get(key)
        if docs is None:
            continue
        for doc in docs if isinstance(docs, list) else [docs]:
            sts = _statements_of(doc)
            if sts is None:
                return Unresolved(f"aws_iam_policy_document {key}")
            statements = _merge_by_sid(statements, sts)
    return statements


def render_policy_document(config: dict) -> Any:
    # Terraform's order: source documents first, then this block's statements, then
    # override documents; a later statement replaces an earlier one with the same Sid.
    statements = _merge_documents([], config, ("source_policy_documents", "source_json"))
    if isinstance(statements, Unresolved):
        return statements
    own = config.get("statement") or []
    if isinstance(own, Unresolved):
        return own
    statements = _merge_by_sid(
        statements, [_statement(s) if isinstance(s, dict) else Unresolved("statement") for s in own]
    )
    statements = _merge_documents(statements, config, ("override_policy_documents", "override_json"))
    if isinstance(statements, Unresolved):
        return statements
    doc: dict[str, Any] = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        doc["Id"] = config["policy_id"]
    doc["Statement"] = statements
    if not is_known(doc):
        return doc
    return json.dumps(doc, separators=(",", ":"))
