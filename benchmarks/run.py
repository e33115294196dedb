"""qdcat benchmarks: print figures and the comparison each one makes.

Run with ``make bench`` (or ``python benchmarks/run.py``). Timings are wall-clock medians of
repeated runs (``time.perf_counter``) on this machine; copy the printed table into
docs/benchmarks.md when a hot path changes. Not part of the test suite.
"""

from __future__ import annotations

import platform
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import median_time


def bench_band_gap() -> list[tuple[str, float, str]]:
    from qdcat.optics import AbsorptionParams, band_gap_second_derivative, simulate_absorbance

    spectrum = simulate_absorbance(
        AbsorptionParams(exciton_eV=2.36, exciton_width_eV=0.09, exciton_amplitude=0.35),
        noise_absorbance=0.002,
        rng=1,
    )
    t = median_time(lambda: band_gap_second_derivative(spectrum), repeat=50)
    return [
        ("band gap, one 451-point spectrum (incl. 50-sample noise bootstrap)", t, "target <= 10 ms")
    ]


def bench_reader(tmp: Path) -> list[tuple[str, float, str]]:
    from qdcat.io import read_frame

    n = 200_000
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"time_ns": np.arange(n) * 0.01, "counts": rng.poisson(1000, n)})
    path = tmp / "decay.csv"
    path.write_text("# a comment\n" + data.to_csv(index=False))
    t_ours = median_time(lambda: read_frame(path), repeat=5)
    t_pandas = median_time(lambda: pd.read_csv(path, comment="#"), repeat=5)
    return [
        (
            f"read_frame, {n:,} rows x 2 columns CSV",
            t_ours,
            f"{t_ours / t_pandas:.1f}x plain pandas.read_csv ({t_pandas * 1e3:.0f} ms)",
        ),
    ]


def bench_yields() -> list[tuple[str, float, str]]:
    from qdcat.catalysis import analyse_yields, simulate_yields

    frame = simulate_yields(np.arange(0, 121, 24.0), {"CO": 12.2, "H2": 1.0, "CH4": 0.06}, rng=1)
    t = median_time(lambda: analyse_yields(frame, catalyst_mass_mg=0.191), repeat=50)
    return [("product yields, 3 products x 2 runs x 6 times", t, "")]


def bench_pipeline(tmp: Path) -> list[tuple[str, float, str]]:
    from qdcat.examples import example_project
    from qdcat.pipeline import run_project

    rows = []
    for executor in ("serial", "processes"):
        out = tmp / f"demo-{executor}"
        t = median_time(
            lambda out=out, executor=executor: run_project(
                example_project(), out, executor=executor, progress=False
            ),
            repeat=3,
            warmup=1,
        )
        rows.append((f"demo project end to end ({executor}), 8 tasks + report", t, "target < 60 s"))
    return rows


def main() -> int:
    print(f"qdcat benchmarks · Python {sys.version.split()[0]} · {platform.platform()}")
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows += bench_band_gap()
        rows += bench_yields()
        rows += bench_reader(tmp)
        rows += bench_pipeline(tmp)
    width = max(len(r[0]) for r in rows)
    print(f"| {'benchmark':{width}s} | median | comparison |")
    print(f"|{'-' * (width + 2)}|--------|------------|")
    for name, t, note in rows:
        shown = f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"
        print(f"| {name:{width}s} | {shown} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
