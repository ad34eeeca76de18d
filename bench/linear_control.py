"""Control for the "doubling at most doubles" targets: how CPython's wall time grows on this
machine for work that is exactly proportional to N.

    .venv/bin/python bench/linear_control.py              # 10,000, 20,000 and 40,000 items

Per item the loop does what the privilege graph does per principal, in miniature: look the
item up in a dict that grows with N, read a few nested lists, allocate a small result and
store it in a dict that grows with N. The number of steps is 20 x N, in item order and in
random order, each size in a fresh process. Any growth above x2.00 per doubling is the
memory hierarchy (a heap from tens to hundreds of MB against a 32 MB cache), not the
algorithm: the same effect is in every pure-Python benchmark of this size, ours included.
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import time

STEPS_PER_ITEM = 20


def run(n: int, shuffled: bool) -> float:
    gc.freeze()
    gc.set_threshold(200_000, 50, 1000)  # as every scan command does (scanner.cli._tune_gc)
    rnd = random.Random(1)
    items = [
        {
            "id": f"item-{i}",
            "tags": [f"t{j}" for j in range(20)],
            "doc": {"s": [{"a": [str(k)] * 3} for k in range(10)]},
        }
        for i in range(n)
    ]
    index = {it["id"]: it for it in items}
    steps = n * STEPS_PER_ITEM
    order = [f"item-{rnd.randrange(n) if shuffled else i % n}" for i in range(steps)]
    t = time.perf_counter()
    out = {}
    for i, key in enumerate(order):
        it = index[key]
        out[(key, i % 7)] = {"k": key, "n": len(it["tags"]), "x": [s["a"][0] for s in it["doc"]["s"][:3]]}
    return time.perf_counter() - t


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(run(int(sys.argv[2]), sys.argv[3] == "random")))
        return
    sizes = [10_000, 20_000, 40_000]
    for mode in ("in order", "random"):
        times = []
        for n in sizes:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(n), "random" if mode == "random" else "order"],
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(json.loads(proc.stdout))
        ratios = ", ".join(f"x{b / a:.2f}" for a, b in zip(times, times[1:], strict=False))
        cells = ", ".join(f"{n:,}: {t:.2f} s" for n, t in zip(sizes, times, strict=True))
        print(f"{mode:>8}: {cells}; per doubling {ratios}")


if __name__ == "__main__":
    main()
