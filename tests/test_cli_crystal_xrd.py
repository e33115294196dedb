"""``qdcat crystal ...`` and ``qdcat xrd ...`` through the command-line entry point."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qdcat.cli import main


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    c = capsys.readouterr()
    return code, c.out, c.err


def test_crystal_angle_exact_command(tmp_path: Path, capsys) -> None:
    out = tmp_path / "angle.json"
    code, text, err = _run(
        [
            "crystal",
            "angle",
            "--a",
            "5.52",
            "--c",
            "11.1",
            "--planes",
            "112",
            "220",
            "--json",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    # cos = (4/a^2) / sqrt((2/a^2 + 4/c^2)(8/a^2)) = 0.131275/0.160492 = 0.817953 -> 35.118
    assert doc["angle_deg"] == pytest.approx(35.118, abs=1e-3)
    assert doc["zone_axis"] == [1, -1, 0]
    assert doc["d_A"] == pytest.approx([3.192716, 1.951615], abs=1e-5)
    assert "angle_deg" in text


def test_crystal_angle_cubic_and_hexagonal(capsys, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    assert (
        _run(
            ["crystal", "angle", "--a", "5.41", "--planes", "100", "111", "--json", str(out)],
            capsys,
        )[0]
        == 0
    )
    assert json.loads(out.read_text())["angle_deg"] == pytest.approx(54.7356, abs=1e-4)
    args = ["crystal", "angle", "--a", "3.82", "--c", "6.26", "--system", "hexagonal"]
    assert _run([*args, "--planes", "100", "010", "--json", str(out)], capsys)[0] == 0
    assert json.loads(out.read_text())["angle_deg"] == pytest.approx(60.0)


def test_crystal_index_exact_command(tmp_path: Path, capsys) -> None:
    out = tmp_path / "index.json"
    code, _text, err = _run(
        [
            "crystal",
            "index",
            "--d",
            "0.315",
            "0.201",
            "--angle",
            "35",
            "--a",
            "5.52",
            "--c",
            "11.1",
            "--json",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    cands = doc["candidates"]
    assert len(cands) >= 2
    for key in ("hkl1", "hkl2", "zone", "d_misfit_percent", "angle_misfit_deg", "score"):
        assert key in cands[0]
    top = {(tuple(c["hkl1"]), tuple(c["hkl2"])) for c in cands[:2]}
    assert ((1, 1, 2), (2, 2, 0)) in top
    pair = next(c for c in cands if c["hkl2"] == [2, 2, 0])
    assert pair["zone"] == [1, -1, 0]
    # +2.99 % on d220 exceeds the 2 % default tolerance
    assert pair["d2_misfit_percent"] == pytest.approx(2.992, abs=0.01)
    assert pair["fits"] is False
    assert doc["structure"] == "chalcopyrite"
    assert [c["score"] for c in cands] == sorted(c["score"] for c in cands)


def test_crystal_index_checks_the_stated_zone(tmp_path: Path, capsys) -> None:
    out = tmp_path / "check.json"
    code, text, _ = _run(
        [
            "crystal",
            "index",
            "--d",
            "0.315",
            "0.201",
            "--angle",
            "35",
            "--a",
            "5.52",
            "--c",
            "11.1",
            "--zone",
            "114",
            "--hkl",
            "112",
            "220",
            "--json",
            str(out),
        ],
        capsys,
    )
    assert code == 0
    check = json.loads(out.read_text())["check"]
    assert check["zone_law_sums"] == [10, 4]  # 1+1+8 and 2+2+0: neither plane is in [114]
    assert check["pair_zone"] == [1, -1, 0]
    assert check["consistent"] is False
    assert "not in the [114] zone" in text


def test_crystal_d_many_planes(tmp_path: Path, capsys) -> None:
    out = tmp_path / "d.json"
    code, _text, err = _run(
        [
            "crystal",
            "d",
            "--a",
            "5.52",
            "--c",
            "11.1",
            "--planes",
            "112",
            "220",
            "204",
            "002",
            "--json",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["d_A"][:3] == pytest.approx([3.192716, 1.951615, 1.956896], abs=1e-5)
    assert doc["allowed"] == [True, True, True, False]  # (002): l != 4n in I-42d
    assert doc["two_theta_deg"][0] == pytest.approx(27.9226, abs=1e-3)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["crystal", "angle", "--a", "0", "--c", "11.1", "--planes", "112", "220"], "--a"),
        (["crystal", "angle", "--a", "-5", "--planes", "112", "220"], "--a"),
        (["crystal", "angle", "--a", "5.52", "--c", "11.1", "--planes", "000", "220"], "(000)"),
        (
            [
                "crystal",
                "index",
                "--d",
                "0.315",
                "0.201",
                "--angle",
                "35",
                "--a",
                "5.52",
                "--c",
                "0",
            ],
            "--c",
        ),
        (["crystal", "index", "--d", "0.315", "0.201", "--angle", "0", "--a", "5.52"], "angle"),
        (["crystal", "d", "--a", "5.52", "--planes", "1x2"], "--planes"),
    ],
)
def test_crystal_bad_input(args: list[str], needle: str, capsys) -> None:
    code, _, err = _run(args, capsys)
    assert code == 2
    assert needle in err


# ---------------------------------------------------------------------------------------------
# xrd


def _write_dot(path: Path, diameter_nm: float = 3.0) -> int:
    import ase.io

    from qdcat.structure.lattice import chalcopyrite_cell

    cell = chalcopyrite_cell()
    big = cell.repeat([math.ceil(diameter_nm * 10 / x) + 2 for x in cell.cell.lengths()])
    pos = big.get_positions()
    centre = pos[np.argmin(np.linalg.norm(pos - pos.mean(axis=0), axis=1))]
    dot = big[np.linalg.norm(pos - centre, axis=1) <= diameter_nm * 5]
    dot.pbc = False
    dot.cell = None
    ase.io.write(path, dot, format="extxyz")
    return len(dot)


def test_xrd_simulate_exact_command(tmp_path: Path, capsys) -> None:
    xyz = tmp_path / "dot.xyz"
    n = _write_dot(xyz)
    js, png, csv = tmp_path / "s.json", tmp_path / "s.png", tmp_path / "s.csv"
    code, _text, err = _run(
        [
            "xrd",
            "simulate",
            "--xyz",
            str(xyz),
            "--json",
            str(js),
            "--plot",
            str(png),
            "--pattern",
            str(csv),
        ],
        capsys,
    )
    assert code == 0, err
    doc = json.loads(js.read_text())
    assert doc["n_atoms"] == n
    for key in ("two_theta_deg", "fwhm_deg", "scherrer_size_nm", "d112_nm", "two_theta_112_deg"):
        assert key in doc
    # CuInS2: d112 = 0.3193 nm; a 3 nm dot's peak is pulled to slightly larger d
    assert doc["d112_nm"] == pytest.approx(0.3193, abs=0.002)
    # Scherrer (K = 0.9) reads about 0.9/1.107 of a sphere's diameter
    assert doc["scherrer_size_nm"] == pytest.approx(3.0 * 0.9 / 1.107, rel=0.15)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert csv.read_text().startswith("two_theta_deg,intensity\n")

    # the written pattern fits back to the same (112) position
    fit_json = tmp_path / "f.json"
    code, _, err = _run(
        ["xrd", "fit", str(csv), "--range", "20", "70", "--json", str(fit_json)], capsys
    )
    assert code == 0, err
    fit = json.loads(fit_json.read_text())
    assert fit["two_theta_112_deg"] == pytest.approx(doc["two_theta_112_deg"], abs=0.01)


def test_xrd_fit_noisy_file(tmp_path: Path, capsys) -> None:
    from qdcat.xrd import pseudo_voigt

    rng = np.random.default_rng(4)
    x = np.arange(20.0, 60.0, 0.02)
    y = 200 + pseudo_voigt(x, 6000, 28.2, 2.6, 0.3) + pseudo_voigt(x, 3000, 46.8, 2.9, 0.3)
    y = rng.poisson(y)
    f = tmp_path / "measured.csv"
    f.write_text(
        "2theta (deg),Intensity (counts)\n"
        + "".join(f"{a:.2f},{b}\n" for a, b in zip(x, y, strict=True))
    )
    out = tmp_path / "fit.json"
    code, _, err = _run(["xrd", "fit", str(f), "--json", str(out)], capsys)
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["two_theta_112_deg"] == pytest.approx(
        28.2, abs=3 * doc["two_theta_112_stderr_deg"] + 0.005
    )
    assert doc["fwhm_112_deg"] == pytest.approx(2.6, abs=4 * doc["fwhm_112_stderr_deg"] + 0.01)
    assert len(doc["two_theta_deg"]) == 2


def test_xrd_bad_files(tmp_path: Path, capsys) -> None:
    x = np.arange(20.0, 40.0, 0.5)
    desc = tmp_path / "desc.csv"
    desc.write_text("two_theta_deg,intensity\n" + "".join(f"{a},{1.0}\n" for a in x[::-1]))
    code, _, err = _run(["xrd", "fit", str(desc)], capsys)
    assert code == 2 and "desc.csv" in err and "increasing" in err
    bad = tmp_path / "nothing.xyz"
    code, _, err = _run(["xrd", "simulate", "--xyz", str(bad)], capsys)
    assert code == 2 and "nothing.xyz" in err
    garbage = tmp_path / "garbage.xyz"
    garbage.write_text("this is not a structure\n")
    code, _, err = _run(["xrd", "simulate", "--xyz", str(garbage)], capsys)
    assert code == 2 and "garbage.xyz" in err
