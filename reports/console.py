"""The console summary: what a person reads in a terminal or a CI log."""

from __future__ import annotations

import posixpath
import re

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scanner.model.finding import SEVERITIES, SEVERITY_RANK, ScanResult

from .json_report import summary

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
# C0/C1 control characters (ESC included): a scanned name must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_CELL = 300


def safe(text: object) -> str:
    """Scanned text made inert for a terminal: no control characters, no rich markup,
    bounded length."""
    s = _CONTROL.sub("\ufffd", str(text))
    if len(s) > MAX_CELL:
        s = s[: MAX_CELL - 1] + "…"
    return escape(s)


def _where(result: ScanResult, f) -> str:
    if not f.location:
        return f.resource.region or ""
    path = f.location.file
    if result.root and result.root != "." and not posixpath.isabs(path):
        path = posixpath.join(result.root, path)
    return f"{path}:{f.location.start_line}" if f.location.start_line else path


def print_summary(result: ScanResult, console: Console, max_rows: int = 50) -> None:
    s = summary(result)
    console.print(
        f"[bold]mlposture[/] {escape(result.tool_version)}: {s['resources']} resources, {s['rules']} rules, "
        f"{s['checks']} checks: {s['passed']} passed, {s['failed']} failed, {s['unknown']} unknown, "
        f"{s['muted']} muted",
        highlight=False,
    )
    counts = "  ".join(f"[{STYLE[k]}]{k}: {s['by_severity'][k]}[/]" for k in SEVERITIES)
    console.print(counts)
    listed = sorted(
        (f for f in result.findings if f.status in ("fail", "error") and not f.muted),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.status != "fail", f.rule_id, f.resource.uid),
    )
    shown = listed[:max_rows]
    if shown:
        t = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
        t.add_column("severity", no_wrap=True)
        # rule ids are what people copy into suppressions: never fold them
        t.add_column("rule", no_wrap=True, min_width=max(len(f.rule_id) for f in shown))
        # the message names the resource already; the message gets the room
        t.add_column("location", overflow="fold", max_width=48)
        t.add_column("message", overflow="fold", ratio=1)
        for f in shown:
            sev = f"[{STYLE[f.severity]}]{f.severity}[/]" if f.status == "fail" else "[magenta]error[/]"
            t.add_row(sev, safe(f.rule_id), safe(_where(result, f)), safe(f.message))
        console.print(t)
        if len(listed) > len(shown):
            console.print(f"... and {len(listed) - len(shown)} more findings (see the JSON or SARIF report)")
    if s["unknown"]:
        console.print(
            f"{s['unknown']} checks could not be decided from the source (status unknown; see the report)"
        )
    unmodelled: dict[str, int] = {}
    for src in result.sources:
        for t, n in (src.get("unmodelled") or {}).items():
            unmodelled[t] = unmodelled.get(t, 0) + n
    if unmodelled:
        top = sorted(unmodelled.items(), key=lambda kv: (-kv[1], kv[0]))
        names = ", ".join(f"{t} x{n}" for t, n in top[:6]) + (
            f" and {len(top) - 6} more" if len(top) > 6 else ""
        )
        console.print(
            f"not modelled, so not checked: {sum(unmodelled.values())} resources of {len(top)} types "
            f"({safe(names)})",
            highlight=False,
            markup=False,
            style="dim",
        )
    for e in result.errors:
        where = f"{safe(e.file)}: " if e.file else ""
        left = f" (left out: {safe(e.unscanned)})" if e.unscanned else ""
        console.print(f"[yellow]not scanned: {where}{safe(e.reason)}{left}[/]", highlight=False)
    if result.diff_base is not None:
        failing = [f for f in result.findings if f.status == "fail" and not f.muted]
        in_diff = sum(bool(f.in_diff) for f in failing)
        console.print(
            f"diff-aware (--diff-base {safe(result.diff_base)}): {in_diff} of {len(failing)} failing "
            "findings are in changed files; only those gate",
            highlight=False,
        )
    if result.unused_suppressions is not None:
        unused = result.unused_suppressions
        console.print(f"unused suppressions: {len(unused)}", highlight=False)
        for u in unused[:max_rows]:
            console.print(
                f"  {safe(u.get('kind'))} {safe(u.get('rule'))} on {safe(u.get('resource'))} "
                f"({safe(u.get('where'))})",
                highlight=False,
            )
        if len(unused) > max_rows:
            console.print(f"  ... and {len(unused) - max_rows} more (see the JSON report)")
