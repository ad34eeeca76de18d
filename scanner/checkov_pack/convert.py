"""Checkov records -> our Findings, rule metadata, check counts and scan errors. Pure: it
reads the records' attributes and our inventory, and never imports checkov."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model.finding import Evidence, Finding, FindingResource, Location, ScanError, fingerprint
from scanner.normalize.terraform.model import uid_for
from scanner.secrets import redact_string

from . import policies

GITHUB = "https://github.com/bridgecrewio/checkov/blob"
K8S_ACCOUNT = "manifest"  # the account our Kubernetes manifest loader uses in uids
NOISE_KEYS = {"resource_type"}  # graph checks list it among their evaluated keys


@dataclass
class PackResult:
    findings: list[Finding] = field(default_factory=list)
    rules: dict[str, dict] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    checks: int = 0
    passed: int = 0


def help_uri(check_id: str, guideline: str | None) -> str:
    """Checkov's guideline when it has one (only with a platform key); else the policy's
    source at the installed version, which states exactly what it checks."""
    if guideline:
        return guideline
    src = policies.source_path(check_id)
    if src:
        from importlib.metadata import version

        return f"{GITHUB}/{version('checkov')}/checkov/{src}"
    return "https://www.checkov.io/5.Policy%20Index/all.html"


def rule_meta(check_id: str, name: str, url: str) -> dict:
    return {
        "id": check_id,
        "title": name,
        "severity": policies.severity(check_id),
        "category": policies.category(check_id),
        "applies_to": [],
        "description": f"Checkov policy {check_id}: {name}",
        "risk": "",
        "remediation": {"guideline": url},
        "references": [url],
        "aliases": [],
        "compliance": [],
        "maturity": "stable",
        "provider": policies.provider(check_id),
        "tags": ["checkov"],
        "help_uri": url,
    }


def evidence_path(keys) -> str:
    """The evaluated key as one of our attribute paths: `policy/Statement/[0]/Action` ->
    `policy.Statement[0].Action`. Sorted first, so the fingerprint is stable across runs."""
    keys = sorted(k for k in keys or [] if isinstance(k, str) and k not in NOISE_KEYS)
    if not keys:
        return ""
    return keys[0].replace("/[", "[").replace("/", ".")


class UidMapper:
    """Checkov's resource ids -> our uids: the resource in our inventory when it is there,
    else a uid in our style (the same shape our loaders would give it)."""

    def __init__(self, inventory) -> None:
        self.inv = inventory
        self.tf_by_address: dict[str, list[str]] = defaultdict(list)
        for r in inventory.resources.values():
            if r.uid.startswith("tf:"):
                rest = r.uid[3:]
                root, sep, addr = rest.partition(":")
                plain_root = sep and not any(c in root for c in '["')  # not a ':' inside an index key
                self.tf_by_address[addr if plain_root else rest].append(r.uid)

    def _known(self, uid: str) -> str | None:
        real = self.inv.resolve(uid)
        return real if self.inv.get(real) is not None else None

    def terraform(self, address: str, rel: str, plan: bool) -> str:
        folder = Path(rel).parent.as_posix()
        guess = uid_for(folder, address)
        if self._known(guess):
            return self._known(guess)
        if not plan:
            # a module's resource: its file is the module's, not its root module's
            cands = sorted(self.tf_by_address.get(address, []))
            under = [u for u in cands if folder.startswith(_tf_root(u))]
            if len(cands) == 1 or under:
                return (under or cands)[-1]
        return guess

    def cloudformation(self, resource: str, rel: str) -> tuple[str, str, str]:
        rtype, _, logical = resource.rpartition(".")
        uid = f"cfn:{rel}#{logical}"
        return self._known(uid) or uid, rtype, logical

    def kubernetes(self, resource: str) -> tuple[str, str, str]:
        kind, _, rest = resource.partition(".")
        ns, _, name = rest.partition(".")
        uid = f"k8s:{K8S_ACCOUNT}/{ns}/{kind}/{name}"
        return self._known(uid) or uid, f"Kubernetes {kind}", name


def _tf_root(uid: str) -> str:
    root, sep, _ = uid[3:].partition(":")
    return root if sep and not any(c in root for c in '["') else ""


def _span_hits(r, rel: str, a: int, b: int) -> bool:
    """Does our resource `r` sit in (or fold in) the Checkov block at rel:a-b? Folded
    blocks (a role policy folded into its role) show as attribute lines inside it."""
    s = r.source
    if s.file != rel or not s.start_line:
        return False
    end = s.end_line or s.start_line
    return a <= s.start_line <= b or s.start_line <= a <= end or any(a <= ln <= b for ln in r.lines.values())


class Precedence:
    """Our rules win: a Checkov result is dropped when one of our rules that aliases its
    policy evaluated the same resource (or a resource folded from that block)."""

    def __init__(self, inventory, catalogue, findings) -> None:
        self.inv = inventory
        self.rules_by_alias: dict[str, list] = defaultdict(list)
        for rule in catalogue.rules:
            for a in rule.meta.aliases:
                self.rules_by_alias[a.upper()].append(rule)
        self.by_file: dict[str, list] = defaultdict(list)
        for r in inventory.resources.values():
            if r.source.file:
                self.by_file[r.source.file].append(r)

    def ours(self, check_id: str, uid: str, rel: str, a: int, b: int) -> bool:
        rules = self.rules_by_alias.get(check_id.upper())
        if not rules:
            return False
        cands = [r for r in self.by_file.get(rel, []) if _span_hits(r, rel, a, b)]
        mapped = self.inv.get(uid)
        if mapped is not None:
            cands.append(mapped)
        return any(r.type in rule.meta.applies_to for r in cands for rule in rules)


def _result(rec) -> str:
    res = (rec.check_result or {}).get("result")
    return str(getattr(res, "name", res)).upper()


def convert(
    reports, found, inventory, catalogue, findings, errors, categories=None, crash=None
) -> PackResult:
    out = PackResult()
    mapper = UidMapper(inventory)
    wins = Precedence(inventory, catalogue, findings)
    seen: set[str] = set()
    used: set[str] = set()
    ours_files = {e.file for e in errors if e.file}
    wanted = set(categories) if categories else None
    for report in reports:
        kind = getattr(report, "check_type", "")
        for rec in [*report.failed_checks, *report.skipped_checks, *report.passed_checks]:
            path = Path(rec.file_abs_path or rec.file_path)
            if path.is_absolute() and not path.resolve().is_relative_to(found.root):
                continue  # Checkov read something discovery did not (outside the scan root)
            rel = found.rel(path)
            a, b = (list(rec.file_line_range or [0, 0]) + [0, 0])[:2]
            cid = rec.check_id
            if wanted is not None and policies.category(cid) not in wanted:
                continue
            if kind == "cloudformation":
                uid, rtype, name = mapper.cloudformation(rec.resource, rel)
            elif kind == "kubernetes":
                uid, rtype, name = mapper.kubernetes(rec.resource)
            else:
                uid = mapper.terraform(rec.resource, rel, plan=kind == "terraform_plan")
                rtype, _, name = rec.resource.rpartition(".")
                rtype = rtype.rpartition(".")[2] or rtype
            if wins.ours(cid, uid, rel, a, b):
                continue
            status = _result(rec)
            out.checks += 1
            used.add(cid)
            if cid not in out.rules:
                out.rules[cid] = rule_meta(
                    cid, " ".join(str(rec.check_name).split()), help_uri(cid, rec.guideline)
                )
            if status == "PASSED":
                out.passed += 1
                continue
            f = _finding(rec, cid, out.rules[cid], uid, rtype, name, rel, a, b, inventory)
            if status == "SKIPPED":
                reason = (rec.check_result or {}).get("suppress_comment") or "skipped in source"
                f.muted, f.mute_reason = True, f"inline: {redact_string(str(reason))[:500]}"
            if f.fingerprint not in seen:
                seen.add(f.fingerprint)
                out.findings.append(f)
        for bad in getattr(report, "parsing_errors", []) or []:
            rel = found.rel(Path(bad))
            if rel not in ours_files:
                ours_files.add(rel)
                out.errors.append(
                    ScanError(
                        "checkov", "Checkov could not parse this file", rel, "Checkov policies on the file"
                    )
                )
    if crash:
        out.errors.append(ScanError("checkov", redact_string(crash)[:500], None, "Checkov policies"))
    return out


def _finding(rec, cid, meta, uid, rtype, name, rel, a, b, inventory) -> Finding:
    from scanner.engine import type_label  # engine imports this package lazily: no cycle

    r = inventory.get(uid)
    if r is not None:
        res = FindingResource(r.uid, r.type, r.name, r.provider, r.account, r.region)
        label = type_label(r)
    else:
        res = FindingResource(uid, rtype, name, policies.provider(cid))
        label = rtype
    at = evidence_path((rec.check_result or {}).get("evaluated_keys"))
    return Finding(
        fingerprint=fingerprint(cid, uid, at),
        rule_id=cid,
        title=meta["title"],
        severity=meta["severity"],
        status="fail",
        category=meta["category"],
        resource=res,
        message=redact_string(f'{label} "{name}" fails Checkov {cid}: {meta["title"]}'),
        evidence=Evidence(at, None, "explicit"),
        source="iac",
        location=Location(rel, a or None, b or None) if rel else None,
        remediation=dict(meta["remediation"]),
        references=list(meta["references"]),
    )
