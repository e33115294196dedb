"""IRF-convolved exponentials: exact where the textbook form is safe, finite everywhere."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import erfc

from qdcat.kinetics.irf import FWHM_PER_SIGMA, convolved_exponentials, gaussian_irf


def _textbook(t, k, mu, sigma):
    tau = t - mu
    z = (tau - k * sigma**2) / (np.sqrt(2) * sigma)
    return 0.5 * np.exp(-k * tau + 0.5 * (k * sigma) ** 2) * erfc(-z)


@given(
    k=st.floats(0, 20),
    mu=st.floats(-1, 1),
    sigma=st.floats(0.02, 0.5),
)
def test_equals_textbook_form_where_it_is_safe(k: float, mu: float, sigma: float) -> None:
    t = np.linspace(-3, 30, 400)
    ours = convolved_exponentials(t, [k], mu, sigma)[:, 0]
    np.testing.assert_allclose(
        ours, _textbook(t, k, mu, sigma), rtol=1e-10, atol=1e-250
    )  # ours is exact where the textbook underflows


@settings(max_examples=200)
@given(k=st.floats(0, 1e6), sigma=st.floats(1e-3, 1.0), mu=st.floats(-5, 5))
def test_finite_and_bounded_for_any_rate_times_width(k: float, sigma: float, mu: float) -> None:
    # k sigma up to 1e6: the textbook form overflows (exp(k^2 sigma^2 / 2)) long before.
    t = np.linspace(-10, 10, 201)
    c = convolved_exponentials(t, [k], mu, sigma)[:, 0]
    assert np.all(np.isfinite(c))
    assert np.all(c >= 0) and np.all(c <= 1 + 1e-12)


def test_brute_force_integral_at_large_rate() -> None:
    # c(t) = integral g(t' - mu) exp(-k (t - t')) H(t - t') dt', evaluated by a fine Riemann
    # sum (step 1e-5 ps): agreement to the sum's own accuracy.
    k, mu, sigma = 50.0, 0.3, 0.1
    tp = np.linspace(-1, 1.6, 260_001)
    d = tp[1] - tp[0]
    for t in (0.2, 0.3, 0.5, 1.0):
        num = np.sum(gaussian_irf(tp, mu, sigma) * np.where(t - tp >= 0, np.exp(-k * (t - tp)), 0))
        ours = convolved_exponentials(np.array([t]), [k], mu, sigma)[0, 0]
        assert abs(num * d - ours) < 3e-3 * max(ours, 1e-12) + 1e-12


def test_step_and_chirped_shape() -> None:
    t = np.linspace(-1, 5, 61)
    c = convolved_exponentials(t, [0.0], 0.0, 0.1)[:, 0]
    assert c[0] < 1e-12 and abs(c[-1] - 1) < 1e-12  # a convolved step rises from 0 to 1
    mu = np.array([[0.0], [0.5], [1.0]])
    assert convolved_exponentials(t, [0.0, 1.0], mu, 0.1).shape == (3, 61, 2)
    assert abs(FWHM_PER_SIGMA - 2.3548200450309493) < 1e-15
