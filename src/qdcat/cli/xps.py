"""``qdcat xps ...``: XPS files, peak fits and Cu 2p Cu(II) quantification."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "xps"
app = typer.Typer(
    help="XPS: read VAMAS/CSV files, fit peaks, Cu 2p Cu(II) fraction.", no_args_is_help=True
)

BlockOpt = Annotated[
    str | None,
    typer.Option("--block", help="VAMAS block: 0-based index, block id or e.g. 'Cu 2p'."),
]
PhotonOpt = Annotated[
    float | None,
    typer.Option("--photon-energy-eV", help="Photon energy (eV) for kinetic-energy data."),
]
KineticOpt = Annotated[
    bool, typer.Option("--kinetic", help="The energy column of a text file is kinetic energy.")
]
C1sOpt = Annotated[
    float | None,
    typer.Option(
        "--c1s-eV",
        help="Measured adventitious C 1s position (eV): shift the energies so that it is at "
        "--reference-eV.",
    ),
]
C1sBlockOpt = Annotated[
    str | None,
    typer.Option("--c1s-block", help="Fit this VAMAS block's C 1s line for the charge shift."),
]
RefOpt = Annotated[float, typer.Option("--reference-eV", help="Adventitious C 1s reference (eV).")]


def _load(file: Path, block, kinetic: bool, photon: float | None, region: str | None = None):
    from qdcat.xps.spectrum import read_xps

    return read_xps(
        file,
        block=block,
        region=region,
        energy="kinetic" if kinetic else None,
        photon_energy_eV=photon,
    )


def _calibrate(spectrum, file: Path, c1s_eV, c1s_block, reference_eV: float):
    from qdcat.xps.calibration import charge_correct
    from qdcat.xps.spectrum import read_xps

    if c1s_eV is None and c1s_block is None:
        return spectrum, None
    if c1s_eV is not None and c1s_block is not None:
        from qdcat.core.errors import InputError

        raise InputError(
            "give --c1s-eV or --c1s-block, not both",
            field="--c1s-eV",
            expected="one of them",
            found=None,
            has_found=False,
        )
    if c1s_eV is not None:
        return charge_correct(spectrum, measured_c1s_eV=c1s_eV, reference_eV=reference_eV)
    c1s = read_xps(file, block=c1s_block)
    return charge_correct(spectrum, c1s=c1s, reference_eV=reference_eV)


@app.command("read")
def xps_read(
    file: Annotated[Path, typer.Argument(help="VAMAS (.vms/.npl) or text (CSV) file.")],
    kinetic: KineticOpt = False,
    photon_energy: PhotonOpt = None,
    json_out: JsonOpt = None,
) -> None:
    """List the blocks of a VAMAS file (or summarise a text spectrum)."""
    from qdcat.core.results import write_json

    rows = []
    if file.suffix.lower() in (".vms", ".npl"):
        from qdcat.io.vamas import describe_block, read_vamas

        vf = read_vamas(file)
        for i, b in enumerate(vf.blocks):
            d = {"index": i, **describe_block(b)}
            if b.casa:
                d["casa_region"] = [
                    {"name": r.name, "background": r.background} for r in b.casa.regions
                ]
                d["casa_components"] = [
                    {"name": c.name, "lineshape": c.lineshape} for c in b.casa.components
                ]
            rows.append(d)
    else:
        s = _load(file, None, kinetic, photon_energy)
        x = s.binding_energy_eV
        rows.append(
            {
                "index": 0,
                "name": s.label,
                "n_points": int(x.size),
                "binding_energy_eV": [float(x[0]), float(x[-1])],
                "step_eV": s.step_eV,
                **dict(s.metadata),
            }
        )
    for r in rows:
        first = r.get("first", (r.get("binding_energy_eV") or [None])[0])
        last = r.get("last", (r.get("binding_energy_eV") or [None, None])[-1])
        extra = (
            f"  CasaXPS: {len(r.get('casa_components', []))} components"
            if r.get("casa_components")
            else ""
        )
        typer.echo(
            f"{r['index']:3d}  {r['name']:32s} {r['n_points']:6d} points  "
            f"{first:.2f} .. {last:.2f} {r.get('abscissa', 'binding energy (eV)')}{extra}"
        )
    if json_out is not None:
        write_json(json_out, {"file": str(file), "blocks": rows})


@app.command("cu2p")
def xps_cu2p(
    file: Annotated[
        Path, typer.Argument(help="Cu 2p spectrum: VAMAS block or CSV (binding_energy_eV,counts).")
    ],
    background: Annotated[
        Literal["auto", "shirley", "tougaard", "linear"],
        typer.Option(
            "--background", help="auto = the better-fitting of refined Shirley and Tougaard."
        ),
    ] = "auto",
    static_background: Annotated[
        bool,
        typer.Option(
            "--static-background",
            help="Compute the background from the data before the fit instead of "
            "refining it within the fit.",
        ),
    ] = False,
    ratio: Annotated[
        float,
        typer.Option(
            "--satellite-ratio",
            help="Satellite/main 2p3/2 area ratio of the pure Cu(II) reference.",
        ),
    ] = 0.55,
    use_2p12: Annotated[
        bool, typer.Option("--use-2p12", help="Add the 2p1/2 lines to the Biesinger sums.")
    ] = False,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Residual-bootstrap refits for errors.")
    ] = 0,
    block: BlockOpt = None,
    kinetic: KineticOpt = False,
    photon_energy: PhotonOpt = None,
    c1s_eV: C1sOpt = None,
    c1s_block: C1sBlockOpt = None,
    reference_eV: RefOpt = 284.8,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Cu(I)/Cu(II) fit of Cu 2p and the Cu(II) fraction (Biesinger satellite method)."""
    from dataclasses import replace

    from qdcat.xps.cu2p import fit_cu2p
    from qdcat.xps.plots import plot_cu2p

    plot_format(plot_out)
    spectrum = _load(file, block, kinetic, photon_energy, region="Cu2p")
    spectrum, corr = _calibrate(spectrum, file, c1s_eV, c1s_block, reference_eV)
    result = fit_cu2p(
        spectrum,
        background=background,
        refine_background=not static_background,
        satellite_main_ratio=ratio,
        use_2p12=use_2p12,
        n_bootstrap=bootstrap,
    )
    if corr is not None:
        md = dict(result.metadata)
        md["charge_shift_eV"] = corr.shift_eV
        md["c1s_measured_eV"] = corr.measured_eV
        result = replace(result, metadata=md)
    emit(result, json_out, plot_out, lambda: plot_cu2p(result, title=spectrum.label))


def _parse_peaks(peaks: list[str], doublets: list[str], shape: str):
    from qdcat.core.errors import InputError
    from qdcat.xps.peakfit import Peak, doublet

    out = []
    for spec in peaks:
        parts = spec.split(":")
        try:
            name, center = parts[0], float(parts[1])
            fwhm = float(parts[2]) if len(parts) > 2 and parts[2] else 1.5
        except (IndexError, ValueError) as exc:
            raise InputError(
                "bad --peak", field="--peak", expected="NAME:CENTER[:FWHM]", found=spec
            ) from exc
        out.append(Peak(name, center, fwhm, shape, _shape_params(shape)))
    for spec in doublets:
        parts = spec.split(":")
        try:
            name, center, split = parts[0], float(parts[1]), float(parts[2])
            ratio = float(parts[3]) if len(parts) > 3 and parts[3] else 0.5
            fwhm = float(parts[4]) if len(parts) > 4 and parts[4] else 1.5
        except (IndexError, ValueError) as exc:
            raise InputError(
                "bad --doublet",
                field="--doublet",
                expected="NAME:CENTER:SPLITTING[:AREA_RATIO[:FWHM]]",
                found=spec,
            ) from exc
        out.extend(
            doublet(
                name,
                center,
                split,
                fwhm,
                shape=shape,
                shape_params=_shape_params(shape),
                area_ratio=ratio,
                labels=("a", "b"),
            )
        )
    return out


def _shape_params(shape: str) -> dict[str, float]:
    return {"p": 30.0} if shape in ("gl", "sgl") else {}


@app.command("fit")
def xps_fit(
    file: Annotated[Path, typer.Argument(help="Spectrum: VAMAS block or CSV.")],
    peak: Annotated[
        list[str] | None,
        typer.Option("--peak", help="NAME:CENTER[:FWHM] (eV); repeat for more peaks."),
    ] = None,
    doublet_spec: Annotated[
        list[str] | None,
        typer.Option(
            "--doublet",
            help="NAME:CENTER:SPLITTING[:AREA_RATIO[:FWHM]] (eV); the "
            "second line at +SPLITTING with AREA_RATIO of the area.",
        ),
    ] = None,
    casa: Annotated[
        bool, typer.Option("--casa", help="Fit the CasaXPS model stored in the VAMAS block.")
    ] = False,
    shape: Annotated[
        Literal["gl", "sgl", "gaussian", "lorentzian", "voigt", "ds"],
        typer.Option("--shape", help="Line shape of --peak/--doublet components (GL(30)...)."),
    ] = "gl",
    background: Annotated[
        Literal["shirley", "tougaard", "linear", "none"], typer.Option("--background")
    ] = "shirley",
    refine_background: Annotated[
        bool, typer.Option("--refine-background", help="Refine the background in the fit.")
    ] = False,
    window: Annotated[
        tuple[float, float] | None, typer.Option("--window-eV", help="Fit window (eV).")
    ] = None,
    block: BlockOpt = None,
    kinetic: KineticOpt = False,
    photon_energy: PhotonOpt = None,
    c1s_eV: C1sOpt = None,
    c1s_block: C1sBlockOpt = None,
    reference_eV: RefOpt = 284.8,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Fit peaks or doublets (or the file's own CasaXPS model) with a background."""
    from qdcat.core.errors import InputError
    from qdcat.xps.peakfit import PeakModel, fit_peaks
    from qdcat.xps.plots import plot_peak_fit

    plot_format(plot_out)
    spectrum = _load(file, block, kinetic, photon_energy)
    spectrum, _ = _calibrate(spectrum, file, c1s_eV, c1s_block, reference_eV)
    if casa:
        from qdcat.xps.casa import fit_casa

        result = fit_casa(spectrum).to_result(
            "xps_fit", {"source_file": str(file), "model": "CasaXPS components of the file"}
        )
    else:
        peaks = _parse_peaks(peak or [], doublet_spec or [], shape)
        if not peaks:
            raise InputError(
                "no peaks to fit",
                field="--peak",
                expected="--peak NAME:CENTER, --doublet ... or --casa",
                found=None,
                has_found=False,
            )
        s = spectrum.window(*window) if window else spectrum
        fit = fit_peaks(
            s.binding_energy_eV,
            s.counts,
            PeakModel(tuple(peaks)),
            background=background,
            refine_background=refine_background,
        )
        result = fit.to_result("xps_fit", {"source_file": str(file)})
    emit(result, json_out, plot_out, lambda: plot_peak_fit(result, title=spectrum.label))
