"""The shipped example data are exactly what the generator in the repository makes."""

from __future__ import annotations

from pathlib import Path

from qdcat.examples import example_project, list_examples
from qdcat.examples.generate import generate_zcis, paper_numbers


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    shipped = example_project("zcis").parent / "data"
    written = generate_zcis(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in shipped.iterdir())
    for p in written:
        assert p.read_bytes() == (shipped / p.name).read_bytes(), p.name


def test_examples_are_labelled_simulated() -> None:
    assert list_examples() == ["zcis"]
    project = example_project("zcis")
    assert "simulated = true" in project.read_text()
    # every data file says what it is in its first line: simulated data, a model's build
    # parameters, or numbers the paper reports (HRTEM fringes); none passes for a measurement
    labels = ("# SIMULATED", "# MODEL (not a measurement)", "# REPORTED (not simulated)")
    for f in (project.parent / "data").iterdir():
        assert f.read_text().startswith(labels), f.name


def test_paper_numbers_are_shipped() -> None:
    # the seed paper's reported values, copied into the package (nothing outside it is read)
    paper = paper_numbers()
    assert paper["samples"]["icp_cu_to_in"] == [0.97, 0.43, 0.26, 0.13]
    assert paper["photocatalysis"]["co_rate_umol_g_h_2_12"] == 532.3
