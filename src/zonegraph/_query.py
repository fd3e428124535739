"""Running SPARQL on the embedded store (rdflib), safely.

Every query is parsed first and refused, before it runs, when it asks the
program to reach outside the graph: ``SERVICE`` (federation), or ``FROM`` /
``FROM NAMED`` naming a graph the store does not hold (rdflib would fetch it,
from the network or the file system). The check is made on the parsed query
(rdflib's parser decodes ``\\u`` escapes first), so escapes cannot hide a
keyword. Updates (``LOAD``, ``INSERT`` …) are not queries: they are refused,
and the message names the operation. Parameters are bound as RDF terms
(``initBindings``), never pasted into the text. While rdflib evaluates, the
audit hook of :mod:`zonegraph._guard` refuses any network or file access the
checks might have missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import Dataset, Graph, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from ._errors import QueryError
from ._guard import RefusedAccessError, guarded
from ._results import QueryResult

# Never let rdflib fetch a graph named in FROM / FROM NAMED.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False


def prepare(text: str, *, prologue: str = "", name: str = "query") -> Query:
    """Parse *prologue* + *text* into an rdflib query; QueryError with line:column if it fails.

    Parsed queries are kept (by text), so a query run again is not parsed again.
    """
    full = f"{prologue}\n{text}" if prologue else text
    cached = _PREPARED.get(full)
    if cached is not None:
        return cached
    query = _prepare(full, prologue, name)
    if len(_PREPARED) >= 256:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[full] = query
    return query


_PREPARED: dict[str, Query] = {}


def _prepare(full: str, prologue: str, name: str) -> Query:
    try:
        return prepareQuery(full)
    except ParseException as exc:
        update = _update_operation(full)
        if update is not None:
            raise QueryError(
                f"{name}: the text is a SPARQL Update ({update}), not a query; "
                "zonegraph refuses updates here",
                hint="only SELECT, ASK, CONSTRUCT and DESCRIBE queries run; "
                "to change the graph, use 'zonegraph add' with a Turtle file",
            ) from exc
        offset = prologue.count("\n") + 1 if prologue else 0
        raise QueryError(
            f"{name}:{exc.lineno - offset}:{exc.col}: SPARQL syntax error: {exc.msg}",
            hint="check the query near that position; only SELECT, ASK, CONSTRUCT and DESCRIBE "
            "queries run here (updates are refused)",
        ) from exc
    except Exception as exc:  # rdflib raises assorted errors for unsupported forms
        raise QueryError(f"{name}: cannot prepare the query: {exc}") from exc


def refuse_outside_access(
    query: Query, *, graphs: Iterable[str], allow_service: bool = False
) -> None:
    """Raise QueryError if *query* uses SERVICE or FROM/FROM NAMED outside *graphs*."""
    algebra = query.algebra
    if not allow_service and _contains(algebra, "ServiceGraphPattern"):
        raise QueryError(
            "the query uses SERVICE (federation), which would send requests to another server",
            hint="remove the SERVICE clause; federation is refused by default "
            "(--allow-network permits it where you trust the query)",
        )
    known = set(graphs)
    for clause in algebra.get("datasetClause") or []:
        fields = dict(clause)  # CompValue.get answers the key's name for a missing key
        iri = fields.get("default") or fields.get("named")
        if iri is not None and str(iri) not in known:
            keyword = "FROM" if fields.get("default") else "FROM NAMED"
            raise QueryError(
                f"{keyword} <{iri}> names a graph this store does not hold; "
                "zonegraph never fetches it",
                hint="use one of the store's graphs (a source IRI, see 'zonegraph stats'), "
                "or drop FROM to query the union of all graphs",
            )


_UPDATE_NAMES = {
    "Load": "LOAD, which would read a document from the network or the file system",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}


def _update_operation(text: str) -> str | None:
    """The first operation of *text* if it parses as a SPARQL Update, else None."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(text)
    except Exception:  # not an update either: the caller reports the query's syntax error
        return None
    for operation in parsed.get("request") or []:
        name = getattr(operation, "name", "")
        return _UPDATE_NAMES.get(name, name or "an update")
    return "an update"


def _contains(node: Any, name: str) -> bool:
    if isinstance(node, CompValue):
        if node.name == name:
            return True
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_contains(v, name) for v in node)
    return False


def run(
    dataset: Dataset | Graph,
    query: Query,
    bindings: Mapping[str, Node] | None = None,
) -> QueryResult:
    """Evaluate a prepared query with *bindings* (variable name -> RDF term)."""
    init = {Variable(k): v for k, v in (bindings or {}).items()}
    try:
        with guarded("the query"):
            result = dataset.query(query, initBindings=cast("Mapping[str, Identifier]", init))
            return collect(result)
    except (QueryError, RefusedAccessError):
        raise
    except Exception as exc:
        raise QueryError(f"the query failed while running: {exc}") from exc


def collect(result: Any, *, max_rows: int | None = None) -> QueryResult:
    """Read an rdflib result into a QueryResult; past *max_rows* rows, TooManyRowsError."""
    if result.type == "ASK":
        return QueryResult(kind="ASK", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        for t in result.graph or ():
            graph.add(t)
        return QueryResult(kind=result.type, graph=graph)
    variables = [str(v) for v in (result.vars or [])]
    rows: list[dict[str, Node | None]] = []
    for row in result:
        if max_rows is not None and len(rows) >= max_rows:
            raise TooManyRowsError(max_rows)
        rows.append({v: row[i] for i, v in enumerate(variables)})
    return QueryResult(kind="SELECT", vars=variables, rows=rows)


class TooManyRowsError(Exception):
    """A SELECT result has more rows than the caller allows (the server's row cap)."""
