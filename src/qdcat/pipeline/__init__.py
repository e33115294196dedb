"""The pipeline: a project file in, a results folder (results.json, figures, report.html) out."""

from qdcat.pipeline.project import load_project
from qdcat.pipeline.registry import Analysis, AnalysisOptions, all_analyses, register
from qdcat.pipeline.runner import RunSummary, run_project

__all__ = [
    "Analysis",
    "AnalysisOptions",
    "RunSummary",
    "all_analyses",
    "load_project",
    "register",
    "run_project",
]
