"""The data generator: generated graphs conform, are reproducible, and the invalid
fraction yields exactly the violations written beside the data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zonegraph._kg import open_kg
from zonegraph.authoring.synth import synthesize
from zonegraph.authoring.synth_vocab import MUTATIONS
from zonegraph.validate.shacl import results_from_report, run_pyshacl


def _violations(root: Path) -> set[tuple[str, str]]:
    kg = open_kg(root)
    report = run_pyshacl(kg._validation_graph(), kg.shapes)
    return {
        (str(r.focus_node), str(r.source_shape)) for r in results_from_report(report) if r.blocking
    }


def test_generated_graph_conforms(tmp_path: Path) -> None:
    summary = synthesize(tmp_path, triples=2000, seed=3)
    assert 1700 < summary.triples < 2300 and summary.expected == []
    kg = open_kg(tmp_path)
    report = run_pyshacl(kg._validation_graph(), kg.shapes)
    assert results_from_report(report) == []  # no violation, and not even a warning
    for check in kg.catalogue.checks():
        assert kg.sparql(check.text).rows == [], check.name


def test_invalid_fraction_yields_exactly_the_expected_violations(tmp_path: Path) -> None:
    summary = synthesize(tmp_path, triples=2500, seed=5, invalid_fraction=0.3)
    written = json.loads((tmp_path / "expected-violations.json").read_text())
    assert len(written) == len(summary.expected) > 10
    assert {x["mutation"] for x in written} == set(MUTATIONS)  # every kind of mutation is exercised
    assert _violations(tmp_path) == {(x["focus"], x["shape"]) for x in written}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.ttl", tmp_path / "b.ttl", tmp_path / "c.ttl"
    synthesize(a, triples=1500, seed=9, invalid_fraction=0.1)
    synthesize(b, triples=1500, seed=9, invalid_fraction=0.1)
    synthesize(c, triples=1500, seed=10, invalid_fraction=0.1)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


def test_bad_fraction_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        synthesize(tmp_path, triples=100, invalid_fraction=1.5)


#: The mutations that are gaps of the data-gaps query, and the gap each is listed as.
GAPS = {
    "missing-label": "no label",
    "missing-source": "no source",
    "figure-without-date": "figure without date",
    "event-without-date": "event without date",
}


def test_every_canned_query_finds_rows_in_generated_data(tmp_path: Path) -> None:
    """The benchmarks time queries that have something to find: programmes, standards,
    sources that disagree and a known share of gaps are generated too (issue #17)."""
    from zonegraph.authoring.synth_vocab import COUNTERPARTS, REQUIRED_PARAMETERS

    summary = synthesize(tmp_path, triples=4000, seed=2, invalid_fraction=0.05)
    kg = open_kg(tmp_path)
    empty = []
    for q in kg.queries():
        given = {p.name: COUNTERPARTS.get(p.default, p.default) for p in q.params if p.default}
        given.update(REQUIRED_PARAMETERS.get(q.name, {}))
        if not len(kg.query(q.name, given)):
            empty.append(q.name)
    assert empty == []
    gaps = {(x.focus, GAPS[x.mutation]) for x in summary.expected if x.mutation in GAPS}
    assert gaps  # a known share of gaps ...
    rows = kg.query("data-gaps")
    found = {(str(r["entity"]), str(r["gap"])) for r in rows.rows}
    assert found == gaps  # ... and exactly those are listed
