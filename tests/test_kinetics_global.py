"""fs-TA global and target analysis: exact Jacobians, round trips, constraints, bad input."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from qdcat.core.errors import ConfigError, ConvergenceError, InputError
from qdcat.core.results import dumps_json
from qdcat.kinetics.global_analysis import (
    GlobalFitResult,
    _Problem,
    crop,
    fit_ta,
    mask,
    simulate_ta,
    subtract_baseline,
    svd,
)
from qdcat.kinetics.models import (
    EqualSpectra,
    KineticModel,
    ModelParameter,
    Weight,
    ZeroSpectrum,
    eigen_decomposition,
)
from qdcat.kinetics.ta_plots import (
    plot_concentrations,
    plot_das,
    plot_residuals,
    plot_ta_map,
    plot_ta_map_comparison,
    plot_ta_overview,
    plot_ta_spectra,
    plot_ta_traces,
)


def _time_axis(t_max: float, n_lin: int = 80, n_log: int = 70) -> np.ndarray:
    lin = np.linspace(-1.0, 2.0, n_lin)
    return np.concatenate([lin, np.geomspace(2.0 + 3.0 / n_lin, t_max, n_log)])


WL = np.linspace(450.0, 750.0, 40)


def _band(center: float, width: float, amp: float, wl: np.ndarray = WL) -> np.ndarray:
    return amp * np.exp(-0.5 * ((wl - center) / width) ** 2)


def _spectra(n: int, wl: np.ndarray = WL) -> np.ndarray:
    rows = [
        _band(520, 35, 1.0, wl) - _band(660, 40, 0.5, wl),
        _band(600, 45, 0.8, wl) - _band(480, 25, 0.3, wl),
        _band(700, 35, -0.7, wl) + _band(540, 30, 0.4, wl),
        _band(470, 30, 0.6, wl) + _band(640, 30, 0.5, wl),
    ]
    return np.array(rows[:n])


def _branched() -> KineticModel:
    return KineticModel(
        compartments=("a", "b", "c", "d"),
        transfers=(
            ("a", "b", "k1", "f"),
            ("a", "c", "k1", "1 - f"),
            ("b", "d", "k2"),
            ("c", None, "k3"),
            ("d", None, "k4"),
        ),
        parameters=(
            ModelParameter("k1", 1.5),
            ModelParameter("k2", 0.2),
            ModelParameter("k3", 0.05),
            ModelParameter("k4", 0.01),
            ModelParameter("f", 0.3, kind="fraction"),
        ),
        initial=(1.0, 0.0, 0.0, 0.0),
    )


# ---------------------------------------------------------------------- exact derivatives
@pytest.mark.parametrize(
    "model, ca, offset, chirp, constraints, weights",
    [
        (KineticModel.parallel(3), 0, False, 0, [], []),
        (KineticModel.sequential(3), 2, True, 0, [], [Weight(0.3, (500, 600))]),
        (
            KineticModel.sequential(3),
            3,
            True,
            2,
            [],
            [Weight(0.3, (500, 600)), Weight(0.5, time_ps=(0, 1))],
        ),
        (
            _branched(),
            1,
            False,
            3,
            [EqualSpectra("b", "c", (0, 600), 0.7), ZeroSpectrum("a", (700, 800))],
            [Weight(0.1, (400, 520))],
        ),
        (
            _branched(),
            0,
            True,
            0,
            [EqualSpectra("b", "c", (0, 600), 0.7), ZeroSpectrum("a", (700, 800))],
            [Weight(0.1, (400, 520)), Weight(2.0, time_ps=(-1, 0.5))],
        ),
    ],
)
def test_gradient_and_gauss_newton_matrix_match_finite_differences(
    model, ca, offset, chirp, constraints, weights
) -> None:
    """J^T J and J^T r of the projected residual equal those of a central-difference Jacobian."""
    rng = np.random.default_rng(0)
    t = _time_axis(1000.0, 40, 30)
    wl = np.linspace(450, 750, 17)
    Y = rng.normal(size=(t.size, wl.size))
    pr = _Problem(
        t,
        wl,
        Y,
        model,
        ca_order=ca,
        offset=offset,
        chirp_order=chirp,
        ref=600.0,
        constraints=constraints,
        weights=weights,
    )
    th = pr.setup_parameters(
        model.values_array(), 0.3, 0.07, np.array([0.1, -0.03, 0.01][:chirp]), set()
    )
    th = th + rng.normal(scale=0.05, size=th.size)

    def residual(theta: np.ndarray) -> np.ndarray:
        out = pr.evaluate(theta, jac=False, final=True)
        return np.concatenate([f["Res"].ravel() for f in out[3]])

    ev = pr.evaluate(th)
    r0 = residual(th)
    J = np.empty((r0.size, th.size))
    for i in range(th.size):
        h = 1e-6 * max(1.0, abs(th[i]))
        up, dn = th.copy(), th.copy()
        up[i] += h
        dn[i] -= h
        J[:, i] = (residual(up) - residual(dn)) / (2 * h)
    assert ev.cost == pytest.approx(r0 @ r0, rel=1e-12)
    np.testing.assert_allclose(ev.H, J.T @ J, rtol=0, atol=1e-7 * np.abs(J.T @ J).max())
    np.testing.assert_allclose(ev.g, J.T @ r0, rtol=0, atol=1e-6 * np.abs(J.T @ r0).max())


@pytest.mark.parametrize("model", [KineticModel.sequential(3, [2.0, 0.3, 0.01]), _branched()])
def test_eigen_decomposition_derivatives(model: KineticModel) -> None:
    v = model.values_array()
    _, _, dr, dM = eigen_decomposition(model, v, derivatives=True)
    for p in range(v.size):
        h = 1e-6 * max(v[p], 1e-3)
        up, dn = v.copy(), v.copy()
        up[p] += h
        dn[p] -= h
        rp, Mp = eigen_decomposition(model, up)
        rm, Mm = eigen_decomposition(model, dn)
        np.testing.assert_allclose((rp - rm) / (2 * h), dr[p], atol=1e-6)
        np.testing.assert_allclose((Mp - Mm) / (2 * h), dM[p], atol=1e-5)


def test_sequential_populations_match_the_closed_form() -> None:
    k1, k2 = 1.3, 0.07
    t = np.linspace(0.5, 60, 200)
    c = KineticModel.sequential(2, [k1, k2]).populations(t, irf_center_ps=0.0, irf_fwhm_ps=1e-4)
    np.testing.assert_allclose(c[:, 0], np.exp(-k1 * t), rtol=1e-7)  # exp(k^2 s^2/2) ~ 1e-9
    expected = k1 / (k2 - k1) * (np.exp(-k1 * t) - np.exp(-k2 * t))
    np.testing.assert_allclose(c[:, 1], expected, rtol=1e-7)


def test_branching_k_matrix_and_populations_conserve_what_they_should() -> None:
    m = _branched()
    K = m.k_matrix()
    np.testing.assert_allclose(K[:, 0], [-1.5, 0.45, 1.05, 0.0])  # k1 f -> b, k1 (1-f) -> c
    # without decays to the ground state the total population is constant
    closed = KineticModel(("a", "b"), (("a", "b", "k"), ("b", "a", "kb")), {"k": 1.0, "kb": 0.3})
    c = closed.populations(np.linspace(1, 20, 30), irf_fwhm_ps=1e-3)
    np.testing.assert_allclose(c.sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(c[-1], [0.3 / 1.3, 1.0 / 1.3], rtol=1e-6)  # equilibrium


# ---------------------------------------------------------------------- round trips
def _check_recovered(res: GlobalFitResult, rates, center, fwhm, chirp, n_sigma: float) -> None:
    assert res.converged, res.message
    got = np.sort(res.rates_per_ps)[::-1]
    order = np.argsort(res.rates_per_ps)[::-1]
    err = res.rates_stderr_per_ps[order]
    true = np.sort(np.asarray(rates))[::-1]
    assert np.all(np.isfinite(err)) and np.all(err > 0)
    assert np.all(np.abs(got - true) <= n_sigma * err), (got, true, err)
    assert abs(res.irf_center_ps - center) <= n_sigma * res.irf_center_stderr_ps
    assert abs(res.irf_fwhm_ps - fwhm) <= n_sigma * res.irf_fwhm_stderr_ps
    if len(chirp):
        assert np.all(np.abs(res.chirp_coefficients_ps - chirp) <= n_sigma * res.chirp_stderr_ps)


_LOG_SPAN = math.log10(5000.0)  # lifetimes 1 ps .. 5 ns
_MIN_GAP = math.log10(3.0)  # neighbouring lifetimes at least 3x apart


@st.composite
def _lifetimes(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 4))
    free = _LOG_SPAN - (n - 1) * _MIN_GAP
    u = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    return 10.0 ** (np.array(u) * free + np.arange(n) * _MIN_GAP)


ROUND_TRIP_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=[
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
    ],  # a failure prints its example; no shrinking
    suppress_health_check=[HealthCheck.too_slow],
)


@ROUND_TRIP_SETTINGS
@given(
    taus=_lifetimes(),
    fwhm=st.floats(0.05, 0.3),
    chirp1=st.floats(-0.3, 0.3),
    noise=st.floats(0.005, 0.02),
    kind=st.sampled_from(["parallel", "sequential"]),
    seed=st.integers(0, 2**16),
)
def test_round_trip_recovers_parameters_within_a_few_standard_errors(
    taus, fwhm, chirp1, noise, kind, seed
) -> None:
    """Lifetimes 1 ps - 5 ns, 1-4 components, IRF 50-300 fs, chirp up to 0.3 ps/100 nm,
    0.5-2 % noise: every parameter within 5 standard errors of the truth."""
    n = taus.size
    rates = 1.0 / taus
    t = _time_axis(max(3.0 * taus.max(), 50.0), 90, 60)
    data = simulate_ta(
        kind,
        rates,
        _spectra(n),
        t,
        WL,
        irf_center_ps=0.2,
        irf_fwhm_ps=fwhm,
        chirp=(chirp1,),
        noise=noise,
        rng=seed,
    )
    res = fit_ta(data, components=n, model=kind, chirp_order=1)
    _check_recovered(res, rates, 0.2, fwhm, [chirp1], n_sigma=5.0)


def test_target_model_with_branching_constraints_weights_and_chirp_round_trip() -> None:
    model = _branched()
    t = _time_axis(1500.0, 120, 80)
    wl = np.linspace(450.0, 750.0, 50)
    S = _spectra(4, wl)
    S[2] = 0.7 * S[1]  # c = 0.7 b, declared below
    S[0, wl >= 700] = 0.0  # a is silent above 700 nm, declared below
    truth = {"k1": 1.5, "k2": 0.2, "k3": 0.05, "k4": 0.01, "f": 0.3}
    data = simulate_ta(
        model,
        truth,
        S,
        t,
        wl,
        irf_center_ps=0.3,
        irf_fwhm_ps=0.12,
        chirp=(0.2, -0.05),
        noise=0.01,
        rng=3,
    )
    start = {"k1": 1.0, "k2": 0.3, "k3": 0.03, "k4": 0.02, "f": 0.5}
    res = fit_ta(
        data,
        model=model.with_values(start),
        chirp_order=2,
        constraints=[EqualSpectra("b", "c", (0, 1000), 0.7), ZeroSpectrum("a", (700, 800))],
        weights=[Weight(0.5, (450, 480))],
    )
    assert res.converged, res.message
    for name, value in truth.items():
        est = res.parameters[name]
        assert abs(est.value - value) <= 5 * est.stderr, (name, est, value)
    assert abs(res.irf_fwhm_ps - 0.12) <= 5 * res.irf_fwhm_stderr_ps
    np.testing.assert_allclose(
        res.chirp_coefficients_ps, [0.2, -0.05], atol=5 * res.chirp_stderr_ps.max()
    )
    s = res.spectra
    np.testing.assert_allclose(s.sel(component="c"), 0.7 * s.sel(component="b"), rtol=1e-12)
    assert np.all(s.sel(component="a").values[wl >= 700] == 0.0)
    assert res.spectra_kind == "SAS"
    # the SAS come back within a few standard errors (conditional on the nonlinear parameters)
    z = (s.values - S) / np.where(res.spectra_stderr.values > 0, res.spectra_stderr.values, np.inf)
    assert np.mean(np.abs(z) < 4) > 0.95


def test_coherent_artifact_and_offset_round_trip() -> None:
    t = _time_axis(500.0, 120, 60)
    S = _spectra(2)
    art = np.array([_band(560, 60, 0.5), _band(600, 50, 0.2)])
    off = _band(650, 50, 0.1)
    data = simulate_ta(
        "parallel",
        [0.8, 0.03],
        S,
        t,
        WL,
        irf_center_ps=0.1,
        irf_fwhm_ps=0.15,
        artifact_spectra=art,
        offset_spectrum=off,
        noise=0.005,
        rng=11,
    )
    res = fit_ta(data, components=2, coherent_artifact=2, offset=True)
    _check_recovered(res, [0.8, 0.03], 0.1, 0.15, [], n_sigma=5.0)
    extra = res.extra_spectra
    assert list(extra["component"].values) == ["ca0", "ca1", "offset"]
    np.testing.assert_allclose(
        extra.sel(component="offset"), off, atol=5 * float(res.extra_spectra_stderr.max())
    )
    np.testing.assert_allclose(extra.sel(component="ca0"), art[0], atol=0.05)


def test_parallel_and_sequential_give_the_same_fit_and_das() -> None:
    t = _time_axis(2000.0)
    rates = [1.2, 0.06, 0.002]
    data = simulate_ta(
        "sequential", rates, _spectra(3), t, WL, irf_center_ps=0.0, irf_fwhm_ps=0.1, rng=1
    )
    par = fit_ta(data, components=3, model="parallel")
    seq = fit_ta(data, components=3, model="sequential")
    assert par.spectra_kind == "DAS" and seq.spectra_kind == "EAS"
    np.testing.assert_allclose(par.rates_per_ps, seq.rates_per_ps, rtol=1e-5)
    assert np.all(np.diff(par.rates_per_ps) < 0) and np.all(np.diff(seq.rates_per_ps) < 0)
    np.testing.assert_allclose(par.rmse, seq.rmse, rtol=1e-9)
    np.testing.assert_allclose(par.das.values, seq.das.values, atol=1e-6)
    np.testing.assert_allclose(
        seq.spectra.values, _spectra(3), atol=5 * float(seq.spectra_stderr.max())
    )


def test_uniform_weight_changes_nothing_but_a_weighted_bad_region_is_ignored() -> None:
    t = _time_axis(1000.0)
    data = simulate_ta(
        "parallel", [0.5, 0.02], _spectra(2), t, WL, irf_center_ps=0.0, irf_fwhm_ps=0.1, rng=5
    )
    plain = fit_ta(data, components=2)
    scaled = fit_ta(data, components=2, weights=[(0, 2000, 0.5)])
    np.testing.assert_allclose(scaled.rates_per_ps, plain.rates_per_ps, rtol=1e-6)
    np.testing.assert_allclose(scaled.rates_stderr_per_ps, plain.rates_stderr_per_ps, rtol=1e-4)
    np.testing.assert_allclose(scaled.spectra_stderr.values, plain.spectra_stderr.values, rtol=1e-4)
    # corrupt 600-650 nm with a spurious slow component; weighting it down restores the rates
    bad = data.copy()
    sel = (WL >= 600) & (WL <= 650)
    bad.values[:, sel] += 0.3 * np.exp(-np.clip(t, 0, None) / 7.0)[:, None] * (t > 0)[:, None]
    spoiled = fit_ta(bad, components=2)
    fixed = fit_ta(bad, components=2, weights=[Weight(1e-4, (600, 650))])
    err_spoiled = np.max(np.abs(spoiled.rates_per_ps / [0.5, 0.02] - 1))
    err_fixed = np.max(np.abs(fixed.rates_per_ps / [0.5, 0.02] - 1))
    assert err_fixed < 0.05 < err_spoiled


def test_components_estimated_from_svd() -> None:
    t = _time_axis(1000.0)
    data = simulate_ta(
        "parallel",
        [0.7, 0.01],
        _spectra(2),
        t,
        WL,
        irf_center_ps=0.0,
        irf_fwhm_ps=0.1,
        noise=0.005,
        rng=2,
    )
    assert svd(data).n_significant == 2
    res = fit_ta(data)
    assert res.rates_per_ps.size == 2


def test_fixed_parameters_stay_and_have_no_stderr() -> None:
    t = _time_axis(1000.0)
    data = simulate_ta(
        "parallel", [0.7, 0.01], _spectra(2), t, WL, irf_center_ps=0.0, irf_fwhm_ps=0.1, rng=2
    )
    res = fit_ta(
        data, components=2, start={"irf_fwhm_ps": 0.1, "k2": 0.01}, fixed=("irf_fwhm_ps", "k2")
    )
    assert res.irf_fwhm_ps == pytest.approx(0.1) and math.isnan(res.irf_fwhm_stderr_ps)
    assert res.rates_per_ps[1] == pytest.approx(0.01) and math.isnan(res.rates_stderr_per_ps[1])
    assert "irf_fwhm_ps" not in res.free_parameter_names
    flat = res.to_result().flat()
    assert flat["irf_fwhm_stderr_ps"] is None
    assert flat["lifetimes_stderr_ps"][1] is None


# ---------------------------------------------------------------------- outputs
@pytest.fixture(scope="module")
def fitted() -> GlobalFitResult:
    t = _time_axis(1000.0)
    data = simulate_ta(
        "sequential",
        [1.0, 0.05, 0.004],
        _spectra(3),
        t,
        WL,
        irf_center_ps=0.2,
        irf_fwhm_ps=0.12,
        chirp=(0.15,),
        noise=0.01,
        rng=4,
    )
    return fit_ta(data, components=3, model="sequential", chirp_order=1)


def test_result_flat_json_has_the_cli_keys(fitted: GlobalFitResult) -> None:
    result = fitted.to_result()
    flat = result.flat()
    for key in (
        "lifetimes_ps",
        "lifetimes_stderr_ps",
        "irf_center_ps",
        "irf_fwhm_ps",
        "chirp_coefficients",
        "rmse",
        "converged",
        "n_evaluations",
    ):
        assert key in flat, key
    assert len(flat["lifetimes_ps"]) == 3 and len(flat["lifetimes_stderr_ps"]) == 3
    assert flat["lifetimes_ps"] == sorted(flat["lifetimes_ps"])
    assert flat["converged"] is True and flat["n_evaluations"] == fitted.n_evaluations
    assert flat["chirp_coefficients"] == pytest.approx([fitted.chirp_coefficients_ps[0]])
    json.loads(dumps_json(flat))
    json.loads(dumps_json(result.to_dict(include_curves=True)))


def test_result_arrays_are_consistent(fitted: GlobalFitResult) -> None:
    np.testing.assert_allclose(fitted.data.values - fitted.fitted.values, fitted.residuals.values)
    assert fitted.rmse == pytest.approx(float(np.sqrt(np.mean(fitted.residuals.values**2))))
    assert fitted.spectra.dims == ("component", "wavelength_nm") and fitted.spectra.shape == (
        3,
        WL.size,
    )
    assert fitted.concentrations.dims == ("time_ps", "component")
    np.testing.assert_allclose(fitted.lifetimes_ps, 1 / fitted.rates_per_ps)
    np.testing.assert_allclose(
        fitted.lifetimes_stderr_ps, fitted.rates_stderr_per_ps / fitted.rates_per_ps**2
    )
    sv = fitted.residual_svd
    assert sv.singular_values.size == 5 and np.all(np.diff(sv.singular_values) <= 0)
    # residuals of a good fit are noise: no singular value stands out
    assert sv.singular_values[0] < 1.5 * sv.singular_values[1]
    assert fitted.covariance.shape == (len(fitted.free_parameter_names),) * 2


def test_non_convergence_is_flagged_and_can_raise() -> None:
    t = _time_axis(1000.0)
    data = simulate_ta(
        "parallel", [0.7, 0.01], _spectra(2), t, WL, irf_center_ps=0.0, irf_fwhm_ps=0.1, rng=2
    )
    res = fit_ta(data, components=2, start={"k1": 30.0, "k2": 3.0}, max_nfev=2)
    assert not res.converged and "maximum number of evaluations" in res.message
    result = res.to_result()
    assert result.converged is False and result.flat()["converged"] is False
    assert any("did not converge" in w for w in result.warnings)
    with pytest.raises(ConvergenceError):
        res.raise_if_failed()


# ---------------------------------------------------------------------- bad input
def _good() -> xr.DataArray:
    return simulate_ta(
        "parallel",
        [0.5],
        _spectra(1),
        _time_axis(100.0, 20, 10),
        WL,
        irf_center_ps=0.0,
        irf_fwhm_ps=0.1,
        rng=0,
    )


def test_bad_input_raises_input_error_with_a_clear_message() -> None:
    good = _good()
    with pytest.raises(InputError, match="DataArray"):
        fit_ta([[1.0, 2.0], [3.0]])  # ragged
    with pytest.raises(InputError, match="2-D"):
        fit_ta(good.isel(wavelength_nm=0))
    with pytest.raises(InputError, match="2-D"):
        fit_ta(good.rename(wavelength_nm="energy_eV"))
    t = good.time_ps.values.copy()
    t[5], t[6] = t[6], t[5]
    with pytest.raises(InputError, match="strictly increasing"):
        fit_ta(good.assign_coords(time_ps=t))
    nan = good.copy()
    nan.values[3, 4] = np.nan
    with pytest.raises(InputError, match="NaN"):
        fit_ta(nan)
    small = good.isel(time_ps=slice(0, 4))
    with pytest.raises(InputError, match="too few"):
        fit_ta(small, components=4)
    with pytest.raises(InputError, match="unknown model"):
        fit_ta(good, model="cubic")
    with pytest.raises(InputError, match="chirp_order"):
        fit_ta(good, chirp_order=-1)
    with pytest.raises(InputError, match="weight"):
        fit_ta(good, weights=[Weight(0.0, (500, 600))])
    with pytest.raises(InputError, match="components"):
        fit_ta(good, components=0)
    with pytest.raises(InputError, match="unknown start"):
        fit_ta(good, components=1, start={"k9": 1.0})
    with pytest.raises(InputError, match="compartment"):
        fit_ta(good, components=1, constraints=[ZeroSpectrum("x")])


def test_descending_wavelengths_are_sorted_not_refused() -> None:
    good = _good()
    rev = good.isel(wavelength_nm=slice(None, None, -1))
    a, b = fit_ta(good, components=1), fit_ta(rev, components=1)
    np.testing.assert_allclose(a.rates_per_ps, b.rates_per_ps, rtol=1e-8)
    assert np.all(np.diff(b.spectra.wavelength_nm.values) > 0)


# ---------------------------------------------------------------------- models and TOML
def test_model_toml_round_trip_and_errors(tmp_path) -> None:
    doc = {
        "compartments": ["a", "b"],
        "initial": {"a": 1.0},
        "rates": {"k1": 0.5, "k2": {"value": 0.01, "vary": False}},
        "transfers": [{"from": "a", "to": "b", "rate": "k1"}, {"from": "b", "rate": "k2"}],
        "weights": [{"wavelength_nm": [400, 450], "value": 0.5}],
        "irf": {"center_ps": 0.2, "fwhm_ps": 0.1, "chirp_ps": [0.1], "chirp_reference_nm": 600},
    }
    m = KineticModel.from_toml(doc)
    assert m.compartments == ("a", "b") and m.initial == (1.0, 0.0)
    assert m.parameter("k2").vary is False and m.weights[0].value == 0.5
    assert m.irf.chirp_ps == (0.1,) and m.spectra_kind == "SAS"
    path = tmp_path / "m.toml"
    path.write_text('kind = "sequential"\ncomponents = 3\n[rates]\nk1 = 2.0\n')
    seq = KineticModel.from_toml(path)
    assert seq.kind == "sequential" and seq.parameter("k1").value == 2.0
    with pytest.raises(ConfigError, match="unknown key"):
        KineticModel.from_toml({**doc, "colour": "red"})
    with pytest.raises(ConfigError, match="unknown compartment"):
        KineticModel.from_toml({**doc, "transfers": [{"from": "z", "rate": "k1"}]})
    with pytest.raises(ConfigError, match="undefined rate"):
        KineticModel.from_toml({**doc, "transfers": [{"from": "a", "rate": "k7"}]})
    bad = tmp_path / "bad.toml"
    bad.write_text("compartments = [")
    with pytest.raises(ConfigError, match="TOML"):
        KineticModel.from_toml(bad)


def test_model_irf_start_values_and_chirp_order_come_from_the_model() -> None:
    t = _time_axis(500.0)
    data = simulate_ta(
        "parallel",
        [0.5, 0.02],
        _spectra(2),
        t,
        WL,
        irf_center_ps=0.3,
        irf_fwhm_ps=0.1,
        chirp=(0.1, 0.02),
        chirp_reference_nm=600,
        noise=0.005,
        rng=1,
    )
    model = replace(
        KineticModel.parallel(2),
        irf=KineticModel.from_toml(
            {
                "kind": "parallel",
                "components": 2,
                "irf": {"chirp_ps": [0.05, 0.0], "chirp_reference_nm": 600},
            }
        ).irf,
    )
    res = fit_ta(data, model=model)
    assert res.chirp_coefficients_ps.size == 2 and res.chirp_reference_nm == 600
    np.testing.assert_allclose(
        res.chirp_coefficients_ps, [0.1, 0.02], atol=5 * res.chirp_stderr_ps.max()
    )


# ---------------------------------------------------------------------- preprocessing
def test_preprocessing_helpers() -> None:
    t = _time_axis(100.0)
    data = simulate_ta(
        "parallel", [0.5], _spectra(1), t, WL, irf_center_ps=0.0, irf_fwhm_ps=0.1, noise=0.0
    )
    shifted = data + 0.01
    clean = subtract_baseline(shifted, before_ps=-0.5)
    np.testing.assert_allclose(clean.values, data.values, atol=1e-12)
    auto = subtract_baseline(shifted)
    np.testing.assert_allclose(auto.values, data.values, atol=1e-9)
    with pytest.raises(InputError, match="no delay"):
        subtract_baseline(shifted, before_ps=-5)
    c = crop(data, time=(0, None), wavelength=(500, 600))
    assert c.time_ps.min() >= 0 and c.wavelength_nm.min() >= 500 and c.wavelength_nm.max() <= 600
    m = mask(data, wavelength_intervals=[(520, 540)])
    assert not np.any((m.wavelength_nm >= 520) & (m.wavelength_nm <= 540))
    with pytest.raises(InputError):
        crop(data, time=(5000, 6000))
    s = svd(data, n=3)
    assert s.singular_values.size == 3 and s.n_significant == 1
    assert s.time_vectors.dims == ("time_ps", "svd_index")


# ---------------------------------------------------------------------- figures
def test_figures_render(fitted: GlobalFitResult) -> None:
    from matplotlib.figure import Figure

    figs = [
        plot_ta_map(fitted.data),
        plot_ta_map(fitted),
        plot_ta_spectra(fitted.data, [0.5, 5, 50]),
        plot_ta_traces(fitted, [500, 650]),
        plot_ta_traces(fitted),
        plot_das(fitted),
        plot_das(fitted, das=True),
        plot_residuals(fitted),
        plot_concentrations(fitted),
        plot_ta_overview(fitted),
        plot_ta_map_comparison({"fit": fitted, "data": fitted.data}),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=40)
        assert buf.getvalue()[:4] == b"\x89PNG"
    assert len(figs[-2].axes) >= 6
    # two samples: two maps (+ colour bars) over two spectra panels
    assert sum(ax.get_ylabel() == "delay (ps)" for ax in figs[-1].axes) == 1
    titles = {ax.get_title() for ax in figs[-1].axes}
    assert {"fit", "data", "fit: spectra", "data: spectra"} <= titles
    with pytest.raises(InputError, match="fit result"):
        plot_das(fitted.data)
    with pytest.raises(InputError, match="no maps"):
        plot_ta_map_comparison({})


def test_qr_fallback_gives_the_same_fit_as_the_normal_equations(monkeypatch) -> None:
    """Per-wavelength solves use equilibrated normal equations when well conditioned and QR
    otherwise; both give the same fit."""
    import qdcat.kinetics.global_analysis as ga

    t = _time_axis(1000.0)
    data = simulate_ta(
        "sequential",
        [1.0, 0.05],
        _spectra(2),
        t,
        WL,
        irf_center_ps=0.2,
        irf_fwhm_ps=0.12,
        chirp=(0.1,),
        noise=0.01,
        rng=8,
    )
    normal = fit_ta(data, components=2, model="sequential", chirp_order=1)
    monkeypatch.setattr(ga, "_COND_MAX", 1.0)  # every wavelength takes the QR branch
    qr = fit_ta(data, components=2, model="sequential", chirp_order=1)
    np.testing.assert_allclose(qr.rates_per_ps, normal.rates_per_ps, rtol=1e-7)
    np.testing.assert_allclose(qr.rates_stderr_per_ps, normal.rates_stderr_per_ps, rtol=1e-6)
    np.testing.assert_allclose(qr.spectra_stderr.values, normal.spectra_stderr.values, rtol=1e-6)
    assert qr.rmse == pytest.approx(normal.rmse, rel=1e-10)
