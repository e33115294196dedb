"""Reader for ISO 14976 VAMAS files (``.vms``, ``.npl``), with CasaXPS processing records.

The VAMAS surface-analysis transfer format (Dench, Hazell, Seah et al., Surf. Interface Anal.
1988, 13, 63, doi:10.1002/sia.740130202; ISO 14976) is line-oriented text: an experiment header,
then blocks (one spectrum each), then ``end of experiment``. This parser follows the standard's
field order, including the fields that depend on the experiment mode (``NORM``, ``SDP``,
``MAP``, ...) and on the technique (``AES diff``, ``SIMS``, ...), and is tolerant where
instruments deviate from it:

* blank lines before the first line (Kratos exports; the ``vamas`` package fails on them) and
  ``\\r\\n`` line ends are accepted; blank *fields* (an empty species label) are kept as blanks;
* ``REGULAR`` blocks build the abscissa from start and increment (which may be negative);
  ``IRREGULAR`` blocks carry the abscissa as the first corresponding variable (as CasaXPS and
  SpecsLab Prodigy write it);
* ordinate values may be one per line (the standard) or several per line;
* a missing ``end of experiment`` line is accepted when every block is complete.

CasaXPS stores its processing in the block comment (``Casa Info Follows``): energy calibrations
(``Calib M = ... A = ... BE ADD``), quantification regions (``CASA region``) and fit components
(``CASA comp``). They are parsed into :class:`CasaInfo` (energies as written, i.e. on the
block's abscissa scale, which for CasaXPS is kinetic energy) so that a fit made in CasaXPS can
be reproduced.

Parameter inclusion/exclusion lists (a header entry count other than 0) and the ``MAPPING`` scan
mode are refused with a clear error rather than misread.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qdcat.core.errors import InputError

__all__ = [
    "CasaCalibration",
    "CasaComponent",
    "CasaInfo",
    "CasaRegion",
    "VamasBlock",
    "VamasFile",
    "describe_block",
    "parse_casa_comments",
    "read_vamas",
]

MAGIC = "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4"

#: VAMAS "unknown" value.
_UNKNOWN = 1e37

_SPUTTER_TECHNIQUES = {
    "FABMS",
    "FABMS energy spec",
    "ISS",
    "SIMS",
    "SIMS energy spec",
    "SNMS",
    "SNMS energy spec",
}
_SPUTTER_SOURCE_TECHNIQUES = {"AES diff", "AES dir", "EDX", "ELS", "UPS", "XPS", "XRF"}


# ------------------------------------------------------------------------------------------
# CasaXPS records
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CasaCalibration:
    """One CasaXPS energy calibration ``Calib M = measured A = aligned BE ADD``.

    ``shift_eV`` = aligned - measured, to be added to the ``energy_type`` scale (``'BE'``).
    """

    measured_eV: float
    aligned_eV: float
    energy_type: str
    operation: str
    line: str

    @property
    def shift_eV(self) -> float:
        return self.aligned_eV - self.measured_eV


@dataclass(frozen=True)
class CasaRegion:
    """A CasaXPS quantification region (energies on the block's abscissa scale).

    ``cross_section`` holds the four background parameters CasaXPS writes (for Tougaard
    backgrounds B, C, D and a fourth value; zeros otherwise).
    """

    name: str
    background: str
    start: float
    end: float
    rsf: float
    average_width: float
    start_offset_pct: float
    end_offset_pct: float
    cross_section: tuple[float, ...]
    tag: str
    line: str


@dataclass(frozen=True)
class CasaParameter:
    """A fitted CasaXPS component parameter: value, bounds, and the link to another component.

    ``link`` is the index of the component this parameter is tied to (-1: not tied) and
    ``link_factor`` the factor (area, width) or offset (position) of the tie.
    """

    value: float
    lower: float
    upper: float
    link: int
    link_factor: float


@dataclass(frozen=True)
class CasaComponent:
    """A CasaXPS fit component (energies on the block's abscissa scale)."""

    name: str
    lineshape: str
    area: CasaParameter
    fwhm: CasaParameter
    position: CasaParameter
    rsf: float
    tag: str
    line: str

    @property
    def lineshape_name(self) -> str:
        """Line-shape family: ``'GL'``, ``'SGL'``, ``'LA'``, ``'LF'``, ``'DS'``, ..."""
        m = re.match(r"\s*([A-Za-z]+)", self.lineshape)
        return m.group(1).upper() if m else ""

    @property
    def lineshape_args(self) -> tuple[float, ...]:
        """Numbers inside the line-shape brackets, e.g. ``SGL(30)`` -> ``(30.0,)``."""
        m = re.search(r"\(([^)]*)\)", self.lineshape)
        if not m or not m.group(1).strip():
            return ()
        try:
            return tuple(float(v) for v in m.group(1).split(","))
        except ValueError:
            return ()


@dataclass(frozen=True)
class CasaInfo:
    """CasaXPS processing found in a block comment."""

    calibrations: tuple[CasaCalibration, ...] = ()
    regions: tuple[CasaRegion, ...] = ()
    components: tuple[CasaComponent, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.calibrations or self.regions or self.components)


_TOKEN = re.compile(r"\(\*.*?\*\)|\S+")


def _tokens(line: str) -> list[str]:
    return [t[2:-2] if t.startswith("(*") else t for t in _TOKEN.findall(line)]


def _casa_param(tokens: list[str], key: str) -> CasaParameter:
    i = tokens.index(key)
    vals = tokens[i + 1 : i + 6]
    return CasaParameter(
        float(vals[0]), float(vals[1]), float(vals[2]), int(float(vals[3])), float(vals[4])
    )


def parse_casa_comments(lines: Sequence[str], *, file: str | None = None) -> CasaInfo:
    """CasaXPS calibrations, regions and components from the lines of a block comment.

    Unparseable CasaXPS lines raise :class:`InputError` naming the record; other comment lines
    are ignored.
    """
    calibrations: list[CasaCalibration] = []
    regions: list[CasaRegion] = []
    components: list[CasaComponent] = []
    for raw in lines:
        line = raw.strip()
        try:
            if line.startswith("Calib ") and " M = " in line and " A = " in line:
                t = line.split()
                m, a = t.index("M"), t.index("A")
                measured = float(t[m + 2].split(",")[0])
                rest = t[a + 3 :]
                calibrations.append(
                    CasaCalibration(
                        measured_eV=measured,
                        aligned_eV=float(t[a + 2]),
                        energy_type=rest[0] if rest else "BE",
                        operation=rest[1] if len(rest) > 1 else "ADD",
                        line=line,
                    )
                )
            elif line.startswith("CASA region"):
                t = _tokens(line)
                regions.append(
                    CasaRegion(
                        name=t[2],
                        background=t[3],
                        start=float(t[4]),
                        end=float(t[5]),
                        rsf=float(t[6]),
                        average_width=float(t[7]),
                        start_offset_pct=float(t[8]),
                        end_offset_pct=float(t[9]),
                        cross_section=tuple(float(v) for v in t[10:14]),
                        tag=t[14] if len(t) > 14 else "",
                        line=line,
                    )
                )
            elif line.startswith("CASA comp"):
                t = _tokens(line)
                rsf = float(t[t.index("RSF") + 1]) if "RSF" in t else float("nan")
                tag = t[t.index("INDEX") + 2] if "INDEX" in t else ""
                components.append(
                    CasaComponent(
                        name=t[2],
                        lineshape=t[3],
                        area=_casa_param(t, "Area"),
                        fwhm=_casa_param(t, "MFWHM"),
                        position=_casa_param(t, "Position"),
                        rsf=rsf,
                        tag=tag,
                        line=line,
                    )
                )
        except (ValueError, IndexError) as exc:
            raise InputError(
                f"cannot parse CasaXPS record: {exc}",
                file=file,
                field="block comment",
                expected="'CASA region ...', 'CASA comp ...' or 'Calib M = ... A = ...'",
                found=line,
            ) from exc
    return CasaInfo(tuple(calibrations), tuple(regions), tuple(components))


# ------------------------------------------------------------------------------------------
# VAMAS data model
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VamasBlock:
    """One VAMAS block (one spectrum).

    ``abscissa`` is in the file's order and units (``abscissa_label``, ``abscissa_unit``);
    ``variables`` maps each corresponding-variable label to its values (the abscissa of an
    irregular block is not repeated there). ``line`` is the 1-based line of the block id.
    """

    block_id: str
    sample_id: str
    technique: str
    species: str
    transition: str
    abscissa_label: str
    abscissa_unit: str
    abscissa: np.ndarray
    variables: dict[str, np.ndarray]
    variable_units: dict[str, str]
    source_label: str
    source_energy_eV: float | None
    analyser_mode: str
    pass_energy_eV: float | None
    work_function_eV: float | None
    signal_mode: str
    collection_time_s: float | None
    n_scans: int | None
    comment: tuple[str, ...]
    experimental_variables: dict[str, float]
    additional_parameters: dict[str, tuple[str, float]]
    date: _dt.datetime | None
    regular: bool
    line: int
    casa: CasaInfo = field(default_factory=CasaInfo)
    declared_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Minimum and maximum of each corresponding variable as the file states them (CasaXPS
    writes placeholders 0 and 1)."""

    @property
    def name(self) -> str:
        """``'block id / sample id'`` (or the one that is set)."""
        parts = [p for p in (self.block_id.strip(), self.sample_id.strip()) if p]
        return " / ".join(parts) or f"block at line {self.line}"

    @property
    def counts(self) -> np.ndarray:
        """The first corresponding variable (the measured signal)."""
        return next(iter(self.variables.values()))

    @property
    def is_kinetic(self) -> bool:
        return "kinetic" in self.abscissa_label.lower()

    @property
    def is_binding(self) -> bool:
        return "binding" in self.abscissa_label.lower()

    def binding_energy_eV(self, photon_energy_eV: float | None = None) -> np.ndarray:
        """Binding energy of each point, eV: ``hv - KE`` for kinetic-energy blocks.

        The kinetic energies of VAMAS files are referred to the Fermi level (the analyser work
        function is already applied by the instrument), so no work function is subtracted;
        ``photon_energy_eV`` overrides the block's source energy.
        """
        if self.is_binding:
            return np.asarray(self.abscissa, dtype=float)
        if not self.is_kinetic:
            raise InputError(
                "the abscissa is neither kinetic nor binding energy",
                field=f"block {self.name!r}: abscissa label",
                expected="'Kinetic Energy' or 'Binding Energy'",
                found=self.abscissa_label,
            )
        hv = photon_energy_eV if photon_energy_eV is not None else self.source_energy_eV
        if hv is None:
            raise InputError(
                "no photon energy to convert kinetic to binding energy",
                field=f"block {self.name!r}: analysis source characteristic energy",
                expected="a source energy in the file or photon_energy_eV",
                found="unknown (1e37)",
            )
        return hv - np.asarray(self.abscissa, dtype=float)

    def casa_to_binding(self, value: float, photon_energy_eV: float | None = None) -> float:
        """A CasaXPS region/component energy of this block on the binding-energy scale."""
        if self.is_binding:
            return float(value)
        hv = photon_energy_eV if photon_energy_eV is not None else self.source_energy_eV
        if hv is None:
            raise InputError(
                "no photon energy to convert CasaXPS energies",
                field=f"block {self.name!r}",
                expected="a source energy",
                found=None,
                has_found=False,
            )
        return float(hv - value)


@dataclass(frozen=True)
class VamasFile:
    """A parsed VAMAS file: experiment header fields and the blocks."""

    path: str
    institution: str
    instrument: str
    operator: str
    experiment: str
    comment: tuple[str, ...]
    experiment_mode: str
    scan_mode: str
    experimental_variables: tuple[tuple[str, str], ...]
    blocks: tuple[VamasBlock, ...]

    def block(self, key: int | str) -> VamasBlock:
        """Block by 0-based index or by (case-insensitive) block id, sample id or species."""
        if isinstance(key, int) or (isinstance(key, str) and key.strip().lstrip("-").isdigit()):
            i = int(key)
            if not -len(self.blocks) <= i < len(self.blocks):
                raise InputError(
                    "no such block",
                    file=self.path,
                    field="block",
                    expected=f"an index 0..{len(self.blocks) - 1}",
                    found=i,
                )
            return self.blocks[i]
        k = str(key).strip().lower()
        for b in self.blocks:
            names = {b.block_id.strip().lower(), b.sample_id.strip().lower(), b.name.lower()}
            names.add(f"{b.species} {b.transition}".strip().lower())
            if k in names:
                return b
        raise InputError(
            "no block with this name",
            file=self.path,
            field="block",
            expected="one of " + ", ".join(repr(b.name) for b in self.blocks),
            found=key,
        )


# ------------------------------------------------------------------------------------------
# Parser
# ------------------------------------------------------------------------------------------


class _Cursor:
    def __init__(self, path: Path, lines: list[str], start: int) -> None:
        self.path = path
        self.lines = lines
        self.i = start

    def _fail(self, field_name: str, expected: str, found: object, message: str | None = None):
        raise InputError(
            message or "unexpected value",
            file=self.path,
            line=min(self.i + 1, len(self.lines)),
            field=field_name,
            expected=expected,
            found=found,
        )

    def text(self, field_name: str) -> str:
        if self.i >= len(self.lines):
            raise InputError(
                "file ends early",
                file=self.path,
                line=len(self.lines),
                field=field_name,
                expected=f"a line with the {field_name}",
                found="end of file",
            )
        s = self.lines[self.i].rstrip()
        self.i += 1
        return s

    def integer(self, field_name: str) -> int:
        s = self.text(field_name).strip()
        try:
            return int(s)
        except ValueError:
            try:
                v = float(s)
            except ValueError:
                v = None
            if v is not None and v.is_integer():
                return int(v)
            self.i -= 1
            self._fail(field_name, "an integer", s)
            raise  # pragma: no cover

    def number(self, field_name: str) -> float:
        s = self.text(field_name).strip()
        try:
            return float(s.replace("D", "E").replace("d", "e"))
        except ValueError:
            self.i -= 1
            self._fail(field_name, "a number", s)
            raise  # pragma: no cover

    def values(self, n: int, field_name: str) -> np.ndarray:
        """``n`` numbers, one per line (fast path) or several per line."""
        start = self.i
        chunk = self.lines[start : start + n]
        if len(chunk) == n:
            try:
                arr = np.array([s.strip() for s in chunk], dtype=float)
            except ValueError:
                arr = None
            if arr is not None:
                self.i += n
                return arr
        out: list[float] = []
        while len(out) < n:
            if self.i >= len(self.lines):
                raise InputError(
                    f"file ends after {len(out)} of {n} ordinate values",
                    file=self.path,
                    line=len(self.lines),
                    field=field_name,
                    expected=f"{n} values",
                    found=len(out),
                )
            parts = self.lines[self.i].split()
            for p in parts:
                try:
                    out.append(float(p))
                except ValueError:
                    self._fail(field_name, "a number", p, "ordinate value is not a number")
            self.i += 1
        if len(out) != n:
            self.i -= 1
            self._fail(field_name, f"{n} values", len(out), "too many values on the last line")
        return np.asarray(out, dtype=float)


def _known(v: float) -> float | None:
    return None if abs(v) >= 0.99 * _UNKNOWN else v


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("file not found", file=path, expected="an existing file") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", file=path, expected="a VAMAS file") from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=path) from exc
    for enc in ("utf-8-sig", "latin-1"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_vamas(path: str | os.PathLike[str]) -> VamasFile:
    """Read a VAMAS file.

    Parameters
    ----------
    path:
        The ``.vms``/``.npl`` file.

    Returns
    -------
    VamasFile
        Header fields and :class:`VamasBlock` objects (abscissa, corresponding variables, source
        energy in eV, CasaXPS records).

    Raises
    ------
    InputError
        Not a VAMAS file, a field that is not what the standard puts there (the message gives
        the line and the field), a file that ends inside a block, an unsupported feature
        (parameter inclusion lists, ``MAPPING`` scans).
    """
    p = Path(path)
    lines = _read_lines(p)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != MAGIC:
        raise InputError(
            "not a VAMAS file",
            file=p,
            line=start + 1 if start < len(lines) else None,
            field="format identifier",
            expected=repr(MAGIC),
            found=lines[start].strip() if start < len(lines) else "empty file",
        )
    c = _Cursor(p, lines, start + 1)
    institution = c.text("institution identifier")
    instrument = c.text("instrument model identifier")
    operator = c.text("operator identifier")
    experiment = c.text("experiment identifier")
    n_comment = c.integer("number of lines in comment")
    comment = tuple(c.text("comment line") for _ in range(n_comment))
    exp_mode = c.text("experiment mode").strip()
    scan_mode = c.text("scan mode").strip()
    if scan_mode not in ("REGULAR", "IRREGULAR"):
        c.i -= 1
        c._fail(
            "scan mode",
            "REGULAR or IRREGULAR (MAPPING is not supported)",
            scan_mode,
            "unsupported scan mode",
        )
    if exp_mode in ("MAP", "MAPDP", "NORM", "SDP"):
        c.integer("number of spectral regions")
    if exp_mode in ("MAP", "MAPDP"):
        c.integer("number of analysis positions")
        c.integer("number of discrete x coordinates")
        c.integer("number of discrete y coordinates")
    n_expvar = c.integer("number of experimental variables")
    expvars = tuple(
        (c.text("experimental variable label"), c.text("experimental variable unit"))
        for _ in range(n_expvar)
    )
    n_incl = c.integer("number of entries in parameter inclusion or exclusion list")
    if n_incl != 0:
        c.i -= 1
        c._fail(
            "parameter inclusion list",
            "0 entries (every block complete)",
            n_incl,
            "parameter inclusion/exclusion lists are not supported",
        )
    n_manual = c.integer("number of manually entered items in block")
    for _ in range(abs(n_manual)):
        c.text("manually entered item")
    n_future_exp = c.integer("number of future upgrade experiment entries")
    n_future_block = c.integer("number of future upgrade block entries")
    for _ in range(n_future_exp):
        c.text("future upgrade experiment entry")
    n_blocks = c.integer("number of blocks")
    blocks = [_read_block(c, exp_mode, scan_mode, expvars, n_future_block) for _ in range(n_blocks)]
    # Optional terminator; anything else after the blocks is tolerated only if blank.
    rest = [s.strip() for s in lines[c.i :] if s.strip()]
    if rest and rest[0].lower() != "end of experiment":
        raise InputError(
            "unexpected text after the last block",
            file=p,
            line=c.i + 1 + next(i for i, s in enumerate(lines[c.i :]) if s.strip()),
            field="end of experiment",
            expected="'end of experiment'",
            found=rest[0],
        )
    return VamasFile(
        path=str(p),
        institution=institution,
        instrument=instrument,
        operator=operator,
        experiment=experiment,
        comment=comment,
        experiment_mode=exp_mode,
        scan_mode=scan_mode,
        experimental_variables=expvars,
        blocks=tuple(blocks),
    )


def _read_block(
    c: _Cursor,
    exp_mode: str,
    scan_mode: str,
    expvars: tuple[tuple[str, str], ...],
    n_future_block: int,
) -> VamasBlock:
    line0 = c.i + 1
    block_id = c.text("block identifier")
    sample_id = c.text("sample identifier")
    date_fields = [c.integer(f) for f in ("year", "month", "day", "hours", "minutes", "seconds")]
    c.integer("number of hours in advance of Greenwich Mean Time")
    try:
        date: _dt.datetime | None = _dt.datetime(*date_fields)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        date = None
    n_comment = c.integer("number of lines in block comment")
    comment = tuple(c.text("block comment line") for _ in range(n_comment))
    technique = c.text("technique").strip()
    if exp_mode in ("MAP", "MAPDP"):
        c.number("x coordinate")
        c.number("y coordinate")
    exp_values = {label: c.number(f"experimental variable {label!r}") for label, _ in expvars}
    source_label = c.text("analysis source label").strip()
    if exp_mode in ("MAPDP", "MAPSVDP", "SDP", "SDPSV") or technique in _SPUTTER_TECHNIQUES:
        c.text("sputtering ion atomic number")
        c.text("number of atoms in sputtering ion")
        c.text("sputtering ion charge")
    source_energy = _known(c.number("analysis source characteristic energy"))
    c.number("analysis source strength")
    c.number("analysis source beam width x")
    c.number("analysis source beam width y")
    if exp_mode in ("MAP", "MAPDP", "MAPSV", "MAPSVDP", "SEM"):
        c.number("field of view x")
        c.number("field of view y")
    if exp_mode in ("MAPSV", "MAPSVDP", "SEM"):
        for f in ("first linescan start x", "start y", "finish x", "finish y"):
            c.number(f)
        c.number("last linescan finish x")
        c.number("last linescan finish y")
    c.number("analysis source polar angle of incidence")
    c.number("analysis source azimuth")
    analyser_mode = c.text("analyser mode").strip()
    pass_energy = _known(c.number("analyser pass energy or retard ratio or mass resolution"))
    if technique == "AES diff":
        c.number("differential width")
    c.number("magnification of analyser transfer lens")
    work_function = _known(c.number("analyser work function or acceptance energy"))
    c.number("target bias")
    c.number("analysis width x")
    c.number("analysis width y")
    c.number("analyser axis take off polar angle")
    c.number("analyser axis take off azimuth")
    species = c.text("species label").strip()
    transition = c.text("transition or charge state label").strip()
    c.text("charge of detected particle")
    regular = scan_mode == "REGULAR"
    if regular:
        abs_label = c.text("abscissa label").strip()
        abs_unit = c.text("abscissa units").strip()
        abs_start = c.number("abscissa start")
        abs_step = c.number("abscissa increment")
    n_var = c.integer("number of corresponding variables")
    if n_var < 1 or (not regular and n_var < 2):
        c.i -= 1
        c._fail(
            "number of corresponding variables",
            "at least 1 (2 for IRREGULAR: the abscissa and the signal)",
            n_var,
        )
    var_meta = [
        (c.text("corresponding variable label").strip(), c.text("corresponding variable unit"))
        for _ in range(n_var)
    ]
    signal_mode = c.text("signal mode").strip()
    collection_time = _known(c.number("signal collection time"))
    n_scans = c.integer("number of scans to compile this block")
    c.number("signal time correction")
    if exp_mode in ("MAPDP", "MAPSVDP", "SDP", "SDPSV") and technique in _SPUTTER_SOURCE_TECHNIQUES:
        for f in ("energy", "beam current", "width x", "width y", "polar angle", "azimuth"):
            c.number(f"sputtering source {f}")
        c.text("sputtering mode")
    c.number("sample normal polar angle of tilt")
    c.number("sample normal tilt azimuth")
    c.number("sample rotation angle")
    n_add = c.integer("number of additional numerical parameters")
    additional: dict[str, tuple[str, float]] = {}
    for _ in range(n_add):
        label = c.text("additional parameter label").strip()
        unit = c.text("additional parameter unit").strip()
        additional[label] = (unit, c.number(f"additional parameter {label!r} value"))
    for _ in range(n_future_block):
        c.text("future upgrade block entry")
    n_values = c.integer("number of ordinate values")
    if n_values % n_var != 0:
        c.i -= 1
        c._fail(
            "number of ordinate values",
            f"a multiple of the {n_var} corresponding variables",
            n_values,
        )
    declared = {
        label: (
            c.number(f"minimum ordinate value of {label!r}"),
            c.number(f"maximum ordinate value of {label!r}"),
        )
        for label, _ in var_meta
    }
    values = c.values(n_values, f"ordinate values of block {block_id!r}")
    table = values.reshape(-1, n_var)
    units = {label: unit.strip() for label, unit in var_meta}
    if regular:
        abscissa = abs_start + abs_step * np.arange(table.shape[0])
        columns = {label: table[:, k] for k, (label, _) in enumerate(var_meta)}
    else:
        abs_label, abs_unit = var_meta[0][0], var_meta[0][1].strip()
        abscissa = table[:, 0].copy()
        columns = {label: table[:, k] for k, (label, _) in enumerate(var_meta) if k > 0}
        units.pop(abs_label, None)
    casa = parse_casa_comments(comment, file=str(c.path)) if comment else CasaInfo()
    return VamasBlock(
        block_id=block_id,
        sample_id=sample_id,
        technique=technique,
        species=species,
        transition=transition,
        abscissa_label=abs_label,
        abscissa_unit=abs_unit,
        abscissa=abscissa,
        variables=columns,
        variable_units=units,
        source_label=source_label,
        source_energy_eV=source_energy,
        analyser_mode=analyser_mode,
        pass_energy_eV=pass_energy,
        work_function_eV=work_function,
        signal_mode=signal_mode,
        collection_time_s=collection_time,
        n_scans=n_scans,
        comment=comment,
        experimental_variables=exp_values,
        additional_parameters=additional,
        date=date,
        regular=regular,
        line=line0,
        casa=casa,
        declared_ranges=declared,
    )


def describe_block(b: VamasBlock) -> dict[str, Any]:
    """Summary of a block for listings (``qdcat xps read``)."""
    x = np.asarray(b.abscissa, dtype=float)
    return {
        "name": b.name,
        "technique": b.technique,
        "species": b.species,
        "transition": b.transition,
        "n_points": int(x.size),
        "abscissa": f"{b.abscissa_label} ({b.abscissa_unit})",
        "first": float(x[0]) if x.size else None,
        "last": float(x[-1]) if x.size else None,
        "regular": b.regular,
        "source_energy_eV": b.source_energy_eV,
        "casa_regions": len(b.casa.regions),
        "casa_components": len(b.casa.components),
    }
