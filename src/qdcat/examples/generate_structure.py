"""Write the dot-model parameter files of the four ZCIS samples (``<slug>_dot.toml``).

Each file holds the build parameters of :func:`qdcat.structure.model.build_dot`; the
``structure`` pipeline analysis builds the dot from it (the model is deterministic for a given
seed, so a small text file stands for the whole atomistic model).

Choices and assumptions (the paper's numbers where it gives them):

* Composition: ICP Cu/In 0.97, 0.43, 0.26, 0.13 (Table S2). Zn fraction Zn/(Zn+Cu+In) from the
  feed ratios Cu : In : Zn = 8 : 8 : 4, 4 : 8 : 4, 2 : 8 : 4, 1 : 8 : 4 implied by the labels
  (Cu : (Zn + In) = 8/12 ... 1/12) and the ICP ratios: 0.200, 0.250, 0.286, 0.308
  (:data:`qdcat.defects.population.ZCIS_SAMPLES`); Zn is not reported by ICP.
* Shape: {112}-faceted trigonal pyramid (Fig. 2g), S-terminated to charge neutrality.
* Size: 10 cation layers (edge 3.5 nm between corner cation centres). The paper calls its model
  "six-layer", but a six-layer pyramid has 56 cations (edge 1.9 nm, ~6 kg/mol, 93 % of cations
  on the surface); the TEM size 3.2-3.4 nm, ~80 % surface Cu and ~24 surface Cu per dot, and the
  ~30.7 kg/mol its TON implies all point to 10-11 layers in this lattice. 10 layers is the size
  closest to the TEM size and to 80 % surface Cu.
* Lattice: Vegard's law from the Zn fraction. Seed 1 for every sample.

Run ``python -m qdcat.examples.generate_structure OUTDIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qdcat.core.atomic import atomic_write_text
from qdcat.defects.population import ZCIS_SAMPLES

__all__ = ["DOT_LAYERS", "DOT_SEED", "dot_parameters", "generate_structure"]

#: Cation layers of the demo dots (see the module docstring).
DOT_LAYERS = 10
#: Seed of the demo dots.
DOT_SEED = 1


def dot_parameters(slug: str) -> dict[str, object]:
    """Build parameters of one sample's dot (``slug`` like ``'2-12ZCIS'``)."""
    _name, cu_in, zn_fraction, _type = ZCIS_SAMPLES[slug]
    return {
        "shape": "pyramid",
        "layers": DOT_LAYERS,
        "cu_in": cu_in,
        "zn_fraction": round(zn_fraction, 6),
        "termination": "neutral",
        "orientation": "apex_up",
        "seed": DOT_SEED,
    }


def _toml(name: str, params: dict[str, object]) -> str:
    lines = [
        f"# MODEL (not a measurement) of {name}: parameters of qdcat.structure.model.build_dot",
        "# (written by python -m qdcat.examples.generate_structure; assumptions in its docstring)",
    ]
    for key, value in params.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines) + "\n"


def generate_structure(out_dir: str | Path) -> list[Path]:
    """Write ``<slug>_dot.toml`` for the four samples into ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for slug, (name, *_rest) in ZCIS_SAMPLES.items():
        path = out / f"{slug}_dot.toml"
        atomic_write_text(path, _toml(name, dot_parameters(slug)))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    target = sys.argv[1] if len(sys.argv) > 1 else "."
    for p in generate_structure(target):
        print(p)
