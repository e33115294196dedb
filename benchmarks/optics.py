"""Optics benchmark: one band gap (target <= 10 ms), the other optics analyses, and a batch of
1,000 spectra on the executor (serial and local processes).

Run with ``python benchmarks/optics.py`` (``--help`` for the sizes). Prints wall-clock medians
(``time.perf_counter``) on this machine; not part of the test suite. The spectra are 451-point
UV-vis spectra (350-800 nm, 1 nm) of the ZCIS forward model with 0.002 absorbance noise and
501-point PL spectra (450-950 nm) with Poisson counts.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable

import numpy as np
from _timing import median_time as _median_time


def median_time(fn: Callable[[], object], repeat: int = 30, warmup: int = 2) -> float:
    return _median_time(fn, repeat=repeat, warmup=warmup)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spectra", type=int, default=1000, help="spectra in the batch")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    import xarray as xr

    from qdcat.core.executors import make_executor
    from qdcat.optics import (
        AbsorptionParams,
        band_gap_batch,
        band_gap_second_derivative,
        band_gap_tauc,
        decompose_edge,
        pl_peak,
        simulate_absorbance,
        simulate_pl,
        stokes_shift,
        true_band_gap_eV,
    )

    print(f"qdcat optics benchmark · Python {sys.version.split()[0]} · {platform.platform()}")
    p = AbsorptionParams(
        2.36, 0.09, 0.35, abs2_offset_eV=0.18, abs2_width_eV=0.14, abs2_amplitude=0.03,
        continuum_amplitude=0.6, scatter=0.02,
    )  # fmt: skip
    spectrum = simulate_absorbance(p, rng=1)
    emission = simulate_pl(1.907, 0.32, rng=1)
    rows = [
        ("band gap, second derivative (incl. 50-sample bootstrap)", "target <= 10 ms",
         lambda: band_gap_second_derivative(spectrum)),
        ("band gap, Tauc direct", "", lambda: band_gap_tauc(spectrum)),
        ("Abs1/Abs2 edge decomposition (9-parameter fit)", "", lambda: decompose_edge(spectrum)),
        ("PL peak (Gaussian in energy, Jacobian)", "", lambda: pl_peak(emission)),
        ("Stokes shift (PL peak + decomposition)", "",
         lambda: stokes_shift(emission, spectrum)),
    ]  # fmt: skip
    for label, note, fn in rows:
        t = median_time(fn, repeat=args.repeat)
        print(f"{label:58s} {t * 1e3:8.2f} ms  {note}")

    n = args.spectra
    rng = np.random.default_rng(7)
    excitons = rng.uniform(2.1, 2.5, n)
    params = [AbsorptionParams(float(e), 0.09, 0.35, continuum_amplitude=0.6) for e in excitons]
    batch = xr.concat(
        [simulate_absorbance(q, rng=int(i)) for i, q in enumerate(params)], dim="sample"
    )
    truth = np.array([true_band_gap_eV(q) for q in params])
    t0 = time.perf_counter()
    serial = band_gap_batch(batch, chunk_size=args.chunk_size)
    t_serial = time.perf_counter() - t0
    with make_executor("processes", max_workers=args.workers) as pool:
        # start the workers and import qdcat.optics in each before timing, as a long-lived
        # pool would have
        band_gap_batch(batch.isel(sample=slice(0, args.workers)), executor=pool, chunk_size=1)
        t0 = time.perf_counter()
        parallel = band_gap_batch(batch, executor=pool, chunk_size=args.chunk_size)
        t_par = time.perf_counter() - t0
    same = np.array_equal(serial.band_gap_eV.values, parallel.band_gap_eV.values, equal_nan=True)
    err = serial.band_gap_eV.values - truth
    z = err / serial.band_gap_stderr_eV.values
    print(
        f"batch of {n:,} spectra, serial: {t_serial:.2f} s ({t_serial / n * 1e3:.2f} ms each); "
        f"{args.workers} processes: {t_par:.2f} s ({t_par / n * 1e3:.2f} ms each, "
        f"x{t_serial / t_par:.2f}); identical results: {same}; failed: "
        f"{serial.attrs['n_failed']}"
    )
    print(
        f"  error vs the model's second-derivative truth: RMS "
        f"{1e3 * np.sqrt(np.nanmean(err**2)):.2f} meV; |error| <= 2 stderr in "
        f"{100 * np.nanmean(np.abs(z) <= 2):.1f} % of spectra"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
