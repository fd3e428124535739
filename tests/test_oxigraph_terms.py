"""Terms read from Oxigraph are rdflib's own terms: the fast constructors of
rdf/oxigraph_terms.py give what rdflib's constructors give, field by field."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Graph, Literal, URIRef

from zonegraph.rdf.oxigraph_terms import from_oxigraph, to_oxigraph

TERMS = [
    URIRef("https://w3id.org/zonegraph/id/sino-german-ecopark"),
    URIRef("urn:isbn:0451450523"),
    URIRef("https://example.org/caf%C3%A9?x=1#f"),
    Literal("Sino-German Ecopark"),
    Literal(""),
    Literal("Sino-German Ecopark", lang="en"),
    Literal("中德生态园", lang="zh-Hans"),
    Literal("Haier", lang="en-GB"),
    Literal('line\nbreak "quoted" \\ tab\t', lang="en"),
    Literal("  spaced  "),
    Literal("2018", datatype=XSD.gYear),
    Literal("2018-06-10", datatype=XSD.date),
    Literal("42", datatype=XSD.integer),
    Literal("042", datatype=XSD.integer),
    Literal("1.50", datatype=XSD.decimal),
    Literal("not a number", datatype=XSD.integer),
    Literal("true", datatype=XSD.boolean),
    Literal("x", datatype=URIRef("https://example.org/own-datatype")),
]


def _fields(term: object) -> tuple[object, ...]:
    if isinstance(term, Literal):
        return (
            type(term),
            str(term),
            term.language,
            term.datatype,
            term.value,
            term.ill_typed,
            term.n3(),
            hash(term),
        )
    return (type(term), str(term), hash(term))


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.n3()[:40])
def test_a_term_read_from_oxigraph_is_the_term_rdflib_makes(term: Literal | URIRef) -> None:
    stored = to_oxigraph(term)
    read = from_oxigraph(stored)
    if isinstance(term, Literal) and term.language:
        # Oxigraph keeps language tags in lower case (they are case-insensitive)
        assert isinstance(stored, ox.Literal) and stored.language == term.language.lower()
        term = Literal(str(term), lang=stored.language)
    elif isinstance(term, Literal):  # made now: zonegraph registers datatypes when imported
        term = Literal(str(term), datatype=term.datatype)
    assert _fields(read) == _fields(term)
    assert read == term and term == read


def test_xsd_string_literals_become_plain_literals() -> None:
    read = from_oxigraph(ox.Literal("Qingdao", datatype=ox.NamedNode(str(XSD.string))))
    assert _fields(read) == _fields(Literal("Qingdao"))


def test_terms_read_from_oxigraph_index_and_compare_in_rdflib_graphs() -> None:
    graph = Graph()
    for term in TERMS:
        if isinstance(term, Literal):
            graph.add((URIRef("urn:s"), URIRef("urn:p"), from_oxigraph(to_oxigraph(term))))
    for term in TERMS:
        if isinstance(term, Literal):
            assert (URIRef("urn:s"), URIRef("urn:p"), term) in graph
    texts = sorted(str(o) for o in graph.objects() if isinstance(o, Literal) and o.datatype is None)
    assert texts == sorted(str(t) for t in TERMS if isinstance(t, Literal) and t.datatype is None)


def test_blank_nodes_keep_their_labels() -> None:
    node = ox.BlankNode("b0")
    assert from_oxigraph(node) == BNode("b0")
