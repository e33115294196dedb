"""Surface analysis: bulk coordination, analytic surface counts, hull cross-check, ASE check."""

from __future__ import annotations

import numpy as np
import pytest
from ase.neighborlist import neighbor_list

from qdcat.core.errors import InputError
from qdcat.structure.dot import tetrahedral_number
from qdcat.structure.lattice import CUINS2_A_A, chalcopyrite_cell
from qdcat.structure.model import build_dot
from qdcat.structure.surface import (
    BULK_COORDINATION,
    SHELL_CUTOFF_PER_A,
    analyse_surface,
    coordination_counts,
)


def test_bulk_atoms_have_sixteen_neighbours_within_the_cutoff() -> None:
    # periodic cell: every atom has 4 first + 12 second neighbours within 0.77 a = 4.25 A
    # (third shell: cation-S 4.48 A), counted by ASE's own neighbour list
    cell = chalcopyrite_cell()
    i = neighbor_list("i", cell, SHELL_CUTOFF_PER_A * CUINS2_A_A)
    assert BULK_COORDINATION == 16
    assert np.all(np.bincount(i, minlength=len(cell)) == 16)
    # and by the k-d tree count on the central atoms of a 3 x 3 x 2 block
    block = cell.repeat((4, 4, 2))
    pos = block.get_positions()
    counts = coordination_counts(pos, SHELL_CUTOFF_PER_A * CUINS2_A_A)
    centre = pos.mean(axis=0)
    inner = np.linalg.norm(pos - centre, axis=1) < 5.0
    assert inner.sum() > 10 and np.all(counts[inner] == 16)


@pytest.mark.parametrize("n", [5, 6, 9, 10])
def test_pyramid_surface_cations_are_t_n_minus_t_n_minus_4(n: int) -> None:
    # A cation is inside when all four layer indices u_k >= 1: T(n - 4) of them; the rest,
    # T(n) - T(n - 4), lie on a facet (n = 6: 56 - 4 = 52; n = 10: 220 - 56 = 164).
    dot = build_dot("pyramid", n, cu_in=1.0, antisite_pair_fraction=0.0, termination="S-rich")
    sym = np.array(dot.atoms.get_chemical_symbols())
    cation = sym != "S"
    expected = tetrahedral_number(n) - tetrahedral_number(n - 4)
    assert int(dot.surface.surface[cation].sum()) == expected
    # geometric cross-check: the outermost layer below the convex hull is the same set
    assert int(dot.surface.geometric_surface[cation].sum()) == expected
    assert dot.surface.stats["geometric_agreement"] == 1.0


def test_vacancies_inside_do_not_make_surface_atoms() -> None:
    dot = build_dot("pyramid", 10, cu_in=0.26, zn_fraction=0.2, seed=1)
    sym = np.array(dot.atoms.get_chemical_symbols())
    n_surface_cation_sites = int(dot.surface.surface[sym != "S"].sum()) + int(
        dot.surface.vacancy_surface.sum()
    )
    assert n_surface_cation_sites == 220 - 56


def test_counts_agree_with_ase_neighbour_list() -> None:
    dot = build_dot("pyramid", 8, cu_in=0.43, zn_fraction=0.25, seed=7)
    from ase import Atoms

    # the same lattice sites (atoms + V_Cu sites) in a non-periodic box for ASE
    pos = np.vstack([dot.atoms.get_positions(), dot.vacancy_positions])
    cutoff = SHELL_CUTOFF_PER_A * dot.framework.a_A
    sites = Atoms(
        ["X"] * len(pos),
        positions=pos - pos.min(axis=0) + cutoff,
        cell=np.ptp(pos, axis=0) + 2 * cutoff,
        pbc=False,
    )
    i = neighbor_list("i", sites, cutoff)
    ase_counts = np.bincount(i, minlength=len(sites))[: len(dot.atoms)]
    assert np.array_equal(ase_counts, dot.surface.coordination)


def test_paper_quantities_are_reported() -> None:
    dot = build_dot("pyramid", 10, cu_in=0.26, zn_fraction=4 / 14, seed=1)
    s = dot.surface.stats
    assert s["n_surface_cu"] + dot.surface.stats["core_by_element"].get("Cu", 0) == dot.counts["Cu"]
    assert s["surface_cu_fraction"] == pytest.approx(s["n_surface_cu"] / dot.counts["Cu"])
    assert s["cu_next_to_vacancy_surface"] + s["cu_next_to_vacancy_core"] <= dot.counts["Cu"]
    assert sum(s["surface_by_site"].values()) == s["n_surface_atoms"]


def test_needs_a_lattice_parameter() -> None:
    dot = build_dot("pyramid", 4, cu_in=0.5)
    atoms = dot.atoms.copy()
    atoms.info.pop("a_A")
    with pytest.raises(InputError) as exc:
        analyse_surface(atoms)
    assert exc.value.field == "a_A"
