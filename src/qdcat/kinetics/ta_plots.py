"""Figures for fs transient absorption and its global/target analysis.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state): save it with ``fig.savefig(...)``. Each takes an optional ``ax`` to draw into an existing
figure instead. Delays are shown on a symmetric-log axis: linear around time zero (the rise and
the IRF), logarithmic after it, as in Fig. 4c-e of Cai et al. (ACS Catal. 2023).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from qdcat.core.errors import InputError
from qdcat.kinetics.global_analysis import (
    TIME,
    WAVELENGTH,
    GlobalFitResult,
    _as_ta,
    _estimate_onset,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_concentrations",
    "plot_das",
    "plot_residuals",
    "plot_ta_map",
    "plot_ta_map_comparison",
    "plot_ta_overview",
    "plot_ta_spectra",
    "plot_ta_traces",
]

_INF = "\u221e"
_MOD = "\u0394A"  # Delta A
_MOD_M = "\u0394A (mOD)"


def _new_ax(ax: Axes | None, size: tuple[float, float] = (6.0, 4.2)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _time_zero(obj: Any) -> float:
    if isinstance(obj, GlobalFitResult):
        return obj.irf_center_ps
    t, wl, Y, _ = _as_ta(obj)
    return _estimate_onset(t, wl, Y, 0, float(wl.mean()))[0]


def _symlog(axis_setter: Any, t: np.ndarray, t0: float) -> float:
    """Symmetric-log delay axis when the delays span decades; returns the linear threshold."""
    span = float(t.max() - t0)
    lin = max(1.0, 2.0 * abs(t0) + 1.0)
    if span > 20 * lin:
        axis_setter("symlog", linthresh=lin, linscale=1.0)
    return lin


def _mod(values: np.ndarray) -> tuple[np.ndarray, str]:
    """Show delta A in mOD when the signal is below 0.1 OD."""
    vmax = float(np.nanmax(np.abs(values))) if values.size else 0.0
    if 0 < vmax < 0.1:
        return values * 1e3, _MOD_M
    return values, _MOD


def _map_data(obj: Any) -> xr.DataArray:
    if isinstance(obj, GlobalFitResult):
        return obj.data.transpose(TIME, WAVELENGTH)
    return _as_ta(obj)[3]


def plot_ta_map(
    data: xr.DataArray | GlobalFitResult,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "RdBu_r",
    time_zero_ps: float | None = None,
) -> Figure:
    """2-D map ``delta A(wavelength, delay)``: wavelength across, delay up (symlog), colour
    symmetric about zero (limits at the 99.5th percentile of ``|delta A|``)."""
    da = _map_data(data)
    fig, ax = _new_ax(ax)
    t = da[TIME].values
    wl = da[WAVELENGTH].values
    z, label = _mod(da.values)
    lim = float(np.percentile(np.abs(z), 99.5)) or 1.0
    mesh = ax.pcolormesh(
        wl, t, z, shading="nearest", cmap=cmap, norm=TwoSlopeNorm(0.0, -lim, lim), rasterized=True
    )
    _symlog(ax.set_yscale, t, _time_zero(data) if time_zero_ps is None else time_zero_ps)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("delay (ps)")
    ax.set_title(title if title is not None else "transient absorption")
    fig.colorbar(mesh, ax=ax, label=label)
    return fig


def plot_ta_spectra(
    data: xr.DataArray | GlobalFitResult,
    delays_ps: Sequence[float],
    *,
    ax: Axes | None = None,
) -> Figure:
    """Spectra at the delays nearest to ``delays_ps`` (one line each, colour by delay)."""
    da = _map_data(data)
    if not len(delays_ps):
        raise InputError("no delays given", field="delays_ps")
    fig, ax = _new_ax(ax)
    t = da[TIME].values
    z, label = _mod(da.values)
    colors = _colors(len(delays_ps), fig)
    for c, d in zip(colors, delays_ps, strict=True):
        i = int(np.argmin(np.abs(t - float(d))))
        ax.plot(da[WAVELENGTH].values, z[i], color=c, lw=1.2, label=f"{t[i]:.3g} ps")
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel(label)
    ax.legend(fontsize="small", title="delay", ncols=2 if len(delays_ps) > 5 else 1)
    ax.set_title("spectra")
    return fig


def _colors(n: int, fig: Figure) -> list[Any]:
    import matplotlib as mpl

    cmap = mpl.colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.9, max(n, 1))]


def _require_result(result: Any, name: str) -> GlobalFitResult:
    if not isinstance(result, GlobalFitResult):
        raise InputError(
            f"{name} needs a fit result",
            expected="a GlobalFitResult from fit_ta",
            found=type(result).__name__,
            has_found=True,
        )
    return result


def plot_ta_traces(
    result: GlobalFitResult,
    wavelengths_nm: Sequence[float] | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Kinetic traces (points) and the fit (lines) at the wavelengths nearest ``wavelengths_nm``
    (default: the extremes of the largest spectrum and its middle)."""
    res = _require_result(result, "plot_ta_traces")
    data = res.data.transpose(TIME, WAVELENGTH)
    wl = data[WAVELENGTH].values
    t = data[TIME].values
    if wavelengths_nm is None:
        s = res.spectra.values
        top = s[int(np.argmax(np.max(np.abs(s), axis=1)))]
        wavelengths_nm = sorted(
            {float(wl[np.argmax(top)]), float(wl[np.argmin(top)]), float(np.median(wl))}
        )
    fig, ax = _new_ax(ax)
    zd, label = _mod(data.values)
    scale = (
        zd.flat[np.argmax(np.abs(zd))] / data.values.flat[np.argmax(np.abs(data.values))]
        if data.values.size
        else 1.0
    )
    zf = res.fitted.transpose(TIME, WAVELENGTH).values * scale
    colors = _colors(len(wavelengths_nm), fig)
    for c, w in zip(colors, wavelengths_nm, strict=True):
        j = int(np.argmin(np.abs(wl - float(w))))
        ax.plot(t, zd[:, j], "o", ms=2.0, color=c, alpha=0.6)
        ax.plot(t, zf[:, j], "-", lw=1.3, color=c, label=f"{wl[j]:.0f} nm")
    _symlog(ax.set_xscale, t, res.irf_center_ps)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("delay (ps)")
    ax.set_ylabel(label)
    ax.legend(fontsize="small", title="data (o), fit (-)")
    ax.set_title("kinetic traces")
    return fig


def plot_das(result: GlobalFitResult, *, ax: Axes | None = None, das: bool = False) -> Figure:
    """The fitted spectra (DAS/EAS/SAS) with +-1 standard-error bands, labelled with lifetimes.

    ``das=True`` shows the decay-associated spectra of any scheme instead.
    """
    res = _require_result(result, "plot_das")
    fig, ax = _new_ax(ax)
    if das or res.spectra_kind == "DAS":
        spec, err = res.das, res.das_stderr
        kind = "DAS"
        labels = [
            f"\u03c4 = {_fmt_tau(1 / r) if r > 0 else _INF}" for r in res.das["rate_per_ps"].values
        ]
    else:
        spec, err = res.spectra, res.spectra_stderr
        kind = res.spectra_kind
        labels = [str(c) for c in spec["component"].values]
        if res.model.kind == "sequential":
            labels = [
                f"{c} (\u03c4 = {_fmt_tau(1 / k) if k > 0 else _INF})"
                for c, k in zip(labels, res.rates_per_ps, strict=False)
            ]
    wl = spec[WAVELENGTH].values
    # components faster than half the IRF FWHM (coherent-artefact-like) do not set the y range
    # nor the unit
    fast = _fast_components(res, kind, spec)
    keep = [i for i in range(spec.shape[0]) if not fast[i]] or list(range(spec.shape[0]))
    _, label = _mod(spec.values[keep])
    factor = 1e3 if label == _MOD_M else 1.0
    z = spec.values * factor
    e = err.values * factor
    colors = _colors(len(labels), fig)
    for i, (c, lab) in enumerate(zip(colors, labels, strict=True)):
        if not np.any(spec.values[i]):
            continue
        ok = np.isfinite(e[i])
        if fast[i]:
            ax.plot(wl, z[i], color=c, lw=1.0, ls="--", label=lab + " (< IRF)")
            continue
        ax.plot(wl, z[i], color=c, lw=1.4, label=lab)
        ax.fill_between(wl[ok], (z[i] - e[i])[ok], (z[i] + e[i])[ok], color=c, alpha=0.25, lw=0)
    slow = [i for i in range(len(labels)) if not fast[i] and np.any(spec.values[i])]
    if slow and any(fast):
        lo = float(np.nanmin(z[slow] - np.nan_to_num(e[slow])))
        hi = float(np.nanmax(z[slow] + np.nan_to_num(e[slow])))
        pad = 0.08 * (hi - lo) or 1.0
        ax.set_ylim(lo - pad, hi + pad)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel(label)
    ax.legend(fontsize="small")
    ax.set_title(f"{kind} (bands: \u00b11 s.e.)")
    return fig


def _fast_components(res: GlobalFitResult, kind: str, spec: xr.DataArray) -> list[bool]:
    """Which spectra belong to decays faster than half the IRF FWHM."""
    limit = 2.0 / res.irf_fwhm_ps
    if kind == "DAS":
        return [bool(r > limit) for r in spec["rate_per_ps"].values]
    K = res.model.k_matrix(
        {k: v.value for k, v in res.parameters.items() if k in res.model.parameter_names}
    )
    out = -np.diag(K) > limit
    return [bool(x) for x in out]


def _fmt_tau(tau: float) -> str:
    if tau >= 1000:
        return f"{tau / 1000:.3g} ns"
    if tau < 1:
        return f"{tau * 1000:.3g} fs"
    return f"{tau:.3g} ps"


def plot_residuals(result: GlobalFitResult, *, ax: Axes | None = None) -> Figure:
    """Residual map (data - fit), same axes as :func:`plot_ta_map`, with the RMSE in the title."""
    res = _require_result(result, "plot_residuals")
    r = res.residuals.transpose(TIME, WAVELENGTH)
    return plot_ta_map(
        r, ax=ax, title=f"residuals (RMSE {res.rmse:.2g})", time_zero_ps=res.irf_center_ps
    )


def plot_concentrations(result: GlobalFitResult, *, ax: Axes | None = None) -> Figure:
    """Populations of the compartments after the IRF (at the chirp reference wavelength)."""
    res = _require_result(result, "plot_concentrations")
    fig, ax = _new_ax(ax)
    c = res.concentrations
    t = c[TIME].values
    for col, name in zip(_colors(c.shape[1], fig), c["component"].values, strict=True):
        ax.plot(t, c.sel(component=name).values, color=col, lw=1.4, label=str(name))
    _symlog(ax.set_xscale, t, res.irf_center_ps)
    ax.set_xlabel("delay (ps)")
    ax.set_ylabel("population")
    ax.legend(fontsize="small")
    ax.set_title("populations")
    return fig


def plot_ta_overview(
    result: GlobalFitResult, wavelengths_nm: Sequence[float] | None = None
) -> Figure:
    """One figure for a report: data map, spectra (DAS/EAS/SAS), populations, traces with fit,
    residual map and the first residual singular vectors."""
    res = _require_result(result, "plot_ta_overview")
    fig = Figure(figsize=(15.0, 8.6), layout="constrained")
    axes = fig.subplots(2, 3)
    plot_ta_map(res, ax=axes[0, 0], title="data")
    plot_das(res, ax=axes[0, 1])
    plot_concentrations(res, ax=axes[0, 2])
    plot_ta_traces(res, wavelengths_nm, ax=axes[1, 0])
    plot_residuals(res, ax=axes[1, 1])
    ax = axes[1, 2]
    sv = res.residual_svd
    wl = sv.spectral_vectors[WAVELENGTH].values
    for i in range(min(2, sv.singular_values.size)):
        ax.plot(
            wl,
            sv.spectral_vectors.values[i],
            lw=1.2,
            label=f"RSV {i + 1} (s = {sv.singular_values[i]:.2g})",
        )
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("residual right singular vector")
    ax.legend(fontsize="small")
    ax.set_title("residual SVD")
    taus = ", ".join(
        f"1/{n} = {_fmt_tau(1 / k)}"
        for n, k, v in zip(
            res.rate_names,
            res.rates_per_ps,
            [res.parameters[n].vary for n in res.rate_names],
            strict=True,
        )
        if k > 0 and v
    )
    state = "" if res.converged else "  [NOT CONVERGED]"
    fig.suptitle(
        f"{res.model.name or res.model.kind} ({res.spectra_kind}): {taus}; IRF FWHM "
        f"{res.irf_fwhm_ps * 1000:.0f} fs{state}"
    )
    return fig


def plot_ta_map_comparison(
    maps: Mapping[str, xr.DataArray | GlobalFitResult],
    delays_ps: Sequence[float] = (1.0, 10.0, 100.0, 1000.0),
) -> Figure:
    """Samples side by side: the 2-D maps (top row, like Fig. 4c-e of Cai et al.) and the
    spectra at ``delays_ps`` (bottom row, like Fig. 4f-h), on one wavelength axis per column.

    Each map has its own symmetric colour scale (the samples' signals differ in size); the
    spectra are in mOD when the signals are small.
    """
    if not isinstance(maps, Mapping) or not maps:
        raise InputError(
            "no maps to compare",
            field="maps",
            expected="a non-empty mapping of sample name to a TA map or global-fit result",
            found=type(maps).__name__,
        )
    n = len(maps)
    fig = Figure(figsize=(4.6 * n, 7.6), layout="constrained")
    axes = np.asarray(fig.subplots(2, n, squeeze=False))
    for j, (name, obj) in enumerate(maps.items()):
        plot_ta_map(obj, ax=axes[0, j], title=name)
        plot_ta_spectra(obj, delays_ps, ax=axes[1, j])
        axes[1, j].set_title(f"{name}: spectra")
        if j:
            axes[0, j].set_ylabel("")
            axes[1, j].set_ylabel("")
    return fig
