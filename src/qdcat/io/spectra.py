"""Readers for optical spectra: UV-vis absorbance, transmittance, diffuse reflectance and
photoluminescence (emission) spectra, from plain tables and instrument exports.

Every reader returns float64 :class:`xarray.DataArray` objects:

* :func:`read_spectrum` one spectrum, 1-D, dimension ``'wavelength_nm'`` (nm) or
  ``'energy_eV'`` (eV), sorted ascending;
* :func:`read_spectra` every spectrum of a file, 2-D ``('sample', axis)`` with the sample names
  as the ``'sample'`` coordinate (a series: several samples, a titration, a growth series).

The array is named after the measured quantity: ``'absorbance'`` (decadic, dimensionless),
``'transmittance'`` or ``'reflectance'`` (always as a fraction 0-1 here, whatever the file
used) or ``'intensity'`` (an emission spectrum, in the file's unit). Array attrs: ``units``,
``long_name``, ``quantity``, ``source_file``, ``format``, ``sample`` (1-D), ``scale_in_file``
(``'percent'``/``'fraction'`` for transmittance and reflectance), ``quantity_assumed`` (1 when
the header did not say and ``assume`` was used), ``axis_assumed`` (1 when a header-less axis
was recognised from its values) and, for instrument files, ``header``/``metadata`` (the text
before/after the data). The coordinate carries ``units``/``long_name``.

Formats (``format=``; detected by :func:`sniff_spectrum_format` when ``None``)
-------------------------------------------------------------------------------
``'table'``
    Any text table :func:`qdcat.io.read_frame` reads (CSV, TSV, ``;`` with decimal commas,
    whitespace; comment and header lines). The first column is the axis: a wavelength
    (``wavelength_nm``, ``Wavelength (nm)``, ``lambda/um``, ``Wavelength (A)``, a bare ``nm``)
    or a photon energy (``energy_eV``, ``Photon energy (eV)``, ``E (meV)``); without a header
    the axis is a wavelength in nm if every value lies in 100-5000 and an energy in eV if
    every value lies in 0.1-12 (``axis_assumed = 1``). The other columns are spectra; their
    headers name the quantity (``absorbance``/``Abs``/``A``/``OD``; ``%T``/``T``/
    ``transmittance (%)``; ``%R``/``R``/``reflectance``; ``intensity``/``counts``/``cps``/
    ``PL``) or, in a series, the samples (``wavelength_nm,8/12ZCIS,4/12ZCIS``).
``'cary'``
    Agilent (Varian) Cary WinUV "Save as CSV": a first row of sample names each followed by
    an empty cell (``Sample1,,Sample2,,``), a second row of column pairs
    (``Wavelength (nm),Abs,Wavelength (nm),%T,``), rows of x,y pairs (samples scanned over
    different ranges leave empty cells), each row usually ending in ``,``; then a blank line
    and a free-text block per sample (``Collection Time: ...``, the method, ``Y Mode``), kept
    as ``attrs['metadata']``. Layout as in the exports shipped with WrightTools
    (``WrightTools/datasets/Cary``).
``'perkinelmer'``
    PerkinElmer UV WinLab / Lambda ASCII (``.asc``, ``.sp`` text, ``.csv``): a first line
    ``PE UV  SUBTECH  SPECTRUM  ASCII  PEDS ...``, header lines, a ``#HDR`` block, a ``#GR``
    block whose first two lines are the x and y units (``nm``; ``A``, ``%T``, ``%R``), then
    ``#DATA`` and one x,y pair per line (tab, whitespace or comma separated). The header text
    is kept as ``attrs['header']``; the sample is named after the file.
``'shimadzu'``
    Shimadzu UVProbe / UV-2600 text export: a quoted title line (``"name - RawData"``), a
    quoted header (``"Wavelength nm.","Abs."``, ``"%T"``, ``"R%"``) and x,y rows. The title
    (without `` - RawData``) names the sample.

Transmittance and reflectance
-----------------------------
A ``%`` in the header (``%T``, ``T%``, ``transmittance (%)``, ``R_pct``) or a ``%`` y unit of a
PerkinElmer file means percent; a header without one means a fraction if no value exceeds 1.5
and percent otherwise (recorded in ``scale_in_file``). Values are returned as fractions.
Values above 100 % by more than :data:`PERCENT_TOLERANCE` percentage points (an instrument's
100 % line is noisy, e.g. 100.1 %T) are physically impossible and raise an error naming the
file, line and column. :func:`to_absorbance` turns transmittance into absorbance
(``A = -log10 T``).

Errors
------
:class:`~qdcat.core.errors.InputError` naming the file (and line and column where there is
one): unreadable files, an axis that is not a wavelength or energy (``time_ns``), a repeated
or back-stepping axis value (a descending axis is fine, it is sorted), non-numeric cells, an
empty spectrum, ambiguous columns, an unknown quantity, transmittance above 100 %.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from qdcat.core.errors import InputError
from qdcat.io.ta import _read_lines
from qdcat.io.tables import (
    _ANY_NUMBER,
    _DELIMITERS,
    _numeric_under,
    _parse_numeric_block,
    _split,
    _unquote,
    parse_header,
    read_frame,
)

__all__ = [
    "PERCENT_TOLERANCE",
    "QUANTITIES",
    "SPECTRUM_FORMATS",
    "read_spectra",
    "read_spectrum",
    "sniff_spectrum_format",
    "to_absorbance",
]

#: Format names accepted by :func:`read_spectrum` / :func:`read_spectra`.
SPECTRUM_FORMATS = ("table", "cary", "perkinelmer", "shimadzu")
#: Quantities a spectrum can hold (the name of the returned array).
QUANTITIES = ("absorbance", "transmittance", "reflectance", "intensity")
#: Percentage points by which a transmittance or reflectance may exceed 100 % (noise of the
#: 100 % line) before it is refused.
PERCENT_TOLERANCE = 1.5

_WAVELENGTH_WORDS = {"wavelength", "wavelengths", "wl", "lambda"}
_ENERGY_WORDS = {"energy", "photon_energy", "e", "hv", "hnu", "h_nu", "photonenergy"}
_WAVELENGTH_UNITS = {"nm": 1.0, "um": 1e3, "A": 0.1}
_ENERGY_UNITS = {"eV": 1.0, "meV": 1e-3}
_QUANTITY_WORDS = {
    "absorbance": {
        "absorbance",
        "a",
        "abs",
        "od",
        "optical_density",
        "extinction",
        "absorption",
    },
    "transmittance": {"t", "transmittance", "transmission", "trans"},
    "reflectance": {"r", "reflectance", "reflection", "diffuse_reflectance", "refl"},
    "intensity": {
        "intensity",
        "counts",
        "cps",
        "pl",
        "pl_intensity",
        "emission",
        "signal",
        "int",
        "photoluminescence",
        "fluorescence",
        "pl_counts",
        "emission_intensity",
    },
}
_LONG_NAMES = {
    "absorbance": "absorbance",
    "transmittance": "transmittance",
    "reflectance": "diffuse reflectance",
    "intensity": "emission intensity",
}
_FORMAT_ALIASES = {
    "table": "table",
    "csv": "table",
    "text": "table",
    "cary": "cary",
    "agilent": "cary",
    "varian": "cary",
    "perkinelmer": "perkinelmer",
    "perkin-elmer": "perkinelmer",
    "pe": "perkinelmer",
    "asc": "perkinelmer",
    "shimadzu": "shimadzu",
    "uvprobe": "shimadzu",
}


@dataclass
class _Column:
    """One spectrum as read, before conversion: its own x values (Cary pairs) or shared ones."""

    name: str
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    lines: NDArray[np.int64]
    y_key: str
    y_raw: str
    y_unit: str


@dataclass
class _Parsed:
    fmt: str
    x_key: str
    x_raw: str
    columns: list[_Column]
    attrs: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# helpers


def _content(lines: list[str]) -> list[tuple[int, str]]:
    """(1-based line number, stripped text) of every non-blank line."""
    return [(i + 1, s.strip()) for i, s in enumerate(lines) if s.strip()]


def _normalise_format(path: Path, fmt: str | None) -> str | None:
    if fmt is None:
        return None
    key = str(fmt).strip().lower()
    if key not in _FORMAT_ALIASES:
        raise InputError(
            "unknown spectrum format",
            file=path,
            field="format",
            expected="one of " + ", ".join(SPECTRUM_FORMATS),
            found=fmt,
        )
    return _FORMAT_ALIASES[key]


def _check_quantity_name(name: str | None, field_name: str) -> None:
    if name is not None and name not in QUANTITIES:
        raise InputError(
            "unknown spectral quantity",
            field=field_name,
            expected="one of " + ", ".join(QUANTITIES),
            found=name,
        )


def _axis_of(key: str) -> tuple[str, float] | None:
    """(target dimension, factor to nm or eV) for an axis column key, else None."""
    if key in _WAVELENGTH_UNITS:  # a bare 'nm' header (PerkinElmer CSV)
        return "wavelength_nm", _WAVELENGTH_UNITS[key]
    if key in _ENERGY_UNITS:
        return "energy_eV", _ENERGY_UNITS[key]
    base, sep, unit = key.rpartition("_")
    if not sep:
        base, unit = key, ""
    words = base.lower()
    if words in _WAVELENGTH_WORDS and unit in _WAVELENGTH_UNITS:
        return "wavelength_nm", _WAVELENGTH_UNITS[unit]
    if words in _ENERGY_WORDS and unit in _ENERGY_UNITS:
        return "energy_eV", _ENERGY_UNITS[unit]
    if key.lower() in _WAVELENGTH_WORDS:  # 'Wavelength' without unit: nm, the universal one
        return "wavelength_nm", 1.0
    return None


def _axis_from_values(x: NDArray[np.float64]) -> tuple[str, float] | None:
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 100.0 and hi <= 5000.0:
        return "wavelength_nm", 1.0
    if lo >= 0.1 and hi <= 12.0:
        return "energy_eV", 1.0
    return None


def _quantity_of(key: str, raw: str) -> tuple[str | None, bool]:
    """(quantity or None, percent) from a value column's key and its header text as written."""
    percent = "%" in raw or key.endswith("_pct") or key.lower() in {"pct", "percent"}
    base = key
    for suffix in ("_pct", "_au", "_OD", "_mOD", "_counts", "_cps", "_a_u"):
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    lowered = base.lower().strip("_")
    for quantity, words in _QUANTITY_WORDS.items():
        if lowered in words:
            return quantity, percent
    # '%T' and '%R' lose their letter to nothing else; 'T%'/'R%' become 'T'/'R' (handled)
    return None, percent


def _raw_header_fields(lines: list[str], header_line: int | None, delimiter: str) -> list[str]:
    """Header cells exactly as written (``'%T'`` keeps its percent sign)."""
    if header_line is None:
        return []
    text = lines[header_line - 1].strip()
    delim = None if delimiter == "whitespace" else delimiter
    if delim is None:
        return text.split()
    return [_unquote(f.strip()) for f in _split(text, delim)]


# --------------------------------------------------------------------------------------------
# sniffing


def _is_pe(content: list[tuple[int, str]]) -> bool:
    if content and content[0][1].startswith("PE UV"):
        return True
    return any(s.upper() == "#DATA" for _, s in content[:400])


def _is_cary(content: list[tuple[int, str]]) -> bool:
    if len(content) < 3:
        return False
    first = content[0][1].split(",")
    if len(first) < 2 or first[1].strip() != "" or _ANY_NUMBER.match(first[0].strip()):
        return False
    second = [f.strip() for f in content[1][1].split(",")]
    while second and second[-1] == "":
        second.pop()
    if len(second) < 2 or len(second) % 2:
        return False
    return _axis_of(parse_header(second[0])[0]) is not None


def _is_shimadzu(content: list[tuple[int, str]]) -> bool:
    if len(content) < 3:
        return False
    title, header = content[0][1], content[1][1]
    one_quoted = (
        title.startswith('"') and title.endswith('"') and title.count('"') == 2 and len(title) > 2
    )
    return one_quoted and header.lower().startswith('"wavelength')


def sniff_spectrum_format(path: str | os.PathLike[str]) -> str:
    """The format of a spectrum file (one of :data:`SPECTRUM_FORMATS`), from its content."""
    p = Path(path)
    content = _content(_read_lines(p))
    if not content:
        raise InputError(
            "file is empty", file=p, expected="a spectrum: a wavelength or energy column and values"
        )
    if _is_pe(content):
        return "perkinelmer"
    if _is_cary(content):
        return "cary"
    if _is_shimadzu(content):
        return "shimadzu"
    return "table"


# --------------------------------------------------------------------------------------------
# format parsers


def _parse_table(path: Path, lines: list[str] | None = None, fmt: str = "table") -> _Parsed:
    df = read_frame(path)
    if df.shape[1] < 2:
        raise InputError(
            "the table has only one column",
            file=path,
            line=int(df.index[0]),
            expected="a wavelength or energy column and at least one spectrum column",
            found=f"1 column {df.columns[0]!r}",
        )
    keys = [str(c) for c in df.columns]
    if lines is None:
        lines = _read_lines(path)
    raw = _raw_header_fields(lines, df.attrs["header_line"], df.attrs["delimiter"])
    if len(raw) != len(keys):
        raw = keys
    units: dict[str, str] = df.attrs["units"]
    row_lines = df.index.to_numpy(dtype=np.int64)
    x = df[keys[0]].to_numpy(dtype=float)
    columns = [
        _Column(
            name=raw[j] if df.attrs["header_line"] is not None else key,
            x=x,
            y=df[key].to_numpy(dtype=float),
            lines=row_lines,
            y_key=key,
            y_raw=raw[j],
            y_unit=units.get(key, ""),
        )
        for j, key in enumerate(keys)
        if j > 0
    ]
    return _Parsed(fmt, keys[0], raw[0], columns)


def _parse_shimadzu(path: Path) -> _Parsed:
    lines = _read_lines(path)
    parsed = _parse_table(path, lines, fmt="shimadzu")
    title = _unquote(_content(lines)[0][1])
    title = re.sub(r"\s*-\s*RawData\s*$", "", title).strip() or path.stem
    if len(parsed.columns) == 1:
        parsed.columns[0].name = title
    parsed.attrs["header"] = title
    return parsed


def _numeric_rows(
    path: Path, rows: list[str], numbers: list[int], n_fields: int, where: str
) -> NDArray[np.float64]:
    """Parse rows of ``n_fields`` tab/``;``/comma/whitespace-separated numbers."""
    delim: str | None = next(
        (d for d in _DELIMITERS if all(_numeric_under(r, d, None) for r in rows[:20])),
        None,
    )
    for row, lineno in zip(rows, numbers, strict=True):
        k = len(_split(row, delim))
        if k != n_fields:
            raise InputError(
                f"{where}: row has {k} field{'s' if k != 1 else ''}",
                file=path,
                line=lineno,
                expected=f"{n_fields} numbers per row",
                found=row,
            )
    decimal = "," if delim != "," and any("," in r for r in rows[:20]) else "."
    keys = [f"{where} column {j + 1}" for j in range(n_fields)]
    return _parse_numeric_block(path, rows, numbers, delim, decimal, keys)


def _parse_cary(path: Path) -> _Parsed:
    lines = _read_lines(path)
    content = _content(lines)
    names_line, header_line = content[0], content[1]
    header = [f.strip() for f in header_line[1].split(",")]
    while header and header[-1] == "":
        header.pop()
    n = len(header) // 2
    first = [f.strip() for f in names_line[1].split(",")]
    names = [
        first[2 * j] if 2 * j < len(first) and first[2 * j] else f"sample{j + 1}" for j in range(n)
    ]
    # data rows: from the line after the header to the first blank or text line
    rows: list[str] = []
    numbers: list[int] = []
    end = header_line[0]  # 1-based number of the last line consumed
    for i in range(header_line[0], len(lines)):
        s = lines[i].strip()
        if not s:
            break
        cells = [c.strip() for c in s.split(",")]
        first_filled = next((c for c in cells[: 2 * n] if c), None)
        if first_filled is None or not _ANY_NUMBER.match(first_filled):
            break  # the metadata block (its text lines) begins
        cells = (cells + [""] * (2 * n))[: 2 * n]
        rows.append(",".join(c if c else "nan" for c in cells))
        numbers.append(i + 1)
        end = i + 1
    if not rows:
        raise InputError(
            "no data rows below the two header rows of the Cary export",
            file=path,
            line=header_line[0] + 1,
            expected="rows of x,y pairs",
            found=lines[header_line[0]].strip() if header_line[0] < len(lines) else "end of file",
        )
    keys = [f"{names[j // 2]}:{header[j]}" for j in range(2 * n)]
    values = _parse_numeric_block(path, rows, numbers, ",", ".", keys)
    line_arr = np.asarray(numbers, dtype=np.int64)
    columns = []
    for j in range(n):
        x, y = values[:, 2 * j], values[:, 2 * j + 1]
        present = ~np.isnan(x)
        missing_y = present & np.isnan(y)
        if missing_y.any():
            k = int(np.flatnonzero(missing_y)[0])
            raise InputError(
                f"sample {names[j]!r}: a wavelength without a value",
                file=path,
                line=numbers[k],
                field=header[2 * j + 1],
                expected="a number beside every wavelength",
                found="",
                has_found=True,
            )
        y_raw = header[2 * j + 1]
        columns.append(
            _Column(
                name=names[j],
                x=x[present],
                y=y[present],
                lines=line_arr[present],
                y_key=parse_header(y_raw)[0],
                y_raw=y_raw,
                y_unit=parse_header(y_raw)[2],
            )
        )
    trailer = "\n".join(line.rstrip() for line in lines[end:]).strip()
    x_keys = {parse_header(header[2 * j])[0] for j in range(n)}
    if len(x_keys) > 1:
        raise InputError(
            "the samples of the Cary export have different x axes",
            file=path,
            line=header_line[0],
            expected="the same x quantity (e.g. 'Wavelength (nm)') for every sample",
            found=sorted(x_keys),
        )
    parsed = _Parsed("cary", parse_header(header[0])[0], header[0], columns)
    if trailer:
        parsed.attrs["metadata"] = trailer
    return parsed


def _parse_perkinelmer(path: Path) -> _Parsed:
    lines = _read_lines(path)
    stripped = [s.strip() for s in lines]
    try:
        data_at = next(i for i, s in enumerate(stripped) if s.upper() == "#DATA")
    except StopIteration:
        raise InputError(
            "no #DATA line in the PerkinElmer file",
            file=path,
            expected="a '#DATA' line followed by x,y rows",
        ) from None
    gr_at = next((i for i, s in enumerate(stripped[:data_at]) if s.upper() == "#GR"), None)
    x_unit = stripped[gr_at + 1] if gr_at is not None and gr_at + 1 < data_at else ""
    y_unit = stripped[gr_at + 2] if gr_at is not None and gr_at + 2 < data_at else ""
    rows, numbers = [], []
    for i in range(data_at + 1, len(lines)):
        s = stripped[i]
        if not s:
            continue
        if s.startswith("#"):
            break
        rows.append(s)
        numbers.append(i + 1)
    if not rows:
        raise InputError(
            "no data rows after #DATA",
            file=path,
            line=data_at + 1,
            expected="x,y rows after the #DATA line",
        )
    values = _numeric_rows(path, rows, numbers, 2, "PerkinElmer #DATA")
    x_key = parse_header(x_unit)[0] if x_unit else "x"
    y_key, _, y_u = parse_header(y_unit) if y_unit else ("y", "", "")
    column = _Column(
        name=path.stem,
        x=values[:, 0],
        y=values[:, 1],
        lines=np.asarray(numbers, dtype=np.int64),
        y_key=y_key or "y",
        y_raw=y_unit,
        y_unit=y_u,
    )
    parsed = _Parsed("perkinelmer", x_key or "x", x_unit, [column])
    parsed.attrs["header"] = "\n".join(s for s in stripped[:data_at] if s)
    return parsed


_PARSERS = {
    "table": _parse_table,
    "cary": _parse_cary,
    "perkinelmer": _parse_perkinelmer,
    "shimadzu": _parse_shimadzu,
}


# --------------------------------------------------------------------------------------------
# conversion to DataArrays


def _spectral_axis(path: Path, parsed: _Parsed) -> tuple[str, float, bool]:
    found = _axis_of(parsed.x_key)
    if found is not None:
        return found[0], found[1], False
    if parsed.x_key in {"x", ""}:
        guess = _axis_from_values(np.concatenate([c.x for c in parsed.columns]))
        if guess is not None:
            return guess[0], guess[1], True
    raise InputError(
        "the first column is not a spectral axis",
        file=path,
        field=parsed.x_key,
        expected="wavelength (nm, um, A) or photon energy (eV, meV), e.g. 'wavelength_nm'",
        found=parsed.x_raw or parsed.x_key,
    )


def _spectrum_quantity(
    path: Path, column: _Column, assume: str | None, n_columns: int
) -> tuple[str, bool, bool]:
    """(quantity, percent written, assumed)."""
    quantity, percent = _quantity_of(column.y_key, column.y_raw)
    if quantity is not None:
        return quantity, percent, False
    if assume is not None:
        return assume, percent, True
    raise InputError(
        "cannot tell what the spectrum values are"
        + (" (a series of samples needs assume=...)" if n_columns > 1 else ""),
        file=path,
        field=column.y_raw or column.y_key,
        expected="a column named absorbance (Abs, A, OD), transmittance (%T, T), "
        "reflectance (%R, R) or intensity (counts, cps, PL)",
        found=column.y_raw or column.y_key,
    )


def _to_fraction(
    path: Path, column: _Column, quantity: str, percent: bool
) -> tuple[NDArray[np.float64], str]:
    y = column.y
    finite = y[np.isfinite(y)]
    scale = "percent" if percent or (finite.size and float(finite.max()) > 1.5) else "fraction"
    frac = y / 100.0 if scale == "percent" else y.copy()
    limit = 1.0 + PERCENT_TOLERANCE / 100.0
    over = np.flatnonzero(frac > limit)
    if over.size:
        k = int(over[0])
        raise InputError(
            f"{quantity} above 100 %: {100 * frac[k]:.4g} %"
            + (f" (read as percent{'' if percent else ', the largest value exceeds 1.5'})"),
            file=path,
            line=int(column.lines[k]),
            field=column.y_raw or column.y_key,
            expected=f"{quantity} between 0 and 100 % (up to {100 + PERCENT_TOLERANCE:g} % for "
            "the noise of the 100 % line)",
            found=float(y[k]),
        )
    return frac, scale


def _one_spectrum(path: Path, parsed: _Parsed, column: _Column, assume: str | None) -> xr.DataArray:
    dim, factor, axis_assumed = _spectral_axis(path, parsed)
    x = column.x * factor
    y = column.y
    if x.size == 0:
        raise InputError(
            f"spectrum {column.name!r} has no points",
            file=path,
            field=column.name,
            expected="at least one row of values",
        )
    nan_x = np.flatnonzero(~np.isfinite(x))
    if nan_x.size:
        k = int(nan_x[0])
        raise InputError(
            "the spectral axis has a missing value",
            file=path,
            line=int(column.lines[k]),
            field=parsed.x_raw or parsed.x_key,
            expected="a number in every row of the axis column",
            found="nan",
        )
    bad_y = np.flatnonzero(~np.isfinite(y))
    if bad_y.size:
        k = int(bad_y[0])
        raise InputError(
            f"spectrum {column.name!r} has a missing value",
            file=path,
            line=int(column.lines[k]),
            field=column.y_raw or column.y_key,
            expected="a finite number in every row",
            found="nan",
        )
    if np.any(x <= 0):
        k = int(np.flatnonzero(x <= 0)[0])
        raise InputError(
            "the spectral axis must be positive",
            file=path,
            line=int(column.lines[k]),
            field=parsed.x_raw or parsed.x_key,
            expected="wavelengths or photon energies > 0",
            found=float(column.x[k]),
        )
    if x.size > 1:
        dx = np.diff(x)
        if np.any(dx == 0):
            k = int(np.flatnonzero(dx == 0)[0])
            raise InputError(
                f"duplicated {dim} value {x[k]:g} (rows at lines {column.lines[k]} and "
                f"{column.lines[k + 1]})",
                file=path,
                line=int(column.lines[k + 1]),
                field=parsed.x_raw or parsed.x_key,
                expected="strictly increasing or strictly decreasing values",
                found=float(column.x[k + 1]),
            )
        if not (np.all(dx > 0) or np.all(dx < 0)):
            k = int(np.flatnonzero(np.sign(dx) != np.sign(dx[0]))[0]) + 1
            raise InputError(
                f"the {dim} axis changes direction (not monotonic)",
                file=path,
                line=int(column.lines[k]),
                field=parsed.x_raw or parsed.x_key,
                expected="strictly increasing or strictly decreasing values",
                found=[float(v) for v in column.x[k - 1 : k + 2]],
            )
    quantity, percent, assumed = _spectrum_quantity(path, column, assume, len(parsed.columns))
    attrs: dict[str, Any] = {
        "quantity": quantity,
        "long_name": _LONG_NAMES[quantity],
        "source_file": str(path),
        "format": parsed.fmt,
        "sample": column.name,
        "quantity_assumed": int(assumed),
        "axis_assumed": int(axis_assumed),
    }
    if quantity in ("transmittance", "reflectance"):
        y, scale = _to_fraction(path, column, quantity, percent)
        attrs["scale_in_file"] = scale
        attrs["units"] = ""
    elif quantity == "intensity":
        key = column.y_key.lower()
        attrs["units"] = column.y_unit or ("counts" if key == "counts" else "a.u.")
        if key == "cps":
            attrs["units"] = "counts s-1"
    else:
        attrs["units"] = ""
    attrs.update(parsed.attrs)
    order = np.argsort(x)
    unit = dim.split("_")[1]
    coord_name = "wavelength" if dim == "wavelength_nm" else "photon energy"
    return xr.DataArray(
        np.asarray(y, dtype=np.float64)[order],
        dims=(dim,),
        coords={dim: (dim, x[order], {"units": unit, "long_name": coord_name})},
        name=quantity,
        attrs=attrs,
    )


def _parse(path: Path, format: str | None) -> _Parsed:
    fmt = _normalise_format(path, format) or sniff_spectrum_format(path)
    return _PARSERS[fmt](path)


def read_spectra(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    assume: str | None = None,
    align: str = "exact",
    absorbance: bool = False,
) -> xr.DataArray:
    """Every spectrum of a file as one 2-D array ``('sample', axis)``.

    Parameters
    ----------
    path:
        The file (see the module documentation for the formats).
    format:
        One of :data:`SPECTRUM_FORMATS`; detected from the content when ``None``.
    assume:
        The quantity (one of :data:`QUANTITIES`) of columns whose header does not name one
        (header-less files, columns named after samples). ``None``: such columns are an error.
    align:
        ``'exact'`` (default): every spectrum must have the same axis values (an error
        otherwise); ``'interpolate'``: spectra are linearly interpolated onto the axis of the
        first one, NaN outside their own range.
    absorbance:
        Convert transmittance spectra to absorbance (:func:`to_absorbance`) before they are
        stacked (a Cary file mixing ``Abs`` and ``%T`` samples becomes one absorbance series).

    Returns
    -------
    xarray.DataArray
        ``('sample', 'wavelength_nm' | 'energy_eV')``, the ``'sample'`` coordinate holding the
        sample names; attrs as for :func:`read_spectrum` (without ``sample``).
    """
    p = Path(path)
    _check_quantity_name(assume, "assume")
    if align not in ("exact", "interpolate"):
        raise InputError(
            "unknown alignment",
            file=p,
            field="align",
            expected="'exact' or 'interpolate'",
            found=align,
        )
    parsed = _parse(p, format)
    spectra = [_one_spectrum(p, parsed, c, assume) for c in parsed.columns]
    if absorbance:
        spectra = [to_absorbance(s) for s in spectra]
    quantities = {s.name for s in spectra}
    if len(quantities) > 1:
        raise InputError(
            "the spectra of the file hold different quantities; read them one at a time "
            "with read_spectrum(..., sample=NAME)",
            file=p,
            field="samples",
            expected="one quantity for a series",
            found={str(s.attrs["sample"]): str(s.name) for s in spectra},
        )
    names = [str(s.attrs["sample"]) for s in spectra]
    if len(set(names)) != len(names):
        seen: set[str] = set()
        dup = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise InputError(
            "two spectra have the same sample name",
            file=p,
            field="samples",
            expected="distinct sample names",
            found=dup,
        )
    dim = str(spectra[0].dims[0])
    grid = spectra[0][dim].values
    rows = []
    for s in spectra:
        x = s[dim].values
        same = x.size == grid.size and np.allclose(x, grid, rtol=1e-9, atol=0.0)
        if same:
            rows.append(s.values)
        elif align == "interpolate":
            rows.append(np.interp(grid, x, s.values, left=np.nan, right=np.nan))
        else:
            raise InputError(
                f"spectrum {s.attrs['sample']!r} has a different {dim} axis from "
                f"{spectra[0].attrs['sample']!r} ({x.size} points {x.min():g}-{x.max():g} vs "
                f"{grid.size} points {grid.min():g}-{grid.max():g})",
                file=p,
                field="align",
                expected="the same axis for every spectrum, or align='interpolate'",
                found=str(s.attrs["sample"]),
            )
    attrs = {k: v for k, v in spectra[0].attrs.items() if k != "sample"}
    return xr.DataArray(
        np.vstack(rows),
        dims=("sample", dim),
        coords={"sample": ("sample", np.array(names, dtype=object)), dim: spectra[0][dim]},
        name=spectra[0].name,
        attrs=attrs,
    )


def read_spectrum(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    assume: str | None = None,
    sample: str | int | None = None,
) -> xr.DataArray:
    """One spectrum from a file, 1-D over ``'wavelength_nm'`` or ``'energy_eV'`` (ascending).

    Parameters
    ----------
    path, format, assume:
        As for :func:`read_spectra`.
    sample:
        Which spectrum of a file that holds several: its name (a Cary sample name, a column
        header) or its 0-based position. A file with several spectra and no ``sample`` is
        accepted only when exactly one column names the quantity ``assume`` (e.g. the
        ``absorbance`` column beside a ``baseline`` column).

    Returns
    -------
    xarray.DataArray
        Named after the quantity, attrs described in the module documentation.
    """
    p = Path(path)
    _check_quantity_name(assume, "assume")
    parsed = _parse(p, format)
    columns = parsed.columns
    names = [c.name for c in columns]
    if sample is not None:
        if isinstance(sample, int | np.integer) and not isinstance(sample, bool):
            if not -len(columns) <= int(sample) < len(columns):
                raise InputError(
                    "no spectrum at this position",
                    file=p,
                    field="sample",
                    expected=f"0..{len(columns) - 1}",
                    found=sample,
                )
            column = columns[int(sample)]
        else:
            matches = [c for c in columns if c.name == str(sample) or c.y_key == str(sample)]
            if not matches:
                raise InputError(
                    f"no spectrum named {sample!r}; the file holds: {', '.join(names)}",
                    file=p,
                    field="sample",
                    expected="one of " + ", ".join(repr(n) for n in names),
                    found=sample,
                )
            column = matches[0]
        return _one_spectrum(p, parsed, column, assume)
    if len(columns) == 1:
        return _one_spectrum(p, parsed, columns[0], assume)
    named = [c for c in columns if _quantity_of(c.y_key, c.y_raw)[0] is not None]
    wanted = [c for c in named if assume is None or _quantity_of(c.y_key, c.y_raw)[0] == assume]
    if len(wanted) == 1:
        return _one_spectrum(p, parsed, wanted[0], assume)
    raise InputError(
        f"the file holds {len(columns)} spectra; say which one (sample=...)",
        file=p,
        field="columns",
        expected="one spectrum column (or a column named after the quantity, e.g. 'absorbance')",
        found=names,
    )


def to_absorbance(spectrum: xr.DataArray) -> xr.DataArray:
    """Absorbance from a spectrum read by this module: absorbance as is, ``-log10(T)`` from
    transmittance (a fraction). Reflectance and emission spectra raise :class:`InputError`
    (for diffuse reflectance use :func:`qdcat.optics.kubelka_munk`)."""
    quantity = str(spectrum.attrs.get("quantity", spectrum.name))
    source = spectrum.attrs.get("source_file")
    if quantity == "absorbance":
        return spectrum
    if quantity == "transmittance":
        t = np.asarray(spectrum.values, dtype=float)
        bad = np.flatnonzero(~(t > 0))
        if bad.size:
            k = int(bad[0])
            dim = spectrum.dims[-1]
            raise InputError(
                f"transmittance <= 0 at {dim} {float(spectrum[dim].values[k]):g}: the sample "
                "is opaque there and its absorbance is undefined",
                file=source,
                field="transmittance",
                expected="transmittance > 0 (restrict the range to where light gets through)",
                found=float(t.flat[k]),
            )
        out = spectrum.copy(data=-np.log10(t))
        out.name = "absorbance"
        out.attrs = {
            **spectrum.attrs,
            "quantity": "absorbance",
            "long_name": "absorbance",
            "units": "",
            "converted_from": "transmittance (A = -log10 T)",
        }
        return out
    raise InputError(
        f"a {quantity} spectrum is not an absorbance spectrum"
        + (
            " (use the Kubelka-Munk method for diffuse reflectance)"
            if quantity == "reflectance"
            else ""
        ),
        file=source,
        field="quantity",
        expected="absorbance or transmittance",
        found=quantity,
    )
