"""Writing KG files so that a change lands whole or not at all, even across a crash.

A change to several files is made in four durable steps:

1. a *journal* ``.zonegraph.journal`` is written, in state ``prepared``,
   listing each file and the temporary file that will replace it;
2. every new text is written to its temporary file in the target's folder,
   flushed and synced, and the folders are synced;
3. the journal is switched to ``committed`` (an atomic rename): the commit point;
4. each temporary file is renamed over its target (a file to remove is
   removed), the folders are synced, and the journal is removed.

After a crash, :func:`recover` (run under the lock by every
:class:`~zonegraph.KnowledgeGraph` that opens the directory) rolls a
``prepared`` change back (deletes its temporary files) and rolls a
``committed`` one forward (finishes the renames). Readers never see a
half-written file: a file is only ever replaced by a rename.

A lock file (``.zonegraph.lock``, ``flock``) serialises writers across
processes; within a process a re-entrant lock serialises threads. Readers take
the lock shared while they read every file, so they see one state of the whole
directory, never a mix of before and after.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .._errors import StoreError

LOCK_NAME = ".zonegraph.lock"
JOURNAL_NAME = ".zonegraph.journal"

_registry_lock = threading.Lock()
_thread_locks: dict[str, threading.RLock] = {}
_depth: dict[str, int] = {}


def _key(folder: Path) -> str:
    return os.path.realpath(folder)


def _thread_lock(key: str) -> threading.RLock:
    with _registry_lock:
        return _thread_locks.setdefault(key, threading.RLock())


@contextlib.contextmanager
def _hold(folder: Path, *, shared: bool, required: bool) -> Iterator[None]:
    """Hold the folder's lock; re-entrant within a thread (the outermost holder's mode wins)."""
    key = _key(folder)
    local = _thread_lock(key)
    with local:
        depth = _depth.get(key, 0)
        if depth:
            _depth[key] = depth + 1
            try:
                yield
            finally:
                _depth[key] -= 1
            return
        try:
            if required:
                folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if required:
                raise StoreError(
                    f"cannot lock {folder}: {exc.strerror}",
                    hint="zonegraph needs write access to the KG directory to change it",
                ) from exc
            fd = -1  # a read-only directory: nobody can write it, so no lock is needed
        try:
            if fd >= 0:
                fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            _depth[key] = 1
            yield
        finally:
            _depth[key] = 0
            if fd >= 0:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


@contextlib.contextmanager
def held_elsewhere(folder: Path) -> Iterator[None]:
    """Read *folder* while the process that asked for the reading holds its lock (the
    server, validating a change in a worker): take no lock here, which would wait on that
    process for ever."""
    key = _key(folder)
    with _thread_lock(key):
        depth = _depth.get(key, 0)
        _depth[key] = depth + 1
        try:
            yield
        finally:
            _depth[key] = depth


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on *folder* (``.zonegraph.lock``) for the duration."""
    with _hold(folder, shared=False, required=True):
        yield


@contextlib.contextmanager
def reading(folder: Path, *, also: Iterable[Path] = ()) -> Iterator[None]:
    """Hold *folder*'s lock shared while reading; first finish any interrupted change.

    The journals of *folder* and of the folders in *also* are recovered, each
    under its own folder's exclusive lock. A read-only directory is read
    without a lock.
    """
    for where in (folder, *also):
        if (where / JOURNAL_NAME).exists() or (where / f"{JOURNAL_NAME}.tmp").exists():
            with locked(where):
                recover(where)
    with _hold(folder, shared=True, required=False):
        yield


def write_files(contents: Mapping[Path, str | None], *, folder: Path | None = None) -> None:
    """Replace every file of *contents* with its new text (None: remove it): all, or none.

    *folder* holds the lock and the journal; by default the folder the files
    share. A crash at any moment leaves either every old file or, once
    :func:`recover` has run, every new one.
    """
    if not contents:
        return
    where = folder or Path(os.path.commonpath([str(p.parent) for p in contents]))
    with locked(where):
        recover(where)
        staged: list[tuple[Path | None, Path]] = [
            (None if text is None else _temporary_for(path), path)
            for path, text in contents.items()
        ]
        folders = sorted({str(path.parent) for path in contents} | {str(where)})
        _write_journal(where, "prepared", staged)
        try:
            for temporary, path in staged:
                text = contents[path]
                if temporary is not None and text is not None:
                    _write_synced(temporary, text, mode=_mode_of(path))
            for name in folders:
                _sync_dir(Path(name))
        except BaseException:
            recover(where)
            raise
        _write_journal(where, "committed", staged)
        recover(where)


def recover(folder: Path) -> str | None:
    """Finish (``committed``) or undo (``prepared``) the change *folder*'s journal records.

    Call it holding the folder's lock. Returns what was done, or None when
    there was no journal.
    """
    journal = folder / JOURNAL_NAME
    (folder / f"{JOURNAL_NAME}.tmp").unlink(missing_ok=True)
    try:
        doc = json.loads(journal.read_text(encoding="utf-8"))
        state = doc["state"]
        entries = [
            (None if staged is None else folder / staged, folder / target)
            for staged, target in doc["files"]
        ]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)
        _sync_dir(folder)
        return "discarded an unreadable journal"
    folders = {target.parent for _, target in entries} | {folder}
    if state == "committed":
        for temporary, target in entries:
            if temporary is None:
                target.unlink(missing_ok=True)
            elif temporary.exists():
                os.replace(temporary, target)
        done = "finished an interrupted change"
    else:
        for temporary, _ in entries:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
        done = "rolled back an interrupted change"
    for name in folders:
        _sync_dir(name)
    journal.unlink()
    _sync_dir(folder)
    return done


def file_state(paths: Iterable[Path]) -> dict[str, tuple[int, int, int]]:
    """Each file's identity (inode, size, mtime); it changes whenever the file is replaced."""
    state = {}
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            st = path.stat()
            state[str(path)] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return state


def _write_journal(folder: Path, state: str, staged: list[tuple[Path | None, Path]]) -> None:
    doc = {
        "state": state,
        "files": [
            [
                None if temporary is None else os.path.relpath(temporary, folder),
                os.path.relpath(target, folder),
            ]
            for temporary, target in staged
        ],
    }
    temporary = folder / f"{JOURNAL_NAME}.tmp"
    _write_synced(temporary, json.dumps(doc, indent=1) + "\n")
    os.replace(temporary, folder / JOURNAL_NAME)
    _sync_dir(folder)


def _temporary_for(path: Path) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def _write_synced(path: Path, text: str, *, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)  # the new file keeps the old one's permissions, whatever the umask
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
