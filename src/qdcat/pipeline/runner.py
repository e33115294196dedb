"""Run a project: every (analysis, sample) task through an executor, then figures and report.

The output folder appears whole or not at all: everything is built in a temporary folder beside
``DIR`` and renamed at the end (:func:`qdcat.core.atomic.atomic_directory`). A bad input file
aborts the run with an :class:`~qdcat.core.errors.InputError` and leaves nothing behind. A fit
that fails (:class:`~qdcat.core.errors.FitError`) does not abort: it is recorded as failed, with
its message and without numbers, and :class:`RunSummary` reports it so that the command line
can exit non-zero.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import io
import platform
import re
import sys
from collections.abc import Mapping
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from qdcat import __version__
from qdcat.core.atomic import atomic_directory
from qdcat.core.errors import FitError, QdcatError
from qdcat.core.executors import make_executor
from qdcat.core.results import Result, dumps_json, to_jsonable
from qdcat.pipeline.project import LoadedProject, load_project
from qdcat.pipeline.registry import get_analysis, section_of

__all__ = ["RunSummary", "TaskOutcome", "run_project", "run_task", "sample_slug"]

FIGURE_DPI = 120


def sample_slug(name: str) -> str:
    """File-name-safe form of a sample name: ``'2/12ZCIS'`` -> ``'2-12ZCIS'``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "sample"


def figure_png(fig: Any) -> bytes:
    """PNG bytes of a matplotlib figure (then closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # a Figure not managed by pyplot needs no closing
        pass
    return buf.getvalue()


@dataclass(frozen=True)
class TaskOutcome:
    """What one (analysis, sample) task produced; it crosses process boundaries (picklable)."""

    analysis: str
    sample: str
    result: Result | None
    figure_png: bytes | None
    error: str | None = None
    error_kind: str | None = None
    seconds: float = 0.0


def run_task(
    analysis_name: str,
    sample: Mapping[str, Any],
    data_path: str,
    options: Mapping[str, Any],
    auxiliary_paths: Mapping[str, str] | None = None,
) -> TaskOutcome:
    """Load, analyse and plot one sample (runs in a worker process or on a dask worker).

    An :class:`InputError` propagates (it aborts the run); a :class:`FitError` becomes a failed
    outcome with its message.
    """
    import time

    t0 = time.perf_counter()
    analysis = get_analysis(analysis_name)
    opts = analysis.options.model_validate(dict(options))
    aux = {k: Path(v) for k, v in (auxiliary_paths or {}).items()}
    data = analysis.load(Path(data_path), **aux)
    try:
        result = analysis.analyse(data, sample, opts)
    except FitError as exc:
        return TaskOutcome(
            analysis_name,
            sample["name"],
            None,
            None,
            error=str(exc),
            error_kind=type(exc).__name__,
            seconds=time.perf_counter() - t0,
        )
    png = figure_png(analysis.plot(result, sample))
    return TaskOutcome(analysis_name, sample["name"], result, png, seconds=time.perf_counter() - t0)


@dataclass
class RunSummary:
    """What a run wrote and whether every analysis succeeded."""

    out_dir: Path
    n_tasks: int
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _provenance(project: LoadedProject, command: str | None, executor: str) -> dict[str, Any]:
    inputs = [{"role": "project file", "path": str(project.path), "sample": None}]
    for sample, paths in project.data_paths.items():
        for technique, p in paths.items():
            inputs.append({"role": technique, "path": str(p), "sample": sample})
    base = project.path.resolve().parent
    for entry in inputs:
        p = Path(entry["path"]).resolve()
        entry["sha256"] = sha256_file(p)
        entry["bytes"] = p.stat().st_size
        try:
            entry["path"] = str(p.relative_to(base))
        except ValueError:
            entry["path"] = str(p)
    try:
        user = getpass.getuser()
    except Exception:
        user = None
    return {
        "qdcat_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "created_utc": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "command": command,
        "user": user,
        "executor": executor,
        "project_file": str(project.path),
        "inputs": inputs,
    }


def run_project(
    project_path: str | Path,
    out_dir: str | Path,
    *,
    scheduler: str | None = None,
    executor: str = "processes",
    max_workers: int | None = None,
    progress: bool = True,
    command: str | None = None,
) -> RunSummary:
    """Run every analysis of the project and write ``out_dir`` (results.json, figures, report).

    Parameters
    ----------
    project_path:
        The TOML project file.
    out_dir:
        Output folder; replaced if it holds an earlier qdcat output, refused otherwise.
    scheduler:
        Address of a dask.distributed scheduler; default: local processes.
    executor:
        ``"processes"`` (default) or ``"serial"`` when no scheduler is given.
    """
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qdcat.report.html import render_report

    t_start = time.perf_counter()
    project = load_project(project_path)
    tasks = [(planned, name) for planned in project.plan for name in planned.samples]
    out_dir = Path(out_dir)
    summary = RunSummary(out_dir=out_dir, n_tasks=len(tasks))
    executor_label = f"dask.distributed at {scheduler}" if scheduler else executor

    outcomes: dict[tuple[str, str], TaskOutcome] = {}
    with atomic_directory(out_dir) as tmp:
        figures = tmp / "figures"
        figures.mkdir()
        with (
            make_executor(executor, scheduler=scheduler, max_workers=max_workers) as ex,  # type: ignore[arg-type]
            Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[last]}"),
                disable=not progress,
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
            ) as bar,
        ):
            bar_task = bar.add_task("analyses", total=len(tasks) + 1, last="")
            futures: dict[Future[TaskOutcome], tuple[str, str]] = {}
            for planned, name in tasks:
                sample = project.sample(name).model_dump()
                fut = ex.submit(
                    run_task,
                    planned.analysis.name,
                    sample,
                    str(project.data_paths[name][planned.analysis.technique]),
                    planned.options.model_dump(),
                    {key: str(project.data_paths[name][key]) for key in planned.analysis.auxiliary},
                )
                futures[fut] = (planned.analysis.name, name)
            try:
                for fut in as_completed(futures):
                    key = futures[fut]
                    try:
                        outcome = fut.result()
                    except QdcatError:
                        raise
                    except Exception as exc:  # an unexpected bug: keep the context
                        raise QdcatError(
                            f"{key[0]} on sample {key[1]!r} failed unexpectedly: "
                            f"{type(exc).__name__}: {exc}"
                        ) from exc
                    outcomes[key] = outcome
                    bar.update(bar_task, advance=1, last=f"{key[0]} · {key[1]}")
            except BaseException:
                for f in futures:
                    f.cancel()
                raise

            # Comparison figures across samples (in this process: they need every result).
            comparison_png: dict[str, bytes] = {}
            for planned in project.plan:
                a = planned.analysis
                if a.compare is None:
                    continue
                res = {
                    s: outcomes[(a.name, s)].result
                    for s in planned.samples
                    if outcomes[(a.name, s)].result is not None
                }
                if res:
                    samples = [project.sample(s).model_dump() for s in res]
                    fig = a.compare(res, samples, planned.options)
                    if fig is not None:  # an analysis may have nothing to compare
                        comparison_png[a.name] = figure_png(fig)
            bar.update(bar_task, advance=1, last="figures and report")

        results_doc = _results_document(
            project, outcomes, comparison_png, figures, command, executor_label, summary
        )
        (tmp / "results.json").write_text(dumps_json(results_doc) + "\n", encoding="utf-8")
        html = render_report(results_doc, figures_dir=figures)
        (tmp / "report.html").write_text(html, encoding="utf-8")
    summary.seconds = time.perf_counter() - t_start
    return summary


def _results_document(
    project: LoadedProject,
    outcomes: Mapping[tuple[str, str], TaskOutcome],
    comparison_png: Mapping[str, bytes],
    figures: Path,
    command: str | None,
    executor_label: str,
    summary: RunSummary,
) -> dict[str, Any]:
    analyses: dict[str, Any] = {}
    for planned in project.plan:
        a = planned.analysis
        entry: dict[str, Any] = {
            "title": a.title,
            "technique": a.technique,
            "section": section_of(a),
            "description": a.description,
            "references": list(a.references),
            "summary": list(a.summary),
            "summary_metadata": list(a.summary_metadata),
            "options": planned.options.model_dump(),
            "figure": None,
            "samples": {},
        }
        if a.name in comparison_png:
            rel = f"figures/{a.name}.png"
            (figures / f"{a.name}.png").write_bytes(comparison_png[a.name])
            entry["figure"] = rel
        for s in planned.samples:
            oc = outcomes[(a.name, s)]
            sample_entry: dict[str, Any]
            if oc.result is None:
                # no quantities: a failed fit has no numbers to report
                sample_entry = {
                    "status": "failed",
                    "converged": False,
                    "error": oc.error,
                    "error_kind": oc.error_kind,
                    "warnings": [],
                    "figure": None,
                }
                summary.failed.append((a.name, s, oc.error or ""))
            else:
                sample_entry = {"status": "ok", **oc.result.to_dict()}
                if not oc.result.converged:
                    sample_entry["status"] = "not converged"
                    summary.failed.append((a.name, s, "fit did not converge"))
                for w in oc.result.warnings:
                    summary.warnings.append(f"{a.name} · {s}: {w}")
            if oc.figure_png is not None:
                rel = f"figures/{a.name}__{sample_slug(s)}.png"
                (figures / Path(rel).name).write_bytes(oc.figure_png)
                sample_entry["figure"] = rel
            sample_entry["input"] = str(project.data_paths[s][a.technique].name)
            sample_entry["seconds"] = round(oc.seconds, 4)
            entry["samples"][s] = sample_entry
        analyses[a.name] = entry
    spec = project.spec
    return {
        "schema": "qdcat.results/1",
        "project": to_jsonable(spec.project.model_dump()),
        "samples": [to_jsonable(s.model_dump(exclude={"data"})) for s in spec.samples],
        "analyses": analyses,
        "provenance": _provenance(project, command, executor_label),
    }
