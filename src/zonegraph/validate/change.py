"""The incremental gate's change analysis: which focus nodes a change can affect.

:class:`Dependencies` reads off the shapes what makes a focus node's results depend on
triples other than its own (the other half of :class:`~zonegraph.store.plan.Plan`, which
says what to fetch around a node); :func:`focus_of_change` walks back from the added and
removed triples to every node whose results they can change (docs/performance.md, "The
gate"). :func:`zonegraph.validate.shacl.gate` validates those nodes over their
neighbourhood before and after the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ..store.access import Access, ChangedAccess, Triple
from ..store.neighbourhood import MAX_CHAIN
from ..store.plan import (
    TRIPLE_PATTERN,
    Plan,
    path_reads,
    property_path_terms,
    triple_patterns,
)

if TYPE_CHECKING:
    from ..reason.core import Vocabulary


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
            path_reads(shapes, path, fwd, bwd, inverse=False)
            typed_fwd |= fwd
            typed_bwd |= bwd
            if any(neg for neg in classes):
                anti |= fwd | bwd
        deep = plan.depth is None or plan.depth > 1
        joins: set[Node] = set(plan.joins)
        bounded_candidates: set[Node] = set()
        unbounded: set[Node] = set(shapes.objects(None, SH.targetObjectsOf))
        for path in shapes.objects(None, SH.path):
            path_reads(shapes, path, set(), unbounded, inverse=False)
        prefixes = _prefixes(shapes)
        for text in [str(t) for t in shapes.objects(None, SH.select)] + [
            str(t) for t in shapes.objects(None, SH.ask)
        ]:
            pats = triple_patterns(text, prefixes)
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
            for m in TRIPLE_PATTERN.finditer(text):
                ts, tp, to = (
                    m.group(1),
                    triple_patterns(m.group(0), prefixes)[0][1],
                    m.group(3),
                )
                if to not in ("$this", "?this") or tp.startswith(("?", "$")):
                    continue
                inside = any(a <= m.start() < b for a, b in spans)
                if inside and ts.startswith("?") and counts.get(ts, 0) == 1:
                    bounded_candidates.add(URIRef(tp))
                else:
                    unbounded.add(URIRef(tp))
            for p in property_path_terms(text, prefixes):
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
