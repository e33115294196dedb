"""Band gaps of many spectra at once (a growth series, a plate of samples, a titration), on an
executor (:func:`qdcat.core.executors.make_executor`: serial, local processes or a dask
cluster), as :func:`qdcat.kinetics.trpl.fit_trpl_batch` does for decays."""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

import numpy as np
import xarray as xr

from qdcat.core.errors import InputError, QdcatError

__all__ = ["BATCH_METHODS", "band_gap_batch"]

#: Methods of :func:`band_gap_batch` (as on the command line).
BATCH_METHODS = ("second-derivative", "tauc-direct", "tauc-indirect", "kubelka-munk")
_SPECTRAL = ("wavelength_nm", "energy_eV")


def _one(method: str, da: xr.DataArray, options: dict[str, Any]) -> tuple[float, float]:
    from qdcat.optics.bandgap import band_gap_second_derivative
    from qdcat.optics.tauc import band_gap_kubelka_munk, band_gap_tauc

    if method == "second-derivative":
        r = band_gap_second_derivative(da, **options)
    elif method == "kubelka-munk":
        r = band_gap_kubelka_munk(da, **options)
    else:
        r = band_gap_tauc(da, transition=method.split("-", 1)[1], **options)
    q = r.quantities["band_gap_eV"]
    return float(q.value), float(q.stderr) if q.stderr is not None else float("nan")


def _chunk(payload: dict[str, Any]) -> dict[str, Any]:
    """Band gaps of one chunk of spectra (runs in a worker)."""
    dim, x, values = payload["dim"], payload["x"], payload["values"]
    n = values.shape[0]
    gap = np.full(n, np.nan)
    err = np.full(n, np.nan)
    messages = [""] * n
    for i in range(n):
        da = xr.DataArray(values[i], dims=(dim,), coords={dim: x}, name=payload["name"])
        try:
            gap[i], err[i] = _one(payload["method"], da, payload["options"])
        except QdcatError as exc:
            messages[i] = str(exc)
    return {"gap": gap, "err": err, "messages": messages}


def band_gap_batch(
    spectra: xr.DataArray,
    *,
    method: str = "second-derivative",
    executor: Executor | None = None,
    chunk_size: int = 64,
    **options: Any,
) -> xr.Dataset:
    """Band gap of every spectrum of ``spectra``.

    Parameters
    ----------
    spectra:
        Absorbance (or, for ``'kubelka-munk'``, reflectance as a fraction) with one spectral
        dimension ``'wavelength_nm'`` or ``'energy_eV'`` and any others (``'sample'``,
        ``'time_min'``), e.g. from :func:`qdcat.io.spectra.read_spectra`.
    method:
        One of :data:`BATCH_METHODS`.
    executor:
        Where the chunks run (``None``: here, one after the other).
    chunk_size:
        Spectra per task.
    **options:
        Passed to the band-gap function (e.g. ``energy_range_eV``).

    Returns
    -------
    xarray.Dataset
        Over the non-spectral dimensions: ``band_gap_eV``, ``band_gap_stderr_eV`` (NaN where
        the analysis failed) and ``error`` (the message, ``''`` on success); attrs
        ``method`` and ``n_failed``. A spectrum without an edge does not stop the batch.
    """
    if method not in BATCH_METHODS:
        raise InputError(
            "unknown band-gap method",
            field="method",
            expected="one of " + ", ".join(BATCH_METHODS),
            found=method,
        )
    if not isinstance(spectra, xr.DataArray):
        raise InputError(
            "spectra must be an xarray.DataArray",
            field="spectra",
            expected="DataArray with a 'wavelength_nm' or 'energy_eV' dimension",
            found=type(spectra).__name__,
        )
    dims = [d for d in spectra.dims if d in _SPECTRAL]
    if len(dims) != 1:
        raise InputError(
            "the spectra need exactly one spectral dimension",
            field="dims",
            expected="one of 'wavelength_nm', 'energy_eV' plus any others",
            found=tuple(str(d) for d in spectra.dims),
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer):
        raise InputError("chunk_size must be an integer", field="chunk_size", found=chunk_size)
    if chunk_size < 1:
        raise InputError("chunk_size must be >= 1", field="chunk_size", found=chunk_size)
    dim = str(dims[0])
    other = [str(d) for d in spectra.dims if d != dim]
    if not other:
        spectra = spectra.expand_dims("spectrum")
        other = ["spectrum"]
    arr = spectra.transpose(*other, dim)
    shape = tuple(arr.sizes[d] for d in other)
    values = np.asarray(arr.values, dtype=float).reshape(-1, arr.sizes[dim])
    x = np.asarray(arr[dim].values, dtype=float)
    name = str(spectra.name) if spectra.name is not None else "absorbance"
    payloads = [
        {
            "dim": dim,
            "x": x,
            "values": values[i : i + chunk_size],
            "method": method,
            "options": dict(options),
            "name": name,
        }
        for i in range(0, values.shape[0], int(chunk_size))
    ]
    if executor is None:
        parts = [_chunk(p) for p in payloads]
    else:
        futures = [executor.submit(_chunk, p) for p in payloads]
        parts = [f.result() for f in futures]
    gap = np.concatenate([p["gap"] for p in parts]).reshape(shape)
    err = np.concatenate([p["err"] for p in parts]).reshape(shape)
    messages = np.array([m for p in parts for m in p["messages"]], dtype=object).reshape(shape)
    coords = {d: arr[d].values for d in other if d in arr.coords}
    return xr.Dataset(
        {
            "band_gap_eV": (tuple(other), gap, {"units": "eV"}),
            "band_gap_stderr_eV": (tuple(other), err, {"units": "eV"}),
            "error": (tuple(other), messages),
        },
        coords=coords,
        attrs={
            "method": method,
            "n_spectra": int(values.shape[0]),
            "n_failed": int(np.sum(messages != "")),
            "chunk_size": int(chunk_size),
        },
    )
