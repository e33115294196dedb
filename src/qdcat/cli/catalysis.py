"""``qdcat catalysis ...``: Photocatalysis: product yields and rates, GC quantification, 13C."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "catalysis"
app = typer.Typer(
    help="Photocatalysis: product yields and rates, GC quantification, 13CO/12CO.",
    no_args_is_help=True,
)


@app.command("yields")
def catalysis_yields(
    file: Annotated[
        Path, typer.Argument(help="Cumulative amounts: time_h, CO_umol, H2_umol, ... [run].")
    ],
    mass_mg: Annotated[
        float | None, typer.Option("--mass-mg", help="Catalyst mass in mg (for umol g-1 h-1).")
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Amounts, average and fitted rates, mass-normalised rates and selectivities."""
    from qdcat.catalysis import analyse_yields, plot_sample_yields
    from qdcat.pipeline.analyses.product_yields import load_yields

    plot_format(plot_out)
    frame = load_yields(file)
    result = analyse_yields(frame, catalyst_mass_mg=mass_mg)
    emit(result, json_out, plot_out, lambda: plot_sample_yields(frame, result))


@app.command("gc")
def catalysis_gc(
    standards: Annotated[
        Path,
        typer.Argument(help="GC standards: <P>_ppm (or <P>_pct) and <P>_area per product."),
    ],
    samples: Annotated[
        Path, typer.Argument(help="GC injections: time_h, <P>_area per product [run].")
    ],
    headspace_mL: Annotated[
        float, typer.Option("--headspace-mL", help="Headspace (gas) volume of the reactor, mL.")
    ],
    temperature_K: Annotated[
        float, typer.Option("--temperature-K", help="Headspace temperature, K.")
    ] = 298.15,
    pressure_kPa: Annotated[
        float,
        typer.Option("--pressure-kPa", help="Headspace pressure (at the first injection), kPa."),
    ] = 101.325,
    injection_uL: Annotated[
        float | None,
        typer.Option(
            "--injection-uL",
            help="Gas withdrawn per injection, uL: corrects for the product taken out.",
        ),
    ] = None,
    refilled: Annotated[
        bool,
        typer.Option(
            "--refilled",
            help="The headspace is brought back to pressure after each injection (default: "
            "closed reactor, pressure falls).",
        ),
    ] = False,
    liquid_mL: Annotated[
        float | None, typer.Option("--liquid-mL", help="Liquid volume, mL (for --dissolved).")
    ] = None,
    dissolved: Annotated[
        bool,
        typer.Option("--dissolved", help="Add the gas dissolved in the liquid (Henry's law)."),
    ] = False,
    yields_out: Annotated[
        Path | None,
        typer.Option(
            "--yields-out",
            help="Write the cumulative amounts (time_h, <P>_umol [run]) for 'qdcat catalysis "
            "yields' to this CSV.",
        ),
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """GC calibration (>= 3 standards) and quantification: peak areas -> umol produced."""
    from qdcat.catalysis.gc import (
        Reactor,
        calibrate_gc,
        gc_to_yields,
        load_gc_table,
        plot_gc,
        quantify_gc,
    )
    from qdcat.core.atomic import atomic_write_text
    from qdcat.core.errors import OutputError

    plot_format(plot_out)
    if yields_out is not None and not yields_out.resolve().parent.is_dir():
        raise OutputError(f"--yields-out {yields_out}: folder {yields_out.parent} does not exist")
    reactor = Reactor(
        headspace_mL=headspace_mL,
        temperature_K=temperature_K,
        pressure_kPa=pressure_kPa,
        injection_uL=injection_uL,
        headspace="refilled" if refilled else "closed",
        liquid_mL=liquid_mL,
        dissolved=dissolved,
    )
    calibrations = calibrate_gc(load_gc_table(standards))
    result = quantify_gc(load_gc_table(samples), calibrations, reactor)
    frame = gc_to_yields(result) if yields_out is not None else None
    emit(result, json_out, plot_out, lambda: plot_gc(result))
    if frame is not None and yields_out is not None:
        atomic_write_text(yields_out, frame.to_csv(index=False, float_format="%.6g"))


@app.command("isotope")
def catalysis_isotope(
    file: Annotated[
        Path | None,
        typer.Argument(help="CO peak areas per injection: m28_area, m29_area [n2_m28_area]."),
    ] = None,
    m28_area: Annotated[
        float | None, typer.Option("--m28-area", help="m/z 28 area of the CO peak.")
    ] = None,
    m29_area: Annotated[
        float | None, typer.Option("--m29-area", help="m/z 29 area of the CO peak.")
    ] = None,
    n2_m28_area: Annotated[
        float | None,
        typer.Option("--n2-m28-area", help="N2 area at m/z 28 inside the CO window (subtracted)."),
    ] = None,
    n2_resolved: Annotated[
        bool, typer.Option("--n2-resolved", help="N2 is separated from CO (no interference).")
    ] = False,
    feed_13c_fraction: Annotated[
        float | None,
        typer.Option("--feed-13c-fraction", help="13C atom fraction of the CO2 feed (0.99)."),
    ] = None,
    json_out: JsonOpt = None,
) -> None:
    """13CO/12CO from the m/z 29 and m/z 28 areas of CO (13CO2 labelling test)."""
    from qdcat.catalysis.gc import co_isotope_ratio, load_gc_table
    from qdcat.core.errors import InputError

    n2 = None
    if file is not None:
        if m28_area is not None or m29_area is not None:
            raise InputError("give a file or --m28-area/--m29-area, not both", field="--m28-area")
        table = load_gc_table(file)
        columns = [str(c) for c in table.columns]
        for key in ("m28_area", "m29_area"):
            if key not in columns:
                raise InputError(
                    "missing column",
                    file=file,
                    field=key,
                    expected="columns m28_area and m29_area (optional n2_m28_area)",
                    found=columns,
                )
        a28 = table["m28_area"].to_numpy(dtype=float)
        a29 = table["m29_area"].to_numpy(dtype=float)
        n2_key = next((k for k in ("n2_m28_area", "N2_m28_area") if k in columns), None)
        if n2_key is not None:
            n2 = table[n2_key].to_numpy(dtype=float)
        source = str(file)
    else:
        if m28_area is None or m29_area is None:
            raise InputError(
                "need the m/z 28 and m/z 29 areas",
                field="--m28-area" if m28_area is None else "--m29-area",
                expected="a FILE, or --m28-area and --m29-area",
            )
        a28, a29, source = m28_area, m29_area, None
    if n2_m28_area is not None:
        if n2 is not None:
            raise InputError(
                "N2 areas both in the file and as --n2-m28-area", field="--n2-m28-area"
            )
        n2 = n2_m28_area
    result = co_isotope_ratio(
        a29,
        a28,
        n2_area_m28=n2,
        n2_resolved=n2_resolved,
        feed_13C_fraction=feed_13c_fraction,
        source_file=source,
    )
    emit(result, json_out, None, None)
