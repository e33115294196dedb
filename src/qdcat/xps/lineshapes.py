"""XPS line shapes on a binding-energy axis (eV).

Every profile takes the energies ``x`` (eV), a ``center`` (eV) and a width ``fwhm`` (eV) and is
normalised to unit area over the whole energy axis unless stated otherwise, so that the
``area`` argument is the peak area in counts x eV.

CasaXPS forms (CasaXPS manual, "Line shapes", http://www.casaxps.com/help_manual/line_shapes.htm;
Fairley et al., Appl. Surf. Sci. Adv. 2021, 5, 100112, doi:10.1016/j.apsadv.2021.100112), with
``m = p/100``:

* product form ``GL(p)``:  ``exp(-4 ln2 (1-m) u^2) / (1 + 4 m u^2)``, ``u = (x-E)/F``;
* sum form ``SGL(p)``:     ``(1-m) exp(-4 ln2 u^2) + m / (1 + 4 u^2)``.

``p = 0`` is a Gaussian and ``p = 100`` a Lorentzian of FWHM ``F`` in both. For ``SGL`` the
width ``F`` is the FWHM for every ``p``; for the product form it is exactly the FWHM only at
``p = 0`` and ``p = 100`` (the half-height points move inwards in between: GL(30) is 0.473 of
its height at ``E +/- F/2``), so :func:`profile_fwhm` measures the true FWHM. The area of the
product form is analytic: ``int exp(-a t^2) / (1 + b t^2) dt = (pi / sqrt(b)) erfcx(sqrt(a/b))``.

Other shapes:

* :func:`voigt`: Gaussian (FWHM ``fwhm``) convolved with a Lorentzian (FWHM
  ``lorentz_fwhm``), :func:`scipy.special.voigt_profile`; total FWHM after Olivero and
  Longbothum, J. Quant. Spectrosc. Radiat. Transfer 1977, 17, 233
  (doi:10.1016/0022-4073(77)90161-3).
* :func:`doniach_sunjic`: Doniach and Sunjic, J. Phys. C 1970, 3, 285
  (doi:10.1088/0022-3719/3/2/010), tail to high binding energy, optionally convolved with a
  Gaussian. For ``alpha > 0`` its tail is not integrable; ``area`` then scales the profile as the
  area of the ``alpha = 0`` Lorentzian of the same width.
* :func:`asymmetric_lorentzian` (after CasaXPS ``LA(alpha, beta, m)``): a Lorentzian raised to
  ``alpha`` on the high-binding-energy side and to ``beta`` on the low side, optionally damped
  by a Gaussian envelope of FWHM ``damping_fwhm`` (after CasaXPS ``LF``) and convolved with a
  Gaussian of FWHM ``gauss_fwhm`` (eV). CasaXPS gives its Gaussian width as an index ``m``
  (0-499) and its damping as ``w`` without a published conversion to eV, so these parameters
  are in eV and are not CasaXPS's numbers. The profile is normalised numerically on the grid it
  is evaluated on (the area within the window, as for every asymmetric shape).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from qdcat.core.errors import InputError

__all__ = [
    "SHAPES",
    "asymmetric_lorentzian",
    "doniach_sunjic",
    "gaussian",
    "gl",
    "gl_height",
    "lorentzian",
    "profile",
    "profile_fwhm",
    "sgl",
    "sgl_height",
    "voigt",
    "voigt_fwhm",
]

LN2 = math.log(2.0)
_G_AREA = 0.5 * math.sqrt(math.pi / LN2)  # area of a unit-height Gaussian of FWHM 1
_L_AREA = 0.5 * math.pi  # area of a unit-height Lorentzian of FWHM 1

Array = NDArray[np.float64]


def _check_width(fwhm: float, name: str = "fwhm") -> None:
    if not (fwhm > 0 and math.isfinite(fwhm)):
        raise InputError("a line width must be positive", field=name, expected="> 0 eV", found=fwhm)


def _mix(p: float) -> float:
    if not 0.0 <= p <= 100.0:
        raise InputError(
            "Gaussian-Lorentzian mixing out of range",
            field="p",
            expected="0 (Gaussian) ... 100 (Lorentzian)",
            found=p,
        )
    return p / 100.0


def gaussian(x: ArrayLike, center: float, fwhm: float, area: float = 1.0) -> Array:
    """Gaussian of FWHM ``fwhm`` (eV) and area ``area``."""
    _check_width(fwhm)
    u = (np.asarray(x, dtype=float) - center) / fwhm
    return (area / (fwhm * _G_AREA)) * np.exp(-4.0 * LN2 * u * u)


def lorentzian(x: ArrayLike, center: float, fwhm: float, area: float = 1.0) -> Array:
    """Lorentzian of FWHM ``fwhm`` (eV) and area ``area``."""
    _check_width(fwhm)
    u = (np.asarray(x, dtype=float) - center) / fwhm
    return (area / (fwhm * _L_AREA)) / (1.0 + 4.0 * u * u)


def gl_height(x: ArrayLike, center: float, fwhm: float, p: float = 30.0) -> Array:
    """CasaXPS product form ``GL(p)`` with unit height at ``center``."""
    _check_width(fwhm)
    m = _mix(p)
    u2 = ((np.asarray(x, dtype=float) - center) / fwhm) ** 2
    return np.exp(-4.0 * LN2 * (1.0 - m) * u2) / (1.0 + 4.0 * m * u2)


def _gl_unit_area(p: float) -> float:
    """Area of the unit-height ``GL(p)`` of FWHM parameter 1."""
    m = _mix(p)
    if m == 0.0:
        return _G_AREA
    a, b = 4.0 * LN2 * (1.0 - m), 4.0 * m
    ratio = a / b
    if ratio > 1e16:  # also inf for subnormal m: erfcx(z) = 1/(z sqrt(pi)) (1 - 1/(2 z^2) ...)
        return math.sqrt(math.pi / a)  # the Gaussian limit, relative error < 1e-16
    return math.pi / math.sqrt(b) * float(special.erfcx(math.sqrt(ratio)))


def gl(x: ArrayLike, center: float, fwhm: float, p: float = 30.0, area: float = 1.0) -> Array:
    """CasaXPS product form ``GL(p)`` with area ``area`` (see the module notes on its width)."""
    return (area / (fwhm * _gl_unit_area(p))) * gl_height(x, center, fwhm, p)


def sgl_height(x: ArrayLike, center: float, fwhm: float, p: float = 30.0) -> Array:
    """CasaXPS sum form ``SGL(p)`` with unit height at ``center``."""
    _check_width(fwhm)
    m = _mix(p)
    u2 = ((np.asarray(x, dtype=float) - center) / fwhm) ** 2
    return (1.0 - m) * np.exp(-4.0 * LN2 * u2) + m / (1.0 + 4.0 * u2)


def sgl(x: ArrayLike, center: float, fwhm: float, p: float = 30.0, area: float = 1.0) -> Array:
    """CasaXPS sum form ``SGL(p)`` with area ``area``; ``fwhm`` is its FWHM for every ``p``."""
    m = _mix(p)
    unit = (1.0 - m) * _G_AREA + m * _L_AREA
    return (area / (fwhm * unit)) * sgl_height(x, center, fwhm, p)


def voigt(
    x: ArrayLike, center: float, fwhm: float, lorentz_fwhm: float = 0.5, area: float = 1.0
) -> Array:
    """Voigt profile: Gaussian FWHM ``fwhm`` convolved with Lorentzian FWHM ``lorentz_fwhm``."""
    _check_width(fwhm)
    if lorentz_fwhm < 0:
        raise InputError(
            "Lorentzian width must not be negative",
            field="lorentz_fwhm",
            expected=">= 0 eV",
            found=lorentz_fwhm,
        )
    sigma = fwhm / (2.0 * math.sqrt(2.0 * LN2))
    return area * special.voigt_profile(
        np.asarray(x, dtype=float) - center, sigma, 0.5 * lorentz_fwhm
    )


def voigt_fwhm(gauss_fwhm: float, lorentz_fwhm: float) -> float:
    """FWHM of a Voigt profile (Olivero-Longbothum approximation, accurate to 0.02 %)."""
    return 0.5346 * lorentz_fwhm + math.sqrt(0.2166 * lorentz_fwhm**2 + gauss_fwhm**2)


def _fine_grid(x: Array, step: float, pad: float) -> Array:
    lo, hi = float(np.min(x)) - pad, float(np.max(x)) + pad
    n = math.ceil((hi - lo) / step) + 1
    if n > 400_000:
        raise InputError(
            "energy range too wide for the convolution grid",
            field="x",
            expected="a window of at most a few hundred eV",
            found=f"{hi - lo:.1f} eV at {step:.3g} eV",
        )
    return lo + step * np.arange(n)


def _gauss_convolve(x: Array, shape: Callable[[Array], Array], gauss_fwhm: float, width: float):
    """``shape`` convolved with a unit-area Gaussian of FWHM ``gauss_fwhm``, sampled at ``x``."""
    if gauss_fwhm <= 0:
        return shape(x)
    step = min(gauss_fwhm, width) / 20.0
    pad = 4.0 * gauss_fwhm
    grid = _fine_grid(x, step, pad)
    half = math.ceil(pad / step)
    t = step * np.arange(-half, half + 1)
    kernel = np.exp(-4.0 * LN2 * (t / gauss_fwhm) ** 2)
    kernel /= kernel.sum()
    conv = np.convolve(shape(grid), kernel, mode="same")
    return np.interp(x, grid, conv)


def doniach_sunjic(
    x: ArrayLike,
    center: float,
    fwhm: float,
    alpha: float = 0.1,
    area: float = 1.0,
    gauss_fwhm: float = 0.0,
) -> Array:
    """Doniach-Sunjic profile (Lorentzian FWHM ``fwhm``, asymmetry ``alpha`` in [0, 1)).

    ``DS(E) = Gamma(1-a) cos(pi a/2 + (1-a) atan(e/g)) / (e^2 + g^2)^((1-a)/2) / pi`` with
    ``g = fwhm/2`` and ``e = center - E`` (tail towards high binding energy); ``alpha = 0`` is
    the unit-area Lorentzian. Optionally convolved with a Gaussian of FWHM ``gauss_fwhm``.
    """
    _check_width(fwhm)
    if not 0.0 <= alpha < 1.0:
        raise InputError(
            "Doniach-Sunjic asymmetry out of range",
            field="alpha",
            expected="0 <= alpha < 1",
            found=alpha,
        )
    g = 0.5 * fwhm
    pref = area * math.gamma(1.0 - alpha) / math.pi

    def ds(e_axis: Array) -> Array:
        e = center - e_axis
        return (
            pref
            * np.cos(0.5 * math.pi * alpha + (1.0 - alpha) * np.arctan(e / g))
            / ((e * e + g * g) ** (0.5 * (1.0 - alpha)))
        )

    return _gauss_convolve(np.asarray(x, dtype=float), ds, gauss_fwhm, fwhm)


def asymmetric_lorentzian(
    x: ArrayLike,
    center: float,
    fwhm: float,
    alpha: float = 1.0,
    beta: float = 1.0,
    area: float = 1.0,
    gauss_fwhm: float = 0.0,
    damping_fwhm: float = 0.0,
) -> Array:
    """Asymmetric Lorentzian after CasaXPS ``LA``/``LF`` (see the module notes), area ``area``.

    ``[1 / (1 + 4 u^2)]^alpha`` for ``x >= center`` (high binding energy), ``^beta`` below,
    ``u = (x - center)/fwhm``; times ``exp(-4 ln2 ((x-center)/damping_fwhm)^2)`` when
    ``damping_fwhm > 0``; convolved with a Gaussian of FWHM ``gauss_fwhm`` when > 0. The area is
    normalised numerically over the span of ``x``.
    """
    _check_width(fwhm)
    xa = np.asarray(x, dtype=float)
    if alpha <= 0 or beta <= 0:
        raise InputError(
            "asymmetric Lorentzian exponents must be positive",
            field="alpha, beta",
            expected="> 0",
            found=(alpha, beta),
        )

    def la(e_axis: Array) -> Array:
        u2 = ((e_axis - center) / fwhm) ** 2
        base = 1.0 / (1.0 + 4.0 * u2)
        y = np.where(e_axis >= center, base**alpha, base**beta)
        if damping_fwhm > 0:
            y = y * np.exp(-4.0 * LN2 * u2 * (fwhm / damping_fwhm) ** 2)
        return y

    y = _gauss_convolve(xa, la, gauss_fwhm, fwhm)
    if xa.size < 2:
        return area * y
    order = np.argsort(xa)
    total = float(np.trapezoid(y[order], xa[order]))
    return y * (area / total) if total > 0 else y


def _voigt_shape(x, center, fwhm, lorentz_fwhm=0.5):
    return voigt(x, center, fwhm, lorentz_fwhm)


#: Line shapes by name: ``f(x, center, fwhm, **shape_params) -> unit-area profile``.
SHAPES: dict[str, Callable[..., Array]] = {
    "gaussian": lambda x, c, w: gaussian(x, c, w),
    "lorentzian": lambda x, c, w: lorentzian(x, c, w),
    "gl": lambda x, c, w, p=30.0: gl(x, c, w, p),
    "sgl": lambda x, c, w, p=30.0: sgl(x, c, w, p),
    "voigt": lambda x, c, w, lorentz_fwhm=0.5: voigt(x, c, w, lorentz_fwhm),
    "ds": lambda x, c, w, alpha=0.1, gauss_fwhm=0.0: doniach_sunjic(
        x, c, w, alpha, gauss_fwhm=gauss_fwhm
    ),
    "la": lambda x, c, w, alpha=1.0, beta=1.0, gauss_fwhm=0.0, damping_fwhm=0.0: (
        asymmetric_lorentzian(x, c, w, alpha, beta, 1.0, gauss_fwhm, damping_fwhm)
    ),
}
#: Shapes whose ``area`` is the area within the evaluated window (not over all energies).
WINDOW_NORMALISED = frozenset({"la"})


def profile(
    shape: str, x: ArrayLike, center: float, fwhm: float, params: Mapping[str, Any] | None = None
) -> Array:
    """Unit-area profile ``shape`` (a key of :data:`SHAPES`) with its shape parameters."""
    fn = SHAPES.get(shape.lower())
    if fn is None:
        raise InputError(
            "unknown line shape",
            field="shape",
            expected="one of " + ", ".join(sorted(SHAPES)),
            found=shape,
        )
    try:
        return fn(np.asarray(x, dtype=float), center, fwhm, **dict(params or {}))
    except TypeError as exc:
        raise InputError(
            f"bad parameters for line shape {shape!r}: {exc}",
            field="shape_params",
            expected="the parameters the line shape takes",
            found=dict(params or {}),
        ) from exc


def profile_fwhm(
    shape: str, center: float, fwhm: float, params: Mapping[str, Any] | None = None
) -> float:
    """Full width at half maximum of a profile, measured on a fine grid (eV)."""
    span = 12.0 * fwhm + 4.0 * float((params or {}).get("gauss_fwhm", 0.0) or 0.0)
    x = np.linspace(center - span, center + span, 24001)
    y = profile(shape, x, center, fwhm, params)
    i = int(np.argmax(y))
    half = 0.5 * y[i]
    left = np.flatnonzero(y[: i + 1] < half)
    right = np.flatnonzero(y[i:] < half)
    if left.size == 0 or right.size == 0:
        return float("nan")
    j, k = int(left[-1]), i + int(right[0])
    xl = np.interp(half, [y[j], y[j + 1]], [x[j], x[j + 1]])
    xr = np.interp(half, [y[k], y[k - 1]], [x[k], x[k - 1]])
    return float(xr - xl)
