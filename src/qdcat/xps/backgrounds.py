"""Inelastic backgrounds of XPS spectra on an ascending binding-energy axis.

Inelastically scattered photoelectrons appear at *higher* binding energy than their peak, so a
background rises from the low-binding-energy end of a window to the high end.

Shirley
    Shirley, Phys. Rev. B 1972, 5, 4709 (doi:10.1103/PhysRevB.5.4709). The background is the
    self-consistent solution of ``B(E) = I_lo + k int_{E_lo}^{E} (y - B) dE'`` whose mean over
    the last ``n_average`` points is ``I_hi`` (``I_lo``, ``I_hi``: means over ``n_average``
    points at each end, for noise robustness), i.e. the fixed point of the usual iteration
    ``B <- I_lo + (I_hi - I_lo) Q(E)/Q(E_hi)``, ``Q = int (y - B)`` (Proctor and Sherwood,
    Anal. Chem. 1982, 54, 13, doi:10.1021/ac00238a008). That iteration oscillates without
    converging when noise puts the end mean ``I_hi`` above what any Shirley background of the
    data can reach (4 of 100 simulated Cu 2p spectra with 5-point end means); here the step
    constant ``k`` is found instead: scanned upwards, then Brent's method on the first crossing
    (tolerance ``tol``, iteration cap ``max_iter``), each trial one vectorised pass (the
    trapezoid-discretised integral equation is a linear recurrence, solved by
    ``scipy.signal.lfilter``). Without a crossing the closest background is returned and
    flagged (``converged = False``) when it misses ``I_hi`` by more than 3 standard errors;
    a Brent failure raises :class:`~qdcat.core.errors.ConvergenceError`.
Tougaard
    ``B(E) = I_lo + B_T int_{E' < E} K(E - E') (y(E') - I_lo) dE'`` with the universal
    cross-section ``U2``: ``K(T) = T / (C + T^2)^2``, ``C = 1643 eV^2`` (Tougaard, Solid State
    Commun. 1987, 61, 547, doi:10.1016/0038-1098(87)90166-9; ``B_T ~ 2866 eV^2`` for many
    metals), or the three-parameter ``U3``: ``K(T) = T / ((C - T^2)^2 + D T^2)`` (Tougaard,
    Surf. Interface Anal. 1997, 25, 137,
    doi:10.1002/(SICI)1096-9918(199703)25:3<137::AID-SIA230>3.0.CO;2-L; e.g. ``C = 551``,
    ``D = 436 eV^2`` for polymers), optionally zero below an energy-loss gap.
    By default ``B_T`` is chosen so that the background meets the mean of the last
    ``n_average`` points at the high-binding-energy end. The loss integral is one discrete
    convolution on a uniform grid (a matrix product otherwise).
Linear
    The straight line through the two end means.

For backgrounds refined *within* a fit (:mod:`qdcat.xps.peakfit`), :func:`shirley_basis` and
:func:`tougaard_basis` give the background that one unit-area peak profile generates; the model
background is then linear in the peak areas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.signal import lfilter

from qdcat.core.errors import ConvergenceError, InputError

__all__ = [
    "TOUGAARD_U2_B",
    "TOUGAARD_U2_C",
    "Background",
    "endpoint_levels",
    "linear_background",
    "shirley_background",
    "shirley_basis",
    "tougaard_background",
    "tougaard_basis",
    "tougaard_kernel",
]

#: Universal (U2) cross-section constants, eV^2 (Tougaard 1987).
TOUGAARD_U2_B = 2866.0
TOUGAARD_U2_C = 1643.0

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Background:
    """A background curve and how it was made."""

    kind: str
    values: Array
    parameters: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    converged: bool = True


def _prepare(x: ArrayLike, y: ArrayLike, n_average: int) -> tuple[Array, Array]:
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.ndim != 1 or xa.shape != ya.shape:
        raise InputError(
            "energies and counts must be 1-D arrays of the same length",
            field="binding_energy_eV, counts",
            expected="two equal-length 1-D arrays",
            found=(xa.shape, ya.shape),
        )
    if xa.size < max(5, 2 * n_average + 1):
        raise InputError(
            "too few points for a background",
            field="binding_energy_eV",
            expected=f"at least {max(5, 2 * n_average + 1)} points",
            found=int(xa.size),
        )
    if np.any(np.diff(xa) <= 0):
        raise InputError(
            "the binding-energy axis must increase strictly",
            field="binding_energy_eV",
            expected="strictly ascending energies (sort the spectrum first)",
            found=[float(v) for v in xa[:3]],
        )
    if n_average < 1:
        raise InputError(
            "n_average must be at least 1", field="n_average", expected=">= 1", found=n_average
        )
    return xa, ya


def endpoint_levels(y: ArrayLike, n_average: int = 5) -> tuple[float, float, float, float]:
    """Means of the first and last ``n_average`` points and their standard errors.

    Returns ``(low, high, low_stderr, high_stderr)``; the standard errors are the Poisson
    ``sqrt(mean / n)`` when the data look like counts, else the sample standard error.
    """
    ya = np.asarray(y, dtype=float)
    n = max(1, min(int(n_average), ya.size // 2))
    lo, hi = ya[:n], ya[-n:]

    def se(v: Array) -> float:
        if n < 2:
            return math.sqrt(max(float(v.mean()), 0.0))
        return max(float(v.std(ddof=1)) / math.sqrt(n), math.sqrt(max(float(v.mean()), 0.0) / n))

    return float(lo.mean()), float(hi.mean()), se(lo), se(hi)


def _cumtrapz(x: Array, y: Array) -> Array:
    out = np.empty_like(y)
    out[0] = 0.0
    np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(x), out=out[1:])
    return out


def _shirley_for_k(x: Array, y: Array, lo: float, k: float) -> Array:
    """Solution of ``B = lo + k * cumtrapz(y - B)`` for one step constant ``k``.

    The trapezoid rule makes this the first-order linear recurrence
    ``B[i+1] (1 + k h/2) = B[i] (1 - k h/2) + k h (y[i] + y[i+1]) / 2`` with ``B[0] = lo``:
    one ``scipy.signal.lfilter`` pass on a uniform grid, cumulative products otherwise.
    """
    h = np.diff(x)
    c = k * h * 0.5 * (y[1:] + y[:-1]) / (1.0 + 0.5 * k * h)
    a = (1.0 - 0.5 * k * h) / (1.0 + 0.5 * k * h)
    out = np.empty_like(y)
    out[0] = lo
    if np.allclose(h, h[0], rtol=1e-6, atol=1e-12):
        out[1:] = lfilter([1.0], [1.0, -float(a[0])], c, zi=[float(a[0]) * lo])[0]
    else:
        p = np.cumprod(a)
        out[1:] = p * (lo + np.cumsum(c / p))
    return out


def shirley_background(
    x: ArrayLike,
    y: ArrayLike,
    *,
    n_average: int = 5,
    tol: float = 1e-10,
    max_iter: int = 100,
    levels: tuple[float, float] | None = None,
) -> Background:
    """Shirley background, solved for its step constant (see the module notes).

    Parameters
    ----------
    x, y:
        Binding energy (eV, strictly ascending) and counts.
    n_average:
        Points averaged at each end for the end levels; the background is required to have the
        high-end mean over the same points.
    tol:
        Relative tolerance on the step constant ``k`` (Brent's method).
    max_iter:
        Iteration cap of the root search.
    levels:
        ``(I_lo, I_hi)`` to use instead of the end means.

    Returns
    -------
    Background
        ``parameters``: ``low_level``, ``high_level``, ``k``; when no step constant meets
        ``I_hi`` exactly, the closest background is returned with ``high_level_shortfall``
        (counts) and ``converged = False`` if the shortfall exceeds 3 standard errors of
        ``I_hi`` (the data do not have a Shirley-type background, e.g. a rising Tougaard tail).

    Raises
    ------
    InputError
        Bad arrays; no signal above the background (only a background that follows the data
        would meet both levels).
    ConvergenceError
        The root search did not converge within ``max_iter`` iterations.
    """
    xa, ya = _prepare(x, y, n_average)
    n = max(1, min(int(n_average), xa.size // 2))
    if levels is None:
        lo, hi, _, _ = endpoint_levels(ya, n_average)
    else:
        lo, hi = float(levels[0]), float(levels[1])
    step = hi - lo
    params = {"low_level": lo, "high_level": hi, "n_average": float(n)}
    if step == 0.0:
        return Background("shirley", np.full_like(ya, lo), {**params, "k": 0.0}, iterations=0)

    def g(k: float) -> float:
        return float(_shirley_for_k(xa, ya, lo, k)[-n:].mean()) - hi

    # The first crossing of g is the Shirley solution (for k -> infinity B follows the data and
    # g returns to ~0). Bracket it by stepping k up from Delta / int(y - I_lo), a lower bound.
    k_edge = 1.9 / float(np.max(np.diff(xa)))  # keeps the recurrence factor positive
    area = float(np.trapezoid(ya - lo, xa)) if step > 0 else float(np.trapezoid(ya - hi, xa))
    sign = 1.0 if step > 0 else -1.0
    # Scan k upwards; the Shirley solution is the first crossing of g. If g turns down before
    # crossing, no step constant meets I_hi (the noisy end mean is above what the data allow):
    # take the closest approach (the local maximum of g) if it is within the noise of I_hi.
    # Crossings beyond that maximum belong to the degenerate regime where B follows the data.
    ks = [0.0]
    gs = [sign * g(0.0)]
    k_try = abs(step) / area if area > 0 else 1e-6 / float(xa[-1] - xa[0])
    bracket = None
    turned = False
    for _ in range(max_iter):
        k_try = min(k_try, k_edge)
        gk = sign * g(sign * k_try)
        if gk > 0:
            bracket = (sign * ks[-1], sign * k_try)
            break
        if len(gs) > 1 and gk < gs[-1]:
            turned = True
            ks.append(k_try)
            gs.append(gk)
            break
        ks.append(k_try)
        gs.append(gk)
        if k_try >= k_edge:
            break
        k_try *= 1.5
    if bracket is None:
        if not turned:  # only the degenerate k -> infinity limit (B = data) comes close
            raise InputError(
                "no Shirley background meets both end levels: there is no peak above the "
                "background, or the background still rises at the high-energy end (not "
                "Shirley-shaped: use the Tougaard background or end the window on a flat part)",
                field="counts",
                expected="a peak between two flat end regions",
                found=f"end levels {lo:.4g} and {hi:.4g}",
            )
        opt = minimize_scalar(
            lambda kk: -sign * g(sign * kk),
            bounds=(ks[-3], ks[-1]),
            method="bounded",
            options={"xatol": tol * k_edge},
        )
        k = sign * float(opt.x)
        shortfall = -sign * g(k)
        noise = math.sqrt(max(abs(hi), 1.0) / n)
        return Background(
            "shirley",
            _shirley_for_k(xa, ya, lo, k),
            {**params, "k": k, "high_level_shortfall": float(shortfall)},
            iterations=int(opt.nfev) + len(ks),
            converged=bool(shortfall <= 3.0 * noise),
        )
    k_lim = k_edge
    try:
        k, info = brentq(
            g,
            *sorted(bracket),
            xtol=tol * abs(k_lim),
            rtol=4 * np.finfo(float).eps,
            maxiter=max_iter,
            full_output=True,
            disp=False,
        )
    except (ValueError, RuntimeError) as exc:  # pragma: no cover - bracket checked above
        raise ConvergenceError(f"Shirley step constant: {exc}", n_evaluations=max_iter) from exc
    if not info.converged:
        raise ConvergenceError(
            f"Shirley step constant not found within {max_iter} iterations",
            n_evaluations=info.function_calls,
        )
    return Background(
        "shirley",
        _shirley_for_k(xa, ya, lo, k),
        {**params, "k": float(k)},
        iterations=int(info.iterations),
    )


def tougaard_kernel(
    loss_eV: ArrayLike,
    *,
    kind: Literal["U2", "U3"] = "U2",
    C: float = TOUGAARD_U2_C,
    D: float = 0.0,
    gap_eV: float = 0.0,
) -> Array:
    """Tougaard cross-section shape ``K(T)`` without the factor ``B`` (eV^-2 per eV)."""
    t = np.asarray(loss_eV, dtype=float)
    if kind == "U2":
        k = t / (C + t * t) ** 2
    elif kind == "U3":
        k = t / ((C - t * t) ** 2 + D * t * t)
    else:
        raise InputError(
            "unknown Tougaard cross-section", field="kind", expected="'U2' or 'U3'", found=kind
        )
    return np.where(t > gap_eV, k, 0.0)


def _loss_integral(x: Array, signal: Array, kernel_kw: dict) -> Array:
    """``int_{E' < E} K(E - E') signal(E') dE'`` for each E (vectorised; signal may be 2-D)."""
    dx = np.diff(x)
    uniform = np.allclose(dx, dx[0], rtol=1e-6, atol=1e-9)
    sig = np.atleast_2d(signal)
    if uniform:
        h = float(dx[0])
        k = tougaard_kernel(h * np.arange(x.size), **kernel_kw)
        n = x.size
        nfft = 1 << (2 * n - 1).bit_length()
        kf = np.fft.rfft(k, nfft)
        out = np.fft.irfft(np.fft.rfft(sig, nfft, axis=-1) * kf, nfft, axis=-1)[..., :n] * h
    else:
        t = x[:, None] - x[None, :]
        w = np.empty_like(x)
        w[1:-1] = 0.5 * (x[2:] - x[:-2])
        w[0], w[-1] = 0.5 * dx[0], 0.5 * dx[-1]
        mat = tougaard_kernel(t, **kernel_kw) * w[None, :]
        out = sig @ mat.T
    return out if np.ndim(signal) > 1 else out[0]


def tougaard_background(
    x: ArrayLike,
    y: ArrayLike,
    *,
    kind: Literal["U2", "U3"] = "U2",
    B: float | None = None,
    C: float = TOUGAARD_U2_C,
    D: float = 0.0,
    gap_eV: float = 0.0,
    n_average: int = 5,
    levels: tuple[float, float] | None = None,
) -> Background:
    """Tougaard background (see the module notes).

    ``B = None`` fits ``B`` (eV^2) so that the background meets the high-binding-energy end
    mean; a given ``B`` is used as is. The low-end mean is the flat level subtracted before the
    loss integral. ``levels = (I_lo, I_hi)`` replaces the two end means.
    """
    xa, ya = _prepare(x, y, n_average)
    if levels is None:
        lo, hi, _, _ = endpoint_levels(ya, n_average)
    else:
        lo, hi = float(levels[0]), float(levels[1])
    kw = {"kind": kind, "C": C, "D": D, "gap_eV": gap_eV}
    loss = _loss_integral(xa, ya - lo, kw)
    n = max(1, min(n_average, xa.size // 2))
    if B is None:
        end = float(loss[-n:].mean())
        if not end > 0:
            raise InputError(
                "no signal to build a Tougaard background from",
                field="counts",
                expected="counts above the low-binding-energy end level",
                found=f"loss integral {end:.4g}",
            )
        B = (hi - lo) / end
    return Background(
        "tougaard",
        lo + B * loss,
        {"B": float(B), "C": float(C), "D": float(D), "gap_eV": float(gap_eV), "low_level": lo},
    )


def linear_background(
    x: ArrayLike, y: ArrayLike, *, n_average: int = 5, levels: tuple[float, float] | None = None
) -> Background:
    """Straight line through the means of the first and last ``n_average`` points (or through
    ``levels = (I_lo, I_hi)`` at the mean energies of those points)."""
    xa, ya = _prepare(x, y, n_average)
    if levels is None:
        lo, hi, _, _ = endpoint_levels(ya, n_average)
    else:
        lo, hi = float(levels[0]), float(levels[1])
    n = max(1, min(n_average, xa.size // 2))
    x_lo, x_hi = float(xa[:n].mean()), float(xa[-n:].mean())
    slope = (hi - lo) / (x_hi - x_lo)
    return Background(
        "linear", lo + slope * (xa - x_lo), {"low_level": lo, "high_level": hi, "slope": slope}
    )


def shirley_basis(x: ArrayLike, profiles: ArrayLike) -> Array:
    """Shirley step of each unit-area profile: ``int_{E_lo}^{E} profile dE'`` (rows = profiles)."""
    xa = np.asarray(x, dtype=float)
    p = np.atleast_2d(np.asarray(profiles, dtype=float))
    out = np.zeros_like(p)
    np.cumsum(0.5 * (p[:, 1:] + p[:, :-1]) * np.diff(xa)[None, :], axis=1, out=out[:, 1:])
    return out if np.ndim(profiles) > 1 else out[0]


def tougaard_basis(
    x: ArrayLike,
    profiles: ArrayLike,
    *,
    kind: Literal["U2", "U3"] = "U2",
    C: float = TOUGAARD_U2_C,
    D: float = 0.0,
    gap_eV: float = 0.0,
) -> Array:
    """Tougaard loss integral of each profile (rows = profiles), without the factor ``B``."""
    xa = np.asarray(x, dtype=float)
    return _loss_integral(
        xa, np.asarray(profiles, dtype=float), {"kind": kind, "C": C, "D": D, "gap_eV": gap_eV}
    )
