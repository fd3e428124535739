"""The shapes' SPARQL rewritten to see the validation closure (validate/sparql_rewrite.py):
the cheap forms chosen from how the variables are used give the closure's answers, on
Oxigraph and on rdflib."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, URIRef

from zonegraph.reason.core import Vocabulary
from zonegraph.validate.sparql_closure import ClosureView
from zonegraph.validate.sparql_rewrite import rewrite

REPO = Path(__file__).resolve().parent.parent
ZG = "https://w3id.org/zonegraph/ontology#"
ZGR = "https://w3id.org/zonegraph/id/"
PREFIXES = {"zg": ZG, "zgr": ZGR}
#: b is part of a only through zg:hasPart (the inverse of zg:partOf); c has no triple.
DATA = f"<{ZGR}a> <{ZG}hasPart> <{ZGR}b> .\n<{ZGR}d> <{ZG}partOf> <{ZGR}a> .\n"


@pytest.fixture(scope="module")
def view() -> ClosureView:
    ontology = Graph().parse(REPO / "ontology" / "zonegraph.ttl")
    return ClosureView(Vocabulary(ontology))


def _run(text: str) -> dict[str, set[str]]:
    """The ?x of *text* on Oxigraph and on rdflib."""
    store = pyoxigraph.Store()
    store.load(DATA.encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    ox = {str(row["x"].value) for row in store.query(text)}  # type: ignore[union-attr]
    graph = Graph().parse(data=DATA, format="nt")
    rd = {str(row[0]) for row in graph.query(text)}  # type: ignore[index]
    return {"oxigraph": ox, "rdflib": rd}


def test_not_exists_over_any_triple_sees_the_inverse(view: ClosureView) -> None:
    query = "SELECT ?x WHERE { VALUES ?x { zgr:b zgr:c } FILTER NOT EXISTS { ?x ?p ?o } }"
    text = rewrite(query, PREFIXES, view)
    # one EXISTS per branch, not a UNION under NOT EXISTS (Oxigraph runs that whole per row)
    assert "UNION" not in text and text.count("EXISTS {") == 2
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    for got in _run(prologue + text).values():
        assert got == {f"{ZGR}c"}


def test_a_predicate_bound_elsewhere_with_one_open_end(view: ClosureView) -> None:
    # ?o is used nowhere else and ?term is bound by VALUES: "has ?x a ?term triple"
    query = "SELECT DISTINCT ?x WHERE { VALUES ?term { zg:partOf } ?x ?term ?o }"
    text = rewrite(query, PREFIXES, view)
    assert "+" not in text  # no transitive path with both ends open
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    for got in _run(prologue + text).values():
        assert got == {f"{ZGR}b", f"{ZGR}d"}


def test_a_variable_of_a_sub_select_is_its_own(view: ClosureView) -> None:
    # ?o in the sub-SELECT is another variable: the outer ?o is used once, so the
    # pattern takes the cheap form and still finds b (part of a through zg:hasPart)
    query = (
        "SELECT DISTINCT ?x WHERE { { SELECT ?term WHERE { VALUES ?term { zg:partOf } "
        "OPTIONAL { ?s ?q ?o } } } ?x ?term ?o }"
    )
    text = rewrite(query, PREFIXES, view)
    assert "+" not in text.split("} }", 1)[1]
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    for got in _run(prologue + text).values():
        assert got == {f"{ZGR}b", f"{ZGR}d"}


def test_subjects_of_a_transitive_inverse_pair(view: ClosureView) -> None:
    pattern = view.linked(URIRef(f"{ZG}partOf"), "?x", "?v")
    assert "+" not in pattern
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    for got in _run(f"{prologue}SELECT DISTINCT ?x WHERE {{ {pattern} }}").values():
        assert got == {f"{ZGR}b", f"{ZGR}d"}
