"""The guard on SPARQL: nothing a query does reaches outside the graph.

:func:`refuse_outside_access` refuses, before a query runs, ``SERVICE``
(federation) and ``FROM`` / ``FROM NAMED`` naming a graph the store does not hold
(rdflib would fetch it, from the network or the file system), naming the keyword's
line:column in the user's text. :func:`check_bound` proves, once per query text and
parameter names, that the places a store writes parameters into the checked
canonical text (:func:`zonegraph.sparql.query.prepare`) change nothing the check saw.
Both read all of rdflib's parse, attributes included (:func:`contains`, :func:`_walk`).

While rdflib evaluates, the audit hook of :mod:`zonegraph._guard` refuses any network or
file access these checks might have missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import URIRef, Variable
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from .._errors import QueryError
from .query import Prepared, parse_canonical


def refuse_outside_access(
    prepared: Prepared, *, graphs: Iterable[str], allow_service: bool = False
) -> None:
    """Raise QueryError if *prepared* uses SERVICE or FROM/FROM NAMED outside *graphs*,
    naming the line:column of the keyword in the user's text."""
    algebra = prepared.query.algebra
    if not allow_service and contains(algebra, "ServiceGraphPattern"):
        raise QueryError(
            f"{prepared.where(_keyword(prepared, 'SERVICE'))}: the query uses SERVICE "
            "(federation), which would send requests to another server",
            hint="remove the SERVICE clause; federation is refused by default "
            "(--allow-network permits it where you trust the query)",
        )
    known = set(graphs)
    for i, clause in enumerate(algebra.get("datasetClause") or []):
        fields = dict(clause)  # CompValue.get answers the key's name for a missing key
        iri = fields.get("default") or fields.get("named")
        if iri is not None and str(iri) not in known:
            if prepared.protocol_dataset:
                keyword = "default-graph-uri" if fields.get("default") else "named-graph-uri"
                raise QueryError(
                    f"{keyword}={iri} names a graph this store does not hold; "
                    "zonegraph never fetches it",
                    hint="use one of the store's graphs (a source IRI), "
                    "or leave the parameter out to query the union of all graphs",
                )
            keyword = "FROM" if fields.get("default") else "FROM NAMED"
            raise QueryError(
                f"{prepared.where(_keyword(prepared, 'FROM', i))}: {keyword} <{iri}> names a "
                "graph this store does not hold; zonegraph never fetches it",
                hint="use one of the store's graphs (a source IRI, see 'zonegraph stats'), "
                "or drop FROM to query the union of all graphs",
            )


def _keyword(prepared: Prepared, word: str, index: int = 0) -> int | None:
    """The offset of the *index*-th keyword *word* in the user's part of the canonical text
    (None if it cannot be found: the message then names no position)."""
    from .text import tokens

    text = prepared.text
    start = prepared.user_start
    seen = 0
    for tok in tokens(text[start:]):
        if tok.kind == "word" and tok.text.upper() == word:
            if seen == index:
                return start + tok.start
            seen += 1
    return None


def check_bound(text: str, names: Iterable[str], query: Query) -> None:
    """Prove that binding the parameters *names* into the checked canonical *text* (as
    :func:`zonegraph.store.sparql_server.bind_values` writes them for a store that runs text)
    changes nothing the check saw (*query* is rdflib's parse of *text*); QueryError if it
    cannot be proved.

    The places the values go depend on the text and the names, not on the values
    (:func:`zonegraph.store.sparql_server.binding_sites`). This writes a marker at each place
    (an IRI in the VALUES block, a variable of its own for each replaced variable) and
    has rdflib parse that text: every marker in the parse means every place is outside
    strings, IRIs and comments, where an N-Triples term, written between spaces, is one
    token and changes no other token; so the text sent holds the same keywords, SERVICE
    and FROM among them, as the text checked (which the parse confirms). Kept per text
    and names: a parameter's new value costs no parse (rdflib's parse of a canned query
    takes 20 to 100 ms, the query on Oxigraph a millisecond).
    """
    key = (text, frozenset(names))
    if key in _BOUND:
        return
    from .text import binding_sites, render_bindings

    sites = binding_sites(text, key[1])
    names_sorted = sorted(key[1])
    block_markers = {n: f"<urn:x-zonegraph:binding:{i}>" for i, n in enumerate(names_sorted)}
    block = "VALUES ({}) {{ ({}) }}".format(
        " ".join(f"?{n}" for n in names_sorted), " ".join(block_markers[n] for n in names_sorted)
    )
    site_markers = [f"?zgbinding{i}" for i in range(len(sites.replaced))]
    marked = render_bindings(text, sites, block, _Each(site_markers))
    try:
        parsed = parse_canonical(marked)
    except Exception as exc:
        raise QueryError(
            f"the query cannot take its parameters on this store: {exc}",
            hint="use each parameter as a plain variable in the query's patterns and filters",
        ) from exc
    found = _terms(parsed.algebra)
    missing = [m for m in block_markers.values() if URIRef(m[1:-1]) not in found]
    missing += [m for m in site_markers if Variable(m[1:]) not in found]
    original = query
    if (
        missing
        or contains(parsed.algebra, "ServiceGraphPattern")
        != contains(original.algebra, "ServiceGraphPattern")
        or _dataset(parsed) != _dataset(original)
    ):
        raise QueryError(
            "the query's parameters cannot be bound in its text safely: a place they would "
            f"go ({', '.join(missing) or 'the dataset'}) is not where zonegraph's reading of "
            "the text put it",
            hint="write the query with plain variables in its patterns and filters, and "
            "without '<' right before a variable (write '< ?x' with a space)",
        )
    if len(_BOUND) >= 1024:
        _BOUND.pop(next(iter(_BOUND)))
    _BOUND[key] = True


_BOUND: dict[tuple[str, frozenset[str]], bool] = {}


class _Each(dict[str, str]):
    """The replacement for each site in turn (a marker of its own), whatever its name."""

    def __init__(self, markers: list[str]) -> None:
        super().__init__()
        self._markers = iter(markers)

    def __getitem__(self, name: str) -> str:
        return next(self._markers)


def _dataset(query: Query) -> list[tuple[str, str]]:
    return [
        (str(dict(c).get("default") or ""), str(dict(c).get("named") or ""))
        for c in query.algebra.get("datasetClause") or []
    ]


def _terms(node: Any) -> set[Any]:
    """Every variable and IRI anywhere in rdflib's algebra *node*."""
    return {n for n in _walk(node) if isinstance(n, (Variable, URIRef))}


def contains(node: Any, name: str) -> bool:
    """True if the CompValue *name* is anywhere in rdflib's algebra *node*."""
    return any(isinstance(n, CompValue) and n.name == name for n in _walk(node))


def _walk(node: Any) -> Iterator[Any]:
    """Every node of rdflib's algebra *node*: a CompValue's items, and its attributes too
    (rdflib's translation sets some parts as attributes, leaving the item the parse made:
    ``(NOT) EXISTS`` keeps its translated group in ``.graph``, where the item lost its
    FILTERs; a check that read the items only missed a SERVICE inside them)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, dict):  # CompValue, Expr, a VALUES row
            stack.extend(n.values())
            stack.extend(n.keys())
            attributes = getattr(n, "__dict__", {})
            stack.extend(v for k, v in attributes.items() if not k.startswith("_"))
        elif isinstance(n, (list, tuple, set, frozenset)):
            stack.extend(n)
        elif isinstance(n, RdfPath):
            stack.extend(vars(n).values())
