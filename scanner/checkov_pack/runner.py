"""Run Checkov's Terraform, Terraform-plan, CloudFormation and Kubernetes runners once, in
this process, on the files our discovery found. Offline by construction: no platform
credentials are set up (so no policy metadata or guideline download), mapping downloads
and SCA scans are switched off by environment, and external modules are not fetched."""

from __future__ import annotations

import logging
import os
from pathlib import Path

# Checkov reads these at import time; a user's own settings win.
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",  # no download of the BC id / guideline mapping
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "LOG_LEVEL": "ERROR",
}


def _import_checkov():
    """Import the runners, undoing what Checkov's logging_init does to the root logger
    (level DEBUG and an in-memory handler that would capture every library's debug log)."""
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    from checkov.cloudformation.runner import Runner as CfnRunner
    from checkov.kubernetes.runner import Runner as K8sRunner
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner as PlanRunner
    from checkov.terraform.runner import Runner as TfRunner

    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)
    if not os.environ.get("MLPOSTURE_DEBUG"):
        logging.getLogger("checkov").setLevel(logging.CRITICAL)
    return TfRunner, PlanRunner, CfnRunner, K8sRunner, RunnerFilter


def _tf_roots(found) -> tuple[list[Path], list[Path]]:
    """Terraform is scanned by directory (so Checkov resolves local modules): the scan
    root when every .tf file lies under it, as discovery guarantees for directory targets.
    Returns (directories, loose files)."""
    files = [p.resolve() for p in found.terraform if p.name.endswith((".tf", ".tf.json"))]
    if not files:
        return [], []
    root = found.root.resolve()
    if all(f.is_relative_to(root) for f in files):
        return [root], []
    return [], files


def run_checkov(found, checks: list[str], skip_checks: list[str]):
    """Checkov reports (one per framework run) and, if Checkov raised, the error text."""
    try:
        TfRunner, PlanRunner, CfnRunner, K8sRunner, RunnerFilter = _import_checkov()
    except Exception as e:  # a broken install must not cost our own findings
        return [], f"Checkov could not be imported: {type(e).__name__}: {e}"
    rf = RunnerFilter(
        framework=["terraform", "terraform_plan", "cloudformation", "kubernetes"],
        checks=checks or None,
        skip_checks=skip_checks or None,
        download_external_modules=False,
        show_progress_bar=False,
    )
    reports = []
    dirs, loose = _tf_roots(found)
    jobs: list[tuple[type, str | None, list[str] | None]] = [(TfRunner, str(d), None) for d in dirs]
    if loose:
        jobs.append((TfRunner, None, [str(f) for f in loose]))
    for runner, files in (
        (PlanRunner, found.plans),
        (CfnRunner, found.cloudformation),
        (K8sRunner, found.kubernetes),
    ):
        if files:
            jobs.append((runner, None, [str(f.resolve()) for f in files]))
    try:
        for runner, root, files in jobs:
            report = runner().run(root_folder=root, files=files, runner_filter=rf)
            reports.extend(report if isinstance(report, list) else [report])
    except Exception as e:
        return reports, f"Checkov failed: {type(e).__name__}: {e}"
    return reports, None
