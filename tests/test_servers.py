"""The stores' own behaviour: the command line on them, the protocols, credentials, quirks.

test_stores.py checks that every store answers like memory; this file checks
what only the stores have: ``zonegraph --store … load`` and the other commands
in a real process, the Graph Store Protocol and the SPARQL Update paths,
credentials from the environment, that servers bind loopback only and stop
cleanly, results cut short by a server, and how parameters are bound into a
query text for a server.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import zonegraph
from optional_tools import reason as reason_for
from servers import (
    OxigraphServer,
    VirtuosoServer,
    oxigraph_binary,
    process_alive,
    virtuoso_binary,
)
from support import REPO, snapshot
from zonegraph._errors import QueryError, StoreError
from zonegraph.sparql.text import bind_values, where_group
from zonegraph.store.http import Credentials, credentials_from_env
from zonegraph.store.oxigraph import OxigraphStore
from zonegraph.store.sparql_server import SparqlStore

needs_virtuoso = pytest.mark.skipif(
    virtuoso_binary() is None,
    reason=reason_for("Virtuoso"),
)
needs_oxigraph_cli = pytest.mark.skipif(
    oxigraph_binary() is None, reason=reason_for("the oxigraph command")
)

ECOPARK = URIRef("https://w3id.org/zonegraph/id/sino-german-ecopark")
VALID = REPO / "tests" / "data" / "valid" / "company-in-park.ttl"
INVALID = REPO / "tests" / "data" / "invalid" / "company-located-in-person.ttl"


def zonegraph_cli(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zonegraph", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def sample_graph() -> Graph:
    """Triples that test the trip to a store and back: blank nodes, languages, numbers, dates."""
    g = Graph()
    b1, b2 = BNode(), BNode()
    xsd = "http://www.w3.org/2001/XMLSchema#"
    ex = "https://w3id.org/zonegraph/id/trip-"
    g.add((URIRef(ex + "a"), URIRef(ex + "p"), b1))
    g.add((b1, URIRef(ex + "p"), b2))
    g.add(
        (
            b2,
            URIRef(ex + "label"),
            Literal('quote " brace } backslash \\ line\nbreak', lang="en-GB"),
        )
    )
    g.add(
        (
            URIRef(ex + "a"),
            URIRef(ex + "value"),
            Literal("202.50", datatype=URIRef(xsd + "decimal")),
        )
    )
    g.add(
        (
            URIRef(ex + "a"),
            URIRef(ex + "date"),
            Literal("2018-06-10", datatype=URIRef(xsd + "date")),
        )
    )
    g.add((URIRef(ex + "a"), URIRef(ex + "year"), Literal("2011", datatype=URIRef(xsd + "gYear"))))
    g.add((URIRef(ex + "a"), URIRef(ex + "plain"), Literal("ünïcödé 中文")))
    for i in range(10):
        g.add((URIRef(ex + "a"), URIRef(ex + "n"), Literal(i)))
    return g


def same(a: Graph, b: Graph) -> bool:
    """Isomorphic, comparing decimals by value and language tags case-insensitively."""

    def canon(g: Graph) -> Graph:
        out = Graph()
        for s, p, o in g:
            if (
                isinstance(o, Literal)
                and o.datatype is not None
                and str(o.datatype).endswith("#decimal")
            ):
                o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=o.datatype)
            elif isinstance(o, Literal) and o.language:
                o = Literal(str(o), lang=o.language.lower())
            out.add((s, p, o))
        return out

    return isomorphic(canon(a), canon(b))


# -- servers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    if oxigraph_binary() is None:
        pytest.skip(reason_for("the oxigraph command"))
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    if virtuoso_binary() is None:
        pytest.skip(reason_for("Virtuoso"))
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    yield server
    server.stop()


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on *port* (Linux /proc/net/tcp*)."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, state = fields[1], fields[3]
            host, _, hexport = address.partition(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(host)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}


@pytest.mark.servers
@needs_oxigraph_cli
def test_oxigraph_server_listens_on_loopback_and_stops(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db")
    with server:
        assert server.process is not None
        pid = server.process.pid
        assert listening_addresses(server.port) <= LOOPBACK
        assert listening_addresses(server.port)
    assert not process_alive(pid)
    assert not listening_addresses(server.port)


@pytest.mark.servers
@needs_virtuoso
def test_virtuoso_listens_on_loopback_only(virtuoso: VirtuosoServer) -> None:
    for key in ("VIRTUOSO_HTTP_PORT", "VIRTUOSO_SQL_PORT"):
        port = int(virtuoso.env[key])
        assert listening_addresses(port), key
        assert listening_addresses(port) <= LOOPBACK, key
    ini = (virtuoso.folder / "virtuoso.ini").read_text()
    assert f"DirsAllowed          = ., {virtuoso.folder}" in ini


@pytest.mark.servers
@needs_virtuoso
def test_virtuoso_stops_cleanly(tmp_path: Path) -> None:
    server = VirtuosoServer(tmp_path / "v")
    server.start()
    pid, port = server.pid, int(server.env["VIRTUOSO_HTTP_PORT"])
    server.stop()
    assert not process_alive(pid)
    assert not listening_addresses(port)
    server.stop()  # twice is harmless


# -- the command line on a store --------------------------------------------------------


def _cli_round(store: list[str], kg_dir: Path, env: dict[str, str] | None = None) -> None:
    """load, then query / stats / validate / add on *store*, against the memory store."""
    kg = ["--kg", str(kg_dir)]
    done = zonegraph_cli(*kg, *store, "load", env=env)
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout
    for args in (["query", "reference-identifiers", "--format", "csv"], ["stats", "--json"]):
        ours = zonegraph_cli(*kg, *args)
        theirs = zonegraph_cli(*kg, *store, *args, env=env)
        assert theirs.returncode == ours.returncode == 0, theirs.stderr
        if args[0] == "stats":
            assert json.loads(theirs.stdout) == json.loads(ours.stdout)
        else:
            assert sorted(theirs.stdout.splitlines()) == sorted(ours.stdout.splitlines())
    for path in (VALID, INVALID):
        ours = zonegraph_cli(*kg, "validate", str(path), "--format", "json")
        theirs = zonegraph_cli(*kg, *store, "validate", str(path), "--format", "json", env=env)
        assert theirs.returncode == ours.returncode, theirs.stderr
        assert json.loads(theirs.stdout)["counts"] == json.loads(ours.stdout)["counts"]
    files = snapshot(kg_dir)
    refused = zonegraph_cli(*kg, *store, "add", str(INVALID), env=env)
    assert refused.returncode == 1, refused.stderr
    added = zonegraph_cli(*kg, *store, "add", str(VALID), env=env)
    assert added.returncode == 0, added.stderr
    assert "added to <https://w3id.org/zonegraph/source/test-valid-company>" in added.stderr
    assert snapshot(kg_dir) == files  # the store is the target, not kg/
    ask = "ASK { zgr:ecopark-robotics-company zg:locatedIn zgr:sino-german-ecopark }"
    found = zonegraph_cli(*kg, *store, "sparql", ask, env=env)
    assert found.stdout.strip() == "yes"
    missing = zonegraph_cli(*kg, "sparql", ask)
    assert missing.stdout.strip() == "no"


def test_cli_on_the_embedded_store(kg_dir: Path, tmp_path: Path) -> None:
    _cli_round(["--store", f"oxigraph:{tmp_path / 'db'}"], kg_dir)


@pytest.mark.servers
def test_cli_on_oxigraph_server(kg_dir: Path, oxigraph_server: OxigraphServer) -> None:
    store = [
        "--store",
        f"sparql:{oxigraph_server.query_url}",
        "--update-url",
        oxigraph_server.update_url,
        "--gsp-url",
        oxigraph_server.gsp_url,
    ]
    _cli_round(store, kg_dir)


@pytest.mark.servers
@needs_virtuoso
def test_cli_on_virtuoso_with_credentials_from_the_environment(
    kg_dir: Path, virtuoso: VirtuosoServer
) -> None:
    env = {"ZONEGRAPH_SPARQL_USER": virtuoso.user, "ZONEGRAPH_SPARQL_PASSWORD": virtuoso.password}
    _cli_round(["--store", f"sparql:{virtuoso.query_url}"], kg_dir, env=env)
    without = zonegraph_cli("--store", f"sparql:{virtuoso.query_url}", "stats")
    assert without.returncode == 2
    assert "401" in without.stderr and "ZONEGRAPH_SPARQL_USER" in without.stderr


def test_load_refuses_the_memory_store() -> None:
    done = zonegraph_cli("load")
    assert done.returncode == 2
    assert "--store" in done.stderr


def test_credentials_never_in_the_url() -> None:
    done = zonegraph_cli("--store", "sparql:http://user:secret@127.0.0.1:9/query", "stats")
    assert done.returncode == 2
    assert "ZONEGRAPH_SPARQL_USER" in done.stderr


def test_an_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = zonegraph_cli("--store", f"sparql:http://127.0.0.1:{port}/query", "stats")
    assert done.returncode == 2
    assert "cannot reach the SPARQL server" in done.stderr


def test_the_embedded_store_takes_one_writer(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "db")
    try:
        done = zonegraph_cli("--store", f"oxigraph:{tmp_path / 'db'}", "stats")
        assert done.returncode == 2
        assert "cannot open the Oxigraph store" in done.stderr
    finally:
        store.close()
    # closed, the folder is free for the next writer (load: the store is still empty, and a
    # read of an empty store is an error that says to load it)
    assert zonegraph_cli("--store", f"oxigraph:{tmp_path / 'db'}", "load").returncode == 0
    assert zonegraph_cli("--store", f"oxigraph:{tmp_path / 'db'}", "stats").returncode == 0


# -- protocol paths -------------------------------------------------------------------------

TRIP = URIRef("https://w3id.org/zonegraph/graph/test-trip")


@pytest.mark.servers
@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_oxigraph_server_round_trip(oxigraph_server: OxigraphServer, gsp: bool) -> None:
    store = SparqlStore(
        oxigraph_server.query_url,
        update_url=oxigraph_server.update_url,
        gsp_url=oxigraph_server.gsp_url if gsp else None,
    )
    store.insert_chunk = 3  # many requests; blank nodes must stay together
    g = sample_graph()
    store.replace_graphs({TRIP: g})
    assert same(store.graph(TRIP), g)
    store.replace_graphs({TRIP: g})
    assert len(store.graph(TRIP)) == len(g)
    store.replace_graphs({TRIP: Graph()})
    assert TRIP not in store.graph_names()
    assert len(store.graph(TRIP)) == 0


@pytest.mark.servers
@needs_virtuoso
@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_virtuoso_round_trip(virtuoso: VirtuosoServer, gsp: bool) -> None:
    store = SparqlStore(
        virtuoso.query_url,
        gsp_url=virtuoso.gsp_url if gsp else None,
        credentials=Credentials(virtuoso.user, virtuoso.password),
    )
    store.insert_chunk = 3
    g = sample_graph()
    store.replace_graphs({TRIP: g})
    assert same(store.graph(TRIP), g)
    store.replace_graphs({TRIP: Graph()})
    assert TRIP not in store.graph_names()


def test_embedded_round_trip(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "db")
    g = sample_graph()
    store.replace_graphs({TRIP: g})
    assert same(store.graph(TRIP), g)
    ground = Graph()
    for triple in g:
        if not any(isinstance(x, BNode) for x in triple):
            ground.add(triple)
    store.insert({TRIP: ground})  # the same triples again: a set, no duplicates
    assert len(store.graph(TRIP)) == len(g)
    store.insert({TRIP: g})  # blank nodes are new nodes each time (RDF semantics)
    assert len(store.graph(TRIP)) == len(g) + len(g) - len(ground)
    store.close()
    reopened = OxigraphStore(tmp_path / "db", read_only=True)
    assert len(reopened.graph(TRIP)) == len(g) + len(g) - len(ground)
    reopened.close()


@pytest.mark.servers
@needs_virtuoso
def test_virtuoso_results_cut_short_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso caps results at ResultSetMaxRows: a SELECT says so in a header, a CONSTRUCT
    does not; zonegraph refuses both rather than answer with part of the graph."""
    monkeypatch.setenv("VIRTUOSO_MAX_ROWS", "20")
    server = VirtuosoServer(tmp_path / "capped")
    server.start()
    try:
        store = SparqlStore(server.query_url, credentials=Credentials(server.user, server.password))
        big = Graph()
        for i in range(30):
            big.add((URIRef(f"{TRIP}/x{i}"), URIRef(f"{TRIP}/p"), Literal(i)))
        store.replace_graphs({TRIP: big})
        kg = zonegraph.open_kg(store=store)
        with pytest.raises(StoreError, match="ResultSetMaxRows"):
            kg.sparql("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
        with pytest.raises(StoreError, match=r"only \d+ of the 30"):
            store.graph(TRIP)
    finally:
        server.stop()


# -- credentials ---------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every POST with an empty SELECT result; asks for Basic auth when told to."""

    seen: ClassVar[list[str | None]] = []
    challenge: ClassVar[bool] = False

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization")
        type(self).seen.append(auth)
        if type(self).challenge and auth is None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Recorder", (_Recorder,), {"seen": [], "challenge": False})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_bearer_token_from_the_environment(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    creds = credentials_from_env({"ZONEGRAPH_SPARQL_TOKEN": "t0ken"})
    assert "t0ken" not in repr(creds)
    SparqlStore(url, credentials=creds).graph_names()
    assert handler.seen == ["Bearer t0ken"]


def test_basic_auth_up_front_or_on_challenge(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    env = {
        "ZONEGRAPH_SPARQL_USER": "ann",
        "ZONEGRAPH_SPARQL_PASSWORD": "s3cret",
        "ZONEGRAPH_SPARQL_AUTH": "basic",
    }
    creds = credentials_from_env(env)
    assert "s3cret" not in repr(creds)
    SparqlStore(url, credentials=creds).graph_names()
    assert handler.seen == ["Basic YW5uOnMzY3JldA=="]
    handler.seen.clear()
    handler.challenge = True
    env.pop("ZONEGRAPH_SPARQL_AUTH")
    SparqlStore(url, credentials=credentials_from_env(env)).graph_names()
    assert handler.seen == [None, "Basic YW5uOnMzY3JldA=="]


def test_no_credentials_no_header(recorder: tuple[str, type[_Recorder]]) -> None:
    url, handler = recorder
    SparqlStore(url, credentials=credentials_from_env({})).graph_names()
    assert handler.seen == [None]


# -- binding parameters into a query text -------------------------------------------------


def test_the_values_block_goes_into_the_where_group() -> None:
    text = """PREFIX ex: <http://example.org/>
# a comment { with a brace
CONSTRUCT { ?s ex:p "}" } WHERE { ?s ex:q ?o . FILTER(?o != "{") }"""
    at = where_group(text)
    assert at is not None and text[at:].startswith("{ ?s ex:q")
    bound = bind_values(text, {"o": Literal("x")})
    assert 'WHERE { VALUES (?o) { ("x") }' in bound
    assert where_group("DESCRIBE <http://example.org/x>") is None
    with pytest.raises(QueryError, match="short form"):
        bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": ECOPARK})


def test_nested_uses_are_replaced_by_the_term() -> None:
    text = """SELECT ?text ?n WHERE {
  { ?e ?p ?label . FILTER(CONTAINS(?label, ?text)) }
  OPTIONAL { ?e ?q ?text }
  { SELECT ?text (COUNT(*) AS ?n) WHERE { ?x ?y ?text } GROUP BY ?text }
}"""
    bound = bind_values(text, {"text": Literal("park")})
    # terms are written between spaces (so no neighbouring character can join them)
    flat = " ".join(bound.split())
    assert 'FILTER(CONTAINS(?label, "park" ))' in flat
    assert 'OPTIONAL { ?e ?q "park" }' in flat
    assert (
        'SELECT ("park" AS ?text) (COUNT(*) AS ?n) WHERE { ?x ?y "park" } GROUP BY ("park")' in flat
    )
    assert bound.startswith('SELECT ?text ?n WHERE { VALUES (?text) { ("park") }')


def test_only_the_innermost_projection_assigns_the_term() -> None:
    """Nested subqueries that each project the parameter: the innermost writes
    ``(term AS ?zone)``, the ones around it project ``?zone`` as it is (a second AS
    would be a syntax error), and the result means what the text means with the
    zone bound from outside (VALUES), on rdflib and Oxigraph alike."""
    import pyoxigraph as ox

    text = """PREFIX ex: <http://example.org/>
SELECT ?zone ?park WHERE {
  { SELECT DISTINCT ?zone ?park WHERE {
      { SELECT DISTINCT ?zone ?place WHERE { ?place ex:partOf* ?zone } }
      ?park ex:in ?place } }
}"""
    zone = URIRef("http://example.org/z")
    bound = bind_values(text, {"zone": zone})
    flat = " ".join(bound.split())
    assert flat.count("AS ?zone") == 1
    assert "SELECT DISTINCT ?zone ?park WHERE" in flat
    assert f"SELECT DISTINCT (<{zone}> AS ?zone) ?place" in flat
    data = """@prefix ex: <http://example.org/> .
ex:a ex:partOf ex:z . ex:p1 ex:in ex:a . ex:p2 ex:in ex:other . ex:p3 ex:in ex:z ."""
    graph = Graph().parse(data=data, format="turtle")
    outside = text.replace("WHERE {\n  {", f"WHERE {{ VALUES ?zone {{ <{zone}> }}\n  {{", 1)
    expected = {(zone, URIRef("http://example.org/p1")), (zone, URIRef("http://example.org/p3"))}
    assert {tuple(row) for row in graph.query(bound)} == expected  # type: ignore[arg-type]
    assert {tuple(row) for row in graph.query(outside)} == expected  # type: ignore[arg-type]
    store = ox.Store()
    store.load(data.encode(), format=ox.RdfFormat.TURTLE)
    rows = {(s["zone"].value, s["park"].value) for s in store.query(bound)}  # type: ignore[union-attr,index]
    assert rows == {(str(z), str(p)) for z, p in expected}
    # grouped by it: the subquery around the innermost groups by the variable itself
    # (GROUP BY (term) would leave the variable it projects ungrouped)
    grouped = """PREFIX ex: <http://example.org/>
SELECT ?zone ?n WHERE {
  { SELECT ?zone (COUNT(?park) AS ?n) WHERE {
      { SELECT ?zone ?park WHERE { ?park ex:in ?place . ?place ex:partOf* ?zone } }
    } GROUP BY ?zone }
}"""
    bound = bind_values(grouped, {"zone": zone})
    assert " ".join(bound.split()).count("GROUP BY ?zone") == 1
    assert [tuple(r) for r in graph.query(bound)] == [(zone, Literal(2))]  # type: ignore[arg-type]
    assert [s["n"].value for s in store.query(bound)] == ["2"]  # type: ignore[union-attr,index]


def test_a_parameter_the_query_assigns_is_refused() -> None:
    with pytest.raises(QueryError, match="assigns"):
        bind_values("SELECT ?x WHERE { BIND(1 AS ?x) }", {"x": Literal(2)})
    with pytest.raises(QueryError, match="blank node"):
        bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": BNode()})


@pytest.mark.parametrize(
    "text",
    ['"} UNION { ?s ?p ?o } #', "\\u0022 } #", 'a\\\\" b', "x'''y\"\"\"z", "line\rbreak\n", "\\"],
)
def test_a_literal_stays_one_literal(text: str) -> None:
    """Whatever its text, a literal parameter reaches rdflib and Oxigraph as that one literal."""
    import pyoxigraph as ox

    bound = bind_values("SELECT ?t WHERE { }", {"t": Literal(text)})
    assert [row[0] for row in Graph().query(bound)] == [Literal(text)]  # type: ignore[index]
    assert [s["t"].value for s in ox.Store().query(bound)] == [text]  # type: ignore[union-attr,index]


def test_an_iri_that_would_break_out_is_refused() -> None:
    with pytest.raises(StoreError, match="not an IRI"):
        bind_values(
            "SELECT ?x WHERE { ?x ?p ?o }", {"x": URIRef("http://example.org/a> } ; DROP ALL ; <b")}
        )


# -- what the stores fetch for validation ---------------------------------------------------


def test_validation_fetches_only_a_neighbourhood(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "db")
    kg = zonegraph.open_kg(store=store)
    from zonegraph._load import load

    load(kg)
    sources = [n for n in kg.graph_names() if "/source/" in str(n)]
    around = store.neighbourhood({ECOPARK}, sources, kg.vocabulary)
    assert 0 < len(around) < len(kg.data()) / 2
    assert all(isinstance(t[0], (URIRef, BNode)) for t in around)
    # what the park says about itself, and the class of the zone it is part of
    assert (
        ECOPARK,
        URIRef("https://w3id.org/zonegraph/ontology#partOf"),
        URIRef("https://w3id.org/zonegraph/id/qingdao-iecz"),
    ) in around
    store.close()


@pytest.mark.servers
@needs_oxigraph_cli
def test_a_sparql_union_store_names_no_graph_and_answers_the_same(tmp_path: Path) -> None:
    """``sparql-union:URL`` sends queries without a dataset to a server whose default graph
    is the union of its graphs: the same rows as rdflib, the same validation report; unlike
    ``sparql:URL`` it also sees a graph that is not zonegraph's (its documented price)."""
    from zonegraph._load import load
    from zonegraph.store.base import open_store

    with OxigraphServer(tmp_path / "db", union_default_graph=True) as server:
        writer = SparqlStore(server.query_url, update_url=server.update_url, gsp_url=server.gsp_url)
        named = zonegraph.open_kg(store=writer)
        load(named)
        union_store = open_store(f"sparql-union:{server.query_url}")
        assert isinstance(union_store, SparqlStore) and union_store.union_default_graph
        assert union_store.spec == f"sparql-union:{server.query_url}"
        union = zonegraph.open_kg(store=union_store)
        memory = zonegraph.open_kg()
        for name in ("parks-of-zone", "timeline", "people-and-roles", "post-holders"):
            got = union.query(name).rows
            assert got, name
            assert sorted(map(str, got)) == sorted(map(str, memory.query(name).rows)), name
        assert union.validate([VALID]).conforms
        assert not union.validate([INVALID]).conforms
        stray = Graph()
        stray.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("x")))
        writer.insert({URIRef("https://example.org/not-zonegraph"): stray})
        ask = "ASK { <https://example.org/s> <https://example.org/p> ?o }"
        assert union.sparql(ask).boolean is True
        assert named.sparql(ask).boolean is False


# -- where the engines differ ------------------------------------------------------------------


def test_comparing_a_string_with_a_number(tmp_path: Path) -> None:
    """SPARQL makes ``"abc" > 20000000`` an error that drops the row; Oxigraph does so,
    rdflib compares the string anyway (docs/scaling-out.md, FIELD-NOTES)."""
    text = 'SELECT ?x WHERE { VALUES ?x { "abc" "5" 3 } FILTER(?x > 20000000) }'
    store = OxigraphStore(tmp_path / "db")
    on_oxigraph = zonegraph.open_kg(store=store).sparql(text)
    assert on_oxigraph.rows == []
    on_rdflib = zonegraph.open_kg().sparql(text)
    assert {str(r["x"]) for r in on_rdflib.rows} <= {"abc", "5"}
    store.close()


@pytest.mark.servers
def test_default_dataset_is_zonegraph_graphs_only(oxigraph_server: OxigraphServer) -> None:
    """A graph outside https://w3id.org/zonegraph/ on the same server is never seen."""
    other = URIRef("http://example.org/someone-else")
    store = SparqlStore(oxigraph_server.query_url, update_url=oxigraph_server.update_url)
    store.replace_graphs({other: sample_graph()})
    try:
        assert other not in store.graph_names()
        kg = zonegraph.open_kg(store=store)
        ask = 'ASK { ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "https://w3id.org/zonegraph/id/trip-")) }'
        assert kg.sparql(ask).boolean is False
        with pytest.raises(QueryError):
            kg.sparql("SELECT * FROM <http://example.org/someone-else> WHERE { ?s ?p ?o }")
    finally:
        store.update(f"DROP SILENT GRAPH <{other}>")
