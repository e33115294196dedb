"""Dot frameworks: which lattice sites of chalcopyrite a dot of a given shape and size holds.

Shapes
------
``pyramid`` (alias ``tetrahedron``): the paper's trigonal pyramid, a tetrahedron bounded by four
{112} facets. In chalcopyrite the cations sit on an exact fcc (pseudo-cubic) lattice, and the
planes (1 1 2), (-1 -1 2), (1 -1 -2), (-1 1 -2) cut it into cation layers: for a cation at
fractional position (X, Y, Z) (X, Y in units of a, Z in units of c) the layer index
``m = h X + k Y + l Z`` is an integer, consecutive layers are d112 apart, and the four indices sum
to zero. A tetrahedron of ``n`` layers keeps the cations with ``m_k <= M_k`` for all four facets,
``sum M_k = n - 1``. Writing ``u_k = M_k - m_k >= 0`` (``sum u_k = n - 1``), the cation count is
the tetrahedral number ``T(n) = n (n + 1) (n + 2) / 6``; a cation is on a facet when some
``u_k = 0``, so ``T(n) - T(n - 4)`` cations are on the surface.

Polarity ``"A"`` (default) takes the facet normals along the four cation -> S bonds: each
facet cation has one bond pointing out of the dot. Then the S sites bonded to at least one
cation are of two kinds only (worked out in ``tests/test_structure_dot.py``): ``T(n - 1)`` S
inside, bonded to four cations, and ``2 n (n + 1)`` S outside the facets, bonded to one (one
per facet cation). Polarity ``"B"`` is the inverted tetrahedron (facet cations with three
outward bonds).

``sphere``: cations within a radius of the central cation; ``cuboctahedron``: cations with
``|x|, |y|, |z'| <= s`` and ``|x| + |y| + |z'| <= 2 s`` in pseudo-cubic coordinates
(z' = z a / (c / 2)), i.e. a cube cut at its corners down to the edge midpoints
(6 {100} squares, 8 {112} triangles). For these two shapes the outermost sites of the
majority cation sublattice are then dropped until the Cu and In site counts differ by at most
one (a stoichiometric dot needs them equal).

Size
----
``layers``: number of cation layers; pyramid: apex to base along a facet normal; sphere and
cuboctahedron: across the dot (diameter, or width between opposite {100} faces,
``layers * d112``). ``size_nm`` instead: pyramid edge length between corner cation centres,
``(n - 1) a/sqrt(2)``; sphere diameter; cuboctahedron width between opposite square faces.

Surface termination (S): ``"S-rich"`` keeps every S bonded to a kept cation (all cations
four-coordinated); ``"metal-rich"`` keeps only S bonded to at least two cations; ``"neutral"``
keeps the best-bonded S (random order among equals, seeded) up to the number that makes the dot
charge-neutral with formal charges. The count is chosen by the caller
(:func:`qdcat.structure.model.build_dot`); here :meth:`Framework.select_sulfur` does it.

Orientation: ``"crystal"`` (crystal axes a, b, c along x, y, z), ``"apex_up"`` (pyramid apex along
+z, base facet normal along -z), or a direction ``(u, v, w)`` (in lattice units) put along +z,
e.g. the [114] zone axis the paper images along.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from qdcat.core.errors import InputError
from qdcat.structure.lattice import (
    CUINS2_A_A,
    CUINS2_C_A,
    CUINS2_SULFUR_X,
    chalcopyrite_cell,
)

__all__ = [
    "BOND_CUTOFF_PER_A",
    "SHAPES",
    "TERMINATIONS",
    "Framework",
    "build_framework",
    "d112_A",
    "layers_from_size",
    "pyramid_edge_nm",
    "tetrahedral_number",
]

#: Accepted shape names (``tetrahedron`` is an alias of ``pyramid``).
SHAPES: tuple[str, ...] = ("pyramid", "tetrahedron", "sphere", "cuboctahedron")
#: Accepted surface terminations.
TERMINATIONS: tuple[str, ...] = ("neutral", "S-rich", "metal-rich")
#: Cation-S bond cut-off as a fraction of a: 0.545 a = 3.0 A for CuInS2 (bonds 2.33 / 2.46 A,
#: next cation-S distance 4.48 A, next S-S 3.75 A).
BOND_CUTOFF_PER_A: float = 0.545
#: The four {112} facet planes of polarity A (normals along the cation -> S bonds of the
#: ase/ITA setting with x_S < 1/4; checked against the cell in build_framework).
_FACETS_A: NDArray[np.int64] = np.array([[1, 1, 2], [-1, -1, 2], [1, -1, -2], [-1, 1, -2]])


def tetrahedral_number(n: int) -> int:
    """T(n) = n (n + 1) (n + 2) / 6, cations in a tetrahedron of n layers (0 for n <= 0)."""
    return n * (n + 1) * (n + 2) // 6 if n > 0 else 0


def d112_A(a_A: float = CUINS2_A_A, c_A: float = CUINS2_C_A) -> float:
    """Spacing of (112) planes of a tetragonal cell, Angstrom: 1/d^2 = 2/a^2 + 4/c^2."""
    return 1.0 / math.sqrt(2.0 / a_A**2 + 4.0 / c_A**2)


def pyramid_edge_nm(layers: int, a_A: float = CUINS2_A_A) -> float:
    """Edge of a pyramid of ``layers`` cation layers between corner cation centres, nm."""
    return (layers - 1) * a_A / math.sqrt(2.0) / 10.0


def layers_from_size(shape: str, size_nm: float, a_A: float, c_A: float) -> int:
    """Number of cation layers closest to a size in nm (see module docstring)."""
    if not math.isfinite(size_nm) or size_nm <= 0:
        raise InputError("size must be positive", field="size_nm", expected="> 0 nm", found=size_nm)
    if shape in ("pyramid", "tetrahedron"):
        n = round(size_nm * 10.0 * math.sqrt(2.0) / a_A) + 1
    else:
        n = round(size_nm * 10.0 / d112_A(a_A, c_A))
    return max(1, int(n))


@dataclass(frozen=True)
class Framework:
    """Lattice sites of one dot (before composition), positions in Angstrom.

    Attributes
    ----------
    cation_positions: (n, 3) cation sites. cation_sublattice: (n,) ``"Cu"`` or ``"In"``.
    s_positions: (m, 3) every S site bonded to at least one cation (S-rich set).
    s_coordination: (m,) number of framework cations bonded to each S site.
    shape, layers, polarity, a_A, c_A, x_S: what was built. rotation: (3, 3) applied.
    """

    cation_positions: NDArray[np.float64]
    cation_sublattice: NDArray[np.str_]
    s_positions: NDArray[np.float64]
    s_coordination: NDArray[np.int64]
    shape: str
    layers: int
    polarity: str
    a_A: float
    c_A: float
    x_S: float
    rotation: NDArray[np.float64]

    @property
    def n_cu_sites(self) -> int:
        return int(np.count_nonzero(self.cation_sublattice == "Cu"))

    @property
    def n_in_sites(self) -> int:
        return int(np.count_nonzero(self.cation_sublattice == "In"))

    @property
    def bond_cutoff_A(self) -> float:
        return BOND_CUTOFF_PER_A * self.a_A

    def select_sulfur(
        self, termination: str, n_target: int | None = None, seed: int | None = 0
    ) -> NDArray[np.int64]:
        """Indices into :attr:`s_positions` of the S atoms kept for a termination.

        ``"neutral"`` needs ``n_target``; S are taken by decreasing coordination, in random
        (seeded) order among equals.
        """
        if termination == "S-rich":
            return np.arange(len(self.s_positions))
        if termination == "metal-rich":
            return np.flatnonzero(self.s_coordination >= 2)
        if termination != "neutral":
            raise InputError(
                "unknown surface termination",
                field="termination",
                expected=" or ".join(TERMINATIONS),
                found=termination,
            )
        if n_target is None or n_target < 0 or n_target > len(self.s_positions):
            raise InputError(
                "cannot make the dot neutral with the S sites it has",
                field="termination",
                expected=f"0..{len(self.s_positions)} S",
                found=n_target,
            )
        rng = np.random.default_rng(seed)
        order = np.lexsort((rng.random(len(self.s_positions)), -self.s_coordination))
        return np.sort(order[:n_target])


def _rotation_to_z(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rotation matrix taking unit vector direction of ``v`` to +z (Rodrigues)."""
    v = v / np.linalg.norm(v)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(v, z)
    s, c = np.linalg.norm(axis), float(np.dot(v, z))
    if s < 1e-12:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    k = axis / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * kx + (1 - c) * (kx @ kx)


def _orientation_matrix(
    orientation: str | Sequence[float], shape: str, facets: NDArray, a: float, c: float
) -> NDArray[np.float64]:
    recip = np.diag([1 / a, 1 / a, 1 / c])
    if isinstance(orientation, str):
        if orientation == "crystal":
            return np.eye(3)
        if orientation == "apex_up":
            if shape != "pyramid":
                raise InputError(
                    "apex_up needs a pyramid",
                    field="orientation",
                    expected="'crystal' or a direction (u, v, w)",
                    found=orientation,
                )
            return _rotation_to_z(-(recip @ facets[0]))
        raise InputError(
            "unknown orientation",
            field="orientation",
            expected="'crystal', 'apex_up' or a direction (u, v, w)",
            found=orientation,
        )
    uvw = np.asarray(orientation, dtype=float)
    if uvw.shape != (3,) or not np.all(np.isfinite(uvw)) or not np.any(uvw):
        raise InputError(
            "orientation direction must be three numbers, not all zero",
            field="orientation",
            expected="(u, v, w), e.g. (1, 1, 4)",
            found=orientation,
        )
    return _rotation_to_z(np.array([uvw[0] * a, uvw[1] * a, uvw[2] * c]))


def _balance_sublattices(
    pos: NDArray[np.float64], sub: NDArray[np.str_]
) -> tuple[NDArray[np.float64], NDArray[np.str_]]:
    """Drop the outermost sites of the majority cation sublattice until the two differ by <= 1.

    A sphere or cuboctahedron cut from chalcopyrite can hold noticeably more sites of one
    sublattice (e.g. 151 Cu and 170 In sites); a stoichiometric dot needs them (nearly) equal.
    """
    n_cu, n_in = int(np.sum(sub == "Cu")), int(np.sum(sub == "In"))
    excess = abs(n_cu - n_in) - 1
    if excess <= 0:
        return pos, sub
    major = "Cu" if n_cu > n_in else "In"
    r = np.linalg.norm(pos - pos.mean(axis=0), axis=1)
    idx = np.flatnonzero(sub == major)
    drop = idx[np.argsort(-r[idx], kind="stable")[:excess]]
    keep = np.ones(len(sub), dtype=bool)
    keep[drop] = False
    return pos[keep], sub[keep]


def _tile(lo: NDArray, hi: NDArray, cell_frac: NDArray) -> tuple[NDArray, NDArray]:
    """Fractional positions (X, Y, Z in cell units) of the cell basis tiled over [lo, hi]."""
    rng = [np.arange(math.floor(lo[i]) - 1, math.ceil(hi[i]) + 1) for i in range(3)]
    grid = np.stack(np.meshgrid(*rng, indexing="ij"), axis=-1).reshape(-1, 3)
    pos = (grid[:, None, :] + cell_frac[None, :, :]).reshape(-1, 3)
    idx = np.tile(np.arange(len(cell_frac)), len(grid))
    return pos, idx


def build_framework(
    shape: str = "pyramid",
    layers: int | None = None,
    *,
    size_nm: float | None = None,
    a_A: float = CUINS2_A_A,
    c_A: float = CUINS2_C_A,
    x_S: float = CUINS2_SULFUR_X,
    polarity: str = "A",
    orientation: str | Sequence[float] = "crystal",
) -> Framework:
    """Cation and S sites of a dot (see module docstring for shapes, sizes and polarity).

    Parameters
    ----------
    shape:
        ``pyramid`` / ``tetrahedron``, ``sphere`` or ``cuboctahedron``.
    layers, size_nm:
        Size: number of cation layers (>= 1), or a size in nm; exactly one.
    a_A, c_A, x_S:
        Lattice (Angstrom) and S parameter.
    polarity:
        ``"A"`` or ``"B"`` (pyramid only).
    orientation:
        ``"crystal"``, ``"apex_up"`` or a direction (u, v, w) put along +z.

    Returns
    -------
    Framework
        Positions centred on the centroid of the cation sites.
    """
    if shape not in SHAPES:
        raise InputError(
            "unknown dot shape", field="shape", expected=", ".join(SHAPES), found=shape
        )
    shape = "pyramid" if shape == "tetrahedron" else shape
    if polarity not in ("A", "B"):
        raise InputError(
            "unknown polarity", field="polarity", expected="'A' or 'B'", found=polarity
        )
    if (layers is None) == (size_nm is None):
        raise InputError(
            "give the size either as layers or as size_nm",
            field="layers/size_nm",
            expected="exactly one of them",
            found=(layers, size_nm),
        )
    cell = chalcopyrite_cell(a_A, c_A, x_S)
    if layers is None:
        layers = layers_from_size(shape, float(size_nm), a_A, c_A)  # type: ignore[arg-type]
    if isinstance(layers, bool) or int(layers) != layers or layers < 1:
        raise InputError(
            "number of layers must be a whole number >= 1",
            field="layers",
            expected="1, 2, 3, ...",
            found=layers,
        )
    n = int(layers)
    if n > 200:
        raise InputError("dot too large", field="layers", expected="<= 200", found=layers)
    frac = cell.get_scaled_positions(wrap=True)
    frac[np.isclose(frac, 1.0)] = 0.0
    symbols = np.array(cell.get_chemical_symbols())
    is_cat = symbols != "S"
    facets = _FACETS_A if polarity == "A" else -_FACETS_A
    cart = np.diag([a_A, a_A, c_A])

    if shape == "pyramid":
        q, rem = divmod(n - 1, 4)
        m_max = np.array([q + (1 if k < rem else 0) for k in range(4)])
        # vertex k: the three other facet planes meet (m_j = M_j, j != k)
        verts = []
        for k in range(4):
            others = [j for j in range(4) if j != k]
            verts.append(np.linalg.solve(facets[others].astype(float), m_max[others]))
        verts_arr = np.array(verts)
        lo, hi = verts_arr.min(axis=0), verts_arr.max(axis=0)
    else:
        width_A = n * d112_A(a_A, c_A)
        half = 0.5 * width_A
        lo = -np.array([half / a_A, half / a_A, half / c_A]) - 1
        hi = -lo
    pos_frac, basis_idx = _tile(lo, hi, frac)
    cat_mask = is_cat[basis_idx]
    cf = pos_frac[cat_mask]
    csub = symbols[basis_idx[cat_mask]]

    if shape == "pyramid":
        m = np.rint(cf @ facets.T).astype(np.int64)
        keep = np.all(m <= m_max[None, :], axis=1)
    elif shape == "sphere":
        r = np.linalg.norm(cf @ cart, axis=1)
        keep = r <= half + 1e-6
    else:  # cuboctahedron in pseudo-cubic units of a
        u = np.abs(cf * np.array([1.0, 1.0, c_A / a_A]))
        s = half / a_A
        keep = np.all(u <= s + 1e-9, axis=1) & (u.sum(axis=1) <= 2 * s + 1e-9)
    cat_pos = cf[keep] @ cart
    cat_sub = csub[keep]
    if shape != "pyramid":
        cat_pos, cat_sub = _balance_sublattices(cat_pos, cat_sub)
    if len(cat_pos) == 0:
        raise InputError(
            "the dot holds no cation", field="layers", expected="a larger size", found=layers
        )

    s_all = pos_frac[~cat_mask] @ cart
    tree = cKDTree(cat_pos)
    cutoff = BOND_CUTOFF_PER_A * a_A
    coord = tree.query_ball_point(s_all, r=cutoff, return_length=True)
    s_keep = coord > 0
    s_pos = s_all[s_keep]
    s_coord = np.asarray(coord[s_keep], dtype=np.int64)

    centre = cat_pos.mean(axis=0)
    rot = _orientation_matrix(orientation, shape, facets, a_A, c_A)
    cat_pos = (cat_pos - centre) @ rot.T
    s_pos = (s_pos - centre) @ rot.T
    return Framework(
        cation_positions=cat_pos,
        cation_sublattice=cat_sub,
        s_positions=s_pos,
        s_coordination=s_coord,
        shape=shape,
        layers=n,
        polarity=polarity,
        a_A=float(a_A),
        c_A=float(c_A),
        x_S=float(x_S),
        rotation=rot,
    )
