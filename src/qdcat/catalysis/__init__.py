"""Photocatalysis: analysis of CO2-photoreduction measurements.

:mod:`qdcat.catalysis.yields` -- product evolution (cumulative yields vs time): rates,
selectivities, synthetic data and figures.
"""

from qdcat.catalysis.yields import (
    ELECTRONS_PER_PRODUCT,
    MAX_RELATIVE_DROP,
    analyse_yields,
    evolution_model,
    plot_sample_yields,
    plot_yields,
    simulate_yields,
)

__all__ = [
    "ELECTRONS_PER_PRODUCT",
    "MAX_RELATIVE_DROP",
    "analyse_yields",
    "evolution_model",
    "plot_sample_yields",
    "plot_yields",
    "simulate_yields",
]
