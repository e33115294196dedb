"""``qdcat xrd ...``: powder X-ray diffraction: Debye patterns of dot models, peak fits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "xrd"
app = typer.Typer(
    help="Powder XRD: simulate a dot's pattern (Debye equation), fit measured patterns.",
    no_args_is_help=True,
)

_K_OPT = typer.Option("--K", help="Scherrer constant (0.9 conventional; 1.107 for spheres).")
_WL_OPT = typer.Option("--wavelength", help="X-ray wavelength, Angstrom (Cu K-alpha1).")


@app.command("simulate")
def xrd_simulate(
    xyz: Annotated[
        Path, typer.Option("--xyz", help="The dot: any file ASE reads (extended XYZ, CIF...).")
    ],
    two_theta_range: Annotated[
        tuple[float, float], typer.Option("--range", help="2-theta range, deg.")
    ] = (10.0, 80.0),
    step: Annotated[float, typer.Option("--step", help="2-theta step, deg.")] = 0.02,
    fit_range: Annotated[
        tuple[float, float], typer.Option("--fit-range", help="Peak-fit window, deg.")
    ] = (20.0, 70.0),
    ka2: Annotated[
        bool, typer.Option("--ka2", help="Add Cu K-alpha2 (half the K-alpha1 intensity).")
    ] = False,
    b_iso: Annotated[
        float, typer.Option("--b-iso", help="Isotropic Debye-Waller B, Angstrom^2.")
    ] = 0.0,
    scherrer_k: Annotated[float, _K_OPT] = 0.9,
    wavelength: Annotated[float, _WL_OPT] = 1.5405929,
    pattern_out: Annotated[
        Path | None,
        typer.Option("--pattern", help="Also write the pattern as CSV (two_theta_deg,intensity)."),
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Powder pattern of a dot from the Debye equation, fitted like a measurement.

    JSON: two_theta_deg and fwhm_deg (fitted peaks), d_nm, two_theta_112_deg, d112_nm,
    scherrer_size_nm, zn_fraction_vegard, n_atoms.
    """
    import dataclasses

    import numpy as np

    from qdcat.core.atomic import atomic_write_text
    from qdcat.core.errors import InputError, OutputError
    from qdcat.xrd.analysis import simulate_dot_xrd
    from qdcat.xrd.plots import plot_pattern_fit

    plot_format(plot_out)
    if pattern_out is not None and not pattern_out.resolve().parent.is_dir():
        raise OutputError(f"--pattern {pattern_out}: folder {pattern_out.parent} does not exist")
    if not xyz.is_file():
        raise InputError(
            "structure file not found", file=xyz, field="--xyz", expected="an existing file"
        )
    import ase.io

    try:
        atoms = ase.io.read(xyz)
    except Exception as exc:  # ase raises many kinds for unreadable files
        raise InputError(
            f"cannot read the structure: {exc}",
            file=xyz,
            field="--xyz",
            expected="a structure file ASE can read (extended XYZ, CIF, POSCAR...)",
        ) from exc
    lo, hi = sorted(two_theta_range)
    if not (0 < lo < hi < 180) or not (0 < step < hi - lo):
        raise InputError(
            "bad 2-theta grid",
            field="--range/--step",
            expected="0 < low < high < 180 and 0 < step < high - low",
            found=(lo, hi, step),
        )
    tt = np.arange(lo, hi + 0.5 * step, step)
    result = simulate_dot_xrd(
        atoms,
        two_theta_deg=tt,
        wavelength_A=wavelength,
        ka2_ratio=0.5 if ka2 else 0.0,
        b_iso_A2=b_iso,
        fit_range_deg=fit_range,
        scherrer_K=scherrer_k,
    )
    result = dataclasses.replace(result, metadata={**result.metadata, "source_file": str(xyz)})
    if pattern_out is not None:
        x = result.curves["simulated_two_theta_deg"]
        y = result.curves["simulated_intensity"]
        text = "two_theta_deg,intensity\n" + "".join(
            f"{a:.4f},{b:.6g}\n" for a, b in zip(x, y, strict=True)
        )
        atomic_write_text(pattern_out, text)
    emit(result, json_out, plot_out, lambda: plot_pattern_fit(result, title=xyz.name))


@app.command("fit")
def xrd_fit(
    file: Annotated[Path, typer.Argument(help="Pattern: CSV with two_theta_deg,intensity.")],
    fit_range: Annotated[
        tuple[float, float] | None, typer.Option("--range", help="Fit window, deg.")
    ] = None,
    peak: Annotated[
        list[float] | None,
        typer.Option("--peak", help="Starting peak centre, deg (repeat; default: automatic)."),
    ] = None,
    background_order: Annotated[
        int, typer.Option("--background-order", min=0, max=3, help="Polynomial background.")
    ] = 2,
    prominence: Annotated[
        float, typer.Option("--prominence", help="Automatic peak search: fraction of span.")
    ] = 0.02,
    scherrer_k: Annotated[float, _K_OPT] = 0.9,
    instrument_fwhm: Annotated[
        float | None,
        typer.Option("--instrument-fwhm", help="Instrumental FWHM to remove, deg."),
    ] = None,
    broadening: Annotated[
        str, typer.Option("--broadening", help="gaussian or lorentzian width subtraction.")
    ] = "gaussian",
    wavelength: Annotated[float, _WL_OPT] = 1.5405929,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Fit pseudo-Voigt peaks: positions, FWHM, d112, Scherrer size, Vegard Zn fraction."""
    from qdcat.xrd.analysis import analyse_pattern
    from qdcat.xrd.io import load_pattern
    from qdcat.xrd.plots import plot_pattern_fit

    plot_format(plot_out)
    pattern = load_pattern(file)
    result = analyse_pattern(
        pattern,
        wavelength_A=wavelength,
        fit_range_deg=fit_range,
        centres_deg=peak or None,
        background_order=background_order,
        prominence=prominence,
        scherrer_K=scherrer_k,
        instrument_fwhm_deg=instrument_fwhm,
        broadening=broadening,
    )
    emit(result, json_out, plot_out, lambda: plot_pattern_fit(result, title=file.name))
    if not result.converged:
        raise typer.Exit(1)
