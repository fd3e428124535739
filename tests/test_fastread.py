"""The fast intake (_fastread: Oxigraph's parser plus the strict reader's term rules)
accepts exactly the files the strict reader accepts, with the same triples.

Over the W3C Turtle suite (in ../shared, skipped without it) and the project's
bad-input corpus: a file either loads through Oxigraph with the triples the
strict reader reads, or is handed to the strict reader, which reads it or
reports the problem at file:line:column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from support import REPO, SHARED, run_cli
from zonegraph import InputError
from zonegraph.rdf.bulk_reader import checked, quads
from zonegraph.rdf.intake import parse_turtle
from zonegraph.rdf.oxigraph_terms import from_oxigraph

SUITE = SHARED / "w3c" / "rdf-turtle"
BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"
GRAPH = URIRef("https://example.org/graph")


def _strict(path: Path, base: str | None) -> Graph | None:
    try:
        return parse_turtle(path, max_bytes=None, base=base)
    except InputError:
        return None


def _fast(path: Path, base: str | None) -> Graph | None:
    """What loading *path* gives: Oxigraph's triples, the strict reader's, or None (refused)."""
    try:
        if not checked(path, display_name=path.name, base=base):
            return parse_turtle(path, max_bytes=None, base=base)
    except InputError as exc:
        assert exc.where is not None and exc.where.file == path.name
        return None
    g = Graph()
    for q in quads(path, GRAPH, base=base):
        s, p, o = (from_oxigraph(t) for t in (q.subject, q.predicate, q.object))
        g.add((s, p, o))
    return g


def _same(a: Graph, b: Graph) -> bool:
    def norm(g: Graph) -> Graph:  # Oxigraph keeps xsd:string explicit where rdflib may not
        out = Graph()
        for s, p, o in g:
            if (
                isinstance(o, Literal)
                and o.datatype is not None
                and str(o.datatype).endswith("#string")
            ):
                o = Literal(str(o))
            elif isinstance(o, Literal) and o.language:  # Oxigraph writes tags in lower case
                o = Literal(str(o), lang=o.language.lower())
            out.add((s, p, o))
        return out

    return isomorphic(norm(a), norm(b))


def _suite() -> list[Path]:
    return sorted(SUITE.glob("*.ttl")) if SUITE.is_dir() else []


@pytest.mark.skipif(not SUITE.is_dir(), reason=f"the W3C Turtle suite is not at {SUITE}")
@pytest.mark.parametrize("path", _suite(), ids=lambda p: p.name)
def test_w3c_turtle_files_read_the_same(path: Path) -> None:
    if path.name == "manifest.ttl":
        pytest.skip("the manifest")
    strict, fast = _strict(path, BASE + path.name), _fast(path, BASE + path.name)
    assert (strict is None) == (fast is None)
    if strict is not None and fast is not None:
        assert _same(strict, fast)


BAD = sorted((REPO / "tests" / "data" / "bad").glob("*.ttl"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_corpus_reads_the_same(path: Path) -> None:
    strict, fast = _strict(path, None), _fast(path, None)
    assert (strict is None) == (fast is None)
    if strict is not None and fast is not None:
        assert _same(strict, fast)


def test_shipped_files_take_the_fast_path() -> None:
    for path in sorted((REPO / "kg").glob("*.ttl")):
        assert checked(path, display_name=path.name), path.name


def test_a_literal_the_strict_reader_normalises_takes_the_strict_path(tmp_path: Path) -> None:
    path = tmp_path / "nfd.ttl"
    path.write_text('<https://example.org/a> <https://example.org/p> "Cafe\u0301" .\n')
    assert not checked(path, display_name="nfd.ttl")
    assert (None, None, Literal("Café")) in parse_turtle(path)
    assert not any(isinstance(t, BNode) for t in parse_turtle(path).subjects())


def test_load_lists_twenty_graphs_unless_asked_for_all(tmp_path: Path) -> None:
    """A generated KG has a graph per source: the report names 20, counts the rest, and
    --all-graphs names every one; the totals line is the same either way."""
    from zonegraph.authoring.synth import synthesize

    summary = synthesize(tmp_path / "kg", triples=6000, seed=2)
    # A graph per source (the shared reference data is one) and the ontology's.
    graphs = summary.sources + 1
    assert graphs > 21
    spec = f"oxigraph:{tmp_path / 'store'}"
    short = run_cli("--kg", str(tmp_path / "kg"), "--store", spec, "load")
    full = run_cli("--kg", str(tmp_path / "kg"), "--store", spec, "load", "--all-graphs")
    assert short.returncode == full.returncode == 0, short.stderr + full.stderr
    listed = [line for line in short.stdout.splitlines() if line.endswith(" triples")]
    assert len(listed) == 20
    assert f"... and {graphs - 20} more graphs loaded" in short.stdout
    assert len([line for line in full.stdout.splitlines() if line.endswith(" triples")]) == graphs
    assert "more graphs" not in full.stdout
    assert f" triples in {graphs} graphs into " in short.stdout
    assert (
        short.stdout.splitlines()[-1].split(" in ")[0]
        == full.stdout.splitlines()[-1].split(" in ")[0]
    )


def test_load_refuses_a_bad_kg_file_where_it_is_and_leaves_the_store(
    kg_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    first = run_cli("--kg", str(kg_dir), "--store", f"oxigraph:{store}", "load")
    assert first.returncode == 0, first.stderr
    (kg_dir / "kg" / "zz-broken.ttl").write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://example.org/a> <https://example.org/p> "2018-02-30"^^xsd:date .\n'
    )
    again = run_cli("--kg", str(kg_dir), "--store", f"oxigraph:{store}", "load")
    assert again.returncode == 2
    assert "kg/zz-broken.ttl:2:" in again.stderr and "2018-02-30" in again.stderr
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = run_cli("--kg", str(kg_dir), "--store", f"oxigraph:{store}", "sparql", count)
    assert before.returncode == 0
    assert first.stdout.splitlines()[-1].split()[1] in before.stdout


def test_a_named_pipe_among_the_kg_files_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Oxigraph's parser would wait for a writer; the path is refused before it is opened."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "source.ttl"
    os.mkfifo(fifo)
    code = (
        "import sys; from pathlib import Path; from zonegraph import InputError; "
        "from zonegraph.rdf.bulk_reader import checked\n"
        f"try: checked(Path({str(fifo)!r}), display_name='kg/source.ttl')\n"
        "except InputError as exc: print(exc)"
    )
    # the timeout only ends a hang (a failure); the refusal is immediate
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "kg/source.ttl: this is a named pipe (FIFO), not a regular file" in out.stdout, out
