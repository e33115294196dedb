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


def _format_quantity(q: Mapping[str, Any] | None) -> str:
    """``{'value': 2.351, 'stderr': 0.004, 'unit': 'eV'}`` -> ``'2.351 ± 0.004 eV'``."""
    if q is None:
        return "—"
    value, stderr, unit = q.get("value"), q.get("stderr"), q.get("unit", "")
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


def _label(name: str) -> str:
    """Quantity key -> column label: ``band_gap_eV`` -> ``band gap (eV)``."""
    for unit in ("umol_g_h", "umol_h", "umol", "eV", "nm", "ps", "ns", "mg", "meV"):
        if name.endswith("_" + unit):
            return f"{name[: -len(unit) - 1].replace('_', ' ')} ({unit.replace('_', ' ')})"
    return name.replace("_", " ")


def render_report(results: Mapping[str, Any], *, figures_dir: Path) -> str:
    """HTML text of the report for a results document (see :mod:`qdcat.pipeline.runner`)."""
    out_root = figures_dir.parent

    def image(rel: str | None) -> str | None:
        return _data_uri(out_root / rel) if rel else None

    # Comparison table: samples x (composition, each analysis' summary quantities).
    columns: list[tuple[str, str, str]] = []  # (analysis, quantity, label)
    for aname, a in results["analyses"].items():
        for qname in a["summary"]:
            columns.append((aname, qname, _label(qname)))
    rows = []
    for sample in results["samples"]:
        cells = []
        for aname, qname, _ in columns:
            entry = results["analyses"][aname]["samples"].get(sample["name"])
            if entry is None:
                cells.append("not measured")
            elif entry["status"] == "failed":
                cells.append("failed")
            else:
                cells.append(_format_quantity(entry["quantities"].get(qname)))
        rows.append({"sample": sample, "cells": cells})

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
            columns=columns,
            rows=rows,
            image=image,
            label=_label,
            n_failed=n_failed,
        )
    )
