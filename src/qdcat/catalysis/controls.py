"""Control experiments of a photocatalytic CO2-reduction run, and the check that they are blank.

A product is credible only if it needs every ingredient: light, the catalyst, CO2 and the
electron donor. Each *blank* control leaves one out and should give (almost) nothing; the
isotope control replaces 12CO2 by 13CO2 and should give mostly 13CO (m/z 29 instead of 28),
which proves that the carbon of CO comes from CO2 and not from ligands, donor or
contaminations (the seed paper: Fig. 5d and Table S9).

:func:`check_controls` compares each blank control with the main run on a **rate** basis,
fraction = (n_control / t_control) / (n_main / t_main), so that a control run for a shorter
time is judged fairly, and flags any product above ``max_fraction`` of the main run (default
5 %). An isotope control is judged by its labelled fraction 13CO / (12CO + 13CO), flagged
below ``min_labelled_fraction`` (default 0.9).

Known conditions (aliases in brackets) -- other names are accepted and treated as blanks:

* ``dark`` (no_light): the reactor kept in the dark;
* ``no_catalyst`` (no_qd, no_qds): no quantum dots;
* ``argon`` (ar, no_co2, n2): Ar (or N2) instead of CO2;
* ``no_donor`` (no_aa, no_sacrificial): no sacrificial electron donor;
* ``13CO2`` (isotope, 13c, 13co2): 13CO2 instead of 12CO2 (isotope label).

Reference: Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5d, Table S9).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qdcat.catalysis.run import ControlSpec
from qdcat.catalysis.yields import ELECTRONS_PER_PRODUCT
from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ANALYSIS_NAME",
    "CONTROL_KINDS",
    "DEFAULT_MAX_FRACTION",
    "ControlSpec",
    "check_controls",
    "control_kind",
    "plot_controls",
]

ANALYSIS_NAME = "catalysis.controls"

#: Default largest accepted control rate as a fraction of the main run's rate.
DEFAULT_MAX_FRACTION = 0.05

#: Canonical control kinds -> what is left out or changed.
CONTROL_KINDS: Mapping[str, str] = {
    "dark": "no light",
    "no_catalyst": "no quantum dots",
    "argon": "Ar instead of CO2",
    "no_donor": "no sacrificial electron donor",
    "isotope_13c": "13CO2 instead of 12CO2",
}

_ALIASES = {
    "dark": "dark",
    "no_light": "dark",
    "nolight": "dark",
    "no_catalyst": "no_catalyst",
    "no_qd": "no_catalyst",
    "no_qds": "no_catalyst",
    "argon": "argon",
    "ar": "argon",
    "no_co2": "argon",
    "n2": "argon",
    "nitrogen": "argon",
    "no_donor": "no_donor",
    "no_aa": "no_donor",
    "no_sacrificial": "no_donor",
    "13co2": "isotope_13c",
    "13c": "isotope_13c",
    "isotope": "isotope_13c",
    "isotope_13c": "isotope_13c",
}


def control_kind(condition: str) -> str:
    """The canonical kind of a control condition (``'Ar'`` -> ``'argon'``); else the name."""
    key = condition.strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(key, key)


def _as_control(item: ControlSpec | Mapping[str, Any], i: int) -> ControlSpec:
    if isinstance(item, ControlSpec):
        return item
    if not isinstance(item, Mapping) or "condition" not in item:
        raise InputError(
            "a control needs a condition",
            field=f"controls[{i}]",
            expected="ControlSpec or a mapping with 'condition' and '<P>_umol' amounts",
            found=item,
        )
    amounts = {
        str(k)[: -len("_umol")]: float(v)
        for k, v in item.items()
        if str(k).endswith("_umol") and not str(k).endswith("_stderr_umol")
    }
    return ControlSpec(
        condition=str(item["condition"]),
        amounts_umol=amounts,
        duration_h=item.get("duration_h"),
        max_fraction=float(item.get("max_fraction", DEFAULT_MAX_FRACTION)),
        labelled_fraction=item.get("labelled_fraction"),
        min_labelled_fraction=float(item.get("min_labelled_fraction", 0.9)),
        note=str(item.get("note", "")),
    )


def check_controls(
    controls: Sequence[ControlSpec | Mapping[str, Any]],
    main_amounts_umol: Mapping[str, float],
    main_duration_h: float,
    *,
    file: str | None = None,
) -> Result:
    """Judge control experiments against the main run (see the module docstring).

    Parameters
    ----------
    controls:
        :class:`~qdcat.catalysis.run.ControlSpec` entries (or mappings with ``condition``,
        ``duration_h``, ``<P>_umol``, ``max_fraction``, ``labelled_fraction``...). A control
        without ``duration_h`` is taken to have run as long as the main run.
    main_amounts_umol:
        Final amounts of the main run per product, umol.
    main_duration_h:
        Illumination time of the main run, h.

    Returns
    -------
    Result
        Quantities ``<kind>_<P>_fraction`` (control rate / main rate, dimensionless) and, for
        isotope controls, ``<kind>_labelled_fraction``; ``metadata['table']`` has one row per
        control and product (condition, kind, product, amount, duration, rate, fraction,
        limit, passed); ``metadata['all_passed']``; one warning per failed check.
    """
    t_main = float(main_duration_h)
    if not (math.isfinite(t_main) and t_main > 0):
        raise InputError(
            "main-run duration must be positive", file=file, field="main_duration_h", found=t_main
        )
    quantities: dict[str, Quantity] = {}
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(controls):
        c = _as_control(raw, i)
        kind = control_kind(c.condition)
        seen[kind] = seen.get(kind, 0) + 1
        label = kind if seen[kind] == 1 else f"{kind}{seen[kind]}"
        t = t_main if c.duration_h is None else float(c.duration_h)
        if not (math.isfinite(t) and t > 0):
            raise InputError(
                "control duration must be positive",
                file=file,
                line=c.line,
                field=f"controls[{i}].duration_h",
                found=c.duration_h,
            )
        where = f"control {c.condition!r}" + (f" (line {c.line})" if c.line else "")
        if kind == "isotope_13c":
            if c.labelled_fraction is not None:
                f = float(c.labelled_fraction)
                ok = f >= c.min_labelled_fraction
                quantities[f"{label}_labelled_fraction"] = Quantity(
                    f, None, "", "13CO / (12CO + 13CO) with 13CO2 (isotope control)"
                )
                rows.append(
                    {
                        "condition": c.condition,
                        "kind": kind,
                        "product": "13CO fraction",
                        "amount_umol": None,
                        "duration_h": t,
                        "rate_umol_h": None,
                        "fraction_of_main": f,
                        "limit": f">= {c.min_labelled_fraction:g}",
                        "passed": ok,
                        "note": c.note,
                    }
                )
                if not ok:
                    warnings.append(
                        f"CONTROL FAILED: {where}: only {f:.1%} of the CO is 13CO (expected >= "
                        f"{c.min_labelled_fraction:.0%}): part of the CO does not come from CO2"
                    )
            for product, amount in c.amounts_umol.items():
                main = main_amounts_umol.get(product)
                ratio = (
                    (amount / t) / (main / t_main) if main is not None and main > 0 else math.nan
                )
                rows.append(
                    {
                        "condition": c.condition,
                        "kind": kind,
                        "product": product,
                        "amount_umol": amount,
                        "duration_h": t,
                        "rate_umol_h": amount / t,
                        "fraction_of_main": ratio,
                        "limit": "informative (labelled CO2 run)",
                        "passed": True,
                        "note": c.note,
                    }
                )
            continue
        if not c.amounts_umol:
            raise InputError(
                f"{where}: no product amounts",
                file=file,
                line=c.line,
                field=f"controls[{i}]",
                expected="<P>_umol amounts",
            )
        for product, amount in c.amounts_umol.items():
            if product not in ELECTRONS_PER_PRODUCT:
                raise InputError(
                    f"{where}: unknown product {product!r}",
                    file=file,
                    line=c.line,
                    field=f"controls[{i}].{product}_umol",
                    expected=f"one of {list(ELECTRONS_PER_PRODUCT)}",
                )
            main = main_amounts_umol.get(product)
            rate = amount / t
            if main is None or not main > 0:
                ratio = math.inf if amount > 0 else 0.0
            else:
                ratio = rate / (main / t_main)
            ok = ratio <= c.max_fraction
            quantities[f"{label}_{product}_fraction"] = Quantity(
                ratio,
                None,
                "",
                f"{product} rate in the {c.condition!r} control / rate in the main run",
            )
            rows.append(
                {
                    "condition": c.condition,
                    "kind": kind,
                    "product": product,
                    "amount_umol": amount,
                    "duration_h": t,
                    "rate_umol_h": rate,
                    "fraction_of_main": ratio,
                    "limit": f"<= {c.max_fraction:g}",
                    "passed": ok,
                    "note": c.note,
                }
            )
            if not ok:
                main_text = "none in the main run" if not main else f"{ratio:.1%} of the main run"
                warnings.append(
                    f"CONTROL FAILED: {where} ({CONTROL_KINDS.get(kind, kind)}): {product} "
                    f"{amount:g} umol in {t:g} h = {main_text} (limit {c.max_fraction:.0%}); "
                    f"{product} does not need " + _needs(kind)
                )
    metadata = {
        "table": rows,
        "all_passed": all(r["passed"] for r in rows),
        "comparison": "rate basis: (n_control / t_control) / (n_main / t_main)",
        "main_duration_h": t_main,
        "main_amounts_umol": dict(main_amounts_umol),
        "kinds": dict(CONTROL_KINDS),
    }
    return Result(
        analysis=ANALYSIS_NAME, quantities=quantities, warnings=tuple(warnings), metadata=metadata
    )


def _needs(kind: str) -> str:
    return {
        "dark": "light to form: a thermal or pre-existing source",
        "no_catalyst": "the dots to form: the donor, the vessel or a contamination is active",
        "argon": "CO2 to form: the carbon comes from ligands, donor or residues",
        "no_donor": "the donor to form: another electron source (ligands, the dots) is used up",
    }.get(kind, "the left-out ingredient to form")


def plot_controls(result: Result, *, product: str = "CO", figsize=(6.4, 4.0)) -> Figure:
    """Control rates as percent of the main run (log axis) with each control's limit."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = [
        r
        for r in result.metadata.get("table", [])
        if r["product"] == product and r["kind"] != "isotope_13c"
    ]
    iso = [r for r in result.metadata.get("table", []) if r["product"] == "13CO fraction"]
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if not rows:
        ax.text(0.5, 0.5, f"no blank controls for {product}", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    pct = np.array([100.0 * min(r["fraction_of_main"], 10.0) for r in rows])
    floor = 1e-3
    shown = np.maximum(pct, floor)
    colours = ["#2e933c" if r["passed"] else "#d1495b" for r in rows]
    x = np.arange(len(rows))
    ax.bar(x, shown, 0.6, color=colours)
    for xi, r in zip(x, rows, strict=True):
        limit = 100.0 * float(r["limit"].split()[-1])
        ax.hlines(limit, xi - 0.4, xi + 0.4, colors="k", linestyles="--", lw=1)
        text = f"{100 * r['fraction_of_main']:.2g} %" if r["fraction_of_main"] > 0 else "0"
        ax.annotate(
            text,
            (xi, shown[xi]),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.set_yscale("log")
    ax.set_ylim(floor, max(200.0, shown.max() * 3))
    ax.set_xticks(x, [r["condition"] for r in rows], rotation=15)
    ax.set_ylabel(f"{product} rate, % of the main run", fontsize=12)
    title = "Controls (dashed: limit)"
    if iso:
        title += "; 13CO fraction with 13CO2: " + ", ".join(
            f"{100 * r['fraction_of_main']:.0f} %" for r in iso
        )
    ax.set_title(title, loc="left", fontsize=11)
    return fig
