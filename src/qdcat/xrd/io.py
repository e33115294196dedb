"""Reading measured powder patterns (two-theta in degrees, intensity)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from qdcat.core.errors import InputError

__all__ = ["load_pattern"]

_TWO_THETA_NAMES = ("two_theta", "2theta", "2_theta", "tth", "2th", "twotheta")
_INTENSITY_NAMES = ("intensity", "counts", "cps", "i", "y", "signal")


def load_pattern(path: str | os.PathLike[str]) -> xr.DataArray:
    """Read a powder pattern: a table with a two-theta column (degrees) and an intensity column.

    The two-theta column is recognised by its header (``two_theta_deg``, ``2theta (deg)``,
    ``2Theta``, ``tth``...; degrees, or no unit); the intensity column is the other column of a
    two-column table, or the one named ``intensity``/``counts``/``cps``. Two-theta must be
    strictly increasing and every value finite.

    Returns
    -------
    xarray.DataArray
        ``intensity`` over ``two_theta_deg``; ``attrs['source_file']``.

    Raises
    ------
    InputError
        Naming the file: no two-theta column, a unit other than degrees, two-theta not strictly
        increasing, non-finite values, fewer than 10 points.
    """
    from qdcat.io import read_frame

    p = Path(path)
    frame = read_frame(p)
    units: dict[str, str] = frame.attrs.get("units", {})
    quantities: dict[str, str] = frame.attrs.get("quantities", {})
    columns = [str(c) for c in frame.columns]

    def norm(key: str) -> str:
        return quantities.get(key, key).lower().replace("-", "_").replace(" ", "")

    x_key = next((c for c in columns if norm(c) in _TWO_THETA_NAMES), None)
    if x_key is None:
        raise InputError(
            "no two-theta column",
            file=p,
            field="columns",
            expected="a column named two_theta_deg (or '2theta (deg)')",
            found=columns,
        )
    unit = units.get(x_key, "")
    if unit not in ("", "deg", "°"):
        raise InputError(
            "two-theta must be given in degrees",
            file=p,
            field=x_key,
            expected="degrees (two_theta_deg)",
            found=unit,
        )
    others = [c for c in columns if c != x_key]
    y_key = next((c for c in others if norm(c) in _INTENSITY_NAMES), None)
    if y_key is None and len(others) == 1:
        y_key = others[0]
    if y_key is None:
        raise InputError(
            "cannot tell which column is the intensity",
            file=p,
            field="columns",
            expected="a column named 'intensity' (or exactly two columns)",
            found=columns,
        )
    x = frame[x_key].to_numpy(dtype=float)
    y = frame[y_key].to_numpy(dtype=float)
    lines = [int(i) for i in frame.index]
    for key, values in ((x_key, x), (y_key, y)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise InputError(
                f"{bad.size} missing or non-finite value(s)",
                file=p,
                line=lines[bad[0]],
                field=key,
                expected="a finite number in every row",
                found=float(values[bad[0]]),
            )
    if x.size < 10:
        raise InputError(
            "too few points for a powder pattern",
            file=p,
            field=x_key,
            expected="at least 10 rows",
            found=int(x.size),
        )
    dx = np.diff(x)
    if np.any(dx <= 0):
        i = int(np.flatnonzero(dx <= 0)[0])
        raise InputError(
            "two-theta is not strictly increasing"
            + (" (the file is in descending order)" if np.all(dx < 0) else ""),
            file=p,
            line=lines[i + 1],
            field=x_key,
            expected="strictly increasing two-theta values",
            found=[float(x[i]), float(x[i + 1])],
        )
    if x[0] <= 0 or x[-1] >= 180:
        raise InputError(
            "two-theta outside 0-180 degrees",
            file=p,
            field=x_key,
            expected="0 < 2theta < 180 degrees",
            found=[float(x[0]), float(x[-1])],
        )
    return xr.DataArray(
        y,
        dims=("two_theta_deg",),
        coords={"two_theta_deg": ("two_theta_deg", x, {"units": "deg"})},
        name="intensity",
        attrs={"units": units.get(y_key, ""), "source_file": str(p)},
    )
