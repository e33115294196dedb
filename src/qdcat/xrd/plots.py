"""Figures: a fitted powder pattern, a series of patterns (the seed paper's Fig. 2a), fringes.

Every function returns a :class:`matplotlib.figure.Figure` (Agg, no pyplot state).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qdcat.core.results import Result, format_value
from qdcat.xrd.form_factors import CU_KA1_A

__all__ = ["plot_fringe_check", "plot_pattern_fit", "plot_pattern_series"]

_FONT = 9


def _reference_lines(wavelength_A: float) -> list[tuple[float, str, str]]:
    from qdcat.structure.lattice import CUINS2_A_A, CUINS2_C_A, ZNS_A_A
    from qdcat.xrd.bragg import two_theta_from_d_deg

    d112 = 1.0 / np.sqrt(2.0 / CUINS2_A_A**2 + 4.0 / CUINS2_C_A**2)
    d111 = ZNS_A_A / np.sqrt(3.0)
    return [
        (float(two_theta_from_d_deg(d112, wavelength_A)), "CuInS$_2$ (112)", "C3"),
        (float(two_theta_from_d_deg(d111, wavelength_A)), "ZnS (111)", "C0"),
    ]


def plot_pattern_fit(result: Result, *, title: str = "") -> Any:
    """Data, pseudo-Voigt model, background and components; residuals below."""
    from matplotlib.figure import Figure

    c = result.curves
    x, y, model = c["two_theta_deg"], c["data"], c["model"]
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax, ax_r = fig.subplots(2, 1, sharex=True, height_ratios=(4, 1))
    if "simulated_two_theta_deg" in c:
        ax.plot(
            c["simulated_two_theta_deg"],
            c["simulated_intensity"],
            "-",
            lw=0.8,
            color="0.75",
            label="Debye pattern (full range)",
        )
    ax.plot(x, y, ".", ms=2, color="0.35", label="data")
    ax.plot(x, c["background"], "--", lw=1, color="0.5", label="background")
    labels = result.metadata.get("peak_labels", [])
    for i, comp in enumerate(np.asarray(c["components"])):
        lab = labels[i] if i < len(labels) and labels[i] else None
        ax.fill_between(x, c["background"], c["background"] + comp, alpha=0.25, lw=0)
        centre = float(np.asarray(result.quantities["two_theta_deg"].value)[i])
        if lab:
            top = float(np.interp(centre, x, model))
            ax.annotate(
                lab,
                (centre, top),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=_FONT - 1,
            )
    ax.plot(x, model, "-", lw=1.4, color="C3", label="pseudo-Voigt fit")
    q = result.quantities
    if "d112_nm" in q:

        def fmt(name: str, scale: float = 1.0, unit: str = "") -> str:
            qq = q[name]
            return format_value(float(qq.value) * scale, _err(qq, scale), unit)

        k_text = f"{result.metadata.get('scherrer_K', 0.9):g}"
        text = (
            f"d$_{{112}}$ = {fmt('d112_nm', 10.0, 'Å')}"
            f"\nScherrer size = {fmt('scherrer_size_nm', 1.0, 'nm')} (K = {k_text})"
            f"\nVegard Zn fraction = {fmt('zn_fraction_vegard')}"
        )
        ax.text(0.98, 0.96, text, transform=ax.transAxes, ha="right", va="top", fontsize=_FONT - 1)
    for pos, lab, col in _reference_lines(float(result.metadata.get("wavelength_A", CU_KA1_A))):
        if x[0] <= pos <= x[-1]:
            ax.axvline(pos, color=col, lw=0.8, ls=":", label=lab)
    ax.set_ylabel("intensity (a.u.)", fontsize=_FONT + 1)
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="center right")
    ax.tick_params(labelsize=_FONT)
    if title:
        ax.set_title(title, fontsize=_FONT + 1)
    ax_r.plot(x, y - model, "-", lw=0.8, color="0.3")
    ax_r.axhline(0, color="C3", lw=0.8)
    ax_r.set_xlabel("2θ (deg, Cu Kα)", fontsize=_FONT + 1)
    ax_r.set_ylabel("residual", fontsize=_FONT)
    ax_r.tick_params(labelsize=_FONT)
    return fig


def _err(q: Any, scale: float = 1.0) -> float | None:
    return None if q.stderr is None else float(q.stderr) * scale


def plot_pattern_series(
    patterns: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    wavelength_A: float = CU_KA1_A,
    sticks: Mapping[str, Sequence[Any]] | None = None,
    peak_positions: Mapping[str, float] | None = None,
    title: str = "",
) -> Any:
    """Normalised, offset patterns of several samples with CuInS2 (112) / ZnS (111) marks.

    ``patterns``: sample -> (two_theta_deg, intensity); ``sticks``: phase name -> list of
    :class:`qdcat.xrd.bragg.Reflection` drawn as bars below; ``peak_positions``: sample ->
    fitted (112) position, marked on each trace. Like the seed paper's Fig. 2a, with an inset
    of the main peak.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 5.0), layout="constrained")
    ax, ax_zoom = fig.subplots(1, 2, width_ratios=(2.2, 1))
    n = len(patterns)
    for i, (name, (x, y)) in enumerate(patterns.items()):
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
        lo = float(np.percentile(ya, 1))
        norm = (ya - lo) / (float(ya.max()) - lo or 1.0)
        offset = (n - 1 - i) * 0.8
        for a in (ax, ax_zoom):
            a.plot(xa, norm + offset, "-", lw=1.0, color=f"C{i}", label=name if a is ax else None)
        if peak_positions and name in peak_positions:
            p = peak_positions[name]
            ax_zoom.plot([p], [float(np.interp(p, xa, norm)) + offset], "v", color=f"C{i}", ms=5)
    base = -0.15
    if sticks:
        for j, (phase, lines) in enumerate(sticks.items()):
            colour = ("C3", "C0", "C2")[j % 3]
            for r in lines:
                h = 0.6 * r.intensity / 100.0
                ax.vlines(
                    r.two_theta_deg,
                    base - 0.7 * (j + 1),
                    base - 0.7 * (j + 1) + h,
                    color=colour,
                    lw=1.2,
                )
            ax.text(
                0.99,
                base - 0.7 * (j + 1) + 0.35,
                phase,
                color=colour,
                fontsize=_FONT - 1,
                ha="right",
                transform=ax.get_yaxis_transform(),
            )
    for pos, lab, col in _reference_lines(wavelength_A):
        for a in (ax, ax_zoom):
            a.axvline(pos, color=col, lw=0.8, ls=":", label=lab if a is ax_zoom else None)
    ax.set_xlabel("2θ (deg, Cu Kα)", fontsize=_FONT + 1)
    ax.set_ylabel("normalised intensity (offset)", fontsize=_FONT + 1)
    ax.set_yticks([])
    ax.legend(fontsize=_FONT - 1, frameon=False, loc="upper right")
    ax.tick_params(labelsize=_FONT)
    ax_zoom.set_xlim(24.0, 32.0)
    ax_zoom.set_yticks([])
    ax_zoom.set_xlabel("2θ (deg)", fontsize=_FONT + 1)
    ax_zoom.set_title("main peak", fontsize=_FONT)
    ax_zoom.legend(fontsize=_FONT - 2, frameon=False, loc="lower center")
    ax_zoom.tick_params(labelsize=_FONT)
    if title:
        fig.suptitle(title, fontsize=_FONT + 1)
    return fig


def plot_fringe_check(check: Any, *, title: str = "") -> Any:
    """Zone-axis maps: the reflections of the stated zone and of the zone the pair defines.

    Each panel shows the allowed reflections of one zone (spots at ``1/d`` in the plane
    perpendicular to the zone axis) and circles at the measured ``1/d1`` and ``1/d2``: a
    zone can show the measured fringes only if spots lie on both circles at the measured
    angle.
    """
    from matplotlib.figure import Figure

    from qdcat.structure.crystallography import format_indices, zone_reflections

    lattice = check.lattice
    zones = [("pair zone", check.pair_zone)]
    if check.claimed_zone is not None and tuple(check.claimed_zone) != tuple(check.pair_zone):
        zones.append(("stated zone", check.claimed_zone))
    fig = Figure(figsize=(4.0 * len(zones), 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(zones)))
    gs = lattice.reciprocal_metric_tensor
    d_min = min(check.d_measured_A) * 0.85
    for ax, (what, zone) in zip(axes, zones, strict=True):
        refl = zone_reflections(lattice, zone, d_min, check.structure)
        pts = [np.array(h, dtype=float) for h, _ in refl]
        # orthonormal 2-D frame in the zone plane (reciprocal metric)
        if pts:
            e1 = pts[0] / np.sqrt(pts[0] @ gs @ pts[0])
            other = next(
                (p for p in pts[1:] if abs(p @ gs @ e1) / np.sqrt(p @ gs @ p) < 0.999), None
            )
            e2 = None
            if other is not None:
                v = other - (other @ gs @ e1) * e1
                e2 = v / np.sqrt(v @ gs @ v)
            for (h, _d), p in zip(refl, pts, strict=True):
                xy = np.array([p @ gs @ e1, 0.0 if e2 is None else p @ gs @ e2])
                for sgn in (1, -1):
                    ax.plot(*(sgn * xy), "o", color="0.2", ms=4)
                ax.annotate(
                    format_indices(h),
                    xy,
                    xytext=(3, 3),
                    textcoords="offset points",
                    fontsize=_FONT - 2,
                )
        ax.plot(0, 0, "k+", ms=6)
        t = np.linspace(0, 2 * np.pi, 200)
        for k, (dm, hkl) in enumerate(zip(check.d_measured_A, check.hkl, strict=True)):
            r = 1.0 / dm
            ax.plot(
                r * np.cos(t),
                r * np.sin(t),
                "-",
                color=f"C{3 + k}",
                lw=1,
                label=f"measured {dm / 10:.3f} nm, stated {format_indices(hkl)}",
            )
        lim = 1.15 / d_min
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel("g (1/Å)", fontsize=_FONT)
        ax.set_ylabel("g (1/Å)", fontsize=_FONT)
        ax.set_title(f"{what} {format_indices(zone, '[]')}", fontsize=_FONT + 1)
        ax.tick_params(labelsize=_FONT - 1)
        ax.legend(fontsize=_FONT - 2, frameon=False, loc="lower left")
    if title:
        fig.suptitle(title, fontsize=_FONT + 1)
    return fig
