"""Figures of XPS fits: one Cu 2p fit, a comparison across samples (Fig. 3a style), any fit."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from qdcat.core.errors import InputError
from qdcat.core.results import Result, format_value

__all__ = ["plot_cu2p", "plot_cu2p_comparison", "plot_peak_fit"]

_FONT = 9
_GROUP_COLOURS = {"cu1": "C0", "cu2": "C3", "satellite": "C1"}
_GROUP_LABELS = {"cu1": r"Cu$^{+}$", "cu2": r"Cu$^{2+}$", "satellite": r"Cu$^{2+}$ satellites"}


def _need_curves(result: Result, name: str = "result") -> None:
    missing = [
        k for k in ("binding_energy_eV", "counts", "fit", "background") if k not in result.curves
    ]
    if missing:
        raise InputError(
            "the result carries no fit curves to plot",
            field=f"{name}.curves",
            expected="binding_energy_eV, counts, fit, background",
            found=missing,
        )


def _components(result: Result) -> dict[str, np.ndarray]:
    return {
        k.split(":", 1)[1]: np.asarray(v, dtype=float)
        for k, v in result.curves.items()
        if k.startswith("component:")
    }


def _groups(result: Result) -> dict[str, str]:
    return {p["name"]: p.get("group", "") for p in result.metadata.get("peaks", [])}


def plot_peak_fit(result: Result, title: str | None = None) -> Any:
    """Data, fit envelope, background, components and weighted residuals of a peak fit.

    Binding energy decreases to the right (the XPS convention).
    """
    from matplotlib.figure import Figure

    _need_curves(result)
    x = np.asarray(result.curves["binding_energy_eV"], dtype=float)
    y = np.asarray(result.curves["counts"], dtype=float)
    fit = np.asarray(result.curves["fit"], dtype=float)
    bg = np.asarray(result.curves["background"], dtype=float)
    groups = _groups(result)
    fig = Figure(figsize=(6.4, 5.2), layout="constrained")
    ax, axr = fig.subplots(2, 1, sharex=True, height_ratios=(4, 1))
    ax.plot(x, y, ".", ms=2.5, color="0.45", label="data", zorder=1)
    seen: set[str] = set()
    for i, (name, comp) in enumerate(_components(result).items()):
        g = groups.get(name, "")
        colour = _GROUP_COLOURS.get(g, f"C{(i + 4) % 10}")
        label = _GROUP_LABELS.get(g, name) if g not in seen or g == "" else None
        seen.add(g)
        ax.fill_between(x, bg, bg + comp, color=colour, alpha=0.28, lw=0, label=label)
        ax.plot(x, bg + comp, color=colour, lw=0.8)
    ax.plot(
        x,
        bg,
        "--",
        color="0.2",
        lw=1.0,
        label=f"background ({result.metadata.get('background', '')})",
    )
    ax.plot(x, fit, "-", color="k", lw=1.3, label="fit", zorder=3)
    ax.set_ylabel("intensity (counts)", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="upper left")
    ax.tick_params(labelsize=_FONT)
    if title:
        ax.set_title(title, fontsize=_FONT + 1)
    sig = np.sqrt(np.maximum(y, 1.0))
    axr.plot(x, (y - fit) / sig, "-", color="0.3", lw=0.7)
    axr.axhline(0.0, color="C3", lw=0.8)
    axr.set_ylabel(r"residual ($\sigma$)", fontsize=_FONT)
    axr.set_xlabel("binding energy (eV)", fontsize=_FONT + 1)
    axr.tick_params(labelsize=_FONT)
    ax.set_xlim(float(x.max()), float(x.min()))
    return fig


def plot_cu2p(result: Result, title: str | None = None) -> Any:
    """One Cu 2p fit: components by Cu+/Cu2+/satellite with the Cu(II) fraction in the title."""
    if "cu2_fraction" not in result.quantities:
        raise InputError(
            "not a Cu 2p result",
            field="result",
            expected="a Result of qdcat.xps.fit_cu2p",
            found=result.analysis,
        )
    q = result.quantities["cu2_fraction"]
    s = result.quantities["satellite_fraction"]
    text = (
        f"Cu(II) fraction {format_value(float(q.value), _f(q.stderr))}, "
        f"satellites {100 * float(s.value):.1f} %"
    )
    fig = plot_peak_fit(result, title=f"{title}: {text}" if title else text)
    return fig


def _f(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) and v > 0 else None


def plot_cu2p_comparison(results: Mapping[str, Result]) -> Any:
    """Cu 2p spectra of several samples stacked (like Fig. 3a of the ZCIS paper) and their
    Cu(II) fractions and satellite shares with standard errors."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    if not isinstance(results, Mapping) or not results:
        raise InputError(
            "no Cu 2p results to compare",
            field="results",
            expected="a mapping of sample name to Result",
            found=results,
        )
    for k, r in results.items():
        _need_curves(r, str(k))
    fig = Figure(figsize=(9.0, 5.0), layout="constrained")
    ax, axb = fig.subplots(1, 2, width_ratios=(3, 2))
    cmap = colormaps["viridis"]
    n = len(results)
    offset = 0.0
    for i, (name, r) in enumerate(results.items()):
        x = np.asarray(r.curves["binding_energy_eV"], dtype=float)
        y = np.asarray(r.curves["counts"], dtype=float)
        bg = np.asarray(r.curves["background"], dtype=float)
        fit = np.asarray(r.curves["fit"], dtype=float)
        norm = float(np.max(fit - bg)) or 1.0
        groups = _groups(r)
        colour = cmap(i / max(n - 1, 1) * 0.85)
        ax.plot(x, (y - bg) / norm + offset, ".", ms=1.5, color=colour)
        ax.plot(x, (fit - bg) / norm + offset, "-", lw=1.1, color=colour)
        cu2 = np.zeros_like(x)
        for cname, comp in _components(r).items():
            if groups.get(cname) in ("cu2", "satellite"):
                cu2 += comp
        ax.fill_between(
            x,
            offset,
            cu2 / norm + offset,
            color="C3",
            alpha=0.3,
            lw=0,
            label=r"Cu$^{2+}$ + satellites" if i == 0 else None,
        )
        ax.text(
            float(x.max()) - 0.5, offset + 0.25, str(name), fontsize=_FONT, ha="left", color=colour
        )
        offset += 1.25
    for e in (931.4, 932.5):
        ax.axvline(e, color="0.6", lw=0.6, ls=":")
    ax.set_xlim(
        float(max(np.max(r.curves["binding_energy_eV"]) for r in results.values())),
        float(min(np.min(r.curves["binding_energy_eV"]) for r in results.values())),
    )
    ax.set_xlabel("binding energy (eV)", fontsize=_FONT + 1)
    ax.set_ylabel("intensity - background (normalised, offset)", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="upper right")
    ax.tick_params(labelsize=_FONT)

    names = list(results)
    pos = np.arange(n)
    cu2 = [float(results[k].quantities["cu2_fraction"].value) for k in names]
    cu2e = [_f(results[k].quantities["cu2_fraction"].stderr) or 0.0 for k in names]
    sat = [float(results[k].quantities["satellite_fraction"].value) for k in names]
    sate = [_f(results[k].quantities["satellite_fraction"].stderr) or 0.0 for k in names]
    axb.bar(
        pos - 0.2,
        cu2,
        0.38,
        yerr=cu2e,
        color="C3",
        alpha=0.75,
        capsize=3,
        label="Cu(II) fraction (Biesinger)",
    )
    axb.bar(
        pos + 0.2, sat, 0.38, yerr=sate, color="C1", alpha=0.75, capsize=3, label="satellite share"
    )
    axb.set_xticks(pos, names, rotation=30, ha="right", fontsize=_FONT)
    axb.set_ylabel("fraction of Cu 2p", fontsize=_FONT + 1)
    axb.set_ylim(0.0, max(1.0, max(cu2) * 1.15))
    axb.legend(fontsize=_FONT - 1, frameon=False, loc="upper left")
    axb.tick_params(labelsize=_FONT)
    return fig
