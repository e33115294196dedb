"""Built dots: invariants (neutrality, composition, sites), reproducibility, defect placement."""

from __future__ import annotations

import numpy as np
import pytest
from ase.data import atomic_masses, atomic_numbers
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from qdcat.core.errors import InputError
from qdcat.defects.population import ZCIS_SAMPLES
from qdcat.structure.dot import tetrahedral_number
from qdcat.structure.model import PAPER_MOLAR_MASS_G_MOL, build_dot, paper_molar_mass_comparison


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    layers=st.integers(min_value=5, max_value=11),
    sample=st.sampled_from(list(ZCIS_SAMPLES.values())),
    shape=st.sampled_from(["pyramid", "sphere"]),
)
def test_dot_invariants(seed: int, layers: int, sample, shape: str) -> None:
    _, r, z, _ = sample
    dot = build_dot(shape, layers, cu_in=r, zn_fraction=z, seed=seed)
    c = dot.counts
    # charge neutral with formal charges (Cu+ 1, Cu2+ 2, In 3, Zn 2, S -2)
    ox = dot.atoms.arrays["oxidation"]
    assert dot.net_charge_e == 0
    assert c["Cu"] + dot.defects["Cu_Cu*"] + 3 * c["In"] + 2 * c["Zn"] == 2 * c["S"]
    assert int(ox.sum()) == 0
    # composition within one atom of the targets
    assert abs(c["Cu"] - r * c["In"]) <= 1
    assert abs(c["Zn"] - z * (c["Cu"] + c["In"] + c["Zn"])) <= 1
    # every cation site is an atom or a vacancy
    n_sites = dot.framework.n_cu_sites + dot.framework.n_in_sites
    assert c["Cu"] + c["In"] + c["Zn"] + dot.defects["V_Cu'"] == n_sites
    # labels agree with symbols and sites
    kv = np.asarray(dot.atoms.arrays["kv"]).astype(str)
    sym = np.array(dot.atoms.get_chemical_symbols())
    site = np.asarray(dot.atoms.arrays["site"]).astype(str)
    for label in np.unique(kv):
        occupant, where = label.rstrip("'*").split("_")
        assert set(sym[kv == label]) == {occupant}
        assert set(site[kv == label]) == {where}
    # molar mass = sum of atomic weights
    expected = sum(n * atomic_masses[atomic_numbers[el]] for el, n in c.items())
    assert dot.molar_mass_g_mol == pytest.approx(expected)


def test_same_seed_same_dot_other_seed_other_placement() -> None:
    a = build_dot("pyramid", 8, cu_in=0.26, zn_fraction=0.2, seed=3)
    b = build_dot("pyramid", 8, cu_in=0.26, zn_fraction=0.2, seed=3)
    c = build_dot("pyramid", 8, cu_in=0.26, zn_fraction=0.2, seed=4)
    assert np.array_equal(a.atoms.get_positions(), b.atoms.get_positions())
    assert list(a.atoms.arrays["kv"]) == list(b.atoms.arrays["kv"])
    assert a.defects == c.defects  # same counts
    assert not np.array_equal(a.vacancy_positions, c.vacancy_positions)  # different sites


def test_stoichiometric_pyramid_counts() -> None:
    # Cu/In = 1, no Zn, no antisites: T(6) = 56 cations, 28 Cu + 28 In, and 56 S for
    # neutrality (28 * 1 + 28 * 3 = 112 = 2 * 56): the 35 four-bonded S plus 21 of the 84
    # one-bonded ones.
    dot = build_dot("pyramid", 6, cu_in=1.0, antisite_pair_fraction=0.0)
    assert dot.counts == {"Cu": 28, "In": 28, "Zn": 0, "S": 56}
    assert sum(dot.defects.values()) == 0
    assert dot.defect_type == "A"
    s_rich = build_dot("pyramid", 6, cu_in=1.0, antisite_pair_fraction=0.0, termination="S-rich")
    assert s_rich.counts["S"] == tetrahedral_number(6) + 3 * 6 * 7 // 2  # 119
    assert s_rich.net_charge_e == 112 - 2 * 119
    m_rich = build_dot(
        "pyramid", 6, cu_in=1.0, antisite_pair_fraction=0.0, termination="metal-rich"
    )
    assert m_rich.counts["S"] == tetrahedral_number(5)  # 35
    assert m_rich.net_charge_e == 112 - 70


def test_cu2_sits_next_to_vacancies() -> None:
    dot = build_dot("pyramid", 10, cu_in=0.26, zn_fraction=4 / 14, seed=5)
    kv = np.asarray(dot.atoms.arrays["kv"]).astype(str)
    cu2 = dot.atoms.get_positions()[kv == "Cu_Cu*"]
    assert len(cu2) > 0
    n_vac = cKDTree(dot.vacancy_positions).query_ball_point(cu2, r=4.25, return_length=True)
    assert np.all(n_vac >= 1)  # every Cu2+ has a V_Cu among its 12 cation neighbours
    assert dot.surface.stats["cu2_vacancy_pairs"] == len(cu2)


def test_antisite_pairs_are_neighbours() -> None:
    dot = build_dot("pyramid", 10, cu_in=0.97, zn_fraction=0.2, seed=2)
    kv = np.asarray(dot.atoms.arrays["kv"]).astype(str)
    pos = dot.atoms.get_positions()
    cu_in, in_cu = pos[kv == "Cu_In''"], pos[kv == "In_Cu**"]
    assert len(cu_in) >= 1
    d, _ = cKDTree(in_cu).query(cu_in)
    assert np.all(d < 4.0)  # cation nearest-neighbour distance 3.9 A


def test_given_lattice_is_used() -> None:
    dot = build_dot("pyramid", 4, cu_in=0.5, a_A=5.6, c_A=11.2)
    assert dot.framework.a_A == 5.6 and dot.params["lattice"] == "given"
    with pytest.raises(InputError):
        build_dot("pyramid", 4, a_A=5.6)


def test_molar_mass_against_the_paper() -> None:
    # 0.191 mg / 6.215 nmol = 30.73 kg/mol (science.md)
    assert pytest.approx(30731, rel=1e-3) == PAPER_MOLAR_MASS_G_MOL
    dot = build_dot("pyramid", 6, cu_in=0.26, zn_fraction=4 / 14, seed=1)
    cmp = paper_molar_mass_comparison(dot)
    assert cmp["ratio_model_to_paper"] < 0.3  # a six-layer pyramid is far lighter
    assert cmp["pyramid_layers_for_paper_mass"] in (10, 11, 12)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"shape": "star"}, "shape"),
        ({"layers": 0}, "layers"),
        ({"cu_in": -0.5}, "cu_in"),
        ({"cu_in": 0.01}, "cu_in"),  # below what the lattice holds
        ({"zn_fraction": 1.5}, "zn_fraction"),
        ({"termination": "O-rich"}, "termination"),
        ({"seed": -1}, "seed"),
        ({"layers": 1}, "layers"),  # one cation: no room for both Cu and In
    ],
)
def test_bad_build_input(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as exc:
        build_dot(**kwargs)
    assert exc.value.field == field
