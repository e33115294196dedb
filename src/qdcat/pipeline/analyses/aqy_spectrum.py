"""Pipeline analysis ``aqy_spectrum``: AQY vs wavelength over the absorption spectrum.

Data (``[samples.data] aqy = FILE``): one row per monochromatic run, ``wavelength_nm,
power_mW_cm2, area_cm2, duration_h, <P>_umol``; the sample's ``uvvis`` spectrum is drawn
under the points.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from qdcat.catalysis.performance import aqy_spectrum, plot_aqy_spectrum
from qdcat.core.results import Result
from qdcat.io import read_frame
from qdcat.pipeline.analyses.band_gap import load_spectrum
from qdcat.pipeline.registry import Analysis, AnalysisOptions, register


def load(path: Path, uvvis: Path) -> dict[str, Any]:
    frame = read_frame(path)
    frame.attrs["source_file"] = str(path)
    return {"frame": frame, "absorbance": load_spectrum(uvvis)}


class AqyOptions(AnalysisOptions):
    """``[analyses.aqy_spectrum]`` options."""

    product: str = "CO"


def analyse(data: Mapping[str, Any], sample: Mapping[str, Any], options: AqyOptions) -> Result:
    result = aqy_spectrum(data["frame"], product=options.product)
    spectrum = data["absorbance"]
    dim = spectrum.dims[0]
    axis = np.asarray(spectrum.coords[dim].values, dtype=float)
    if dim == "energy_eV":
        from qdcat.core.constants import HC_eV_nm

        axis = HC_eV_nm / axis
    curves = {
        **result.curves,
        "absorbance_wavelength_nm": axis,
        "absorbance": np.asarray(spectrum.values, dtype=float),
    }
    return Result(
        analysis=result.analysis,
        quantities=result.quantities,
        warnings=result.warnings,
        metadata={**result.metadata, "absorbance_file": spectrum.attrs.get("source_file")},
        curves=curves,
    )


def plot(result: Result, sample: Mapping[str, Any]) -> Any:
    c = result.curves
    absorbance = None
    if "absorbance" in c:
        absorbance = (c["absorbance_wavelength_nm"], c["absorbance"])
    fig = plot_aqy_spectrum(result, absorbance)
    fig.suptitle(sample["name"])
    return fig


ANALYSIS = register(
    Analysis(
        name="aqy_spectrum",
        title="Apparent quantum yield vs wavelength",
        technique="aqy",
        technique_description=(
            "monochromatic runs: wavelength_nm, power_mW_cm2, area_cm2, duration_h, CO_umol"
        ),
        auxiliary={"uvvis": "UV-vis absorbance spectrum drawn under the AQY points"},
        load=load,
        analyse=analyse,
        plot=plot,
        options=AqyOptions,
        summary=("aqy_400nm_pct", "aqy_450nm_pct", "aqy_500nm_pct", "aqy_550nm_pct"),
        description=(
            "AQY = z n / t / N_photons x 100 % at each wavelength (N = P lambda / (h c) on the "
            "irradiated area; replicate runs averaged), drawn over the absorption spectrum "
            "(seed paper Fig. S14: 0.32, 0.25, 0.11, 0.05 % at 400, 450, 500, 550 nm)."
        ),
        references=("Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. S14)",),
        section="performance",
    )
)
