"""Validate qdcat's band gaps on measured UV-vis spectra of growing ZnO quantum dots.

Data: ``../shared/validation/uvvis/UVVisDataZnO.csv.gz`` beside the repository (141 spectra,
0-140 min, from solarchemist/uvvistauc, GPL-3.0; Ahmed & Edvinsson, J. Phys. Chem. C 124,
6395 (2020), doi:10.1021/acs.jpcc.9b11229). The file is GPL-licensed, so it is not part of the
project or its tests: this script reads it only where it exists and says so when it does not.

The dots grow, so their band gap must fall (about 3.8 -> 3.5 eV). For each spectrum the
script prints the band gap by the second-derivative minimum and by Tauc extrapolation (direct,
ZnO), and for each method whether the series falls monotonically: the number of rises between
consecutive spectra larger than twice their combined standard error, and Spearman's rank
correlation with time.

The spectra saturate (absorbance ~2.3-2.5 above the edge: the detector's limit) and show no
excitonic peak below the saturation; the script reports the absorbance at each
second-derivative band gap, which shows what that curvature minimum is here. With
``--max-absorbance A`` the analysis is restricted to energies below the point where the
smoothed absorbance first reaches ``A`` (default: the whole spectrum). Usage::

    python scripts/validate_uvvis.py [--data PATH] [--max-absorbance A] [--every N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared/validation/uvvis/UVVisDataZnO.csv.gz"


def load(path: Path):
    """The series as (times in min, list of absorbance DataArrays over wavelength_nm)."""
    import pandas as pd
    import xarray as xr

    frame = pd.read_csv(path)
    times, spectra = [], []
    for _, g in frame.groupby("sampleid", sort=False):
        g = g.sort_values("wavelength")
        spectra.append(
            xr.DataArray(
                g["intensity"].to_numpy(float),
                dims="wavelength_nm",
                coords={"wavelength_nm": g["wavelength"].to_numpy(float)},
                name="absorbance",
            )
        )
        times.append(float(g["time"].iloc[0]))
    return np.asarray(times), spectra


def unsaturated_range(spectrum, max_absorbance: float | None) -> tuple[float, float] | None:
    """Photon-energy range (eV) from the low end to where the smoothed absorbance first
    reaches ``max_absorbance``."""
    from scipy.signal import savgol_filter

    from qdcat.core.constants import HC_eV_nm

    if max_absorbance is None:
        return None
    E = HC_eV_nm / spectrum["wavelength_nm"].values
    order = np.argsort(E)
    E, A = E[order], spectrum.values[order]
    smooth = savgol_filter(A, 15, 2)
    over = np.flatnonzero(smooth >= max_absorbance)
    top = float(E[over[0] - 1]) if over.size and over[0] > 0 else float(E[-1])
    return float(E[0]), top


def analyse(times, spectra, max_absorbance: float | None) -> dict:
    from qdcat.core.errors import QdcatError
    from qdcat.optics import band_gap_second_derivative, band_gap_tauc

    out = {k: np.full((len(spectra), 2), np.nan) for k in ("second-derivative", "tauc-direct")}
    a_at_gap = np.full(len(spectra), np.nan)
    notes: dict[str, list[str]] = {k: [] for k in out}
    for i, s in enumerate(spectra):
        rng = unsaturated_range(s, max_absorbance)
        methods = {
            "second-derivative": band_gap_second_derivative,
            "tauc-direct": band_gap_tauc,
        }
        for key, method in methods.items():
            try:
                r = method(s, energy_range_eV=rng)
                q = r.quantities["band_gap_eV"]
                out[key][i] = (float(q.value), float(q.stderr))
                if key == "second-derivative":
                    E, A = r.curves["energy_eV"], r.curves["smoothed"]
                    a_at_gap[i] = float(np.interp(float(q.value), E, A))
                if r.warnings:
                    notes[key].append(f"t={times[i]:g}: {r.warnings[0]}")
            except QdcatError as exc:
                notes[key].append(f"t={times[i]:g}: {exc}")
    return {"values": out, "notes": notes, "absorbance_at_gap": a_at_gap}


def monotonic_report(times, values: np.ndarray) -> str:
    from scipy.stats import spearmanr

    ok = np.isfinite(values[:, 0])
    t, g, e = times[ok], values[ok, 0], values[ok, 1]
    steps = np.diff(g)
    combined = np.hypot(e[1:], e[:-1])
    rises = np.flatnonzero(steps > 2.0 * combined)
    rho = spearmanr(t, g).statistic if g.size > 2 else float("nan")
    verdict = "falls monotonically" if rises.size == 0 else "does NOT fall monotonically"
    lines = [
        f"  {ok.sum()} of {len(times)} spectra analysed; {g[0]:.3f} eV at {t[0]:g} min -> "
        f"{g[-1]:.3f} eV at {t[-1]:g} min",
        f"  rises larger than 2 combined standard errors: {rises.size} "
        f"(all rises: {int(np.sum(steps > 0))} of {steps.size} steps); Spearman rho(time, Eg) = "
        f"{rho:.3f} -> {verdict} within the errors",
    ]
    for k in rises[:10]:
        lines.append(
            f"    rise {t[k]:g} -> {t[k + 1]:g} min: {g[k]:.4f} -> {g[k + 1]:.4f} eV "
            f"(+{1000 * steps[k]:.1f} meV, 2 sigma {2000 * combined[k]:.1f} meV)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--max-absorbance", type=float, default=None)
    parser.add_argument("--every", type=int, default=10, help="print every n-th spectrum")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(
            f"validation data not found: {args.data}\n"
            "(it lives in ../shared/validation/uvvis beside a qdcat checkout of the project's "
            "workspace; a user's clone has no shared/ folder, so there is nothing to validate)"
        )
        return 0
    t0 = time.perf_counter()
    times, spectra = load(args.data)
    result = analyse(times, spectra, args.max_absorbance)
    seconds = time.perf_counter() - t0
    values = result["values"]
    used = "all" if args.max_absorbance is None else f"up to {args.max_absorbance:g}"
    print(
        f"{len(spectra)} ZnO spectra from {args.data.name}; absorbance used: {used}; "
        f"{seconds:.1f} s"
    )
    print(f"{'time (min)':>10s}  {'second-derivative (eV)':>24s}  {'Tauc direct (eV)':>20s}")
    for i in range(0, len(times), max(1, args.every)):
        cells = []
        for key in ("second-derivative", "tauc-direct"):
            v, e = values[key][i]
            cells.append(f"{v:.4f} ± {e:.4f}" if math.isfinite(v) else "failed")
        print(f"{times[i]:10g}  {cells[0]:>24s}  {cells[1]:>20s}")
    for key in ("second-derivative", "tauc-direct"):
        print(f"\n{key}:")
        print(monotonic_report(times, values[key]))
        notes = result["notes"][key]
        if notes:
            print(f"  {len(notes)} spectra with warnings or errors, e.g. {notes[0]}")
        if key == "second-derivative":
            a = result["absorbance_at_gap"]
            # the saturation plateau: median absorbance over the top 0.3 eV of each spectrum
            plateau = np.median(
                [np.median(s.values[s["wavelength_nm"].values < 1239.84 / 4.2]) for s in spectra]
            )
            print(
                f"  absorbance at the curvature minimum: median {np.nanmedian(a):.2f} "
                f"(range {np.nanmin(a):.2f}-{np.nanmax(a):.2f}) against a saturation plateau of "
                f"{plateau:.2f} above 4.2 eV: the minimum is where the edge bends into the "
                "detector's saturation (no excitonic peak is resolved below it), so it does not "
                "track the gap once the edge broadens"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
