"""The registry: analyses with auxiliary data files (an IRF beside a decay, a reference)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qdcat.core.errors import ConfigError
from qdcat.examples import example_project
from qdcat.pipeline import load_project, registry, run_project
from qdcat.pipeline.analyses.band_gap import analyse, load_spectrum, plot
from qdcat.pipeline.registry import Analysis


def _load_with_reference(path: Path, uvvis_ref: Path):
    # the auxiliary file arrives as a keyword argument named after its data key
    spectrum = load_spectrum(path)
    reference = load_spectrum(uvvis_ref)
    return spectrum - 0.0 * reference  # a no-op that proves both were read


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry.all_analyses()
    monkeypatch.setitem(
        registry._REGISTRY,
        "gap_with_reference",
        Analysis(
            name="gap_with_reference",
            title="Band gap with a reference spectrum",
            technique="uvvis",
            technique_description="UV-vis",
            auxiliary={"uvvis_ref": "reference spectrum (solvent)"},
            load=_load_with_reference,
            analyse=analyse,
            plot=plot,
            options=registry.get_analysis("band_gap").options,
        ),
    )
    dest = tmp_path / "proj"
    shutil.copytree(example_project().parent, dest)
    text = (dest / "project.toml").read_text()
    text = text.replace(
        "[analyses.product_yields]",
        '[analyses.gap_with_reference]\nsamples = ["2/12ZCIS"]\n\n[analyses.product_yields]',
    )
    (dest / "project.toml").write_text(text)
    return dest / "project.toml"


def test_missing_auxiliary_file_is_a_config_error(project: Path) -> None:
    with pytest.raises(ConfigError, match="needs \\(reference spectrum") as info:
        load_project(project)
    assert "samples[2].data" in str(info.value)


def test_auxiliary_file_reaches_load(project: Path, tmp_path: Path) -> None:
    text = project.read_text().replace(
        'uvvis = "data/2-12ZCIS_uvvis.csv"',
        'uvvis = "data/2-12ZCIS_uvvis.csv"\nuvvis_ref = "data/1-12ZCIS_uvvis.csv"',
    )
    project.write_text(text)
    summary = run_project(project, tmp_path / "out", executor="serial", progress=False)
    assert summary.ok, summary.failed
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["analyses"]["gap_with_reference"]["samples"]["2/12ZCIS"]["status"] == "ok"
    roles = {(f["role"], f["sample"]) for f in doc["provenance"]["inputs"]}
    assert ("uvvis_ref", "2/12ZCIS") in roles  # auxiliary inputs are checksummed too


def test_unknown_report_section_is_refused() -> None:
    from qdcat.core.errors import QdcatError
    from qdcat.pipeline.registry import Analysis, register

    bad = Analysis(
        name="_section_probe",
        title="probe",
        technique="uvvis",
        technique_description="",
        load=lambda p: p,
        analyse=lambda d, s, o: None,
        plot=lambda r, s: None,
        section="spectroscopyy",
    )
    with pytest.raises(QdcatError, match="unknown report section 'spectroscopyy'"):
        register(bad)
