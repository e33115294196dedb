"""``qdcat perf RUN.toml``: figures of merit of one photocatalysis run (top-level command)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, plot_format


def perf(
    run_file: Annotated[
        Path,
        typer.Argument(
            help="Run file (TOML): [sample], [light], [[points]] (see qdcat.catalysis.run)."
        ),
    ],
    weighting: Annotated[
        str,
        typer.Option(
            "--weighting", help="Rate fit: 'relative' (GC, constant relative error) or 'uniform'."
        ),
    ] = "relative",
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Amounts, rates, mass rates, TON/TOF per dot and per surface Cu, selectivities on both
    bases, AQY; cross-checks of stated numbers, donor budget and controls.

    JSON: products.<P>.{amount_umol, rate_umol_h, rate_fit_umol_h, rate_umol_g_h, ton_per_qd,
    ton_per_surface_cu, ...}, selectivity_product_basis.<P>, selectivity_electron_basis.<P>,
    aqy_percent.<P>, each with <key>_stderr.
    """
    import io

    from qdcat.catalysis.performance import analyse_run, performance_json, plot_performance
    from qdcat.catalysis.run import load_run
    from qdcat.core.atomic import atomic_write_bytes
    from qdcat.core.errors import OutputError
    from qdcat.core.results import write_json

    fmt = plot_format(plot_out)
    for option, target in (("--json", json_out), ("--plot", plot_out)):
        if target is not None and not target.resolve().parent.is_dir():
            raise OutputError(f"{option} {target}: folder {target.parent} does not exist")
    run = load_run(run_file)
    result = analyse_run(run, weighting=weighting)
    figure_bytes = None
    if plot_out is not None:
        buf = io.BytesIO()
        plot_performance(result).savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        figure_bytes = buf.getvalue()
    doc = performance_json(result)
    typer.echo(f"sample {doc['sample']}, {doc['final_time_h']:g} h, {run.file}")
    for name, q in result.quantities.items():
        typer.echo(f"{name:36s} {q}")
    for check in doc["cross_checks"]:
        typer.echo(f"check: {check['message']}")
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    if json_out is not None:
        write_json(json_out, doc)
    if plot_out is not None and figure_bytes is not None:
        atomic_write_bytes(plot_out, figure_bytes)


COMMANDS = {"perf": perf}
