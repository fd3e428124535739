"""The label keys of the graph a store holds (reason/labelkey.py's :class:`KeyIndex`),
read with one query: what ``check`` joins ``zgsh:labelKey`` on, and what the gate looks
the partners of a change up in.

The key (Unicode normalisation and the TR39 confusables skeleton) is not something
SPARQL can compute, so the labels of ``zgr:`` entities come to Python: the one read of
graph data, besides results, that either makes.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import RDFS
from rdflib.term import Node

from ..reason.labelkey import KeyIndex
from .sparql_closure import ClosureView, nt

Rows = list[dict[str, Node | None]]


def query(view: ClosureView) -> str:
    """The labels, as the validation closure sees them; the index keeps those of ``zgr:``
    entities (:meth:`KeyIndex.add`). A FILTER saying so made Oxigraph decode every term
    for the test, 0.5 s of the 1.8 s read at 1M triples; Python tests the terms it makes
    anyway."""
    return f"SELECT ?s ?l WHERE {{ ?s {view.predicate(RDFS.label)} ?l }}"


def derived_from_labels_only(view: ClosureView) -> bool:
    """True when the closure gives ``rdfs:label`` values from ``rdfs:label`` triples only
    (no sub-property, inverse or chain), so that a write's added ``rdfs:label`` triples are
    all the keys it adds."""
    return view.predicate(RDFS.label) == nt(RDFS.label)


def read(select: Callable[[str], Rows], view: ClosureView) -> KeyIndex:
    """The key index of the graph *select* queries (validate/in_store.py's runner)."""
    rows = select(query(view))
    return KeyIndex((s, label) for row in rows if (s := row.get("s")) and (label := row.get("l")))
