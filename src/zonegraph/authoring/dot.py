"""The building blocks of the pictures (:mod:`zonegraph.authoring.pictures`): the kinds of
node and their colours, the lookups every picture needs (:class:`View`: labels, classes,
figures in words) and a DOT digraph under construction (:class:`Dot`, with its legend).

Nodes are labelled with ``rdfs:label``, never IRIs, coloured by kind, with a legend.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from .._errors import ZonegraphError
from ..rdf.namespaces import ZG, shorten


@dataclass(frozen=True)
class Kind:
    """A kind of node: the class that makes it one, its name in the legend, its colours."""

    cls: URIRef
    name: str
    fill: str
    border: str
    shape: str = "box"


#: Most specific first: a node takes the first kind whose class it belongs to.
KINDS = (
    Kind(ZG.EconomicCooperationZone, "economic cooperation zone", "#1f4e79", "#12304b", "box"),
    Kind(ZG.IndustrialPark, "park", "#4a90d9", "#2d6aa8", "box"),
    Kind(ZG.EconomicArea, "other economic area", "#9cc3ec", "#2d6aa8", "box"),
    Kind(ZG.Facility, "facility", "#b3d4f5", "#4a90d9", "box"),
    Kind(ZG.Country, "country", "#4caf50", "#2e7d32", "ellipse"),
    Kind(ZG.AdministrativeArea, "province, city, new area", "#c8e6c9", "#4caf50", "ellipse"),
    Kind(ZG.ResearchOrganization, "institute, academy, centre", "#ff9800", "#c66900", "box"),
    Kind(ZG.Company, "company", "#e57373", "#b23b3b", "box"),
    Kind(ZG.GovernmentBody, "government body", "#9575cd", "#5e35b1", "box"),
    Kind(ZG.Organization, "organisation", "#f3e5f5", "#9575cd", "box"),
    Kind(ZG.Partnership, "partnership", "#fff59d", "#c0a000", "box"),
    Kind(ZG.Person, "person", "#ffe0b2", "#c66900", "ellipse"),
    Kind(ZG.Post, "post", "#ffe0b2", "#c66900", "box"),
    Kind(ZG.Programme, "programme, fund", "#80cbc4", "#00796b", "box"),
    Kind(ZG.Sector, "sector", "#e0f2f1", "#00796b", "ellipse"),
    Kind(ZG.Event, "event", "#f8bbd0", "#ad1457", "box"),
    Kind(ZG.Figure, "figure", "#eeeeee", "#757575", "note"),
    Kind(ZG.Standard, "standard", "#eeeeee", "#757575", "box"),
    Kind(ZG.Photo, "photo, source", "#fffde7", "#c0a000", "box"),
    Kind(ZG.Source, "photo, source", "#fffde7", "#c0a000", "box"),
)
OTHER = Kind(RDFS.Resource, "other", "#ffffff", "#9e9e9e", "box")

#: Coarser kinds for the class diagram, one colour per branch of the ontology.
ONTOLOGY_KINDS = (
    Kind(ZG.EconomicArea, "economic area: zone, park", "#4a90d9", "#2d6aa8"),
    Kind(ZG.AdministrativeArea, "administrative area", "#c8e6c9", "#4caf50"),
    Kind(ZG.Place, "place, facility", "#b3d4f5", "#4a90d9"),
    Kind(ZG.Organization, "organisation", "#ff9800", "#c66900"),
    Kind(ZG.Party, "party", "#4caf50", "#2e7d32"),
    Kind(ZG.Person, "person, post, role", "#ffe0b2", "#c66900"),
    Kind(ZG.Post, "person, post, role", "#ffe0b2", "#c66900"),
    Kind(ZG.Role, "person, post, role", "#ffe0b2", "#c66900"),
    Kind(ZG.Event, "event", "#f8bbd0", "#ad1457"),
    Kind(ZG.Figure, "figure and its vocabulary", "#eeeeee", "#757575"),
    Kind(ZG.Measure, "figure and its vocabulary", "#eeeeee", "#757575"),
    Kind(ZG.ValueQualifier, "figure and its vocabulary", "#eeeeee", "#757575"),
    Kind(ZG.Currency, "figure and its vocabulary", "#eeeeee", "#757575"),
    Kind(ZG.Source, "source, photo, statement", "#fff59d", "#c0a000"),
    Kind(ZG.Photo, "source, photo, statement", "#fff59d", "#c0a000"),
    Kind(ZG.Statement, "source, photo, statement", "#fff59d", "#c0a000"),
    Kind(ZG.SpeechKind, "source, photo, statement", "#fff59d", "#c0a000"),
    Kind(ZG.Programme, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.Sector, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.ParkCategory, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.Standard, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.Partnership, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
)
_DARK = {"#1f4e79", "#4a90d9", "#4caf50", "#9575cd", "#e57373"}


class DrawError(ZonegraphError):
    """A picture cannot be drawn: Graphviz is missing, or nothing matches."""


# -- reading the graph ---------------------------------------------------------------


class View:
    """The data, the ontology and the lookups every picture needs."""

    def __init__(self, data: Graph, ontology: Graph, kinds: tuple[Kind, ...] = KINDS) -> None:
        self.data = data
        self.ontology = ontology
        self.kinds = kinds
        self.labels: dict[Node, str] = {}
        # in a fixed order (the graph's own order follows string hashes, which change from
        # one process to the next): the same graph always gives the same picture
        for graph in (data, ontology):
            for s, o in sorted(graph.subject_objects(RDFS.label)):
                if isinstance(o, Literal) and (s not in self.labels or o.language == "en"):
                    self.labels[s] = str(o)
        self.superclasses: dict[Node, set[Node]] = {}
        for cls in set(ontology.subjects(RDF.type, OWL.Class)):
            supers = ontology.transitive_objects(cls, RDFS.subClassOf)
            self.superclasses[cls] = {c for c in supers if c is not None}

    def label(self, node: Node) -> str:
        return self.labels.get(node) or shorten(str(node))

    def classes(self, node: Node) -> set[Node]:
        out: set[Node] = set()
        for t in self.data.objects(node, RDF.type):
            out |= self.superclasses.get(t, {t})
        return out

    def kind(self, node: Node) -> Kind:
        classes = self.classes(node)
        return next((k for k in self.kinds if k.cls in classes), OTHER)

    def is_a(self, node: Node, cls: URIRef) -> bool:
        return cls in self.classes(node)

    def members(self, cls: URIRef) -> list[URIRef]:
        return sorted(
            s
            for s in set(self.data.subjects(RDF.type, None))
            if isinstance(s, URIRef) and self.is_a(s, cls)
        )

    def object_properties(self) -> set[Node]:
        return set(self.ontology.subjects(RDF.type, OWL.ObjectProperty))

    def preferred(self, prop: Node) -> bool:
        """False for the property of an inverse pair that is not drawn (the one others invert)."""
        return not any(True for _ in self.ontology.subjects(OWL.inverseOf, prop))

    def inverse(self, prop: Node) -> Node | None:
        return min(self.ontology.subjects(OWL.inverseOf, prop), key=str, default=None) or min(
            self.ontology.objects(prop, OWL.inverseOf), key=str, default=None
        )

    def figure_label(self, figure: Node) -> str:
        """A figure in a few words: 'more than 50 foreign investment projects'."""
        value = self.data.value(figure, ZG.value)
        qualifier = self.data.value(figure, ZG.qualifier)
        measure = self.data.value(figure, ZG.measure)
        unit = self.data.value(figure, ZG.unit) or self.data.value(figure, ZG.currency)
        number = _number(value)
        words = [] if qualifier in (None, ZG.Exact) else [self.label(qualifier)]
        unit_text = (
            ""
            if unit is None or unit == URIRef("http://qudt.org/vocab/unit/NUM")
            else self.unit_label(unit)
        )
        words.append(f"{number} {unit_text}".strip())
        if measure is not None:
            words.append(self.label(measure))
        return " ".join(words)

    def unit_label(self, unit: Node) -> str:
        code = self.data.value(unit, ZG.currencyCode)
        if code is not None:
            return str(code)
        return {"http://qudt.org/vocab/unit/KiloM2": "km²"}.get(str(unit), self.label(unit))


def _number(value: Node | None) -> str:
    if not isinstance(value, Literal):
        return "?"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(number) >= size:
            return f"{format((number / size).normalize(), 'f')} {word}"
    return format(number.normalize(), "f")


# -- DOT -----------------------------------------------------------------------------


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrap(text: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


class Dot:
    """A DOT digraph under construction: nodes by IRI, edges, a legend of the kinds used."""

    def __init__(self, view: View, title: str, *, rankdir: str = "LR") -> None:
        self.view = view
        self.title = title
        self.rankdir = rankdir
        self.ids: dict[Node, str] = {}
        self.lines: list[str] = []
        self.kinds: list[Kind] = []
        self.edges: set[tuple[Node, str, Node]] = set()

    def node(self, node: Node, *, label: str | None = None, emphasis: bool = False) -> str:
        if node in self.ids:
            return self.ids[node]
        nid = f"n{len(self.ids)}"
        self.ids[node] = nid
        kind = self.view.kind(node)
        if kind.name not in {k.name for k in self.kinds}:
            self.kinds.append(kind)
        text = _wrap(label if label is not None else self.view.label(node))
        font = "white" if kind.fill in _DARK else "#1a1a1a"
        attrs = [
            f"label={quote(text)}",
            f"shape={kind.shape}",
            f'fillcolor="{kind.fill}"',
            f'color="{kind.border}"',
            f'fontcolor="{font}"',
            f"tooltip={quote(shorten(str(node)))}",
        ]
        if emphasis:
            attrs.append("penwidth=3")
        self.lines.append(f"  {nid} [{', '.join(attrs)}];")
        return nid

    def edge(self, s: Node, label: str, o: Node, *, style: str = "solid") -> None:
        if (s, label, o) in self.edges:
            return
        self.edges.add((s, label, o))
        extra = "" if style == "solid" else f", style={style}"
        self.lines.append(
            f"  {self.node(s)} -> {self.node(o)} [label={quote(_wrap(label, 18))}{extra}];"
        )

    def text(
        self,
        *,
        legend: Iterable[tuple[str, str, str, str]] | None = None,
        kinds_in_legend: bool = True,
        font: int = 11,
    ) -> str:
        """The digraph; the legend lists the kinds drawn (unless *kinds_in_legend* is
        False: clusters name them) and the rows of *legend*; *font*: the nodes' size."""
        order = {k.name: i for i, k in enumerate((*self.view.kinds, OTHER))}
        drawn = self.kinds if kinds_in_legend else []
        kinds = sorted(drawn, key=lambda k: order.get(k.name, 99))
        rows = [(k.name, k.fill, k.border, k.shape) for k in kinds] + list(legend or [])
        head = [
            "digraph zonegraph {",
            f'  graph [rankdir={self.rankdir}, fontname="Helvetica", fontsize=18, labelloc=t, '
            f"label={quote(self.title)}, pad=0.3, nodesep=0.35, ranksep=0.6, bgcolor=white];",
            f'  node [fontname="Helvetica", fontsize={font}, style="filled,rounded", '
            'margin="0.12,0.06"];',
            '  edge [fontname="Helvetica", fontsize=9, color="#555555", fontcolor="#333333", '
            "arrowsize=0.7];",
        ]
        return "\n".join([*head, *self.lines, *_legend(rows), "}"]) + "\n"


def _legend(rows: list[tuple[str, str, str, str]]) -> list[str]:
    if not rows:
        return []
    cells = "".join(
        f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="22" HEIGHT="14"></TD>'
        f'<TD ALIGN="LEFT">{escape(name)}</TD></TR>'
        for name, fill, border, _shape in rows
    )
    title = '<TR><TD COLSPAN="2"><B>legend</B></TD></TR>'
    table = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3">{title}{cells}</TABLE>>'
    return [
        "  subgraph cluster_legend {",
        '    graph [label="", color="#cccccc", style=rounded];',
        f'    legend [shape=plain, style="", label={table}];',
        "  }",
    ]
