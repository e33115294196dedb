"""Pipeline analysis ``photoluminescence``: PL peak, width and Stokes shift (seed paper
Fig. 4a: 380-490 meV between the PL peak and the exciton absorption peak).

Data: ``pl = FILE`` (an emission spectrum over wavelength or energy, counts per bin) and, as
auxiliary data, the sample's ``uvvis`` absorbance spectrum, which gives the exciton peak.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import xarray as xr

from qdcat.core.errors import InputError
from qdcat.core.results import Result
from qdcat.optics import (
    pl_peak,
    plot_absorption_pl,
    plot_absorption_pl_comparison,
    stokes_shift,
)
from qdcat.pipeline.analyses.band_gap import load_spectrum
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register

UVVIS_KEY = "uvvis"


def load_emission(path: Path) -> xr.DataArray:
    """Read a PL spectrum with :func:`qdcat.io.spectra.read_spectrum` (a column without a
    recognised name counts as intensity); an absorbance or reflectance file is refused."""
    from qdcat.io.spectra import read_spectrum

    spectrum = read_spectrum(path, assume="intensity")
    if spectrum.name != "intensity":
        raise InputError(
            f"not an emission spectrum but {spectrum.name}",
            file=path,
            field="quantity",
            expected="PL intensity (counts, cps, intensity)",
            found=str(spectrum.name),
        )
    return spectrum


def load(path: Path, uvvis: Path) -> dict[str, xr.DataArray]:
    return {"pl": load_emission(path), "absorption": load_spectrum(uvvis)}


class PhotoluminescenceOptions(AnalysisOptions):
    """``[analyses.photoluminescence]`` options."""

    reference: Literal["exciton", "band-gap"] = "exciton"
    """Absorption reference of the Stokes shift: the Abs1 centre of the edge decomposition
    (the exciton absorption peak) or the second-derivative band gap."""
    energy_range_eV: tuple[float, float] | None = None
    """Fit the PL band only between these photon energies, eV (default: all)."""


def analyse(
    data: Mapping[str, xr.DataArray], sample: Mapping[str, Any], options: PhotoluminescenceOptions
) -> Result:
    peak = pl_peak(data["pl"], energy_range_eV=options.energy_range_eV)
    return stokes_shift(peak, data["absorption"], reference=options.reference)


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    fig = plot_absorption_pl(result)
    fig.suptitle(sample["name"])
    return fig


def compare(
    results: Mapping[str, Result],
    samples: Sequence[Mapping[str, Any]],
    options: PhotoluminescenceOptions,
) -> Any:
    return plot_absorption_pl_comparison(results)


ANALYSIS = register(
    Analysis(
        name="photoluminescence",
        title="Photoluminescence: peak, width and Stokes shift",
        technique="pl",
        technique_description="steady-state PL spectrum: wavelength_nm (or energy_eV), counts",
        auxiliary={UVVIS_KEY: "UV-vis absorbance of the same sample (exciton peak)"},
        load=load,
        analyse=analyse,
        plot=plot,
        compare=compare,
        options=PhotoluminescenceOptions,
        summary=("stokes_shift_meV", "pl_peak_eV", "pl_fwhm_eV", "absorption_peak_eV"),
        summary_metadata=("reference",),
        description=(
            "PL peak energy and FWHM from a Gaussian fit in photon energy after the "
            "wavelength-to-energy Jacobian (I(E) = I(lambda) lambda^2/hc); Stokes shift = "
            "exciton absorption peak (Abs1 of the edge decomposition) minus PL peak, in meV, "
            "with propagated standard errors (seed paper Fig. 4a: 380-490 meV)."
        ),
        references=(
            "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 4a)",
            "Mooney & Kambhampati, J. Phys. Chem. Lett. 2013, 4, 3316 (Jacobian)",
        ),
    )
)
