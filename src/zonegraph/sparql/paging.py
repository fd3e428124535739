"""A page of a SELECT query's rows: ``LIMIT`` and ``OFFSET`` composed with the query's own.

Paging is SPARQL's own solution modifier, not a slice of a listing read whole: the
page becomes the query's outermost ``Slice`` (rdflib's algebra), composed with any
``LIMIT`` / ``OFFSET`` the query already has (page 2 of a query that keeps its first
100 rows is rows 51-100 of those, never row 101), so that the rows taken page by page
are the rows of the query read whole, in the same order.

How it is applied (docs/paging.md): the query's own trailing ``LIMIT`` / ``OFFSET``
clause, found by the lexer at the top level of the text, is replaced by one of two
integers this module computed (never text a user typed), and the new text is parsed
again by rdflib. Its algebra's ``Slice`` must be exactly the composed page, else the
query is refused; that parse is what the guard (:mod:`zonegraph.sparql.guard`)
inspects, the memory store evaluates, and the text of it is what Oxigraph or a
SPARQL server runs: one query, checked where it runs.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib.plugins.sparql.sparql import Query

from .._errors import ParameterError, QueryError
from .query import Prepared, parse_canonical
from .text import braced

#: The page size when a page is asked for without one (the web pages, ``--offset`` alone).
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Page:
    """Rows ``offset + 1`` to ``offset + limit`` of a listing (``limit`` None: to its end)."""

    offset: int = 0
    limit: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0:
            raise ParameterError(
                f"offset {self.offset!r} is not a whole number of rows to skip",
                hint="give an offset of 0 or more (0 is the first page)",
            )
        if self.limit is not None and (
            isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1
        ):
            raise ParameterError(
                f"limit {self.limit!r} is not a whole number of rows",
                hint="give a limit of 1 or more (the page size), or none for every row",
            )

    def next(self) -> Page:
        """The page after this one, of the same size."""
        return Page(self.offset + (self.limit or 0), self.limit)

    def previous(self) -> Page | None:
        """The page before this one (None on the first page)."""
        if self.offset == 0:
            return None
        size = self.limit or self.offset
        return Page(max(self.offset - size, 0), self.limit)


def own_slice(query: Query) -> tuple[int, int | None]:
    """The query's own ``OFFSET`` and ``LIMIT`` (0 and None when it has none)."""
    top = query.algebra.get("p")
    if top is not None and getattr(top, "name", None) == "Slice":
        return int(top.start or 0), None if top.length is None else int(top.length)
    return 0, None


def compose(start: int, length: int | None, page: Page) -> tuple[int, int | None]:
    """The offset and limit of *page* taken of a query that has its own *start* and *length*.

    >>> compose(0, None, Page(50, 25))
    (50, 25)
    >>> compose(10, 100, Page(90, 25))  # only 10 of the query's 100 rows are left
    (100, 10)
    >>> compose(10, 100, Page(200, 25))
    (210, 0)
    """
    if length is None:
        return start + page.offset, page.limit
    left = max(length - page.offset, 0)
    return start + page.offset, left if page.limit is None else min(left, page.limit)


def paged(prepared: Prepared, page: Page) -> Prepared:
    """*prepared* restricted to *page*: a new prepared query (see the module's text)."""
    if prepared.query.algebra.name != "SelectQuery":
        raise QueryError(
            f"{prepared.name}: only a SELECT query's rows come in pages",
            hint="leave out --limit/--offset (limit, offset) for ASK, CONSTRUCT and DESCRIBE",
        )
    start, length = compose(*own_slice(prepared.query), page)
    clause = " ".join(
        ([f"LIMIT {length}"] if length is not None else []) + ([f"OFFSET {start}"] if start else [])
    )
    cut = _slice_start(prepared.text)
    text = prepared.text[:cut].rstrip() + ("\n" + clause if clause else "") + "\n"
    try:
        query = _parse(text)
    except (ParseException, ValueError) as exc:
        raise QueryError(
            f"{prepared.name}: this query cannot be paged ({exc})",
            hint="a query ending in a VALUES clause cannot take LIMIT/OFFSET; "
            "leave out --limit/--offset",
        ) from exc
    if own_slice(query) != (start, length):  # the page must be the query's outermost modifier
        raise QueryError(
            f"{prepared.name}: this query cannot be paged "
            "(its LIMIT/OFFSET is not its last clause)",
            hint="leave out --limit/--offset",
        )
    return dataclasses.replace(prepared, text=text, query=query)


def sliced_count(rows: int, start: int, length: int | None) -> int:
    """How many of *rows* rows an ``OFFSET`` *start* and ``LIMIT`` *length* keep.

    >>> sliced_count(120, 10, 100), sliced_count(50, 10, 100), sliced_count(5, 10, None)
    (100, 40, 0)
    """
    left = max(rows - start, 0)
    return left if length is None else min(left, length)


@functools.lru_cache(maxsize=256)  # a canned query's pages recur: parse each text once
def _parse(text: str) -> Query:
    return parse_canonical(text)


@functools.lru_cache(maxsize=256)
def _slice_start(text: str) -> int:
    """Where the query's trailing ``LIMIT`` / ``OFFSET`` clause starts (the text's length
    when it has none): the first of those words at the top level after the last group.

    >>> _slice_start("SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3 # LIMIT 9")
    34
    >>> _slice_start("SELECT * { ?s ?p ?o LIMIT }")
    27
    """
    start: int | None = None
    for tok, depth in braced(text):
        if tok.text == "{":
            start = None
        elif (
            depth == 0
            and start is None
            and tok.kind == "word"
            and tok.text.upper() in ("LIMIT", "OFFSET")
        ):
            start = tok.start
    return len(text) if start is None else start
