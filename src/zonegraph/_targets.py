"""Validating chosen focus nodes only, by rewriting the shapes' targets.

Incremental validation needs the results of the nodes a batch touches, not of
every node in the neighbourhood fetched to validate them (a province pulls in
the cities, zones and parks that lie in it). pySHACL's ``focus_nodes`` option
is not used: in pySHACL 0.40 it also filters the shapes nested in ``sh:or``,
``sh:node`` and ``sh:not``, which then pass or fail unchecked.

Instead, :class:`Targets` rewrites the shapes graph: each shape's declarative
targets (``sh:targetClass``, ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf`` and implicit class targets) are evaluated here, over
the same data graph and by the SHACL rules, for the chosen nodes only, and
replaced by ``sh:targetNode`` for the nodes they select. SHACL validates each
focus node independently of the others, so a chosen node gets exactly the
results it gets when the whole graph is validated. SPARQL-based targets
(``sh:target``) are left as they are (they select few nodes; the caller keeps
the chosen nodes' results). tests/test_incremental.py shows the results are
the same as whole-graph validation, on generated graphs and on the W3C SHACL
core tests.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph
from rdflib.term import Node

from ._namespaces import SH

_DECLARATIVE = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_CLASSES = (RDFS.Class, OWL.Class)
_SHAPES = (SH.NodeShape, SH.PropertyShape)


@dataclass(frozen=True)
class Targets:
    """A shapes graph without its declarative targets, and those targets."""

    base: Graph
    declared: tuple[tuple[Node, Node, Node], ...]

    @classmethod
    def of(cls, shapes: Graph) -> Targets:
        declared: list[tuple[Node, Node, Node]] = []
        base = Graph()
        for prefix, ns in shapes.namespaces():
            base.bind(prefix, ns, override=True)
        implicit = {
            s
            for c in _CLASSES
            for s in shapes.subjects(RDF.type, c)
            if any((s, RDF.type, k) in shapes for k in _SHAPES)
        }
        for s, p, o in shapes:
            if p in _DECLARATIVE:
                declared.append((s, p, o))
            elif p == RDF.type and o in _CLASSES and s in implicit:
                declared.append((s, SH.targetClass, s))
            else:
                base.add((s, p, o))
        return cls(base, tuple(declared))

    def focused(self, data: Graph, nodes: Collection[Node]) -> Graph:
        """The shapes with each declarative target narrowed to the *nodes* it selects in *data*."""
        chosen = set(nodes)
        out = Graph()
        out += self.base
        for prefix, ns in self.base.namespaces():
            out.bind(prefix, ns, override=True)
        members: dict[Node, set[Node]] = {}
        for shape, kind, value in self.declared:
            if kind == SH.targetNode:
                selected = {value} & chosen
            elif kind == SH.targetClass:
                if value not in members:
                    members[value] = _instances(data, value, chosen)
                selected = members[value]
            elif kind == SH.targetSubjectsOf:
                selected = {n for n in chosen if (n, value, None) in data}
            else:
                selected = {n for n in chosen if (None, value, n) in data}
            for n in selected:
                out.add((shape, SH.targetNode, n))
        return out


def _instances(data: Graph, cls: Node, chosen: set[Node]) -> set[Node]:
    """The *chosen* nodes that are SHACL instances of *cls* (rdf:type/rdfs:subClassOf*)."""
    classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
    return {n for n in chosen if any(t in classes for t in data.objects(n, RDF.type))}
