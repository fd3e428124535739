"""``KnowledgeGraph.check`` and the gate: the whole graph's validation, what it asks of the
store, and the results a change adds (``change``).

Kept apart from the facade (``_kg``, which delegates here): the engine
choice (pySHACL on rdflib's memory store, the shapes as SPARQL inside any other store:
validate/sparql_shacl.py, validate/in_store.py) and the consistency check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, SH, Graph
from rdflib.term import Node

from ._errors import StoreError
from ._progress import Progress, announced, counting, silent
from .validate import check as _check
from .validate import in_store, incremental
from .validate import label_keys as _label_keys
from .validate.shacl import ValidationReport, ValidationResult
from .validate.sparql_closure import ClosureView

if TYPE_CHECKING:
    from ._kg import KnowledgeGraph
    from .reason.labelkey import KeyIndex

#: The engines ``check`` runs the shapes with.
CHECK_ENGINES = ("sparql", "pyshacl")


def whole_graph(
    kg: KnowledgeGraph, progress: Progress = silent, *, engine: str | None = None
) -> ValidationReport:
    """Validate the whole graph: shapes, every check query, shapes and ontology consistency
    (each a phase told to *progress*).

    *engine* ``sparql`` runs the shapes as SPARQL inside the store
    (validate/sparql_shacl.py: nothing but results leaves a server); ``pyshacl``
    copies the graph into pySHACL. The default is ``pyshacl`` on rdflib's memory store
    (``$ZONEGRAPH_MEMORY_ENGINE=rdflib``: the graph is an rdflib graph already) and
    ``sparql`` on every other store, Oxigraph's in-memory engine of the memory store too.
    """
    progress("reading the shapes")  # checks them against SHACL for SHACL (error if not)
    shapes, checks = kg.shapes, len(kg.catalogue.checks())
    engine = engine or ("pyshacl" if kg.store.rdflib_dataset() is not None else "sparql")
    if engine not in CHECK_ENGINES:
        raise StoreError(f"unknown validation engine {engine!r}", hint="use sparql or pyshacl")
    n = len(set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.path)))
    progress(f"validating against {n} shapes ({engine})")
    return _check.check(
        shapes,
        kg._validation_graph,
        kg.catalogue,
        run=counting(kg.sparql, progress, "check queries", total=checks, unit="queries"),
        clashes=announced(functools.partial(clashes, kg), progress, "consistency (OWL 2 RL)"),
        allow_network=kg.allow_network,
        in_store=functools.partial(_check_in_store, kg) if engine == "sparql" else None,
    )


def _check_in_store(kg: KnowledgeGraph) -> tuple[list[ValidationResult], list[str]]:
    """The shapes' results computed by the store (validate/in_store.py)."""
    return in_store.results(
        kg.shapes,
        kg.vocabulary,
        _select(kg),
        kg._validation_graph,
        allow_network=kg.allow_network,
    )


def _select(kg: KnowledgeGraph) -> Callable[[str], list[dict[str, Node | None]]]:
    """SELECT over what validation reads in the store (validate/in_store.py)."""
    here = functools.partial(_rows, kg, name="shapes")
    return in_store.select_for_validation(kg.store, here)


def label_keys(kg: KnowledgeGraph) -> KeyIndex:
    """The label keys of the graph the store holds, read as ``check`` reads them
    (validate/label_keys.py): what the gate looks a change's partners up in."""
    return _label_keys.read(_select(kg), ClosureView(kg.vocabulary))


def keeps_label_keys(kg: KnowledgeGraph) -> bool:
    """True when the label keys can follow a write from its added triples alone: the
    validation closure derives no ``rdfs:label`` from another property."""
    return _label_keys.derived_from_labels_only(ClosureView(kg.vocabulary))


def clashes(kg: KnowledgeGraph) -> list[str]:
    """What makes the facts and their closure contradict the ontology (_consistency);
    owlrl decides where the ontology or data use constructs the fast check does not.
    On any store but rdflib's, asked of the store where the ontology allows
    (_check.clashes_in_store), so that ``check`` reads no facts."""

    def everything() -> list[str]:
        return _check.clashes(kg.ontology, kg.data(), kg.inferred)

    if kg.store.rdflib_dataset() is not None:
        return everything()
    return _check.clashes_in_store(kg.ontology, _select(kg), everything)


def _rows(kg: KnowledgeGraph, text: str, *, name: str) -> list[dict[str, Node | None]]:
    return kg.sparql(text, name=name).rows


def change(
    kg: KnowledgeGraph,
    added: Graph | Sequence[tuple[Path, Graph]],
    removed: Graph | None = None,
) -> ValidationReport:
    """The results a change adds anywhere in the graph: the graph with *added* and
    without *removed* (the new facts, or the files that hold them, and the facts a
    change takes away), against the graph as the store holds it now.

    The gate (docs/performance.md, "The gate"; validate/incremental.validate_new): the
    report holds only the results that are new after the change.
    """
    if isinstance(added, Graph):
        new = added
    else:
        new = Graph()
        for _, g in added:
            new += g
    gone = removed if removed is not None else Graph()
    if not len(new) and not len(gone):
        return ValidationReport()
    return incremental.validate_new(
        kg.store,
        new,
        gone,
        deps=kg.dependencies,
        shapes=kg.shapes,
        plan=kg.plan,
        targets=kg.targets,
        vocabulary=kg.vocabulary,
        ontology=kg.ontology,
        validation_ontology=lambda: kg._validation_ontology,
        label_keys=lambda: kg.label_keys,
        allow_network=kg.allow_network,
    )


def validation_graph(
    kg: KnowledgeGraph, *, extra: Graph | None = None, around: set[Node] | None = None
) -> Graph:
    """What validation runs over: the whole graph with the ontology (no *around*), or
    what validating the nodes *around* needs, from the store, with the validation
    ontology; *extra*: new facts on top. Both with the validation closure."""
    if around is None:
        return _check.validation_graph(kg.data(), kg.ontology, kg.vocabulary, extra=extra)
    return incremental.neighbourhood_graph(
        kg.store, around, kg.plan, kg._validation_ontology, kg.vocabulary, extra=extra
    )
