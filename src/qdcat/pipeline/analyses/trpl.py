"""Pipeline analysis ``trpl``: TCSPC decay reconvolution with the measured IRF.

Data: ``[samples.data] trpl = DECAY`` and ``trpl_irf = IRF`` (two-column text, .sdt, .phu/.ptu;
the same channels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import xarray as xr
from pydantic import Field

from qdcat.core.results import Result
from qdcat.io import read_irf, read_tcspc
from qdcat.kinetics.trpl import fit_trpl, plot_trpl
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register

IRF_KEY = "trpl_irf"
IRF_DESCRIPTION = "instrument response of the TRPL set-up on the decays' channels"


def load_decay(path: Path, trpl_irf: Path) -> tuple[xr.DataArray, xr.DataArray]:
    """The decay and its instrument response."""
    return read_tcspc(path), read_irf(trpl_irf)


class TrplOptions(AnalysisOptions):
    """``[analyses.trpl]`` options (also used by the quenching analyses)."""

    components: int = Field(default=2, ge=1, le=4)
    """Exponentials in the reconvolution fit."""
    method: Literal["poisson", "wls"] = "poisson"
    """Poisson maximum likelihood (right at low counts) or weighted least squares."""
    fit_range_ns: tuple[float, float] | None = None
    """Fit window, ns (default: from the IRF rise to the end of the signal)."""
    average: Literal["intensity", "amplitude"] = "intensity"
    """Which average lifetime the quenching analyses use."""


def fit(decay: xr.DataArray, irf: xr.DataArray, options: TrplOptions) -> Result:
    return fit_trpl(
        decay,
        irf,
        components=options.components,
        method=options.method,
        fit_range_ns=options.fit_range_ns,
    )


def analyse(data: Any, sample: Mapping[str, Any], options: TrplOptions) -> Result:
    decay, irf = data
    return fit(decay, irf, options)


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_trpl(result)
    fig.suptitle(sample["name"])
    return fig


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: TrplOptions
) -> Any:
    return None if len(results) < 2 else _overlay(results)


def _overlay(results: Mapping[str, Result]) -> Any:
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    for name, r in results.items():
        t = np.asarray(r.curves["time_ns"])
        y = np.asarray(r.curves["counts"], dtype=float)
        ax.semilogy(t, y / y.max(), ".", ms=2, label=name)
    ax.set_xlabel("time (ns)")
    ax.set_ylabel("counts (normalised)")
    ax.legend(frameon=False)
    return fig


ANALYSIS = register(
    Analysis(
        name="trpl",
        title="Time-resolved PL lifetimes (reconvolution)",
        technique="trpl",
        technique_description="TCSPC decay: time_ns, counts (or .sdt/.phu/.ptu)",
        auxiliary={IRF_KEY: IRF_DESCRIPTION},
        load=load_decay,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=TrplOptions,
        summary=("tau_avg_intensity_ns", "tau_avg_amplitude_ns"),
        description=(
            "Reconvolution of the decay with the measured instrument response (shift and "
            "background fitted), Poisson maximum likelihood by default, lifetimes and fractional "
            "amplitudes with standard errors, and both average lifetimes: amplitude-weighted "
            "Σa τ / Σa and intensity-weighted Σa τ² / Σa τ."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Tables S6, S8)",),
    )
)
