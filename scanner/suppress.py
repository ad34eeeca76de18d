"""Suppressions: inline (on the resource) and from `.mlposture.yaml`. A muted finding is
kept and marked, never dropped; an expired suppression stops muting and says so."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from scanner.model.finding import Finding
from scanner.model.inventory import Inventory


class ConfigError(ValueError):
    pass


@dataclass
class ConfigSuppression:
    rule: str
    resource: str = "*"  # glob on uid or name
    reason: str = ""
    expires: str | None = None


@dataclass
class Config:
    suppressions: list[ConfigSuppression] = field(default_factory=list)
    severity_overrides: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    tag_policy: Any = None  # scanner.tag_policy.TagPolicy; None: the default policy applies
    with_checkov: bool = False  # `with_checkov: true`: also run Checkov's policies (scan iac)
    path: str | None = None  # the file it was read from, for messages


def load_config(path: str | Path) -> Config:
    """Read `.mlposture.yaml`. Every suppression needs a rule and a reason."""
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    sups = []
    for i, s in enumerate(data.get("suppressions") or []):
        if not isinstance(s, dict) or not s.get("rule") or not s.get("reason"):
            raise ConfigError(f"{path}: suppressions[{i}] needs 'rule' and 'reason'")
        exp = s.get("expires")
        if exp is not None:
            try:
                date.fromisoformat(str(exp))
            except ValueError as e:
                raise ConfigError(f"{path}: suppressions[{i}].expires must be YYYY-MM-DD") from e
        sups.append(
            ConfigSuppression(
                str(s["rule"]),
                str(s.get("resource", "*")),
                str(s["reason"]),
                str(exp) if exp is not None else None,
            )
        )
    with_checkov = data.get("with_checkov", False)
    if not isinstance(with_checkov, bool):
        raise ConfigError(f"{path}: with_checkov must be true or false")
    return Config(
        sups,
        dict(data.get("severity_overrides") or {}),
        data.get("fail_on"),
        tag_policy=_tag_policy(path, data),
        with_checkov=with_checkov,
        path=str(path),
    )


def _tag_policy(path: str | Path, data: dict):
    """The `tag_policy` section, parsed from a line-keeping load so errors name the line."""
    if data.get("tag_policy") is None:
        return None
    from scanner.collect.iac.yaml_loader import load_one
    from scanner.tag_policy import TagPolicyError, tag_policy_from_document

    try:
        return tag_policy_from_document(load_one(Path(path).read_text()), str(path))
    except TagPolicyError as e:
        raise ConfigError(str(e)) from e


def _expired(expires: str | None, today: date) -> bool:
    if not expires:
        return False
    try:
        return date.fromisoformat(str(expires)) < today
    except ValueError:
        return True  # an unreadable expiry never mutes


def apply_suppressions(
    findings: list[Finding], inventory: Inventory, catalogue, config: Config | None, today: str | None = None
) -> set[tuple]:
    """Mute what a suppression covers. Returns the keys of the suppressions that matched a
    finding (by rule and resource, expired or not): ``("inline", uid, i)`` for the i-th inline
    suppression of a resource, ``("config", i)`` for the i-th config one. `unused_suppressions`
    lists the others."""
    day = date.fromisoformat(today) if today else date.today()
    matched: set[tuple] = set()
    for f in findings:
        r = inventory.get(f.resource.uid)
        candidates = []
        if r is not None:
            for i, s in enumerate(r.suppressions):
                candidates.append((s.rule, s.reason, s.expires, "inline", ("inline", r.uid, i)))
        if config:
            for i, s in enumerate(config.suppressions):
                if fnmatch.fnmatchcase(f.resource.uid, s.resource) or fnmatch.fnmatchcase(
                    f.resource.name, s.resource
                ):
                    candidates.append((s.rule, s.reason, s.expires, "config", ("config", i)))
        done = False
        for rule, reason, expires, where, key in candidates:
            # a Checkov id names our rule that aliases it, or a Checkov pack finding itself
            if rule != "*" and catalogue.resolve_id(rule) != f.rule_id and rule.upper() != f.rule_id:
                continue
            matched.add(key)
            if done:  # muted already by an earlier candidate: only record the match
                continue
            if _expired(expires, day):
                f.message += f" (a {where} suppression expired on {expires} and no longer mutes this)"
                continue
            f.muted = True
            f.mute_reason = f"{where}: {reason}" if reason else where
            done = True
        if config and f.rule_id in config.severity_overrides:
            f.severity = config.severity_overrides[f.rule_id]
    return matched


def unused_suppressions(inventory: Inventory, config: Config | None, matched: set[tuple]) -> list[dict]:
    """Suppressions that matched no finding of this scan (`--report-unused-suppressions`):
    stale ones, or ones whose rule or resource glob is misspelled. Each says where it is
    written: the resource's file and line (inline) or the config file's entry."""
    out: list[dict] = []
    for r in inventory.resources.values():
        for i, s in enumerate(r.suppressions):
            if ("inline", r.uid, i) in matched:
                continue
            where = r.source.file or r.uid
            line = s.line or r.source.start_line
            out.append(
                {
                    "kind": "inline",
                    "rule": s.rule,
                    "resource": r.uid,
                    "where": f"{where}:{line}" if line and r.source.file else where,
                    **({"expires": s.expires} if s.expires else {}),
                }
            )
    if config:
        for i, s in enumerate(config.suppressions):
            if ("config", i) in matched:
                continue
            out.append(
                {
                    "kind": "config",
                    "rule": s.rule,
                    "resource": s.resource,
                    "where": f"{config.path or 'config'}: suppressions[{i}]",
                    **({"expires": s.expires} if s.expires else {}),
                }
            )
    return out
