"""``qdcat uvvis ...``: UV-vis absorption: band gap."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "uvvis"
app = typer.Typer(help="UV-vis absorption: band gap.", no_args_is_help=True)


@app.command("bandgap")
def uvvis_bandgap(
    file: Annotated[Path, typer.Argument(help="Absorbance spectrum (wavelength_nm or energy_eV).")],
    energy_range: Annotated[
        tuple[float, float] | None,
        typer.Option("--range-eV", help="Search the edge between these energies (eV)."),
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Band gap at the minimum of the second derivative of absorbance vs photon energy."""
    from qdcat.optics import band_gap_second_derivative, plot_band_gap
    from qdcat.pipeline.analyses.band_gap import load_spectrum

    plot_format(plot_out)
    spectrum = load_spectrum(file)
    result = band_gap_second_derivative(spectrum, energy_range_eV=energy_range)
    emit(result, json_out, plot_out, lambda: plot_band_gap(result))
