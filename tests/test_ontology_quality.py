"""The ontology and shapes pass an ontology-quality checklist, and the documentation
generated from them is up to date.

The checklist is data: ``queries/checks/*-violation.rq``. Each check below
returns no rows on the shipped graph and rows on a copy broken on purpose
(one broken thing per check, all in one copy). The shapes are checked here in
Python: every zg: term they name is declared, every named shape says what it
checks and how to fix a failure.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import OWL, SH

import zonegraph
from support import REPO
from zonegraph.authoring.ontodoc import generated_files
from zonegraph.rdf.namespaces import ZG

#: The checklist, by check file: what each one looks for.
CHECKLIST = {
    "undefined-term-violation": "every term labelled and defined",
    "orphan-class-violation": "no class without a parent in the vocabulary's tree",
    "property-without-domain-or-range-violation": "no property without domain and range",
    "undeclared-term-violation": "no undeclared term",
    "unsourced-entity-violation": "no entity without a source",
    "unlabelled-entity-violation": "no entity without a label",
}

BROKEN_ONTOLOGY = """
zg:BrokenClass a owl:Class .

zg:brokenProperty a owl:ObjectProperty ;
    rdfs:label "broken property"@en ;
    skos:definition "A property with neither domain nor range."@en .

zg:ChildOfNothing a owl:Class ;
    rdfs:subClassOf zg:MissingParent ;
    rdfs:label "child of nothing"@en ;
    skos:definition "A class whose parent is not declared."@en .
"""

BROKEN_SOURCE = """@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .

zgs:broken-quality a zg:WebPage ;
    rdfs:label "A page for broken facts"@en .

zgr:orphan-company a zg:Company ;
    rdfs:label "Orphan Company"@en ;
    zg:undeclaredLink zgr:unlabelled-company .

zgr:unlabelled-company a zg:Company ;
    dct:source zgs:broken-quality .
"""

#: (check, a column, the value it must show) for each broken thing.
EXPECTED = [
    ("undefined-term-violation", "term", "zg:BrokenClass"),
    ("orphan-class-violation", "class", "zg:BrokenClass"),
    ("orphan-class-violation", "class", "zg:ChildOfNothing"),
    ("property-without-domain-or-range-violation", "property", "zg:brokenProperty"),
    ("undeclared-term-violation", "term", "zg:undeclaredLink"),
    ("unsourced-entity-violation", "entity", "zgr:orphan-company"),
    ("unlabelled-entity-violation", "entity", "zgr:unlabelled-company"),
]


def _shorten(text: str) -> str:
    from zonegraph.rdf.namespaces import shorten

    return shorten(text)


def rows(kg: zonegraph.KnowledgeGraph, check: str) -> list[dict[str, str]]:
    (canned,) = [c for c in kg.catalogue.checks() if c.name == check]
    return [
        {k: _shorten(str(v)) for k, v in r.items() if v is not None}
        for r in kg.sparql(canned.text).rows
    ]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> zonegraph.KnowledgeGraph:
    import shutil

    root = tmp_path_factory.mktemp("broken")
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    onto = root / "ontology" / "zonegraph.ttl"
    onto.write_text(onto.read_text(encoding="utf-8") + BROKEN_ONTOLOGY, encoding="utf-8")
    (root / "kg" / "broken-quality.ttl").write_text(BROKEN_SOURCE, encoding="utf-8")
    return zonegraph.open_kg(root)


def test_the_checklist_is_in_queries_checks() -> None:
    present = {p.stem for p in (REPO / "queries" / "checks").glob("*-violation.rq")}
    assert set(CHECKLIST) <= present


@pytest.mark.parametrize("check", sorted(CHECKLIST))
def test_the_shipped_graph_passes(kg: zonegraph.KnowledgeGraph, check: str) -> None:
    assert rows(kg, check) == [], CHECKLIST[check]


@pytest.mark.parametrize(
    ("check", "column", "value"), EXPECTED, ids=[f"{c}-{v}" for c, _, v in EXPECTED]
)
def test_a_broken_copy_fails(
    broken: zonegraph.KnowledgeGraph, check: str, column: str, value: str
) -> None:
    found = rows(broken, check)
    assert value in {r.get(column) for r in found}, (
        f"{check} ({CHECKLIST[check]}) misses {value}: {found}"
    )


# -- the shapes ----------------------------------------------------------------------


def zg_terms(graph: Graph) -> set[URIRef]:
    return {
        t
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(str(ZG))
    }


def test_every_zg_term_the_shapes_name_is_declared(kg: zonegraph.KnowledgeGraph) -> None:
    undeclared = {t for t in zg_terms(kg.shapes) if (t, RDF.type, None) not in kg.ontology}
    assert not undeclared


def test_every_named_shape_says_what_it_checks_and_how_to_fix_it(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    shapes = kg.shapes
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    property_shapes = {
        s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)
    }
    assert node_shapes and property_shapes
    for shape in node_shapes:
        assert (shape, RDFS.label, None) in shapes and (shape, RDFS.comment, None) in shapes, shape
    for shape in property_shapes:
        assert (shape, SH.message, None) in shapes or (shape, SH.sparql, None) in shapes, (
            f"{shape} has no sh:message"
        )
        assert (shape, SH.severity, None) in shapes, f"{shape} has no sh:severity"


def test_every_class_and_property_is_in_the_owl_vocabulary(kg: zonegraph.KnowledgeGraph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    typed = {s for k in kinds for s in kg.ontology.subjects(RDF.type, k)}
    assert len(typed) > 80


# -- generated documentation -----------------------------------------------------------


def test_the_generated_documentation_is_up_to_date() -> None:
    """docs/ontology/index.html and src/zonegraph/context.jsonld are what `make docs` writes now."""
    stale = [
        str(rel)
        for rel, text in generated_files().items()
        if not (REPO / rel).exists() or (REPO / rel).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"out of date: {', '.join(stale)}; run `make docs`"


def test_the_reference_documents_every_term(kg: zonegraph.KnowledgeGraph) -> None:
    page = (REPO / "docs" / "ontology" / "index.html").read_text(encoding="utf-8")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in kg.ontology.subjects(RDF.type, kind):
            if str(term).startswith(str(ZG)):
                local = str(term)[len(str(ZG)) :]
                assert f'id="{local}"' in page, local
    assert "Sino-German Ecopark" in page, "examples come from kg/"


def test_docs_images_exist() -> None:
    for name in ("zone", "sino-german-ecopark", "ontology", "timeline"):
        for ext in ("svg", "png"):
            assert (REPO / "docs" / "images" / f"{name}.{ext}").stat().st_size > 1000
