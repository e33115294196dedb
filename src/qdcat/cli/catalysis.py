"""``qdcat catalysis ...``: Photocatalysis: product yields and rates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "catalysis"
app = typer.Typer(help="Photocatalysis: product yields and rates.", no_args_is_help=True)


@app.command("yields")
def catalysis_yields(
    file: Annotated[
        Path, typer.Argument(help="Cumulative amounts: time_h, CO_umol, H2_umol, ... [run].")
    ],
    mass_mg: Annotated[
        float | None, typer.Option("--mass-mg", help="Catalyst mass in mg (for umol g-1 h-1).")
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Amounts, average and fitted rates, mass-normalised rates and selectivities."""
    from qdcat.catalysis import analyse_yields, plot_sample_yields
    from qdcat.pipeline.analyses.product_yields import load_yields

    plot_format(plot_out)
    frame = load_yields(file)
    result = analyse_yields(frame, catalyst_mass_mg=mass_mg)
    emit(result, json_out, plot_out, lambda: plot_sample_yields(frame, result))
