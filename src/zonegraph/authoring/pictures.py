"""The four pictures of the graph, as Graphviz DOT text, each a pure function of the graph:

* :func:`zone_dot`: the zones with their parks, the places that contain them,
  partner countries, institutes, companies and the bodies that manage and
  support them;
* :func:`entity_dot`: one entity and everything linked to it;
* :func:`ontology_dot`: the class diagram (subclass links, and object
  properties from domain to range);
* :func:`timeline_dot`: launches and other events, and dated figures, on a
  time axis (positions computed here, drawn by Graphviz's ``neato -n``).

The nodes, their kinds and the legend are :mod:`zonegraph.authoring.dot`'s;
:mod:`zonegraph.authoring.draw` renders the text with Graphviz.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from ..rdf.namespaces import ZG, shorten
from .dot import KINDS, ONTOLOGY_KINDS, OTHER, Dot, DrawError, Kind, View, quote


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
    view = View(data, ontology)
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
    dot = Dot(view, title)
    for z in zones:
        dot.node(z, emphasis=True)
    for node in sorted(
        keep,
        key=lambda n: (KINDS.index(view.kind(n)) if view.kind(n) in KINDS else 99, view.label(n)),
    ):
        dot.node(node)
    _edges_among(dot, keep, _ZONE_LINKS)
    return dot.text()


def _edges_among(dot: Dot, nodes: set[Node], props: Iterable[Node] | None = None) -> None:
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
    view = View(data, ontology)
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
    dot = Dot(view, view.label(entity))
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
    view = View(Graph(), ontology, ONTOLOGY_KINDS)
    classes = sorted(
        c
        for c in set(ontology.subjects(RDF.type, OWL.Class))
        if isinstance(c, URIRef) and str(c).startswith(str(ZG))
    )
    for c in classes:  # so that kinds (colours) apply to the classes themselves
        view.data.add((c, RDF.type, c))
    dot = Dot(view, "The zonegraph ontology: classes and relations", rankdir="BT")
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
    view = View(data, ontology)
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
                f"  {n} [shape=plaintext, label={quote(text)}, {_at(px + 8 + width / 2, y)}];"
            )
    legend_y = axis - row * (len(below) + 1) - 44
    for i, (name, kind) in enumerate(
        (("event (above the axis)", _EVENT), ("figure (below the axis)", _FIGURE))
    ):
        lx = left + i * 220
        lines.append(f"  l{i}p [{_dot_style(kind, 0.12)}, {_at(lx, legend_y)}];")
        lines.append(
            f"  l{i} [shape=plaintext, label={quote(name)}, "
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
