"""Photon accounting: photon fluxes, absorbed photons, AQY, internal quantum yield, STF.

Formulas
--------
* Photon energy E = h c / lambda; monochromatic photon rate N = P lambda / (h c) with P the
  power on the sample (power density x illuminated area). In umol h-1:
  N = P lambda / (h c N_A) x 3600 s h-1 x 1e6 umol mol-1 (seed paper; science.md section 6).
* Broadband photon rate N = A x integral E(lambda) lambda / (h c) d lambda over the spectrum
  (or a band of it), see :mod:`qdcat.catalysis.spectra`.
* Absorbed photons: the fraction of photons absorbed at a wavelength is 1 - 10^-A(lambda) for
  the absorbance A of the sample along the illumination path in the reactor (Beer-Lambert;
  scattering and reflection neglected, negative baseline absorbance taken as 0).
  Broadband: N_abs = A x integral q(lambda) (1 - 10^-A(lambda)) d lambda.
* Apparent quantum yield AQY = z x r / N x 100 % with r the product rate and z the electrons
  per molecule (:data:`qdcat.catalysis.yields.ELECTRONS_PER_PRODUCT`; CO, H2: 2, CH4: 8).
  Broadband AQY counts every incident photon of the light (or of its counting band).
* Internal quantum yield IQY = z x r / N_abs x 100 % (absorbed photons only).
* Solar-to-fuel efficiency STF = sum_i r_i dG_i / P_in x 100 % with dG_i the standard Gibbs
  energy of forming product i from CO2 and water, water being oxidised to O2
  (:data:`GIBBS_ENERGY_kJ_mol`) and P_in the incident solar power. STF is only an efficiency
  of solar fuel production when water is the electron donor and the light is AM1.5G at 1 sun;
  with a sacrificial donor (ascorbic acid, TEOA, ...) the electrons come from the donor,
  whose oxidation stores far less (or no) energy, so the number is reported as
  ``apparent_stf_pct`` with a warning that says it is not a solar-to-fuel efficiency.

Uncertainty: photon fluxes are computed from stated (exact) power, area and wavelength; a
rate's standard error propagates linearly into AQY, IQY and STF.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from qdcat.catalysis.spectra import (
    WAVELENGTH_RANGE_NM,
    Spectrum,
    as_array,
    band_cut,
    check_band,
    check_positive,
    check_wavelength,
    read_light_spectrum,
    solar_simulator_spectrum,
)
from qdcat.catalysis.yields import ELECTRONS_PER_PRODUCT
from qdcat.core.constants import (
    AVOGADRO_per_mol,
    HC_eV_nm,
    PLANCK_J_s,
    SPEED_OF_LIGHT_m_s,
)
from qdcat.core.errors import ConfigError, InputError
from qdcat.core.results import Quantity, Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ANALYSIS_NAME",
    "WAVELENGTH_RANGE_NM",
    "BroadbandLight",
    "GIBBS_ENERGY_kJ_mol",
    "GIBBS_FORMATION_kJ_mol",
    "MonochromaticLight",
    "absorbed_fraction",
    "absorbed_photon_flux_umol_h",
    "aqy_percent",
    "broadband_photon_flux_umol_h",
    "iqy_percent",
    "light_from_config",
    "photon_accounting",
    "photon_energy_eV",
    "photon_flux_per_s",
    "photon_flux_umol_h",
    "plot_photons",
    "solar_to_fuel",
]

#: Value of :attr:`Result.analysis` for :func:`photon_accounting`.
ANALYSIS_NAME = "catalysis.photons"

#: photons s-1 -> umol h-1
_PER_S_TO_UMOL_H = 3600.0 * 1e6 / AVOGADRO_per_mol

#: Standard Gibbs energies of formation at 298.15 K and 1 bar, kJ mol-1 (NBS tables: D. D.
#: Wagman et al., J. Phys. Chem. Ref. Data 11, Suppl. 2 (1982); the same values are in the CRC
#: Handbook of Chemistry and Physics). Elements (H2, O2) are 0.
GIBBS_FORMATION_kJ_mol: Mapping[str, float] = {
    "CO2(g)": -394.359,
    "CO(g)": -137.168,
    "H2O(l)": -237.129,
    "CH4(g)": -50.72,
    "HCOOH(l)": -361.35,
    "CH3OH(l)": -166.27,
}


def _reaction_gibbs() -> dict[str, float]:
    f = GIBBS_FORMATION_kJ_mol
    co2, h2o = f["CO2(g)"], f["H2O(l)"]
    return {
        # CO2 -> CO + 1/2 O2
        "CO": f["CO(g)"] - co2,
        # H2O -> H2 + 1/2 O2
        "H2": -h2o,
        # CO2 + H2O -> HCOOH + 1/2 O2
        "HCOOH": f["HCOOH(l)"] - co2 - h2o,
        # CO2 + 2 H2O -> CH3OH + 3/2 O2
        "CH3OH": f["CH3OH(l)"] - co2 - 2 * h2o,
        # CO2 + 2 H2O -> CH4 + 2 O2
        "CH4": f["CH4(g)"] - co2 - 2 * h2o,
    }


#: Standard Gibbs energy (kJ per mol of product) of making each product from CO2 and liquid
#: water with O2 as the oxidation product, from :data:`GIBBS_FORMATION_kJ_mol` (CO 257.2,
#: H2 237.1, HCOOH 270.1, CH3OH 702.3, CH4 817.9 kJ mol-1).
GIBBS_ENERGY_kJ_mol: Mapping[str, float] = _reaction_gibbs()

#: Tolerance for "1 sun": full AM1.5G spectrum at 100 mW cm-2 within this many mW cm-2.
_ONE_SUN_TOLERANCE_mW_cm2 = 2.0

#: An absorbance: a number, (wavelength_nm, absorbance) arrays, or a table with those columns.
AbsorbanceLike = float | tuple[ArrayLike, ArrayLike] | pd.DataFrame


# ----------------------------------------------------------------------------------------------
# Monochromatic light
# ----------------------------------------------------------------------------------------------


def photon_energy_eV(wavelength_nm: float) -> float:
    """Energy of one photon, eV: E = h c / lambda (``HC_eV_nm`` = 1239.84 eV nm)."""
    return HC_eV_nm / check_wavelength(wavelength_nm)


def photon_flux_per_s(wavelength_nm: float, power_mW_cm2: float, area_cm2: float) -> float:
    """Photons per second of monochromatic light: P lambda / (h c), P = power density x area.

    Raises :class:`InputError` naming the argument for a wavelength outside
    :data:`WAVELENGTH_RANGE_NM`, a power density or area that is not positive.
    """
    wl = check_wavelength(wavelength_nm)
    power = check_positive(power_mW_cm2, "power_mW_cm2", "mW cm-2")
    area = check_positive(area_cm2, "area_cm2", "cm2")
    power_W = power * 1e-3 * area
    return power_W * wl * 1e-9 / (PLANCK_J_s * SPEED_OF_LIGHT_m_s)


def photon_flux_umol_h(wavelength_nm: float, power_mW_cm2: float, area_cm2: float) -> float:
    """Photon rate of monochromatic light in umol h-1 (12.04 umol h-1 for 1 mW at 400 nm).

    N = P lambda / (h c N_A) x 3600 x 1e6 with P = ``power_mW_cm2`` x ``area_cm2`` (mW).
    """
    return photon_flux_per_s(wavelength_nm, power_mW_cm2, area_cm2) * _PER_S_TO_UMOL_H


@dataclass(frozen=True)
class MonochromaticLight:
    """Monochromatic illumination: wavelength (nm), power density (mW cm-2), area (cm2)."""

    wavelength_nm: float
    power_mW_cm2: float
    area_cm2: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "wavelength_nm", check_wavelength(self.wavelength_nm))
        object.__setattr__(
            self, "power_mW_cm2", check_positive(self.power_mW_cm2, "power_mW_cm2", "mW cm-2")
        )
        object.__setattr__(self, "area_cm2", check_positive(self.area_cm2, "area_cm2", "cm2"))

    @property
    def power_mW(self) -> float:
        return self.power_mW_cm2 * self.area_cm2

    @property
    def irradiance_mW_cm2(self) -> float:
        return self.power_mW_cm2

    def photon_flux_umol_h(self) -> float:
        return photon_flux_umol_h(self.wavelength_nm, self.power_mW_cm2, self.area_cm2)

    def describe(self) -> str:
        return (
            f"monochromatic {self.wavelength_nm:g} nm, {self.power_mW_cm2:g} mW cm-2 on "
            f"{self.area_cm2:g} cm2 ({self.power_mW:.4g} mW)"
        )


# ----------------------------------------------------------------------------------------------
# Broadband light
# ----------------------------------------------------------------------------------------------


def broadband_photon_flux_umol_h(
    spectrum: Spectrum, area_cm2: float, band_nm: tuple[float, float] | None = None
) -> float:
    """Photon rate (umol h-1) of a spectrum on ``area_cm2``, over ``band_nm`` if given."""
    if not isinstance(spectrum, Spectrum):
        raise InputError("expected a Spectrum", field="spectrum", found=type(spectrum).__name__)
    return spectrum.photon_flux_umol_h(area_cm2, band_nm)


@dataclass(frozen=True)
class BroadbandLight:
    """Broadband illumination: a :class:`Spectrum` on ``area_cm2``.

    ``band_nm`` restricts the photons *counted* for AQY (e.g. photons above the band gap);
    the incident power (for STF) is always that of the whole spectrum.
    """

    spectrum: Spectrum
    area_cm2: float
    band_nm: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.spectrum, Spectrum):
            raise InputError(
                "expected a Spectrum", field="spectrum", found=type(self.spectrum).__name__
            )
        object.__setattr__(self, "area_cm2", check_positive(self.area_cm2, "area_cm2", "cm2"))
        if self.band_nm is not None:
            band = check_band(self.band_nm)
            band_cut(self.spectrum.wavelength_nm, self.spectrum.irradiance_W_m2_nm, band)
            object.__setattr__(self, "band_nm", band)

    @property
    def irradiance_mW_cm2(self) -> float:
        return self.spectrum.irradiance_mW_cm2()

    @property
    def power_mW(self) -> float:
        return self.irradiance_mW_cm2 * self.area_cm2

    def photon_flux_umol_h(self) -> float:
        return self.spectrum.photon_flux_umol_h(self.area_cm2, self.band_nm)

    def describe(self) -> str:
        band = "" if self.band_nm is None else f", photons counted {self.band_nm[0]:g}-"
        band += "" if self.band_nm is None else f"{self.band_nm[1]:g} nm"
        return (
            f"broadband {self.spectrum.label}: {self.irradiance_mW_cm2:.4g} mW cm-2 on "
            f"{self.area_cm2:g} cm2{band}"
        )


#: Either kind of light.
Light = MonochromaticLight | BroadbandLight


# ----------------------------------------------------------------------------------------------
# Absorbed photons
# ----------------------------------------------------------------------------------------------


def absorbed_fraction(absorbance: ArrayLike) -> NDArray[np.float64] | float:
    """Fraction of photons absorbed, 1 - 10^-A (A < 0, baseline noise, counts as 0)."""
    a = np.asarray(absorbance, dtype=float)
    if not np.all(np.isfinite(a)):
        raise InputError("absorbance must be finite", field="absorbance", found=absorbance)
    frac = -np.expm1(-np.log(10.0) * np.clip(a, 0.0, None))
    return float(frac) if frac.ndim == 0 else frac


def _absorbance_curve(
    absorbance: AbsorbanceLike,
) -> tuple[NDArray[np.float64], NDArray[np.float64], str | None] | float:
    """A scalar absorbance, or (wavelength_nm, absorbance, source file) sorted by wavelength."""
    if isinstance(absorbance, int | float | np.floating | np.integer) and not isinstance(
        absorbance, bool
    ):
        a = float(absorbance)
        if not math.isfinite(a):
            raise InputError("absorbance must be finite", field="absorbance", found=absorbance)
        return a
    file = None
    if isinstance(absorbance, pd.DataFrame):
        file = absorbance.attrs.get("source_file")
        columns = [str(c) for c in absorbance.columns]
        if "wavelength_nm" not in columns or "absorbance" not in columns:
            raise InputError(
                "absorbance table needs columns 'wavelength_nm' and 'absorbance'",
                file=file,
                field="absorbance",
                found=columns,
            )
        wl_raw, a_raw = absorbance["wavelength_nm"], absorbance["absorbance"]
    else:
        try:
            wl_raw, a_raw = absorbance
        except (TypeError, ValueError):
            raise InputError(
                "absorbance must be a number, (wavelength_nm, absorbance) arrays or a table",
                field="absorbance",
                found=type(absorbance).__name__,
            ) from None
    wl = as_array(wl_raw, "absorbance.wavelength_nm")
    a = as_array(a_raw, "absorbance")
    if wl.size != a.size or wl.size < 2:
        raise InputError(
            "absorbance spectrum needs >= 2 points and as many wavelengths as values",
            file=file,
            field="absorbance",
            found=(wl.size, a.size),
        )
    order = np.argsort(wl)
    wl, a = wl[order], a[order]
    if np.any(np.diff(wl) == 0):
        raise InputError(
            "duplicated wavelength in the absorbance spectrum",
            file=file,
            field="absorbance.wavelength_nm",
        )
    return wl, a, file


def _absorbance_at(curve: Any, wavelength_nm: NDArray[np.float64]) -> NDArray[np.float64]:
    if isinstance(curve, float):
        return np.full(wavelength_nm.shape, curve)
    wl, a, file = curve
    lo, hi = float(wavelength_nm.min()), float(wavelength_nm.max())
    tol = 1e-9 * hi
    if lo < wl[0] - tol or hi > wl[-1] + tol:
        raise InputError(
            f"absorbance spectrum ({wl[0]:g}-{wl[-1]:g} nm) does not cover the light "
            f"({lo:g}-{hi:g} nm)",
            file=file,
            field="absorbance",
            expected=f"absorbance measured over {lo:g}-{hi:g} nm (or count photons in a band "
            "inside the measured range)",
        )
    return np.interp(wavelength_nm, wl, a)


def absorbed_photon_flux_umol_h(light: Light, absorbance: AbsorbanceLike) -> float:
    """Absorbed photons per hour (umol h-1): incident photons weighted by 1 - 10^-A(lambda).

    ``absorbance``: a number (the absorbance at the wavelength, or a flat absorbance), a pair
    ``(wavelength_nm, absorbance)`` of arrays, or a table with those columns (as read by
    :func:`qdcat.io.read_frame`). The spectrum must cover the light (its counting band).
    """
    return _absorbed(light, absorbance)[0]


def _absorbed(
    light: Light, absorbance: AbsorbanceLike
) -> tuple[float, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(absorbed umol h-1, wavelength grid, incident and absorbed umol h-1 nm-1 on the grid)."""
    curve = _absorbance_curve(absorbance)
    if isinstance(light, MonochromaticLight):
        wl = np.array([light.wavelength_nm])
        frac = np.atleast_1d(absorbed_fraction(_absorbance_at(curve, wl)))
        incident = np.array([light.photon_flux_umol_h()])
        return float(incident[0] * frac[0]), wl, incident, incident * frac
    if not isinstance(light, BroadbandLight):
        raise InputError("unknown light", field="light", found=type(light).__name__)
    s = light.spectrum
    wl, q = band_cut(s.wavelength_nm, s.photon_flux_density_umol_h_cm2_nm(), light.band_nm)
    incident = q * light.area_cm2
    absorbed = incident * np.atleast_1d(absorbed_fraction(_absorbance_at(curve, wl)))
    return float(np.trapezoid(absorbed, wl)), wl, incident, absorbed


# ----------------------------------------------------------------------------------------------
# Quantum yields
# ----------------------------------------------------------------------------------------------


def _check_rate(rate_umol_h: Any, field: str = "rate_umol_h") -> float:
    try:
        r = float(rate_umol_h)
    except (TypeError, ValueError):
        raise InputError("not a number", field=field, found=rate_umol_h) from None
    if not math.isfinite(r) or r < 0:
        raise InputError(
            "rate must be a finite number >= 0",
            field=field,
            expected="umol h-1 >= 0",
            found=rate_umol_h,
        )
    return r


def aqy_percent(
    rate_umol_h: float, electrons_per_product: float, photon_flux_umol_h: float
) -> float:
    """Apparent quantum yield, %: electrons per product x rate / photon rate x 100.

    Rate and photon flux in the same unit (umol h-1). Raises :class:`InputError` for a
    negative rate, a non-positive electron count or photon flux.
    """
    r = _check_rate(rate_umol_h)
    z = check_positive(electrons_per_product, "electrons_per_product", "")
    flux = check_positive(photon_flux_umol_h, "photon_flux_umol_h", "umol h-1")
    return z * r / flux * 100.0


def iqy_percent(
    rate_umol_h: float, electrons_per_product: float, absorbed_photon_flux_umol_h: float
) -> float:
    """Internal quantum yield, %: electrons per product x rate / absorbed photon rate x 100."""
    r = _check_rate(rate_umol_h)
    z = check_positive(electrons_per_product, "electrons_per_product", "")
    flux = check_positive(absorbed_photon_flux_umol_h, "absorbed_photon_flux_umol_h", "umol h-1")
    return z * r / flux * 100.0


def _rates(
    rates_umol_h: Mapping[str, float], rates_stderr_umol_h: Mapping[str, float | None] | None
) -> dict[str, tuple[float, float | None]]:
    if not isinstance(rates_umol_h, Mapping) or not rates_umol_h:
        raise InputError(
            "no product rates", field="rates_umol_h", expected="{'CO': 0.1017, ...} in umol h-1"
        )
    errors = dict(rates_stderr_umol_h or {})
    out: dict[str, tuple[float, float | None]] = {}
    for product, rate in rates_umol_h.items():
        if product not in ELECTRONS_PER_PRODUCT:
            raise InputError(
                f"unknown product {product!r}",
                field=f"rates_umol_h[{product!r}]",
                expected=f"one of {list(ELECTRONS_PER_PRODUCT)}",
                found=product,
            )
        err = errors.get(product)
        se = None if err is None else _check_rate(err, f"rates_stderr_umol_h[{product!r}]")
        out[product] = (_check_rate(rate, f"rates_umol_h[{product!r}]"), se)
    unknown = set(errors) - set(out)
    if unknown:
        raise InputError(
            "standard error given for a product without a rate",
            field="rates_stderr_umol_h",
            found=sorted(unknown),
        )
    return out


def _is_one_sun_am15g(light: Light) -> bool:
    if not isinstance(light, BroadbandLight):
        return False
    meta = light.spectrum.metadata
    return (
        bool(meta.get("am15g"))
        and meta.get("band_nm") is None
        and abs(light.irradiance_mW_cm2 - 100.0) <= _ONE_SUN_TOLERANCE_mW_cm2
    )


def solar_to_fuel(
    light: Light,
    rates_umol_h: Mapping[str, float],
    *,
    sacrificial_donor: str | None,
    rates_stderr_umol_h: Mapping[str, float | None] | None = None,
) -> Result:
    """Solar-to-fuel efficiency sum r_i dG_i / P_in, or what it is when it is not one.

    ``sacrificial_donor``: the donor consumed (``'ascorbic acid'``), or ``None`` when water is
    the electron donor. Quantities (percent): ``stf_pct`` when water is the donor and the
    light is AM1.5G at 1 sun (100 +- 2 mW cm-2, whole spectrum); otherwise
    ``apparent_stf_pct`` -- the same arithmetic -- with warnings saying why it is not a
    solar-to-fuel efficiency. ``metadata['is_solar_to_fuel']`` says which.
    """
    if sacrificial_donor is not None and not (
        isinstance(sacrificial_donor, str) and sacrificial_donor.strip()
    ):
        raise InputError(
            "name the sacrificial donor, or None for water",
            field="sacrificial_donor",
            found=sacrificial_donor,
        )
    rates = _rates(rates_umol_h, rates_stderr_umol_h)
    power_W = light.power_mW * 1e-3
    total = 0.0
    var: float | None = 0.0
    quantities: dict[str, Quantity] = {}
    for product, (rate, se) in rates.items():
        dg = GIBBS_ENERGY_kJ_mol[product] * 1e3  # J mol-1
        watts = rate * 1e-6 / 3600.0 * dg
        total += watts
        if var is not None:
            var = None if se is None else var + (se * 1e-6 / 3600.0 * dg) ** 2
    reasons = []
    if sacrificial_donor is not None:
        reasons.append(
            f"a sacrificial donor ({sacrificial_donor}) supplies the electrons and is consumed; "
            "the Gibbs energy counted assumes water oxidation to O2, which does not happen, so "
            "this is not a solar-to-fuel efficiency"
        )
    if not _is_one_sun_am15g(light):
        reasons.append(
            f"the light is not AM1.5G at 1 sun ({light.describe()}); a solar-to-fuel "
            "efficiency needs the full AM1.5G spectrum at 100 mW cm-2"
        )
    valid = not reasons
    name = "stf_pct" if valid else "apparent_stf_pct"
    text = (
        "solar-to-fuel efficiency sum r dG / P_in"
        if valid
        else "NOT a solar-to-fuel efficiency: sum r dG / P_in (see warnings)"
    )
    value = total / power_W * 100.0
    quantities[name] = Quantity(
        value, None if var is None else math.sqrt(var) / power_W * 100.0, "%", text
    )
    return Result(
        analysis="catalysis.solar_to_fuel",
        quantities=quantities,
        warnings=tuple(reasons),
        metadata={
            "is_solar_to_fuel": valid,
            "sacrificial_donor": sacrificial_donor,
            "light": light.describe(),
            "incident_power_mW": light.power_mW,
            "gibbs_energy_kJ_mol": {p: GIBBS_ENERGY_kJ_mol[p] for p in rates},
            "gibbs_energy_basis": (
                "standard Gibbs energy of CO2 + H2O -> product + O2 at 298.15 K (NBS tables, "
                "Wagman et al., J. Phys. Chem. Ref. Data 11, Suppl. 2, 1982)"
            ),
        },
    )


def photon_accounting(
    light: Light,
    *,
    rates_umol_h: Mapping[str, float] | None = None,
    rates_stderr_umol_h: Mapping[str, float | None] | None = None,
    absorbance: AbsorbanceLike | None = None,
    sacrificial_donor: str | bool | None = None,
) -> Result:
    """Photon fluxes of ``light`` and, given product rates, AQY / IQY / STF.

    Quantities:

    * ``photon_flux_umol_h`` and ``photon_flux_per_s`` -- incident photons (in the counting
      band of a broadband light); ``power_mW`` and ``irradiance_mW_cm2`` -- incident power
      (whole spectrum); ``photon_energy_eV`` (monochromatic) or ``mean_photon_energy_eV``.
    * with ``absorbance``: ``absorbed_photon_flux_umol_h`` and ``absorbed_fraction``
      (photon-weighted 1 - 10^-A).
    * with ``rates_umol_h`` ({product: umol h-1}): ``<P>_aqy_pct`` and ``aqy_total_pct``
      (all products' electrons); with ``absorbance`` also ``<P>_iqy_pct``, ``iqy_total_pct``.
    * with ``sacrificial_donor`` stated (a donor name, or ``False`` for water as the donor):
      ``stf_pct`` or ``apparent_stf_pct`` (:func:`solar_to_fuel`). ``None`` (not stated)
      leaves STF out.
    """
    if not isinstance(light, MonochromaticLight | BroadbandLight):
        raise InputError(
            "unknown light",
            field="light",
            expected="MonochromaticLight or BroadbandLight",
            found=type(light).__name__,
        )
    quantities: dict[str, Quantity] = {}
    warnings: list[str] = []
    flux = light.photon_flux_umol_h()
    quantities["photon_flux_umol_h"] = Quantity(flux, None, "umol h-1", "incident photon rate")
    quantities["photon_flux_per_s"] = Quantity(
        flux / _PER_S_TO_UMOL_H,
        None,
        "s-1",
        "incident photons per second",
        stderr_name="photon_flux_stderr_per_s",
    )
    quantities["power_mW"] = Quantity(light.power_mW, None, "mW", "incident power")
    quantities["irradiance_mW_cm2"] = Quantity(
        light.irradiance_mW_cm2, None, "mW cm-2", "incident power density"
    )
    metadata: dict[str, Any] = {"light": light.describe(), "area_cm2": light.area_cm2}
    curves: dict[str, Any] = {}
    if isinstance(light, MonochromaticLight):
        quantities["photon_energy_eV"] = Quantity(
            photon_energy_eV(light.wavelength_nm), None, "eV", "photon energy h c / lambda"
        )
        metadata.update(
            light_type="monochromatic",
            wavelength_nm=light.wavelength_nm,
            power_mW_cm2=light.power_mW_cm2,
            photon_flux_formula="N = P lambda / (h c), P = power_mW_cm2 x area_cm2",
        )
        curves.update(wavelength_nm=np.array([light.wavelength_nm]), incident_umol_h_nm=None)
    else:
        s = light.spectrum
        band = light.band_nm
        quantities["mean_photon_energy_eV"] = Quantity(
            s.mean_photon_energy_eV(band), None, "eV", "irradiance / photon flux (counting band)"
        )
        metadata.update(
            light_type="broadband",
            spectrum=s.label,
            spectrum_metadata=dict(s.metadata),
            counting_band_nm=None if band is None else list(band),
            spectrum_range_nm=[float(s.wavelength_nm[0]), float(s.wavelength_nm[-1])],
            photon_flux_formula="N = area x integral E(lambda) lambda / (h c) d lambda",
        )
        if "reading" in s.metadata:
            metadata["irradiance_reading"] = s.metadata["reading"]
            metadata["irradiance_reading_text"] = s.metadata.get("reading_text")
        wl, q = band_cut(s.wavelength_nm, s.photon_flux_density_umol_h_cm2_nm(), band)
        curves.update(wavelength_nm=wl, incident_umol_h_nm=q * light.area_cm2)

    absorbed = None
    if absorbance is not None:
        absorbed, wl, incident, absorbed_curve = _absorbed(light, absorbance)
        quantities["absorbed_photon_flux_umol_h"] = Quantity(
            absorbed, None, "umol h-1", "absorbed photon rate (1 - 10^-A weighting)"
        )
        quantities["absorbed_fraction"] = Quantity(
            absorbed / flux, None, "", "photon-weighted absorbed fraction"
        )
        curves.update(
            wavelength_nm=wl, incident_umol_h_nm=incident, absorbed_umol_h_nm=absorbed_curve
        )
        metadata["absorbance_model"] = (
            "absorbed fraction 1 - 10^-A, A along the illumination path in the reactor; "
            "scattering and reflection neglected; A < 0 taken as 0"
        )
        if absorbed <= 0:
            warnings.append("no photon is absorbed: the internal quantum yield is undefined")

    if rates_umol_h is not None:
        rates = _rates(rates_umol_h, rates_stderr_umol_h)
        electrons = 0.0
        electrons_var: float | None = 0.0
        for product, (rate, se) in rates.items():
            z = ELECTRONS_PER_PRODUCT[product]
            aqy = aqy_percent(rate, z, flux)
            quantities[f"{product}_aqy_pct"] = Quantity(
                aqy,
                None if se is None else z * se / flux * 100.0,
                "%",
                f"{product} apparent quantum yield, {z} e- x rate / incident photons",
            )
            if absorbed is not None and absorbed > 0:
                quantities[f"{product}_iqy_pct"] = Quantity(
                    iqy_percent(rate, z, absorbed),
                    None if se is None else z * se / absorbed * 100.0,
                    "%",
                    f"{product} internal quantum yield, {z} e- x rate / absorbed photons",
                )
            electrons += z * rate
            electrons_var = (
                None if (se is None or electrons_var is None) else (electrons_var + (z * se) ** 2)
            )
        e_se = None if electrons_var is None else math.sqrt(electrons_var)
        quantities["aqy_total_pct"] = Quantity(
            electrons / flux * 100.0,
            None if e_se is None else e_se / flux * 100.0,
            "%",
            "all products: sum z x rate / incident photons",
        )
        if absorbed is not None and absorbed > 0:
            quantities["iqy_total_pct"] = Quantity(
                electrons / absorbed * 100.0,
                None if e_se is None else e_se / absorbed * 100.0,
                "%",
                "all products: sum z x rate / absorbed photons",
            )
        metadata["electrons_per_product"] = {p: ELECTRONS_PER_PRODUCT[p] for p in rates}
        metadata["rates_umol_h"] = {p: r for p, (r, _) in rates.items()}
        metadata["aqy_definition"] = (
            "AQY = electrons per product x product rate / incident photon rate x 100 %"
        )
        if sacrificial_donor is not None:
            donor = None if sacrificial_donor is False else sacrificial_donor
            if donor is True:
                raise InputError(
                    "name the sacrificial donor (or False for water)",
                    field="sacrificial_donor",
                    found=True,
                )
            stf = solar_to_fuel(
                light,
                rates_umol_h,
                sacrificial_donor=donor,
                rates_stderr_umol_h=rates_stderr_umol_h,
            )
            quantities.update(stf.quantities)
            warnings.extend(stf.warnings)
            metadata["is_solar_to_fuel"] = stf.metadata["is_solar_to_fuel"]
            metadata["sacrificial_donor"] = donor
    return Result(
        analysis=ANALYSIS_NAME,
        quantities=quantities,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


# ----------------------------------------------------------------------------------------------
# Run-file [light] tables
# ----------------------------------------------------------------------------------------------

_MONO_KEYS = ("wavelength_nm", "power_mW_cm2", "area_cm2")
_BROAD_KEYS = ("spectrum", "area_cm2", "irradiance_mW_cm2", "band_nm", "reading", "count_band_nm")


def light_from_config(
    table: Mapping[str, Any],
    *,
    file: str | Path | None = None,
    base_dir: str | Path | None = None,
    key: str = "light",
    ignore: tuple[str, ...] = (),
) -> Light:
    """A light source from a run-file table (``[light]``).

    Monochromatic: ``wavelength_nm``, ``power_mW_cm2``, ``area_cm2``. Broadband:
    ``spectrum`` = ``"AM1.5G"`` or a spectrum file (relative to ``base_dir``; see
    :func:`~qdcat.catalysis.spectra.read_light_spectrum`), ``area_cm2``, and optionally
    ``irradiance_mW_cm2`` (default 100 for AM1.5G), ``band_nm = [380, 780]`` (filter),
    ``reading = "filtered" | "full"`` (default ``"filtered"``; see
    :data:`~qdcat.catalysis.spectra.READINGS`) and ``count_band_nm`` (photons counted for
    AQY). Problems raise :class:`ConfigError` with the key path (``light.power_mW_cm2``).
    """
    src = None if file is None else str(file)
    if not isinstance(table, Mapping):
        raise ConfigError("must be a table", file=src, key_path=key, found=type(table).__name__)
    mono = "wavelength_nm" in table
    broad = "spectrum" in table
    if mono == broad:
        raise ConfigError(
            "give either wavelength_nm (monochromatic) or spectrum (broadband)",
            file=src,
            key_path=key,
            expected="wavelength_nm + power_mW_cm2 + area_cm2, or spectrum + area_cm2",
            found=sorted(table),
        )
    allowed = set(_MONO_KEYS if mono else _BROAD_KEYS) | set(ignore)
    for name in table:
        if name not in allowed:
            raise ConfigError(
                "unknown key",
                file=src,
                key_path=f"{key}.{name}",
                expected=f"one of {sorted(allowed)}",
                found=name,
            )
    required = _MONO_KEYS if mono else ("spectrum", "area_cm2")
    for name in required:
        if name not in table:
            raise ConfigError("missing key", file=src, key_path=f"{key}.{name}")
    try:
        if mono:
            return MonochromaticLight(
                table["wavelength_nm"], table["power_mW_cm2"], table["area_cm2"]
            )
        band = table.get("band_nm")
        reading = table.get("reading", "filtered")
        spec = table["spectrum"]
        if not isinstance(spec, str):
            raise ConfigError(
                "must be 'AM1.5G' or a file name", file=src, key_path=f"{key}.spectrum", found=spec
            )
        if spec.replace(" ", "").upper() in ("AM1.5G", "AM15G"):
            spectrum = solar_simulator_spectrum(
                table.get("irradiance_mW_cm2", 100.0),
                band_nm=None if band is None else tuple(band),
                reading=reading,
            )
        else:
            if "reading" in table and reading != "filtered":
                raise ConfigError(
                    "a measured spectrum file is the light on the sample: only reading = "
                    "'filtered' applies",
                    file=src,
                    key_path=f"{key}.reading",
                    found=reading,
                )
            path = Path(spec)
            if not path.is_absolute() and base_dir is not None:
                path = Path(base_dir) / path
            spectrum = read_light_spectrum(
                path,
                irradiance_mW_cm2=table.get("irradiance_mW_cm2"),
                band_nm=None if band is None else tuple(band),
            )
        count = table.get("count_band_nm")
        return BroadbandLight(spectrum, table["area_cm2"], None if count is None else tuple(count))
    except ConfigError:
        raise
    except InputError as exc:
        if exc.file is not None:
            raise
        field = exc.field or ""
        name = field if field in table else next((k for k in table if k in field), field)
        raise ConfigError(
            exc.reason, file=src, key_path=f"{key}.{name}", expected=exc.expected, found=exc.found
        ) from exc


# ----------------------------------------------------------------------------------------------
# Figure
# ----------------------------------------------------------------------------------------------


def plot_photons(result: Result, *, figsize: tuple[float, float] = (7.0, 4.4)) -> Figure:
    """Incident (and absorbed) photon rate per nm vs wavelength, with the totals in the legend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not isinstance(result, Result) or result.analysis != ANALYSIS_NAME:
        raise InputError(
            "expected a result of photon_accounting",
            field="result",
            found=getattr(result, "analysis", type(result).__name__),
        )
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    q = result.quantities
    c = result.curves
    flux = float(q["photon_flux_umol_h"].value)
    wl = np.asarray(c["wavelength_nm"], dtype=float)
    if result.metadata.get("light_type") == "monochromatic":
        ax.bar(
            wl, [flux], width=8.0, color="#1f5fa8", label=f"incident: {flux:.4g} µmol h$^{{-1}}$"
        )
        if "absorbed_photon_flux_umol_h" in q:
            a = float(q["absorbed_photon_flux_umol_h"].value)
            ax.bar(wl, [a], width=8.0, color="#e07b24", label=f"absorbed: {a:.4g} µmol h$^{{-1}}$")
        ax.set_ylabel("Photon rate (µmol h$^{-1}$)", fontsize=12)
        ax.set_xlim(wl[0] - 100, wl[0] + 100)
    else:
        inc = np.asarray(c["incident_umol_h_nm"], dtype=float)
        ax.plot(wl, inc, color="#1f5fa8", lw=1.2, label=f"incident: {flux:.4g} µmol h$^{{-1}}$")
        if "absorbed_umol_h_nm" in c:
            a = float(q["absorbed_photon_flux_umol_h"].value)
            ax.fill_between(
                wl,
                np.asarray(c["absorbed_umol_h_nm"], dtype=float),
                color="#e07b24",
                alpha=0.6,
                lw=0,
                label=f"absorbed: {a:.4g} µmol h$^{{-1}}$",
            )
        ax.set_ylabel("Photon rate (µmol h$^{-1}$ nm$^{-1}$)", fontsize=12)
        ax.set_xlim(wl[0], wl[-1])
    ax.set_ylim(0, ax.get_ylim()[1] * 1.2)
    ax.set_xlabel("Wavelength (nm)", fontsize=12)
    ax.set_title(str(result.metadata.get("light", "")), loc="left", fontsize=10)
    ax.tick_params(labelsize=10.5)
    ax.legend(frameon=False, fontsize=9.5, loc="upper left")
    return fig
