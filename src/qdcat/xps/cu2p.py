"""Cu 2p: Cu(I)/Cu(II) model, Cu(II) fraction by the Biesinger method, forward simulation.

Model
-----
Two spin-orbit doublets and the Cu(II) shake-up satellites, GL(30) line shapes by default:

* Cu+  2p3/2 at 931.4 eV and 2p1/2 at 951.2 eV (seed paper, Fig. 3a);
* Cu2+ 2p3/2 at 932.5 eV and 2p1/2 at 952.3 eV (seed paper), its 2p3/2 kept above the Cu+ line
  by a fitted shift (0.4-3 eV);
* spin-orbit splitting 19.8 eV (fixed by default, or fitted within 19.6-20.1 eV) and 2p1/2 area
  = 0.5 x 2p3/2 area (the 2:1 branching of a p level), widths tied within a doublet;
* Cu(II) shake-up satellites: two 2p3/2 satellites in 938.5-947.5 eV (the paper's 945.7 eV
  feature lies in this band) and one 2p1/2 satellite in 958.5-965 eV.

The seed paper is Cai et al., ACS Catal. 2023 (doi:10.1021/acscatal.3c03884).

Cu(II) fraction (Biesinger)
---------------------------
Biesinger, Surf. Interface Anal. 2017, 49, 1325 (doi:10.1002/sia.6239), after Biesinger et al.,
Appl. Surf. Sci. 2010, 257, 887 (doi:10.1016/j.apsusc.2010.07.086). A pure Cu(II) compound
emits a 2p3/2 main line of area ``A_s`` and a shake-up satellite of area ``B_s``; Cu(I) and
Cu(0) emit no satellite. In a mixture with 2p3/2 main-line area ``A`` (Cu(I) and Cu(II) main
lines together) and satellite area ``B`` (all of it Cu(II)), the Cu(II) main line is
``B A_s/B_s`` and::

    Cu(II) fraction = B (1 + A_s/B_s) / (A + B) = B (1 + 1/r) / (A + B),   r = B_s/A_s

with ``r`` the satellite-to-main ratio of the pure Cu(II) reference (default 0.55 for CuO;
give your own reference's ratio, measured with the same background, as
``satellite_main_ratio``). The formula needs only the total main-line and satellite areas, not
the split of the overlapping Cu+ and Cu2+ main lines, which is what makes it robust. It uses the
2p3/2 region (Biesinger); ``use_2p12=True`` adds the 2p1/2 main line and satellite to ``A`` and
``B``. The separately reported ``cu2_component_fraction`` is the fitted Cu2+ share of the
deconvolution ((Cu2+ main + satellites) / all), which depends on separating lines 1.1 eV apart.

Satellite fraction (as the paper quotes it)
-------------------------------------------
``satellite_fraction`` = area of all satellites / area of all Cu 2p components (the paper: "the
Cu 2p3/2 satellite ... reaches a maximum proportion of 20 % in 2/12ZCIS"). With the same
satellite ratio in both spin-orbit components it equals ``B/(A+B)``, hence Cu(II) fraction =
``satellite_fraction (1 + 1/r)``: 20 % satellites are a Cu(II) fraction of 0.56 for r = 0.55.

Standard errors
---------------
From the covariance of the fitted areas (delta method); for a background computed before the fit
the uncertainty of its two end levels is added: the fit is repeated with each level moved by its
standard error and the changes are added in quadrature. ``n_bootstrap > 0`` gives a residual
bootstrap instead (refits on fit + resampled residuals).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import InputError
from qdcat.core.results import FitQuality, Quantity, Result
from qdcat.xps import backgrounds as bgmod
from qdcat.xps.peakfit import Peak, PeakFit, PeakModel, doublet, fit_peaks, peak_summaries
from qdcat.xps.spectrum import XpsSpectrum, make_spectrum

__all__ = [
    "CU1_2P32_EV",
    "CU2_2P32_EV",
    "CUO_SATELLITE_MAIN_RATIO",
    "SPIN_ORBIT_SPLITTING_EV",
    "Cu2pTruth",
    "biesinger_cu2_fraction",
    "cu2p_model",
    "fit_cu2p",
    "fit_cu2p_batch",
    "simulate_cu2p",
]

Array = NDArray[np.float64]

#: Seed paper positions (Fig. 3a), eV.
CU1_2P32_EV = 931.4
CU1_2P12_EV = 951.2
CU2_2P32_EV = 932.5
CU2_2P12_EV = 952.3
#: Cu 2p spin-orbit splitting, eV (951.2 - 931.4 = 952.3 - 932.5 = 19.8 in the seed paper).
SPIN_ORBIT_SPLITTING_EV = 19.8
#: Satellite-to-main (2p3/2) area ratio of a pure Cu(II) reference (CuO), Biesinger 2017.
CUO_SATELLITE_MAIN_RATIO = 0.55

#: The 2p3/2 main lines and satellites must lie inside the window (eV).
REQUIRED_2P32_RANGE_EV = (929.0, 946.0)
#: The 2p1/2 part is fitted when the window covers this range (eV).
FULL_2P_RANGE_EV = (949.0, 964.5)
#: Default fit window (eV).
DEFAULT_WINDOW_EV = (925.0, 968.0)
#: End of a 2p3/2-only window (eV): the valley before the 2p1/2 lines.
END_2P32_ONLY_EV = 948.5

_GROUP_MAIN = ("cu1", "cu2")
_GROUP_SAT = "satellite"


def cu2p_model(
    *,
    include_2p12: bool = True,
    fit_splitting: bool = False,
    shape: str = "gl",
    shape_params: Mapping[str, float] | None = None,
) -> PeakModel:
    """The Cu 2p peak model (see the module notes)."""
    sp = dict(shape_params) if shape_params is not None else {"p": 30.0}
    split_name = "so_splitting" if fit_splitting else None
    extra: dict[str, tuple[float, float, float]] = {"cu2_shift": (1.1, 0.4, 3.0)}
    if fit_splitting:
        extra["so_splitting"] = (SPIN_ORBIT_SPLITTING_EV, 19.6, 20.1)
    cu1 = doublet(
        "cu1",
        CU1_2P32_EV,
        SPIN_ORBIT_SPLITTING_EV,
        1.3,
        shape=shape,
        shape_params=sp,
        center_range_eV=(930.0, 933.0),
        fwhm_range_eV=(0.7, 2.4),
        group="cu1",
        splitting_param=split_name,
    )
    cu2 = doublet(
        "cu2",
        CU2_2P32_EV,
        SPIN_ORBIT_SPLITTING_EV,
        2.8,
        shape=shape,
        shape_params=sp,
        fwhm_range_eV=(1.4, 4.5),
        group="cu2",
        splitting_param=split_name,
    )
    cu2_32 = replace(cu2[0], center_expr="cu1_2p32_center + cu2_shift")
    sats = [
        Peak("sat_2p32_a", 941.3, 2.6, shape, sp, (938.5, 943.0), (1.2, 5.0), group=_GROUP_SAT),
        Peak("sat_2p32_b", 944.3, 3.0, shape, sp, (943.0, 947.5), (1.2, 5.5), group=_GROUP_SAT),
    ]
    peaks: list[Peak] = [cu1[0], cu2_32, *sats]
    if include_2p12:
        peaks += [cu1[1], cu2[1]]
        peaks.append(
            Peak("sat_2p12", 962.0, 3.5, shape, sp, (958.5, 965.0), (1.2, 6.0), group=_GROUP_SAT)
        )
    return PeakModel(tuple(peaks), extra=extra)


def _is_2p32(name: str) -> bool:
    return "2p32" in name


def biesinger_cu2_fraction(
    main_area: float, satellite_area: float, satellite_main_ratio: float = CUO_SATELLITE_MAIN_RATIO
) -> float:
    """Cu(II) fraction ``B (1 + 1/r) / (A + B)`` (Biesinger 2017; see the module notes).

    Parameters
    ----------
    main_area:
        ``A``: all Cu 2p3/2 main-line area (Cu(0)/Cu(I) and Cu(II)).
    satellite_area:
        ``B``: the Cu(II) shake-up satellite area.
    satellite_main_ratio:
        ``r = B_s/A_s`` of a pure Cu(II) reference (CuO: 0.55).
    """
    if not satellite_main_ratio > 0:
        raise InputError(
            "the reference satellite-to-main ratio must be positive",
            field="satellite_main_ratio",
            expected="> 0 (CuO: about 0.55)",
            found=satellite_main_ratio,
        )
    total = main_area + satellite_area
    if not total > 0:
        raise InputError(
            "no Cu 2p intensity",
            field="Cu 2p areas",
            expected="positive main-line plus satellite area",
            found=total,
        )
    return satellite_area * (1.0 + 1.0 / satellite_main_ratio) / total


# ------------------------------------------------------------------------------------------
# Simulation
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cu2pTruth:
    """Parameters of a simulated Cu 2p spectrum (the truth a fit should recover)."""

    cu2_fraction: float
    satellite_fraction: float
    satellite_main_ratio: float
    areas: dict[str, float]
    centers_eV: dict[str, float]
    fwhm_eV: dict[str, float]
    background: str


#: Default simulation line parameters: (centre eV, FWHM eV).
SIM_LINES: dict[str, tuple[float, float]] = {
    "cu1_2p32": (CU1_2P32_EV, 1.3),
    "cu2_2p32": (CU2_2P32_EV, 2.8),
    "sat_2p32_a": (941.3, 2.6),
    "sat_2p32_b": (944.3, 3.0),
    "sat_2p12": (962.0, 3.5),
}
#: Share of the 2p3/2 satellite area in the lower-energy satellite.
SIM_SAT_A_SHARE = 0.4


def simulate_cu2p(
    cu2_fraction: float,
    *,
    energy_eV: ArrayLike | None = None,
    counts: float = 5000.0,
    background_counts: float = 2000.0,
    step_ratio: float = 0.6,
    slope_per_eV: float = 0.0,
    background: str = "shirley",
    satellite_main_ratio: float = CUO_SATELLITE_MAIN_RATIO,
    lines: Mapping[str, tuple[float, float]] | None = None,
    shift_eV: float = 0.0,
    rng: np.random.Generator | int | None = None,
    label: str = "simulated Cu 2p",
) -> tuple[XpsSpectrum, Cu2pTruth]:
    """A Cu 2p spectrum with Poisson noise and known Cu(II) fraction.

    Every Cu atom emits the same total 2p intensity; a Cu(II) atom puts the fraction
    ``r/(1+r)`` of it into shake-up satellites (``r = satellite_main_ratio``), in both
    spin-orbit components (2p1/2 = half of 2p3/2). So the Biesinger formula with the same ``r``
    returns ``cu2_fraction`` exactly for noise-free data and a correct background.

    Parameters
    ----------
    cu2_fraction:
        Cu(II) share of all Cu, 0-1.
    energy_eV:
        Binding-energy grid (default 925-968 eV in 0.1 eV steps).
    counts:
        Expected net counts at the maximum of the 2p3/2 lines (sets the noise level).
    background_counts:
        Background level at the low-binding-energy end (counts).
    step_ratio:
        Background rise over the window relative to ``background_counts`` (the inelastic step).
    slope_per_eV:
        Extra linear background slope (counts per eV).
    background:
        Shape of the true inelastic step: ``"shirley"`` (proportional to the running integral
        of the peaks) or ``"tougaard"`` (the measured spectrum solves ``J = F + B K*J`` with
        the universal U2 cross-section, i.e. multiple inelastic scattering of the peaks ``F``;
        ``B`` is set by the rise).
    satellite_main_ratio:
        ``r`` of the Cu(II) component.
    lines:
        Override centres/FWHMs of :data:`SIM_LINES`.
    shift_eV:
        Shift of all lines (a charging offset).
    rng:
        NumPy generator or seed; ``None`` gives noise-free expected counts.

    Returns
    -------
    (XpsSpectrum, Cu2pTruth)
    """
    if not 0.0 <= cu2_fraction <= 1.0:
        raise InputError(
            "Cu(II) fraction out of range",
            field="cu2_fraction",
            expected="0 <= cu2_fraction <= 1",
            found=cu2_fraction,
        )
    x = (
        np.arange(925.0, 968.0 + 1e-9, 0.1)
        if energy_eV is None
        else np.asarray(energy_eV, dtype=float)
    )
    ln = dict(SIM_LINES)
    ln.update(lines or {})
    r = float(satellite_main_ratio)
    f = float(cu2_fraction)
    # Areas per unit of total Cu 2p3/2 emission (main + satellites).
    a = {
        "cu1_2p32": 1.0 - f,
        "cu2_2p32": f / (1.0 + r),
        "sat_2p32_a": SIM_SAT_A_SHARE * f * r / (1.0 + r),
        "sat_2p32_b": (1.0 - SIM_SAT_A_SHARE) * f * r / (1.0 + r),
    }
    a["cu1_2p12"] = 0.5 * a["cu1_2p32"]
    a["cu2_2p12"] = 0.5 * a["cu2_2p32"]
    a["sat_2p12"] = 0.5 * (a["sat_2p32_a"] + a["sat_2p32_b"])
    centers = {k: v[0] + shift_eV for k, v in ln.items()}
    centers["cu1_2p12"] = centers["cu1_2p32"] + SPIN_ORBIT_SPLITTING_EV
    centers["cu2_2p12"] = centers["cu2_2p32"] + SPIN_ORBIT_SPLITTING_EV
    widths = {k: v[1] for k, v in ln.items()}
    widths["cu1_2p12"] = widths["cu1_2p32"]
    widths["cu2_2p12"] = widths["cu2_2p32"]
    from qdcat.xps.lineshapes import gl

    profiles = {k: gl(x, centers[k], widths[k], 30.0, a[k]) for k in a}
    peaks = np.sum(list(profiles.values()), axis=0)
    scale = counts / float(np.max(peaks))
    areas = {k: v * scale for k, v in a.items()}
    signal = peaks * scale
    rise = step_ratio * background_counts
    if background == "shirley":
        step = bgmod.shirley_basis(x, signal)
        step = step / step[-1] * rise if step[-1] > 0 else step
    elif background == "tougaard":
        step = _tougaard_spectrum(x, signal, rise) - signal
    else:
        raise InputError(
            "unknown simulated background",
            field="background",
            expected="'shirley' or 'tougaard'",
            found=background,
        )
    expected = signal + background_counts + step + slope_per_eV * (x - x[0])
    if rng is None:
        y = expected
    else:
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        y = gen.poisson(np.maximum(expected, 0.0)).astype(float)
    sat = areas["sat_2p32_a"] + areas["sat_2p32_b"] + areas["sat_2p12"]
    truth = Cu2pTruth(
        cu2_fraction=f,
        satellite_fraction=sat / sum(areas.values()),
        satellite_main_ratio=r,
        areas=areas,
        centers_eV=centers,
        fwhm_eV=widths,
        background=background,
    )
    spec = make_spectrum(x, y, label=label, metadata={"simulated": True, "cu2_fraction": f})
    return spec, truth


def _tougaard_spectrum(x: Array, primary: Array, rise: float) -> Array:
    """Measured spectrum ``J = F + B K*J`` for the primary ``F`` (U2 cross-section, multiple
    scattering by the Neumann series), with ``B`` chosen so that ``J - F`` rises by ``rise``."""

    def solve(b: float) -> Array:
        j = primary.copy()
        for _ in range(200):
            new = primary + b * bgmod.tougaard_basis(x, j)
            if np.max(np.abs(new - j)) <= 1e-10 * np.max(np.abs(new)):
                return new
            j = new
        return j

    lo_b, hi_b = 0.0, 1.0
    while (solve(hi_b) - primary)[-1] < rise and hi_b < 1e9:
        lo_b, hi_b = hi_b, hi_b * 4.0
    for _ in range(60):
        mid = 0.5 * (lo_b + hi_b)
        if (solve(mid) - primary)[-1] < rise:
            lo_b = mid
        else:
            hi_b = mid
    return solve(0.5 * (lo_b + hi_b))


# ------------------------------------------------------------------------------------------
# Fit
# ------------------------------------------------------------------------------------------


def _window(
    spectrum: XpsSpectrum, window_eV: tuple[float, float] | None
) -> tuple[XpsSpectrum, bool]:
    x = spectrum.binding_energy_eV
    lo_req, hi_req = REQUIRED_2P32_RANGE_EV
    if x[0] > lo_req or x[-1] < hi_req:
        raise InputError(
            "the Cu 2p window misses the 2p3/2 region (main lines and satellites)",
            file=spectrum.source_file,
            field="binding_energy_eV",
            expected=f"energies covering {lo_req:g}-{hi_req:g} eV (Cu 2p3/2 and its satellites)",
            found=f"{x[0]:.2f}-{x[-1]:.2f} eV",
        )
    lo, hi = window_eV if window_eV is not None else DEFAULT_WINDOW_EV
    full = x[-1] >= FULL_2P_RANGE_EV[1] and hi >= FULL_2P_RANGE_EV[1]
    if not full:
        hi = min(hi, END_2P32_ONLY_EV)
    w = spectrum.window(lo, hi)
    if w.binding_energy_eV.size < 30:
        raise InputError(
            "too few points in the Cu 2p window",
            file=spectrum.source_file,
            field="binding_energy_eV",
            expected="at least 30 points between the window limits",
            found=int(w.binding_energy_eV.size),
        )
    return w, full


def _cu2p_numbers(
    areas: Mapping[str, float], model: PeakModel, ratio: float, use_2p12: bool
) -> dict[str, float]:
    main = sat = 0.0
    all_sat = all_area = 0.0
    cu2_total = 0.0
    for p in model.peaks:
        a = areas[p.name]
        all_area += a
        if p.group == _GROUP_SAT:
            all_sat += a
            cu2_total += a
        if p.group == "cu2":
            cu2_total += a
        if not (_is_2p32(p.name) or use_2p12):
            continue
        if p.group in _GROUP_MAIN:
            main += a
        elif p.group == _GROUP_SAT:
            sat += a
    total = main + sat
    return {
        "cu2_fraction": sat * (1.0 + 1.0 / ratio) / total if total > 0 else float("nan"),
        "satellite_fraction": all_sat / all_area if all_area > 0 else float("nan"),
        "cu2_component_fraction": cu2_total / all_area if all_area > 0 else float("nan"),
        "main_area": main,
        "satellite_area": sat,
    }


def _static_levels_fit(
    x: Array, y: Array, model: PeakModel, background: str, n_average: int, levels, params, **kw
) -> PeakFit:
    """Refit with a static background built through the given end levels."""
    if background == "shirley":
        bg = bgmod.shirley_background(x, y, n_average=n_average, levels=levels)
    elif background == "tougaard":
        bg = bgmod.tougaard_background(x, y, n_average=n_average, levels=levels)
    else:
        bg = bgmod.linear_background(x, y, n_average=n_average, levels=levels)
    return fit_peaks(x, y, model, fixed_background=bg.values, params=params, covariance=False, **kw)


#: Candidates of ``background="auto"``: (background, refined within the fit).
AUTO_CANDIDATES: tuple[tuple[str, bool], ...] = (("shirley", True), ("tougaard", True))


def fit_cu2p(
    spectrum: XpsSpectrum,
    *,
    background: str = "auto",
    refine_background: bool = True,
    satellite_main_ratio: float = CUO_SATELLITE_MAIN_RATIO,
    use_2p12: bool = False,
    window_eV: tuple[float, float] | None = None,
    fit_splitting: bool = False,
    n_average: int = 10,
    shape: str = "gl",
    shape_params: Mapping[str, float] | None = None,
    n_bootstrap: int = 0,
    background_stderr: bool = True,
    seed: int = 0,
    max_nfev: int = 600,
) -> Result:
    """Fit a Cu 2p spectrum and quantify Cu(II) (see the module notes).

    Parameters
    ----------
    spectrum:
        The Cu 2p spectrum (ascending binding energy, eV; charge-corrected).
    background:
        ``"auto"`` (default): fit with the Shirley and with the Tougaard background, both
        refined within the fit, and keep the one with the lower reduced chi-square (the
        candidates and their Cu(II) fractions are in ``metadata["background_candidates"]``; a
        warning says when they disagree although the data do not prefer one); or
        ``"shirley"``, ``"tougaard"`` (U2), ``"linear"``.
    refine_background:
        Refine the background within the fit (default) instead of computing it from the data
        first. Ignored by ``"auto"``.
    satellite_main_ratio:
        Satellite/main 2p3/2 area ratio of the pure Cu(II) reference (CuO: 0.55).
    use_2p12:
        Also use the 2p1/2 main line and satellite in the Biesinger sums.
    window_eV:
        Fit window (default 925-968 eV, cut at 948.5 eV when the 2p1/2 part is not covered).
    fit_splitting:
        Fit the spin-orbit splitting (19.6-20.1 eV) instead of fixing 19.8 eV.
    n_average:
        End points averaged for the background end levels.
    shape, shape_params:
        Line shape of every component (default GL(30)).
    n_bootstrap:
        Residual-bootstrap refits for the standard errors (0: covariance, plus the end levels of
        a background computed before the fit).
    background_stderr:
        Add the end-level uncertainty of a background computed before the fit.
    seed:
        Seed of the bootstrap.
    max_nfev:
        Evaluation cap of each fit.

    Returns
    -------
    Result
        Quantities ``cu2_fraction``, ``satellite_fraction``, ``cu2_component_fraction``,
        ``cu1_2p32_eV``, ``cu2_2p32_eV``; metadata ``peaks`` (name, position_eV, fwhm_eV, area,
        ...), ``background``, ``background_refined``, ``satellite_main_ratio``; curves for the
        figure. ``fit.converged`` is False (and a warning says so) when the fit stopped at
        ``max_nfev``.

    Raises
    ------
    InputError
        A window that misses the Cu 2p3/2 region (names the file and the field); bad options.
    """
    if background not in ("auto", "shirley", "tougaard", "linear"):
        raise InputError(
            "unknown background",
            field="--background",
            expected="auto, shirley, tougaard or linear",
            found=background,
        )
    if not satellite_main_ratio > 0:
        raise InputError(
            "the reference satellite-to-main ratio must be positive",
            field="satellite_main_ratio",
            expected="> 0 (CuO: about 0.55)",
            found=satellite_main_ratio,
        )
    w, full = _window(spectrum, window_eV)
    model = cu2p_model(
        include_2p12=full, fit_splitting=fit_splitting, shape=shape, shape_params=shape_params
    )
    x, y = w.binding_energy_eV, w.counts
    use12 = use_2p12 and full
    kw: dict[str, Any] = {"n_average": n_average, "max_nfev": max_nfev}
    candidates = (
        AUTO_CANDIDATES if background == "auto" else ((background, bool(refine_background)),)
    )
    fits: dict[str, PeakFit] = {}
    for bg, refine in candidates:
        fits[bg] = fit_peaks(x, y, model, background=bg, refine_background=refine, **kw)  # type: ignore[arg-type]
    chosen = min(
        fits,
        key=lambda k: (not fits[k].converged, fits[k].quality.chi2_reduced or math.inf),
    )
    fit = fits[chosen]
    nums = _cu2p_numbers(fit.areas, model, satellite_main_ratio, use12)
    warnings = list(fit.warnings)
    keys = ("cu2_fraction", "satellite_fraction", "cu2_component_fraction")
    se = _cu2p_stderr(
        fit,
        model,
        x,
        y,
        nums,
        satellite_main_ratio,
        use12,
        n_bootstrap,
        background_stderr,
        seed,
        kw,
        warnings,
    )
    candidates_md: dict[str, Any] = {}
    if len(fits) > 1:
        for k, f in fits.items():
            nk = _cu2p_numbers(f.areas, model, satellite_main_ratio, use12)
            candidates_md[k] = {
                "chi2_reduced": f.quality.chi2_reduced,
                "cu2_fraction": nk["cu2_fraction"],
                "cu2_fraction_stderr": f.stderr_of(
                    lambda a: _cu2p_numbers(a, model, satellite_main_ratio, use12)["cu2_fraction"]
                ),
                "converged": f.converged,
            }
        other = next(k for k in fits if k != chosen)
        c_best = fits[chosen].quality.chi2_reduced or math.inf
        c_other = fits[other].quality.chi2_reduced or math.inf
        diff = abs(candidates_md[other]["cu2_fraction"] - nums["cu2_fraction"])
        err = se.get("cu2_fraction") or 0.0
        if diff > max(2.0 * err, 0.02) and c_other < c_best * 1.05:
            warnings.append(
                f"the {chosen} and {other} backgrounds fit almost equally well (reduced "
                f"chi-square {c_best:.3g} vs {c_other:.3g}) but give Cu(II) fractions "
                f"{nums['cu2_fraction']:.3f} and {candidates_md[other]['cu2_fraction']:.3f}: "
                "the background is not determined by these data"
            )
    if not (0.0 <= nums["cu2_fraction"] <= 1.0):
        warnings.append(
            f"Cu(II) fraction {nums['cu2_fraction']:.3f} is outside 0-1: the reference "
            f"satellite ratio ({satellite_main_ratio}) or the background does not suit this "
            "spectrum"
        )
    if nums["satellite_area"] <= 0:
        warnings.append("no Cu(II) shake-up satellite found: Cu(II) fraction 0")

    peaks = fit.peak_table()
    quantities = {
        "cu2_fraction": Quantity(
            nums["cu2_fraction"],
            se["cu2_fraction"],
            "",
            "Cu(II) share of Cu by the Biesinger satellite method",
        ),
        "satellite_fraction": Quantity(
            nums["satellite_fraction"],
            se["satellite_fraction"],
            "",
            "shake-up satellite area / total Cu 2p area",
        ),
        "cu2_component_fraction": Quantity(
            nums["cu2_component_fraction"],
            se["cu2_component_fraction"],
            "",
            "fitted Cu2+ components (main + satellites) / total Cu 2p area",
        ),
        "cu1_2p32_eV": Quantity(
            fit.values["cu1_2p32_center"],
            fit.stderr.get("cu1_2p32_center"),
            "eV",
            "Cu+ 2p3/2 position",
        ),
        "cu2_2p32_eV": Quantity(
            fit.values["cu2_2p32_center"],
            fit.stderr.get("cu2_2p32_center"),
            "eV",
            "Cu2+ 2p3/2 position",
        ),
    }
    del keys
    curves: dict[str, Any] = {
        "binding_energy_eV": fit.x,
        "counts": fit.y,
        "fit": fit.fit_curve,
        "background": fit.background,
    }
    for name, comp in fit.components.items():
        curves[f"component:{name}"] = comp
    metadata: dict[str, Any] = {
        "method": "Biesinger satellite method (doi:10.1002/sia.6239)",
        "background": chosen,
        "background_refined": fit.background_refined,
        "background_selection": (
            "auto: lowest reduced chi-square of the refined Shirley and Tougaard backgrounds"
            if background == "auto"
            else "given"
        ),
        "background_parameters": fit.background_parameters,
        "satellite_main_ratio": satellite_main_ratio,
        "biesinger_region": "2p3/2 + 2p1/2" if use12 else "2p3/2",
        "main_area": nums["main_area"],
        "satellite_area": nums["satellite_area"],
        "window_eV": [float(x[0]), float(x[-1])],
        "includes_2p12": full,
        "line_shape": peaks[0]["shape"],
        "peaks": peak_summaries(peaks),
        "source_file": spectrum.source_file,
        "label": spectrum.label,
    }
    if candidates_md:
        metadata["background_candidates"] = candidates_md
    metadata["stderr_method"] = se.pop("_method", "covariance")
    q = fit.quality
    return Result(
        analysis="xps_cu2p",
        quantities=quantities,
        fit=FitQuality(
            converged=q.converged,
            n_evaluations=sum(f.quality.n_evaluations for f in fits.values()),
            n_points=q.n_points,
            n_parameters=q.n_parameters,
            rmse=q.rmse,
            chi2_reduced=q.chi2_reduced,
            message=q.message,
        ),
        warnings=tuple(dict.fromkeys(warnings)),
        metadata=metadata,
        curves=curves,
    )


def _cu2p_stderr(
    fit: PeakFit,
    model: PeakModel,
    x: Array,
    y: Array,
    nums: Mapping[str, float],
    ratio: float,
    use12: bool,
    n_bootstrap: int,
    background_stderr: bool,
    seed: int,
    kw: Mapping[str, Any],
    warnings: list[str],
) -> dict[str, Any]:
    """Standard errors of the three fractions (see the module notes)."""
    keys = ("cu2_fraction", "satellite_fraction", "cu2_component_fraction")

    def numbers(areas: Mapping[str, float]) -> dict[str, float]:
        return _cu2p_numbers(areas, model, ratio, use12)

    se: dict[str, Any] = {}
    if n_bootstrap > 0:
        rng = np.random.default_rng(seed)
        resid = fit.y - fit.fit_curve
        draws: dict[str, list[float]] = {k: [] for k in keys}
        start = _nonlinear(fit.parameters())
        bg = fit.background_kind if fit.background_kind != "fixed" else "none"
        for _ in range(n_bootstrap):
            yb = np.maximum(fit.fit_curve + rng.choice(resid, size=resid.size, replace=True), 0.0)
            fb = fit_peaks(
                x,
                yb,
                model,
                background=bg,  # type: ignore[arg-type]
                refine_background=fit.background_refined,
                params=start,
                covariance=False,
                **kw,
            )
            nb = numbers(fb.areas)
            for k in keys:
                draws[k].append(nb[k])
        for k in keys:
            v = np.asarray(draws[k], dtype=float)
            v = v[np.isfinite(v)]
            se[k] = float(v.std(ddof=1)) if v.size > 1 else None
        se["_method"] = f"residual bootstrap ({n_bootstrap} refits)"
        return se
    for k in keys:
        se[k] = fit.stderr_of(lambda a, k=k: numbers(a)[k])
    se["_method"] = "covariance"
    if (
        background_stderr
        and not fit.background_refined
        and fit.background_kind in ("shirley", "tougaard", "linear")
    ):
        se["_method"] = "covariance + background end levels"
        n_avg = int(kw.get("n_average", 10))
        lo, hi, lo_se, hi_se = bgmod.endpoint_levels(y, n_avg)
        start = _nonlinear(fit.parameters())
        extra = {k: 0.0 for k in keys}
        for levels in ((lo + lo_se, hi), (lo, hi + hi_se)):
            try:
                fp = _static_levels_fit(
                    x,
                    y,
                    model,
                    fit.background_kind,
                    n_avg,
                    levels,
                    start,
                    max_nfev=int(kw.get("max_nfev", 600)),
                )
            except Exception as exc:  # a failed perturbation only loses this error term
                warnings.append(f"background end-level uncertainty not added: {exc}")
                return se
            npert = numbers(fp.areas)
            for k in keys:
                extra[k] += (npert[k] - nums[k]) ** 2
        for k in keys:
            if se.get(k) is not None:
                se[k] = math.sqrt(se[k] ** 2 + extra[k])
    return se


def _nonlinear(params):
    """Start parameters for a refit: the fitted nonlinear values, areas dropped."""
    import lmfit

    out = lmfit.Parameters()
    for name, p in params.items():
        if name.endswith("_area"):
            continue
        out.add(name, value=p.value, min=p.min, max=p.max, vary=p.vary, expr=p.expr)
    return out


def _fit_one(spectrum: XpsSpectrum, options: Mapping[str, Any]) -> Result:
    return fit_cu2p(spectrum, **dict(options))


def fit_cu2p_batch(
    spectra: Sequence[XpsSpectrum],
    executor: Executor,
    *,
    chunk_size: int = 50,
    **options: Any,
) -> list[Result]:
    """:func:`fit_cu2p` over many spectra on ``executor`` (chunks of ``chunk_size`` per task).

    Use :func:`qdcat.core.executors.make_executor` for a serial run, local processes or a dask
    cluster. Results come back in input order; the first failure is raised.
    """
    chunks = [spectra[i : i + chunk_size] for i in range(0, len(spectra), max(1, chunk_size))]
    futures = [executor.submit(_fit_chunk, list(c), dict(options)) for c in chunks]
    out: list[Result] = []
    for fut in futures:
        out.extend(fut.result())
    return out


def _fit_chunk(spectra: list[XpsSpectrum], options: dict[str, Any]) -> list[Result]:
    return [fit_cu2p(s, **options) for s in spectra]
