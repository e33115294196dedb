"""``qdcat quench ...``: charge transfer from lifetime quenching (eq. 4, Stern-Volmer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "quench"
app = typer.Typer(help="Charge transfer from lifetime quenching.", no_args_is_help=True)


@app.command("et")
def quench_et(
    tau0_ns: Annotated[float, typer.Option("--tau0-ns", help="Average lifetime without (ns).")],
    tau_ns: Annotated[float, typer.Option("--tau-ns", help="Average lifetime with acceptor (ns).")],
    tau0_stderr_ns: Annotated[float | None, typer.Option("--tau0-stderr-ns")] = None,
    tau_stderr_ns: Annotated[float | None, typer.Option("--tau-stderr-ns")] = None,
    json_out: JsonOpt = None,
) -> None:
    """Transfer time from 1/tau_et = 1/tau(with) - 1/tau(without) (the paper's eq. 4)."""
    from qdcat.kinetics.quenching import electron_transfer_time

    result = electron_transfer_time(
        tau0_ns, tau_ns, stderr_without_ns=tau0_stderr_ns, stderr_with_ns=tau_stderr_ns
    )
    emit(result, json_out, None, None)


@app.command("stern-volmer")
def quench_stern_volmer(
    file: Annotated[
        Path, typer.Argument(help="CSV with concentration_mM, tau_ns [, tau_stderr_ns, intensity].")
    ],
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Quenching constant k_q from 1/tau = 1/tau0 + k_q [Q], with the single-point estimate."""
    from qdcat.io import read_frame
    from qdcat.kinetics.quenching import plot_stern_volmer, stern_volmer

    plot_format(plot_out)
    frame = read_frame(file)
    frame.attrs["source_file"] = str(file)
    result = stern_volmer(frame)
    emit(result, json_out, plot_out, lambda: plot_stern_volmer(result))
