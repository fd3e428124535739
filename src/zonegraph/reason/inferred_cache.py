"""The inferred graph of a KG directory's files, cached by their content key: the last one
in memory, every one on disk (:func:`zonegraph.reason.inferred.read_cached`).

``KnowledgeGraph.inferred_from_files``, ``inferred_after`` and ``changed`` keep one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import Graph
from rdflib.term import Node

from . import inferred
from .core import Vocabulary


class InferredCache:
    """The inferred graphs known, by content key (the last one kept in memory)."""

    def __init__(self) -> None:
        self._graphs: dict[str, Graph] = {}

    def get(self, key: str) -> Graph | None:
        """The inferred graph for *key*, from memory or the disk cache; None if unknown."""
        return self._graphs.get(key) or inferred.read_cached(key)

    def put(self, key: str, graph: Graph) -> None:
        """Keep *graph* as the inferred graph for *key*, in memory and on disk."""
        inferred.write_cached(key, graph)
        self._graphs = {key: graph}

    def of(
        self, key: str, data: Callable[[], Graph], ontology: Graph, vocabulary: Vocabulary
    ) -> Graph:
        """The inferred graph for *key*: cached, or computed from the facts *data* gives
        (and cached) on a miss."""
        cached = self.get(key)
        if cached is None:
            cached = inferred.compute(data(), ontology, vocabulary)
            inferred.write_cached(key, cached)
        self._graphs = {key: cached}
        return cached

    def extended(
        self,
        key: str,
        data: Callable[[], Graph],
        facts: Iterable[tuple[Node, Node, Node]],
        ontology: Graph,
        vocabulary: Vocabulary,
    ) -> Graph | None:
        """The inferred graph for *key* with what new *facts* derive (the known facts: what
        *data* gives and the ontology), if it is known; None otherwise (nothing computed)."""
        current = self.get(key)
        if current is None:
            return None
        extended = Graph()
        extended += current
        inferred.extend(extended, [data(), ontology], list(facts), ontology, vocabulary)
        return extended
