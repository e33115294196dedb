"""Save and load xarray objects as NetCDF-4 (HDF5) files, keeping names and attributes.

NetCDF attributes can hold only strings, numbers and 1-D numeric arrays. Any other attribute
value (dict, list, tuple, bool, None, very large int, ...) is stored as a JSON string with the
prefix :data:`JSON_PREFIX` and turned back into Python objects by :func:`load_netcdf` (tuples
come back as lists, NumPy scalars inside containers as Python numbers). A DataArray is stored as
a one-variable Dataset with marker attributes, so that it loads back as a DataArray with its
name.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdcat.core.errors import InputError, MissingDependencyError, OutputError
from qdcat.core.results import to_jsonable

__all__ = ["JSON_PREFIX", "load_netcdf", "save_netcdf"]

#: Prefix of attribute strings that hold JSON-encoded values.
JSON_PREFIX = "__qdcat_json__:"
_KIND_ATTR = "_qdcat_object"
_NAME_ATTR = "_qdcat_dataarray_name"
_VAR_ATTR = "_qdcat_dataarray_variable"
_PLACEHOLDER = "__xarray_dataarray_variable__"
_ENGINE = "h5netcdf"


def _require_h5py() -> None:
    try:
        import h5py  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("h5py", extra="netcdf", feature="NetCDF files") from exc


def _native(value: Any) -> bool:
    """True if NetCDF stores ``value`` as an attribute and gives it back unchanged."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, str):
        if value.startswith(JSON_PREFIX) or "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            return False
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, float | np.integer | np.floating):
        return True
    if isinstance(value, np.ndarray):
        return value.ndim == 1 and value.size > 0 and value.dtype.kind in "iuf"
    return False


def _encode_attrs(attrs: Mapping[Hashable, Any], where: str, path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if not isinstance(key, str):
            raise InputError(
                f"attribute names must be strings ({where})",
                file=path,
                field=str(key),
                expected="a str attribute name",
                found=key,
            )
        if _native(value):
            out[key] = value
            continue
        try:
            text = json.dumps(to_jsonable(value), allow_nan=False, ensure_ascii=True)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"attribute cannot be stored in NetCDF ({where})",
                file=path,
                field=key,
                expected="str, number, array, or a JSON-serialisable value",
                found=type(value).__name__,
            ) from exc
        out[key] = JSON_PREFIX + text
    return out


def _decode_attrs(attrs: Mapping[Hashable, Any]) -> dict[Hashable, Any]:
    out: dict[Hashable, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, str) and value.startswith(JSON_PREFIX):
            try:
                out[key] = json.loads(value[len(JSON_PREFIX) :])
                continue
            except ValueError:
                pass
        out[key] = value
    return out


def _as_dataset(obj: xr.DataArray | xr.Dataset, path: Path) -> xr.Dataset:
    """A shallow copy of ``obj`` as a Dataset with encoded attributes."""
    if isinstance(obj, xr.DataArray):
        name = obj.name
        clash = name in obj.dims or name in obj.coords
        var = name if isinstance(name, str) and name and not clash else _PLACEHOLDER
        # copy: to_dataset shares the coordinate Variables (and their attrs) with ``obj``
        ds = obj.to_dataset(name=var, promote_attrs=False).copy(deep=False)
        stored_name = to_jsonable(name) if _jsonable(name) else str(name)
        ds.attrs = {
            _KIND_ATTR: "DataArray",
            _VAR_ATTR: var,
            _NAME_ATTR: JSON_PREFIX + json.dumps(stored_name, ensure_ascii=True),
        }
        where_root = "DataArray"
    elif isinstance(obj, xr.Dataset):
        ds = obj.copy(deep=False)
        ds.attrs = _encode_attrs(obj.attrs, "Dataset attrs", path)
        where_root = "Dataset"
    else:
        raise InputError(
            "can save only an xarray DataArray or Dataset",
            file=path,
            field="obj",
            expected="xarray.DataArray or xarray.Dataset",
            found=type(obj).__name__,
        )
    for name, variable in ds.variables.items():
        variable.attrs = _encode_attrs(variable.attrs, f"{where_root} variable {name!r}", path)
    return ds


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(to_jsonable(value), allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def save_netcdf(obj: xr.DataArray | xr.Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` to ``path`` as NetCDF-4 (engine h5netcdf), atomically.

    The file is written to a temporary file in the same folder and renamed over ``path``, so a
    reader never sees a half-written file and an existing file survives a failed write.
    Values, coordinates, names and attributes are kept (see the module docstring for how
    non-NetCDF attribute values are stored); units are whatever the ``units`` attributes say.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        ``obj`` is not a DataArray/Dataset, or holds something NetCDF cannot store.
    OutputError
        The folder does not exist or the file cannot be written.
    MissingDependencyError
        h5py (the HDF5 backend of h5netcdf) is not installed.
    """
    target = Path(path)
    ds = _as_dataset(obj, target)
    _require_h5py()
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{target}: cannot write: folder {parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            ds.to_netcdf(tmp, engine=_ENGINE)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write NetCDF file: {exc}") from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError(
                f"cannot store this object in NetCDF: {exc}",
                file=target,
                expected="values and attributes that NetCDF-4 can hold",
            ) from exc
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return target


def load_netcdf(path: str | os.PathLike[str]) -> xr.DataArray | xr.Dataset:
    """Read a NetCDF file written by :func:`save_netcdf` (or any NetCDF-4/HDF5 file).

    The data are loaded into memory and the file is closed. A file saved from a DataArray
    loads back as a DataArray with its name; JSON-encoded attributes are decoded.

    Raises
    ------
    InputError
        The file does not exist or is not a readable NetCDF file.
    MissingDependencyError
        h5py is not installed.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p, expected="an existing NetCDF file")
    if not p.is_file():
        raise InputError("is a folder, not a file", file=p, expected="a NetCDF file")
    _require_h5py()
    try:
        with xr.open_dataset(p, engine=_ENGINE) as opened:
            ds = opened.load()
    except Exception as exc:
        raise InputError(
            f"not a readable NetCDF file ({type(exc).__name__}: {exc})",
            file=p,
            expected="a NetCDF-4 (HDF5) file",
        ) from exc
    ds.attrs = _decode_attrs(ds.attrs)
    for variable in ds.variables.values():
        variable.attrs = _decode_attrs(variable.attrs)
    if ds.attrs.get(_KIND_ATTR) == "DataArray" and ds.attrs.get(_VAR_ATTR) in ds.data_vars:
        da = ds[ds.attrs[_VAR_ATTR]]
        da.name = ds.attrs.get(_NAME_ATTR)
        return da
    return ds
