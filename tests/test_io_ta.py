"""Tests of the transient-absorption readers and writer (qdcat.io.ta)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError, OutputError
from qdcat.io import (
    read_glotaran_ascii,
    read_surface_xplorer,
    read_ta,
    read_ta_csv,
    read_ufs,
    save_netcdf,
    write_ta_csv,
)

HIPPIUS = Path(__file__).parent / "data" / "hippius"
HIPPIUS_FILE = HIPPIUS / "demo_data_Hippius_etal_JPCC2007_111_13988_Figs5_9.ascii"

WL = np.array([400.0, 410.0, 420.0, 430.0])
DELAYS = np.array([-1.0, 0.0, 0.5, 2.0, 10.0, 100.0])
MATRIX = np.arange(DELAYS.size * WL.size, dtype=float).reshape(DELAYS.size, WL.size) / 100 - 0.1


def num(x) -> str:
    return repr(float(x))


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def time_rows_text(corner: str = "", sep: str = ",", fmt=num) -> str:
    lines = [sep.join([corner, *(fmt(w) for w in WL)])]
    for t, row in zip(DELAYS, MATRIX, strict=True):
        lines.append(sep.join([fmt(t), *(fmt(v) for v in row)]))
    return "\n".join(lines) + "\n"


def wavelength_rows_text(corner: str = "", sep: str = ",", fmt=num) -> str:
    lines = [sep.join([corner, *(fmt(t) for t in DELAYS)])]
    for j, w in enumerate(WL):
        lines.append(sep.join([fmt(w), *(fmt(v) for v in MATRIX[:, j])]))
    return "\n".join(lines) + "\n"


def assert_standard(da: xr.DataArray, factor: float = 1.0) -> None:
    assert da.dims == ("time_ps", "wavelength_nm")
    assert da.name == "dA"
    assert da.dtype == np.float64
    np.testing.assert_allclose(da["time_ps"].values, DELAYS * factor, rtol=1e-12)
    np.testing.assert_array_equal(da["wavelength_nm"].values, WL)
    np.testing.assert_array_equal(da.values, MATRIX)
    assert da["time_ps"].attrs["units"] == "ps"
    assert da["wavelength_nm"].attrs["units"] == "nm"


def check_error(exc_info, path: Path, line: int | None, *texts: str) -> None:
    message = str(exc_info.value)
    where = f"{path}:{line}" if line is not None else str(path)
    assert where in message, message
    assert exc_info.value.file == path
    assert exc_info.value.line == line
    for text in texts:
        assert text in message, message


# ----------------------------------------------------------------------------- Glotaran ASCII


def test_hippius_real_file():
    da = read_ta(HIPPIUS_FILE)
    assert da.attrs["format"] == "glotaran-ascii"
    assert da.attrs["explicit"] == "time"
    assert da.attrs["units"] == "OD"
    assert "co_mg6-tol" in da.attrs["header"]
    assert da.shape == (335, 346)
    t, w = da["time_ps"].values, da["wavelength_nm"].values
    assert (t[0], t[-1]) == (-0.00095, 909.8548)
    assert (w[0], w[-1]) == (377.96045, 854.40436)
    assert np.all(np.diff(t) > 0) and np.all(np.diff(w) > 0)
    # Values straight from the raw text: line 5 holds the delays, line 6 + j wavelength j.
    raw = HIPPIUS_FILE.read_text().splitlines()
    delays = [float(x) for x in raw[4].split()]
    assert np.array_equal(t, delays)
    for j in (0, 1, 100, 345):
        fields = raw[5 + j].split()
        assert float(fields[0]) == w[j]
        row = np.array([float(x) for x in fields[1:]])
        assert np.array_equal(da.values[:, j], row)
    assert da.values[0, 0] == -0.00403
    assert da.values[1, 0] == -0.00055
    assert da.values[-1, -1] == -0.00319
    assert da.sel(time_ps=909.8548, wavelength_nm=854.40436).item() == -0.00319


def glotaran_text(kind: str, wrap: int | None = None) -> str:
    if kind == "time":
        axis, other, rows = DELAYS, WL, MATRIX.T
    else:
        axis, other, rows = WL, DELAYS, MATRIX
    axis_text = [" ".join(num(x) for x in axis)]
    if wrap:
        axis_text = [
            "\t".join(num(x) for x in axis[i : i + wrap]) for i in range(0, axis.size, wrap)
        ]
    label = "Time explicit" if kind == "time" else "Wavelength explicit"
    lines = ["# comment line", "made by a test", label, f"Intervalnr {axis.size}", *axis_text]
    lines += ["\t".join([num(o), *(num(v) for v in r)]) for o, r in zip(other, rows, strict=True)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["time", "wavelength"])
@pytest.mark.parametrize("wrap", [None, 4])
def test_glotaran_time_and_wavelength_explicit(tmp_path, kind, wrap):
    path = write(tmp_path, "x.ascii", glotaran_text(kind, wrap))
    da = read_glotaran_ascii(path)
    assert_standard(da)
    assert da.attrs["explicit"] == kind
    assert read_ta(path).identical(da)


def test_glotaran_time_unit(tmp_path):
    path = write(tmp_path, "x.ascii", glotaran_text("time"))
    da = read_ta(path, time_unit="ns")
    assert_standard(da, factor=1000.0)
    assert da.attrs["time_unit_in_file"] == "ns"


def test_glotaran_errors(tmp_path):
    good = glotaran_text("time").splitlines()
    bad_count = [*good[:3], "Intervalnr 7", *good[4:]]
    path = write(tmp_path, "count.ascii", "\n".join(bad_count))
    with pytest.raises(InputError) as exc:
        read_glotaran_ascii(path)
    check_error(exc, path, 4, "Intervalnr says 7", "has 6 values")
    ragged = [*good[:6], good[6] + "\t0.5", *good[7:]]
    path = write(tmp_path, "ragged.ascii", "\n".join(ragged))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 7, "ragged row")
    fields = good[7].split("\t")
    cell = [*good[:7], "\t".join([fields[0], "x", *fields[2:]]), *good[8:]]
    path = write(tmp_path, "cell.ascii", "\n".join(cell))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 8, "column 2", "not a number", "'x'")
    text_row = [*good[:7], "oops\t" + good[7].split("\t", 1)[1], *good[8:]]
    path = write(tmp_path, "text.ascii", "\n".join(text_row))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 8, "column 1", "'oops'")
    nonmono = glotaran_text("time").replace("0.5 2.0", "2.0 0.5")
    path = write(tmp_path, "mono.ascii", nonmono)
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 5, "delays are not monotonic", "index 3")
    empty = "\n".join(good[:5])
    path = write(tmp_path, "empty.ascii", empty)
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 5, "empty matrix")
    path = write(tmp_path, "none.ascii", "just\ntext\n")
    with pytest.raises(InputError, match="not a Glotaran ASCII file"):
        read_glotaran_ascii(path)


# ----------------------------------------------------------------------------- CSV matrices


@pytest.mark.parametrize(
    ("corner", "builder", "layout"),
    [
        ("Time (ps)", time_rows_text, "time-rows"),
        ("delay", time_rows_text, "time-rows"),
        ("wavelength (nm)", wavelength_rows_text, "wavelength-rows"),
        ("λ", wavelength_rows_text, "wavelength-rows"),
        ("time (ps) \\ wavelength (nm)", time_rows_text, "time-rows"),
        ("wavelength (nm) \\ time (ps)", wavelength_rows_text, "wavelength-rows"),
    ],
)
def test_layout_from_corner_label(tmp_path, corner, builder, layout):
    path = write(tmp_path, "m.csv", builder(corner))
    da = read_ta(path)
    assert_standard(da)
    assert da.attrs["layout"] == layout
    assert da.attrs["format"] == "csv"


@pytest.mark.parametrize(
    ("builder", "layout"),
    [(time_rows_text, "time-rows"), (wavelength_rows_text, "wavelength-rows")],
)
def test_layout_from_axis_values_both_ways(tmp_path, builder, layout):
    path = write(tmp_path, "m.csv", builder(""))
    da = read_ta_csv(path)
    assert_standard(da)
    assert da.attrs["layout"] == layout


def test_layout_detection_log_spaced_positive_delays(tmp_path):
    delays = np.array([0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0])
    wl = np.linspace(500.0, 700.0, 5)
    lines = ["," + ",".join(num(t) for t in delays)]
    lines += [num(w) + "," + ",".join("0.5" for _ in delays) for w in wl]
    path = write(tmp_path, "m.csv", "\n".join(lines))
    da = read_ta(path)
    assert da.attrs["layout"] == "wavelength-rows"
    np.testing.assert_array_equal(da["time_ps"].values, delays)


def test_explicit_layout_overrides(tmp_path):
    # Both axes look like wavelengths: the caller must say which is which.
    lines = [",300,400,500", "200,1,2,3", "300,4,5,6"]
    path = write(tmp_path, "amb.csv", "\n".join(lines))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 1, "cannot tell which axis", "layout=")
    da = read_ta(path, layout="time-rows")
    np.testing.assert_array_equal(da["time_ps"].values, [200.0, 300.0])
    np.testing.assert_array_equal(da.values, [[1, 2, 3], [4, 5, 6]])
    da = read_ta(path, layout="wavelength-rows")
    np.testing.assert_array_equal(da["time_ps"].values, [300.0, 400.0, 500.0])
    np.testing.assert_array_equal(da.values, [[1, 4], [2, 5], [3, 6]])
    with pytest.raises(InputError, match="unknown layout"):
        read_ta(path, layout="rows")


def test_label_contradicting_axes_is_an_error(tmp_path):
    path = write(tmp_path, "m.csv", wavelength_rows_text("Time (ps)"))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 1, "says time-rows but the axes say wavelength-rows")


@pytest.mark.parametrize(
    ("corner", "factor"),
    [
        ("time (ns)", 1e3),
        ("Delay/fs", 1e-3),
        ("t [us]", 1e6),
        ("time (µs)", 1e6),
        ("Time/s", 1e12),
        ("fs", 1e-3),
        ("time (ps)", 1.0),
    ],
)
def test_time_unit_from_label(tmp_path, corner, factor):
    path = write(tmp_path, "m.csv", time_rows_text(corner))
    da = read_ta(path, layout="time-rows")
    assert_standard(da, factor=factor)


def test_time_unit_argument_and_conflict(tmp_path):
    path = write(tmp_path, "m.csv", time_rows_text(""))
    assert_standard(read_ta(path, time_unit="ns"), factor=1e3)
    path = write(tmp_path, "n.csv", time_rows_text("time (ns)"))
    assert_standard(read_ta(path, time_unit="ns"), factor=1e3)
    with pytest.raises(InputError, match="contradicts"):
        read_ta(path, time_unit="ps")
    with pytest.raises(InputError, match="unknown time unit"):
        read_ta(path, time_unit="hours")


def test_semicolon_decimal_comma_and_empty_corner(tmp_path):
    text = time_rows_text("", sep=";", fmt=lambda x: num(x).replace(".", ","))
    path = write(tmp_path, "eu.csv", "# exported by a spreadsheet\n" + text)
    da = read_ta(path)
    assert_standard(da)
    assert da.attrs["header"] == "# exported by a spreadsheet"


def test_tab_and_whitespace_matrices(tmp_path):
    path = write(tmp_path, "m.tsv", time_rows_text("Time (ps)", sep="\t"))
    assert_standard(read_ta(path))
    path = write(tmp_path, "m.txt", "   " + time_rows_text("", sep="  "))
    assert_standard(read_ta(path))


def test_mod_units_preamble_and_descending_axes(tmp_path):
    lines = ["Sample: CuInS2 QDs", "dA in mOD;", "Time (ps),430,420,410,400"]
    for t, row in list(zip(DELAYS, MATRIX, strict=True))[::-1]:
        lines.append(",".join([num(t), *(num(v) for v in row[::-1])]))
    path = write(tmp_path, "m.csv", "\n".join(lines), encoding="latin-1")
    da = read_ta(path)
    assert_standard(da)
    assert da.attrs["units"] == "mOD"
    assert da.attrs["header"].startswith("Sample: CuInS2")


def test_nan_cells_kept(tmp_path):
    lines = time_rows_text("Time (ps)").splitlines()
    fields = lines[3].split(",")
    lines[3] = ",".join([*fields[:2], "nan", *fields[3:]])
    path = write(tmp_path, "m.csv", "\n".join(lines))
    da = read_ta(path)
    assert np.isnan(da.values).sum() == 1


# ----------------------------------------------------------------------------- Surface Xplorer


def sx_text(newline: str = "\n") -> str:
    lines = ["0," + ",".join(num(t) for t in DELAYS)]
    for j, w in enumerate(WL):
        lines.append(num(w) + "," + ",".join(num(v) for v in MATRIX[:, j]))
    lines += ["", "Solvent: toluene", "Pump wavelength, 400 nm", "Time Zero: 0.35"]
    return newline.join(lines) + newline


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_surface_xplorer_csv(tmp_path, newline):
    path = write(tmp_path, "sx.csv", sx_text(newline))
    da = read_ta(path)
    assert_standard(da)
    assert da.attrs["format"] == "surface-xplorer"
    assert da.attrs["layout"] == "wavelength-rows"
    assert da.attrs["metadata"].splitlines()[0] == "Solvent: toluene"
    assert read_surface_xplorer(path).identical(da)
    assert read_ta(path, format="sx").identical(da)


def test_surface_xplorer_without_trailer_and_with_nan(tmp_path):
    lines = sx_text().split("\n\n")[0].splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",NaN"
    text = "\n".join(lines)
    path = write(tmp_path, "sx.csv", text)
    da = read_surface_xplorer(path)
    assert np.isnan(da.values).sum() == 1
    assert "metadata" not in da.attrs
    with pytest.raises(InputError, match="one row per wavelength"):
        read_ta(path, format="surface-xplorer", layout="time-rows")


def test_surface_xplorer_fallback_when_axes_ambiguous(tmp_path):
    lines = ["0,300,400,500", "200,1,2,3", "300,4,5,6", "", "Operator: X"]
    path = write(tmp_path, "sx.csv", "\n".join(lines))
    da = read_ta(path)
    assert da.attrs["layout"] == "wavelength-rows"
    assert da.attrs["format"] == "surface-xplorer"


# ----------------------------------------------------------------------------- UFS and NetCDF


def ufs_bytes(wl, t, m, *, tunit="ps", meta="Solvent: water\r\nPump: 400 nm") -> bytes:
    def s(text: str) -> bytes:
        b = text.encode()
        return struct.pack(">I", len(b)) + b

    def d(values) -> bytes:
        values = np.asarray(values, dtype=float)
        return struct.pack(f">{values.size}d", *values.ravel())

    out = s("Version2") + s("Wavelength") + s("nm") + struct.pack(">I", len(wl)) + d(wl)
    out += s("Time") + s(tunit) + struct.pack(">I", len(t)) + d(t)
    out += s("DA") + struct.pack(">III", 0, len(wl), len(t)) + d(m) + s(meta)
    return out


def test_ufs(tmp_path):
    path = tmp_path / "x.ufs"
    path.write_bytes(ufs_bytes(WL, DELAYS, MATRIX.T))
    da = read_ta(path)
    assert_standard(da)
    assert da.attrs["format"] == "ufs"
    assert da.attrs["metadata"] == "Solvent: water\nPump: 400 nm"
    path.write_bytes(ufs_bytes(WL, DELAYS, MATRIX.T, tunit="ns"))
    assert_standard(read_ufs(path), factor=1e3)
    path.write_bytes(ufs_bytes(WL, DELAYS, MATRIX.T)[:-40])
    with pytest.raises(InputError, match="file ends at byte"):
        read_ta(path)
    path.write_bytes(ufs_bytes(WL, np.r_[DELAYS[:-1], 1.0], MATRIX.T))
    with pytest.raises(InputError, match="delays are not monotonic: index 5"):
        read_ta(path)


def test_netcdf_round_trip_and_dims(tmp_path):
    csv = write(tmp_path, "m.csv", time_rows_text("Time (ps)"))
    da = read_ta(csv)
    nc = save_netcdf(da, tmp_path / "m.nc")
    back = read_ta(nc)
    assert back.attrs["format"] == "netcdf"
    assert_standard(back)
    xr.testing.assert_identical(back.drop_attrs(), da.drop_attrs())
    # transposed on disk is fine
    save_netcdf(da.transpose(), tmp_path / "t.nc")
    assert_standard(read_ta(tmp_path / "t.nc"))
    wrong = xr.DataArray(np.zeros((2, 2)), dims=("time", "wl"), name="dA")
    save_netcdf(wrong, tmp_path / "w.nc")
    with pytest.raises(InputError, match="wrong dimensions"):
        read_ta(tmp_path / "w.nc")
    with pytest.raises(InputError, match="time_unit does not apply"):
        read_ta(nc, time_unit="ps")
    with pytest.raises(InputError, match="layout applies only"):
        read_ta(nc, layout="time-rows")


def test_unknown_format(tmp_path):
    path = write(tmp_path, "m.csv", time_rows_text("t"))
    with pytest.raises(InputError, match="unknown transient-absorption format"):
        read_ta(path, format="excel")


# ----------------------------------------------------------------------------- writer


axis_values = st.floats(
    min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False, width=64
)
cell_values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64), st.just(float("nan"))
)


@st.composite
def ta_arrays(draw):
    nt = draw(st.integers(1, 6))
    nw = draw(st.integers(1, 6))
    t = sorted(draw(st.lists(axis_values, min_size=nt, max_size=nt, unique=True)))
    w = sorted(draw(st.lists(axis_values, min_size=nw, max_size=nw, unique=True)))
    values = draw(st.lists(cell_values, min_size=nt * nw, max_size=nt * nw))
    unit = draw(st.sampled_from(["OD", "mOD"]))
    return xr.DataArray(
        np.array(values, dtype=float).reshape(nt, nw),
        dims=("time_ps", "wavelength_nm"),
        coords={"time_ps": np.array(t), "wavelength_nm": np.array(w)},
        name="dA",
        attrs={"units": unit},
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    da=ta_arrays(),
    layout=st.sampled_from(["time-rows", "wavelength-rows"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_round_trip_hypothesis(tmp_path, da, layout, delimiter):
    path = write_ta_csv(da, tmp_path / "rt.csv", layout=layout, delimiter=delimiter)
    back = read_ta(path)
    assert back.attrs["layout"] == layout
    assert back.attrs["units"] == da.attrs["units"]
    np.testing.assert_array_equal(back["time_ps"].values, da["time_ps"].values)
    np.testing.assert_array_equal(back["wavelength_nm"].values, da["wavelength_nm"].values)
    np.testing.assert_array_equal(back.values, da.values)  # NaN == NaN here


def test_writer_transposed_input_and_errors(tmp_path):
    path = write(tmp_path, "m.csv", time_rows_text("Time (ps)"))
    da = read_ta(path)
    out = write_ta_csv(da.transpose(), tmp_path / "out.csv", layout="wavelength-rows")
    assert out.read_text().splitlines()[1].startswith("wavelength (nm) \\ time (ps),-1.0,")
    assert_standard(read_ta(out))
    with pytest.raises(InputError, match="dims time_ps and wavelength_nm"):
        write_ta_csv(xr.DataArray(np.zeros(3), dims=("x",)), tmp_path / "bad.csv")
    inf = da.copy(data=np.where(da.values > 0.1, np.inf, da.values))
    with pytest.raises(InputError, match="infinite"):
        write_ta_csv(inf, tmp_path / "bad.csv")
    with pytest.raises(OutputError):
        write_ta_csv(da, tmp_path / "missing" / "x.csv")
    assert not (tmp_path / "bad.csv").exists()


# ----------------------------------------------------------------------------- errors


def test_error_ragged_row(tmp_path):
    text = time_rows_text("Time (ps)").splitlines()
    text[3] += ",0.7"
    path = write(tmp_path, "m.csv", "\n".join(text))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 4, "ragged row", "has 6 fields", "has 5")


def test_error_non_numeric_cell(tmp_path):
    text = time_rows_text("Time (ps)").splitlines()
    text[2] = text[2].rsplit(",", 1)[0] + ",abc"
    path = write(tmp_path, "m.csv", "\n".join(text))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 3, "column 5", "not a number", "'abc'")


def test_error_text_row_inside_matrix(tmp_path):
    text = time_rows_text("Time (ps)").splitlines()
    text[3] = "oops" + text[3][text[3].index(",") :]
    path = write(tmp_path, "m.csv", "\n".join(text))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 4, "column 1", "'oops'")


def test_error_decimal_mark_mix(tmp_path):
    text = time_rows_text("", sep=";", fmt=lambda x: num(x).replace(".", ","))
    lines = text.splitlines()
    lines[3] = lines[3].replace("0,5", "0.5")
    path = write(tmp_path, "m.csv", "\n".join(lines))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 4, "decimal mark", "'0.5'")


def test_error_non_monotonic_delays(tmp_path):
    text = time_rows_text("Time (ps)").replace("\n2.0,", "\n0.25,")
    path = write(tmp_path, "m.csv", text)
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 5, "delays are not monotonic", "index 3", "0.25")


def test_error_duplicated_wavelength_in_first_row(tmp_path):
    text = time_rows_text("Time (ps)").replace("420.0", "410.0", 1)
    path = write(tmp_path, "m.csv", text)
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 1, "duplicated wavelength 410", "indices 1 and 2", "column 4")


def test_error_duplicated_delay_transposed(tmp_path):
    text = wavelength_rows_text("").replace(",0.5,", ",0.0,", 1)
    path = write(tmp_path, "m.csv", text)
    with pytest.raises(InputError) as exc:
        read_ta(path, layout="wavelength-rows")
    check_error(exc, path, 1, "duplicated delay 0", "indices 1 and 2")


@pytest.mark.parametrize(
    ("edit", "line", "text"),
    [
        (lambda s: s.replace("\n10.0,", "\nnan,"), 6, "delay at index 4 is NaN"),
        (lambda s: s.replace(",420.0,", ",NaN,"), 1, "wavelength at index 2 (column 4) is NaN"),
    ],
)
def test_error_nan_axis(tmp_path, edit, line, text):
    path = write(tmp_path, "m.csv", edit(time_rows_text("Time (ps)")))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, line, text)


def test_error_empty_matrix(tmp_path):
    path = write(tmp_path, "m.csv", "# header\nTime (ps),400,410\n")
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 2, "empty matrix")
    path = write(tmp_path, "e.csv", "# nothing\n\n")
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, None, "file is empty")
    path = write(tmp_path, "t.csv", "just text\nmore text\n")
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 1, "no numeric matrix rows")


def test_error_axis_row_width(tmp_path):
    text = time_rows_text("Time (ps)").splitlines()
    text[0] += ",440.0"
    path = write(tmp_path, "m.csv", "\n".join(text))
    with pytest.raises(InputError) as exc:
        read_ta(path)
    check_error(exc, path, 1, "axis row has 6 fields", "matrix rows have 5")


def test_error_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_ta(tmp_path / "nope.csv")
