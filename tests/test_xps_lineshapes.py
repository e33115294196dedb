"""Line shapes: CasaXPS GL/SGL identities, areas, FWHMs; Voigt, Doniach-Sunjic, LA limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError
from qdcat.xps import lineshapes as ls

X = np.linspace(900.0, 960.0, 60001)  # 1 meV grid, +/- 30 eV around 930


def _area(y: np.ndarray, x: np.ndarray = X) -> float:
    return float(np.trapezoid(y, x))


def test_gl_end_members_are_gaussian_and_lorentzian() -> None:
    # p = 0: exp(-4 ln2 u^2); p = 100: 1/(1 + 4u^2) (CasaXPS definitions, by hand).
    u = (X - 930.0) / 1.4
    assert ls.gl_height(X, 930.0, 1.4, 0.0) == pytest.approx(np.exp(-4 * math.log(2) * u**2))
    assert ls.gl_height(X, 930.0, 1.4, 100.0) == pytest.approx(1.0 / (1.0 + 4.0 * u**2))
    assert ls.gl(X, 930.0, 1.4, 0.0, 7.0) == pytest.approx(ls.gaussian(X, 930.0, 1.4, 7.0))
    assert ls.gl(X, 930.0, 1.4, 100.0, 7.0) == pytest.approx(ls.lorentzian(X, 930.0, 1.4, 7.0))
    assert ls.sgl(X, 930.0, 1.4, 0.0) == pytest.approx(ls.gaussian(X, 930.0, 1.4))
    assert ls.sgl(X, 930.0, 1.4, 100.0) == pytest.approx(ls.lorentzian(X, 930.0, 1.4))


def test_fwhm_of_gl_and_sgl() -> None:
    # SGL: at u = 1/2 both terms are exactly 1/2, so F is the FWHM for every p.
    for p in (0.0, 30.0, 70.0, 100.0):
        assert ls.profile_fwhm("sgl", 0.0, 1.4, {"p": p}) == pytest.approx(1.4, rel=1e-4)
    # GL product: F is the FWHM at p = 0 and 100 only. For GL(30) the half height is where
    # exp(-4 ln2 0.7 u^2) = 0.5 (1 + 1.2 u^2), whose root (bisection on that equation) is
    # u = 0.48068: FWHM = 0.96136 F.
    assert ls.profile_fwhm("gl", 0.0, 1.0, {"p": 0.0}) == pytest.approx(1.0, rel=1e-4)
    assert ls.profile_fwhm("gl", 0.0, 1.0, {"p": 100.0}) == pytest.approx(1.0, rel=1e-4)
    assert ls.profile_fwhm("gl", 0.0, 1.0, {"p": 30.0}) == pytest.approx(0.96136, abs=2e-5)
    assert ls.gl_height(0.5, 0.0, 1.0, 30.0) == pytest.approx(2**-0.7 / 1.3)


@settings(max_examples=25, deadline=None)
@given(p=st.floats(0.0, 100.0), fwhm=st.floats(0.5, 3.0))
@example(p=2.225073858507203e-309, fwhm=1.0)  # subnormal mixing: a / b overflowed to inf
def test_gl_and_sgl_areas_are_one(p: float, fwhm: float) -> None:
    # The analytic GL area (erfcx form) against numerical integration; Lorentzian tails beyond
    # +/- 30 eV hold 2/pi * atan-complement of the area: at most fwhm/(30 pi) for p = 100.
    tail = p / 100.0 * fwhm / (math.pi * 30.0) * 2.0
    assert _area(ls.gl(X, 930.0, fwhm, p)) == pytest.approx(1.0, abs=tail + 1e-5)
    assert _area(ls.sgl(X, 930.0, fwhm, p)) == pytest.approx(1.0, abs=tail + 1e-5)


def test_voigt_limits_and_fwhm() -> None:
    assert ls.voigt(X, 930.0, 1.2, 0.0) == pytest.approx(ls.gaussian(X, 930.0, 1.2), abs=1e-9)
    # Olivero-Longbothum against the measured FWHM of the exact profile
    measured = ls.profile_fwhm("voigt", 0.0, 1.0, {"lorentz_fwhm": 0.8})
    assert measured == pytest.approx(ls.voigt_fwhm(1.0, 0.8), rel=3e-4)
    assert _area(ls.voigt(X, 930.0, 1.0, 0.4)) == pytest.approx(1.0, abs=0.01)


def test_doniach_sunjic_limits() -> None:
    # alpha = 0 is the Lorentzian of the same FWHM; alpha > 0 puts the tail at high BE.
    assert ls.doniach_sunjic(X, 930.0, 0.8, 0.0) == pytest.approx(ls.lorentzian(X, 930.0, 0.8))
    y = ls.doniach_sunjic(X, 930.0, 0.8, 0.2)
    hi = y[(X > 932.0) & (X < 935.0)].sum()
    lo = y[(X < 928.0) & (X > 925.0)].sum()
    assert hi > 2.0 * lo
    conv = ls.doniach_sunjic(X, 930.0, 0.8, 0.0, gauss_fwhm=0.5)
    assert _area(conv) == pytest.approx(_area(ls.lorentzian(X, 930.0, 0.8)), abs=2e-3)


def test_asymmetric_lorentzian_limits() -> None:
    x = np.linspace(920.0, 940.0, 20001)
    la = ls.asymmetric_lorentzian(x, 930.0, 1.0, 1.0, 1.0)
    lor = ls.lorentzian(x, 930.0, 1.0)
    assert la == pytest.approx(lor / _area(lor, x), rel=1e-9)  # unit area over the window
    asym = ls.asymmetric_lorentzian(x, 930.0, 1.0, 0.8, 3.0)
    assert asym[x > 931.0].sum() > 3.0 * asym[x < 929.0].sum()  # alpha < beta: high-BE tail
    assert _area(
        ls.asymmetric_lorentzian(x, 930.0, 1.0, 0.8, 3.0, gauss_fwhm=0.6), x
    ) == pytest.approx(1.0, rel=1e-9)


def test_bad_shape_arguments() -> None:
    with pytest.raises(InputError, match="p"):
        ls.gl(X, 930.0, 1.0, 130.0)
    with pytest.raises(InputError, match="fwhm"):
        ls.gaussian(X, 930.0, -1.0)
    with pytest.raises(InputError, match="unknown line shape"):
        ls.profile("pearson", X, 930.0, 1.0)
