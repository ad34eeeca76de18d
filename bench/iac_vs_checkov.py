"""IaC at scale: mlposture against `checkov -d` on the same generated corpus, in one run, as
a ratio, for Terraform, CloudFormation/SAM and Kubernetes manifests.

    .venv/bin/python bench/iac_vs_checkov.py terraform --size 400          # reference: ~2,000 files
    .venv/bin/python bench/iac_vs_checkov.py cloudformation --size 500
    .venv/bin/python bench/iac_vs_checkov.py kubernetes --size 300 --size 600   # growth
    .venv/bin/python bench/iac_vs_checkov.py terraform --size 40 --skip-checkov

Prints one JSON object per size (the shape `bench/run_all.py` reads).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure  # noqa: E402

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent

# dialect -> (generator script, its size flag, what a unit of size is, checkov framework, file globs)
DIALECTS = {
    "terraform": ("gen_terraform.py", "--stacks", "root modules", "terraform", ("*.tf",)),
    "cloudformation": (
        "gen_cloudformation.py",
        "--stacks",
        "templates",
        "cloudformation",
        ("*.yaml", "*.json"),
    ),
    "kubernetes": ("gen_kubernetes.py", "--tenants", "tenants", "kubernetes", ("*.yaml",)),
}


def run_one(dialect: str, size: int, skip_checkov: bool) -> dict:
    gen, flag, unit, framework, globs = DIALECTS[dialect]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run(
            [sys.executable, str(HERE / gen), str(corpus), flag, str(size)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        files = sum(1 for g in globs for _ in corpus.rglob(g))
        ours = measure(
            [
                str(BIN / "mlposture"),
                "scan",
                "iac",
                str(corpus),
                "-q",
                "-o",
                f"json={tmp}/ours.json",
                "-o",
                f"sarif={tmp}/ours.sarif",
                "--fail-on",
                "critical",
            ]
        )
        if ours["exit"] not in (0, 1):
            raise SystemExit(f"mlposture failed ({ours['exit']}): {ours['stderr_tail']}")
        report = json.loads(Path(f"{tmp}/ours.json").read_text())
        row = {
            "workload": f"{dialect} ({size} {unit}, {files} files)",
            "dialect": dialect,
            "size": size,
            "files": files,
            "resources": report["summary"]["resources"],
            "findings": len(report["findings"]),
            "ours": {k: ours[k] for k in ("wall_s", "peak_mb", "exit")},
            "peer": None,
        }
        if not skip_checkov:
            # --skip-download: no platform calls (no network here; retries would count against Checkov)
            ck = measure(
                [
                    str(BIN / "checkov"),
                    "-d",
                    str(corpus),
                    "--framework",
                    framework,
                    "--quiet",
                    "--compact",
                    "--skip-download",
                    "-o",
                    "json",
                    "--output-file-path",
                    f"{tmp}/ck",
                ]
            )
            row["peer"] = {"name": "checkov -d", **{k: ck[k] for k in ("wall_s", "peak_mb", "exit")}}
            row["speedup"] = round(ck["wall_s"] / max(ours["wall_s"], 0.01), 1)
            row["memory_ratio"] = round(ours["peak_mb"] / max(ck["peak_mb"], 0.1), 2)
        return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dialect", choices=sorted(DIALECTS))
    ap.add_argument("--size", type=int, action="append", help="corpus size; repeat to see growth")
    ap.add_argument("--skip-checkov", action="store_true")
    a = ap.parse_args()
    for size in a.size or [{"terraform": 400, "cloudformation": 500, "kubernetes": 300}[a.dialect]]:
        print(json.dumps(run_one(a.dialect, size, a.skip_checkov)), flush=True)


if __name__ == "__main__":
    main()
