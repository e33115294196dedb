"""Chalcopyrite / sphalerite cells and Vegard's law (qdcat.structure.lattice)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase.neighborlist import neighbor_list
from hypothesis import given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError
from qdcat.structure.lattice import (
    CUINS2_A_A,
    CUINS2_C_A,
    CUINS2_SULFUR_X,
    ZNS_A_A,
    chalcopyrite_cell,
    sphalerite_cell,
    vegard_lattice_A,
    zn_fraction_from_lattice,
)


def test_chalcopyrite_cell_content_and_bond_lengths() -> None:
    cell = chalcopyrite_cell()
    assert len(cell) == 16
    sym = cell.get_chemical_symbols()
    assert (sym.count("Cu"), sym.count("In"), sym.count("S")) == (4, 4, 8)
    # Bond lengths by hand (Jaffe & Zunger 1984): eta = c / 2a = 1.005435,
    # R_CuS = a sqrt(x^2 + (1 + eta^2)/16) = 5.52 * sqrt(0.052670 + 0.125681) = 2.3312 A,
    # R_InS = a sqrt((x - 1/2)^2 + (1 + eta^2)/16) = 5.52 * sqrt(0.073170 + 0.125681) = 2.4616 A.
    i, _, d = neighbor_list("ijd", cell, 2.7)
    sym = np.array(cell.get_chemical_symbols())
    cu = d[sym[i] == "Cu"]
    inn = d[sym[i] == "In"]
    assert len(cu) == 16 and len(inn) == 16  # four S around each of four Cu and four In
    assert cu == pytest.approx(2.3312, abs=2e-4)
    assert inn == pytest.approx(2.4616, abs=2e-4)
    assert CUINS2_SULFUR_X == 0.2295


def test_sphalerite_cell() -> None:
    cell = sphalerite_cell()
    assert len(cell) == 8
    # Zn-S bond = sqrt(3) a / 4 = 2.3426 A for a = 5.41 A
    _, _, d = neighbor_list("ijd", cell, 2.6)
    assert d == pytest.approx(math.sqrt(3) * 5.41 / 4, abs=1e-6)


def test_vegard_end_members() -> None:
    assert vegard_lattice_A(0.0) == pytest.approx((CUINS2_A_A, CUINS2_C_A))
    # ZnS mapped onto the tetragonal cell as c = 2a
    assert vegard_lattice_A(1.0) == pytest.approx((ZNS_A_A, 2 * ZNS_A_A))
    # x = 0.2: a = 0.8 * 5.52 + 0.2 * 5.41 = 5.498, c = 0.8 * 11.1 + 0.2 * 10.82 = 11.044
    assert vegard_lattice_A(0.2) == pytest.approx((5.498, 11.044))


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0.0, max_value=1.0))
def test_inverse_vegard_round_trip(x: float) -> None:
    a, c = vegard_lattice_A(x)
    assert zn_fraction_from_lattice(a_A=a) == pytest.approx(x, abs=1e-9)
    assert zn_fraction_from_lattice(c_A=c) == pytest.approx(x, abs=1e-9)
    assert zn_fraction_from_lattice(a, c) == pytest.approx(x, abs=1e-9)


def test_inverse_vegard_outside_the_line_is_not_clipped() -> None:
    # a larger than CuInS2 (as d220 = 0.201 nm implies) gives a negative Zn fraction
    assert zn_fraction_from_lattice(a_A=5.6) < 0


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: vegard_lattice_A(-0.1), "zn_fraction"),
        (lambda: vegard_lattice_A(float("nan")), "zn_fraction"),
        (lambda: zn_fraction_from_lattice(), "a_A/c_A"),
        (lambda: zn_fraction_from_lattice(a_A=-1.0), "a_A"),
        (lambda: chalcopyrite_cell(a_A=0.0), "a_A"),
        (lambda: chalcopyrite_cell(x_S=0.7), "x_S"),
    ],
)
def test_bad_lattice_input(call, field: str) -> None:
    with pytest.raises(InputError) as exc:
        call()
    assert exc.value.field == field
