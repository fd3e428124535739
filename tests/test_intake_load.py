"""``load`` into Oxigraph parses each file once, checks every file before it writes, and a
refused file (with its file:line:column) leaves the store as it was (issue 17, item 5)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

import zonegraph
from support import REPO, canonical
from zonegraph import InputError
from zonegraph._load import load
from zonegraph.rdf import bulk_reader
from zonegraph.store.oxigraph import OxigraphStore


def _kg_dir(tmp_path: Path) -> Path:
    root = tmp_path / "kg-dir"
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    return root


def test_each_file_is_parsed_once_and_load_gives_the_files_triples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _kg_dir(tmp_path)
    parses: list[Path] = []
    real = bulk_reader._parse

    def counting(path: Path, base: str | None) -> Iterator[ox.Quad]:
        parses.append(path)
        return real(path, base)

    monkeypatch.setattr(bulk_reader, "_parse", counting)
    store = OxigraphStore(tmp_path / "store")
    kg = zonegraph.open_kg(root, store=store)  # reads the ontology
    parses.clear()
    report = load(kg)
    files = sorted((root / "kg").glob("*.ttl"))
    assert sorted(parses) == files  # once each
    monkeypatch.setattr(bulk_reader, "_parse", real)
    memory = zonegraph.open_kg(root)
    for path in files:
        name = URIRef(f"https://w3id.org/zonegraph/source/{path.stem}")
        assert report.graphs[name] == len(memory.store.graph(name)), path.name


def test_files_past_the_kept_quads_are_parsed_again_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _kg_dir(tmp_path)
    monkeypatch.setattr("zonegraph._load.KEEP_PARSED", 10)
    store = OxigraphStore(tmp_path / "store")
    report = load(zonegraph.open_kg(root, store=store))
    expected = zonegraph.open_kg(root)
    assert report.triples == len(expected)


def test_a_refused_file_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    root = _kg_dir(tmp_path)
    store = OxigraphStore(tmp_path / "store")
    kg = zonegraph.open_kg(root, store=store)
    first = load(kg).triples
    # a file sorted last, with an ill-typed literal on line 3
    (root / "kg" / "zzz-bad.ttl").write_text(
        "@prefix zg: <https://w3id.org/zonegraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/zonegraph/resource/x> zg:date "2020-13-01"^^xsd:date .\n',
        encoding="utf-8",
    )
    (root / "kg" / "aaa-new.ttl").write_text(
        "<https://w3id.org/zonegraph/resource/y> "
        "<http://www.w3.org/2000/01/rdf-schema#label> 'new' .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(zonegraph.open_kg(root, store=store))
    assert str(caught.value.where).startswith("kg/zzz-bad.ttl:3:")
    assert len(store) == first
    assert URIRef("https://w3id.org/zonegraph/source/aaa-new") not in store.graph_names()


def test_a_first_open_reads_each_file_as_the_strict_reader_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory store's first open (no cache) reads the files through Oxigraph's parse
    and the strict reader's checks: the same triples as the strict reader, graph by graph."""
    from rdflib.compare import isomorphic

    from zonegraph.rdf.intake import parse_turtle

    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    root = _kg_dir(tmp_path)
    kg = zonegraph.open_kg(root)
    files = sorted((root / "kg").glob("*.ttl"))
    assert len(kg.source_graphs()) == len(files)
    for path in files:
        name = URIRef(f"https://w3id.org/zonegraph/source/{path.stem}")
        strict_graph = canonical(parse_turtle(path, max_bytes=None))  # the store keeps values
        assert isomorphic(canonical(kg.store.graph(name)), strict_graph), path.name
    strict = Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            strict += parse_turtle(path, max_bytes=None)
    assert isomorphic(kg.ontology, strict)
