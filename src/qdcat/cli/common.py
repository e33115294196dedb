"""Options and output helpers shared by every ``qdcat`` command."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["JsonOpt", "PlotOpt", "SchedulerOpt", "command_line", "emit", "plot_format"]

JsonOpt = Annotated[
    Path | None, typer.Option("--json", help="Write the result as JSON to this file.")
]
PlotOpt = Annotated[
    Path | None, typer.Option("--plot", help="Write the figure (PNG, SVG or PDF) to this file.")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on a dask.distributed cluster at this address (tcp://HOST:PORT). "
        "Default: local processes.",
    ),
]


def plot_format(path: Path | None) -> str | None:
    """Figure format from ``--plot``'s suffix; checked before any work is done."""
    from qdcat.core.errors import InputError

    if path is None:
        return None
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in {"png", "svg", "pdf"}:
        raise InputError(
            "unsupported figure format",
            field="--plot",
            expected=".png, .svg or .pdf",
            found=path.name,
        )
    return fmt


def emit(result: Any, json_out: Path | None, plot_out: Path | None, fig_factory: Any) -> None:
    """Print a one-screen summary; write ``--json`` and ``--plot``, each whole or not at all.

    The figure is rendered before anything is written, so a failure leaves no partial output.
    """
    import io

    from qdcat.core.atomic import atomic_write_bytes
    from qdcat.core.errors import OutputError
    from qdcat.core.results import write_json

    for option, target in (("--json", json_out), ("--plot", plot_out)):
        if target is not None and not target.resolve().parent.is_dir():
            raise OutputError(f"{option} {target}: folder {target.parent} does not exist")
    figure_bytes = None
    fmt = plot_format(plot_out)
    if plot_out is not None:
        buf = io.BytesIO()
        fig_factory().savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        figure_bytes = buf.getvalue()
    for name, q in result.quantities.items():
        typer.echo(f"{name:32s} {q}")
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    if json_out is not None:
        write_json(json_out, result.flat())
    if plot_out is not None and figure_bytes is not None:
        atomic_write_bytes(plot_out, figure_bytes)


def command_line() -> str:
    return "qdcat " + " ".join(shlex.quote(a) for a in sys.argv[1:])
