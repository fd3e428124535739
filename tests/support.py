"""Helpers shared by the tests (importable as ``support``: pytest puts tests/ on the path)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

#: The numeric datatypes whose literals stores other than rdflib's give in canonical form.
NUMERIC = {
    str(XSD) + t
    for t in ("decimal", "integer", "double", "float", "int", "long", "nonNegativeInteger")
}


def canonical(graph: Graph) -> Graph:
    """*graph* with every literal in a canonical form, numbers by value: what Oxigraph
    (the default memory store's engine) gives back for ``"202.0"^^xsd:decimal`` is ``"202"``."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in NUMERIC:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=o.datatype)
        elif isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        out.add((s, p, o))
    return out


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under kg/ of *root*, byte for byte."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "kg").glob("*.ttl"))}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``zonegraph`` command in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "zonegraph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


#: The prefixes of the small fact files the tests write.
FACT_PREFIXES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .
"""

#: One shape only, for tests where each ``add`` must be fast (crashes, concurrency).
LIGHT_SHAPES = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .

<urn:zonegraph:test:labelled> a sh:NodeShape ;
    sh:targetClass zg:Company ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .
"""


def source_description(slug: str, title: str) -> str:
    """Turtle describing a made-up news article ``zgs:<slug>`` (no prefixes)."""
    return f"""
zgs:{slug} a zg:NewsArticle ;
    rdfs:label "{title}"@en ;
    dct:title "{title}"@en ;
    dct:publisher zgr:china-daily ;
    dct:issued "2019-01-02"^^xsd:date ;
    schema:url "https://example.org/{slug}"^^xsd:anyURI .
"""


def company(slug: str, label: str, source: str, cls: str = "zg:Company") -> str:
    """Turtle of a made-up company in the Sino-German Ecopark, stated by ``zgs:<source>``."""
    return f"""
zgr:{slug} a {cls} ;
    rdfs:label "{label}"@en ;
    zg:locatedIn zgr:sino-german-ecopark ;
    dct:source zgs:{source} .
"""


def new_source_with_company(source: str, title: str, company_slug: str, label: str) -> str:
    """A whole fact file: a new source and one company it states."""
    return FACT_PREFIXES + source_description(source, title) + company(company_slug, label, source)


# The sources of the shipped graph (kg/<slug>.ttl; each also names its graph).
_ZGS = "https://w3id.org/zonegraph/source/"
ARTICLE = URIRef(_ZGS + "chinadaily-2018-06-10")
WIKIDATA = URIRef(_ZGS + "wikidata")
MSAMCONF = URIRef(_ZGS + "msamconf-2022-brief-introduction")
# The sources added by issue #8 (the README walks through adding imsilkroad-2018-04-25).
PEOPLECN = URIRef(_ZGS + "peoplecn-2011-12-09")
CRI_GERMAN = URIRef(_ZGS + "cri-german-2011-09-16")
ECNS = URIRef(_ZGS + "ecns-2014-08-04")
CRI = URIRef(_ZGS + "cri-2017-11-20")
SGEP = URIRef(_ZGS + "sgep-2018-01-31")
IMSILKROAD = URIRef(_ZGS + "imsilkroad-2018-04-25")
IECZ = URIRef(_ZGS + "iecz-2018-12")
SIEMENS = URIRef(_ZGS + "siemens-2018")
IHK = URIRef(_ZGS + "ihk-nuernberg-2015-02")
#: The sources of the founding Qingdao graph. Tests that enumerate a whole-graph
#: answer keep to the rows these sources give, so that the sources added for the
#: other parks of issue #18 leave those answers as they are; the new parks'
#: answers are asserted in tests of their own (tests/test_parks_germany_korea.py).
QINGDAO_SOURCES = frozenset(
    {
        ARTICLE,
        WIKIDATA,
        MSAMCONF,
        PEOPLECN,
        CRI_GERMAN,
        ECNS,
        CRI,
        SGEP,
        IMSILKROAD,
        IECZ,
        SIEMENS,
        IHK,
    }
)


#: What the loopback counter answers: an empty SPARQL result.
EMPTY_RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


class Counter(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records every request it receives: what a test
    points hostile input at, to show that zonegraph sends nothing (fixture ``counter``)."""

    daemon_threads = True
    requests: list[str]


class _CounterHandler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        server = self.server
        assert isinstance(server, Counter)
        server.requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
        self.end_headers()
        self.wfile.write(EMPTY_RESULTS)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def counting_server() -> Iterator[Counter]:
    """A :class:`Counter` serving in a thread until the block ends."""
    counter = Counter(("127.0.0.1", 0), _CounterHandler)
    counter.requests = []
    thread = threading.Thread(target=counter.serve_forever, daemon=True)
    thread.start()
    try:
        yield counter
    finally:
        counter.shutdown()
        counter.server_close()


#: The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4).
OWL2_DATATYPES = {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    OWL.real,
    OWL.rational,
    *(
        XSD[t]
        for t in (
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    ),
}
