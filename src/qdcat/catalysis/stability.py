"""Stability of a photocatalyst: cycle tests, long-term deactivation, donor budget, outdoor runs.

Cycle test
----------
The reactor is refilled with CO2 and fresh donor after each cycle (the seed paper, Fig. 5c).
:func:`cycle_test` reads a table ``cycle, time_h, <P>_umol [, run]`` with amounts cumulative
*within* each cycle and ``time_h`` either counted from the start of each cycle (it resets) or
from the start of the first cycle (absolute; cycle k starts where cycle k-1 ended). The rate of
cycle k is its amount at the common window W divided by W, where W is the shortest cycle
(equal windows; a longer cycle is read at W by linear interpolation between its readings,
starting from zero at the cycle start). Retention = rate_k / rate_1.

Long-term deactivation
----------------------
First-order deactivation of the production rate, r(t) = r0 exp(-k t), gives the amount made in
a cycle that starts at s (fresh atmosphere and donor, same catalyst):

    n(t) = r0 exp(-k s) (1 - exp(-k (t - s))) / k,        n(t) = r0 (t - s) for k = 0,

with one cycle starting at s = 0 for a continuous run. :func:`fit_deactivation` fits r0 and k
by weighted least squares (relative weights: constant relative GC error), giving the half-life
t1/2 = ln 2 / k and the activity retained after T hours, exp(-k T), with standard errors from
the covariance (scaled by the reduced residual sum of squares). The paper reports "about 70 %
of the initial activity after 360 h" (three 120 h cycles): a retention read as rate(360 h) /
rate(0) and one read as rate in the last cycle / rate in the first are different numbers; both
are reported, each labelled.

Donor budget
------------
Each product needs z electrons (z = 2 CO, H2, HCOOH; 6 CH3OH; 8 CH4), each donor molecule gives
``electrons_per_molecule`` (ascorbic acid -> dehydroascorbic acid: 2). Consumed donor =
sum z n / electrons_per_molecule; it cannot exceed the donor supplied.

Outdoor runs
------------
A table ``day, <P>_umol [, irradiance_W_m2 | insolation_kWh_m2] [, temperature_C]`` of daily
yields (or cumulative with ``cumulative=True``) against the logged sunlight: the daily
insolation (kWh m-2 = mean irradiance over 24 h x 24 h / 1000), the yield per insolation, its
linear relation with insolation through the origin, and the trend of the insolation-normalised
yield over the days (the seed paper: 28 days outdoors at 2-23 degC, Fig. 5i).

Reference: Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884 (Fig. 5c, 5i).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from qdcat.catalysis.yields import ELECTRONS_PER_PRODUCT, evolution_model
from qdcat.core.errors import FitError, InputError
from qdcat.core.results import FitQuality, Quantity, Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "cycle_model",
    "cycle_test",
    "donor_budget",
    "fit_deactivation",
    "outdoor_runs",
    "plot_cycles",
    "plot_deactivation",
    "plot_outdoor",
    "simulate_cycles",
]

_LN2 = math.log(2.0)
_LABEL_SIZE = 12
_COLOURS = ["#1f5fa8", "#d1495b", "#2e933c", "#e07b24", "#7d55b5"]


# ----------------------------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------------------------


def cycle_model(
    time_h: ArrayLike, start_h: ArrayLike, initial_rate_umol_h: float, deactivation_per_h: float
) -> NDArray[np.float64]:
    """Amount (umol) made since the cycle start ``start_h`` by a first-order deactivating rate.

    n(t) = r0 exp(-k s) (1 - exp(-k (t - s))) / k (see the module docstring); ``t >= s``.
    """
    t = np.asarray(time_h, dtype=float)
    s = np.asarray(start_h, dtype=float)
    if np.any(t < s - 1e-9):
        raise InputError("a reading before its cycle start", field="time_h", found=t[t < s][:3])
    k = float(deactivation_per_h)
    per_cycle = evolution_model(np.maximum(t - s, 0.0), 1.0, deactivation_per_h=k)
    return initial_rate_umol_h * np.exp(-k * s) * per_cycle


def simulate_cycles(
    n_cycles: int,
    cycle_h: float,
    times_in_cycle_h: ArrayLike,
    initial_rate_umol_h: float,
    deactivation_per_h: float,
    *,
    product: str = "CO",
    relative_noise: float = 0.03,
    n_runs: int = 1,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """Synthetic cycle-test data (``run, cycle, time_h, <P>_umol``), ``time_h`` absolute.

    Readings are :func:`cycle_model` x (1 + ``relative_noise`` N(0, 1)), clipped at zero and
    made non-decreasing within each cycle. ``attrs`` holds the truth.
    """
    tau = np.asarray(times_in_cycle_h, dtype=float)
    gen = np.random.default_rng(rng)
    rows = []
    for run in range(1, n_runs + 1):
        for c in range(n_cycles):
            s = c * cycle_h
            clean = cycle_model(s + tau, s, initial_rate_umol_h, deactivation_per_h)
            noisy = clean * (1.0 + relative_noise * gen.standard_normal(tau.size))
            noisy = np.maximum.accumulate(np.clip(noisy, 0.0, None))
            for t, y in zip(s + tau, noisy, strict=True):
                rows.append({"run": run, "cycle": c + 1, "time_h": t, f"{product}_umol": y})
    frame = pd.DataFrame(rows)
    frame.attrs = {
        "simulated": True,
        "initial_rate_umol_h": initial_rate_umol_h,
        "deactivation_per_h": deactivation_per_h,
        "cycle_h": cycle_h,
        "relative_noise": relative_noise,
    }
    return frame


# ----------------------------------------------------------------------------------------------
# reading a cycle or long-term table
# ----------------------------------------------------------------------------------------------


def _file(frame: pd.DataFrame) -> str | None:
    src = frame.attrs.get("source_file")
    return None if src is None else str(src)


def _column(frame: pd.DataFrame, name: str, file: str | None, what: str) -> NDArray[np.float64]:
    if name not in frame.columns:
        raise InputError(
            "missing column",
            file=file,
            field=name,
            expected=what,
            found=[str(c) for c in frame.columns],
        )
    try:
        values = np.asarray(frame[name], dtype=float)
    except (TypeError, ValueError):
        raise InputError("column is not numeric", file=file, field=name) from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(
            f"empty or non-finite value at row {frame.index[np.flatnonzero(bad)[0]]!r}",
            file=file,
            field=name,
            expected="finite numbers",
        )
    return values


def _check_product(product: str, file: str | None) -> None:
    if product not in ELECTRONS_PER_PRODUCT:
        raise InputError(
            f"unknown product {product!r}",
            file=file,
            field="product",
            expected=f"one of {list(ELECTRONS_PER_PRODUCT)}",
        )


def _cycle_series(
    frame: pd.DataFrame, product: str
) -> tuple[list[dict[str, Any]], str, str | None]:
    """Validated cycles: per (run, cycle) the start, times and amounts; the time convention."""
    file = _file(frame)
    _check_product(product, file)
    column = f"{product}_umol"
    t = _column(frame, "time_h", file, "illumination time in hours")
    y = _column(frame, column, file, f"cumulative {product} amount within each cycle, umol")
    if "cycle" in frame.columns:
        cycle = _column(frame, "cycle", file, "cycle number")
    else:
        cycle = np.ones(t.size)
    run = np.asarray(frame["run"].astype(str)) if "run" in frame.columns else np.full(t.size, "1")
    index = list(frame.index)
    if np.any(y < 0):
        i = int(np.flatnonzero(y < 0)[0])
        raise InputError(
            f"negative amount at row {index[i]!r}",
            file=file,
            field=column,
            expected=">= 0 umol",
            found=float(y[i]),
        )
    if np.any(t < 0):
        i = int(np.flatnonzero(t < 0)[0])
        raise InputError(f"negative time at row {index[i]!r}", file=file, field="time_h")
    cycles = []
    for r in dict.fromkeys(run):
        numbers = list(dict.fromkeys(cycle[run == r]))
        if numbers != sorted(numbers):
            raise InputError(
                f"cycles are not in order in run {r}",
                file=file,
                field="cycle",
                expected="cycle 1, 2, 3 ... in file order",
                found=numbers,
            )
        for c in numbers:
            sel = np.flatnonzero((run == r) & (cycle == c))
            tc, yc = t[sel], y[sel]
            if np.any(np.diff(tc) <= 0):
                i = sel[int(np.flatnonzero(np.diff(tc) <= 0)[0]) + 1]
                raise InputError(
                    f"times are not increasing within cycle {c:g} (run {r}) at row {index[i]!r}",
                    file=file,
                    field="time_h",
                    expected="strictly increasing times within a cycle",
                    found=float(t[i]),
                )
            drop = np.maximum.accumulate(yc) - yc
            if yc.size and drop.max() > 0.10 * max(yc.max(), 1e-300):
                i = sel[int(np.argmax(drop))]
                raise InputError(
                    f"cumulative amount falls within cycle {c:g} (run {r}) at row {index[i]!r}",
                    file=file,
                    field=column,
                    expected="amounts cumulative within each cycle (non-decreasing)",
                    found=float(y[i]),
                )
            cycles.append({"run": r, "cycle": float(c), "t": tc, "y": yc})
    # time convention: relative if every cycle's times start again near zero
    by_run: dict[str, list[dict[str, Any]]] = {}
    for c in cycles:
        by_run.setdefault(c["run"], []).append(c)
    absolute = any(
        cs[i]["t"][0] >= cs[i - 1]["t"][-1] - 1e-9 and cs[i]["t"][0] > 0
        for cs in by_run.values()
        for i in range(1, len(cs))
    )
    for cs in by_run.values():
        start = 0.0
        for c in cs:
            if absolute:
                if c["t"][0] < start - 1e-9:
                    raise InputError(
                        f"cycle {c['cycle']:g} (run {c['run']}) starts at {c['t'][0]:g} h, before "
                        f"the previous cycle ended ({start:g} h)",
                        file=file,
                        field="time_h",
                        expected="absolute times increasing across cycles, or times that reset "
                        "to 0 in every cycle",
                    )
                c["start"] = start
                c["tau"] = c["t"] - start
                start = float(c["t"][-1])
            else:
                c["start"] = start
                c["tau"] = c["t"]
                start += float(c["t"][-1])
    return cycles, ("absolute" if absolute else "per cycle"), file


def _amount_at(tau: NDArray[np.float64], y: NDArray[np.float64], w: float) -> float:
    if tau[0] > 0:
        tau, y = np.concatenate([[0.0], tau]), np.concatenate([[0.0], y])
    return float(np.interp(w, tau, y))


# ----------------------------------------------------------------------------------------------
# cycle test
# ----------------------------------------------------------------------------------------------


def cycle_test(
    frame: pd.DataFrame, *, product: str = "CO", catalyst_mass_mg: float | None = None
) -> Result:
    """Rate per cycle over equal windows and retention relative to the first cycle.

    Quantities: ``cycle<k>_rate_umol_h`` (mean over runs; stderr sd/sqrt(n) for n > 1 runs),
    ``cycle<k>_retention`` (rate_k / rate_1), ``retention_last``, ``window_h``, and with
    ``catalyst_mass_mg`` ``cycle<k>_rate_umol_g_h``. ``curves`` hold every cycle's readings
    on the absolute time axis for :func:`plot_cycles`.
    """
    cycles, convention, file = _cycle_series(frame, product)
    numbers = sorted({c["cycle"] for c in cycles})
    windows = [float(c["tau"][-1]) for c in cycles]
    w = min(windows)
    if not w > 0:
        raise InputError("a cycle of zero length", file=file, field="time_h")
    warnings = []
    if max(windows) > w * 1.01:
        warnings.append(
            f"cycles have unequal lengths ({min(windows):g}-{max(windows):g} h): rates compared "
            f"over the common first {w:g} h (interpolated)"
        )
    quantities: dict[str, Quantity] = {}
    rates: dict[float, tuple[float, float | None]] = {}
    for n in numbers:
        values = np.array([_amount_at(c["tau"], c["y"], w) / w for c in cycles if c["cycle"] == n])
        mean = float(values.mean())
        se = float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else None
        rates[n] = (mean, se)
        quantities[f"cycle{n:g}_rate_umol_h"] = Quantity(
            mean, se, "umol h-1", f"{product} made in the first {w:g} h of cycle {n:g} / {w:g} h"
        )
        if catalyst_mass_mg is not None:
            m_g = float(catalyst_mass_mg) / 1000.0
            quantities[f"cycle{n:g}_rate_umol_g_h"] = Quantity(
                mean / m_g, None if se is None else se / m_g, "umol g-1 h-1", "per gram"
            )
    r1, se1 = rates[numbers[0]]
    if not r1 > 0:
        raise InputError(f"no {product} in the first cycle: retention undefined", file=file)
    for n in numbers:
        r, se = rates[n]
        ret_se = None
        if se is not None and se1 is not None:
            ret_se = (r / r1) * math.sqrt((se / r) ** 2 + (se1 / r1) ** 2) if r > 0 else None
        quantities[f"cycle{n:g}_retention"] = Quantity(
            r / r1, ret_se if n != numbers[0] else None, "", f"rate of cycle {n:g} / cycle 1"
        )
    last = quantities[f"cycle{numbers[-1]:g}_retention"]
    quantities["retention_last"] = Quantity(
        last.value, last.stderr, "", f"rate of the last cycle ({numbers[-1]:g}) / first cycle"
    )
    quantities["window_h"] = Quantity(w, None, "h", "common window of every cycle")
    total = sum(c["start"] + c["tau"][-1] for c in cycles if c["cycle"] == numbers[-1]) / len(
        [c for c in cycles if c["cycle"] == numbers[-1]]
    )
    curves = {
        "time_h": np.concatenate([c["start"] + c["tau"] for c in cycles]),
        "amount_umol": np.concatenate([c["y"] for c in cycles]),
        "cycle": np.concatenate([np.full(c["y"].size, c["cycle"]) for c in cycles]),
        "run": np.concatenate([np.full(c["y"].size, c["run"], dtype=object) for c in cycles]),
        "cycle_start_h": np.array([c["start"] for c in cycles]),
    }
    return Result(
        analysis="catalysis.cycles",
        quantities=quantities,
        warnings=tuple(warnings),
        metadata={
            "source_file": file,
            "product": product,
            "n_cycles": len(numbers),
            "n_runs": len({c["run"] for c in cycles}),
            "time_convention": convention,
            "total_time_h": float(total),
            "retention_basis": "rate in cycle k over the common window / rate in cycle 1",
        },
        curves=curves,
    )


# ----------------------------------------------------------------------------------------------
# deactivation fit
# ----------------------------------------------------------------------------------------------


def fit_deactivation(
    frame: pd.DataFrame,
    *,
    product: str = "CO",
    weighting: str = "relative",
    retention_at_h: float | None = None,
) -> Result:
    """First-order deactivation fit of a long-term run or cycle test (module docstring).

    ``frame`` as for :func:`cycle_test` (a continuous run is one cycle; no ``cycle`` column
    needed). Readings at the cycle start (t = s) carry no information and are left out.

    Quantities: ``initial_rate_umol_h`` (r0), ``deactivation_rate_per_h`` (k),
    ``half_life_h`` (ln 2 / k; NaN with a warning when k <= 0), ``retention`` = exp(-k T) at
    T = ``retention_at_h`` (default: the end of the data), and for cycle data
    ``retention_last_cycle_model`` = model rate of the last cycle / first cycle over their
    windows. ``fit`` records convergence; a fit that fails raises
    :class:`~qdcat.core.errors.FitError`.
    """
    if weighting not in ("relative", "uniform"):
        raise InputError(
            "unknown weighting", field="weighting", expected="relative or uniform", found=weighting
        )
    cycles, convention, file = _cycle_series(frame, product)
    t = np.concatenate([c["start"] + c["tau"] for c in cycles])
    s = np.concatenate([np.full(c["tau"].size, c["start"]) for c in cycles])
    y = np.concatenate([c["y"] for c in cycles])
    use = t > s + 1e-12
    t, s, y = t[use], s[use], y[use]
    if t.size < 3:
        raise InputError(
            "need at least 3 readings after the cycle starts to fit r0 and k",
            file=file,
            field="time_h",
            found=int(t.size),
        )
    if weighting == "relative" and np.any(y <= 0):
        raise InputError(
            "relative weighting needs positive amounts",
            file=file,
            field=f"{product}_umol",
            expected="amounts > 0 after the cycle start, or weighting='uniform'",
        )
    sigma = y if weighting == "relative" else np.ones_like(y)
    tau = t - s
    r_guess = float(np.median(y / tau))
    t_end = float(t.max())

    def resid(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return (cycle_model(t, s, p[0], p[1]) - y) / sigma

    k_bound = 20.0 / t_end
    try:
        sol = optimize.least_squares(
            resid,
            x0=[r_guess, 0.1 / t_end],
            bounds=([0.0, -k_bound], [np.inf, k_bound]),
            x_scale=[r_guess, 1.0 / t_end],
            method="trf",
        )
    except (ValueError, FloatingPointError) as exc:
        raise FitError(f"deactivation fit failed: {exc}") from exc
    r0, k = (float(v) for v in sol.x)
    n, p = y.size, 2
    ssr = float(np.sum(sol.fun**2))
    dof = n - p
    stderr: list[float | None] = [None, None]
    if dof > 0:
        jac = sol.jac
        try:
            cov = np.linalg.inv(jac.T @ jac) * (ssr / dof)
            stderr = [float(math.sqrt(cov[0, 0])), float(math.sqrt(cov[1, 1]))]
        except np.linalg.LinAlgError:
            stderr = [None, None]
    converged = bool(sol.success) and all(e is not None and math.isfinite(e) for e in stderr)
    warnings = []
    at_bound = abs(abs(k) - k_bound) < 1e-6 * k_bound
    if at_bound:
        converged = False
        warnings.append(f"k hit the bound +-{k_bound:.3g} h-1: the data do not fix it")
    model = cycle_model(t, s, r0, k)
    quantities: dict[str, Quantity] = {
        "initial_rate_umol_h": Quantity(r0, stderr[0], "umol h-1", "production rate at t = 0"),
        "deactivation_rate_per_h": Quantity(
            k,
            stderr[1],
            "h-1",
            "first-order deactivation constant k, r(t) = r0 exp(-k t)",
            stderr_name="deactivation_rate_stderr_per_h",
        ),
    }
    if k > 0:
        hl_se = None if stderr[1] is None else _LN2 * stderr[1] / k**2
        quantities["half_life_h"] = Quantity(_LN2 / k, hl_se, "h", "ln 2 / k")
    else:
        quantities["half_life_h"] = Quantity(math.nan, None, "h", "ln 2 / k (no deactivation)")
        warnings.append(f"no deactivation found (k = {k:.3g} h-1): the half-life is undefined")
    horizon = t_end if retention_at_h is None else float(retention_at_h)
    ret = math.exp(-k * horizon)
    quantities["retention"] = Quantity(
        ret,
        None if stderr[1] is None else horizon * ret * stderr[1],
        "",
        f"rate at {horizon:g} h / initial rate, exp(-k T)",
    )
    starts = sorted({c["start"] for c in cycles})
    if len(starts) > 1:
        w = min(float(c["tau"][-1]) for c in cycles)
        first = cycle_model(starts[0] + w, starts[0], r0, k)
        last = cycle_model(starts[-1] + w, starts[-1], r0, k)
        quantities["retention_last_cycle_model"] = Quantity(
            float(last / first),
            None
            if stderr[1] is None
            else float((starts[-1] - starts[0]) * last / first * stderr[1]),
            "",
            "model: amount in the last cycle / first cycle over the common window, "
            "exp(-k (s_last - s_first))",
        )
    rmse = float(np.sqrt(np.mean((model - y) ** 2)))
    grid = np.linspace(0.0, max(t_end, horizon), 400)
    seg_start = np.array([max([st for st in starts if st <= g] or [0.0]) for g in grid])
    curves = {
        "time_h": t,
        "cycle_start_h": s,
        "amount_umol": y,
        "model_umol": model,
        "grid_h": grid,
        "grid_model_umol": cycle_model(grid, seg_start, r0, k),
        "grid_rate_umol_h": r0 * np.exp(-k * grid),
    }
    return Result(
        analysis="catalysis.deactivation",
        quantities=quantities,
        fit=FitQuality(
            converged=converged,
            n_evaluations=int(sol.nfev),
            n_points=n,
            n_parameters=p,
            rmse=rmse,
            chi2_reduced=ssr / dof if dof > 0 else None,
            message=str(sol.message),
        ),
        warnings=tuple(warnings),
        metadata={
            "source_file": file,
            "product": product,
            "model": "r(t) = r0 exp(-k t); cycle amount n = r0 exp(-k s)(1 - exp(-k (t-s)))/k",
            "weighting": weighting,
            "time_convention": convention,
            "retention_at_h": horizon,
            "n_cycles": len(starts),
        },
        curves=curves,
    )


# ----------------------------------------------------------------------------------------------
# donor budget
# ----------------------------------------------------------------------------------------------


def donor_budget(
    amounts_umol: Mapping[str, float],
    *,
    supplied_umol: float,
    electrons_per_molecule: int = 2,
    name: str = "ascorbic acid",
    amounts_stderr_umol: Mapping[str, float | None] | None = None,
) -> Result:
    """Donor consumed by the products (electrons / electrons_per_molecule) vs donor supplied.

    Quantities: ``electrons_umol`` (sum z n), ``donor_consumed_umol``,
    ``donor_supplied_umol``, ``donor_consumed_fraction``, ``donor_remaining_umol``. A consumed
    fraction above 1 is physically impossible for the stated donor (warning: another electron
    source or a quantification error); above 0.5 the rate may be donor-limited (warning).
    """
    supplied = float(supplied_umol)
    if not (math.isfinite(supplied) and supplied > 0):
        raise InputError("donor supplied must be positive", field="supplied_umol", found=supplied)
    if isinstance(electrons_per_molecule, bool) or int(electrons_per_molecule) < 1:
        raise InputError(
            "electrons per donor molecule must be a positive integer",
            field="electrons_per_molecule",
            found=electrons_per_molecule,
        )
    e_per = int(electrons_per_molecule)
    electrons = 0.0
    var = 0.0
    known = True
    for product, n in amounts_umol.items():
        _check_product(product, None)
        z = ELECTRONS_PER_PRODUCT[product]
        electrons += z * float(n)
        se = None if amounts_stderr_umol is None else amounts_stderr_umol.get(product)
        if se is None:
            known = False
        else:
            var += (z * float(se)) ** 2
    e_se = math.sqrt(var) if known and amounts_umol else None
    consumed = electrons / e_per
    c_se = None if e_se is None else e_se / e_per
    fraction = consumed / supplied
    warnings = []
    if fraction > 1:
        warnings.append(
            f"INCONSISTENT: the products need {electrons:.4g} umol electrons = {consumed:.4g} umol "
            f"{name}, more than the {supplied:.4g} umol supplied ({fraction:.0%}): another "
            "electron source (ligands, the dots themselves) or a quantification error"
        )
    elif fraction > 0.5:
        warnings.append(
            f"{fraction:.0%} of the {name} is used up: the rate may become donor-limited "
            "(renew the donor between cycles)"
        )
    q = {
        "electrons_umol": Quantity(electrons, e_se, "umol", "electrons in the products, sum z n"),
        "donor_consumed_umol": Quantity(
            consumed, c_se, "umol", f"{name} consumed = electrons / {e_per}"
        ),
        "donor_supplied_umol": Quantity(supplied, None, "umol", f"{name} put into the reactor"),
        "donor_consumed_fraction": Quantity(
            fraction, None if c_se is None else c_se / supplied, "", "consumed / supplied"
        ),
        "donor_remaining_umol": Quantity(
            supplied - consumed, c_se, "umol", f"{name} left if it only fed these products"
        ),
    }
    return Result(
        analysis="catalysis.donor_budget",
        quantities=q,
        warnings=tuple(warnings),
        metadata={
            "donor": name,
            "electrons_per_molecule": e_per,
            "electrons_per_product": {p: ELECTRONS_PER_PRODUCT[p] for p in amounts_umol},
        },
    )


# ----------------------------------------------------------------------------------------------
# outdoor runs
# ----------------------------------------------------------------------------------------------


def outdoor_runs(frame: pd.DataFrame, *, product: str = "CO", cumulative: bool = False) -> Result:
    """Daily yields against logged sunlight (module docstring).

    Columns: ``day`` (1, 2, ...), ``<P>_umol`` (daily yield; cumulative with
    ``cumulative=True``), one of ``insolation_kWh_m2`` (daily irradiation) or
    ``irradiance_W_m2`` (mean over the whole day), optional ``temperature_C``.

    Quantities: ``total_umol``, ``mean_daily_umol``, ``yield_per_insolation_umol_m2_kWh``
    (slope of daily yield vs insolation through the origin, with stderr), ``insolation_r``
    (Pearson r of yield with insolation), ``normalised_trend_per_day`` (slope of yield per
    insolation vs day, relative to its day-1 value), ``normalised_retention`` (fitted
    normalised yield on the last day / first day), ``temperature_r`` when temperatures are
    given, ``n_days``.
    """
    file = _file(frame)
    _check_product(product, file)
    column = f"{product}_umol"
    day = _column(frame, "day", file, "day number (1, 2, ...)")
    y = _column(frame, column, file, f"daily {product} yield, umol")
    if np.any(np.diff(day) <= 0):
        i = int(np.flatnonzero(np.diff(day) <= 0)[0]) + 1
        raise InputError(
            f"days are not increasing at row {frame.index[i]!r}",
            file=file,
            field="day",
            found=float(day[i]),
        )
    if cumulative:
        if np.any(np.diff(y) < 0):
            raise InputError("cumulative yield falls", file=file, field=column)
        y = np.diff(np.concatenate([[0.0], y]))
    if np.any(y < 0):
        raise InputError("negative daily yield", file=file, field=column, expected=">= 0 umol")
    if "insolation_kWh_m2" in frame.columns:
        ins = _column(frame, "insolation_kWh_m2", file, "daily insolation, kWh m-2")
        basis = "insolation_kWh_m2 as logged"
    elif "irradiance_W_m2" in frame.columns:
        ins = _column(frame, "irradiance_W_m2", file, "mean irradiance over the day") * 24 / 1000
        basis = "mean irradiance over 24 h x 24 h / 1000 (kWh m-2)"
    else:
        raise InputError(
            "no sunlight log",
            file=file,
            field="insolation_kWh_m2",
            expected="a column insolation_kWh_m2 or irradiance_W_m2",
            found=[str(c) for c in frame.columns],
        )
    if np.any(ins < 0):
        raise InputError("negative insolation", file=file, field="insolation_kWh_m2")
    n = y.size
    q: dict[str, Quantity] = {
        "total_umol": Quantity(float(y.sum()), None, "umol", f"{product} over {n} days"),
        "mean_daily_umol": Quantity(
            float(y.mean()),
            float(y.std(ddof=1) / math.sqrt(n)) if n > 1 else None,
            "umol",
            "mean daily yield (stderr: day-to-day scatter / sqrt(n))",
        ),
        "n_days": Quantity(float(n), None, "", "days logged"),
    }
    warnings = []
    sxx = float(np.sum(ins**2))
    if sxx > 0:
        slope = float(np.sum(ins * y)) / sxx
        res = y - slope * ins
        se = math.sqrt(float(np.sum(res**2)) / (n - 1) / sxx) if n > 1 else None
        q["yield_per_insolation_umol_m2_kWh"] = Quantity(
            slope, se, "umol m2 kWh-1", "daily yield / daily insolation (fit through the origin)"
        )
    if n > 2 and np.std(ins) > 0 and np.std(y) > 0:
        q["insolation_r"] = Quantity(
            float(np.corrcoef(ins, y)[0, 1]), None, "", "Pearson r of daily yield with insolation"
        )
    dark = ins <= 0
    if dark.any():
        warnings.append(f"{int(dark.sum())} day(s) without logged sunlight left out of the trend")
    ok = ~dark
    normalised = np.full(n, math.nan)
    normalised[ok] = y[ok] / ins[ok]
    if ok.sum() > 2:
        a, b = np.polyfit(day[ok], normalised[ok], 1)
        cov = np.polyfit(day[ok], normalised[ok], 1, cov=True)[1] if ok.sum() > 3 else None
        first = b + a * day[ok][0]
        lastv = b + a * day[ok][-1]
        q["normalised_trend_per_day"] = Quantity(
            float(a / first) if first > 0 else math.nan,
            None if cov is None or not first > 0 else float(math.sqrt(cov[0, 0]) / first),
            "d-1",
            "change of yield per insolation per day, relative to the fitted day-1 value",
        )
        q["normalised_retention"] = Quantity(
            float(lastv / first) if first > 0 else math.nan,
            None,
            "",
            "fitted yield per insolation on the last day / first day",
        )
    if "temperature_C" in frame.columns:
        temp = _column(frame, "temperature_C", file, "temperature, degC")
        if ok.sum() > 2 and np.std(temp[ok]) > 0:
            q["temperature_r"] = Quantity(
                float(np.corrcoef(temp[ok], normalised[ok])[0, 1]),
                None,
                "",
                "Pearson r of yield per insolation with temperature",
            )
    curves: dict[str, Any] = {"day": day, "yield_umol": y, "insolation_kWh_m2": ins}
    if "temperature_C" in frame.columns:
        curves["temperature_C"] = np.asarray(frame["temperature_C"], dtype=float)
    return Result(
        analysis="catalysis.outdoor",
        quantities=q,
        warnings=tuple(warnings),
        metadata={
            "source_file": file,
            "product": product,
            "insolation_basis": basis,
            "input": "cumulative" if cumulative else "daily yields",
        },
        curves=curves,
    )


# ----------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------


def _figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_cycles(
    result: Result, fit: Result | None = None, *, figsize: tuple[float, float] = (10.0, 4.2)
) -> Figure:
    """Cycle test like the seed paper's Fig. 5c: (a) amount vs time with the cycles, (b) rates.

    ``fit`` (from :func:`fit_deactivation` on the same data) adds the model curve.
    """
    c = result.curves
    product = result.metadata.get("product", "CO")
    fig = _figure(figsize)
    ax_a, ax_b = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1.0]})
    runs = list(dict.fromkeys(c["run"]))
    for i, r in enumerate(runs):
        sel = c["run"] == r
        for n in np.unique(c["cycle"][sel]):
            m = sel & (c["cycle"] == n)
            ax_a.plot(
                c["time_h"][m],
                c["amount_umol"][m],
                "o-",
                color=_COLOURS[i % len(_COLOURS)],
                ms=4.5,
                lw=1.2,
                label=f"run {r}" if n == np.unique(c["cycle"][sel])[0] and len(runs) > 1 else None,
            )
    for s in np.unique(c["cycle_start_h"])[1:]:
        ax_a.axvline(s, color="0.6", ls=":", lw=1)
    if fit is not None:
        ax_a.plot(
            fit.curves["grid_h"], fit.curves["grid_model_umol"], "-", color="k", lw=1, label="fit"
        )
    ax_a.set_xlabel("Illumination time (h)", fontsize=_LABEL_SIZE)
    ax_a.set_ylabel(f"{product} amount in the cycle (µmol)", fontsize=_LABEL_SIZE)
    ax_a.set_title("(a) cycles (dotted: fresh CO$_2$ and donor)", loc="left", fontsize=11)
    ax_a.set_xlim(left=0)
    ax_a.set_ylim(bottom=0)
    if ax_a.get_legend_handles_labels()[0]:
        ax_a.legend(frameon=False, fontsize=9)
    n_cycles = int(result.metadata["n_cycles"])
    keys = sorted(
        (k for k in result.quantities if k.startswith("cycle") and k.endswith("_rate_umol_h")),
        key=lambda k: float(k[5 : -len("_rate_umol_h")]),
    )
    rates = [result.quantities[k] for k in keys]
    x = np.arange(1, len(rates) + 1)
    err = [0.0 if q.stderr is None else float(q.stderr) for q in rates]
    ax_b.bar(
        x,
        [float(q.value) for q in rates],
        0.6,
        yerr=err if any(e > 0 for e in err) else None,
        capsize=3,
        color="#1f5fa8",
    )
    for xi, k, e in zip(x, keys, err, strict=True):
        ret = result.quantities[k.replace("_rate_umol_h", "_retention")]
        ax_b.annotate(
            f"{100 * float(ret.value):.0f} %",
            (xi, float(result.quantities[k].value) + e),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax_b.set_xticks(x, [f"{i}" for i in x])
    ax_b.set_xlabel("Cycle", fontsize=_LABEL_SIZE)
    ax_b.set_ylabel(f"{product} rate (µmol h$^{{-1}}$)", fontsize=_LABEL_SIZE)
    w = float(result.quantities["window_h"].value)
    ax_b.set_title(
        f"(b) rate over {w:g} h, % of cycle 1 ({n_cycles} cycles)", loc="left", fontsize=11
    )
    return fig


def plot_deactivation(result: Result, *, figsize: tuple[float, float] = (6.4, 4.2)) -> Figure:
    """Long-term run with the first-order deactivation fit and the rate r0 exp(-k t)."""
    c = result.curves
    product = result.metadata.get("product", "CO")
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.plot(c["time_h"], c["amount_umol"], "o", color="#1f5fa8", ms=5, label="data")
    ax.plot(c["grid_h"], c["grid_model_umol"], "-", color="k", lw=1.2, label="fit")
    ax.set_xlabel("Illumination time (h)", fontsize=_LABEL_SIZE)
    ax.set_ylabel(f"{product} amount since cycle start (µmol)", fontsize=_LABEL_SIZE)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.plot(c["grid_h"], c["grid_rate_umol_h"], "--", color="#d1495b", lw=1.2, label="rate")
    ax2.set_ylabel("rate r$_0$ e$^{-kt}$ (µmol h$^{-1}$)", fontsize=_LABEL_SIZE, color="#d1495b")
    ax2.set_ylim(bottom=0)
    hl = result.quantities["half_life_h"]
    ret = result.quantities["retention"]
    ax.set_title(
        f"t$_{{1/2}}$ = {hl}, retained after {result.metadata['retention_at_h']:g} h: "
        f"{100 * float(ret.value):.0f} %",
        loc="left",
        fontsize=10,
    )
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return fig


def plot_outdoor(result: Result, *, figsize: tuple[float, float] = (8.0, 4.2)) -> Figure:
    """Outdoor run like Fig. 5i: daily yield (bars) with the daily insolation (line)."""
    c = result.curves
    product = result.metadata.get("product", "CO")
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.bar(c["day"], c["yield_umol"], 0.7, color="#1f5fa8", label=f"{product} per day")
    ax.set_xlabel("Day", fontsize=_LABEL_SIZE)
    ax.set_ylabel(f"{product} per day (µmol)", fontsize=_LABEL_SIZE)
    ax2 = ax.twinx()
    ax2.plot(c["day"], c["insolation_kWh_m2"], "o-", color="#e07b24", ms=4, label="insolation")
    ax2.set_ylabel("Insolation (kWh m$^{-2}$ d$^{-1}$)", fontsize=_LABEL_SIZE, color="#e07b24")
    ax2.set_ylim(bottom=0)
    total = result.quantities["total_umol"]
    title = f"{int(result.quantities['n_days'].value)} days outdoors: {float(total.value):.3g} µmol"
    if "temperature_C" in c:
        t = np.asarray(c["temperature_C"], dtype=float)
        title += f", {np.nanmin(t):.0f}-{np.nanmax(t):.0f} °C"
    ax.set_title(title, loc="left", fontsize=11)
    return fig
