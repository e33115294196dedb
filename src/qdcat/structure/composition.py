"""Place a defect population on a dot framework: which site gets which atom or vacancy.

Given a :class:`~qdcat.structure.dot.Framework` and a whole-atom
:class:`~qdcat.defects.population.Population`, sites are assigned with a seeded random number
generator in this order:

1. antisite pairs ``Cu_In'' + In_Cu**``: a random Cu site and a random In site among its
   cation nearest neighbours (3.9 A) swap occupants;
2. ``V_Cu'``: random Cu sites;
3. excess ``In_Cu**``: random Cu sites;
4. ``Zn_Cu*`` on random Cu sites, ``Zn_In'`` on random In sites;
5. ``Cu_Cu*`` (Cu2+): among the Cu left on Cu sites, those with the most V_Cu among their cation
   nearest neighbours (the paper's Cu_Cu*-V_Cu' pairs; random order among equals), then any
   Cu if fewer Cu touch a vacancy than there are holes;
6. the remaining sites keep their own element (``Cu_Cu``, ``In_In``).

Each atom carries its Kroger-Vink label (``atoms.arrays["kv"]``), its sublattice
(``"site"``) and its formal oxidation state (``"oxidation"``: Cu+ 1, Cu2+ 2, In 3, Zn 2, S -2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from qdcat.core.errors import InputError
from qdcat.defects.population import Population
from qdcat.structure.dot import Framework

__all__ = [
    "CATION_NEIGHBOUR_CUTOFF_PER_A",
    "Placement",
    "assemble_atoms",
    "cation_adjacency",
    "place_population",
]

#: Cation-cation nearest-neighbour cut-off as a fraction of a: 0.77 a = 4.25 A (shell at
#: a/sqrt(2) = 3.90 A, next at a = 5.52 A).
CATION_NEIGHBOUR_CUTOFF_PER_A: float = 0.77


@dataclass(frozen=True)
class Placement:
    """Occupation of every cation site: element (``""`` for a vacancy) and Kroger-Vink label."""

    occupant: NDArray[np.str_]
    label: NDArray[np.str_]
    oxidation: NDArray[np.int64]


def cation_adjacency(positions: NDArray[np.float64], a_A: float) -> csr_matrix:
    """Symmetric 0/1 CSR adjacency of cation sites within the nearest-neighbour cut-off."""
    n = len(positions)
    pairs = cKDTree(positions).query_pairs(
        r=CATION_NEIGHBOUR_CUTOFF_PER_A * a_A, output_type="ndarray"
    )
    i = np.concatenate([pairs[:, 0], pairs[:, 1]])
    j = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return csr_matrix((np.ones(len(i), dtype=np.int64), (i, j)), shape=(n, n))


def place_population(
    framework: Framework, population: Population, seed: int | None = 0
) -> Placement:
    """Assign atoms and vacancies to the cation sites (order in the module docstring)."""
    sub = framework.cation_sublattice
    n = len(sub)
    if population.cu_sites != framework.n_cu_sites or population.in_sites != framework.n_in_sites:
        raise InputError(
            "population was made for another framework",
            field="population",
            expected=f"{framework.n_cu_sites} Cu and {framework.n_in_sites} In sites",
            found=(population.cu_sites, population.in_sites),
        )
    rng = np.random.default_rng(seed)
    occupant = sub.astype("<U2").copy()
    label = np.array([f"{s}_{s}" for s in sub], dtype="<U8")
    oxidation = np.where(sub == "Cu", 1, 3).astype(np.int64)
    free = np.ones(n, dtype=bool)
    adj = cation_adjacency(framework.cation_positions, framework.a_A)

    def take(sublattice: str, count: int, what: str) -> NDArray[np.int64]:
        pool = np.flatnonzero(free & (sub == sublattice))
        if count > len(pool):
            raise InputError(
                f"not enough {sublattice} sites left for {what}",
                field="population",
                expected=f"<= {len(pool)}",
                found=count,
            )
        chosen = rng.choice(pool, size=int(count), replace=False)
        free[chosen] = False
        return np.sort(chosen)

    # 1. antisite pairs on neighbouring Cu / In sites
    n_pairs = int(population.antisite_pairs)
    made = 0
    for ci in rng.permutation(np.flatnonzero(sub == "Cu")):
        if made == n_pairs:
            break
        if not free[ci]:
            continue
        nb = adj.indices[adj.indptr[ci] : adj.indptr[ci + 1]]
        cands = nb[(sub[nb] == "In") & free[nb]]
        if len(cands) == 0:
            continue
        ij = int(rng.choice(cands))
        free[[ci, ij]] = False
        occupant[ci], label[ci], oxidation[ci] = "In", "In_Cu**", 3
        occupant[ij], label[ij], oxidation[ij] = "Cu", "Cu_In''", 1
        made += 1
    if made < n_pairs:
        raise InputError(
            "could not place all antisite pairs on neighbouring sites",
            field="antisite_pairs",
            expected=f"<= {made}",
            found=n_pairs,
        )
    # 2-4. vacancies, excess In on Cu, Zn
    vac = take("Cu", int(population.v_cu), "V_Cu'")
    occupant[vac], label[vac], oxidation[vac] = "", "V_Cu'", 0
    inc = take("Cu", int(population.in_cu_excess), "In_Cu**")
    occupant[inc], label[inc], oxidation[inc] = "In", "In_Cu**", 3
    znc = take("Cu", int(population.zn_cu), "Zn_Cu*")
    occupant[znc], label[znc], oxidation[znc] = "Zn", "Zn_Cu*", 2
    zni = take("In", int(population.zn_in), "Zn_In'")
    occupant[zni], label[zni], oxidation[zni] = "Zn", "Zn_In'", 2
    # 5. holes on Cu next to vacancies
    is_vac = label == "V_Cu'"
    cu_on_cu = np.flatnonzero(free & (sub == "Cu"))
    n_vac_nb = (adj @ is_vac.astype(np.int64))[cu_on_cu]
    order = np.lexsort((rng.random(len(cu_on_cu)), -n_vac_nb))
    n_holes = int(population.cu_cu2)
    if n_holes > len(cu_on_cu):
        raise InputError(
            "more Cu2+ than Cu on Cu sites",
            field="cu_cu2",
            expected=f"<= {len(cu_on_cu)}",
            found=n_holes,
        )
    holes = cu_on_cu[order[:n_holes]]
    label[holes], oxidation[holes] = "Cu_Cu*", 2
    free[holes] = False
    return Placement(occupant=occupant, label=label, oxidation=oxidation)


def assemble_atoms(
    framework: Framework, placement: Placement, s_index: NDArray[np.int64]
) -> tuple[Atoms, NDArray[np.float64]]:
    """ase.Atoms of the occupied cation sites and the kept S, plus the vacancy positions.

    Per-atom arrays: ``kv`` (Kroger-Vink label, ``S_S`` for sulfur), ``site`` (sublattice),
    ``oxidation`` (formal oxidation state). Cations come first, in framework order.
    """
    occ = placement.occupant != ""
    cat_pos = framework.cation_positions[occ]
    s_pos = framework.s_positions[s_index]
    symbols = list(placement.occupant[occ]) + ["S"] * len(s_pos)
    atoms = Atoms(symbols=symbols, positions=np.vstack([cat_pos, s_pos]), pbc=False)
    n_s = len(s_pos)
    atoms.new_array("kv", np.concatenate([placement.label[occ], np.full(n_s, "S_S")]))
    atoms.new_array(
        "site", np.concatenate([framework.cation_sublattice[occ], np.full(n_s, "S")]).astype("<U2")
    )
    atoms.new_array(
        "oxidation",
        np.concatenate([placement.oxidation[occ], np.full(n_s, -2, dtype=np.int64)]),
    )
    vac_pos = framework.cation_positions[placement.label == "V_Cu'"]
    return atoms, vac_pos
