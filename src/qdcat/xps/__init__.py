"""X-ray photoelectron spectroscopy: readers, backgrounds, line shapes, peak fits, Cu 2p.

* :mod:`qdcat.xps.spectrum`: :class:`XpsSpectrum` and :func:`read_xps` (VAMAS via
  :mod:`qdcat.io.vamas`, CSV/text, kinetic-energy conversion, bad-input checks);
* :mod:`qdcat.xps.calibration`: charge correction to adventitious C 1s (284.8 eV);
* :mod:`qdcat.xps.backgrounds`: Shirley, Tougaard (U2/U3), linear;
* :mod:`qdcat.xps.lineshapes`: CasaXPS GL/SGL, Voigt, Doniach-Sunjic, asymmetric Lorentzian;
* :mod:`qdcat.xps.peakfit`: components, doublets and constraints; backgrounds computed before
  or refined within the fit;
* :mod:`qdcat.xps.cu2p`: Cu+/Cu2+ model, Biesinger Cu(II) fraction, forward simulation;
* :mod:`qdcat.xps.auger`: Cu modified Auger parameter;
* :mod:`qdcat.xps.plots`: figures.
"""

from qdcat.xps.auger import (
    CU_AUGER_REFERENCES_EV,
    classify_cu_auger_parameter,
    cu_lmm_kinetic_energy,
    modified_auger_parameter,
)
from qdcat.xps.backgrounds import (
    linear_background,
    shirley_background,
    tougaard_background,
)
from qdcat.xps.calibration import ADVENTITIOUS_C1S_EV, c1s_position, charge_correct
from qdcat.xps.cu2p import (
    CUO_SATELLITE_MAIN_RATIO,
    biesinger_cu2_fraction,
    cu2p_model,
    fit_cu2p,
    fit_cu2p_batch,
    simulate_cu2p,
)
from qdcat.xps.lineshapes import (
    asymmetric_lorentzian,
    doniach_sunjic,
    gaussian,
    gl,
    lorentzian,
    profile_fwhm,
    sgl,
    voigt,
)
from qdcat.xps.peakfit import Peak, PeakFit, PeakModel, doublet, fit_peaks
from qdcat.xps.plots import plot_cu2p, plot_cu2p_comparison, plot_peak_fit
from qdcat.xps.spectrum import XpsSpectrum, make_spectrum, read_xps

__all__ = [
    "ADVENTITIOUS_C1S_EV",
    "CUO_SATELLITE_MAIN_RATIO",
    "CU_AUGER_REFERENCES_EV",
    "Peak",
    "PeakFit",
    "PeakModel",
    "XpsSpectrum",
    "asymmetric_lorentzian",
    "biesinger_cu2_fraction",
    "c1s_position",
    "charge_correct",
    "classify_cu_auger_parameter",
    "cu2p_model",
    "cu_lmm_kinetic_energy",
    "doniach_sunjic",
    "doublet",
    "fit_cu2p",
    "fit_cu2p_batch",
    "fit_peaks",
    "gaussian",
    "gl",
    "linear_background",
    "lorentzian",
    "make_spectrum",
    "modified_auger_parameter",
    "plot_cu2p",
    "plot_cu2p_comparison",
    "plot_peak_fit",
    "profile_fwhm",
    "read_xps",
    "sgl",
    "shirley_background",
    "simulate_cu2p",
    "tougaard_background",
    "voigt",
]
