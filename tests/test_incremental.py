"""Incremental validation gives the verdict and results that validating the whole graph
gives, restricted to the nodes the new facts touch.

Two sources of cases: random batches (valid and invalid, taken and mutated from
generated data) on a generated graph, and the W3C SHACL core test suite with each
data graph split at random into "existing" and "new" triples.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from zonegraph._closure import validation_closure
from zonegraph._kg import KnowledgeGraph, open_kg
from zonegraph._neighbourhood import GraphAccess, Plan, SelectAccess, extract
from zonegraph._synth import PREFIXES, _mutate, cluster, clusters_for, synthesize
from zonegraph._targets import Targets
from zonegraph._validate import ValidationResult, results_from_report, run_pyshacl

W3C = Path(__file__).resolve().parents[2] / "shared" / "w3c" / "shacl-tests" / "core"
ZG = "https://w3id.org/zonegraph/ontology#"
SEED = 7


def _key(r: ValidationResult) -> tuple[object, ...]:
    def term(n: Node | None) -> object:
        return "_:bnode" if isinstance(n, BNode) else n

    return (
        r.severity,
        term(r.focus_node),
        term(r.path),
        term(r.value),
        r.constraint,
        term(r.source_shape),
    )


def _touched(new: Graph) -> set[Node]:
    out: set[Node] = set()
    for s, _p, o in new:
        out.add(s)
        if not isinstance(o, Literal):
            out.add(o)
    return out


@pytest.fixture(scope="module")
def synth_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    root = tmp_path_factory.mktemp("synth")
    synthesize(root, triples=1500, seed=SEED)
    kg = open_kg(root)
    _ = kg.shapes, kg.plan
    return kg


def _full(kg: KnowledgeGraph, new: Graph) -> list[ValidationResult]:
    """The reference: the whole graph plus the batch, restricted to the touched nodes."""
    data = kg.data()
    data += new
    data += kg.ontology
    for t in validation_closure(data, kg.vocabulary):
        data.add(t)
    touched = {
        t for t in _touched(new) if not (isinstance(t, URIRef) and (t, None, None) in kg.ontology)
    }
    return results_from_report(run_pyshacl(data, kg.shapes), keep=touched)


def _batch(kg: KnowledgeGraph, seed: int, size: int, invalid: float, links: int) -> Graph:
    """Up to *size* triples of a new generated cluster (some mutated), plus random links
    between existing nodes and copies of existing labels onto new nodes."""
    rng = random.Random(seed)
    base = clusters_for(1500)
    entities = cluster(base + rng.randrange(1000), SEED)
    if invalid:
        _mutate(entities, invalid, rng)
    g = Graph().parse(data=PREFIXES + "\n".join(e.turtle() for e in entities), format="turtle")
    triples = sorted(g, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    rng.shuffle(triples)
    new = Graph()
    for t in triples[:size]:
        new.add(t)
    existing = sorted({s for s in kg.data().subjects() if isinstance(s, URIRef)}, key=str)
    labels = sorted(kg.data().triples((None, RDFS.label, None)), key=lambda t: str(t[0]))
    links_p = [
        URIRef(ZG + p)
        for p in (
            "partOf",
            "locatedIn",
            "partnerCountry",
            "manages",
            "heldBy",
            "concerns",
            "hasPart",
        )
    ]
    subjects = sorted({t[0] for t in new}, key=str) or existing
    for _ in range(links):
        kind = rng.random()
        if kind < 0.6:
            new.add((rng.choice(existing + subjects), rng.choice(links_p), rng.choice(existing)))
        elif kind < 0.8 and labels:
            new.add((rng.choice(subjects), RDFS.label, rng.choice(labels)[2]))
        else:
            new.add(
                (
                    rng.choice(subjects),
                    RDF.type,
                    rng.choice(list(kg.data().objects(None, RDF.type))),
                )
            )
    return new


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(5, 120),
    invalid=st.sampled_from([0.0, 0.0, 0.3, 1.0]),
    links=st.integers(0, 6),
)
def test_incremental_matches_whole_graph(
    synth_kg: KnowledgeGraph, seed: int, size: int, invalid: float, links: int
) -> None:
    new = _batch(synth_kg, seed, size, invalid, links)
    report = synth_kg._validate_new([(Path("batch.ttl"), new)])
    expected = _full(synth_kg, new)
    assert sorted(map(_key, report.results), key=str) == sorted(map(_key, expected), key=str)
    assert report.conforms == (not [r for r in expected if r.blocking])


def test_plan_of_the_shapes(synth_kg: KnowledgeGraph) -> None:
    plan = synth_kg.plan
    assert plan.depth == 1
    assert (
        plan.incoming is not None and URIRef(ZG + "role") in plan.incoming
    )  # Role-used: ?post zg:role $this
    assert URIRef(ZG + "partnerCountry") not in plan.incoming  # a hub's parks need not be fetched
    # zg:partOf pointing at a node gives it zg:hasPart values, which no shape reads;
    # zg:hasPart pointing at it is read (sh:targetObjectsOf zg:hasPart)
    assert URIRef(ZG + "partOf") not in plan.incoming
    assert URIRef(ZG + "hasPart") in plan.incoming
    assert plan.joins == frozenset({RDFS.label})  # the duplicate-entity check
    assert plan.described == (
        ZG,
    )  # the closed-vocabulary check asks whether a zg: value is described


def test_chains_are_walked_only_in_the_directions_the_shapes_read(
    synth_kg: KnowledgeGraph,
) -> None:
    part_of, has_part = URIRef(ZG + "partOf"), URIRef(ZG + "hasPart")
    plan = synth_kg.plan
    assert plan.directions is not None
    walks = {
        (next(iter(fwd)), d)
        for (fwd, _inv), dirs in zip(plan.families, plan.directions, strict=True)
        for d in dirs
    }
    # the shapes read zg:partOf values (up) and zg:hasPart from the other side (up again);
    # nothing reads what lies within a node, so a province's contents are never fetched
    assert walks == {(part_of, 1), (has_part, -1)}
    shapes = Graph()
    shapes += synth_kg.shapes
    shape = BNode()
    shapes.add((shape, SH.path, has_part))
    shapes.add((shape, SH.maxCount, Literal(3)))
    wider = Plan.from_shapes(shapes, synth_kg.vocabulary)
    assert wider.directions == (frozenset({1, -1}), frozenset({1, -1}))


def test_links_pointing_at_a_node_are_fetched_when_their_inverse_is_read(
    synth_kg: KnowledgeGraph,
) -> None:
    """``x zg:partOf n`` gives ``n zg:hasPart x``: fetched once a shape reads zg:hasPart
    forward, by a path, a comparison or a property path in SPARQL."""
    part_of, has_part = URIRef(ZG + "partOf"), URIRef(ZG + "hasPart")
    assert synth_kg.plan.incoming is not None and part_of not in synth_kg.plan.incoming
    sparql = f"SELECT $this WHERE {{ $this <{has_part}>/<{RDFS.label}> ?l }}"
    for extra in (
        [(SH.path, has_part)],
        [(SH.path, RDFS.label), (SH.equals, has_part)],
        [(SH.select, Literal(sparql))],
    ):
        shapes = Graph()
        shapes += synth_kg.shapes
        shape = BNode()
        for p, o in extra:
            shapes.add((shape, p, o))
        plan = Plan.from_shapes(shapes, synth_kg.vocabulary)
        assert plan.incoming is not None and part_of in plan.incoming, extra


def test_neighbourhood_is_small(synth_kg: KnowledgeGraph) -> None:
    node = URIRef("https://w3id.org/zonegraph/id/synth-0000001-company-1")
    sources = [n for n in synth_kg.graph_names() if "/source/" in str(n)]
    part = synth_kg.store.neighbourhood({node}, sources, synth_kg.vocabulary, plan=synth_kg.plan)  # type: ignore[call-arg]
    assert 5 < len(part) < 200 < len(synth_kg.store)


def test_a_hubs_contents_are_not_fetched(synth_kg: KnowledgeGraph) -> None:
    """Validating a province (a new city names it) does not fetch the cities within it, so
    the neighbourhood does not grow with the graph (242 cities at 1M triples)."""
    part_of = URIRef(ZG + "partOf")
    data = synth_kg.data()
    province = URIRef("https://w3id.org/zonegraph/id/synth-province-0")
    assert (None, part_of, province) in data
    sources = [n for n in synth_kg.graph_names() if "/source/" in str(n)]
    part = synth_kg.store.neighbourhood(
        {province}, sources, synth_kg.vocabulary, plan=synth_kg.plan
    )
    assert not set(part.subjects(part_of, province))
    assert (province, part_of, None) in part  # what the province itself says


def test_select_access_finds_what_graph_access_finds(synth_kg: KnowledgeGraph) -> None:
    """The SELECTs of a SPARQL store (VALUES of nodes, or of node and predicate pairs)
    return the triples rdflib's indexes give, run here by rdflib's own engine."""
    data = synth_kg.data()

    def select(text: str) -> list[dict[str, Node | None]]:
        return [
            {str(k): v for k, v in row.asdict().items()}  # type: ignore[union-attr]
            for row in data.query(text)
        ]

    nodes = sorted({s for s in data.subjects() if isinstance(s, URIRef)}, key=str)[:40]
    values = {o for n in nodes for o in data.objects(n, RDFS.label)}
    preds = [URIRef(ZG + "partOf"), URIRef(ZG + "hasPart"), RDF.type]
    by_index, by_select = GraphAccess(data), SelectAccess(select, chunk=7)
    for chosen, predicates in ((nodes, None), (nodes, preds), (values, [RDFS.label])):
        assert set(by_select.outgoing(chosen, predicates)) == set(
            by_index.outgoing(chosen, predicates)
        )
        assert set(by_select.incoming(chosen, predicates)) == set(
            by_index.incoming(chosen, predicates)
        )
    assert not list(by_select.incoming(nodes, []))


_SPARQL_TARGET_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex: a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:LinkedShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:prefixes ex: ;
                sh:select "SELECT ?this WHERE { ?this ex:link ?other }" ] ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:BrokenShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this nope:link ?x }" ] ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""


def test_sparql_targets_select_only_the_chosen_nodes() -> None:
    """A SPARQL-based target is evaluated once over the data and narrowed to the chosen
    nodes; a query that cannot run here, and every target where pySHACL runs rules first,
    is left to pySHACL. The chosen nodes get the results whole-graph validation gives."""
    ex = "http://example.org/"
    shapes = Graph().parse(data=_SPARQL_TARGET_SHAPES, format="turtle")
    data = Graph()
    a, b, c = URIRef(ex + "a"), URIRef(ex + "b"), URIRef(ex + "c")
    for node in (a, b, c):
        data.add((node, URIRef(ex + "link"), URIRef(ex + "z")))
    data.add((b, URIRef(ex + "name"), Literal("b")))
    targets = Targets.of(shapes)
    assert len(targets.selects) == 1  # the broken query is pySHACL's to report
    focused = targets.focused(data, {a, b})
    linked = URIRef(ex + "LinkedShape")
    assert set(focused.objects(linked, SH.targetNode)) == {a, b}
    assert (linked, SH.target, None) not in focused
    assert (URIRef(ex + "BrokenShape"), SH.target, None) in focused
    chosen = {a, b}
    runnable = Graph()
    for t in shapes:
        if t[0] != URIRef(ex + "BrokenShape"):
            runnable.add(t)
    whole = results_from_report(run_pyshacl(data, runnable), keep=chosen)
    part = results_from_report(run_pyshacl(data, runnable, focus=chosen), keep=chosen)
    assert sorted(map(_key, part), key=str) == sorted(map(_key, whole), key=str)
    assert {r.focus_node for r in part} == {a}
    ruled = Graph()
    ruled += shapes
    ruled.add((linked, SH.rule, BNode()))
    assert Targets.of(ruled).selects == ()


# -- the W3C SHACL core tests, split into existing and new facts ----------------


def _w3c_cases() -> list[Path]:
    if not W3C.is_dir():
        return []
    return sorted(
        p for p in W3C.rglob("*.ttl") if p.name != "manifest.ttl" and "complex" not in p.parts
    )


@pytest.mark.skipif(
    not W3C.is_dir(), reason=f"the W3C SHACL test suite is not at {W3C} (../shared absent)"
)
@pytest.mark.parametrize("path", _w3c_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_w3c_core_split(path: Path) -> None:
    MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
    SHT = "http://www.w3.org/ns/shacl-test#"
    doc = Graph().parse(path, format="turtle", publicID=path.as_uri())
    action = next(doc.objects(None, URIRef(MF + "action")), None)
    if action is None:
        pytest.skip("no test in this file")
    data_ref, shapes_ref = (
        doc.value(action, URIRef(SHT + "dataGraph")),
        doc.value(action, URIRef(SHT + "shapesGraph")),
    )
    if data_ref is None or shapes_ref is None:
        pytest.skip("not a validation test")

    def load(ref: Node) -> Graph:
        target = Path(str(ref).removeprefix("file://"))
        return (
            doc
            if target == path
            else Graph().parse(target, format="turtle", publicID=target.as_uri())
        )

    data, shapes = load(data_ref), load(shapes_ref)
    try:
        plan = Plan.from_shapes(shapes)
        plan = Plan(depth=plan.depth, incoming=plan.incoming, joins=plan.joins)
        triples = sorted(data, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
        for split_seed in range(3):
            rng = random.Random(f"{path.name}:{split_seed}")
            rng.shuffle(triples)
            cut = rng.randrange(len(triples) + 1)
            existing, new = Graph(), Graph()
            for t in triples[:cut]:
                existing.add(t)
            for t in triples[cut:]:
                new.add(t)
            touched = _touched(new)
            whole = existing + new
            full = results_from_report(run_pyshacl(whole, shapes), keep=touched)
            part = extract(GraphAccess(existing), touched, plan)
            part += new
            incremental = results_from_report(
                run_pyshacl(part, shapes, focus=touched), keep=touched
            )
            assert sorted(map(_key, incremental), key=str) == sorted(map(_key, full), key=str), (
                f"split {split_seed}: {len(new)} new of {len(triples)} triples"
            )
    except Exception as exc:  # pyshacl refuses some of the suite's deliberately broken shapes
        if "ReportableRuntimeError" in type(exc).__name__ or "ShapeLoadError" in type(exc).__name__:
            pytest.skip(f"pyshacl cannot run this test: {exc}")
        raise
