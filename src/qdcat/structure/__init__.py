"""Atomistic models of Zn-alloyed, Cu-deficient CuInS2 (ZCIS) quantum dots.

Submodules (imported on demand; importing :mod:`qdcat.structure` itself is cheap):

- :mod:`qdcat.structure.lattice`: chalcopyrite / sphalerite unit cells, Vegard's law.
- :mod:`qdcat.structure.dot`: dot builder (pyramid / tetrahedron, sphere, cuboctahedron cuts).
- :mod:`qdcat.structure.composition`: target Cu/In and Zn fraction by placing point defects.
- :mod:`qdcat.structure.surface`: surface vs core sites, surface Cu statistics.
- :mod:`qdcat.structure.export`: extxyz / CIF / POSCAR through :mod:`ase.io`.
- :mod:`qdcat.structure.picture`: 3-D picture of a dot with its defects coloured.
- :mod:`qdcat.structure.model`: one call from build parameters to a characterised dot.

All structures are :class:`ase.Atoms`, so any ASE tool can use them.
"""

from __future__ import annotations

__all__: list[str] = []
