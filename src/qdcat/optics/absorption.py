"""Forward model of the UV-vis absorption edge of Cu-deficient Zn-doped CuInS2 (ZCIS) quantum dots.

The band-edge region of a ZCIS absorption spectrum is described as the sum of four smooth terms
(all energies in eV, absorbance dimensionless, decadic):

``Abs1``, the band-edge exciton
    A Gaussian in photon energy centred at ``exciton_eV``. The Gaussian shape is the
    inhomogeneous broadening of the lowest excitonic transition by the size and composition
    distribution of the ensemble.
``Abs2``, the intragap Cu+ -> conduction band transition
    A Gaussian centred *below* the exciton, at ``exciton_eV - abs2_offset_eV``. Only Cu+
    defects give it (a Cu+ 3d level in the gap, from which an electron is excited into the
    conduction band), so its amplitude grows with the Cu+ content; for a Cu-free sample it is 0.
Interband continuum
    The higher transitions above the band edge, modelled as a step broadened by the same kind
    of Gaussian disorder, ``(1 + erf((E - exciton_eV) / (sqrt(2) w_c))) / 2``, multiplied by the
    slowly rising factor ``(E / exciton_eV) ** continuum_exponent`` (the joint density of states
    keeps growing into the UV).
Scatter
    A Rayleigh-like background ``scatter * (E / E_ref) ** 4`` (scattering by aggregates, which
    goes as lambda^-4), with ``E_ref`` the photon energy at 500 nm.

:func:`true_band_gap_eV` gives the band gap of this model by the definition the analysis uses
(minimum of the second derivative d2A/dE2), so simulated spectra have an exact, independent
truth.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy.special import erf

from qdcat.core.constants import HC_eV_nm, nm_to_eV
from qdcat.core.errors import InputError

__all__ = [
    "DEFAULT_WAVELENGTH_NM",
    "AbsorptionParams",
    "SCATTER_REFERENCE_eV",
    "absorbance_model",
    "simulate_absorbance",
    "true_band_gap_eV",
]

#: Photon energy (eV) at which ``scatter`` gives the scatter absorbance: that of 500 nm light.
SCATTER_REFERENCE_eV: float = HC_eV_nm / 500.0

#: Default wavelength axis of :func:`simulate_absorbance`: 350-800 nm in 1-nm steps (451 points).
DEFAULT_WAVELENGTH_NM: NDArray[np.float64] = np.arange(350, 801, 1.0)
DEFAULT_WAVELENGTH_NM.setflags(write=False)


def absorbance_model(
    energy_eV: ArrayLike,
    *,
    exciton_eV: float,
    exciton_width_eV: float,
    exciton_amplitude: float,
    abs2_offset_eV: float = 0.2,
    abs2_width_eV: float = 0.15,
    abs2_amplitude: float = 0.0,
    continuum_amplitude: float = 0.5,
    continuum_width_eV: float | None = None,
    continuum_exponent: float = 2.0,
    scatter: float = 0.0,
) -> NDArray[np.float64]:
    """Noiseless absorbance of a ZCIS quantum-dot dispersion at photon energies ``energy_eV``.

    Pure and vectorised: ``energy_eV`` may have any shape; the result has the same shape.

    Parameters
    ----------
    energy_eV:
        Photon energy, eV (``E = hc / lambda``; see :func:`qdcat.core.constants.nm_to_eV`).
    exciton_eV:
        Centre of the band-edge exciton absorption Abs1, eV. Close to, but not exactly, the
        band gap by the second-derivative definition (see :func:`true_band_gap_eV`).
    exciton_width_eV:
        Gaussian standard deviation of Abs1, eV (inhomogeneous broadening by the size and
        composition distribution; FWHM = 2.355 x this).
    exciton_amplitude:
        Peak absorbance of Abs1 (dimensionless, decadic).
    abs2_offset_eV:
        How far below the exciton the intragap Cu+ -> CB band Abs2 is centred, eV (> 0 puts it
        in the gap). Abs2 is centred at ``exciton_eV - abs2_offset_eV``.
    abs2_width_eV:
        Gaussian standard deviation of Abs2, eV.
    abs2_amplitude:
        Peak absorbance of Abs2 (dimensionless). Proportional to the Cu+ defect content; 0 for
        a sample without Cu+ (the default).
    continuum_amplitude:
        Absorbance of the interband continuum step at ``E = exciton_eV`` once fully switched on
        (i.e. the plateau value before the rising factor), dimensionless.
    continuum_width_eV:
        Gaussian standard deviation of the broadening of the continuum onset, eV. ``None``
        (default) uses ``exciton_width_eV``: the same size/composition disorder broadens the
        exciton and the onset of the higher transitions.
    continuum_exponent:
        Exponent ``p`` of the slowly rising factor ``(E / exciton_eV) ** p`` of the continuum
        (dimensionless; the joint density of states increases into the UV).
    scatter:
        Rayleigh-like scatter background: the scatter absorbance at 500 nm
        (``E_ref`` = :data:`SCATTER_REFERENCE_eV`), growing as ``(E / E_ref) ** 4``.

    Returns
    -------
    numpy.ndarray
        Absorbance (dimensionless) ``Abs1 + Abs2 + continuum + scatter``.
    """
    E = np.asarray(energy_eV, dtype=float)
    w_c = exciton_width_eV if continuum_width_eV is None else continuum_width_eV
    abs1 = exciton_amplitude * np.exp(-0.5 * ((E - exciton_eV) / exciton_width_eV) ** 2)
    abs2_centre = exciton_eV - abs2_offset_eV
    abs2 = abs2_amplitude * np.exp(-0.5 * ((E - abs2_centre) / abs2_width_eV) ** 2)
    step = 0.5 * (1.0 + erf((E - exciton_eV) / (math.sqrt(2.0) * w_c)))
    continuum = continuum_amplitude * step * (E / exciton_eV) ** continuum_exponent
    background = scatter * (E / SCATTER_REFERENCE_eV) ** 4
    return abs1 + abs2 + continuum + background


@dataclass(frozen=True)
class AbsorptionParams:
    """Parameters of :func:`absorbance_model` (same names, units and meaning)."""

    exciton_eV: float
    exciton_width_eV: float
    exciton_amplitude: float
    abs2_offset_eV: float = 0.2
    abs2_width_eV: float = 0.15
    abs2_amplitude: float = 0.0
    continuum_amplitude: float = 0.5
    continuum_width_eV: float | None = None
    continuum_exponent: float = 2.0
    scatter: float = 0.0

    def absorbance(self, energy_eV: ArrayLike) -> NDArray[np.float64]:
        """Noiseless absorbance at ``energy_eV`` (eV)."""
        return absorbance_model(energy_eV, **asdict(self))


def _as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise InputError(
        "rng must be a numpy Generator, an integer seed or None",
        field="rng",
        expected="numpy.random.Generator | int | None",
        found=type(rng).__name__,
    )


def simulate_absorbance(
    params: AbsorptionParams,
    *,
    wavelength_nm: ArrayLike | None = DEFAULT_WAVELENGTH_NM,
    noise_absorbance: float = 0.002,
    rng: np.random.Generator | int | None = None,
) -> xr.DataArray:
    """Simulated UV-vis spectrum: the model plus white Gaussian noise, on a wavelength axis.

    Parameters
    ----------
    params:
        Model parameters.
    wavelength_nm:
        Wavelengths, nm; default ``np.arange(350, 801, 1.0)`` (a typical 1-nm scan; ``None``
        means the same).
    noise_absorbance:
        Standard deviation of the additive Gaussian noise, absorbance units (>= 0).
    rng:
        A :class:`numpy.random.Generator`, an integer seed, or ``None`` (fresh entropy).

    Returns
    -------
    xarray.DataArray
        Named ``'absorbance'`` with dimension and coordinate ``'wavelength_nm'``.
    """
    wl = np.array(DEFAULT_WAVELENGTH_NM if wavelength_nm is None else wavelength_nm, dtype=float)
    if wl.ndim != 1 or wl.size == 0 or not np.all(np.isfinite(wl)) or np.any(wl <= 0):
        raise InputError(
            "wavelengths must be a non-empty 1-D array of positive finite numbers",
            field="wavelength_nm",
            expected="1-D array of wavelengths > 0 nm",
            found=f"shape {wl.shape}",
        )
    if not (math.isfinite(noise_absorbance) and noise_absorbance >= 0):
        raise InputError(
            "noise must be a finite standard deviation >= 0",
            field="noise_absorbance",
            expected=">= 0",
            found=noise_absorbance,
        )
    generator = _as_generator(rng)
    clean = params.absorbance(nm_to_eV(wl))
    noisy = (
        clean + generator.normal(0.0, noise_absorbance, size=wl.shape)
        if noise_absorbance
        else clean
    )
    attrs: dict[str, object] = {
        "units": "",
        "long_name": "absorbance",
        "simulated": 1,
        "noise_absorbance": float(noise_absorbance),
    }
    for key, value in asdict(params).items():
        attrs[f"param_{key}"] = "none" if value is None else float(value)
    return xr.DataArray(
        noisy,
        dims=("wavelength_nm",),
        coords={"wavelength_nm": ("wavelength_nm", wl, {"units": "nm", "long_name": "wavelength"})},
        name="absorbance",
        attrs=attrs,
    )


def true_band_gap_eV(params: AbsorptionParams, *, step_eV: float = 1e-4) -> float:
    """Band gap of the noiseless model by the second-derivative definition, eV.

    The band gap is the energy of the deepest minimum of d2A/dE2 (the most negative curvature
    of the absorption edge). It is computed numerically: A is evaluated on a fine uniform grid
    (``step_eV``, default 0.1 meV) spanning ``exciton_eV`` +/- 1 eV, d2A/dE2 is taken by central
    second differences (error O(step^2), negligible), and the minimum is refined by a parabola
    through the three grid points around it.

    This is *not* exactly ``exciton_eV``: the continuum onset (whose curvature minimum lies
    above its midpoint) pulls the minimum up, and Abs2 (below) pulls it down slightly.
    Parameters are assumed to make the exciton dip the deepest one (an Abs2 band much narrower
    or stronger than Abs1 would produce a deeper dip of its own).
    """
    E = np.arange(params.exciton_eV - 1.0, params.exciton_eV + 1.0 + step_eV / 2, step_eV)
    E = E[E > 0.05]
    A = params.absorbance(E)
    d2 = (A[2:] - 2.0 * A[1:-1] + A[:-2]) / step_eV**2
    i = int(np.argmin(d2))
    i = min(max(i, 1), d2.size - 2)
    ym, y0, yp = d2[i - 1], d2[i], d2[i + 1]
    denom = ym - 2.0 * y0 + yp
    shift = 0.5 * (ym - yp) / denom if denom > 0 else 0.0
    return float(E[i + 1] + shift * step_eV)
