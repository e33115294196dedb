"""XPS readers: VAMAS (regular, irregular, several blocks, blank leading lines, CasaXPS records),
CSV/text exports, and the bad input they must refuse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qdcat.cli import main
from qdcat.core.errors import InputError
from qdcat.io.vamas import parse_casa_comments, read_vamas
from qdcat.xps import read_xps

DATA = Path(__file__).parent / "data" / "xps"


def test_kratos_file_with_leading_blank_lines() -> None:
    # LG4X-V2 Example/0-150W.vms: two blank lines before the VAMAS magic line, CRLF ends.
    vf = read_vamas(DATA / "LG4X_0-150W_NiW.vms")
    assert [b.block_id for b in vf.blocks] == ["wide", "Ni 2p", "O 1s", "C 1s", "W 4f"]
    assert [b.abscissa.size for b in vf.blocks] == [1206, 601, 251, 301, 251]
    assert len(vf.experimental_variables) == 4
    wide = vf.blocks[0]
    # The block comment says: "wide : 286.690-1491.690eV", "Step size : 1.000eV", Al mono.
    assert wide.abscissa[0] == pytest.approx(286.69)
    assert wide.abscissa[-1] == pytest.approx(1491.69)
    assert np.diff(wide.abscissa) == pytest.approx(np.ones(1205))
    assert wide.source_energy_eV == pytest.approx(1486.69)
    assert wide.work_function_eV == pytest.approx(-4.5)  # "Work function : -4.50"
    # Binding energy = hv - KE: the wide scan spans -5.0 ... 1200.0 eV.
    be = wide.binding_energy_eV()
    assert be[0] == pytest.approx(1200.0) and be[-1] == pytest.approx(-5.0)


def test_regular_file_negative_increment_matches_the_vamas_package_tests() -> None:
    # Numbers from matkrin/vamas tests/test_xps_eis.py (an independent reader's tests).
    vf = read_vamas(DATA / "vamas_xps_eis.vms")
    assert vf.experiment_mode == "NORM" and vf.scan_mode == "REGULAR"
    assert len(vf.blocks) == 4
    first, last = vf.blocks[0], vf.blocks[3]
    assert first.abscissa.size == 8201 and last.abscissa.size == 541
    assert first.abscissa[0] == pytest.approx(1506.7)
    assert first.abscissa[1] - first.abscissa[0] == pytest.approx(-0.1)
    assert last.abscissa[1] - last.abscissa[0] == pytest.approx(-0.05)
    assert first.pass_energy_eV == 50 and last.pass_energy_eV == 20
    assert first.n_scans == 5 and last.n_scans == 10
    assert first.work_function_eV == pytest.approx(4.5)
    assert (first.counts.min(), first.counts.max()) == (2141.0, 84683.0)
    assert (last.counts.min(), last.counts.max()) == (7813.0, 12216.0)
    for b in vf.blocks:  # the file's own declared ordinate ranges
        (lo, hi) = b.declared_ranges["count rate"]
        assert (b.counts.min(), b.counts.max()) == (lo, hi)
        assert b.species == "" and b.variable_units == {"count rate": "c/s"}


def test_irregular_file_with_casaxps_fit() -> None:
    vf = read_vamas(DATA / "FeO_analyzed.vms")
    assert vf.scan_mode == "IRREGULAR" and len(vf.blocks) == 1
    b = vf.blocks[0]
    # 3363 ordinate values = 1121 triples (kinetic energy, intensity, transmission).
    assert b.abscissa.size == 1121
    assert b.abscissa[0] == pytest.approx(736.61) and b.abscissa[-1] == pytest.approx(792.61)
    assert b.counts[0] == pytest.approx(12516.9)
    assert b.variables["transmission"][0] == pytest.approx(2.77354)
    assert b.source_energy_eV == pytest.approx(1486.61)
    (region,) = b.casa.regions
    assert region.background == "U 3 Tougaard"
    assert region.cross_section == (335.44588, 551.0, 436.0, 3.0)
    assert (region.start, region.end) == (737.52081, 786.7632)
    comps = b.casa.components
    assert [c.lineshape for c in comps] == ["LF(0.54,10,80,100,6)", "SGL(30)"] * 2
    assert comps[0].position.value == pytest.approx(777.56313)
    assert comps[1].fwhm.upper == 8.0 and comps[1].lineshape_args == (30.0,)
    assert comps[0].lineshape_name == "LF"


def test_regular_survey_block() -> None:
    vf = read_vamas(DATA / "pynxtools_regular.vms")
    (b,) = vf.blocks
    assert b.block_id == "Survey" and b.abscissa.size == 1351
    assert b.abscissa[0] == pytest.approx(136.61) and b.abscissa[-1] == pytest.approx(1486.61)
    assert not b.casa


def test_casa_calibration_record() -> None:
    info = parse_casa_comments(["Calib M = 286.2 A = 284.8 BE ADD", "some other comment"])
    (cal,) = info.calibrations
    assert cal.shift_eV == pytest.approx(-1.4) and cal.energy_type == "BE"


def test_read_xps_picks_blocks_and_converts_to_binding_energy() -> None:
    s = read_xps(DATA / "LG4X_0-150W_NiW.vms", block="C 1s")
    assert np.all(np.diff(s.binding_energy_eV) > 0)  # ascending after conversion
    # C 1s block: KE 1186.69-1216.69 at hv 1486.69 -> BE 270-300 eV.
    assert s.binding_energy_eV[0] == pytest.approx(270.0)
    assert s.binding_energy_eV[-1] == pytest.approx(300.0)
    with pytest.raises(InputError, match="5 blocks"):
        read_xps(DATA / "LG4X_0-150W_NiW.vms")
    with pytest.raises(InputError, match="no block with this name"):
        read_xps(DATA / "LG4X_0-150W_NiW.vms", block="Cu 2p")


def test_text_kinetic_energy_needs_the_photon_energy() -> None:
    f = DATA / "lmfitxps_clean_Au_4f.csv"  # headerless: kinetic energy, intensity at hv 180 eV
    with pytest.raises(InputError, match="photon energy"):
        read_xps(f, energy="kinetic")
    s = read_xps(f, energy="kinetic", photon_energy_eV=180.0)
    assert s.binding_energy_eV.size == 294
    # first row 84.0 eV KE -> 96.0 eV BE (the last point after sorting)
    assert s.binding_energy_eV[-1] == pytest.approx(96.0)


def test_csv_with_header_descending_energies(tmp_path: Path) -> None:
    f = tmp_path / "cu.csv"
    e = np.arange(960.0, 925.0, -0.5)
    f.write_text(
        "Binding Energy (eV),Counts\n" + "".join(f"{v},{100 + i}\n" for i, v in enumerate(e))
    )
    s = read_xps(f)
    assert s.binding_energy_eV[0] == pytest.approx(925.5)
    assert s.counts[0] == 100 + e.size - 1  # reversed together with the energies


@pytest.mark.parametrize(
    ("rows", "field", "line", "message"),
    [
        (
            [(930.0, 5), (930.5, 6), (930.5, 7), (931.0, 8), (931.5, 9), (932.0, 9)],
            "binding_energy_eV",
            4,
            "duplicated",
        ),
        (
            [(930.0, 5), (930.5, 6), (931.0, 7), (930.8, 8), (931.5, 9), (932.0, 9)],
            "binding_energy_eV",
            5,
            "turn",
        ),
        (
            [(930.0, 5), (930.5, 6), (931.0, -7), (931.5, 8), (932.0, 9), (932.5, 9)],
            "counts",
            4,
            "negative",
        ),
    ],
)
def test_bad_text_input_names_file_line_and_column(tmp_path, rows, field, line, message) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("binding_energy_eV,counts\n" + "".join(f"{a},{b}\n" for a, b in rows))
    with pytest.raises(InputError) as exc:
        read_xps(f)
    text = str(exc.value)
    assert "bad.csv" in text and field in text and message in text
    assert exc.value.line == line


def test_bad_vamas_files(tmp_path: Path) -> None:
    f = tmp_path / "x.vms"
    f.write_text("not a vamas file\n")
    with pytest.raises(InputError, match="not a VAMAS file"):
        read_vamas(f)
    good = (DATA / "vamas_xps_eis.vms").read_text().splitlines()
    f.write_text("\n".join(good[:8300]) + "\n")  # cut inside the second block
    with pytest.raises(InputError, match="file ends") as exc:
        read_vamas(f)
    assert "x.vms" in str(exc.value)
    broken = list(good)
    broken[18] = "twenty"  # line 19: the first block's year (block and sample ids blank)
    f.write_text("\n".join(broken))
    with pytest.raises(InputError) as exc:
        read_vamas(f)
    assert exc.value.line == 19 and exc.value.field == "year"


def test_cli_read_lists_blocks(tmp_path: Path, capsys) -> None:
    out = tmp_path / "blocks.json"
    rc = main(["xps", "read", str(DATA / "LG4X_0-150W_NiW.vms"), "--json", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Ni 2p" in text and "W 4f" in text
    import json

    blocks = json.loads(out.read_text())["blocks"]
    assert [b["n_points"] for b in blocks] == [1206, 601, 251, 301, 251]
