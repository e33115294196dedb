"""The command line of photocatalysis: ``qdcat photons``, ``qdcat catalysis gc|isotope|yields``.

Expected numbers are worked by hand in the comments or are the known truth of simulated data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qdcat.catalysis.gc import Reactor, simulate_gc
from qdcat.catalysis.yields import simulate_yields
from qdcat.cli import main


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("qdcat: error: "), err
    return lines[0]


# ----------------------------------------------------------------------------------------------
# qdcat photons
# ----------------------------------------------------------------------------------------------


def test_photons_monochromatic_json(tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.json"
    args = ["photons", "--wavelength-nm", "400", "--power-mW-cm2", "1", "--area-cm2", "1"]
    code, stdout, err = _run([*args, "--json", str(out)], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    # 1 mW at 400 nm: 1e-3 W / (h c / 400 nm = 4.966115e-19 J) / N_A x 3600 x 1e6
    # = 12.0375 umol h-1 (the 12.04)
    assert doc["photon_flux_umol_h"] == pytest.approx(12.0375, rel=1e-4)
    assert doc["photon_flux_per_s"] == pytest.approx(2.013647e15, rel=1e-6)
    assert doc["photon_energy_eV"] == pytest.approx(3.0996, rel=1e-4)
    assert "photon_flux_umol_h" in stdout


def test_photons_aqy_and_donor(tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.json"
    code, _, err = _run(
        [
            "photons",
            "--wavelength-nm",
            "400",
            "--power-mW-cm2",
            "5.28",
            "--area-cm2",
            "1",
            "--rate-umol-h",
            str(12.2 / 120),
            "--donor",
            "ascorbic acid",
            "--json",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    # 2 x 0.101667 / (12.0375 x 5.28 = 63.558) x 100 = 0.3199 %: the paper's 0.32 % at 400 nm
    assert doc["CO_aqy_pct"] == pytest.approx(0.3199, abs=1e-4)
    assert doc["is_solar_to_fuel"] is False and "stf_pct" not in doc
    assert any("not a solar-to-fuel efficiency" in w for w in doc["warnings"])


def test_photons_am15g_readings(tmp_path: Path, capsys) -> None:
    flux = {}
    for reading in ("filtered", "full"):
        out = tmp_path / f"{reading}.json"
        code, _, err = _run(
            [
                "photons",
                "--am15g",
                "--band",
                "380",
                "780",
                "--irradiance-mW-cm2",
                "100",
                "--reading",
                reading,
                "--area-cm2",
                "1",
                "--json",
                str(out),
                "--plot",
                str(tmp_path / f"{reading}.png"),
            ],
            capsys,
        )
        assert code == 0, err
        doc = json.loads(out.read_text())
        assert doc["irradiance_reading"] == reading  # the reading is stated in the output
        flux[reading] = doc["photon_flux_umol_h"]
        assert (tmp_path / f"{reading}.png").read_bytes()[:4] == b"\x89PNG"
    # the two readings of "100 mW cm-2" differ by 1 / 0.534 = 1.87 (AM1.5G share in 380-780)
    assert flux["filtered"] / flux["full"] == pytest.approx(1.87, abs=0.01)


@pytest.mark.parametrize(
    ("extra", "must_contain"),
    [
        (["--wavelength-nm", "400", "--power-mW-cm2", "1", "--area-cm2", "0"], "area_cm2"),
        (["--wavelength-nm", "400", "--power-mW-cm2", "-3", "--area-cm2", "1"], "power_mW_cm2"),
        (["--wavelength-nm", "4e4", "--power-mW-cm2", "1", "--area-cm2", "1"], "wavelength_nm"),
        (["--wavelength-nm", "400", "--area-cm2", "1"], "--power-mW-cm2"),
        (["--am15g", "--wavelength-nm", "400", "--area-cm2", "1"], "--wavelength-nm"),
        (["--am15g", "--reading", "sun", "--area-cm2", "1"], "reading"),
    ],
)
def test_photons_bad_input(extra: list[str], must_contain: str, capsys) -> None:
    code, _, err = _run(["photons", *extra], capsys)
    assert code == 2
    assert must_contain in _one_error_line(err)


# ----------------------------------------------------------------------------------------------
# qdcat catalysis gc / yields
# ----------------------------------------------------------------------------------------------


def _gc_files(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    truth = simulate_yields(
        np.arange(0, 121, 24.0), {"CO": 12.2, "H2": 1.0}, relative_noise=0.0, n_runs=2, rng=3
    )
    reactor = Reactor(headspace_mL=15.0, injection_uL=500.0)
    std, smp = simulate_gc(
        truth,
        reactor,
        slope_area_ppm={"CO": 30.0, "H2": 12.0},
        intercept_area={"CO": 120.0},
        standards_ppm=(0.0, 1000.0, 5000.0, 10000.0, 20000.0, 30000.0) * 2,
        area_noise_sd={"CO": 300.0, "H2": 40.0},
        rng=11,
    )
    standards, samples = tmp_path / "standards.csv", tmp_path / "samples.csv"
    std.to_csv(standards, index=False)
    smp.to_csv(samples, index=False)
    return standards, samples, truth


def test_gc_json_yields_csv_and_yields_command(tmp_path: Path, capsys) -> None:
    standards, samples, truth = _gc_files(tmp_path)
    out, yields = tmp_path / "gc.json", tmp_path / "cumulative.csv"
    code, _, err = _run(
        [
            "catalysis",
            "gc",
            str(standards),
            str(samples),
            "--headspace-mL",
            "15",
            "--injection-uL",
            "500",
            "--json",
            str(out),
            "--plot",
            str(tmp_path / "gc.png"),
            "--yields-out",
            str(yields),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    co = np.array(doc["CO_umol"])
    se = np.array(doc["CO_stderr_umol"])
    true = truth["CO_umol"].to_numpy()
    assert np.all(np.abs(co - true) <= 5 * se)  # recovered within 5 propagated std errors
    assert doc["CO_cal_slope_area_ppm"] == pytest.approx(30.0, rel=0.005)
    assert doc["reactor"]["headspace"] == "closed"
    assert doc["standards_file"].endswith("standards.csv")
    # the cumulative amounts feed 'qdcat catalysis yields': 12.2 umol / 120 h / 0.191 mg
    # = 532.3 umol g-1 h-1
    out2 = tmp_path / "y.json"
    code, _, err = _run(
        ["catalysis", "yields", str(yields), "--mass-mg", "0.191", "--json", str(out2)], capsys
    )
    assert code == 0, err
    assert json.loads(out2.read_text())["CO_rate_umol_g_h"] == pytest.approx(532.3, rel=0.01)


def test_gc_missing_calibration_names_product_and_file(tmp_path: Path, capsys) -> None:
    standards, samples, _ = _gc_files(tmp_path)
    frame = pd.read_csv(samples)
    frame["CH4_area"] = 10.0
    frame.to_csv(samples, index=False)
    code, _, err = _run(
        ["catalysis", "gc", str(standards), str(samples), "--headspace-mL", "15"], capsys
    )
    assert code == 2
    line = _one_error_line(err)
    assert "'CH4'" in line and "standards.csv" in line


def test_gc_too_few_standards(tmp_path: Path, capsys) -> None:
    standards = tmp_path / "two.csv"
    standards.write_text("CO_ppm,CO_area\n0,10\n1000,30010\n1000,29950\n", encoding="utf-8")
    samples = tmp_path / "s.csv"
    samples.write_text("time_h,CO_area\n1,15000\n2,29000\n", encoding="utf-8")
    code, _, err = _run(
        ["catalysis", "gc", str(standards), str(samples), "--headspace-mL", "15"], capsys
    )
    assert code == 2
    line = _one_error_line(err)
    assert "two.csv" in line and "CO" in line and "at least 3" in line


# ----------------------------------------------------------------------------------------------
# qdcat catalysis isotope
# ----------------------------------------------------------------------------------------------


def test_isotope_file_json(tmp_path: Path, capsys) -> None:
    # 99 % 13CO: m/z 29 / 28 = 99 + 17O/16O (0.00038); three injections
    f = tmp_path / "ms.csv"
    a28 = [1000.0, 1100.0, 950.0]
    f.write_text(
        "m28_area,m29_area\n" + "".join(f"{a},{a * (99 + 0.0003799)}\n" for a in a28),
        encoding="utf-8",
    )
    out = tmp_path / "i.json"
    code, _, err = _run(
        [
            "catalysis",
            "isotope",
            str(f),
            "--feed-13c-fraction",
            "0.99",
            "--n2-resolved",
            "--json",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["fraction_13C"] == pytest.approx(0.99, rel=1e-9)
    assert doc["ratio_13CO_12CO"] == pytest.approx(99.0, rel=1e-9)
    assert doc["verdict"].startswith("labelled")
    assert doc["warnings"] == []


def test_isotope_options_warn_about_n2(tmp_path: Path, capsys) -> None:
    out = tmp_path / "i.json"
    code, _, err = _run(
        ["catalysis", "isotope", "--m28-area", "1e6", "--m29-area", "11560", "--json", str(out)],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["verdict"] == "natural-abundance CO"
    assert any("14N15N" in w for w in doc["warnings"])
    code, _, err = _run(["catalysis", "isotope", "--m28-area", "1e6"], capsys)
    assert code == 2 and "--m29-area" in _one_error_line(err)
