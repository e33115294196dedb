"""Photocatalysis: from GC peak areas and light to rates, selectivity, TON, AQY and stability.

- :mod:`qdcat.catalysis.gc` -- GC calibration, headspace amounts, withdrawn gas, Henry's law,
  13CO/12CO.
- :mod:`qdcat.catalysis.yields` -- product evolution: amounts, rates, selectivity on both bases.
- :mod:`qdcat.catalysis.photons` and :mod:`qdcat.catalysis.spectra` -- photon flux (monochromatic,
  AM1.5G, solar simulator), absorbed photons, AQY, IQY, solar-to-fuel.
- :mod:`qdcat.catalysis.run` and :mod:`qdcat.catalysis.performance` -- run files (``qdcat
  perf``), TON per dot and per surface Cu, cross-checks of stated numbers.
- :mod:`qdcat.catalysis.stability`, :mod:`qdcat.catalysis.controls`,
  :mod:`qdcat.catalysis.benchmark` -- cycles and deactivation, control experiments, the
  published CO2-to-CO benchmark.
"""

from qdcat.catalysis.benchmark import load_benchmark, plot_benchmark
from qdcat.catalysis.controls import check_controls
from qdcat.catalysis.gc import (
    Calibration,
    Reactor,
    calibrate_gc,
    co_isotope_ratio,
    fit_calibration,
    gc_to_yields,
    henry_constant_mol_m3_Pa,
    load_gc_table,
    plot_gc,
    quantify_gc,
    simulate_gc,
)
from qdcat.catalysis.performance import (
    analyse_run,
    paper_cross_checks,
    performance_json,
)
from qdcat.catalysis.photons import (
    BroadbandLight,
    MonochromaticLight,
    absorbed_fraction,
    absorbed_photon_flux_umol_h,
    aqy_percent,
    iqy_percent,
    light_from_config,
    photon_accounting,
    photon_flux_umol_h,
    plot_photons,
    solar_to_fuel,
)
from qdcat.catalysis.run import load_run
from qdcat.catalysis.spectra import (
    Spectrum,
    am15g_spectrum,
    read_light_spectrum,
    solar_simulator_spectrum,
)
from qdcat.catalysis.stability import cycle_test, donor_budget, fit_deactivation, outdoor_runs
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
    "BroadbandLight",
    "Calibration",
    "MonochromaticLight",
    "Reactor",
    "Spectrum",
    "absorbed_fraction",
    "absorbed_photon_flux_umol_h",
    "am15g_spectrum",
    "analyse_run",
    "analyse_yields",
    "aqy_percent",
    "calibrate_gc",
    "check_controls",
    "co_isotope_ratio",
    "cycle_test",
    "donor_budget",
    "evolution_model",
    "fit_calibration",
    "fit_deactivation",
    "gc_to_yields",
    "henry_constant_mol_m3_Pa",
    "iqy_percent",
    "light_from_config",
    "load_benchmark",
    "load_gc_table",
    "load_run",
    "outdoor_runs",
    "paper_cross_checks",
    "performance_json",
    "photon_accounting",
    "photon_flux_umol_h",
    "plot_benchmark",
    "plot_gc",
    "plot_photons",
    "plot_sample_yields",
    "plot_yields",
    "quantify_gc",
    "read_light_spectrum",
    "simulate_gc",
    "simulate_yields",
    "solar_simulator_spectrum",
    "solar_to_fuel",
]
