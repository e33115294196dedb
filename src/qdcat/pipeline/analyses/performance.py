"""Pipeline analysis ``performance``: figures of merit of a photocatalysis run file.

Data (``[samples.data] run = FILE``): a run file (TOML, :mod:`qdcat.catalysis.run`) with the
sample description, the light, the cumulative amounts (``[[points]]``, ``points_file`` or
``[gc]``) and optionally stated numbers, donor and controls. When the run file gives no
``catalyst_mass_mg`` the project sample's is used; when both are given and differ, a warning
says so.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from qdcat.catalysis.performance import analyse_run, plot_performance, plot_performance_comparison
from qdcat.catalysis.run import Run, load_run
from qdcat.core.results import Result
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register

TECHNIQUE = "run"
TECHNIQUE_DESCRIPTION = (
    "photocatalysis run file (TOML): [sample], [light], [[points]] or points_file or [gc]"
)


def load(path: Path) -> Run:
    """Read and validate a run file (:func:`qdcat.catalysis.run.load_run`)."""
    return load_run(path)


def with_project_mass(run: Run, sample: Mapping[str, Any]) -> tuple[Run, list[str]]:
    """The run with the project's catalyst mass filled in where the run file has none."""
    notes: list[str] = []
    project_mass = sample.get("catalyst_mass_mg")
    own = run.sample.catalyst_mass_mg
    if own is None and project_mass is not None:
        spec = run.sample.model_copy(update={"catalyst_mass_mg": float(project_mass)})
        run = dataclasses.replace(run, sample=spec)
        notes.append(f"catalyst mass {project_mass:g} mg taken from the project file")
    elif own is not None and project_mass is not None and not math.isclose(own, project_mass):
        notes.append(
            f"the run file's catalyst_mass_mg ({own:g}) differs from the project's "
            f"({project_mass:g}); the run file's is used"
        )
    if run.sample.name != sample.get("name"):
        notes.append(f"run file sample {run.sample.name!r} analysed as {sample.get('name')!r}")
    return run, notes


class PerformanceOptions(AnalysisOptions):
    """``[analyses.performance]`` options."""

    weighting: Literal["relative", "uniform"] = "relative"
    """Rate-fit weights: constant relative error (GC) or equal weights."""
    product: str = "CO"
    """The product shown in the comparison figure."""


def analyse(data: Run, sample: Mapping[str, Any], options: PerformanceOptions) -> Result:
    run, notes = with_project_mass(data, sample)
    result = analyse_run(run, weighting=options.weighting)
    return dataclasses.replace(result, warnings=(*notes, *result.warnings))


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_performance(result)
    fig.suptitle(sample["name"])
    return fig


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: PerformanceOptions
) -> Any:
    return plot_performance_comparison(results, product=options.product)


ANALYSIS = register(
    Analysis(
        name="performance",
        title="Photocatalytic performance: rates, TON, selectivity, AQY",
        technique=TECHNIQUE,
        technique_description=TECHNIQUE_DESCRIPTION,
        load=load,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=PerformanceOptions,
        summary=(
            "CO_amount_umol",
            "CO_rate_umol_g_h",
            "CO_ton_per_qd",
            "CO_ton_per_surface_cu",
            "selectivity_product_CO",
            "selectivity_electron_CO",
        ),
        description=(
            "From the cumulative amounts of a run file: final amounts, average and fitted rates, "
            "rates per gram, TON and TOF per dot (moles of dots = catalyst mass / molar mass "
            "per dot) and per surface Cu, on the product and the electron basis; selectivities "
            "on both bases; photon flux and AQY (monochromatic light) or broadband AQY; stated "
            "numbers cross-checked (implied catalyst mass, molar mass per dot, surface Cu per "
            "dot), donor budget and controls. Standard errors from replicate runs and the GC "
            "calibration are propagated into every number (seed paper Fig. 5a-b, 5f-g)."
        ),
        references=(
            "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5, Table S10)",
        ),
        section="performance",
    )
)
