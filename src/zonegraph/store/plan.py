"""What validating a focus node needs around it, read off the shapes and the ontology.

:class:`Plan` says how many hops of links the shapes follow, which triples pointing *at* a
node matter, the transitive properties whose chains the closure derives (and the directions
the shapes read them), the values SPARQL constraints compare across nodes and the namespaces
whose terms they ask to be described; :func:`zonegraph.store.neighbourhood.extract` fetches
what it says. Made from the shapes' paths and targets and from their SPARQL constraints'
text, with :func:`path_reads`, :func:`triple_patterns` and :func:`property_path_terms`,
which the gate's :class:`zonegraph.validate.change.Dependencies` reads the shapes with too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

if TYPE_CHECKING:
    from ..reason.core import Vocabulary


@dataclass(frozen=True)
class Plan:
    """What the shapes need around a focus node, read off the shapes graph and the ontology.

    ``depth`` is how many hops of links the core constraints follow (None:
    unbounded); ``incoming`` the predicates whose triples pointing *at* a
    node matter (None: all); ``families`` the transitive properties with the
    properties entailing them and their inverses; ``joins`` the predicates
    whose values SPARQL constraints compare across nodes; ``described`` the
    namespaces of values whose own triples SPARQL constraints ask about.
    """

    depth: int | None = 1
    incoming: frozenset[Node] | None = None
    families: tuple[tuple[frozenset[Node], frozenset[Node]], ...] = ()
    #: Per family, the chain directions to walk: +1 up the property, -1 down it
    #: (None: both, for every family).
    directions: tuple[frozenset[int], ...] | None = None
    joins: frozenset[Node] = frozenset()
    described: tuple[str, ...] = ()
    class_hierarchy_in_data: bool = True
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def conservative(cls, vocabulary: Vocabulary) -> Plan:
        """Without the shapes: one hop, all incoming triples, chains, label joins."""
        return cls(
            depth=1,
            incoming=None,
            families=transitive_families(vocabulary),
            joins=frozenset({RDFS.label}),
            described=("https://w3id.org/zonegraph/ontology#",),
        )

    @classmethod
    def from_shapes(cls, shapes: Graph, vocabulary: Vocabulary | None = None) -> Plan:
        """The plan for *shapes* (and the closure over *vocabulary*, if validation adds one)."""
        depth: int | None = 0
        incoming: set[Node] = set()
        notes: list[str] = []
        forward, backward, every_forward = _reads(shapes)
        for shape in _shapes(shapes):
            d = _shape_depth(shapes, shape, set())
            depth = None if d is None or depth is None else max(depth, d)
        for p in shapes.objects(None, SH.targetObjectsOf):
            incoming.add(p)
        for path in shapes.objects(None, SH.inversePath):
            if isinstance(path, URIRef):
                incoming.add(path)
            else:
                incoming_all = True
                notes.append("a complex inverse path: all incoming triples")
                break
        else:
            incoming_all = False
        joins: set[Node] = set()
        described: set[str] = set()
        texts = [str(t) for t in shapes.objects(None, SH.select)] + [
            str(t) for t in shapes.objects(None, SH.ask)
        ]
        prefixes = {
            str(p): str(n)
            for d in shapes.objects(None, SH.declare)
            for p in shapes.objects(d, SH.prefix)
            for n in shapes.objects(d, SH.namespace)
        }
        for text in texts:
            depth = None if depth is None else max(depth, 1)
            pats = triple_patterns(text, prefixes)
            for ts, tp, to in pats:
                if to in ("$this", "?this") and not ts.startswith(("$this", "?this")):
                    if tp.startswith(("?", "$")):
                        incoming_all = True
                        notes.append(f"SPARQL {ts} {tp} $this: all incoming triples")
                    else:
                        incoming.add(URIRef(tp))
            by_value: dict[tuple[str, str], set[str]] = {}
            for ts, tp, to in pats:
                if to.startswith("?") and not tp.startswith(("?", "$")) and URIRef(tp) != RDF.type:
                    by_value.setdefault((tp, to), set()).add(ts)
            for (tp, _to), subjects in by_value.items():
                if len(subjects) > 1 and subjects & {"$this", "?this"}:
                    joins.add(URIRef(tp))
            if any(
                ts == "?value" and tp.startswith("?") for ts, tp, _to in pats
            ):  # asks what ?value is
                described.update(
                    re.findall(r'STRSTARTS\s*\(\s*STR\s*\(\s*\?value\s*\)\s*,\s*"([^"]+)"', text)
                )
        families: tuple[tuple[frozenset[Node], frozenset[Node]], ...] = ()
        directions: tuple[frozenset[int], ...] | None = None
        if vocabulary is not None:
            families = transitive_families(vocabulary)
            directions = _directions(
                families, vocabulary, forward, backward | incoming, every_forward, incoming_all
            )
            # the chains of transitive properties are walked by _chains, in the directions read
            incoming |= _derived_incoming(vocabulary, forward, every_forward)
            # a sub-property of a property that matters in reverse matters too
            incoming.update(q for q, sup in vocabulary.super_properties.items() if sup & incoming)
        depth = None if depth is None else max(depth, 1)  # targets read the node's own triples
        return cls(
            depth=depth,
            incoming=None if incoming_all else frozenset(incoming),
            families=families,
            directions=directions,
            joins=frozenset(joins),
            described=tuple(sorted(described)),
            notes=tuple(notes),
        )


def _reads(shapes: Graph) -> tuple[set[Node], set[Node], bool]:
    """The properties the shapes read from a focus node forward (paths, ``sh:targetSubjectsOf``,
    ``$this P ?x``) and backward (inverse paths, ``sh:targetObjectsOf``, ``?x P $this``), and
    whether some shape reads every property forward (``sh:closed``)."""
    forward: set[Node] = set(shapes.objects(None, SH.targetSubjectsOf))
    backward: set[Node] = set(shapes.objects(None, SH.targetObjectsOf))
    for path in shapes.objects(None, SH.path):
        path_reads(shapes, path, forward, backward, inverse=False)
    for p in _COMPARISONS:  # the focus node's values of the property compared with
        forward.update(o for o in shapes.objects(None, p) if isinstance(o, URIRef))
    prefixes = {
        str(p): str(n)
        for d in shapes.objects(None, SH.declare)
        for p in shapes.objects(d, SH.prefix)
        for n in shapes.objects(d, SH.namespace)
    }
    for text in [*shapes.objects(None, SH.select), *shapes.objects(None, SH.ask)]:
        for ts, tp, to in triple_patterns(str(text), prefixes):
            if tp.startswith(("?", "$")):
                continue
            if ts in ("$this", "?this"):
                forward.add(URIRef(tp))
            if to in ("$this", "?this"):
                backward.add(URIRef(tp))
        path_terms = property_path_terms(str(text), prefixes)  # where they lead is not worked out:
        forward |= path_terms  # both ways
        backward |= path_terms
    every_forward = any(str(v).lower() in ("true", "1") for v in shapes.objects(None, SH.closed))
    return forward, backward, every_forward


def _derived_incoming(vocabulary: Vocabulary, forward: set[Node], every_forward: bool) -> set[Node]:
    """The predicates P whose triples ``x P n`` pointing at a node give it, through the
    closure, a triple ``n Q x`` the shapes read: Q an inverse of P (or P itself, symmetric)
    that a shape reads forward, itself or as a super-property.

    Only these incoming triples change what validating ``n`` sees (the others are about
    ``x``). Without this, every property with an inverse counted, and validating a new
    city fetched, with ``zg:partOf`` pointing at its province, every city of the province
    and their types (242 at 1M triples): the neighbourhood grew with the graph although
    no shape reads ``zg:hasPart`` forward.
    """

    def read(q: Node) -> bool:
        return every_forward or bool(({q} | vocabulary.super_properties.get(q, set())) & forward)

    out: set[Node] = set()
    for p, invs in vocabulary.inverse.items():
        if any(read(q) for q in invs):
            out.add(p)
        if read(p):
            out.update(invs)
    out.update(p for p in vocabulary.symmetric if read(p))
    return out


def path_reads(
    g: Graph, path: Node, forward: set[Node], backward: set[Node], *, inverse: bool
) -> None:
    if isinstance(path, URIRef):
        (backward if inverse else forward).add(path)
        return
    if (path, RDF.first, None) in g:
        for step in g.items(path):
            path_reads(g, step, forward, backward, inverse=inverse)
        return
    inner = g.value(path, SH.inversePath)
    if inner is not None:
        path_reads(g, inner, forward, backward, inverse=not inverse)
    for p in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = g.value(path, p)
        if inner is not None:
            path_reads(g, inner, forward, backward, inverse=inverse)


def _directions(
    families: tuple[tuple[frozenset[Node], frozenset[Node]], ...],
    vocabulary: Vocabulary,
    forward: set[Node],
    backward: set[Node],
    every_forward: bool,
    every_backward: bool,
) -> tuple[frozenset[int], ...]:
    """For each family, the chain directions whose derived values the shapes read."""

    def read(props: frozenset[Node], reads: set[Node], every: bool) -> bool:
        if every:
            return True
        wider = set(props).union(*(vocabulary.super_properties.get(p, set()) for p in props))
        return bool(wider & reads)

    out = []
    for fwd, inv in families:
        dirs = set()
        if read(fwd, forward, every_forward) or read(inv, backward, every_backward):
            dirs.add(1)
        if read(inv, forward, every_forward) or read(fwd, backward, every_backward):
            dirs.add(-1)
        out.append(frozenset(dirs))
    return tuple(out)


def _shapes(shapes: Graph) -> set[Node]:
    out: set[Node] = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        out.update(shapes.subjects(p, None))
    out.update(shapes.subjects(SH.path, None))
    return out


_VALUE_SHAPES = (SH.node, SH.property, SH.qualifiedValueShape, SH["not"])
_LISTS = (SH["and"], SH["or"], SH.xone)


def _shape_depth(g: Graph, shape: Node, seen: set[Node]) -> int | None:
    """Hops of links from a focus node that validating *shape* may look at (None: unbounded)."""
    if shape in seen:
        return None  # recursive shapes
    seen = seen | {shape}
    path = g.value(shape, SH.path)
    base = 0 if path is None else _path_length(g, path)
    if base is None:
        return None
    inner = 0  # sh:class needs the values' types: extract() fetches those of the last hop
    if any(
        (shape, p, None) in g
        for p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH.closed)
    ):
        inner = max(inner, 1 - base if base == 0 else 0)
    nested: list[Node] = [o for p in _VALUE_SHAPES for o in g.objects(shape, p)]
    for p in _LISTS:
        for lst in g.objects(shape, p):
            nested += list(g.items(lst))
    for n in nested:
        d = _shape_depth(g, n, seen)
        if d is None:
            return None
        inner = max(inner, d)
    return base + inner


def _path_length(g: Graph, path: Node) -> int | None:
    if isinstance(path, URIRef):
        return 1
    if (path, RDF.first, None) in g:
        total = 0
        for step in g.items(path):
            n = _path_length(g, step)
            if n is None:
                return None
            total += n
        return total
    for p in (SH.zeroOrMorePath, SH.oneOrMorePath):
        if (path, p, None) in g:
            return None
    for p in (SH.inversePath, SH.zeroOrOnePath):
        inner = g.value(path, p)
        if inner is not None:
            return _path_length(g, inner)
    alt = g.value(path, SH.alternativePath)
    if alt is not None:
        lengths = [_path_length(g, a) for a in g.items(alt)]
        return (
            None
            if any(n is None for n in lengths)
            else max((n for n in lengths if n is not None), default=0)
        )
    return None


_TOKEN = r"(?:<[^>\s]*>|[$?]\w+|[A-Za-z][\w-]*:[\w-]*|\ba\b)"
TRIPLE_PATTERN = re.compile(rf"({_TOKEN})\s+({_TOKEN})\s+({_TOKEN})")
_IRI_TOKEN = r"(?:<[^>\s]*>|[A-Za-z][\w-]*:[\w-]*|\ba\b)"
#: A property in a SPARQL property path: after ``/``, ``|``, ``^`` or ``(``, or before ``/``,
#: ``|``, ``*``, ``+``, ``)`` or ``?`` (not a variable's).
_PATH_STEP = re.compile(rf"[/|^(]\s*({_IRI_TOKEN})|({_IRI_TOKEN})(?=\s*(?:[/|*+)]|\?(?![\w$])))")
_COMPARISONS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


def triple_patterns(text: str, prefixes: dict[str, str]) -> list[tuple[str, str, str]]:
    """The simple triple patterns ``s p o`` of a SPARQL text, with prefixed names expanded."""

    def expand(tok: str) -> str:
        if tok == "a":
            return str(RDF.type)
        if tok.startswith("<"):
            return tok[1:-1]
        if tok.startswith(("?", "$")):
            return tok
        prefix, _, local = tok.partition(":")
        return prefixes.get(prefix, prefix + ":") + local

    out = []
    for m in TRIPLE_PATTERN.finditer(text):
        out.append((expand(m.group(1)), expand(m.group(2)), expand(m.group(3))))
    return out


def property_path_terms(text: str, prefixes: dict[str, str]) -> set[Node]:
    """The properties named in the property paths of a SPARQL text (``triple_patterns`` sees only
    simple triple patterns). Stray matches (a ``https:`` in a string, a class in ``IN (...)``)
    only make the plan fetch a little more."""
    out: set[Node] = set()
    for m in _PATH_STEP.finditer(text):
        tok = m.group(1) or m.group(2)
        if tok == "a":
            out.add(RDF.type)
        elif tok.startswith("<"):
            out.add(URIRef(tok[1:-1]))
        else:
            prefix, _, local = tok.partition(":")
            out.add(URIRef(prefixes.get(prefix, prefix + ":") + local))
    return out


def transitive_families(
    vocabulary: Vocabulary,
) -> tuple[tuple[frozenset[Node], frozenset[Node]], ...]:
    """For each transitive property P: the properties entailing P, and those whose inverse does."""
    families = []
    for p in sorted(vocabulary.transitive, key=str):
        fwd: set[Node] = {p} | {q for q, sup in vocabulary.super_properties.items() if p in sup}
        inv: set[Node] = {q for q, invs in vocabulary.inverse.items() if invs & fwd}
        inv |= {q for q, sup in vocabulary.super_properties.items() if sup & inv}
        families.append((frozenset(fwd), frozenset(inv)))
    return tuple(families)
