"""Writing KG files so that a change lands whole or not at all.

Each file is written to a temporary file in its own folder, flushed and synced,
then renamed over the old one, and the folder is synced. A lock file
serialises writers, so concurrent ``zonegraph add`` runs each land in turn.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on *folder* (``.zonegraph.lock``) for the duration."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".zonegraph.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_files(contents: Mapping[Path, str]) -> None:
    """Replace every file of *contents* with its new text, each atomically.

    All new texts are written and synced to temporary files first; only then
    are they renamed into place, so an error while writing changes nothing.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in contents.items():
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((Path(name), path))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)
    for folder in {path.parent for path in contents}:
        _sync_dir(folder)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
