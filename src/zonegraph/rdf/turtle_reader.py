"""Reading Turtle 1.1 strictly, as the W3C grammar defines it.

https://www.w3.org/TR/turtle/ — a recursive-descent parser over the text, one
method per production of the grammar. It builds rdflib terms, and checks each
term as it makes it, so every problem is reported where it is (file:line:column):

- the grammar itself: rdflib's parser accepts N3 paths, literals and blank
  nodes as predicates, ``\\ud800`` surrogates, a language tag *and* a datatype;
  this one refuses them (the W3C negative syntax tests);
- IRIs: resolved against the base with RFC 3986 §5.2 (dot segments removed,
  which rdflib skips), refused when relative with no base, or not a valid IRI;
- literals: lexical forms checked against their XSD datatype, language tags
  checked as BCP 47 tags (the rules are in :mod:`zonegraph.rdf.terms`), text
  normalised to Unicode NFC;
- blank nodes: each call gets fresh ones, so ``_:b1`` in two files never collide;
- limits (:class:`zonegraph.rdf.intake.IntakeLimits`), checked while reading, so
  an input over one is refused where it crosses it, before any graph is built:
  triples, nesting depth of ``[ … ]`` and ``( … )``, elements of one collection;
- content: a message quotes the file only once it reads as Turtle (a directive
  or a statement came first), and then at most
  :data:`~zonegraph.rdf.turtle_terms.EXCERPT` characters, escaped. A file that
  is not Turtle (``/etc/passwd`` behind a symlink, a file of secrets) is refused
  without showing what it holds.

:func:`read_turtle` and the grammar's statements are here; the terminals and the terms
(IRIs, prefixed names, strings, literals) and what a message may quote are in
:mod:`zonegraph.rdf.turtle_terms`. :func:`read_turtle` is the entry point;
:mod:`zonegraph.rdf.intake` adds the file-level rules (regular files, size, encoding) on top.

Why this reader and not pyoxigraph's (measured December 2026, pyoxigraph
0.5.13; docs/performance.md, "Reading Turtle"): Oxigraph's parser is 35x
faster (200,026 triples: 0.18 s against 6.3 s) and passes the W3C suite but
for one evaluation test (``langtagged_LONG_with_subtag.ttl``: it lower-cases
the tag), but on tests/data/bad it says less, or the wrong thing, where:

- ``syntax-missing-final-dot.ttl``: "Unexpected end" at 22:1 (the end of the
  file), not "expected '.' at the end of the statement" at 21:41;
- ``syntax-short-unicode-escape.ttl``: "Unexpected end of file" from the
  string's start (19:16), not "malformed escape \\u00e" at 19:35;
- ``syntax-unclosed-string.ttl``, ``syntax-unclosed-long-string.ttl``,
  ``syntax-unclosed-iri.ttl``: "Unexpected end of file", not which string or
  IRI is not closed;
- ``syntax-lang-and-datatype.ttl``: "^^ is not a valid subject or graph name";
- ``syntax-unknown-directive.ttl``: "@import is not a valid subject or graph name";
- ``iri-bad-port.ttl``: "Invalid character 'h'", not "its port 'http' is not a number";
- ``syntax-deep-nesting.ttl``: accepted (no nesting limit), and a collection
  or a depth can only be measured after the fact from its blank nodes;
- every message quotes the file's tokens (``"Test Intake Company" is not a
  valid subject``), which the rule on content above forbids for non-Turtle;
- its parse yields triples without their position, so an input over
  ``--max-triples`` or ``--max-collection`` could be refused but not at the
  file:line:column where it crosses the limit.

So this is the one reader of input files and request bodies.
:mod:`zonegraph.rdf.bulk_reader` uses Oxigraph's parser only to *load* the KG's own
files into an Oxigraph store at scale, where every file it doubts goes to this
reader, and tests/test_fastread.py pins that both accept the same files.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rdflib import RDF, XSD, BNode, Literal, URIRef
from rdflib.term import Node

from .._errors import InputError, Location
from .turtle_terms import (
    ANON,
    CLIP,
    DECIMAL,
    DOUBLE,
    END_HINT,
    INTEGER,
    PNAME,
    PNAME_NS,
    Refusal,
    TermReader,
    line_column,
)

if TYPE_CHECKING:
    from .intake_limits import IntakeLimits

Triple = tuple[Node, Node, Node]

#: How deep ``[ … ]`` and ``( … )`` may nest by default (IntakeLimits.max_depth).
MAX_NESTING = 64
_NOT_TURTLE = (
    "Turtle syntax error: this does not read as Turtle (no directive or statement "
    "could be read before this point; its content is not shown)"
)
_NOT_TURTLE_HINT = (
    "zonegraph reads Turtle (https://www.w3.org/TR/turtle/): check that this is the file "
    "you meant, and that it starts with @prefix lines or a statement"
)


def read_turtle(
    text: str,
    *,
    name: str,
    base: str | None = None,
    refuse: Mapping[URIRef, tuple[str, str]] | None = None,
    limits: IntakeLimits | None = None,
    counted: int = 0,
) -> list[Triple]:
    """The triples of the Turtle document *text*; InputError (file:line:column) if it is not one.

    *base* resolves relative IRIs; without it (and without ``@base`` in the
    text) a relative IRI is refused. *refuse* maps predicates the text may not
    use to the message and the hint of the error. *limits* (default:
    :class:`~zonegraph.rdf.intake.IntakeLimits`) bounds triples, nesting and
    collections; the error is where the input crosses one. *counted* triples
    of other files read together with this one count towards ``max_triples``.

    >>> [str(t) for t in read_turtle('<http://a/s> <http://a/p> "x" .', name="f.ttl")[0]]
    ['http://a/s', 'http://a/p', 'x']
    """
    if limits is None:
        from .intake_limits import IntakeLimits

        limits = IntakeLimits()
    reader = _Reader(text, base, refuse or {}, limits, counted)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logger = logging.getLogger("rdflib")
            level = logger.level
            logger.setLevel(logging.CRITICAL)  # rdflib logs ill-typed literals; we report them
            try:
                reader.document()
            except RecursionError:  # a safety net: max_depth is kept well below this
                raise reader.fail(
                    "brackets nest too deep to read", "flatten the structure", syntax=False
                ) from None
            finally:
                logger.setLevel(level)
    except Refusal as exc:
        line, column = line_column(text, exc.pos)
        message, hint = exc.message, exc.hint
        if len(message) > 4 * CLIP:  # a safety net: every term in it is clipped already
            message = message[: 4 * CLIP] + "…"
        if not reader.turtle_like and exc.quotes:
            message, hint = _NOT_TURTLE, _NOT_TURTLE_HINT
        elif not reader.turtle_like and message.startswith("Turtle syntax error"):
            hint = _NOT_TURTLE_HINT
        raise InputError(message, where=Location(name, line, column), hint=hint) from None
    return reader.triples


class _Reader(TermReader):
    def __init__(
        self,
        text: str,
        base: str | None,
        refuse: Mapping[URIRef, tuple[str, str]],
        limits: IntakeLimits,
        counted: int = 0,
    ) -> None:
        super().__init__(text, base)
        self.refuse = refuse
        self.triples: list[Triple] = []
        self.depth = 0
        self.max_depth = limits.max_depth
        self.max_triples = limits.max_triples
        self.counted = counted  # triples of the files read before, in the same batch
        self.max_collection = limits.max_collection

    def add(self, triple: Triple, pos: int) -> None:
        """Keep *triple*, made at *pos*, unless it is one over the limit."""
        if self.max_triples is not None and len(self.triples) + self.counted >= self.max_triples:
            raise self.too_many(pos)
        self.triples.append(triple)

    def too_many(self, pos: int) -> Refusal:
        before = (
            f", counted over the files given together ({self.counted:,} in those before this one)"
            if self.counted
            else ""
        )
        return self.over_limit(
            f"the input has more than {self.max_triples:,} triples (the limit){before}",
            "--max-triples",
            pos,
        )

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.fail(
                f"brackets nest more than {self.max_depth} deep",
                "flatten the structure (name the inner nodes), or raise the limit with "
                f"--max-depth N (at most {_depth_ceiling()})",
                syntax=False,
            )
        try:
            return parse()
        finally:
            self.depth -= 1

    # -- statements --------------------------------------------------------------

    def document(self) -> None:
        while self.peek():
            self.statement()
            self.turtle_like = True

    def statement(self) -> None:
        start = self.pos
        if self.text.startswith("@", self.pos):
            if self.keyword("@prefix"):
                self.turtle_like = True
                self.prefix_declaration(start, dot=True)
            elif self.keyword("@base"):
                self.turtle_like = True
                self.base_declaration(dot=True)
            else:
                raise self.fail(
                    f"unknown directive {self.shown()}", "directives are @prefix and @base"
                )
            return
        if not PNAME.match(self.text, self.pos):
            if self.keyword("PREFIX", case=False):
                self.turtle_like = True
                self.prefix_declaration(start, dot=False)
                return
            if self.keyword("BASE", case=False):
                self.turtle_like = True
                self.base_declaration(dot=False)
                return
        self.triples_statement()
        self.expect(".", "'.' at the end of the statement")

    def prefix_declaration(self, start: int, *, dot: bool) -> None:
        self.skip()
        m = PNAME_NS.match(self.text, self.pos)
        full = PNAME.match(self.text, self.pos)
        if not m or (full is not None and full.group(2)):
            raise self.fail(
                f"expected a prefix such as 'ex:' after the prefix directive, found {self.shown()}",
                "write @prefix ex: <https://example.org/> .",
            )
        self.pos = m.end()
        self.skip()
        if not self.text.startswith("<", self.pos):
            raise self.fail(
                f"expected the namespace IRI in <…> after {m.group()}, found {self.shown()}",
                "write @prefix ex: <https://example.org/> .",
            )
        self.prefixes[m.group(1) or ""] = self.iri_ref()
        if dot:
            self.expect(".", "'.' after the @prefix directive", "end @prefix with ' .'")

    def base_declaration(self, *, dot: bool) -> None:
        self.skip()
        if not self.text.startswith("<", self.pos):
            raise self.fail(
                f"expected an IRI in <…> after the base directive, found {self.shown()}"
            )
        self.base = self.iri_ref()
        if dot:
            self.expect(".", "'.' after the @base directive", "end @base with ' .'")

    def triples_statement(self) -> None:
        self.skip()
        if self.text.startswith("[", self.pos) and not ANON.match(self.text, self.pos):
            subject = self.blank_node_property_list()
            if self.peek() != ".":
                self.predicate_object_list(subject)
            return
        self.predicate_object_list(self.subject())

    def subject(self) -> Node:
        char = self.peek()
        if char == "<":
            return self.iri_ref_term()
        if char == "[":
            m = ANON.match(self.text, self.pos)
            if m:
                self.pos = m.end()
                return BNode()
        if char == "(":
            return self.nested(self.collection)
        if char == "_":
            return self.blank_node_label()
        if (
            char in ('"', "'")
            or INTEGER.match(self.text, self.pos)
            or DECIMAL.match(self.text, self.pos)
        ):
            raise self.fail(
                "a literal cannot be the subject of a triple",
                "use an IRI or a blank node as the subject",
            )
        if PNAME.match(self.text, self.pos):
            return self.prefixed_name()
        if self.keyword("true") or self.keyword("false"):
            raise self.fail(
                "a literal cannot be the subject of a triple",
                "use an IRI or a blank node as the subject",
                pos=self.pos - 4,
            )
        if not char:
            raise self.fail("the file ends where a subject was expected")
        raise self.fail(f"expected a subject (an IRI or a blank node), found {self.shown()}")

    def predicate_object_list(self, subject: Node) -> None:
        self.object_list(subject, self.verb())
        while self.peek() == ";":
            while self.peek() == ";":
                self.pos += 1
            if self.peek() in (".", "]", ""):
                break
            self.object_list(subject, self.verb())

    def verb(self) -> Node:
        char = self.peek()
        start = self.pos
        if char == "<" or PNAME.match(self.text, self.pos):
            predicate = self.iri_ref_term() if char == "<" else self.prefixed_name()
            if predicate in self.refuse:
                message, hint = self.refuse[predicate]
                raise self.fail(message, hint, pos=start, syntax=False)
            return predicate
        if self.keyword("a"):
            return RDF.type
        if (
            char in ('"', "'")
            or self.keyword("true")
            or self.keyword("false")
            or INTEGER.match(self.text, self.pos)
            or DECIMAL.match(self.text, self.pos)
        ):
            raise self.fail(
                "a literal cannot be a predicate",
                "the predicate must be an IRI (or 'a' for rdf:type)",
            )
        if char in ("[", "_", "("):
            raise self.fail(
                "a blank node or a collection cannot be a predicate",
                "the predicate must be an IRI (or 'a' for rdf:type)",
            )
        if not char:
            raise self.fail("the file ends where a predicate was expected", END_HINT)
        raise self.fail(f"expected a predicate (an IRI), found {self.shown()}", END_HINT)

    def object_list(self, subject: Node, predicate: Node) -> None:
        while True:
            self.skip()
            start = self.pos
            self.add((subject, predicate, self.object()), start)
            if self.peek() != ",":
                break
            self.pos += 1
        if self.peek() not in (";", ".", "]", ",", ""):
            raise self.fail(
                f"expected ';', ',' or '.' after the object, found {self.shown()}", END_HINT
            )

    def object(self) -> Node:
        char = self.peek()
        if char == "<":
            return self.iri_ref_term()
        if char == "[":
            m = ANON.match(self.text, self.pos)
            if m:
                self.pos = m.end()
                return BNode()
            return self.nested(self.blank_node_property_list)
        if char == "(":
            return self.nested(self.collection)
        if char == "_":
            return self.blank_node_label()
        if char in ('"', "'"):
            return self.rdf_literal()
        for pattern, datatype in (
            (DOUBLE, XSD.double),
            (DECIMAL, XSD.decimal),
            (INTEGER, XSD.integer),
        ):
            m = pattern.match(self.text, self.pos)
            if m:
                self.pos = m.end()
                return Literal(m.group(), datatype=datatype)
        if PNAME.match(self.text, self.pos):
            return self.prefixed_name()
        if self.keyword("true"):
            return Literal("true", datatype=XSD.boolean)
        if self.keyword("false"):
            return Literal("false", datatype=XSD.boolean)
        if not char:
            raise self.fail("the file ends where an object was expected", END_HINT)
        raise self.fail(
            f"expected an object (an IRI, a blank node or a literal), found {self.shown()}"
        )

    def blank_node_property_list(self) -> Node:
        self.expect("[", "'['")
        node = BNode()
        self.predicate_object_list(node)
        self.expect("]", "']' to close the blank node", "close each '[' with ']'")
        return node

    def collection(self) -> Node:
        self.expect("(", "'('")
        items: list[Node] = []
        while self.peek() != ")":
            if not self.peek():
                raise self.fail("the file ends inside a collection", "close each '(' with ')'")
            if self.max_collection is not None and len(items) >= self.max_collection:
                raise self.over_limit(
                    f"a collection has more than {self.max_collection:,} elements (the limit)",
                    "--max-collection",
                    self.pos,
                )
            # the collection's two triples per element count before they are made
            if (
                self.max_triples is not None
                and len(self.triples) + self.counted + 2 * (len(items) + 1) > self.max_triples
            ):
                raise self.too_many(self.pos)
            items.append(self.object())
        self.pos += 1
        head: Node = RDF.nil
        for item in reversed(items):
            cell = BNode()
            self.triples.append((cell, RDF.first, item))
            self.triples.append((cell, RDF.rest, head))
            head = cell
        return head


def _depth_ceiling() -> int:
    from .intake_limits import MAX_DEPTH_CEILING

    return MAX_DEPTH_CEILING
