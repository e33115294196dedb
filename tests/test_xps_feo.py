"""Validation against CasaXPS: the FeO Fe 2p fit stored in pynxtools-xps' FeO_analyzed.vms.

The reference numbers are CasaXPS's own results table (FeO_analyzed_results.csv, read here).
What qdcat reproduces, and what it does not:

* the region and background: same window, U3 Tougaard with CasaXPS's C and D; the B that meets
  the high-energy end is within 1 % of the B CasaXPS stored (335.44588 eV^2);
* the two Fe 2p main-line positions within 0.1 eV;
* NOT the 0.05 eV / 1-point agreement a shared line-shape definition would give: the main lines
  are CasaXPS ``LF(0.54,10,80,100,6)`` shapes, whose Gaussian index ``m`` and damping ``w`` have
  no published conversion, so qdcat fits its own asymmetric Lorentzian (same exponents, fitted
  Gaussian and damping widths in eV). The broad SGL(30) satellites then end at their CasaXPS
  bounds and take 24-25 % of the area instead of 30.05 %; the check below holds that
  difference to what it is now (< 7 points) so that a regression shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qdcat.xps import read_xps
from qdcat.xps.casa import casa_model, fit_casa

DATA = Path(__file__).parent / "data" / "xps"


def _casaxps_results() -> list[tuple[float, float, float]]:
    """(position eV, FWHM eV, %At Conc) rows of CasaXPS's results table."""
    rows = []
    for line in (DATA / "FeO_analyzed_results.csv").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) > 6 and parts[0] == "Fe 2p":
            rows.append((float(parts[1]), float(parts[2]), float(parts[5])))
        if len(rows) == 4:
            break
    return rows


def test_results_table_is_what_the_readme_says() -> None:
    rows = _casaxps_results()
    assert [r[0] for r in rows] == [709.03, 715.73, 722.18, 730.22]
    assert rows[1][2] + rows[3][2] == pytest.approx(30.05)


def test_casaxps_region_and_background_reproduced() -> None:
    s = read_xps(DATA / "FeO_analyzed.vms")
    cm = casa_model(s)
    # region 737.52081-786.7632 eV kinetic at hv = 1486.61 eV
    assert cm.window_eV == pytest.approx((1486.61 - 786.7632, 1486.61 - 737.52081))
    assert cm.background == "tougaard"
    assert cm.tougaard == {"kind": "U3", "C": 551.0, "D": 436.0}
    assert cm.n_average == 2
    f = fit_casa(s)
    assert f.background_parameters["B"] == pytest.approx(335.44588, rel=0.01)


def test_feo_casaxps_fit_partly_reproduced() -> None:
    rows = _casaxps_results()
    f = fit_casa(read_xps(DATA / "FeO_analyzed.vms"))
    assert f.converged
    pos = [f.values[f"c{i}_center"] for i in range(4)]
    assert pos[0] == pytest.approx(rows[0][0], abs=0.1)  # Fe 2p3/2 main line
    assert pos[2] == pytest.approx(rows[2][0], abs=0.1)  # Fe 2p1/2 main line
    assert 714.0 <= pos[1] <= 716.0 and 727.0 <= pos[3] <= 730.5  # CasaXPS's bounds
    total = sum(f.areas.values())
    satellites = 100.0 * (f.areas["c1"] + f.areas["c3"]) / total
    assert abs(satellites - (rows[1][2] + rows[3][2])) < 7.0


def test_cli_fit_with_the_files_own_casaxps_model(tmp_path: Path) -> None:
    import json

    from qdcat.cli import main

    out = tmp_path / "feo.json"
    assert main(["xps", "fit", str(DATA / "FeO_analyzed.vms"), "--casa", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["background"] == "tougaard" and len(d["peaks"]) == 4
    assert d["c0_position_eV"] == pytest.approx(709.03, abs=0.1)
