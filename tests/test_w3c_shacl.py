"""The W3C SHACL test suite's SPARQL tests, against zonegraph's shapes check.

zonegraph checks the SPARQL of a shapes file before pySHACL runs it
(:mod:`zonegraph.validate.shapecheck`): SHACL's rules for SPARQL-based constraints
(no MINUS, VALUES or SERVICE, no ``AS`` of a pre-bound variable, sub-queries
that return ``$this``) and no reach outside the graph. Here every test of the
suite's ``sparql/`` part that expects a failure must be refused by that
check (pySHACL would otherwise stop in the middle of a validation), and every
test that expects a validation report must pass it, then validate with
zonegraph's pySHACL settings to the expected outcome (conforming unless the
report has a violation: zonegraph lets warnings through).

The suite lives in ``../shared/w3c/shacl-tests`` beside the repository; without
it these tests are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Namespace
from rdflib.namespace import SH

from support import SHARED
from zonegraph.rdf.intake import parse_turtle_text
from zonegraph.validate.shacl import run_pyshacl
from zonegraph.validate.shapecheck import sparql_problems

SUITE = SHARED / "w3c" / "shacl-tests"
BASE = "http://datashapes.org/sh/tests/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

pytestmark = pytest.mark.skipif(
    not (SUITE / "manifest.ttl").exists(),
    reason=f"the W3C SHACL suite is not at {SUITE} (see /work/shared/w3c/README.md)",
)

#: Valid SHACL that zonegraph refuses anyway, and why.
REFUSED: dict[str, str] = {
    "sparql/pre-binding/shapesGraph-001.ttl": "pySHACL cannot run $shapesGraph (it raises "
    "NotImplementedError mid-validation), so the shapes check refuses it up front",
}
#: Tests that pass the shapes check but cannot validate as the suite expects, and why.
NOT_RUN: dict[str, str] = {
    "sparql/node/prefixes-001.ttl": "its prefixes come through owl:imports, which zonegraph "
    "never follows",
}


def _tests() -> list[Path]:
    if not SUITE.exists():
        return []
    return sorted(p for p in (SUITE / "sparql").rglob("*.ttl") if p.name != "manifest.ttl")


TESTS = _tests()


def _load(path: Path) -> Graph:
    rel = path.relative_to(SUITE).as_posix()
    # Some tests import the DASH vocabulary: accepted here, never followed.
    return parse_turtle_text(
        path.read_bytes(), name=rel, base=BASE + rel.replace(".ttl", ".test"), allow_network=True
    )


def test_the_suite_is_there() -> None:
    assert len(TESTS) >= 20


@pytest.mark.parametrize("path", TESTS, ids=[p.relative_to(SUITE).as_posix() for p in TESTS])
def test_w3c_shacl_sparql(path: Path) -> None:
    rel = path.relative_to(SUITE).as_posix()
    graph = _load(path)
    test = next(graph.subjects(RDF.type, SHT.Validate))
    result = graph.value(test, MF.result)
    problems = list(sparql_problems(graph))
    if result == SHT.Failure:
        assert problems, f"{rel}: expected a failure, the shapes check let it through"
        return
    if rel in REFUSED:
        assert problems
        return
    assert not problems, f"{rel}: refused valid SHACL: {problems[0][2]}"
    if rel in NOT_RUN:
        return
    assert isinstance(result, BNode)
    # zonegraph lets warnings through (allow_warnings): only violations make it non-conforming.
    severities = {graph.value(r, SH.resultSeverity) for r in graph.objects(result, SH.result)}
    expected = SH.Violation not in severities
    report = run_pyshacl(graph, graph)
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    got = report.value(node, SH.conforms)
    assert got is not None and bool(got.toPython()) == expected


@pytest.mark.skipif(not (SUITE / "core").is_dir(), reason=f"the suite is not at {SUITE}")
def test_nested_shapes_results_are_details_of_the_result_they_explain() -> None:
    """core/property/node-001: Issue_1's assignee lacks the email and last name its nested
    sh:node asks for. SHACL reports one result (Issue_1, sh:node); pySHACL adds the nested
    results as sh:detail, which are not results of the assignee."""
    from zonegraph.validate.shacl import ValidationReport, results_from_report

    path = SUITE / "core" / "property" / "node-001.ttl"
    graph = Graph().parse(path, format="turtle")
    results = results_from_report(run_pyshacl(graph, graph))
    assert [str(r.focus_node).rsplit("#", 1)[-1] for r in results] == ["Issue_1"]
    (result,) = results
    assert sorted(str(d.path).rsplit("#", 1)[-1] for d in result.details) == ["email", "lastName"]
    report = ValidationReport(results=results)
    assert "because:" in report.render("text")
    assert len(report.to_graph().query("SELECT ?d WHERE { ?r sh:detail ?d }")) == 2
    assert report.render("json").count('"details"') == 1
