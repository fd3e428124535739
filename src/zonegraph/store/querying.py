"""A SPARQL query run on a store: prepared (parsed, with the prologue of ``queries/``),
refused if it reaches outside the graph (:mod:`zonegraph.sparql.guard`), run inside the
network guard, its rows ordered (:mod:`zonegraph.sparql.query`)."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib.term import Node

from .._guard import network_allowed
from ..sparql import query as _query
from ..sparql.guard import refuse_outside_access
from ..sparql.results import QueryResult
from .base import Store


def run_query(
    store: Store,
    text: str,
    bindings: Mapping[str, Node],
    *,
    prologue: str,
    name: str = "query",
    allow_service: bool = False,
) -> QueryResult:
    """Run the query *text* on *store* with *bindings*; *name* (a file's path) starts the
    position in error messages; *allow_service* lets it use SERVICE."""
    prepared = _query.prepare(text, prologue=prologue, name=name)
    # the store's graphs matter only to a query that names some (FROM, FROM NAMED)
    named = prepared.query.algebra.get("datasetClause")
    refuse_outside_access(
        prepared,
        graphs=map(str, store.graph_names()) if named else (),
        allow_service=allow_service,
    )
    # Every store runs the canonical text that was checked (or checks what it changes).
    with network_allowed(allow_service):
        result = store.query(prepared.query, prepared.text, bindings)
    return _query.ordered(result, _query.select_star_order(prepared))
