"""The cache directory: work zonegraph keeps between runs, keyed by content.

Entries are named ``<kind>-<key>.<ext>`` where the key hashes what the entry was
made from (:func:`content_key`), so a changed file can never be answered from a
stale entry; only the newest :data:`KEEP` entries of each kind are kept.
Removing the directory is always safe: everything in it is made again on demand.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import platformdirs

#: Entries of one kind kept; older ones are removed when a new one is written.
KEEP = 8


def cache_dir() -> Path:
    """``$ZONEGRAPH_CACHE_DIR``, else the platform's user cache directory for zonegraph
    (platformdirs: ``$XDG_CACHE_HOME/zonegraph`` or ``~/.cache/zonegraph`` on Linux,
    ``~/Library/Caches/zonegraph`` on macOS, ``%LOCALAPPDATA%\\zonegraph\\Cache`` on Windows).
    """
    explicit = os.environ.get("ZONEGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_cache_dir("zonegraph", appauthor=False))


def content_key(files: Iterable[Path], root: Path, *, salt: str) -> str:
    """A hash of *salt* and the files' names (relative to *root*) and bytes."""
    digest = hashlib.sha256(f"zonegraph {salt}\n".encode())
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def entry(kind: str, key: str, ext: str) -> Path:
    return cache_dir() / f"{kind}-{key}.{ext}"


def store(path: Path, write: Callable[[Path], None]) -> None:
    """Write an entry through *write* (to a temporary file, then renamed), and prune its kind.
    A cache that cannot be written is skipped: it only saves time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        write(tmp)
        os.replace(tmp, path)
        kind = path.name.split("-", 1)[0]
        entries = sorted(
            path.parent.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
