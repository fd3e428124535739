"""Validating a change against the graph a store holds, over neighbourhoods only.

:func:`validate_new` is the one validation of every change (``KnowledgeGraph.validate``,
``validate_change`` and the write path call it through the facade): the gate
(:func:`zonegraph.validate.shacl.gate`) over the store's source graphs, each
neighbourhood with the validation ontology and the validation closure.
:func:`neighbourhood_graph` is what validating chosen nodes sees, from the store.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..reason.closure import validation_closure
from ..reason.core import Vocabulary
from ..reason.labelkey import KeyIndex, same_key
from ..store.access import Access, ChangedAccess
from ..store.base import SOURCE_GRAPHS, Store
from ..store.neighbourhood import extract
from ..store.plan import Plan
from .change import Dependencies
from .shacl import ValidationReport, gate
from .targets import Targets


def validate_new(
    store: Store,
    new: Graph,
    gone: Graph,
    *,
    deps: Dependencies,
    shapes: Graph,
    plan: Plan,
    targets: Targets,
    vocabulary: Vocabulary,
    ontology: Graph,
    validation_ontology: Callable[[], Graph],
    label_keys: Callable[[], KeyIndex],
    allow_network: bool = False,
) -> ValidationReport:
    """The results that adding *new* and removing *gone* add anywhere in the graph, against
    the graph as *store* holds it now.

    The gate (docs/performance.md, "The gate"): the focus nodes whose results the
    change can alter are found from the shapes, walking back from the changed
    triples (focus_of_change: both ends, chains through a changed
    link, the nodes reading a changed type through ``sh:class``, label partners,
    nodes linking to a described term); they are validated over their neighbourhood
    after the change and, if that gives any result, over their neighbourhood before
    it (validate.shacl.gate). The report holds the results that are new after
    the change: a result the graph already had is not the change's fault
    (``zonegraph check`` lists every one), so a change never fails for a fault it
    leaves as it was; the results the touched nodes had before and keep are the
    report's ``already`` (counted in its text, never a failure). *ontology* tells the
    vocabulary's terms; *validation_ontology* and *label_keys* (the graph's label keys)
    are asked for only when needed.
    """

    def prepare(data: Graph) -> Graph:
        data += validation_ontology()
        for t in validation_closure(data, vocabulary):
            data.add(t)
        return data

    def is_vocabulary(iri: Node) -> bool:
        return isinstance(iri, URIRef) and (iri, None, None) in ontology

    results, already = gate(
        store.access(SOURCE_GRAPHS),
        new,
        gone,
        shapes,
        plan=plan,
        deps=deps,
        targets=targets,
        vocabulary=vocabulary,
        prepare=prepare,
        is_vocabulary=is_vocabulary,
        restated=not store.keeps_lexical_forms,
        # the entities whose label keys the changed labels share (the duplicate
        # check joins on keys the store does not hold)
        partners=lambda changed: same_key(label_keys(), changed),
        allow_network=allow_network,
    )
    return ValidationReport(results=results, already=already)


def neighbourhood_graph(
    store: Store,
    around: set[Node],
    plan: Plan,
    validation_ontology: Graph,
    vocabulary: Vocabulary,
    *,
    extra: Graph | None = None,
) -> Graph:
    """What validating the nodes *around* needs, from *store* (with *extra*, new facts, on
    top), with the validation ontology and the validation closure (a server sends just
    that neighbourhood)."""
    access: Access = store.access(SOURCE_GRAPHS)
    if extra is not None:
        access = ChangedAccess(access, extra, restated=not store.keeps_lexical_forms)
    data = extract(access, around, plan)
    data += validation_ontology
    for t in validation_closure(data, vocabulary):
        data.add(t)
    return data
