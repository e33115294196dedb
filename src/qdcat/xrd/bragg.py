"""Bulk powder stick patterns: Bragg angles, structure factors, multiplicities, Lp factor.

For a periodic cell (:class:`ase.Atoms`, e.g. :func:`qdcat.structure.lattice.chalcopyrite_cell`)
every reflection ``hkl`` with ``d >= lambda / 2`` (inside the requested 2-theta range) gets

    F(hkl) = sum_j f_j(s) exp(-B_j s^2) exp(2 pi i (h x_j + k y_j + l z_j)),   s = 1/(2d),

and a powder line of intensity ``m |F|^2 Lp(theta)`` with the Lorentz-polarisation factor of
an unpolarised beam in Bragg-Brentano geometry

    Lp = (1 + cos^2 2theta) / (sin^2 theta cos theta)

(International Tables for Crystallography Vol. C, section 6.2.5). Reflections are grouped
into lines by equal d (to 1e-5 A) so that families that coincide by symmetry *or* by
metric (in a cubic cell (333) and (511)) form one line; the multiplicity ``m`` is the number
of ``hkl`` in the line, each with its own ``|F|^2`` summed. Intensities are scaled to 100 for
the strongest line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import InputError
from qdcat.structure.crystallography import Lattice, d_spacing_A, family, format_indices
from qdcat.xrd.form_factors import CU_KA1_A, form_factor

__all__ = [
    "Reflection",
    "d_from_two_theta_A",
    "lorentz_polarisation",
    "stick_pattern",
    "structure_factor",
    "two_theta_from_d_deg",
]


def two_theta_from_d_deg(d_A: ArrayLike, wavelength_A: float = CU_KA1_A) -> NDArray[np.float64]:
    """Bragg angle 2-theta (degrees) of spacing ``d`` (Angstrom): ``lambda = 2 d sin(theta)``.

    NaN where ``d < lambda/2`` (no reflection).
    """
    x = float(wavelength_A) / (2.0 * np.asarray(d_A, dtype=float))
    with np.errstate(invalid="ignore"):
        return 2.0 * np.degrees(np.arcsin(np.where(x <= 1.0, x, np.nan)))


def d_from_two_theta_A(
    two_theta_deg: ArrayLike, wavelength_A: float = CU_KA1_A
) -> NDArray[np.float64]:
    """Spacing ``d = lambda / (2 sin(theta))``, Angstrom, of a 2-theta angle in degrees."""
    tt = np.asarray(two_theta_deg, dtype=float)
    if np.any(~np.isfinite(tt)) or np.any(tt <= 0) or np.any(tt >= 180):
        raise InputError(
            "two-theta must lie between 0 and 180 degrees",
            field="two_theta_deg",
            expected="0 < 2theta < 180",
            found=tt.tolist() if tt.ndim else float(tt),
        )
    return float(wavelength_A) / (2.0 * np.sin(np.radians(tt / 2.0)))


def lorentz_polarisation(two_theta_deg: ArrayLike) -> NDArray[np.float64]:
    """Powder Lorentz-polarisation factor ``(1 + cos^2 2theta)/(sin^2 theta cos theta)``."""
    tt = np.radians(np.asarray(two_theta_deg, dtype=float))
    th = tt / 2.0
    return (1.0 + np.cos(tt) ** 2) / (np.sin(th) ** 2 * np.cos(th))


def structure_factor(cell: Any, hkl: ArrayLike, *, b_iso_A2: float = 0.0) -> NDArray[np.complex128]:
    """Structure factors ``F(hkl)`` (electrons) of a periodic cell for an ``(N, 3)`` index array.

    Form factors at ``s = 1/(2 d)`` (Waasmaier-Kirfel); ``b_iso_A2`` is one isotropic
    Debye-Waller parameter for all atoms.
    """
    h = np.atleast_2d(np.asarray(hkl, dtype=float))
    lattice = Lattice.from_atoms(cell)
    d = np.atleast_1d(d_spacing_A(lattice, h.astype(np.int64)))
    s = 1.0 / (2.0 * d)
    frac = np.asarray(cell.get_scaled_positions(wrap=True), dtype=float)
    symbols = np.array(cell.get_chemical_symbols())
    phase = np.exp(2j * np.pi * h @ frac.T)  # (N, atoms)
    out = np.zeros(h.shape[0], dtype=complex)
    for e in np.unique(symbols):
        mask = symbols == e
        f = form_factor(str(e), s) * np.exp(-float(b_iso_A2) * s * s)
        out += f * phase[:, mask].sum(axis=1)
    return out


@dataclass(frozen=True)
class Reflection:
    """One powder line of a stick pattern."""

    hkl: tuple[int, int, int]
    """Representative indices (the family of the strongest member)."""
    d_A: float
    two_theta_deg: float
    multiplicity: int
    f_squared: float
    """Mean ``|F|^2`` over the members of the line, electrons^2."""
    intensity: float
    """Relative intensity, 100 for the strongest line."""
    members: tuple[tuple[int, int, int], ...] = ()
    """Family representatives that share this line (e.g. (204) and (220) only when c = 2a)."""

    @property
    def label(self) -> str:
        return "/".join(format_indices(m) for m in self.members) or format_indices(self.hkl)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hkl": list(self.hkl),
            "label": self.label,
            "d_A": self.d_A,
            "two_theta_deg": self.two_theta_deg,
            "multiplicity": self.multiplicity,
            "f_squared": self.f_squared,
            "intensity": self.intensity,
        }


def stick_pattern(
    cell: Any,
    *,
    wavelength_A: float = CU_KA1_A,
    two_theta_range_deg: tuple[float, float] = (10.0, 80.0),
    b_iso_A2: float = 0.0,
    min_intensity: float = 0.05,
    lorentz_polarisation_factor: bool = True,
) -> list[Reflection]:
    """Powder stick pattern of a periodic cell (kinematic, see the module documentation).

    Parameters
    ----------
    cell:
        :class:`ase.Atoms` with a unit cell (e.g. ``chalcopyrite_cell()``).
    wavelength_A:
        X-ray wavelength, Angstrom (default Cu K-alpha1).
    two_theta_range_deg:
        Lines inside this window are returned.
    b_iso_A2:
        Isotropic Debye-Waller parameter, Angstrom^2.
    min_intensity:
        Drop lines weaker than this (relative, 100 = strongest); 0 keeps every allowed line
        with a non-zero structure factor.
    lorentz_polarisation_factor:
        Apply ``Lp`` (default); ``False`` gives ``m |F|^2`` only.

    Returns
    -------
    list of Reflection, by increasing 2-theta.
    """
    lo, hi = sorted(float(v) for v in two_theta_range_deg)
    if not (0.0 < lo < hi < 180.0):
        raise InputError(
            "two-theta range must lie inside 0-180 degrees",
            field="two_theta_range_deg",
            expected="0 < low < high < 180",
            found=two_theta_range_deg,
        )
    lattice = Lattice.from_atoms(cell)
    lam = float(wavelength_A)
    d_min = lam / (2.0 * math.sin(math.radians(hi / 2.0)))
    hm = int(lattice.a_A / d_min) + 1
    km = int(lattice.b_A / d_min) + 1
    lm = int(lattice.c_A / d_min) + 1
    grid = np.mgrid[-hm : hm + 1, -km : km + 1, -lm : lm + 1].reshape(3, -1).T
    grid = grid[np.any(grid != 0, axis=1)]
    d = np.asarray(d_spacing_A(lattice, grid))
    tt = two_theta_from_d_deg(d, lam)
    keep = np.isfinite(tt) & (tt >= lo) & (tt <= hi)
    grid, d, tt = grid[keep], d[keep], tt[keep]
    f2 = np.abs(structure_factor(cell, grid, b_iso_A2=b_iso_A2)) ** 2
    scale = float(f2.max()) if f2.size else 0.0
    nonzero = f2 > 1e-8 * max(scale, 1e-30)
    grid, d, tt, f2 = grid[nonzero], d[nonzero], tt[nonzero], f2[nonzero]
    key = np.round(d, 5)
    lines = []
    system = lattice.system
    for kval in np.unique(key)[::-1]:
        sel = key == kval
        members = grid[sel]
        fam: dict[tuple[int, int, int], float] = {}
        for h, f in zip(members, f2[sel], strict=True):
            rep = family(h, system)
            fam[rep] = fam.get(rep, 0.0) + float(f)
        strongest = max(fam, key=lambda r: fam[r])
        two_theta = float(np.mean(tt[sel]))
        total = float(f2[sel].sum())
        lp = float(lorentz_polarisation(two_theta)) if lorentz_polarisation_factor else 1.0
        lines.append(
            (
                strongest,
                float(np.mean(d[sel])),
                two_theta,
                int(sel.sum()),
                total / int(sel.sum()),
                total * lp,
                tuple(sorted(fam, key=lambda r: -fam[r])),
            )
        )
    if not lines:
        return []
    top = max(line[5] for line in lines)
    out = [
        Reflection(
            hkl=line[0],
            d_A=line[1],
            two_theta_deg=line[2],
            multiplicity=line[3],
            f_squared=line[4],
            intensity=100.0 * line[5] / top,
            members=line[6],
        )
        for line in lines
    ]
    out = [r for r in out if r.intensity >= float(min_intensity)]
    return sorted(out, key=lambda r: r.two_theta_deg)
