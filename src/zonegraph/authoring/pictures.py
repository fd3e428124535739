"""The four pictures of the graph, as Graphviz DOT text, each a pure function of the graph:

* :func:`zone_dot`: the zones with their parks, the places that contain them,
  partner countries, institutes, companies and the bodies that manage and
  support them;
* :func:`entity_dot`: one entity and everything linked to it;
* :func:`ontology_dot`: the class hierarchy, top down, one box per branch;
* :func:`timeline_dot`: launches and other events, and dated figures, in date
  order on a vertical time axis (positions computed here, drawn by Graphviz's
  ``neato -n``).

The nodes, their kinds and the legend are :mod:`zonegraph.authoring.dot`'s;
:mod:`zonegraph.authoring.draw` renders the text with Graphviz.
"""

from __future__ import annotations

import unicodedata
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
    """The class hierarchy, top down: zg: classes in one box per branch of the ontology
    (the kinds of :data:`ONTOLOGY_KINDS`), parents above their subclasses, hollow arrows
    from subclass to parent. The relations between classes are not drawn: their edges
    crossed the hierarchy into a tangle; the ontology reference lists each property's
    domain and range. A parent's leaf subclasses take two rows when there are more than
    three, three rows when more than six, so that the picture fits a slide's width."""
    view = View(Graph(), ontology, ONTOLOGY_KINDS)
    classes = sorted(
        c
        for c in set(ontology.subjects(RDF.type, OWL.Class))
        if isinstance(c, URIRef) and str(c).startswith(str(ZG))
    )
    for c in classes:  # so that kinds (colours) apply to the classes themselves
        view.data.add((c, RDF.type, c))
    parents: dict[URIRef, list[URIRef]] = {
        c: sorted(p for p in ontology.objects(c, RDFS.subClassOf) if isinstance(p, URIRef))
        for c in classes
    }
    parents = {c: [p for p in ps if p in classes] for c, ps in parents.items()}
    children = {c: [k for k in classes if c in parents[k]] for c in classes}
    title = "The zonegraph ontology: class hierarchy (hollow arrow: subclass of)"
    dot = Dot(view, title, rankdir="TB")
    branches: dict[str, list[URIRef]] = {}
    for c in classes:
        branches.setdefault(view.kind(c).name, []).append(c)
    order = {k.name: i for i, k in enumerate((*ONTOLOGY_KINDS, OTHER))}
    for n, name in enumerate(sorted(branches, key=lambda b: order.get(b, 99))):
        kind = view.kind(branches[name][0])
        dot.lines += [
            f"  subgraph cluster_{n} {{",
            f'    graph [label={quote(name)}, labeljust=l, fontsize=13, style="rounded,filled", '
            f'fillcolor="#fafafa", color="{kind.border}", fontcolor="{kind.border}"];',
        ]
        for c in branches[name]:
            dot.node(c)
            dot.lines[-1] = "  " + dot.lines[-1]
        dot.lines.append("  }")
    for parent in classes:
        leaves = [c for c in children[parent] if not children[c]]
        rows = 3 if len(leaves) > 6 else 2 if len(leaves) > 3 else 1
        for c in children[parent]:
            # leaves of a parent with many: spread over two or three rows
            minlen = 1 + (leaves.index(c) % rows if c in leaves else 0)
            dot.lines.append(
                f"  {dot.node(parent)} -> {dot.node(c)} [dir=back, arrowtail=empty, "
                f'color="#333333"{f", minlen={minlen}" if minlen > 1 else ""}];'
            )
    dot.lines += _below_the_largest_tree(dot, classes, parents)
    return dot.text(kinds_in_legend=False, font=13)


def _below_the_largest_tree(
    dot: Dot, classes: list[URIRef], parents: dict[URIRef, list[URIRef]]
) -> list[str]:
    """Invisible edges that put the smaller hierarchies in a row below the largest one
    (side by side they made a picture four times as wide as high), in two rows when
    there are more than five."""
    tree = {c: c for c in classes}

    def root(c: URIRef) -> URIRef:
        while tree[c] != c:
            c = tree[c]
        return c

    for c in classes:
        for p in parents[c]:
            a, b = sorted((root(c), root(p)))
            tree[b] = a
    members: dict[URIRef, list[URIRef]] = {}
    for c in classes:
        members.setdefault(root(c), []).append(c)
    largest = max(sorted(members), key=lambda r: len(members[r]))
    depth: dict[URIRef, int] = {}

    def level(c: URIRef) -> int:
        if c not in depth:
            depth[c] = 1 + max((level(p) for p in parents[c]), default=0)
        return depth[c]

    anchor = max(members[largest], key=lambda c: (level(c), str(c)))
    tops = [c for c in classes if root(c) != largest and not parents[c]]
    # more than five small hierarchies: two rows of them, the second below the first's
    # deepest classes
    half = len(tops) if len(tops) <= 5 else (len(tops) + 1) // 2
    depth_first = max(
        (level(c) - 1 for c in classes if root(c) in {root(t) for t in tops[:half]}), default=0
    )
    return [
        f"  {dot.node(anchor)} -> {dot.node(c)} [style=invis"
        + ("" if i < half else f", minlen={depth_first + 2}")
        + "];"
        for i, c in enumerate(tops)
    ]


# -- timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    year: float
    date: str
    text: str
    kind: Kind
    event: bool


#: The timeline's sizes, in points: a row per mark or year, the label font.
_ROW, _FONT, _GAP = 22.0, 12.0, 12.0


def _text_width(text: str, size: float = _FONT) -> float:
    """A generous width of *text* in points: DejaVu Sans (what "Helvetica" usually resolves
    to) averages under 0.6 em a character, East Asian characters take a full em. The
    timeline's label boxes are this wide, so Graphviz's bounding box holds the text."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def _timeline_marks(data: Graph, ontology: Graph) -> list[_Mark]:
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
            text = view.figure_label(figure) + about
            marks.append(_Mark(_year(str(date)), str(date), text, view.kind(figure), False))
    if not marks:
        raise DrawError(
            "the graph holds no dated events or figures", hint="add zg:Event nodes with zg:date"
        )
    return sorted(marks, key=lambda m: (m.year, not m.event, m.date, m.text))


def timeline_dot(data: Graph, ontology: Graph) -> str:
    """A vertical time axis: a row per year, then a row per event (left of the axis) or
    dated figure (right of it) in date order, evenly spaced, each with its date beside the
    axis and its label beyond. Positions are computed here (DOT for Graphviz's ``neato -n``,
    which :func:`render` picks) because no layout engine keeps a time order and text
    alignment together; every label sits on its own row, so nothing crosses it."""
    marks = _timeline_marks(data, ontology)
    heads = (("events", _EVENT, -1), ("dated figures", _FIGURE, 1))
    date_w = max(_text_width(m.date) for m in marks)
    widths = {
        sign: max([_text_width(m.text) for m in marks if m.event == (sign < 0)] + [_text_width(h)])
        for h, _, sign in heads
    }
    axis_x = widths[-1] + date_w + 3 * _GAP
    rows: list[tuple[int, _Mark | None]] = []  # (year, mark), None: the year's own row
    for m in marks:
        if not rows or rows[-1][0] != int(m.year):
            rows.append((int(m.year), None))
        rows.append((int(m.year), m))
    top = (len(rows) + 1) * _ROW
    lines = [
        "digraph timeline {",
        '  graph [fontname="Helvetica", fontsize=20, labelloc=t, '
        'label="Timeline: events and dated figures", pad=0.3, bgcolor=white, '
        "splines=line, outputorder=edgesfirst];",
        f'  node [fontname="Helvetica", fontsize={_FONT:.0f}, fixedsize=true, '
        'height=0.3, fontcolor="#1a1a1a"];',
        '  edge [arrowhead=none, color="#333333", penwidth=2];',
        f"  a0 [shape=point, width=0.01, {_at(axis_x, top - _ROW / 2)}];",
        f"  a1 [shape=point, width=0.01, {_at(axis_x, _ROW / 2)}];",
        '  a0 -> a1 [id="axis"];',
    ]
    for i, (head, kind, sign) in enumerate(heads):
        style = f'fontcolor="{kind.border}", fontname="Helvetica-Bold"'
        edge = axis_x + sign * (date_w + 2 * _GAP)
        lines.append(_box(f"h{i}", head, edge, top, sign, widths[sign], style))
    for i, (year, mark) in enumerate(rows):
        y = top - (i + 1) * _ROW
        if mark is None:
            lines.append(
                f'  y{i} [shape=box, style="rounded,filled", fillcolor="#333333", '
                'color="#333333", fontcolor=white, fontname="Helvetica-Bold", width=0.7, '
                f'height=0.26, label="{year}", {_at(axis_x, y)}];'
            )
            continue
        sign = -1 if mark.event else 1
        text_w = _text_width(mark.text)
        lines += [
            f"  p{i} [{_dot_style(mark.kind, 0.13)}, {_at(axis_x, y)}];",
            _box(f"d{i}", mark.date, axis_x + sign * _GAP, y, sign, date_w, 'fontcolor="#555555"'),
            _box(f"t{i}", mark.text, axis_x + sign * (date_w + 2 * _GAP), y, sign, text_w, ""),
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _box(name: str, text: str, edge: float, y: float, sign: int, width: float, extra: str) -> str:
    """A plain text box *width* points wide whose inner edge is at *edge*, text aligned
    to that edge: to the right of it for *sign* 1, to the left for -1."""
    centre = edge + sign * width / 2
    end = "\\l" if sign > 0 else "\\r"
    body = quote(text)[1:-1]
    attrs = f'shape=plaintext, width={width / 72:.3f}, label="{body}{end}", {_at(centre, y)}'
    return f"  {name} [{attrs}{', ' + extra if extra else ''}];"


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
