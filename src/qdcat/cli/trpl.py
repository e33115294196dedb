"""``qdcat trpl ...``: time-resolved photoluminescence (TCSPC) reconvolution fits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "trpl"
app = typer.Typer(help="Time-resolved PL: reconvolution with a measured IRF.", no_args_is_help=True)


@app.command("fit")
def trpl_fit(
    file: Annotated[Path, typer.Argument(help="Decay: two-column text, .sdt, .phu or .ptu.")],
    irf: Annotated[Path, typer.Option("--irf", help="Instrument response on the same channels.")],
    components: Annotated[int, typer.Option("--components", min=1, max=4)] = 2,
    method: Annotated[
        Literal["poisson", "wls"],
        typer.Option("--method", help="Poisson maximum likelihood or weighted least squares."),
    ] = "poisson",
    fit_range_ns: Annotated[
        tuple[float, float] | None, typer.Option("--range-ns", help="Fit window (ns).")
    ] = None,
    scatter: Annotated[bool, typer.Option("--scatter", help="Fit a scatter fraction.")] = False,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Lifetimes, amplitudes and average lifetimes with standard errors."""
    from qdcat.io import read_irf, read_tcspc
    from qdcat.kinetics.trpl import fit_trpl, plot_trpl

    plot_format(plot_out)
    decay = read_tcspc(file)
    response = read_irf(irf)
    result = fit_trpl(
        decay,
        response,
        components=components,
        method=method,
        fit_range_ns=fit_range_ns,
        scatter=scatter,
    )
    emit(result, json_out, plot_out, lambda: plot_trpl(result))
