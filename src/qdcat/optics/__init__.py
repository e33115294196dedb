"""Optical spectroscopy: UV-vis absorption forward model and band-gap analysis."""

from qdcat.optics.absorption import (
    AbsorptionParams,
    absorbance_model,
    simulate_absorbance,
    true_band_gap_eV,
)
from qdcat.optics.bandgap import (
    band_gap_second_derivative,
    plot_band_gap,
    plot_band_gap_comparison,
)

__all__ = [
    "AbsorptionParams",
    "absorbance_model",
    "band_gap_second_derivative",
    "plot_band_gap",
    "plot_band_gap_comparison",
    "simulate_absorbance",
    "true_band_gap_eV",
]
