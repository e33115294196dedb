"""Re-fit the CasaXPS model stored in a VAMAS block (its region, background and components).

CasaXPS writes its quantification region (energy limits, background type, Tougaard
cross-section, averaging width) and its fit components (line shape, area/FWHM/position with
bounds and links to other components) into the block comment (:mod:`qdcat.io.vamas`). This
module turns them into a :class:`~qdcat.xps.peakfit.PeakModel` on the binding-energy scale and
fits it, so that a CasaXPS analysis can be reproduced and checked.

Translation
-----------
* Energies: CasaXPS stores kinetic energies for kinetic-energy blocks; ``BE = hv - KE``.
* Backgrounds: ``Shirley`` -> static Shirley; ``Linear`` -> linear; ``U 2 Tougaard`` /
  ``Tougaard`` -> U2 with the stored ``C``; ``U 3 Tougaard`` -> U3 with the stored ``C`` and
  ``D``; ``B`` is fitted so that the background meets the high-energy end (as CasaXPS does; for
  the FeO example file this gives 334.0 eV^2 against CasaXPS's 335.4). ``average_width`` is taken
  as a number of points.
* Line shapes: ``GL(p)``, ``SGL(p)`` exactly; ``LA(a,b,m)`` and ``LF(a,b,w,m,...)`` as
  :func:`qdcat.xps.lineshapes.asymmetric_lorentzian` with the same exponents, but CasaXPS's
  Gaussian index ``m`` and damping ``w`` have no published conversion to eV, so one Gaussian
  width and one damping width (eV) shared by all such components are fitted instead;
  ``DS(a, n)`` as a Doniach-Sunjic with a fitted Gaussian width.
* Links: an area tied to component ``j`` with factor ``f`` becomes ``area_ratio = (j, f)``, a
  tied FWHM ``fwhm_j * f``, a tied position ``center_j + offset`` (sign turned for the binding
  energy scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qdcat.core.errors import InputError
from qdcat.io.vamas import CasaComponent, CasaRegion
from qdcat.xps.peakfit import Peak, PeakFit, PeakModel, fit_peaks
from qdcat.xps.spectrum import XpsSpectrum

__all__ = ["CasaModel", "casa_model", "fit_casa"]


@dataclass(frozen=True)
class CasaModel:
    """A CasaXPS region + components translated to qdcat (binding energies, eV)."""

    model: PeakModel
    window_eV: tuple[float, float]
    background: str
    tougaard: dict[str, Any]
    n_average: int
    region: CasaRegion
    components: tuple[CasaComponent, ...]


def _to_be(spectrum: XpsSpectrum):
    kinetic = "kinetic" in str(spectrum.metadata.get("abscissa", "")).lower()
    hv = spectrum.photon_energy_eV
    if kinetic and hv is None:
        raise InputError(
            "no photon energy to convert CasaXPS energies",
            file=spectrum.source_file,
            field="photon_energy_eV",
            expected="the source energy of the block",
            found=None,
            has_found=False,
        )

    def be(v: float) -> float:
        return float(hv - v) if kinetic else float(v)

    return be, (-1.0 if kinetic else 1.0)


def casa_model(spectrum: XpsSpectrum, *, region: int = 0) -> CasaModel:
    """Translate the CasaXPS region ``region`` and all components of ``spectrum.casa``."""
    casa = spectrum.casa
    if not casa.regions or not casa.components:
        raise InputError(
            "the spectrum carries no CasaXPS region and components",
            file=spectrum.source_file,
            field="block comment",
            expected="'CASA region' and 'CASA comp' lines (a VAMAS file saved by CasaXPS)",
            found=f"{len(casa.regions)} regions, {len(casa.components)} components",
        )
    be, sign = _to_be(spectrum)
    reg = casa.regions[region]
    lo, hi = sorted((be(reg.start), be(reg.end)))
    bg_name = reg.background.strip().lower()
    tougaard: dict[str, Any] = {}
    if "tougaard" in bg_name:
        kind = "U3" if bg_name.startswith("u 3") else "U2"
        cs = reg.cross_section
        tougaard = {"kind": kind, "C": cs[1] if len(cs) > 1 and cs[1] else 1643.0}
        if kind == "U3":
            tougaard["D"] = cs[2] if len(cs) > 2 else 0.0
        background = "tougaard"
    elif "shirley" in bg_name:
        background = "shirley"
    elif "linear" in bg_name:
        background = "linear"
    else:
        raise InputError(
            "unsupported CasaXPS background",
            file=spectrum.source_file,
            field="CASA region",
            expected="Shirley, Linear, U 2/U 3 Tougaard",
            found=reg.background,
        )
    extra: dict[str, tuple[float, float, float]] = {}
    peaks: list[Peak] = []
    for i, c in enumerate(casa.components):
        name = f"c{i}"
        fam, args = c.lineshape_name, c.lineshape_args
        if fam == "GL":
            shape, sp = "gl", {"p": args[0] if args else 30.0}
        elif fam == "SGL":
            shape, sp = "sgl", {"p": args[0] if args else 30.0}
        elif fam in ("LA", "LF"):
            alpha = args[0] if args else 1.0
            beta = args[1] if len(args) > 2 else alpha
            extra.setdefault("casa_gauss_fwhm", (1.0, 0.02, 6.0))
            sp = {"alpha": alpha, "beta": beta, "gauss_fwhm": "casa_gauss_fwhm"}
            if fam == "LF":
                extra.setdefault("casa_damping_fwhm", (30.0, 1.0, 500.0))
                sp["damping_fwhm"] = "casa_damping_fwhm"
            shape = "la"
        elif fam == "DS":
            extra.setdefault("casa_gauss_fwhm", (1.0, 0.02, 6.0))
            shape, sp = "ds", {"alpha": args[0] if args else 0.1, "gauss_fwhm": "casa_gauss_fwhm"}
        else:
            raise InputError(
                "unsupported CasaXPS line shape",
                file=spectrum.source_file,
                field=f"CASA comp {i}",
                expected="GL, SGL, LA, LF or DS",
                found=c.lineshape,
            )
        pos = c.position
        plo, phi = sorted((be(pos.lower), be(pos.upper)))
        center = min(max(be(pos.value), plo), phi)
        fw = c.fwhm
        flo, fhi = min(fw.lower, fw.upper), max(fw.lower, fw.upper)
        fwhm = min(max(fw.value, flo), fhi)
        center_expr = f"c{pos.link}_center + {sign * pos.link_factor!r}" if pos.link >= 0 else None
        fwhm_expr = f"c{fw.link}_fwhm * {fw.link_factor!r}" if fw.link >= 0 else None
        area_ratio = (f"c{c.area.link}", c.area.link_factor) if c.area.link >= 0 else None
        peaks.append(
            Peak(
                name,
                center,
                fwhm,
                shape,
                sp,
                (plo, phi),
                (flo, fhi),
                center_expr=center_expr,
                fwhm_expr=fwhm_expr,
                area_ratio=area_ratio,
                group=c.name,
            )
        )
    return CasaModel(
        model=PeakModel(tuple(peaks), extra=extra),
        window_eV=(lo, hi),
        background=background,
        tougaard=tougaard,
        n_average=max(1, round(reg.average_width)),
        region=reg,
        components=casa.components,
    )


def fit_casa(spectrum: XpsSpectrum, *, region: int = 0, max_nfev: int = 2000) -> PeakFit:
    """Fit the translated CasaXPS model to the block's data within its region."""
    cm = casa_model(spectrum, region=region)
    w = spectrum.window(*cm.window_eV)
    return fit_peaks(
        w.binding_energy_eV,
        w.counts,
        cm.model,
        background=cm.background,  # type: ignore[arg-type]
        tougaard=cm.tougaard or None,
        n_average=cm.n_average,
        max_nfev=max_nfev,
    )
