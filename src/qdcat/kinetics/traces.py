"""Single kinetic traces and single TA spectra: exponential fits, band finding, bleach shape.

Kinetic traces
--------------
:func:`fit_trace` fits one trace ``y(t)`` (a ground-state bleach, GSB, at one wavelength is
negative, an excited-state absorption, ESA, positive) with ``N`` = 1-4 exponentials convolved
with a Gaussian instrument response (IRF) of centre ``mu`` (time zero) and width ``FWHM``:

    y(t) = sum_i a_i c(t; k_i, mu, sigma)  [+ b c(t; 0, mu, sigma)],   k_i = 1 / tau_i,

with ``c`` from :func:`qdcat.kinetics.irf.convolved_exponentials` (the overflow-free form) and
the optional ``b`` term a non-decaying, IRF-convolved step (``offset=True``: a component much
longer than the window). Amplitudes ``a_i`` carry the sign of the signal and may have either
sign (a negative ``a_i`` in a positive ESA trace is a rise).

Fitting is by *variable projection* (Golub & Pereyra, SIAM J. Numer. Anal. 10 (1973) 413;
review: Mullen & van Stokkum, J. Stat. Softw. 18 (2007)): for given nonlinear parameters
(``ln k_i``, and ``mu`` and ``FWHM`` unless fixed) the amplitudes are the linear least-squares
solution, and :func:`scipy.optimize.least_squares` (trust-region reflective, bounds) minimises
the projected residual with its exact Golub-Pereyra Jacobian, built from analytic derivatives
of ``c`` (``dc/dmu = k c - g``, ``dc/dk = -(t - mu - k sigma^2) c - sigma^2 g``,
``dc/dsigma = sigma k^2 c - g ((t - mu)/sigma + sigma k)``, ``g`` the normalised IRF).
Starting values. Components are added one at a time (1, 2, ... N): the best fit with
``n - 1`` components seeds the ``n``-component fit with a new lifetime inserted 8x below the
shortest, at each geometric midpoint or 4x above the longest (a "peeling" in reverse). For
``N`` itself, grids are tried as well: lifetimes log-spaced between ``max(2 FWHM, 0.2 ps)``
and half the window after time zero, the same grid narrowed by 3x at both ends, and a grid
ending at the area estimate ``integral |y| dt / max |y|`` (the lifetime of one exponential
with the same area). The lowest residual among the converged starts is kept. Time zero and
FWHM start from the 10 %, 50 % and 90 % crossings of the rise. When another start converges
to lifetimes more than 3 standard errors away with a chi-square within
``AMBIGUITY_DELTA_CHI2`` of the best, the decomposition is not unique: a warning says so
(``metadata['alternative_solutions']``), since the local standard errors then understate
the uncertainty.

Standard errors come from the Jacobian of the *full* model (lifetimes, IRF and amplitudes) at
the optimum, ``cov = s^2 (J^T J)^-1`` with ``s^2`` the residual variance (weighted if ``noise``
is given): amplitude-lifetime correlations are therefore included. Derived quantities
(fractional amplitudes, average lifetimes) get theirs by the delta method from this covariance.

Average lifetimes. The paper (Cai et al., ACS Catal. 2023) quotes average lifetimes without
saying which average it used; both common ones are reported, over the exponential components
(the step of ``offset=True`` is excluded):

* amplitude-weighted ``tau_avg_amplitude_ps = sum |a_i| tau_i / sum |a_i|``;
* intensity-weighted ``tau_avg_intensity_ps = sum |a_i| tau_i^2 / sum |a_i| tau_i``.

A fit whose optimiser stops without meeting its criteria raises
:class:`~qdcat.core.errors.ConvergenceError`; a singular covariance gives NaN standard errors
and a warning, never numbers that look fine.

TA spectra
----------
:func:`find_bands` locates GSB minima and ESA maxima of a spectrum (``wavelength_nm``) after
Savitzky-Golay smoothing, with prominence thresholds against an estimated noise level.
:func:`bleach_band_test` asks whether the bleach is one band or a band-edge + intragap pair by
fitting one and two Gaussians *in photon energy* and comparing them by AIC, BIC and an F-test,
together with a power calculation that says whether a pair could have been seen at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.optimize import least_squares
from scipy.signal import find_peaks, savgol_filter

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import ConvergenceError, InputError
from qdcat.core.results import FitQuality, Quantity, Result, format_value
from qdcat.core.validation import require_finite, require_strictly_monotonic
from qdcat.kinetics.irf import FWHM_PER_SIGMA, convolved_exponentials, gaussian_irf

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MAX_COMPONENTS",
    "POINTS_PER_PARAMETER",
    "bleach_band_test",
    "find_bands",
    "fit_trace",
    "plot_bleach_test",
    "plot_trace_fit",
    "plot_traces_comparison",
    "select_components",
    "simulate_bleach_spectrum",
    "simulate_trace",
    "spectrum_at",
    "trace_at",
]

TIME_DIM = "time_ps"
WAVELENGTH_DIM = "wavelength_nm"
#: Most exponential components :func:`fit_trace` accepts.
MAX_COMPONENTS = 4
#: A fit needs at least this many data points per fitted parameter.
POINTS_PER_PARAMETER = 3
#: A lifetime longer than this multiple of the window after time zero is not determined.
LONG_LIFETIME_FACTOR = 2.0
_TAU_MIN_PS = 1e-3
_TAU_MAX_WINDOWS = 100.0
_FWHM_MIN_PS = 1e-3
_DEFAULT_MAX_NFEV = 500
#: Another local minimum within this chi-square (noise units) whose lifetimes differ by more
#: than 3 standard errors makes a fit "not unique" (a warning).
AMBIGUITY_DELTA_CHI2 = 4.0
_TOL = 1e-10
_RCOND = 1e-12

TRACE_ANALYSIS = "trace_fit"
SELECTION_ANALYSIS = "trace_components"
BANDS_ANALYSIS = "ta_bands"
BLEACH_ANALYSIS = "bleach_band_test"

VERDICT_SINGLE = "single band"
VERDICT_PAIR = "band-edge + intragap pair"
VERDICT_UNRESOLVED = "not resolved"


# ============================================================================================
# input checks


def _axis_values(da: xr.DataArray, dim: str, what: str) -> tuple[NDArray, NDArray]:
    """Coordinate and values of a 1-D DataArray along ``dim``, sorted ascending, all checked."""
    if not isinstance(da, xr.DataArray):
        raise InputError(
            f"the {what} must be an xarray.DataArray",
            field=what,
            expected=f"xarray.DataArray with dimension '{dim}'",
            found=type(da).__name__,
        )
    if da.ndim != 1 or da.dims[0] != dim:
        raise InputError(
            f"the {what} must have the single dimension '{dim}'",
            field="dims",
            expected=f"('{dim}',)",
            found=tuple(str(d) for d in da.dims),
        )
    if dim not in da.coords:
        raise InputError(
            f"the {what} has no '{dim}' coordinate values",
            field=dim,
            expected=f"a '{dim}' coordinate",
        )
    try:
        x = np.asarray(da[dim].values, dtype=float)
        y = np.asarray(da.values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} values are not numeric: {exc}", field=dim) from exc
    for label, arr in ((dim, x), (what, y)):
        require_finite(arr, label)
    require_strictly_monotonic(x, dim)
    if x.size >= 2 and x[1] < x[0]:
        x, y = x[::-1], y[::-1]
    return x, y


def _check_components(components: Any, name: str = "components") -> int:
    if (
        isinstance(components, bool)
        or not isinstance(components, int | np.integer)
        or not 1 <= int(components) <= MAX_COMPONENTS
    ):
        raise InputError(
            "unsupported number of exponential components",
            field=name,
            expected=f"an integer from 1 to {MAX_COMPONENTS}",
            found=components,
        )
    return int(components)


def _positive_or_none(value: Any, name: str) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError("not a number", field=name, expected="a number", found=value) from exc
    if not (math.isfinite(v) and v > 0):
        raise InputError("must be a positive finite number", field=name, expected="> 0", found=v)
    return v


def _finite_or_none(value: Any, name: str) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError("not a number", field=name, expected="a number", found=value) from exc
    if not math.isfinite(v):
        raise InputError("must be finite", field=name, expected="a finite number", found=v)
    return v


def _noise_weights(noise: Any, n: int) -> NDArray | None:
    if noise is None:
        return None
    arr = np.broadcast_to(np.asarray(noise, dtype=float), (n,)) if np.ndim(noise) == 0 else None
    if arr is None:
        arr = np.asarray(noise, dtype=float)
        if arr.shape != (n,):
            raise InputError(
                "noise must be a scalar or one standard deviation per data point",
                field="noise",
                expected=f"a scalar or shape ({n},)",
                found=arr.shape,
            )
    if not np.all(np.isfinite(arr) & (arr > 0)):
        raise InputError(
            "noise standard deviations must be positive and finite",
            field="noise",
            expected="> 0",
            found=float(arr[~(np.isfinite(arr) & (arr > 0))][0]),
        )
    return 1.0 / np.array(arr, dtype=float)


# ============================================================================================
# the kinetic model


def _basis(
    t: NDArray, k: NDArray, mu: float, sigma: float, *, derivatives: bool = False
) -> tuple[NDArray, ...]:
    """Columns ``c(t; k_j)``; with ``derivatives`` also d/dk, d/dmu, d/dsigma (analytic)."""
    C = convolved_exponentials(t, k, mu, sigma)
    if not derivatives:
        return (C,)
    g = gaussian_irf(t, mu, sigma)[:, None]
    tau = (t - mu)[:, None]
    dk = -(tau - k * sigma * sigma) * C - sigma * sigma * g
    dmu = k * C - g
    dsig = sigma * k * k * C - g * (tau / sigma + sigma * k)
    return C, dk, dmu, dsig


def _trace_model(
    t: NDArray, lifetimes: Sequence[float], amplitudes: Sequence[float], mu: float, fwhm: float
) -> tuple[NDArray, NDArray]:
    """Model and its columns (``a_j c_j``); an infinite lifetime is the convolved step."""
    tau = np.asarray(lifetimes, dtype=float)
    k = np.where(np.isinf(tau), 0.0, 1.0 / np.where(np.isinf(tau), 1.0, tau))
    (C,) = _basis(np.asarray(t, dtype=float), k, mu, fwhm / FWHM_PER_SIGMA)
    comps = C * np.asarray(amplitudes, dtype=float)
    return comps.sum(axis=1), comps


def _with_noise(
    y: NDArray[np.float64], noise: float, rng: np.random.Generator | int | None
) -> tuple[NDArray[np.float64], float]:
    """``y`` plus Gaussian noise of standard deviation ``noise * max|y|``; and that deviation."""
    sd = float(noise) * float(np.max(np.abs(y)))
    if sd > 0:
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        y = y + sd * gen.standard_normal(y.shape)
    return y, sd


def simulate_trace(
    time_ps: ArrayLike,
    lifetimes_ps: Sequence[float],
    amplitudes: Sequence[float],
    *,
    irf_center_ps: float,
    irf_fwhm_ps: float,
    offset: float = 0.0,
    noise: float = 0.0,
    rng: np.random.Generator | int | None = None,
    units: str = "",
) -> xr.DataArray:
    """A kinetic trace from the model :func:`fit_trace` fits, with optional Gaussian noise.

    ``amplitudes`` are the ``a_i`` (negative for a bleach); ``offset`` the amplitude of a
    non-decaying, IRF-convolved step. ``noise`` is the standard deviation of white Gaussian
    noise *relative to the largest |value| of the noiseless trace* (0.01 = 1 %); the absolute
    value is stored in ``attrs['noise_sd']``. ``rng``: a Generator or a seed.
    """
    t = np.asarray(time_ps, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise InputError("time_ps must be a 1-D array of times", field="time_ps", found=t.shape)
    tau = [float(v) for v in lifetimes_ps]
    amp = [float(v) for v in amplitudes]
    if len(tau) != len(amp) or not tau:
        raise InputError(
            "one amplitude per lifetime is needed",
            field="amplitudes",
            expected=f"{len(tau)} amplitude(s)",
            found=len(amp),
        )
    if any(not (math.isfinite(v) and v > 0) for v in tau):
        raise InputError("lifetimes must be positive and finite", field="lifetimes_ps", found=tau)
    fwhm = _positive_or_none(irf_fwhm_ps, "irf_fwhm_ps")
    mu = _finite_or_none(irf_center_ps, "irf_center_ps")
    if fwhm is None or mu is None:
        raise InputError("the IRF centre and FWHM are required", field="irf_fwhm_ps")
    if offset:
        tau.append(math.inf)
        amp.append(float(offset))
    y, _ = _trace_model(t, tau, amp, mu, fwhm)
    y, sd = _with_noise(y, noise, rng)
    return xr.DataArray(
        y,
        dims=TIME_DIM,
        coords={TIME_DIM: t},
        name="delta_A",
        attrs={
            "units": units,
            "lifetimes_ps": [float(v) for v in lifetimes_ps],
            "amplitudes": [float(v) for v in amplitudes],
            "irf_center_ps": mu,
            "irf_fwhm_ps": fwhm,
            "offset": float(offset),
            "noise_sd": sd,
        },
    )


# ============================================================================================
# variable projection


class _VarPro:
    """Projected residual and its Golub-Pereyra Jacobian for one trace and one model size."""

    def __init__(
        self,
        t: NDArray,
        y: NDArray,
        w: NDArray | None,
        n_exp: int,
        offset: bool,
        mu_fixed: float | None,
        fwhm_fixed: float | None,
    ) -> None:
        self.t, self.n_exp, self.offset = t, n_exp, offset
        self.w = np.ones_like(y) if w is None else w
        self.yw = y * self.w
        self.mu_fixed, self.fwhm_fixed = mu_fixed, fwhm_fixed
        self._key: bytes | None = None
        self._cache: tuple[NDArray, NDArray, NDArray] | None = None

    def unpack(self, x: NDArray) -> tuple[NDArray, float, float]:
        k = np.exp(x[: self.n_exp])
        i = self.n_exp
        if self.mu_fixed is None:
            mu = float(x[i])
            i += 1
        else:
            mu = self.mu_fixed
        fwhm = float(x[i]) if self.fwhm_fixed is None else self.fwhm_fixed
        return k, mu, fwhm

    def rates_with_offset(self, k: NDArray) -> NDArray:
        return np.append(k, 0.0) if self.offset else k

    def _evaluate(self, x: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        key = x.tobytes()
        if key == self._key and self._cache is not None:
            return self._cache
        k, mu, fwhm = self.unpack(x)
        kk = self.rates_with_offset(k)
        sigma = fwhm / FWHM_PER_SIGMA
        C, dk, dmu, dsig = _basis(self.t, kk, mu, sigma, derivatives=True)
        w = self.w[:, None]
        B = w * C
        # SVD of the weighted basis; singular values below _RCOND of the largest are dropped
        # (coinciding lifetimes), giving the minimum-norm amplitudes
        U, sv, Vt = np.linalg.svd(B, full_matrices=False)
        keep = sv > _RCOND * sv[0] if sv[0] > 0 else np.zeros_like(sv, dtype=bool)
        U, sv, Vt = U[:, keep], sv[keep], Vt[keep]
        a = Vt.T @ ((U.T @ self.yw) / sv)
        r = self.yw - B @ a

        def perp(v: NDArray) -> NDArray:
            return v - U @ (U.T @ v)

        def pinv_t(v: NDArray) -> NDArray:  # (B^+)^T v
            return U @ ((Vt @ v) / sv)

        cols = []
        for i in range(self.n_exp):
            d = w[:, 0] * dk[:, i] * kk[i]  # d column_i / d ln k_i
            cols.append(-perp(d * a[i]) - pinv_t(np.eye(kk.size)[i]) * float(d @ r))
        if self.mu_fixed is None:
            D = w * dmu
            cols.append(-perp(D @ a) - pinv_t(D.T @ r))
        if self.fwhm_fixed is None:
            D = w * dsig / FWHM_PER_SIGMA
            cols.append(-perp(D @ a) - pinv_t(D.T @ r))
        J = np.column_stack(cols)
        self._key, self._cache = key, (r, J, a)
        return self._cache

    def residual(self, x: NDArray) -> NDArray:
        return self._evaluate(x)[0]

    def jacobian(self, x: NDArray) -> NDArray:
        return self._evaluate(x)[1]

    def amplitudes(self, x: NDArray) -> NDArray:
        return self._evaluate(x)[2]


def _crossing(t: NDArray, y: NDArray, level: float, stop: int) -> float | None:
    """First time before index ``stop`` where ``y`` rises through ``level`` (interpolated)."""
    above = np.flatnonzero(y[: stop + 1] >= level)
    if above.size == 0:
        return None
    i = int(above[0])
    if i == 0:
        return float(t[0])
    y0, y1 = y[i - 1], y[i]
    f = (level - y0) / (y1 - y0) if y1 != y0 else 0.0
    return float(t[i - 1] + f * (t[i] - t[i - 1]))


def _initial_irf(t: NDArray, ys: NDArray) -> tuple[float, float]:
    """Time zero and FWHM guesses from the rise of the sign-corrected trace ``ys``."""
    sm = np.convolve(ys, np.ones(3) / 3.0, mode="same") if ys.size >= 5 else ys
    i_peak = int(np.argmax(sm))
    peak = float(sm[i_peak])
    t10 = _crossing(t, sm, 0.1 * peak, i_peak)
    t50 = _crossing(t, sm, 0.5 * peak, i_peak)
    t90 = _crossing(t, sm, 0.9 * peak, i_peak)
    mu0 = t50 if t50 is not None else float(t[i_peak])
    fwhm0 = 0.919 * (t90 - t10) if (t10 is not None and t90 is not None) else 0.0
    return mu0, fwhm0


def _start_sets(n: int, lo: float, hi: float, tau_area: float) -> list[NDArray]:
    sets = [np.geomspace(lo, hi, n) if n > 1 else np.array([math.sqrt(lo * hi)])]
    if n > 1:
        sets.append(np.geomspace(3 * lo, hi / 3, n) if hi / lo > 9 else np.geomspace(lo, hi, n))
        top = min(max(tau_area, 3 * lo), hi * 10)
        sets.append(np.geomspace(lo, top, n) if top > lo * 1.5 else sets[0] * 1.1)
    else:
        sets.append(np.array([min(max(tau_area, lo), hi * 10)]))
    return sets


def _covariance(J: NDArray, s2: float) -> tuple[NDArray, bool]:
    """``s2 (J^T J)^-1`` via an SVD of the column-scaled Jacobian; flag if singular."""
    norms = np.linalg.norm(J, axis=0)
    norms[norms == 0] = 1.0
    Js = J / norms
    _, S, Vt = np.linalg.svd(Js, full_matrices=False)
    singular = S.size == 0 or S[-1] <= 1e-10 * S[0]
    with np.errstate(divide="ignore"):
        inv = (Vt.T / S**2) @ Vt
    cov = s2 * inv / np.outer(norms, norms)
    if singular:
        cov = np.full_like(cov, np.nan)
    return cov, bool(singular)


def _sd(cov: NDArray, grad: NDArray) -> float:
    var = float(grad @ cov @ grad)
    return math.sqrt(var) if var >= 0 else math.nan


def fit_trace(
    trace: xr.DataArray,
    *,
    components: int,
    irf_fwhm_ps: float | None = None,
    irf_center_ps: float | None = None,
    offset: bool = False,
    sign: str = "auto",
    noise: float | ArrayLike | None = None,
    max_nfev: int = _DEFAULT_MAX_NFEV,
) -> Result:
    """Fit a kinetic trace with 1-4 IRF-convolved exponentials (variable projection).

    Parameters
    ----------
    trace:
        ``xr.DataArray`` with dimension ``time_ps`` (strictly monotonic, finite); the unit of
        its values is taken from ``attrs['units']``.
    components:
        Number of exponentials, 1-4.
    irf_fwhm_ps, irf_center_ps:
        Fix the IRF FWHM / centre (time zero); ``None`` fits them.
    offset:
        Add a non-decaying, IRF-convolved step (a component much longer than the window).
    sign:
        ``'auto'`` (from the largest excursion of the lightly smoothed trace), ``'negative'``
        (a bleach) or ``'positive'`` (an absorption). It sets the dominant sign used for the
        starting guesses and for the warning about components of the opposite sign (rises);
        amplitudes themselves are free in sign.
    noise:
        Standard deviation of the data points (scalar or one per point), in data units:
        the fit is weighted by ``1/noise`` and ``chi2_reduced`` is reported.
    max_nfev:
        Most model evaluations per start.

    Returns
    -------
    Result
        ``analysis='trace_fit'``. Quantities: ``tau1_ps`` .. ``tauN_ps`` (ascending),
        ``lifetimes_ps`` (array), ``a1`` .. ``aN`` (raw amplitudes, data units, signed),
        ``a1_fraction`` .. (``|a_i| / sum |a_j|``), ``offset`` (with ``offset=True``),
        ``tau_avg_amplitude_ps`` = sum |a_i| tau_i / sum |a_i|, ``tau_avg_intensity_ps`` =
        sum |a_i| tau_i^2 / sum |a_i| tau_i (the paper does not say which average it quotes;
        both are given), ``irf_fwhm_ps``, ``irf_center_ps`` (``stderr=None`` when fixed).
        Standard errors: Jacobian of the full model scaled by the residual variance; derived
        quantities by the delta method with all correlations. ``fit`` holds RMSE and
        ``chi2_reduced`` (with ``noise``); ``metadata`` AIC, BIC, RSS; ``curves`` the data,
        model, components and residuals, and the model on a dense time grid.

    Raises
    ------
    InputError
        Bad trace (NaN, non-monotonic time, wrong dimension), ``components`` outside 1-4,
        fewer than ``POINTS_PER_PARAMETER`` points per fitted parameter, bad options.
    ConvergenceError
        No start converged within ``max_nfev`` evaluations.
    """
    n_exp = _check_components(components)
    t, y = _axis_values(trace, TIME_DIM, "trace")
    units = str(trace.attrs.get("units", "")) if isinstance(trace.attrs, dict) else ""
    fwhm_fixed = _positive_or_none(irf_fwhm_ps, "irf_fwhm_ps")
    mu_fixed = _finite_or_none(irf_center_ps, "irf_center_ps")
    if sign not in ("auto", "negative", "positive"):
        raise InputError(
            "unknown sign", field="sign", expected="'auto', 'negative' or 'positive'", found=sign
        )
    if isinstance(max_nfev, bool) or not isinstance(max_nfev, int) or max_nfev < 10:
        raise InputError("max_nfev must be an integer >= 10", field="max_nfev", found=max_nfev)
    n_nonlin = n_exp + (mu_fixed is None) + (fwhm_fixed is None)
    n_par = n_nonlin + n_exp + int(bool(offset))
    if t.size < POINTS_PER_PARAMETER * n_par:
        raise InputError(
            f"too few points for {n_exp} component(s): {n_par} parameters are fitted",
            field=TIME_DIM,
            expected=f"at least {POINTS_PER_PARAMETER * n_par} points",
            found=int(t.size),
        )
    w = _noise_weights(noise, t.size)
    if not np.any(y != 0):
        raise InputError("the trace is identically zero", field="trace", expected="a signal")

    # ---- sign and starting values
    sm = np.convolve(y, np.ones(3) / 3.0, mode="same") if y.size >= 5 else y
    if sign == "auto":
        s = -1.0 if sm[int(np.argmax(np.abs(sm)))] < 0 else 1.0
    else:
        s = -1.0 if sign == "negative" else 1.0
    ys = s * y
    mu_guess, fwhm_guess = _initial_irf(t, ys)
    span = float(t[-1] - t[0])
    dt_min = float(np.min(np.diff(t)))
    mu0 = mu_fixed if mu_fixed is not None else mu_guess
    fwhm_hi = max(min(0.2 * span, 50.0), 10 * _FWHM_MIN_PS)
    fwhm0 = (
        fwhm_fixed
        if fwhm_fixed is not None
        else float(np.clip(fwhm_guess, max(dt_min, 2 * _FWHM_MIN_PS), 0.5 * fwhm_hi))
    )
    window = float(t[-1] - mu0)
    if window <= 0:
        raise InputError(
            "no data after time zero",
            field=TIME_DIM,
            expected=f"times after {mu0:.4g} ps",
            found=float(t[-1]),
        )
    after = t >= mu0
    peak = float(np.max(ys[after])) if np.any(after) else float(np.max(ys))
    pos = np.clip(ys[after], 0.0, None)
    tau_area = float(np.trapezoid(pos, t[after]) / peak) if peak > 0 and pos.size > 1 else window
    lo = max(2.0 * fwhm0, 0.2, 2 * dt_min)
    hi = max(0.5 * window, 2 * lo)
    lnk_lo = -math.log(_TAU_MAX_WINDOWS * max(span, window))
    lnk_hi = -math.log(_TAU_MIN_PS)

    lower: list[float] = []
    upper: list[float] = []
    if mu_fixed is None:
        lower.append(float(t[0]))
        upper.append(float(t[0] + 0.5 * span))
    if fwhm_fixed is None:
        lower.append(_FWHM_MIN_PS)
        upper.append(fwhm_hi)
    irf0 = [v for v, fixed in ((mu0, mu_fixed), (fwhm0, fwhm_fixed)) if fixed is None]

    # Components are added one at a time: the best n-1 fit seeds the n fit with a new lifetime
    # inserted below, between and above its lifetimes (besides the log-spaced grids), which
    # avoids the local minima where a spurious sub-IRF component absorbs noise.
    n_eval_total = 0
    tried: list[list[float]] = []
    previous: tuple[NDArray, list[float]] | None = None
    for n in range(1, n_exp + 1):
        problem = _VarPro(t, y, w, n, bool(offset), mu_fixed, fwhm_fixed)
        lb = np.array([lnk_lo] * n + lower)
        ub = np.array([lnk_hi] * n + upper)
        grids = _start_sets(n, lo, hi, tau_area)
        starts = [(taus, irf0) for taus in (grids if n == n_exp else grids[:1])]
        if previous is not None:
            # the n-1 lifetimes plus one new: 8x below the shortest, at each geometric
            # midpoint, or 4x above the longest
            prev_tau, prev_irf = previous
            mids = np.sqrt(prev_tau[:-1] * prev_tau[1:])
            for new in (prev_tau[0] / 8.0, *mids, prev_tau[-1] * 4.0):
                starts.append((np.sort(np.append(prev_tau, new)), prev_irf))
        best = None
        converged_solutions = []
        for taus, irf in starts:
            x0 = np.array([*(-np.log(np.asarray(taus, dtype=float))), *irf], dtype=float)
            x0 = np.clip(x0, lb + 1e-9 * (ub - lb), ub - 1e-9 * (ub - lb))
            if n == n_exp:
                tried.append([float(v) for v in np.sort(taus)])
            try:
                sol = least_squares(
                    problem.residual,
                    x0,
                    jac=problem.jacobian,
                    bounds=(lb, ub),
                    method="trf",
                    x_scale="jac",
                    ftol=_TOL,
                    xtol=_TOL,
                    gtol=_TOL,
                    max_nfev=max_nfev,
                )
            except (ValueError, np.linalg.LinAlgError):
                continue
            n_eval_total += int(sol.nfev)
            ok = sol.status > 0 and bool(np.all(np.isfinite(sol.fun)))
            if ok:
                converged_solutions.append(sol)
            if best is None or (ok, -sol.cost) > (best[0], -best[1].cost):
                best = (ok, sol)
        if best is None:
            raise ConvergenceError("every start failed numerically", n_evaluations=n_eval_total)
        k_best, mu_b, fwhm_b = problem.unpack(best[1].x)
        irf_b = [v for v, fixed in ((mu_b, mu_fixed), (fwhm_b, fwhm_fixed)) if fixed is None]
        previous = (np.sort(1.0 / k_best), irf_b)
    assert best is not None
    ok, sol = best
    if not ok:
        raise ConvergenceError(
            f"{n_exp}-component fit stopped at max_nfev={max_nfev} without meeting its "
            f"tolerances (best cost {sol.cost:.4g}): {sol.message}",
            n_evaluations=n_eval_total,
        )
    return _trace_result(
        problem,
        sol,
        t,
        y,
        units,
        s,
        n_eval_total,
        tried,
        lb,
        ub,
        n_par,
        noise is not None,
        converged_solutions,
    )


def _trace_result(
    problem: _VarPro,
    sol: Any,
    t: NDArray,
    y: NDArray,
    units: str,
    s: float,
    n_eval: int,
    tried: list[list[float]],
    lb: NDArray,
    ub: NDArray,
    n_par: int,
    weighted: bool,
    solutions: Sequence[Any] = (),
) -> Result:
    n_exp, offset = problem.n_exp, problem.offset
    k, mu, fwhm = problem.unpack(sol.x)
    a_all = problem.amplitudes(sol.x)
    order = np.argsort(-k)  # ascending lifetimes
    k = k[order]
    tau = 1.0 / k
    a = a_all[:n_exp][order]
    b = float(a_all[n_exp]) if offset else None
    sigma = fwhm / FWHM_PER_SIGMA
    kk = np.append(k, 0.0) if offset else k
    amps = np.append(a, b) if offset else a
    C, dk, dmu, dsig = _basis(t, kk, mu, sigma, derivatives=True)
    model = C @ amps
    resid = y - model
    ww = problem.w
    rss = float(np.sum((ww * resid) ** 2))
    n = t.size
    dof = n - n_par
    s2 = rss / dof

    # full Jacobian: tau_i, [mu], [fwhm], a_i, [b]
    cols = [a[i] * dk[:, i] * (-1.0 / tau[i] ** 2) for i in range(n_exp)]
    names = [f"tau{i + 1}" for i in range(n_exp)]
    if problem.mu_fixed is None:
        cols.append(dmu @ amps)
        names.append("mu")
    if problem.fwhm_fixed is None:
        cols.append((dsig @ amps) / FWHM_PER_SIGMA)
        names.append("fwhm")
    cols.extend(C[:, j] for j in range(kk.size))
    names.extend([f"a{i + 1}" for i in range(n_exp)] + (["b"] if offset else []))
    J = np.column_stack(cols) * ww[:, None]
    cov, singular = _covariance(J, s2)
    idx = {nm: i for i, nm in enumerate(names)}

    def sd_of(name: str) -> float:
        i = idx[name]
        v = cov[i, i]
        return math.sqrt(v) if v >= 0 else math.nan

    def grad(**parts: NDArray) -> NDArray:
        g = np.zeros(len(names))
        for key, vals in parts.items():
            for i, v in enumerate(vals):
                g[idx[f"{key}{i + 1}"]] = v
        return g

    absa = np.abs(a)
    sa = np.sign(a)
    S = float(absa.sum())
    V = float(np.sum(absa * tau))
    U = float(np.sum(absa * tau**2))
    t_amp = V / S
    t_int = U / V
    unit_a = units
    q: dict[str, Quantity] = {}
    for i in range(n_exp):
        q[f"tau{i + 1}_ps"] = Quantity(
            float(tau[i]), sd_of(f"tau{i + 1}"), "ps", f"lifetime of component {i + 1}"
        )
    q["lifetimes_ps"] = Quantity(
        tau.copy(),
        np.array([sd_of(f"tau{i + 1}") for i in range(n_exp)]),
        "ps",
        "all lifetimes, ascending",
    )
    for i in range(n_exp):
        q[f"a{i + 1}"] = Quantity(
            float(a[i]), sd_of(f"a{i + 1}"), unit_a, f"amplitude of component {i + 1} (signed)"
        )
    for i in range(n_exp):
        ga = np.array([sa[j] * ((i == j) / S - absa[i] / S**2) for j in range(n_exp)])
        q[f"a{i + 1}_fraction"] = Quantity(
            float(absa[i] / S),
            _sd(cov, grad(a=ga)),
            "",
            f"|a{i + 1}| / sum |a_j|",
        )
    if offset:
        q["offset"] = Quantity(b, sd_of("b"), unit_a, "amplitude of the non-decaying step")
    g_amp = grad(tau=absa / S, a=sa * (tau - t_amp) / S)
    g_int = grad(tau=absa * (2 * tau - t_int) / V, a=sa * (tau**2 - t_int * tau) / V)
    q["tau_avg_amplitude_ps"] = Quantity(
        t_amp, _sd(cov, g_amp), "ps", "amplitude-weighted average: sum|a|tau / sum|a|"
    )
    q["tau_avg_intensity_ps"] = Quantity(
        t_int, _sd(cov, g_int), "ps", "intensity-weighted average: sum|a|tau^2 / sum|a|tau"
    )
    q["irf_fwhm_ps"] = Quantity(
        fwhm, None if problem.fwhm_fixed is not None else sd_of("fwhm"), "ps", "IRF FWHM"
    )
    q["irf_center_ps"] = Quantity(
        mu, None if problem.mu_fixed is not None else sd_of("mu"), "ps", "IRF centre (time zero)"
    )

    # ---- warnings
    warnings: list[str] = []
    window = float(t[-1] - mu)
    for i in range(n_exp):
        if tau[i] > LONG_LIFETIME_FACTOR * window:
            warnings.append(
                f"tau{i + 1} = {tau[i]:.4g} ps is longer than {LONG_LIFETIME_FACTOR:g}x the "
                f"window after time zero ({window:.4g} ps): it is not determined by these data "
                "(consider offset=True)"
            )
        if tau[i] < fwhm:
            warnings.append(
                f"tau{i + 1} = {tau[i]:.3g} ps is shorter than the IRF FWHM ({fwhm:.3g} ps): "
                "lifetime and amplitude are strongly correlated"
            )
    opposite = [i + 1 for i in range(n_exp) if sa[i] != 0 and sa[i] != s]
    if opposite:
        warnings.append(
            "component(s) "
            + ", ".join(f"a{i}" for i in opposite)
            + f" have the sign opposite to the signal ({'negative' if s < 0 else 'positive'}):"
            " rises, counted with |a| in the fractions and averages"
        )
    if singular:
        warnings.append(
            "the covariance matrix is singular (parameters not determined by the data): "
            "standard errors are NaN"
        )
    for i in range(n_exp - 1):
        if tau[i + 1] / tau[i] < 1.05:
            warnings.append(
                f"tau{i + 1} and tau{i + 2} are within 5 %: the components are not separated"
            )
    at_bound = np.isclose(sol.x, lb, rtol=0, atol=1e-6 * (ub - lb)) | np.isclose(
        sol.x, ub, rtol=0, atol=1e-6 * (ub - lb)
    )
    if np.any(at_bound):
        warnings.append(
            "a parameter sits on its bound (lifetime 1 fs / 100 windows, or the IRF limits): "
            "its standard error is not meaningful"
        )
    # other local minima from the other starts that fit about as well with lifetimes more
    # than 3 standard errors away: the decomposition is not unique and the (local) standard
    # errors understate the uncertainty
    sd_tau = np.array([sd_of(f"tau{i + 1}") for i in range(n_exp)])
    alternatives = []
    for other in solutions:
        k_o, _, _ = problem.unpack(other.x)
        tau_o = np.sort(1.0 / k_o)
        dchi2 = (2.0 * other.cost - rss) / s2
        if dchi2 < AMBIGUITY_DELTA_CHI2 and np.any(np.abs(tau_o - tau) > 3 * sd_tau):
            alternatives.append(
                {"lifetimes_ps": [float(v) for v in tau_o], "delta_chi2": float(dchi2)}
            )
    alternatives.sort(key=lambda d: d["delta_chi2"])
    if alternatives:
        alt = alternatives[0]
        warnings.append(
            "the decomposition is not unique: lifetimes "
            + ", ".join(f"{v:.3g}" for v in alt["lifetimes_ps"])
            + f" ps fit almost as well (delta chi2 {alt['delta_chi2']:.2f} < "
            f"{AMBIGUITY_DELTA_CHI2:g}); the standard errors are local and understate the "
            "uncertainty (consider fewer components)"
        )

    # ---- quality, curves
    rmse = float(np.sqrt(np.mean(resid**2)))
    aic = n * math.log(rss / n) + 2 * n_par
    bic = n * math.log(rss / n) + n_par * math.log(n)
    chi2 = rss / dof if weighted else None
    fit = FitQuality(
        converged=True,
        n_evaluations=n_eval,
        n_points=n,
        n_parameters=n_par,
        rmse=rmse,
        chi2_reduced=chi2,
        message=str(sol.message),
    )
    dense = _dense_grid(t, mu, fwhm)
    model_d, comps_d = _trace_model(
        dense, list(tau) + ([math.inf] if offset else []), list(amps), mu, fwhm
    )
    labels = [
        f"τ{i + 1} = {format_value(tau[i], sd_of(f'tau{i + 1}'), 'ps')}" for i in range(n_exp)
    ]
    if offset:
        labels.append("offset (step)")
    metadata = {
        "method": "variable projection (Golub-Pereyra), Gaussian IRF, scipy least_squares trf",
        "components": n_exp,
        "offset": bool(offset),
        "sign": "negative" if s < 0 else "positive",
        "units": units,
        "irf_fwhm_fitted": problem.fwhm_fixed is None,
        "irf_center_fitted": problem.mu_fixed is None,
        "window_ps": window,
        "rss": rss,
        "aic": aic,
        "bic": bic,
        "weighted": weighted,
        "covariance_scaled_by_residual_variance": True,
        "start_lifetimes_ps": tried,
        "alternative_solutions": alternatives,
        "parameter_names": names,
        "average_lifetime_formulas": {
            "tau_avg_amplitude_ps": "sum|a_i| tau_i / sum|a_i|",
            "tau_avg_intensity_ps": "sum|a_i| tau_i^2 / sum|a_i| tau_i",
        },
    }
    curves = {
        "time_ps": t,
        "data": y,
        "model": model,
        "residuals": resid,
        "components": C * amps,
        "component_labels": labels,
        "time_dense_ps": dense,
        "model_dense": model_d,
        "components_dense": comps_d,
        "covariance": cov,
    }
    return Result(
        analysis=TRACE_ANALYSIS,
        quantities=q,
        fit=fit,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


def _dense_grid(t: NDArray, mu: float, fwhm: float) -> NDArray:
    """Fine grid for smooth model curves: linear around time zero, logarithmic after."""
    lin_end = min(float(t[-1]), mu + max(5 * fwhm, 2.0))
    parts = [np.linspace(float(t[0]), lin_end, 400)]
    if t[-1] > lin_end:
        parts.append(lin_end + np.geomspace(1e-3, float(t[-1]) - lin_end, 400))
    return np.unique(np.concatenate([*parts, t]))


# ============================================================================================
# model selection


def select_components(
    trace: xr.DataArray,
    max_components: int = 4,
    *,
    alpha: float = 0.01,
    **fit_options: Any,
) -> Result:
    """Choose the number of exponentials by BIC, with AIC and sequential F-tests as evidence.

    Fits 1..``max_components`` components (``fit_options`` go to :func:`fit_trace`). A model
    is *eligible* when it converged, its covariance is regular and every lifetime has a
    relative standard error below 1 (an over-parameterised fit that splits one decay into two
    undetermined ones is not eligible). Among eligible models the choice is the one with the
    lowest BIC (``n ln(RSS/n) + p ln n``). Also reported: the AIC choice (``n ln(RSS/n) +
    2p``) and the F-test choice (add components while the nested F-test of ``N`` against
    ``N+1`` components, 2 extra parameters, gives p < ``alpha``). A warning says when the
    three disagree.

    Returns a Result (``analysis='trace_components'``) with the quantity ``n_components``,
    ``metadata['models']`` (per model: RSS, AIC, BIC, delta-AIC/BIC to the best, F statistic
    and p-value against the previous model, lifetimes, eligibility) and ``metadata['choice']``;
    ``curves['fits']`` maps the number of components to each fit's Result.
    """
    n_max = _check_components(max_components, "max_components")
    if not 0 < float(alpha) < 1:
        raise InputError("alpha must lie in (0, 1)", field="alpha", found=alpha)
    fits: dict[int, Result] = {}
    models: list[dict[str, Any]] = []
    for n in range(1, n_max + 1):
        entry: dict[str, Any] = {"components": n}
        try:
            r = fit_trace(trace, components=n, **fit_options)
        except ConvergenceError as exc:
            entry.update(converged=False, eligible=False, note=str(exc))
            models.append(entry)
            continue
        fits[n] = r
        lt = r.quantities["lifetimes_ps"]
        errs = np.asarray(lt.stderr, dtype=float)
        vals = np.asarray(lt.value, dtype=float)
        determined = bool(np.all(np.isfinite(errs)) and np.all(errs < vals))
        entry.update(
            converged=True,
            rss=r.metadata["rss"],
            n_parameters=r.fit.n_parameters if r.fit else None,
            aic=r.metadata["aic"],
            bic=r.metadata["bic"],
            lifetimes_ps=[float(v) for v in vals],
            lifetime_stderr_ps=[float(v) for v in errs],
            eligible=determined,
            note="" if determined else "lifetimes not determined (relative stderr >= 1 or NaN)",
        )
        models.append(entry)
    eligible = [m for m in models if m.get("eligible")]
    if not eligible:
        raise ConvergenceError(
            "no number of components gave a converged fit with determined lifetimes"
        )
    n_pts = next(iter(fits.values())).fit.n_points  # type: ignore[union-attr]
    best_aic = min(m["aic"] for m in eligible)
    best_bic = min(m["bic"] for m in eligible)
    prev: dict[str, Any] | None = None
    for m in models:
        if m.get("converged"):
            m["delta_aic"] = m["aic"] - best_aic
            m["delta_bic"] = m["bic"] - best_bic
            if prev is not None and prev.get("converged"):
                dp = m["n_parameters"] - prev["n_parameters"]
                dof = n_pts - m["n_parameters"]
                F = ((prev["rss"] - m["rss"]) / dp) / (m["rss"] / dof)
                m["f_statistic"] = float(F)
                m["f_test_p_value"] = float(stats.f.sf(F, dp, dof)) if F > 0 else 1.0
            prev = m
        else:
            prev = None
    by_bic = min(eligible, key=lambda m: m["bic"])["components"]
    by_aic = min(eligible, key=lambda m: m["aic"])["components"]
    by_f = eligible[0]["components"]
    for m in models:
        if m["components"] <= by_f:
            continue
        if (
            m.get("eligible")
            and m.get("f_test_p_value", 1.0) < alpha
            and m["components"] == (by_f + 1)
        ):
            by_f = m["components"]
        else:
            break
    warnings: list[str] = []
    if len({by_bic, by_aic, by_f}) > 1:
        warnings.append(
            f"the criteria disagree: BIC chooses {by_bic}, AIC {by_aic}, the F-test {by_f} "
            "component(s); the BIC choice is reported"
        )
    chosen = fits[by_bic]
    warnings.extend(f"chosen fit: {w}" for w in chosen.warnings)
    runner_up = [m for m in eligible if m["components"] != by_bic]
    margin = min((m["bic"] - best_bic for m in runner_up), default=math.inf)
    quantities = {
        "n_components": Quantity(by_bic, None, "", "number of exponentials chosen by BIC"),
        "delta_bic_runner_up": Quantity(
            float(margin), None, "", "BIC of the next-best eligible model minus the chosen one"
        ),
    }
    metadata = {
        "criterion": "lowest BIC among eligible models (converged, lifetimes determined)",
        "choice": {"bic": by_bic, "aic": by_aic, "f_test": by_f},
        "alpha": float(alpha),
        "models": models,
        "max_components": n_max,
    }
    return Result(
        analysis=SELECTION_ANALYSIS,
        quantities=quantities,
        fit=chosen.fit,
        warnings=tuple(warnings),
        metadata=metadata,
        curves={"fits": fits},
    )


# ============================================================================================
# spectra


def trace_at(data: xr.DataArray, wavelength_nm: float, *, width_nm: float = 0.0) -> xr.DataArray:
    """The kinetic trace of a 2-D TA matrix (``time_ps`` x ``wavelength_nm``) at one wavelength.

    ``width_nm = 0`` takes the nearest measured wavelength; a positive width averages the
    probe channels within ``wavelength_nm +- width_nm / 2``. The result (dimension
    ``time_ps``) carries ``attrs['wavelength_nm']`` (the wavelength actually used, nm) and
    ``attrs['n_wavelengths']``.
    """
    if not isinstance(data, xr.DataArray) or set(data.dims) != {TIME_DIM, WAVELENGTH_DIM}:
        raise InputError(
            "a TA matrix with dimensions 'time_ps' and 'wavelength_nm' is needed",
            field="data",
            expected="xarray.DataArray with dims ('time_ps', 'wavelength_nm')",
            found=tuple(str(d) for d in data.dims)
            if isinstance(data, xr.DataArray)
            else type(data).__name__,
        )
    wl = np.asarray(data[WAVELENGTH_DIM].values, dtype=float)
    if not (math.isfinite(wavelength_nm) and wl.min() <= wavelength_nm <= wl.max()):
        raise InputError(
            "probe wavelength outside the measured range",
            field="wavelength_nm",
            expected=f"{wl.min():g}-{wl.max():g} nm",
            found=wavelength_nm,
        )
    if width_nm < 0 or not math.isfinite(width_nm):
        raise InputError("width must be >= 0 nm", field="width_nm", found=width_nm)
    if width_nm == 0:
        used = data.sel({WAVELENGTH_DIM: wavelength_nm}, method="nearest")
        n = 1
        centre = float(used[WAVELENGTH_DIM])
        used = used.drop_vars(WAVELENGTH_DIM)
    else:
        inside = np.abs(wl - wavelength_nm) <= width_nm / 2
        if not inside.any():
            raise InputError(
                "no probe channel within the band",
                field="width_nm",
                expected="a band containing at least one of the measured wavelengths",
                found=width_nm,
            )
        n = int(inside.sum())
        centre = float(wl[inside].mean())
        used = data.isel({WAVELENGTH_DIM: np.flatnonzero(inside)}).mean(WAVELENGTH_DIM)
    trace = used.transpose(TIME_DIM)
    trace.attrs = {**data.attrs, "wavelength_nm": centre, "n_wavelengths": n}
    return trace


def spectrum_at(data: xr.DataArray, delay_window_ps: float | Sequence[float]) -> xr.DataArray:
    """The TA spectrum of a 2-D matrix (``time_ps`` x ``wavelength_nm``) at one delay.

    ``delay_window_ps``: a pair ``(t_start, t_end)`` (inclusive) over which the spectra are
    averaged, or a single delay (the nearest measured one is taken). The result carries
    ``attrs['delay_window_ps']`` and ``attrs['n_delays']``.
    """
    if not isinstance(data, xr.DataArray) or set(data.dims) != {TIME_DIM, WAVELENGTH_DIM}:
        raise InputError(
            "a TA matrix with dimensions 'time_ps' and 'wavelength_nm' is needed",
            field="data",
            expected="xarray.DataArray with dims ('time_ps', 'wavelength_nm')",
            found=tuple(str(d) for d in data.dims)
            if isinstance(data, xr.DataArray)
            else type(data).__name__,
        )
    if TIME_DIM not in data.coords:
        raise InputError("the matrix has no 'time_ps' coordinate", field=TIME_DIM)
    times = np.asarray(data[TIME_DIM].values, dtype=float)
    if np.ndim(delay_window_ps) == 0:
        d = _finite_or_none(delay_window_ps, "delay_window_ps")
        i = int(np.argmin(np.abs(times - d)))
        sel = np.zeros(times.size, dtype=bool)
        sel[i] = True
        window = (float(times[i]), float(times[i]))
    else:
        try:
            t0, t1 = (float(v) for v in delay_window_ps)  # type: ignore[union-attr]
        except (TypeError, ValueError) as exc:
            raise InputError(
                "delay_window_ps must be one delay or a pair (start, end)",
                field="delay_window_ps",
                found=delay_window_ps,
            ) from exc
        lo, hi = min(t0, t1), max(t0, t1)
        sel = (times >= lo) & (times <= hi)
        window = (lo, hi)
        if not sel.any():
            raise InputError(
                "no delays inside the window",
                field="delay_window_ps",
                expected=f"a window overlapping {times.min():.4g}-{times.max():.4g} ps",
                found=window,
            )
    spec = data.isel({TIME_DIM: np.flatnonzero(sel)}).mean(TIME_DIM, skipna=False)
    spec.attrs = dict(data.attrs)
    spec.attrs.update(delay_window_ps=list(window), n_delays=int(sel.sum()))
    return spec


def _spectrum(spectrum: xr.DataArray, delay_window_ps: Any) -> tuple[NDArray, NDArray, str]:
    if isinstance(spectrum, xr.DataArray) and spectrum.ndim == 2:
        if delay_window_ps is None:
            raise InputError(
                "a 2-D TA matrix needs a delay window",
                field="delay_window_ps",
                expected="(t_start, t_end) in ps or one delay",
            )
        spectrum = spectrum_at(spectrum, delay_window_ps)
    wl, y = _axis_values(spectrum, WAVELENGTH_DIM, "spectrum")
    if np.any(wl <= 0):
        raise InputError("wavelengths must be positive", field=WAVELENGTH_DIM, found=wl.min())
    units = str(spectrum.attrs.get("units", ""))
    return wl, y, units


def _noise_from_second_differences(y: NDArray) -> float:
    """White-noise sd from the MAD of second differences (var of y[i-1]-2y[i]+y[i+1] = 6 s^2)."""
    if y.size < 5:
        return 0.0
    d2 = y[:-2] - 2 * y[1:-1] + y[2:]
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0))


def _uniform(wl: NDArray, y: NDArray) -> tuple[NDArray, NDArray, bool]:
    step = (wl[-1] - wl[0]) / (wl.size - 1)
    grid = wl[0] + step * np.arange(wl.size)
    if np.max(np.abs(np.diff(wl) - step)) <= 0.01 * step:
        return wl, y, False
    return grid, np.interp(grid, wl, y), True


def _odd(m: float, lo: int = 5) -> int:
    m = max(round(float(m)), lo)
    return m if m % 2 else m + 1


def _half_max_edges(x: NDArray, y: NDArray, i: int, level: float) -> tuple[float, float]:
    """x where ``y`` (peak at ``i``, positive) falls through ``level`` on each side, or NaN."""
    left = math.nan
    for j in range(i, 0, -1):
        if y[j - 1] < level <= y[j]:
            left = float(x[j - 1] + (level - y[j - 1]) / (y[j] - y[j - 1]) * (x[j] - x[j - 1]))
            break
    right = math.nan
    for j in range(i, y.size - 1):
        if y[j + 1] < level <= y[j]:
            right = float(x[j] + (y[j] - level) / (y[j] - y[j + 1]) * (x[j + 1] - x[j]))
            break
    return left, right


def find_bands(
    spectrum: xr.DataArray,
    *,
    delay_window_ps: float | Sequence[float] | None = None,
    smoothing_nm: float = 8.0,
    min_prominence_sigma: float = 5.0,
    min_relative: float = 0.05,
) -> Result:
    """GSB minima and ESA maxima of a TA spectrum.

    Method: the spectrum (``wavelength_nm``; a 2-D matrix is first averaged over
    ``delay_window_ps`` by :func:`spectrum_at`) is put on a uniform wavelength grid if it is
    not one and smoothed with a Savitzky-Golay filter (cubic, window ``smoothing_nm``, at least
    5 points). The noise ``s`` of the raw points is estimated from the median absolute
    deviation of second differences. A band is a local extremum of the smoothed spectrum whose
    prominence (:func:`scipy.signal.find_peaks`) is at least ``max(min_prominence_sigma * s,
    min_relative * max|smoothed|)`` and whose value is beyond the same threshold on its side of
    zero: minima below it are GSB, maxima above it ESA. Positions are refined by a parabola
    through the three smoothed points around the extremum; widths are full widths at half of
    the band's value (relative to zero, not to the neighbouring lobes), NaN when the half level
    is not reached inside the spectrum. No standard errors are given (use
    :func:`bleach_band_test` for fitted positions with errors).

    Quantities, strongest band first: ``gsb1_nm``, ``gsb1_eV``, ``gsb1_amplitude``,
    ``gsb1_fwhm_nm``, ``gsb1_fwhm_eV``, ``gsb2_...``, and the same for ``esa1_...``.
    """
    wl_raw, y_raw, units = _spectrum(spectrum, delay_window_ps)
    if wl_raw.size < 15:
        raise InputError(
            "too few spectral points to find bands",
            field=WAVELENGTH_DIM,
            expected="at least 15",
            found=int(wl_raw.size),
        )
    for name, v in (
        ("smoothing_nm", smoothing_nm),
        ("min_prominence_sigma", min_prominence_sigma),
        ("min_relative", min_relative),
    ):
        if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
            raise InputError("must be a non-negative number", field=name, found=v)
    wl, y, resampled = _uniform(wl_raw, y_raw)
    step = float(wl[1] - wl[0])
    m = min(_odd(smoothing_nm / step), wl.size - 1 if (wl.size - 1) % 2 else wl.size - 2)
    sm = savgol_filter(y, m, 3, mode="interp") if m > 3 else y.copy()
    noise = _noise_from_second_differences(y_raw)
    scale = float(np.max(np.abs(sm)))
    thr = max(min_prominence_sigma * noise, min_relative * scale)
    quantities: dict[str, Quantity] = {}
    found: dict[str, list[dict[str, float]]] = {"gsb": [], "esa": []}
    for kind, sgn in (("gsb", -1.0), ("esa", 1.0)):
        z = sgn * sm
        idx, _props = find_peaks(z, prominence=thr if thr > 0 else None)
        idx = [int(i) for i in idx if z[i] > thr]
        bands = []
        for i in idx:
            if 0 < i < wl.size - 1:
                y0, y1, y2 = z[i - 1], z[i], z[i + 1]
                den = y0 - 2 * y1 + y2
                frac = 0.5 * (y0 - y2) / den if den < 0 else 0.0
                frac = float(np.clip(frac, -0.5, 0.5))
            else:
                frac = 0.0
            pos = float(wl[i] + frac * step)
            val = float(np.interp(pos, wl, sm))
            left, right = _half_max_edges(wl, z, i, 0.5 * z[i])
            fwhm_nm = right - left
            fwhm_eV = HC_eV_nm / left - HC_eV_nm / right
            bands.append(
                {
                    "nm": pos,
                    "eV": HC_eV_nm / pos,
                    "amplitude": val,
                    "fwhm_nm": fwhm_nm,
                    "fwhm_eV": fwhm_eV,
                }
            )
        bands.sort(key=lambda d: -abs(d["amplitude"]))
        found[kind] = bands
        for j, d in enumerate(bands, start=1):
            label = "ground-state bleach" if kind == "gsb" else "excited-state absorption"
            quantities[f"{kind}{j}_nm"] = Quantity(d["nm"], None, "nm", f"{label} {j} position")
            quantities[f"{kind}{j}_eV"] = Quantity(d["eV"], None, "eV", f"{label} {j} energy")
            quantities[f"{kind}{j}_amplitude"] = Quantity(
                d["amplitude"], None, units, f"{label} {j} smoothed value"
            )
            quantities[f"{kind}{j}_fwhm_nm"] = Quantity(d["fwhm_nm"], None, "nm", "FWHM")
            quantities[f"{kind}{j}_fwhm_eV"] = Quantity(d["fwhm_eV"], None, "eV", "FWHM")
    warnings = []
    if not found["gsb"] and not found["esa"]:
        warnings.append("no band above the thresholds")
    if any(not math.isfinite(d["fwhm_nm"]) for b in found.values() for d in b):
        warnings.append("a band's half-maximum lies outside the spectrum: its FWHM is NaN")
    metadata = {
        "method": "Savitzky-Golay smoothing + scipy.signal.find_peaks with prominence",
        "smoothing_window_points": int(m),
        "smoothing_window_nm": float(m * step),
        "noise_estimate": noise,
        "threshold": thr,
        "min_prominence_sigma": float(min_prominence_sigma),
        "min_relative": float(min_relative),
        "resampled_to_uniform_grid": resampled,
        "gsb_nm": [d["nm"] for d in found["gsb"]],
        "esa_nm": [d["nm"] for d in found["esa"]],
        "units": units,
    }
    return Result(
        analysis=BANDS_ANALYSIS,
        quantities=quantities,
        warnings=tuple(warnings),
        metadata=metadata,
        curves={"wavelength_nm": wl, "data": y, "smoothed": sm},
    )


# ---------------------------------------------------------------------------- bleach test


def _gauss(E: NDArray, p: NDArray) -> NDArray:
    """Sum of bleach Gaussians ``-A exp(-(E-E0)^2 / 2 s^2)``; p = (A, E0, s) * n."""
    out = np.zeros_like(E)
    for A, E0, s in p.reshape(-1, 3):
        out -= A * np.exp(-0.5 * ((E - E0) / s) ** 2)
    return out


def _gauss_jac(E: NDArray, p: NDArray) -> NDArray:
    cols = []
    for A, E0, s in p.reshape(-1, 3):
        z = (E - E0) / s
        g = np.exp(-0.5 * z * z)
        cols += [-g, -A * g * z / s, -A * g * z * z / s]
    return np.column_stack(cols)


def _fit_gauss(
    E: NDArray, y: NDArray, starts: list[NDArray], lb: NDArray, ub: NDArray
) -> tuple[Any, list[Any]]:
    """Best converged fit over the starts, and every converged solution."""
    best = None
    solutions = []
    for p0 in starts:
        p0 = np.clip(p0, lb + 1e-9 * (ub - lb), ub - 1e-9 * (ub - lb))
        sol = least_squares(
            lambda p: _gauss(E, p) - y,
            p0,
            jac=lambda p: _gauss_jac(E, p),
            bounds=(lb, ub),
            method="trf",
            x_scale="jac",
            ftol=1e-12,
            xtol=1e-12,
            gtol=1e-12,
            max_nfev=5000,
        )
        if sol.status > 0:
            solutions.append(sol)
            if best is None or sol.cost < best.cost:
                best = sol
    if best is None:
        raise ConvergenceError("no start of the Gaussian band fit converged")
    return best, solutions


def simulate_bleach_spectrum(
    wavelength_nm: ArrayLike,
    centers_nm: Sequence[float],
    fwhm_eV: Sequence[float],
    depths: Sequence[float],
    *,
    noise: float = 0.0,
    rng: np.random.Generator | int | None = None,
    esa: Sequence[tuple[float, float, float]] = (),
) -> xr.DataArray:
    """A TA spectrum of Gaussian bleach bands in photon energy (the model of the bleach test).

    Band ``j`` is ``-depths[j] exp(-(E - E_j)^2 / 2 s_j^2)`` with ``E_j = hc / centers_nm[j]``
    and ``s_j = fwhm_eV[j] / 2.3548``; ``esa`` adds positive Gaussians given as
    ``(center_nm, fwhm_eV, height)``. ``noise`` is the white-noise standard deviation relative
    to the largest |value| (0.01 = 1 %).
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    E = HC_eV_nm / wl
    p = []
    for c, f, d in zip(centers_nm, fwhm_eV, depths, strict=True):
        p += [float(d), HC_eV_nm / float(c), float(f) / FWHM_PER_SIGMA]
    y = _gauss(E, np.array(p, dtype=float))
    for c, f, h in esa:
        y += float(h) * np.exp(-0.5 * ((E - HC_eV_nm / c) / (f / FWHM_PER_SIGMA)) ** 2)
    y, sd = _with_noise(y, noise, rng)
    return xr.DataArray(
        y,
        dims=WAVELENGTH_DIM,
        coords={WAVELENGTH_DIM: wl},
        name="delta_A",
        attrs={"noise_sd": sd, "centers_nm": list(centers_nm), "fwhm_eV": list(fwhm_eV)},
    )


def _pair_mimic_distance(
    E: NDArray, single: NDArray, separation: float, ratio: float
) -> tuple[float, NDArray]:
    """Smallest sum of squares between the 1-band curve and any pair of the given shape.

    Pair: band edge (A1, E1, s1) and intragap band at ``E1 - separation`` with width ``s2``
    and area ``ratio`` times the band edge's (A2 = ratio A1 s1 / s2).
    """
    target = _gauss(E, single)
    A, E0, s = single

    def pair(q: NDArray) -> NDArray:
        A1, E1, s1, s2 = q
        return np.array([A1, E1, s1, ratio * A1 * s1 / s2, E1 - separation, s2])

    def res(q: NDArray) -> NDArray:
        return _gauss(E, pair(q)) - target

    # global search on a grid (band-edge centre x two widths; the amplitude is linear and
    # profiled out), then local refinement of the three best grid points
    E1g = E0 + np.linspace(-2 * s, separation + 2 * s, 25)
    wg = s * np.geomspace(0.1, 3.0, 12)
    e1, w1, w2 = (v.ravel() for v in np.meshgrid(E1g, wg, wg, indexing="ij"))
    z1 = (E[None, :] - e1[:, None]) / w1[:, None]
    z2 = (E[None, :] - (e1 - separation)[:, None]) / w2[:, None]
    h = -(np.exp(-0.5 * z1 * z1) + (ratio * w1 / w2)[:, None] * np.exp(-0.5 * z2 * z2))
    hh = np.einsum("ij,ij->i", h, h)
    ht = h @ target
    dist = float(target @ target) - np.where(ht > 0, ht * ht / hh, 0.0)
    lb = np.array([0.0, E0 - 3 * s, 0.05 * s, 0.05 * s])
    ub = np.array([10 * A, E0 + 3 * s + separation, 5 * s, 5 * s])
    best = None
    for i in np.argsort(dist)[:3]:
        q0 = np.array([max(ht[i] / hh[i], 1e-3 * A), e1[i], w1[i], w2[i]])
        q0 = np.clip(q0, lb + 1e-9 * (ub - lb), ub - 1e-9 * (ub - lb))
        sol = least_squares(res, q0, bounds=(lb, ub), x_scale="jac", max_nfev=3000)
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    return float(2 * best.cost), pair(best.x)


def bleach_band_test(
    spectrum: xr.DataArray,
    *,
    region_nm: tuple[float, float] | None = None,
    delay_window_ps: float | Sequence[float] | None = None,
    noise: float | None = None,
    strong_delta_bic: float = 10.0,
    weak_delta_bic: float = 2.0,
    alpha: float = 1e-3,
    detect_separation_eV: float = 0.08,
    detect_area_ratio: float = 0.3,
    min_power: float = 0.9,
    ambiguity_delta_chi2: float = 9.0,
) -> Result:
    """Is the ground-state bleach one band, or a band-edge + intragap pair?

    Method
    ------
    1. Energy axis ``E = hc / lambda``. dA is a value at each wavelength, not a density per
       unit wavelength, so it is *not* multiplied by the Jacobian ``|d lambda / dE|``.
    2. Region: ``region_nm`` (inclusive), or the contiguous range around the deepest minimum
       of the Savitzky-Golay-smoothed spectrum (8 nm window) where that smooth is negative,
       i.e. the bleach up to its zero crossings (an overlapping ESA truncates it: give
       ``region_nm`` then).
    3. Fits of one and of two Gaussians in energy, ``-A exp(-(E - E0)^2 / 2 s^2)`` each
       (``A >= 0``, centres inside the region), no baseline; the two-band fit starts from
       several splits of the one-band fit and keeps the best. The higher-energy band of the
       pair is the *band edge*, the lower-energy one the *intragap* (Cu+ -> CB) band.
    4. Evidence: ``delta_aic = AIC1 - AIC2`` and ``delta_bic = BIC1 - BIC2`` (``AIC = n
       ln(RSS/n) + 2p``, ``BIC = n ln(RSS/n) + p ln n``, p = 3 and 6; positive favours the
       pair) and the nested F-test ``F = ((RSS1 - RSS2)/3) / (RSS2/(n - 6))``.
    5. Power: could a pair have been seen at all? The smallest pair of interest (separation
       ``detect_separation_eV``, intragap/band-edge area ratio ``detect_area_ratio``, widths
       free) that best imitates the fitted single band differs from it by ``lambda =
       min ||pair - single||^2 / noise^2``; ``noise`` is given or ``sqrt(RSS2/(n - 6))``. Under
       such a pair the drop in chi-square from one to two bands is about noncentral
       chi-square with 3 degrees of freedom and noncentrality ``lambda``, so the probability
       of ``delta_bic > strong_delta_bic`` is ``pair_detection_power =
       ncx2.sf(strong_delta_bic + 3 ln n, 3, lambda)``.
    6. Verdict (thresholds after Kass & Raftery, J. Am. Stat. Assoc. 90 (1995) 773: delta
       BIC > 10 "very strong", < 2 "not worth more than a bare mention"):

       * ``'band-edge + intragap pair'``: ``delta_bic > strong_delta_bic`` and F-test p <
         ``alpha`` and the pair is determined: separation > 3 standard errors, intragap area
         > 3 standard errors, no parameter on a bound, and no *other* two-band decomposition
         (from the other starts) fits within ``ambiguity_delta_chi2`` (chi-square units of
         the noise) with centres more than 3 standard errors away: two broad overlapping
         bands can be split in several ways that fit equally well, and the local covariance
         of one of them then understates the uncertainty;
       * ``'single band'``: ``delta_bic < weak_delta_bic`` and ``pair_detection_power >=
         min_power`` (a pair of interest would have been seen);
       * ``'not resolved'`` otherwise: the data cannot tell (e.g. 540 and 560 nm, 82 meV
         apart, broad bands and a noisy spectrum), with the reason in ``metadata['reason']``.

    Returns
    -------
    Result
        ``analysis='bleach_band_test'``; ``metadata['verdict']``, ``['reason']``,
        ``['thresholds']``, ``['evidence']``. Quantities: ``single_center_eV``,
        ``single_center_nm``, ``single_fwhm_eV``, ``single_amplitude``, ``single_area``;
        ``band_edge_*`` and ``intragap_*`` (same suffixes, from the two-band fit, whatever the
        verdict), ``separation_eV``, ``separation_nm``, ``intragap_to_band_edge_area_ratio``,
        ``delta_aic``, ``delta_bic``, ``f_statistic``, ``f_test_p_value``,
        ``pair_detection_power``. Areas are integrals over energy (data unit x eV, negative
        for a bleach). Standard errors from the Jacobian scaled by the residual variance.
    """
    wl, y, units = _spectrum(spectrum, delay_window_ps)
    for name, v in (
        ("strong_delta_bic", strong_delta_bic),
        ("weak_delta_bic", weak_delta_bic),
        ("detect_separation_eV", detect_separation_eV),
        ("detect_area_ratio", detect_area_ratio),
        ("ambiguity_delta_chi2", ambiguity_delta_chi2),
    ):
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InputError("must be a positive number", field=name, found=v)
    if not 0 < alpha < 1 or not 0 < min_power < 1:
        raise InputError("alpha and min_power must lie in (0, 1)", field="alpha/min_power")
    noise_given = _positive_or_none(noise, "noise")

    # ---- region
    if region_nm is not None:
        try:
            r0, r1 = sorted(float(v) for v in region_nm)
        except (TypeError, ValueError) as exc:
            raise InputError(
                "region_nm must be a pair (start, end) in nm", field="region_nm", found=region_nm
            ) from exc
        sel = (wl >= r0) & (wl <= r1)
        if not sel.any():
            raise InputError(
                "the region holds no spectral points",
                field="region_nm",
                expected=f"a range overlapping {wl[0]:.4g}-{wl[-1]:.4g} nm",
                found=region_nm,
            )
        region_source = "given"
    else:
        if wl.size < 15:
            raise InputError(
                "too few spectral points", field=WAVELENGTH_DIM, expected=">= 15", found=wl.size
            )
        wu, yu, _ = _uniform(wl, y)
        m = min(_odd(8.0 / (wu[1] - wu[0])), wu.size - 2 if wu.size % 2 else wu.size - 1)
        sm = savgol_filter(yu, m, 3, mode="interp") if m > 3 else yu
        i = int(np.argmin(sm))
        if sm[i] >= 0:
            raise InputError(
                "no bleach: the smoothed spectrum is nowhere negative",
                field="spectrum",
                expected="a negative ground-state bleach",
            )
        a = i
        while a > 0 and sm[a - 1] < 0:
            a -= 1
        b = i
        while b < sm.size - 1 and sm[b + 1] < 0:
            b += 1
        r0, r1 = float(wu[a]), float(wu[b])
        sel = (wl >= r0) & (wl <= r1)
        region_source = "automatic (negative lobe of the smoothed spectrum)"
    n = int(sel.sum())
    if n < 4 * 6:
        raise InputError(
            "too few points in the bleach region for a two-band fit",
            field="region_nm",
            expected="at least 24 points",
            found=n,
        )
    E = HC_eV_nm / wl[sel]
    yr = y[sel]
    order = np.argsort(E)
    E, yr = E[order], yr[order]
    dE = float(np.min(np.diff(E)))
    Emin, Emax = float(E[0]), float(E[-1])
    span = Emax - Emin
    if not np.any(yr < 0):
        raise InputError("the region holds no bleach (no negative values)", field="region_nm")

    # ---- one band
    i0 = int(np.argmin(yr))
    A0 = float(-yr[i0])
    left, right = _half_max_edges(E, -yr, i0, 0.5 * A0)
    w0 = (right - left) if math.isfinite(right - left) else 0.3 * span
    s0 = max(w0 / FWHM_PER_SIGMA, 2 * dE)
    lb1 = np.array([0.0, Emin, dE])
    ub1 = np.array([10 * A0, Emax, 2 * span])
    sol1, _ = _fit_gauss(E, yr, [np.array([A0, float(E[i0]), s0])], lb1, ub1)
    p1 = sol1.x
    A, E0, s = p1

    # ---- two bands (index 0 = higher energy after sorting)
    # starts: the one band split into a higher- and a lower-energy band, several separations
    # (in units of its width), weights (f = share of the lower band) and width pairs
    starts = []
    for d in (0.6, 1.2, 2.0):
        for f in (0.3, 0.7):
            for w_hi, w_lo in ((0.7, 0.7), (0.5, 1.0), (1.0, 0.5)):
                Ehi, Elo = E0 + d * s * f, E0 - d * s * (1 - f)
                starts.append(np.array([A * (1 - f), Ehi, w_hi * s, A * f, Elo, w_lo * s]))
    lb2 = np.tile(lb1, 2)
    ub2 = np.tile(ub1, 2)
    sol2, solutions2 = _fit_gauss(E, yr, starts, lb2, ub2)

    def ordered(p: NDArray) -> NDArray:
        return np.concatenate([p[3:], p[:3]]) if p[4] > p[1] else p.copy()

    p2 = ordered(sol2.x)
    rss1, rss2 = float(2 * sol1.cost), float(2 * sol2.cost)
    dof1, dof2 = n - 3, n - 6
    ln_n = math.log(n)
    aic1 = n * math.log(rss1 / n) + 6
    aic2 = n * math.log(rss2 / n) + 12
    bic1 = n * math.log(rss1 / n) + 3 * ln_n
    bic2 = n * math.log(rss2 / n) + 6 * ln_n
    d_aic, d_bic = aic1 - aic2, bic1 - bic2
    F = ((rss1 - rss2) / 3) / (rss2 / dof2) if rss2 > 0 else math.inf
    p_F = float(stats.f.sf(F, 3, dof2)) if F > 0 else 1.0
    sigma = noise_given if noise_given is not None else math.sqrt(rss2 / dof2)

    cov1, sing1 = _covariance(_gauss_jac(E, p1), rss1 / dof1)
    cov2, sing2 = _covariance(_gauss_jac(E, p2), rss2 / dof2)

    # ---- power against the smallest pair of interest
    dist2, mimic = _pair_mimic_distance(E, p1, detect_separation_eV, detect_area_ratio)
    lam = dist2 / sigma**2
    power = float(stats.ncx2.sf(strong_delta_bic + 3 * ln_n, 3, lam))

    # ---- quantities
    root2pi = math.sqrt(2 * math.pi)
    q: dict[str, Quantity] = {}

    def band(prefix: str, p: NDArray, cov: NDArray, j: int, what: str) -> None:
        Aj, Ej, sj = p[3 * j : 3 * j + 3]
        c = cov[3 * j : 3 * j + 3, 3 * j : 3 * j + 3]
        sdA, sdE, sds = (math.sqrt(v) if v >= 0 else math.nan for v in np.diag(c))
        q[f"{prefix}_center_eV"] = Quantity(float(Ej), sdE, "eV", f"{what} centre")
        q[f"{prefix}_center_nm"] = Quantity(
            HC_eV_nm / Ej, HC_eV_nm / Ej**2 * sdE, "nm", f"{what} centre (hc/E)"
        )
        q[f"{prefix}_fwhm_eV"] = Quantity(
            float(FWHM_PER_SIGMA * sj), FWHM_PER_SIGMA * sds, "eV", f"{what} FWHM in energy"
        )
        half = 0.5 * FWHM_PER_SIGMA * sj
        fw_nm = HC_eV_nm / max(Ej - half, 1e-9) - HC_eV_nm / (Ej + half)
        q[f"{prefix}_fwhm_nm"] = Quantity(
            float(fw_nm), None, "nm", f"{what}: wavelength span of the energy FWHM"
        )
        q[f"{prefix}_amplitude"] = Quantity(float(-Aj), sdA, units, f"{what} peak dA")
        area = -Aj * sj * root2pi
        g = np.array([-sj * root2pi, 0.0, -Aj * root2pi])
        q[f"{prefix}_area"] = Quantity(
            float(area),
            _sd(c, g),
            f"{units} eV".strip(),
            f"{what} area over energy",
            stderr_name=f"{prefix}_area_stderr",
        )

    band("single", p1, cov1, 0, "single band")
    band("band_edge", p2, cov2, 0, "band edge (higher-energy band of the pair)")
    band("intragap", p2, cov2, 1, "intragap band (lower-energy band of the pair)")
    sep = float(p2[1] - p2[4])
    g_sep = np.zeros(6)
    g_sep[1], g_sep[4] = 1.0, -1.0
    sd_sep = _sd(cov2, g_sep)
    q["separation_eV"] = Quantity(sep, sd_sep, "eV", "band edge minus intragap energy")
    g_nm = np.zeros(6)
    g_nm[1], g_nm[4] = -HC_eV_nm / p2[1] ** 2, HC_eV_nm / p2[4] ** 2
    q["separation_nm"] = Quantity(
        HC_eV_nm / p2[4] - HC_eV_nm / p2[1], _sd(cov2, g_nm), "nm", "intragap minus band edge"
    )
    A1, _, s1, A2, _, s2 = p2
    ratio = (A2 * s2) / (A1 * s1) if A1 * s1 > 0 else math.inf
    g_r = np.array([-ratio / A1, 0, -ratio / s1, ratio / A2, 0, ratio / s2]) if A2 > 0 else None
    q["intragap_to_band_edge_area_ratio"] = Quantity(
        float(ratio),
        _sd(cov2, g_r) if g_r is not None else math.nan,
        "",
        "intragap area / band-edge area (two-band fit)",
    )
    q["delta_aic"] = Quantity(d_aic, None, "", "AIC(one band) - AIC(two bands)")
    q["delta_bic"] = Quantity(d_bic, None, "", "BIC(one band) - BIC(two bands)")
    q["f_statistic"] = Quantity(float(F), None, "", "nested F statistic, (3, n-6) dof")
    q["f_test_p_value"] = Quantity(p_F, None, "", "p-value of the F-test")
    q["pair_detection_power"] = Quantity(
        power, None, "", "probability that the smallest pair of interest would give strong BIC"
    )

    # ---- verdict
    at_bound = bool(
        np.any(np.isclose(p2, lb2, rtol=0, atol=1e-6 * (ub2 - lb2)))
        or np.any(np.isclose(p2, ub2, rtol=0, atol=1e-6 * (ub2 - lb2)))
    )
    area_ig = q["intragap_area"]
    sd_area = float(area_ig.stderr) if area_ig.stderr is not None else math.nan
    # other decompositions of the bleach into two bands that fit about as well (multimodal
    # likelihood: the local covariance of the best one then understates the uncertainty)
    sd_c = np.sqrt(np.abs(np.diag(cov2)))[[1, 4]]
    alternatives = []
    for other in solutions2:
        po = ordered(other.x)
        dchi2 = (2 * other.cost - rss2) / sigma**2
        shift = np.abs(po[[1, 4]] - p2[[1, 4]])
        if dchi2 < ambiguity_delta_chi2 and np.any(shift > 3 * sd_c):
            alternatives.append(
                {
                    "band_edge_nm": float(HC_eV_nm / po[1]),
                    "intragap_nm": float(HC_eV_nm / po[4]),
                    "delta_chi2": float(dchi2),
                }
            )
    alternatives.sort(key=lambda d: d["delta_chi2"])
    determined = (
        not sing2
        and not at_bound
        and not alternatives
        and math.isfinite(sd_sep)
        and sep > 3 * sd_sep
        and math.isfinite(sd_area)
        and abs(float(area_ig.value)) > 3 * sd_area
    )
    if d_bic > strong_delta_bic and p_F < alpha and determined:
        verdict = VERDICT_PAIR
        reason = (
            f"two bands fit much better (delta BIC {d_bic:.1f} > {strong_delta_bic:g}, F-test "
            f"p = {p_F:.2g} < {alpha:g}) and both are determined"
        )
    elif d_bic > strong_delta_bic and p_F < alpha:
        verdict = VERDICT_UNRESOLVED
        reason = (
            f"two bands fit better (delta BIC {d_bic:.1f}) but the pair is not determined "
            f"(separation {sep * 1000:.0f} ± {sd_sep * 1000:.0f} meV, intragap area "
            f"{format_value(float(area_ig.value), sd_area)}"
            + (", a parameter on its bound" if at_bound else "")
            + (
                f", another decomposition ({alternatives[0]['band_edge_nm']:.0f} + "
                f"{alternatives[0]['intragap_nm']:.0f} nm) fits within delta chi2 "
                f"{alternatives[0]['delta_chi2']:.1f} < {ambiguity_delta_chi2:g}"
                if alternatives
                else ""
            )
            + "): the bleach is asymmetric but its two bands are not determined"
        )
    elif d_bic < weak_delta_bic and power >= min_power:
        verdict = VERDICT_SINGLE
        reason = (
            f"no evidence for a second band (delta BIC {d_bic:.1f} < {weak_delta_bic:g}) and a "
            f"pair {detect_separation_eV * 1000:.0f} meV apart with area ratio "
            f"{detect_area_ratio:g} would have been detected with probability {power:.2f} "
            f">= {min_power:g}"
        )
    else:
        verdict = VERDICT_UNRESOLVED
        if d_bic < weak_delta_bic:
            reason = (
                f"no evidence for a second band (delta BIC {d_bic:.1f}), but at this noise a "
                f"pair {detect_separation_eV * 1000:.0f} meV apart with area ratio "
                f"{detect_area_ratio:g} would be detected only with probability {power:.2f} "
                f"< {min_power:g}: one band is not demonstrated"
            )
        else:
            reason = (
                f"weak evidence only (delta BIC {d_bic:.1f} between {weak_delta_bic:g} and "
                f"{strong_delta_bic:g}, F-test p = {p_F:.2g})"
            )
    warnings: list[str] = []
    if verdict == VERDICT_UNRESOLVED:
        warnings.append(f"bleach shape not resolved: {reason}")
    if verdict == VERDICT_PAIR and d_bic < 3 * strong_delta_bic:
        warnings.append(
            f"the pair is detected near the limit (delta BIC {d_bic:.1f} < "
            f"{3 * strong_delta_bic:g}): the band positions may be off by more than their "
            "(local) standard errors"
        )
    if sing1:
        warnings.append("the one-band covariance is singular")
    edge_gap = 0.1 * span
    if p1[1] - Emin < edge_gap or Emax - p1[1] < edge_gap:
        warnings.append("the single band's centre lies near the edge of the region")

    evidence = {
        "n_points": n,
        "rss_one_band": rss1,
        "rss_two_bands": rss2,
        "aic_one_band": aic1,
        "aic_two_bands": aic2,
        "bic_one_band": bic1,
        "bic_two_bands": bic2,
        "delta_aic": d_aic,
        "delta_bic": d_bic,
        "f_statistic": float(F),
        "f_test_p_value": p_F,
        "noise": sigma,
        "noise_source": "given" if noise_given is not None else "two-band residuals",
        "noncentrality_smallest_pair": lam,
        "pair_detection_power": power,
        "pair_determined": determined,
        "alternative_decompositions": alternatives,
    }
    thresholds = {
        "strong_delta_bic": strong_delta_bic,
        "weak_delta_bic": weak_delta_bic,
        "alpha": alpha,
        "detect_separation_eV": detect_separation_eV,
        "detect_area_ratio": detect_area_ratio,
        "min_power": min_power,
        "ambiguity_delta_chi2": ambiguity_delta_chi2,
        "determined": "separation > 3 stderr, intragap area > 3 stderr, no parameter on a "
        "bound, no other two-band decomposition within ambiguity_delta_chi2 whose centres "
        "differ by > 3 stderr",
    }
    metadata = {
        "method": "one vs two Gaussians in photon energy (no Jacobian), AIC/BIC/F-test + power",
        "verdict": verdict,
        "reason": reason,
        "thresholds": thresholds,
        "evidence": evidence,
        "region_nm": [r0, r1],
        "region_source": region_source,
        "units": units,
    }
    Ed = np.linspace(Emin, Emax, 600)
    curves = {
        "energy_eV": E,
        "data": yr,
        "one_band": _gauss(E, p1),
        "two_bands": _gauss(E, p2),
        "energy_dense_eV": Ed,
        "one_band_dense": _gauss(Ed, p1),
        "two_bands_dense": _gauss(Ed, p2),
        "band_edge_dense": _gauss(Ed, p2[:3]),
        "intragap_dense": _gauss(Ed, p2[3:]),
        "smallest_pair_of_interest_dense": _gauss(Ed, mimic),
        "params_one_band": p1,
        "params_two_bands": p2,
    }
    fit = FitQuality(
        converged=True,
        n_evaluations=int(sol1.nfev + sol2.nfev),
        n_points=n,
        n_parameters=6,
        rmse=math.sqrt(rss2 / n),
        chi2_reduced=(rss2 / dof2) / noise_given**2 if noise_given is not None else None,
        message=f"verdict: {verdict}",
    )
    return Result(
        analysis=BLEACH_ANALYSIS,
        quantities=q,
        fit=fit,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


# ============================================================================================
# figures

_FONT = 10


def _new_figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _check_result(result: Any, analysis: str, name: str, keys: Sequence[str]) -> Result:
    if not isinstance(result, Result) or result.analysis != analysis:
        raise InputError(
            "wrong kind of result",
            field=name,
            expected=f"a Result of analysis '{analysis}'",
            found=getattr(result, "analysis", type(result).__name__),
        )
    missing = [k for k in keys if k not in result.curves]
    if missing:
        raise InputError(
            "the result carries no curves to plot",
            field=f"{name}.curves",
            expected=", ".join(keys),
            found=missing,
        )
    return result


_TRACE_KEYS = ("time_ps", "data", "residuals", "time_dense_ps", "model_dense", "components_dense")


def _symlog(ax: Axes, result: Result) -> float:
    mu = float(result.quantities["irf_center_ps"].value)
    fwhm = float(result.quantities["irf_fwhm_ps"].value)
    linthresh = max(1.0, 5 * fwhm)
    ax.set_xscale("symlog", linthresh=linthresh, linscale=0.6)
    t = np.asarray(result.curves["time_ps"], dtype=float)
    ax.set_xlim(float(t[0]), float(t[-1]) * 1.05)
    ax.axvline(mu, color="0.75", lw=0.6, ls=":")
    return linthresh


def plot_trace_fit(result: Result, ax: Axes | None = None) -> Figure:
    """Trace, fit and components on a linear-then-logarithmic time axis; residuals below.

    The time axis is ``symlog``: linear up to ``max(1 ps, 5 FWHM)``, logarithmic beyond
    (like Fig. 4i-j of the ZCIS paper). With ``ax`` given only the upper panel is drawn.
    """
    r = _check_result(result, TRACE_ANALYSIS, "result", _TRACE_KEYS)
    c = r.curves
    t, y, res = (np.asarray(c[k], dtype=float) for k in ("time_ps", "data", "residuals"))
    td, md = np.asarray(c["time_dense_ps"]), np.asarray(c["model_dense"])
    comps = np.asarray(c["components_dense"])
    labels = list(c.get("component_labels", []))
    if ax is None:
        fig = _new_figure((6.4, 5.2))
        ax_t, ax_r = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    else:
        fig, ax_t, ax_r = ax.figure, ax, None
    units = r.metadata.get("units", "")
    ax_t.plot(t, y, "o", ms=2.6, color="0.5", mfc="none", mew=0.6, label="data", zorder=1)
    for j in range(comps.shape[1]):
        lab = labels[j] if j < len(labels) else f"component {j + 1}"
        ax_t.plot(td, comps[:, j], "--", lw=1.0, color=f"C{j + 1}", label=lab)
    q = r.quantities
    tav = q["tau_avg_amplitude_ps"]
    fit_label = (
        "fit ($\\langle τ \\rangle_{amp}$ = "
        + format_value(float(tav.value), None if tav.stderr is None else float(tav.stderr), "ps")
        + ")"
    )
    ax_t.plot(td, md, "-", lw=1.7, color="C0", label=fit_label, zorder=3)
    ax_t.axhline(0.0, color="0.6", lw=0.6)
    _symlog(ax_t, r)
    ax_t.set_ylabel(f"ΔA ({units})" if units else "ΔA", fontsize=_FONT + 1)
    ax_t.legend(fontsize=_FONT - 2, frameon=False, loc="best")
    ax_t.tick_params(labelsize=_FONT)
    if ax_r is None:
        ax_t.set_xlabel("delay (ps)", fontsize=_FONT + 1)
        return fig
    ax_r.plot(t, res, "o", ms=2.0, color="0.35")
    ax_r.axhline(0.0, color="C0", lw=1.0)
    lim = 1.1 * float(np.max(np.abs(res))) or 1.0
    ax_r.set_ylim(-lim, lim)
    ax_r.set_ylabel("residual", fontsize=_FONT + 1)
    ax_r.set_xlabel("delay (ps)", fontsize=_FONT + 1)
    ax_r.tick_params(labelsize=_FONT)
    rmse = r.fit.rmse if r.fit else float(np.sqrt(np.mean(res**2)))
    ax_r.text(
        0.99,
        0.95,
        f"RMSE {rmse:.3g}",
        transform=ax_r.transAxes,
        ha="right",
        va="top",
        fontsize=_FONT - 2,
    )
    return fig


def plot_traces_comparison(results: Mapping[str, Result]) -> Figure:
    """Normalised traces of several samples with their fits (like Fig. 4i of the paper).

    Each trace is divided by the largest |value| of its fitted model, with the sign of the
    signal, so bleaches and absorptions both rise to +1. Legend: the average lifetimes.
    """
    if not isinstance(results, Mapping) or not results:
        raise InputError(
            "no results to compare",
            field="results",
            expected="a non-empty mapping of sample name to trace-fit Result",
            found=type(results).__name__,
        )
    rs = {
        k: _check_result(v, TRACE_ANALYSIS, f"results[{k!r}]", _TRACE_KEYS)
        for k, v in results.items()
    }
    fig = _new_figure((6.4, 4.4))
    ax = fig.subplots()
    for j, (name, r) in enumerate(rs.items()):
        c = r.curves
        md = np.asarray(c["model_dense"], dtype=float)
        sgn = -1.0 if r.metadata.get("sign") == "negative" else 1.0
        norm = sgn * float(np.max(np.abs(md))) or 1.0
        colour = f"C{j}"
        q = r.quantities
        tav, tin = q["tau_avg_amplitude_ps"], q["tau_avg_intensity_ps"]
        lab = f"{name}: ⟨τ⟩amp {float(tav.value):.3g} ps, ⟨τ⟩int {float(tin.value):.3g} ps"
        ax.plot(
            np.asarray(c["time_ps"]),
            np.asarray(c["data"]) / norm,
            "o",
            ms=2.2,
            color=colour,
            alpha=0.45,
            mew=0,
        )
        ax.plot(np.asarray(c["time_dense_ps"]), md / norm, "-", lw=1.6, color=colour, label=lab)
    first = next(iter(rs.values()))
    _symlog(ax, first)
    t_all = np.concatenate([np.asarray(r.curves["time_ps"], dtype=float) for r in rs.values()])
    ax.set_xlim(float(t_all.min()), float(t_all.max()) * 1.05)
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlabel("delay (ps)", fontsize=_FONT + 1)
    ax.set_ylabel("normalised |ΔA|", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 2, frameon=False, loc="upper right")
    ax.tick_params(labelsize=_FONT)
    return fig


def plot_bleach_test(result: Result) -> Figure:
    """The bleach with the one- and two-band fits and the two bands; residuals of both below.

    Photon energy on the bottom axis, wavelength on the top; the verdict and evidence in the
    title.
    """
    keys = ("energy_eV", "data", "one_band", "two_bands", "energy_dense_eV")
    r = _check_result(result, BLEACH_ANALYSIS, "result", keys)
    c = r.curves
    E, y = np.asarray(c["energy_eV"]), np.asarray(c["data"])
    Ed = np.asarray(c["energy_dense_eV"])
    fig = _new_figure((6.4, 5.6))
    ax, ax_r = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.2))
    q = r.quantities
    ax.plot(E, y, "o", ms=2.6, color="0.5", mfc="none", mew=0.6, label="data")
    ax.plot(Ed, c["two_bands_dense"], "-", lw=1.7, color="C0", label="two bands", zorder=3)
    ax.plot(
        Ed,
        c["one_band_dense"],
        "--",
        lw=1.5,
        color="C3",
        zorder=4,
        label=f"one band: {float(q['single_center_nm'].value):.1f} nm",
    )
    for key, colour, label in (
        ("band_edge_dense", "C2", f"band edge: {float(q['band_edge_center_nm'].value):.1f} nm"),
        ("intragap_dense", "C1", f"intragap: {float(q['intragap_center_nm'].value):.1f} nm"),
    ):
        ax.fill_between(Ed, c[key], 0, color=colour, alpha=0.15, lw=0, zorder=1)
        ax.plot(Ed, c[key], "-", lw=1.2, color=colour, label=label, zorder=2)
    ax.axhline(0.0, color="0.6", lw=0.6)
    units = r.metadata.get("units", "")
    ax.set_ylabel(f"ΔA ({units})" if units else "ΔA", fontsize=_FONT + 1)
    ev = r.metadata["evidence"]
    ax.set_title(
        f"{r.metadata['verdict']}\nΔBIC = {ev['delta_bic']:.1f}, ΔAIC = {ev['delta_aic']:.1f}, "
        f"F-test p = {ev['f_test_p_value']:.2g}, pair detection power = "
        f"{ev['pair_detection_power']:.2f}",
        fontsize=_FONT - 1,
        loc="left",
    )
    ax.legend(fontsize=_FONT - 2, frameon=False, loc="lower left")
    ax.tick_params(labelsize=_FONT)

    def conv(v: NDArray) -> NDArray:
        v = np.asarray(v, dtype=float)
        out = np.full_like(v, np.inf)
        np.divide(HC_eV_nm, v, out=out, where=v > 0)
        return out

    top = ax.secondary_xaxis("top", functions=(conv, conv))
    top.set_xlabel("wavelength (nm)", fontsize=_FONT)
    top.tick_params(labelsize=_FONT - 1)
    ax_r.plot(E, y - np.asarray(c["one_band"]), "o", ms=2.0, color="C3", label="one band")
    ax_r.plot(E, y - np.asarray(c["two_bands"]), "o", ms=2.0, color="C0", label="two bands")
    ax_r.axhline(0.0, color="0.5", lw=0.8)
    ax_r.set_ylabel("residual", fontsize=_FONT + 1)
    ax_r.set_xlabel("photon energy (eV)", fontsize=_FONT + 1)
    ax_r.legend(fontsize=_FONT - 2, frameon=False, ncols=2, loc="upper left")
    ax_r.tick_params(labelsize=_FONT)
    ax_r.set_xlim(float(E[0]), float(E[-1]))
    return fig
