"""Write the simulated photocatalysis files of the four ZCIS samples (run files, stability, AQY).

What is written into ``out_dir`` (the example's ``data`` folder):

* ``<slug>_run.toml`` for 8/12, 4/12, 2/12 and 1/12 ZCIS: the run file of the 120 h solar-
  simulator run. Its cumulative amounts are the sample's ``<slug>_products.csv`` (two runs,
  written by :func:`qdcat.examples.generate.generate_zcis`, referenced with ``points_file``).
  The 2/12 file also states the paper's numbers in ``[reported]`` (checked with the paper's
  uncertainty, 5 %) and lists the control experiments.
* ``2-12ZCIS_cycles.csv``: three 120 h cycles (fresh CO2 and donor each time), two runs.
* ``2-12ZCIS_outdoor.csv``: 28 days under natural sunlight with the logged insolation.
* ``2-12ZCIS_aqy.csv``: monochromatic runs at 400, 450, 500 and 550 nm, two runs each.

Numbers from the seed paper (``qdcat/data/zcis_paper.toml``) where it gives them; the
assumptions (also written into each file's header):

* Catalyst mass 0.191 mg for every sample (implied by 12.2 umol / 120 h / 532.3 umol g-1 h-1)
  and 30.7 kg mol-1 per dot (implied by TON 1963) for every sample: the dots have the same
  size; Cu deficiency changes their mass by a few percent only.
* Surface Cu per dot: 24 for 2/12ZCIS (the paper's model); for the others scaled with the ICP
  Cu/In ratio at the same size and surface fraction: 24 x (Cu/In) / 0.26 -> 8/12 90, 4/12 40,
  1/12 12 (rounded).
* Light of the 120 h runs: the solar simulator, AM1.5G cut to 380-780 nm at 100 mW cm-2 read
  *after* the filter (the paper does not say which reading; see qdcat.catalysis.spectra), on an
  irradiated area of 1 cm2 (not stated).
* Donor: 0.1 M ascorbic acid in the 5 mL of water (the concentration is not stated).
* Controls of 2/12ZCIS ("negligible products" without QDs or light, Table S9): dark 0.01, no
  catalyst 0.00, Ar instead of CO2 0.02, no donor 0.05 umol CO in 120 h; 97 % 13CO with 13CO2.
* Cycles: first-order deactivation with the rate of cycle 3 at 70 % of cycle 1 (the paper's
  "about 70 % of the initial activity ... up to 360 h"): exp(-240 k) = 0.7, k = 1.486e-3 h-1;
  r0 such that cycle 1 makes 12.2 umol; 3 % reading noise, two runs.
* Outdoors: 28 days at 2-23 degC (the paper); daily insolation 1.5-4.5 kWh m-2 (assumed) and
  0.05 umol CO per kWh m-2 (assumed: the lab rate of 2.44 umol per day under 24 kWh m-2 of
  in-band light, times the 53 % in-band share of sunlight), 8 % day-to-day scatter, no decay
  ("continuous and stable").
* AQY: 0.32, 0.25, 0.11, 0.05 % at 400, 450, 500, 550 nm (Fig. S14), measured for 10 h at
  5.28 mW cm-2 on 1 cm2 (assumed; 5.28 mW cm-2 makes the 120 h average rate give 0.32 %),
  3 % reading noise, two runs.

:func:`generate_run_examples` writes the GC tables of the shipped run-file example
``examples/runs/gc_2_12_120h.toml`` (``examples/runs/data/gc_*.csv``): the 2/12ZCIS evolution
(two runs, :func:`qdcat.catalysis.simulate_yields`) turned into peak areas by
:func:`qdcat.catalysis.gc.simulate_gc` with the example GC of :mod:`qdcat.catalysis.gc`
(``EXAMPLE_REACTOR``, ``EXAMPLE_SLOPES_AREA_PPM``, ``EXAMPLE_NOISE_AREA``).

Run ``python -m qdcat.examples.generate_catalysis OUTDIR`` (demo data) or
``python -m qdcat.examples.generate_catalysis --runs`` (the run-file examples).
"""

from __future__ import annotations

import math
import sys
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np

from qdcat.catalysis.photons import photon_flux_umol_h
from qdcat.catalysis.stability import simulate_cycles
from qdcat.core.atomic import atomic_write_text

__all__ = [
    "AQY_PERCENT",
    "CATALYSIS_SEED",
    "DEACTIVATION_PER_H",
    "PROJECT_ADDITIONS",
    "SURFACE_CU_PER_QD",
    "generate_catalysis",
    "generate_run_examples",
]

CATALYSIS_SEED = 20232  # fixed: the files are reproducible byte for byte

CATALYST_MASS_MG = 0.191
QD_MOLAR_MASS_G_MOL = 30700.0
#: Surface Cu per dot (2/12 from the paper; the others scaled with ICP Cu/In, see above).
SURFACE_CU_PER_QD = {"8/12ZCIS": 90, "4/12ZCIS": 40, "2/12ZCIS": 24, "1/12ZCIS": 12}
#: exp(-240 k) = 0.7: cycle 3 keeps 70 % of cycle 1's rate.
DEACTIVATION_PER_H = -math.log(0.7) / 240.0
#: AQY at each wavelength, % (Fig. S14).
AQY_PERCENT = {400.0: 0.32, 450.0: 0.25, 500.0: 0.11, 550.0: 0.05}
AQY_POWER_MW_CM2 = 5.28
OUTDOOR_UMOL_PER_KWH_M2 = 0.05

#: What to add to ``examples/zcis/project.toml`` (the lead integrates it).
PROJECT_ADDITIONS = """\
# in every [[samples]] ... [samples.data]:
run = "data/<slug>_run.toml"
# and for 2/12ZCIS also:
stability = "data/2-12ZCIS_cycles.csv"
outdoor = "data/2-12ZCIS_outdoor.csv"
aqy = "data/2-12ZCIS_aqy.csv"

[analyses.performance]     # rates, TON per dot / per surface Cu, selectivity, AQY (Fig. 5a-b, f-g)

[analyses.benchmark]       # the samples among published CO2-to-CO photocatalysts (Fig. 5h)

[analyses.controls]        # dark, no QDs, Ar, no donor, 13CO2 (Table S9, Fig. 5d)
samples = ["2/12ZCIS"]

[analyses.stability]       # cycle test and first-order deactivation (Fig. 5c)
retention_at_h = 360

[analyses.outdoor]         # 28 days under sunlight (Fig. 5i)

[analyses.aqy_spectrum]    # AQY vs wavelength over the absorption spectrum (Fig. S14)
"""


def _paper() -> dict:
    text = resources.files("qdcat.data").joinpath("zcis_paper.toml").read_text("utf-8")
    return tomllib.loads(text)


def _slug(name: str) -> str:
    return name.replace("/", "-")


def _header(kind: str, name: str) -> str:
    return (
        f"# SIMULATED {kind} of {name} by qdcat's forward models\n"
        "# (python -m qdcat.examples.generate_catalysis) with the numbers reported in Cai et al.,\n"
        "# ACS Catal. 2023, doi:10.1021/acscatal.3c03884, and the assumptions listed in\n"
        "# qdcat/examples/generate_catalysis.py; not a measurement.\n"
    )


def _run_toml(name: str, paper: dict) -> str:
    slug = _slug(name)
    pc = paper["photocatalysis"]
    lines = [
        _header("photocatalysis run file", name),
        'description = "120 h under the solar simulator (380-780 nm, 100 mW cm-2), 5 mL '
        'CO2-saturated water, ascorbic acid, no cocatalyst"\n',
        f'points_file = "{slug}_products.csv"   # cumulative amounts, two runs\n',
        "\n[sample]\n",
        f'name = "{name}"\n',
        f"catalyst_mass_mg = {CATALYST_MASS_MG:g}\n",
        f"qd_molar_mass_g_mol = {QD_MOLAR_MASS_G_MOL:g}\n",
        f"surface_cu_per_qd = {SURFACE_CU_PER_QD[name]:g}\n",
        "\n[light]                      # the 120 h runs: solar simulator, broadband\n",
        'spectrum = "AM1.5G"\n',
        "irradiance_mW_cm2 = 100\n",
        "band_nm = [380, 780]\n",
        'reading = "filtered"          # assumed: 100 mW cm-2 measured after the filter\n',
        "area_cm2 = 1.0                # assumed\n",
        "\n[donor]\n",
        'name = "ascorbic acid"\n',
        "concentration_mM = 100         # assumed\n",
        "volume_mL = 5\n",
    ]
    reported = []
    if name in pc["co_yield_umol_120h"]:
        reported.append(f"CO_amount_umol = {pc['co_yield_umol_120h'][name]:g}\n")
    if name == "2/12ZCIS":
        reported += [
            f"CO_rate_umol_g_h = {pc['co_rate_umol_g_h_2_12']:g}\n",
            f"CO_ton_per_qd = {pc['ton_qd_120h']:g}\n",
            f"CO_selectivity = {pc['co_selectivity']:g}\n",
        ]
    if reported:
        lines += [
            "\n[reported]                   # the paper's numbers, checked against the data\n",
            f"tolerance = {pc['uncertainty_max']:g}   # the paper: uncertainty <= 5 %\n",
            *reported,
        ]
    if name == "2/12ZCIS":
        for condition, co in (("dark", 0.01), ("no_catalyst", 0.0), ("argon", 0.02)):
            lines += [f'\n[[controls]]\ncondition = "{condition}"\nCO_umol = {co:g}\n']
        lines += ['\n[[controls]]\ncondition = "no_donor"\nCO_umol = 0.05\n']
        lines += [
            '\n[[controls]]\ncondition = "13CO2"\nlabelled_fraction = 0.97\n'
            'note = "13CO at m/z 29 (Fig. 5d)"\n'
        ]
    return "".join(lines)


def _csv(frame, columns: list[str], fmt: str = "%.4f") -> str:
    return frame[columns].to_csv(index=False, float_format=fmt, lineterminator="\n")


def generate_catalysis(out_dir: str | Path, *, seed: int = CATALYSIS_SEED) -> list[Path]:
    """Write the simulated photocatalysis files (module docstring) into ``out_dir``."""
    import pandas as pd

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paper = _paper()
    rng = np.random.default_rng(seed)
    written: list[Path] = []
    for name in paper["samples"]["names"]:
        path = out / f"{_slug(name)}_run.toml"
        atomic_write_text(path, _run_toml(name, paper))
        written.append(path)

    # cycle test of 2/12ZCIS
    k = DEACTIVATION_PER_H
    r0 = 12.2 * k / (1.0 - math.exp(-120.0 * k))
    cycles = simulate_cycles(
        3, 120.0, np.arange(24.0, 121.0, 24.0), r0, k, n_runs=2, relative_noise=0.03, rng=rng
    )
    path = out / "2-12ZCIS_cycles.csv"
    atomic_write_text(
        path,
        _header("cycle test (3 x 120 h, CO cumulative within each cycle)", "2/12ZCIS")
        + _csv(cycles, ["run", "cycle", "time_h", "CO_umol"]),
    )
    written.append(path)

    # outdoor run of 2/12ZCIS
    days = np.arange(1, 29)
    insolation = rng.uniform(1.5, 4.5, days.size)
    temperature = rng.uniform(2.0, 23.0, days.size)
    co = OUTDOOR_UMOL_PER_KWH_M2 * insolation * (1.0 + 0.08 * rng.standard_normal(days.size))
    outdoor = pd.DataFrame(
        {
            "day": days,
            "CO_umol": np.clip(co, 0.0, None),
            "insolation_kWh_m2": insolation,
            "temperature_C": temperature,
        }
    )
    path = out / "2-12ZCIS_outdoor.csv"
    atomic_write_text(
        path,
        _header("outdoor run (28 days, daily CO and insolation)", "2/12ZCIS")
        + outdoor.to_csv(index=False, float_format="%.4f", lineterminator="\n"),
    )
    written.append(path)

    # AQY at four wavelengths, two runs each
    rows = []
    duration = 10.0
    for run in (1, 2):
        for wl, aqy in AQY_PERCENT.items():
            flux = photon_flux_umol_h(wl, AQY_POWER_MW_CM2, 1.0)
            n = aqy / 100.0 * flux * duration / 2.0  # 2 electrons per CO
            rows.append(
                {
                    "run": run,
                    "wavelength_nm": wl,
                    "power_mW_cm2": AQY_POWER_MW_CM2,
                    "area_cm2": 1.0,
                    "duration_h": duration,
                    "CO_umol": n * (1.0 + 0.03 * rng.standard_normal()),
                }
            )
    path = out / "2-12ZCIS_aqy.csv"
    atomic_write_text(
        path,
        _header("monochromatic AQY runs (10 h each)", "2/12ZCIS")
        + pd.DataFrame(rows).to_csv(index=False, float_format="%.5f", lineterminator="\n"),
    )
    written.append(path)
    return written


def generate_run_examples(
    out_dir: str | Path | None = None, *, seed: int = CATALYSIS_SEED
) -> list[Path]:
    """Write ``data/gc_standards.csv`` and ``data/gc_samples.csv`` of the run-file examples.

    ``out_dir`` defaults to the packaged ``qdcat/examples/runs``.
    """
    from qdcat.catalysis import simulate_yields
    from qdcat.catalysis.gc import (
        EXAMPLE_INTERCEPTS_AREA,
        EXAMPLE_NOISE_AREA,
        EXAMPLE_REACTOR,
        EXAMPLE_SLOPES_AREA_PPM,
        EXAMPLE_STANDARDS_PPM,
        simulate_gc,
    )

    if out_dir is None:
        out_dir = Path(str(resources.files("qdcat.examples"))) / "runs"
    data = Path(out_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 1)
    truth = simulate_yields(
        np.arange(24.0, 121.0, 24.0),
        {"CO": 12.2, "H2": 1.0, "CH4": 0.06},
        relative_noise=0.03,
        n_runs=2,
        rng=rng,
    )
    standards, samples = simulate_gc(
        truth,
        EXAMPLE_REACTOR,
        slope_area_ppm=EXAMPLE_SLOPES_AREA_PPM,
        intercept_area=EXAMPLE_INTERCEPTS_AREA,
        standards_ppm=EXAMPLE_STANDARDS_PPM,
        area_noise_sd=EXAMPLE_NOISE_AREA,
        rng=rng,
    )
    written = []
    for name, frame, kind in (
        ("gc_standards.csv", standards, "GC calibration standards (ppm, peak areas)"),
        ("gc_samples.csv", samples, "GC sample injections (peak areas)"),
    ):
        path = data / name
        atomic_write_text(
            path,
            _header(kind, "2/12ZCIS")
            + frame.to_csv(index=False, float_format="%.2f", lineterminator="\n"),
        )
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--runs"]:
        for path in generate_run_examples():
            print(path)
        return 0
    if not args:
        print("usage: python -m qdcat.examples.generate_catalysis OUTDIR", file=sys.stderr)
        return 2
    for path in generate_catalysis(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
