"""Live AWS API JSON -> canonical Resources, one module per service. Pure: collectors in
`scanner.collect.aws` hand over `Raw` records (the API's own response shapes) and get
back resources, relations and aliases that produce exactly the shapes of
`scanner.model.types`, so the same rules and the privilege graph run on a live account."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .base import Normalized, Unread, pick

__all__ = ["Normalized", "Raw", "Unread", "kinds", "normalize", "pick"]


@dataclass
class Raw:
    """One record a collector read: `kind` names the normalizer, `data` is API JSON
    (possibly merged from several calls), `api` the call that read it."""

    kind: str
    account: str
    region: str | None
    data: dict
    api: str = ""
    extra: dict = field(default_factory=dict)


def _registry() -> dict[str, Callable[[Raw], Normalized]]:
    from . import apigateway, bedrock, iam, lambda_, organizations, s3, sagemaker, supporting

    reg: dict[str, Callable[[Raw], Normalized]] = {}
    for mod in (iam, lambda_, s3, sagemaker, bedrock, supporting, apigateway, organizations):
        reg.update(mod.NORMALIZERS)
    return reg


_REG: dict[str, Callable[[Raw], Normalized]] | None = None


def normalize(records: Iterable[Raw]) -> Normalized:
    global _REG
    if _REG is None:
        _REG = _registry()
    out = Normalized()
    for raw in records:
        try:
            out.merge(_REG[raw.kind](raw))
        except (KeyError, TypeError, ValueError, AttributeError) as e:  # a record of unexpected shape
            out.errors.append(f"{raw.kind} record of unexpected shape ({type(e).__name__}: {e})")
    return out


def kinds() -> set[str]:
    global _REG
    if _REG is None:
        _REG = _registry()
    return set(_REG)
