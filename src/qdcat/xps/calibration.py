"""Charge correction of the binding-energy scale to adventitious carbon C 1s.

Insulating and semiconducting samples charge under X-rays; the usual reference is the C-C/C-H
component of adventitious carbon at 284.8 eV (e.g. Biesinger, Appl. Surf. Sci. 2022, 597,
153681, doi:10.1016/j.apsusc.2022.153681, which also discusses the limits of this practice).
The shift ``reference - measured`` is added to every binding energy.

:func:`c1s_position` fits the C 1s region with the C-C/C-H line and two oxidised-carbon
components at fixed offsets (C-O +1.5 eV, O-C=O +4.0 eV; GL(30), shared width, static Shirley
background) and returns the C-C/C-H position with its standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdcat.core.errors import InputError
from qdcat.xps.peakfit import Peak, PeakFit, PeakModel, fit_peaks
from qdcat.xps.spectrum import XpsSpectrum

__all__ = ["ADVENTITIOUS_C1S_EV", "ChargeCorrection", "c1s_position", "charge_correct"]

#: Adventitious carbon C 1s (C-C/C-H) reference, eV.
ADVENTITIOUS_C1S_EV = 284.8


@dataclass(frozen=True)
class ChargeCorrection:
    """A binding-energy shift (eV) and where it came from."""

    shift_eV: float
    shift_stderr_eV: float | None
    measured_eV: float
    reference_eV: float
    fit: PeakFit | None = None


def c1s_position(
    c1s: XpsSpectrum,
    *,
    window_eV: tuple[float, float] = (280.0, 294.0),
    guess_eV: float | None = None,
) -> tuple[float, float | None, PeakFit]:
    """Position (eV) and standard error of the C-C/C-H line of a C 1s spectrum."""
    w = c1s.window(*window_eV)
    if w.binding_energy_eV.size < 20:
        raise InputError(
            "the C 1s spectrum does not cover the C 1s region",
            file=c1s.source_file,
            field="binding_energy_eV",
            expected=f"energies within {window_eV[0]:g}-{window_eV[1]:g} eV",
            found=f"{c1s.binding_energy_eV[0]:.1f}-{c1s.binding_energy_eV[-1]:.1f} eV",
        )
    x, y = w.binding_energy_eV, w.counts
    if guess_eV is None:
        lo = min(5, max(1, y.size // 10))
        guess_eV = float(x[int(np.argmax(y - np.linspace(y[:lo].mean(), y[-lo:].mean(), y.size)))])
    model = PeakModel(
        (
            Peak(
                "cc", guess_eV, 1.2, "gl", {"p": 30.0}, (guess_eV - 2.0, guess_eV + 2.0), (0.5, 3.0)
            ),
            Peak(
                "co",
                guess_eV + 1.5,
                1.2,
                "gl",
                {"p": 30.0},
                center_expr="cc_center + 1.5",
                fwhm_expr="cc_fwhm",
            ),
            Peak(
                "coo",
                guess_eV + 4.0,
                1.2,
                "gl",
                {"p": 30.0},
                center_expr="cc_center + 4.0",
                fwhm_expr="cc_fwhm",
            ),
        )
    )
    fit = fit_peaks(x, y, model, background="shirley", n_average=5)
    return fit.values["cc_center"], fit.stderr.get("cc_center"), fit


def charge_correct(
    spectrum: XpsSpectrum,
    *,
    c1s: XpsSpectrum | None = None,
    measured_c1s_eV: float | None = None,
    reference_eV: float = ADVENTITIOUS_C1S_EV,
) -> tuple[XpsSpectrum, ChargeCorrection]:
    """Shift ``spectrum`` so that adventitious C 1s sits at ``reference_eV`` (eV).

    Give either the measured C 1s spectrum (``c1s``; its C-C/C-H line is fitted) or the
    measured position ``measured_c1s_eV``.
    """
    if (c1s is None) == (measured_c1s_eV is None):
        raise InputError(
            "give the C 1s spectrum or its measured position, not both or neither",
            field="c1s / measured_c1s_eV",
            expected="exactly one of them",
            found=None,
            has_found=False,
        )
    fit = None
    err = None
    if c1s is not None:
        measured, err, fit = c1s_position(c1s)
    else:
        measured = float(measured_c1s_eV)  # type: ignore[arg-type]
        if not 270.0 < measured < 300.0:
            raise InputError(
                "measured C 1s position out of range",
                field="measured_c1s_eV",
                expected="about 280-295 eV",
                found=measured,
            )
    shift = reference_eV - measured
    return spectrum.shifted(shift), ChargeCorrection(shift, err, measured, reference_eV, fit)
