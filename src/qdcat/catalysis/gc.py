"""Gas-chromatograph quantification: peak areas -> mole fractions -> umol produced.

Calibration
-----------
Standards are gas mixtures of known mole fraction x (ppm or %) injected like the samples. For
each product the peak area is fitted by ordinary least squares as a straight line with
intercept, ``area = slope x ppm + intercept``, from at least :data:`MIN_STANDARDS` distinct
standard levels (repeat injections of a level are welcome and count as points). The fit gives
slope and intercept with standard errors and covariance (scaled by the residual variance
s^2 = sum r^2 / (n - 2)), R^2 and the residuals. R^2 below :data:`R2_WARN` adds a warning.

A sample's mole fraction is the inverse prediction x0 = (A0 - intercept) / slope. Its standard
error combines the calibration parameters' covariance and the repeatability of one injection
(the residual scatter s of the standards), the classical calibration formula (ISO 8466-1;
J. N. Miller, J. C. Miller, *Statistics and Chemometrics for Analytical Chemistry*, ch. 5):

    s(x0)^2 = (s / slope)^2 [1 + 1/n + (A0 - mean A)^2 / (slope^2 sum (x_i - mean x)^2)]

computed as the linear propagation of (slope, intercept) plus s^2 / slope^2. A sample whose
mole fraction lies outside the range of the standards is an extrapolation and is reported in
the warnings (below a 0 ppm standard counts as "none detected", reported separately).

Headspace amounts
-----------------
With the headspace volume V (mL), temperature T (K) and pressure P (kPa) stated, the ideal gas
law gives the amount of the product in the gas phase, n_gas = x P V / (R T).

Gas withdrawn by earlier injections
-----------------------------------
Each injection removes the fraction f = V_inj / V of the headspace gas (``injection_uL``,
taken at reactor pressure) and with it f n_gas of every product. The amount produced up to
the k-th injection of a run (k = 0, 1, ... in time order) is therefore what is in the reactor
now plus everything taken out before:

    N_k = n_gas,k + n_liq,k + f sum_{j<k} n_gas,j

``headspace='closed'`` (default): the reactor is not refilled, so the pressure falls by the
factor (1 - f) at each injection: P_k = P (1 - f)^k (the products are traces and do not change
the pressure). ``headspace='refilled'``: the reactor is brought back to P after each injection
(back-filling with CO2 or a balloon), P_k = P. The mole fraction measured at injection k is
turned into n_gas,k = x_k P_k V / (R T).

Dissolved gas (Henry's law)
---------------------------
With ``liquid_mL`` and ``dissolved=True`` the amount dissolved in the (aqueous) liquid is
added, n_liq = H(T) x P_k V_liq, with H the Henry's-law solubility constant H^cp (mol m-3
Pa-1) of :data:`HENRY_CONSTANTS`, corrected to T by the van 't Hoff form
H(T) = H(298.15 K) exp[B (1/T - 1/298.15 K)], B = d ln H / d(1/T) (accurate to a few percent
within about +-20 K of 298 K; the heat capacity of solution is neglected). Values from R.
Sander, Atmos. Chem. Phys. 15, 4399 (2015), doi:10.5194/acp-15-4399-2015 (the same source
entries are listed in version 5.0.0, doi:10.5194/acp-23-10901-2023). Salting-out by
electrolytes is neglected.

Uncertainty
-----------
Every cumulative amount N_k is a linear combination of the mole fractions of its run, which
share the calibration. Its standard error is propagated exactly to first order: the
covariance of the x_j (calibration parameters, common to all, plus the independent
repeatability of each injection) is mapped through the linear map x -> N. Volumes,
temperature and pressure are taken as exact (stated).

13CO / 12CO
-----------
:func:`co_isotope_ratio` reads the m/z 29 and m/z 28 peak areas of CO from a GC-MS run of a
13CO2 labelling experiment. m/z 28 is 12C16O, m/z 29 is 13C16O plus 12C17O; N2 (m/z 28) and
its 14N15N isotopologue (m/z 29) interfere when they co-elute with CO or leak in.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from qdcat.catalysis.yields import ELECTRONS_PER_PRODUCT
from qdcat.core.constants import GAS_CONSTANT_J_mol_K
from qdcat.core.errors import FitError, InputError
from qdcat.core.results import Quantity, Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ANALYSIS_NAME",
    "EXAMPLE_REACTOR",
    "HENRY_CONSTANTS",
    "ISOTOPE_ANALYSIS_NAME",
    "MIN_STANDARDS",
    "N2_RATIO_M29_M28",
    "NATURAL_RATIO_13C_12C",
    "NATURAL_RATIO_17O_16O",
    "R2_WARN",
    "T_REF_K",
    "Calibration",
    "HenryConstant",
    "Reactor",
    "calibrate_gc",
    "co_isotope_ratio",
    "fit_calibration",
    "gc_to_yields",
    "henry_constant_mol_m3_Pa",
    "load_gc_table",
    "plot_gc",
    "quantify_gc",
    "simulate_gc",
    "write_example_gc_files",
]

#: Value of :attr:`Result.analysis` for :func:`quantify_gc` and :func:`co_isotope_ratio`.
ANALYSIS_NAME = "catalysis.gc"
ISOTOPE_ANALYSIS_NAME = "catalysis.isotope"

#: Fewest distinct standard levels of a calibration curve.
MIN_STANDARDS = 3
#: Below this R^2 the calibration is reported as not linear.
R2_WARN = 0.99
#: Reference temperature of the Henry's-law constants, K.
T_REF_K = 298.15

#: 13C/12C of VPDB, the natural-abundance reference, and 17O/16O of VSMOW (12C17O adds this
#: much of the m/z 28 signal to m/z 29), as recommended by W. A. Brand, S. S. Assonov,
#: T. B. Coplen, Pure Appl. Chem. 82, 1719 (2010), doi:10.1351/PAC-REP-09-01-05.
NATURAL_RATIO_13C_12C = 0.011180
NATURAL_RATIO_17O_16O = 0.0003799
#: m/z 29 / m/z 28 of atmospheric N2: 2 x 15N/14N with 15N/14N = 0.0036765 for air N2 (the
#: 15N reference; A. Junk, H. J. Svec, Geochim. Cosmochim. Acta 14, 234 (1958)).
N2_RATIO_M29_M28 = 2 * 0.0036765


@dataclass(frozen=True)
class HenryConstant:
    """Henry's-law solubility H^cp at 298.15 K (mol m-3 Pa-1) and B = d ln H / d(1/T) (K)."""

    h_298_mol_m3_Pa: float
    dlnH_dinvT_K: float
    source: str


_SANDER = "R. Sander, Atmos. Chem. Phys. 15, 4399 (2015), doi:10.5194/acp-15-4399-2015"

#: Henry's-law solubility constants in water (Sander 2015 compilation; original evaluation in
#: brackets). CO: 9.7e-6 mol m-3 Pa-1, 1300 K; H2: 7.8e-6, 530 K; CH4: 1.4e-5, 1600 K;
#: CO2: 3.3e-4, 2400 K; O2: 1.3e-5, 1500 K.
HENRY_CONSTANTS: Mapping[str, HenryConstant] = {
    "CO": HenryConstant(
        9.7e-6,
        1300.0,
        _SANDER + " [Fernandez-Prini et al., J. Phys. Chem. Ref. Data 32, 903 "
        "(2003); Sander et al., JPL Publication 10-6 (2011)]",
    ),
    "H2": HenryConstant(
        7.8e-6,
        530.0,
        _SANDER + " [Fernandez-Prini et al., J. Phys. Chem. Ref. Data 32, 903 (2003)]",
    ),
    "CH4": HenryConstant(1.4e-5, 1600.0, _SANDER + " [Sander et al., JPL Publication 10-6 (2011)]"),
    "CO2": HenryConstant(3.3e-4, 2400.0, _SANDER + " [Sander et al., JPL Publication 10-6 (2011)]"),
    "O2": HenryConstant(1.3e-5, 1500.0, _SANDER + " [Sander et al., JPL Publication 10-6 (2011)]"),
}

_TIME = "time_h"
_RUN = "run"
_PRODUCT = "product"
_AREA = "area"
_NAME = r"[A-Za-z][A-Za-z0-9]*"
_AREA_RE = re.compile(rf"^(?P<product>{_NAME})_area$")
_LEVEL_RE = re.compile(rf"^(?P<product>{_NAME})_(?P<unit>ppm|pct)$")
_TO_PPM = {"ppm": 1.0, "pct": 1.0e4}


# ----------------------------------------------------------------------------------------------
# Henry's law
# ----------------------------------------------------------------------------------------------


def henry_constant_mol_m3_Pa(gas: str, temperature_K: float = T_REF_K) -> float:
    """Henry's-law solubility H^cp of ``gas`` in water at ``temperature_K``, mol m-3 Pa-1.

    H(T) = H(298.15 K) exp[B (1/T - 1/298.15 K)] with the constants of
    :data:`HENRY_CONSTANTS` (Sander 2015, doi:10.5194/acp-15-4399-2015).
    """
    if gas not in HENRY_CONSTANTS:
        raise InputError(
            f"no Henry's-law constant for {gas!r}",
            field="gas",
            expected=f"one of {list(HENRY_CONSTANTS)}",
            found=gas,
        )
    t = _positive(temperature_K, "temperature_K", "K")
    c = HENRY_CONSTANTS[gas]
    return c.h_298_mol_m3_Pa * math.exp(c.dlnH_dinvT_K * (1.0 / t - 1.0 / T_REF_K))


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def _positive(value: Any, field: str, unit: str, *, file: str | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError("not a number", file=file, field=field, found=value) from None
    if not (math.isfinite(x) and x > 0):
        raise InputError(
            "must be a positive number", file=file, field=field, expected=f"> 0 {unit}", found=value
        )
    return x


def _file_of(frame: pd.DataFrame) -> str | None:
    src = frame.attrs.get("source_file")
    return None if src is None else str(src)


def _numeric(frame: pd.DataFrame, column: str, file: str | None) -> NDArray[np.float64]:
    try:
        return frame[column].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise InputError("column is not numeric", file=file, field=column) from None


def _row_label(frame: pd.DataFrame, i: int) -> str:
    label = frame.index[i]
    return f"line {label}" if frame.index.name == "line" else f"row {label!r}"


def load_gc_table(path: str | Path) -> pd.DataFrame:
    """Read a GC standards or samples table (:func:`qdcat.io.read_frame`), noting its file."""
    from qdcat.io import read_frame

    frame = read_frame(path)
    frame.attrs["source_file"] = str(path)
    return frame


# ----------------------------------------------------------------------------------------------
# Calibration
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Straight-line GC calibration ``area = slope x ppm + intercept`` of one product."""

    product: str
    slope_area_ppm: float
    intercept_area: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    """Covariance of (slope, intercept)."""
    residual_sd_area: float
    """s = sqrt(sum r^2 / (n - 2)): scatter of one injection about the line."""
    r2: float
    ppm: tuple[float, ...]
    area: tuple[float, ...]
    source_file: str | None = None

    @property
    def n_points(self) -> int:
        return len(self.ppm)

    @property
    def n_levels(self) -> int:
        return len(set(self.ppm))

    @property
    def slope_stderr(self) -> float:
        return math.sqrt(self.covariance[0][0])

    @property
    def intercept_stderr(self) -> float:
        return math.sqrt(self.covariance[1][1])

    @property
    def residuals_area(self) -> NDArray[np.float64]:
        x, y = np.array(self.ppm), np.array(self.area)
        return y - (self.slope_area_ppm * x + self.intercept_area)

    @property
    def area_range(self) -> tuple[float, float]:
        return float(min(self.area)), float(max(self.area))

    @property
    def ppm_range(self) -> tuple[float, float]:
        return float(min(self.ppm)), float(max(self.ppm))

    def mole_fraction_ppm(
        self, area: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Inverse prediction: (ppm, d ppm / d(slope, intercept) rows, repeatability sd).

        Returns the mole fractions, the Jacobian of each with respect to (slope, intercept)
        (shape ``(n, 2)``) and the per-injection repeatability standard deviation s / slope.
        """
        a = np.atleast_1d(np.asarray(area, dtype=float))
        m, b = self.slope_area_ppm, self.intercept_area
        x = (a - b) / m
        jac = np.column_stack([-(a - b) / m**2, np.full(a.shape, -1.0 / m)])
        rep = np.full(a.shape, self.residual_sd_area / abs(m))
        return x, jac, rep

    def predict_ppm(self, area: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Mole fractions (ppm) and their standard errors for single injections of ``area``."""
        x, jac, rep = self.mole_fraction_ppm(area)
        cov = np.array(self.covariance)
        var = np.einsum("ij,jk,ik->i", jac, cov, jac) + rep**2
        return x, np.sqrt(var)

    def quantities(self) -> dict[str, Quantity]:
        p = self.product
        return {
            f"{p}_cal_slope_area_ppm": Quantity(
                self.slope_area_ppm, self.slope_stderr, "area ppm-1", f"{p} calibration slope"
            ),
            f"{p}_cal_intercept_area": Quantity(
                self.intercept_area, self.intercept_stderr, "area", f"{p} calibration intercept"
            ),
            f"{p}_cal_r2": Quantity(self.r2, None, "", f"{p} calibration R^2"),
            f"{p}_cal_residual_sd_area": Quantity(
                self.residual_sd_area, None, "area", f"{p} scatter of the standards about the line"
            ),
            f"{p}_cal_n_standards": Quantity(
                self.n_points, None, "", f"{p} standard injections ({self.n_levels} levels)"
            ),
        }

    def describe(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "slope_area_ppm": self.slope_area_ppm,
            "intercept_area": self.intercept_area,
            "r2": self.r2,
            "n_points": self.n_points,
            "n_levels": self.n_levels,
            "ppm_range": list(self.ppm_range),
            "area_range": list(self.area_range),
            "ppm": list(self.ppm),
            "area": list(self.area),
            "residuals_area": self.residuals_area.tolist(),
            "source_file": self.source_file,
        }


def fit_calibration(
    ppm: ArrayLike, area: ArrayLike, *, product: str, file: str | None = None
) -> Calibration:
    """Least-squares line ``area = slope x ppm + intercept`` through the standards.

    Needs at least :data:`MIN_STANDARDS` distinct levels (:class:`InputError` naming the
    product and file otherwise); a slope that is not positive raises :class:`FitError`.
    """
    x = np.asarray(ppm, dtype=float).ravel()
    y = np.asarray(area, dtype=float).ravel()
    if x.shape != y.shape:
        raise InputError(
            "as many areas as mole fractions needed",
            file=file,
            field=product,
            found=(x.size, y.size),
        )
    for arr, what in ((x, "mole fraction"), (y, "area")):
        if not np.all(np.isfinite(arr)):
            raise InputError(f"non-finite {what} in the standards", file=file, field=product)
    if np.any(x < 0):
        raise InputError(
            "negative mole fraction in the standards", file=file, field=product, expected=">= 0"
        )
    levels = np.unique(x)
    if levels.size < MIN_STANDARDS:
        raise InputError(
            f"calibration of {product} needs at least {MIN_STANDARDS} standards at different "
            f"mole fractions, found {levels.size} level(s) ({x.size} injection(s))",
            file=file,
            field=product,
            expected=f">= {MIN_STANDARDS} distinct standard levels",
            found=levels.tolist(),
        )
    n = x.size
    design = np.column_stack([x, np.ones(n)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    slope, intercept = float(coef[0]), float(coef[1])
    resid = y - design @ coef
    dof = n - 2
    s2 = float(resid @ resid) / dof
    cov = s2 * np.linalg.inv(design.T @ design)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(resid @ resid) / ss_tot if ss_tot > 0 else math.nan
    if not slope > 0:
        raise FitError(
            f"{product} calibration slope is not positive ({slope:.4g} area ppm-1)"
            + (f" in {file}" if file else "")
            + ": peak area must grow with the mole fraction"
        )
    return Calibration(
        product=product,
        slope_area_ppm=slope,
        intercept_area=intercept,
        covariance=((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        residual_sd_area=math.sqrt(s2),
        r2=r2,
        ppm=tuple(float(v) for v in x),
        area=tuple(float(v) for v in y),
        source_file=file,
    )


def _standards_long(frame: pd.DataFrame, file: str | None) -> dict[str, tuple[list, list]]:
    columns = [str(c) for c in frame.columns]
    units = [u for u in _TO_PPM if u in columns]
    if len(units) != 1 or _AREA not in columns:
        raise InputError(
            "standards table in long form needs 'product', 'area' and one of 'ppm' or 'pct'",
            file=file,
            field="standards",
            found=columns,
        )
    factor = _TO_PPM[units[0]]
    level = _numeric(frame, units[0], file) * factor
    area = _numeric(frame, _AREA, file)
    out: dict[str, tuple[list, list]] = {}
    for i, product in enumerate(frame[_PRODUCT].astype(str)):
        if math.isnan(level[i]) or math.isnan(area[i]):
            continue
        out.setdefault(product.strip(), ([], []))
        out[product.strip()][0].append(level[i])
        out[product.strip()][1].append(area[i])
    return out


def _standards_wide(frame: pd.DataFrame, file: str | None) -> dict[str, tuple[list, list]]:
    columns = [str(c) for c in frame.columns]
    areas = {m["product"]: c for c in columns if (m := _AREA_RE.match(c))}
    levels: dict[str, tuple[str, str]] = {}
    for c in columns:
        m = _LEVEL_RE.match(c)
        if m is None:
            continue
        if m["product"] in levels:
            raise InputError(
                f"two mole-fraction columns for {m['product']}",
                file=file,
                field=c,
                expected=f"one of {m['product']}_ppm or {m['product']}_pct",
            )
        levels[m["product"]] = (c, m["unit"])
    if not areas:
        raise InputError(
            "no peak-area columns in the standards",
            file=file,
            field="<P>_area",
            expected="columns '<P>_ppm' (or '<P>_pct') and '<P>_area' per product, e.g. CO_ppm, "
            "CO_area",
            found=columns,
        )
    out: dict[str, tuple[list, list]] = {}
    for product, area_col in areas.items():
        if product not in levels:
            raise InputError(
                f"peak areas of {product} without its mole fractions",
                file=file,
                field=area_col,
                expected=f"a column {product}_ppm or {product}_pct",
                found=columns,
            )
        level_col, unit = levels[product]
        x = _numeric(frame, level_col, file) * _TO_PPM[unit]
        y = _numeric(frame, area_col, file)
        both = np.isfinite(x) & np.isfinite(y)
        one = np.isfinite(x) ^ np.isfinite(y)
        if one.any():
            i = int(np.flatnonzero(one)[0])
            raise InputError(
                f"{_row_label(frame, i)}: a mole fraction without an area or vice versa",
                file=file,
                field=area_col if np.isfinite(x[i]) else level_col,
                expected="both cells filled, or both empty (nan) when a standard lacks the gas",
            )
        out[product] = (x[both].tolist(), y[both].tolist())
    return out


def calibrate_gc(
    standards: pd.DataFrame, *, products: Sequence[str] | None = None
) -> dict[str, Calibration]:
    """Calibration curves of every product in a standards table.

    Wide form (what :func:`load_gc_table` reads from a CSV): one row per standard injection,
    columns ``<P>_ppm`` (or ``<P>_pct``) and ``<P>_area`` per product, ``nan`` where a
    standard lacks the gas. Long form: columns ``product``, ``ppm`` (or ``pct``), ``area``.
    ``products`` limits the curves fitted (all by default).
    """
    if not isinstance(standards, pd.DataFrame):
        raise InputError(
            "expected a pandas DataFrame", field="standards", found=type(standards).__name__
        )
    file = _file_of(standards)
    if _PRODUCT in [str(c) for c in standards.columns]:
        data = _standards_long(standards, file)
    else:
        data = _standards_wide(standards, file)
    chosen = list(data) if products is None else list(dict.fromkeys(products))
    out = {}
    for product in chosen:
        if product not in data:
            raise _missing_calibration(product, file, list(data), None)
        x, y = data[product]
        out[product] = fit_calibration(x, y, product=product, file=file)
    return out


def _missing_calibration(
    product: str, standards_file: str | None, available: list[str], samples_file: str | None
) -> InputError:
    where = f" (measured in {samples_file})" if samples_file else ""
    return InputError(
        f"no calibration for product {product!r}{where}",
        file=standards_file,
        field=product,
        expected=f"standards with columns {product}_ppm and {product}_area; calibrated: "
        f"{available}",
        found=None,
    )


# ----------------------------------------------------------------------------------------------
# Reactor and quantification
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reactor:
    """Gas phase of a batch photoreactor, as needed to turn mole fractions into umol.

    ``headspace_mL``: gas volume; ``temperature_K``, ``pressure_kPa``: of the headspace (at
    the first injection for a closed reactor); ``injection_uL``: gas withdrawn per GC
    injection (``None``: no correction for withdrawn gas); ``headspace``: ``'closed'``
    (pressure falls with each injection) or ``'refilled'`` (restored to ``pressure_kPa``);
    ``liquid_mL`` and ``dissolved``: add the gas dissolved in the liquid (Henry's law).
    """

    headspace_mL: float
    temperature_K: float = T_REF_K
    pressure_kPa: float = 101.325
    injection_uL: float | None = None
    headspace: str = "closed"
    liquid_mL: float | None = None
    dissolved: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "headspace_mL", _positive(self.headspace_mL, "headspace_mL", "mL"))
        object.__setattr__(
            self, "temperature_K", _positive(self.temperature_K, "temperature_K", "K")
        )
        object.__setattr__(
            self, "pressure_kPa", _positive(self.pressure_kPa, "pressure_kPa", "kPa")
        )
        if self.injection_uL is not None:
            v = _positive(self.injection_uL, "injection_uL", "uL")
            if v * 1e-3 >= self.headspace_mL:
                raise InputError(
                    "an injection cannot take the whole headspace",
                    field="injection_uL",
                    expected=f"< {self.headspace_mL * 1e3:g} uL (the headspace)",
                    found=self.injection_uL,
                )
            object.__setattr__(self, "injection_uL", v)
        if self.headspace not in ("closed", "refilled"):
            raise InputError(
                "unknown headspace handling",
                field="headspace",
                expected="'closed' (pressure falls with each injection) or 'refilled'",
                found=self.headspace,
            )
        if self.liquid_mL is not None:
            object.__setattr__(self, "liquid_mL", _positive(self.liquid_mL, "liquid_mL", "mL"))
        if self.dissolved and self.liquid_mL is None:
            raise InputError(
                "dissolved gas needs the liquid volume",
                field="liquid_mL",
                expected="liquid_mL > 0 with dissolved=True",
            )

    @property
    def withdrawn_fraction(self) -> float:
        """f = V_inj / V_headspace (0 without ``injection_uL``)."""
        return 0.0 if self.injection_uL is None else self.injection_uL * 1e-3 / self.headspace_mL

    def pressures_Pa(self, n_injections: int) -> NDArray[np.float64]:
        """Headspace pressure at each of ``n_injections`` successive injections, Pa."""
        k = np.arange(n_injections, dtype=float)
        p = self.pressure_kPa * 1e3
        if self.headspace == "refilled":
            return np.full(n_injections, p)
        return p * (1.0 - self.withdrawn_fraction) ** k

    def describe(self) -> dict[str, Any]:
        return {
            "headspace_mL": self.headspace_mL,
            "temperature_K": self.temperature_K,
            "pressure_kPa": self.pressure_kPa,
            "injection_uL": self.injection_uL,
            "withdrawn_fraction_per_injection": self.withdrawn_fraction,
            "headspace": self.headspace,
            "liquid_mL": self.liquid_mL,
            "dissolved": self.dissolved,
        }


@dataclass
class _Injections:
    """Sample injections in run/time order with the area of every product."""

    run: list[Any]
    time_h: NDArray[np.float64]
    areas: dict[str, NDArray[np.float64]]
    rows: list[str]
    format: str
    has_run: bool


def _run_label(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_samples(samples: pd.DataFrame, file: str | None) -> _Injections:
    if not isinstance(samples, pd.DataFrame):
        raise InputError(
            "expected a pandas DataFrame", field="samples", found=type(samples).__name__
        )
    columns = [str(c) for c in samples.columns]
    if _TIME not in columns:
        raise InputError(
            "missing column",
            file=file,
            field=_TIME,
            expected="a column 'time_h' with the time of each injection in hours",
            found=columns,
        )
    has_run = _RUN in columns
    if _PRODUCT in columns:
        if _AREA not in columns:
            raise InputError(
                "long GC table needs an 'area' column", file=file, field=_AREA, found=columns
            )
        keys = [_RUN, _TIME] if has_run else [_TIME]
        frame = samples.copy()
        frame[_PRODUCT] = frame[_PRODUCT].astype(str).str.strip()
        dup = frame.duplicated([*keys, _PRODUCT])
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise InputError(
                f"{_row_label(samples, i)}: the same product twice at one injection",
                file=file,
                field=_PRODUCT,
                found=frame[_PRODUCT].iloc[i],
            )
        wide = frame.pivot(index=keys, columns=_PRODUCT, values=_AREA).reset_index()
        wide.columns = [str(c) if c in keys else f"{c}_area" for c in wide.columns]
        wide.attrs = dict(samples.attrs)
        injections = _read_samples(wide, file)
        injections.format = "long (columns 'product', 'area')"
        return injections
    area_cols = {m["product"]: c for c in columns if (m := _AREA_RE.match(c))}
    if not area_cols:
        raise InputError(
            "no peak-area columns",
            file=file,
            field="<P>_area",
            expected="columns such as 'CO_area', 'H2_area' (or long form: product, area)",
            found=columns,
        )
    t = _numeric(samples, _TIME, file)
    runs = [_run_label(v) for v in samples[_RUN]] if has_run else [1] * len(samples)
    for i, (r, ti) in enumerate(zip(runs, t, strict=True)):
        if not math.isfinite(ti) or ti < 0:
            raise InputError(
                f"{_row_label(samples, i)}: time must be finite and >= 0",
                file=file,
                field=_TIME,
                found=float(ti),
            )
        if isinstance(r, float) and math.isnan(r):
            raise InputError(f"{_row_label(samples, i)}: empty run label", file=file, field=_RUN)
    run_rank = {r: k for k, r in enumerate(dict.fromkeys(runs))}
    order = sorted(range(len(runs)), key=lambda i: (run_rank[runs[i]], t[i]))
    for a, b in itertools.pairwise(order):
        if runs[a] == runs[b] and t[a] == t[b]:
            raise InputError(
                f"{_row_label(samples, b)}: two injections of run {runs[b]} at {t[b]:g} h",
                file=file,
                field=_TIME,
                expected="one row per injection (distinct times within a run)",
                found=float(t[b]),
            )
    areas = {}
    for product, column in area_cols.items():
        values = _numeric(samples, column, file)[order]
        bad = np.isinf(values) | (values < 0)
        if bad.any():
            i = order[int(np.flatnonzero(bad)[0])]
            raise InputError(
                f"{_row_label(samples, i)}: peak area must be finite and >= 0",
                file=file,
                field=column,
                found=float(_numeric(samples, column, file)[i]),
            )
        areas[product] = values
    return _Injections(
        run=[runs[i] for i in order],
        time_h=t[order],
        areas=areas,
        rows=[_row_label(samples, i) for i in order],
        format="wide (columns '<P>_area')",
        has_run=has_run,
    )


def quantify_gc(
    samples: pd.DataFrame,
    calibrations: Mapping[str, Calibration],
    reactor: Reactor,
) -> Result:
    """Cumulative umol produced at every GC injection, with propagated standard errors.

    ``samples``: wide (``time_h``, ``<P>_area`` per product, optional ``run``) or long
    (``time_h``, ``product``, ``area``, optional ``run``); one injection per run and time.
    ``calibrations`` from :func:`calibrate_gc`; every product with areas needs one
    (:class:`InputError` naming the product and the standards file otherwise).

    Quantities (arrays over injections, in the order of ``metadata['run']`` and
    ``metadata['time_h']``), for every product P: ``P_ppm`` (headspace mole fraction),
    ``P_headspace_umol`` (gas phase now), ``P_dissolved_umol`` (with ``reactor.dissolved``),
    ``P_withdrawn_umol`` (taken out by earlier injections, with ``reactor.injection_uL``) and
    ``P_umol`` (cumulative amount produced, their sum; this is what :func:`gc_to_yields`
    passes on); plus the calibration of P (``P_cal_slope_area_ppm``, ``P_cal_intercept_area``,
    ``P_cal_r2``, ``P_cal_residual_sd_area``, ``P_cal_n_standards``).
    """
    if not isinstance(reactor, Reactor):
        raise InputError("expected a Reactor", field="reactor", found=type(reactor).__name__)
    file = _file_of(samples) if isinstance(samples, pd.DataFrame) else None
    inj = _read_samples(samples, file)
    for product in inj.areas:
        if product not in calibrations:
            std_file = next((c.source_file for c in calibrations.values()), None)
            raise _missing_calibration(product, std_file, list(calibrations), file)
        if reactor.dissolved and product not in HENRY_CONSTANTS:
            raise InputError(
                f"no Henry's-law constant for {product!r}: cannot add its dissolved amount",
                file=file,
                field="dissolved",
                expected=f"products among {list(HENRY_CONSTANTS)}, or dissolved=False",
                found=product,
            )
    warnings: list[str] = []
    quantities: dict[str, Quantity] = {}
    curves: dict[str, Any] = {"time_h": inj.time_h, "run": np.array(inj.run, dtype=object)}
    runs = np.array(inj.run, dtype=object)
    run_order = list(dict.fromkeys(inj.run))
    r_gas = GAS_CONSTANT_J_mol_K * reactor.temperature_K
    v_gas = reactor.headspace_mL * 1e-6  # m3
    f = reactor.withdrawn_fraction

    for product, areas in inj.areas.items():
        cal = calibrations[product]
        quantities.update(cal.quantities())
        if not math.isnan(cal.r2) and cal.r2 < R2_WARN:
            warnings.append(
                f"{product}: calibration R^2 = {cal.r2:.4f} < {R2_WARN}: check linearity"
            )
        x_ppm, jac, rep = cal.mole_fraction_ppm(areas)
        measured = np.isfinite(areas)
        lo, hi = cal.ppm_range
        # below a zero-level standard is "none detected" (the negative-fraction warning)
        outside = measured & ((x_ppm > hi) | ((x_ppm < lo) & (lo > 0)))
        if outside.any():
            where = [
                f"{inj.time_h[i]:g} h" + (f" (run {inj.run[i]})" if len(run_order) > 1 else "")
                for i in np.flatnonzero(outside)
            ]
            warnings.append(
                f"{product}: {int(outside.sum())} sample(s) outside the calibrated range "
                f"{lo:g}-{hi:g} ppm (standard areas {cal.area_range[0]:.4g}-"
                f"{cal.area_range[1]:.4g}), extrapolated: {', '.join(where)}"
            )
        negative = measured & (x_ppm < 0)
        if negative.any():
            warnings.append(
                f"{product}: {int(negative.sum())} area(s) below the calibration intercept give "
                "a negative mole fraction (consistent with none detected)"
            )
        n = areas.size
        gas = np.full(n, math.nan)
        liq = np.zeros(n)
        removed = np.zeros(n)
        total = np.full(n, math.nan)
        total_se = np.full(n, math.nan)
        x_se = np.full(n, math.nan)
        cov_cal = np.array(cal.covariance)
        for run in run_order:
            idx = np.flatnonzero(runs == run)
            a = areas[idx]
            missing = ~np.isfinite(a)
            if missing.any() and f > 0:
                i = idx[int(np.flatnonzero(missing)[0])]
                raise InputError(
                    f"{inj.rows[i]}: no {product} area at {inj.time_h[i]:g} h; the withdrawn-gas "
                    "correction needs every injection (write 0 for a peak below detection)",
                    file=file,
                    field=f"{product}_area",
                )
            p_k = reactor.pressures_Pa(idx.size)
            g = p_k * v_gas / r_gas * 1e6 * 1e-6  # umol per ppm
            d = np.zeros(idx.size)
            if reactor.dissolved and reactor.liquid_mL is not None:
                h = henry_constant_mol_m3_Pa(product, reactor.temperature_K)
                d = h * p_k * reactor.liquid_mL * 1e-6 * 1e6 * 1e-6  # umol per ppm
            # N = M x: the cumulative amounts are a linear map of the run's mole fractions.
            m_map = np.diag(g + d) + np.tril(np.ones((idx.size, idx.size)), -1) * (f * g)[None, :]
            xs = np.where(missing, 0.0, x_ppm[idx])
            jx = jac[idx]
            cov_x = jx @ cov_cal @ jx.T + np.diag(rep[idx] ** 2)
            n_cum = m_map @ xs
            cov_n = m_map @ cov_x @ m_map.T
            gas[idx] = g * x_ppm[idx]
            liq[idx] = d * x_ppm[idx]
            removed[idx] = n_cum - (g + d) * xs
            total[idx] = np.where(missing, math.nan, n_cum)
            total_se[idx] = np.where(missing, math.nan, np.sqrt(np.diag(cov_n)))
            x_se[idx] = np.where(missing, math.nan, np.sqrt(np.diag(cov_x)))
        quantities[f"{product}_ppm"] = Quantity(
            x_ppm, x_se, "ppm", f"{product} mole fraction in the headspace"
        )
        quantities[f"{product}_headspace_umol"] = Quantity(
            gas, None, "umol", f"{product} in the headspace gas at the injection"
        )
        if reactor.dissolved:
            quantities[f"{product}_dissolved_umol"] = Quantity(
                liq, None, "umol", f"{product} dissolved in the liquid (Henry's law)"
            )
        if f > 0:
            quantities[f"{product}_withdrawn_umol"] = Quantity(
                removed, None, "umol", f"{product} removed by the earlier injections"
            )
        quantities[f"{product}_umol"] = Quantity(
            total, total_se, "umol", f"{product} cumulative amount produced"
        )
        curves[f"{product}_area"] = areas
        curves[f"{product}_outside_range"] = outside
    metadata: dict[str, Any] = {
        "source_file": file,
        "standards_file": next((c.source_file for c in calibrations.values()), None),
        "data_format": inj.format,
        "products": list(inj.areas),
        "time_h": inj.time_h,
        "run": list(inj.run),
        "has_run_column": inj.has_run,
        "reactor": reactor.describe(),
        "calibrations": {p: calibrations[p].describe() for p in inj.areas},
        "calibration_model": "area = slope x ppm + intercept (ordinary least squares)",
        "amount_model": (
            "N_k = n_gas,k + n_liq,k + f sum_{j<k} n_gas,j; n_gas = x P_k V / (R T); "
            "n_liq = H(T) x P_k V_liq; f = V_inj / V; P_k = P (1 - f)^k (closed) or P "
            "(refilled)"
        ),
        "uncertainty": (
            "calibration (slope, intercept covariance) and repeatability of each injection "
            "(residual scatter of the standards), propagated linearly to every amount; "
            "volumes, temperature and pressure exact"
        ),
    }
    if reactor.dissolved:
        metadata["henry_constants"] = {
            p: {
                "h_298_mol_m3_Pa": HENRY_CONSTANTS[p].h_298_mol_m3_Pa,
                "dlnH_dinvT_K": HENRY_CONSTANTS[p].dlnH_dinvT_K,
                "h_at_T_mol_m3_Pa": henry_constant_mol_m3_Pa(p, reactor.temperature_K),
                "source": HENRY_CONSTANTS[p].source,
            }
            for p in inj.areas
        }
    if f == 0:
        metadata["withdrawn_gas"] = "not corrected (no injection volume given)"
    return Result(
        analysis=ANALYSIS_NAME,
        quantities=quantities,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


def gc_to_yields(
    samples: pd.DataFrame | Result,
    calibrations: Mapping[str, Calibration] | None = None,
    reactor: Reactor | None = None,
) -> pd.DataFrame:
    """The cumulative-amount frame :func:`qdcat.catalysis.analyse_yields` reads, from GC areas.

    ``samples`` is a GC table (see :func:`quantify_gc`) quantified with ``calibrations`` and
    ``reactor``, or a :func:`quantify_gc` result. Returns columns ``run`` (when the table has
    runs), ``time_h``, ``<P>_umol`` and ``<P>_stderr_umol`` (calibration uncertainty; ignored
    by ``analyse_yields``) for the products of
    :data:`~qdcat.catalysis.yields.ELECTRONS_PER_PRODUCT`. Gases that are not products (O2,
    N2, CO2) are left out, and negative amounts (areas below the calibration intercept) are
    set to 0; both are listed in ``attrs['gc_warnings']``. ``attrs`` also holds
    ``source_file`` and the :func:`quantify_gc` metadata (``gc``).
    """
    if isinstance(samples, Result):
        result = samples
        if result.analysis != ANALYSIS_NAME:
            raise InputError(
                "expected a quantify_gc result", field="samples", found=result.analysis
            )
    else:
        if calibrations is None or reactor is None:
            raise InputError(
                "a GC table needs its calibrations and the reactor",
                field="calibrations" if calibrations is None else "reactor",
            )
        result = quantify_gc(samples, calibrations, reactor)
    meta = result.metadata
    notes = list(result.warnings)
    columns: dict[str, Any] = {}
    if meta.get("has_run_column"):
        columns[_RUN] = list(meta["run"])
    columns[_TIME] = np.asarray(meta["time_h"], dtype=float)
    for product in meta["products"]:
        if product not in ELECTRONS_PER_PRODUCT:
            notes.append(f"{product}: not a reduction product, left out of the yields")
            continue
        q = result.quantities[f"{product}_umol"]
        values = np.asarray(q.value, dtype=float).copy()
        neg = values < 0
        if neg.any():
            notes.append(
                f"{product}: {int(neg.sum())} negative amount(s) set to 0 (area below the "
                "calibration intercept)"
            )
            values[neg] = 0.0
        columns[f"{product}_umol"] = values
        columns[f"{product}_stderr_umol"] = np.asarray(q.stderr, dtype=float)
    frame = pd.DataFrame(columns)
    frame.attrs = {
        "source_file": meta.get("source_file"),
        "gc": dict(meta),
        "gc_warnings": notes,
    }
    return frame


# ----------------------------------------------------------------------------------------------
# Simulation (tests, demo)
# ----------------------------------------------------------------------------------------------


def simulate_gc(
    cumulative_umol: pd.DataFrame,
    reactor: Reactor,
    *,
    slope_area_ppm: Mapping[str, float],
    intercept_area: Mapping[str, float] | None = None,
    standards_ppm: Sequence[float] = (0.0, 50.0, 200.0, 500.0, 1000.0, 2000.0),
    area_noise_sd: Mapping[str, float] | float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GC standards and sample areas that reproduce known cumulative amounts.

    ``cumulative_umol``: a yields frame (``time_h``, ``<P>_umol``, optional ``run``) with the
    true amounts produced at each injection. For every run the mole fractions follow from
    inverting the model of :func:`quantify_gc` (the lower-triangular system N = M x); areas are
    ``slope x ppm + intercept`` plus Gaussian noise of ``area_noise_sd`` (per product or one
    value), clipped at 0 as a GC integrator reports no peak. Returns ``(standards, samples)``
    in the wide form :func:`calibrate_gc` and :func:`quantify_gc` read.
    """
    generator = np.random.default_rng(rng)
    intercepts = dict(intercept_area or {})
    products = [
        m.group(1) for c in cumulative_umol.columns if (m := re.match(rf"^({_NAME})_umol$", str(c)))
    ]
    if not products:
        raise InputError("no '<P>_umol' columns", field="cumulative_umol")

    def noise(product: str, size: int) -> NDArray[np.float64]:
        sd = (
            area_noise_sd
            if not isinstance(area_noise_sd, Mapping)
            else area_noise_sd.get(product, 0.0)
        )
        return generator.normal(0.0, float(sd), size) if sd else np.zeros(size)

    levels = np.asarray(standards_ppm, dtype=float)
    std_cols: dict[str, Any] = {}
    for p in products:
        if p not in slope_area_ppm:
            raise InputError(
                f"no slope for {p}", field="slope_area_ppm", found=list(slope_area_ppm)
            )
        std_cols[f"{p}_ppm"] = levels
        std_cols[f"{p}_area"] = np.clip(
            slope_area_ppm[p] * levels + intercepts.get(p, 0.0) + noise(p, levels.size), 0.0, None
        )
    standards = pd.DataFrame(std_cols)

    has_run = _RUN in cumulative_umol.columns
    frame = cumulative_umol.reset_index(drop=True)
    run_values = frame[_RUN].tolist() if has_run else [1] * len(frame)
    t = frame[_TIME].to_numpy(dtype=float)
    out: dict[str, Any] = {}
    if has_run:
        out[_RUN] = run_values
    out[_TIME] = t
    r_gas = GAS_CONSTANT_J_mol_K * reactor.temperature_K
    v_gas = reactor.headspace_mL * 1e-6
    f = reactor.withdrawn_fraction
    for p in products:
        n_true = frame[f"{p}_umol"].to_numpy(dtype=float)
        x = np.full(n_true.size, math.nan)
        for run in dict.fromkeys(run_values):
            idx = np.array([i for i, r in enumerate(run_values) if r == run])
            idx = idx[np.argsort(t[idx])]
            p_k = reactor.pressures_Pa(idx.size)
            g = p_k * v_gas / r_gas
            d = np.zeros(idx.size)
            if reactor.dissolved and reactor.liquid_mL is not None:
                d = (
                    henry_constant_mol_m3_Pa(p, reactor.temperature_K)
                    * p_k
                    * reactor.liquid_mL
                    * 1e-6
                )
            m_map = np.diag(g + d) + np.tril(np.ones((idx.size, idx.size)), -1) * (f * g)[None, :]
            x[idx] = np.linalg.solve(m_map, n_true[idx])
        out[f"{p}_area"] = np.clip(
            slope_area_ppm[p] * x + intercepts.get(p, 0.0) + noise(p, x.size), 0.0, None
        )
    samples = pd.DataFrame(out)
    samples.attrs["truth_umol"] = {p: frame[f"{p}_umol"].to_numpy(dtype=float) for p in products}
    return standards, samples


#: Reactor assumed for the example GC data: the paper states 5 mL of CO2-saturated water; the
#: 15 mL headspace, 0.5 mL injections and the closed reactor are assumptions of the demo.
EXAMPLE_REACTOR = Reactor(
    headspace_mL=15.0,
    temperature_K=298.15,
    pressure_kPa=101.325,
    injection_uL=500.0,
    headspace="closed",
    liquid_mL=5.0,
    dissolved=True,
)
#: Calibration of the example GC (area per ppm; a TCD for H2, an FID with methaniser for CO and
#: CH4) and the scatter of one injection, in area units. Assumed values of the demo.
EXAMPLE_SLOPES_AREA_PPM: Mapping[str, float] = {"CO": 30.0, "H2": 12.0, "CH4": 45.0}
EXAMPLE_INTERCEPTS_AREA: Mapping[str, float] = {"CO": 120.0, "H2": 0.0, "CH4": 0.0}
EXAMPLE_NOISE_AREA: Mapping[str, float] = {"CO": 300.0, "H2": 40.0, "CH4": 15.0}
#: Standard gas levels of the example (ppm), each injected twice.
EXAMPLE_STANDARDS_PPM = (0.0, 100.0, 1000.0, 5000.0, 10000.0, 20000.0, 30000.0) * 2
EXAMPLE_SAMPLES = ("8/12ZCIS", "4/12ZCIS", "2/12ZCIS", "1/12ZCIS")


def write_example_gc_files(
    folder: str | Path,
    products: Mapping[str, pd.DataFrame] | None = None,
    *,
    rng: int = 2024,
) -> dict[str, dict[str, Path]]:
    """Write simulated GC standards and injections that reproduce product-evolution data.

    ``products`` maps a sample name to its cumulative amounts (``run``, ``time_h``,
    ``<P>_umol``); by default the shipped example files
    ``qdcat/examples/zcis/data/<sample>_products.csv`` of the four ZCIS samples. The areas
    follow :data:`EXAMPLE_REACTOR` and the example calibration (:func:`simulate_gc`), so
    ``gc_to_yields`` on them gives back the amounts within the calibration noise. Writes
    ``gc_standards.csv`` and ``<sample>_gc.csv`` (``/`` replaced by ``-``) into ``folder``
    and returns ``{sample: {"standards": path, "samples": path}}``.
    """
    from qdcat.core.atomic import atomic_write_text

    out = Path(folder)
    if not out.is_dir():
        raise InputError("folder does not exist", file=out, field="folder")
    if products is None:
        from qdcat.examples import example_project

        data = example_project("zcis").parent / "data"
        products = {}
        for name in EXAMPLE_SAMPLES:
            frame = load_gc_table(data / f"{name.replace('/', '-')}_products.csv")
            products[name] = frame.reset_index(drop=True)
    header = (
        "# SIMULATED GC data by qdcat (qdcat.catalysis.gc.write_example_gc_files); not a "
        "measurement.\n# Reactor: 15 mL headspace, 5 mL water, 298.15 K, 101.325 kPa, 500 uL "
        "injections, closed (assumed).\n"
    )
    written: dict[str, dict[str, Path]] = {}
    standards_path = out / "gc_standards.csv"
    standards_text = None
    for k, (name, frame) in enumerate(products.items()):
        std, smp = simulate_gc(
            frame,
            EXAMPLE_REACTOR,
            slope_area_ppm=EXAMPLE_SLOPES_AREA_PPM,
            intercept_area=EXAMPLE_INTERCEPTS_AREA,
            standards_ppm=EXAMPLE_STANDARDS_PPM,
            area_noise_sd=EXAMPLE_NOISE_AREA,
            rng=rng + k,
        )
        if standards_text is None:
            standards_text = header + std.to_csv(index=False, float_format="%.6g")
            atomic_write_text(standards_path, standards_text)
        path = out / f"{name.replace('/', '-')}_gc.csv"
        atomic_write_text(path, header + smp.to_csv(index=False, float_format="%.6g"))
        written[name] = {"standards": standards_path, "samples": path}
    return written


# ----------------------------------------------------------------------------------------------
# 13CO / 12CO
# ----------------------------------------------------------------------------------------------


def co_isotope_ratio(
    area_m29: ArrayLike,
    area_m28: ArrayLike,
    *,
    n2_area_m28: ArrayLike | None = None,
    n2_resolved: bool = False,
    feed_13C_fraction: float | None = None,
    source_file: str | None = None,
) -> Result:
    """13CO/12CO of a labelling experiment from the m/z 29 and m/z 28 areas of the CO peak.

    Model: m/z 28 = 12C16O; m/z 29 = 13C16O + 12C17O (natural 17O, :data:`NATURAL_RATIO_17O_16O`
    of m/z 28); equal ionisation and transmission for the two masses.
    ``ratio_13CO_12CO = A29 / A28 - 17O/16O``; ``fraction_13C = R / (1 + R)``. Several
    injections (arrays) give the mean and its standard error (sd / sqrt n).

    N2 interferes: it adds to m/z 28 and its 14N15N isotopologue to m/z 29 (29/28 =
    :data:`N2_RATIO_M29_M28` = 0.0074 for air N2). ``n2_area_m28`` -- the N2 area at m/z 28
    inside the CO integration window (e.g. from the m/z 14 trace or a blank) -- is subtracted
    from m/z 28, and 0.0074 of it from m/z 29. Without it, and unless ``n2_resolved`` states
    that N2 is separated from CO, a warning says so.

    ``feed_13C_fraction`` (e.g. 0.99 for 99 atom % 13CO2) adds ``label_recovery`` =
    fraction_13C / feed fraction and a verdict in ``metadata['verdict']``.
    """
    a29 = np.atleast_1d(np.asarray(area_m29, dtype=float))
    a28 = np.atleast_1d(np.asarray(area_m28, dtype=float))
    if a29.shape != a28.shape or a29.ndim != 1 or a29.size == 0:
        raise InputError(
            "need as many m/z 29 as m/z 28 areas",
            file=source_file,
            field="m29_area",
            found=(a29.shape, a28.shape),
        )
    for arr, name in ((a29, "m29_area"), (a28, "m28_area")):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise InputError(
                "areas must be finite and >= 0", file=source_file, field=name, found=arr.tolist()
            )
    warnings: list[str] = []
    n2 = None
    if n2_area_m28 is not None:
        n2 = np.broadcast_to(np.asarray(n2_area_m28, dtype=float), a28.shape)
        if not np.all(np.isfinite(n2)) or np.any(n2 < 0):
            raise InputError(
                "N2 areas must be finite and >= 0", file=source_file, field="n2_area_m28"
            )
        a28 = a28 - n2
        a29 = a29 - N2_RATIO_M29_M28 * n2
    if np.any(a28 <= 0):
        i = int(np.flatnonzero(a28 <= 0)[0])
        raise InputError(
            f"injection {i + 1}: no 12CO signal at m/z 28"
            + (" after subtracting N2" if n2 is not None else ""),
            file=source_file,
            field="m28_area",
            expected="m/z 28 area > 0 (> N2 area when it is subtracted)",
            found=float(a28[i]),
        )
    if n2 is None and not n2_resolved:
        warnings.append(
            "m/z 28 also carries N2 (air) and m/z 29 its 14N15N isotopologue (29/28 = "
            f"{N2_RATIO_M29_M28:.4f} for air N2): N2 co-eluting with CO or leaking in inflates "
            "m/z 28 and lowers the apparent 13CO/12CO; check that N2 is resolved from CO or "
            "give its m/z 28 area"
        )
    if np.any(a29 < 0):
        warnings.append("m/z 29 is below the N2 contribution in some injections")
    per = a29 / a28
    r13 = per - NATURAL_RATIO_17O_16O
    frac = r13 / (1.0 + r13)
    n = per.size

    def mean_se(v: NDArray[np.float64]) -> tuple[float, float | None]:
        return float(v.mean()), (float(v.std(ddof=1) / math.sqrt(n)) if n > 1 else None)

    natural = NATURAL_RATIO_13C_12C + NATURAL_RATIO_17O_16O
    quantities = {
        "ratio_m29_m28": Quantity(*mean_se(per), "", "m/z 29 / m/z 28 area ratio of CO"),
        "ratio_13CO_12CO": Quantity(
            *mean_se(r13), "", "13CO/12CO = m29/m28 - 17O/16O (natural 17O)"
        ),
        "fraction_13C": Quantity(*mean_se(frac), "", "13C atom fraction of the CO"),
        "natural_ratio_m29_m28": Quantity(
            natural, None, "", "m/z 29/28 of CO at natural abundance (13C/12C + 17O/16O)"
        ),
    }
    f13 = float(frac.mean())
    verdict: str
    if feed_13C_fraction is not None:
        feed = float(feed_13C_fraction)
        if not (math.isfinite(feed) and 0 < feed <= 1):
            raise InputError(
                "13C fraction of the feed must be in (0, 1]",
                field="feed_13C_fraction",
                found=feed_13C_fraction,
            )
        quantities["label_recovery"] = Quantity(
            *mean_se(frac / feed), "", "13C fraction of CO / 13C fraction of the CO2 feed"
        )
        if f13 >= 0.9 * feed:
            verdict = "labelled: the CO carries the 13C of the CO2 feed (CO comes from CO2)"
        elif f13 <= 3 * NATURAL_RATIO_13C_12C:
            verdict = (
                "natural abundance: the CO does not come from the 13CO2 feed (organic ligands, "
                "the donor or contamination?)"
            )
        else:
            verdict = (
                f"partly labelled ({f13:.0%} 13C vs {feed:.0%} in the feed): part of the CO "
                "comes from an unlabelled carbon source"
            )
            warnings.append(verdict)
    else:
        verdict = "13C-enriched CO" if f13 > 3 * NATURAL_RATIO_13C_12C else "natural-abundance CO"
    return Result(
        analysis=ISOTOPE_ANALYSIS_NAME,
        quantities=quantities,
        warnings=tuple(warnings),
        metadata={
            "source_file": source_file,
            "n_injections": n,
            "verdict": verdict,
            "n2_corrected": n2 is not None,
            "n2_resolved": bool(n2_resolved),
            "model": (
                "m/z 28 = 12C16O; m/z 29 = 13C16O + 12C17O; equal response of both masses; "
                "N2 subtracted as m28 - N2, m29 - 0.00735 N2 when given"
            ),
            "constants": {
                "13C/12C (VPDB)": NATURAL_RATIO_13C_12C,
                "17O/16O (VSMOW)": NATURAL_RATIO_17O_16O,
                "N2 m29/m28 (air)": N2_RATIO_M29_M28,
            },
            "feed_13C_fraction": feed_13C_fraction,
        },
        curves={"ratio_m29_m28": per},
    )


# ----------------------------------------------------------------------------------------------
# Figure
# ----------------------------------------------------------------------------------------------

_COLOURS = {"CO": "#1f5fa8", "H2": "#9aa5b1", "CH4": "#e07b24", "HCOOH": "#3a9a5b"}
_FALLBACK = ["#d1495b", "#2e933c", "#7d55b5", "#00798c"]


def _pretty(product: str) -> str:
    return re.sub(r"(\d+)", r"$_{\1}$", product)


def plot_gc(result: Result, *, figsize: tuple[float, float] | None = None) -> Figure:
    """Calibration lines with standards and samples (top) and cumulative amounts (bottom)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not isinstance(result, Result) or result.analysis != ANALYSIS_NAME:
        raise InputError(
            "expected a quantify_gc result",
            field="result",
            found=getattr(result, "analysis", type(result).__name__),
        )
    products = list(result.metadata["products"])
    n = len(products)
    fig = Figure(figsize=figsize or (max(7.0, 3.4 * n), 7.2), layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, n)
    time_ax = fig.add_subplot(grid[1, :])
    runs = list(result.metadata["run"])
    t = np.asarray(result.metadata["time_h"], dtype=float)
    markers = "osd^v<>"
    for i, product in enumerate(products):
        colour = _COLOURS.get(product, _FALLBACK[i % len(_FALLBACK)])
        cal = result.metadata["calibrations"][product]
        ax = fig.add_subplot(grid[0, i])
        q = result.quantities
        slope = float(q[f"{product}_cal_slope_area_ppm"].value)
        intercept = float(q[f"{product}_cal_intercept_area"].value)
        x_std = np.array(cal["ppm_range"])
        ppm_samples = np.asarray(q[f"{product}_ppm"].value, dtype=float)
        lo = min(0.0, float(np.nanmin(ppm_samples)) if ppm_samples.size else 0.0)
        hi = max(x_std[1], float(np.nanmax(ppm_samples)) if ppm_samples.size else x_std[1])
        xs = np.linspace(lo, hi, 50)
        ax.plot(xs, slope * xs + intercept, "-", color=colour, lw=1.4, label="fit")
        ax.plot(
            np.asarray(cal["ppm"], dtype=float),
            np.asarray(cal["area"], dtype=float),
            "o",
            color=colour,
            ms=5,
            label="standards",
        )
        areas = np.asarray(result.curves[f"{product}_area"], dtype=float)
        ax.plot(ppm_samples, areas, "x", color="black", ms=6, label="samples")
        ax.set_xlabel(f"{_pretty(product)} (ppm)", fontsize=11)
        ax.set_ylabel("Peak area", fontsize=11)
        ax.set_title(f"{_pretty(product)}: R$^2$ = {cal['r2']:.4f}", loc="left", fontsize=11)
        ax.legend(frameon=False, fontsize=8.5)
        ax.tick_params(labelsize=9.5)
        amounts = result.quantities[f"{product}_umol"]
        value = np.asarray(amounts.value, dtype=float)
        err = np.asarray(amounts.stderr, dtype=float)
        for k, run in enumerate(dict.fromkeys(runs)):
            sel = np.array([r == run for r in runs])
            label = _pretty(product) + (f" run {run}" if len(set(runs)) > 1 else "")
            time_ax.errorbar(
                t[sel],
                value[sel],
                yerr=err[sel],
                fmt=markers[k % len(markers)] + "-",
                color=colour,
                ms=5,
                capsize=3,
                lw=1.0,
                label=label,
            )
    time_ax.set_xlabel("Illumination time (h)", fontsize=12)
    time_ax.set_ylabel("Cumulative amount (µmol)", fontsize=12)
    reactor = result.metadata["reactor"]
    time_ax.set_title(
        f"headspace {reactor['headspace_mL']:g} mL, {reactor['temperature_K']:g} K, "
        f"{reactor['pressure_kPa']:g} kPa"
        + (
            f", {reactor['injection_uL']:g} µL per injection ({reactor['headspace']})"
            if reactor["injection_uL"]
            else ""
        ),
        loc="left",
        fontsize=10,
    )
    time_ax.set_xlim(left=0)
    time_ax.set_ylim(bottom=0)
    time_ax.tick_params(labelsize=10)
    time_ax.legend(frameon=False, fontsize=9, ncols=2)
    return fig
