"""Kinetic schemes for fs transient absorption: parallel, sequential and general target models.

A kinetic model is a set of *compartments* (excited states, intermediates) whose populations
``c(t)`` obey the linear rate equations

    dc/dt = K c,        c(0) = c0 (the initial populations, created by the pump pulse),

where the transfer matrix ``K`` is built from *transfers* ``source -> target`` (or
``source -> ground state``) with rate ``k`` (ps^-1): ``K[target, source] += k`` and
``K[source, source] -= k``. A branching transfer multiplies its rate by a *fraction*
(``b`` and ``1 - b`` for a two-way branch), so ``k_total`` and the branching ratio can be fitted
or fixed separately (as in glotaran's ``$b.1 * $rates.k1sum``).

With ``K = V diag(-r) V^-1`` (eigen-rates ``r_j``, distinct), the populations are

    c(t) = sum_j V[:, j] gamma_j exp(-r_j t),   gamma = V^-1 c0,

so the population matrix of a pulse convolved with a Gaussian instrument response is
``C = E(t; r, mu, sigma) @ M`` with ``E[:, j]`` the IRF-convolved exponential of rate ``r_j``
(:func:`qdcat.kinetics.irf.convolved_exponentials`) and ``M = diag(gamma) V^T``. The rows of
``M`` map species-associated spectra (SAS) to decay-associated spectra (DAS):
``DAS = M @ SAS``.

* ``KineticModel.parallel(n)``: independent decays, ``c0 = 1`` each: spectra are DAS.
* ``KineticModel.sequential(n)``: ``s1 -> s2 -> ... -> sn -> ground``, ``c0 = (1, 0, ...)``:
  spectra are evolution-associated (EAS).
* anything else (``KineticModel(...)`` or :meth:`KineticModel.from_toml`): a target model,
  spectra are species-associated (SAS).

Reference: I. H. M. van Stokkum, D. S. Larsen, R. van Grondelle, *Biochim. Biophys. Acta* 1657
(2004) 82-104 (global and target analysis); J. Snellenburg et al., *J. Stat. Softw.* 49 (2012) 3
(Glotaran).

TOML format
-----------
:meth:`KineticModel.from_toml` reads a file (or an already parsed dict) like this one, the
target model of Hippius et al. (*J. Phys. Chem. C* 111 (2007) 13988) as glotaran fits it::

    name = "Hippius 2007 target model"
    compartments = ["s1", "s2", "s3", "s4", "s5"]
    initial = { s1 = 1.0, s5 = 1.0 }    # initial populations; missing compartments start at 0
    # spectra = ["s1", "s2", ...]       # compartments with a spectrum ("free"); default: all

    [rates]                             # ps^-1: a number is a start value that is fitted,
    k1sum = { value = 9.49943878184853, vary = false }   # a table may fix it
    k3 = 0.4839723
    k4 = 0.0368954
    k5 = 0.0192859
    kC = { value = 99.0, vary = false }

    [fractions]                         # branching fractions, in [0, 1]
    b1 = 0.22

    [[transfers]]                       # "to" missing: decay to the ground state
    from = "s1"
    to = "s2"
    rate = "k1sum"
    fraction = "b1"
    [[transfers]]
    from = "s1"
    to = "s3"
    rate = "k1sum"
    fraction = "1 - b1"                 # the complement of one or more fractions
    # ... s2 -> s4 (k3), s3 -> s4 (k4), s4 -> ground (k5), s5 -> ground (kC)

    [[constraints]]                     # SAS of s3 = ratio * SAS of s2 over the interval
    type = "equal_spectra"
    compartments = ["s2", "s3"]
    interval_nm = [0, 1000]
    ratio = 1.0
    # type = "zero_spectrum", compartment = "s1", interval_nm = [...]: no signal there

    [[weights]]                         # residuals in the interval multiplied by value
    wavelength_nm = [280, 550]          # (closed intervals; time_ps = [lo, hi] also possible)
    value = 0.1

    [irf]                               # start values (all optional)
    center_ps = 1.19809
    sigma_ps = 0.05843                  # or fwhm_ps
    chirp_ps = [0.30895710, -0.0833899, 0.0047]   # coefficients of ((lambda - ref)/100 nm)^i
    chirp_reference_nm = 550
    fixed = []                          # any of "irf_center_ps", "irf_fwhm_ps", "chirp"

``from_toml`` also accepts ``kind = "parallel" | "sequential"`` with ``components = n`` for the
two standard schemes (constraints, weights and ``[irf]`` may still be given).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qdcat.core.errors import ConfigError, InputError
from qdcat.kinetics.irf import convolved_exponentials, fwhm_to_sigma

__all__ = [
    "EqualSpectra",
    "IrfSpec",
    "KineticModel",
    "ModelParameter",
    "Transfer",
    "Weight",
    "ZeroSpectrum",
    "eigen_decomposition",
]

_INF = math.inf


def _interval(value: Any, name: str) -> tuple[float, float]:
    if value is None:
        return (-_INF, _INF)
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            "not an interval", field=name, expected="two numbers [low, high]", found=value
        ) from exc
    if math.isnan(lo) or math.isnan(hi):
        raise InputError("interval bound is NaN", field=name, found=value)
    return (min(lo, hi), max(lo, hi))


@dataclass(frozen=True)
class Transfer:
    """One transfer ``source -> target`` (``target=None``: to the ground state).

    ``rate`` names a rate parameter (ps^-1). ``fraction`` optionally names a branching fraction
    ``"b1"`` or its complement ``"1 - b1"`` (``"1 - b1 - b2"`` for a three-way branch); the
    effective rate is rate x fraction.
    """

    source: str
    target: str | None
    rate: str
    fraction: str | None = None

    def fraction_terms(self) -> tuple[bool, tuple[str, ...]]:
        """``(complement, names)``: fraction = ``prod`` or ``1 - sum(names)``."""
        if self.fraction is None:
            return False, ()
        text = self.fraction.replace(" ", "")
        if text.startswith("1-"):
            names = tuple(n for n in text[2:].split("-"))
            if not names or not all(names):
                raise InputError(
                    "cannot read branching fraction",
                    field=f"transfer {self.source}->{self.target}",
                    expected="'b1' or '1 - b1 - b2'",
                    found=self.fraction,
                )
            return True, names
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", text):
            raise InputError(
                "cannot read branching fraction",
                field=f"transfer {self.source}->{self.target}",
                expected="'b1' or '1 - b1 - b2'",
                found=self.fraction,
            )
        return False, (text,)


@dataclass(frozen=True)
class ModelParameter:
    """A rate (``kind='rate'``, ps^-1, > 0) or branching fraction (``kind='fraction'``, 0..1)."""

    name: str
    value: float
    vary: bool = True
    kind: str = "rate"


@dataclass(frozen=True)
class EqualSpectra:
    """Spectrum of ``target`` = ``ratio`` x spectrum of ``source`` within ``interval_nm``."""

    source: str
    target: str
    interval_nm: tuple[float, float] = (-_INF, _INF)
    ratio: float = 1.0


@dataclass(frozen=True)
class ZeroSpectrum:
    """Spectrum of ``compartment`` is zero within ``interval_nm`` (closed interval)."""

    compartment: str
    interval_nm: tuple[float, float] = (-_INF, _INF)


@dataclass(frozen=True)
class Weight:
    """Residuals with wavelength and delay inside both closed intervals are multiplied by
    ``value`` (weights of overlapping intervals multiply)."""

    value: float
    wavelength_nm: tuple[float, float] = (-_INF, _INF)
    time_ps: tuple[float, float] = (-_INF, _INF)


@dataclass(frozen=True)
class IrfSpec:
    """Start values of the instrument response (``None``: estimated from the data)."""

    center_ps: float | None = None
    fwhm_ps: float | None = None
    chirp_ps: tuple[float, ...] = ()
    chirp_reference_nm: float | None = None
    fixed: tuple[str, ...] = ()


def _coerce_transfer(item: Any) -> Transfer:
    if isinstance(item, Transfer):
        return item
    if isinstance(item, Mapping):
        try:
            return Transfer(
                str(item["from"]),
                None if item.get("to") is None else str(item["to"]),
                str(item["rate"]),
                None if item.get("fraction") is None else str(item["fraction"]),
            )
        except KeyError as exc:
            raise InputError(
                "transfer lacks a key", field="transfers", expected="from, rate", found=item
            ) from exc
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) in (3, 4):
        src, tgt, rate, *frac = item
        return Transfer(
            str(src), None if tgt is None else str(tgt), str(rate), str(frac[0]) if frac else None
        )
    raise InputError(
        "cannot read transfer",
        field="transfers",
        expected="(from, to, rate[, fraction]) with to=None for decay to the ground state",
        found=item,
    )


@dataclass(frozen=True)
class KineticModel:
    """A kinetic scheme: compartments, transfers, initial populations, which spectra are free.

    Parameters
    ----------
    compartments:
        Compartment names, in order.
    transfers:
        :class:`Transfer` objects or tuples ``(from, to, rate_name[, fraction])`` (``to=None``:
        decay to the ground state).
    parameters:
        :class:`ModelParameter` for every rate and fraction the transfers name (start values,
        ps^-1 for rates). A mapping ``name -> value`` is accepted (all rates, all varied).
    initial:
        Initial population of each compartment (default: 1 for the first, 0 for the others).
    free:
        Compartments that have a spectrum to estimate (default: all). The others are dark: their
        spectrum is zero at every wavelength.
    kind:
        ``'parallel'`` (spectra are DAS), ``'sequential'`` (EAS) or ``'target'`` (SAS).
    constraints, weights, irf:
        Spectral constraints (:class:`EqualSpectra`, :class:`ZeroSpectrum`), :class:`Weight`
        intervals and IRF start values that belong to the model of the data; :func:`fit_ta`
        adds its own.
    """

    compartments: tuple[str, ...]
    transfers: tuple[Transfer, ...]
    parameters: tuple[ModelParameter, ...]
    initial: tuple[float, ...] | None = None
    free: tuple[str, ...] | None = None
    kind: str = "target"
    constraints: tuple[EqualSpectra | ZeroSpectrum, ...] = ()
    weights: tuple[Weight, ...] = ()
    irf: IrfSpec = field(default_factory=IrfSpec)
    name: str = ""
    auto_start: bool = False
    """True for ``parallel(n)``/``sequential(n)`` made without rates: :func:`fit_ta` then
    chooses start rates from the data instead of using the placeholder values."""

    def __post_init__(self) -> None:
        comps = tuple(str(c) for c in self.compartments)
        if not comps:
            raise InputError("a kinetic model needs at least one compartment", field="compartments")
        if len(set(comps)) != len(comps):
            raise InputError("compartment names must be unique", field="compartments", found=comps)
        transfers = tuple(_coerce_transfer(t) for t in self.transfers)
        params = self.parameters
        if isinstance(params, Mapping):
            params = tuple(ModelParameter(str(k), float(v)) for k, v in params.items())
        params = tuple(p if isinstance(p, ModelParameter) else ModelParameter(*p) for p in params)
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise InputError("parameter names must be unique", field="parameters", found=names)
        kinds = {p.name: p.kind for p in params}
        for p in params:
            if p.kind not in ("rate", "fraction"):
                raise InputError(
                    "unknown parameter kind",
                    field=p.name,
                    expected="'rate' or 'fraction'",
                    found=p.kind,
                )
            if not math.isfinite(p.value):
                raise InputError("parameter value must be finite", field=p.name, found=p.value)
            if p.kind == "rate" and not p.value >= 0:
                raise InputError("a rate must be >= 0", field=p.name, found=p.value)
            if p.kind == "fraction" and not 0 <= p.value <= 1:
                raise InputError("a fraction must be in [0, 1]", field=p.name, found=p.value)
        for t in transfers:
            where = f"transfer {t.source}->{t.target or 'ground'}"
            if t.source not in comps:
                raise InputError("unknown compartment", field=where, found=t.source)
            if t.target is not None and t.target not in comps:
                raise InputError("unknown compartment", field=where, found=t.target)
            if t.target == t.source:
                raise InputError(
                    "a transfer needs two different compartments (omit 'to' for a decay)",
                    field=where,
                )
            if kinds.get(t.rate) != "rate":
                raise InputError(
                    "transfer names an undefined rate", field=where, expected=names, found=t.rate
                )
            for n in t.fraction_terms()[1]:
                if kinds.get(n) != "fraction":
                    raise InputError("transfer names an undefined fraction", field=where, found=n)
        initial = (
            tuple(1.0 if i == 0 else 0.0 for i in range(len(comps)))
            if self.initial is None
            else tuple(float(x) for x in self.initial)
        )
        if len(initial) != len(comps) or not all(math.isfinite(x) for x in initial):
            raise InputError(
                "initial populations: one finite number per compartment",
                field="initial",
                expected=f"{len(comps)} numbers",
                found=self.initial,
            )
        if not any(initial):
            raise InputError("all initial populations are zero", field="initial")
        free = comps if self.free is None else tuple(str(c) for c in self.free)
        for c in free:
            if c not in comps:
                raise InputError("unknown compartment", field="free", found=c)
        if self.kind not in ("parallel", "sequential", "target"):
            raise InputError(
                "unknown model kind",
                field="kind",
                expected="'parallel', 'sequential' or 'target'",
                found=self.kind,
            )
        constraints = tuple(self.constraints)
        for c in constraints:
            if isinstance(c, EqualSpectra):
                members: tuple[str, ...] = (c.source, c.target)
            elif isinstance(c, ZeroSpectrum):
                members = (c.compartment,)
            else:
                raise InputError(
                    "unknown constraint",
                    field="constraints",
                    expected="EqualSpectra or ZeroSpectrum",
                    found=c,
                )
            for m in members:
                if m not in comps:
                    raise InputError("constraint names an unknown compartment", found=m)
        set_ = object.__setattr__
        set_(self, "compartments", comps)
        set_(self, "transfers", transfers)
        set_(self, "parameters", params)
        set_(self, "initial", initial)
        set_(self, "free", free)
        set_(self, "constraints", constraints)
        set_(self, "weights", tuple(self.weights))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def parallel(cls, n: int, rates: Sequence[float] | None = None) -> KineticModel:
        """``n`` independent compartments ``s1..sn`` decaying with ``k1..kn`` (DAS)."""
        n = _count(n)
        auto = rates is None
        rates = _default_rates(n) if rates is None else [float(r) for r in rates]
        return cls(
            compartments=tuple(f"s{i + 1}" for i in range(n)),
            transfers=tuple(Transfer(f"s{i + 1}", None, f"k{i + 1}") for i in range(n)),
            parameters=tuple(ModelParameter(f"k{i + 1}", r) for i, r in enumerate(rates)),
            initial=(1.0,) * n,
            kind="parallel",
            name=f"parallel ({n})",
            auto_start=auto,
        )

    @classmethod
    def sequential(cls, n: int, rates: Sequence[float] | None = None) -> KineticModel:
        """``s1 -> s2 -> ... -> sn -> ground`` with ``k1..kn``, all population in s1 (EAS)."""
        n = _count(n)
        auto = rates is None
        rates = _default_rates(n) if rates is None else [float(r) for r in rates]
        return cls(
            compartments=tuple(f"s{i + 1}" for i in range(n)),
            transfers=tuple(
                Transfer(f"s{i + 1}", f"s{i + 2}" if i + 1 < n else None, f"k{i + 1}")
                for i in range(n)
            ),
            parameters=tuple(ModelParameter(f"k{i + 1}", r) for i, r in enumerate(rates)),
            initial=(1.0,) + (0.0,) * (n - 1),
            kind="sequential",
            name=f"sequential ({n})",
            auto_start=auto,
        )

    @classmethod
    def from_toml(cls, source: str | PathLike[str] | Mapping[str, Any]) -> KineticModel:
        """Read a model from a TOML file (path) or an already parsed mapping.

        See the module docstring for the format. Errors are :class:`ConfigError` naming the
        file and key.
        """
        file = None
        if isinstance(source, Mapping):
            doc = dict(source)
        else:
            file = Path(source)
            try:
                doc = tomllib.loads(file.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"cannot read model file: {exc}", file=file) from exc
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"not valid TOML: {exc}", file=file) from exc
        try:
            return _model_from_doc(doc)
        except ConfigError:
            raise
        except InputError as exc:
            raise ConfigError(exc.reason, file=file, key_path=exc.field) from exc

    # ------------------------------------------------------------------ properties
    @property
    def rate_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.kind == "rate")

    @property
    def fraction_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.kind == "fraction")

    @property
    def spectra_kind(self) -> str:
        return {"parallel": "DAS", "sequential": "EAS"}.get(self.kind, "SAS")

    def parameter(self, name: str) -> ModelParameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError("unknown model parameter", expected=list(self.parameter_names), found=name)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def with_values(self, values: Mapping[str, float]) -> KineticModel:
        """A copy with new start values (names not in the model raise InputError)."""
        known = set(self.parameter_names)
        for k in values:
            if k not in known:
                raise InputError(
                    "unknown model parameter", expected=sorted(known), found=k, field="start"
                )
        params = tuple(
            replace(p, value=float(values[p.name])) if p.name in values else p
            for p in self.parameters
        )
        return replace(self, parameters=params, auto_start=self.auto_start and not values)

    # ------------------------------------------------------------------ numerics
    def values_array(self, values: Mapping[str, float] | Sequence[float] | None = None):
        """Parameter values as an array in ``parameters`` order.

        ``values`` may be a mapping (missing names keep the model's values), a sequence with one
        value per rate (fractions keep the model's values) or one per parameter.
        """
        base = np.array([p.value for p in self.parameters], dtype=float)
        if values is None:
            return base
        if isinstance(values, Mapping):
            known = self.parameter_names
            for k, v in values.items():
                if k not in known:
                    raise InputError("unknown model parameter", expected=list(known), found=k)
                base[known.index(k)] = float(v)
            return base
        arr = np.asarray(values, dtype=float).ravel()
        rate_idx = [i for i, p in enumerate(self.parameters) if p.kind == "rate"]
        if arr.size == len(rate_idx):
            base[rate_idx] = arr
        elif arr.size == base.size:
            base = arr.copy()
        else:
            raise InputError(
                "wrong number of rates",
                expected=f"{len(rate_idx)} rates ({', '.join(self.rate_names)})",
                found=arr.tolist(),
            )
        return base

    def k_matrix(self, values: ArrayLike | Mapping[str, float] | None = None) -> NDArray:
        """Transfer matrix ``K`` (dc/dt = K c) for parameter values (``parameters`` order)."""
        v = (
            self.values_array(values)
            if values is None or isinstance(values, Mapping)
            else np.asarray(values, dtype=float)
        )
        K, _ = _k_matrix_and_derivatives(self, v, derivatives=False)
        return K

    def populations(
        self,
        time_ps: ArrayLike,
        values: Mapping[str, float] | Sequence[float] | None = None,
        *,
        irf_center_ps: float = 0.0,
        irf_fwhm_ps: float = 0.1,
    ) -> NDArray[np.float64]:
        """Population matrix ``(time, compartment)`` after a Gaussian pulse (centre, FWHM)."""
        r, M = eigen_decomposition(self, self.values_array(values))
        E = convolved_exponentials(
            np.asarray(time_ps, float), r, irf_center_ps, fwhm_to_sigma(irf_fwhm_ps)
        )
        return E @ M


def _count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError("number of components must be a positive integer", found=n)
    return int(n)


def _default_rates(n: int) -> list[float]:
    return [float(x) for x in np.geomspace(1.0, 0.001, n + 2)[1:-1]] if n > 1 else [0.1]


def _k_matrix_and_derivatives(
    model: KineticModel, values: NDArray, *, derivatives: bool = True
) -> tuple[NDArray, NDArray | None]:
    """``K`` and ``dK/dp`` for every parameter ``p`` (shape ``(n_param, n, n)``)."""
    comps = model.compartments
    n = len(comps)
    index = {p.name: i for i, p in enumerate(model.parameters)}
    K = np.zeros((n, n))
    dK = np.zeros((len(model.parameters), n, n)) if derivatives else None
    for t in model.transfers:
        s = comps.index(t.source)
        T = np.zeros((n, n))
        T[s, s] = -1.0
        if t.target is not None:
            T[comps.index(t.target), s] = 1.0
        k = values[index[t.rate]]
        complement, names = t.fraction_terms()
        if names:
            f = values[[index[m] for m in names]]
            frac = 1.0 - f.sum() if complement else float(np.prod(f))
            clipped = frac < 0
            frac = max(frac, 0.0)
        else:
            frac, clipped = 1.0, False
        K += k * frac * T
        if dK is not None:
            dK[index[t.rate]] += frac * T
            if names and not clipped:
                for m in names:
                    dfrac = (
                        -1.0
                        if complement
                        else float(np.prod([values[index[o]] for o in names if o != m]))
                    )
                    dK[index[m]] += k * dfrac * T
    return K, dK


def eigen_decomposition(model: KineticModel, values: NDArray, *, derivatives: bool = False) -> Any:
    """Eigen-rates ``r`` and mixing matrix ``M`` with ``C = E(r) @ M`` (see module docstring).

    With ``derivatives=True`` also returns ``dr`` (``(n_param, m)``) and ``dM``
    (``(n_param, m, n_comp)``), the exact first derivatives with respect to each parameter
    (perturbation theory of a diagonalisable matrix with distinct eigenvalues).
    Raises :class:`InputError` when ``K`` is defective (equal eigen-rates in a chain) or has
    complex eigenvalues.
    """
    c0 = np.asarray(model.initial, dtype=float)
    n = c0.size
    if model.kind == "parallel":
        r = np.array(
            [values[model.parameter_names.index(t.rate)] for t in model.transfers], dtype=float
        )
        M = np.diag(c0)
        if not derivatives:
            return r, M
        dr = np.zeros((len(model.parameters), n))
        for j, t in enumerate(model.transfers):
            dr[model.parameter_names.index(t.rate), j] = 1.0
        return r, M, dr, np.zeros((len(model.parameters), n, n))
    K, dK = _k_matrix_and_derivatives(model, values, derivatives=derivatives)
    lam, V = np.linalg.eig(K)
    if np.iscomplexobj(lam):
        if np.max(np.abs(lam.imag)) > 1e-9 * max(1.0, np.max(np.abs(lam.real))):
            raise InputError(
                "the transfer matrix has complex eigenvalues (an oscillating scheme)",
                field="transfers",
            )
        lam, V = lam.real, V.real
    order = np.argsort(lam)  # most negative first: fastest eigen-rate first
    lam, V = lam[order], V[:, order]
    r = -lam
    scale = max(1.0, float(np.max(np.abs(lam))))
    gaps = np.abs(lam[:, None] - lam[None, :]) + np.eye(n) * scale
    cond = np.linalg.cond(V)
    if not np.isfinite(cond) or cond > 1e10 or np.min(gaps) < 1e-12 * scale:
        raise InputError(
            "the transfer matrix is (nearly) defective: equal eigen-rates in a chain",
            field="transfers",
            found=r.tolist(),
        )
    Vinv = np.linalg.inv(V)
    gamma = Vinv @ c0
    M = gamma[:, None] * V.T
    if not derivatives:
        return r, M
    assert dK is not None
    F = Vinv @ dK @ V  # (p, m, m)
    dlam = np.einsum("pii->pi", F)
    denom = lam[None, :] - lam[:, None]  # [i, j] = lam_j - lam_i
    np.fill_diagonal(denom, 1.0)
    Omega = F / denom
    idx = np.arange(n)
    Omega[:, idx, idx] = 0.0
    dV = V @ Omega  # (p, n, m)
    dgamma = -np.einsum("pij,j->pi", Omega, gamma)
    dM = dgamma[:, :, None] * V.T[None] + gamma[None, :, None] * np.transpose(dV, (0, 2, 1))
    return r, M, -dlam, dM


# ---------------------------------------------------------------------- TOML
_TOP_KEYS = {
    "name",
    "kind",
    "components",
    "compartments",
    "initial",
    "spectra",
    "rates",
    "fractions",
    "transfers",
    "constraints",
    "weights",
    "irf",
}


def _param_table(table: Any, kind: str, key: str) -> list[ModelParameter]:
    if table is None:
        return []
    if not isinstance(table, Mapping):
        raise ConfigError("must be a table", key_path=key, found=table)
    out = []
    for name, spec in table.items():
        path = f"{key}.{name}"
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"value", "vary"}
            if unknown:
                raise ConfigError(
                    "unknown key", key_path=f"{path}.{sorted(unknown)[0]}", expected="value, vary"
                )
            if "value" not in spec:
                raise ConfigError("missing 'value'", key_path=path)
            value, vary = spec["value"], spec.get("vary", True)
        else:
            value, vary = spec, True
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError("wrong type", key_path=path, expected="a number", found=value)
        if not isinstance(vary, bool):
            raise ConfigError(
                "wrong type", key_path=f"{path}.vary", expected="true or false", found=vary
            )
        out.append(ModelParameter(str(name), float(value), vary, kind))
    return out


def _model_from_doc(doc: Mapping[str, Any]) -> KineticModel:
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise ConfigError(
            "unknown key", key_path=sorted(unknown)[0], expected=", ".join(sorted(_TOP_KEYS))
        )
    kind = doc.get("kind", "target")
    constraints = tuple(_constraint(c, i) for i, c in enumerate(doc.get("constraints", [])))
    weights = tuple(_weight(w, i) for i, w in enumerate(doc.get("weights", [])))
    irf = _irf_spec(doc.get("irf"))
    if kind in ("parallel", "sequential"):
        n = doc.get("components")
        if n is None:
            raise ConfigError(f"a {kind} model needs 'components'", key_path="components")
        base = getattr(KineticModel, kind)(n)
        rates = _param_table(doc.get("rates"), "rate", "rates")
        if rates:
            base = base.with_values({p.name: p.value for p in rates})
            fixed = {p.name for p in rates if not p.vary}
            base = replace(
                base,
                parameters=tuple(replace(p, vary=p.name not in fixed) for p in base.parameters),
            )
        return replace(
            base, constraints=constraints, weights=weights, irf=irf, name=doc.get("name", base.name)
        )
    if kind != "target":
        raise ConfigError(
            "unknown model kind",
            key_path="kind",
            expected="parallel, sequential, target",
            found=kind,
        )
    comps = doc.get("compartments")
    if not isinstance(comps, list) or not comps:
        raise ConfigError("missing or empty", key_path="compartments", expected="a list of names")
    init = doc.get("initial")
    if init is None:
        initial = None
    elif isinstance(init, Mapping):
        for k in init:
            if k not in comps:
                raise ConfigError("unknown compartment", key_path=f"initial.{k}", expected=comps)
        initial = tuple(float(init.get(c, 0.0)) for c in comps)
    elif isinstance(init, list):
        initial = tuple(float(x) for x in init)
    else:
        raise ConfigError("wrong type", key_path="initial", expected="a table or list", found=init)
    params = _param_table(doc.get("rates"), "rate", "rates") + _param_table(
        doc.get("fractions"), "fraction", "fractions"
    )
    transfers = []
    for i, t in enumerate(doc.get("transfers", [])):
        if not isinstance(t, Mapping):
            raise ConfigError("must be a table", key_path=f"transfers[{i}]", found=t)
        unknown = set(t) - {"from", "to", "rate", "fraction"}
        if unknown:
            raise ConfigError(
                "unknown key",
                key_path=f"transfers[{i}].{sorted(unknown)[0]}",
                expected="from, to, rate, fraction",
            )
        for key in ("from", "rate"):
            if key not in t:
                raise ConfigError(f"missing '{key}'", key_path=f"transfers[{i}]")
        transfers.append(_coerce_transfer(t))
    if not transfers:
        raise ConfigError("a target model needs transfers", key_path="transfers")
    return KineticModel(
        compartments=tuple(comps),
        transfers=tuple(transfers),
        parameters=tuple(params),
        initial=initial,
        free=None if doc.get("spectra") is None else tuple(doc["spectra"]),
        kind="target",
        constraints=constraints,
        weights=weights,
        irf=irf,
        name=str(doc.get("name", "")),
    )


def _constraint(c: Any, i: int) -> EqualSpectra | ZeroSpectrum:
    path = f"constraints[{i}]"
    if not isinstance(c, Mapping):
        raise ConfigError("must be a table", key_path=path, found=c)
    kind = c.get("type")
    interval = _interval(c.get("interval_nm"), f"{path}.interval_nm")
    if kind == "equal_spectra":
        comps = c.get("compartments")
        if not isinstance(comps, list) or len(comps) != 2:
            raise ConfigError(
                "needs two compartments", key_path=f"{path}.compartments", found=comps
            )
        return EqualSpectra(str(comps[0]), str(comps[1]), interval, float(c.get("ratio", 1.0)))
    if kind == "zero_spectrum":
        comp = c.get("compartment")
        if not isinstance(comp, str):
            raise ConfigError("needs a compartment name", key_path=f"{path}.compartment")
        return ZeroSpectrum(comp, interval)
    raise ConfigError(
        "unknown constraint type",
        key_path=f"{path}.type",
        expected="equal_spectra or zero_spectrum",
        found=kind,
    )


def _weight(w: Any, i: int) -> Weight:
    path = f"weights[{i}]"
    if not isinstance(w, Mapping) or "value" not in w:
        raise ConfigError("must be a table with 'value'", key_path=path, found=w)
    unknown = set(w) - {"value", "wavelength_nm", "time_ps"}
    if unknown:
        raise ConfigError(
            "unknown key",
            key_path=f"{path}.{sorted(unknown)[0]}",
            expected="value, wavelength_nm, time_ps",
        )
    return Weight(
        float(w["value"]),
        _interval(w.get("wavelength_nm"), f"{path}.wavelength_nm"),
        _interval(w.get("time_ps"), f"{path}.time_ps"),
    )


def _irf_spec(t: Any) -> IrfSpec:
    if t is None:
        return IrfSpec()
    if not isinstance(t, Mapping):
        raise ConfigError("must be a table", key_path="irf", found=t)
    keys = {"center_ps", "fwhm_ps", "sigma_ps", "chirp_ps", "chirp_reference_nm", "fixed"}
    unknown = set(t) - keys
    if unknown:
        raise ConfigError(
            "unknown key", key_path=f"irf.{sorted(unknown)[0]}", expected=", ".join(sorted(keys))
        )
    fwhm = t.get("fwhm_ps")
    if "sigma_ps" in t:
        if fwhm is not None:
            raise ConfigError("give fwhm_ps or sigma_ps, not both", key_path="irf")
        from qdcat.kinetics.irf import FWHM_PER_SIGMA

        fwhm = float(t["sigma_ps"]) * FWHM_PER_SIGMA
    fixed = tuple(t.get("fixed", ()))
    allowed = {"irf_center_ps", "irf_fwhm_ps", "chirp"}
    for f in fixed:
        if f not in allowed:
            raise ConfigError(
                "unknown parameter", key_path="irf.fixed", expected=sorted(allowed), found=f
            )
    return IrfSpec(
        center_ps=None if t.get("center_ps") is None else float(t["center_ps"]),
        fwhm_ps=None if fwhm is None else float(fwhm),
        chirp_ps=tuple(float(c) for c in t.get("chirp_ps", ())),
        chirp_reference_nm=(
            None if t.get("chirp_reference_nm") is None else float(t["chirp_reference_nm"])
        ),
        fixed=fixed,
    )
