"""Compliance maps: which rules speak to which requirement of a framework.

The maps are data, one YAML file per framework in ``rules/frameworks/``:

    id: owasp-llm-2025
    name: OWASP Top 10 for LLM Applications
    version: "2025"
    url: https://genai.owasp.org/llm-top-10/
    requirements:
      - id: LLM02
        title: Sensitive Information Disclosure
        rules: [lambda-function-env-no-secrets, ...]

A requirement may list no rule: it is part of the framework, and reports say it is not
covered rather than pretend it passed. The loader copies the maps onto each rule's
``compliance`` as ``<framework id>:<requirement id>`` (the form OCSF and SARIF carry), so
rule modules never name frameworks themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    url: str
    requirements: tuple[Requirement, ...]
    path: Path

    def rule_ids(self) -> set[str]:
        return {r for req in self.requirements for r in req.rules}

    def tag(self, requirement_id: str) -> str:
        return f"{self.id}:{requirement_id}"


class FrameworkError(ValueError):
    pass


def _load_one(path: Path) -> Framework:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise FrameworkError(f"{path.name}: top level must be a mapping")
    missing = [k for k in ("id", "name", "version", "url", "requirements") if not doc.get(k)]
    if missing:
        raise FrameworkError(f"{path.name}: missing {', '.join(missing)}")
    reqs = []
    for i, r in enumerate(doc["requirements"]):
        if not isinstance(r, dict) or not r.get("id") or not r.get("title"):
            raise FrameworkError(f"{path.name}: requirement #{i} needs an id and a title")
        rules = r.get("rules") or []
        if not isinstance(rules, list) or not all(isinstance(x, str) for x in rules):
            raise FrameworkError(f"{path.name}: {r['id']}: rules must be a list of rule ids")
        reqs.append(Requirement(str(r["id"]), str(r["title"]), tuple(rules)))
    ids = [r.id for r in reqs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise FrameworkError(f"{path.name}: duplicate requirement ids {dupes}")
    return Framework(
        str(doc["id"]), str(doc["name"]), str(doc["version"]), str(doc["url"]), tuple(reqs), path
    )


@cache
def load_frameworks() -> dict[str, Framework]:
    """Every framework map, by id, in file-name order."""
    out: dict[str, Framework] = {}
    for path in sorted(FRAMEWORKS_DIR.glob("*.yaml")):
        fw = _load_one(path)
        if fw.id in out:
            raise FrameworkError(
                f"{path.name}: framework id {fw.id} already defined in {out[fw.id].path.name}"
            )
        out[fw.id] = fw
    return out


def get_framework(name: str) -> Framework:
    """A framework by id, case-insensitively. KeyError names the known ones."""
    frameworks = load_frameworks()
    for fid, fw in frameworks.items():
        if fid.lower() == name.strip().lower():
            return fw
    raise KeyError(f"unknown compliance framework {name!r}; known: {', '.join(frameworks)}")


def tags_by_rule() -> dict[str, list[str]]:
    """rule id -> ``framework:requirement`` tags, in framework then requirement order."""
    out: dict[str, list[str]] = defaultdict(list)
    for fw in load_frameworks().values():
        for req in fw.requirements:
            for rid in req.rules:
                tag = fw.tag(req.id)
                if tag not in out[rid]:
                    out[rid].append(tag)
    return dict(out)


STATUSES = ("pass", "fail", "unknown", "not-applicable", "not-covered")


def requirement_status(framework: Framework, findings, evaluated_rules, checks: dict | None = None) -> dict:
    """The per-requirement section of a report. A requirement is ``not-covered`` when none
    of its rules ran, ``not-applicable`` when they ran on no resource (`checks`: rule id ->
    resources it was evaluated on), ``fail`` with an unmuted failing finding, ``unknown``
    when its rules could not decide, else ``pass``. Muted findings never fail a requirement."""
    ran = set(evaluated_rules)
    fails: dict[str, int] = defaultdict(int)
    unknowns: dict[str, int] = defaultdict(int)
    for f in findings:
        if f.muted:
            continue
        if f.status == "fail":
            fails[f.rule_id] += 1
        elif f.status in ("unknown", "error"):
            unknowns[f.rule_id] += 1
    reqs = []
    for req in framework.requirements:
        rules = [r for r in req.rules if r in ran]
        failed = sum(fails[r] for r in rules)
        unknown = sum(unknowns[r] for r in rules)
        n_checks = sum(checks.get(r, 0) for r in rules) if checks is not None else None
        if not rules:
            status = "not-covered"
        elif n_checks == 0:
            status = "not-applicable"
        elif failed:
            status = "fail"
        elif unknown:
            status = "unknown"
        else:
            status = "pass"
        entry = {"id": req.id, "title": req.title, "status": status, "rules": rules}
        entry |= {"failed": failed, "unknown": unknown}
        if n_checks is not None:
            entry["checks"] = n_checks
        reqs.append(entry)
    counts = {s: sum(r["status"] == s for r in reqs) for s in STATUSES}
    return {
        "framework": {
            "id": framework.id,
            "name": framework.name,
            "version": framework.version,
            "url": framework.url,
        },
        "summary": counts,
        "requirements": reqs,
    }


def map_problems(known_rule_ids) -> list[str]:
    """Every rule id a map names that the catalogue does not hold; empty when all resolve."""
    known = set(known_rule_ids)
    return [
        f"{fw.path.name}: {req.id} names unknown rule {rid}"
        for fw in load_frameworks().values()
        for req in fw.requirements
        for rid in req.rules
        if rid not in known
    ]
