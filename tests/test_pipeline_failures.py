"""A fit that fails is reported as failed, never as numbers that look fine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qdcat.cli import main
from qdcat.core.errors import ConvergenceError
from qdcat.examples import example_project
from qdcat.pipeline import registry
from qdcat.pipeline.analyses.band_gap import load_spectrum, plot
from qdcat.pipeline.registry import Analysis


def _never_converges(data, sample, options):
    if sample["name"] == "2/12ZCIS":
        raise ConvergenceError("maximum number of evaluations reached", n_evaluations=400)
    from qdcat.optics import band_gap_second_derivative

    return band_gap_second_derivative(data)


@pytest.fixture
def failing_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry.all_analyses()  # discover first, then add the test analysis on top
    monkeypatch.setitem(
        registry._REGISTRY,
        "fragile_fit",
        Analysis(
            name="fragile_fit",
            title="A fit that fails for one sample",
            technique="uvvis",
            technique_description="UV-vis",
            load=load_spectrum,
            analyse=_never_converges,
            plot=plot,
            summary=("band_gap_eV",),
        ),
    )
    dest = tmp_path / "proj"
    shutil.copytree(example_project().parent, dest)
    project = dest / "project.toml"
    project.write_text(project.read_text() + "\n[analyses.fragile_fit]\n")
    return project


def test_failed_fit_is_recorded_and_exit_code_is_1(failing_project: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(failing_project), "--out", str(out), "--serial"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "fragile_fit on 2/12ZCIS" in err and "did not converge after 400 evaluations" in err
    doc = json.loads((out / "results.json").read_text())
    entry = doc["analyses"]["fragile_fit"]["samples"]["2/12ZCIS"]
    assert entry["status"] == "failed"
    assert "quantities" not in entry  # no numbers for a fit that failed
    assert entry["error_kind"] == "ConvergenceError"
    ok = doc["analyses"]["fragile_fit"]["samples"]["8/12ZCIS"]
    assert ok["status"] == "ok" and "band_gap_eV" in ok["quantities"]
    html = (out / "report.html").read_text()
    assert "1 analysis result failed or did not converge" in html
    assert "maximum number of evaluations reached" in html
