"""One write path: no input can name where it is written, through any entry point.

A source's IRI decides the file its facts go to (``kg/<slug>.ttl``), so the slug
must match ``[a-z0-9][a-z0-9-]*`` and the file lie inside ``kg/``. Each hostile
name below is tried through the command line, the Python API, a SPARQL Update
and the Graph Store Protocol; each is refused (exit code 2, HTTP 400) and no
file anywhere under the KG directory changes. At ca467ab the first one merged
its triples, ``sh:deactivated true`` among them, into ``ontology/shapes.ttl``.

Also here: ``--store oxigraph:DIR serve`` with the default worker count serves
queries and applies a validated update; an unchanged draft adds nothing and says
so; an installed package refuses to write into itself.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import zonegraph
import zonegraph.store
from serverkit import TOKEN, copy_kg, running_server
from support import FACT_PREFIXES, REPO, run_cli

ZGS = "https://w3id.org/zonegraph/source/"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

#: Source IRIs that must never become a path (after the zgs: namespace).
HOSTILE_SLUGS = [
    "../ontology/shapes",
    "../ontology/zonegraph",
    "../../../../tmp/zonegraph-escape",
    "sub/dir",
    "Upper-Case",
    "dots.in.name",
    "-leading-dash",
    "%2e%2e/ontology/shapes",
    "",
]


def everything(root: Path) -> dict[str, bytes]:
    """Every file under *root* (ontology, kg, queries), byte for byte."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def facts_of(slug: str) -> str:
    """A fact file whose one source is zgs:<slug>, with a triple that would switch shapes off."""
    return (
        FACT_PREFIXES
        + f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix zgsh: <https://w3id.org/zonegraph/shapes#> .

<{ZGS}{slug}> a zg:NewsArticle ;
    rdfs:label "A made-up article"@en ;
    dct:title "A made-up article"@en ;
    dct:publisher zgr:china-daily ;
    dct:issued "2019-01-02"^^xsd:date ;
    schema:url "https://example.org/made-up"^^xsd:anyURI .

zgsh:TypedNode sh:deactivated true ;
    dct:source <{ZGS}{slug}> .
"""
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_kg(tmp_path / "kg")


@pytest.mark.parametrize("slug", HOSTILE_SLUGS)
def test_a_hostile_source_name_is_refused_by_the_command(
    slug: str, root: Path, tmp_path: Path
) -> None:
    before = everything(root)
    draft = tmp_path / "draft.ttl"
    draft.write_text(facts_of(slug), encoding="utf-8")
    done = run_cli("--kg", str(root), "add", str(draft))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "hint:" in done.stderr
    assert everything(root) == before
    assert not Path("/tmp/zonegraph-escape.ttl").exists()


@pytest.mark.parametrize("slug", HOSTILE_SLUGS)
def test_a_hostile_source_name_is_refused_by_the_library(
    slug: str, root: Path, tmp_path: Path
) -> None:
    before = everything(root)
    draft = tmp_path / "draft.ttl"
    draft.write_text(facts_of(slug), encoding="utf-8")
    with pytest.raises(zonegraph.SourceError):
        zonegraph.open_kg(root).add([draft])
    assert everything(root) == before


@pytest.fixture(scope="module")
def server_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_kg(tmp_path_factory.mktemp("kg-write"))


@pytest.fixture(scope="module")
def server(server_root: Path) -> Iterator[httpx.Client]:
    kg = zonegraph.open_kg(server_root)
    with (
        running_server(kg, allow_updates=True, token=TOKEN, workers=1) as running,
        httpx.Client(base_url=running.url, timeout=60) as client,
    ):
        yield client


@pytest.mark.parametrize("slug", HOSTILE_SLUGS)
def test_a_hostile_graph_name_is_refused_by_the_server(
    slug: str, server: httpx.Client, server_root: Path
) -> None:
    before = everything(server_root)
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    body = facts_of(slug).encode()
    # Graph Store POST to the default graph: the source named inside the body decides
    posted = server.post("/store?default", content=body, headers=turtle)
    assert posted.status_code == 400, posted.text
    # Graph Store PUT and POST naming the graph
    graph = ZGS + slug
    put = server.put("/store", params={"graph": graph}, content=body, headers=turtle)
    assert put.status_code == 400, put.text
    named = server.post("/store", params={"graph": graph}, content=body, headers=turtle)
    assert named.status_code == 400, named.text
    # SPARQL Update
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <https://w3id.org/zonegraph/id/x> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "x"@en } }'
    )
    updated = server.post("/sparql", data={"update": update}, headers=AUTH)
    assert updated.status_code == 400, updated.text
    assert everything(server_root) == before
    assert not Path("/tmp/zonegraph-escape.ttl").exists()


def test_a_valid_source_still_goes_to_its_file(root: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.ttl"
    draft.write_text(
        FACT_PREFIXES
        + f"""
<{ZGS}made-up-2019> a zg:NewsArticle ;
    rdfs:label "A made-up article"@en ;
    dct:title "A made-up article"@en ;
    dct:publisher zgr:china-daily ;
    dct:issued "2019-01-02"^^xsd:date ;
    schema:url "https://example.org/made-up"^^xsd:anyURI .
""",
        encoding="utf-8",
    )
    done = run_cli("--kg", str(root), "add", str(draft))
    assert done.returncode == 0, done.stderr
    assert (root / "kg" / "made-up-2019.ttl").exists()
    # The same draft again: nothing new, nothing rewritten, and it says so.
    written = (root / "kg" / "made-up-2019.ttl").stat().st_mtime_ns
    again = run_cli("--kg", str(root), "add", str(draft))
    assert again.returncode == 0, again.stderr
    assert "nothing new" in again.stderr and "wrote" not in again.stderr
    assert (root / "kg" / "made-up-2019.ttl").stat().st_mtime_ns == written


def test_oxigraph_store_serves_queries_and_a_validated_update(tmp_path: Path) -> None:
    """At ca467ab the worker could not open the store the server process held."""
    root = copy_kg(tmp_path / "kg")
    spec = f"oxigraph:{tmp_path / 'db'}"
    loaded = run_cli("--kg", str(root), "--store", spec, "load")
    assert loaded.returncode == 0, loaded.stderr
    store = zonegraph.store.open_store(spec)
    kg = zonegraph.open_kg(root, store=store)
    try:
        with (
            running_server(kg, allow_updates=True, token=TOKEN) as running,
            httpx.Client(base_url=running.url, timeout=60) as http,
        ):
            parks = http.get(
                "/api/queries/parks-of-zone",
                params={"zone": "zgr:qingdao-iecz"},
                headers={"Accept": "application/json"},
            )
            assert parks.status_code == 200, parks.text
            assert parks.json()["results"]["bindings"]
            company = "https://w3id.org/zonegraph/id/made-up-company"
            graph = ZGS + "chinadaily-2018-06-10"
            bad = (
                f"INSERT DATA {{ GRAPH <{graph}> {{ <{company}> a "
                "<https://w3id.org/zonegraph/ontology#Company> } }"
            )
            refused = http.post("/sparql", data={"update": bad}, headers=AUTH)
            assert refused.status_code == 422, refused.text  # no label, no source: refused
            good = (
                f"PREFIX zg: <https://w3id.org/zonegraph/ontology#> "
                f"PREFIX dct: <http://purl.org/dc/terms/> "
                f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                f"INSERT DATA {{ GRAPH <{graph}> {{ <{company}> a zg:Company ; "
                f'rdfs:label "Made-up Company"@en ; dct:source <{graph}> ; '
                "zg:locatedIn <https://w3id.org/zonegraph/id/sino-german-ecopark> } }"
            )
            applied = http.post("/sparql", data={"update": good}, headers=AUTH)
            assert applied.status_code == 200, applied.text
            ask = urllib.parse.urlencode({"query": f"ASK {{ <{company}> ?p ?o }}"})
            seen = http.get(f"/sparql?{ask}", headers={"Accept": "application/sparql-results+json"})
            assert seen.status_code == 200 and seen.json()["boolean"] is True
    finally:
        store.close()


@pytest.mark.slow
def test_an_installed_package_does_not_write_into_itself(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0:
        pytest.skip(f"could not build the wheel (needs PyPI for hatchling): {built.stderr[-300:]}")
    (wheel,) = wheels.glob("zonegraph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.endswith(".zonegraph.lock")], "a lock file in the wheel"
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    before = everything(site / "zonegraph" / "_shipped")
    draft = tmp_path / "draft.ttl"
    draft.write_text(facts_of("made-up-2019").replace("zgsh:TypedNode", "zgr:x"), "utf-8")
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "zonegraph", "add", str(draft)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "zonegraph init" in done.stderr
    assert everything(site / "zonegraph" / "_shipped") == before
    made = subprocess.run(
        [sys.executable, "-m", "zonegraph", "init", str(tmp_path / "mine")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    added = subprocess.run(
        [sys.executable, "-m", "zonegraph", "--kg", str(tmp_path / "mine"), "add", str(draft)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert added.returncode in (0, 1), added.stderr  # written, or refused by the shapes
    assert "read-only" not in added.stderr


def test_a_write_obeys_the_server_timeout(tmp_path: Path) -> None:
    """Validation runs in a query worker: past the time limit the worker is killed, the
    write is refused with 503, nothing is written and the next write goes through. At
    ca467ab a POST of 55k triples held the update lock for 111 s, outside --timeout."""
    root = copy_kg(tmp_path / "kg")
    before = everything(root)
    source = f"{ZGS}made-up-2019"
    lines = [
        FACT_PREFIXES,
        f"<{source}> a zg:NewsArticle ; rdfs:label 'A made-up article'@en ;",
        "  dct:title 'A made-up article'@en ; dct:publisher zgr:china-daily ;",
        "  dct:issued '2019-01-02'^^xsd:date ;",
        "  schema:url 'https://example.org/made-up'^^xsd:anyURI .",
    ]
    for i in range(4000):  # 16,000 triples: within the intake limit, far over 5 s to validate
        lines.append(
            f"zgr:made-up-company-{i} a zg:Company ; rdfs:label 'Made-up Company {i}'@en ;"
            f" zg:locatedIn zgr:sino-german-ecopark ; dct:source <{source}> ."
        )
    big = "\n".join(lines).encode()
    small = "\n".join(lines[:5]).encode()
    kg = zonegraph.open_kg(root)
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    with (
        running_server(kg, allow_updates=True, token=TOKEN, timeout=5.0) as running,
        httpx.Client(base_url=running.url, timeout=120) as http,
    ):
        refused = http.post("/store?default", content=big, headers=turtle)
        assert refused.status_code == 503, refused.text
        assert "nothing was changed" in refused.text
        assert everything(root) == before
        # the killed worker restarts; until it is back the server says to try again
        deadline = time.monotonic() + 60
        while True:
            applied = http.post("/store?default", content=small, headers=turtle)
            if applied.status_code != 503 or time.monotonic() > deadline:
                break
            assert "busy" in applied.text
            time.sleep(1)
        assert applied.status_code == 200, applied.text
    assert (root / "kg" / "made-up-2019.ttl").exists()


def test_a_hostile_source_name_is_refused_on_the_oxigraph_store(tmp_path: Path) -> None:
    """With a store of its own, add writes no file, but the name is refused all the same."""
    root = copy_kg(tmp_path / "kg")
    spec = f"oxigraph:{tmp_path / 'db'}"
    assert run_cli("--kg", str(root), "--store", spec, "load").returncode == 0
    draft = tmp_path / "draft.ttl"
    draft.write_text(facts_of("../ontology/shapes"), encoding="utf-8")
    done = run_cli("--kg", str(root), "--store", spec, "add", str(draft))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not a valid source IRI" in done.stderr or "namespace" in done.stderr
    stats = run_cli("--kg", str(root), "--store", spec, "query", "facts-per-source")
    assert "shapes" not in stats.stdout


def test_a_replacement_keeps_the_files_forms_of_the_values_it_restates(root: Path) -> None:
    """A graph replaced whole (a SPARQL Update computed on the Oxigraph engine, a Graph Store
    PUT of a graph read back from a store that keeps values) that restates ``202.0`` as
    ``"202"^^xsd:decimal`` changes only what it changes: the file keeps its own forms."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from zonegraph import _write

    kg = zonegraph.open_kg(root)
    name = URIRef(ZGS + "chinadaily-2018-06-10")
    path = root / "kg" / "chinadaily-2018-06-10.ttl"
    assert "zg:value 202.0 ." in path.read_text(encoding="utf-8")
    canonical = Graph()
    for s, p, o in kg.store.graph(name):
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(str(o.toPython().normalize()), datatype=XSD.decimal)  # "202.0" -> "202"
        canonical.add((s, p, o))
    park = URIRef("https://w3id.org/zonegraph/id/sino-german-ecopark")
    canonical.add((park, RDFS.comment, Literal("A comment added by the test.", lang="en")))
    result = _write.apply(kg, _write.Change(replaced={name: canonical}))
    assert result.applied and result.changes == {str(name): {"added": 1, "removed": 0}}
    text = path.read_text(encoding="utf-8")
    assert "zg:value 202.0 ." in text and "A comment added by the test." in text
