"""Example projects shipped with qdcat (their data are simulated by qdcat's forward models).

``examples/zcis`` in the source tree is a link to ``src/qdcat/examples/zcis`` so that the
same files serve a clone and an installed package. Regenerate the data with
``python -m qdcat.examples.generate`` (or ``python scripts/generate_examples.py``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from qdcat.core.errors import InputError

__all__ = ["example_project", "list_examples"]


def _root() -> Path:
    return Path(str(resources.files("qdcat.examples")))


def list_examples() -> list[str]:
    """Names of the shipped example projects."""
    return sorted(p.parent.name for p in _root().glob("*/project.toml"))


def example_project(name: str = "zcis") -> Path:
    """Path of the project file of the shipped example ``name``."""
    path = _root() / name / "project.toml"
    if not path.is_file():
        raise InputError(
            "no such example project",
            field="example",
            expected=", ".join(list_examples()),
            found=name,
        )
    return path
