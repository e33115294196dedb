"""Peak fitting of XPS spectra: components, doublets, constraints, backgrounds.

Model
-----
A spectrum on an ascending binding-energy axis is ``y = background + sum_k A_k f_k(E)`` with
unit-area profiles ``f_k`` (:mod:`qdcat.xps.lineshapes`). Each :class:`Peak` has a centre and a
width (eV) that vary within bounds or follow an lmfit expression of other parameters (a spin-orbit
partner: ``"cu1_2p32_center + 19.8"``), and an area that is free (>= 0) or a fixed multiple of
another peak's area (the 2:1 branching of a p doublet: ``area_ratio=("cu1_2p32", 0.5)``).
:func:`doublet` builds such a pair.

Fit (variable projection)
-------------------------
The areas enter linearly. For given centres and widths they are solved exactly by non-negative
least squares (``scipy.optimize.nnls``; tied areas share one column), so the nonlinear search
(``scipy.optimize.least_squares``, trust-region reflective with bounds) only sees centres, widths
and background shape parameters (Golub and Pereyra, SIAM J. Numer. Anal. 1973, 10, 413,
doi:10.1137/0710036). The lmfit :class:`~lmfit.Parameters` object holds the nonlinear parameters,
their bounds and expressions; :meth:`PeakFit.parameters` returns every parameter, the areas
included, with the area ties written as lmfit expressions.

Backgrounds
-----------
``background="shirley" | "tougaard" | "linear"`` computed from the data before the fit
(:mod:`qdcat.xps.backgrounds`) and subtracted, or with ``refine_background=True`` refined within
the fit: the Shirley step then is ``k`` times the running integral of the *model* peaks (the
"active" Shirley of Herrera-Gomez et al., Surf. Interface Anal. 2014, 46, 897,
doi:10.1002/sia.5453); the Tougaard background keeps the measured spectrum in the loss integral
(Tougaard's formula, which includes multiple scattering) but fits ``B`` and the flat level with
the peaks instead of forcing the background through the high-energy end mean. ``k`` and ``B``
are nonlinear parameters, the flat level is a linear one. A linear
background refined in the fit is a constant plus a slope. ``background="none"`` fits the data as
given.

Uncertainties
-------------
Weights are Poisson (``1/sqrt(counts)`` of the measured counts) or uniform. The covariance of
all parameters (nonlinear and areas) is ``s^2 (J^T J)^-1`` with the full Jacobian at the solution
and ``s^2`` the reduced chi-square; areas at their zero bound are held fixed. Standard errors of
functions of the areas follow by the delta method (:meth:`PeakFit.stderr_of`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import lmfit
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares, nnls

from qdcat.core.errors import FitError, InputError
from qdcat.core.results import FitQuality
from qdcat.xps import backgrounds as bgmod
from qdcat.xps.lineshapes import SHAPES, profile, profile_fwhm

__all__ = [
    "BackgroundKind",
    "Peak",
    "PeakFit",
    "PeakModel",
    "doublet",
    "fit_peaks",
]

Array = NDArray[np.float64]
BackgroundKind = Literal["shirley", "tougaard", "linear", "none"]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Peak:
    """One fit component.

    Parameters
    ----------
    name:
        Identifier (letters, digits, ``_``); parameters are ``{name}_center``, ``{name}_fwhm``.
    center_eV, fwhm_eV:
        Start values, eV (``fwhm_eV`` is the width parameter of the shape).
    shape:
        A key of :data:`qdcat.xps.lineshapes.SHAPES` (``"gl"``, ``"sgl"``, ``"voigt"``, ...).
    shape_params:
        Shape parameters: numbers (``{"p": 30}`` for GL(30)) or names of model parameters
        (``PeakModel.extra``) that are fitted, e.g. ``{"alpha": "ds_alpha"}``.
    center_range_eV, fwhm_range_eV:
        Bounds (default: centre +/- 2 eV, width 0.3-5 times the start value).
    center_expr, fwhm_expr:
        lmfit expressions that replace the free parameter.
    area_ratio:
        ``(other_peak, r)``: this area is ``r`` times the other's (no free area).
    group:
        Free label used by the analyses (``"cu1"``, ``"cu2"``, ``"satellite"``).
    vary_center, vary_fwhm:
        ``False`` holds the start value.
    """

    name: str
    center_eV: float
    fwhm_eV: float
    shape: str = "gl"
    shape_params: Mapping[str, float | str] = field(default_factory=lambda: {"p": 30.0})
    center_range_eV: tuple[float, float] | None = None
    fwhm_range_eV: tuple[float, float] | None = None
    center_expr: str | None = None
    fwhm_expr: str | None = None
    area_ratio: tuple[str, float] | None = None
    group: str = ""
    vary_center: bool = True
    vary_fwhm: bool = True


def doublet(
    name: str,
    center_eV: float,
    splitting_eV: float,
    fwhm_eV: float,
    *,
    shape: str = "gl",
    shape_params: Mapping[str, float] | None = None,
    area_ratio: float = 0.5,
    fwhm_ratio: float = 1.0,
    center_range_eV: tuple[float, float] | None = None,
    fwhm_range_eV: tuple[float, float] | None = None,
    group: str = "",
    labels: tuple[str, str] = ("2p32", "2p12"),
    splitting_param: str | None = None,
) -> tuple[Peak, Peak]:
    """A spin-orbit doublet: the second line at ``+splitting_eV`` with ``area_ratio`` its area.

    ``area_ratio`` is 0.5 for p levels (2p1/2 : 2p3/2 = 1 : 2), 2/3 for d, 3/4 for f.
    ``splitting_param`` names a parameter of the model (see ``PeakModel.extra``) to use instead
    of the fixed splitting, so that the splitting is fitted or shared between doublets.
    """
    first = Peak(
        f"{name}_{labels[0]}",
        center_eV,
        fwhm_eV,
        shape,
        dict(shape_params) if shape_params is not None else {"p": 30.0},
        center_range_eV,
        fwhm_range_eV,
        group=group,
    )
    split = splitting_param if splitting_param else f"{splitting_eV!r}"
    second = Peak(
        f"{name}_{labels[1]}",
        center_eV + splitting_eV,
        fwhm_eV * fwhm_ratio,
        shape,
        dict(first.shape_params),
        center_expr=f"{first.name}_center + {split}",
        fwhm_expr=f"{first.name}_fwhm * {fwhm_ratio!r}",
        area_ratio=(first.name, area_ratio),
        group=group,
    )
    return first, second


@dataclass(frozen=True)
class PeakModel:
    """Components plus extra named parameters ``{name: (value, min, max)}`` for expressions."""

    peaks: tuple[Peak, ...]
    extra: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [p.name for p in self.peaks]
        if not names:
            raise InputError(
                "a peak model needs at least one peak", field="peaks", expected=">= 1 peak", found=0
            )
        for n in names:
            if not _NAME.match(n):
                raise InputError(
                    "peak names must be identifiers",
                    field="peaks",
                    expected="letters, digits and '_'",
                    found=n,
                )
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise InputError(
                "duplicated peak name", field="peaks", expected="unique names", found=sorted(dup)
            )
        for p in self.peaks:
            if p.shape.lower() not in SHAPES:
                raise InputError(
                    "unknown line shape",
                    field=f"{p.name}.shape",
                    expected=", ".join(sorted(SHAPES)),
                    found=p.shape,
                )
            if p.area_ratio is not None and p.area_ratio[0] not in names:
                raise InputError(
                    "area tied to an unknown peak",
                    field=f"{p.name}.area_ratio",
                    expected="one of " + ", ".join(names),
                    found=p.area_ratio[0],
                )

    def peak(self, name: str) -> Peak:
        return next(p for p in self.peaks if p.name == name)

    def make_params(self) -> lmfit.Parameters:
        """lmfit parameters of the centres, widths and extra parameters (not the areas)."""
        params = lmfit.Parameters()
        for k, (v, lo, hi) in self.extra.items():
            params.add(k, value=v, min=lo, max=hi)
        for p in self.peaks:
            lo, hi = p.center_range_eV or (p.center_eV - 2.0, p.center_eV + 2.0)
            params.add(f"{p.name}_center", value=p.center_eV, min=lo, max=hi, vary=p.vary_center)
            wlo, whi = p.fwhm_range_eV or (0.3 * p.fwhm_eV, 5.0 * p.fwhm_eV)
            params.add(f"{p.name}_fwhm", value=p.fwhm_eV, min=wlo, max=whi, vary=p.vary_fwhm)
        for p in self.peaks:
            if p.center_expr:
                params[f"{p.name}_center"].set(expr=p.center_expr, min=-np.inf, max=np.inf)
            if p.fwhm_expr:
                params[f"{p.name}_fwhm"].set(expr=p.fwhm_expr, min=-np.inf, max=np.inf)
        return params

    def area_groups(self) -> tuple[list[str], dict[str, tuple[int, float]]]:
        """Roots (peaks with a free area) and, per peak, ``(root index, ratio to root)``."""
        by_name = {p.name: p for p in self.peaks}
        roots: list[str] = []
        link: dict[str, tuple[int, float]] = {}

        def resolve(name: str, seen: tuple[str, ...] = ()) -> tuple[str, float]:
            if name in seen:
                raise InputError(
                    "circular area ties",
                    field="area_ratio",
                    expected="a chain ending in a free area",
                    found=list(seen),
                )
            p = by_name[name]
            if p.area_ratio is None:
                return name, 1.0
            root, r = resolve(p.area_ratio[0], (*seen, name))
            return root, r * float(p.area_ratio[1])

        for p in self.peaks:
            if p.area_ratio is None:
                roots.append(p.name)
        for p in self.peaks:
            root, r = resolve(p.name)
            link[p.name] = (roots.index(root), r)
        return roots, link


#: Keys of a peak-table row that go into JSON (``peaks``): one list for every XPS result.
PEAK_SUMMARY_KEYS = (
    "name",
    "group",
    "shape",
    "position_eV",
    "fwhm_eV",
    "area",
    "position_stderr_eV",
    "area_stderr",
)


def peak_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The :data:`PEAK_SUMMARY_KEYS` of each row of :meth:`PeakFit.peak_table`."""
    return [{k: r[k] for k in PEAK_SUMMARY_KEYS} for r in rows]


@dataclass
class PeakFit:
    """Outcome of :func:`fit_peaks`.

    ``areas`` are in counts x eV; ``covariance`` is over ``[free nonlinear parameters,
    linear coefficients]``; ``area_covariance`` over the peaks in model order.
    """

    model: PeakModel
    x: Array
    y: Array
    background: Array
    background_kind: str
    background_refined: bool
    background_parameters: dict[str, float]
    values: dict[str, float]
    stderr: dict[str, float | None]
    areas: dict[str, float]
    area_stderr: dict[str, float | None]
    area_covariance: Array | None
    components: dict[str, Array]
    fit_curve: Array
    quality: FitQuality
    weights: Array
    free_names: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def converged(self) -> bool:
        return self.quality.converged

    @property
    def residual(self) -> Array:
        return self.y - self.fit_curve

    def peak_table(self) -> list[dict[str, Any]]:
        """One dict per peak: name, group, shape, position_eV, fwhm_eV, area (+ stderrs)."""
        rows = []
        for p in self.model.peaks:
            width_param = self.values[f"{p.name}_fwhm"]
            rows.append(
                {
                    "name": p.name,
                    "group": p.group,
                    "shape": _shape_label(p),
                    "position_eV": self.values[f"{p.name}_center"],
                    "position_stderr_eV": self.stderr.get(f"{p.name}_center"),
                    "fwhm_eV": profile_fwhm(
                        p.shape,
                        0.0,
                        width_param,
                        _resolve_shape_params(p.shape_params, self.values),
                    ),
                    "width_parameter_eV": width_param,
                    "width_parameter_stderr_eV": self.stderr.get(f"{p.name}_fwhm"),
                    "area": self.areas[p.name],
                    "area_stderr": self.area_stderr.get(p.name),
                }
            )
        return rows

    def stderr_of(self, func: Callable[[Mapping[str, float]], float]) -> float | None:
        """Standard error of ``func(areas)`` by the delta method (None without a covariance)."""
        if self.area_covariance is None:
            return None
        names = [p.name for p in self.model.peaks]
        a = np.array([self.areas[n] for n in names])
        base = func(dict(zip(names, a, strict=True)))
        grad = np.zeros_like(a)
        for i in range(a.size):
            h = 1e-6 * max(abs(a[i]), 1e-9 * max(abs(a).max(), 1.0), 1e-12)
            ap = a.copy()
            ap[i] += h
            grad[i] = (func(dict(zip(names, ap, strict=True))) - base) / h
        var = float(grad @ self.area_covariance @ grad)
        return math.sqrt(var) if var >= 0 and math.isfinite(var) else None

    def to_result(self, analysis: str = "xps_fit", metadata: Mapping[str, Any] | None = None):
        """A :class:`~qdcat.core.results.Result`: each peak's position, FWHM and area (and
        their standard errors) as quantities, the peak table as ``metadata["peaks"]``, the
        curves for :func:`qdcat.xps.plots.plot_peak_fit`."""
        from qdcat.core.results import Quantity, Result

        rows = self.peak_table()
        total = sum(r["area"] for r in rows) or float("nan")
        quantities: dict[str, Quantity] = {}
        for r in rows:
            n = r["name"]
            quantities[f"{n}_position_eV"] = Quantity(
                r["position_eV"], r["position_stderr_eV"], "eV", f"{n} position"
            )
            quantities[f"{n}_fwhm_eV"] = Quantity(r["fwhm_eV"], None, "eV", f"{n} FWHM")
            quantities[f"{n}_area"] = Quantity(
                r["area"],
                r["area_stderr"],
                "counts eV",
                f"{n} area",
                stderr_name=f"{n}_area_stderr",
            )
            quantities[f"{n}_share"] = Quantity(
                r["area"] / total, None, "", f"{n} area / total area"
            )
        curves: dict[str, Any] = {
            "binding_energy_eV": self.x,
            "counts": self.y,
            "fit": self.fit_curve,
            "background": self.background,
        }
        for name, comp in self.components.items():
            curves[f"component:{name}"] = comp
        md: dict[str, Any] = {
            "background": self.background_kind,
            "background_refined": self.background_refined,
            "background_parameters": self.background_parameters,
            "peaks": peak_summaries(rows),
        }
        md.update(metadata or {})
        return Result(
            analysis=analysis,
            quantities=quantities,
            fit=self.quality,
            warnings=self.warnings,
            metadata=md,
            curves=curves,
        )

    def parameters(self) -> lmfit.Parameters:
        """Every parameter with its final value and standard error; areas with tie expressions."""
        params = self.model.make_params()
        for name, v in self.values.items():
            if name in params and params[name].expr is None:
                params[name].set(value=v)
                params[name].stderr = self.stderr.get(name)
        for p in self.model.peaks:
            params.add(f"{p.name}_area", value=self.areas[p.name], min=0.0)
            params[f"{p.name}_area"].stderr = self.area_stderr.get(p.name)
        for p in self.model.peaks:
            if p.area_ratio is not None:
                params[f"{p.name}_area"].set(expr=f"{p.area_ratio[0]}_area * {p.area_ratio[1]!r}")
        return params


def _resolve_shape_params(
    shape_params: Mapping[str, float | str], vals: Mapping[str, float]
) -> dict[str, float]:
    """Shape parameters with parameter names (strings) replaced by their current values."""
    return {k: (vals[v] if isinstance(v, str) else v) for k, v in shape_params.items()}


def _shape_label(p: Peak) -> str:
    sp = dict(p.shape_params)
    if p.shape in ("gl", "sgl"):
        return f"{p.shape.upper()}({sp.get('p', 30.0):g})"
    if sp:
        return (
            f"{p.shape}("
            + ", ".join(
                f"{k}={v:g}" if not isinstance(v, str) else f"{k}={v}" for k, v in sp.items()
            )
            + ")"
        )
    return p.shape


_SAFE_FUNCS: dict[str, Any] = {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "pi": math.pi,
    "abs": abs,
    "min": min,
    "max": max,
}


class _FastParams:
    """Values of lmfit parameters for a vector of free values, without lmfit's per-call cost.

    Expressions are compiled once and evaluated in dependency order; the result is checked
    against lmfit's own evaluation at construction, and lmfit is used if they differ.
    """

    def __init__(self, params: lmfit.Parameters, free: Sequence[str]) -> None:
        self.params = params
        self.free = list(free)
        self.base = {n: float(p.value) for n, p in params.items()}
        self.order: list[tuple[str, Any]] = []
        pending = {n: p.expr for n, p in params.items() if p.expr is not None}
        known = {n for n in params if n not in pending}
        self.use_lmfit = False
        try:
            while pending:
                progressed = False
                for n, expr in list(pending.items()):
                    code = compile(expr, f"<{n}>", "eval")
                    if all(v in known or v in _SAFE_FUNCS for v in code.co_names):
                        self.order.append((n, code))
                        known.add(n)
                        del pending[n]
                        progressed = True
                if not progressed:
                    raise ValueError("unresolved expressions")
            ref = params.valuesdict()
            mine = self(np.array([params[n].value for n in self.free], dtype=float))
            for n, v in ref.items():
                if not math.isclose(mine[n], float(v), rel_tol=1e-12, abs_tol=1e-12):
                    raise ValueError(f"expression {n} differs from lmfit")
        except (SyntaxError, ValueError, NameError, TypeError, ZeroDivisionError):
            self.use_lmfit = True

    def __call__(self, theta: Array) -> dict[str, float]:
        if self.use_lmfit:
            for n, v in zip(self.free, theta, strict=True):
                self.params[n].value = float(v)
            return {k: float(v) for k, v in self.params.valuesdict().items()}
        vals = dict(self.base)
        for n, v in zip(self.free, theta, strict=True):
            vals[n] = float(v)
        ns = {**_SAFE_FUNCS, **vals}
        for n, code in self.order:
            ns[n] = vals[n] = float(eval(code, {"__builtins__": {}}, ns))
        return vals


_VECTOR_SHAPES = frozenset({"gl", "sgl", "gaussian", "lorentzian"})


def _vector_profiles(shape: str, x: Array, c: Array, w: Array, p: float) -> Array:
    """Unit-area profiles of one shape for several centres/widths at once (rows = peaks)."""
    from qdcat.xps import lineshapes as ls

    u2 = ((x[None, :] - c[:, None]) / w[:, None]) ** 2
    if shape == "gaussian":
        return np.exp(-4.0 * ls.LN2 * u2) / (w[:, None] * ls._G_AREA)
    if shape == "lorentzian":
        return 1.0 / (1.0 + 4.0 * u2) / (w[:, None] * ls._L_AREA)
    m = ls._mix(p)
    if shape == "gl":
        h = np.exp(-4.0 * ls.LN2 * (1.0 - m) * u2) / (1.0 + 4.0 * m * u2)
        return h / (w[:, None] * ls._gl_unit_area(p))
    h = (1.0 - m) * np.exp(-4.0 * ls.LN2 * u2) + m / (1.0 + 4.0 * u2)
    return h / (w[:, None] * ((1.0 - m) * ls._G_AREA + m * ls._L_AREA))


class _Problem:
    """Residual machinery for one fit (kept small: it runs hundreds of times per fit)."""

    def __init__(
        self,
        x: Array,
        y_fit: Array,
        w: Array,
        model: PeakModel,
        params: lmfit.Parameters,
        background: str,
        refine: bool,
        tougaard_kw: dict,
    ) -> None:
        self.x, self.y_fit, self.w = x, y_fit, w
        self.model = model
        self.params = params
        self.free = [n for n, p in params.items() if p.vary and p.expr is None]
        self.roots, self.link = model.area_groups()
        self.n_roots = len(self.roots)
        self.peaks = list(model.peaks)
        self.root_index = np.array([self.link[p.name][0] for p in self.peaks])
        self.ratio = np.array([self.link[p.name][1] for p in self.peaks])
        self.tie_matrix = np.zeros((self.n_roots, len(self.peaks)))
        self.tie_matrix[self.root_index, np.arange(len(self.peaks))] = self.ratio
        self.background = background
        self.refine = refine
        self.tougaard_kw = tougaard_kw
        self.extra_cols: Array | None = None
        if refine and background == "tougaard":
            # Tougaard's formula with the measured spectrum in the loss integral:
            # B(E) = c0 + B_T int K (y - c0) = c0 (1 - B_T L1(E)) + B_T Ly(E).
            self.loss_y = bgmod.tougaard_basis(x, y_fit, **tougaard_kw)
            self.loss_1 = bgmod.tougaard_basis(x, np.ones_like(x), **tougaard_kw)
        if refine:
            xs = (x - x[0]) / max(x[-1] - x[0], 1e-12)
            if background == "linear":
                self.extra_cols = np.stack([np.ones_like(x), -np.ones_like(x), xs, -xs])
            else:
                self.extra_cols = np.stack([np.ones_like(x), -np.ones_like(x)])
        self.n_eval = 0
        self.fast = _FastParams(params, self.free)
        # Peaks whose profiles can be computed together (same vectorisable shape and p).
        groups: dict[tuple[str, float], list[int]] = {}
        self.single: list[int] = []
        for i, p in enumerate(self.peaks):
            sp = dict(p.shape_params)
            shape = p.shape.lower()
            if (
                shape in _VECTOR_SHAPES
                and set(sp) <= {"p"}
                and not isinstance(sp.get("p", 30.0), str)
            ):
                groups.setdefault((shape, float(sp.get("p", 30.0))), []).append(i)
            else:
                self.single.append(i)
        self.groups = [(k[0], k[1], np.array(v)) for k, v in groups.items()]
        self.center_keys = [f"{p.name}_center" for p in self.peaks]
        self.fwhm_keys = [f"{p.name}_fwhm" for p in self.peaks]

    def set_free(self, theta: Array) -> dict[str, float]:
        return self.fast(np.asarray(theta, dtype=float))

    def profiles(self, vals: Mapping[str, float]) -> Array:
        out = np.empty((len(self.peaks), self.x.size))
        if self.groups:
            c = np.array([vals[k] for k in self.center_keys])
            w = np.array([vals[k] for k in self.fwhm_keys])
            if np.any(~(w > 0)):
                raise InputError(
                    "a line width must be positive",
                    field="fwhm",
                    expected="> 0 eV",
                    found=float(w[~(w > 0)][0]),
                )
            for shape, pmix, idx in self.groups:
                out[idx] = _vector_profiles(shape, self.x, c[idx], w[idx], pmix)
        for i in self.single:
            p = self.peaks[i]
            out[i] = profile(
                p.shape,
                self.x,
                vals[f"{p.name}_center"],
                vals[f"{p.name}_fwhm"],
                _resolve_shape_params(p.shape_params, vals),
            )
        return out

    def design(self, vals: Mapping[str, float]) -> tuple[Array, Array, Array | float]:
        """Columns (roots + background columns), per-peak profiles and a fixed model part."""
        prof = self.profiles(vals)
        cols = self.tie_matrix @ prof
        offset: Array | float = 0.0
        extra = self.extra_cols
        if self.refine and self.background == "shirley":
            cols = cols + vals["bg_shirley_k"] * bgmod.shirley_basis(self.x, cols)
        elif self.refine and self.background == "tougaard":
            b = vals["bg_tougaard_B"]
            offset = b * self.loss_y
            flat = 1.0 - b * self.loss_1
            extra = np.stack([flat, -flat])
        if extra is not None:
            cols = np.vstack([cols, extra])
        return cols, prof, offset

    def solve(self, theta: Array) -> tuple[Array, Array, Array, dict[str, float], Array | float]:
        self.n_eval += 1
        vals = self.set_free(theta)
        cols, prof, offset = self.design(vals)
        a = (cols * self.w).T
        coef, _ = nnls(a, (self.y_fit - offset) * self.w, maxiter=50 * cols.shape[0])
        return coef, cols, prof, vals, offset

    def residual(self, theta: Array) -> Array:
        coef, cols, _, _, offset = self.solve(theta)
        return (coef @ cols + offset - self.y_fit) * self.w


def _static_background(
    x: Array, y: Array, kind: str, n_average: int, tougaard_kw: dict
) -> bgmod.Background:
    if kind == "shirley":
        return bgmod.shirley_background(x, y, n_average=n_average)
    if kind == "tougaard":
        return bgmod.tougaard_background(x, y, n_average=n_average, **tougaard_kw)
    if kind == "linear":
        return bgmod.linear_background(x, y, n_average=n_average)
    return bgmod.Background("none", np.zeros_like(y))


def fit_peaks(
    x: ArrayLike,
    y: ArrayLike,
    model: PeakModel,
    *,
    background: BackgroundKind = "shirley",
    refine_background: bool = False,
    n_average: int = 5,
    tougaard: Mapping[str, float | str] | None = None,
    weights: Literal["poisson", "uniform"] = "poisson",
    fixed_background: ArrayLike | None = None,
    max_nfev: int = 400,
    params: lmfit.Parameters | None = None,
    covariance: bool = True,
) -> PeakFit:
    """Fit ``model`` to a spectrum (see the module notes).

    Parameters
    ----------
    x, y:
        Binding energy (eV, strictly ascending) and counts.
    model:
        The components.
    background:
        ``"shirley"``, ``"tougaard"``, ``"linear"`` or ``"none"``.
    refine_background:
        Refine the background within the fit instead of computing it first.
    n_average:
        End points averaged for the static backgrounds' end levels.
    tougaard:
        ``kind`` (``"U2"``/``"U3"``), ``C``, ``D``, ``gap_eV`` and optionally a fixed ``B``.
    weights:
        ``"poisson"`` (``1/sqrt(max(y, 1))``) or ``"uniform"``.
    fixed_background:
        A background array to subtract instead of computing one.
    max_nfev:
        Cap on residual evaluations of the nonlinear search.
    params:
        Start values/bounds replacing ``model.make_params()`` (same names).
    covariance:
        Estimate the covariance (standard errors); False skips it (refits for error terms).

    Returns
    -------
    PeakFit
        ``quality.converged`` is False when the search stopped at ``max_nfev``.

    Raises
    ------
    InputError
        Bad arrays or options; FitError when the fit produces no usable solution.
    """
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.ndim != 1 or xa.shape != ya.shape or xa.size < 5:
        raise InputError(
            "energies and counts must be 1-D arrays of equal length (>= 5 points)",
            field="binding_energy_eV, counts",
            expected="two equal-length 1-D arrays",
            found=(xa.shape, ya.shape),
        )
    if np.any(np.diff(xa) <= 0):
        raise InputError(
            "the binding-energy axis must increase strictly",
            field="binding_energy_eV",
            expected="strictly ascending energies",
            found=[float(v) for v in xa[:3]],
        )
    if background not in ("shirley", "tougaard", "linear", "none"):
        raise InputError(
            "unknown background",
            field="background",
            expected="'shirley', 'tougaard', 'linear' or 'none'",
            found=background,
        )
    tw = dict(tougaard or {})
    fixed_B = tw.pop("B", None)
    t_kw = {
        "kind": str(tw.pop("kind", "U2")),
        "C": float(tw.pop("C", bgmod.TOUGAARD_U2_C)),
        "D": float(tw.pop("D", 0.0)),
        "gap_eV": float(tw.pop("gap_eV", 0.0)),
    }
    if tw:
        raise InputError(
            "unknown Tougaard option",
            field="tougaard",
            expected="kind, B, C, D, gap_eV",
            found=sorted(tw),
        )
    if weights == "poisson":
        w = 1.0 / np.sqrt(np.maximum(ya, 1.0))
    elif weights == "uniform":
        w = np.ones_like(ya)
    else:
        raise InputError(
            "unknown weights", field="weights", expected="'poisson' or 'uniform'", found=weights
        )

    p = params.copy() if params is not None else model.make_params()
    pre_warnings: list[str] = []
    refine = bool(refine_background) and background != "none" and fixed_background is None
    bg_params: dict[str, float] = {}
    if fixed_background is not None:
        bg_static = np.asarray(fixed_background, dtype=float)
        if bg_static.shape != ya.shape:
            raise InputError(
                "background array has the wrong length",
                field="fixed_background",
                expected=f"{ya.size} values",
                found=bg_static.size,
            )
        y_fit = ya - bg_static
        kind = "fixed"
    elif refine:
        lo, hi, _, _ = bgmod.endpoint_levels(ya, n_average)
        est_area = max(float(np.trapezoid(ya - lo, xa)), 1e-12)
        if background == "shirley":
            k0 = max((hi - lo) / est_area, 1e-9)
            p.add("bg_shirley_k", value=k0, min=0.0, max=max(50.0 * k0, 1.0))
        elif background == "tougaard":
            b0 = (
                fixed_B
                if fixed_B is not None
                else bgmod.tougaard_background(xa, ya, n_average=n_average, **t_kw).parameters["B"]
            )
            p.add(
                "bg_tougaard_B",
                value=max(b0, 1.0),
                min=0.0,
                max=max(20.0 * abs(b0), 1e5),
                vary=fixed_B is None,
            )
        y_fit = ya
        bg_static = np.zeros_like(ya)
        kind = background
    else:
        if background == "tougaard" and fixed_B is not None:
            bgr = bgmod.tougaard_background(xa, ya, n_average=n_average, B=float(fixed_B), **t_kw)
        else:
            bgr = _static_background(xa, ya, background, n_average, t_kw)
        bg_static = bgr.values
        bg_params = dict(bgr.parameters)
        if not bgr.converged:
            pre_warnings.append(
                f"the {background} background does not reach the high-energy end level (short "
                f"by {bgr.parameters.get('high_level_shortfall', float('nan')):.3g} counts, more "
                "than 3 standard errors): the data do not have this background shape"
            )
        y_fit = ya - bg_static
        kind = background

    prob = _Problem(xa, y_fit, w, model, p, background, refine, t_kw)
    free = prob.free
    theta0 = np.array([p[n].value for n in free], dtype=float)
    lo_b = np.array([p[n].min for n in free], dtype=float)
    hi_b = np.array([p[n].max for n in free], dtype=float)
    theta0 = np.clip(theta0, lo_b, hi_b)
    warnings: list[str] = list(pre_warnings)
    if free:
        span = np.where(np.isfinite(hi_b - lo_b), hi_b - lo_b, np.maximum(np.abs(theta0), 1.0))
        try:
            sol = least_squares(
                prob.residual,
                theta0,
                bounds=(lo_b, hi_b),
                method="trf",
                x_scale=np.maximum(span, 1e-6) * 0.1,
                max_nfev=max_nfev,
                xtol=1e-8,
                ftol=1e-8,
                gtol=1e-8,
            )
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"peak fit failed: {exc}") from exc
        theta = sol.x
        converged = bool(sol.status > 0)
        message = str(sol.message)
        if not converged:
            warnings.append(f"fit did not converge: {message}")
    else:
        theta = theta0
        converged, message = True, "no free nonlinear parameters"

    coef, cols, prof, vals, offset = prob.solve(theta)
    model_y = coef @ cols + offset
    if not np.all(np.isfinite(model_y)):
        raise FitError("peak fit produced non-finite values")

    # Areas of every peak and the background actually fitted.
    peak_coef = coef[: prob.n_roots]
    areas = {
        pk.name: float(peak_coef[prob.root_index[i]] * prob.ratio[i])
        for i, pk in enumerate(model.peaks)
    }
    components = {pk.name: areas[pk.name] * prof[i] for i, pk in enumerate(model.peaks)}
    if refine:
        peaks_sum = sum(components.values())
        bg_fit = model_y - peaks_sum
        background_curve = bg_fit
        if background == "shirley":
            bg_params = {"k": float(vals["bg_shirley_k"])}
        elif background == "tougaard":
            bg_params = {
                "B": float(vals["bg_tougaard_B"]),
                **{k: float(v) for k, v in t_kw.items() if k != "kind"},
            }
        if prob.extra_cols is not None:
            extra = coef[prob.n_roots :]
            bg_params["offset"] = float(extra[0] - extra[1])
            if background == "linear":
                bg_params["slope_per_window"] = float(extra[2] - extra[3])
        fit_curve = model_y
    else:
        background_curve = bg_static
        fit_curve = model_y + bg_static

    # Covariance over [free theta, active linear coefficients].
    resid = (model_y - y_fit) * w
    n_pts = xa.size
    active = np.flatnonzero(coef > 0)
    n_par = len(free) + active.size
    dof = n_pts - n_par
    chi2 = float(resid @ resid)
    redchi = chi2 / dof if dof > 0 else float("nan")
    stderr: dict[str, float | None] = {n: None for n in vals}
    area_stderr: dict[str, float | None] = {pk.name: None for pk in model.peaks}
    area_cov = None
    if dof > 0 and covariance:
        jac_cols = []
        for i in range(len(free)):
            h = 1e-6 * max(abs(theta[i]), 1.0)
            tp, tm = theta.copy(), theta.copy()
            tp[i] = min(theta[i] + h, hi_b[i]) if hi_b[i] > theta[i] else theta[i]
            tm[i] = max(theta[i] - h, lo_b[i]) if lo_b[i] < theta[i] else theta[i]
            if tp[i] == tm[i]:
                jac_cols.append(np.zeros(n_pts))
                continue
            cp, _, op = prob.design(prob.set_free(tp))
            cm, _, om = prob.design(prob.set_free(tm))
            jac_cols.append((coef @ cp + op - coef @ cm - om) / (tp[i] - tm[i]) * w)
        prob.set_free(theta)
        for j in active:
            jac_cols.append(cols[j] * w)
        jac = np.array(jac_cols).T if jac_cols else np.zeros((n_pts, 0))
        try:
            jtj = jac.T @ jac
            cov = np.linalg.pinv(jtj, rcond=1e-12, hermitian=True) * redchi
        except np.linalg.LinAlgError:
            cov = None
        if cov is not None and np.all(np.isfinite(cov)):
            diag = np.sqrt(np.clip(np.diag(cov), 0.0, None))
            for i, n in enumerate(free):
                stderr[n] = float(diag[i])
            # Linear coefficients -> peak areas.
            rmat = np.zeros((len(model.peaks), n_par))
            for k in range(len(model.peaks)):
                root = prob.root_index[k]
                pos = np.flatnonzero(active == root)
                if pos.size:
                    rmat[k, len(free) + int(pos[0])] = prob.ratio[k]
            area_cov = rmat @ cov @ rmat.T
            ad = np.sqrt(np.clip(np.diag(area_cov), 0.0, None))
            for k, pk in enumerate(model.peaks):
                area_stderr[pk.name] = float(ad[k])
            # Expression-tied parameters: propagate through lmfit's expressions numerically.
            _tied_stderr(prob, theta, cov[: len(free), : len(free)], stderr)
            prob.set_free(theta)
        else:
            warnings.append("covariance could not be estimated (singular Jacobian)")
    for pk in model.peaks:
        if areas[pk.name] == 0.0 and pk.area_ratio is None:
            warnings.append(f"peak {pk.name} fitted with zero area (at its lower bound)")

    quality = FitQuality(
        converged=converged,
        n_evaluations=prob.n_eval,
        n_points=n_pts,
        n_parameters=n_par,
        rmse=float(np.sqrt(np.mean((ya - fit_curve) ** 2))),
        chi2_reduced=redchi if math.isfinite(redchi) else None,
        message=message,
    )
    return PeakFit(
        model=model,
        x=xa,
        y=ya,
        background=np.asarray(background_curve, dtype=float),
        background_kind=kind,
        background_refined=refine,
        background_parameters=bg_params,
        values={k: float(v) for k, v in vals.items()},
        stderr=stderr,
        areas=areas,
        area_stderr=area_stderr,
        area_covariance=area_cov,
        components=components,
        fit_curve=fit_curve,
        quality=quality,
        weights=w,
        free_names=tuple(free),
        warnings=tuple(warnings),
    )


def _tied_stderr(prob: _Problem, theta: Array, cov: Array, stderr: dict[str, float | None]) -> None:
    """Standard errors of expression-tied parameters from the free-parameter covariance."""
    tied = [n for n, p in prob.params.items() if p.expr is not None]
    if not tied or not len(theta):
        return
    base = prob.set_free(theta)
    grads = np.zeros((len(tied), len(theta)))
    for i in range(len(theta)):
        h = 1e-6 * max(abs(theta[i]), 1.0)
        tp = theta.copy()
        tp[i] += h
        moved = prob.set_free(tp)
        for k, n in enumerate(tied):
            grads[k, i] = (moved[n] - base[n]) / h
    prob.set_free(theta)
    var = np.einsum("ki,ij,kj->k", grads, cov, grads)
    for k, n in enumerate(tied):
        stderr[n] = float(math.sqrt(var[k])) if var[k] >= 0 else None


def peaks_by_group(fit: PeakFit, groups: Sequence[str]) -> float:
    """Sum of the areas of the peaks whose group is in ``groups``."""
    return float(sum(fit.areas[p.name] for p in fit.model.peaks if p.group in groups))
