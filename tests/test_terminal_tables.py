"""`zonegraph query` at the terminal's width: no cell cut, labels before IRIs, a caption
saying what a row is, a count line saying why there are more rows than things; the
machine formats untouched by any of it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from zonegraph.cli import main
from zonegraph.sparql.results import QueryResult
from zonegraph.sparql.table import width_of

GOLDEN = Path(__file__).parent / "data" / "terminal"


def run(*args: str, columns: int | None = None) -> str:
    env = {"COLUMNS": str(columns)} if columns else {}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def csv_rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run("query", name, "--format", "csv"))))


def grid_cells(out: str) -> dict[str, list[str]]:
    """The cells of a printed table, by column header: the dashes under the header give
    each column's span, and a row's wrapped lines (rows are blank-line separated when
    any wraps) are joined back."""
    lines = out.split("\n")
    dash = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)*", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[dash])]
    headers = [lines[dash - 1][a:b].strip() for a, b in spans]
    body = out.rstrip("\n").split("\n")[dash + 1 : -1]  # the last line is the count
    blocks: list[list[str]] = [[]]
    wrapped = "" in body  # rows are blank-line separated when any row wraps
    for line in body:
        if line and wrapped:
            blocks[-1].append(line)
        elif line:
            blocks.append([line])
        else:
            blocks.append([])
    blocks = [b for b in blocks if b]
    cells: dict[str, list[str]] = {h: [] for h in headers}
    for block in blocks:
        for h, (a, b) in zip(headers, spans, strict=True):
            end = b if h != headers[-1] else None
            cells[h].append(" ".join(line[a:end].strip() for line in block).strip())
    return cells


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("name", ["zone-key-figures", "parks-of-zone"])
def test_tables_fit_the_terminal_without_cutting_a_cell(name: str, columns: int) -> None:
    out = run("query", name, columns=columns)
    assert "…" not in out and "..." not in out
    for line in out.splitlines():
        assert width_of(line) <= columns, line
    # the caption says what a row is, from the query's own header
    assert out.splitlines()[0].startswith("One row per ")
    # every label is there, whole
    labels = [k for k in csv_rows(name)[0] if k.endswith("Label")]
    flat = " ".join(out.split())
    for row in csv_rows(name):
        for key in labels:
            if row[key]:
                assert " ".join(row[key].split()) in flat or _in_a_column(out, row[key])


def _in_a_column(out: str, text: str) -> bool:
    try:
        cells = grid_cells(out)
    except StopIteration:
        return False
    return any(text in column for column in cells.values())


def test_zone_key_figures_at_80_columns_reads_every_figure_whole() -> None:
    out = run("query", "zone-key-figures", "-p", "zone=zgr:qingdao-iecz", columns=80)
    assert "One row per figure." in out
    for text in [
        "foreign investment projects",
        "zgr:figure-qingdao-iecz-foreign-investment-projects-2018-06-10",
        "square kilometre",
        "more than",
        "40,000,000,000",
        "zgs:chinadaily-2018-06-10",
    ]:
        assert text in out
    # the zone asked about is said once, not in every row
    assert out.count("zgr:qingdao-iecz\n") + out.count("zgr:qingdao-iecz)") == 1
    assert out.rstrip().endswith("(6 rows)")


def test_parks_of_zone_says_why_four_parks_take_seven_rows() -> None:
    out = run("query", "parks-of-zone", "-p", "zone=zgr:qingdao-iecz", columns=140)
    assert out.startswith("One row per park, place it is stated to lie in")
    assert out.rstrip().endswith("(4 parks in 7 rows: a park's rows differ in source)")
    cells = grid_cells(out)
    # the park column shows the labels, whole, where the IRIs do not fit
    assert set(cells["park"]) == {
        "China-Britain Innovation Industry Park",
        "Sino-German Ecopark",
        "Sino-Russian cooperation park",
        "China-Japan (Qingdao) Local Development Cooperation Demonstration Zone",
    }
    assert cells["country"].count("United Kingdom") == 3
    assert "zgr:sino-german-ecopark" not in out


def test_wide_terminals_show_the_compact_iris_beside_the_labels() -> None:
    out = run("query", "parks-of-zone", "-p", "zone=zgr:qingdao-iecz", columns=400)
    cells = grid_cells(out)
    assert "zgr:sino-german-ecopark" in cells["park"]
    assert "Sino-German Ecopark" in cells["parkLabel"]
    assert max(width_of(line) for line in out.splitlines()) <= 400


def test_a_narrow_terminal_gets_records_with_label_and_iri() -> None:
    out = run("query", "parks-of-zone", "-p", "zone=zgr:qingdao-iecz", columns=50)
    assert "-[ 1 of 7 ]" in out
    assert "park:      Sino-German Ecopark\n           (zgr:sino-german-ecopark)\n" in out
    # an IRI wider than the line is left out rather than broken
    assert "park:      China-Britain Innovation Industry Park\ncontainer:" in out
    assert "country:   Germany (zgr:germany)\n" in out
    for line in out.splitlines():
        assert width_of(line) <= 50, line


def test_ad_hoc_sparql_tables_fit_too() -> None:
    query = "SELECT ?c ?cLabel { ?c a zg:Country ; rdfs:label ?cLabel } ORDER BY ?cLabel"
    out = run("sparql", query, columns=40)
    assert "Germany" in out and "…" not in out
    assert all(width_of(line) <= 40 for line in out.splitlines())


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_machine_formats_do_not_depend_on_the_terminal(fmt: str) -> None:
    outputs = {
        run("query", "zone-key-figures", "--format", fmt, columns=c) for c in (None, 40, 80, 300)
    }
    assert len(outputs) == 1


def odd_result() -> QueryResult:
    """Every kind of term a results format must write: IRIs, blank nodes, language and
    datatype literals, tabs and newlines, big decimals, unbound values."""
    zgr = "https://w3id.org/zonegraph/id/"
    return QueryResult(
        kind="SELECT",
        vars=["park", "parkLabel", "value", "note", "b"],
        rows=[
            {
                "park": URIRef(zgr + "sino-german-ecopark"),
                "parkLabel": Literal("中德生态园", lang="zh"),
                "value": Literal("40000000000.0", datatype=XSD.decimal),
                "note": Literal('tab\there\nand "quotes", commas'),
                "b": BNode("b0"),
            },
            {"park": URIRef("http://example.org/x"), "parkLabel": None, "value": None},
        ],
    )


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_machine_formats_are_byte_for_byte_what_they_were(fmt: str) -> None:
    """tests/data/terminal/odd.* were written by zonegraph before the terminal tables
    changed (main at 7c975b7); the formats must not change with them."""
    expected = (GOLDEN / f"odd.{fmt}").read_bytes()
    assert odd_result().serialize(fmt).encode("utf-8") == expected


def test_wide_characters_line_up() -> None:
    out = odd_result().serialize("table", width=200)
    lines = out.splitlines()
    header, first = lines[0], lines[2]
    assert "中德生态园" in first
    assert width_of(header.split("note")[0]) == width_of(first.split("tab")[0])
