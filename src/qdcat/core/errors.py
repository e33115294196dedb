"""The qdcat exception hierarchy.

Every error qdcat raises on purpose derives from :class:`QdcatError`. The command line turns
any of them into exit code 2 and one line of text; ``--debug`` shows the traceback.

Messages say *where* (file, line, column or key path), *what was expected* and *what was
found*, so that a user can fix the input without reading the source.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "FitError",
    "InputError",
    "MissingDependencyError",
    "OutputError",
    "QdcatError",
]


def _describe(value: object, limit: int = 60) -> str:
    """Short, quoted representation of a found value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _rebuild(cls: type[QdcatError], args: tuple, kwargs: dict) -> QdcatError:
    return cls(*args, **kwargs)


class QdcatError(Exception):
    """Root of every error qdcat raises deliberately (exit code 2 on the command line).

    Errors keep the arguments they were made with, so that they cross process boundaries
    (local worker processes, dask workers) intact: the same class, message and fields.
    """

    exit_code = 2
    _init_args: tuple = ()
    _init_kwargs: dict = {}  # noqa: RUF012 - replaced per instance, never mutated

    def _remember(self, *args: object, **kwargs: object) -> None:
        self._init_args, self._init_kwargs = args, kwargs

    def __reduce__(self):  # type: ignore[override]
        if not self._init_args and not self._init_kwargs:
            return super().__reduce__()
        return (_rebuild, (type(self), self._init_args, self._init_kwargs))


class InputError(QdcatError, ValueError):
    """A data file, an argument or a value that cannot be used.

    Parameters
    ----------
    message:
        What is wrong, in plain words.
    file:
        The offending file, when there is one.
    line:
        1-based line number within ``file``.
    field:
        Column name, key path or argument name.
    expected, found:
        What qdcat needed and what it got. ``found`` is shown with ``repr``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        found: object = None,
        has_found: bool | None = None,
    ) -> None:
        self._remember(
            message,
            file=file,
            line=line,
            field=field,
            expected=expected,
            found=found,
            has_found=has_found,
        )
        self.file = Path(file) if file is not None else None
        self.line = line
        self.field = field
        self.expected = expected
        self.found = found
        self.reason = message
        show_found = has_found if has_found is not None else found is not None
        where = []
        if self.file is not None:
            where.append(str(self.file) + (f":{line}" if line is not None else ""))
        elif line is not None:
            where.append(f"line {line}")
        if field:
            where.append(field)
        text = ": ".join([*where, message]) if where else message
        details = []
        if expected:
            details.append(f"expected {expected}")
        if show_found:
            details.append(f"found {_describe(found)}")
        if details:
            text += " (" + ", ".join(details) + ")"
        super().__init__(text)


class ConfigError(InputError):
    """A project or run file that is malformed, or a key in it that is unknown or invalid.

    ``key_path`` is the dotted/indexed path of the key, e.g. ``samples[2].cu_in_ratio``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        key_path: str | None = None,
        line: int | None = None,
        expected: str | None = None,
        found: object = None,
        has_found: bool | None = None,
    ) -> None:
        self.key_path = key_path
        remembered = dict(
            file=file,
            key_path=key_path,
            line=line,
            expected=expected,
            found=found,
            has_found=has_found,
        )
        super().__init__(
            message,
            file=file,
            line=line,
            field=key_path,
            expected=expected,
            found=found,
            has_found=has_found,
        )
        self._remember(message, **remembered)


class FitError(QdcatError, RuntimeError):
    """A fit that could not be done or whose result cannot be trusted."""


class ConvergenceError(FitError):
    """The optimiser stopped without meeting its convergence criteria."""

    def __init__(self, message: str, *, n_evaluations: int | None = None) -> None:
        self._remember(message, n_evaluations=n_evaluations)
        self.n_evaluations = n_evaluations
        suffix = f" after {n_evaluations} evaluations" if n_evaluations is not None else ""
        super().__init__(f"fit did not converge{suffix}: {message}")


class MissingDependencyError(QdcatError, ImportError):
    """An optional package is needed for this feature; the message says which extra installs it."""

    def __init__(self, package: str, *, extra: str, feature: str) -> None:
        self._remember(package, extra=extra, feature=feature)
        self.package = package
        self.extra = extra
        self.feature = feature
        super().__init__(
            f"{feature} needs the optional package '{package}', which is not installed; "
            f"install it with: pip install 'qdcat[{extra}]'"
        )


class OutputError(QdcatError, OSError):
    """An output that cannot be written without risking the user's files."""
