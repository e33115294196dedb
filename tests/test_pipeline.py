"""The pipeline end to end: project file -> results.json, figures, report.html.

Bad input of every kind exits 2 with one line naming the file and the key or line, and leaves
no output folder (nor a temporary one) behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from qdcat.cli import main
from qdcat.examples import example_project
from qdcat.examples.generate import absorption_params
from qdcat.pipeline import run_project

EXAMPLE = example_project("zcis").parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of the shipped example project."""
    dest = tmp_path / "proj"
    shutil.copytree(EXAMPLE, dest)
    return dest / "project.toml"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    summary = run_project(example_project(), out, executor="serial", progress=False)
    assert summary.ok, summary.failed
    return out


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_clean_failure(code: int, err: str, out_dir: Path, *must_contain: str) -> None:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert lines[0].startswith("qdcat: error: ")
    assert "Traceback" not in err
    for text in must_contain:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    assert not out_dir.exists(), "an output folder was left behind"
    leftovers = [p.name for p in out_dir.parent.iterdir() if p.name.startswith(f".{out_dir.name}")]
    assert leftovers == [], f"temporary folders left behind: {leftovers}"


# ------------------------------------------------------------------------------------ success


def test_demo_results_document(demo_run: Path) -> None:
    doc = json.loads((demo_run / "results.json").read_text())
    assert doc["project"]["simulated"] is True
    assert [s["name"] for s in doc["samples"]] == ["8/12ZCIS", "4/12ZCIS", "2/12ZCIS", "1/12ZCIS"]
    assert {
        "band_gap",
        "product_yields",
        "ta_traces",
        "ta_bleach",
        "ta_global",
        "trpl",
        "electron_transfer",
        "stern_volmer",
    } <= set(doc["analyses"])
    for analysis in doc["analyses"].values():
        if analysis["figure"] is not None:  # analyses without a comparison figure have none
            assert (demo_run / analysis["figure"]).is_file()
        for entry in analysis["samples"].values():
            assert entry["status"] == "ok"
            assert (demo_run / entry["figure"]).is_file()
            for q in entry["quantities"].values():
                assert set(q) >= {"value", "stderr", "unit"}
    inputs = doc["provenance"]["inputs"]
    # the project file, and every data file of every sample (auxiliary ones included)
    spec = tomllib.loads(example_project().read_text())
    n_data = sum(len(sample["data"]) for sample in spec["samples"])
    assert len(inputs) == 1 + n_data
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in inputs)


def test_demo_band_gaps_recover_the_simulation_truth(demo_run: Path) -> None:
    from qdcat.optics import true_band_gap_eV

    doc = json.loads((demo_run / "results.json").read_text())
    for name, entry in doc["analyses"]["band_gap"]["samples"].items():
        # the truth: the second-derivative minimum of the generator's noiseless model
        truth = true_band_gap_eV(absorption_params(name))
        q = entry["quantities"]["band_gap_eV"]
        assert abs(q["value"] - truth) <= max(3 * q["stderr"], 0.005), (name, q, truth)
    # the paper's range over the series: 2.14-2.46 eV (Fig. S7), widening with Cu deficiency
    gaps = [
        e["quantities"]["band_gap_eV"]["value"]
        for e in doc["analyses"]["band_gap"]["samples"].values()
    ]
    assert gaps == sorted(gaps)
    assert 2.08 < gaps[0] < 2.20 and 2.40 < gaps[-1] < 2.52


def test_demo_co_yields_match_the_paper(demo_run: Path) -> None:
    doc = json.loads((demo_run / "results.json").read_text())
    samples = doc["analyses"]["product_yields"]["samples"]
    # Paper (Fig. 5a): CO after 120 h 12.2 / 3.1 / 0.5 umol; 532.3 umol g-1 h-1 for 2/12ZCIS.
    # The generator adds 3 % relative reading noise to each of two runs, so the mean of the
    # final readings has a relative standard deviation of 0.03 / sqrt(2) = 2.1 %; allow 3 of
    # them (6.4 %). (The standard error from two runs has one degree of freedom: too unsteady
    # to set a bound with.)
    tol = 3 * 0.03 / 2**0.5
    for name, paper in {"2/12ZCIS": 12.2, "4/12ZCIS": 3.1, "8/12ZCIS": 0.5}.items():
        q = samples[name]["quantities"]["CO_amount_umol"]
        assert abs(q["value"] - paper) <= tol * paper, (name, q)
        assert q["stderr"] > 0
    rate = samples["2/12ZCIS"]["quantities"]["CO_rate_umol_g_h"]
    assert rate["unit"] == "umol g-1 h-1"
    assert abs(rate["value"] - 532.3) <= tol * 532.3, rate
    sel = samples["2/12ZCIS"]["quantities"]["selectivity_product_CO"]
    assert abs(sel["value"] - 0.92) < 0.01


def test_report_is_self_contained_and_labelled(demo_run: Path) -> None:
    html = (demo_run / "report.html").read_text()
    doc = json.loads((demo_run / "results.json").read_text())
    assert "Simulated data." in html
    assert 'src="http' not in html and 'href="http' not in html.replace("https://doi.org", "")
    figures = [a["figure"] for a in doc["analyses"].values() if a["figure"]] + [
        e["figure"] for a in doc["analyses"].values() for e in a["samples"].values() if e["figure"]
    ]
    assert html.count("data:image/png;base64,") == len(figures)  # every figure is embedded
    for f in doc["provenance"]["inputs"]:
        assert f["sha256"] in html
    assert doc["provenance"]["qdcat_version"] in html


@pytest.mark.browser
def test_report_loads_in_headless_chromium(demo_run: Path, chromium: str) -> None:
    from qdcat.report.browser import check_html

    check = check_html(demo_run / "report.html")
    assert check.ok, check.problems()
    doc = json.loads((demo_run / "results.json").read_text())
    n = sum(1 for a in doc["analyses"].values() if a["figure"]) + sum(
        1 for a in doc["analyses"].values() for e in a["samples"].values() if e["figure"]
    )
    assert check.n_images == n and check.n_images_decoded == n
    assert check.console_errors == [] and check.page_errors == []


def test_rerun_replaces_previous_output(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    for _ in range(2):
        code, _, err = _run_cli(["run", str(project), "--out", str(out), "--serial"], capsys)
        assert code == 0, err
    assert (out / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "proj"]


def test_processes_and_serial_agree(project: Path, tmp_path: Path) -> None:
    a = run_project(project, tmp_path / "a", executor="serial", progress=False)
    b = run_project(project, tmp_path / "b", executor="processes", max_workers=2, progress=False)
    assert a.ok and b.ok
    ra = json.loads((tmp_path / "a" / "results.json").read_text())["analyses"]
    rb = json.loads((tmp_path / "b" / "results.json").read_text())["analyses"]
    for name in ra:
        for s in ra[name]["samples"]:
            assert ra[name]["samples"][s]["quantities"] == rb[name]["samples"][s]["quantities"]


# ---------------------------------------------------------------------------------- bad input


def _edit(project: Path, old: str, new: str, count: int = 1) -> None:
    text = project.read_text()
    assert old in text, old
    project.write_text(text.replace(old, new, count))


def test_missing_project_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(tmp_path / "nope.toml"), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "nope.toml", "not found")


def test_malformed_toml_names_line(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, "cu_in_ratio = 0.43", "cu_in_ratio = = 0.43")
    line = next(i for i, text in enumerate(project.read_text().splitlines(), 1) if "= =" in text)
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, f"project.toml:{line}:", "malformed TOML")


def test_unknown_key_suggests_the_right_one(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, "cu_in_ratio = 0.26", "cu_in = 0.26")
    line = next(
        i for i, text in enumerate(project.read_text().splitlines(), 1) if "cu_in = " in text
    )
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(
        code,
        err,
        out,
        f"project.toml:{line}:",
        "samples[2].cu_in",
        "unknown key",
        "did you mean 'cu_in_ratio'",
    )


def test_wrong_type(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, "cu_in_ratio = 0.97", 'cu_in_ratio = "low"')
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "samples[0].cu_in_ratio", "wrong type", "'low'")


def test_out_of_range_value(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, "catalyst_mass_mg = 0.191", "catalyst_mass_mg = -1.0")
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "samples[0].catalyst_mass_mg", "greater than 0")


def test_unknown_analysis(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, "[analyses.band_gap]", "[analyses.bandgap]")
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "analyses.bandgap", "did you mean 'band_gap'")


def test_bad_analysis_option(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, "[analyses.band_gap]", "[analyses.band_gap]\npolyorder = 9")
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "analyses.band_gap.polyorder", "less than or equal to 6")


def test_unknown_technique(project: Path, tmp_path: Path, capsys) -> None:
    _edit(project, 'uvvis = "data/8-12ZCIS_uvvis.csv"', 'uv_vis = "data/8-12ZCIS_uvvis.csv"')
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "samples[0].data.uv_vis", "did you mean 'uvvis'")


def test_missing_data_file(project: Path, tmp_path: Path, capsys) -> None:
    (project.parent / "data" / "4-12ZCIS_products.csv").unlink()
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(
        code, err, out, "samples[1].data.products", "data file not found", "4-12ZCIS_products.csv"
    )


def test_data_file_that_does_not_parse(project: Path, tmp_path: Path, capsys) -> None:
    data = project.parent / "data" / "2-12ZCIS_uvvis.csv"
    lines = data.read_text().splitlines(keepends=True)
    lines[40] = "512.0,0.1x3\n"
    data.write_text("".join(lines))
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "2-12ZCIS_uvvis.csv:41", "0.1x3")


def test_data_file_with_wrong_unit(project: Path, tmp_path: Path, capsys) -> None:
    data = project.parent / "data" / "1-12ZCIS_uvvis.csv"
    data.write_text(data.read_text().replace("wavelength_nm,absorbance", "time_ns,absorbance"))
    out = tmp_path / "out"
    code, _, err = _run_cli(["run", str(project), "--out", str(out)], capsys)
    _assert_clean_failure(code, err, out, "1-12ZCIS_uvvis.csv", "time_ns", "wavelength")


def test_refuses_to_overwrite_a_foreign_folder(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter.tex").write_text("precious")
    code, _, err = _run_cli(["run", str(project), "--out", str(out), "--serial"], capsys)
    assert code == 2 and "not written by qdcat" in err
    assert (out / "chapter.tex").read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["chapter.tex"]


def test_installed_command_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[project]\nname = 'x'\n[[samples]]\nname = 'a'\nmass = 3\n")
    exe = Path(sys.executable).with_name("qdcat")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "qdcat"]
    proc = subprocess.run(
        [*cmd, "run", str(bad), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "bad.toml:5: samples[0].mass: unknown key" in proc.stderr
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------------- dask


@pytest.mark.dask
def test_run_on_a_dask_scheduler(project: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(
        host="127.0.0.1",
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        dashboard_address=":0",
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        exe = Path(sys.executable).with_name("qdcat")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "qdcat"]
        proc = subprocess.run(
            [*cmd, "run", str(project), "--out", str(out), "--scheduler", address],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "results.json").read_text())
    assert doc["provenance"]["executor"] == f"dask.distributed at {address}"
    assert all(e["status"] == "ok" for a in doc["analyses"].values() for e in a["samples"].values())


def test_report_groups_analyses_into_sections_in_page_order(demo_run: Path) -> None:
    from qdcat.pipeline.registry import SECTIONS, get_analysis

    html = (demo_run / "report.html").read_text()
    doc = json.loads((demo_run / "results.json").read_text())
    # every analysis carries its section: its own, else its technique's (ta -> kinetics)
    for name, a in doc["analyses"].items():
        own = get_analysis(name).section
        assert a["section"] == (
            own or {"ta": "kinetics", "uvvis": "spectroscopy"}.get(a["technique"], a["section"])
        ), a
    assert "other" not in {a["section"] for a in doc["analyses"].values()}
    present = [k for k in SECTIONS if any(a["section"] == k for a in doc["analyses"].values())]
    assert {"spectroscopy", "kinetics", "performance"} <= set(present)
    # sections appear in SECTIONS order; each analysis lies between its heading and the next
    starts = [html.index(f'<section id="section-{k}">') for k in present]
    assert starts == sorted(starts)
    bounds = dict(zip(present, [*starts[1:], html.index('id="provenance"')], strict=True))
    for name, a in doc["analyses"].items():
        pos = html.index(f'<section id="{name}">')
        assert html.index(f'<section id="section-{a["section"]}">') < pos < bounds[a["section"]]
