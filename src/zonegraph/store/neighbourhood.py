"""The part of a graph that validating some nodes needs: incremental validation.

Validating new facts checks only the nodes they touch. The shapes see a node
through its own triples, the types of what it links to, the triples the
closure derives (inverses, symmetric and transitive properties), and whatever
their SPARQL constraints join. :class:`~zonegraph.store.plan.Plan` reads that
off the shapes and the ontology once (store/plan.py); :func:`extract` then
fetches just that part of a store through an
:class:`~zonegraph.store.access.Access` (store/access.py: rdflib's indexes for
the memory store, a few SELECT queries with ``VALUES`` for a SPARQL store), so
the cost grows with the batch, not with the graph. Which focus nodes a change
can affect is the gate's question (:mod:`zonegraph.validate.change`).

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

from collections.abc import Collection

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from .access import Access, incoming_some
from .plan import Plan

#: Chain walks stop here: a containment hierarchy is never this deep.
MAX_CHAIN = 64


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
    (:attr:`zonegraph.validate.change.Dependencies.bounded`): one triple per node
    is fetched, not all.
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
