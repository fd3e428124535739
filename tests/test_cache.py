"""The cache of parsed KG files: used when nothing changed, never when something did."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from zonegraph import InputError, _kg, open_kg


def test_an_unchanged_kg_is_read_from_the_cache_with_the_same_triples(
    kg_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    first = open_kg(kg_dir)
    assert list((tmp_path / "cache").glob("parsed-*.nq"))

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a file was parsed again")

    monkeypatch.setattr(_kg, "parse_turtle", refuse)
    second = open_kg(kg_dir)
    assert isomorphic(second.ontology, first.ontology)
    for name, graph in first.source_graphs().items():
        assert isomorphic(second.store.graph(name), graph), name


def test_a_changed_file_is_read_again_and_its_error_reported_where_it_is(
    kg_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    open_kg(kg_dir)
    path = kg_dir / "kg" / "wikidata.ttl"
    path.write_text(path.read_text() + '\nzgr:broken rdfs:label "unclosed .\n')
    with pytest.raises(InputError) as caught:
        open_kg(kg_dir)
    assert caught.value.where is not None and caught.value.where.file == "kg/wikidata.ttl"
    assert caught.value.where.line is not None


def test_what_network_permission_let_in_is_not_reused_without_it(
    kg_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    path = kg_dir / "ontology" / "zonegraph.ttl"
    path.write_text(
        path.read_text()
        + "\n<https://w3id.org/zonegraph/ontology> "
        + "<http://www.w3.org/2002/07/owl#imports> <https://example.org/other> .\n"
    )
    open_kg(kg_dir, allow_network=True)  # accepted (and never followed), then cached
    with pytest.raises(InputError, match="owl:imports"):
        open_kg(kg_dir)
