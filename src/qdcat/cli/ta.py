"""``qdcat ta ...``: femtosecond transient absorption (global/target analysis, traces, bands)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "ta"
app = typer.Typer(
    help="fs transient absorption: global/target analysis, kinetic traces, bleach bands.",
    no_args_is_help=True,
)

LayoutOpt = Annotated[
    str | None,
    typer.Option(
        "--layout",
        help="CSV matrix layout: 'time-rows' or 'wavelength-rows' (default: told from the axes).",
    ),
]


def _read(file: Path, layout: str | None):
    from qdcat.io import read_ta

    return read_ta(file, layout=layout)


@app.command("fit")
def ta_fit(
    file: Annotated[Path, typer.Argument(help="TA data: Glotaran ASCII, CSV matrix, UFS, NetCDF.")],
    components: Annotated[
        int | None,
        typer.Option("--components", min=1, max=8, help="Compartments (default: from the SVD)."),
    ] = None,
    model: Annotated[
        str,
        typer.Option("--model", help="'parallel' (DAS), 'sequential' (EAS) or a MODEL.toml."),
    ] = "parallel",
    chirp_order: Annotated[
        int | None, typer.Option("--chirp-order", min=0, help="IRF-centre polynomial order.")
    ] = None,
    offset: Annotated[bool, typer.Option("--offset", help="Add a non-decaying component.")] = False,
    coherent_artifact: Annotated[
        bool, typer.Option("--coherent-artifact", help="Add an IRF-shaped artefact component.")
    ] = False,
    layout: LayoutOpt = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Global (parallel/sequential) or target analysis by variable projection."""
    from qdcat.kinetics.global_analysis import fit_ta
    from qdcat.kinetics.ta_plots import plot_ta_overview

    plot_format(plot_out)
    data = _read(file, layout)
    chosen_model = Path(model) if model.endswith(".toml") else model
    fit = fit_ta(
        data,
        components=components,
        model=chosen_model,
        chirp_order=chirp_order,
        offset=offset,
        coherent_artifact=coherent_artifact,
    )
    emit(fit.to_result(), json_out, plot_out, lambda: plot_ta_overview(fit))


@app.command("trace")
def ta_trace(
    file: Annotated[Path, typer.Argument(help="TA data (any format `qdcat ta fit` reads).")],
    wavelength_nm: Annotated[
        float, typer.Option("--wavelength-nm", help="Trace at this probe wavelength (nm).")
    ],
    components: Annotated[int, typer.Option("--components", min=1, max=4)] = 3,
    width_nm: Annotated[
        float, typer.Option("--width-nm", help="Average over this probe band (nm).")
    ] = 0.0,
    layout: LayoutOpt = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Multi-exponential fit of one kinetic trace with the IRF (the paper's Table S5)."""
    from qdcat.kinetics.traces import fit_trace, plot_trace_fit, trace_at

    plot_format(plot_out)
    trace = trace_at(_read(file, layout), wavelength_nm, width_nm=width_nm)
    result = fit_trace(trace, components=components)
    emit(result, json_out, plot_out, lambda: plot_trace_fit(result))


@app.command("bleach")
def ta_bleach(
    file: Annotated[Path, typer.Argument(help="TA data (any format `qdcat ta fit` reads).")],
    delay_ps: Annotated[
        tuple[float, float],
        typer.Option("--delay-ps", help="Average the spectra between these delays (ps)."),
    ] = (1.0, 5.0),
    region_nm: Annotated[
        tuple[float, float] | None,
        typer.Option("--region-nm", help="Bleach region to model (nm)."),
    ] = None,
    layout: LayoutOpt = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Is the ground-state bleach one band or a band-edge + intragap pair (1 vs 2 Gaussians)?"""
    from qdcat.kinetics.traces import bleach_band_test, plot_bleach_test, spectrum_at

    plot_format(plot_out)
    spectrum = spectrum_at(_read(file, layout), delay_ps)
    result = bleach_band_test(spectrum, region_nm=region_nm)
    emit(result, json_out, plot_out, lambda: plot_bleach_test(result))
