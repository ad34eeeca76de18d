"""The console summary: what a person reads in a terminal or a CI log."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scanner.model.finding import SEVERITIES, SEVERITY_RANK, ScanResult

from .json_report import summary

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def print_summary(result: ScanResult, console: Console, max_rows: int = 50) -> None:
    s = summary(result)
    console.print(
        f"[bold]mlposture[/] {result.tool_version}: {s['resources']} resources, {s['rules']} rules, "
        f"{s['checks']} checks: {s['passed']} passed, {s['failed']} failed, {s['unknown']} unknown, "
        f"{s['muted']} muted", highlight=False)
    counts = "  ".join(f"[{STYLE[k]}]{k}: {s['by_severity'][k]}[/]" for k in SEVERITIES)
    console.print(counts)
    fails = sorted((f for f in result.findings if f.status != "fail" or not f.muted),
                   key=lambda f: (-SEVERITY_RANK[f.severity], f.status != "fail", f.rule_id, f.resource.uid))
    shown = [f for f in fails if f.status in ("fail", "error")][:max_rows]
    if shown:
        t = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
        for col in ("severity", "rule", "resource", "location", "message"):
            t.add_column(col, overflow="fold")
        for f in shown:
            loc = f"{f.location.file}:{f.location.start_line}" if f.location else (f.resource.region or "")
            # names and messages come from scanned files: never let them carry rich markup
            t.add_row(f"[{STYLE[f.severity]}]{f.severity}[/]", escape(f.rule_id), escape(f.resource.name),
                      escape(loc), escape(f.message))
        console.print(t)
        hidden = len([f for f in fails if f.status in ("fail", "error")]) - len(shown)
        if hidden > 0:
            console.print(f"... and {hidden} more findings (see the JSON or SARIF report)")
    for e in result.errors:
        where = f"{e.file}: " if e.file else ""
        console.print(f"not scanned: {where}{e.reason}" + (f" (left out: {e.unscanned})" if e.unscanned else ""),
                      highlight=False, markup=False, style="yellow")
