"""Tests of the tolerant text-table reader (qdcat.io.tables)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError, QdcatError
from qdcat.io import parse_header, read_frame, read_table


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ----------------------------------------------------------------------------- parse_header


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wavelength (nm)", ("wavelength_nm", "wavelength", "nm")),
        ("wavelength [nm]", ("wavelength_nm", "wavelength", "nm")),
        ("time_ns", ("time_ns", "time", "ns")),
        ("Time/ps", ("time_ps", "time", "ps")),
        ("Time, ps", ("time_ps", "time", "ps")),
        ("Abs", ("absorbance", "absorbance", "")),
        ("Absorbance", ("absorbance", "absorbance", "")),
        ("Energy (eV)", ("energy_eV", "energy", "eV")),
        ("energy_ev", ("energy_eV", "energy", "eV")),
        ("counts", ("counts", "counts", "")),
        ("CO_umol", ("CO_umol", "CO", "umol")),
        ("H2_umol_g_h", ("H2_umol_g_h", "H2", "umol g-1 h-1")),
        ("Rate (umol g-1 h-1)", ("rate_umol_g_h", "rate", "umol g-1 h-1")),
        ("Rate (µmol g⁻¹ h⁻¹)", ("rate_umol_g_h", "rate", "umol g-1 h-1")),
        ("dA (mOD)", ("dA_mOD", "dA", "mOD")),
        ("ΔA (mOD)", ("dA_mOD", "dA", "mOD")),
        ("sample_name", ("sample_name", "sample_name", "")),
        ("Sample Name", ("sample_name", "sample_name", "")),
        ("Power (mW cm-2)", ("power_mW_cm2", "power", "mW cm-2")),
        ("power_mW_cm2", ("power_mW_cm2", "power", "mW cm-2")),
        ("Raman shift (cm-1)", ("raman_shift_cm1", "raman_shift", "cm-1")),
        ("T (K)", ("T_K", "T", "K")),
        ("Wavelength (Å)", ("wavelength_A", "wavelength", "A")),
        ("PL Intensity (a.u.)", ("PL_intensity_au", "PL_intensity", "a.u.")),
        ("Yield (%)", ("yield_pct", "yield", "%")),
        ("Cu (at. %)", ("Cu_at_pct", "Cu", "at. %")),
        ('"Time (µs)"', ("time_us", "time", "us")),
        ("CO/H2", ("CO_H2", "CO_H2", "")),
        ("x", ("x", "x", "")),
    ],
)
def test_parse_header(text, expected):
    assert parse_header(text) == expected


# ----------------------------------------------------------------------------- read_frame


def test_csv_with_header(tmp_path):
    path = write(tmp_path, "abs.csv", "Wavelength (nm),Abs\n400,0.10\n401,0.25\n")
    df = read_frame(path)
    assert list(df.columns) == ["wavelength_nm", "absorbance"]
    np.testing.assert_array_equal(df.to_numpy(), [[400, 0.10], [401, 0.25]])
    assert df.attrs["source_file"] == str(path)
    assert df.attrs["units"] == {"wavelength_nm": "nm", "absorbance": ""}
    assert df.attrs["header_line"] == 1
    assert df.attrs["delimiter"] == ","
    assert df.attrs["decimal"] == "."
    assert list(df.index) == [2, 3]
    assert df.index.name == "line"


def test_semicolon_comma_decimal_comments_top_and_middle(tmp_path):
    text = (
        "# exported by Spectro 3000\n"
        "Instrument: UV-2600\n"
        "\n"
        "Wavelength [nm];Absorbance\n"
        "400,5;0,125\n"
        "% a comment in the middle\n"
        "\n"
        "401,5;-1,5e-3\n"
        "// and another\n"
        "402,5;nan\n"
    )
    df = read_frame(write(tmp_path, "uv.txt", text))
    assert list(df.columns) == ["wavelength_nm", "absorbance"]
    assert df.attrs["header_line"] == 4
    assert df.attrs["decimal"] == ","
    assert df.attrs["delimiter"] == ";"
    np.testing.assert_array_equal(df["wavelength_nm"], [400.5, 401.5, 402.5])
    np.testing.assert_array_equal(df["absorbance"], [0.125, -1.5e-3, np.nan])
    assert list(df.index) == [5, 8, 10]


def test_tab_comma_decimal(tmp_path):
    text = "Time (ps)\tdA (mOD)\n0,0\t1,5\n1,25\t2,75\n"
    df = read_frame(write(tmp_path, "ta.tsv", text))
    assert list(df.columns) == ["time_ps", "dA_mOD"]
    assert df.attrs["delimiter"] == "\t"
    np.testing.assert_array_equal(df.to_numpy(), [[0.0, 1.5], [1.25, 2.75]])


def test_explicit_decimal_and_delimiter(tmp_path):
    path = write(tmp_path, "d.txt", "1;2\n3;4\n")
    df = read_frame(path, delimiter=";", decimal=",")
    assert df.attrs["decimal"] == ","
    np.testing.assert_array_equal(df.to_numpy(), [[1, 2], [3, 4]])
    df = read_frame(write(tmp_path, "w.txt", "1,5 2,5\n3,5 4,5\n"), delimiter="whitespace")
    np.testing.assert_array_equal(df.to_numpy(), [[1.5, 2.5], [3.5, 4.5]])


def test_comma_delimiter_means_dot_decimal(tmp_path):
    df = read_frame(write(tmp_path, "c.csv", "1,5\n2,6\n"))
    assert list(df.columns) == ["x", "y"]
    np.testing.assert_array_equal(df.to_numpy(), [[1, 5], [2, 6]])


def test_whitespace_separated_with_units_in_brackets(tmp_path):
    text = "Time (ps)  dA (mOD)   Rate (umol g-1 h-1)\n  0   1.5  3\n1 \t 2.5 4\n"
    df = read_frame(write(tmp_path, "ws.dat", text))
    assert list(df.columns) == ["time_ps", "dA_mOD", "rate_umol_g_h"]
    assert df.attrs["delimiter"] == "whitespace"
    np.testing.assert_array_equal(df.to_numpy(), [[0, 1.5, 3], [1, 2.5, 4]])


def test_whitespace_comma_decimal(tmp_path):
    df = read_frame(write(tmp_path, "ws.dat", "time_ns counts\n1,5 10\n2,5 20\n"))
    assert list(df.columns) == ["time_ns", "counts"]
    assert df.attrs["units"] == {"time_ns": "ns", "counts": ""}
    np.testing.assert_array_equal(df.to_numpy(), [[1.5, 10], [2.5, 20]])


def test_utf8_bom_and_latin1_and_utf16(tmp_path):
    df = read_frame(write(tmp_path, "bom.csv", "\ufeffEnergy (eV),counts\n1.5,10\n"))
    assert list(df.columns) == ["energy_eV", "counts"]
    df = read_frame(write(tmp_path, "l1.csv", "T (°C),Rate (µmol g-1 h-1)\n25,1\n", "latin-1"))
    assert list(df.columns) == ["T_degC", "rate_umol_g_h"]
    assert df.attrs["units"]["T_degC"] == "°C"
    df = read_frame(write(tmp_path, "u16.csv", "time_ps,dA_mOD\r\n1,2\r\n", "utf-16"))
    assert list(df.columns) == ["time_ps", "dA_mOD"]
    np.testing.assert_array_equal(df.to_numpy(), [[1, 2]])


def test_headerless_two_and_more_columns(tmp_path):
    df = read_frame(write(tmp_path, "two.txt", "1 2\n3 4\n"))
    assert list(df.columns) == ["x", "y"]
    assert df.attrs["header_line"] is None
    assert df.attrs["units"] == {"x": "", "y": ""}
    df = read_frame(write(tmp_path, "four.csv", "1,2,3,4\n5,6,7,8\n"))
    assert list(df.columns) == ["x", "y1", "y2", "y3"]


def test_metadata_line_with_other_width_is_not_header(tmp_path):
    text = "Sample: CuInS2 QDs, batch 7, annealed\nrun 3\n1;2\n3;4\n"
    df = read_frame(write(tmp_path, "m.txt", text))
    assert list(df.columns) == ["x", "y"]
    assert df.attrs["header_line"] is None


def test_lone_point_count_before_table(tmp_path):
    df = read_frame(write(tmp_path, "n.txt", "2\n1 2\n3 4\n"))
    assert df.shape == (2, 2)


def test_trailing_delimiter_dialect_and_crlf(tmp_path):
    df = read_frame(write(tmp_path, "t.csv", "x;y;\r\n1;2;\r\n3;4;\r\n"))
    assert list(df.columns) == ["x", "y"]
    np.testing.assert_array_equal(df.to_numpy(), [[1, 2], [3, 4]])


def test_quoted_fields(tmp_path):
    df = read_frame(write(tmp_path, "q.csv", '"Time (ps)","dA (mOD)"\n"1.5","2"\n'))
    assert list(df.columns) == ["time_ps", "dA_mOD"]
    np.testing.assert_array_equal(df.to_numpy(), [[1.5, 2]])


def test_large_file_vectorised(tmp_path):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(50_000, 3))
    path = tmp_path / "big.tsv"
    with path.open("w") as fh:
        fh.write("Time (ps)\tA\tB\n")
        np.savetxt(fh, data, delimiter="\t", fmt="%.17g")
    df = read_frame(path)
    np.testing.assert_array_equal(df.to_numpy(), data)


# ----------------------------------------------------------------------------- errors


def check_error(exc_info, path, line, *texts):
    err = exc_info.value
    assert isinstance(err, InputError)
    assert isinstance(err, QdcatError)
    message = str(err)
    assert path.name in message
    if line is not None:
        assert f":{line}" in message
        assert err.line == line
    for text in texts:
        assert text in message
    return err


def test_error_file_not_found(tmp_path):
    path = tmp_path / "missing.csv"
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, None, "not found")


def test_error_empty_file(tmp_path):
    path = write(tmp_path, "empty.csv", "")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, None, "empty")
    path = write(tmp_path, "comments.csv", "# nothing\n\n% here\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, None, "empty")


def test_error_no_numeric_rows(tmp_path):
    path = write(tmp_path, "text.csv", "# c\nhello world\nmore text\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 2, "no numeric", "hello world")


def test_error_ragged_row(tmp_path):
    path = write(tmp_path, "ragged.csv", "x,y\n1,2\n3,4\n5,6,7\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    err = check_error(exc_info, path, 4, "5,6,7", "3 fields", "has 2")
    assert err.found == "5,6,7"


def test_error_ragged_first_row_against_header(tmp_path):
    path = write(tmp_path, "ragged1.csv", "x,y\n1,2,3\n3,4\n5,6\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 2, "1,2,3")


def test_error_ragged_headerless_short_row(tmp_path):
    path = write(tmp_path, "short.txt", "1 2 3\n4 5 6\n7 8\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 3, "7 8", "2 fields")


def test_error_cell_not_a_number(tmp_path):
    path = write(tmp_path, "bad.csv", "Wavelength (nm),Abs\n400,0.1\n401,0.2\n402,oops\n403,0.3\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    err = check_error(exc_info, path, 4, "oops", "absorbance", "column 2")
    assert err.field == "absorbance"


def test_error_bad_cell_in_first_data_row(tmp_path):
    path = write(tmp_path, "bad1.csv", "x_nm,y\n1,abc\n3,4\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 2, "abc", "y")


def test_error_only_row_has_bad_cell(tmp_path):
    path = write(tmp_path, "inf1.csv", "a,b\n1,inf\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 2, "inf")


def test_error_infinite_value(tmp_path):
    path = write(tmp_path, "inf.csv", "a,b\n1,2\n3,inf\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 3, "inf", "column 2")


def test_error_empty_cell(tmp_path):
    path = write(tmp_path, "hole.txt", "x;y\n1;2\n3;\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 3, "empty cell", "''")


def test_error_mixed_decimal_marks(tmp_path):
    path = write(tmp_path, "mixed.txt", "x;y\n1,5;2\n3.5;4\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 3, "3.5", "decimal mark ','")


def test_error_upper_case_nan_is_not_a_number(tmp_path):
    path = write(tmp_path, "nan.csv", "x,y\n1,2\n3,NAN\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 3, "NAN")


def test_error_duplicate_keys(tmp_path):
    path = write(tmp_path, "dup.csv", "Time (ps),time_ps\n1,2\n")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, 1, "time_ps", "Time (ps)", "distinct")


def test_error_bad_options(tmp_path):
    path = write(tmp_path, "ok.csv", "1,2\n")
    with pytest.raises(InputError, match="delimiter"):
        read_frame(path, delimiter="|")
    with pytest.raises(InputError, match="decimal"):
        read_frame(path, decimal="'")
    with pytest.raises(InputError, match="both delimiter and decimal"):
        read_frame(path, delimiter=",", decimal=",")


def test_error_binary_file(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x89HDF\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError) as exc_info:
        read_frame(path)
    check_error(exc_info, path, None, "NUL")


# ----------------------------------------------------------------------------- read_table


def test_read_table_1d(tmp_path):
    path = write(tmp_path, "abs.csv", "Wavelength (nm),Abs\n400,0.1\n401,0.2\n")
    da = read_table(path)
    assert da.dims == ("wavelength_nm",)
    assert da.name == "absorbance"
    assert da["wavelength_nm"].attrs["units"] == "nm"
    assert da.attrs == {"units": "", "long_name": "absorbance", "source_file": str(path)}
    np.testing.assert_array_equal(da["wavelength_nm"], [400, 401])
    np.testing.assert_array_equal(da, [0.1, 0.2])


def test_read_table_units_and_long_name(tmp_path):
    path = write(tmp_path, "ta.tsv", "Time (ps)\tdA (mOD)\n0\t1\n1\tnan\n")
    da = read_table(path)
    assert da.attrs["units"] == "mOD"
    assert da.attrs["long_name"] == "dA"
    assert da["time_ps"].attrs["units"] == "ps"
    assert np.isnan(da.values[1])


def test_read_table_2d(tmp_path):
    text = "Time (ps);dA 400 (mOD);dA 500 (mOD);dA 600 (mOD)\n0;1;2;3\n1;4;5;6\n"
    path = write(tmp_path, "map.csv", text)
    da = read_table(path)
    assert da.dims == ("time_ps", "column")
    assert list(da["column"].values) == ["dA_400_mOD", "dA_500_mOD", "dA_600_mOD"]
    assert list(da["unit"].values) == ["mOD"] * 3
    assert da.attrs["units"] == "mOD"
    assert da.attrs["source_file"] == str(path)
    np.testing.assert_array_equal(da.values, [[1, 2, 3], [4, 5, 6]])
    assert isinstance(da, xr.DataArray)


def test_read_table_choose_columns(tmp_path):
    path = write(tmp_path, "gc.csv", "time_h,CO_umol,H2_umol\n0,0,0\n1,2.5,0.5\n")
    da = read_table(path, y="H2_umol")
    assert da.name == "H2_umol"
    assert da.dims == ("time_h",)
    assert da.attrs["units"] == "umol"
    np.testing.assert_array_equal(da, [0, 0.5])
    da = read_table(path, x="CO_umol", y="time_h")
    assert da.dims == ("CO_umol",)


def test_read_table_unknown_key_lists_available(tmp_path):
    path = write(tmp_path, "gc.csv", "time_h,CO_umol,H2_umol\n0,0,0\n")
    with pytest.raises(InputError) as exc_info:
        read_table(path, y="CH4_umol")
    check_error(exc_info, path, None, "CH4_umol", "time_h", "CO_umol", "H2_umol")
    with pytest.raises(InputError, match="available keys"):
        read_table(path, x="t")


def test_read_table_nan_in_x(tmp_path):
    path = write(tmp_path, "nanx.csv", "x,y\n1,2\nnan,3\n")
    with pytest.raises(InputError) as exc_info:
        read_table(path)
    check_error(exc_info, path, 3, "nan", "x column")


def test_read_table_single_column(tmp_path):
    path = write(tmp_path, "one.txt", "1\n2\n3\n")
    with pytest.raises(InputError) as exc_info:
        read_table(path)
    check_error(exc_info, path, 1, "one column")


# ----------------------------------------------------------------------------- properties

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 30))
    n_cols = draw(st.integers(2, 5))
    values = np.array(
        draw(st.lists(finite, min_size=n_rows * n_cols, max_size=n_rows * n_cols)),
        dtype=np.float64,
    ).reshape(n_rows, n_cols)
    delimiter = draw(st.sampled_from([",", ";", "\t", " "]))
    decimal = "." if delimiter == "," else draw(st.sampled_from([".", ","]))
    header = draw(st.booleans())
    return values, delimiter, decimal, header


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=tables())
def test_property_round_trip(tmp_path, table):
    values, delimiter, decimal, header = table
    lines = []
    if header:
        lines.append(delimiter.join(f"col{j} (nm)" for j in range(values.shape[1])))
    for row in values:
        lines.append(delimiter.join(repr(float(v)).replace(".", decimal) for v in row))
    path = tmp_path / "prop.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = read_frame(path)
    assert df.shape == values.shape
    np.testing.assert_allclose(df.to_numpy(), values, rtol=1e-12, atol=0)
    if header:
        assert list(df.columns) == [f"col{j}_nm" for j in range(values.shape[1])]
        assert df.attrs["header_line"] == 1
    else:
        assert df.attrs["header_line"] is None


def test_read_table_y_equal_to_x(tmp_path):
    path = write(tmp_path, "gc.csv", "time_h,CO_umol\n0,0\n")
    with pytest.raises(InputError, match="already the x column"):
        read_table(path, y="time_h")
