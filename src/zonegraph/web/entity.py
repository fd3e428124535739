"""What an entity's page shows, gathered from the graph: its facts grouped by property,
its figures, the quotations that are its evidence, the statements about it, and (for a
source) the source's own description and the entities it describes.

Wikidata's entity pages are the model: one row per property with all its values, each
value with its references; a figure reads as "11.6 square kilometre (exactly), on
4 August 2014", not as a link to a node. The values are plain data
(:class:`PropertyGroup`, :class:`FigureView`, :class:`StatementView`), rendered by the
Jinja2 templates; :class:`~zonegraph.web.pages.Pages` holds the graph and the labels.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import quote

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..rdf.namespaces import DCT, SCHEMA, SKOS, ZG, ZGS

if TYPE_CHECKING:
    from .pages import Fact, Pages, TermView

#: Facts shown in the page's header (labels) or a section of their own, not in the table.
_IN_HEADER = {RDFS.label, SKOS.altLabel, SKOS.prefLabel}
#: Incoming properties shown as sections of their own (figures, statements).
_OWN_SECTION = {ZG.figureOf, ZG.about}
#: The properties of a source node shown as its description, in this order.
_SOURCE_FIELDS = [
    (DCT.title, "Title"),
    (DCT.publisher, "Publisher"),
    (DCT.creator, "Author"),
    (DCT.issued, "Published"),
    (SCHEMA.url, "URL"),
    (DCT.language, "Language"),
]


@dataclass
class Value:
    """One value of a property, with the sources (named graphs) stating it."""

    term: TermView
    sources: list[TermView] = field(default_factory=list)
    nested: list[Fact] = field(default_factory=list)


@dataclass
class PropertyGroup:
    """A property and all its values (one row of the table); a quotation's values are
    grouped by their source (``by_source``) instead."""

    prop: TermView
    values: list[Value] = field(default_factory=list)
    by_source: list[tuple[TermView, list[str]]] = field(default_factory=list)
    anchor: str = ""


@dataclass
class FigureView:
    """A zg:Figure about the entity, as a sentence's parts: measure, amount and unit,
    qualifier, the date it holds on, its sources and the sentence quoted."""

    node: TermView
    measure: TermView | None
    amount: str
    unit: TermView | None
    qualifier: TermView | None
    holds_on: str
    sources: list[TermView]
    quotations: list[str]


@dataclass
class StatementView:
    """A zg:Statement about the entity: the words said, who said them, where printed."""

    node: TermView
    texts: list[str]
    speaker: TermView | None
    speaker_description: str
    kind: TermView | None
    sources: list[TermView]
    quotations: list[str]


@dataclass
class SourceDescription:
    """A source's own description (title, publisher, date, URL, language) and what it states."""

    fields: list[tuple[str, list[TermView]]]
    facts: int
    entities: list[tuple[TermView, list[TermView]]]  # (class, its entities), each entity once
    entity_count: int
    store: str


class EntityFacts:
    """Gathers the parts of one entity's page from *pages*' graph."""

    def __init__(self, pages: Pages, iri: URIRef, *, incoming: bool = True) -> None:
        """*incoming*: whether the page shows the facts pointing to *iri* (an ontology term's
        page does not: a class has an rdf:type fact from each of its instances)."""
        self.pages = pages
        self.iri = iri
        self.graphs: list[tuple[URIRef, Graph]] = pages.around(iri, incoming=incoming)

    # -- helpers -------------------------------------------------------------------

    def objects(self, s: Node, p: URIRef) -> list[tuple[Node, URIRef]]:
        """The values of *p* on *s* in every graph, with the graph stating each."""
        return [(o, name) for name, g in self.graphs for o in g.objects(s, p)]

    def _first(self, s: Node, p: URIRef) -> Node | None:
        return next((o for o, _n in self.objects(s, p)), None)

    def _sources(self, s: Node) -> list[TermView]:
        """The sources of *s*: its dct:source values, else the graphs describing it."""
        found = dict.fromkeys(o for o, _n in self.objects(s, DCT.source))
        if not found:
            found = dict.fromkeys(n for n, g in self.graphs if (s, None, None) in g)
        return [self.pages.source_view(o) for o in found]

    def _texts(self, s: Node, p: URIRef) -> list[str]:
        """The texts of *p* on *s*, by source, then text: the same order from every store."""
        return list(
            dict.fromkeys(
                str(o) for _n, o in sorted((str(n), str(o)) for o, n in self.objects(s, p))
            )
        )

    # -- the parts -------------------------------------------------------------------

    def labels(self) -> list[TermView]:
        """Every label and alternative label, in every language (the header's "also known as"),
        by property, source, then value: the same order from every store."""
        seen: dict[tuple[str, str], TermView] = {}
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            found = self.objects(self.iri, prop)  # by text: rdflib cannot order every literal
            for o, _n in sorted(found, key=lambda on: (str(on[1]), str(on[0]), on[0].n3())):
                if isinstance(o, Literal):
                    seen.setdefault((str(o), o.language or ""), self.pages.view(o))
        return list(seen.values())

    def groups(self) -> list[PropertyGroup]:
        """The facts with the entity as subject, one group per property."""
        pages = self.pages
        values: dict[Node, dict[Node, Value]] = defaultdict(dict)
        for name, graph in self.graphs:
            for p, o in graph.predicate_objects(self.iri):
                if p in _IN_HEADER:
                    continue
                value = values[p].get(o)
                if value is None:
                    value = values[p][o] = Value(pages.view(o))
                    if isinstance(o, BNode):
                        value.nested = pages.nested(graph, o, depth=0)
                value.sources.append(pages.source_view(name))
        out = []
        for p in sorted(values, key=lambda p: pages.order(p, p)):
            group = PropertyGroup(pages.view(p), anchor=_anchor(p))
            if p == ZG.quotation:
                group.by_source = self._by_source(values[p])
            else:
                group.values = sorted(values[p].values(), key=lambda v: v.term.order())
            out.append(group)
        return out

    @staticmethod
    def _by_source(values: dict[Node, Value]) -> list[tuple[TermView, list[str]]]:
        grouped: dict[str, tuple[TermView, list[str]]] = {}
        for o, value in values.items():
            for source in value.sources:
                grouped.setdefault(source.title, (source, []))[1].append(str(o))
        # each source's quotations by their text: the same order from every store
        return [(grouped[k][0], sorted(grouped[k][1])) for k in sorted(grouped)]

    def incoming(self, *, skip: set[URIRef] | None = None) -> list[PropertyGroup]:
        """The facts pointing to the entity, one group per property (values: the subjects)."""
        pages = self.pages
        left_out = _OWN_SECTION | (skip or set())
        values: dict[Node, dict[Node, Value]] = defaultdict(dict)
        for name, graph in self.graphs:
            for s, p in graph.subject_predicates(self.iri):
                if p in left_out:
                    continue
                value = values[p].get(s)
                if value is None:
                    value = values[p][s] = Value(pages.view(s))
                value.sources.append(pages.source_view(name))
        return [
            PropertyGroup(
                pages.view(p),
                sorted(values[p].values(), key=lambda v: v.term.order()),
                anchor="in-" + _anchor(p),
            )
            for p in sorted(values, key=lambda p: pages.order(p, p))
        ]

    def figures(self) -> list[FigureView]:
        """The figures of the entity (zg:figureOf), each with its value, unit, date, source."""
        pages = self.pages
        nodes = dict.fromkeys(s for _n, g in self.graphs for s in g.subjects(ZG.figureOf, self.iri))
        out = []
        for node in nodes:
            value = self._first(node, ZG.value)
            unit = self._first(node, ZG.unit) or self._first(node, ZG.currency)
            measure = self._first(node, ZG.measure)
            qualifier = self._first(node, ZG.qualifier)
            holds = self._first(node, ZG.holdsOn)
            out.append(
                FigureView(
                    node=pages.view(node),
                    measure=pages.view(measure) if measure is not None else None,
                    amount=pages.view(value).text if value is not None else "",
                    unit=pages.view(unit) if unit is not None else None,
                    qualifier=pages.view(qualifier) if qualifier is not None else None,
                    holds_on=str(holds) if holds is not None else "",
                    sources=self._sources(node),
                    quotations=self._texts(node, ZG.quotation),
                )
            )
        return sorted(
            out, key=lambda f: (f.measure.text if f.measure else "", f.holds_on, f.node.order())
        )

    def statements(self) -> list[StatementView]:
        """The zg:Statement nodes about the entity (zg:about): text, speaker, source."""
        pages = self.pages
        nodes = dict.fromkeys(s for _n, g in self.graphs for s in g.subjects(ZG.about, self.iri))
        out = []
        for node in nodes:
            speaker = self._first(node, ZG.spokenBy)
            kind = self._first(node, ZG.speechKind)
            out.append(
                StatementView(
                    node=pages.view(node),
                    texts=self._texts(node, ZG.text),
                    speaker=pages.view(speaker) if speaker is not None else None,
                    speaker_description=" / ".join(self._texts(node, ZG.speakerDescription)),
                    kind=pages.view(kind) if kind is not None else None,
                    sources=self._sources(node),
                    quotations=self._texts(node, ZG.quotation),
                )
            )
        return sorted(out, key=lambda s: s.node.order())

    def source_description(self) -> SourceDescription | None:
        """For a source (a ``zgs:`` IRI with a named graph): its own description and entities."""
        if not str(self.iri).startswith(str(ZGS)):
            return None
        graph = dict(self.graphs).get(self.iri)
        if graph is None:
            return None
        pages = self.pages
        fields = []
        for prop, heading in _SOURCE_FIELDS:
            found = dict.fromkeys(o for o, _n in self.objects(self.iri, prop))
            if found:  # RDF keeps no order of a source's authors: by name, on every store
                views = sorted((pages.view(o) for o in found), key=lambda v: v.order())
                fields.append((heading, [_linked(v) for v in views]))
        by_class: dict[Node, set[URIRef]] = defaultdict(set)
        typed: set[URIRef] = set()
        for s, c in graph.subject_objects(RDF.type):
            if isinstance(s, URIRef) and s != self.iri:
                typed.add(s)
                by_class[c].add(s)
        # each entity once: under the first of its classes (by label) the source gives it
        entities = []
        placed: set[URIRef] = set()
        for c in sorted(by_class, key=lambda c: ((pages.label(c) or str(c)).casefold(), str(c))):
            members = sorted(by_class[c] - placed, key=lambda s: pages.view(s).order())
            if members:
                entities.append((pages.view(c), [pages.view(s) for s in members]))
                placed.update(members)
        return SourceDescription(
            fields=fields,
            facts=len(graph),
            entities=entities,
            entity_count=len(placed),
            store=f"/store?graph={quote(str(self.iri), safe='')}",
        )


def _linked(view: TermView) -> TermView:
    """A literal web address (a source's ``schema:url``) as a link to it."""
    if view.kind == "literal" and view.text.startswith(("http://", "https://")):
        return replace(view, href=view.text, kind="iri", external=True, title=view.text)
    return view


def _anchor(p: Node) -> str:
    """An HTML id for the row of property *p* (its local name)."""
    text = str(p)
    return "p-" + text[max(text.rfind("#"), text.rfind("/")) + 1 :]
