"""The inferred graph a store keeps of its own (``zonegraph load --inferred``): what new
facts add to it, derived with the known facts looked up in the store
(:func:`zonegraph.reason.inferred.derive_for_store`)."""

from __future__ import annotations

from rdflib import Graph
from rdflib.term import Node

from ..rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from ..reason import inferred as _inferred
from ..reason.core import Vocabulary
from .base import Store


def derived_for_store(
    store: Store, facts: set[tuple[Node, Node, Node]], ontology: Graph, vocabulary: Vocabulary
) -> Graph | None:
    """What new *facts* derive (less the facts), for a store that keeps an inferred graph;
    None for a store that does not."""
    names = store.graph_names()
    if INFERRED_GRAPH not in names:
        return None
    sources = [n for n in names if n != ONTOLOGY_GRAPH]
    derived = _inferred.derive_for_store(
        lambda text: store.select_rows(text, sources), facts, ontology, vocabulary
    )
    graph = Graph()
    for t in derived - facts:
        graph.add(t)
    return graph
