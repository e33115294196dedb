"""``qdcat uvvis ...``: UV-vis absorption: band gap, Abs1/Abs2 edge decomposition, series."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "uvvis"
app = typer.Typer(
    help="UV-vis absorption: band gap (second derivative, Tauc, Kubelka-Munk), Abs1/Abs2 "
    "edge decomposition, band gaps of a series.",
    no_args_is_help=True,
)

Method = Literal["second-derivative", "tauc-direct", "tauc-indirect", "kubelka-munk"]
RangeOpt = Annotated[
    tuple[float, float] | None,
    typer.Option("--range-eV", help="Restrict the analysis to these photon energies (eV)."),
]
SampleOpt = Annotated[
    str | None,
    typer.Option("--sample", help="Which spectrum of a file holding several (name or 0-based)."),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="table, cary, perkinelmer or shimadzu (default: detected)."),
]


def _sample(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else value


def _absorbance(file: Path, sample: str | None, fmt: str | None):
    from qdcat.io.spectra import read_spectrum, to_absorbance

    return to_absorbance(
        read_spectrum(file, format=fmt, assume="absorbance", sample=_sample(sample))
    )


@app.command("bandgap")
def uvvis_bandgap(
    file: Annotated[
        Path,
        typer.Argument(
            help="Absorbance (or %T; %R for kubelka-munk) spectrum over wavelength "
            "or energy: a table or a Cary / PerkinElmer / Shimadzu export."
        ),
    ],
    energy_range: Annotated[
        tuple[float, float] | None,
        typer.Option("--range-eV", help="Search the edge between these energies (eV)."),
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="second-derivative (minimum of d2A/dE2, the seed paper's method), Tauc "
            "extrapolation for direct or indirect transitions, or Kubelka-Munk for diffuse "
            "reflectance.",
        ),
    ] = "second-derivative",
    transition: Annotated[
        Literal["direct", "indirect"],
        typer.Option("--transition", help="Transition type for kubelka-munk."),
    ] = "direct",
    sample: SampleOpt = None,
    fmt: FormatOpt = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Band gap (eV) with its standard error; JSON keys band_gap_eV, band_gap_stderr_eV,
    method."""
    plot_format(plot_out)
    if method == "second-derivative":
        from qdcat.optics import band_gap_second_derivative, plot_band_gap

        spectrum = _absorbance(file, sample, fmt)
        result = band_gap_second_derivative(spectrum, energy_range_eV=energy_range)
        emit(result, json_out, plot_out, lambda: plot_band_gap(result))
        return
    from qdcat.optics import band_gap_kubelka_munk, band_gap_tauc, plot_tauc

    if method == "kubelka-munk":
        from qdcat.io.spectra import read_spectrum

        spectrum = read_spectrum(file, format=fmt, assume="reflectance", sample=_sample(sample))
        result = band_gap_kubelka_munk(
            spectrum, transition=transition, energy_range_eV=energy_range
        )
    else:
        spectrum = _absorbance(file, sample, fmt)
        result = band_gap_tauc(
            spectrum, transition=method.split("-", 1)[1], energy_range_eV=energy_range
        )
    emit(result, json_out, plot_out, lambda: plot_tauc(result))


@app.command("decompose")
def uvvis_decompose(
    file: Annotated[Path, typer.Argument(help="Absorbance spectrum reaching below the edge.")],
    energy_range: RangeOpt = None,
    no_scatter: Annotated[
        bool, typer.Option("--no-scatter", help="Do not fit the E^4 scatter background.")
    ] = False,
    sample: SampleOpt = None,
    fmt: FormatOpt = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Absorption edge = exciton Abs1 + Cu+ intragap Abs2 (Gaussians in energy) + continuum:
    positions, widths, areas and the Abs2/Abs1 area ratio (keys exciton_eV, abs2_eV,
    abs2_abs1_area_ratio, ...)."""
    from qdcat.optics import decompose_edge, plot_edge_decomposition

    plot_format(plot_out)
    spectrum = _absorbance(file, sample, fmt)
    result = decompose_edge(spectrum, energy_range_eV=energy_range, fit_scatter=not no_scatter)
    emit(result, json_out, plot_out, lambda: plot_edge_decomposition(result))


@app.command("series")
def uvvis_series(
    file: Annotated[
        Path, typer.Argument(help="Several spectra in one file (columns or a Cary export).")
    ],
    method: Annotated[Method, typer.Option("--method", help="As for 'bandgap'.")] = (
        "second-derivative"
    ),
    energy_range: RangeOpt = None,
    fmt: FormatOpt = None,
    align: Annotated[
        Literal["exact", "interpolate"],
        typer.Option("--align", help="Spectra on different axes: refuse, or interpolate."),
    ] = "exact",
    json_out: JsonOpt = None,
) -> None:
    """Band gap of every spectrum of a file (keys samples, band_gap_eV, band_gap_stderr_eV,
    error: lists in file order)."""
    from qdcat.core.results import Quantity, Result
    from qdcat.io.spectra import read_spectra
    from qdcat.optics import band_gap_batch

    assume = "reflectance" if method == "kubelka-munk" else "absorbance"
    absorbance = method != "kubelka-munk"
    spectra = read_spectra(file, format=fmt, assume=assume, align=align, absorbance=absorbance)
    options = {"energy_range_eV": energy_range} if energy_range is not None else {}
    ds = band_gap_batch(spectra, method=method, **options)
    names = [str(s) for s in spectra["sample"].values]
    for name, g, e, msg in zip(
        names,
        ds["band_gap_eV"].values,
        ds["band_gap_stderr_eV"].values,
        ds["error"].values,
        strict=True,
    ):
        typer.echo(f"{name:24s} " + (f"{g:.4f} ± {e:.4f} eV" if not msg else f"failed: {msg}"))
    result = Result(
        analysis="band_gap_series",
        quantities={
            "band_gap_eV": Quantity(
                ds["band_gap_eV"].values, ds["band_gap_stderr_eV"].values, "eV", "band gaps"
            )
        },
        metadata={
            "method": method,
            "samples": names,
            "error": [str(m) for m in ds["error"].values],
            "source_file": str(file),
        },
    )
    if json_out is not None:
        from qdcat.core.results import write_json

        write_json(json_out, result.flat())
