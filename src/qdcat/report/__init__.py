"""The self-contained HTML report of a project run (figures embedded, no external resources)."""

from qdcat.report.html import render_report

__all__ = ["render_report"]
