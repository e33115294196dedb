"""Figures of dot models: the 3-D ball model with defects coloured (Fig. 2g style), surface-Cu
statistics (Fig. 5e-f style) and the defect inventory per sample (Fig. 1a style).

All functions use matplotlib's object API (no pyplot state) and return a ``Figure``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from qdcat.structure.model import DEFECT_NAMES, ZcisDot

__all__ = [
    "SITE_STYLE",
    "draw_defect_inventory",
    "draw_surface_statistics",
    "plot_defect_inventory",
    "plot_dot",
    "plot_structure_summary",
    "plot_surface_statistics",
]

#: Kroger-Vink label -> (colour, marker size, legend text).
SITE_STYLE: dict[str, tuple[str, float, str]] = {
    "Cu_Cu": ("#d9822b", 70, "Cu$^+$ on Cu site"),
    "Cu_Cu*": ("#d62728", 110, "Cu$_{Cu}^{\\bullet}$ (Cu$^{2+}$)"),
    "Cu_In''": ("#8c4a12", 90, "Cu$_{In}''$ (antisite)"),
    "In_In": ("#7b68ae", 70, "In on In site"),
    "In_Cu**": ("#e377c2", 90, "In$_{Cu}^{\\bullet\\bullet}$"),
    "Zn_Cu*": ("#1f77b4", 80, "Zn$_{Cu}^{\\bullet}$"),
    "Zn_In'": ("#17becf", 80, "Zn$_{In}'$"),
    "S_S": ("#e8d44d", 30, "S"),
}
_DEFECT_COLOURS = {
    "V_Cu'": "#333333",
    "Cu_Cu*": SITE_STYLE["Cu_Cu*"][0],
    "Cu_In''": SITE_STYLE["Cu_In''"][0],
    "In_Cu**": SITE_STYLE["In_Cu**"][0],
    "Zn_Cu*": SITE_STYLE["Zn_Cu*"][0],
    "Zn_In'": SITE_STYLE["Zn_In'"][0],
}
_KV_TEX = {
    "V_Cu'": "V$_{Cu}'$",
    "Cu_Cu*": "Cu$_{Cu}^{\\bullet}$",
    "Cu_In''": "Cu$_{In}''$",
    "In_Cu**": "In$_{Cu}^{\\bullet\\bullet}$",
    "Zn_Cu*": "Zn$_{Cu}^{\\bullet}$",
    "Zn_In'": "Zn$_{In}'$",
}


def plot_dot(
    dot: ZcisDot,
    *,
    title: str | None = None,
    show_sulfur: bool = True,
    elev_deg: float = 20.0,
    azim_deg: float = -60.0,
) -> Figure:
    """3-D ball model of a dot: cations coloured by Kroger-Vink label, V_Cu as open circles.

    Surface atoms are drawn opaque, core atoms faded, as in the paper's Fig. 2g model.
    """
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.add_subplot(projection="3d")
    pos = dot.atoms.get_positions() / 10.0  # nm
    labels = np.asarray(dot.atoms.arrays["kv"]).astype(str)
    surface = dot.surface.surface
    handles = []
    for label, (colour, size, text) in SITE_STYLE.items():
        m = labels == label
        if label == "S_S" and not show_sulfur:
            continue
        if not m.any():
            continue
        for surf, alpha in ((True, 0.95), (False, 0.35)):
            mm = m & (surface if surf else ~surface)
            if mm.any():
                ax.scatter(
                    pos[mm, 0],
                    pos[mm, 1],
                    pos[mm, 2],
                    s=size,
                    c=colour,
                    alpha=alpha,
                    edgecolors="k",
                    linewidths=0.3,
                    depthshade=True,
                )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color=colour,
                markeredgecolor="k",
                markersize=np.sqrt(size) * 0.8,
                label=f"{text} ({int(m.sum())})",
            )
        )
    vac = dot.vacancy_positions / 10.0
    if len(vac):
        ax.scatter(
            vac[:, 0], vac[:, 1], vac[:, 2], s=90, facecolors="none", edgecolors="k", linewidths=1.2
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor="none",
                markeredgecolor="k",
                markersize=8,
                label=f"V$_{{Cu}}'$ ({len(vac)})",
            )
        )
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("y (nm)")
    ax.set_zlabel("z (nm)")
    ax.view_init(elev=elev_deg, azim=azim_deg)
    span = np.ptp(pos, axis=0).max() / 2 if len(pos) else 1.0
    centre = pos.mean(axis=0) if len(pos) else np.zeros(3)
    for setter, c in zip((ax.set_xlim, ax.set_ylim, ax.set_zlim), centre, strict=True):
        setter(c - span, c + span)
    s = dot.summary()
    ax.set_title(
        title
        or f"{dot.framework.shape}, {dot.framework.layers} layers: {s['n_atoms']} atoms, "
        f"type {s['defect_type']}\nsurface Cu {s['n_surface_cu']}/{s['n_cu']} "
        f"({100 * s['surface_cu_fraction']:.0f} %)",
        fontsize=10,
    )
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.12, 1.0), fontsize=8, frameon=False
    )
    fig.subplots_adjust(left=0.0, right=0.70)
    return fig


def plot_surface_statistics(
    dots: Mapping[str, ZcisDot],
    *,
    paper_fraction: float | None = 0.80,
    paper_per_dot: float | None = 24.0,
) -> Figure:
    """Surface vs core Cu per dot for each sample (bars) and the surface fraction (markers),
    with the paper's values (Fig. 5e: ~80 %, ~24 surface Cu per dot) as dashed lines."""
    fig = Figure(figsize=(7.0, 4.2))
    draw_surface_statistics(
        fig.add_subplot(), dots, paper_fraction=paper_fraction, paper_per_dot=paper_per_dot
    )
    fig.tight_layout()
    return fig


def draw_surface_statistics(
    ax: Axes,
    dots: Mapping[str, ZcisDot],
    *,
    paper_fraction: float | None = 0.80,
    paper_per_dot: float | None = 24.0,
) -> None:
    """Draw :func:`plot_surface_statistics` on ``ax`` (a twin axis holds the fraction)."""
    names = list(dots)
    x = np.arange(len(names))
    surf = np.array([dots[n].surface.stats["n_surface_cu"] for n in names], dtype=float)
    total = np.array([dots[n].counts["Cu"] for n in names], dtype=float)
    near = np.array([dots[n].surface.stats["cu_next_to_vacancy_surface"] for n in names], float)
    ax.bar(x, surf, 0.6, color="#d9822b", label="surface Cu")
    ax.bar(x, total - surf, 0.6, bottom=surf, color="#f3c99b", label="core Cu")
    ax.scatter(x, near, marker="v", color="k", zorder=3, label="surface Cu next to V$_{Cu}'$")
    if paper_per_dot is not None:
        ax.axhline(
            paper_per_dot,
            ls="--",
            color="#d9822b",
            lw=1,
            label=f"paper: {paper_per_dot:g} surface Cu per dot",
        )
    ax.set_xticks(x, names)
    ax.set_ylabel("Cu atoms per dot")
    ax2 = ax.twinx()
    frac = np.divide(surf, total, out=np.zeros_like(surf), where=total > 0)
    ax2.plot(x, 100 * frac, "o-", color="#1f77b4", label="surface Cu fraction")
    if paper_fraction is not None:
        ax2.axhline(
            100 * paper_fraction,
            ls=":",
            color="#1f77b4",
            lw=1,
            label=f"paper: {100 * paper_fraction:.0f} %",
        )
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("surface Cu fraction (%)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(
        h1 + h2,
        l1 + l2,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncols=3,
        frameon=False,
    )
    ax.set_title("Surface copper sites per dot (model)")


def plot_defect_inventory(dots: Mapping[str, ZcisDot]) -> Figure:
    """Defects per dot for each sample (grouped bars, Kroger-Vink), with the defect type."""
    fig = Figure(figsize=(7.5, 4.2))
    draw_defect_inventory(fig.add_subplot(), dots)
    fig.tight_layout()
    return fig


def draw_defect_inventory(ax: Axes, dots: Mapping[str, ZcisDot]) -> None:
    """Draw :func:`plot_defect_inventory` on ``ax``."""
    names = list(dots)
    x = np.arange(len(names))
    width = 0.8 / len(DEFECT_NAMES)
    for k, name in enumerate(DEFECT_NAMES):
        vals = [dots[n].defects[name] for n in names]
        ax.bar(
            x - 0.4 + (k + 0.5) * width,
            vals,
            width,
            color=_DEFECT_COLOURS[name],
            label=_KV_TEX[name],
        )
    top = max((max(dots[n].defects.values()) for n in names), default=1)
    for i, n in enumerate(names):
        ax.text(x[i], top * 1.08, f"Type {dots[n].defect_type}", ha="center", fontsize=9)
    ax.set_ylim(0, top * 1.2 + 1)
    ax.set_xticks(x, names)
    ax.set_ylabel("defects per dot")
    ax.set_title("Defect inventory of the dot models (Kröger-Vink)")
    ax.legend(fontsize=8, ncols=6, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08))


def plot_structure_summary(dots: Mapping[str, ZcisDot]) -> Figure:
    """Two panels across samples: (a) defect inventory and type (Fig. 1a), (b) surface Cu
    statistics (Fig. 5e-f)."""
    fig = Figure(figsize=(13.0, 4.6))
    ax1, ax2 = fig.subplots(1, 2)
    draw_defect_inventory(ax1, dots)
    draw_surface_statistics(ax2, dots)
    fig.tight_layout()
    return fig
