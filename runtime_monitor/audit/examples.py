"""Every detection carries its own examples, beside it, in
``detections/examples/<rule id>.yaml``: log records (CloudTrail, GCP LogEntry, Kubernetes
audit Event, as the logs write them) and the outcome the detection must give. One generic
test runs them all (tests/test_audit_examples.py).

    cases:
      - name: fail-stolen-role           # pass-*, fail-* or unknown-*
        expect: fail                     # pass (no finding) | fail | unknown
        cloudtrail: [ {eventVersion: "1.09", ...}, {repeat: 30, every: 60, record: {...}} ]
        gcp: [...]; k8s: [...]
        inventory: {resources: [...]}    # optional: granted access, trail selectors

The policy is ``detections/examples/policy.yaml`` unless a case names another (policy:).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import yaml

from runtime_monitor.audit.declared import Declared
from runtime_monitor.audit.detections import DETECTIONS, Context
from runtime_monitor.audit.detections.base import Detection, Hit
from runtime_monitor.audit.event import iso, parse_time
from runtime_monitor.audit.problems import ReadStats
from runtime_monitor.audit.readers.cloudtrail import record_event
from runtime_monitor.audit.readers.gcp_audit import entry_event
from runtime_monitor.audit.readers.k8s_audit import audit_event
from runtime_monitor.audit.run import _observe_coverage, relevant_events

EXAMPLES_DIR = Path(__file__).parent / "detections" / "examples"
_TIME_KEYS = {
    "aws": ("eventTime",),
    "gcp": ("timestamp",),
    "k8s": ("stageTimestamp", "requestReceivedTimestamp"),
}


@dataclass
class Case:
    detection: Detection
    name: str
    expect: str
    body: dict
    file: Path


def load_cases() -> list[Case]:
    by_id = {d.meta.id: d for d in DETECTIONS}
    out = []
    for f in sorted(EXAMPLES_DIR.glob("*.yaml")):
        if f.stem not in by_id:
            continue
        doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for c in doc.get("cases") or []:
            out.append(Case(by_id[f.stem], c["name"], c["expect"], c, f))
    return out


def _expand(items: list, provider: str) -> list[dict]:
    """Records as written, with ``{repeat: n, every: seconds, record: {...}}`` for runs."""
    out = []
    for item in items:
        if "repeat" not in item:
            out.append(item)
            continue
        t0 = parse_time(item["record"][_TIME_KEYS[provider][0]])
        for i in range(item["repeat"]):
            rec = copy.deepcopy(item["record"])
            for k in _TIME_KEYS[provider]:
                if k in rec:
                    rec[k] = iso(t0 + i * item.get("every", 60))
            out.append(rec)
    return out


def run_case(case: Case) -> list[Hit]:
    from runtime_monitor.audit.baseline import Baseline
    from runtime_monitor.policy import load_policy

    policy = load_policy(EXAMPLES_DIR / case.body.get("policy", "policy.yaml"))
    declared = Declared(policy)
    stats = ReadStats()
    events = []
    where = f"{case.file.name}:{case.name}"
    for key, provider, make in (
        ("cloudtrail", "aws", lambda r, i: record_event(r, where, i, i, stats)),
        ("gcp", "gcp", lambda r, i: entry_event(r, where, i, i, stats)),
        ("k8s", "k8s", lambda r, i: audit_event(r, where, i, i, stats, OrderedDict())),
    ):
        for i, rec in enumerate(_expand(case.body.get(key) or [], provider), 1):
            ev = make(rec, i)
            if ev is not None:
                events.append(ev)
    if len(stats.problems):
        raise ValueError(f"{where}: example records do not read: {stats.problems.samples}")
    inventory = None
    if case.body.get("inventory"):
        from scanner.model.inventory import Inventory

        inventory = Inventory.from_json({"inventory_version": "1", "relations": [], **case.body["inventory"]})
    granted = None
    if inventory is not None:
        from runtime_monitor.audit.granted import Granted

        granted = Granted(inventory, declared)
    providers = {p for key, p in (("cloudtrail", "aws"), ("gcp", "gcp"), ("k8s", "k8s")) if key in case.body}
    ctx = Context(declared, providers, granted, Baseline(), stats, inventory)
    det = case.detection.factory(ctx)
    for ev, hits in relevant_events(events, declared, None):
        assets = [(declared.assets[i], loc) for i, loc in hits]
        _observe_coverage(ctx, ev, assets)
        det.observe(ev, assets)
    return [h for h in det.finish() if h.rule_id == case.detection.meta.id]
