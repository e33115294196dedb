"""Tests of qdcat.catalysis.photons and qdcat.catalysis.spectra: photon accounting.

Every expected number is worked out independently in a comment (hand arithmetic from h, c and
N_A, a published value with its source, or an analytic property), not copied from the code.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from qdcat.catalysis.photons import (
    BroadbandLight,
    GIBBS_ENERGY_kJ_mol,
    MonochromaticLight,
    absorbed_fraction,
    absorbed_photon_flux_umol_h,
    aqy_percent,
    iqy_percent,
    light_from_config,
    photon_accounting,
    photon_energy_eV,
    photon_flux_per_s,
    photon_flux_umol_h,
    plot_photons,
    solar_to_fuel,
)
from qdcat.catalysis.spectra import (
    Spectrum,
    am15g_spectrum,
    read_light_spectrum,
    solar_simulator_spectrum,
)
from qdcat.core.errors import ConfigError, InputError

FARADAY_C_MOL = 96485.33212  # CODATA 2018 (exact: e N_A)


# ----------------------------------------------------------------------------------------------
# Monochromatic photon flux
# ----------------------------------------------------------------------------------------------


def test_photon_flux_400nm_1mW_by_hand() -> None:
    # E = h c / lambda = 6.62607015e-34 J s x 299792458 m s-1 / 400e-9 m = 4.966115e-19 J.
    # 1 mW -> 1e-3 / 4.966115e-19 = 2.013647e15 photons s-1
    # / N_A (6.02214076e23) = 3.343756e-9 mol s-1; x 3600 s h-1 = 1.203752e-5 mol h-1
    # = 12.0375 umol h-1 (the 12.04 umol h-1).
    assert photon_flux_per_s(400, 1.0, 1.0) == pytest.approx(2.013647e15, rel=1e-6)
    assert photon_flux_umol_h(400, 1.0, 1.0) == pytest.approx(12.03752, rel=1e-5)
    assert round(photon_flux_umol_h(400, 0.5, 2.0), 2) == 12.04  # 0.5 mW cm-2 on 2 cm2 = 1 mW
    # E in eV = 1239.84198 eV nm / 400 nm = 3.09960 eV
    assert photon_energy_eV(400) == pytest.approx(3.099605, rel=1e-6)


def test_paper_aqy_at_400_nm_by_hand() -> None:
    # Seed paper: 12.2 umol CO in 120 h -> 0.101667 umol h-1; AQY(400 nm) = 0.32 %.
    # With 5.28 mW cm-2 on 1 cm2 (the run file) the photon rate is
    # 12.03752 x 5.28 = 63.5581 umol h-1 and AQY = 2 x 0.101667 / 63.5581 x 100 = 0.3199 %.
    flux = photon_flux_umol_h(400, 5.28, 1.0)
    assert flux == pytest.approx(63.5581, rel=1e-5)
    assert aqy_percent(12.2 / 120, 2, flux) == pytest.approx(0.31992, rel=1e-4)


@settings(max_examples=40, deadline=None)
@given(
    wavelength=st.floats(250, 2000),
    power=st.floats(0.01, 500),
    area=st.floats(0.01, 50),
    k=st.floats(0.1, 20),
    rate=st.floats(0.0, 100),
)
def test_aqy_scales_as_one_over_power(wavelength, power, area, k, rate) -> None:
    # N = P lambda / (h c): k times the power gives k times the photons and 1/k the AQY.
    base = aqy_percent(rate, 2, photon_flux_umol_h(wavelength, power, area))
    scaled = aqy_percent(rate, 2, photon_flux_umol_h(wavelength, k * power, area))
    assert scaled * k == pytest.approx(base, rel=1e-9, abs=1e-300)
    # ... and the photon rate is proportional to wavelength and area
    assert photon_flux_umol_h(wavelength, power, k * area) == pytest.approx(
        k * photon_flux_umol_h(wavelength, power, area), rel=1e-12
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((400, 1.0, 0.0), "area_cm2"),
        ((400, 1.0, -2.0), "area_cm2"),
        ((400, -1.0, 1.0), "power_mW_cm2"),
        ((400, 0.0, 1.0), "power_mW_cm2"),
        ((0.4, 1.0, 1.0), "wavelength_nm"),  # um instead of nm
        ((40000, 1.0, 1.0), "wavelength_nm"),
        ((float("nan"), 1.0, 1.0), "wavelength_nm"),
    ],
)
def test_bad_light_raises_naming_the_field(args, field) -> None:
    with pytest.raises(InputError) as info:
        photon_flux_umol_h(*args)
    assert info.value.field == field
    assert field in str(info.value)
    with pytest.raises(InputError, match=field):
        MonochromaticLight(*args)


def test_bad_aqy_arguments() -> None:
    with pytest.raises(InputError, match="rate_umol_h"):
        aqy_percent(-0.1, 2, 10.0)
    with pytest.raises(InputError, match="photon_flux_umol_h"):
        aqy_percent(0.1, 2, 0.0)
    with pytest.raises(InputError, match="electrons_per_product"):
        aqy_percent(0.1, 0, 10.0)


# ----------------------------------------------------------------------------------------------
# AM1.5G and solar simulators
# ----------------------------------------------------------------------------------------------


def test_am15g_integral_and_visible_share() -> None:
    am = am15g_spectrum()
    # ASTM G173-03 / NREL: the AM1.5G global tilt spectrum integrates to 1000.4 W m-2.
    assert am.irradiance_W_m2() == pytest.approx(1000.4, abs=0.1)
    assert am.wavelength_nm[0] == 280 and am.wavelength_nm[-1] == 4000
    # The issue: about 53 % of it lies in 380-780 nm, so the two readings of "100 mW cm-2"
    # differ by about 1 / 0.534 = 1.87.
    share = am.irradiance_W_m2((380, 780)) / am.irradiance_W_m2()
    assert share == pytest.approx(0.534, abs=0.005)


def test_am15g_photon_flux_matches_the_raw_table() -> None:
    # Independent integral straight from the packaged CSV: photons s-1 m-2 =
    # trapz(E lambda / (h c)); 280-4000 nm AM1.5G gives about 4.3e21 m-2 s-1.
    from importlib import resources

    text = resources.files("qdcat.data").joinpath("astm_g173_03.csv").read_text()
    rows = [line.split(",") for line in text.splitlines()[2:]]
    wl = np.array([float(r[0]) for r in rows])
    g = np.array([float(r[2]) for r in rows])
    q = g * wl * 1e-9 / (6.62607015e-34 * 299792458.0)
    per_s_m2 = float(np.sum((q[1:] + q[:-1]) / 2 * np.diff(wl)))
    assert per_s_m2 == pytest.approx(4.3e21, rel=0.01)
    umol_h_cm2 = per_s_m2 * 1e-4 / 6.02214076e23 * 3600 * 1e6
    assert am15g_spectrum().photon_flux_umol_h(1.0) == pytest.approx(umol_h_cm2, rel=1e-9)


def test_simulator_readings_differ_by_1_87() -> None:
    filtered = solar_simulator_spectrum(100, band_nm=(380, 780), reading="filtered")
    full = solar_simulator_spectrum(100, band_nm=(380, 780), reading="full")
    # filtered: the 100 mW cm-2 are in the band; full: 100 mW cm-2 of AM1.5G then the filter,
    # leaving 53.4 mW cm-2.
    assert filtered.irradiance_mW_cm2() == pytest.approx(100.0, rel=1e-12)
    assert full.irradiance_mW_cm2() == pytest.approx(53.4, abs=0.1)
    ratio = filtered.photon_flux_umol_h(1.0) / full.photon_flux_umol_h(1.0)
    assert ratio == pytest.approx(1.87, abs=0.01)
    assert filtered.metadata["reading"] == "filtered" and full.metadata["reading"] == "full"
    assert "after the filter" in filtered.metadata["reading_text"]
    assert full.wavelength_nm[0] == 380 and full.wavelength_nm[-1] == 780
    with pytest.raises(InputError, match="reading"):
        solar_simulator_spectrum(100, reading="measured")


def test_narrow_line_equals_monochromatic_flux() -> None:
    # A 0.5 nm wide Gaussian line at 500 nm carrying 2 mW cm-2 holds (to <1e-6) the photons of
    # 2 mW cm-2 at exactly 500 nm: q ~ E lambda is linear across a symmetric line.
    wl = np.linspace(490, 510, 4001)
    shape = np.exp(-0.5 * ((wl - 500) / 0.5) ** 2)
    e = shape / np.trapezoid(shape, wl) * 20.0  # 20 W m-2 = 2 mW cm-2
    light = BroadbandLight(Spectrum(wl, e, "line"), 3.0)
    assert light.irradiance_mW_cm2 == pytest.approx(2.0, rel=1e-9)
    assert light.photon_flux_umol_h() == pytest.approx(photon_flux_umol_h(500, 2.0, 3.0), rel=1e-6)


# ----------------------------------------------------------------------------------------------
# Absorbed photons, IQY
# ----------------------------------------------------------------------------------------------


def test_absorbed_fraction_values() -> None:
    # 1 - 10^-A: A = 1 -> 0.9, A = 2 -> 0.99, A = 0 -> 0; negative baseline counts as 0
    assert absorbed_fraction([0.0, 1.0, 2.0, -0.01]) == pytest.approx([0.0, 0.9, 0.99, 0.0])


def test_absorbed_photons_monochromatic_and_flat() -> None:
    mono = MonochromaticLight(400, 5.28, 1.0)
    # absorbance spectrum 300-800 nm, A(400 nm) = 0.3 by linear interpolation between
    # (350, 0.4) and (450, 0.2): absorbed = (1 - 10^-0.3) x 63.5581 = 0.498813 x 63.5581
    spectrum = (np.array([300.0, 350.0, 450.0, 800.0]), np.array([0.5, 0.4, 0.2, 0.0]))
    absorbed = absorbed_photon_flux_umol_h(mono, spectrum)
    assert absorbed == pytest.approx((1 - 10**-0.3) * 63.5581, rel=1e-5)
    # IQY = AQY / absorbed fraction
    r = photon_accounting(mono, rates_umol_h={"CO": 0.1}, absorbance=spectrum)
    aqy = r.quantities["CO_aqy_pct"].value
    assert r.quantities["CO_iqy_pct"].value == pytest.approx(aqy / (1 - 10**-0.3), rel=1e-9)
    assert iqy_percent(0.1, 2, absorbed) == pytest.approx(aqy / (1 - 10**-0.3), rel=1e-9)
    # a flat absorbance A on broadband light absorbs exactly 1 - 10^-A of every photon
    light = BroadbandLight(solar_simulator_spectrum(100), 1.0)
    assert absorbed_photon_flux_umol_h(light, 0.5) == pytest.approx(
        light.photon_flux_umol_h() * (1 - 10**-0.5), rel=1e-12
    )


def test_absorbed_photons_of_an_edge() -> None:
    # A sample that is black (A = 6) below 550 nm and transparent above 551 nm absorbs the
    # photons of the 380-550 nm part of the light plus part of the 550-551 nm interval (the
    # AM1.5G table, and so the light, is sampled every 1 nm there).
    light = BroadbandLight(solar_simulator_spectrum(100), 1.0)
    wl = np.array([300.0, 550.0, 551.0, 900.0])
    a = np.array([6.0, 6.0, 0.0, 0.0])
    absorbed = absorbed_photon_flux_umol_h(light, (wl, a))
    assert light.spectrum.photon_flux_umol_h(1.0, (380, 550)) < absorbed
    assert absorbed < light.spectrum.photon_flux_umol_h(1.0, (380, 551))
    # an absorbance spectrum that does not cover the light is an error naming 'absorbance'
    with pytest.raises(InputError, match="absorbance"):
        absorbed_photon_flux_umol_h(light, (np.array([400.0, 700.0]), np.array([1.0, 0.1])))


# ----------------------------------------------------------------------------------------------
# Solar-to-fuel
# ----------------------------------------------------------------------------------------------


def test_gibbs_energies_match_thermodynamic_cell_voltages() -> None:
    # dG / (z F) is the thermodynamic cell voltage of CO2 + H2O -> product + O2:
    # CO 1.33 V, H2 1.23 V, HCOOH 1.40 V, CH3OH 1.21 V, CH4 1.06 V (textbook values, e.g.
    # CO2 reduction potentials vs RHE -0.10/-0.17/+0.02/+0.17 V against O2/H2O at 1.23 V).
    volts = {"CO": 1.33, "H2": 1.23, "HCOOH": 1.40, "CH3OH": 1.21, "CH4": 1.06}
    z = {"CO": 2, "H2": 2, "HCOOH": 2, "CH3OH": 6, "CH4": 8}
    for product, v in volts.items():
        assert GIBBS_ENERGY_kJ_mol[product] * 1e3 / (z[product] * FARADAY_C_MOL) == pytest.approx(
            v, abs=0.006
        )


def test_solar_to_fuel_by_hand_and_sacrificial_donor() -> None:
    sun = BroadbandLight(solar_simulator_spectrum(100, band_nm=None), 1.0)  # 1 sun, 100 mW
    # 1 umol h-1 CO = 2.7778e-10 mol s-1 x 257191 J mol-1 = 7.1442e-5 W on 0.1 W -> 0.071442 %
    r = solar_to_fuel(sun, {"CO": 1.0}, sacrificial_donor=None)
    assert r.quantities["stf_pct"].value == pytest.approx(0.071442, rel=1e-4)
    assert r.metadata["is_solar_to_fuel"] is True and not r.warnings
    # with ascorbic acid the same arithmetic is NOT a solar-to-fuel efficiency, and says so
    r = solar_to_fuel(sun, {"CO": 1.0}, sacrificial_donor="ascorbic acid")
    assert "stf_pct" not in r.quantities
    assert r.quantities["apparent_stf_pct"].value == pytest.approx(0.071442, rel=1e-4)
    assert r.metadata["is_solar_to_fuel"] is False
    assert any("not a solar-to-fuel efficiency" in w for w in r.warnings)
    # the paper's 380-780 nm simulator is not 1 sun of AM1.5G either
    lamp = BroadbandLight(solar_simulator_spectrum(100), 1.0)
    r = solar_to_fuel(lamp, {"CO": 1.0}, sacrificial_donor=None)
    assert "stf_pct" not in r.quantities and any("AM1.5G" in w for w in r.warnings)


def test_photon_accounting_result_and_stderr() -> None:
    light = MonochromaticLight(400, 5.28, 1.0)
    r = photon_accounting(
        light,
        rates_umol_h={"CO": 0.1, "H2": 0.01},
        rates_stderr_umol_h={"CO": 0.005, "H2": 0.001},
        sacrificial_donor="ascorbic acid",
    )
    flat = r.flat()
    assert flat["photon_flux_umol_h"] == pytest.approx(63.5581, rel=1e-5)
    # stderr of AQY = 2 x 0.005 / 63.5581 x 100 = 0.015734 %
    assert flat["CO_aqy_stderr_pct"] == pytest.approx(0.015734, rel=1e-4)
    # total: 2 x (0.1 + 0.01) / 63.5581 x 100 = 0.346140 %
    assert flat["aqy_total_pct"] == pytest.approx(0.346140, rel=1e-5)
    assert flat["is_solar_to_fuel"] is False and "apparent_stf_pct" in flat
    with pytest.raises(InputError, match="CH3COOH"):
        photon_accounting(light, rates_umol_h={"CH3COOH": 0.1})
    fig = plot_photons(r)
    assert isinstance(fig, Figure)


# ----------------------------------------------------------------------------------------------
# Spectrum files and run-file tables
# ----------------------------------------------------------------------------------------------


def test_read_light_spectrum(tmp_path: Path) -> None:
    absolute = tmp_path / "lamp.csv"
    # flat 1 W m-2 nm-1 from 400 to 500 nm = 100 W m-2 = 10 mW cm-2
    absolute.write_text(
        "Wavelength (nm),Irradiance (W m-2 nm-1)\n400,1\n450,1\n500,1\n", encoding="utf-8"
    )
    s = read_light_spectrum(absolute)
    assert s.irradiance_mW_cm2() == pytest.approx(10.0)
    relative = tmp_path / "shape.csv"
    relative.write_text("wavelength_nm,counts\n400,5\n450,5\n500,5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_light_spectrum(relative)
    assert "shape.csv" in str(info.value) and info.value.field == "irradiance_mW_cm2"
    scaled = read_light_spectrum(relative, irradiance_mW_cm2=25.0)
    assert scaled.irradiance_mW_cm2() == pytest.approx(25.0)


def test_light_from_config(tmp_path: Path) -> None:
    light = light_from_config({"wavelength_nm": 400, "power_mW_cm2": 5.28, "area_cm2": 1.0})
    assert isinstance(light, MonochromaticLight)
    assert light.photon_flux_umol_h() == pytest.approx(63.5581, rel=1e-5)
    sim = light_from_config(
        {"spectrum": "AM1.5G", "band_nm": [380, 780], "reading": "full", "area_cm2": 2.0}
    )
    assert isinstance(sim, BroadbandLight)
    assert sim.irradiance_mW_cm2 == pytest.approx(53.4, abs=0.1)
    with pytest.raises(ConfigError) as info:
        light_from_config(
            {"wavelength_nm": 400, "power_mW_cm2": -1, "area_cm2": 1.0}, file="run.toml"
        )
    assert info.value.key_path == "light.power_mW_cm2" and "run.toml" in str(info.value)
    # a spectrum file relative to the run file's folder, rescaled to the stated irradiance
    (tmp_path / "lamp.csv").write_text("wavelength_nm,counts\n400,1\n700,1\n", encoding="utf-8")
    lamp = light_from_config(
        {"spectrum": "lamp.csv", "irradiance_mW_cm2": 50.0, "area_cm2": 2.0}, base_dir=tmp_path
    )
    assert isinstance(lamp, BroadbandLight) and lamp.power_mW == pytest.approx(100.0)
    with pytest.raises(ConfigError) as info:
        light_from_config(
            {"spectrum": "lamp.csv", "reading": "full", "area_cm2": 2.0}, base_dir=tmp_path
        )
    assert info.value.key_path == "light.reading"
    with pytest.raises(ConfigError, match=r"light\.colour"):
        light_from_config({"wavelength_nm": 400, "power_mW_cm2": 1, "area_cm2": 1, "colour": 1})
    with pytest.raises(ConfigError, match=r"light\.area_cm2"):
        light_from_config({"wavelength_nm": 400, "power_mW_cm2": 1})


def test_spectrum_validation() -> None:
    with pytest.raises(InputError, match="irradiance_W_m2_nm"):
        Spectrum(np.array([400.0, 500.0]), np.array([1.0, -1.0]))
    with pytest.raises(InputError, match="wavelength_nm"):
        Spectrum(np.array([400.0, 400.0]), np.array([1.0, 1.0]))
    with pytest.raises(InputError, match="band_nm"):
        am15g_spectrum().irradiance_W_m2((250, 500))  # outside the table
    frame = pd.DataFrame({"wavelength_nm": [300.0, 800.0], "absorbance": [1.0, 1.0]})
    light = MonochromaticLight(450, 1.0, 1.0)
    assert absorbed_photon_flux_umol_h(light, frame) == pytest.approx(
        0.9 * light.photon_flux_umol_h()
    )
    assert math.isclose(
        photon_accounting(light, absorbance=frame).quantities["absorbed_fraction"].value, 0.9
    )
