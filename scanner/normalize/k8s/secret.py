"""A Secret -> `k8s.secret`: its type, the service account a token Secret belongs to, and
the names of its keys. Values (``data``, ``stringData``) are never read into the
resource, and neither are annotations, where kubectl keeps a copy of the whole manifest."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model.resource import Relation, Resource, SourceRef
from scanner.secrets import redact_string

from .annotations import suppressions
from .base import base, finish, uid_of
from .values import as_map, as_str, key_line

SECRET = "k8s.secret"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
DEFAULT_TYPE = "Opaque"
DATA_KEYS = ("data", "stringData")


def _keys(obj: Mapping) -> list[str]:
    keys: set[str] = set()
    for field in DATA_KEYS:
        if isinstance(obj.get(field), Mapping):
            keys |= {redact_string(str(k)) for k in obj[field]}  # a name is no value
    return sorted(keys)


def normalize_secret(obj: Mapping, source: SourceRef, account: str) -> tuple[Resource, list[Relation]]:
    r, meta, out = base(obj, SECRET, source, account)
    annotations = as_map(meta.get("annotations"), "metadata.annotations")
    # any non-empty data, even a malformed one (a string), was committed with the manifest
    has_data = any(bool(obj.get(field)) for field in DATA_KEYS)
    secret_type = as_str(obj.get("type"))
    if secret_type is None:
        secret_type = DEFAULT_TYPE
        out.default("secret_type")
    sa = as_str(annotations.get(SA_NAME_ANNOTATION))
    out.line("secret_type", key_line(obj, "type"))
    out.line("service_account", key_line(annotations, SA_NAME_ANNOTATION))
    out.line("has_data", key_line(obj, "data") or key_line(obj, "stringData"))
    out.line("keys", key_line(obj, "data") or key_line(obj, "stringData"))
    r.suppressions = suppressions(annotations)
    attrs = {
        "namespace": r.region,
        "secret_type": secret_type,
        "service_account": sa,
        "has_data": has_data,
        "keys": _keys(obj),
    }
    relations = []
    if isinstance(sa, str) and sa:
        relations.append(
            Relation(r.uid, "token_for", uid_of(account, r.region, "ServiceAccount", sa), "service_account")
        )
    return finish(r, out, attrs, secrets=False), relations
