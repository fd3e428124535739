"""Running queries where they can be stopped: a pool of worker processes.

rdflib's SPARQL engine cannot be interrupted inside a thread, so the server
never evaluates SPARQL in its own process. Each query (ad-hoc, canned, or the
evaluation of an update) goes to one of a few worker processes, each holding
its own copy of the knowledge graph loaded from the KG directory. A query that
runs past the time limit is stopped by killing its worker; a fresh worker
takes its place while the others go on answering.

    WorkerPool (in the server)  --task-->  worker process (python -m zonegraph.web.worker)
                                <--reply--  runs execute(kg, task), answers one Reply

Messages are length-prefixed pickles over the worker's stdin and stdout
(trusted: both ends are this program). After a change to the KG files the
pool's generation goes up, and each worker reloads the KG before its next task.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import os
import pickle
import struct
import sys
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .._errors import ParameterError, QueryError, UnknownQueryError, ZonegraphError
from ..kgdir.journal import held_elsewhere
from . import conneg as _conneg

if TYPE_CHECKING:
    from ..sparql.query import Prepared
    from ..validate.shacl import ValidationReport

log = logging.getLogger("zonegraph.server")

_HEADER = struct.Struct("!Q")


# -- messages -----------------------------------------------------------------


@dataclass(frozen=True)
class QueryTask:
    """Run an ad-hoc SPARQL query (``text``) or a canned query (``name`` with ``params``).

    ``accept`` and ``fmt`` choose the results format once the query's form is
    known; ``default_graphs`` / ``named_graphs`` are the SPARQL Protocol's
    ``default-graph-uri`` and ``named-graph-uri``.
    """

    text: str | None = None
    name: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    fmt: str | None = None
    max_rows: int = 10_000


@dataclass(frozen=True)
class UpdateTask:
    """Evaluate a SPARQL Update on a scratch copy of the graph; report what it would change."""

    text: str


@dataclass(frozen=True)
class ValidateTask:
    """Validate a change (the triples it adds and removes) against the graph as the worker
    holds it: the costly step of a write, run where the time limit can stop it and where
    the memory it takes goes back when it ends (the server writes once it conforms)."""

    added: list[tuple[Node, Node, Node]]
    removed: list[tuple[Node, Node, Node]]


#: What a worker runs.
Task = QueryTask | UpdateTask | ValidateTask


@dataclass
class Reply:
    """A worker's answer. ``status`` is an HTTP status; errors carry ``message`` and ``hint``."""

    status: int
    media_type: str = "text/plain"
    body: bytes = b""
    kind: str | None = None
    count: int | None = None
    message: str = ""
    hint: str | None = None
    #: UpdateTask: each changed named graph's triples, as they would be after the update.
    graphs: dict[str, list[tuple[Node, Node, Node]]] = field(default_factory=dict)
    #: ValidateTask: the results the change would add.
    report: ValidationReport | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status < 400


def error(status: int, message: str, hint: str | None = None) -> Reply:
    return Reply(status=status, message=message, hint=hint)


# -- executing a task (in the worker, or in-process for tests) ----------------


def execute(kg: Any, task: Task) -> Reply:
    """Run *task* against the KnowledgeGraph *kg*; every failure becomes an error Reply."""
    started = time.perf_counter()
    try:
        if isinstance(task, ValidateTask):
            reply = _run_validate(kg, task)
        elif isinstance(task, UpdateTask):
            reply = _run_update(kg, task)
        else:
            reply = _run_query(kg, task)
    except UnknownQueryError as exc:
        reply = error(404, exc.message, exc.hint)
    except ParameterError as exc:  # a canned query's parameters come from the URL
        reply = error(400, exc.message, exc.hint_for("url"))
    except QueryError as exc:
        reply = error(400, exc.message, exc.hint)
    except ZonegraphError as exc:
        reply = error(500, exc.message, exc.hint)
    except MemoryError:
        reply = error(
            500,
            "the query needed more memory than a query may use and was stopped",
            "narrow the query, or add LIMIT",
        )
    except RecursionError:
        reply = error(400, "the query is nested too deeply to evaluate")
    except Exception as exc:  # a bug must not take the worker down
        log.exception("query worker: unexpected error")
        reply = error(500, f"the query failed unexpectedly: {type(exc).__name__}: {exc}")
    reply.seconds = time.perf_counter() - started
    return reply


class _TooManyRows(Exception):
    pass


def _run_validate(kg: Any, task: ValidateTask) -> Reply:
    """The change's validation report, over the KG files as they are now (the server holds
    the KG's lock while it waits for this answer)."""
    kg.refresh()
    added, removed = Graph(), Graph()
    for t in task.added:
        added.add(t)
    for t in task.removed:
        removed.add(t)
    return Reply(200, kind="VALIDATE", report=kg.validate_change(added, removed))


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


def _run_query(kg: Any, task: QueryTask) -> Reply:
    from ..sparql import query as _query
    from ..sparql.guard import refuse_outside_access

    if task.name is not None:
        result = kg.query(task.name, task.params)
    else:
        prepared = _query.prepare(task.text or "", prologue=kg.catalogue.prologue)
        if task.default_graphs or task.named_graphs:
            prepared = _set_dataset(prepared, task.default_graphs, task.named_graphs)
        refuse_outside_access(prepared, graphs=map(str, kg.graph_names()))
        dataset = getattr(kg.store, "dataset", None)
        if isinstance(
            dataset, Dataset
        ):  # the in-memory store: rows are read lazily, up to the limit
            try:
                result = _evaluate(dataset, prepared.query, task.max_rows)
            except _TooManyRows:
                return _too_many(task.max_rows)
            result = _query.ordered(result, prepared.star_order)
        elif task.default_graphs or task.named_graphs:
            return error(
                400,
                "default-graph-uri and named-graph-uri are not supported with the store "
                f"{kg.store.spec}",
                "use FROM and FROM NAMED in the query",
            )
        else:
            result = kg.sparql(task.text or "")
    if len(result) > task.max_rows:
        return _too_many(task.max_rows)
    offers = _conneg.GRAPH_OFFERS if result.graph is not None else _conneg.RESULT_OFFERS
    offer = _conneg.choose(task.accept, task.fmt, offers)
    if offer is None:
        what = "graph" if result.graph is not None else "results"
        asked = f"format={task.fmt!r}" if task.fmt else f"Accept: {task.accept}"
        return error(
            406,
            f"cannot write {result.kind} {what} as {asked}",
            f"ask for one of {_conneg.supported(offers)}",
        )
    body = result.serialize(offer.fmt)
    return Reply(200, offer.media_type, body.encode("utf-8"), kind=result.kind, count=len(result))


def _too_many(limit: int) -> Reply:
    return error(
        500,
        f"the query was refused: its result has more than {limit:,} rows",
        "add LIMIT (and OFFSET to page), or narrow the patterns",
    )


def _set_dataset(prepared: Prepared, default: tuple[str, ...], named: tuple[str, ...]) -> Prepared:
    """A copy of *prepared* whose FROM / FROM NAMED are the protocol's graphs (which take
    precedence). The prepared query is shared (cached by text, also by the canned queries):
    a request never changes it."""
    return prepared.with_dataset(default, named)


def _evaluate(dataset: Dataset, query: Query, max_rows: int) -> Any:
    """Like ``_query.run``, but SELECT rows are read lazily and stop past *max_rows*.

    Evaluation runs under the audit guard: nothing the query names is fetched.
    """
    from .._guard import guarded

    with guarded("the query"):
        return _evaluate_unguarded(dataset, query, max_rows)


def _evaluate_unguarded(dataset: Dataset, query: Query, max_rows: int) -> Any:
    from ..sparql.query import TooManyRowsError, collect

    try:
        return collect(dataset.query(query), max_rows=max_rows)
    except TooManyRowsError:
        raise _TooManyRows from None
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        raise QueryError(f"the query failed while running: {exc}") from exc


_REFUSED_UPDATES = {
    "Load": "LOAD would fetch a document from the network or the file system",
}


def _run_update(kg: Any, task: UpdateTask) -> Reply:
    """Evaluate the update on a copy of the dataset and report the named graphs it changes."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.update import evalUpdate

    from ..sparql import query as _query
    from ..sparql.guard import contains

    try:
        update, _where = _query.prepare_update(task.text, prologue=kg.catalogue.prologue)
    except QueryError as exc:
        return error(400, exc.message, exc.hint)
    except ParseException as exc:
        return error(
            400,
            f"{exc.where(exc.loc)}: SPARQL Update syntax error: {exc.msg}",  # type: ignore[attr-defined]
            "check the update near that position",
        )
    except Exception as exc:
        return error(400, f"update: cannot prepare the update: {exc}")
    known = {str(g) for g in kg.graph_names()}
    for op in update.algebra:
        if op.name in _REFUSED_UPDATES:
            return error(
                400,
                f"{op.name.upper()} is refused: {_REFUSED_UPDATES[op.name]}",
                "send the data itself with INSERT DATA, or with a Graph Store PUT or POST",
            )
        refused = _with_refused(op)
        if refused is not None:
            return refused
        if _default_graph_template(op):
            return error(
                400,
                "the update changes the default graph, which is the union of the source graphs",
                "name the source graph whose facts change: INSERT DATA { GRAPH <source> { … } }, "
                "WITH <source> INSERT { … } WHERE { … }, "
                "DELETE { GRAPH ?g { … } } WHERE { GRAPH ?g { … } }",
            )
        if contains(op, "ServiceGraphPattern"):
            return error(
                400,
                "the update uses SERVICE (federation), which would send requests to another server",
                "remove the SERVICE clause",
            )
        using = op["using"] if "using" in op else None  # noqa: SIM401 - CompValue.get is not dict.get
        for clause in using or []:
            iri = clause.get("default") or clause.get("named")
            if iri is not None and str(iri) not in known:
                return error(400, f"USING <{iri}> names a graph this store does not hold")
    scratch = Dataset(default_union=True)
    before: dict[str, set[tuple[Node, Node, Node]]] = {}
    for name in kg.graph_names():
        triples = set(kg.store.graph(name))
        before[str(name)] = triples
        target = scratch.graph(name)
        for t in triples:
            target.add(t)
    try:
        evalUpdate(scratch, update)
    except Exception as exc:
        return error(400, f"the update failed while running: {exc}")
    changed: dict[str, list[tuple[Node, Node, Node]]] = {}
    for g in scratch.contexts():
        name = str(g.identifier)
        after = set(g)
        if after != before.get(name, set()):
            changed[name] = sorted(after, key=str)
    for name, old in before.items():
        if name not in changed and not set(scratch.graph(URIRef(name))) and old:
            changed[name] = []
    return Reply(200, kind="UPDATE", graphs=changed)


def _with_graph(op: CompValue) -> Node | None:
    """The graph of *op*'s ``WITH <g>`` (DELETE/INSERT … WHERE), or None."""
    if op.name != "Modify" or "withClause" not in op:  # CompValue.get answers the key's name
        return None
    graph: Node | None = op["withClause"]
    return graph


def _with_refused(op: CompValue) -> Reply | None:
    """An error Reply when *op* has ``WITH <g>`` and <g> is not a source graph."""
    from .._errors import ZonegraphError
    from .update import source_graph

    graph = _with_graph(op)
    if graph is None:
        return None
    try:
        source_graph(str(graph))
    except ZonegraphError as exc:
        return error(
            400,
            f"WITH <{graph}> is refused: {exc.message}",
            "name a source graph in WITH (https://w3id.org/zonegraph/source/<slug>), "
            "whose facts the update changes",
        )
    return None


def _default_graph_template(op: CompValue) -> bool:
    """True when an INSERT / DELETE of *op* writes triples outside any GRAPH (and, for
    DELETE/INSERT … WHERE, without ``WITH <g>``, which makes <g> the graph they go to)."""
    if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
        parts = [op]
    elif op.name == "Modify":
        if _with_graph(op) is not None:
            return False
        parts = [op[k] for k in ("insert", "delete") if k in op and op[k] is not None]
    else:
        return False
    return any("triples" in part and part["triples"] for part in parts)


# -- the worker process --------------------------------------------------------


def _send(stream: BinaryIO, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    return pickle.loads(stream.read(size))


def _open(root: Path, max_bytes: int, store: str) -> Any:
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


# -- the pool (in the server) --------------------------------------------------


class QueryTimeout(Exception):
    """A task ran past the time limit; its worker was killed."""


class PoolBusy(Exception):
    """No worker became free within the time limit."""


class WorkerCrashed(Exception):
    """A worker died while running a task (out of memory, killed from outside …)."""


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    pid: int
    #: One of the pool's reserved workers (see :class:`WorkerPool`).
    reserved: bool = False

    async def send(self, message: object) -> None:
        assert self.process.stdin is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(_HEADER.pack(len(data)) + data)
        await self.process.stdin.drain()

    async def receive(self) -> Any:
        assert self.process.stdout is not None
        head = await self.process.stdout.readexactly(_HEADER.size)
        (size,) = _HEADER.unpack(head)
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
            self._replace(worker)
            raise WorkerCrashed(str(exc)) from exc
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


if __name__ == "__main__":  # pragma: no cover - run as a worker process
    # Import the module under its own name, so that pickled messages name
    # zonegraph.web.worker.Reply and not __main__.Reply.
    from zonegraph.web.worker import worker_main as _main

    _main(sys.argv[1:])
