"""Unit cells of chalcopyrite CuInS2 and sphalerite ZnS, and Vegard's law between them.

Chalcopyrite CuInS2 (space group I-42d, No. 122, Z = 4) is a sphalerite superstructure: Cu on
4a (0, 0, 0), In on 4b (0, 0, 1/2), S on 8d (x, 1/4, 1/8). Each cation is tetrahedrally bonded
to four S; each S to two Cu and two In. Sphalerite ZnS (F-43m, No. 216) has the same
tetrahedral network with a single cation sublattice.

Zn alloying (composition convention)
------------------------------------
``zn_fraction`` is the **cation fraction** ``x = Zn / (Zn + Cu + In)``. For a stoichiometric
solid solution this is the same ``x`` as in ``(ZnS)_2x (CuInS2)_(1-x)`` = Zn_2x Cu_(1-x)
In_(1-x) S_2 (two cations per two S), so both readings agree. For Cu-poor dots (Cu/In < 1)
the cation-fraction definition is the one that is used throughout qdcat.

ZnS is mapped onto the tetragonal chalcopyrite cell as a doubled sphalerite cube, i.e.
``a = a_ZnS`` and ``c = 2 a_ZnS`` (tetragonal distortion ``c/2a = 1``). Vegard's law is then
applied to ``a`` and ``c`` separately (linear in ``x``):

    a(x) = (1 - x) a_CIS + x a_ZnS,     c(x) = (1 - x) c_CIS + x 2 a_ZnS.

References
----------
- CuInS2 lattice: a = 5.52 A, c = 11.1 A as used by the seed paper (its XRD, JCPDS 85-1575,
  a = 5.523 A, c = 11.141 A); S. C. Abrahams and J. L. Bernstein, "Piezoelectric nonlinear
  optic CuGaS2 and CuInS2 crystal structure: sublattice distortion and anion position",
  J. Chem. Phys. 59, 5415 (1973), doi:10.1063/1.1679891.
- S parameter x(8d) = 0.2295 for CuInS2: Abrahams & Bernstein (1973), same reference. With
  this value the model gives Cu-S = 2.331 A and In-S = 2.462 A (the shorter bond to Cu, as
  measured; x > 1/4 would swap them). A check: the bond-length rule
  ``x = 1/4 + (R_CuS^2 - R_InS^2)/a^2`` (J. E. Jaffe and A. Zunger, Phys. Rev. B 29, 1882
  (1984), doi:10.1103/PhysRevB.29.1882) with 2.335 / 2.464 A gives 0.2297.
- Sphalerite ZnS a = 5.41 A (5.4093 A; B. J. Skinner, Am. Mineral. 46, 1399 (1961);
  JCPDS 05-0566).
- Vegard's law: L. Vegard, Z. Phys. 5, 17 (1921), doi:10.1007/BF01349680.
"""

from __future__ import annotations

import math

import numpy as np
from ase import Atoms
from ase.spacegroup import crystal

from qdcat.core.errors import InputError

__all__ = [
    "CUINS2_A_A",
    "CUINS2_C_A",
    "CUINS2_SPACEGROUP",
    "CUINS2_SULFUR_X",
    "ZNS_A_A",
    "ZNS_SPACEGROUP",
    "chalcopyrite_cell",
    "sphalerite_cell",
    "vegard_lattice_A",
    "zn_fraction_from_lattice",
]

#: CuInS2 chalcopyrite lattice parameter a, Angstrom (Abrahams & Bernstein 1973; seed paper).
CUINS2_A_A: float = 5.52
#: CuInS2 chalcopyrite lattice parameter c, Angstrom (Abrahams & Bernstein 1973; seed paper).
CUINS2_C_A: float = 11.1
#: Fractional x of S on Wyckoff 8d (x, 1/4, 1/8) in I-42d (Abrahams & Bernstein 1973,
#: doi:10.1063/1.1679891). Gives Cu-S 2.331 A < In-S 2.462 A.
CUINS2_SULFUR_X: float = 0.2295
#: Sphalerite ZnS cubic lattice parameter, Angstrom (5.4093 A, Skinner 1961; JCPDS 05-0566).
ZNS_A_A: float = 5.41
#: Space-group number of chalcopyrite (I-42d).
CUINS2_SPACEGROUP: int = 122
#: Space-group number of sphalerite (F-43m).
ZNS_SPACEGROUP: int = 216


def _positive(value: float, field: str) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0.0:
        raise InputError(
            "lattice parameter must be a positive number of Angstrom",
            field=field,
            expected="a finite value > 0 (Angstrom)",
            found=value,
        )
    return v


def chalcopyrite_cell(
    a_A: float = CUINS2_A_A, c_A: float = CUINS2_C_A, x_S: float = CUINS2_SULFUR_X
) -> Atoms:
    """Conventional 16-atom chalcopyrite cell Cu4In4S8 (via :func:`ase.spacegroup.crystal`).

    Parameters
    ----------
    a_A, c_A:
        Tetragonal lattice parameters, Angstrom.
    x_S:
        Fractional x of S on 8d (x, 1/4, 1/8); 0.25 is the ideal (undistorted) anion position.

    Returns
    -------
    ase.Atoms
        Periodic cell; ``atoms.info['spacegroup']`` is 122. Cu on 4a, In on 4b, S on 8d.
    """
    a = _positive(a_A, "a_A")
    c = _positive(c_A, "c_A")
    x = float(x_S)
    if not (0.0 < x < 0.5):
        raise InputError(
            "sulfur parameter outside the chalcopyrite range",
            field="x_S",
            expected="0 < x_S < 0.5 (ideal 0.25)",
            found=x_S,
        )
    atoms = crystal(
        ["Cu", "In", "S"],
        basis=[(0.0, 0.0, 0.0), (0.0, 0.0, 0.5), (x, 0.25, 0.125)],
        spacegroup=CUINS2_SPACEGROUP,
        cellpar=[a, a, c, 90.0, 90.0, 90.0],
    )
    atoms.info["spacegroup_number"] = CUINS2_SPACEGROUP
    atoms.info["name"] = "CuInS2 chalcopyrite"
    return atoms


def sphalerite_cell(a_A: float = ZNS_A_A) -> Atoms:
    """Conventional 8-atom sphalerite ZnS cell, Zn on 4a and S on 4c (ase.spacegroup.crystal).

    Parameters
    ----------
    a_A:
        Cubic lattice parameter, Angstrom.
    """
    a = _positive(a_A, "a_A")
    atoms = crystal(
        ["Zn", "S"],
        basis=[(0.0, 0.0, 0.0), (0.25, 0.25, 0.25)],
        spacegroup=ZNS_SPACEGROUP,
        cellpar=[a, a, a, 90.0, 90.0, 90.0],
    )
    atoms.info["spacegroup_number"] = ZNS_SPACEGROUP
    atoms.info["name"] = "ZnS sphalerite"
    return atoms


def _check_fraction(zn_fraction: float) -> float:
    x = float(zn_fraction)
    if not math.isfinite(x) or x < 0.0 or x > 1.0:
        raise InputError(
            "Zn fraction must be a cation fraction Zn/(Zn+Cu+In) between 0 and 1",
            field="zn_fraction",
            expected="0 <= zn_fraction <= 1",
            found=zn_fraction,
        )
    return x


def vegard_lattice_A(zn_fraction: float) -> tuple[float, float]:
    """Lattice parameters (a, c) in Angstrom of Zn-alloyed chalcopyrite by Vegard's law.

    Parameters
    ----------
    zn_fraction:
        Cation fraction x = Zn/(Zn+Cu+In), 0..1 (x in (ZnS)_2x(CuInS2)_(1-x)).

    Returns
    -------
    (a_A, c_A):
        ``a = (1-x) 5.52 + x 5.41`` and ``c = (1-x) 11.1 + x 2*5.41`` Angstrom (ZnS mapped to the
        tetragonal cell with c = 2a).
    """
    x = _check_fraction(zn_fraction)
    a = (1.0 - x) * CUINS2_A_A + x * ZNS_A_A
    c = (1.0 - x) * CUINS2_C_A + x * 2.0 * ZNS_A_A
    return a, c


def zn_fraction_from_lattice(a_A: float | None = None, c_A: float | None = None) -> float:
    """Inverse Vegard's law: Zn cation fraction from a measured a and/or c (Angstrom).

    With one parameter the linear law is inverted directly; with both, the least-squares x
    of the two linear equations (weighted equally in Angstrom) is returned. The result is not
    clipped: values outside 0..1 mean the lattice lies outside the CuInS2-ZnS line (e.g. a
    d-spacing that fits neither end member), and are returned as such so that callers can say so.

    Parameters
    ----------
    a_A, c_A:
        Measured tetragonal lattice parameters, Angstrom (at least one).

    Returns
    -------
    float
        x = Zn/(Zn+Cu+In).
    """
    if a_A is None and c_A is None:
        raise InputError(
            "need at least one lattice parameter",
            field="a_A/c_A",
            expected="a_A and/or c_A in Angstrom",
            found=None,
            has_found=True,
        )
    rows: list[tuple[float, float]] = []  # (slope, rhs) of  slope * x = rhs
    if a_A is not None:
        a = _positive(a_A, "a_A")
        rows.append((ZNS_A_A - CUINS2_A_A, a - CUINS2_A_A))
    if c_A is not None:
        c = _positive(c_A, "c_A")
        rows.append((2.0 * ZNS_A_A - CUINS2_C_A, c - CUINS2_C_A))
    slopes = np.array([r[0] for r in rows])
    rhs = np.array([r[1] for r in rows])
    return float(np.dot(slopes, rhs) / np.dot(slopes, slopes))
