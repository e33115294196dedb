"""Tests of qdcat.catalysis.yields: product evolution, rates and selectivities.

Every expected number is derived independently in a comment (hand arithmetic, an analytic
integral or a statistical argument), not copied from the code's output.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from scipy import integrate

from qdcat.catalysis import (
    ELECTRONS_PER_PRODUCT,
    analyse_yields,
    evolution_model,
    plot_sample_yields,
    plot_yields,
    simulate_yields,
)
from qdcat.core.errors import InputError
from qdcat.core.results import dumps_json

TIMES = np.arange(0.0, 121.0, 24.0)  # the paper samples every 24 h up to 120 h
SOURCE = "runs/2-12ZCIS_co2.csv"


def linear_frame(finals_per_run: dict[str, list[float]], times=TIMES) -> pd.DataFrame:
    """Wide frame with exactly linear cumulative amounts reaching the given final values."""
    data: dict[str, np.ndarray] = {"time_h": np.asarray(times, dtype=float)}
    frac = data["time_h"] / data["time_h"][-1]
    for product, finals in finals_per_run.items():
        for k, final in enumerate(finals, start=1):
            name = f"{product}_umol" if k == 1 else f"{product}_umol_run{k}"
            data[name] = final * frac
    frame = pd.DataFrame(data)
    frame.attrs["source_file"] = SOURCE
    return frame


# ------------------------------------------------------------------------------------------------
# Worked by hand (seed paper, Fig. 5a-b)
# ------------------------------------------------------------------------------------------------


def test_rate_and_mass_rate_by_hand():
    # Two runs end at 12.0 and 12.4 umol after 120 h: mean 12.2; sd = 0.4/sqrt(2) = 0.28284,
    # standard error sd/sqrt(2) = 0.2 umol.
    frame = linear_frame({"CO": [12.0, 12.4]})
    res = analyse_yields(frame, catalyst_mass_mg=0.191)
    q = res.quantities
    assert q["CO_amount_umol"].value == pytest.approx(12.2, rel=1e-12)
    assert q["CO_amount_umol"].stderr == pytest.approx(0.2, rel=1e-12)
    assert q["CO_amount_umol"].unit == "umol"
    # 12.2 umol / 120 h = 0.1016667 umol/h; stderr 0.2 / 120 = 0.0016667.
    assert q["CO_rate_umol_h"].value == pytest.approx(0.1016667, rel=1e-6)
    assert q["CO_rate_umol_h"].stderr == pytest.approx(0.2 / 120, rel=1e-12)
    assert q["CO_rate_umol_h"].unit == "umol h-1"
    # 12.2 / 120 / 0.000191 g = 532.29 umol g-1 h-1 (paper: 532.3); stderr 0.2/120/0.000191
    # = 8.726.
    assert q["CO_rate_umol_g_h"].value == pytest.approx(532.29, abs=0.005)
    assert q["CO_rate_umol_g_h"].stderr == pytest.approx(8.726, abs=0.001)
    assert q["CO_rate_umol_g_h"].unit == "umol g-1 h-1"
    # Weights 1/t^2 make the through-origin slope the mean of y/t over the ten points with
    # t > 0: five of 12.0/120 = 0.1 and five of 12.4/120 = 0.103333 -> 0.1016667. Each y/t is
    # 1/600 from the mean, so the reduced weighted residual is 10 (1/600)^2 / 9; divided by
    # sum w t^2 = 10 it gives the variance (1/600)^2 / 9, stderr 1/1800 = 0.00055556.
    assert q["CO_rate_fit_umol_h"].value == pytest.approx(0.1016667, rel=1e-6)
    assert q["CO_rate_fit_umol_h"].stderr == pytest.approx(1 / 1800, rel=1e-9)
    assert res.metadata["final_time_h"] == 120.0
    assert res.metadata["n_runs"] == 2
    assert res.metadata["source_file"] == SOURCE


def test_initial_rate_by_hand():
    # Run 1 reads 0, 2.4, 4.0 umol at 0, 24, 48 h; run 2 (no reading at time zero) 2.6, 4.4
    # at 24, 48 h. First intervals: (2.4 - 0)/24 = 0.1 and (2.6 - 0)/(24 - 0) = 0.108333
    # (from the origin) umol/h; mean 0.1041667, sd = 0.0083333/sqrt(2), stderr sd/sqrt(2) =
    # 0.0041667. The average rates are 4.0/48 = 0.0833 and 4.4/48: the initial rate is higher
    # (the evolution slows down), which the average alone would hide.
    frame = pd.DataFrame(
        {
            "run": ["1", "1", "1", "2", "2"],
            "time_h": [0.0, 24.0, 48.0, 24.0, 48.0],
            "CO_umol": [0.0, 2.4, 4.0, 2.6, 4.4],
        }
    )
    q = analyse_yields(frame).quantities["CO_rate_initial_umol_h"]
    assert q.value == pytest.approx(0.1041667, rel=1e-6)
    assert q.stderr == pytest.approx(0.0041667, rel=1e-4)
    assert q.unit == "umol h-1"


def test_selectivity_by_hand():
    # CO 12.2, H2 1.0, CH4 0.06 umol. Product basis: 12.2 / 13.26 = 0.92006.
    # Electron basis: 2*12.2 / (2*12.2 + 2*1.0 + 8*0.06) = 24.4 / 26.88 = 0.90774.
    frame = linear_frame({"CO": [12.2], "H2": [1.0], "CH4": [0.06]}, times=[0.0, 120.0])
    res = analyse_yields(frame)
    q = res.quantities
    assert q["selectivity_product_CO"].value == pytest.approx(0.9201, abs=5e-5)
    assert q["selectivity_electron_CO"].value == pytest.approx(0.9077, abs=5e-5)
    # H2: 1.0/13.26 = 0.075415; 2.0/26.88 = 0.074405. CH4: 0.06/13.26 = 0.004525;
    # 0.48/26.88 = 0.017857.
    assert q["selectivity_product_H2"].value == pytest.approx(0.075415, abs=1e-6)
    assert q["selectivity_electron_H2"].value == pytest.approx(0.074405, abs=1e-6)
    assert q["selectivity_product_CH4"].value == pytest.approx(0.004525, abs=1e-6)
    assert q["selectivity_electron_CH4"].value == pytest.approx(0.017857, abs=1e-6)
    # One run: no standard error is claimed.
    assert q["selectivity_product_CO"].stderr is None
    assert q["CO_amount_umol"].stderr is None
    assert q["selectivity_product_CO"].unit == ""
    assert res.metadata["selectivity_product_basis"] == "product basis: n_i / sum n"
    assert res.metadata["selectivity_electron_basis"] == "electron basis: z_i n_i / sum z n"


def test_selectivity_stderr_by_hand():
    # Runs CO 12.0/12.4, H2 0.9/1.1, CH4 0.05/0.07 -> means 12.2, 1.0, 0.06 with standard
    # errors 0.2, 0.1, 0.01. With T = 13.26: dS/dn_CO = (T - 12.2)/T^2 = 0.0060286,
    # dS/dn_H2 = dS/dn_CH4 = -12.2/T^2 = -0.069386, so
    # var = (0.0060286*0.2)^2 + (0.069386*0.1)^2 + (0.069386*0.01)^2 = 5.00796e-5,
    # stderr 0.0070767. Electron basis with v = (24.4, 2.0, 0.48), errors (0.4, 0.2, 0.08),
    # T = 26.88: derivatives 2.48/T^2 = 0.0034323 and -24.4/T^2 = -0.033770,
    # var = 1.88494e-6 + 4.56165e-5 + 7.29864e-6 = 5.48001e-5, stderr 0.0074027.
    frame = linear_frame({"CO": [12.0, 12.4], "H2": [0.9, 1.1], "CH4": [0.05, 0.07]})
    q = analyse_yields(frame).quantities
    assert q["selectivity_product_CO"].stderr == pytest.approx(0.0070767, rel=1e-4)
    assert q["selectivity_electron_CO"].stderr == pytest.approx(0.0074027, rel=1e-4)


def test_exactly_linear_single_run_has_r2_one_and_zero_fit_error():
    # y = 0.1 t exactly: slope 0.1, no residual, R^2 = 1.
    frame = linear_frame({"CO": [12.0]})
    q = analyse_yields(frame).quantities
    assert q["CO_rate_fit_umol_h"].value == pytest.approx(0.1, rel=1e-12)
    assert q["CO_rate_fit_umol_h"].stderr == pytest.approx(0.0, abs=1e-15)
    assert q["CO_rate_fit_r2"].value == pytest.approx(1.0, abs=1e-12)


def test_long_and_wide_formats_agree():
    wide = linear_frame({"CO": [12.0, 12.4], "H2": [0.9, 1.1]})
    long = pd.concat(
        [
            pd.DataFrame(
                {"run": 1, "time_h": TIMES, "CO_umol": wide["CO_umol"], "H2_umol": wide["H2_umol"]}
            ),
            pd.DataFrame(
                {
                    "run": 2,
                    "time_h": TIMES,
                    "CO_umol": wide["CO_umol_run2"],
                    "H2_umol": wide["H2_umol_run2"],
                }
            ),
        ],
        ignore_index=True,
    )
    a, b = analyse_yields(wide).quantities, analyse_yields(long).quantities
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].value == pytest.approx(b[key].value, rel=1e-12, nan_ok=True)


def test_deactivating_catalyst_warns_about_linearity():
    # With k = 0.05 h-1 the production is over after ~60 h: far from a line through the origin.
    frame = simulate_yields(TIMES, {"CO": 10.0}, deactivation_per_h=0.05, relative_noise=0.0)
    res = analyse_yields(frame)
    assert res.quantities["CO_rate_fit_r2"].value < 0.95
    assert any("linearly" in w for w in res.warnings)


def test_result_is_valid_json():
    frame = linear_frame({"CO": [12.0], "H2": [1.0]})
    text = dumps_json(analyse_yields(frame, catalyst_mass_mg=0.2).to_dict(include_curves=True))
    data = json.loads(text)
    assert data["curves"]["CO_sd_umol"][0] is None  # one run: sd is NaN -> null
    assert "selectivity_electron_H2_stderr" in analyse_yields(frame).flat()


def test_nothing_produced_gives_nan_selectivity_and_a_warning():
    frame = linear_frame({"CO": [0.0], "H2": [0.0]})
    res = analyse_yields(frame)
    assert math.isnan(res.quantities["selectivity_product_CO"].value)
    assert any("undefined" in w for w in res.warnings)


def test_products_subset_sets_the_selectivity_basis():
    # Over CO and H2 only: 12.2 / (12.2 + 1.0) = 0.924242.
    frame = linear_frame({"CO": [12.2], "H2": [1.0], "CH4": [0.06]})
    res = analyse_yields(frame, products=["CO", "H2"])
    assert res.quantities["selectivity_product_CO"].value == pytest.approx(0.924242, abs=1e-6)
    assert "CH4_amount_umol" not in res.quantities


# ------------------------------------------------------------------------------------------------
# Model and simulation
# ------------------------------------------------------------------------------------------------


def test_evolution_model_matches_the_integral_of_the_rate():
    # n(t) = integral_0^t r exp(-k s) ds, computed by quadrature.
    r, k = 0.1, 0.02
    for t in (0.0, 10.0, 120.0):
        truth = integrate.quad(lambda s: r * math.exp(-k * s), 0.0, t)[0]
        assert float(evolution_model(t, r, deactivation_per_h=k)) == pytest.approx(truth, rel=1e-10)
    # k = 0 is the straight line r t; a tiny k approaches it.
    np.testing.assert_allclose(evolution_model(TIMES, 0.1), 0.1 * TIMES, rtol=0, atol=0)
    np.testing.assert_allclose(
        evolution_model(TIMES, 0.1, deactivation_per_h=1e-12), 0.1 * TIMES, rtol=1e-9
    )
    with pytest.raises(InputError, match="time_h"):
        evolution_model([-1.0, 2.0], 0.1)


def test_simulate_yields_reaches_the_final_amount():
    frame = simulate_yields(
        TIMES, {"CO": 12.2, "H2": 1.0}, deactivation_per_h=0.01, relative_noise=0.0, n_runs=3
    )
    assert frame.attrs["simulated"] is True
    assert list(frame.columns) == ["run", "time_h", "CO_umol", "H2_umol"]
    assert sorted(frame["run"].unique()) == [1, 2, 3]
    last = frame[frame["time_h"] == 120.0]
    np.testing.assert_allclose(last["CO_umol"], 12.2, rtol=1e-12)
    # r = n k / (1 - exp(-k D)) = 0.122 / (1 - exp(-1.2)) = 0.122 / 0.698806 = 0.174584 umol/h.
    assert frame.attrs["rate_umol_h"]["CO"] == pytest.approx(0.174584, rel=1e-5)


def test_simulated_amounts_are_non_negative_and_cumulative():
    frame = simulate_yields(TIMES, {"CO": 0.5, "CH4": 0.01}, relative_noise=0.5, n_runs=4, rng=3)
    for _, run in frame.groupby("run"):
        for column in ("CO_umol", "CH4_umol"):
            y = run[column].to_numpy()
            assert np.all(y >= 0)
            assert np.all(np.diff(y) >= 0)


# ------------------------------------------------------------------------------------------------
# Round trip
# ------------------------------------------------------------------------------------------------

TRUE_RATES = {"CO": 12.2 / 120, "H2": 1.0 / 120, "CH4": 0.06 / 120}


def test_round_trip_one_seed():
    frame = simulate_yields(TIMES, {p: r * 120 for p, r in TRUE_RATES.items()}, rng=2024)
    q = analyse_yields(frame).quantities
    for product, rate in TRUE_RATES.items():
        fit = q[f"{product}_rate_fit_umol_h"]
        assert abs(fit.value - rate) < 3 * fit.stderr


def test_round_trip_coverage_over_seeds():
    # 3 % relative noise, 2 runs of 6 points: 10 points with t > 0 enter the fit. For this
    # noise model the 1/t^2-weighted slope is the mean of y/t and its stderr the standard error
    # of that mean, so (b - r)/stderr follows Student's t with 9 degrees of freedom:
    # P(|t_9| < 3) = 0.985. Measured over 1000 seeds (0..999): 0.983. Here 300 seeds; the
    # bound 0.95 is 3.6 binomial standard deviations (sqrt(0.985*0.015/300) = 0.0070) below.
    truth = TRUE_RATES["CO"]
    hits = 0
    n_seeds = 300
    for seed in range(n_seeds):
        frame = simulate_yields(TIMES, {"CO": 12.2}, relative_noise=0.03, n_runs=2, rng=seed)
        fit = analyse_yields(frame).quantities["CO_rate_fit_umol_h"]
        hits += abs(fit.value - truth) < 3 * fit.stderr
    assert hits / n_seeds >= 0.95


# ------------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------------

amounts = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=len(ELECTRONS_PER_PRODUCT)))
def test_selectivities_sum_to_one(values):
    if sum(values) <= 0:
        values = [*values[:-1], 1.0]
    products = list(ELECTRONS_PER_PRODUCT)[: len(values)]
    frame = linear_frame({p: [v] for p, v in zip(products, values, strict=True)}, [0.0, 24.0])
    q = analyse_yields(frame).quantities
    for basis in ("product", "electron"):
        total = sum(q[f"selectivity_{basis}_{p}"].value for p in products)
        assert total == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=1e-3, max_value=1e3),
)
def test_mass_rate_scales_as_inverse_mass(final, mass_a, mass_b):
    # rate_g(m) = rate / (m / 1000 g), so rate_g(a) * a = rate_g(b) * b = 1000 * rate.
    frame = linear_frame({"CO": [final, 1.1 * final]})
    qa = analyse_yields(frame, catalyst_mass_mg=mass_a).quantities
    qb = analyse_yields(frame, catalyst_mass_mg=mass_b).quantities
    rate = qa["CO_rate_umol_h"].value
    assert qa["CO_rate_umol_g_h"].value * mass_a == pytest.approx(1000 * rate, rel=1e-12)
    assert qa["CO_rate_umol_g_h"].value * mass_a == pytest.approx(
        qb["CO_rate_umol_g_h"].value * mass_b, rel=1e-12
    )
    assert qa["CO_rate_umol_g_h"].stderr * mass_a == pytest.approx(
        qb["CO_rate_umol_g_h"].stderr * mass_b, rel=1e-12
    )


# ------------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------------


def _good() -> pd.DataFrame:
    return linear_frame({"CO": [12.0, 12.4], "H2": [1.0, 1.1]})


def _long() -> pd.DataFrame:
    frame = simulate_yields(TIMES, {"CO": 12.2}, relative_noise=0.0)
    frame.attrs["source_file"] = SOURCE
    return frame


def _edit(frame: pd.DataFrame, column: str, row: int, value: float) -> pd.DataFrame:
    frame.loc[row, column] = value
    return frame


def _bad_cases():
    missing_time = _good().rename(columns={"time_h": "time_min"})
    missing_time.attrs["source_file"] = SOURCE
    unknown = _good()
    unknown["O2_umol"] = 0.0
    short = _good().iloc[[0, 5]]
    short.attrs["source_file"] = SOURCE
    ends_early = _good()
    ends_early.loc[5, "H2_umol_run2"] = np.nan  # this run's last reading is at 96 h, not 120 h
    return [
        ("missing time", missing_time, {}, "time_h", None),
        ("time not increasing", _edit(_long(), "time_h", 8, 20.0), {}, "time_h", "run 2"),
        ("time NaN", _edit(_good(), "time_h", 3, np.nan), {}, "time_h", "row 3"),
        ("negative time", _edit(_good(), "time_h", 0, -1.0), {}, "time_h", "row 0"),
        ("negative amount", _edit(_good(), "CO_umol", 2, -0.1), {}, "CO_umol", "48 h"),
        ("infinite amount", _edit(_good(), "H2_umol", 2, np.inf), {}, "H2_umol", "48 h"),
        # Run 1 reads 0, 2.4, 4.8, 7.2, 9.6, 12.0 umol; 5.0 at 96 h falls 2.2 umol below the
        # 7.2 read at 72 h, more than 10 % of the largest reading 12.0 (1.2 umol).
        ("amount falls", _edit(_good(), "CO_umol", 4, 5.0), {}, "CO_umol", "96 h"),
        ("unknown product", unknown, {}, "O2_umol", "CH4"),
        ("mass zero", _good(), {"catalyst_mass_mg": 0.0}, "catalyst_mass_mg", None),
        ("mass negative", _good(), {"catalyst_mass_mg": -0.2}, "catalyst_mass_mg", None),
        ("mass NaN", _good(), {"catalyst_mass_mg": float("nan")}, "catalyst_mass_mg", None),
        ("two time points needed", short.iloc[[1]], {}, "CO_umol", "fewer than 2"),
        ("run ends early", ends_early, {}, "H2_umol_run2", "ends at 96 h"),
        ("unknown product asked", _good(), {"products": ["CH3COOH"]}, "products", "CO"),
        ("product not in frame", _good(), {"products": ["CH4"]}, "CH4_umol", None),
        ("weighting", _good(), {"weighting": "poisson"}, "weighting", None),
    ]


@pytest.mark.parametrize(
    ("frame", "kwargs", "column", "detail"),
    [case[1:] for case in _bad_cases()],
    ids=[case[0] for case in _bad_cases()],
)
def test_bad_input_raises_input_error_naming_file_and_column(frame, kwargs, column, detail):
    frame.attrs.setdefault("source_file", SOURCE)
    with pytest.raises(InputError) as info:
        analyse_yields(frame, **kwargs)
    message = str(info.value)
    assert SOURCE in message
    assert column in message
    if detail is not None:
        assert detail in message


def test_single_point_run_is_reported_as_too_few_points():
    # H2 run 2 keeps only its reading at t = 0: one point, no rate.
    frame = _good()
    frame.loc[1:, "H2_umol_run2"] = np.nan
    with pytest.raises(InputError, match=r"H2_umol_run2: fewer than 2 time points"):
        analyse_yields(frame)


def test_small_drop_is_noise_with_a_warning():
    # 7.2 umol at 72 h, 7.0 at 96 h: a fall of 0.2 umol < 10 % of 12.0 = 1.2 umol.
    frame = _edit(_good(), "CO_umol", 4, 7.0)
    res = analyse_yields(frame)
    assert any("CO_umol" in w and "noise" in w for w in res.warnings)


def test_error_without_source_file_still_names_the_column():
    frame = _edit(linear_frame({"CO": [1.0]}), "CO_umol", 1, -1.0)
    frame.attrs.clear()
    with pytest.raises(InputError, match="CO_umol"):
        analyse_yields(frame)


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------


def _samples():
    out = {}
    for seed, (name, co) in enumerate([("2/12ZCIS", 12.2), ("4/12ZCIS", 3.1), ("8/12ZCIS", 0.5)]):
        frame = simulate_yields(TIMES, {"CO": co, "H2": 1.0, "CH4": 0.06}, rng=seed)
        out[name] = (frame, analyse_yields(frame, catalyst_mass_mg=0.191))
    return out


def test_plot_yields_for_several_samples(tmp_path):
    samples = _samples()
    fig = plot_yields(samples)
    assert isinstance(fig, Figure)
    ax_a, ax_b = fig.axes
    assert "h" in ax_a.get_xlabel() and "µmol" in ax_a.get_ylabel()
    assert "µmol" in ax_b.get_ylabel()
    texts = [t.get_text() for t in ax_b.texts]
    assert len(texts) == 3 and all("%" in t for t in texts)
    fig.savefig(tmp_path / "yields.png", dpi=60)
    assert (tmp_path / "yields.png").stat().st_size > 0
    # Bare results and fractions on the electron basis for one sample.
    fig = plot_yields(
        {k: v[1] for k, v in samples.items()},
        distribution="2/12ZCIS",
        stack="fraction",
        basis="electron",
    )
    assert "electron" in fig.axes[1].get_ylabel()
    with pytest.raises(InputError, match="distribution"):
        plot_yields(samples, distribution="unknown")
    with pytest.raises(InputError, match="results"):
        plot_yields({"x": 3.0})


def test_plot_sample_yields(tmp_path):
    frame, result = _samples()["2/12ZCIS"]
    fig = plot_sample_yields(frame, result, title="2/12ZCIS")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    # One selectivity label per sampling time after t = 0 (24 ... 120 h).
    assert len(fig.axes[1].texts) == 5
    fig.savefig(tmp_path / "sample.png", dpi=60)
    assert isinstance(plot_sample_yields(frame), Figure)
