"""A store's graphs in an RDF format (``zonegraph export``, ``KnowledgeGraph.export``).

The store's own serializer when it has one (Oxigraph: fast at scale) and holds every graph
asked for, else rdflib's through :func:`zonegraph.rdf.export.serialize_graphs`.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef

from ..rdf.export import serialize_graphs
from ..rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, ZGS
from .base import Store


def export(
    store: Store,
    fmt: str,
    *,
    ontology: Graph | None = None,
    inferred: Callable[[], Graph] | None = None,
) -> str:
    """The source graphs of *store* in the format *fmt*; with *ontology*, the ontology's
    graph, and with *inferred*, the inferred graph (the store's own if it keeps one, else
    what *inferred* gives). TriG and N-Quads keep one named graph per source."""
    names = store.graph_names()
    if inferred is None or INFERRED_GRAPH in names:
        wanted = [n for n in names if str(n).startswith(str(ZGS))]
        wanted += [ONTOLOGY_GRAPH] if ontology is not None else []
        wanted += [INFERRED_GRAPH] if inferred is not None else []
        text = store.dump(wanted, fmt)
        if text is not None:  # the store's own serializer (Oxigraph): fast at scale
            return text
    graphs: dict[URIRef, Graph] = {
        n: store.graph(n) for n in store.graph_names() if str(n).startswith(str(ZGS))
    }
    if ontology is not None:
        graphs[ONTOLOGY_GRAPH] = ontology
    if inferred is not None:
        graphs[INFERRED_GRAPH] = inferred()
    return serialize_graphs(graphs, fmt)
