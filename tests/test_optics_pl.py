"""Steady-state PL (qdcat.optics.photoluminescence): Jacobian, peak, Stokes shift, QY.

Truths: emission simulated as a Gaussian in photon energy recorded per unit wavelength
(simulate_pl, Poisson counts), absorbance from the forward model with a known exciton, and
hand-worked values stated beside each assertion.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.optics import (
    AbsorptionParams,
    pl_energy_spectrum,
    pl_peak,
    plot_absorption_pl,
    plot_absorption_pl_comparison,
    plot_pl_peak,
    relative_quantum_yield,
    simulate_absorbance,
    simulate_pl,
    stokes_shift,
    true_band_gap_eV,
)


def value(result, name: str) -> tuple[float, float]:
    q = result.quantities[name]
    return float(q.value), float("nan") if q.stderr is None else float(q.stderr)


# ------------------------------------------------------------------------------- Jacobian


def test_jacobian_of_a_flat_spectrum() -> None:
    # I(lambda) = 1 per nm -> I(E) = lambda^2 / hc = hc / E^2 per eV
    wl = np.linspace(400.0, 900.0, 101)
    da = xr.DataArray(np.ones(wl.size), dims="wavelength_nm", coords={"wavelength_nm": wl})
    out = pl_energy_spectrum(da)
    E = out["energy_eV"].values
    assert np.all(np.diff(E) > 0)
    np.testing.assert_allclose(out.values, HC_eV_nm / E**2, rtol=1e-12)


def test_jacobian_conserves_the_integral() -> None:
    # a band per nm, finely sampled: int I(lambda) dlambda = int I(E) dE (both trapezoid)
    wl = np.linspace(450.0, 950.0, 5001)
    band = np.exp(-0.5 * ((wl - 680.0) / 40.0) ** 2) + 0.3 * np.exp(-0.5 * ((wl - 560) / 15) ** 2)
    da = xr.DataArray(band, dims="wavelength_nm", coords={"wavelength_nm": wl})
    out = pl_energy_spectrum(da)
    area_wl = np.trapezoid(band, wl)
    area_e = np.trapezoid(out.values, out["energy_eV"].values)
    assert area_e == pytest.approx(area_wl, rel=1e-5)


def test_energy_input_is_only_sorted() -> None:
    E = np.linspace(2.2, 1.5, 50)
    da = xr.DataArray(np.arange(50.0), dims="energy_eV", coords={"energy_eV": E})
    out = pl_energy_spectrum(da)
    np.testing.assert_allclose(out.values, np.arange(50.0)[::-1])


# ------------------------------------------------------------------------------- peak


def test_peak_round_trip_and_why_the_jacobian_matters() -> None:
    da = simulate_pl(1.76, 0.32, rng=1)
    r = pl_peak(da)
    peak, s_peak = value(r, "pl_peak_eV")
    fwhm, s_fwhm = value(r, "pl_fwhm_eV")
    assert abs(peak - 1.76) <= max(4 * s_peak, 2e-4)
    assert abs(fwhm - 0.32) <= max(4 * s_fwhm, 5e-4)
    assert value(r, "pl_peak_nm")[0] == pytest.approx(HC_eV_nm / peak)
    # the maximum of the spectrum *per nm* lies to the blue of the energy peak: per nm the
    # band is G(E) hc/lambda^2 ~ G(E) E^2, whose maximum solves -(E - E0)/s^2 + 2/E = 0, i.e.
    # E - E0 = 2 s^2 / E = 2 (0.32/2.3548)^2 / 1.78 = 21 meV: without the Jacobian the peak
    # is wrong by that much
    clean = simulate_pl(1.76, 0.32, noise=False)
    naive = HC_eV_nm / float(clean["wavelength_nm"][int(np.argmax(clean.values))])
    assert naive - 1.76 == pytest.approx(0.0207, abs=0.002)  # 1-nm grid
    # model-free values agree with the fit
    assert value(r, "pl_peak_max_eV")[0] == pytest.approx(1.76, abs=0.01)
    assert r.quantities["pl_fwhm_halfmax_eV"].value == pytest.approx(0.32, abs=0.01)
    assert r.quantities["pl_peak_max_eV"].stderr is None
    # the dark counts (simulate_pl default: 20 per bin) are recovered per bin
    assert value(r, "pl_background")[0] == pytest.approx(20.0, abs=4 * value(r, "pl_background")[1])


@settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    peak=st.floats(1.6, 2.3),
    fwhm=st.floats(0.08, 0.4),
    counts=st.floats(500.0, 5e4),
    seed=st.integers(0, 2**31 - 1),
)
def test_peak_over_parameter_space(peak: float, fwhm: float, counts: float, seed: int) -> None:
    r = pl_peak(simulate_pl(peak, fwhm, peak_counts=counts, rng=seed))
    p, sp = value(r, "pl_peak_eV")
    w, sw = value(r, "pl_fwhm_eV")
    assert abs(p - peak) <= 4.5 * sp
    assert abs(w - fwhm) <= 4.5 * sw


def test_standard_error_coverage() -> None:
    # sandwich (heteroscedasticity-consistent) errors of an unweighted fit to Poisson counts:
    # |error| <= 2 stderr in 56/60 (peak) and 52/60 (FWHM) when written; require 80 %
    inside_p, inside_w = [], []
    for seed in range(60):
        peak, fwhm = 1.7 + 0.005 * seed, 0.2 + 0.002 * seed
        r = pl_peak(simulate_pl(peak, fwhm, peak_counts=5000, background_counts=50, rng=seed))
        p, sp = value(r, "pl_peak_eV")
        w, sw = value(r, "pl_fwhm_eV")
        inside_p.append(abs(p - peak) <= 2 * sp)
        inside_w.append(abs(w - fwhm) <= 2 * sw)
    assert np.mean(inside_p) >= 0.8 and np.mean(inside_w) >= 0.8


def test_energy_range_and_energy_input() -> None:
    da = simulate_pl(1.9, 0.25, rng=3)
    whole = value(pl_peak(da), "pl_peak_eV")[0]
    part = value(pl_peak(da, energy_range_eV=(1.6, 2.2)), "pl_peak_eV")[0]
    assert part == pytest.approx(whole, abs=0.003)
    energy = pl_energy_spectrum(da)
    assert value(pl_peak(energy), "pl_peak_eV")[0] == pytest.approx(whole, abs=1e-3)


def test_no_emission_band() -> None:
    rng = np.random.default_rng(0)
    wl = np.arange(450.0, 951.0)
    noise = xr.DataArray(
        rng.poisson(100.0, wl.size).astype(float),
        dims="wavelength_nm",
        coords={"wavelength_nm": wl},
        attrs={"source_file": "dark.csv"},
    )
    with pytest.raises(InputError, match=r"dark\.csv: intensity: no emission band"):
        pl_peak(noise)


def test_bad_axes() -> None:
    da = simulate_pl(1.9, 0.25, rng=3)
    wl = da["wavelength_nm"].values.copy()
    wl[100] = wl[99]
    with pytest.raises(InputError, match="duplicated wavelength_nm"):
        pl_peak(da.assign_coords(wavelength_nm=wl))
    wl = da["wavelength_nm"].values.copy()
    wl[[100, 101]] = wl[[101, 100]]
    with pytest.raises(InputError, match="not monotonic"):
        pl_peak(da.assign_coords(wavelength_nm=wl))
    with pytest.raises(InputError, match="single spectral dimension"):
        pl_peak(da.rename(wavelength_nm="time_ns"))
    with pytest.raises(InputError, match="too few points"):
        pl_peak(da, energy_range_eV=(1.9, 1.901))


# ------------------------------------------------------------------------------- Stokes


def _pair(exciton: float, shift_meV: float, seed: int):
    p = AbsorptionParams(
        exciton,
        0.09,
        0.35,
        abs2_offset_eV=0.18,
        abs2_width_eV=0.14,
        abs2_amplitude=0.1,
        continuum_amplitude=0.6,
        scatter=0.02,
    )
    absorbance = simulate_absorbance(p, rng=seed)
    emission = simulate_pl(exciton - shift_meV / 1000.0, 0.32, rng=seed + 1000)
    return p, absorbance, emission


@pytest.mark.parametrize(("exciton", "shift"), [(2.14, 380.0), (2.36, 453.0), (2.46, 490.0)])
def test_stokes_shift_round_trip(exciton: float, shift: float) -> None:
    p, absorbance, emission = _pair(exciton, shift, seed=int(exciton * 100))
    r = stokes_shift(emission, absorbance)
    s, err = value(r, "stokes_shift_meV")
    assert abs(s - shift) <= max(4 * err, 1.0), (s, err)
    assert r.metadata["reference"] == "exciton"
    assert value(r, "absorption_peak_eV")[0] == pytest.approx(exciton, abs=0.002)
    # with the band gap as reference: shift = Eg(second derivative) - PL peak
    rb = stokes_shift(pl_peak(emission), absorbance, reference="band-gap")
    expected = 1000.0 * (true_band_gap_eV(p) - (exciton - shift / 1000.0))
    sb, errb = value(rb, "stokes_shift_meV")
    assert abs(sb - expected) <= max(4 * errb, 2.0)
    assert rb.metadata["reference"] == "band-gap"


def test_stokes_shift_figures(tmp_path) -> None:
    results = {}
    for i, (e, s) in enumerate(((2.14, 380.0), (2.46, 490.0))):
        _, a, pl = _pair(e, s, seed=i)
        results[f"S{i}"] = stokes_shift(pl, a)
    fig = plot_absorption_pl(results["S0"])
    assert isinstance(fig, Figure) and "(eV)" in fig.axes[0].get_xlabel()
    comp = plot_absorption_pl_comparison(results, reference_range_meV=(380, 490))
    assert len(comp.axes) == 2 and "Stokes shift (meV)" in comp.axes[1].get_ylabel()
    comp.savefig(tmp_path / "c.png", dpi=50)
    peak_fig = plot_pl_peak(pl_peak(simulate_pl(1.9, 0.3, rng=1)))
    assert len(peak_fig.axes) == 2
    with pytest.raises(InputError, match="no results"):
        plot_absorption_pl_comparison({})
    with pytest.raises(InputError, match="unknown absorption reference"):
        stokes_shift(results["S0"], results["S0"], reference="onset")


# ------------------------------------------------------------------------------- QY


def test_quantum_yield_by_hand() -> None:
    ref = simulate_pl(2.2, 0.2, noise=False, background_counts=0.0)
    sample = ref.copy(data=0.5 * ref.values)
    # F/F_ref = 0.5, equal absorbance and solvent: QY = 0.5 x 0.95 = 0.475
    r = relative_quantum_yield(
        sample, ref, absorbance_sample=0.05, absorbance_reference=0.05, qy_reference=0.95
    )
    assert value(r, "pl_quantum_yield")[0] == pytest.approx(0.475, rel=1e-9)
    assert r.quantities["pl_quantum_yield"].stderr is None  # no input errors given
    # A_s = 0.1, A_ref = 0.05: f_ref/f = (1 - 10^-0.05)/(1 - 10^-0.1) = 0.528751;
    # water vs ethanol: (1.333/1.361)^2 = 0.959277; QY = 0.95 x 0.5 x 0.528751 x 0.959277
    r = relative_quantum_yield(
        sample,
        ref,
        absorbance_sample=0.1,
        absorbance_reference=0.05,
        qy_reference=0.95,
        refractive_index_sample=1.333,
        refractive_index_reference=1.361,
        qy_reference_stderr=0.019,
    )
    assert value(r, "pl_quantum_yield")[0] == pytest.approx(0.95 * 0.5 * 0.528751 * 0.959277, 1e-5)
    # only the reference's 2 % relative error: the yield's relative error is 2 %
    qy, err = value(r, "pl_quantum_yield")
    assert err / qy == pytest.approx(0.02, rel=1e-9)
    # the dilute approximation f = A: 0.05 / 0.1 = 0.5 instead of 0.528751
    lin = relative_quantum_yield(
        1.0,
        2.0,
        absorbance_sample=0.1,
        absorbance_reference=0.05,
        qy_reference=0.95,
        absorptance=False,
    )
    assert value(lin, "pl_quantum_yield")[0] == pytest.approx(0.95 * 0.5 * 0.5)


def test_quantum_yield_bad_input() -> None:
    with pytest.raises(InputError, match="qy_reference"):
        relative_quantum_yield(
            1.0, 1.0, absorbance_sample=0.1, absorbance_reference=0.1, qy_reference=1.2
        )
    with pytest.raises(InputError, match="absorbance_sample"):
        relative_quantum_yield(
            1.0, 1.0, absorbance_sample=0.0, absorbance_reference=0.1, qy_reference=0.9
        )
    with pytest.raises(InputError, match="integrated sample emission"):
        relative_quantum_yield(
            -1.0, 1.0, absorbance_sample=0.1, absorbance_reference=0.1, qy_reference=0.9
        )
    r = relative_quantum_yield(
        1.0, 1.0, absorbance_sample=0.3, absorbance_reference=0.05, qy_reference=0.9
    )
    assert any("inner-filter" in w for w in r.warnings)
