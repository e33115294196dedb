"""``qdcat qd ...``: atomistic models of ZCIS quantum dots (build, count, export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt, PlotOpt, plot_format

TOPIC = "qd"
app = typer.Typer(
    help="Quantum-dot models: Zn-doped, Cu-deficient CuInS2 dots with their defects.",
    no_args_is_help=True,
)


def _orientation(text: str) -> str | tuple[float, float, float]:
    from qdcat.core.errors import InputError

    if text in ("crystal", "apex_up"):
        return text
    parts = text.replace(",", " ").split()
    if len(parts) == 1 and len(parts[0]) == 3 and parts[0].lstrip("-").isdigit():
        parts = list(parts[0])
    try:
        u, v, w = (float(p) for p in parts)
    except ValueError as exc:
        raise InputError(
            "orientation is not 'crystal', 'apex_up' or a direction",
            field="--orientation",
            expected="crystal, apex_up, or u,v,w such as 1,1,4",
            found=text,
        ) from exc
    return (u, v, w)


@app.command("build")
def qd_build(
    shape: Annotated[
        str, typer.Option("--shape", help="pyramid (tetrahedron), sphere or cuboctahedron.")
    ] = "pyramid",
    layers: Annotated[
        int | None, typer.Option("--layers", help="Cation layers (default 6 if no --size-nm).")
    ] = None,
    size_nm: Annotated[
        float | None,
        typer.Option("--size-nm", help="Size instead of layers: pyramid edge / diameter, nm."),
    ] = None,
    cu_in: Annotated[float, typer.Option("--cu-in", help="Target atomic Cu/In (0-1].")] = 1.0,
    zn_fraction: Annotated[
        float, typer.Option("--zn-fraction", help="Target Zn/(Zn+Cu+In).")
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random choice.")] = 0,
    termination: Annotated[
        str, typer.Option("--termination", help="neutral, S-rich or metal-rich.")
    ] = "neutral",
    polarity: Annotated[str, typer.Option("--polarity", help="Pyramid polarity A or B.")] = "A",
    orientation: Annotated[
        str, typer.Option("--orientation", help="crystal, apex_up, or a direction u,v,w.")
    ] = "crystal",
    a: Annotated[
        float | None, typer.Option("--a", help="Measured a (Angstrom); default Vegard.")
    ] = None,
    c: Annotated[
        float | None, typer.Option("--c", help="Measured c (Angstrom); default Vegard.")
    ] = None,
    hole_fraction: Annotated[
        float | None,
        typer.Option("--hole-fraction", help="Share of V_Cu' charge compensated by Cu2+."),
    ] = None,
    json_out: JsonOpt = None,
    xyz_out: Annotated[
        Path | None, typer.Option("--xyz", help="Write the atoms as extended XYZ.")
    ] = None,
    cif_out: Annotated[Path | None, typer.Option("--cif", help="Write the atoms as CIF.")] = None,
    poscar_out: Annotated[
        Path | None, typer.Option("--poscar", help="Write the atoms as VASP POSCAR.")
    ] = None,
    plot_out: PlotOpt = None,
) -> None:
    """Build a dot, place its defects, count surface Cu; print and write the counts."""
    import io

    from qdcat.core.atomic import atomic_write_bytes
    from qdcat.core.errors import OutputError
    from qdcat.core.results import write_json
    from qdcat.defects.population import DEFAULT_HOLE_FRACTION
    from qdcat.structure.export import write_dot
    from qdcat.structure.model import build_dot

    fmt = plot_format(plot_out)
    outputs = (
        ("--json", json_out),
        ("--xyz", xyz_out),
        ("--cif", cif_out),
        ("--poscar", poscar_out),
        ("--plot", plot_out),
    )
    for option, target in outputs:
        if target is not None and not target.resolve().parent.is_dir():
            raise OutputError(f"{option} {target}: folder {target.parent} does not exist")
    dot = build_dot(
        shape,
        layers,
        size_nm=size_nm,
        cu_in=cu_in,
        zn_fraction=zn_fraction,
        termination=termination,
        polarity=polarity,
        orientation=_orientation(orientation),
        seed=seed,
        a_A=a,
        c_A=c,
        hole_fraction=DEFAULT_HOLE_FRACTION if hole_fraction is None else hole_fraction,
    )
    summary = dot.summary()
    figure_bytes = None
    if plot_out is not None:
        from qdcat.structure.picture import plot_dot

        buf = io.BytesIO()
        plot_dot(dot).savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
        figure_bytes = buf.getvalue()
    for key in (
        "n_atoms",
        "n_cu",
        "n_in",
        "n_zn",
        "n_s",
        "n_surface_cu",
        "surface_cu_fraction",
        "molar_mass_g_mol",
        "defect_type",
        "net_charge_e",
    ):
        value = summary[key]
        typer.echo(f"{key:32s} {value:.4g}" if isinstance(value, float) else f"{key:32s} {value}")
    defects = ", ".join(f"{k} {v}" for k, v in summary["defects"].items())
    typer.echo(f"{'defects':32s} {defects}")
    if xyz_out is not None:
        write_dot(dot.atoms, xyz_out, "extxyz")
    if cif_out is not None:
        write_dot(dot.atoms, cif_out, "cif")
    if poscar_out is not None:
        write_dot(dot.atoms, poscar_out, "poscar")
    if json_out is not None:
        write_json(json_out, summary)
    if plot_out is not None and figure_bytes is not None:
        atomic_write_bytes(plot_out, figure_bytes)
