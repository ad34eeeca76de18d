"""The tag policy: which tags (AWS tags, GCP labels, Kubernetes labels) resources must
carry, and which values those tags may take. It is the ``tag_policy`` section of
`.mlposture.yaml`:

    tag_policy:
      gpu:                       # every GPU-backed resource (rules/helpers/gpu.py)
        required: [team, cost-center]
      resources:                 # per canonical type, or "*" for every type
        - types: [aws.sagemaker.endpoint_config, gcp.vertex.endpoint]
          required: [team]
      values:                    # allowed values, or a regular expression, per tag
        data-classification: {allowed: [public, internal, confidential, restricted]}
        cost-center: {pattern: "^cc-[0-9]{4}$"}

A configured section replaces `DEFAULT_TAG_POLICY` as a whole (a section left out is
empty), so what a team writes is exactly what is checked. Parsing is pure: it takes the
document as `scanner.collect.iac.yaml_loader` loads it (mappings know their lines) and
raises `TagPolicyError` naming the line of what is wrong.

Tag state on a resource: the normalizers keep only resolved string values in
`Resource.tags`; a value they could not resolve is marked ``unresolved`` in provenance at
``tags.<key>``, and a whole tag map they could not resolve at ``tags``. A tag a provider
default added (Terraform ``default_tags``/``default_labels``) is marked ``default``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Resource
from scanner.model.types import RESOURCE_TYPES

# The types that can be GPU-backed (rules/helpers/gpu.py decides per resource).
GPU_CAPABLE_TYPES = (
    "aws.sagemaker.notebook_instance",
    "aws.sagemaker.endpoint_config",
    "gcp.vertex.workbench_instance",
    "gcp.vertex.endpoint",
    "k8s.workload",
)
# Types whose sources carry no tags or labels: a tag requirement on them could never pass.
UNTAGGED_TYPES = frozenset(
    {
        "aws.cloudformation.stack",
        "aws.iam.group",
        "aws.lambda.permission",
        "aws.lambda.function_url",
        "gcp.iam.service_account",
        "gcp.iam.service_account_key",
    }
)

# Lower-case, at most 63 characters, starting and ending with a letter or digit: a value
# that is valid as a GCP label and as a Kubernetes label, so one team name groups cost
# reports across AWS, GCP and Kubernetes.
LABEL_SAFE = r"^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$"


class TagPolicyError(ValueError):
    """The tag_policy section is malformed; the message names the file and line."""


@dataclass(frozen=True)
class TypeRequirement:
    types: tuple[str, ...]  # canonical types, or ("*",)
    required: tuple[str, ...]
    line: int | None = None

    def matches(self, rtype: str) -> bool:
        return "*" in self.types or rtype in self.types


@dataclass(frozen=True)
class ValueConstraint:
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    line: int | None = None

    def check(self, value: str) -> str | None:
        """Why `value` is not allowed, or None when it is."""
        if self.allowed is not None and value not in self.allowed:
            return f"is not one of {', '.join(self.allowed)}"
        if self.pattern is not None and not re.search(self.pattern, value):
            return f"does not match {self.pattern}"
        return None


@dataclass(frozen=True)
class TagPolicy:
    gpu_required: tuple[str, ...] = ()
    resources: tuple[TypeRequirement, ...] = ()
    values: dict[str, ValueConstraint] = field(default_factory=dict)
    origin: str = "config"  # "default" when no tag_policy was configured

    def required_for(self, rtype: str) -> list[str]:
        """Tags the `resources` entries require of a type, in order, without repeats."""
        out: list[str] = []
        for req in self.resources:
            if req.matches(rtype):
                out += [t for t in req.required if t not in out]
        return out


# What applies when `.mlposture.yaml` has no tag_policy (README, "Tag policy"): every
# resource that can hold ML capacity carries a `team` tag (GPU-backed ones are reported by
# gpu-capacity-cost-attribution-tagged, the others by resources-required-tags), and a
# `team` value is label-safe.
DEFAULT_TAG_POLICY = TagPolicy(
    gpu_required=("team",),
    resources=(TypeRequirement(GPU_CAPABLE_TYPES, ("team",)),),
    values={"team": ValueConstraint(pattern=LABEL_SAFE)},
    origin="default",
)


def policy_of(config: Any) -> TagPolicy:
    """The tag policy of a `scanner.suppress.Config` (or None): the default when unset."""
    policy = getattr(config, "tag_policy", None)
    return policy if isinstance(policy, TagPolicy) else DEFAULT_TAG_POLICY


# -- parsing -----------------------------------------------------------------------------

_TOP_KEYS = ("gpu", "resources", "values")


def _line(node: Any, key: Any = None) -> int | None:
    if key is not None:
        line = getattr(node, "key_lines", {}).get(key)
        if line is not None:
            return line
    return getattr(node, "start_line", None)


class _Parser:
    def __init__(self, source: str):
        self.source = source

    def error(self, what: str, line: int | None) -> TagPolicyError:
        where = f"{self.source}:{line}" if line else self.source
        return TagPolicyError(f"{where}: tag_policy: {what}")

    def mapping(self, node: Any, what: str, line: int | None, keys: tuple[str, ...]) -> dict:
        if not isinstance(node, dict):
            raise self.error(f"{what} must be a mapping", line)
        for k in node:
            if k not in keys:
                raise self.error(f"unknown key {k!r} in {what} (expected {', '.join(keys)})", _line(node, k))
        return node

    def strings(self, node: Any, what: str, line: int | None) -> tuple[str, ...]:
        if isinstance(node, str):
            node = [node]
        if not isinstance(node, list) or not node:
            raise self.error(f"{what} must be a non-empty list of strings", line)
        for item in node:
            if not isinstance(item, str) or not item:
                raise self.error(f"{what} must be a non-empty list of strings, not {item!r}", line)
        return tuple(dict.fromkeys(node))

    def gpu(self, node: Any, line: int | None) -> tuple[str, ...]:
        node = self.mapping(node, "gpu", line, ("required",))
        if "required" not in node:
            raise self.error("gpu needs 'required'", line)
        return self.strings(node["required"], "gpu.required", _line(node, "required"))

    def resources(self, node: Any, line: int | None) -> tuple[TypeRequirement, ...]:
        if not isinstance(node, list):
            raise self.error("resources must be a list of {types, required}", line)
        out = []
        for i, entry in enumerate(node):
            what = f"resources[{i}]"
            entry_line = _line(entry) or line
            entry = self.mapping(entry, what, entry_line, ("types", "required"))
            for k in ("types", "required"):
                if k not in entry:
                    raise self.error(f"{what} needs '{k}'", entry_line)
            types_line = _line(entry, "types")
            types = self.strings(entry["types"], f"{what}.types", types_line)
            for t in types:
                if t != "*" and t not in RESOURCE_TYPES:
                    raise self.error(f"{what}.types: unknown resource type {t!r}", types_line)
            required = self.strings(entry["required"], f"{what}.required", _line(entry, "required"))
            out.append(TypeRequirement(types, required, entry_line))
        return tuple(out)

    def values(self, node: Any, line: int | None) -> dict[str, ValueConstraint]:
        if not isinstance(node, dict):
            raise self.error("values must be a mapping of tag name to {allowed} or {pattern}", line)
        out = {}
        for tag, spec in node.items():
            what = f"values.{tag}"
            spec_line = _line(node, tag)
            spec = self.mapping(spec, what, spec_line, ("allowed", "pattern"))
            if not spec:
                raise self.error(f"{what} needs 'allowed' or 'pattern'", spec_line)
            allowed = None
            if "allowed" in spec:
                allowed = self.strings(spec["allowed"], f"{what}.allowed", _line(spec, "allowed"))
            pattern = spec.get("pattern")
            if "pattern" in spec:
                pline = _line(spec, "pattern")
                if not isinstance(pattern, str) or not pattern:
                    raise self.error(f"{what}.pattern must be a non-empty string", pline)
                try:
                    re.compile(pattern)
                except re.error as e:
                    raise self.error(
                        f"{what}.pattern is not a valid regular expression: {e}", pline
                    ) from None
            out[str(tag)] = ValueConstraint(allowed, pattern, spec_line)
        return out


def parse_tag_policy(node: Any, source: str = ".mlposture.yaml", line: int | None = None) -> TagPolicy:
    """A `TagPolicy` from the loaded ``tag_policy`` section (a LineDict keeps line numbers)."""
    p = _Parser(source)
    node = p.mapping(node, "the section", line or _line(node), _TOP_KEYS)
    return TagPolicy(
        gpu_required=p.gpu(node["gpu"], _line(node, "gpu")) if "gpu" in node else (),
        resources=p.resources(node["resources"], _line(node, "resources")) if "resources" in node else (),
        values=p.values(node["values"], _line(node, "values")) if "values" in node else {},
    )


def tag_policy_from_document(doc: Any, source: str = ".mlposture.yaml") -> TagPolicy | None:
    """The policy of a whole loaded `.mlposture.yaml`, or None when it has no tag_policy."""
    if not isinstance(doc, dict) or doc.get("tag_policy") is None:
        return None
    return parse_tag_policy(doc["tag_policy"], source, _line(doc, "tag_policy"))


# -- reading tags off a resource ---------------------------------------------------------

UNRESOLVED = "unresolved"
# A CloudFormation tag value that is an intrinsic the template cannot resolve reaches
# `Resource.tags` as the repr of an Unresolved or Ref: it is not a value to judge.
_STRINGIFIED = ("Unresolved(expr=", "Ref(uid=")


def has_tag(r: Resource, key: str) -> bool | None:
    """Whether the resource carries `key`: None when its tags could not be resolved."""
    if key in r.tags or r.provenance_of(f"tags.{key}") == UNRESOLVED:
        return True  # the key is written; only its value may be unknown
    if r.provenance_of("tags") == UNRESOLVED:
        return None
    return False


def tag_value(r: Resource, key: str) -> tuple[str, str | None]:
    """(state, value): ``("present", value)``, ``("missing", None)`` or ``("unresolved", None)``."""
    if r.provenance_of(f"tags.{key}") == UNRESOLVED:
        return UNRESOLVED, None
    if key in r.tags:
        if r.provenance_of("tags") == UNRESOLVED and r.provenance_of(f"tags.{key}") == "default":
            return UNRESOLVED, None  # a provider default that the unresolved resource map may override
        value = r.tags[key]
        if value.startswith(_STRINGIFIED):
            return UNRESOLVED, None
        return "present", value
    return (UNRESOLVED, None) if r.provenance_of("tags") == UNRESOLVED else ("missing", None)


def tags_carried(rtype: str) -> bool:
    return rtype not in UNTAGGED_TYPES
