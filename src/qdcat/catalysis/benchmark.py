"""A curated benchmark of CO2-to-CO photocatalysts and a figure placing a sample among them.

The table ``qdcat/data/co2_to_co_benchmark.csv`` (see the README next to it) lists systems with
a DOI on every row and, per number, where it was read; empty cells are numbers that were not
checked, never zeros. Bases differ between rows (selectivity of CO among products or of CO2
reduction over H2 evolution; TON per QD, per Ni catalyst or per surface Cu), so every number is
shown with its basis. :func:`plot_benchmark` draws the seed paper's Fig. 5h kind of comparison:
(a) mass-normalised CO rate against the run's duration, (b) CO selectivity with its basis.

Reference: Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5h, Table S10).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qdcat.core.errors import InputError
from qdcat.core.results import Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BENCHMARK_COLUMNS",
    "BENCHMARK_FILE",
    "NUMERIC_COLUMNS",
    "load_benchmark",
    "plot_benchmark",
    "sample_row",
]

#: Packaged benchmark table (``qdcat/data``).
BENCHMARK_FILE = "co2_to_co_benchmark.csv"

#: Columns of the benchmark table, in order.
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "catalyst",
    "cocatalyst",
    "donor",
    "medium",
    "light",
    "catalyst_mass_mg",
    "rate_umol_h",
    "rate_umol_g_h",
    "mass_yield_umol_g",
    "selectivity_CO",
    "selectivity_basis",
    "ton",
    "ton_basis",
    "aqy_percent",
    "aqy_wavelength_nm",
    "duration_h",
    "c13_verified",
    "lower_bounds",
    "doi",
    "reference",
    "source",
)

#: Columns that hold numbers (empty = not checked).
NUMERIC_COLUMNS: tuple[str, ...] = (
    "catalyst_mass_mg",
    "rate_umol_h",
    "rate_umol_g_h",
    "mass_yield_umol_g",
    "selectivity_CO",
    "ton",
    "aqy_percent",
    "aqy_wavelength_nm",
    "duration_h",
)

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def load_benchmark(path: str | Path | None = None) -> pd.DataFrame:
    """The benchmark table (packaged by default), validated.

    Raises :class:`InputError` naming the file, the line and the column for a missing column,
    a row without a valid DOI, a number that is not a number, a selectivity outside [0, 1], a
    negative value, or a ``lower_bounds`` entry that is not a numeric column.
    """
    if path is None:
        text = resources.files("qdcat.data").joinpath(BENCHMARK_FILE).read_text("utf-8")
        file = f"qdcat/data/{BENCHMARK_FILE}"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError("benchmark file not found", file=p, expected="a CSV file")
        text = p.read_text(encoding="utf-8")
        file = str(p)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c for c in BENCHMARK_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            "missing column",
            file=file,
            line=1,
            field=missing[0],
            expected=", ".join(BENCHMARK_COLUMNS),
            found=list(frame.columns),
        )
    out = frame[list(BENCHMARK_COLUMNS)].copy()
    for i, row in out.iterrows():
        line = int(i) + 2  # header is line 1
        doi = row["doi"].strip()
        if not _DOI.match(doi):
            raise InputError(
                "every row needs a DOI",
                file=file,
                line=line,
                field="doi",
                expected="10.xxxx/...",
                found=doi,
            )
        for column in NUMERIC_COLUMNS:
            cell = row[column].strip()
            if not cell:
                continue
            try:
                x = float(cell)
            except ValueError:
                raise InputError(
                    "not a number", file=file, line=line, field=column, found=cell
                ) from None
            if not math.isfinite(x) or x < 0:
                raise InputError(
                    "must be a finite number >= 0", file=file, line=line, field=column, found=cell
                )
            if column == "selectivity_CO" and x > 1:
                raise InputError(
                    "selectivity is a fraction",
                    file=file,
                    line=line,
                    field=column,
                    expected="0 <= selectivity_CO <= 1",
                    found=cell,
                )
        for name in filter(None, (s.strip() for s in row["lower_bounds"].split(";"))):
            if name not in NUMERIC_COLUMNS or not row[name].strip():
                raise InputError(
                    "lower_bounds names a column without a number",
                    file=file,
                    line=line,
                    field="lower_bounds",
                    expected=f"names of filled numeric columns ({', '.join(NUMERIC_COLUMNS)})",
                    found=name,
                )
    for column in NUMERIC_COLUMNS:
        out[column] = pd.to_numeric(out[column].str.strip().replace("", np.nan))
    out.attrs["source_file"] = file
    return out


def sample_row(result: Result, *, product: str = "CO", name: str | None = None) -> dict[str, Any]:
    """A benchmark-like row of a sample from :func:`qdcat.catalysis.performance.performance`."""
    q = result.quantities

    def val(key: str) -> float:
        return float(q[key].value) if key in q else math.nan

    light = result.metadata.get("light") or {}
    return {
        "catalyst": name or result.metadata.get("sample", "sample"),
        "rate_umol_h": val(f"{product}_rate_umol_h"),
        "rate_umol_g_h": val(f"{product}_rate_umol_g_h"),
        "mass_yield_umol_g": val(f"{product}_mass_yield_umol_g"),
        "selectivity_CO": val(f"selectivity_product_{product}"),
        "selectivity_electron_CO": val(f"selectivity_electron_{product}"),
        "selectivity_basis": "product basis (electron basis beside it)",
        "ton": val(f"{product}_ton_per_qd"),
        "ton_basis": "per QD",
        "aqy_percent": val(f"{product}_aqy_pct"),
        "aqy_wavelength_nm": light.get("wavelength_nm", math.nan),
        "duration_h": float(result.metadata.get("final_time_h", math.nan)),
    }


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def plot_benchmark(
    samples: Mapping[str, Result] | None = None,
    *,
    table: pd.DataFrame | None = None,
    product: str = "CO",
    figsize: tuple[float, float] = (12.0, 5.0),
) -> Figure:
    """Benchmark figure (seed paper Fig. 5h): literature rows and the user's samples (stars).

    (a) CO rate per gram vs duration (log-log; rows missing either are listed below the
    panel); lower bounds drawn as upward triangles. (b) CO selectivity of every row that has
    one, labelled with its basis; the samples show both bases.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bench = load_benchmark() if table is None else table
    rows = [sample_row(r, product=product, name=n) for n, r in (samples or {}).items()]
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    ax_a, ax_b = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1.0]})
    colours = ["#1f5fa8", "#2e933c", "#e07b24", "#7d55b5", "#00798c", "#6b4226", "#9aa5b1"]

    left_out = []
    for i, (_, r) in enumerate(bench.iterrows()):
        bounds = {s.strip() for s in str(r.get("lower_bounds", "")).split(";") if s.strip()}
        label = f"{_short(str(r['catalyst']))} ({_short(str(r['reference']), 24)})"
        if np.isfinite(r["rate_umol_g_h"]) and np.isfinite(r["duration_h"]):
            lower = "rate_umol_g_h" in bounds
            ax_a.plot(
                r["duration_h"],
                r["rate_umol_g_h"],
                "^" if lower else "o",
                ms=8,
                color=colours[i % len(colours)],
                label=label + (" (lower bound)" if lower else ""),
            )
        else:
            left_out.append(_short(str(r["catalyst"]), 40))
    stars = ["#d1495b", "#f4a259", "#8cb369", "#5b8e7d", "#bc4b51", "#f4e285"]
    for j, r in enumerate(rows):
        if np.isfinite(r["rate_umol_g_h"]) and np.isfinite(r["duration_h"]):
            ax_a.plot(
                r["duration_h"],
                r["rate_umol_g_h"],
                "*",
                ms=16,
                color=stars[j % len(stars)],
                markeredgecolor="k",
                label=f"{r['catalyst']} (this work)",
                zorder=5,
            )
    ax_a.set_xscale("log")
    ax_a.set_yscale("log")
    ys = [ln.get_ydata()[0] for ln in ax_a.get_lines()]
    xs = [ln.get_xdata()[0] for ln in ax_a.get_lines()]
    if ys:
        ax_a.set_ylim(min(ys) / 3.0, max(ys) * 3.0)
        ax_a.set_xlim(min(xs) / 3.0, max(xs) * 3.0)
    ax_a.set_xlabel("Duration of the run (h)", fontsize=12)
    ax_a.set_ylabel(f"{product} rate (µmol g$^{{-1}}$ h$^{{-1}}$)", fontsize=12)
    ax_a.set_title("(a) mass activity and durability", loc="left", fontsize=11, fontweight="bold")
    ax_a.legend(frameon=False, fontsize=7.5, loc="upper left", bbox_to_anchor=(0.0, -0.14))
    if left_out:
        fig.supxlabel(
            "not in (a), no checked rate per gram or duration: " + "; ".join(left_out),
            fontsize=7,
            x=0.01,
            ha="left",
        )

    names, values, bases, lowers, cols = [], [], [], [], []
    for i, (_, r) in enumerate(bench.iterrows()):
        if np.isfinite(r["selectivity_CO"]):
            bounds = {s.strip() for s in str(r.get("lower_bounds", "")).split(";") if s.strip()}
            names.append(_short(str(r["catalyst"]), 30))
            values.append(100 * r["selectivity_CO"])
            bases.append(str(r["selectivity_basis"]) or "not stated")
            lowers.append("selectivity_CO" in bounds)
            cols.append(colours[i % len(colours)])
    for r in rows:
        if np.isfinite(r["selectivity_CO"]):
            names.append(f"{r['catalyst']} (this work)")
            values.append(100 * r["selectivity_CO"])
            electron = r["selectivity_electron_CO"]
            bases.append(
                f"product basis; electron basis {100 * electron:.1f} %"
                if np.isfinite(electron)
                else "product basis"
            )
            lowers.append(False)
            cols.append("#d1495b")
    y = np.arange(len(names))[::-1]
    ax_b.barh(y, values, 0.6, color=cols)
    for yi, v, b, low in zip(y, values, bases, lowers, strict=True):
        ax_b.text(
            v + 1, yi, f"{'≥' if low else ''}{v:.0f} % ({_short(b, 42)})", va="center", fontsize=7.5
        )
    ax_b.set_yticks(y, names, fontsize=8)
    ax_b.set_xlim(0, 175)
    ax_b.set_xlabel(f"{product} selectivity (%)", fontsize=12)
    ax_b.set_title("(b) selectivity and its basis", loc="left", fontsize=11, fontweight="bold")
    return fig
