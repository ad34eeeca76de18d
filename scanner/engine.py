"""The pipeline: collect -> normalize -> link -> evaluate -> suppress. Reporting and the
gate come after, on the ScanResult this returns."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rules.loader import Catalogue, load_catalogue
from rules.sdk import Rule, Verdict, is_missing
from scanner import __version__
from scanner.model.finding import (
    Evidence,
    Finding,
    FindingResource,
    Location,
    ScanError,
    ScanResult,
    fingerprint,
)
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved, UnresolvedAccess, encode_value
from scanner.model.types import RESOURCE_TYPES
from scanner.secrets import redact_string


@dataclass
class ScanOptions:
    include_rules: list[str] | None = None
    exclude_rules: list[str] | None = None
    categories: list[str] | None = None
    config: Any = None  # scanner.suppress.Config
    today: str | None = None  # YYYY-MM-DD, for suppression expiry (tests pin it)
    progress: Callable[[str, int], None] | None = None
    extra: dict = field(default_factory=dict)
    with_checkov: bool = False  # run Checkov's policies too (scanner.checkov_pack); IaC scans only
    compliance: str | None = (
        None  # a framework id (rules/frameworks): run only its rules, report per requirement
    )
    report_unused_suppressions: bool = False  # list suppressions that matched no finding


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def read_path(attrs: Any, path: str) -> Any:
    """The raw value at an evidence path like ``containers[0].env.HF_TOKEN``."""
    cur = attrs
    for name, idx in _PATH_TOKEN.findall(path):
        if idx:
            i = int(idx)
            if not isinstance(cur, list) or i >= len(cur):
                return None
            cur = cur[i]
        else:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(name)
    return cur


def _safe_value(value: Any) -> Any:
    """Evidence values are JSON-safe and carry no secret (defence in depth: normalizers
    already scrubbed config)."""
    value = encode_value(value)
    if isinstance(value, str):
        return redact_string(value[:500])
    if isinstance(value, dict):
        return {k: _safe_value(v) for k, v in list(value.items())[:50]}
    if isinstance(value, list):
        return [_safe_value(v) for v in value[:50]]
    return value


def _provenance(r: Resource, path: str) -> str:
    raw = read_path(r.attrs, path) if path else None
    if isinstance(raw, Unresolved):
        return "unresolved"
    return r.provenance_of(path) if path else "explicit"


def type_label(r: Resource) -> str:
    kind = r.attrs.get("kind")
    if r.provider == "k8s" and isinstance(kind, str):
        return f"Kubernetes {kind}"
    spec = RESOURCE_TYPES.get(r.type)
    return spec.description if spec else r.type


def make_finding(rule: Rule, r: Resource, v: Verdict) -> Finding:
    meta = rule.meta
    at = v.at
    if v.status == "unknown":
        message = f'{type_label(r)} "{r.name}" could not be checked: {v.reason}'
    else:
        message = (
            f'{type_label(r)} "{r.name}": {v.reason}'
            if v.reason
            else f'{type_label(r)} "{r.name}" does not meet: {meta.title}'
        )
    value = (
        read_path(r.attrs, at) if is_missing(v.value) and at else (None if is_missing(v.value) else v.value)
    )
    if isinstance(value, Ref):
        value = f"reference to {value.uid}"
    loc = None
    if r.source.file:
        line = r.line_of(at) if at else r.source.start_line
        whole = line == r.source.start_line
        loc = Location(r.source.file, line, r.source.end_line if whole else line)
    return Finding(
        fingerprint=fingerprint(meta.id, r.uid, at),
        rule_id=meta.id,
        title=meta.title,
        severity=meta.severity,
        status=v.status if v.status in ("fail", "unknown") else "error",
        category=meta.category,
        resource=FindingResource(r.uid, r.type, r.name, r.provider, r.account, r.region),
        message=redact_string(message),
        evidence=Evidence(at, _safe_value(value), _provenance(r, at)),
        source=r.source.kind,
        location=loc,
        compliance=list(meta.compliance),
        remediation=dict(meta.remediation),
        references=list(meta.references),
        aliases=list(meta.aliases),
    )


def evaluate(
    inventory: Inventory, catalogue: Catalogue, config: Any = None
) -> tuple[list[Finding], int, int]:
    """Run every rule on every resource it applies to. Returns (findings, checks, passed).
    `config` (scanner.suppress.Config) reaches the rules that ask for it."""
    findings: list[Finding] = []
    checks = passed = 0
    for rtype, rules in catalogue.by_type.items():
        for r in inventory.of_type(rtype):
            for rule in rules:
                checks += 1
                try:
                    verdicts = rule.evaluate(r, inventory, config)
                except UnresolvedAccess as e:
                    verdicts = [Verdict("unknown", f"{e.path} is unresolved ({e.expr})", e.path)]
                except Exception as e:  # a rule bug is an error finding, never a pass
                    verdicts = [Verdict("error", f"rule raised {type(e).__name__}: {e}")]
                bad = [v for v in verdicts if v.status != "pass"]
                if not bad:
                    passed += 1
                seen: set[str] = set()
                for v in bad:
                    f = make_finding(rule, r, v)
                    if f.fingerprint not in seen:  # one finding per rule, resource and path
                        seen.add(f.fingerprint)
                        findings.append(f)
    findings.sort(key=lambda f: (f.resource.uid, f.rule_id, f.evidence.path))
    return findings, checks, passed


def source_summary(b) -> dict:
    """What one dialect read, and which resource types it read but does not model."""
    out = {"dialect": b.dialect, "files": b.files, "resources": len(b.resources)}
    if b.unmodelled:
        out["unmodelled"] = dict(sorted(b.unmodelled.items()))
    return out


def build_inventory(batches) -> Inventory:
    inv = Inventory()
    for b in batches:
        inv.extend(b.resources, b.relations)
        for alias, uid in b.aliases.items():
            inv.add_alias(alias, uid)
    inv.link()
    return inv


def run(
    inventory: Inventory,
    *,
    targets: list[str],
    errors: list[ScanError],
    sources: list[dict],
    options: ScanOptions,
    started_at: str,
    augment: Callable | None = None,
) -> ScanResult:
    """`augment(inventory, catalogue, findings, errors)`, when given, returns more findings
    from another rule pack (an object with findings, rules, errors, checks, passed); they
    are suppressed, counted and reported like ours."""
    from scanner.suppress import apply_suppressions

    catalogue = load_catalogue().select(
        options.include_rules, options.exclude_rules, options.categories, compliance=options.compliance
    )
    if options.progress:
        options.progress("evaluate", len(inventory))
    findings, checks, passed = evaluate(inventory, catalogue, options.config)
    rules = {r.id: r.meta.to_json() for r in catalogue.rules}
    graph_ids = graph_rules_selected(options)
    if graph_ids:  # privilege paths, after the per-resource rules
        from scanner.graph.path_rules import GRAPH_RULES

        graph_found, graph_errors = graph_findings(inventory, graph_ids)
        findings.extend(graph_found)
        findings.sort(key=lambda f: (f.resource.uid, f.rule_id, f.evidence.path))
        errors = [*errors, *graph_errors]
        rules.update({rid: GRAPH_RULES[rid].to_json() for rid in graph_ids})
        catalogue = _GraphAwareCatalogue(catalogue, graph_ids)
    if augment is not None:
        pack = augment(inventory, catalogue, findings, errors)
        findings.extend(pack.findings)
        findings.sort(key=lambda f: (f.resource.uid, f.rule_id, f.evidence.path))
        errors = [*errors, *pack.errors]
        checks, passed = checks + pack.checks, passed + pack.passed
        rules.update({k: v for k, v in pack.rules.items() if k not in rules})
    matched = apply_suppressions(findings, inventory, catalogue, options.config, options.today)
    unused = None
    if options.report_unused_suppressions:
        from scanner.suppress import unused_suppressions

        unused = unused_suppressions(inventory, options.config, matched)
    compliance = None
    if options.compliance:  # after suppressions: a muted finding never fails a requirement
        from rules.compliance import get_framework, requirement_status

        checks_by_rule = {  # resources each rule was evaluated on: none makes a requirement not applicable
            r.id: sum(len(inventory.of_type(t)) for t in r.meta.applies_to) for r in catalogue.rules
        }
        fw = get_framework(options.compliance)
        compliance = requirement_status(fw, findings, rules, checks_by_rule)
    return ScanResult(
        scan_id=str(uuid.uuid4()),
        started_at=started_at,
        finished_at=_now(),
        targets=targets,
        findings=findings,
        errors=errors,
        sources=sources,
        resources=len(inventory),
        rules_evaluated=len(rules),
        checks=checks,
        passed=passed,
        rules=rules,
        tool_version=__version__,
        compliance=compliance,
        unused_suppressions=unused,
    )


def graph_rules_selected(options: ScanOptions) -> tuple[str, ...]:
    """The privilege-path rules this scan runs: all, unless --rules, --skip-rules,
    --categories or --compliance leave them out."""
    from scanner.graph.path_rules import CATEGORY, GRAPH_RULES

    ids = tuple(GRAPH_RULES)
    if options.compliance or (options.categories and CATEGORY not in options.categories):
        return ()
    if options.include_rules:
        ids = tuple(i for i in ids if i in options.include_rules)
    if options.exclude_rules:
        ids = tuple(i for i in ids if i not in options.exclude_rules)
    return ids


def graph_findings(inventory: Inventory, rule_ids: tuple[str, ...]) -> tuple[list[Finding], list[ScanError]]:
    """Privilege-path findings of the inventory's graph. A failure to build or search the
    graph is a scan error that names what went unscanned, never an empty pass."""
    from scanner.graph.build import build_graph
    from scanner.graph.paths import find_paths

    failures: list[tuple[str, str]] = []
    errors: list[ScanError] = []
    try:
        graph = build_graph(inventory, failures=failures)
        found = find_paths(graph, inventory)
    except Exception as e:  # a bug in the search must not hide the rule findings
        reason = redact_string(f"privilege graph failed: {type(e).__name__}: {e}")[:500]
        return [], [ScanError("graph", reason, unscanned="privilege paths (" + ", ".join(rule_ids) + ")")]
    for name, why in failures:  # one provider failed: the others' paths are still reported
        provider = name.rsplit(".", 1)[-1]
        reason = redact_string(f"privilege graph contributor {name} failed: {why}")[:500]
        errors.append(ScanError("graph", reason, unscanned=f"privilege paths through {provider} identities"))
    return [f for f in found if f.rule_id in rule_ids], errors


class _GraphAwareCatalogue:
    """The rule catalogue as suppressions see it, plus the privilege-path rule ids (which
    are not per-resource rules), so `ignore privilege-path-admin` mutes those findings."""

    def __init__(self, catalogue: Catalogue, graph_ids: tuple[str, ...]):
        self._catalogue = catalogue
        self._graph_ids = set(graph_ids)

    def resolve_id(self, name: str) -> str | None:
        return self._catalogue.resolve_id(name) or (name if name in self._graph_ids else None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._catalogue, name)


def scan_iac(targets: list[str | Path], options: ScanOptions | None = None) -> tuple[ScanResult, Inventory]:
    from scanner.collect.iac import collect_iac

    options = options or ScanOptions()
    started = _now()
    batches, found = collect_iac(targets, progress=options.progress)
    inv = build_inventory(batches)
    errors = list(found.errors) + [e for b in batches for e in b.errors]
    sources = [source_summary(b) for b in batches]
    augment = None
    if options.with_checkov:
        from scanner.checkov_pack import augment as checkov_augment  # imports checkov only when asked

        augment = checkov_augment(found, options)
    result = run(
        inv,
        targets=[str(t) for t in targets],
        errors=errors,
        sources=sources,
        options=options,
        started_at=started,
        augment=augment,
    )
    result.root = display_root(found.root)
    return result, inv


def display_root(root: Path) -> str:
    """The scan root as reports show it: relative to the working directory when inside it
    (so SARIF paths resolve against the repository checkout), else absolute."""
    try:
        rel = root.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return root.resolve().as_posix()
    return rel or "."


def scan_inventory(inv: Inventory, options: ScanOptions | None = None, target: str = "") -> ScanResult:
    options = options or ScanOptions()
    started = _now()
    sources = [{"dialect": "inventory", "files": 1, "resources": len(inv)}]
    return run(inv, targets=[target], errors=[], sources=sources, options=options, started_at=started)
