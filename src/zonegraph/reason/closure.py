"""The deliberate closure, computed by semi-naive forward chaining.

zonegraph derives what its shapes, queries and exports need from the
ontology, not the whole of OWL 2 RL (owlrl stays the reference; see
docs/performance.md):

- the class and property hierarchies (``rdfs:subClassOf``, ``rdfs:subPropertyOf``),
- inverses (``owl:inverseOf``), symmetric and transitive properties,
- with ``domains=True``, the types ``rdfs:domain`` and ``rdfs:range`` give, and
  their super-classes.

:func:`validation_closure` is the first three (validation never sees domain and
range types, which turn a wrongly typed link into a wrong type instead of an
error), with the normalised labels the duplicate check joins on (_labelkey);
:func:`fast_closure` is all of them, what the inferred graph holds.

:class:`Closure` keeps what it has derived, indexed, so more facts can be
added later and only their consequences are derived (:meth:`Closure.add`):
adding facts in batches derives exactly what adding them at once would.
Transitive properties are joined through per-property subject and object
indexes, so a chain costs what its links cost, not the size of the graph.
A :class:`Known` other than the default (a set) lets the facts already
known live elsewhere, such as a store (_inferred).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Protocol

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.term import Node

from .core import Triple, Vocabulary
from .labelkey import label_keys


class Known(Protocol):
    """The triples known before (asserted or derived): membership and transitive links."""

    def __contains__(self, triple: object) -> bool: ...

    def objects(self, subject: Node, prop: Node) -> Iterable[Node]: ...

    def subjects(self, prop: Node, obj: Node) -> Iterable[Node]: ...


class Closure:
    """Facts and what the rules derive from them; give it more with :meth:`add`.

    >>> from rdflib import Graph, Namespace
    >>> zg = Namespace("https://w3id.org/zonegraph/ontology#")
    >>> onto = Graph().parse(data='''
    ...   @prefix zg: <https://w3id.org/zonegraph/ontology#> .
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...   zg:partOf a owl:TransitiveProperty ; owl:inverseOf zg:hasPart .''', format="turtle")
    >>> c = Closure(Vocabulary(onto))
    >>> c.add([(zg.a, zg.partOf, zg.b)]) == {(zg.b, zg.hasPart, zg.a)}
    True
    >>> (zg.c, zg.hasPart, zg.a) in c.add([(zg.b, zg.partOf, zg.c)])
    True
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        ontology: Graph | None = None,
        *,
        known: Known | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.types_of_subject: dict[Node, set[Node]] = {}
        self.types_of_object: dict[Node, set[Node]] = {}
        if ontology is not None:  # domain and range types, with their super-classes
            for table, axiom in (
                (self.types_of_subject, RDFS.domain),
                (self.types_of_object, RDFS.range),
            ):
                for p, c in ontology.subject_objects(axiom):
                    table.setdefault(p, set()).add(c)
                    table[p].update(vocabulary.super_classes.get(c, ()))
        self._local: set[Triple] = set()
        self._out: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self._in: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self._known = known

    def __contains__(self, triple: Triple) -> bool:
        return triple in self._local or (self._known is not None and triple in self._known)

    def _remember(self, triple: Triple) -> None:
        self._local.add(triple)
        s, p, o = triple
        if p in self.vocabulary.transitive:
            self._out[p][s].add(o)
            self._in[p][o].add(s)

    def _objects(self, s: Node, p: Node) -> Iterator[Node]:
        yield from self._out[p].get(s, ())
        if self._known is not None:
            yield from self._known.objects(s, p)

    def _subjects(self, p: Node, o: Node) -> Iterator[Node]:
        yield from self._in[p].get(o, ())
        if self._known is not None:
            yield from self._known.subjects(p, o)

    def _derive(self, triple: Triple) -> Iterator[Triple]:
        s, p, o = triple
        v = self.vocabulary
        if p == RDF.type:
            yield from ((s, RDF.type, c) for c in v.super_classes.get(o, ()))
            return
        yield from ((s, q, o) for q in v.super_properties.get(p, ()))
        yield from ((s, RDF.type, c) for c in self.types_of_subject.get(p, ()))
        if isinstance(o, Literal):
            return
        yield from ((o, RDF.type, c) for c in self.types_of_object.get(p, ()))
        yield from ((o, q, s) for q in v.inverse.get(p, ()))
        if p in v.symmetric:
            yield (o, p, s)
        if p in v.transitive:
            yield from ((s, p, o2) for o2 in list(self._objects(o, p)))
            yield from ((s1, p, o) for s1 in list(self._subjects(p, s)))

    def add(self, triples: Iterable[Triple]) -> set[Triple]:
        """Take *triples* as facts; return what they newly derive (neither known nor given)."""
        given = set(triples)
        frontier = [t for t in given if t not in self]
        for t in frontier:
            self._remember(t)
        derived: set[Triple] = set()
        while frontier:
            following: list[Triple] = []
            for t in frontier:
                for d in self._derive(t):
                    if d not in self:
                        self._remember(d)
                        derived.add(d)
                        following.append(d)
            frontier = following
        return derived - given


def validation_closure(data: Iterable[Triple], vocabulary: Vocabulary) -> set[Triple]:
    """The triples the validation closure adds to *data* (not including *data*).

    >>> from rdflib import Graph, Namespace
    >>> zg = Namespace("https://w3id.org/zonegraph/ontology#")
    >>> onto = Graph().parse(data='''
    ...   @prefix zg: <https://w3id.org/zonegraph/ontology#> .
    ...   @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ...   zg:partOf a owl:TransitiveProperty ; owl:inverseOf zg:hasPart .''', format="turtle")
    >>> data = [(zg.a, zg.partOf, zg.b), (zg.b, zg.partOf, zg.c)]
    >>> new = validation_closure(data, Vocabulary(onto))
    >>> (zg.a, zg.partOf, zg.c) in new, (zg.c, zg.hasPart, zg.a) in new
    (True, True)

    With them, the key of each label of a ``zgr:`` entity (``zgsh:labelKey``, which
    zgsh:DuplicateEntityShape joins on: _labelkey).
    """
    data = data if isinstance(data, Graph) else list(data)
    derived = Closure(vocabulary).add(data)
    return derived | set(label_keys(data)) | set(label_keys(derived))


def fast_closure(
    data: Iterable[Triple], ontology: Graph, vocabulary: Vocabulary | None = None
) -> set[Triple]:
    """The triples the full deliberate closure adds to *data* (not including *data*)."""
    return Closure(vocabulary or Vocabulary(ontology), ontology).add(data)
