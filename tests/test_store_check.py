"""Whole-graph validation inside the store (validate/sparql_shacl.py) gives pySHACL's results.

A result is compared by what identifies it (:func:`zonegraph.validate.shacl.result_key`:
severity, focus node, path, value, constraint component, source shape), literals by value
(Oxigraph gives ``"89.8"`` back for ``"89.80"``). The proof:

- the shipped graph and generated graphs with known violations (``synthesize`` with an
  invalid fraction), on the memory store and the Oxigraph store, against pySHACL over the
  validation graph (facts, ontology, validation closure);
- the W3C SHACL core suite (``../shared/w3c/shacl-tests/core``), each data graph loaded
  into each store, against the suite's expected reports; the tests the engine does not
  cover are listed with the reason (:data:`NOT_COVERED`);
- a property test over random mutations of a generated graph.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from servers import OxigraphServer, oxigraph_binary
from support import SHARED
from zonegraph import KnowledgeGraph, open_kg
from zonegraph._load import load
from zonegraph.authoring.synth import synthesize
from zonegraph.rdf.namespaces import ONTOLOGY_GRAPH, ZGR, ZGS, ZGSH
from zonegraph.reason.core import Vocabulary
from zonegraph.sparql.query import prepare
from zonegraph.store.base import MemoryStore, Store
from zonegraph.store.oxigraph import OxigraphStore
from zonegraph.store.sparql_server import SparqlStore
from zonegraph.validate import sparql_shacl
from zonegraph.validate.check import validation_graph
from zonegraph.validate.shacl import ValidationResult, results_from_report, run_pyshacl
from zonegraph.validate.sparql_closure import ClosureView

REPO = Path(__file__).resolve().parent.parent
SIZE, SEED = 3000, 5


def _term(n: Node | None) -> object:
    if isinstance(n, Literal):
        plain = (int, float, Decimal, str, bool, date, datetime, time)
        value = n.value if isinstance(n.value, plain) else str(n)
        return ("literal", str(n.datatype), n.language, value)
    if isinstance(n, BNode):
        return "_:"
    return n


def _keys(results: list[ValidationResult]) -> list[tuple[object, ...]]:
    keys = {
        (
            r.severity,
            _term(r.focus_node),
            _term(r.path),
            _term(r.value),
            r.constraint,
            _term(r.source_shape),
        )
        for r in results
    }
    return sorted(keys, key=str)


def _short(keys: list[tuple[object, ...]]) -> list[str]:
    return [" ".join(str(x).rsplit("/", 1)[-1] for x in k) for k in keys]


def _same(a: list[ValidationResult], b: list[ValidationResult]) -> None:
    ka, kb = _keys(a), _keys(b)
    missing = _short([k for k in ka if k not in kb])
    extra = _short([k for k in kb if k not in ka])
    assert not missing and not extra, f"missing {missing[:10]}, extra {extra[:10]}"


@pytest.fixture(scope="module")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth")
    synthesize(root, triples=SIZE, seed=SEED, invalid_fraction=0.15)
    return root


@pytest.fixture(scope="module")
def synth_kg(synth_root: Path) -> KnowledgeGraph:
    return open_kg(synth_root)


@pytest.fixture(scope="module")
def synth_ox(
    synth_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KnowledgeGraph]:
    kg = open_kg(synth_root, store=OxigraphStore(tmp_path_factory.mktemp("ox") / "store"))
    load(kg)
    yield kg
    kg.store.close()


@pytest.fixture(scope="module")
def synth_pyshacl(synth_kg: KnowledgeGraph) -> list[ValidationResult]:
    return synth_kg.check(engine="pyshacl").results


def test_generated_graph_on_oxigraph(
    synth_root: Path, synth_ox: KnowledgeGraph, synth_pyshacl: list[ValidationResult]
) -> None:
    report = synth_ox.check()  # the default engine on Oxigraph: sparql
    assert report.notes == []  # every shipped shape compiles: nothing falls back
    _same(synth_pyshacl, report.results)
    # every violation the generator planted is found
    expected = json.loads((synth_root / "expected-violations.json").read_text())
    found = {(str(r.focus_node), str(r.source_shape)) for r in report.results if r.blocking}
    assert len(expected) > 10
    assert {(x["focus"], x["shape"]) for x in expected} <= found


@pytest.mark.slow
def test_generated_graph_on_memory_store(
    synth_kg: KnowledgeGraph, synth_pyshacl: list[ValidationResult]
) -> None:
    """rdflib's SPARQL engine runs the same queries (slowly: pySHACL stays the default)."""
    report = synth_kg.check(engine="sparql")
    assert report.notes == []
    _same(synth_pyshacl, report.results)


@pytest.mark.slow
def test_shipped_graph_on_both_stores(tmp_path: Path) -> None:
    kg = open_kg()
    reference = kg.check(engine="pyshacl")
    assert reference.results  # the shipped graph has warnings and infos
    _same(reference.results, kg.check(engine="sparql").results)
    ox = open_kg(store=OxigraphStore(tmp_path / "store"))
    try:
        load(ox)
        report = ox.check()
        _same(reference.results, report.results)
        assert report.checks == reference.checks
    finally:
        ox.store.close()


@pytest.mark.skipif(
    not oxigraph_binary(), reason="the oxigraph CLI (pip install oxigraph) is absent"
)
@pytest.mark.parametrize("union", [True, False], ids=["sparql-union", "sparql"])
def test_generated_graph_through_an_oxigraph_server(
    synth_root: Path, synth_pyshacl: list[ValidationResult], tmp_path: Path, union: bool
) -> None:
    """The same queries over HTTP (``sparql-union:URL`` and ``sparql:URL``, which names
    zonegraph's graphs in each request): pySHACL's results."""
    server = OxigraphServer(tmp_path / "server", union_default_graph=union)
    server.start()
    store = SparqlStore(
        server.query_url,
        update_url=server.update_url,
        gsp_url=server.gsp_url,
        union_default_graph=union,
    )
    try:
        kg = open_kg(synth_root, store=store)
        load(kg)
        report = kg.check()
        assert report.notes == []
        _same(synth_pyshacl, report.results)
    finally:
        store.close()
        server.stop()


def test_check_command_on_oxigraph(
    synth_root: Path, synth_ox: KnowledgeGraph, tmp_path: Path
) -> None:
    """Same report formats and exit codes as before: 1 with a violation, a SHACL report
    graph with sh:conforms false."""
    store = f"oxigraph-read-only:{synth_ox.store.path}"  # type: ignore[attr-defined]
    run = [sys.executable, "-m", "zonegraph", "--kg", str(synth_root), "--store", store, "check"]
    done = subprocess.run([*run, "--format", "turtle"], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    report = Graph().parse(data=done.stdout, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    assert len(set(report.subjects(RDF.type, SH.ValidationResult))) == len(synth_ox.check().results)
    text = subprocess.run([*run, "--engine", "sparql"], capture_output=True, text=True)
    assert text.returncode == 1 and "Does not conform" in text.stdout


def test_a_shape_the_engine_cannot_compile_falls_back_to_pyshacl(tmp_path: Path) -> None:
    """sh:closed is not compiled: the report names the shape, and pySHACL validates it on
    its focus nodes (here the one currency whose closed shape fails)."""
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, tmp_path / part)
    shapes = tmp_path / "ontology" / "shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8")
        + """
zgsh:ClosedCurrencyShape
    a sh:NodeShape ;
    rdfs:label "closed currency"@en ;
    sh:closed true ;
    sh:ignoredProperties ( rdf:type rdfs:label dct:source zg:currencyCode skos:altLabel ) ;
    sh:message "A currency has only these properties."@en ;
    sh:severity sh:Warning ;
    sh:targetClass zg:Currency .
""",
        encoding="utf-8",
    )
    kg = open_kg(tmp_path)
    ox = open_kg(tmp_path, store=OxigraphStore(tmp_path / "store"))
    try:
        load(ox)
        report = ox.check()
        assert len(report.notes) == 1
        assert "zgsh:ClosedCurrencyShape" in report.notes[0] and "sh:closed" in report.notes[0]
        assert "Note: zgsh:ClosedCurrencyShape" in report.render("text")
        _same(kg.check(engine="pyshacl").results, report.results)
    finally:
        ox.store.close()


# -- the W3C SHACL core suite -----------------------------------------------------------

SUITE = SHARED / "w3c" / "shacl-tests" / "core"
BASE = "http://datashapes.org/sh/tests/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: Tests whose expected results a store does not give (the stores named), and why. None of
#: them is the engine's doing: the SPARQL it sends is the same on every store.
DIFFERENT: dict[str, tuple[set[str], str]] = {
    "node/minInclusive-003.ttl": (
        {"memory"},
        "rdflib's SPARQL compares a dateTime with a time zone to one without (XSD calls "
        "the order indeterminate, so SHACL reports the value); Oxigraph follows the spec",
    ),
    "property/datatype-ill-formed.ttl": (
        {"oxigraph"},
        'Oxigraph gives the out-of-range "300"^^xsd:byte back as xsd:integer: the '
        "violation is found, its value's datatype differs",
    ),
    "property/or-datatypes-001.ttl": (
        {"memory", "oxigraph"},
        'rdflib reads the ill-typed "none"^^xsd:boolean of the test file as '
        '"false" (its literal normalisation), so no store ever sees the bad value',
    ),
    "property/uniqueLang-002.ttl": (
        {"memory", "oxigraph"},
        'rdflib reads sh:uniqueLang "1"^^xsd:boolean as "true" (its literal '
        "normalisation), so the shapes graph cannot tell it from true",
    ),
}


def _core_tests() -> list[Path]:
    if not SUITE.exists():
        return []
    return sorted(
        p
        for p in SUITE.rglob("*.ttl")
        if p.name != "manifest.ttl" and not p.name.endswith(("-data.ttl", "-shapes.ttl"))
    )


CORE = _core_tests()


def _read(path: Path) -> Graph:
    rel = path.relative_to(SUITE.parent).as_posix()
    return Graph().parse(path, format="turtle", publicID=BASE + rel.replace(".ttl", ".test"))


def _graphs(path: Path) -> tuple[Graph, Graph, Graph | None]:
    """The test's data graph, shapes graph and expected report (None: a failure)."""
    manifest = _read(path)
    test = next(manifest.subjects(RDF.type, SHT.Validate))
    action = manifest.value(test, MF.action)
    graphs = []
    for kind in (SHT.dataGraph, SHT.shapesGraph):
        ref = manifest.value(action, kind)
        name = str(ref).rsplit("/", 1)[-1].replace(".test", "") if ref is not None else path.stem
        other = path.with_name(name + ".ttl") if not name.endswith(".ttl") else path.with_name(name)
        graphs.append(manifest if other == path or not other.exists() else _read(other))
    result = manifest.value(test, MF.result)
    expected = None if result == SHT.Failure else manifest
    return graphs[0], graphs[1], expected


def _expected(report: Graph) -> list[ValidationResult]:
    return results_from_report(report)


def _stores(
    tmp_path: Path, data: Graph
) -> Iterator[tuple[str, Callable[[str], list[dict[str, Node | None]]], Store]]:
    name = URIRef("http://example.org/data")
    memory = MemoryStore()
    memory.replace_graphs({name: data})

    def on_memory(text: str) -> list[dict[str, Node | None]]:
        p = prepare(text, prologue="")
        return memory.query(p.query, p.text, {}).rows

    yield "memory", on_memory, memory
    ox = OxigraphStore(tmp_path / "ox")
    ox.replace_graphs({name: data})
    try:
        yield "oxigraph", lambda text: ox.select_rows(text, None), ox
    finally:
        ox.close()


@pytest.mark.skipif(not CORE, reason=f"the W3C SHACL suite is not at {SUITE} (../shared absent)")
@pytest.mark.parametrize("path", CORE, ids=[p.relative_to(SUITE).as_posix() for p in CORE])
def test_w3c_core(path: Path, tmp_path: Path) -> None:
    rel = path.relative_to(SUITE).as_posix()
    data, shapes, report = _graphs(path)
    if report is None:
        pytest.skip("expects a failure (ill-formed shapes): not a validation")
    view = ClosureView(Vocabulary(Graph()))  # the suite validates its data as it is
    compiled = sparql_shacl.compile_shapes(shapes, view)
    if compiled.fallbacks:
        reasons = sorted(set(compiled.fallbacks.values()))
        pytest.skip(f"not covered (falls back to pySHACL): {'; '.join(reasons)}")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    expected = results_from_report(report) if (node, SH.result, None) in report else []
    stores, why = DIFFERENT.get(rel, (set(), ""))
    for name, select, _store in _stores(tmp_path, data):
        got = list(sparql_shacl.run(compiled, select))
        if name in stores:
            assert _keys(expected) != _keys(got), f"{rel} now passes on {name}: {why}"
        else:
            _same(expected, got)
    if {"memory", "oxigraph"} <= stores:
        pytest.xfail(why)


# -- random mutations ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, KnowledgeGraph]:
    root = tmp_path_factory.mktemp("small")
    synthesize(root, triples=900, seed=11)
    kg = open_kg(root)
    return kg.data(), kg


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    drops=st.lists(st.integers(min_value=0, max_value=10**6), max_size=6),
    swaps=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6)
        ),
        max_size=6,
    ),
)
def test_random_mutations_give_pyshacls_results(
    small: tuple[Graph, KnowledgeGraph],
    tmp_path_factory: pytest.TempPathFactory,
    drops: list[int],
    swaps: list[tuple[int, int]],
) -> None:
    """Drop triples, and give a triple another triple's object (a wrong type, a literal
    where a link belongs, a link into a chain): the store's results are pySHACL's."""
    facts, kg = small
    triples = sorted(facts, key=str)
    mutated = Graph()
    gone = {triples[i % len(triples)] for i in drops}
    for t in triples:
        if t not in gone:
            mutated.add(t)
    for i, j in swaps:
        s, p, _ = triples[i % len(triples)]
        mutated.add((s, p, triples[j % len(triples)][2]))
    reference = results_from_report(
        run_pyshacl(validation_graph(_copy(mutated), kg.ontology, kg.vocabulary), kg.shapes)
    )
    _same(reference, _in_oxigraph(kg, mutated, tmp_path_factory.mktemp("mut") / "store"))


def _in_oxigraph(kg: KnowledgeGraph, facts: Graph, where: Path) -> list[ValidationResult]:
    """The shapes' results on *facts* (one source) and the ontology in an Oxigraph store at
    *where*, every shape compiled (no fallback)."""
    store = OxigraphStore(where)
    try:
        store.replace_graphs({URIRef(ZGS + "x"): facts, ONTOLOGY_GRAPH: kg.ontology})
        results, notes = sparql_shacl.validate(
            kg.shapes, kg.vocabulary, lambda t: store.select_rows(t, None), lambda *_: []
        )
    finally:
        store.close()
    assert notes == []
    return results


def _copy(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


# -- the closed vocabulary -----------------------------------------------------------

#: Undeclared zg: terms in every position the closed-vocabulary target reads: one not
#: described (an object: reported at the node using it), one that the closure describes
#: (the object of zg:hasPart, which the closure turns into the subject of zg:partOf), a
#: misspelt predicate, and an instance named in the ontology namespace.
UNDECLARED = """
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
zgr:a zg:currency zg:NoSuchCurrency ; zg:hasPart zg:OddPlace ; zg:partnerNaton zgr:b .
zg:stray-park a zg:IndustrialPark .
zgr:b a zg:Parc .
"""

CLOSED_VOCABULARY_CASES = [
    "typo-partner-naton",
    "undeclared-measure",
    "undeclared-class-parc",
    "instance-in-ontology-namespace",
    "inline",
]


@pytest.mark.parametrize("case", CLOSED_VOCABULARY_CASES)
def test_closed_vocabulary_gives_pyshacls_results(
    small: tuple[Graph, KnowledgeGraph], tmp_path: Path, case: str
) -> None:
    """The closed-vocabulary target (ontology/shapes.ttl: terms per position first, then
    the nodes using an undeclared one) selects on the store what pySHACL selects, for an
    undeclared predicate, object (described or not in the closure) and subject."""
    _, kg = small
    facts = Graph()
    if case == "inline":
        facts.parse(data=UNDECLARED, format="turtle")
    else:
        facts.parse(REPO / "tests" / "data" / "invalid" / f"{case}.ttl", format="turtle")
    reference = results_from_report(
        run_pyshacl(validation_graph(_copy(facts), kg.ontology, kg.vocabulary), kg.shapes)
    )
    flagged = {r.focus_node for r in reference if r.source_shape == ZGSH.ClosedVocabularyShape}
    assert flagged
    if case == "inline":
        zg = Namespace("https://w3id.org/zonegraph/ontology#")
        assert flagged == {ZGR.a, ZGR.b, zg["stray-park"], zg.OddPlace}
    _same(reference, _in_oxigraph(kg, facts, tmp_path / "store"))
