"""Changing the graph through the server: validated first, then all or nothing.

The server changes the graph only when started with updates allowed and a
token. Each change is first validated against the SHACL shapes, with the
graph it would produce, and refused with the validation report when it does
not conform; then the KG files of the sources it changes are rewritten
atomically (under the same lock as ``zonegraph add``), and only then does the
graph in memory change.

- A Graph Store POST is a ``zonegraph add`` of the request body, read from
  memory (no temporary file): the same rule finds its source.
- A SPARQL Update, a Graph Store PUT (replace a source's graph) or DELETE
  (drop it) can also remove facts, which ``add`` cannot.

Every one of them goes through the one write path, :func:`zonegraph._write.apply`;
this module only turns HTTP requests into changes, and refusals into statuses.

Only source graphs (``https://w3id.org/zonegraph/source/<slug>``) can change;
the ontology and the union default graph cannot.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, URIRef

from .. import _write
from .._errors import SourceError, ZonegraphError
from .._kg import KnowledgeGraph
from .._write import Validator, WriteResult
from ..rdf.intake import parse_turtle_text
from ..rdf.intake_limits import IntakeLimits
from ..rdf.namespaces import ONTOLOGY_GRAPH, ZGS
from ..rdf.turtle_writer import leading_comments

#: What a change through the server did (the one result type of every change).
UpdateOutcome = WriteResult

__all__ = [
    "UpdateOutcome",
    "UpdateRefused",
    "add_facts",
    "delete_graph",
    "parse_body",
    "put_graph",
    "replace_graphs",
    "source_graph",
]


class UpdateRefused(ZonegraphError):
    """The change cannot be made as asked (wrong graph, bad body); ``status`` is the HTTP status."""

    def __init__(self, message: str, *, status: int = 400, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


def source_graph(name: str) -> URIRef:
    """The source graph *name*, or UpdateRefused if the server may not change it."""
    if name == str(ONTOLOGY_GRAPH):
        raise UpdateRefused(
            "the ontology cannot be changed through the server",
            status=403,
            hint="edit ontology/zonegraph.ttl and restart the server",
        )
    if name.startswith("urn:x-rdflib:"):
        raise UpdateRefused(
            "the default graph is the union of the source graphs and cannot be changed directly",
            hint="name the source whose facts these are: "
            f"INSERT DATA {{ GRAPH <{ZGS}slug> {{ … }} }}",
        )
    try:
        _write.source_slug(name)
    except SourceError as exc:
        raise UpdateRefused(exc.message, hint=exc.hint) from None
    return URIRef(name)


def parse_body(body: bytes, limits: IntakeLimits | None = None) -> Graph:
    """A request body of Turtle (or N-Triples), parsed strictly within *limits* (the KG's:
    the same as for input files); UpdateRefused says where not."""
    try:
        return parse_turtle_text(body, name="request body", limits=limits)
    except ZonegraphError as exc:
        raise UpdateRefused(str(exc)) from exc


def add_facts(
    kg: KnowledgeGraph, body: bytes, graph: str | None, *, validate: Validator | None = None
) -> WriteResult:
    """Graph Store POST: ``zonegraph add`` of *body* (with *graph*, they must be its facts)."""
    parsed = parse_body(body, kg.limits)
    target = source_graph(graph) if graph is not None else None
    header = leading_comments(body.decode("utf-8", errors="replace"))
    try:
        change = _write.facts_change([("request body", parsed, header)])
    except SourceError as exc:
        if target is None:
            raise UpdateRefused(exc.message, hint=exc.hint) from None
        change = _write.Change()
    if target is not None and set(change.added) != {target}:
        found = ", ".join(f"<{s}>" for s in change.added) or "none"
        raise UpdateRefused(
            f"the facts POSTed to <{target}> must cite it as their source (dct:source); "
            f"found {found}",
            hint="give every node dct:source <the source>; to add facts to existing nodes, "
            "use SPARQL Update: INSERT DATA { GRAPH <source> { … } }",
        )
    for name in change.added:
        change.headers[name] = (
            header or f"What <{name}> states (written through the zonegraph server)."
        )
    return _apply(kg, change, validate=validate)


def put_graph(
    kg: KnowledgeGraph, body: bytes, graph: str, *, validate: Validator | None = None
) -> WriteResult:
    """Graph Store PUT: the source graph *graph* becomes *body*."""
    name = source_graph(graph)
    return replace_graphs(kg, {name: parse_body(body, kg.limits)}, whole=True, validate=validate)


def delete_graph(
    kg: KnowledgeGraph, graph: str, *, validate: Validator | None = None
) -> WriteResult:
    """Graph Store DELETE: drop the source graph *graph* and its KG file."""
    name = source_graph(graph)
    if name not in set(kg.graph_names()):
        raise UpdateRefused(f"no graph <{name}> in the store", status=404)
    return replace_graphs(kg, {name: Graph()}, whole=True, validate=validate)


def replace_graphs(
    kg: KnowledgeGraph,
    after: Mapping[URIRef, Graph],
    *,
    whole: bool = False,
    validate: Validator | None = None,
) -> WriteResult:
    """Make each source graph of *after* hold exactly its triples, if the result conforms.

    A *whole* graph's replacement (Graph Store PUT, DELETE) is validated against
    the files as they are when the lock is taken; a change computed from the graph
    this process read (a SPARQL Update) is refused with 409 if another process
    changed the files since, to be sent again.
    """
    change = _write.Change(replaced={source_graph(str(n)): g for n, g in after.items()})
    for name in change.replaced:
        change.headers[name] = f"What <{name}> states (written through the zonegraph server)."
    return _apply(kg, change, from_view=not whole, validate=validate)


def _apply(
    kg: KnowledgeGraph,
    change: _write.Change,
    *,
    from_view: bool = False,
    validate: Validator | None = None,
) -> WriteResult:
    """The one write path (_write.apply), its refusals as HTTP statuses."""
    try:
        return _write.apply(kg, change, from_view=from_view, validate=validate)
    except _write.StaleChange as exc:
        raise UpdateRefused(exc.message, status=409, hint=exc.hint) from None
    except SourceError as exc:
        raise UpdateRefused(exc.message, hint=exc.hint) from None
