"""``qdcat performance ...``: controls, AQY spectrum, benchmark and the paper's cross-checks.

(The main command, ``qdcat perf RUN.toml``, is top-level: :mod:`qdcat.cli.perf`.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, emit, plot_format

TOPIC = "performance"
app = typer.Typer(
    help="Photocatalysis performance: controls, AQY vs wavelength, benchmark, paper cross-checks.",
    no_args_is_help=True,
)


@app.command("controls")
def performance_controls(
    run_file: Annotated[Path, typer.Argument(help="Run file (TOML) with [[controls]] tables.")],
    product: Annotated[str, typer.Option("--product", help="Product in the figure.")] = "CO",
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """Control experiments against the main run; exit 1 when a control fails."""
    from qdcat.catalysis.controls import check_controls, plot_controls
    from qdcat.catalysis.run import load_run
    from qdcat.catalysis.yields import analyse_yields
    from qdcat.core.errors import ConfigError

    plot_format(plot_out)
    run = load_run(run_file)
    if not run.controls:
        raise ConfigError(
            "the run file has no [[controls]]",
            file=run_file,
            key_path="controls",
            expected='[[controls]] condition = "dark", CO_umol = ...',
        )
    y = analyse_yields(run.frame)
    amounts = {p: float(y.quantities[f"{p}_amount_umol"].value) for p in y.metadata["products"]}
    result = check_controls(run.controls, amounts, run.final_time_h, file=run.file)
    emit(result, json_out, plot_out, lambda: plot_controls(result, product=product))
    if not result.metadata["all_passed"]:
        raise typer.Exit(1)


@app.command("aqy")
def performance_aqy(
    file: Annotated[
        Path,
        typer.Argument(
            help="Table: wavelength_nm, power_mW_cm2, area_cm2, duration_h, <P>_umol (one row "
            "per monochromatic run)."
        ),
    ],
    product: Annotated[str, typer.Option("--product", help="Product (CO, H2, CH4...).")] = "CO",
    absorbance: Annotated[
        Path | None,
        typer.Option("--absorbance", help="Absorbance spectrum to draw under the AQY points."),
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """AQY at every wavelength (Fig. S14), optionally over the absorption spectrum."""
    from qdcat.catalysis.performance import aqy_spectrum, plot_aqy_spectrum
    from qdcat.io import read_frame
    from qdcat.pipeline.analyses.band_gap import load_spectrum

    plot_format(plot_out)
    frame = read_frame(file)
    frame.attrs["source_file"] = str(file)
    result = aqy_spectrum(frame, product=product)
    spectrum = None if absorbance is None else load_spectrum(absorbance)
    emit(result, json_out, plot_out, lambda: plot_aqy_spectrum(result, spectrum))


@app.command("benchmark")
def performance_benchmark(
    run_files: Annotated[
        list[Path] | None, typer.Argument(help="Run files whose samples are placed in the plot.")
    ] = None,
    json_out: JsonOpt = None,
    plot_out: PlotOpt = None,
) -> None:
    """The curated CO2-to-CO benchmark (DOI on every row) with your samples (Fig. 5h)."""
    from qdcat.catalysis.benchmark import load_benchmark, plot_benchmark, sample_row
    from qdcat.catalysis.performance import analyse_run
    from qdcat.catalysis.run import load_run
    from qdcat.core.atomic import atomic_write_bytes
    from qdcat.core.results import write_json

    fmt = plot_format(plot_out)
    table = load_benchmark()
    results = {}
    for f in run_files or []:
        r = analyse_run(load_run(f))
        results[str(r.metadata["sample"])] = r
    for _, row in table.iterrows():
        rate = row["rate_umol_g_h"]
        sel = row["selectivity_CO"]
        typer.echo(
            f"{row['catalyst'][:44]:44s} {'' if rate != rate else f'{rate:.4g} umol g-1 h-1':>20s}"
            f" {'' if sel != sel else f'sel {sel:.2f}':>9s}  doi:{row['doi']}"
        )
    samples = [sample_row(r, name=n) for n, r in results.items()]
    for s in samples:
        typer.echo(f"{s['catalyst'][:44]:44s} {s['rate_umol_g_h']:.4g} umol g-1 h-1 (this work)")
    if plot_out is not None:
        import io

        buf = io.BytesIO()
        plot_benchmark(results).savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        atomic_write_bytes(plot_out, buf.getvalue())
    if json_out is not None:
        rows = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        write_json(json_out, {"benchmark": rows, "samples": samples})


@app.command("paper-check")
def performance_paper_check(json_out: JsonOpt = None) -> None:
    """Reproduce the seed paper's implied numbers (mass, molar mass per dot, surface Cu)."""
    from qdcat.catalysis.performance import paper_cross_checks

    emit(paper_cross_checks(), json_out, None, None)
