"""``qdcat stability ...`` and ``qdcat performance ...`` commands."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qdcat.catalysis.stability import simulate_cycles
from qdcat.cli import main


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def test_cycles_and_decay(tmp_path: Path, capsys) -> None:
    k = -math.log(0.7) / 240  # cycle 3 at 70 % of cycle 1
    frame = simulate_cycles(3, 120.0, np.arange(24.0, 121.0, 24.0), 0.1, k, n_runs=2, rng=2)
    f = tmp_path / "cycles.csv"
    frame.to_csv(f, index=False)
    code, out, _ = _run(
        [
            "stability",
            "cycles",
            str(f),
            "--json",
            str(tmp_path / "c.json"),
            "--plot",
            str(tmp_path / "c.png"),
        ],
        capsys,
    )
    assert code == 0 and "retention_last" in out
    doc = json.loads((tmp_path / "c.json").read_text())
    assert abs(doc["retention_last"] - 0.7) < 0.05
    code, _, _ = _run(["stability", "decay", str(f), "--json", str(tmp_path / "d.json")], capsys)
    assert code == 0
    d = json.loads((tmp_path / "d.json").read_text())
    assert abs(d["deactivation_rate_per_h"] - k) < 3 * d["deactivation_rate_stderr_per_h"]
    assert d["converged"] is True


def test_outdoor_and_donor(tmp_path: Path, capsys) -> None:
    f = tmp_path / "out.csv"
    f.write_text("day,CO_umol,insolation_kWh_m2\n1,0.1,2\n2,0.2,4\n3,0.15,3\n4,0.05,1\n")
    code, _, _ = _run(["stability", "outdoor", str(f), "--json", str(tmp_path / "o.json")], capsys)
    assert code == 0
    # yield = 0.05 umol per kWh m-2 exactly
    o = json.loads((tmp_path / "o.json").read_text())
    assert o["yield_per_insolation_umol_m2_kWh"] == pytest.approx(0.05)
    run = tmp_path / "run.toml"
    run.write_text(
        '[sample]\nname = "d"\n[donor]\namount_umol = 100\n'
        "[[points]]\ntime_h = 60\nCO_umol = 5\n[[points]]\ntime_h = 120\nCO_umol = 10\n"
    )
    code, _, _ = _run(["stability", "donor", str(run), "--json", str(tmp_path / "a.json")], capsys)
    assert code == 0
    # 10 umol CO needs 20 umol e- = 10 umol ascorbic acid of 100: 10 %
    assert json.loads((tmp_path / "a.json").read_text())["donor_consumed_fraction"] == 0.1
    run.write_text(run.read_text().replace("[donor]\namount_umol = 100\n", ""))
    code, _, err = _run(["stability", "donor", str(run)], capsys)
    assert code == 2 and "donor" in err


def test_performance_commands(tmp_path: Path, capsys) -> None:
    code, out, _ = _run(["performance", "paper-check"], capsys)
    assert code == 0 and "implied_catalyst_mass_mg" in out and "0.191" in out
    run = tmp_path / "run.toml"
    run.write_text(
        '[sample]\nname = "c"\n'
        "[[points]]\ntime_h = 60\nCO_umol = 5\n[[points]]\ntime_h = 120\nCO_umol = 10\n"
        '[[controls]]\ncondition = "dark"\nCO_umol = 1.0\n'  # 10 % of the main run: fails
    )
    code, _, err = _run(["performance", "controls", str(run)], capsys)
    assert code == 1 and "CONTROL FAILED" in err
    aqy = tmp_path / "aqy.csv"
    # 0.32 % at 400 nm, 5.28 mW on 1 cm2 for 10 h: n = 0.0032 x 63.558 x 10 / 2 = 1.01693 umol
    aqy.write_text(
        "wavelength_nm,power_mW_cm2,area_cm2,duration_h,CO_umol\n400,5.28,1,10,1.01693\n"
    )
    code, _, _ = _run(["performance", "aqy", str(aqy), "--json", str(tmp_path / "q.json")], capsys)
    assert code == 0
    assert json.loads((tmp_path / "q.json").read_text())["aqy_400nm_pct"] == pytest.approx(
        0.32, rel=1e-4
    )
    code, out, _ = _run(
        [
            "performance",
            "benchmark",
            "--json",
            str(tmp_path / "b.json"),
            "--plot",
            str(tmp_path / "b.png"),
        ],
        capsys,
    )
    assert code == 0 and "doi:10.1021/acscatal.3c03884" in out
    assert len(json.loads((tmp_path / "b.json").read_text())["benchmark"]) >= 5
