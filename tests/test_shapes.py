"""The SHACL shapes of ``ontology/shapes.ttl``, case by case.

Each file of ``tests/data/valid/`` and ``tests/data/invalid/`` is a small set of
new facts, validated together with the shipped graph through the public API
(``kg.validate([path])``). A valid file must conform with no violation; an
invalid file holds one mistake and must not conform. A file states what it must
produce in header lines of the form::

    # expect: <severity> <focus node> <path or -> <constraint component>

for example ``# expect: Violation zgr:test-park zg:partOf ClassConstraintComponent``.
Focus node and path are prefixed names (expanded with the file's own
``@prefix`` lines) or ``<IRI>``s; the component is the local name of the
``sh:sourceConstraintComponent``. Every expectation must match a result, and an
invalid file may produce no violation it does not expect: one mistake, the
results it names and no flood of others. Valid files may expect warnings.

The remaining tests are about the shapes file itself: it is valid SHACL, every
constraint says what is wrong and how to fix it, every shape is documented,
every class of the ontology is checked by some shape, and every zonegraph term
it names is declared by the ontology (a misspelt path would silently match
nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

import zonegraph

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHAPES_FILE = REPO / "ontology" / "shapes.ttl"
ONTOLOGY_FILE = REPO / "ontology" / "zonegraph.ttl"
VALID = sorted((DATA / "valid").glob("*.ttl"))
INVALID = sorted((DATA / "invalid").glob("*.ttl"))

SH = Namespace("http://www.w3.org/ns/shacl#")
ZG = "https://w3id.org/zonegraph/ontology#"
SEVERITIES = {"Violation", "Warning", "Info"}

EXPECT = re.compile(r"^#\s*expect:\s*(.*?)\s*$")
PREFIX = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.", re.MULTILINE)


@dataclass(frozen=True)
class Expectation:
    """One ``# expect:`` line of a case file."""

    severity: str
    focus_node: URIRef
    path: URIRef | None
    constraint: str
    line: str

    def matches(self, result: zonegraph.ValidationResult) -> bool:
        return (
            result.severity == self.severity
            and result.focus_node == self.focus_node
            and result.path == self.path
            and _local_name(result.constraint) == self.constraint
        )


def _local_name(iri: Node) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def expectations(path: Path) -> list[Expectation]:
    """The ``# expect:`` lines of *path*, prefixed names expanded with its own prefixes."""
    text = path.read_text(encoding="utf-8")
    prefixes = {prefix or "": iri for prefix, iri in PREFIX.findall(text)}

    def term(token: str) -> URIRef:
        if token.startswith("<") and token.endswith(">"):
            return URIRef(token[1:-1])
        prefix, sep, local = token.partition(":")
        if not sep or prefix not in prefixes:
            raise ValueError(f"{path.name}: {token!r} is not a prefixed name declared in the file")
        return URIRef(prefixes[prefix] + local)

    out = []
    for line in text.splitlines():
        m = EXPECT.match(line)
        if not m:
            continue
        parts = m.group(1).split()
        if len(parts) != 4 or parts[0] not in SEVERITIES:
            raise ValueError(f"{path.name}: malformed expectation {line!r}")
        severity, focus, result_path, constraint = parts
        out.append(
            Expectation(
                severity=severity,
                focus_node=term(focus),
                path=None if result_path == "-" else term(result_path),
                constraint=constraint,
                line=line,
            )
        )
    return out


def describe(results: list[zonegraph.ValidationResult]) -> str:
    return (
        "\n".join(
            f"  {r.severity} {r.focus_node} {r.path} {_local_name(r.constraint)}: {r.message}"
            for r in results
        )
        or "  (no results)"
    )


# ---------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------


def test_there_are_enough_cases() -> None:
    assert len(VALID) >= 6
    assert len(INVALID) >= 30


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_case(kg: zonegraph.KnowledgeGraph, path: Path) -> None:
    report = kg.validate([path])
    violations = [r for r in report.results if r.severity == "Violation"]
    assert report.conforms, f"{path.name} must conform:\n{describe(report.results)}"
    assert not violations, f"{path.name} has violations:\n{describe(violations)}"
    for expected in expectations(path):
        assert any(expected.matches(r) for r in report.results), (
            f"{path.name}: no result matches {expected.line!r}; got:\n{describe(report.results)}"
        )


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case(kg: zonegraph.KnowledgeGraph, path: Path) -> None:
    expected = expectations(path)
    assert expected, f"{path.name} names no expected result (# expect: ...)"
    report = kg.validate([path])
    assert not report.conforms, f"{path.name} must not conform:\n{describe(report.results)}"
    for e in expected:
        assert any(e.matches(r) for r in report.results), (
            f"{path.name}: no result matches {e.line!r}; got:\n{describe(report.results)}"
        )
    unexpected = [
        r
        for r in report.results
        if r.severity == "Violation" and not any(e.matches(r) for e in expected)
    ]
    assert not unexpected, f"{path.name}: violations it does not expect:\n{describe(unexpected)}"


def test_shipped_graph_conforms(kg: zonegraph.KnowledgeGraph) -> None:
    report = kg.check()
    assert report.conforms, report.render("text")


# ---------------------------------------------------------------------------
# the shapes file
# ---------------------------------------------------------------------------

# Parameters that make a shape report results of its own (SHACL Core and SPARQL).
CONSTRAINT_PARAMETERS = {
    SH[name]
    for name in [
        "class", "datatype", "nodeKind", "minCount", "maxCount",
        "minExclusive", "minInclusive", "maxExclusive", "maxInclusive",
        "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
        "equals", "disjoint", "lessThan", "lessThanOrEquals",
        "not", "and", "or", "xone", "node", "qualifiedValueShape",
        "closed", "hasValue", "in", "sparql",
    ]
}  # fmt: skip
NESTING_PARAMETERS = (SH["not"], SH["and"], SH["or"], SH.xone, SH.node, SH.qualifiedValueShape)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def nested_shapes(shapes: Graph) -> set[Node]:
    """Shapes used only as parameters of other constraints (members of sh:or, ...)."""
    out: set[Node] = set()
    for parameter in NESTING_PARAMETERS:
        for value in shapes.objects(None, parameter):
            if (value, RDF.first, None) in shapes:
                out.update(Collection(shapes, value))
            else:
                out.add(value)
    return out


def reporting_shapes(shapes: Graph) -> set[Node]:
    """Node and property shapes that report results themselves."""
    candidates = (
        set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.objects(None, SH.property))
    )
    nested = nested_shapes(shapes)
    return {s for s in candidates if s not in nested}


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    """shapes.ttl conforms to the SHACL shapes for SHACL (pyshacl raises if it does not)."""
    conforms, _report, text = pyshacl.validate(
        Graph(), shacl_graph=shapes, meta_shacl=True, inference="none", advanced=True
    )
    assert conforms, text


def test_every_constraint_has_a_message_and_severity(shapes: Graph) -> None:
    missing = []
    for shape in reporting_shapes(shapes):
        parameters = set(shapes.predicates(shape, None)) & CONSTRAINT_PARAMETERS
        if not parameters:
            continue
        if parameters - {SH.sparql}:
            messages = list(shapes.objects(shape, SH.message))
            if not any(isinstance(m, Literal) and m.language == "en" for m in messages):
                missing.append(f"{shape}: no sh:message in English")
        if shapes.value(shape, SH.severity) not in (SH.Violation, SH.Warning, SH.Info):
            missing.append(f"{shape}: no deliberate sh:severity")
    for constraint in shapes.objects(None, SH.sparql):
        messages = list(shapes.objects(constraint, SH.message))
        if not any(isinstance(m, Literal) and m.language == "en" for m in messages):
            missing.append(f"SPARQL constraint {constraint}: no sh:message in English")
    assert not missing, "\n".join(sorted(missing))


def test_every_shape_is_documented(shapes: Graph) -> None:
    missing = []
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        for prop in (RDFS.label, RDFS.comment):
            if shapes.value(shape, prop) is None:
                missing.append(f"node shape {shape}: no {prop}")
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    property_shapes |= set(shapes.objects(None, SH.property))
    for shape in property_shapes:
        for prop in (SH.name, SH.description):
            if shapes.value(shape, prop) is None:
                missing.append(f"property shape {shape}: no {prop}")
    assert not missing, "\n".join(sorted(missing))


def test_every_class_is_checked(shapes: Graph, ontology: Graph) -> None:
    """Every zonegraph class is the target class of a shape, or a subclass of one."""
    targets = set(shapes.objects(None, SH.targetClass))
    unchecked = []
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(ZG):
            continue
        ancestors = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        if not ancestors & targets:
            unchecked.append(str(cls))
    assert not unchecked, f"classes no shape targets: {sorted(unchecked)}"


def test_shapes_name_only_declared_terms(shapes: Graph, ontology: Graph) -> None:
    """A misspelt zg: term in a shape would match nothing and never report."""
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(ZG)}
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(ZG)}
    for text in shapes.objects(None, SH.select):
        used |= {URIRef(ZG + name) for name in re.findall(r"\bzg:([A-Za-z][\w-]*)", str(text))}
    undeclared = sorted(str(t) for t in used - declared)
    assert not undeclared, f"undeclared terms in shapes.ttl: {undeclared}"
