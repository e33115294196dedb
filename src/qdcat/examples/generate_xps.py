"""Simulated Cu 2p XPS spectra of the four ZCIS samples (Fig. 3a of the seed paper).

Numbers from the seed paper (``qdcat/data/zcis_paper.toml`` [xps]): Cu+ 2p3/2 931.4 eV, Cu2+
2p3/2 932.5 eV (2p1/2 19.8 eV higher), and a Cu 2p3/2 satellite share that "reaches the maximum
proportion of 20 %" in 2/12ZCIS. Assumptions (the paper gives no other number):

* satellite shares 8/12 -> 0.02, 4/12 -> 0.05, 2/12 -> 0.20 (paper), 1/12 -> 0.15: the paper
  finds Cu2+ mainly in the Cu-deficient samples, with the maximum at 2/12;
* every Cu(II) puts the fraction r/(1+r) of its 2p emission into shake-up satellites, with the
  CuO ratio r = 0.55 (Biesinger 2017); hence Cu(II) fraction = satellite share x (1 + 1/r):
  0.056, 0.141, 0.564, 0.423;
* GL(30) lines, FWHM 1.3 eV (Cu+) and 2.8 eV (Cu2+), satellites at 941.3 / 944.3 eV (2p3/2,
  40:60) and 962.0 eV (2p1/2); 925-968 eV in 0.1 eV steps; 5000 net counts at the 2p3/2 maximum
  over a 2000-count background with a Shirley-type inelastic step of 60 %; Poisson noise; fixed
  seed.

Run ``python -m qdcat.examples.generate_xps OUTDIR`` (writes ``OUTDIR/data/*_xps_cu2p.csv``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from qdcat.core.atomic import atomic_write_text
from qdcat.xps.cu2p import CUO_SATELLITE_MAIN_RATIO, simulate_cu2p

__all__ = ["SATELLITE_FRACTIONS", "XPS_SEED", "cu2_fractions", "generate_xps"]

XPS_SEED = 20232

#: Satellite share of the Cu 2p area per sample (2/12 from the paper, others assumed).
SATELLITE_FRACTIONS: dict[str, float] = {
    "8/12ZCIS": 0.02,
    "4/12ZCIS": 0.05,
    "2/12ZCIS": 0.20,
    "1/12ZCIS": 0.15,
}


def cu2_fractions(ratio: float = CUO_SATELLITE_MAIN_RATIO) -> dict[str, float]:
    """Cu(II) fraction of each sample implied by its satellite share."""
    return {k: s * (1.0 + 1.0 / ratio) for k, s in SATELLITE_FRACTIONS.items()}


def _paper_max_satellite() -> float | None:
    try:
        from qdcat.examples.generate import paper_numbers

        return float(paper_numbers()["xps"]["max_satellite_fraction_2_12"])
    except (KeyError, ImportError, ValueError):
        return None


def generate_xps(out_dir: str | Path, *, seed: int = XPS_SEED) -> list[Path]:
    """Write ``out_dir/data/<sample>_xps_cu2p.csv`` for the four samples; return the paths."""
    data = Path(out_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    shares = dict(SATELLITE_FRACTIONS)
    paper = _paper_max_satellite()
    if paper is not None:
        shares["2/12ZCIS"] = paper
    written = []
    for name, share in shares.items():
        f = share * (1.0 + 1.0 / CUO_SATELLITE_MAIN_RATIO)
        spectrum, truth = simulate_cu2p(f, rng=rng, label=name)
        header = (
            f"# SIMULATED Cu 2p XPS of {name} by qdcat's forward model\n"
            "# (python -m qdcat.examples.generate_xps) with the numbers reported in Cai et al.,\n"
            "# ACS Catal. 2023, doi:10.1021/acscatal.3c03884; not a measurement.\n"
            f"# truth: Cu(II) fraction {truth.cu2_fraction:.4f}, satellite share "
            f"{truth.satellite_fraction:.4f}, satellite/main ratio {truth.satellite_main_ratio}\n"
            "binding_energy_eV,counts\n"
        )
        body = "".join(
            f"{e:.2f},{c:.0f}\n"
            for e, c in zip(spectrum.binding_energy_eV, spectrum.counts, strict=True)
        )
        path = data / f"{name.replace('/', '-')}_xps_cu2p.csv"
        atomic_write_text(path, header + body)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m qdcat.examples.generate_xps OUTDIR", file=sys.stderr)
        return 2
    for p in generate_xps(args[0]):
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
