"""The run file (RUN.toml): one photocatalysis run with everything needed for its figures of merit.

A run file is TOML. The smallest useful one (``examples/runs/paper_2_12_120h.toml``)::

    [sample]
    name = "2/12ZCIS"
    catalyst_mass_mg = 0.191          # mass of quantum dots in the reactor, mg
    qd_molar_mass_g_mol = 30700       # molar mass of one dot (g per mol of dots)
    surface_cu_per_qd = 24            # surface Cu atoms per dot (catalytic sites)

    [light]                           # monochromatic
    wavelength_nm = 400
    power_mW_cm2 = 5.28               # measured power density at the reactor window
    area_cm2 = 1.0                    # irradiated area

    [[points]]                        # cumulative amounts in the reactor
    time_h = 24
    CO_umol = 2.4
    H2_umol = 0.2
    CH4_umol = 0.0

    [[points]]
    time_h = 120
    CO_umol = 12.2
    H2_umol = 1.0
    CH4_umol = 0.06

Optional parts
--------------
``[sample]``
    ``catalyst_mass_stderr_mg``, ``qd_molar_mass_stderr_g_mol``, ``surface_cu_per_qd_stderr``
    (standard errors, propagated), ``notes``. Without a mass there are no mass-normalised
    rates and TONs; without a molar mass no TON per dot; without surface Cu no TON per Cu.
``[light]``
    ``power_stderr_mW_cm2`` (propagated into the AQY), ``source`` (free text). The
    **broadband** form replaces ``wavelength_nm``/``power_mW_cm2`` by ``spectrum``: a table
    ``wavelength_nm`` + spectral irradiance (relative to this file), or ``"AM1.5G"`` for a
    solar simulator modelled as the ASTM G173 spectrum; with ``irradiance_mW_cm2``,
    ``band_nm = [380, 780]`` (filter), ``reading = "filtered" | "full"`` (what the stated
    irradiance means for AM1.5G) and ``count_band_nm`` -- see
    :func:`qdcat.catalysis.photons.light_from_config`, which builds the light. AQY per
    product (``aqy_percent``) is defined for monochromatic light; with broadband light the
    photon flux and a broadband AQY (all photons counted) are reported separately.
``[[points]]``
    ``run = 1`` (or a string) labels replicate runs; each run needs its own time points.
    ``<P>_umol_stderr`` gives the standard error of a reading from the GC calibration; it is
    taken as a systematic error shared by all runs and added in quadrature to the standard
    error over replicate runs.
``points_file = "products.csv"`` (top level, instead of ``[[points]]``)
    a table ``time_h, <P>_umol, ... [run]`` (relative to the run file), as read by
    ``qdcat catalysis yields``; ``<P>_stderr_umol`` columns give calibration errors.
``[gc]`` (instead of ``[[points]]``)
    GC peak areas: ``standards`` and ``samples`` tables (relative to the run file) and the
    reactor (``headspace_mL``, ``temperature_K``, ``pressure_kPa``, ``injection_uL``,
    ``headspace = "closed" | "refilled"``, ``liquid_mL``, ``dissolved``), quantified by
    :func:`qdcat.catalysis.gc.gc_to_yields`; the calibration's standard error of each final
    amount is carried into every figure of merit.
``[reported]``
    numbers stated elsewhere (a paper, a lab book) to cross-check:
    ``<P>_<quantity>`` with quantity one of :data:`REPORTED_QUANTITIES` (``CO_rate_umol_g_h =
    532.3``, ``CO_ton_per_qd = 1963``, ``CO_selectivity = 0.92`` ...), and ``tolerance``
    (relative, default 0.02). A disagreement beyond the tolerance is a warning.
``[donor]``
    the sacrificial electron donor: ``name`` (default ascorbic acid), ``electrons_per_molecule``
    (default 2: ascorbic acid -> dehydroascorbic acid + 2 H+ + 2 e-), and either
    ``amount_umol`` or ``concentration_mM`` with ``volume_mL``.
``[[controls]]``
    control experiments: ``condition`` (``dark``, ``no_catalyst``, ``argon``, ``no_donor``,
    ``13CO2`` ...; see :mod:`qdcat.catalysis.controls`), ``duration_h`` (default: the main
    run's final time), ``<P>_umol`` amounts, ``max_fraction`` (default 0.05 of the main run's
    rate), for isotope runs ``labelled_fraction`` (13CO / (12CO + 13CO)) and
    ``min_labelled_fraction`` (default 0.9), ``note``.

Validation
----------
:func:`load_run` checks everything before any number is computed and raises
:class:`~qdcat.core.errors.ConfigError` naming the file, the key path (``points[1].CO_umol``)
and the line: unknown keys (with the closest known key), wrong types, values out of range
(zero area, negative mass), negative amounts, times not increasing within a run, an unknown
product, a cumulative amount that falls by more than
:data:`~qdcat.catalysis.yields.MAX_RELATIVE_DROP` of its largest reading (smaller falls are GC
scatter and become warnings of the analysis), fewer than two points per run, a product
missing at a run's final time, and incomplete light or donor descriptions.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qdcat.catalysis.photons import BroadbandLight, MonochromaticLight
from qdcat.catalysis.yields import ELECTRONS_PER_PRODUCT, MAX_RELATIVE_DROP
from qdcat.core.errors import ConfigError, InputError
from qdcat.pipeline.project import config_error_from_validation, find_line, key_path

__all__ = [
    "DEFAULT_TOLERANCE",
    "REPORTED_QUANTITIES",
    "ControlSpec",
    "DonorSpec",
    "GcSpec",
    "LightSpec",
    "Run",
    "RunFile",
    "SampleSpec",
    "load_run",
    "parse_run",
]

#: Default relative tolerance of the cross-check of ``[reported]`` numbers.
DEFAULT_TOLERANCE = 0.02

#: Quantities a ``[reported]`` key may name after the product (``CO_<quantity>``).
REPORTED_QUANTITIES: Mapping[str, str] = {
    "amount_umol": "final cumulative amount, umol",
    "rate_umol_h": "average rate (amount / time), umol h-1",
    "rate_umol_g_h": "average rate per gram of catalyst, umol g-1 h-1",
    "mass_yield_umol_g": "amount per gram of catalyst, umol g-1",
    "ton_per_qd": "turnover number per dot (product basis)",
    "ton_per_surface_cu": "turnover number per surface Cu atom (product basis)",
    "selectivity": "selectivity with the basis not stated (both bases are checked)",
    "selectivity_product_basis": "selectivity n_i / sum n",
    "selectivity_electron_basis": "selectivity z_i n_i / sum z n",
    "aqy_percent": "apparent quantum yield, %",
}

_AMOUNT_KEY = re.compile(r"^(?P<product>[A-Za-z][A-Za-z0-9]*)_umol(?P<stderr>_stderr)?$")
_POINT_KEYS = ("time_h", "run")
_AM15G_NAMES = ("AM1.5G", "AM15G")
_CONTROL_KEYS = (
    "condition",
    "duration_h",
    "max_fraction",
    "labelled_fraction",
    "min_labelled_fraction",
    "note",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleSpec(_Strict):
    """``[sample]``: the catalyst in the reactor."""

    name: str = Field(min_length=1)
    catalyst_mass_mg: float | None = Field(default=None, gt=0)
    """Mass of quantum dots in the reactor, mg."""
    catalyst_mass_stderr_mg: float | None = Field(default=None, ge=0)
    qd_molar_mass_g_mol: float | None = Field(default=None, gt=0)
    """Molar mass of one dot: grams per mole of dots (inorganic core plus ligands as weighed)."""
    qd_molar_mass_stderr_g_mol: float | None = Field(default=None, ge=0)
    surface_cu_per_qd: float | None = Field(default=None, gt=0)
    """Surface Cu atoms per dot, the catalytic sites (the seed paper's model: ~24)."""
    surface_cu_per_qd_stderr: float | None = Field(default=None, ge=0)
    qd_model: str | None = Field(default=None, min_length=1)
    """Dot-model file (TOML build parameters of :func:`qdcat.structure.model.build_dot`, as
    ``examples/zcis/data/*_dot.toml``; relative to the run file): supplies
    ``qd_molar_mass_g_mol`` and ``surface_cu_per_qd`` where they are not given."""
    notes: str = ""


class LightSpec(_Strict):
    """``[light]``: monochromatic (``wavelength_nm``, ``power_mW_cm2``) or broadband."""

    wavelength_nm: float | None = Field(default=None, gt=0)
    power_mW_cm2: float | None = Field(default=None, gt=0)
    """Power density measured at the reactor window, mW cm-2."""
    power_stderr_mW_cm2: float | None = Field(default=None, ge=0)
    area_cm2: float | None = Field(default=None, gt=0)
    """Irradiated area, cm2."""
    spectrum: str | None = Field(default=None, min_length=1)
    """Broadband: spectral irradiance table (relative to the run file), or ``"AM1.5G"`` for a
    solar simulator modelled as the ASTM G173 AM1.5G spectrum."""
    irradiance_mW_cm2: float | None = Field(default=None, gt=0)
    """Broadband: irradiance the spectrum is scaled to, mW cm-2."""
    band_nm: tuple[float, float] | None = None
    """Broadband: wavelength band that reaches the sample (filter), nm."""
    reading: Literal["filtered", "full"] | None = None
    """AM1.5G only: ``irradiance_mW_cm2`` measured after the filter (``filtered``, the default)
    or the full AM1.5G spectrum before it (``full``); see :mod:`qdcat.catalysis.spectra`."""
    count_band_nm: tuple[float, float] | None = None
    """Broadband: photons counted for the AQY (e.g. above the band gap), nm."""
    source: str = ""

    @property
    def monochromatic(self) -> bool:
        return self.spectrum is None

    @property
    def builtin_am15g(self) -> bool:
        """The spectrum is the built-in AM1.5G solar-simulator model, not a file."""
        return self.spectrum is not None and self.spectrum.replace(" ", "").upper() in _AM15G_NAMES


class DonorSpec(_Strict):
    """``[donor]``: the sacrificial electron donor."""

    name: str = "ascorbic acid"
    electrons_per_molecule: int = Field(default=2, ge=1)
    """Electrons one donor molecule gives (ascorbic acid -> dehydroascorbic acid: 2)."""
    amount_umol: float | None = Field(default=None, gt=0)
    concentration_mM: float | None = Field(default=None, gt=0)
    volume_mL: float | None = Field(default=None, gt=0)

    @property
    def supplied_umol(self) -> float:
        """Donor put into the reactor, umol (mM x mL = umol)."""
        if self.amount_umol is not None:
            return float(self.amount_umol)
        return float(self.concentration_mM) * float(self.volume_mL)  # type: ignore[arg-type]


class GcSpec(_Strict):
    """``[gc]``: cumulative amounts from GC peak areas (:mod:`qdcat.catalysis.gc`)."""

    standards: str = Field(min_length=1)
    """Calibration standards table (``<P>_ppm``, ``<P>_area``), relative to the run file."""
    samples: str = Field(min_length=1)
    """Sample injections (``time_h``, ``<P>_area`` [, ``run``]), relative to the run file."""
    headspace_mL: float = Field(gt=0)
    temperature_K: float = Field(default=298.15, gt=0)
    pressure_kPa: float = Field(default=101.325, gt=0)
    injection_uL: float | None = Field(default=None, gt=0)
    headspace: Literal["closed", "refilled"] = "closed"
    liquid_mL: float | None = Field(default=None, gt=0)
    dissolved: bool = False


class RunFile(_Strict):
    """The whole run file as written (points and controls are checked separately)."""

    description: str = ""
    points_file: str | None = Field(default=None, min_length=1)
    sample: SampleSpec
    light: LightSpec | None = None
    points: list[dict[str, Any]] | None = None
    gc: GcSpec | None = None
    reported: dict[str, float] | None = None
    donor: DonorSpec | None = None
    controls: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class ControlSpec:
    """One ``[[controls]]`` entry."""

    condition: str
    amounts_umol: Mapping[str, float]
    duration_h: float | None = None
    max_fraction: float = 0.05
    labelled_fraction: float | None = None
    min_labelled_fraction: float = 0.9
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Run:
    """A validated run: the sample, the light and the cumulative amounts as a DataFrame.

    ``frame`` is in the form :func:`~qdcat.catalysis.yields.analyse_yields` reads (``time_h``,
    ``<P>_umol`` and, for replicate runs, ``run``); ``calibration_stderr_umol`` is the GC
    standard error of each product's final amount (mean over runs), when given.
    """

    path: Path | None
    sample: SampleSpec
    light: LightSpec | None
    frame: pd.DataFrame
    products: tuple[str, ...]
    calibration_stderr_umol: Mapping[str, float] = field(default_factory=dict)
    reported: Mapping[str, float] = field(default_factory=dict)
    tolerance: float = DEFAULT_TOLERANCE
    donor: DonorSpec | None = None
    controls: tuple[ControlSpec, ...] = ()
    light_source: MonochromaticLight | BroadbandLight | None = None
    """The light as :mod:`qdcat.catalysis.photons` models it (photon flux, description)."""
    description: str = ""

    @property
    def file(self) -> str | None:
        return None if self.path is None else str(self.path)

    @property
    def final_time_h(self) -> float:
        return float(self.frame["time_h"].max())


# ----------------------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------------------


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    if not path.exists():
        raise ConfigError("run file not found", file=path, expected="an existing TOML run file")
    if path.is_dir():
        raise ConfigError("is a folder", file=path, expected="a TOML run file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start})", file=path, expected="a UTF-8 TOML file"
        ) from exc
    return text, _loads(text, path)


def _loads(text: str, path: Path | None) -> dict[str, Any]:
    from qdcat.pipeline.project import loads_toml

    return loads_toml(text, path)


def load_run(path: str | Path) -> Run:
    """Read and validate a run file; raise :class:`ConfigError` on the first problem."""
    path = Path(path)
    text, doc = _read_toml(path)
    return _build(doc, text, path, path.resolve().parent)


def parse_run(text: str, *, path: str | Path | None = None, base_dir: str | Path = ".") -> Run:
    """Validate run-file ``text`` (``path`` only names it in messages)."""
    p = None if path is None else Path(path)
    return _build(_loads(text, p), text, p, Path(base_dir))


# ----------------------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------------------


class _Ctx:
    """File, text and error factory for one run file."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.text = text

    def error(
        self,
        message: str,
        loc: Sequence[str | int],
        *,
        expected: str | None = None,
        found: object = None,
        has_found: bool | None = None,
    ) -> ConfigError:
        return ConfigError(
            message,
            file=self.path,
            key_path=key_path(loc),
            line=find_line(self.text, loc),
            expected=expected,
            found=found,
            has_found=has_found,
        )


def _suggest(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _number(ctx: _Ctx, value: Any, loc: Sequence[str | int], *, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.error("wrong type", loc, expected=f"a number ({what})", found=value)
    x = float(value)
    if not math.isfinite(x):
        raise ctx.error("not a finite number", loc, expected=what, found=value)
    return x


def _check_product(ctx: _Ctx, product: str, loc: Sequence[str | int]) -> None:
    if product not in ELECTRONS_PER_PRODUCT:
        raise ctx.error(
            f"unknown product {product!r}{_suggest(product, list(ELECTRONS_PER_PRODUCT))}",
            loc,
            expected=f"one of {', '.join(ELECTRONS_PER_PRODUCT)} (as <P>_umol)",
        )


# ----------------------------------------------------------------------------------------------
# points
# ----------------------------------------------------------------------------------------------


@dataclass
class _Point:
    index: int
    run: str
    time_h: float
    amounts: dict[str, float]
    stderr: dict[str, float]


def _parse_points(ctx: _Ctx, raw: list[dict[str, Any]]) -> list[_Point]:
    points: list[_Point] = []
    for i, entry in enumerate(raw):
        loc: list[str | int] = ["points", i]
        if "time_h" not in entry:
            raise ctx.error("required key is missing", [*loc, "time_h"], expected="time_h = HOURS")
        t = _number(ctx, entry["time_h"], [*loc, "time_h"], what="illumination time, h")
        if t < 0:
            raise ctx.error("negative time", [*loc, "time_h"], expected="time_h >= 0", found=t)
        run_label = entry.get("run", 1)
        if isinstance(run_label, bool) or not isinstance(run_label, int | str):
            raise ctx.error(
                "wrong type",
                [*loc, "run"],
                expected="a run label (integer or string)",
                found=run_label,
            )
        amounts: dict[str, float] = {}
        stderr: dict[str, float] = {}
        for key, value in entry.items():
            if key in _POINT_KEYS:
                continue
            m = _AMOUNT_KEY.match(key)
            if m is None:
                known = [*_POINT_KEYS, *(f"{p}_umol" for p in ELECTRONS_PER_PRODUCT)]
                raise ctx.error(
                    f"unknown key{_suggest(key, known)}",
                    [*loc, key],
                    expected="time_h, run, <P>_umol or <P>_umol_stderr with P one of "
                    + ", ".join(ELECTRONS_PER_PRODUCT),
                )
            product = m["product"]
            _check_product(ctx, product, [*loc, key])
            x = _number(ctx, value, [*loc, key], what="amount in umol")
            if x < 0:
                what = "standard error" if m["stderr"] else "cumulative amount"
                raise ctx.error(
                    f"negative {what}", [*loc, key], expected=f"{what} >= 0 umol", found=value
                )
            (stderr if m["stderr"] else amounts)[product] = x
        for product in stderr:
            if product not in amounts:
                raise ctx.error(
                    f"a standard error without its amount {product}_umol",
                    [*loc, f"{product}_umol_stderr"],
                    expected=f"{product}_umol beside it",
                )
        if not amounts:
            raise ctx.error(
                "point without any amount", loc, expected="at least one <P>_umol (CO_umol = ...)"
            )
        points.append(_Point(i, str(run_label), t, amounts, stderr))
    return points


def _check_series(ctx: _Ctx, points: list[_Point]) -> tuple[str, ...]:
    """Per-run checks: ordering, at least two points, no large drop, complete final point."""
    products = tuple(p for p in ELECTRONS_PER_PRODUCT if any(p in q.amounts for q in points))
    runs: dict[str, list[_Point]] = {}
    for p in points:
        runs.setdefault(p.run, []).append(p)
    for label, series in runs.items():
        run_text = f" in run {label}" if len(runs) > 1 else ""
        for prev, cur in itertools.pairwise(series):
            if cur.time_h <= prev.time_h:
                raise ctx.error(
                    f"times are not increasing{run_text}: {cur.time_h:g} h comes after "
                    f"{prev.time_h:g} h (points[{prev.index}])",
                    ["points", cur.index, "time_h"],
                    expected="[[points]] in order of strictly increasing time_h within a run",
                    found=cur.time_h,
                )
        if len(series) < 2:
            raise ctx.error(
                f"fewer than 2 time points{run_text}",
                ["points", series[0].index],
                expected="at least two [[points]] per run (e.g. 24 h and 120 h)",
                found=len(series),
            )
        last = series[-1]
        for product in products:
            if product not in last.amounts:
                raise ctx.error(
                    f"{product} is not given at the final time {last.time_h:g} h{run_text}",
                    ["points", last.index],
                    expected=f"{product}_umol in the last point of every run",
                )
            given = [(q, q.amounts[product]) for q in series if product in q.amounts]
            top = max(v for _, v in given)
            highest = -math.inf
            highest_at: _Point | None = None
            for q, v in given:
                if highest_at is not None and highest - v > MAX_RELATIVE_DROP * top:
                    raise ctx.error(
                        f"cumulative amount decreases{run_text}: {v:g} umol at {q.time_h:g} h "
                        f"after {highest:g} umol at {highest_at.time_h:g} h (a fall of more than "
                        f"{MAX_RELATIVE_DROP:.0%} of the largest reading is not GC scatter)",
                        ["points", q.index, f"{product}_umol"],
                        expected="non-decreasing cumulative amounts",
                        found=v,
                    )
                if v > highest:
                    highest, highest_at = v, q
    return products


def _points_frame(
    points: list[_Point], products: Sequence[str], source: str | None
) -> pd.DataFrame:
    labels = list(dict.fromkeys(p.run for p in points))
    data: dict[str, list[Any]] = {"time_h": [p.time_h for p in points]}
    if len(labels) > 1:
        data = {"run": [p.run for p in points], **data}
    for product in products:
        data[f"{product}_umol"] = [p.amounts.get(product, math.nan) for p in points]
    frame = pd.DataFrame(data)
    if source is not None:
        frame.attrs["source_file"] = source
    return frame


def _calibration_stderr(points: list[_Point], products: Sequence[str]) -> dict[str, float]:
    """Mean over runs of the stated standard error of each product's final reading."""
    finals: dict[str, _Point] = {}
    for p in points:
        finals[p.run] = p  # points of a run are in time order (checked)
    out: dict[str, float] = {}
    for product in products:
        values = [q.stderr[product] for q in finals.values() if product in q.stderr]
        if values and len(values) == len(finals):
            out[product] = float(np.mean(values))
    return out


def _frame_from_file(ctx: _Ctx, rel: str, base: Path) -> pd.DataFrame:
    from qdcat.io import read_frame

    f = (base / rel).resolve()
    if not f.is_file():
        raise ctx.error(
            f"points file not found: {f}",
            ["points_file"],
            expected="a path relative to the run file",
            found=rel,
        )
    frame = read_frame(f)
    frame.attrs["source_file"] = str(f)
    for column in frame.columns:
        m = _AMOUNT_KEY.match(str(column))
        if m is not None and m["stderr"] is None:
            product = m["product"]
            if product not in ELECTRONS_PER_PRODUCT:
                raise InputError(
                    f"unknown product {product!r}",
                    file=f,
                    field=str(column),
                    expected=f"one of {', '.join(ELECTRONS_PER_PRODUCT)}",
                )
    return frame


def _frame_products(frame: pd.DataFrame) -> tuple[str, ...]:
    products = tuple(
        p for p in ELECTRONS_PER_PRODUCT if any(str(c) == f"{p}_umol" for c in frame.columns)
    )
    if not products:
        raise InputError(
            "no <P>_umol column",
            file=frame.attrs.get("source_file"),
            field="columns",
            expected="time_h and CO_umol, H2_umol, ...",
            found=[str(c) for c in frame.columns],
        )
    return products


def _calibration_from_frame(frame: pd.DataFrame, products: Sequence[str]) -> dict[str, float]:
    """Mean over runs of the ``<P>_stderr_umol`` (or ``<P>_umol_stderr``) of the last reading."""
    if "run" in frame.columns:
        last = frame.loc[frame.groupby("run", sort=False)["time_h"].idxmax()]
    else:
        last = frame.loc[[frame["time_h"].idxmax()]]
    out: dict[str, float] = {}
    for p in products:
        for column in (f"{p}_stderr_umol", f"{p}_umol_stderr"):
            if column in frame.columns:
                values = np.asarray(last[column], dtype=float)
                if values.size and np.all(np.isfinite(values)) and np.all(values >= 0):
                    out[p] = float(values.mean())
                break
    return out


def _frame_from_gc(ctx: _Ctx, gc: GcSpec, base: Path) -> pd.DataFrame:
    from qdcat.catalysis.gc import Reactor, calibrate_gc, gc_to_yields, load_gc_table

    paths = {}
    for key in ("standards", "samples"):
        f = (base / getattr(gc, key)).resolve()
        if not f.is_file():
            raise ctx.error(
                f"GC {key} file not found: {f}",
                ["gc", key],
                expected="a path relative to the run file",
                found=getattr(gc, key),
            )
        paths[key] = f
    try:
        reactor = Reactor(
            headspace_mL=gc.headspace_mL,
            temperature_K=gc.temperature_K,
            pressure_kPa=gc.pressure_kPa,
            injection_uL=gc.injection_uL,
            headspace=gc.headspace,
            liquid_mL=gc.liquid_mL,
            dissolved=gc.dissolved,
        )
    except InputError as exc:
        if exc.file is not None or exc.field is None:
            raise
        raise ctx.error(
            exc.reason, ["gc", exc.field], expected=exc.expected, found=exc.found
        ) from exc
    calibrations = calibrate_gc(load_gc_table(paths["standards"]))
    frame = gc_to_yields(load_gc_table(paths["samples"]), calibrations, reactor)
    frame.attrs["source_file"] = str(paths["samples"])
    return frame


# ----------------------------------------------------------------------------------------------
# reported numbers, controls, light
# ----------------------------------------------------------------------------------------------


def _parse_reported(ctx: _Ctx, raw: Mapping[str, float]) -> tuple[dict[str, float], float]:
    reported: dict[str, float] = {}
    tolerance = DEFAULT_TOLERANCE
    suffixes = sorted(REPORTED_QUANTITIES, key=len, reverse=True)
    for key, value in raw.items():
        loc = ["reported", key]
        x = float(value)
        if not math.isfinite(x):
            raise ctx.error("not a finite number", loc, found=value)
        if key == "tolerance":
            if not 0 < x < 1:
                raise ctx.error(
                    "invalid value", loc, expected="a relative tolerance 0 < t < 1", found=x
                )
            tolerance = x
            continue
        quantity = next((s for s in suffixes if key.endswith("_" + s)), None)
        if quantity is None:
            examples = [f"CO_{q}" for q in REPORTED_QUANTITIES]
            raise ctx.error(
                f"unknown key{_suggest(key, [*examples, 'tolerance'])}",
                loc,
                expected="tolerance or <P>_<quantity> with quantity one of "
                + ", ".join(REPORTED_QUANTITIES),
            )
        product = key[: -len(quantity) - 1]
        _check_product(ctx, product, loc)
        if x < 0:
            raise ctx.error("negative value", loc, expected=">= 0", found=x)
        reported[key] = x
    return reported, tolerance


def _parse_controls(ctx: _Ctx, raw: list[dict[str, Any]]) -> tuple[ControlSpec, ...]:
    controls = []
    for i, entry in enumerate(raw):
        loc: list[str | int] = ["controls", i]
        if "condition" not in entry:
            raise ctx.error(
                "required key is missing",
                [*loc, "condition"],
                expected='condition = "dark" (or no_catalyst, argon, no_donor, 13CO2, ...)',
            )
        condition = entry["condition"]
        if not isinstance(condition, str) or not condition.strip():
            raise ctx.error("wrong type", [*loc, "condition"], expected="a text", found=condition)
        amounts: dict[str, float] = {}
        values: dict[str, float] = {}
        for key, value in entry.items():
            if key in ("condition", "note"):
                if key == "note" and not isinstance(value, str):
                    raise ctx.error("wrong type", [*loc, key], expected="a text", found=value)
                continue
            if key in _CONTROL_KEYS:
                values[key] = _number(ctx, value, [*loc, key], what=key)
                continue
            m = _AMOUNT_KEY.match(key)
            if m is None or m["stderr"]:
                known = [*_CONTROL_KEYS, *(f"{p}_umol" for p in ELECTRONS_PER_PRODUCT)]
                raise ctx.error(
                    f"unknown key{_suggest(key, known)}",
                    [*loc, key],
                    expected=", ".join(_CONTROL_KEYS) + " or <P>_umol",
                )
            _check_product(ctx, m["product"], [*loc, key])
            x = _number(ctx, value, [*loc, key], what="amount in umol")
            if x < 0:
                raise ctx.error("negative amount", [*loc, key], expected=">= 0 umol", found=x)
            amounts[m["product"]] = x
        for key, lo, hi in (
            ("duration_h", 0.0, math.inf),
            ("max_fraction", 0.0, 1.0),
            ("labelled_fraction", -1e-12, 1.0 + 1e-12),
            ("min_labelled_fraction", 0.0, 1.0),
        ):
            if key in values and not lo < values[key] <= hi:
                raise ctx.error(
                    "invalid value",
                    [*loc, key],
                    expected=f"{lo:g} < {key} <= {hi:g}",
                    found=values[key],
                )
        if not amounts and "labelled_fraction" not in values:
            raise ctx.error(
                "control without any result",
                loc,
                expected="<P>_umol amounts (or labelled_fraction for an isotope run)",
            )
        controls.append(
            ControlSpec(
                condition=condition.strip(),
                amounts_umol=amounts,
                duration_h=values.get("duration_h"),
                max_fraction=values.get("max_fraction", 0.05),
                labelled_fraction=values.get("labelled_fraction"),
                min_labelled_fraction=values.get("min_labelled_fraction", 0.9),
                note=str(entry.get("note", "")),
                line=find_line(ctx.text, loc),
            )
        )
    return tuple(controls)


def _check_light(
    ctx: _Ctx, light: LightSpec, table: Mapping[str, Any], base: Path
) -> MonochromaticLight | BroadbandLight:
    """Completeness checks with line numbers, then the light built by
    :func:`qdcat.catalysis.photons.light_from_config`."""
    from qdcat.catalysis.photons import light_from_config

    if light.area_cm2 is None:
        raise ctx.error("required key is missing", ["light", "area_cm2"], expected="area_cm2 > 0")
    if light.monochromatic:
        for key in ("wavelength_nm", "power_mW_cm2"):
            if getattr(light, key) is None:
                raise ctx.error(
                    "required key is missing",
                    ["light", key],
                    expected="wavelength_nm and power_mW_cm2 for monochromatic light "
                    '(or spectrum = FILE or "AM1.5G" for broadband light)',
                )
        for key in ("irradiance_mW_cm2", "band_nm", "reading", "count_band_nm"):
            if getattr(light, key) is not None:
                raise ctx.error(
                    f"{key} belongs to broadband light (with a spectrum)",
                    ["light", key],
                    expected="wavelength_nm, power_mW_cm2 and area_cm2 only, or a spectrum",
                )
    else:
        for key in ("wavelength_nm", "power_mW_cm2", "power_stderr_mW_cm2"):
            if getattr(light, key) is not None:
                raise ctx.error(
                    f"{key} belongs to monochromatic light; this [light] has a spectrum",
                    ["light", key],
                    expected="spectrum, area_cm2 and optionally irradiance_mW_cm2, band_nm, "
                    "reading, count_band_nm",
                )
        if not light.builtin_am15g:
            f = (base / str(light.spectrum)).resolve()
            if not f.is_file():
                raise ctx.error(
                    f"spectrum file not found: {f}",
                    ["light", "spectrum"],
                    expected='a path relative to the run file, or "AM1.5G"',
                    found=light.spectrum,
                )
    try:
        return light_from_config(
            table, file=ctx.path, base_dir=base, ignore=("power_stderr_mW_cm2", "source")
        )
    except ConfigError as exc:
        if exc.line is not None or exc.key_path is None or exc.file != ctx.path:
            raise
        loc: list[str | int] = [p for p in exc.key_path.split(".") if p]
        raise ctx.error(
            exc.reason, loc, expected=exc.expected, found=exc.found, has_found=exc.found is not None
        ) from exc


def _check_donor(ctx: _Ctx, donor: DonorSpec) -> None:
    if donor.amount_umol is not None:
        if donor.concentration_mM is not None or donor.volume_mL is not None:
            raise ctx.error(
                "give the donor as amount_umol or as concentration_mM and volume_mL, not both",
                ["donor", "amount_umol"],
            )
        return
    for key in ("concentration_mM", "volume_mL"):
        if getattr(donor, key) is None:
            raise ctx.error(
                "required key is missing",
                ["donor", key],
                expected="amount_umol, or concentration_mM and volume_mL",
            )


# ----------------------------------------------------------------------------------------------
# assembling
# ----------------------------------------------------------------------------------------------


def _build(doc: dict[str, Any], text: str, path: Path | None, base: Path) -> Run:
    ctx = _Ctx(path, text)
    try:
        spec = RunFile.model_validate(doc)
    except ValidationError as exc:
        raise config_error_from_validation(
            exc, file=path if path is not None else Path("<run>"), text=text, model=RunFile
        ) from None

    source = None if path is None else str(path)
    calibration: dict[str, float] = {}
    given = [k for k in ("points", "points_file", "gc") if getattr(spec, k) is not None]
    if len(given) > 1:
        raise ctx.error(
            f"both {given[0]} and {given[1]} are given",
            [given[1]],
            expected="one source of cumulative amounts: [[points]], points_file or [gc]",
        )
    if spec.gc is not None:
        frame = _frame_from_gc(ctx, spec.gc, base)
        products = _frame_products(frame)
        calibration = _calibration_from_frame(frame, products)
    elif spec.points is not None:
        if not spec.points:
            raise ctx.error("no points", ["points"], expected="at least two [[points]] tables")
        points = _parse_points(ctx, spec.points)
        products = _check_series(ctx, points)
        frame = _points_frame(points, products, source)
        calibration = _calibration_stderr(points, products)
    elif spec.points_file is not None:
        frame = _frame_from_file(ctx, spec.points_file, base)
        products = _frame_products(frame)
        calibration = _calibration_from_frame(frame, products)
    else:
        raise ctx.error(
            "no cumulative amounts",
            ["points"],
            expected="[[points]] tables (time_h, CO_umol, ...), points_file = FILE or [gc]",
        )

    light = None
    if spec.light is not None:
        light = _check_light(ctx, spec.light, doc["light"], base)
    if spec.donor is not None:
        _check_donor(ctx, spec.donor)
    reported, tolerance = _parse_reported(ctx, spec.reported or {})
    controls = _parse_controls(ctx, spec.controls)
    return Run(
        path=path,
        sample=spec.sample,
        light=spec.light,
        frame=frame,
        products=products,
        calibration_stderr_umol=calibration,
        reported=reported,
        tolerance=tolerance,
        donor=spec.donor,
        controls=controls,
        light_source=light,
        description=spec.description,
    )
