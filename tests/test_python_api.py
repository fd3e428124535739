"""The Python API as rdflib's and pandas' users expect it: ``kg.query`` takes a canned
query's name or SPARQL text, results iterate as rdflib's do, DataFrames have typed columns.
"""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow

import zonegraph
from zonegraph.rdf.namespaces import ZGR

ZONE = ZGR["qingdao-iecz"]
ECOPARK = ZGR["sino-german-ecopark"]

# -- kg.query: a name or SPARQL text ---------------------------------------------------


def test_query_runs_sparql_text(kg: zonegraph.KnowledgeGraph) -> None:
    """Before: UnknownQueryError "unknown query 'SELECT ...'"."""
    result = kg.query("SELECT ?c ?label WHERE { ?c a zg:Country ; rdfs:label ?label }")
    assert result.kind == "SELECT"
    assert result.vars == ["c", "label"]
    assert Literal("Germany", lang="en") in {row.label for row in result}


def test_query_binds_a_parameter_of_sparql_text_as_a_term(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    text = "SELECT ?label WHERE { ?park rdfs:label ?label }"
    rows = list(kg.query(text, park=ECOPARK))
    assert [row.label for row in rows] == [Literal("Sino-German Ecopark", lang="en")]
    # the same as a mapping; a value that would break out of the text stays one term
    assert list(kg.query(text, {"park": ECOPARK})) == rows
    # rdflib's engine finds no such IRI; Oxigraph's (the default) refuses it as no IRI
    hostile = URIRef(f"{ECOPARK}> . ?x ?y ?z . <x:")
    try:
        assert list(kg.query(text, park=hostile)) == []
    except zonegraph.ParameterError as exc:
        assert "is not an IRI" in exc.message


def test_query_turns_python_values_into_literals(kg: zonegraph.KnowledgeGraph) -> None:
    text = "SELECT ?f WHERE { ?f zg:holdsOn ?day }"
    assert len(kg.query(text, day=date(2018, 6, 10))) == 6


def test_query_refuses_a_string_value_for_sparql_text(kg: zonegraph.KnowledgeGraph) -> None:
    with pytest.raises(zonegraph.ParameterError, match="not an RDF term") as caught:
        kg.query("SELECT ?l WHERE { ?park rdfs:label ?l }", park="Sino-German Ecopark")
    assert "rdflib.URIRef" in str(caught.value)


def test_query_refuses_a_variable_the_text_does_not_use(kg: zonegraph.KnowledgeGraph) -> None:
    with pytest.raises(zonegraph.ParameterError, match=r"no variable \?prak"):
        kg.query("SELECT ?l WHERE { ?park rdfs:label ?l }", prak=ECOPARK)


def test_query_refuses_service_in_sparql_text(kg: zonegraph.KnowledgeGraph) -> None:
    with pytest.raises(zonegraph.QueryError, match="SERVICE") as caught:
        kg.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert "1:18" in str(caught.value)


def test_query_by_name_binds_a_label(kg: zonegraph.KnowledgeGraph) -> None:
    result = kg.query("parks-of-zone", zone="Qingdao International Economic Cooperation Zone")
    assert {row.zone for row in result} == {ZONE}


def test_an_unknown_name_says_how_sparql_text_is_told_apart(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    with pytest.raises(zonegraph.UnknownQueryError, match="unknown query") as caught:
        kg.query("park-of-zone")
    hint = caught.value.hint or ""
    assert "parks-of-zone" in hint
    assert "SPARQL text" in hint
    # a mistyped name is still a name, not SPARQL with a syntax error
    with pytest.raises(zonegraph.UnknownQueryError, match="Parks-of-zone"):
        kg.query("Parks-of-zone")


def test_the_command_and_the_web_api_run_canned_queries_only(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    """``zonegraph query NAME`` and ``/api/queries/NAME`` call ``kg.canned``: SPARQL text
    given as a name is an unknown query there, never run."""
    assert len(kg.canned("parks-of-zone")) == len(kg.query("parks-of-zone"))
    with pytest.raises(zonegraph.UnknownQueryError) as caught:
        kg.canned("SELECT * WHERE { ?s ?p ?o }")
    assert "kg.query" not in str(caught.value), "no Python advice on the command line"


# -- QueryResult: iteration, truth, ASK and CONSTRUCT -----------------------------------


def test_select_rows_iterate_as_rdflib_result_rows(kg: zonegraph.KnowledgeGraph) -> None:
    """Before: TypeError, 'QueryResult' object is not iterable."""
    result = kg.query("parks-of-zone")
    rows = list(result)
    assert len(rows) == len(result) > 0
    for row, plain in zip(rows, result.rows, strict=True):
        assert isinstance(row, ResultRow)
        assert row.parkLabel == row["parkLabel"] == plain["parkLabel"]
        assert row[result.vars.index("park")] == plain["park"]
        assert row.asdict() == {k: v for k, v in plain.items() if v is not None}
    park, label = next(
        iter(kg.query("SELECT ?park ?label { ?park a zg:Country ; rdfs:label ?label }"))
    )
    assert isinstance(park, URIRef)
    assert isinstance(label, Literal)


def test_an_unbound_variable_is_none_in_a_row(kg: zonegraph.KnowledgeGraph) -> None:
    row = next(iter(kg.query("SELECT ?c ?none { ?c a zg:Country } LIMIT 1")))
    assert row.none is None
    assert row.get("none") is None


def test_a_result_is_true_when_it_holds_something(kg: zonegraph.KnowledgeGraph) -> None:
    assert kg.query("SELECT ?c { ?c a zg:Country }")
    assert not kg.query("SELECT ?c { ?c a zg:NoSuchClass }")


def test_ask_answers_a_bool(kg: zonegraph.KnowledgeGraph) -> None:
    yes = kg.query("ASK { ?c a zg:Country }")
    no = kg.query("ASK { ?c a zg:NoSuchClass }")
    assert bool(yes) is True
    assert bool(no) is False
    assert list(yes) == [True]


def test_construct_gives_an_rdflib_graph(kg: zonegraph.KnowledgeGraph) -> None:
    result = kg.query("CONSTRUCT { ?c a zg:Country } WHERE { ?c a zg:Country }")
    assert isinstance(result.graph, Graph)
    triples = set(result)
    assert triples == set(result.graph)
    assert len(triples) == len(result) > 5


# -- to_dataframe: typed columns --------------------------------------------------------


def test_dataframe_columns_are_typed(kg: zonegraph.KnowledgeGraph) -> None:
    """Before: object columns of Decimal and datetime.date values."""
    pd = pytest.importorskip("pandas")
    df = kg.query("zone-key-figures", zone=ZONE).to_dataframe()
    assert str(df["value"].dtype) == "Float64"
    assert pd.api.types.is_datetime64_any_dtype(df["holdsOn"])
    assert str(df["measureLabel"].dtype) == "string"
    assert str(df["zone"].dtype) == "string"
    assert df["value"].sum() == pytest.approx(40_000_000_000 + 6_240_000_000 + 202 + 152 + 50 + 7)
    assert set(df["holdsOn"].dt.strftime("%Y-%m-%d")) == {"2018-06-10"}
    assert set(df["zone"]) == {str(ZONE)}


def test_dataframe_integers_years_and_mixed_precision_dates(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    pytest.importorskip("pandas")
    df = kg.query("timeline").to_dataframe()
    assert str(df["year"].dtype) == "Int64"
    # a year, a month or a day, as the source gives it: no invented day, ISO order
    assert str(df["date"].dtype) == "string"
    assert {len(d) for d in df["date"]} >= {4, 10}
    text = """SELECT ?n ?y ?m ?b {
        VALUES (?n ?y ?m ?b) {
            (1 '2011'^^xsd:gYear '2018-04'^^xsd:gYearMonth true) (2 UNDEF UNDEF UNDEF)
        }
    }"""
    df = kg.query(text).to_dataframe()
    assert [str(df[c].dtype) for c in df.columns] == ["Int64", "Int64", "period[M]", "boolean"]
    assert df["y"].iloc[0] == 2011
    assert str(df["m"].iloc[0]) == "2018-04"
    assert df.iloc[1, 1:].isna().all()


def test_dataframe_of_a_graph_is_refused(kg: zonegraph.KnowledgeGraph) -> None:
    pytest.importorskip("pandas")
    with pytest.raises(ValueError, match=r"result\.graph"):
        kg.query("CONSTRUCT { ?c a zg:Country } WHERE { ?c a zg:Country }").to_dataframe()
