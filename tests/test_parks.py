"""The canned queries that compare parks across China (issue #18).

Two kinds of test. The answers on the shipped graph: today it holds the Qingdao
parks, and more parks are being added, so each assertion is one that stays true
as parks are added ("includes Germany -> Sino-German Ecopark", "at least").
And the write path: a made-up park written as a draft file, added with the real
``zonegraph add`` into a copy of the KG directory, is then found by every query
that compares parks, with its approval, its districts, its partner country and
its figures.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

import zonegraph
from support import ARTICLE, CRI, CRI_GERMAN, ECNS, IHK, IMSILKROAD, PEOPLECN, SIEMENS, run_cli

ZG = "https://w3id.org/zonegraph/ontology#"
ZGR = "https://w3id.org/zonegraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = URIRef(XSD + "integer")
XSD_DECIMAL = URIRef(XSD + "decimal")

ECOPARK = ZGR + "sino-german-ecopark"
BRITAIN_PARK = ZGR + "china-britain-innovation-industry-park"
RUSSIAN_PARK = ZGR + "sino-russian-cooperation-park"
ZONE = ZGR + "qingdao-iecz"

#: The canned queries whose answers this file tests (tests/test_queries.py
#: checks that every canned query has a test of its answers somewhere).
ANSWERED = {
    "parks-by-partner-country",
    "park-timeline",
    "figure-across-parks",
    "countries-with-most-parks",
}


def s(term: Any) -> str | None:
    return None if term is None else str(term)


def num(term: Any) -> Decimal | None:
    return None if term is None else Decimal(str(term.toPython()))


def rows(
    kg: zonegraph.KnowledgeGraph, name: str, *cols: str, **params: Any
) -> list[tuple[Any, ...]]:
    return [tuple(s(r[c]) for c in cols) for r in kg.query(name, **params).rows]


# -- the answers on the shipped graph ------------------------------------------------


def test_parks_by_partner_country(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("countryLabel", "parkLabel", "cityLabel", "provinceLabel")
    got = set(rows(kg, "parks-by-partner-country", *cols))
    assert got >= {
        ("Germany", "Sino-German Ecopark", "Qingdao", "Shandong"),
        ("United Kingdom", "China-Britain Innovation Industry Park", "Qingdao", "Shandong"),
        ("Russia", "Sino-Russian cooperation park", "Qingdao", "Shandong"),
    }
    res = kg.query("parks-by-partner-country")
    # Each source stating a partnership has its row: six sources name Germany as the
    # Ecopark's partner.
    ecopark_sources = {r["source"] for r in res.rows if s(r["park"]) == ECOPARK}
    assert ecopark_sources >= {ARTICLE, ECNS, IHK, PEOPLECN, SIEMENS}
    assert {s(r["typeLabel"]) for r in res.rows if s(r["park"]) == ECOPARK} == {"cooperation park"}
    labels = [s(r["countryLabel"]) for r in res.rows]
    assert labels == sorted(labels)
    # One country: only its parks.
    germany = kg.query("parks-by-partner-country", country="Germany").rows
    assert germany and {s(r["countryLabel"]) for r in germany} == {"Germany"}
    assert ECOPARK in {s(r["park"]) for r in germany}


def test_park_timeline(kg: zonegraph.KnowledgeGraph) -> None:
    res = kg.query("park-timeline")
    got = {(s(r["park"]), s(r["date"]), s(r["eventTypeLabel"]), r["source"]) for r in res.rows}
    assert got >= {
        (ECOPARK, "2010-07", "agreement", CRI_GERMAN),
        (ECOPARK, "2011", "launch", ARTICLE),
        (BRITAIN_PARK, "2016", "agreement", CRI),
        (BRITAIN_PARK, "2017-11-09", "launch", CRI),
        (RUSSIAN_PARK, "2018-04-21", "launch", ARTICLE),
        (RUSSIAN_PARK, "2018-04-21", "launch", IMSILKROAD),
    }
    # Approvals, agreements, establishments and launches only: no construction start.
    kinds = {s(r["eventType"]) for r in res.rows}
    assert kinds <= {ZG + "Approval", ZG + "Agreement", ZG + "Establishment", ZG + "Launch"}
    # Dated and sourced, oldest first (dates of mixed precision sort as text).
    assert all(r["date"] is not None and r["source"] is not None for r in res.rows)
    dates = [s(r["date"]) for r in res.rows]
    assert dates == sorted(dates)
    assert all(r["year"].datatype == XSD_INTEGER for r in res.rows)
    # Only approvals name an authority.
    assert all(r["approvedBy"] is None for r in res.rows if s(r["eventType"]) != ZG + "Approval")
    # One park.
    one = kg.query("park-timeline", park="China-Britain Innovation Industry Park").rows
    assert {s(r["park"]) for r in one} == {BRITAIN_PARK}
    assert len(one) >= 3


def test_figure_across_parks(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("park", "value", "qualifierLabel", "unitLabel", "holdsOn", "source")
    got = {
        (p, num_text(v), q, u, d, src)
        for p, v, q, u, d, src in rows(kg, "figure-across-parks", *cols)
    }
    # The default measure is the area; every source's value is kept.
    assert got >= {
        (ECOPARK, Decimal(10), "exactly", "square kilometre", "2011-12-09", str(PEOPLECN)),
        (ECOPARK, Decimal("11.6"), "exactly", "square kilometre", "2014-08-04", str(ECNS)),
        (ECOPARK, Decimal(12), "about", "square kilometre", "2015-02", str(IHK)),
        (ECOPARK, Decimal(30), "exactly", "square kilometre", "2018", str(SIEMENS)),
        (ZONE, Decimal(202), "exactly", "square kilometre", "2018-06-10", str(ARTICLE)),
    }
    res = kg.query("figure-across-parks")
    assert {s(r["measure"]) for r in res.rows} == {ZG + "Area"}
    assert all(r["value"].datatype == XSD_DECIMAL for r in res.rows)
    # Another measure, by label or by IRI.
    planned = rows(kg, "figure-across-parks", "park", "value", "measure", measure="planned area")
    assert (BRITAIN_PARK, "15.1", ZG + "PlannedArea") in planned
    assert rows(
        kg, "figure-across-parks", "park", "value", "measure", measure="zg:PlannedArea"
    ) == (planned)
    # Money: a currency instead of a unit.
    money = kg.query("figure-across-parks", measure="zg:Investment").rows
    assert {s(r["currencyCode"]) for r in money if s(r["park"]) == ZONE} == {"CNY", "USD"}
    assert all(r["unitLabel"] is None for r in money)


def num_text(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def test_countries_with_most_parks(kg: zonegraph.KnowledgeGraph) -> None:
    res = kg.query("countries-with-most-parks")
    counts = {s(r["countryLabel"]): num(r["parks"]) for r in res.rows}
    for country in ("Germany", "United Kingdom", "Russia"):
        assert counts[country] >= 1
    assert all(r["parks"].datatype == XSD_INTEGER for r in res.rows)
    # Most parks first.
    ordered = [num(r["parks"]) for r in res.rows]
    assert ordered == sorted(ordered, reverse=True)
    # The counts agree with the parks listed by partner country.
    listed: dict[str, set[str]] = {}
    for country, park in rows(kg, "parks-by-partner-country", "countryLabel", "park"):
        listed.setdefault(country or "", set()).add(park or "")
    assert counts == {country: Decimal(len(parks)) for country, parks in listed.items()}
    sources = {s(r["countryLabel"]): num(r["sources"]) for r in res.rows}
    assert sources["Germany"] >= 5


# -- a new park through the write path ---------------------------------------------

NEW_PARK_DRAFT = """\
# A made-up park for the tests: it and its source are fictional.
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .

zgs:test-new-park-2019 a zg:NewsArticle ;
    rdfs:label "Test article, 2 January 2019: a Sino-Finnish park approved"@en ;
    dct:title "Sino-Finnish park approved"@en ;
    dct:publisher zgr:china-daily ;
    dct:issued "2019-01-02"^^xsd:date ;
    dct:language "en" ;
    schema:url "https://example.org/test-new-park-2019"^^xsd:anyURI .

zgr:state-council-of-china a zg:GovernmentBody ;
    rdfs:label "State Council of the People's Republic of China"@en ;
    skos:altLabel "State Council"@en ;
    zg:locatedIn zgr:china ;
    dct:source zgs:test-new-park-2019 .

zgr:test-harbour-city a zg:City ;
    rdfs:label "Test Harbour City"@en ;
    zg:partOf zgr:shandong ;
    zg:quotation "The park lies in the East and West districts of Test Harbour City, Shandong." ;
    dct:source zgs:test-new-park-2019 .

zgr:test-harbour-city-east-district a zg:AdministrativeArea ;
    rdfs:label "East District of Test Harbour City"@en ;
    zg:partOf zgr:test-harbour-city ;
    dct:source zgs:test-new-park-2019 .

zgr:test-harbour-city-west-district a zg:AdministrativeArea ;
    rdfs:label "West District of Test Harbour City"@en ;
    zg:partOf zgr:test-harbour-city ;
    dct:source zgs:test-new-park-2019 .

zgr:sino-finnish-test-park a zg:CooperationPark ;
    rdfs:label "Sino-Finnish Test Park"@en ;
    zg:partOf zgr:test-harbour-city ;
    zg:locatedIn zgr:test-harbour-city-east-district, zgr:test-harbour-city-west-district ;
    zg:partnerCountry zgr:finland ;
    zg:quotation "The Sino-Finnish Test Park, approved on 11 December 2017, spans two districts." ;
    dct:source zgs:test-new-park-2019 .

zgr:approval-sino-finnish-test-park a zg:Approval ;
    rdfs:label "Approval of the Sino-Finnish Test Park by the State Council"@en ;
    zg:concerns zgr:sino-finnish-test-park ;
    zg:approvedBy zgr:state-council-of-china ;
    zg:date "2017-12-11"^^xsd:date ;
    zg:quotation "The Sino-Finnish Test Park, approved on 11 December 2017, spans two districts." ;
    dct:source zgs:test-new-park-2019 .

zgr:figure-sino-finnish-test-park-area-2019-01-02 a zg:Figure ;
    rdfs:label "Area of the Sino-Finnish Test Park, 2 January 2019"@en ;
    zg:figureOf zgr:sino-finnish-test-park ;
    zg:measure zg:Area ;
    zg:value "6.5"^^xsd:decimal ;
    zg:unit unit:KiloM2 ;
    zg:qualifier zg:Approximately ;
    zg:holdsOn "2019-01-02"^^xsd:date ;
    zg:quotation "It covers about 6.5 square kilometres." ;
    dct:source zgs:test-new-park-2019 .
"""

NEW_PARK = ZGR + "sino-finnish-test-park"


@pytest.fixture
def with_new_park(kg_dir: Path, tmp_path: Path) -> zonegraph.KnowledgeGraph:
    """A copy of the KG with the made-up park added by ``zonegraph add`` (a real process)."""
    draft = tmp_path / "test-new-park-2019.ttl"
    draft.write_text(NEW_PARK_DRAFT, encoding="utf-8")
    done = run_cli("--kg", str(kg_dir), "-q", "add", str(draft))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (kg_dir / "kg" / "test-new-park-2019.ttl").exists()
    return zonegraph.open_kg(kg_dir)


def test_a_park_added_through_add_is_in_every_comparison_query(
    with_new_park: zonegraph.KnowledgeGraph,
) -> None:
    kg = with_new_park
    by_country = rows(
        kg, "parks-by-partner-country", "park", "cityLabel", "provinceLabel", country="Finland"
    )
    assert by_country == [(NEW_PARK, "Test Harbour City", "Shandong")]

    timeline = rows(kg, "park-timeline", "park", "date", "eventTypeLabel", "approvedByLabel")
    assert (
        NEW_PARK,
        "2017-12-11",
        "approval",
        "State Council of the People's Republic of China",
    ) in timeline

    areas = rows(kg, "figure-across-parks", "park", "value", "qualifierLabel", "unitLabel")
    assert (NEW_PARK, "6.5", "about", "square kilometre") in areas

    counts = {r[0]: r[1] for r in rows(kg, "countries-with-most-parks", "countryLabel", "parks")}
    assert counts["Finland"] == "1"

    # The queries that take a zone or place find it too, without one and with its place.
    assert NEW_PARK in {s(r["park"]) for r in kg.query("parks-of-zone").rows}
    in_shandong = {s(r["park"]) for r in kg.query("parks-of-zone", zone="Shandong").rows}
    assert {NEW_PARK, ECOPARK} <= in_shandong
    assert NEW_PARK in {
        s(r["park"]) for r in kg.query("parks-of-zone", zone="Test Harbour City").rows
    }
    assert {
        (s(r["park"]), s(r["countryLabel"])) for r in kg.query("collaboration-network").rows
    } >= {(NEW_PARK, "Finland")}
    assert ("Finland", "cooperation park", NEW_PARK) in {
        (s(r["countryLabel"]), s(r["through"]), s(r["via"]))
        for r in kg.query("countries-of-zone", zone="Sino-Finnish Test Park").rows
    }
    assert {
        s(r["figure"]) for r in kg.query("zone-key-figures", zone="Sino-Finnish Test Park").rows
    } == {ZGR + "figure-sino-finnish-test-park-area-2019-01-02"}
    assert ZGR + "approval-sino-finnish-test-park" in {
        s(r["event"]) for r in kg.query("timeline", entity="Test Harbour City").rows
    }
    # A district it spans leads to it (zg:locatedIn, several values).
    assert ZGR + "approval-sino-finnish-test-park" in {
        s(r["event"])
        for r in kg.query("timeline", entity="East District of Test Harbour City").rows
    }
