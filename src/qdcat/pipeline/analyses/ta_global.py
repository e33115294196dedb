"""Pipeline analysis ``ta_global``: global analysis of the fs-TA map (variable projection).

Data: the same fs-TA map as ``ta_traces``. A parallel (decay-associated spectra) or sequential
(evolution-associated spectra) scheme, or a target model from a TOML file, with a Gaussian IRF
whose centre follows a polynomial in wavelength (chirp).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import xarray as xr
from pydantic import Field

from qdcat.core.results import Result
from qdcat.kinetics.global_analysis import fit_ta
from qdcat.pipeline.analyses.ta_traces import load_ta
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


class GlobalOptions(AnalysisOptions):
    """``[analyses.ta_global]`` options."""

    components: int | None = Field(default=3, ge=1, le=8)
    """Compartments (``None``: from the singular values above the noise)."""
    model: str = "parallel"
    """'parallel' (DAS), 'sequential' (EAS), or a target-model TOML file."""
    chirp_order: int = Field(default=1, ge=0, le=5)
    """Order of the IRF-centre polynomial in wavelength."""
    offset: bool = False
    coherent_artifact: bool = False


def analyse(data: xr.DataArray, sample: Mapping[str, Any], options: GlobalOptions) -> Result:
    fit = fit_ta(
        data,
        components=options.components,
        model=options.model,
        chirp_order=options.chirp_order,
        offset=options.offset,
        coherent_artifact=options.coherent_artifact,
    )
    result = fit.to_result()
    # the figure is drawn from the full fit (spectra, populations, residual map)
    return dataclasses.replace(result, curves={**result.curves, "fit": fit})


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    from qdcat.kinetics.ta_plots import plot_ta_overview

    fig = plot_ta_overview(result.curves["fit"])
    fig.suptitle(sample["name"])
    return fig


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: GlobalOptions
) -> Any:
    from qdcat.kinetics.ta_plots import plot_ta_map_comparison

    return plot_ta_map_comparison({name: r.curves["fit"] for name, r in results.items()})


ANALYSIS = register(
    Analysis(
        name="ta_global",
        title="fs-TA global analysis (DAS/EAS/SAS)",
        technique="ta",
        technique_description="fs transient absorption map: time_ps x wavelength_nm, dA",
        load=load_ta,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=GlobalOptions,
        summary=("lifetimes_ps",),
        description=(
            "Global analysis of the whole map by variable projection: lifetimes with standard "
            "errors, decay- (or evolution-/species-) associated spectra, IRF centre and width, "
            "chirp polynomial, residual map and its SVD."
        ),
        references=(
            "van Stokkum, Larsen, van Grondelle, Biochim. Biophys. Acta 1657 (2004) 82",
            "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 4c-e)",
        ),
    )
)
