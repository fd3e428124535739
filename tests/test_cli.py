"""The command's contract: output, formats and exit codes (0 ok, 1 not conforming, 2 error)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from support import REPO, new_source_with_company, run_cli, snapshot
from zonegraph.cli import main

NEW_SOURCE = new_source_with_company(
    "cli-test-source", "A test article", "cli-test-company", "Test Company"
)

TYPO = NEW_SOURCE.replace(
    "zg:locatedIn zgr:sino-german-ecopark", "zg:locatedInn zgr:sino-german-ecopark"
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_queries_lists_every_canned_query() -> None:
    code, out, _ = invoke("queries")
    assert code == 0
    names = sorted(p.stem for p in (REPO / "queries").glob("*.rq") if p.stem != "prefixes")
    for name in names:
        assert name in out


def test_query_table_is_the_default() -> None:
    code, out, _ = invoke("query", "parks-of-zone", "-p", "zone=zgr:qingdao-iecz")
    assert code == 0
    assert "Sino-German Ecopark" in out
    # One row per park and source placing it in the zone (4 parks, 7 statements).
    assert "(4 parks in 7 rows: a park's rows differ in source)" in " ".join(out.split())


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_results_formats(fmt: str) -> None:
    code, out, _ = invoke("query", "parks-of-zone", "-p", "zone=zgr:qingdao-iecz", "--format", fmt)
    assert code == 0
    if fmt == "json":
        doc = json.loads(out)
        assert "park" in doc["head"]["vars"]
        assert len(doc["results"]["bindings"]) == 7
    elif fmt == "xml":
        root = ET.fromstring(out)
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert len(root.findall(f"{ns}results/{ns}result")) == 7
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {r["countryLabel"] for r in rows} == {"Germany", "United Kingdom", "Russia", "Japan"}
    else:
        lines = out.strip().split("\n")
        assert lines[0].startswith("?")
        assert len(lines) == 8
        assert "<https://w3id.org/zonegraph/id/germany>" in out


def test_unknown_query_suggests_a_name() -> None:
    code, _, err = invoke("query", "park-of-zone")
    assert code == 2
    assert "parks-of-zone" in err


def test_bad_parameter_is_exit_2_with_a_hint() -> None:
    code, _, err = invoke("query", "parks-of-zone", "-p", "zone=Atlantis")
    assert code == 2
    assert "Atlantis" in err
    code, _, err = invoke("query", "parks-of-zone", "-p", "nonsense=1")
    assert code == 2
    assert "no parameter" in err


def test_sparql_select_ask_construct_describe() -> None:
    code, out, _ = invoke("sparql", 'SELECT ?c WHERE { ?c zg:isoCode "DE" }', "--format", "csv")
    assert code == 0 and "https://w3id.org/zonegraph/id/germany" in out
    code, out, _ = invoke("sparql", 'ASK { zgr:germany zg:isoCode "DE" }', "--format", "json")
    assert code == 0 and json.loads(out)["boolean"] is True
    code, out, _ = invoke(
        "sparql",
        "CONSTRUCT { ?c zg:isoCode ?i } WHERE { ?c zg:isoCode ?i }",
        "--format",
        "ntriples",
    )
    # Nine countries with ISO codes, and Singapore, Israel, Japan, Switzerland (issue #18).
    assert code == 0 and len(Graph().parse(data=out, format="nt")) == 13
    code, out, _ = invoke("sparql", "DESCRIBE zgr:germany", "--format", "turtle")
    assert code == 0 and len(Graph().parse(data=out, format="turtle")) > 0


def test_sparql_from_a_file(tmp_path: Path) -> None:
    q = write(tmp_path, "q.rq", "SELECT (COUNT(*) AS ?n) WHERE { ?p a zg:CooperationPark }")
    code, out, _ = invoke("sparql", "--file", str(q), "--format", "csv")
    # The fourteen cooperation parks of the shipped graph (issue #18).
    assert code == 0 and out.split()[-1] == "14"


@pytest.mark.parametrize(
    "text",
    [
        "SELEKT ?x WHERE { ?x ?p ?o }",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
        "INSERT DATA { zgr:x zg:partOf zgr:y }",
    ],
)
def test_refused_or_broken_queries_exit_2(text: str) -> None:
    code, _, err = invoke("sparql", text)
    assert code == 2
    assert err.startswith("error:")


def test_export_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "g.ttl"
    code, _, _ = invoke("export", "-o", str(out))
    assert code == 0
    assert len(Graph().parse(out)) > 500


def test_validate_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path, "good.ttl", NEW_SOURCE)
    bad = write(tmp_path, "bad.ttl", TYPO)
    broken = write(
        tmp_path, "broken.ttl", NEW_SOURCE.replace("zgs:cli-test-source .", "zgs:cli-test-source")
    )
    code, out, _ = invoke("validate", str(good))
    assert code == 0, out
    code, out, _ = invoke("validate", str(bad))
    assert code == 1
    assert "zg:locatedInn" in out
    code, _, err = invoke("validate", str(broken))
    assert code == 2
    assert f"{broken}:" in err


def test_validate_report_formats(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.ttl", TYPO)
    code, out, _ = invoke("validate", str(bad), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["conforms"] is False
    assert doc["results"][0]["focusNode"] == "https://w3id.org/zonegraph/id/cli-test-company"
    code, out, _ = invoke("validate", str(bad), "--format", "turtle")
    report = Graph().parse(data=out, format="turtle")
    assert any("ValidationReport" in str(o) for o in report.objects())


def test_add_merges_atomically_and_refuses_bad_facts(kg_dir: Path, tmp_path: Path) -> None:
    before = snapshot(kg_dir)
    for text, expected in ((TYPO, 1), (TYPO.replace(" .\n", "\n", 1), 2)):
        code, _, _ = invoke("--kg", str(kg_dir), "add", str(write(tmp_path, "x.ttl", text)))
        assert code == expected
        assert snapshot(kg_dir) == before
    code, out, _ = invoke("--kg", str(kg_dir), "add", str(write(tmp_path, "good.ttl", NEW_SOURCE)))
    assert code == 0, out
    after = snapshot(kg_dir)
    assert set(after) == set(before) | {"kg/cli-test-source.ttl"}
    assert all(after[k] == v for k, v in before.items())
    code, out, _ = invoke(
        "--kg",
        str(kg_dir),
        "query",
        "organisations-in-place",
        "-p",
        "place=zgr:sino-german-ecopark",
    )
    assert "Test Company" in out
    code, out, _ = invoke("--kg", str(kg_dir), "fmt", "--check")
    assert "cli-test-source" not in out


def test_check_passes_on_the_shipped_graph() -> None:
    code, out, _ = invoke("check")
    assert code == 0, out
    assert "FAIL" not in out


def test_stats_counts_sources_and_classes() -> None:
    code, out, _ = invoke("stats", "--json")
    assert code == 0
    doc = json.loads(out)
    # The fourteen cooperation parks of the shipped graph (issue #18).
    assert doc["classes"]["zg:CooperationPark"] == 14
    assert any(s["iri"].endswith("chinadaily-2018-06-10") for s in doc["sources"])


def test_kg_option_rejects_a_folder_without_the_layout(tmp_path: Path) -> None:
    code, _, err = invoke("--kg", str(tmp_path), "stats")
    assert code == 2
    assert "not a zonegraph KG directory" in err


def test_the_real_command_runs_in_a_fresh_process() -> None:
    proc = run_cli("query", "zone-key-figures", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert "152" in proc.stdout


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:  # type: ignore[attr-defined]
        code, out, _ = invoke(name, "--help")
        assert code == 0
        assert "Example" in out, f"{name} --help has no example"
        assert f"zonegraph {name}" in readme or f"zonegraph --store SPEC {name}" in readme, (
            f"README lacks {name}"
        )


def test_check_writes_a_spec_correct_shacl_report() -> None:
    """SHACL: sh:conforms is true only for a report without results; the shipped graph
    has warnings, which zonegraph accepts (exit 0) and says so."""
    from rdflib import Literal
    from rdflib.namespace import SH

    code, out, _ = invoke("check", "--format", "turtle")
    assert code == 0, "warnings do not block"
    report = Graph().parse(data=out, format="turtle")
    results = list(report.objects(None, SH.result))
    assert results, "the shipped graph has warnings"
    assert set(report.objects(None, SH.conforms)) == {Literal(False)}
    code, out, _ = invoke("check", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["conforms"] is False and doc["accepted"] is True
    assert doc["blocking"] == ["Violation"]
    code, out, _ = invoke("check")
    assert code == 0
    assert "Only violations block" in out


def test_a_report_without_results_conforms(tmp_path: Path) -> None:
    from rdflib import Literal
    from rdflib.namespace import SH

    good = write(tmp_path, "good.ttl", NEW_SOURCE)
    code, out, _ = invoke("validate", str(good), "--format", "turtle")
    report = Graph().parse(data=out, format="turtle")
    expected = Literal(not list(report.objects(None, SH.result)))
    assert code == 0
    assert set(report.objects(None, SH.conforms)) == {expected}


def test_sparql_without_a_query_says_how_to_give_one() -> None:
    code, _, err = invoke("sparql")
    assert code == 2
    assert "no query" in err and "--file" in err
    assert "not both" not in err


def test_a_missing_parameter_hint_is_in_the_command_line_words() -> None:
    code, _, err = invoke("query", "entity-facts")
    assert code == 2
    assert "hint: add -p entity=VALUE" in err
