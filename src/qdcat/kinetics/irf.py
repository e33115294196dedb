"""Exponential decays convolved with a Gaussian instrument response, in a stable form.

For a decay ``exp(-k t)`` starting at ``t = 0`` convolved with a normalised Gaussian of centre
``mu`` and standard deviation ``sigma`` (FWHM = 2 sqrt(2 ln 2) sigma) the result is

    c(t) = 1/2 exp(-k tau + k^2 sigma^2 / 2) erfc(-z),   tau = t - mu,
    z = (tau - k sigma^2) / (sqrt(2) sigma).

The textbook form overflows (``exp`` of a large positive number times ``erfc`` of a large one)
when ``k sigma`` is large or at early times. Writing ``erfc(x) = erfcx(x) exp(-x^2)`` with the
scaled complementary error function, the exponents cancel exactly for ``z < 0``:

    c(t) = 1/2 exp(-tau^2 / (2 sigma^2)) erfcx(-z)            (z < 0)
    c(t) = 1/2 exp(-k tau + k^2 sigma^2 / 2) erfc(-z)          (z >= 0, exponent <= 0)

Both branches are bounded for every ``k >= 0``, ``sigma > 0``, ``t``: no overflow, no 0 * inf.
When every ``z <= 25`` and every ``|tau| / sigma <= 37`` (the usual case near the IRF) the first
form is used throughout: ``erfcx(-z) <= 2 exp(625)`` and ``exp(-tau^2 / 2 sigma^2) >= 1e-298``
stay finite and normal, the rounding of the two large exponents costs at most ``z^2`` ulp
(< 1e-13 relative), and the Gaussian factor is computed once per time instead of once per rate.
``k = 0`` gives the IRF-convolved step (a non-decaying component).

Reference: e.g. van Stokkum, Larsen, van Grondelle, Biochim. Biophys. Acta 1657 (2004) 82,
eq. (7) (the same convolution), and for erfcx: W. J. Cody, ACM TOMS 19 (1993) 22.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import erfc, erfcx

__all__ = ["FWHM_PER_SIGMA", "convolved_exponentials", "fwhm_to_sigma", "gaussian_irf"]

#: FWHM of a Gaussian in units of its standard deviation: 2 sqrt(2 ln 2) = 2.3548...
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
_SQRT2 = math.sqrt(2.0)
_Z_ONE_FORM = 25.0  # erfcx(-z) <= 2 exp(z^2) finite up to z ~ 26.6
_U_ONE_FORM = 37.0  # exp(-u^2 / 2) normal (>= 1e-298) up to u ~ 37.6


def fwhm_to_sigma(fwhm: float) -> float:
    """Standard deviation of a Gaussian with full width at half maximum ``fwhm`` (same unit)."""
    return fwhm / FWHM_PER_SIGMA


def gaussian_irf(t: ArrayLike, mu: ArrayLike, sigma: float) -> NDArray[np.float64]:
    """Normalised Gaussian instrument response at times ``t`` (1/time unit; integrates to 1).

    ``mu`` may be an array broadcastable against ``t`` (a wavelength-dependent centre).
    """
    tau = np.asarray(t, dtype=float) - np.asarray(mu, dtype=float)
    return np.exp(-0.5 * (tau / sigma) ** 2) / (sigma * math.sqrt(2.0 * math.pi))


def convolved_exponentials(
    t: ArrayLike, rates: ArrayLike, mu: ArrayLike, sigma: float
) -> NDArray[np.float64]:
    """Matrix ``C[..., i, j]`` = Gaussian IRF (``mu``, ``sigma``) convolved with ``exp(-k_j t)``.

    Parameters
    ----------
    t:
        Times, shape ``(n,)`` (any time unit; ``rates`` in its inverse).
    rates:
        Decay rates ``k_j >= 0``, shape ``(m,)``; 0 gives the convolved step.
    mu:
        IRF centre: a scalar, or an array of shape ``(p, 1)`` (one centre per wavelength, for a
        chirped IRF) giving a result of shape ``(p, n, m)``.
    sigma:
        IRF standard deviation (> 0), same unit as ``t``.

    Returns
    -------
    ndarray
        Shape ``(n, m)`` (scalar ``mu``) or ``(p, n, m)``; each column rises from 0 to a
        maximum <= 1 and decays as ``exp(-k t)`` long after the IRF.
    """
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    k = np.asarray(rates, dtype=float)
    if np.any(k < 0):
        raise ValueError("rates must be >= 0")
    mu_arr = np.asarray(mu, dtype=float)
    tau = (
        np.asarray(t, dtype=float)[:, None] - mu_arr[..., None]
        if mu_arr.ndim
        else (np.asarray(t, dtype=float)[:, None] - mu_arr)
    )
    # tau: (n, 1) or (p, n, 1); broadcast against k (m,)
    ks2 = k * sigma * sigma
    z = (tau - ks2) / (_SQRT2 * sigma)
    if z.size and float(z.max()) <= _Z_ONE_FORM and float(np.abs(tau).max()) <= _U_ONE_FORM * sigma:
        return 0.5 * np.exp(-0.5 * (tau / sigma) ** 2) * erfcx(-z)
    neg = z < 0
    out = np.empty(np.broadcast_shapes(tau.shape, k.shape), dtype=float)
    z_b = np.broadcast_to(z, out.shape)
    tau_b = np.broadcast_to(tau, out.shape)
    k_b = np.broadcast_to(k, out.shape)
    neg_b = np.broadcast_to(neg, out.shape)
    tn = tau_b[neg_b]
    out[neg_b] = 0.5 * np.exp(-0.5 * (tn / sigma) ** 2) * erfcx(-z_b[neg_b])
    pos = ~neg_b
    tp, kp = tau_b[pos], k_b[pos]
    out[pos] = 0.5 * np.exp(-kp * tp + 0.5 * (kp * sigma) ** 2) * erfc(-z_b[pos])
    return out
