"""Terraform at scale: mlposture against `checkov -d` on the same generated corpus, in one
run, as a ratio.

    .venv/bin/python bench/terraform_vs_checkov.py --stacks 400      # reference: ~2,000 files
    .venv/bin/python bench/terraform_vs_checkov.py --stacks 40 --skip-checkov
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stacks", type=int, default=400)
    ap.add_argument("--skip-checkov", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).parent / "gen_terraform.py"),
                str(corpus),
                "--stacks",
                str(a.stacks),
            ],
            check=True,
        )
        files = sum(1 for _ in corpus.rglob("*.tf"))
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
        report = json.loads(Path(f"{tmp}/ours.json").read_text())
        rows = {
            "files": files,
            "resources": report["summary"]["resources"],
            "mlposture": {k: ours[k] for k in ("wall_s", "peak_mb", "exit")},
        }
        if not a.skip_checkov:
            # --skip-download: no platform calls (this machine has no network; retries would
            # otherwise be counted against Checkov)
            ck = measure(
                [
                    str(BIN / "checkov"),
                    "-d",
                    str(corpus),
                    "--framework",
                    "terraform",
                    "--quiet",
                    "--compact",
                    "--skip-download",
                    "-o",
                    "json",
                    "--output-file-path",
                    f"{tmp}/ck",
                ]
            )
            rows["checkov"] = {k: ck[k] for k in ("wall_s", "peak_mb", "exit")}
            rows["speedup"] = round(ck["wall_s"] / max(ours["wall_s"], 0.01), 1)
            rows["memory_ratio"] = round(ours["peak_mb"] / max(ck["peak_mb"], 0.1), 2)
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
