"""Export: every format round-trips to an isomorphic graph; quad formats keep the sources apart."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

import zonegraph
from zonegraph.rdf.export import EXPORT_FORMATS
from zonegraph.rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, ZGS

RDFLIB_FORMAT = {"ntriples": "nt", "jsonld": "json-ld"}


def _union(kg: zonegraph.KnowledgeGraph) -> Graph:
    g = kg.data()
    g += kg.ontology
    return g


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f not in ("nquads", "trig")])
def test_triple_formats_round_trip(kg: zonegraph.KnowledgeGraph, fmt: str) -> None:
    text = kg.export(fmt)
    back = Graph().parse(data=text, format=RDFLIB_FORMAT.get(fmt, fmt))
    assert isomorphic(back, _union(kg))


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_quad_formats_keep_one_graph_per_source(kg: zonegraph.KnowledgeGraph, fmt: str) -> None:
    ds = Dataset()
    ds.parse(data=kg.export(fmt), format=fmt)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert f"{ZGS}chinadaily-2018-06-10" in names
    assert f"{ZGS}wikidata" in names
    assert str(ONTOLOGY_GRAPH) in names
    for name, graph in kg.source_graphs().items():
        assert isomorphic(ds.graph(name), graph), name


def test_turtle_export_is_byte_stable(kg: zonegraph.KnowledgeGraph) -> None:
    first = kg.export("turtle")
    again = zonegraph.open_kg().export("turtle")
    assert first == again


def test_inferred_triples_go_to_their_own_graph(kg: zonegraph.KnowledgeGraph) -> None:
    ds = Dataset()
    ds.parse(data=kg.export("trig", inferred=True), format="trig")
    inferred = ds.graph(INFERRED_GRAPH)
    assert len(inferred) > 0
    # the transitive containment reaches the country
    from zonegraph import ZG, ZGR

    # (the West Coast New Area is no example: ECNS 2014 states it outright)
    assert (ZGR["sino-german-ecopark"], ZG.partOf, ZGR["shandong"]) in inferred
    # nothing inferred leaks into a source graph
    assert isomorphic(
        ds.graph(ZGS["chinadaily-2018-06-10"]), kg.source_graphs()[ZGS["chinadaily-2018-06-10"]]
    )


def test_no_ontology_option_leaves_it_out(kg: zonegraph.KnowledgeGraph) -> None:
    back = Graph().parse(data=kg.export("ntriples", ontology=False), format="nt")
    assert isomorphic(back, kg.data())
