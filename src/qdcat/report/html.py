"""Render ``report.html`` from the results document of a run.

The page is self-contained: figures are embedded as ``data:image/png;base64`` URIs, the style
sheet is inline, and there is no script and no external resource, so it opens offline, can be
mailed, and shows exactly what ``results.json`` holds.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from qdcat.core.results import format_value
from qdcat.core.units import unit_slug

__all__ = ["render_report"]


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("qdcat.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["qty"] = _format_quantity
    return env


def _format_quantity(q: Mapping[str, Any] | None, *, with_unit: bool = True) -> str:
    """``{'value': 2.351, 'stderr': 0.004, 'unit': 'eV'}`` -> ``'2.351 ± 0.004 eV'``.

    ``with_unit=False`` leaves the unit out (for table cells whose header names it).
    """
    if q is None:
        return "—"
    value, stderr = q.get("value"), q.get("stderr")
    unit = q.get("unit", "") if with_unit else ""
    if isinstance(value, list):
        return ", ".join(
            format_value(v, None if stderr is None else stderr[i], "")
            for i, v in enumerate(value)
            if v is not None
        ) + (f" {unit}" if unit else "")
    if value is None:
        return f"{q.get('value_nonfinite', 'n/a')} {unit}".strip()
    return format_value(float(value), None if stderr is None else float(stderr), unit)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _label(name: str, unit: str = "") -> str:
    """Quantity key -> label: ``('band_gap_eV', 'eV')`` -> ``'band gap (eV)'``."""
    slug = unit_slug(unit) if unit else ""
    if slug and name.endswith("_" + slug) and len(name) > len(slug) + 1:
        name = name[: -len(slug) - 1]
    text = name.replace("_", " ")
    return f"{text} ({unit})" if unit else text


def _analysis_table(a: Mapping[str, Any]) -> dict[str, Any]:
    """One analysis as quantities (rows) x samples (columns), the paper's table layout."""
    samples = list(a["samples"])
    order: dict[str, str] = {}
    for e in a["samples"].values():
        for qname, q in e.get("quantities", {}).items():
            order.setdefault(qname, q.get("unit", ""))
    rows = []
    for qname, unit in order.items():
        cells = []
        for s in samples:
            e = a["samples"][s]
            if e["status"] == "failed":
                cells.append("failed")
            else:
                cells.append(_format_quantity(e["quantities"].get(qname), with_unit=False))
        rows.append({"label": _label(qname, unit), "key": qname, "cells": cells})
    for key in a.get("summary_metadata", []):
        cells = [str(a["samples"][s].get("metadata", {}).get(key, "—")) for s in samples]
        rows.insert(0, {"label": key.replace("_", " "), "key": key, "cells": cells})
    fits = []
    for s in samples:
        fit = a["samples"][s].get("fit")
        if fit:
            rmse = fit.get("rmse")
            fits.append(
                ("RMSE " + (f"{rmse:.3g}" if rmse is not None else "n/a"))
                + f", {fit['n_evaluations']} evaluations"
            )
        else:
            fits.append(None)
    return {"samples": samples, "rows": rows, "fits": fits if any(fits) else None}


def _comparison(results: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """Comparison table of the analyses ``names``: columns (analysis, quantity, label) and one
    row of formatted cells per sample."""
    columns: list[tuple[str, str, str]] = []  # (analysis, quantity, label)
    for aname in names:
        a = results["analyses"][aname]
        units = {
            q: e["quantities"][q].get("unit", "")
            for e in a["samples"].values()
            for q in e.get("quantities", {})
        }
        for key in a.get("summary_metadata", []):
            columns.append((aname, "@" + key, key.replace("_", " ")))
        for qname in a["summary"]:
            columns.append((aname, qname, _label(qname, units.get(qname, ""))))
    rows = []
    for sample in results["samples"]:
        cells = []
        for aname, qname, _ in columns:
            entry = results["analyses"][aname]["samples"].get(sample["name"])
            if entry is None:
                cells.append("not measured")
            elif entry["status"] == "failed":
                cells.append("failed")
            elif qname.startswith("@"):
                cells.append(str(entry.get("metadata", {}).get(qname[1:], "—")))
            else:
                cells.append(_format_quantity(entry["quantities"].get(qname), with_unit=False))
        rows.append({"sample": sample, "cells": cells})
    return {"columns": columns, "rows": rows}


def render_report(results: Mapping[str, Any], *, figures_dir: Path) -> str:
    """HTML text of the report for a results document (see :mod:`qdcat.pipeline.runner`)."""
    out_root = figures_dir.parent

    def image(rel: str | None) -> str | None:
        return _data_uri(out_root / rel) if rel else None

    from qdcat.pipeline.registry import SECTIONS

    # Analyses grouped into the report's sections, in page order; each section opens with its
    # own comparison table (samples x that section's summary quantities).
    grouped: dict[str, list[str]] = {}
    for aname, a in results["analyses"].items():
        key = a.get("section") or "other"
        grouped.setdefault(key if key in SECTIONS else "other", []).append(aname)
    sections = [
        {
            "key": key,
            "title": SECTIONS[key],
            "analyses": grouped[key],
            **_comparison(results, grouped[key]),
        }
        for key in SECTIONS
        if key in grouped
    ]
    n_failed = sum(
        1
        for a in results["analyses"].values()
        for e in a["samples"].values()
        if e["status"] != "ok"
    )
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            r=results,
            sections=sections,
            image=image,
            tables={name: _analysis_table(a) for name, a in results["analyses"].items()},
            n_failed=n_failed,
        )
    )
