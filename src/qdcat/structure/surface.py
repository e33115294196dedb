"""Surface and core sites of a dot: coordination deficit, with a convex-hull cross-check.

Criterion (primary): an atom is a **surface** atom when it has fewer lattice neighbours within
``SHELL_CUTOFF_PER_A * a`` (0.77 a = 4.25 A for CuInS2) than in the bulk. The cut-off lies
between the second shell (cation-cation 3.90-3.91 A, S-S 3.75-4.07 A) and the third (cation-S
4.48 A), so every bulk atom has 4 + 12 = 16 neighbours (checked on the periodic cell in
``tests/test_structure_surface.py``). Neighbours are counted over **lattice sites**: a V_Cu site
counts, so that a vacancy inside the dot does not turn its neighbours into surface atoms.
Counting uses :class:`scipy.spatial.cKDTree` (``query_ball_point(..., return_length=True)``).

Cross-check (geometric): the depth of each cation site below the convex hull of all cation
sites (:class:`scipy.spatial.ConvexHull`); cations shallower than half a (112) spacing are in
the outermost cation layer. For {112}-faceted pyramids both criteria select the same cations
(``T(n) - T(n - 4)`` of ``T(n)``); for spheres they differ at steps of the faceting, and the
agreement is reported.

Paper quantities: surface Cu fraction (~80 %) and surface Cu per dot (~24) for 2/12ZCIS, Cu
atoms next to a V_Cu (cation nearest neighbours, 3.9 A) on the surface and in the core, and
Cu_Cu*-V_Cu' pairs (Cu2+ next to a vacancy).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from ase import Atoms
from numpy.typing import NDArray
from scipy.spatial import ConvexHull, QhullError, cKDTree

from qdcat.core.errors import InputError
from qdcat.structure.composition import CATION_NEIGHBOUR_CUTOFF_PER_A
from qdcat.structure.dot import d112_A

__all__ = [
    "BULK_COORDINATION",
    "SHELL_CUTOFF_PER_A",
    "SurfaceAnalysis",
    "analyse_surface",
    "coordination_counts",
    "hull_depth_A",
]

#: Neighbour-shell cut-off as a fraction of a (0.77 a = 4.25 A for a = 5.52 A).
SHELL_CUTOFF_PER_A: float = 0.77
#: Lattice neighbours of a bulk atom within that cut-off (4 first + 12 second neighbours).
BULK_COORDINATION: int = 16


def coordination_counts(positions: NDArray[np.float64], cutoff_A: float) -> NDArray[np.int64]:
    """Number of other points within ``cutoff_A`` of each point (vectorised k-d tree)."""
    tree = cKDTree(positions)
    return np.asarray(tree.query_ball_point(positions, r=cutoff_A, return_length=True)) - 1


def hull_depth_A(points: NDArray[np.float64], query: NDArray[np.float64]) -> NDArray[np.float64]:
    """Depth (Angstrom, >= 0 inside) of ``query`` points below the convex hull of ``points``.

    Fewer than four non-coplanar points have no volume: every depth is then 0.
    """
    try:
        hull = ConvexHull(points)
    except (QhullError, ValueError):
        return np.zeros(len(query))
    # equations: n . x + d <= 0 inside, with unit normals n
    dist = -(query @ hull.equations[:, :3].T + hull.equations[:, 3][None, :])
    return dist.min(axis=1)


@dataclass(frozen=True)
class SurfaceAnalysis:
    """Surface classification of one dot.

    ``surface``: per atom (same order as the atoms); ``coordination``: lattice neighbours per
    atom; ``vacancy_surface``: per V_Cu site; ``geometric_surface``: per atom, True for cations
    in the outermost layer by the hull criterion (always False for S);
    ``cu_next_to_vacancy``: per atom, True for Cu with a V_Cu among its cation neighbours.
    """

    surface: NDArray[np.bool_]
    coordination: NDArray[np.int64]
    vacancy_surface: NDArray[np.bool_]
    geometric_surface: NDArray[np.bool_]
    cu_next_to_vacancy: NDArray[np.bool_]
    cutoff_A: float
    stats: dict[str, object] = field(default_factory=dict)


def analyse_surface(
    atoms: Atoms,
    vacancy_positions: NDArray[np.float64] | None = None,
    *,
    a_A: float | None = None,
) -> SurfaceAnalysis:
    """Classify every atom of a dot as surface or core and collect the paper's statistics.

    Parameters
    ----------
    atoms:
        The dot. Per-atom arrays ``kv`` (Kroger-Vink labels) are used when present.
    vacancy_positions:
        (k, 3) V_Cu sites, Angstrom (they count as lattice sites).
    a_A:
        Lattice parameter a for the cut-offs (default ``atoms.info["a_A"]``).

    Returns
    -------
    SurfaceAnalysis
        ``stats`` holds ``n_surface_cu``, ``surface_cu_fraction``, ``surface_by_element``,
        ``core_by_element``, ``surface_by_site``, ``core_by_site``, ``cu_next_to_vacancy_surface``,
        ``cu_next_to_vacancy_core``, ``cu2_vacancy_pairs``, ``geometric_agreement``.
    """
    if a_A is None:
        a_A = atoms.info.get("a_A")
    if a_A is None or not np.isfinite(a_A) or a_A <= 0:
        raise InputError(
            "lattice parameter a is needed for the neighbour cut-offs",
            field="a_A",
            expected="a_A > 0 (Angstrom) or atoms.info['a_A']",
            found=a_A,
            has_found=True,
        )
    pos = atoms.get_positions()
    vac = np.zeros((0, 3)) if vacancy_positions is None else np.asarray(vacancy_positions)
    n_at = len(pos)
    sites = np.vstack([pos, vac]) if len(vac) else pos
    cutoff = SHELL_CUTOFF_PER_A * float(a_A)
    coord = coordination_counts(sites, cutoff)
    surf_all = coord < BULK_COORDINATION
    surface = surf_all[:n_at]
    vacancy_surface = surf_all[n_at:]

    symbols = np.array(atoms.get_chemical_symbols())
    labels = (
        np.asarray(atoms.arrays["kv"]).astype(str)
        if "kv" in atoms.arrays
        else np.array([f"{s}" for s in symbols])
    )
    is_cation = symbols != "S"
    cat_sites = np.vstack([pos[is_cation], vac]) if len(vac) else pos[is_cation]
    geometric = np.zeros(n_at, dtype=bool)
    if is_cation.any():
        c_A = float(atoms.info.get("c_A", 2 * a_A))
        depth = hull_depth_A(cat_sites, pos[is_cation])
        geometric[is_cation] = depth < 0.5 * d112_A(float(a_A), c_A)

    is_cu = symbols == "Cu"
    near_vac = np.zeros(n_at, dtype=bool)
    if len(vac) and is_cu.any():
        tree = cKDTree(vac)
        n_v = tree.query_ball_point(
            pos[is_cu], r=CATION_NEIGHBOUR_CUTOFF_PER_A * float(a_A), return_length=True
        )
        near_vac[is_cu] = np.asarray(n_v) > 0

    n_cu = int(is_cu.sum())
    n_surface_cu = int((is_cu & surface).sum())
    agree = float(np.mean(geometric[is_cation] == surface[is_cation])) if is_cation.any() else 1.0
    stats: dict[str, object] = {
        "n_surface_atoms": int(surface.sum()),
        "n_surface_cu": n_surface_cu,
        "surface_cu_fraction": n_surface_cu / n_cu if n_cu else 0.0,
        "surface_by_element": dict(sorted(Counter(symbols[surface].tolist()).items())),
        "core_by_element": dict(sorted(Counter(symbols[~surface].tolist()).items())),
        "surface_by_site": dict(sorted(Counter(labels[surface].tolist()).items())),
        "core_by_site": dict(sorted(Counter(labels[~surface].tolist()).items())),
        "n_surface_vacancies": int(vacancy_surface.sum()),
        "n_core_vacancies": int((~vacancy_surface).sum()),
        "cu_next_to_vacancy_surface": int((near_vac & surface).sum()),
        "cu_next_to_vacancy_core": int((near_vac & ~surface).sum()),
        "cu2_vacancy_pairs": int((near_vac & (labels == "Cu_Cu*")).sum()),
        "n_surface_cu_geometric": int((is_cu & geometric).sum()),
        "geometric_agreement": agree,
    }
    return SurfaceAnalysis(
        surface=surface,
        coordination=coord[:n_at],
        vacancy_surface=vacancy_surface,
        geometric_surface=geometric,
        cu_next_to_vacancy=near_vac,
        cutoff_A=cutoff,
        stats=stats,
    )
