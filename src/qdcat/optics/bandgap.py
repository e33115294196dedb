"""Optical band gap from the minimum of the second derivative of the absorption spectrum.

Method
------
The band gap of a quantum-dot ensemble is taken as the photon energy at which the absorption
edge curves most sharply, i.e. the minimum of d2A/dE2 (for a Gaussian band-edge exciton this is
exactly its centre). Steps:

1. Energy axis. A spectrum on ``wavelength_nm`` is converted with E = hc/lambda
   (:data:`qdcat.core.constants.HC_eV_nm`). Absorbance is *not* multiplied by the Jacobian
   |d lambda / dE|: absorbance is a value at each wavelength, not a density per unit wavelength.
   The spectrum is linearly interpolated onto a uniform energy grid with as many points as the
   input spanning the same energies (a spectrum already uniform in energy is used as is).
2. Savitzky-Golay smoothing and second derivative (:func:`scipy.signal.savgol_filter`,
   ``deriv=2``, ``delta`` = grid step) for several window widths.
3. Edge location with a pilot window (~0.12 eV): among the local minima of d2A/dE2 whose depth
   is significant (more than 5 noise standard deviations of the filtered second derivative)
   and pronounced (at least 30 % of the deepest one), the lowest-energy one is the absorption
   edge. Weak intragap features (Abs2) and noise in the transparent tail are thus ignored, and
   higher transitions in the UV are not mistaken for the edge. ``energy_range_eV`` restricts
   this search.
4. Data-driven windows. The dip of d2A/dE2 found in 3 has a half width at half depth ``h``.
   Windows wider than about the dip itself flatten and shift an asymmetric dip, windows of
   only a few points are dominated by noise. The default window widths are 0.04-0.2 eV in
   geometric steps, keeping those between ``max(0.04 eV, 7 points)`` and ``min(0.2 eV,
   3.2 h)`` (at least the three widest allowed if fewer qualify); the list given in
   ``windows_eV`` is used as is (rounded to odd numbers of points).
5. For each window the minimum of d2A/dE2 near the pilot position is refined by a parabola
   through the three points around it. The band gap is the median over windows.
6. Standard error: ``sqrt(s_win**2 + s_noise**2)``. ``s_win`` is the standard deviation over
   windows (the method's systematic ambiguity). ``s_noise`` comes from a parametric bootstrap:
   the noise level is estimated from the residual between the data and the data smoothed with
   the narrowest window (robust MAD, corrected for the part of the noise the filter follows),
   50 noise realisations (fixed seed) are added to the smoothed curve and the whole
   median-over-windows estimate is repeated on each; ``s_noise`` is their standard deviation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.signal import savgol_coeffs, savgol_filter

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_WINDOWS_eV",
    "MIN_POINTS",
    "band_gap_second_derivative",
    "plot_band_gap",
    "plot_band_gap_comparison",
]

METHOD = "second-derivative minimum (Savitzky-Golay)"
#: Fewest spectral points accepted.
MIN_POINTS = 15
#: Candidate Savitzky-Golay window widths, eV (0.04-0.2 eV, geometric).
DEFAULT_WINDOWS_eV: tuple[float, ...] = tuple(
    float(w) for w in np.round(np.geomspace(0.04, 0.2, 8), 4)
)
_PILOT_WINDOW_eV = 0.12
_MIN_WINDOW_POINTS = 7
_DIP_WIDTH_FACTOR = 3.2  # widest default window, in units of the dip's half width at half depth
_SIGNIFICANCE = 5.0  # a dip must be this many noise standard deviations deep
_PRONOUNCED = 0.3  # ... and at least this fraction of the deepest dip
_N_BOOTSTRAP = 50
_BOOTSTRAP_SEED = 20240607
_WINDOW_DISAGREEMENT_eV = 0.02


# --------------------------------------------------------------------------------------------
# input handling


def _validated_axis(spectrum: Any) -> tuple[str, NDArray[np.float64], NDArray[np.float64]]:
    """Return (dimension name, x values, absorbance) after checking the input."""
    if not isinstance(spectrum, xr.DataArray):
        raise InputError(
            "the spectrum must be an xarray.DataArray",
            field="spectrum",
            expected="xarray.DataArray with dimension 'wavelength_nm' or 'energy_eV'",
            found=type(spectrum).__name__,
        )
    allowed = ("wavelength_nm", "energy_eV")
    if spectrum.ndim != 1 or spectrum.dims[0] not in allowed:
        raise InputError(
            "the spectrum must have a single spectral dimension",
            field="dims",
            expected="a single dimension 'wavelength_nm' or 'energy_eV'",
            found=tuple(str(d) for d in spectrum.dims),
        )
    dim = str(spectrum.dims[0])
    n = spectrum.sizes[dim]
    if n < MIN_POINTS:
        raise InputError(
            f"too few spectral points for a second derivative ({n})",
            field=dim,
            expected=f"at least {MIN_POINTS} points",
            found=n,
        )
    if dim not in spectrum.coords:
        raise InputError(
            f"the spectrum has no '{dim}' coordinate values",
            field=dim,
            expected=f"a '{dim}' coordinate",
        )
    try:
        x = np.asarray(spectrum[dim].values, dtype=float)
        y = np.asarray(spectrum.values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"spectrum values are not numeric: {exc}", field=dim, expected="numbers"
        ) from exc
    for label, arr in ((dim, x), ("absorbance", y)):
        bad = ~np.isfinite(arr)
        if bad.any():
            idx = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{int(bad.sum())} non-finite value(s) (NaN or infinity), first at index {idx}",
                field=label,
                expected="finite numbers (drop or interpolate missing points first)",
                found=float(arr[idx]),
            )
    if np.any(x <= 0):
        raise InputError(
            f"{dim} must be positive", field=dim, expected="> 0", found=float(x.min())
        )
    dx = np.diff(x)
    if np.any(dx == 0):
        idx = int(np.flatnonzero(dx == 0)[0])
        raise InputError(
            f"duplicated {dim} value at indices {idx} and {idx + 1}",
            field=dim,
            expected="strictly increasing or strictly decreasing values",
            found=float(x[idx]),
        )
    if not (np.all(dx > 0) or np.all(dx < 0)):
        idx = int(np.flatnonzero(np.sign(dx) != np.sign(dx[0]))[0])
        raise InputError(
            f"{dim} is not monotonic (direction changes at index {idx + 1})",
            field=dim,
            expected="strictly increasing or strictly decreasing values",
            found=[float(v) for v in x[idx : idx + 3]],
        )
    return dim, x, y


def _uniform_energy_grid(
    dim: str, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, bool]:
    """(energy grid ascending, absorbance on it, step, interpolated?)."""
    E = HC_eV_nm / x if dim == "wavelength_nm" else x
    order = np.argsort(E)
    E, A = E[order], y[order]
    dE = np.diff(E)
    step = (E[-1] - E[0]) / (E.size - 1)
    if np.max(np.abs(dE - step)) <= 1e-6 * step:
        return E, A, step, False
    grid = np.linspace(E[0], E[-1], E.size)
    return grid, np.interp(grid, E, A), step, True


def _odd_points(width_eV: float, step: float) -> int:
    m = round(width_eV / step)
    return int(m + 1 if m % 2 == 0 else m)


# --------------------------------------------------------------------------------------------
# numerics


def _d2(A: NDArray[np.float64], m: int, polyorder: int, step: float) -> NDArray[np.float64]:
    return savgol_filter(A, m, polyorder, deriv=2, delta=step, axis=-1, mode="interp")


def _refined_minima(
    d2: NDArray[np.float64], lo: int, hi: int
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Parabola-refined position (in fractional index) of the minimum of ``d2[..., lo:hi+1]``.

    Vectorised over leading axes. Returns (fractional index, integer index of the minimum).
    """
    seg = d2[..., lo : hi + 1]
    i = np.argmin(seg, axis=-1) + lo
    j = np.clip(i, 1, d2.shape[-1] - 2)
    ym = np.take_along_axis(d2, (j - 1)[..., None], axis=-1)[..., 0]
    y0 = np.take_along_axis(d2, j[..., None], axis=-1)[..., 0]
    yp = np.take_along_axis(d2, (j + 1)[..., None], axis=-1)[..., 0]
    denom = ym - 2.0 * y0 + yp
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(denom > 0, 0.5 * (ym - yp) / denom, 0.0)
    return j + np.clip(shift, -0.5, 0.5), i


def _local_minima(d2: NDArray[np.float64], lo: int, hi: int) -> NDArray[np.intp]:
    """Indices in [lo, hi] of strict-left local minima of d2 (plateaus count once)."""
    idx = np.arange(max(lo, 1), min(hi, d2.size - 2) + 1)
    if idx.size == 0:
        return idx
    is_min = (d2[idx] < d2[idx - 1]) & (d2[idx] <= d2[idx + 1])
    return idx[is_min]


def _noise_sigma(A: NDArray[np.float64], m: int, polyorder: int) -> float:
    """White-noise standard deviation from the residual to a Savitzky-Golay smooth.

    The residual of a linear smoother with central weight ``h0`` has variance
    ``sigma**2 * (1 - h0)`` for white noise; MAD makes the estimate robust to the few points
    where the smooth does not follow the signal.
    """
    resid = A - savgol_filter(A, m, polyorder, mode="interp")
    core = resid[m // 2 : resid.size - m // 2] if resid.size > 2 * m else resid
    mad = float(np.median(np.abs(core - np.median(core))))
    h0 = float(savgol_coeffs(m, polyorder)[m // 2])
    return 1.4826 * mad / math.sqrt(max(1.0 - h0, 1e-6))


def _d2_noise(sigma: float, m: int, polyorder: int, step: float) -> float:
    """Standard deviation of the filtered second derivative for white noise ``sigma``."""
    c = savgol_coeffs(m, polyorder, deriv=2, delta=step)
    return sigma * float(np.sqrt(np.sum(c * c)))


def _validated_options(
    energy_range_eV: tuple[float, float] | None,
    windows_eV: Sequence[float] | None,
    polyorder: int,
) -> None:
    if isinstance(polyorder, bool) or not isinstance(polyorder, int | np.integer):
        raise InputError(
            "polyorder must be an integer", field="polyorder", expected="2..6", found=polyorder
        )
    if not 2 <= polyorder <= 6:
        raise InputError(
            "the smoothing polynomial must be at least quadratic for a second derivative",
            field="polyorder",
            expected="2..6",
            found=polyorder,
        )
    if energy_range_eV is not None:
        try:
            lo, hi = (float(v) for v in energy_range_eV)
        except (TypeError, ValueError) as exc:
            raise InputError(
                "energy range must be two numbers",
                field="energy_range_eV",
                expected="(low_eV, high_eV)",
                found=energy_range_eV,
            ) from exc
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
            raise InputError(
                "energy range must be finite with 0 < low < high",
                field="energy_range_eV",
                expected="(low_eV, high_eV) with 0 < low < high",
                found=energy_range_eV,
            )
    if windows_eV is not None:
        w = np.asarray(list(windows_eV), dtype=float)
        if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise InputError(
                "windows must be a non-empty list of positive widths",
                field="windows_eV",
                expected="positive widths in eV, e.g. (0.05, 0.1, 0.15)",
                found=list(windows_eV),
            )


def band_gap_second_derivative(
    spectrum: xr.DataArray,
    *,
    energy_range_eV: tuple[float, float] | None = None,
    windows_eV: Sequence[float] | None = None,
    polyorder: int = 3,
) -> Result:
    """Band gap (eV) from the minimum of the second derivative of an absorption spectrum.

    Parameters
    ----------
    spectrum:
        Absorbance with a single dimension ``'wavelength_nm'`` (nm) or ``'energy_eV'`` (eV)
        carrying coordinate values; either direction, strictly monotonic, no NaN, at least
        :data:`MIN_POINTS` points.
    energy_range_eV:
        ``(low, high)`` photon energies (eV) within which to look for the edge; by default the
        edge is found automatically (the lowest-energy pronounced, significant dip of d2A/dE2).
    windows_eV:
        Savitzky-Golay window widths in eV; by default chosen from the data (see the module
        documentation). Each is rounded to an odd number of grid points > ``polyorder``.
    polyorder:
        Savitzky-Golay polynomial order (2..6; default 3).

    Returns
    -------
    Result
        ``analysis='band_gap'``; quantities ``band_gap_eV`` (eV) and ``band_gap_nm`` (nm), both
        with standard errors; ``curves`` ``energy_eV``, ``absorbance``, ``smoothed``, ``d2``
        (for the window whose estimate is the median); ``metadata`` with the method, the
        windows and per-window estimates, the estimated noise and the searched range.

    Raises
    ------
    InputError
        Wrong dimension, too few points, non-finite values, duplicated or non-monotonic
        spectral axis, bad options, or no significant absorption edge in the searched range.
    """
    _validated_options(energy_range_eV, windows_eV, polyorder)
    dim, x, y = _validated_axis(spectrum)
    E, A, step, interpolated = _uniform_energy_grid(dim, x, y)
    n = E.size
    min_pts = max(_MIN_WINDOW_POINTS, polyorder + 2 + (polyorder % 2))
    max_pts = n // 2 if (n // 2) % 2 else n // 2 - 1
    if max_pts < min_pts:
        max_pts = min_pts
    warnings: list[str] = []

    # ---- noise level and pilot second derivative
    m_noise = min(max(_odd_points(0.04, step), min_pts), max_pts)
    sigma = _noise_sigma(A, m_noise, polyorder)
    m_pilot = min(max(_odd_points(_PILOT_WINDOW_eV, step), min_pts), max_pts)
    d2_pilot = _d2(A, m_pilot, polyorder, step)
    noise_pilot = _d2_noise(sigma, m_pilot, polyorder, step)

    # ---- searched region (indices), avoiding the filter's edge points
    lo, hi = m_pilot // 2, n - 1 - m_pilot // 2
    searched = (float(E[0]), float(E[-1]))
    if energy_range_eV is not None:
        r_lo, r_hi = (float(v) for v in energy_range_eV)
        lo = max(lo, int(np.searchsorted(E, r_lo, side="left")))
        hi = min(hi, int(np.searchsorted(E, r_hi, side="right")) - 1)
        searched = (r_lo, r_hi)
        if hi - lo < 2:
            raise InputError(
                "the energy range holds (almost) no usable points of the spectrum",
                field="energy_range_eV",
                expected=f"a range within {E[0] + m_pilot // 2 * step:.3f}-"
                f"{E[-1] - m_pilot // 2 * step:.3f} eV",
                found=energy_range_eV,
            )
    if hi - lo < 2:
        raise InputError(
            "the spectrum is too short for the smoothing window",
            field=dim,
            expected=f"a span well above {_PILOT_WINDOW_eV} eV",
            found=f"{E[-1] - E[0]:.3f} eV",
        )

    # ---- edge: lowest-energy significant and pronounced dip of the pilot d2
    minima = _local_minima(d2_pilot, lo, hi)
    depth = -d2_pilot[minima]
    threshold = max(_SIGNIFICANCE * noise_pilot, 0.0)
    significant = minima[depth > threshold]
    at_boundary = False
    if significant.size == 0:
        i_edge = lo + int(np.argmin(d2_pilot[lo : hi + 1]))
        if -d2_pilot[i_edge] > threshold and energy_range_eV is not None:
            at_boundary = True  # deepest point of a user range lies on its boundary
            candidates = np.array([i_edge])
        else:
            raise InputError(
                "no absorption edge: no minimum of the second derivative in the searched range "
                "is significant against the noise",
                field="energy_range_eV" if energy_range_eV is not None else "absorbance",
                expected=f"a dip of d2A/dE2 deeper than {threshold:.3g} eV^-2 "
                f"({_SIGNIFICANCE:g} x noise) between {searched[0]:.3f} and {searched[1]:.3f} eV",
                found=f"deepest d2A/dE2 {float(d2_pilot[lo : hi + 1].min()):.3g} eV^-2",
            )
    else:
        candidates = significant
    deepest = float(np.max(-d2_pilot[candidates]))
    pronounced = candidates[-d2_pilot[candidates] >= _PRONOUNCED * deepest]
    i_edge = int(pronounced[0])

    # half width at half depth of the pilot dip, in points
    half = 0.5 * d2_pilot[i_edge]
    left = i_edge
    while left > 0 and d2_pilot[left - 1] < half:
        left -= 1
    right = i_edge
    while right < n - 1 and d2_pilot[right + 1] < half:
        right += 1
    hwhd_pts = max(0.5 * (right - left), 1.0)

    # ---- windows
    if windows_eV is None:
        cap = min(0.2, _DIP_WIDTH_FACTOR * hwhd_pts * step)
        pts = sorted({min(max(_odd_points(w, step), min_pts), max_pts) for w in DEFAULT_WINDOWS_eV})
        allowed = [p for p in pts if p * step <= cap + 1e-12]
        if len(allowed) < 3:
            allowed = pts[: max(3, len(allowed))]
        window_pts = allowed
    else:
        window_pts = sorted(
            {min(max(_odd_points(float(w), step), min_pts), max_pts) for w in windows_eV}
        )
    window_pts_arr = np.asarray(window_pts)

    # local search span around the pilot edge: the dip's extent (at least +/- 2 points)
    span = max(int(math.ceil(1.5 * hwhd_pts)), 2)
    s_lo = max(i_edge - span, lo if energy_range_eV is not None else 1)
    s_hi = min(i_edge + span, hi if energy_range_eV is not None else n - 2)

    def estimate(signal: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
        """Per-window refined minimum positions (fractional index) and integer indices."""
        pos = []
        idx = []
        for m in window_pts:
            p, i = _refined_minima(_d2(signal, m, polyorder, step), s_lo, s_hi)
            pos.append(p)
            idx.append(i)
        return np.stack(pos, axis=-1), np.stack(idx, axis=-1)

    frac, imin = estimate(A)
    per_window = E[0] + frac * step
    band_gap = float(np.median(per_window))
    spread = float(np.std(per_window, ddof=1)) if per_window.size > 1 else 0.0
    chosen = int(np.argmin(np.abs(per_window - band_gap)))
    m_chosen = int(window_pts_arr[chosen])

    # ---- noise term: parametric bootstrap on the smoothed curve
    smoothed = savgol_filter(A, m_chosen, polyorder, mode="interp")
    rng = np.random.default_rng(_BOOTSTRAP_SEED)
    if sigma > 0:
        replicas = smoothed + sigma * rng.standard_normal((_N_BOOTSTRAP, n))
        frac_b, _ = estimate(replicas)
        boot = E[0] + np.median(frac_b, axis=-1) * step
        noise_term = float(np.std(boot, ddof=1))
    else:
        noise_term = 0.0
    stderr = math.hypot(spread, noise_term)

    # ---- warnings
    if at_boundary or np.any((imin == s_lo) | (imin == s_hi)):
        warnings.append(
            f"the minimum of d2A/dE2 lies at the edge of the searched range "
            f"({E[s_lo]:.3f}-{E[s_hi]:.3f} eV); the band gap may lie outside it"
        )
    disagreement = float(per_window.max() - per_window.min())
    if disagreement > _WINDOW_DISAGREEMENT_eV:
        warnings.append(
            f"the smoothing windows disagree by {1000 * disagreement:.0f} meV "
            f"(> {1000 * _WINDOW_DISAGREEMENT_eV:.0f} meV): the edge is broad or noisy"
        )

    d2_chosen = _d2(A, m_chosen, polyorder, step)
    band_gap_nm = HC_eV_nm / band_gap
    quantities = {
        "band_gap_eV": Quantity(
            band_gap, stderr, "eV", "band gap: minimum of d2A/dE2 (median over windows)"
        ),
        "band_gap_nm": Quantity(
            band_gap_nm,
            HC_eV_nm / band_gap**2 * stderr,
            "nm",
            "wavelength of the band gap, hc/Eg",
        ),
    }
    metadata: dict[str, Any] = {
        "method": METHOD,
        "windows_eV": [float(m * step) for m in window_pts],
        "window_points": [int(m) for m in window_pts],
        "band_gap_by_window_eV": [float(v) for v in per_window],
        "chosen_window_eV": float(m_chosen * step),
        "polyorder": int(polyorder),
        "input_dimension": dim,
        "interpolated_to_uniform_energy": bool(interpolated),
        "energy_step_eV": float(step),
        "searched_range_eV": [float(E[s_lo]), float(E[s_hi])],
        "edge_search_range_eV": [float(searched[0]), float(searched[1])],
        "noise_absorbance_estimate": float(sigma),
        "stderr_windows_eV": spread,
        "stderr_noise_eV": noise_term,
        "n_bootstrap": _N_BOOTSTRAP if sigma > 0 else 0,
    }
    curves = {
        "energy_eV": E,
        "absorbance": A,
        "smoothed": smoothed,
        "d2": d2_chosen,
    }
    return Result(
        analysis="band_gap",
        quantities=quantities,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


# --------------------------------------------------------------------------------------------
# figures


def plot_band_gap(result: Result, ax: Axes | None = None) -> Figure:  # placeholder
    raise NotImplementedError


def plot_band_gap_comparison(results: Mapping[str, Result]) -> Figure:  # placeholder
    raise NotImplementedError
