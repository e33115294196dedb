"""Light spectra for photon accounting: AM1.5G, band-limited solar simulators, measured files.

A :class:`Spectrum` is a spectral irradiance E(lambda) in W m-2 nm-1 on a strictly increasing
wavelength grid (nm). Integrals use the trapezoidal rule on the given points; a band
``(lo, hi)`` is cut out with the irradiance linearly interpolated at its edges. The photon flux
density of a spectrum is q(lambda) = E(lambda) lambda / (h c).

AM1.5G
------
:func:`am15g_spectrum` is the global tilt (37 deg) column of ASTM G173-03 (280-4000 nm),
shipped as ``qdcat/data/astm_g173_03.csv`` (public NREL data; see the README next to it). Its
integral is 1000.4 W m-2 and 53.4 % of it lies between 380 and 780 nm (trapezoidal rule on the
tabulated points, as ASTM G173 does). References: ASTM G173-03; C. A. Gueymard, D. Myers,
K. Emery, Solar Energy 73, 443 (2002), doi:10.1016/S0038-092X(03)00005-7.

Solar simulators and the two readings of "100 mW cm-2"
------------------------------------------------------
A solar simulator with a 380-780 nm filter (``band_nm``) is modelled as AM1.5G with ideal
band edges (full transmission in the band, none outside). "100 mW cm-2" then has two
readings that differ by the factor 1000.4 / 534.4 = 1.87:

* ``reading="filtered"``: the irradiance was measured *after* the filter (a thermopile at the
  sample position); the in-band irradiance equals the stated value.
* ``reading="full"``: the lamp was set to the full AM1.5G spectrum (1 sun = 100 mW cm-2) and
  then filtered; the in-band irradiance is the AM1.5G share of the stated value (53.4 mW cm-2
  for 380-780 nm).

The chosen reading is stored in :attr:`Spectrum.metadata` and every result built from it
states it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.constants import (
    ELEMENTARY_CHARGE_C,
    AVOGADRO_per_mol,
    PLANCK_J_s,
    SPEED_OF_LIGHT_m_s,
)
from qdcat.core.errors import InputError
from qdcat.core.validation import require_finite, require_strictly_monotonic

__all__ = [
    "AM15G_FILE",
    "READINGS",
    "WAVELENGTH_RANGE_NM",
    "Spectrum",
    "am15g_spectrum",
    "read_light_spectrum",
    "solar_simulator_spectrum",
]

#: Wavelengths accepted anywhere in photon accounting, nm (UV-C to mid-infrared; the AM1.5G
#: table spans 280-4000 nm). A value outside is almost always a unit slip (um, m, eV).
WAVELENGTH_RANGE_NM: tuple[float, float] = (200.0, 4000.0)

#: Packaged ASTM G173-03 table (see ``qdcat/data/astm_g173_03_README.md``).
AM15G_FILE = "astm_g173_03.csv"

#: The two readings of a stated solar-simulator irradiance (see the module docstring).
READINGS: Mapping[str, str] = {
    "filtered": "stated irradiance measured after the filter: in-band irradiance = stated value",
    "full": (
        "stated irradiance is the full AM1.5G spectrum before the filter (100 mW cm-2 = 1 sun); "
        "in-band irradiance = AM1.5G share of the stated value"
    ),
}

#: photons s-1 -> umol h-1
_PER_S_TO_UMOL_H = 3600.0 * 1e6 / AVOGADRO_per_mol
#: W m-2 -> mW cm-2
_W_M2_TO_MW_CM2 = 0.1

#: Absolute spectral-irradiance column keys (as :func:`qdcat.io.read_frame` writes them) and
#: their factor to W m-2 nm-1.
_ABSOLUTE_COLUMNS: Mapping[str, float] = {
    "irradiance_W_m2_nm": 1.0,
    "irradiance_mW_cm2_nm": 10.0,
    "irradiance_uW_cm2_nm": 0.01,
    "irradiance_W_cm2_nm": 1.0e4,
    "irradiance_mW_m2_nm": 1.0e-3,
}
#: A negative reading larger than this share of the maximum is an error, not noise.
_NEGATIVE_TOLERANCE = 0.05


def _float(value: Any, field: str, file: str | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(
            "not a number", file=file, field=field, expected="a number", found=value
        ) from None
    if not math.isfinite(x):
        raise InputError("not a finite number", file=file, field=field, found=value)
    return x


def check_positive(value: Any, field: str, unit: str, *, file: str | None = None) -> float:
    """``value`` as a float that is finite and > 0, else :class:`InputError` naming ``field``."""
    x = _float(value, field, file)
    if x <= 0:
        raise InputError(
            "must be positive" if x < 0 else "must not be zero",
            file=file,
            field=field,
            expected=f"{field} > 0 {unit}".rstrip(),
            found=value,
        )
    return x


def check_wavelength(value: Any, field: str = "wavelength_nm", *, file: str | None = None) -> float:
    """A wavelength in nm inside :data:`WAVELENGTH_RANGE_NM`, else :class:`InputError`."""
    x = _float(value, field, file)
    lo, hi = WAVELENGTH_RANGE_NM
    if not lo <= x <= hi:
        raise InputError(
            "wavelength out of range (is it in nm?)",
            file=file,
            field=field,
            expected=f"{lo:g} nm <= {field} <= {hi:g} nm",
            found=value,
        )
    return x


def check_band(
    band_nm: Any, field: str = "band_nm", *, file: str | None = None
) -> tuple[float, float]:
    """A band ``(lo, hi)`` in nm with lo < hi, both inside :data:`WAVELENGTH_RANGE_NM`."""
    try:
        lo_raw, hi_raw = band_nm
    except (TypeError, ValueError):
        raise InputError(
            "a band is two wavelengths",
            file=file,
            field=field,
            expected="(lo_nm, hi_nm)",
            found=band_nm,
        ) from None
    lo = check_wavelength(lo_raw, field, file=file)
    hi = check_wavelength(hi_raw, field, file=file)
    if not lo < hi:
        raise InputError(
            "band edges in the wrong order or equal",
            file=file,
            field=field,
            expected="lo_nm < hi_nm",
            found=band_nm,
        )
    return lo, hi


def band_cut(
    wavelength_nm: NDArray[np.float64],
    values: NDArray[np.float64],
    band_nm: tuple[float, float] | None,
    *,
    field: str = "band_nm",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The points of ``values`` inside ``band_nm`` with linearly interpolated end points."""
    if band_nm is None:
        return wavelength_nm, values
    lo, hi = check_band(band_nm, field)
    first, last = float(wavelength_nm[0]), float(wavelength_nm[-1])
    tol = 1e-9 * max(abs(first), abs(last))
    if lo < first - tol or hi > last + tol:
        raise InputError(
            f"band {lo:g}-{hi:g} nm reaches outside the spectrum ({first:g}-{last:g} nm)",
            field=field,
            expected=f"a band within {first:g}-{last:g} nm",
            found=(lo, hi),
        )
    lo, hi = max(lo, first), min(hi, last)
    inner = (wavelength_nm > lo) & (wavelength_nm < hi)
    x = np.concatenate([[lo], wavelength_nm[inner], [hi]])
    return x, np.interp(x, wavelength_nm, values)


@dataclass(frozen=True)
class Spectrum:
    """Spectral irradiance ``irradiance_W_m2_nm`` (W m-2 nm-1) on ``wavelength_nm`` (nm).

    Wavelengths strictly increase and lie in :data:`WAVELENGTH_RANGE_NM`; irradiances are
    finite and >= 0. ``metadata`` says where the spectrum comes from (file, scaling, reading).
    """

    wavelength_nm: NDArray[np.float64]
    irradiance_W_m2_nm: NDArray[np.float64]
    label: str = "spectrum"
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wl = np.asarray(self.wavelength_nm, dtype=float)
        e = np.asarray(self.irradiance_W_m2_nm, dtype=float)
        if wl.ndim != 1 or e.shape != wl.shape or wl.size < 2:
            raise InputError(
                "wavelengths and irradiances must be 1-D arrays of the same length >= 2",
                field="spectrum",
                found=(wl.shape, e.shape),
            )
        require_finite(wl, "wavelength_nm")
        require_finite(e, "irradiance_W_m2_nm")
        require_strictly_monotonic(wl, "wavelength_nm")
        if wl[0] > wl[-1]:
            wl, e = wl[::-1].copy(), e[::-1].copy()
        check_band((wl[0], wl[-1]), "wavelength_nm")
        if np.any(e < 0):
            idx = int(np.flatnonzero(e < 0)[0])
            raise InputError(
                f"negative spectral irradiance at {wl[idx]:g} nm",
                field="irradiance_W_m2_nm",
                expected="values >= 0",
                found=float(e[idx]),
            )
        if not np.any(e > 0):
            raise InputError("spectrum is zero everywhere", field="irradiance_W_m2_nm")
        object.__setattr__(self, "wavelength_nm", wl)
        object.__setattr__(self, "irradiance_W_m2_nm", e)
        object.__setattr__(self, "metadata", dict(self.metadata))

    # -- integrals -------------------------------------------------------------------------

    def irradiance_W_m2(self, band_nm: tuple[float, float] | None = None) -> float:
        """Integrated irradiance in W m-2 (over ``band_nm`` if given)."""
        x, y = band_cut(self.wavelength_nm, self.irradiance_W_m2_nm, band_nm)
        return float(np.trapezoid(y, x))

    def irradiance_mW_cm2(self, band_nm: tuple[float, float] | None = None) -> float:
        """Integrated irradiance in mW cm-2 (1 mW cm-2 = 10 W m-2)."""
        return self.irradiance_W_m2(band_nm) * _W_M2_TO_MW_CM2

    def photon_flux_density_umol_h_cm2_nm(self) -> NDArray[np.float64]:
        """Spectral photon flux density q(lambda) = E lambda / (h c), umol h-1 cm-2 nm-1."""
        per_s_m2_nm = (
            self.irradiance_W_m2_nm * self.wavelength_nm * 1e-9 / (PLANCK_J_s * SPEED_OF_LIGHT_m_s)
        )
        return per_s_m2_nm * 1e-4 * _PER_S_TO_UMOL_H

    def photon_flux_umol_h(
        self, area_cm2: float, band_nm: tuple[float, float] | None = None
    ) -> float:
        """Photons per hour (umol h-1) reaching ``area_cm2``: area x integral of q(lambda)."""
        area = check_positive(area_cm2, "area_cm2", "cm2")
        x, q = band_cut(self.wavelength_nm, self.photon_flux_density_umol_h_cm2_nm(), band_nm)
        return float(np.trapezoid(q, x)) * area

    def mean_photon_energy_eV(self, band_nm: tuple[float, float] | None = None) -> float:
        """Irradiance / photon flux, eV: the energy of the average photon."""
        flux_per_s_cm2 = self.photon_flux_umol_h(1.0, band_nm) / _PER_S_TO_UMOL_H
        power_W_cm2 = self.irradiance_mW_cm2(band_nm) * 1e-3
        return power_W_cm2 / flux_per_s_cm2 / ELEMENTARY_CHARGE_C

    # -- new spectra ------------------------------------------------------------------------

    def band(self, band_nm: tuple[float, float], **metadata: Any) -> Spectrum:
        """The part inside ``band_nm`` (ideal filter: full transmission in, none out)."""
        x, y = band_cut(self.wavelength_nm, self.irradiance_W_m2_nm, band_nm)
        meta = {**self.metadata, "band_nm": [float(x[0]), float(x[-1])], **metadata}
        return Spectrum(x, y, f"{self.label}, {x[0]:g}-{x[-1]:g} nm", meta)

    def scaled(self, factor: float, **metadata: Any) -> Spectrum:
        """Irradiance multiplied by ``factor`` (> 0)."""
        k = check_positive(factor, "scale_factor", "")
        return Spectrum(
            self.wavelength_nm,
            self.irradiance_W_m2_nm * k,
            self.label,
            {**self.metadata, **metadata},
        )


@functools.lru_cache(maxsize=1)
def _am15g_arrays() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    from qdcat.io import read_frame

    ref = resources.files("qdcat.data").joinpath(AM15G_FILE)
    with resources.as_file(ref) as path:
        frame = read_frame(path)
    wl = frame["wavelength"].to_numpy(dtype=float)
    g = frame["global"].to_numpy(dtype=float)
    wl.setflags(write=False)
    g.setflags(write=False)
    return wl, g


def am15g_spectrum() -> Spectrum:
    """ASTM G173-03 AM1.5G global tilt spectrum, 280-4000 nm, W m-2 nm-1 (1000.4 W m-2).

    Source: ``qdcat/data/astm_g173_03.csv`` (NREL, via pvlib-python, BSD-3; see the README
    there). References: ASTM G173-03; Gueymard et al., Solar Energy 73, 443 (2002),
    doi:10.1016/S0038-092X(03)00005-7.
    """
    wl, g = _am15g_arrays()
    return Spectrum(
        wl.copy(),
        g.copy(),
        "AM1.5G (ASTM G173-03)",
        {
            "am15g": True,
            "band_nm": None,
            "source": "ASTM G173-03 AM1.5G global tilt (qdcat/data/astm_g173_03.csv, NREL)",
            "reference": "ASTM G173-03; Gueymard et al., Sol. Energy 73, 443 (2002), "
            "doi:10.1016/S0038-092X(03)00005-7",
        },
    )


def solar_simulator_spectrum(
    irradiance_mW_cm2: float = 100.0,
    *,
    band_nm: tuple[float, float] | None = (380.0, 780.0),
    reading: str = "filtered",
) -> Spectrum:
    """AM1.5G cut to ``band_nm`` (ideal filter) and scaled to a stated irradiance.

    ``reading`` says what the stated ``irradiance_mW_cm2`` means (:data:`READINGS`):
    ``'filtered'`` -- measured after the filter, so the in-band irradiance equals it;
    ``'full'`` -- the full AM1.5G spectrum before the filter, so the in-band irradiance is
    ``irradiance_mW_cm2`` x (AM1.5G in band / AM1.5G total). ``band_nm=None`` gives the whole
    AM1.5G spectrum (both readings then agree).

    ``metadata`` holds the reading and its text, the stated and in-band irradiances, the scale
    factor applied to the tabulated AM1.5G and ``readings_ratio`` (full / filtered in-band
    irradiance for the same stated number, 1.87 for 380-780 nm).
    """
    stated = check_positive(irradiance_mW_cm2, "irradiance_mW_cm2", "mW cm-2")
    if reading not in READINGS:
        raise InputError(
            "unknown irradiance reading",
            field="reading",
            expected="'filtered' (measured after the filter) or 'full' (AM1.5G, then filter)",
            found=reading,
        )
    am = am15g_spectrum()
    total = am.irradiance_mW_cm2()
    band = None if band_nm is None else check_band(band_nm)
    in_band = am.irradiance_mW_cm2(band)
    factor = stated / (in_band if reading == "filtered" else total)
    cut = am if band is None else am.band(band)
    spectrum = cut.scaled(
        factor,
        kind="solar simulator",
        reading=reading,
        reading_text=READINGS[reading],
        stated_irradiance_mW_cm2=stated,
        in_band_irradiance_mW_cm2=in_band * factor,
        am15g_scale_factor=factor,
        band_nm=None if band is None else list(band),
        am15g_band_share=in_band / total,
        readings_ratio=total / in_band,
        filter="ideal band-pass (full transmission in the band, none outside)",
    )
    band_text = "" if band is None else f", {band[0]:g}-{band[1]:g} nm"
    return Spectrum(
        spectrum.wavelength_nm,
        spectrum.irradiance_W_m2_nm,
        f"AM1.5G{band_text}, {stated:g} mW cm-2 ({reading})",
        spectrum.metadata,
    )


def read_light_spectrum(
    path: str | Path,
    *,
    irradiance_mW_cm2: float | None = None,
    band_nm: tuple[float, float] | None = None,
) -> Spectrum:
    """A lamp spectrum from a table: ``wavelength_nm`` and one irradiance column.

    Absolute columns (header -> key): ``irradiance (W m-2 nm-1)`` -> ``irradiance_W_m2_nm``,
    likewise ``mW cm-2 nm-1``, ``uW cm-2 nm-1``, ``W cm-2 nm-1``, ``mW m-2 nm-1``. Any other
    single column is a relative shape (counts, a.u.) and needs ``irradiance_mW_cm2``, the
    measured irradiance over the spectrum (or over ``band_nm``), to scale it. An absolute
    spectrum with ``irradiance_mW_cm2`` is rescaled to it (the factor is recorded).

    Small negative readings (detector noise, at most 5 % of the maximum) are set to zero and
    counted in ``metadata``; larger ones are an error. ``band_nm`` cuts the spectrum first.
    """
    from qdcat.io import read_frame

    path = Path(path)
    file = str(path)
    frame = read_frame(path)
    columns = [str(c) for c in frame.columns]
    if "wavelength_nm" not in columns:
        raise InputError(
            "missing wavelength column",
            file=file,
            field="wavelength_nm",
            expected="a column 'wavelength_nm' (header e.g. 'Wavelength (nm)')",
            found=columns,
        )
    others = [c for c in columns if c != "wavelength_nm"]
    absolute = [c for c in others if c in _ABSOLUTE_COLUMNS]
    if len(absolute) > 1 or (not absolute and len(others) != 1):
        raise InputError(
            "cannot tell which column is the irradiance",
            file=file,
            field="irradiance",
            expected=(
                "wavelength_nm and one irradiance column (e.g. 'irradiance (W m-2 nm-1)', or a "
                "relative spectrum in a single column)"
            ),
            found=columns,
        )
    column = absolute[0] if absolute else others[0]
    wl = frame["wavelength_nm"].to_numpy(dtype=float)
    values = frame[column].to_numpy(dtype=float)
    for arr, name in ((wl, "wavelength_nm"), (values, column)):
        bad = ~np.isfinite(arr)
        if bad.any():
            raise InputError(
                "empty or non-finite value",
                file=file,
                line=int(frame.index[np.flatnonzero(bad)[0]]),
                field=name,
                expected="finite numbers",
            )
    order = np.argsort(wl)
    wl, values = wl[order], values[order]
    if np.any(np.diff(wl) == 0):
        raise InputError(
            "duplicated wavelength", file=file, field="wavelength_nm", expected="distinct values"
        )
    top = float(values.max()) if values.size else 0.0
    if not top > 0:
        raise InputError("spectrum is zero or negative everywhere", file=file, field=column)
    negative = values < 0
    if np.any(values < -_NEGATIVE_TOLERANCE * top):
        idx = int(np.flatnonzero(values < -_NEGATIVE_TOLERANCE * top)[0])
        raise InputError(
            f"negative irradiance at {wl[idx]:g} nm, more than {_NEGATIVE_TOLERANCE:.0%} of the "
            "maximum",
            file=file,
            field=column,
            expected="values >= 0 (small negative noise is set to zero)",
            found=float(values[idx]),
        )
    values = np.where(negative, 0.0, values)
    meta: dict[str, Any] = {
        "source_file": file,
        "column": column,
        "negative_points_set_to_zero": int(negative.sum()),
    }
    if absolute:
        values = values * _ABSOLUTE_COLUMNS[column]
        meta["kind"] = "absolute spectral irradiance"
    elif irradiance_mW_cm2 is None:
        raise InputError(
            f"column {column!r} is a relative spectrum; give the measured irradiance to scale it",
            file=file,
            field="irradiance_mW_cm2",
            expected="irradiance_mW_cm2 > 0 (or an absolute column such as irradiance_W_m2_nm)",
        )
    else:
        meta["kind"] = "relative spectrum scaled to the stated irradiance"
    spectrum = Spectrum(wl, values, path.name, meta)
    if band_nm is not None:
        spectrum = spectrum.band(band_nm)
    if irradiance_mW_cm2 is not None:
        stated = check_positive(irradiance_mW_cm2, "irradiance_mW_cm2", "mW cm-2", file=file)
        own = spectrum.irradiance_mW_cm2()
        spectrum = spectrum.scaled(
            stated / own,
            stated_irradiance_mW_cm2=stated,
            file_irradiance_mW_cm2=own if absolute else None,
            scale_factor=stated / own,
            reading="filtered",
            reading_text="stated irradiance is that of the spectrum as given (after any filter)",
        )
    return spectrum


def as_array(values: ArrayLike, field: str) -> NDArray[np.float64]:
    """``values`` as a 1-D float array with finite entries (error names ``field``)."""
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise InputError("not numeric", field=field, expected="numbers", found=values) from None
    require_finite(arr, field)
    return arr
