"""Cu modified Auger parameter: telling Cu(0) from Cu(I).

Cu(0) and Cu(I) have almost the same Cu 2p3/2 binding energy (932.4-932.6 eV), but their
L3M4,5M4,5 Auger lines differ by about 2 eV. The modified Auger parameter (Wagner, Faraday
Discuss. Chem. Soc. 1975, 60, 291, doi:10.1039/DC9756000291)::

    alpha' = BE(Cu 2p3/2) + KE(Cu L3M4,5M4,5)

is independent of charging, because a charge shift moves BE and KE by equal and opposite
amounts. ``KE = hv - BE(apparent)`` for an LMM line read on a binding-energy scale.

Reference values (eV, rounded to 0.1 eV) are those of the Wagner plot of Biesinger, Surf.
Interface Anal. 2017, 49, 1325 (doi:10.1002/sia.6239): Cu metal 1851.2, Cu2O 1849.1, CuO 1851.5;
a spread of a few tenths of an eV between laboratories is usual, so the classification reports
the nearest reference and its distance rather than a verdict when the distance is large.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdcat.core.errors import InputError
from qdcat.xps.peakfit import Peak, PeakModel, fit_peaks
from qdcat.xps.spectrum import XpsSpectrum

__all__ = [
    "CU_AUGER_REFERENCES_EV",
    "AugerAssignment",
    "classify_cu_auger_parameter",
    "cu_lmm_kinetic_energy",
    "modified_auger_parameter",
]

#: Modified Auger parameters of Cu references, eV (Biesinger 2017; see the module notes).
CU_AUGER_REFERENCES_EV: dict[str, float] = {
    "Cu(0) metal": 1851.2,
    "Cu(I) Cu2O": 1849.1,
    "Cu(II) CuO": 1851.5,
}


def modified_auger_parameter(be_2p32_eV: float, ke_lmm_eV: float) -> float:
    """``alpha' = BE(Cu 2p3/2) + KE(Cu L3M4,5M4,5)``, eV."""
    for v, name in ((be_2p32_eV, "be_2p32_eV"), (ke_lmm_eV, "ke_lmm_eV")):
        if not (np.isfinite(v) and v > 0):
            raise InputError(
                "energy must be positive and finite", field=name, expected="> 0 eV", found=v
            )
    return float(be_2p32_eV + ke_lmm_eV)


@dataclass(frozen=True)
class AugerAssignment:
    """Nearest reference to a measured modified Auger parameter."""

    alpha_eV: float
    nearest: str
    distance_eV: float
    confident: bool


def classify_cu_auger_parameter(alpha_eV: float, *, tolerance_eV: float = 0.5) -> AugerAssignment:
    """Nearest Cu reference; ``confident`` when it is within ``tolerance_eV`` and the next one
    is at least twice as far."""
    d = {k: abs(alpha_eV - v) for k, v in CU_AUGER_REFERENCES_EV.items()}
    order = sorted(d, key=d.__getitem__)
    best, second = order[0], order[1]
    confident = d[best] <= tolerance_eV and d[second] >= 2.0 * d[best]
    return AugerAssignment(float(alpha_eV), best, float(d[best]), bool(confident))


def cu_lmm_kinetic_energy(
    lmm: XpsSpectrum,
    *,
    photon_energy_eV: float | None = None,
    window_eV: tuple[float, float] = (560.0, 580.0),
) -> tuple[float, float | None]:
    """Kinetic energy (eV) and standard error of the main Cu L3M4,5M4,5 line.

    ``lmm`` is on the binding-energy scale of the same (charge-uncorrected or corrected, but the
    same as the 2p3/2 used) measurement; with Al K-alpha the line lies near 565-570 eV apparent
    binding energy. The main line is fitted with a GL(30) peak over a linear background.
    """
    hv = photon_energy_eV if photon_energy_eV is not None else lmm.photon_energy_eV
    if hv is None:
        raise InputError(
            "the photon energy is needed to convert the Auger line to kinetic energy",
            file=lmm.source_file,
            field="photon_energy_eV",
            expected="e.g. 1486.6 eV (Al K-alpha)",
            found=None,
            has_found=False,
        )
    w = lmm.window(*window_eV)
    if w.binding_energy_eV.size < 20:
        raise InputError(
            "the spectrum does not cover the Cu LMM region",
            file=lmm.source_file,
            field="binding_energy_eV",
            expected=f"energies within {window_eV[0]:g}-{window_eV[1]:g} eV",
            found=f"{lmm.binding_energy_eV[0]:.1f}-{lmm.binding_energy_eV[-1]:.1f} eV",
        )
    x, y = w.binding_energy_eV, w.counts
    guess = float(x[int(np.argmax(y - np.linspace(y[0], y[-1], y.size)))])
    model = PeakModel(
        (Peak("lmm", guess, 2.5, "gl", {"p": 30.0}, (guess - 2, guess + 2), (0.8, 6.0)),)
    )
    fit = fit_peaks(x, y, model, background="linear", n_average=5)
    return float(hv - fit.values["lmm_center"]), fit.stderr.get("lmm_center")
