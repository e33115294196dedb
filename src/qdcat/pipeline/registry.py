"""Registry of the analyses a project file can name.

Adding an analysis is one small module in :mod:`qdcat.pipeline.analyses` (found automatically)
or in another package that declares it under the ``qdcat.analyses`` entry-point group. The
module builds an :class:`Analysis` and calls :func:`register`; nothing else needs editing: the
project-file schema, the runner, results.json and the report all read the registry.

An analysis is four functions around one domain-package routine:

``load(path, **auxiliary_paths)``
    read the sample's data file (a qdcat reader; raises :class:`~qdcat.core.errors.InputError`);
    files of the ``auxiliary`` techniques (an instrument response, a reference measurement)
    arrive as keyword arguments named after their technique keys.
``analyse(data, sample, options)``
    the science; returns a :class:`~qdcat.core.results.Result`.
``plot(result, sample)``
    one figure of one sample (matplotlib ``Figure``).
``compare(results, samples, options)``
    optional: one figure across samples, like the paper's comparison figures (or ``None``
    when there is nothing to compare, e.g. one sample).

All four must be importable top-level functions: they run in worker processes or on a dask
cluster.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel, ConfigDict

from qdcat.core.errors import QdcatError
from qdcat.core.results import Result

__all__ = [
    "SECTIONS",
    "TECHNIQUE_SECTIONS",
    "Analysis",
    "AnalysisOptions",
    "all_analyses",
    "get_analysis",
    "known_techniques",
    "register",
    "section_of",
]

ENTRY_POINT_GROUP = "qdcat.analyses"


class AnalysisOptions(BaseModel):
    """Options every analysis accepts in ``[analyses.NAME]``; subclasses add their own.

    Unknown keys are refused (``extra="forbid"``) so that a typo is an error, not a silently
    ignored option.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    samples: list[str] | None = None
    """Run only on these samples (default: every sample that has the analysis' data)."""


@dataclass(frozen=True)
class Analysis:
    """One analysis the pipeline can run on every sample that has data for ``technique``."""

    name: str
    title: str
    technique: str
    technique_description: str
    load: Callable[..., Any]
    analyse: Callable[[Any, Mapping[str, Any], AnalysisOptions], Result]
    plot: Callable[[Result, Mapping[str, Any]], Any]
    options: type[AnalysisOptions] = AnalysisOptions
    compare: (
        Callable[[Mapping[str, Result], Sequence[Mapping[str, Any]], AnalysisOptions], Any] | None
    ) = None
    summary: tuple[str, ...] = ()
    """Quantities shown in the report's sample comparison."""
    summary_metadata: tuple[str, ...] = ()
    """Metadata entries (verdicts, methods) shown beside them."""
    description: str = ""
    references: tuple[str, ...] = ()
    auxiliary: Mapping[str, str] = field(default_factory=dict)
    """Further data keys every sample with ``technique`` must also have -> their description
    (e.g. ``{"trpl_irf": "instrument response of the TRPL set-up"}``)."""
    section: str | None = None
    """Report section (a key of :data:`SECTIONS`); default: from the technique
    (:data:`TECHNIQUE_SECTIONS`), else ``"other"``."""


#: Report sections in page order: key -> heading. The order follows the paper's argument:
#: what the dots are, how they absorb, how their carriers move, what they make.
SECTIONS: dict[str, str] = {
    "structure": "Structure and defects",
    "spectroscopy": "Steady-state spectroscopy",
    "kinetics": "Carrier dynamics",
    "performance": "Photocatalytic performance",
    "other": "Other analyses",
}

#: Data technique -> report section, for analyses that do not name their section.
TECHNIQUE_SECTIONS: dict[str, str] = {
    "structure": "structure",
    "xrd": "structure",
    "tem": "structure",
    "fringes": "structure",
    "uvvis": "spectroscopy",
    "pl": "spectroscopy",
    "xps": "spectroscopy",
    "xas": "spectroscopy",
    "epr": "spectroscopy",
    "ir": "spectroscopy",
    "ta": "kinetics",
    "trpl": "kinetics",
    "trpl_acceptor": "kinetics",
    "trpl_series": "kinetics",
    "products": "performance",
    "gc": "performance",
    "run": "performance",
    "stability": "performance",
}


def section_of(analysis: Analysis) -> str:
    """The report section of ``analysis`` (a key of :data:`SECTIONS`)."""
    if analysis.section is not None:
        return analysis.section
    return TECHNIQUE_SECTIONS.get(analysis.technique, "other")


_REGISTRY: dict[str, Analysis] = {}
_LOCK = threading.Lock()
_DISCOVERED = False


def register(analysis: Analysis) -> Analysis:
    """Add ``analysis`` to the registry (its name must be new); return it."""
    if analysis.section is not None and analysis.section not in SECTIONS:
        raise QdcatError(
            f"analysis {analysis.name!r}: unknown report section {analysis.section!r} "
            f"(expected one of {', '.join(SECTIONS)})"
        )
    with _LOCK:
        existing = _REGISTRY.get(analysis.name)
        if existing is not None and existing is not analysis:
            same_origin = getattr(existing.analyse, "__module__", None) == getattr(
                analysis.analyse, "__module__", None
            )
            if not same_origin:
                raise QdcatError(f"two analyses are registered under the name {analysis.name!r}")
        _REGISTRY[analysis.name] = analysis
    return analysis


def _discover() -> None:
    global _DISCOVERED
    if _DISCOVERED:
        return
    from qdcat.pipeline import analyses as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{info.name}")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        ep.load()
    _DISCOVERED = True


def all_analyses() -> dict[str, Analysis]:
    """Every registered analysis by name (qdcat's own and those of installed plug-ins)."""
    _discover()
    return dict(sorted(_REGISTRY.items()))


def get_analysis(name: str) -> Analysis:
    """The analysis registered as ``name``; ``KeyError`` if there is none."""
    _discover()
    return _REGISTRY[name]


def known_techniques() -> dict[str, str]:
    """Technique keys (``[samples.data]`` keys) that some analysis reads, with descriptions."""
    known = {a.technique: a.technique_description for a in all_analyses().values()}
    for a in all_analyses().values():
        for key, description in a.auxiliary.items():
            known.setdefault(key, description)
    return known
