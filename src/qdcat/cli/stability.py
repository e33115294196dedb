"""``qdcat stability ...``: photocatalyst stability: cycle tests, deactivation, donor, outdoors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "stability"
app = typer.Typer(
    help="Photocatalyst stability: cycle tests, deactivation fit, donor budget, outdoor runs.",
    no_args_is_help=True,
)

ProductOpt = Annotated[str, typer.Option("--product", help="Product to follow (CO, H2, CH4...).")]


def _load(path: Path):
    from qdcat.io import read_frame

    frame = read_frame(path)
    frame.attrs["source_file"] = str(path)
    return frame


@app.command("cycles")
def stability_cycles(
    file: Annotated[
        Path, typer.Argument(help="Table: cycle, time_h, <P>_umol (cumulative per cycle) [, run].")
    ],
    product: ProductOpt = "CO",
    mass_mg: Annotated[
        float | None, typer.Option("--mass-mg", help="Catalyst mass in mg (umol g-1 h-1).")
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Rate per cycle over equal windows and retention relative to cycle 1 (Fig. 5c)."""
    from qdcat.catalysis.stability import cycle_test, fit_deactivation, plot_cycles

    plot_format(plot_out)
    frame = _load(file)
    result = cycle_test(frame, product=product, catalyst_mass_mg=mass_mg)

    def figure():
        try:
            fit = fit_deactivation(frame, product=product)
        except Exception:  # the figure still shows the cycles without the model
            fit = None
        return plot_cycles(result, fit)

    emit(result, json_out, plot_out, figure)


@app.command("decay")
def stability_decay(
    file: Annotated[
        Path,
        typer.Argument(help="Long-term run or cycle test: time_h, <P>_umol [, cycle, run]."),
    ],
    product: ProductOpt = "CO",
    at_h: Annotated[
        float | None, typer.Option("--at-h", help="Report the activity retained after T hours.")
    ] = None,
    weighting: Annotated[
        str, typer.Option("--weighting", help="'relative' (GC) or 'uniform'.")
    ] = "relative",
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """First-order deactivation fit: initial rate, k, half-life, activity retained."""
    from qdcat.catalysis.stability import fit_deactivation, plot_deactivation

    plot_format(plot_out)
    result = fit_deactivation(
        _load(file), product=product, weighting=weighting, retention_at_h=at_h
    )
    emit(result, json_out, plot_out, lambda: plot_deactivation(result))
    if not result.converged:
        raise typer.Exit(1)


@app.command("donor")
def stability_donor(
    run_file: Annotated[Path, typer.Argument(help="Run file (TOML) with a [donor] table.")],
    json_out: JsonOpt = None,
) -> None:
    """Sacrificial donor consumed by the products (electrons / electrons per molecule)."""
    from qdcat.catalysis.run import load_run
    from qdcat.catalysis.stability import donor_budget
    from qdcat.catalysis.yields import analyse_yields
    from qdcat.core.errors import ConfigError

    run = load_run(run_file)
    if run.donor is None:
        raise ConfigError(
            "the run file has no [donor] table",
            file=run_file,
            key_path="donor",
            expected='[donor] name = "ascorbic acid", concentration_mM and volume_mL',
        )
    y = analyse_yields(run.frame)
    amounts = {p: float(y.quantities[f"{p}_amount_umol"].value) for p in y.metadata["products"]}
    errors = {p: y.quantities[f"{p}_amount_umol"].stderr for p in y.metadata["products"]}
    result = donor_budget(
        amounts,
        supplied_umol=run.donor.supplied_umol,
        electrons_per_molecule=run.donor.electrons_per_molecule,
        name=run.donor.name,
        amounts_stderr_umol=errors,
    )
    emit(result, json_out, None, None)


@app.command("outdoor")
def stability_outdoor(
    file: Annotated[
        Path,
        typer.Argument(
            help="Table: day, <P>_umol, insolation_kWh_m2 or irradiance_W_m2 [, temperature_C]."
        ),
    ],
    product: ProductOpt = "CO",
    cumulative: Annotated[
        bool, typer.Option("--cumulative", help="Amounts are cumulative, not daily.")
    ] = False,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Daily yields against logged sunlight (Fig. 5i)."""
    from qdcat.catalysis.stability import outdoor_runs, plot_outdoor

    plot_format(plot_out)
    result = outdoor_runs(_load(file), product=product, cumulative=cumulative)
    emit(result, json_out, plot_out, lambda: plot_outdoor(result))
