"""Product evolution of a photocatalytic CO2-reduction run: yields, rates and selectivities.

Data
----
One :class:`pandas.DataFrame` per sample with

* ``time_h`` -- illumination time in hours (``0`` for the dark blank is allowed);
* one column ``<Product>_umol`` per product with the **cumulative** amount in umol found in the
  reactor at that time (``CO_umol``, ``H2_umol``, ``CH4_umol``, ...).

Replicate runs come in one of two forms:

* long: a column ``run`` labels the runs; every run has its own rows (and may have its own
  sampling times);
* wide: extra columns ``<Product>_umol_run<k>`` (``CO_umol_run2``); the plain ``CO_umol`` column
  is run 1 and all runs share the ``time_h`` column.

An empty cell (NaN) means "not measured" and is skipped with a warning. ``frame.attrs`` may carry
``'source_file'``; error messages then name that file.

Validation and the rule for decreasing amounts
----------------------------------------------
:func:`analyse_yields` raises :class:`~qdcat.core.errors.InputError` (naming the file, the column
and the row and time) for: a missing ``time_h``; times that are not finite, negative or not
strictly increasing within a run; negative or infinite amounts; a product name not in
:data:`ELECTRONS_PER_PRODUCT`; fewer than two time points in a run; runs or products that end at
different times; a catalyst mass that is not a positive number.

Cumulative amounts should never fall, but gas-chromatograph readings scatter by a few percent. A
drop below the highest earlier reading of the same run is therefore accepted as measurement
noise (and reported in :attr:`Result.warnings`) when it is at most :data:`MAX_RELATIVE_DROP`
(10 %) of that run's largest reading; a larger drop means a leak, a mislabelled column or
non-cumulative data and is an error. The same rule holds whether there is one run or several:
the tolerance describes the scatter of one reading, which does not depend on how many replicate
runs were made.

Electron counts
---------------
:data:`ELECTRONS_PER_PRODUCT` gives the electrons ``z`` consumed per molecule:

* CO2 + 2 H+ + 2 e- -> CO + H2O            (z = 2)
* 2 H+ + 2 e- -> H2                        (z = 2)
* CO2 + 2 H+ + 2 e- -> HCOOH               (z = 2)
* CO2 + 6 H+ + 6 e- -> CH3OH + H2O         (z = 6)
* CO2 + 8 H+ + 8 e- -> CH4 + 2 H2O         (z = 8)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import InputError
from qdcat.core.results import Quantity, Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ANALYSIS_NAME",
    "ELECTRONS_PER_PRODUCT",
    "MAX_RELATIVE_DROP",
    "analyse_yields",
    "evolution_model",
    "plot_sample_yields",
    "plot_yields",
    "simulate_yields",
]

#: Electrons consumed per molecule of product (see the module docstring for the reactions).
ELECTRONS_PER_PRODUCT: Mapping[str, int] = {"CO": 2, "H2": 2, "HCOOH": 2, "CH3OH": 6, "CH4": 8}

#: Largest fall of a cumulative amount below the run's earlier maximum that is still taken as
#: measurement noise, as a fraction of the run's largest reading.
MAX_RELATIVE_DROP = 0.10

#: Value of :attr:`Result.analysis` for results of :func:`analyse_yields`.
ANALYSIS_NAME = "catalysis.yields"

#: Below this R^2 the cumulative amount is reported as not growing linearly.
_LINEARITY_WARN_R2 = 0.95

_TIME = "time_h"
_RUN = "run"
_AMOUNT_RE = re.compile(r"^(?P<product>[A-Za-z][A-Za-z0-9]*)_umol(?:_run(?P<run>\d+))?$")
_WEIGHTINGS = ("relative", "uniform")
_PRODUCT_BASIS = "product basis: n_i / sum n"
_ELECTRON_BASIS = "electron basis: z_i n_i / sum z n"


# ----------------------------------------------------------------------------------------------
# Model and simulation
# ----------------------------------------------------------------------------------------------


def evolution_model(
    time_h: ArrayLike, rate_umol_h: ArrayLike, *, deactivation_per_h: ArrayLike = 0.0
) -> NDArray[np.float64]:
    """Cumulative product amount n(t) in umol for an initial rate ``r`` and deactivation ``k``.

    The production rate decays first-order, dn/dt = r exp(-k t), so

    * n(t) = r t                       for k = 0,
    * n(t) = r (1 - exp(-k t)) / k     otherwise.

    All arguments broadcast against each other. ``k < 0`` (an accelerating catalyst) is allowed.
    """
    t = np.asarray(time_h, dtype=float)
    r = np.asarray(rate_umol_h, dtype=float)
    k = np.asarray(deactivation_per_h, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError(
            "times must be finite and non-negative",
            field="time_h",
            expected="t >= 0 h",
            found=t[~np.isfinite(t) | (t < 0)][:3].tolist() if t.ndim else float(t),
        )
    if not np.all(np.isfinite(k)):
        raise InputError("deactivation rate must be finite", field="deactivation_per_h", found=k)
    t, r, k = np.broadcast_arrays(t, r, k)
    zero = k == 0
    safe_k = np.where(zero, 1.0, k)
    factor = np.where(zero, t, -np.expm1(-k * t) / safe_k)
    return r * factor


def simulate_yields(
    times_h: ArrayLike,
    final_umol: Mapping[str, float],
    *,
    duration_h: float | None = None,
    deactivation_per_h: float = 0.0,
    relative_noise: float = 0.03,
    n_runs: int = 2,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """Synthetic product-evolution data in long format (``run``, ``time_h``, ``<P>_umol``).

    For each product the initial rate is chosen so that the noiseless curve
    :func:`evolution_model` reaches ``final_umol[P]`` at ``duration_h`` (default: the last
    time). Each reading is the noiseless amount times ``1 + relative_noise * N(0, 1)``,
    independently for every point, product and run; readings are then clipped at zero and
    replaced by their running maximum so that they are non-negative and cumulative.

    ``attrs`` holds ``simulated=True`` and the truth (``rate_umol_h`` per product,
    ``deactivation_per_h``, ``relative_noise``, ``duration_h``).
    """
    t = np.asarray(times_h, dtype=float).ravel()
    if t.size < 2 or not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(np.diff(t) <= 0):
        raise InputError(
            "times must be at least two finite, non-negative, strictly increasing values",
            field="times_h",
            found=t.tolist(),
        )
    if not isinstance(final_umol, Mapping) or not final_umol:
        raise InputError("no products given", field="final_umol", expected="{'CO': 12.2, ...}")
    for name, value in final_umol.items():
        _check_product_name(name, field="final_umol", file=None)
        try:
            amount = float(value)
        except (TypeError, ValueError):
            amount = math.nan
        if not (math.isfinite(amount) and amount >= 0):
            raise InputError(
                "final amount must be a finite number >= 0",
                field=f"final_umol[{name!r}]",
                found=value,
            )
    duration = float(t[-1]) if duration_h is None else float(duration_h)
    if not (math.isfinite(duration) and duration > 0):
        raise InputError("duration must be positive", field="duration_h", found=duration_h)
    if not (math.isfinite(relative_noise) and relative_noise >= 0):
        raise InputError("noise must be >= 0", field="relative_noise", found=relative_noise)
    if isinstance(n_runs, bool) or not isinstance(n_runs, int | np.integer) or n_runs < 1:
        raise InputError("need at least one run", field="n_runs", found=n_runs)
    reach = float(evolution_model(duration, 1.0, deactivation_per_h=deactivation_per_h))
    rates = {p: float(v) / reach for p, v in final_umol.items()}
    generator = np.random.default_rng(rng)

    blocks = []
    for run in range(1, int(n_runs) + 1):
        block: dict[str, Any] = {_RUN: np.full(t.size, run), _TIME: t}
        for product, rate in rates.items():
            clean = evolution_model(t, rate, deactivation_per_h=deactivation_per_h)
            noisy = clean * (1.0 + relative_noise * generator.standard_normal(t.size))
            block[f"{product}_umol"] = np.maximum.accumulate(np.clip(noisy, 0.0, None))
        blocks.append(pd.DataFrame(block))
    frame = pd.concat(blocks, ignore_index=True)
    frame.attrs = {
        "simulated": True,
        "rate_umol_h": rates,
        "deactivation_per_h": float(deactivation_per_h),
        "relative_noise": float(relative_noise),
        "duration_h": duration,
    }
    return frame


# ----------------------------------------------------------------------------------------------
# Reading and validating a frame
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    """The readings of one product in one run, NaN rows removed."""

    product: str
    run: str
    column: str
    time_h: NDArray[np.float64]
    amount_umol: NDArray[np.float64]


def _check_product_name(name: str, *, field: str, file: str | None) -> None:
    if name not in ELECTRONS_PER_PRODUCT:
        raise InputError(
            f"unknown product {name!r}; known products: {', '.join(ELECTRONS_PER_PRODUCT)}",
            file=file,
            field=field,
            expected=f"one of {list(ELECTRONS_PER_PRODUCT)}",
            found=name,
        )


def _as_float(values: Any, *, column: str, file: str | None) -> NDArray[np.float64]:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            "column is not numeric", file=file, field=column, expected="numbers"
        ) from None


def _where(index: Any, time: float) -> str:
    return f"at row {index!r} (time_h = {time:g} h)"


def _check_times(
    t: NDArray[np.float64], index: Sequence[Any], run: str, *, file: str | None
) -> None:
    run_text = f" in run {run}" if run else ""
    for i, x in enumerate(t):
        if not math.isfinite(x) or x < 0:
            raise InputError(
                f"time must be finite and non-negative{run_text} at row {index[i]!r}",
                file=file,
                field=_TIME,
                expected="t >= 0 h",
                found=float(x),
            )
    for i in range(1, t.size):
        if t[i] <= t[i - 1]:
            raise InputError(
                f"times are not strictly increasing{run_text} at row {index[i]!r} "
                f"({t[i]:g} h after {t[i - 1]:g} h)",
                file=file,
                field=_TIME,
                expected="strictly increasing times within a run",
                found=float(t[i]),
            )


def _read_series(
    product: str,
    run: str,
    column: str,
    t: NDArray[np.float64],
    raw: Any,
    index: Sequence[Any],
    *,
    file: str | None,
    warnings: list[str],
) -> _Series:
    y = _as_float(raw, column=column, file=file)
    run_text = f" in run {run}" if run else ""
    missing = np.isnan(y)
    for i in np.flatnonzero(~missing):
        if not math.isfinite(y[i]):
            raise InputError(
                f"amount is not finite{run_text} {_where(index[i], t[i])}",
                file=file,
                field=column,
                found=float(y[i]),
            )
        if y[i] < 0:
            raise InputError(
                f"negative amount{run_text} {_where(index[i], t[i])}",
                file=file,
                field=column,
                expected="cumulative amount >= 0 umol",
                found=float(y[i]),
            )
    if missing.any():
        warnings.append(f"{column}{run_text}: {int(missing.sum())} empty cell(s) skipped")
    keep = ~missing
    t_run, y_run = t[keep], y[keep]
    kept_index = [index[i] for i in np.flatnonzero(keep)]
    if t_run.size < 2:
        raise InputError(
            f"fewer than 2 time points{run_text} (time_h = {t_run.tolist()})",
            file=file,
            field=column,
            expected="at least 2 readings at different times",
            found=int(t_run.size),
        )
    top = float(y_run.max())
    running = np.maximum.accumulate(y_run)
    for i in range(1, y_run.size):
        drop = running[i - 1] - y_run[i]
        if drop <= 0:
            continue
        if drop > MAX_RELATIVE_DROP * top:
            raise InputError(
                f"cumulative amount falls by {drop:.4g} umol{run_text} "
                f"{_where(kept_index[i], t_run[i])}, more than {MAX_RELATIVE_DROP:.0%} of the "
                f"largest reading ({top:.4g} umol)",
                file=file,
                field=column,
                expected="non-decreasing cumulative amounts",
                found=float(y_run[i]),
            )
        warnings.append(
            f"{column}{run_text}: falls by {drop:.3g} umol at {t_run[i]:g} h "
            f"(within the {MAX_RELATIVE_DROP:.0%} noise tolerance)"
        )
    if t_run[0] == 0 and y_run[0] > 0:
        warnings.append(f"{column}{run_text}: {y_run[0]:.3g} umol already present at t = 0 h")
    return _Series(product, run, column, t_run, y_run)


def _read_frame(
    frame: pd.DataFrame, products: Sequence[str] | None, file: str | None, warnings: list[str]
) -> tuple[dict[str, list[_Series]], str, list[str]]:
    """Validate ``frame``; return the series per product, the data format, ignored columns."""
    columns = [str(c) for c in frame.columns]
    if _TIME not in columns:
        raise InputError(
            "missing column",
            file=file,
            field=_TIME,
            expected="a column 'time_h' with the illumination time in hours",
            found=columns,
        )
    long_format = _RUN in columns
    amount_columns: dict[str, list[tuple[str, str]]] = {}  # product -> [(column, run)]
    ignored = []
    for column in columns:
        if column in (_TIME, _RUN):
            continue
        match = _AMOUNT_RE.match(column)
        if match is None:
            ignored.append(column)
            continue
        product = match["product"]
        _check_product_name(product, field=column, file=file)
        if long_format and match["run"] is not None:
            raise InputError(
                "a frame with a 'run' column cannot also have per-run amount columns",
                file=file,
                field=column,
                expected=f"'{product}_umol' with the run in column 'run'",
                found=column,
            )
        run = match["run"] or "1"
        if any(int(r) == int(run) for _, r in amount_columns.get(product, [])):
            raise InputError(
                f"two columns hold run {run} of {product}", file=file, field=column, found=column
            )
        amount_columns.setdefault(product, []).append((column, run))
    if not amount_columns:
        raise InputError(
            "no product columns",
            file=file,
            field="<Product>_umol",
            expected=f"columns such as 'CO_umol' (products: {', '.join(ELECTRONS_PER_PRODUCT)})",
            found=columns,
        )
    if products is None:
        chosen = [p for p in ELECTRONS_PER_PRODUCT if p in amount_columns]
    else:
        chosen = list(dict.fromkeys(products))
        for product in chosen:
            _check_product_name(product, field="products", file=file)
            if product not in amount_columns:
                raise InputError(
                    f"no column for product {product!r}",
                    file=file,
                    field=f"{product}_umol",
                    expected=f"one of the products in the frame: {sorted(amount_columns)}",
                    found=product,
                )
        if not chosen:
            raise InputError("no products chosen", file=file, field="products", found=products)

    series: dict[str, list[_Series]] = {p: [] for p in chosen}
    if long_format:
        labels = frame[_RUN]
        if labels.isna().any():
            row = labels.index[labels.isna()][0]
            raise InputError(f"empty run label at row {row!r}", file=file, field=_RUN)
        for label, group in frame.groupby(_RUN, sort=False):
            t = _as_float(group[_TIME], column=_TIME, file=file)
            index = list(group.index)
            _check_times(t, index, str(label), file=file)
            for product in chosen:
                column = f"{product}_umol"
                series[product].append(
                    _read_series(
                        product,
                        str(label),
                        column,
                        t,
                        group[column],
                        index,
                        file=file,
                        warnings=warnings,
                    )
                )
        data_format = "long (column 'run')"
    else:
        t = _as_float(frame[_TIME], column=_TIME, file=file)
        index = list(frame.index)
        _check_times(t, index, "", file=file)
        for product in chosen:
            for column, run in sorted(amount_columns[product], key=lambda cr: int(cr[1])):
                run_label = run if len(amount_columns[product]) > 1 else ""
                s = _read_series(
                    product,
                    run_label,
                    column,
                    t,
                    frame[column],
                    index,
                    file=file,
                    warnings=warnings,
                )
                series[product].append(_Series(product, run, column, s.time_h, s.amount_umol))
        data_format = "wide (columns '<P>_umol_run<k>')"

    ends = [(s.column, s.run, float(s.time_h[-1])) for ss in series.values() for s in ss]
    first_end = ends[0][2]
    for column, run, end in ends:
        if not math.isclose(end, first_end, rel_tol=1e-9, abs_tol=1e-9):
            raise InputError(
                f"runs and products end at different times: {column} (run {run}) ends at "
                f"{end:g} h, {ends[0][0]} at {first_end:g} h; final amounts and selectivities "
                "need a common final time",
                file=file,
                field=_TIME,
                expected=f"every run of every product measured last at {first_end:g} h",
                found=end,
            )
    return series, data_format, ignored


# ----------------------------------------------------------------------------------------------
# Analysis
# ----------------------------------------------------------------------------------------------


def _initial_rate(series: _Series) -> float:
    """(n_1 - n_0) / (t_1 - t_0) over the first interval; the origin (0 h, 0 umol) when the
    run starts after time zero."""
    t = np.asarray(series.time_h, dtype=float)
    n = np.asarray(series.amount_umol, dtype=float)
    if t[0] > 0:
        return float(n[0] / t[0])
    if t.size < 2:
        return math.nan  # a single reading at time zero has no interval
    return float((n[1] - n[0]) / (t[1] - t[0]))


def _fit_through_origin(
    t: NDArray[np.float64], y: NDArray[np.float64], weighting: str
) -> tuple[float, float | None, float, int]:
    """Slope, its standard error, R^2 and the number of points of y = b t (t > 0 only)."""
    use = t > 0
    t, y = t[use], y[use]
    w = 1.0 / t**2 if weighting == "relative" else np.ones_like(t)
    sxx = float(np.sum(w * t * t))
    slope = float(np.sum(w * t * y)) / sxx
    resid = y - slope * t
    dof = t.size - 1
    stderr = math.sqrt(float(np.sum(w * resid**2)) / dof / sxx) if dof > 0 else None
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else math.nan
    return slope, stderr, r2, int(t.size)


def _fractions(
    values: NDArray[np.float64], errors: NDArray[np.float64] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """f_i = v_i / sum v with linear error propagation, the v_i taken as independent."""
    total = float(values.sum())
    if not total > 0:
        return np.full(values.shape, math.nan), None
    frac = values / total
    if errors is None:
        return frac, None
    jac = (np.eye(values.size) * total - values[:, None]) / total**2  # d f_i / d v_j
    return frac, np.sqrt((jac**2) @ (errors**2))


def _mean_curve(
    runs: list[_Series], grid: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Mean, sample standard deviation (NaN for < 2 runs) and count at each grid time."""
    table = np.full((len(runs), grid.size), math.nan)
    for i, s in enumerate(runs):
        table[i, np.searchsorted(grid, s.time_h)] = s.amount_umol
    count = np.sum(np.isfinite(table), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, np.nansum(table, axis=0) / np.maximum(count, 1), math.nan)
        dev = np.nansum((table - mean) ** 2, axis=0)
        sd = np.where(count > 1, np.sqrt(dev / np.maximum(count - 1, 1)), math.nan)
    return mean, sd, count


def analyse_yields(
    frame: pd.DataFrame,
    *,
    catalyst_mass_mg: float | None = None,
    products: Sequence[str] | None = None,
    weighting: str = "relative",
) -> Result:
    """Final amounts, production rates and selectivities from cumulative product amounts.

    Quantities, for every product ``P`` (all products in the frame, or ``products``):

    * ``P_amount_umol`` -- final cumulative amount, mean over runs; standard error sd/sqrt(n)
      (ddof = 1) for n > 1 runs, ``None`` for one run.
    * ``P_rate_umol_h`` -- final amount / final time (time taken as exact).
    * ``P_rate_fit_umol_h`` -- weighted least-squares slope of amount vs time through the
      origin over all points of all runs (points at t = 0 carry no slope information and are
      left out). ``weighting='relative'`` (default) weights each point by 1/t^2, i.e. assumes a
      constant relative reading error as for a gas chromatograph; ``'uniform'`` weights all
      points equally. Standard error from the covariance scaled by the reduced weighted
      residual sum of squares (``None`` with a single point).
    * ``P_rate_fit_r2`` -- linearity of the evolution: R^2 = 1 - sum (y - b t)^2 / sum (y -
      mean y)^2 over the fitted points, unweighted (as judged by eye on the plot); ``NaN`` when
      all readings are equal. R^2 < 0.95 adds a warning.
    * ``P_rate_initial_umol_h`` -- rate over each run's first interval, (n_1 - n_0) / (t_1 - t_0)
      with n_0 = 0 at t_0 = 0 when the run has no reading at time zero; mean over runs,
      standard error sd/sqrt(n) for n > 1 runs. Beside the average rate it shows deactivation
      (initial > average) or an induction period (initial < average).
    * ``P_rate_umol_g_h`` -- ``P_rate_umol_h`` per gram of catalyst, when ``catalyst_mass_mg``
      is given (mass taken as exact).
    * ``selectivity_product_P`` = n_P / sum n and ``selectivity_electron_P`` = z_P n_P / sum
      z n over the analysed products, from the final mean amounts; standard errors by linear
      propagation of the amount standard errors, the products taken as independent (``None``
      when any amount has none). ``NaN`` when nothing was produced.

    ``metadata`` records the selectivity bases, the final time, the runs, the fit method and
    the data format; ``curves`` holds per-product mean and sd over runs on the common time grid
    (``time_h``, ``P_mean_umol``, ``P_sd_umol``, ``P_n_runs``) and the fitted lines
    (``fit_time_h``, ``P_fit_umol``) for :func:`plot_yields`.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("expected a pandas DataFrame", field="frame", found=type(frame).__name__)
    source = frame.attrs.get("source_file")
    file = str(source) if source is not None else None
    if weighting not in _WEIGHTINGS:
        raise InputError(
            "unknown weighting",
            file=file,
            field="weighting",
            expected=str(_WEIGHTINGS),
            found=weighting,
        )
    mass_g: float | None = None
    if catalyst_mass_mg is not None:
        try:
            mass = float(catalyst_mass_mg)
        except (TypeError, ValueError):
            mass = math.nan
        if not (math.isfinite(mass) and mass > 0):
            raise InputError(
                "catalyst mass must be a positive number of milligrams",
                file=file,
                field="catalyst_mass_mg",
                expected="catalyst_mass_mg > 0",
                found=catalyst_mass_mg,
            )
        mass_g = mass / 1000.0

    warnings: list[str] = []
    series, data_format, ignored = _read_frame(frame, products, file, warnings)
    chosen = list(series)
    t_end = float(next(iter(series.values()))[0].time_h[-1])
    grid = np.unique(np.concatenate([s.time_h for ss in series.values() for s in ss]))
    fit_time = np.array([0.0, t_end])

    quantities: dict[str, Quantity] = {}
    curves: dict[str, Any] = {"time_h": grid, "fit_time_h": fit_time}
    means, errs = [], []
    n_runs: dict[str, int] = {}
    fit_points: dict[str, int] = {}
    for product in chosen:
        runs = series[product]
        n_runs[product] = len(runs)
        finals = np.array([s.amount_umol[-1] for s in runs])
        mean = float(finals.mean())
        se = float(finals.std(ddof=1) / math.sqrt(finals.size)) if finals.size > 1 else None
        means.append(mean)
        errs.append(se)
        quantities[f"{product}_amount_umol"] = Quantity(
            mean, se, "umol", f"{product} after {t_end:g} h, mean over {finals.size} run(s)"
        )
        rate = mean / t_end
        rate_se = None if se is None else se / t_end
        quantities[f"{product}_rate_umol_h"] = Quantity(
            rate, rate_se, "umol h-1", f"{product} final amount / {t_end:g} h"
        )
        t_all = np.concatenate([s.time_h for s in runs])
        y_all = np.concatenate([s.amount_umol for s in runs])
        slope, slope_se, r2, n_fit = _fit_through_origin(t_all, y_all, weighting)
        fit_points[product] = n_fit
        quantities[f"{product}_rate_fit_umol_h"] = Quantity(
            slope, slope_se, "umol h-1", f"{product} slope of amount vs time through the origin"
        )
        initial = np.array([_initial_rate(s) for s in runs])
        quantities[f"{product}_rate_initial_umol_h"] = Quantity(
            float(initial.mean()),
            float(initial.std(ddof=1) / math.sqrt(initial.size)) if initial.size > 1 else None,
            "umol h-1",
            f"{product} rate over the first interval, mean over {initial.size} run(s)",
        )
        quantities[f"{product}_rate_fit_r2"] = Quantity(
            r2, None, "", f"{product} linearity (R^2 of the line through the origin)"
        )
        if math.isfinite(r2) and r2 < _LINEARITY_WARN_R2:
            warnings.append(
                f"{product}: amount does not grow linearly with time (R^2 = {r2:.3f}); the "
                "fitted rate is an average over the run"
            )
        if mass_g is not None:
            quantities[f"{product}_rate_umol_g_h"] = Quantity(
                rate / mass_g,
                None if rate_se is None else rate_se / mass_g,
                "umol g-1 h-1",
                f"{product} rate per gram of catalyst",
            )
        mean_curve, sd_curve, count = _mean_curve(runs, grid)
        curves[f"{product}_mean_umol"] = mean_curve
        curves[f"{product}_sd_umol"] = sd_curve
        curves[f"{product}_n_runs"] = count
        curves[f"{product}_fit_umol"] = slope * fit_time

    values = np.array(means)
    errors = None if any(e is None for e in errs) else np.array(errs, dtype=float)
    z = np.array([ELECTRONS_PER_PRODUCT[p] for p in chosen], dtype=float)
    if not values.sum() > 0:
        warnings.append("no product found: selectivities are undefined (NaN)")
    for basis, v, e in (
        ("product", values, errors),
        ("electron", z * values, None if errors is None else z * errors),
    ):
        frac, frac_se = _fractions(v, e)
        text = _PRODUCT_BASIS if basis == "product" else _ELECTRON_BASIS
        for i, product in enumerate(chosen):
            quantities[f"selectivity_{basis}_{product}"] = Quantity(
                float(frac[i]),
                None if frac_se is None else float(frac_se[i]),
                "",
                f"{product} selectivity, {text}",
            )

    all_runs = list(dict.fromkeys(s.run for ss in series.values() for s in ss))
    metadata: dict[str, Any] = {
        "source_file": file,
        "data_format": data_format,
        "products": chosen,
        "electrons_per_product": {p: ELECTRONS_PER_PRODUCT[p] for p in chosen},
        "final_time_h": t_end,
        "n_runs": len(all_runs),
        "runs": all_runs,
        "n_runs_per_product": n_runs,
        "catalyst_mass_mg": None if mass_g is None else mass_g * 1000.0,
        "selectivity_product_basis": _PRODUCT_BASIS,
        "selectivity_electron_basis": _ELECTRON_BASIS,
        "selectivity_over": "the analysed products: " + ", ".join(chosen),
        "rate_fit": (
            "weighted least squares of n = r t through the origin over all runs, points at "
            "t = 0 left out; stderr from the covariance scaled by the reduced residual"
        ),
        "rate_fit_weighting": (
            "relative: weights 1/t^2 (constant relative error)"
            if weighting == "relative"
            else "uniform: equal weights (constant absolute error)"
        ),
        "rate_fit_points": fit_points,
        "uncertainty": (
            "amounts: standard error over runs sd/sqrt(n), ddof = 1, none for one run; rates "
            "and selectivities: linear error propagation, products independent; times and "
            "catalyst mass exact"
        ),
        "max_relative_drop": MAX_RELATIVE_DROP,
        "ignored_columns": ignored,
    }
    return Result(
        analysis=ANALYSIS_NAME,
        quantities=quantities,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


# ----------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------

_PRODUCT_COLOURS = {
    "CO": "#1f5fa8",
    "H2": "#9aa5b1",
    "CH4": "#e07b24",
    "HCOOH": "#3a9a5b",
    "CH3OH": "#7d55b5",
}
_SAMPLE_COLOURS = ["#1f5fa8", "#d1495b", "#2e933c", "#e07b24", "#7d55b5", "#00798c", "#6b4226"]
_LABEL_SIZE = 12
_TICK_SIZE = 10.5
_LEGEND_SIZE = 9.5
_EVOLUTION_KEY = "points: mean ± sd over runs; lines: n = r t"


def _pretty(product: str) -> str:
    """Chemical formula with subscripts for mathtext: ``CH4`` -> ``CH$_{4}$``."""
    return re.sub(r"(\d+)", r"$_{\1}$", product)


def _new_figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style(ax: Axes, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel, fontsize=_LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=_LABEL_SIZE)
    ax.set_title(title, loc="left", fontsize=_LABEL_SIZE, fontweight="bold")
    ax.tick_params(labelsize=_TICK_SIZE)


def _as_result(name: str, item: Any) -> Result:
    """The :func:`analyse_yields` result of a sample given as Result, DataFrame or both."""
    if isinstance(item, tuple) and len(item) == 2:
        item = item[1] if isinstance(item[1], Result) else item[0]
    if isinstance(item, pd.DataFrame):
        item = analyse_yields(item)
    if (
        not isinstance(item, Result)
        or item.analysis != ANALYSIS_NAME
        or "time_h" not in item.curves
    ):
        raise InputError(
            "cannot plot this sample",
            field=f"results[{name!r}]",
            expected="(DataFrame, Result of analyse_yields), a Result or a DataFrame",
            found=type(item).__name__,
        )
    return item


def _require(result: Result, name: str, key: str) -> Quantity:
    if key not in result.quantities:
        raise InputError(
            f"sample {name!r} has no quantity {key!r}",
            field=f"results[{name!r}]",
            expected=f"one of the products {result.metadata.get('products')}",
        )
    return result.quantities[key]


def _draw_evolution(ax: Axes, result: Result, product: str, colour: str, label: str) -> None:
    c = result.curves
    t = np.asarray(c["time_h"], dtype=float)
    mean = np.asarray(c[f"{product}_mean_umol"], dtype=float)
    sd = np.asarray(c[f"{product}_sd_umol"], dtype=float)
    ok = np.isfinite(mean)
    yerr = np.where(np.isfinite(sd), sd, 0.0)[ok] if np.isfinite(sd).any() else None
    ax.errorbar(
        t[ok], mean[ok], yerr=yerr, fmt="o", ms=5.5, capsize=3, color=colour, label=label, zorder=3
    )
    ax.plot(c["fit_time_h"], c[f"{product}_fit_umol"], "-", color=colour, lw=1.6, zorder=2)


def _finish_evolution_axes(ax: Axes, ylabel: str) -> None:
    """Labels, limits and the legend of an amount-vs-time panel (a)."""
    _style(ax, "Illumination time (h)", ylabel, "(a)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(
        fontsize=_LEGEND_SIZE,
        frameon=False,
        loc="upper left",
        title=_EVOLUTION_KEY,
        title_fontsize=_LEGEND_SIZE,
        alignment="left",
    )


def _annotate_bar(ax: Axes, x: float, top: float, text: str) -> None:
    ax.annotate(
        text,
        (x, top),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=_LEGEND_SIZE,
    )


def plot_yields(
    results: Mapping[str, tuple[pd.DataFrame, Result] | Result | pd.DataFrame],
    *,
    product: str = "CO",
    distribution: str | Sequence[str] | None = None,
    stack: str = "amount",
    basis: str = "product",
    figsize: tuple[float, float] = (11.0, 4.4),
) -> Figure:
    """Product evolution of several samples, like Fig. 5a-b of the seed paper.

    ``results`` maps a sample name to ``(frame, result)`` from :func:`analyse_yields` (a bare
    Result, or a DataFrame that is then analysed, also works).

    * (a) ``product`` amount vs time for every sample: mean over runs with +- 1 sd error bars
      (none for a single run) and the line of ``P_rate_fit_umol_h`` through the origin.
    * (b) final product distribution of the samples named in ``distribution`` (default: all)
      as stacked bars -- amounts in umol (``stack='amount'``) or selectivities in % on the
      chosen ``basis`` (``stack='fraction'``) -- with the ``product`` selectivity on ``basis``
      ('product' or 'electron') written above each bar.
    """
    if not isinstance(results, Mapping) or not results:
        raise InputError("no samples to plot", field="results", expected="{name: (frame, result)}")
    if stack not in ("amount", "fraction"):
        raise InputError(
            "unknown stack", field="stack", expected="'amount' or 'fraction'", found=stack
        )
    if basis not in ("product", "electron"):
        raise InputError(
            "unknown basis", field="basis", expected="'product' or 'electron'", found=basis
        )
    analysed = {str(name): _as_result(str(name), item) for name, item in results.items()}
    if distribution is None:
        chosen = list(analysed)
    else:
        chosen = [distribution] if isinstance(distribution, str) else list(distribution)
        for name in chosen:
            if name not in analysed:
                raise InputError(
                    "unknown sample", field="distribution", expected=str(list(analysed)), found=name
                )

    fig = _new_figure(figsize)
    ax_a, ax_b = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1.0]})
    for i, (name, result) in enumerate(analysed.items()):
        rate = _require(result, name, f"{product}_rate_fit_umol_h")
        colour = _SAMPLE_COLOURS[i % len(_SAMPLE_COLOURS)]
        label = f"{name} ({rate.value:.3g} µmol h$^{{-1}}$)"
        _draw_evolution(ax_a, result, product, colour, label)
    _finish_evolution_axes(ax_a, f"{_pretty(product)} amount (µmol)")

    all_products = [
        p
        for p in ELECTRONS_PER_PRODUCT
        if any(f"{p}_amount_umol" in analysed[n].quantities for n in chosen)
    ]
    x = np.arange(len(chosen), dtype=float)
    bottoms = np.zeros(x.size)
    for p in all_products:
        heights = np.array([_bar_value(analysed[n], p, stack, basis) for n in chosen])
        ax_b.bar(
            x,
            heights,
            0.6,
            bottom=bottoms,
            color=_PRODUCT_COLOURS[p],
            label=_pretty(p),
            edgecolor="white",
            linewidth=0.6,
        )
        bottoms += heights
    for xi, name, top in zip(x, chosen, bottoms, strict=True):
        sel = _require(analysed[name], name, f"selectivity_{basis}_{product}")
        _annotate_bar(ax_b, xi, top, f"{_pretty(product)} {100 * sel.value:.1f} %")
    ends = {analysed[n].metadata.get("final_time_h") for n in chosen}
    after = f" after {ends.pop():g} h" if len(ends) == 1 else ""
    ylabel = f"Amount{after} (µmol)" if stack == "amount" else f"Selectivity, {basis} basis (%)"
    _style(ax_b, "", ylabel, "(b)")
    ax_b.set_xticks(x, chosen, rotation=20 if len(chosen) > 3 else 0)
    ax_b.set_ylim(0, bottoms.max() * 1.15 if bottoms.max() > 0 else 1)
    ax_b.legend(fontsize=_LEGEND_SIZE, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _bar_value(result: Result, product: str, stack: str, basis: str) -> float:
    if stack == "amount":
        q = result.quantities.get(f"{product}_amount_umol")
        return 0.0 if q is None else float(q.value)
    q = result.quantities.get(f"selectivity_{basis}_{product}")
    return 0.0 if q is None or not math.isfinite(float(q.value)) else 100.0 * float(q.value)


def plot_sample_yields(
    frame: pd.DataFrame | None,
    result: Result | None = None,
    *,
    product: str = "CO",
    title: str | None = None,
    figsize: tuple[float, float] = (11.0, 4.4),
) -> Figure:
    """Product evolution of one sample (``result`` defaults to ``analyse_yields(frame)``).

    * (a) every product vs time: mean +- sd over runs and the fitted line through the origin.
    * (b) product distribution at each sampling time as stacked bars (mean amounts), with the
      ``product`` selectivity (product basis) at that time above each bar.
    """
    result = _as_result("sample", (frame, result) if result is not None else frame)
    c = result.curves
    products = list(result.metadata["products"])
    if f"{product}_mean_umol" not in c:
        raise InputError(
            f"no product {product!r} in this sample", field="product", expected=str(products)
        )
    fig = _new_figure(figsize)
    ax_a, ax_b = fig.subplots(1, 2)
    for p in products:
        rate = result.quantities[f"{p}_rate_fit_umol_h"]
        label = f"{_pretty(p)} ({rate.value:.3g} µmol h$^{{-1}}$)"
        _draw_evolution(ax_a, result, p, _PRODUCT_COLOURS[p], label)
    _finish_evolution_axes(ax_a, "Amount (µmol)")

    t = np.asarray(c["time_h"], dtype=float)
    table = np.array([np.asarray(c[f"{p}_mean_umol"], dtype=float) for p in products])
    use = (t > 0) & np.all(np.isfinite(table), axis=0)
    t, table = t[use], table[:, use]
    width = 0.6 * (float(np.min(np.diff(t))) if t.size > 1 else max(float(t[0]), 1.0))
    bottoms = np.zeros(t.size)
    for p, heights in zip(products, table, strict=True):
        ax_b.bar(
            t,
            heights,
            width,
            bottom=bottoms,
            color=_PRODUCT_COLOURS[p],
            label=_pretty(p),
            edgecolor="white",
            linewidth=0.6,
        )
        bottoms += heights
    share = table[products.index(product)] / np.where(bottoms > 0, bottoms, np.nan)
    for ti, top, s in zip(t, bottoms, share, strict=True):
        if math.isfinite(s):
            _annotate_bar(ax_b, ti, top, f"{100 * s:.0f} %")
    _style(
        ax_b,
        "Illumination time (h)",
        "Amount (µmol)",
        f"(b)  {_pretty(product)} selectivity (product basis)",
    )
    ax_b.set_xticks(t)
    ax_b.set_ylim(0, bottoms.max() * 1.15 if bottoms.size and bottoms.max() > 0 else 1)
    ax_b.legend(fontsize=_LEGEND_SIZE, frameon=False, loc="upper left")
    name = (
        title
        if title is not None or frame is None
        else frame.attrs.get("sample") or frame.attrs.get("source_file")
    )
    if name:
        fig.suptitle(str(name), fontsize=_LABEL_SIZE)
    return fig
