"""Cu 2p: Biesinger Cu(II) fraction, round trips on simulated spectra with Poisson noise, the
command line, the pipeline analysis and the example data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdcat.cli import main
from qdcat.core.errors import InputError
from qdcat.core.executors import make_executor
from qdcat.xps import (
    biesinger_cu2_fraction,
    charge_correct,
    classify_cu_auger_parameter,
    cu_lmm_kinetic_energy,
    fit_cu2p,
    fit_cu2p_batch,
    make_spectrum,
    modified_auger_parameter,
    simulate_cu2p,
)
from qdcat.xps.lineshapes import gl


def test_biesinger_formula_by_hand() -> None:
    # A = 100 (all 2p3/2 main), B = 20 (satellite), r = 0.5: Cu(II) main = 20/0.5 = 40,
    # Cu(II) total = 60 of 120 -> 0.5.
    assert biesinger_cu2_fraction(100.0, 20.0, 0.5) == pytest.approx(0.5)
    assert biesinger_cu2_fraction(80.0, 0.0) == 0.0
    with pytest.raises(InputError, match="satellite_main_ratio"):
        biesinger_cu2_fraction(1.0, 1.0, 0.0)


def test_simulation_truth_is_consistent() -> None:
    # Noise-free: the true areas give back the Cu(II) fraction through the Biesinger formula,
    # and the satellite share is f r / (1 + r).
    _, t = simulate_cu2p(0.3, rng=None)
    a = t.areas
    main = a["cu1_2p32"] + a["cu2_2p32"]
    sat = a["sat_2p32_a"] + a["sat_2p32_b"]
    assert biesinger_cu2_fraction(main, sat, t.satellite_main_ratio) == pytest.approx(0.3)
    assert t.satellite_fraction == pytest.approx(0.3 * 0.55 / 1.55)
    assert a["cu1_2p12"] == pytest.approx(0.5 * a["cu1_2p32"])


@pytest.mark.parametrize("truth_background", ["shirley", "tougaard"])
def test_noise_free_round_trip(truth_background: str) -> None:
    spec, truth = simulate_cu2p(0.38, rng=None, background=truth_background)
    r = fit_cu2p(spec)
    assert r.converged
    assert r.metadata["background"] == truth_background  # auto picks the right shape
    assert r.quantities["cu2_fraction"].value == pytest.approx(0.38, abs=0.01)
    assert r.quantities["satellite_fraction"].value == pytest.approx(
        truth.satellite_fraction, abs=0.005
    )
    assert r.quantities["cu1_2p32_eV"].value == pytest.approx(931.4, abs=0.02)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fraction=st.floats(0.05, 0.85),
    counts=st.floats(2000.0, 20000.0),
    truth_background=st.sampled_from(["shirley", "tougaard"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_round_trip_with_poisson_noise(fraction, counts, truth_background, seed) -> None:
    # Stated tolerance: 4 standard errors + 0.01. On 60 random cases the z-scores had
    # standard deviation 1.13 (the errors are about 13 % optimistic), so 4 sigma holds.
    spec, _ = simulate_cu2p(
        fraction,
        counts=counts,
        background_counts=0.4 * counts,
        background=truth_background,
        rng=seed,
    )
    r = fit_cu2p(spec)
    q = r.quantities["cu2_fraction"]
    assert r.converged
    assert q.stderr is not None and q.stderr > 0
    assert abs(q.value - fraction) <= 4.0 * q.stderr + 0.01


def test_static_shirley_and_the_2p32_only_window() -> None:
    spec, _ = simulate_cu2p(0.5, rng=3)
    r = fit_cu2p(spec, background="shirley", refine_background=False)
    q = r.quantities["cu2_fraction"]
    assert r.metadata["stderr_method"] == "covariance + background end levels"
    assert abs(q.value - 0.5) <= 4.0 * q.stderr
    part = spec.window(925.0, 950.0)  # 2p1/2 not covered: 2p3/2-only model
    r2 = fit_cu2p(part)
    assert not r2.metadata["includes_2p12"]
    assert r2.metadata["window_eV"][1] <= 948.5
    q2 = r2.quantities["cu2_fraction"]
    assert abs(q2.value - 0.5) <= 4.0 * q2.stderr + 0.01


def test_bootstrap_errors_agree_with_the_covariance() -> None:
    spec, _ = simulate_cu2p(0.38, rng=4)
    cov = fit_cu2p(spec, background="shirley")
    boot = fit_cu2p(spec, background="shirley", n_bootstrap=15, seed=1)
    assert boot.metadata["stderr_method"] == "residual bootstrap (15 refits)"
    ratio = boot.quantities["cu2_fraction"].stderr / cov.quantities["cu2_fraction"].stderr
    assert 0.4 < ratio < 2.5  # 15 refits: the bootstrap spread itself is uncertain by ~20 %
    assert boot.quantities["cu2_fraction"].value == cov.quantities["cu2_fraction"].value


def test_window_missing_the_2p32_region(tmp_path: Path) -> None:
    spec, _ = simulate_cu2p(0.3, rng=1)
    high = spec.window(945.0, 968.0)
    f = tmp_path / "cu2p12_only.csv"
    f.write_text(
        "binding_energy_eV,counts\n"
        + "".join(
            f"{e:.2f},{c:.0f}\n" for e, c in zip(high.binding_energy_eV, high.counts, strict=True)
        )
    )
    code = main(["xps", "cu2p", str(f)])
    assert code == 2
    from qdcat.xps import read_xps

    with pytest.raises(InputError) as exc:
        fit_cu2p(read_xps(f))
    text = str(exc.value)
    assert "cu2p12_only.csv" in text and "binding_energy_eV" in text and "2p3/2" in text


def test_bad_options() -> None:
    spec, _ = simulate_cu2p(0.3, rng=1)
    with pytest.raises(InputError, match="background"):
        fit_cu2p(spec, background="polynomial")
    with pytest.raises(InputError, match="satellite_main_ratio"):
        fit_cu2p(spec, satellite_main_ratio=-1.0)


def test_batch_on_the_executor_matches_single_fits() -> None:
    spectra = [simulate_cu2p(f, rng=i)[0] for i, f in enumerate((0.1, 0.3, 0.6))]
    with make_executor("serial") as ex:
        batch = fit_cu2p_batch(spectra, ex, chunk_size=2, background="shirley")
    single = [fit_cu2p(s, background="shirley") for s in spectra]
    for b, s in zip(batch, single, strict=True):
        assert b.quantities["cu2_fraction"].value == pytest.approx(
            s.quantities["cu2_fraction"].value, rel=1e-9
        )


def test_cli_cu2p_json_keys_and_plot(tmp_path: Path, capsys) -> None:
    spec, _ = simulate_cu2p(0.45, rng=42)
    f = tmp_path / "cu2p.csv"
    # descending energies with a charging shift of +1.2 eV, corrected with --c1s-eV 286.0
    f.write_text(
        "Binding Energy (eV),Counts\n"
        + "".join(
            f"{e + 1.2:.2f},{c:.0f}\n"
            for e, c in zip(spec.binding_energy_eV[::-1], spec.counts[::-1], strict=True)
        )
    )
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    code = main(
        ["xps", "cu2p", str(f), "--c1s-eV", "286.0", "--json", str(out), "--plot", str(png)]
    )
    assert code == 0, capsys.readouterr().err
    d = json.loads(out.read_text())
    for key in ("cu2_fraction", "cu2_fraction_stderr", "satellite_fraction", "peaks", "background"):
        assert key in d
    assert abs(d["cu2_fraction"] - 0.45) <= 4 * d["cu2_fraction_stderr"] + 0.01
    assert d["charge_shift_eV"] == pytest.approx(-1.2)
    names = [p["name"] for p in d["peaks"]]
    assert "cu1_2p32" in names and "cu2_2p12" in names
    assert set(d["peaks"][0]) >= {"name", "position_eV", "fwhm_eV", "area"}
    cu1 = next(p for p in d["peaks"] if p["name"] == "cu1_2p32")
    assert cu1["position_eV"] == pytest.approx(931.4, abs=0.05)
    assert png.stat().st_size > 10_000
    code = main(
        ["xps", "cu2p", str(f), "--background", "linear", "--static-background", "--json", str(out)]
    )
    assert code == 0
    d = json.loads(out.read_text())
    assert d["background"] == "linear" and d["background_refined"] is False


def test_pipeline_analysis_and_example_data(tmp_path: Path) -> None:
    from qdcat.examples.generate_xps import SATELLITE_FRACTIONS, cu2_fractions, generate_xps
    from qdcat.pipeline.registry import get_analysis

    files = generate_xps(tmp_path)
    assert len(files) == 4
    a = get_analysis("xps_cu2p")
    assert a.technique == "xps"
    opts = a.options()
    results = {}
    for f, (name, frac) in zip(files, cu2_fractions().items(), strict=True):
        head = f.read_text().splitlines()[3]
        assert f"Cu(II) fraction {frac:.4f}" in head
        r = a.analyse(a.load(f), {"name": name}, opts)
        q = r.quantities["cu2_fraction"]
        assert abs(q.value - frac) <= 4.0 * q.stderr + 0.01
        results[name] = r
    assert SATELLITE_FRACTIONS["2/12ZCIS"] == 0.20  # the paper's maximum, 2/12ZCIS
    assert a.plot(results["2/12ZCIS"], {"name": "2/12ZCIS"}) is not None
    fig = a.compare(results, [{"name": k} for k in results], opts)
    assert len(fig.axes) == 2


def test_charge_correction_from_a_c1s_spectrum() -> None:
    # adventitious carbon charged by +1.5 eV: C-C at 286.3, C-O at +1.5, O-C=O at +4.0 eV
    x = np.arange(280.0, 294.0, 0.05)
    lam = (
        800.0 * gl(x, 286.3, 1.2, 30.0)
        + 150.0 * gl(x, 287.8, 1.2, 30.0)
        + 60.0 * gl(x, 290.3, 1.2, 30.0)
        + 300.0
    )
    c1s = make_spectrum(x, np.random.default_rng(0).poisson(lam * 20).astype(float))
    cu, _ = simulate_cu2p(0.2, rng=0)
    shifted, corr = charge_correct(cu, c1s=c1s)
    assert corr.measured_eV == pytest.approx(286.3, abs=4 * corr.shift_stderr_eV + 0.005)
    assert corr.shift_eV == pytest.approx(-1.5, abs=0.02)
    assert shifted.binding_energy_eV[0] == pytest.approx(cu.binding_energy_eV[0] + corr.shift_eV)
    with pytest.raises(InputError):
        charge_correct(cu)


def test_modified_auger_parameter() -> None:
    # Cu metal: 2p3/2 932.6 eV + L3M45M45 918.6 eV = 1851.2 eV (the reference value)
    assert modified_auger_parameter(932.6, 918.6) == pytest.approx(1851.2)
    a = classify_cu_auger_parameter(1849.0)
    assert a.nearest == "Cu(I) Cu2O" and a.confident
    assert not classify_cu_auger_parameter(1850.3).confident
    # an LMM line simulated at 568.0 eV apparent BE with Al K-alpha (1486.6 eV): KE = 918.6
    x = np.arange(555.0, 585.0, 0.1)
    y = (
        np.random.default_rng(1)
        .poisson(3000 * gl(x, 568.0, 2.5, 30.0, 2.5) + 800 + 5 * (x - 555))
        .astype(float)
    )
    ke, err = cu_lmm_kinetic_energy(make_spectrum(x, y, photon_energy_eV=1486.6))
    assert ke == pytest.approx(918.6, abs=4 * err + 0.01)
    assert math.isfinite(err) and err < 0.05
