"""The Terraform-shaped record both Terraform front-ends produce and the Terraform mapping
consumes: HCL (scanner.collect.iac.terraform) and plan JSON (scanner.collect.iac.
terraform_plan) each yield `TfResource`s; scanner.normalize.terraform maps them to
canonical `Resource`s, so a rule sees the same attrs whether it reads .tf or a plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model.resource import Suppression


@dataclass
class TfResource:
    mode: str  # "managed" | "data"
    type: str  # aws_sagemaker_notebook_instance
    name: str  # block label, with index for count/for_each: fail_x[0], fail_x["a"]
    module: str  # module path: "" for the root, "module.a.module.b" otherwise
    # Attribute values in Terraform's shape: scalars; nested blocks are lists of dicts (as in
    # plan JSON); values that cannot be known are scanner.model.resource.Unresolved; a
    # reference to another resource's computed attribute is scanner.model.resource.Ref with
    # `uid` = that resource's uid (see `uid_for`) and `attr` = the attribute name.
    config: dict[str, Any]
    file: str | None = None  # relative to the scan root
    start_line: int | None = None
    end_line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)  # attribute path -> line
    suppressions: list[Suppression] = field(default_factory=list)
    root: str = "."  # the root module directory, relative to the scan root
    dialect: str = "terraform"  # or "terraform-plan"
    # Tags/labels the resource's provider configuration adds (AWS `default_tags`, Google
    # `default_labels`): a dict, Unresolved, or None. HCL only: a plan's `tags_all` and
    # `terraform_labels` already hold them.
    default_tags: Any = None

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        local = f"{prefix}{self.type}.{self.name}"
        return f"{self.module}.{local}" if self.module else local

    @property
    def uid(self) -> str:
        return uid_for(self.root, self.address)


def uid_for(root: str, address: str) -> str:
    """`tf:<address>` for the scan root module, `tf:<root dir>:<address>` for others, so two
    root modules scanned together never collide."""
    return f"tf:{address}" if root in (".", "") else f"tf:{root}:{address}"
