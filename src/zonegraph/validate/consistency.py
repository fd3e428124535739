"""Consistency: do the facts, with what they entail, contradict the ontology?

The OWL 2 RL clashes checked here, over the asserted and the inferred triples
(_inferred): a node of two disjoint classes (``owl:disjointWith``,
``owl:AllDisjointClasses``; rules cax-dw, cax-adc), a node of ``owl:Nothing``
(cls-nothing2), an irreflexive property from a node to itself (prp-irp) and an
asymmetric property both ways (prp-asyp). zonegraph's ontology declares none
of these axioms today, so a check costs one look at the ontology.

An ontology or data using an OWL construct that can clash in other ways
(complements, disjoint properties, ``owl:differentFrom``, functional or
inverse-functional properties, keys, maximum cardinalities, negative
assertions, ``owl:sameAs``) is handed to owlrl, the reference: :func:`clashes`
returns None and the caller runs :func:`~zonegraph.reason.core.owl_rl`.
tests/test_reasoning.py shows both find the same clashes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import OWL, RDF, Graph
from rdflib.term import Node

#: Constructs that can make a graph inconsistent in ways not checked here.
OWLRL_ONLY = (
    OWL.complementOf,
    OWL.propertyDisjointWith,
    OWL.AllDisjointProperties,
    OWL.differentFrom,
    OWL.AllDifferent,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.hasKey,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
    OWL.cardinality,
    OWL.qualifiedCardinality,
    OWL.NegativePropertyAssertion,
    OWL.sameAs,
)


def needs_owlrl(graphs: Iterable[Graph]) -> bool:
    """True when a graph uses a construct :func:`clashes` does not check."""
    for g in graphs:
        for term in OWLRL_ONLY:
            if (None, term, None) in g or (None, None, term) in g:
                return True
    return False


def can_clash(ontology: Graph) -> bool:
    """True when *ontology* has an axiom the checked rules use or names ``owl:Nothing``
    (else only a fact typed ``owl:Nothing`` can clash, and the closure is not needed)."""
    if (None, None, OWL.Nothing) in ontology:
        return True
    return any(
        (None, p, o) in ontology
        for p, o in (
            (OWL.disjointWith, None),
            (RDF.type, OWL.AllDisjointClasses),
            (RDF.type, OWL.IrreflexiveProperty),
            (RDF.type, OWL.AsymmetricProperty),
        )
    )


def clashes(ontology: Graph, facts: Iterable[Graph]) -> list[str]:
    """The clashes of the checked rules in *facts* (the asserted and inferred graphs)."""
    facts = list(facts)
    disjoint: set[frozenset[Node]] = {
        frozenset((a, b)) for a, b in ontology.subject_objects(OWL.disjointWith) if a != b
    }
    for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in ontology.objects(group, OWL.members):
            classes = list(ontology.items(members))
            disjoint.update(
                frozenset((a, b)) for i, a in enumerate(classes) for b in classes[i + 1 :]
            )
    irreflexive = set(ontology.subjects(RDF.type, OWL.IrreflexiveProperty))
    asymmetric = set(ontology.subjects(RDF.type, OWL.AsymmetricProperty))
    out: list[str] = []

    def types(node: Node) -> set[Node]:
        return {t for g in facts for t in g.objects(node, RDF.type)}

    def holds(s: Node, p: Node, o: Node) -> bool:
        return any((s, p, o) in g for g in facts)

    for g in facts:
        for node in g.subjects(RDF.type, OWL.Nothing):
            out.append(f"{node} is an instance of owl:Nothing")
    if disjoint:
        disjoint_classes = {c for pair in disjoint for c in pair}
        nodes = {n for g in facts for c in disjoint_classes for n in g.subjects(RDF.type, c)}
        for node in nodes:
            mine = types(node)
            for pair in disjoint:
                if pair <= mine:
                    a, b = sorted(pair, key=str)
                    out.append(f"{node} is an instance of the disjoint classes {a} and {b}")
    for p in irreflexive:
        for g in facts:
            out.extend(
                f"{s} {p} itself, and {p} is irreflexive" for s, o in g.subject_objects(p) if s == o
            )
    for p in asymmetric:
        for g in facts:
            out.extend(
                f"{s} {p} {o} and back, and {p} is asymmetric"
                for s, o in g.subject_objects(p)
                if s != o and holds(o, p, s)
            )
    return sorted(set(out))
