"""The shipped graph's answers about the parks added by helper parks-a for issue #18:
the China-Germany Equipment Manufacturing Industrial Park (Shenyang) and the three
China-South Korea industrial parks (Yancheng, Yantai, Huizhou), each from at least
two sources. The founding Qingdao answers are asserted in test_queries.py and
test_provenance.py, kept to the Qingdao sources (support.QINGDAO_SOURCES)."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import URIRef

import zonegraph

ZG = "https://w3id.org/zonegraph/ontology#"
ZGR = "https://w3id.org/zonegraph/id/"
ZGS = "https://w3id.org/zonegraph/source/"

SHENYANG = URIRef(ZGR + "china-germany-equipment-manufacturing-industrial-park")
YANCHENG = URIRef(ZGR + "china-south-korea-yancheng-industrial-park")
YANTAI = URIRef(ZGR + "china-south-korea-yantai-industrial-park")
HUIZHOU = URIRef(ZGR + "china-south-korea-huizhou-industrial-park")

#: Each park, its partner country, and the sources (at least two) that describe it.
PARKS = {
    SHENYANG: (
        "germany",
        {
            "govcn-2015-12-24",
            "xinhua-2020-12-18",
            "chinadaily-2019-09-04",
            "qstheory-2025-10-16",
            "lnrb-2020-12-21",
        },
    ),
    YANCHENG: (
        "south-korea",
        {
            "chinadaily-2019-02-18",
            "leetsai-guo-han-2017-142",
            "yonhap-2017-12-17",
            "ajunews-2017-12-17",
        },
    ),
    YANTAI: (
        "south-korea",
        {
            "chinadaily-2015-09-13",
            "acrofan-2019-02-27",
            "leetsai-guo-han-2017-142",
            "yonhap-2017-12-17",
            "ajunews-2017-12-17",
        },
    ),
    HUIZHOU: (
        "south-korea",
        {
            "peoplecn-2022-04-08",
            "gdfao-2018-11-08",
            "leetsai-guo-han-2017-142",
            "yonhap-2017-12-17",
            "ajunews-2017-12-17",
        },
    ),
}


def text(term: Any) -> str | None:
    return None if term is None else str(term)


@pytest.mark.parametrize("park", list(PARKS), ids=[p.rsplit("/", 1)[1] for p in PARKS])
def test_park_has_its_partner_country_from_every_source(
    kg: zonegraph.KnowledgeGraph, park: URIRef
) -> None:
    country, sources = PARKS[park]
    res = kg.sparql(
        "SELECT ?source WHERE { GRAPH ?source { ?park zg:partnerCountry ?country } }",
        bindings={"park": park, "country": URIRef(ZGR + country)},
    )
    assert {text(r["source"]) for r in res.rows} == {ZGS + slug for slug in sources}
    assert len(sources) >= 2


def test_sources_disagree_on_the_shenyang_approval_date(kg: zonegraph.KnowledgeGraph) -> None:
    """english.gov.cn dates the State Council's approval 23 December 2015, Liaoning
    Daily 17 December 2015; China Daily's "four years ago" (2015) agrees with both."""
    got = {
        (text(r["value"]), text(r["source"]))
        for r in kg.query("disagreements", entity=SHENYANG).rows
        if text(r["kind"]) == "event"
    }
    assert got == {
        ("2015-12-17", ZGS + "lnrb-2020-12-21"),
        ("2015-12-23", ZGS + "govcn-2015-12-24"),
    }


@pytest.mark.parametrize("park", [YANCHENG, YANTAI, HUIZHOU], ids=["yancheng", "yantai", "huizhou"])
def test_korean_parks_approval_dated_by_each_source(
    kg: zonegraph.KnowledgeGraph, park: URIRef
) -> None:
    """The Reply of 11 December 2017 (leetsai.com; China Daily for Yancheng), released
    on 15 December (Yonhap): the disagreement lists both dates with their sources."""
    got = {
        (text(r["value"]), text(r["source"]))
        for r in kg.query("disagreements", entity=park).rows
        if text(r["kind"]) == "event"
    }
    assert ("2017-12-11", ZGS + "leetsai-guo-han-2017-142") in got
    assert ("2017-12-15", ZGS + "yonhap-2017-12-17") in got
    # "December 2017" (ajunews.com) and "2017" (People's Daily Online) agree with both.
    assert all(value not in {"2017-12", "2017"} for value, _ in got)


def test_yancheng_figures_keep_their_qualifiers(kg: zonegraph.KnowledgeGraph) -> None:
    got = {
        (text(r["measure"]), text(r["value"]), text(r["qualifierLabel"]), text(r["holdsOn"]))
        for r in kg.query("latest-figures", entity=YANCHENG).rows
    }
    got = {(m, float(v), q, d) for m, v, q, d in got}  # values: Oxigraph gives "750" for 750.0
    assert (ZG + "ForeignFundedEnterprises", 750.0, "more than", "2019-02-18") in got
    assert (ZG + "PlannedArea", 50.0, "exactly", "2019-02-18") in got


def test_every_statement_in_these_sources_has_a_speaker(kg: zonegraph.KnowledgeGraph) -> None:
    sources = set().union(*(s for _, s in PARKS.values()))
    res = kg.sparql(
        """SELECT ?statement ?source ?who WHERE {
             ?statement a zg:Statement ; dct:source ?source .
             OPTIONAL { ?statement zg:spokenBy|zg:speakerDescription ?who }
           }"""
    )
    mine = [r for r in res.rows if text(r["source"]).removeprefix(ZGS) in sources]
    assert len(mine) >= 15
    assert all(r["who"] is not None for r in mine)


def test_post_holders_of_the_shenyang_park(kg: zonegraph.KnowledgeGraph) -> None:
    """Xinhua calls Guo Zhongxiao head of the management committee, China Daily
    director of CGIP: both posts stay, each with its source."""
    got = {
        (text(r["roleLabel"]), text(r["personLabel"]), text(r["source"]))
        for r in kg.query(
            "post-holders",
            organisation="zgr:cgip-management-committee",
        ).rows
    }
    assert got == {
        ("head", "Guo Zhongxiao", ZGS + "xinhua-2020-12-18"),
        ("director", "Guo Zhongxiao", ZGS + "chinadaily-2019-09-04"),
    }
