"""Optical spectroscopy: UV-vis absorption (forward model, band gap by the second derivative,
Tauc and Kubelka-Munk, Abs1/Abs2 edge decomposition) and steady-state photoluminescence (peak,
width, Stokes shift, relative quantum yield). Readers: :mod:`qdcat.io.spectra`."""

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
from qdcat.optics.batch import BATCH_METHODS, band_gap_batch
from qdcat.optics.decomposition import (
    decompose_edge,
    plot_edge_decomposition,
    plot_edge_decomposition_comparison,
)
from qdcat.optics.photoluminescence import (
    pl_energy_spectrum,
    pl_peak,
    plot_absorption_pl,
    plot_absorption_pl_comparison,
    plot_pl_peak,
    relative_quantum_yield,
    simulate_pl,
    stokes_shift,
)
from qdcat.optics.tauc import (
    band_gap_kubelka_munk,
    band_gap_tauc,
    kubelka_munk,
    plot_tauc,
    tauc_transform,
)

__all__ = [
    "BATCH_METHODS",
    "AbsorptionParams",
    "absorbance_model",
    "band_gap_batch",
    "band_gap_kubelka_munk",
    "band_gap_second_derivative",
    "band_gap_tauc",
    "decompose_edge",
    "kubelka_munk",
    "pl_energy_spectrum",
    "pl_peak",
    "plot_absorption_pl",
    "plot_absorption_pl_comparison",
    "plot_band_gap",
    "plot_band_gap_comparison",
    "plot_edge_decomposition",
    "plot_edge_decomposition_comparison",
    "plot_pl_peak",
    "plot_tauc",
    "relative_quantum_yield",
    "simulate_absorbance",
    "simulate_pl",
    "stokes_shift",
    "tauc_transform",
    "true_band_gap_eV",
]
