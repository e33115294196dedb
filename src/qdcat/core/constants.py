"""Physical constants (CODATA, as shipped by :mod:`scipy.constants`) and unit conversions.

All values are exact or CODATA-recommended; the CODATA edition is that of the installed SciPy
(``scipy.constants.physical_constants`` documents it). Names carry their units.
"""

from __future__ import annotations

import numpy as np
import scipy.constants as _sc
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BOLTZMANN_J_K",
    "ELEMENTARY_CHARGE_C",
    "AVOGADRO_per_mol",
    "BOLTZMANN_eV_K",
    "FARADAY_C_mol",
    "GAS_CONSTANT_J_mol_K",
    "HC_eV_nm",
    "PLANCK_J_s",
    "SPEED_OF_LIGHT_m_s",
    "eV_to_nm",
    "nm_to_eV",
    "photon_energy_J",
]

PLANCK_J_s: float = _sc.h  #: Planck constant, J s (exact since SI 2019)
SPEED_OF_LIGHT_m_s: float = _sc.c  #: speed of light in vacuum, m s-1 (exact)
ELEMENTARY_CHARGE_C: float = _sc.e  #: elementary charge, C (exact)
BOLTZMANN_J_K: float = _sc.k  #: Boltzmann constant, J K-1 (exact)
BOLTZMANN_eV_K: float = _sc.k / _sc.e  #: Boltzmann constant, eV K-1
AVOGADRO_per_mol: float = _sc.N_A  #: Avogadro constant, mol-1 (exact)
GAS_CONSTANT_J_mol_K: float = _sc.R  #: molar gas constant, J mol-1 K-1
FARADAY_C_mol: float = _sc.physical_constants["Faraday constant"][0]  #: C mol-1

#: h c / e in eV nm: E[eV] = HC_eV_nm / lambda[nm]  (= 1239.841984... eV nm)
HC_eV_nm: float = _sc.h * _sc.c / _sc.e * 1e9


def nm_to_eV(wavelength_nm: ArrayLike) -> NDArray[np.float64]:
    """Photon energy in eV of light of vacuum wavelength ``wavelength_nm`` (E = h c / lambda)."""
    wl = np.asarray(wavelength_nm, dtype=float)
    return HC_eV_nm / wl


def eV_to_nm(energy_eV: ArrayLike) -> NDArray[np.float64]:
    """Vacuum wavelength in nm of a photon of energy ``energy_eV`` (lambda = h c / E)."""
    e = np.asarray(energy_eV, dtype=float)
    return HC_eV_nm / e


def photon_energy_J(wavelength_nm: ArrayLike) -> NDArray[np.float64]:
    """Energy of one photon in J at vacuum wavelength ``wavelength_nm``."""
    return PLANCK_J_s * SPEED_OF_LIGHT_m_s / (np.asarray(wavelength_nm, dtype=float) * 1e-9)
