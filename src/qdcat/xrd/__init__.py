"""X-ray powder diffraction of quantum dots: Debye-equation patterns, stick patterns, fits.

- :mod:`qdcat.xrd.form_factors`: Waasmaier-Kirfel atomic form factors, Cu K-alpha lines.
- :mod:`qdcat.xrd.debye`: powder pattern of a finite dot (any :class:`ase.Atoms`) from the
  Debye scattering equation on pair-distance histograms.
- :mod:`qdcat.xrd.bragg`: bulk stick patterns (structure factors, multiplicities, Lp).
- :mod:`qdcat.xrd.peaks`: pseudo-Voigt peak fitting with a polynomial background (lmfit).
- :mod:`qdcat.xrd.size`: Scherrer size; Vegard Zn fraction from the (112) spacing.
- :mod:`qdcat.xrd.io`: reading measured patterns (``two_theta_deg, intensity``).
- :mod:`qdcat.xrd.analysis`: a pattern (measured or simulated) to d112, size and composition.
- :mod:`qdcat.xrd.plots`: figures.
"""

from __future__ import annotations

from qdcat.xrd.analysis import analyse_pattern, label_peaks, simulate_dot_xrd
from qdcat.xrd.bragg import (
    Reflection,
    d_from_two_theta_A,
    lorentz_polarisation,
    stick_pattern,
    structure_factor,
    two_theta_from_d_deg,
)
from qdcat.xrd.debye import (
    PairHistograms,
    debye_intensity,
    debye_pattern,
    pair_distance_histograms,
    polarisation_factor,
    q_from_two_theta,
)
from qdcat.xrd.form_factors import CU_KA1_A, CU_KA2_A, form_factor, known_elements
from qdcat.xrd.io import load_pattern
from qdcat.xrd.peaks import fit_peaks, pseudo_voigt
from qdcat.xrd.size import (
    SCHERRER_K,
    SCHERRER_K_SPHERE,
    VegardEstimate,
    d112_from_zn_fraction_A,
    scherrer_size_nm,
    zn_fraction_from_d112,
)

__all__ = [
    "CU_KA1_A",
    "CU_KA2_A",
    "SCHERRER_K",
    "SCHERRER_K_SPHERE",
    "PairHistograms",
    "Reflection",
    "VegardEstimate",
    "analyse_pattern",
    "d112_from_zn_fraction_A",
    "d_from_two_theta_A",
    "debye_intensity",
    "debye_pattern",
    "fit_peaks",
    "form_factor",
    "known_elements",
    "label_peaks",
    "load_pattern",
    "lorentz_polarisation",
    "pair_distance_histograms",
    "polarisation_factor",
    "pseudo_voigt",
    "q_from_two_theta",
    "scherrer_size_nm",
    "simulate_dot_xrd",
    "stick_pattern",
    "structure_factor",
    "two_theta_from_d_deg",
    "zn_fraction_from_d112",
]
