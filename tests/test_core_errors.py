"""The error hierarchy: every message says where, what was expected and what was found."""

from __future__ import annotations

import pytest

from qdcat.core.errors import (
    ConfigError,
    ConvergenceError,
    FitError,
    InputError,
    MissingDependencyError,
    QdcatError,
)


def test_input_error_names_file_line_field_expected_found() -> None:
    e = InputError(
        "not a number",
        file="data/a.csv",
        line=7,
        field="absorbance",
        expected="a number",
        found="1.2.3",
    )
    assert str(e) == "data/a.csv:7: absorbance: not a number (expected a number, found '1.2.3')"
    assert isinstance(e, QdcatError) and isinstance(e, ValueError)
    assert e.exit_code == 2


def test_config_error_names_key_path() -> None:
    e = ConfigError("unknown key", file="p.toml", key_path="samples[1].cu_in", line=9)
    assert str(e).startswith("p.toml:9: samples[1].cu_in: unknown key")
    assert e.key_path == "samples[1].cu_in"


def test_missing_dependency_says_which_extra() -> None:
    e = MissingDependencyError("distributed", extra="dask", feature="--scheduler")
    assert "pip install 'qdcat[dask]'" in str(e)
    assert isinstance(e, ImportError)


def test_convergence_error_is_a_fit_error() -> None:
    with pytest.raises(FitError, match="did not converge after 500 evaluations"):
        raise ConvergenceError("max evaluations", n_evaluations=500)


def test_found_none_can_be_shown_explicitly() -> None:
    e = InputError("missing value", expected="a number", found=None, has_found=True)
    assert "found None" in str(e)


@pytest.mark.parametrize(
    "error",
    [
        InputError("bad", file="a.csv", line=3, field="x", expected="a number", found="q"),
        ConfigError("unknown key", file="p.toml", key_path="samples[0].m", line=4),
        ConvergenceError("max evaluations", n_evaluations=10),
        MissingDependencyError("distributed", extra="dask", feature="--scheduler"),
        FitError("singular Jacobian"),
        QdcatError("plain"),
    ],
)
def test_errors_cross_process_boundaries_intact(error: QdcatError) -> None:
    # Worker processes and dask workers send exceptions back pickled.
    import pickle

    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert vars(back).get("line") == vars(error).get("line")
    assert vars(back).get("key_path") == vars(error).get("key_path")
