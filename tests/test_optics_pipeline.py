"""The optics pipeline analyses (edge_decomposition, photoluminescence, band_gap loading) on the
example ZCIS data: the shipped UV-vis spectra and PL spectra written by
qdcat.examples.generate_optics, both simulated with known parameters.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest

from qdcat.core.errors import InputError
from qdcat.examples import example_project
from qdcat.examples.generate import absorption_params
from qdcat.examples.generate_optics import PL_PARAMETERS, generate_optics, pl_parameters
from qdcat.pipeline.registry import get_analysis, known_techniques
from qdcat.pipeline.runner import run_task

DATA = example_project().parent / "data"
NAMES = ["8/12ZCIS", "4/12ZCIS", "2/12ZCIS", "1/12ZCIS"]


def slug(name: str) -> str:
    return name.replace("/", "-")


@pytest.fixture(scope="module")
def pl_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("optics")
    written = generate_optics(out)
    assert [p.name for p in written] == [f"{slug(n)}_pl.csv" for n in NAMES]
    return out / "data"


def test_registered_with_their_data_keys() -> None:
    assert get_analysis("edge_decomposition").technique == "uvvis"
    pl = get_analysis("photoluminescence")
    assert pl.technique == "pl" and set(pl.auxiliary) == {"uvvis"}
    techniques = known_techniques()
    assert "pl" in techniques and "uvvis" in techniques


def test_generator_is_reproducible_and_uses_the_paper_range(tmp_path: Path, pl_dir: Path) -> None:
    again = generate_optics(tmp_path)
    for p in again:
        assert p.read_bytes() == (pl_dir / p.name).read_bytes()
    shifts = [PL_PARAMETERS[n]["stokes_shift_meV"] for n in NAMES]
    assert shifts == sorted(shifts) and shifts[0] == 380 and shifts[-1] == 490  # paper range
    # PL peak = exciton - Stokes shift: 2.14 - 0.380 = 1.760 eV for 8/12ZCIS
    assert pl_parameters("8/12ZCIS")["peak_eV"] == pytest.approx(1.760)


def test_edge_decomposition_on_the_example(tmp_path: Path) -> None:
    results = {}
    for name in NAMES:
        outcome = run_task(
            "edge_decomposition", {"name": name}, str(DATA / f"{slug(name)}_uvvis.csv"), {}
        )
        assert outcome.error is None and outcome.figure_png[:4] == b"\x89PNG"
        r = outcome.result
        results[name] = r
        p = absorption_params(name)
        x = r.quantities["exciton_eV"]
        assert abs(float(x.value) - p.exciton_eV) <= max(4 * float(x.stderr), 0.002)
        truth = p.abs2_amplitude * p.abs2_width_eV / (p.exciton_amplitude * p.exciton_width_eV)
        q = r.quantities["abs2_abs1_area_ratio"]
        # the linearised errors understate the spread for weak, strongly correlated Abs2
        # bands; the example files recover the truth within 3.5 standard errors
        assert abs(float(q.value) - truth) <= 3.5 * float(q.stderr), (name, q, truth)
    # Table S4 ordering of the simulation: Abs2 strongest for 8/12, weakest for 2/12
    ratios = {n: float(r.quantities["abs2_abs1_area_ratio"].value) for n, r in results.items()}
    assert ratios["8/12ZCIS"] > ratios["4/12ZCIS"] > ratios["1/12ZCIS"] > ratios["2/12ZCIS"]
    analysis = get_analysis("edge_decomposition")
    fig = analysis.compare(results, [{"name": n} for n in NAMES], analysis.options())
    fig.savefig(tmp_path / "cmp.png", dpi=40)


def test_photoluminescence_on_the_example(tmp_path: Path, pl_dir: Path) -> None:
    results = {}
    for name in NAMES:
        outcome = run_task(
            "photoluminescence",
            {"name": name},
            str(pl_dir / f"{slug(name)}_pl.csv"),
            {},
            {"uvvis": str(DATA / f"{slug(name)}_uvvis.csv")},
        )
        assert outcome.error is None and outcome.figure_png[:4] == b"\x89PNG"
        r = outcome.result
        results[name] = r
        truth = pl_parameters(name)
        s = r.quantities["stokes_shift_meV"]
        assert abs(float(s.value) - truth["stokes_shift_meV"]) <= max(4 * float(s.stderr), 1.0)
        assert 380 - 5 <= float(s.value) <= 490 + 5  # the paper's range, Fig. 4a
        peak = r.quantities["pl_peak_eV"]
        assert abs(float(peak.value) - truth["peak_eV"]) <= max(4 * float(peak.stderr), 3e-4)
    analysis = get_analysis("photoluminescence")
    fig = analysis.compare(results, [{"name": n} for n in NAMES], analysis.options())
    fig.savefig(tmp_path / "fig4a.png", dpi=40)
    # band-gap reference option
    outcome = run_task(
        "photoluminescence",
        {"name": "2/12ZCIS"},
        str(pl_dir / "2-12ZCIS_pl.csv"),
        {"reference": "band-gap"},
        {"uvvis": str(DATA / "2-12ZCIS_uvvis.csv")},
    )
    assert outcome.result.metadata["reference"] == "band-gap"


def test_options_are_validated() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        get_analysis("photoluminescence").options.model_validate({"reference": "onset"})
    with pytest.raises(ValidationError):
        get_analysis("edge_decomposition").options.model_validate({"fit_scater": False})


def test_pl_file_must_be_an_emission_spectrum(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"2-12ZCIS_uvvis\.csv.*not an emission spectrum"):
        get_analysis("photoluminescence").load(
            DATA / "2-12ZCIS_uvvis.csv", uvvis=DATA / "2-12ZCIS_uvvis.csv"
        )
