"""Pattern lookups over the graphs being validated against: the :class:`Access` protocol
that :func:`zonegraph.store.neighbourhood.extract` and the gate
(:mod:`zonegraph.validate.change`) read a graph through, and its implementations:

* :class:`GraphAccess`: rdflib's indexes, over some named graphs of a Dataset (the memory
  store, ``Store.access``);
* :class:`SelectAccess`: SPARQL SELECT queries with ``VALUES``, for stores reached through
  SPARQL (Oxigraph, SPARQL servers);
* :class:`ChangedAccess`: the graph as a change leaves it, seen through the lookups of the
  graph before it (its triples less the removed ones, plus the added ones);

and :func:`incoming_some`, the bounded lookup for a check that asks only whether a triple
exists, with :func:`same_value` (two literals of one value in different lexical forms).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


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
