"""Time-resolved photoluminescence (TCSPC): reconvolution fits with a measured IRF.

Model
-----
On the decay's channel grid ``t_j = t_0 + j dt`` (uniform; checked) the expected counts are

    mu_j = b + sum_i A_i c_ij(tau_i, s) + A_s I_j(s)

* ``I(s)``: the measured instrument response, its background removed (``irf_background``:
  by default the mean of the channels more than three IRF widths before its rise; the IRF is
  then kept only over the contiguous region around its peak where its 5-channel mean stands
  2 sigma out of that background's noise, so that clipped noise does not add a pedestal),
  normalised to unit sum over the grid and delayed by ``s`` = ``shift_ns``;
* ``c_i = I(s) (*) exp(-t / tau_i)``: the convolution with one exponential, exact for an IRF
  that is constant within each channel and a decay integrated over each channel (below);
  ``A_i`` is then the count rate of component ``i`` at ``t = 0`` in counts per channel and
  ``A_i tau_i / dt`` its photons;
* ``A_s I(s)``: scattered excitation light (optional, ``scatter=True``);
* ``b``: a constant background, counts per channel (fitted, or fixed with ``background=``).

Equivalently ``mu = b + N [(1 - f) D + f I(s)]``, i.e. ``scale [(1 - f) I (*) sum a_i
exp(-t/tau_i) + f I]`` with each part normalised to unit area: ``D = sum_i a_i c_i / (sum_i
a_i tau_i / dt)`` is the unit-area decay, ``a_i = A_i / sum A`` the fractional amplitudes
(sum 1), ``f`` the fraction of scattered photons (``scatter_fraction``) and ``N`` the
photons.

Averages (both reported, with standard errors propagated through the full covariance):

* amplitude-weighted ``<tau>_a = sum a_i tau_i / sum a_i``;
* intensity-weighted ``<tau>_int = sum a_i tau_i^2 / sum a_i tau_i`` (the mean arrival time
  of the photons; the ``tau_av`` of most TRPL papers, including Cai et al. 2023).

Convolution
-----------
For an IRF with ``I_k`` photons spread evenly over channel ``k`` and a decay integrated over
each channel, with ``x = dt / tau`` and ``q = exp(-x)``:

    c_j = a(x) I_j + g(x) S_j,    S_j = sum_{k<j} I_k q^(j-1-k) = q S_{j-1} + I_{j-1},
    a(x) = (x - 1 + q) / x^2,     g(x) = ((1 - q) / x)^2.

That is an exact discrete convolution computed by a first-order recursion, O(n) per
exponential (``scipy.signal.lfilter`` for a few decays; a loop over channels vectorised over
many decays for batches), with no FFT wrap-around or zero-padding question. ``sum_j c_j =
tau / dt``. The derivative with respect to ``ln tau`` follows from a second recursion
``T_j = q T_{j-1} + S_j`` (``dS/dq = T``), exactly, not by finite differences. At ``dt -> 0``
``c`` tends to the continuous convolution (tested against the analytic Gaussian-IRF form of
:mod:`qdcat.kinetics.irf`).

The sub-channel shift of the IRF interpolates ``sqrt(I)`` by cubic convolution (Keys,
a = -1/2; Catmull-Rom), squares the result and renormalises it to unit sum. That keeps the
shifted IRF >= 0 (cubic convolution of ``I`` itself dips below zero before a steep rise, and
clipping it puts kinks into the objective on which minima get stuck), is continuously
differentiable in the shift (a smooth Jacobian), exact at whole channels, and on a Gaussian IRF
3 channels wide about 2x more accurate than cubic convolution of ``I`` and 8x more than linear
interpolation (which also has kinks at whole channels and smears a sharp IRF). A Fourier
shift would ring and wrap around.

Pile-up from a finite repetition rate (``rep_rate_MHz``): with period ``T`` longer than the
recorded window, the tails of all earlier pulses add ``g(x) q^j R`` with
``R = sum_k I_k q^(P-1-k) / (1 - q^P)``, ``P = T / dt``, to each component -- the decay that
has not died out after one period shows up as a rising "background" before the IRF.

Fitting
-------
* ``method='poisson'``: maximum likelihood for Poisson counts, minimising the deviance
  ``2 sum [mu - y + y ln(y / mu)]`` (a channel with ``y = 0`` contributes ``2 mu``). Correct at
  any count level, zero-count channels included.
* ``method='wls'``: weighted least squares with Neyman weights ``1 / max(y, 1)``. Biased at
  low counts (channels that fluctuate low get too much weight, pulling the model down); kept
  for comparison with common practice.

Amplitudes, scatter and background enter linearly. They are solved with non-negativity
constraints (exact active-set NNLS, all subsets for these few columns) for every trial of the
nonlinear parameters (``ln tau_i`` and the shift): variable projection. The nonlinear step is
Levenberg-Marquardt on the joint Gauss-Newton / Fisher-scoring system (for Poisson the
weights ``1 / mu`` are updated each iteration, which converges to the maximum-likelihood
estimate); every trial point is accepted only if the deviance (chi^2) decreases. The fit has
converged when the expected decrease of the objective from a full Newton step (the Newton
decrement, ``g^T H^-1 g``) is below ``1e-6`` -- about 1e-3 standard errors in each
parameter -- or below ``1e-3`` once the objective has stopped moving (no step lowers it, or
it changed by less than 1e-9 in 5 iterations). A fit that does not get there raises
:class:`~qdcat.core.errors.ConvergenceError` (``fit_trpl``) or is marked
``converged = False`` with NaN values (``fit_trpl_batch``).

Standard errors come from the inverse of the Fisher information ``J^T diag(1/mu) J`` (Poisson)
or of ``J^T diag(w) J`` (WLS, not rescaled by chi^2: the variances are known from counting
statistics; ``chi2_reduced`` says whether the model fits). Parameters at a bound (an
amplitude, the scatter or the background at 0, a lifetime at the end of its search range
``dt/20``-``20 x`` the grid span) are held fixed there and have no stderr (NaN), nor has the
lifetime of a component of zero amplitude. ``chi2_reduced`` is Pearson's
``sum (y - mu)^2 / mu / (n - p)`` for both methods.

Start values: ``ln tau`` from the data (moment estimate ``<t>_decay - <t>_IRF`` and a
log-spaced set over the window) with several starts for one decay, the best kept; the shift
from the cross-correlation of the decay's rising edge with the IRF. Batch fits start each
decay at the fit of the summed decay, and use its shift for every decay (one IRF, one
detector: the FLIM convention), unless ``shift_ns`` is given.

Fit window (``fit_range_ns=None``): from three IRF widths before the rise of the IRF (or of the
decay, whichever is earlier) to the last channel where the decay still exceeds the background:
the decay is first fitted to the end of the record, then again up to the last channel where
the fitted decay (background excluded) is at least a tenth of the background's counting noise,
``sqrt(max(b, 1)) / 10`` counts. Taking the end from the model rather than from the noisy data
keeps the noise from choosing the window (which inflates chi^2 by a few per cent).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy.signal import correlate, correlation_lags, lfilter
from scipy.special import xlogy

from qdcat.core.errors import ConvergenceError, InputError
from qdcat.core.results import FitQuality, Quantity, Result, format_value
from qdcat.kinetics.irf import convolved_exponentials, fwhm_to_sigma

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ANALYSIS_NAME",
    "MAX_COMPONENTS",
    "fit_trpl",
    "fit_trpl_batch",
    "irf_gaussian_tail",
    "plot_trpl",
    "simulate_trpl",
    "trpl_model",
]

#: Value of :attr:`Result.analysis` for :func:`fit_trpl`.
ANALYSIS_NAME = "kinetics.trpl"
#: Most exponentials a fit may have.
MAX_COMPONENTS = 4
#: The time dimension of a decay and an IRF.
TIME_DIM = "time_ns"
Method = Literal["poisson", "wls"]
_METHODS = ("poisson", "wls")
#: Fewest channels in the fit window per free parameter (and at least 16).
_MIN_CHANNELS_PER_PARAMETER = 4
_MIN_CHANNELS = 16
#: Convergence: Newton decrement (expected objective decrease) below this.
_TOL_DECREMENT = 1e-6
#: A fit whose objective stopped moving is converged if its decrement is below this.
_TOL_STALLED = 1e-3
_MU_FLOOR = 1e-10
_LFILTER_MAX_ROWS = 48
_SMOOTH = 16


# ----------------------------------------------------------------------------------------------
# Validation of decays and IRFs
# ----------------------------------------------------------------------------------------------


def _time_coord(da: Any, name: str) -> NDArray[np.float64]:
    if not isinstance(da, xr.DataArray):
        raise InputError(
            "not a DataArray",
            field=name,
            expected=f"an xarray.DataArray with dimension {TIME_DIM!r}",
            found=type(da).__name__,
        )
    if TIME_DIM not in da.dims:
        raise InputError(
            f"no {TIME_DIM!r} dimension",
            field=name,
            expected=f"a dimension {TIME_DIM!r} (channel times in ns)",
            found=tuple(da.dims),
        )
    if TIME_DIM not in da.coords:
        raise InputError(
            f"no {TIME_DIM!r} coordinate: the channel times are needed",
            field=name,
            expected="channel times in ns",
        )
    t = np.asarray(da[TIME_DIM].values, dtype=float)
    if not np.all(np.isfinite(t)):
        raise InputError("channel times are not all finite", field=f"{name}.{TIME_DIM}")
    return t


def _channel_width(t: NDArray[np.float64], name: str) -> float:
    """Width of the (uniform) channels of ``t``; InputError if they are not uniform."""
    if t.size < _MIN_CHANNELS:
        raise InputError(
            "too few channels",
            field=f"{name}.{TIME_DIM}",
            expected=f"at least {_MIN_CHANNELS}",
            found=int(t.size),
        )
    d = np.diff(t)
    dt = (t[-1] - t[0]) / (t.size - 1)
    if not dt > 0 or np.any(d <= 0):
        i = int(np.argmax(d <= 0))
        raise InputError(
            "channel times are not strictly increasing",
            field=f"{name}.{TIME_DIM}",
            expected="increasing times",
            found=f"{t[i]} then {t[i + 1]} at channel {i}",
        )
    bad = np.abs(d - dt) > 1e-3 * dt
    if np.any(bad):
        i = int(np.argmax(bad))
        raise InputError(
            "channels are not uniform: reconvolution needs one channel width",
            field=f"{name}.{TIME_DIM}",
            expected=f"every step {dt:.6g} ns (within 0.1 %)",
            found=f"step {d[i]:.6g} ns after channel {i} ({t[i]:.6g} ns)",
        )
    return float(dt)


def _check_counts(y: NDArray[np.float64], t: NDArray[np.float64], name: str) -> None:
    if y.ndim and y.shape[-1] != t.size:
        raise InputError("counts and times differ in length", field=name)
    finite = np.isfinite(y)
    if not np.all(finite):
        idx = np.unravel_index(int(np.argmin(finite)), y.shape)
        raise InputError(
            "counts are not all finite (NaN or infinite)",
            field=name,
            expected="finite counts",
            found=f"{y[idx]} at {t[idx[-1]]:.6g} ns (channel {idx[-1]})",
        )
    if np.any(y < 0):
        idx = np.unravel_index(int(np.argmax(y < 0)), y.shape)
        raise InputError(
            "negative counts: photon counts are >= 0 (pass raw counts; the background is "
            "fitted, and the IRF's is removed with irf_background)",
            field=name,
            expected="counts >= 0",
            found=f"{y[idx]} at {t[idx[-1]]:.6g} ns (channel {idx[-1]})",
        )


def _irf_array(irf: Any, t: NDArray[np.float64], dt: float) -> NDArray[np.float64]:
    """The IRF's counts on the decay's grid (checked to be the same grid)."""
    if isinstance(irf, xr.DataArray):
        if irf.ndim != 1:
            raise InputError(
                "the IRF must be one curve", field="irf", expected="1-D", found=irf.dims
            )
        ti = _time_coord(irf, "irf")
        if ti.size != t.size or np.max(np.abs(ti - t)) > 1e-3 * dt:
            raise InputError(
                "the IRF and the decay are on different time grids; measure or resample "
                "them on the same channels",
                field="irf",
                expected=f"{t.size} channels {t[0]:.6g}-{t[-1]:.6g} ns, step {dt:.6g} ns",
                found=f"{ti.size} channels {ti[0]:.6g}-{ti[-1]:.6g} ns",
            )
        values = np.asarray(irf.values, dtype=float)
    else:
        values = np.asarray(irf, dtype=float)
        if values.ndim != 1 or values.size != t.size:
            raise InputError(
                "the IRF must be one curve on the decay's channels",
                field="irf",
                expected=f"{t.size} values",
                found=values.shape,
            )
    _check_counts(values, t, "irf")
    if not np.any(values > 0):
        raise InputError("the IRF has no positive counts", field="irf")
    return values


def _fwhm_channels(v: NDArray[np.float64]) -> float:
    """Full width at half maximum of a peaked curve, in channels (linear interpolation)."""
    k = int(np.argmax(v))
    half = 0.5 * v[k]
    left = k
    while left > 0 and v[left - 1] > half:
        left -= 1
    right = k
    while right < v.size - 1 and v[right + 1] > half:
        right += 1
    lo = left - 1 + (v[left] - half) / (v[left] - v[left - 1]) if left > 0 else float(left)
    hi = right + (v[right] - half) / (v[right] - v[right + 1]) if right < v.size - 1 else right
    return max(float(hi - lo), 1.0)


def _prepare_irf(
    values: NDArray[np.float64], irf_background: float | str | None
) -> tuple[NDArray[np.float64], float, float]:
    """Background-free IRF normalised to unit sum; (irf, background removed, FWHM channels)."""
    v = np.asarray(values, dtype=float)
    fwhm = _fwhm_channels(v)
    if irf_background is None:
        bg = 0.0
    elif isinstance(irf_background, str):
        if irf_background != "auto":
            raise InputError(
                "unknown irf_background",
                field="irf_background",
                expected="'auto', a number or None",
                found=irf_background,
            )
        peak = int(np.argmax(v))
        base = float(np.median(v))  # the IRF fills few channels: the median is background
        rise = int(np.argmax(v >= base + 0.01 * (v[peak] - base)))
        end = rise - math.ceil(3 * fwhm)
        bg = float(np.mean(v[:end])) if end >= 8 else 0.0
    else:
        bg = float(irf_background)
        if not math.isfinite(bg) or bg < 0:
            raise InputError(
                "irf_background must be a finite number >= 0",
                field="irf_background",
                found=irf_background,
            )
    clean = np.clip(v - bg, 0.0, None)
    if bg > 0:
        # keep the IRF where it stands out of its background noise: the contiguous region
        # around the peak where the 5-channel mean exceeds 2 sigma of that mean; beyond it the
        # clipped noise would add a spurious pedestal to every convolution
        sm = np.convolve(v - bg, np.ones(5) / 5, mode="same")
        above = sm > 2.0 * math.sqrt(bg / 5.0)
        peak = int(np.argmax(sm))
        if above[peak]:
            left = peak
            while left > 0 and above[left - 1]:
                left -= 1
            right = peak
            while right < v.size - 1 and above[right + 1]:
                right += 1
            keep = np.zeros(v.size, dtype=bool)
            keep[max(0, left - 2) : right + 3] = True
            clean[~keep] = 0.0
    total = float(clean.sum())
    if not total > 0:
        raise InputError(
            "the IRF has no counts above its background",
            field="irf",
            expected="an IRF peak above the background",
            found=f"background {bg:.4g} counts/channel",
        )
    return clean / total, bg, _fwhm_channels(clean)


# ----------------------------------------------------------------------------------------------
# Model: shift, convolution, pile-up
# ----------------------------------------------------------------------------------------------


def _keys_weights(f: NDArray[np.float64]) -> tuple[list[NDArray], list[NDArray]]:
    """Cubic-convolution (a = -1/2) weights for taps k-1..k+2 at fraction f, and d/df."""
    f2, f3 = f * f, f * f * f
    w = [
        0.5 * (-f3 + 2 * f2 - f),
        0.5 * (3 * f3 - 5 * f2 + 2),
        0.5 * (-3 * f3 + 4 * f2 + f),
        0.5 * (f3 - f2),
    ]
    dw = [
        0.5 * (-3 * f2 + 4 * f - 1),
        0.5 * (9 * f2 - 10 * f),
        0.5 * (-9 * f2 + 8 * f + 1),
        0.5 * (3 * f2 - 2 * f),
    ]
    return w, dw


def _shift_irf(
    irf: NDArray[np.float64], shift_ns: NDArray[np.float64], dt: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """IRF delayed by ``shift_ns`` (one per row) and its derivative d/d(shift), per ns.

    ``I_s[j] = I(j - s/dt)``: cubic convolution of ``sqrt(I)``, squared, normalised to unit
    sum (see the module docstring); zero outside the recorded channels.
    """
    n = irf.size
    s = np.atleast_1d(np.asarray(shift_ns, dtype=float))
    u = -s / dt
    base = np.floor(u)
    f = u - base
    k0 = base.astype(np.int64)  # u_j = j + k0 + f
    pad = int(np.max(np.abs(k0))) + 3
    root = np.concatenate([np.zeros(pad), np.sqrt(np.clip(irf, 0.0, None)), np.zeros(pad)])
    w, dw = _keys_weights(f)
    j = np.arange(n)
    r = np.zeros((s.size, n))
    dr = np.zeros((s.size, n))
    for tap in range(4):
        idx = j[None, :] + (k0[:, None] + tap - 1 + pad)
        vals = root[np.clip(idx, 0, root.size - 1)]
        r += w[tap][:, None] * vals
        dr += dw[tap][:, None] * vals
    out = r * r
    dout = 2.0 * r * dr  # d/df
    total = out.sum(axis=1, keepdims=True)
    total = np.where(total > 0, total, 1.0)
    dtotal = dout.sum(axis=1, keepdims=True)
    dnorm = dout / total - out * dtotal / total**2
    # d/ds = d/df * df/ds = -1/dt d/df
    return out / total, -dnorm / dt


def _recursions(
    irf: NDArray[np.float64], q: NDArray[np.float64], want_t: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """S_j = q S_{j-1} + I_{j-1} (S_0 = 0) and T_j = q T_{j-1} + S_j for each q.

    ``irf``: (1 or R, n); ``q``: (R, m). Returns arrays (R, m, n).
    """
    R, m = q.shape
    n = irf.shape[-1]
    shared = irf.shape[0] == 1
    if R * m <= _LFILTER_MAX_ROWS:
        S = np.empty((R, m, n))
        T = np.empty((R, m, n)) if want_t else None
        for r in range(R):
            ir = irf[0 if shared else r]
            for i in range(m):
                den = [1.0, -float(q[r, i])]
                S[r, i] = lfilter([0.0, 1.0], den, ir)
                if T is not None:
                    T[r, i] = lfilter([1.0], den, S[r, i])
        return S, T
    # many decays: loop over channels, vectorised over (decay, component)
    qf = np.ascontiguousarray(q.reshape(-1))
    Sl = np.empty((n, R * m))
    Sl[0] = 0.0
    if shared:
        col = irf[0]
        for j in range(1, n):
            np.multiply(Sl[j - 1], qf, out=Sl[j])
            Sl[j] += col[j - 1]
    else:
        Ib = np.repeat(irf.T, m, axis=1)
        for j in range(1, n):
            np.multiply(Sl[j - 1], qf, out=Sl[j])
            Sl[j] += Ib[j - 1]
    Tl = None
    if want_t:
        Tl = np.empty((n, R * m))
        Tl[0] = 0.0
        for j in range(1, n):
            np.multiply(Tl[j - 1], qf, out=Tl[j])
            Tl[j] += Sl[j]
    S = np.ascontiguousarray(Sl.T).reshape(R, m, n)
    T = None if Tl is None else np.ascontiguousarray(Tl.T).reshape(R, m, n)
    return S, T


@dataclass(frozen=True)
class _Spec:
    """What is fitted and how (shared by every decay of one call)."""

    dt: float
    n: int  # channels of the whole grid
    lo: int  # fit window [lo, hi)
    hi: int
    m: int
    method: str
    fit_shift: bool
    shift_fixed: float
    fit_background: bool
    background_fixed: float
    scatter: bool
    period: float | None  # excitation period in channels
    lnt_bounds: tuple[float, float]
    shift_bounds: tuple[float, float]
    max_iterations: int = 200

    @property
    def q(self) -> int:  # nonlinear parameters
        return self.m + int(self.fit_shift)

    @property
    def p(self) -> int:  # linear parameters
        return self.m + int(self.scatter) + int(self.fit_background)

    @property
    def n_window(self) -> int:
        return self.hi - self.lo


@dataclass
class _Basis:
    B: NDArray[np.float64]  # (R, p, nw) columns: c_1..c_m, [I_s], [1]
    dc_dlnt: NDArray[np.float64]  # (R, m, nw)
    dc_ds: NDArray[np.float64] | None  # (R, m, nw)
    dI_ds: NDArray[np.float64] | None  # (R, nw)


def _coefficients(x: NDArray[np.float64]) -> tuple[NDArray, ...]:
    """a(x), g(x) and their derivatives with respect to ln tau (x = dt / tau)."""
    em = np.expm1(-x)  # q - 1
    q = em + 1.0
    om = -em  # 1 - q
    a = (x + em) / (x * x)
    g = (om / x) ** 2
    da = (2 * (x + em) - x * om) / (x * x)
    dg = 2 * g - 2 * om * q / x
    return q, a, g, da, dg


def _columns(
    spec: _Spec, irf: NDArray[np.float64], lnt: NDArray[np.float64], shift: NDArray | None
) -> _Basis:
    """Basis columns on the fit window for lifetimes ``exp(lnt)`` (R, m) and shifts (R,)."""
    R = lnt.shape[0]
    lo, hi = spec.lo, spec.hi
    if spec.fit_shift:
        Is, dIs = _shift_irf(irf, shift, spec.dt)
    else:
        Is, dIs = _shift_irf(irf, np.array([spec.shift_fixed]), spec.dt)
    x = spec.dt * np.exp(-lnt)
    q, a, g, da, dg = _coefficients(x)
    S, T = _recursions(Is[:, :hi], q, want_t=True)
    assert T is not None
    Sw, Tw = S[:, :, lo:], T[:, :, lo:]
    Iw = np.broadcast_to(Is[:, None, lo:hi], (R, 1, hi - lo))
    c = a[..., None] * Iw + g[..., None] * Sw
    dc = da[..., None] * Iw + dg[..., None] * Sw + (g * x)[..., None] * (Tw - Sw)
    dcs = None
    if spec.fit_shift:
        Sd, _ = _recursions(dIs[:, :hi], q, want_t=False)
        dcs = a[..., None] * dIs[:, None, lo:hi] + g[..., None] * Sd[:, :, lo:]
    if spec.period is not None:
        P = spec.period
        k = np.arange(spec.n)
        j = np.arange(lo, hi)
        qj = np.exp(-x[..., None] * j)  # (R, m, nw)
        e_k = np.exp(-x[..., None] * (P - 1 - k))  # (R, m, n)
        one_minus_qp = -np.expm1(-x * P)
        Rk = np.einsum("rmk,rk->rm", e_k, np.broadcast_to(Is, (R, spec.n))) / one_minus_qp
        wk = np.einsum("rmk,rk->rm", e_k * (P - 1 - k), np.broadcast_to(Is, (R, spec.n)))
        dRk = x * wk / one_minus_qp + Rk * P * x * np.exp(-x * P) / one_minus_qp
        pile = (g * Rk)[..., None] * qj
        c = c + pile
        dc = dc + (dg * Rk + g * dRk)[..., None] * qj + pile * (x[..., None] * j)
        if dcs is not None:
            Rd = np.einsum("rmk,rk->rm", e_k, dIs) / one_minus_qp
            dcs = dcs + (g * Rd)[..., None] * qj
    cols = [c]
    if spec.scatter:
        cols.append(np.broadcast_to(Is[:, None, lo:hi], (R, 1, hi - lo)))
    if spec.fit_background:
        cols.append(np.ones((R, 1, hi - lo)))
    B = np.concatenate(cols, axis=1) if len(cols) > 1 else c
    return _Basis(
        B=np.ascontiguousarray(B),
        dc_dlnt=dc,
        dc_ds=dcs,
        dI_ds=None if not spec.fit_shift else np.broadcast_to(dIs[:, lo:hi], (R, hi - lo)),
    )


def _mu(basis: _Basis, beta: NDArray[np.float64], spec: _Spec) -> NDArray[np.float64]:
    return np.einsum("rpn,rp->rn", basis.B, beta) + spec.background_fixed


def _jacobian(basis: _Basis, beta: NDArray[np.float64], spec: _Spec) -> NDArray[np.float64]:
    """d mu / d(ln tau, [shift], beta): (R, q + p, nw)."""
    m = spec.m
    parts = [beta[:, :m, None] * basis.dc_dlnt]
    if spec.fit_shift:
        assert basis.dc_ds is not None and basis.dI_ds is not None
        ds = np.einsum("rmn,rm->rn", basis.dc_ds, beta[:, :m])
        if spec.scatter:
            ds = ds + beta[:, m, None] * basis.dI_ds
        parts.append(ds[:, None, :])
    parts.append(basis.B)
    return np.concatenate(parts, axis=1)


# ----------------------------------------------------------------------------------------------
# Objective, linear solves
# ----------------------------------------------------------------------------------------------


def _objective(y: NDArray, mu: NDArray, method: str, wfix: NDArray | None, ylogy: NDArray):
    if method == "poisson":
        mp = np.maximum(mu, _MU_FLOOR)
        return 2.0 * (np.sum(mp, axis=-1) - np.sum(xlogy(y, mp), axis=-1) + ylogy)
    return np.sum(wfix * (y - mu) ** 2, axis=-1)


def _weights(y: NDArray, mu: NDArray, method: str, wfix: NDArray | None) -> NDArray:
    if method == "poisson":
        return 1.0 / np.maximum(mu, 1e-6)
    assert wfix is not None
    return wfix


def _solve_sym(H: NDArray, g: NDArray) -> NDArray:
    """Solve H x = g for stacks of symmetric positive (semi)definite H, Jacobi-scaled."""
    d = np.sqrt(np.maximum(np.einsum("...ii->...i", H), 1e-300))
    Hs = H / (d[..., :, None] * d[..., None, :])
    Hs = Hs + 1e-12 * np.eye(H.shape[-1])
    try:
        xs = np.linalg.solve(Hs, (g / d)[..., None])[..., 0]
    except np.linalg.LinAlgError:
        xs = np.einsum("...ij,...j->...i", np.linalg.pinv(Hs, hermitian=True), g / d)
    return xs / d


def _inverse_sym(H: NDArray) -> NDArray:
    d = np.sqrt(np.maximum(np.einsum("...ii->...i", H), 1e-300))
    Hs = H / (d[..., :, None] * d[..., None, :])
    try:
        inv = np.linalg.inv(Hs)
    except np.linalg.LinAlgError:  # some matrix singular: invert one by one
        inv = np.empty_like(Hs)
        for idx in np.ndindex(Hs.shape[:-2]):
            try:
                inv[idx] = np.linalg.inv(Hs[idx])
            except np.linalg.LinAlgError:
                inv[idx] = np.nan
    diag = np.einsum("...ii->...i", inv)
    bad = ~np.all(np.isfinite(inv), axis=(-2, -1)) | np.any(diag < 0, axis=-1)
    inv[bad] = np.nan
    return inv / (d[..., :, None] * d[..., None, :])


def _nnls(B: NDArray, z: NDArray, w: NDArray) -> NDArray:
    """min_{beta >= 0} sum w (z - B^T beta)^2 for each row; B (R, p, n). Exact for small p."""
    Bw = B * w[:, None, :]
    G = Bw @ B.transpose(0, 2, 1)
    b = np.einsum("rpn,rn->rp", Bw, z)
    p = G.shape[-1]
    beta = _solve_sym(G, b)
    bad = np.flatnonzero(np.any(beta < 0, axis=1) | ~np.all(np.isfinite(beta), axis=1))
    if bad.size == 0:
        return beta
    Gb, bb = G[bad], b[bad]
    best = np.zeros((bad.size, p))
    best_obj = np.zeros(bad.size)  # objective of beta = 0 (relative): 0
    for size in range(1, p + 1):
        for subset in combinations(range(p), size):
            sub = list(subset)
            xs = _solve_sym(Gb[:, sub][:, :, sub], bb[:, sub])
            ok = np.all(xs >= 0, axis=1) & np.all(np.isfinite(xs), axis=1)
            obj = -np.einsum("ri,ri->r", xs, bb[:, sub])  # = beta^T G beta - 2 beta^T b
            take = ok & (obj < best_obj)
            if np.any(take):
                best[take] = 0.0
                best[np.ix_(np.flatnonzero(take), sub)] = xs[take]
                best_obj[take] = obj[take]
    beta[bad] = best
    return beta


# ----------------------------------------------------------------------------------------------
# The engine: variable-projection Levenberg-Marquardt / Fisher scoring on a stack of decays
# ----------------------------------------------------------------------------------------------


@dataclass
class _Fit:
    theta: NDArray  # (R, q): ln tau..., [shift]
    beta: NDArray  # (R, p)
    cov: NDArray  # (R, q + p, q + p), zero rows/cols for parameters held at a bound
    held: NDArray  # (R, q + p) bool: parameter held fixed (bound / undetermined)
    objective: NDArray  # (R,)
    chi2_pearson: NDArray
    converged: NDArray
    n_iterations: NDArray
    n_evaluations: NDArray
    mu: NDArray | None  # (R, nw)


def _clip_theta(theta: NDArray, spec: _Spec) -> NDArray:
    out = theta.copy()
    out[:, : spec.m] = np.clip(out[:, : spec.m], *spec.lnt_bounds)
    if spec.fit_shift:
        out[:, spec.m] = np.clip(out[:, spec.m], *spec.shift_bounds)
    return out


def _evaluate(spec: _Spec, irf: NDArray, theta: NDArray) -> _Basis:
    shift = theta[:, spec.m] if spec.fit_shift else None
    return _columns(spec, irf, theta[:, : spec.m], shift)


def _take(basis: _Basis, rows: NDArray) -> _Basis:
    return _Basis(
        B=basis.B[rows],
        dc_dlnt=basis.dc_dlnt[rows],
        dc_ds=None if basis.dc_ds is None else basis.dc_ds[rows],
        dI_ds=None if basis.dI_ds is None else basis.dI_ds[rows],
    )


def _put(basis: _Basis, rows: NDArray, new: _Basis) -> None:
    basis.B[rows] = new.B
    basis.dc_dlnt[rows] = new.dc_dlnt
    if basis.dc_ds is not None and new.dc_ds is not None:
        basis.dc_ds[rows] = new.dc_ds
    if basis.dI_ds is not None and new.dI_ds is not None:
        basis.dI_ds = np.array(basis.dI_ds)
        basis.dI_ds[rows] = new.dI_ds


def _system(y, basis, theta, beta, spec, wfix):
    """Gauss-Newton / Fisher system (H, g) and the mask of parameters held at a bound.

    ``g`` points downhill (it is ``J^T W r``); a parameter at a bound whose ``g`` points out
    of the allowed range is held there.
    """
    mu = _mu(basis, beta, spec)
    w = _weights(y, mu, spec.method, wfix)
    J = _jacobian(basis, beta, spec)
    Jw = J * w[:, None, :]
    H = Jw @ J.transpose(0, 2, 1)
    g = np.einsum("rpn,rn->rp", Jw, y - mu)
    q = spec.q
    held = np.zeros(g.shape, dtype=bool)
    held[:, q:] = (beta <= 0) & (g[:, q:] <= 0)
    m = spec.m
    lo, hi = spec.lnt_bounds
    held[:, :m] = ((theta[:, :m] <= lo + 1e-9) & (g[:, :m] < 0)) | (
        (theta[:, :m] >= hi - 1e-9) & (g[:, :m] > 0)
    )
    if spec.fit_shift:
        slo, shi = spec.shift_bounds
        held[:, m] = ((theta[:, m] <= slo + 1e-9) & (g[:, m] < 0)) | (
            (theta[:, m] >= shi - 1e-9) & (g[:, m] > 0)
        )
    return H, g, held, mu, w


def _restrict(H: NDArray, g: NDArray, held: NDArray) -> tuple[NDArray, NDArray]:
    H = H.copy()
    g = np.where(held, 0.0, g)
    r, k = np.nonzero(held)
    H[r, k, :] = 0.0
    H[r, :, k] = 0.0
    H[r, k, k] = 1.0
    return H, g


def _run(
    y: NDArray[np.float64],
    irf: NDArray[np.float64],
    spec: _Spec,
    theta0: NDArray[np.float64],
    *,
    keep_mu: bool = False,
) -> _Fit:
    """Fit every row of ``y`` (R, nw) from ``theta0`` (R, q)."""
    R = y.shape[0]
    q, p = spec.q, spec.p
    z = y - spec.background_fixed
    wfix = 1.0 / np.maximum(y, 1.0) if spec.method == "wls" else None
    ylogy = np.sum(xlogy(y, y) - y, axis=-1)
    theta = _clip_theta(np.asarray(theta0, dtype=float), spec)
    basis = _evaluate(spec, irf, theta)
    n_eval = np.ones(R, dtype=np.int64)
    w0 = 1.0 / np.maximum(y, 1.0)
    beta = _nnls(basis.B, z, w0)
    if spec.method == "poisson":
        for _ in range(3):  # IRLS: profile the linear parameters for the Poisson likelihood
            w = 1.0 / np.maximum(_mu(basis, beta, spec), 1e-6)
            beta = _nnls(basis.B, z, w)
    obj = _objective(y, _mu(basis, beta, spec), spec.method, wfix, ylogy)
    lam = np.full(R, 1e-3)
    converged = np.zeros(R, dtype=bool)
    n_iter = np.zeros(R, dtype=np.int64)
    prev_obj = np.full(R, np.inf)
    flat = np.zeros(R, dtype=np.int64)
    active = np.arange(R)
    for _ in range(spec.max_iterations):
        if active.size == 0:
            break
        everyone = active.size == R
        ya, za = (y, z) if everyone else (y[active], z[active])
        wfa = None if wfix is None else (wfix if everyone else wfix[active])
        ba = basis if everyone else _take(basis, active)
        H, g, held, _mu_a, w = _system(ya, ba, theta[active], beta[active], spec, wfa)
        Hr, gr = _restrict(H, g, held)
        step = _solve_sym(Hr, gr)
        dec = np.einsum("ri,ri->r", step, gr)
        # stagnation: the objective has not moved (1e-9) for 5 iterations and the rest the
        # model promises is statistically nil (a minimum on a kink, or a flat valley)
        moved = prev_obj[active] - obj[active] > 1e-9
        flat[active] = np.where(moved, 0, flat[active] + 1)
        prev_obj[active] = obj[active]
        stagnant = (flat[active] >= 5) & (dec < _TOL_STALLED)
        done = ~(dec > _TOL_DECREMENT) | stagnant  # also NaN -> done (flagged if not finite)
        good = np.isfinite(dec)
        converged[active[done & good]] = True
        n_iter[active] += 1
        keep = ~done
        if not np.any(keep):
            active = active[keep]
            break
        active, Hr, gr, w = active[keep], Hr[keep], gr[keep], w[keep]
        ya, za = ya[keep], za[keep]
        wfa = None if wfa is None else wfa[keep]
        diagH = np.maximum(np.einsum("rii->ri", Hr), 1e-300)
        pending = np.arange(active.size)
        for _attempt in range(14):
            rows = active[pending]
            Hd = Hr[pending] + lam[rows, None, None] * (diagH[pending][:, :, None] * np.eye(q + p))
            d = _solve_sym(Hd, gr[pending])
            th_new = _clip_theta(theta[rows] + d[:, :q], spec)
            b_new = _evaluate(spec, irf, th_new)
            n_eval[rows] += 1
            beta_vp = _nnls(b_new.B, za[pending], w[pending])
            beta_j = np.maximum(beta[rows] + d[:, q:], 0.0)
            o_vp = _objective(
                ya[pending],
                _mu(b_new, beta_vp, spec),
                spec.method,
                None if wfa is None else wfa[pending],
                ylogy[rows],
            )
            o_j = _objective(
                ya[pending],
                _mu(b_new, beta_j, spec),
                spec.method,
                None if wfa is None else wfa[pending],
                ylogy[rows],
            )
            use_vp = ~(o_j < o_vp)
            o_new = np.where(use_vp, o_vp, o_j)
            beta_new = np.where(use_vp[:, None], beta_vp, beta_j)
            ok = o_new < obj[rows]
            if np.any(ok):
                sel = rows[ok]
                theta[sel] = th_new[ok]
                beta[sel] = beta_new[ok]
                obj[sel] = o_new[ok]
                _put(basis, sel, _take(b_new, np.flatnonzero(ok)))
                lam[sel] = np.maximum(lam[sel] * 0.1, 1e-9)
            lam[rows[~ok]] *= 10.0
            pending = pending[~ok]
            if pending.size == 0:
                break
        if pending.size:
            # no step lowers the objective: a minimum (to rounding) if the decrement is small
            rows = active[pending]
            small = dec[keep][pending] < _TOL_STALLED
            converged[rows[small]] = True
            lam[rows] = 1e-3
            active = active[~np.isin(np.arange(active.size), pending)]
    # final covariance and statistics
    H, g, held, mu, _w = _system(y, basis, theta, beta, spec, wfix)
    held[:, q:] |= beta <= 0
    amp_zero = beta[:, : spec.m] <= 0
    held[:, : spec.m] |= amp_zero
    Hr, _ = _restrict(H, g, held)
    cov = _inverse_sym(Hr)
    cov = np.where(held[:, :, None] | held[:, None, :], 0.0, cov)
    mp = np.maximum(mu, _MU_FLOOR)
    chi2 = np.sum((y - mu) ** 2 / mp, axis=-1)
    bad = ~np.all(np.isfinite(cov.reshape(R, -1)), axis=1) | ~np.isfinite(obj)
    converged &= ~bad
    return _Fit(
        theta=theta,
        beta=beta,
        cov=cov,
        held=held,
        objective=obj,
        chi2_pearson=chi2,
        converged=converged,
        n_iterations=n_iter,
        n_evaluations=n_eval,
        mu=mu if keep_mu else None,
    )


# ----------------------------------------------------------------------------------------------
# Derived quantities with propagated errors
# ----------------------------------------------------------------------------------------------


def _derived(fit: _Fit, spec: _Spec) -> dict[str, tuple[NDArray, NDArray]]:
    """Values and standard errors of the reported quantities; components sorted by tau."""
    m, q = spec.m, spec.q
    R, P = fit.theta.shape[0], q + spec.p
    tau = np.exp(fit.theta[:, :m])
    A = fit.beta[:, :m]
    sA = A.sum(axis=1)
    D = (A * tau).sum(axis=1)
    names: list[str] = []
    rows: list[tuple[NDArray, NDArray]] = []  # (value (R,), gradient (R, P))

    def add(name: str, value: NDArray, grad: NDArray) -> None:
        names.append(name)
        rows.append((value, grad))

    eye = np.eye(m)
    for i in range(m):
        gr = np.zeros((R, P))
        gr[:, i] = tau[:, i]
        add(f"tau{i}", tau[:, i], gr)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(m):
            gr = np.zeros((R, P))
            gr[:, q : q + m] = (eye[i][None, :] - (A[:, i] / sA)[:, None]) / sA[:, None]
            add(f"a{i}", A[:, i] / sA, gr)
        for i in range(m):
            fi = A[:, i] * tau[:, i] / D
            gr = np.zeros((R, P))
            gr[:, q : q + m] = (eye[i][None, :] * tau[:, i, None] - fi[:, None] * tau) / D[:, None]
            gr[:, :m] = eye[i][None, :] * (A[:, i] * tau[:, i])[:, None] - fi[:, None] * A * tau
            gr[:, :m] /= D[:, None]
            add(f"f{i}", fi, gr)
        ta = D / sA
        gr = np.zeros((R, P))
        gr[:, :m] = A * tau / sA[:, None]
        gr[:, q : q + m] = (tau - ta[:, None]) / sA[:, None]
        add("tau_a", ta, gr)
        N2 = (A * tau * tau).sum(axis=1)
        ti = N2 / D
        gr = np.zeros((R, P))
        gr[:, :m] = A * tau * (2 * tau - ti[:, None]) / D[:, None]
        gr[:, q : q + m] = (tau * tau - ti[:, None] * tau) / D[:, None]
        add("tau_int", ti, gr)
        if spec.fit_shift:
            gr = np.zeros((R, P))
            gr[:, m] = 1.0
            add("shift", fit.theta[:, m], gr)
        if spec.scatter:
            As = fit.beta[:, m]
            tot = As + D / spec.dt
            gr = np.zeros((R, P))
            gr[:, q + m] = (D / spec.dt) / tot**2
            gr[:, q : q + m] = -(As / tot**2)[:, None] * tau / spec.dt
            gr[:, :m] = -(As / tot**2)[:, None] * A * tau / spec.dt
            add("scatter", As / tot, gr)
        if spec.fit_background:
            gr = np.zeros((R, P))
            gr[:, -1] = 1.0
            add("background", fit.beta[:, -1], gr)
    values = np.stack([v for v, _ in rows], axis=1)
    G = np.stack([gg for _, gg in rows], axis=1)  # (R, nd, P)
    G = np.where(np.isfinite(G), G, 0.0)
    var = np.einsum("rdp,rpk,rdk->rd", G, fit.cov, G)
    err = np.sqrt(np.maximum(var, 0.0))
    err = np.where(np.isfinite(var), err, np.nan)
    out = {nm: (values[:, k], err[:, k]) for k, nm in enumerate(names)}
    # a lifetime whose amplitude is zero is undetermined; a parameter held at a bound has none
    for i in range(m):
        undetermined = fit.held[:, i]
        out[f"tau{i}"][1][undetermined] = np.nan
    for key, col in (("background", P - 1), ("scatter", q + m)):
        if key in out:
            out[key][1][fit.held[:, col]] = np.nan
    # sort components by lifetime
    order = np.argsort(tau, axis=1)
    ridx = np.arange(R)[:, None]
    result: dict[str, tuple[NDArray, NDArray]] = {}
    for key, label in (("tau", "lifetimes"), ("a", "amplitudes"), ("f", "intensity_fractions")):
        v = np.stack([out[f"{key}{i}"][0] for i in range(m)], axis=1)[ridx, order]
        e = np.stack([out[f"{key}{i}"][1] for i in range(m)], axis=1)[ridx, order]
        result[label] = (v, e)
    for key in ("tau_a", "tau_int", "shift", "scatter", "background"):
        if key in out:
            result[key] = out[key]
    return result


# ----------------------------------------------------------------------------------------------
# Set-up shared by single and batch fits
# ----------------------------------------------------------------------------------------------


def _check_components(components: Any) -> int:
    if isinstance(components, bool) or not isinstance(components, int | np.integer):
        raise InputError(
            "components must be an integer",
            field="components",
            expected=f"1-{MAX_COMPONENTS}",
            found=components,
        )
    if not 1 <= components <= MAX_COMPONENTS:
        raise InputError(
            "unsupported number of exponentials",
            field="components",
            expected=f"1-{MAX_COMPONENTS}",
            found=int(components),
        )
    return int(components)


def _check_method(method: Any) -> str:
    if method not in _METHODS:
        raise InputError(
            "unknown fit method", field="method", expected="'poisson' or 'wls'", found=method
        )
    return str(method)


def _smooth(y: NDArray, width: int = _SMOOTH) -> NDArray:
    k = np.ones(width) / width
    return np.convolve(y, k, mode="same")


def _auto_window(
    y: NDArray[np.float64], irf: NDArray[np.float64], fwhm: float
) -> tuple[int, float]:
    """Default start of the fit window and a pre-rise background estimate (counts/channel)."""
    rise_irf = int(np.argmax(irf >= 0.01 * irf.max()))
    ys = _smooth(y, 5)
    peak = int(np.argmax(ys))
    base_guess = float(np.median(y[: max(rise_irf - int(3 * fwhm), 1)]))
    rise_dec = int(np.argmax(ys >= base_guess + 0.05 * (ys[peak] - base_guess)))
    rise = min(rise_irf, rise_dec)
    lo = max(0, rise - math.ceil(3 * fwhm) - 2)
    pre = y[:lo]
    bg = float(np.mean(pre)) if pre.size >= 8 else 0.0
    return lo, bg


def _window_end(setup: _Setup, fit: _Fit, row: int) -> int:
    """End of the default window: the last channel where the fitted decay (background excluded)
    still has a tenth of the background's counting noise, sqrt(max(b, 1)) / 10, or more.

    Taken from the model, not from the noisy data, so the window is not chosen by the noise
    (a window ending where the data happen to lie high inflates chi^2).
    """
    spec = replace(setup.spec, lo=0, hi=setup.spec.n)
    one = _best_row(fit, row)
    b = _evaluate(spec, setup.irf, one.theta)
    beta = one.beta.copy()
    bg = spec.background_fixed
    if spec.fit_background:
        bg = float(beta[0, -1])
        beta[0, -1] = 0.0
    signal = _mu(b, beta, replace(spec, background_fixed=0.0))[0]
    above = np.flatnonzero(signal >= 0.1 * math.sqrt(max(bg, 1.0)))
    peak = int(np.argmax(signal))
    end = spec.n if above.size == 0 else int(above[-1]) + 1
    return int(min(spec.n, max(end, peak + 2 * _SMOOTH)))


def _window_from_range(t: NDArray[np.float64], fit_range_ns: Any) -> tuple[int, int]:
    try:
        start, end = fit_range_ns
    except (TypeError, ValueError):
        raise InputError(
            "fit_range_ns must be (start, end) in ns",
            field="fit_range_ns",
            expected="two numbers (either may be None)",
            found=fit_range_ns,
        ) from None
    start = t[0] if start is None else float(start)
    end = t[-1] if end is None else float(end)
    if not (math.isfinite(start) and math.isfinite(end)) or end <= start:
        raise InputError(
            "fit_range_ns is empty or not finite", field="fit_range_ns", found=fit_range_ns
        )
    idx = np.flatnonzero((t >= start - 1e-9) & (t <= end + 1e-9))
    if idx.size == 0:
        raise InputError(
            "fit_range_ns contains no channel",
            field="fit_range_ns",
            expected=f"within {t[0]:.6g}-{t[-1]:.6g} ns",
            found=fit_range_ns,
        )
    return int(idx[0]), int(idx[-1]) + 1


def _initial_shift(y: NDArray, irf: NDArray, bounds_ch: float) -> float:
    """Delay of the decay's rising edge relative to the IRF, in channels.

    The derivative of ``IRF (*) exp`` is the IRF minus a slowly varying term, so the peak of
    the cross-correlation of the decay's derivative (central differences, aligned with the
    channels) with the IRF, refined by a parabola through its top three points, is the delay.
    """
    edge = np.gradient(_smooth(y, 3))
    c = correlate(edge, irf, mode="full", method="auto")
    lags = correlation_lags(edge.size, irf.size, mode="full")
    ok = np.abs(lags) <= bounds_ch
    if not np.any(ok):
        return 0.0
    k = int(np.flatnonzero(ok)[np.argmax(c[ok])])
    frac = 0.0
    if 0 < k < c.size - 1:
        den = c[k - 1] - 2 * c[k] + c[k + 1]
        if den < 0:
            frac = float(np.clip(0.5 * (c[k - 1] - c[k + 1]) / den, -0.5, 0.5))
    return float(lags[k]) + frac


def _moment_tau(y: NDArray, irf: NDArray, t: NDArray, lo: int, hi: int, bg: float) -> float:
    s = np.clip(y[lo:hi] - bg, 0.0, None)
    if not s.sum() > 0:
        return float((t[hi - 1] - t[lo]) / 10)
    t_dec = float(np.sum(s * t[lo:hi]) / s.sum())
    t_irf = float(np.sum(irf * t) / irf.sum())
    return t_dec - t_irf


@dataclass(frozen=True)
class _Setup:
    t: NDArray[np.float64]
    irf: NDArray[np.float64]  # normalised
    irf_background: float
    irf_fwhm_ch: float
    spec: _Spec
    bg_estimate: float
    auto_end: bool


def _setup(
    t: NDArray,
    y: NDArray,
    irf_values: NDArray,
    *,
    components: int,
    method: str,
    fit_range_ns: Any,
    shift_ns: float | None,
    background: float | None,
    scatter: bool,
    rep_rate_MHz: float | None,
    irf_background: Any,
    max_iterations: int,
) -> _Setup:
    dt = _channel_width(t, TIME_DIM)
    m = _check_components(components)
    method = _check_method(method)
    irf, irf_bg, fwhm = _prepare_irf(irf_values, irf_background)
    lo, bg_est = _auto_window(y, irf, fwhm)
    hi = t.size
    if fit_range_ns is not None:
        lo, hi = _window_from_range(t, fit_range_ns)
    if background is not None:
        background = float(background)
        if not math.isfinite(background) or background < 0:
            raise InputError(
                "background must be a finite number >= 0 (counts per channel), or None to fit",
                field="background",
                found=background,
            )
    if shift_ns is not None and not math.isfinite(float(shift_ns)):
        raise InputError("shift_ns must be finite or None", field="shift_ns", found=shift_ns)
    period = None
    if rep_rate_MHz is not None:
        rr = float(rep_rate_MHz)
        if not math.isfinite(rr) or rr <= 0:
            raise InputError("rep_rate_MHz must be > 0", field="rep_rate_MHz", found=rep_rate_MHz)
        period = 1e3 / rr / dt
        if period < t.size:
            raise InputError(
                "the recorded window is longer than one excitation period",
                field="rep_rate_MHz",
                expected=f"a period >= {t.size * dt:.6g} ns (rate <= {1e3 / (t.size * dt):.4g} "
                "MHz)",
                found=f"{rep_rate_MHz} MHz (period {1e3 / rr:.6g} ns)",
            )
    spec = _Spec(
        dt=dt,
        n=t.size,
        lo=lo,
        hi=hi,
        m=m,
        method=method,
        fit_shift=shift_ns is None,
        shift_fixed=0.0 if shift_ns is None else float(shift_ns),
        fit_background=background is None,
        background_fixed=0.0 if background is None else background,
        scatter=bool(scatter),
        period=period,
        lnt_bounds=(math.log(dt / 20.0), math.log(20.0 * (t[-1] - t[0] + dt))),
        shift_bounds=(-0.25 * t.size * dt, 0.25 * t.size * dt),
        max_iterations=int(max_iterations),
    )
    n_par = spec.q + spec.p
    need = max(_MIN_CHANNELS, _MIN_CHANNELS_PER_PARAMETER * n_par)
    if spec.n_window < need:
        raise InputError(
            f"too few channels in the fit window for {m} exponential(s) ({n_par} parameters)",
            field="fit_range_ns" if fit_range_ns is not None else "decay",
            expected=f"at least {need} channels",
            found=spec.n_window,
        )
    return _Setup(t, irf, irf_bg, fwhm, spec, bg_est, auto_end=fit_range_ns is None)


def _start_sets(
    setup: _Setup, y: NDArray, lifetimes_init_ns: Sequence[float] | None
) -> NDArray[np.float64]:
    """Rows of start values ln tau (log-spaced, from moments, or the user's)."""
    spec, t = setup.spec, setup.t
    m, dt = spec.m, spec.dt
    span = (spec.hi - spec.lo) * dt
    lo_b, hi_b = spec.lnt_bounds
    if lifetimes_init_ns is not None:
        v = np.asarray(lifetimes_init_ns, dtype=float).ravel()
        if v.size != m or not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise InputError(
                "lifetimes_init_ns must hold one positive lifetime per component",
                field="lifetimes_init_ns",
                expected=f"{m} values > 0",
                found=lifetimes_init_ns,
            )
        return np.clip(np.log(np.sort(v))[None, :], lo_b, hi_b)
    tau_m = _moment_tau(y, setup.irf, t, spec.lo, spec.hi, setup.bg_estimate)
    tau_m = float(np.clip(tau_m, dt, span))
    short = max(dt, 0.5 * setup.irf_fwhm_ch * dt)
    sets = []
    if m == 1:
        sets = [[tau_m], [math.sqrt(short * span / 3)]]
    else:
        sets.append(tau_m * np.geomspace(0.15, 2.0, m))
        sets.append(np.geomspace(short, max(span / 3, 2 * short), m))
        sets.append(tau_m * np.geomspace(0.04, 1.3, m))
    return np.clip(np.log(np.asarray(sets, dtype=float)), lo_b, hi_b)


# ----------------------------------------------------------------------------------------------
# Public API: IRF and simulation
# ----------------------------------------------------------------------------------------------


def _grid(time_ns: Any) -> NDArray[np.float64]:
    if isinstance(time_ns, xr.DataArray):
        t = _time_coord(time_ns, "time_ns") if TIME_DIM in time_ns.dims else time_ns.values
    else:
        t = np.asarray(time_ns, dtype=float)
    t = np.asarray(t, dtype=float).ravel()
    _channel_width(t, "time_ns")
    return t


def irf_gaussian_tail(
    time_ns: ArrayLike,
    center_ns: float,
    fwhm_ns: float,
    tail_ns: float = 0.0,
    tail_fraction: float = 0.0,
    *,
    peak_counts: float | None = None,
    background: float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> xr.DataArray:
    """A measured-looking instrument response: Gaussian with an exponential tail.

    ``(1 - tail_fraction) G + tail_fraction (G (*) exp(-t/tail_ns) / tail_ns)`` with ``G`` a
    unit-area Gaussian of the given centre and FWHM (the tail is the analytic convolution of
    :func:`qdcat.kinetics.irf.convolved_exponentials`), averaged over each channel (11-point
    rule). Without ``peak_counts`` the curve has unit sum; with it, it is scaled to that peak,
    ``background`` counts per channel are added and, given ``rng``, Poisson noise.
    Returns a DataArray on ``time_ns`` (dimension ``'time_ns'``).
    """
    t = _grid(time_ns)
    dt = float(t[1] - t[0])
    if not (fwhm_ns > 0 and math.isfinite(fwhm_ns)):
        raise InputError("fwhm_ns must be > 0", field="fwhm_ns", found=fwhm_ns)
    if not 0 <= tail_fraction <= 1:
        raise InputError(
            "tail_fraction must be in [0, 1]", field="tail_fraction", found=tail_fraction
        )
    if tail_fraction > 0 and not tail_ns > 0:
        raise InputError("tail_ns must be > 0 with a tail", field="tail_ns", found=tail_ns)
    sigma = fwhm_to_sigma(fwhm_ns)
    sub = (np.arange(11) + 0.5) / 11 * dt  # sub-channel points: channel j covers [t_j, t_j+dt)
    tt = (t[:, None] + sub[None, :]).ravel()
    g = np.exp(-0.5 * ((tt - center_ns) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    shape = (1.0 - tail_fraction) * g
    if tail_fraction > 0:
        tail = convolved_exponentials(tt, [1.0 / tail_ns], center_ns, sigma)[:, 0] / tail_ns
        shape = shape + tail_fraction * tail
    v = shape.reshape(t.size, 11).mean(axis=1)
    v = v / v.sum()
    attrs: dict[str, Any] = {
        "long_name": "instrument response",
        "center_ns": center_ns,
        "fwhm_ns": fwhm_ns,
        "tail_ns": tail_ns,
        "tail_fraction": tail_fraction,
    }
    if peak_counts is not None:
        v = v * (float(peak_counts) / v.max()) + float(background)
        if rng is not None:
            v = np.random.default_rng(rng).poisson(v).astype(float)
        attrs["units"] = "counts"
    return xr.DataArray(v, dims=(TIME_DIM,), coords={TIME_DIM: t}, attrs=attrs, name="irf")


def trpl_model(
    time_ns: ArrayLike,
    irf: Any,
    lifetimes_ns: ArrayLike,
    amplitudes: ArrayLike,
    *,
    total_counts: float | None = None,
    peak_counts: float | None = None,
    background: float = 0.0,
    shift_ns: float = 0.0,
    scatter: float = 0.0,
    rep_rate_MHz: float | None = None,
    irf_background: float | str | None = None,
) -> xr.DataArray:
    """Expected counts (no noise) of the reconvolution model described in the module docstring.

    ``amplitudes`` are the pre-exponential factors ``a_i`` (normalised to sum 1 here);
    ``scatter`` is the fraction of photons that are scattered excitation light. The signal
    (everything but ``background``) is scaled to ``total_counts`` photons (``sum_i A_i tau_i /
    dt`` plus the scatter, i.e. including photons after the window) or to a maximum of
    ``peak_counts`` counts in a channel; give exactly one.
    """
    t = _grid(time_ns)
    dt = float(t[1] - t[0])
    tau = np.atleast_1d(np.asarray(lifetimes_ns, dtype=float))
    a = np.atleast_1d(np.asarray(amplitudes, dtype=float))
    if tau.ndim != 1 or a.shape != tau.shape or not 1 <= tau.size <= MAX_COMPONENTS:
        raise InputError(
            "lifetimes_ns and amplitudes must be equally long (1-4 components)",
            field="lifetimes_ns",
            found=(tau.shape, a.shape),
        )
    if not (np.all(tau > 0) and np.all(np.isfinite(tau))):
        raise InputError("lifetimes must be > 0", field="lifetimes_ns", found=tau.tolist())
    if np.any(a < 0) or not a.sum() > 0:
        raise InputError("amplitudes must be >= 0, not all 0", field="amplitudes", found=a.tolist())
    if not 0 <= scatter < 1:
        raise InputError("scatter must be a fraction in [0, 1)", field="scatter", found=scatter)
    if (total_counts is None) == (peak_counts is None):
        raise InputError("give exactly one of total_counts and peak_counts", field="total_counts")
    irf_values = _irf_array(irf, t, dt)
    irf_n, _, _ = _prepare_irf(irf_values, irf_background)
    a = a / a.sum()
    period = None if rep_rate_MHz is None else 1e3 / float(rep_rate_MHz) / dt
    if period is not None and period < t.size:
        raise InputError(
            "the window is longer than one excitation period",
            field="rep_rate_MHz",
            found=rep_rate_MHz,
        )
    spec = _Spec(
        dt=dt,
        n=t.size,
        lo=0,
        hi=t.size,
        m=tau.size,
        method="poisson",
        fit_shift=False,
        shift_fixed=float(shift_ns),
        fit_background=False,
        background_fixed=0.0,
        scatter=True,
        period=period,
        lnt_bounds=(-np.inf, np.inf),
        shift_bounds=(0, 0),
    )
    basis = _columns(spec, irf_n, np.log(tau)[None, :], None)
    decay = np.einsum("rmn,m->n", basis.B[:, : tau.size], a) / float(np.sum(a * tau) / dt)
    sc = basis.B[0, tau.size]
    signal = (1.0 - scatter) * decay + scatter * sc  # unit total photons
    scale = float(total_counts) if total_counts is not None else float(peak_counts) / signal.max()
    values = scale * signal + float(background)
    return xr.DataArray(
        values,
        dims=(TIME_DIM,),
        coords={TIME_DIM: t},
        name="counts",
        attrs={
            "units": "counts",
            "lifetimes_ns": tau.tolist(),
            "amplitudes": a.tolist(),
            "total_photons": scale,
            "background": float(background),
            "shift_ns": float(shift_ns),
            "scatter": float(scatter),
        },
    )


def simulate_trpl(
    time_ns: ArrayLike,
    irf: Any,
    lifetimes_ns: ArrayLike,
    amplitudes: ArrayLike,
    *,
    total_counts: float | None = None,
    peak_counts: float | None = None,
    background: float = 0.0,
    shift_ns: float = 0.0,
    scatter: float = 0.0,
    rep_rate_MHz: float | None = None,
    irf_background: float | str | None = "auto",
    rng: np.random.Generator | int | None = None,
    n_decays: int | None = None,
) -> xr.DataArray:
    """A TCSPC decay with Poisson noise from :func:`trpl_model` (same arguments).

    ``irf`` is the IRF the "instrument" had (noiseless or measured). With ``n_decays`` a stack
    of independent realisations on a leading dimension ``'decay'`` is returned (for batch
    fits and coverage studies).
    """
    mean = trpl_model(
        time_ns,
        irf,
        lifetimes_ns,
        amplitudes,
        total_counts=total_counts,
        peak_counts=peak_counts,
        background=background,
        shift_ns=shift_ns,
        scatter=scatter,
        rep_rate_MHz=rep_rate_MHz,
        irf_background=irf_background,
    )
    gen = np.random.default_rng(rng)
    if n_decays is None:
        counts = gen.poisson(mean.values).astype(float)
        return mean.copy(data=counts)
    counts = gen.poisson(np.broadcast_to(mean.values, (int(n_decays), mean.size))).astype(float)
    return xr.DataArray(
        counts,
        dims=("decay", TIME_DIM),
        coords={TIME_DIM: mean[TIME_DIM].values, "decay": np.arange(int(n_decays))},
        name="counts",
        attrs=dict(mean.attrs),
    )


# ----------------------------------------------------------------------------------------------
# Public API: single decay
# ----------------------------------------------------------------------------------------------


def fit_trpl(
    decay: xr.DataArray,
    irf: xr.DataArray | ArrayLike,
    *,
    components: int,
    method: Method = "poisson",
    fit_range_ns: tuple[float | None, float | None] | None = None,
    shift_ns: float | None = None,
    background: float | None = None,
    scatter: bool = False,
    rep_rate_MHz: float | None = None,
    irf_background: float | Literal["auto"] | None = "auto",
    lifetimes_init_ns: Sequence[float] | None = None,
    max_iterations: int = 200,
) -> Result:
    """Reconvolution fit of one TCSPC decay with ``components`` exponentials (1-4).

    Parameters
    ----------
    decay:
        Counts on dimension ``'time_ns'`` (uniform channels).
    irf:
        Measured instrument response on the same channels (DataArray, or an array of the same
        length), raw counts; its background is removed (``irf_background``: ``'auto'`` = the
        mean of the channels well before its rise, a number, or ``None`` for none).
    method:
        ``'poisson'`` (maximum likelihood) or ``'wls'`` (Neyman-weighted least squares).
    fit_range_ns:
        ``(start, end)`` in ns (either may be ``None``); default: see the module docstring.
    shift_ns:
        IRF delay; ``None`` fits it.
    background:
        Constant background, counts per channel; ``None`` fits it (>= 0).
    scatter:
        Fit a scattered-light term (a copy of the IRF).
    rep_rate_MHz:
        Excitation repetition rate; adds the tails of earlier pulses (pile-up of slow decays).
    lifetimes_init_ns:
        Start values; default: several automatic starts, the best fit kept.

    Returns
    -------
    Result
        ``flat()`` keys: ``lifetimes_ns``, ``lifetimes_stderr_ns``, ``amplitudes`` (fractions,
        sum 1), ``amplitudes_stderr``, ``intensity_fractions`` (+ ``_stderr``),
        ``tau_avg_amplitude_ns``, ``tau_avg_intensity_ns`` (+ ``_stderr_ns``), ``shift_ns``,
        ``background_counts``, ``scatter_fraction`` (each with its stderr), ``chi2_reduced``,
        ``converged``, ``n_evaluations`` and the metadata. Components are sorted by lifetime.

    Raises
    ------
    InputError
        Bad input (grids, NaN, negative counts, too few channels, options).
    ConvergenceError
        No start converged.
    """
    t = _time_coord(decay, "decay")
    if decay.ndim != 1:
        raise InputError(
            "fit_trpl fits one decay; use fit_trpl_batch for a stack",
            field="decay",
            expected=f"dimensions ({TIME_DIM!r},)",
            found=tuple(decay.dims),
        )
    y_full = np.asarray(decay.values, dtype=float)
    _check_counts(y_full, t, "decay")
    dt = _channel_width(t, "decay")
    irf_values = _irf_array(irf, t, dt)
    setup = _setup(
        t,
        y_full,
        irf_values,
        components=components,
        method=method,
        fit_range_ns=fit_range_ns,
        shift_ns=shift_ns,
        background=background,
        scatter=scatter,
        rep_rate_MHz=rep_rate_MHz,
        irf_background=irf_background,
        max_iterations=max_iterations,
    )
    if not y_full[setup.spec.lo : setup.spec.hi].sum() > 0:
        raise InputError("the decay has no counts in the fit window", field="decay")
    return _fit_single(setup, y_full, lifetimes_init_ns, decay_attrs=dict(decay.attrs))


def _fit_single(
    setup: _Setup,
    y_full: NDArray[np.float64],
    lifetimes_init_ns: Sequence[float] | None,
    decay_attrs: Mapping[str, Any] | None = None,
) -> Result:
    return _fit_single_spec(setup, y_full, lifetimes_init_ns, decay_attrs)[0]


def _best_row(fit: _Fit, row: int) -> _Fit:
    return _Fit(
        *(
            None if getattr(fit, f) is None else getattr(fit, f)[row : row + 1]
            for f in _Fit.__dataclass_fields__
        )
    )


def _fit_single_spec(
    setup: _Setup,
    y_full: NDArray[np.float64],
    lifetimes_init_ns: Sequence[float] | None,
    decay_attrs: Mapping[str, Any] | None = None,
) -> tuple[Result, _Spec]:
    """Fit one decay from several starts; with the default window, fit again on the window
    ending where the first fit's decay has faded into the background (:func:`_window_end`)."""
    spec, t = setup.spec, setup.t
    m, dt = spec.m, spec.dt
    starts = _start_sets(setup, y_full, lifetimes_init_ns)
    if spec.fit_shift:
        s0 = _initial_shift(y_full, setup.irf, abs(spec.shift_bounds[0]) / dt) * dt
        starts = np.concatenate([starts, np.full((starts.shape[0], 1), s0)], axis=1)
    R = starts.shape[0]
    y = y_full[spec.lo : spec.hi]
    fit = _run(np.repeat(y[None, :], R, axis=0), setup.irf, spec, starts, keep_mu=True)
    n_eval_total = int(fit.n_evaluations.sum())
    candidates = np.flatnonzero(fit.converged)
    if candidates.size == 0:
        raise ConvergenceError(
            f"none of {R} start(s) reached the optimum of the {spec.method} objective "
            f"with a regular Fisher information ({m} exponential(s)); objective "
            f"{np.nanmin(fit.objective):.6g}; try fewer components or lifetimes_init_ns",
            n_evaluations=n_eval_total,
        )
    best = int(candidates[np.argmin(fit.objective[candidates])])
    one = _best_row(fit, best)
    if setup.auto_end:
        hi = _window_end(setup, fit, best)
        need = max(_MIN_CHANNELS, _MIN_CHANNELS_PER_PARAMETER * (spec.q + spec.p))
        if hi < spec.hi and hi - spec.lo >= need:
            spec2 = replace(spec, hi=hi)
            again = _run(y_full[None, spec.lo : hi], setup.irf, spec2, one.theta, keep_mu=True)
            n_eval_total += int(again.n_evaluations.sum())
            if not again.converged[0]:
                raise ConvergenceError(
                    f"the fit on the window ending at {t[hi - 1]:.6g} ns did not converge "
                    f"from the fit on the whole range",
                    n_evaluations=n_eval_total,
                )
            one, spec = again, spec2
            y = y_full[spec.lo : spec.hi]
    d = {k: (v[0], e[0]) for k, (v, e) in _derived(one, spec).items()}
    n_free = int(np.sum(~one.held[0]))
    dof = max(spec.n_window - n_free, 1)
    chi2_red = float(one.chi2_pearson[0]) / dof
    tau, tau_err = d["lifetimes"]
    warnings: list[str] = []
    amps = one.beta[0, :m]
    order = np.argsort(np.exp(one.theta[0, :m]))
    for rank, i in enumerate(order):
        if amps[i] <= 0:
            warnings.append(
                f"component {rank + 1} has zero amplitude: its lifetime is not determined; "
                f"fit fewer components"
            )
    lnt = one.theta[0, :m]
    if np.any(np.isclose(lnt, spec.lnt_bounds[0])) or np.any(np.isclose(lnt, spec.lnt_bounds[1])):
        warnings.append(
            f"a lifetime is at the limit of the search range ({math.exp(spec.lnt_bounds[0]):.3g}"
            f"-{math.exp(spec.lnt_bounds[1]):.3g} ns): not resolved by these data"
        )
    if chi2_red > 1.0 + 5.0 * math.sqrt(2.0 / dof):
        warnings.append(
            f"chi2_reduced = {chi2_red:.3g} is well above 1: the model does not describe the "
            "decay within counting noise (another component, the IRF, or a background "
            "structure?)"
        )
    quantities: dict[str, Quantity] = {
        "lifetimes_ns": Quantity(tau, tau_err, "ns", "lifetimes, sorted ascending"),
        "amplitudes": Quantity(
            d["amplitudes"][0],
            d["amplitudes"][1],
            "",
            "fractional pre-exponential amplitudes a_i / sum a (sum 1)",
        ),
        "intensity_fractions": Quantity(
            d["intensity_fractions"][0],
            d["intensity_fractions"][1],
            "",
            "photon fractions a_i tau_i / sum a tau",
        ),
        "tau_avg_amplitude_ns": Quantity(
            float(d["tau_a"][0]),
            float(d["tau_a"][1]),
            "ns",
            "amplitude-weighted average lifetime sum a_i tau_i / sum a_i",
        ),
        "tau_avg_intensity_ns": Quantity(
            float(d["tau_int"][0]),
            float(d["tau_int"][1]),
            "ns",
            "intensity-weighted average lifetime sum a_i tau_i^2 / sum a_i tau_i",
        ),
    }
    if spec.fit_shift:
        quantities["shift_ns"] = Quantity(
            float(d["shift"][0]), float(d["shift"][1]), "ns", "IRF delay (fitted)"
        )
    else:
        quantities["shift_ns"] = Quantity(spec.shift_fixed, None, "ns", "IRF delay (fixed)")
    if spec.fit_background:
        quantities["background_counts"] = Quantity(
            float(d["background"][0]),
            float(d["background"][1]),
            "counts",
            "constant background per channel (fitted)",
        )
    else:
        quantities["background_counts"] = Quantity(
            spec.background_fixed, None, "counts", "constant background per channel (fixed)"
        )
    if spec.scatter:
        quantities["scatter_fraction"] = Quantity(
            float(d["scatter"][0]),
            float(d["scatter"][1]),
            "",
            "fraction of photons from scattered excitation light",
        )
    else:
        quantities["scatter_fraction"] = Quantity(0.0, None, "", "not fitted")
    quantities["total_photons"] = Quantity(
        float(np.sum(amps * np.exp(lnt)) / dt),
        None,
        "counts",
        "photons of the decay, sum_i A_i tau_i / dt (including after the window)",
    )
    assert one.mu is not None
    mu_w = one.mu[0]
    full_model = _full_curve(setup, one)
    w = mu_w if spec.method == "poisson" else np.maximum(y, 1.0)
    resid = np.full(t.size, np.nan)
    resid[spec.lo : spec.hi] = (y - mu_w) / np.sqrt(np.maximum(w, _MU_FLOOR))
    fit_curve = np.full(t.size, np.nan)
    fit_curve[spec.lo : spec.hi] = mu_w
    shift = float(one.theta[0, m]) if spec.fit_shift else spec.shift_fixed
    irf_shifted = _shift_irf(setup.irf, np.array([shift]), dt)[0][0]
    peak_scale = float(np.max(y_full)) / max(float(irf_shifted.max()), 1e-300)
    curves = {
        "time_ns": t,
        "counts": y_full,
        "fit": fit_curve,
        "model_full": full_model,
        "irf": irf_shifted * peak_scale,
        "residuals_weighted": resid,
    }
    metadata: dict[str, Any] = {
        "method": "Poisson maximum likelihood (deviance)"
        if spec.method == "poisson"
        else "weighted least squares (Neyman weights 1/max(y,1))",
        "fit_method": spec.method,
        "components": m,
        "fit_range_ns": [float(t[spec.lo]), float(t[spec.hi - 1])],
        "n_channels_fit": spec.n_window,
        "channel_width_ns": dt,
        "n_free_parameters": n_free,
        "deviance" if spec.method == "poisson" else "chi2_neyman": float(one.objective[0]),
        "chi2_pearson": float(one.chi2_pearson[0]),
        "degrees_of_freedom": dof,
        "irf_background_counts": setup.irf_background,
        "irf_fwhm_ns": setup.irf_fwhm_ch * dt,
        "shift_fitted": spec.fit_shift,
        "background_fitted": spec.fit_background,
        "scatter_fitted": spec.scatter,
        "rep_rate_MHz": None if spec.period is None else 1e3 / (spec.period * dt),
        "n_starts": R,
        "n_starts_converged": int(candidates.size),
        "amplitudes_counts_per_channel": [float(v) for v in amps[order]],
        "convolution": "exact recursive discrete convolution (IRF constant per channel)",
        "shift_interpolation": "cubic convolution (Keys a=-1/2) of sqrt(IRF), squared",
    }
    if decay_attrs and "source_file" in decay_attrs:
        metadata["source_file"] = str(decay_attrs["source_file"])
    fq = FitQuality(
        converged=True,
        n_evaluations=n_eval_total,
        n_points=spec.n_window,
        n_parameters=n_free,
        rmse=float(np.sqrt(np.mean((y - mu_w) ** 2))),
        chi2_reduced=chi2_red,
        message=f"Newton decrement < {_TOL_DECREMENT:g} after {int(one.n_iterations[0])} "
        "iterations",
    )
    result = Result(
        analysis=ANALYSIS_NAME,
        quantities=quantities,
        fit=fq,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )
    return result, spec


def _full_curve(setup: _Setup, fit: _Fit) -> NDArray[np.float64]:
    """The fitted model on the whole grid (row 0 of ``fit``)."""
    spec = replace(setup.spec, lo=0, hi=setup.spec.n)
    b = _evaluate(spec, setup.irf, fit.theta[:1])
    return _mu(b, fit.beta[:1], spec)[0]


# ----------------------------------------------------------------------------------------------
# Public API: batches
# ----------------------------------------------------------------------------------------------


def _fit_chunk(payload: dict[str, Any]) -> dict[str, NDArray]:
    """Worker: fit a chunk of decays (top level, so process pools can pickle it)."""
    spec: _Spec = payload["spec"]
    y: NDArray = payload["y"]
    R = y.shape[0]
    theta0 = np.repeat(payload["theta0"][None, :], R, axis=0)
    empty = ~(y.sum(axis=1) > 0)
    out: dict[str, NDArray] = {}
    fit = _run(np.where(empty[:, None], 1.0, y), payload["irf"], spec, theta0)
    derived = _derived(fit, spec)
    n_free = np.sum(~fit.held, axis=1)
    dof = np.maximum(spec.n_window - n_free, 1)
    ok = fit.converged & ~empty
    for key, (v, e) in derived.items():
        mask = ok if v.ndim == 1 else ok[:, None]
        out[key] = np.where(mask, v, np.nan)
        out[key + "_stderr"] = np.where(mask, e, np.nan)
    out["chi2_reduced"] = np.where(ok, fit.chi2_pearson / dof, np.nan)
    out["objective"] = np.where(ok, fit.objective, np.nan)
    out["converged"] = ok
    out["n_iterations"] = fit.n_iterations
    out["n_evaluations"] = fit.n_evaluations
    out["empty"] = empty
    return out


def fit_trpl_batch(
    decays: xr.DataArray,
    irf: xr.DataArray | ArrayLike,
    *,
    components: int,
    method: Method = "poisson",
    fit_range_ns: tuple[float | None, float | None] | None = None,
    shift_ns: float | None = None,
    background: float | None = None,
    scatter: bool = False,
    rep_rate_MHz: float | None = None,
    irf_background: float | Literal["auto"] | None = "auto",
    lifetimes_init_ns: Sequence[float] | None = None,
    executor: Executor | None = None,
    chunk_size: int = 2048,
    max_iterations: int = 200,
) -> xr.Dataset:
    """Fit many decays on one channel grid with one IRF (FLIM images, repeated measurements).

    ``decays`` has the dimension ``'time_ns'`` and any others (``'y', 'x'`` pixels, ``'decay'``).
    First the sum of all decays is fitted with :func:`fit_trpl` (several starts): its fit
    window, its IRF shift (unless ``shift_ns`` is given) and its lifetimes as start values are
    used for every decay. The decays are then fitted in chunks of ``chunk_size``, each chunk
    vectorised (one stacked variable-projection Levenberg-Marquardt / Fisher-scoring
    iteration for all its decays); chunks go to ``executor`` (e.g. from
    :func:`qdcat.core.executors.make_executor`) or run here when it is ``None``.

    Returns
    -------
    xarray.Dataset
        Over the non-time dimensions (and ``'component'``, sorted by lifetime):
        ``lifetimes_ns``, ``lifetimes_stderr_ns``, ``amplitudes``, ``amplitudes_stderr``,
        ``intensity_fractions`` (+ stderr), ``tau_avg_amplitude_ns``, ``tau_avg_intensity_ns``
        (+ ``_stderr_ns``), ``background_counts`` (+ stderr, if fitted), ``scatter_fraction``
        (if fitted), ``chi2_reduced``, ``converged``, ``n_iterations``. Decays that did not
        converge (or have no counts) have NaN values and ``converged = False``. ``attrs`` hold
        the method, window, shift and the reference fit of the summed decay.
    """
    t = _time_coord(decays, "decays")
    other = [d for d in decays.dims if d != TIME_DIM]
    if not other:
        decays = decays.expand_dims("decay")
        other = ["decay"]
    arr = decays.transpose(*other, TIME_DIM)
    shape = tuple(arr.sizes[d] for d in other)
    y_all = np.asarray(arr.values, dtype=float).reshape(-1, t.size)
    _check_counts(y_all, t, "decays")
    dt = _channel_width(t, "decays")
    irf_values = _irf_array(irf, t, dt)
    if not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise InputError(
            "chunk_size must be a positive integer", field="chunk_size", found=chunk_size
        )
    total = y_all.sum(axis=0)
    if not total.sum() > 0:
        raise InputError("the decays have no counts", field="decays")
    opts = dict(
        components=components,
        method=method,
        fit_range_ns=fit_range_ns,
        shift_ns=shift_ns,
        background=background,
        scatter=scatter,
        rep_rate_MHz=rep_rate_MHz,
        irf_background=irf_background,
        max_iterations=max_iterations,
    )
    setup_sum = _setup(t, total, irf_values, **opts)
    reference, ref_spec = _fit_single_spec(setup_sum, total, lifetimes_init_ns)
    ref_tau = np.asarray(reference.quantities["lifetimes_ns"].value, dtype=float)
    ref_shift = float(reference.quantities["shift_ns"].value)
    spec = replace(ref_spec, fit_shift=False, shift_fixed=ref_shift)
    theta0 = np.log(np.clip(ref_tau, *np.exp(spec.lnt_bounds)))
    y_win = y_all[:, spec.lo : spec.hi]
    payloads = [
        {"spec": spec, "irf": setup_sum.irf, "theta0": theta0, "y": y_win[i : i + chunk_size]}
        for i in range(0, y_win.shape[0], int(chunk_size))
    ]
    if executor is None:
        parts = [_fit_chunk(pl) for pl in payloads]
    else:
        futures = [executor.submit(_fit_chunk, pl) for pl in payloads]
        parts = [f.result() for f in futures]
    merged = {k: np.concatenate([p[k] for p in parts], axis=0) for k in parts[0]}
    m = spec.m
    coords: dict[str, Any] = {d: arr[d].values for d in other if d in arr.coords}
    coords["component"] = np.arange(1, m + 1)
    dims_c = (*other, "component")
    data_vars: dict[str, Any] = {}

    def put(name: str, values: NDArray, per_component: bool, attrs: dict[str, str]) -> None:
        if per_component:
            data_vars[name] = (dims_c, values.reshape(*shape, m), attrs)
        else:
            data_vars[name] = (tuple(other), values.reshape(shape), attrs)

    put("lifetimes_ns", merged["lifetimes"], True, {"units": "ns"})
    put("lifetimes_stderr_ns", merged["lifetimes_stderr"], True, {"units": "ns"})
    put("amplitudes", merged["amplitudes"], True, {"long_name": "fractional amplitudes"})
    put("amplitudes_stderr", merged["amplitudes_stderr"], True, {})
    put("intensity_fractions", merged["intensity_fractions"], True, {})
    put("intensity_fractions_stderr", merged["intensity_fractions_stderr"], True, {})
    put("tau_avg_amplitude_ns", merged["tau_a"], False, {"units": "ns"})
    put("tau_avg_amplitude_stderr_ns", merged["tau_a_stderr"], False, {"units": "ns"})
    put("tau_avg_intensity_ns", merged["tau_int"], False, {"units": "ns"})
    put("tau_avg_intensity_stderr_ns", merged["tau_int_stderr"], False, {"units": "ns"})
    if spec.fit_background:
        put("background_counts", merged["background"], False, {"units": "counts"})
        put("background_stderr_counts", merged["background_stderr"], False, {"units": "counts"})
    if spec.scatter:
        put("scatter_fraction", merged["scatter"], False, {})
        put("scatter_fraction_stderr", merged["scatter_stderr"], False, {})
    put("chi2_reduced", merged["chi2_reduced"], False, {"long_name": "Pearson chi2 / dof"})
    put("converged", merged["converged"], False, {})
    put("n_iterations", merged["n_iterations"], False, {})
    n_bad = int(np.sum(~merged["converged"] & ~merged["empty"]))
    attrs = {
        "analysis": ANALYSIS_NAME + ".batch",
        "fit_method": spec.method,
        "components": m,
        "fit_range_ns": [float(t[spec.lo]), float(t[spec.hi - 1])],
        "shift_ns": ref_shift,
        "shift_from_summed_decay": shift_ns is None,
        "reference_lifetimes_ns": ref_tau.tolist(),
        "reference_chi2_reduced": reference.fit.chi2_reduced if reference.fit else None,
        "n_decays": int(y_all.shape[0]),
        "n_not_converged": n_bad,
        "n_empty": int(np.sum(merged["empty"])),
        "chunk_size": int(chunk_size),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


# ----------------------------------------------------------------------------------------------
# Figure
# ----------------------------------------------------------------------------------------------


def plot_trpl(result: Result) -> Figure:
    """Decay (log counts) with the scaled IRF and the fit; weighted residuals below.

    A new :class:`~matplotlib.figure.Figure` (no pyplot state).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not isinstance(result, Result) or result.analysis != ANALYSIS_NAME:
        raise InputError(
            "not a TRPL result",
            field="result",
            expected="a Result of fit_trpl",
            found=type(result).__name__,
        )
    c = {k: np.asarray(v, dtype=float) for k, v in result.curves.items()}
    t, y = c["time_ns"], c["counts"]
    fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax, axr = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    pos = y > 0
    ax.semilogy(t[pos], y[pos], ".", ms=2.5, color="0.45", label="counts", zorder=1)
    irf = c["irf"]
    ax.semilogy(
        t[irf > 0], irf[irf > 0], "-", lw=1.0, color="C2", alpha=0.8, label="IRF (shifted, scaled)"
    )
    ax.semilogy(t, c["model_full"], "-", lw=0.8, color="C3", alpha=0.35)
    ax.semilogy(t, c["fit"], "-", lw=1.6, color="C3", label="fit")
    q = result.quantities
    tau = np.atleast_1d(q["lifetimes_ns"].value)
    etau = q["lifetimes_ns"].stderr
    etau = np.atleast_1d(etau) if etau is not None else np.full(tau.size, np.nan)
    amp = np.atleast_1d(q["amplitudes"].value)
    lines = [
        rf"$\tau_{i + 1}$ = {format_value(float(v), float(e), 'ns')}, $a_{i + 1}$ = {a:.3f}"
        for i, (v, e, a) in enumerate(zip(tau, etau, amp, strict=True))
    ]
    ti = q["tau_avg_intensity_ns"]
    lines.append(
        r"$\langle\tau\rangle_{int}$ = "
        + format_value(float(ti.value), None if ti.stderr is None else float(ti.stderr), "ns")
    )
    if result.fit is not None and result.fit.chi2_reduced is not None:
        lines.append(rf"$\chi^2_{{red}}$ = {result.fit.chi2_reduced:.3f}")
    ax.text(
        0.98,
        0.97,
        "\n".join(lines),
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8.5,
        bbox={"facecolor": "white", "edgecolor": "0.8", "alpha": 0.85},
    )
    lo, hi = result.metadata["fit_range_ns"]
    for a in (ax, axr):
        a.axvspan(float(t[0]), lo, color="0.92", lw=0, zorder=0)
        a.axvspan(hi, float(t[-1]), color="0.92", lw=0, zorder=0)
    top = float(np.max(y)) * 2.0
    floor = max(0.3, float(np.nanmin(c["fit"])) * 0.3) if np.any(np.isfinite(c["fit"])) else 0.3
    ax.set_ylim(min(floor, 0.8), top)
    ax.set_xlim(float(t[0]), float(t[-1]))
    ax.set_ylabel("counts", fontsize=11)
    ax.legend(fontsize=8.5, frameon=False, loc="lower center")
    ax.set_title(
        f"TRPL reconvolution, {result.metadata['components']} exponential(s), "
        f"{result.metadata['fit_method']}",
        loc="left",
        fontsize=10,
    )
    r = c["residuals_weighted"]
    axr.plot(t, r, "-", lw=0.6, color="C0")
    axr.axhline(0.0, color="0.3", lw=0.8)
    lim = max(4.0, float(np.nanpercentile(np.abs(r), 99.5)) if np.any(np.isfinite(r)) else 4.0)
    axr.set_ylim(-lim, lim)
    axr.set_xlabel("time (ns)", fontsize=11)
    axr.set_ylabel("weighted\nresidual", fontsize=10)
    return fig
