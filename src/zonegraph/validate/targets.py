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
results it gets when the whole graph is validated.

SPARQL-based targets (``sh:target`` with ``sh:select``, SHACL-AF) are
rewritten the same way: the query pySHACL would run (its text, with the
prefixes pySHACL gives it) is parsed once, run here over the same data, and
the chosen nodes among the ``?this`` it selects become ``sh:targetNode``.
pySHACL parses such a query again on every run and then validates every node
it selects, neighbours included (a province's cities, fetched to validate the
province), only for the caller to drop their results: at 1M triples, half of
a batch's validation time. Where pySHACL changes the data before it selects
(``sh:rule``) or a query needs what only pySHACL provides (SHACL functions), or
a query cannot be prepared or run here, the target is left to pySHACL.

tests/test_incremental.py shows the results are the same as whole-graph
validation, on generated graphs, on the W3C SHACL core tests and on SPARQL
targets that select nodes beyond the chosen ones.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow
from rdflib.term import Node

from ..rdf.namespaces import SH

_DECLARATIVE = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_CLASSES = (RDFS.Class, OWL.Class)
_SHAPES = (SH.NodeShape, SH.PropertyShape)
#: Declared SHACL functions, which pySHACL lends to the SPARQL queries of the shapes.
_FUNCTIONS = (SH.Function, SH.SPARQLFunction, SH.JSFunction)
Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class SparqlTarget:
    """A SPARQL-based target, ``shape sh:target node``, with its query parsed once."""

    shape: Node
    node: Node
    query: Query

    @property
    def link(self) -> Triple:
        return (self.shape, SH.target, self.node)


@dataclass(frozen=True)
class Targets:
    """A shapes graph without its declarative targets, and those targets."""

    base: Graph
    declared: tuple[tuple[Node, Node, Node], ...]
    #: The SPARQL-based targets evaluated by :meth:`focused` (not in *base*).
    selects: tuple[SparqlTarget, ...] = ()

    @classmethod
    def of(cls, shapes: Graph) -> Targets:
        declared: list[tuple[Node, Node, Node]] = []
        selects = _sparql_targets(shapes)
        links = {t.link for t in selects}
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
            elif (s, p, o) not in links:
                base.add((s, p, o))
        return cls(base, tuple(declared), selects)

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
        for target in self.selects:
            found = _selected(data, target.query, chosen)
            if found is None:  # pySHACL runs it, and reports what goes wrong
                out.add(target.link)
                continue
            for n in found:
                out.add((target.shape, SH.targetNode, n))
        return out


def _instances(data: Graph, cls: Node, chosen: set[Node]) -> set[Node]:
    """The *chosen* nodes that are SHACL instances of *cls* (rdf:type/rdfs:subClassOf*)."""
    classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
    return {n for n in chosen if any(t in classes for t in data.objects(n, RDF.type))}


def _selected(data: Graph, query: Query, chosen: set[Node]) -> set[Node] | None:
    """The *chosen* nodes a SPARQL target's *query* selects as ``?this`` in *data*
    (None if the query fails here)."""
    try:
        result = data.query(query)
        if result.type != "SELECT":
            return None
        return {n for r in result if isinstance(r, ResultRow) and (n := r["this"]) in chosen}
    except Exception:  # pySHACL runs the target instead, and reports the error
        return None


def _sparql_targets(shapes: Graph) -> tuple[SparqlTarget, ...]:
    """The SPARQL-based targets of *shapes* that :meth:`Targets.focused` can evaluate itself:
    none when pySHACL would run rules or lend functions first (they change what a target
    selects). Each query is the text pySHACL runs, prefixes and all, taken from pySHACL's
    own shapes objects so that both select the same nodes."""
    if (None, SH.rule, None) in shapes or any((None, RDF.type, f) in shapes for f in _FUNCTIONS):
        return ()
    try:
        from pyshacl.shapes_graph import ShapesGraph

        copy = Graph()  # pySHACL adds its own triples to the shapes graph it is given
        copy += shapes
        texts: list[tuple[Node, Node, str]] = []
        for shape in ShapesGraph(copy).shapes:
            for node, target in shape.advanced_target().items():
                # with two queries, which one pySHACL runs is a matter of chance
                one = len(set(shapes.objects(node, SH.select))) == 1
                if target.get("type") == SH.SPARQLTarget and one:
                    helper = target["qh"]
                    texts.append((shape.node, node, helper.apply_prefixes(helper.select_text)))
    except Exception:  # shapes pySHACL refuses: it says why when it runs
        return ()
    out = []
    for shape, node, text in texts:
        try:
            query = prepareQuery(text)
        except Exception:  # pySHACL runs (and reports) a query not prepared here
            continue
        out.append(SparqlTarget(shape, node, query))
    return tuple(out)
