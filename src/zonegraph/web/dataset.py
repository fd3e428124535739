"""The dataset as linked-data clients look for it: its VoID description and the shapes.

- ``/.well-known/void`` (RFC 5785, VoID section 7.2) describes the dataset: its SPARQL
  endpoint, the URI space of its entities, the vocabularies it uses, its size, where to
  download it, one subset per source graph (with that source and its own dump) and one
  class partition per class. ``/id/`` and ``/source/`` (the namespaces themselves) point
  there for RDF clients.
- ``/shapes`` is the shapes graph (``ontology/shapes.ttl``): the IRIs that validation reports
  name as ``sh:sourceShape`` (``https://w3id.org/zonegraph/shapes#…``) resolve to it, in RDF
  by content negotiation, or as a page with one anchor per shape.

The counts are queries of the store (the default graph is the union of the source graphs,
so a triple two sources state is counted once), made once per state of the graph by the
caller, not per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..rdf.namespaces import DCT, PREFIXES, SH, ZGR, ZGSH, bind_prefixes, shorten

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

VOID = Namespace("http://rdfs.org/ns/void#")

#: Where the VoID description lives on every server (RFC 5785, VoID 7.2).
VOID_PATH = "/.well-known/void"


def count(kg: KnowledgeGraph, text: str) -> int:
    """The ``?n`` of a one-row COUNT query *text*, run on *kg*'s store."""
    rows = kg.sparql(text).rows
    n = rows[0].get("n") if rows else None
    return int(n.toPython()) if isinstance(n, Literal) else 0


def default_graph_size(kg: KnowledgeGraph) -> int:
    """The number of distinct triples of the default graph (the union of the named graphs),
    as a query of the endpoint counts them; ``len(kg)`` counts quads, so a triple stated by
    two sources is counted twice there."""
    return count(kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")


def void_description(kg: KnowledgeGraph, *, base_url: str) -> Graph:
    """The VoID description of the dataset *kg* serves at *base_url* (no trailing slash)."""
    g = bind_prefixes(Graph())
    g.bind("void", VOID)
    dataset = URIRef(f"{base_url}{VOID_PATH}#dataset")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCT.title, Literal("zonegraph", lang="en")))
    g.add(
        (
            dataset,
            DCT.description,
            Literal(
                "A sourced knowledge graph of international economic cooperation zones: "
                "every fact names the source that states it. The default graph is the union "
                "of one named graph per source and the ontology.",
                lang="en",
            ),
        )
    )
    g.add((dataset, VOID.sparqlEndpoint, URIRef(f"{base_url}/sparql")))
    g.add((dataset, VOID.uriSpace, Literal(str(ZGR))))
    g.add((dataset, VOID.uriRegexPattern, Literal(f"^{ZGR!s}[a-z0-9-]+$")))
    g.add((dataset, VOID.dataDump, URIRef(f"{base_url}/store?default")))
    g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/TriG")))
    g.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((dataset, VOID.triples, Literal(default_graph_size(kg))))
    for vocabulary in vocabularies(kg):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    example = _example(kg)
    if example is not None:
        g.add((dataset, VOID.exampleResource, example))
    stats = kg.stats()
    g.add((dataset, VOID.entities, Literal(stats.entities)))
    for cls, n in sorted(stats.classes.items()):
        partition = URIRef(f"{base_url}{VOID_PATH}#class-{quote(cls.replace(':', '-'))}")
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], _expand(cls)))
        g.add((partition, VOID.entities, Literal(n)))
    for name in kg.graph_names():
        subset = URIRef(f"{base_url}{VOID_PATH}#graph-{quote(str(name), safe='')}")
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCT.source, name))
        g.add((subset, VOID.triples, Literal(len(kg.store.graph(name)))))
        g.add(
            (subset, VOID.dataDump, URIRef(f"{base_url}/store?graph={quote(str(name), safe='')}"))
        )
    return g


def vocabularies(kg: KnowledgeGraph) -> list[str]:
    """The namespaces (of the project's prefixes) of the predicates and classes in use."""
    used: set[str] = set()
    for text in (
        "SELECT DISTINCT ?t WHERE { ?s ?t ?o }",
        "SELECT DISTINCT ?t WHERE { ?s a ?t }",
    ):
        used.update(str(row.get("t")) for row in kg.sparql(text).rows)
    return sorted(ns for ns in set(PREFIXES.values()) if any(t.startswith(ns) for t in used))


def _example(kg: KnowledgeGraph) -> URIRef | None:
    rows = kg.sparql(
        "SELECT ?e WHERE { ?e a zg:EconomicCooperationZone FILTER(isIRI(?e)) } ORDER BY ?e LIMIT 1"
    ).rows
    e = rows[0].get("e") if rows else None
    return e if isinstance(e, URIRef) else None


def _expand(short: str) -> URIRef:
    prefix, _, local = short.partition(":")
    return URIRef(PREFIXES[prefix] + local) if prefix in PREFIXES and local else URIRef(short)


@dataclass(frozen=True)
class ShapeEntry:
    """One shape on the shapes page."""

    anchor: str
    iri: str
    kind: str
    targets: list[str]
    path: str | None
    severity: str
    message: str | None
    description: str | None


def shape_entries(shapes: Graph) -> list[ShapeEntry]:
    """Every named node of *shapes* in the zonegraph shapes namespace (node and property
    shapes, SPARQL constraints and targets, prefix declarations), by name: each is an IRI a
    report or another shape may name, so each gets its anchor."""
    entries = []
    for shape in set(shapes.subjects()):
        if not (isinstance(shape, URIRef) and len(str(shape)) > len(str(ZGSH))):
            continue
        if not str(shape).startswith(str(ZGSH)):
            continue
        kind = _kind(shapes, shape)
        targets = [
            f"{shorten(str(p))} {_text(o)}"
            for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
            for o in shapes.objects(shape, p)
        ]
        if any(True for _ in shapes.objects(shape, SH.target)):
            targets.append("a SPARQL-based target")
        path = shapes.value(shape, SH.path)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        entries.append(
            ShapeEntry(
                anchor=str(shape)[len(str(ZGSH)) :],
                iri=str(shape),
                kind=kind,
                targets=targets,
                path=_text(path) if path is not None else None,
                severity=shorten(str(severity)).removeprefix("sh:"),
                message=_first(shapes, shape, SH.message),
                description=_first(shapes, shape, SH.description)
                or _first(shapes, shape, RDFS.comment),
            )
        )
    return sorted(entries, key=lambda e: e.anchor.casefold())


def _kind(shapes: Graph, shape: URIRef) -> str:
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return "node shape"
    if (shape, RDF.type, SH.PropertyShape) in shapes or (shape, SH.path, None) in shapes:
        return "property shape"
    if (shape, SH.select, None) in shapes or (shape, SH.ask, None) in shapes:
        return "SPARQL constraint or target"
    if (shape, SH.declare, None) in shapes:
        return "prefix declarations"
    return "shape"


def _first(g: Graph, s: Node, p: URIRef) -> str | None:
    values = sorted(str(o) for o in g.objects(s, p) if isinstance(o, Literal))
    return values[0] if values else None


def _text(node: Node) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, Literal) and node.datatype not in (None, XSD.string):
        return f'"{node}"^^{shorten(str(node.datatype))}'
    return str(node) if isinstance(node, Literal) else "a complex path"
