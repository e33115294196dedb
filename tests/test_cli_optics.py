"""``qdcat uvvis ...`` and ``qdcat pl ...``: JSON keys, figures and one-line errors.

Each command runs on a file simulated with known parameters and its JSON is compared with the
truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qdcat.cli import main
from qdcat.optics import AbsorptionParams, simulate_absorbance, simulate_pl

P = AbsorptionParams(
    2.25, 0.09, 0.35, abs2_offset_eV=0.18, abs2_width_eV=0.14, abs2_amplitude=0.12,
    continuum_amplitude=0.6, scatter=0.02,
)  # fmt: skip
RATIO = 0.12 * 0.14 / (0.35 * 0.09)  # Abs2/Abs1 area ratio of P: 0.5333


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def _absorbance_file(path: Path, params: AbsorptionParams = P, seed: int = 1) -> Path:
    da = simulate_absorbance(params, rng=seed)
    rows = "".join(
        f"{w:.1f},{a:.6f}\n" for w, a in zip(da.wavelength_nm.values, da.values, strict=True)
    )
    path.write_text("wavelength_nm,absorbance\n" + rows)
    return path


def _pl_file(path: Path, peak_eV: float, seed: int = 2) -> Path:
    da = simulate_pl(peak_eV, 0.32, rng=seed)
    rows = "".join(
        f"{w:.1f},{c:.0f}\n" for w, c in zip(da.wavelength_nm.values, da.values, strict=True)
    )
    path.write_text("# simulated\nwavelength_nm,counts\n" + rows)
    return path


def test_uvvis_bandgap_tauc_and_kubelka_munk(tmp_path: Path, capsys) -> None:
    # direct-gap onset whose Tauc line crosses zero at 2.0 eV (see test_optics_tauc)
    E = np.linspace(1.4, 2.5, 300)
    y = 5 * 0.02 * np.logaddexp(0.0, (E - 2.0) / 0.02)
    a = np.sqrt(y) / E
    f = tmp_path / "onset.csv"
    rows = "".join(f"{e:.6f},{v:.7f}\n" for e, v in zip(E, a, strict=True))
    f.write_text("energy_eV,absorbance\n" + rows)
    code, out, err = _run(
        ["uvvis", "bandgap", str(f), "--method", "tauc-direct", "--json", str(tmp_path / "t.json"),
         "--plot", str(tmp_path / "t.png")],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["method"] == "tauc-direct" and abs(doc["band_gap_eV"] - 2.0) < 1e-3
    assert doc["band_gap_stderr_eV"] > 0 and "band_gap_eV" in out
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    # diffuse reflectance in %R with F(R) = 0.5 alpha: the same 2.0 eV by Kubelka-Munk
    F = 0.5 * a
    R = 1 + F - np.sqrt(F * F + 2 * F)
    g = tmp_path / "powder.csv"
    rows = "".join(f"{e:.6f},{100 * r:.6f}\n" for e, r in zip(E, R, strict=True))
    g.write_text("energy_eV,%R\n" + rows)
    code, _, err = _run(
        [
            "uvvis",
            "bandgap",
            str(g),
            "--method",
            "kubelka-munk",
            "--json",
            str(tmp_path / "k.json"),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "k.json").read_text())
    assert doc["method"] == "kubelka-munk-direct" and abs(doc["band_gap_eV"] - 2.0) < 2e-3


def test_uvvis_decompose(tmp_path: Path, capsys) -> None:
    f = _absorbance_file(tmp_path / "s.csv")
    code, out, err = _run(
        ["uvvis", "decompose", str(f), "--json", str(tmp_path / "d.json"), "--plot",
         str(tmp_path / "d.svg")],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads((tmp_path / "d.json").read_text())
    assert abs(doc["exciton_eV"] - 2.25) <= max(4 * doc["exciton_stderr_eV"], 0.002)
    assert abs(doc["abs2_abs1_area_ratio"] - RATIO) <= 4 * doc["abs2_abs1_area_ratio_stderr"]
    assert doc["converged"] is True and "abs2_eV" in out
    assert (tmp_path / "d.svg").read_text().lstrip().startswith("<?xml")


def test_uvvis_series(tmp_path: Path, capsys) -> None:
    from qdcat.optics import true_band_gap_eV

    params = [AbsorptionParams(2.1 + 0.1 * i, 0.09, 0.35) for i in range(3)]
    spectra = [simulate_absorbance(p, rng=i) for i, p in enumerate(params)]
    wl = spectra[0].wavelength_nm.values
    rows = "".join(
        f"{w:.1f}," + ",".join(f"{s.values[i]:.6f}" for s in spectra) + "\n"
        for i, w in enumerate(wl)
    )
    f = tmp_path / "series.csv"
    f.write_text("Wavelength (nm),t0,t1,t2\n" + rows)
    code, out, err = _run(["uvvis", "series", str(f), "--json", str(tmp_path / "s.json")], capsys)
    assert code == 0, err
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["samples"] == ["t0", "t1", "t2"] and doc["method"] == "second-derivative"
    for g, e, p in zip(doc["band_gap_eV"], doc["band_gap_stderr_eV"], params, strict=True):
        assert abs(g - true_band_gap_eV(p)) <= max(4 * e, 0.005)
    assert "t2" in out


def test_pl_peak_stokes_and_qy(tmp_path: Path, capsys) -> None:
    a = _absorbance_file(tmp_path / "abs.csv")
    p = _pl_file(tmp_path / "pl.csv", 2.25 - 0.417)
    code, out, err = _run(
        [
            "pl",
            "peak",
            str(p),
            "--json",
            str(tmp_path / "p.json"),
            "--plot",
            str(tmp_path / "p.png"),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "p.json").read_text())
    assert abs(doc["pl_peak_eV"] - 1.833) <= max(4 * doc["pl_peak_stderr_eV"], 3e-4)
    assert abs(doc["pl_fwhm_eV"] - 0.32) <= max(4 * doc["pl_fwhm_stderr_eV"], 1e-3)
    code, out, err = _run(
        ["pl", "stokes", "--abs", str(a), "--pl", str(p), "--json", str(tmp_path / "s.json"),
         "--plot", str(tmp_path / "s.png")],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads((tmp_path / "s.json").read_text())
    assert abs(doc["stokes_shift_meV"] - 417.0) <= max(4 * doc["stokes_shift_stderr_meV"], 1.0)
    assert doc["reference"] == "exciton" and "stokes_shift_meV" in out
    ref = _pl_file(tmp_path / "dye.csv", 2.3, seed=5)
    code, out, err = _run(
        ["pl", "qy", "--pl", str(p), "--ref-pl", str(ref), "--abs-sample", "0.05", "--abs-ref",
         "0.05", "--ref-qy", "0.95", "--ref-qy-stderr", "0.02", "--json", str(tmp_path / "q.json")],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads((tmp_path / "q.json").read_text())
    # same peak counts and width: the integrals differ only by the band position, so the
    # ratio of integrated emission is that of the two files (checked against numpy here)
    from qdcat.optics import pl_energy_spectrum
    from qdcat.pipeline.analyses.photoluminescence import load_emission

    ints = [
        np.trapezoid(s.values, s.energy_eV.values)
        for s in (pl_energy_spectrum(load_emission(f)) for f in (p, ref))
    ]
    assert doc["pl_quantum_yield"] == pytest.approx(0.95 * ints[0] / ints[1], rel=1e-9)
    assert doc["pl_quantum_yield_stderr"] == pytest.approx(0.02 * ints[0] / ints[1], rel=1e-9)


@pytest.mark.parametrize(
    ("content", "args", "must_contain"),
    [
        ("wavelength_nm,%T\n500,90\n501,140\n502,95\n", ["uvvis", "bandgap"], "above 100 %"),
        (
            "energy_eV,absorbance\n1.5,0.1\n1.6,0.2\n1.6,0.3\n1.7,0.4\n",
            ["uvvis", "decompose"],
            "duplicated energy_eV",
        ),
        (
            "energy_eV,absorbance\n1.5,0.1\n1.6,0.2\n1.55,0.3\n1.7,0.4\n",
            ["uvvis", "bandgap"],
            "changes direction",
        ),
        (
            "wavelength_nm,absorbance\n500,0.1\n501,0.2\n502,0.3\n",
            ["pl", "peak"],
            "not an emission",
        ),
        ("time_ns,absorbance\n1,0.1\n2,0.2\n", ["uvvis", "bandgap"], "time_ns"),
    ],
)
def test_bad_files_exit_2_with_one_line(
    tmp_path: Path, capsys, content: str, args: list[str], must_contain: str
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content)
    code, _, err = _run([*args, str(f), "--json", str(tmp_path / "x.json")], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("qdcat: error: "), err
    assert "bad.csv" in lines[0] and must_contain in lines[0]
    assert not (tmp_path / "x.json").exists()


def test_no_edge_is_a_clean_error(tmp_path: Path, capsys) -> None:
    flat = AbsorptionParams(2.3, 0.1, 0.0, continuum_amplitude=0.0, scatter=0.1)
    f = _absorbance_file(tmp_path / "flat.csv", flat)
    for method in ("second-derivative", "tauc-direct"):
        code, _, err = _run(["uvvis", "bandgap", str(f), "--method", method], capsys)
        assert code == 2 and "no absorption edge" in err
