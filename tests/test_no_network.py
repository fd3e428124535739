"""zonegraph opens no URL and no file its input names: a server on loopback gets no request.

A small HTTP server on 127.0.0.1 counts every request it receives. Each case
of the hostile corpus (``tests/data/bad/`` files that name
``http://127.0.0.1:54321/``: SERVICE queries, owl:imports, SHACL-SPARQL with
SERVICE, plain or behind ``\\u`` escapes, a JSON-LD remote context) is pointed
at it and run; the server must count nothing.

The second line of defence is tested on its own: inside
:func:`zonegraph._guard.guarded`, rdflib and pySHACL are made to reach out
directly (the parsed-input checks bypassed) and the audit hook must refuse.
A control shows that the counter works: with ``--allow-network`` a SERVICE
query does reach the server.

These run on the memory store; ``tests/test_query_guard.py`` runs the query
cases on every store (embedded Oxigraph, Oxigraph and Virtuoso servers).
"""

from __future__ import annotations

import dataclasses
import urllib.request
from pathlib import Path

import pytest
import rdflib.plugins.sparql as rdflib_sparql
from click.testing import CliRunner
from rdflib import Dataset, Graph

from support import Counter
from test_bad_inputs import CASES, Case, _check, _copy_kg, _invoke
from zonegraph._guard import RefusedAccessError, guarded
from zonegraph.cli import main

SENTINEL = "127.0.0.1:54321"
EMPTY_RESULTS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


def test_the_counter_counts(counter: Counter, address: str) -> None:
    with urllib.request.urlopen(f"http://{address}/ping", timeout=5) as reply:
        assert reply.status == 200
    assert counter.requests == ["GET /ping"]


HOSTILE = [c for c in CASES if SENTINEL.encode() in c.path.read_bytes()]


def test_the_hostile_corpus_is_there() -> None:
    names = {c.path.name for c in HOSTILE}
    assert len(HOSTILE) >= 12
    assert {
        "query-service-escaped.rq",
        "imports-remote-ontology.ttl",
        "context-remote.jsonld",
    } <= names
    assert {"shapes-service.ttl", "shapes-service-escaped.ttl", "query-load-into.rq"} <= names


@pytest.mark.parametrize("case", HOSTILE, ids=[c.path.name for c in HOSTILE])
def test_hostile_input_sends_no_request(
    case: Case, counter: Counter, address: str, tmp_path: Path
) -> None:
    pointed = tmp_path / case.path.name
    pointed.write_bytes(case.path.read_bytes().replace(SENTINEL.encode(), address.encode()))
    live = dataclasses.replace(
        case, path=pointed, messages=[m.replace(SENTINEL, address) for m in case.messages]
    )
    kg = _copy_kg(tmp_path / "kg")
    if case.setup == "append-to-shapes":
        extra = b"\n".join(
            line for line in pointed.read_bytes().splitlines() if not line.startswith(b"#")
        )
        with (kg / "ontology" / "shapes.ttl").open("ab") as handle:
            handle.write(b"\n" + extra + b"\n")
    for command in live.commands:
        argv = live.argv(command)
        _check(live, _invoke(kg, argv), argv)
    assert counter.requests == [], f"{case.path.name} made zonegraph send {counter.requests}"


# -- the audit hook, with the parsed-input checks out of the way -------------------


def test_guard_refuses_a_service_call_rdflib_would_make(counter: Counter, address: str) -> None:
    query = f"SELECT * WHERE {{ SERVICE <http://{address}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(RefusedAccessError, match="refused"), guarded("the query"):
        list(Graph().query(query))
    assert counter.requests == []


def test_guard_refuses_a_url_given_to_rdflib_parse(counter: Counter, address: str) -> None:
    with pytest.raises(RefusedAccessError), guarded("parsing"):
        Graph().parse(f"http://{address}/data.ttl", format="turtle")
    assert counter.requests == []


def test_guard_refuses_a_jsonld_remote_context(counter: Counter, address: str) -> None:
    document = f'{{"@context": "http://{address}/context.jsonld", "@id": "http://a/b", "p": "x"}}'
    with pytest.raises(RefusedAccessError), guarded("parsing JSON-LD"):
        Graph().parse(data=document, format="json-ld")
    assert counter.requests == []


def test_guard_refuses_from_a_local_file_even_when_rdflib_would_load_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rdflib_sparql, "SPARQL_LOAD_GRAPHS", True)
    with pytest.raises(RefusedAccessError, match="reading the file /etc/passwd"), guarded("query"):
        list(Dataset().query("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"))


def test_guard_refuses_escaped_service_in_shacl_sparql(counter: Counter, address: str) -> None:
    """pySHACL's own SERVICE check is a regular expression: SERV\\u0049CE gets past it."""
    from zonegraph.validate.shacl import run_pyshacl

    shapes = Graph().parse(
        data=f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:s> a sh:NodeShape ; sh:targetNode <urn:n> ;
    sh:sparql [ sh:select \"\"\"SELECT $this WHERE {{
        SERV\\\\u0049CE <http://{address}/sparql> {{ $this ?p ?o }} }}\"\"\" ] .
""",
        format="turtle",
    )
    data = Graph().parse(data="<urn:n> <urn:p> <urn:o> .", format="turtle")
    with pytest.raises(RefusedAccessError), guarded("SHACL validation"):
        run_pyshacl(data, shapes)
    assert counter.requests == []


def test_guard_refuses_processes() -> None:
    import subprocess

    with pytest.raises(RefusedAccessError, match="starting a process"), guarded("test"):
        subprocess.run(["true"], check=False)


def test_guard_lets_modules_load_and_acts_only_inside_its_block(address: str) -> None:
    with guarded("test"):
        import json  # already loaded, and reading module files is allowed anyway

        assert json.loads("1") == 1
    with urllib.request.urlopen(f"http://{address}/after", timeout=5) as reply:
        assert reply.status == 200


def test_allow_network_opens_service_to_the_server(counter: Counter, address: str) -> None:
    """The control: the same SERVICE query does reach the server once allowed."""
    query = f"SELECT ?s WHERE {{ SERVICE <http://{address}/sparql> {{ ?s ?p ?o }} }}"
    refused = CliRunner().invoke(main, ["sparql", query])
    assert refused.exit_code == 2 and "SERVICE" in refused.stderr
    assert counter.requests == []
    allowed = CliRunner().invoke(main, ["--allow-network", "sparql", query])
    assert allowed.exit_code == 0, allowed.stdout + allowed.stderr
    assert len(counter.requests) == 1
