"""The server's protocols, over real HTTP: SPARQL 1.1 Protocol, Graph Store reads and
writes, the canned-query API and its OpenAPI document, limits, CORS and updates.

Each server runs on a copy of the KG directory, on a free loopback port.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef

import zonegraph
from serverkit import TOKEN, Running, copy_kg, running_server, snapshot
from support import FACT_PREFIXES, run_cli

ZGS = "https://w3id.org/zonegraph/source/"
CHINADAILY = ZGS + "chinadaily-2018-06-10"
WIKIDATA = ZGS + "wikidata"
ONTOLOGY = "https://w3id.org/zonegraph/ontology"
COUNT_CLASSES = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
PARKS = "SELECT ?park WHERE { ?park a zg:CooperationPark } ORDER BY ?park"
CONSTRUCT = "CONSTRUCT { ?p ?q ?o } WHERE { ?p a zg:CooperationPark ; ?q ?o }"
COUNTRIES = "SELECT DISTINCT ?c WHERE { ?c a zg:Country }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-read"))
    with running_server(zonegraph.open_kg(root)) as running:
        yield running


@pytest.fixture(scope="module")
def http(srv: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        yield client


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# -- SPARQL 1.1 Protocol: queries ------------------------------------------------


def test_select_by_get_answers_json_by_default(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": PARKS})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.headers["vary"] == "Accept"
    parks = [b["park"] for b in bindings(r)]
    assert "https://w3id.org/zonegraph/id/sino-german-ecopark" in parks
    assert r.json()["head"]["vars"] == ["park"]


def test_select_by_post_form_and_by_post_direct(http: httpx.Client, srv: Running) -> None:
    by_get = bindings(http.get("/sparql", params={"query": PARKS}))
    by_form = bindings(http.post("/sparql", data={"query": PARKS}))
    by_direct = bindings(
        http.post("/sparql", content=PARKS, headers={"Content-Type": "application/sparql-query"})
    )
    assert by_get == by_form == by_direct
    assert [b["park"] for b in by_get] == srv.kg.sparql(PARKS).values("park")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ],
)
def test_select_results_by_content_negotiation(
    http: httpx.Client, srv: Running, accept: str, media_type: str
) -> None:
    r = http.get("/sparql", params={"query": COUNT_CLASSES}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    if "json" in media_type:
        rows = [(b["c"]["value"], int(b["n"]["value"])) for b in r.json()["results"]["bindings"]]
    elif "xml" in media_type:
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        results = ET.fromstring(r.content).findall("s:results/s:result", ns)
        rows = [
            (
                res.find("s:binding[@name='c']/s:uri", ns).text,
                int(res.find("s:binding[@name='n']/s:literal", ns).text),
            )  # type: ignore[union-attr,arg-type]
            for res in results
        ]
    elif media_type == "text/csv":
        reader = list(csv.reader(io.StringIO(r.text)))
        assert reader[0] == ["c", "n"]
        rows = [(c, int(n)) for c, n in reader[1:]]
    else:
        lines = r.text.splitlines()
        assert lines[0] == "?c\t?n"
        rows = [
            (c.strip("<>"), int(n.split("^^")[0].strip('"')))
            for c, n in (line.split("\t") for line in lines[1:])
        ]
    assert rows == srv.kg.sparql(COUNT_CLASSES).tuples()
    assert (
        "https://w3id.org/zonegraph/ontology#Country",
        len(srv.kg.sparql(COUNTRIES).rows),
    ) in rows


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_in_every_results_format(http: httpx.Client, fmt: str) -> None:
    r = http.get(
        "/sparql",
        params={"query": "ASK { zgr:sino-german-ecopark a zg:CooperationPark }", "format": fmt},
    )
    assert r.status_code == 200
    assert "true" in r.text


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
    ],
)
def test_construct_and_describe_by_content_negotiation(
    http: httpx.Client, accept: str, rdflib_format: str
) -> None:
    expected = None
    for query in (CONSTRUCT, "DESCRIBE zgr:sino-german-ecopark"):
        r = http.post("/sparql", data={"query": query}, headers={"Accept": accept})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == accept
        g = Dataset(default_union=True) if rdflib_format == "trig" else Graph()
        g.parse(data=r.text, format=rdflib_format)
        assert (URIRef("https://w3id.org/zonegraph/id/sino-german-ecopark"), None, None) in g
        if expected is None:
            expected = len(g)
            assert expected > 20


def test_unsupported_accept_is_406(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": PARKS}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    # a SELECT has no Turtle form
    assert (
        http.get("/sparql", params={"query": PARKS}, headers={"Accept": "text/turtle"}).status_code
        == 406
    )
    assert (
        http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}).status_code
        == 406
    )


def test_a_bad_query_is_400_with_the_parser_message(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT ?x WHERE { ?x a }"})
    assert r.status_code == 400
    assert "SPARQL syntax error" in r.text
    assert "query:1:" in r.text


def test_bad_requests(http: httpx.Client) -> None:
    assert (
        http.post("/sparql", content="x", headers={"Content-Type": "text/plain"}).status_code == 415
    )
    assert http.get("/sparql", params=[("query", PARKS), ("query", PARKS)]).status_code == 400
    assert http.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 400
    assert http.post("/sparql", data={"query": PARKS, "update": "CLEAR ALL"}).status_code == 400


def test_service_and_foreign_from_are_refused(http: httpx.Client) -> None:
    r = http.get(
        "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}
    )
    assert r.status_code == 400
    assert "SERVICE" in r.text
    r = http.get("/sparql", params={"query": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"})
    assert r.status_code == 400
    assert "never fetches" in r.text
    r = http.get("/sparql", params={"query": f"SELECT * FROM <{WIKIDATA}> {{ ?s ?p ?o }}"})
    assert r.status_code == 200


def test_default_graph_uri_and_named_graph_uri_choose_the_dataset(
    http: httpx.Client, srv: Running
) -> None:
    _the_protocol_chooses_the_dataset(http, srv)


def test_the_protocol_dataset_on_the_oxigraph_store(tmp_path: Path) -> None:
    """On a store that runs query text (Oxigraph here; a SPARQL server alike), the
    protocol's graphs go in as the text's FROM clauses: the same answers as in memory."""
    from zonegraph._load import load
    from zonegraph.store.oxigraph import OxigraphStore

    kg = zonegraph.open_kg(copy_kg(tmp_path / "kg"), store=OxigraphStore(tmp_path / "db"))
    load(kg)
    with running_server(kg, workers=1) as running, httpx.Client(base_url=running.url) as client:
        _the_protocol_chooses_the_dataset(client, running)
        bad = client.get("/sparql", params={"query": "ASK {}", "named-graph-uri": "http://a b"})
        assert bad.status_code == 400 and "named-graph-uri='http://a b' is not an IRI" in bad.text


def _the_protocol_chooses_the_dataset(http: httpx.Client, srv: Running) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    only_wikidata = bindings(
        http.get("/sparql", params={"query": count, "default-graph-uri": WIKIDATA})
    )
    assert int(only_wikidata[0]["n"]) == len(srv.kg.store.graph(URIRef(WIKIDATA)))
    graphs = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    named = bindings(
        http.post("/sparql", data={"query": graphs, "named-graph-uri": [WIKIDATA, CHINADAILY]})
    )
    assert [b["g"] for b in named] == [CHINADAILY, WIKIDATA]
    # the protocol's graphs take precedence over the query's FROM
    with_from = f"SELECT (COUNT(*) AS ?n) FROM <{CHINADAILY}> {{ ?s ?p ?o }}"
    overridden = bindings(
        http.get("/sparql", params={"query": with_from, "default-graph-uri": WIKIDATA})
    )
    assert overridden == only_wikidata
    assert (
        http.get(
            "/sparql", params={"query": count, "default-graph-uri": "http://example.org/g"}
        ).status_code
        == 400
    )


def test_bare_get_is_the_service_description(http: httpx.Client, srv: Running) -> None:
    r = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(f"{srv.url}/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in g
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) not in g
    names = set(g.objects(None, URIRef(sd + "name")))
    assert URIRef(CHINADAILY) in names and URIRef(ONTOLOGY) in names
    browser = http.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["location"] == "/query"


# -- Graph Store Protocol: reads --------------------------------------------------


def test_graph_store_reads_the_default_graph(http: httpx.Client, srv: Running) -> None:
    r = http.get("/store?default", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    union = Graph().parse(data=r.text, format="turtle")
    assert len(union) == len(srv.kg.store.union())
    trig = Dataset().parse(
        data=http.get("/store?default", headers={"Accept": "application/trig"}).text, format="trig"
    )
    assert {str(g.identifier) for g in trig.graphs() if len(g)} >= {CHINADAILY, WIKIDATA, ONTOLOGY}


@pytest.mark.parametrize("graph", [CHINADAILY, WIKIDATA, ONTOLOGY])
def test_graph_store_reads_each_named_graph(http: httpx.Client, srv: Running, graph: str) -> None:
    r = http.get("/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(Graph().parse(data=r.text, format="nt")) == len(srv.kg.store.graph(URIRef(graph)))
    head = http.head("/store", params={"graph": graph})
    assert head.status_code == 200 and head.content == b""


def test_graph_store_errors(http: httpx.Client) -> None:
    assert http.get("/store", params={"graph": ZGS + "nothing"}).status_code == 404
    assert http.get("/store").status_code == 400
    assert http.get("/store", params={"graph": WIKIDATA, "default": ""}).status_code == 400
    assert http.get("/store?default", headers={"Accept": "text/csv"}).status_code == 406


def test_the_server_is_read_only_by_default(http: httpx.Client, srv: Running) -> None:
    before = snapshot(srv.kg.layout.root)
    r = http.post(
        "/sparql",
        data={"update": f"INSERT DATA {{ GRAPH <{CHINADAILY}> {{ zgr:x rdfs:label 'x' }} }}"},
    )
    assert r.status_code == 403
    assert "read-only" in r.text
    for method in ("PUT", "POST", "DELETE"):
        r = http.request(
            method,
            "/store",
            params={"graph": CHINADAILY},
            content=b"",
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 403
    assert snapshot(srv.kg.layout.root) == before


# -- the canned queries as a REST API -------------------------------------------------


def test_catalogue_lists_every_canned_query(http: httpx.Client, srv: Running) -> None:
    data = http.get("/api/queries").json()
    names = [q["name"] for q in data["queries"]]
    assert names == [q.name for q in srv.kg.queries()]
    parks = next(q for q in data["queries"] if q["name"] == "parks-of-zone")
    (zone,) = parks["parameters"]
    assert zone["name"] == "zone" and zone["default"] == "zgr:china"
    assert {
        "value": "zgr:qingdao-iecz",
        "label": "Qingdao International Economic Cooperation Zone",
    } in zone["choices"]
    assert data["prefixes"]["zgr"] == "https://w3id.org/zonegraph/id/"


def test_canned_query_answers_in_the_format_asked(http: httpx.Client) -> None:
    rows = bindings(http.get("/api/queries/parks-of-zone", params={"zone": "zgr:qingdao-iecz"}))
    assert {r["parkLabel"] for r in rows} >= {
        "Sino-German Ecopark",
        "China-Britain Innovation Industry Park",
    }
    by_label = bindings(
        http.get(
            "/api/queries/parks-of-zone",
            params={"zone": "Qingdao International Economic Cooperation Zone"},
        )
    )
    assert by_label == rows
    r = http.get("/api/queries/parks-of-zone", headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0].startswith("zone,park,parkLabel")
    r = http.get("/api/queries/parks-of-zone", params={"format": "tsv"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = http.get("/api/queries/parks-of-zone", params={"format": "xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")


def test_canned_query_errors_are_json(http: httpx.Client) -> None:
    r = http.get("/api/queries/park-of-zone")
    assert r.status_code == 404
    assert "parks-of-zone" in r.json()["hint"]
    r = http.get("/api/queries/parks-of-zone", params={"zone": "Atlantis"})
    assert r.status_code == 400
    assert "Atlantis" in r.json()["error"]
    r = http.get("/api/queries/parks-of-zone", params={"nation": "Germany"})
    assert r.status_code == 400
    assert (
        http.get("/api/queries/parks-of-zone", headers={"Accept": "image/png"}).status_code == 406
    )


def test_openapi_document_describes_every_canned_query(http: httpx.Client, srv: Running) -> None:
    doc = http.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for q in srv.kg.queries():
        op = doc["paths"][f"/api/queries/{q.name}"]["get"]
        assert op["summary"] == q.summary
        assert {p["name"] for p in op["parameters"]} == {p.name for p in q.params} | {
            "format",
            "limit",
            "offset",
            "total",
        }
        assert "text/csv" in op["responses"]["200"]["content"]
    assert {"/sparql", "/store", "/api/queries"} <= set(doc["paths"])
    assert len(
        {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    ) == sum(len(path) for path in doc["paths"].values())


def test_security_headers_and_no_cors_by_default(http: httpx.Client) -> None:
    r = http.get("/", headers={"Origin": "https://example.org"})
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in r.headers


# -- limits and the killable workers --------------------------------------------------


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-limited"))
    with running_server(
        zonegraph.open_kg(root),
        timeout=2.0,
        max_rows=5,
        max_body=2000,
        workers=2,
        cors_origins=("https://example.org",),
    ) as running:
        yield running


def test_a_runaway_query_is_stopped_while_the_server_keeps_answering(limited: Running) -> None:
    pool = limited.server.pool
    pids = set(pool.pids)
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        with httpx.Client(base_url=limited.url, timeout=60) as c:
            outcome["response"] = c.get("/sparql", params={"query": RUNAWAY})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # the runaway now holds one of the two workers
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        for _ in range(3):
            started = time.monotonic()
            r = c.get("/sparql", params={"query": "ASK { ?s a zg:CooperationPark }"})
            assert r.status_code == 200 and r.json()["boolean"] is True
            assert c.get("/id/sino-german-ecopark").status_code == 200
            assert time.monotonic() - started < 1.5
        assert thread.is_alive(), "the runaway query should still be running"
    thread.join(timeout=30)
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503
    assert "longer than the limit of 2 s" in response.text
    assert 1.9 < float(outcome["seconds"]) < 6  # type: ignore[arg-type]
    killed = pids & set(pool.killed)
    assert len(killed) == 1
    (pid,) = killed
    deadline = time.monotonic() + 10
    while len(pool.pids) < 3 and time.monotonic() < deadline:  # 2 workers and 1 reserved
        time.sleep(0.1)
    assert len(pool.pids) == 3 and pid not in pool.pids
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_a_result_over_the_row_limit_is_refused(limited: Running) -> None:
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        r = c.get("/sparql", params={"query": "SELECT ?s { ?s a ?c }"})
        assert r.status_code == 500
        assert "more than 5 rows" in r.text
        assert (
            c.get("/sparql", params={"query": "SELECT ?s { ?s a ?c } LIMIT 5"}).status_code == 200
        )
        assert c.get("/api/queries/zone-key-figures").status_code == 500
        r = c.post("/sparql", data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert r.status_code == 500


def test_a_body_over_the_limit_is_413(limited: Running) -> None:
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        big = PARKS + " #" + "x" * 3000
        r = c.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is checked while reading
            for _ in range(10):
                yield b"# " + b"x" * 500 + b"\n"

        r = c.post(
            "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
        )
        assert r.status_code == 413


def test_cors_when_configured(limited: Running) -> None:
    with httpx.Client(base_url=limited.url, timeout=10) as c:
        r = c.get("/api/queries", headers={"Origin": "https://example.org"})
        assert r.headers["access-control-allow-origin"] == "https://example.org"
        pre = c.options(
            "/sparql",
            headers={
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert pre.status_code == 200
        assert "POST" in pre.headers["access-control-allow-methods"]
        other = c.get("/api/queries", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# -- updates: only with the option and the token, validated first -----------------------

VALID_SOURCE = (
    "# A web page, made up for the server's tests.\n"
    + FACT_PREFIXES
    + """
zgs:test-server-page a zg:WebPage ;
    rdfs:label "Test page: a company of the Sino-German Ecopark"@en ;
    dct:title "A company of the Sino-German Ecopark"@en ;
    dct:publisher zgr:iecz-management-committee ;
    dct:issued "2020-01-15"^^xsd:date ;
    schema:url "https://example.org/ecopark/company"^^xsd:anyURI ;
    dct:language "en" .

zgr:test-server-company a zg:Company ;
    rdfs:label "Test Server Robotics Company"@en ;
    zg:locatedIn zgr:sino-german-ecopark ;
    zg:quotation "Test Server Robotics Company is located in the Sino-German Ecopark." ;
    dct:source zgs:test-server-page .
"""
)

INVALID_INSERT = f"""INSERT DATA {{ GRAPH <{CHINADAILY}> {{
  zgr:test-bogus-park a zg:CooperationPark ; zg:partOf zgr:han-lu ; dct:source <{CHINADAILY}> .
}} }}"""

ALT_LABEL = 'zgr:sino-german-ecopark skos:altLabel "Ecopark (written by the tests)"@en'
VALID_INSERT = f"""INSERT DATA {{ GRAPH <{CHINADAILY}> {{
  {ALT_LABEL} .
}} }}"""
# every source's English name of the park: the shapes need one
DROP_LABELS = """DELETE { GRAPH ?g { zgr:sino-german-ecopark rdfs:label ?label } }
WHERE { GRAPH ?g { zgr:sino-german-ecopark rdfs:label ?label } }"""


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[Running]:
    root = copy_kg(tmp_path / "kg-write")
    with running_server(zonegraph.open_kg(root), allow_updates=True, token=TOKEN) as running:
        yield running


def _ask(c: httpx.Client, pattern: str) -> bool:
    r = c.get("/sparql", params={"query": f"ASK {{ {pattern} }}"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_updates_need_the_token(writable: Running) -> None:
    root = writable.kg.layout.root
    before = snapshot(root)
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        r = c.post("/sparql", data={"update": VALID_INSERT})
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = c.post(
            "/sparql", data={"update": VALID_INSERT}, headers={"Authorization": "Bearer wrong"}
        )
        assert r.status_code == 401
        r = c.put(
            "/store",
            params={"graph": CHINADAILY},
            content=b"",
            headers={"Content-Type": "text/turtle"},
        )
        assert r.status_code == 401
        assert not _ask(c, ALT_LABEL)
        sd = Graph().parse(
            data=c.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle"
        )
        update = URIRef("http://www.w3.org/ns/sparql-service-description#SPARQL11Update")
        assert (None, None, update) in sd
    assert snapshot(root) == before


def test_a_valid_sparql_update_is_applied_to_the_graph_and_the_kg_file(writable: Running) -> None:
    root = writable.kg.layout.root
    before = snapshot(root)
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        r = c.post("/sparql", data={"update": VALID_INSERT}, headers=AUTH)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["applied"] and body["conforms"]
        assert body["changes"] == {CHINADAILY: {"added": 1, "removed": 0}}
        assert body["written"] == ["kg/chinadaily-2018-06-10.ttl"]
        assert _ask(c, ALT_LABEL)
        # and it is gone again after a DELETE DATA
        delete = VALID_INSERT.replace("INSERT DATA", "DELETE DATA")
        r = c.post(
            "/sparql", content=delete, headers={**AUTH, "Content-Type": "application/sparql-update"}
        )
        assert r.status_code == 200, r.text
        assert not _ask(c, ALT_LABEL)
    after = snapshot(root)
    assert after == before  # the file is back to its canonical bytes
    reopened = zonegraph.open_kg(root)
    assert len(reopened) == len(writable.kg)


def test_an_update_that_breaks_the_shapes_is_rejected_and_changes_nothing(
    writable: Running,
) -> None:
    root = writable.kg.layout.root
    before = snapshot(root)
    triples = len(writable.kg)
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        r = c.post("/sparql", data={"update": INVALID_INSERT}, headers=AUTH)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["applied"] is False and body["conforms"] is False
        messages = [res for res in body["report"]["results"] if res["severity"] == "Violation"]
        assert {res["focusNode"] for res in messages} == {
            "https://w3id.org/zonegraph/id/test-bogus-park"
        }
        assert not _ask(c, "zgr:test-bogus-park ?p ?o")
        # removing a required fact is refused the same way
        # (and the report comes as the text of `zonegraph validate` when asked so)
        r = c.post(
            "/sparql", headers={**AUTH, "Accept": "text/plain"}, data={"update": DROP_LABELS}
        )
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("text/plain")
        assert "Does not conform" in r.text and "zgr:sino-german-ecopark rdfs:label" in r.text
        assert _ask(c, 'zgr:sino-german-ecopark rdfs:label "Sino-German Ecopark"@en')
    assert snapshot(root) == before
    assert len(writable.kg) == triples


def test_an_update_computed_before_a_cli_add_is_refused_and_the_add_kept(
    writable: Running, tmp_path: Path
) -> None:
    root = writable.kg.layout.root
    facts = tmp_path / "facts.ttl"
    facts.write_text(VALID_SOURCE)
    added = run_cli("--kg", str(root), "add", str(facts))  # another process, while serving
    assert added.returncode == 0, added.stderr
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        r = c.post("/sparql", data={"update": VALID_INSERT}, headers=AUTH)
        assert r.status_code == 409, r.text  # it ran on the graph as the server had read it
        assert "again" in r.text
        assert (root / "kg" / "test-server-page.ttl").exists()
        r = c.post("/sparql", data={"update": VALID_INSERT}, headers=AUTH)  # sent again
        assert r.status_code == 200, r.text
        assert _ask(c, ALT_LABEL)
        assert _ask(c, "zgr:test-server-company a zg:Company")
    reopened = zonegraph.open_kg(root)
    assert reopened.exists(URIRef("https://w3id.org/zonegraph/id/test-server-company"))


def test_a_graph_store_put_that_breaks_the_shapes_is_rejected_and_changes_nothing(
    writable: Running,
) -> None:
    root = writable.kg.layout.root
    before = snapshot(root)
    broken = VALID_SOURCE.replace('    rdfs:label "Test Server Robotics Company"@en ;\n', "")
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        r = c.put(
            "/store",
            params={"graph": "https://w3id.org/zonegraph/source/test-server-page"},
            content=broken.encode(),
            headers={**AUTH, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 422, r.text
        assert not _ask(c, "zgr:test-server-company ?p ?o")
    assert snapshot(root) == before


def test_updates_outside_a_source_graph_are_refused(writable: Running) -> None:
    root = writable.kg.layout.root
    before = snapshot(root)
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        default = c.post(
            "/sparql", data={"update": "INSERT DATA { zgr:x rdfs:label 'x'@en }"}, headers=AUTH
        )
        assert default.status_code == 400 and "GRAPH" in default.text
        onto = c.post(
            "/sparql",
            headers=AUTH,
            data={"update": f"INSERT DATA {{ GRAPH <{ONTOLOGY}> {{ zg:X a owl:Class }} }}"},
        )
        assert onto.status_code == 403
        load = c.post("/sparql", data={"update": "LOAD <file:///etc/passwd>"}, headers=AUTH)
        assert load.status_code == 400 and "LOAD" in load.text
        bad = c.post("/sparql", data={"update": "INSERT DATA { GRAPH <x> "}, headers=AUTH)
        assert bad.status_code == 400 and "syntax error" in bad.text
    assert snapshot(root) == before


def test_graph_store_writes(writable: Running) -> None:
    root = writable.kg.layout.root
    page = ZGS + "test-server-page"
    with httpx.Client(base_url=writable.url, timeout=30) as c:
        turtle = {**AUTH, "Content-Type": "text/turtle"}
        # POST = zonegraph add: the facts go to their source's file
        r = c.post("/store?default", content=VALID_SOURCE.encode(), headers=turtle)
        assert r.status_code == 200, r.text
        assert r.json()["written"] == ["kg/test-server-page.ttl"]
        assert (
            (root / "kg" / "test-server-page.ttl").read_text().startswith("# A web page, made up")
        )
        assert _ask(c, "zgr:test-server-company zg:locatedIn zgr:sino-german-ecopark")
        assert c.get("/store", params={"graph": page}).status_code == 200
        # POST to a graph the facts do not cite is refused
        r = c.post(
            "/store", params={"graph": CHINADAILY}, content=VALID_SOURCE.encode(), headers=turtle
        )
        assert r.status_code == 400
        # PUT replaces the graph (here: without the company); a new graph is created
        without_company = VALID_SOURCE.split("zgr:test-server-company")[0]
        r = c.put(
            "/store", params={"graph": page}, content=without_company.encode(), headers=turtle
        )
        assert r.status_code == 200, r.text
        assert not _ask(c, "zgr:test-server-company ?p ?o")
        other = ZGS + "test-server-copy"
        r = c.put(
            "/store",
            params={"graph": other},
            content=without_company.replace("test-server-page", "test-server-copy").encode(),
            headers=turtle,
        )
        assert r.status_code == 201, r.text
        assert (root / "kg" / "test-server-copy.ttl").exists()
        # DELETE drops the graph and its file
        r = c.delete("/store", params={"graph": other}, headers=AUTH)
        assert r.status_code == 200, r.text
        assert not (root / "kg" / "test-server-copy.ttl").exists()
        assert c.get("/store", params={"graph": other}).status_code == 404
        assert c.delete("/store", params={"graph": other}, headers=AUTH).status_code == 404
        # bodies must be Turtle, and a syntax error names its place
        assert (
            c.put(
                "/store",
                params={"graph": page},
                content=b"{}",
                headers={**AUTH, "Content-Type": "application/ld+json"},
            ).status_code
            == 415
        )
        r = c.put("/store", params={"graph": page}, content=b"<a> <b> .", headers=turtle)
        assert r.status_code == 400 and "request body" in r.text
        assert c.put("/store?default", content=b"", headers=turtle).status_code == 405
    reopened = zonegraph.open_kg(root)
    assert URIRef(page) in reopened.graph_names()
    assert URIRef(ZGS + "test-server-copy") not in reopened.graph_names()


# -- the command ------------------------------------------------------------------------


def test_zonegraph_serve_command(tmp_path: Path) -> None:
    root = copy_kg(tmp_path / "kg")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ZONEGRAPH_TOKEN": ""}
    refused = subprocess.run(
        [sys.executable, "-m", "zonegraph", "--kg", str(root), "serve", "--allow-updates"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert refused.returncode == 2 and "token" in refused.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "zonegraph", "--kg", str(root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.json() == {
            "status": "ok",
            "triples": len(zonegraph.open_kg(root)),
            "workers": 3,  # --workers 2, and 1 reserved for canned queries
            "updates": False,
        }
        assert json.loads(httpx.get(f"http://127.0.0.1:{port}/api/queries", timeout=5).text)[
            "queries"
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-one-worker"))
    with running_server(
        zonegraph.open_kg(root), timeout=2.0, workers=1, queue_timeout=1.0
    ) as running:
        yield running


def test_when_every_worker_is_busy_the_answer_is_503_with_retry_after(one_worker: Running) -> None:
    results: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=one_worker.url, timeout=60) as c:
            results.append(c.get("/sparql", params={"query": RUNAWAY}))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.2)
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 3
    assert all(r.status_code == 503 for r in results)
    busy = [r for r in results if "every query worker is busy" in r.text]
    assert busy, [r.text for r in results]
    assert all(r.headers.get("retry-after") == "2" for r in busy)  # the time limit
    # the server keeps serving once a worker is free again
    with httpx.Client(base_url=one_worker.url, timeout=30) as c:
        deadline = time.monotonic() + 20
        while True:
            r = c.get("/sparql", params={"query": "ASK { ?s a zg:CooperationPark }"})
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.fixture(scope="module")
def small_memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-small-memory"))
    with running_server(
        zonegraph.open_kg(root),
        timeout=120.0,
        workers=1,
        worker_memory=600 * 1024**2,
        max_rows=10**9,
    ) as running:
        yield running


def test_a_query_over_the_worker_memory_cap_is_stopped_and_the_server_keeps_serving(
    small_memory: Running,
) -> None:
    # every pair of triples, sorted: millions of solutions held at once
    hog = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    with httpx.Client(base_url=small_memory.url, timeout=150) as c:
        r = c.get("/sparql", params={"query": hog})
        assert r.status_code == 500
        assert "more memory than a query may use" in r.text
        ok = c.get("/sparql", params={"query": "ASK { ?s a zg:CooperationPark }"})
        assert ok.status_code == 200 and ok.json()["boolean"] is True
