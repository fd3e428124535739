"""A SPARQL query run on a store: prepared (parsed, with the prologue of ``queries/``),
refused if it reaches outside the graph (:mod:`zonegraph.sparql.guard`), run inside the
network guard, its rows ordered (:mod:`zonegraph.sparql.query`); a page of it
(:mod:`zonegraph.sparql.paging`) on request, with the listing's total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib.term import Node

from .._guard import network_allowed
from ..sparql import query as _query
from ..sparql.guard import refuse_outside_access
from ..sparql.paging import Page, own_slice, paged, sliced_count
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
    page: Page | None = None,
    total: bool = False,
    dataset: tuple[Sequence[str], Sequence[str]] | None = None,
) -> QueryResult:
    """Run the query *text* on *store* with *bindings*; *name* (a file's path) starts the
    position in error messages; *allow_service* lets it use SERVICE; *dataset*, the
    SPARQL Protocol's default and named graphs, replaces the query's FROM and FROM NAMED.

    With *page*, only that page of a SELECT's rows (its ``offset`` and ``limit`` are set
    on the result); with *total* too, ``total`` is the number of rows of the whole
    listing: free where the store sorted every row to take the page, else one more
    query that counts them."""
    whole = _query.prepare(text, prologue=prologue, name=name)
    if dataset is not None:
        whole = whole.with_dataset(*dataset)
    prepared = whole if page is None else paged(whole, page)
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
        if page is not None:
            result.offset, result.limit = page.offset, page.limit
            if not total:
                result.total = None
            elif result.total is not None:  # every row was read: the query's own slice of them
                result.total = sliced_count(result.total, *own_slice(whole.query))
            else:  # the query read whole, counted: the one checked above, but its page
                result.total = store.count(whole.query, whole.text, bindings)
    return _query.ordered(result, _query.select_star_order(prepared))
