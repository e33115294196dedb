"""``qdcat perf RUN.toml``: the shipped run file through the command line, JSON keys and values."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from qdcat.cli import main

PAPER_RUN = Path(str(resources.files("qdcat.examples"))) / "runs" / "paper_2_12_120h.toml"


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def test_perf_on_the_shipped_run_file(tmp_path: Path, capsys) -> None:
    out_json, out_png = tmp_path / "perf.json", tmp_path / "perf.png"
    code, out, _ = _run(
        ["perf", str(PAPER_RUN), "--json", str(out_json), "--plot", str(out_png)], capsys
    )
    assert code == 0
    assert "CO_ton_per_qd" in out
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads(out_json.read_text())
    co = doc["products"]["CO"]
    # by hand (see tests/test_catalysis_performance.py): 12.2 umol / 120 h = 0.101667 umol h-1;
    # / 0.191 mg = 532.29 umol g-1 h-1; TON = 12.2 / (0.191e-3 / 30700 x 1e6) = 1960.9 per dot,
    # / 24 = 81.71 per surface Cu; AQY = 2 x 0.101667 / (12.0375 x 5.28) x 100 = 0.3199 %
    assert co["amount_umol"] == pytest.approx(12.2)
    assert co["rate_umol_h"] == pytest.approx(12.2 / 120)
    assert co["rate_fit_umol_h"] == pytest.approx((2.4 / 24 + 12.2 / 120) / 2)
    assert co["rate_umol_g_h"] == pytest.approx(532.29, abs=0.01)
    assert co["ton_per_qd"] == pytest.approx(1960.9, abs=0.1)
    assert co["ton_per_surface_cu"] == pytest.approx(81.705, abs=0.01)
    assert doc["selectivity_product_basis"]["CO"] == pytest.approx(12.2 / 13.26)
    assert doc["selectivity_electron_basis"]["CO"] == pytest.approx(24.4 / 26.88)
    assert doc["aqy_percent"]["CO"] == pytest.approx(0.3199, abs=2e-4)
    # every key has its standard-error partner; one run, no calibration: null
    assert co["amount_umol_stderr"] is None
    assert doc["aqy_percent"]["CO_stderr"] is None
    assert set(doc["products"]) == {"CO", "H2", "CH4"}


def test_perf_with_replicates_writes_stderr(tmp_path: Path, capsys) -> None:
    run = tmp_path / "rep.toml"
    run.write_text(
        '[sample]\nname = "r"\ncatalyst_mass_mg = 0.2\n'
        "[[points]]\nrun = 1\ntime_h = 60\nCO_umol = 5\n"
        "[[points]]\nrun = 1\ntime_h = 120\nCO_umol = 10\n"
        "[[points]]\nrun = 2\ntime_h = 60\nCO_umol = 5.5\n"
        "[[points]]\nrun = 2\ntime_h = 120\nCO_umol = 11\n"
    )
    out_json = tmp_path / "r.json"
    code, _, _ = _run(["perf", str(run), "--json", str(out_json)], capsys)
    assert code == 0
    co = json.loads(out_json.read_text())["products"]["CO"]
    # finals 10 and 11: se = |11 - 10| / 2 = 0.5 umol; per gram per hour 0.5 / 120 / 2e-4 g
    assert co["amount_umol_stderr"] == pytest.approx(0.5)
    assert co["rate_umol_g_h_stderr"] == pytest.approx(0.5 / 120 / 2e-4)
    assert co["ton_per_qd"] is None  # no molar mass per dot: no TON


def test_perf_bad_input_exits_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(PAPER_RUN.read_text().replace("area_cm2 = 1.0", "area_cm2 = 0"))
    code, _, err = _run(["perf", str(bad), "--json", str(tmp_path / "x.json")], capsys)
    assert code == 2
    assert str(bad) in err and "light.area_cm2" in err
    assert not (tmp_path / "x.json").exists()
    bad.write_text(PAPER_RUN.read_text().replace("CH4_umol = 0.06", "C2H6_umol = 0.06"))
    code, _, err = _run(["perf", str(bad)], capsys)
    assert code == 2 and "points[1].C2H6_umol" in err and "unknown product" in err
