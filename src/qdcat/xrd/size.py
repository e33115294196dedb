"""Crystallite size (Scherrer) and composition (Vegard) from powder-peak parameters.

Scherrer
--------
``D = K lambda / (beta cos theta)`` with ``beta`` the size-broadening FWHM in radians of 2-theta
(P. Scherrer, Nachr. Ges. Wiss. Goettingen 1918, 98). ``K`` depends on the crystallite shape and
on how the size is defined; the default ``K = 0.9`` is the conventional value. For a sphere of
diameter ``D`` the exact line profile (Stokes-Wilson, from the sphere's common-volume function
``1 - 3L/2D + L^3/2D^3``) gives ``K = 1.107`` for the FWHM (``4/3`` for the integral breadth;
A. L. Patterson, Phys. Rev. 56, 978 (1939), doi:10.1103/PhysRev.56.978), so ``K = 0.9``
reports about 0.81 of a sphere's diameter. Instrumental broadening ``beta_i`` can be removed
either as Gaussian (``beta^2 = beta_obs^2 - beta_i^2``) or Lorentzian
(``beta = beta_obs - beta_i``) widths.

Vegard
------
The Zn fraction of a (Zn)CuInS2 alloy is read from the (112) spacing (or its 2-theta) by
inverting ``d112(x)`` along the Vegard line of :mod:`qdcat.structure.lattice`:
``a(x)`` and ``c(x)`` both linear between CuInS2 (a = 5.52, c = 11.1 A) and ZnS mapped on the
tetragonal cell (a = 5.41, c = 10.82 A). **Assumption:** one peak cannot fix both a and c, so
the tetragonal distortion is taken to follow the same Vegard line (c/a from 2.011 to 2.000);
the solution is then exact: ``1/d112^2 = 2/a(x)^2 + 4/c(x)^2``. Outside 0..1 the line is
extrapolated linearly and the result says so (e.g. a spacing larger than CuInS2's, which the
seed paper attributes to vacancy-induced expansion). Finite-size effects shift the apparent
peak of 3 nm dots by up to about 0.1 degree (to lower angle for a 3.3 nm CuInS2 sphere, about
15 % of the CuInS2-ZnS distance; see the Debye simulations), which this inversion does not
correct.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qdcat.core.errors import InputError
from qdcat.xrd.form_factors import CU_KA1_A

__all__ = [
    "SCHERRER_K",
    "SCHERRER_K_SPHERE",
    "VegardEstimate",
    "d112_from_zn_fraction_A",
    "scherrer_size_nm",
    "zn_fraction_from_d112",
]

#: Conventional Scherrer constant (FWHM).
SCHERRER_K: float = 0.9
#: Scherrer constant for the FWHM of spheres, size = diameter (Patterson 1939; Stokes-Wilson).
SCHERRER_K_SPHERE: float = 1.107


def scherrer_size_nm(
    fwhm_deg: float,
    two_theta_deg: float,
    *,
    wavelength_A: float = CU_KA1_A,
    K: float = SCHERRER_K,
    instrument_fwhm_deg: float | None = None,
    broadening: str = "gaussian",
    fwhm_stderr_deg: float | None = None,
    two_theta_stderr_deg: float | None = None,
) -> tuple[float, float | None]:
    """Scherrer crystallite size, nm, and its standard error.

    Parameters
    ----------
    fwhm_deg:
        Observed full width at half maximum, degrees 2-theta.
    two_theta_deg:
        Peak position, degrees.
    wavelength_A:
        X-ray wavelength, Angstrom.
    K:
        Scherrer constant (see the module documentation).
    instrument_fwhm_deg:
        Instrumental FWHM to remove (degrees), or ``None``.
    broadening:
        ``"gaussian"`` (subtract in quadrature) or ``"lorentzian"`` (subtract linearly).
    fwhm_stderr_deg, two_theta_stderr_deg:
        Standard errors of the peak parameters; propagated to the size (``K`` and the
        instrumental width are taken as exact).

    Returns
    -------
    (size_nm, stderr_nm)
        ``stderr_nm`` is ``None`` when no standard errors were given.
    """
    for name, value in (("fwhm_deg", fwhm_deg), ("two_theta_deg", two_theta_deg), ("K", K)):
        v = float(value)
        if not math.isfinite(v) or v <= 0:
            raise InputError("must be a positive number", field=name, expected="> 0", found=value)
    if float(two_theta_deg) >= 180:
        raise InputError(
            "two-theta must be below 180 degrees",
            field="two_theta_deg",
            expected="0 < 2theta < 180",
            found=two_theta_deg,
        )
    beta = float(fwhm_deg)
    dbeta_dobs = 1.0
    if instrument_fwhm_deg:
        bi = float(instrument_fwhm_deg)
        if broadening not in ("gaussian", "lorentzian"):
            raise InputError(
                "unknown broadening model",
                field="broadening",
                expected="'gaussian' or 'lorentzian'",
                found=broadening,
            )
        if bi < 0 or bi >= beta:
            raise InputError(
                "instrumental width must be smaller than the observed width",
                field="instrument_fwhm_deg",
                expected=f"0 <= value < {beta:.4g} deg (the observed FWHM)",
                found=instrument_fwhm_deg,
            )
        if broadening == "gaussian":
            corrected = math.sqrt(beta * beta - bi * bi)
            dbeta_dobs = beta / corrected
            beta = corrected
        else:
            beta = beta - bi
    beta_rad = math.radians(beta)
    theta = math.radians(float(two_theta_deg) / 2.0)
    size_A = float(K) * float(wavelength_A) / (beta_rad * math.cos(theta))
    size_nm = size_A / 10.0
    if fwhm_stderr_deg is None and two_theta_stderr_deg is None:
        return size_nm, None
    rel_beta = dbeta_dobs * float(fwhm_stderr_deg or 0.0) / beta
    rel_theta = math.tan(theta) * math.radians(float(two_theta_stderr_deg or 0.0) / 2.0)
    return size_nm, size_nm * math.hypot(rel_beta, rel_theta)


def d112_from_zn_fraction_A(zn_fraction: float) -> float:
    """(112) spacing, Angstrom, of the Vegard lattice at Zn cation fraction ``x`` (0..1)."""
    from qdcat.structure.lattice import vegard_lattice_A

    a, c = vegard_lattice_A(zn_fraction)
    return 1.0 / math.sqrt(2.0 / a**2 + 4.0 / c**2)


@dataclass(frozen=True)
class VegardEstimate:
    """Result of :func:`zn_fraction_from_d112`."""

    zn_fraction: float
    """Zn cation fraction x = Zn/(Zn+Cu+In)."""
    stderr: float | None
    """Standard error of x from that of d112 (``None`` if not given)."""
    a_A: float
    c_A: float
    """The Vegard-line lattice that reproduces d112, Angstrom."""
    extrapolated: bool
    """x lies outside 0..1 (the spacing is outside the CuInS2-ZnS range)."""


def zn_fraction_from_d112(d112_A: float, d112_stderr_A: float | None = None) -> VegardEstimate:
    """Zn cation fraction ``x = Zn/(Zn+Cu+In)`` from the (112) spacing by Vegard's law.

    See the module documentation for the c/a assumption. The lattice end members come from
    :func:`qdcat.structure.lattice.vegard_lattice_A` (x = 0 and 1); between and beyond them
    a and c are linear in x. The solved (a, c) is passed back through
    :func:`qdcat.structure.lattice.zn_fraction_from_lattice`, whose answer is returned.

    Returns
    -------
    VegardEstimate
        ``(zn_fraction, stderr, a_A, c_A, extrapolated)``; ``stderr`` from ``d112_stderr_A``
        by the slope ``dx/dd``; ``extrapolated`` is True outside 0..1.
    """
    from scipy.optimize import brentq

    from qdcat.structure.lattice import vegard_lattice_A, zn_fraction_from_lattice

    d = float(d112_A)
    if not math.isfinite(d) or d <= 0:
        raise InputError(
            "d-spacing must be a positive length",
            field="d112_A",
            expected="> 0 Angstrom",
            found=d112_A,
        )
    a0, c0 = vegard_lattice_A(0.0)
    a1, c1 = vegard_lattice_A(1.0)

    def d_of(x: float) -> float:
        a = a0 + x * (a1 - a0)
        c = c0 + x * (c1 - c0)
        return 1.0 / math.sqrt(2.0 / a**2 + 4.0 / c**2)

    lo, hi = -3.0, 4.0
    if not (min(d_of(lo), d_of(hi)) <= d <= max(d_of(lo), d_of(hi))):
        raise InputError(
            "d112 is far outside the CuInS2-ZnS Vegard line",
            field="d112_A",
            expected=f"roughly {d_of(hi):.3f}-{d_of(lo):.3f} Angstrom",
            found=d,
        )
    x = brentq(lambda t: d_of(t) - d, lo, hi, xtol=1e-12)
    a = a0 + x * (a1 - a0)
    c = c0 + x * (c1 - c0)
    x_back = zn_fraction_from_lattice(a_A=a, c_A=c)
    stderr = None
    if d112_stderr_A is not None:
        h = 1e-4
        slope = (d_of(x + h) - d_of(x - h)) / (2 * h)  # Angstrom per unit x
        stderr = abs(float(d112_stderr_A) / slope)
    return VegardEstimate(float(x_back), stderr, a, c, bool(x_back < 0.0 or x_back > 1.0))
