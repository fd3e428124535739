"""Reasoning: the small closure validation sees, and the OWL RL closure.

Validation sees a deliberate subset of the ontology's consequences
(:func:`~zonegraph.reason.closure.validation_closure`): the class and property
hierarchies, inverses,
symmetric and transitive properties. It leaves out ``rdfs:domain`` and
``rdfs:range``, whose entailment turns a wrongly typed link into a wrong type
instead of an error (see docs/data-model.md).

The full OWL 2 RL closure comes from owlrl (:func:`owl_rl_closure`), without
the triples that say nothing about the data (``x owl:sameAs x``, literals'
datatypes, axiomatic triples about the RDF/OWL vocabularies).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


def _ancestors(edges: dict[Node, set[Node]]) -> dict[Node, set[Node]]:
    """Reflexive-free transitive closure of a parent relation."""
    memo: dict[Node, set[Node]] = {}

    def walk(node: Node, path: frozenset[Node]) -> set[Node]:
        if node in memo:
            return memo[node]
        out: set[Node] = set()
        for parent in edges.get(node, ()):
            if parent in path or parent == node:
                continue
            out.add(parent)
            out |= walk(parent, path | {parent})
        memo[node] = out
        return out

    return {node: walk(node, frozenset({node})) for node in list(edges)}


class Vocabulary:
    """What the closure needs from an ontology: hierarchies, inverses, characteristics."""

    def __init__(self, ontology: Graph) -> None:
        sub_class: dict[Node, set[Node]] = defaultdict(set)
        sub_prop: dict[Node, set[Node]] = defaultdict(set)
        for s, o in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(o, URIRef):
                sub_class[s].add(o)
        for s, o in ontology.subject_objects(RDFS.subPropertyOf):
            sub_prop[s].add(o)
        self.super_classes = _ancestors(sub_class)
        self.super_properties = _ancestors(sub_prop)
        self.inverse: dict[Node, set[Node]] = defaultdict(set)
        for s, o in ontology.subject_objects(OWL.inverseOf):
            self.inverse[s].add(o)
            self.inverse[o].add(s)
        self.symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
        self.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))


def validation_ontology(ontology: Graph) -> Graph:
    """The part of the ontology that validating instance nodes reads: every term's
    ``rdf:type`` (declared terms, measures, qualifiers, units) and the class and
    property hierarchies. Incremental validation adds this instead of the whole
    ontology (labels, definitions and axioms are only ever read when the
    ontology's own terms are validated); the property test in
    tests/test_incremental.py shows the results are the same.
    """
    out = Graph()
    for p in (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf):
        for s, o in ontology.subject_objects(p):
            out.add((s, p, o))
    return out


@dataclass(frozen=True)
class OwlRlResult:
    """What owlrl infers from a graph: the useful new triples and any clashes."""

    inferred: Graph
    inconsistencies: list[str]


_ERRNS = URIRef("http://www.daml.org/2002/03/agents/agent-ont#")


def owl_rl(graph: Graph) -> OwlRlResult:
    """The OWL 2 RL closure of *graph* by owlrl, less its noise, and its clashes.

    Dropped from ``inferred``: ``x owl:sameAs x``, triples with a literal
    subject, ``rdf:type owl:Thing`` / ``rdfs:Resource`` and statements about the
    RDF, RDFS, OWL and XSD vocabularies themselves (owlrl's axiomatic triples).
    owlrl records a clash (a member of disjoint classes, an individual of
    owl:Nothing, ...) as an error message in the graph; those are returned as
    ``inconsistencies``.
    """
    import owlrl

    work = Graph()
    for t in graph:
        work.add(t)
    before = set(work)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(work)
    errors = URIRef(str(_ERRNS) + "error")
    error_nodes = set(work.subjects(RDF.type, URIRef(str(_ERRNS) + "ErrorMessage")))
    messages = sorted(str(m) for n in error_nodes for m in work.objects(n, errors))
    messages += [f"{s} is an instance of owl:Nothing" for s in work.subjects(RDF.type, OWL.Nothing)]
    inferred = Graph()
    for s, p, o in work:
        if (s, p, o) in before or s in error_nodes or _noise(s, p, o):
            continue
        inferred.add((s, p, o))
    return OwlRlResult(inferred, messages)


_BUILTIN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def _noise(s: Node, p: Node, o: Node) -> bool:
    if isinstance(s, Literal):
        return True
    if p == OWL.sameAs and s == o:
        return True
    if isinstance(s, URIRef) and str(s).startswith(_BUILTIN):
        return True
    return p == RDF.type and o in (OWL.Thing, RDFS.Resource)
