"""The part of a graph that validating some nodes needs: incremental validation.

Validating new facts checks only the nodes they touch. The shapes see a node
through its own triples, the types of what it links to, the triples the
closure derives (inverses, symmetric and transitive properties), and whatever
their SPARQL constraints join. :class:`Plan` reads that off the shapes and the
ontology once; :func:`extract` then fetches just that part of a store through
an :class:`Access` (rdflib's indexes for the memory store, a few SELECT
queries with ``VALUES`` for a SPARQL store), so the cost grows with the batch,
not with the graph.

What is fetched for the touched nodes ``T`` (docs/performance.md):

1. every triple with a node of ``T`` as subject, and every triple with a node
   of ``T`` as object whose predicate matters in that direction (one whose
   inverse, or itself when symmetric, the shapes read forward, since the
   closure turns ``x P n`` into ``n Q x``; ``sh:targetObjectsOf``,
   ``sh:inversePath``, ``?x P $this`` in a SPARQL constraint; all incoming
   triples when the shapes cannot tell; transitive chains are item 4);
2. repeated to the depth of the shapes' paths (one hop for zonegraph's
   shapes; a path of unbounded length takes the connected component);
3. the ``rdf:type`` of every node reached (``sh:class`` on values) and all
   ``rdfs:subClassOf`` triples of the data (none in zonegraph's sources);
4. the chains of every transitive property from ``T``, with the types of the
   nodes on them (the closure derives ``partOf`` to each), in the directions
   the shapes read: up (a node's ``partOf`` values) when they read the
   property forward or its inverse backward, down (what lies within a node)
   when they read the inverse forward or the property backward, by a path, a
   target or a SPARQL pattern naming the property; both for a closed shape or
   a shape reading every incoming triple. A SPARQL pattern ``$this ?p ?o``
   with a variable predicate is taken to read the node's own triples, not the
   values the closure derives from a chain below it (those use only declared
   properties and data nodes; the shipped closed-vocabulary check reads it
   that way). Without this, validating a province would pull in every place
   that lies within it;
5. for a value that SPARQL constraints compare between nodes (``rdfs:label``
   in the duplicate-entity check), every node with that value, and its types;
6. the triples of the neighbours in a namespace a SPARQL constraint asks to
   be described or declared (the closed-vocabulary check).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

if TYPE_CHECKING:
    from ..reason.core import Vocabulary

Triple = tuple[Node, Node, Node]
#: Chain walks stop here: a containment hierarchy is never this deep.
MAX_CHAIN = 64


class Access(Protocol):
    """Pattern lookups over the graphs being validated against."""

    def outgoing(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterable[Triple]:
        """Triples whose subject is one of *nodes* (and predicate one of *predicates*)."""

    def incoming(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterable[Triple]:
        """Triples whose object is one of *nodes* (and predicate one of *predicates*)."""

    def with_predicate(self, predicate: Node) -> Iterable[Triple]:
        """Every triple with *predicate*."""


class GraphAccess:
    """Lookups through rdflib's indexes, over some named graphs of a Dataset (or one Graph)."""

    def __init__(self, graph: Graph, contexts: Collection[URIRef] | None = None) -> None:
        self.graph = graph
        self.contexts = {str(c) for c in contexts} if contexts is not None else None

    def _triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        if self.contexts is None:
            yield from self.graph.triples(pattern)
            return
        seen: set[Triple] = set()
        for s, p, o, g in self.graph.quads(pattern):  # type: ignore[attr-defined]
            name = getattr(g, "identifier", g)
            if str(name) in self.contexts and (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o

    def outgoing(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterator[Triple]:
        for n in nodes:
            if predicates is None:
                yield from self._triples((n, None, None))
            else:
                for p in predicates:
                    yield from self._triples((n, p, None))

    def incoming(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterator[Triple]:
        for n in nodes:
            if predicates is None:
                if isinstance(n, Literal):  # only joins on chosen predicates reach literals
                    continue
                yield from self._triples((None, None, n))
            else:
                for p in predicates:
                    yield from self._triples((None, p, n))

    def with_predicate(self, predicate: Node) -> Iterator[Triple]:
        return self._triples((None, predicate, None))


Select = Callable[[str], Sequence[dict[str, Node | None]]]


class SelectAccess:
    """Lookups as SPARQL SELECT queries with VALUES, for stores reached through SPARQL."""

    def __init__(
        self,
        select: Select,
        chunk: int = 100,
        *,
        except_graphs: Sequence[Node] = (),
        graph_prefix: str | None = None,
    ) -> None:
        """*except_graphs* or *graph_prefix*: when given, *select* runs over every named
        graph and the patterns read the triples of the named graphs other than those
        (``GRAPH ?g``), or of those whose IRI starts with the prefix, rather than over a
        dataset listing the graphs wanted: an engine may search such a dataset one graph at
        a time, and a protocol request would name every graph twice (at 10M triples, 58,140
        graphs)."""
        self.select = select
        self.chunk = chunk
        self._except = ", ".join(g.n3() for g in except_graphs)
        self._prefix = Literal(graph_prefix).n3() if graph_prefix is not None else None

    def _pattern(self, s: str, p: str, o: str) -> str:
        if self._prefix is not None:
            return f"GRAPH ?g {{ {s} {p} {o} }} FILTER(STRSTARTS(STR(?g), {self._prefix}))"
        if not self._except:
            return f"{s} {p} {o} ."
        return f"GRAPH ?g {{ {s} {p} {o} }} FILTER(?g NOT IN ({self._except}))"

    def _run(
        self, var: str, nodes: Collection[Node], predicates: Collection[Node] | None
    ) -> Iterator[Triple]:
        items = sorted((n for n in nodes if isinstance(n, URIRef | Literal)), key=lambda n: n.n3())
        pattern = self._pattern("?s", "?p", "?o")
        if predicates is None:
            for i in range(0, len(items), self.chunk):
                values = " ".join(n.n3() for n in items[i : i + self.chunk])
                yield from self._triples(
                    f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?{var} {{ {values} }} {pattern} }}"
                )
            return
        # Each (node, predicate) pair a row of VALUES, which an engine looks up in its
        # indexes; with FILTER(?p IN ...) Oxigraph reads every triple of the node first (at
        # 1M triples, the 23,248 links pointing at a currency, to keep none of them).
        pairs = [(n, p) for n in items for p in sorted(predicates, key=lambda p: p.n3())]
        size = self.chunk * 10
        for i in range(0, len(pairs), size):
            values = " ".join(f"({n.n3()} {p.n3()})" for n, p in pairs[i : i + size])
            yield from self._triples(
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES (?{var} ?p) {{ {values} }} {pattern} }}"
            )

    def _triples(self, query: str) -> Iterator[Triple]:
        for r in self.select(query):
            s, p, o = r.get("s"), r.get("p"), r.get("o")
            if s is not None and p is not None and o is not None:
                yield s, p, o

    def outgoing(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterator[Triple]:
        return self._run("s", [n for n in nodes if isinstance(n, URIRef)], predicates)

    def incoming(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterator[Triple]:
        return self._run("o", [n for n in nodes if not isinstance(n, BNode)], predicates)

    def incoming_some(
        self, nodes: Collection[Node], predicates: Collection[Node], limit: int
    ) -> Iterator[Triple]:
        """Up to *limit* triples per node and predicate: one small query each (an engine
        stops at the LIMIT instead of reading every post that has a role)."""
        pattern = self._pattern("?s", "?p", "?o")
        for n in sorted((n for n in nodes if isinstance(n, URIRef | Literal)), key=str):
            for p in sorted(predicates, key=str):
                yield from self._triples(
                    f"SELECT ?s ?p ?o WHERE {{ VALUES (?o ?p) {{ ({n.n3()} {p.n3()}) }} "
                    f"{pattern} }} LIMIT {limit}"
                )

    def with_predicate(self, predicate: Node) -> Iterator[Triple]:
        pattern = self._pattern("?s", predicate.n3(), "?o")
        for r in self.select(f"SELECT DISTINCT ?s ?o WHERE {{ {pattern} }}"):
            s, o = r.get("s"), r.get("o")
            if s is not None and o is not None:
                yield s, predicate, o


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
            pats = _patterns(text, prefixes)
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
        _path_reads(shapes, path, forward, backward, inverse=False)
    for p in _COMPARISONS:  # the focus node's values of the property compared with
        forward.update(o for o in shapes.objects(None, p) if isinstance(o, URIRef))
    prefixes = {
        str(p): str(n)
        for d in shapes.objects(None, SH.declare)
        for p in shapes.objects(d, SH.prefix)
        for n in shapes.objects(d, SH.namespace)
    }
    for text in [*shapes.objects(None, SH.select), *shapes.objects(None, SH.ask)]:
        for ts, tp, to in _patterns(str(text), prefixes):
            if tp.startswith(("?", "$")):
                continue
            if ts in ("$this", "?this"):
                forward.add(URIRef(tp))
            if to in ("$this", "?this"):
                backward.add(URIRef(tp))
        path_terms = _path_terms(str(text), prefixes)  # where they lead is not worked out:
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


def _path_reads(
    g: Graph, path: Node, forward: set[Node], backward: set[Node], *, inverse: bool
) -> None:
    if isinstance(path, URIRef):
        (backward if inverse else forward).add(path)
        return
    if (path, RDF.first, None) in g:
        for step in g.items(path):
            _path_reads(g, step, forward, backward, inverse=inverse)
        return
    inner = g.value(path, SH.inversePath)
    if inner is not None:
        _path_reads(g, inner, forward, backward, inverse=not inverse)
    for p in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = g.value(path, p)
        if inner is not None:
            _path_reads(g, inner, forward, backward, inverse=inverse)


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
_PATTERN = re.compile(rf"({_TOKEN})\s+({_TOKEN})\s+({_TOKEN})")
_IRI_TOKEN = r"(?:<[^>\s]*>|[A-Za-z][\w-]*:[\w-]*|\ba\b)"
#: A property in a SPARQL property path: after ``/``, ``|``, ``^`` or ``(``, or before ``/``,
#: ``|``, ``*``, ``+``, ``)`` or ``?`` (not a variable's).
_PATH_STEP = re.compile(rf"[/|^(]\s*({_IRI_TOKEN})|({_IRI_TOKEN})(?=\s*(?:[/|*+)]|\?(?![\w$])))")
_COMPARISONS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


def _patterns(text: str, prefixes: dict[str, str]) -> list[tuple[str, str, str]]:
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
    for m in _PATTERN.finditer(text):
        out.append((expand(m.group(1)), expand(m.group(2)), expand(m.group(3))))
    return out


def _path_terms(text: str, prefixes: dict[str, str]) -> set[Node]:
    """The properties named in the property paths of a SPARQL text (``_patterns`` sees only
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


def extract(
    access: Access,
    nodes: Collection[Node],
    plan: Plan,
    *,
    extra: Graph | None = None,
    bounded: Collection[Node] = (),
) -> Graph:
    """The triples that validating *nodes* needs (see the module docstring).

    *extra* holds new facts not yet in the store: the values they give the
    nodes take part in joins (a new label is compared with existing ones).
    *bounded*: incoming predicates only tested for existence
    (:attr:`Dependencies.bounded`): one triple per node is fetched, not all.
    """
    out = Graph()
    touched = set(nodes)
    frontier: set[Node] = set(touched)
    seen: set[Node] = set(touched)
    hop = 0
    while frontier and (plan.depth is None or hop < plan.depth):
        reached: set[Node] = set()
        for s, p, o in access.outgoing(frontier):
            out.add((s, p, o))
            if not isinstance(o, Literal):
                reached.add(o)
        preds_in = plan.incoming if hop == 0 else None
        if preds_in is not None and bounded:
            some = [p for p in preds_in if p in bounded]
            preds_in = frozenset(p for p in preds_in if p not in bounded)
            for s, p, o in incoming_some(access, frontier, some, 1):
                out.add((s, p, o))
                reached.add(s)
        for s, p, o in access.incoming(frontier, preds_in):
            out.add((s, p, o))
            reached.add(s)
        frontier = reached - seen
        seen |= frontier
        hop += 1
    boundary = {n for n in frontier if not isinstance(n, Literal)}
    for t in access.outgoing(boundary, (RDF.type,)):
        out.add(t)
    if plan.class_hierarchy_in_data:
        for t in access.with_predicate(RDFS.subClassOf):
            out.add(t)
    if plan.described:
        wanted = {
            n for n in boundary if isinstance(n, URIRef) and str(n).startswith(plan.described)
        }
        for t in access.outgoing(wanted):
            out.add(t)
    if plan.joins:
        known = out + extra if extra is not None else out
        for p in plan.joins:
            values = {o for n in touched for o in known.objects(n, p)}
            partners = set()
            for s, q, o in access.incoming(values, (p,)):
                out.add((s, q, o))
                partners.add(s)
            for t in access.outgoing(partners - seen, (RDF.type,)):
                out.add(t)
    if plan.families:
        _chains(access, touched, plan.families, out, plan.directions)
    return out


def _chains(
    access: Access,
    nodes: set[Node],
    families: tuple[tuple[frozenset[Node], frozenset[Node]], ...],
    out: Graph,
    directions: tuple[frozenset[int], ...] | None = None,
) -> None:
    """Add the chains of each transitive family from *nodes* in the *directions* given
    (up and down by default), with the types on them."""
    walks = [
        (i, d)
        for i in range(len(families))
        for d in (directions[i] if directions is not None else (1, -1))
    ]
    # only the links the walks follow: walking up from a province reads its zg:partOf
    # values, not the zg:partOf links of every city within it
    out_preds = {p for i, d in walks for p in families[i][0 if d > 0 else 1]}
    in_preds = {p for i, d in walks for p in families[i][1 if d > 0 else 0]}
    edges_out: dict[Node, set[tuple[Node, Node]]] = {}
    edges_in: dict[Node, set[tuple[Node, Node]]] = {}
    fetched: set[Node] = set()
    frontier: set[tuple[Node, int, int]] = {(n, i, d) for n in nodes for i, d in walks}
    seen = set(frontier)
    for _ in range(MAX_CHAIN):
        need = {n for n, _, _ in frontier if n not in fetched and not isinstance(n, Literal)}
        for s, p, o in access.outgoing(need, out_preds | {RDF.type}):
            edges_out.setdefault(s, set()).add((p, o))
        for s, p, o in access.incoming(need, in_preds):
            edges_in.setdefault(o, set()).add((s, p))
        fetched |= need
        step: set[tuple[Node, int, int]] = set()
        for node, i, direction in frontier:
            fwd, inv = families[i]
            along_out, along_in = (fwd, inv) if direction > 0 else (inv, fwd)
            for p, o in edges_out.get(node, ()):
                if p in along_out and not isinstance(o, Literal):
                    out.add((node, p, o))
                    step.add((o, i, direction))
            for s, p in edges_in.get(node, ()):
                if p in along_in:
                    out.add((s, p, node))
                    step.add((s, i, direction))
        frontier = step - seen
        seen |= frontier
        if not frontier:
            break
    for node, _, _ in seen:
        for p, o in edges_out.get(node, ()):
            if p == RDF.type:
                out.add((node, p, o))
    # the nodes at the ends of the chains: their types too
    ends = {n for n, _, _ in seen} - fetched
    for t in access.outgoing(ends, (RDF.type,)):
        out.add(t)


# -- the gate: which focus nodes a change can affect --------------------------------


@dataclass(frozen=True)
class Dependencies:
    """What makes a focus node's results depend on triples other than its own, read off
    the shapes: the other half of :class:`Plan` (which says what to fetch around a node).

    ``typed_fwd``/``typed_bwd``: properties whose values' types a shape reads
    (``sh:class``, directly or in nested shapes), followed forward or backward (an
    inverse path); of those, ``anti`` are read where a new type can *add* a result
    (under ``sh:not``, ``sh:xone``, ``sh:qualifiedMaxCount``): elsewhere a type added
    to a value only ever satisfies ``sh:class``. ``joins``: properties whose values
    SPARQL compares between nodes (the duplicate-label check). ``bounded``: properties
    read backward only inside ``FILTER (NOT) EXISTS`` with a variable used nowhere else
    (``?post zg:role $this``): one such triple answers the question, so one is fetched.
    ``deep``: the shapes read further than one hop from a focus node (a path of two
    steps, a nested shape with paths, a SPARQL pattern on a value's triples): the
    gate then takes every node within ``depth`` hops of a change (None: the connected
    component), which is exact but costs what the neighbourhood costs.
    """

    typed_fwd: frozenset[Node] = frozenset()
    typed_bwd: frozenset[Node] = frozenset()
    anti: frozenset[Node] = frozenset()
    joins: frozenset[Node] = frozenset()
    bounded: frozenset[Node] = frozenset()
    described: tuple[str, ...] = ()
    deep: bool = False
    depth: int | None = 1
    #: Properties whose objects are focus nodes (``sh:targetObjectsOf``): a literal
    #: object of a changed triple is then a focus node too.
    object_targets: frozenset[Node] = frozenset()

    @classmethod
    def from_shapes(cls, shapes: Graph, plan: Plan | None = None) -> Dependencies:
        plan = plan or Plan.from_shapes(shapes)
        typed_fwd: set[Node] = set()
        typed_bwd: set[Node] = set()
        anti: set[Node] = set()
        for shape, path in shapes.subject_objects(SH.path):
            classes = _class_reads(shapes, shape, negated=False, seen=set())
            if not classes:
                continue
            fwd: set[Node] = set()
            bwd: set[Node] = set()
            _path_reads(shapes, path, fwd, bwd, inverse=False)
            typed_fwd |= fwd
            typed_bwd |= bwd
            if any(neg for neg in classes):
                anti |= fwd | bwd
        deep = plan.depth is None or plan.depth > 1
        joins: set[Node] = set(plan.joins)
        bounded_candidates: set[Node] = set()
        unbounded: set[Node] = set(shapes.objects(None, SH.targetObjectsOf))
        for path in shapes.objects(None, SH.path):
            _path_reads(shapes, path, set(), unbounded, inverse=False)
        prefixes = _prefixes(shapes)
        for text in [str(t) for t in shapes.objects(None, SH.select)] + [
            str(t) for t in shapes.objects(None, SH.ask)
        ]:
            pats = _patterns(text, prefixes)
            described_vars = set(re.findall(r"STRSTARTS\s*\(\s*STR\s*\(\s*(\?\w+)\s*\)", text))
            objects_of_this = {
                to
                for ts, tp, to in pats
                if ts in ("$this", "?this") and to.startswith("?") and tp != str(RDF.type)
            }
            for var in objects_of_this - described_vars:
                if any(ts == var for ts, _tp, _to in pats):
                    deep = True  # a value's own triples are read
            counts: dict[str, int] = {}
            for tok in re.findall(r"[?$]\w+", text):
                counts[tok] = counts.get(tok, 0) + 1
            spans = _exists_spans(text)
            for m in _PATTERN.finditer(text):
                ts, tp, to = (
                    m.group(1),
                    _patterns(m.group(0), prefixes)[0][1],
                    m.group(3),
                )
                if to not in ("$this", "?this") or tp.startswith(("?", "$")):
                    continue
                inside = any(a <= m.start() < b for a, b in spans)
                if inside and ts.startswith("?") and counts.get(ts, 0) == 1:
                    bounded_candidates.add(URIRef(tp))
                else:
                    unbounded.add(URIRef(tp))
            for p in _path_terms(text, prefixes):
                unbounded.add(p)
        return cls(
            typed_fwd=frozenset(typed_fwd),
            typed_bwd=frozenset(typed_bwd),
            anti=frozenset(anti),
            joins=frozenset(joins),
            bounded=frozenset(bounded_candidates - unbounded),
            described=plan.described,
            deep=deep,
            depth=plan.depth,
            object_targets=frozenset(shapes.objects(None, SH.targetObjectsOf)),
        )


def _prefixes(shapes: Graph) -> dict[str, str]:
    return {
        str(p): str(n)
        for d in shapes.objects(None, SH.declare)
        for p in shapes.objects(d, SH.prefix)
        for n in shapes.objects(d, SH.namespace)
    }


def _exists_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of the ``EXISTS { ... }`` groups of a SPARQL text."""
    spans = []
    for m in re.finditer(r"\bEXISTS\s*\{", text, re.IGNORECASE):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        spans.append((m.end(), i))
    return spans


def _class_reads(g: Graph, shape: Node, *, negated: bool, seen: set[Node]) -> list[bool]:
    """For each ``sh:class`` that validating *shape* applies to its value nodes (itself or
    through nested shapes), whether a new type could add a result there (under
    ``sh:not``, ``sh:xone`` or a ``sh:qualifiedMaxCount``)."""
    if shape in seen:
        return []
    seen = seen | {shape}
    out: list[bool] = [negated for _ in g.objects(shape, SH["class"])]
    anti_q = (shape, SH.qualifiedMaxCount, None) in g
    for p, neg in ((SH.node, negated), (SH["not"], not negated)):
        for inner in g.objects(shape, p):
            out += _class_reads(g, inner, negated=neg, seen=seen)
    for inner in g.objects(shape, SH.qualifiedValueShape):
        out += _class_reads(g, inner, negated=negated or anti_q, seen=seen)
    for p, neg in ((SH["and"], negated), (SH["or"], negated), (SH.xone, True)):
        for lst in g.objects(shape, p):
            for inner in g.items(lst):
                out += _class_reads(g, inner, negated=neg, seen=seen)
    return out


class ChangedAccess:
    """The graph after a change, seen through the lookups of the graph before it: the
    *base* triples less *removed*, plus *added*.

    With *restated*, a base literal that an added triple states again with another
    lexical form of the same value (``"202"`` read back from a store that keeps values,
    for ``202.0`` as written) is hidden, so the node does not seem to have two values.
    Literals whose values rdflib cannot compare (``xsd:gYear``, ill-typed forms: it
    raises ``TypeError``) are kept both, as two values (what the memory store holds).
    """

    def __init__(
        self, base: Access, added: Graph, removed: Graph | None = None, *, restated: bool = False
    ) -> None:
        self.base = base
        self.added = added
        self.removed = removed if removed is not None else Graph()
        self.restated = restated

    def _keep(self, t: Triple) -> bool:
        if t in self.removed:
            return False
        if self.restated and isinstance(t[2], Literal):
            return not any(  # the same value in another form
                same_value(t[2], o)
                for g in (self.added, self.removed)
                for o in g.objects(t[0], t[1])
                if o != t[2]
            )
        return True

    def _extra(
        self,
        pattern: tuple[Node | None, Node | None, Node | None],
        nodes: Collection[Node],
        predicates: Collection[Node] | None,
        position: int,
    ) -> Iterator[Triple]:
        wanted = set(nodes)
        preds = set(predicates) if predicates is not None else None
        for t in self.added:
            if t[position] in wanted and (preds is None or t[1] in preds):
                yield t

    def outgoing(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterator[Triple]:
        yield from (t for t in self.base.outgoing(nodes, predicates) if self._keep(t))
        yield from self._extra((None, None, None), nodes, predicates, 0)

    def incoming(
        self, nodes: Collection[Node], predicates: Collection[Node] | None = None
    ) -> Iterator[Triple]:
        yield from (t for t in self.base.incoming(nodes, predicates) if self._keep(t))
        yield from self._extra((None, None, None), nodes, predicates, 2)

    def incoming_some(
        self, nodes: Collection[Node], predicates: Collection[Node], limit: int
    ) -> Iterator[Triple]:
        """Up to *limit* triples per node and predicate (more are fetched from the base
        to make up for the removed ones)."""
        extra = len(self.removed)
        yield from (
            t for t in incoming_some(self.base, nodes, predicates, limit + extra) if self._keep(t)
        )
        yield from self._extra((None, None, None), nodes, predicates, 2)

    def with_predicate(self, predicate: Node) -> Iterator[Triple]:
        yield from (t for t in self.base.with_predicate(predicate) if self._keep(t))
        yield from self.added.triples((None, predicate, None))


def same_value(a: Literal, b: Node) -> bool:
    """True when *a* and *b* are literals of one datatype with equal values; False where
    rdflib cannot tell (it raises TypeError for forms it does not map to values)."""
    if not isinstance(b, Literal) or a.datatype is None or a.datatype != b.datatype:
        return False
    try:
        return bool(a.eq(b))
    except TypeError:
        return False


def incoming_some(
    access: Access, nodes: Collection[Node], predicates: Collection[Node], limit: int
) -> Iterator[Triple]:
    """Up to *limit* triples ``x P n`` per node *n* of *nodes* and *P* of *predicates*: for a
    check that asks only whether one exists (``FILTER NOT EXISTS { ?post zg:role $this }``),
    so that a role held by 10,000 posts costs what a role held by one costs."""
    some = getattr(access, "incoming_some", None)
    if some is not None:
        yield from some(nodes, predicates, limit)
        return
    for n in nodes:
        for p in predicates:
            yield from itertools.islice(access.incoming([n], [p]), limit)


def focus_of_change(
    before: Access,
    added: Graph,
    removed: Graph,
    plan: Plan,
    deps: Dependencies,
    vocabulary: Vocabulary | None = None,
    *,
    is_vocabulary: Callable[[Node], bool] = lambda n: False,
    partners: Callable[[Graph], Collection[Node]] | None = None,
) -> set[Node]:
    """Every node whose validation results the change (*added* and *removed* triples, on
    the graph *before* gives) can change: the gate validates these before and after.

    Walked backwards from the changed triples (docs/performance.md, "The gate"):

    1. both ends of every changed triple (a node's own triples, and the triples the
       closure turns into its own: inverses, symmetric properties);
    2. along a transitive property, the nodes whose chain passes through a changed link
       (below it when the shapes read the property forward, above it when backward):
       ``x zg:partOf c`` derives ``x zg:partOf`` every place above ``c``;
    3. for a changed ``rdf:type`` (or a changed ``rdfs:subClassOf``, for every instance
       below it), the nodes that read the node's type through a property with
       ``sh:class`` (walking back over it, chains and inverses included); an added
       type is skipped where ``sh:class`` is only read positively (a new type can only
       satisfy it), so a batch typing a hub again costs nothing;
    4. for a changed value of a property SPARQL joins on (``rdfs:label``), or a changed
       type of a node that has such values, every node with the same value (the
       duplicate check compares a node with the nodes sharing its label, and their
       classes);
    5. for a changed triple about a node in a namespace SPARQL asks to be described
       (a zg: term in the closed-vocabulary check), every node that links to it;
    6. where the shapes read further than one hop (:attr:`Dependencies.deep`), every
       node within ``depth`` hops of the changed ones (the connected component for
       unbounded paths).

    *partners*, given the changed triples, names the nodes a join the store cannot look
    up compares them with (the duplicate check's normalised label keys, _labelkey).
    Triples in *added* that the graph already holds are no change.
    """
    union = ChangedAccess(before, added)  # before and after together: walks see both
    subjects = {s for s in added.subjects()}
    preds = {p for p in added.predicates()}
    held = set(before.outgoing(subjects, preds)) if subjects else set()
    changes: list[tuple[Triple, bool]] = [(t, True) for t in added if t not in held]
    changes += [(t, False) for t in removed]
    if not changes:
        return set()
    out: set[Node] = set()

    def node(n: Node) -> bool:
        return not isinstance(n, Literal) and not is_vocabulary(n)

    typed: dict[Node, bool] = {}  # node -> its type only gained (True) or also lost
    classes: set[Node] = set()
    literals: set[Node] = set()  # objects of sh:targetObjectsOf properties
    joined: set[Node] = set()  # nodes whose join values (labels) or types changed
    described: set[Node] = set()  # undeclared terms in a described namespace
    for (s, p, o), gained in changes:
        out.add(s)
        if node(o):
            out.add(o)
        elif isinstance(o, Literal) and p in deps.object_targets:
            literals.add(o)
        if p == RDF.type:
            typed[s] = typed.get(s, True) and gained
        elif p == RDFS.subClassOf:
            classes.add(s)
        if p in deps.joins or p == RDF.type:
            joined.add(s)
        in_described = isinstance(s, URIRef) and str(s).startswith(deps.described or ("\0",))
        if in_described and not is_vocabulary(s):
            described.add(s)
    if joined and deps.joins:  # one lookup for all: the values, then who else has them
        values = {o for _s, _p, o in union.outgoing(joined, deps.joins)}
        out.update(x for x, _q, _o in union.incoming(values, deps.joins))
    if described:
        out.update(x for x, _q, _o in union.incoming(described))
    if partners is not None:
        changed = Graph()
        for t, _gained in changes:
            changed.add(t)
        out.update(partners(changed))
    if classes:  # instances of the classes below a changed rdfs:subClassOf
        below = _closure_of(
            classes, lambda ns: [t[0] for t in union.incoming(ns, [RDFS.subClassOf])]
        )
        for x, _p, _c in union.incoming(below, [RDF.type]):
            typed[x] = False
            out.add(x)
    if vocabulary is not None and plan.families:
        _chain_focus(union, changes, plan, vocabulary, out)
    if typed:
        _type_readers(union, typed, deps, vocabulary, out)
    if deps.deep:
        frontier = set(out)
        hop = 0
        while frontier and (deps.depth is None or hop < deps.depth):
            reached: set[Node] = set()
            for _s, _p, o in union.outgoing(frontier):
                if node(o):
                    reached.add(o)
            for s, _p, _o in union.incoming(frontier):
                reached.add(s)
            frontier = {n for n in reached if node(n)} - out
            out |= frontier
            hop += 1
    return {n for n in out if node(n)} | literals


def _closure_of(start: set[Node], step: Callable[[set[Node]], Iterable[Node]]) -> set[Node]:
    """*start* and every node reached from it by repeating *step*."""
    seen = set(start)
    frontier = set(start)
    for _ in range(MAX_CHAIN):
        frontier = {n for n in step(frontier) if not isinstance(n, Literal)} - seen
        if not frontier:
            break
        seen |= frontier
    return seen


def _chain_focus(
    access: Access,
    changes: list[tuple[Triple, bool]],
    plan: Plan,
    vocabulary: Vocabulary,
    out: set[Node],
) -> None:
    """Rule 2 of :func:`focus_of_change`: the nodes below (or above) a changed link of a
    transitive property, whose derived chain it changes."""
    for i, (fwd, inv) in enumerate(plan.families):
        dirs = plan.directions[i] if plan.directions is not None else frozenset({1, -1})
        lows: set[Node] = set()
        highs: set[Node] = set()
        for (s, p, o), _gained in changes:
            if isinstance(o, Literal):
                continue
            if p in fwd:
                lows.add(s)
                highs.add(o)
            elif p in inv:
                lows.add(o)
                highs.add(s)
        if 1 in dirs and lows:  # nodes that read what lies above them: those below the link
            out |= _closure_of(lows, _stepper(access, fwd, inv, down=True))
        if -1 in dirs and highs:
            out |= _closure_of(highs, _stepper(access, fwd, inv, down=False))


def _stepper(
    access: Access, fwd: Collection[Node], inv: Collection[Node], *, down: bool
) -> Callable[[set[Node]], list[Node]]:
    """One step along a transitive family: to what lies below (``x fwd n``, ``n inv x``)
    or above (``n fwd x``, ``x inv n``) the nodes."""

    def step(ns: set[Node]) -> list[Node]:
        if down:
            return [t[0] for t in access.incoming(ns, fwd)] + [
                t[2] for t in access.outgoing(ns, inv)
            ]
        return [t[2] for t in access.outgoing(ns, fwd)] + [t[0] for t in access.incoming(ns, inv)]

    return step


def _type_readers(
    access: Access,
    typed: dict[Node, bool],
    deps: Dependencies,
    vocabulary: Vocabulary | None,
    out: set[Node],
) -> None:
    """Rule 3 of :func:`focus_of_change`: the nodes that read the type of a node whose
    type changed, through a property with ``sh:class``."""

    def wider(props: frozenset[Node]) -> set[Node]:
        if vocabulary is None:
            return set(props)
        return set(props) | {q for q, sup in vocabulary.super_properties.items() if sup & props}

    def inverses(props: set[Node]) -> set[Node]:
        if vocabulary is None:
            return set()
        return {i for p in props for i in vocabulary.inverse.get(p, ())} | (
            props & vocabulary.symmetric
        )

    transitive = vocabulary.transitive if vocabulary is not None else set()
    for only_gained in (True, False):
        nodes = {n for n, g in typed.items() if g == only_gained}
        if not nodes:
            continue
        fwd = deps.typed_fwd & deps.anti if only_gained else deps.typed_fwd
        bwd = deps.typed_bwd & deps.anti if only_gained else deps.typed_bwd
        f, b = wider(frozenset(fwd)), wider(frozenset(bwd))
        # n P x (read forward by n): n is a subject pointing at x, or x Q n with Q an inverse
        for s, _p, _o in access.incoming(nodes, f):
            out.add(s)
        for _s, _p, o in access.outgoing(nodes, inverses(f)):
            out.add(o)
        for _s, _p, o in access.outgoing(nodes, b):
            out.add(o)
        for s, _p, _o in access.incoming(nodes, inverses(b)):
            out.add(s)
        chained = frozenset(f & transitive)
        if chained:  # x partOf+ n: every node below reads n's type through the chain
            out |= _closure_of(nodes, _stepper(access, chained, inverses(set(chained)), down=True))
        chained_b = frozenset(b & transitive)
        if chained_b:
            out |= _closure_of(
                nodes, _stepper(access, chained_b, inverses(set(chained_b)), down=False)
            )
