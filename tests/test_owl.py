"""The ontology is OWL 2 DL that a reasoner loads without options, and it declares every
term the ontology and the data use, so OWL tools need not guess a term's kind.

HermiT (bundled with owlready2, run on the machine's Java) is the reasoner. Before:
HermiT refused the ontology ("xsd:date is not part of the OWL 2 datatype map", from
zg:holdsOn's range), and 17 outside predicates (dct:source, skos:definition, ...) and
the outside classes and super-properties had no declaration.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

import zonegraph
from support import OWL2_DATATYPES
from zonegraph.rdf.namespaces import ZG

#: Data properties whose values the data gives in datatypes outside the OWL 2 datatype
#: map, and why it keeps them. Their ranges are rdfs:Literal (so the ontology loads
#: without options) and the shapes require the datatypes; HermiT reads the data with
#: ``ignore_unsupported_datatypes`` (the values are opaque to it; nothing in the
#: ontology reasons about them).
OUTSIDE_OWL2_DATA = {
    ZG.holdsOn: "a figure holds on a day, a month or a year, as precisely as its source "
    "says: xsd:date, xsd:gYearMonth or xsd:gYear (xsd:dateTime would invent a time of day)",
    ZG.date: "an event's date is as precise as its source: xsd:gYear, xsd:gYearMonth or "
    "xsd:date, none of them in the OWL 2 datatype map",
}

#: The reserved vocabulary of OWL 2 (RDF, RDFS, OWL, XSD): built in, never declared.
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))

DECLARATIONS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def owlready2_and_java() -> Any:
    """owlready2 (with HermiT) and a Java runtime to run it, or skip saying how to get them."""
    try:
        import owlready2
    except ImportError:
        pytest.skip("owlready2 is not installed: pip install -e '.[dev]'")
    if shutil.which("java") is None:
        pytest.skip(
            "HermiT needs Java and `java` is not on PATH: install a Java runtime "
            "(Debian/Ubuntu: sudo apt-get install default-jre-headless; macOS: brew install "
            "openjdk), then run this test again"
        )
    return owlready2


def hermit(graph: Graph, tmp_path: Path, **options: bool) -> Any:
    """Load *graph* into a fresh owlready2 world and run HermiT on it; the world."""
    owlready2 = owlready2_and_java()
    path = tmp_path / "graph.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
    try:
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0, **options)
    except owlready2.OwlReadyInconsistentOntologyError:
        pytest.fail("HermiT finds the graph inconsistent")
    return world


def test_hermit_loads_the_ontology_without_options(
    kg: zonegraph.KnowledgeGraph, tmp_path: Path
) -> None:
    """Before: UnsupportedDatatypeException, xsd:date (zg:holdsOn's range)."""
    world = hermit(kg.ontology, tmp_path)
    assert list(world.inconsistent_classes()) == []
    zg_classes = [c for c in world.classes() if c.iri.startswith(str(ZG))]
    assert len(zg_classes) > 40


def test_hermit_finds_the_ontology_and_data_consistent(
    kg: zonegraph.KnowledgeGraph, tmp_path: Path
) -> None:
    """The data's only values outside the OWL 2 datatype map are those OUTSIDE_OWL2_DATA
    explains (dates on annotation properties, dct:issued, are not read by a reasoner)."""
    data = kg.data()
    outside = {
        p
        for _, p, o in data
        if isinstance(o, Literal)
        and o.datatype is not None
        and o.datatype not in OWL2_DATATYPES
        and (p, RDF.type, OWL.AnnotationProperty) not in kg.ontology
    }
    assert outside == set(OUTSIDE_OWL2_DATA)
    for prop in OUTSIDE_OWL2_DATA:
        assert kg.ontology.value(prop, RDFS.range) == RDFS.Literal
    world = hermit(kg.ontology + data, tmp_path, ignore_unsupported_datatypes=True)
    assert list(world.inconsistent_classes()) == []


def test_every_range_is_in_the_owl2_datatype_map_or_a_class(kg: zonegraph.KnowledgeGraph) -> None:
    """A datatype property's range is one HermiT knows (rdf:langString, RDF 1.1's name for
    rdf:PlainLiteral with a language tag, is read as such by the OWL API)."""
    known = OWL2_DATATYPES | {RDF.langString}
    for prop in kg.ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for rng in kg.ontology.objects(prop, RDFS.range):
            assert rng in known, f"{prop} has the range {rng}, outside the OWL 2 datatype map"


def _uses(graph: Graph) -> dict[URIRef, set[str]]:
    """Every IRI the graph uses as a predicate, a class or a property, with how it is used:
    "predicate", "class", "property"."""
    uses: dict[URIRef, set[str]] = {}

    def use(term: Node, how: str) -> None:
        if isinstance(term, URIRef) and not str(term).startswith(BUILT_IN):
            uses.setdefault(term, set()).add(how)

    for s, p, o in graph:
        use(p, "predicate")
        if p == RDF.type:
            use(o, "class")
        elif p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
            use(s, "class")
            use(o, "class")
        elif p in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
            use(s, "property")
            use(o, "property")
        elif p == RDFS.domain or (p == RDFS.range and (s, RDF.type, OWL.ObjectProperty) in graph):
            use(o, "class")
    return uses


def test_every_term_used_in_the_ontology_and_the_data_is_declared(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    """Before: 17 predicates (dct:source, skos:definition, dct:issued, schema:url, ...) and
    the outside classes and super-properties had no declaration. Generic: any term a new
    file uses is checked too."""
    onto = kg.ontology
    graph = onto + kg.data()
    kinds = {t: {k for k in DECLARATIONS if (t, RDF.type, k) in onto} for t in _uses(graph)}
    undeclared = sorted(str(t) for t, k in kinds.items() if not k)
    assert not undeclared, f"not declared in ontology/: {undeclared}"
    for term, how in _uses(graph).items():
        if "class" in how:
            assert OWL.Class in kinds[term], f"{term} is used as a class"
        if how & {"predicate", "property"} and "class" not in how:
            assert kinds[term] & set(PROPERTY_KINDS), f"{term} is used as a property"
        properties = kinds[term] & set(PROPERTY_KINDS)
        assert len(properties) <= 1, f"{term} is declared as {sorted(properties)}"


def test_each_property_is_used_as_its_kind(kg: zonegraph.KnowledgeGraph) -> None:
    """An object property links to IRIs or blank nodes, a datatype property to literals;
    a sub-property has its super-property's kind (else OWL 2 DL tools refuse the axiom)."""
    onto = kg.ontology
    graph = onto + kg.data()
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        bad = [o for o in graph.objects(None, prop) if isinstance(o, Literal)]
        assert not bad, f"object property {prop} has literal values: {bad[:3]}"
    for prop in onto.subjects(RDF.type, OWL.DatatypeProperty):
        bad = [o for o in graph.objects(None, prop) if not isinstance(o, Literal)]
        assert not bad, f"datatype property {prop} has non-literal values: {bad[:3]}"
    for sub, sup in onto.subject_objects(RDFS.subPropertyOf):
        for kind in PROPERTY_KINDS:
            if (sub, RDF.type, kind) in onto:
                assert (sup, RDF.type, kind) in onto, f"{sub} is a {kind}, {sup} is not"
