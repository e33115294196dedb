"""Tests of qdcat.catalysis.stability and qdcat.catalysis.controls.

Expected numbers are worked out by hand in the comments or are the known parameters of data
simulated with noise.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qdcat.catalysis.controls import check_controls, control_kind, plot_controls
from qdcat.catalysis.stability import (
    cycle_model,
    cycle_test,
    donor_budget,
    fit_deactivation,
    outdoor_runs,
    plot_cycles,
    plot_deactivation,
    plot_outdoor,
    simulate_cycles,
)
from qdcat.core.errors import InputError

# The seed paper keeps ~70 % of the activity over three 120 h cycles (Fig. 5c). Read as
# "rate in cycle 3 / rate in cycle 1" with first-order deactivation, the cycles start 240 h
# apart, so exp(-240 k) = 0.7 and k = -ln 0.7 / 240 = 1.4861e-3 h-1 (t1/2 = ln 2 / k = 466.4 h).
K_PAPER = -math.log(0.7) / 240.0


def linear_cycles(
    rates: list[float], window: float = 120.0, relative: bool = False
) -> pd.DataFrame:
    """Exactly linear cycles: amount = rate x time since the cycle start."""
    rows = []
    for c, r in enumerate(rates):
        for tau in (40.0, 80.0, window):
            t = tau if relative else c * window + tau
            rows.append({"cycle": c + 1, "time_h": t, "CO_umol": r * tau})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------
# cycle test
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", [False, True])
def test_cycle_rates_and_retention_by_hand(relative: bool) -> None:
    # rates 0.1, 0.08, 0.07 umol h-1: retention 0.8 and 0.7, whichever time convention
    r = cycle_test(linear_cycles([0.1, 0.08, 0.07], relative=relative), catalyst_mass_mg=0.2)
    q = r.quantities
    assert q["cycle2_rate_umol_h"].value == pytest.approx(0.08)
    assert q["cycle3_retention"].value == pytest.approx(0.7)
    assert q["retention_last"].value == pytest.approx(0.7)
    # 0.1 umol h-1 / 0.2e-3 g = 500 umol g-1 h-1
    assert q["cycle1_rate_umol_g_h"].value == pytest.approx(500.0)
    assert r.metadata["time_convention"] == ("per cycle" if relative else "absolute")
    assert q["cycle1_rate_umol_h"].stderr is None  # one run: no standard error


def test_unequal_cycles_are_compared_over_the_common_window() -> None:
    # cycle 2 starts at 120 h and runs 160 h at 0.05 umol h-1 (readings 40, 80, 160 h into the
    # cycle): over the common 120 h it made 6 umol (interpolated between 4 umol at 80 h and
    # 8 umol at 160 h), rate 6 / 120 = 0.05
    frame = pd.DataFrame(
        {
            "cycle": [1, 1, 1, 2, 2, 2],
            "time_h": [40, 80, 120, 160, 200, 280],
            "CO_umol": [4.0, 8.0, 12.0, 2.0, 4.0, 8.0],
        }
    )
    r = cycle_test(frame)
    assert r.quantities["window_h"].value == 120
    assert r.quantities["cycle2_rate_umol_h"].value == pytest.approx(6.0 / 120)
    assert any("unequal" in w for w in r.warnings)


def test_cycle_bad_input() -> None:
    frame = linear_cycles([0.1, 0.08])
    frame.attrs["source_file"] = "cycles.csv"
    bad = frame.copy()
    bad.loc[1, "CO_umol"] = -1.0
    with pytest.raises(InputError, match=r"cycles\.csv: CO_umol: negative"):
        cycle_test(bad)
    bad = frame.copy()
    bad.loc[2, "CO_umol"] = 1.0  # falls from 8 to 1 within cycle 1
    with pytest.raises(InputError, match="falls within cycle 1"):
        cycle_test(bad)
    with pytest.raises(InputError, match="unknown product"):
        cycle_test(frame, product="CO2")
    with pytest.raises(InputError, match="missing column"):
        cycle_test(frame.drop(columns="time_h"))


# ------------------------------------------------------------------------------------------------
# deactivation fit
# ------------------------------------------------------------------------------------------------


def test_cycle_model_by_hand() -> None:
    # k = 0: n = r0 (t - s); k > 0 at the start of cycle 2 (s = 120 h) after 120 h:
    # n = r0 exp(-120 k)(1 - exp(-120 k))/k
    assert cycle_model(50.0, 0.0, 0.1, 0.0) == pytest.approx(5.0)
    k = 1e-3
    assert cycle_model(240.0, 120.0, 0.1, k) == pytest.approx(
        0.1 * math.exp(-0.12) * (1 - math.exp(-0.12)) / k
    )


def test_deactivation_fit_recovers_a_known_rate_constant() -> None:
    # 3 cycles x 120 h (readings every 24 h), 2 runs, 3 % relative noise, the paper's k:
    # over 40 simulations the estimate lies within 2 standard errors of the truth in most
    # (expected 95 %; >= 80 % allows for the small-sample scatter of the standard errors),
    # and the mean estimate is unbiased within 4 standard errors of the mean
    r0 = 12.2 * K_PAPER / (1 - math.exp(-120 * K_PAPER))  # cycle 1 makes 12.2 umol
    z, ks = [], []
    for seed in range(40):
        frame = simulate_cycles(
            3, 120.0, np.arange(24.0, 121.0, 24.0), r0, K_PAPER, n_runs=2, rng=seed
        )
        fit = fit_deactivation(frame)
        assert fit.converged
        k = fit.quantities["deactivation_rate_per_h"]
        z.append((k.value - K_PAPER) / k.stderr)
        ks.append(k.value)
    assert np.mean(np.abs(z) < 2) >= 0.8
    assert abs(np.mean(ks) - K_PAPER) < 4 * np.std(ks) / math.sqrt(len(ks))
    # half-life and retention follow from k by hand: ln 2 / k and exp(-360 k)
    hl = fit.quantities["half_life_h"]
    assert hl.value == pytest.approx(math.log(2) / fit.quantities["deactivation_rate_per_h"].value)
    assert fit.quantities["retention"].value == pytest.approx(
        math.exp(-360 * fit.quantities["deactivation_rate_per_h"].value)
    )
    # the cycle-3 / cycle-1 retention of the model is exp(-240 k) ~ 0.70 (the paper's "70 %")
    assert fit.quantities["retention_last_cycle_model"].value == pytest.approx(0.70, abs=0.03)


def test_continuous_run_without_deactivation() -> None:
    # a linear continuous run: k ~ 0, half-life undefined (NaN) with a warning
    frame = pd.DataFrame({"time_h": [24.0, 48.0, 72.0, 96.0, 120.0]})
    frame["CO_umol"] = 0.1 * frame["time_h"] * (1 + 0.001 * np.array([1, -1, 1, -1, 1]))
    fit = fit_deactivation(frame)
    assert abs(fit.quantities["deactivation_rate_per_h"].value) < 1e-4
    if fit.quantities["deactivation_rate_per_h"].value <= 0:
        assert math.isnan(fit.quantities["half_life_h"].value)
        assert any("no deactivation" in w for w in fit.warnings)
    assert fit.quantities["initial_rate_umol_h"].value == pytest.approx(0.1, rel=2e-3)


def test_deactivation_needs_data() -> None:
    with pytest.raises(InputError, match="at least 3 readings"):
        fit_deactivation(pd.DataFrame({"time_h": [0.0, 24.0], "CO_umol": [0.0, 2.4]}))


# ------------------------------------------------------------------------------------------------
# donor budget
# ------------------------------------------------------------------------------------------------


def test_donor_budget_by_hand() -> None:
    # electrons 2 x 12.2 + 2 x 1.0 + 8 x 0.06 = 26.88 umol; ascorbic acid gives 2 e- each:
    # 13.44 umol of 0.1 M x 5 mL = 500 umol (2.69 %)
    r = donor_budget(
        {"CO": 12.2, "H2": 1.0, "CH4": 0.06},
        supplied_umol=500.0,
        amounts_stderr_umol={"CO": 0.2, "H2": 0.05, "CH4": 0.01},
    )
    q = r.quantities
    assert q["electrons_umol"].value == pytest.approx(26.88)
    assert q["donor_consumed_umol"].value == pytest.approx(13.44)
    assert q["donor_consumed_fraction"].value == pytest.approx(0.02688)
    # stderr of electrons: sqrt((2 x 0.2)^2 + (2 x 0.05)^2 + (8 x 0.01)^2) = 0.42
    assert q["electrons_umol"].stderr == pytest.approx(math.sqrt(0.16 + 0.01 + 0.0064))
    assert r.warnings == ()


def test_donor_budget_flags_impossible_and_low() -> None:
    r = donor_budget({"CO": 12.2}, supplied_umol=10.0)  # needs 12.2 umol AA > 10 supplied
    assert r.warnings and r.warnings[0].startswith("INCONSISTENT")
    r = donor_budget({"CO": 12.2}, supplied_umol=20.0)  # 61 % used
    assert any("donor-limited" in w for w in r.warnings)
    with pytest.raises(InputError, match="supplied_umol"):
        donor_budget({"CO": 1.0}, supplied_umol=0.0)


# ------------------------------------------------------------------------------------------------
# outdoor runs
# ------------------------------------------------------------------------------------------------


def test_outdoor_runs_recover_yield_per_insolation() -> None:
    # 28 days, insolation 2-6 kWh m-2, yield = 0.5 umol per kWh m-2 exactly, slowly decaying
    # by 0.5 % per day relative to day 1 (normalised retention on day 28: 1 - 27 x 0.005)
    rng = np.random.default_rng(3)
    day = np.arange(1, 29)
    ins = rng.uniform(2.0, 6.0, day.size)
    per = 0.5 * (1 - 0.005 * (day - 1))
    frame = pd.DataFrame(
        {
            "day": day,
            "CO_umol": per * ins,
            "insolation_kWh_m2": ins,
            "temperature_C": 10.0 + day / 3,
        }
    )
    r = outdoor_runs(frame)
    q = r.quantities
    assert q["n_days"].value == 28
    assert q["total_umol"].value == pytest.approx(float(np.sum(per * ins)))
    assert q["normalised_trend_per_day"].value == pytest.approx(-0.005, rel=1e-6)
    assert q["normalised_retention"].value == pytest.approx(1 - 27 * 0.005, rel=1e-6)
    assert q["insolation_r"].value > 0.95
    # irradiance given as the daily mean W m-2 instead: 24 h x W / 1000 = kWh m-2
    frame2 = frame.drop(columns="insolation_kWh_m2").assign(irradiance_W_m2=ins * 1000 / 24)
    q2 = outdoor_runs(frame2).quantities
    assert q2["yield_per_insolation_umol_m2_kWh"].value == pytest.approx(
        q["yield_per_insolation_umol_m2_kWh"].value
    )
    with pytest.raises(InputError, match="no sunlight log"):
        outdoor_runs(frame.drop(columns="insolation_kWh_m2"))


# ------------------------------------------------------------------------------------------------
# controls
# ------------------------------------------------------------------------------------------------


def test_controls_flag_above_fraction() -> None:
    main = {"CO": 12.2, "H2": 1.0}
    r = check_controls(
        [
            {"condition": "dark", "CO_umol": 0.05},  # 0.05 / 12.2 = 0.41 %: passes 5 %
            {"condition": "no QDs", "CO_umol": 0.0},
            {"condition": "Ar", "CO_umol": 0.5, "duration_h": 24.0},  # (0.5/24)/(12.2/120) = 20.5 %
            {"condition": "no_donor", "CO_umol": 0.2, "max_fraction": 0.01},  # 1.6 % > 1 %
            {"condition": "13CO2", "labelled_fraction": 0.8},  # below 0.9
        ],
        main,
        120.0,
    )
    q = r.quantities
    assert q["dark_CO_fraction"].value == pytest.approx(0.05 / 12.2)
    assert q["argon_CO_fraction"].value == pytest.approx((0.5 / 24) / (12.2 / 120))
    failed = [w for w in r.warnings if w.startswith("CONTROL FAILED")]
    assert len(failed) == 3
    assert r.metadata["all_passed"] is False
    assert control_kind("no QDs") == "no_catalyst" and control_kind("N2") == "argon"
    fig = plot_controls(r)
    assert fig.axes[0].get_yscale() == "log"


def test_controls_all_pass_and_bad_input() -> None:
    r = check_controls([{"condition": "dark", "CO_umol": 0.0}], {"CO": 12.2}, 120.0)
    assert r.metadata["all_passed"] and r.warnings == ()
    with pytest.raises(InputError, match="unknown product"):
        check_controls([{"condition": "dark", "C2H4_umol": 0.1}], {"CO": 1.0}, 10.0)
    with pytest.raises(InputError, match="main_duration_h"):
        check_controls([], {"CO": 1.0}, 0.0)


def test_stability_figures_render() -> None:
    frame = simulate_cycles(3, 120.0, [40.0, 80.0, 120.0], 0.1, K_PAPER, n_runs=2, rng=1)
    c = cycle_test(frame)
    d = fit_deactivation(frame)
    assert len(plot_cycles(c, d).axes) == 2
    assert len(plot_deactivation(d).axes) == 2
    o = outdoor_runs(
        pd.DataFrame(
            {"day": [1, 2, 3, 4], "CO_umol": [1, 2, 1.5, 2], "insolation_kWh_m2": [2, 4, 3, 4]}
        )
    )
    assert len(plot_outdoor(o).axes) == 2
