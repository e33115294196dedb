"""``qdcat pl ...``: steady-state photoluminescence: peak, Stokes shift, quantum yield."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "pl"
app = typer.Typer(
    help="Steady-state PL: peak energy and width (fits in energy), Stokes shift, relative "
    "quantum yield.",
    no_args_is_help=True,
)


def _emission(file: Path):
    """An emission spectrum (a column without a recognised name counts as intensity)."""
    from qdcat.pipeline.analyses.photoluminescence import load_emission

    return load_emission(file)


@app.command("peak")
def pl_peak_command(
    file: Annotated[Path, typer.Argument(help="PL spectrum (wavelength_nm or energy_eV).")],
    energy_range: Annotated[
        tuple[float, float] | None,
        typer.Option("--range-eV", help="Fit only between these photon energies (eV)."),
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """PL peak energy and FWHM from a Gaussian fit in energy, with the wavelength-to-energy
    Jacobian applied (keys pl_peak_eV, pl_fwhm_eV, pl_peak_nm, ...)."""
    from qdcat.optics import pl_peak, plot_pl_peak

    plot_format(plot_out)
    result = pl_peak(_emission(file), energy_range_eV=energy_range)
    emit(result, json_out, plot_out, lambda: plot_pl_peak(result))


@app.command("stokes")
def pl_stokes(
    absorption: Annotated[
        Path, typer.Option("--abs", help="Absorbance spectrum of the same sample.")
    ],
    emission: Annotated[Path, typer.Option("--pl", help="PL spectrum.")],
    reference: Annotated[
        Literal["exciton", "band-gap"],
        typer.Option(
            "--reference",
            help="Exciton absorption peak (Abs1 of the edge decomposition) or the "
            "second-derivative band gap.",
        ),
    ] = "exciton",
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Stokes shift (meV) between the exciton absorption peak and the PL peak (key
    stokes_shift_meV)."""
    from qdcat.optics import plot_absorption_pl, stokes_shift
    from qdcat.pipeline.analyses.band_gap import load_spectrum

    plot_format(plot_out)
    result = stokes_shift(_emission(emission), load_spectrum(absorption), reference=reference)
    emit(result, json_out, plot_out, lambda: plot_absorption_pl(result))


@app.command("qy")
def pl_qy(
    emission: Annotated[Path, typer.Option("--pl", help="PL spectrum of the sample.")],
    reference_pl: Annotated[Path, typer.Option("--ref-pl", help="PL spectrum of the dye.")],
    absorbance_sample: Annotated[
        float, typer.Option("--abs-sample", help="Sample absorbance at the excitation.")
    ],
    absorbance_reference: Annotated[
        float, typer.Option("--abs-ref", help="Dye absorbance at the excitation.")
    ],
    qy_reference: Annotated[float, typer.Option("--ref-qy", help="Quantum yield of the dye.")],
    n_sample: Annotated[float, typer.Option("--n-sample", help="Solvent index, sample.")] = 1.333,
    n_reference: Annotated[float, typer.Option("--n-ref", help="Solvent index, dye.")] = 1.333,
    qy_reference_stderr: Annotated[
        float | None, typer.Option("--ref-qy-stderr", help="Standard error of the dye's yield.")
    ] = None,
    absorbance_stderr: Annotated[
        float | None, typer.Option("--abs-stderr", help="Standard error of each absorbance.")
    ] = None,
    json_out: JsonOpt = None,
) -> None:
    """Relative PL quantum yield against a reference dye (key pl_quantum_yield)."""
    from qdcat.optics import relative_quantum_yield

    result = relative_quantum_yield(
        _emission(emission),
        _emission(reference_pl),
        absorbance_sample=absorbance_sample,
        absorbance_reference=absorbance_reference,
        qy_reference=qy_reference,
        refractive_index_sample=n_sample,
        refractive_index_reference=n_reference,
        qy_reference_stderr=qy_reference_stderr,
        absorbance_stderr=absorbance_stderr,
    )
    emit(result, json_out, None, lambda: None)
