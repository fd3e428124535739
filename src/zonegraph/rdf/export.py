"""Writing the graph out for other linked-data tools.

Turtle, N-Triples, RDF/XML and JSON-LD carry the union of the graphs (the
ontology and every source, plus the inferred triples on request); TriG and
N-Quads keep each source's named graph, so provenance survives the trip.
Turtle is written in the project's canonical layout, except from an Oxigraph
store, which writes every format but JSON-LD with its own serializers (the
same triples, much faster at scale; OxigraphStore.dump).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from .namespaces import PREFIXES, bind_prefixes
from .turtle_writer import to_turtle

EXPORT_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "xml")
QUAD_FORMATS = ("nquads", "trig")
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}
EXTENSIONS = {
    "turtle": "ttl",
    "ntriples": "nt",
    "nquads": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "xml": "rdf",
}


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context zonegraph writes with (``context.jsonld``, generated from the
    ontology by ``make docs``): the prefixes, and short keys for the vocabulary."""
    path = Path(__file__).resolve().parent.parent / "context.jsonld"
    if not path.exists():  # a checkout before `make docs`: the prefixes alone
        return dict(PREFIXES)
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["@context"]
    return context


def serialize_graphs(graphs: dict[URIRef, Graph], fmt: str) -> str:
    """Serialize named *graphs* in *fmt*; triple formats get their union."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    if fmt in QUAD_FORMATS:
        ds = Dataset()
        bind_prefixes(ds)
        for name in sorted(graphs):
            target = ds.graph(name)
            for t in graphs[name]:
                target.add(t)
        return ds.serialize(format=fmt)
    union = bind_prefixes(Graph())
    for g in graphs.values():
        for t in g:
            union.add(t)
    if fmt == "turtle":
        return to_turtle(union)
    if fmt == "jsonld":
        return union.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    return union.serialize(format={"ntriples": "nt"}.get(fmt, fmt))
