"""`LiveBuilder`: one live API record -> one canonical `Resource`, with provenance for
provider defaults, scrubbed config (env, scripts) and relations whose targets are ARNs or
scoped aliases that the link stage resolves. Pure: no I/O."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Relation, Resource, SourceRef, Unresolved
from scanner.normalize.iam_policy import normalize_policy
from scanner.secrets import Detection, scrub_mapping, scrub_text

_MISSING = object()


@dataclass(frozen=True)
class Unread:
    """What a collector hands over for a detail it could not read (a denied, throttled,
    failed or malformed call), where None would mean "there is none": a function with no
    resource policy, a user with no access key. `why` names the call and how it failed.
    Normalizers turn it into `Unresolved` (provenance ``unresolved``), so a rule that needs
    the value says UNKNOWN, never PASS."""

    why: str

    def unresolved(self) -> Unresolved:
        return Unresolved(f"not read: {self.why}")


def pick(got: Any, key: str) -> Any:
    """`got[key]` of an API answer (None when there was no answer, e.g. "not found"), or
    the `Unread` marker itself when the call failed."""
    if isinstance(got, Unread):
        return got
    return (got or {}).get(key)


def scoped(rtype: str, account: str | None, region: str | None, name: str) -> str:
    """An alias naming a resource by type, account, region and name. APIs often link by a
    bare name (an endpoint's config, a notebook's lifecycle config), and names repeat across
    types (an endpoint and its config usually share one), so a bare name is never an alias."""
    return f"{rtype}:{account or ''}:{region or ''}:{name}"


@dataclass
class Normalized:
    resources: list[Resource] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # what a record held but could not be read

    def merge(self, other: Normalized) -> None:
        self.resources.extend(other.resources)
        self.relations.extend(other.relations)
        self.aliases.update(other.aliases)
        self.errors.extend(other.errors)


class LiveBuilder:
    def __init__(
        self,
        rtype: str,
        uid: str,
        name: str,
        account: str | None,
        region: str | None,
        api: str,
        tags: dict | None = None,
    ):
        self.res = Resource(
            uid=uid,
            type=rtype,
            provider="aws",
            name=name,
            account=account,
            region=region,
            source=SourceRef("live", dialect="aws", api=api),
            tags={str(k): str(v) for k, v in (tags or {}).items()} if not isinstance(tags, Unread) else {},
        )
        if isinstance(tags, Unread):  # not read: not "no tags" (scanner.tag_policy reads this)
            self.res.provenance["tags"] = "unresolved"
        self.out = Normalized([self.res])
        self.detections: list[Detection] = []

    @property
    def account(self) -> str | None:
        return self.res.account

    @property
    def region(self) -> str | None:
        return self.res.region

    def put(self, path: str, value: Any, default: Any = _MISSING) -> Any:
        """Set an attribute; None with a default given takes the provider default. A value
        the collector could not read (`Unread`) is `Unresolved`, marked so in provenance."""
        if value is None and default is not _MISSING:
            value = default
            self.res.provenance[path] = "default"
        if isinstance(value, Unread):
            value = value.unresolved()
        if isinstance(value, Unresolved):
            self.res.provenance[path] = "unresolved"
        self.res.attrs[path] = value
        return value

    def relate(self, kind: str, dst: Any, attr: str) -> None:
        if isinstance(dst, str) and dst:
            self.out.relations.append(Relation(self.res.uid, kind, dst, attr))

    def alias(self, *names: Any) -> None:
        for n in names:
            if isinstance(n, str) and n:
                self.out.aliases[n] = self.res.uid

    def alias_name(self, name: Any, region: str | None = _MISSING) -> None:  # type: ignore[assignment]
        if isinstance(name, str) and name:
            reg = self.region if region is _MISSING else region
            self.alias(scoped(self.res.type, self.account, reg, name))

    def scrub_map(self, path: str, value: Any) -> dict:
        if not isinstance(value, dict):
            return {}
        plain = {str(k): v for k, v in value.items()}
        out, dets = scrub_mapping({k: v for k, v in plain.items() if isinstance(v, str)}, path)
        self.detections.extend(dets)
        return {k: out.get(k, v) for k, v in plain.items()}

    def scrub_script(self, path: str, text: Any) -> Any:
        if not isinstance(text, str):
            return text
        out, dets = scrub_text(text, path, 1)
        self.detections.extend(dets)
        return out

    def finish(self, with_secrets: bool = False) -> Normalized:
        if with_secrets:
            self.res.attrs["secrets"] = [d.to_json() for d in self.detections]
        arn = self.res.attrs.get("arn")
        if isinstance(arn, str) and arn != self.res.uid:
            self.alias(arn)
        return self.out


def policy_doc(doc: Any) -> Any:
    """A live policy document (a dict, JSON text, or IAM's URL-encoded JSON) normalized;
    None when there is none; `Unresolved` when it could not be read (`Unread`)."""
    if isinstance(doc, Unread):
        return doc.unresolved()
    if doc is None or doc == "":
        return None
    if isinstance(doc, str):
        text = doc.strip()
        if text.startswith("%7B") or text.startswith("%7b"):
            text = _percent_decode(text)
        try:
            doc = json.loads(text)
        except ValueError:
            doc = text
    return normalize_policy(doc)


def _percent_decode(text: str) -> str:
    """IAM's URL-encoded policy JSON (kept here: normalizers import no I/O or URL modules)."""
    raw = re.sub(
        rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), text.replace("+", " ").encode()
    )
    return raw.decode("utf-8", "replace")


def decode_b64(content: Any) -> Any:
    """Lifecycle-config scripts come base64-encoded from the API."""
    if not isinstance(content, str):
        return content
    try:
        return base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return content


def tags_of(items: Any, key: str = "Key", value: str = "Value") -> Any:
    """Tags given as [{Key, Value}] or {k: v}; an `Unread` marker is handed on (LiveBuilder
    marks the tags unresolved)."""
    if isinstance(items, Unread):
        return items
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    out = {}
    for t in items or []:
        if isinstance(t, dict) and key in t:
            out[str(t[key])] = str(t.get(value, ""))
    return out


def vpc(v: Any, subnets: str = "Subnets", sgs: str = "SecurityGroupIds") -> dict | None:
    if not isinstance(v, dict):
        return None
    sub, sg = list(v.get(subnets) or []), list(v.get(sgs) or [])
    if not sub and not sg:
        return None
    return {"subnet_ids": sub, "security_group_ids": sg}


def relate_sgs(b: LiveBuilder, ids: Any, path: str) -> None:
    for i, sg in enumerate(ids or []):
        b.relate(
            "uses_security_group", scoped("aws.ec2.security_group", b.account, b.region, sg), f"{path}[{i}]"
        )
