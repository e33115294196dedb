"""Carrier kinetics: fs-TA global and target analysis, kinetic traces, TRPL, quenching.

Modules: :mod:`~qdcat.kinetics.irf` (overflow-free IRF-convolved exponentials),
:mod:`~qdcat.kinetics.models` (kinetic schemes), :mod:`~qdcat.kinetics.global_analysis`
(variable-projection fits of TA maps), :mod:`~qdcat.kinetics.ta_plots`,
:mod:`~qdcat.kinetics.traces` (single-trace fits, band finding, bleach-band test),
:mod:`~qdcat.kinetics.trpl` (TCSPC reconvolution), :mod:`~qdcat.kinetics.quenching`.
"""

from qdcat.kinetics.global_analysis import GlobalFitResult, fit_ta, simulate_ta
from qdcat.kinetics.models import KineticModel
from qdcat.kinetics.quenching import electron_transfer_time, stern_volmer
from qdcat.kinetics.traces import bleach_band_test, find_bands, fit_trace, simulate_trace
from qdcat.kinetics.trpl import fit_trpl, fit_trpl_batch, simulate_trpl

__all__ = [
    "GlobalFitResult",
    "KineticModel",
    "bleach_band_test",
    "electron_transfer_time",
    "find_bands",
    "fit_ta",
    "fit_trace",
    "fit_trpl",
    "fit_trpl_batch",
    "simulate_ta",
    "simulate_trace",
    "simulate_trpl",
    "stern_volmer",
]
