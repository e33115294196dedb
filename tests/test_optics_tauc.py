"""Tauc and Kubelka-Munk band gaps (qdcat.optics.tauc) and the band-gap batch.

Truths: an absorption edge built so that its Tauc function is *exactly* a straight line far
above the gap, ``(alpha E)^(1/n) = B w softplus((E - Eg)/w)`` (softplus(x) = ln(1 + e^x) ->
x for x >> 1, so the asymptote is ``B (E - Eg)`` and crosses zero at Eg), with a rounded onset
of width ``w`` below it, which the automatic selection must leave out; and the Kubelka-Munk
function worked out by hand.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from qdcat.core.errors import InputError
from qdcat.core.executors import make_executor
from qdcat.optics import (
    AbsorptionParams,
    band_gap_batch,
    band_gap_kubelka_munk,
    band_gap_second_derivative,
    band_gap_tauc,
    kubelka_munk,
    plot_tauc,
    simulate_absorbance,
    tauc_transform,
)


def onset_absorption(E, eg: float, w: float, transition: str, B: float = 5.0):
    """Absorption whose Tauc function is B w softplus((E - eg)/w) (asymptote B (E - eg))."""
    y = B * w * np.logaddexp(0.0, (E - eg) / w)
    return (np.sqrt(y) if transition == "direct" else y**2) / E


def spectrum(E, a, name: str = "absorbance") -> xr.DataArray:
    return xr.DataArray(a, dims="energy_eV", coords={"energy_eV": E}, name=name)


def gap(result) -> tuple[float, float]:
    q = result.quantities["band_gap_eV"]
    return float(q.value), float(q.stderr)


@pytest.mark.parametrize("transition", ["direct", "indirect"])
def test_noiseless_onset_recovers_the_asymptote(transition: str) -> None:
    E = np.linspace(1.4, 2.5, 400)
    a = onset_absorption(E, 2.0, 0.02, transition)
    value, stderr = gap(band_gap_tauc(spectrum(E, a), transition=transition))
    # the rounded onset (x < ~5 w) is excluded: the intercept is the asymptote's, 2.000 eV
    assert abs(value - 2.0) < 1e-4
    assert stderr < 1e-4


def test_tauc_transform_by_hand() -> None:
    # A = 0.5 at 2 eV: (A E)^2 = 1, (A E)^(1/2) = 1; negative absorbance counts as 0
    np.testing.assert_allclose(tauc_transform([2.0, 2.0], [0.5, -0.1], "direct"), [1.0, 0.0])
    np.testing.assert_allclose(tauc_transform([2.0], [0.5], "indirect"), [1.0])
    with pytest.raises(InputError, match="transition"):
        tauc_transform([2.0], [0.5], "forbidden")


@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    eg=st.floats(1.8, 3.4),
    w=st.floats(0.01, 0.04),
    noise=st.floats(0.001, 0.01),
    transition=st.sampled_from(["direct", "indirect"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_round_trip_with_noise(eg: float, w: float, noise: float, transition: str, seed: int):
    E = np.linspace(eg - 0.6, eg + 0.5, 400)
    a = onset_absorption(E, eg, w, transition)
    a = a + np.random.default_rng(seed).normal(0.0, noise, E.size)
    result = band_gap_tauc(spectrum(E, a), transition=transition)
    value, stderr = gap(result)
    assert abs(value - eg) <= max(4.0 * stderr, 0.003), (value, stderr, result.metadata)
    assert stderr < 0.02


def test_standard_error_coverage() -> None:
    # 40 noisy direct-gap onsets: |error| <= 2 stderr in 34/40 when written; require 75 %
    inside = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        eg, w = 2.0 + 0.02 * seed, 0.02 + 0.0005 * seed
        E = np.linspace(eg - 0.6, eg + 0.5, 400)
        a = onset_absorption(E, eg, w, "direct") + rng.normal(0.0, 0.005, E.size)
        value, stderr = gap(band_gap_tauc(spectrum(E, a)))
        inside.append(abs(value - eg) <= 2 * stderr)
    assert np.mean(inside) >= 0.75


def test_wavelength_axis_and_transmittance_input() -> None:
    E = np.linspace(1.6, 2.6, 300)
    a = onset_absorption(E, 2.1, 0.02, "direct")
    by_e = gap(band_gap_tauc(spectrum(E, a)))[0]
    wl = 1239.841984 / E
    da = xr.DataArray(a, dims="wavelength_nm", coords={"wavelength_nm": wl}, name="absorbance")
    assert gap(band_gap_tauc(da))[0] == pytest.approx(by_e, abs=1e-9)
    t = da.copy(data=10.0**-a)
    t.attrs["quantity"] = "transmittance"
    assert gap(band_gap_tauc(t))[0] == pytest.approx(by_e, abs=1e-9)


def test_quantum_dot_edge_lies_below_the_second_derivative_gap() -> None:
    # An excitonic edge: the Tauc line is the tangent of the rising edge below the exciton,
    # so its intercept lies below the curvature minimum (and the indirect one lower still).
    p = AbsorptionParams(2.36, 0.09, 0.35, abs2_amplitude=0.03, continuum_amplitude=0.6)
    da = simulate_absorbance(p, rng=4)
    sd = gap(band_gap_second_derivative(da))[0]
    direct = band_gap_tauc(da)
    indirect = gap(band_gap_tauc(da, transition="indirect"))[0]
    assert indirect < gap(direct)[0] < sd
    lo, hi = direct.metadata["linear_region_eV"]
    assert lo < sd and hi <= p.exciton_eV + 0.05  # the stretch is on the band-edge rise


def test_result_contents() -> None:
    E = np.linspace(1.4, 2.5, 400)
    r = band_gap_tauc(
        spectrum(E, onset_absorption(E, 2.0, 0.02, "indirect")), transition="indirect"
    )
    assert r.analysis == "band_gap" and r.metadata["method"] == "tauc-indirect"
    assert r.metadata["tauc_exponent_n"] == 2.0
    flat = r.flat()
    assert flat["method"] == "tauc-indirect" and flat["band_gap_stderr_eV"] > 0
    assert r.quantities["band_gap_nm"].value == pytest.approx(1239.841984 / gap(r)[0], rel=1e-6)
    assert set(r.curves) == {"energy_eV", "tauc", "line"}
    fig = plot_tauc(r)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert "(eV)" in ax.get_xlabel() and "h" in ax.get_ylabel()


# ------------------------------------------------------------------------------- Kubelka-Munk


def test_kubelka_munk_by_hand() -> None:
    # F(R) = (1 - R)^2 / 2R: R = 0.5 -> 0.25; R = 0.2 -> 0.64 / 0.4 = 1.6; R = 1 -> 0
    np.testing.assert_allclose(kubelka_munk([0.5, 0.2, 1.0]), [0.25, 1.6, 0.0])
    with pytest.raises(InputError, match="positive fraction"):
        kubelka_munk([0.5, 0.0])
    with pytest.raises(InputError, match="not a fraction"):
        kubelka_munk([50.0])


@pytest.mark.parametrize("transition", ["direct", "indirect"])
def test_kubelka_munk_round_trip(transition: str) -> None:
    # F = K/S proportional to alpha; R from F by inverting F(R): R = 1 + F - sqrt(F^2 + 2F)
    E = np.linspace(2.8, 3.9, 350)
    F = 0.5 * onset_absorption(E, 3.25, 0.02, transition)
    R = 1.0 + F - np.sqrt(F * F + 2.0 * F)
    R = R + np.random.default_rng(3).normal(0.0, 0.001, E.size)
    da = spectrum(E, R, name="reflectance")
    da.attrs["quantity"] = "reflectance"
    r = band_gap_kubelka_munk(da, transition=transition)
    value, stderr = gap(r)
    assert abs(value - 3.25) <= max(4 * stderr, 0.003)
    assert r.metadata["method"] == f"kubelka-munk-{transition}"
    assert "kubelka_munk" in r.curves


def test_kubelka_munk_needs_reflectance() -> None:
    E = np.linspace(1.4, 2.5, 100)
    da = spectrum(E, np.full(E.size, 0.3))
    da.attrs["quantity"] = "absorbance"
    with pytest.raises(InputError, match="needs a diffuse reflectance spectrum, not absorbance"):
        band_gap_kubelka_munk(da)


# ------------------------------------------------------------------------------- bad input


def test_no_edge_in_range() -> None:
    rng = np.random.default_rng(0)
    E = np.linspace(1.4, 2.5, 300)
    flat = spectrum(E, 0.2 + rng.normal(0.0, 0.002, E.size))
    with pytest.raises(InputError, match="no absorption edge"):
        band_gap_tauc(flat)
    zero = spectrum(E, np.zeros(E.size))
    with pytest.raises(InputError, match="no absorption edge"):
        band_gap_tauc(zero)


def test_bad_options_and_axes() -> None:
    E = np.linspace(1.4, 2.5, 300)
    da = spectrum(E, onset_absorption(E, 2.0, 0.02, "direct"))
    with pytest.raises(InputError, match="transition"):
        band_gap_tauc(da, transition="allowed")
    with pytest.raises(InputError, match="too few points"):
        band_gap_tauc(da, energy_range_eV=(2.0, 2.01))
    with pytest.raises(InputError, match="0 < low < high"):
        band_gap_tauc(da, energy_range_eV=(2.4, 2.0))
    dup = E.copy()
    dup[10] = dup[9]
    with pytest.raises(InputError, match="duplicated energy_eV"):
        band_gap_tauc(da.assign_coords(energy_eV=dup))
    with pytest.raises(InputError, match="too few spectral points"):
        band_gap_tauc(da.isel(energy_eV=slice(0, 5)))


# ------------------------------------------------------------------------------- batch


def _series(n: int) -> tuple[xr.DataArray, list[AbsorptionParams]]:
    params = [AbsorptionParams(2.1 + 0.05 * i, 0.09, 0.35) for i in range(n)]
    spectra = [simulate_absorbance(p, rng=i) for i, p in enumerate(params)]
    return xr.concat(spectra, dim="sample"), params


def test_batch_equals_one_by_one_and_reports_failures() -> None:
    series, _ = _series(4)
    flat = simulate_absorbance(
        AbsorptionParams(2.3, 0.1, 0.0, continuum_amplitude=0.0, scatter=0.1), rng=1
    )
    series = xr.concat([series, flat], dim="sample")
    ds = band_gap_batch(series, chunk_size=2)
    for i in range(4):
        expected = gap(band_gap_second_derivative(series.isel(sample=i)))
        assert ds["band_gap_eV"].values[i] == pytest.approx(expected[0], abs=1e-12)
        assert ds["band_gap_stderr_eV"].values[i] == pytest.approx(expected[1], abs=1e-12)
    assert math.isnan(ds["band_gap_eV"].values[4]) and "no absorption edge" in ds["error"].values[4]
    assert ds.attrs["n_failed"] == 1
    tauc = band_gap_batch(series.isel(sample=slice(0, 2)), method="tauc-direct")
    assert tauc["band_gap_eV"].values[0] == pytest.approx(gap(band_gap_tauc(series[0]))[0])


def test_batch_on_processes_matches_serial() -> None:
    series, _ = _series(6)
    serial = band_gap_batch(series)
    with make_executor("processes", max_workers=2) as ex:
        parallel = band_gap_batch(series, executor=ex, chunk_size=3)
    np.testing.assert_array_equal(serial["band_gap_eV"].values, parallel["band_gap_eV"].values)


def test_batch_bad_input() -> None:
    series, _ = _series(2)
    with pytest.raises(InputError, match="unknown band-gap method"):
        band_gap_batch(series, method="tangent")
    with pytest.raises(InputError, match="one spectral dimension"):
        band_gap_batch(series.rename(wavelength_nm="time_ns"))
    with pytest.raises(InputError, match="chunk_size"):
        band_gap_batch(series, chunk_size=0)
