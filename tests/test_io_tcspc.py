"""Tests of the TCSPC decay readers (qdcat.io.tcspc).

The Becker & Hickl .sdt and PicoQuant .phu files are built here byte by byte from the
documented layouts (the real .sdt example is LGPL-licensed and is checked outside the test
suite by scripts/validate_tcspc.py); .ptu files are written with ptufile's own writer.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from qdcat.core.errors import InputError, MissingDependencyError
from qdcat.io import read_decay, read_irf, read_phu, read_ptu, read_sdt, read_tcspc


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check_error(exc_info, path: Path, line: int | None, *texts: str) -> None:
    message = str(exc_info.value)
    where = f"{path}:{line}" if line is not None else str(path)
    assert where in message, message
    assert exc_info.value.line == line
    for text in texts:
        assert text in message, message


# ----------------------------------------------------------------------------- text decays

COUNTS = np.array([0, 2, 10, 250, 900, 640, 420, 280, 190, 120, 80, 50], dtype=float)


def table(header: str | None, times, sep: str = ",", decimal: str = ".") -> str:
    lines = [] if header is None else [header]
    for t, c in zip(times, COUNTS, strict=True):
        cells = [repr(float(t)), repr(float(c))]
        lines.append(sep.join(x.replace(".", decimal) for x in cells))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("header", "factor"),
    [
        ("Time (ps),Counts", 1e-3),
        ("t/ns,counts", 1.0),
        ("time_us,counts", 1e3),
        ("Time [s],Counts", 1e9),
        ("Time (fs),Counts", 1e-6),
        (None, 1.0),
    ],
)
def test_two_column_time_units(tmp_path, header, factor):
    times = np.arange(COUNTS.size) * 16.0
    path = write(tmp_path, "decay.csv", table(header, times))
    da = read_decay(path)
    assert da.dims == ("time_ns",)
    assert da.name == "counts"
    assert da.dtype == np.float64
    np.testing.assert_allclose(da["time_ns"].values, times * factor, rtol=1e-12)
    np.testing.assert_array_equal(da.values, COUNTS)
    assert da.attrs["channel_width_ns"] == pytest.approx(16.0 * factor)
    assert da.attrs["format"] == "text"
    assert da.attrs["source_file"] == str(path)
    assert da["time_ns"].attrs["units"] == "ns"
    assert read_tcspc(path).identical(da)


def test_time_unit_argument_and_conflict(tmp_path):
    times = np.arange(COUNTS.size) * 25.0
    path = write(tmp_path, "d.txt", table(None, times, sep="  "))
    da = read_decay(path, time_unit="ps")
    np.testing.assert_allclose(da["time_ns"].values, times / 1000)
    assert da.attrs["time_unit_in_file"] == "ps"
    path = write(tmp_path, "h.csv", table("Time (ns),Counts", times))
    with pytest.raises(InputError) as exc:
        read_decay(path, time_unit="ps")
    check_error(exc, path, 1, "contradicts the header unit 'ns'")
    with pytest.raises(InputError, match="unknown time unit"):
        read_decay(path, time_unit="days")


def test_semicolon_decimal_comma(tmp_path):
    times = np.arange(COUNTS.size) * 0.25
    path = write(tmp_path, "eu.csv", table("Zeit (ns);Counts", times, sep=";", decimal=","))
    da = read_decay(path)
    np.testing.assert_allclose(da["time_ns"].values, times)
    np.testing.assert_array_equal(da.values, COUNTS)


def test_rounded_export_times_are_rebuilt(tmp_path):
    # Like Becker & Hickl SPCM .kin exports: 0.8147 ps channels printed with 3 decimals (ns).
    step = 3.3363209 / 4095
    n = 600
    counts = np.round(1000 * np.exp(-np.arange(n) * step / 0.1))
    times = np.round(np.arange(n) * step, 3)
    assert np.any(np.diff(times) == 0)
    text = "Wavelength: 640 nm\nDelay\t   Data\n" + "".join(
        f" {t:.3f}    {c:.5f}\n" for t, c in zip(times, counts, strict=True)
    )
    path = write(tmp_path, "decay.kin", text)
    da = read_tcspc(path)
    assert da.attrs["time_axis_rebuilt"] == 1
    t = da["time_ns"].values
    assert np.max(np.abs(t - np.arange(n) * step)) < 1e-5
    assert np.allclose(np.diff(t), np.diff(t)[0], rtol=1e-9)
    np.testing.assert_array_equal(da.values, counts)


def test_irf(tmp_path):
    path = write(tmp_path, "irf.csv", table("time (ps),counts", np.arange(COUNTS.size) * 8.0))
    irf = read_irf(path)
    assert irf.name == "irf"
    assert irf.attrs["role"] == "irf"
    np.testing.assert_array_equal(irf.values, COUNTS)


def test_counts_unit_from_header(tmp_path):
    path = write(tmp_path, "r.csv", table("Time (ns),Rate (cps)", np.arange(COUNTS.size)))
    assert read_decay(path).attrs["units"] == "cps"


def test_more_columns_need_counts_key(tmp_path):
    text = "time (ns),a,b\n" + "".join(f"{i},{i * 2},{i * 3}\n" for i in range(5))
    path = write(tmp_path, "three.csv", text)
    with pytest.raises(InputError, match="3 columns; say which holds the counts"):
        read_decay(path)
    da = read_decay(path, counts="b")
    np.testing.assert_array_equal(da.values, [0, 3, 6, 9, 12])
    with pytest.raises(InputError, match="no column 'c'"):
        read_decay(path, counts="c")


def test_text_errors(tmp_path):
    path = write(tmp_path, "dec.csv", "t (ns),counts\n0,1\n1,2\n3,4\n2,5\n")
    with pytest.raises(InputError) as exc:
        read_decay(path)
    check_error(exc, path, 5, "decreasing time at index 3")
    # a repeat that rounding cannot explain (the times are printed to 0.01 ns, steps 0.25)
    times = [0.0, 0.25, 0.5, 0.5, 0.75, 1.0, 1.25]
    text = "t (ns),counts\n" + "".join(f"{t},{i}\n" for i, t in enumerate(times))
    path = write(tmp_path, "rep.csv", text)
    with pytest.raises(InputError) as exc:
        read_decay(path)
    check_error(exc, path, 5, "repeated time at index 3")
    path = write(tmp_path, "nan.csv", "t (ns),counts\n0,1\n1,nan\n2,3\n")
    with pytest.raises(InputError) as exc:
        read_decay(path)
    check_error(exc, path, 3, "contains NaN")
    path = write(tmp_path, "unit.csv", "Wavelength (nm),counts\n0,1\n1,2\n")
    with pytest.raises(InputError) as exc:
        read_decay(path)
    check_error(exc, path, 1, "not a time unit")
    path = write(tmp_path, "ragged.csv", "t (ns),counts\n0,1\n1,2,3\n")
    with pytest.raises(InputError) as exc:
        read_decay(path)
    check_error(exc, path, 3, "row has 3 fields")
    path = write(tmp_path, "one.csv", "counts\n1\n2\n")
    with pytest.raises(InputError) as exc:
        read_decay(path)
    check_error(exc, path, 2, "only one column")


def test_dispatch_errors(tmp_path):
    path = write(tmp_path, "d.csv", table("t (ns),counts", np.arange(COUNTS.size)))
    with pytest.raises(InputError, match="unknown TCSPC format"):
        read_tcspc(path, format="spc")
    with pytest.raises(InputError, match="'curve' does not apply to text files"):
        read_tcspc(path, curve=1)


# ----------------------------------------------------------------------------- Becker & Hickl

TAC_R, TAC_G = 50e-9, 10


def sdt_bytes(
    blocks: list[np.ndarray],
    *,
    adc_re: int,
    revision: int = 0x25F,  # SPC-830, software revision 15: new block headers
    dtype: str = "<u2",
    compress: bool = False,
    header_valid: int = 0x5555,
    file_id: str = "SPC Setup & Data File",
) -> bytes:
    info = (
        f"*IDENTIFICATION\r\n  ID        : {file_id}\r\n  Title     : synthetic decay\r\n"
        "  Date      : 2024-05-06\r\n*END\r\n\r\n"
    ).encode("latin-1")
    setup = b"*SETUP\r\n  #SP [SP_ADC_RE,I,256]\r\n*END\r\n\r\n"
    mi = bytearray(512)
    struct.pack_into("9s", mi, 0, b"12:34:56")
    struct.pack_into("11s", mi, 9, b"2024-05-06")
    struct.pack_into("16s", mi, 20, b"SN-0042")
    struct.pack_into("<f", mi, 64, TAC_R)
    struct.pack_into("<h", mi, 68, TAC_G)
    struct.pack_into("<h", mi, 82, adc_re)
    struct.pack_into("<f", mi, 92, 60.0)
    struct.pack_into("16s", mi, 117, b"SPC-830")
    type_code = {"<u2": 0x000, "<u4": 0x100, "<f8": 0x200}[dtype]
    block_type = 0x0001 | type_code | (0x1000 if compress else 0)
    new = (revision & 0xF) >= 15
    info_offs = 42
    setup_offs = info_offs + len(info)
    meas_offs = setup_offs + len(setup)
    offset = meas_offs + len(mi)
    first_block = offset
    body = b""
    for k, values in enumerate(blocks):
        raw = np.asarray(values, dtype=dtype).tobytes()
        payload = raw
        if compress:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("data_block", raw)
            payload = buffer.getvalue()
        data_offs = offset + 22
        next_offs = data_offs + len(payload)
        if new:
            head = struct.pack("<BBIIHhII", 0, 0, data_offs, next_offs, block_type, 0, k, len(raw))
        else:
            head = struct.pack("<hiiHhII", k, data_offs, next_offs, block_type, 0, k, len(raw))
        body += head + payload
        offset = next_offs
    fields = [
        revision,
        info_offs,
        len(info),
        setup_offs,
        len(setup),
        first_block,
        len(blocks),
        len(np.asarray(blocks[0], dtype=dtype).tobytes()),
        meas_offs,
        1,
        len(mi),
        header_valid,
        0,
        0,
        0,
    ]
    header = bytearray(struct.pack("<hihiHihIihhHIHH", *fields))
    checksum = (0x55AA - sum(struct.unpack("<20H", header[:40]))) & 0xFFFF
    struct.pack_into("<H", header, 40, checksum)
    return bytes(header) + info + setup + bytes(mi) + body


def decay(adc_re: int, scale: float = 1000.0) -> np.ndarray:
    i = np.arange(adc_re)
    return np.round(scale * np.exp(-np.maximum(i - 20, 0) / 40.0) * (i >= 10))


def expected_times(adc_re: int) -> np.ndarray:
    tac_r = float(np.float32(TAC_R))
    return np.arange(adc_re) * tac_r / (TAC_G * adc_re) * 1e9


@pytest.mark.parametrize(
    ("revision", "dtype", "compress"),
    [
        (0x25F, "<u2", False),
        (0x25C, "<u2", False),  # revision 12: old block-header layout
        (0x25F, "<u4", False),
        (0x25F, "<f8", False),
        (0x25F, "<u2", True),
    ],
)
def test_sdt_single_decay(tmp_path, revision, dtype, compress):
    counts = decay(256)
    path = tmp_path / "decay.sdt"
    path.write_bytes(
        sdt_bytes([counts], adc_re=256, revision=revision, dtype=dtype, compress=compress)
    )
    da = read_tcspc(path)
    assert da.dims == ("time_ns",)
    assert da.size == 256
    np.testing.assert_array_equal(da.values, counts)
    np.testing.assert_allclose(da["time_ns"].values, expected_times(256), rtol=1e-12)
    assert da["time_ns"].values[-1] < 5.0
    assert da.attrs["channel_width_ns"] == pytest.approx(5.0 / 256, rel=1e-6)
    assert da.attrs["format"] == "sdt"
    assert da.attrs["title"] == "synthetic decay"
    assert da.attrs["module"] == "SPC-830"
    assert da.attrs["serial_number"] == "SN-0042"
    assert da.attrs["measured"] == "2024-05-06 12:34:56"
    assert da.attrs["collection_time_s"] == 60.0
    assert (da.attrs["n_blocks"], da.attrs["n_curves"]) == (1, 1)


def test_sdt_blocks_curves_and_sniffing(tmp_path):
    a, b, c = decay(64, 100), decay(64, 200), decay(64, 300)
    path = tmp_path / "multi.bin"  # no .sdt extension: recognised by content
    path.write_bytes(sdt_bytes([np.r_[a, b], c], adc_re=64, header_valid=0x1111))
    np.testing.assert_array_equal(read_tcspc(path).values, a)
    np.testing.assert_array_equal(read_tcspc(path, curve=1).values, b)
    da = read_tcspc(path, block=1)
    np.testing.assert_array_equal(da.values, c)
    assert (da.attrs["n_blocks"], da.attrs["n_curves"]) == (2, 1)
    with pytest.raises(InputError, match="curve index 2 out of range"):
        read_sdt(path, curve=2)
    with pytest.raises(InputError, match="block index 2 out of range"):
        read_sdt(path, block=2)


def test_sdt_agrees_with_sdtfile(tmp_path):
    sdtfile = pytest.importorskip("sdtfile")
    counts = decay(128)
    for name, kw in {
        "n.sdt": {},
        "z.sdt": {"compress": True},
        "o.sdt": {"revision": 0x25C},
    }.items():
        path = tmp_path / name
        path.write_bytes(sdt_bytes([counts], adc_re=128, **kw))
        ref = sdtfile.SdtFile(path)
        ours = read_sdt(path)
        np.testing.assert_array_equal(ref.data[0].reshape(-1), ours.values)
        np.testing.assert_allclose(ref.times[0] * 1e9, ours["time_ns"].values, rtol=1e-6)


def test_sdt_errors(tmp_path):
    good = sdt_bytes([decay(64)], adc_re=64)
    path = tmp_path / "x.sdt"
    path.write_bytes(good[:30])
    with pytest.raises(InputError, match="fewer than the 42-byte SDT header"):
        read_sdt(path)
    bad = bytearray(good)
    struct.pack_into("<H", bad, 32, 0x1111)  # header_valid; the checksum no longer fits
    path.write_bytes(bytes(bad))
    with pytest.raises(InputError, match="invalid SDT file header"):
        read_sdt(path)
    path.write_bytes(good[:-20])
    with pytest.raises(InputError, match="truncated"):
        read_sdt(path)
    path.write_bytes(sdt_bytes([decay(64)], adc_re=64, file_id="SPC Flow Data File"))
    with pytest.raises(InputError, match="unsupported SDT file kind 'SPC Flow Data File'"):
        read_sdt(path)
    with pytest.raises(InputError, match="file not found"):
        read_sdt(tmp_path / "missing.sdt")


# ----------------------------------------------------------------------------- PicoQuant

INT8, FLOAT8, EMPTY8 = 0x10000008, 0x20000008, 0xFFFF0008


def phu_bytes(curves: list[np.ndarray], resolutions: list[float]) -> bytes:
    def tag(ident: str, typ: int, value: bytes, index: int = -1) -> bytes:
        return struct.pack("<32siI", ident.encode().ljust(32, b"\0"), index, typ) + value

    def i8(x: int) -> bytes:
        return struct.pack("<q", x)

    def f8(x: float) -> bytes:
        return struct.pack("<d", x)

    n = len(curves)
    n_tags = 4 + 3 * n + 1
    offset = 16 + 48 * n_tags
    tags = [
        tag("Measurement_Mode", INT8, i8(0)),
        tag("Measurement_SubMode", INT8, i8(1)),
        tag("MeasDesc_Resolution", FLOAT8, f8(resolutions[0])),
        tag("HistoResult_NumberOfCurves", INT8, i8(n)),
    ]
    data = b""
    for k, (curve, res) in enumerate(zip(curves, resolutions, strict=True)):
        tags.append(tag("HistResDscr_DataOffset", INT8, i8(offset + len(data)), k))
        tags.append(tag("HistResDscr_HistogramBins", INT8, i8(curve.size), k))
        tags.append(tag("HistResDscr_MDescResolution", FLOAT8, f8(res), k))
        data += np.asarray(curve, dtype="<u4").tobytes()
    tags.append(tag("Header_End", EMPTY8, i8(0)))
    return b"PQHISTO\0" + b"1.0\0\0\0\0\0" + b"".join(tags) + data


def test_phu_histograms(tmp_path):
    pytest.importorskip("ptufile")
    a, b = decay(100, 50), decay(80, 70)
    path = tmp_path / "h.phu"
    path.write_bytes(phu_bytes([a, b], [4e-12, 16e-12]))
    da = read_tcspc(path)
    np.testing.assert_array_equal(da.values, a)
    np.testing.assert_allclose(da["time_ns"].values, np.arange(100) * 0.004)
    assert (da.attrs["format"], da.attrs["n_curves"]) == ("phu", 2)
    db = read_phu(path, curve=1)
    np.testing.assert_array_equal(db.values, b)
    assert db.attrs["channel_width_ns"] == pytest.approx(0.016)
    with pytest.raises(InputError, match="curve index 2 out of range"):
        read_phu(path, curve=2)
    junk = tmp_path / "junk.phu"
    junk.write_bytes(b"not a picoquant file at all")
    with pytest.raises(InputError, match="not a readable PicoQuant histogram file"):
        read_phu(junk)


def test_ptu_t3_histogram(tmp_path):
    ptufile = pytest.importorskip("ptufile")
    h = np.zeros((1, 1, 2, 40), np.uint32)  # Y, X, channel, bins
    h[0, 0, 0, :10] = [0, 1, 5, 20, 100, 60, 30, 10, 5, 2]
    h[0, 0, 1, 5:9] = [3, 4, 5, 6]
    path = tmp_path / "two.ptu"
    ptufile.imwrite(path, h, global_resolution=4e-9, tcspc_resolution=1e-10)
    with pytest.raises(InputError, match=r"channels \[0, 1\] all have photons"):
        read_tcspc(path)
    da = read_ptu(path, channel=1)
    np.testing.assert_array_equal(da.values, h[0, 0, 1].astype(float))
    np.testing.assert_allclose(da["time_ns"].values, np.arange(40) * 0.1)
    assert (da.attrs["format"], da.attrs["channel"]) == ("ptu", 1)
    assert da.attrs["sync_period_ns"] == pytest.approx(4.0)
    with pytest.raises(InputError, match="no channel 5"):
        read_ptu(path, channel=5)
    one = tmp_path / "one.ptu"
    ptufile.imwrite(one, h[:, :, :1], global_resolution=4e-9, tcspc_resolution=1e-10)
    da = read_tcspc(one)
    np.testing.assert_array_equal(da.values, h[0, 0, 0].astype(float))
    assert da.values.sum() == h[0, 0, 0].sum()


def test_picoquant_without_ptufile(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ptufile", None)  # 'import ptufile' now fails
    path = tmp_path / "h.phu"
    path.write_bytes(phu_bytes([decay(10)], [4e-12]))
    for reader in (read_phu, read_ptu, read_tcspc):
        with pytest.raises(MissingDependencyError) as exc:
            reader(path)
        assert exc.value.package == "ptufile"
        assert exc.value.extra == "tcspc"
        assert "pip install 'qdcat[tcspc]'" in str(exc.value)
