"""Result types: JSON validity, standard-error keys, formatting."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdcat.core.results import (
    FitQuality,
    Quantity,
    Result,
    dumps_json,
    format_value,
    stderr_key,
    to_jsonable,
)


def _strict_loads(text: str):
    """json.loads that refuses NaN/Infinity tokens (which are not JSON)."""

    def refuse(token: str):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("band_gap_eV", "eV", "band_gap_stderr_eV"),
        ("rate_umol_g_h", "umol g-1 h-1", "rate_stderr_umol_g_h"),
        ("tau_avg_intensity_ns", "ns", "tau_avg_intensity_stderr_ns"),
        ("cu2_fraction", "", "cu2_fraction_stderr"),
        ("eV", "eV", "eV_stderr"),  # the name is only a unit: nothing to insert before
        ("selectivity_CO", "", "selectivity_CO_stderr"),
    ],
)
def test_stderr_key(name: str, unit: str, expected: str) -> None:
    assert stderr_key(name, unit) == expected


def test_nonfinite_values_become_null_and_are_labelled() -> None:
    q = Quantity(float("nan"), float("inf"), "eV")
    d = q.to_dict()
    assert d["value"] is None and d["stderr"] is None
    assert d["value_nonfinite"] == "nan" and d["stderr_nonfinite"] == "inf"
    text = dumps_json({"q": q, "arr": np.array([1.0, -np.inf])})
    back = _strict_loads(text)
    assert back["arr"] == [1.0, None]


def test_result_dict_and_flat() -> None:
    r = Result(
        analysis="band_gap",
        quantities={"band_gap_eV": Quantity(2.3512, 0.0041, "eV")},
        fit=FitQuality(True, 12, 451, 3, 0.002),
        warnings=("edge close to range end",),
        metadata={"method": "second-derivative minimum"},
    )
    flat = r.flat()
    assert flat["band_gap_eV"] == pytest.approx(2.3512)
    assert flat["band_gap_stderr_eV"] == pytest.approx(0.0041)
    assert flat["method"] == "second-derivative minimum"
    assert flat["converged"] is True and flat["n_evaluations"] == 12
    d = _strict_loads(dumps_json(r))
    assert d["quantities"]["band_gap_eV"] == {"value": 2.3512, "stderr": 0.0041, "unit": "eV"}
    assert d["fit"]["converged"] is True


def test_unconverged_fit_is_visible() -> None:
    r = Result("x", {}, fit=FitQuality(False, 1000, 10, 3, float("nan"), message="max nfev"))
    assert r.converged is False
    assert r.flat()["converged"] is False
    assert r.to_dict()["converged"] is False


@pytest.mark.parametrize(
    ("value", "stderr", "unit", "expected"),
    [
        # two significant digits of the error, the value rounded to the same decimal place
        (2.35123, 0.00412, "eV", "2.3512 ± 0.0041 eV"),
        (532.3, 26.6, "umol g-1 h-1", "532 ± 27 umol g-1 h-1"),
        (1963.0, None, "", "1963"),
        (140544.0, 7027.0, "umol g-1", "(1.405 ± 0.070)e5 umol g-1"),
    ],
)
def test_format_value(value: float, stderr: float | None, unit: str, expected: str) -> None:
    assert format_value(value, stderr, unit) == expected


def test_to_jsonable_refuses_unknown_objects() -> None:
    with pytest.raises(TypeError):
        to_jsonable(object())


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_dumps_json_is_always_valid_and_keeps_finite_numbers(obj) -> None:
    back = _strict_loads(dumps_json(obj))

    def same(a, b) -> bool:
        if isinstance(a, float) and not math.isfinite(a):
            return b is None
        if isinstance(a, dict):
            return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    assert same(obj, back)


def test_explicit_stderr_name() -> None:
    r = Result(
        "sv",
        {"kq_per_mM_per_s": Quantity(2.6e4, 1e3, "mM-1 s-1", stderr_name="kq_stderr_per_mM_per_s")},
    )
    assert r.flat()["kq_stderr_per_mM_per_s"] == 1e3
