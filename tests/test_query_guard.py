"""The query check sees exactly what every store runs (issue #20).

* Every hostile query of ``tests/data/bad/`` (SERVICE and FROM, plain and
  behind ``\\u`` escapes that rdflib and Oxigraph decode differently) runs with
  ``zonegraph --store SPEC sparql --file`` on every store: memory, an embedded
  Oxigraph store, an Oxigraph server through ``sparql:`` and ``sparql-union:``,
  and Virtuoso. Each must end in exit code 2 with the case's message (and its
  line:column), and a counting server on loopback, which the cases name, must
  receive no request, from zonegraph or from the server behind it. The same
  queries sent to ``zonegraph serve`` on an Oxigraph server get 400 and send
  nothing either.
* A request cannot change a canned query for everyone: the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` with a canned query's own text
  leave ``/api/queries/parks-of-zone`` answering its 6 rows.
* ``SELECT *`` lists its columns in the order the variables first appear in
  the text, on every store and in fresh processes with different hash seeds.
* ``WITH <source> INSERT { … } WHERE { … }`` is accepted as an update;
  ``WITH`` a graph that is not a source is refused, with a message.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import zonegraph
from optional_tools import reason as reason_for
from serverkit import TOKEN, copy_kg, running_server
from servers import OxigraphServer, VirtuosoServer, oxigraph_binary, virtuoso_binary
from support import Counter
from test_bad_inputs import CASES, Case
from test_no_network import SENTINEL
from zonegraph._load import load
from zonegraph.cli import main
from zonegraph.store.base import Store
from zonegraph.store.http import Credentials
from zonegraph.store.oxigraph import OxigraphStore
from zonegraph.store.sparql_server import SparqlStore

#: The query cases of the corpus that name the counting server.
QUERIES = [
    c
    for c in CASES
    if c.path.suffix == ".rq"
    and c.command.startswith("sparql")
    and SENTINEL.encode() in c.path.read_bytes()
]

needs_oxigraph_cli = pytest.mark.skipif(
    oxigraph_binary() is None, reason=reason_for("the oxigraph command")
)
needs_virtuoso = pytest.mark.skipif(
    virtuoso_binary() is None,
    reason=reason_for("Virtuoso"),
)

STORES = [
    pytest.param("memory", id="memory"),
    pytest.param("oxigraph", id="oxigraph"),
    pytest.param("sparql", id="oxigraph-server", marks=[pytest.mark.servers, needs_oxigraph_cli]),
    pytest.param(
        "sparql-union", id="oxigraph-server-union", marks=[pytest.mark.servers, needs_oxigraph_cli]
    ),
    pytest.param("virtuoso", id="virtuoso", marks=[pytest.mark.servers, needs_virtuoso]),
]


class Target:
    """A store loaded with the shipped graph, as the command line names it."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.server: OxigraphServer | VirtuosoServer | None = None
        self.env: dict[str, str] = {}
        self.spec: str | None = None
        if kind == "memory":
            return
        if kind == "oxigraph":
            self.spec = f"oxigraph:{tmp / 'oxigraph'}"
            store = OxigraphStore(tmp / "oxigraph")
            load(zonegraph.open_kg(store=store))
            store.close()  # the command opens the folder itself
            return
        if kind in ("sparql", "sparql-union"):
            # One server serves both: zonegraph names its graphs with sparql:, and relies on
            # the server's union default graph with sparql-union:.
            self.server = OxigraphServer(tmp / "oxigraph-server", union_default_graph=True)
            self.server.start()
            load(
                zonegraph.open_kg(
                    store=SparqlStore(
                        self.server.query_url,
                        update_url=self.server.update_url,
                        gsp_url=self.server.gsp_url,
                    )
                )
            )
            self.spec = f"{kind}:{self.server.query_url}"
            return
        assert kind == "virtuoso"
        self.server = VirtuosoServer(tmp / "virtuoso")
        self.server.start()
        creds = Credentials(VirtuosoServer.user, VirtuosoServer.password)
        load(zonegraph.open_kg(store=SparqlStore(self.server.query_url, credentials=creds)))
        self.spec = f"sparql:{self.server.query_url}"
        self.env = {
            "ZONEGRAPH_SPARQL_USER": VirtuosoServer.user,
            "ZONEGRAPH_SPARQL_PASSWORD": VirtuosoServer.password,
        }

    @property
    def engine(self) -> str:
        """The engine that runs the queries: ``rdflib`` (the memory store with
        ZONEGRAPH_MEMORY_ENGINE=rdflib), ``oxigraph`` (the default memory store and the
        Oxigraph store) or ``server``."""
        if self.kind == "memory":
            return "rdflib" if os.environ.get("ZONEGRAPH_MEMORY_ENGINE") == "rdflib" else "oxigraph"
        return "oxigraph" if self.kind == "oxigraph" else "server"

    def argv(self, *args: str) -> list[str]:
        return (["--store", self.spec] if self.spec else []) + list(args)

    def invoke(self, *args: str) -> Result:
        """``zonegraph [--store SPEC] ARGS`` in this process."""
        # The command leaves closing the store to the end of its process; here an error's
        # traceback can keep the last one (and its folder lock) until the cycle is collected.
        gc.collect()
        return CliRunner(env=self.env).invoke(main, self.argv(*args))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


_targets: dict[str, Target] = {}


@pytest.fixture(scope="module", params=STORES)
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Target:
    kind = request.param
    if kind in ("sparql", "sparql-union") and "sparql" in _targets:
        return _share(_targets["sparql"], kind)
    t = Target(kind, tmp_path_factory.mktemp(kind))
    _targets[kind] = t

    def stop() -> None:
        t.stop()
        _targets.pop(kind, None)

    request.addfinalizer(stop)
    return t


def _share(base: Target, kind: str) -> Target:
    """The Oxigraph server of *base*, named as *kind* (sparql: or sparql-union:)."""
    shared = Target.__new__(Target)
    shared.kind, shared.server, shared.env = kind, None, base.env
    assert isinstance(base.server, OxigraphServer)
    shared.spec = f"{kind}:{base.server.query_url}"
    return shared


def _pointed(case: Case, address: str, tmp: Path) -> tuple[Path, list[str]]:
    """The case's file, its sentinel replaced by the counting server's address."""
    path = tmp / case.path.name
    path.write_bytes(case.path.read_bytes().replace(SENTINEL.encode(), address.encode()))
    messages = [m.replace("{file}", str(path)).replace(SENTINEL, address) for m in case.messages]
    return path, messages


# -- hostile queries on every store --------------------------------------------------


def test_the_new_cases_are_there() -> None:
    names = {c.path.name for c in QUERIES}
    assert {
        "query-service-escaped-quote.rq",
        "query-service-escaped-quote-long.rq",
        "query-service-escaped-apostrophe.rq",
        "query-service-short-upper-escape.rq",
        "query-service-double-escape.rq",
        "query-service-escaped-iri-end.rq",
        "query-service-escaped-in-iri.rq",
        "query-service-escaped-prefixed-name.rq",
        "query-service-escaped-newline-comment.rq",
        "query-from-escaped-iri.rq",
        "query-service.rq",
        "query-service-escaped.rq",
        "query-service-in-nested-exists.rq",
    } <= names


@pytest.mark.parametrize("case", QUERIES, ids=[c.path.name for c in QUERIES])
def test_hostile_query_is_refused_on_every_store(
    target: Target, case: Case, counter: Counter, address: str, tmp_path: Path
) -> None:
    path, messages = _pointed(case, address, tmp_path)
    result = target.invoke("sparql", "--file", str(path))
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code == 2, output
    for message in messages:
        assert message in result.stderr, f"{message!r} not in {result.stderr!r}"
    assert "hint:" in result.stderr
    assert counter.requests == [], f"{case.path.name} on {target.kind}: {counter.requests}"


def test_the_original_report_sends_nothing_through_the_server(
    target: Target, counter: Counter, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The query of the report, sent to ``zonegraph serve`` on each store: 400, no request."""
    for key, value in target.env.items():  # the workers read credentials from the environment
        monkeypatch.setenv(key, value)
    query = (
        'SELECT * WHERE { BIND("\\u0022" AS ?a) '
        f"SERVICE <http://{address}/x> {{ ?s ?p ?o }} "
        'BIND("\\u0022" AS ?b) }'
    )
    store: Store | None = None
    if target.spec is not None and not target.spec.startswith("oxigraph:"):
        kind, _, url = target.spec.partition(":")
        store = SparqlStore(url, union_default_graph=kind == "sparql-union")  # creds: env
    elif target.spec is not None:  # the workers open the folder read-only
        gc.collect()  # let go of a store an earlier command left open
        store = OxigraphStore(target.spec.partition(":")[2])
    kg = zonegraph.open_kg(store=store)
    with running_server(kg, workers=1) as srv:
        for text in (query, query.replace("\\u0022", "\\U00000022")):
            body = urllib.parse.urlencode({"query": text}).encode()
            request = urllib.request.Request(
                f"{srv.url}/sparql",
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            assert refused.value.code == 400
            assert "decoded to a quote" in refused.value.read().decode()
    assert counter.requests == []


def test_engine_errors_end_in_exit_2(target: Target) -> None:
    """Whatever an engine raises on a query (pyoxigraph: a RuntimeError for a function it does
    not know) is a message and exit code 2, never a traceback; rdflib leaves ?x unbound."""
    query = "SELECT * WHERE { BIND(<http://example.org/unknown-function>(1) AS ?x) }"
    result = target.invoke("sparql", query)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    if target.engine == "rdflib":
        assert result.exit_code == 0, output
        return
    assert result.exit_code == 2, output
    assert result.stderr.startswith("error:")
    if target.engine == "oxigraph":
        assert "the query failed in Oxigraph: The custom function" in result.stderr


LT_COMMENT = """# summary: A parameter after a '<' that the tokenizer takes for an IRI's start.
# param: ?x iri zg:Place = zgr:qingdao-iecz
#   Any place.
# returns: ?c
#   Whether ?a is less than ?b.
# example: zonegraph query lt-comment

SELECT ((?a<?b)AS?c)#>)) {
WHERE { ?s ?p ?x }
"""


def test_a_binding_place_the_engine_reads_otherwise_is_refused(
    target: Target, tmp_path: Path
) -> None:
    """Parameters are written into the text for every engine but rdflib's, at places found by
    zonegraph's tokenizer; ``<?b)AS?c)#>`` reads to it as an IRI, to SPARQL as ``< ?b``
    and a comment, so the VALUES block would land in the comment (the old code dropped
    the binding and answered 18 rows on Oxigraph). The check proves each place and refuses."""
    root = copy_kg(tmp_path / "kg")
    (root / "queries" / "lt-comment.rq").write_text(LT_COMMENT, encoding="utf-8")
    result = target.invoke("--kg", str(root), "query", "lt-comment")
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    if target.engine == "rdflib":  # bound as RDF terms (initBindings): no text is written
        assert result.exit_code == 0, output
        return
    assert result.exit_code == 2, output
    assert "parameters cannot be bound in its text safely" in result.stderr
    assert "hint:" in result.stderr


# -- SELECT * --------------------------------------------------------------------------

STAR = (
    "SELECT * WHERE { ?park zg:partOf ?zone . ?park rdfs:label ?name . "
    "OPTIONAL { ?park zg:partnerCountry ?country } BIND(STR(?name) AS ?text) }"
)
STAR_COLUMNS = "park,zone,name,country,text"


def _header(output: str) -> str:
    return output.splitlines()[0].strip()


def test_select_star_columns_in_text_order(target: Target) -> None:
    result = target.invoke("sparql", STAR, "--format", "csv")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _header(result.stdout) == STAR_COLUMNS
    assert len(result.stdout.splitlines()) > 1


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_select_star_columns_stable_across_processes(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Fresh processes, different hash seeds: the same columns every time (rdflib's order
    followed the hash of the variables; Oxigraph's is alphabetical)."""
    spec: list[str] = []
    if kind == "oxigraph":
        folder = tmp_path_factory.mktemp("star") / "oxigraph"
        store = OxigraphStore(folder)
        load(zonegraph.open_kg(store=store))
        store.close()
        spec = ["--store", f"oxigraph:{folder}"]
    headers = set()
    for seed in ("0", "1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, "-m", "zonegraph", *spec, "sparql", STAR, "--format", "csv"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        headers.add(_header(done.stdout))
    assert headers == {STAR_COLUMNS}


# -- a request cannot change a canned query ----------------------------------------------


def _get_json(url: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        data = json.loads(reply.read())
    assert isinstance(data, dict)
    return data


def test_protocol_graphs_do_not_change_a_canned_query(kg: zonegraph.KnowledgeGraph) -> None:
    canned = kg.catalogue.get("parks-of-zone")
    source = str(kg.graph_names()[-1])
    normal = kg.query("parks-of-zone")
    assert len(normal.rows) > 6  # every park of the graph's China
    with running_server(kg, workers=1, reserved_workers=0) as srv:
        before = _get_json(f"{srv.url}/api/queries/parks-of-zone")
        assert len(before["results"]["bindings"]) == len(normal.rows)  # type: ignore[index]
        for graphs in (
            {"named-graph-uri": source},
            {"default-graph-uri": source},
            {"named-graph-uri": source, "default-graph-uri": source},
        ):
            for _ in range(3):
                query = urllib.parse.urlencode({"query": canned.text, **graphs})
                _get_json(f"{srv.url}/sparql?{query}")
        after = _get_json(f"{srv.url}/api/queries/parks-of-zone")
        assert after == before
        unknown = urllib.parse.urlencode(
            {"query": canned.text, "named-graph-uri": "http://example.org/elsewhere"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get_json(f"{srv.url}/sparql?{unknown}")
        assert refused.value.code == 400
        assert "named-graph-uri=http://example.org/elsewhere" in refused.value.read().decode()
        assert _get_json(f"{srv.url}/api/queries/parks-of-zone") == before


# -- WITH in updates ------------------------------------------------------------------------


def _update(url: str, text: str) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{url}/sparql",
        data=text.encode(),
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {TOKEN}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_with_a_source_graph_is_allowed_and_other_graphs_refused(tmp_path: Path) -> None:
    root = copy_kg(tmp_path / "kg")
    kg = zonegraph.open_kg(root)
    source = "https://w3id.org/zonegraph/source/chinadaily-2018-06-10"
    with running_server(kg, allow_updates=True, token=TOKEN) as srv:
        status, body = _update(
            srv.url,
            f"PREFIX zg: <https://w3id.org/zonegraph/ontology#>\n"
            f"WITH <{source}> DELETE {{ ?park zg:partOf ?zone }} "
            f"INSERT {{ ?park zg:partOf ?zone }} "
            f"WHERE {{ ?park zg:partOf ?zone }}",
        )
        assert status < 300, body
        status, body = _update(
            srv.url,
            "WITH <http://example.org/elsewhere> INSERT { <urn:a> <urn:b> <urn:c> } WHERE { }",
        )
        assert status == 400, body
        assert "WITH <http://example.org/elsewhere> is refused" in body
        assert "source" in body
