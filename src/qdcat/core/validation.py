"""Checks of 1-D measured axes and values, shared by the analyses that take spectra and traces.

Each raises :class:`~qdcat.core.errors.InputError` naming the axis, what was expected and the
first offending value, so every analysis reports the same problem in the same words.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from qdcat.core.errors import InputError

__all__ = ["require_finite", "require_strictly_monotonic"]


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
