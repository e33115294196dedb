"""Backgrounds: Shirley (analytic step), Tougaard (analytic single-loss tail), linear."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import erf

from qdcat.core.errors import InputError
from qdcat.xps import backgrounds as bg
from qdcat.xps.cu2p import simulate_cu2p

SIGMA = 1.5 / (2.0 * math.sqrt(2.0 * math.log(2.0)))


def _peak_and_step(x: np.ndarray, area: float = 1000.0, center: float = 935.0):
    peak = area / (SIGMA * math.sqrt(2 * math.pi)) * np.exp(-0.5 * ((x - center) / SIGMA) ** 2)
    running = 0.5 * area * (1.0 + erf((x - center) / (SIGMA * math.sqrt(2.0))))  # int of peak
    return peak, running


def test_shirley_recovers_an_analytic_step() -> None:
    # y = 200 + P + k int P: the Shirley background of this spectrum is 200 + k int P exactly
    # (its fixed point), with int P the closed-form erf of the Gaussian.
    x = np.arange(920.0, 950.0, 0.05)
    peak, running = _peak_and_step(x)
    k = 0.3
    truth = 200.0 + k * running
    b = bg.shirley_background(x, truth + peak, n_average=5)
    assert b.values == pytest.approx(truth, abs=1e-3 * k * 1000.0)
    assert b.parameters["k"] == pytest.approx(k, rel=1e-3)
    assert b.parameters["low_level"] == pytest.approx(200.0)
    # non-uniform grid: same answer through the cumulative-product path
    xn = np.sort(np.concatenate([x, x[:-1] + 0.013]))
    pn, rn = _peak_and_step(xn)
    bn = bg.shirley_background(xn, 200.0 + pn + k * rn, n_average=5)
    assert bn.values == pytest.approx(200.0 + k * rn, abs=1e-3 * k * 1000.0)


def test_shirley_is_robust_to_noise() -> None:
    # Poisson noise on a Cu 2p spectrum with a 60 % (1200-count) step. Reference: the Shirley
    # background of the noise-free expectation, whose step is the simulated 1200 counts.
    exact, _ = simulate_cu2p(0.38, rng=None)
    ref = bg.shirley_background(exact.binding_energy_eV, exact.counts, n_average=10)
    assert ref.values[-1] - ref.values[0] == pytest.approx(1200.0, rel=0.01)
    worst = 0.0
    for seed in range(30):
        spec, _ = simulate_cu2p(0.38, rng=seed)
        b = bg.shirley_background(spec.binding_energy_eV, spec.counts, n_average=10)
        worst = max(worst, float(np.max(np.abs(b.values - ref.values))))
    assert worst < 0.2 * 1200.0
    # With 5-point end means, seed 11's high mean is 22 counts above anything a Shirley
    # background of these data can reach (the plain fixed-point iteration oscillates here);
    # the closest background is returned, its shortfall within the noise of the end mean.
    spec, _ = simulate_cu2p(0.38, rng=11)
    b = bg.shirley_background(spec.binding_energy_eV, spec.counts, n_average=5)
    hi_se = math.sqrt(b.parameters["high_level"] / 5)
    assert 0.0 < b.parameters["high_level_shortfall"] < 3 * hi_se


def test_shirley_without_a_peak_is_flagged_or_refused() -> None:
    # a dip between two levels: no Shirley background lies below the data; the closest one
    # comes back flagged as not converged, never as a normal result
    x = np.arange(0.0, 10.0, 0.1)
    y = np.where(x < 3.0, 100.0, np.where(x < 7.0, 50.0, 130.0))
    b = bg.shirley_background(x, y)
    assert not b.converged and b.parameters["high_level_shortfall"] > 10.0
    # a plain ramp: only a background equal to the data would meet both ends
    with pytest.raises(InputError, match="no Shirley background meets both end levels"):
        bg.shirley_background(x, 100.0 + 3.0 * x)
    with pytest.raises(InputError, match="ascending"):
        bg.shirley_background(x[::-1], y)


def test_tougaard_kernel_by_hand() -> None:
    # U2: T/(C + T^2)^2 at T = 10 eV: 10 / (1643 + 100)^2 = 3.2917e-6
    assert bg.tougaard_kernel(10.0)[()] == pytest.approx(10.0 / 1743.0**2)
    # U3 (C = 551, D = 436): 10 / ((551 - 100)^2 + 436 * 100) = 10 / 247001
    assert bg.tougaard_kernel(10.0, kind="U3", C=551.0, D=436.0)[()] == pytest.approx(
        10.0 / 247001.0
    )
    assert bg.tougaard_kernel(2.0, gap_eV=3.0)[()] == 0.0


def test_tougaard_loss_tail_of_a_narrow_peak() -> None:
    # A narrow peak of area A at E0: away from it the loss integral is A K(E - E0).
    x = np.arange(900.0, 960.0, 0.02)
    peak, _ = _peak_and_step(x, area=500.0, center=910.0)
    loss = bg.tougaard_basis(x, peak)
    for e in (920.0, 935.0, 955.0):
        i = int(np.argmin(abs(x - e)))
        assert loss[i] == pytest.approx(500.0 * bg.tougaard_kernel(x[i] - 910.0), rel=2e-3)
    assert np.all(loss[x < 905.0] < 1e-9)
    # the matrix path (non-uniform grid) agrees with the FFT path
    xn = np.sort(np.concatenate([x[::5], x[::5][:-1] + 0.031]))
    pn, _ = _peak_and_step(xn, area=500.0, center=910.0)
    i = int(np.argmin(abs(xn - 935.0)))
    assert bg.tougaard_basis(xn, pn)[i] == pytest.approx(
        500.0 * bg.tougaard_kernel(xn[i] - 910.0), rel=5e-3
    )


def test_tougaard_background_meets_the_high_end() -> None:
    x = np.arange(920.0, 960.0, 0.05)
    peak, _ = _peak_and_step(x, area=3000.0)
    y = 100.0 + peak + 2866.0 * bg.tougaard_basis(x, peak)  # single scattering, U2, B = 2866
    b = bg.tougaard_background(x, y, n_average=5)
    assert b.values[-5:].mean() == pytest.approx(y[-5:].mean(), rel=1e-9)
    assert b.values[0] == pytest.approx(100.0, abs=1e-6)
    # with the loss integral taken over the measured spectrum (peak + its own background) the
    # fitted B is a little below the single-scattering B used to make the data
    assert 0.8 * 2866.0 < b.parameters["B"] < 2866.0


def test_linear_background() -> None:
    x = np.linspace(0.0, 10.0, 101)
    y = 5.0 + 2.0 * x
    b = bg.linear_background(x, y, n_average=3)
    assert b.values == pytest.approx(y)
    # given levels sit at the mean energies of the end points (x = 0.1 for n_average = 3)
    forced = bg.linear_background(x, y, n_average=3, levels=(0.0, 1.0)).values
    assert forced[1] == pytest.approx(0.0) and forced[-2] == pytest.approx(1.0)
