"""What linked-data clients find on the server: entity documents in every format, the
service description's counts, the VoID description, IRIs that resolve (shapes, the
ontology's version IRI, the namespaces), and the short CONSTRUCT form.

Each fixes a defect found by trying the server with independent clients (issue #19):
Comunica got no rows from an entity's N-Quads document, the service description counted
quads as the default graph's triples, there was no VoID, and those IRIs answered 404.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

import zonegraph
from serverkit import Running, copy_kg, running_server
from zonegraph.web.links import local_path

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCT = Namespace("http://purl.org/dc/terms/")
ECOPARK = "https://w3id.org/zonegraph/id/sino-german-ecopark"
INTEROP = Path(__file__).resolve().parent / "interop"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-linked-data"))
    with running_server(zonegraph.open_kg(root)) as running:
        yield running


@pytest.fixture(scope="module")
def http(srv: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=60) as client:
        yield client


def endpoint_count(http: httpx.Client) -> int:
    r = http.get("/sparql", params={"query": COUNT})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_an_entity_document_in_quads_holds_its_triples_in_the_default_graph(
    http: httpx.Client,
) -> None:
    turtle = Graph().parse(
        data=http.get("/id/sino-german-ecopark", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    for media, fmt in (("application/n-quads", "nquads"), ("application/trig", "trig")):
        r = http.get("/id/sino-german-ecopark", headers={"Accept": media})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        ds = Dataset().parse(data=r.text, format=fmt)
        default = ds.graph(DATASET_DEFAULT_GRAPH_ID)
        assert set(default) == set(turtle), fmt
        named = {g.identifier for g in ds.graphs() if len(g) and g.identifier != default.identifier}
        assert URIRef("https://w3id.org/zonegraph/source/chinadaily-2018-06-10") in named


def test_comunica_finds_the_entity_by_dereferencing_its_url(srv: Running) -> None:
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "@comunica" / "query-sparql").exists():
        pytest.skip(
            "Comunica (node and tests/interop/node_modules) is not installed; "
            "run bash .ci/install-interop"
        )
    out = subprocess.run(
        [
            node,
            str(INTEROP / "query-url.mjs"),
            f"{srv.url}/id/sino-german-ecopark",
            "SELECT * WHERE { ?s ?p ?o }",
        ],
        capture_output=True,
        text=True,
        cwd=INTEROP,
        timeout=120,
        check=True,
    )
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer.get("rows", 0) > 20, answer


def test_the_service_description_counts_the_default_graph_as_the_endpoint_does(
    http: httpx.Client, srv: Running
) -> None:
    g = Graph().parse(data=http.get("/sparql", headers={"Accept": "text/turtle"}).text)
    defaults = list(g.objects(None, SD.defaultGraph))
    assert len(defaults) == 1
    assert g.value(defaults[0], VOID.triples) == Literal(endpoint_count(http))
    assert endpoint_count(http) < len(srv.kg)  # quads: some triples are stated twice


def test_void_describes_the_dataset(http: httpx.Client, srv: Running) -> None:
    r = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    (dataset,) = [d for d in g.subjects(RDF.type, VOID.Dataset) if g.value(d, VOID.sparqlEndpoint)]
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{srv.url}/sparql")
    assert g.value(dataset, VOID.uriSpace) == Literal("https://w3id.org/zonegraph/id/")
    assert g.value(dataset, VOID.triples) == Literal(endpoint_count(http))
    vocabularies = set(g.objects(dataset, VOID.vocabulary))
    assert URIRef("https://w3id.org/zonegraph/ontology#") in vocabularies
    assert URIRef("http://purl.org/dc/terms/") in vocabularies
    sources = {g.value(s, DCT.source) for s in g.objects(dataset, VOID.subset)}
    assert sources == set(srv.kg.graph_names())
    classes = {g.value(p, VOID["class"]) for p in g.objects(dataset, VOID.classPartition)}
    assert URIRef("https://w3id.org/zonegraph/ontology#CooperationPark") in classes
    dump = str(g.value(dataset, VOID.dataDump)).removeprefix(srv.url)
    union = Graph().parse(data=http.get(dump, headers={"Accept": "text/turtle"}).text)
    assert len(union) == endpoint_count(http)
    rapper = shutil.which("rapper")
    if rapper:  # an independent parser reads it too
        done = subprocess.run(
            [rapper, "-i", "turtle", "-c", "-", f"{srv.url}/"],
            input=r.text,
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"returned {len(g)} triples" in done.stderr


@pytest.mark.parametrize("path", ["/id/", "/source/"])
def test_the_namespaces_point_to_the_dataset(http: httpx.Client, path: str) -> None:
    rdf = http.get(path, headers={"Accept": "text/turtle"})
    assert rdf.status_code == 303 and rdf.headers["location"] == "/.well-known/void"
    page = http.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"].startswith("/")


def test_the_ontology_version_iri_resolves_to_the_ontology(
    http: httpx.Client, srv: Running
) -> None:
    from rdflib import OWL

    version = srv.kg.ontology.value(URIRef("https://w3id.org/zonegraph/ontology"), OWL.versionIRI)
    path = local_path(str(version))
    assert path is not None and path.startswith("/ontology/")
    r = http.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef("https://w3id.org/zonegraph/ontology"), OWL.versionIRI, version) in g
    assert http.get(path, headers={"Accept": "text/html"}).status_code == 200


def test_every_shape_named_in_a_report_resolves(http: httpx.Client, srv: Running) -> None:
    report = srv.kg.check()
    named = {str(r.source_shape) for r in report.results} if hasattr(report, "results") else set()
    shapes = {
        str(s)
        for s in srv.kg.shapes.subjects()
        if str(s).startswith("https://w3id.org/zonegraph/shapes#")
    }
    assert named <= shapes
    page = http.get("/shapes", headers={"Accept": "text/html"}).text
    for shape in shapes:
        path = local_path(shape)
        assert path is not None and path.startswith("/shapes#")
        assert f'id="{path.removeprefix("/shapes#")}"' in page, shape
    g = Graph().parse(data=http.get("/shapes.ttl").text, format="turtle")
    assert len(g) == len(srv.kg.shapes)


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT WHERE { ?s zg:partOf ?o } LIMIT 2",
        "CONSTRUCT WHERE { ?s zg:partOf ?o } ORDER BY ?s OFFSET 1 LIMIT 1",
        "CONSTRUCT WHERE { ?s zg:partOf ?o }",
    ],
)
def test_the_short_construct_form_runs_with_modifiers(
    http: httpx.Client, srv: Running, query: str
) -> None:
    everything = srv.kg.sparql("CONSTRUCT WHERE { ?s zg:partOf ?o }").graph
    assert everything is not None and len(everything) >= 2
    ours = srv.kg.sparql(query).graph
    assert ours is not None and 0 < len(ours) <= len(everything)
    assert set(ours) <= set(everything)
    r = http.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    theirs = set(Graph().parse(data=r.text, format="turtle"))
    assert theirs <= set(everything) and len(theirs) == len(ours)
    if "ORDER BY" in query or "LIMIT" not in query:  # otherwise any such triples will do
        assert theirs == set(ours)
