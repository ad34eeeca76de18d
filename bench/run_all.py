"""Every benchmark in one command, printed as one table: for each workload, mlposture and
the peer on the same input in the same run (Checkov for IaC, Prowler for live AWS, `jq`
for audit logs), wall time, peak memory and the ratio, plus how time grows with size.

    .venv/bin/python bench/run_all.py              # the reference sizes (about an hour here)
    .venv/bin/python bench/run_all.py --quick      # small sizes, a few minutes
    .venv/bin/python bench/run_all.py --only terraform,graph --json out.json

docs/performance.md holds the latest table and these exact commands.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
MLPOSTURE = str(Path(PY).parent / "mlposture")

# workload -> (reference sizes, quick sizes)
SIZES = {
    "terraform": ([100, 400], [10, 20]),
    "cloudformation": ([250, 500], [20, 40]),
    "kubernetes": ([150, 300], [15, 30]),
    "graph": ([10_000, 20_000], [1_000, 2_000]),
    "audit": ([250, 1_000], [10, 20]),  # files of 1,000 CloudTrail events
    "live-aws": ([5_000], [300]),
    "gpu": ([8], [8]),
    "startup": ([1], [1]),
}


def _json_lines(cmd: list[str], timeout: int) -> list[dict]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    rows = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    if proc.returncode != 0 and not rows:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-800:]}")
    return rows


def iac(dialect: str, sizes: list[int]) -> list[dict]:
    cmd = [PY, str(HERE / "iac_vs_checkov.py"), dialect]
    for s in sizes:
        cmd += ["--size", str(s)]
    return _json_lines(cmd, 3 * 3600)


def graph(sizes: list[int], seeds: tuple[int, ...] = (7, 8, 9)) -> list[dict]:
    """Each size on several generated accounts (one per seed, sizes interleaved), the median
    reported: one draw may hold a rare broad principal that another lacks."""
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    for seed in seeds:
        for n in sizes:
            cmd = [PY, str(HERE / "iam_graph.py"), "--principals", str(n), "--seed", str(seed), "--json"]
            runs[n].append(_json_lines(cmd, 3600)[-1])
    rows = []
    for n in sizes:
        r = sorted(runs[n], key=lambda x: x["total_s"])[len(seeds) // 2]  # the median run
        rows.append(
            {
                "workload": f"privilege graph ({n:,} principals, {5 * n:,} statements)",
                "size": n,
                "ours": {"wall_s": r["total_s"], "peak_mb": r["peak_rss_mib"]},
                "peer": None,
                "note": f"median of seeds {', '.join(map(str, seeds))} (this one: seed {r['seed']}, "
                f"{r.get('edges', '?')} edges, {r.get('findings', '?')} findings); PMapper does not run on "
                "current Python (reference section 8), so no peer",
            }
        )
    return rows


def audit(sizes: list[int]) -> list[dict]:
    small, files = sizes  # files of 1,000 events: both sizes in one run, to show flat memory
    out = _json_lines(
        [PY, str(HERE / "audit_logs.py"), "--dir", "/tmp/mlposture-ctbench", "--files", str(files),
         "--records", "1000", "--small", str(small)],
        3 * 3600,
    )  # fmt: skip
    rows = [r for r in out if "workload" in r]
    for r in rows:
        digits = re.sub(r"\D", "", r["workload"])
        if digits:
            r["size"] = int(digits)
    return rows


def live_aws(sizes: list[int]) -> list[dict]:
    rows = []
    for n in sizes:
        rows += [r for r in _json_lines([PY, str(HERE / "live_aws.py"), str(n)], 3 * 3600) if "workload" in r]
    return rows


def gpu(_sizes: list[int]) -> list[dict]:
    proc = subprocess.run(
        [PY, str(HERE / "gpu_monitor.py")], capture_output=True, text=True, timeout=600, check=True
    )
    m = re.search(r"median ([\d.]+) ms", proc.stdout)
    return [
        {
            "workload": "GPU monitor pass (8 GPUs, MIG, 256+ processes)",
            "ours": {"cpu_ms": float(m.group(1)) if m else None},
            "peer": None,
            "note": "CPU time per pass, median; target 50 ms; no tool does this check",
        }
    ]


def startup(_sizes: list[int]) -> list[dict]:
    times = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run([MLPOSTURE, "--version"], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return [
        {
            "workload": "mlposture --version",
            "ours": {"wall_s": round(statistics.median(times), 3)},
            "peer": None,
            "note": "median of 7; target 0.5 s",
        }
    ]


RUNNERS = {
    "terraform": lambda s: iac("terraform", s),
    "cloudformation": lambda s: iac("cloudformation", s),
    "kubernetes": lambda s: iac("kubernetes", s),
    "graph": graph,
    "audit": audit,
    "live-aws": live_aws,
    "gpu": gpu,
    "startup": startup,
}


def _cell(d: dict | None, key: str) -> str:
    if not d or d.get(key) is None:
        return ""
    v = d[key]
    return f"{v:,.2f}" if isinstance(v, float) else f"{v:,}"


def table(rows: list[dict]) -> str:
    out = [
        "| workload | mlposture wall s | mlposture peak MB | peer | peer wall s | peer peak MB | speed ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ours, peer = r.get("ours") or {}, r.get("peer") or {}
        wall = _cell(ours, "wall_s") or (f"{ours['cpu_ms']} ms CPU" if ours.get("cpu_ms") else "")
        ratio = r.get("speedup")
        if ratio is None and peer.get("wall_s") and ours.get("wall_s"):
            ratio = round(peer["wall_s"] / ours["wall_s"], 2)
        name = str(peer.get("name", "—")).replace("|", "\\|")  # a pipe would split the cell
        out.append(
            f"| {r['workload']} | {wall} | {_cell(ours, 'peak_mb')} | {name} | "
            f"{_cell(peer, 'wall_s')} | {_cell(peer, 'peak_mb')} | {f'{ratio}x' if ratio else ''} |"
        )
    return "\n".join(out)


def growth(rows: list[dict]) -> list[str]:
    """How time grows from one size to the next, per workload with two sizes."""
    lines = []
    by: dict[str, list[dict]] = {}
    for r in rows:
        if "size" in r and (r.get("ours") or {}).get("wall_s"):
            by.setdefault(r["workload"].split(" (")[0], []).append(r)
    for name, rs in by.items():
        rs.sort(key=lambda r: r["size"])
        for a, b in zip(rs, rs[1:], strict=False):
            t = b["ours"]["wall_s"] / max(a["ours"]["wall_s"], 1e-9)
            lines.append(f"- {name}: size x{b['size'] / a['size']:.1f} -> time x{t:.2f}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes (minutes, not an hour)")
    ap.add_argument("--only", help="comma-separated workloads: " + ",".join(RUNNERS))
    ap.add_argument("--json", type=Path, help="also write every row as JSON here")
    a = ap.parse_args()
    names = a.only.split(",") if a.only else list(RUNNERS)
    rows: list[dict] = []
    for name in names:
        sizes = SIZES[name][1 if a.quick else 0]
        print(f"running {name} {sizes} ...", file=sys.stderr, flush=True)
        try:
            rows += RUNNERS[name](sizes)
        except Exception as e:  # one broken workload must not hide the others' figures
            rows.append({"workload": name, "ours": None, "peer": None, "note": f"failed: {e}"[:300]})
    print(table(rows))
    for line in growth(rows):
        print(line)
    for r in rows:
        if r.get("note"):
            print(f"- {r['workload']}: {r['note']}")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
