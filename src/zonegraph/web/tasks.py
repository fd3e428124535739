"""The tasks a query worker runs, and running them: the messages the server sends to a
worker process (:class:`QueryTask`, :class:`UpdateTask`, :class:`ValidateTask`), the
:class:`Reply` it answers, and :func:`execute`, which runs a task against the knowledge graph
inside the worker (:mod:`zonegraph.web.worker`; tests call it in-process).

Messages travel as length-prefixed pickles (:data:`FRAME`, then the pickle) over the
worker's stdin and stdout: trusted, both ends are this program. The classes live here, not
in the module run as ``__main__``, so that a pickle names them the same at both ends.
"""

from __future__ import annotations

import logging
import struct
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .._errors import ParameterError, QueryError, UnknownQueryError, ZonegraphError
from ..sparql.paging import Page
from . import conneg

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph
    from ..sparql.query import Prepared
    from ..validate.shacl import ValidationReport

log = logging.getLogger("zonegraph.server")

#: The frame of a message: its length in bytes, then the pickle.
FRAME = struct.Struct("!Q")

#: What a query stopped at the worker's memory limit is told (the worker's MemoryError, or
#: the pool's finding that the engine aborted under the limit).
OUT_OF_MEMORY = "the query needed more memory than a query may use and was stopped"


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
    #: A page of a SELECT's rows (``limit`` None and ``offset`` 0: every row), and
    #: whether to count the whole listing (docs/paging.md).
    offset: int = 0
    limit: int | None = None
    total: bool = False

    @property
    def page(self) -> Page | None:
        return None if self.limit is None and self.offset == 0 else Page(self.offset, self.limit)


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
    #: A page's place: the rows skipped, the page size, the listing's rows (None: not
    #: counted) and whether rows follow.
    offset: int = 0
    limit: int | None = None
    total: int | None = None
    more: bool = False
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


def execute(kg: KnowledgeGraph, task: Task) -> Reply:
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
            OUT_OF_MEMORY,
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


def _run_validate(kg: KnowledgeGraph, task: ValidateTask) -> Reply:
    """The change's validation report, over the KG files as they are now (the server holds
    the KG's lock while it waits for this answer)."""
    kg.refresh()
    added, removed = Graph(), Graph()
    for t in task.added:
        added.add(t)
    for t in task.removed:
        removed.add(t)
    return Reply(200, kind="VALIDATE", report=kg.validate_change(added, removed))


def _run_query(kg: KnowledgeGraph, task: QueryTask) -> Reply:
    from ..sparql import query as _query
    from ..sparql.guard import refuse_outside_access

    if task.name is not None:
        result = kg.canned(task.name, task.params, page=task.page, total=task.total)
    elif task.page is not None and not (task.default_graphs or task.named_graphs):
        # a page of SPARQL text: through the store's one query path (paging.py); ASK,
        # CONSTRUCT and DESCRIBE have no rows to page and run whole
        prepared = _query.prepare(task.text or "", prologue=kg.catalogue.prologue)
        page = task.page if prepared.query.algebra.name == "SelectQuery" else None
        result = kg.sparql(task.text or "", page=page, total=task.total)
    else:
        if task.page is not None:
            raise QueryError(
                "a page of rows cannot be asked for with default-graph-uri or named-graph-uri",
                hint="leave out limit/offset, or the dataset parameters",
            )
        graphs = (task.default_graphs, task.named_graphs)
        dataset = getattr(kg.store, "dataset", None)
        if not isinstance(dataset, Dataset):  # the protocol's graphs go in as FROM clauses
            result = kg.sparql(task.text or "", dataset=graphs if any(graphs) else None)
        else:  # the in-memory store: rows are read lazily, up to the limit
            prepared = _query.prepare(task.text or "", prologue=kg.catalogue.prologue)
            if any(graphs):
                prepared = _set_dataset(prepared, *graphs)
            refuse_outside_access(prepared, graphs=map(str, kg.graph_names()))
            try:
                result = _evaluate(dataset, prepared.query, task.max_rows)
            except _TooManyRows:
                return _too_many(task.max_rows)
            result = _query.ordered(result, prepared.star_order)
    if len(result) > task.max_rows:
        return _too_many(task.max_rows)
    offers = conneg.GRAPH_OFFERS if result.graph is not None else conneg.RESULT_OFFERS
    offer = conneg.choose(task.accept, task.fmt, offers)
    if offer is None:
        what = "graph" if result.graph is not None else "results"
        asked = f"format={task.fmt!r}" if task.fmt else f"Accept: {task.accept}"
        return error(
            406,
            f"cannot write {result.kind} {what} as {asked}",
            f"ask for one of {conneg.supported(offers)}",
        )
    body = result.serialize(offer.fmt)
    return Reply(
        200,
        offer.media_type,
        body.encode("utf-8"),
        kind=result.kind,
        count=len(result),
        offset=result.offset,
        limit=result.limit,
        total=result.total,
        more=result.more,
    )


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


def _run_update(kg: KnowledgeGraph, task: UpdateTask) -> Reply:
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
    for graph_name in kg.graph_names():
        triples = set(kg.store.graph(graph_name))
        before[str(graph_name)] = triples
        target = scratch.graph(graph_name)
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
