"""JSON-LD with the vocabulary's context; QueryResult.to_dataframe(); shell completion; progress."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import zonegraph
from support import REPO
from zonegraph.cli.progress import working
from zonegraph.rdf.export import jsonld_context

# -- JSON-LD -------------------------------------------------------------------------


def test_the_context_gives_short_keys(kg: zonegraph.KnowledgeGraph) -> None:
    doc = json.loads(kg.export("jsonld"))
    assert doc["@context"] == jsonld_context()
    park = next(n for n in doc["@graph"] if n.get("id") == "zgr:sino-german-ecopark")
    assert park["type"] == "CooperationPark"
    assert "zgr:qingdao-iecz" in park["partOf"]
    assert park["partnerCountry"] == "zgr:germany"
    assert park["label"] == {"en": "Sino-German Ecopark"}
    assert park["source"]


def test_compacted_json_ld_expands_back_to_the_same_graph(kg: zonegraph.KnowledgeGraph) -> None:
    text = kg.export("jsonld")
    union = kg.data()
    union += kg.ontology
    assert isomorphic(Graph().parse(data=text, format="json-ld"), union)


def test_an_independent_json_ld_processor_reads_the_same_graph(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    ox = pytest.importorskip("pyoxigraph")
    text = kg.export("jsonld")
    ours = {line for line in kg.export("ntriples").splitlines() if line.strip()}
    quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.JSON_LD)
    theirs = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    assert len({line for line in theirs.splitlines() if line.strip()}) == len(ours)


# -- to_dataframe ----------------------------------------------------------------------


def test_to_dataframe(kg: zonegraph.KnowledgeGraph) -> None:
    pytest.importorskip("pandas")
    result = kg.query("parks-of-zone")
    df = result.to_dataframe()
    assert list(df.columns) == result.vars
    assert len(df) == len(result.rows)
    assert "Sino-German Ecopark" in set(df["parkLabel"])


def test_to_dataframe_refuses_a_graph(kg: zonegraph.KnowledgeGraph) -> None:
    pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="CONSTRUCT"):
        kg.sparql("CONSTRUCT { ?s a zg:Country } WHERE { ?s a zg:Country }").to_dataframe()


# -- completion ----------------------------------------------------------------------


def complete(*words: str) -> list[str]:
    env = {
        **os.environ,
        "COMP_WORDS": " ".join(["zonegraph", *words]),
        "COMP_CWORD": str(len(words)),
        "_ZONEGRAPH_COMPLETE": "bash_complete",
    }
    code = "from zonegraph.cli import main; main(prog_name='zonegraph')"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if "," in line]


def test_completion_of_commands_queries_parameters_and_values() -> None:
    assert "draw" in complete("dr")
    assert complete("query", "parks-of") == ["parks-of-zone"]
    assert complete("query", "parks-of-zone", "-p", "") == ["zone="]
    values = complete("query", "parks-of-zone", "-p", "zone=")
    assert "zone=zgr:qingdao-iecz" in values
    assert "zone=Qingdao International Economic Cooperation Zone" in values


def test_the_completion_script() -> None:
    from click.testing import CliRunner

    from zonegraph.cli import main

    result = CliRunner().invoke(main, ["completion", "bash"])
    assert result.exit_code == 0
    assert "_ZONEGRAPH_COMPLETE=bash_complete" in result.stdout


# -- progress ------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_is_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    out = _Tty()
    with working("validating", stream=out, delay=0):
        import time

        time.sleep(0.35)
    text = out.getvalue()
    assert "validating…" in text
    assert text.endswith("\r\x1b[K")


def test_progress_is_silent_off_a_terminal_and_when_quiet() -> None:
    out = io.StringIO()
    with working("validating", stream=out, delay=0):
        pass
    quiet = _Tty()
    with working("validating", stream=quiet, enabled=False, delay=0):
        pass
    assert out.getvalue() == quiet.getvalue() == ""


def test_quiet_is_a_global_option() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "zonegraph", "--quiet", "stats"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0
    assert proc.stderr == ""
