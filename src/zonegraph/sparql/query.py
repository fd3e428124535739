"""Running SPARQL safely: one canonical text, checked, and the same text run everywhere.

Every query is parsed first and refused, before it runs, when it asks the
program to reach outside the graph: ``SERVICE`` (federation), or ``FROM`` /
``FROM NAMED`` naming a graph the store does not hold (rdflib would fetch it,
from the network or the file system). Updates (``LOAD``, ``INSERT`` …) are not
queries: they are refused, and the message names the operation.

**The canonical text.** SPARQL 1.1 §19.2 decodes ``\\uXXXX`` and
``\\UXXXXXXXX`` escapes everywhere, before parsing (rdflib does); Oxigraph
decodes them only inside strings and IRIs, and a remote server's parser is
not ours. A text whose meaning depends on who decodes it (``"\\u0022"``
closes a string for rdflib, not for Oxigraph) could pass the check and run
differently. So :func:`prepare` decodes the escapes once, as the specification
says, refuses a text in which the decoded result still holds an escape (which
a second decoding would change), and keeps that escape-free text: rdflib's
parse of it is what the check inspects, and it is the text every store
executes (pyoxigraph has no parse-only API; the text leaves an engine nothing
to decode differently). Besides, an escape that decodes to a quote, backslash,
``<``, ``>``, ``#`` or line break is refused: it ends or starts a string, IRI or
comment before parsing, and is plain text to an engine that decodes later. A
store that writes parameters into the text has the places they go proved once
per query (:func:`zonegraph.sparql.guard.check_bound`); cutting ORDER BY only
drops the text's end. The check (:mod:`zonegraph.sparql.guard`) walks all of rdflib's
parse, attributes included.

Parameters are bound as RDF terms (``initBindings``, or N-Triples terms a
store writes), never pasted from what a user typed. While rdflib evaluates,
the audit hook of :mod:`zonegraph._guard` refuses any network or file access
the checks might have missed.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import Query as QueryGrammar
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from .._errors import QueryError
from .._guard import RefusedAccessError, guarded
from .results import QueryResult

# Never let rdflib fetch a graph named in FROM / FROM NAMED.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False

#: rdflib's query grammar, keeping tabs. pyparsing's ``parse_string`` expands every tab to
#: spaces before parsing unless told not to: a syntax error after a tab was reported columns
#: too far to the right (``\tSELEKT`` at column 9, not 2), and a tab inside a string literal
#: became spaces. A copy, so rdflib's own grammar object stays as rdflib set it.
_QUERY_GRAMMAR = QueryGrammar.copy().parse_with_tabs()

#: An escape as SPARQL 1.1 §19.2 writes one: \uXXXX, or \UXXXXXXXX.
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
#: Characters an escape may not stand for: decoded before parsing, each ends or starts a
#: string, an IRI or a comment, where an engine that decodes inside strings keeps it as text.
_DELIMITERS = {
    '"': ('a quote (")', "to put a quote in a string, write \\\" (or use 'single quotes')"),
    "'": ("an apostrophe (')", 'to put an apostrophe in a string, write \\\' (or "double quotes")'),
    "\\": ("a backslash (\\)", "to put a backslash in a string, write \\\\"),
    "<": ("<", "write < itself"),
    ">": (">", "write > itself"),
    "#": ("#", "write # itself"),
    "\n": ("a new line", "to put a new line in a string, write \\n"),
    "\r": ("a carriage return", "to put a carriage return in a string, write \\r"),
}
#: What any engine that decodes escapes would still decode (rdflib's pattern too).
_UNDECODED = re.compile(r"\\[uU][0-9A-Fa-f]{4}")


@dataclass(frozen=True)
class Prepared:
    """A query in its canonical form, and rdflib's parse of it.

    ``text`` (the prologue included) is escape-free: the text the check read and
    the text every store runs. ``query`` is shared by every caller of
    :func:`prepare` with the same text (a cache): never modify it; make a new
    :class:`Prepared` with :meth:`with_dataset` instead.
    """

    text: str
    query: Query
    name: str
    #: Where the user's text starts in the original (escaped) full text.
    _start: int
    #: The user's original text (prologue included), for line:column in messages.
    _original: str
    #: (offset in ``text``, offset in ``_original``) where an escape was decoded.
    _breaks: tuple[tuple[int, int], ...]
    #: default-graph-uri / named-graph-uri given by the protocol, not by the text.
    protocol_dataset: bool = False

    def where(self, offset: int | None) -> str:
        """``name:line:column`` of the canonical *offset*, in the user's own text."""
        if offset is None:
            return self.name
        return _locate(self.name, self._original, self._start, self._breaks, offset)

    @property
    def algebra(self) -> CompValue:
        """rdflib's algebra of the query (shared: never modify it)."""
        return self.query.algebra

    @functools.cached_property
    def star_order(self) -> list[str] | None:
        """For ``SELECT *``, the variables in the order they first appear in the text."""
        return _star_order(self)

    @property
    def user_start(self) -> int:
        """Where the user's text (after the prologue) starts in ``text``."""
        shrunk = 0
        for canon, original in self._breaks:
            if original > self._start:
                break
            shrunk = original - canon
        return self._start - shrunk

    def with_dataset(self, default: Iterable[str], named: Iterable[str]) -> Prepared:
        """A copy whose dataset is *default* and *named* (the protocol's graph parameters,
        which replace FROM and FROM NAMED), in its text as in its algebra: the text is
        what a store runs, so it carries the dataset as FROM clauses (text.with_dataset_
        clauses), and the algebra is rdflib's parse of that text, refused unless its
        dataset is exactly the one asked for. This query and its cached parse stay as
        they are."""
        from .text import with_dataset_clauses

        default, named = list(default), list(named)
        text = with_dataset_clauses(self.text, default, named)
        query = parse_canonical(text)
        wanted = [("default", URIRef(g)) for g in default] + [("named", URIRef(g)) for g in named]
        clauses = query.algebra.get("datasetClause") or []
        got = [(k, c[k]) for c in clauses for k in ("default", "named") if k in c]
        if got != wanted:  # pragma: no cover - the clauses are written from the IRIs alone
            raise QueryError("the query cannot take default-graph-uri / named-graph-uri")
        return Prepared(
            text,
            query,
            self.name,
            self._start,
            self._original,
            self._breaks,
            protocol_dataset=True,
        )


def _locate(
    name: str, original: str, start: int, breaks: tuple[tuple[int, int], ...], offset: int
) -> str:
    """``name:line:column`` in *original* of the *offset* in its canonical text."""
    i = bisect.bisect_right(breaks, (offset, float("inf"))) - 1
    return _where(name, original, start, offset if i < 0 else breaks[i][1] + offset - breaks[i][0])


def _where(name: str, original: str, start: int, offset: int) -> str:
    if offset < start:  # in the shared prologue
        line = original.count("\n", 0, offset) + 1
        column = offset - (original.rfind("\n", 0, offset) + 1) + 1
        return f"queries/prefixes.rq:{line}:{column}"
    line = original.count("\n", start, offset) + 1
    column = offset - max(original.rfind("\n", start, offset) + 1, start) + 1
    return f"{name}:{line}:{column}"


def canonical(
    full: str, *, start: int = 0, name: str = "query"
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """*full* with its escapes decoded as SPARQL 1.1 §19.2 says, and where each was.

    QueryError (with line:column in *full*, the user's text starting at *start*)
    for an escape of no character (a surrogate, past U+10FFFF), and for a text
    that still holds an escape once decoded (``\\u005Cu0022``), which a second
    decoding, by rdflib or another engine, would change.
    """
    out: list[str] = []
    breaks: list[tuple[int, int]] = []
    last = 0
    size = 0
    for m in _ESCAPE.finditer(full):
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(
                f"{_where(name, full, start, m.start())}: the escape {m.group()} names no "
                "Unicode character",
                hint="write the character itself, or an escape of a code point up to "
                "U+10FFFF that is not a surrogate",
            )
        if chr(code) in _DELIMITERS:
            raise QueryError(
                f"{_where(name, full, start, m.start())}: the escape {m.group()} is decoded to "
                f"{_DELIMITERS[chr(code)][0]} before the query is parsed (SPARQL 1.1 §19.2), "
                "so it ends or starts a string, IRI or comment here; engines that decode escapes "
                "only inside strings (Oxigraph) read the text differently, so zonegraph refuses it",
                hint=_DELIMITERS[chr(code)][1],
            )
        out.append(full[last : m.start()])
        size += m.start() - last
        out.append(chr(code))
        size += 1
        last = m.end()
        breaks.append((size, last))
    out.append(full[last:])
    text = "".join(out)
    left = _UNDECODED.search(text)
    if left is not None:
        i = bisect.bisect_right(breaks, (left.start(), float("inf"))) - 1
        at = left.start() if i < 0 else breaks[i][1] + (left.start() - breaks[i][0])
        raise QueryError(
            f"{_where(name, full, start, at)}: the text holds {left.group()} once its "
            "\\u escapes are decoded (or an escape SPARQL does not have: \\U takes eight "
            "digits); engines decode it differently, so zonegraph refuses the text",
            hint="write the characters themselves instead of \\u escapes; for a backslash "
            'followed by "u" in a string, use CONCAT("\\\\", "u…")',
        )
    return text, tuple(breaks)


def prepare(text: str, *, prologue: str = "", name: str = "query") -> Prepared:
    """The canonical form of *prologue* + *text*, parsed by rdflib; QueryError with
    line:column (in *text*) if it cannot be.

    Prepared queries are kept (by text), so a query run again is not parsed again.
    """
    full = f"{prologue}\n{text}" if prologue else text
    key = (full, name)
    cached = _PREPARED.get(key)
    if cached is not None:
        return cached
    start = len(prologue) + 1 if prologue else 0
    canon, breaks = canonical(full, start=start, name=name)
    prepared = Prepared(
        canon, _prepare(canon, start, full, breaks, name), name, start, full, breaks
    )
    if len(_PREPARED) >= 256:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[key] = prepared
    return prepared


_PREPARED: dict[tuple[str, str], Prepared] = {}


def parse_canonical(text: str) -> Query:
    """rdflib's parse of *text*, its escapes already decoded (rdflib's own ``parseQuery``
    would decode them a second time)."""
    return _with_short_construct_template(
        translateQuery(_QUERY_GRAMMAR.parse_string(text, parse_all=True))
    )


def _with_short_construct_template(query: Query) -> Query:
    """*query* with the template of a short-form ``CONSTRUCT WHERE { … }`` filled in.

    rdflib leaves that template empty and, when it runs the query, takes it from
    ``query.p.p``, which is the pattern only when there is no solution modifier: with
    ``LIMIT`` or ``ORDER BY`` in between it fails ("'NoneType' object is not iterable").
    The short form's WHERE is a single basic graph pattern (SPARQL 1.1, 16.2.4), which
    is also the template; it is found under the modifiers and set here.
    """
    algebra = query.algebra
    if algebra.name != "ConstructQuery" or algebra.get("template") is not None:
        return query
    part = algebra.p
    while part is not None and getattr(part, "name", None) != "BGP":
        part = part.get("p")
    if part is not None:
        algebra["template"] = list(part.triples)
    return query


def _prepare(
    canon: str, start: int, full: str, breaks: tuple[tuple[int, int], ...], name: str
) -> Query:
    try:
        return parse_canonical(canon)
    except ParseException as exc:
        update = _update_operation(canon)
        if update is not None:
            raise QueryError(
                f"{name}: the text is a SPARQL Update ({update}), not a query; "
                "zonegraph refuses updates here",
                hint="only SELECT, ASK, CONSTRUCT and DESCRIBE queries run; "
                "to change the graph, use 'zonegraph add' with a Turtle file",
            ) from exc
        place = _locate(name, full, start, breaks, exc.loc)
        raise QueryError(
            f"{place}: SPARQL syntax error: {exc.msg}",
            hint="check the query near that position; only SELECT, ASK, CONSTRUCT and DESCRIBE "
            "queries run here (updates are refused)",
        ) from exc
    except Exception as exc:  # rdflib raises assorted errors for unsupported forms
        raise QueryError(f"{name}: cannot prepare the query: {exc}") from exc


def prepare_update(text: str, *, prologue: str = "") -> tuple[Any, Callable[[int], str]]:
    """rdflib's translation of the SPARQL Update *prologue* + *text*, made from its canonical
    text (escapes decoded once, as for queries), and a function giving ``update:line:column``
    in *text* for an offset of that text (for a ParseException's ``loc``, which it raises)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import UpdateUnit

    full = f"{prologue}\n{text}" if prologue else text
    start = len(prologue) + 1 if prologue else 0
    canon, breaks = canonical(full, start=start, name="update")
    where = functools.partial(_locate, "update", full, start, breaks)
    try:
        grammar = UpdateUnit.copy().parse_with_tabs()  # tabs kept, as for queries
        return translateUpdate(grammar.parse_string(canon, parse_all=True)[0]), where
    except ParseException as exc:
        exc.where = where  # type: ignore[attr-defined]
        raise


def select_star_order(prepared: Prepared) -> list[str] | None:
    """For ``SELECT *``, its variables in the order they first appear in the text (kept)."""
    return prepared.star_order


def _star_order(prepared: Prepared) -> list[str] | None:
    """For ``SELECT *``, its variables in the order they first appear in the text (as
    the SPARQL specification and Jena list them; rdflib's order changes from run to
    run, Oxigraph's is alphabetical); None for any other query."""
    from .text import tokens

    algebra = prepared.query.algebra
    if algebra.name != "SelectQuery":
        return None
    star = False
    words = 0
    order: list[str] = []
    for tok in tokens(prepared.text[prepared.user_start :]):
        if tok.kind == "comment":
            continue
        if not star and words == 0:
            if tok.kind == "word" and tok.text.upper() == "SELECT":
                words = 1
            continue
        if not star:
            if tok.kind == "word" and tok.text.upper() in ("DISTINCT", "REDUCED"):
                continue
            if tok.text != "*":
                return None
            star = True
            continue
        if tok.kind == "var" and tok.text not in order:
            order.append(tok.text)
    projected = [str(v) for v in algebra.get("PV") or []]
    ranked = {v: i for i, v in enumerate(order)}
    return sorted(projected, key=lambda v: (ranked.get(v, len(ranked)), v))


def ordered(result: QueryResult, order: list[str] | None) -> QueryResult:
    """*result* with its columns in *order* (from :func:`select_star_order`), any others after."""
    if order is None or result.kind != "SELECT":
        return result
    rank = {v: i for i, v in enumerate(order)}
    result.vars = sorted(result.vars, key=lambda v: (rank.get(v, len(rank)), v))
    return result


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
