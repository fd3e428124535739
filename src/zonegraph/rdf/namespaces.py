"""Namespaces of zonegraph and the standard vocabularies it uses.

One table of prefixes serves the Turtle writer, the query catalogue, parameter
parsing and result rendering, so a prefixed name means the same everywhere.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef

ZG = Namespace("https://w3id.org/zonegraph/ontology#")
ZGR = Namespace("https://w3id.org/zonegraph/id/")
ZGS = Namespace("https://w3id.org/zonegraph/source/")
ZGSH = Namespace("https://w3id.org/zonegraph/shapes#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: The named graph holding the ontology.
ONTOLOGY_GRAPH = URIRef("https://w3id.org/zonegraph/ontology")
#: The named graph holding inferred triples, never mixed into source graphs.
INFERRED_GRAPH = URIRef("https://w3id.org/zonegraph/graph/inferred")

#: Every prefix zonegraph knows, in the order it writes them.
PREFIXES: dict[str, str] = {
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qudt": "http://qudt.org/schema/qudt/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "unit": "http://qudt.org/vocab/unit/",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "zg": str(ZG),
    "zgr": str(ZGR),
    "zgs": str(ZGS),
    "zgsh": str(ZGSH),
}

#: The namespaces whose terms the ontology must declare (closed vocabulary).
PROJECT_VOCABULARY = str(ZG)


def bind_prefixes(graph: Graph) -> Graph:
    """Bind zonegraph's prefixes on *graph* (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def expand_curie(text: str) -> URIRef | None:
    """Expand a prefixed name such as ``zgr:qingdao-iecz``; None if it is not one.

    >>> expand_curie("zgr:sino-german-ecopark")
    rdflib.term.URIRef('https://w3id.org/zonegraph/id/sino-german-ecopark')
    >>> expand_curie("Sino-German Ecopark") is None
    True
    """
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//") or " " in local:
        return None
    return URIRef(PREFIXES[prefix] + local)


def shorten(iri: str) -> str:
    """Write *iri* as a prefixed name when a known namespace covers it.

    >>> shorten("https://w3id.org/zonegraph/id/china")
    'zgr:china'
    >>> shorten("http://example.org/x")
    '<http://example.org/x>'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]) :]
        if _LOCAL_OK(local):
            return f"{best}:{local}"
    return f"<{iri}>"


def _LOCAL_OK(local: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?", local))
