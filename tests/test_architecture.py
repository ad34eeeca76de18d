"""The pipeline's lines, held by a test (DESIGN, Layout): rules never import a collector or
a cloud/HTTP client; normalizers do no I/O; reporters never decide pass or fail."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = (
    "boto3",
    "botocore",
    "google",
    "kubernetes",
    "requests",
    "urllib",
    "http",
    "socket",
    "grpc",
    "subprocess",
    "pynvml",
)


def imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def calls(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            f = node.func
            out.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return out


def files(*parts: str) -> list[Path]:
    return sorted(ROOT.joinpath(*parts).rglob("*.py"))


def banned(mods: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {m for m in mods if m.split(".")[0] in prefixes or m.startswith(prefixes)}


def test_rules_import_no_collector_and_no_client():
    for f in files("rules"):
        bad = banned(imports(f), CLIENTS + ("scanner.collect",))
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"


def test_normalizers_are_pure():
    for f in files("scanner", "normalize"):
        # yaml_loader's LineDict/LineList are plain data types (the parser is pure too);
        # urllib.parse splits strings (an s3:// URI, an ARN in a URL) and does no I/O
        bad = banned(imports(f), CLIENTS + ("scanner.collect",)) - {
            "scanner.collect.iac.yaml_loader",
            "urllib.parse",
        }
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"
        io = calls(f) & {"open", "read_text", "read_bytes", "write_text", "write_bytes", "urlopen"}
        assert not io, f"{f.relative_to(ROOT)} does I/O: {sorted(io)}"


def test_reporters_never_decide_the_gate():
    for f in files("reports"):
        bad = banned(imports(f), ("scanner.gate", "scanner.engine", "scanner.collect", "boto3", "google"))
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_product_card_layout_exists():
    for d in ("scanner", "rules", "runtime_monitor", "reports", "fixtures", "tests"):
        assert (ROOT / d).is_dir(), d
    for f in ("pyproject.toml", "README.md"):
        assert (ROOT / f).is_file(), f
