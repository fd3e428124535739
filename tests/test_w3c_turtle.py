"""The W3C RDF 1.1 Turtle test suite, run through zonegraph's intake (``parse_turtle_text``).

Every negative syntax test must be refused with an InputError that has a line
and a column; every positive syntax test must parse; every evaluation test
must give the triples of its ``.nt`` result (compared by graph isomorphism).
Each file is parsed with the base the manifest assumes
(``mf:assumedTestBase`` plus the file name), as the expected results do.

zonegraph reads Turtle with its own strict parser (:mod:`zonegraph.rdf.turtle_reader`),
so the suite passes whole, with no expected failures. rdflib's parser, which
zonegraph used before, deviates on 43 of the tests (rdflib 7.6: it accepts 39
negative tests and resolves 4 positive ones wrongly), listed in
``RDFLIB_DEVIATIONS`` below and checked by a test, so the list stays true: if
rdflib changes, that test says so.

The suite lives in ``../shared/w3c/rdf-turtle`` beside the repository
(see ``/work/shared/w3c/README.md``); without it these tests are skipped.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.compare import isomorphic

from support import SHARED
from zonegraph import InputError
from zonegraph.rdf.intake import parse_turtle_text

SUITE = SHARED / "w3c" / "rdf-turtle"
BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")
NEGATIVE = {RDFT.TestTurtleNegativeSyntax, RDFT.TestTurtleNegativeEval}
POSITIVE = {RDFT.TestTurtlePositiveSyntax, RDFT.TestTurtleEval}

pytestmark = pytest.mark.skipif(
    not (SUITE / "manifest.ttl").exists(),
    reason=f"the W3C Turtle suite is not at {SUITE} (see /work/shared/w3c/README.md)",
)

#: Tests rdflib's own Turtle parser gets wrong (rdflib 7.6.0), and how.
RDFLIB_DEVIATIONS: dict[str, str] = {
    # positive: relative IRIs resolved without removing dot segments (RFC 3986 §5.2.4)
    **{
        f"IRI-resolution-0{n}.ttl": "keeps ./ and ../ segments when resolving against the base"
        for n in (1, 2, 7, 8)
    },
    # negative: accepted
    **{
        f"turtle-syntax-bad-struct-{n}.ttl": "accepts a literal or blank node as predicate"
        for n in ("05", "06", "07", "15", "16", "17")
    },
    "turtle-syntax-bad-kw-05.ttl": "accepts the keyword true as a predicate",
    **{
        f"turtle-syntax-bad-n3-extras-{n}.ttl": "accepts N3 paths and N3 '.' separators"
        for n in ("03", "04", "06")
    },
    **{
        f"turtle-syntax-bad-numeric-escape-{n:02d}.ttl": "accepts \\u escapes of surrogates"
        for n in range(1, 11)
    },
    **{
        f"turtle-syntax-bad-esc-0{n}.ttl": "accepts \\u and \\U escapes without hex digits"
        for n in (2, 3, 4)
    },
    "turtle-syntax-bad-string-06.ttl": 'accepts a long string closed by four quotes ("""")',
    "turtle-syntax-bad-string-07.ttl": "accepts a long string closed by four quotes (''''')",
    "turtle-syntax-bad-LITERAL2_with_langtag_and_datatype.ttl": "accepts a language tag and a "
    "datatype together (drops the tag)",
    "turtle-syntax-bad-ln-dash-start.ttl": "accepts a local name starting with '-'",
    **{f"turtle-syntax-bad-struct-{n}.ttl": "accepts a literal as subject" for n in ("04", "14")},
    "turtle-syntax-bad-kw-04.ttl": "accepts the keyword true as a subject",
    "turtle-syntax-bad-uri-01.ttl": "accepts a space in an IRI (logs a warning)",
    "turtle-syntax-bad-uri-02.ttl": "accepts a \\u escape without hex digits in an IRI",
    "turtle-syntax-bad-uri-03.ttl": "accepts a \\U escape without hex digits in an IRI",
    "turtle-syntax-bad-uri-04.ttl": "accepts a string escape (\\n) in an IRI",
    "turtle-syntax-bad-uri-05.ttl": "accepts a string escape (\\/) in an IRI",
    **{
        f"turtle-syntax-bad-uri-escape-0{n}.ttl": "accepts an escape giving a character an IRI "
        "cannot hold (space, <, >) or braces"
        for n in (1, 2, 3, 4)
    },
}


def _manifest() -> list[tuple[str, str, str | None]]:
    """(file name, kind, expected result file) for every test of the manifest."""
    if not (SUITE / "manifest.ttl").exists():
        return []
    graph = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=BASE + "manifest.ttl")
    tests = []
    for test, kind in graph.subject_objects(RDF.type):
        if kind not in NEGATIVE | POSITIVE:
            continue
        action = str(graph.value(test, MF.action)).rsplit("/", 1)[-1]
        result = graph.value(test, MF.result)
        expected = str(result).rsplit("/", 1)[-1] if result is not None else None
        tests.append((action, str(kind).rsplit("#", 1)[-1], expected))
    return sorted(tests)


TESTS = _manifest()


def _parse(name: str) -> Graph:
    return parse_turtle_text((SUITE / name).read_bytes(), name=name, base=BASE + name)


def test_the_suite_is_all_there() -> None:
    kinds = [kind for _, kind, _ in TESTS]
    assert len(TESTS) >= 300
    assert kinds.count("TestTurtleNegativeSyntax") >= 90
    assert kinds.count("TestTurtleEval") >= 140


@pytest.mark.parametrize(
    ("name", "kind", "expected"), TESTS, ids=[f"{kind}:{name}" for name, kind, _ in TESTS]
)
def test_w3c_turtle(name: str, kind: str, expected: str | None) -> None:
    if kind in ("TestTurtleNegativeSyntax", "TestTurtleNegativeEval"):
        with pytest.raises(InputError) as info:
            _parse(name)
        assert info.value.where.file == name
        assert info.value.where.line is not None and info.value.where.column is not None
        assert info.value.hint
        return
    graph = _parse(name)
    if kind == "TestTurtleEval":
        assert expected is not None
        want = Graph().parse(SUITE / expected, format="nt")
        assert isomorphic(graph, want), f"{name}: {sorted(set(graph) ^ set(want))[:5]}"


def _rdflib_gets_it_right(name: str, kind: str, expected: str | None) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            graph = Graph().parse(SUITE / name, format="turtle", publicID=BASE + name)
        except Exception:
            return kind.startswith("TestTurtleNegative")
        finally:
            logging.disable(logging.NOTSET)
    if kind.startswith("TestTurtleNegative"):
        return False
    if kind == "TestTurtleEval" and expected is not None:
        return isomorphic(graph, Graph().parse(SUITE / expected, format="nt"))
    return True


def test_the_list_of_rdflib_deviations_is_exact() -> None:
    """Why zonegraph has a parser of its own: rdflib's deviates on exactly these tests."""
    wrong = {
        name for name, kind, expected in TESTS if not _rdflib_gets_it_right(name, kind, expected)
    }
    assert wrong == set(RDFLIB_DEVIATIONS)


def test_suite_files_are_unchanged_by_the_run() -> None:
    """The suite is read-only data: nothing here writes beside it."""
    assert not list(Path(SUITE).glob("*.tmp"))
