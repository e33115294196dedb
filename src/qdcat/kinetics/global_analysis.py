"""Global and target analysis of fs transient absorption by variable projection.

Model
-----
The data ``Y[t, lambda]`` (delta A, dimensions ``time_ps`` x ``wavelength_nm``) are described as

    Y[:, l] = C_l(theta) s_l + noise,

with the concentration matrix ``C_l`` of a kinetic scheme (:mod:`qdcat.kinetics.models`) after a
Gaussian instrument response (IRF), plus optional columns for a coherent artefact (the IRF
Gaussian ``exp(-u^2/2)`` and its first and second derivative shapes ``u exp(-u^2/2)``,
``(u^2 - 1) exp(-u^2/2)``, ``u = (t - mu_l)/sigma``) and a non-decaying offset (the IRF-convolved
step). The nonlinear parameters ``theta`` are the rates (and branching fractions) of the scheme,
the IRF centre and width, and the chirp. The linear parameters ``s_l`` -- one spectrum value per
column per wavelength: DAS for the parallel scheme, EAS for the sequential one, SAS for a target
model -- are solved exactly inside the fit (variable projection, Golub & Pereyra 1973, 2003).

Chirp convention
----------------
The IRF centre at wavelength ``lambda`` is

    mu(lambda) = irf_center_ps + sum_{i=1..order} c_i ((lambda - lambda_ref) / 100 nm)^i,

``c_i`` in ps (``chirp_coefficients``), ``lambda_ref = chirp_reference_nm`` (default: the middle
of the wavelength range, rounded to 1 nm). This is glotaran's ``center_dispersion_coefficients``
with ``dispersion_center = lambda_ref``; glotaran's IRF ``width`` is the Gaussian standard
deviation, ``irf_fwhm_ps = 2 sqrt(2 ln 2) width``.

Numerics
--------
* Each wavelength column has its own ``C_l`` when there is chirp; the column problems are solved
  together with batched QR factorisations. Without chirp all columns share one QR.
* The Jacobian of the projected residual ``r = (I - P(theta)) y`` is exact (the full
  Golub-Pereyra form, not Kaufman's approximation), from analytic derivatives of the convolved
  exponentials with respect to rate, centre and width and from eigenvalue perturbation theory for
  the transfer matrix. Only ``J^T J`` and ``J^T r`` are formed.
* A Levenberg-Marquardt iteration with Marquardt scaling runs in the internal parameters:
  log-rates, log-width and logit-fractions (positivity and 0..1 by construction), centre and chirp
  as they are. It stops when the Gauss-Newton step is below ``1e-3`` standard errors, when the
  relative decrease of the cost falls below ``1e-10``, or when it cannot reduce the cost by a
  step that moves any parameter by more than ``1e-10`` relative; otherwise, after ``max_nfev``
  evaluations, the result says ``converged = False``.

Uncertainties
-------------
* Nonlinear parameters: ``cov = s^2 (J^T J)^-1`` of the variable-projection residual with
  ``s^2 = chi^2 / (N - n_nonlinear - n_linear)`` (``chi^2`` the weighted sum of squares), mapped
  to rates, lifetimes, FWHM with the delta method (``se(k) = k se(log k)``, first order).
* Spectra: the linear-regression covariance ``s^2 (C_l^T C_l)^-1`` of each column *conditional on
  the nonlinear parameters* (it does not include their uncertainty).

Weights and constraints
-----------------------
:class:`~qdcat.kinetics.models.Weight` multiplies the residuals inside a closed time/wavelength
interval by its value (glotaran's ``weights``); the standard errors of the spectra there scale by
``1/value``. :class:`~qdcat.kinetics.models.EqualSpectra` ties the spectrum of one compartment to
another (``s_target = ratio * s_source``) and :class:`~qdcat.kinetics.models.ZeroSpectrum`
removes a compartment's spectrum, each within a closed wavelength interval.

References: G. H. Golub, V. Pereyra, SIAM J. Numer. Anal. 10 (1973) 413 and Inverse Problems 19
(2003) R1; I. H. M. van Stokkum et al., Biochim. Biophys. Acta 1657 (2004) 82; D. P. O'Leary,
B. W. Rust, Comput. Optim. Appl. 54 (2013) 579 (the Jacobian of the projected residual).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from os import PathLike
from typing import Any, NamedTuple

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import FitError, InputError
from qdcat.core.results import FitQuality, Quantity, Result
from qdcat.kinetics.irf import FWHM_PER_SIGMA, convolved_exponentials
from qdcat.kinetics.models import (
    EqualSpectra,
    KineticModel,
    Weight,
    ZeroSpectrum,
    eigen_decomposition,
)

__all__ = [
    "ANALYSIS_NAME",
    "GlobalFitResult",
    "SVDResult",
    "crop",
    "fit_ta",
    "mask",
    "simulate_ta",
    "subtract_baseline",
    "svd",
]

ANALYSIS_NAME = "ta_global"
TIME = "time_ps"
WAVELENGTH = "wavelength_nm"
_SQRT2PI = math.sqrt(2.0 * math.pi)
_GN_TOL = 1e-3  # stop when the Gauss-Newton step is below this many standard errors
_FTOL = 1e-10
_XTOL = 1e-10
_MAX_LOG_STEP = 2.0
DEFAULT_FWHM_PS = 0.1


# ====================================================================== input checks
def _as_ta(data: Any, name: str = "data") -> tuple[NDArray, NDArray, NDArray, xr.DataArray]:
    """Validate a TA map; returns ``t``, ``wl`` (ascending), ``Y[t, wl]`` and the sorted copy."""
    if not isinstance(data, xr.DataArray):
        raise InputError(
            "TA data must be an xarray.DataArray",
            field=name,
            expected=f"a 2-D DataArray with dimensions ({TIME}, {WAVELENGTH})",
            found=type(data).__name__,
            has_found=True,
        )
    if data.ndim != 2 or set(data.dims) != {TIME, WAVELENGTH}:
        raise InputError(
            "TA data must be 2-D",
            field=name,
            expected=f"dimensions ({TIME}, {WAVELENGTH})",
            found=tuple(data.dims),
        )
    da = data.transpose(TIME, WAVELENGTH)
    for dim in (TIME, WAVELENGTH):
        if dim not in da.coords:
            raise InputError(
                f"no '{dim}' coordinate", field=name, expected="delays and wavelengths"
            )
    try:
        t = np.asarray(da[TIME].values, dtype=float)
        wl = np.asarray(da[WAVELENGTH].values, dtype=float)
        Y = np.asarray(da.values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"TA data are not numbers: {exc}", field=name) from exc
    if not np.all(np.isfinite(t)):
        raise InputError("delays contain NaN or infinity", field=TIME)
    if not np.all(np.isfinite(wl)):
        raise InputError("wavelengths contain NaN or infinity", field=WAVELENGTH)
    if t.size > 1 and not np.all(np.diff(t) > 0):
        i = int(np.argmax(~(np.diff(t) > 0)))
        raise InputError(
            "delays must be strictly increasing",
            field=TIME,
            expected="t[i+1] > t[i]",
            found=f"t[{i}] = {t[i]:g} ps, t[{i + 1}] = {t[i + 1]:g} ps",
        )
    if wl.size > 1:
        order = np.argsort(wl, kind="stable")
        wl_sorted = wl[order]
        if np.any(np.diff(wl_sorted) == 0):
            i = int(np.argmax(np.diff(wl_sorted) == 0))
            raise InputError("duplicate wavelength", field=WAVELENGTH, found=float(wl_sorted[i]))
        if not np.all(order == np.arange(wl.size)):
            da = da.isel({WAVELENGTH: order})
            wl, Y = wl_sorted, Y[:, order]
    bad = ~np.isfinite(Y)
    if bad.any():
        i, j = (int(v[0]) for v in np.nonzero(bad))
        raise InputError(
            f"{int(bad.sum())} values are NaN or infinite; remove or mask them first "
            f"(qdcat.kinetics.crop/mask)",
            field=name,
            expected="finite delta A everywhere",
            found=f"first at {t[i]:g} ps, {wl[j]:g} nm: {Y[i, j]}",
        )
    return t, wl, Y, da


def _ta_array(values: NDArray, t: NDArray, wl: NDArray, name: str, **attrs: Any) -> xr.DataArray:
    return xr.DataArray(
        values,
        dims=(TIME, WAVELENGTH),
        coords={TIME: t, WAVELENGTH: wl},
        name=name,
        attrs={"units": "delta A", **attrs},
    )


# ====================================================================== preprocessing
class SVDResult(NamedTuple):
    """Singular values and vectors of a TA map (``Y = U diag(s) V^T``)."""

    singular_values: NDArray[np.float64]
    time_vectors: xr.DataArray  # (time_ps, svd_index): columns of U
    spectral_vectors: xr.DataArray  # (svd_index, wavelength_nm): rows of V^T
    n_significant: int
    """Singular values above the Gavish-Donoho hard threshold (noise estimated from the median
    singular value): an estimate of the number of components."""


def svd(data: xr.DataArray, n: int = 10) -> SVDResult:
    """The ``n`` largest singular values/vectors of a TA map and the number that stand above noise.

    ``n_significant`` uses the optimal hard threshold of Gavish & Donoho (IEEE Trans. Inf.
    Theory 60 (2014) 5040) for unknown noise: ``omega(beta) * median(s)``.
    """
    t, wl, Y, _ = _as_ta(data)
    if not isinstance(n, int | np.integer) or n < 1:
        raise InputError("n must be a positive integer", field="n", found=n)
    U, s, Vt = np.linalg.svd(Y, full_matrices=False)
    k = min(int(n), s.size)
    beta = min(Y.shape) / max(Y.shape)
    omega = 0.56 * beta**3 - 0.95 * beta**2 + 1.82 * beta + 1.43
    thresh = omega * float(np.median(s))
    n_sig = int(np.sum(s > thresh))
    idx = np.arange(k)
    return SVDResult(
        s[:k].copy(),
        xr.DataArray(U[:, :k], dims=(TIME, "svd_index"), coords={TIME: t, "svd_index": idx}),
        xr.DataArray(
            Vt[:k], dims=("svd_index", WAVELENGTH), coords={"svd_index": idx, WAVELENGTH: wl}
        ),
        n_sig,
    )


def subtract_baseline(data: xr.DataArray, before_ps: float | None = None) -> xr.DataArray:
    """Subtract the mean spectrum of the delays ``< before_ps`` (the signal before time zero).

    ``before_ps=None`` uses the onset estimated from the data (the half-rise of the signal) minus
    0.3 ps. Raises :class:`InputError` when no delay lies before it.
    """
    t, wl, Y, da = _as_ta(data)
    if before_ps is None:
        before_ps = _estimate_onset(t, wl, Y, 0, float(wl.mean()))[0] - 0.3
    sel = t < float(before_ps)
    if not sel.any():
        raise InputError(
            "no delay before the baseline limit",
            field="before_ps",
            expected=f"some delays < {before_ps:g} ps",
            found=f"first delay {t[0]:g} ps",
        )
    base = Y[sel].mean(axis=0)
    out = da.copy(data=Y - base[None, :])
    out.attrs = {**da.attrs, "baseline_before_ps": float(before_ps)}
    return out


def crop(
    data: xr.DataArray,
    time: tuple[float | None, float | None] | None = None,
    wavelength: tuple[float | None, float | None] | None = None,
) -> xr.DataArray:
    """Keep delays and wavelengths within closed intervals (``None`` for an open end)."""
    t, wl, _, da = _as_ta(data)

    def keep(axis: NDArray, interval: Any, name: str) -> NDArray:
        if interval is None:
            return np.ones(axis.size, bool)
        try:
            lo, hi = interval
        except (TypeError, ValueError) as exc:
            raise InputError(
                "not an interval", field=name, expected="(low, high)", found=interval
            ) from exc
        lo = -math.inf if lo is None else float(lo)
        hi = math.inf if hi is None else float(hi)
        sel = (axis >= lo) & (axis <= hi)
        if not sel.any():
            raise InputError(
                "the interval keeps nothing",
                field=name,
                expected=f"within {axis.min():g}..{axis.max():g}",
                found=interval,
            )
        return sel

    return da.isel({TIME: keep(t, time, "time"), WAVELENGTH: keep(wl, wavelength, "wavelength")})


def mask(
    data: xr.DataArray, wavelength_intervals: Sequence[tuple[float, float]] = ()
) -> xr.DataArray:
    """Remove the wavelengths inside any of the closed intervals (e.g. pump scatter)."""
    _, wl, _, da = _as_ta(data)
    drop = np.zeros(wl.size, bool)
    for iv in wavelength_intervals:
        try:
            lo, hi = sorted(float(v) for v in iv)
        except (TypeError, ValueError) as exc:
            raise InputError("not an interval", field="wavelength_intervals", found=iv) from exc
        drop |= (wl >= lo) & (wl <= hi)
    if drop.all():
        raise InputError("masking removes every wavelength", field="wavelength_intervals")
    return da.isel({WAVELENGTH: ~drop})


# ====================================================================== onset / starts
def _estimate_onset(
    t: NDArray, wl: NDArray, Y: NDArray, order: int, ref: float
) -> tuple[float, NDArray]:
    """IRF centre (and chirp polynomial) from the steepest rise of each trace.

    The IRF-convolved onset of a signal is where ``|d(delta A)/dt|`` peaks; a compartment that
    grows in later rises slowly and carries little weight (traces are weighted by their peak
    slope). The polynomial is fitted by weighted least squares with outlier rejection.
    """
    if t.size < 4:
        return float(t[0]), np.zeros(order)
    Ys = Y.copy()
    Ys[1:-1] = 0.25 * Y[:-2] + 0.5 * Y[1:-1] + 0.25 * Y[2:]
    dY = np.abs(np.diff(Ys, axis=0)) / np.diff(t)[:, None]  # (n-1, L)
    tm = 0.5 * (t[1:] + t[:-1])
    j = np.argmax(dY, axis=0)
    slope = dY[j, np.arange(wl.size)]
    # sub-grid refinement: vertex of the parabola through the peak and its neighbours
    jj = np.clip(j, 1, dY.shape[0] - 2)
    cols = np.arange(wl.size)
    y0, y1, y2 = dY[jj - 1, cols], dY[jj, cols], dY[jj + 1, cols]
    x0, x1, x2 = tm[jj - 1], tm[jj], tm[jj + 1]
    denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
    a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / np.where(denom == 0, 1, denom)
    b = (x2**2 * (y0 - y1) + x1**2 * (y2 - y0) + x0**2 * (y1 - y2)) / np.where(denom == 0, 1, denom)
    vertex = np.where((a < 0) & (denom != 0), -b / (2 * np.where(a == 0, 1, a)), tm[j])
    t_peak = np.clip(vertex, x0, x2)
    strong = slope >= 0.25 * slope.max() if slope.max() > 0 else np.ones(wl.size, bool)
    tp, wts = t_peak[strong], slope[strong]
    x = (wl[strong] - ref) / 100.0
    order = min(order, max(int(strong.sum()) - 2, 0))

    def wmedian(v: NDArray, w: NDArray) -> float:
        srt = np.argsort(v)
        cw = np.cumsum(w[srt])
        return float(v[srt][np.searchsorted(cw, 0.5 * cw[-1])])

    if order == 0:
        return wmedian(tp, wts), np.zeros(0)
    keep = np.ones(tp.size, bool)
    coef = np.zeros(order + 1)
    for _ in range(5):
        V = np.vander(x[keep], order + 1, increasing=True) * np.sqrt(wts[keep])[:, None]
        coef = np.linalg.lstsq(V, tp[keep] * np.sqrt(wts[keep]), rcond=None)[0]
        res = tp - np.vander(x, order + 1, increasing=True) @ coef
        mad = np.median(np.abs(res[keep])) + 1e-12
        new = np.abs(res) <= 4 * 1.4826 * mad + 2 * float(
            np.median(np.diff(t)[: max(1, t.size // 4)])
        )
        if np.array_equal(new, keep) or new.sum() < order + 2:
            break
        keep = new
    span = float(t[-1] - t[0])
    mu = np.vander(x, order + 1, increasing=True) @ coef
    if not np.all(np.isfinite(coef)) or np.ptp(mu) > 0.5 * span:
        return wmedian(tp, wts), np.zeros(0)
    return float(coef[0]), coef[1:]


def _estimate_fwhm(t: NDArray, Y: NDArray) -> float | None:
    """IRF FWHM from the width of the steepest rise: ``d(delta A)/dt`` of a step convolved with
    a Gaussian IRF is that Gaussian. Slope-weighted median over the strong traces; ``None``
    when the rise is not resolved (fewer than three delays above half the peak slope)."""
    if t.size < 5:
        return None
    Ys = Y.copy()
    Ys[1:-1] = 0.25 * Y[:-2] + 0.5 * Y[1:-1] + 0.25 * Y[2:]
    dY = np.abs(np.diff(Ys, axis=0)) / np.diff(t)[:, None]
    tm = 0.5 * (t[1:] + t[:-1])
    j = np.argmax(dY, axis=0)
    slope = dY[j, np.arange(Y.shape[1])]
    if not slope.max() > 0:
        return None
    widths, wts = [], []
    for col in np.nonzero(slope >= 0.25 * slope.max())[0]:
        d, jp, half = dY[:, col], j[col], 0.5 * slope[col]
        left = np.nonzero(d[:jp] < half)[0]
        right = np.nonzero(d[jp + 1 :] < half)[0]
        if not left.size or not right.size:
            continue
        i0, i1 = left[-1], jp + 1 + right[0]
        if i1 - i0 < 3:
            continue  # the rise is a step between two delays: not resolved
        tl = tm[i0] + (half - d[i0]) / (d[i0 + 1] - d[i0]) * (tm[i0 + 1] - tm[i0])
        tr = tm[i1 - 1] + (d[i1 - 1] - half) / (d[i1 - 1] - d[i1]) * (tm[i1] - tm[i1 - 1])
        widths.append(tr - tl)
        wts.append(slope[col])
    if not widths:
        return None
    w, ww = np.asarray(widths), np.asarray(wts)
    srt = np.argsort(w)
    cw = np.cumsum(ww[srt])
    return float(w[srt][np.searchsorted(cw, 0.5 * cw[-1])])


# ====================================================================== problem setup
@dataclass
class _Param:
    name: str
    value: float
    transform: str  # "log" | "logit" | "lin"
    kind: str  # "kin" | "mu" | "chirp" | "sigma"
    index: int = 0  # model-parameter index (kin) or chirp power (chirp)

    def to_internal(self) -> float:
        v = self.value
        if self.transform == "log":
            return math.log(max(v, 1e-300))
        if self.transform == "logit":
            v = min(max(v, 1e-12), 1 - 1e-12)
            return math.log(v / (1 - v))
        return v


def _from_internal(theta: NDArray, params: list[_Param]) -> tuple[NDArray, NDArray]:
    """Physical values and d(physical)/d(internal) for the free parameters."""
    phys = np.empty(theta.size)
    dphys = np.empty(theta.size)
    for i, p in enumerate(params):
        x = theta[i]
        if p.transform == "log":
            v = math.exp(min(x, 700.0))
            phys[i], dphys[i] = v, v
        elif p.transform == "logit":
            v = 1.0 / (1.0 + math.exp(-min(max(x, -700.0), 700.0)))
            phys[i], dphys[i] = v, v * (1 - v)
        else:
            phys[i], dphys[i] = x, 1.0
    return phys, dphys


class _Group(NamedTuple):
    idx: NDArray  # wavelength indices
    R: NDArray  # (ntot, nred) column reduction
    roww: NDArray | None  # (n,) row weights (shape), or None
    colscale: NDArray  # (L,) column weights
    labels: tuple[str, ...]  # reduced column labels


class _Eval(NamedTuple):
    cost: float
    H: NDArray | None
    g: NDArray | None


class _DegenerateError(Exception):
    """The model matrix is rank deficient at these parameters."""


def _in(x: float | NDArray, iv: tuple[float, float]) -> Any:
    return (x >= iv[0]) & (x <= iv[1])


class _Problem:
    """Everything the residual needs: data, layout of linear columns, parameters."""

    def __init__(
        self,
        t: NDArray,
        wl: NDArray,
        Y: NDArray,
        model: KineticModel,
        *,
        ca_order: int,
        offset: bool,
        chirp_order: int,
        ref: float,
        constraints: Sequence[EqualSpectra | ZeroSpectrum],
        weights: Sequence[Weight],
    ) -> None:
        self.t, self.wl, self.Y = t, wl, Y
        self.model = model
        self.ca_order = ca_order
        self.offset = offset
        self.chirp_order = chirp_order
        self.ref = ref
        self.x = (wl - ref) / 100.0
        self.ncomp = len(model.compartments)
        self.m = self.ncomp  # eigen-rates
        self.nb = self.m + ca_order + (1 if offset else 0)
        self.labels = (
            list(model.compartments)
            + [f"ca{i}" for i in range(ca_order)]
            + (["offset"] if offset else [])
        )
        self.ntot = len(self.labels)
        # weights
        W = np.ones_like(Y)
        for w in weights:
            if not (isinstance(w.value, int | float) and w.value > 0 and math.isfinite(w.value)):
                raise InputError(
                    "a weight must be a positive finite number (use mask() to drop data)",
                    field="weights",
                    found=w.value,
                )
            W[np.ix_(_in(t, w.time_ps), _in(wl, w.wavelength_nm))] *= w.value
        self.W = W if len(weights) else None
        self.groups = self._make_groups(constraints)
        self.n_linear = sum(len(g.idx) * g.R.shape[1] for g in self.groups)
        # scaled data per group
        self.Yg = []
        for g in self.groups:
            Yg = Y[:, g.idx] * g.colscale[None, :]
            if g.roww is not None:
                Yg = Yg * g.roww[:, None]
            self.Yg.append(np.ascontiguousarray(Yg.T) if chirp_order else Yg)
        self.params: list[_Param] = []
        self.fixed_values: dict[str, float] = {}
        self._cache: tuple | None = None

    def _make_groups(self, constraints: Sequence[EqualSpectra | ZeroSpectrum]) -> list[_Group]:
        comps = self.model.compartments
        free = set(self.model.free)
        keys: dict[bytes, list[int]] = {}
        meta: dict[bytes, tuple[NDArray, NDArray | None, tuple[str, ...]]] = {}
        colscale = np.ones(self.wl.size)
        for j, lam in enumerate(self.wl):
            rep = {c: (c, 1.0) for c in comps}
            zero = {c for c in comps if c not in free}
            for con in constraints:
                if isinstance(con, ZeroSpectrum):
                    if _in(lam, con.interval_nm):
                        zero.add(con.compartment)
                    continue
                if not _in(lam, con.interval_nm):
                    continue
                s_rep, s_f = rep[con.source]
                t_rep, t_f = rep[con.target]
                if s_rep == t_rep:
                    continue
                k = con.ratio * s_f / t_f
                for c, (r, f) in list(rep.items()):
                    if r == t_rep:
                        rep[c] = (s_rep, f * k)
            zero_reps = {rep[c][0] for c in zero}
            classes: list[str] = []
            for c in comps:
                r = rep[c][0]
                if r not in zero_reps and r not in classes:
                    classes.append(r)
            ncls = len(classes)
            nred = ncls + self.ntot - self.ncomp
            R = np.zeros((self.ntot, nred))
            for i, c in enumerate(comps):
                r, f = rep[c]
                if r in classes:
                    R[i, classes.index(r)] = f
            for i in range(self.ntot - self.ncomp):
                R[self.ncomp + i, ncls + i] = 1.0
            roww = None
            if self.W is not None:
                col = self.W[:, j]
                colscale[j] = col.max()
                shape = col / colscale[j]
                if not np.all(shape == 1.0):
                    roww = shape
            key = R.tobytes() + (b"" if roww is None else roww.tobytes()) + bytes([R.shape[1]])
            keys.setdefault(key, []).append(j)
            meta[key] = (R, roww, tuple(classes) + tuple(self.labels[self.ncomp :]))
        groups = []
        for key, idx in keys.items():
            R, roww, labels = meta[key]
            ia = np.asarray(idx)
            if R.shape[1] == 0:
                raise InputError(
                    "no spectrum left to fit at some wavelengths (all compartments zero/dark)",
                    field="constraints",
                    found=float(self.wl[ia[0]]),
                )
            groups.append(_Group(ia, R, roww, colscale[ia], labels))
        return groups

    # ------------------------------------------------------------------ parameters
    def setup_parameters(
        self, kin_values: NDArray, mu0: float, sigma: float, chirp: NDArray, fixed: set[str]
    ) -> NDArray:
        self._cache = None
        params = []
        for i, p in enumerate(self.model.parameters):
            if p.vary and p.name not in fixed:
                params.append(
                    _Param(
                        p.name,
                        float(kin_values[i]),
                        "log" if p.kind == "rate" else "logit",
                        "kin",
                        i,
                    )
                )
        self.kin_base = np.asarray(kin_values, float).copy()
        self.mu0, self.sigma = float(mu0), float(sigma)
        self.chirp = np.asarray(chirp, float).copy()
        if "irf_center_ps" not in fixed:
            params.append(_Param("irf_center_ps", mu0, "lin", "mu"))
        if "irf_fwhm_ps" not in fixed:
            params.append(_Param("irf_fwhm_ps", sigma, "log", "sigma"))
        if "chirp" not in fixed:
            for i in range(self.chirp_order):
                params.append(_Param(f"chirp_{i + 1}", float(self.chirp[i]), "lin", "chirp", i + 1))
        self.params = params
        for p in params:
            if p.transform == "log" and not p.value > 0:
                raise InputError(
                    f"start value of {p.name} must be > 0", field="start", found=p.value
                )
        # directions
        self.kin_free = [p.index for p in params if p.kind == "kin"]
        self.has_mu = any(p.kind in ("mu", "chirp") for p in params)
        self.has_sigma = any(p.kind == "sigma" for p in params)
        self.A = len(self.kin_free) + int(self.has_mu) + int(self.has_sigma)
        dir_of = []
        for p in params:
            if p.kind == "kin":
                dir_of.append(self.kin_free.index(p.index))
            elif p.kind in ("mu", "chirp"):
                dir_of.append(len(self.kin_free))
            else:
                dir_of.append(len(self.kin_free) + int(self.has_mu))
        self.dir_of = np.asarray(dir_of, int)
        # per-wavelength coefficient of each parameter on its direction
        coef = np.ones((len(params), self.wl.size))
        for i, p in enumerate(params):
            if p.kind == "chirp":
                coef[i] = self.x**p.index
        self.coef = coef
        return np.array([p.to_internal() for p in params])

    def physical(self, theta: NDArray) -> tuple[NDArray, float, float, NDArray, NDArray]:
        phys, dphys = _from_internal(theta, self.params)
        kin = self.kin_base.copy()
        mu0, sigma, chirp = self.mu0, self.sigma, self.chirp.copy()
        for i, p in enumerate(self.params):
            if p.kind == "kin":
                kin[p.index] = phys[i]
            elif p.kind == "mu":
                mu0 = phys[i]
            elif p.kind == "sigma":
                sigma = phys[i]
            else:
                chirp[p.index - 1] = phys[i]
        return kin, mu0, sigma, chirp, dphys

    # ------------------------------------------------------------------ basis
    def basis(
        self, kin: NDArray, mu: Any, sigma: float, *, jac: bool, values: dict | None = None
    ) -> dict[str, Any]:
        """Basis functions ``B`` (..., n, nb) and, with ``jac``, their derivatives (reusing the
        ``values`` of an earlier call at the same parameters when given)."""
        if values is not None:
            return self._basis_derivatives(dict(values), kin, sigma)
        try:
            with np.errstate(all="ignore"):
                r, M = eigen_decomposition(self.model, kin)
        except InputError as exc:
            raise _DegenerateError(str(exc)) from exc
        m = self.m
        rates = np.concatenate([r, [0.0]]) if self.offset else r
        t = self.t
        mu_arr = np.asarray(mu, float)
        chirped = mu_arr.ndim > 0
        E = _convolved(t, rates, mu_arr, sigma)
        tau = t[None, :] - mu_arr[:, None] if chirped else t - mu_arr
        u = tau / sigma
        e0 = np.exp(-0.5 * u * u)
        g = e0 / (sigma * _SQRT2PI)
        cols = [E[..., :m]]
        ca = []
        if self.ca_order >= 1:
            ca.append(e0)
        if self.ca_order >= 2:
            ca.append(u * e0)
        if self.ca_order >= 3:
            ca.append((u * u - 1.0) * e0)
        if ca:
            cols.append(np.stack(ca, axis=-1))
        if self.offset:
            cols.append(E[..., m:])
        B = np.concatenate(cols, axis=-1) if len(cols) > 1 else cols[0]
        Mext = np.zeros((self.nb, self.ntot))
        Mext[:m, : self.ncomp] = M
        for i in range(self.nb - m):
            Mext[m + i, self.ncomp + i] = 1.0
        out: dict[str, Any] = {
            "B": B,
            "Mext": Mext,
            "r": r,
            "M": M,
            "E": E,
            "tau": tau,
            "u": u,
            "e0": e0,
            "g": g,
            "rates": rates,
        }
        if not jac:
            return out
        return self._basis_derivatives(out, kin, sigma)

    def _basis_derivatives(self, out: dict[str, Any], kin: NDArray, sigma: float) -> dict:
        try:
            with np.errstate(all="ignore"):
                _, _, dr, dM = eigen_decomposition(self.model, kin, derivatives=True)
        except InputError as exc:
            raise _DegenerateError(str(exc)) from exc
        m = self.m
        dMext = np.zeros((len(self.kin_free), self.nb, self.ntot))
        drk = np.zeros((len(self.kin_free), m))
        for a, pi in enumerate(self.kin_free):
            dMext[a, :m, : self.ncomp] = dM[pi]
            drk[a] = dr[pi]
        out["dMext"], out["dr"] = dMext, drk
        if self.chirp_order:
            return out  # the per-wavelength path works from E, g and tau directly
        E, tau, u, e0, g, r, rates = (out[k] for k in ("E", "tau", "u", "e0", "g", "r", "rates"))
        ca = self.ca_order
        Ek = E[..., :m]
        gk = g[..., None]
        s2 = sigma * sigma
        Br = (r * s2 - tau[..., None]) * Ek
        Br -= s2 * gk
        out["Br"] = Br
        dmu = rates * E
        dmu -= gk
        if self.has_sigma:
            dsg = (sigma * rates) * dmu
            dsg -= (g * u)[..., None]
        if ca:
            dcadu = []
            if ca >= 1:
                dcadu.append(-u * e0)
            if ca >= 2:
                dcadu.append((1.0 - u * u) * e0)
            if ca >= 3:
                dcadu.append((3.0 * u - u**3) * e0)
            dcadu = np.stack(dcadu, axis=-1)
            dca_mu = -dcadu / sigma
            dca_sg = -dcadu * (u / sigma)[..., None]
        if self.has_mu:
            Bmu = dmu
            if ca:
                Bmu = np.concatenate([Bmu[..., :m], dca_mu, Bmu[..., m:]], axis=-1)
            out["Bmu"] = Bmu
        if self.has_sigma:
            Bsg = dsg
            if ca:
                Bsg = np.concatenate([Bsg[..., :m], dca_sg, Bsg[..., m:]], axis=-1)
            out["Bsg"] = Bsg
        return out

    def mu_of(self, mu0: float, chirp: NDArray) -> Any:
        if self.chirp_order == 0:
            return mu0
        return mu0 + np.vander(self.x, self.chirp_order + 1, increasing=True)[:, 1:] @ chirp

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, theta: NDArray, *, jac: bool = True, final: bool = False) -> Any:
        """Cost (and ``J^T J``, ``J^T r``). A cost-only evaluation is remembered, so that the
        Jacobian at the same parameters (an accepted step) reuses its basis and solves."""
        kin, mu0, sigma, chirp, dphys = self.physical(theta)
        mu = self.mu_of(mu0, chirp)
        self._sigma_now = sigma
        P = len(self.params)
        want_h = jac
        jac = jac and P > 0
        key = theta.tobytes()
        cached = self._cache if (jac and self._cache and self._cache[0] == key) else None
        bas = self.basis(kin, mu, sigma, jac=jac, values=None if cached is None else cached[1])
        cost = 0.0
        H = np.zeros((P, P)) if jac else None
        gvec = np.zeros(P) if jac else None
        finals = []
        for gi, grp in enumerate(self.groups):
            prev = None if cached is None else cached[2][gi]
            if self.chirp_order:
                res = self._group_chirp(grp, self.Yg[gi], bas, jac=jac, prev=prev)
            else:
                res = self._group_shared(grp, self.Yg[gi], bas, jac=jac, prev=prev)
            cost += res["cost"]
            if jac:
                if self.chirp_order:
                    G, gr = res["G"], res["gr"]  # (L, A, A), (L, A)
                    c = self.coef[:, grp.idx]  # (P, L)
                    Gs = G[:, self.dir_of][:, :, self.dir_of]  # (L, P, P)
                    H += np.einsum("il,jl,lij->ij", c, c, Gs)
                    gvec += np.einsum("il,li->i", c, gr[:, self.dir_of])
                else:
                    H += res["H"][np.ix_(self.dir_of, self.dir_of)]
                    gvec += res["g"][self.dir_of]
            finals.append(res)
        if not np.isfinite(cost):
            raise _DegenerateError("non-finite residual")
        self._cache = None if jac else (key, bas, finals)
        if jac:
            H = H * dphys[:, None] * dphys[None, :]
            gvec = gvec * dphys
        elif want_h:
            H, gvec = np.zeros((0, 0)), np.zeros(0)
        if final:
            return cost, H, gvec, finals, bas, (kin, mu0, sigma, chirp, dphys)
        return _Eval(cost, H, gvec)

    @staticmethod
    def _check_R(Rr: NDArray) -> None:
        d = np.abs(np.diagonal(Rr, axis1=-2, axis2=-1))
        if not np.all(np.isfinite(d)) or np.any(
            d <= 1e-11 * (np.max(d, axis=-1, keepdims=True) + 1e-300)
        ):
            raise _DegenerateError("model columns are linearly dependent")

    def _group_shared(
        self, grp: _Group, Yg: NDArray, bas: dict, *, jac: bool, prev: dict | None = None
    ) -> dict:
        Pm = bas["Mext"] @ grp.R  # (nb, nred)
        w = grp.roww
        if prev is None:
            C = bas["B"] @ Pm
            if w is not None:
                C = C * w[:, None]
            Q, Rr = np.linalg.qr(C)
            self._check_R(Rr)
            QtY = Q.T @ Yg
            Res = Yg - Q @ QtY
            S = _solve_upper(Rr, QtY)  # (nred, L)
            out: dict[str, Any] = {
                "cost": float(np.vdot(Res, Res)),
                "S": S,
                "Rr": Rr,
                "Res": Res,
                "Q": Q,
            }
        else:
            out = dict(prev)
        if not jac:
            return out
        Q, Rr, Res, S = out["Q"], out["Rr"], out["Res"], out["S"]
        D = self._directions_shared(bas, Pm, grp.R)  # (A, n, nred)
        if w is not None:
            D = D * w[None, :, None]
        A, n, nred = D.shape
        # B_a = D_a^T Res (A, nred, L)
        Bt = (D.transpose(0, 2, 1).reshape(A * nred, n) @ Res).reshape(A, nred, -1)
        F = _solve_upper_T(Rr, Bt.transpose(1, 0, 2).reshape(nred, -1)).reshape(nred, A, -1)
        F = F.transpose(1, 0, 2)
        PD = D - Q @ (Q.T @ D)  # (A, n, nred)
        SS = S @ S.T
        H1 = np.einsum("ani,bnj,ij->ab", PD, PD, SS)
        Ff = F.reshape(A, -1)
        H2 = Ff @ Ff.T
        out["H"] = H1 + H2
        out["g"] = -np.einsum("ail,il->a", Bt, S)
        return out

    def _directions_shared(self, bas: dict, Pm: NDArray, R: NDArray) -> NDArray:
        B = bas["B"]
        m = self.m
        D = []
        for a in range(len(self.kin_free)):
            dB = bas["Br"] * bas["dr"][a]
            D.append(dB @ Pm[:m] + B @ (bas["dMext"][a] @ R))
        if self.has_mu:
            D.append(bas["Bmu"] @ Pm)
        if self.has_sigma:
            D.append(bas["Bsg"] @ Pm)
        return np.stack(D)

    def _group_chirp(
        self, grp: _Group, Yg: NDArray, bas: dict, *, jac: bool, prev: dict | None = None
    ) -> dict:
        idx = grp.idx
        full = idx.size == self.wl.size
        Pm = bas["Mext"] @ grp.R  # (nb, nred)
        w = grp.roww
        B = bas["B"] if full else bas["B"][idx]  # (L, n, nb)
        if w is not None:
            B = B * w[None, :, None]
        if prev is None:
            C = B @ Pm  # (L, n, nred)
            out = _batched_least_squares(C, Yg)
            out["C"] = C
        else:
            out = dict(prev)
        if not jac:
            return out
        C, Ginv, res, s = out["C"], out["Ginv"], out["Res"], out["S"]
        V, Bm = _chirp_directions_impl(self, grp, bas, Pm, s, res)
        # J = -(P_perp V + C G^-1 b) = -(V - C G^-1 (C^T V - b)), G = C^T C, b = D^T res
        J = C @ (Ginv @ (C.transpose(0, 2, 1) @ V - Bm.transpose(0, 2, 1)))
        J -= V
        Jt = J.transpose(0, 2, 1)
        out["G"] = Jt @ J
        out["gr"] = (Jt @ res[:, :, None])[:, :, 0]
        return out


_COND_MAX = 1e5  # above this cond(C) (column-equilibrated) the normal equations give way to QR


def _batched_least_squares(C: NDArray, Y: NDArray) -> dict[str, Any]:
    """Solve ``min ||Y[l] - C[l] s||`` for a stack of small problems.

    Column-equilibrated normal equations (a batched 4x4 solve is ten times cheaper than a
    batched QR) when every ``cond(C[l]) <= 1e5``, where they lose at most ~1e-6 relative; QR
    otherwise. Returns the cost, spectra ``S``, residuals and ``Ginv = (C^T C)^-1``."""
    G0 = C.transpose(0, 2, 1) @ C  # (L, k, k)
    d = np.sqrt(np.einsum("lkk->lk", G0))
    if not np.all(np.isfinite(d)) or np.any(d <= 1e-300):
        raise _DegenerateError("a model column is zero")
    # equilibrate the small matrices, not C: G = D^-1 C^T C D^-1 has a unit diagonal
    G = G0 / d[:, :, None] / d[:, None, :]
    ev = np.linalg.eigvalsh(G)
    if np.all(ev[:, 0] > ev[:, -1] / _COND_MAX**2):
        Gi = np.linalg.inv(G)
        rhs = (Y[:, None, :] @ C)[:, 0, :] / d  # (L, k): D^-1 C^T y
        s = (Gi @ rhs[:, :, None])[:, :, 0] / d
        res = Y - (C @ s[:, :, None])[:, :, 0]
        Ginv = Gi / d[:, :, None] / d[:, None, :]
    else:
        Q, Rr = np.linalg.qr(C)
        _Problem._check_R(Rr)
        qty = Q.transpose(0, 2, 1) @ Y[:, :, None]
        res = Y - (Q @ qty)[:, :, 0]
        s = np.linalg.solve(Rr, qty)[:, :, 0]
        Rinv = np.linalg.inv(Rr)
        Ginv = Rinv @ Rinv.transpose(0, 2, 1)
    return {"cost": float(np.vdot(res, res)), "S": s, "Res": res, "Ginv": Ginv}


def _chirp_directions_impl(
    self: _Problem, grp: _Group, bas: dict, Pm: NDArray, s: NDArray, res: NDArray
) -> tuple[NDArray, NDArray]:
    """``V[:, :, a] = D_a s`` and ``Bm[:, a] = D_a^T res`` for every direction ``a`` without
    forming the derivative arrays: the derivatives of the convolved exponentials are
    ``dE/dk = -(tau - k sigma^2) E - sigma^2 g``, ``dE/dmu = k E - g`` and
    ``dE/dsigma = sigma k (k E - g) - g u`` (``g`` the IRF, ``u = tau/sigma``), so every
    product reduces to products with ``E`` and with the vectors ``g``, ``tau``, ``g u``."""
    idx = grp.idx
    full = idx.size == self.wl.size
    m, ca = self.m, self.ca_order
    sel = (lambda a: a) if full else (lambda a: a[idx])
    E = sel(bas["E"])  # (L, n, m + off): kinetic columns then the offset column
    tau, g = sel(bas["tau"]), sel(bas["g"])  # (L, n)
    w = grp.roww
    if w is not None:
        res = res * w[None, :]  # D_w^T res = D^T (w res); D_w s = w (D s)
    rates = bas["rates"]  # (m + off,)
    r = bas["r"]
    sigma = self._sigma_now
    s2 = sigma * sigma
    u_all = s @ Pm.T  # (L, nb) in B's column order [E_k, CA, E_off]
    ue = np.concatenate([u_all[:, :m], u_all[:, m + ca :]], axis=1)  # (L, m + off)
    uca = u_all[:, m : m + ca]
    nk = len(self.kin_free)
    L = s.shape[0]
    ncols = E.shape[-1]
    # one product with X = [E, tau E, g, g u] gives every direction: V = X @ K
    gu = g * (tau / sigma)
    X = np.empty((L, tau.shape[1], 2 * ncols + 2))
    X[:, :, :ncols] = E
    np.multiply(E, tau[:, :, None], out=X[:, :, ncols : 2 * ncols])
    X[:, :, 2 * ncols] = g
    X[:, :, 2 * ncols + 1] = gu
    K = np.zeros((L, 2 * ncols + 2, self.A))
    a = 0
    if nk:
        dr = bas["dr"]  # (nk, m)
        dP = bas["dMext"] @ grp.R  # (nk, nb, nred)
        nb = dP.shape[1]
        dPs = (s @ dP.reshape(nk * nb, -1).T).reshape(L, nk, nb)[:, :, :m]  # (L, nk, m)
        c = dr[None, :, :] * u_all[:, None, :m]  # (L, nk, m)
        K[:, :m, :nk] = (r * s2 * c + dPs).transpose(0, 2, 1)
        K[:, ncols : ncols + m, :nk] = -c.transpose(0, 2, 1)
        K[:, 2 * ncols, :nk] = -s2 * c.sum(axis=2)
        a = nk
    sum_u = ue.sum(axis=1)  # (L,)
    sum_ru = (rates * ue).sum(axis=1)
    a_mu = a_sg = None
    if self.has_mu:
        a_mu = a
        K[:, :ncols, a] = rates * ue
        K[:, 2 * ncols, a] = -sum_u
        a += 1
    if self.has_sigma:
        a_sg = a
        K[:, :ncols, a] = sigma * rates * rates * ue
        K[:, 2 * ncols, a] = -sigma * sum_ru
        K[:, 2 * ncols + 1, a] = -sum_u
    V = X @ K  # (L, n, A)
    ca_mu = ca_sg = None
    if ca:
        u_ = tau / sigma
        e0 = sel(bas["e0"])
        dcadu = [-u_ * e0, (1.0 - u_ * u_) * e0, (3.0 * u_ - u_**3) * e0][:ca]
        dcadu = np.stack(dcadu, axis=-1)  # (L, n, ca)
        ca_mu = -dcadu / sigma
        ca_sg = -dcadu * (u_ / sigma)[..., None]
        if a_mu is not None:
            V[:, :, a_mu] += (ca_mu @ uca[:, :, None])[:, :, 0]
        if a_sg is not None:
            V[:, :, a_sg] += (ca_sg @ uca[:, :, None])[:, :, 0]
    if w is not None:
        V *= w[None, :, None]
    # D^T res from the same X: [E^T res, E^T (tau res), g^T res, (g u)^T res]
    XR = (res[:, None, :] @ X)[:, 0, :]
    Etr, Etaur = XR[:, :ncols], XR[:, ncols : 2 * ncols]
    gr, gur = XR[:, 2 * ncols], XR[:, 2 * ncols + 1]
    nred = Pm.shape[1]
    Bm = np.empty((L, self.A, nred))
    # B^T res in B's column order
    Bres = np.empty((L, self.nb))
    Bres[:, :m] = Etr[:, :m]
    Bres[:, m + ca :] = Etr[:, m:]
    if ca:
        CA = sel(bas["B"])[:, :, m : m + ca]
        Bres[:, m : m + ca] = (res[:, None, :] @ CA)[:, 0, :]
    if nk:
        Brres = r * s2 * Etr[:, :m] - Etaur[:, :m] - s2 * gr[:, None]  # (L, m)
        Bm[:, :nk] = (dr[None] * Brres[:, None, :]) @ Pm[:m] + np.einsum("abi,lb->lai", dP, Bres)
    a = nk
    dmu_e = rates * Etr - gr[:, None]  # (L, m + off): dE/dmu ^T res
    if self.has_mu:
        col = np.empty((L, self.nb))
        col[:, :m], col[:, m + ca :] = dmu_e[:, :m], dmu_e[:, m:]
        if ca:
            col[:, m : m + ca] = (res[:, None, :] @ ca_mu)[:, 0, :]
        Bm[:, a] = col @ Pm
        a += 1
    if self.has_sigma:
        dsg_e = sigma * rates * dmu_e - gur[:, None]
        col = np.empty((L, self.nb))
        col[:, :m], col[:, m + ca :] = dsg_e[:, :m], dsg_e[:, m:]
        if ca:
            col[:, m : m + ca] = (res[:, None, :] @ ca_sg)[:, 0, :]
        Bm[:, a] = col @ Pm
    return V, Bm


def _convolved(t: NDArray, rates: NDArray, mu: NDArray, sigma: float) -> NDArray:
    """:func:`convolved_exponentials` for a scalar or per-wavelength centre, evaluated with the
    error function only where it matters.

    Long after the IRF (``z = (tau - k sigma^2)/(sqrt(2) sigma) >= 6`` for every rate and
    centre) ``erfc(-z)`` is 2 to double precision and the convolved exponential is exactly
    ``exp(-k tau + k^2 sigma^2 / 2)``; those times are computed as the product of
    ``exp(-k (t - t_c))`` and ``exp(-k (t_c - mu) + k^2 sigma^2 / 2)`` (both <= 1, no overflow).
    """
    chirped = mu.ndim > 0
    mu_max = float(np.max(mu))
    k_max = float(np.max(rates)) if rates.size else 0.0
    t_cut = mu_max + k_max * sigma * sigma + 6.0 * math.sqrt(2.0) * sigma
    i_cut = int(np.searchsorted(t, t_cut, side="right"))
    mu_in = mu[:, None] if chirped else mu
    if i_cut >= t.size - 2:
        return convolved_exponentials(t, rates, mu_in, sigma)
    early = convolved_exponentials(t[:i_cut], rates, mu_in, sigma)
    tc = t[i_cut]
    f_t = np.exp(-rates[None, :] * (t[i_cut:, None] - tc))  # (n_late, m)
    if chirped:
        f_mu = np.exp(-rates[None, :] * (tc - mu[:, None]) + 0.5 * (rates * sigma) ** 2)  # (L, m)
        late = f_t[None, :, :] * f_mu[:, None, :]
    else:
        late = f_t * np.exp(-rates * (tc - float(mu)) + 0.5 * (rates * sigma) ** 2)
    return np.concatenate([early, late], axis=-2)


def _solve_upper(R: NDArray, B: NDArray) -> NDArray:
    from scipy.linalg import solve_triangular

    return solve_triangular(R, B, lower=False, check_finite=False)


def _solve_upper_T(R: NDArray, B: NDArray) -> NDArray:
    from scipy.linalg import solve_triangular

    return solve_triangular(R, B, trans="T", lower=False, check_finite=False)


# ====================================================================== optimiser
@dataclass
class _LMOutcome:
    theta: NDArray
    ev: _Eval
    nfev: int
    converged: bool
    message: str
    S: NDArray | None = None
    lam: float = 1e-3


def _scaled_solve(H: NDArray, g: NDArray, lam: float, D: NDArray | None = None) -> NDArray:
    """Solve ``(H + lam diag(D)) x = -g`` with Marquardt scaling; an indefinite ``H`` is shifted
    until the scaled system is positive definite."""
    d = np.sqrt(np.maximum(np.diag(H) if D is None else D, 1e-300))
    Hs = H / d[:, None] / d[None, :]
    w, V = np.linalg.eigh(Hs)
    top = max(float(np.max(np.abs(w))), 1e-300)
    shift = lam
    if w.min() + shift <= 1e-12 * top:
        shift = 1e-12 * top - w.min() + 1e-3 * abs(w.min())
    ws = w + shift
    cut = top * 1e-14
    winv = np.where(ws > cut, 1.0 / np.where(ws > cut, ws, 1.0), 0.0)
    y = V @ (winv * (V.T @ (-g / d)))
    return y / d


def _levenberg_marquardt(
    problem: _Problem,
    theta0: NDArray,
    max_nfev: int,
    dof: int,
    *,
    S0: NDArray | None = None,
    lam0: float = 1e-3,
) -> _LMOutcome:
    """Levenberg-Marquardt on the Gauss-Newton model, augmented by a secant estimate ``S`` of
    the second-order residual term where that predicts the cost better (the structured
    quasi-Newton strategy of NL2SOL: Dennis, Gay & Welsch, ACM TOMS 7 (1981) 348). Real data
    with systematic residuals need it: there ``J^T J`` alone can misjudge the curvature by a
    factor of several and plain Gauss-Newton steps converge slowly or not at all."""
    try:
        ev = problem.evaluate(theta0)
    except _DegenerateError as exc:
        raise FitError(f"the model cannot be evaluated at the start values: {exc}") from exc
    theta = theta0.copy()
    nfev = 1
    P = theta.size
    if P == 0:
        return _LMOutcome(theta, ev, nfev, True, "no free nonlinear parameters")
    lam, nu = lam0, 2.0
    S = np.zeros((P, P)) if S0 is None else S0.copy()
    use_aug = S0 is not None and bool(np.any(S0))
    switched = False
    # log/logit parameters move by at most a factor e^2 per step (a trust region in the
    # directions where the quadratic model is least reliable)
    bounded = np.array([p.transform != "lin" for p in problem.params])
    message = f"maximum number of evaluations ({max_nfev}) reached"
    converged = False
    while nfev < max_nfev:
        H, g = ev.H, ev.g
        Dg = np.diag(H).copy()
        Hm = H + S if use_aug else H
        s2 = ev.cost / max(dof, 1)
        newton = _scaled_solve(Hm, g, 0.0, Dg)
        if s2 > 0 and float(newton @ H @ newton) <= _GN_TOL**2 * s2:
            converged, message = True, "Newton step below 1e-3 standard errors"
            break
        delta = _scaled_solve(Hm, g, lam, Dg)
        big = float(np.max(np.abs(delta[bounded]), initial=0.0))
        if big > _MAX_LOG_STEP:
            delta = delta * (_MAX_LOG_STEP / big)
        pred = -(g @ delta + 0.5 * delta @ Hm @ delta)
        tiny = bool(np.all(np.abs(delta) <= _XTOL * (np.abs(theta) + _XTOL)))
        try:
            new = problem.evaluate(theta + delta, jac=False)
            ok = bool(np.isfinite(new.cost))
        except _DegenerateError:
            ok, new = False, None
        nfev += 1
        actual = 0.5 * (ev.cost - new.cost) if ok and new is not None else -np.inf
        rho = actual / pred if pred > 0 else (1.0 if actual > 0 else -1.0)
        if ok and new is not None and actual > 0 and rho > 1e-4:
            new = problem.evaluate(theta + delta)  # the Jacobian, reusing the trial's solves
            # which model predicted this step better?
            pred_gn = -(g @ delta + 0.5 * delta @ H @ delta)
            pred_aug = -(g @ delta + 0.5 * delta @ (H + S) @ delta)
            use_aug = abs(pred_aug - actual) < abs(pred_gn - actual)
            # secant update of S (Dennis-Gay-Welsch, with y# = y - J+^T J+ s)
            y = new.g - g
            ys = float(y @ delta)
            if ys > 0:
                ysharp = y - new.H @ delta
                sSs = float(delta @ S @ delta)
                if sSs != 0:
                    S = S * min(1.0, abs(float(delta @ ysharp)) / abs(sSs))
                v = ysharp - S @ delta
                S = (
                    S
                    + (np.outer(v, y) + np.outer(y, v)) / ys
                    - float(v @ delta) * np.outer(y, y) / ys**2
                )
            small = actual <= 0.5 * _FTOL * ev.cost and pred <= 0.5 * _FTOL * ev.cost
            theta = theta + delta
            ev = new
            lam *= max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
            nu = 2.0
            switched = False
            if small:
                converged, message = True, "relative reduction of the cost below 1e-10"
                break
        else:
            if tiny:
                converged = True
                message = "no step larger than 1e-10 (relative) reduces the cost"
                break
            # switch to the other model when it would have predicted this failure better
            # (NL2SOL); otherwise damp more
            other = H if use_aug else H + S
            pred_other = -(g @ delta + 0.5 * delta @ other @ delta)
            if (
                not switched
                and np.isfinite(actual)
                and np.any(S)
                and abs(pred_other - actual) < abs(pred - actual)
            ):
                use_aug = not use_aug
                switched = True  # once; a second failure damps
            else:
                lam *= nu
                nu *= 2.0
            if lam > 1e20:
                message = "no step reduces the cost (damping exhausted)"
                break
    return _LMOutcome(theta, ev, nfev, converged, message, S, lam)


# ====================================================================== result
@dataclass(frozen=True)
class ParameterEstimate:
    """A fitted (or fixed) nonlinear parameter; ``stderr`` NaN when fixed or undetermined."""

    value: float
    stderr: float
    vary: bool
    unit: str


@dataclass(frozen=True, eq=False)
class GlobalFitResult:
    """Outcome of :func:`fit_ta` (all arrays read-only views of the fit)."""

    model: KineticModel
    rate_names: tuple[str, ...]
    rates_per_ps: NDArray[np.float64]
    rates_stderr_per_ps: NDArray[np.float64]
    lifetimes_ps: NDArray[np.float64]
    lifetimes_stderr_ps: NDArray[np.float64]
    fractions: Mapping[str, float]
    fractions_stderr: Mapping[str, float]
    irf_center_ps: float
    irf_center_stderr_ps: float
    irf_fwhm_ps: float
    irf_fwhm_stderr_ps: float
    chirp_coefficients_ps: NDArray[np.float64]
    chirp_stderr_ps: NDArray[np.float64]
    chirp_reference_nm: float
    spectra: xr.DataArray
    """DAS / EAS / SAS ``(component, wavelength_nm)`` of the kinetic compartments."""
    spectra_stderr: xr.DataArray
    spectra_kind: str
    das: xr.DataArray
    """Decay-associated spectra ``(component, wavelength_nm)`` for any scheme (``M @ SAS``), one
    per eigen-rate (coordinate ``rate_per_ps``), fastest first."""
    das_stderr: xr.DataArray
    extra_spectra: xr.DataArray | None
    """Coherent-artefact (``ca0``..) and ``offset`` amplitudes, or None."""
    extra_spectra_stderr: xr.DataArray | None
    concentrations: xr.DataArray
    """Populations ``(time_ps, component)`` with the IRF centred at ``irf_center_ps`` (the chirp
    reference wavelength)."""
    data: xr.DataArray
    fitted: xr.DataArray
    residuals: xr.DataArray
    """``data - fitted`` (unweighted)."""
    weights: xr.DataArray | None
    rmse: float
    """Root mean square of the weighted residuals over all N points."""
    chi2_reduced: float
    n_points: int
    n_linear: int
    n_evaluations: int
    converged: bool
    message: str
    parameters: Mapping[str, ParameterEstimate]
    free_parameter_names: tuple[str, ...]
    covariance: NDArray[np.float64]
    """Covariance of the free parameters in physical units (order of ``free_parameter_names``)."""
    warnings: tuple[str, ...] = ()

    @cached_property
    def residual_svd(self) -> SVDResult:
        """SVD of the residual matrix (structure left in it = a model that misses something)."""
        return svd(self.residuals, n=5)

    def raise_if_failed(self) -> GlobalFitResult:
        """Raise :class:`ConvergenceError` unless the fit converged; returns ``self``."""
        if not self.converged:
            from qdcat.core.errors import ConvergenceError

            raise ConvergenceError(self.message, n_evaluations=self.n_evaluations)
        return self

    def to_result(self) -> Result:
        """qdcat :class:`Result`; ``flat()`` has ``lifetimes_ps``, ``lifetimes_stderr_ps``,
        ``irf_center_ps``, ``irf_fwhm_ps``, ``chirp_coefficients``, ``rmse``, ``converged``,
        ``n_evaluations`` (and the standard errors of the scalars)."""
        q = {
            "lifetimes_ps": Quantity(
                self.lifetimes_ps.copy(),
                self.lifetimes_stderr_ps.copy(),
                "ps",
                "1/rate of each rate parameter (" + ", ".join(self.rate_names) + ")",
                stderr_name="lifetimes_stderr_ps",
            ),
            "irf_center_ps": Quantity(
                self.irf_center_ps,
                _none_if_nan(self.irf_center_stderr_ps),
                "ps",
                f"IRF centre at {self.chirp_reference_nm:g} nm",
            ),
            "irf_fwhm_ps": Quantity(
                self.irf_fwhm_ps, _none_if_nan(self.irf_fwhm_stderr_ps), "ps", "IRF FWHM"
            ),
            "chirp_coefficients": Quantity(
                self.chirp_coefficients_ps.copy(),
                self.chirp_stderr_ps.copy(),
                "ps",
                f"IRF centre shift per ((lambda - {self.chirp_reference_nm:g} nm)/100 nm)^i",
                stderr_name="chirp_coefficients_stderr",
            ),
        }
        fit = FitQuality(
            converged=self.converged,
            n_evaluations=self.n_evaluations,
            n_points=self.n_points,
            n_parameters=len(self.free_parameter_names) + self.n_linear,
            rmse=self.rmse,
            chi2_reduced=self.chi2_reduced,
            message=self.message,
        )
        meta = {
            "model": self.model.name or self.model.kind,
            "spectra_kind": self.spectra_kind,
            "rate_names": list(self.rate_names),
            "chirp_reference_nm": self.chirp_reference_nm,
        }
        curves = {
            "parameters": {k: dataclasses.asdict(v) for k, v in self.parameters.items()},
            "wavelength_nm": self.spectra[WAVELENGTH].values,
            "spectra": self.spectra.values,
            "spectra_stderr": self.spectra_stderr.values,
            "spectra_components": list(self.spectra["component"].values),
            "time_ps": self.concentrations[TIME].values,
            "concentrations": self.concentrations.values,
        }
        warns = list(self.warnings)
        if not self.converged:
            warns.insert(0, f"fit did not converge: {self.message}")
        return Result(ANALYSIS_NAME, q, fit, tuple(warns), meta, curves)


def _none_if_nan(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


# ====================================================================== public fit
def _resolve_model(
    model: Any, components: int | None, n_sig: int | None
) -> tuple[KineticModel, bool]:
    """Returns (model, auto_rates)."""
    if isinstance(model, KineticModel):
        return model, model.auto_start
    if isinstance(model, Mapping):
        return KineticModel.from_toml(model), False
    if isinstance(model, PathLike) or (isinstance(model, str) and model.endswith(".toml")):
        return KineticModel.from_toml(model), False
    if model in ("parallel", "sequential"):
        if components is None:
            n = max(1, min(5, n_sig or 1))
        else:
            if (
                isinstance(components, bool)
                or not isinstance(components, int | np.integer)
                or components < 1
            ):
                raise InputError(
                    "components must be a positive integer", field="components", found=components
                )
            n = int(components)
        return getattr(KineticModel, model)(n), True
    raise InputError(
        "unknown model",
        field="model",
        expected="'parallel', 'sequential', a KineticModel or a TOML model file",
        found=model,
    )


def _ca_order(coherent_artifact: Any) -> int:
    if coherent_artifact is True:
        return 1
    if coherent_artifact is False or coherent_artifact is None:
        return 0
    if isinstance(coherent_artifact, int | np.integer) and 0 <= coherent_artifact <= 3:
        return int(coherent_artifact)
    raise InputError(
        "coherent_artifact must be a bool or 0..3 (Gaussian + derivatives)",
        field="coherent_artifact",
        found=coherent_artifact,
    )


def _default_reference(wl: NDArray) -> float:
    return float(np.round(0.5 * (wl.min() + wl.max())))


def _compress(Y: NDArray, k: int) -> NDArray:
    """``(n, k)`` matrix whose column space and norms match the dominant part of ``Y``
    (randomised range finder with two power iterations, fixed seed)."""
    n, L = Y.shape
    if min(n, L) <= k:
        U, s, _ = np.linalg.svd(Y, full_matrices=False)
        return U * s
    omega = np.random.default_rng(12345).standard_normal((L, k + 5))
    G = Y @ omega
    for _ in range(2):
        G, _ = np.linalg.qr(G)
        G = Y @ (Y.T @ G)
    Qn, _ = np.linalg.qr(G)
    U2, s2, _ = np.linalg.svd(Qn.T @ Y, full_matrices=False)
    return (Qn @ U2[:, :k]) * s2[:k]


def _single_thread_blas() -> Any:
    """The fit's linear algebra is many small products and triangular solves, for which
    multi-threaded BLAS only adds synchronisation (10x slower on a busy 2-core machine):
    limit BLAS to one thread during the fit when threadpoolctl is installed."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        try:
            from threadpoolctl import ThreadpoolController

            _THREADPOOLS = ThreadpoolController()  # inspecting the libraries costs ~2 ms: once
        except ImportError:
            _THREADPOOLS = False
    if _THREADPOOLS is False:
        return contextlib.nullcontext()
    return _THREADPOOLS.limit(limits=1, user_api="blas")


_THREADPOOLS: Any = None


def _seed_rates(problem: _Problem, n: int, mu0: float, sigma: float, chirp: NDArray) -> NDArray:
    """Start rates for the parallel/sequential schemes by stepwise regression.

    The data are de-chirped (each trace shifted by the estimated chirp) and compressed to their
    12 dominant singular components. Components are then added one at a time: the new lifetime
    is chosen on a log grid (others held), then all lifetimes are refined by variable projection
    on the compressed data. The span of the parallel scheme equals that of the sequential one,
    so the same rates seed both.
    """
    t, Y = problem.t, problem.Y
    if problem.W is not None:
        Y = Y * problem.W
    if problem.chirp_order and chirp.size:
        shift = problem.mu_of(mu0, chirp) - mu0
        Y = np.stack([np.interp(t + shift[j], t, Y[:, j]) for j in range(Y.shape[1])], axis=1)
    Yc = _compress(Y, 12)
    window = max(t[-1] - mu0, 10 * sigma)
    lo = max(0.5 * sigma * FWHM_PER_SIGMA, 1e-3)
    hi = 3.0 * window if not problem.offset else window
    grid = np.geomspace(lo, hi, 28)
    ca = problem.ca_order
    u = (t - mu0) / sigma
    e0 = np.exp(-0.5 * u * u)
    extra = [e0, u * e0, (u * u - 1) * e0][:ca]
    if problem.offset:
        extra.append(convolved_exponentials(t, [0.0], mu0, sigma)[:, 0])
    Ex = np.stack(extra, axis=1) if extra else np.zeros((t.size, 0))
    Eg = convolved_exponentials(t, 1.0 / grid, mu0, sigma)
    y2 = float(np.sum(Yc**2))

    def cost(E: NDArray) -> float:
        Q, R = np.linalg.qr(np.concatenate([E, Ex], axis=1))
        d = np.abs(np.diag(R))
        if d.size and np.min(d) < 1e-10 * np.max(d):
            return np.inf
        return y2 - float(np.sum((Q.T @ Yc) ** 2))

    fake_wl = np.arange(Yc.shape[1], dtype=float)
    rates: list[float] = []
    for m in range(n):
        E_now = (
            convolved_exponentials(t, np.asarray(rates), mu0, sigma)
            if rates
            else np.zeros((t.size, 0))
        )
        costs = [
            cost(np.concatenate([E_now, Eg[:, [i]]], axis=1))
            if all(abs(math.log(grid[i] * r)) > 0.2 for r in rates)
            else np.inf
            for i in range(grid.size)
        ]
        i_best = int(np.argmin(costs))
        if not np.isfinite(costs[i_best]):
            i_best = next(
                i for i in range(grid.size) if all(abs(math.log(grid[i] * r)) > 0.2 for r in rates)
            )
        rates.append(1.0 / grid[i_best])
        if m == 0 and n == 1:
            break
        sub = _Problem(
            t,
            fake_wl,
            Yc,
            KineticModel.parallel(len(rates), sorted(rates, reverse=True)),
            ca_order=ca,
            offset=problem.offset,
            chirp_order=0,
            ref=0.0,
            constraints=(),
            weights=(),
        )
        th0 = sub.setup_parameters(
            sub.model.values_array(), mu0, sigma, np.zeros(0), {"irf_center_ps", "irf_fwhm_ps"}
        )
        dof = max(Yc.size - th0.size - sub.n_linear, 1)
        try:
            out = _levenberg_marquardt(sub, th0, 40, dof)
            refined = np.exp(out.theta)
            if np.all(np.isfinite(refined)) and np.all(refined > 0):
                rates = [float(r) for r in refined]
        except (FitError, _DegenerateError):
            pass
    return np.sort(np.asarray(rates))[::-1]  # fastest first


def fit_ta(
    data: xr.DataArray,
    *,
    components: int | None = None,
    model: str | KineticModel | Mapping[str, Any] | PathLike[str] = "parallel",
    chirp_order: int | None = None,
    irf_center_ps: float | None = None,
    irf_fwhm_ps: float | None = None,
    coherent_artifact: bool | int = False,
    offset: bool = False,
    constraints: Sequence[EqualSpectra | ZeroSpectrum] = (),
    weights: Sequence[Weight | tuple[float, float, float]] = (),
    start: Mapping[str, Any] | None = None,
    fixed: Sequence[str] = (),
    chirp_reference_nm: float | None = None,
    max_nfev: int = 200,
) -> GlobalFitResult:
    """Global (parallel/sequential) or target analysis of a fs-TA map by variable projection.

    Parameters
    ----------
    data:
        delta A, dimensions ``(time_ps, wavelength_nm)`` (either order; wavelengths may
        descend). Delays must increase strictly; no NaN.
    components:
        Number of compartments of the ``'parallel'``/``'sequential'`` schemes; ``None``: the
        number of singular values above noise (:func:`svd`), at most 5.
    model:
        ``'parallel'`` (DAS), ``'sequential'`` (EAS), a :class:`KineticModel` (SAS), a TOML model
        file or its parsed mapping.
    chirp_order:
        Order of the IRF-centre polynomial in ``(lambda - chirp_reference_nm)/100 nm``. ``None``:
        the number of chirp start values in the model's ``[irf]`` table (else 0); a larger order
        than the model's start values pads them with zeros.
    irf_center_ps, irf_fwhm_ps:
        Start values (``None``: the half-rise of the data, and 0.1 ps or the delay step there).
        Fix them with ``fixed=("irf_center_ps", "irf_fwhm_ps")``.
    coherent_artifact:
        ``True`` (or 1): an IRF-shaped Gaussian component; 2 or 3 add its first and second
        derivative shapes. Each has its own amplitude spectrum.
    offset:
        Add a non-decaying component (IRF-convolved step).
    constraints:
        :class:`EqualSpectra` / :class:`ZeroSpectrum` (added to the model's own).
    weights:
        :class:`Weight` or ``(low_nm, high_nm, value)`` tuples (added to the model's own).
    start:
        Start values by name: model parameters (``'k1'``...), ``'irf_center_ps'``,
        ``'irf_fwhm_ps'``, ``'chirp'`` (list, ps).
    fixed:
        Names held at their start values: model parameters, ``'irf_center_ps'``,
        ``'irf_fwhm_ps'``, ``'chirp'``.
    max_nfev:
        Maximum residual evaluations; a fit that needs more is returned with
        ``converged=False`` (call :meth:`GlobalFitResult.raise_if_failed` to raise).

    Raises
    ------
    InputError
        Bad data or options (not 2-D, non-monotonic delays, NaN, too few points, ...).
    FitError
        The model cannot be evaluated at the start (linearly dependent columns).
    """
    t, wl, Y, da = _as_ta(data)
    if t.size < 3 or wl.size < 1:
        raise InputError("too few delays", field=TIME, expected="at least 3 delays", found=t.size)
    ca = _ca_order(coherent_artifact)
    start = dict(start or {})
    n_sig = None
    if components is None and isinstance(model, str) and model in ("parallel", "sequential"):
        n_sig = svd(da, n=1).n_significant - int(bool(offset)) - ca
    kmodel, auto_rates = _resolve_model(model, components, n_sig)
    irf = kmodel.irf
    # weights and constraints
    wlist = list(kmodel.weights)
    for w in weights:
        if isinstance(w, Weight):
            wlist.append(w)
        else:
            try:
                lo, hi, v = w
            except (TypeError, ValueError) as exc:
                raise InputError(
                    "cannot read weight",
                    field="weights",
                    expected="Weight or (low_nm, high_nm, value)",
                    found=w,
                ) from exc
            wlist.append(Weight(float(v), (min(lo, hi), max(lo, hi))))
    clist = list(kmodel.constraints)
    for c in constraints:
        if not isinstance(c, EqualSpectra | ZeroSpectrum):
            raise InputError("unknown constraint", field="constraints", found=c)
        for name in (c.source, c.target) if isinstance(c, EqualSpectra) else (c.compartment,):
            if name not in kmodel.compartments:
                raise InputError(
                    "constraint names an unknown compartment",
                    field="constraints",
                    expected=list(kmodel.compartments),
                    found=name,
                )
        clist.append(c)
    # chirp
    if chirp_order is not None and (
        isinstance(chirp_order, bool)
        or not isinstance(chirp_order, int | np.integer)
        or chirp_order < 0
    ):
        raise InputError(
            "chirp_order must be an integer >= 0", field="chirp_order", found=chirp_order
        )
    order = max(int(chirp_order or 0), len(irf.chirp_ps))
    if "chirp" in start:
        order = max(order, len(np.atleast_1d(start["chirp"])))
    ref = chirp_reference_nm if chirp_reference_nm is not None else irf.chirp_reference_nm
    ref = _default_reference(wl) if ref is None else float(ref)
    fixed_set = set(fixed) | set(irf.fixed)
    known_fixed = {"irf_center_ps", "irf_fwhm_ps", "chirp", *kmodel.parameter_names}
    for f in fixed_set:
        if f not in known_fixed:
            raise InputError(
                "unknown parameter to fix", field="fixed", expected=sorted(known_fixed), found=f
            )
    for k in start:
        if k not in known_fixed:
            raise InputError(
                "unknown start parameter", field="start", expected=sorted(known_fixed), found=k
            )
    if order > 0 and wl.size < order + 2:
        raise InputError(
            "too few wavelengths for the chirp order",
            field=WAVELENGTH,
            expected=f">= {order + 2} wavelengths",
            found=wl.size,
        )
    problem = _Problem(
        t,
        wl,
        Y,
        kmodel,
        ca_order=ca,
        offset=bool(offset),
        chirp_order=order,
        ref=ref,
        constraints=clist,
        weights=wlist,
    )
    # start values: IRF
    mu_est, chirp_est = _estimate_onset(t, wl, Y, order, ref)
    mu0 = start.get("irf_center_ps", irf_center_ps if irf_center_ps is not None else irf.center_ps)
    chirp0 = np.zeros(order)
    if order:
        given = start.get("chirp", irf.chirp_ps if irf.chirp_ps else None)
        if given is not None:
            given = np.atleast_1d(np.asarray(given, float))
            chirp0[: min(order, given.size)] = given[:order]
        else:
            chirp0[: chirp_est.size] = chirp_est
    if mu0 is None:
        mu0 = mu_est
    fwhm0 = start.get("irf_fwhm_ps", irf_fwhm_ps if irf_fwhm_ps is not None else irf.fwhm_ps)
    if fwhm0 is None:
        i0 = int(np.clip(np.searchsorted(t, mu0), 1, t.size - 1))
        step = float(t[i0] - t[i0 - 1])
        est = _estimate_fwhm(t, Y)
        fwhm0 = DEFAULT_FWHM_PS if est is None else min(max(est, 0.01), 5.0)
        fwhm0 = max(fwhm0, step)
    for name, v in (("irf_center_ps", mu0), ("irf_fwhm_ps", fwhm0)):
        if not (isinstance(v, int | float | np.floating) and math.isfinite(v)):
            raise InputError("must be a finite number", field=name, found=v)
    if not fwhm0 > 0:
        raise InputError("the IRF FWHM must be > 0", field="irf_fwhm_ps", found=fwhm0)
    sigma0 = float(fwhm0) / FWHM_PER_SIGMA
    # start values: kinetics
    kin_start = {k: float(v) for k, v in start.items() if k in kmodel.parameter_names}
    if auto_rates and not kin_start:
        with _single_thread_blas():
            rates = _seed_rates(problem, len(kmodel.compartments), float(mu0), sigma0, chirp0)
        kmodel = kmodel.with_values({f"k{i + 1}": r for i, r in enumerate(rates)})
        problem.model = kmodel
    elif kin_start:
        kmodel = kmodel.with_values(kin_start)
        problem.model = kmodel
    kin0 = kmodel.values_array()
    theta0 = problem.setup_parameters(kin0, float(mu0), sigma0, chirp0, fixed_set)
    n_points = Y.size
    dof = n_points - len(problem.params) - problem.n_linear
    if dof < 1 or t.size < max(g.R.shape[1] for g in problem.groups) + 1:
        raise InputError(
            "too few data points for the model",
            field="data",
            expected=f"more than {len(problem.params) + problem.n_linear} points and more delays "
            f"than linear components",
            found=f"{t.size} delays x {wl.size} wavelengths",
        )
    if not isinstance(max_nfev, int | np.integer) or max_nfev < 1:
        raise InputError("max_nfev must be a positive integer", field="max_nfev", found=max_nfev)
    with np.errstate(over="ignore", under="ignore"), _single_thread_blas():
        lm = _levenberg_marquardt(problem, theta0, int(max_nfev), dof)
        theta = lm.theta
        # standard order for parallel / sequential: fastest rate first
        if kmodel.kind in ("parallel", "sequential"):
            kin_p = [i for i, p in enumerate(problem.params) if p.kind == "kin"]
            if len(kin_p) == len(kmodel.parameters):
                order_k = np.argsort(-theta[kin_p], kind="stable")
                if not np.array_equal(order_k, np.arange(len(kin_p))):
                    theta = theta.copy()
                    theta[kin_p] = theta[kin_p][order_k]
        try:
            final = problem.evaluate(theta, jac=True, final=True)
        except _DegenerateError as exc:
            raise FitError(f"the model is degenerate at the fitted parameters: {exc}") from exc
    return _build_result(problem, da, theta, final, lm, dof)


def _build_result(
    problem: _Problem, da: xr.DataArray, theta: NDArray, final: tuple, lm: _LMOutcome, dof: int
) -> GlobalFitResult:
    cost, H, _, finals, bas, (kin, mu0, sigma, chirp, dphys) = final
    model = problem.model
    t, wl, Y = problem.t, problem.wl, problem.Y
    nl = Y.shape[1]
    s2 = cost / dof
    P = len(problem.params)
    warns: list[str] = []
    # covariance of internal parameters
    cov_int = np.full((P, P), np.nan)
    if P:
        try:
            d = np.sqrt(np.diag(H))
            if np.all(d > 0) and np.all(np.isfinite(d)):
                Hs = H / d[:, None] / d[None, :]
                w, V = np.linalg.eigh(Hs)
                if w.min() > 1e-13 * w.max():
                    cov_int = s2 * (V / w) @ V.T / d[:, None] / d[None, :]
        except np.linalg.LinAlgError:
            pass
        if not np.all(np.isfinite(np.diag(cov_int))):
            warns.append(
                "the parameters are not all determined by the data (singular J^T J): "
                "standard errors are undefined; fix or remove parameters"
            )
    # physical covariance (delta method)
    cov = cov_int * dphys[:, None] * dphys[None, :]
    se_free = np.sqrt(np.maximum(np.diag(cov), 0.0)) if P else np.zeros(0)
    se_free = np.where(np.isfinite(np.diag(cov)), se_free, np.nan)
    names = [p.name for p in problem.params]
    se = dict(zip(names, se_free, strict=True))
    # correlation warning
    if P > 1 and np.all(np.isfinite(cov)):
        sd = np.sqrt(np.diag(cov))
        corr = cov / sd[:, None] / sd[None, :]
        iu = np.triu_indices(P, 1)
        worst = np.argmax(np.abs(corr[iu]))
        if abs(corr[iu][worst]) > 0.99:
            a, b = names[iu[0][worst]], names[iu[1][worst]]
            warns.append(f"{a} and {b} are strongly correlated (r = {corr[iu][worst]:.3f})")
    # parameters table
    params: dict[str, ParameterEstimate] = {}
    for i, p in enumerate(model.parameters):
        unit = "1/ps" if p.kind == "rate" else ""
        params[p.name] = ParameterEstimate(
            float(kin[i]), float(se.get(p.name, np.nan)), p.name in se, unit
        )
    params["irf_center_ps"] = ParameterEstimate(
        mu0, float(se.get("irf_center_ps", np.nan)), "irf_center_ps" in se, "ps"
    )
    fwhm = sigma * FWHM_PER_SIGMA
    se_fwhm = float(se.get("irf_fwhm_ps", np.nan)) * FWHM_PER_SIGMA
    params["irf_fwhm_ps"] = ParameterEstimate(fwhm, se_fwhm, "irf_fwhm_ps" in se, "ps")
    chirp_se = np.array(
        [se.get(f"chirp_{i + 1}", np.nan) for i in range(problem.chirp_order)], float
    )
    for i in range(problem.chirp_order):
        params[f"chirp_{i + 1}"] = ParameterEstimate(
            float(chirp[i]), float(chirp_se[i]), f"chirp_{i + 1}" in se, "ps"
        )
    # the covariance reported for sigma -> FWHM
    scale = np.array([FWHM_PER_SIGMA if p.kind == "sigma" else 1.0 for p in problem.params])
    cov = cov * scale[:, None] * scale[None, :]
    rate_names = model.rate_names
    rates = np.array([params[k].value for k in rate_names])
    rates_se = np.array([params[k].stderr for k in rate_names])
    with np.errstate(divide="ignore", invalid="ignore"):
        lifetimes = np.where(rates > 0, 1.0 / rates, np.inf)
        lifetimes_se = rates_se / rates**2
    fractions = {k: params[k].value for k in model.fraction_names}
    fractions_se = {k: params[k].stderr for k in model.fraction_names}
    # spectra (full columns) and their standard errors
    ntot = problem.ntot
    S_full = np.zeros((ntot, nl))
    S_cov = np.zeros((nl, ntot, ntot))
    for grp, res in zip(problem.groups, finals, strict=True):
        if problem.chirp_order:
            s_red = res["S"]  # (L, nred)
            cov_red = res["Ginv"]  # (L, nred, nred)
        else:
            Rr = res["Rr"]
            s_red = res["S"].T  # (L, nred)
            Rinv = np.linalg.inv(Rr)
            cov_red = np.broadcast_to(Rinv @ Rinv.T, (len(grp.idx), *Rr.shape))
        cs = grp.colscale
        S_full[:, grp.idx] = (grp.R @ s_red.T) / cs[None, :]
        S_cov[grp.idx] = (grp.R @ cov_red @ grp.R.T) * (s2 / cs**2)[:, None, None]
    S_se = np.sqrt(np.maximum(np.einsum("lii->il", S_cov), 0.0))
    # tied / zero columns have no separate uncertainty beyond what R carries
    ncomp = problem.ncomp
    comp_coord = list(model.compartments)
    spectra = xr.DataArray(
        S_full[:ncomp],
        dims=("component", WAVELENGTH),
        coords={"component": comp_coord, WAVELENGTH: wl},
        name=model.spectra_kind,
        attrs={"units": "delta A", "kind": model.spectra_kind},
    )
    spectra_se = spectra.copy(data=S_se[:ncomp])
    M = bas["M"]
    r = bas["r"]
    das = M @ S_full[:ncomp]
    das_cov = np.einsum("ai,lij,bj->lab", M, S_cov[:, :ncomp, :ncomp], M)
    das_se = np.sqrt(np.maximum(np.einsum("laa->al", das_cov), 0.0))
    das_labels = [f"{1 / x:.4g} ps" if x > 0 else "inf" for x in r]
    das_da = xr.DataArray(
        das,
        dims=("component", WAVELENGTH),
        coords={"component": das_labels, WAVELENGTH: wl, "rate_per_ps": ("component", r)},
        name="DAS",
        attrs={"units": "delta A"},
    )
    das_se_da = das_da.copy(data=das_se)
    extra = extra_se = None
    if ntot > ncomp:
        labels = problem.labels[ncomp:]
        extra = xr.DataArray(
            S_full[ncomp:],
            dims=("component", WAVELENGTH),
            coords={"component": labels, WAVELENGTH: wl},
        )
        extra_se = extra.copy(data=S_se[ncomp:])
    # fitted matrix (unweighted) from the basis at every wavelength
    B = bas["B"]
    Mext = bas["Mext"]
    if problem.chirp_order:
        Cfull = B @ Mext  # (L, n, ntot)
        fit = np.einsum("lni,il->nl", Cfull, S_full)
    else:
        Cfull = B @ Mext
        fit = Cfull @ S_full
    resid = Y - fit
    E0 = convolved_exponentials(t, r, mu0, sigma)
    conc = E0 @ M
    conc_da = xr.DataArray(
        conc, dims=(TIME, "component"), coords={TIME: t, "component": comp_coord}, name="population"
    )
    rmse = math.sqrt(cost / Y.size)
    wda = None if problem.W is None else _ta_array(problem.W, t, wl, "weight", units="")
    # sanity warnings
    window = t[-1] - t[0]
    for name, k in zip(rate_names, rates, strict=True):
        if params[name].vary and k > 0 and 1 / k > 10 * window:
            warns.append(
                f"lifetime 1/{name} = {1 / k:.3g} ps is far beyond the time window "
                f"({window:.3g} ps)"
            )
        if params[name].vary and k > 0 and 1 / k < 0.1 * fwhm:
            warns.append(
                f"lifetime 1/{name} = {1 / k:.3g} ps is far below the IRF FWHM ({fwhm:.3g} ps)"
            )
    attrs = {"units": "delta A"}
    return GlobalFitResult(
        model=model,
        rate_names=rate_names,
        rates_per_ps=rates,
        rates_stderr_per_ps=rates_se,
        lifetimes_ps=lifetimes,
        lifetimes_stderr_ps=lifetimes_se,
        fractions=fractions,
        fractions_stderr=fractions_se,
        irf_center_ps=float(mu0),
        irf_center_stderr_ps=params["irf_center_ps"].stderr,
        irf_fwhm_ps=float(fwhm),
        irf_fwhm_stderr_ps=se_fwhm,
        chirp_coefficients_ps=np.asarray(chirp, float),
        chirp_stderr_ps=chirp_se,
        chirp_reference_nm=problem.ref,
        spectra=spectra,
        spectra_stderr=spectra_se,
        spectra_kind=model.spectra_kind,
        das=das_da,
        das_stderr=das_se_da,
        extra_spectra=extra,
        extra_spectra_stderr=extra_se,
        concentrations=conc_da,
        data=da.assign_attrs(attrs) if not da.attrs else da,
        fitted=_ta_array(fit, t, wl, "fit"),
        residuals=_ta_array(resid, t, wl, "residual"),
        weights=wda,
        rmse=rmse,
        chi2_reduced=cost / dof,
        n_points=int(Y.size),
        n_linear=problem.n_linear,
        n_evaluations=lm.nfev + 1,
        converged=lm.converged,
        message=lm.message,
        parameters=params,
        free_parameter_names=tuple(names),
        covariance=cov,
        warnings=tuple(warns),
    )


# ====================================================================== simulation
def simulate_ta(
    model: str | KineticModel,
    rates_per_ps: Sequence[float] | Mapping[str, float],
    spectra: ArrayLike,
    time_ps: ArrayLike,
    wavelength_nm: ArrayLike,
    *,
    irf_center_ps: float,
    irf_fwhm_ps: float,
    chirp: Sequence[float] = (),
    chirp_reference_nm: float | None = None,
    artifact_spectra: ArrayLike | None = None,
    offset_spectrum: ArrayLike | None = None,
    noise: float = 0.01,
    rng: np.random.Generator | int | None = None,
) -> xr.DataArray:
    """Simulate a TA map with the same model code :func:`fit_ta` uses.

    ``model``: ``'parallel'``/``'sequential'`` (one compartment per rate) or a
    :class:`KineticModel` (``rates_per_ps`` then one value per rate parameter, or a mapping of
    parameter names, fractions included). ``spectra``: ``(compartment, wavelength)``.
    ``chirp``: coefficients c_i (ps) of ``((lambda - chirp_reference_nm)/100 nm)^i``.
    ``artifact_spectra``: ``(k, wavelength)`` amplitudes of the IRF Gaussian and its derivative
    shapes (as in the fit); ``offset_spectrum``: a non-decaying component. ``noise``: standard
    deviation of Gaussian noise as a fraction of the largest ``|delta A|`` of the noiseless map.
    """
    t = np.asarray(time_ps, float)
    wl = np.asarray(wavelength_nm, float)
    if t.ndim != 1 or t.size < 2 or not np.all(np.diff(t) > 0):
        raise InputError("time_ps must be strictly increasing, 1-D", field="time_ps")
    if wl.ndim != 1 or wl.size < 1 or not np.all(np.isfinite(wl)):
        raise InputError("wavelength_nm must be 1-D and finite", field="wavelength_nm")
    if isinstance(model, str):
        if model not in ("parallel", "sequential"):
            raise InputError(
                "unknown model", field="model", expected="'parallel' or 'sequential'", found=model
            )
        rr = np.atleast_1d(
            np.asarray(
                list(rates_per_ps.values()) if isinstance(rates_per_ps, Mapping) else rates_per_ps,
                float,
            )
        )
        kmodel = getattr(KineticModel, model)(int(rr.size), rates=rr)
        values = kmodel.values_array()
    else:
        kmodel = model
        values = kmodel.values_array(rates_per_ps)
    S = np.atleast_2d(np.asarray(spectra, float))
    ncomp = len(kmodel.compartments)
    if S.shape != (ncomp, wl.size):
        raise InputError(
            "spectra have the wrong shape",
            field="spectra",
            expected=f"({ncomp} compartments, {wl.size} wavelengths)",
            found=S.shape,
        )
    if not irf_fwhm_ps > 0:
        raise InputError("irf_fwhm_ps must be > 0", field="irf_fwhm_ps", found=irf_fwhm_ps)
    chirp_arr = np.asarray(chirp, float).ravel()
    ref = _default_reference(wl) if chirp_reference_nm is None else float(chirp_reference_nm)
    ca = 0 if artifact_spectra is None else np.atleast_2d(artifact_spectra).shape[0]
    if ca > 3:
        raise InputError("at most 3 artefact shapes", field="artifact_spectra")
    problem = _Problem(
        t,
        wl,
        np.zeros((t.size, wl.size)),
        kmodel,
        ca_order=ca,
        offset=offset_spectrum is not None,
        chirp_order=chirp_arr.size,
        ref=ref,
        constraints=(),
        weights=(),
    )
    problem.kin_free, problem.has_mu, problem.has_sigma = [], False, False
    mu = problem.mu_of(float(irf_center_ps), chirp_arr)
    bas = problem.basis(values, mu, float(irf_fwhm_ps) / FWHM_PER_SIGMA, jac=False)
    cols = [S]
    if ca:
        cols.append(np.atleast_2d(np.asarray(artifact_spectra, float)))
    if offset_spectrum is not None:
        cols.append(np.asarray(offset_spectrum, float).reshape(1, wl.size))
    S_all = np.concatenate(cols, axis=0)
    C = bas["B"] @ bas["Mext"]
    clean = np.einsum("lni,il->nl", C, S_all) if chirp_arr.size else C @ S_all
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    scale = float(noise) * float(np.max(np.abs(clean))) if noise else 0.0
    noisy = clean + (gen.normal(0.0, scale, clean.shape) if scale > 0 else 0.0)
    return _ta_array(
        noisy,
        t,
        wl,
        "delta_A",
        simulated=1,
        noise_sd=scale,
        irf_center_ps=float(irf_center_ps),
        irf_fwhm_ps=float(irf_fwhm_ps),
        chirp_reference_nm=ref,
    )


# keep the names importable for type checkers
_ = (field, replace, _warnings, Any)
