"""Simulated steady-state PL spectra of the four ZCIS samples for the example project.

The UV-vis spectra come from :mod:`qdcat.examples.generate` (exciton centres 2.14 / 2.25 /
2.36 / 2.46 eV for 8/12, 4/12, 2/12, 1/12 ZCIS); this module adds what the PL analysis needs,
with the seed paper's numbers (``qdcat/data/zcis_paper.toml``) where it reports them:

* Stokes shifts. The paper gives only the range 380-490 meV between the PL peak and the
  exciton absorption peak (Fig. 4a, ``[optics] stokes_shift_meV_range``). It is spread evenly
  over the series in the order of Cu deficiency (assumed: less Cu, more Cu-vacancy-related
  defect emission further from the band edge): 8/12 380, 4/12 417, 2/12 453, 1/12 490 meV.
  The PL peak is the exciton centre minus the Stokes shift (1.760 / 1.833 / 1.907 / 1.970 eV).
* Band shape: a Gaussian in photon energy with FWHM 0.32 eV (assumed; the broad defect
  emission typical of CuInS2 dots).
* Spectrometer: 450-950 nm in 1-nm bins, counts per bin (so the band is recorded per unit
  wavelength, ``I(lambda) = I(E) hc / lambda^2``), 20,000 counts at the maximum, 30 dark counts
  per bin, Poisson noise; excitation at 400 nm (noted in the header, not simulated).

Run ``python -m qdcat.examples.generate_optics [OUTDIR]``; files go to ``OUTDIR/data`` (the
default OUTDIR is the shipped example, as for :mod:`qdcat.examples.generate`).
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np

from qdcat.core.atomic import atomic_write_text
from qdcat.examples.generate import SAMPLE_PARAMETERS, _slug, paper_numbers
from qdcat.optics.photoluminescence import simulate_pl

__all__ = ["PL_PARAMETERS", "PL_WAVELENGTH_NM", "generate_optics", "pl_parameters"]

SEED = 20232  # fixed: the files are reproducible byte for byte

#: Per-sample PL parameters (see the module docstring).
PL_PARAMETERS: dict[str, dict[str, float]] = {
    "8/12ZCIS": {"stokes_shift_meV": 380.0, "fwhm_eV": 0.32},
    "4/12ZCIS": {"stokes_shift_meV": 417.0, "fwhm_eV": 0.32},
    "2/12ZCIS": {"stokes_shift_meV": 453.0, "fwhm_eV": 0.32},
    "1/12ZCIS": {"stokes_shift_meV": 490.0, "fwhm_eV": 0.32},
}
PL_WAVELENGTH_NM = np.arange(450.0, 951.0, 1.0)
PEAK_COUNTS = 2.0e4
DARK_COUNTS = 30.0
EXCITATION_NM = 400.0


def pl_parameters(name: str) -> dict[str, float]:
    """True PL parameters of sample ``name``: ``peak_eV``, ``fwhm_eV``, ``stokes_shift_meV``,
    ``exciton_eV`` (the exciton centre of the UV-vis simulation)."""
    exciton = SAMPLE_PARAMETERS[name]["exciton_eV"]
    p = PL_PARAMETERS[name]
    return {
        "exciton_eV": exciton,
        "stokes_shift_meV": p["stokes_shift_meV"],
        "peak_eV": exciton - p["stokes_shift_meV"] / 1000.0,
        "fwhm_eV": p["fwhm_eV"],
    }


def generate_optics(out_dir: Path | None = None, *, seed: int = SEED) -> list[Path]:
    """Write ``OUTDIR/data/<sample>_pl.csv`` (``wavelength_nm,counts``) for the four samples;
    return the paths."""
    paper = paper_numbers()
    lo, hi = paper["optics"]["stokes_shift_meV_range"]
    if out_dir is None:
        out_dir = Path(str(resources.files("qdcat.examples"))) / "zcis"
    data = Path(out_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = []
    for name in paper["samples"]["names"]:
        p = pl_parameters(name)
        if not lo <= p["stokes_shift_meV"] <= hi:
            raise AssertionError(f"{name}: Stokes shift outside the paper's {lo}-{hi} meV")
        spectrum = simulate_pl(
            p["peak_eV"],
            p["fwhm_eV"],
            wavelength_nm=PL_WAVELENGTH_NM,
            peak_counts=PEAK_COUNTS,
            background_counts=DARK_COUNTS,
            rng=rng,
        )
        lines = [
            f"# SIMULATED steady-state PL spectrum (counts per 1-nm bin) of {name} by qdcat's\n"
            "# forward model (python -m qdcat.examples.generate_optics) with the numbers\n"
            "# reported in Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884;\n"
            "# not a measurement. See examples/zcis/README.md for the assumptions.\n",
            f"# excitation {EXCITATION_NM:g} nm; PL peak {p['peak_eV']:.3f} eV, FWHM "
            f"{p['fwhm_eV']:.2f} eV (Gaussian in energy), Stokes shift "
            f"{p['stokes_shift_meV']:g} meV from the exciton at {p['exciton_eV']:.2f} eV\n",
            "wavelength_nm,counts\n",
        ]
        lines += [
            f"{w:.1f},{c:.0f}\n"
            for w, c in zip(spectrum["wavelength_nm"].values, spectrum.values, strict=True)
        ]
        path = data / f"{_slug(name)}_pl.csv"
        atomic_write_text(path, "".join(lines))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else None
    for path in generate_optics(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
