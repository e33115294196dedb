"""XPS spectra: one container, one reader for VAMAS and text exports, checks of bad input.

:func:`read_xps` reads

* VAMAS files (``.vms``, ``.npl``; :func:`qdcat.io.vamas.read_vamas`), one block chosen by index
  or name (default: the only block, or the one whose species/transition matches ``region``);
* text tables (:func:`qdcat.io.read_frame` dialects) with a binding-energy column
  (``binding_energy_eV``, ``BE_eV``, ``energy_eV``, ``binding_energy``) or a kinetic-energy
  column (``kinetic_energy_eV``, ``KE_eV``; converted with ``photon_energy_eV``:
  ``BE = hv - KE - work_function``), and a signal column (``counts``, ``intensity``,
  ``cps``, ``counts_s``, ...). A headerless two-column file is binding energy and counts unless
  ``energy="kinetic"`` is given.

The spectrum is returned on a strictly *ascending* binding-energy axis (descending exports,
the usual XPS order, are reversed). Refused with an :class:`~qdcat.core.errors.InputError` that
names the file and the column: energies that repeat or change direction, non-finite values,
negative counts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import InputError
from qdcat.io.vamas import CasaInfo, VamasBlock, read_vamas

__all__ = ["XpsSpectrum", "make_spectrum", "read_xps"]

Array = NDArray[np.float64]

_BE_KEYS = ("binding_energy_eV", "BE_eV", "be_eV", "binding_energy", "energy_eV", "BE", "be")
_KE_KEYS = ("kinetic_energy_eV", "KE_eV", "ke_eV", "kinetic_energy", "E_kin_eV", "KE", "ke")
_Y_KEYS = (
    "counts",
    "count",
    "intensity",
    "intensity_cps",
    "cps",
    "CPS",
    "counts_s",
    "count_rate",
    "signal",
    "y",
)


@dataclass(frozen=True)
class XpsSpectrum:
    """One XPS spectrum on an ascending binding-energy axis.

    Attributes
    ----------
    binding_energy_eV:
        Strictly ascending, eV.
    counts:
        Signal at each energy (counts, or counts per second for count-rate exports).
    label:
        Name for plots and reports.
    source_file:
        Where it came from (``None`` for simulated data).
    photon_energy_eV:
        Excitation energy when known.
    casa:
        CasaXPS regions/components of a VAMAS block (energies on the file's scale).
    metadata:
        Anything else (block id, species, energy shift applied, ...).
    """

    binding_energy_eV: Array
    counts: Array
    label: str = ""
    source_file: str | None = None
    photon_energy_eV: float | None = None
    casa: CasaInfo = field(default_factory=CasaInfo)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def step_eV(self) -> float:
        return float(np.median(np.diff(self.binding_energy_eV)))

    def window(self, lo_eV: float, hi_eV: float) -> XpsSpectrum:
        """The part between ``lo_eV`` and ``hi_eV`` (inclusive)."""
        m = (self.binding_energy_eV >= lo_eV) & (self.binding_energy_eV <= hi_eV)
        return replace(self, binding_energy_eV=self.binding_energy_eV[m], counts=self.counts[m])

    def shifted(self, shift_eV: float) -> XpsSpectrum:
        """The spectrum with ``shift_eV`` added to every binding energy (charge correction)."""
        md = dict(self.metadata)
        md["energy_shift_eV"] = float(md.get("energy_shift_eV", 0.0)) + float(shift_eV)
        return replace(self, binding_energy_eV=self.binding_energy_eV + shift_eV, metadata=md)


def make_spectrum(
    binding_energy_eV: ArrayLike,
    counts: ArrayLike,
    *,
    label: str = "",
    source_file: str | os.PathLike[str] | None = None,
    photon_energy_eV: float | None = None,
    allow_negative: bool = False,
    energy_field: str = "binding_energy_eV",
    counts_field: str = "counts",
    lines: ArrayLike | None = None,
    casa: CasaInfo | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> XpsSpectrum:
    """Check the arrays and build an :class:`XpsSpectrum` (ascending energies).

    ``lines`` (1-based file line of each point) lets errors point at the offending line.
    Raises :class:`InputError` for unequal lengths, fewer than 5 points, non-finite values,
    repeated energies, energies that change direction, or negative counts (unless
    ``allow_negative``).
    """
    src = str(source_file) if source_file is not None else None
    x = np.asarray(binding_energy_eV, dtype=float).ravel()
    y = np.asarray(counts, dtype=float).ravel()
    ln = None if lines is None else np.asarray(lines).ravel()

    def where(i: int) -> int | None:
        return int(ln[i]) if ln is not None and 0 <= i < ln.size else None

    if x.size != y.size:
        raise InputError(
            "energies and counts differ in length",
            file=src,
            field=f"{energy_field}, {counts_field}",
            expected="one count per energy",
            found=(x.size, y.size),
        )
    if x.size < 5:
        raise InputError(
            "too few points for an XPS spectrum",
            file=src,
            field=energy_field,
            expected="at least 5 points",
            found=int(x.size),
        )
    for arr, name in ((x, energy_field), (y, counts_field)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InputError(
                "non-finite value (NaN or infinity)",
                file=src,
                line=where(bad[0]),
                field=name,
                expected="finite numbers",
                found=float(arr[bad[0]]),
            )
    dx = np.diff(x)
    dup = np.flatnonzero(dx == 0)
    if dup.size:
        i = int(dup[0])
        raise InputError(
            f"duplicated energy at points {i + 1} and {i + 2}",
            file=src,
            line=where(i + 1),
            field=energy_field,
            expected="strictly increasing or strictly decreasing energies",
            found=float(x[i]),
        )
    if not (np.all(dx > 0) or np.all(dx < 0)):
        turn = int(np.flatnonzero(np.sign(dx) != np.sign(dx[0]))[0])
        direction = "descending" if dx[0] > 0 else "ascending"
        raise InputError(
            f"energies turn {direction} at point {turn + 2}",
            file=src,
            line=where(turn + 1),
            field=energy_field,
            expected="one direction throughout (strictly increasing or strictly decreasing)",
            found=[float(v) for v in x[turn : turn + 3]],
        )
    if not allow_negative:
        neg = np.flatnonzero(y < 0)
        if neg.size:
            raise InputError(
                f"{neg.size} negative count(s), first at point {int(neg[0]) + 1}",
                file=src,
                line=where(int(neg[0])),
                field=counts_field,
                expected="counts >= 0 (raw counts, not background-subtracted data)",
                found=float(y[neg[0]]),
            )
    if dx[0] < 0:
        x, y = x[::-1].copy(), y[::-1].copy()
    return XpsSpectrum(
        binding_energy_eV=x,
        counts=y,
        label=label,
        source_file=src,
        photon_energy_eV=photon_energy_eV,
        casa=casa or CasaInfo(),
        metadata=dict(metadata or {}),
    )


def _pick_block(path: Path, blocks: tuple[VamasBlock, ...], block, region) -> VamasBlock:
    from qdcat.io.vamas import VamasFile  # noqa: F401 - documentation of the type

    if block is not None:
        if isinstance(block, int) or str(block).strip().lstrip("-").isdigit():
            i = int(block)
            if -len(blocks) <= i < len(blocks):
                return blocks[i]
            raise InputError(
                "no such block",
                file=path,
                field="block",
                expected=f"an index 0..{len(blocks) - 1}",
                found=block,
            )
        key = str(block).strip().lower()
        for b in blocks:
            names = {
                b.block_id.strip().lower(),
                b.sample_id.strip().lower(),
                b.name.lower(),
                f"{b.species} {b.transition}".strip().lower(),
            }
            if key in names:
                return b
        raise InputError(
            "no block with this name",
            file=path,
            field="block",
            expected="one of " + ", ".join(repr(b.name) for b in blocks),
            found=block,
        )
    if len(blocks) == 1:
        return blocks[0]
    if region:
        key = region.replace(" ", "").lower()
        hits = [
            b
            for b in blocks
            if key in f"{b.species}{b.transition}".replace(" ", "").lower()
            or key in b.block_id.replace(" ", "").lower()
        ]
        if len(hits) == 1:
            return hits[0]
    raise InputError(
        f"the file holds {len(blocks)} blocks; say which one",
        file=path,
        field="block",
        expected="--block INDEX or NAME: "
        + ", ".join(f"{i}: {b.name}" for i, b in enumerate(blocks)),
        found=None,
        has_found=False,
    )


def _pick_column(columns: list[str], keys: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for k in keys:
        if k in columns:
            return k
        if k.lower() in lower:
            return lower[k.lower()]
    return None


def read_xps(
    path: str | os.PathLike[str],
    *,
    block: int | str | None = None,
    region: str | None = None,
    energy: Literal["binding", "kinetic"] | None = None,
    photon_energy_eV: float | None = None,
    work_function_eV: float = 0.0,
    allow_negative: bool = False,
) -> XpsSpectrum:
    """Read an XPS spectrum from a VAMAS file or a text table (see the module notes).

    Parameters
    ----------
    path:
        ``.vms``/``.npl`` (VAMAS) or a text table.
    block:
        VAMAS block index (0-based) or block id / sample id / ``"Cu 2p"``.
    region:
        For a multi-block VAMAS file without ``block``: pick the block whose species and
        transition contain this text (e.g. ``"Cu2p"``).
    energy:
        For text tables: force the meaning of the energy column (``"kinetic"`` needs
        ``photon_energy_eV``).
    photon_energy_eV:
        Excitation energy (eV), for kinetic-energy data; overrides a VAMAS block's.
    work_function_eV:
        Subtracted when converting kinetic energies of a *text table* (0 by default; VAMAS
        kinetic energies are taken as Fermi-level referenced).
    allow_negative:
        Accept negative signal values (background-subtracted data).
    """
    p = Path(path)
    if p.suffix.lower() in (".vms", ".npl"):
        vf = read_vamas(p)
        b = _pick_block(p, vf.blocks, block, region)
        be = b.binding_energy_eV(photon_energy_eV)
        label_y = next(iter(b.variables))
        return make_spectrum(
            be,
            b.counts,
            label=b.name,
            source_file=p,
            photon_energy_eV=photon_energy_eV or b.source_energy_eV,
            allow_negative=allow_negative,
            energy_field=f"block {b.name!r}: {b.abscissa_label}",
            counts_field=f"block {b.name!r}: {label_y}",
            casa=b.casa,
            metadata={
                "format": "vamas",
                "block": b.name,
                "species": b.species,
                "transition": b.transition,
                "abscissa": b.abscissa_label,
                "technique": b.technique,
                "n_scans": b.n_scans,
                "pass_energy_eV": b.pass_energy_eV,
            },
        )
    from qdcat.io.tables import read_frame

    df = read_frame(p)
    columns = [str(c) for c in df.columns]
    headerless = df.attrs.get("header_line") is None
    x_key = None
    kind = energy
    if not headerless:
        be_key = _pick_column(columns, _BE_KEYS)
        ke_key = _pick_column(columns, _KE_KEYS)
        if energy == "kinetic" and ke_key is None and be_key is None:
            x_key = columns[0]
        elif energy == "kinetic":
            x_key = ke_key or be_key
        elif be_key is not None and energy != "kinetic":
            x_key, kind = be_key, "binding"
        elif ke_key is not None:
            x_key, kind = ke_key, "kinetic"
    if x_key is None:
        if not headerless and energy is None:
            raise InputError(
                "no energy column",
                file=p,
                field="columns",
                expected="'binding_energy_eV' or 'kinetic_energy_eV' (and a counts column)",
                found=columns,
            )
        x_key = columns[0]
        kind = kind or "binding"
    rest = [c for c in columns if c != x_key]
    y_key = _pick_column(rest, _Y_KEYS) or (rest[0] if len(rest) == 1 else None)
    if y_key is None:
        raise InputError(
            "cannot tell which column holds the counts",
            file=p,
            field="columns",
            expected="a column named 'counts' or 'intensity' (or only two columns)",
            found=columns,
        )
    xv = df[x_key].to_numpy(dtype=float)
    if kind == "kinetic":
        if photon_energy_eV is None:
            raise InputError(
                "kinetic energies need the photon energy",
                file=p,
                field=x_key,
                expected="photon_energy_eV (e.g. 1486.6 for Al K-alpha)",
                found=None,
                has_found=False,
            )
        xv = photon_energy_eV - xv - work_function_eV
    return make_spectrum(
        xv,
        df[y_key].to_numpy(dtype=float),
        label=p.stem,
        source_file=p,
        photon_energy_eV=photon_energy_eV,
        allow_negative=allow_negative,
        energy_field=x_key,
        counts_field=y_key,
        lines=df.index.to_numpy(),
        metadata={
            "format": "text",
            "energy_column": x_key,
            "counts_column": y_key,
            "energy_scale": kind,
        },
    )
