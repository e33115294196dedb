"""Tests of NetCDF save/load (qdcat.io.netcdf)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from qdcat.core.errors import InputError, OutputError
from qdcat.io import load_netcdf, read_table, save_netcdf
from qdcat.io.netcdf import JSON_PREFIX


def spectrum() -> xr.DataArray:
    return xr.DataArray(
        np.linspace(0.0, 1.0, 5),
        dims=("wavelength_nm",),
        coords={"wavelength_nm": ("wavelength_nm", np.arange(400.0, 405.0), {"units": "nm"})},
        name="absorbance",
        attrs={
            "units": "",
            "long_name": "absorbance",
            "source_file": "/data/abs.csv",
            "fit": {"k": 1.5, "names": ["a", "b"], "ok": True},
            "flag": False,
            "nothing": None,
            "levels": [1, 2, 3],
            "pair": (1.0, "s"),
            "array": np.array([0.5, 1.5]),
            "count": 3,
            "scale": 2.5,
            "note": "line one\nline two",
            "empty": "",
            "tricky": JSON_PREFIX + "not json",
            "huge": 2**80,
        },
    )


def expected_attrs(attrs):
    out = dict(attrs)
    out["pair"] = [1.0, "s"]  # tuples come back as lists
    return out


def assert_attrs_equal(got, want):
    assert set(got) == set(want)
    for key, value in want.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got[key], value)
        else:
            assert got[key] == value, key
            assert type(got[key]) is type(value) or isinstance(value, int | float | str), key


def test_dataarray_round_trip(tmp_path):
    da = spectrum()
    path = save_netcdf(da, tmp_path / "abs.nc")
    assert path == tmp_path / "abs.nc"
    back = load_netcdf(path)
    assert isinstance(back, xr.DataArray)
    assert back.name == "absorbance"
    assert back.dims == da.dims
    np.testing.assert_array_equal(back.values, da.values)
    np.testing.assert_array_equal(back["wavelength_nm"].values, da["wavelength_nm"].values)
    assert back["wavelength_nm"].attrs == {"units": "nm"}
    assert_attrs_equal(back.attrs, expected_attrs(da.attrs))


def test_save_does_not_modify_input(tmp_path):
    da = spectrum()
    before = dict(da.attrs)
    coord_before = dict(da["wavelength_nm"].attrs)
    save_netcdf(da, tmp_path / "abs.nc")
    assert da.attrs.keys() == before.keys()
    assert da.attrs["fit"] == before["fit"]
    assert da["wavelength_nm"].attrs == coord_before
    ds = xr.Dataset({"a": da}, attrs={"meta": {"x": 1}})
    save_netcdf(ds, tmp_path / "ds.nc")
    assert ds.attrs == {"meta": {"x": 1}}
    assert ds["a"].attrs["fit"] == before["fit"]


def test_dataset_round_trip(tmp_path):
    ds = xr.Dataset(
        {
            "dA": (("time_ps", "column"), np.arange(6.0).reshape(3, 2), {"units": "mOD"}),
            "counts": ("time_ps", np.array([1, 2, 3], dtype=np.int64)),
            "mask": ("time_ps", np.array([True, False, True])),
        },
        coords={
            "time_ps": ("time_ps", [0.0, 1.0, 2.0], {"units": "ps"}),
            "column": ["dA_400_mOD", "dA_500_mOD"],
            "unit": ("column", ["mOD", "mOD"]),
        },
        attrs={"units": {"dA": "mOD"}, "header_line": None, "title": "TA map"},
    )
    save_netcdf(ds, tmp_path / "map.nc")
    back = load_netcdf(tmp_path / "map.nc")
    assert isinstance(back, xr.Dataset)
    xr.testing.assert_identical(back, ds)
    assert back.attrs == ds.attrs
    assert back["mask"].dtype == bool


def test_unnamed_and_clashing_names(tmp_path):
    unnamed = xr.DataArray([1.0, 2.0], dims="x")
    save_netcdf(unnamed, tmp_path / "u.nc")
    back = load_netcdf(tmp_path / "u.nc")
    assert isinstance(back, xr.DataArray)
    assert back.name is None
    xr.testing.assert_identical(back, unnamed)

    same = xr.DataArray([1, 2], dims="x", coords={"x": [3, 4]}, name="x")
    save_netcdf(same, tmp_path / "x.nc")
    back = load_netcdf(tmp_path / "x.nc")
    assert back.name == "x"
    xr.testing.assert_identical(back, same)


def test_read_table_then_netcdf(tmp_path):
    csv = tmp_path / "ta.csv"
    csv.write_text("Time (ps);dA 400 (mOD);dA 500 (mOD)\n0;1,5;2\n1;2,5;3\n")
    da = read_table(csv)
    save_netcdf(da, tmp_path / "ta.nc")
    back = load_netcdf(tmp_path / "ta.nc")
    xr.testing.assert_identical(back, da)


def test_overwrite_is_atomic_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "a.nc"
    save_netcdf(xr.DataArray([1.0], dims="x", name="a"), path)
    save_netcdf(xr.DataArray([2.0, 3.0], dims="x", name="b"), path)
    back = load_netcdf(path)
    assert back.name == "b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nc"]


def test_failed_save_keeps_existing_file(tmp_path):
    path = tmp_path / "keep.nc"
    save_netcdf(xr.DataArray([1.0], dims="x", name="a"), path)
    bad = xr.DataArray([1.0], dims="x", name="a", attrs={"obj": object()})
    with pytest.raises(InputError) as exc_info:
        save_netcdf(bad, path)
    assert "obj" in str(exc_info.value)
    assert "keep.nc" in str(exc_info.value)
    assert load_netcdf(path).values.tolist() == [1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nc"]


def test_save_errors(tmp_path):
    with pytest.raises(InputError, match="DataArray or Dataset"):
        save_netcdf(np.arange(3), tmp_path / "a.nc")  # type: ignore[arg-type]
    with pytest.raises(OutputError, match="does not exist"):
        save_netcdf(xr.DataArray([1.0], dims="x"), tmp_path / "no" / "a.nc")


def test_load_missing_file(tmp_path):
    path = tmp_path / "missing.nc"
    with pytest.raises(InputError) as exc_info:
        load_netcdf(path)
    assert "missing.nc" in str(exc_info.value)
    assert "not found" in str(exc_info.value)


def test_load_not_netcdf(tmp_path):
    path = tmp_path / "table.nc"
    path.write_text("x,y\n1,2\n")
    with pytest.raises(InputError) as exc_info:
        load_netcdf(path)
    assert "table.nc" in str(exc_info.value)
    assert "NetCDF" in str(exc_info.value)


# ----------------------------------------------------------------------------- properties

names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8"), max_size=20)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
attr_dicts = st.dictionaries(names, json_values, max_size=4)


@st.composite
def dataarrays(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dims = draw(st.lists(names, min_size=len(shape), max_size=len(shape), unique=True))
    dtype = draw(st.sampled_from([np.float64, np.int64, np.float32]))
    values = draw(
        hnp.arrays(dtype, shape, elements={"allow_nan": False} if dtype != np.int64 else None)
    )
    coords = {}
    for dim, size in zip(dims, shape, strict=True):
        if draw(st.booleans()):
            coord = draw(hnp.arrays(np.float64, size, elements=st.floats(-1e6, 1e6), unique=True))
            coords[dim] = (dim, coord, draw(attr_dicts))
    name = draw(st.none() | names)
    return xr.DataArray(values, dims=dims, coords=coords, name=name, attrs=draw(attr_dicts))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(da=dataarrays())
def test_property_dataarray_round_trip(tmp_path, da):
    path = tmp_path / "p.nc"
    save_netcdf(da, path)
    back = load_netcdf(path)
    assert isinstance(back, xr.DataArray)
    assert back.name == da.name
    xr.testing.assert_identical(back, da)
    assert back.dtype == da.dtype


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=dataarrays(), b=dataarrays(), attrs=attr_dicts)
def test_property_dataset_round_trip(tmp_path, a, b, attrs):
    b = b.rename({d: f"B{d}" for d in b.dims})
    b = b.rename({c: f"B{c}" for c in b.coords if c not in b.dims})
    ds = xr.Dataset({"a": a, "b": b}, attrs=attrs)
    path = tmp_path / "p.nc"
    save_netcdf(ds, path)
    back = load_netcdf(path)
    assert isinstance(back, xr.Dataset)
    xr.testing.assert_identical(back, ds)
