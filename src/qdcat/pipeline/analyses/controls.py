"""Pipeline analysis ``controls``: the control experiments of a run file.

Data: the run file of ``performance`` (``[samples.data] run = FILE``) with ``[[controls]]``.
Each blank control (dark, no catalyst, Ar, no donor) is compared with the main run on a rate
basis and flagged above its limit; a 13CO2 run must give mostly 13CO. Run it only on the
samples whose run file has controls (``samples = [...]``); a run file without controls gives
an empty result with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdcat.catalysis.controls import check_controls, plot_controls
from qdcat.catalysis.run import Run
from qdcat.catalysis.yields import analyse_yields
from qdcat.core.results import Result
from qdcat.pipeline.analyses.performance import TECHNIQUE, TECHNIQUE_DESCRIPTION, load
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


class ControlOptions(AnalysisOptions):
    """``[analyses.controls]`` options."""

    product: str = "CO"
    """Product shown in the figure."""


def analyse(data: Run, sample: Mapping[str, Any], options: ControlOptions) -> Result:
    if not data.controls:
        return Result(
            analysis="catalysis.controls",
            quantities={},
            warnings=(f"{data.file}: no [[controls]] in the run file",),
            metadata={"table": [], "all_passed": None, "product": options.product},
        )
    y = analyse_yields(data.frame)
    amounts = {p: float(y.quantities[f"{p}_amount_umol"].value) for p in y.metadata["products"]}
    result = check_controls(data.controls, amounts, data.final_time_h, file=data.file)
    return Result(
        analysis=result.analysis,
        quantities=result.quantities,
        warnings=result.warnings,
        metadata={**result.metadata, "product": options.product},
    )


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_controls(result, product=result.metadata.get("product", "CO"))
    fig.suptitle(sample["name"])
    return fig


ANALYSIS = register(
    Analysis(
        name="controls",
        title="Control experiments",
        technique=TECHNIQUE,
        technique_description=TECHNIQUE_DESCRIPTION,
        load=load,
        analyse=analyse,
        plot=plot,
        options=ControlOptions,
        summary_metadata=("all_passed",),
        description=(
            "Blank controls (dark, no catalyst, Ar instead of CO2, no donor) compared with the "
            "main run on a rate basis, (n_control / t_control) / (n_main / t_main), each flagged "
            "above its limit (default 5 %); the 13CO2 control must give mostly 13CO (seed paper "
            "Fig. 5d, Table S9)."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Table S9)",),
        section="performance",
    )
)
