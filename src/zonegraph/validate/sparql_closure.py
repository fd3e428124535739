"""The validation closure as SPARQL: what the store's queries must say to see the data
pySHACL sees, without the closure being computed or stored anywhere.

Whole-graph validation runs over the facts, the ontology and the validation closure
(:func:`zonegraph.reason.closure.validation_closure`: class and property hierarchies,
inverses, symmetric and transitive properties, the label keys). A store holds the facts
and the ontology only, so every triple pattern of a query run by the SPARQL engine
(:mod:`zonegraph.validate.sparql_shacl`) is written to match what the closure would have
added:

- a predicate ``P`` becomes the property path of every way the rules derive a ``P``
  triple (:meth:`ClosureView.predicate`): its sub-properties, its inverses backwards,
  itself backwards if symmetric, the whole thing ``+`` if transitive. The path is read
  off the ontology (:class:`~zonegraph.reason.core.Vocabulary`), which is data;
- ``rdf:type`` becomes ``rdf:type/rdfs:subClassOf*``;
- the SPARQL of the shapes (targets, constraints) is rewritten token by token
  (:mod:`zonegraph.validate.sparql_rewrite`): the predicates above, a pattern with a
  variable predicate becomes a UNION of the asserted triples and each derived predicate's path, and
  ``zgsh:labelKey`` becomes a VALUES block of the keys two or more entities share,
  computed in Python from the labels (TR39 confusables have no SPARQL form). What the
  rewriter cannot place (a blank node or collection in a rewritten pattern, a
  negated property set) raises :class:`Unsupported`, and that shape falls back to
  pySHACL (the report says so).

Two differences from the closure, both documented in docs/performance.md: the
``rdfs:subClassOf`` chain is read from every graph (the closure reads the ontology's
only; they differ only when the facts themselves state ``rdfs:subClassOf``), and a
pattern with a variable predicate does not match ``zgsh:labelKey`` triples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ..reason.core import Vocabulary

TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"
#: A node's types in the validation data: its asserted types and their super-classes.
#: Not ``rdf:type/rdfs:subClassOf*``: Oxigraph 0.5 evaluates a zero-length path with an
#: unbound end over every term of the store (a FILTER NOT EXISTS over it took 86 s
#: instead of 0.25 s on 2,000 triples).
TYPE_PATH = f"({TYPE}|{TYPE}/{SUBCLASS}+)"

_KEYWORDS = {"FILTER", "BIND", "OPTIONAL", "MINUS", "UNION", "GRAPH", "SERVICE", "VALUES", "SELECT"}


class Unsupported(Exception):
    """A shape (or its SPARQL) the engine cannot compile; the message says why."""


def nt(term: Node) -> str:
    """*term* in SPARQL syntax (N-Triples terms are SPARQL terms)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise Unsupported(f"a blank node ({term.n3()}) cannot be named in a query")


@dataclass
class ClosureView:
    """The closure of *vocabulary* as property paths; *label_keys* gives the
    ``(entity, key)`` pairs of the keys two or more entities share (asked once, if a
    query joins on ``zgsh:labelKey``)."""

    vocabulary: Vocabulary
    label_keys: Callable[[], Sequence[tuple[Node, Node]]] = lambda: []

    def __post_init__(self) -> None:
        v = self.vocabulary
        self._subs: dict[Node, set[Node]] = defaultdict(set)
        for sub, supers in v.super_properties.items():
            for sup in supers:
                self._subs[sup].add(sub)
        self.paths: dict[Node, str] = {}
        for p in {*self._subs, *v.inverse, *v.symmetric, *v.transitive}:
            path = self._path(p)
            if path is not None:
                self.paths[p] = path
        self._keys: Sequence[tuple[Node, Node]] | None = None

    def _atoms(self, p: Node) -> set[tuple[Node, int]]:
        """The (predicate, direction) pairs whose triples the rules turn into *p* triples."""
        v = self.vocabulary
        seen = {(p, 1)}
        stack = [(p, 1)]
        while stack:
            x, d = stack.pop()
            step = [(y, d) for y in self._subs.get(x, ())]
            step += [(i, -d) for i in v.inverse.get(x, ())]
            if x in v.symmetric:
                step.append((x, -d))
            for a in step:
                if a not in seen:
                    seen.add(a)
                    stack.append(a)
        return seen

    def _chain(self, p: Node) -> str:
        atoms = sorted(self._atoms(p), key=lambda a: (str(a[0]), a[1]))
        return "(" + "|".join(("" if d > 0 else "^") + nt(x) for x, d in atoms) + ")+"

    def _path(self, p: Node) -> str | None:
        if p in self.vocabulary.transitive:
            return self._chain(p)
        atoms = self._atoms(p)
        if len(atoms) == 1:
            return None
        parts = []
        for x, d in sorted(atoms, key=lambda a: (str(a[0]), a[1])):
            if x in self.vocabulary.transitive:
                chain = self._chain(x)
                parts.append(chain if d > 0 else f"^({chain})")
            else:
                parts.append(("" if d > 0 else "^") + nt(x))
        return "(" + "|".join(parts) + ")"

    def predicate(self, p: Node) -> str:
        """The path matching the *p* triples of the validation data."""
        if p == RDF.type:
            return TYPE_PATH
        return self.paths.get(p, nt(p))

    def linked(self, p: Node, s: str, o: str) -> str:
        """A pattern matching when the validation data has a *p* triple from *s* (when *o*
        is a variable used nowhere else) or to *o* (when *s* is): a triple of one of the
        predicates *p* is derived from, in its direction, since a chain ``P+`` starts and
        ends with one such step. For ``sh:targetSubjectsOf`` and ``sh:targetObjectsOf``:
        the transitive path with both ends open took 3 s at 100k triples on Oxigraph."""
        if p == RDF.type:
            return f"{s} {TYPE_PATH} {o} ."
        atoms = self._atoms(p)
        forward = "|".join(nt(x) for x, d in sorted(atoms, key=str) if d > 0)
        backward = "|".join(nt(x) for x, d in sorted(atoms, key=str) if d < 0)
        if not backward:
            return f"{s} ({forward}) {o} ."
        return f"{{ {s} ({forward}) {o} }} UNION {{ {o} ({backward}) {s} }}"

    def path(self, shapes: Graph, node: Node) -> str:
        """A SHACL property path (sh:path's value) as a SPARQL path over the closure."""
        if isinstance(node, URIRef):
            return self.predicate(node)
        if (node, RDF.first, None) in shapes:
            return "(" + "/".join(self.path(shapes, n) for n in shapes.items(node)) + ")"
        for kind, fmt in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = shapes.value(node, kind)
            if inner is not None:
                return fmt.format(self.path(shapes, inner))
        alternatives = shapes.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(shapes, n) for n in shapes.items(alternatives)) + ")"
        raise Unsupported(f"the property path {node.n3()} is not a SHACL path")

    def shared_keys(self) -> Sequence[tuple[Node, Node]]:
        if self._keys is None:
            self._keys = self.label_keys()
        return self._keys

    def flipping(self) -> list[Node]:
        """The predicates whose triples the rules turn around (an inverse, a symmetric
        property): only their objects become subjects, and their subjects objects."""
        return sorted({x for p in self.paths for x, d in self._atoms(p) if d < 0}, key=str)

    def derived_branches(
        self,
        s: str,
        p: str,
        o: str,
        *,
        only_ends: bool = False,
        distinct_predicates: bool = False,
        one_end: str = "",
        bound: bool = False,
    ) -> list[str]:
        """``s ?p o`` over the validation data: the asserted triples and each derived
        predicate's path, as the branches of a UNION that binds ?p (:meth:`derived`).

        With *only_ends* (?p and one end are used nowhere else: "has the node any
        triple"), the cheap equivalent: a node is a subject (object) of the closure
        when it is one of the asserted triples or an object (subject) of a triple the
        rules turn around (under EXISTS, that branch leaves ?p unbound); every other rule keeps both
        ends. With *distinct_predicates* (both ends used nowhere else: "which predicates
        are there"), a derived predicate is there when a triple of one of the predicates
        it is derived from is.

        With *one_end* ("subject" or "object": the end used elsewhere, the other used
        nowhere else, ?p bound elsewhere: "has the node a
        ?p triple", the closed vocabulary's ``?this ?term ?o``), a node has a derived
        ``P`` triple at that end when it has a triple of one of the predicates ``P`` is
        derived from, in that predicate's direction (a chain ``P+`` starts with one such
        step), and an object has a derived ``rdf:type`` when a class typed on something
        is below it. Plain triple patterns joined with VALUES: the full UNION's paths,
        each evaluated with both ends open before the join binds ?p, cost 70 s at 100k
        triples on Oxigraph."""
        if one_end:
            atom = f"{p}_atom"
            forward: list[str] = []
            backward: list[str] = []
            for pred in sorted(self.paths, key=str):
                for x, d in sorted(self._atoms(pred), key=lambda a: (str(a[0]), a[1])):
                    (forward if d > 0 else backward).append(f"({nt(pred)} {nt(x)})")
            parts = [f"{{ {s} {p} {o} }}"]
            if forward:
                parts.append(f"{{ VALUES ({p} {atom}) {{ {' '.join(forward)} }} {s} {atom} {o} }}")
            if backward:
                parts.append(f"{{ VALUES ({p} {atom}) {{ {' '.join(backward)} }} {o} {atom} {s} }}")
            if one_end == "object":
                parts.append(
                    f"{{ {s} {TYPE}/{SUBCLASS}+ {o} FILTER(isIRI({o})) BIND({TYPE} AS {p}) }}"
                )
            return parts
        if distinct_predicates:
            pairs = " ".join(
                f"({nt(pred)} {nt(x)})"
                for pred in sorted(self.paths, key=str)
                for x in sorted({a for a, _ in self._atoms(pred)}, key=str)
            )
            atom = f"{p}_atom"
            return [f"{{ {s} {p} {o} }}", f"{{ VALUES ({p} {atom}) {{ {pairs} }} {s} {atom} {o} }}"]
        if only_ends:
            # under EXISTS (*bound*: the end is bound outside), a path, not ``o ?p s
            # FILTER(?p IN (...))``: Oxigraph would read every triple into s (thousands for
            # a class) where the path looks each predicate up; with both ends open, VALUES
            # and a triple pattern, which reads those predicates' triples only (a FILTER
            # read every triple: 17 s against 11 s for a target at 1M; a path scans its
            # alternatives over every term)
            flips = self.flipping()
            if bound and flips:
                turned = f"{{ {s} ^({'|'.join(nt(x) for x in flips)}) {o} }}"
            elif flips:  # the flipping predicates' triples only, by the predicate index
                turned = f"{{ VALUES {p} {{ {' '.join(nt(x) for x in flips)} }} {o} {p} {s} }}"
            else:
                turned = ""
            return [f"{{ {s} {p} {o} }}"] + ([turned] if turned else [])
        branches = [f"{{ {s} {p} {o} }}"]
        branches.append(f"{{ {s} {TYPE}/{SUBCLASS}+ {o} FILTER(isIRI({o})) BIND({TYPE} AS {p}) }}")
        for pred, path in sorted(self.paths.items(), key=lambda kv: str(kv[0])):
            branches.append(f"{{ {s} {path} {o} BIND({nt(pred)} AS {p}) }}")
        return branches
