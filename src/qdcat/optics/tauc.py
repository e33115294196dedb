"""Band gap by Tauc extrapolation, with automatic selection of the linear region, and the
Kubelka-Munk function for diffuse reflectance.

Method
------
Near the absorption onset of a bulk semiconductor the absorption coefficient follows
``(alpha h nu)^(1/n) = B (h nu - E_g)`` (Tauc, Grigorovici & Vancu, phys. stat. sol. 15, 627
(1966), doi:10.1002/pssb.19660150224), with ``n = 1/2`` for direct allowed transitions
(``(alpha h nu)^2``) and ``n = 2`` for indirect allowed ones (``(alpha h nu)^(1/2)``). The band
gap is where the straight part of ``y = (alpha h nu)^(1/n)`` against ``h nu`` extrapolates to
zero. Absorbance stands in for ``alpha`` (they are proportional for a fixed path length and
concentration, which leaves the intercept unchanged); for a powder measured in diffuse
reflectance the Kubelka-Munk function ``F(R) = (1 - R)^2 / (2 R)`` (Kubelka & Munk,
Z. Tech. Phys. 12, 593 (1931)) does (see Makula, Pacia & Macyk, J. Phys. Chem. Lett. 9, 6814
(2018), doi:10.1021/acs.jpclett.8b02892, for the practice and its pitfalls).

Choosing the straight part by eye is the weak point of the method; here it is automatic:

1. The absorption ``a`` (absorbance, or ``F(R)``) is taken at the measured points, sorted by
   energy and restricted to ``energy_range_eV`` when given; ``y = (a E)^(1/n)`` (negative
   ``a`` counts as 0).
2. Noise. The local noise ``sigma_a`` of ``a`` is the median absolute second difference over
   a window of :data:`SLOPE_WINDOW_eV` (``1.4826 median|d2| / sqrt 6``; floored at 1e-5 of
   the largest ``a``), propagated to ``y`` as ``sigma_y = |dy/da| sigma_a`` at the smoothed
   ``a`` (Savitzky-Golay, quadratic, same window; ``a >= 3 sigma_a`` there, because the
   1/2-power is infinitely steep at zero).
3. Edge. The slope ``dy/dE`` of the Tauc function of the smoothed absorption (a
   Savitzky-Golay derivative) is set to 0 where the smoothed ``a`` is within 3 ``sigma_a`` of
   zero. Its peaks (inflections of the Tauc plot) that stand out of the noise of a
   least-squares slope by :data:`SIGNIFICANCE` (height and prominence) are candidates; the
   edge is the lowest-energy candidate at least :data:`PRONOUNCED` as high as the highest
   candidate and as the steepest slope within :data:`LOOKAHEAD_eV` above it (so a weak
   intragap shoulder or a bump of the noise below the real onset is passed over, and the rise
   of ``y`` into the UV, which is no peak, is not taken for the edge); a candidate whose
   steep run (step 4) merges into a rise more than 1/:data:`PRONOUNCED` times steeper is a
   shoulder on that rise and is passed over too. An edge whose slope only levels off (an
   ideal straight Tauc onset) has no such peak: its steepest point is used, provided the slope
   does level off (over the upper half of the steep part it may not grow by more than
   :data:`LEVELLING` of its mean and :data:`SIGNIFICANCE` x its noise when that half reaches
   the end of the range: a power-law rise such as scattering is no edge).
4. The *steep part* is the contiguous run of points around that maximum whose slope is at
   least :data:`STEEP_FRACTION` of it; a candidate whose run is shorter than
   2 x :data:`MIN_WINDOW_POINTS` (a spike of the noise) is passed over. The smoothed
   absorption must rise over the steep part by more than :data:`EDGE_RISE` x its noise
   (a flat absorption still gives a rising ``(a E)^(1/n)`` through the factor ``E``). Either
   failure raises "no absorption edge".
5. Every window of at least :data:`MIN_WINDOW_POINTS` points (and 20 % of the steep part)
   inside the steep part is fitted by weighted least squares (weights ``1/sigma_y^2``; all
   windows at once from cumulative sums). A window is *straight within the noise* when its
   chi^2 per degree of freedom is within 3 standard deviations of 1 and the standardised
   mean residual of its first and of its last fifth is within :data:`END_Z` (a rounded onset
   shows there long before it moves chi^2). Among the straight windows the one maximising
   ``R^2 x (E_j - E_i)`` is taken: the longest straight stretch. Without any, the longest
   window with ``R^2 >= r2_min`` is taken, and without that the straightest shortest window
   (the tangent at the straightest point); a warning says so.
6. ``E_g = -b / m`` for the line ``y = m E + b``. Its standard error combines the
   least-squares term, ``var(E_g) = [var(b) + E_g^2 var(m) + 2 E_g cov(m, b)] / m^2`` (the
   covariance scaled up by chi^2 per degree of freedom when that exceeds 1), and a selection
   term: the standard deviation of the intercepts of the other straight windows at least half
   as long as the chosen one (how much the answer depends on where the stretch starts).
   On simulated edges with a rounded onset and noise, the error so computed covers the truth
   (tests in ``tests/test_optics_tauc.py``).

For quantum dots, whose edge is an excitonic peak rather than a square-root onset, the Tauc
intercept lies below the exciton and below the second-derivative band gap of
:mod:`qdcat.optics.bandgap`; it is offered beside it, not instead of it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result, format_value
from qdcat.core.validation import energy_window
from qdcat.optics.bandgap import _validated_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "TRANSITIONS",
    "band_gap_kubelka_munk",
    "band_gap_tauc",
    "kubelka_munk",
    "plot_tauc",
    "tauc_transform",
]

#: Tauc exponent n of each transition type: y = (alpha h nu)^(1/n).
TRANSITIONS: dict[str, float] = {"direct": 0.5, "indirect": 2.0}
SLOPE_WINDOW_eV = 0.08
PRONOUNCED = 0.3
STEEP_FRACTION = 0.6
MIN_WINDOW_POINTS = 5
R2_MIN = 0.99
SIGNIFICANCE = 5.0
END_Z = 3.0
LOOKAHEAD_eV = 0.3
EDGE_RISE = 10.0
LEVELLING = 0.15
MIN_POINTS = 10


def kubelka_munk(reflectance: ArrayLike | xr.DataArray) -> Any:
    """Kubelka-Munk remission function ``F(R) = (1 - R)^2 / (2 R)`` of a diffuse reflectance
    ``R`` given as a fraction (0 < R; values slightly above 1 from a noisy 100 % line are
    allowed). ``F(R) = K / S`` is proportional to the absorption coefficient for a constant
    scattering coefficient (Kubelka & Munk, Z. Tech. Phys. 12, 593 (1931)).

    A :class:`xarray.DataArray` gives a DataArray named ``'kubelka_munk'``.
    """
    if isinstance(reflectance, xr.DataArray):
        r = np.asarray(reflectance.values, dtype=float)
        _check_reflectance(r, reflectance.attrs.get("source_file"))
        out = reflectance.copy(data=(1.0 - r) ** 2 / (2.0 * r))
        out.name = "kubelka_munk"
        out.attrs = {
            **reflectance.attrs,
            "quantity": "kubelka_munk",
            "long_name": "Kubelka-Munk function F(R)",
            "units": "",
        }
        return out
    r = np.asarray(reflectance, dtype=float)
    _check_reflectance(r, None)
    return (1.0 - r) ** 2 / (2.0 * r)


def _check_reflectance(r: NDArray[np.float64], source: Any) -> None:
    bad = np.flatnonzero(~(r > 0) | ~np.isfinite(r))
    if bad.size:
        k = int(bad[0])
        raise InputError(
            "diffuse reflectance must be a positive fraction for the Kubelka-Munk function",
            file=source,
            field="reflectance",
            expected="0 < R (as a fraction; percent values are converted by the readers)",
            found=float(r.flat[k]),
        )
    over = np.flatnonzero(r > 1.05)
    if over.size:
        raise InputError(
            "diffuse reflectance above 105 %: not a fraction (give percent values to the "
            "readers, which convert them, or divide by 100)",
            file=source,
            field="reflectance",
            expected="0 < R <= 1",
            found=float(r.flat[int(over[0])]),
        )


def tauc_transform(
    energy_eV: ArrayLike, absorption: ArrayLike, transition: str = "direct"
) -> NDArray[np.float64]:
    """``(absorption x E)^(1/n)`` with ``n`` from :data:`TRANSITIONS`; negative absorption
    counts as 0 (dimension: (absorption x eV)^(1/n))."""
    n = _exponent(transition)
    a = np.clip(np.asarray(absorption, dtype=float), 0.0, None)
    return (a * np.asarray(energy_eV, dtype=float)) ** (1.0 / n)


def _exponent(transition: str) -> float:
    if transition not in TRANSITIONS:
        raise InputError(
            "unknown transition type",
            field="transition",
            expected="'direct' ((alpha h nu)^2) or 'indirect' ((alpha h nu)^(1/2))",
            found=transition,
        )
    return TRANSITIONS[transition]


def _local_noise(a: NDArray[np.float64], half: int) -> NDArray[np.float64]:
    """Local white-noise standard deviation of ``a``: the median absolute second difference
    over the window i-half..i+half, scaled to a standard deviation (a second difference of
    white noise has variance 6 sigma^2; a smooth curve adds only step^2 a'')."""
    d2 = np.abs(np.diff(a, 2))
    d2 = np.concatenate(([d2[0]], d2, [d2[-1]]))
    padded = np.pad(d2, half, mode="edge")
    med = np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=-1)
    return 1.4826 * med / math.sqrt(6.0)


def _windows(
    E: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64], min_len: int
) -> dict[str, NDArray]:
    """Weighted straight-line fits ``y = m E + b`` (weights ``w = 1/sigma^2``) over every
    window [i, j] with j - i + 1 >= min_len, all at once from cumulative sums."""
    x0 = float(E.mean())
    x = E - x0  # centred for numerical accuracy

    def cum(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.concatenate(([0.0], np.cumsum(v)))

    cs, cx, cy = cum(w), cum(w * x), cum(w * y)
    cxx, cxy, cyy = cum(w * x * x), cum(w * x * y), cum(w * y * y)
    i, j = np.triu_indices(E.size, k=min_len - 1)
    h = j + 1
    S, Sx, Sy = cs[h] - cs[i], cx[h] - cx[i], cy[h] - cy[i]
    Sxx, Sxy, Syy = cxx[h] - cxx[i], cxy[h] - cxy[i], cyy[h] - cyy[i]
    D = S * Sxx - Sx * Sx
    ok = D > 0
    Ds = np.where(ok, D, 1.0)
    m = np.where(ok, (S * Sxy - Sx * Sy) / Ds, 0.0)
    bc = np.where(ok, (Sxx * Sy - Sx * Sxy) / Ds, 0.0)
    chi2 = Syy - 2 * m * Sxy - 2 * bc * Sy + m * m * Sxx + 2 * m * bc * Sx + bc * bc * S
    chi2 = np.clip(chi2, 0.0, None)
    tss = Syy - np.where(S > 0, Sy * Sy / np.where(S > 0, S, 1.0), 0.0)
    r2 = np.where(ok & (tss > 0), 1.0 - chi2 / np.where(tss > 0, tss, 1.0), 0.0)

    # mean residuals of the first and last q points of each window, standardised
    # (sum(w r) / sqrt(sum(w))), for q = 4, 8, 16 and k // 5: a curved end (a rounded onset)
    # shows up here long before it moves chi^2 of a long window
    def end_z(a0: NDArray[np.intp], a1: NDArray[np.intp]) -> NDArray[np.float64]:
        s0, sx0, sy0 = cs[a1] - cs[a0], cx[a1] - cx[a0], cy[a1] - cy[a0]
        r = sy0 - m * sx0 - bc * s0
        return np.where(s0 > 0, r / np.sqrt(np.where(s0 > 0, s0, 1.0)), 0.0)

    z_start = np.zeros(m.shape)
    z_end = np.zeros(m.shape)
    for q in (np.full(h.shape, 4), np.full(h.shape, 8), np.full(h.shape, 16), (h - i) // 5):
        q = np.clip(q, 3, h - i)
        z_start = np.maximum(z_start, np.abs(end_z(i, i + q)))
        z_end = np.maximum(z_end, np.abs(end_z(h - q, h)))
    return {
        "z_start": z_start,
        "z_end": z_end,
        "i": i,
        "j": j,
        "k": (h - i).astype(float),
        "m": m,
        "bc": bc,
        "x0": np.full(m.shape, x0),
        "chi2": chi2,
        "r2": r2,
        "var_m": np.where(ok, S / Ds, np.inf),
        "var_bc": np.where(ok, Sxx / Ds, np.inf),
        "cov": np.where(ok, -Sx / Ds, 0.0),
    }


def _smooth(
    a: NDArray[np.float64], half: int, deriv: int = 0, delta: float = 1.0
) -> NDArray[np.float64]:
    """Quadratic Savitzky-Golay smooth (or derivative) over 2 half + 1 points, by index (the
    energy grid of a spectrum is uniform or, from a uniform wavelength grid, nearly so)."""
    from scipy.signal import savgol_filter

    m = min(2 * half + 1, a.size if a.size % 2 else a.size - 1)
    if m < 3:
        return np.gradient(a, delta) if deriv else a.copy()
    return savgol_filter(a, m, min(2, m - 1), deriv=deriv, delta=delta, mode="interp")


def _tauc_fit(
    E_all: NDArray[np.float64],
    a_all: NDArray[np.float64],
    *,
    transition: str,
    energy_range_eV: tuple[float, float] | None,
    r2_min: float,
    label: str,
) -> dict[str, Any]:
    warnings: list[str] = []
    inv_n = 1.0 / _exponent(transition)
    sel = energy_window(E_all, energy_range_eV, min_points=MIN_POINTS)
    E, a = E_all[sel], a_all[sel]
    a_scale = float(np.max(np.abs(a)))
    if not a_scale > 0:
        raise InputError(
            f"no absorption edge: the {label} is zero everywhere in the range",
            field=label,
            expected="a rising absorption edge",
        )
    step = float(np.median(np.diff(E)))
    half = max(2, round(SLOPE_WINDOW_eV / step / 2))
    # noise of the absorption (absorbance or F(R)), floored at 1e-5 of its scale (the
    # resolution of a 5-decimal export) so that noiseless data are not given infinite weight
    sigma_a = np.maximum(_local_noise(a, half), 1e-5 * a_scale)
    a_s = _smooth(a, half)
    y = tauc_transform(E, a, transition)
    y_s = tauc_transform(E, a_s, transition)
    # propagated noise of y: |dy/da| sigma_a, dy/da = (1/n) a^(1/n - 1) E^(1/n), at the
    # smoothed absorption, kept >= 3 sigma_a (the 1/2-power is infinitely steep at 0)
    a_eff = np.maximum(a_s, 3.0 * sigma_a)
    sigma_y = inv_n * a_eff ** (inv_n - 1.0) * E**inv_n * sigma_a
    y_scale = float(np.max(y_s)) if np.max(y_s) > 0 else float(np.max(y))
    if not y_scale > 0:
        raise InputError(
            f"no absorption edge: the {label} is not positive anywhere in the range",
            field=label,
            expected="a rising absorption edge",
        )
    yn, ysn, sn = y / y_scale, y_s / y_scale, sigma_y / y_scale
    # local slope of the Tauc function of the smoothed absorption (a Savitzky-Golay first
    # derivative over the same window) and its noise (least-squares slope over k points)
    k_w = 2 * half + 1
    slope = _smooth(ysn, half, deriv=1, delta=step)
    # where the smoothed absorption is within 3 sigma of zero the Tauc function is noise (its
    # 1/2-power rises steeply out of zero): no edge there
    slope = np.where(a_s >= 3.0 * sigma_a, slope, 0.0)
    slope_noise = sn * math.sqrt(12.0 / (k_w * (k_w * k_w - 1.0))) / step
    from scipy.signal import find_peaks

    s_max = float(np.max(slope))
    peaks, props = find_peaks(slope, prominence=0.0)
    significant = (props["prominences"] >= SIGNIFICANCE * slope_noise[peaks]) & (
        slope[peaks] >= SIGNIFICANCE * slope_noise[peaks]
    )
    peaks = peaks[significant]
    candidates = []
    tallest = float(np.max(slope[peaks])) if peaks.size else 0.0
    for i in peaks:
        ahead = slope[(E[i] < E) & (E[i] + LOOKAHEAD_eV >= E)]
        ahead_max = float(ahead.max()) if ahead.size else 0.0
        if slope[i] >= PRONOUNCED * max(ahead_max, tallest):
            candidates.append(int(i))
    i_top = int(np.argmax(slope))
    if not s_max > 0 or (not candidates and slope[i_top] < SIGNIFICANCE * slope_noise[i_top]):
        raise InputError(
            f"no absorption edge: the Tauc function of the {label} does not rise "
            "significantly above its noise anywhere in the range",
            field=label,
            expected=f"a rising edge steeper than {SIGNIFICANCE:g} x the noise of its slope",
            found=f"{E[0]:.3f}-{E[-1]:.3f} eV",
        )

    def steep_run(i_peak: int) -> tuple[int, int]:
        s_peak = float(slope[i_peak])
        lo = i_peak
        while lo > 0 and slope[lo - 1] >= STEEP_FRACTION * s_peak:
            lo -= 1
        hi = i_peak
        while hi < E.size - 1 and slope[hi + 1] >= STEEP_FRACTION * s_peak:
            hi += 1
        return lo, hi

    # an edge rises over a stretch: a spike of the slope (noise at the onset, where the
    # power of a small absorption is steep) spans too few points to be one
    runs = [(i, *steep_run(i)) for i in (*candidates, i_top)]
    # ... and a candidate whose steep run merges into a much steeper rise is a shoulder on
    # that rise (a bump in the transparent tail below the onset), not the edge
    runs = [
        r
        for r in runs
        if r[0] == i_top or float(np.max(slope[r[1] : r[2] + 1])) <= slope[r[0]] / PRONOUNCED
    ]
    wide = [r for r in runs if r[2] - r[1] + 1 >= 2 * MIN_WINDOW_POINTS]
    i_peak, lo, hi = wide[0] if wide else runs[-1]
    n_steep = hi - lo + 1
    if i_peak == i_top and i_top not in candidates and n_steep >= 3:
        # no inflection: acceptable only for an onset whose Tauc slope levels off (an ideal
        # straight Tauc line); a slope that keeps growing to the end of the range is a
        # power-law rise (scatter, an onset above the range), not an edge
        mid = (lo + hi) // 2  # the upper half of the steep run: flat for a levelled slope
        trend = np.polyfit(E[mid : hi + 1], slope[mid : hi + 1], 1)[0] * (E[hi] - E[mid])
        noise_mid = float(np.median(slope_noise[mid : hi + 1]))
        if (
            trend > LEVELLING * float(np.mean(slope[mid : hi + 1]))
            and trend > SIGNIFICANCE * noise_mid
            and hi >= E.size - 1 - half
        ):
            raise InputError(
                f"no absorption edge: the Tauc plot of the {label} keeps steepening up to the "
                "end of the range (a power-law rise such as scattering, or an onset above "
                "the range)",
                field=label,
                expected="an onset whose Tauc slope peaks or levels off within the range",
                found=f"{E[0]:.3f}-{E[-1]:.3f} eV",
            )
    # the absorption itself must rise over the steep part (a flat absorption still gives
    # a rising (a E)^(1/n), through the factor E)
    rise = float(a_s[hi] - a_s[lo])
    if not rise > EDGE_RISE * float(np.median(sigma_a[lo : hi + 1])):
        raise InputError(
            f"no absorption edge: the {label} does not rise significantly over the steepest "
            "part of its Tauc plot",
            field=label,
            expected=f"an absorption rising by more than {EDGE_RISE:g} x its noise",
            found=f"a rise of {rise:.3g} between {E[lo]:.3f} and {E[hi]:.3f} eV",
        )
    if n_steep < MIN_WINDOW_POINTS:
        lo = max(0, i_peak - MIN_WINDOW_POINTS // 2)
        hi = min(E.size - 1, lo + MIN_WINDOW_POINTS - 1)
        lo = max(0, hi - MIN_WINDOW_POINTS + 1)
        n_steep = hi - lo + 1
        warnings.append(
            f"the steep part of the Tauc plot is shorter than {MIN_WINDOW_POINTS} points; "
            f"the line is fitted to the {n_steep} points around the steepest point"
        )
    min_len = min(max(MIN_WINDOW_POINTS, math.ceil(0.2 * n_steep)), n_steep)
    part = slice(lo, hi + 1)
    win = _windows(E[part], yn[part], 1.0 / sn[part] ** 2, min_len)
    length = E[part][win["j"]] - E[part][win["i"]]
    dof = np.maximum(win["k"] - 2.0, 1.0)
    chi2_red = win["chi2"] / dof
    # straight within the noise: chi^2 per degree of freedom within 3 standard deviations
    # of its expectation (1)
    straight = (
        (chi2_red <= 1.0 + 3.0 * np.sqrt(2.0 / dof))
        & (np.abs(win["z_start"]) <= END_Z)
        & (np.abs(win["z_end"]) <= END_Z)
        & (win["m"] > 0)
    )
    rising = win["m"] > 0
    if straight.any():
        pool = np.flatnonzero(straight)
        best = int(pool[np.argmax((win["r2"] * length)[pool])])
        criterion = "longest stretch straight within the noise"
    elif (rising & (win["r2"] >= r2_min)).any():
        pool = np.flatnonzero(rising & (win["r2"] >= r2_min))
        best = int(pool[np.argmax((win["r2"] * length)[pool])])
        criterion = f"longest stretch with R^2 >= {r2_min:g}"
        warnings.append(
            "no stretch of the Tauc plot is straight within the noise; the line is fitted to "
            f"the longest stretch with R^2 >= {r2_min:g} (R^2 = {win['r2'][best]:.4f})"
        )
    else:
        shortest = rising & (win["k"] == min_len)
        pool = np.flatnonzero(shortest if shortest.any() else rising)
        if pool.size == 0:
            raise InputError(
                f"no absorption edge: no rising stretch in the Tauc plot of the {label}",
                field=label,
                expected="a rising absorption edge within the range",
                found=f"{E[0]:.3f}-{E[-1]:.3f} eV",
            )
        best = int(pool[np.argmin(chi2_red[pool])])
        criterion = "straightest shortest stretch (tangent)"
        warnings.append(
            "the Tauc plot has no straight stretch (no window reaches R^2 >= "
            f"{r2_min:g}); the line is the tangent over its straightest {min_len} points: "
            "the intercept is uncertain"
        )
    i0, i1 = lo + int(win["i"][best]), lo + int(win["j"][best])
    k = int(win["k"][best])
    m, bc, x0 = float(win["m"][best]), float(win["bc"][best]), float(win["x0"][best])
    scale2 = max(float(chi2_red[best]), 1.0)  # inflate for a misfit, never shrink
    var_m, var_bc, cov = (float(win[q][best]) * scale2 for q in ("var_m", "var_bc", "cov"))
    eg = x0 - bc / m
    var_eg = var_bc / m**2 + bc**2 * var_m / m**4 - 2.0 * bc * cov / m**3
    stderr_fit = math.sqrt(max(var_eg, 0.0))
    # selection term: the spread of the intercepts of the other acceptable stretches at least
    # half as long as the chosen one (how much the answer depends on where the line starts)
    peers = pool[length[pool] >= 0.5 * length[best]] if pool.size > 1 else pool
    eg_peers = win["x0"][peers] - win["bc"][peers] / win["m"][peers]
    stderr_sel = float(np.std(eg_peers)) if eg_peers.size > 1 else 0.0
    stderr = math.hypot(stderr_fit, stderr_sel)
    if not (E[0] - 1.0 < eg < E[-1]):
        warnings.append(
            f"the extrapolated intercept {eg:.3f} eV lies far outside the fitted stretch "
            f"({E[i0]:.3f}-{E[i1]:.3f} eV)"
        )
    if i0 == 0:
        warnings.append(
            "the straight stretch starts at the low-energy end of the range: the onset may "
            "lie below it"
        )
    return {
        "E": E,
        "y": y,
        "band_gap": eg,
        "stderr": stderr,
        "slope": m * y_scale,
        "intercept": (bc - m * x0) * y_scale,
        "window": (float(E[i0]), float(E[i1])),
        "n_window": k,
        "r2": float(win["r2"][best]),
        "chi2_reduced": float(chi2_red[best]),
        "criterion": criterion,
        "steep": (float(E[lo]), float(E[hi])),
        "noise": float(np.median(sigma_a)),
        "stderr_fit": stderr_fit,
        "stderr_selection": stderr_sel,
        "warnings": warnings,
    }


def _spectrum_energy(spectrum: Any, label: str) -> tuple[str, NDArray, NDArray]:
    dim, x, v = _validated_axis(spectrum, label=label, min_points=MIN_POINTS)
    E = HC_eV_nm / x if dim == "wavelength_nm" else x
    order = np.argsort(E)
    return dim, E[order], v[order]


def _result(
    fit: dict[str, Any],
    *,
    method: str,
    description: str,
    transition: str,
    y_label: str,
    dim: str,
    source: Any,
    r2_min: float,
) -> Result:
    eg, err = fit["band_gap"], fit["stderr"]
    E = fit["E"]
    line = fit["slope"] * E + fit["intercept"]
    quantities = {
        "band_gap_eV": Quantity(eg, err, "eV", f"band gap: {description}"),
        "band_gap_nm": Quantity(
            HC_eV_nm / eg if eg > 0 else float("nan"),
            HC_eV_nm / eg**2 * err if eg > 0 else None,
            "nm",
            "wavelength of the band gap, hc/Eg",
        ),
    }
    metadata: dict[str, Any] = {
        "method": method,
        "method_description": description,
        "transition": transition,
        "tauc_exponent_n": TRANSITIONS[transition],
        "tauc_quantity": y_label,
        "linear_region_eV": list(fit["window"]),
        "linear_region_points": fit["n_window"],
        "linear_region_r2": fit["r2"],
        "linear_region_chi2_reduced": fit["chi2_reduced"],
        "linear_region_criterion": fit["criterion"],
        "noise_estimate": fit["noise"],
        "stderr_fit_eV": fit["stderr_fit"],
        "stderr_selection_eV": fit["stderr_selection"],
        "steep_part_eV": list(fit["steep"]),
        "r2_min": r2_min,
        "input_dimension": dim,
    }
    if source is not None:
        metadata["source_file"] = str(source)
    return Result(
        analysis="band_gap",
        quantities=quantities,
        warnings=tuple(fit["warnings"]),
        metadata=metadata,
        curves={"energy_eV": E, "tauc": fit["y"], "line": line},
    )


def band_gap_tauc(
    spectrum: xr.DataArray,
    *,
    transition: str = "direct",
    energy_range_eV: tuple[float, float] | None = None,
    r2_min: float = R2_MIN,
) -> Result:
    """Band gap (eV) by Tauc extrapolation of an absorbance spectrum.

    Parameters
    ----------
    spectrum:
        Absorbance (decadic) over ``'wavelength_nm'`` (nm) or ``'energy_eV'`` (eV), either
        direction, at least 10 points. A transmittance spectrum from
        :func:`qdcat.io.spectra.read_spectrum` is converted (``A = -log10 T``).
    transition:
        ``'direct'`` (``(A h nu)^2``) or ``'indirect'`` (``(A h nu)^(1/2)``).
    energy_range_eV:
        ``(low, high)`` photon energies (eV) to which the analysis is restricted.
    r2_min:
        Smallest R^2 of an acceptable straight stretch (default 0.99).

    Returns
    -------
    Result
        ``analysis='band_gap'``; ``band_gap_eV`` and ``band_gap_nm`` with standard errors
        from the intercept; ``metadata['method']`` ``'tauc-direct'`` or ``'tauc-indirect'``,
        the linear region (eV), its R^2 and point count; curves ``energy_eV``, ``tauc``,
        ``line``.

    Raises
    ------
    InputError
        Bad axis or values (as :func:`~qdcat.optics.band_gap_second_derivative`), unknown
        transition, an energy range with too few points, or no rising edge.
    """
    from qdcat.io.spectra import to_absorbance

    _exponent(transition)
    if isinstance(spectrum, xr.DataArray) and spectrum.attrs.get("quantity") == "transmittance":
        spectrum = to_absorbance(spectrum)
    dim, E, A = _spectrum_energy(spectrum, "absorbance")
    fit = _tauc_fit(
        E,
        A,
        transition=transition,
        energy_range_eV=energy_range_eV,
        r2_min=r2_min,
        label="absorbance",
    )
    power = "2" if transition == "direct" else "1/2"
    return _result(
        fit,
        method=f"tauc-{transition}",
        description=f"Tauc plot, {transition} allowed transition, (A h nu)^{power} "
        "extrapolated to zero over an automatically chosen straight stretch",
        transition=transition,
        y_label=f"(A h nu)^{power}",
        dim=dim,
        source=spectrum.attrs.get("source_file") if isinstance(spectrum, xr.DataArray) else None,
        r2_min=r2_min,
    )


def band_gap_kubelka_munk(
    spectrum: xr.DataArray,
    *,
    transition: str = "direct",
    energy_range_eV: tuple[float, float] | None = None,
    r2_min: float = R2_MIN,
) -> Result:
    """Band gap (eV) of a powder from its diffuse reflectance: Tauc extrapolation of
    ``(F(R) h nu)^(1/n)`` with the Kubelka-Munk function ``F(R) = (1 - R)^2 / (2 R)``.

    ``spectrum`` is the reflectance as a fraction (0-1; the readers convert percent) over
    ``'wavelength_nm'`` or ``'energy_eV'``. Other parameters and the result as for
    :func:`band_gap_tauc`; ``metadata['method']`` is ``'kubelka-munk-direct'`` or
    ``'kubelka-munk-indirect'``, curves also hold ``kubelka_munk``.
    """
    _exponent(transition)
    quantity = spectrum.attrs.get("quantity") if isinstance(spectrum, xr.DataArray) else None
    if quantity is not None and quantity != "reflectance":
        raise InputError(
            f"the Kubelka-Munk method needs a diffuse reflectance spectrum, not {quantity}",
            file=spectrum.attrs.get("source_file"),
            field="quantity",
            expected="reflectance (%R or R)",
            found=quantity,
        )
    dim, E, R = _spectrum_energy(spectrum, "reflectance")
    source = spectrum.attrs.get("source_file") if isinstance(spectrum, xr.DataArray) else None
    _check_reflectance(R, source)
    F = (1.0 - R) ** 2 / (2.0 * R)
    fit = _tauc_fit(
        E,
        F,
        transition=transition,
        energy_range_eV=energy_range_eV,
        r2_min=r2_min,
        label="reflectance",
    )
    power = "2" if transition == "direct" else "1/2"
    result = _result(
        fit,
        method=f"kubelka-munk-{transition}",
        description=f"Kubelka-Munk F(R) = (1-R)^2/2R, Tauc plot of (F(R) h nu)^{power} "
        f"({transition} allowed) extrapolated to zero over an automatically chosen straight "
        "stretch",
        transition=transition,
        y_label=f"(F(R) h nu)^{power}",
        dim=dim,
        source=source,
        r2_min=r2_min,
    )
    sel = (fit["E"][0] <= E) & (fit["E"][-1] >= E)
    return Result(
        analysis=result.analysis,
        quantities=result.quantities,
        warnings=result.warnings,
        metadata=result.metadata,
        curves={**result.curves, "kubelka_munk": F[sel]},
    )


def plot_tauc(result: Result, ax: Axes | None = None) -> Figure:
    """Tauc plot of a :func:`band_gap_tauc` / :func:`band_gap_kubelka_munk` result: the Tauc
    function against photon energy, the fitted straight stretch highlighted and its line
    extrapolated to the band gap (wavelength on the top axis)."""
    from matplotlib.figure import Figure

    from qdcat.optics.bandgap import _nm_axis

    missing = [k for k in ("energy_eV", "tauc", "line") if k not in result.curves]
    if missing or "band_gap_eV" not in result.quantities:
        raise InputError(
            "not a Tauc result with curves",
            field="result",
            expected="a Result of band_gap_tauc or band_gap_kubelka_munk",
            found=missing or list(result.quantities),
        )
    E = np.asarray(result.curves["energy_eV"], dtype=float)
    y = np.asarray(result.curves["tauc"], dtype=float)
    line = np.asarray(result.curves["line"], dtype=float)
    q = result.quantities["band_gap_eV"]
    eg = float(q.value)
    err = float(q.stderr) if q.stderr is not None else None
    lo, hi = result.metadata.get("linear_region_eV", [E[0], E[-1]])
    if ax is None:
        fig = Figure(figsize=(6.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.plot(E, y, ".", ms=2.5, color="0.45", label="Tauc function")
    inside = (lo <= E) & (hi >= E)
    ax.plot(E[inside], y[inside], ".", ms=3.5, color="C0", label="fitted straight stretch")
    slope = (line[-1] - line[0]) / (E[-1] - E[0]) if E[-1] > E[0] else 0.0
    xs = np.linspace(min(eg, lo), hi, 50)
    ys = slope * (xs - eg)
    ax.plot(xs, ys, "-", color="C3", lw=1.4, label=f"$E_g$ = {format_value(eg, err, 'eV')}")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.axvline(eg, color="C3", lw=1.0, ls="--")
    ytop = float(np.nanmax(y[hi + 0.5 * (hi - lo) + 0.2 >= E])) if np.any(hi + 0.2 >= E) else 1.0
    ax.set_ylim(-0.05 * ytop, 1.15 * ytop)
    ax.set_xlim(float(E[0]), float(min(E[-1], hi + max(0.6, 2.0 * (hi - lo)))))
    ax.set_xlabel("photon energy (eV)", fontsize=11)
    label = str(result.metadata.get("tauc_quantity", "Tauc function"))
    pretty = {
        "(A h nu)^2": r"$(A\,h\nu)^2$ (eV$^2$)",
        "(A h nu)^1/2": r"$(A\,h\nu)^{1/2}$ (eV$^{1/2}$)",
        "(F(R) h nu)^2": r"$(F(R)\,h\nu)^2$ (eV$^2$)",
        "(F(R) h nu)^1/2": r"$(F(R)\,h\nu)^{1/2}$ (eV$^{1/2}$)",
    }
    ax.set_ylabel(pretty.get(label, label), fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    _nm_axis(ax)
    return fig
