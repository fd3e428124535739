"""Issue #18's last gaps: figures dated at the source's precision, and the warnings a change
leaves on the nodes it touches.

- A figure may hold on an xsd:gYear or xsd:gYearMonth as well as a day (zgsh:Figure-
  holdsOnDatatype); the canned queries order and pick "latest" by the dates' lexical forms,
  so rdflib and Oxigraph give the same rows on mixed precisions ("2024" < "2024-05-01").
- ``validate`` and ``add`` say how many results the touched nodes already had: before, a
  batch touching a source with a warning said only "Conforms: 0 violations, 0 warnings".
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Literal
from rdflib.namespace import XSD

import zonegraph
from zonegraph._load import load
from zonegraph.cli import main
from zonegraph.store.oxigraph import OxigraphStore

PARK = "https://w3id.org/zonegraph/id/china-germany-equipment-manufacturing-industrial-park"

#: Three figures of one park and measure at three precisions, from one test page: the
#: year 2026 alone, a month and a day of 2025. Lexically "2025-03" < "2025-03-15" < "2026".
MIXED = """
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .

zgs:test-precision a zg:NewsArticle ;
    rdfs:label "Test article: precision"@en ;
    dct:title "Test: precision"@en ;
    dct:publisher zgr:china-daily ;
    dct:issued "2026-01-05"^^xsd:date ;
    schema:url "https://example.org/news/test-precision"^^xsd:anyURI ;
    dct:language "en" .
""" + "".join(
    f"""
zgr:test-core-area-{i} a zg:Figure ;
    rdfs:label "Test core area {i}"@en ;
    zg:figureOf zgr:china-germany-equipment-manufacturing-industrial-park ;
    zg:measure zg:CoreArea ;
    zg:value "{value}"^^xsd:decimal ;
    zg:unit unit:KiloM2 ;
    zg:qualifier zg:Exact ;
    zg:holdsOn {date} ;
    zg:quotation "The test sentence {i}." ;
    dct:source zgs:test-precision .
"""
    for i, value, date in (
        (1, "20", '"2025-03"^^xsd:gYearMonth'),
        (2, "21", '"2025-03-15"^^xsd:date'),
        (3, "22", '"2026"^^xsd:gYear'),
    )
)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _rows(kg: zonegraph.KnowledgeGraph, name: str, **params: str) -> list[tuple[str, ...]]:
    return [
        (str(r["value"].toPython()), str(r["holdsOn"]), str(r["holdsOn"].datatype))
        for r in kg.query(name, **params).rows
        if "/test-core-area-" in str(r["figure"])
    ]


def test_figures_at_three_precisions_order_alike_on_rdflib_and_oxigraph(
    kg_dir: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "mixed.ttl"
    draft.write_text(MIXED, encoding="utf-8")
    code, out = invoke("--kg", str(kg_dir), "add", str(draft))
    assert code == 0, out
    memory = zonegraph.open_kg(kg_dir)
    oxigraph = zonegraph.open_kg(kg_dir, store=OxigraphStore(tmp_path / "ox"))
    load(oxigraph)
    year, month, day = str(XSD.gYear), str(XSD.gYearMonth), str(XSD.date)
    for engine in (memory, oxigraph):
        # The latest is the year 2026 (lexically after every day of 2025), one row.
        assert _rows(engine, "latest-figures", entity=PARK) == [("22", "2026", year)]
        # Across parks, by date: the month before the day in it, the year after both.
        assert _rows(engine, "figure-across-parks", measure="zg:CoreArea") == [
            ("20", "2025-03", month),
            ("21", "2025-03-15", day),
            ("22", "2026", year),
        ]
        # The park's output value "in 2024" (qstheory) is a year, not 2024-12-31.
        output = [
            r["holdsOn"]
            for r in engine.query("latest-figures", entity=PARK).rows
            if str(r["measure"]).endswith("#OutputValue")
        ]
        assert Literal("2024", datatype=XSD.gYear) in output


def test_shipped_figures_keep_the_sources_precision(kg: zonegraph.KnowledgeGraph) -> None:
    """The figures said to hold "in 2014", "in 2018", "in 2024", "February 2015" are a year or a
    month; "by the end of 2016" stays a day."""
    holds = {
        str(r["figure"]).rsplit("/", 1)[1]: r["holdsOn"]
        for r in kg.query("figure-across-parks", measure="zg:Area").rows
    }
    assert holds["figure-china-singapore-suzhou-industrial-park-area-2014-01-01"] == Literal(
        "2014", datatype=XSD.gYear
    )
    assert holds["figure-sino-german-ecopark-area-2015-02"] == Literal(
        "2015-02", datatype=XSD.gYearMonth
    )
    assert holds["figure-sino-german-ecopark-area-2018"] == Literal("2018", datatype=XSD.gYear)


def test_validate_and_add_count_the_warnings_already_on_the_touched_nodes(
    kg_dir: Path, tmp_path: Path
) -> None:
    """zgr:israel has a warning in the shipped graph (no zg:wikidata); a batch adding a
    comment to it adds no result, and the report says the warning was already there."""
    code, out = invoke("check")
    assert code == 0 and "Warning: zgr:israel zg:wikidata" in out
    draft = tmp_path / "touch.ttl"
    draft.write_text(
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix zgr: <https://w3id.org/zonegraph/id/> .\n"
        "@prefix zgs: <https://w3id.org/zonegraph/source/> .\n"
        'zgr:israel rdfs:comment "A test comment."@en ;\n'
        "    dct:source zgs:chinaorg-de-2018-08-29 .\n",
        encoding="utf-8",
    )
    line = (
        "1 warning was already on the nodes this change touches (not counted above); "
        "`zonegraph check` lists them."
    )
    code, out = invoke("--kg", str(kg_dir), "validate", str(draft))
    assert code == 0
    assert out.splitlines()[:2] == ["Conforms: 0 violations, 0 warnings, 0 infos.", line]
    code, out = invoke("--kg", str(kg_dir), "validate", "--format", "json", str(draft))
    doc = json.loads(out)
    assert doc["results"] == []
    assert doc["alreadyOnTouchedNodes"] == {"Violation": 0, "Warning": 1, "Info": 0}
    code, out = invoke("--kg", str(kg_dir), "add", str(draft))
    assert code == 0 and line in out, out
    written = (kg_dir / "kg" / "chinaorg-de-2018-08-29.ttl").read_text(encoding="utf-8")
    assert "A test comment." in written
    # A batch touching only nodes without results says nothing of the kind.
    clean = Path(__file__).parent / "data" / "valid" / "figures-with-bounds.ttl"
    code, out = invoke("--kg", str(kg_dir), "validate", str(clean))
    assert code == 0 and "already" not in out
    code, out = invoke("--kg", str(kg_dir), "validate", "--format", "json", str(clean))
    assert "alreadyOnTouchedNodes" not in json.loads(out)
