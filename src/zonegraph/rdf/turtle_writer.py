"""The project's canonical Turtle layout, so that adding a fact changes only its lines.

Subjects are sorted (a file's sources first, then by IRI), ``rdf:type`` comes
first and ``rdfs:label`` second, then predicates by prefixed name; every object
of a predicate with several objects stands on a line of its own, sorted. A
blank node used once as an object is written inline as ``[ … ]``. Only the
prefixes the file uses are declared. Writing, reading and writing again gives
the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .namespaces import PREFIXES, ZG

_INDENT = "    "
# What a file is about comes first: its source, or the ontology it declares.
_HEAD_CLASSES = {ZG.Source, ZG.NewsArticle, ZG.WebPage, ZG.ReferenceDataset, OWL.Ontology}
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")


class _Writer:
    """Writes one graph. It reads the graph once, into an index of each subject's
    predicates and objects: rdflib's own lookups cost a pattern match each (1.4 million of
    them, most of a minute, for an export of 200k triples), the index a dictionary access."""

    def __init__(self, graph: Iterable[tuple[Node, Node, Node]]) -> None:
        self.used: set[str] = set()
        self.index: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        as_object: dict[Node, int] = defaultdict(int)
        for s, p, o in graph:
            self.index[s][p].append(o)
            if isinstance(o, BNode):
                as_object[o] += 1
        self.inline = {b for b, n in as_object.items() if n == 1 and b in self.index}
        self.labels: dict[BNode, str] = {}
        self._iris: dict[URIRef, tuple[str, str | None]] = {}
        self._sort_names: dict[Node, str] = {}

    def predicate_objects(self, subject: Node) -> list[tuple[Node, Node]]:
        return [(p, o) for p, objs in self.index.get(subject, {}).items() for o in objs]

    def term(self, term: Node, *, depth: int = 1) -> str:
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            items = self.collection(term)
            if items is not None:
                return "( " + " ".join(self.term(i, depth=depth) for i in items) + " )"
            if term in self.inline:
                return self.block(term, depth + 1)
            return "_:" + self.labels.setdefault(term, f"b{len(self.labels) + 1}")
        raise TypeError(f"cannot write {term!r}")

    def collection(self, node: BNode) -> list[Node] | None:
        """The items of a well-formed RDF list starting at *node*, each list node used once."""
        items: list[Node] = []
        current: Node = node
        seen: set[Node] = set()
        while current != RDF.nil:
            if not isinstance(current, BNode) or current in seen or current not in self.inline:
                return None
            seen.add(current)
            props = self.predicate_objects(current)
            first = [o for p, o in props if p == RDF.first]
            rest = [o for p, o in props if p == RDF.rest]
            if len(props) != 2 or len(first) != 1 or len(rest) != 1:
                return None
            items.append(first[0])
            current = rest[0]
        return items

    def predicate(self, p: Node) -> str:
        return "a" if p == RDF.type else self.term(p)

    def iri(self, iri: URIRef) -> str:
        known = self._iris.get(iri)
        if known is None:
            known = self._iris[iri] = _written_iri(str(iri))
        written, prefix = known
        if prefix is not None:
            self.used.add(prefix)
        return written

    def literal(self, lit: Literal) -> str:
        lex = str(lit)
        if lit.datatype == XSD.integer and _INTEGER.match(lex):
            return lex
        if lit.datatype == XSD.decimal and _DECIMAL.match(lex):
            return lex
        if lit.datatype == XSD.boolean and lex in ("true", "false"):
            return lex
        quoted = _quote(lex)
        if lit.language:
            return f"{quoted}@{lit.language}"
        if lit.datatype is not None and lit.datatype != XSD.string:
            return f"{quoted}^^{self.iri(lit.datatype)}"
        return quoted

    def predicate_order(self, p: Node) -> tuple[int, str]:
        if p == RDF.type:
            return (0, "")
        if p == RDFS.label:
            return (1, "")
        return (2, self._sort_name(p))

    def _sort_name(self, term: Node) -> str:
        known = self._sort_names.get(term)
        if known is None:
            known = self._sort_names[term] = _sort_name(term)
        return known

    def object_key(self, o: Node) -> tuple[int, str, str]:
        if isinstance(o, URIRef):
            return (0, self._sort_name(o), "")
        if isinstance(o, Literal):
            return (1, str(o), f"{o.language or ''}{o.datatype or ''}")
        return (2, self.content_key(o), "")

    def content_key(self, node: Node, depth: int = 0) -> str:
        """A blank node's sort key: its properties and values, nested ones included."""
        if depth > 8:
            return ""
        parts = []
        for p, o in self.predicate_objects(node):
            value = self.content_key(o, depth + 1) if isinstance(o, BNode) else o.n3()
            parts.append(f"{p.n3()} {value}")
        return "[" + " ; ".join(sorted(parts)) + "]"

    def properties(self, subject: Node, depth: int) -> list[str]:
        pad = _INDENT * depth
        by_predicate = self.index.get(subject, {})
        preds = sorted(by_predicate, key=self.predicate_order)
        lines = []
        for p in preds:
            objs = sorted(set(by_predicate[p]), key=self.object_key)
            if len(objs) == 1:
                lines.append(f"{pad}{self.predicate(p)} {self.term(objs[0], depth=depth)}")
            else:
                rendered = [self.term(o, depth=depth + 1) for o in objs]
                inner = f",\n{pad}{_INDENT}"
                lines.append(f"{pad}{self.predicate(p)}\n{pad}{_INDENT}" + inner.join(rendered))
        return lines

    def block(self, node: BNode, depth: int) -> str:
        body = self.properties(node, depth)
        pad = _INDENT * (depth - 1)
        if len(body) == 1 and "\n" not in body[0] and len(body[0].strip()) <= 60:
            return f"[ {body[0].strip()} ]"
        return "[\n" + " ;\n".join(body) + f"\n{pad}]"

    def subject_key(self, s: Node) -> tuple[int, int, str]:
        types = self.index.get(s, {}).get(RDF.type, ())
        is_source = any(c in _HEAD_CLASSES for c in types)
        if isinstance(s, URIRef):
            return (0 if is_source else 1, 0, str(s))
        return (2, 0, "")

    def statements(self) -> list[str]:
        subjects = [s for s in self.index if s not in self.inline]
        named = sorted((s for s in subjects if not isinstance(s, BNode)), key=self.subject_key)
        blanks = [s for s in subjects if isinstance(s, BNode)]
        # Label shared blank nodes in an order fixed by their content.
        blanks.sort(key=self.content_key)
        out = []
        for s in [*named, *blanks]:
            head = (
                self.term(s)
                if not isinstance(s, BNode)
                else "_:" + self.labels.setdefault(s, f"b{len(self.labels) + 1}")
            )
            body = self.properties(s, 1)
            out.append(f"{head}\n" + " ;\n".join(body) + " .\n")
        return out


def _written_iri(text: str) -> tuple[str, str | None]:
    """An IRI as written (a prefixed name where one fits) and the prefix it uses."""
    best = max(
        (p for p, ns in PREFIXES.items() if text.startswith(ns)),
        key=lambda p: len(PREFIXES[p]),
        default=None,
    )
    if best is not None:
        local = text[len(PREFIXES[best]) :]
        if _LOCAL.match(local):
            return f"{best}:{local}", best
    return f"<{text}>", None


def _sort_name(term: Node) -> str:
    text = str(term)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _quote(text: str) -> str:
    """A Turtle string: a long string (three quotes) when it spans lines, so SPARQL
    texts in shapes stay readable."""
    text = text.replace("\\", "\\\\").replace("\r", "\\r")
    if "\n" in text:
        # Inside three quotes a quote needs escaping only before another quote or at the end.
        out = []
        for i, ch in enumerate(text):
            nxt = text[i + 1] if i + 1 < len(text) else None
            out.append('\\"' if ch == '"' and nxt in ('"', None) else ch)
        return '"""' + "".join(out) + '"""'
    return '"' + text.replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def leading_comments(text: str) -> str:
    """The comment block at the top of a Turtle file, without the '# ' marks."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    return "\n".join(lines)


def to_turtle(graph: Graph | Iterable[tuple[Node, Node, Node]], *, header: str = "") -> str:
    """Write *graph* (a Graph, or its triples, each once) in the canonical layout.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ...     <https://w3id.org/zonegraph/id/b> <http://www.w3.org/2000/01/rdf-schema#label> "B"@en ;
    ...         a <https://w3id.org/zonegraph/ontology#Country> .''')
    >>> print(to_turtle(g), end="")
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix zg: <https://w3id.org/zonegraph/ontology#> .
    @prefix zgr: <https://w3id.org/zonegraph/id/> .
    <BLANKLINE>
    zgr:b
        a zg:Country ;
        rdfs:label "B"@en .
    """
    writer = _Writer(graph)
    body = "\n".join(writer.statements())
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    prefixes = [f"@prefix {p}: <{PREFIXES[p]}> ." for p in sorted(writer.used)]
    parts = []
    if lines:
        parts.append("\n".join(lines) + "\n")
    if prefixes:
        parts.append("\n".join(prefixes) + "\n")
    parts.append(body)
    return "\n".join(parts)


def decimal_literal(value: Decimal | int | str) -> Literal:
    """An ``xsd:decimal`` literal in canonical form (``202.0``, ``6240000000.0``)."""
    d = Decimal(str(value))
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)
