"""Write dots through :func:`ase.io.write`: extxyz, CIF and POSCAR (VASP).

extxyz keeps the per-atom arrays (``kv`` Kroger-Vink label, ``site`` sublattice, ``oxidation``
state) and ``atoms.info``; CIF and POSCAR keep symbols and positions only. A finite dot has no
lattice: for CIF and POSCAR it is put in a cubic box with ``vacuum_A`` of empty space on every
side (the box is what those formats need; it is not a crystal cell). Files are written
atomically (:func:`qdcat.core.atomic.atomic_write_text`): complete or not at all.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import write

from qdcat.core.atomic import atomic_write_bytes, atomic_write_text
from qdcat.core.errors import InputError

__all__ = ["FORMATS", "format_from_suffix", "write_dot"]

#: Output format -> ase.io format name.
FORMATS: dict[str, str] = {"extxyz": "extxyz", "cif": "cif", "poscar": "vasp"}
_SUFFIXES = {".xyz": "extxyz", ".extxyz": "extxyz", ".cif": "cif", ".vasp": "poscar"}


def format_from_suffix(path: str | Path) -> str:
    """``extxyz`` for .xyz/.extxyz, ``cif`` for .cif, ``poscar`` for .vasp or a POSCAR name."""
    p = Path(path)
    if p.name.upper().startswith(("POSCAR", "CONTCAR")):
        return "poscar"
    fmt = _SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(
            "cannot tell the structure format from the file name",
            field="path",
            expected=".xyz, .extxyz, .cif, .vasp or POSCAR",
            found=p.name,
        )
    return fmt


def _boxed(atoms: Atoms, vacuum_A: float) -> Atoms:
    out = atoms.copy()
    span = np.ptp(out.get_positions(), axis=0).max() if len(out) else 0.0
    side = span + 2 * vacuum_A
    out.set_cell([side, side, side])
    out.center()
    out.pbc = False
    return out


def write_dot(
    atoms: Atoms, path: str | Path, fmt: str | None = None, *, vacuum_A: float = 10.0
) -> Path:
    """Write ``atoms`` to ``path`` as extxyz, CIF or POSCAR (from the suffix unless ``fmt``).

    Returns the path written.
    """
    p = Path(path)
    fmt = fmt or format_from_suffix(p)
    if fmt not in FORMATS:
        raise InputError(
            "unknown structure format", field="fmt", expected=", ".join(FORMATS), found=fmt
        )
    if vacuum_A < 0:
        raise InputError("vacuum must be >= 0", field="vacuum_A", expected=">= 0", found=vacuum_A)
    if not p.resolve().parent.is_dir():
        raise InputError(
            "folder does not exist",
            field="path",
            expected="an existing folder",
            found=str(p.parent),
        )
    obj = atoms if fmt == "extxyz" else _boxed(atoms, vacuum_A)
    if fmt != "extxyz":
        obj = Atoms(
            obj.get_chemical_symbols(),
            positions=obj.get_positions(),
            cell=obj.cell,
            pbc=fmt == "poscar",
        )
    if fmt == "cif":  # ase's CIF writer needs a binary stream
        bbuf = io.BytesIO()
        write(bbuf, obj, format="cif")
        atomic_write_bytes(p, bbuf.getvalue())
        return p
    buf = io.StringIO()
    if fmt == "poscar":
        write(buf, obj, format="vasp", direct=False, sort=False)
    else:
        write(buf, obj, format="extxyz")
    atomic_write_text(p, buf.getvalue())
    return p
