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

The 0.05 eV / 1-point targets are unreachable for a second reason: the results table is not
the fit stored in the file's component records (satellite share 32.24 % there against 30.05 %
in the table, satellite 1 on its bounds at 716.00 eV against 715.73 eV; checked below). With
the stored components held fixed and the best asymmetric-Lorentzian family found (widths scaled
with each FWHM), the data pick CasaXPS's stored background B sharply (reduced chi-square 5.2 at
B = 335.4, 20 at 300, 82 at 400), while the table's state never fits below 38.
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


def test_the_results_table_is_not_the_fit_stored_in_the_file() -> None:
    """The issue's targets (positions, 30.05 % satellites) come from the results table; the
    component records in the VAMAS comment are a different fit state, so no line shape can
    reproduce both. Worked from the records (BE = 1486.61 eV - KE): 709.047 / 716.000 /
    722.128 / 729.888 eV; satellite share (35837.064 + 17705.155) / 166091.719 = 32.24 %;
    satellite 1 sits on its bound (716.00 eV, FWHM 8.00 = upper bound) where the table has
    715.73 eV and 7.89 eV."""
    comps = casa_model(read_xps(DATA / "FeO_analyzed.vms")).components
    be = [1486.61 - c.position.value for c in comps]
    assert be == pytest.approx([709.047, 716.000, 722.128, 729.888], abs=5e-4)
    areas = [c.area.value for c in comps]
    share = 100 * (areas[1] + areas[3]) / sum(areas)
    assert share == pytest.approx(32.24, abs=0.01)
    table = _casaxps_results()
    assert abs(share - (table[1][2] + table[3][2])) > 2.0  # 32.24 against 30.05
    assert comps[1].position.value == comps[1].position.lower  # on its bound
    assert comps[1].fwhm.value == comps[1].fwhm.upper
    assert abs(be[1] - table[1][0]) > 0.25 and abs(be[3] - table[3][0]) > 0.3


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
