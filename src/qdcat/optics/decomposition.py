"""Decomposition of the absorption edge into the band-edge exciton (Abs1) and the Cu+ intragap
band (Abs2), as in Fig. 4b and Table S4 of the seed paper.

Model
-----
The spectrum, as a function of photon energy ``E`` (eV), is fitted by the forward model of
:mod:`qdcat.optics.absorption` (see there for the physics of each term)::

    A(E) = a1 G(E; E1, s1)                        Abs1: band-edge exciton (VB -> CB)
         + a2 G(E; E1 - d, s2)                    Abs2: Cu+ 3d -> CB, d > 0 below the exciton
         + ac [1 + erf((E - E1) / (sqrt2 s1))] / 2 (E / E1)^p     interband continuum
         + sc (E / E_500nm)^4                     Rayleigh-like scatter

with ``G(E; c, s) = exp(-(E - c)^2 / (2 s^2))``: Gaussians in energy over a Gaussian-broadened
step continuum with a power-law rise. Nine parameters: five enter non-linearly
(``E1, s1, d, s2, p``) and four linearly (``a1, a2, ac, sc``, all >= 0).

Fit
---
1. Start values. The band gap by the second-derivative method
   (:func:`~qdcat.optics.band_gap_second_derivative`) places the exciton. A grid of start
   values of the non-linear parameters around it (exciton -60 to 0 meV from the gap, widths
   60/100 meV, Abs2 offsets 0.1/0.2/0.3 eV, Abs2 widths 80/150 meV) is scored with the
   amplitudes solved by non-negative least squares (a variable-projection scan).
2. The three best starts are refined by bounded least squares (``scipy.optimize.least_squares``,
   trust-region reflective) on all nine parameters; the lowest residual wins.
3. Standard errors from the Jacobian at the optimum, ``cov = s^2 (J^T J)^-1`` with
   ``s^2 = SSR / (N - 9)``; derived quantities (areas, the Abs2/Abs1 ratio, the Abs2 position)
   by first-order propagation with the full covariance. ``fit.chi2_reduced`` compares the
   residual with the noise of the absorbance estimated independently (as in the band-gap
   analysis): values well above 1 mean the model misses structure in the spectrum.

The Abs2/Abs1 *area ratio* ``(a2 s2) / (a1 s1)`` (each Gaussian's area is
``a s sqrt(2 pi)`` in absorbance x eV) measures the Cu+ intragap absorption relative to the
band-edge exciton; the paper tabulates the two components per sample (Table S4) and reads a
weak Abs2 as a sign of Cu2+-dominated, Cu-deficient dots.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.optimize import least_squares, nnls
from scipy.special import erf

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.core.results import FitQuality, Quantity, Result, format_value
from qdcat.core.validation import energy_window
from qdcat.optics.absorption import SCATTER_REFERENCE_eV
from qdcat.optics.bandgap import _noise_sigma, _validated_axis, band_gap_second_derivative

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PARAMETERS",
    "decompose_edge",
    "plot_edge_decomposition",
    "plot_edge_decomposition_comparison",
]

#: Fitted parameters, in the order of the covariance matrix (names as in absorbance_model).
PARAMETERS = (
    "exciton_eV",
    "exciton_width_eV",
    "abs2_offset_eV",
    "abs2_width_eV",
    "continuum_exponent",
    "exciton_amplitude",
    "abs2_amplitude",
    "continuum_amplitude",
    "scatter",
)
_N_NONLINEAR = 5
_FWHM = 2.0 * math.sqrt(2.0 * math.log(2.0))
_SQRT_2PI = math.sqrt(2.0 * math.pi)
MIN_POINTS = 20


def _basis(E: NDArray[np.float64], theta: NDArray[np.float64]) -> NDArray[np.float64]:
    """The four linear basis functions (columns) for non-linear parameters ``theta``."""
    e1, s1, d, s2, p = theta
    g1 = np.exp(-0.5 * ((E - e1) / s1) ** 2)
    g2 = np.exp(-0.5 * ((E - (e1 - d)) / s2) ** 2)
    step = 0.5 * (1.0 + erf((E - e1) / (math.sqrt(2.0) * s1)))
    cont = step * (E / e1) ** p
    scat = (E / SCATTER_REFERENCE_eV) ** 4
    return np.stack([g1, g2, cont, scat], axis=1)


def _model(E: NDArray[np.float64], params: NDArray[np.float64]) -> NDArray[np.float64]:
    return _basis(E, params[:_N_NONLINEAR]) @ params[_N_NONLINEAR:]


def _bounds(E: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lo = np.array([E[0], 0.01, 0.03, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0])
    hi = np.array([E[-1], 0.5, 0.8, 0.5, 10.0, np.inf, np.inf, np.inf, np.inf])
    return lo, hi


def _scan(
    E: NDArray[np.float64], A: NDArray[np.float64], eg: float, fit_scatter: bool
) -> list[tuple[float, NDArray[np.float64]]]:
    """Start values: a grid of non-linear parameters, amplitudes by NNLS; best first."""
    lo, hi = _bounds(E)
    scored = []
    for de, s1, d, s2 in itertools.product(
        (-0.06, -0.03, 0.0), (0.06, 0.10), (0.1, 0.2, 0.3), (0.08, 0.15)
    ):
        theta = np.array([eg + de, s1, d, s2, 2.0])
        theta = np.clip(theta, lo[:_N_NONLINEAR], hi[:_N_NONLINEAR])
        B = _basis(E, theta)
        if not fit_scatter:
            B = B[:, :3]
        amps, rnorm = nnls(B, A)
        if not fit_scatter:
            amps = np.append(amps, 0.0)
        scored.append((float(rnorm), np.concatenate([theta, amps])))
    scored.sort(key=lambda t: t[0])
    return scored


def _energy_spectrum(spectrum: Any) -> tuple[str, NDArray[np.float64], NDArray[np.float64]]:
    from qdcat.io.spectra import to_absorbance

    if isinstance(spectrum, xr.DataArray) and spectrum.attrs.get("quantity") == "transmittance":
        spectrum = to_absorbance(spectrum)
    dim, x, y = _validated_axis(spectrum, label="absorbance", min_points=MIN_POINTS)
    E = HC_eV_nm / x if dim == "wavelength_nm" else x
    order = np.argsort(E)
    return dim, E[order], y[order]


def _grad_ratio(p: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
    """Abs2/Abs1 area ratio r = (a2 s2)/(a1 s1) and its gradient over the parameters."""
    s1, s2, a1, a2 = p[1], p[3], p[5], p[6]
    r = (a2 * s2) / (a1 * s1)
    g = np.zeros(p.size)
    g[1] = -r / s1
    g[3] = a2 / (a1 * s1)
    g[5] = -r / a1
    g[6] = s2 / (a1 * s1)
    return float(r), g


def _se(g: NDArray[np.float64], cov: NDArray[np.float64]) -> float:
    v = float(g @ cov @ g)
    return math.sqrt(v) if v >= 0 and math.isfinite(v) else float("nan")


def decompose_edge(
    spectrum: xr.DataArray,
    *,
    energy_range_eV: tuple[float, float] | None = None,
    fit_scatter: bool = True,
    max_evaluations: int = 2000,
) -> Result:
    """Fit the absorption edge with the Abs1 (exciton) + Abs2 (Cu+ intragap) + continuum
    (+ scatter) model and report both bands and their area ratio.

    Parameters
    ----------
    spectrum:
        Absorbance over ``'wavelength_nm'`` (nm) or ``'energy_eV'`` (eV), either direction,
        at least 20 points (a transmittance spectrum from the readers is converted). It should
        reach well below the edge (the transparent tail constrains Abs2 and the scatter) and
        some tenths of an eV above it.
    energy_range_eV:
        ``(low, high)`` photon energies (eV) to fit; default the whole spectrum.
    fit_scatter:
        Fit the ``E^4`` scatter term (default); ``False`` fixes it at 0.
    max_evaluations:
        Limit of model evaluations per refinement.

    Returns
    -------
    Result
        ``analysis='edge_decomposition'``. Quantities (with standard errors): ``exciton_eV``,
        ``exciton_nm``, ``exciton_fwhm_eV``, ``abs1_amplitude``, ``abs1_area_eV``, ``abs2_eV``,
        ``abs2_nm``, ``abs2_offset_eV``, ``abs2_fwhm_eV``, ``abs2_amplitude``,
        ``abs2_area_eV``, ``abs2_abs1_area_ratio``, ``abs1_area_fraction``,
        ``continuum_amplitude``, ``continuum_exponent``, ``scatter_absorbance``. ``fit`` holds
        convergence and chi^2 per degree of freedom against the estimated noise; curves
        ``energy_eV``, ``absorbance``, ``fit``, ``abs1``, ``abs2``, ``continuum``,
        ``scatter``, ``residual``; ``metadata`` the parameters, the correlation matrix and the
        model.

    Raises
    ------
    InputError
        Bad axis or values, too few points, a range with too few points, or no absorption
        edge (from the second-derivative start).
    """
    dim, E_all, A_all = _energy_spectrum(spectrum)
    source = spectrum.attrs.get("source_file") if isinstance(spectrum, xr.DataArray) else None
    sel = energy_window(E_all, energy_range_eV, min_points=MIN_POINTS)
    E, A = E_all[sel], A_all[sel]
    gap_input = xr.DataArray(A, dims="energy_eV", coords={"energy_eV": E})
    eg = float(band_gap_second_derivative(gap_input).quantities["band_gap_eV"].value)
    sigma = _noise_sigma(A, 3)
    lo, hi = _bounds(E)
    if not fit_scatter:
        hi[8] = 1e-12
    starts = _scan(E, A, eg, fit_scatter)[:3]

    def resid(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return _model(E, p) - A

    best = None
    n_eval = 0
    upper = hi.copy()
    finite = np.isfinite(hi)
    upper[finite] -= 1e-9 * (1.0 + np.abs(hi[finite]))
    for _, p0 in starts:
        p0 = np.clip(p0, lo, upper)
        p0[_N_NONLINEAR:] = np.maximum(p0[_N_NONLINEAR:], 1e-6 * float(np.max(np.abs(A))))
        if not fit_scatter:
            p0[8] = 0.0
        res = least_squares(
            resid,
            p0,
            bounds=(lo, hi),
            method="trf",
            x_scale="jac",
            max_nfev=max_evaluations,
        )
        n_eval += int(res.nfev)
        if best is None or res.cost < best.cost:
            best = res
    assert best is not None
    p = best.x
    n, k = E.size, (len(PARAMETERS) if fit_scatter else len(PARAMETERS) - 1)
    ssr = float(np.sum(best.fun**2))
    dof = max(n - k, 1)
    s2 = ssr / dof
    J = best.jac if fit_scatter else best.jac[:, :8]
    warnings: list[str] = []
    try:
        cov_k = s2 * np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        cov_k = s2 * np.linalg.pinv(J.T @ J)
        warnings.append("the fit's normal matrix is singular: standard errors are unreliable")
    cov = np.zeros((9, 9))
    cov[:k, :k] = cov_k
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    converged = bool(best.success) and best.status > 0
    if not converged:
        warnings.append(f"the fit did not converge: {best.message}")
    at_lower = np.isclose(p, lo, rtol=0, atol=1e-9) & (np.arange(9) >= 5)
    if at_lower[6]:
        warnings.append(
            "no intragap Abs2 band detected: its amplitude is at the bound 0 (the Abs2/Abs1 "
            "ratio is 0 within its error)"
        )
    if at_lower[5]:
        warnings.append("no exciton band Abs1 detected: its amplitude is at the bound 0")
    for name, i in (("exciton centre", 0), ("Abs2 offset", 2), ("exciton width", 1)):
        if math.isclose(p[i], lo[i], abs_tol=1e-6) or math.isclose(p[i], hi[i], abs_tol=1e-6):
            warnings.append(f"the {name} ended at the limit of its range ({p[i]:.3f} eV)")
    chi2_red = s2 / sigma**2 if sigma > 0 else None
    if chi2_red is not None and chi2_red > 4.0:
        warnings.append(
            f"the model leaves residuals {math.sqrt(chi2_red):.1f} x the noise of the spectrum "
            "(chi2/dof = {:.1f}): it misses structure, the components are model-dependent".format(
                chi2_red
            )
        )

    e1, s1, d, s2w, pexp, a1, a2, ac, sc = p
    ratio, g_ratio = _grad_ratio(p)
    area1, area2 = a1 * s1 * _SQRT_2PI, a2 * s2w * _SQRT_2PI
    g_area1 = np.zeros(9)
    g_area1[[1, 5]] = [a1 * _SQRT_2PI, s1 * _SQRT_2PI]
    g_area2 = np.zeros(9)
    g_area2[[3, 6]] = [a2 * _SQRT_2PI, s2w * _SQRT_2PI]
    frac = area1 / (area1 + area2) if area1 + area2 > 0 else float("nan")
    g_frac = (g_area1 * area2 - g_area2 * area1) / (area1 + area2) ** 2
    g_abs2 = np.zeros(9)
    g_abs2[[0, 2]] = [1.0, -1.0]
    e2 = e1 - d
    q = Quantity

    def nm(e: float, err: float) -> Quantity:
        return q(HC_eV_nm / e, HC_eV_nm / e**2 * err, "nm", "wavelength hc/E")

    quantities = {
        "exciton_eV": q(e1, se[0], "eV", "centre of the band-edge exciton Abs1"),
        "exciton_nm": nm(e1, se[0]),
        "exciton_fwhm_eV": q(_FWHM * s1, _FWHM * se[1], "eV", "FWHM of Abs1"),
        "abs1_amplitude": q(a1, se[5], "", "peak absorbance of Abs1"),
        "abs1_area_eV": q(area1, _se(g_area1, cov), "eV", "area of Abs1 (absorbance x eV)"),
        "abs2_eV": q(e2, _se(g_abs2, cov), "eV", "centre of the Cu+ intragap band Abs2"),
        "abs2_nm": nm(e2, _se(g_abs2, cov)),
        "abs2_offset_eV": q(d, se[2], "eV", "Abs2 below the exciton"),
        "abs2_fwhm_eV": q(_FWHM * s2w, _FWHM * se[3], "eV", "FWHM of Abs2"),
        "abs2_amplitude": q(a2, se[6], "", "peak absorbance of Abs2"),
        "abs2_area_eV": q(area2, _se(g_area2, cov), "eV", "area of Abs2 (absorbance x eV)"),
        "abs2_abs1_area_ratio": q(
            ratio, _se(g_ratio, cov), "", "Abs2/Abs1 area ratio (Cu+ intragap vs exciton)"
        ),
        "abs1_area_fraction": q(frac, _se(g_frac, cov), "", "Abs1 / (Abs1 + Abs2) areas"),
        "continuum_amplitude": q(ac, se[7], "", "interband continuum step height"),
        "continuum_exponent": q(pexp, se[4], "", "power-law rise of the continuum"),
        "scatter_absorbance": q(
            sc, se[8] if fit_scatter else None, "", "scatter absorbance at 500 nm (E^4)"
        ),
    }
    basis = _basis(E, p[:_N_NONLINEAR])
    parts = basis * p[_N_NONLINEAR:]
    fitted = parts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(se, se)
    metadata: dict[str, Any] = {
        "method": "Abs1 + Abs2 Gaussians in energy over an erf-step power-law continuum "
        "+ E^4 scatter, bounded least squares",
        "parameters": dict(zip(PARAMETERS, (float(v) for v in p), strict=True)),
        "parameter_stderr": dict(zip(PARAMETERS, (float(v) for v in se), strict=True)),
        "correlation": [[float(v) if np.isfinite(v) else None for v in row] for row in corr],
        "fit_range_eV": [float(E[0]), float(E[-1])],
        "second_derivative_gap_eV": eg,
        "noise_absorbance_estimate": float(sigma),
        "fit_scatter": bool(fit_scatter),
        "input_dimension": dim,
    }
    if source is not None:
        metadata["source_file"] = str(source)
    return Result(
        analysis="edge_decomposition",
        quantities=quantities,
        fit=FitQuality(
            converged=converged,
            n_evaluations=n_eval,
            n_points=int(n),
            n_parameters=int(k),
            rmse=math.sqrt(ssr / n),
            chi2_reduced=chi2_red,
            message=str(best.message),
        ),
        warnings=tuple(warnings),
        metadata=metadata,
        curves={
            "energy_eV": E,
            "absorbance": A,
            "fit": fitted,
            "abs1": parts[:, 0],
            "abs2": parts[:, 1],
            "continuum": parts[:, 2],
            "scatter": parts[:, 3],
            "residual": A - fitted,
        },
    )


# --------------------------------------------------------------------------------------------
# figures


def _check(result: Result, name: str = "result") -> None:
    need = ("energy_eV", "absorbance", "fit", "abs1", "abs2", "continuum", "scatter")
    missing = [c for c in need if c not in result.curves]
    if not isinstance(result, Result) or "abs2_abs1_area_ratio" not in result.quantities:
        raise InputError(
            "not an edge-decomposition result",
            field=name,
            expected="a Result of decompose_edge",
            found=type(result).__name__,
        )
    if missing:
        raise InputError(
            "the result carries no curves to plot",
            field=f"{name}.curves",
            expected=", ".join(need),
            found=missing,
        )


def plot_edge_decomposition(result: Result, ax: Axes | None = None) -> Figure:
    """Fig. 4b-style figure of one decomposition: the measured absorbance, the fit, Abs1 and
    Abs2 (shaded) and the continuum + scatter, against photon energy (wavelength on top); with
    ``ax=None`` a residual panel below."""
    from matplotlib.figure import Figure

    from qdcat.optics.bandgap import _nm_axis

    _check(result)
    c = {k: np.asarray(v, dtype=float) for k, v in result.curves.items()}
    E = c["energy_eV"]
    if ax is None:
        fig = Figure(figsize=(6.0, 5.6), layout="constrained")
        ax, ax_r = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    else:
        fig, ax_r = ax.figure, None
    base = c["continuum"] + c["scatter"]
    ax.plot(E, c["absorbance"], ".", ms=2.5, color="0.5", label="measured", zorder=1)
    ax.plot(E, c["fit"], "-", color="k", lw=1.4, label="fit", zorder=3)
    ax.fill_between(E, 0, c["abs1"], color="C0", alpha=0.35, lw=0, label="Abs1 (exciton)")
    ax.fill_between(E, 0, c["abs2"], color="C3", alpha=0.45, lw=0, label="Abs2 (Cu$^+$ → CB)")
    ax.plot(E, base, "--", color="C2", lw=1.2, label="continuum + scatter")
    ratio = result.quantities["abs2_abs1_area_ratio"]
    x1 = result.quantities["exciton_eV"]
    x2 = result.quantities["abs2_eV"]
    ax.set_title(
        f"Abs1 {float(x1.value):.3f} eV, Abs2 {float(x2.value):.3f} eV, "
        f"Abs2/Abs1 = {format_value(float(ratio.value), _err(ratio))}",
        fontsize=10,
    )
    e_max = min(float(E[-1]), float(x1.value) + 0.7)
    e_min = max(float(E[0]), float(x2.value) - 0.6)
    ax.set_xlim(e_min, e_max)
    inside = (e_min <= E) & (e_max >= E)
    ax.set_ylim(0.0, 1.1 * float(np.max(c["absorbance"][inside])))
    ax.set_ylabel("absorbance", fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    _nm_axis(ax)
    if ax_r is None:
        ax.set_xlabel("photon energy (eV)", fontsize=11)
        return fig
    ax_r.plot(E, c["absorbance"] - c["fit"], ".", ms=2.5, color="0.4")
    ax_r.axhline(0.0, color="k", lw=0.8)
    ax_r.set_xlabel("photon energy (eV)", fontsize=11)
    ax_r.set_ylabel("residual", fontsize=11)
    return fig


def _err(q: Quantity) -> float | None:
    if q.stderr is None:
        return None
    v = float(q.stderr)
    return v if math.isfinite(v) else None


def plot_edge_decomposition_comparison(results: dict[str, Result]) -> Figure:
    """Decompositions of several samples side by side (Fig. 4b) and their Abs2/Abs1 area
    ratios with standard errors (Table S4 style), in the given order."""
    from matplotlib.figure import Figure

    if not results:
        raise InputError(
            "no results to compare",
            field="results",
            expected="a non-empty mapping of sample name to decomposition Result",
            found="{}",
        )
    names = list(results)
    for k in names:
        _check(results[k], name=f"results[{k!r}]")
    n = len(names)
    fig = Figure(figsize=(3.0 * n + 3.4, 3.8), layout="constrained")
    axes = fig.subplots(1, n + 1, width_ratios=[1.0] * n + [1.1])
    for ax, name in zip(axes[:-1], names, strict=True):
        r = results[name]
        c = {k: np.asarray(v, dtype=float) for k, v in r.curves.items()}
        wl = HC_eV_nm / c["energy_eV"]
        ax.plot(wl, c["absorbance"], "-", color="0.35", lw=1.0, label="measured")
        ax.fill_between(wl, 0, c["abs1"], color="C0", alpha=0.35, lw=0, label="Abs1")
        ax.fill_between(wl, 0, c["abs2"], color="C3", alpha=0.45, lw=0, label="Abs2")
        ax.plot(wl, c["fit"], "--", color="k", lw=1.0, label="fit")
        x2 = float(r.quantities["abs2_eV"].value)
        x1 = float(r.quantities["exciton_eV"].value)
        lo_nm, hi_nm = HC_eV_nm / (x1 + 0.5), HC_eV_nm / max(x2 - 0.45, 0.5)
        ax.set_xlim(lo_nm, min(hi_nm, float(wl.max())))
        inside = (wl >= lo_nm) & (wl <= hi_nm)
        ax.set_ylim(0.0, 1.1 * float(np.max(c["absorbance"][inside])) if inside.any() else 1.0)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("wavelength (nm)", fontsize=10)
    axes[0].set_ylabel("absorbance", fontsize=10)
    axes[0].legend(frameon=False, fontsize=8)
    ax_b = axes[-1]
    vals = [float(results[k].quantities["abs2_abs1_area_ratio"].value) for k in names]
    errs = [_err(results[k].quantities["abs2_abs1_area_ratio"]) or 0.0 for k in names]
    x = np.arange(n)
    ax_b.bar(x, vals, yerr=errs, color="C3", alpha=0.7, capsize=3, edgecolor="k", lw=0.6)
    ax_b.set_xticks(x, names, rotation=30, ha="right")
    ax_b.set_ylabel("Abs2 / Abs1 area ratio", fontsize=10)
    ax_b.set_ylim(0.0, max(max(v + e for v, e in zip(vals, errs, strict=True)) * 1.2, 0.05))
    ax_b.grid(axis="y", color="0.9", lw=0.6)
    return fig
