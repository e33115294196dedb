"""``qdcat kv ...``: Kroger-Vink defect notation and defect-reaction balances."""

from __future__ import annotations

from typing import Annotated

import typer

from qdcat.cli.common import JsonOpt

TOPIC = "kv"
app = typer.Typer(
    help="Kroger-Vink notation: parse defects, check defect reactions, defect populations.",
    no_args_is_help=True,
)


@app.command("check")
def kv_check(
    reaction: Annotated[
        str, typer.Argument(help='Reaction, e.g. "null + Cu_Cu -> V_Cu\' + Cu_Cu*".')
    ],
    compound: Annotated[
        str, typer.Option("--compound", help="Host formula giving the site ratio.")
    ] = "CuInS2",
    sites: Annotated[
        str,
        typer.Option(
            "--sites",
            help="Site rule: 'bulk' (sites only in the compound's ratio) or 'surface' "
            "(sites of one sublattice may be created or removed: surfaces, growth).",
        ),
    ] = "bulk",
    json_out: JsonOpt = None,
) -> None:
    """Check site (per sublattice, in the compound's ratio), mass and charge balance.

    Exit code 0 whether or not the reaction is balanced; 2 if it does not parse.
    """
    from qdcat.core.results import write_json
    from qdcat.defects.reactions import check_reaction

    result = check_reaction(reaction, compound, sites=sites)
    typer.echo(f"{result.reaction}  [{compound}, {sites} site rule]")
    typer.echo(f"{'balanced':32s} {str(result.balanced).lower()}")
    for name, ok in (
        ("site", result.site_balanced),
        ("mass", result.mass_balanced),
        ("charge", result.charge_balanced),
    ):
        typer.echo(f"{name + ' balance':32s} {'ok' if ok else 'FAILS'}")
    for text in (*result.failures, *result.notes):
        typer.echo(text)
    if result.failing == ("site",):
        typer.echo(
            "mass and charge balance: the reaction is valid at a surface or during growth, "
            "where sites may be created without their partners (--sites surface)"
        )
    if json_out is not None:
        write_json(json_out, result.to_dict())


@app.command("parse")
def kv_parse(
    defect: Annotated[str, typer.Argument(help="A defect symbol, e.g. \"Cu_In''\".")],
    json_out: JsonOpt = None,
) -> None:
    """Parse one Kroger-Vink symbol: kind, site, effective charge, ASCII and Unicode forms."""
    from qdcat.core.results import write_json
    from qdcat.defects.kroger_vink import parse_defect

    d = parse_defect(defect)
    out = {
        "species": d.species,
        "site": d.site,
        "charge_e": d.charge,
        "kind": d.kind,
        "ascii": d.format("ascii"),
        "unicode": d.format("unicode"),
    }
    for k, v in out.items():
        typer.echo(f"{k:12s} {v}")
    if json_out is not None:
        write_json(json_out, out)


@app.command("population")
def kv_population(
    cu_in: Annotated[float, typer.Option("--cu-in", help="Atomic Cu/In (0-1].")],
    zn_fraction: Annotated[float, typer.Option("--zn-fraction", help="Zn/(Zn+Cu+In).")] = 0.0,
    sites: Annotated[
        float, typer.Option("--sites", help="Cation sites per dot (both sublattices).")
    ] = 286.0,
    hole_fraction: Annotated[
        float | None,
        typer.Option("--hole-fraction", help="Share of V_Cu' charge compensated by Cu2+."),
    ] = None,
    json_out: JsonOpt = None,
) -> None:
    """Expected defects per dot from the composition (qdcat.defects.population model)."""
    from qdcat.core.results import write_json
    from qdcat.defects.population import (
        DEFAULT_HOLE_FRACTION,
        XPS_CU2_FRACTION_2_12,
        expected_population,
    )

    h = DEFAULT_HOLE_FRACTION if hole_fraction is None else hole_fraction
    pop = expected_population(cu_in, zn_fraction, sites, hole_fraction=h)
    out = {
        "defects": pop.defects,
        "n_cu": pop.n_cu,
        "n_in": pop.n_in,
        "n_zn": pop.n_zn,
        "n_s": pop.n_s,
        "cu2_fraction": pop.cu2_fraction,
        "cu2_fraction_xps_2_12": XPS_CU2_FRACTION_2_12,
        "vacancy_site_fraction": pop.vacancy_site_fraction,
        "defect_type": pop.defect_type,
        "hole_fraction": h,
    }
    for k, v in out.items():
        if isinstance(v, dict):
            v = ", ".join(f"{kk} {vv:.3g}" for kk, vv in v.items())
        elif isinstance(v, float):
            v = f"{v:.4g}"
        typer.echo(f"{k:24s} {v}")
    if json_out is not None:
        write_json(json_out, out)
