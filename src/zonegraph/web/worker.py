"""A query worker process: ``python -m zonegraph.web.worker ROOT MAX_BYTES MEMORY STORE``.

rdflib's SPARQL engine cannot be interrupted inside a thread, so the server
never evaluates SPARQL in its own process. Each query (ad-hoc, canned, or the
evaluation of an update) goes to one of a few worker processes, each holding
its own copy of the knowledge graph loaded from the KG directory. A query that
runs past the time limit is stopped by killing its worker; a fresh worker
takes its place while the others go on answering.

    WorkerPool (in the server)  --task-->  worker process (python -m zonegraph.web.worker)
                                <--reply--  runs execute(kg, task), answers one Reply

The pool is :mod:`zonegraph.web.pool`; the messages and :func:`~zonegraph.web.tasks.execute`
are :mod:`zonegraph.web.tasks`. Messages are length-prefixed pickles over the worker's stdin
and stdout (trusted: both ends are this program). After a change to the KG files the pool's
generation goes up, and each worker reloads the KG before its next task.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..kgdir.journal import held_elsewhere
from .tasks import FRAME, ValidateTask, execute

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph


@contextlib.contextmanager
def _server_holds_lock(root: Path) -> Iterator[None]:
    with held_elsewhere(root / "kg"), held_elsewhere(root):
        yield


def _give_memory_back() -> None:
    """Return the memory a large task freed to the operating system: CPython keeps freed
    blocks in its allocator, and glibc keeps the heap's top until told to trim it."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: reused, not returned
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# -- the worker process --------------------------------------------------------


def _send(stream: BinaryIO, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(FRAME.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> Any:
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    (size,) = FRAME.unpack(head)
    return pickle.loads(stream.read(size))


def _open(root: Path, max_bytes: int, store: str) -> KnowledgeGraph:
    from .._kg import open_kg

    if store == "memory":
        return open_kg(root, max_bytes=max_bytes)
    from ..store.base import open_store

    return open_kg(root, store=open_store(store), max_bytes=max_bytes)


def worker_main(argv: list[str]) -> None:
    """A worker process: ``python -m zonegraph.web.worker ROOT MAX_BYTES MEMORY STORE``."""
    root, max_bytes, memory, store = Path(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    # The protocol owns the original stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    if memory > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    kg = _open(root, max_bytes, store)
    kg.prepare_validation()
    generation = 0
    _send(out, ("ready", os.getpid()))
    while True:
        message = _receive(inp)
        if message is None:
            return
        wanted, task = message
        # The server holds the KG's lock while it waits for a validation: read without it.
        with _server_holds_lock(root) if isinstance(task, ValidateTask) else nullcontext():
            if wanted != generation:
                kg = _open(root, max_bytes, store)
                generation = wanted
            reply = execute(kg, task)
        _send(out, reply)
        if isinstance(task, ValidateTask):
            _give_memory_back()


if __name__ == "__main__":  # pragma: no cover - run as a worker process
    worker_main(sys.argv[1:])
