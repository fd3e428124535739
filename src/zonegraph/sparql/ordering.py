"""ORDER BY in Python, after the rows are read: for engines that sort slowly.

Oxigraph's on-disk store reads both terms' text from RocksDB at every
comparison of its ORDER BY (single-source-facts at a million triples: 33.6 s
sorted by Oxigraph, 25.8 s sorted here; docs/performance.md). Here
the ORDER BY clause is cut from the query text, the engine returns its rows
unordered, and they are sorted once they are rdflib terms, each term's sort key
computed once.

The order is rdflib's (:func:`rdflib.plugins.sparql.evaluate.evalOrderBy`: one
stable sort per condition, last condition first, with
:func:`rdflib.plugins.sparql.evalutils._val` and rdflib's literal comparison),
so the Oxigraph store lists rows as the memory store does. An expression that
fails for a row (``STR`` of an unbound variable) sorts it first, as an unbound
value does. The plan is made only where it is safe and exact:

- a SELECT whose ORDER BY is its outermost modifier but DISTINCT and a page
  (LIMIT / OFFSET, cut with it and taken of the sorted rows here, so a page is
  taken of the very order the whole listing has: docs/paging.md);
- every condition reads projected variables through ``STR``, ``LCASE``,
  ``UCASE``, ``COALESCE`` and constants (anything else stays with the engine);
- the clause is found at the end of the text, outside comments, strings, IRIs
  and braces.

>>> from rdflib import Literal
>>> from rdflib.plugins.sparql import prepareQuery
>>> text = "SELECT ?x WHERE { VALUES ?x { 'b' 'a' } } ORDER BY DESC(?x)"
>>> plan = plan_order(prepareQuery(text), text)
>>> plan.text
"SELECT ?x WHERE { VALUES ?x { 'b' 'a' } } "
>>> [row["x"] for row in plan.sort([{"x": Literal("a")}, {"x": Literal("b")}])]
[rdflib.term.Literal('b'), rdflib.term.Literal('a')]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import XSD, BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue, Expr
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import _NUMERIC_LITERAL_TYPES, _TOTAL_ORDER_CASTERS, Node

from .text import Row, Token, braced


class _Plain(str):
    """A plain literal that STR, LCASE or UCASE made, only to be sorted by: a
    string, since an rdflib Literal costs about 10 µs to make."""


#: What a condition gives for a row: a term, or a string STR made.
Value = Node | _Plain
#: A row's value for one condition: a term, or None (unbound, or the expression failed).
Evaluator = Callable[[Row], Value | None]

_STRING = str(XSD.string)
_NUMERIC = frozenset(str(t) for t in _NUMERIC_LITERAL_TYPES)


@dataclass(frozen=True)
class OrderPlan:
    """The query *text* without its ORDER BY, and the conditions to sort its rows by."""

    text: str
    conditions: tuple[tuple[Evaluator, bool], ...]  # (value of a row, descending)
    #: The cut LIMIT / OFFSET: rows ``start`` to ``start + length`` of the sorted rows.
    start: int = 0
    length: int | None = None

    @property
    def sliced(self) -> bool:
        """Whether the cut clause had a LIMIT or OFFSET (a page)."""
        return self.start != 0 or self.length is not None

    def page(self, rows: Sequence[Row]) -> list[Row]:
        """*rows* sorted, then the cut LIMIT / OFFSET taken of them."""
        out = self.sort(rows)
        end = None if self.length is None else self.start + self.length
        return out[self.start : end] if self.sliced else out

    def sort(self, rows: Sequence[Row]) -> list[Row]:
        """*rows* in the order the cut ORDER BY clause gives them (rdflib's)."""
        out = list(rows)
        # Each row's places under the conditions, folded into one integer (first
        # condition most significant), then one stable sort: the same order as
        # rdflib's stable sorts by each condition in turn.
        combined = [0] * len(out)
        for evaluate, descending in self.conditions:
            ranked = _ranks(list(map(evaluate, out)), descending)
            if ranked is None:
                return self._sort_each(out)
            places, width = ranked
            combined = [c * width + p for c, p in zip(combined, places, strict=True)]
            if len(set(combined)) == len(out):
                break  # each row has a place of its own: later conditions change nothing
        return [out[i] for i in sorted(range(len(out)), key=combined.__getitem__)]

    def _sort_each(self, out: list[Row]) -> list[Row]:
        """rdflib's way: one stable sort per condition, the last condition first."""
        for evaluate, descending in reversed(self.conditions):
            values = list(map(evaluate, out))
            known, distinct = _distinct_keys(values)
            keys = [known[id(v)] for v in values]
            order: list[int] | None = None
            if _comparable(distinct, [known[id(v)] for v in distinct]):
                try:
                    order = sorted(range(len(out)), key=keys.__getitem__, reverse=descending)
                except TypeError:  # values of one datatype Python cannot compare
                    order = None
            if order is None:  # rdflib's own comparison (mixed numbers, ill-typed values)
                cmp = functools.cmp_to_key(_rdflib_cmp)
                order = sorted(range(len(out)), key=lambda i: cmp(values[i]), reverse=descending)
            out = [out[i] for i in order]
        return out


def _distinct_keys(values: list[Value | None]) -> tuple[dict[int, Any], list[Value | None]]:
    """Each distinct value's sort key (by identity: a store hands back one object per
    distinct term, and hashing rdflib terms costs more than making their keys), and the
    distinct values."""
    known: dict[int, Any] = {}
    distinct = []
    for v in values:
        if id(v) not in known:
            known[id(v)] = _key(v)
            distinct.append(v)
    return known, distinct


def _ranks(values: list[Value | None], descending: bool) -> tuple[list[int], int] | None:
    """Each value's place among the distinct values (equal keys share one; reversed
    when *descending*) and the number of places, or None where plain keys cannot order
    the values as rdflib does."""
    known, distinct = _distinct_keys(values)
    keys = [known[id(v)] for v in distinct]
    if not _comparable(distinct, keys) or any(_unordered(k) for k in keys):
        return None
    try:
        order = sorted(range(len(keys)), key=keys.__getitem__)
    except TypeError:  # values of one datatype Python cannot compare
        return None
    place: dict[int, int] = {}
    rank, previous = 0, None
    for i in order:
        if previous is not None and previous < keys[i]:
            rank += 1
        previous = keys[i]
        place[id(distinct[i])] = rank
    width = rank + 1
    if descending:
        return [rank - place[id(v)] for v in values], width
    return [place[id(v)] for v in values], width


def _unordered(key: tuple[Any, ...]) -> bool:
    """A NaN, which no order places: rdflib's comparison decides where it goes."""
    value = key[-1]
    return isinstance(value, float) and value != value


def plan_order(query: Query, text: str) -> OrderPlan | None:
    """How to sort *query*'s rows in Python, or None where the engine must sort them."""
    found = _outer_order(query)
    if found is None:
        return None
    projected, conditions, start, length = found
    evaluators = []
    for expr, descending in conditions:
        evaluate = _evaluator(expr, projected)
        if evaluate is None:
            return None
        evaluators.append((evaluate, descending))
    cut = order_by_start(text, sliced=start != 0 or length is not None)
    if cut is None:
        return None
    return OrderPlan(text[:cut], tuple(evaluators), start, length)


def leading_conditions(
    query: Query, variables: Iterable[str]
) -> tuple[tuple[Evaluator, bool], ...]:
    """The longest run of *query*'s ORDER BY conditions, from the first, that read only
    *variables* (each also projected by *query*): what a keyset page sorts its keys by
    (:mod:`zonegraph.sparql.paging`). Empty when the first condition reads another
    variable, or *query* has no ORDER BY that :func:`plan_order` could sort.

    >>> from rdflib.plugins.sparql import prepareQuery
    >>> q = prepareQuery("SELECT ?x ?y { ?x ?p ?y } ORDER BY LCASE(STR(?x)) ?y ?p")
    >>> len(leading_conditions(q, ["x"])), len(leading_conditions(q, ["x", "y"]))
    (1, 2)
    """
    found = _outer_order(query)
    if found is None:
        return ()
    projected, conditions, _, _ = found
    allowed = projected & set(variables)
    out = []
    for expr, descending in conditions:
        evaluate = _evaluator(expr, allowed)
        if evaluate is None:
            break
        out.append((evaluate, descending))
    return tuple(out)


def tie_key(conditions: Sequence[tuple[Evaluator, bool]], row: Row) -> tuple[Any, ...] | None:
    """What *row* is sorted by under *conditions*: two rows with equal tie keys tie (the
    sort keeps their order), as :meth:`OrderPlan.sort` sees them. None where a value has
    no plain key (only rdflib's comparison orders it: an ill-typed literal, a NaN)."""
    keys = []
    for evaluate, _ in conditions:
        key = _key(evaluate(row))
        if key is None or _unordered(key):
            return None
        keys.append(key)
    return tuple(keys)


def tie_groups(
    conditions: tuple[tuple[Evaluator, bool], ...], rows: Sequence[Row]
) -> list[tuple[tuple[Any, ...], list[Row]]] | None:
    """*rows* sorted by *conditions* and cut into runs of rows that tie (equal
    :func:`tie_key`), each with its tie key; None where plain keys cannot say which
    rows tie as rdflib would (a value only rdflib compares, numbers of several
    datatypes, which rdflib compares by value).

    >>> from rdflib import Literal
    >>> byx = ((lambda row: row.get("x"), False),)
    >>> rows = [{"x": Literal(v), "n": Literal(i)} for i, v in enumerate("bab")]
    >>> [(k[0][-1], [r["n"].value for r in g]) for k, g in tie_groups(byx, rows)]
    [('a', [1]), ('b', [0, 2])]
    """
    for evaluate, _ in conditions:
        values = list(map(evaluate, rows))
        known, distinct = _distinct_keys(values)
        if not _comparable(distinct, [known[id(v)] for v in distinct]):
            return None
    keyed = [(tie_key(conditions, row), row) for row in rows]
    if any(key is None for key, _ in keyed):
        return None
    if any(descending for _, descending in conditions):
        ordered = [(tie_key(conditions, row), row) for row in OrderPlan("", conditions).sort(rows)]
    else:  # ascending: the keys' own order is OrderPlan.sort's (a stable sort of the places)
        ordered = sorted(keyed, key=lambda pair: pair[0])  # type: ignore[arg-type,return-value]
    out: list[tuple[tuple[Any, ...], list[Row]]] = []
    for key, row in ordered:
        assert key is not None
        if out and out[-1][0] == key:
            out[-1][1].append(row)
        else:
            out.append((key, [row]))
    return out


def _outer_order(
    query: Query,
) -> tuple[set[str], list[tuple[object, bool]], int, int | None] | None:
    """A SELECT's projected variables, its outermost ORDER BY's conditions (expression,
    descending) and its LIMIT / OFFSET, where ORDER BY is its outermost modifier but
    DISTINCT and a slice; else None."""
    top = query.algebra
    if top.name != "SelectQuery":
        return None
    node = top.p
    start, length = 0, None
    if node.name == "Slice":
        start, length = int(node.start or 0), None if node.length is None else int(node.length)
        node = node.p
    if node.name in ("Distinct", "Reduced"):
        node = node.p
    if node.name != "Project":
        return None
    projected = {str(v) for v in node.PV}
    node = node.p
    if node.name != "OrderBy":
        return None
    conditions: list[tuple[object, bool]] = []
    for condition in node.expr:
        if isinstance(condition, CompValue) and condition.name == "OrderCondition":
            conditions.append((condition.expr, condition.order == "DESC"))
        else:
            conditions.append((condition, False))
    return projected, conditions, start, length


@functools.lru_cache(maxsize=256)  # a canned query's text recurs (0.3-0.6 ms a scan)
def order_by_start(text: str, *, sliced: bool = False) -> int | None:
    """Where the query's final ORDER BY clause starts in *text*; None if it is not last
    (or, *sliced*, followed by nothing but LIMIT and OFFSET).

    >>> order_by_start("SELECT * { ?s ?p ?o } # ORDER BY ?s\\nORDER BY ?o")
    36
    >>> order_by_start("SELECT * { ?s ?p ?o } ORDER BY ?o LIMIT 3") is None
    True
    """
    depth = 0
    start: int | None = None
    previous: Token | None = None
    for tok, depth in braced(text):
        if depth == 0 and tok.kind == "word":
            word = tok.text.upper()
            if word == "BY" and previous is not None and previous.text.upper() == "ORDER":
                start = previous.start
            elif (
                start is not None
                and word in ("LIMIT", "OFFSET", "VALUES")
                and (not sliced or word == "VALUES")
            ):
                return None
        elif start is not None and depth != 0:
            return None  # a group after the clause: it was not the query's own
        previous = tok
    return start if depth == 0 else None


# -- conditions ---------------------------------------------------------------


def _case(t: Value, change: Callable[[str], str]) -> Value | None:
    if isinstance(t, _Plain):
        return _Plain(change(t))
    if isinstance(t, Literal):
        return Literal(change(t), lang=t.language, datatype=t.datatype)
    return None  # an error, as in rdflib


_UNARY: dict[str, Callable[[Value], Value | None]] = {
    "Builtin_STR": lambda t: _Plain(t),  # as rdflib: a blank node gives its label
    "Builtin_LCASE": lambda t: _case(t, str.lower),
    "Builtin_UCASE": lambda t: _case(t, str.upper),
}


def _evaluator(expr: object, projected: set[str]) -> Evaluator | None:
    """A function giving *expr*'s value for a row, or None if *expr* is not supported."""
    if isinstance(expr, Variable):
        name = str(expr)
        if name not in projected:
            return None
        return lambda row: row.get(name)
    if isinstance(expr, URIRef | Literal):
        return lambda row: expr
    if not isinstance(expr, Expr):
        return None
    if expr.name in _UNARY:
        inner = _evaluator(expr.arg, projected)
        if inner is None:
            return None
        fn = _UNARY[expr.name]

        def unary(row: Row) -> Value | None:
            value = inner(row)
            return None if value is None else fn(value)

        return unary
    if expr.name == "Builtin_COALESCE":
        parts = [_evaluator(arg, projected) for arg in expr.arg]
        if any(p is None for p in parts):
            return None
        evaluators = [p for p in parts if p is not None]

        def coalesce(row: Row) -> Value | None:
            for part in evaluators:
                value = part(row)
                if value is not None:
                    return value
            return None

        return coalesce
    return None


# -- keys -----------------------------------------------------------------------


def _key(term: Value | None) -> tuple[Any, ...] | None:
    """A sort key ordered as rdflib orders terms; None where only rdflib can compare."""
    if term is None:
        return (0,)
    if type(term) is _Plain:
        return (3, _STRING, False, "", str(term))
    if isinstance(term, BNode):
        return (1, str(term))
    if isinstance(term, URIRef):
        return (2, str(term))
    if not isinstance(term, Literal):
        return None
    datatype = _STRING if term.datatype is None else str(term.datatype)
    if datatype == _STRING:  # plain and xsd:string tie, as in rdflib
        language = term.language
        return (3, datatype, language is not None, language or "", str(term))
    if term.ill_typed or term.language is not None:
        return None
    value = term.value
    if value is None:  # a datatype rdflib has no value for (xsd:gYear): by its form
        return (3, datatype, False, "", str(term))
    caster = _TOTAL_ORDER_CASTERS.get(type(value))
    return (3, datatype, False, "", caster(value) if caster else value)


def _comparable(values: list[Value | None], keys: list[Any]) -> bool:
    """True when plain keys order *values* as rdflib does: none needs rdflib, and numbers
    are of one datatype (rdflib compares numbers across datatypes by value)."""
    if None in keys:
        return False
    numeric = {
        dt for dt in (str(v.datatype) for v in values if isinstance(v, Literal)) if dt in _NUMERIC
    }
    return len(numeric) <= 1


def _rdflib_cmp(a: Value | None, b: Value | None) -> int:
    """rdflib's ORDER BY comparison of two values (``evalutils._val``, then ``<``)."""
    from rdflib.plugins.sparql.evalutils import _val

    ka, kb = (
        _val(Variable("_") if v is None else Literal(v) if type(v) is _Plain else v)  # type: ignore[type-var]
        for v in (a, b)
    )
    try:
        return -1 if ka < kb else (1 if kb < ka else 0)
    except (TypeError, ArithmeticError):  # a decimal against NaN: no order, a tie
        return 0
