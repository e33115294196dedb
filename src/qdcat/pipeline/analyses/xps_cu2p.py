"""Pipeline analysis ``xps_cu2p``: Cu 2p fit and Cu(II) fraction (Biesinger satellite method).

Data (``[samples.data] xps = FILE``): a Cu 2p spectrum, CSV with ``binding_energy_eV,counts``
(or kinetic energy with ``photon_energy_eV`` in the options) or a VAMAS file (the block given
by ``block``, else the only block or the one labelled Cu 2p).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from qdcat.core.results import Result
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register
from qdcat.xps.calibration import charge_correct
from qdcat.xps.cu2p import CUO_SATELLITE_MAIN_RATIO, fit_cu2p
from qdcat.xps.plots import plot_cu2p, plot_cu2p_comparison
from qdcat.xps.spectrum import XpsSpectrum, read_xps


def load_spectrum(path: Path) -> XpsSpectrum:
    """Read a Cu 2p spectrum (VAMAS: the only block or the one labelled Cu 2p)."""
    return read_xps(path, region="Cu2p")


class XpsCu2pOptions(AnalysisOptions):
    """``[analyses.xps_cu2p]`` options."""

    background: Literal["auto", "shirley", "tougaard", "linear"] = "auto"
    """Background: ``auto`` keeps the better-fitting of the refined Shirley and Tougaard."""
    refine_background: bool = True
    """Refine the background within the fit (False: compute it from the data first)."""
    satellite_main_ratio: float = Field(default=CUO_SATELLITE_MAIN_RATIO, gt=0.0)
    """Satellite/main 2p3/2 area ratio of the pure Cu(II) reference (CuO: 0.55)."""
    use_2p12: bool = False
    """Add the 2p1/2 main line and satellite to the Biesinger sums."""
    c1s_eV: float | None = None
    """Measured adventitious C 1s position (eV) for charge correction (same for all samples)."""
    reference_c1s_eV: float = 284.8
    """C 1s reference energy (eV)."""
    n_bootstrap: int = Field(default=0, ge=0, le=2000)
    """Residual-bootstrap refits for the standard errors (0: covariance)."""


def analyse(data: XpsSpectrum, sample: Mapping[str, Any], options: XpsCu2pOptions) -> Result:
    spectrum = data
    if options.c1s_eV is not None:
        spectrum, _ = charge_correct(
            spectrum, measured_c1s_eV=options.c1s_eV, reference_eV=options.reference_c1s_eV
        )
    return fit_cu2p(
        spectrum,
        background=options.background,
        refine_background=options.refine_background,
        satellite_main_ratio=options.satellite_main_ratio,
        use_2p12=options.use_2p12,
        n_bootstrap=options.n_bootstrap,
    )


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    return plot_cu2p(result, title=str(sample["name"]))


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: XpsCu2pOptions
) -> Any:
    return None if len(results) < 2 else plot_cu2p_comparison(results)


ANALYSIS = register(
    Analysis(
        name="xps_cu2p",
        title="Cu 2p XPS: Cu(I)/Cu(II) and the Cu(II) fraction",
        technique="xps",
        technique_description="Cu 2p XPS: binding_energy_eV, counts (or a VAMAS .vms file)",
        load=load_spectrum,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=XpsCu2pOptions,
        summary=("cu2_fraction", "satellite_fraction", "cu2_2p32_eV"),
        summary_metadata=("background",),
        description=(
            "Cu+ and Cu2+ 2p3/2/2p1/2 doublets (19.8 eV splitting, 2:1 areas) with Cu2+ shake-up "
            "satellites, GL(30) lines; background refined within the fit (the better of Shirley "
            "and Tougaard by reduced chi-square by default). Cu(II) fraction by the Biesinger "
            "satellite method B(1 + 1/r)/(A + B) with r the satellite/main ratio of CuO (0.55); "
            "the satellite share is the quantity the paper quotes (20 % for 2/12ZCIS)."
        ),
        references=(
            "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 3a)",
            "Biesinger, Surf. Interface Anal. 2017, 49, 1325, doi:10.1002/sia.6239",
        ),
    )
)
