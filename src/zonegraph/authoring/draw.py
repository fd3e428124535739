"""Pictures of the graph: Graphviz DOT text written here, rendered by ``dot``.

Four pictures, each a pure function of the graph:

* :func:`zone_dot`: the zones with their parks, the places that contain them,
  partner countries, institutes, companies and the bodies that manage and
  support them;
* :func:`entity_dot`: one entity and everything linked to it;
* :func:`ontology_dot`: the class diagram (subclass links, and object
  properties from domain to range);
* :func:`timeline_dot`: launches and other events, and dated figures, on a
  time axis (positions computed here, drawn by Graphviz's ``neato -n``).

Nodes are labelled with ``rdfs:label``, never IRIs, coloured by kind, with a
legend. :func:`render` turns DOT into SVG or PNG with Graphviz's ``dot``
(Debian ``graphviz``); nothing here needs a Python package beyond rdflib.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from .._errors import ZonegraphError
from ..rdf.namespaces import ZG, shorten

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

FORMATS = ("svg", "png", "pdf", "dot")


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
    Kind(ZG.Source, "source, photo", "#fff59d", "#c0a000"),
    Kind(ZG.Photo, "source, photo", "#fff59d", "#c0a000"),
    Kind(ZG.Programme, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.Sector, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.Standard, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
    Kind(ZG.Partnership, "programme, sector, standard, partnership", "#80cbc4", "#00796b"),
)
_DARK = {"#1f4e79", "#4a90d9", "#4caf50", "#9575cd", "#e57373"}


class DrawError(ZonegraphError):
    """A picture cannot be drawn: Graphviz is missing, or nothing matches."""


# -- reading the graph ---------------------------------------------------------------


class _View:
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


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrap(text: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


class _Dot:
    """A DOT digraph under construction: nodes by IRI, edges, a legend of the kinds used."""

    def __init__(self, view: _View, title: str, *, rankdir: str = "LR") -> None:
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
            f"label={_quote(text)}",
            f"shape={kind.shape}",
            f'fillcolor="{kind.fill}"',
            f'color="{kind.border}"',
            f'fontcolor="{font}"',
            f"tooltip={_quote(shorten(str(node)))}",
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
            f"  {self.node(s)} -> {self.node(o)} [label={_quote(_wrap(label, 18))}{extra}];"
        )

    def text(self, *, legend: Iterable[tuple[str, str, str, str]] | None = None) -> str:
        order = {k.name: i for i, k in enumerate((*self.view.kinds, OTHER))}
        kinds = sorted(self.kinds, key=lambda k: order.get(k.name, 99))
        rows = [(k.name, k.fill, k.border, k.shape) for k in kinds] + list(legend or [])
        head = [
            "digraph zonegraph {",
            f'  graph [rankdir={self.rankdir}, fontname="Helvetica", fontsize=18, labelloc=t, '
            f"label={_quote(self.title)}, pad=0.3, nodesep=0.35, ranksep=0.6, bgcolor=white];",
            '  node [fontname="Helvetica", fontsize=11, style="filled,rounded", '
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


def _transitively_implied(data: Graph, s: Node, o: Node, prop: URIRef) -> bool:
    """True when *s prop o* also follows from a longer chain of *prop* (drawn already)."""
    for mid in data.objects(s, prop):
        if mid != o and o in set(data.transitive_objects(mid, prop)):
            return True
    return False


_ZONE_LINKS = (
    ZG.partOf,
    ZG.locatedIn,
    ZG.partnerCountry,
    ZG.cooperatesWith,
    ZG.managedBy,
    ZG.supportedBy,
    ZG.affiliatedWith,
    ZG.partner,
    ZG.partnershipIn,
    ZG.governmentOf,
)


def zone_dot(data: Graph, ontology: Graph, *, zone: URIRef | None = None) -> str:
    """The zone(s) with their parks, containing places, partner countries, institutes,
    companies and the bodies that manage and support them."""
    view = _View(data, ontology)
    zones = [zone] if zone is not None else view.members(ZG.EconomicCooperationZone)
    if not zones:
        raise DrawError(
            "the graph holds no economic cooperation zone", hint="draw one entity with --entity"
        )
    keep: set[Node] = set(zones)
    # places within the zones (parks, facilities), and the places containing them
    for z in zones:
        keep |= {p for p in data.transitive_subjects(ZG.partOf, z) if p is not None}
        keep |= {p for p in data.transitive_objects(z, ZG.partOf) if p is not None}
    places = set(keep)
    for place in places:
        keep |= set(data.subjects(ZG.locatedIn, place)) | set(data.objects(place, ZG.hosts))
        keep |= set(data.objects(place, ZG.partnerCountry)) | set(
            data.objects(place, ZG.cooperatesWith)
        )
        keep |= set(data.objects(place, ZG.managedBy)) | set(data.subjects(ZG.manages, place))
        keep |= set(data.objects(place, ZG.supportedBy))
        for partnership in data.subjects(ZG.partnershipIn, place):
            keep.add(partnership)
            keep |= set(data.objects(partnership, ZG.partner))
    for org in list(keep):
        keep |= {o for o in data.objects(org, ZG.affiliatedWith)}
    keep = {k for k in keep if (isinstance(k, URIRef) and view.kind(k) is not OTHER) or k in zones}
    title = view.label(zones[0]) if len(zones) == 1 else "Economic cooperation zones"
    dot = _Dot(view, title)
    for z in zones:
        dot.node(z, emphasis=True)
    for node in sorted(
        keep,
        key=lambda n: (KINDS.index(view.kind(n)) if view.kind(n) in KINDS else 99, view.label(n)),
    ):
        dot.node(node)
    _edges_among(dot, keep, _ZONE_LINKS)
    return dot.text()


def _edges_among(dot: _Dot, nodes: set[Node], props: Iterable[Node] | None = None) -> None:
    view = dot.view
    wanted = set(props) if props is not None else view.object_properties()
    for s, p, o in sorted(view.data.triples((None, None, None))):
        if s not in nodes or o not in nodes or p not in view.object_properties():
            continue
        prop = p
        if not view.preferred(p):
            inverse = view.inverse(p)
            if inverse is None:
                continue
            s, o, prop = o, s, inverse
            if (s, prop, o) in view.data:
                continue
        if prop not in wanted:
            continue
        if (
            isinstance(prop, URIRef)
            and (prop, RDF.type, OWL.TransitiveProperty) in view.ontology
            and _transitively_implied(view.data, s, o, prop)
        ):
            continue
        dot.edge(s, view.label(prop), o)


_SKIPPED = {
    RDF.type,
    URIRef("http://purl.org/dc/terms/source"),
    ZG.wikidata,
    ZG.measure,
    ZG.qualifier,
    ZG.unit,
    ZG.currency,
}


def entity_dot(data: Graph, ontology: Graph, entity: URIRef) -> str:
    """One entity and every entity linked to it, either way, with the links among them."""
    view = _View(data, ontology)
    if (entity, None, None) not in data and (None, None, entity) not in data:
        raise DrawError(
            f"{shorten(str(entity))} is not in the graph",
            hint="give an IRI, a prefixed name or a label of an entity",
        )
    neighbours: set[Node] = {entity}
    for p, o in data.predicate_objects(entity):
        if p not in _SKIPPED and isinstance(o, URIRef) and (o, None, None) in data:
            neighbours.add(o)
    for s, p in data.subject_predicates(entity):
        if p not in _SKIPPED and isinstance(s, URIRef):
            neighbours.add(s)
    dot = _Dot(view, view.label(entity))
    dot.node(entity, emphasis=True)
    for n in sorted(neighbours - {entity}, key=lambda n: (view.label(n), str(n))):
        dot.node(n, label=view.figure_label(n) if view.is_a(n, ZG.Figure) else None)
    _edges_among(dot, neighbours)
    for s, p, o in sorted(data.triples((None, None, None))):
        if (
            s in neighbours
            and o in neighbours
            and p not in _SKIPPED
            and (p, RDF.type, OWL.ObjectProperty) not in ontology
            and isinstance(o, URIRef)
        ):
            dot.edge(s, view.label(p), o, style="dashed")
    return dot.text()


def ontology_dot(ontology: Graph) -> str:
    """The class diagram: zg: classes, subclass links (hollow arrows) and object
    properties from domain to range (dashed, labelled)."""
    view = _View(Graph(), ontology, ONTOLOGY_KINDS)
    classes = sorted(
        c
        for c in set(ontology.subjects(RDF.type, OWL.Class))
        if isinstance(c, URIRef) and str(c).startswith(str(ZG))
    )
    for c in classes:  # so that kinds (colours) apply to the classes themselves
        view.data.add((c, RDF.type, c))
    dot = _Dot(view, "The zonegraph ontology: classes and relations", rankdir="BT")
    for c in classes:
        dot.node(c)
    for c in classes:
        for parent in sorted(ontology.objects(c, RDFS.subClassOf), key=str):
            if parent in classes:
                dot.lines.append(
                    f'  {dot.node(c)} -> {dot.node(parent)} [arrowhead=empty, color="#333333"];'
                )
    for prop in sorted(view.object_properties(), key=str):
        if not view.preferred(prop) or not str(prop).startswith(str(ZG)):
            continue
        parent_drawn = any(
            p in view.object_properties() and str(p).startswith(str(ZG))
            for p in ontology.objects(prop, RDFS.subPropertyOf)
        )
        for domain in sorted(ontology.objects(prop, RDFS.domain), key=str):
            for rng in sorted(ontology.objects(prop, RDFS.range), key=str):
                if domain in classes and rng in classes and not parent_drawn:
                    dot.edge(domain, view.label(prop), rng, style="dashed")
    legend = [
        ("solid, hollow arrow: subclass of", "#ffffff", "#ffffff", "box"),
        ("dashed, labelled: property, domain to range", "#ffffff", "#ffffff", "box"),
    ]
    return dot.text(legend=legend)


# -- timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    year: float
    date: str
    text: str
    kind: Kind
    above: bool


def timeline_dot(data: Graph, ontology: Graph) -> str:
    """Events (above the axis) and dated figures (below) on a time axis: DOT with
    fixed positions, for Graphviz's ``neato -n`` (:func:`render` picks it)."""
    view = _View(data, ontology)
    marks: list[_Mark] = []
    for event in view.members(ZG.Event):
        date = data.value(event, ZG.date)
        if date is not None:
            marks.append(
                _Mark(_year(str(date)), str(date), view.label(event), view.kind(event), True)
            )
    for figure in view.members(ZG.Figure):
        date = data.value(figure, ZG.holdsOn)
        subject = data.value(figure, ZG.figureOf)
        if date is not None:
            about = f" ({view.label(subject)})" if subject is not None else ""
            marks.append(
                _Mark(
                    _year(str(date)),
                    str(date),
                    view.figure_label(figure) + about,
                    view.kind(figure),
                    False,
                )
            )
    if not marks:
        raise DrawError(
            "the graph holds no dated events or figures", hint="add zg:Event nodes with zg:date"
        )
    marks.sort(key=lambda m: (m.year, m.text))
    first, last = int(min(m.year for m in marks)), int(max(m.year for m in marks)) + 1
    left, span, row = 40.0, 620.0, 20.0
    scale = span / max(1, last - first)

    def x(year: float) -> float:
        return left + (year - first) * scale

    above = [m for m in marks if m.above]
    below = [m for m in marks if not m.above]
    axis = 70 + row * (len(below) + 1)
    lines = [
        "digraph timeline {",
        '  graph [fontname="Helvetica", fontsize=18, labelloc=t, '
        'label="Timeline: events and dated figures", pad=0.3, bgcolor=white, '
        "splines=line, outputorder=edgesfirst];",
        '  node [fontname="Helvetica", fontsize=11, fixedsize=false];',
        '  edge [arrowhead=none, color="#888888", style=dashed];',
        f'  a0 [shape=point, width=0.01, pos="{left - 20:.0f},{axis:.0f}!"];',
        f'  a1 [shape=point, width=0.01, pos="{left + span + 20:.0f},{axis:.0f}!"];',
        '  a0 -> a1 [style=solid, color="#333333", penwidth=2];',
    ]
    for year in range(first, last + 1):
        lines.append(
            f'  y{year} [shape=plaintext, label="{year}", fontcolor="#333333", '
            f"{_at(x(year), axis - 16)}];"
        )
        lines.append(f'  t{year} [shape=point, width=0.06, color="#333333", {_at(x(year), axis)}];')
    for group, sign in ((above, 1), (below, -1)):
        for i, m in enumerate(group):
            level = (i + 1) if sign > 0 else (len(group) - i)
            y = axis + sign * (14 + row * level) + (0 if sign > 0 else -12)
            px = x(m.year)
            text = f"{m.date}  {m.text}"
            width = 6.2 * len(text)
            n = f"m{'a' if sign > 0 else 'b'}{i}"
            lines.append(f"  {n}p [{_dot_style(m.kind, 0.12)}, {_at(px, axis)}];")
            lines.append(f"  {n}q [{_dot_style(m.kind, 0.08)}, {_at(px, y)}];")
            lines.append(f'  {n}p -> {n}q [color="{m.kind.border}"];')
            lines.append(
                f"  {n} [shape=plaintext, label={_quote(text)}, {_at(px + 8 + width / 2, y)}];"
            )
    legend_y = axis - row * (len(below) + 1) - 44
    for i, (name, kind) in enumerate(
        (("event (above the axis)", _EVENT), ("figure (below the axis)", _FIGURE))
    ):
        lx = left + i * 220
        lines.append(f"  l{i}p [{_dot_style(kind, 0.12)}, {_at(lx, legend_y)}];")
        lines.append(
            f"  l{i} [shape=plaintext, label={_quote(name)}, "
            f"{_at(lx + 10 + 3.1 * len(name), legend_y)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _at(x: float, y: float) -> str:
    return f'pos="{x:.0f},{y:.0f}!"'


def _dot_style(kind: Kind, width: float) -> str:
    return (
        f'shape=point, width={width}, color="{kind.border}", fillcolor="{kind.fill}", style=filled'
    )


_EVENT = next(k for k in KINDS if k.cls == ZG.Event)
_FIGURE = next(k for k in KINDS if k.cls == ZG.Figure)


def _year(date: str) -> float:
    """A decimal year for an xsd:date, xsd:gYearMonth or xsd:gYear lexical form."""
    parts = date.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 1
    day = int(parts[2][:2]) if len(parts) > 2 else 1
    return year + (month - 1) / 12 + (day - 1) / 365


# -- rendering -----------------------------------------------------------------------


def render(dot_text: str, fmt: str) -> bytes:
    """Render DOT text as ``svg``, ``png`` or ``pdf`` with Graphviz (``dot``: the text itself)."""
    if fmt == "dot":
        return dot_text.encode("utf-8")
    if fmt not in FORMATS:
        raise DrawError(f"unknown picture format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    dot = shutil.which("dot")
    pinned = "pos=" in dot_text and '!"' in dot_text
    if dot is None:
        raise DrawError(
            "Graphviz's dot is not installed",
            hint="install Graphviz (Debian: apt-get install graphviz), "
            "or write --format dot and render it elsewhere",
        )
    args = [dot, "-Kneato", "-n"] if pinned else [dot]
    args += [f"-T{fmt}"] + (["-Gdpi=110"] if fmt == "png" else [])
    proc = subprocess.run(
        args, input=dot_text.encode("utf-8"), capture_output=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        raise DrawError(f"dot failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


# -- the command's entry point -------------------------------------------------------


def draw(
    kg: KnowledgeGraph,
    *,
    entity: str | None = None,
    ontology: bool = False,
    timeline: bool = False,
    fmt: str = "svg",
) -> bytes:
    """The picture ``zonegraph draw`` makes: the zone view by default, one entity's
    neighbourhood (*entity*: IRI, prefixed name or label), the class diagram or the timeline."""
    if sum((entity is not None, ontology, timeline)) > 1:
        raise DrawError(
            "draw one picture at a time", hint="give one of --entity, --ontology, --timeline"
        )
    if ontology:
        text = ontology_dot(kg.ontology)
    elif timeline:
        text = timeline_dot(kg.data(), kg.ontology)
    elif entity is not None:
        text = entity_dot(kg.data(), kg.ontology, resolve_entity(kg, entity))
    else:
        text = zone_dot(kg.data(), kg.ontology)
    return render(text, fmt)


def resolve_entity(kg: KnowledgeGraph, text: str) -> URIRef:
    """The entity an IRI, prefixed name or label names (DrawError if none or several)."""
    from ..rdf.namespaces import expand_curie

    stripped = text.strip()
    if stripped.startswith("<") and stripped.endswith(">"):
        return URIRef(stripped[1:-1])
    iri = expand_curie(stripped)
    if iri is not None:
        return iri
    if stripped.startswith(("http://", "https://")):
        return URIRef(stripped)
    found = kg.labels.lookup(stripped)
    if len(found) == 1:
        return next(iter(found))
    if not found:
        import difflib

        close = difflib.get_close_matches(stripped, kg.labels.all_labels(), n=3, cutoff=0.6)
        raise DrawError(
            f"no entity is called {text!r}",
            hint=f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else "give an IRI or a prefixed name such as zgr:qingdao-iecz",
        )
    shown = ", ".join(sorted(shorten(str(i)) for i in found))
    raise DrawError(
        f"{text!r} names several entities: {shown}",
        hint="give the prefixed name of the one you mean",
    )
