"""Pipeline analysis ``band_gap``: UV-vis band gap at the second-derivative minimum.

Data (``[samples.data] uvvis = FILE``): a table with a wavelength (nm, um) or photon-energy
(eV, meV) column and an absorbance (or transmittance) column, or an instrument export; see
:func:`load_spectrum`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr
from pydantic import Field

from qdcat.core.results import Result
from qdcat.optics import band_gap_second_derivative, plot_band_gap, plot_band_gap_comparison
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


def load_spectrum(path: Path) -> xr.DataArray:
    """Read an absorbance (or transmittance) spectrum with :func:`qdcat.io.spectra.read_spectrum`.

    Any format that reader knows (a table with a wavelength or photon-energy column,
    Agilent Cary / PerkinElmer / Shimadzu exports); a column without a recognised name is
    taken as absorbance, transmittance is converted (``A = -log10 T``). The axis becomes
    ``wavelength_nm`` or ``energy_eV``. Raises :class:`InputError` naming the file when the
    axis is not a wavelength or energy (for example ``time_ns``), when several columns leave
    the absorbance ambiguous, or for a reflectance or emission spectrum.
    """
    from qdcat.io.spectra import read_spectrum, to_absorbance

    return to_absorbance(read_spectrum(path, assume="absorbance"))


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
