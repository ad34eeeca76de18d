"""Diff-aware scans (`--diff-base REF`): only findings in files changed since REF gate.

The pure part (`relative_changes`, `in_changed`, `mark_in_diff`) matches paths; `changed_files`
asks git, read-only, with a timeout. Every finding stays in the report: `in_diff` says whether
its `location.file` (relative to the scan root) is among the changed files. A finding with no
file (a live resource) is never in the diff."""

from __future__ import annotations

import posixpath
import subprocess
from pathlib import Path

from scanner.model.finding import ScanResult

GIT_TIMEOUT_S = 30


class DiffError(ValueError):
    """Not a git repository, an unknown ref, or git missing: a usage error (exit 2)."""


def relative_changes(changed: list[str], repo_top: str, scan_root: str) -> set[str]:
    """Changed paths (relative to the repository top, as git prints them) made relative to
    the scan root, POSIX. Both directories are absolute. Paths outside the root are kept
    absolute, so a finding file given absolute still matches."""
    top = posixpath.normpath(repo_top)
    root = posixpath.normpath(scan_root)
    out = set()
    for p in changed:
        full = posixpath.normpath(posixpath.join(top, p))
        out.add(full)
        if full == root or full.startswith(root.rstrip("/") + "/"):
            out.add(posixpath.relpath(full, root))
    return out


def in_changed(file: str | None, changed: set[str], scan_root: str) -> bool:
    """Whether a finding's file (relative to the scan root, or absolute) is a changed one."""
    if not file:
        return False
    f = file.replace("\\", "/")
    if posixpath.isabs(f):
        return posixpath.normpath(f) in changed
    return posixpath.normpath(f) in changed or posixpath.normpath(posixpath.join(scan_root, f)) in changed


def mark_in_diff(result: ScanResult, changed: set[str], scan_root: str, base: str) -> None:
    """Set `in_diff` on every finding and record the base ref on the result."""
    result.diff_base = base
    for f in result.findings:
        f.in_diff = in_changed(f.location.file if f.location else None, changed, scan_root)


def _git(cwd: Path, *args: str) -> str:
    try:
        p = subprocess.run(
            ["git", "-c", "core.quotepath=false", "-C", str(cwd), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as e:
        raise DiffError("--diff-base needs git, which is not installed") from e
    except subprocess.TimeoutExpired as e:
        raise DiffError(f"git {args[0]} took longer than {GIT_TIMEOUT_S}s") from e
    if p.returncode != 0:
        raise DiffError((p.stderr.strip().splitlines() or [f"git {args[0]} failed"])[-1][:500])
    return p.stdout


def changed_files(scan_root: str | Path, base: str) -> tuple[str, set[str]]:
    """The absolute scan root and the files changed in its repository since `base`
    (`git diff --name-only --diff-filter=ACMR base...HEAD`, plus staged, unstaged and
    untracked changes), relative to the root (see `relative_changes`)."""
    root = Path(scan_root or ".").resolve()
    cwd = root if root.is_dir() else root.parent
    try:
        top = _git(cwd, "rev-parse", "--show-toplevel").strip()
    except DiffError as e:
        raise DiffError(f"--diff-base: {cwd} is not in a git repository ({e})") from e
    if base.startswith("-"):
        raise DiffError(f"--diff-base: {base!r} is not a git ref")
    try:
        _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}")
    except DiffError as e:
        raise DiffError(f"--diff-base: unknown git ref {base!r}") from e
    names = _git(cwd, "diff", "--name-only", "--diff-filter=ACMR", f"{base}...HEAD", "--")
    names += _git(cwd, "diff", "--name-only", "--diff-filter=ACMR", "HEAD", "--")
    names += _git(cwd, "ls-files", "--others", "--exclude-standard", "--full-name")
    changed = [n for n in names.splitlines() if n.strip()]
    top_path = Path(top).resolve().as_posix()
    return root.as_posix(), relative_changes(changed, top_path, root.as_posix())
