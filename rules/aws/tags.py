"""Tag policy rules (governance), for every provider: AWS tags, GCP labels and Kubernetes
labels are all `Resource.tags`. They live in one module because each rule spans the three
providers; their examples sit under rules/<provider>/examples/<rule-id>/.

The policy comes from the scan's config (`.mlposture.yaml` ``tag_policy``), or is
`scanner.tag_policy.DEFAULT_TAG_POLICY`: GPU-backed and other ML capacity must carry a
`team` tag with a label-safe value."""

from __future__ import annotations

from collections.abc import Iterator

from rules.helpers.gpu import gpu_instance_types, is_gpu_backed
from rules.sdk import Verdict, fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved
from scanner.model.types import RESOURCE_TYPES
from scanner.tag_policy import (
    GPU_CAPABLE_TYPES,
    UNRESOLVED,
    has_tag,
    policy_of,
    tag_value,
    tags_carried,
)

# AWS types first: the catalogue files a rule under the provider of its first type.
TAGGED_TYPES = tuple(
    sorted((t for t in RESOURCE_TYPES if tags_carried(t)), key=lambda t: (t.split(".")[0] != "aws", t))
)

_TF_TAGS = """resource "aws_sagemaker_endpoint_configuration" "gpu" {
  # ...
  tags = { team = "recsys", cost-center = "cc-1234" }
}
# or once for every resource of the provider:
provider "aws" {
  default_tags { tags = { team = "recsys" } }
}
provider "google" {
  default_labels = { team = "recsys" }
}"""
_CFN_TAGS = """Tags:
  - {Key: team, Value: recsys}"""
_K8S_LABELS = """metadata:
  labels:
    team: recsys"""
_REMEDIATION = {"terraform": _TF_TAGS, "cloudformation": _CFN_TAGS, "kubernetes": _K8S_LABELS}
_REFERENCES = (
    "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html",
    "https://cloud.google.com/resource-manager/docs/labels-overview",
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/",
)


def _gpu_state(r: Resource) -> bool | None:
    """Whether the resource is GPU-backed; None when its instance type is unresolved."""
    if is_gpu_backed(r):
        return True
    types = [r.attrs.get("instance_type")]
    types += [v.get("instance_type") for v in r.attrs.get("production_variants") or [] if isinstance(v, dict)]
    if isinstance(r.attrs.get("production_variants"), Unresolved) or any(
        isinstance(t, Unresolved) for t in types
    ):
        return None
    return False


def _missing(r: Resource, required: list[str] | tuple[str, ...]) -> Iterator[Verdict]:
    """One fail naming every missing tag; else one unknown naming the unresolved ones."""
    missing = [t for t in required if has_tag(r, t) is False]
    unsure = [t for t in required if has_tag(r, t) is None]
    if missing:
        yield fail(f"missing required tags: {', '.join(missing)}", at="tags", value=dict(r.tags))
    elif unsure:
        yield unknown(f"tags are unresolved, so {', '.join(unsure)} may be missing", at="tags")


@rule(
    id="gpu-capacity-cost-attribution-tagged",
    title="GPU-backed capacity carries the cost-attribution tags of the tag policy",
    severity="low",
    category="governance",
    applies_to=GPU_CAPABLE_TYPES,
    risk="GPU capacity is the largest line of an ML bill. Untagged GPU notebooks, endpoints"
    " and pods cannot be charged back to a team, and idle ones have no owner to ask.",
    remediation=_REMEDIATION,
    references=_REFERENCES,
    tags=("cost", "gpu"),
)
def gpu_capacity_tagged(r: Resource, *, config) -> Iterator[Verdict]:
    """Every GPU-backed resource (accelerated SageMaker instance types, Vertex resources
    with accelerators, Kubernetes workloads that request GPUs) carries the tags that the
    tag policy's ``gpu.required`` lists (by default: ``team``)."""
    required = policy_of(config).gpu_required
    if not required:
        return
    gpu = _gpu_state(r)
    if gpu is False:
        return
    verdicts = list(_missing(r, required))
    if gpu is None and verdicts:
        yield unknown("instance type is unresolved, so GPU capacity may be untagged", at="instance_type")
        return
    for v in verdicts:
        if v.status == "fail":
            kinds = gpu_instance_types(r)
            on = f" on {', '.join(dict.fromkeys(kinds))}" if kinds else ""
            yield fail(f"GPU-backed{on} but {v.reason}", at=v.at, value=v.value)
        else:
            yield v


@rule(
    id="resources-required-tags",
    title="Resources carry the tags the tag policy requires of their type",
    severity="low",
    category="governance",
    applies_to=TAGGED_TYPES,
    risk="Resources without owner and cost tags cannot be attributed, reviewed or cleaned up,"
    " and access policies that key on tags (ABAC) do not apply to them.",
    remediation=_REMEDIATION,
    references=_REFERENCES,
    tags=("cost",),
)
def resources_required_tags(r: Resource, *, config) -> Iterator[Verdict]:
    """Every resource carries the tags that the tag policy's ``resources`` entries require
    of its type (by default: ``team`` on notebooks, endpoints and Kubernetes workloads).
    On GPU-backed resources the tags of ``gpu.required`` are left to
    gpu-capacity-cost-attribution-tagged, so one missing tag is one finding."""
    policy = policy_of(config)
    required = policy.required_for(r.type)
    if required and policy.gpu_required and is_gpu_backed(r):
        required = [t for t in required if t not in policy.gpu_required]
    yield from _missing(r, required)


@rule(
    id="tag-values-allowed",
    title="Tag values are ones the tag policy allows",
    severity="low",
    category="governance",
    applies_to=TAGGED_TYPES,
    risk="A misspelt team or cost centre splits a cost report and sends alerts nowhere; a"
    " free-form data classification cannot drive access or retention policy.",
    remediation=_REMEDIATION,
    references=_REFERENCES,
    tags=("cost",),
)
def tag_values_allowed(r: Resource, *, config) -> Iterator[Verdict]:
    """Every tag named in the tag policy's ``values`` has an allowed value or matches its
    pattern, where the resource carries it (by default: ``team`` is lower-case letters,
    digits, ``-`` and ``_``, so it is valid as a GCP and a Kubernetes label)."""
    for key, constraint in policy_of(config).values.items():
        state, value = tag_value(r, key)
        if state == UNRESOLVED:
            at = f"tags.{key}" if key in r.tags or r.provenance_of(f"tags.{key}") == UNRESOLVED else "tags"
            yield unknown(f"tags.{key} is unresolved", at=at)
        elif value is not None and (why := constraint.check(value)):
            yield fail(f"tag {key} = {value!r} {why}", at=f"tags.{key}", value=value)
    yield ok()
