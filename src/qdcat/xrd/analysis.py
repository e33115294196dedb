"""Powder-pattern analysis: peaks -> (112) spacing, Scherrer size, Vegard Zn fraction.

:func:`analyse_pattern` fits a measured (or simulated) pattern and reads the chalcopyrite
(112) peak; :func:`simulate_dot_xrd` computes the Debye pattern of a dot and analyses it in
the same way, so that a model dot and a measurement are reduced to the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result
from qdcat.xrd.bragg import d_from_two_theta_A
from qdcat.xrd.form_factors import CU_KA1_A
from qdcat.xrd.peaks import fit_peaks
from qdcat.xrd.size import SCHERRER_K, scherrer_size_nm, zn_fraction_from_d112

__all__ = ["D112_WINDOW_A", "analyse_pattern", "label_peaks", "simulate_dot_xrd"]

#: The (112) peak of Zn-alloyed CuInS2 is the strongest fitted peak with d in this window,
#: Angstrom (ZnS (111) 3.123 A ... CuInS2 (112) 3.193 A, with room for broadening and strain).
D112_WINDOW_A: tuple[float, float] = (3.0, 3.35)

#: Pseudo-cubic lines of chalcopyrite: N = (h^2 + k^2 + l^2) of the sphalerite sub-cell,
#: i.e. 1/d^2 = N/a_c^2 -> label (doublets of the tetragonal cell merge in small dots).
_PSEUDO_CUBIC = {
    3: "(112)",
    4: "(004)/(200)",
    8: "(204)/(220)",
    11: "(116)/(312)",
    12: "(224)",
    16: "(008)/(400)",
    19: "(316)/(332)",
}


def label_peaks(d_A: Sequence[float], d112_A: float | None) -> list[str]:
    """Chalcopyrite labels of peaks by their spacing relative to (112) (pseudo-cubic N).

    ``N = 3 (d112/d)^2`` is rounded to the nearest line of the sphalerite sub-cell (3, 4, 8,
    11, 12, 16, 19) when within 0.3; other peaks get ``''``.
    """
    out = []
    for d in d_A:
        if d112_A is None or not math.isfinite(d):
            out.append("")
            continue
        n = 3.0 * (d112_A / d) ** 2
        best = min(_PSEUDO_CUBIC, key=lambda k: abs(k - n))
        out.append(_PSEUDO_CUBIC[best] if abs(best - n) <= 0.3 else "")
    return out


def analyse_pattern(
    pattern: xr.DataArray,
    *,
    wavelength_A: float = CU_KA1_A,
    fit_range_deg: tuple[float, float] | None = None,
    centres_deg: Sequence[float] | None = None,
    background_order: int = 2,
    max_peaks: int = 6,
    prominence: float = 0.02,
    shoulders: bool = False,
    scherrer_K: float = SCHERRER_K,
    instrument_fwhm_deg: float | None = None,
    broadening: str = "gaussian",
    d112_window_A: tuple[float, float] = D112_WINDOW_A,
) -> Result:
    """Fit the peaks of a powder pattern and derive d112, Scherrer size and Vegard Zn fraction.

    Parameters
    ----------
    pattern:
        Intensity over ``two_theta_deg`` (:func:`qdcat.xrd.io.load_pattern` or
        :func:`qdcat.xrd.debye.debye_pattern`).
    wavelength_A:
        X-ray wavelength, Angstrom (Cu K-alpha1 by default).
    fit_range_deg, centres_deg, background_order, max_peaks, prominence, shoulders:
        Passed to :func:`qdcat.xrd.peaks.fit_peaks`.
    scherrer_K, instrument_fwhm_deg, broadening:
        Passed to :func:`qdcat.xrd.size.scherrer_size_nm` (for the (112) peak).
    d112_window_A:
        Spacing window in which the strongest peak is taken as (112).

    Returns
    -------
    Result
        ``analysis = "xrd"``. Quantities: ``two_theta_deg``, ``fwhm_deg``, ``d_nm``, ``area``,
        ``eta`` (arrays over the fitted peaks, by position); ``two_theta_112_deg``,
        ``fwhm_112_deg``, ``d112_nm``, ``scherrer_size_nm``, ``zn_fraction_vegard``,
        ``a_vegard_A``, ``c_vegard_A`` (when a (112) peak is found). Metadata: peak labels,
        wavelength, Scherrer constant, the Vegard assumption.
    """
    if "two_theta_deg" not in pattern.dims:
        raise InputError(
            "pattern has no two-theta axis",
            field="pattern",
            expected="a DataArray over 'two_theta_deg'",
            found=list(pattern.dims),
        )
    x = np.asarray(pattern["two_theta_deg"].values, dtype=float)
    y = np.asarray(pattern.values, dtype=float)
    source = str(pattern.attrs.get("source_file", ""))
    peaks = fit_peaks(
        x,
        y,
        centres_deg=centres_deg,
        fit_range_deg=fit_range_deg,
        background_order=background_order,
        max_peaks=max_peaks,
        prominence=prominence,
        shoulders=shoulders,
        source=source,
    )
    q = peaks.quantities
    tt = np.asarray(q["two_theta_deg"].value, dtype=float)
    tt_err = q["two_theta_deg"].stderr
    fw = np.asarray(q["fwhm_deg"].value, dtype=float)
    fw_err = q["fwhm_deg"].stderr
    d_A = d_from_two_theta_A(tt, wavelength_A)
    d_err = None
    if tt_err is not None:
        # d = lambda / (2 sin theta): |dd/d(2theta)| = d cot(theta) / 2 per radian of 2-theta
        d_err = d_A / np.tan(np.radians(tt / 2)) / 2 * np.radians(np.asarray(tt_err))
    warnings = list(peaks.warnings)
    quantities: dict[str, Quantity] = {
        "two_theta_deg": q["two_theta_deg"],
        "fwhm_deg": q["fwhm_deg"],
        "d_nm": Quantity(d_A / 10.0, None if d_err is None else d_err / 10.0, "nm", "spacings"),
        "area": q["area"],
        "eta": q["eta"],
    }
    lo, hi = d112_window_A
    in_window = np.flatnonzero((d_A >= lo) & (d_A <= hi))
    heights = np.asarray(q["height"].value, dtype=float)
    metadata: dict[str, Any] = {
        "method": "pseudo-Voigt fit; Scherrer size and Vegard composition from the (112) peak",
        "wavelength_A": float(wavelength_A),
        "scherrer_K": float(scherrer_K),
        "instrument_fwhm_deg": instrument_fwhm_deg,
        "vegard_assumption": (
            "a and c linear in the Zn cation fraction between CuInS2 (5.52, 11.1 A) and ZnS "
            "(5.41, 10.82 A); c/a follows the same line"
        ),
        "source_file": source,
    }
    d112 = None
    if in_window.size == 0:
        warnings.append(
            f"no peak with d between {lo} and {hi} A: no (112) peak, so no size or composition"
        )
    else:
        i = int(in_window[np.argmax(heights[in_window])])
        d112 = float(d_A[i])
        e_tt = None if tt_err is None else float(tt_err[i])
        e_fw = None if fw_err is None else float(fw_err[i])
        size, size_err = scherrer_size_nm(
            float(fw[i]),
            float(tt[i]),
            wavelength_A=wavelength_A,
            K=scherrer_K,
            instrument_fwhm_deg=instrument_fwhm_deg,
            broadening=broadening,
            fwhm_stderr_deg=e_fw,
            two_theta_stderr_deg=e_tt,
        )
        if e_fw is None:
            size_err = None
        vegard = zn_fraction_from_d112(d112, None if d_err is None else float(d_err[i]))
        quantities.update(
            {
                "two_theta_112_deg": Quantity(float(tt[i]), e_tt, "deg", "(112) peak position"),
                "fwhm_112_deg": Quantity(float(fw[i]), e_fw, "deg", "(112) peak FWHM"),
                "d112_nm": Quantity(
                    d112 / 10.0,
                    None if d_err is None else float(d_err[i]) / 10.0,
                    "nm",
                    "(112) spacing",
                ),
                "scherrer_size_nm": Quantity(
                    size, size_err, "nm", f"Scherrer size from (112), K = {scherrer_K:g}"
                ),
                "zn_fraction_vegard": Quantity(
                    vegard.zn_fraction,
                    vegard.stderr,
                    "",
                    "Zn/(Zn+Cu+In) from d112 by Vegard's law",
                ),
                "a_vegard_A": Quantity(vegard.a_A, None, "A", "Vegard-line a reproducing d112"),
                "c_vegard_A": Quantity(vegard.c_A, None, "A", "Vegard-line c reproducing d112"),
            }
        )
        if vegard.extrapolated:
            side = "larger than CuInS2's" if vegard.zn_fraction < 0 else "smaller than ZnS's"
            warnings.append(
                f"d112 = {d112:.4f} A is {side}: the Vegard Zn fraction "
                f"{vegard.zn_fraction:.3f} lies outside 0..1 (extrapolated)"
            )
    metadata["peak_labels"] = label_peaks(d_A.tolist(), d112)
    return Result(
        analysis="xrd",
        quantities=quantities,
        fit=peaks.fit,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=dict(peaks.curves),
    )


def simulate_dot_xrd(
    atoms: Any,
    *,
    two_theta_deg: Sequence[float] | None = None,
    wavelength_A: float = CU_KA1_A,
    ka2_ratio: float = 0.0,
    b_iso_A2: float = 0.0,
    fit_range_deg: tuple[float, float] | None = (20.0, 70.0),
    scherrer_K: float = SCHERRER_K,
    n_threads: int | None = None,
) -> Result:
    """Debye powder pattern of a dot, analysed like a measurement (:func:`analyse_pattern`).

    Returns the analysis :class:`Result` (``analysis = "xrd_simulation"``) with the simulated
    pattern in ``curves['simulated_two_theta_deg']``/``curves['simulated_intensity']`` and the
    number of atoms in the metadata. The default fit window (20-70 deg) leaves out the
    small-angle scattering of the whole dot.
    """
    from qdcat.xrd.debye import debye_pattern

    pattern = debye_pattern(
        atoms,
        two_theta_deg,
        wavelength_A=wavelength_A,
        ka2_ratio=ka2_ratio,
        b_iso_A2=b_iso_A2,
        n_threads=n_threads,
    )
    result = analyse_pattern(
        pattern, wavelength_A=wavelength_A, fit_range_deg=fit_range_deg, scherrer_K=scherrer_K
    )
    curves = dict(result.curves)
    curves["simulated_two_theta_deg"] = pattern["two_theta_deg"].values
    curves["simulated_intensity"] = pattern.values
    metadata = dict(result.metadata)
    metadata.update(
        {
            "n_atoms": int(pattern.attrs["n_atoms"]),
            "composition": pattern.attrs["composition"],
            "b_iso_A2": float(b_iso_A2),
            "ka2_ratio": float(ka2_ratio),
            "method": "Debye scattering equation (pair-distance histograms), then "
            + str(result.metadata["method"]),
        }
    )
    return Result(
        analysis="xrd_simulation",
        quantities=result.quantities,
        fit=result.fit,
        warnings=result.warnings,
        metadata=metadata,
        curves=curves,
    )
