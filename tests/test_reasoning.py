"""The fast closure infers what owlrl infers about the data, on the ontology and the shipped data.

Left out of the comparison, and only these (docs/performance.md):
- inferences about the ontology's own terms, by either (subject a term the ontology
  describes: rdfs:subClassOf / rdfs:subPropertyOf chains, rdfs:domain / rdfs:range
  widened to super-classes, owl:equivalentClass / owl:equivalentProperty reflexive
  statements), which say nothing about the data;
- ``x rdf:type owl:Thing``, which zonegraph.owl_rl already drops as noise (with
  ``x owl:sameAs x``, literal subjects and axiomatic triples) but the fast closure
  derives from ``zg:wikidata``'s domain.
"""

from __future__ import annotations

from rdflib import OWL, RDF

from zonegraph._closure import fast_closure
from zonegraph._kg import open_kg
from zonegraph._reason import owl_rl


def test_fast_closure_infers_what_owlrl_does() -> None:
    kg = open_kg()
    union = kg.data()
    union += kg.ontology
    terms = set(kg.ontology.subjects())
    reference = {t for t in owl_rl(union).inferred if t[0] not in terms}
    fast = {
        t
        for t in fast_closure(union, kg.ontology, kg.vocabulary)
        if t[0] not in terms and t[1:] != (RDF.type, OWL.Thing)
    }
    assert fast == reference
    assert len(fast) > 500
