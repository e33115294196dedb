"""Pipeline analysis ``outdoor``: daily yields under natural sunlight.

Data (``[samples.data] outdoor = FILE``): ``day, <P>_umol, insolation_kWh_m2`` (or
``irradiance_W_m2``, the mean over the day) ``[, temperature_C]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from qdcat.catalysis.stability import outdoor_runs, plot_outdoor
from qdcat.core.results import Result
from qdcat.io import read_frame
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


def load(path: Path) -> pd.DataFrame:
    frame = read_frame(path)
    frame.attrs["source_file"] = str(path)
    return frame


class OutdoorOptions(AnalysisOptions):
    """``[analyses.outdoor]`` options."""

    product: str = "CO"
    cumulative: bool = False
    """The amounts are cumulative, not daily."""


def analyse(data: pd.DataFrame, sample: Mapping[str, Any], options: OutdoorOptions) -> Result:
    return outdoor_runs(data, product=options.product, cumulative=options.cumulative)


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_outdoor(result)
    fig.suptitle(sample["name"])
    return fig


ANALYSIS = register(
    Analysis(
        name="outdoor",
        title="Outdoor runs under natural sunlight",
        technique="outdoor",
        technique_description="daily yields: day, CO_umol, insolation_kWh_m2 [, temperature_C]",
        load=load,
        analyse=analyse,
        plot=plot,
        options=OutdoorOptions,
        summary=(
            "total_umol",
            "yield_per_insolation_umol_m2_kWh",
            "normalised_retention",
            "n_days",
        ),
        description=(
            "Daily yields against the logged insolation: yield per kWh m-2 (fit through the "
            "origin), its correlation with insolation and temperature, and the trend of the "
            "insolation-normalised yield over the days (seed paper Fig. 5i: 28 days, 2-23 °C)."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5i)",),
        section="performance",
    )
)
