"""Output safety over every IaC fixture tree, not only the demo: each is scanned and
rendered in every format, and no raw value that a secret detector recognises in the
scanned files appears in any report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO

from reports import FORMATS, render
from scanner.secrets import find_in_text

IAC_SUFFIXES = {".tf", ".yaml", ".yml", ".json", ".template"}


def fixture_trees() -> list[Path]:
    trees = [REPO / "fixtures" / "demo"]
    trees += sorted(p for p in (REPO / "fixtures" / "corpora").iterdir() if p.is_dir())
    graph = REPO / "fixtures" / "graph"
    if graph.is_dir():
        trees += sorted(p for p in graph.iterdir() if p.is_dir())
    return trees


def planted(tree: Path) -> set[str]:
    values = set()
    for f in tree.rglob("*"):
        if f.is_file() and f.suffix in IAC_SUFFIXES and f.name != "expected.yaml":
            text = f.read_text(errors="replace")
            values |= {text[s:e] for _, s, e in find_in_text(text)}
    return values


@pytest.mark.parametrize("tree", fixture_trees(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_format_carries_a_scanned_secret(tree):
    from scanner.engine import scan_iac

    here = os.getcwd()
    os.chdir(REPO)
    try:
        result, _ = scan_iac([tree.relative_to(REPO)])
    finally:
        os.chdir(here)
    secrets = planted(tree)
    for fmt in sorted(FORMATS):
        text = render(fmt, result)
        assert text
        for s in secrets:
            assert s not in text, f"{tree.name}: a scanned secret ({s[:4]}…) appears in the {fmt} report"
