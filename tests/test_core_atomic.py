"""Outputs appear whole or not at all; nothing of the user's is overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdcat.core.atomic import OUTPUT_MARKER, atomic_directory, atomic_write_text
from qdcat.core.errors import OutputError


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    p = tmp_path / "r.json"
    atomic_write_text(p, "old")
    atomic_write_text(p, "new")
    assert p.read_text() == "new"
    assert [x.name for x in tmp_path.iterdir()] == ["r.json"]  # no temporary left behind


def test_failed_directory_build_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_directory(out) as tmp:
        (tmp / "half.json").write_text("{")
        raise RuntimeError("analysis crashed")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_rebuild_keeps_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_directory(out) as tmp:
        (tmp / "results.json").write_text("first")
    assert (out / OUTPUT_MARKER).exists()
    with pytest.raises(RuntimeError), atomic_directory(out) as tmp:
        (tmp / "results.json").write_text("second, half")
        raise RuntimeError
    assert (out / "results.json").read_text() == "first"
    with atomic_directory(out) as tmp:
        (tmp / "results.json").write_text("third")
    assert (out / "results.json").read_text() == "third"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_refuses_to_replace_a_folder_qdcat_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("precious")
    with pytest.raises(OutputError, match="not written by qdcat"), atomic_directory(out):
        pass
    assert (out / "chapter1.tex").read_text() == "precious"


def test_refuses_missing_parent(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputError, match="does not exist"),
        atomic_directory(tmp_path / "no" / "out"),
    ):
        pass
