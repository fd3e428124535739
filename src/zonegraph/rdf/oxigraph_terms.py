"""RDF terms between rdflib and pyoxigraph, both ways."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Literal, URIRef
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
    """A pyoxigraph term as an rdflib term; ``xsd:string`` literals become plain literals."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (str(XSD.string), str(RDF.langString)):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise StoreError(f"Oxigraph returned a term zonegraph cannot use: {term!r}")
