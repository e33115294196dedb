"""Pipeline analysis ``band_gap``: UV-vis band gap at the second-derivative minimum.

Data (``[samples.data] uvvis = FILE``): a table with a wavelength (nm, um) or photon-energy
(eV, meV) column and an absorbance column; see :func:`load_spectrum`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr
from pydantic import Field

from qdcat.core.errors import InputError
from qdcat.core.results import Result
from qdcat.io import read_table
from qdcat.optics import band_gap_second_derivative, plot_band_gap, plot_band_gap_comparison
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register

#: Accepted spectral axes and the factor to the axis the analysis uses.
_AXES: dict[str, tuple[str, float]] = {
    "wavelength_nm": ("wavelength_nm", 1.0),
    "wavelength_um": ("wavelength_nm", 1e3),
    "wavelength_A": ("wavelength_nm", 0.1),
    "energy_eV": ("energy_eV", 1.0),
    "energy_meV": ("energy_eV", 1e-3),
}
_Y_NAMES = ("absorbance", "abs", "a", "od", "optical_density", "y")


def load_spectrum(path: Path) -> xr.DataArray:
    """Read an absorbance spectrum; its axis is converted to ``wavelength_nm`` or ``energy_eV``.

    Raises :class:`InputError` naming the file when the axis is not a wavelength or energy
    (for example ``time_ns``) or when several columns leave the absorbance ambiguous.
    """
    da = read_table(path)
    if da.ndim == 2:
        columns = [str(c) for c in da.coords["column"].values]
        chosen = next((c for c in columns if c.lower() in _Y_NAMES), None)
        if chosen is None:
            raise InputError(
                "cannot tell which column is the absorbance",
                file=path,
                field="columns",
                expected="a column named 'absorbance' (or only two columns)",
                found=columns,
            )
        da = read_table(path, y=chosen)
    dim = str(da.dims[0])
    if dim not in _AXES:
        raise InputError(
            "the first column is not a spectral axis",
            file=path,
            field=dim,
            expected="wavelength (nm, um, A) or photon energy (eV, meV), e.g. 'wavelength_nm'",
            found=dim,
        )
    target, factor = _AXES[dim]
    values = da.coords[dim].values * factor
    out = xr.DataArray(
        da.values,
        dims=(target,),
        coords={target: (target, values, {"units": target.split("_")[1]})},
        name="absorbance",
        attrs={**da.attrs, "source_file": str(path)},
    )
    return out


class BandGapOptions(AnalysisOptions):
    """``[analyses.band_gap]`` options."""

    energy_range_eV: tuple[float, float] | None = None
    """Look for the absorption edge between these photon energies, eV (default: automatic)."""
    windows_eV: list[float] | None = Field(default=None, min_length=1)
    """Savitzky-Golay window widths, eV (default: chosen from the data)."""
    polyorder: int = Field(default=3, ge=2, le=6)
    """Savitzky-Golay polynomial order."""


def analyse(data: xr.DataArray, sample: Mapping[str, Any], options: BandGapOptions) -> Result:
    return band_gap_second_derivative(
        data,
        energy_range_eV=options.energy_range_eV,
        windows_eV=options.windows_eV,
        polyorder=options.polyorder,
    )


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_band_gap(result)
    fig.suptitle(sample["name"])
    return fig


def compare(
    results: Mapping[str, Result], samples: Sequence[Mapping[str, Any]], options: BandGapOptions
) -> Any:
    return plot_band_gap_comparison(results)


ANALYSIS = register(
    Analysis(
        name="band_gap",
        title="Optical band gap (UV-vis)",
        technique="uvvis",
        technique_description="UV-vis absorbance: wavelength_nm (or energy_eV), absorbance",
        load=load_spectrum,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=BandGapOptions,
        summary=("band_gap_eV",),
        description=(
            "Band gap at the minimum of the second derivative of absorbance vs photon energy "
            "(Savitzky-Golay derivative; the median over data-driven windows, with a standard "
            "error from the spread over windows and a noise bootstrap), as in the seed paper "
            "(Fig. S7: 2.14-2.46 eV across the ZCIS series)."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. S7)",),
    )
)
