"""The inferred graph: what the closure derives from the facts, kept apart, cached, kept current.

It holds :func:`~zonegraph.reason.closure.fast_closure` over every source's facts and
the ontology (class and property hierarchies, inverses, symmetric and
transitive properties, domain and range types), less the asserted triples, in
the named graph ``https://w3id.org/zonegraph/graph/inferred``; it is never
mixed into a source's graph. ``export --inferred`` and ``load --inferred``
write it; ``check`` reads its types for clashes.

- **Computed once per content.** The closure of a KG directory is kept in the
  cache directory (_cache), keyed by a hash of the ontology and source files
  and the rules' version: a second run reads it instead of reasoning again,
  and any change to a file gives a new key.
- **Updated, not recomputed, when facts arrive.** ``add`` extends the closure
  with what the new facts derive (:class:`~zonegraph.reason.closure.Closure`,
  semi-naive, with the known facts looked up where they live), and stores the
  result under the new content's key; on a store loaded with ``--inferred``,
  the derived triples are inserted into its inferred graph.

owlrl stays the reference (tests/test_reasoning.py): on the project's
ontology the fast closure infers the triples about the data owlrl does, less
owlrl's axiomatic and T-box triples (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from ..kgdir import cache as _cache
from .closure import Closure, fast_closure
from .core import Triple, Vocabulary

#: Bump when the closure's rules change, so old cache entries are not reused.
RULES_VERSION = "1"


def content_key(files: Iterable[Path], root: Path) -> str:
    """The cache key of the closure of *files* (and of the rules' version)."""
    return _cache.content_key(files, root, salt=f"closure {RULES_VERSION}")


def _cache_file(key: str) -> Path:
    return _cache.entry("inferred", key, "nt")


def read_cached(key: str) -> Graph | None:
    """The cached inferred graph for *key*, or None."""
    from ..rdf.oxigraph_terms import from_oxigraph

    path = _cache_file(key)
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    except (OSError, SyntaxError):
        return None
    graph = Graph()
    for q in quads:
        graph.add((from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)))
    return graph


def write_cached(key: str, graph: Graph) -> None:
    """Keep *graph* for *key* (skipped if the cache cannot be written)."""
    from ..rdf.oxigraph_terms import to_oxigraph

    def write(path: Path) -> None:
        triples = (
            ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
            for s, p, o in graph
        )
        ox.serialize(triples, str(path), format=ox.RdfFormat.N_TRIPLES)

    _cache.store(_cache_file(key), write)


def compute(data: Graph, ontology: Graph, vocabulary: Vocabulary) -> Graph:
    """The inferred graph of *data* under *ontology*, from scratch."""
    out = Graph()
    for t in fast_closure(chain(data, ontology), ontology, vocabulary):  # no merged copy
        out.add(t)
    return out


class GraphsKnown:
    """The facts already known, in rdflib graphs (the sources' union, the ontology, the
    inferred graph), as :class:`~zonegraph.reason.closure.Known` lookups."""

    def __init__(self, graphs: Sequence[Graph]) -> None:
        self.graphs = graphs

    def __contains__(self, triple: object) -> bool:
        return any(triple in g for g in self.graphs)  # type: ignore[operator]

    def objects(self, subject: Node, prop: Node) -> Iterator[Node]:
        for g in self.graphs:
            yield from g.objects(subject, prop)

    def subjects(self, prop: Node, obj: Node) -> Iterator[Node]:
        for g in self.graphs:
            yield from g.subjects(prop, obj)


def extend(
    inferred: Graph,
    known: Sequence[Graph],
    new: Iterable[Triple],
    ontology: Graph,
    vocabulary: Vocabulary,
) -> set[Triple]:
    """Add to *inferred* what the *new* facts derive given the *known* graphs and *inferred*;
    new facts that were inferred become asserted and leave it. Returns the derived triples."""
    new = set(new)
    derived = Closure(vocabulary, ontology, known=GraphsKnown([*known, inferred])).add(new)
    for t in derived:
        inferred.add(t)
    for t in new:
        inferred.remove(t)
    return derived


class SelectKnown:
    """Known facts behind a SPARQL store: transitive links fetched with SELECT, once per node.

    Membership is not asked (it would cost a request per triple): triples the
    store already holds may be derived again, and inserting them changes nothing.
    """

    def __init__(self, select: Callable[[str], list[dict[str, Node | None]]]) -> None:
        self.select = select
        self._out: dict[tuple[Node, Node], list[Node]] = {}
        self._in: dict[tuple[Node, Node], list[Node]] = {}

    def __contains__(self, triple: object) -> bool:
        return False

    def objects(self, subject: Node, prop: Node) -> list[Node]:
        if (subject, prop) not in self._out:
            rows = self.select(f"SELECT DISTINCT ?x WHERE {{ {subject.n3()} {prop.n3()} ?x }}")
            self._out[subject, prop] = [r["x"] for r in rows if r.get("x") is not None]  # type: ignore[misc]
        return self._out[subject, prop]

    def subjects(self, prop: Node, obj: Node) -> list[Node]:
        if (prop, obj) not in self._in:
            rows = self.select(f"SELECT DISTINCT ?x WHERE {{ ?x {prop.n3()} {obj.n3()} }}")
            self._in[prop, obj] = [r["x"] for r in rows if r.get("x") is not None]  # type: ignore[misc]
        return self._in[prop, obj]


def derive_for_store(
    select: Callable[[str], list[dict[str, Node | None]]],
    new: Iterable[Triple],
    ontology: Graph,
    vocabulary: Vocabulary,
) -> set[Triple]:
    """What *new* facts derive in a store whose inferred graph is complete (so a transitive
    property's links are one hop away), with *select* running a SELECT over its graphs."""
    return Closure(vocabulary, ontology, known=SelectKnown(select)).add(new)
