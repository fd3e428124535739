"""The terms of Turtle: its terminals, and reading one IRI, prefixed name, blank node
label, string or literal at a position, checked as it is made.

:class:`TermReader` holds the position in the text and what the terms need (the base, the
prefixes, the blank node labels); :mod:`zonegraph.rdf.turtle_reader` builds the grammar's
statements on it. Here too are the refusals (:class:`Refusal`: a message at a position of
the text, turned into file:line:column by :func:`zonegraph.rdf.turtle_reader.read_turtle`)
and what a message may quote of the file: at most :data:`EXCERPT` characters at the
position, escaped, and nothing unless the file reads as Turtle; each term clipped to
:data:`CLIP` characters.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import XSD, BNode, Literal, URIRef

from .terms import has_scheme, iri_problem, language_tag_problem, lexical_problem, resolve_iri

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
PNAME = re.compile(f"({_PN_PREFIX})?:({_PN_LOCAL})?")
PNAME_NS = re.compile(f"({_PN_PREFIX})?:")
_BLANK_LABEL = re.compile(f"_:[{_U}0-9](?:[{_C}.]*[{_C}])?")
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")
DOUBLE = re.compile(
    r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"
)
DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
INTEGER = re.compile(r"[+-]?[0-9]+")
ANON = re.compile(r"\[(?:[ \t\r\n]++|#[^\r\n]*+)*+\]")
_NAME_CHAR = re.compile(f"[{_C}]")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_STOP = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SHORT_STOP = {'"': re.compile(r'["\\\r\n]'), "'": re.compile(r"['\\\r\n]")}
_LONG_STOP = {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]")}
_EXCERPT_WORD = re.compile(r"\S{1,20}")  # at most EXCERPT characters
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class Refusal(Exception):
    """A problem at a position of the text; turned into an InputError with line:column."""

    def __init__(self, pos: int, message: str, hint: str, *, quotes: bool = False) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message
        self.hint = hint
        self.quotes = quotes  # the message quotes the file's content


_GRAMMAR_HINT = "see the Turtle grammar, https://www.w3.org/TR/turtle/#sec-grammar"
END_HINT = "end each statement with ' .', separate predicates with ';' and objects with ','"


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of the character at *index*."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


class TermReader:
    """The text, the position in it, and reading the terms of the grammar at that position."""

    def __init__(self, text: str, base: str | None) -> None:
        self.text = text
        self.pos = 0
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.blank_nodes: dict[str, BNode] = {}
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
    ) -> Refusal:
        """The error to raise: a Turtle syntax error, or (``syntax=False``) a bad term.
        *quotes*: the message quotes the file (not shown unless the file reads as Turtle)."""
        text = f"Turtle syntax error: {message}" if syntax else message
        return Refusal(self.pos if pos is None else pos, text, hint, quotes=quotes)

    def over_limit(self, what: str, option: str, pos: int) -> Refusal:
        return self.fail(
            what,
            f"split the input into smaller files, or raise the limit with {option} N",
            pos=pos,
            syntax=False,
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

    def expect(self, char: str, what: str, hint: str = END_HINT) -> None:
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
        m = PNAME.match(self.text, self.pos)
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
            elif PNAME.match(self.text, self.pos):
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


def _short(iri: str) -> str:
    xsd = str(XSD)
    return f"xsd:{iri[len(xsd) :]}" if iri.startswith(xsd) else f"<{iri}>"
