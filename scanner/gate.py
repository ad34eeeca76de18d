"""The gate: the only place that turns a ScanResult into an exit code.

0  nothing unmuted at or above the threshold, and the scan was complete
1  at least one unmuted failing finding at or above the threshold
2  usage or configuration error (raised by the CLI before a scan)
3  the scan was incomplete (a file that did not parse, an API that denied access, a rule
   that crashed) and no finding crossed the threshold
"""

from __future__ import annotations

from scanner.model.finding import SEVERITY_RANK, ScanResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def gating_findings(result: ScanResult, fail_on: str):
    """Unmuted failing findings at or above the threshold; with a baseline, only new ones;
    with --diff-base, only those in changed files (`in_diff` not false)."""
    threshold = SEVERITY_RANK[fail_on]
    new = set(result.comparison.new) if result.comparison is not None else None
    return [
        f
        for f in result.findings
        if f.status == "fail"
        and not f.muted
        and SEVERITY_RANK[f.severity] >= threshold
        and (new is None or f.fingerprint in new)
        and f.in_diff is not False
    ]


def exit_code(result: ScanResult, fail_on: str = "high") -> int:
    if gating_findings(result, fail_on):
        return EXIT_FINDINGS
    if result.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_OK
