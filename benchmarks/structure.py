"""Dot-model benchmark: build + classify large pyramids; k-d tree vs ASE neighbour list.

Run with ``python benchmarks/structure.py``. Prints wall-clock medians (``time.perf_counter``)
of :func:`qdcat.structure.model.build_dot` (framework, defect population and placement,
neutral S termination, surface analysis with the convex-hull cross-check) for

* a pyramid with a 10 nm edge (27 cation layers, ~6.6 k atoms),
* a pyramid of ~25-30 k atoms (43 layers, edge 16 nm; the issue's "10 nm, 25-30 k atoms" fits
  a 10 nm *sphere* or this pyramid, so both are timed),
* a sphere of 10 nm diameter (~25 k atoms);

target <= 1 s each. Then the neighbour counting of the surface analysis (scipy cKDTree,
``query_ball_point(..., return_length=True)``) against ASE's own
``ase.neighborlist.neighbor_list`` on the same sites and cut-off: the counts must agree
exactly, and the times are printed. Not part of the test suite.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable

import numpy as np
from _timing import median_time as _median_time


def median_time(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    return _median_time(fn, repeat=repeat, warmup=warmup)


def main() -> int:
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    from qdcat.structure.model import build_dot
    from qdcat.structure.surface import SHELL_CUTOFF_PER_A, coordination_counts

    print(f"python {platform.python_version()}, {platform.machine()}, numpy {np.__version__}")
    print("timings are wall-clock medians on a machine shared with other jobs\n")
    cases = [
        ("pyramid, 10 nm edge (27 layers)", dict(shape="pyramid", layers=27)),
        ("pyramid, 43 layers (edge 16 nm)", dict(shape="pyramid", layers=43)),
        ("sphere, 10 nm diameter", dict(shape="sphere", size_nm=10.0)),
    ]
    comp = dict(cu_in=0.26, zn_fraction=4 / 14, seed=1)
    print(f"{'build + classify':42s} {'atoms':>7s} {'time (s)':>9s}  target")
    dots = {}
    for label, kw in cases:
        dot = build_dot(**kw, **comp)
        dots[label] = dot
        t = median_time(lambda kw=kw: build_dot(**kw, **comp), repeat=5)
        print(f"{label:42s} {len(dot.atoms):7d} {t:9.3f}  <= 1 s {'ok' if t <= 1 else 'MISSED'}")

    print(
        f"\n{'neighbour counts (same sites, same cut-off)':42s} {'sites':>7s} "
        f"{'cKDTree':>9s} {'ASE':>9s} {'ratio':>6s} agree"
    )
    for label, dot in dots.items():
        sites = np.vstack([dot.atoms.get_positions(), dot.vacancy_positions])
        cutoff = SHELL_CUTOFF_PER_A * dot.framework.a_A
        # ASE bins space by the cell: give the finite dot a box around it (no periodicity);
        # with a zero cell its neighbour list degenerates (minutes for a few thousand atoms)
        box = sites.max(axis=0) - sites.min(axis=0) + 2 * cutoff
        ase_sites = Atoms(
            ["X"] * len(sites), positions=sites - sites.min(axis=0) + cutoff, cell=box, pbc=False
        )
        ours = coordination_counts(sites, cutoff)
        theirs = np.bincount(neighbor_list("i", ase_sites, cutoff), minlength=len(sites))
        agree = bool(np.array_equal(ours, theirs))
        t_ours = median_time(lambda s=sites, c=cutoff: coordination_counts(s, c))
        t_ase = median_time(
            lambda a=ase_sites, c=cutoff: np.bincount(neighbor_list("i", a, c)), repeat=3
        )
        print(
            f"{label:42s} {len(sites):7d} {t_ours:9.4f} {t_ase:9.4f} {t_ase / t_ours:6.1f} {agree}"
        )
        if not agree:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
