"""Pipeline analyses ``ta_traces`` and ``ta_esa``: kinetic-trace fits (the paper's Table S5).

``ta_traces`` fits the ground-state-bleach trace (Fig. 4i), ``ta_esa`` the excited-state
absorption trace (Fig. 4j). Data (``[samples.data] ta = FILE``): a fs-TA map in any format
:func:`qdcat.io.read_ta` reads. The probe wavelength is the strongest band of that kind in the
early spectrum (found by :func:`qdcat.kinetics.traces.find_bands`) unless ``wavelength_nm`` is
given.
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


#: Signal kind -> (band key prefix of find_bands, words for messages and titles).
_SIGNALS: dict[str, tuple[str, str]] = {
    "gsb": ("gsb1_nm", "ground-state bleach"),
    "esa": ("esa1_nm", "excited-state absorption"),
}


def _probe_wavelength(data: xr.DataArray, options: TraceOptions, signal: str, name: str) -> float:
    if options.wavelength_nm is not None:
        return float(options.wavelength_nm)
    key, words = _SIGNALS[signal]
    bands = find_bands(spectrum_at(data, options.band_delay_ps))
    if key not in bands.quantities:
        raise InputError(
            f"no {words} band found in the early spectrum",
            file=data.attrs.get("source_file"),
            field="ta",
            expected=f"a {'negative' if signal == 'gsb' else 'positive'} band between "
            f"{options.band_delay_ps} ps; or set [analyses.{name}] wavelength_nm",
        )
    return float(bands.quantities[key].value)


def _make(name: str, signal: str) -> tuple[Any, Any]:
    """``analyse`` and ``plot`` of the trace analysis ``name`` for ``signal`` (gsb or esa)."""

    def analyse(data: xr.DataArray, sample: Mapping[str, Any], options: TraceOptions) -> Result:
        wavelength = _probe_wavelength(data, options, signal, name)
        trace = trace_at(data, wavelength, width_nm=options.width_nm)
        result = fit_trace(trace, components=options.components)
        probe = Quantity(
            float(trace.attrs["wavelength_nm"]), None, "nm", "probe wavelength of the fitted trace"
        )
        return dataclasses.replace(
            result,
            quantities={"probe_wavelength_nm": probe, **result.quantities},
            metadata={**result.metadata, "signal": _SIGNALS[signal][1]},
        )

    def plot(result: Result, sample: Mapping[str, Any]) -> Any:
        fig = plot_trace_fit(result)
        probe = result.quantities["probe_wavelength_nm"].value
        fig.suptitle(f"{sample['name']}: {signal.upper()} at {probe:.0f} nm")
        return fig

    return analyse, plot


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: TraceOptions
) -> Any:
    return plot_traces_comparison(results)


class EsaTraceOptions(TraceOptions):
    """``[analyses.ta_esa]`` options."""

    components: int = Field(default=2, ge=1, le=4)
    """Exponentials in the ESA trace fit."""


_gsb_analyse, _gsb_plot = _make("ta_traces", "gsb")
_esa_analyse, _esa_plot = _make("ta_esa", "esa")
#: Kept for callers of the GSB analysis by its former names.
analyse, plot = _gsb_analyse, _gsb_plot

ANALYSIS = register(
    Analysis(
        name="ta_traces",
        title="fs-TA bleach kinetics (trace fits)",
        technique="ta",
        technique_description="fs transient absorption map: time_ps x wavelength_nm, dA",
        load=load_ta,
        analyse=_gsb_analyse,
        plot=_gsb_plot,
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

ESA_ANALYSIS = register(
    Analysis(
        name="ta_esa",
        title="fs-TA excited-state-absorption kinetics (trace fits)",
        technique="ta",
        technique_description="fs transient absorption map: time_ps x wavelength_nm, dA",
        load=load_ta,
        analyse=_esa_analyse,
        plot=_esa_plot,
        compare=compare,
        options=EsaTraceOptions,
        summary=("probe_wavelength_nm", "tau_avg_amplitude_ps", "tau_avg_intensity_ps"),
        description=(
            "Multi-exponential fit, convolved with a Gaussian IRF, of the excited-state-"
            "absorption trace at the strongest early positive band: the decay of the active "
            "(conduction-band) electrons, whose average lifetime the seed paper compares across "
            "samples (Fig. 4j, Table S5: 41 ps for 2/12ZCIS against 29 ps for 4/12ZCIS)."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 4j)",),
    )
)
