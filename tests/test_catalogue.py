"""Catalogue lint: ids unique and well-formed, metadata complete, examples present."""

from __future__ import annotations

import re

from rules.examples import all_examples, expected_verdict
from rules.loader import load_catalogue
from rules.sdk import ID_RE, MATURITIES
from scanner.model.types import RESOURCE_TYPES

CATALOGUE = load_catalogue()
EXAMPLES = all_examples()


def test_enough_rules_across_categories_and_providers():
    assert len(CATALOGUE.rules) >= 25
    cats = {r.meta.category for r in CATALOGUE.rules}
    assert {"iam", "network", "secrets", "logging", "encryption"} <= cats
    assert {"aws", "gcp", "k8s"} <= {r.meta.provider for r in CATALOGUE.rules}


def test_ids_unique_and_well_formed():
    ids = [r.id for r in CATALOGUE.rules]
    assert len(ids) == len(set(ids))
    for i in ids:
        assert ID_RE.match(i), f"rule id {i!r} must be lower-case words joined by hyphens"


def test_aliases_unique():
    seen = {}
    for r in CATALOGUE.rules:
        for a in r.meta.aliases:
            assert a not in seen or seen[a] == r.id or a.startswith("CKV"), (
                f"alias {a} on {seen.get(a)} and {r.id}"
            )
            seen[a] = r.id


def test_metadata_conventions():
    for r in CATALOGUE.rules:
        m = r.meta
        assert m.applies_to, m.id
        for t in m.applies_to:
            assert t in RESOURCE_TYPES, f"{m.id}: unknown resource type {t}"
        assert 10 <= len(m.title) <= 120, f"{m.id}: title length"
        assert not re.match(r"(?i)^(ensure|check|verify)\b", m.title), (
            f"{m.id}: title states the secure state"
        )
        assert not m.title.endswith("."), f"{m.id}: title ends with a period"
        assert m.maturity in MATURITIES
        assert m.remediation, f"{m.id}: remediation missing"
        assert m.description, f"{m.id}: description missing"


def test_every_rule_has_passing_and_failing_examples():
    for r in CATALOGUE.rules:
        exs = EXAMPLES.get(r.id)
        assert exs, f"{r.id}: no examples under rules/{r.meta.provider}/examples/{r.id}/"
        text = " ".join(ex.path.read_text() for ex in exs)
        names = re.findall(r"[\"\s]((?:pass|fail|unknown)[A-Za-z0-9_\-]*)", text, re.I)
        verdicts = {expected_verdict(n) for n in names}
        assert {"pass", "fail"} <= verdicts, f"{r.id}: needs a pass* and a fail* example resource"
