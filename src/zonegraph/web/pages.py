"""The server's HTML pages: home, entity, source, ontology term and query pages.

This module gathers what a page shows from the knowledge graph into plain
values (:class:`TermView`, :class:`Fact` …) and renders them with the Jinja2
templates in ``zonegraph/web/templates``; no HTML is written in Python.

Links to zonegraph IRIs go to their pages on this server (:mod:`zonegraph.web.links`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..rdf.namespaces import DCT, ONTOLOGY_GRAPH, PREFIXES, SCHEMA, SKOS, ZG, ZGS, shorten
from .entity import EntityFacts
from .links import local_path

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

WEB = Path(__file__).resolve().parent

#: Names for the standard terms the graph uses, where the ontology has no label for them.
_STANDARD_LABELS = {
    RDF.type: "type",
    RDFS.label: "label",
    RDFS.comment: "comment",
    RDFS.subClassOf: "subclass of",
    RDFS.subPropertyOf: "subproperty of",
    RDFS.domain: "domain",
    RDFS.range: "range",
    RDFS.seeAlso: "see also",
    OWL.inverseOf: "inverse of",
    OWL.versionInfo: "version",
    OWL.versionIRI: "version IRI",
    SKOS.definition: "definition",
    SKOS.altLabel: "also called",
    SKOS.prefLabel: "preferred label",
    SKOS.inScheme: "in scheme",
    DCT.source: "source",
    DCT.title: "title",
    DCT.description: "description",
    DCT.creator: "creator",
    DCT.publisher: "publisher",
    DCT.issued: "issued",
    DCT.created: "created",
    DCT.modified: "modified",
    DCT.license: "license",
    DCT.language: "language",
    DCT.isPartOf: "part of",
    SCHEMA.url: "URL",
    SCHEMA.caption: "caption",
}

#: Properties shown first on an entity page, in this order.
_FIRST = [RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, RDFS.comment]
_DESCRIPTION = [SKOS.definition, DCT.description, RDFS.comment]
#: The nodes pointing to an entity whose own facts its page shows: its figures, statements.
_FOLLOWED = (ZG.figureOf, ZG.about)
#: How many blank nodes deep a page follows a fact's value.
_BLANK_DEPTH = 8


@dataclass(frozen=True)
class TermView:
    """An RDF term as a page shows it: text, an optional link, and a note (datatype, language)."""

    text: str
    href: str | None = None
    title: str = ""
    note: str = ""
    kind: str = "iri"  # iri | literal | bnode
    external: bool = False

    def order(self) -> tuple[str, str]:
        """Where the term goes in a list: by its text, ignoring case; terms of the same text
        (foaf:Person and prov:Person are both "person") by their IRI, so that a page
        lists them in the same order every time."""
        return self.text.casefold(), self.title or self.href or self.text


@dataclass
class Fact:
    """One fact on a page: property, value (the subject, for facts pointing in), source graphs."""

    prop: TermView
    value: TermView
    sources: list[TermView] = field(default_factory=list)
    nested: list[Fact] = field(default_factory=list)


@dataclass
class Entry:
    """A link with a label, for lists and tables."""

    term: TermView
    count: int | None = None
    extra: str = ""
    children: list[Entry] = field(default_factory=list)


class Pages:
    """Renders the pages of one knowledge graph."""

    def __init__(self, kg: KnowledgeGraph, *, updates: bool = False) -> None:
        self.kg = kg
        self.updates = updates
        self.env = Environment(
            loader=FileSystemLoader(str(WEB / "templates")),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # -- terms ------------------------------------------------------------------

    def label(self, iri: Node) -> str | None:
        if not isinstance(iri, URIRef):
            return None
        found = self.kg.labels.label(iri)
        if found is None:
            found = _STANDARD_LABELS.get(iri)
        return str(found) if found is not None else None

    def view(self, term: Node) -> TermView:
        """How *term* appears on a page."""
        if isinstance(term, URIRef):
            iri = str(term)
            short = shorten(iri)
            text = self.label(term) or (short if not short.startswith("<") else iri)
            href = local_path(iri)
            if href is None and not iri.startswith(("http://", "https://")):
                return TermView(text, None, title=iri, kind="iri")  # urn:, mailto: … are no links
            external = href is None
            return TermView(
                text, href or iri, title=f"{short.strip('<>')}", kind="iri", external=external
            )
        if isinstance(term, Literal):
            note = ""
            if term.language:
                note = f"@{term.language}"
            elif term.datatype is not None and term.datatype != XSD.string:
                note = shorten(str(term.datatype))
            value = term.toPython()
            text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(term)
            return TermView(text, note=note, kind="literal")
        return TermView("(blank node)", kind="bnode")

    def source_view(self, graph: Node) -> TermView:
        iri = str(graph)
        if iri == str(ONTOLOGY_GRAPH):
            return TermView("ontology", "/ontology", title=iri)
        slug = iri[len(str(ZGS)) :] if iri.startswith(str(ZGS)) else shorten(iri)
        href = local_path(iri)
        if href is None and iri.startswith(("http://", "https://")):
            href = iri  # the absolute IRI itself; other schemes are no links
        label = self.label(graph)
        # a source's label is "Publisher, date: headline": the part before the colon is
        # what a reference beside a value needs; the whole label is the link's title
        text = label.split(": ", 1)[0] if label else slug
        return TermView(text, href, title=label or iri, external=href == iri)

    # -- gathering facts ----------------------------------------------------------

    def around(
        self,
        iri: URIRef,
        *,
        follow: Iterable[URIRef] = _FOLLOWED,
        incoming: bool = True,
        whole_source: bool = True,
    ) -> list[tuple[URIRef, Graph]]:
        """The named graphs, with their names, as far as a page about *iri* reads them: the
        facts about *iri* and pointing to it, the blank nodes they lead to (closed over),
        the facts of the nodes pointing to it by a *follow* property (its figures and
        statements) and, for a source with *whole_source*, its whole graph (the entities it
        describes); without *incoming*, only the facts about *iri* and their blank nodes.

        Read from the store's indexes (``Store.quads``), never by copying every graph: on
        Oxigraph a page cost a copy of the whole store (0.8 s for the shipped graph)."""
        store = self.kg.store
        graphs: dict[URIRef, Graph] = defaultdict(Graph)
        followed = set(follow)
        nodes: list[Node] = [iri]
        for s, p, o, g in store.quads(None, None, iri) if incoming else ():
            graphs[g].add((s, p, o))
            if p in followed and s != iri:
                nodes.append(s)
        seen: set[Node] = set()
        depth = 0
        while nodes and depth <= _BLANK_DEPTH:
            blanks: list[Node] = []
            for node in nodes:
                if node in seen:
                    continue
                seen.add(node)
                for s, p, o, g in store.quads(node, None, None):
                    graphs[g].add((s, p, o))
                    if isinstance(o, BNode):
                        blanks.append(o)
            nodes, depth = blanks, depth + 1
        if whole_source and str(iri).startswith(str(ZGS)) and iri in self.kg.graph_names():
            graphs[iri] += store.graph(iri)
        return sorted(graphs.items(), key=lambda item: str(item[0]))

    def order(self, p: Node, o: Node) -> tuple[int, str, str]:
        rank = next((i for i, first in enumerate(_FIRST) if first == p), len(_FIRST))
        return (rank, shorten(str(p)), str(self.label(o) or o))

    def nested(self, graph: Graph, node: BNode, depth: int) -> list[Fact]:
        if depth > 3:
            return []
        out = []
        for p, o in sorted(graph.predicate_objects(node), key=lambda po: self.order(*po)):
            fact = Fact(self.view(p), self.view(o))
            if isinstance(o, BNode):
                fact.nested = self.nested(graph, o, depth + 1)
            out.append(fact)
        return out

    def describes(self, iri: URIRef) -> bool:
        store = self.kg.store
        return any(True for _ in store.quads(iri, None, None)) or any(
            True for _ in store.quads(None, None, iri)
        )

    def types(self, iri: URIRef) -> list[TermView]:
        found = {t for _s, _p, t, _g in self.kg.store.quads(iri, RDF.type, None)}
        found = {t for t in found if isinstance(t, URIRef)}
        return [self.view(t) for t in sorted(found, key=lambda t: self.label(t) or str(t))]

    def description(self, iri: URIRef) -> list[str]:
        """The definitions, descriptions and comments of *iri*, by property, then source,
        then text: the same order from every store."""
        out: list[str] = []
        for prop in _DESCRIPTION:
            found = sorted(
                (str(g), str(v))
                for _s, _p, v, g in self.kg.store.quads(iri, prop, None)
                if isinstance(v, Literal)
            )
            out.extend(text for _g, text in found if text not in out)
        return out

    def entries(self, iris: Iterable[Node]) -> list[Entry]:
        items = [Entry(self.view(i)) for i in iris if isinstance(i, URIRef)]
        return sorted(items, key=lambda e: e.term.order())

    # -- RDF descriptions ------------------------------------------------------------

    def description_graph(self, iri: URIRef) -> dict[URIRef, Graph]:
        """The facts about *iri* and pointing to it, per named graph (blank nodes closed over)."""
        return {name: g for name, g in self.around(iri, follow=(), whole_source=False) if len(g)}

    # -- pages -----------------------------------------------------------------------

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(updates=self.updates, **context)

    def home(self) -> str:
        stats = self.kg.stats()
        classes = [Entry(self.view(_expand(c)), count=n) for c, n in stats.classes.items()]
        sources = [
            {
                "term": self.source_view(URIRef(s.iri)),
                "iri": s.iri,
                "title": s.title,
                "facts": s.triples,
                "entities": s.entities,
            }
            for s in stats.sources
        ]
        areas = self.entries(self.kg.members("zg:EconomicArea"))
        groups = [
            ("Zones and parks", areas),
            ("Countries", self.entries(self.kg.members("zg:Country"))),
            ("Organisations", self.entries(self.kg.members("zg:Organization"))),
            ("People", self.entries(self.kg.members("zg:Person"))),
        ]
        return self.render(
            "home.html",
            # the layout adds " · zonegraph" to every title: the home page says what it is
            title="International economic cooperation zones",
            stats=stats,
            classes=classes,
            sources=sources,
            groups=groups,
            queries=self.kg.queries(),
        )

    def entity(self, iri: URIRef, *, alternates: list[tuple[str, str]]) -> str | None:
        """The page of an instance or a source, or None when the graph says nothing about it."""
        if not self.describes(iri):
            return None
        facts = EntityFacts(self, iri)
        source = facts.source_description()
        # on a source's page, what points to it with dct:source is the list of its entities
        skip = {DCT.source} if source is not None else set()
        return self.render(
            "entity.html",
            title=self.label(iri) or shorten(str(iri)),
            iri=str(iri),
            short=shorten(str(iri)),
            types=self.types(iri),
            description=self.description(iri),
            labels=facts.labels(),
            groups=facts.groups(),
            figures=facts.figures(),
            statements=facts.statements(),
            incoming=facts.incoming(skip=skip),
            alternates=alternates,
            source=source,
        )

    def term(self, iri: URIRef, *, alternates: list[tuple[str, str]]) -> str | None:
        """The page of an ontology term: class, property or vocabulary individual."""
        onto = self.kg.ontology
        if (iri, None, None) not in onto:
            return None
        facts = EntityFacts(self, iri, incoming=False)
        kinds = {t for t in onto.objects(iri, RDF.type)}
        sections: list[tuple[str, list[Entry]]] = []
        if OWL.Class in kinds or RDFS.Class in kinds:
            kind = "Class"
            sections.append(("Subclass of", self.entries(onto.objects(iri, RDFS.subClassOf))))
            sections.append(("Subclasses", self.entries(onto.subjects(RDFS.subClassOf, iri))))
            sections.append(
                ("Properties with this domain", self.entries(onto.subjects(RDFS.domain, iri)))
            )
            sections.append(
                ("Properties with this range", self.entries(onto.subjects(RDFS.range, iri)))
            )
            sections.append(
                ("Instances (with subclasses)", self.entries(self.kg.members(str(iri))))
            )
        elif kinds & {
            OWL.ObjectProperty,
            OWL.DatatypeProperty,
            OWL.AnnotationProperty,
            RDF.Property,
        }:
            kind = "Property"
            sections.append(
                ("Characteristics", [Entry(self.view(k)) for k in sorted(kinds, key=str)])
            )
            sections.append(("Domain", self.entries(onto.objects(iri, RDFS.domain))))
            sections.append(("Range", self.entries(onto.objects(iri, RDFS.range))))
            sections.append(("Subproperty of", self.entries(onto.objects(iri, RDFS.subPropertyOf))))
            sections.append(("Subproperties", self.entries(onto.subjects(RDFS.subPropertyOf, iri))))
            inverse = set(onto.objects(iri, OWL.inverseOf)) | set(onto.subjects(OWL.inverseOf, iri))
            sections.append(("Inverse", self.entries(inverse)))
        else:
            kind = "Vocabulary term"
            sections.append(("Type", self.entries(kinds)))
            sections.append(
                (
                    "Used by",
                    self.entries(s for s, _p, _o, _g in self.kg.store.quads(None, None, iri)),
                )
            )
        return self.render(
            "term.html",
            title=self.label(iri) or shorten(str(iri)),
            iri=str(iri),
            short=shorten(str(iri)),
            kind=kind,
            description=self.description(iri),
            sections=[(h, items) for h, items in sections if items],
            uses=self._uses(iri) if kind == "Property" else None,
            labels=facts.labels(),
            groups=facts.groups(),
            alternates=alternates,
        )

    def _uses(self, prop: URIRef) -> int:
        """How many facts of the sources use the property *prop*."""
        return sum(1 for *_t, g in self.kg.store.quads(None, prop, None) if g != ONTOLOGY_GRAPH)

    def ontology(self, *, alternates: list[tuple[str, str]]) -> str:
        onto = self.kg.ontology
        classes = {c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(str(ZG))}
        tree = self._class_tree(classes)
        props = []
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
            for p in onto.subjects(RDF.type, kind):
                if isinstance(p, URIRef) and str(p).startswith(str(ZG)):
                    props.append(
                        {
                            "term": self.view(p),
                            "label": self.view(p).text.casefold(),
                            "anchor": str(p)[len(str(ZG)) :],
                            "kind": shorten(str(kind)).split(":")[1],
                            "domain": [self.view(d) for d in onto.objects(p, RDFS.domain)],
                            "range": [self.view(r) for r in onto.objects(p, RDFS.range)],
                            "definition": " ".join(self.description(p)[:1]),
                        }
                    )
        props.sort(key=lambda d: str(d["label"]))
        individuals = []
        for s in set(onto.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(str(ZG)) and s not in classes:
                types = set(onto.objects(s, RDF.type))
                if not types & {
                    OWL.ObjectProperty,
                    OWL.DatatypeProperty,
                    OWL.AnnotationProperty,
                    OWL.Class,
                }:
                    individuals.append(
                        Entry(self.view(s), extra=", ".join(self.view(t).text for t in types))
                    )
        individuals.sort(key=lambda e: (e.extra, e.term.text))
        meta = ONTOLOGY_GRAPH
        return self.render(
            "ontology.html",
            title=self.label(meta) or "zonegraph ontology",
            iri=str(meta),
            description=self.description(meta)
            or [str(d) for d in onto.objects(meta, DCT.description)],
            version=str(onto.value(meta, OWL.versionInfo) or ""),
            classes=tree,
            properties=props,
            individuals=individuals,
            alternates=alternates,
        )

    def _class_tree(self, classes: set[Node]) -> list[Entry]:
        onto = self.kg.ontology
        children: dict[Node, list[Node]] = defaultdict(list)
        roots = []
        for c in classes:
            parents = [p for p in onto.objects(c, RDFS.subClassOf) if p in classes]
            if not parents:
                roots.append(c)
            for p in parents:
                children[p].append(c)

        counts = self._class_counts()

        def build(c: Node, depth: int) -> Entry:
            kids = [] if depth > 8 else [build(k, depth + 1) for k in children[c]]
            kids.sort(key=lambda e: e.term.order())
            anchor = str(c)[len(str(ZG)) :]
            return Entry(self.view(c), count=counts.get(c, 0), extra=anchor, children=kids)

        tree = sorted((build(r, 0) for r in roots), key=lambda e: e.term.order())
        _first_anchors(tree, set())  # a class under two parents is shown twice, anchored once
        return tree

    def _class_counts(self) -> dict[Node, int]:
        counts: dict[Node, int] = defaultdict(int)
        seen: set[tuple[Node, Node, URIRef]] = set()  # a type stated in two graphs counts twice
        for s, _p, c, g in self.kg.store.quads(None, RDF.type, None):
            if g != ONTOLOGY_GRAPH and (s, c, g) not in seen:
                seen.add((s, c, g))
                counts[c] += 1
        return counts

    def query_page(self, **context: Any) -> str:
        """The query page; *context*: the editor's ``text``, the ``canned`` query, its
        ``params``, the ``results`` (:mod:`zonegraph.web.query_page`), ``share`` and
        ``editor_data``."""
        canned = context.get("canned")
        return self.render(
            "query.html",
            title=f"{canned.name} · Query" if canned is not None else "Query the graph",
            wide=True,
            queries=self.kg.queries(),
            **context,
        )

    def search(self, q: str, hits: list[Any]) -> str:
        """The search page: the entities whose labels contain *q* (:mod:`zonegraph.web.search`)."""
        return self.render("search.html", title=f"Search: {q}" if q else "Search", q=q, hits=hits)

    def not_found(self, path: str, iri: str | None = None) -> str:
        return self.render(
            "error.html",
            title="Not found",
            status=404,
            path=path,
            iri=iri,
            message="The graph says nothing about this IRI.",
        )

    def error(self, status: int, message: str, hint: str | None = None) -> str:
        return self.render(
            "error.html", title=f"Error {status}", status=status, message=message, hint=hint
        )


def _first_anchors(entries: list[Entry], seen: set[str]) -> None:
    for e in entries:
        if e.extra in seen:
            e.extra = ""
        else:
            seen.add(e.extra)
        _first_anchors(e.children, seen)


@functools.lru_cache(maxsize=512)
def _expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not curie.startswith("<"):
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(curie.strip("<>"))
