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

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

if TYPE_CHECKING:
    from ._reason import Vocabulary

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
    access: Access, nodes: Collection[Node], plan: Plan, *, extra: Graph | None = None
) -> Graph:
    """The triples that validating *nodes* needs (see the module docstring).

    *extra* holds new facts not yet in the store: the values they give the
    nodes take part in joins (a new label is compared with existing ones).
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
        for s, p, o in access.incoming(frontier, plan.incoming if hop == 0 else None):
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
