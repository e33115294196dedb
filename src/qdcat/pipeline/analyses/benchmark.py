"""Pipeline analysis ``benchmark``: the samples among published CO2-to-CO photocatalysts.

Data: the same run file as ``performance`` (``[samples.data] run = FILE``). The comparison
figure places every sample in the curated benchmark (``qdcat/data/co2_to_co_benchmark.csv``,
a DOI on every row), like the seed paper's Fig. 5h.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdcat.catalysis.benchmark import load_benchmark, plot_benchmark
from qdcat.catalysis.run import Run
from qdcat.core.results import Quantity, Result
from qdcat.pipeline.analyses.performance import (
    TECHNIQUE,
    TECHNIQUE_DESCRIPTION,
    PerformanceOptions,
    load,
)
from qdcat.pipeline.analyses.performance import analyse as analyse_performance
from qdcat.pipeline.registry import Analysis, register


def analyse(data: Run, sample: Mapping[str, Any], options: PerformanceOptions) -> Result:
    result = analyse_performance(data, sample, options)
    table = load_benchmark()
    p = options.product
    q = result.quantities
    out: dict[str, Quantity] = {}
    for key in (
        f"{p}_rate_umol_g_h",
        f"{p}_ton_per_qd",
        f"selectivity_product_{p}",
        f"selectivity_electron_{p}",
        f"{p}_aqy_pct",
    ):
        if key in q:
            out[key] = q[key]
    rate = q.get(f"{p}_rate_umol_g_h")
    if rate is not None:
        known = table["rate_umol_g_h"].dropna()
        out["benchmark_rank"] = Quantity(
            float(1 + (known > float(rate.value)).sum()),
            None,
            "",
            f"place by {p} rate per gram among {len(known) + 1} (the benchmark rows with one)",
        )
    return Result(
        analysis="catalysis.benchmark",
        quantities=out,
        warnings=(),
        metadata={
            "sample": result.metadata.get("sample"),
            "final_time_h": result.metadata.get("final_time_h"),
            "light": result.metadata.get("light"),
            "benchmark_file": table.attrs.get("source_file"),
            "benchmark_rows": len(table),
        },
    )


def _as_performance(result: Result) -> Result:
    """A Result in the shape :func:`plot_benchmark` reads (sample row keys)."""
    q = dict(result.quantities)
    return Result(analysis="catalysis.performance", quantities=q, metadata=dict(result.metadata))


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    return plot_benchmark({sample["name"]: _as_performance(result)})


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: PerformanceOptions
) -> Any:
    return plot_benchmark(
        {n: _as_performance(r) for n, r in results.items()}, product=options.product
    )


ANALYSIS = register(
    Analysis(
        name="benchmark",
        title="Benchmark among published CO2-to-CO photocatalysts",
        technique=TECHNIQUE,
        technique_description=TECHNIQUE_DESCRIPTION,
        load=load,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=PerformanceOptions,
        summary=("benchmark_rank",),
        description=(
            "The samples' CO rate per gram against the run's duration, and the CO selectivity "
            "with its basis, beside a curated table of CO2-to-CO photocatalysts (a DOI on every "
            "row; empty cells are numbers not checked, never zeros), like the seed paper's "
            "Fig. 5h."
        ),
        references=(
            "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5h, Table S10)",
            "qdcat/data/co2_to_co_benchmark_README.md (sources of every row)",
        ),
        section="performance",
    )
)
