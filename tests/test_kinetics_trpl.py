"""TRPL reconvolution: model, round trips with Poisson noise, error bars, batches, bad input."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdcat.core.errors import ConvergenceError, InputError
from qdcat.core.executors import make_executor
from qdcat.core.results import dumps_json
from qdcat.kinetics.irf import convolved_exponentials, fwhm_to_sigma
from qdcat.kinetics.trpl import (
    fit_trpl,
    fit_trpl_batch,
    irf_gaussian_tail,
    plot_trpl,
    simulate_trpl,
    trpl_model,
)

# 1024 channels of 50 ps, an IRF of 0.15 ns FWHM with a 10 % tail of 0.3 ns at 3 ns
T = np.arange(1024) * 0.05
IRF = irf_gaussian_tail(T, 3.0, 0.15, tail_ns=0.3, tail_fraction=0.1)


def _tau_int(a, tau):
    a, tau = np.asarray(a, float), np.asarray(tau, float)
    return float(np.sum(a * tau**2) / np.sum(a * tau))


# ----------------------------------------------------------------------------------------------
# the forward model against independent truths


def test_convolution_matches_analytic_gaussian_irf() -> None:
    # Truth: the closed-form Gaussian (*) exponential of kinetics.irf (erfc form), averaged over
    # each 2 ps channel. The recursive discrete convolution treats the IRF as constant within
    # a channel, an O(dt^2) approximation of the continuous IRF: 1e-5 of the peak at 2 ps.
    dt, tau = 0.002, 1.5
    t = np.arange(6000) * dt
    irf = irf_gaussian_tail(t, 2.0, 0.2)
    model = trpl_model(t, irf, [tau], [1.0], total_counts=1.0, irf_background=None)
    per_unit_amplitude = model.values * tau / dt  # counts per channel for A = 1 at t = 0
    sub = (np.arange(11) + 0.5) / 11 * dt
    tt = (t[:, None] + sub).ravel()
    exact = convolved_exponentials(tt, [1 / tau], 2.0, fwhm_to_sigma(0.2))[:, 0]
    exact = exact.reshape(-1, 11).mean(axis=1)
    assert np.max(np.abs(per_unit_amplitude - exact)) < 3e-5 * exact.max()


def test_total_counts_are_the_photons_of_the_decay() -> None:
    # Truth: integral of exp(-t/tau) = tau, so a decay well inside the window holds all its
    # photons; the background adds n_channels x b.
    m = trpl_model(T, IRF, [1.0, 4.0], [0.5, 0.5], total_counts=1e5, background=2.0)
    assert m.values.sum() == pytest.approx(1e5 + 2.0 * T.size, rel=1e-4)
    # peak_counts scales the largest channel of the signal
    p = trpl_model(T, IRF, [1.0, 4.0], [0.5, 0.5], peak_counts=1e3)
    assert p.values.max() == pytest.approx(1e3, rel=1e-12)


def test_noiseless_data_give_the_parameters_back_exactly() -> None:
    # expected counts (not integers) are a valid Poisson likelihood input: the MLE is the truth
    y = trpl_model(
        T,
        IRF,
        [0.7, 5.0],
        [0.3, 0.7],
        peak_counts=2e4,
        background=3.0,
        shift_ns=0.137,
        scatter=0.05,
    )
    r = fit_trpl(y, IRF, components=2, scatter=True)
    f = r.flat()
    np.testing.assert_allclose(f["lifetimes_ns"], [0.7, 5.0], rtol=1e-6)
    np.testing.assert_allclose(f["amplitudes"], [0.3, 0.7], rtol=1e-6)
    assert f["shift_ns"] == pytest.approx(0.137, abs=1e-6)
    assert f["background_counts"] == pytest.approx(3.0, rel=1e-5)
    assert f["scatter_fraction"] == pytest.approx(0.05, rel=1e-5)
    assert f["chi2_reduced"] < 1e-6


def test_pile_up_from_the_repetition_rate() -> None:
    # a 30 ns decay at 10 MHz (100 ns period): exp(-100/30) = 3.6 % of each pulse is still
    # there when the next arrives, and shows up as a rising "background" before the IRF
    y = trpl_model(T, IRF, [30.0], [1.0], peak_counts=1e4, rep_rate_MHz=10.0)
    assert y.values[0] > 0.03 * 1e4 * math.exp(-3.0 / 30.0) * 0.9
    # Truth: fold a single-pulse decay recorded on a long grid (20 periods of 2000 channels)
    # back by whole periods: counts at t from the pulses 100, 200, ... ns earlier
    period = 2000
    t_long = np.arange(T.size + 20 * period) * 0.05
    irf_long = irf_gaussian_tail(t_long, 3.0, 0.15, tail_ns=0.3, tail_fraction=0.1)
    single = trpl_model(t_long, irf_long, [30.0], [1.0], total_counts=1.0).values
    folded = sum(single[p * period : p * period + T.size] for p in range(20))
    periodic = trpl_model(T, IRF, [30.0], [1.0], total_counts=1.0, rep_rate_MHz=10.0).values
    np.testing.assert_allclose(periodic, folded, rtol=1e-9, atol=1e-15)
    fit = fit_trpl(y, IRF, components=1, rep_rate_MHz=10.0, background=0.0).flat()
    assert fit["lifetimes_ns"][0] == pytest.approx(30.0, rel=1e-6)
    # without the pile-up term, the pre-pulse rise is mistaken for background: biased
    naive = fit_trpl(y, IRF, components=1).flat()
    assert abs(naive["lifetimes_ns"][0] - 30.0) > 0.1


# ----------------------------------------------------------------------------------------------
# round trips with Poisson noise


@st.composite
def _decays(draw):
    m = draw(st.integers(1, 3))
    # lifetimes 0.2-100 ns, neighbours 3-8x apart, every component >= ~10 % of the photons
    ratios = [draw(st.floats(3.0, 8.0)) for _ in range(m - 1)]
    span = float(np.prod(ratios)) if ratios else 1.0
    tau_min = math.exp(draw(st.floats(math.log(0.2), math.log(100.0 / span))))
    taus = tau_min * np.cumprod([1.0, *ratios])
    photons = np.array([draw(st.floats(0.2, 1.0)) for _ in range(m)])
    a = photons / taus
    a /= a.sum()
    peak = 10 ** draw(st.floats(3.0, 5.0))
    background = draw(st.floats(0.0, 5.0))
    shift_frac = draw(st.floats(-0.5, 0.5))
    seed = draw(st.integers(0, 2**31))
    return taus, a, peak, background, shift_frac, seed


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # a statistical test: the same examples on every run
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=_decays())
def test_round_trip_within_a_few_standard_errors(case) -> None:
    taus, a, peak, background, shift_frac, seed = case
    # channel width from the shortest lifetime; the window covers 6 x the longest (<= 4096
    # channels); IRF 3 channels wide with a 10 % tail
    dt = float(np.clip(taus[0] / 5, 0.004, 0.25))
    fwhm = max(3 * dt, 0.05)
    n = int(np.clip(math.ceil((6 * taus[-1] + 20 * fwhm) / dt), 256, 4096))
    t = np.arange(n) * dt
    irf = irf_gaussian_tail(t, 8 * fwhm, fwhm, tail_ns=2 * fwhm, tail_fraction=0.1)
    decay = simulate_trpl(
        t,
        irf,
        taus,
        a,
        peak_counts=peak,
        background=background,
        shift_ns=shift_frac * fwhm,
        rng=seed,
    )
    r = fit_trpl(decay, irf, components=taus.size)
    f = r.flat()
    assert f["converged"]
    z = (np.asarray(f["lifetimes_ns"]) - taus) / np.asarray(f["lifetimes_stderr_ns"])
    z_int = (f["tau_avg_intensity_ns"] - _tau_int(a, taus)) / f["tau_avg_intensity_stderr_ns"]
    # 5.5 sigma. Measured on 4500 random cases of this strategy (3 seeds x 1500, no failure):
    # |z| < 1 / 2 / 3 for 70.2 / 95.5 / 99.66 % of 1-exponential lifetimes (max |z| 3.4),
    # 67.0 / 95.1 / 99.60 % (2 exp., max 4.5), 68.5 / 95.5 / 99.52 % (3 exp., max 5.2) and
    # 69.0 / 95.3 / 99.60 % for <tau>_int (max 4.8). The largest |z| come from 3-exponential
    # cases of low information whose likelihood is not Gaussian; a coverage run of 300 decays
    # on the |z| = 5.2 case gave 69 / 96 / 99.3 %, i.e. its errors are calibrated.
    assert np.all(np.abs(z) < 5.5), (taus, f["lifetimes_ns"], z)
    assert abs(z_int) < 5.5
    assert sum(f["amplitudes"]) == pytest.approx(1.0)


def test_poisson_mle_is_unbiased_at_low_counts_where_wls_is_not() -> None:
    # 800 decays of one 5 ns exponential with ~100 counts in the peak channel, 0.1 ns
    # channels, 0.5 counts/channel background. Measured with 2000 decays: Poisson MLE mean
    # 5.0019 +- 0.0019 ns (unbiased); Neyman WLS 4.714 +- 0.002 ns (6 % short: channels that
    # fluctuate low get weight 1/y, too much, and pull the tail down).
    t = np.arange(512) * 0.1
    irf = irf_gaussian_tail(t, 3.0, 0.3, tail_ns=0.5, tail_fraction=0.1)
    decays = simulate_trpl(
        t, irf, [5.0], [1.0], peak_counts=100, background=0.5, rng=2, n_decays=800
    )
    est = {}
    for method in ("poisson", "wls"):
        ds = fit_trpl_batch(decays, irf, components=1, method=method)
        assert bool(ds.converged.all())
        lt = ds.lifetimes_ns.isel(component=0).values
        est[method] = (lt.mean(), lt.std(ddof=1) / math.sqrt(lt.size))
    mean, sem = est["poisson"]
    assert abs(mean - 5.0) < 3 * sem
    mean_w, sem_w = est["wls"]
    assert 5.0 - mean_w > 20 * sem_w  # biased low by ~0.29 ns = ~140 standard errors


def test_standard_errors_cover_at_the_nominal_rate() -> None:
    # Coverage of the Fisher-information standard errors, 2 exponentials (1 and 8 ns,
    # amplitudes 0.6/0.4), 50 ps channels, 0.15 ns IRF, background 1-2 counts/channel.
    # Measured (fraction of fits with |estimate - truth| < 1 / 2 stderr; tau1, tau2, <tau>_int):
    # * fit_trpl one by one (shift fitted per decay), 1000 decays each:
    #   Poisson, peak 1e3 counts: 64.9 %, 67.2 %, 68.0 % / 96.0 %, 94.3 %, 94.4 %
    #   Poisson, peak 100 counts: 66.5 %, 69.3 %, 68.3 % / 95.4 %, 95.4 %, 94.7 %
    #   WLS,     peak 1e3 counts: 57.5 %, 26.4 %, 26.2 % / 90.0 %, 62.6 %, 64.5 % (biased)
    #   WLS,     peak 100 counts: 45.3 %,  0.1 %,  0.0 % / 80.2 %,  3.1 %,  0.9 % (biased)
    # * fit_trpl_batch, Poisson, 4096 decays, peak 1e3: 68.7 %, 67.4 % / 94.8 %, 94.5 %.
    # Here 1000 decays (fixed seed): binomial sd 1.5 % at 68 %, 0.7 % at 95 %; bounds +-3.4 sd.
    decays = simulate_trpl(
        T,
        IRF,
        [1.0, 8.0],
        [0.6, 0.4],
        peak_counts=1e3,
        background=2.0,
        shift_ns=0.13,
        rng=11,
        n_decays=1000,
    )
    ds = fit_trpl_batch(decays, IRF, components=2)
    assert bool(ds.converged.all())
    z = np.abs((ds.lifetimes_ns - np.array([1.0, 8.0])) / ds.lifetimes_stderr_ns).values
    inside1, inside2 = (z < 1).mean(axis=0), (z < 2).mean(axis=0)
    assert np.all((inside1 > 0.633) & (inside1 < 0.733)), inside1
    assert np.all((inside2 > 0.93) & (inside2 < 0.977)), inside2
    # the propagated stderr of <tau>_int matches the scatter of the estimates (+-10 %)
    ti = ds.tau_avg_intensity_ns.values
    assert float(np.median(ds.tau_avg_intensity_stderr_ns)) == pytest.approx(
        ti.std(ddof=1), rel=0.1
    )
    assert ti.mean() == pytest.approx(_tau_int([0.6, 0.4], [1.0, 8.0]), abs=3 * ti.std() / 30)


def test_average_lifetimes_by_hand() -> None:
    # a = (0.6, 0.4), tau = (1, 8) ns:
    #   <tau>_a   = 0.6*1 + 0.4*8                 = 3.8 ns
    #   <tau>_int = (0.6*1 + 0.4*64) / (0.6 + 3.2) = 26.2 / 3.8 = 6.894737 ns
    #   photon fractions 0.6/3.8 = 0.157895, 3.2/3.8 = 0.842105
    y = trpl_model(T, IRF, [1.0, 8.0], [0.6, 0.4], peak_counts=1e5, background=1.0)
    f = fit_trpl(y, IRF, components=2).flat()
    assert f["tau_avg_amplitude_ns"] == pytest.approx(3.8, rel=1e-6)
    assert f["tau_avg_intensity_ns"] == pytest.approx(26.2 / 3.8, rel=1e-6)
    np.testing.assert_allclose(f["intensity_fractions"], [0.6 / 3.8, 3.2 / 3.8], rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# result, figure, batches


def test_result_keys_json_and_figure() -> None:
    decay = simulate_trpl(
        T, IRF, [1.0, 8.0], [0.6, 0.4], peak_counts=5e3, background=2.0, shift_ns=0.1, rng=3
    )
    r = fit_trpl(decay, IRF, components=2, method="wls")
    f = r.flat()
    for key in (
        "lifetimes_ns",
        "lifetimes_stderr_ns",
        "amplitudes",
        "amplitudes_stderr",
        "tau_avg_amplitude_ns",
        "tau_avg_amplitude_stderr_ns",
        "tau_avg_intensity_ns",
        "tau_avg_intensity_stderr_ns",
        "chi2_reduced",
        "shift_ns",
        "shift_stderr_ns",
        "background_counts",
        "background_stderr_counts",
        "scatter_fraction",
        "converged",
        "n_evaluations",
    ):
        assert key in f, key
    assert f["lifetimes_ns"] == sorted(f["lifetimes_ns"])
    assert 0.8 < f["chi2_reduced"] < 1.2
    dumps_json(r.to_dict(include_curves=True))
    for k in ("time_ns", "counts", "fit", "irf", "residuals_weighted"):
        assert np.asarray(r.curves[k]).shape == T.shape
    fig = plot_trpl(r)
    assert len(fig.axes) == 2
    fig.savefig(io.BytesIO(), format="png")


def test_batch_equals_single_fits_and_keeps_dimensions() -> None:
    rng = np.random.default_rng(5)
    stack = simulate_trpl(
        T,
        IRF,
        [1.0, 8.0],
        [0.6, 0.4],
        peak_counts=2e3,
        background=1.0,
        shift_ns=0.1,
        rng=rng,
        n_decays=6,
    )
    image = xr.DataArray(
        stack.values.reshape(2, 3, T.size),
        dims=("y", "x", "time_ns"),
        coords={"time_ns": T, "y": [0, 1], "x": [10, 20, 30]},
    )
    image[1, 2] = 0.0  # a pixel without counts
    with make_executor("processes", max_workers=2) as pool:
        ds = fit_trpl_batch(image, IRF, components=2, executor=pool, chunk_size=2)
    # many decays in one chunk take the channel loop instead of lfilter: the same numbers
    many = xr.concat([image.stack(decay=("y", "x")).transpose("decay", "time_ns")] * 5, "decay")
    big = fit_trpl_batch(
        many.drop_vars(["decay", "y", "x"]),
        IRF,
        components=2,
        shift_ns=ds.attrs["shift_ns"],
        fit_range_ns=tuple(ds.attrs["fit_range_ns"]),
    )
    np.testing.assert_allclose(
        big.lifetimes_ns[:6].values, ds.lifetimes_ns.values.reshape(6, 2), rtol=1e-6
    )
    assert ds.lifetimes_ns.dims == ("y", "x", "component")
    assert ds.attrs["n_empty"] == 1 and not bool(ds.converged[1, 2])
    assert np.isnan(ds.lifetimes_ns[1, 2]).all()
    for iy, ix in ((0, 0), (1, 1)):
        single = fit_trpl(
            image[iy, ix],
            IRF,
            components=2,
            shift_ns=ds.attrs["shift_ns"],
            fit_range_ns=tuple(ds.attrs["fit_range_ns"]),
        ).flat()
        np.testing.assert_allclose(ds.lifetimes_ns[iy, ix], single["lifetimes_ns"], rtol=1e-4)
        np.testing.assert_allclose(
            ds.lifetimes_stderr_ns[iy, ix], single["lifetimes_stderr_ns"], rtol=1e-3
        )


def test_a_fit_that_cannot_converge_raises() -> None:
    decay = simulate_trpl(T, IRF, [1.0, 8.0], [0.6, 0.4], peak_counts=1e3, rng=1)
    with pytest.raises(ConvergenceError, match="did not converge"):
        fit_trpl(decay, IRF, components=2, max_iterations=1)


# ----------------------------------------------------------------------------------------------
# bad input


def _decay(**kw):
    return simulate_trpl(T, IRF, [2.0], [1.0], peak_counts=1e3, rng=0, **kw)


def test_decay_and_irf_on_different_grids() -> None:
    other = irf_gaussian_tail(T + 0.5, 3.0, 0.15)
    with pytest.raises(InputError, match="different time grids"):
        fit_trpl(_decay(), other, components=1)
    with pytest.raises(InputError, match="different time grids"):
        fit_trpl(_decay(), irf_gaussian_tail(T[:512], 3.0, 0.15), components=1)


def test_non_uniform_channels() -> None:
    t = T.copy()
    t[500:] += 0.01
    d = _decay().assign_coords(time_ns=t)
    with pytest.raises(InputError, match="not uniform"):
        fit_trpl(d, IRF.assign_coords(time_ns=t), components=1)


def test_too_few_channels_for_the_components() -> None:
    with pytest.raises(InputError, match="too few channels"):
        fit_trpl(_decay(), IRF, components=3, fit_range_ns=(2.5, 3.5))  # 21 channels
    t = np.arange(12) * 0.05
    with pytest.raises(InputError, match="too few channels"):
        fit_trpl(
            xr.DataArray(np.ones(12), dims="time_ns", coords={"time_ns": t}),
            np.ones(12),
            components=1,
        )


def test_nan_and_negative_counts() -> None:
    d = _decay()
    d[100] = np.nan
    with pytest.raises(InputError, match="not all finite"):
        fit_trpl(d, IRF, components=1)
    d = _decay()
    d[100] = -1.0
    with pytest.raises(InputError, match="negative counts"):
        fit_trpl(d, IRF, components=1)
    bad_irf = IRF.copy()
    bad_irf[3] = -0.5
    with pytest.raises(InputError, match="negative counts"):
        fit_trpl(_decay(), bad_irf, components=1)
    stack = simulate_trpl(T, IRF, [2.0], [1.0], peak_counts=100, rng=0, n_decays=3)
    stack[1, 7] = np.nan
    with pytest.raises(InputError, match="not all finite"):
        fit_trpl_batch(stack, IRF, components=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"components": 5}, "unsupported number"),
        ({"components": 0}, "unsupported number"),
        ({"components": 1.5}, "must be an integer"),
        ({"components": 1, "method": "lsq"}, "unknown fit method"),
        ({"components": 1, "fit_range_ns": (100.0, 200.0)}, "contains no channel"),
        ({"components": 1, "rep_rate_MHz": 80.0}, "longer than one excitation period"),
        ({"components": 1, "background": -1.0}, "background must be"),
    ],
)
def test_bad_options(kwargs, message) -> None:
    with pytest.raises(InputError, match=message):
        fit_trpl(_decay(), IRF, **kwargs)


def test_not_a_dataarray_or_wrong_dimension() -> None:
    with pytest.raises(InputError, match="not a DataArray"):
        fit_trpl(np.ones(1024), IRF, components=1)
    with pytest.raises(InputError, match="no 'time_ns' dimension"):
        fit_trpl(_decay().rename(time_ns="t"), IRF, components=1)
    with pytest.raises(InputError, match="use fit_trpl_batch"):
        fit_trpl(_decay().expand_dims(decay=2), IRF, components=1)
