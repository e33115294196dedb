"""The project file: samples, their data files per technique, and the analyses to run.

A project file is TOML::

    [project]
    name = "ZCIS Cu-deficiency series"
    simulated = true                  # the data are simulated (shown in the report)

    [[samples]]
    name = "2/12ZCIS"
    cu_in_ratio = 0.26                # ICP-OES atomic Cu/In
    catalyst_mass_mg = 0.191
    [samples.data]
    uvvis = "data/2-12ZCIS_uvvis.csv" # paths relative to the project file

    [analyses.band_gap]               # options of the analysis named band_gap
    energy_range_eV = [1.9, 2.8]

Loading validates everything before any output exists: TOML syntax (with line and column),
unknown keys (with the closest known key), types and ranges (pydantic), technique names,
analysis names and options, and that every data file exists. Each problem raises
:class:`~qdcat.core.errors.ConfigError` naming the file, the key path and, where it can be
found, the line.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qdcat.core.errors import ConfigError
from qdcat.pipeline.registry import Analysis, AnalysisOptions, all_analyses, known_techniques

__all__ = ["LoadedProject", "ProjectFile", "ProjectInfo", "Sample", "load_project"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectInfo(_Strict):
    """``[project]``: what the project is."""

    name: str = Field(min_length=1)
    description: str = ""
    simulated: bool = False
    """True when the data are simulated, not measured; the report says so prominently."""
    data_note: str = ""


class Sample(_Strict):
    """One ``[[samples]]`` entry. Optional numbers are ``None`` when not known."""

    name: str = Field(min_length=1)
    label: str | None = None
    cu_in_ratio: float | None = Field(default=None, gt=0)
    """Atomic Cu/In ratio (ICP-OES), dimensionless."""
    zn_fraction: float | None = Field(default=None, ge=0, le=1)
    """Zn/(Zn+Cu+In) atomic fraction, dimensionless."""
    catalyst_mass_mg: float | None = Field(default=None, gt=0)
    """Mass of quantum dots in the photocatalysis run, mg."""
    defect_type: str | None = Field(default=None, pattern="^[ABC]$")
    """The paper's defect type: A (antisite pairs), B (V_Cu'), C (Cu_Cu*-V_Cu' pairs)."""
    notes: str = ""
    data: dict[str, str] = Field(default_factory=dict)
    """Technique -> data file (relative to the project file)."""


class ProjectFile(_Strict):
    """The whole file, before analysis options are checked against the registry."""

    project: ProjectInfo
    samples: list[Sample] = Field(min_length=1)
    analyses: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("samples")
    @classmethod
    def _unique_names(cls, samples: list[Sample]) -> list[Sample]:
        seen: set[str] = set()
        for s in samples:
            if s.name in seen:
                raise ValueError(f"sample name {s.name!r} appears twice")
            seen.add(s.name)
        return samples


@dataclass(frozen=True)
class PlannedAnalysis:
    """An analysis named in the project, with validated options and the samples it runs on."""

    analysis: Analysis
    options: AnalysisOptions
    samples: tuple[str, ...]


@dataclass(frozen=True)
class LoadedProject:
    """A validated project: file contents, resolved data paths and the analyses to run."""

    path: Path
    text: str
    spec: ProjectFile
    data_paths: Mapping[str, Mapping[str, Path]]
    """sample name -> technique -> absolute path of the data file."""
    plan: Sequence[PlannedAnalysis]

    @property
    def samples(self) -> list[Sample]:
        return list(self.spec.samples)

    def sample(self, name: str) -> Sample:
        return next(s for s in self.spec.samples if s.name == name)


# --------------------------------------------------------------------------------------------
# key paths and line numbers


def loads_toml(text: str, path: str | Path | None = None) -> dict[str, Any]:
    """Parse TOML ``text``; a syntax error becomes :class:`ConfigError` naming ``path`` and the
    line (and column) where the parser stopped. Shared by project files and run files."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        col = f", column {m.group(2)}" if m else ""
        raise ConfigError(
            f"malformed TOML{col}: {detail}", file=path, line=line, expected="valid TOML"
        ) from exc


def key_path(loc: Sequence[str | int]) -> str:
    """``('samples', 2, 'cu_in_ratio')`` -> ``'samples[2].cu_in_ratio'``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _header_name(raw: str) -> str:
    return ".".join(p.strip().strip('"').strip("'") for p in raw.split("."))


def find_line(text: str, loc: Sequence[str | int]) -> int | None:
    """Best-effort 1-based line of the key at ``loc`` in TOML ``text`` (``None`` if unsure).

    Follows table headers (``[a.b]``, ``[[samples]]`` counted by index) and then looks for
    ``key =`` inside that table; dotted inline keys are not resolved.
    """
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    # The table the key lives in: the longest prefix of loc that matches a header.
    lines = text.splitlines()
    current: str = ""
    counts: dict[str, int] = {}
    table_of_line: list[tuple[str, int]] = []  # (table name, array index) per line
    for line in lines:
        m = _HEADER.match(line)
        if m:
            current = _header_name(m.group(2))
            if m.group(1) == "[[":
                counts[current] = counts.get(current, -1) + 1
        table_of_line.append((current, counts.get(current.split(".")[0], 0)))
    # Translate loc into (table, index, key) candidates, longest table first.
    parts: list[str] = []
    index = 0
    for p in loc:
        if isinstance(p, int):
            index = p
        else:
            parts.append(p)
    for split in range(len(parts) - 1, -1, -1):
        table = ".".join(parts[:split])
        key = parts[split]
        pattern = re.compile(rf'^\s*["\']?{re.escape(key)}["\']?\s*=')
        for i, line in enumerate(lines):
            t, idx = table_of_line[i]
            indexed = idx == index or not any(isinstance(p, int) for p in loc)
            if t == table and indexed and pattern.match(line):
                return i + 1
        header = ".".join(parts[: split + 1])
        for i, line in enumerate(lines):
            m = _HEADER.match(line)
            if m and _header_name(m.group(2)) == header:
                t, idx = table_of_line[i]
                if idx == index or not any(isinstance(p, int) for p in loc):
                    return i + 1
    return None


def _suggest(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names of the (sub)model that holds the key at ``loc``."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return []
            ann = info.annotation
            args = getattr(ann, "__args__", ())
            sub = next(
                (a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)),
                None,
            )
            current = sub
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _type_word(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def config_error_from_validation(
    exc: ValidationError,
    *,
    file: Path,
    text: str,
    model: type[BaseModel],
    prefix: Sequence[str | int] = (),
) -> ConfigError:
    """The first problem in a pydantic ``ValidationError`` as one :class:`ConfigError`."""
    err = exc.errors()[0]
    loc = [*prefix, *err["loc"]]
    path = key_path(loc)
    line = find_line(text, loc)
    kind = err["type"]
    found = err.get("input")
    if kind == "extra_forbidden":
        fields = _fields_at(model, list(err["loc"]))
        last = str(err["loc"][-1])
        known = ", ".join(fields) if fields else "see the documentation"
        return ConfigError(
            f"unknown key{_suggest(last, fields)}",
            file=file,
            key_path=path,
            line=line,
            expected=f"one of: {known}",
        )
    if kind == "missing":
        return ConfigError("required key is missing", file=file, key_path=path, line=line)
    expected = err["msg"]
    expected = re.sub(r"^(Input should be|Value error, )\s*", "", expected)
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return ConfigError(
            f"wrong type: {_type_word(found)}",
            file=file,
            key_path=path,
            line=line,
            expected=expected,
            found=found,
            has_found=True,
        )
    return ConfigError(
        "invalid value",
        file=file,
        key_path=path,
        line=line,
        expected=expected,
        found=found,
        has_found="input" in err and not isinstance(found, dict | list),
    )


# --------------------------------------------------------------------------------------------
# loading


def _parse_toml(path: Path) -> tuple[str, dict[str, Any]]:
    if not path.exists():
        raise ConfigError(
            "project file not found", file=path, expected="an existing TOML project file"
        )
    if path.is_dir():
        raise ConfigError("is a folder", file=path, expected="a TOML project file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start})", file=path, expected="a UTF-8 TOML file"
        ) from exc
    return text, loads_toml(text, path)


def load_project(path: str | Path) -> LoadedProject:
    """Read and validate a project file; raise :class:`ConfigError` on the first problem."""
    path = Path(path)
    text, data = _parse_toml(path)
    try:
        spec = ProjectFile.model_validate(data)
    except ValidationError as exc:
        raise config_error_from_validation(exc, file=path, text=text, model=ProjectFile) from None

    registry = all_analyses()
    techniques = known_techniques()
    base = path.resolve().parent
    data_paths: dict[str, dict[str, Path]] = {}
    for i, sample in enumerate(spec.samples):
        paths: dict[str, Path] = {}
        for technique, rel in sample.data.items():
            loc: list[str | int] = ["samples", i, "data", technique]
            if technique not in techniques:
                known = ", ".join(f"{k} ({v})" for k, v in techniques.items())
                raise ConfigError(
                    f"unknown technique{_suggest(technique, list(techniques))}",
                    file=path,
                    key_path=key_path(loc),
                    line=find_line(text, loc),
                    expected=f"one of: {known}",
                )
            p = (base / rel).resolve()
            if not p.is_file():
                raise ConfigError(
                    f"data file not found: {p}",
                    file=path,
                    key_path=key_path(loc),
                    line=find_line(text, loc),
                    expected="a path (relative to the project file) of an existing file",
                    found=rel,
                )
            paths[technique] = p
        data_paths[sample.name] = paths

    plan: list[PlannedAnalysis] = []
    sample_names = [s.name for s in spec.samples]
    for name, raw_options in spec.analyses.items():
        loc = ["analyses", name]
        analysis = registry.get(name)
        if analysis is None:
            raise ConfigError(
                f"unknown analysis{_suggest(name, list(registry))}",
                file=path,
                key_path=key_path(loc),
                line=find_line(text, loc),
                expected="one of: " + ", ".join(registry),
            )
        try:
            options = analysis.options.model_validate(raw_options)
        except ValidationError as exc:
            raise config_error_from_validation(
                exc, file=path, text=text, model=analysis.options, prefix=loc
            ) from None
        if options.samples is not None:
            for j, s in enumerate(options.samples):
                if s not in sample_names:
                    oloc: list[str | int] = [*loc, "samples", j]
                    raise ConfigError(
                        f"no sample named {s!r}",
                        file=path,
                        key_path=key_path(oloc),
                        line=find_line(text, [*loc, "samples"]),
                        expected="one of: " + ", ".join(sample_names),
                    )
            chosen = list(options.samples)
            for s in chosen:
                if analysis.technique not in data_paths[s]:
                    raise ConfigError(
                        f"sample {s!r} has no {analysis.technique!r} data for {name}",
                        file=path,
                        key_path=key_path([*loc, "samples"]),
                        line=find_line(text, [*loc, "samples"]),
                        expected=f"a [samples.data] entry '{analysis.technique}'",
                    )
        else:
            chosen = [s for s in sample_names if analysis.technique in data_paths[s]]
        for s in chosen:
            missing = [k for k in analysis.auxiliary if k not in data_paths[s]]
            if missing:
                i = sample_names.index(s)
                dloc: list[str | int] = ["samples", i, "data"]
                raise ConfigError(
                    f"sample {s!r} has {analysis.technique!r} data but no {missing[0]!r}, "
                    f"which {name} needs ({analysis.auxiliary[missing[0]]})",
                    file=path,
                    key_path=key_path(dloc),
                    line=find_line(text, [*dloc, analysis.technique]),
                    expected=f"a [samples.data] entry '{missing[0]}'",
                )
        if not chosen:
            raise ConfigError(
                f"no sample has {analysis.technique!r} data, so {name} has nothing to run on",
                file=path,
                key_path=key_path(loc),
                line=find_line(text, loc),
                expected=f"at least one sample with data.{analysis.technique}",
            )
        plan.append(PlannedAnalysis(analysis=analysis, options=options, samples=tuple(chosen)))

    if not plan:
        raise ConfigError(
            "the project names no analysis to run",
            file=path,
            key_path="analyses",
            expected="at least one [analyses.NAME] table; known: " + ", ".join(registry),
        )
    return LoadedProject(path=path, text=text, spec=spec, data_paths=data_paths, plan=plan)
