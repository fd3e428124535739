"""``zonegraph template CLASS``: a fill-in Turtle skeleton for a new entity, read off the shapes.

The shapes that apply to an instance of the class are found the way a SHACL
engine finds them: ``sh:targetClass`` on the class or a superclass, and
SPARQL-based targets evaluated on a probe node of the class. Their property
shapes become the lines of the skeleton, grouped as required (a violation if
missing), recommended (a warning or hint if missing) and optional (commented
out); each line says what its value must be, gives an example from the graph,
and quotes the shape's message (for an optional line, its description:
the message is written for a wrong value). Every value to fill in is a placeholder
``{{…}}``, which is not Turtle, so an unfilled skeleton cannot be added by
mistake: ``zonegraph validate`` points at the first placeholder left.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .._errors import ParameterError
from .._write import SOURCE_SLUG
from ..rdf.namespaces import DCT, PREFIXES, SH, ZG, ZGR, shorten

PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")


def _probe(cls: Node) -> URIRef:
    return ZGR["template-probe-" + str(cls).rsplit("#", 1)[-1]]


_SEVERITY_RANK: dict[Node, int] = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass
class Slot:
    """What the shapes say about one property of the new entity."""

    path: URIRef
    name: str = ""
    min_count: int = 0
    min_severity: Node | None = None
    max_count: int | None = None
    datatypes: list[Node] = field(default_factory=list)
    classes: list[Node] = field(default_factory=list)
    node_kind: Node | None = None
    patterns: list[str] = field(default_factory=list)
    has_value: list[Node] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.min_count and self.min_severity == SH.Violation:
            return "required"
        if self.min_count:
            return "recommended"
        return "optional"


class TemplateBuilder:
    """Builds skeletons from the ontology, the shapes and (for examples) the data."""

    def __init__(self, ontology: Graph, shapes: Graph, data: Graph) -> None:
        self.ontology = ontology
        self.shapes = shapes
        self.data = data
        self._targets: dict[Node, set[Node]] | None = None
        self.labels: dict[Node, str] = {}
        for graph in (data, ontology):
            for s, o in graph.subject_objects(RDFS.label):
                if isinstance(o, Literal) and (s not in self.labels or o.language == "en"):
                    self.labels[s] = str(o)

    # -- which class ---------------------------------------------------------------

    def classes(self) -> list[URIRef]:
        """The zg: classes a skeleton can be made for."""
        return sorted(
            c
            for c in self.ontology.subjects(RDF.type, OWL.Class)
            if isinstance(c, URIRef) and str(c).startswith(str(ZG))
        )

    def resolve_class(self, text: str) -> URIRef:
        """A class by prefixed name (``zg:CooperationPark``), local name or label."""
        classes = self.classes()
        wanted = text.strip()
        # compared as text: a label such as "cooperation park" is no IRI, and is not made one
        prefix, colon, local = wanted.partition(":")
        iri = PREFIXES.get(prefix, "") + local if colon else str(ZG) + wanted
        exact = [c for c in classes if str(c) == iri]
        if exact:
            return exact[0]
        folded = wanted.casefold()
        by_label = [
            c
            for c in classes
            if self.labels.get(c, "").casefold() == folded
            or str(c)[len(str(ZG)) :].casefold() == folded
        ]
        if len(by_label) == 1:
            return by_label[0]
        import difflib

        names = [shorten(str(c)) for c in classes]
        close = difflib.get_close_matches(
            wanted if ":" in wanted else f"zg:{wanted}", names, n=3, cutoff=0.5
        )
        raise ParameterError(
            f"no class of the ontology is called {text!r}",
            hint=f"did you mean {' or '.join(close)}?" if close else "classes: " + ", ".join(names),
        )

    # -- which shapes --------------------------------------------------------------

    def superclasses(self, cls: URIRef) -> set[Node]:
        return {c for c in self.ontology.transitive_objects(cls, RDFS.subClassOf) if c is not None}

    def node_shapes(self, cls: URIRef) -> list[Node]:
        """The node shapes whose targets include a new instance of *cls*."""
        supers = self.superclasses(cls)
        found = {s for c in supers for s in self.shapes.subjects(SH.targetClass, c)}
        probe = _probe(cls)
        found |= {shape for shape, selected in self._sparql_targets().items() if probe in selected}
        return sorted(found, key=str)

    def _sparql_targets(self) -> dict[Node, set[Node]]:
        """What each SPARQL-based target selects in the ontology plus one probe
        instance of every class (evaluated once for all classes)."""
        if self._targets is None:
            probes = Graph()
            probes += self.ontology
            for cls in self.classes():
                probes.add((_probe(cls), RDF.type, cls))
            self._targets = {}
            for shape, target in self.shapes.subject_objects(SH.target):
                query = self.shapes.value(target, SH.select)
                if query is None:
                    continue
                prefixes = {
                    str(self.shapes.value(d, SH.prefix)): str(self.shapes.value(d, SH.namespace))
                    for decl in self.shapes.objects(target, SH.prefixes)
                    for d in self.shapes.objects(decl, SH.declare)
                }
                prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
                selected = {node for row in probes.query(prologue + str(query)) for node in row}  # type: ignore[union-attr]
                self._targets.setdefault(shape, set()).update(n for n in selected if n is not None)
        return self._targets

    def slots(self, cls: URIRef) -> tuple[list[Slot], list[str]]:
        """The properties the shapes constrain for *cls*, and node-level notes."""
        slots: dict[URIRef, Slot] = {}
        notes: list[str] = []
        for shape in self.node_shapes(cls):
            severity = self.shapes.value(shape, SH.severity) or SH.Violation
            if (shape, SH["or"], None) in self.shapes:
                notes += [str(m) for m in self.shapes.objects(shape, SH.message)]
            for prop in self.shapes.objects(shape, SH.property):
                path = self.shapes.value(prop, SH.path)
                if not isinstance(path, URIRef) or path == RDF.type:
                    continue
                slot = slots.setdefault(path, Slot(path))
                self._read(slot, prop, self.shapes.value(prop, SH.severity) or severity)
        order = {"required": 0, "recommended": 1, "optional": 2}
        return sorted(
            slots.values(),
            key=lambda s: (order[s.status], _path_rank(s.path), shorten(str(s.path))),
        ), notes

    def _read(self, slot: Slot, prop: Node, severity: Node) -> None:
        s = self.shapes
        slot.name = slot.name or str(s.value(prop, SH.name) or "")
        min_count = _int(s.value(prop, SH.minCount)) or _int(s.value(prop, SH.qualifiedMinCount))
        if min_count:
            if slot.min_severity is None or _SEVERITY_RANK.get(severity, 3) < _SEVERITY_RANK.get(
                slot.min_severity, 3
            ):
                slot.min_severity = severity
            slot.min_count = max(slot.min_count, min_count)
        max_count = _int(s.value(prop, SH.maxCount))
        if max_count is not None:
            slot.max_count = max_count if slot.max_count is None else min(slot.max_count, max_count)
        for key, target in ((SH.datatype, slot.datatypes), (SH["class"], slot.classes)):
            for v in s.objects(prop, key):
                if v not in target:
                    target.append(v)
        for shape in [
            *s.objects(prop, SH.qualifiedValueShape),
            *_members(s, s.value(prop, SH["or"])),
        ]:
            for key, target in ((SH.datatype, slot.datatypes), (SH["class"], slot.classes)):
                for v in s.objects(shape, key):
                    if v not in target:
                        target.append(v)
        slot.node_kind = slot.node_kind or s.value(prop, SH.nodeKind)
        slot.patterns += [
            str(p) for p in s.objects(prop, SH.pattern) if str(p) not in slot.patterns
        ]
        slot.has_value += [v for v in s.objects(prop, SH.hasValue) if v not in slot.has_value]
        slot.descriptions += [
            str(d) for d in s.objects(prop, SH.description) if str(d) not in slot.descriptions
        ]
        for m in s.objects(prop, SH.message):
            if (min_count or max_count == 0 or len(slot.messages) < 2) and str(
                m
            ) not in slot.messages:
                slot.messages.append(str(m))

    # -- writing -------------------------------------------------------------------

    def placeholder(self, slot: Slot) -> str:
        if slot.classes:
            return "{{iri " + " | ".join(shorten(str(c)) for c in slot.classes) + "}}"
        if slot.datatypes == [RDF.langString]:
            return "{{text@en}}"
        if slot.datatypes:
            return "{{" + " | ".join(shorten(str(d)) for d in slot.datatypes) + "}}"
        if slot.node_kind == SH.IRI:
            return "{{iri}}"
        return "{{value}}"

    def example(self, slot: Slot, cls: URIRef) -> str | None:
        """A value of the property from the graph that fits the slot, written as Turtle:
        preferably one an instance of *cls* has."""
        pairs = self.data.subject_objects(slot.path)
        values = [
            o
            for _, o in sorted(
                pairs, key=lambda so: (not self._is_a(so[0], cls), len(str(so[1])), str(so[1]))
            )
        ]
        for v in values:
            if slot.classes and not any(self._is_a(v, c) for c in slot.classes):
                continue
            if (
                slot.datatypes
                and isinstance(v, Literal)
                and (v.datatype or (RDF.langString if v.language else XSD.string))
                not in slot.datatypes
            ):
                continue
            if slot.patterns and not all(re.search(p, str(v)) for p in slot.patterns):
                continue
            return _turtle(v)
        # No value of this property fits. A required or recommended line still shows a node
        # of the range class (something valid to start from); an optional line shows none:
        # an academy as the example developer of a park reads as advice.
        if slot.classes and slot.status != "optional":
            members = sorted(
                s
                for c in slot.classes
                for s in self.data.subjects(RDF.type, None)
                if isinstance(s, URIRef) and self._is_a(s, c)
            )
            return _turtle(members[0]) if members else None
        return None

    def _is_a(self, node: Node, cls: Node) -> bool:
        return any(
            cls in self.superclasses(t)
            for t in self.data.objects(node, RDF.type)
            if isinstance(t, URIRef)
        ) or any(
            cls in self.superclasses(t)
            for t in self.ontology.objects(node, RDF.type)
            if isinstance(t, URIRef)
        )

    def skeleton(self, cls: URIRef, *, source: str | None = None) -> str:
        """The fill-in Turtle for a new instance of *cls* (with *source*, a source's slug,
        its ``dct:source`` filled in)."""
        return self.skeletons([cls], source=source)

    def skeletons(self, classes: list[URIRef], *, source: str | None = None) -> str:
        """One file with a fill-in node for each class of *classes*, one prefix block, and
        with *source* (a slug) every node's ``dct:source`` (and a source node's own name)
        filled in: what a source's draft needs in one go."""
        if source is not None and not SOURCE_SLUG.fullmatch(source):
            raise ParameterError(
                f"{source!r} is not a source slug",
                hint="a slug is lowercase letters, digits and hyphens, such as "
                "chinadaily-2018-06-10 (publisher-short-yyyy-mm-dd)",
            )
        heads: list[list[str]] = []
        bodies: list[str] = []
        used = {"zg"}
        for cls in classes:
            head, body, prefixes = self._node(cls, source=source)
            heads.append(head)
            bodies.append(body)
            used |= prefixes
        if source is not None:
            used.add("zgs")
        intro = heads[0] if len(heads) == 1 else self._intro(classes, source)
        declared = [f"@prefix {p}: <{PREFIXES[p]}> ." for p in sorted(used)]
        return "\n".join([*intro, *declared, "", "\n\n".join(bodies)]) + "\n"

    def _intro(self, classes: list[URIRef], source: str | None) -> list[str]:
        names = ", ".join(self.labels.get(c, shorten(str(c))) for c in classes)
        slug = source or "new-source"
        return [
            f"# A draft with a new {names}.",
            "#",
            "# Replace every {{...}} with a value: the comment above each line says what",
            "# it takes and gives an example from the graph. Delete the optional lines",
            "# (commented out) you leave out, or uncomment those you fill. Give each node",
            "# its slug (lowercase, hyphens) and link the nodes to each other. Then:",
            f"#   zonegraph validate {slug}.ttl && zonegraph add {slug}.ttl",
            "",
        ]

    def _node(self, cls: URIRef, *, source: str | None) -> tuple[list[str], str, set[str]]:
        """The comment block, the Turtle body and the prefixes of one new node of *cls*."""
        slots, notes = self.slots(cls)
        name = shorten(str(cls))
        label = self.labels.get(cls, name)
        definition = self.ontology.value(
            cls, URIRef("http://www.w3.org/2004/02/skos/core#definition")
        )
        slug = re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-")
        out = [f"# A new {label} ({name}).", "#"]
        if definition:
            out += ["# " + line for line in textwrap.wrap(str(definition), 76)] + ["#"]
        out += [
            "# Replace every {{...}} with a value: the comment above each line says what",
            "# it takes and gives an example from the graph. Delete the optional lines",
            "# (commented out) you leave out, or uncomment those you fill. A new source",
            "# is described the same way: zonegraph template zg:NewsArticle. Then:",
            f"#   zonegraph validate new-{slug}.ttl",
        ]
        for note in notes:
            out += ["#"] + ["# " + line for line in textwrap.wrap(note, 76)]
        out.append("")
        # a source is named under zgs:, the entities it states under zgr:
        is_source = ZG.Source in self.superclasses(cls)
        ns = "zgs" if is_source else "zgr"
        used = {"zg", ns}
        subject = source if (is_source and source) else "{{slug}}"
        body = [f"{ns}:{subject} a {name} ;"]
        if not is_source and not any(slot.path == ZG.quotation for slot in slots):
            at = next((i for i, x in enumerate(slots) if x.status == "optional"), len(slots))
            slots = [*slots[:at], self._quotation_slot(), *slots[at:]]
        for slot in slots:
            if slot.path == DCT.source and source is not None and not is_source:
                body += [f"    dct:source zgs:{source} ;"]
                continue
            if slot.max_count == 0:
                body.append(f"    # not allowed: {shorten(str(slot.path))}")
                continue
            body += self._lines(slot, cls)
            used |= _prefixes_in(shorten(str(slot.path)))
            used |= {
                p
                for c in [*slot.classes, *slot.datatypes, *slot.has_value]
                for p in _prefixes_in(shorten(str(c)))
            }
        body.append("    .")
        used |= {
            p
            for line in body
            for p in re.findall(r"\b([a-z]+):[A-Za-z0-9{]", line)
            if p in PREFIXES
        }
        return out, "\n".join(body), used

    def _quotation_slot(self) -> Slot:
        """zg:quotation for a class whose shapes do not ask for it: the project's rule is
        that every fact carries the source's sentence (docs/data-model.md)."""
        return Slot(
            ZG.quotation,
            name="quotation",
            min_count=1,
            min_severity=SH.Info,
            datatypes=[XSD.string],
            messages=[
                "The source's sentence that states these facts, as printed: every fact "
                "carries its quotation (docs/data-model.md)."
            ],
        )

    def _lines(self, slot: Slot, cls: URIRef) -> list[str]:
        prop = shorten(str(slot.path))
        what = []
        if slot.classes:
            what.append("a " + " or ".join(shorten(str(c)) for c in slot.classes))
        elif slot.datatypes:
            what.append("a literal of type " + " or ".join(shorten(str(d)) for d in slot.datatypes))
        if slot.patterns:
            what.append("matching " + " and ".join(slot.patterns))
        count = _count(slot)
        head = (
            f"    # {slot.status}: {slot.name or prop}"
            + (f", {count}" if count else "")
            + (f"; {'; '.join(what)}" if what else "")
        )
        lines = textwrap.wrap(head, 96, subsequent_indent="    #   ")
        for message in self._explanation(slot)[:1]:
            lines += textwrap.wrap(
                message, 96, initial_indent="    #   ", subsequent_indent="    #   "
            )
        if slot.has_value:
            values = [_turtle(v) for v in slot.has_value]
            lines.append(f"    {prop} {', '.join(values)} ;")
            return lines
        example = self.example(slot, cls)
        value = f"    {prop} {self.placeholder(slot)} ;" + (
            f"  # such as {example}" if example else ""
        )
        lines.append(("    # " + value.strip()) if slot.status == "optional" else value)
        return lines

    def _explanation(self, slot: Slot) -> list[str]:
        """What to say above a line. A required or recommended property quotes the
        shape's message, which says what is missing; an optional one is explained by
        the property's definition, since the shape's message describes a wrong value
        ("... but the linked node is not ...") and reads as an error in a blank form."""
        if slot.status == "optional":
            definition = self.ontology.value(slot.path, _SKOS_DEFINITION)
            if isinstance(definition, Literal):
                return [str(definition)]
        return slot.messages


_SKOS_DEFINITION = URIRef("http://www.w3.org/2004/02/skos/core#definition")


def _count(slot: Slot) -> str:
    if slot.max_count is not None and slot.max_count == slot.min_count:
        return "exactly one" if slot.max_count == 1 else f"exactly {slot.max_count}"
    if slot.min_count and slot.max_count is None:
        return "one or more"
    if slot.max_count == 1:
        return "at most one"
    return ""


def _path_rank(path: Node) -> int:
    ranks: dict[Node, int] = {RDFS.label: 0, DCT.source: 1}
    return ranks.get(path, 2)


def _prefixes_in(name: str) -> set[str]:
    prefix, sep, _ = name.partition(":")
    return {prefix} if sep and prefix in PREFIXES else set()


def _int(node: Node | None) -> int | None:
    if isinstance(node, Literal):
        try:
            return int(node)
        except ValueError:
            return None
    return None


def _members(graph: Graph, head: Node | None) -> Iterable[Node]:
    if head is None:
        return []
    return list(Collection(graph, head))


def _turtle(term: Node) -> str:
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        if term.language:
            return f"{_quote(str(term))}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{_quote(str(term))}^^{shorten(str(term.datatype))}"
        return _quote(str(term))
    return str(term)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def template(
    ontology: Graph, shapes: Graph, data: Graph, cls: str | list[str], *, source: str | None = None
) -> str:
    """The fill-in Turtle skeleton for a new instance of the class *cls* (or one node for
    each of several classes, in one file), with *source*'s slug filled in if given."""
    builder = TemplateBuilder(ontology, shapes, data)
    names = [cls] if isinstance(cls, str) else cls
    return builder.skeletons([builder.resolve_class(c) for c in names], source=source)
