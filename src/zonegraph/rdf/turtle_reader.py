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
  or a statement came first), and then at most :data:`EXCERPT` characters,
  escaped. A file that is not Turtle (``/etc/passwd`` behind a symlink, a file
  of secrets) is refused without showing what it holds.

:func:`read_turtle` is the entry point; :mod:`zonegraph.rdf.intake` adds the
file-level rules (regular files, size, encoding) on top.

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
import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rdflib import RDF, XSD, BNode, Literal, URIRef
from rdflib.term import Node

from .._errors import InputError, Location
from .terms import has_scheme, iri_problem, language_tag_problem, lexical_problem, resolve_iri

if TYPE_CHECKING:
    from .intake_limits import IntakeLimits

Triple = tuple[Node, Node, Node]

#: How deep ``[ … ]`` and ``( … )`` may nest by default (IntakeLimits.max_depth).
MAX_NESTING = 64
#: The most characters of the file a message quotes.
EXCERPT = 20

# -- the grammar's terminals (https://www.w3.org/TR/turtle/#terminals) --------

_BASE_CHARS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE_CHARS + "_"
_C = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE_CHARS}](?:[{_C}.]*[{_C}])?"
# A local name may not end with '.': a run of dots is taken only when a name character follows.
# Possessive (*+, ++) so that nothing backtracks: with a backtracking group, 30 MB of dots
# or of comment lines cost 17 s and 4.6 GB (the regex engine keeps a mark per repetition).
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_C}:]|{_PLX}|\\.++(?=[{_C}:]|{_PLX}))*+"

_WS = re.compile(r"(?:[ \t\r\n]++|#[^\r\n]*+)*+")
_PNAME = re.compile(f"({_PN_PREFIX})?:({_PN_LOCAL})?")
_PNAME_NS = re.compile(f"({_PN_PREFIX})?:")
_BLANK_LABEL = re.compile(f"_:[{_U}0-9](?:[{_C}.]*[{_C}])?")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")
_DOUBLE = re.compile(
    r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"
)
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ANON = re.compile(r"\[(?:[ \t\r\n]++|#[^\r\n]*+)*+\]")
_NAME_CHAR = re.compile(f"[{_C}]")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_STOP = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SHORT_STOP = {'"': re.compile(r'["\\\r\n]'), "'": re.compile(r"['\\\r\n]")}
_LONG_STOP = {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]")}
_EXCERPT_WORD = re.compile(r"\S{1,20}")  # at most EXCERPT characters
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class _Refusal(Exception):
    """A problem at a position of the text; turned into an InputError with line:column."""

    def __init__(self, pos: int, message: str, hint: str, *, quotes: bool = False) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message
        self.hint = hint
        self.quotes = quotes  # the message quotes the file's content


_GRAMMAR_HINT = "see the Turtle grammar, https://www.w3.org/TR/turtle/#sec-grammar"
_END_HINT = "end each statement with ' .', separate predicates with ';' and objects with ','"
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
    except _Refusal as exc:
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


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of the character at *index*."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


class _Reader:
    def __init__(
        self,
        text: str,
        base: str | None,
        refuse: Mapping[URIRef, tuple[str, str]],
        limits: IntakeLimits,
        counted: int = 0,
    ) -> None:
        self.text = text
        self.refuse = refuse
        self.pos = 0
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.blank_nodes: dict[str, BNode] = {}
        self.triples: list[Triple] = []
        self.depth = 0
        self.max_depth = limits.max_depth
        self.max_triples = limits.max_triples
        self.counted = counted  # triples of the files read before, in the same batch
        self.max_collection = limits.max_collection
        #: A directive or a statement was read: the file is Turtle, its content may be quoted.
        self.turtle_like = False

    # -- helpers ---------------------------------------------------------------

    def fail(
        self,
        message: str,
        hint: str = _GRAMMAR_HINT,
        pos: int | None = None,
        *,
        syntax: bool = True,
        quotes: bool = False,
    ) -> _Refusal:
        """The error to raise: a Turtle syntax error, or (``syntax=False``) a bad term.
        *quotes*: the message quotes the file (not shown unless the file reads as Turtle)."""
        text = f"Turtle syntax error: {message}" if syntax else message
        return _Refusal(self.pos if pos is None else pos, text, hint, quotes=quotes)

    def over_limit(self, what: str, option: str, pos: int) -> _Refusal:
        return self.fail(
            what,
            f"split the input into smaller files, or raise the limit with {option} N",
            pos=pos,
            syntax=False,
        )

    def add(self, triple: Triple, pos: int) -> None:
        """Keep *triple*, made at *pos*, unless it is one over the limit."""
        if self.max_triples is not None and len(self.triples) + self.counted >= self.max_triples:
            raise self.too_many(pos)
        self.triples.append(triple)

    def too_many(self, pos: int) -> _Refusal:
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

    def skip(self) -> None:
        m = _WS.match(self.text, self.pos)
        if m:
            self.pos = m.end()

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def shown(self) -> str:
        """The text at the current position, for messages: at most EXCERPT characters,
        escaped, and nothing unless the file reads as Turtle."""
        if self.pos >= len(self.text):
            return "the end of the file"
        if not self.turtle_like:
            return "text that is not Turtle (not shown)"
        word = _EXCERPT_WORD.match(self.text, self.pos)
        return _escaped(word.group() if word else self.text[self.pos])

    def expect(self, char: str, what: str, hint: str = _END_HINT) -> None:
        if self.peek() != char:
            # At the end of the file, point just after the last thing written.
            at = self.pos if self.pos < len(self.text) else len(self.text.rstrip())
            raise self.fail(f"expected {what}, found {self.shown()}", hint, pos=at)
        self.pos += 1

    def keyword(self, word: str, *, case: bool = True) -> bool:
        end = self.pos + len(word)
        found = self.text[self.pos : end]
        if (found == word if case else found.lower() == word.lower()) and not _NAME_CHAR.match(
            self.text, end
        ):
            self.pos = end
            return True
        return False

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
        if not _PNAME.match(self.text, self.pos):
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
        m = _PNAME_NS.match(self.text, self.pos)
        full = _PNAME.match(self.text, self.pos)
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
        if self.text.startswith("[", self.pos) and not _ANON.match(self.text, self.pos):
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
            m = _ANON.match(self.text, self.pos)
            if m:
                self.pos = m.end()
                return BNode()
        if char == "(":
            return self.nested(self.collection)
        if char == "_":
            return self.blank_node_label()
        if (
            char in ('"', "'")
            or _INTEGER.match(self.text, self.pos)
            or _DECIMAL.match(self.text, self.pos)
        ):
            raise self.fail(
                "a literal cannot be the subject of a triple",
                "use an IRI or a blank node as the subject",
            )
        if _PNAME.match(self.text, self.pos):
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
        if char == "<" or _PNAME.match(self.text, self.pos):
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
            or _INTEGER.match(self.text, self.pos)
            or _DECIMAL.match(self.text, self.pos)
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
            raise self.fail("the file ends where a predicate was expected", _END_HINT)
        raise self.fail(f"expected a predicate (an IRI), found {self.shown()}", _END_HINT)

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
                f"expected ';', ',' or '.' after the object, found {self.shown()}", _END_HINT
            )

    def object(self) -> Node:
        char = self.peek()
        if char == "<":
            return self.iri_ref_term()
        if char == "[":
            m = _ANON.match(self.text, self.pos)
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
            (_DOUBLE, XSD.double),
            (_DECIMAL, XSD.decimal),
            (_INTEGER, XSD.integer),
        ):
            m = pattern.match(self.text, self.pos)
            if m:
                self.pos = m.end()
                return Literal(m.group(), datatype=datatype)
        if _PNAME.match(self.text, self.pos):
            return self.prefixed_name()
        if self.keyword("true"):
            return Literal("true", datatype=XSD.boolean)
        if self.keyword("false"):
            return Literal("false", datatype=XSD.boolean)
        if not char:
            raise self.fail("the file ends where an object was expected", _END_HINT)
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

    # -- terms -------------------------------------------------------------------

    def blank_node_label(self) -> BNode:
        m = _BLANK_LABEL.match(self.text, self.pos)
        if not m:
            raise self.fail(f"malformed blank node label {self.shown()}", "write _:name")
        self.pos = m.end()
        label = m.group()[2:]
        node = self.blank_nodes.get(label)
        if node is None:
            node = self.blank_nodes[label] = BNode()
        return node

    def iri_ref_term(self) -> URIRef:
        return URIRef(self.iri_ref())

    def iri_ref(self) -> str:
        """An IRIREF at the current position, unescaped, resolved and checked."""
        start = self.pos
        assert self.text[start] == "<"
        i = start + 1
        parts: list[str] = []
        while True:
            m = _IRI_STOP.search(self.text, i)
            if m is None:
                raise self.fail(_IRI_OPEN, "close the IRI with '>'", pos=start)
            parts.append(self.text[i : m.start()])
            char = m.group()
            if char == ">":
                self.pos = m.end()
                break
            if char == "\\":
                decoded, i = self.unicode_escape(m.start(), in_iri=True)
                if _IRI_FORBIDDEN.match(decoded):
                    raise self.fail(
                        f"the escape {self.text[m.start() : i]} gives {decoded!r}, "
                        "which an IRI cannot contain",
                        "percent-encode the character (a space is %20)",
                        pos=m.start(),
                        syntax=False,
                        quotes=True,
                    )
                parts.append(decoded)
                continue
            line_end = self.text.find("\n", m.start())
            rest = self.text[m.start() : len(self.text) if line_end < 0 else line_end]
            if char in "\r\n<" or (char in " \t" and ">" not in rest):
                raise self.fail(_IRI_OPEN, "close the IRI with '>'", pos=start)
            raise self.fail(
                f"invalid IRI: it contains {char!r}",
                "percent-encode the character (a space is %20)",
                pos=m.start(),
            )
        # IRIs compare code point by code point: unlike literals, they are not normalised.
        return self.absolute("".join(parts), start)

    def absolute(self, iri: str, pos: int) -> str:
        """*iri* resolved against the base, and checked."""
        if not has_scheme(iri):
            if self.base is None:
                raise self.fail(
                    f"relative IRI <{_clip(iri)}> with no base to resolve it against",
                    "write the full IRI (https://…) or declare @base at the top of the file",
                    pos=pos,
                    syntax=False,
                    quotes=True,
                )
            iri = resolve_iri(self.base, iri)
        problem = iri_problem(iri)
        if problem:
            raise self.fail(
                f"invalid IRI <{_clip(iri)}>: {_clip(problem)}",
                _IRI_HINT,
                pos=pos,
                syntax=False,
                quotes=True,
            )
        return iri

    def prefixed_name(self) -> URIRef:
        start = self.pos
        m = _PNAME.match(self.text, self.pos)
        assert m is not None
        prefix = m.group(1) or ""
        if prefix not in self.prefixes:
            raise self.fail(
                f"the prefix '{_clip(prefix)}:' is not declared",
                f"declare the prefix with @prefix {_clip(prefix)}: <…> . at the top of the file",
                quotes=True,
            )
        self.pos = m.end()
        local = _LOCAL_ESCAPE.sub(r"\1", m.group(2) or "")
        iri = self.prefixes[prefix] + local
        problem = iri_problem(iri)
        if problem:
            raise self.fail(
                f"invalid IRI <{_clip(iri)}>: {_clip(problem)}",
                _IRI_HINT,
                pos=start,
                syntax=False,
                quotes=True,
            )
        return URIRef(iri)

    def unicode_escape(self, at: int, *, in_iri: bool) -> tuple[str, int]:
        """Decode the escape starting with the backslash at *at*: (text, index after it)."""
        kind = self.text[at + 1 : at + 2]
        if kind in ("u", "U"):
            size = 4 if kind == "u" else 8
            digits = self.text[at + 2 : at + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.fail(
                    f"malformed escape \\{kind}{digits[:size]}: \\{kind} takes {size} hex digits",
                    "write \\u followed by 4 hex digits, or \\U followed by 8",
                    pos=at,
                )
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                raise self.fail(
                    f"the escape \\{kind}{digits} is not a character (a surrogate or out of range)",
                    "write the character itself, or its code point above U+FFFF with \\U",
                    pos=at,
                )
            return chr(code), at + 2 + size
        if not in_iri and kind in _ECHAR:
            return _ECHAR[kind], at + 2
        if in_iri:
            raise self.fail(
                f"invalid escape \\{kind} in an IRI; only \\u and \\U escapes are allowed there",
                "percent-encode the character instead",
                pos=at,
            )
        raise self.fail(
            f"invalid escape \\{kind} in a string",
            "escapes are \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uXXXX \\UXXXXXXXX; "
            "write \\\\ for a backslash",
            pos=at,
        )

    def string(self) -> str:
        """A quoted string at the current position, unescaped."""
        start = self.pos
        quote = self.text[start]
        long = self.text.startswith(quote * 3, start)
        i = start + (3 if long else 1)
        stop = (_LONG_STOP if long else _SHORT_STOP)[quote]
        parts: list[str] = []
        while True:
            m = stop.search(self.text, i)
            if m is None:
                raise self.fail(
                    "a string is not closed",
                    f"close the string with {quote * (3 if long else 1)}",
                    pos=start,
                )
            parts.append(self.text[i : m.start()])
            char = m.group()
            if char == "\\":
                decoded, i = self.unicode_escape(m.start(), in_iri=False)
                parts.append(decoded)
            elif char in "\r\n":
                raise self.fail(
                    "a string is not closed on its line (a line break inside a short string)",
                    f"close the string with {quote}; for text over several lines write \\n, "
                    f"or use a long string {quote * 3}…{quote * 3}",
                    pos=start,
                )
            elif not long:
                self.pos = m.end()
                return "".join(parts)
            elif self.text.startswith(quote * 3, m.start()):
                self.pos = m.start() + 3
                return "".join(parts)
            else:
                parts.append(char)
                i = m.end()

    def rdf_literal(self) -> Literal:
        start = self.pos
        lexical = unicodedata.normalize("NFC", self.string())
        if self.peek() == "@":
            m = _LANGTAG.match(self.text, self.pos)
            if not m:
                raise self.fail(
                    "malformed language tag", "use a BCP 47 tag such as @en or @zh-Hans"
                )
            tag = m.group()[1:]
            problem = language_tag_problem(tag)
            if problem:
                raise self.fail(
                    f"malformed language tag @{_clip(tag)} ({_clip(problem)})",
                    "use a BCP 47 tag such as @en, @de-CH or @zh-Hans",
                    syntax=False,
                    quotes=True,
                )
            self.pos = m.end()
            self.skip()
            if self.text.startswith("^^", self.pos):
                raise self.fail(
                    "a literal has a language tag and a datatype; it can have only one",
                    "drop the ^^datatype (a tagged string is an rdf:langString)",
                )
            return Literal(lexical, lang=tag)
        if self.peek() == "^" and self.text.startswith("^^", self.pos):
            self.pos += 2
            char = self.peek()
            if char == "<":
                datatype = self.iri_ref_term()
            elif _PNAME.match(self.text, self.pos):
                datatype = self.prefixed_name()
            else:
                raise self.fail(f"expected a datatype IRI after '^^', found {self.shown()}")
            problem = lexical_problem(lexical, str(datatype))
            literal = Literal(lexical, datatype=datatype)
            if problem is None and literal.ill_typed:
                problem = "not in its lexical space"
            if problem:
                short = _short(str(datatype))
                raise self.fail(
                    f'ill-typed literal "{_clip(lexical)}"^^{_clip(short)}: {_clip(problem)}',
                    _DATATYPE_HINTS.get(
                        short, "write a value of that datatype, or change the datatype"
                    ),
                    pos=start,
                    syntax=False,
                    quotes=True,
                )
            return literal
        return Literal(lexical)


_IRI_OPEN = "an IRI is not closed with '>'"
_IRI_HINT = "percent-encode characters an IRI cannot hold (a space is %20), and check the IRI"
_DATATYPE_HINTS = {
    "xsd:date": "write a date as YYYY-MM-DD, such as 2018-06-10",
    "xsd:dateTime": "write a date and time as YYYY-MM-DDThh:mm:ss, such as 2018-06-10T09:30:00",
    "xsd:gYear": "write a year as YYYY, such as 2011",
    "xsd:gYearMonth": "write a month as YYYY-MM, such as 2011-06",
    "xsd:integer": "write a whole number without quotes, such as 50",
    "xsd:decimal": "write a number without quotes, such as 6.24",
    "xsd:boolean": "write true or false",
}


#: The most characters of one term (an IRI, a lexical form, a tag) a message repeats.
CLIP = 80


def _clip(text: str) -> str:
    """*text*, cut to CLIP characters: a message must not repeat a 30 MB literal."""
    return text if len(text) <= CLIP else f"{text[:CLIP]}… ({len(text):,} characters)"


def _escaped(text: str) -> str:
    """*text* quoted with every character outside printable ASCII escaped."""
    return repr(text).encode("ascii", "backslashreplace").decode("ascii")


def _depth_ceiling() -> int:
    from .intake_limits import MAX_DEPTH_CEILING

    return MAX_DEPTH_CEILING


def _short(iri: str) -> str:
    xsd = str(XSD)
    return f"xsd:{iri[len(xsd) :]}" if iri.startswith(xsd) else f"<{iri}>"
