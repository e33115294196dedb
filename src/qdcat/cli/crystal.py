"""``qdcat crystal ...``: d-spacings, interplanar angles, zone axes, lattice-fringe indexing.

Lattice constants are in Angstrom (``--a``, ``--c``; without ``--c`` the cell is cubic),
fringe spacings (``--d``) in nm as HRTEM papers give them. Plane indices are written like
``112``, ``1-10``, ``'1 1 2'`` or ``10,0,2``; a leading minus needs brackets (``'(-110)'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from qdcat.cli.common import JsonOpt

TOPIC = "crystal"
app = typer.Typer(
    help="Crystallography: d-spacings, angles between planes, zone axes, fringe indexing.",
    no_args_is_help=True,
)

_A_OPT = typer.Option("--a", help="Lattice constant a, Angstrom.")
_C_OPT = typer.Option("--c", help="Lattice constant c, Angstrom (omit for a cubic cell).")
_SYSTEM_OPT = typer.Option(
    "--system",
    help="auto (cubic without --c, else tetragonal), cubic, tetragonal or hexagonal.",
)


def _lattice(a: float, c: float | None, system: str) -> Any:
    import math

    from qdcat.core.errors import InputError
    from qdcat.structure.crystallography import Lattice

    for opt, value in (("--a", a), ("--c", c)):
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise InputError(
                "lattice constant must be a positive length in Angstrom",
                field=opt,
                expected="a value > 0 (Angstrom)",
                found=value,
            )
    s = system.lower()
    if s == "auto":
        s = "cubic" if c is None else "tetragonal"
    if s == "cubic":
        return Lattice.cubic(a)
    if c is None:
        raise InputError(
            f"a {s} cell needs c",
            field="--c",
            expected="--c in Angstrom",
            found=None,
            has_found=True,
        )
    if s == "tetragonal":
        return Lattice.tetragonal(a, c)
    if s == "hexagonal":
        return Lattice.hexagonal(a, c)
    raise InputError(
        "unknown crystal system",
        field="--system",
        expected="auto, cubic, tetragonal or hexagonal",
        found=system,
    )


def _planes(values: list[str], option: str = "--planes") -> list[tuple[int, int, int]]:
    from qdcat.core.errors import InputError
    from qdcat.structure.crystallography import parse_indices

    out = [parse_indices(v, option) for v in values]
    for p in out:
        if p == (0, 0, 0):
            raise InputError(
                "(000) is not a lattice plane",
                field=option,
                expected="at least one non-zero index",
                found="000",
            )
    return out


def _structure(text: str, lattice: Any) -> str | None:
    key = text.strip().lower()
    if key == "auto":
        return {"tetragonal": "chalcopyrite", "cubic": "sphalerite"}.get(lattice.system)
    if key in ("none", "primitive", "p"):
        return None
    return text


def _write(doc: dict[str, Any], json_out: Path | None) -> None:
    from qdcat.core.errors import OutputError
    from qdcat.core.results import write_json

    if json_out is not None:
        if not json_out.resolve().parent.is_dir():
            raise OutputError(f"--json {json_out}: folder {json_out.parent} does not exist")
        write_json(json_out, doc)


@app.command("angle")
def crystal_angle(
    planes: Annotated[
        tuple[str, str], typer.Option("--planes", help="Two planes, e.g. --planes 112 220.")
    ],
    a: Annotated[float, _A_OPT],
    c: Annotated[float | None, _C_OPT] = None,
    system: Annotated[str, _SYSTEM_OPT] = "auto",
    json_out: JsonOpt = None,
) -> None:
    """Angle between two lattice planes (their normals), their spacings and common zone axis."""
    from qdcat.core.errors import InputError
    from qdcat.structure.crystallography import (
        d_spacing_A,
        format_indices,
        interplanar_angle_deg,
        zone_axis,
    )

    lattice = _lattice(a, c, system)
    p1, p2 = _planes(list(planes))
    phi = interplanar_angle_deg(lattice, p1, p2)
    try:
        zone: list[int] | None = list(zone_axis(p1, p2))
    except InputError:
        zone = None  # parallel planes
    d1, d2 = float(d_spacing_A(lattice, p1)), float(d_spacing_A(lattice, p2))
    doc = {
        "angle_deg": phi,
        "acute_angle_deg": min(phi, 180.0 - phi),
        "planes": [list(p1), list(p2)],
        "d_A": [d1, d2],
        "d_nm": [d1 / 10, d2 / 10],
        "zone_axis": zone,
        "lattice": lattice.label(),
        "system": lattice.system,
    }
    typer.echo(f"{'angle_deg':32s} {phi:.3f}")
    typer.echo(f"{'d_A':32s} {format_indices(p1)} {d1:.4f}, {format_indices(p2)} {d2:.4f}")
    typer.echo(f"{'zone_axis':32s} {format_indices(zone, '[]') if zone else 'none (parallel)'}")
    _write(doc, json_out)


@app.command(
    "d",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": False},
)
def crystal_d(
    ctx: typer.Context,
    planes: Annotated[
        str, typer.Option("--planes", help="Planes, e.g. --planes 112 220 204 (any number).")
    ],
    a: Annotated[float, _A_OPT],
    c: Annotated[float | None, _C_OPT] = None,
    system: Annotated[str, _SYSTEM_OPT] = "auto",
    structure: Annotated[
        str,
        typer.Option(
            "--structure",
            help="Absences to report: auto (tetragonal -> chalcopyrite, cubic -> sphalerite), "
            "chalcopyrite, sphalerite, a space-group number, or none.",
        ),
    ] = "auto",
    wavelength: Annotated[
        float, typer.Option("--wavelength", help="X-ray wavelength for 2-theta, Angstrom.")
    ] = 1.5405929,
    json_out: JsonOpt = None,
) -> None:
    """Interplanar spacings (and Cu K-alpha Bragg angles) of one or more planes."""
    from qdcat.core.errors import InputError
    from qdcat.structure.crystallography import d_spacing_A, format_indices, reflection_allowed
    from qdcat.xrd.bragg import two_theta_from_d_deg

    extra = [str(x) for x in ctx.args]
    bad = [x for x in extra if x.startswith("--")]
    if bad:
        raise InputError(
            "unexpected option", field="crystal d", expected="--a, --c, --planes ...", found=bad
        )
    lattice = _lattice(a, c, system)
    struct = _structure(structure, lattice)
    hkls = _planes([planes, *extra])
    rows = []
    for p in hkls:
        d = float(d_spacing_A(lattice, p))
        tt = float(two_theta_from_d_deg(d, wavelength))
        allowed = None if struct is None else reflection_allowed(p, struct)
        rows.append(
            {
                "plane": list(p),
                "d_A": d,
                "d_nm": d / 10,
                "two_theta_deg": tt if tt == tt else None,
                "allowed": allowed,
            }
        )
        note = "" if allowed is None or allowed else f"  (absent in {struct})"
        typer.echo(f"{format_indices(p):>12s} d = {d:.4f} A  2theta = {tt:.3f} deg{note}")
    doc = {
        "planes": [r["plane"] for r in rows],
        "d_A": [r["d_A"] for r in rows],
        "d_nm": [r["d_nm"] for r in rows],
        "two_theta_deg": [r["two_theta_deg"] for r in rows],
        "allowed": [r["allowed"] for r in rows],
        "structure": struct,
        "wavelength_A": wavelength,
        "lattice": lattice.label(),
    }
    _write(doc, json_out)


@app.command("index")
def crystal_index(
    d: Annotated[
        tuple[float, float],
        typer.Option("--d", help="Two fringe spacings in nm, e.g. --d 0.315 0.201."),
    ],
    angle: Annotated[float, typer.Option("--angle", help="Angle between the fringes, deg.")],
    a: Annotated[float, _A_OPT],
    c: Annotated[float | None, _C_OPT] = None,
    system: Annotated[str, _SYSTEM_OPT] = "auto",
    structure: Annotated[
        str,
        typer.Option(
            "--structure",
            help="Systematic absences: auto (tetragonal -> chalcopyrite, cubic -> "
            "sphalerite), chalcopyrite, sphalerite, a space-group number, or none.",
        ),
    ] = "auto",
    zone: Annotated[
        str | None,
        typer.Option("--zone", help="A stated zone axis to check, e.g. --zone 114."),
    ] = None,
    hkl: Annotated[
        tuple[str, str] | None,
        typer.Option("--hkl", help="A stated assignment to check, e.g. --hkl 112 220."),
    ] = None,
    d_tol: Annotated[
        float, typer.Option("--d-tol", help="Relative spacing tolerance (0.02 = 2 %).")
    ] = 0.02,
    angle_tol: Annotated[
        float, typer.Option("--angle-tol", help="Angle tolerance, degrees.")
    ] = 2.0,
    n_best: Annotated[int, typer.Option("--max", min=1, help="Candidates to list.")] = 10,
    json_out: JsonOpt = None,
) -> None:
    """Index a pair of crossed lattice fringes: ranked (hkl) pairs, zone axes and misfits.

    The score is the RMS of the three misfits in units of their tolerances (fits: each within
    tolerance). With --hkl (and --zone) a stated assignment is checked as well, finding by
    finding.
    """
    from qdcat.structure.crystallography import (
        check_fringe_assignment,
        index_fringe_pair,
        parse_indices,
    )

    lattice = _lattice(a, c, system)
    struct = _structure(structure, lattice)
    from qdcat.core.errors import InputError

    for value in d:
        if not value > 0:
            raise InputError(
                "fringe spacing must be positive", field="--d", expected="> 0 nm", found=value
            )
    d1_A, d2_A = d[0] * 10.0, d[1] * 10.0
    zone_t = None if zone is None else parse_indices(zone, "--zone")
    if zone_t == (0, 0, 0):
        raise InputError(
            "[000] is not a direction", field="--zone", expected="non-zero", found=zone
        )
    candidates = index_fringe_pair(
        d1_A,
        d2_A,
        angle,
        lattice,
        structure=struct,
        d_tol_rel=d_tol,
        angle_tol_deg=angle_tol,
        claimed_zone=zone_t,
        max_candidates=n_best,
    )
    doc: dict[str, Any] = {
        "d_nm": list(d),
        "angle_deg": angle,
        "lattice": lattice.label(),
        "structure": struct,
        "d_tol_percent": 100 * d_tol,
        "angle_tol_deg": angle_tol,
        "score": "RMS of (d1 misfit/d_tol, d2 misfit/d_tol, angle misfit/angle_tol)",
        "candidates": [cand.to_dict() for cand in candidates],
        "any_fit": any(cand.fits for cand in candidates),
    }
    typer.echo(
        f"{'rank':>4s}  {'planes':18s} {'zone':10s} {'d misfit %':>14s} "
        f"{'angle':>7s} {'score':>6s}  fits"
    )
    for i, cand in enumerate(candidates, 1):
        t = cand.to_dict()
        typer.echo(
            f"{i:4d}  {t['hkl1_text'] + '/' + t['hkl2_text']:18s} {t['zone_text']:10s} "
            f"{cand.d1_misfit_percent:+6.1f} {cand.d2_misfit_percent:+6.1f} "
            f"{cand.angle_calc_deg:7.1f} {cand.score:6.2f}  {'yes' if cand.fits else 'no'}"
        )
    if hkl is not None:
        h1, h2 = _planes(list(hkl), "--hkl")
        check = check_fringe_assignment(
            lattice,
            (d1_A, d2_A),
            (h1, h2),
            angle,
            claimed_zone=zone_t,
            structure=struct,
            d_tol_rel=d_tol,
            angle_tol_deg=angle_tol,
        )
        doc["check"] = check.to_dict()
        for finding in check.findings:
            typer.echo(finding)
    _write(doc, json_out)
