"""Checkov's own policies as an optional rule pack (`scan iac --with-checkov`).

Checkov runs once, in-process and offline, on the files our discovery found; its results
become ordinary Findings (severity from `rules/checkov/severities.json`), so the gate,
baselines, suppressions and every report treat them like ours. Our rules win: a Checkov
result for a policy one of our rules aliases, on a resource that rule evaluated, is
dropped. Nothing here is imported unless the pack is switched on: `import checkov` costs
seconds and sets global logging state.

    runner.py    the I/O: environment, Checkov runners, reports   (imports checkov)
    convert.py   Checkov records -> Findings, rule metadata, counts, errors  (pure)
    policies.py  the severity/category table
"""

from __future__ import annotations

from .convert import PackResult, convert


def augment(found, options):
    """A hook for `engine.run`: called with the inventory, the selected catalogue and our
    findings, it runs Checkov on `found` (a `Discovered`) and returns a PackResult."""

    def run_pack(inventory, catalogue, findings, errors) -> PackResult:
        from .runner import run_checkov

        include = _checkov_ids(options.include_rules)
        if options.include_rules and not include:
            return PackResult()  # the user picked rules and no Checkov policy among them
        if options.progress:
            files = (
                len(found.terraform) + len(found.plans) + len(found.cloudformation) + len(found.kubernetes)
            )
            options.progress("checkov", files)
        reports, crash = run_checkov(found, include, _checkov_ids(options.exclude_rules))
        return convert(reports, found, inventory, catalogue, findings, errors, options.categories, crash)

    return run_pack


def _checkov_ids(names: list[str] | None) -> list[str]:
    return [n.upper() for n in names or [] if n.upper().startswith(("CKV_", "CKV2_"))]


__all__ = ["PackResult", "augment", "convert"]
