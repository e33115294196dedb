"""Steady-state photoluminescence (PL): peak energy and width, Stokes shift, relative quantum
yield.

Wavelength to energy
--------------------
A spectrometer records intensity per wavelength interval, ``I(lambda)``. The same photons per
energy interval are ``I(E) = I(lambda) |d lambda / d E| = I(lambda) lambda^2 / (h c)``
(``lambda = hc / E``). Peak positions and widths of emission bands are properties of
``I(E)``: fitting or reading them off ``I(lambda)`` shifts the peak (to the red for a band
symmetric in energy) and distorts the width. :func:`pl_energy_spectrum` applies this Jacobian
(J. Mooney & P. Kambhampati, J. Phys. Chem. Lett. 4, 3316 (2013),
doi:10.1021/jz401508t); it conserves the integral, ``int I(E) dE = int I(lambda) d lambda``.

Peak and width
--------------
:func:`pl_peak` fits ``I(E) = B + a exp(-(E - E0)^2 / (2 s^2))`` (a Gaussian in energy, the
inhomogeneously broadened emission of a dot ensemble, over a constant dark background ``B``)
by least squares on the energy spectrum; ``pl_peak_eV = E0``, ``pl_fwhm_eV = 2 sqrt(2 ln 2) s``
with standard errors from the fit's covariance. Model-free values are reported beside them:
the maximum of a Savitzky-Golay smooth (refined by a parabola) and the full width at half
maximum above the background by linear interpolation.

Stokes shift
------------
:func:`stokes_shift` is the energy of the exciton absorption peak minus the PL peak energy, in
meV (the seed paper: 380-490 meV between the PL peak and the exciton absorption peak,
Fig. 4a, from emission via Cu defect states). The exciton peak is the Abs1 centre of
:func:`~qdcat.optics.decompose_edge` (default) or, with ``reference='band-gap'``, the
second-derivative band gap of :func:`~qdcat.optics.band_gap_second_derivative`.

Relative quantum yield
----------------------
:func:`relative_quantum_yield` compares the integrated emission of the sample with that of a
reference dye of known quantum yield measured under the same conditions:
``QY = QY_ref (F / F_ref) (f_ref / f) (n / n_ref)^2`` with ``F`` the integrated PL (photon
counts), ``f = 1 - 10^(-A)`` the fraction of the excitation light absorbed (``A`` the
absorbance at the excitation wavelength; ``absorptance=False`` uses ``A`` itself, the
dilute-solution approximation) and ``n`` the refractive index of the solvent
(C. Wuerth, M. Grabolle, J. Pauli, M. Spieles, U. Resch-Genger, Nat. Protoc. 8, 1535 (2013),
doi:10.1038/nprot.2013.087; A. M. Brouwer, Pure Appl. Chem. 83, 2213 (2011),
doi:10.1351/PAC-REP-10-09-31). Common references: quinine sulfate in 0.5 M H2SO4, 0.546
(Melhuish, J. Phys. Chem. 65, 229 (1961)); rhodamine 6G in ethanol, 0.95 (Kubin & Fletcher,
J. Lumin. 27, 455 (1982)). Absorbances should stay below ~0.1 to avoid inner-filter effects.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares
from scipy.signal import savgol_filter

from qdcat.core.constants import HC_eV_nm
from qdcat.core.errors import InputError
from qdcat.core.results import FitQuality, Quantity, Result, format_value
from qdcat.core.validation import energy_window, require_finite, require_strictly_monotonic
from qdcat.optics.tauc import _local_noise

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_PL_WAVELENGTH_NM",
    "pl_energy_spectrum",
    "pl_peak",
    "plot_absorption_pl",
    "plot_absorption_pl_comparison",
    "plot_pl_peak",
    "relative_quantum_yield",
    "simulate_pl",
    "stokes_shift",
]

_FWHM = 2.0 * math.sqrt(2.0 * math.log(2.0))
MIN_POINTS = 10
#: Default wavelength axis of :func:`simulate_pl`: 450-950 nm in 1-nm steps.
DEFAULT_PL_WAVELENGTH_NM = np.arange(450.0, 951.0, 1.0)
DEFAULT_PL_WAVELENGTH_NM.setflags(write=False)


# --------------------------------------------------------------------------------------------
# axis handling


def _axis(spectrum: Any, label: str) -> tuple[str, NDArray[np.float64], NDArray[np.float64]]:
    if not isinstance(spectrum, xr.DataArray):
        raise InputError(
            f"the {label} must be an xarray.DataArray",
            field=label,
            expected="xarray.DataArray with dimension 'wavelength_nm' or 'energy_eV'",
            found=type(spectrum).__name__,
        )
    if spectrum.ndim != 1 or spectrum.dims[0] not in ("wavelength_nm", "energy_eV"):
        raise InputError(
            f"the {label} must have a single spectral dimension",
            file=spectrum.attrs.get("source_file"),
            field="dims",
            expected="a single dimension 'wavelength_nm' or 'energy_eV'",
            found=tuple(str(d) for d in spectrum.dims),
        )
    dim = str(spectrum.dims[0])
    if spectrum.sizes[dim] < MIN_POINTS:
        raise InputError(
            f"too few spectral points ({spectrum.sizes[dim]})",
            file=spectrum.attrs.get("source_file"),
            field=dim,
            expected=f"at least {MIN_POINTS} points",
            found=spectrum.sizes[dim],
        )
    if dim not in spectrum.coords:
        raise InputError(
            f"the {label} has no '{dim}' coordinate values", field=dim, expected="coordinates"
        )
    x = np.asarray(spectrum[dim].values, dtype=float)
    y = np.asarray(spectrum.values, dtype=float)
    require_finite(x, dim)
    require_finite(y, label)
    if np.any(x <= 0):
        raise InputError(f"{dim} must be positive", field=dim, expected="> 0", found=float(x.min()))
    require_strictly_monotonic(x, dim)
    return dim, x, y


def pl_energy_spectrum(spectrum: xr.DataArray) -> xr.DataArray:
    """An emission spectrum on a photon-energy axis (eV, ascending), with the Jacobian.

    A spectrum over ``'wavelength_nm'`` holds intensity per nm; it becomes intensity per eV,
    ``I(E) = I(lambda) lambda^2 / (hc)`` at ``E = hc / lambda``, which conserves the integral.
    A spectrum already over ``'energy_eV'`` is only sorted. Values are in the input's unit
    per eV (``attrs['units']`` gets ``' eV-1'`` appended for wavelength input).
    """
    dim, x, y = _axis(spectrum, "intensity")
    if dim == "wavelength_nm":
        E = HC_eV_nm / x
        I_E = y * x**2 / HC_eV_nm
        unit = str(spectrum.attrs.get("units", ""))
        attrs = {
            **spectrum.attrs,
            "units": f"{unit} nm eV-1".strip() if unit else "nm eV-1",
            "jacobian": "I(E) = I(lambda) lambda^2 / hc",
        }
    else:
        E, I_E, attrs = x, y, dict(spectrum.attrs)
    order = np.argsort(E)
    return xr.DataArray(
        I_E[order],
        dims=("energy_eV",),
        coords={
            "energy_eV": ("energy_eV", E[order], {"units": "eV", "long_name": "photon energy"})
        },
        name=spectrum.name if spectrum.name is not None else "intensity",
        attrs=attrs,
    )


# --------------------------------------------------------------------------------------------
# simulation


def simulate_pl(
    peak_eV: float,
    fwhm_eV: float,
    *,
    wavelength_nm: ArrayLike | None = None,
    peak_counts: float = 2.0e4,
    background_counts: float = 20.0,
    noise: bool = True,
    rng: np.random.Generator | int | None = None,
) -> xr.DataArray:
    """Simulated emission spectrum as a spectrometer records it: counts per wavelength bin.

    The band is a Gaussian in energy (centre ``peak_eV``, FWHM ``fwhm_eV``); per unit
    wavelength it is ``I(lambda) = I(E) hc / lambda^2``, scaled so that its maximum over the
    axis is ``peak_counts``; a constant ``background_counts`` is added and, with ``noise``,
    each bin is a Poisson draw.

    Returns
    -------
    xarray.DataArray
        Named ``'intensity'``, dimension ``'wavelength_nm'`` (default 450-950 nm, 1 nm),
        attrs ``units='counts'``, the true parameters (``param_*``) and ``simulated=1``.
    """
    wl = np.array(DEFAULT_PL_WAVELENGTH_NM if wavelength_nm is None else wavelength_nm, float)
    for name, v in (("peak_eV", peak_eV), ("fwhm_eV", fwhm_eV), ("peak_counts", peak_counts)):
        if not (math.isfinite(v) and v > 0):
            raise InputError("must be a positive number", field=name, expected="> 0", found=v)
    if not (math.isfinite(background_counts) and background_counts >= 0):
        raise InputError(
            "must be >= 0", field="background_counts", expected=">= 0", found=background_counts
        )
    if wl.ndim != 1 or wl.size < 2 or np.any(~np.isfinite(wl)) or np.any(wl <= 0):
        raise InputError(
            "wavelengths must be a 1-D array of positive numbers",
            field="wavelength_nm",
            expected="1-D array > 0 nm",
            found=f"shape {wl.shape}",
        )
    E = HC_eV_nm / wl
    s = fwhm_eV / _FWHM
    per_lambda = np.exp(-0.5 * ((E - peak_eV) / s) ** 2) * HC_eV_nm / wl**2
    clean = peak_counts * per_lambda / per_lambda.max() + background_counts
    if noise:
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        values = generator.poisson(clean).astype(float)
    else:
        values = clean
    return xr.DataArray(
        values,
        dims=("wavelength_nm",),
        coords={"wavelength_nm": ("wavelength_nm", wl, {"units": "nm", "long_name": "wavelength"})},
        name="intensity",
        attrs={
            "units": "counts",
            "long_name": "emission intensity",
            "quantity": "intensity",
            "simulated": 1,
            "param_peak_eV": float(peak_eV),
            "param_fwhm_eV": float(fwhm_eV),
            "param_peak_counts": float(peak_counts),
            "param_background_counts": float(background_counts),
        },
    )


# --------------------------------------------------------------------------------------------
# peak


def _model_free(
    E: NDArray[np.float64], y: NDArray[np.float64], bg: NDArray[np.float64]
) -> tuple[float, float]:
    """Peak energy (maximum of a smooth, parabola-refined) and FWHM above the background."""
    m = min(max(5, (E.size // 40) * 2 + 1), E.size - (1 - E.size % 2))
    sm = (savgol_filter(y, m, 2, mode="interp") if m >= 5 else y) - bg
    i = int(np.argmax(sm))
    peak = float(E[i])
    if 0 < i < E.size - 1:
        ym, y0, yp = sm[i - 1], sm[i], sm[i + 1]
        den = ym - 2 * y0 + yp
        if den < 0:
            shift = 0.5 * (ym - yp) / den
            peak = float(E[i] + shift * 0.5 * (E[i + 1] - E[i - 1]))
    half = 0.5 * sm[i]
    left = i
    while left > 0 and sm[left] > half:
        left -= 1
    right = i
    while right < E.size - 1 and sm[right] > half:
        right += 1
    if sm[left] > half or sm[right] > half:
        return peak, float("nan")
    e_l = np.interp(half, [sm[left], sm[left + 1]], [E[left], E[left + 1]])
    e_r = np.interp(half, [sm[right], sm[right - 1]], [E[right], E[right - 1]])
    return peak, float(e_r - e_l)


def pl_peak(
    spectrum: xr.DataArray,
    *,
    energy_range_eV: tuple[float, float] | None = None,
    background: bool = True,
) -> Result:
    """Peak energy and FWHM of an emission band by a Gaussian fit in energy.

    Parameters
    ----------
    spectrum:
        Emission intensity over ``'wavelength_nm'`` (per nm, as recorded; the Jacobian is
        applied) or ``'energy_eV'`` (per eV), at least 10 points, no NaN.
    energy_range_eV:
        ``(low, high)`` photon energies (eV) to fit; default the whole spectrum.
    background:
        Fit a constant background (default); ``False`` fixes it at 0.

    Returns
    -------
    Result
        ``analysis='pl_peak'``; quantities ``pl_peak_eV``, ``pl_peak_nm`` (``hc / E0``, the
        wavelength of the energy peak), ``pl_fwhm_eV``, ``pl_amplitude``, ``pl_area`` (the
        fitted band's integral over energy, in the input's counts), ``pl_background`` and the
        model-free ``pl_peak_max_eV``, ``pl_fwhm_halfmax_eV`` (stderr ``None``); curves
        ``energy_eV``, ``intensity`` (per eV), ``fit``, ``residual``.

    Raises
    ------
    InputError
        Bad axis or values, too few points in the range, no emission band (no maximum
        standing out of the noise).
    """
    source = spectrum.attrs.get("source_file") if isinstance(spectrum, xr.DataArray) else None
    dim = str(spectrum.dims[0]) if isinstance(spectrum, xr.DataArray) and spectrum.ndim else ""
    energy = pl_energy_spectrum(spectrum)
    E = np.asarray(energy["energy_eV"].values)
    y = np.asarray(energy.values)
    if energy_range_eV is not None:
        sel = energy_window(E, energy_range_eV, min_points=MIN_POINTS, file=source)
        E, y = E[sel], y[sel]
    # noise and a significance check: the band must stand out of the scatter of the data
    noise = 1.4826 * float(np.median(np.abs(np.diff(y, 2)))) / math.sqrt(6.0)
    # the dark background is constant per detector bin: per nm for a wavelength spectrum,
    # i.e. B hc / E^2 per eV after the Jacobian; constant for an energy spectrum
    jacobian = dim == "wavelength_nm"
    bshape = HC_eV_nm / E**2 if jacobian else np.ones_like(E)
    b0 = float(np.percentile(y / bshape, 5)) if background else 0.0
    top = float(np.max(y - b0 * bshape))
    if not top > 10.0 * max(noise, 1e-12 * abs(float(np.max(y)))):
        raise InputError(
            "no emission band: the spectrum does not rise above its noise",
            file=source,
            field="intensity",
            expected="a peak at least 10 x the noise above the background",
            found=f"peak {top:.3g} above background, noise {noise:.3g}",
        )
    peak_mf, fwhm_mf = _model_free(E, y, b0 * bshape)
    s0 = (fwhm_mf / _FWHM) if math.isfinite(fwhm_mf) and fwhm_mf > 0 else 0.1
    scale = top

    def model(p: NDArray[np.float64]) -> NDArray[np.float64]:
        b = p[3] * bshape if background else 0.0
        return b + p[0] * np.exp(-0.5 * ((E - p[1]) / p[2]) ** 2)

    p0 = np.array([scale, peak_mf, s0] + ([b0] if background else []))
    lo_b = [0.0, float(E[0]) - 0.5, 1e-4] + ([-np.inf] if background else [])
    hi_b = [np.inf, float(E[-1]) + 0.5, 5.0] + ([np.inf] if background else [])
    p0 = np.clip(p0, np.array(lo_b) + 1e-12, np.array(hi_b) - 1e-12)
    res = least_squares(lambda p: (model(p) - y) / scale, p0, bounds=(lo_b, hi_b), x_scale="jac")
    p = res.x
    n, k = E.size, p.size
    ssr = float(np.sum((model(p) - y) ** 2))
    J = res.jac * scale
    warnings: list[str] = []
    try:
        bread = np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        bread = np.linalg.pinv(J.T @ J)
        warnings.append("the fit's normal matrix is singular: standard errors are unreliable")
    # heteroscedasticity-consistent (sandwich, HC1) covariance: emission noise grows with the
    # signal (Poisson counts), which an unweighted fit's s^2 (J^T J)^-1 would misstate
    r = model(p) - y
    meat = (J * (r * r)[:, None]).T @ J
    cov = bread @ meat @ bread * (n / max(n - k, 1))
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    converged = bool(res.success) and res.status > 0
    if not converged:
        warnings.append(f"the fit did not converge: {res.message}")
    a, e0, s = float(p[0]), float(p[1]), float(p[2])
    if not (E[0] < e0 < E[-1]):
        warnings.append(
            f"the fitted peak ({e0:.3f} eV) lies outside the measured range "
            f"({E[0]:.3f}-{E[-1]:.3f} eV)"
        )
    elif e0 - 1.5 * s < E[0] or e0 + 1.5 * s > E[-1]:
        warnings.append("the band is cut by the end of the measured range: the fit extrapolates")
    area = a * s * math.sqrt(2.0 * math.pi)
    g_area = np.zeros(k)
    g_area[0] = s * math.sqrt(2.0 * math.pi)
    g_area[2] = a * math.sqrt(2.0 * math.pi)
    area_se = math.sqrt(max(float(g_area @ cov @ g_area), 0.0))
    # chi^2 against the local noise (emission noise is heteroscedastic: Poisson counts)
    local = _local_noise(y, max(2, min(15, n // 10)))
    floor = 1e-3 * float(np.median(local)) if np.median(local) > 0 else 0.0
    local = np.maximum(local, floor)
    chi2_red = float(np.sum(((model(p) - y) / local) ** 2)) / max(n - k, 1) if floor > 0 else None
    if chi2_red is not None and chi2_red > 4.0:
        warnings.append(
            f"a single Gaussian leaves residuals {math.sqrt(chi2_red):.1f} x the noise: the band "
            "is asymmetric or has several components; compare with the model-free values"
        )
    unit = str(energy.attrs.get("units", ""))
    quantities = {
        "pl_peak_eV": Quantity(e0, se[1], "eV", "PL peak energy (Gaussian fit in energy)"),
        "pl_peak_nm": Quantity(
            HC_eV_nm / e0, HC_eV_nm / e0**2 * se[1], "nm", "hc / PL peak energy"
        ),
        "pl_fwhm_eV": Quantity(_FWHM * s, _FWHM * se[2], "eV", "PL full width at half maximum"),
        "pl_amplitude": Quantity(a, se[0], unit, "peak height of the fitted band (per eV)"),
        "pl_area": Quantity(area, area_se, str(spectrum.attrs.get("units", "")), "band integral"),
        "pl_background": Quantity(
            float(p[3]) if background else 0.0,
            float(se[3]) if background else None,
            str(spectrum.attrs.get("units", "")),
            "dark background per detector bin (per nm for a wavelength spectrum)",
        ),
        "pl_peak_max_eV": Quantity(peak_mf, None, "eV", "maximum of the smoothed spectrum"),
        "pl_fwhm_halfmax_eV": Quantity(fwhm_mf, None, "eV", "FWHM read off the spectrum"),
    }
    metadata: dict[str, Any] = {
        "method": "Gaussian in photon energy + background constant per detector bin, "
        "least squares, on I(E) = I(lambda) lambda^2 / hc",
        "input_dimension": dim,
        "jacobian_applied": dim == "wavelength_nm",
        "fit_range_eV": [float(E[0]), float(E[-1])],
        "noise_estimate": noise,
    }
    if source is not None:
        metadata["source_file"] = str(source)
    fit = model(p)
    return Result(
        analysis="pl_peak",
        quantities=quantities,
        fit=FitQuality(
            converged=converged,
            n_evaluations=int(res.nfev),
            n_points=int(n),
            n_parameters=int(k),
            rmse=math.sqrt(ssr / n),
            chi2_reduced=chi2_red,
            message=str(res.message),
        ),
        warnings=tuple(warnings),
        metadata=metadata,
        curves={"energy_eV": E, "intensity": y, "fit": fit, "residual": y - fit},
    )


# --------------------------------------------------------------------------------------------
# Stokes shift


def _q(result: Result, name: str) -> tuple[float, float | None]:
    q = result.quantities[name]
    err = None if q.stderr is None else float(q.stderr)
    return float(q.value), err


def stokes_shift(
    pl: Result | xr.DataArray,
    absorption: Result | xr.DataArray,
    *,
    reference: str = "exciton",
) -> Result:
    """Stokes shift (meV) between the exciton absorption peak and the PL peak.

    Parameters
    ----------
    pl:
        A :func:`pl_peak` result or an emission spectrum (fitted with defaults).
    absorption:
        A :func:`~qdcat.optics.decompose_edge` result (its ``exciton_eV``), a band-gap result
        (its ``band_gap_eV``) or an absorbance spectrum (analysed per ``reference``).
    reference:
        ``'exciton'`` (default): the Abs1 centre of the edge decomposition; ``'band-gap'``:
        the second-derivative band gap.

    Returns
    -------
    Result
        ``analysis='stokes_shift'``; ``stokes_shift_meV`` (standard error from both in
        quadrature), ``absorption_peak_eV``, ``pl_peak_eV``, ``pl_fwhm_eV``, ``pl_peak_nm``;
        metadata ``reference``; curves of both analyses for figures (``absorption_energy_eV``,
        ``absorbance``, ``abs1``, ``pl_energy_eV``, ``pl_intensity``, ``pl_fit``).
    """
    from qdcat.optics.bandgap import band_gap_second_derivative
    from qdcat.optics.decomposition import decompose_edge

    if reference not in ("exciton", "band-gap"):
        raise InputError(
            "unknown absorption reference",
            field="reference",
            expected="'exciton' (Abs1 of the edge decomposition) or 'band-gap'",
            found=reference,
        )
    pl_result = pl if isinstance(pl, Result) else pl_peak(pl)
    if "pl_peak_eV" not in pl_result.quantities:
        raise InputError(
            "not a PL peak result",
            field="pl",
            expected="a Result of pl_peak",
            found=pl_result.analysis,
        )
    if isinstance(absorption, Result):
        abs_result = absorption
    elif reference == "exciton":
        abs_result = decompose_edge(absorption)
    else:
        abs_result = band_gap_second_derivative(absorption)
    key = "exciton_eV" if "exciton_eV" in abs_result.quantities else "band_gap_eV"
    if key not in abs_result.quantities:
        raise InputError(
            "the absorption result has neither an exciton position nor a band gap",
            field="absorption",
            expected="a Result of decompose_edge or band_gap_second_derivative",
            found=abs_result.analysis,
        )
    used = "exciton" if key == "exciton_eV" else "band-gap"
    e_abs, err_abs = _q(abs_result, key)
    e_pl, err_pl = _q(pl_result, "pl_peak_eV")
    shift = 1000.0 * (e_abs - e_pl)
    err = None if err_abs is None or err_pl is None else 1000.0 * math.hypot(err_abs, err_pl)
    warnings = [f"absorption: {w}" for w in abs_result.warnings]
    warnings += [f"PL: {w}" for w in pl_result.warnings]
    if shift < 0:
        warnings.append("the PL peak lies above the absorption peak (anti-Stokes): check inputs")
    fwhm, fwhm_err = _q(pl_result, "pl_fwhm_eV")
    nm, nm_err = _q(pl_result, "pl_peak_nm")
    description = (
        "Abs1 (exciton) centre of the edge decomposition"
        if used == "exciton"
        else "second-derivative band gap"
    )
    quantities = {
        "stokes_shift_meV": Quantity(shift, err, "meV", f"{description} minus PL peak energy"),
        "absorption_peak_eV": Quantity(e_abs, err_abs, "eV", description),
        "pl_peak_eV": Quantity(e_pl, err_pl, "eV", "PL peak energy (Gaussian fit in energy)"),
        "pl_peak_nm": Quantity(nm, nm_err, "nm", "hc / PL peak energy"),
        "pl_fwhm_eV": Quantity(fwhm, fwhm_err, "eV", "PL full width at half maximum"),
    }
    curves: dict[str, Any] = {
        "pl_energy_eV": pl_result.curves.get("energy_eV"),
        "pl_intensity": pl_result.curves.get("intensity"),
        "pl_fit": pl_result.curves.get("fit"),
        "absorption_energy_eV": abs_result.curves.get("energy_eV"),
        "absorbance": abs_result.curves.get("absorbance"),
    }
    if "abs1" in abs_result.curves:
        curves["abs1"] = abs_result.curves["abs1"]
    curves = {k: v for k, v in curves.items() if v is not None}
    return Result(
        analysis="stokes_shift",
        quantities=quantities,
        fit=pl_result.fit,
        warnings=tuple(warnings),
        metadata={
            "reference": used,
            "method": f"Stokes shift = {description} - PL peak energy",
            "pl_method": pl_result.metadata.get("method"),
            "absorption_method": abs_result.metadata.get("method"),
        },
        curves=curves,
    )


# --------------------------------------------------------------------------------------------
# quantum yield


def _integral(spectrum: xr.DataArray, energy_range_eV: tuple[float, float] | None) -> float:
    energy = pl_energy_spectrum(spectrum)
    E = np.asarray(energy["energy_eV"].values)
    y = np.asarray(energy.values)
    if energy_range_eV is not None:
        lo, hi = (float(v) for v in energy_range_eV)
        sel = (lo <= E) & (hi >= E)
        E, y = E[sel], y[sel]
    return float(np.trapezoid(y, E)) if E.size > 1 else float("nan")


def relative_quantum_yield(
    sample: xr.DataArray | float,
    reference: xr.DataArray | float,
    *,
    absorbance_sample: float,
    absorbance_reference: float,
    qy_reference: float,
    refractive_index_sample: float = 1.333,
    refractive_index_reference: float = 1.333,
    qy_reference_stderr: float | None = None,
    absorbance_stderr: float | None = None,
    absorptance: bool = True,
    energy_range_eV: tuple[float, float] | None = None,
) -> Result:
    """Relative PL quantum yield against a reference dye (see the module documentation).

    Parameters
    ----------
    sample, reference:
        Emission spectra (integrated over photon energy after the Jacobian; the same
        integral as over wavelength) or their integrated intensities. Both must be measured
        with the same excitation wavelength, slits and detector settings, and corrected for
        the detector response and blank.
    absorbance_sample, absorbance_reference:
        Decadic absorbance at the excitation wavelength (> 0).
    qy_reference:
        Quantum yield of the reference (0-1].
    refractive_index_sample, refractive_index_reference:
        Refractive indices of the solvents (default 1.333, water).
    qy_reference_stderr, absorbance_stderr:
        Standard errors of the reference yield and of each absorbance, if known; the yield's
        standard error is given only when at least one is.
    absorptance:
        Use the absorbed fraction ``1 - 10^-A`` (default) instead of ``A``.
    energy_range_eV:
        Integrate only over this photon-energy range (both spectra).

    Returns
    -------
    Result
        ``analysis='pl_quantum_yield'``; ``pl_quantum_yield`` (fraction), its standard error,
        ``integrated_pl_sample``, ``integrated_pl_reference``.
    """
    checks = {
        "absorbance_sample": absorbance_sample,
        "absorbance_reference": absorbance_reference,
        "qy_reference": qy_reference,
        "refractive_index_sample": refractive_index_sample,
        "refractive_index_reference": refractive_index_reference,
    }
    for name, v in checks.items():
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InputError("must be a positive number", field=name, expected="> 0", found=v)
    if qy_reference > 1:
        raise InputError(
            "a quantum yield cannot exceed 1",
            field="qy_reference",
            expected="0 < QY <= 1",
            found=qy_reference,
        )
    values = []
    for name, s in (("sample", sample), ("reference", reference)):
        v = _integral(s, energy_range_eV) if isinstance(s, xr.DataArray) else float(s)
        if not (math.isfinite(v) and v > 0):
            raise InputError(
                f"the integrated {name} emission must be positive",
                file=s.attrs.get("source_file") if isinstance(s, xr.DataArray) else None,
                field=name,
                expected="> 0 (a blank-corrected emission spectrum)",
                found=v,
            )
        values.append(v)
    F, F_ref = values

    def absorbed(a: float) -> float:
        return 1.0 - 10.0 ** (-a) if absorptance else a

    def dlog_absorbed(a: float) -> float:
        if not absorptance:
            return 1.0 / a
        return math.log(10.0) * 10.0 ** (-a) / (1.0 - 10.0 ** (-a))

    ratio_n = (refractive_index_sample / refractive_index_reference) ** 2
    qy = qy_reference * (F / F_ref) * (absorbed(absorbance_reference) / absorbed(absorbance_sample))
    qy *= ratio_n
    rel2 = 0.0
    known = False
    if qy_reference_stderr is not None:
        rel2 += (float(qy_reference_stderr) / qy_reference) ** 2
        known = True
    if absorbance_stderr is not None:
        rel2 += (float(absorbance_stderr) * dlog_absorbed(absorbance_sample)) ** 2
        rel2 += (float(absorbance_stderr) * dlog_absorbed(absorbance_reference)) ** 2
        known = True
    warnings = []
    for name, a in (("sample", absorbance_sample), ("reference", absorbance_reference)):
        if a > 0.1:
            warnings.append(
                f"the {name} absorbance {a:g} exceeds 0.1: inner-filter effects bias the yield"
            )
    if qy > 1:
        warnings.append(f"the yield {qy:.3g} exceeds 1: check the inputs")
    return Result(
        analysis="pl_quantum_yield",
        quantities={
            "pl_quantum_yield": Quantity(
                qy, qy * math.sqrt(rel2) if known else None, "", "relative PL quantum yield"
            ),
            "integrated_pl_sample": Quantity(F, None, "", "integrated emission of the sample"),
            "integrated_pl_reference": Quantity(F_ref, None, "", "integrated reference emission"),
        },
        warnings=tuple(warnings),
        metadata={
            "method": "QY = QY_ref (F/F_ref) (f_ref/f) (n/n_ref)^2, "
            + ("f = 1 - 10^-A" if absorptance else "f = A"),
            "qy_reference": qy_reference,
            "absorbance_sample": absorbance_sample,
            "absorbance_reference": absorbance_reference,
            "refractive_index_sample": refractive_index_sample,
            "refractive_index_reference": refractive_index_reference,
        },
    )


# --------------------------------------------------------------------------------------------
# figures


def plot_pl_peak(result: Result, ax: Axes | None = None) -> Figure:
    """The emission spectrum in energy with its Gaussian fit and the peak marked (wavelength
    on top); with ``ax=None`` a residual panel below."""
    from matplotlib.figure import Figure

    from qdcat.optics.bandgap import _nm_axis

    need = ("energy_eV", "intensity", "fit")
    if "pl_peak_eV" not in result.quantities or any(k not in result.curves for k in need):
        raise InputError(
            "not a PL peak result with curves",
            field="result",
            expected="a Result of pl_peak",
            found=result.analysis,
        )
    E = np.asarray(result.curves["energy_eV"], dtype=float)
    y = np.asarray(result.curves["intensity"], dtype=float)
    fit = np.asarray(result.curves["fit"], dtype=float)
    if ax is None:
        fig = Figure(figsize=(6.0, 5.2), layout="constrained")
        ax, ax_r = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    else:
        fig, ax_r = ax.figure, None
    e0, err = _q(result, "pl_peak_eV")
    fwhm, _ = _q(result, "pl_fwhm_eV")
    top = float(np.max(np.abs(y))) if y.size else 1.0
    power = math.floor(math.log10(top)) if top > 0 else 0
    scale = 10.0**power if abs(power) >= 3 else 1.0
    unit = f"$10^{{{power}}}$ per eV" if scale != 1.0 else "per eV"
    ax.plot(E, y / scale, ".", ms=2.5, color="0.5", label="measured (per eV)")
    ax.plot(
        E, fit / scale, "-", color="C3", lw=1.5, label=f"Gaussian fit, FWHM {1000 * fwhm:.0f} meV"
    )
    ax.axvline(e0, color="C3", ls="--", lw=1.0, label=f"peak {format_value(e0, err, 'eV')}")
    ax.set_ylabel(f"PL intensity ({unit})", fontsize=11)
    ax.legend(frameon=False, fontsize=9)
    _nm_axis(ax)
    if ax_r is None:
        ax.set_xlabel("photon energy (eV)", fontsize=11)
        return fig
    ax_r.plot(E, (y - fit) / scale, ".", ms=2.5, color="0.4")
    ax_r.axhline(0.0, color="k", lw=0.8)
    ax_r.set_xlabel("photon energy (eV)", fontsize=11)
    ax_r.set_ylabel("residual", fontsize=11)
    return fig


def plot_absorption_pl(result: Result, ax: Axes | None = None, *, colour: Any = "C0") -> Figure:
    """Absorbance (line) and PL (shaded, normalised to the absorbance at the exciton) of a
    :func:`stokes_shift` result against photon energy, with the Stokes shift marked."""
    from matplotlib.figure import Figure

    from qdcat.optics.bandgap import _nm_axis

    need = ("absorption_energy_eV", "absorbance", "pl_energy_eV", "pl_intensity")
    if "stokes_shift_meV" not in result.quantities or any(k not in result.curves for k in need):
        raise InputError(
            "not a Stokes-shift result with curves",
            field="result",
            expected="a Result of stokes_shift",
            found=result.analysis,
        )
    if ax is None:
        fig = Figure(figsize=(6.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    Ea = np.asarray(result.curves["absorption_energy_eV"], dtype=float)
    A = np.asarray(result.curves["absorbance"], dtype=float)
    Ep = np.asarray(result.curves["pl_energy_eV"], dtype=float)
    P = np.asarray(result.curves["pl_intensity"], dtype=float)
    e_abs, _ = _q(result, "absorption_peak_eV")
    e_pl, _ = _q(result, "pl_peak_eV")
    shift, err = _q(result, "stokes_shift_meV")
    a_ref = float(np.interp(e_abs, Ea, A))
    p_norm = (P - float(np.min(P))) / max(float(np.max(P) - np.min(P)), 1e-300) * a_ref
    ax.plot(Ea, A, "-", color=colour, lw=1.6, label="absorbance")
    ax.fill_between(Ep, 0, p_norm, color=colour, alpha=0.3, lw=0, label="PL (normalised)")
    y_arrow = 1.05 * a_ref
    ax.annotate(
        "",
        xy=(e_pl, y_arrow),
        xytext=(e_abs, y_arrow),
        arrowprops={"arrowstyle": "<->", "color": "k", "lw": 1.0},
    )
    ax.text(
        0.5 * (e_abs + e_pl),
        1.09 * a_ref,
        f"{format_value(shift, err, 'meV')}",
        ha="center",
        fontsize=9,
    )
    ax.set_xlim(float(min(Ep.min(), Ea.min())), float(min(Ea.max(), e_abs + 1.0)))
    ax.set_ylim(0.0, 1.4 * a_ref)
    ax.set_xlabel("photon energy (eV)", fontsize=11)
    ax.set_ylabel("absorbance", fontsize=11)
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    _nm_axis(ax)
    return fig


def plot_absorption_pl_comparison(
    results: Mapping[str, Result],
    *,
    reference_range_meV: tuple[float, float] | None = None,
    reference_label: str = "reported",
) -> Figure:
    """Fig. 4a: absorption spectra (lines, normalised at the exciton) and PL spectra (shaded,
    normalised to their maximum) of several samples against wavelength, with their Stokes
    shifts (meV, with standard errors) in a second panel; ``reference_range_meV`` shades a
    range to compare with (e.g. a paper's reported values)."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    if not isinstance(results, Mapping) or not results:
        raise InputError(
            "no results to compare",
            field="results",
            expected="a non-empty mapping of sample name to Stokes-shift Result",
            found="{}",
        )
    names = list(results)
    cmap = colormaps["viridis"]
    colours = [cmap(0.85 * i / max(len(names) - 1, 1)) for i in range(len(names))]
    fig = Figure(figsize=(9.0, 4.2), layout="constrained")
    ax, ax_s = fig.subplots(1, 2, width_ratios=(2.1, 1))
    shifts = []
    for name, colour in zip(names, colours, strict=True):
        r = results[name]
        if "stokes_shift_meV" not in r.quantities:
            raise InputError(
                "not a Stokes-shift result",
                field=f"results[{name!r}]",
                expected="a Result of stokes_shift",
                found=r.analysis,
            )
        Ea = np.asarray(r.curves["absorption_energy_eV"], dtype=float)
        A = np.asarray(r.curves["absorbance"], dtype=float)
        Ep = np.asarray(r.curves["pl_energy_eV"], dtype=float)
        P = np.asarray(r.curves["pl_intensity"], dtype=float)
        e_abs, _ = _q(r, "absorption_peak_eV")
        a_ref = float(np.interp(e_abs, Ea, A))
        p_norm = (P - float(np.min(P))) / max(float(np.max(P) - np.min(P)), 1e-300)
        ax.plot(HC_eV_nm / Ea, A / a_ref, "-", color=colour, lw=1.5, label=name)
        ax.fill_between(HC_eV_nm / Ep, 0, p_norm, color=colour, alpha=0.3, lw=0)
        shifts.append(_q(r, "stokes_shift_meV"))
    ax.set_xlim(400.0, 950.0)
    ax.set_ylim(0.0, 2.2)
    ax.set_xlabel("wavelength (nm)", fontsize=11)
    ax.set_ylabel("absorbance (norm. at exciton) / PL (norm.)", fontsize=10)
    ax.legend(frameon=False, fontsize=9, title="lines: absorption; shaded: PL", title_fontsize=8)
    x = np.arange(len(names))
    for i, ((v, e), colour) in enumerate(zip(shifts, colours, strict=True)):
        ax_s.errorbar(i, v, yerr=e or 0.0, fmt="o", ms=7, color=colour, mec="k", capsize=3)
    if reference_range_meV is not None:
        lo, hi = reference_range_meV
        ax_s.axhspan(lo, hi, color="0.9", zorder=0, label=f"{reference_label}: {lo:g}-{hi:g} meV")
        ax_s.legend(frameon=False, fontsize=8)
    ax_s.set_xticks(x, names, rotation=30, ha="right")
    ax_s.set_xlim(-0.5, len(names) - 0.5)
    ax_s.set_ylabel("Stokes shift (meV)", fontsize=11)
    return fig
