"""A fast closure for export: the validation closure plus domain and range types.

:func:`fast_closure` derives what ``export --inferred`` needs from the data and
the ontology without owlrl: the class and property hierarchies, inverses,
symmetric and transitive properties (:func:`~zonegraph._reason.validation_closure`),
then ``rdfs:domain`` / ``rdfs:range`` types with their super-classes. It is a
subset of what owlrl derives (docs/performance.md lists what owlrl adds on top).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.term import Node

from ._reason import Triple, Vocabulary, validation_closure


def fast_closure(
    data: Iterable[Triple], ontology: Graph, vocabulary: Vocabulary | None = None
) -> set[Triple]:
    """The triples the closure adds to *data* (not including *data*)."""
    vocabulary = vocabulary or Vocabulary(ontology)
    asserted = set(data)
    added = validation_closure(asserted, vocabulary)
    domains: dict[Node, set[Node]] = {}
    ranges: dict[Node, set[Node]] = {}
    for p, c in ontology.subject_objects(RDFS.domain):
        domains.setdefault(p, set()).add(c)
    for p, c in ontology.subject_objects(RDFS.range):
        ranges.setdefault(p, set()).add(c)
    types: set[Triple] = set()
    for s, p, o in asserted | added:
        for c in domains.get(p, ()):
            types.add((s, RDF.type, c))
            types.update((s, RDF.type, sup) for sup in vocabulary.super_classes.get(c, ()))
        if not isinstance(o, Literal):
            for c in ranges.get(p, ()):
                types.add((o, RDF.type, c))
                types.update((o, RDF.type, sup) for sup in vocabulary.super_classes.get(c, ()))
    return (added | types) - asserted
