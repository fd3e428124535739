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
  (:func:`rewrite`): the predicates above, a pattern with a variable predicate
  becomes a UNION of the asserted triples and each derived predicate's path, and
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ..reason.core import Vocabulary
from ..reason.labelkey import LABEL_KEY
from ..sparql.text import Token, tokens

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

    def derived(
        self, s: str, p: str, o: str, *, only_ends: bool = False, distinct_predicates: bool = False
    ) -> str:
        """``s ?p o`` over the validation data: the asserted triples and each derived
        predicate's path, as a UNION that binds ?p.

        With *only_ends* (?p and one end are used nowhere else: "has the node any
        triple"), the cheap equivalent: a node is a subject (object) of the closure
        when it is one of the asserted triples or an object (subject) of a triple the
        rules turn around; every other rule keeps both ends. With *distinct_predicates*
        (both ends used nowhere else: "which predicates are there"), a derived predicate is
        there when a triple of one of the predicates it is derived from is."""
        if distinct_predicates:
            pairs = " ".join(
                f"({nt(pred)} {nt(x)})"
                for pred in sorted(self.paths, key=str)
                for x in sorted({a for a, _ in self._atoms(pred)}, key=str)
            )
            atom = f"{p}_atom"
            return f"{{ {s} {p} {o} }} UNION {{ VALUES ({p} {atom}) {{ {pairs} }} {s} {atom} {o} }}"
        if only_ends:
            flips = ", ".join(nt(x) for x in self.flipping())
            turned = f"{{ {o} {p} {s} FILTER({p} IN ({flips})) }}" if flips else ""
            return f"{{ {s} {p} {o} }}" + (f" UNION {turned}" if turned else "")
        branches = [f"{{ {s} {p} {o} }}"]
        branches.append(f"{{ {s} {TYPE}/{SUBCLASS}+ {o} FILTER(isIRI({o})) BIND({TYPE} AS {p}) }}")
        for pred, path in sorted(self.paths.items(), key=lambda kv: str(kv[0])):
            branches.append(f"{{ {s} {path} {o} BIND({nt(pred)} AS {p}) }}")
        return " UNION ".join(branches)


def rewrite(text: str, prefixes: Mapping[str, str], view: ClosureView) -> str:
    """The query *text* (with *prefixes*, ``prefix -> namespace``) rewritten to see the
    validation closure; Unsupported where a pattern cannot be rewritten exactly."""
    return _Rewriter(text, prefixes, view).run()


class _Rewriter:
    def __init__(self, text: str, prefixes: Mapping[str, str], view: ClosureView) -> None:
        self.text = text
        self.toks: list[Token] = [t for t in tokens(text) if t.kind != "comment"]
        self.prefixes = prefixes
        self.view = view
        self.edits: list[tuple[int, int, str]] = []
        #: The sub-SELECTs being read: their token range and the variables they project.
        self.scopes: list[tuple[int, int, set[str]]] = []

    def run(self) -> str:
        i = 0
        while i < len(self.toks) and self.toks[i].text != "{":
            i += 1
        if i < len(self.toks):
            self.group(i + 1)
        out = self.text
        for start, end, new in sorted(self.edits, reverse=True):
            out = out[:start] + new + out[end:]
        return out

    def at(self, i: int) -> str:
        return self.toks[i].text if i < len(self.toks) else ""

    def iri(self, tok: Token) -> URIRef | None:
        if tok.kind == "iri":
            return URIRef(tok.text[1:-1])
        if tok.kind == "word" and tok.text == "a":
            return URIRef(RDF.type)
        if tok.kind == "word" and ":" in tok.text:
            prefix, _, local = tok.text.partition(":")
            if prefix in self.prefixes:
                return URIRef(self.prefixes[prefix] + local)
        return None

    def group(self, i: int) -> int:
        """Rewrite the group whose ``{`` is before *i*; return the index after its ``}``."""
        after_select = False
        while i < len(self.toks):
            tok = self.toks[i]
            word = tok.text.upper() if tok.kind == "word" else ""
            if tok.text == "}":
                return i + 1
            if after_select:
                i += 1
            elif tok.text == "{":
                i = self.group(i + 1)
            elif tok.text == "." or word in ("OPTIONAL", "MINUS", "UNION"):
                i += 1
            elif word in ("GRAPH", "SERVICE"):
                i += 2
            elif word in ("FILTER", "BIND"):
                i = self.expression(i + 1)
            elif word == "VALUES":
                while self.at(i) != "{":
                    i += 1
                i = self.skip_block(i)
            elif word == "SELECT":
                start = i
                while self.at(i) != "{":
                    i += 1
                projected = {t.text for t in self.toks[start:i] if t.kind == "var"}
                if any(t.text == "*" for t in self.toks[start:i]):
                    projected = {t.text for t in self.toks if t.kind == "var"}
                self.scopes.append((start, self.skip_block(i), projected))
                i = self.group(i + 1)
                self.scopes.pop()
                after_select = True  # GROUP BY, HAVING ... up to the closing brace
            else:
                i = self.statement(i)
        return i

    def skip_block(self, i: int) -> int:
        depth = 0
        while i < len(self.toks):
            if self.toks[i].text == "{":
                depth += 1
            elif self.toks[i].text == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i

    def expression(self, i: int) -> int:
        """Skip a FILTER or BIND expression, rewriting the groups of EXISTS inside it."""
        if self.at(i).upper() == "NOT":
            i += 1
        if self.at(i).upper() == "EXISTS":
            return self.group(i + 2)
        if self.at(i) != "(":
            i += 1  # a function name: FILTER regex(...)
        depth = 0
        while i < len(self.toks):
            t = self.toks[i].text
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif t.upper() == "EXISTS" and self.at(i + 1) == "{":
                i = self.group(i + 2)
                continue
            i += 1
        return i

    def term(self, i: int) -> int:
        """The index after the RDF term (subject or object) at *i*."""
        tok = self.toks[i]
        if tok.text in ("[", "("):
            raise Unsupported("blank node and collection syntax in a rewritten query")
        if tok.kind == "string":
            i += 1
            if self.at(i) == "@":
                return i + 2
            if self.at(i) == "^" and self.at(i + 1) == "^":
                return i + 3
            return i
        if tok.kind == "other":  # a number: its characters are tokens of their own
            end = tok.end
            i += 1
            while (
                i < len(self.toks)
                and self.toks[i].start == end
                and self.toks[i].kind
                in (
                    "other",
                    "word",
                )
            ):
                end = self.toks[i].end
                i += 1
            return i
        return i + 1

    def statement(self, i: int) -> int:
        """Rewrite one triples statement starting at the subject at *i*."""
        start = i
        i = self.term(i)
        subject = self.text[self.toks[start].start : self.toks[i - 1].end]
        first = True
        while True:
            verb = self.toks[i]
            special = verb.kind == "var" or self.iri(verb) == LABEL_KEY
            if special:
                if not first:
                    raise Unsupported("a variable or zgsh:labelKey predicate after ';'")
                obj_start = i + 1
                end = self.term(obj_start)
                if self.at(end) in (";", ","):
                    raise Unsupported("a variable or zgsh:labelKey predicate inside ';' or ','")
                obj = self.text[self.toks[obj_start].start : self.toks[end - 1].end]
                span = (self.toks[start].start, self.toks[end - 1].end)
                if verb.kind == "var":
                    ends = self.once(verb) and (
                        self.once(self.toks[start]) or self.once(self.toks[obj_start])
                    )
                    name = self.text[verb.start : verb.end]
                    both = self.once(self.toks[start]) and self.once(self.toks[obj_start])
                    new = self.view.derived(
                        subject, name, obj, only_ends=ends, distinct_predicates=both and not ends
                    )
                else:
                    new = self.label_values(subject, obj)
                self.edits.append((*span, new))
                return end
            i = self.path(i)
            i = self.term(i)
            while self.at(i) == ",":
                i = self.term(i + 1)
            if self.at(i) == ";":
                i += 1
                if self.at(i) in (".", "}", ";"):
                    return i
                first = False
                continue
            return i

    def once(self, tok: Token) -> bool:
        """True for a variable used nowhere else: in the innermost sub-SELECT that does
        not project it, else in the whole query."""
        if tok.kind != "var":
            return False
        toks = self.toks
        if self.scopes and tok.text not in self.scopes[-1][2]:
            start, end, _ = self.scopes[-1]
            toks = self.toks[start:end]
        return sum(1 for t in toks if t.kind == "var" and t.text == tok.text) == 1

    def label_values(self, s: str, o: str) -> str:
        if not (s.startswith(("?", "$")) and o.startswith(("?", "$"))):
            raise Unsupported("zgsh:labelKey is joined on between two variables only")
        rows = " ".join(f"({nt(e)} {nt(k)})" for e, k in self.view.shared_keys())
        # no key shared: nothing joins (an empty VALUES block, which rdflib cannot run)
        return f"VALUES ({s} {o}) {{ {rows} }}" if rows else "FILTER(false)"

    def path(self, i: int) -> int:
        """Rewrite the property path (the verb) at *i*; return the index after it."""
        depth = 0
        while i < len(self.toks):
            tok = self.toks[i]
            if tok.text == "!":
                raise Unsupported("a negated property set cannot see the closure")
            if tok.text == "(":
                depth += 1
                i += 1
                continue
            if tok.text == "^":
                i += 1
                continue
            iri = self.iri(tok)
            if tok.text == ")":
                depth -= 1
            elif iri is not None:
                new = self.view.predicate(iri)
                if new != nt(iri):
                    self.edits.append((tok.start, tok.end, new))
            else:
                raise Unsupported(f"cannot read the predicate {tok.text!r}")
            i += 1
            while self.at(i) in ("*", "+", "?") and self.toks[i].kind == "other":
                i += 1
            if depth > 0 or self.at(i) in ("/", "|"):
                if self.at(i) in ("/", "|"):
                    i += 1
                continue
            return i
        return i
