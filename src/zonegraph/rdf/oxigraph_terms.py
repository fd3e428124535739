"""RDF terms between rdflib and pyoxigraph, both ways."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .._errors import StoreError

if TYPE_CHECKING:
    pass


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_oxigraph(term: Node, bnodes: dict[BNode, ox.BlankNode] | None = None) -> OxTerm:
    """An rdflib term as a pyoxigraph term (blank nodes mapped through *bnodes*)."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            if bnodes is None:
                return ox.BlankNode()
            if term not in bnodes:
                bnodes[term] = ox.BlankNode()
            return bnodes[term]
    except ValueError as exc:
        raise StoreError(f"Oxigraph refuses the term {term.n3()}: {exc}") from exc
    raise StoreError(f"cannot store {term!r} in Oxigraph")


def from_oxigraph(term: object) -> Node:
    """A pyoxigraph term as an rdflib term; ``xsd:string`` literals become plain literals.

    IRIs and string literals (plain or with a language) are made without rdflib's
    constructors, which check what Oxigraph has already checked (an IRI, a language tag)
    and cast a string to itself: the same terms (tests/test_oxigraph_terms.py), at a
    third of the cost. Reading 158,889 labels at 1M triples spent 2 of its 5 s making
    rdflib terms. Other typed literals go through rdflib, which computes their value.
    """
    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        language = term.language
        if language:
            return _string(term.value, language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return _string(term.value, None)
        return Literal(term.value, datatype=_iri(datatype))
    raise StoreError(f"Oxigraph returned a term zonegraph cannot use: {term!r}")


_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
_new_str = str.__new__


def _iri(value: str) -> URIRef:
    """``URIRef(value)`` for an IRI Oxigraph has parsed (rdflib's check would pass)."""
    return _new_str(URIRef, value)


def _string(lexical: str, language: str | None) -> Literal:
    """``Literal(lexical, lang=language)``, field by field as rdflib sets them for a string
    (its value is its lexical form; the language tag as given, Oxigraph has checked it)."""
    literal: Literal = _new_str(Literal, lexical)
    literal._language = language
    literal._datatype = None
    literal._value = lexical
    literal._ill_typed = None
    return literal


class TermCache:
    """:func:`from_oxigraph`, once per distinct term of a read.

    Building rdflib's graph from Oxigraph's parse spent a third of its time making
    rdflib terms, most of them the same few predicates, classes and sources again;
    one rdflib term per distinct pyoxigraph term (pyoxigraph terms hash by value)
    also lets rdflib's indexes share them.
    """

    def __init__(self) -> None:
        self._seen: dict[object, Node] = {}

    def __call__(self, term: object) -> Node:
        node = self._seen.get(term)
        if node is None:
            node = self._seen[term] = from_oxigraph(term)
        return node


def add_to_graph(graph: Graph, quads: Iterable[ox.Quad], terms: TermCache | None = None) -> None:
    """Add the triples of *quads* to *graph* (their graph names are ignored).

    Straight into the graph's store (rdflib's ``Graph.add`` checks each term's type,
    which these, made here, pass by construction): opening a 200k-triple KG adds
    every triple this way.
    """
    terms = terms or TermCache()
    add = graph.store.add
    for q in quads:
        add((terms(q.subject), terms(q.predicate), terms(q.object)), graph, False)
