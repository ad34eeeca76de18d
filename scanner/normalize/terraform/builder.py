"""`Builder`: turns one `TfResource` into one canonical `Resource`, keeping provenance,
line numbers and secret detections in step with every attribute it sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Ref, Resource, SourceRef, Unresolved
from scanner.normalize.iam_policy import normalize_policy
from scanner.normalize.terraform.model import TfResource
from scanner.secrets import Detection, _fp, scrub_mapping, scrub_text

from .values import Sensitive, dig, norm_tf_path, str_list, str_map

_MISSING = object()


@dataclass
class PendingRelation:
    """A relation whose target may be a literal name: resolved once the batch is built."""

    kind: str
    value: Any  # Ref, or a literal name / ARN / email
    attr: str
    target_type: str


@dataclass
class Built:
    resource: Resource
    tf: TfResource
    relations: list[PendingRelation] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # cloud names/ARNs that identify it
    aliases: dict[str, str] = field(default_factory=dict)


class Builder:
    def __init__(self, tf: TfResource, rtype: str, provider: str):
        self.tf = tf
        self.cfg = tf.config
        self.lines = {norm_tf_path(k): v for k, v in tf.lines.items()}
        region = (
            self.cfg.get("region") if provider == "aws" else self.cfg.get("location", self.cfg.get("region"))
        )
        project = self.cfg.get("project") if provider == "gcp" else None
        self.res = Resource(
            uid=tf.uid,
            type=rtype,
            provider=provider,
            name=tf.name,
            source=SourceRef("iac", tf.file, tf.start_line, tf.end_line, dialect=tf.dialect),
            account=project if _literal_str(project) else None,
            region=region if _literal_str(region) else None,
            suppressions=list(tf.suppressions),
        )
        self._tags(provider)
        self.built = Built(self.res, tf)
        self.detections: list[Detection] = []

    def _tags(self, provider: str) -> None:
        """`Resource.tags`: the provider's defaults under the resource's own tags (resource
        tags win). A plan's `tags_all` / `terraform_labels` / `effective_labels` already
        hold that merge. Unresolved values are marked in provenance (scanner.tag_policy)."""
        own_key = "labels" if provider == "gcp" else "tags"
        own = self.cfg.get(own_key)
        merged_keys = ("terraform_labels", "effective_labels") if provider == "gcp" else ("tags_all",)
        merged = next((self.cfg[k] for k in merged_keys if k in self.cfg), None)
        prov = self.res.provenance
        if isinstance(merged, dict):
            values, defaults = (
                merged,
                {k: v for k, v in merged.items() if not isinstance(own, dict) or k not in own},
            )
        else:
            defaults = self.tf.default_tags
            values = {
                **(defaults if isinstance(defaults, dict) else {}),
                **(own if isinstance(own, dict) else {}),
            }
            if isinstance(defaults, Unresolved | Ref):
                prov["tags"] = "unresolved"
        if isinstance(own, Unresolved | Ref | Sensitive):
            prov["tags"] = "unresolved"
        tags: dict[str, str] = {}
        for k, v in values.items():
            k = str(k)
            if isinstance(v, str) and not isinstance(v, Sensitive):
                tags[k] = v
            elif isinstance(v, int | float) and not isinstance(v, bool):
                tags[k] = str(v)
            elif v is not None:
                prov[f"tags.{k}"] = "unresolved"
            if isinstance(defaults, dict) and k in defaults and not (isinstance(own, dict) and k in own):
                prov.setdefault(f"tags.{k}", "default")
        self.res.tags = tags
        if (ln := self.line(own_key)) is not None:
            self.res.lines["tags"] = ln
            for k in tags:
                if (kl := self.line(f"{own_key}.{k}")) is not None:
                    self.res.lines[f"tags.{k}"] = kl

    # -- reading ------------------------------------------------------------------
    def get(self, tf_path: str) -> Any:
        return dig(self.cfg, tf_path)

    def block(self, tf_path: str) -> Any:
        """A single nested block as a dict (its first element), Unresolved/Ref, or None."""
        v = self.get(tf_path)
        if isinstance(v, list):
            v = v[0] if v else None
        return v if isinstance(v, dict | Unresolved | Ref) else None

    def line(self, tf_path: str) -> int | None:
        return self.lines.get(norm_tf_path(tf_path))

    # -- writing ------------------------------------------------------------------
    def put(self, path: str, value: Any, *, tf_path: str | None = None, default: Any = _MISSING) -> Any:
        if value is None and default is not _MISSING:
            value = default
            self.res.provenance[path] = "default"
        self.res.attrs[path] = value
        if tf_path is not None and (ln := self.line(tf_path)) is not None:
            self.res.lines[path] = ln
        return value

    def attr(
        self,
        path: str,
        tf_path: str | None = None,
        *,
        default: Any = _MISSING,
        conv: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Copy a Terraform attribute to a canonical path, converting literal values only."""
        tf_path = tf_path or path
        v = self.get(tf_path)
        if isinstance(v, Ref) and conv is not None:
            # a reference where a bool/list/enum is expected is a value known only after apply
            v = conv(v) if conv in (str_list, str_map) else Unresolved(f"{tf_path} from {v.uid}")
        elif v is not None and conv is not None and not isinstance(v, Unresolved | Sensitive):
            v = conv(v)
        return self.put(path, v, tf_path=tf_path, default=default)

    def relate(self, kind: str, value: Any, attr: str, target_type: str) -> None:
        if isinstance(value, Ref) or (isinstance(value, str) and value and not isinstance(value, Sensitive)):
            self.built.relations.append(PendingRelation(kind, value, attr, target_type))

    def key(self, *values: Any) -> None:
        for v in values:
            if _literal_str(v):
                self.built.keys.add(v)

    def alias(self, value: Any) -> None:
        if _literal_str(value):
            self.built.aliases[value] = self.res.uid

    # -- config that may hold secrets ---------------------------------------------
    def scrub_map(self, path: str, value: Any, tf_path: str) -> Any:
        """An env-like map with secrets redacted; Sensitive values count as secrets."""
        m = str_map(value)
        if not isinstance(m, dict):
            return m
        prefix = norm_tf_path(tf_path)
        lines = {k: ln for k in m if (ln := self.lines.get(f"{prefix}.{k}")) is not None}
        plain = {k: v for k, v in m.items() if not isinstance(v, Sensitive)}
        out, dets = scrub_mapping(plain, path, lines)
        for k, v in m.items():
            if isinstance(v, Sensitive):
                out[k] = "[REDACTED:terraform-sensitive]"
                dets.append(Detection(f"{path}.{k}", "terraform-sensitive", _fp(str(v)), lines.get(k)))
        for k in lines:
            self.res.lines[f"{path}.{k}"] = lines[k]
        self.detections.extend(dets)
        return {k: out[k] for k in m}

    def scrub_script(self, path: str, text: Any, tf_path: str) -> Any:
        if isinstance(text, Sensitive):
            self.detections.append(Detection(path, "terraform-sensitive", _fp(str(text)), self.line(tf_path)))
            return "[REDACTED:terraform-sensitive]"
        if not isinstance(text, str):
            return text
        out, dets = scrub_text(text, path, self.line(tf_path))
        self.detections.extend(dets)
        return out

    def policy(self, path: str, tf_path: str) -> Any:
        v = self.get(tf_path)
        if isinstance(v, Sensitive):
            v = Unresolved("sensitive policy")
        doc = normalize_policy(v) if v is not None else None
        return self.put(path, doc, tf_path=tf_path)

    # -- done ---------------------------------------------------------------------
    def finish(self, with_secrets: bool = False) -> Built:
        if with_secrets:
            self.res.attrs["secrets"] = [d.to_json() for d in self.detections]
        self.res.attrs = seal(self.res.attrs, "", self.res.provenance)
        arn = self.res.attrs.get("arn")
        self.alias(arn)
        self.key(arn)
        return self.built


def seal(value: Any, path: str, provenance: dict[str, str]) -> Any:
    """Last pass over attrs: no Sensitive value survives (it becomes Unresolved), and every
    Unresolved is marked in provenance at its own path."""
    if isinstance(value, Sensitive):
        value = Unresolved("sensitive value")
    if isinstance(value, Unresolved):
        if path:
            provenance[path] = "unresolved"
        return value
    if isinstance(value, dict):
        return {k: seal(v, f"{path}.{k}" if path else str(k), provenance) for k, v in value.items()}
    if isinstance(value, list):
        return [seal(v, f"{path}[{i}]", provenance) for i, v in enumerate(value)]
    return value


def _literal_str(v: Any) -> bool:
    return isinstance(v, str) and not isinstance(v, Sensitive) and v != ""
