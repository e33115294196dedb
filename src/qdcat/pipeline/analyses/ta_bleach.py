"""Pipeline analysis ``ta_bleach``: one bleach band or a band-edge + intragap pair?

Data: the same fs-TA map as ``ta_traces``. The spectrum averaged over ``delay_ps`` is fitted
with one and with two Gaussians in energy (:func:`qdcat.kinetics.traces.bleach_band_test`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xarray as xr

from qdcat.core.results import Result
from qdcat.kinetics.traces import bleach_band_test, plot_bleach_test, spectrum_at
from qdcat.pipeline.analyses.ta_traces import load_ta
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


class BleachOptions(AnalysisOptions):
    """``[analyses.ta_bleach]`` options."""

    delay_ps: tuple[float, float] = (1.0, 5.0)
    """Delay window (ps) whose mean spectrum is tested."""
    region_nm: tuple[float, float] | None = None
    """Bleach region to model, nm (default: automatic, between the zero crossings)."""


def analyse(data: xr.DataArray, sample: Mapping[str, Any], options: BleachOptions) -> Result:
    return bleach_band_test(spectrum_at(data, options.delay_ps), region_nm=options.region_nm)


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_bleach_test(result)
    fig.text(0.99, 0.99, sample["name"], ha="right", va="top", fontsize=11, weight="bold")
    return fig


ANALYSIS = register(
    Analysis(
        name="ta_bleach",
        title="fs-TA bleach: one band or a band-edge + intragap pair",
        technique="ta",
        technique_description="fs transient absorption map: time_ps x wavelength_nm, dA",
        load=load_ta,
        analyse=analyse,
        plot=plot,
        options=BleachOptions,
        summary=("band_edge_center_nm", "intragap_center_nm", "delta_bic"),
        summary_metadata=("verdict",),
        description=(
            "The early bleach spectrum fitted with one and with two Gaussians in photon energy, "
            "compared by BIC, AIC and an F-test, with the power to detect a pair: the seed "
            "paper's argument that a single narrow bleach (530 nm, 2/12ZCIS) means Cu2+ defect "
            "states while a split bleach (540/560, 600/640 nm) means a Cu+ intragap transition."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 4c-h)",),
    )
)
