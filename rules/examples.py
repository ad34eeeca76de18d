"""Every rule carries its own examples, beside it:

    rules/<provider>/examples/<rule-id>/<name>.<dialect extension>

    .tf                    Terraform HCL (one file is one root module)
    .plan.json             Terraform plan JSON (`terraform show -json`), made from the .tf
    .cfn.yaml / .cfn.json  CloudFormation or SAM
    .k8s.yaml              Kubernetes manifests
    .gcp.yaml              recorded live GCP API records (scanner.collect.gcp.records), for
                           resources Terraform cannot declare (Vertex AI models and jobs)

Inside an example, every resource of a type the rule applies to is named for the verdict
it must get: a name starting with ``pass``, ``fail`` or ``unknown`` (``fail_public_url`` in
Terraform, ``FailPublicUrl`` in CloudFormation, ``fail-public-url`` in Kubernetes). The same
resource written in several dialects carries the same name, so one test can hold that
every dialect gives it the same verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent
VERDICT_PREFIXES = ("pass", "fail", "unknown")


@dataclass(frozen=True)
class Example:
    rule_id: str
    dialect: str
    path: Path


def dialect_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".plan.json"):
        return "terraform-plan"
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith((".cfn.yaml", ".cfn.yml", ".cfn.json")):
        return "cloudformation"
    if name.endswith((".k8s.yaml", ".k8s.yml")):
        return "kubernetes"
    if name.endswith(".gcp.yaml"):
        return "gcp-live"
    return None


def all_examples() -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = {}
    for d in sorted(RULES_DIR.glob("*/examples/*")):
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            dialect = dialect_of(f)
            if dialect:
                out.setdefault(d.name, []).append(Example(d.name, dialect, f))
    return out


def examples_for(rule_id: str) -> list[Example]:
    return all_examples().get(rule_id, [])


def example_key(name: str) -> str:
    """The dialect-neutral key of an example resource name: fail_x[0] == FailX0 == fail-x-0."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def expected_verdict(name: str) -> str | None:
    key = example_key(name)
    for p in VERDICT_PREFIXES:
        if key.startswith(p):
            return p
    return None
