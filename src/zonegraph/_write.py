"""Every change to the graph, by one path.

``zonegraph add``, :meth:`KnowledgeGraph.add`, and the server's Graph Store
POST, PUT, DELETE and SPARQL Update all come here, on every store:

1. **Where.** Each changed graph is a source graph
   ``https://w3id.org/zonegraph/source/<slug>`` whose slug matches
   :data:`SOURCE_SLUG`; its file is ``kg/<slug>.ttl`` and must resolve inside
   ``kg/`` (:func:`source_path`). Facts given without a graph go to the one
   source they cite or describe (:func:`target_source`). Anything else is a
   :class:`~zonegraph._errors.SourceError` (exit code 2, HTTP 400) and nothing
   is written. A name taken from input never becomes a path without this check.
2. **Validate.** The graph as it would be after the change, by
   :meth:`KnowledgeGraph.validate_change` (incremental, inside the audit guard).
   A change that does not conform is refused whole.
3. **Write.** With the memory store, the KG files of the changed sources are
   rewritten in the canonical layout through the journal (all or none, under the
   KG's lock), then the store; with another store, the store alone (``kg/`` stays
   as it is), with what the new facts derive if the store keeps an inferred graph.
4. **Forget.** The knowledge graph drops what it derived from the old state
   (:meth:`KnowledgeGraph.changed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from ._errors import SourceError
from .kgdir.journal import locked, recover, write_files
from .rdf.namespaces import DCT, INFERRED_GRAPH, ONTOLOGY_GRAPH, ZG, ZGS, shorten
from .rdf.turtle_writer import leading_comments, to_turtle
from .store.access import same_value
from .validate.shacl import ValidationReport

if TYPE_CHECKING:
    from .kgdir.layout import Layout
    from .store.base import Store


class KnowledgeGraph(Protocol):
    """What the write path needs of the knowledge graph it changes (the facade,
    :class:`zonegraph.KnowledgeGraph`, is one; this module does not import it)."""

    layout: Layout
    store: Store

    def refuse_writes_to_shipped(self) -> None: ...
    def keeps_files(self) -> bool: ...
    def refresh(self) -> bool: ...
    def graph_names(self) -> list[URIRef]: ...
    def parse_kg_file(self, path: Path) -> Graph: ...
    def validate_change(self, added: Graph, removed: Graph | None = None) -> ValidationReport: ...
    def derived_for_store(self, facts: set[tuple[Node, Node, Node]]) -> Graph | None: ...
    def inferred_after(self, facts: Iterable[tuple[Node, Node, Node]]) -> Graph | None: ...
    def changed(
        self,
        *,
        inferred: Graph | None = None,
        added: Iterable[tuple[Node, Node, Node]] | None = None,
    ) -> None: ...


#: What a source's slug may be: the name of its file in ``kg/`` without ``.ttl``.
SOURCE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")

#: The classes whose members are sources (the facts of a file describing one go to it).
SOURCE_CLASSES = frozenset({ZG.Source, ZG.NewsArticle, ZG.WebPage, ZG.ReferenceDataset})

_SLUG_HINT = (
    f"name sources {ZGS}<slug>, the slug lower-case letters, digits and '-' "
    "(for example chinadaily-2018-06-10); its facts are kept in kg/<slug>.ttl"
)


#: Validates a change: (the triples it adds, the triples it removes) -> its report.
Validator = Callable[[Graph, Graph], ValidationReport]


class StaleChange(SourceError):
    """The KG files changed on disk after the change was computed from them; send it again."""


def source_slug(name: str) -> str:
    """The slug of the source graph *name*, or SourceError if *name* is not one.

    >>> source_slug("https://w3id.org/zonegraph/source/chinadaily-2018-06-10")
    'chinadaily-2018-06-10'
    >>> source_slug("https://w3id.org/zonegraph/source/../ontology/shapes")
    Traceback (most recent call last):
    ...
    zonegraph._errors.SourceError: <https://w3id.org/zonegraph/source/../ontology/shapes> ...
    """
    if name == str(ONTOLOGY_GRAPH):
        raise SourceError(
            "the ontology is not a source graph and cannot be changed this way",
            hint="edit ontology/zonegraph.ttl itself",
        )
    if not name.startswith(str(ZGS)):
        raise SourceError(
            f"<{name}> is not a source graph: it is not in the zonegraph source namespace; "
            f"only graphs {ZGS}<slug> can change",
            hint="each source's facts live in the graph named by the source's IRI, "
            f"{ZGS}<slug>; its facts are kept in kg/<slug>.ttl",
        )
    slug = name[len(str(ZGS)) :]
    if not SOURCE_SLUG.fullmatch(slug):
        raise SourceError(
            f"<{name}> is not a valid source IRI: its slug {slug!r} is not lower-case "
            "letters, digits and '-'",
            hint=_SLUG_HINT,
        )
    return slug


def source_path(layout: Layout, name: str) -> Path:
    """The file of ``kg/`` that holds what the source *name* states (checked, inside ``kg/``)."""
    slug = source_slug(name)
    path = layout.kg_dir / f"{slug}.ttl"
    kg_dir = layout.kg_dir.resolve()
    if path.resolve().parent != kg_dir:  # a link in kg/ pointing elsewhere
        raise SourceError(
            f"kg/{slug}.ttl does not lie inside {kg_dir} (a symbolic link?)",
            hint="replace the link with the file itself",
        )
    return path


def target_source(graph: Graph, *, name: str) -> URIRef:
    """The one source the facts of *graph* (read from *name*) cite or describe.

    SourceError if there is not exactly one, or it is not a valid source IRI.
    """
    described = {
        s
        for s, o in graph.subject_objects(RDF.type)
        if o in SOURCE_CLASSES and isinstance(s, URIRef)
    }
    cited = {o for o in graph.objects(None, DCT.source) if isinstance(o, URIRef)}
    sources = described | cited
    if len(sources) != 1:
        found = ", ".join(sorted(shorten(str(s)) for s in sources)) or "none"
        raise SourceError(
            f"{name}: the facts must come from exactly one source; found {found}",
            hint="give every node dct:source <the source>, "
            "and put each source's facts in a file of its own",
        )
    (source,) = sources
    try:
        source_slug(str(source))
    except SourceError as exc:
        raise SourceError(f"{name}: {exc.message}", hint=exc.hint) from None
    return source


@dataclass
class WriteResult:
    """What a change did: its validation report and, if it was applied, where it went.

    ``written`` and ``removed`` are KG files (memory store); ``stored`` the store's
    named graphs written (any other store). ``changes`` counts the triples added
    and removed per source graph.
    """

    report: ValidationReport
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    stored: list[URIRef] = field(default_factory=list)
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    created: bool = False
    applied: bool = False

    @property
    def added(self) -> bool:
        """True when the change was applied (something was written)."""
        return self.applied

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


@dataclass
class Change:
    """A change to source graphs: facts *added* to each, and graphs *replaced* whole
    (an empty graph drops the source). *headers* give the comment a new file starts with."""

    added: dict[URIRef, Graph] = field(default_factory=dict)
    replaced: dict[URIRef, Graph] = field(default_factory=dict)
    headers: dict[URIRef, str] = field(default_factory=dict)

    def names(self) -> list[URIRef]:
        for name in [*self.added, *self.replaced]:
            source_slug(str(name))
        return sorted({*self.added, *self.replaced})


def facts_change(files: Iterable[tuple[str, Graph, str]]) -> Change:
    """The change that adds each file's facts to the one source they come from.

    *files* are (name to show, facts, leading comment of the file).
    """
    change = Change()
    for name, graph, header in files:
        target = target_source(graph, name=name)
        change.added.setdefault(target, Graph())
        change.added[target] += graph
        change.headers.setdefault(target, header)
    return change


Triple = tuple[Node, Node, Node]


def _kept_forms(new: set[Triple], old: set[Triple]) -> set[Triple]:
    """*new* with each literal that restates, in another lexical form, a value *old* holds
    for the same subject and predicate (``"202"`` for ``"202.0"^^xsd:decimal``) written in
    *old*'s form: a replacement computed from a store that keeps values, not forms (the
    Oxigraph engines), or sent back by a client that read one, changes only what it
    changes, and a file keeps the forms it was written in."""
    fresh = [t for t in new - old if isinstance(t[2], Literal) and t[2].datatype is not None]
    if not fresh:
        return new
    gone: dict[tuple[Node, Node], list[Literal]] = {}
    for s, p, o in old - new:
        if isinstance(o, Literal) and o.datatype is not None:
            gone.setdefault((s, p), []).append(o)
    out = set(new)
    for s, p, o in fresh:
        forms = gone.get((s, p), [])
        match = next((f for f in forms if same_value(f, o)), None)
        if match is not None:
            forms.remove(match)
            out.discard((s, p, o))
            out.add((s, p, match))
    return out


def apply(
    kg: KnowledgeGraph,
    change: Change,
    *,
    from_view: bool = False,
    validate: Validator | None = None,
) -> WriteResult:
    """Validate *change* against the graph it would produce and, if it conforms, make it.

    The change is validated by :meth:`KnowledgeGraph.validate_change` (the results it
    adds anywhere in the graph), or by *validate*, which must give the same report
    (the server runs it in a query worker, within the time limit). *from_view*: the change was
    computed from the graph as this process read it (a SPARQL Update); if the KG
    files changed on disk since, it is refused (:class:`StaleChange`) instead of
    being applied to a graph it was not computed from.
    """
    names = change.names()
    kg.refuse_writes_to_shipped()
    if not kg.keeps_files():
        return _apply(kg, change, names, validate or kg.validate_change)
    with locked(kg.layout.kg_dir):
        recover(kg.layout.kg_dir)  # finish or undo a change a crash interrupted
        if kg.refresh() and from_view:
            raise StaleChange(
                "the graph changed on disk (another zonegraph command added facts) "
                "after this change was computed; nothing was changed",
                hint="send it again: it will run on the graph as it is now",
            )
        return _apply(kg, change, names, validate or kg.validate_change)


def _apply(
    kg: KnowledgeGraph, change: Change, names: list[URIRef], validate: Validator
) -> WriteResult:
    existing = set(kg.graph_names())
    keeps_files = kg.keeps_files()
    paths = {n: source_path(kg.layout, str(n)) for n in names} if keeps_files else {}
    # The graphs as they are and as they would be. Adding facts to a store other than
    # memory needs no copy of the source's graph: the store inserts them.
    whole = keeps_files or bool(change.replaced)
    after: dict[URIRef, Graph] = {}
    added_triples: set[tuple[Node, Node, Node]] = set()
    removed_triples: set[tuple[Node, Node, Node]] = set()
    changes: dict[str, dict[str, int]] = {}
    for n in names:
        if keeps_files:  # the file as it is on disk now, under the lock: nothing of it is lost
            old = set(kg.parse_kg_file(paths[n])) if paths[n].exists() else set()
        elif whole:
            old = set(kg.store.graph(n)) if n in existing else set()
        given = set(change.added.get(n, ()))
        if whole:
            new = set(change.replaced[n]) if n in change.replaced else old | given
            new = _kept_forms(new, old)
            after[n] = _graph(new)
            plus, minus = new - old, old - new
        else:
            plus, minus = given, set()
        if plus or minus:
            changes[str(n)] = {"added": len(plus), "removed": len(minus)}
            # facts given to add are validated whole, whatever of them the file holds already
            added_triples |= given or plus
            removed_triples |= minus
    if not changes:
        return WriteResult(ValidationReport())
    report = validate(_graph(added_triples), _graph(removed_triples))
    if not report.conforms:
        return WriteResult(report, changes=changes)
    changed = [n for n in names if str(n) in changes]
    created = any(n not in existing for n in changed)
    if not keeps_files:
        if change.replaced:
            kg.store.replace_graphs({n: after[n] for n in changed})
        else:
            graphs = {n: change.added[n] for n in changed}
            derived = kg.derived_for_store(added_triples)
            if derived is not None:
                graphs[INFERRED_GRAPH] = derived
            kg.store.insert(graphs)
        kg.changed()
        return WriteResult(
            report,
            stored=sorted(changed),
            changes=changes,
            created=created,
            applied=True,
        )
    texts: dict[Path, str | None] = {}
    written: list[Path] = []
    removed: list[Path] = []
    for n in changed:
        path = paths[n]
        if not after[n]:
            if path.exists():
                removed.append(path)
                texts[path] = None  # removed in the same journaled change
            continue
        header = (
            leading_comments(path.read_text(encoding="utf-8"))
            if path.exists()
            else change.headers.get(n) or f"What <{n}> states."
        )
        texts[path] = to_turtle(after[n], header=header)
        written.append(path)
    inferred = kg.inferred_after(added_triples) if not removed_triples else None
    write_files(texts)
    kg.store.replace_graphs({n: after[n] for n in changed})
    kg.changed(inferred=inferred, added=added_triples)
    return WriteResult(
        report,
        written=sorted(written),
        removed=sorted(removed),
        changes=changes,
        created=created,
        applied=True,
    )


def _graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add(t)
    return graph
