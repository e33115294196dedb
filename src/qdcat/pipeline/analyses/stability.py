"""Pipeline analysis ``stability``: cycle test and first-order deactivation fit.

Data (``[samples.data] stability = FILE``): a table ``cycle, time_h, <P>_umol [, run]`` with
the amounts cumulative within each cycle (fresh CO2 and donor at each cycle start); a single
long run is one cycle. Both :func:`~qdcat.catalysis.stability.cycle_test` (rate per cycle over
equal windows, retention) and :func:`~qdcat.catalysis.stability.fit_deactivation` (r0, k,
half-life, activity retained) run on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from qdcat.catalysis.stability import cycle_test, fit_deactivation, plot_cycles
from qdcat.core.results import Result
from qdcat.io import read_frame
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register

_CYCLE_PREFIX = "cycles:"
_FIT_PREFIX = "fit:"


def load(path: Path) -> pd.DataFrame:
    frame = read_frame(path)
    frame.attrs["source_file"] = str(path)
    return frame


class StabilityOptions(AnalysisOptions):
    """``[analyses.stability]`` options."""

    product: str = "CO"
    weighting: Literal["relative", "uniform"] = "relative"
    """Deactivation-fit weights: constant relative error (GC) or equal weights."""
    retention_at_h: float | None = None
    """Report exp(-k T) at this time (default: the end of the data)."""


def analyse(data: pd.DataFrame, sample: Mapping[str, Any], options: StabilityOptions) -> Result:
    cycles = cycle_test(
        data, product=options.product, catalyst_mass_mg=sample.get("catalyst_mass_mg")
    )
    fit = fit_deactivation(
        data,
        product=options.product,
        weighting=options.weighting,
        retention_at_h=options.retention_at_h,
    )
    curves = {_CYCLE_PREFIX + k: v for k, v in cycles.curves.items()}
    curves.update({_FIT_PREFIX + k: v for k, v in fit.curves.items()})
    return Result(
        analysis="catalysis.stability",
        quantities={**cycles.quantities, **fit.quantities},
        fit=fit.fit,
        warnings=(*cycles.warnings, *fit.warnings),
        metadata={
            **cycles.metadata,
            **{f"fit_{k}": v for k, v in fit.metadata.items() if k != "source_file"},
            "cycle_quantities": list(cycles.quantities),
            "fit_quantities": list(fit.quantities),
        },
        curves=curves,
    )


def split(result: Result) -> tuple[Result, Result]:
    """The cycle-test and deactivation-fit results inside a ``stability`` result."""
    meta = result.metadata
    cycles = Result(
        analysis="catalysis.cycles",
        quantities={k: result.quantities[k] for k in meta["cycle_quantities"]},
        metadata=meta,
        curves={
            k[len(_CYCLE_PREFIX) :]: v
            for k, v in result.curves.items()
            if k.startswith(_CYCLE_PREFIX)
        },
    )
    fit = Result(
        analysis="catalysis.deactivation",
        quantities={k: result.quantities[k] for k in meta["fit_quantities"]},
        fit=result.fit,
        metadata={"retention_at_h": meta.get("fit_retention_at_h"), "product": meta.get("product")},
        curves={
            k[len(_FIT_PREFIX) :]: v for k, v in result.curves.items() if k.startswith(_FIT_PREFIX)
        },
    )
    return cycles, fit


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    cycles, fit = split(result)
    fig = plot_cycles(cycles, fit)
    fig.suptitle(sample["name"])
    return fig


ANALYSIS = register(
    Analysis(
        name="stability",
        title="Stability: cycle test and deactivation",
        technique="stability",
        technique_description="cycle test / long-term run: cycle, time_h, CO_umol [, run]",
        load=load,
        analyse=analyse,
        plot=plot,
        options=StabilityOptions,
        summary=(
            "retention_last",
            "deactivation_rate_per_h",
            "half_life_h",
            "retention",
        ),
        description=(
            "Rate of each cycle over a common window and its retention relative to cycle 1; "
            "first-order deactivation r(t) = r0 exp(-k t) fitted to all cycles (each cycle "
            "starting from fresh CO2 and donor), with the half-life ln 2 / k and the activity "
            "retained exp(-k T) (seed paper Fig. 5c: ~70 % after 360 h). The two retentions "
            "answer different questions and are labelled."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5c)",),
        section="performance",
    )
)
