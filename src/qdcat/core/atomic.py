"""Outputs that appear whole or not at all.

Files are written to a temporary file in the same folder and renamed over the target
(:func:`os.replace` is atomic on POSIX within one filesystem). Result folders are built in a
temporary folder beside the target and moved into place at the end (:func:`atomic_directory`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from qdcat.core.errors import OutputError

__all__ = ["OUTPUT_MARKER", "atomic_directory", "atomic_write_bytes", "atomic_write_text"]

#: File that marks a folder as written by qdcat, so that it may be replaced by a new run.
OUTPUT_MARKER = ".qdcat-output"


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and a rename; return the path."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{target}: cannot write: folder {parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Text version of :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode(encoding))


def _replaceable(folder: Path) -> bool:
    return not any(folder.iterdir()) or (folder / OUTPUT_MARKER).exists()


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it becomes ``target``.

    If the block raises, the temporary folder is removed and ``target`` is untouched. An
    existing ``target`` is replaced only if it is empty or was written by qdcat (it holds
    :data:`OUTPUT_MARKER`); any other existing folder or file raises :class:`OutputError`
    before anything is written, so no user file is ever lost.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if target.exists() and not (target.is_dir() and _replaceable(target)):
        raise OutputError(
            f"{target}: output folder exists and was not written by qdcat; "
            "choose another --out or remove it"
        )
    if not parent.is_dir():
        raise OutputError(f"{target}: cannot create output: folder {parent} does not exist")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        yield tmp
        (tmp / OUTPUT_MARKER).write_text("written by qdcat\n")
        os.chmod(tmp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / "previous")
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old / "previous", target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
