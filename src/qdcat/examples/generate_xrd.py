"""Write simulated powder XRD patterns and the HRTEM fringe file of the four ZCIS samples.

For each sample (8/12, 4/12, 2/12, 1/12 ZCIS) the dot model of the ``structure`` example is
built (:func:`qdcat.examples.generate_structure.dot_parameters`: a {112}-faceted pyramid of 10
cation layers, the ICP Cu/In and the Zn fraction Zn/(Zn+Cu+In) = 0.200, 0.250, 0.286, 0.308
from the feed ratios, lattice by Vegard's law; :data:`qdcat.defects.population.ZCIS_SAMPLES`)
and its powder pattern computed from the Debye equation (:mod:`qdcat.xrd.debye`) as a
laboratory Cu tube would record it:

* Cu K-alpha1 + K-alpha2 (intensity ratio 0.5), 2-theta 10-80 deg in 0.04 deg steps;
* isotropic Debye-Waller B = 0.8 A^2 (room temperature; an assumption, the paper gives none);
* the pattern scaled to 4000 counts at the (112) maximum, on a background of 150 counts plus a
  broad hump of 400 counts at 2-theta = 20 deg (FWHM 12 deg, amorphous ligand shell and glass
  holder; assumed), with Poisson counting noise; seed fixed (20231) so files are reproducible.

The series therefore carries the Zn-induced shift the model predicts: more Zn (Cu-poorer
samples here) -> smaller cell -> (112) at *higher* angle, opposite to the shift to lower angle
the paper reports (which it attributes to vacancy-induced expansion, not in the model). The
finite size pulls every (112) peak about 0.07 deg to lower angle.

The fringe file of 2/12ZCIS holds the paper's HRTEM numbers (Fig. 2h): d112 = 0.315 nm,
d220 = 0.201 nm, 35 deg, zone [114], with the sample's Zn fraction for its Vegard lattice.

Run ``python -m qdcat.examples.generate_xrd OUTDIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from qdcat.core.atomic import atomic_write_text

__all__ = ["XRD_SEED", "generate_xrd", "simulate_sample_pattern"]

#: Seed of the counting noise (the shipped files are reproducible).
XRD_SEED = 20231
#: 2-theta grid of the simulated scans, deg.
TWO_THETA_DEG = np.round(np.arange(10.0, 80.0 + 1e-9, 0.04), 2)
B_ISO_A2 = 0.8
PEAK_COUNTS = 4000.0
BACKGROUND_COUNTS = 150.0
HUMP_COUNTS, HUMP_CENTRE_DEG, HUMP_FWHM_DEG = 400.0, 20.0, 12.0


def simulate_sample_pattern(slug: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Counts of one sample's simulated scan (see the module documentation)."""
    from qdcat.examples.generate_structure import dot_parameters
    from qdcat.structure.model import build_dot
    from qdcat.xrd.debye import debye_pattern

    dot = build_dot(**dot_parameters(slug))
    pattern = debye_pattern(dot.atoms, TWO_THETA_DEG, ka2_ratio=0.5, b_iso_A2=B_ISO_A2)
    y = np.asarray(pattern.values)
    main = (TWO_THETA_DEG > 24) & (TWO_THETA_DEG < 32)
    scaled = PEAK_COUNTS * y / float(y[main].max())
    sigma = HUMP_FWHM_DEG / 2.3548
    hump = HUMP_COUNTS * np.exp(-0.5 * ((TWO_THETA_DEG - HUMP_CENTRE_DEG) / sigma) ** 2)
    counts = rng.poisson(scaled + BACKGROUND_COUNTS + hump)
    return TWO_THETA_DEG, counts


def _fringe_toml(zn_fraction: float) -> str:
    return (
        "# REPORTED (not simulated): HRTEM fringes of 2/12ZCIS in the seed paper (Fig. 2h):\n"
        "# d112 and d220 spacings, the angle between them, the stated [114] orientation.\n"
        "# zn_fraction: the sample's Zn/(Zn+Cu+In) (feed ratios), for its Vegard lattice.\n"
        "# (written by python -m qdcat.examples.generate_xrd)\n"
        "d_nm = [0.315, 0.201]\n"
        'hkl = ["112", "220"]\n'
        "angle_deg = 35.0\n"
        'zone = "114"\n'
        f"zn_fraction = {zn_fraction:.6f}\n"
        'source = "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884, Fig. 2h"\n'
    )


def generate_xrd(out_dir: str | Path) -> list[Path]:
    """Write ``<slug>_xrd.csv`` for the four samples and ``2-12ZCIS_fringes.toml``.

    Returns the paths written (in ``out_dir``, created if needed).
    """
    from qdcat.defects.population import ZCIS_SAMPLES

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(XRD_SEED)
    written = []
    for slug, (name, _cu_in, _zn, _type) in ZCIS_SAMPLES.items():
        x, counts = simulate_sample_pattern(slug, rng)
        text = (
            f"# SIMULATED {name}: powder XRD (Cu K-alpha1+2) of the qdcat dot model\n"
            "# (python -m qdcat.examples.generate_xrd; assumptions in its docstring)\n"
            "two_theta_deg,intensity\n"
            + "".join(f"{a:.2f},{int(b)}\n" for a, b in zip(x, counts, strict=True))
        )
        path = out / f"{slug}_xrd.csv"
        atomic_write_text(path, text)
        written.append(path)
    zn_2_12 = ZCIS_SAMPLES["2-12ZCIS"][2]
    path = out / "2-12ZCIS_fringes.toml"
    atomic_write_text(path, _fringe_toml(zn_2_12))
    written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    target = sys.argv[1] if len(sys.argv) > 1 else "."
    for p in generate_xrd(target):
        print(p)
