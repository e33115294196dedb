"""The ``qdcat`` command line: thin, it parses arguments, calls the library and sets exit codes.

Exit codes: 0 success; 1 an analysis failed or did not converge (the output is still written,
with the failure recorded); 2 bad input or usage (one line on stderr naming the file, key or
line, what was expected and what was found; ``--debug`` shows the traceback).

One sub-command group per science topic (``qdcat uvvis ...``, ``qdcat catalysis ...``), each a
module of this package with ``TOPIC`` and its own ``app`` (found by :func:`_discover`); every
analysis command takes ``--json OUT`` and ``--plot OUT.png`` (helpers in :mod:`qdcat.cli.common`).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from qdcat import __version__
from qdcat.cli.common import SchedulerOpt, command_line
from qdcat.core.errors import QdcatError

app = typer.Typer(
    name="qdcat",
    help="Defect-engineered quantum-dot photocatalysis: analysis and simulation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: Modules of this package that are not command modules.
_NOT_COMMANDS = frozenset({"common"})


def _discover() -> dict[str, str]:
    """Add every command module of this package to :data:`app`; return topic -> module.

    A module that defines ``TOPIC`` (a name) and ``app`` (a :class:`typer.Typer`) becomes the
    group ``qdcat TOPIC ...``; a module that defines ``COMMANDS`` (name -> function) adds
    top-level commands (``qdcat photons``). Discovery keeps each topic in its own file.
    """
    topics: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in _NOT_COMMANDS:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        topic = getattr(module, "TOPIC", None)
        if topic is not None:
            app.add_typer(module.app, name=topic)
            topics[topic] = module.__name__
        for name, function in getattr(module, "COMMANDS", {}).items():
            app.command(name)(function)
    return topics


#: Sub-command groups: name -> module (in this package) that defines ``app``.
TOPICS: dict[str, str] = _discover()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qdcat {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of errors (for bug reports).")
    ] = False,  # handled in main() so that it may stand anywhere
) -> None:
    """Defect-engineered quantum-dot photocatalysis: analysis and simulation."""


def _run(
    project: Path, out: Path, scheduler: str | None, workers: int | None, serial: bool
) -> None:
    from qdcat.pipeline.runner import run_project

    summary = run_project(
        project,
        out,
        scheduler=scheduler,
        executor="serial" if serial else "processes",
        max_workers=workers,
        progress=sys.stderr.isatty(),
        command=command_line(),
    )
    typer.echo(
        f"wrote {out}/report.html and {out}/results.json "
        f"({summary.n_tasks} analyses in {summary.seconds:.1f} s)"
    )
    for w in summary.warnings:
        typer.echo(f"warning: {w}", err=True)
    if not summary.ok:
        for analysis, sample, msg in summary.failed:
            typer.echo(f"qdcat: {analysis} on {sample}: {msg}", err=True)
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------------------
# project commands


@app.command()
def run(
    project: Annotated[Path, typer.Argument(help="Project file (TOML).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    scheduler: SchedulerOpt = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Local worker processes.")
    ] = None,
    serial: Annotated[
        bool, typer.Option("--serial", help="Run in this process (no workers).")
    ] = False,
) -> None:
    """Run every analysis of a project; write OUT/results.json, figures and OUT/report.html."""
    _run(project, out, scheduler, workers, serial)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-output"),
    scheduler: SchedulerOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1)] = None,
    serial: Annotated[bool, typer.Option("--serial")] = False,
) -> None:
    """Run the shipped example project (four ZCIS samples, simulated data) end to end."""
    from qdcat.examples import example_project

    _run(example_project("zcis"), out, scheduler, workers, serial)


@app.command("analyses")
def list_analyses() -> None:
    """List the analyses a project file can name, with the data technique each reads."""
    from qdcat.pipeline.registry import all_analyses

    for name, a in all_analyses().items():
        typer.echo(f"{name:20s} data: {a.technique:10s} {a.title}")


# ---------------------------------------------------------------------------------------------
# uvvis


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turn qdcat errors into exit code 2 and one line on stderr.

    ``--debug`` may stand anywhere on the command line.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        rv = app(args=args, prog_name="qdcat", standalone_mode=False)
    except QdcatError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"qdcat: error: {exc}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        typer.echo("qdcat: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("qdcat: interrupted", err=True)
        return 130
    except Exception as exc:
        # usage errors of the command-line parser (typer's or click's exception classes)
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return 0 if type(exc).__name__ == "NoArgsIsHelpError" else int(exc.exit_code)
        if debug:
            raise
        typer.echo(
            f"qdcat: internal error: {type(exc).__name__}: {exc} (run with --debug for the "
            "traceback and please report it)",
            err=True,
        )
        return 3
    # without standalone mode the parser returns the code of a typer.Exit instead of raising
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
