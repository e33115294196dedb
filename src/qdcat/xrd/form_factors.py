"""X-ray atomic form factors (Waasmaier-Kirfel) and Cu K-alpha wavelengths.

``f(s) = c + sum_i a_i exp(-b_i s^2)`` with ``s = sin(theta)/lambda = q/(4 pi)`` in 1/Angstrom
(five Gaussians, valid for 0 <= s <= 6 1/A). Coefficients of the neutral atoms from
D. Waasmaier and A. Kirfel, "New analytical scattering-factor functions for free atoms and
ions", Acta Cryst. A51, 416-431 (1995), doi:10.1107/S0108767394013292, Table 1 (checked against
two independent transcriptions; ``f(0)`` equals Z to 0.01 electron for every element here).

ASE's :mod:`ase.utils.xrdebye` carries the same table for a few elements but lists
``c = -3.774477`` for Cu instead of the published -3.254477 (``f(0)`` would be 28.5, not 29),
and has no Zn or In; qdcat therefore keeps its own table.

Anomalous dispersion (``f'``, ``f''``) is neglected: at Cu K-alpha it changes relative
intensities by a few per cent (most for Cu and Zn, whose K edges lie just above the photon
energy) but not peak positions or widths, which are what the analyses use.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import InputError

__all__ = [
    "CU_KA1_A",
    "CU_KA2_A",
    "CU_KA2_KA1_RATIO",
    "WAASMAIER_KIRFEL",
    "form_factor",
    "known_elements",
]

#: Cu K-alpha1 wavelength, Angstrom (8047.8227 eV; G. Hoelzer et al., Phys. Rev. A 56, 4554
#: (1997), doi:10.1103/PhysRevA.56.4554).
CU_KA1_A: float = 1.5405929
#: Cu K-alpha2 wavelength, Angstrom (8027.8416 eV; Hoelzer et al. 1997).
CU_KA2_A: float = 1.5444274
#: Intensity ratio K-alpha2 / K-alpha1 (0.5, the usual value for laboratory Cu tubes).
CU_KA2_KA1_RATIO: float = 0.5

#: Element -> (a1..a5, b1..b5, c); Waasmaier & Kirfel (1995) Table 1, neutral atoms.
WAASMAIER_KIRFEL: dict[str, tuple[tuple[float, ...], tuple[float, ...], float]] = {
    "C": (
        (2.657506, 1.078079, 1.490909, -4.241070, 0.713791),
        (14.780758, 0.776775, 42.086843, -0.000294, 0.239535),
        4.297983,
    ),
    "N": (
        (11.893780, 3.277479, 1.858092, 0.858927, 0.912985),
        (0.000158, 10.232723, 30.344690, 0.656065, 0.217287),
        -11.804902,
    ),
    "O": (
        (2.960427, 2.508818, 0.637853, 0.722838, 1.142756),
        (14.182259, 5.936858, 0.112726, 34.958481, 0.390240),
        0.027014,
    ),
    "P": (
        (1.950541, 4.146930, 1.494560, 1.522042, 5.729711),
        (0.908139, 27.044952, 0.071280, 67.520187, 1.981173),
        0.155233,
    ),
    "S": (
        (6.372157, 5.154568, 1.473732, 1.635073, 1.209372),
        (1.514347, 22.092527, 0.061373, 55.445175, 0.646925),
        0.154722,
    ),
    "Cu": (
        (14.014192, 4.784577, 5.056806, 1.457971, 6.932996),
        (3.738280, 0.003744, 13.034982, 72.554794, 0.265666),
        -3.254477,
    ),
    "Zn": (
        (14.741002, 6.907748, 4.642337, 2.191766, 38.424042),
        (3.388232, 0.243315, 11.903689, 63.312130, 0.000397),
        -36.915829,
    ),
    "Ga": (
        (15.758946, 6.841123, 4.121016, 2.714681, 2.395246),
        (3.121754, 0.226057, 12.482196, 66.203621, 0.007238),
        -0.847395,
    ),
    "Se": (
        (17.354071, 4.653248, 4.259489, 4.136455, 6.749163),
        (2.349787, 0.002550, 15.579460, 45.181202, 0.177432),
        -3.160982,
    ),
    "Cd": (
        (6.080986, 18.019468, 4.018197, 1.303510, 17.974669),
        (0.048990, 7.273646, 29.119284, 95.831207, 0.661231),
        0.603504,
    ),
    "In": (
        (6.196477, 18.816183, 4.050479, 1.638929, 17.962912),
        (0.042072, 6.695665, 31.009790, 103.284348, 0.610714),
        0.333097,
    ),
}


def known_elements() -> tuple[str, ...]:
    """Elements with tabulated form factors."""
    return tuple(WAASMAIER_KIRFEL)


def form_factor(element: str, s_inv_A: ArrayLike) -> NDArray[np.float64]:
    """Atomic form factor ``f(s)`` of a neutral atom, electrons.

    Parameters
    ----------
    element:
        Chemical symbol (one of :func:`known_elements`).
    s_inv_A:
        ``s = sin(theta)/lambda = q/(4 pi)``, 1/Angstrom.
    """
    coeffs = WAASMAIER_KIRFEL.get(element)
    if coeffs is None:
        raise InputError(
            "no X-ray form factor for this element",
            field="element",
            expected="one of " + ", ".join(known_elements()),
            found=element,
        )
    a, b, c = coeffs
    s2 = np.asarray(s_inv_A, dtype=float) ** 2
    out = np.full_like(s2, c, dtype=float)
    for ai, bi in zip(a, b, strict=True):
        out = out + ai * np.exp(-bi * s2)
    return out
