"""What ``check --engine sparql`` runs its queries through (validate/in_store.py): on
Oxigraph, the engine's generated queries go to the store without the facade's rdflib
parse, and a query naming a SERVICE is still refused as the facade refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonegraph import open_kg
from zonegraph._errors import QueryError
from zonegraph._kg_check import _select
from zonegraph._load import load
from zonegraph.store.oxigraph import OxigraphStore

ZG = "https://w3id.org/zonegraph/ontology#"


def test_generated_queries_run_on_the_store_and_service_is_refused(tmp_path: Path) -> None:
    kg = open_kg(store=OxigraphStore(tmp_path / "store"))
    try:
        load(kg)
        select = _select(kg)
        rows = select(f"SELECT DISTINCT ?c WHERE {{ ?c a <{ZG}Country> }}")
        assert rows and all(r["c"] is not None for r in rows)
        same = kg.sparql(f"SELECT DISTINCT ?c WHERE {{ ?c a <{ZG}Country> }}").rows
        assert {r["c"] for r in rows} == {r["c"] for r in same}
        with pytest.raises(QueryError, match="SERVICE"):
            select("SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
        # written with a codepoint escape, as pySHACL's own check lets pass (FIELD-NOTES)
        with pytest.raises(QueryError, match="SERVICE"):
            select("SELECT ?s WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    finally:
        kg.store.close()
