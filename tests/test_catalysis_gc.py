"""Tests of qdcat.catalysis.gc: GC calibration, headspace amounts, withdrawn gas, Henry, 13C.

Expected numbers are worked out by hand in the comments, taken from a published source, or are
the known truth of simulated data (recovered within a stated tolerance).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from qdcat.catalysis.gc import (
    EXAMPLE_REACTOR,
    HENRY_CONSTANTS,
    N2_RATIO_M29_M28,
    Reactor,
    calibrate_gc,
    co_isotope_ratio,
    fit_calibration,
    gc_to_yields,
    henry_constant_mol_m3_Pa,
    load_gc_table,
    plot_gc,
    quantify_gc,
    simulate_gc,
    write_example_gc_files,
)
from qdcat.catalysis.yields import analyse_yields, simulate_yields
from qdcat.core.errors import FitError, InputError

R = 8.314462618  # J mol-1 K-1 (CODATA, exact since 2019)
STANDARDS_FILE = "gc/standards_2024-05.csv"
SAMPLES_FILE = "gc/run_2-12ZCIS.csv"


def exact_standards(slope: float = 30.0, intercept: float = 50.0) -> pd.DataFrame:
    ppm = np.array([0.0, 500.0, 1000.0, 2000.0, 5000.0])
    frame = pd.DataFrame({"CO_ppm": ppm, "CO_area": slope * ppm + intercept})
    frame.attrs["source_file"] = STANDARDS_FILE
    return frame


# ----------------------------------------------------------------------------------------------
# Calibration
# ----------------------------------------------------------------------------------------------


def test_calibration_matches_an_independent_least_squares() -> None:
    rng = np.random.default_rng(7)
    ppm = np.repeat([0.0, 200.0, 1000.0, 3000.0, 8000.0], 2)
    area = 41.5 * ppm + 120.0 + rng.normal(0, 300.0, ppm.size)
    cal = fit_calibration(ppm, area, product="CO")
    # numpy.polyfit with cov=True scales the covariance by sum r^2 / (n - 2), as we do
    (slope, intercept), cov = np.polyfit(ppm, area, 1, cov=True)
    assert cal.slope_area_ppm == pytest.approx(slope, rel=1e-10)
    assert cal.intercept_area == pytest.approx(intercept, rel=1e-8)
    assert cal.slope_stderr == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-8)
    assert cal.intercept_stderr == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-8)
    assert cal.residuals_area == pytest.approx(area - (slope * ppm + intercept), abs=1e-6)
    assert 0.999 < cal.r2 <= 1.0
    # and the truth (41.5, 120) lies within 3 standard errors
    assert abs(cal.slope_area_ppm - 41.5) < 3 * cal.slope_stderr
    assert abs(cal.intercept_area - 120.0) < 3 * cal.intercept_stderr
    # inverse prediction: classical formula s/m sqrt(1 + 1/n + (y0 - ybar)^2 / (m^2 Sxx))
    y0 = 150000.0
    x0, se = cal.predict_ppm(y0)
    s = cal.residual_sd_area
    sxx = float(np.sum((ppm - ppm.mean()) ** 2))
    expected = s / slope * math.sqrt(1 + 1 / ppm.size + (y0 - area.mean()) ** 2 / (slope**2 * sxx))
    assert x0[0] == pytest.approx((y0 - intercept) / slope, rel=1e-10)
    assert se[0] == pytest.approx(expected, rel=1e-8)


def test_fewer_than_three_standards_is_an_error_naming_product_and_file() -> None:
    frame = pd.DataFrame(
        {"CO_ppm": [0.0, 1000.0, 1000.0, 0.0], "CO_area": [10.0, 3e4, 3.1e4, 12.0]}
    )
    frame.attrs["source_file"] = STANDARDS_FILE
    with pytest.raises(InputError) as info:
        calibrate_gc(frame)
    text = str(info.value)
    assert "CO" in text and STANDARDS_FILE in text and "3" in text


def test_missing_calibration_names_the_product_and_file() -> None:
    cals = calibrate_gc(exact_standards())
    samples = pd.DataFrame({"time_h": [0.0, 2.0], "CO_area": [50.0, 3e4], "CH4_area": [0, 9e2]})
    samples.attrs["source_file"] = SAMPLES_FILE
    with pytest.raises(InputError) as info:
        quantify_gc(samples, cals, Reactor(headspace_mL=10.0))
    text = str(info.value)
    assert "'CH4'" in text and STANDARDS_FILE in text and SAMPLES_FILE in text
    assert info.value.field == "CH4"


def test_long_and_wide_tables_agree() -> None:
    std_wide = exact_standards()
    std_long = pd.DataFrame(
        {
            "product": ["CO"] * 5,
            "ppm": std_wide["CO_ppm"],
            "area": std_wide["CO_area"],
        }
    )
    reactor = Reactor(headspace_mL=10.0, injection_uL=500.0)
    wide = pd.DataFrame({"time_h": [0.0, 1.0, 2.0], "CO_area": [50.0, 15050.0, 30050.0]})
    long = pd.DataFrame(
        {"time_h": [2.0, 0.0, 1.0], "product": ["CO"] * 3, "area": [30050.0, 50.0, 15050.0]}
    )
    a = gc_to_yields(wide, calibrate_gc(std_wide), reactor)
    b = gc_to_yields(long, calibrate_gc(std_long), reactor)
    assert a["CO_umol"].to_numpy() == pytest.approx(b["CO_umol"].to_numpy(), rel=1e-12)


# ----------------------------------------------------------------------------------------------
# Amounts: ideal gas, withdrawn gas, Henry's law
# ----------------------------------------------------------------------------------------------


def test_headspace_amount_and_withdrawn_gas_by_hand() -> None:
    # Exact standards (area = 30 ppm + 50). Headspace 10 mL at 101.325 kPa and 298.15 K.
    # n per ppm = 1e-6 x 101325 Pa x 1e-5 m3 / (8.314462618 x 298.15 J mol-1) = 4.087404e-10
    # mol = 4.087404e-4 umol. Injections of 1 mL (1000 uL) take f = 1/10 of the gas.
    # Areas 30050 and 60050 -> 1000 and 2000 ppm.
    per_ppm = 1e-6 * 101325 * 1e-5 / (R * 298.15) * 1e6  # umol per ppm
    assert per_ppm == pytest.approx(4.087404e-4, rel=1e-6)
    samples = pd.DataFrame({"time_h": [1.0, 2.0], "CO_area": [30050.0, 60050.0]})
    cals = calibrate_gc(exact_standards())
    # refilled: N0 = 1000 x 4.087404e-4 = 0.408740 umol; N1 = 2000 x 4.087404e-4 + 0.1 x
    # 0.408740 = 0.817481 + 0.040874 = 0.858355 umol
    refilled = Reactor(headspace_mL=10.0, injection_uL=1000.0, headspace="refilled")
    r = quantify_gc(samples, cals, refilled)
    assert r.quantities["CO_umol"].value == pytest.approx([0.408740, 0.858355], rel=2e-6)
    assert r.quantities["CO_withdrawn_umol"].value == pytest.approx([0.0, 0.0408740], rel=2e-6)
    # closed: the first injection drops the pressure to 0.9 P, so at the second the gas holds
    # 0.9 x 0.817481 = 0.735733 umol; N1 = 0.735733 + 0.040874 = 0.776607 umol
    closed = Reactor(headspace_mL=10.0, injection_uL=1000.0, headspace="closed")
    r = quantify_gc(samples, cals, closed)
    assert r.quantities["CO_umol"].value == pytest.approx([0.408740, 0.776607], rel=2e-6)
    # no injection volume: no correction, N = n_gas = 0.408740 and 0.817481 umol
    r = quantify_gc(samples, cals, Reactor(headspace_mL=10.0))
    assert r.quantities["CO_umol"].value == pytest.approx([0.408740, 0.817481], rel=2e-6)
    assert "not corrected" in r.metadata["withdrawn_gas"]
    # exact standards: the calibration has no scatter, so the amounts have zero uncertainty
    assert np.all(np.asarray(r.quantities["CO_umol"].stderr) < 1e-9)


def test_henry_constants_against_published_values() -> None:
    # Sander, Atmos. Chem. Phys. 15, 4399 (2015), doi:10.5194/acp-15-4399-2015, H^cp at
    # 298.15 K in mol m-3 Pa-1: CO 9.7e-6, H2 7.8e-6, CH4 1.4e-5, CO2 3.3e-4.
    for gas, value in {"CO": 9.7e-6, "H2": 7.8e-6, "CH4": 1.4e-5, "CO2": 3.3e-4}.items():
        assert henry_constant_mol_m3_Pa(gas, 298.15) == pytest.approx(value, rel=1e-12)
        assert "10.5194/acp-15-4399-2015" in HENRY_CONSTANTS[gas].source

    # Independent: Weiss, Mar. Chem. 2, 203 (1974), CO2 in fresh water,
    # ln K0 = -58.0931 + 90.5069 (100/T) + 22.2940 ln(T/100), K0 in mol L-1 atm-1.
    # At 298.15 K: K0 = 0.033947 mol L-1 atm-1 = 3.350e-4 mol m-3 Pa-1 (Sander: 3.3e-4, 2 %).
    def weiss(t: float) -> float:
        k0 = math.exp(-58.0931 + 90.5069 * (100 / t) + 22.2940 * math.log(t / 100))
        return k0 * 1000 / 101325

    assert henry_constant_mol_m3_Pa("CO2", 298.15) == pytest.approx(weiss(298.15), rel=0.02)
    # the van 't Hoff temperature dependence over -15 K agrees with Weiss within 4 %
    ratio = henry_constant_mol_m3_Pa("CO2", 283.15) / henry_constant_mol_m3_Pa("CO2", 298.15)
    assert ratio == pytest.approx(weiss(283.15) / weiss(298.15), rel=0.04)
    # by hand: H2 at 310 K = 7.8e-6 exp(530 (1/310 - 1/298.15)) = 7.8e-6 x exp(-0.0679524)
    # = 7.8e-6 x 0.934306 = 7.28759e-6
    assert henry_constant_mol_m3_Pa("H2", 310.0) == pytest.approx(7.28759e-6, rel=1e-5)
    with pytest.raises(InputError, match="N2O"):
        henry_constant_mol_m3_Pa("N2O")


def test_dissolved_fraction_by_hand() -> None:
    # n_liq / n_gas = H R T V_liq / V_gas = 9.7e-6 x 8.314462618 x 298.15 x (5 / 15)
    # = 0.0240459 / 3 = 0.0080153 for CO in 5 mL water under 15 mL headspace.
    samples = pd.DataFrame({"time_h": [1.0], "CO_area": [30050.0]})
    cals = calibrate_gc(exact_standards())
    reactor = Reactor(headspace_mL=15.0, liquid_mL=5.0, dissolved=True)
    r = quantify_gc(samples, cals, reactor)
    gas = r.quantities["CO_headspace_umol"].value[0]
    liq = r.quantities["CO_dissolved_umol"].value[0]
    assert liq / gas == pytest.approx(0.0080153, rel=1e-4)
    assert r.quantities["CO_umol"].value[0] == pytest.approx(gas + liq, rel=1e-12)
    with pytest.raises(InputError, match="liquid_mL"):
        Reactor(headspace_mL=15.0, dissolved=True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"headspace_mL": 0.0}, "headspace_mL"),
        ({"headspace_mL": 10.0, "temperature_K": -5.0}, "temperature_K"),
        ({"headspace_mL": 10.0, "pressure_kPa": 0.0}, "pressure_kPa"),
        ({"headspace_mL": 10.0, "injection_uL": 20000.0}, "injection_uL"),
        ({"headspace_mL": 10.0, "headspace": "open"}, "headspace"),
    ],
)
def test_bad_reactor(kwargs, field) -> None:
    with pytest.raises(InputError) as info:
        Reactor(**kwargs)
    assert info.value.field == field


# ----------------------------------------------------------------------------------------------
# Round trips: known amounts -> simulated areas -> recovered amounts
# ----------------------------------------------------------------------------------------------

SLOPES = {"CO": 30.0, "H2": 12.0, "CH4": 45.0}
NOISE = {"CO": 400.0, "H2": 60.0, "CH4": 20.0}
# six levels injected twice: 12 standards, 10 degrees of freedom for the residual scatter
LEVELS = (0.0, 1000.0, 5000.0, 10000.0, 20000.0, 30000.0) * 2


def _truth(rng: int) -> pd.DataFrame:
    # the paper's 2/12ZCIS run: 12.2 umol CO, 1.0 umol H2, 0.06 umol CH4 after 120 h, 2 runs
    return simulate_yields(
        np.arange(0, 121, 24.0),
        {"CO": 12.2, "H2": 1.0, "CH4": 0.06},
        relative_noise=0.0,
        n_runs=2,
        rng=rng,
    )


@pytest.mark.parametrize("headspace", ["closed", "refilled"])
def test_round_trip_recovers_amounts_within_their_errors(headspace) -> None:
    reactor = Reactor(
        headspace_mL=15.0, injection_uL=500.0, headspace=headspace, liquid_mL=5.0, dissolved=True
    )
    z_all = []
    for seed in range(12):
        truth = _truth(seed)
        std, smp = simulate_gc(
            truth,
            reactor,
            slope_area_ppm=SLOPES,
            intercept_area={"CO": 150.0},
            standards_ppm=LEVELS,
            area_noise_sd=NOISE,
            rng=100 + seed,
        )
        r = quantify_gc(smp, calibrate_gc(std), reactor)
        for product in SLOPES:
            est = np.asarray(r.quantities[f"{product}_umol"].value)
            se = np.asarray(r.quantities[f"{product}_umol"].stderr)
            true = truth[f"{product}_umol"].to_numpy()
            late = truth["time_h"].to_numpy() > 0
            # stated tolerance: every amount within 5 standard errors of the truth (the errors
            # rest on a scatter estimated with 10 degrees of freedom: P(|t_10| > 5) = 5e-4)
            assert np.all(np.abs(est - true) <= 5 * se), (product, seed)
            # CO above 2 umol is recovered to better than 1 % (noise 400 area on ~1e5)
            if product == "CO":
                assert np.all(np.abs(est - true)[late] <= 0.01 * true[late])
            z_all.append((est - true) / se)
    z = np.concatenate(z_all)
    # the propagated standard errors are honest: with the scatter estimated from 10 degrees of
    # freedom z follows Student's t_10, P(|t| < 2) = 0.927 and sd = sqrt(10/8) = 1.118 (the
    # 144 points share 12 calibrations per case, so allow for sampling: > 0.88, 0.8-1.4)
    assert np.mean(np.abs(z) < 2) > 0.88
    assert 0.8 < np.std(z) < 1.4


def test_gc_feeds_analyse_yields() -> None:
    truth = _truth(3)
    reactor = Reactor(headspace_mL=15.0, injection_uL=500.0)
    std, smp = simulate_gc(
        truth, reactor, slope_area_ppm=SLOPES, standards_ppm=LEVELS, area_noise_sd=NOISE, rng=5
    )
    smp.attrs["source_file"] = SAMPLES_FILE
    frame = gc_to_yields(smp, calibrate_gc(std), reactor)
    assert list(frame.columns[:3]) == ["run", "time_h", "CO_umol"]
    result = analyse_yields(frame, catalyst_mass_mg=0.191)
    # 12.2 umol over 120 h and 0.191 mg = 532.3 umol g-1 h-1 (seed paper), within 1 %
    assert result.quantities["CO_rate_umol_g_h"].value == pytest.approx(532.3, rel=0.01)
    assert result.metadata["source_file"] == SAMPLES_FILE


def test_negative_amounts_are_clipped_for_yields_with_a_note() -> None:
    cals = calibrate_gc(exact_standards(intercept=50.0))
    samples = pd.DataFrame({"time_h": [0.0, 1.0], "CO_area": [20.0, 30050.0]})  # 20 < 50
    frame = gc_to_yields(samples, cals, Reactor(headspace_mL=10.0))
    assert frame["CO_umol"].iloc[0] == 0.0
    assert any("set to 0" in w for w in frame.attrs["gc_warnings"])
    assert "run" not in frame.columns


def test_extrapolation_warning() -> None:
    cals = calibrate_gc(exact_standards())  # 0-5000 ppm
    samples = pd.DataFrame({"time_h": [1.0, 2.0], "CO_area": [30050.0, 300050.0]})
    r = quantify_gc(samples, cals, Reactor(headspace_mL=10.0))
    assert any("outside the calibrated range" in w and "2 h" in w for w in r.warnings)
    assert list(r.curves["CO_outside_range"]) == [False, True]
    assert isinstance(plot_gc(r), Figure)


@settings(max_examples=30, deadline=None)
@given(
    amounts=st.lists(st.floats(0.0, 5.0), min_size=2, max_size=6),
    f=st.floats(0.0, 0.2),
    headspace=st.sampled_from(["closed", "refilled"]),
)
def test_noiseless_round_trip_is_exact(amounts, f, headspace) -> None:
    cumulative = np.cumsum(amounts)
    truth = pd.DataFrame({"time_h": np.arange(len(amounts), dtype=float), "CO_umol": cumulative})
    reactor = Reactor(
        headspace_mL=20.0, injection_uL=None if f == 0 else f * 20000.0, headspace=headspace
    )
    std, smp = simulate_gc(truth, reactor, slope_area_ppm={"CO": 25.0}, standards_ppm=LEVELS)
    frame = gc_to_yields(smp, calibrate_gc(std), reactor)
    assert frame["CO_umol"].to_numpy() == pytest.approx(cumulative, rel=1e-9, abs=1e-9)


# ----------------------------------------------------------------------------------------------
# 13CO / 12CO
# ----------------------------------------------------------------------------------------------


def test_isotope_natural_and_labelled() -> None:
    # natural CO: m/z 29 / 28 = 13C/12C + 17O/16O = 0.011180 + 0.0003799 = 0.0115599
    a28 = np.array([1.0e6, 1.2e6, 0.9e6])
    r = co_isotope_ratio(0.0115599 * a28, a28, n2_resolved=True)
    assert r.quantities["ratio_13CO_12CO"].value == pytest.approx(0.011180, rel=1e-6)
    assert r.quantities["fraction_13C"].value == pytest.approx(0.011180 / 1.011180, rel=1e-6)
    assert r.metadata["verdict"] == "natural-abundance CO" and not r.warnings
    # 99 % 13CO: 13C/12C = 99, so m/z 29 = (99 + 0.00038) x m/z 28
    r = co_isotope_ratio((99 + 0.0003799) * a28 * 0.01, a28 * 0.01, feed_13C_fraction=0.99)
    assert r.quantities["fraction_13C"].value == pytest.approx(0.99, rel=1e-9)
    assert r.quantities["label_recovery"].value == pytest.approx(1.0, rel=1e-9)
    assert r.metadata["verdict"].startswith("labelled")
    # without N2 information the interference is flagged
    assert any("N2" in w and "14N15N" in w for w in r.warnings)


def test_isotope_n2_correction() -> None:
    # 13CO (99 % 13C) at m/z 28 = 1e4, m/z 29 = 99 x 1e4 + 17O part; air N2 adds 5e5 at m/z 28
    # and 0.007353 x 5e5 = 3676.5 at m/z 29. Uncorrected, m/z 28 is inflated 51-fold.
    co28 = 1.0e4
    co29 = (99 + 0.0003799) * co28
    n2 = 5.0e5
    raw = co_isotope_ratio(co29 + N2_RATIO_M29_M28 * n2, co28 + n2, feed_13C_fraction=0.99)
    assert raw.quantities["fraction_13C"].value < 0.7  # looks only partly labelled
    fixed = co_isotope_ratio(
        co29 + N2_RATIO_M29_M28 * n2, co28 + n2, n2_area_m28=n2, feed_13C_fraction=0.99
    )
    assert fixed.quantities["fraction_13C"].value == pytest.approx(0.99, rel=1e-9)
    assert not any("14N15N" in w for w in fixed.warnings)
    with pytest.raises(InputError, match="m28_area"):
        co_isotope_ratio(10.0, 1.0, n2_area_m28=2.0)  # N2 larger than the whole m/z 28


def test_decreasing_calibration_is_a_fit_error() -> None:
    with pytest.raises(FitError, match="CO"):
        fit_calibration([0.0, 100.0, 200.0], [300.0, 200.0, 100.0], product="CO")


def test_example_gc_files_reproduce_the_example_products(tmp_path) -> None:
    written = write_example_gc_files(tmp_path)
    assert list(written) == ["8/12ZCIS", "4/12ZCIS", "2/12ZCIS", "1/12ZCIS"]
    from qdcat.examples import example_project

    data = example_project("zcis").parent / "data"
    for name, paths in written.items():
        truth = load_gc_table(data / f"{name.replace('/', '-')}_products.csv")
        frame = gc_to_yields(
            load_gc_table(paths["samples"]),
            calibrate_gc(load_gc_table(paths["standards"])),
            EXAMPLE_REACTOR,
        )
        est, se = frame["CO_umol"].to_numpy(), frame["CO_stderr_umol"].to_numpy()
        true = truth["CO_umol"].to_numpy()
        # negative estimates are clipped to 0 for the yields, so compare on |difference|
        assert np.all(np.abs(est - true) <= 5 * se + 1e-12), name
