"""Readers and a writer for femtosecond transient-absorption (TA) data.

Every reader returns an :class:`xarray.DataArray` named ``'dA'`` with dims
``('time_ps', 'wavelength_nm')``: float64 values of the absorbance change, both coordinates
sorted ascending and carrying ``units``/``long_name`` attrs. Array attrs: ``units`` (``'OD'``
unless the file names another unit such as ``'mOD'``), ``long_name``, ``source_file``,
``format`` and, where they apply, ``layout``, ``time_unit_in_file``, ``header`` (text before the
matrix) and ``metadata`` (text after it).

Supported formats
-----------------
``'glotaran-ascii'``
    Glotaran legacy ASCII (``.ascii``): two header lines, a ``Time explicit`` or
    ``Wavelength explicit`` line, ``Intervalnr N``, then the explicit axis (N values; they may
    wrap over several lines) and one row per value of the other axis (that value, then N
    numbers), whitespace-separated. *Time explicit*: the axis line holds the delays and each row
    is one wavelength; *wavelength explicit*: the reverse. Delays are in ps unless
    ``time_unit`` says otherwise.
``'csv'``
    A plain matrix in any dialect of :func:`qdcat.io.read_frame` (``,``/``;``/tab/whitespace
    delimiter, ``,`` as decimal mark with ``;``/tab/whitespace delimiters, comment lines, UTF-8,
    UTF-16 or latin-1, CR, LF or CRLF line ends). The first row holds one axis and the first
    column the other; the first cell (the *corner*) may be empty, a number (ignored) or a label.
    Text lines before the axis row are kept as ``attrs['header']``; text after the last matrix
    row (e.g. an instrument's metadata block) is kept as ``attrs['metadata']``.
``'surface-xplorer'``
    The CSV matrix that Ultrafast Systems' Surface Xplorer and Helios/EOS software write: first
    row delays in ps (the corner cell is unused, usually ``0``), first column wavelengths in nm,
    one row per wavelength, ``NaN`` for masked points, then optionally a free-text metadata
    block (e.g. ``Solvent: ...``), possibly after a blank line, and possibly CR-only line ends.
    Read as ``'csv'`` with the layout fixed to ``'wavelength-rows'``.
``'ufs'``
    The binary Ultrafast Systems file (``.ufs``; big-endian): ``Version2`` string, axis 1
    (label, unit, count, doubles), axis 2 (the same), a data label, a zero, row and column
    counts, the row-major matrix of doubles, and a metadata string. Strings are a 32-bit length
    followed by that many bytes. Axis units come from the file (wavelength in nm; delays in fs,
    ps, ns, us, ms or s).
``'netcdf'``
    A file written by :func:`qdcat.io.save_netcdf` from such a DataArray (dims checked).

Layout of a CSV matrix
----------------------
``layout='time-rows'`` means one row per delay (first column delays, first row wavelengths);
``'wavelength-rows'`` is the transposed form. Without ``layout`` the reader decides, in order:

1. *The corner label*, read as the header of the first column: a label naming only time
   (``time``, ``delay``, ``t``) means time-rows; naming only wavelength (``wavelength``,
   ``lambda``, ``λ``, ``wl``, ``nm``) means wavelength-rows; naming both (``'time (ps) \\
   wavelength (nm)'``, as :func:`write_ta_csv` writes) means rows-quantity first. A one-quantity
   label that the axis values clearly contradict (rule 2) is an error.
2. *The axis values.* An axis is wavelength-like if all its values lie in 100-20000 (nm) and its
   spacing is nearly uniform (largest step at most 4x the smallest); it is delay-like if it
   has a value below 100 (delays start negative or near zero) or its spacing is strongly
   non-uniform (largest step more than 10x the smallest, e.g. log-spaced delays). The axis that
   is wavelength-like while the other is not (or the other delay-like while it is not) is the
   wavelength axis.
3. *Surface Xplorer convention*: a matrix with a numeric corner cell or a trailing metadata
   block is taken as wavelength-rows.
4. Otherwise the reader stops with an error asking for ``layout``.

Delay units: ``time_unit`` if given; else a unit written in the corner label (``'time (ns)'``,
``'Delay/fs'``; one of fs, ps, ns, us/µs, ms, s); else ps. Delays are converted to ps.
Wavelengths must be in nm.

Validation
----------
Errors are :class:`~qdcat.core.errors.InputError` naming the file and, for text files, the
line: ragged rows, non-numeric or infinite cells, NaN, duplicated or non-monotonic delays or
wavelengths (with the index; either axis may run descending, it is sorted on reading), an
empty matrix, and an ambiguous layout. ``NaN`` cells in the matrix are kept.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdcat.core.atomic import atomic_write_text
from qdcat.core.errors import InputError
from qdcat.io.netcdf import load_netcdf
from qdcat.io.tables import (
    _ANY_NUMBER,
    _DELIMITER_NAMES,
    _DELIMITERS,
    _NUMBER,
    _bad_row_without_data,
    _decode,
    _locate_bad_cell,
    _numeric_under,
    _parse_numeric_block,
    _split,
    _unquote,
)

__all__ = [
    "TA_FORMATS",
    "read_glotaran_ascii",
    "read_surface_xplorer",
    "read_ta",
    "read_ta_csv",
    "read_ufs",
    "write_ta_csv",
]

#: Canonical format names accepted by :func:`read_ta` (see the module docstring).
TA_FORMATS = ("glotaran-ascii", "csv", "surface-xplorer", "ufs", "netcdf")
_FORMAT_ALIASES = {
    "glotaran-ascii": "glotaran-ascii",
    "glotaran": "glotaran-ascii",
    "ascii": "glotaran-ascii",
    "csv": "csv",
    "matrix": "csv",
    "surface-xplorer": "surface-xplorer",
    "surfacexplorer": "surface-xplorer",
    "sx": "surface-xplorer",
    "ufs": "ufs",
    "netcdf": "netcdf",
    "nc": "netcdf",
}
_LAYOUTS = ("time-rows", "wavelength-rows")
TIME_DIM = "time_ps"
WAVELENGTH_DIM = "wavelength_nm"

#: Seconds per time unit; keys are the spellings accepted in labels and arguments.
_TIME_SECONDS = {
    "fs": 1e-15,
    "ps": 1e-12,
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
}
_TIME_UNIT_IN_LABEL = re.compile(r"(?<![A-Za-zµμ])(fs|ps|ns|us|µs|μs|ms|s)(?![A-Za-z])")
_TIME_WORDS = re.compile(r"(?i)(?<![a-z])(time|times|delay|delays|t)(?![a-z])")
_WAVELENGTH_WORDS = re.compile(r"(?i)(?<![a-z])(wavelength|wavelengths|lambda|wl|nm)(?![a-z])|λ")
_OD_UNIT = re.compile(r"(?<![A-Za-z])(m|u|µ|μ)?OD(?![A-Za-z])")

# Layout heuristics (documented in the module docstring).
_WL_MIN, _WL_MAX = 100.0, 20000.0
_UNIFORM_RATIO, _LOG_RATIO = 4.0, 10.0


def _time_unit(unit: str, path: Path, where: str) -> str:
    """Canonical time unit ('us' for µs) or an InputError."""
    u = unit.strip()
    if u not in _TIME_SECONDS:
        raise InputError(
            "unknown time unit",
            file=path,
            field=where,
            expected="one of fs, ps, ns, us, ms, s",
            found=unit,
        )
    return "us" if u in ("µs", "μs") else u


def _ps_factor(unit: str) -> float:
    return _TIME_SECONDS[unit] / _TIME_SECONDS["ps"]


# --------------------------------------------------------------------------------------------
# Text reading and the shared matrix parser
# --------------------------------------------------------------------------------------------


def _read_bytes(path: Path, size: int | None = None) -> bytes:
    """The file's bytes (the first ``size`` only, if given); errors as InputError."""
    try:
        if size is None:
            return path.read_bytes()
        with path.open("rb") as fh:
            return fh.read(size)
    except FileNotFoundError as exc:
        raise InputError("file not found", file=path, expected="an existing file") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", file=path, expected="a data file") from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=path) from exc


def _read_lines(path: Path) -> list[str]:
    """Decoded lines of a text file (CR, LF and CRLF line ends)."""
    text = _decode(path, _read_bytes(path))
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_comment(s: str) -> bool:
    """Comment line as in the table reader, except that ';400;410' (an axis row with an empty
    corner cell in a ';'-separated file) is not a comment."""
    if s.startswith(";"):
        rest = s[1:].split(";")
        if rest and rest[-1].strip() == "":
            rest = rest[:-1]
        return not (rest and all(_ANY_NUMBER.match(_unquote(f.strip())) for f in rest))
    return s.startswith(("#", "%", "//"))


def _fields(line: str, delim: str | None) -> list[str]:
    return [_unquote(f) for f in _split(line, delim)]


def _first_field(line: str, delim: str | None) -> str:
    if delim is None:
        return line.split(None, 1)[0]
    return _unquote(line.split(delim, 1)[0].strip())


def _to_float(text: str, decimal: str) -> float:
    return float(text.replace(",", ".") if decimal == "," else text)


@dataclass
class _Matrix:
    """A parsed text matrix before the layout is known."""

    corner: str
    corner_numeric: bool
    top: np.ndarray  # first-row axis values
    side: np.ndarray  # first-column axis values
    values: np.ndarray  # (len(side), len(top))
    axis_line: int
    row_lines: list[int]
    delimiter: str | None
    decimal: str
    header: list[str] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)


def _check_widths(
    path: Path, rows: list[str], line_numbers: list[int], delim: str | None, n: int, ref: str
) -> None:
    for row, lineno in zip(rows, line_numbers, strict=True):
        k = len(row.split()) if delim is None else row.count(delim) + 1
        if k != n:
            raise InputError(
                f"ragged row: it has {k} field{'s' if k != 1 else ''} but {ref} has {n}",
                file=path,
                line=lineno,
                expected=f"{n} fields separated by {_DELIMITER_NAMES[delim]}",
                found=row,
            )


def _parse_matrix(path: Path, lines: list[str]) -> _Matrix:
    """Find and parse the axis row, the matrix rows and the text around them."""
    entries: list[tuple[int, str]] = []
    comments_before: list[str] = []
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s:
            continue
        if _is_comment(s):
            if not entries:
                comments_before.append(s)
            continue
        entries.append((i + 1, s))
    if not entries:
        raise InputError(
            "file is empty (no matrix, only blank or comment lines)",
            file=path,
            expected="a matrix: one axis in the first row, the other in the first column",
        )

    def numeric_row(s: str) -> bool:
        return any(_numeric_under(s, d, None) and len(_split(s, d)) >= 2 for d in _DELIMITERS)

    first = next((k for k, (_, s) in enumerate(entries) if numeric_row(s)), None)
    if first is None:
        bad = _bad_row_without_data(path, entries, _DELIMITERS, None)
        if bad is not None:
            raise bad
        for lineno, s in entries:
            for d in _DELIMITERS:
                f = _fields(s, d)
                if len(f) >= 2 and all(_ANY_NUMBER.match(x) for x in f[1:]):
                    raise InputError(
                        "empty matrix: an axis row but no data rows below it",
                        file=path,
                        line=lineno,
                        expected="rows of numbers below the axis row",
                        found=s,
                    )
        lineno, s = entries[0]
        raise InputError(
            "no numeric matrix rows; the file has only text lines, starting with this one",
            file=path,
            line=lineno,
            expected="a matrix of numbers with the axes in the first row and column",
            found=s,
        )

    # Delimiter: the first candidate under which the sample rows are all numeric, else the
    # first under which the first numeric row is (as in the table reader).
    sample = [s for _, s in entries[first : first + 20]]
    candidates = [d for d in _DELIMITERS if _numeric_under(entries[first][1], d, None)]
    candidates = [d for d in candidates if len(_split(entries[first][1], d)) >= 2] or candidates
    delim = next(
        (d for d in candidates if all(_numeric_under(s, d, None) for s in sample)), candidates[0]
    )
    strip_trailing = delim is not None and entries[first][1].endswith(delim)

    def clean(s: str) -> str:
        return s[: -len(delim)] if strip_trailing and delim and s.endswith(delim) else s

    first_fields = _fields(clean(entries[first][1]), delim)
    n = len(first_fields)

    # The axis row is, in this order: a line with a text corner cell just above the first
    # numeric row (with as many fields, or at least three: a 'key,value' metadata line is not
    # an axis row); the first numeric row when the row below it has one field more (an empty
    # corner cell lost to stripping, as in whitespace- or tab-separated files); else the first
    # numeric row itself, its corner cell a number.
    axis_k, corner_numeric = first, True
    corner_fields = first_fields
    below = _fields(clean(entries[first + 1][1]), delim) if first + 1 < len(entries) else []
    prev_fields = _fields(clean(entries[first - 1][1]), delim) if first > 0 else []
    if (
        len(prev_fields) >= 2
        and (len(prev_fields) == n or len(prev_fields) >= 3)
        and not _ANY_NUMBER.match(prev_fields[0])
        and all(_ANY_NUMBER.match(f) for f in prev_fields[1:])
    ):
        axis_k, corner_numeric, corner_fields = first - 1, False, prev_fields
    elif len(below) == n + 1 and all(_ANY_NUMBER.match(f) for f in below):
        corner_numeric, corner_fields = False, ["", *first_fields]
        n += 1
    axis_line, axis_text = entries[axis_k]
    header = comments_before + [s for _, s in entries[:axis_k]]

    # Matrix rows: from below the axis row while the first field is a number.
    k = axis_k + 1
    rows: list[str] = []
    row_lines: list[int] = []
    while k < len(entries):
        lineno, s = entries[k]
        s = clean(s)
        if not _ANY_NUMBER.match(_first_field(s, delim)):
            break
        rows.append(s)
        row_lines.append(lineno)
        k += 1
    trailer = entries[k:]
    if not rows:
        raise InputError(
            "empty matrix: no data rows below the axis row",
            file=path,
            line=axis_line,
            expected="rows of numbers below the axis row",
            found=axis_text,
        )
    if n < 2:
        raise InputError(
            "empty matrix: no value columns beside the first-column axis",
            file=path,
            line=axis_line,
            expected="at least two columns",
            found=axis_text,
        )
    has_comma = any("," in r for r in rows) or any("," in f for f in corner_fields[1:])
    decimal = "," if delim != "," and has_comma else "."

    # Text after the matrix is metadata, unless matrix rows go on below it (then it is a bad
    # row inside the matrix).
    if trailer:
        for _lineno, s in trailer:
            f = _fields(clean(s), delim)
            if len(f) == n and _ANY_NUMBER.match(f[0]) and all(_ANY_NUMBER.match(x) for x in f):
                stop_no, stop = trailer[0]
                err = _locate_bad_cell(
                    path, [clean(stop)], [stop_no], delim, decimal, _column_keys(n)
                )
                raise err or InputError(
                    "text inside the matrix", file=path, line=stop_no, found=stop
                )

    ref = f"the first matrix row (line {row_lines[0]})"
    _check_widths(path, rows, row_lines, delim, n, ref)
    if len(corner_fields) != n:
        raise InputError(
            f"the axis row has {len(corner_fields)} fields but the matrix rows have {n}",
            file=path,
            line=axis_line,
            expected=f"{n} fields separated by {_DELIMITER_NAMES[delim]}",
            found=axis_text,
        )
    full = _parse_numeric_block(path, rows, row_lines, delim, decimal, _column_keys(n))

    number = _NUMBER[decimal]
    top = np.empty(n - 1)
    for j, cell in enumerate(corner_fields[1:]):
        if not number.match(cell):
            raise InputError(
                f"axis row, column {j + 2}: {'empty cell' if cell == '' else 'not a number'}",
                file=path,
                line=axis_line,
                expected=f"a number with decimal mark {decimal!r}",
                found=cell,
                has_found=True,
            )
        top[j] = _to_float(cell, decimal)
    return _Matrix(
        corner=corner_fields[0].strip(),
        corner_numeric=corner_numeric,
        top=top,
        side=full[:, 0].copy(),
        values=full[:, 1:],
        axis_line=axis_line,
        row_lines=row_lines,
        delimiter=delim,
        decimal=decimal,
        header=header,
        trailer=[s for _, s in trailer],
    )


def _column_keys(n: int) -> list[str]:
    return ["first column", *(f"column {j + 1}" for j in range(1, n))][:n]


# --------------------------------------------------------------------------------------------
# Axes: layout, validation, units
# --------------------------------------------------------------------------------------------


def _spacing_ratio(x: np.ndarray) -> float:
    steps = np.abs(np.diff(x))
    if steps.size < 2 or steps.min() <= 0:
        return 1.0 if steps.size < 2 else np.inf
    with np.errstate(over="ignore"):
        return float(steps.max() / steps.min())


def _axis_kind(x: np.ndarray) -> str | None:
    """'wavelength', 'delay' or None (undecided), from the values alone."""
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    ratio = _spacing_ratio(x)
    wl = bool(x.min() >= _WL_MIN and x.max() <= _WL_MAX and ratio <= _UNIFORM_RATIO)
    delay = bool(x.min() < _WL_MIN or ratio > _LOG_RATIO)
    if wl and not delay:
        return "wavelength"
    if delay and not wl:
        return "delay"
    return None


def _layout_from_values(top: np.ndarray, side: np.ndarray) -> str | None:
    kt, ks = _axis_kind(top), _axis_kind(side)
    if (kt == "wavelength" and ks != "wavelength") or (ks == "delay" and kt != "delay"):
        return "time-rows"
    if (ks == "wavelength" and kt != "wavelength") or (kt == "delay" and ks != "delay"):
        return "wavelength-rows"
    return None


def _layout_from_label(label: str) -> tuple[str | None, bool]:
    """(layout, both quantities named) from the corner label."""
    t = _TIME_WORDS.search(label)
    w = _WAVELENGTH_WORDS.search(label)
    if t and w:
        return ("time-rows" if t.start() < w.start() else "wavelength-rows"), True
    if t:
        return "time-rows", False
    if w:
        return "wavelength-rows", False
    return None, False


def _describe_range(x: np.ndarray) -> str:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return "no finite values"
    return f"{x.size} values {x.min():g}..{x.max():g}"


def _decide_layout(path: Path, m: _Matrix, layout: str | None, sx_fallback: bool) -> str:
    if layout is not None:
        if layout not in _LAYOUTS:
            raise InputError(
                "unknown layout",
                file=path,
                field="layout",
                expected="'time-rows' or 'wavelength-rows'",
                found=layout,
            )
        return layout
    from_values = _layout_from_values(m.top, m.side)
    if not m.corner_numeric and m.corner:
        from_label, both = _layout_from_label(m.corner)
        if from_label is not None:
            if not both and from_values is not None and from_values != from_label:
                raise InputError(
                    f"the corner label {m.corner!r} says {from_label} but the axes say "
                    f"{from_values} (first row: {_describe_range(m.top)}; first column: "
                    f"{_describe_range(m.side)})",
                    file=path,
                    line=m.axis_line,
                    field="layout",
                    expected="layout='time-rows' or layout='wavelength-rows' to decide",
                )
            return from_label
    if from_values is not None:
        return from_values
    if sx_fallback and (m.corner_numeric or m.trailer):
        return "wavelength-rows"
    raise InputError(
        "cannot tell which axis holds the delays: first row has "
        f"{_describe_range(m.top)}, first column has {_describe_range(m.side)}",
        file=path,
        line=m.axis_line,
        field="layout",
        expected="layout='time-rows' (one row per delay) or 'wavelength-rows' (one row per "
        "wavelength), or a corner label such as 'time (ps)'",
    )


def _check_axis(
    path: Path,
    x: np.ndarray,
    name: str,
    where: Sequence[int] | int | None,
    column_base: int | None,
) -> None:
    """NaN, duplicates and monotonicity of one axis. ``where`` is the line of each value
    (first column), the one line of the axis row (then columns are named), or None (binary
    files)."""

    def loc(i: int) -> tuple[int | None, str]:
        if where is None:
            return None, ""
        if isinstance(where, int):
            col = f" (column {i + (column_base or 0)})" if column_base is not None else ""
            return where, col
        return where[i], ""

    nan = np.flatnonzero(np.isnan(x))
    if nan.size:
        i = int(nan[0])
        line, col = loc(i)
        raise InputError(
            f"{name} at index {i}{col} is NaN",
            file=path,
            line=line,
            field=name,
            expected=f"a number for every {name}",
            found="nan",
        )
    if x.size < 2:
        return
    d = np.diff(x)
    dup = np.flatnonzero(d == 0)
    if dup.size:
        i = int(dup[0])
        line, col = loc(i + 1)
        raise InputError(
            f"duplicated {name} {x[i]:g} at indices {i} and {i + 1}{col}",
            file=path,
            line=line,
            field=name,
            expected=f"strictly monotonic {name}s",
            found=float(x[i + 1]),
        )
    increasing = d[0] > 0
    bad = np.flatnonzero(d < 0 if increasing else d > 0)
    if bad.size:
        i = int(bad[0]) + 1
        line, col = loc(i)
        order = "increasing" if increasing else "decreasing"
        raise InputError(
            f"{name}s are not monotonic: index {i}{col} ({x[i]:g}) breaks the {order} order "
            f"after {x[i - 1]:g}",
            file=path,
            line=line,
            field=name,
            expected=f"strictly {order} {name}s",
            found=float(x[i]),
        )


_DA_UNIT_NOTE = re.compile(r"\bdA in ([^;]+);")


def _od_unit(texts: Sequence[str]) -> str:
    """Unit of dA: 'dA in UNIT;' (as :func:`write_ta_csv` notes it), else an OD unit named in
    the texts, else 'OD'."""
    for t in texts:
        m = _DA_UNIT_NOTE.search(t)
        if m:
            return m.group(1).strip()
    for t in texts:
        m = _OD_UNIT.search(t)
        if m:
            prefix = {"µ": "u", "μ": "u"}.get(m.group(1) or "", m.group(1) or "")
            return prefix + "OD"
    return "OD"


def _unit_from_label(label: str) -> str | None:
    m = _TIME_UNIT_IN_LABEL.search(label)
    return None if m is None else ("us" if m.group(1) in ("µs", "μs") else m.group(1))


def _resolve_time_unit(path: Path, given: str | None, in_file: str | None) -> str:
    if given is not None:
        unit = _time_unit(given, path, "time_unit")
        if in_file is not None and in_file != unit:
            raise InputError(
                f"time_unit={given!r} contradicts the unit {in_file!r} written in the file",
                file=path,
                field="time_unit",
                expected=f"{in_file!r} or no time_unit",
                found=given,
            )
        return unit
    return in_file or "ps"


def _make_dataarray(
    times: np.ndarray,
    wavelengths: np.ndarray,
    values: np.ndarray,
    *,
    time_unit: str,
    attrs: dict[str, Any],
) -> xr.DataArray:
    """DataArray (time_ps, wavelength_nm) sorted ascending; ``values`` is (time, wavelength)."""
    t = np.asarray(times, dtype=np.float64) * _ps_factor(time_unit)
    w = np.asarray(wavelengths, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    ti, wi = np.argsort(t, kind="stable"), np.argsort(w, kind="stable")
    v = v[np.ix_(ti, wi)]
    return xr.DataArray(
        np.ascontiguousarray(v),
        dims=(TIME_DIM, WAVELENGTH_DIM),
        coords={
            TIME_DIM: (TIME_DIM, t[ti], {"units": "ps", "long_name": "pump-probe delay"}),
            WAVELENGTH_DIM: (WAVELENGTH_DIM, w[wi], {"units": "nm", "long_name": "wavelength"}),
        },
        name="dA",
        attrs={"long_name": "absorbance change", "units": "OD", **attrs},
    )


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _matrix_reader(
    path: Path, *, layout: str | None, time_unit: str | None, fmt: str | None
) -> xr.DataArray:
    """CSV matrix (``fmt`` 'csv', 'surface-xplorer' or None = decide)."""
    m = _parse_matrix(path, _read_lines(path))
    if fmt == "surface-xplorer":
        if layout not in (None, "wavelength-rows"):
            raise InputError(
                "Surface Xplorer files have one row per wavelength",
                file=path,
                field="layout",
                expected="'wavelength-rows' or no layout",
                found=layout,
            )
        chosen = "wavelength-rows"
    else:
        chosen = _decide_layout(path, m, layout, sx_fallback=fmt is None)
    if fmt is None:
        sx = m.corner_numeric and chosen == "wavelength-rows"
        fmt = "surface-xplorer" if sx else "csv"
    label_unit = None if m.corner_numeric else _unit_from_label(m.corner)
    unit = _resolve_time_unit(path, time_unit, label_unit)
    if chosen == "time-rows":
        times, wavelengths, values = m.side, m.top, m.values
        _check_axis(path, times, "delay", m.row_lines, None)
        _check_axis(path, wavelengths, "wavelength", m.axis_line, 2)
    else:
        times, wavelengths, values = m.top, m.side, m.values.T
        _check_axis(path, times, "delay", m.axis_line, 2)
        _check_axis(path, wavelengths, "wavelength", m.row_lines, None)
    attrs: dict[str, Any] = {
        "units": _od_unit([m.corner, *m.header]),
        "source_file": str(path),
        "format": fmt,
        "layout": chosen,
        "time_unit_in_file": unit,
    }
    if m.header:
        attrs["header"] = "\n".join(m.header)
    if m.trailer:
        attrs["metadata"] = "\n".join(m.trailer)
    return _make_dataarray(times, wavelengths, values, time_unit=unit, attrs=attrs)


def read_ta_csv(
    path: str | os.PathLike[str], *, layout: str | None = None, time_unit: str | None = None
) -> xr.DataArray:
    """Read a plain TA matrix (CSV, TSV, ';' or whitespace separated).

    Parameters
    ----------
    path:
        The text file.
    layout:
        ``'time-rows'`` (first column delays, first row wavelengths) or ``'wavelength-rows'``
        (the transpose); decided from the corner label and the axes when None (see the module
        docstring for the rule).
    time_unit:
        Unit of the delays in the file (fs, ps, ns, us, ms, s); default: the unit in the corner
        label, else ps.

    Returns
    -------
    xarray.DataArray
        ``'dA'`` with dims ``('time_ps', 'wavelength_nm')``; ``attrs['format']`` is ``'csv'``.

    Raises
    ------
    InputError
        See the module docstring (ragged rows, bad cells, bad axes, empty matrix, ambiguous
        layout), each with file and line.
    """
    return _matrix_reader(Path(path), layout=layout, time_unit=time_unit, fmt="csv")


def read_surface_xplorer(
    path: str | os.PathLike[str], *, time_unit: str | None = None
) -> xr.DataArray:
    """Read a Surface Xplorer / Helios CSV matrix (one row per wavelength; delays in ps).

    The corner cell is ignored; a metadata block after the matrix becomes
    ``attrs['metadata']``. ``time_unit`` overrides ps for the delays.
    """
    return _matrix_reader(Path(path), layout=None, time_unit=time_unit, fmt="surface-xplorer")


_EXPLICIT = re.compile(r"(?i)^\s*(time|wavelength)\s+explicit\b")
_INTERVALNR = re.compile(r"(?i)^\s*intervalnr\s*[:=]?\s*(\S+)")


def _glotaran_kind(lines: Sequence[str]) -> tuple[int, str] | None:
    """(line index, 'time'|'wavelength') of the 'X explicit' line among the first lines."""
    for i, raw in enumerate(lines[:12]):
        m = _EXPLICIT.match(raw)
        if m:
            return i, m.group(1).lower()
    return None


def read_glotaran_ascii(
    path: str | os.PathLike[str], *, time_unit: str | None = None
) -> xr.DataArray:
    """Read a Glotaran legacy ASCII file (time- or wavelength-explicit).

    Parameters
    ----------
    path:
        The ``.ascii`` file.
    time_unit:
        Unit of the delays (default ps, Glotaran's convention).

    Returns
    -------
    xarray.DataArray
        ``'dA'`` with dims ``('time_ps', 'wavelength_nm')``; ``attrs['format']`` is
        ``'glotaran-ascii'``, ``attrs['explicit']`` ``'time'`` or ``'wavelength'`` and
        ``attrs['header']`` the lines before the 'explicit' line.

    Raises
    ------
    InputError
        No 'Time explicit'/'Wavelength explicit' line, a bad 'Intervalnr', an axis with the
        wrong number of values, ragged rows, bad cells or axes; with file and line.
    """
    p = Path(path)
    lines = _read_lines(p)
    found = _glotaran_kind(lines)
    if found is None:
        raise InputError(
            "not a Glotaran ASCII file: no 'Time explicit' or 'Wavelength explicit' line among "
            "the first 12 lines",
            file=p,
            expected="header lines, then 'Time explicit' or 'Wavelength explicit'",
        )
    k, kind = found
    header = [s.strip() for s in lines[:k] if s.strip()]
    k += 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    count: int | None = None
    count_line: int | None = None
    if k < len(lines) and _INTERVALNR.match(lines[k]):
        token = _INTERVALNR.match(lines[k]).group(1)  # type: ignore[union-attr]
        if not token.isdigit() or int(token) < 1:
            raise InputError(
                "bad interval number",
                file=p,
                line=k + 1,
                field="Intervalnr",
                expected="a positive whole number of explicit-axis values",
                found=token,
            )
        count, count_line = int(token), k + 1
        k += 1
    # The data rows are 'label + one value per axis point'; the last row gives their width,
    # which must agree with Intervalnr and tells how many values the (possibly wrapped)
    # explicit axis has.
    remaining = [(i + 1, lines[i].strip()) for i in range(k, len(lines)) if lines[i].strip()]
    if len(remaining) < 2:
        raise InputError(
            "empty matrix: no data rows below the explicit axis",
            file=p,
            line=remaining[0][0] if remaining else len(lines),
            expected="the explicit axis, then rows of numbers",
        )
    last_line, last = remaining[-1]
    width = len(last.split())
    if count is not None and width != count + 1:
        raise InputError(
            f"Intervalnr says {count} but the last data row (line {last_line}) has "
            f"{width - 1} values after its label",
            file=p,
            line=count_line,
            field="Intervalnr",
            expected=f"{count + 1} fields in every data row",
            found=width,
        )
    expected_n = width - 1 if count is None else count
    axis_line = remaining[0][0]
    axis_tokens: list[str] = []
    used = 0
    while used < len(remaining) and len(axis_tokens) < expected_n:
        axis_tokens.extend(remaining[used][1].split())
        used += 1
    if len(axis_tokens) != expected_n:
        raise InputError(
            f"the {kind} axis has {len(axis_tokens)} values but the data rows have {expected_n}",
            file=p,
            line=axis_line,
            field="Intervalnr" if count is not None else None,
            expected=f"{expected_n} values",
            found=len(axis_tokens),
        )
    if used == len(remaining):
        raise InputError(
            "empty matrix: no data rows below the explicit axis",
            file=p,
            line=axis_line,
            expected=f"rows of {expected_n + 1} numbers",
        )
    axis = np.empty(len(axis_tokens))
    for j, tok in enumerate(axis_tokens):
        if not _NUMBER["."].match(tok):
            raise InputError(
                f"{kind} axis value {j + 1} is not a number",
                file=p,
                line=axis_line,
                expected="a number",
                found=tok,
                has_found=True,
            )
        axis[j] = float(tok)
    n = axis.size + 1
    rows: list[str] = []
    row_lines: list[int] = []
    for lineno, s in remaining[used:]:
        if not _ANY_NUMBER.match(s.split(None, 1)[0]):
            err = _locate_bad_cell(p, [s], [lineno], None, ".", _column_keys(len(s.split())))
            raise err or InputError(
                "text after or inside the matrix",
                file=p,
                line=lineno,
                expected=f"rows of {n} numbers",
                found=s[:60],
            )
        rows.append(s)
        row_lines.append(lineno)
    ref = f"the explicit axis (line {axis_line}) plus the row label, i.e. {n}"
    for row, lineno in zip(rows, row_lines, strict=True):
        width = len(row.split())
        if width != n:
            raise InputError(
                f"ragged row: it has {width} fields but {ref}",
                file=p,
                line=lineno,
                expected=f"{n} whitespace-separated fields",
                found=row[:60],
            )
    full = _parse_numeric_block(p, rows, row_lines, None, ".", _column_keys(n))
    other = full[:, 0]
    values = full[:, 1:]
    unit = _resolve_time_unit(p, time_unit, None)
    if kind == "time":
        times, wavelengths, values = axis, other, values.T
        _check_axis(p, times, "delay", axis_line, 1)
        _check_axis(p, wavelengths, "wavelength", row_lines, None)
    else:
        times, wavelengths = other, axis
        _check_axis(p, times, "delay", row_lines, None)
        _check_axis(p, wavelengths, "wavelength", axis_line, 1)
    attrs = {
        "source_file": str(p),
        "format": "glotaran-ascii",
        "explicit": kind,
        "time_unit_in_file": unit,
        "header": "\n".join(header),
    }
    return _make_dataarray(times, wavelengths, values, time_unit=unit, attrs=attrs)


class _Cursor:
    """Big-endian reader over the bytes of a .ufs file; errors name the byte offset."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data, self.pos = path, data, 0

    def _take(self, size: int, what: str) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise InputError(
                f"file ends at byte {len(self.data)} while reading {what} "
                f"({size} bytes from byte {self.pos})",
                file=self.path,
                expected="a complete Ultrafast Systems .ufs file",
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def uint(self, what: str) -> int:
        return int(struct.unpack(">I", self._take(4, what))[0])

    def string(self, what: str) -> str:
        size = self.uint(f"the length of {what}")
        return self._take(size, what).decode("utf-8", errors="replace")

    def doubles(self, count: int, what: str) -> np.ndarray:
        return np.frombuffer(self._take(8 * count, what), dtype=">f8").astype(np.float64)


def read_ufs(path: str | os.PathLike[str], *, time_unit: str | None = None) -> xr.DataArray:
    """Read an Ultrafast Systems binary ``.ufs`` file (Surface Xplorer's native format).

    The axis labels decide which axis is time (``Time``/``Delay``) and which is wavelength;
    units come from the file (``time_unit`` overrides the delay unit if the file has none).
    ``attrs['metadata']`` holds the file's metadata text.

    Raises
    ------
    InputError
        A truncated file, a matrix size that disagrees with the axes, a spectral axis not in
        nm, bad axes (NaN, duplicated, non-monotonic).
    """
    p = Path(path)
    cur = _Cursor(p, _read_bytes(p))
    if len(cur.data) < 12 or cur.data[4:11] != b"Version":
        raise InputError(
            "not an Ultrafast Systems .ufs file (no 'Version' string at the start)",
            file=p,
            expected="a .ufs file starting with 'Version2'",
            found=cur.data[:16],
        )
    version = cur.string("the version string")
    axes = []
    for k in (1, 2):
        label = cur.string(f"the label of axis {k}")
        unit = cur.string(f"the unit of axis {k}").strip()
        count = cur.uint(f"the length of axis {k}")
        values = cur.doubles(count, f"the values of axis {k}")
        axes.append((label, unit, values))
    data_label = cur.string("the data label")
    cur.uint("the reserved word before the matrix")
    nrows, ncols = cur.uint("the row count"), cur.uint("the column count")
    if (nrows, ncols) != (axes[0][2].size, axes[1][2].size):
        raise InputError(
            f"the matrix is {nrows} x {ncols} but the axes have {axes[0][2].size} and "
            f"{axes[1][2].size} values",
            file=p,
            field=f"byte {cur.pos - 8}",
            expected="matrix rows = axis 1 length, columns = axis 2 length",
        )
    matrix = cur.doubles(nrows * ncols, "the data matrix").reshape(nrows, ncols)
    metadata = cur.string("the metadata text") if cur.pos < len(cur.data) else ""

    def is_time(label: str, unit: str) -> bool:
        return bool(_TIME_WORDS.search(label)) or unit in _TIME_SECONDS

    t_first = is_time(*axes[0][:2]) and not is_time(*axes[1][:2])
    t_axis, w_axis = (axes[0], axes[1]) if t_first else (axes[1], axes[0])
    values = matrix if t_first else matrix.T
    if w_axis[1] not in ("nm", ""):
        raise InputError(
            f"the spectral axis {w_axis[0]!r} is in {w_axis[1]!r}; only nm is supported",
            file=p,
            field="wavelength unit",
            expected="nm",
            found=w_axis[1],
        )
    in_file = _time_unit(t_axis[1], p, "time unit") if t_axis[1] else None
    unit = _resolve_time_unit(p, time_unit, in_file)
    _check_axis(p, t_axis[2], "delay", None, None)
    _check_axis(p, w_axis[2], "wavelength", None, None)
    attrs = {
        "source_file": str(p),
        "format": "ufs",
        "ufs_version": version,
        "data_label": data_label,
        "time_unit_in_file": unit,
    }
    if metadata.strip():
        attrs["metadata"] = metadata.replace("\r\n", "\n").strip()
    da = _make_dataarray(t_axis[2], w_axis[2], values, time_unit=unit, attrs=attrs)
    return da


def _axis_errors_without_lines(path: Path, da: xr.DataArray) -> None:
    for dim, name in ((TIME_DIM, "delay"), (WAVELENGTH_DIM, "wavelength")):
        x = np.asarray(da[dim].values, dtype=np.float64)
        _check_axis(path, x, name, None, None)


def _read_netcdf(path: Path) -> xr.DataArray:
    obj = load_netcdf(path)
    if isinstance(obj, xr.Dataset):
        names = [str(v) for v in obj.data_vars]
        if "dA" in names:
            obj = obj["dA"]
        elif len(names) == 1:
            obj = obj[names[0]]
        else:
            raise InputError(
                "NetCDF file holds several variables and none is named 'dA'",
                file=path,
                expected="a DataArray saved by qdcat, or a Dataset with a 'dA' variable",
                found=", ".join(names),
            )
    if set(obj.dims) != {TIME_DIM, WAVELENGTH_DIM}:
        raise InputError(
            "NetCDF array has the wrong dimensions",
            file=path,
            field="dims",
            expected=f"('{TIME_DIM}', '{WAVELENGTH_DIM}')",
            found=tuple(str(d) for d in obj.dims),
        )
    for dim in (TIME_DIM, WAVELENGTH_DIM):
        if dim not in obj.coords or obj[dim].dtype.kind not in "iuf":
            raise InputError(
                f"NetCDF array has no numeric coordinate {dim!r}",
                file=path,
                field=dim,
                expected="numeric coordinate values",
            )
    if obj.dtype.kind not in "iuf":
        raise InputError(
            "NetCDF array values are not numbers",
            file=path,
            expected="float values",
            found=str(obj.dtype),
        )
    da = obj.transpose(TIME_DIM, WAVELENGTH_DIM)
    _axis_errors_without_lines(path, da)
    attrs = {k: v for k, v in da.attrs.items() if isinstance(k, str)}
    attrs.update(source_file=str(path), format="netcdf")
    return _make_dataarray(
        np.asarray(da[TIME_DIM].values, dtype=np.float64),
        np.asarray(da[WAVELENGTH_DIM].values, dtype=np.float64),
        np.asarray(da.values, dtype=np.float64),
        time_unit="ps",
        attrs=attrs,
    )


def _sniff(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".nc", ".nc4", ".netcdf", ".h5", ".hdf5"):
        return "netcdf"
    if suffix == ".ufs":
        return "ufs"
    head = _read_bytes(path, 4096)
    if head.startswith((b"\x89HDF", b"CDF\x01", b"CDF\x02")):
        return "netcdf"
    if head[4:11] == b"Version":
        return "ufs"
    text = head.decode("latin-1", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    if _glotaran_kind(text.split("\n")) is not None:
        return "glotaran-ascii"
    return "matrix"


def read_ta(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    layout: str | None = None,
    time_unit: str | None = None,
) -> xr.DataArray:
    """Read transient-absorption data in any supported format.

    Parameters
    ----------
    path:
        The data file.
    format:
        One of :data:`TA_FORMATS` (aliases: ``'glotaran'``, ``'ascii'``, ``'sx'``, ``'nc'``,
        ``'matrix'``). Default: by extension (``.nc``/``.h5`` NetCDF, ``.ufs``) and content (a
        'Time/Wavelength explicit' line means Glotaran ASCII; anything else is a text matrix,
        recorded as ``'surface-xplorer'`` when its corner cell is a number and it has one row
        per wavelength, else ``'csv'``).
    layout:
        For text matrices only: ``'time-rows'`` or ``'wavelength-rows'`` (see the module
        docstring for how it is decided when None).
    time_unit:
        Unit of the delays written in the file, if the file does not say (default ps).

    Returns
    -------
    xarray.DataArray
        ``'dA'`` with dims ``('time_ps', 'wavelength_nm')``.

    Raises
    ------
    InputError
        Unknown format, or anything the chosen reader raises.
    """
    p = Path(path)
    if format is None:
        fmt = _sniff(p)
    else:
        key = format.strip().lower().replace("_", "-").replace(" ", "-")
        if key not in _FORMAT_ALIASES:
            raise InputError(
                "unknown transient-absorption format",
                file=p,
                field="format",
                expected="one of " + ", ".join(repr(f) for f in TA_FORMATS),
                found=format,
            )
        fmt = _FORMAT_ALIASES[key]
    if layout is not None and fmt in ("glotaran-ascii", "ufs", "netcdf"):
        raise InputError(
            f"layout applies only to CSV matrices, not to {fmt} files",
            file=p,
            field="layout",
            expected="no layout",
            found=layout,
        )
    if fmt == "netcdf":
        if time_unit is not None:
            raise InputError(
                "time_unit does not apply to NetCDF files (they store time_ps)",
                file=p,
                field="time_unit",
                expected="no time_unit",
                found=time_unit,
            )
        return _read_netcdf(p)
    if fmt == "ufs":
        return read_ufs(p, time_unit=time_unit)
    if fmt == "glotaran-ascii":
        return read_glotaran_ascii(p, time_unit=time_unit)
    return _matrix_reader(
        p, layout=layout, time_unit=time_unit, fmt=None if fmt == "matrix" else fmt
    )


# --------------------------------------------------------------------------------------------
# Writer
# --------------------------------------------------------------------------------------------


def write_ta_csv(
    da: xr.DataArray,
    path: str | os.PathLike[str],
    *,
    layout: str = "time-rows",
    delimiter: str = ",",
) -> Path:
    """Write a TA DataArray as a plain CSV matrix, atomically.

    The corner cell names both axes in row-then-column order (``'time (ps) \\ wavelength
    (nm)'`` for ``layout='time-rows'``), so :func:`read_ta` reads the file back with the same
    layout whatever the axis values; numbers are written with ``repr`` (exact round trip),
    NaN as ``nan``. A comment line above the matrix records the unit of dA.

    Parameters
    ----------
    da:
        DataArray with dims ``time_ps`` and ``wavelength_nm`` (in either order).
    path:
        Target file; written via a temporary file and a rename.
    layout:
        ``'time-rows'`` (default) or ``'wavelength-rows'``.
    delimiter:
        ``','`` (default), ``';'`` or ``'\\t'``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        Not such a DataArray, infinite values, NaN coordinates, unknown layout or delimiter.
    OutputError
        The folder does not exist or the file cannot be written.
    """
    target = Path(path)
    if not isinstance(da, xr.DataArray) or set(da.dims) != {TIME_DIM, WAVELENGTH_DIM}:
        raise InputError(
            "can write only a DataArray with dims time_ps and wavelength_nm",
            file=target,
            field="da",
            expected=f"('{TIME_DIM}', '{WAVELENGTH_DIM}')",
            found=tuple(str(d) for d in da.dims) if isinstance(da, xr.DataArray) else type(da),
        )
    if layout not in _LAYOUTS:
        raise InputError(
            "unknown layout",
            file=target,
            field="layout",
            expected="'time-rows' or 'wavelength-rows'",
            found=layout,
        )
    if delimiter not in (",", ";", "\t"):
        raise InputError(
            "unknown delimiter",
            file=target,
            field="delimiter",
            expected="',', ';' or '\\t'",
            found=delimiter,
        )
    t = np.asarray(da[TIME_DIM].values, dtype=np.float64)
    w = np.asarray(da[WAVELENGTH_DIM].values, dtype=np.float64)
    v = np.asarray(da.transpose(TIME_DIM, WAVELENGTH_DIM).values, dtype=np.float64)
    for name, x in (("time_ps", t), ("wavelength_nm", w)):
        if not np.isfinite(x).all():
            raise InputError(
                f"coordinate {name} has NaN or infinite values",
                file=target,
                field=name,
                expected="finite coordinates",
            )
    if np.isinf(v).any():
        raise InputError(
            "dA has infinite values", file=target, field="dA", expected="finite values or NaN"
        )
    if layout == "time-rows":
        corner, top, side, m = "time (ps) \\ wavelength (nm)", w, t, v
    else:
        corner, top, side, m = "wavelength (nm) \\ time (ps)", t, w, v.T
    unit = str(da.attrs.get("units", "OD")) or "OD"

    def fmt(x: float) -> str:
        return repr(float(x))

    lines = [f"# qdcat transient absorption; dA in {unit}; rows \\ columns: {corner}"]
    lines.append(delimiter.join([corner, *(fmt(x) for x in top)]))
    for i, s in enumerate(side):
        lines.append(delimiter.join([fmt(s), *(fmt(x) for x in m[i])]))
    return atomic_write_text(target, "\n".join(lines) + "\n")
