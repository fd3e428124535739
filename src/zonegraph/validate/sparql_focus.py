"""How the SPARQL engine's queries (validate/sparql_shacl.py) get a shape's focus nodes:
the focus sub-query in each query, or the nodes, selected once, bound as VALUES.

Every query of a shape holds the focus sub-query (the union of the shape's targets),
which the store evaluates again in each of them. Selected once and bound as VALUES
instead, the nodes cost the store a parse, an encoding and a join per query: about
15-22 microseconds a node at 1M triples on Oxigraph 0.5 (a 50,000-node block is 0.35 s
to read before any lookup). Which is cheaper depends on the target, measured at 1M
triples (each shape's queries both ways, same run, load about 5):

- declarative targets (``sh:targetClass``, ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``), answered from the store's indexes: the sub-query, always (all
  23 such shapes with over 5,000 focus nodes: 20.9 s against 38.9 s; the party shape's
  8 queries over 52,365 nodes: 2.9 s against 7.9 s);
- a SPARQL target: the sub-query when selecting the focus nodes took less than binding
  them would (:data:`VALUE_COST` a node), else VALUES. The labelled-node and sourced-node
  shapes (class targets and a cheap SPARQL target, 153k-159k nodes, focus query 1.6-2.1
  s) take the sub-query (5.7 s against 10.7 s, 2.5 s against 7.0 s); the typed-node
  shape (a target reading every triple, 7.2 s) and the unit-figure shape (3.7 s for 11k
  nodes) take VALUES (4.8 s against 8.6 s, 0.7 s against 10.3 s).

For declarative targets the store is only asked whether there is any focus node (``LIMIT
1``: a shape without one is skipped), not for the nodes (the party shape's 52,365: 0.7 s
to read into Python). The choice changes how long a query takes, never its rows: SHACL
validates each focus node on its own, so the rows over all blocks are the rows of the
sub-query.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rdflib.term import BNode, Node

from .sparql_closure import nt

Rows = list[dict[str, Node | None]]

#: Focus nodes are bound as VALUES in blocks of at most this many: a shape with more
#: has each of its queries run once per block.
FOCUS_BLOCK = 50_000

#: What binding one focus node as VALUES costs a query, in seconds (measured above).
VALUE_COST = 20e-6


class FocusNodes:
    """The focus nodes of each focus query, selected once (shapes with the same targets
    share the query), and how long selecting them took."""

    def __init__(self, select: Callable[[str], Rows]) -> None:
        self.select = select
        self.selected: dict[str, tuple[list[Node], float]] = {}

    def of(self, query: str) -> tuple[list[Node], float]:
        if query not in self.selected:
            start = time.perf_counter()
            nodes = [n for r in self.select(query) if (n := r.get("this")) is not None]
            self.selected[query] = (nodes, time.perf_counter() - start)
        return self.selected[query]

    def blocks(self, query: str, *, declarative: bool) -> list[str] | None:
        """``{ VALUES ?this { ... } }`` blocks binding the nodes *query* selects (none if
        it selects none: the shape's queries are not run), or None to keep the
        sub-query: for *declarative* targets, where selecting them was cheaper than
        binding them, or where a node is blank (a blank node cannot be named)."""
        if declarative:  # whether there is any: the nodes themselves are not needed
            return None if self.select(f"{query} LIMIT 1") else []
        nodes, took = self.of(query)
        if not nodes:
            return []
        if took < len(nodes) * VALUE_COST:
            return None
        if any(isinstance(n, BNode) for n in nodes):
            return None
        return [
            "{ VALUES ?this { " + " ".join(nt(n) for n in nodes[i : i + FOCUS_BLOCK]) + " } }"
            for i in range(0, len(nodes), FOCUS_BLOCK)
        ]
