"""Find IaC files under the scan targets, safely: no symlink loops, no links that leave
the scanned tree, no files over the size limit. Each file is classified by dialect from a
cheap sniff of its text; files that are none of ours are ignored, not errors."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model.finding import ScanError

SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}
YAML_EXT = {".yaml", ".yml"}
JSON_EXT = {".json"}
TEMPLATE_EXT = {".template", ".cfn"}

# A template declares its format version, or has a top-level Resources mapping whose
# entries have AWS:: types. Text that merely mentions "Type: AWS::..." (a JSON report, a
# README in YAML) is not a template.
_CFN_VERSION = re.compile(r"AWSTemplateFormatVersion|Transform[\"']?\s*:\s*[\"']?AWS::Serverless")
_CFN_RESOURCES = re.compile(r"(?m)^(?:Resources\s*:|\{?\s*\"Resources\"\s*:)|^\s{0,4}\"Resources\"\s*:")
_CFN_TYPE = re.compile(r"[\"']?Type[\"']?\s*:\s*[\"']?AWS::")
_K8S_SNIFF = re.compile(r"(?m)^\s*[\"']?apiVersion[\"']?\s*:")
_K8S_KIND = re.compile(r"(?m)^\s*[\"']?kind[\"']?\s*:")
_PLAN_SNIFF = re.compile(r"\"(?:planned_values|resource_changes)\"\s*:")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 10 * 1024 * 1024
    max_files: int = 200_000
    max_dir_depth: int = 64


@dataclass
class Discovered:
    root: Path  # what file paths are made relative to
    terraform: list[Path] = field(default_factory=list)  # .tf, .tf.json and .tfvars files
    plans: list[Path] = field(default_factory=list)
    cloudformation: list[Path] = field(default_factory=list)
    kubernetes: list[Path] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)

    def rel(self, p: Path) -> str:
        try:
            return p.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def link_rel(self, p: Path) -> str:
        """The path of `p` itself, not of what it links to, relative to the root: errors
        about a symlink must name the link."""
        try:
            return (p.parent.resolve() / p.name).relative_to(self.root).as_posix()
        except (ValueError, OSError, RuntimeError):
            return p.as_posix()


def sniff(path: Path, head: str) -> str | None:
    """The dialect of a YAML/JSON file from its first bytes, or None."""
    suffix = path.suffix.lower()
    if suffix in JSON_EXT and _PLAN_SNIFF.search(head):
        return "terraform-plan"
    if suffix in YAML_EXT | JSON_EXT | TEMPLATE_EXT and (
        _CFN_VERSION.search(head) or (_CFN_RESOURCES.search(head) and _CFN_TYPE.search(head))
    ):
        return "cloudformation"
    if suffix in YAML_EXT | JSON_EXT and _K8S_SNIFF.search(head) and _K8S_KIND.search(head):
        return "kubernetes"
    return None


def discover(targets: list[str | Path], limits: Limits = Limits()) -> Discovered:
    paths = [Path(t) for t in targets]
    resolved = [p.resolve() for p in paths if p.exists()]
    if len(resolved) == 1:
        root = resolved[0] if resolved[0].is_dir() else resolved[0].parent
    elif resolved:
        root = Path(os.path.commonpath([str(p) for p in resolved]))
        if root.is_file():
            root = root.parent
    else:
        root = Path.cwd()
    found = Discovered(root=root)
    seen_dirs: set[Path] = set()
    count = 0

    def add_file(p: Path) -> None:
        nonlocal count
        count += 1
        if count > limits.max_files:
            if count == limits.max_files + 1:
                found.errors.append(
                    ScanError(
                        "discovery",
                        f"more than {limits.max_files} files; the rest not read",
                        found.rel(p),
                        unscanned="files beyond the limit",
                    )
                )
            return
        name = p.name.lower()
        is_tf = name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))
        if not is_tf and p.suffix.lower() not in YAML_EXT | JSON_EXT | TEMPLATE_EXT:
            return
        try:
            size = p.stat().st_size
        except OSError as e:
            found.errors.append(
                ScanError("discovery", f"cannot stat: {e.strerror}", found.rel(p), "the whole file")
            )
            return
        if size > limits.max_file_bytes:
            found.errors.append(
                ScanError(
                    "discovery",
                    f"file is {size} bytes, over the {limits.max_file_bytes}-byte limit",
                    found.rel(p),
                    "the whole file",
                )
            )
            return
        if is_tf:
            found.terraform.append(p)
            return
        try:
            with open(p, "rb") as fh:
                head = fh.read(64 * 1024).decode("utf-8", "replace")
        except OSError as e:
            found.errors.append(
                ScanError("discovery", f"cannot read: {e.strerror}", found.rel(p), "the whole file")
            )
            return
        kind = sniff(p, head)
        if kind == "terraform-plan":
            found.plans.append(p)
        elif kind == "cloudformation":
            found.cloudformation.append(p)
        elif kind == "kubernetes":
            found.kubernetes.append(p)

    def walk(d: Path, depth: int) -> None:
        real = d.resolve()
        if real in seen_dirs:
            found.errors.append(
                ScanError(
                    "discovery",
                    "symlink loop: directory already visited",
                    found.link_rel(d),
                    "the linked directory",
                )
            )
            return
        seen_dirs.add(real)
        if depth > limits.max_dir_depth:
            found.errors.append(
                ScanError(
                    "discovery",
                    f"directory nesting deeper than {limits.max_dir_depth}",
                    found.rel(d),
                    "everything below it",
                )
            )
            return
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            found.errors.append(
                ScanError(
                    "discovery", f"cannot list directory: {e.strerror}", found.rel(d), "everything below it"
                )
            )
            return
        for e in entries:
            p = Path(e.path)
            if e.is_symlink():
                try:
                    target = p.resolve(strict=True)
                except (OSError, RuntimeError):
                    found.errors.append(
                        ScanError(
                            "discovery",
                            "broken symlink or symlink loop",
                            found.link_rel(p),
                            "the link target",
                        )
                    )
                    continue
                if not target.is_relative_to(root):
                    found.errors.append(
                        ScanError(
                            "discovery",
                            "symlink points outside the scanned tree; not followed",
                            found.link_rel(p),
                            "the link target",
                        )
                    )
                    continue
            if e.is_dir():
                if e.name in SKIP_DIRS:
                    continue
                walk(p, depth + 1)
            elif e.is_file():
                add_file(p)

    for t in paths:
        if not t.exists() and not t.is_symlink():
            found.errors.append(ScanError("discovery", "path does not exist", str(t), "the whole path"))
        elif t.is_dir():
            walk(t, 0)
        elif t.is_file():
            add_file(t)
    return found
