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
* fs-TA (2/12, 4/12, 8/12; the paper shows no TA of 1/12): three parallel decays with the
  GSB lifetimes of Table S5 (tau1 10 / 34 / 39 ps, tau3 2.2 / 1.6 / 1.8 ns). tau2 is given only
  as the range 121-196 ps: 121 / 158 / 196 ps are assumed. GSB bands at 530 nm (2/12, one
  band), 540 + 560 nm (4/12) and 600 + 640 nm (8/12), Gaussians in energy (FWHM 0.12 / 0.11 eV
  assumed); a positive ESA band to the red decaying mainly with tau1 (ESA averages 41 / 29 ps).
  IRF 150 fs FWHM, chirp 0.2 ps + 0.05 ps per 100 nm around 550 nm, noise 1 % of the peak.
* TRPL of 2/12ZCIS (1024 channels over 400 ns, Gaussian IRF of 0.6 ns with an exponential
  tail): two exponentials 15 and 90 ns with amplitudes 0.669 / 0.331, chosen so that the
  intensity-weighted average is the paper's 71.1 ns. A quencher shortens both lifetimes by
  the same factor f, so that the average obeys the relations the paper applies to averages:
  1/tau_av = 1/tau_av0 + 1/tau_et with 100 mM benzoquinone (tau_et = 34 ns, Table S6), and
  1/tau_av = 1/tau_av0 + k_q [AA] for ascorbic acid 0-400 mM (k_q = 2.6e4 s-1 mM-1, Table
  S8). (Eq. 4 on average lifetimes is exact only under such uniform scaling: adding the
  transfer rate to each decay channel instead gives tau_et = 24 ns from the same 34 ns rate.
  With k_q = 2.6e4 the 400 mM lifetime is 40.9 ns, not the paper's 30.9 ns: the paper's
  single point and its fitted slope disagree; see the science notes.)

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
from qdcat.kinetics.global_analysis import simulate_ta
from qdcat.kinetics.trpl import irf_gaussian_tail, simulate_trpl
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
#: fs-TA parameters per sample (Table S5; tau2 and band widths assumed, see above).
TA_PARAMETERS: dict[str, dict] = {
    "2/12ZCIS": {
        "tau_ps": (10.0, 121.0, 2200.0),
        "gsb_nm": (530.0,),
        "gsb_share": (1.0,),
        "gsb_fwhm_eV": 0.12,
        "recovery": (0.25, 0.25, 0.5),
        "esa_nm": 690.0,
        "esa_share": (0.72, 0.28, 0.0),
    },
    "4/12ZCIS": {
        "tau_ps": (34.0, 158.0, 1600.0),
        "gsb_nm": (540.0, 560.0),
        "gsb_share": (0.6, 0.4),
        "gsb_fwhm_eV": 0.11,
        "recovery": (0.35, 0.25, 0.4),
        "esa_nm": 710.0,
        "esa_share": (1.0, 0.0, 0.0),
    },
    "8/12ZCIS": {
        "tau_ps": (39.0, 196.0, 1800.0),
        "gsb_nm": (600.0, 640.0),
        "gsb_share": (0.55, 0.45),
        "gsb_fwhm_eV": 0.11,
        "recovery": (0.35, 0.25, 0.4),
        "esa_nm": 740.0,
        "esa_share": (1.0, 0.0, 0.0),
    },
}
TA_TIME_PS = np.concatenate([np.arange(-2.0, 2.0, 0.1), np.geomspace(2.0, 6000.0, 100)])
TA_WAVELENGTH_NM = np.arange(450.0, 781.0, 3.0)
TA_IRF = {"irf_center_ps": 0.0, "irf_fwhm_ps": 0.15, "chirp": (0.2, 0.05), "ref_nm": 550.0}

#: TRPL of 2/12ZCIS (see the module docstring).
TRPL_TIME_NS = np.arange(1024) * (400.0 / 1024)
TRPL_LIFETIMES_NS = (15.0, 90.0)
TRPL_AMPLITUDES = (0.669, 0.331)
TRPL_TAU_ET_NS = 34.0
KQ_PER_NS_PER_MM = 2.6e4 * 1e-9  # 2.6e4 s-1 mM-1
AA_SERIES_MM = (0.0, 50.0, 100.0, 200.0, 300.0, 400.0)

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


def _gaussian_in_energy(wavelength_nm, center_nm: float, fwhm_eV: float):
    from qdcat.core.constants import HC_eV_nm

    e = HC_eV_nm / np.asarray(wavelength_nm, float)
    sigma = fwhm_eV / 2.354820045
    return np.exp(-0.5 * ((e - HC_eV_nm / center_nm) / sigma) ** 2)


def ta_spectra(name: str) -> np.ndarray:
    """DAS (3 components x wavelengths, OD) of the simulated fs-TA of sample ``name``."""
    p = TA_PARAMETERS[name]
    wl = TA_WAVELENGTH_NM
    gsb = sum(
        share * _gaussian_in_energy(wl, c, p["gsb_fwhm_eV"])
        for c, share in zip(p["gsb_nm"], p["gsb_share"], strict=True)
    )
    gsb = gsb / gsb.max()
    esa = _gaussian_in_energy(wl, p["esa_nm"], 0.35)
    peak_od = 0.010  # a 10 mOD bleach at time zero
    return np.array(
        [
            peak_od * (-r * gsb + 0.3 * e * esa)
            for r, e in zip(p["recovery"], p["esa_share"], strict=True)
        ]
    )


def _write_ta(path: Path, name: str, rng: np.random.Generator) -> None:
    p = TA_PARAMETERS[name]
    da = simulate_ta(
        "parallel",
        [1.0 / t for t in p["tau_ps"]],
        ta_spectra(name),
        TA_TIME_PS,
        TA_WAVELENGTH_NM,
        irf_center_ps=TA_IRF["irf_center_ps"],
        irf_fwhm_ps=TA_IRF["irf_fwhm_ps"],
        chirp=TA_IRF["chirp"],
        chirp_reference_nm=TA_IRF["ref_nm"],
        noise=0.01,
        rng=rng,
    ).transpose("time_ps", "wavelength_nm")
    lines = [_header("fs-TA map (dA in OD)", name)]
    lines.append(
        "time (ps) \\ wavelength (nm),"
        + ",".join(f"{w:.1f}" for w in da["wavelength_nm"].values)
        + "\n"
    )
    for t, row in zip(da["time_ps"].values, da.values, strict=True):
        lines.append(f"{t:.6g}," + ",".join(f"{v:.4e}" for v in row) + "\n")
    atomic_write_text(path, "".join(lines))


def _decay_text(name: str, kind: str, da) -> str:
    body = "".join(
        f"{t:.4f},{c:.0f}\n" for t, c in zip(da["time_ns"].values, da.values, strict=True)
    )
    return _header(kind, name) + "time_ns,counts\n" + body


def _write_trpl(data: Path, name: str, rng: np.random.Generator) -> list[Path]:
    t = TRPL_TIME_NS
    irf_true = irf_gaussian_tail(t, 10.0, 0.6, tail_ns=0.8, tail_fraction=0.1)
    irf_measured = irf_gaussian_tail(
        t, 10.0, 0.6, tail_ns=0.8, tail_fraction=0.1, peak_counts=5000, background=2, rng=rng
    )
    slug = _slug(name)
    out = [data / f"{slug}_trpl_irf.csv"]
    atomic_write_text(out[0], _decay_text(name, "TRPL instrument response", irf_measured))

    a = np.asarray(TRPL_AMPLITUDES)
    tau0 = np.asarray(TRPL_LIFETIMES_NS)
    tau_av0 = float(np.sum(a * tau0**2) / np.sum(a * tau0))  # intensity-weighted, 71.1 ns

    def decay(extra_rate_per_ns: float):
        # both lifetimes scaled by f, so that 1/tau_av = 1/tau_av0 + extra_rate (see above)
        f = 1.0 / (1.0 + tau_av0 * extra_rate_per_ns)
        return simulate_trpl(
            t, irf_true, tau0 * f, TRPL_AMPLITUDES, peak_counts=10_000, background=5.0, rng=rng
        )

    out.append(data / f"{slug}_trpl.csv")
    atomic_write_text(out[-1], _decay_text(name, "TRPL decay (no quencher)", decay(0.0)))
    out.append(data / f"{slug}_trpl_BQ100mM.csv")
    atomic_write_text(
        out[-1],
        _decay_text(name, "TRPL decay with 100 mM benzoquinone", decay(1.0 / TRPL_TAU_ET_NS)),
    )
    manifest = [
        _header("ascorbic-acid quenching series (manifest)", name),
        'quencher = "ascorbic acid"\n',
    ]
    for c in AA_SERIES_MM:
        f = data / f"{slug}_trpl_AA{c:g}mM.csv"
        atomic_write_text(
            f,
            _decay_text(
                name, f"TRPL decay with {c:g} mM ascorbic acid", decay(KQ_PER_NS_PER_MM * c)
            ),
        )
        out.append(f)
        manifest.append(f'\n[[points]]\nconcentration_mM = {c:g}\ndecay = "{f.name}"\n')
    out.append(data / f"{slug}_trpl_AA_series.toml")
    atomic_write_text(out[-1], "".join(manifest))
    return out


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

        if name in TA_PARAMETERS:
            path = data / f"{_slug(name)}_ta.csv"
            _write_ta(path, name, rng)
            written.append(path)
        if name == "2/12ZCIS":
            written += _write_trpl(data, name, rng)
    # each further technique has its own generator and seed: adding one changes no other file
    from qdcat.examples.generate_catalysis import generate_catalysis
    from qdcat.examples.generate_optics import generate_optics
    from qdcat.examples.generate_structure import generate_structure
    from qdcat.examples.generate_xps import generate_xps
    from qdcat.examples.generate_xrd import generate_xrd

    written += generate_catalysis(data)
    written += generate_structure(data)
    written += generate_xrd(data)
    written += generate_optics(out_dir)
    written += generate_xps(out_dir)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else None
    for path in generate_zcis(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
