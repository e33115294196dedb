"""Timings of the photocatalysis performance chain (run file -> figures of merit).

Run with ``python benchmarks/catalysis_performance.py``. Wall-clock medians of repeated runs
(``time.perf_counter``) on this machine; nothing here is a hot path (a run file has tens of
points), the figures show that the chain stays interactive. Not part of the test suite.
"""

from __future__ import annotations

import math
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np
from _timing import median_time


def main() -> None:
    from qdcat.catalysis.performance import analyse_run, performance_json, plot_performance
    from qdcat.catalysis.run import load_run
    from qdcat.catalysis.stability import fit_deactivation, simulate_cycles

    runs = Path(str(resources.files("qdcat.examples"))) / "runs"
    rows = []
    for name in ("paper_2_12_120h.toml", "paper_2_12_checked.toml", "gc_2_12_120h.toml"):
        f = runs / name
        rows.append((f"load_run {name}", median_time(lambda f=f: load_run(f))))
        run = load_run(f)
        rows.append((f"analyse_run {name}", median_time(lambda run=run: analyse_run(run))))
    result = analyse_run(load_run(runs / "paper_2_12_120h.toml"))
    rows.append(("performance_json", median_time(lambda: performance_json(result))))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "p.png"
        rows.append(
            (
                "plot_performance + savefig png",
                median_time(lambda: plot_performance(result).savefig(out, dpi=150), repeat=3),
            )
        )
    k = -math.log(0.7) / 240
    for n_cycles, per_cycle in ((3, 5), (10, 24)):
        frame = simulate_cycles(
            n_cycles, 120.0, np.linspace(5.0, 120.0, per_cycle), 0.1, k, n_runs=2, rng=1
        )
        rows.append(
            (
                f"fit_deactivation {n_cycles} cycles x {per_cycle} points x 2 runs",
                median_time(lambda frame=frame: fit_deactivation(frame)),
            )
        )
    width = max(len(r[0]) for r in rows)
    for label, seconds in rows:
        print(f"{label:{width}s}  {seconds * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
