"""Export through ase.io (extxyz, CIF, POSCAR), the dot picture and the qd CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ase.io import read
from hypothesis import given, settings
from hypothesis import strategies as st

from qdcat.cli import main
from qdcat.core.errors import InputError
from qdcat.structure.export import format_from_suffix, write_dot
from qdcat.structure.model import build_dot

KEYS = (
    "n_atoms",
    "n_cu",
    "n_in",
    "n_zn",
    "n_s",
    "n_surface_cu",
    "surface_cu_fraction",
    "molar_mass_g_mol",
    "defects",
    "defect_type",
)


@pytest.mark.parametrize("name", ["dot.xyz", "dot.cif", "POSCAR"])
def test_round_trip_through_ase(tmp_path: Path, name: str) -> None:
    dot = build_dot("pyramid", 5, cu_in=0.43, zn_fraction=0.25, seed=3)
    path = write_dot(dot.atoms, tmp_path / name)
    back = read(path)
    assert back.get_chemical_symbols() == dot.atoms.get_chemical_symbols()
    # positions: identical in extxyz; shifted into a box for CIF/POSCAR (same shape)
    d0 = dot.atoms.get_all_distances()
    assert np.allclose(back.get_all_distances(), d0, atol=1e-4)
    if name.endswith(".xyz"):
        assert list(back.arrays["kv"]) == list(dot.atoms.arrays["kv"])
        assert np.array_equal(back.arrays["oxidation"], dot.atoms.arrays["oxidation"])


def test_bad_export_names(tmp_path: Path) -> None:
    assert format_from_suffix("x/POSCAR_dot") == "poscar"
    with pytest.raises(InputError):
        format_from_suffix("dot.pdf")
    dot = build_dot("pyramid", 3, cu_in=1.0)
    with pytest.raises(InputError):
        write_dot(dot.atoms, tmp_path / "missing" / "dot.xyz")


def test_picture_has_labelled_axes() -> None:
    from qdcat.structure.picture import plot_dot, plot_structure_summary

    dot = build_dot("pyramid", 8, cu_in=0.26, zn_fraction=0.2, seed=1)
    fig = plot_dot(dot)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "x (nm)" and ax.get_zlabel() == "z (nm)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("V$_{Cu}'$" in t for t in labels)
    fig2 = plot_structure_summary({"a": dot, "b": build_dot("pyramid", 8, cu_in=0.97)})
    assert len(fig2.axes) == 3  # two panels + twin axis


def test_cli_qd_build(tmp_path: Path) -> None:
    js, xyz = tmp_path / "dot.json", tmp_path / "dot.xyz"
    args = [
        "qd",
        "build",
        "--shape",
        "pyramid",
        "--layers",
        "6",
        "--cu-in",
        "0.26",
        "--zn-fraction",
        "0.2",
        "--seed",
        "1",
        "--json",
        str(js),
        "--xyz",
        str(xyz),
    ]
    assert main(args) == 0
    d = json.loads(js.read_text())
    for key in KEYS:
        assert key in d
    atoms = read(xyz)
    sym = atoms.get_chemical_symbols()
    # the xyz file holds exactly the atoms the JSON counts
    assert len(atoms) == d["n_atoms"]
    assert (sym.count("Cu"), sym.count("In"), sym.count("Zn"), sym.count("S")) == (
        d["n_cu"],
        d["n_in"],
        d["n_zn"],
        d["n_s"],
    )
    assert d["defect_type"] in ("A", "B", "C")
    assert set(d["defects"]) == {"V_Cu'", "Cu_Cu*", "Cu_In''", "In_Cu**", "Zn_Cu*", "Zn_In'"}
    assert abs(d["n_cu"] - 0.26 * d["n_in"]) <= 1
    assert d["net_charge_e"] == 0


@settings(max_examples=8, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=3, max_value=9))
def test_cli_xyz_equals_json(tmp_path_factory, seed: int, layers: int) -> None:
    tmp = tmp_path_factory.mktemp("qd")
    js, xyz = tmp / "d.json", tmp / "d.xyz"
    assert (
        main(
            [
                "qd",
                "build",
                "--layers",
                str(layers),
                "--cu-in",
                "0.43",
                "--zn-fraction",
                "0.25",
                "--seed",
                str(seed),
                "--json",
                str(js),
                "--xyz",
                str(xyz),
            ]
        )
        == 0
    )
    d = json.loads(js.read_text())
    atoms = read(xyz)
    assert len(atoms) == d["n_atoms"]
    assert atoms.get_chemical_symbols().count("Cu") == d["n_cu"]
    kv = list(atoms.arrays["kv"])
    for name, count in d["defects"].items():
        if name != "V_Cu'":
            assert kv.count(name) == count


@pytest.mark.parametrize(
    "args",
    [
        ["qd", "build", "--shape", "cube"],
        ["qd", "build", "--layers", "0"],
        ["qd", "build", "--cu-in", "-1"],
        ["qd", "build", "--cu-in", "0.01"],
        ["qd", "build", "--orientation", "up"],
    ],
)
def test_cli_qd_bad_input_exit_2(args: list[str], capsys) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("qdcat: error:")
