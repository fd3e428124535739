"""Changing the graph through the server: validated first, then all or nothing.

The server changes the graph only when started with updates allowed and a
token. Each change is first validated against the SHACL shapes, with the
graph it would produce, and refused with the validation report when it does
not conform; then the KG files of the sources it changes are rewritten
atomically (under the same lock as ``zonegraph add``), and only then does the
graph in memory change.

- A Graph Store POST is a ``zonegraph add`` of the request body: it goes
  through :meth:`KnowledgeGraph.add` itself.
- A SPARQL Update, a Graph Store PUT (replace a source's graph) or DELETE
  (drop it) can also remove facts, which ``add`` cannot: :func:`replace_graphs`
  validates them the way ``add`` does (the same shapes, the ontology and the
  validation closure, focused on the nodes the change touches), over the graph
  as it would be after the change.

Only source graphs (``https://w3id.org/zonegraph/source/<slug>``) can change;
the ontology and the union default graph cannot.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.term import Node

from ._closure import validation_closure
from ._errors import ZonegraphError
from ._fsio import file_state, locked, recover, write_files
from ._namespaces import DCT, ONTOLOGY_GRAPH, ZG, ZGS
from ._parse import IntakeLimits, parse_turtle_text
from ._turtle import leading_comments, to_turtle
from ._validate import ValidationReport, results_from_report, run_pyshacl

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SOURCE_CLASSES = {ZG.Source, ZG.NewsArticle, ZG.WebPage, ZG.ReferenceDataset}


class UpdateRefused(ZonegraphError):
    """The change cannot be made as asked (wrong graph, bad body); ``status`` is the HTTP status."""

    def __init__(self, message: str, *, status: int = 400, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


@dataclass
class UpdateOutcome:
    """What a change did: its validation report, the KG files written or removed (if applied)."""

    report: ValidationReport
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    created: bool = False
    applied: bool = False

    def as_dict(self, root: Path) -> dict[str, Any]:
        def rel(p: Path) -> str:
            try:
                return str(p.relative_to(root))
            except ValueError:
                return str(p)

        return {
            "applied": self.applied,
            "conforms": self.report.conforms,
            "changes": self.changes,
            "written": [rel(p) for p in self.written],
            "removed": [rel(p) for p in self.removed],
            "report": {
                "counts": self.report.counts(),
                "results": [r.as_dict() for r in self.report.results],
            },
        }


def source_graph(name: str) -> URIRef:
    """The source graph *name*, or UpdateRefused if the server may not change it."""
    if name == str(ONTOLOGY_GRAPH):
        raise UpdateRefused(
            "the ontology cannot be changed through the server",
            status=403,
            hint="edit ontology/zonegraph.ttl and restart the server",
        )
    if not name.startswith(str(ZGS)):
        if name.startswith("urn:x-rdflib:"):
            raise UpdateRefused(
                "the default graph is the union of the source graphs "
                "and cannot be changed directly",
                hint="name the source whose facts these are: "
                f"INSERT DATA {{ GRAPH <{ZGS}slug> {{ … }} }}",
            )
        raise UpdateRefused(
            f"<{name}> is not a source graph; only graphs {ZGS}<slug> can change",
            hint="each source's facts live in the graph named by the source's IRI",
        )
    slug = name[len(str(ZGS)) :]
    if not _SLUG.match(slug):
        raise UpdateRefused(
            f"<{name}> is not a valid source IRI",
            hint="a source's slug is letters, digits, '.', '_' and '-'",
        )
    return URIRef(name)


def parse_body(body: bytes, limits: IntakeLimits | None = None) -> Graph:
    """A request body of Turtle (or N-Triples), parsed strictly within *limits* (the KG's:
    the same as for input files); UpdateRefused says where not."""
    try:
        return parse_turtle_text(body, name="request body", limits=limits)
    except ZonegraphError as exc:
        raise UpdateRefused(str(exc)) from exc


def add_facts(kg: Any, body: bytes, graph: str | None) -> UpdateOutcome:
    """Graph Store POST: ``zonegraph add`` of *body* (with *graph*, they must be its facts)."""
    parsed = parse_body(body, getattr(kg, "limits", None))
    if graph is not None:
        target = source_graph(graph)
        described = {s for s, o in parsed.subject_objects(RDF.type) if o in _SOURCE_CLASSES}
        cited = set(parsed.objects(None, DCT.source))
        sources = {s for s in described | cited if isinstance(s, URIRef)}
        if sources != {target}:
            found = ", ".join(sorted(f"<{s}>" for s in sources)) or "none"
            raise UpdateRefused(
                f"the facts POSTed to <{target}> must cite it as their source (dct:source); "
                f"found {found}",
                hint="give every node dct:source <the source>; to add facts to existing nodes, "
                "use SPARQL Update: INSERT DATA { GRAPH <source> { … } }",
            )
    with tempfile.TemporaryDirectory(prefix="zonegraph-post-") as folder:
        path = Path(folder) / "request-body.ttl"
        path.write_bytes(body)
        try:
            result = kg.add([path])
        except ZonegraphError as exc:
            raise UpdateRefused(str(exc).replace(str(path), "request body")) from exc
    changes = {}
    for name in [
        *(f"{ZGS}{w.stem}" for w in result.written),
        *map(str, getattr(result, "stored", [])),
    ]:
        changes[name] = {"added": len(parsed), "removed": 0}
    return UpdateOutcome(
        result.report, changes=changes, written=list(result.written), applied=result.added
    )


def put_graph(kg: Any, body: bytes, graph: str) -> UpdateOutcome:
    """Graph Store PUT: the source graph *graph* becomes *body*."""
    name = source_graph(graph)
    new = parse_body(body, getattr(kg, "limits", None))
    return replace_graphs(kg, {name: new}, whole=True)


def delete_graph(kg: Any, graph: str) -> UpdateOutcome:
    """Graph Store DELETE: drop the source graph *graph* and its KG file."""
    name = source_graph(graph)
    if name not in set(kg.graph_names()):
        raise UpdateRefused(f"no graph <{name}> in the store", status=404)
    return replace_graphs(kg, {name: Graph()}, whole=True)


def replace_graphs(
    kg: Any,
    after: Mapping[URIRef, Graph],
    touched: Iterable[Node] | None = None,
    *,
    whole: bool = False,
) -> UpdateOutcome:
    """Make each source graph of *after* hold exactly its triples, if the result conforms.

    *touched* (the nodes whose facts change) defaults to the subjects and
    linked entities of every triple added or removed. With the memory store,
    validating and writing happen under the KG's lock, against the files as
    they are then: if another process (``zonegraph add``) changed them since
    the graph was read, a change computed from the old graph (a SPARQL Update)
    is refused with 409, to be sent again, while a *whole* graph's replacement
    (Graph Store PUT, DELETE) is validated against the new state.
    """
    if not _keeps_files(kg):
        return _replace(kg, after, touched)
    with locked(kg.layout.kg_dir):
        recover(kg.layout.kg_dir)
        if kg._refresh() and not whole:
            raise UpdateRefused(
                "the graph changed on disk (another zonegraph command added facts) "
                "after this update was computed; nothing was changed",
                status=409,
                hint="send the update again: it will run on the graph as it is now",
            )
        return _replace(kg, after, touched)


def _replace(
    kg: Any, after: Mapping[URIRef, Graph], touched: Iterable[Node] | None
) -> UpdateOutcome:
    names = [source_graph(str(n)) for n in after]
    existing = set(kg.graph_names())
    old = {n: (set(kg.store.graph(n)) if n in existing else set()) for n in names}
    changes: dict[str, dict[str, int]] = {}
    nodes: set[Node] = set()
    for n in names:
        new = set(after[n])
        if new != old[n]:
            changes[str(n)] = {"added": len(new - old[n]), "removed": len(old[n] - new)}
            nodes |= touched_nodes(new ^ old[n])
    if touched is not None:
        nodes = set(touched)
    nodes = {t for t in nodes if not (isinstance(t, URIRef) and (t, None, None) in kg.ontology)}
    if not changes:
        return UpdateOutcome(ValidationReport())
    report = validate_after(kg, after, nodes)
    if not report.conforms:
        return UpdateOutcome(report, changes=changes)
    written: list[Path] = []
    removed: list[Path] = []
    changed = {n: after[n] for n in names if str(n) in changes}
    if not _keeps_files(
        kg
    ):  # another store is the target; kg/ stays as it is (as KnowledgeGraph.add does)
        kg.store.replace_graphs(changed)
        kg.__dict__.pop("labels", None)
        return UpdateOutcome(
            report, changes=changes, created=any(n not in existing for n in changed), applied=True
        )
    texts: dict[Path, str | None] = {}
    for n in names:
        if str(n) not in changes:
            continue
        path = kg.layout.source_file(str(n))
        graph = after[n]
        if len(graph) == 0:
            if path.exists():
                removed.append(path)
                texts[path] = None  # removed in the same journaled change
            continue
        header = (
            leading_comments(path.read_text(encoding="utf-8"))
            if path.exists()
            else f"What <{n}> states (written through the zonegraph server)."
        )
        texts[path] = to_turtle(graph, header=header)
        written.append(path)
    write_files(texts)
    kg.store.replace_graphs(changed)
    kg._kg_state = file_state(kg.layout.source_files())
    kg.__dict__.pop("labels", None)  # KnowledgeGraph.add drops its cached label index the same way
    created = any(n not in existing for n in changed)
    return UpdateOutcome(
        report,
        changes=changes,
        written=sorted(written),
        removed=sorted(removed),
        created=created,
        applied=True,
    )


def _keeps_files(kg: Any) -> bool:
    """True when the graph lives in memory, loaded from the KG files (which a change rewrites)."""
    from ._store import MemoryStore

    return isinstance(kg.store, MemoryStore)


def validate_after(kg: Any, after: Mapping[URIRef, Graph], touched: set[Node]) -> ValidationReport:
    """Validate the graph as it would be with *after*, as ``KnowledgeGraph.validate`` does.

    The same shapes, over the data, the ontology and the validation closure;
    only the *touched* nodes are focus nodes (_targets), and only their results are kept.
    """
    if not touched:
        return ValidationReport()
    data = Graph()
    sources = kg.source_graphs()
    for name, graph in sources.items():
        data += after.get(name, graph)
    for name, graph in after.items():
        if name not in sources:
            data += graph
    data += kg.ontology
    for t in validation_closure(data, kg.vocabulary):
        data.add(t)
    report = run_pyshacl(data, kg.shapes, focus=touched, targets=kg.targets)
    return ValidationReport(results=results_from_report(report, keep=touched))


def touched_nodes(triples: Iterable[tuple[Node, Node, Node]]) -> set[Node]:
    """The subjects of *triples*, and the IRIs and blank nodes they link to."""
    out: set[Node] = set()
    for s, _p, o in triples:
        out.add(s)
        if isinstance(o, (URIRef, BNode)):
            out.add(o)
    return out
