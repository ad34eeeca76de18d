"""IaC collection: discover files, hand each dialect's files to its loader, and gather
resources, relations and errors. A loader that crashes costs only its own files."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from scanner.model.batch import Batch
from scanner.model.finding import ScanError

from .discover import Discovered, Limits, discover

# dialect -> (module, attribute of Discovered). Each module has
#   load(files: list[Path], root: Path, limits: Limits) -> Batch
LOADERS = {
    "terraform": ("scanner.collect.iac.terraform", "terraform"),
    "terraform-plan": ("scanner.collect.iac.terraform_plan", "plans"),
    "cloudformation": ("scanner.collect.iac.cloudformation", "cloudformation"),
    "kubernetes": ("scanner.collect.iac.kubernetes", "kubernetes"),
}


def collect_iac(
    targets: list[str | Path], limits: Limits = Limits(), progress: Callable[[str, int], None] | None = None
) -> tuple[list[Batch], Discovered]:
    found = discover(targets, limits)
    batches: list[Batch] = []
    for dialect, (module, attr) in LOADERS.items():
        files: list[Path] = getattr(found, attr)
        if not files:
            continue
        if progress:
            progress(dialect, len(files))
        try:
            load = importlib.import_module(module).load
            batch = load(files, found.root, limits)
        except Exception as e:  # a loader bug must not lose the other dialects
            batch = Batch(
                dialect,
                errors=[
                    ScanError(
                        dialect,
                        f"internal error in the {dialect} loader: {type(e).__name__}: {e}",
                        None,
                        f"all {len(files)} {dialect} files",
                    )
                ],
            )
        batches.append(batch)
    return batches, found
