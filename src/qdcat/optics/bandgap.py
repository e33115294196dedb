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
   input, spanning the same energies (a spectrum already uniform in energy is used as is).
2. Savitzky-Golay smoothing and second derivative (``scipy.signal.savgol_coeffs`` /
   ``savgol_filter`` with ``deriv=2`` and ``delta`` = grid step) for several window widths.
3. Edge location with a pilot window of 0.12 eV. Among the local minima of d2A/dE2 that are
   *significant* (deeper than 5 standard deviations of the noise of the filtered second
   derivative) and *pronounced* (at least 30 % as deep as the deepest one), the lowest-energy
   one is the absorption edge. Noise in the transparent tail, a weak intragap Abs2 band and
   curvature of higher transitions in the UV are thus not mistaken for the edge.
   ``energy_range_eV`` restricts this search; without it the whole spectrum is searched except
   half a pilot window at each end, where the filter has no full window. No significant dip
   raises :class:`~qdcat.core.errors.InputError`.
4. Data-driven windows. The dip of d2A/dE2 at the edge has a half width at half depth ``h``
   (measured with the pilot window, then again with a window matched to the dip). Windows much
   wider than the dip flatten it and shift an asymmetric dip; windows of few points are
   dominated by noise. Candidate widths are 0.04-0.2 eV in 8 geometric steps (rounded to odd
   numbers of grid points, at least 7 and at most half the spectrum). Kept are those no wider
   than ``3.2 h`` whose second-derivative noise is at most 10 % of the dip depth. If fewer
   than three qualify, the three narrowest quiet ones are used (or, for very noisy data, the
   three widest candidates). ``windows_eV`` overrides this choice.
5. For each window the minimum of d2A/dE2 within +/- 1.5 ``h`` of the pilot position is
   refined by a parabola through the three points around it. The band gap is the median over
   windows.
6. Standard error ``sqrt(s_win**2 + s_noise**2)``. ``s_noise`` comes from a parametric
   bootstrap: the noise level of the measured absorbance is estimated from the residual to a
   9-point Savitzky-Golay smooth of the measured points (before interpolation, which would
   correlate it; robust MAD, corrected for the share of the noise the filter follows); 50 noise
   realisations (fixed seed) are added to the smoothed spectrum on the measured points and the
   whole median-over-windows estimate is repeated on each; ``s_noise`` is the standard
   deviation of those estimates. ``s_win`` is the standard deviation over windows of the
   per-window estimates averaged over the bootstrap replicas, i.e. the window dependence with
   the noise averaged out (the noise is already in ``s_noise``). On simulated spectra this
   error covers the truth at close to the nominal rate (about 95 % within 2 standard errors).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.signal import savgol_coeffs, savgol_filter

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result, format_value
from qdcat.core.validation import require_finite, require_strictly_monotonic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MIN_POINTS",
    "DEFAULT_WINDOWS_eV",
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
_NOISE_FRACTION = 0.1  # default windows: d2 noise at most this fraction of the dip depth
_SIGNIFICANCE = 5.0  # a dip must be this many noise standard deviations deep
_PRONOUNCED = 0.3  # ... and at least this fraction of the deepest dip
_N_BOOTSTRAP = 50
_BOOTSTRAP_SEED = 20240607
_WINDOW_DISAGREEMENT_eV = 0.02


# --------------------------------------------------------------------------------------------
# input handling


def _validated_axis(
    spectrum: Any, label: str = "absorbance", min_points: int = MIN_POINTS
) -> tuple[str, NDArray[np.float64], NDArray[np.float64]]:
    """Return (dimension name, x values, values) after checking the input (``label`` names
    the values in error messages)."""
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
    if n < min_points:
        raise InputError(
            f"too few spectral points ({n})",
            field=dim,
            expected=f"at least {min_points} points",
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
    for name, arr in ((dim, x), (label, y)):
        require_finite(arr, name)
    if np.any(x <= 0):
        raise InputError(f"{dim} must be positive", field=dim, expected="> 0", found=float(x.min()))
    require_strictly_monotonic(x, dim)
    return dim, x, y


def _energy_axis(
    dim: str, x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Photon energies (ascending) and the absorbance at them; no Jacobian (see module doc)."""
    E = HC_eV_nm / x if dim == "wavelength_nm" else x
    order = np.argsort(E)
    return E[order], y[order]


class _Resampler:
    """Linear interpolation from measured energies onto a uniform grid, as a fixed linear map.

    Built once, applied to one spectrum or a stack of bootstrap replicas (last axis).
    """

    def __init__(self, E_raw: NDArray[np.float64]) -> None:
        n = E_raw.size
        self.step = float((E_raw[-1] - E_raw[0]) / (n - 1))
        dE = np.diff(E_raw)
        self.identity = bool(np.max(np.abs(dE - self.step)) <= 1e-6 * self.step)
        if self.identity:
            self.grid = E_raw.copy()
            return
        self.grid = E_raw[0] + self.step * np.arange(n)
        self.grid[-1] = E_raw[-1]
        k = np.clip(np.searchsorted(E_raw, self.grid, side="right") - 1, 0, n - 2)
        self.k = k
        self.w = np.clip((self.grid - E_raw[k]) / dE[k], 0.0, 1.0)

    def __call__(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        """Values on the grid of measured values ``y`` (last axis: the measured points)."""
        if self.identity:
            return y
        return y[..., self.k] * (1.0 - self.w) + y[..., self.k + 1] * self.w


def _odd_points(width_eV: float, step: float) -> int:
    m = round(width_eV / step)
    return int(m + 1 if m % 2 == 0 else m)


# --------------------------------------------------------------------------------------------
# numerics


@functools.lru_cache(maxsize=256)
def _unit_coeffs(m: int, polyorder: int, deriv: int) -> NDArray[np.float64]:
    """Savitzky-Golay dot-product coefficients for unit spacing (read-only, cached)."""
    c = savgol_coeffs(m, polyorder, deriv=deriv, use="dot")
    c.setflags(write=False)
    return c


def _d2_full(A: NDArray[np.float64], m: int, polyorder: int, step: float) -> NDArray[np.float64]:
    """Second derivative over the whole grid (edges by polynomial fit, as savgol 'interp')."""
    return savgol_filter(A, m, polyorder, deriv=2, delta=step, mode="interp")


def _d2_segment(
    A: NDArray[np.float64], m: int, polyorder: int, step: float, first: int, last: int
) -> NDArray[np.float64]:
    """Second derivative at grid indices ``first..last`` only (they must be >= m//2 from the
    ends); vectorised over leading axes of ``A``."""
    h = m // 2
    seg = A[..., first - h : last + h + 1]
    windows = np.lib.stride_tricks.sliding_window_view(seg, m, axis=-1)
    return windows @ (_unit_coeffs(m, polyorder, 2) / step**2)


def _parabola_minimum(d2: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Fractional position of the minimum of ``d2`` along the last axis, refined by a parabola
    through the three points around the discrete minimum, and that integer index.

    ``d2`` carries one extra point on each side of the searched span, so the reported integer
    index runs 1..len-2 (0-based within ``d2``).
    """
    i = np.argmin(d2[..., 1:-1], axis=-1) + 1
    ym = np.take_along_axis(d2, (i - 1)[..., None], axis=-1)[..., 0]
    y0 = np.take_along_axis(d2, i[..., None], axis=-1)[..., 0]
    yp = np.take_along_axis(d2, (i + 1)[..., None], axis=-1)[..., 0]
    denom = ym - 2.0 * y0 + yp
    safe = np.where(denom > 0, denom, 1.0)
    shift = np.where(denom > 0, 0.5 * (ym - yp) / safe, 0.0)
    return i + np.clip(shift, -0.5, 0.5), i


def _local_minima(d2: NDArray[np.float64], lo: int, hi: int) -> NDArray[np.intp]:
    """Indices in [lo, hi] of local minima of d2 (a flat bottom counts once, at its left end)."""
    idx = np.arange(max(lo, 1), min(hi, d2.size - 2) + 1)
    if idx.size == 0:
        return idx
    is_min = (d2[idx] < d2[idx - 1]) & (d2[idx] <= d2[idx + 1])
    return idx[is_min]


def _half_width(d2: NDArray[np.float64], i: int) -> float:
    """Half width at half depth (in points) of the dip of ``d2`` at index ``i``."""
    half = 0.5 * d2[i]
    left = i
    while left > 0 and d2[left - 1] < half:
        left -= 1
    right = i
    while right < d2.size - 1 and d2[right + 1] < half:
        right += 1
    return max(0.5 * (right - left), 1.0)


def _noise_sigma(y_raw: NDArray[np.float64], polyorder: int) -> float:
    """White-noise standard deviation of the measured absorbance.

    Estimated on the measured points (before any interpolation, which would correlate the
    noise) from the residual to a Savitzky-Golay smooth over 9 points: the residual of this
    linear smoother has variance ``sigma**2 * (1 - h0)`` for white noise (``h0`` is its
    central weight); the median absolute deviation makes it robust to the few points where
    the smooth does not follow the signal.
    """
    n = y_raw.size
    m = min(9, n if n % 2 else n - 1)
    po = min(polyorder, m - 2)
    resid = y_raw - savgol_filter(y_raw, m, po, mode="interp")
    core = resid[m // 2 : n - m // 2]
    mad = float(np.median(np.abs(core - np.median(core))))
    h0 = float(_unit_coeffs(m, po, 0)[m // 2])
    return 1.4826 * mad / math.sqrt(max(1.0 - h0, 1e-6))


def _d2_noise(sigma: float, m: int, polyorder: int, step: float) -> float:
    """Standard deviation of the filtered second derivative for white noise ``sigma``."""
    c = _unit_coeffs(m, polyorder, 2) / step**2
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
        try:
            w = np.asarray(list(windows_eV), dtype=float)
        except (TypeError, ValueError):
            w = np.array([np.nan])
        if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise InputError(
                "windows must be a non-empty list of positive widths",
                field="windows_eV",
                expected="positive widths in eV, e.g. (0.05, 0.1, 0.15)",
                found=windows_eV,
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
        (on the uniform energy grid, for the window whose estimate is closest to the median);
        ``metadata`` with the method, the windows and per-window estimates, the estimated
        noise and the searched range.

    Raises
    ------
    InputError
        Wrong dimension, too few points, non-finite values, duplicated or non-monotonic
        spectral axis, bad options, or no significant absorption edge in the searched range.
    """
    _validated_options(energy_range_eV, windows_eV, polyorder)
    dim, x, y = _validated_axis(spectrum)
    E_raw, A_raw = _energy_axis(dim, x, y)
    resample = _Resampler(E_raw)
    E, step = resample.grid, resample.step
    A = resample(A_raw)
    n = E.size
    min_pts = max(_MIN_WINDOW_POINTS, polyorder + 2 if polyorder % 2 else polyorder + 1)
    max_pts = (n - 1) // 2 if ((n - 1) // 2) % 2 else (n - 1) // 2 - 1
    max_pts = max(max_pts, min_pts)

    def clamp(m: int) -> int:
        return min(max(m, min_pts), max_pts)

    warnings: list[str] = []

    # ---- noise level (on the measured points) and pilot second derivative
    sigma = _noise_sigma(A_raw, polyorder)
    m_pilot = clamp(_odd_points(_PILOT_WINDOW_eV, step))
    d2_pilot = _d2_full(A, m_pilot, polyorder, step)
    # significance: 5 noise standard deviations; the floor (a relative change of 1e-8 of the
    # absorbance scale over one grid step) keeps rounding errors of noiseless data out
    floor = 1e-8 * max(float(np.max(np.abs(A))), 1e-300) / step**2
    threshold = max(_SIGNIFICANCE * _d2_noise(sigma, m_pilot, polyorder, step), floor)

    # ---- searched region (indices), avoiding the filter's edge points
    lo, hi = m_pilot // 2, n - 1 - m_pilot // 2
    user_range = energy_range_eV is not None
    searched = (float(E[lo]), float(E[hi]))
    if energy_range_eV is not None:
        r_lo, r_hi = (float(v) for v in energy_range_eV)
        lo = max(lo, int(np.searchsorted(E, r_lo, side="left")))
        hi = min(hi, int(np.searchsorted(E, r_hi, side="right")) - 1)
        searched = (r_lo, r_hi)
        if hi - lo < 2:
            raise InputError(
                "the energy range holds (almost) no usable points of the spectrum",
                field="energy_range_eV",
                expected=f"a range overlapping {E[m_pilot // 2]:.3f}-"
                f"{E[n - 1 - m_pilot // 2]:.3f} eV",
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
    significant = minima[-d2_pilot[minima] > threshold]
    at_boundary = False
    if significant.size == 0:
        i_deep = lo + int(np.argmin(d2_pilot[lo : hi + 1]))
        if user_range and -d2_pilot[i_deep] > threshold:
            at_boundary = True  # the deepest point of a user range lies on its boundary
            significant = np.array([i_deep])
        else:
            raise InputError(
                "no absorption edge: no minimum of the second derivative in the searched range "
                "is significant against the noise",
                field="energy_range_eV" if user_range else "absorbance",
                expected=f"a dip of d2A/dE2 deeper than {threshold:.3g} eV^-2 "
                f"({_SIGNIFICANCE:g} x its noise or a rounding floor) between "
                f"{searched[0]:.3f} and {searched[1]:.3f} eV",
                found=f"deepest d2A/dE2 {float(d2_pilot[lo : hi + 1].min()):.3g} eV^-2",
            )
    deepest = float(np.max(-d2_pilot[significant]))
    i_edge = int(significant[-d2_pilot[significant] >= _PRONOUNCED * deepest][0])
    depth = -float(d2_pilot[i_edge])

    # dip width, re-measured with a window matched to it (the pilot window broadens a sharp dip)
    hw = _half_width(d2_pilot, i_edge)
    m_match = clamp(_odd_points(2.0 * hw * step, step))
    if m_match < m_pilot:
        d2_match = _d2_full(A, m_match, polyorder, step)
        a, b = max(i_edge - int(hw), 1), min(i_edge + int(hw), n - 2)
        i_match = a + int(np.argmin(d2_match[a : b + 1]))
        hw = _half_width(d2_match, i_match)

    # ---- windows
    if windows_eV is None:
        candidates = sorted({clamp(_odd_points(w, step)) for w in DEFAULT_WINDOWS_eV})
        cap = min(DEFAULT_WINDOWS_eV[-1], _DIP_WIDTH_FACTOR * hw * step) + 1e-12
        quiet = [
            m for m in candidates if _d2_noise(sigma, m, polyorder, step) <= _NOISE_FRACTION * depth
        ]
        window_pts = [m for m in quiet if m * step <= cap]
        if len(window_pts) < 3:
            # too few pass both tests: keep the narrowest of the quiet ones (or the widest)
            pool = quiet if len(quiet) >= 3 else candidates
            window_pts = sorted(pool[:3] if len(quiet) >= 3 else pool[-3:])
    else:
        window_pts = sorted({clamp(_odd_points(float(w), step)) for w in windows_eV})

    # local search span around the edge: the dip's extent (at least +/- 2 points), kept where
    # every window fits inside the spectrum; windows too wide for it are dropped
    span = max(math.ceil(1.5 * hw), 2)
    s_lo, s_hi = i_edge - span, i_edge + span
    if user_range:
        s_lo, s_hi = max(s_lo, lo), min(s_hi, hi)
    room = min(s_lo - 1, n - 2 - s_hi)
    fitting = [m for m in window_pts if m // 2 <= room]
    if not fitting:
        fitting = [window_pts[0]]
    if len(fitting) < len(window_pts):
        warnings.append(
            "windows wider than the distance from the edge to the end of the spectrum were "
            f"dropped ({len(window_pts) - len(fitting)} of {len(window_pts)})"
        )
    window_pts = fitting
    h_max = max(window_pts) // 2
    s_lo, s_hi = max(s_lo, h_max + 1), min(s_hi, n - 2 - h_max)
    if s_hi - s_lo < 2:
        raise InputError(
            "the absorption edge lies too close to the end of the spectrum for a second derivative",
            field=dim,
            expected=f"spectral points extending at least {h_max * step:.3f} eV beyond the edge "
            f"near {E[i_edge]:.3f} eV",
            found=f"{E[0]:.3f}-{E[-1]:.3f} eV",
        )

    def estimate(signal: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
        """Per-window minimum positions (grid index, fractional) and integer indices."""
        pos, idx = [], []
        for m in window_pts:
            d2 = _d2_segment(signal, m, polyorder, step, s_lo - 1, s_hi + 1)
            p, i = _parabola_minimum(d2)
            pos.append(p + s_lo - 1)
            idx.append(i + s_lo - 1)
        return np.stack(pos, axis=-1), np.stack(idx, axis=-1)

    frac, imin = estimate(A)
    per_window = E[0] + frac * step
    band_gap = float(np.median(per_window))
    chosen = int(np.argmin(np.abs(per_window - band_gap)))
    m_chosen = int(window_pts[chosen])
    smoothed = savgol_filter(A, m_chosen, polyorder, mode="interp")

    # ---- noise term: parametric bootstrap, noise added on the measured points
    if sigma > 0:
        rng = np.random.default_rng(_BOOTSTRAP_SEED)
        smooth_raw = np.interp(E_raw, E, smoothed)
        replicas = smooth_raw + sigma * rng.standard_normal((_N_BOOTSTRAP, E_raw.size))
        frac_b, _ = estimate(resample(replicas))
        boot = E[0] + np.median(frac_b, axis=-1) * step
        noise_term = float(np.std(boot, ddof=1))
        # window dependence with the noise averaged out (the noise is in noise_term already)
        systematic = E[0] + frac_b.mean(axis=0) * step
    else:
        noise_term = 0.0
        systematic = per_window
    spread = float(np.std(systematic, ddof=1)) if systematic.size > 1 else 0.0
    stderr = math.hypot(spread, noise_term)

    # ---- warnings
    if at_boundary or bool(np.any((imin == s_lo) | (imin == s_hi))):
        warnings.append(
            f"the minimum of d2A/dE2 lies at the edge of the searched range "
            f"({E[s_lo]:.3f}-{E[s_hi]:.3f} eV); the band gap may lie outside it"
        )
    disagreement = float(systematic.max() - systematic.min())
    if disagreement > _WINDOW_DISAGREEMENT_eV:
        warnings.append(
            f"the smoothing windows disagree by {1000 * disagreement:.0f} meV "
            f"(> {1000 * _WINDOW_DISAGREEMENT_eV:.0f} meV, noise averaged out): the edge is "
            "too broad or asymmetric for a well-defined curvature minimum"
        )

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
        "interpolated_to_uniform_energy": not resample.identity,
        "energy_step_eV": float(step),
        "edge_search_range_eV": [float(searched[0]), float(searched[1])],
        "minimum_search_range_eV": [float(E[s_lo]), float(E[s_hi])],
        "noise_absorbance_estimate": float(sigma),
        "window_disagreement_eV": disagreement,
        "stderr_windows_eV": spread,
        "stderr_noise_eV": noise_term,
        "n_bootstrap": _N_BOOTSTRAP if sigma > 0 else 0,
    }
    curves = {
        "energy_eV": E,
        "absorbance": A,
        "smoothed": smoothed,
        "d2": _d2_full(A, m_chosen, polyorder, step),
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


_FONT = 10


def _curves(result: Result, name: str = "result") -> dict[str, NDArray[np.float64]]:
    if not isinstance(result, Result) or "band_gap_eV" not in result.quantities:
        raise InputError(
            "not a band-gap result",
            field=name,
            expected="a Result of band_gap_second_derivative",
            found=type(result).__name__,
        )
    missing = [k for k in ("energy_eV", "absorbance", "smoothed", "d2") if k not in result.curves]
    if missing:
        raise InputError(
            "the result carries no curves to plot",
            field=f"{name}.curves",
            expected="energy_eV, absorbance, smoothed, d2",
            found=missing,
        )
    return {
        k: np.asarray(result.curves[k], dtype=float)
        for k in ("energy_eV", "absorbance", "smoothed", "d2")
    }


def _gap(result: Result) -> tuple[float, float]:
    q = result.quantities["band_gap_eV"]
    err = float(q.stderr) if q.stderr is not None and math.isfinite(float(q.stderr)) else 0.0
    return float(q.value), err


def _nm_axis(ax: Axes) -> None:
    """Secondary x axis on top in wavelength (nm) for an axis in photon energy (eV)."""

    def conv(v: NDArray[np.float64]) -> NDArray[np.float64]:
        v = np.asarray(v, dtype=float)
        out = np.full_like(v, np.inf)
        np.divide(HC_eV_nm, v, out=out, where=v > 0)
        return out

    top = ax.secondary_xaxis("top", functions=(conv, conv))
    top.set_xlabel("wavelength (nm)", fontsize=_FONT)
    top.tick_params(labelsize=_FONT - 1)


def plot_band_gap(result: Result, ax: Axes | None = None) -> Figure:
    """Figure of one band-gap analysis.

    With ``ax=None`` a new two-panel :class:`~matplotlib.figure.Figure` (no pyplot state):
    top, the absorbance (measured points and Savitzky-Golay smooth) against photon energy with
    the band gap and its standard error marked (wavelength on the top axis); bottom, d2A/dE2
    with its minimum. With ``ax`` given, the absorbance panel is drawn into it and its figure
    is returned.
    """
    from matplotlib.figure import Figure

    c = _curves(result)
    E, A, S, d2 = c["energy_eV"], c["absorbance"], c["smoothed"], c["d2"]
    eg, err = _gap(result)
    label = f"$E_g$ = {format_value(eg, err or None, 'eV')}"
    label += f" ({HC_eV_nm / eg:.0f} nm)"

    if ax is None:
        fig = Figure(figsize=(6.0, 6.0), layout="constrained")
        ax_a, ax_d = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    else:
        fig, ax_a, ax_d = ax.figure, ax, None

    ax_a.plot(E, A, ".", ms=2.5, color="0.55", label="measured", zorder=1)
    ax_a.plot(E, S, "-", lw=1.6, color="C0", label="smoothed (Savitzky-Golay)", zorder=2)
    for a in (ax_a, ax_d):
        if a is None:
            continue
        if err > 0:
            a.axvspan(eg - err, eg + err, color="C3", alpha=0.18, lw=0)
        a.axvline(eg, color="C3", lw=1.2, ls="--", label=label if a is ax_a else None)
    ax_a.set_ylabel("absorbance", fontsize=_FONT + 1)
    ax_a.legend(fontsize=_FONT - 1, frameon=False, loc="upper left")
    ax_a.set_xlim(float(E[0]), float(E[-1]))
    ax_a.tick_params(labelsize=_FONT)
    _nm_axis(ax_a)

    if ax_d is None:
        ax_a.set_xlabel("photon energy (eV)", fontsize=_FONT + 1)
        return fig

    ax_d.plot(E, d2, "-", lw=1.4, color="C0")
    ax_d.axhline(0.0, color="0.6", lw=0.8)
    d2_at = float(np.interp(eg, E, d2))
    ax_d.plot([eg], [d2_at], "o", ms=6, mfc="none", mec="C3", mew=1.5, label="minimum")
    # y range from the interior, where the filter's end effects do not reach
    m = max(round(float(result.metadata.get("chosen_window_eV", 0.1)) / (E[1] - E[0])), 1)
    core = d2[m // 2 + 1 : d2.size - m // 2 - 1] if d2.size > m + 4 else d2
    lo, hi = float(np.min(core)), float(np.max(core))
    pad = 0.08 * (hi - lo if hi > lo else 1.0)
    ax_d.set_ylim(lo - pad, hi + pad)
    ax_d.set_xlabel("photon energy (eV)", fontsize=_FONT + 1)
    ax_d.set_ylabel(r"$d^2A/dE^2$ (eV$^{-2}$)", fontsize=_FONT + 1)
    ax_d.legend(fontsize=_FONT - 1, frameon=False, loc="upper right")
    ax_d.tick_params(labelsize=_FONT)
    return fig


def plot_band_gap_comparison(results: Mapping[str, Result]) -> Figure:
    """Band gaps of several samples, like Fig. 4a of the ZCIS paper.

    Left: the smoothed absorbance spectra against wavelength, each normalised to 1 at its own
    band gap (so the edges are compared at equal height) and the band gap marked on each
    curve. Right: band gap (eV, with standard errors) against sample, in the given order.
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    if not isinstance(results, Mapping) or not results:
        raise InputError(
            "no results to compare",
            field="results",
            expected="a non-empty mapping of sample name to band-gap Result",
            found=type(results).__name__ if not isinstance(results, Mapping) else "{}",
        )
    names = list(results)
    curves = [_curves(results[k], name=f"results[{k!r}]") for k in names]
    gaps = [_gap(results[k]) for k in names]
    cmap = colormaps["viridis"]
    colours = [cmap(0.85 * i / max(len(names) - 1, 1)) for i in range(len(names))]

    fig = Figure(figsize=(8.0, 4.0), layout="constrained")
    ax_s, ax_g = fig.subplots(1, 2, width_ratios=(2.1, 1))
    ymax = 1.0
    for name, c, (eg, _), colour in zip(names, curves, gaps, colours, strict=True):
        E, S = c["energy_eV"], c["smoothed"]
        norm = float(np.interp(eg, E, S))
        if not norm > 0:
            norm = float(np.max(np.abs(S))) or 1.0
        wl = HC_eV_nm / E
        y = S / norm
        ax_s.plot(wl, y, "-", lw=1.6, color=colour, label=f"{name}: {eg:.2f} eV")
        ax_s.plot([HC_eV_nm / eg], [1.0], "o", ms=6, color=colour, mec="k", mew=0.6, zorder=3)
        ax_s.axvline(HC_eV_nm / eg, color=colour, lw=0.8, ls=":")
        ymax = max(ymax, float(np.max(y[wl >= 380.0])) if np.any(wl >= 380.0) else 1.0)
    ax_s.set_xlabel("wavelength (nm)", fontsize=_FONT + 1)
    ax_s.set_ylabel("absorbance (normalised at $E_g$)", fontsize=_FONT + 1)
    ax_s.set_ylim(0.0, min(ymax, 4.0) * 1.05)
    ax_s.legend(fontsize=_FONT - 1, frameon=False, title="sample: $E_g$", title_fontsize=_FONT - 1)
    ax_s.tick_params(labelsize=_FONT)

    x = np.arange(len(names))
    for i, ((eg, err), colour) in enumerate(zip(gaps, colours, strict=True)):
        ax_g.errorbar(i, eg, yerr=err, fmt="o", ms=7, color=colour, mec="k", mew=0.6, capsize=3)
    ax_g.plot(x, [g for g, _ in gaps], "-", color="0.6", lw=0.8, zorder=0)
    ax_g.set_xticks(
        x,
        names,
        rotation=30 if max(len(n) for n in names) > 6 else 0,
        ha="right" if max(len(n) for n in names) > 6 else "center",
    )
    ax_g.set_xlim(-0.5, len(names) - 0.5)
    lo = min(g - e for g, e in gaps)
    hi = max(g + e for g, e in gaps)
    pad = max(0.15 * (hi - lo), 0.03)
    ax_g.set_ylim(lo - pad, hi + pad)
    ax_g.set_ylabel("band gap $E_g$ (eV)", fontsize=_FONT + 1)
    ax_g.set_xlabel("sample", fontsize=_FONT + 1)
    ax_g.tick_params(labelsize=_FONT)
    ax_g.grid(axis="y", color="0.9", lw=0.6)
    return fig
