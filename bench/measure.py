"""Run a command and report its wall time and peak resident memory (of the process tree's
largest member, from wait4's rusage), so two tools can be compared in one run."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def measure(cmd: list[str], cwd: str | None = None) -> dict:
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")[-2000:] if p.stderr else ""
    return {
        "cmd": " ".join(cmd),
        "wall_s": round(wall, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        "exit": os.waitstatus_to_exitcode(status),
        "stderr_tail": err,
    }


if __name__ == "__main__":
    print(measure(sys.argv[1:]))
