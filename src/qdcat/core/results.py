"""Result types: numbers with standard errors and units, fit quality, JSON that is always valid.

JSON has no NaN or infinity. qdcat never writes the non-standard ``NaN``/``Infinity`` tokens:
:func:`to_jsonable` turns a non-finite float into ``null``, and a :class:`Quantity` whose value or
standard error is non-finite says so in an extra field (``"value_nonfinite": "nan"``), so the
information is kept and every consumer can still parse the file. ``stderr: null`` without such
a field means "no standard error was determined" (for example a quantity given, not fitted).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from qdcat.core.units import unit_slug

__all__ = [
    "FitQuality",
    "Quantity",
    "Result",
    "dumps_json",
    "format_value",
    "stderr_key",
    "to_jsonable",
]


def _nonfinite_label(x: float) -> str:
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` into plain JSON types; non-finite floats become ``None``.

    Handles dataclasses and objects with ``to_dict()``, mappings, sequences, NumPy scalars and
    arrays, paths and datetimes.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        x = float(obj)
        return x if math.isfinite(x) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()] if obj.ndim else to_jsonable(obj.item())
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, _dt.datetime | _dt.date):
        return obj.isoformat()
    raise TypeError(f"cannot convert {type(obj).__name__} to JSON")


def dumps_json(obj: Any, *, indent: int | None = 2) -> str:
    """Serialise ``obj`` as strictly valid JSON (``allow_nan=False``)."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False, ensure_ascii=False)


def stderr_key(name: str, unit: str = "") -> str:
    """Key of the standard error of quantity ``name`` in flat JSON.

    The unit suffix stays last: ``band_gap_eV`` -> ``band_gap_stderr_eV``; a name without a
    unit suffix gets ``_stderr`` appended (``cu2_fraction`` -> ``cu2_fraction_stderr``).
    """
    slug = unit_slug(unit) if unit else ""
    if slug and name.endswith("_" + slug) and len(name) > len(slug) + 1:
        return f"{name[: -len(slug) - 1]}_stderr_{slug}"
    return f"{name}_stderr"


def format_value(value: float, stderr: float | None = None, unit: str = "") -> str:
    """Human-readable ``value ± stderr unit`` rounded to two significant digits of the error."""
    u = f" {unit}" if unit else ""
    if value is None or not math.isfinite(value):
        return f"{value}{u}"
    if stderr is None or not math.isfinite(stderr) or stderr <= 0:
        return f"{value:.4g}{u}"
    digits = max(0, 1 - math.floor(math.log10(stderr)))
    if abs(value) >= 1e5 or (abs(value) < 1e-3 and value != 0):
        exp = math.floor(math.log10(abs(value)))
        scale = 10.0**exp
        d = max(0, 1 - math.floor(math.log10(stderr / scale)))
        return f"({value / scale:.{d}f} ± {stderr / scale:.{d}f})e{exp}{u}"
    return f"{value:.{digits}f} ± {stderr:.{digits}f}{u}"


@dataclass(frozen=True)
class Quantity:
    """A number (or array) with its standard error and unit.

    ``stderr`` is ``None`` when no uncertainty was determined; it is never silently zero.
    """

    value: float | np.ndarray
    stderr: float | np.ndarray | None
    unit: str
    description: str = ""
    stderr_name: str | None = None
    """Key of the standard error in flat JSON when the default rule (:func:`stderr_key`) does
    not fit the name, e.g. ``kq_per_mM_per_s`` -> ``kq_stderr_per_mM_per_s``."""

    def is_array(self) -> bool:
        return np.ndim(self.value) > 0

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "value": to_jsonable(self.value),
            "stderr": to_jsonable(self.stderr),
            "unit": self.unit,
        }
        if not self.is_array():
            for key, x in (("value", self.value), ("stderr", self.stderr)):
                if x is not None and not math.isfinite(float(x)):
                    d[f"{key}_nonfinite"] = _nonfinite_label(float(x))
        if self.description:
            d["description"] = self.description
        if self.stderr_name:
            d["stderr_name"] = self.stderr_name
        return d

    def __str__(self) -> str:
        if self.is_array():
            return f"{np.asarray(self.value)} {self.unit}".strip()
        err = None if self.stderr is None else float(self.stderr)
        return format_value(float(self.value), err, self.unit)


@dataclass(frozen=True)
class FitQuality:
    """How a fit went: whether it converged, how well it describes the data."""

    converged: bool
    n_evaluations: int
    n_points: int
    n_parameters: int
    rmse: float
    chi2_reduced: float | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class Result:
    """Outcome of one analysis of one dataset.

    ``quantities`` maps names with units in them (``band_gap_eV``) to :class:`Quantity`;
    ``curves`` holds arrays a figure or report needs (model curves, residuals); ``metadata``
    records the method and options that produced the numbers.
    """

    analysis: str
    quantities: Mapping[str, Quantity]
    fit: FitQuality | None = None
    warnings: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    curves: Mapping[str, Any] = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        return self.fit is None or self.fit.converged

    def to_dict(self, *, include_curves: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "analysis": self.analysis,
            "converged": self.converged,
            "quantities": {k: q.to_dict() for k, q in self.quantities.items()},
            "fit": self.fit.to_dict() if self.fit else None,
            "warnings": list(self.warnings),
            "metadata": to_jsonable(dict(self.metadata)),
        }
        if include_curves:
            d["curves"] = to_jsonable(dict(self.curves))
        return d

    def flat(self) -> dict[str, Any]:
        """Flat, machine-readable form for ``--json``: ``name``, ``name_stderr_unit``, metadata."""
        out: dict[str, Any] = {}
        for name, q in self.quantities.items():
            out[name] = to_jsonable(q.value)
            out[q.stderr_name or stderr_key(name, q.unit)] = to_jsonable(q.stderr)
        for k, v in self.metadata.items():
            out.setdefault(k, to_jsonable(v))
        out["converged"] = self.converged
        if self.fit is not None:
            out.setdefault("rmse", to_jsonable(self.fit.rmse))
            out.setdefault("n_evaluations", self.fit.n_evaluations)
            if self.fit.chi2_reduced is not None:
                out.setdefault("chi2_reduced", to_jsonable(self.fit.chi2_reduced))
        out["warnings"] = list(self.warnings)
        return out


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as valid JSON to ``path`` atomically."""
    from qdcat.core.atomic import atomic_write_text

    return atomic_write_text(path, dumps_json(obj) + "\n")


__all__ += ["write_json"]
