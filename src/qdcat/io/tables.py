"""Tolerant reader for numeric text tables (CSV, TSV, semicolon- or whitespace-separated).

Spectrometers, transient-absorption set-ups and gas chromatographs all export "a table of
numbers" in slightly different dialects. :func:`read_frame` reads any of them into a
:class:`pandas.DataFrame` with normalised column keys; :func:`read_table` turns the result into
an :class:`xarray.DataArray` whose dimension is the first (x) column.

Dialect rules
-------------
* Lines whose first non-blank characters are ``#``, ``%``, ``;`` or ``//`` are comments; they
  and blank lines are skipped wherever they occur. Line numbers in error messages are the
  1-based physical line numbers of the file.
* The numeric block starts at the first line made only of numbers. Zero or more text lines may
  precede it; the *last* of them is the header if it has as many fields as the data rows.
  Without a header the columns are ``x, y`` (two columns) or ``x, y1, y2, ...``.
* The delimiter is detected from the data rows in the order tab, ``;``, ``,``, whitespace.
* With ``;``, tab or whitespace delimiters a comma is the decimal mark when the data contain
  one (``1,23`` is 1.23); with ``,`` as delimiter the decimal mark is ``.``. One file uses one
  decimal mark: with ``,`` as decimal mark, ``1.5`` is an error (it may be a thousands
  separator).
* A cell may be ``nan`` or ``NaN`` (kept as NaN); empty cells, ``inf`` and any other text are
  errors.
* UTF-8 (with or without byte-order mark) and UTF-16 with byte-order mark are read; anything
  else is read as latin-1.

Column keys
-----------
Header texts become snake_case keys ending in a unit suffix (see :func:`parse_header`):
``'Wavelength (nm)'`` -> ``'wavelength_nm'``, ``'Rate (umol g-1 h-1)'`` ->
``'rate_umol_g_h'``. Ordinary words are lower-cased; chemical formulas, symbols and units keep
their case (``'CO_umol'``, ``'dA_mOD'``, ``'energy_eV'``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from qdcat.core.errors import InputError
from qdcat.core.units import unit_slug

__all__ = ["UNITS", "parse_header", "read_frame", "read_table"]

# --------------------------------------------------------------------------------------------
# Units and header parsing
# --------------------------------------------------------------------------------------------

#: Recognised unit suffixes of a key (``time_ns``, ``rate_umol_g_h``) -> unit text.
#: A trailing ``_token`` of a header is taken as a unit only if it is listed here, so that
#: ``sample_name`` keeps its ``name``.
UNITS: dict[str, str] = {
    # length, wavenumber
    "nm": "nm",
    "um": "um",
    "mm": "mm",
    "cm": "cm",
    "m": "m",
    "cm1": "cm-1",
    # energy
    "eV": "eV",
    "meV": "meV",
    "J": "J",
    "mJ": "mJ",
    "uJ": "uJ",
    "nJ": "nJ",
    # time and rates
    "fs": "fs",
    "ps": "ps",
    "ns": "ns",
    "us": "us",
    "ms": "ms",
    "s": "s",
    "min": "min",
    "h": "h",
    "s1": "s-1",
    # temperature, field, angle
    "K": "K",
    "C": "C",
    "degC": "°C",
    "mT": "mT",
    "G": "G",
    "T": "T",
    "deg": "deg",
    # mass, amount, concentration, volume, pressure
    "ug": "ug",
    "mg": "mg",
    "g": "g",
    "kg": "kg",
    "nmol": "nmol",
    "umol": "umol",
    "mmol": "mmol",
    "mol": "mol",
    "nM": "nM",
    "uM": "uM",
    "mM": "mM",
    "M": "M",
    "uL": "uL",
    "mL": "mL",
    "L": "L",
    "ppm": "ppm",
    "Pa": "Pa",
    "kPa": "kPa",
    "mbar": "mbar",
    "bar": "bar",
    # amount per time (per mass)
    "umol_h": "umol h-1",
    "mmol_h": "mmol h-1",
    "umol_g_h": "umol g-1 h-1",
    "mmol_g_h": "mmol g-1 h-1",
    "umol_g": "umol g-1",
    # power, irradiance
    "uW": "uW",
    "mW": "mW",
    "W": "W",
    "mW_cm2": "mW cm-2",
    "W_cm2": "W cm-2",
    "W_m2": "W m-2",
    # electrical, frequency
    "V": "V",
    "mV": "mV",
    "mA": "mA",
    "uA": "uA",
    "Hz": "Hz",
    "kHz": "kHz",
    "MHz": "MHz",
    "GHz": "GHz",
    # signals
    "counts": "counts",
    "cps": "cps",
    "au": "a.u.",
    "OD": "OD",
    "mOD": "mOD",
    "pct": "%",
}

# Lower-case spelling -> canonical key, for keys of two or more characters whose lower-case
# form is unambiguous (``energy_ev`` -> eV, but ``nm``/``nM`` must be spelt exactly).
_UNITS_LOWER: dict[str, str] = {}
for _k in UNITS:
    if len(_k) >= 2:
        _UNITS_LOWER.setdefault(_k.lower(), _k)
for _k in list(_UNITS_LOWER):
    if sum(1 for u in UNITS if u.lower() == _k) > 1:
        del _UNITS_LOWER[_k]

# Base unit tokens (no exponent) used to recognise a unit written after '/' or ', '.
_UNIT_TOKENS = {k for k in UNITS if "_" not in k} | {"a.u.", "%", "°C", "°"}

# Element symbols keep their capitalisation ('Cu', 'In', 'Zn'); other capitalised words are
# ordinary words and are lower-cased ('Wavelength' -> 'wavelength').
_ELEMENT_SYMBOLS = """
    H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge
    As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu
    Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu
    """
_ELEMENTS = frozenset(_ELEMENT_SYMBOLS.split())

#: Abbreviations of quantities that are spelt out in keys.
_ALIASES = {
    "abs": "absorbance",
    "absorbance": "absorbance",
    "wl": "wavelength",
    "lambda": "wavelength",
}

_TRANSLATE = str.maketrans(
    {
        "µ": "u",  # micro sign
        "μ": "u",  # Greek mu
        "Δ": "d",
        "λ": "lambda",
        "²": "2",
        "³": "3",
        "⁻": "-",
        "¹": "1",
        "·": " ",
        "⋅": " ",
        "×": " ",
        "Å": "A",
    }
)

_BRACKET_UNIT = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_UNIT_TOKEN = re.compile(r"^([A-Za-z°%]+)\^?([+-]?\d+)?$")


def _clean_text(text: str) -> str:
    """Strip blanks and quotes, map micro signs, superscripts and Greek letters to ASCII."""
    text = text.strip().strip("\"'").strip()
    return text.translate(_TRANSLATE)


def _is_unit_text(text: str) -> bool:
    """True if ``text`` (written after '/' or ', ') is made only of recognised unit factors."""
    text = text.strip()
    if not text:
        return False
    if unit_slug(text) in UNITS:
        return True
    for tok in re.split(r"[\s/*]+", text):
        m = _UNIT_TOKEN.match(tok)
        if tok and (m is None or m.group(1) not in _UNIT_TOKENS) and tok not in _UNIT_TOKENS:
            return False
    return True


def _match_unit_suffix(tokens: list[str]) -> tuple[int, str] | None:
    """Longest trailing run of ``tokens`` (leaving at least one) that is a recognised unit."""
    for k in (3, 2, 1):
        if len(tokens) <= k:
            continue
        joined = "_".join(tokens[-k:])
        key = joined if joined in UNITS else _UNITS_LOWER.get(joined.lower())
        if key is not None:
            return k, key
    return None


def _snake(text: str) -> str:
    """Quantity text as snake_case, lower-casing ordinary words only."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[A-Za-z0-9]+", text)
    out = [
        w.lower() if re.fullmatch(r"[A-Z]?[a-z]+", w) and w not in _ELEMENTS else w for w in words
    ]
    key = "_".join(out)
    return _ALIASES.get(key, key)


def parse_header(text: str) -> tuple[str, str, str]:
    """Split a column header into ``(key, quantity, unit)``.

    The unit may be written in parentheses or brackets (``'Wavelength (nm)'``,
    ``'wavelength [nm]'``), after a slash (``'Time/ps'``), after a comma (``'Time, ps'``) or as a
    recognised trailing ``_token`` (``'time_ns'``, ``'CO_umol'``, ``'rate_umol_g_h'``; see
    :data:`UNITS`). The key is ``quantity`` plus ``_`` plus the unit slug.

    Examples
    --------
    >>> parse_header("Wavelength (nm)")
    ('wavelength_nm', 'wavelength', 'nm')
    >>> parse_header("Rate (umol g-1 h-1)")
    ('rate_umol_g_h', 'rate', 'umol g-1 h-1')
    >>> parse_header("Abs")
    ('absorbance', 'absorbance', '')
    >>> parse_header("sample_name")
    ('sample_name', 'sample_name', '')

    Returns
    -------
    key:
        snake_case identifier with the unit suffix; ``''`` if the text has no letters or digits.
    quantity:
        The key without the unit suffix (used as ``long_name``).
    unit:
        Unit text as written (micro signs as ``u``), or ``''`` when there is none.
    """
    raw = _clean_text(text)
    quantity_text, unit = raw, ""
    m = _BRACKET_UNIT.match(raw)
    if m and m.group(1).strip():
        quantity_text, unit = m.group(1), m.group(2).strip()
    else:
        for sep in ("/", ", "):
            if sep in raw:
                head, tail = raw.split(sep, 1)
                if head.strip() and _is_unit_text(tail):
                    quantity_text, unit = head, tail.strip()
                    break
        else:
            tokens = [t for t in re.split(r"_+", raw) if t]
            found = _match_unit_suffix(tokens)
            if found is not None:
                k, unit_key = found
                quantity_text, unit = "_".join(tokens[:-k]), UNITS[unit_key]
    quantity = _snake(quantity_text)
    slug = unit_slug(unit) if unit else ""
    if not quantity:
        # e.g. '(nm)' alone: keep what there is rather than inventing a quantity
        return slug, slug, unit
    return (f"{quantity}_{slug}" if slug else quantity), quantity, unit


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

_DELIMITERS = ("\t", ";", ",", None)  # None = runs of whitespace
_DELIMITER_NAMES = {"\t": "tab", ";": "';'", ",": "','", None: "whitespace"}
_DELIMITER_ALIASES: dict[str, str | None] = {
    "\t": "\t",
    "tab": "\t",
    "\\t": "\t",
    ";": ";",
    ",": ",",
    " ": None,
    "whitespace": None,
    "\\s+": None,
}
_NUMBER = {
    ".": re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^(?:nan|NaN)$"),
    ",": re.compile(r"^[+-]?(?:\d+(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$|^(?:nan|NaN)$"),
}
_ANY_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$|^(?:nan|NaN)$")
_COMMENT_STARTS = ("#", "%", ";", "//")
_SAMPLE_ROWS = 20


def _decode(path: Path, data: bytes) -> str:
    """Bytes to text: UTF-8 (BOM tolerated), UTF-16 with BOM, else latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(
                "cannot decode the file as UTF-16 although it starts with a UTF-16 byte-order mark",
                file=path,
                expected="a text file",
            ) from exc
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if "\x00" in text:
        raise InputError(
            "file contains NUL bytes; it is not a text table",
            file=path,
            expected="a text file (CSV, TSV or whitespace-separated)",
        )
    return text


def _split(line: str, delim: str | None, *, trailing: bool = True) -> list[str]:
    """Fields of a stripped line; a single trailing delimiter is ignored if ``trailing``."""
    if delim is None:
        return line.split()
    if trailing and line.endswith(delim):
        line = line[: -len(delim)]
    return [f.strip() for f in line.split(delim)]


def _unquote(field: str) -> str:
    return field[1:-1].strip() if len(field) >= 2 and field[0] == field[-1] == '"' else field


def _numeric_under(line: str, delim: str | None, decimal: str | None) -> bool:
    """True if ``line`` splits with ``delim`` into numbers only."""
    if delim is not None and delim not in line:
        return False
    if delim == "," and decimal == ",":
        return False
    pattern = _ANY_NUMBER if decimal is None else _NUMBER[decimal]
    if delim == "," and decimal is None:
        pattern = _NUMBER["."]
    fields = _split(line, delim)
    return bool(fields) and all(pattern.match(_unquote(f)) for f in fields)


def _is_numeric(line: str, delims: Sequence[str | None], decimal: str | None) -> bool:
    return any(_numeric_under(line, d, decimal) for d in delims)


def _width(line: str, delims: Sequence[str | None], decimal: str | None) -> int:
    """Number of fields of a numeric line under the first delimiter that fits (0 if none)."""
    for d in delims:
        if _numeric_under(line, d, decimal):
            return len(_split(line, d))
    return 0


def _header_fields(line: str, delim: str | None, n: int) -> list[str] | None:
    """Header fields of ``line`` if there are ``n`` of them, else None.

    With whitespace as delimiter a parenthesised or bracketed unit stays with its name
    (``'Wavelength (nm) Abs'`` has two fields), and runs of two or more blanks or tabs are also
    tried as separators.
    """
    if delim is not None:
        fields = [_unquote(f) for f in _split(line, delim)]
        return fields if len(fields) == n else None
    merged: list[str] = []
    depth = 0
    for tok in line.split():
        if merged and (depth > 0 or tok[0] in "(["):
            merged[-1] += " " + tok
        else:
            merged.append(tok)
        depth = max(0, depth + tok.count("(") + tok.count("[") - tok.count(")") - tok.count("]"))
    for fields in (merged, re.split(r"\t|\s{2,}", line), line.split()):
        if len(fields) == n:
            return [_unquote(f.strip()) for f in fields]
    return None


def _normalise_delimiter(path: Path, delimiter: str | None) -> tuple[bool, str | None]:
    """(given, delimiter); delimiter None means whitespace."""
    if delimiter is None:
        return False, None
    if delimiter not in _DELIMITER_ALIASES:
        raise InputError(
            "unknown delimiter",
            file=path,
            field="delimiter",
            expected="one of ',', ';', '\\t' (or 'tab'), ' ' (or 'whitespace')",
            found=delimiter,
        )
    return True, _DELIMITER_ALIASES[delimiter]


def _locate_bad_cell(
    path: Path,
    rows: list[str],
    line_numbers: list[int],
    delim: str | None,
    decimal: str,
    keys: list[str],
    start: int = 0,
) -> InputError | None:
    """Error for the first cell (from row ``start`` on) that is not a finite number."""
    pattern = _NUMBER[decimal]
    for i in range(start, len(rows)):
        for j, cell in enumerate(_split(rows[i], delim, trailing=False)):
            value = _unquote(cell)
            if pattern.match(value):
                continue
            hint = ""
            if decimal == "," and "." in value:
                hint = " (this file uses ',' as decimal mark)"
            elif decimal == "." and "," in value and delim != ",":
                hint = " (this file uses '.' as decimal mark)"
            what = "empty cell" if value == "" else "cell is not a number"
            return InputError(
                f"column {j + 1}: {what}{hint}",
                file=path,
                line=line_numbers[i],
                field=keys[j],
                expected=f"a number with decimal mark {decimal!r}, or nan",
                found=value,
                has_found=True,
            )
    return None


def _default_keys(n: int) -> list[str]:
    """Column keys of a table without header: x, y or x, y1, y2, ..."""
    return (["x", "y"] if n == 2 else ["x"] + [f"y{j}" for j in range(1, n)])[:n]


def _bad_row_without_data(
    path: Path, content: list[tuple[int, str]], delims: Sequence[str | None], decimal: str | None
) -> InputError | None:
    """When no row is all numbers: the first row that starts with a number, as a bad row."""
    for lineno, line in content:
        for d in delims:
            if d is not None and d not in line:
                continue
            fields = _split(line, d)
            if len(fields) >= 2 and _ANY_NUMBER.match(_unquote(fields[0])):
                dec = decimal or ("," if d != "," and "," in line else ".")
                return _locate_bad_cell(path, [line], [lineno], d, dec, _default_keys(len(fields)))
    return None


def _parse_numeric_block(
    path: Path,
    rows: list[str],
    line_numbers: list[int],
    delim: str | None,
    decimal: str,
    keys: list[str],
) -> np.ndarray:
    """Vectorised parse of equal-width numeric rows; errors name the first bad cell.

    Shared by :func:`read_frame` and the TA matrix readers (:mod:`qdcat.io.ta`).
    """
    n = len(keys)
    body = "\n".join(rows)
    if '"' in body:
        body = body.replace('"', "")
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            sep=r"\s+" if delim is None else delim,
            header=None,
            names=list(range(n)),
            decimal=decimal,
            dtype=np.float64,
            keep_default_na=False,
            na_values=["nan", "NaN"],
            skipinitialspace=True,
            quoting=csv.QUOTE_NONE,
            engine="c",
            skip_blank_lines=False,
        )
        values = frame.to_numpy(dtype=np.float64)
        problem: object = None
    except (ValueError, TypeError, pd.errors.ParserError) as exc:
        values, problem = np.empty((0, n)), exc
    if problem is not None or values.shape != (len(rows), n):
        err = _locate_bad_cell(path, rows, line_numbers, delim, decimal, keys)
        raise err or InputError(
            f"cannot parse the numeric block: {problem or 'unexpected row count'}",
            file=path,
            line=line_numbers[0],
        )
    infinite = np.flatnonzero(np.isinf(values).any(axis=1))
    if infinite.size:
        start = int(infinite[0])
        err = _locate_bad_cell(path, rows, line_numbers, delim, decimal, keys, start)
        raise err or InputError(
            "infinite value", file=path, line=line_numbers[start], found=rows[start]
        )
    return values


def read_frame(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read a numeric text table into a DataFrame of float64 columns.

    Parameters
    ----------
    path:
        The text file.
    delimiter:
        ``','``, ``';'``, ``'\\t'`` (or ``'tab'``), ``' '`` (or ``'whitespace'``, meaning runs
        of blanks and tabs); detected from the data rows when None.
    decimal:
        ``'.'`` or ``','``; detected when None (``','`` only if the delimiter is not a comma and
        the data rows contain commas).

    Returns
    -------
    pandas.DataFrame
        Columns named by normalised keys (:func:`parse_header`) in file order, values in the
        file's units, index ``'line'`` = the 1-based line number of each data row. ``attrs``:
        ``source_file`` (str), ``units`` ({key: unit text, ``''`` if none}), ``quantities``
        ({key: quantity}), ``header_line`` (1-based line number, or None), ``delimiter``
        (``'\\t'``, ``';'``, ``','`` or ``'whitespace'``) and ``decimal``.

    Raises
    ------
    InputError
        Missing or unreadable file, no numeric rows, a row with a different number of fields
        (ragged), a cell that is not a number, or two columns with the same key.
    """
    path = Path(path)
    given, delim = _normalise_delimiter(path, delimiter)
    if decimal not in (None, ".", ","):
        raise InputError(
            "unknown decimal mark",
            file=path,
            field="decimal",
            expected="'.' or ','",
            found=decimal,
        )
    if given and delim == "," and decimal == ",":
        raise InputError(
            "a comma cannot be both delimiter and decimal mark",
            file=path,
            field="decimal",
            expected="'.' with delimiter ','",
            found=decimal,
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("file not found", file=path, expected="an existing file") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", file=path, expected="a text file") from exc
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=path) from exc
    text = _decode(path, data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    # Content lines (not blank, not comment) with their 1-based line numbers.
    stripped = [ln.strip() for ln in lines]
    content = [
        (i + 1, s) for i, s in enumerate(stripped) if s and not s.startswith(_COMMENT_STARTS)
    ]
    if not content:
        raise InputError(
            "file is empty (no data rows, only blank or comment lines)",
            file=path,
            expected="rows of numbers",
        )

    # First numeric line.
    candidates: tuple[str | None, ...] = (delim,) if given else _DELIMITERS
    first = next(
        (k for k, (_, s) in enumerate(content) if _is_numeric(s, candidates, decimal)), None
    )
    if first is None:
        bad_row = _bad_row_without_data(path, content, candidates, decimal)
        if bad_row is not None:
            raise bad_row
        lineno, s = content[0]
        raise InputError(
            "no numeric data rows; the file has only text lines, starting with this one",
            file=path,
            line=lineno,
            expected="rows of numbers after an optional header",
            found=s,
        )
    if first + 1 < len(content) and _width(content[first][1], candidates, decimal) == 1 < (
        _width(content[first + 1][1], candidates, decimal)
    ):
        # A lone number before the table (e.g. a point count) belongs to the preamble.
        first += 1
    preamble = content[:first]
    block = content[first:]
    rows = [s for _, s in block]
    line_numbers = [n for n, _ in block]

    # Delimiter: the first candidate under which the sample rows are all numeric, else the
    # first under which the first data row is.
    if not given:
        sample = rows[:_SAMPLE_ROWS]
        delim = next(
            (d for d in _DELIMITERS if all(_numeric_under(r, d, decimal) for r in sample)),
            next(d for d in _DELIMITERS if _numeric_under(rows[0], d, decimal)),
        )
    # A trailing delimiter on every row is a dialect (some exporters end rows with ';'): it is
    # removed when the first data row has one; otherwise 'x;' is a row with an empty cell.
    if delim is not None and rows[0].endswith(delim):
        cut = len(delim)
        rows = [r[:-cut] if r.endswith(delim) else r for r in rows]
    body = "\n".join(rows)
    if decimal is None:
        decimal = "," if delim != "," and "," in body else "."

    # Field counts (ragged rows).
    if delim is None:
        counts = np.fromiter((len(r.split()) for r in rows), dtype=np.int64, count=len(rows))
    else:
        counts = np.fromiter((r.count(delim) + 1 for r in rows), dtype=np.int64, count=len(rows))
    n = int(counts[0])

    # Header: the last text line before the data, if it has as many fields as the first data
    # row (or as most of the first rows, so that a ragged first row is reported as such).
    header_line: int | None = None
    texts: list[str] | None = None
    if preamble:
        last_no, last = preamble[-1]
        widths, freq = np.unique(counts[:_SAMPLE_ROWS], return_counts=True)
        for cand in dict.fromkeys((n, int(widths[np.argmax(freq)]))):
            texts = _header_fields(last, delim, cand)
            if texts is not None:
                header_line, n = last_no, cand
                break
        if texts is not None and _ANY_NUMBER.match(texts[0]):
            # '1,abc' before '2,3': a data row with a bad cell, not a header.
            above = _header_fields(preamble[-2][1], delim, n) if len(preamble) > 1 else None
            names = [parse_header(t)[0] for t in above] if above else _default_keys(n)
            err = _locate_bad_cell(path, [last], [last_no], delim, decimal, names)
            if err is not None:
                raise err
    if texts is not None and header_line is not None:
        parsed = [parse_header(t) for t in texts]
        keys = [p[0] or f"col{j + 1}" for j, p in enumerate(parsed)]
        quantities = [p[1] or keys[j] for j, p in enumerate(parsed)]
        units = [p[2] for p in parsed]
        seen: dict[str, int] = {}
        for j, key in enumerate(keys):
            if key in seen:
                raise InputError(
                    f"columns {seen[key] + 1} ({texts[seen[key]]!r}) and {j + 1} "
                    f"({texts[j]!r}) both become the key {key!r}",
                    file=path,
                    line=header_line,
                    field=key,
                    expected="distinct column names",
                    found=texts[j],
                )
            seen[key] = j
    else:
        keys = _default_keys(n)
        quantities = list(keys)
        units = [""] * n

    bad = np.flatnonzero(counts != n)
    if bad.size:
        i = int(bad[0])
        ref = (
            f"the header (line {header_line})"
            if header_line is not None
            else f"the first data row (line {line_numbers[0]})"
        )
        raise InputError(
            f"row has {int(counts[i])} field{'s' if counts[i] != 1 else ''} but {ref} has {n}",
            file=path,
            line=line_numbers[i],
            expected=f"{n} fields separated by {_DELIMITER_NAMES[delim]}",
            found=rows[i],
        )

    values = _parse_numeric_block(path, rows, line_numbers, delim, decimal, keys)

    df = pd.DataFrame(
        values,
        columns=pd.Index(keys),
        index=pd.Index(np.asarray(line_numbers, dtype=np.int64), name="line"),
    )
    df.attrs = {
        "source_file": str(path),
        "units": dict(zip(keys, units, strict=True)),
        "quantities": dict(zip(keys, quantities, strict=True)),
        "header_line": header_line,
        "delimiter": "whitespace" if delim is None else delim,
        "decimal": decimal,
    }
    return df


def _pick(
    path: Path, df: pd.DataFrame, key: str | None, role: str, exclude: str | None = None
) -> str | None:
    """Validate a column key chosen by the caller (None stays None)."""
    if key is None:
        return None
    available = [str(c) for c in df.columns]
    if key not in available:
        raise InputError(
            f"no column {key!r} for {role}; available keys: {', '.join(available)}",
            file=path,
            field=role,
            expected="one of " + ", ".join(repr(c) for c in available),
            found=key,
        )
    if key == exclude:
        raise InputError(
            f"column {key!r} is already the x column",
            file=path,
            field=role,
            expected="a key other than x: " + ", ".join(c for c in available if c != exclude),
            found=key,
        )
    return key


def read_table(
    path: str | os.PathLike[str],
    *,
    x: str | None = None,
    y: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> xr.DataArray:
    """Read a text table (see :func:`read_frame`) as a DataArray over its x column.

    Parameters
    ----------
    path:
        The text file.
    x:
        Key of the coordinate column (default: the first column).
    y:
        Key of the value column. Default: the other column of a two-column file; with more
        columns, all other columns as a 2-D array.
    delimiter, decimal:
        Passed to :func:`read_frame`.

    Returns
    -------
    xarray.DataArray
        One value column: 1-D, named by the y key, dimension and coordinate named by the x key
        (e.g. ``'wavelength_nm'``). Several value columns: 2-D with dims ``(x_key, 'column')``,
        coordinate ``'column'`` = the value keys in file order and ``'unit'`` (along
        ``'column'``) = their units; the array is named after the file stem. Coordinate attrs
        ``{'units', 'long_name'}``; array attrs ``{'units', 'long_name', 'source_file'}``
        (for 2-D, ``units``/``long_name`` are set only when all value columns share them,
        otherwise ``''``). Values are in the units written in the file.

    Raises
    ------
    InputError
        Everything :func:`read_frame` raises; fewer than two columns; an unknown ``x`` or ``y``
        key (the message lists the available keys); a NaN in the x column.
    """
    p = Path(path)
    df = read_frame(p, delimiter=delimiter, decimal=decimal)
    units: dict[str, str] = df.attrs["units"]
    quantities: dict[str, str] = df.attrs["quantities"]
    if df.shape[1] < 2:
        raise InputError(
            "table has only one column",
            file=p,
            line=int(df.index[0]),
            expected="at least two columns (x and y)",
            found=f"1 column {df.columns[0]!r}",
        )
    x_key = _pick(p, df, x, "x") or str(df.columns[0])
    y_key = _pick(p, df, y, "y", exclude=x_key)

    xv = df[x_key].to_numpy()
    nan_rows = np.flatnonzero(np.isnan(xv))
    if nan_rows.size:
        line = int(df.index[nan_rows[0]])
        raise InputError(
            "the x column contains NaN",
            file=p,
            line=line,
            field=x_key,
            expected="a number in every row of the x column",
            found="nan",
        )
    coord = xr.Variable((x_key,), xv, attrs={"units": units[x_key], "long_name": quantities[x_key]})
    source = df.attrs["source_file"]
    value_keys = [y_key] if y_key else [str(c) for c in df.columns if c != x_key]
    if len(value_keys) == 1:
        key = value_keys[0]
        return xr.DataArray(
            df[key].to_numpy(),
            dims=(x_key,),
            coords={x_key: coord},
            name=key,
            attrs={"units": units[key], "long_name": quantities[key], "source_file": source},
        )
    value_units = {units[k] for k in value_keys}
    value_names = {quantities[k] for k in value_keys}
    return xr.DataArray(
        df[value_keys].to_numpy(),
        dims=(x_key, "column"),
        coords={
            x_key: coord,
            "column": ("column", np.array(value_keys, dtype=str)),
            "unit": ("column", np.array([units[k] for k in value_keys], dtype=str)),
        },
        name=p.stem,
        attrs={
            "units": value_units.pop() if len(value_units) == 1 else "",
            "long_name": value_names.pop() if len(value_names) == 1 else "",
            "source_file": source,
        },
    )
