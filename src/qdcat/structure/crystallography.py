"""Crystallographic geometry: d-spacings, interplanar angles, zones, absences, fringe indexing.

Conventions
-----------
Planes are Miller indices ``(h, k, l)`` (reciprocal-lattice vectors ``g = h a* + k b* + l c*``),
directions are ``[u, v, w]`` (direct-lattice vectors ``r = u a + v b + w c``). Lengths are in
Angstrom (``_A``), angles in degrees (``_deg``). Hexagonal cells use three-index Miller indices
internally; :func:`miller_to_bravais` / :func:`bravais_to_miller` and
:func:`direction_to_four_index` / :func:`direction_to_three_index` convert to and from the
four-index Miller-Bravais form.

With the direct metric tensor ``G`` (``G_ij = a_i . a_j``) and the reciprocal metric tensor
``G* = G^-1`` (International Tables for Crystallography Vol. B, ch. 1.1,
doi:10.1107/97809553602060000549):

* ``1/d(hkl)^2 = h^T G* h``; for a tetragonal cell ``1/d^2 = (h^2 + k^2)/a^2 + l^2/c^2``.
* ``cos phi = h1^T G* h2 / (|g1| |g2|)`` (angle between plane normals).
* The zone axis of two planes is ``[uvw] = h1 x h2`` (cross product of the index triples), and a
  plane lies in zone ``[uvw]`` when ``h u + k v + l w = 0`` (Weiss zone law). Both hold for any
  cell because ``g . r = h u + k v + l w`` for reciprocal and direct lattice vectors.

Lattice fringes (HRTEM)
-----------------------
A pair of crossed fringes with spacings ``d1, d2`` and angle ``phi`` between them is indexed by
:func:`index_fringe_pair`: every allowed reflection whose spacing is near ``d1`` (or ``d2``) is
paired with every one near the other, symmetry-equivalent pairs are merged (Laue symmetry of the
lattice's metric, plus the sign of each ``g``: fringes are lines, so ``phi`` and ``180 - phi`` are
the same pair and the acute angle is compared), and pairs are ranked by a combined misfit

    score = sqrt( [ (e1/d_tol)^2 + (e2/d_tol)^2 + (dphi/phi_tol)^2 ] / 3 )

with ``e = (d_measured - d_calc)/d_calc`` and ``dphi = phi_measured - phi_calc`` (acute
angles). Default tolerances: ``d_tol = 2 %`` (a calibrated HRTEM image; uncalibrated images are
often worse, 3-5 %) and ``phi_tol = 2 deg``. A pair *fits* when each of the three misfits is
within its tolerance; a score <= 1 is then typical.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import InputError

__all__ = [
    "DEFAULT_ANGLE_TOL_DEG",
    "DEFAULT_D_TOL_REL",
    "FringeCandidate",
    "FringeCheck",
    "Lattice",
    "allowed_reflections",
    "bravais_to_miller",
    "check_fringe_assignment",
    "d_spacing_A",
    "direction_angle_deg",
    "direction_to_four_index",
    "direction_to_three_index",
    "family",
    "format_indices",
    "in_zone",
    "index_fringe_pair",
    "interplanar_angle_deg",
    "lattice_from_fringes",
    "laue_operations",
    "miller_to_bravais",
    "parse_indices",
    "plane_zone_angle_deg",
    "reflection_allowed",
    "space_group_allowed",
    "zone_axis",
    "zone_law_sum",
    "zone_reflections",
]

#: Default relative tolerance on fringe spacings (2 %: a calibrated HRTEM image).
DEFAULT_D_TOL_REL: float = 0.02
#: Default tolerance on the angle between two fringe sets, degrees.
DEFAULT_ANGLE_TOL_DEG: float = 2.0

_SYSTEM_TOL = 1e-6


# ---------------------------------------------------------------------------------------------
# Lattice and metric


def _positive_length(value: float, field_name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not math.isfinite(v) or v <= 0.0:
        raise InputError(
            "lattice constant must be a positive length in Angstrom",
            field=field_name,
            expected="a finite value > 0 (Angstrom)",
            found=value,
        )
    return v


@dataclass(frozen=True)
class Lattice:
    """A crystal lattice by its cell parameters (Angstrom, degrees).

    Build it with :meth:`cubic`, :meth:`tetragonal`, :meth:`hexagonal`, :meth:`from_cellpar` or
    :meth:`from_atoms`. The lattice *system* (``cubic``, ``tetragonal``, ``hexagonal``,
    ``orthorhombic`` or ``triclinic`` for anything else) is derived from the metric and
    decides which symmetry-equivalent planes form a family.
    """

    a_A: float
    b_A: float
    c_A: float
    alpha_deg: float = 90.0
    beta_deg: float = 90.0
    gamma_deg: float = 90.0
    name: str = ""

    def __post_init__(self) -> None:
        for key in ("a_A", "b_A", "c_A"):
            object.__setattr__(self, key, _positive_length(getattr(self, key), key))
        for key in ("alpha_deg", "beta_deg", "gamma_deg"):
            v = getattr(self, key)
            if not (isinstance(v, int | float) and math.isfinite(v) and 0.0 < v < 180.0):
                raise InputError(
                    "cell angle must lie between 0 and 180 degrees",
                    field=key,
                    expected="0 < angle < 180 (degrees)",
                    found=v,
                )
        g = self._metric()
        if not np.linalg.det(g) > 0.0:
            raise InputError(
                "the cell angles do not form a cell (zero or negative volume)",
                field="alpha_deg/beta_deg/gamma_deg",
                expected="angles with alpha + beta + gamma < 360 and each < the sum of the others",
                found=(self.alpha_deg, self.beta_deg, self.gamma_deg),
            )

    # -- constructors ----------------------------------------------------------------------
    @classmethod
    def cubic(cls, a_A: float, name: str = "") -> Lattice:
        """Cubic lattice with edge ``a_A`` (Angstrom)."""
        return cls(a_A, a_A, a_A, name=name)

    @classmethod
    def tetragonal(cls, a_A: float, c_A: float, name: str = "") -> Lattice:
        """Tetragonal lattice ``a = b``, ``c`` (Angstrom)."""
        return cls(a_A, a_A, c_A, name=name)

    @classmethod
    def hexagonal(cls, a_A: float, c_A: float, name: str = "") -> Lattice:
        """Hexagonal lattice ``a = b``, ``c``, ``gamma = 120 deg`` (Angstrom)."""
        return cls(a_A, a_A, c_A, 90.0, 90.0, 120.0, name=name)

    @classmethod
    def from_cellpar(cls, cellpar: Sequence[float], name: str = "") -> Lattice:
        """From ``(a, b, c, alpha, beta, gamma)`` as :meth:`ase.cell.Cell.cellpar` returns."""
        if len(cellpar) != 6:
            raise InputError(
                "cell parameters need six numbers",
                field="cellpar",
                expected="(a, b, c, alpha, beta, gamma)",
                found=list(cellpar),
            )
        return cls(*(float(v) for v in cellpar), name=name)

    @classmethod
    def from_atoms(cls, atoms: Any, name: str = "") -> Lattice:
        """The lattice of a periodic :class:`ase.Atoms` cell."""
        return cls.from_cellpar(atoms.cell.cellpar(), name=name or atoms.get_chemical_formula())

    # -- metric ----------------------------------------------------------------------------
    def _metric(self) -> NDArray[np.float64]:
        a, b, c = self.a_A, self.b_A, self.c_A
        ca, cb, cg = (
            math.cos(math.radians(x)) for x in (self.alpha_deg, self.beta_deg, self.gamma_deg)
        )
        return np.array(
            [
                [a * a, a * b * cg, a * c * cb],
                [a * b * cg, b * b, b * c * ca],
                [a * c * cb, b * c * ca, c * c],
            ]
        )

    @property
    def metric_tensor(self) -> NDArray[np.float64]:
        """Direct metric tensor ``G`` (Angstrom^2): ``|r|^2 = [uvw] G [uvw]^T``."""
        return self._metric()

    @property
    def reciprocal_metric_tensor(self) -> NDArray[np.float64]:
        """Reciprocal metric tensor ``G* = G^-1`` (Angstrom^-2): ``1/d^2 = h G* h^T``."""
        return np.linalg.inv(self._metric())

    @property
    def volume_A3(self) -> float:
        """Cell volume ``sqrt(det G)``, Angstrom^3."""
        return float(math.sqrt(np.linalg.det(self._metric())))

    @property
    def system(self) -> str:
        """``cubic``, ``tetragonal``, ``hexagonal``, ``orthorhombic`` or ``triclinic``."""

        def eq(x: float, y: float) -> bool:
            return abs(x - y) <= _SYSTEM_TOL * max(abs(x), abs(y), 1.0)

        right = all(eq(x, 90.0) for x in (self.alpha_deg, self.beta_deg, self.gamma_deg))
        if right and eq(self.a_A, self.b_A) and eq(self.b_A, self.c_A):
            return "cubic"
        if right and eq(self.a_A, self.b_A):
            return "tetragonal"
        if (
            eq(self.a_A, self.b_A)
            and eq(self.alpha_deg, 90.0)
            and eq(self.beta_deg, 90.0)
            and eq(self.gamma_deg, 120.0)
        ):
            return "hexagonal"
        if right:
            return "orthorhombic"
        return "triclinic"

    def label(self) -> str:
        """Short description, e.g. ``'tetragonal a = 5.52 A, c = 11.1 A'``."""
        s = self.system
        if s == "cubic":
            text = f"cubic a = {self.a_A:.4g} A"
        elif s in ("tetragonal", "hexagonal"):
            text = f"{s} a = {self.a_A:.4g} A, c = {self.c_A:.4g} A"
        else:
            text = (
                f"{s} a, b, c = {self.a_A:.4g}, {self.b_A:.4g}, {self.c_A:.4g} A; "
                f"angles {self.alpha_deg:.4g}, {self.beta_deg:.4g}, {self.gamma_deg:.4g} deg"
            )
        return f"{self.name}: {text}" if self.name else text


# ---------------------------------------------------------------------------------------------
# Index helpers


def _as_index(values: ArrayLike, field_name: str, *, allow_zero: bool = False) -> NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.shape[-1:] != (3,):
        raise InputError(
            "indices need three integers",
            field=field_name,
            expected="(h, k, l) or [u, v, w]",
            found=arr.tolist(),
        )
    if not np.all(np.isfinite(arr.astype(float))) or not np.all(
        np.asarray(arr, float) == np.round(np.asarray(arr, float))
    ):
        raise InputError(
            "indices must be integers", field=field_name, expected="integers", found=arr.tolist()
        )
    out = np.asarray(np.round(np.asarray(arr, float)), dtype=np.int64)
    if not allow_zero and np.any(np.all(out == 0, axis=-1)):
        raise InputError(
            "(000) is not a lattice plane or direction",
            field=field_name,
            expected="at least one non-zero index",
            found=out.tolist(),
        )
    return out


def parse_indices(text: str, field_name: str = "indices") -> tuple[int, int, int]:
    """``'112'``, ``'1 1 2'``, ``'1,1,-2'``, ``'11-2'``, ``'(1-10)'``, ``'[114]'`` -> tuple.

    Without separators each character is one digit, a ``-`` belonging to the digit after it
    (``'1-10'`` is (1, -1, 0)); use separators for indices above 9 (``'10,0,2'``). Four-index
    Miller-Bravais text (``'11-20'`` with ``i = -(h + k)``) is converted to three indices when
    it is consistent.
    """
    raw = str(text).strip()
    s = raw.strip("()[]{}<> ")
    parts: list[str]
    if any(sep in s for sep in (",", " ", ";")):
        parts = [p for p in s.replace(",", " ").replace(";", " ").split() if p]
    else:
        parts = []
        i = 0
        while i < len(s):
            if s[i] in "+-" and i + 1 < len(s):
                parts.append(s[i : i + 2])
                i += 2
            else:
                parts.append(s[i])
                i += 1
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) == 4:
        if values[2] != -(values[0] + values[1]):
            raise InputError(
                "four-index (Miller-Bravais) indices need i = -(h + k)",
                field=field_name,
                expected="(h k i l) with i = -(h + k)",
                found=raw,
            )
        values = [values[0], values[1], values[3]]
    if len(values) != 3:
        raise InputError(
            "cannot read these indices",
            field=field_name,
            expected="three integers such as 112, 1-10, '1 1 2' or '10,0,2'",
            found=raw,
        )
    return (values[0], values[1], values[2])


def format_indices(idx: Iterable[int], brackets: str = "()") -> str:
    """``(1, -1, 0)`` -> ``'(1-10)'``; indices above 9 are comma-separated."""
    values = [int(v) for v in idx]
    sep = "," if any(abs(v) > 9 for v in values) else ""
    return brackets[0] + sep.join(str(v) for v in values) + brackets[1]


def _reduce(v: Sequence[int]) -> tuple[int, int, int]:
    g = reduce(math.gcd, (abs(int(x)) for x in v))
    if g == 0:
        return (0, 0, 0)
    out = [int(x) // g for x in v]
    first = next((x for x in out if x != 0), 0)
    if first < 0:
        out = [-x for x in out]
    return (out[0], out[1], out[2])


# ---------------------------------------------------------------------------------------------
# d-spacings, angles, zones


def d_spacing_A(lattice: Lattice, hkl: ArrayLike) -> float | NDArray[np.float64]:
    """Interplanar spacing ``d = 1 / sqrt(h G* h)``, Angstrom.

    ``hkl`` is one triple (returns a float) or an ``(N, 3)`` array (returns an array).
    Raises :class:`InputError` for (000).
    """
    h = _as_index(hkl, "hkl").astype(float)
    inv_d2 = np.einsum("...i,ij,...j->...", h, lattice.reciprocal_metric_tensor, h)
    d = 1.0 / np.sqrt(inv_d2)
    return float(d) if np.ndim(d) == 0 else d


def interplanar_angle_deg(
    lattice: Lattice, hkl1: ArrayLike, hkl2: ArrayLike, *, acute: bool = False
) -> float:
    """Angle between the normals of planes ``hkl1`` and ``hkl2``, degrees (0-180).

    ``acute=True`` returns ``min(phi, 180 - phi)``: the angle between two sets of lattice
    fringes (lines), which does not know the sign of ``g``.
    """
    h1 = _as_index(hkl1, "hkl1").astype(float)
    h2 = _as_index(hkl2, "hkl2").astype(float)
    gs = lattice.reciprocal_metric_tensor
    cos = float(h1 @ gs @ h2 / math.sqrt((h1 @ gs @ h1) * (h2 @ gs @ h2)))
    phi = math.degrees(math.acos(max(-1.0, min(1.0, cos))))
    return min(phi, 180.0 - phi) if acute else phi


def direction_angle_deg(lattice: Lattice, uvw1: ArrayLike, uvw2: ArrayLike) -> float:
    """Angle between directions ``[uvw1]`` and ``[uvw2]`` (direct metric), degrees."""
    r1 = _as_index(uvw1, "uvw1").astype(float)
    r2 = _as_index(uvw2, "uvw2").astype(float)
    g = lattice.metric_tensor
    cos = float(r1 @ g @ r2 / math.sqrt((r1 @ g @ r1) * (r2 @ g @ r2)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def plane_zone_angle_deg(lattice: Lattice, hkl: ArrayLike, uvw: ArrayLike) -> float:
    """Angle between the normal of plane ``hkl`` and direction ``[uvw]``, degrees.

    90 deg means the plane lies in the zone (it is edge-on when viewed along ``[uvw]``, so its
    fringes can be imaged); ``|90 - angle|`` is how far the plane is tilted out of the zone.
    Uses ``g . r = h u + k v + l w`` with ``|g| = 1/d`` and ``|r| = sqrt(r G r)``.
    """
    h = _as_index(hkl, "hkl")
    r = _as_index(uvw, "uvw")
    dot = float(h @ r)
    g_len = 1.0 / float(d_spacing_A(lattice, h))
    rf = r.astype(float)
    r_len = math.sqrt(float(rf @ lattice.metric_tensor @ rf))
    cos = dot / (g_len * r_len)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def zone_axis(hkl1: ArrayLike, hkl2: ArrayLike) -> tuple[int, int, int]:
    """Zone axis ``[uvw] = hkl1 x hkl2`` reduced to coprime integers, first non-zero index > 0.

    Valid for every cell (Weiss zone law). Raises :class:`InputError` for parallel planes.
    """
    h1 = _as_index(hkl1, "hkl1")
    h2 = _as_index(hkl2, "hkl2")
    uvw = np.cross(h1, h2)
    if not np.any(uvw):
        raise InputError(
            "parallel planes have no common zone axis",
            field="hkl1/hkl2",
            expected="two non-parallel planes",
            found=(h1.tolist(), h2.tolist()),
        )
    return _reduce(uvw.tolist())


def zone_law_sum(hkl: ArrayLike, uvw: ArrayLike) -> int:
    """``h u + k v + l w``: zero when plane ``(hkl)`` lies in zone ``[uvw]``."""
    return int(_as_index(hkl, "hkl") @ _as_index(uvw, "uvw"))


def in_zone(hkl: ArrayLike, uvw: ArrayLike) -> bool:
    """Weiss zone law: plane ``(hkl)`` belongs to zone ``[uvw]`` iff ``h u + k v + l w = 0``."""
    return zone_law_sum(hkl, uvw) == 0


# ---------------------------------------------------------------------------------------------
# Hexagonal three- and four-index notation


def miller_to_bravais(hkl: ArrayLike) -> tuple[int, int, int, int]:
    """Plane ``(hkl)`` -> Miller-Bravais ``(h k i l)`` with ``i = -(h + k)``."""
    h, k, l_ = (int(v) for v in _as_index(hkl, "hkl"))
    return (h, k, -(h + k), l_)


def bravais_to_miller(hkil: ArrayLike) -> tuple[int, int, int]:
    """Miller-Bravais ``(h k i l)`` -> ``(h k l)``; ``i`` must equal ``-(h + k)``."""
    v = [int(x) for x in np.asarray(hkil).ravel()]
    if len(v) != 4 or v[2] != -(v[0] + v[1]):
        raise InputError(
            "not a Miller-Bravais plane",
            field="hkil",
            expected="four integers with i = -(h + k)",
            found=v,
        )
    return (v[0], v[1], v[3])


def direction_to_four_index(uvw: ArrayLike) -> tuple[int, int, int, int]:
    """Hexagonal direction ``[UVW]`` -> ``[u v t w]`` (smallest integers).

    ``u = (2U - V)/3``, ``v = (2V - U)/3``, ``t = -(u + v)``, ``w = W`` (scaled by 3, reduced).
    """
    U, V, W = (int(x) for x in _as_index(uvw, "uvw"))
    four = [2 * U - V, 2 * V - U, -(U + V), 3 * W]
    g = reduce(math.gcd, (abs(x) for x in four))
    return tuple(x // g for x in four)  # type: ignore[return-value]


def direction_to_three_index(uvtw: ArrayLike) -> tuple[int, int, int]:
    """Hexagonal ``[u v t w]`` -> ``[U V W]`` with ``U = u - t``, ``V = v - t``, ``W = w``.

    Reduced to coprime integers; the sense of the direction is kept.
    """
    v = [int(x) for x in np.asarray(uvtw).ravel()]
    if len(v) != 4 or v[2] != -(v[0] + v[1]):
        raise InputError(
            "not a four-index hexagonal direction",
            field="uvtw",
            expected="four integers with t = -(u + v)",
            found=v,
        )
    three = [v[0] - v[2], v[1] - v[2], v[3]]
    g = reduce(math.gcd, (abs(x) for x in three)) or 1
    return (three[0] // g, three[1] // g, three[2] // g)


# ---------------------------------------------------------------------------------------------
# Symmetry: Laue operations of the metric, families


def laue_operations(system: str) -> NDArray[np.int64]:
    """Integer matrices ``R`` (acting on ``(h, k, l)`` columns) of the holohedral Laue group.

    cubic m-3m (48), tetragonal 4/mmm (16), hexagonal 6/mmm (24), orthorhombic mmm (8),
    triclinic -1 (2). Symmetry-equivalent planes have equal d, so d and angles are the same
    for every member of a family.
    """
    ops: list[np.ndarray] = []
    if system == "cubic":
        for perm in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
            p = np.eye(3, dtype=np.int64)[list(perm)]
            for s in np.array(np.meshgrid([1, -1], [1, -1], [1, -1])).T.reshape(-1, 3):
                ops.append(np.diag(s) @ p)
    elif system == "tetragonal":
        for p in (np.eye(3, dtype=np.int64), np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])):
            for s in np.array(np.meshgrid([1, -1], [1, -1], [1, -1])).T.reshape(-1, 3):
                ops.append(np.diag(s) @ p)
    elif system == "hexagonal":
        # act on (h, k, i = -h-k): permute (h, k, i), optional overall sign, optional l sign
        to4 = np.array([[1, 0, 0], [0, 1, 0], [-1, -1, 0], [0, 0, 1]])
        for perm in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
            p4 = np.eye(4, dtype=np.int64)[[*perm, 3]]
            for s_hki in (1, -1):
                for s_l in (1, -1):
                    m4 = np.diag([s_hki, s_hki, s_hki, s_l]) @ p4 @ to4
                    ops.append(m4[[0, 1, 3]])
    elif system == "orthorhombic":
        for s in np.array(np.meshgrid([1, -1], [1, -1], [1, -1])).T.reshape(-1, 3):
            ops.append(np.diag(s))
    else:
        ops = [np.eye(3, dtype=np.int64), -np.eye(3, dtype=np.int64)]
    return np.array(ops, dtype=np.int64)


def family(hkl: ArrayLike, system: str) -> tuple[int, int, int]:
    """Representative of the family ``{hkl}``: the lexicographically largest equivalent."""
    h = _as_index(hkl, "hkl")
    images = laue_operations(system) @ h
    best = max(map(tuple, images.tolist()))
    return (int(best[0]), int(best[1]), int(best[2]))


# ---------------------------------------------------------------------------------------------
# Systematic absences


def _chalcopyrite_allowed(h: int, k: int, l_: int) -> bool:
    # I-42d (No. 122), International Tables for Crystallography Vol. A, reflection conditions
    # of the general position: hkl: h+k+l = 2n; hk0: h+k = 2n; 0kl: k+l = 2n; hhl:
    # 2h+l = 4n; 00l: l = 4n; h00: h = 2n. With the tetragonal Laue equivalents (h-hl, ...)
    # they reduce to two rules (worked out from the symmetry operations of No. 122; the
    # projection on (001) is p4gm with centring, which gives no condition beyond h+k = 2n):
    if (h + k + l_) % 2:
        return False
    # hhl and its equivalents: l is even here, so the sign of h does not matter
    return not (abs(h) == abs(k) and (2 * h + l_) % 4)


def _sphalerite_allowed(h: int, k: int, l_: int) -> bool:
    # F-43m (No. 216): hkl all even or all odd (face centring); no further general conditions.
    parity = {h % 2, k % 2, l_ % 2}
    return len(parity) == 1


_NAMED_STRUCTURES = {
    "chalcopyrite": _chalcopyrite_allowed,
    "i-42d": _chalcopyrite_allowed,
    "122": _chalcopyrite_allowed,
    "sphalerite": _sphalerite_allowed,
    "zincblende": _sphalerite_allowed,
    "f-43m": _sphalerite_allowed,
    "216": _sphalerite_allowed,
}


def space_group_allowed(hkl: ArrayLike, spacegroup: int | str) -> bool:
    """Whether ``hkl`` is *not* systematically absent in a space group (any of the 230).

    Computed, not tabulated: the structure factor of one atom on a general position, summed
    over all symmetry operations of :class:`ase.spacegroup.Spacegroup` (with centring), is
    zero for every generic position exactly when the reflection is systematically absent.
    Two unrelated generic positions are tried, so an accidental zero cannot pass as absence.
    """
    h = _as_index(hkl, "hkl").astype(float)
    positions = _general_positions(spacegroup)  # (2, n_ops, 3)
    f = np.exp(2j * np.pi * (positions @ h)).sum(axis=1)
    return bool(np.abs(f).sum() > 1e-6)


@lru_cache(maxsize=32)
def _general_positions(spacegroup: int | str) -> NDArray[np.float64]:
    """Images of two generic points under every operation of the group (with centring)."""
    from ase.spacegroup import Spacegroup

    sg = Spacegroup(spacegroup)
    ops = list(sg.get_symop())
    pts = (np.array([0.1234, 0.2718, 0.3141]), np.array([0.0577, 0.4142, 0.1732]))
    return np.array([[rot @ x + trans for rot, trans in ops] for x in pts])


def reflection_allowed(hkl: ArrayLike, structure: str | int | None) -> bool:
    """Whether reflection ``hkl`` is allowed (not systematically absent) in ``structure``.

    ``structure``: ``'chalcopyrite'`` (I-42d), ``'sphalerite'`` (F-43m), a space-group number
    or symbol (computed by :func:`space_group_allowed`), or ``None`` (no absences, primitive).
    """
    h = _as_index(hkl, "hkl")
    if structure is None:
        return True
    key = str(structure).strip().lower().replace(" ", "")
    rule = _NAMED_STRUCTURES.get(key)
    if rule is not None:
        return rule(int(h[0]), int(h[1]), int(h[2]))
    try:
        return space_group_allowed(h, int(structure) if key.isdigit() else str(structure))
    except Exception as exc:  # ase raises its own errors for unknown symbols
        raise InputError(
            "unknown structure or space group",
            field="structure",
            expected="'chalcopyrite', 'sphalerite', a space-group number 1-230 or symbol",
            found=structure,
        ) from exc


def _index_box(lattice: Lattice, d_min_A: float) -> NDArray[np.int64]:
    # |h| = |g . a| <= |g| |a| <= |a| / d_min
    hm = math.floor(lattice.a_A / d_min_A + 1e-9)
    km = math.floor(lattice.b_A / d_min_A + 1e-9)
    lm = math.floor(lattice.c_A / d_min_A + 1e-9)
    grid = np.mgrid[-hm : hm + 1, -km : km + 1, -lm : lm + 1].reshape(3, -1).T
    return grid[np.any(grid != 0, axis=1)]


def allowed_reflections(
    lattice: Lattice,
    d_min_A: float,
    structure: str | int | None = None,
    *,
    d_max_A: float | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Every reflection ``hkl`` with ``d_min <= d (<= d_max)`` allowed in ``structure``.

    Returns ``(hkl, d_A)``: an ``(N, 3)`` integer array and the spacings (Angstrom), sorted by
    decreasing d. All members of each family are listed (not one per family).
    """
    d_min = _positive_length(d_min_A, "d_min_A")
    hkl = _index_box(lattice, d_min)
    d = np.asarray(d_spacing_A(lattice, hkl))
    keep = d >= d_min * (1.0 - 1e-12)
    if d_max_A is not None:
        keep &= d <= float(d_max_A) * (1.0 + 1e-12)
    hkl, d = hkl[keep], d[keep]
    if structure is not None:
        mask = np.array([reflection_allowed(h, structure) for h in hkl], dtype=bool)
        hkl, d = hkl[mask], d[mask]
    order = np.lexsort((-hkl[:, 2], -hkl[:, 1], -hkl[:, 0], -np.round(d, 9)))
    return hkl[order], d[order]


def zone_reflections(
    lattice: Lattice, uvw: ArrayLike, d_min_A: float, structure: str | int | None = None
) -> list[tuple[tuple[int, int, int], float]]:
    """Allowed reflections of zone ``[uvw]`` with ``d >= d_min``: one of each ``+-g`` pair.

    These are the lattice fringes an image viewed along ``[uvw]`` can show (largest spacing
    first).
    """
    r = _as_index(uvw, "uvw")
    hkl, d = allowed_reflections(lattice, d_min_A, structure)
    out = []
    seen: set[tuple[int, int, int]] = set()
    for h, dd in zip(hkl, d, strict=True):
        t = (int(h[0]), int(h[1]), int(h[2]))
        if int(h @ r) != 0 or (-t[0], -t[1], -t[2]) in seen:
            continue
        seen.add(t)
        out.append((t, float(dd)))
    return out


# ---------------------------------------------------------------------------------------------
# Fringe indexing


@dataclass(frozen=True)
class FringeCandidate:
    """One indexing of a measured fringe pair: planes, zone axis and misfits.

    Misfits are measured minus calculated: ``d*_misfit_percent = 100 (d_meas - d_calc)/d_calc``
    and ``angle_misfit_deg = phi_meas - phi_calc`` (acute angles, degrees).
    """

    hkl1: tuple[int, int, int]
    hkl2: tuple[int, int, int]
    zone: tuple[int, int, int]
    d1_calc_A: float
    d2_calc_A: float
    angle_calc_deg: float
    d1_misfit_percent: float
    d2_misfit_percent: float
    angle_misfit_deg: float
    score: float
    fits: bool
    in_claimed_zone: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "hkl1": list(self.hkl1),
            "hkl2": list(self.hkl2),
            "zone": list(self.zone),
            "hkl1_text": format_indices(self.hkl1),
            "hkl2_text": format_indices(self.hkl2),
            "zone_text": format_indices(self.zone, "[]"),
            "d1_calc_nm": self.d1_calc_A / 10.0,
            "d2_calc_nm": self.d2_calc_A / 10.0,
            "angle_calc_deg": self.angle_calc_deg,
            "d1_misfit_percent": self.d1_misfit_percent,
            "d2_misfit_percent": self.d2_misfit_percent,
            "d_misfit_percent": [self.d1_misfit_percent, self.d2_misfit_percent],
            "angle_misfit_deg": self.angle_misfit_deg,
            "score": self.score,
            "fits": self.fits,
            "in_claimed_zone": self.in_claimed_zone,
        }

    def describe(self) -> str:
        return (
            f"{format_indices(self.hkl1)}/{format_indices(self.hkl2)} zone "
            f"{format_indices(self.zone, '[]')}: d {self.d1_misfit_percent:+.1f} %, "
            f"{self.d2_misfit_percent:+.1f} %, angle {self.angle_calc_deg:.1f} deg "
            f"({self.angle_misfit_deg:+.1f}), score {self.score:.2f}"
        )


def _check_measured(d1_A: float, d2_A: float, angle_deg: float) -> tuple[float, float, float]:
    d1 = _positive_length(d1_A, "d1")
    d2 = _positive_length(d2_A, "d2")
    try:
        phi = float(angle_deg)
    except (TypeError, ValueError):
        phi = float("nan")
    if not math.isfinite(phi) or not 0.0 < phi < 180.0:
        raise InputError(
            "angle between fringe sets must lie between 0 and 180 degrees",
            field="angle",
            expected="0 < angle < 180 (degrees)",
            found=angle_deg,
        )
    return d1, d2, min(phi, 180.0 - phi)


def _score(e1: float, e2: float, dphi: float, d_tol: float, phi_tol: float) -> float:
    return math.sqrt(((e1 / d_tol) ** 2 + (e2 / d_tol) ** 2 + (dphi / phi_tol) ** 2) / 3.0)


def _tolerances(d_tol_rel: float, angle_tol_deg: float) -> tuple[float, float]:
    dt = float(d_tol_rel)
    at = float(angle_tol_deg)
    if not (math.isfinite(dt) and 0.0 < dt < 1.0):
        raise InputError(
            "relative d tolerance out of range",
            field="d_tol_rel",
            expected="0 < d_tol_rel < 1 (e.g. 0.02 for 2 %)",
            found=d_tol_rel,
        )
    if not (math.isfinite(at) and 0.0 < at < 90.0):
        raise InputError(
            "angle tolerance out of range",
            field="angle_tol_deg",
            expected="0 < angle_tol_deg < 90",
            found=angle_tol_deg,
        )
    return dt, at


def index_fringe_pair(
    d1_A: float,
    d2_A: float,
    angle_deg: float,
    lattice: Lattice,
    *,
    structure: str | int | None = None,
    d_tol_rel: float = DEFAULT_D_TOL_REL,
    angle_tol_deg: float = DEFAULT_ANGLE_TOL_DEG,
    search_rel: float = 0.10,
    claimed_zone: ArrayLike | None = None,
    max_candidates: int | None = 20,
) -> list[FringeCandidate]:
    """Rank the (hkl1, hkl2) assignments of two crossed lattice fringes.

    Parameters
    ----------
    d1_A, d2_A:
        Measured fringe spacings, Angstrom.
    angle_deg:
        Measured angle between the two fringe sets (taken as acute: ``phi`` and ``180 - phi``
        are the same pair of lines).
    lattice:
        The lattice to index against.
    structure:
        Systematic absences to respect (see :func:`reflection_allowed`); ``None``: none.
    d_tol_rel, angle_tol_deg:
        Tolerances that define a *fit* and scale the score (see the module documentation).
    search_rel:
        Reflections within this relative distance of each measured spacing are considered
        (default 10 %), so near misses are listed with their misfit rather than dropped.
    claimed_zone:
        Optional zone axis ``[uvw]`` someone assigned; each candidate records whether both of
        its planes lie in it.
    max_candidates:
        Keep the best so many (``None``: all).

    Returns
    -------
    list of FringeCandidate
        Best (lowest score) first; symmetry-equivalent assignments appear once.
    """
    d1, d2, phi = _check_measured(d1_A, d2_A, angle_deg)
    d_tol, phi_tol = _tolerances(d_tol_rel, angle_tol_deg)
    zone_claim = None if claimed_zone is None else _as_index(claimed_zone, "zone")
    lo = min(d1, d2) * (1.0 - search_rel)
    hkl_all, d_all = allowed_reflections(lattice, lo, structure)
    near1 = np.abs(d_all - d1) <= search_rel * d1
    near2 = np.abs(d_all - d2) <= search_rel * d2
    system = lattice.system
    ops = laue_operations(system)
    gs = lattice.reciprocal_metric_tensor

    # one representative g1 per family; g2 over all members, merged under stab(g1) and signs
    reps: dict[tuple[int, int, int], NDArray[np.int64]] = {}
    for h in hkl_all[near1]:
        fam = family(h, system)
        reps.setdefault(fam, np.array(fam, dtype=np.int64))
    g2_all = hkl_all[near2]
    results: dict[tuple, FringeCandidate] = {}
    for g1 in reps.values():
        img = ops @ g1
        stab = ops[np.all(img == g1, axis=1) | np.all(img == -g1, axis=1)]
        if g2_all.size == 0:
            continue
        len1 = math.sqrt(float(g1 @ gs @ g1))
        d1c = 1.0 / len1
        for g2 in g2_all:
            images = np.concatenate([stab @ g2, -(stab @ g2)])
            canon = max(map(tuple, images.tolist()))
            key = (tuple(g1.tolist()), canon)
            if key in results:
                continue
            g2c = np.array(canon, dtype=np.int64)
            if not np.any(np.cross(g1, g2c)):
                continue  # parallel planes: no crossed fringes
            len2 = math.sqrt(float(g2c @ gs @ g2c))
            cos = float(g1 @ gs @ g2c) / (len1 * len2)
            ang = math.degrees(math.acos(max(-1.0, min(1.0, cos))))
            ang = min(ang, 180.0 - ang)
            d2c = 1.0 / len2
            e1 = (d1 - d1c) / d1c
            e2 = (d2 - d2c) / d2c
            dphi = phi - ang
            score = _score(e1, e2, dphi, d_tol, phi_tol)
            zone = zone_axis(g1, g2c)
            claimed = None
            if zone_claim is not None:
                claimed = bool(int(g1 @ zone_claim) == 0 and int(g2c @ zone_claim) == 0)
            results[key] = FringeCandidate(
                hkl1=(int(g1[0]), int(g1[1]), int(g1[2])),
                hkl2=(int(g2c[0]), int(g2c[1]), int(g2c[2])),
                zone=zone,
                d1_calc_A=d1c,
                d2_calc_A=d2c,
                angle_calc_deg=ang,
                d1_misfit_percent=100.0 * e1,
                d2_misfit_percent=100.0 * e2,
                angle_misfit_deg=dphi,
                score=score,
                fits=bool(abs(e1) <= d_tol and abs(e2) <= d_tol and abs(dphi) <= phi_tol),
                in_claimed_zone=claimed,
            )
    ranked = sorted(results.values(), key=lambda c: (c.score, c.hkl1, c.hkl2))
    return ranked if max_candidates is None else ranked[: int(max_candidates)]


def lattice_from_fringes(
    system: str,
    hkl1: ArrayLike,
    hkl2: ArrayLike,
    d1_A: float,
    d2_A: float,
) -> Lattice | None:
    """The cell that two indexed spacings imply (cubic: least squares; tetragonal/hexagonal:
    exact), or ``None`` when the two planes cannot fix it (e.g. both ``(hk0)``).

    ``1/d^2`` is linear in ``(1/a^2, 1/c^2)``: tetragonal ``(h^2 + k^2, l^2)``, hexagonal
    ``(4/3 (h^2 + hk + k^2), l^2)``.
    """
    h1 = _as_index(hkl1, "hkl1")
    h2 = _as_index(hkl2, "hkl2")
    y = np.array([1.0 / _positive_length(d1_A, "d1") ** 2, 1.0 / _positive_length(d2_A, "d2") ** 2])
    if system == "cubic":
        n = np.array([float(h1 @ h1), float(h2 @ h2)])
        inv_a2 = float(n @ y / (n @ n))
        return Lattice.cubic(1.0 / math.sqrt(inv_a2))

    def row(h: NDArray[np.int64]) -> list[float]:
        hh, kk, ll = (float(v) for v in h)
        if system == "tetragonal":
            return [hh * hh + kk * kk, ll * ll]
        return [4.0 / 3.0 * (hh * hh + hh * kk + kk * kk), ll * ll]

    if system not in ("tetragonal", "hexagonal"):
        return None
    m = np.array([row(h1), row(h2)])
    if abs(np.linalg.det(m)) < 1e-9:
        return None
    inv_a2, inv_c2 = np.linalg.solve(m, y)
    if inv_a2 <= 0 or inv_c2 <= 0:
        return None
    a, c = 1.0 / math.sqrt(inv_a2), 1.0 / math.sqrt(inv_c2)
    return Lattice.tetragonal(a, c) if system == "tetragonal" else Lattice.hexagonal(a, c)


@dataclass(frozen=True)
class FringeCheck:
    """A stated fringe assignment checked against a lattice (see :func:`check_fringe_assignment`).

    ``findings`` are plain sentences, each starting with ``fits:`` or ``does not fit:``.
    """

    lattice: Lattice
    d_measured_A: tuple[float, float]
    angle_measured_deg: float
    hkl: tuple[tuple[int, int, int], tuple[int, int, int]]
    d_calc_A: tuple[float, float]
    d_misfit_percent: tuple[float, float]
    angle_calc_deg: float
    angle_misfit_deg: float
    pair_zone: tuple[int, int, int]
    claimed_zone: tuple[int, int, int] | None
    zone_law_sums: tuple[int, int] | None
    family_in_claimed_zone: tuple[bool, bool] | None
    claimed_zone_fringes: tuple[tuple[tuple[int, int, int], float], ...]
    best: tuple[FringeCandidate, ...]
    implied_lattice: Lattice | None
    d_tol_rel: float
    angle_tol_deg: float
    structure: str | int | None = None
    findings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def consistent(self) -> bool:
        """All findings fit."""
        return all(f.startswith("fits") for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        h1, h2 = self.hkl
        out: dict[str, Any] = {
            "lattice": self.lattice.label(),
            "hkl1": list(h1),
            "hkl2": list(h2),
            "d_measured_nm": [d / 10 for d in self.d_measured_A],
            "d_calc_nm": [d / 10 for d in self.d_calc_A],
            "d_misfit_percent": list(self.d_misfit_percent),
            "angle_measured_deg": self.angle_measured_deg,
            "angle_calc_deg": self.angle_calc_deg,
            "angle_misfit_deg": self.angle_misfit_deg,
            "pair_zone": list(self.pair_zone),
            "claimed_zone": None if self.claimed_zone is None else list(self.claimed_zone),
            "zone_law_sums": None if self.zone_law_sums is None else list(self.zone_law_sums),
            "family_in_claimed_zone": (
                None if self.family_in_claimed_zone is None else list(self.family_in_claimed_zone)
            ),
            "claimed_zone_fringes": [
                {"hkl": list(h), "d_nm": d / 10} for h, d in self.claimed_zone_fringes
            ],
            "best_candidates": [c.to_dict() for c in self.best],
            "implied_lattice": None
            if self.implied_lattice is None
            else {"a_A": self.implied_lattice.a_A, "c_A": self.implied_lattice.c_A},
            "structure": None if self.structure is None else str(self.structure),
            "d_tol_percent": 100 * self.d_tol_rel,
            "angle_tol_deg": self.angle_tol_deg,
            "consistent": self.consistent,
            "findings": list(self.findings),
        }
        return out


def check_fringe_assignment(
    lattice: Lattice,
    d_A: tuple[float, float],
    hkl: tuple[ArrayLike, ArrayLike],
    angle_deg: float,
    *,
    claimed_zone: ArrayLike | None = None,
    structure: str | int | None = None,
    d_tol_rel: float = DEFAULT_D_TOL_REL,
    angle_tol_deg: float = DEFAULT_ANGLE_TOL_DEG,
    n_best: int = 5,
) -> FringeCheck:
    """Check a published fringe assignment (two spacings, their indices, angle, zone axis).

    Reports, each as a finding that fits or does not fit: both spacings against the lattice;
    the angle between the stated planes against the measured one; whether the stated planes
    lie in the stated zone (zone law, also for any member of each plane's family) and which
    zone the pair actually defines; which fringes the stated zone can show at all. Also ranks
    the best alternative indexings (:func:`index_fringe_pair`) and, for tetragonal and
    hexagonal cells, the lattice the two spacings would imply.

    Examples
    --------
    The seed paper (Fig. 2h): d112 = 0.315 nm, d220 = 0.201 nm, 35 deg, [114], against
    chalcopyrite CuInS2 (a = 5.52, c = 11.1 A): d112 fits (-1.3 %), d220 does not (+3.0 %),
    the angle fits (35.1 deg), but (112) is not in the [114] zone (1 + 1 + 8 = 10); the pair
    defines the [1-10] zone.
    """
    d1, d2, phi = _check_measured(d_A[0], d_A[1], angle_deg)
    d_tol, phi_tol = _tolerances(d_tol_rel, angle_tol_deg)
    h1 = _as_index(hkl[0], "hkl1")
    h2 = _as_index(hkl[1], "hkl2")
    t1 = (int(h1[0]), int(h1[1]), int(h1[2]))
    t2 = (int(h2[0]), int(h2[1]), int(h2[2]))
    d1c = float(d_spacing_A(lattice, h1))
    d2c = float(d_spacing_A(lattice, h2))
    e1, e2 = (d1 - d1c) / d1c, (d2 - d2c) / d2c
    ang = interplanar_angle_deg(lattice, h1, h2, acute=True)
    dphi = phi - ang
    findings: list[str] = []
    name = lattice.name or lattice.label()
    for t, dm, dc, e in ((t1, d1, d1c, e1), (t2, d2, d2c, e2)):
        verdict = "fits" if abs(e) <= d_tol else "does not fit"
        findings.append(
            f"{verdict}: d{format_indices(t, '  ').strip()} measured {dm / 10:.4f} nm vs "
            f"{dc / 10:.4f} nm for {name} ({100 * e:+.1f} %, tolerance {100 * d_tol:.0f} %)"
        )
        if structure is not None and not reflection_allowed(t, structure):
            findings.append(
                f"does not fit: {format_indices(t)} is systematically absent in {structure}"
            )
    verdict = "fits" if abs(dphi) <= phi_tol else "does not fit"
    findings.append(
        f"{verdict}: angle between {format_indices(t1)} and {format_indices(t2)} is "
        f"{ang:.1f} deg vs {phi:.1f} deg measured ({dphi:+.1f} deg, tolerance {phi_tol:g} deg)"
    )
    pair_zone = zone_axis(h1, h2)
    zone_t = None
    sums = None
    fam_in = None
    zone_fringes: tuple[tuple[tuple[int, int, int], float], ...] = ()
    if claimed_zone is not None:
        z = _as_index(claimed_zone, "zone")
        zone_t = (int(z[0]), int(z[1]), int(z[2]))
        zs = format_indices(zone_t, "[]")
        sums = (int(h1 @ z), int(h2 @ z))
        ops = laue_operations(lattice.system)
        fam_in = tuple(bool(np.any((ops @ h) @ z == 0)) for h in (h1, h2))
        for t, s, fi in ((t1, sums[0], fam_in[0]), (t2, sums[1], fam_in[1])):
            ht = format_indices(t)
            if s == 0:
                findings.append(f"fits: {ht} lies in the {zs} zone (h u + k v + l w = 0)")
            else:
                other = (
                    "another member of its family does"
                    if fi
                    else "no member of its family does either"
                )
                findings.append(
                    f"does not fit: {ht} is not in the {zs} zone (h u + k v + l w = {s}); {other}"
                )
        pz = format_indices(pair_zone, "[]")
        if _reduce(zone_t) == pair_zone:
            findings.append(
                f"fits: the zone of {format_indices(t1)} and {format_indices(t2)} is {pz}"
            )
        else:
            findings.append(
                f"does not fit: {format_indices(t1)} and {format_indices(t2)} define the {pz} "
                f"zone, not {zs} (angle between the axes "
                f"{direction_angle_deg(lattice, pair_zone, zone_t):.1f} deg)"
            )
        d_min = min(d1, d2) * (1.0 - 0.10)
        zone_fringes = tuple(zone_reflections(lattice, zone_t, d_min, structure))
        near = [(h, d) for h, d in zone_fringes if any(abs(dm - d) <= d_tol * d for dm in (d1, d2))]
        listing = ", ".join(f"{format_indices(h)} {d / 10:.3f} nm" for h, d in zone_fringes[:4])
        if len(near) < 2:
            findings.append(
                f"does not fit: viewed along {zs} the allowed fringes with d >= "
                f"{d_min / 10:.3f} nm are {listing or 'none'}; they cannot give both measured "
                "spacings"
            )
        else:
            findings.append(f"fits: the {zs} zone shows fringes at {listing}")
    best = tuple(
        index_fringe_pair(
            d1,
            d2,
            phi,
            lattice,
            structure=structure,
            d_tol_rel=d_tol,
            angle_tol_deg=phi_tol,
            claimed_zone=claimed_zone,
            max_candidates=n_best,
        )
    )
    implied = lattice_from_fringes(lattice.system, h1, h2, d1, d2)
    if implied is not None and lattice.system == "tetragonal":
        ratio = implied.c_A / implied.a_A
        ref = lattice.c_A / lattice.a_A
        verdict = "fits" if abs(ratio - ref) <= 2 * d_tol * ref else "does not fit"
        findings.append(
            f"{verdict}: the two spacings alone imply a = {implied.a_A:.3f} A, "
            f"c = {implied.c_A:.3f} A (c/a = {ratio:.3f} vs {ref:.3f} for {name})"
        )
    return FringeCheck(
        lattice=lattice,
        d_measured_A=(d1, d2),
        angle_measured_deg=phi,
        hkl=(t1, t2),
        d_calc_A=(d1c, d2c),
        d_misfit_percent=(100 * e1, 100 * e2),
        angle_calc_deg=ang,
        angle_misfit_deg=dphi,
        pair_zone=pair_zone,
        claimed_zone=zone_t,
        zone_law_sums=sums,
        family_in_claimed_zone=fam_in,  # type: ignore[arg-type]
        claimed_zone_fringes=zone_fringes,
        best=best,
        implied_lattice=implied,
        d_tol_rel=d_tol,
        angle_tol_deg=phi_tol,
        structure=structure,
        findings=tuple(findings),
    )
