"""``qdcat photons ...``: photon flux of the light on a photoreactor, and the AQY it implies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

_WATER = ("none", "water", "no", "false")


def photons(
    area_cm2: Annotated[float, typer.Option("--area-cm2", help="Illuminated area, cm2.")],
    wavelength_nm: Annotated[
        float | None,
        typer.Option("--wavelength-nm", help="Monochromatic light: wavelength, nm."),
    ] = None,
    power_mW_cm2: Annotated[
        float | None,
        typer.Option("--power-mW-cm2", help="Monochromatic light: power density, mW cm-2."),
    ] = None,
    spectrum: Annotated[
        Path | None,
        typer.Option(
            "--spectrum",
            help="Broadband light: lamp spectrum (wavelength_nm + irradiance W m-2 nm-1, or a "
            "relative spectrum with --irradiance-mW-cm2).",
        ),
    ] = None,
    am15g: Annotated[
        bool,
        typer.Option("--am15g", help="Broadband light: AM1.5G (ASTM G173-03) solar simulator."),
    ] = False,
    band: Annotated[
        tuple[float, float] | None,
        typer.Option("--band", help="Filter band LO HI in nm (e.g. 380 780), ideal edges."),
    ] = None,
    irradiance_mW_cm2: Annotated[
        float | None,
        typer.Option(
            "--irradiance-mW-cm2",
            help="Stated irradiance, mW cm-2 (AM1.5G default 100; see --reading).",
        ),
    ] = None,
    reading: Annotated[
        str | None,
        typer.Option(
            "--reading",
            help="What the stated irradiance means with --am15g --band: 'filtered' (measured "
            "after the filter, default) or 'full' (full AM1.5G, then filtered).",
        ),
    ] = None,
    rate_umol_h: Annotated[
        float | None,
        typer.Option("--rate-umol-h", help="Product rate, umol h-1 (gives the AQY)."),
    ] = None,
    product: Annotated[
        str, typer.Option("--product", help="Product of --rate-umol-h (CO, H2, CH4, ...).")
    ] = "CO",
    absorbance: Annotated[
        Path | None,
        typer.Option(
            "--absorbance",
            help="Absorbance spectrum (wavelength_nm, absorbance) of the sample in the "
            "reactor: absorbed photons and internal quantum yield.",
        ),
    ] = None,
    donor: Annotated[
        str | None,
        typer.Option(
            "--donor",
            help="Sacrificial electron donor (e.g. 'ascorbic acid'), or 'none' for water: "
            "adds the (apparent) solar-to-fuel efficiency.",
        ),
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Photon flux (umol h-1) of monochromatic or broadband light; AQY, IQY and STF."""
    from qdcat.catalysis.photons import (
        BroadbandLight,
        MonochromaticLight,
        photon_accounting,
        plot_photons,
    )
    from qdcat.catalysis.spectra import read_light_spectrum, solar_simulator_spectrum
    from qdcat.core.errors import InputError

    plot_format(plot_out)
    broadband = spectrum is not None or am15g
    if spectrum is not None and am15g:
        raise InputError(
            "give either --spectrum FILE or --am15g", field="--spectrum", found=str(spectrum)
        )
    if broadband and (wavelength_nm is not None or power_mW_cm2 is not None):
        raise InputError(
            "monochromatic options (--wavelength-nm, --power-mW-cm2) and a broadband spectrum "
            "(--spectrum, --am15g) exclude each other",
            field="--wavelength-nm" if wavelength_nm is not None else "--power-mW-cm2",
        )
    if broadband:
        if am15g:
            light_spectrum = solar_simulator_spectrum(
                100.0 if irradiance_mW_cm2 is None else irradiance_mW_cm2,
                band_nm=band,
                reading=reading or "filtered",
            )
        else:
            if reading not in (None, "filtered"):
                raise InputError(
                    "a measured spectrum is the light on the sample; only --reading filtered "
                    "applies",
                    field="--reading",
                    found=reading,
                )
            assert spectrum is not None
            light_spectrum = read_light_spectrum(
                spectrum, irradiance_mW_cm2=irradiance_mW_cm2, band_nm=band
            )
        light: MonochromaticLight | BroadbandLight = BroadbandLight(light_spectrum, area_cm2)
    else:
        for value, option in ((wavelength_nm, "--wavelength-nm"), (power_mW_cm2, "--power-mW-cm2")):
            if value is None:
                raise InputError(
                    "missing option",
                    field=option,
                    expected="--wavelength-nm and --power-mW-cm2 (monochromatic), or --spectrum "
                    "/ --am15g (broadband)",
                )
        for value, option in ((band, "--band"), (irradiance_mW_cm2, "--irradiance-mW-cm2")):
            if value is not None:
                raise InputError("only for broadband light (--spectrum, --am15g)", field=option)
        light = MonochromaticLight(wavelength_nm, power_mW_cm2, area_cm2)

    absorbance_table = None
    if absorbance is not None:
        from qdcat.io import read_frame

        absorbance_table = read_frame(absorbance)
        absorbance_table.attrs["source_file"] = str(absorbance)
    sacrificial: str | bool | None = None
    if donor is not None:
        if rate_umol_h is None:
            raise InputError("--donor needs --rate-umol-h", field="--donor")
        sacrificial = False if donor.strip().lower() in _WATER else donor
    result = photon_accounting(
        light,
        rates_umol_h=None if rate_umol_h is None else {product: rate_umol_h},
        absorbance=absorbance_table,
        sacrificial_donor=sacrificial,
    )
    emit(result, json_out, plot_out, lambda: plot_photons(result))


COMMANDS = {"photons": photons}
