"""Core: errors, constants and units, result types, atomic output, executors."""

from qdcat.core.errors import (
    ConfigError,
    ConvergenceError,
    FitError,
    InputError,
    MissingDependencyError,
    OutputError,
    QdcatError,
)
from qdcat.core.executors import SerialExecutor, make_executor
from qdcat.core.results import FitQuality, Quantity, Result, dumps_json, to_jsonable

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "FitError",
    "FitQuality",
    "InputError",
    "MissingDependencyError",
    "OutputError",
    "QdcatError",
    "Quantity",
    "Result",
    "SerialExecutor",
    "dumps_json",
    "make_executor",
    "to_jsonable",
]
