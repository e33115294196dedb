"""fs-TA global and target analysis: timings against pyglotaran and skultrafast, and coverage.

Run ``python benchmarks/ta_global.py`` for the timings (qdcat alone, or side by side with
pyglotaran 0.7.5 and skultrafast when they are importable: ``pip install pyglotaran==0.7.5
skultrafast``). ``--coverage N`` adds the coverage study of the standard errors (N simulated
round trips; the figures in docs/validation.md come from ``--coverage 1000``);
``--glotaran-full`` also runs pyglotaran on the Hippius data until it converges (about a minute);
``--glotaran-tight`` runs it with ftol = gtol = xtol = 1e-12 (about 4 minutes) and prints the
relative differences from qdcat's parameters.

Timings are wall-clock medians of repeated warm runs (``time.perf_counter``). Not a test.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import xarray as xr
from _timing import median_time

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qdcat.io.ta import read_ta  # noqa: E402
from qdcat.kinetics.global_analysis import fit_ta, simulate_ta  # noqa: E402
from qdcat.kinetics.irf import FWHM_PER_SIGMA  # noqa: E402
from qdcat.kinetics.models import KineticModel  # noqa: E402

HIPPIUS = ROOT / "tests" / "data" / "hippius"
HIPPIUS_DATA = HIPPIUS / "demo_data_Hippius_etal_JPCC2007_111_13988_Figs5_9.ascii"


# ---------------------------------------------------------------------- data
RATES = (1.0, 0.05, 0.002)  # ps^-1: 1 ps, 20 ps, 500 ps


def sequential_dataset() -> xr.DataArray:
    """3-component sequential scheme, 500 delays x 300 wavelengths, Gaussian IRF, 1 % noise."""
    t = np.concatenate([np.linspace(-1.0, 3.0, 200), np.geomspace(3.02, 2000.0, 300)])
    wl = np.linspace(400.0, 800.0, 300)

    def band(c: float, w: float, a: float) -> np.ndarray:
        return a * np.exp(-0.5 * ((wl - c) / w) ** 2)

    eas = np.array(
        [band(500, 40, 1.0) - band(650, 40, 0.5), band(600, 50, 0.8), band(700, 40, -0.6)]
    )
    return simulate_ta(
        "sequential", RATES, eas, t, wl, irf_center_ps=0.0, irf_fwhm_ps=0.1, noise=0.01, rng=1
    )


# ---------------------------------------------------------------------- qdcat
def qdcat_sequential(data: xr.DataArray) -> tuple[float, object]:
    res = fit_ta(data, components=3, model="sequential")
    return median_time(lambda: fit_ta(data, components=3, model="sequential"), repeat=11), res


def qdcat_hippius() -> tuple[float, object]:
    data = read_ta(HIPPIUS_DATA)
    model = KineticModel.from_toml(HIPPIUS / "hippius_target.toml")
    res = fit_ta(data, model=model)
    return median_time(lambda: fit_ta(data, model=model), repeat=5), res


# qdcat parameter, glotaran label, factor from qdcat's value to glotaran's (width is sigma)
HIPPIUS_NAMES = (
    ("b1", "b.1", 1.0),
    ("k3", "rates.k3", 1.0),
    ("k4", "rates.k4", 1.0),
    ("k5", "rates.k5", 1.0),
    ("irf_center_ps", "irf.center", 1.0),
    ("irf_fwhm_ps", "irf.width", 1.0 / FWHM_PER_SIGMA),
    ("chirp_1", "irf.disp1", 1.0),
    ("chirp_2", "irf.disp2", 1.0),
    ("chirp_3", "irf.disp3", 1.0),
)


# ---------------------------------------------------------------------- pyglotaran
GLOTARAN_SEQ_MODEL = """
default_megacomplex: decay-sequential
dataset:
  dataset1:
    megacomplex: [mc1]
    irf: irf1
megacomplex:
  mc1:
    type: decay-sequential
    compartments: [s1, s2, s3]
    rates: [rates.1, rates.2, rates.3]
irf:
  irf1:
    type: gaussian
    center: irf.center
    width: irf.width
"""
GLOTARAN_SEQ_PARAMS = """
rates:
  - ['1', 0.5, {non-negative: True}]
  - ['2', 0.03, {non-negative: True}]
  - ['3', 0.003, {non-negative: True}]
irf:
  - ['center', 0.05]
  - ['width', 0.05]
"""


def _glotaran():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from glotaran.io import load_dataset, load_model, load_parameters
            from glotaran.optimization.optimize import optimize
            from glotaran.project.scheme import Scheme
    except ImportError:
        return None
    return load_dataset, load_model, load_parameters, optimize, Scheme


def glotaran_sequential(data: xr.DataArray) -> tuple[float, object] | None:
    g = _glotaran()
    if g is None:
        return None
    _, load_model, load_parameters, optimize, Scheme = g
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "model.yml").write_text(GLOTARAN_SEQ_MODEL)
        (Path(tmp) / "params.yml").write_text(GLOTARAN_SEQ_PARAMS)
        model = load_model(Path(tmp) / "model.yml")
        params = load_parameters(Path(tmp) / "params.yml")
    ds = xr.Dataset(
        {"data": (("time", "spectral"), data.values)},
        coords={"time": data.time_ps.values, "spectral": data.wavelength_nm.values},
    )

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheme = Scheme(
                model, params, {"dataset1": ds}, maximum_number_function_evaluations=None
            )
            return optimize(scheme, verbose=False, raise_exception=True)

    res = run()
    return median_time(run, repeat=3, warmup=0), res


def glotaran_hippius(max_nfev: int | None, tol: float = 1e-8) -> tuple[float, object] | None:
    g = _glotaran()
    if g is None:
        return None
    load_dataset, load_model, load_parameters, optimize, Scheme = g
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = load_dataset(HIPPIUS_DATA)
        model = load_model(HIPPIUS / "glotaran_model.yml")
        params = load_parameters(HIPPIUS / "glotaran_start_parameters.yml")
        scheme = Scheme(
            model,
            params,
            {"dataset1": ds},
            maximum_number_function_evaluations=max_nfev,
            ftol=tol,
            gtol=tol,
            xtol=tol,
        )
        t0 = time.perf_counter()
        res = optimize(scheme, verbose=False, raise_exception=True)
    return time.perf_counter() - t0, res


# ---------------------------------------------------------------------- skultrafast
def skultrafast_sequential(data: xr.DataArray) -> tuple[float, object] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from skultrafast.dataset import TimeResSpec
    except ImportError:
        return None
    ds = TimeResSpec(data.wavelength_nm.values, data.time_ps.values, data.values, auto_plot=False)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # x0 = [time zero, IRF width, tau1, tau2, tau3]
            return ds.fit_exp(
                [0.05, 0.05, 2.0, 30.0, 300.0],
                fix_sigma=False,
                fix_t0=False,
                fix_last_decay=False,
                verbose=False,
            )

    res = run()
    return median_time(run, repeat=5), res


# ---------------------------------------------------------------------- coverage study
def coverage(n_fits: int, seed: int = 2026) -> dict[str, tuple[int, float, float]]:
    """Simulate/fit round trips (the test's parameter ranges) and count how often the
    1- and 2-standard-error intervals contain the truth."""
    rng = np.random.default_rng(seed)
    wl = np.linspace(450.0, 750.0, 40)

    def band(c: float, w: float, a: float) -> np.ndarray:
        return a * np.exp(-0.5 * ((wl - c) / w) ** 2)

    spectra = np.array(
        [
            band(520, 35, 1.0) - band(660, 40, 0.5),
            band(600, 45, 0.8) - band(480, 25, 0.3),
            band(700, 35, -0.7) + band(540, 30, 0.4),
            band(470, 30, 0.6) + band(640, 30, 0.5),
        ]
    )
    z: dict[str, list[float]] = {"rates": [], "irf_center": [], "irf_fwhm": [], "chirp": []}
    failed = 0
    log_span, gap = math.log10(5000.0), math.log10(3.0)
    for _ in range(n_fits):
        n = int(rng.integers(1, 5))
        taus = 10 ** (np.sort(rng.random(n)) * (log_span - (n - 1) * gap) + np.arange(n) * gap)
        fwhm, chirp1, noise = (
            rng.uniform(0.05, 0.3),
            rng.uniform(-0.3, 0.3),
            rng.uniform(0.005, 0.02),
        )
        kind = str(rng.choice(["parallel", "sequential"]))
        t_max = max(3 * taus.max(), 50.0)
        t = np.concatenate([np.linspace(-1, 2, 90), np.geomspace(2 + 3 / 90, t_max, 60)])
        data = simulate_ta(
            kind,
            1 / taus,
            spectra[:n],
            t,
            wl,
            irf_center_ps=0.2,
            irf_fwhm_ps=fwhm,
            chirp=(chirp1,),
            noise=noise,
            rng=int(rng.integers(1 << 30)),
        )
        res = fit_ta(data, components=n, model=kind, chirp_order=1)
        if not res.converged:
            failed += 1
            continue
        order = np.argsort(res.rates_per_ps)[::-1]
        z["rates"] += list(
            (res.rates_per_ps[order] - np.sort(1 / taus)[::-1]) / res.rates_stderr_per_ps[order]
        )
        z["irf_center"].append((res.irf_center_ps - 0.2) / res.irf_center_stderr_ps)
        z["irf_fwhm"].append((res.irf_fwhm_ps - fwhm) / res.irf_fwhm_stderr_ps)
        z["chirp"].append((res.chirp_coefficients_ps[0] - chirp1) / res.chirp_stderr_ps[0])
    out = {}
    for k, v in z.items():
        a = np.abs(np.asarray(v))
        out[k] = (a.size, float(np.mean(a <= 1)), float(np.mean(a <= 2)))
    out["_failed"] = (failed, 0.0, 0.0)
    return out


# ---------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--coverage", type=int, default=0, metavar="N", help="round trips for the coverage study"
    )
    ap.add_argument(
        "--glotaran-full", action="store_true", help="also run pyglotaran to convergence on Hippius"
    )
    ap.add_argument(
        "--glotaran-tight",
        action="store_true",
        help="also run pyglotaran on Hippius with ftol = gtol = xtol = 1e-12",
    )
    args = ap.parse_args(argv)

    data = sequential_dataset()
    print("fs-TA global analysis, 3-component sequential, 500 delays x 300 wavelengths")
    t_q, r_q = qdcat_sequential(data)
    print(
        f"  qdcat        {t_q * 1e3:8.1f} ms  lifetimes {np.round(r_q.lifetimes_ps, 3)} ps  "
        f"({r_q.n_evaluations} evaluations)   target <= 50 ms"
    )
    sk = skultrafast_sequential(data)
    if sk is None:
        print("  skultrafast  not installed")
    else:
        taus = sorted(abs(sk[1].lmfit_res.params[f"t{i}"].value) for i in range(3))
        print(
            f"  skultrafast  {sk[0] * 1e3:8.1f} ms  lifetimes {np.round(taus, 3)} ps  "
            f"({sk[0] / t_q:.1f}x qdcat)"
        )
    gl = glotaran_sequential(data)
    if gl is None:
        print("  pyglotaran   not installed")
    else:
        p = gl[1].optimized_parameters
        taus = sorted(1 / p.get(f"rates.{i}").value for i in (1, 2, 3))
        print(
            f"  pyglotaran   {gl[0] * 1e3:8.1f} ms  lifetimes {np.round(taus, 3)} ps  "
            f"({gl[1].number_of_function_evaluations} evaluations; {gl[0] / t_q:.0f}x qdcat)"
        )
    print(f"  truth                    lifetimes {np.round(1 / np.array(RATES), 3)} ps")

    print("\nHippius et al. 2007 target analysis (5 compartments, 3rd-order chirp, 335 x 346)")
    t_h, r_h = qdcat_hippius()
    rp = r_h.parameters
    print(
        f"  qdcat        {t_h:8.3f} s   k3 {rp['k3'].value:.5f}, k4 {rp['k4'].value:.5f}, "
        f"k5 {rp['k5'].value:.5f}, b1 {rp['b1'].value:.4f}; "
        f"chi2 {r_h.rmse**2 * r_h.n_points:.10f} ({r_h.n_evaluations} evaluations)   "
        "target <= 0.5 s"
    )
    runs = [("max 10 evals", 10, 1e-8)]
    runs += [("converged", None, 1e-8)] if args.glotaran_full else []
    runs += [("tolerance 1e-12", None, 1e-12)] if args.glotaran_tight else []
    for label, nfev, tol in runs:
        gh = glotaran_hippius(nfev, tol)
        if gh is None:
            print("  pyglotaran   not installed")
            break
        p = gh[1].optimized_parameters
        print(
            f"  pyglotaran   {gh[0]:8.3f} s   k3 {p.get('rates.k3').value:.5f}, "
            f"k4 {p.get('rates.k4').value:.5f}, k5 {p.get('rates.k5').value:.5f}, "
            f"b1 {p.get('b.1').value:.4f}; chi2 {gh[1].chi_square:.10f} ({label}: "
            f"{gh[1].number_of_function_evaluations} evaluations; {gh[0] / t_h:.0f}x qdcat)"
        )
        if nfev is None:
            rel = []
            for name, label_g, f in HIPPIUS_NAMES:
                g = p.get(label_g).value
                rel.append(f"{name} {abs(rp[name].value * f - g) / abs(g):.1e}")
            print("               relative difference from qdcat: " + ", ".join(rel))

    if args.coverage:
        print(f"\ncoverage of the standard errors, {args.coverage} round trips")
        t0 = time.perf_counter()
        cov = coverage(args.coverage)
        print(
            f"  ({time.perf_counter() - t0:.0f} s; {cov.pop('_failed')[0]} fits did not converge)"
        )
        print(
            f"  {'parameter':12s} {'n':>6s} {'|z|<=1':>8s} {'|z|<=2':>8s}   (ideal 68.3 %, 95.4 %)"
        )
        for k, (n, c1, c2) in cov.items():
            print(f"  {k:12s} {n:6d} {100 * c1:7.1f}% {100 * c2:7.1f}%")


if __name__ == "__main__":
    main()
