"""Readers for time-correlated single-photon counting (TCSPC) decays.

Every reader returns a 1-D :class:`xarray.DataArray` named ``'counts'`` with dim ``'time_ns'``
(coordinate in ns, ascending, attrs ``units``/``long_name``), float64 photon counts and attrs
``units`` (``'counts'``, or the unit a text header gives the counts column, e.g. ``'cps'``),
``source_file``, ``format`` and ``channel_width_ns`` (the median time step).

Supported formats
-----------------
``'text'`` (:func:`read_decay`)
    Two columns, time and counts, in any dialect of :func:`qdcat.io.read_frame` (CSV, TSV,
    ';' with decimal commas, whitespace; header and comment lines), e.g. Becker & Hickl SPCM
    ``.asc``/``.kin`` exports or PicoQuant ``.dat`` exports reduced to one curve. The time unit
    comes from the header (``time (ps)``, ``t/ns``, ``Time_us``, ... : fs, ps, ns, us, ms, s),
    else from ``time_unit``, else ns; times are converted to ns. Exports that print times with
    too few decimals (SPCM writes 0.8 ps channels as ``0.001, 0.002, 0.002, ...``) repeat
    times; when the repeats are exactly what rounding a uniform grid to the printed decimals
    gives, the uniform grid is rebuilt by least squares and ``attrs['time_axis_rebuilt']`` is
    1. Any other repeated or decreasing time is an error.
``'sdt'`` (:func:`read_sdt`)
    Becker & Hickl SPC ``.sdt`` files ("SPC Setup & Data", "SPC FCS Data" and "SPC DLL Data"),
    parsed here from the documented layout (bh ``SPC_data_file_structure.h``, as also read by
    the ``sdtfile`` package): a 42-byte file header (checked by ``header_valid == 0x5555`` or
    its word checksum 0x55AA), the ``*IDENTIFICATION`` text, measurement-description blocks
    (``tac_r``, ``tac_g``, ``adc_re`` give the channel width ``tac_r / (tac_g * adc_re)``)
    and data blocks (16- or 32-bit integer or float64 counts, optionally zip-compressed; old
    and new block-header layouts). A block holding several curves (pages, routing channels,
    pixels) is split into curves of ``adc_re`` channels; ``block`` and ``curve`` choose one.
``'phu'`` and ``'ptu'`` (:func:`read_phu`, :func:`read_ptu`)
    PicoQuant histogram (``.phu``) and T3 time-tagged (``.ptu``) files through the optional
    package ``ptufile`` (``pip install 'qdcat[tcspc]'``). For ``.ptu`` the photons are
    histogrammed over one sync period.

:func:`read_tcspc` dispatches by extension; :func:`read_irf` reads an instrument response the
same way (name ``'irf'``).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdcat.core.errors import InputError, MissingDependencyError
from qdcat.io.ta import _read_bytes
from qdcat.io.tables import read_frame

__all__ = [
    "TCSPC_FORMATS",
    "read_decay",
    "read_irf",
    "read_phu",
    "read_ptu",
    "read_sdt",
    "read_tcspc",
]

#: Format names of :func:`read_tcspc`.
TCSPC_FORMATS = ("text", "sdt", "phu", "ptu")
TIME_DIM = "time_ns"

_NS_PER_UNIT = {"fs": 1e-6, "ps": 1e-3, "ns": 1.0, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6}
_NS_PER_UNIT["s"] = 1e9


def _make_decay(
    times_ns: np.ndarray, counts: np.ndarray, *, name: str, attrs: dict[str, Any]
) -> xr.DataArray:
    t = np.asarray(times_ns, dtype=np.float64)
    width = float(np.median(np.diff(t))) if t.size > 1 else float("nan")
    return xr.DataArray(
        np.asarray(counts, dtype=np.float64),
        dims=(TIME_DIM,),
        coords={TIME_DIM: (TIME_DIM, t, {"units": "ns", "long_name": "time"})},
        name=name,
        attrs={
            "units": "counts",
            "long_name": "photon counts",
            **attrs,
            "channel_width_ns": width,
        },
    )


# --------------------------------------------------------------------------------------------
# Text (two columns)
# --------------------------------------------------------------------------------------------


def _decimals(t: np.ndarray) -> int | None:
    """Fewest decimals that print every value of ``t`` exactly (None if more than 12)."""
    scale = np.maximum(np.abs(t), 1.0)
    for k in range(13):
        q = 10.0**k
        if np.all(np.abs(t * q - np.round(t * q)) <= 1e-9 * scale * q):
            return k
    return None


def _rebuild_rounded_grid(t: np.ndarray) -> np.ndarray | None:
    """Uniform grid whose rounding gives ``t`` (non-decreasing with repeats), else None."""
    k = _decimals(t)
    if k is None or t.size < 3:
        return None
    # Rounding moves a value by at most half a printed digit; 1 % slack covers the error of
    # the fitted slope.
    half = 0.5 * 10.0**-k * 1.01 + 1e-12 * max(1.0, float(np.abs(t).max()))
    i = np.arange(t.size, dtype=np.float64)
    # Prefer the grid through the first printed value when that fits, else the least-squares
    # slope with the intercept centred in the band of residuals.
    slope0 = float(np.dot(i, t - t[0]) / np.dot(i, i))
    dt = float(np.polyfit(i, t, 1)[0])
    residual = t - dt * i
    centred = 0.5 * float(residual.max() + residual.min())
    for start, step in ((float(t[0]), slope0), (centred, dt)):
        grid = start + step * i
        if step > 0 and np.max(np.abs(grid - t)) <= half:
            return grid
    return None


def read_decay(
    path: str | os.PathLike[str],
    *,
    time_unit: str | None = None,
    counts: str | None = None,
    name: str = "counts",
) -> xr.DataArray:
    """Read a decay (or an IRF) from a two-column text table: time, counts.

    Parameters
    ----------
    path:
        The text file (any dialect :func:`qdcat.io.read_frame` reads).
    time_unit:
        Unit of the time column when the header does not name one (fs, ps, ns, us, ms, s;
        default ns). It must agree with a unit in the header.
    counts:
        Key of the counts column when the file has more than two columns (default: the second
        column of a two-column file).
    name:
        Name of the returned array.

    Returns
    -------
    xarray.DataArray
        1-D over ``time_ns``; ``attrs['format']`` is ``'text'``, ``attrs['time_unit_in_file']``
        the unit used.

    Raises
    ------
    InputError
        Everything :func:`read_frame` raises; fewer than two columns, several value columns
        without ``counts``, a non-time unit in the header, NaN times or counts, repeated or
        decreasing times (with the line).
    """
    p = Path(path)
    df = read_frame(p)
    keys = [str(c) for c in df.columns]
    lines = [int(n) for n in df.index]
    if len(keys) < 2:
        raise InputError(
            "decay file has only one column",
            file=p,
            line=lines[0],
            expected="two columns: time and counts",
            found=f"1 column {keys[0]!r}",
        )
    if counts is None:
        if len(keys) > 2:
            raise InputError(
                f"decay file has {len(keys)} columns; say which holds the counts",
                file=p,
                field="counts",
                expected="counts= one of " + ", ".join(repr(k) for k in keys[1:]),
            )
        y_key = keys[1]
    elif counts in keys[1:]:
        y_key = counts
    else:
        raise InputError(
            f"no column {counts!r}",
            file=p,
            field="counts",
            expected="one of " + ", ".join(repr(k) for k in keys[1:]),
            found=counts,
        )
    x_key = keys[0]
    header_unit = df.attrs["units"].get(x_key, "")
    if header_unit and header_unit not in _NS_PER_UNIT:
        raise InputError(
            f"the time column {x_key!r} is in {header_unit!r}, not a time unit",
            file=p,
            line=df.attrs["header_line"],
            field=x_key,
            expected="a time unit: fs, ps, ns, us, ms or s",
            found=header_unit,
        )
    if time_unit is not None and time_unit not in _NS_PER_UNIT:
        raise InputError(
            "unknown time unit",
            file=p,
            field="time_unit",
            expected="one of fs, ps, ns, us, ms, s",
            found=time_unit,
        )
    if time_unit is not None and header_unit and time_unit != header_unit:
        raise InputError(
            f"time_unit={time_unit!r} contradicts the header unit {header_unit!r}",
            file=p,
            line=df.attrs["header_line"],
            field="time_unit",
            expected=f"{header_unit!r} or no time_unit",
            found=time_unit,
        )
    unit = header_unit or time_unit or "ns"
    counts_unit = df.attrs["units"].get(y_key, "") or "counts"
    t = df[x_key].to_numpy(dtype=np.float64)
    y = df[y_key].to_numpy(dtype=np.float64)
    for key, values in ((x_key, t), (y_key, y)):
        nan = np.flatnonzero(np.isnan(values))
        if nan.size:
            raise InputError(
                f"column {key!r} contains NaN",
                file=p,
                line=lines[int(nan[0])],
                field=key,
                expected="a number in every row",
                found="nan",
            )
    attrs: dict[str, Any] = {"source_file": str(p), "format": "text", "time_unit_in_file": unit}
    d = np.diff(t)
    if np.any(d <= 0):
        grid = _rebuild_rounded_grid(t) if np.all(d >= 0) else None
        if grid is None:
            i = int(np.flatnonzero(d <= 0)[0]) + 1
            what = "repeated" if d[i - 1] == 0 else "decreasing"
            raise InputError(
                f"{what} time at index {i}: {t[i]:g} after {t[i - 1]:g}",
                file=p,
                line=lines[i],
                field=x_key,
                expected="strictly increasing times",
                found=float(t[i]),
            )
        t = grid
        attrs["time_axis_rebuilt"] = 1
    attrs["units"] = counts_unit
    return _make_decay(t * _NS_PER_UNIT[unit], y, name=name, attrs=attrs)


# --------------------------------------------------------------------------------------------
# Becker & Hickl .sdt
# --------------------------------------------------------------------------------------------

_SDT_HEADER = struct.Struct("<hihiHihIihhHIHH")  # bhfile_header, 42 bytes
_SDT_BLOCK_NEW = struct.Struct("<BBIIHhII")  # BHFileBlockHeader, revision >= 15
_SDT_BLOCK_OLD = struct.Struct("<hiiHhII")  # BHFileBlockHeader, revision < 15
_SDT_IDS = ("SPC Setup & Data File", "SPC FCS Data File", "SPC DLL Data File")
_SDT_DTYPES = {0x000: np.dtype("<u2"), 0x100: np.dtype("<u4"), 0x200: np.dtype("<f8")}
# MeasureInfo fields used here: (offset, struct format)
_MI_FIELDS = {
    "time": (0, "9s"),
    "date": (9, "11s"),
    "mod_ser_no": (20, "16s"),
    "tac_r": (64, "<f"),
    "tac_g": (68, "<h"),
    "adc_re": (82, "<h"),
    "col_t": (92, "<f"),
    "mod_type": (117, "16s"),
}


def _sdt_error(path: Path, message: str, **kw: Any) -> InputError:
    return InputError(
        message, file=path, expected=kw.pop("expected", "a Becker & Hickl .sdt file"), **kw
    )


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1").strip()


def _sdt_measure_info(path: Path, data: bytes, offset: int, length: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (pos, fmt) in _MI_FIELDS.items():
        size = struct.calcsize(fmt)
        if pos + size > length or offset + pos + size > len(data):
            continue
        (value,) = struct.unpack_from(fmt, data, offset + pos)
        out[key] = _text(value) if isinstance(value, bytes) else value
    for key in ("tac_r", "tac_g", "adc_re"):
        if key not in out:
            raise _sdt_error(path, f"measurement description block lacks {key}")
    return out


def read_sdt(
    path: str | os.PathLike[str], *, block: int = 0, curve: int = 0, name: str = "counts"
) -> xr.DataArray:
    """Read one decay from a Becker & Hickl ``.sdt`` file.

    Parameters
    ----------
    path:
        The ``.sdt`` file.
    block:
        Data block (0-based; most single-decay files have one).
    curve:
        Curve within the block, for blocks that hold several curves of ``adc_re`` channels.
    name:
        Name of the returned array.

    Returns
    -------
    xarray.DataArray
        1-D over ``time_ns`` (channel ``i`` at ``i * tac_r / (tac_g * adc_re)``);
        ``attrs``: ``format`` ``'sdt'``, ``title``, ``measured`` (date and time), ``module``,
        ``serial_number``, ``collection_time_s``, ``adc_resolution``, ``block``, ``curve``,
        ``n_blocks``, ``n_curves``, ``channel_width_ns``.

    Raises
    ------
    InputError
        Not an SDT file, a truncated file, an unsupported file kind, a block or curve index out
        of range.
    """
    p = Path(path)
    data = _read_bytes(p)
    if len(data) < _SDT_HEADER.size:
        raise _sdt_error(p, f"file has {len(data)} bytes, fewer than the 42-byte SDT header")
    (
        revision,
        info_offs,
        info_length,
        _setup_offs,
        _setup_length,
        data_block_offs,
        n_blocks,
        _data_block_length,
        meas_desc_offs,
        n_meas_desc,
        meas_desc_length,
        header_valid,
        reserved1,
        _reserved2,
        _chksum,
    ) = _SDT_HEADER.unpack_from(data, 0)
    words_sum = sum(struct.unpack_from("<21H", data, 0)) & 0xFFFF
    if header_valid != 0x5555 and words_sum != 0x55AA:
        raise _sdt_error(
            p,
            f"invalid SDT file header (header_valid=0x{header_valid:04x}, "
            f"checksum 0x{words_sum:04x}; expected 0x5555 or checksum 0x55aa)",
        )
    if n_blocks == 0x7FFF:
        n_blocks = reserved1
    if info_offs + info_length > len(data) or info_length <= 0:
        raise _sdt_error(p, "file info block lies outside the file")
    info_text = data[info_offs : info_offs + info_length].decode("latin-1")
    info: dict[str, str] = {}
    for line in info_text.replace("\r\n", "\n").split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            info[key.strip().lower()] = value.strip().strip("\x04").strip()
    file_id = info.get("id", "")
    if not info_text.lstrip().startswith("*IDENTIFICATION") or file_id not in _SDT_IDS:
        raise _sdt_error(
            p,
            f"unsupported SDT file kind {file_id!r}",
            expected="one of " + ", ".join(repr(i) for i in _SDT_IDS),
            found=file_id,
        )
    if n_blocks < 1 or n_meas_desc < 1:
        raise _sdt_error(p, "file holds no data blocks", expected="at least one data block")
    if not 0 <= block < n_blocks:
        raise InputError(
            f"block index {block} out of range: the file has {n_blocks} data block(s)",
            file=p,
            field="block",
            expected=f"0..{n_blocks - 1}",
            found=block,
        )
    block_struct = _SDT_BLOCK_NEW if (revision & 0xF) >= 15 else _SDT_BLOCK_OLD
    offset = data_block_offs
    for index in range(block + 1):
        if offset + block_struct.size > len(data):
            raise _sdt_error(p, f"data block {index} header lies outside the file")
        fields = block_struct.unpack_from(data, offset)
        if block_struct is _SDT_BLOCK_NEW:
            d_ext, n_ext, d_offs, n_offs, block_type, meas_no, _lblock, length = fields
            data_offs = d_offs | (d_ext << 32)
            next_offs = n_offs | (n_ext << 32)
        else:
            _no, data_offs, next_offs, block_type, meas_no, _lblock, length = fields
        if index < block:
            offset = next_offs
    if not 0 <= meas_no < n_meas_desc:
        raise _sdt_error(p, f"data block {block} refers to missing description {meas_no}")
    mi = _sdt_measure_info(p, data, meas_desc_offs + meas_no * meas_desc_length, meas_desc_length)
    dtype = _SDT_DTYPES.get(block_type & 0xF00)
    if dtype is None:
        raise _sdt_error(p, f"data block {block} has an unknown data type 0x{block_type:04x}")
    if block_type & 0x1000:  # zip-compressed block
        try:
            with zipfile.ZipFile(io.BytesIO(data[data_offs:next_offs])) as zf:
                raw = zf.read(zf.namelist()[0])
        except (zipfile.BadZipFile, IndexError, OSError) as exc:
            raise _sdt_error(p, f"compressed data block {block} cannot be unpacked") from exc
    else:
        raw = data[data_offs : data_offs + length]
    if len(raw) < length or length % dtype.itemsize:
        raise _sdt_error(
            p,
            f"data block {block} is truncated ({len(raw)} of {length} bytes)",
            expected="a complete file",
        )
    values = np.frombuffer(raw[:length], dtype=dtype)
    adc_re = int(mi["adc_re"]) or 65536
    if values.size % adc_re:
        raise _sdt_error(
            p,
            f"data block {block} has {values.size} values, not a multiple of adc_re={adc_re}",
        )
    curves = values.reshape(-1, adc_re)
    if not 0 <= curve < curves.shape[0]:
        raise InputError(
            f"curve index {curve} out of range: block {block} has {curves.shape[0]} curve(s)",
            file=p,
            field="curve",
            expected=f"0..{curves.shape[0] - 1}",
            found=curve,
        )
    tac_r, tac_g = float(mi["tac_r"]), int(mi["tac_g"])
    if tac_g <= 0 or not tac_r > 0:
        raise _sdt_error(p, f"invalid TAC settings (tac_r={tac_r}, tac_g={tac_g})")
    times = np.arange(adc_re, dtype=np.float64) * (tac_r / (tac_g * adc_re)) * 1e9
    attrs = {
        "source_file": str(p),
        "format": "sdt",
        "title": info.get("title", ""),
        "measured": f"{mi.get('date', '')} {mi.get('time', '')}".strip(),
        "module": mi.get("mod_type", ""),
        "serial_number": mi.get("mod_ser_no", ""),
        "collection_time_s": float(mi.get("col_t", float("nan"))),
        "adc_resolution": adc_re,
        "block": block,
        "curve": curve,
        "n_blocks": int(n_blocks),
        "n_curves": int(curves.shape[0]),
    }
    return _make_decay(times, curves[curve], name=name, attrs=attrs)


# --------------------------------------------------------------------------------------------
# PicoQuant .phu / .ptu (optional: ptufile)
# --------------------------------------------------------------------------------------------


def _ptufile() -> Any:
    try:
        import ptufile
    except ImportError as exc:
        raise MissingDependencyError(
            "ptufile", extra="tcspc", feature="reading PicoQuant .phu/.ptu files"
        ) from exc
    return ptufile


def read_phu(path: str | os.PathLike[str], *, curve: int = 0, name: str = "counts") -> xr.DataArray:
    """Read one histogram from a PicoQuant ``.phu`` file (needs ``ptufile``).

    The bin width is the curve's ``HistResDscr_MDescResolution`` tag (else
    ``MeasDesc_Resolution``). ``attrs`` add ``curve`` and ``n_curves``.

    Raises
    ------
    MissingDependencyError
        ``ptufile`` is not installed (``pip install 'qdcat[tcspc]'``).
    InputError
        Not a readable PHU file, a curve index out of range, no bin width.
    """
    ptufile = _ptufile()
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=p, expected="an existing .phu file")
    try:
        with ptufile.PhuFile(p) as phu:
            histograms = phu.histograms()
            tags = dict(phu.tags)
    except (ptufile.PqFileError, ValueError, KeyError, OSError) as exc:
        raise InputError(
            f"not a readable PicoQuant histogram file ({type(exc).__name__}: {exc})",
            file=p,
            expected="a PicoQuant .phu file",
        ) from exc
    if not 0 <= curve < len(histograms):
        raise InputError(
            f"curve index {curve} out of range: the file has {len(histograms)} curve(s)",
            file=p,
            field="curve",
            expected=f"0..{len(histograms) - 1}",
            found=curve,
        )
    per_curve = tags.get("HistResDscr_MDescResolution")
    resolution = (
        float(per_curve[curve])
        if isinstance(per_curve, list) and len(per_curve) > curve
        else float(tags.get("MeasDesc_Resolution", 0.0))
    )
    if not resolution > 0:
        raise InputError(
            "the file gives no histogram bin width",
            file=p,
            field="HistResDscr_MDescResolution",
            expected="a positive resolution in s",
            found=resolution,
        )
    h = np.asarray(histograms[curve], dtype=np.float64)
    times = np.arange(h.size, dtype=np.float64) * resolution * 1e9
    attrs = {
        "source_file": str(p),
        "format": "phu",
        "curve": curve,
        "n_curves": len(histograms),
    }
    return _make_decay(times, h, name=name, attrs=attrs)


def read_ptu(
    path: str | os.PathLike[str], *, channel: int | None = None, name: str = "counts"
) -> xr.DataArray:
    """Histogram of a PicoQuant T3 ``.ptu`` file over one sync period (needs ``ptufile``).

    Parameters
    ----------
    channel:
        Detector channel (as numbered in the file); default: the only channel with photons.

    Raises
    ------
    MissingDependencyError
        ``ptufile`` is not installed (``pip install 'qdcat[tcspc]'``).
    InputError
        Not a readable PTU file, a T2 file (no start-stop times), an unknown channel, or
        several channels with photons and no ``channel``.
    """
    ptufile = _ptufile()
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=p, expected="an existing .ptu file")
    try:
        with ptufile.PtuFile(p) as ptu:
            if not ptu.is_t3:
                raise InputError(
                    "T2 files hold no start-stop times, so no decay histogram",
                    file=p,
                    expected="a T3 .ptu file",
                )
            hist = ptu.decode_histogram(dtime=0, asxarray=True)
            resolution = float(ptu.tcspc_resolution)
            period_ns = float(ptu.global_resolution) * 1e9
    except InputError:
        raise
    except (ptufile.PqFileError, ValueError, KeyError, OSError) as exc:
        raise InputError(
            f"not a readable PicoQuant TTTR file ({type(exc).__name__}: {exc})",
            file=p,
            expected="a PicoQuant T3 .ptu file",
        ) from exc
    numbers = [int(c) for c in np.atleast_1d(hist.coords["C"].values)]
    counts = np.asarray(hist.values)
    if channel is None:
        with_photons = [c for k, c in enumerate(numbers) if counts[k].sum() > 0]
        if len(with_photons) > 1:
            raise InputError(
                f"channels {with_photons} all have photons; choose one",
                file=p,
                field="channel",
                expected="channel= one of " + ", ".join(map(str, with_photons)),
            )
        channel = with_photons[0] if with_photons else numbers[0]
    if channel not in numbers:
        raise InputError(
            f"no channel {channel}",
            file=p,
            field="channel",
            expected="one of " + ", ".join(map(str, numbers)),
            found=channel,
        )
    if not resolution > 0:
        raise InputError("the file gives no TCSPC resolution", file=p, field="tcspc_resolution")
    h = counts[numbers.index(channel)].astype(np.float64)
    times = np.arange(h.size, dtype=np.float64) * resolution * 1e9
    attrs = {
        "source_file": str(p),
        "format": "ptu",
        "channel": channel,
        "sync_period_ns": period_ns,
    }
    return _make_decay(times, h, name=name, attrs=attrs)


# --------------------------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------------------------

_EXTENSIONS = {".sdt": "sdt", ".phu": "phu", ".ptu": "ptu"}
_SDT_MAGIC = re.compile(rb"\*IDENTIFICATION")


def _sniff(path: Path) -> str:
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    head = _read_bytes(path, 512)
    if head.startswith(b"PQHISTO\0"):
        return "phu"
    if head.startswith(b"PQTTTR\0\0"):
        return "ptu"
    if len(head) >= 42 and _SDT_MAGIC.search(head[40:120]):
        return "sdt"
    return "text"


def read_tcspc(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    name: str = "counts",
    **options: Any,
) -> xr.DataArray:
    """Read a TCSPC decay, choosing the reader by ``format`` or by extension and content.

    ``.sdt`` -> :func:`read_sdt`, ``.phu`` -> :func:`read_phu`, ``.ptu`` -> :func:`read_ptu`,
    anything else -> :func:`read_decay` (two-column text). ``options`` go to that reader
    (``block``/``curve``, ``curve``, ``channel``, ``time_unit``/``counts``).

    Raises
    ------
    InputError
        Unknown format or an option the chosen reader does not take; anything it raises.
    """
    p = Path(path)
    fmt = _sniff(p) if format is None else format.strip().lower()
    readers = {"text": read_decay, "sdt": read_sdt, "phu": read_phu, "ptu": read_ptu}
    if fmt not in readers:
        raise InputError(
            "unknown TCSPC format",
            file=p,
            field="format",
            expected="one of " + ", ".join(repr(f) for f in TCSPC_FORMATS),
            found=format,
        )
    allowed = {
        "text": {"time_unit", "counts"},
        "sdt": {"block", "curve"},
        "phu": {"curve"},
        "ptu": {"channel"},
    }[fmt]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputError(
            f"option {unknown[0]!r} does not apply to {fmt} files",
            file=p,
            field=unknown[0],
            expected="one of " + ", ".join(sorted(allowed)),
        )
    return readers[fmt](p, name=name, **options)


def read_irf(path: str | os.PathLike[str], **options: Any) -> xr.DataArray:
    """Read an instrument response function like a decay (:func:`read_tcspc`); name 'irf'."""
    da = read_tcspc(path, name="irf", **options)
    da.attrs["role"] = "irf"
    return da
