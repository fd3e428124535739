"""The pool of query worker processes, in the server's process: each task gets a worker
(:mod:`zonegraph.web.worker`, started with ``python -m zonegraph.web.worker``), or waits for
one; a worker whose task runs past the time limit is killed and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .tasks import FRAME, Reply, Task

log = logging.getLogger("zonegraph.server")


# -- the pool ------------------------------------------------------------------


class QueryTimeout(Exception):
    """A task ran past the time limit; its worker was killed."""


class PoolBusy(Exception):
    """No worker became free within the time limit."""


class WorkerCrashed(Exception):
    """A worker died while running a task (out of memory, killed from outside …).

    *out_of_memory*: it aborted under the pool's memory limit, which is how an engine
    written in Rust (Oxigraph) stops when an allocation fails, where Python raises
    MemoryError and the worker answers for itself."""

    def __init__(self, message: str, *, out_of_memory: bool = False) -> None:
        super().__init__(message)
        self.out_of_memory = out_of_memory


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    pid: int
    #: One of the pool's reserved workers (see :class:`WorkerPool`).
    reserved: bool = False

    async def send(self, message: object) -> None:
        assert self.process.stdin is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(FRAME.pack(len(data)) + data)
        await self.process.stdin.drain()

    async def receive(self) -> Any:
        assert self.process.stdout is not None
        head = await self.process.stdout.readexactly(FRAME.size)
        (size,) = FRAME.unpack(head)
        return pickle.loads(await self.process.stdout.readexactly(size))

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()


class WorkerPool:
    """A fixed number of worker processes; each task gets one, or waits for one.

    ``run`` gives up waiting for a free worker after *timeout* seconds
    (:class:`PoolBusy`) and kills a worker whose task runs longer than
    *timeout* (:class:`QueryTimeout`), starting a fresh one in its place.

    *reserved* of the *size* workers only run tasks that ask for one
    (``run(task, reserved=True)``); a reserved worker killed at the time limit
    is replaced by a reserved one. Which tasks may use them is the caller's
    choice (the server: canned queries and updates, see :mod:`zonegraph.web.limits`).
    """

    def __init__(
        self,
        root: Path,
        *,
        size: int = 2,
        timeout: float = 10.0,
        max_bytes: int = 32 * 1024 * 1024,
        memory_limit: int = 0,
        store: str = "memory",
        reserved: int = 0,
    ) -> None:
        self.root = root
        self.store = store
        self.size = max(1, size)
        self.reserved = min(max(0, reserved), self.size - 1)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.memory_limit = memory_limit
        self.generation = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._idle_reserved: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: dict[int, _Worker] = {}
        self._spawning: set[asyncio.Task[None]] = set()
        self._closed = False
        self.killed: list[int] = []

    @property
    def pids(self) -> list[int]:
        """The worker processes alive now."""
        return sorted(self._all)

    async def start(self) -> None:
        """Start the workers and wait until each has loaded the graph; fail if one cannot start."""
        workers = await asyncio.gather(*(self._start_one() for _ in range(self.size)))
        for i, worker in enumerate(workers):
            worker.reserved = i < self.reserved
            self._all[worker.pid] = worker
            self._queue(worker).put_nowait(worker)

    def _queue(self, worker: _Worker) -> asyncio.Queue[_Worker]:
        return self._idle_reserved if worker.reserved else self._idle

    async def _spawn(self, reserved: bool = False) -> None:
        delay = 0.5
        while not self._closed:
            try:
                worker = await self._start_one()
            except Exception as exc:
                log.error("could not start a query worker: %s; retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._closed:
                await worker.kill()
                return
            worker.reserved = reserved
            self._all[worker.pid] = worker
            self._queue(worker).put_nowait(worker)
            return

    async def _start_one(self) -> _Worker:
        env = dict(os.environ)
        package_parent = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "zonegraph.web.worker",
            str(self.root),
            str(self.max_bytes),
            str(self.memory_limit),
            self.store,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        worker = _Worker(process, process.pid)
        try:
            hello = await asyncio.wait_for(worker.receive(), timeout=120)
        except BaseException:
            await worker.kill()
            raise
        if not (isinstance(hello, tuple) and hello[0] == "ready"):
            await worker.kill()
            raise RuntimeError(f"unexpected greeting from a worker: {hello!r}")
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill *worker* now, and start a fresh one in its place."""
        self._all.pop(worker.pid, None)
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()
        self.killed.append(worker.pid)
        task = asyncio.ensure_future(self._reap_and_respawn(worker))
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)

    async def _reap_and_respawn(self, worker: _Worker) -> None:
        await worker.process.wait()
        if not self._closed:
            await self._spawn(worker.reserved)

    def refresh(self) -> None:
        """The KG files changed: every worker reloads them before its next task."""
        self.generation += 1

    async def run(self, task: Task, *, reserved: bool = False, wait: float | None = None) -> Reply:
        """Run *task* on a free worker (a reserved one if asked and any), within the time limit.

        *wait* is how long to wait for a free worker (default: the time limit)."""
        idle = self._idle_reserved if reserved and self.reserved else self._idle
        try:
            worker = await asyncio.wait_for(
                idle.get(), timeout=self.timeout if wait is None else wait
            )
        except TimeoutError:
            raise PoolBusy from None
        try:
            await worker.send((self.generation, task))
            reply = await asyncio.wait_for(worker.receive(), timeout=self.timeout)
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout from None
        except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError) as exc:
            code = None
            with contextlib.suppress(TimeoutError):  # it closed its pipe: it is exiting
                code = await asyncio.wait_for(worker.process.wait(), timeout=1.0)
            self._replace(worker)
            aborted = code == -signal.SIGABRT and self.memory_limit > 0
            raise WorkerCrashed(str(exc), out_of_memory=aborted) from exc
        except BaseException:
            # cancelled mid-task: the worker may still be busy, so it cannot be reused
            self._replace(worker)
            raise
        self._queue(worker).put_nowait(worker)
        assert isinstance(reply, Reply)
        return reply

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._spawning):
            task.cancel()
        for worker in list(self._all.values()):
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in list(self._all.values()):
            try:
                await asyncio.wait_for(worker.process.wait(), timeout=2)
            except TimeoutError:
                await worker.kill()
        self._all.clear()
