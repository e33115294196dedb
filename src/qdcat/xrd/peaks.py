"""Pseudo-Voigt peak fitting of powder patterns (lmfit), with a polynomial background.

Each peak is a pseudo-Voigt of area ``A``, centre ``x0``, full width at half maximum ``w`` and
Lorentzian fraction ``eta`` (0 Gaussian ... 1 Lorentzian), both parts sharing ``w``:

    pV(x) = A [ eta L(x) + (1 - eta) G(x) ],
    G(x) = (2/w) sqrt(ln2/pi) exp(-4 ln2 (x - x0)^2 / w^2),
    L(x) = (2/(pi w)) / (1 + 4 (x - x0)^2 / w^2),

(G. K. Wertheim et al., Rev. Sci. Instrum. 45, 1369 (1974), doi:10.1063/1.1686503). The
background is a polynomial in ``(x - x_mid)`` of order 0-3. All peaks and the background are
fitted together by least squares (lmfit, doi:10.5281/zenodo.11813); standard errors come from
the covariance matrix scaled by the reduced chi-square (so they reflect the actual scatter of
the data). Starting values come from :func:`find_peak_guesses` unless given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import FitError, InputError
from qdcat.core.results import FitQuality, Quantity, Result

__all__ = ["find_peak_guesses", "fit_peaks", "pseudo_voigt"]

_LN2 = math.log(2.0)


def pseudo_voigt(
    x: ArrayLike, area: float, centre: float, fwhm: float, eta: float
) -> NDArray[np.float64]:
    """Area-normalised pseudo-Voigt times ``area`` (see the module documentation)."""
    xx = np.asarray(x, dtype=float)
    u = (xx - centre) / fwhm
    g = (2.0 / fwhm) * math.sqrt(_LN2 / math.pi) * np.exp(-4.0 * _LN2 * u * u)
    lor = (2.0 / (math.pi * fwhm)) / (1.0 + 4.0 * u * u)
    return area * (eta * lor + (1.0 - eta) * g)


def find_peak_guesses(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    prominence: float = 0.02,
    max_peaks: int = 6,
    min_fwhm: float | None = None,
    shoulders: bool = False,
) -> list[tuple[float, float, float]]:
    """Starting values ``(centre, fwhm, area)`` of the most prominent peaks (and shoulders).

    Maxima of the lightly smoothed data (Savitzky-Golay over about 1/100 of the range) with a
    prominence of at least ``prominence`` times the data span are peaks. With ``shoulders``,
    minima of the second derivative (smoothed over about half the width of the strongest
    peak) that lie farther than half that width from every maximum are added: an unresolved
    shoulder, such as the (004)/(200) line beside (112) in 3 nm dots, otherwise distorts the
    main peak's fit. Shoulders must stand 5 noise levels out of the second derivative (noise
    estimated from point-to-point differences) and lie within 1.5 widths of a maximum. At
    most ``max_peaks`` are kept (strongest first), returned by position.
    """
    from scipy.signal import find_peaks, peak_widths, savgol_filter

    n = x.size
    win = max(5, (n // 100) | 1)
    ys = savgol_filter(y, win, 2) if n > win + 2 else y
    span = float(np.ptp(ys))
    if not span > 1e-9 * max(float(np.max(np.abs(y))), 1e-300):
        return []  # a flat line
    step = float(np.median(np.diff(x)))
    idx, props = find_peaks(ys, prominence=prominence * span)
    if idx.size == 0:
        return []
    widths = peak_widths(ys, idx, rel_height=0.5)[0] * step
    floor = float(np.percentile(ys, 5))
    cands: list[tuple[float, float, float, float]] = []  # (strength, centre, fwhm, area)
    for k, i in enumerate(idx):
        w = max(float(widths[k]), min_fwhm or 2 * step)
        height = float(props["prominences"][k])
        cands.append((height, float(x[i]), w, height * w * 1.064))  # Gaussian area 1.064 h w
    if shoulders:
        from scipy.signal import savgol_coeffs

        w0 = float(widths[int(np.argmax(props["prominences"]))])
        win2 = int(0.5 * w0 / step) | 1
        if 7 <= win2 < n // 2:
            d2 = savgol_filter(y, win2, 3, deriv=2)
            # noise of the second derivative: white noise of the data (estimated from the
            # point-to-point differences) through the derivative filter
            sigma_y = float(np.median(np.abs(np.diff(y)))) / (0.6745 * math.sqrt(2.0))
            sigma_d2 = sigma_y * float(np.linalg.norm(savgol_coeffs(win2, 3, deriv=2)))
            level = max(0.15 * float(np.max(-d2)), 5.0 * sigma_d2)
            sidx, _ = find_peaks(-d2, height=level, prominence=level)
            for i in sidx:
                gap = float(np.min(np.abs(x[idx] - x[i])))
                if gap < 0.5 * w0 or gap > 1.5 * w0:
                    continue  # a maximum itself, or not a shoulder of one
                height = float(ys[i]) - floor
                if height < prominence * span:
                    continue
                # a shoulder's own height is smaller than its ordinate: take a third
                cands.append((height / 3, float(x[i]), w0, height / 3 * w0 * 1.064))
    cands.sort(key=lambda t: -t[0])
    return sorted(((c, w, a) for _h, c, w, a in cands[:max_peaks]), key=lambda t: t[0])


def fit_peaks(
    two_theta_deg: ArrayLike,
    intensity: ArrayLike,
    *,
    centres_deg: Sequence[float] | None = None,
    fit_range_deg: tuple[float, float] | None = None,
    background_order: int = 2,
    prominence: float = 0.02,
    max_peaks: int = 6,
    shoulders: bool = False,
    eta: float | None = None,
    source: str = "",
) -> Result:
    """Fit pseudo-Voigt peaks plus a polynomial background to a powder pattern.

    Parameters
    ----------
    two_theta_deg, intensity:
        The pattern (strictly increasing 2-theta, degrees; finite intensities).
    centres_deg:
        Starting centres (degrees); default: found automatically (:func:`find_peak_guesses`).
    fit_range_deg:
        Fit only this 2-theta window (degrees).
    background_order:
        Polynomial order of the background, 0-3.
    prominence, max_peaks, shoulders:
        Automatic peak search settings (:func:`find_peak_guesses`).
    eta:
        Fix the Lorentzian fraction of every peak (default: fitted per peak, 0-1).
    source:
        Name of the data (file) for messages.

    Returns
    -------
    Result
        Quantities (arrays, one entry per peak, ordered by position): ``two_theta_deg``,
        ``fwhm_deg``, ``area``, ``eta``, ``height``; ``fit`` records convergence;
        ``curves`` hold the data, the model, the background and each component.

    Raises
    ------
    InputError
        Too few points, no peak found, a starting centre outside the range.
    FitError
        The optimiser failed outright (a non-converged fit is returned with
        ``fit.converged = False`` and a warning instead).
    """
    import lmfit

    x = np.asarray(two_theta_deg, dtype=float)
    y = np.asarray(intensity, dtype=float)
    where = source or "pattern"
    if x.shape != y.shape or x.ndim != 1:
        raise InputError(
            "two-theta and intensity must be 1-D arrays of equal length",
            field=where,
            expected="equal lengths",
            found=(x.shape, y.shape),
        )
    if fit_range_deg is not None:
        lo, hi = sorted(float(v) for v in fit_range_deg)
        keep = (x >= lo) & (x <= hi)
        x, y = x[keep], y[keep]
    if not 0 <= int(background_order) <= 3:
        raise InputError(
            "background order out of range",
            field="background_order",
            expected="0, 1, 2 or 3",
            found=background_order,
        )
    if centres_deg is not None:
        step = float(np.median(np.diff(x))) if x.size > 1 else 0.0
        guesses = []
        for c in centres_deg:
            if not (x.size and x[0] <= float(c) <= x[-1]):
                raise InputError(
                    "peak starting centre outside the data",
                    field="centres_deg",
                    expected=f"between {x[0] if x.size else 'n/a'} and "
                    f"{x[-1] if x.size else 'n/a'} deg",
                    found=float(c),
                )
            i = int(np.argmin(np.abs(x - float(c))))
            h = float(y[i] - np.min(y))
            w = max(0.5, 10 * step)
            guesses.append((float(c), w, max(h, 1e-12) * w * 1.064))
    else:
        guesses = (
            find_peak_guesses(x, y, prominence=prominence, max_peaks=max_peaks, shoulders=shoulders)
            if x.size >= 10
            else []
        )
    n_par = 4 * len(guesses) + int(background_order) + 1
    if x.size < max(10, n_par + 2):
        raise InputError(
            "too few points to fit",
            field=where,
            expected=f"at least {max(10, n_par + 2)} points in the fitted range",
            found=int(x.size),
        )
    if not guesses:
        raise InputError(
            "no peak found in the pattern",
            field=where,
            expected=f"a peak with prominence >= {prominence:g} of the intensity span",
            found="none",
        )

    x_mid = 0.5 * (x[0] + x[-1])
    xr_ = x - x_mid
    span = x[-1] - x[0]
    step = float(np.median(np.diff(x)))
    params = lmfit.Parameters()
    # background: start from a line through the lowest points at either end
    n_edge = max(3, x.size // 20)
    y0 = float(np.min(y[:n_edge]))
    y1 = float(np.min(y[-n_edge:]))
    for k in range(int(background_order) + 1):
        start = 0.5 * (y0 + y1) if k == 0 else ((y1 - y0) / span if k == 1 else 0.0)
        params.add(f"bg{k}", value=start)
    for i, (c, w, a) in enumerate(guesses):
        half = max(w, 10 * step)
        params.add(f"p{i}_centre", value=c, min=max(x[0], c - half), max=min(x[-1], c + half))
        params.add(f"p{i}_fwhm", value=w, min=max(2 * step, w / 5), max=min(span, 3 * w))
        params.add(f"p{i}_area", value=max(a, 1e-12), min=0.0)
        if eta is None:
            params.add(f"p{i}_eta", value=0.5, min=0.0, max=1.0)
        else:
            params.add(f"p{i}_eta", value=float(eta), vary=False)

    n_peaks = len(guesses)

    def background(p: Any) -> NDArray[np.float64]:
        out = np.zeros_like(x)
        for k in range(int(background_order) + 1):
            out = out + p[f"bg{k}"].value * xr_**k
        return out

    def component(p: Any, i: int) -> NDArray[np.float64]:
        return pseudo_voigt(
            x,
            p[f"p{i}_area"].value,
            p[f"p{i}_centre"].value,
            p[f"p{i}_fwhm"].value,
            p[f"p{i}_eta"].value,
        )

    def residual(p: Any) -> NDArray[np.float64]:
        model = background(p)
        for i in range(n_peaks):
            model = model + component(p, i)
        return model - y

    try:
        out = lmfit.minimize(residual, params, method="least_squares", max_nfev=20000)
    except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        raise FitError(f"pseudo-Voigt fit of {where} failed: {exc}") from exc

    p = out.params
    warnings: list[str] = []
    converged = bool(out.success)
    if not converged:
        warnings.append(f"the peak fit did not converge: {out.message}")
    if not out.errorbars:
        warnings.append("standard errors could not be estimated (singular covariance)")

    def get(name: str) -> tuple[float, float | None]:
        par = p[name]
        err = par.stderr if (out.errorbars and par.stderr is not None) else None
        if err is not None and not math.isfinite(err):
            err = None
        return float(par.value), err

    rows = sorted(range(n_peaks), key=lambda i: p[f"p{i}_centre"].value)
    names = ("centre", "fwhm", "area", "eta")
    values = {k: [get(f"p{i}_{k}") for i in rows] for k in names}

    def arr(key: str) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        vals = np.array([v for v, _ in values[key]])
        errs = [e for _, e in values[key]]
        if any(e is None for e in errs):
            return vals, None
        return vals, np.array(errs, dtype=float)

    heights = []
    for i in rows:
        w = p[f"p{i}_fwhm"].value
        e = p[f"p{i}_eta"].value
        heights.append(
            p[f"p{i}_area"].value
            * (e * 2 / (math.pi * w) + (1 - e) * 2 / w * math.sqrt(_LN2 / math.pi))
        )
    for i in rows:
        for key in ("centre", "fwhm"):
            par = p[f"p{i}_{key}"]
            if par.min is not None and par.max is not None:
                tol = 1e-6 * max(1.0, abs(par.value))
                if abs(par.value - par.min) < tol or abs(par.value - par.max) < tol:
                    warnings.append(
                        f"peak at {p[f'p{i}_centre'].value:.2f} deg: {key} at its bound "
                        f"({par.value:.4g}); the result is not reliable"
                    )
    model = residual(p) + y
    rmse = float(np.sqrt(np.mean((model - y) ** 2)))
    quantities = {}
    for key, qname, unit, desc in (
        ("centre", "two_theta_deg", "deg", "fitted peak centres (2-theta)"),
        ("fwhm", "fwhm_deg", "deg", "fitted full widths at half maximum (2-theta)"),
        ("area", "area", "", "integrated peak areas (intensity x deg)"),
        ("eta", "eta", "", "Lorentzian fraction of each pseudo-Voigt"),
    ):
        v, e = arr(key)
        quantities[qname] = Quantity(v, e, unit, desc)
    quantities["height"] = Quantity(np.array(heights), None, "", "peak heights above background")
    curves = {
        "two_theta_deg": x,
        "data": y,
        "model": model,
        "background": background(p),
        "components": np.array([component(p, i) for i in rows]),
    }
    fit = FitQuality(
        converged=converged,
        n_evaluations=int(out.nfev),
        n_points=int(x.size),
        n_parameters=int(out.nvarys),
        rmse=rmse,
        chi2_reduced=float(out.redchi) if math.isfinite(out.redchi) else None,
        message=str(out.message),
    )
    return Result(
        analysis="xrd_peaks",
        quantities=quantities,
        fit=fit,
        warnings=tuple(warnings),
        metadata={
            "method": "pseudo-Voigt peaks + polynomial background (lmfit least squares)",
            "n_peaks": n_peaks,
            "background_order": int(background_order),
            "fit_range_deg": [float(x[0]), float(x[-1])],
            "source": source,
        },
        curves=curves,
    )
