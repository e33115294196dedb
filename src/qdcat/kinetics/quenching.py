"""Photoluminescence quenching: Stern-Volmer hole/electron-transfer rates from lifetimes.

Electron (or hole) transfer time from two lifetimes
---------------------------------------------------
A quencher opens one more decay channel, so its rate adds to the intrinsic ones
(Cai et al., ACS Catal. 2023, eq. 4):

    1 / tau_et = 1 / tau_with - 1 / tau_without,
    tau_et = tau_with tau_without / (tau_without - tau_with)

With standard errors of both lifetimes (independent), by linear propagation:
``d tau_et / d tau_with = tau_et^2 / tau_with^2``, ``d tau_et / d tau_without = -tau_et^2 /
tau_without^2``. Also reported: the rate ``1 / tau_et`` and the transfer efficiency
``1 - tau_with / tau_without`` (the fraction of excitations that transfer).

Stern-Volmer from a concentration series
----------------------------------------
Dynamic quenching adds ``k_q [Q]`` to the decay rate: ``1 / tau = 1 / tau0 + k_q [Q]``. The
series is fitted as a straight line of ``1/tau`` against ``[Q]`` (mM):

* with ``tau_stderr_ns``: weighted least squares, weights ``1 / sigma^2`` with
  ``sigma(1/tau) = sigma(tau) / tau^2``; the covariance is that of the given errors, enlarged
  by the reduced chi^2 when that exceeds 1 (the scatter is larger than the errors claim;
  Birge ratio);
* without: ordinary least squares with the covariance from the residual scatter (needs at
  least three points for a standard error).

The slope is ``k_q`` in ns^-1 mM^-1, reported in s^-1 mM^-1 (x 1e9) as ``kq_per_mM_per_s``
with ``kq_stderr_per_mM_per_s``; ``tau0 = 1 / intercept``; ``K_D = k_q tau0`` (the lifetime
Stern-Volmer constant, mM^-1). With an ``intensity`` column, the intensity Stern-Volmer
constant ``K_SV`` comes from ``I0 / I = 1 + K_SV [Q]`` (least squares of ``I0/I - 1`` on
``[Q]`` through the origin; ``I0`` the mean intensity at ``[Q] = 0``, which is then required).
``K_SV`` clearly above ``K_D`` points to static quenching (complexes that do not emit at all).

Single-point estimate: ``k_q = (1/tau([Q]max) - 1/tau(0)) / [Q]max`` from the highest
concentration and the measured ``tau`` at zero concentration (or, without such a row, the
fitted ``tau0``) is reported beside the slope, as ``kq_single_point_per_mM_per_s``: it is the
slope of the straight line through two points only, and differs from the fitted slope when the
series is not linear or the end points scatter. A warning says so when they differ by more than
two standard errors of the fitted slope. (The ZCIS paper's 71.1 ns -> 30.9 ns at 400 mM AA
gives 4.57e4 s^-1 mM^-1 this way; its fit of the whole series gives 2.6e4.)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from qdcat.core.errors import InputError
from qdcat.core.results import FitQuality, Quantity, Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ELECTRON_TRANSFER_ANALYSIS",
    "STERN_VOLMER_ANALYSIS",
    "electron_transfer_time",
    "plot_stern_volmer",
    "stern_volmer",
]

ELECTRON_TRANSFER_ANALYSIS = "kinetics.electron_transfer"
STERN_VOLMER_ANALYSIS = "kinetics.stern_volmer"
_NS_PER_S = 1e9
_REQUIRED = ("concentration_mM", "tau_ns")


def _positive(value: Any, field: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(
            "not a number", field=field, expected="a lifetime > 0 in ns", found=value
        ) from None
    if not math.isfinite(x) or x <= 0:
        raise InputError(
            "must be a finite lifetime > 0",
            field=field,
            expected="a lifetime > 0 in ns",
            found=value,
        )
    return x


def _stderr(value: Any, field: str) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(
            "not a number", field=field, expected="a standard error >= 0", found=value
        ) from None
    if not math.isfinite(x) or x < 0:
        raise InputError("must be a finite standard error >= 0", field=field, found=value)
    return x


def _sci(value: float, stderr: float | None) -> str:
    """``(2.60 ± 0.05)e4``: a rate constant and its error with one exponent."""
    if not math.isfinite(value) or value == 0:
        return f"{value:.3g}"
    exp = math.floor(math.log10(abs(value)))
    scale = 10.0**exp
    if stderr is None or not math.isfinite(float(stderr)) or stderr <= 0:
        return f"{value / scale:.2f}e{exp}"
    return f"({value / scale:.2f} ± {float(stderr) / scale:.2f})e{exp}"


def electron_transfer_time(
    tau_without_ns: float,
    tau_with_ns: float,
    *,
    stderr_without_ns: float | None = None,
    stderr_with_ns: float | None = None,
) -> Result:
    """Charge-transfer time from the average lifetimes without and with a quencher.

    ``1 / tau_et = 1 / tau_with - 1 / tau_without`` (module docstring). Keys:
    ``electron_transfer_time_ns`` (+ ``electron_transfer_time_stderr_ns`` when a lifetime
    stderr is given; a missing one counts as exact), ``electron_transfer_rate_per_s``,
    ``transfer_efficiency``.

    Raises
    ------
    InputError
        A lifetime that is not a positive number, or ``tau_with >= tau_without``: the
        quencher did not shorten the lifetime, so there is no transfer to measure.
    """
    t0 = _positive(tau_without_ns, "tau_without_ns")
    tq = _positive(tau_with_ns, "tau_with_ns")
    s0 = _stderr(stderr_without_ns, "stderr_without_ns")
    sq = _stderr(stderr_with_ns, "stderr_with_ns")
    if tq >= t0:
        raise InputError(
            "no quenching: the lifetime with the quencher is not shorter than without it, so "
            "no transfer rate can be derived (1/tau_et = 1/tau_with - 1/tau_without <= 0)",
            field="tau_with_ns",
            expected=f"a lifetime < tau_without_ns = {t0:g} ns",
            found=tau_with_ns,
        )
    tet = tq * t0 / (t0 - tq)
    rate = 1.0 / tet  # ns^-1
    eff = 1.0 - tq / t0
    err_t = err_k = err_e = None
    if s0 is not None or sq is not None:
        a0, aq = (s0 or 0.0), (sq or 0.0)
        err_t = math.hypot((tet / tq) ** 2 * aq, (tet / t0) ** 2 * a0)
        err_k = math.hypot(aq / tq**2, a0 / t0**2) * _NS_PER_S
        err_e = math.hypot(aq / t0, tq * a0 / t0**2)
    quantities = {
        "electron_transfer_time_ns": Quantity(
            tet, err_t, "ns", "1/tau_et = 1/tau_with - 1/tau_without"
        ),
        "electron_transfer_rate_per_s": Quantity(
            rate * _NS_PER_S,
            err_k,
            "s-1",
            "k_et = 1/tau_et",
            stderr_name="electron_transfer_rate_stderr_per_s",
        ),
        "transfer_efficiency": Quantity(
            eff, err_e, "", "fraction of excitations transferred, 1 - tau_with/tau_without"
        ),
    }
    metadata = {
        "tau_without_ns": t0,
        "tau_with_ns": tq,
        "stderr_without_ns": s0,
        "stderr_with_ns": sq,
        "formula": "1/tau_et = 1/tau_with - 1/tau_without (Cai et al., ACS Catal. 2023, eq. 4)",
    }
    return Result(analysis=ELECTRON_TRANSFER_ANALYSIS, quantities=quantities, metadata=metadata)


# ----------------------------------------------------------------------------------------------
# Stern-Volmer
# ----------------------------------------------------------------------------------------------


def _column(frame: pd.DataFrame, name: str, source: str | None) -> NDArray[np.float64]:
    try:
        values = pd.to_numeric(frame[name], errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError):
        raise InputError(
            "non-numeric values", file=source, field=name, expected="numbers"
        ) from None
    bad = ~np.isfinite(values)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise InputError(
            "missing or non-finite value",
            file=source,
            field=name,
            line=None,
            expected="a finite number",
            found=f"{frame[name].iloc[i]!r} in row {i + 1}",
        )
    return values


def _wls_line(
    x: NDArray, y: NDArray, sigma: NDArray | None
) -> tuple[float, float, NDArray, float, int, float]:
    """Straight line y = a + b x: (a, b, covariance 2x2, chi2_reduced or nan, dof, R^2)."""
    n = x.size
    w = np.ones(n) if sigma is None else 1.0 / sigma**2
    X = np.column_stack([np.ones(n), x])
    A = X.T @ (w[:, None] * X)
    coef = np.linalg.solve(A, X.T @ (w * y))
    resid = y - X @ coef
    dof = n - 2
    chi2 = float(np.sum(w * resid**2))
    cov = np.linalg.inv(A)
    chi2_red = chi2 / dof if dof > 0 else float("nan")
    if sigma is None:
        cov = cov * chi2_red if dof > 0 else np.full((2, 2), np.nan)
    elif dof > 0 and chi2_red > 1:
        cov = cov * chi2_red
    ybar = np.sum(w * y) / np.sum(w)
    ss_tot = float(np.sum(w * (y - ybar) ** 2))
    r2 = 1.0 - chi2 / ss_tot if ss_tot > 0 else float("nan")
    return float(coef[0]), float(coef[1]), cov, chi2_red, dof, r2


def stern_volmer(frame: pd.DataFrame) -> Result:
    """Stern-Volmer analysis of lifetimes (and intensities) against quencher concentration.

    Parameters
    ----------
    frame:
        Columns ``concentration_mM`` (>= 0, any order; repeats allowed), ``tau_ns`` (> 0),
        optionally ``tau_stderr_ns`` (> 0, used as weights) and ``intensity`` (> 0; needs a
        row at zero concentration). ``frame.attrs['source_file']`` names the file in errors.

    Returns
    -------
    Result
        Keys ``kq_per_mM_per_s``, ``kq_stderr_per_mM_per_s``, ``tau0_ns`` (+ stderr),
        ``kd_per_mM`` (= k_q tau0), ``r_squared``, ``kq_single_point_per_mM_per_s``
        (+ stderr when lifetime errors are given) and, with intensities, ``ksv_per_mM``.
        Warnings compare the single-point and the fitted ``k_q``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            "not a DataFrame",
            field="frame",
            expected="a pandas DataFrame",
            found=type(frame).__name__,
        )
    source = frame.attrs.get("source_file")
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            "missing columns",
            file=source,
            field=", ".join(missing),
            expected="concentration_mM and tau_ns",
            found=list(map(str, frame.columns)),
        )
    c = _column(frame, "concentration_mM", source)
    tau = _column(frame, "tau_ns", source)
    if np.any(c < 0):
        i = int(np.argmax(c < 0))
        raise InputError(
            "negative concentration",
            file=source,
            field="concentration_mM",
            expected="concentrations >= 0 mM",
            found=f"{c[i]} in row {i + 1}",
        )
    if np.any(tau <= 0):
        i = int(np.argmax(tau <= 0))
        raise InputError(
            "lifetimes must be > 0",
            file=source,
            field="tau_ns",
            expected="tau > 0 ns",
            found=f"{tau[i]} in row {i + 1}",
        )
    if np.unique(c).size < 2:
        raise InputError(
            "a Stern-Volmer fit needs at least two different concentrations",
            file=source,
            field="concentration_mM",
            expected=">= 2 distinct values",
            found=np.unique(c).tolist(),
        )
    err = None
    if "tau_stderr_ns" in frame.columns:
        err = _column(frame, "tau_stderr_ns", source)
        if np.any(err <= 0):
            i = int(np.argmax(err <= 0))
            raise InputError(
                "standard errors must be > 0 to be used as weights",
                file=source,
                field="tau_stderr_ns",
                found=f"{err[i]} in row {i + 1}",
            )
    intensity = None
    if "intensity" in frame.columns:
        intensity = _column(frame, "intensity", source)
        if np.any(intensity <= 0):
            raise InputError("intensities must be > 0", file=source, field="intensity")
        if not np.any(c == 0):
            raise InputError(
                "the intensity Stern-Volmer plot needs I0: a row at 0 mM",
                file=source,
                field="intensity",
                expected="a row with concentration_mM = 0",
            )
    order = np.argsort(c, kind="stable")
    c, tau = c[order], tau[order]
    err = None if err is None else err[order]
    intensity = None if intensity is None else intensity[order]

    inv = 1.0 / tau  # ns^-1
    s_inv = None if err is None else err / tau**2
    a, b, cov, chi2_red, dof, r2 = _wls_line(c, inv, s_inv)
    var_b, var_a = float(cov[1, 1]), float(cov[0, 0])
    s_b = math.sqrt(var_b) if math.isfinite(var_b) and var_b >= 0 else None
    s_a = math.sqrt(var_a) if math.isfinite(var_a) and var_a >= 0 else None
    warnings: list[str] = []
    if a <= 0:
        raise InputError(
            "the fitted intercept 1/tau0 is not positive: the lifetimes do not follow "
            "1/tau = 1/tau0 + k_q [Q]",
            file=source,
            field="tau_ns",
            found=f"intercept {a:.4g} ns^-1",
        )
    tau0 = 1.0 / a
    kq = b * _NS_PER_S
    kq_err = None if s_b is None else s_b * _NS_PER_S
    tau0_err = None if s_a is None else s_a / a**2
    kd = b / a
    kd_err = None
    if s_a is not None and s_b is not None:
        g = np.array([-b / a**2, 1.0 / a])
        kd_err = float(math.sqrt(max(g @ cov @ g, 0.0)))
    if b <= 0:
        warnings.append(
            f"the lifetime does not decrease with concentration (k_q = {kq:.3g} s-1 mM-1): "
            "no dynamic quenching in this series"
        )

    # single point: highest concentration against the measured tau at zero concentration
    cmax = float(c[-1])
    at_max = c == cmax
    tau_max = float(np.mean(tau[at_max]))
    zero = c == 0
    if np.any(zero):
        tau_zero = float(np.mean(tau[zero]))
        zero_source = "measured at 0 mM"
        s_zero = None if err is None else float(math.sqrt(np.sum(err[zero] ** 2)) / zero.sum())
    else:
        tau_zero = tau0
        zero_source = "fitted tau0 (no 0 mM row)"
        s_zero = tau0_err
    s_max = None if err is None else float(math.sqrt(np.sum(err[at_max] ** 2)) / at_max.sum())
    kq1 = (1.0 / tau_max - 1.0 / tau_zero) / cmax * _NS_PER_S
    kq1_err = None
    if s_max is not None and s_zero is not None:
        kq1_err = math.hypot(s_max / tau_max**2, s_zero / tau_zero**2) / cmax * _NS_PER_S
    if kq_err is not None and abs(kq1 - kq) > 2.0 * kq_err:
        warnings.append(
            f"the single-point k_q from {cmax:g} mM alone ({tau_zero:.4g} -> {tau_max:.4g} ns), "
            f"{_sci(kq1, None)} s-1 mM-1, differs from the slope fitted to all {c.size} points, "
            f"{_sci(kq, kq_err)} s-1 mM-1, by more than 2 standard errors of the "
            "fit: two points give the slope of a line through them only; report the fitted "
            "slope"
        )

    quantities: dict[str, Quantity] = {
        "kq_per_mM_per_s": Quantity(
            kq,
            kq_err,
            "s-1 mM-1",
            "quenching rate constant: slope of 1/tau against [Q]",
            stderr_name="kq_stderr_per_mM_per_s",
        ),
        "tau0_ns": Quantity(tau0, tau0_err, "ns", "lifetime without quencher: 1/intercept"),
        "kd_per_mM": Quantity(
            kd,
            kd_err,
            "mM-1",
            "lifetime Stern-Volmer constant K_D = k_q tau0",
            stderr_name="kd_stderr_per_mM",
        ),
        "r_squared": Quantity(r2, None, "", "coefficient of determination of the (weighted) fit"),
        "kq_single_point_per_mM_per_s": Quantity(
            kq1,
            kq1_err,
            "s-1 mM-1",
            f"(1/tau at {cmax:g} mM - 1/tau0 {zero_source}) / {cmax:g} mM",
            stderr_name="kq_single_point_stderr_per_mM_per_s",
        ),
    }
    curves: dict[str, Any] = {
        "concentration_mM": c,
        "tau_ns": tau,
        "inv_tau_per_ns": inv,
        "inv_tau_stderr_per_ns": s_inv if s_inv is not None else np.full(c.size, np.nan),
        "fit_intercept_per_ns": a,
        "fit_slope_per_ns_per_mM": b,
        "single_point": [0.0, 1.0 / tau_zero, cmax, 1.0 / tau_max],
    }
    if intensity is not None:
        i0 = float(np.mean(intensity[c == 0]))
        ratio = i0 / intensity
        nz = c > 0
        ksv = float(np.sum(c * (ratio - 1.0)) / np.sum(c * c))
        resid = ratio - 1.0 - ksv * c
        dof_i = int(np.sum(nz)) - 1
        ksv_err = (
            float(math.sqrt(np.sum(resid[nz] ** 2) / dof_i / np.sum(c * c))) if dof_i > 0 else None
        )
        quantities["ksv_per_mM"] = Quantity(
            ksv,
            ksv_err,
            "mM-1",
            "intensity Stern-Volmer constant: I0/I = 1 + K_SV [Q]",
            stderr_name="ksv_stderr_per_mM",
        )
        curves["intensity_ratio"] = ratio
        if (
            ksv_err is not None
            and kd_err is not None
            and ksv - kd > 2 * math.hypot(ksv_err, kd_err)
        ):
            warnings.append(
                f"K_SV from intensities ({ksv:.3g} mM-1) exceeds K_D = k_q tau0 from lifetimes "
                f"({kd:.3g} mM-1): part of the quenching is static"
            )
    metadata = {
        "weighting": "1/sigma^2 from tau_stderr_ns" if err is not None else "unweighted",
        "n_points": int(c.size),
        "degrees_of_freedom": dof,
        "chi2_reduced": chi2_red if math.isfinite(chi2_red) else None,
        "single_point_concentration_mM": cmax,
        "single_point_tau0_source": zero_source,
        "model": "1/tau = 1/tau0 + k_q [Q]",
    }
    if source:
        metadata["source_file"] = str(source)
    fit = FitQuality(
        converged=True,
        n_evaluations=1,
        n_points=int(c.size),
        n_parameters=2,
        rmse=float(np.sqrt(np.mean((inv - a - b * c) ** 2))),
        chi2_reduced=chi2_red if (err is not None and math.isfinite(chi2_red)) else None,
        message="linear least squares",
    )
    return Result(
        analysis=STERN_VOLMER_ANALYSIS,
        quantities=quantities,
        fit=fit,
        warnings=tuple(warnings),
        metadata=metadata,
        curves=curves,
    )


def plot_stern_volmer(result: Result) -> Figure:
    """Stern-Volmer plot: 1/tau against concentration with the fitted line and the single-point
    line (and I0/I beside tau0/tau when intensities were given). A new Figure, no pyplot state.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not isinstance(result, Result) or result.analysis != STERN_VOLMER_ANALYSIS:
        raise InputError(
            "not a Stern-Volmer result",
            field="result",
            expected="a Result of stern_volmer",
            found=type(result).__name__,
        )
    cv = result.curves
    c = np.asarray(cv["concentration_mM"], dtype=float)
    inv = np.asarray(cv["inv_tau_per_ns"], dtype=float) * 1e3  # us^-1
    err = np.asarray(cv["inv_tau_stderr_per_ns"], dtype=float) * 1e3
    a, b = float(cv["fit_intercept_per_ns"]), float(cv["fit_slope_per_ns_per_mM"])
    has_i = "intensity_ratio" in cv
    fig = Figure(figsize=(10.0 if has_i else 5.6, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if has_i else 1)
    ax = axes[0] if has_i else axes
    xx = np.linspace(0.0, float(c.max()) * 1.05, 50)
    ax.errorbar(
        c,
        inv,
        yerr=None if np.all(np.isnan(err)) else err,
        fmt="o",
        ms=5,
        color="C0",
        capsize=3,
        label="1/τ (data)",
    )
    q = result.quantities
    kq = q["kq_per_mM_per_s"]
    ax.plot(
        xx,
        (a + b * xx) * 1e3,
        "-",
        color="C3",
        label=f"fit: $k_q$ = {_sci(float(kq.value), kq.stderr)} s⁻¹ mM⁻¹",
    )
    sp = cv["single_point"]
    kq1 = float(q["kq_single_point_per_mM_per_s"].value)
    ax.plot(
        [sp[0], sp[2]],
        [sp[1] * 1e3, sp[3] * 1e3],
        "--",
        color="0.4",
        label=f"single point: {_sci(kq1, None)} s⁻¹ mM⁻¹",
    )
    ax.set_xlabel("quencher concentration (mM)", fontsize=11)
    ax.set_ylabel("1/τ (μs⁻¹)", fontsize=11)
    ax.legend(fontsize=8.5, frameon=False, loc="upper left")
    ax.set_title("Stern-Volmer (lifetimes)", loc="left", fontsize=10)
    if has_i:
        ax2 = axes[1]
        tau0 = 1.0 / a
        ax2.plot(c, tau0 * np.asarray(cv["inv_tau_per_ns"]), "o", color="C0", label="τ0/τ")
        ax2.plot(xx, 1 + b * tau0 * xx, "-", color="C0", lw=1)
        ratio = np.asarray(cv["intensity_ratio"], dtype=float)
        ksv = float(q["ksv_per_mM"].value)
        ax2.plot(c, ratio, "s", color="C1", label="I0/I")
        ax2.plot(xx, 1 + ksv * xx, "-", color="C1", lw=1, label=f"$K_{{SV}}$ = {ksv:.3g} mM⁻¹")
        ax2.set_xlabel("quencher concentration (mM)", fontsize=11)
        ax2.set_ylabel("ratio", fontsize=11)
        ax2.legend(fontsize=8.5, frameon=False, loc="upper left")
        ax2.set_title("intensity vs lifetime", loc="left", fontsize=10)
    return fig
