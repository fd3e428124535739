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

import random
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Dataset, Graph, Literal, URIRef

from support import FACT_PREFIXES, source_description
from zonegraph._kg import KnowledgeGraph, open_kg
from zonegraph._load import load
from zonegraph.authoring.synth import synthesize
from zonegraph.rdf.namespaces import INFERRED_GRAPH, ZG
from zonegraph.reason import inferred as _inferred
from zonegraph.reason.closure import fast_closure
from zonegraph.reason.core import Triple, Vocabulary, owl_rl
from zonegraph.store.oxigraph import OxigraphStore
from zonegraph.validate import consistency as _consistency


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


# -- the inferred graph: cached, kept apart, extended when facts arrive ---------


def _scratch(kg: KnowledgeGraph) -> set[Triple]:
    return set(_inferred.compute(kg.data(), kg.ontology, kg.vocabulary))


def test_the_inferred_graph_is_computed_once_per_content(
    kg_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    first = open_kg(kg_dir).inferred()
    assert len(list((tmp_path / "cache").glob("inferred-*.nt"))) == 1
    assert set(first) == _scratch(open_kg(kg_dir))
    assert not set(first) & set(open_kg(kg_dir).data())  # only what is not asserted

    def refuse(*_: object) -> None:
        raise AssertionError("the closure was computed again")

    monkeypatch.setattr(_inferred, "compute", refuse)
    assert set(open_kg(kg_dir).inferred()) == set(first)  # a new process reads the cache
    (kg_dir / "kg" / "wikidata.ttl").write_text(
        (kg_dir / "kg" / "wikidata.ttl").read_text() + "\n# a changed file\n"
    )
    with pytest.raises(AssertionError, match="computed again"):
        open_kg(kg_dir).inferred()  # another content, another key


def test_add_extends_the_inferred_graph_as_recomputing_would(
    kg_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    kg = open_kg(kg_dir)
    before = set(kg.inferred())
    facts = tmp_path / "facts.ttl"
    facts.write_text(_PARK)
    calls: list[int] = []
    real = _inferred.compute
    monkeypatch.setattr(_inferred, "compute", lambda *a: calls.append(1) or real(*a))
    assert kg.add([facts]).added
    after = set(kg.inferred())
    assert calls == []  # extended, not recomputed
    assert after == _scratch(open_kg(kg_dir))
    park = URIRef("https://w3id.org/zonegraph/id/test-riverside-park")
    # transitive containment reaches the zone's area and city; the inverse too
    assert (park, ZG.partOf, URIRef("https://w3id.org/zonegraph/id/qingdao")) in after
    assert (URIRef("https://w3id.org/zonegraph/id/qingdao"), ZG.hasPart, park) in after
    assert after > before


def test_a_store_loaded_with_inferences_keeps_them_current_on_add(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    kg = open_kg(store=store)
    load(kg, inferred=True)
    facts = tmp_path / "facts.ttl"
    facts.write_text(_PARK)
    assert kg.add([facts]).stored
    kept = set(store.graph(INFERRED_GRAPH))
    expected = set(_inferred.compute(kg.data(), kg.ontology, kg.vocabulary))
    # the store keeps any triple derived again that a source also states
    assert expected <= kept and kept - expected <= set(kg.data())
    store.close()


def test_clashes_are_found_as_owlrl_finds_them(tmp_path: Path) -> None:
    kg = open_kg()
    assert kg.clashes() == [] == owl_rl(kg.data() + kg.ontology).inconsistencies
    ontology = Graph()
    ontology += kg.ontology
    ontology.add((ZG.Company, OWL.disjointWith, ZG.Place))
    node = URIRef("https://w3id.org/zonegraph/id/test-odd")
    data = Graph()
    data.add((node, RDF.type, ZG.Company))
    data.add((node, ZG.partOf, URIRef("https://w3id.org/zonegraph/id/qingdao")))  # a Place
    inferred = _inferred.compute(data, ontology, Vocabulary(ontology))
    fast = _consistency.clashes(ontology, [data, inferred])
    reference = owl_rl(data + ontology).inconsistencies
    assert len(fast) == 1 and str(node) in fast[0]
    assert reference and all(str(node) in r for r in reference)
    assert not _consistency.needs_owlrl([ontology, data])


_PARK = (
    FACT_PREFIXES
    + source_description("test-riverside-news", "Riverside park opens")
    + """
zgr:test-riverside-park a zg:IndustrialPark ;
    rdfs:label "Riverside Test Park"@en ;
    zg:partOf zgr:qingdao-iecz ;
    dct:source zgs:test-riverside-news .
"""
)


@pytest.mark.parametrize("seed", range(4))
def test_extending_in_batches_derives_what_computing_at_once_does(
    seed: int, tmp_path: Path
) -> None:
    synthesize(tmp_path / "kg", triples=3000, seed=seed)
    kg = open_kg(tmp_path / "kg")
    triples = sorted(kg.data(), key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    rng = random.Random(seed)
    rng.shuffle(triples)
    existing = Graph()
    for t in triples[: len(triples) // 2]:
        existing.add(t)
    inferred = _inferred.compute(existing, kg.ontology, kg.vocabulary)
    rest = triples[len(triples) // 2 :]
    for start in range(0, len(rest), 400):  # several batches, each on top of the last
        batch = rest[start : start + 400]
        _inferred.extend(inferred, [existing, kg.ontology], batch, kg.ontology, kg.vocabulary)
        for t in batch:
            existing.add(t)
    assert set(inferred) == set(_inferred.compute(kg.data(), kg.ontology, kg.vocabulary))


def test_export_inferred_is_the_same_from_memory_and_from_a_loaded_store(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    on_store = open_kg(store=store)
    load(on_store, inferred=True)
    memory = open_kg()
    graphs = []
    for kg in (memory, on_store):
        ds = Dataset()
        ds.parse(data=kg.export("nquads", inferred=True), format="nquads")
        graphs.append(  # Oxigraph writes "30.0"^^xsd:decimal as "30": compare values
            {
                (s, p, o.toPython() if isinstance(o, Literal) else o)
                for s, p, o in ds.graph(INFERRED_GRAPH)
            }
        )
    assert graphs[0] == graphs[1] and len(graphs[0]) > 500
    store.close()
