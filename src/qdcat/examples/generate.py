"""Regenerate the example data of ``examples/zcis`` with qdcat's own forward models.

Every number comes from the seed paper (``qdcat/data/zcis_paper.toml``) where the paper reports
it; where it does not, the assumption is stated here and in the example's README:

* Band gaps. The paper gives only the range 2.14-2.46 eV over the series (Fig. S7). Lower Cu
  content widens the gap of CuInS2 dots, so the range is spread monotonically: 8/12 -> 2.14,
  4/12 -> 2.25, 2/12 -> 2.36, 1/12 -> 2.46 eV (exciton centres). The Cu+ intragap band (Abs2)
  is strongest for the stoichiometric 8/12 sample and weakest for 2/12, whose edge the paper
  finds dominated by the band-edge transition (Table S4).
* CO yields after 120 h, sampled every 24 h (Fig. 5a): 8/12 0.5, 4/12 3.1, 2/12 12.2 umol.
  The text gives no number for 1/12ZCIS; 6.0 umol is assumed (below 2/12, the optimum).
* H2 and CH4: the 92 % CO selectivity of 2/12ZCIS with trace CH4 (0.06 umol assumed) fixes
  H2 = 12.2/0.92 - 12.2 - 0.06 = 1.00 umol; the same 92 % is assumed for the other samples.
* Catalyst mass 0.191 mg for every sample: the mass implied by 12.2 umol / 120 h /
  532.3 umol g-1 h-1; the paper does not list masses per sample.
* Two runs per sample with 3 % relative reading noise (the paper: two runs, uncertainty <= 5 %).

Run ``python -m qdcat.examples.generate [OUTDIR]``; the default OUTDIR is the shipped example.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np

from qdcat.catalysis import simulate_yields
from qdcat.core.atomic import atomic_write_text
from qdcat.optics import AbsorptionParams, simulate_absorbance

__all__ = ["SAMPLE_PARAMETERS", "absorption_params", "generate_zcis", "paper_numbers"]

SEED = 20231  # fixed: the shipped files are reproducible byte for byte

#: Per-sample model parameters (see the module docstring for their sources and assumptions).
SAMPLE_PARAMETERS: dict[str, dict[str, float]] = {
    "8/12ZCIS": {"exciton_eV": 2.14, "abs2_amplitude": 0.20, "co_120h_umol": 0.5},
    "4/12ZCIS": {"exciton_eV": 2.25, "abs2_amplitude": 0.12, "co_120h_umol": 3.1},
    "2/12ZCIS": {"exciton_eV": 2.36, "abs2_amplitude": 0.03, "co_120h_umol": 12.2},
    "1/12ZCIS": {"exciton_eV": 2.46, "abs2_amplitude": 0.05, "co_120h_umol": 6.0},
}
CO_SELECTIVITY = 0.92
CH4_FRACTION_OF_CO = 0.06 / 12.2


def absorption_params(name: str) -> AbsorptionParams:
    """The UV-vis model parameters of sample ``name`` used for the example data."""
    p = SAMPLE_PARAMETERS[name]
    return AbsorptionParams(
        exciton_eV=p["exciton_eV"],
        exciton_width_eV=0.09,
        exciton_amplitude=0.35,
        abs2_offset_eV=0.18,
        abs2_width_eV=0.14,
        abs2_amplitude=p["abs2_amplitude"],
        continuum_amplitude=0.6,
        scatter=0.02,
    )


def paper_numbers() -> dict:
    """The seed paper's reported numbers (``qdcat/data/zcis_paper.toml``)."""
    text = resources.files("qdcat.data").joinpath("zcis_paper.toml").read_text("utf-8")
    return tomllib.loads(text)


def _slug(name: str) -> str:
    return name.replace("/", "-")


def _header(kind: str, name: str) -> str:
    return (
        f"# SIMULATED {kind} of {name} by qdcat's forward model\n"
        "# (python -m qdcat.examples.generate) with the numbers reported in Cai et al.,\n"
        "# ACS Catal. 2023, doi:10.1021/acscatal.3c03884;\n"
        "# not a measurement. See examples/zcis/README.md for the assumptions.\n"
    )


def generate_zcis(out_dir: Path | None = None, *, seed: int = SEED) -> list[Path]:
    """Write the simulated UV-vis and product-evolution files of the four samples."""
    paper = paper_numbers()
    if out_dir is None:
        out_dir = Path(str(resources.files("qdcat.examples"))) / "zcis"
    data = Path(out_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written: list[Path] = []
    reported = paper["photocatalysis"]["co_yield_umol_120h"]
    for name in paper["samples"]["names"]:
        p = SAMPLE_PARAMETERS[name]
        if name in reported and abs(reported[name] - p["co_120h_umol"]) > 1e-9:
            raise AssertionError(f"{name}: CO yield differs from the paper's {reported[name]}")

        params = absorption_params(name)
        spectrum = simulate_absorbance(
            params, wavelength_nm=np.arange(350.0, 801.0, 1.0), noise_absorbance=0.002, rng=rng
        )
        lines = [_header("UV-vis absorbance spectrum", name), "wavelength_nm,absorbance\n"]
        lines += [
            f"{w:.1f},{a:.5f}\n"
            for w, a in zip(spectrum["wavelength_nm"].values, spectrum.values, strict=True)
        ]
        path = data / f"{_slug(name)}_uvvis.csv"
        atomic_write_text(path, "".join(lines))
        written.append(path)

        co = p["co_120h_umol"]
        ch4 = co * CH4_FRACTION_OF_CO
        h2 = co / CO_SELECTIVITY - co - ch4
        frame = simulate_yields(
            np.arange(0.0, 121.0, 24.0),
            {"CO": co, "H2": h2, "CH4": ch4},
            relative_noise=0.03,
            n_runs=2,
            rng=rng,
        )
        cols = ["run", "time_h", "CO_umol", "H2_umol", "CH4_umol"]
        body = frame[cols].to_csv(index=False, float_format="%.4f", lineterminator="\n")
        path = data / f"{_slug(name)}_products.csv"
        atomic_write_text(path, _header("product evolution (cumulative amounts)", name) + body)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else None
    for path in generate_zcis(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
