"""Pipeline analysis ``ta_traces``: tri-exponential fit of the GSB trace (the paper's Table S5).

Data (``[samples.data] ta = FILE``): a fs-TA map in any format :func:`qdcat.io.read_ta` reads.
The probe wavelength is the strongest ground-state bleach of the early spectrum (found by
:func:`qdcat.kinetics.traces.find_bands`) unless ``wavelength_nm`` is given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr
from pydantic import Field

from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result
from qdcat.io import read_ta
from qdcat.kinetics.traces import (
    find_bands,
    fit_trace,
    plot_trace_fit,
    plot_traces_comparison,
    spectrum_at,
    trace_at,
)
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


def load_ta(path: Path) -> xr.DataArray:
    """Read a fs-TA map (dims ``time_ps``, ``wavelength_nm``)."""
    return read_ta(path)


class TraceOptions(AnalysisOptions):
    """``[analyses.ta_traces]`` options."""

    components: int = Field(default=3, ge=1, le=4)
    """Exponentials in the trace fit (the paper: three)."""
    wavelength_nm: float | None = Field(default=None, gt=0)
    """Probe wavelength, nm (default: the strongest bleach of the early spectrum)."""
    width_nm: float = Field(default=0.0, ge=0)
    """Average the probe channels within +- width/2 nm."""
    band_delay_ps: tuple[float, float] = (1.0, 5.0)
    """Delay window (ps) of the spectrum in which the bleach is found."""


def analyse(data: xr.DataArray, sample: Mapping[str, Any], options: TraceOptions) -> Result:
    wavelength = options.wavelength_nm
    if wavelength is None:
        bands = find_bands(spectrum_at(data, options.band_delay_ps))
        if "gsb1_nm" not in bands.quantities:
            raise InputError(
                "no ground-state bleach found in the early spectrum",
                file=data.attrs.get("source_file"),
                field="ta",
                expected=f"a negative band between {options.band_delay_ps} ps; or set "
                "[analyses.ta_traces] wavelength_nm",
            )
        wavelength = float(bands.quantities["gsb1_nm"].value)
    trace = trace_at(data, wavelength, width_nm=options.width_nm)
    result = fit_trace(trace, components=options.components)
    probe = Quantity(
        float(trace.attrs["wavelength_nm"]), None, "nm", "probe wavelength of the fitted trace"
    )
    return dataclasses.replace(
        result, quantities={"probe_wavelength_nm": probe, **result.quantities}
    )


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_trace_fit(result)
    probe = result.quantities["probe_wavelength_nm"].value
    fig.suptitle(f"{sample['name']}: GSB at {probe:.0f} nm")
    return fig


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: TraceOptions
) -> Any:
    return plot_traces_comparison(results)


ANALYSIS = register(
    Analysis(
        name="ta_traces",
        title="fs-TA bleach kinetics (trace fits)",
        technique="ta",
        technique_description="fs transient absorption map: time_ps x wavelength_nm, dA",
        load=load_ta,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=TraceOptions,
        summary=("probe_wavelength_nm", "tau1_ps", "tau2_ps", "tau3_ps"),
        description=(
            "Multi-exponential fit, convolved with a Gaussian IRF, of the ground-state-bleach "
            "trace at the strongest early bleach: shallow-trap capture (tau1), cooling (tau2) "
            "and SRH recombination (tau3), with amplitude- and intensity-weighted average "
            "lifetimes, as the seed paper's Table S5 and Fig. 4i."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Table S5)",),
    )
)
