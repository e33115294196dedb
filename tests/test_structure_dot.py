"""Dot frameworks: analytic site counts of {112} tetrahedra, other shapes, sizes, errors.

Counting for a pyramid of n cation layers (polarity A; see qdcat.structure.dot):
each cation has layer indices u_1..u_4 >= 0 with u_1 + u_2 + u_3 + u_4 = n - 1, so there are
C(n + 2, 3) = T(n) = n (n + 1)(n + 2)/6 cations: T(1..6) = 1, 4, 10, 20, 35, 56.
Each S site is cation + b_1 for exactly one cation site c' (b_1 the bond along facet 1); it is
bonded to cations c' - v_k (v_1 = 0, v_k = b_k - b_1), i.e. u(c') - e_1 + e_k. Hence
* S with u(c') >= 0 and u_1 >= 1: four kept neighbours; there are T(n - 1) of them;
* S with u(c') >= 0 and u_1 = 0, or one u_k = -1 (k > 1) and u_1 >= 1: one kept neighbour;
  n (n + 1)/2 per facet, 2 n (n + 1) in all (one above each facet cation).
So S-rich: T(n) + 3 n (n + 1)/2 S (= T(n - 1) + 2 n (n + 1)); metal-rich: T(n - 1) S.
n = 2: 4 cations, 13 S (1 four-bonded + 12 one-bonded); n = 6: 56 cations, 119 S (35 + 84).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from qdcat.core.errors import InputError
from qdcat.structure.dot import (
    build_framework,
    d112_A,
    layers_from_size,
    pyramid_edge_nm,
    tetrahedral_number,
)
from qdcat.structure.lattice import CUINS2_A_A, CUINS2_C_A, chalcopyrite_cell


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 9])
def test_pyramid_counts_are_analytic(n: int) -> None:
    fw = build_framework("pyramid", n)
    t = tetrahedral_number
    assert len(fw.cation_positions) == t(n)
    assert len(fw.s_positions) == t(n) + 3 * n * (n + 1) // 2
    counts = np.bincount(fw.s_coordination, minlength=5)
    assert counts[4] == t(n - 1)
    assert counts[1] == 2 * n * (n + 1)
    assert counts[2] == counts[3] == 0
    assert len(fw.select_sulfur("metal-rich")) == t(n - 1)
    assert len(fw.select_sulfur("S-rich")) == t(n) + 3 * n * (n + 1) // 2
    # cation sublattices split evenly (to within one site)
    assert abs(fw.n_cu_sites - fw.n_in_sites) <= 1


def test_tetrahedral_numbers_by_hand() -> None:
    assert [tetrahedral_number(n) for n in range(0, 7)] == [0, 1, 4, 10, 20, 35, 56]


def test_pyramid_edge_and_base() -> None:
    n = 6
    fw = build_framework("pyramid", n, orientation="apex_up")
    # longest cation-cation distance = an edge: 5 steps of a/sqrt(2) = 3.903 A (or 3.914 A along
    # <101>, sqrt(a^2/4 + c^2/16)): 19.5-19.6 A
    longest = pdist(fw.cation_positions).max()
    assert 5 * 3.903 - 0.01 <= longest <= 5 * 3.914 + 0.01
    assert pyramid_edge_nm(n) == pytest.approx(5 * CUINS2_A_A / math.sqrt(2) / 10)
    z = fw.cation_positions[:, 2]
    # apex up: one cation on top, the base layer (n (n + 1)/2 = 21 cations) flat at the bottom,
    # height (n - 1) d112
    assert np.sum(np.isclose(z, z.max(), atol=1e-6)) == 1
    assert np.sum(np.isclose(z, z.min(), atol=1e-3)) == 21
    assert z.max() - z.min() == pytest.approx(5 * d112_A(), abs=0.02)


def test_size_in_nm_gives_layers() -> None:
    # edge (n - 1) * 3.903 A: 3.5 nm -> 3.5 / 0.3903 + 1 = 9.97 -> 10 layers
    assert layers_from_size("pyramid", 3.5, CUINS2_A_A, CUINS2_C_A) == 10
    fw = build_framework("pyramid", size_nm=3.5)
    assert fw.layers == 10 and len(fw.cation_positions) == 220


def test_sphere_matches_an_independent_supercell_count() -> None:
    layers = 10
    fw = build_framework("sphere", layers)
    radius = layers * d112_A() / 2
    big = chalcopyrite_cell().repeat((8, 8, 4))
    pos = big.get_positions()
    sym = np.array(big.get_chemical_symbols())
    centre = np.array([4 * CUINS2_A_A, 4 * CUINS2_A_A, 2 * CUINS2_C_A])
    k = np.argmin(np.linalg.norm(pos - centre, axis=1))
    assert sym[k] == "Cu"
    d = np.linalg.norm(pos - pos[k], axis=1)
    inside = d <= radius + 1e-6
    n_cu, n_in = int(np.sum(inside & (sym == "Cu"))), int(np.sum(inside & (sym == "In")))
    # then the outermost sites of the majority sublattice are dropped down to minority + 1
    minor = min(n_cu, n_in)
    expected = (n_cu + n_in) if abs(n_cu - n_in) <= 1 else 2 * minor + 1
    assert len(fw.cation_positions) == expected
    assert min(fw.n_cu_sites, fw.n_in_sites) == minor


@pytest.mark.parametrize("shape", ["sphere", "cuboctahedron"])
@pytest.mark.parametrize("layers", [6, 9, 10, 13])
def test_round_shapes_have_balanced_sublattices(shape: str, layers: int) -> None:
    fw = build_framework(shape, layers)
    assert abs(fw.n_cu_sites - fw.n_in_sites) <= 1
    # every kept cation lies within the cut's outer radius (sphere: layers * d112 / 2 about
    # the original centre; the centroid moves by less than a bond, so allow one bond length)
    r = np.linalg.norm(fw.cation_positions, axis=1)
    half = layers * d112_A() / 2
    limit = half if shape == "sphere" else half * math.sqrt(2)  # cuboctahedron vertex (s, s, 0)
    assert r.max() <= limit + 2.5


def test_orientation_to_zone_axis() -> None:
    fw = build_framework("pyramid", 4, orientation=(1, 1, 4))
    a, c = CUINS2_A_A, CUINS2_C_A
    v = np.array([a, a, 4 * c])
    assert fw.rotation @ (v / np.linalg.norm(v)) == pytest.approx([0, 0, 1], abs=1e-12)
    assert np.allclose(fw.rotation @ fw.rotation.T, np.eye(3))


@pytest.mark.parametrize("n", [3, 6])
def test_polarity_b_counts_are_analytic(n: int) -> None:
    # Inverted tetrahedron (facet normals -b_k), indices w_k >= 0 with sum n - 1. An S site
    # c' + b_1 is bonded to c' and c' + (b_1 - b_k) (k > 1), i.e. w' and w' + e_1 - e_k.
    # S sites: w' >= 0 (T(n) of them) or w'_1 = -1 with w'_2 + w'_3 + w'_4 = n
    # ((n + 1)(n + 2)/2 of them). Four-bonded: w' >= 0 with w'_2..4 >= 1 -> T(n - 3);
    # one-bonded: w' = (n - 1, 0, 0, 0) or w'_1 = -1 with a single non-zero w'_k -> 4.
    # n = 6: 56 + 28 = 84 S, 10 four-bonded, 4 one-bonded; n = 3: 20 S, 0 and 4.
    fw = build_framework("pyramid", n, polarity="B")
    t = tetrahedral_number
    assert len(fw.cation_positions) == t(n)
    assert len(fw.s_positions) == t(n) + (n + 1) * (n + 2) // 2
    counts = np.bincount(fw.s_coordination, minlength=5)
    assert counts[4] == t(n - 3)
    assert counts[1] == 4


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"shape": "cube", "layers": 3}, "shape"),
        ({"shape": "pyramid", "layers": 0}, "layers"),
        ({"shape": "pyramid", "layers": -2}, "layers"),
        ({"shape": "pyramid"}, "layers/size_nm"),
        ({"shape": "pyramid", "layers": 3, "size_nm": 2.0}, "layers/size_nm"),
        ({"shape": "pyramid", "size_nm": -1.0}, "size_nm"),
        ({"shape": "pyramid", "layers": 3, "polarity": "C"}, "polarity"),
        ({"shape": "sphere", "layers": 3, "orientation": "apex_up"}, "orientation"),
        ({"shape": "pyramid", "layers": 3, "orientation": (0, 0, 0)}, "orientation"),
        ({"shape": "pyramid", "layers": 3, "orientation": "sideways"}, "orientation"),
    ],
)
def test_bad_framework_input(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as exc:
        build_framework(**kwargs)
    assert exc.value.field == field


def test_bad_termination() -> None:
    fw = build_framework("pyramid", 3)
    with pytest.raises(InputError) as exc:
        fw.select_sulfur("oxygen-rich")
    assert exc.value.field == "termination"
    with pytest.raises(InputError):
        fw.select_sulfur("neutral", n_target=10_000)
