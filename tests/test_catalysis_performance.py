"""Tests of qdcat.catalysis.run and qdcat.catalysis.performance: the figures of merit of a run.

Every expected number is worked out by hand in a comment (or comes from the seed paper, Cai et
al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884, with its source), not copied from output.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdcat.catalysis.performance import (
    analyse_run,
    aqy_spectrum,
    implied_catalyst_mass_mg,
    implied_qd_molar_mass_from_mass_yield,
    implied_qd_molar_mass_g_mol,
    implied_surface_cu_per_qd,
    paper_cross_checks,
    performance,
    performance_json,
    plot_aqy_spectrum,
    plot_performance,
    plot_performance_comparison,
    qd_amount_umol,
)
from qdcat.catalysis.photons import MonochromaticLight
from qdcat.catalysis.run import load_run, parse_run
from qdcat.core.errors import ConfigError, InputError

PAPER_RUN = Path(str(resources.files("qdcat.examples"))) / "runs" / "paper_2_12_120h.toml"

HEAD = """\
[sample]
name = "2/12ZCIS"
catalyst_mass_mg = 0.191
qd_molar_mass_g_mol = 30700
surface_cu_per_qd = 24

[light]
wavelength_nm = 400
power_mW_cm2 = 5.28
area_cm2 = 1.0
"""
POINTS = """
[[points]]
time_h = 24
CO_umol = 2.4
H2_umol = 0.2
CH4_umol = 0.0

[[points]]
time_h = 120
CO_umol = 12.2
H2_umol = 1.0
CH4_umol = 0.06
"""

ISSUE_RUN_TEXT = """\
[sample]
name = "2/12ZCIS"
catalyst_mass_mg = 0.191
qd_molar_mass_g_mol = 30700
surface_cu_per_qd = 24

[light]              # monochromatic; a [light] with a spectrum file is the broadband form
wavelength_nm = 400
power_mW_cm2 = 5.28
area_cm2 = 1.0

[[points]]           # cumulative amounts
time_h = 24
CO_umol = 2.4
H2_umol = 0.2
CH4_umol = 0.0

[[points]]
time_h = 120
CO_umol = 12.2
H2_umol = 1.0
CH4_umol = 0.06
"""

# Photon rate at 400 nm and 5.28 mW on 1 cm2, by hand:
# E = h c / lambda = 6.62607015e-34 * 299792458 / 400e-9 = 4.96611e-19 J;
# N = 5.28e-3 W / 4.96611e-19 J = 1.063206e16 s-1 = 1.063206e16 / 6.02214076e23 mol s-1
#   = 1.765494e-8 mol s-1 = 1.765494e-8 * 3600 * 1e6 umol h-1 = 63.558 umol h-1
#   (= 12.0375 umol h-1 per mW x 5.28).
FLUX_400NM_5P28 = 63.558


def write(tmp_path: Path, text: str, name: str = "run.toml") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


# ------------------------------------------------------------------------------------------------
# The shipped paper run, worked by hand
# ------------------------------------------------------------------------------------------------


def test_shipped_run_file_is_exactly_the_issue_text() -> None:
    assert PAPER_RUN.read_text() == ISSUE_RUN_TEXT
    run = load_run(PAPER_RUN)
    assert run.products == ("CO", "H2", "CH4")
    assert run.frame["time_h"].tolist() == [24.0, 120.0]


def test_paper_run_numbers_by_hand() -> None:
    r = analyse_run(load_run(PAPER_RUN))
    q = r.quantities
    # amount = last cumulative reading; rate = 12.2 umol / 120 h = 0.101667 umol h-1
    assert q["CO_amount_umol"].value == pytest.approx(12.2)
    assert q["CO_rate_umol_h"].value == pytest.approx(12.2 / 120, rel=1e-12)
    # per gram: 0.101667 / 0.191e-3 g = 532.29 umol g-1 h-1 (the paper: 532.3)
    assert q["CO_rate_umol_g_h"].value == pytest.approx(532.29, abs=0.01)
    assert q["CO_rate_umol_g_h"].value == pytest.approx(532.3, rel=2e-4)
    # dots: 0.191e-3 g / 30700 g mol-1 = 6.2215e-9 mol = 6.2215 nmol
    assert q["qd_amount_nmol"].value == pytest.approx(6.2215, rel=1e-4)
    # TON per dot = 12.2e-6 / 6.2215e-9 = 1960.9; the paper's 1963 used ~30.73 kg/mol
    # (30.7 rounded), so the two agree to 0.11 %
    assert q["CO_ton_per_qd"].value == pytest.approx(1960.9, abs=0.1)
    assert q["CO_ton_per_qd"].value == pytest.approx(1963, rel=2e-3)
    # per surface Cu: 1960.9 / 24 = 81.71; electron basis doubles (z = 2 for CO)
    assert q["CO_ton_per_surface_cu"].value == pytest.approx(81.705, abs=0.01)
    assert q["CO_ton_electrons_per_qd"].value == pytest.approx(2 * 1960.94, abs=0.1)
    assert q["CH4_ton_electrons_per_qd"].value == pytest.approx(8 * 0.06 / 6.2215e-3, rel=1e-4)
    # TOF per dot = 0.101667 umol h-1 / 6.2215e-3 umol = 16.341 h-1
    assert q["CO_tof_per_qd_h"].value == pytest.approx(16.341, abs=0.001)
    # selectivity, product basis: 12.2 / (12.2 + 1.0 + 0.06) = 0.92006 (the paper's 92 %);
    # electron basis: 2*12.2 / (2*12.2 + 2*1.0 + 8*0.06) = 24.4 / 26.88 = 0.90774
    assert q["selectivity_product_CO"].value == pytest.approx(12.2 / 13.26, rel=1e-12)
    assert q["selectivity_electron_CO"].value == pytest.approx(24.4 / 26.88, rel=1e-12)
    # AQY = 2 x 0.101667 / 63.558 x 100 = 0.3199 % (the paper: 0.32 % at 400 nm)
    assert q["photon_flux_umol_h"].value == pytest.approx(FLUX_400NM_5P28, rel=1e-4)
    assert q["CO_aqy_pct"].value == pytest.approx(2 * 12.2 / 120 / FLUX_400NM_5P28 * 100, rel=1e-4)
    assert q["CO_aqy_pct"].value == pytest.approx(0.32, abs=0.001)
    # CH4: 8 e- x 0.06/120 / 63.558 x 100 = 0.006293 %
    assert q["CH4_aqy_pct"].value == pytest.approx(0.006293, rel=1e-3)
    # one run, no calibration: no standard error of amounts and of what derives from them
    assert q["CO_amount_umol"].stderr is None
    assert q["CO_ton_per_qd"].stderr is None
    assert q["CO_aqy_pct"].stderr is None


def test_nested_json_has_the_issue_keys() -> None:
    doc = performance_json(analyse_run(load_run(PAPER_RUN)))
    co = doc["products"]["CO"]
    for key in (
        "amount_umol",
        "rate_umol_h",
        "rate_fit_umol_h",
        "rate_umol_g_h",
        "ton_per_qd",
        "ton_per_surface_cu",
    ):
        assert key in co and f"{key}_stderr" in co
    assert set(doc["selectivity_product_basis"]) >= {"CO", "H2", "CH4", "CO_stderr"}
    assert set(doc["aqy_percent"]) >= {"CO", "H2", "CH4"}
    # the rate fit through the origin of (24, 2.4) and (120, 12.2) with weights 1/t^2 is the
    # mean of y/t: (0.1 + 0.101667)/2 = 0.100833 umol h-1
    assert co["rate_fit_umol_h"] == pytest.approx((2.4 / 24 + 12.2 / 120) / 2, rel=1e-12)
    total = sum(doc["selectivity_electron_basis"][p] for p in ("CO", "H2", "CH4"))
    assert total == pytest.approx(1.0, abs=1e-12)


def test_paper_cross_checks_reproduce_the_implied_numbers() -> None:
    r = paper_cross_checks()
    q = r.quantities
    # 12.2 umol / 120 h / 532.3 umol g-1 h-1 = 1.90995e-4 g = 0.19100 mg
    assert q["implied_catalyst_mass_mg"].value == pytest.approx(0.19100, abs=5e-5)
    # 12.2 umol / TON 1963 = 6.2150e-3 umol of dots; 0.19100e-3 g / 6.2150e-9 mol = 30.73 kg/mol
    assert q["implied_qd_amount_nmol"].value == pytest.approx(6.2150, abs=1e-3)
    assert q["implied_qd_molar_mass_g_mol"].value == pytest.approx(30732, rel=5e-4)
    # 360 h: TON 4319 / 140,544 umol g-1 = 4319 / 0.140544 mol g-1... = 30731 g mol-1
    assert q["implied_qd_molar_mass_360h_g_mol"].value == pytest.approx(30731, rel=1e-4)
    # 4319 / 178 = 24.26 surface Cu per dot (the model: 24)
    assert q["implied_surface_cu_per_qd"].value == pytest.approx(24.264, abs=1e-3)
    # 0.32 % at 400 nm from the 120 h average rate: N = 2 x 0.101667 / 0.0032 = 63.54 umol h-1
    # = 63.54 / 12.0375 mW = 5.279 mW on 1 cm2 (the issue's 5.28)
    assert q["implied_power_for_aqy_400nm_mW_cm2"].value == pytest.approx(5.279, abs=0.002)
    assert r.warnings == ()  # the paper is self-consistent here (science notes)


def test_implied_helpers_are_inverses() -> None:
    mass = implied_catalyst_mass_mg(12.2, 120.0, 532.3)
    m = implied_qd_molar_mass_g_mol(mass, 12.2, 1963)
    # going forward again gives the stated TON
    assert 12.2 / qd_amount_umol(mass, m) == pytest.approx(1963, rel=1e-12)
    assert implied_qd_molar_mass_from_mass_yield(140544, 4319) == pytest.approx(4319 / 0.140544)
    assert implied_surface_cu_per_qd(4319, 178) == pytest.approx(4319 / 178)
    with pytest.raises(InputError, match="ton_per_surface_cu"):
        implied_surface_cu_per_qd(4319, 0)


# ------------------------------------------------------------------------------------------------
# Cross-checks of stated numbers in a run file
# ------------------------------------------------------------------------------------------------


def test_reported_numbers_consistent_and_implied(tmp_path: Path) -> None:
    text = (
        HEAD
        + POINTS
        + """
[reported]
CO_rate_umol_g_h = 532.3
CO_ton_per_qd = 1963
CO_selectivity = 0.92
CO_aqy_percent = 0.32
"""
    )
    r = analyse_run(load_run(write(tmp_path, text)))
    checks = {c["key"]: c for c in r.metadata["cross_checks"]}
    assert all(c["consistent"] for c in checks.values()), [c["message"] for c in checks.values()]
    assert not any("INCONSISTENT" in w for w in r.warnings)
    # the stated 0.92 with no basis matches the product basis (0.9201), not the electron (0.9077)
    assert checks["CO_selectivity"]["basis"] == "product"
    # implied mass 0.191 mg; implied molar mass 0.191 mg / (12.2 umol / 1963) = 30733 g mol-1
    assert r.quantities["implied_catalyst_mass_from_CO_rate_umol_g_h_mg"].value == pytest.approx(
        0.191, abs=1e-4
    )
    assert r.quantities["implied_qd_molar_mass_from_CO_ton_per_qd_g_mol"].value == pytest.approx(
        0.191e-3 / (12.2e-6 / 1963), rel=1e-9
    )


def test_inconsistent_reported_numbers_are_flagged(tmp_path: Path) -> None:
    # a stated rate of 600 umol g-1 h-1 disagrees with 12.2/120/0.191e-3 = 532.3 by +12.7 %;
    # a stated TON 2500 disagrees with 1960.9 by +27.5 %
    text = HEAD + POINTS + "\n[reported]\nCO_rate_umol_g_h = 600\nCO_ton_per_qd = 2500\n"
    r = analyse_run(load_run(write(tmp_path, text)))
    flagged = [w for w in r.warnings if w.startswith("INCONSISTENT")]
    assert len(flagged) == 2
    assert any("CO_rate_umol_g_h = 600" in w and "+12.7 %" in w for w in flagged)
    assert any("CO_ton_per_qd = 2500" in w and "+27.5 %" in w for w in flagged)


def test_mass_implied_without_a_mass(tmp_path: Path) -> None:
    # no catalyst mass: the stated mass rate cannot be checked but implies the mass
    text = """
[sample]
name = "x"
[[points]]
time_h = 60
CO_umol = 6.1
[[points]]
time_h = 120
CO_umol = 12.2
[reported]
CO_rate_umol_g_h = 532.3
CO_ton_per_qd = 4319
CO_ton_per_surface_cu = 178
"""
    r = analyse_run(load_run(write(tmp_path, text)))
    assert "CO_rate_umol_g_h" not in r.quantities
    assert r.quantities["implied_catalyst_mass_from_CO_rate_umol_g_h_mg"].value == pytest.approx(
        12.2 / 120 / 532.3 * 1e3, rel=1e-12
    )
    assert r.quantities["implied_surface_cu_per_qd"].value == pytest.approx(4319 / 178)
    check = next(c for c in r.metadata["cross_checks"] if c["key"] == "CO_rate_umol_g_h")
    assert check["consistent"] is None and "needs catalyst_mass_mg" in check["message"]


# ------------------------------------------------------------------------------------------------
# Replicates, calibration and propagation
# ------------------------------------------------------------------------------------------------


def test_replicates_give_standard_errors(tmp_path: Path) -> None:
    # two runs ending at 12.0 and 12.4 umol: mean 12.2, sd = 0.2828, se = sd/sqrt(2) = 0.2
    text = (
        HEAD
        + """
[[points]]
run = 1
time_h = 60
CO_umol = 6.0
H2_umol = 0.5
[[points]]
run = 1
time_h = 120
CO_umol = 12.0
H2_umol = 1.0
[[points]]
run = 2
time_h = 60
CO_umol = 6.2
H2_umol = 0.5
[[points]]
run = 2
time_h = 120
CO_umol = 12.4
H2_umol = 1.0
"""
    )
    r = analyse_run(load_run(write(tmp_path, text)))
    q = r.quantities
    assert q["CO_amount_umol"].value == pytest.approx(12.2)
    assert q["CO_amount_umol"].stderr == pytest.approx(0.2, rel=1e-12)
    # TON stderr = 0.2 / 6.2215e-3 = 32.15 (mass and molar mass exact)
    assert q["CO_ton_per_qd"].stderr == pytest.approx(0.2 / (0.191 / 30700 * 1e3), rel=1e-9)
    # AQY stderr = 2 x 0.2/120 / 63.558 x 100 = 0.005245 %
    assert q["CO_aqy_pct"].stderr == pytest.approx(2 * 0.2 / 120 / FLUX_400NM_5P28 * 100, rel=1e-4)
    # H2 identical in both runs: se = 0
    assert q["H2_amount_umol"].stderr == 0.0
    doc = performance_json(r)
    assert doc["products"]["CO"]["amount_umol_stderr"] == pytest.approx(0.2)
    assert doc["aqy_percent"]["CO_stderr"] == pytest.approx(q["CO_aqy_pct"].stderr)


def test_calibration_and_input_errors_add_in_quadrature(tmp_path: Path) -> None:
    # one run, GC standard error 0.3 umol on the final CO reading; mass 0.191 +- 0.0191 mg
    # (10 %), molar mass exact; TON rel. error = sqrt((0.3/12.2)^2 + 0.1^2) = 0.10298
    text = (
        HEAD.replace(
            "catalyst_mass_mg = 0.191", "catalyst_mass_mg = 0.191\ncatalyst_mass_stderr_mg = 0.0191"
        )
        + """
[[points]]
time_h = 60
CO_umol = 6.1
H2_umol = 0.5
[[points]]
time_h = 120
CO_umol = 12.2
CO_umol_stderr = 0.3
H2_umol = 1.0
H2_umol_stderr = 0.05
"""
    )
    q = analyse_run(load_run(write(tmp_path, text))).quantities
    assert q["CO_amount_umol"].stderr == pytest.approx(0.3)
    rel = math.sqrt((0.3 / 12.2) ** 2 + 0.1**2)
    assert q["CO_ton_per_qd"].stderr / q["CO_ton_per_qd"].value == pytest.approx(rel, rel=1e-9)
    # rate per gram, same relative error
    assert q["CO_rate_umol_g_h"].stderr / q["CO_rate_umol_g_h"].value == pytest.approx(rel)
    # selectivity error by linear propagation: s = a/(a+b), ds/da = b/(a+b)^2, ds/db = -a/(a+b)^2
    a, b, sa, sb = 12.2, 1.0, 0.3, 0.05
    expected = math.sqrt((b * sa) ** 2 + (a * sb) ** 2) / (a + b) ** 2
    assert q["selectivity_product_CO"].stderr == pytest.approx(expected, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=50.0), min_size=3, max_size=3).filter(
        lambda v: sum(v) > 1e-6
    )
)
def test_selectivities_sum_to_one_on_both_bases(finals: list[float]) -> None:
    frame = pd.DataFrame(
        {
            "time_h": [60.0, 120.0],
            "CO_umol": [finals[0] / 2, finals[0]],
            "H2_umol": [finals[1] / 2, finals[1]],
            "CH4_umol": [finals[2] / 2, finals[2]],
        }
    )
    q = performance(frame).quantities
    for basis in ("product", "electron"):
        total = sum(q[f"selectivity_{basis}_{p}"].value for p in ("CO", "H2", "CH4"))
        assert total == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0.1, max_value=500.0), st.floats(min_value=1.01, max_value=20.0))
def test_aqy_scales_as_inverse_power(power: float, factor: float) -> None:
    frame = pd.DataFrame({"time_h": [60.0, 120.0], "CO_umol": [6.1, 12.2]})
    a = performance(frame, light=MonochromaticLight(450.0, power, 1.0)).quantities["CO_aqy_pct"]
    b = performance(frame, light=MonochromaticLight(450.0, power * factor, 1.0)).quantities[
        "CO_aqy_pct"
    ]
    assert a.value / b.value == pytest.approx(factor, rel=1e-9)


# ------------------------------------------------------------------------------------------------
# Other inputs: GC areas, broadband light, donor, controls, points file
# ------------------------------------------------------------------------------------------------


def test_gc_areas_round_trip(tmp_path: Path) -> None:
    from qdcat.catalysis.gc import Reactor, simulate_gc

    truth = pd.DataFrame(
        {"time_h": [24.0, 48.0, 72.0, 96.0, 120.0], "CO_umol": np.linspace(2.44, 12.2, 5)}
    )
    truth["H2_umol"] = truth["CO_umol"] / 12.2
    reactor = Reactor(headspace_mL=10.0, injection_uL=500.0)
    standards, samples = simulate_gc(
        truth, reactor, slope_area_ppm={"CO": 3.0, "H2": 1.5}, area_noise_sd=0.0
    )
    standards.to_csv(tmp_path / "standards.csv", index=False)
    samples.to_csv(tmp_path / "samples.csv", index=False)
    text = """
[sample]
name = "gc"
catalyst_mass_mg = 0.191
[gc]
standards = "standards.csv"
samples = "samples.csv"
headspace_mL = 10.0
injection_uL = 500.0
"""
    r = analyse_run(load_run(write(tmp_path, text)))
    # noiseless areas: the amounts produced (incl. gas withdrawn by earlier injections) come back
    assert r.quantities["CO_amount_umol"].value == pytest.approx(12.2, rel=1e-6)
    assert r.quantities["H2_amount_umol"].value == pytest.approx(1.0, rel=1e-6)
    assert r.quantities["CO_rate_umol_g_h"].value == pytest.approx(532.29, abs=0.01)


def test_gc_areas_with_noise_carry_a_calibration_error(tmp_path: Path) -> None:
    from qdcat.catalysis.gc import Reactor, simulate_gc

    truth = pd.DataFrame({"time_h": [40.0, 80.0, 120.0], "CO_umol": [4.0, 8.1, 12.2]})
    reactor = Reactor(headspace_mL=10.0)
    standards, samples = simulate_gc(
        truth, reactor, slope_area_ppm={"CO": 3.0}, area_noise_sd=30.0, rng=4
    )
    standards.to_csv(tmp_path / "standards.csv", index=False)
    samples.to_csv(tmp_path / "samples.csv", index=False)
    text = '[sample]\nname = "gc"\n[gc]\nstandards = "standards.csv"\nsamples = "samples.csv"\n'
    text += "headspace_mL = 10.0\n"
    q = analyse_run(load_run(write(tmp_path, text))).quantities["CO_amount_umol"]
    assert q.stderr is not None and q.stderr > 0
    # 12.2 umol in 10 mL at 298.15 K, 1 atm is 29,800 ppm -> area ~89,000; noise 30 is
    # 0.03 %, so the recovered amount is within a few standard errors of the truth
    assert abs(q.value - 12.2) < 5 * q.stderr + 1e-3


def test_broadband_am15g_light(tmp_path: Path) -> None:
    from qdcat.catalysis.spectra import solar_simulator_spectrum

    text = (
        '[sample]\nname = "b"\n[light]\nspectrum = "AM1.5G"\nirradiance_mW_cm2 = 100\n'
        'band_nm = [380, 780]\nreading = "full"\narea_cm2 = 2.0\n' + POINTS
    )
    r = analyse_run(load_run(write(tmp_path, text)))
    expected = solar_simulator_spectrum(100.0, band_nm=(380.0, 780.0), reading="full")
    flux = expected.photon_flux_umol_h(2.0)
    assert r.quantities["photon_flux_umol_h"].value == pytest.approx(flux, rel=1e-12)
    doc = performance_json(r)
    assert doc["aqy_percent"] == {}  # defined for monochromatic light only
    assert doc["aqy_broadband_percent"]["CO"] == pytest.approx(2 * 12.2 / 120 / flux * 100)
    assert doc["light"]["irradiance_reading"] == "full"
    assert "broadband light" in doc["light"]["note"]


def test_donor_budget_and_controls(tmp_path: Path) -> None:
    text = (
        HEAD
        + POINTS
        + """
[donor]
name = "ascorbic acid"
concentration_mM = 100
volume_mL = 5

[[controls]]
condition = "dark"
CO_umol = 0.01
[[controls]]
condition = "Ar"
duration_h = 24
CO_umol = 0.3
[[controls]]
condition = "13CO2"
labelled_fraction = 0.97
"""
    )
    r = analyse_run(load_run(write(tmp_path, text)))
    q = r.quantities
    # electrons = 2 x 12.2 + 2 x 1.0 + 8 x 0.06 = 26.88 umol -> 13.44 umol ascorbic acid of the
    # 100 mM x 5 mL = 500 umol supplied: 2.688 %
    assert q["donor_consumed_umol"].value == pytest.approx(13.44)
    assert q["donor_consumed_fraction"].value == pytest.approx(13.44 / 500)
    # dark: 0.01/120 over 12.2/120 = 0.082 % (passes 5 %); Ar: (0.3/24) / (12.2/120) = 12.3 %
    assert q["control_dark_CO_fraction"].value == pytest.approx(0.01 / 12.2)
    assert q["control_argon_CO_fraction"].value == pytest.approx((0.3 / 24) / (12.2 / 120))
    failed = [w for w in r.warnings if w.startswith("CONTROL FAILED")]
    assert len(failed) == 1 and "'Ar'" in failed[0]
    assert r.metadata["controls_passed"] is False


def test_points_file_with_replicates(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "run,time_h,CO_umol,H2_umol\n1,60,6,0.5\n1,120,12,1\n2,60,6.2,0.5\n2,120,12.4,1\n"
    )
    run = load_run(write(tmp_path, 'points_file = "p.csv"\n[sample]\nname = "f"\n'))
    q = analyse_run(run).quantities
    assert q["CO_amount_umol"].value == pytest.approx(12.2)
    assert q["CO_amount_umol"].stderr == pytest.approx(0.2)


# ------------------------------------------------------------------------------------------------
# Bad input: a ConfigError naming the file, the key and the line
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        (("CO_umol = 12.2", "CO_umol = -12.2"), "points[1].CO_umol", "negative"),
        (("CO_umol = 12.2", "CO_umol = 1.2"), "points[1].CO_umol", "decreases"),
        (("time_h = 120", "time_h = 12"), "points[1].time_h", "not increasing"),
        (("CH4_umol = 0.06", "CO3_umol = 0.06"), "points[1].CO3_umol", "unknown product"),
        (("area_cm2 = 1.0", "area_cm2 = 0"), "light.area_cm2", "greater than 0"),
        (("wavelength_nm = 400\n", ""), "light.wavelength_nm", "missing"),
        (('name = "2/12ZCIS"\n', ""), "sample.name", "missing"),
        (("catalyst_mass_mg", "catalyst_mas_mg"), "sample.catalyst_mas_mg", "catalyst_mass_mg"),
        (("time_h = 24", "tme_h = 24"), "points[0].time_h", "missing"),
    ],
)
def test_bad_run_files(tmp_path: Path, edit: tuple[str, str], key: str, words: str) -> None:
    text = (HEAD + POINTS).replace(*edit)
    f = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_run(f)
    msg = str(info.value)
    assert str(f) in msg and key in msg and words in msg, msg
    assert info.value.line is not None, msg


def test_bad_run_file_lines_point_at_the_key(tmp_path: Path) -> None:
    text = (HEAD + POINTS).replace("area_cm2 = 1.0", "area_cm2 = 0.0")
    f = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_run(f)
    line = text.splitlines()[info.value.line - 1]
    assert line.startswith("area_cm2")


def test_other_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run file not found"):
        load_run(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="malformed TOML"):
        parse_run("[sample\nname=1", path="x.toml")
    with pytest.raises(ConfigError, match="no cumulative amounts"):
        parse_run('[sample]\nname = "x"\n', path="x.toml")
    with pytest.raises(ConfigError, match="fewer than 2 time points"):
        parse_run('[sample]\nname = "x"\n[[points]]\ntime_h = 1\nCO_umol = 1\n', path="x.toml")
    with pytest.raises(ConfigError, match=r"donor\.volume_mL"):
        parse_run(HEAD + POINTS + "[donor]\nconcentration_mM = 100\n", path="x.toml")
    with pytest.raises(ConfigError, match=r"reported\.CO_rate_umol_gh"):
        parse_run(HEAD + POINTS + "[reported]\nCO_rate_umol_gh = 5\n", path="x.toml")
    with pytest.raises(ConfigError, match="power_mW_cm2 belongs to monochromatic"):
        parse_run(
            HEAD.replace("wavelength_nm = 400\n", 'spectrum = "AM1.5G"\n') + POINTS, path="x.toml"
        )
    with pytest.raises(ConfigError, match="spectrum file not found"):
        parse_run(
            '[sample]\nname = "x"\n[light]\nspectrum = "lamp.csv"\narea_cm2 = 1\n' + POINTS,
            path="x.toml",
            base_dir=tmp_path,
        )


# ------------------------------------------------------------------------------------------------
# AQY spectrum and figures
# ------------------------------------------------------------------------------------------------


def test_aqy_spectrum_recovers_stated_values() -> None:
    # amounts made in 10 h at 2 mW cm-2 on 1 cm2 so that AQY = 0.32, 0.25, 0.11, 0.05 %:
    # n = AQY/100 x N t / 2 with N = 12.0375 x lambda/400 x 2 umol h-1
    aqy = {400: 0.32, 450: 0.25, 500: 0.11, 550: 0.05}
    rows = []
    for wl, a in aqy.items():
        flux = 12.0375 * wl / 400 * 2.0
        rows.append(
            {
                "wavelength_nm": wl,
                "power_mW_cm2": 2.0,
                "area_cm2": 1.0,
                "duration_h": 10.0,
                "CO_umol": a / 100 * flux * 10 / 2,
            }
        )
    r = aqy_spectrum(pd.DataFrame(rows))
    for wl, a in aqy.items():
        assert r.quantities[f"aqy_{wl}nm_pct"].value == pytest.approx(a, rel=2e-4)
    wl = np.arange(350.0, 801.0, 5.0)
    fig = plot_aqy_spectrum(r, (wl, np.exp(-(wl - 350) / 100)))
    assert len(fig.axes) == 2


def test_figures_render() -> None:
    r = analyse_run(load_run(PAPER_RUN))
    fig = plot_performance(r)
    assert len(fig.axes) == 4
    fig = plot_performance_comparison({"a": r, "b": r})
    assert len(fig.axes) == 3
    assert fig.axes[1].get_yscale() == "log"


def test_shipped_run_examples(tmp_path: Path) -> None:
    from qdcat.examples.generate_catalysis import generate_run_examples

    # the shipped GC tables are exactly what the generator makes
    for p in generate_run_examples(tmp_path):
        assert p.read_bytes() == (PAPER_RUN.parent / "data" / p.name).read_bytes(), p.name
    # every shipped run file loads and gives CO close to the paper's 12.2 umol (simulated
    # with 3 % reading noise on two runs, quantified through the simulated GC)
    for f in sorted(PAPER_RUN.parent.glob("*.toml")):
        r = analyse_run(load_run(f))
        assert abs(r.quantities["CO_amount_umol"].value / 12.2 - 1) < 0.065, f.name
        assert not any(w.startswith("INCONSISTENT") for w in r.warnings), (f.name, r.warnings)
    checked = analyse_run(load_run(PAPER_RUN.parent / "paper_2_12_checked.toml"))
    # two runs 12.0 and 12.4: se 0.2; TON rel. error sqrt((0.2/12.2)^2 + (0.005/0.191)^2)
    rel = math.sqrt((0.2 / 12.2) ** 2 + (0.005 / 0.191) ** 2)
    ton = checked.quantities["CO_ton_per_qd"]
    assert ton.stderr / ton.value == pytest.approx(rel, rel=1e-9)
    # AQY rel. error sqrt((0.2/12.2)^2 + (0.1/5.28)^2) (rate and power)
    aqy = checked.quantities["CO_aqy_pct"]
    assert aqy.stderr / aqy.value == pytest.approx(math.hypot(0.2 / 12.2, 0.1 / 5.28), rel=1e-9)


def test_molar_mass_and_surface_cu_from_a_dot_model(tmp_path: Path) -> None:
    """``[sample] qd_model``: moles of dots and surface Cu come from the dot model.

    By hand: TON per dot = n_CO / (m / M) with m = 0.191e-3 g and M the model's molar mass;
    TON per surface Cu = TON per dot / (surface Cu per dot). The model is built here a second
    time, independently of the run file.
    """
    from qdcat.examples.generate_structure import dot_parameters
    from qdcat.structure.model import build_dot

    params = dot_parameters("2-12ZCIS")  # no list values: every entry is a TOML scalar
    text = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in params.items())
    (tmp_path / "dot.toml").write_text(text)
    run_text = (
        '[sample]\nname = "2/12ZCIS"\ncatalyst_mass_mg = 0.191\nqd_model = "dot.toml"\n'
        "[[points]]\ntime_h = 24\nCO_umol = 2.4\n[[points]]\ntime_h = 120\nCO_umol = 12.2\n"
    )
    (tmp_path / "run.toml").write_text(run_text)
    result = analyse_run(load_run(tmp_path / "run.toml"))
    dot = build_dot(**params)
    n_qd_umol = 0.191e-3 / dot.molar_mass_g_mol * 1e6
    ton = 12.2 / n_qd_umol
    assert float(result.quantities["CO_ton_per_qd"].value) == pytest.approx(ton, rel=1e-9)
    n_cu = dot.summary()["n_surface_cu"]
    assert float(result.quantities["CO_ton_per_surface_cu"].value) == pytest.approx(
        ton / n_cu, rel=1e-9
    )
    # a missing model file names the key
    (tmp_path / "run2.toml").write_text(run_text.replace('"dot.toml"', '"nope.toml"'))
    with pytest.raises(InputError, match=r"sample\.qd_model"):
        analyse_run(load_run(tmp_path / "run2.toml"))
