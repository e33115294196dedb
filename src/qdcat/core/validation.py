"""Checks of 1-D measured axes and values, shared by the analyses that take spectra and traces.

Each raises :class:`~qdcat.core.errors.InputError` naming the axis, what was expected and the
first offending value, so every analysis reports the same problem in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from os import PathLike

import numpy as np
from numpy.typing import NDArray

from qdcat.core.errors import InputError

__all__ = ["energy_window", "require_finite", "require_strictly_monotonic"]


def require_finite(arr: NDArray, label: str) -> None:
    """Every value of ``arr`` is finite (no NaN, no infinity)."""
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{int(bad.sum())} non-finite value(s) (NaN or infinity), first at index {idx}",
            field=label,
            expected="finite numbers (drop or interpolate missing points first)",
            found=float(arr[idx]),
        )


def require_strictly_monotonic(x: NDArray, dim: str) -> None:
    """``x`` strictly increases or strictly decreases (no repeated value, no turn)."""
    if x.size < 2:
        return
    dx = np.diff(x)
    if np.any(dx == 0):
        idx = int(np.flatnonzero(dx == 0)[0])
        raise InputError(
            f"duplicated {dim} value at indices {idx} and {idx + 1}",
            field=dim,
            expected="strictly increasing or strictly decreasing values",
            found=float(x[idx]),
        )
    if not (np.all(dx > 0) or np.all(dx < 0)):
        idx = int(np.flatnonzero(np.sign(dx) != np.sign(dx[0]))[0])
        raise InputError(
            f"{dim} is not monotonic (direction changes at index {idx + 1})",
            field=dim,
            expected="strictly increasing or strictly decreasing values",
            found=[float(v) for v in x[idx : idx + 3]],
        )


def energy_window(
    energy_eV: NDArray,
    energy_range_eV: Sequence[float] | None,
    *,
    min_points: int,
    file: str | PathLike[str] | None = None,
) -> NDArray[np.bool_]:
    """Mask of the points of ``energy_eV`` inside ``energy_range_eV`` (all when ``None``).

    The range must be two finite numbers with ``0 < low < high`` and hold at least
    ``min_points`` points of the spectrum; otherwise :class:`InputError` naming
    ``energy_range_eV`` (and ``file``).
    """
    energy_eV = np.asarray(energy_eV, dtype=float)
    if energy_range_eV is None:
        return np.ones(energy_eV.size, dtype=bool)
    try:
        lo, hi = (float(v) for v in energy_range_eV)
    except (TypeError, ValueError):
        lo = hi = float("nan")
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
        raise InputError(
            "energy range must be finite with 0 < low < high",
            file=file,
            field="energy_range_eV",
            expected="(low_eV, high_eV) with 0 < low < high",
            found=energy_range_eV,
        )
    sel = (lo <= energy_eV) & (energy_eV <= hi)
    if int(sel.sum()) < min_points:
        raise InputError(
            "the energy range holds too few points of the spectrum",
            file=file,
            field="energy_range_eV",
            expected=f"at least {min_points} points between the limits (the spectrum spans "
            f"{energy_eV.min():.3f}-{energy_eV.max():.3f} eV)",
            found=energy_range_eV,
        )
    return sel
