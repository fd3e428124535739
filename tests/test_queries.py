"""The canned queries of ``queries/``: their headers, and their answers on the shipped graph.

Each canned query has a test that states, as sets of (label, value) tuples,
what it answers about the facts of the founding article (China Daily,
10 June 2018). Numbers are compared by value, dates by lexical form and
datatype (a launch "in 2011" stays an ``xsd:gYear``). A guard test fails when a
query is added without a test here.

The last tests run every canned query on a second engine (pyoxigraph, when
installed) with the same data and parameters and compare the rows: rdflib and
Oxigraph differ on mixed-type comparisons, on duplicates in the union default
graph and on how parameters are bound (``initBindings`` vs ``substitutions``,
which needs the parameter in the SELECT projection).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Literal, URIRef

import zonegraph
from support import (
    ARTICLE,
    CRI,
    CRI_GERMAN,
    ECNS,
    IECZ,
    IHK,
    IMSILKROAD,
    MSAMCONF,
    PEOPLECN,
    QINGDAO_SOURCES,
    SGEP,
    SIEMENS,
    WIKIDATA,
)
from test_parks import ANSWERED as PARK_QUERIES_ANSWERED

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "queries"

ZG = "https://w3id.org/zonegraph/ontology#"
ZGR = "https://w3id.org/zonegraph/id/"
ZGS = "https://w3id.org/zonegraph/source/"
ONTOLOGY_GRAPH = "https://w3id.org/zonegraph/ontology"
# Plain strings, not rdflib.XSD: pytest's collection probes module attributes,
# and rdflib's closed namespaces warn on every unknown one.
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DECIMAL, XSD_INTEGER, XSD_STRING = (
    URIRef(XSD + "decimal"),
    URIRef(XSD + "integer"),
    URIRef(XSD + "string"),
)
NUMERIC = {XSD_DECIMAL, XSD_INTEGER, URIRef(XSD + "double"), URIRef(XSD + "float")}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

ZONE = "Qingdao International Economic Cooperation Zone"
ECOPARK = "Sino-German Ecopark"
BRITAIN_PARK = "China-Britain Innovation Industry Park"
RUSSIAN_PARK = "Sino-Russian cooperation park"
COMMITTEE = "Qingdao International Economic Cooperation Zone Management Committee"
NEW_AREA_GOVERNMENT = "Qingdao West Coast New Area government"
NEW_AREA_BODY = ZGR + "qingdao-west-coast-new-area-government"
TRAINING = ZGR + "iecz-doctoral-postdoctoral-training"
FUNDS = ZGR + "west-coast-new-area-manufacturing-support-funds"
PARTNERSHIP = ZGR + "partnership-sino-german-ecopark-research"

# Values for the required parameters, when a test runs every query.
REQUIRED = {
    "entity-facts": {"entity": "zgr:sino-german-ecopark"},
    "search-labels": {"text": "ecopark"},
    "facts-of-source": {"source": "zgs:imsilkroad-2018-04-25"},
}


# -- helpers -------------------------------------------------------------------


def s(term: Any) -> str | None:
    """The text of a term (IRI or literal), None when unbound; a number by its value, in
    its shortest form ("10.0"^^xsd:decimal as "10": the default store, Oxigraph's, keeps
    values, not lexical forms)."""
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype in NUMERIC:
        return format(Decimal(str(term.toPython())).normalize(), "f")
    return str(term)


def by_value(term: Any) -> Any:
    """*term*, or a number's value (lexical forms differ by store, values do not)."""
    if isinstance(term, Literal) and term.datatype in NUMERIC:
        return Decimal(str(term.toPython())).normalize()
    return term


def num(term: Any) -> Decimal | None:
    """A numeric literal's value as a Decimal (by value, not lexical form)."""
    return None if term is None else Decimal(str(term.toPython()))


def dated(term: Any) -> tuple[str, str] | None:
    """A date literal as (lexical form, datatype): keeps the source's precision."""
    return None if term is None else (str(term), str(term.datatype))


def run(kg: zonegraph.KnowledgeGraph, name: str, **params: Any) -> Any:
    return kg.query(name, **params)


def rows(
    kg: zonegraph.KnowledgeGraph, name: str, *cols: str, **params: Any
) -> list[tuple[Any, ...]]:
    """The rows of a canned query as tuples of the text of *cols*."""
    return [tuple(s(r[c]) for c in cols) for r in run(kg, name, **params).rows]


GYEAR, DATE = XSD + "gYear", XSD + "date"
TESTED: set[str] = set()


def answers(name: str):  # type: ignore[no-untyped-def]
    """Mark a test as the answer test of the canned query *name*."""
    TESTED.add(name)
    return lambda f: f


# Parks added for issue #18 by branch parks-c, each from two or more sources.
JAPAN_ZONE = "China-Japan (Qingdao) Local Development Cooperation Demonstration Zone"
JAPAN_ZONE_IRI = ZGR + "china-japan-qingdao-local-development-cooperation-demonstration-zone"
ISRAEL_PLAN = ZGR + "china-israel-changzhou-innovation-park-co-construction-plan"
MECHUBAN = URIRef(ZGS + "mechuban-2020-05")
IQINGDAO = URIRef(ZGS + "iqingdao-2021-02-08")


def qingdao_rows(
    kg: zonegraph.KnowledgeGraph, name: str, *cols: str, **params: Any
) -> list[tuple[Any, ...]]:
    """The rows of *name* that a founding Qingdao source gives (its ?source), as
    tuples of the text of *cols*: whole-graph answers stay those of the Qingdao
    graph however many parks other sources add (their answers: tests/test_parks*.py)."""
    return [
        tuple(s(r[c]) for c in cols)
        for r in run(kg, name, **params).rows
        if r["source"] in QINGDAO_SOURCES
    ]


# -- the answers -----------------------------------------------------------------


@answers("parks-of-zone")
def test_parks_of_zone(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "parks-of-zone", zone=ZONE)
    got = {(s(r["parkLabel"]), s(r["countryLabel"]), dated(r["launched"])) for r in res.rows}
    assert got == {
        (ECOPARK, "Germany", ("2011", GYEAR)),
        (BRITAIN_PARK, "United Kingdom", ("2017-11-09", DATE)),
        (RUSSIAN_PARK, "Russia", ("2018-04-21", DATE)),
        # In the zone since 2020 (mechuban.com, May 2020; issue #18).
        (JAPAN_ZONE, "Japan", ("2020-05-14", DATE)),
    }
    # One row per park and source placing it in the zone.
    assert {(s(r["parkLabel"]), r["source"]) for r in res.rows} == {
        (ECOPARK, ARTICLE),
        (BRITAIN_PARK, ARTICLE),
        (BRITAIN_PARK, CRI),
        (BRITAIN_PARK, IECZ),
        (RUSSIAN_PARK, ARTICLE),
        (RUSSIAN_PARK, IMSILKROAD),
        (JAPAN_ZONE, MECHUBAN),
    }
    assert len(res.rows) == 7
    assert {s(r["zone"]) for r in res.rows} == {ZGR + "qingdao-iecz"}
    assert [s(r["parkLabel"]) for r in res.rows] == sorted(s(r["parkLabel"]) for r in res.rows)
    # Without a zone: every park in China, once per place a source says it lies
    # in, the zone's among them; a place other than a zone works too.
    every = run(kg, "parks-of-zone")
    assert {s(r["zone"]) for r in every.rows} == {ZGR + "china"}
    assert {(s(r["parkLabel"]), s(r["containerLabel"]), r["source"]) for r in every.rows} >= {
        (ECOPARK, ZONE, ARTICLE),
        (ECOPARK, "Qingdao Economic and Technological Development Zone", PEOPLECN),
        (ECOPARK, "Qingdao West Coast New Area", ECNS),
        (RUSSIAN_PARK, ZONE, IMSILKROAD),
    }
    in_qingdao = {s(r["parkLabel"]) for r in run(kg, "parks-of-zone", zone="Qingdao").rows}
    assert in_qingdao == {ECOPARK, BRITAIN_PARK, RUSSIAN_PARK, JAPAN_ZONE}


@answers("zone-key-figures")
def test_zone_key_figures(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "zone-key-figures", zone=ZONE)
    got = {
        (
            s(r["measureLabel"]),
            num(r["value"]),
            s(r["qualifierLabel"]),
            s(r["unitLabel"]) or s(r["currencyCode"]),
        )
        for r in res.rows
    }
    assert got == {
        ("area", Decimal(202), "exactly", "square kilometre"),
        ("registered enterprises", Decimal(152), "exactly", "number"),
        ("foreign investment projects", Decimal(50), "more than", "number"),
        ("Fortune 500 companies", Decimal(7), "exactly", "number"),
        ("investment", Decimal(40_000_000_000), "about", "CNY"),
        ("investment", Decimal(6_240_000_000), "about", "USD"),
    }
    assert len(res.rows) == 6
    for r in res.rows:
        assert r["value"].datatype == XSD_DECIMAL
        assert dated(r["holdsOn"]) == ("2018-06-10", DATE)
        assert r["source"] == ARTICLE
    # The two investment figures are each other's equivalent, read both ways.
    money = {s(r["currencyCode"]): r for r in res.rows if r["currencyCode"] is not None}
    assert money["USD"]["equivalent"] == money["CNY"]["figure"]
    assert money["CNY"]["equivalent"] == money["USD"]["figure"]
    assert all(r["equivalent"] is None for r in res.rows if r["currencyCode"] is None)
    # Without a zone: every party's figures, the zone's among them, by party.
    every = run(kg, "zone-key-figures")
    assert {r["figure"] for r in res.rows} < {r["figure"] for r in every.rows}
    assert {s(r["zoneLabel"]) for r in every.rows} >= {ZONE, ECOPARK, BRITAIN_PARK, RUSSIAN_PARK}
    labels = [s(r["zoneLabel"]).lower() for r in every.rows]
    assert labels == sorted(labels)


def test_zone_key_figures_never_drop_the_qualifier(kg: zonegraph.KnowledgeGraph) -> None:
    """A figure stated "more than 50" is 50 with its qualifier, never a bare 50."""
    res = run(kg, "zone-key-figures")
    assert res.rows
    assert all(r["qualifierLabel"] is not None for r in res.rows)


@answers("countries-of-zone")
def test_countries_of_zone(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "countries-of-zone", zone=ZONE)
    got = {(s(r["countryLabel"]), s(r["through"]), s(r["via"])) for r in res.rows}
    zone = ZGR + "qingdao-iecz"
    assert got == {
        ("Germany", "direct cooperation", zone),
        ("United Kingdom", "direct cooperation", zone),
        ("Finland", "direct cooperation", zone),
        ("France", "direct cooperation", zone),
        ("South Korea", "direct cooperation", zone),
        ("Germany", "cooperation park", ZGR + "sino-german-ecopark"),
        ("United Kingdom", "cooperation park", ZGR + "china-britain-innovation-industry-park"),
        ("Russia", "cooperation park", ZGR + "sino-russian-cooperation-park"),
        ("Japan", "cooperation park", JAPAN_ZONE_IRI),
        ("Germany", "programme", TRAINING),
        ("Denmark", "programme", TRAINING),
        ("Italy", "programme", TRAINING),
    }
    # Each source stating a park's partner country has its row.
    assert len(res.rows) == 22
    assert {r["source"] for r in res.rows} == {
        ARTICLE,
        CRI_GERMAN,
        ECNS,
        IHK,
        PEOPLECN,
        SIEMENS,
        CRI,
        IECZ,
        SGEP,
        IMSILKROAD,
        IQINGDAO,
        MECHUBAN,
    }
    # Without a zone: the links of every zone and park in China, the zone's among them.
    every = run(kg, "countries-of-zone")
    assert {s(r["zone"]) for r in every.rows} == {ZGR + "china"}
    assert {(s(r["countryLabel"]), s(r["through"]), s(r["via"])) for r in every.rows} >= got


def test_countries_of_a_park(kg: zonegraph.KnowledgeGraph) -> None:
    got = set(rows(kg, "countries-of-zone", "countryLabel", "through", zone=ECOPARK))
    assert got == {("Germany", "cooperation park")}


@answers("organisations-in-place")
def test_organisations_in_place(kg: zonegraph.KnowledgeGraph) -> None:
    expected = {
        ("Qingdao Siemens Innovation Center", "innovation centre", ZONE),
        ("Haier Industrial Intelligent Industry Research Institute", "research institute", ZONE),
        # The first British companies in the China-Britain park (iecz.cn, December 2018).
        ("BlueGreen", "company", BRITAIN_PARK),
        ("DC \u2013 HD", "company", BRITAIN_PARK),
    }
    cols = ("organisationLabel", "typeLabel", "locationLabel")
    assert set(rows(kg, "organisations-in-place", *cols, place=ZONE)) == expected
    # Without a place: every organisation based in China, these among them.
    assert set(rows(kg, "organisations-in-place", *cols)) > expected
    # A place's parts count: the zone is part of the new area.
    assert (
        set(rows(kg, "organisations-in-place", *cols, place="Qingdao West Coast New Area"))
        == expected
    )
    # (and, in Germany, what the parks across China name there: issue #18's sources)
    assert set(
        rows(kg, "organisations-in-place", "organisationLabel", "typeLabel", place="Germany")
    ) >= {
        ("German National Academy of Science and Engineering", "academy"),
        ("Fraunhofer Institute", "research institute"),
        # Wu Hongbo's embassy, read from his title (CRI German, 2011).
        ("Chinese Embassy in Germany", "government body"),
    }
    assert rows(kg, "organisations-in-place", "organisation", place=ECOPARK) == []


@answers("timeline")
def test_timeline(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "timeline", entity=ZONE)
    got = [
        (
            dated(r["date"]),
            num(r["year"]),
            s(r["eventTypeLabel"]),
            s(r["subjectLabel"]),
            r["source"],
        )
        for r in res.rows
    ]
    # Ordered by date although the dates mix xsd:gYear, xsd:gYearMonth and
    # xsd:date; each source's event has its row (two sources date the
    # Sino-Russian park's launch the same day).
    GYEARMONTH = XSD + "gYearMonth"
    assert got == [
        (("2010-07", GYEARMONTH), Decimal(2010), "agreement", ECOPARK, CRI_GERMAN),
        (("2011", GYEAR), Decimal(2011), "construction start", ECOPARK, ECNS),
        (("2011", GYEAR), Decimal(2011), "launch", ECOPARK, ARTICLE),
        (("2011-12-06", DATE), Decimal(2011), "construction start", ECOPARK, PEOPLECN),
        (("2016", GYEAR), Decimal(2016), "agreement", BRITAIN_PARK, CRI),
        (("2017", GYEAR), Decimal(2017), "construction start", BRITAIN_PARK, IECZ),
        (("2017-11-09", DATE), Decimal(2017), "launch", BRITAIN_PARK, CRI),
        (("2018-01-31", DATE), Decimal(2018), "agreement", BRITAIN_PARK, SGEP),
        (("2018-04-21", DATE), Decimal(2018), "agreement", ZONE, IMSILKROAD),
        (("2018-04-21", DATE), Decimal(2018), "launch", RUSSIAN_PARK, ARTICLE),
        (("2018-04-21", DATE), Decimal(2018), "launch", RUSSIAN_PARK, IMSILKROAD),
        (("2020", GYEAR), Decimal(2020), "approval", JAPAN_ZONE, MECHUBAN),
        (("2020-05-14", DATE), Decimal(2020), "launch", JAPAN_ZONE, MECHUBAN),
    ]
    assert all(r["year"].datatype == XSD_INTEGER for r in res.rows)
    # Without an entity: the events of everything in China, the zone's among them.
    every = run(kg, "timeline")
    assert {r["event"] for r in res.rows} <= {r["event"] for r in every.rows}
    assert {s(r["entity"]) for r in every.rows} == {ZGR + "china"}


def test_timeline_of_a_park(kg: zonegraph.KnowledgeGraph) -> None:
    # An agreement, a launch and two construction starts, each from its source.
    assert rows(kg, "timeline", "event", entity=ECOPARK) == [
        (ZGR + "agreement-sino-german-ecopark-2010-07",),
        (ZGR + "construction-start-sino-german-ecopark",),
        (ZGR + "launch-sino-german-ecopark",),
        (ZGR + "construction-start-sino-german-ecopark-2011-12-06",),
    ]
    assert rows(kg, "timeline", "event", entity=BRITAIN_PARK) == [
        (ZGR + "agreement-china-britain-innovation-industry-park-2016",),
        (ZGR + "construction-start-china-britain-innovation-industry-park",),
        (ZGR + "launch-china-britain-innovation-industry-park",),
        (ZGR + "agreement-china-britain-innovation-industry-park-2018-01-31",),
    ]


@answers("post-holders")
def test_post_holders(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("organisationLabel", "roleLabel", "personLabel", "source")
    assert set(qingdao_rows(kg, "post-holders", *cols)) == {
        (COMMITTEE, "director", "Zhao Shiyu", str(ARTICLE)),
        (NEW_AREA_GOVERNMENT, "official", "Liu Huawei", str(ARTICLE)),
        ("Management Committee of the Sino-German Ecopark", "president", "Zhao Shiyu", str(IECZ)),
        ("British Embassy in China", "deputy ambassador", "Christina Scott", str(IECZ)),
        ("British Chamber of Commerce", "president", "Carolyn Fairbairn", str(SGEP)),
        ("Qingdao Municipal Government", "deputy mayor", "Yao Jian", str(PEOPLECN)),
        # The speakers of the statements the sources report, with their posts.
        ("Management Committee of the Sino-German Ecopark", "official", "Liu Wen", str(ECNS)),
        ("Chinese Embassy in Germany", "ambassador", "Wu Hongbo", str(CRI_GERMAN)),
        (
            "Department of European Affairs of the Ministry of Commerce of China",
            "deputy director-general",
            "Yu Yuantang",
            str(CRI),
        ),
    }
    assert rows(kg, "post-holders", "roleLabel", "personLabel", organisation=COMMITTEE) == [
        ("director", "Zhao Shiyu")
    ]


@answers("sectors-targeted")
def test_sectors_targeted(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("sectorLabel", "by", "how", "where")
    zone = ZGR + "qingdao-iecz"
    assert set(qingdao_rows(kg, "sectors-targeted", *cols)) == {
        ("intelligent manufacturing", zone, "targets", zone),
        ("artificial intelligence", zone, "targets", zone),
        ("robotics", zone, "targets", zone),
        ("advanced manufacturing", zone, "targets", zone),
        ("intelligent manufacturing", PARTNERSHIP, "partnership", ZGR + "sino-german-ecopark"),
        ("manufacturing", FUNDS, "supports", ZGR + "qingdao-west-coast-new-area-government"),
        # "It is supporting ... emerging industries": "It" is the New Area, not the funds.
        ("emerging industries", NEW_AREA_BODY, "targets", NEW_AREA_BODY),
    }
    assert rows(kg, "sectors-targeted", "sectorLabel", "how", sector="robotics") == [
        ("robotics", "targets")
    ]


@answers("collaboration-network")
def test_collaboration_network(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("countryLabel", "organisationLabel", "parkLabel", "link")
    assert set(qingdao_rows(kg, "collaboration-network", *cols)) == {
        ("Germany", "German National Academy of Science and Engineering", ECOPARK, "partnership"),
        ("Germany", "Fraunhofer Institute", ECOPARK, "partnership"),
        ("Germany", "Government of China", ECOPARK, "supported by"),
        ("Germany", "Government of Germany", ECOPARK, "supported by"),
        (
            "Germany",
            "Ministry of Commerce of the People's Republic of China",
            ECOPARK,
            "supported by",
        ),
        ("Germany", "Federal Ministry of Economics and Technology", ECOPARK, "supported by"),
        ("United Kingdom", "British Chamber of Commerce", BRITAIN_PARK, "partnership"),
        ("United Kingdom", "Qingdao Municipal Government", BRITAIN_PARK, "partnership"),
        ("United Kingdom", "BlueGreen", BRITAIN_PARK, "based in"),
        ("United Kingdom", "DC \u2013 HD", BRITAIN_PARK, "based in"),
        ("Russia", COMMITTEE, RUSSIAN_PARK, "partnership"),
        ("Russia", "Vanke Group", RUSSIAN_PARK, "partnership"),
        ("Russia", "Wanhe Eurasia Capital", RUSSIAN_PARK, "partnership"),
    }
    # Both governments' support is stated by three sources: a row for each.
    assert (
        len([r for r in run(kg, "collaboration-network").rows if r["source"] in QINGDAO_SOURCES])
        == 17
    )


@answers("entity-facts")
def test_entity_facts(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "entity-facts", entity="zgr:sino-german-ecopark")
    got = {(s(r["direction"]), s(r["property"]), s(r["value"]), r["graph"]) for r in res.rows}
    assert ("out", ZG + "partnerCountry", ZGR + "germany", ARTICLE) in got
    assert ("out", ZG + "partOf", ZGR + "qingdao-iecz", ARTICLE) in got
    assert ("out", ZG + "supportedBy", ZGR + "government-of-germany", ARTICLE) in got
    assert ("in", ZG + "concerns", ZGR + "launch-sino-german-ecopark", ARTICLE) in got
    assert ("in", ZG + "partOf", ZGR + "passive-house-technology-center", ARTICLE) in got
    assert ("in", ZG + "partnershipIn", PARTNERSHIP, ARTICLE) in got
    # Later sources place it elsewhere too, each in its own graph.
    assert ("out", ZG + "partOf", ZGR + "qingdao-west-coast-new-area", ECNS) in got
    assert ("in", ZG + "figureOf", ZGR + "figure-sino-german-ecopark-area-2014-08-04", ECNS) in got
    assert {r["graph"] for r in res.rows} == {
        ARTICLE,
        CRI_GERMAN,
        PEOPLECN,
        ECNS,
        IHK,
        CRI,
        IECZ,
        SIEMENS,
    }
    # Every source gives it the same English label; other names are altLabels.
    labels = {s(r["value"]) for r in res.rows if s(r["property"]) == RDFS_LABEL}
    assert labels == {ECOPARK}


def test_entity_facts_keep_each_source_apart(kg: zonegraph.KnowledgeGraph) -> None:
    """Germany is described by the article and by Wikidata: each fact names its graph."""
    res = run(kg, "entity-facts", entity="Germany")
    got = {(s(r["direction"]), s(r["property"]), s(r["value"]), r["graph"]) for r in res.rows}
    assert ("out", ZG + "isoCode", "DE", WIKIDATA) in got
    assert ("out", ZG + "wikidata", "http://www.wikidata.org/entity/Q183", WIKIDATA) in got
    assert ("out", "http://purl.org/dc/terms/source", str(ARTICLE), ARTICLE) in got
    assert ("out", "http://purl.org/dc/terms/source", str(WIKIDATA), WIKIDATA) in got
    assert ("in", ZG + "partnerCountry", ZGR + "sino-german-ecopark", ARTICLE) in got
    assert {r["graph"] for r in res.rows} & QINGDAO_SOURCES == {
        ARTICLE,
        WIKIDATA,
        CRI_GERMAN,
        PEOPLECN,
        ECNS,
        IHK,
        SIEMENS,
    }


@answers("data-gaps")
def test_data_gaps_none_on_shipped_graph(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "data-gaps")
    assert res.vars[:2] == ["entity", "gap"]
    assert res.rows == []


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_data_gaps_found_when_present(kg_dir: Path, tmp_path: Path, store: str) -> None:
    (kg_dir / "kg" / "gappy.ttl").write_text(
        GAPPY_TTL,
        encoding="utf-8",
    )
    if store == "oxigraph":
        from zonegraph._load import load
        from zonegraph.store.oxigraph import OxigraphStore

        gappy = zonegraph.open_kg(kg_dir, store=OxigraphStore(tmp_path / "store"))
        load(gappy)
    else:
        gappy = zonegraph.open_kg(kg_dir)
    res = gappy.query("data-gaps")
    gappy.store.close()
    got = {(s(r["entity"]), s(r["gap"])) for r in res.rows}
    assert got == {
        (ZGR + "gappy-park", "no source"),
        (ZGR + "gappy-park", "no label"),
        (ZGR + "launch-gappy-park", "event without date"),
        (ZGR + "figure-gappy-park-area", "figure without date"),
        (ZGR + "figure-gappy-park-area", "figure without qualifier"),
    }


GAPPY_TTL = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .

zgs:gappy a zg:WebPage ; rdfs:label "A gappy page"@en .
zgr:gappy-park a zg:CooperationPark ; zg:partOf zgr:qingdao-iecz ;
    rdfs:seeAlso [ rdfs:comment "An unnamed note: a blank node is no entity"@en ] .
zgr:launch-gappy-park a zg:Launch ; rdfs:label "Launch"@en ;
    zg:concerns zgr:gappy-park ; dct:source zgs:gappy .
zgr:figure-gappy-park-area a zg:Figure ; rdfs:label "Area"@en ;
    zg:figureOf zgr:gappy-park ; zg:measure zg:Area ; zg:value "3"^^xsd:decimal ;
    zg:unit unit:KiloM2 ; dct:source zgs:gappy .
"""


@answers("facts-per-source")
def test_facts_per_source(kg: zonegraph.KnowledgeGraph) -> None:
    from rdflib import Graph

    res = run(kg, "facts-per-source")
    expected: dict[str, int] = {}
    for path in sorted((REPO / "kg").glob("*.ttl")):
        expected[ZGS + path.stem] = len(Graph().parse(path, format="turtle"))
    got = {s(r["source"]): r["facts"] for r in res.rows}
    assert set(got) == set(expected)
    assert {k: v.toPython() for k, v in got.items()} == expected
    assert all(
        r["facts"].datatype == XSD_INTEGER and r["entities"].datatype == XSD_INTEGER
        for r in res.rows
    )
    types = {s(r["source"]): s(r["sourceType"]) for r in res.rows}
    assert types[str(ARTICLE)] == ZG + "NewsArticle"
    assert types[str(WIKIDATA)] == ZG + "ReferenceDataset"
    article = next(r for r in res.rows if r["source"] == ARTICLE)
    assert s(article["title"]) == "International zone is key to fresh drivers"
    assert dated(article["issued"]) == ("2018-06-10", DATE)
    # Most facts first.
    counts = [r["facts"].toPython() for r in res.rows]
    assert counts == sorted(counts, reverse=True)


@answers("programmes-and-funds")
def test_programmes_and_funds(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("programme", "typeLabel", "partyLabel", "role", "countryLabel")
    assert set(qingdao_rows(kg, "programmes-and-funds", *cols)) == {
        (FUNDS, "fund", NEW_AREA_GOVERNMENT, "established by", None),
        (TRAINING, "training programme", ZONE, "run by", "Germany"),
        (TRAINING, "training programme", ZONE, "run by", "Denmark"),
        (TRAINING, "training programme", ZONE, "run by", "Italy"),
        # The passive-house trial the Ecopark runs (ECNS, 2014).
        (ZGR + "sino-german-ecopark-passive-house-trial", "programme", ECOPARK, "run by", None),
    }
    assert {r[0] for r in rows(kg, "programmes-and-funds", "programme", type="zg:Fund")} == {FUNDS}


@answers("standards-and-facilities")
def test_standards_and_facilities(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("standardLabel", "facilityLabel", "typeLabel", "placeLabel", "source")
    expected = [
        (
            "Passive house standard",
            "Passive house technology center in the Sino-German Ecopark",
            "technology centre",
            ECOPARK,
            str(ARTICLE),
        )
    ]
    assert rows(kg, "standards-and-facilities", *cols) == expected
    assert (
        rows(kg, "standards-and-facilities", *cols, standard="passive house standard") == expected
    )
    definition = run(kg, "standards-and-facilities").rows[0]["definition"]
    assert "voluntary standard for energy efficiency" in str(definition)


@answers("people-and-roles")
def test_people_and_roles(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("personLabel", "role", "context")
    assert set(qingdao_rows(kg, "people-and-roles", *cols)) == {
        ("Han Lu", "author", str(ARTICLE)),
        ("Yu Fangping", "photographer", ZGR + "photo-sino-german-ecopark"),
        ("Zhao Shiyu", "director", ZGR + "iecz-management-committee"),
        ("Liu Huawei", "official", ZGR + "qingdao-west-coast-new-area-government"),
        ("Zhao Shiyu", "president", ZGR + "sino-german-ecopark-management-committee"),
        ("Christina Scott", "deputy ambassador", ZGR + "british-embassy-in-china"),
        ("Carolyn Fairbairn", "president", ZGR + "british-chamber-of-commerce"),
        ("Yao Jian", "deputy mayor", ZGR + "qingdao-municipal-government"),
        ("Zhang Yixuan", "author", str(PEOPLECN)),
        ("Liu Wen", "official", ZGR + "sino-german-ecopark-management-committee"),
        ("Wu Hongbo", "ambassador", ZGR + "chinese-embassy-in-germany"),
        ("Yu Yuantang", "deputy director-general", ZGR + "mofcom-department-of-european-affairs"),
    }
    # Two sources name Zhao Shiyu's post differently: both are kept.
    assert rows(kg, "people-and-roles", "role", "contextLabel", "source", person="Zhao Shiyu") == [
        ("director", COMMITTEE, str(ARTICLE)),
        ("president", "Management Committee of the Sino-German Ecopark", str(IECZ)),
    ]


@answers("search-labels")
def test_search_labels(kg: zonegraph.KnowledgeGraph) -> None:
    got = {r[0] for r in rows(kg, "search-labels", "entity", text="ecopark")}
    assert got == {
        ZGR + "sino-german-ecopark",
        ZGR + "launch-sino-german-ecopark",
        ZGR + "passive-house-technology-center",
        ZGR + "photo-sino-german-ecopark",
        ZGR + "photo-passive-house-technology-center",
        PARTNERSHIP,
        # What the later sources state about the Ecopark, and two of the sources.
        ZGR + "agreement-sino-german-ecopark-2010-07",
        ZGR + "construction-start-sino-german-ecopark",
        ZGR + "construction-start-sino-german-ecopark-2011-12-06",
        ZGR + "figure-sino-german-ecopark-area-2011-12-09",
        ZGR + "figure-sino-german-ecopark-area-2014-08-04",
        ZGR + "figure-sino-german-ecopark-area-2015-02",
        ZGR + "figure-sino-german-ecopark-area-2018",
        ZGR + "sino-german-ecopark-passive-house-trial",
        ZGR + "sino-german-ecopark-management-committee",
        ZGR + "post-sino-german-ecopark-management-committee-president",
        # Liu Wen's post in the Ecopark's committee, and what was said about the Ecopark.
        ZGR + "post-sino-german-ecopark-management-committee-official-liu-wen",
        ZGR + "statement-chinadaily-2018-06-10-local-officials-sino-german-ecopark",
        ZGR + "statement-ecns-2014-08-04-managers-marine-technology",
        ZGR + "statement-ecns-2014-08-04-liu-wen-ocean-sectors",
        ZGR + "statement-cri-german-2011-09-16-wu-hongbo-new-impulses",
        ZGR + "statement-peoplecn-2011-12-09-yao-jian-standards",
        str(CRI_GERMAN),
        str(ECNS),
        str(SGEP),
    }
    # Case-insensitive, and alternative labels count.
    assert {r[0] for r in rows(kg, "search-labels", "entity", text="ECOPARK")} == got
    assert set(rows(kg, "search-labels", "entity", "type", text="People's Republic")) == {
        (ZGR + "china", ZG + "Country"),
        (ZGR + "ministry-of-commerce-of-china", ZG + "GovernmentBody"),
        # "State Council of the People's Republic of China", named by the parks of issue #18.
        (ZGR + "state-council-of-china", ZG + "GovernmentBody"),
    }
    # Ontology classes are not entities.
    assert {r[0] for r in rows(kg, "search-labels", "entity", text="cooperation park")} == {
        ZGR + "sino-russian-cooperation-park",
        ZGR + "launch-sino-russian-cooperation-park",
        # ... and what Xinhua Silk Road (2018-04-25) states about the park.
        ZGR + "launch-sino-russian-cooperation-park-imsilkroad",
        ZGR + "agreement-qingdao-iecz-russian-partners-2018-04-21",
        ZGR + "figure-sino-russian-cooperation-park-first-phase-area-2018-04-25",
        ZGR + "partnership-sino-russian-cooperation-park-development",
        str(IMSILKROAD),
        # The park category of the Ecopark ("a strategic cooperation park").
        ZGR + "category-strategic-cooperation-park",
        # A park category (Valley News Live, 2021).
        ZGR + "category-provincial-level-international-cooperation-park",
    }
    assert rows(kg, "search-labels", "entity", text="no such thing anywhere") == []


@answers("place-hierarchy")
def test_place_hierarchy(kg: zonegraph.KnowledgeGraph) -> None:
    res = run(kg, "place-hierarchy", place=ZONE)
    got = [
        (num(r["depth"]), s(r["childLabel"]), s(r["parentLabel"]), r["source"])
        for r in res.rows
        if r["source"] in QINGDAO_SOURCES
    ]
    # Bottom up, each containment with the source that states it (the Qingdao sources;
    # later sources state some of these steps too).
    assert got == [
        (4, ZONE, "Qingdao West Coast New Area", ARTICLE),
        (4, ZONE, "Qingdao West Coast New Area", CRI),
        (4, ZONE, "Qingdao West Coast New Area", IMSILKROAD),
        (3, "Qingdao West Coast New Area", "Qingdao", ARTICLE),
        (2, "Qingdao", "Shandong", MSAMCONF),
        (1, "Shandong", "China", WIKIDATA),
    ]
    assert all(r["depth"].datatype == XSD_INTEGER for r in res.rows)
    # Without a place: every place's hierarchy, the zone's among them.
    every = {
        (s(r["place"]), s(r["child"]), s(r["parent"]), r["source"])
        for r in run(kg, "place-hierarchy").rows
    }
    assert {(s(r["place"]), s(r["child"]), s(r["parent"]), r["source"]) for r in res.rows} < every
    assert {place for place, *_ in every} >= {ZGR + "qingdao-iecz", ZGR + "sino-german-ecopark"}
    park = [
        (num(r["depth"]), s(r["child"]), s(r["parent"]))
        for r in run(kg, "place-hierarchy", place=ECOPARK).rows
        if r["source"] in QINGDAO_SOURCES
    ]
    # Sources place the Ecopark in the zone (China Daily), in the Qingdao
    # economic and technological development zone (CRI 2011, People's Daily
    # 2011) and in the West Coast New Area (ECNS 2014): one row per source.
    ETDZ = "qingdao-economic-and-technological-development-zone"
    assert park == [
        (d, ZGR + c, ZGR + p)
        for d, c, p in [
            (6, "sino-german-ecopark", "china"),
            (6, "sino-german-ecopark", ETDZ),
            (6, "sino-german-ecopark", ETDZ),
            (6, "sino-german-ecopark", "qingdao-iecz"),
            (6, "sino-german-ecopark", "qingdao-west-coast-new-area"),
            (4, "qingdao-iecz", "qingdao-west-coast-new-area"),
            (4, "qingdao-iecz", "qingdao-west-coast-new-area"),
            (4, "qingdao-iecz", "qingdao-west-coast-new-area"),
            (3, ETDZ, "qingdao"),
            (3, ETDZ, "qingdao"),
            (3, "qingdao-west-coast-new-area", "qingdao"),
            (2, "qingdao", "shandong"),
            (1, "shandong", "china"),
        ]
    ]


@answers("reference-identifiers")
def test_reference_identifiers(kg: zonegraph.KnowledgeGraph) -> None:
    wd = "http://www.wikidata.org/entity/"
    got = set(rows(kg, "reference-identifiers", "entityLabel", "wikidata", "code", "source"))
    countries = {
        ("China", "Q148", "CN"),
        ("Germany", "Q183", "DE"),
        ("United Kingdom", "Q145", "GB"),
        ("Finland", "Q33", "FI"),
        ("France", "Q142", "FR"),
        ("South Korea", "Q884", "KR"),
        ("Russia", "Q159", "RU"),
        ("Denmark", "Q35", "DK"),
        ("Italy", "Q38", "IT"),
        ("renminbi", "Q39099", "CNY"),
        ("United States dollar", "Q4917", "USD"),
        ("Shandong", "Q43407", None),
        ("Siemens", "Q81230", None),
    }
    assert got == {(label, wd + q, code, str(WIKIDATA)) for label, q, code in countries}
    assert rows(kg, "reference-identifiers", "wikidata", entity="Germany") == [(wd + "Q183",)]
    assert rows(kg, "reference-identifiers", "wikidata", entity=ECOPARK) == []


@answers("disagreements")
def test_disagreements(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("entityLabel", "kind", "aspectLabel", "value", "source")
    # Four sources give the Ecopark's area four values: each with its source (the
    # parks of issue #18 add theirs: tests/test_parks*.py).
    assert [r for r in rows(kg, "disagreements", *cols) if r[0] == ECOPARK] == [
        (ECOPARK, "figure", "area", "10", str(PEOPLECN)),
        (ECOPARK, "figure", "area", "11.6", str(ECNS)),
        (ECOPARK, "figure", "area", "12", str(IHK)),
        (ECOPARK, "figure", "area", "30", str(SIEMENS)),
    ]
    assert rows(kg, "disagreements", "value", entity=RUSSIAN_PARK) == []


@answers("facts-of-source")
def test_facts_of_source(kg: zonegraph.KnowledgeGraph) -> None:
    from rdflib import Graph

    graph = Graph().parse(REPO / "kg" / "imsilkroad-2018-04-25.ttl", format="turtle")
    res = run(kg, "facts-of-source", source="zgs:imsilkroad-2018-04-25")
    got = {(r["subject"], r["property"], by_value(r["value"])) for r in res.rows}
    assert got == {(s_, p, by_value(o)) for s_, p, o in graph}
    assert len(res.rows) == len(graph)


@answers("timeline-across-sources")
def test_timeline_across_sources(kg: zonegraph.KnowledgeGraph) -> None:
    GYEARMONTH = XSD + "gYearMonth"
    got = [
        (dated(r["date"]), s(r["kind"]), s(r["whatLabel"]), num(r["value"]), r["source"])
        for r in run(kg, "timeline-across-sources", entity=ECOPARK).rows
    ]
    assert got == [
        (("2010-07", GYEARMONTH), "event", "agreement", None, CRI_GERMAN),
        (("2011", GYEAR), "event", "construction start", None, ECNS),
        (("2011", GYEAR), "event", "launch", None, ARTICLE),
        (("2011-12-06", DATE), "event", "construction start", None, PEOPLECN),
        (("2011-12-09", DATE), "figure", "area", Decimal(10), PEOPLECN),
        (("2014-08-04", DATE), "figure", "area", Decimal("11.6"), ECNS),
        (("2015-02", GYEARMONTH), "figure", "area", Decimal(12), IHK),
        (("2018", GYEAR), "figure", "area", Decimal(30), SIEMENS),
    ]


@answers("single-source-facts")
def test_single_source_facts(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("kind", "property", "value", "source")
    got = set(rows(kg, "single-source-facts", *cols, entity=RUSSIAN_PARK))
    # Its first-phase area and the new source's aims rest on one source each ...
    assert (
        "figure",
        ZG + "FirstPhaseArea",
        "2",
        str(IMSILKROAD),
    ) in got
    # ... its launch date and its place in the zone do not (China Daily agrees).
    assert {k for k, *_ in got} == {"figure", "statement"}
    assert not any(p == ZG + "partOf" for _, p, _, _ in got)


@answers("latest-figures")
def test_latest_figures(kg: zonegraph.KnowledgeGraph) -> None:
    cols = ("measureLabel", "value", "holdsOn", "source")
    assert rows(kg, "latest-figures", *cols, entity=ECOPARK) == [
        ("area", "30", "2018", str(SIEMENS)),
    ]
    everyone = {(r[0], r[1]) for r in rows(kg, "latest-figures", "entityLabel", "measureLabel")}
    assert (ZONE, "area") in everyone
    assert (BRITAIN_PARK, "planned area") in everyone
    assert (RUSSIAN_PARK, "first-phase area") in everyone


def test_every_query_has_an_answer_test(kg: zonegraph.KnowledgeGraph) -> None:
    names = {q.name for q in kg.queries()}
    assert len(names) >= 14
    # The queries that compare parks across China are answered in tests/test_parks.py.
    tested = TESTED | PARK_QUERIES_ANSWERED
    assert names - tested == set(), "add a test of its answers to tests/test_queries.py"
    assert tested - names == set()


# -- parameters ------------------------------------------------------------------

SAME_ENTITY = [
    ("parks-of-zone", "zone", ZGR + "qingdao-iecz", "zgr:qingdao-iecz", ZONE),
    ("timeline", "entity", ZGR + "sino-german-ecopark", "zgr:sino-german-ecopark", ECOPARK),
    (
        "organisations-in-place",
        "place",
        ZGR + "qingdao-west-coast-new-area",
        "zgr:qingdao-west-coast-new-area",
        "Qingdao West Coast New Area",
    ),
    ("entity-facts", "entity", ZGR + "germany", "zgr:germany", "Germany"),
    (
        "post-holders",
        "organisation",
        ZGR + "iecz-management-committee",
        "zgr:iecz-management-committee",
        COMMITTEE,
    ),
    ("people-and-roles", "person", ZGR + "liu-huawei", "zgr:liu-huawei", "Liu Huawei"),
]


@pytest.mark.parametrize(
    ("name", "param", "iri", "curie", "label"), SAME_ENTITY, ids=[c[0] for c in SAME_ENTITY]
)
def test_iri_curie_and_label_give_the_same_rows(
    kg: zonegraph.KnowledgeGraph, name: str, param: str, iri: str, curie: str, label: str
) -> None:
    by_iri = run(kg, name, **{param: iri}).rows
    assert by_iri, "the example entity should give rows"
    assert run(kg, name, **{param: curie}).rows == by_iri
    assert run(kg, name, **{param: label}).rows == by_iri
    assert run(kg, name, **{param: label.upper()}).rows == by_iri
    assert run(kg, name, **{param: URIRef(iri)}).rows == by_iri
    assert {s(r[param]) for r in by_iri} == {iri}


#: The canned queries that take a zone, park, place or entity: none assumes there
#: is one zone. Those that look down a place's parts default to all of China;
#: the others list every entity's answers when not given.
DEFAULT_CHINA = {
    "collaboration-network": "zone",
    "countries-of-zone": "zone",
    "organisations-in-place": "place",
    "parks-of-zone": "zone",
    "timeline": "entity",
    "timeline-across-sources": "entity",
}
ACROSS_ALL = {"place-hierarchy": "place", "zone-key-figures": "zone"}


@pytest.mark.parametrize(("name", "param"), sorted({**DEFAULT_CHINA, **ACROSS_ALL}.items()))
def test_without_a_zone_a_query_answers_for_all_of_them(
    kg: zonegraph.KnowledgeGraph, name: str, param: str
) -> None:
    """No default zone: without the parameter, the answers for the zone are among
    the answers, and the answers for a park too."""
    spec = next(p for p in next(q for q in kg.queries() if q.name == name).params)
    assert spec.name == param
    if name in DEFAULT_CHINA:
        assert spec.default == "zgr:china"
    else:
        assert spec.optional and spec.default is None

    def answers(**given: str) -> set[tuple[Any, ...]]:
        return {
            tuple(sorted((k, v) for k, v in r.items() if k != param))
            for r in run(kg, name, **given).rows
        }

    every = answers()
    for one in (ZONE, ECOPARK):
        assert answers(**{param: one}) <= every, one


def test_an_unbound_optional_parameter_means_all(kg: zonegraph.KnowledgeGraph) -> None:
    everyone = {r[0] for r in rows(kg, "post-holders", "person")}
    one = {r[0] for r in rows(kg, "post-holders", "person", organisation=COMMITTEE)}
    assert one < everyone


# -- the files -------------------------------------------------------------------


def query_files() -> list[Path]:
    return sorted(p for p in QUERIES.glob("*.rq") if p.name != "prefixes.rq")


def header(path: Path) -> dict[str, list[str]]:
    """The header lines of a query file, by key (summary, param, returns, example)."""
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*([a-z]+):\s*(.*)$", line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2).strip())
    return out


def projection(text: str) -> list[str]:
    """The variables of the outermost SELECT clause, in order."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    m = re.search(r"\bSELECT\b(.*?)^WHERE\b", body, re.S | re.M)
    assert m, "no SELECT ... WHERE"
    clause = re.sub(r"\(.*?\bAS\s+(\?\w+)\s*\)", r"\1", m.group(1), flags=re.S | re.I)
    return re.findall(r"\?(\w+)", clause)


def test_prefixes_file_holds_only_prefixes() -> None:
    lines = [
        x for x in (QUERIES / "prefixes.rq").read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    assert all(x.startswith("PREFIX ") for x in lines)
    names = {re.match(r"PREFIX\s+(\w*):", x).group(1) for x in lines}  # type: ignore[union-attr]
    wanted = "zg zgr zgs rdf rdfs owl xsd skos dct prov schema org foaf qudt unit sh wd"
    assert set(wanted.split()) <= names


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_query_file_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    h = header(path)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem), "kebab-case names"
    assert len(h.get("summary", [])) == 1 and h["summary"][0].endswith(".")
    assert len(h.get("returns", [])) == 1
    assert len(h.get("example", [])) == 1
    assert h["example"][0].startswith(f"zonegraph query {path.stem}")
    assert "PREFIX" not in text.upper().replace("PREFIXES", ""), "prefixes come from prefixes.rq"
    select = projection(text)
    assert h["returns"][0].split() == [f"?{v}" for v in select], "returns lists the projection"
    for p in h.get("param", []):
        m = re.match(r"\?(\w+)\s+(iri|string|integer|decimal|date|gyear|boolean)\b", p)
        assert m, f"malformed param line {p!r}"
        var = m.group(1)
        # Oxigraph's substitutions only bind a projected variable.
        assert var in select, f"?{var} must be in the SELECT projection"
        # Never reassigned, and used outside FILTERs where it can be.
        assert not re.search(rf"\bAS\s+\?{var}\b", text), f"?{var} is reassigned"
        assert not re.search(rf"VALUES\s+\?{var}\b", text), f"?{var} is reassigned"


def test_catalogue_reads_every_file(kg: zonegraph.KnowledgeGraph) -> None:
    catalogue = {q.name: q for q in kg.queries()}
    assert set(catalogue) == {p.stem for p in query_files()}
    for q in catalogue.values():
        assert q.summary and q.returns and q.example
        for p in q.params:
            assert p.type in ("iri", "string", "integer", "decimal", "date", "gyear", "boolean")
    zone = catalogue["parks-of-zone"].params[0]
    assert (zone.name, zone.type, zone.cls, zone.default, zone.optional, zone.required) == (
        "zone",
        "iri",
        "zg:Place",
        "zgr:china",
        False,
        False,
    )
    measure = catalogue["figure-across-parks"].params[0]
    assert (measure.name, measure.type, measure.cls, measure.default) == (
        "measure",
        "iri",
        "zg:Measure",
        "zg:Area",
    )
    entity = catalogue["entity-facts"].params[0]
    assert (entity.name, entity.required) == ("entity", True)
    assert catalogue["post-holders"].params[0].required is False


def test_every_query_runs_with_its_defaults(kg: zonegraph.KnowledgeGraph) -> None:
    for q in kg.queries():
        res = kg.query(q.name, **REQUIRED.get(q.name, {}))
        assert res.vars == projection(q.text)
        if q.name != "data-gaps":
            assert res.rows, f"{q.name} answers nothing on the shipped graph"


# -- a second engine ---------------------------------------------------------------


def _norm(term: Any) -> Any:
    """A term as a comparable value: IRIs by text, numbers by value, others by form."""
    if term is None:
        return None
    if isinstance(term, (URIRef, BNode)):
        return ("iri", str(term))
    assert isinstance(term, Literal)
    if term.datatype in NUMERIC:
        return ("num", Decimal(str(term)).normalize())
    datatype = None if term.datatype in (None, XSD_STRING) else str(term.datatype)
    return ("lit", str(term), datatype, term.language)


def _from_oxigraph(term: Any) -> Any:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _to_oxigraph(term: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD_STRING)))


@pytest.fixture(scope="module")
def oxigraph_store() -> Any:
    ox = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    store.load(
        path=str(REPO / "ontology" / "zonegraph.ttl"),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(ONTOLOGY_GRAPH),
    )
    for path in sorted((REPO / "kg").glob("*.ttl")):
        store.load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ZGS + path.stem)
        )
    return store


def oxigraph_rows(
    store: Any, text: str, bindings: dict[str, Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    import pyoxigraph as ox

    prologue = (QUERIES / "prefixes.rq").read_text(encoding="utf-8")
    result = store.query(
        prologue + text,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): _to_oxigraph(v) for k, v in bindings.items()},
    )
    names = [v.value for v in result.variables]
    return names, [tuple(_norm(_from_oxigraph(sol[v])) for v in names) for sol in result]


CROSS_ENGINE = [(p.stem, REQUIRED.get(p.stem, {})) for p in query_files()] + [
    ("timeline", {"entity": "zgr:sino-german-ecopark"}),
    ("organisations-in-place", {"place": "zgr:germany"}),
    ("post-holders", {"organisation": "zgr:iecz-management-committee"}),
    ("place-hierarchy", {"place": "zgr:sino-german-ecopark"}),
    ("sectors-targeted", {"sector": "zgr:sector-robotics"}),
    ("entity-facts", {"entity": "zgr:germany"}),
    ("disagreements", {"entity": "zgr:sino-german-ecopark"}),
    ("facts-of-source", {"source": "zgs:chinadaily-2018-06-10"}),
    ("timeline-across-sources", {"entity": "zgr:qingdao-iecz"}),
    ("single-source-facts", {"entity": "zgr:sino-german-ecopark"}),
    ("latest-figures", {"entity": "zgr:sino-german-ecopark"}),
]


@pytest.mark.parametrize(
    ("name", "given"), CROSS_ENGINE, ids=[f"{n}-{len(g)}-{'-'.join(g)}" for n, g in CROSS_ENGINE]
)
def test_rdflib_and_oxigraph_agree(
    kg: zonegraph.KnowledgeGraph, oxigraph_store: Any, name: str, given: dict[str, str]
) -> None:
    canned = next(q for q in kg.queries() if q.name == name)
    res = kg.query(name, **given)
    bindings = kg.bind(canned, given)  # the terms the package binds
    names, ox_rows = oxigraph_rows(oxigraph_store, canned.text, bindings)
    assert names == res.vars
    rdflib_rows = [tuple(_norm(r[v]) for v in res.vars) for r in res.rows]
    assert sorted(map(repr, ox_rows)) == sorted(map(repr, rdflib_rows))
    if re.search(r"\bORDER\s+BY\b", canned.text, re.I):
        assert ox_rows == rdflib_rows, "same order"
