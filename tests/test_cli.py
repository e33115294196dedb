"""The command line: version, help, one-number analysis commands with --json and --plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qdcat import __version__
from qdcat.cli import main
from qdcat.examples import example_project

DATA = example_project().parent / "data"


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def test_version_and_help(capsys) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert code == 0 and out.strip() == f"qdcat {__version__}"
    code, out, _ = _run(["--help"], capsys)
    assert code == 0
    for command in ("run", "demo", "uvvis", "catalysis", "analyses"):
        assert command in out


def test_analyses_lists_the_registry(capsys) -> None:
    code, out, _ = _run(["analyses"], capsys)
    assert code == 0
    assert "band_gap" in out and "uvvis" in out
    assert "product_yields" in out and "products" in out


def test_uvvis_bandgap_json_and_plot(tmp_path: Path, capsys) -> None:
    from qdcat.optics import AbsorptionParams, simulate_absorbance, true_band_gap_eV

    # A spectrum simulated with a known exciton; the truth is the second-derivative minimum
    # of the noiseless model.
    params = AbsorptionParams(exciton_eV=2.30, exciton_width_eV=0.08, exciton_amplitude=0.4)
    da = simulate_absorbance(params, noise_absorbance=0.001, rng=7)
    f = tmp_path / "spectrum.csv"
    f.write_text(
        "Wavelength (nm);Absorbance\n"  # semicolon-separated with decimal commas, as Excel
        + "".join(
            f"{w:.1f};{a:.6f}\n".replace(".", ",")
            for w, a in zip(da["wavelength_nm"].values, da.values, strict=True)
        )
    )
    code, out, err = _run(
        [
            "uvvis",
            "bandgap",
            str(f),
            "--json",
            str(tmp_path / "g.json"),
            "--plot",
            str(tmp_path / "g.png"),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "g.json").read_text())
    truth = true_band_gap_eV(params)
    assert doc["method"].startswith("second-derivative minimum")
    assert abs(doc["band_gap_eV"] - truth) <= max(3 * doc["band_gap_stderr_eV"], 0.003)
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "band_gap_eV" in out


def test_catalysis_yields_json(tmp_path: Path, capsys) -> None:
    f = tmp_path / "runs.csv"
    # Worked by hand: CO 12.2 umol at 120 h over 0.191 mg -> 12.2 / 120 / 0.000191
    # = 532.29 umol g-1 h-1; selectivity (product basis) 12.2 / (12.2 + 1.0 + 0.06) = 0.9201.
    f.write_text("time_h,CO_umol,H2_umol,CH4_umol\n0,0,0,0\n24,2.4,0.2,0.0\n120,12.2,1.0,0.06\n")
    code, _, err = _run(
        [
            "catalysis",
            "yields",
            str(f),
            "--mass-mg",
            "0.191",
            "--json",
            str(tmp_path / "r.json"),
            "--plot",
            str(tmp_path / "r.svg"),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["CO_rate_umol_g_h"] == pytest.approx(532.29, abs=0.01)
    assert doc["selectivity_product_CO"] == pytest.approx(0.92006, abs=1e-4)
    assert (tmp_path / "r.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "must_contain"),
    [
        (["uvvis", "bandgap", "missing.csv"], "missing.csv"),
        (["catalysis", "yields", "missing.csv"], "missing.csv"),
        (["uvvis", "bandgap", str(DATA / "2-12ZCIS_uvvis.csv"), "--plot", "x.gif"], "--plot"),
        (["catalysis", "yields", str(DATA / "2-12ZCIS_products.csv"), "--mass-mg", "0"], "mass"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], must_contain: str, capsys) -> None:
    code, _, err = _run(args, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("qdcat: error: "), err
    assert must_contain in lines[0]


def test_plot_error_leaves_no_json(tmp_path: Path, capsys) -> None:
    out = tmp_path / "g.json"
    code, _, _ = _run(
        [
            "uvvis",
            "bandgap",
            str(DATA / "2-12ZCIS_uvvis.csv"),
            "--json",
            str(out),
            "--plot",
            str(tmp_path / "g.gif"),
        ],
        capsys,
    )
    assert code == 2
    assert not out.exists(), "a JSON was written although the command failed"


def test_usage_error_exit_code(capsys) -> None:
    code, _, err = _run(["run"], capsys)
    assert code == 2 and "Missing argument" in err
