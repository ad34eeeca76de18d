"""Build the privilege graph from an inventory: every provider contributor adds its nodes,
then every one adds its edges (so IRSA and Workload Identity edges can name nodes that
another provider owns). A contributor module that is not there is skipped; one that fails
(to import, or while contributing) is reported in `failures` and the others still run, so
one provider's bug never hides another's paths, and never passes silently."""

from __future__ import annotations

import importlib
from types import ModuleType

from scanner.graph.model import PrivilegeGraph
from scanner.model.inventory import Inventory

CONTRIBUTORS = ("scanner.graph.aws", "scanner.graph.gcp", "scanner.graph.k8s")


def _load(name: str, failures: list[tuple[str, str]]) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:  # not installed: nothing to contribute
            return None
        failures.append((name, f"{type(e).__name__}: {e}"))
    except Exception as e:  # a broken module
        failures.append((name, f"{type(e).__name__}: {e}"))
    return None


def build_graph(
    inv: Inventory,
    names: tuple[str, ...] = CONTRIBUTORS,
    failures: list[tuple[str, str]] | None = None,
) -> PrivilegeGraph:
    """The graph of `inv`. Without a `failures` list, a failing contributor raises."""
    errors: list[tuple[str, str]] = []
    graph = PrivilegeGraph()
    mods = [(n, m) for n in names if (m := _load(n, errors)) is not None]
    ok = []
    for name, mod in mods:
        try:
            mod.add_nodes(inv, graph)
            ok.append((name, mod))
        except Exception as e:
            errors.append((name, f"{type(e).__name__}: {e}"))
    for name, mod in ok:
        try:
            mod.add_edges(inv, graph)
        except Exception as e:
            errors.append((name, f"{type(e).__name__}: {e}"))
    if errors and failures is None:
        name, why = errors[0]
        raise RuntimeError(f"privilege graph contributor {name} failed: {why}")
    if failures is not None:
        failures.extend(errors)
    return graph
