"""Figures of merit of a photocatalytic CO2-reduction run, each with its basis, unit and error.

From a run (:mod:`qdcat.catalysis.run`) this module computes, for every product P:

* ``amount_umol`` -- the final cumulative amount (mean over replicate runs);
* ``rate_umol_h`` -- amount / final time; ``rate_fit_umol_h`` -- slope of amount vs time
  through the origin (both from :func:`~qdcat.catalysis.yields.analyse_yields`);
* ``rate_umol_g_h`` -- rate per gram of catalyst; ``mass_yield_umol_g`` -- amount per gram;
* TON and TOF per dot and per surface Cu atom, on the **product** basis (molecules of P per
  dot) and the **electron** basis (z_P molecules of electrons per dot). Moles of dots =
  catalyst mass / molar mass of one dot; sites per dot = surface Cu per dot;
* selectivities on the product basis n_i / sum n and the electron basis z_i n_i / sum z n
  (z = 2 CO, H2, HCOOH; 6 CH3OH; 8 CH4), always labelled;
* the apparent quantum yield AQY = z r / N_photons x 100 % for monochromatic light
  (:func:`qdcat.catalysis.photons.photon_accounting`), with r the average rate.

Uncertainty
-----------
The standard error of an amount combines the replicate standard error (sd / sqrt(n), none
for one run) and the GC-calibration standard error given in the run file (systematic, shared
by all runs) in quadrature. Derived numbers propagate relative errors linearly, adding the
stated standard errors of the catalyst mass, molar mass per dot, surface Cu per dot and light
power where given. A derived number has no standard error (``None``) when its amount has none:
a partial error bar would look like a small one.

Cross-checks
------------
Numbers stated in the run file's ``[reported]`` table are recomputed from the amounts and the
sample description; a difference above the tolerance is a warning that starts with
``INCONSISTENT``. The implied quantities are reported too: the catalyst mass implied by a
stated mass-normalised rate, the molar mass per dot implied by a stated TON per dot, the surface
Cu per dot implied by the two stated TONs. :func:`paper_cross_checks` does this for the seed
paper's own numbers (12.2 umol / 120 h / 532.3 umol g-1 h-1 -> 0.191 mg; TON 1963 -> 30.7
kg mol-1 per dot; 4319 / 178 -> 24.3 surface Cu per dot).

References: Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5, Table S10);
science notes section 6.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from qdcat.catalysis.controls import check_controls
from qdcat.catalysis.photons import (
    BroadbandLight,
    MonochromaticLight,
    photon_accounting,
    photon_flux_umol_h,
)
from qdcat.catalysis.run import DEFAULT_TOLERANCE, ControlSpec, Run
from qdcat.catalysis.stability import donor_budget
from qdcat.catalysis.yields import ELECTRONS_PER_PRODUCT, analyse_yields
from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ANALYSIS_NAME",
    "PRODUCT_KEYS",
    "analyse_run",
    "aqy_spectrum",
    "implied_catalyst_mass_mg",
    "implied_qd_molar_mass_from_mass_yield",
    "implied_qd_molar_mass_g_mol",
    "implied_surface_cu_per_qd",
    "paper_cross_checks",
    "performance",
    "performance_json",
    "plot_aqy_spectrum",
    "plot_performance",
    "plot_performance_comparison",
    "qd_amount_umol",
]

#: Value of :attr:`Result.analysis` for :func:`performance` and :func:`analyse_run`.
ANALYSIS_NAME = "catalysis.performance"

#: Per-product keys of ``performance_json(...)['products'][P]`` -> flat quantity suffix.
PRODUCT_KEYS: Mapping[str, str] = {
    "amount_umol": "amount_umol",
    "rate_umol_h": "rate_umol_h",
    "rate_fit_umol_h": "rate_fit_umol_h",
    "rate_umol_g_h": "rate_umol_g_h",
    "ton_per_qd": "ton_per_qd",
    "ton_per_surface_cu": "ton_per_surface_cu",
    "ton_electrons_per_qd": "ton_electrons_per_qd",
    "ton_electrons_per_surface_cu": "ton_electrons_per_surface_cu",
    "tof_per_qd_h": "tof_per_qd_h",
    "tof_per_surface_cu_h": "tof_per_surface_cu_h",
    "mass_yield_umol_g": "mass_yield_umol_g",
    "rate_fit_r2": "rate_fit_r2",
}

_PRODUCT_BASIS = "product basis: n_i / sum n"
_ELECTRON_BASIS = "electron basis: z_i n_i / sum z n"
_UNCERTAINTY = (
    "amount: replicate standard error sd/sqrt(n) (ddof 1) and the stated GC-calibration "
    "standard error (systematic, shared by the runs) in quadrature; derived numbers: linear "
    "propagation of relative errors, adding the stated errors of catalyst mass, molar mass per "
    "dot, surface Cu per dot and light power; None when the amount has no standard error; "
    "times exact"
)


# ----------------------------------------------------------------------------------------------
# simple relations (each checked by hand in the tests)
# ----------------------------------------------------------------------------------------------


def _positive(value: Any, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not (math.isfinite(x) and x > 0):
        raise InputError("must be a positive number", field=field, expected="> 0", found=value)
    return x


def qd_amount_umol(catalyst_mass_mg: float, qd_molar_mass_g_mol: float) -> float:
    """Moles of dots in the reactor, umol: mass / molar mass per dot (mg x 1e3 / g mol-1)."""
    m = _positive(catalyst_mass_mg, "catalyst_mass_mg")
    big_m = _positive(qd_molar_mass_g_mol, "qd_molar_mass_g_mol")
    return m * 1e3 / big_m


def implied_catalyst_mass_mg(amount_umol: float, time_h: float, rate_umol_g_h: float) -> float:
    """Catalyst mass (mg) implied by a stated mass-normalised rate: n / t / r x 1000."""
    n = _positive(amount_umol, "amount_umol")
    t = _positive(time_h, "time_h")
    r = _positive(rate_umol_g_h, "rate_umol_g_h")
    return n / t / r * 1e3


def implied_qd_molar_mass_g_mol(
    catalyst_mass_mg: float, amount_umol: float, ton_per_qd: float
) -> float:
    """Molar mass per dot (g mol-1) implied by a stated TON per dot: m / (n / TON)."""
    m = _positive(catalyst_mass_mg, "catalyst_mass_mg")
    n = _positive(amount_umol, "amount_umol")
    ton = _positive(ton_per_qd, "ton_per_qd")
    return m * 1e3 / (n / ton)


def implied_qd_molar_mass_from_mass_yield(mass_yield_umol_g: float, ton_per_qd: float) -> float:
    """Molar mass per dot (g mol-1) from a stated yield per gram and TON per dot: TON / Y."""
    y = _positive(mass_yield_umol_g, "mass_yield_umol_g")
    ton = _positive(ton_per_qd, "ton_per_qd")
    return ton / (y * 1e-6)


def implied_surface_cu_per_qd(ton_per_qd: float, ton_per_surface_cu: float) -> float:
    """Surface Cu per dot implied by the two stated TONs: TON per dot / TON per Cu."""
    return _positive(ton_per_qd, "ton_per_qd") / _positive(ton_per_surface_cu, "ton_per_surface_cu")


# ----------------------------------------------------------------------------------------------
# uncertainty helpers
# ----------------------------------------------------------------------------------------------


def _rel(value: float | None, stderr: float | None) -> float:
    if stderr is None or value is None or value == 0:
        return 0.0
    return float(stderr) / abs(float(value))


def _derived(value: float, base_rel: float | None, *others: float) -> float | None:
    """Stderr of a product/quotient: None if the measured part has none."""
    if base_rel is None or not math.isfinite(value):
        return None
    return abs(value) * math.sqrt(base_rel**2 + sum(o**2 for o in others))


def _quad(*errors: float | None) -> float | None:
    present = [e for e in errors if e is not None]
    return math.sqrt(sum(e * e for e in present)) if present else None


def _fractions(
    values: np.ndarray, errors: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    total = float(values.sum())
    if not total > 0:
        return np.full(values.shape, math.nan), None
    frac = values / total
    if errors is None:
        return frac, None
    jac = (np.eye(values.size) * total - values[:, None]) / total**2
    return frac, np.sqrt((jac**2) @ (errors**2))


# ----------------------------------------------------------------------------------------------
# the analysis
# ----------------------------------------------------------------------------------------------


def performance(
    frame: pd.DataFrame,
    *,
    sample: str = "sample",
    catalyst_mass_mg: float | None = None,
    catalyst_mass_stderr_mg: float | None = None,
    qd_molar_mass_g_mol: float | None = None,
    qd_molar_mass_stderr_g_mol: float | None = None,
    surface_cu_per_qd: float | None = None,
    surface_cu_per_qd_stderr: float | None = None,
    light: MonochromaticLight | BroadbandLight | None = None,
    power_stderr_mW_cm2: float | None = None,
    calibration_stderr_umol: Mapping[str, float] | None = None,
    reported: Mapping[str, float] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    donor: Mapping[str, Any] | None = None,
    controls: Sequence[ControlSpec | Mapping[str, Any]] = (),
    products: Sequence[str] | None = None,
    weighting: str = "relative",
) -> Result:
    """Every figure of merit of one run (module docstring).

    Parameters
    ----------
    frame:
        Cumulative amounts as :func:`~qdcat.catalysis.yields.analyse_yields` reads them.
    catalyst_mass_mg, qd_molar_mass_g_mol, surface_cu_per_qd:
        Sample description (each optional; the numbers that need it are left out).
    light:
        :class:`~qdcat.catalysis.photons.MonochromaticLight` (AQY per product) or
        :class:`~qdcat.catalysis.photons.BroadbandLight` (photon flux and broadband AQY).
    calibration_stderr_umol:
        GC-calibration standard error of each product's final amount, umol.
    reported:
        Stated numbers to cross-check, ``{'CO_rate_umol_g_h': 532.3, ...}``
        (:data:`qdcat.catalysis.run.REPORTED_QUANTITIES`), with relative ``tolerance``.
    donor:
        ``{'name': ..., 'supplied_umol': ..., 'electrons_per_molecule': 2}``.
    controls:
        Control experiments (:func:`qdcat.catalysis.controls.check_controls`).

    Returns
    -------
    Result
        Flat quantities ``<P>_amount_umol``, ``<P>_rate_umol_h``, ``<P>_rate_fit_umol_h``,
        ``<P>_rate_umol_g_h``, ``<P>_mass_yield_umol_g``, ``<P>_ton_per_qd``,
        ``<P>_ton_per_surface_cu``, ``<P>_ton_electrons_per_qd``,
        ``<P>_ton_electrons_per_surface_cu``, ``<P>_tof_per_qd_h``, ``<P>_tof_per_surface_cu_h``,
        ``selectivity_product_<P>``, ``selectivity_electron_<P>``, ``<P>_aqy_pct``, totals,
        implied values and donor/control numbers; :func:`performance_json` nests them.
    """
    file = frame.attrs.get("source_file")
    yields = analyse_yields(
        frame, catalyst_mass_mg=catalyst_mass_mg, products=products, weighting=weighting
    )
    q_in = yields.quantities
    chosen: list[str] = list(yields.metadata["products"])
    t_end = float(yields.metadata["final_time_h"])
    cal = dict(calibration_stderr_umol or {})
    warnings: list[str] = list(yields.warnings)
    quantities: dict[str, Quantity] = {}

    mass = None if catalyst_mass_mg is None else _positive(catalyst_mass_mg, "catalyst_mass_mg")
    rel_mass = _rel(mass, catalyst_mass_stderr_mg)
    big_m = None if qd_molar_mass_g_mol is None else _positive(qd_molar_mass_g_mol, "qd_molar_mass")
    rel_big_m = _rel(big_m, qd_molar_mass_stderr_g_mol)
    n_cu = None if surface_cu_per_qd is None else _positive(surface_cu_per_qd, "surface_cu_per_qd")
    rel_cu = _rel(n_cu, surface_cu_per_qd_stderr)
    n_qd = None if mass is None or big_m is None else qd_amount_umol(mass, big_m)
    if n_qd is not None:
        quantities["qd_amount_nmol"] = Quantity(
            n_qd * 1e3,
            _derived(n_qd * 1e3, 0.0, rel_mass, rel_big_m) if (rel_mass or rel_big_m) else None,
            "nmol",
            "moles of dots = catalyst mass / molar mass per dot",
        )

    amounts: dict[str, tuple[float, float | None]] = {}
    rates: dict[str, tuple[float, float | None]] = {}
    for p in chosen:
        z = ELECTRONS_PER_PRODUCT[p]
        a = q_in[f"{p}_amount_umol"]
        a_val = float(a.value)
        a_se = _quad(a.stderr, cal.get(p))
        amounts[p] = (a_val, a_se)
        rel_a = None if a_se is None else _rel(a_val, a_se)
        quantities[f"{p}_amount_umol"] = Quantity(a_val, a_se, "umol", a.description)
        rate = a_val / t_end
        rate_se = None if a_se is None else a_se / t_end
        rates[p] = (rate, rate_se)
        quantities[f"{p}_rate_umol_h"] = Quantity(
            rate, rate_se, "umol h-1", f"{p} final amount / {t_end:g} h (average rate)"
        )
        fit = q_in[f"{p}_rate_fit_umol_h"]
        cal_rel = _rel(a_val, cal.get(p)) if p in cal else None
        fit_se = _quad(fit.stderr, None if cal_rel is None else abs(float(fit.value)) * cal_rel)
        quantities[f"{p}_rate_fit_umol_h"] = Quantity(
            float(fit.value), fit_se, "umol h-1", fit.description
        )
        quantities[f"{p}_rate_fit_r2"] = q_in[f"{p}_rate_fit_r2"]
        if mass is not None:
            m_g = mass / 1e3
            quantities[f"{p}_rate_umol_g_h"] = Quantity(
                rate / m_g,
                _derived(rate / m_g, rel_a, rel_mass),
                "umol g-1 h-1",
                f"{p} average rate per gram of catalyst",
            )
            quantities[f"{p}_mass_yield_umol_g"] = Quantity(
                a_val / m_g,
                _derived(a_val / m_g, rel_a, rel_mass),
                "umol g-1",
                f"{p} after {t_end:g} h per gram of catalyst",
            )
        if n_qd is not None:
            ton = a_val / n_qd
            ton_se = _derived(ton, rel_a, rel_mass, rel_big_m)
            quantities[f"{p}_ton_per_qd"] = Quantity(
                ton, ton_se, "", f"{p} molecules per dot after {t_end:g} h (product basis)"
            )
            quantities[f"{p}_ton_electrons_per_qd"] = Quantity(
                z * ton,
                None if ton_se is None else z * ton_se,
                "",
                f"electrons into {p} per dot ({z} e- per molecule; electron basis)",
            )
            tof = rate / n_qd
            quantities[f"{p}_tof_per_qd_h"] = Quantity(
                tof,
                _derived(tof, rel_a, rel_mass, rel_big_m),
                "h-1",
                f"{p} molecules per dot per hour (average rate)",
            )
            if n_cu is not None:
                ton_cu = ton / n_cu
                ton_cu_se = _derived(ton_cu, rel_a, rel_mass, rel_big_m, rel_cu)
                quantities[f"{p}_ton_per_surface_cu"] = Quantity(
                    ton_cu, ton_cu_se, "", f"{p} molecules per surface Cu (product basis)"
                )
                quantities[f"{p}_ton_electrons_per_surface_cu"] = Quantity(
                    z * ton_cu,
                    None if ton_cu_se is None else z * ton_cu_se,
                    "",
                    f"electrons into {p} per surface Cu (electron basis)",
                )
                quantities[f"{p}_tof_per_surface_cu_h"] = Quantity(
                    tof / n_cu,
                    _derived(tof / n_cu, rel_a, rel_mass, rel_big_m, rel_cu),
                    "h-1",
                    f"{p} molecules per surface Cu per hour",
                )

    # selectivities: values from analyse_yields; errors recomputed when calibration adds to them
    values = np.array([amounts[p][0] for p in chosen])
    errs = [amounts[p][1] for p in chosen]
    err_arr = None if any(e is None for e in errs) else np.array(errs, dtype=float)
    z_arr = np.array([ELECTRONS_PER_PRODUCT[p] for p in chosen], dtype=float)
    for basis, v, e, text in (
        ("product", values, err_arr, _PRODUCT_BASIS),
        ("electron", z_arr * values, None if err_arr is None else z_arr * err_arr, _ELECTRON_BASIS),
    ):
        _, frac_se = _fractions(v, e) if cal else (None, None)
        for i, p in enumerate(chosen):
            src = q_in[f"selectivity_{basis}_{p}"]
            se = src.stderr if not cal else (None if frac_se is None else float(frac_se[i]))
            quantities[f"selectivity_{basis}_{p}"] = Quantity(
                float(src.value), se, "", f"{p} selectivity, {text}"
            )

    electrons = float(np.sum(z_arr * values))
    e_se = None if err_arr is None else float(np.sqrt(np.sum((z_arr * err_arr) ** 2)))
    quantities["electrons_umol"] = Quantity(
        electrons, e_se, "umol", "electrons in all products, sum z n"
    )
    quantities["electron_rate_umol_h"] = Quantity(
        electrons / t_end,
        None if e_se is None else e_se / t_end,
        "umol h-1",
        "electron flow into products, sum z n / t",
    )
    if n_qd is not None:
        ton_e = electrons / n_qd
        quantities["ton_electrons_per_qd"] = Quantity(
            ton_e,
            None
            if e_se is None
            else abs(ton_e) * math.sqrt(_rel(electrons, e_se) ** 2 + rel_mass**2 + rel_big_m**2),
            "",
            "electrons into all products per dot",
        )

    metadata: dict[str, Any] = {
        "sample": sample,
        "source_file": None if file is None else str(file),
        "products": chosen,
        "electrons_per_product": {p: ELECTRONS_PER_PRODUCT[p] for p in chosen},
        "final_time_h": t_end,
        "n_runs": yields.metadata["n_runs"],
        "runs": yields.metadata["runs"],
        "catalyst_mass_mg": mass,
        "qd_molar_mass_g_mol": big_m,
        "surface_cu_per_qd": n_cu,
        "selectivity_product_basis": _PRODUCT_BASIS,
        "selectivity_electron_basis": _ELECTRON_BASIS,
        "selectivity_over": yields.metadata["selectivity_over"],
        "ton_basis": (
            "product basis: molecules of P per dot (or per surface Cu); electron basis: z_P "
            "times that; dots = catalyst mass / molar mass per dot"
        ),
        "rate_fit": yields.metadata["rate_fit"],
        "uncertainty": _UNCERTAINTY,
        "calibration_stderr_umol": cal,
        "light": None,
    }

    # photons
    if light is not None:
        accounting = photon_accounting(
            light,
            rates_umol_h={p: r for p, (r, _) in rates.items()},
            rates_stderr_umol_h={p: se for p, (_, se) in rates.items()},
        )
        flux = float(accounting.quantities["photon_flux_umol_h"].value)
        quantities["photon_flux_umol_h"] = accounting.quantities["photon_flux_umol_h"]
        mono = isinstance(light, MonochromaticLight)
        rel_power = (
            _rel(light.power_mW_cm2, power_stderr_mW_cm2) if mono and power_stderr_mW_cm2 else 0.0
        )
        prefix = "" if mono else "broadband_"
        for p in chosen:
            src = accounting.quantities[f"{p}_aqy_pct"]
            rate, rate_se = rates[p]
            se = _derived(
                float(src.value), None if rate_se is None else _rel(rate, rate_se), rel_power
            )
            quantities[f"{p}_{prefix}aqy_pct"] = Quantity(
                float(src.value),
                se,
                "%",
                f"{p} {'' if mono else 'broadband '}apparent quantum yield, "
                f"{ELECTRONS_PER_PRODUCT[p]} e- x average rate / incident photons",
            )
        tot = accounting.quantities["aqy_total_pct"]
        quantities[f"{prefix}aqy_total_pct"] = Quantity(
            float(tot.value),
            _derived(float(tot.value), None if e_se is None else _rel(electrons, e_se), rel_power),
            "%",
            "all products: sum z x rate / incident photons",
        )
        for key in ("stf_pct", "apparent_stf_pct"):
            if key in accounting.quantities:
                quantities[key] = accounting.quantities[key]
        warnings.extend(accounting.warnings)
        metadata["light"] = {
            "type": "monochromatic" if mono else "broadband",
            "description": light.describe(),
            "photon_flux_umol_h": flux,
            "area_cm2": light.area_cm2,
            **(
                {"wavelength_nm": light.wavelength_nm, "power_mW_cm2": light.power_mW_cm2}
                if mono
                else {
                    "irradiance_mW_cm2": light.irradiance_mW_cm2,
                    "irradiance_reading": accounting.metadata.get("irradiance_reading"),
                    "irradiance_reading_text": accounting.metadata.get("irradiance_reading_text"),
                    "counting_band_nm": accounting.metadata.get("counting_band_nm"),
                }
            ),
            "aqy_definition": (
                "AQY = electrons per product x average rate / incident photon rate x 100 %"
                + ("" if mono else "; broadband: every incident photon in the counting band")
            ),
        }
        if not mono:
            metadata["light"]["note"] = (
                "broadband light: aqy_percent is left empty (defined for monochromatic light); "
                "the broadband AQY counts all incident photons and is reported separately"
            )

    # cross-checks
    checks = _cross_checks(
        reported or {},
        tolerance=tolerance,
        quantities=quantities,
        t_end=t_end,
        mass=mass,
        big_m=big_m,
        n_cu=n_cu,
    )
    for c in checks:
        if c.get("implied_key"):
            quantities[c["implied_key"]] = Quantity(
                c["implied"], None, c["implied_unit"], c["implied_text"]
            )
        if c["consistent"] is False:
            warnings.append(c["message"])
    metadata["cross_checks"] = checks
    metadata["tolerance"] = tolerance

    if donor is not None:
        budget = donor_budget(
            {p: amounts[p][0] for p in chosen},
            supplied_umol=float(donor["supplied_umol"]),
            electrons_per_molecule=int(donor.get("electrons_per_molecule", 2)),
            name=str(donor.get("name", "ascorbic acid")),
            amounts_stderr_umol={p: amounts[p][1] for p in chosen},
        )
        for key in ("donor_consumed_umol", "donor_supplied_umol", "donor_consumed_fraction"):
            quantities[key] = budget.quantities[key]
        warnings.extend(budget.warnings)
        metadata["donor"] = {
            **budget.metadata,
            **{k: float(v.value) for k, v in budget.quantities.items()},
        }
    if controls:
        checked = check_controls(
            controls,
            {p: amounts[p][0] for p in chosen},
            t_end,
            file=None if file is None else str(file),
        )
        quantities.update({f"control_{k}": v for k, v in checked.quantities.items()})
        warnings.extend(checked.warnings)
        metadata["controls"] = checked.metadata["table"]
        metadata["controls_passed"] = checked.metadata["all_passed"]
        metadata["controls_comparison"] = checked.metadata["comparison"]

    return Result(
        analysis=ANALYSIS_NAME,
        quantities=quantities,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=dict(yields.curves),
    )


def dot_model_numbers(run: Run) -> dict[str, float]:
    """Molar mass (g/mol) and surface Cu per dot of the run's ``[sample] qd_model`` dot model.

    The model file is resolved relative to the run file. Numbers the run file states itself
    are not replaced. Returns ``{}`` without a model.
    """
    s = run.sample
    if s.qd_model is None:
        return {}
    from qdcat.structure.dotfile import build_dot_from_parameters, load_dot_parameters

    base = run.path.parent if run.path is not None else Path(".")
    path = Path(s.qd_model)
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise InputError(
            "the dot-model file does not exist",
            file=run.path,
            field="sample.qd_model",
            expected="a TOML file of dot build parameters (e.g. examples/zcis/data/*_dot.toml)",
            found=str(path),
        )
    dot = build_dot_from_parameters(load_dot_parameters(path))
    return {
        "qd_molar_mass_g_mol": float(dot.molar_mass_g_mol),
        "surface_cu_per_qd": float(dot.summary()["n_surface_cu"]),
    }


def analyse_run(run: Run, *, weighting: str = "relative") -> Result:
    """:func:`performance` for a validated run file (:func:`qdcat.catalysis.run.load_run`).

    With ``[sample] qd_model`` the molar mass and surface Cu per dot come from the dot model
    (:func:`dot_model_numbers`) unless the run file states them.
    """
    s = run.sample
    model = dot_model_numbers(run)
    donor = None
    if run.donor is not None:
        donor = {
            "name": run.donor.name,
            "supplied_umol": run.donor.supplied_umol,
            "electrons_per_molecule": run.donor.electrons_per_molecule,
        }
    result = performance(
        run.frame,
        sample=s.name,
        catalyst_mass_mg=s.catalyst_mass_mg,
        catalyst_mass_stderr_mg=s.catalyst_mass_stderr_mg,
        qd_molar_mass_g_mol=(
            s.qd_molar_mass_g_mol
            if s.qd_molar_mass_g_mol is not None
            else model.get("qd_molar_mass_g_mol")
        ),
        qd_molar_mass_stderr_g_mol=s.qd_molar_mass_stderr_g_mol,
        surface_cu_per_qd=(
            s.surface_cu_per_qd
            if s.surface_cu_per_qd is not None
            else model.get("surface_cu_per_qd")
        ),
        surface_cu_per_qd_stderr=s.surface_cu_per_qd_stderr,
        light=run.light_source,
        power_stderr_mW_cm2=None if run.light is None else run.light.power_stderr_mW_cm2,
        calibration_stderr_umol=run.calibration_stderr_umol,
        reported=run.reported,
        tolerance=run.tolerance,
        donor=donor,
        controls=run.controls,
        weighting=weighting,
    )
    meta = dict(result.metadata)
    meta["run_file"] = run.file
    meta["description"] = run.description
    return Result(
        analysis=result.analysis,
        quantities=result.quantities,
        warnings=result.warnings,
        metadata=meta,
        curves=result.curves,
    )


# ----------------------------------------------------------------------------------------------
# cross-checks
# ----------------------------------------------------------------------------------------------


def _check(
    key: str,
    stated: float,
    computed: float | None,
    tolerance: float,
    how: str,
    *,
    missing: str = "",
) -> dict[str, Any]:
    if computed is None or not math.isfinite(computed):
        return {
            "key": key,
            "stated": stated,
            "computed": None,
            "relative_difference": None,
            "consistent": None,
            "message": f"cannot check {key} = {stated:g}: {missing}",
            "how": how,
        }
    diff = (stated - computed) / computed if computed != 0 else math.inf
    ok = abs(diff) <= tolerance
    verdict = "consistent" if ok else "INCONSISTENT"
    return {
        "key": key,
        "stated": stated,
        "computed": computed,
        "relative_difference": diff,
        "consistent": ok,
        "message": (
            f"{verdict}: stated {key} = {stated:g}, but {how} gives {computed:.4g} "
            f"({100 * diff:+.1f} %, tolerance {100 * tolerance:g} %)"
            if not ok
            else f"consistent: stated {key} = {stated:g}; {how} gives {computed:.4g}"
        ),
        "how": how,
    }


def _qv(quantities: Mapping[str, Quantity], key: str) -> float | None:
    q = quantities.get(key)
    return None if q is None else float(q.value)


def _cross_checks(
    reported: Mapping[str, float],
    *,
    tolerance: float,
    quantities: Mapping[str, Quantity],
    t_end: float,
    mass: float | None,
    big_m: float | None,
    n_cu: float | None,
) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    by_product: dict[str, dict[str, float]] = {}
    for key, value in reported.items():
        m = re.match(r"^([A-Za-z][A-Za-z0-9]*?)_(.+)$", key)
        if m is None:
            continue
        # the product is the longest known prefix
        product = next(
            (
                p
                for p in sorted(ELECTRONS_PER_PRODUCT, key=len, reverse=True)
                if key.startswith(p + "_")
            ),
            m.group(1),
        )
        by_product.setdefault(product, {})[key[len(product) + 1 :]] = float(value)
    for p, stated in by_product.items():
        amount = _qv(quantities, f"{p}_amount_umol")
        if amount is None:
            for k, v in stated.items():
                checks.append(
                    _check(f"{p}_{k}", v, None, tolerance, "", missing=f"no {p} in the run")
                )
            continue
        amount_text = f"{amount:.4g} umol / {t_end:g} h"
        for k, v in stated.items():
            key = f"{p}_{k}"
            if k == "amount_umol":
                checks.append(_check(key, v, amount, tolerance, "the final reading"))
            elif k == "rate_umol_h":
                checks.append(_check(key, v, amount / t_end, tolerance, amount_text))
            elif k in ("rate_umol_g_h", "mass_yield_umol_g"):
                per_g = amount / t_end if k == "rate_umol_g_h" else amount
                computed = None if mass is None else per_g / (mass / 1e3)
                c = _check(
                    key,
                    v,
                    computed,
                    tolerance,
                    f"{amount_text} / {mass:g} mg" if mass is not None else "",
                    missing="needs catalyst_mass_mg",
                )
                if v > 0:
                    implied = per_g / v * 1e3
                    c.update(
                        implied_key=f"implied_catalyst_mass_from_{key}_mg",
                        implied=implied,
                        implied_unit="mg",
                        implied_text=f"catalyst mass implied by the stated {key} = {v:g}",
                    )
                    c["message"] += f"; it implies a catalyst mass of {implied:.4g} mg"
                    if mass is not None:
                        c["message"] += f" (given: {mass:g} mg)"
                checks.append(c)
            elif k in ("ton_per_qd", "ton_per_surface_cu"):
                computed = _qv(quantities, key)
                need = "needs catalyst_mass_mg and qd_molar_mass_g_mol" + (
                    " and surface_cu_per_qd" if k == "ton_per_surface_cu" else ""
                )
                c = _check(key, v, computed, tolerance, "amount / moles of dots", missing=need)
                if k == "ton_per_qd" and mass is not None and v > 0:
                    implied = implied_qd_molar_mass_g_mol(mass, amount, v)
                    c.update(
                        implied_key=f"implied_qd_molar_mass_from_{key}_g_mol",
                        implied=implied,
                        implied_unit="g mol-1",
                        implied_text=f"molar mass per dot implied by the stated {key} = {v:g}",
                    )
                    c["message"] += f"; it implies {implied:.4g} g mol-1 per dot" + (
                        f" (given: {big_m:g})" if big_m is not None else ""
                    )
                if k == "ton_per_qd" and "mass_yield_umol_g" in stated and v > 0:
                    implied = implied_qd_molar_mass_from_mass_yield(stated["mass_yield_umol_g"], v)
                    checks.append(
                        {
                            "key": f"{p}_ton_per_qd / {p}_mass_yield_umol_g",
                            "stated": v,
                            "computed": None,
                            "relative_difference": None,
                            "consistent": None
                            if big_m is None
                            else abs(implied / big_m - 1) <= tolerance,
                            "message": (
                                f"stated TON per dot and yield per gram imply {implied:.4g} g "
                                "mol-1 per dot" + ("" if big_m is None else f" (given: {big_m:g})")
                            ),
                            "how": "TON / mass yield",
                            "implied_key": "implied_qd_molar_mass_from_mass_yield_g_mol",
                            "implied": implied,
                            "implied_unit": "g mol-1",
                            "implied_text": (
                                "molar mass per dot implied by TON per dot / yield per gram"
                            ),
                        }
                    )
                    if checks[-1]["consistent"] is False:
                        checks[-1]["message"] = "INCONSISTENT: " + checks[-1]["message"]
                checks.append(c)
            elif k in ("selectivity", "selectivity_product_basis", "selectivity_electron_basis"):
                prod = _qv(quantities, f"selectivity_product_{p}")
                elec = _qv(quantities, f"selectivity_electron_{p}")
                if k == "selectivity_product_basis":
                    checks.append(_check(key, v, prod, tolerance, "n_i / sum n"))
                elif k == "selectivity_electron_basis":
                    checks.append(_check(key, v, elec, tolerance, "z_i n_i / sum z n"))
                else:
                    cp = _check(key, v, prod, tolerance, "the product basis n_i / sum n")
                    ce = _check(key, v, elec, tolerance, "the electron basis z_i n_i / sum z n")
                    if cp["consistent"] or ce["consistent"]:
                        best = cp if cp["consistent"] else ce
                        basis = "product" if best is cp else "electron"
                        best["message"] = (
                            f"consistent: stated {key} = {v:g} (basis not stated) matches the "
                            f"{basis} basis ({best['computed']:.4g}); the other basis gives "
                            f"{(ce if best is cp else cp)['computed']:.4g}"
                        )
                        best["basis"] = basis
                        checks.append(best)
                    else:
                        cp["message"] = (
                            f"INCONSISTENT: stated {key} = {v:g} (basis not stated) matches "
                            f"neither the product basis ({prod:.4g}) nor the electron basis "
                            f"({elec:.4g})"
                        )
                        checks.append(cp)
            elif k == "aqy_percent":
                computed = _qv(quantities, f"{p}_aqy_pct")
                checks.append(
                    _check(
                        key,
                        v,
                        computed,
                        tolerance,
                        "z x average rate / photon rate",
                        missing="needs monochromatic [light]",
                    )
                )
    stated_ton = {
        p: s for p, s in by_product.items() if "ton_per_qd" in s and "ton_per_surface_cu" in s
    }
    for p, s in stated_ton.items():
        if s["ton_per_surface_cu"] > 0 and s["ton_per_qd"] > 0:
            implied = implied_surface_cu_per_qd(s["ton_per_qd"], s["ton_per_surface_cu"])
            ok = None if n_cu is None else abs(implied / n_cu - 1) <= tolerance
            msg = f"stated TONs imply {implied:.3g} surface Cu per dot" + (
                "" if n_cu is None else f" (given: {n_cu:g})"
            )
            checks.append(
                {
                    "key": f"{p}_ton_per_qd / {p}_ton_per_surface_cu",
                    "stated": s["ton_per_qd"],
                    "computed": None,
                    "relative_difference": None if n_cu is None else implied / n_cu - 1,
                    "consistent": ok,
                    "message": ("INCONSISTENT: " if ok is False else "") + msg,
                    "how": "TON per dot / TON per surface Cu",
                    "implied_key": "implied_surface_cu_per_qd",
                    "implied": implied,
                    "implied_unit": "",
                    "implied_text": "surface Cu per dot implied by the two stated TONs",
                }
            )
    return checks


def paper_cross_checks(
    paper: Mapping[str, Any] | None = None, *, tolerance: float = 0.02
) -> Result:
    """Reproduce the seed paper's implied numbers from its reported ones (science notes).

    * 12.2 umol CO / 120 h / 532.3 umol g-1 h-1 -> catalyst mass 0.191 mg;
    * TON 1963 per dot with that mass -> 6.2 nmol of dots -> ~30.7 kg mol-1 per dot;
    * 140,544 umol g-1 and TON 4319 after 360 h -> the same ~30.7 kg mol-1;
    * TON 4319 per dot / 178 per surface Cu -> 24.3 surface Cu per dot (model: 24);
    * the power density that makes the 120 h average rate give AQY 0.32 % at 400 nm on
      1 cm2 (the paper does not state the AQY experiment's rate or power: an assumption).

    ``paper`` defaults to the packaged ``qdcat/data/zcis_paper.toml``.
    """
    if paper is None:
        import tomllib
        from importlib import resources

        text = resources.files("qdcat.data").joinpath("zcis_paper.toml").read_text("utf-8")
        paper = tomllib.loads(text)
    pc = paper["photocatalysis"]
    amount = float(pc["co_yield_umol_120h"]["2/12ZCIS"])
    t = 120.0
    rate_g = float(pc["co_rate_umol_g_h_2_12"])
    ton_120 = float(pc["ton_qd_120h"])
    ton_opt = float(pc["ton_qd_optimised"])
    ton_cu = float(pc["ton_surface_cu_optimised"])
    yield_360 = float(pc["mass_yield_umol_g_360h"])
    model_cu = float(paper["structure"]["surface_cu_per_qd"])
    aqy_400 = float(pc["aqy_percent"]["400"])
    mass = implied_catalyst_mass_mg(amount, t, rate_g)
    m_120 = implied_qd_molar_mass_g_mol(mass, amount, ton_120)
    m_360 = implied_qd_molar_mass_from_mass_yield(yield_360, ton_opt)
    cu = implied_surface_cu_per_qd(ton_opt, ton_cu)
    # AQY = 2 r / N x 100 -> N = 2 r / AQY x 100; N = 12.04 umol h-1 per mW at 400 nm
    flux_needed = 2 * amount / t / aqy_400 * 100.0
    power = flux_needed / photon_flux_umol_h(400.0, 1.0, 1.0)
    q = {
        "implied_catalyst_mass_mg": Quantity(
            mass, None, "mg", "12.2 umol / 120 h / 532.3 umol g-1 h-1"
        ),
        "implied_qd_amount_nmol": Quantity(
            amount / ton_120 * 1e3, None, "nmol", "12.2 umol CO / TON 1963"
        ),
        "implied_qd_molar_mass_g_mol": Quantity(
            m_120, None, "g mol-1", "implied mass / (12.2 umol / TON 1963)"
        ),
        "implied_qd_molar_mass_360h_g_mol": Quantity(
            m_360, None, "g mol-1", "TON 4319 / 140,544 umol g-1 (360 h)"
        ),
        "implied_surface_cu_per_qd": Quantity(cu, None, "", "TON per dot 4319 / per Cu 178"),
        "implied_power_for_aqy_400nm_mW_cm2": Quantity(
            power,
            None,
            "mW cm-2",
            "power density on 1 cm2 that makes AQY(400 nm) = 0.32 % from the 120 h average CO "
            "rate (assumption: the paper gives neither)",
        ),
    }
    warnings = []
    if abs(m_360 / m_120 - 1) > tolerance:
        warnings.append(
            f"INCONSISTENT: molar mass per dot {m_120:.4g} (120 h) vs {m_360:.4g} g mol-1 (360 h)"
        )
    if abs(cu / model_cu - 1) > tolerance:
        warnings.append(
            f"INCONSISTENT: stated TONs imply {cu:.3g} surface Cu per dot, the model {model_cu:g}"
        )
    return Result(
        analysis="catalysis.paper_cross_checks",
        quantities=q,
        warnings=tuple(warnings),
        metadata={
            "source": "Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (zcis_paper.toml)",
            "molar_mass_agreement": m_360 / m_120,
            "surface_cu_model": model_cu,
            "tolerance": tolerance,
        },
    )


# ----------------------------------------------------------------------------------------------
# nested JSON (qdcat perf --json)
# ----------------------------------------------------------------------------------------------


def _put(target: dict[str, Any], key: str, q: Quantity | None) -> None:
    target[key] = None if q is None else _finite(q.value)
    target[f"{key}_stderr"] = None if q is None or q.stderr is None else _finite(q.stderr)


def _finite(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def performance_json(result: Result) -> dict[str, Any]:
    """The nested JSON of ``qdcat perf --json`` (keys fixed; other tools rely on them).

    ``products.<P>.{amount_umol, rate_umol_h, rate_fit_umol_h, rate_umol_g_h, ton_per_qd,
    ton_per_surface_cu, ...}``, ``selectivity_product_basis.<P>``,
    ``selectivity_electron_basis.<P>``, ``aqy_percent.<P>`` (monochromatic light only; empty
    otherwise), each with ``<key>_stderr`` (``null`` when no standard error is known);
    ``totals``, ``photon_flux_umol_h``, ``light``, ``cross_checks``, ``donor``, ``controls``,
    ``warnings`` and ``metadata`` (bases, uncertainty rule).
    """
    if result.analysis != ANALYSIS_NAME:
        raise InputError(
            "not a performance result",
            field="result",
            expected=ANALYSIS_NAME,
            found=result.analysis,
        )
    q = result.quantities
    products: list[str] = list(result.metadata["products"])
    out: dict[str, Any] = {
        "sample": result.metadata.get("sample"),
        "final_time_h": result.metadata.get("final_time_h"),
        "products": {},
        "selectivity_product_basis": {},
        "selectivity_electron_basis": {},
        "aqy_percent": {},
    }
    for p in products:
        entry: dict[str, Any] = {"electrons_per_product": ELECTRONS_PER_PRODUCT[p]}
        for key, suffix in PRODUCT_KEYS.items():
            _put(entry, key, q.get(f"{p}_{suffix}"))
        out["products"][p] = entry
        _put(out["selectivity_product_basis"], p, q.get(f"selectivity_product_{p}"))
        _put(out["selectivity_electron_basis"], p, q.get(f"selectivity_electron_{p}"))
        if f"{p}_aqy_pct" in q:
            _put(out["aqy_percent"], p, q[f"{p}_aqy_pct"])
    if any(f"{p}_broadband_aqy_pct" in q for p in products):
        out["aqy_broadband_percent"] = {}
        for p in products:
            _put(out["aqy_broadband_percent"], p, q.get(f"{p}_broadband_aqy_pct"))
    totals: dict[str, Any] = {}
    for key in (
        "electrons_umol",
        "electron_rate_umol_h",
        "ton_electrons_per_qd",
        "aqy_total_pct",
        "broadband_aqy_total_pct",
        "qd_amount_nmol",
    ):
        if key in q:
            _put(totals, key, q[key])
    out["totals"] = totals
    out["photon_flux_umol_h"] = (
        None if "photon_flux_umol_h" not in q else _finite(q["photon_flux_umol_h"].value)
    )
    for key in ("stf_pct", "apparent_stf_pct"):
        if key in q:
            _put(out, key, q[key])
    out["light"] = result.metadata.get("light")
    out["implied"] = {k: _finite(v.value) for k, v in q.items() if k.startswith("implied_")}
    out["cross_checks"] = result.metadata.get("cross_checks", [])
    out["donor"] = result.metadata.get("donor")
    out["controls"] = result.metadata.get("controls", [])
    if "controls_passed" in result.metadata:
        out["controls_passed"] = result.metadata["controls_passed"]
    out["warnings"] = list(result.warnings)
    out["metadata"] = {
        k: result.metadata.get(k)
        for k in (
            "source_file",
            "run_file",
            "n_runs",
            "catalyst_mass_mg",
            "qd_molar_mass_g_mol",
            "surface_cu_per_qd",
            "selectivity_product_basis",
            "selectivity_electron_basis",
            "selectivity_over",
            "ton_basis",
            "rate_fit",
            "uncertainty",
            "tolerance",
        )
    }
    return out


# ----------------------------------------------------------------------------------------------
# AQY vs wavelength
# ----------------------------------------------------------------------------------------------


def aqy_spectrum(
    frame: pd.DataFrame, *, product: str = "CO", area_cm2: float | None = None
) -> Result:
    """AQY at several wavelengths (the seed paper's Fig. S14: 0.32 % at 400 nm ... 0.05 % at 550).

    ``frame`` has one row per monochromatic run: ``wavelength_nm``, ``power_mW_cm2``,
    ``duration_h``, ``<P>_umol`` (amount made in ``duration_h``) and ``area_cm2`` (column or
    argument). Rows at the same wavelength are replicates (mean, stderr sd/sqrt(n)).
    Quantities ``aqy_<wl>nm_pct``; ``curves`` hold wavelength, AQY and stderr.
    """
    file = frame.attrs.get("source_file")
    if product not in ELECTRONS_PER_PRODUCT:
        raise InputError("unknown product", file=file, field="product", found=product)
    z = ELECTRONS_PER_PRODUCT[product]
    needed = ["wavelength_nm", "power_mW_cm2", "duration_h", f"{product}_umol"]
    if area_cm2 is None:
        needed.append("area_cm2")
    for col in needed:
        if col not in frame.columns:
            raise InputError(
                "missing column",
                file=file,
                field=col,
                expected="wavelength_nm, power_mW_cm2, duration_h, area_cm2, " + f"{product}_umol",
                found=[str(c) for c in frame.columns],
            )
    rows = []
    for i, row in frame.iterrows():
        area = float(row["area_cm2"]) if area_cm2 is None else float(area_cm2)
        try:
            flux = photon_flux_umol_h(row["wavelength_nm"], row["power_mW_cm2"], area)
        except InputError as exc:
            raise InputError(
                exc.reason,
                file=file,
                line=i if isinstance(i, int) else None,
                field=exc.field,
                expected=exc.expected,
                found=exc.found,
            ) from None
        t = float(row["duration_h"])
        n = float(row[f"{product}_umol"])
        if not (math.isfinite(t) and t > 0) or not (math.isfinite(n) and n >= 0):
            raise InputError(
                "duration must be > 0 h and the amount >= 0 umol",
                file=file,
                line=i if isinstance(i, int) else None,
                field="duration_h" if not t > 0 else f"{product}_umol",
            )
        rows.append((float(row["wavelength_nm"]), z * n / t / flux * 100.0, flux))
    table = pd.DataFrame(rows, columns=["wavelength_nm", "aqy_pct", "flux"])
    grouped = table.groupby("wavelength_nm")["aqy_pct"]
    wl = np.array(sorted(table["wavelength_nm"].unique()))
    mean = grouped.mean().reindex(wl).to_numpy()
    count = grouped.count().reindex(wl).to_numpy()
    sd = grouped.std(ddof=1).reindex(wl).to_numpy()
    se = np.where(count > 1, sd / np.sqrt(np.maximum(count, 1)), np.nan)
    q = {
        f"aqy_{w:g}nm_pct": Quantity(
            float(m), None if not np.isfinite(e) else float(e), "%", f"{product} AQY at {w:g} nm"
        )
        for w, m, e in zip(wl, mean, se, strict=True)
    }
    return Result(
        analysis="catalysis.aqy_spectrum",
        quantities=q,
        metadata={
            "source_file": None if file is None else str(file),
            "product": product,
            "electrons_per_product": z,
            "definition": "AQY = z n / t / N_photons x 100 %, N = P lambda / (h c)",
        },
        curves={"wavelength_nm": wl, "aqy_pct": mean, "aqy_stderr_pct": se, "n_runs": count},
    )


# ----------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------

_PRODUCT_COLOURS = {
    "CO": "#1f5fa8",
    "H2": "#9aa5b1",
    "CH4": "#e07b24",
    "HCOOH": "#3a9a5b",
    "CH3OH": "#7d55b5",
}
_SAMPLE_COLOURS = ["#1f5fa8", "#d1495b", "#2e933c", "#e07b24", "#7d55b5", "#00798c"]
_LABEL = 12
_SMALL = 9.5


def _pretty(product: str) -> str:
    return re.sub(r"(\d+)", r"$_{\1}$", product)


def _figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _title(ax: Any, text: str) -> None:
    ax.set_title(text, loc="left", fontsize=11, fontweight="bold")


def _value(result: Result, key: str) -> tuple[float, float]:
    q = result.quantities.get(key)
    if q is None:
        return math.nan, 0.0
    se = 0.0 if q.stderr is None or not math.isfinite(float(q.stderr)) else float(q.stderr)
    return float(q.value), se


def _yerr(errors: Sequence[float]) -> list[float] | None:
    """Error bars, or None when no standard error is known (no caps drawn at zero)."""
    return list(errors) if any(e > 0 for e in errors) else None


def plot_performance(result: Result, *, figsize: tuple[float, float] = (11.0, 8.0)) -> Figure:
    """One run, like the seed paper's Fig. 5b, 5f-g: (a) evolution, (b) selectivity on both
    bases, (c) TON per dot and per surface Cu, (d) AQY per product (or mass rates)."""
    products: list[str] = list(result.metadata["products"])
    c = result.curves
    fig = _figure(figsize)
    (ax_a, ax_b), (ax_c, ax_d) = fig.subplots(2, 2)

    t = np.asarray(c["time_h"], dtype=float)
    for p in products:
        mean = np.asarray(c[f"{p}_mean_umol"], dtype=float)
        sd = np.asarray(c[f"{p}_sd_umol"], dtype=float)
        ok = np.isfinite(mean)
        yerr = np.where(np.isfinite(sd), sd, 0.0)[ok] if np.isfinite(sd).any() else None
        rate = result.quantities[f"{p}_rate_fit_umol_h"]
        ax_a.errorbar(
            t[ok],
            mean[ok],
            yerr=yerr,
            fmt="o",
            ms=5,
            capsize=3,
            color=_PRODUCT_COLOURS.get(p, "k"),
            label=f"{_pretty(p)} ({float(rate.value):.3g} µmol h$^{{-1}}$)",
        )
        ax_a.plot(c["fit_time_h"], c[f"{p}_fit_umol"], "-", color=_PRODUCT_COLOURS.get(p, "k"))
    ax_a.set_xlabel("Illumination time (h)", fontsize=_LABEL)
    ax_a.set_ylabel("Amount (µmol)", fontsize=_LABEL)
    ax_a.set_xlim(left=0)
    ax_a.set_ylim(bottom=0)
    ax_a.legend(frameon=False, fontsize=_SMALL, loc="upper left")
    _title(ax_a, f"(a) {result.metadata.get('sample', '')}")

    bases = (("product", "product basis\nn$_i$/Σn"), ("electron", "electron basis\nz$_i$n$_i$/Σzn"))
    x = np.arange(len(bases))
    bottom = np.zeros(len(bases))
    for p in products:
        h = np.array([100 * _value(result, f"selectivity_{b}_{p}")[0] for b, _ in bases])
        h = np.where(np.isfinite(h), h, 0.0)
        ax_b.bar(x, h, 0.55, bottom=bottom, color=_PRODUCT_COLOURS.get(p, "k"), label=_pretty(p))
        for xi, hi, bi in zip(x, h, bottom, strict=True):
            if hi > 6:
                ax_b.text(
                    xi, bi + hi / 2, f"{hi:.1f} %", ha="center", va="center", fontsize=9, color="w"
                )
        bottom += h
    ax_b.set_xticks(x, [label for _, label in bases])
    ax_b.set_ylabel("Selectivity (%)", fontsize=_LABEL)
    ax_b.set_ylim(0, 100)
    ax_b.legend(frameon=False, fontsize=_SMALL, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _title(ax_b, "(b) selectivity, both bases")

    width = 0.38
    xp = np.arange(len(products))
    have_ton = any(f"{p}_ton_per_qd" in result.quantities for p in products)
    if have_ton:
        for j, (suffix, label, colour) in enumerate(
            (
                ("ton_per_qd", "per dot", "#1f5fa8"),
                ("ton_per_surface_cu", "per surface Cu", "#d1495b"),
            )
        ):
            vals = [_value(result, f"{p}_{suffix}") for p in products]
            v = np.array([a for a, _ in vals])
            ax_c.bar(
                xp + (j - 0.5) * width,
                np.where(np.isfinite(v) & (v > 0), v, np.nan),
                width,
                yerr=_yerr([e for _, e in vals]),
                capsize=3,
                color=colour,
                label=label,
            )
        ax_c.set_yscale("log")
        ax_c.set_xticks(xp, [_pretty(p) for p in products])
        ax_c.set_ylabel(f"TON after {result.metadata['final_time_h']:g} h", fontsize=_LABEL)
        ax_c.legend(frameon=False, fontsize=_SMALL)
    else:
        ax_c.text(
            0.5,
            0.5,
            "TON needs catalyst_mass_mg and qd_molar_mass_g_mol",
            ha="center",
            va="center",
            transform=ax_c.transAxes,
        )
        ax_c.set_axis_off()
    _title(ax_c, "(c) turnover number (product basis)")

    aqy = [
        (p, _value(result, f"{p}_aqy_pct")) for p in products if f"{p}_aqy_pct" in result.quantities
    ]
    if aqy:
        v = np.array([a for _, (a, _) in aqy])
        ax_d.bar(
            np.arange(len(aqy)),
            np.where(v > 0, v, np.nan),
            0.55,
            yerr=_yerr([e for _, (_, e) in aqy]),
            capsize=3,
            color=[_PRODUCT_COLOURS.get(p, "k") for p, _ in aqy],
        )
        for i, (_, (a, _)) in enumerate(aqy):
            ax_d.annotate(
                f"{a:.3g} %",
                (i, a),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=9,
            )
        ax_d.set_yscale("log")
        ax_d.set_xticks(np.arange(len(aqy)), [_pretty(p) for p, _ in aqy])
        ax_d.set_ylabel("AQY (%)", fontsize=_LABEL)
        light = result.metadata.get("light") or {}
        _title(ax_d, f"(d) AQY at {light.get('wavelength_nm', 0):g} nm")
    elif any(f"{p}_rate_umol_g_h" in result.quantities for p in products):
        vals = [_value(result, f"{p}_rate_umol_g_h") for p in products]
        ax_d.bar(
            xp,
            [a for a, _ in vals],
            0.55,
            yerr=_yerr([e for _, e in vals]),
            capsize=3,
            color=[_PRODUCT_COLOURS.get(p, "k") for p in products],
        )
        ax_d.set_xticks(xp, [_pretty(p) for p in products])
        ax_d.set_ylabel("Rate (µmol g$^{-1}$ h$^{-1}$)", fontsize=_LABEL)
        _title(ax_d, "(d) mass-normalised rate")
    else:
        ax_d.set_axis_off()
    return fig


def plot_performance_comparison(
    results: Mapping[str, Result],
    *,
    product: str = "CO",
    figsize: tuple[float, float] = (12.0, 4.2),
) -> Figure:
    """Several samples, like Fig. 5a/5g: (a) mass rate, (b) TON per dot and per surface Cu,
    (c) selectivity of ``product`` on the product and electron bases."""
    names = list(results)
    if not names:
        raise InputError("no samples to compare", field="results")
    fig = _figure(figsize)
    ax_a, ax_b, ax_c = fig.subplots(1, 3)
    x = np.arange(len(names))
    colours = [_SAMPLE_COLOURS[i % len(_SAMPLE_COLOURS)] for i in range(len(names))]
    vals = [_value(results[n], f"{product}_rate_umol_g_h") for n in names]
    key_a = "rate_umol_g_h"
    if all(not math.isfinite(v) for v, _ in vals):
        vals = [_value(results[n], f"{product}_rate_umol_h") for n in names]
        key_a = "rate_umol_h"
    ax_a.bar(
        x, [v for v, _ in vals], 0.6, yerr=_yerr([e for _, e in vals]), capsize=3, color=colours
    )
    ax_a.set_xticks(x, names, rotation=20)
    ax_a.set_ylabel(
        f"{_pretty(product)} rate ("
        + ("µmol g$^{-1}$ h$^{-1}$" if key_a == "rate_umol_g_h" else "µmol h$^{-1}$")
        + ")",
        fontsize=_LABEL,
    )
    _title(ax_a, "(a) average rate")

    width = 0.38
    for j, (suffix, label, colour) in enumerate(
        (("ton_per_qd", "per dot", "#1f5fa8"), ("ton_per_surface_cu", "per surface Cu", "#d1495b"))
    ):
        v = [_value(results[n], f"{product}_{suffix}") for n in names]
        arr = np.array([a for a, _ in v])
        ax_b.bar(
            x + (j - 0.5) * width,
            np.where(np.isfinite(arr) & (arr > 0), arr, np.nan),
            width,
            yerr=_yerr([e for _, e in v]),
            capsize=3,
            color=colour,
            label=label,
        )
    ax_b.set_yscale("log")
    ax_b.set_xticks(x, names, rotation=20)
    ax_b.set_ylabel(f"{_pretty(product)} TON", fontsize=_LABEL)
    ax_b.legend(frameon=False, fontsize=_SMALL)
    _title(ax_b, "(b) TON per dot and per surface Cu")

    for j, (basis, label, colour) in enumerate(
        (("product", "product basis", "#1f5fa8"), ("electron", "electron basis", "#9aa5b1"))
    ):
        v = [_value(results[n], f"selectivity_{basis}_{product}") for n in names]
        ax_c.bar(
            x + (j - 0.5) * width,
            [100 * a for a, _ in v],
            width,
            yerr=_yerr([100 * e for _, e in v]),
            capsize=3,
            color=colour,
            label=label,
        )
    ax_c.set_xticks(x, names, rotation=20)
    ax_c.set_ylim(0, 105)
    ax_c.set_ylabel(f"{_pretty(product)} selectivity (%)", fontsize=_LABEL)
    ax_c.legend(frameon=False, fontsize=_SMALL, loc="lower right")
    _title(ax_c, "(c) selectivity")
    return fig


def plot_aqy_spectrum(
    result: Result, absorbance: Any = None, *, figsize: tuple[float, float] = (6.4, 4.2)
) -> Figure:
    """AQY vs wavelength (points) over the absorption spectrum (line, right axis).

    ``absorbance``: an :class:`xarray.DataArray` on ``wavelength_nm`` (as
    :func:`qdcat.pipeline.analyses.band_gap.load_spectrum` returns) or ``(wavelength, A)``.
    """
    c = result.curves
    fig = _figure(figsize)
    ax = fig.add_subplot()
    se = np.asarray(c["aqy_stderr_pct"], dtype=float)
    ax.errorbar(
        c["wavelength_nm"],
        c["aqy_pct"],
        yerr=np.where(np.isfinite(se), se, 0.0),
        fmt="o-",
        color="#1f5fa8",
        ms=6,
        capsize=3,
        label=f"AQY ({result.metadata.get('product', 'CO')})",
    )
    ax.set_xlabel("Wavelength (nm)", fontsize=_LABEL)
    ax.set_ylabel("AQY (%)", fontsize=_LABEL, color="#1f5fa8")
    ax.set_ylim(bottom=0)
    if absorbance is not None:
        if hasattr(absorbance, "dims"):
            dim = absorbance.dims[0]
            wl = np.asarray(absorbance.coords[dim].values, dtype=float)
            if dim == "energy_eV":
                from qdcat.core.constants import HC_eV_nm

                wl = HC_eV_nm / wl
            a = np.asarray(absorbance.values, dtype=float)
        else:
            wl, a = (np.asarray(v, dtype=float) for v in absorbance)
        order = np.argsort(wl)
        ax2 = ax.twinx()
        ax2.plot(wl[order], a[order], "-", color="0.4", lw=1.2, label="absorbance")
        ax2.set_ylabel("Absorbance", fontsize=_LABEL, color="0.4")
        ax2.set_ylim(bottom=0)
        lo, hi = float(np.min(c["wavelength_nm"])), float(np.max(c["wavelength_nm"]))
        ax.set_xlim(max(float(wl.min()), lo - 60), min(float(wl.max()), hi + 120))
    ax.set_title("AQY vs wavelength over the absorption spectrum", loc="left", fontsize=11)
    return fig
