"""Checking the whole graph (``zonegraph check``): the shapes, every check query, and the
consistency of the facts and their closure with the ontology.

The facade (``KnowledgeGraph.check`` and ``KnowledgeGraph.clashes``) hands in what these
read: the graphs, the catalogue of check queries and a way to run a query.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .._guard import guarded
from ..rdf.namespaces import shorten
from ..reason.closure import validation_closure
from ..reason.core import Vocabulary, owl_rl
from ..sparql.catalogue import Catalogue
from ..sparql.results import QueryResult
from . import consistency
from .shacl import ValidationReport, ValidationResult, results_from_report, run_pyshacl


def check(
    shapes: Graph,
    data: Callable[[], Graph],
    catalogue: Catalogue,
    *,
    run: Callable[[str], QueryResult],
    clashes: Callable[[], list[str]],
    allow_network: bool = False,
    in_store: Callable[[], tuple[list[ValidationResult], list[str]]] | None = None,
) -> ValidationReport:
    """The whole graph's report: *data* (the validation graph: the facts, the ontology and
    the validation closure) against *shapes* (already checked against SHACL for SHACL),
    or, with *in_store*, the results (and notes) of the shapes run as SPARQL inside the
    store (validate/sparql_shacl.py); the rows of each check query of *catalogue* (*run*
    runs one), then *clashes*."""
    checks: dict[str, list[str]] = {"shapes are valid SHACL": []}
    notes: list[str] = []
    if in_store is not None:
        results, notes = in_store()
    else:
        with guarded("SHACL validation", allow_network=allow_network):
            results = results_from_report(run_pyshacl(data(), shapes))
    for canned in catalogue.checks():
        rows = run(canned.text)
        checks[f"{canned.name}: {canned.summary}"] = [
            "  ".join(_show(v) for v in row.values()) for row in rows.rows
        ]
    checks["ontology and data are consistent (OWL 2 RL)"] = clashes()
    return ValidationReport(results=results, checks=checks, notes=notes)


def fallback_results(
    shapes: Graph,
    data: Graph,
    keep_shapes: set[Node],
    focus: set[Node] | None,
    *,
    allow_network: bool = False,
) -> list[ValidationResult]:
    """pySHACL's results of the shapes *keep_shapes* over *data*, on the nodes *focus*
    (all when None): what the SPARQL engine leaves to pySHACL."""
    with guarded("SHACL validation", allow_network=allow_network):
        report = run_pyshacl(data, shapes, focus=focus)
    return [r for r in results_from_report(report, keep=focus) if r.source_shape in keep_shapes]


def validation_graph(
    data: Graph, ontology: Graph, vocabulary: Vocabulary, *, extra: Graph | None = None
) -> Graph:
    """What whole-graph validation runs over: *data* (the facts, a graph of its own that
    this extends) with *extra* (new facts) on top, the ontology and the validation
    closure."""
    if extra is not None:
        data += extra
    data += ontology
    for t in validation_closure(data, vocabulary):
        data.add(t)
    return data


def clashes(ontology: Graph, data: Graph, inferred: Callable[[], Graph]) -> list[str]:
    """What makes the facts (*data*, a graph of its own that this may extend) and their
    closure (*inferred*, asked for only when the ontology can clash) contradict *ontology*
    (validate.consistency); owlrl decides where the ontology or data use constructs the
    fast check does not."""
    if consistency.needs_owlrl([ontology, data]):
        data += ontology
        return owl_rl(data).inconsistencies
    if not consistency.can_clash(ontology):
        return consistency.clashes(ontology, [data])
    return consistency.clashes(ontology, [data, inferred()])


def clashes_in_store(
    ontology: Graph,
    select: Callable[[str], list[dict[str, Node | None]]],
    otherwise: Callable[[], list[str]],
) -> list[str]:
    """:func:`clashes` asked of a store (*select* runs a SELECT on it), so that ``check``
    downloads nothing: when the ontology declares no axiom that can clash and the data uses
    no construct only owlrl checks (one query), a clash is a node typed ``owl:Nothing``
    (one more). Otherwise *otherwise* (:func:`clashes` over the facts read from the store)."""
    if consistency.needs_owlrl([ontology]) or consistency.can_clash(ontology):
        return otherwise()
    terms = ", ".join(f"<{t}>" for t in consistency.OWLRL_ONLY)
    used = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(?p IN ({terms}) || ?o IN ({terms})) }} LIMIT 1"
    if select(used):
        return otherwise()
    rows = select(f"SELECT DISTINCT ?n WHERE {{ ?n a <{OWL_NOTHING}> }}")
    return sorted(f"{r['n']} is an instance of owl:Nothing" for r in rows if r.get("n"))


OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


def _show(term: Node | None) -> str:
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        return term.n3()
    return "" if term is None else str(term)
