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

A canned query whose ORDER BY leads with its entity parameter (or that entity's label)
and that has a key query (``queries/keys/NAME.rq``) is paged by keys instead when no
total is asked for (:func:`keyset_page`; docs/paging.md, "Keyset pages").
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib import URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .._errors import InputError, Location, ParameterError, QueryError
from .catalogue import CannedQuery, Catalogue, parse_query_file
from .ordering import leading_conditions, plan_order, tie_groups, tie_key
from .query import Prepared, parse_canonical, prepare
from .results import QueryResult
from .text import Row, braced

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


# -- keyset pages ---------------------------------------------------------------------

#: Where a canned query's key query lives, beside it: ``queries/keys/NAME.rq``.
KEYS_DIR = "keys"
#: The deepest row a keyset page reaches (offset + limit); a deeper page is taken of
#: the whole listing, as without keys: a keyset page costs the rows before it.
KEYSET_MAX_ROWS = 1_000
#: The most runs (one per key) a keyset page makes before it gives up and takes the
#: page of the whole listing (a listing where most keys have no rows).
KEYSET_MAX_RUNS = 500

#: The seconds a keyset page may spend running its keys before it gives up and takes
#: the page of the whole listing: where one entity's listing is not much cheaper than
#: the whole (rdflib's engine runs single-source-facts for one entity in 0.4 s, the
#: whole shipped listing in 12 s), keys would cost more than they save. The rows are
#: the same either way; only the time differs.
KEYSET_MAX_SECONDS = 2.0

#: Runs a query's text, whole, with bindings, through the one query path; the third
#: argument is the file the text comes from (for error messages).
Runner = Callable[[str, Mapping[str, Node], str], QueryResult]


@dataclass(frozen=True)
class KeyQuery:
    """``queries/keys/NAME.rq``: the keys of canned query NAME's pages. It projects
    ``param`` (an optional IRI parameter of NAME) and the variables NAME's ORDER BY leads
    with, and holds a row for every (``param``, leading values) of NAME's listing."""

    path: Path
    text: str
    param: str


def key_query(catalogue: Catalogue, canned: CannedQuery) -> KeyQuery | None:
    """*canned*'s key query, or None where it has none; InputError (file:line:column)
    where its ``# keys: ?PARAM`` line names no optional IRI parameter of *canned*."""
    path = catalogue.dir / KEYS_DIR / f"{canned.name}.rq"
    if not path.is_file():
        return None
    keys = parse_query_file(path)
    name = keys.extra.get("keys", "").split(" ")[0].lstrip("?")
    param = canned.param(name)
    if param is None or param.type != "iri" or param.required:
        line = next(
            (i for i, t in enumerate(keys.text.splitlines(), 1) if t.startswith("# keys:")), 1
        )
        raise InputError(
            f"the key query of {canned.name} names no optional IRI parameter of it "
            f"({keys.extra.get('keys', 'no # keys: line')!r})",
            where=Location(str(path), line, 1),
            hint=f"write '# keys: ?NAME' with NAME one of {canned.name}'s optional "
            "IRI parameters, or remove the file",
        )
    return KeyQuery(path, keys.text, name)


def keyset_page(
    catalogue: Catalogue,
    canned: CannedQuery,
    bindings: Mapping[str, Node],
    page: Page,
    run: Runner,
) -> QueryResult | None:
    """*page* of *canned*'s listing (with *bindings*), filled key by key; None where the
    page is to be taken of the whole listing instead (:func:`paged`).

    The key query's rows, sorted by the ORDER BY conditions of *canned* that read only
    their variables (the leading ones), and cut into runs that tie, are the listing's
    keys in order. For each key in turn, *canned* runs with its parameter bound to each
    entity of the key (zonegraph's binder, as for any parameter) and keeps the rows
    whose leading values are the key's: the rows of the whole listing with that key, in
    its order, since a row's place is decided first by its leading values. Rows are
    taken until ``offset + limit`` are known; ``offset`` counts rows, as without keys.

    None (the page of the whole listing) where no key query applies: no page size, a
    page deeper than :data:`KEYSET_MAX_ROWS`, the parameter given, no ORDER BY sorted
    in Python (:func:`zonegraph.sparql.ordering.plan_order`), the query's own
    LIMIT/OFFSET, a key that is not an IRI or whose ties plain keys cannot tell, or
    more than :data:`KEYSET_MAX_RUNS` runs or :data:`KEYSET_MAX_SECONDS` seconds.
    """
    if page.limit is None or page.offset + page.limit > KEYSET_MAX_ROWS:
        return None
    keys = key_query(catalogue, canned)
    if keys is None or keys.param in bindings:
        return None
    name = f"queries/{canned.name}.rq"
    whole = prepare(canned.text, prologue=catalogue.prologue, name=name)
    plan = plan_order(whole.query, whole.text)
    if plan is None or plan.sliced:
        return None
    key_rows = run(keys.text, {}, f"queries/{KEYS_DIR}/{canned.name}.rq")
    leading = leading_conditions(whole.query, key_rows.vars)
    if not leading or keys.param not in key_rows.vars:
        raise QueryError(
            f"{keys.path}: the key query projects no ?{keys.param}, or none of the "
            f"variables {canned.name}'s ORDER BY starts with",
            hint=f"project ?{keys.param} and the variables of the first ORDER BY condition",
        )
    groups = tie_groups(leading, key_rows.rows)
    if groups is None:
        return None
    wanted = page.offset + page.limit
    started = time.perf_counter()
    taken: list[Row] = []
    each: dict[Node, list[Row]] = {}  # an entity's rows (an entity can have several keys)
    names: list[str] | None = None
    for key, group in groups:
        entities = list(dict.fromkeys(row.get(keys.param) for row in group))
        rows: list[Row] = []
        for entity in entities:
            if not isinstance(entity, URIRef):
                return None  # unbound, or a blank node: not a value a parameter takes
            if entity not in each:
                if (
                    len(each) >= KEYSET_MAX_RUNS
                    or time.perf_counter() - started > KEYSET_MAX_SECONDS
                ):
                    return None
                result = run(canned.text, {**bindings, keys.param: entity}, name)
                names = names or result.vars
                each[entity] = result.rows
            for row in each[entity]:
                found = tie_key(leading, row)
                if found is None:
                    return None  # the key query missed this value: not its keys
                if found == key:
                    rows.append(row)
        taken += plan.sort(rows) if len(entities) > 1 else rows
        if len(taken) >= wanted:
            break
    if names is None:
        names = [str(v) for v in whole.query.algebra["PV"]]
    return QueryResult(
        "SELECT",
        vars=names,
        rows=taken[page.offset : wanted],
        offset=page.offset,
        limit=page.limit,
    )
