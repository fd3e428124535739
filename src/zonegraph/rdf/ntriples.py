"""N-Triples text for RDF terms and triples (the wire format of SPARQL Update and of
Oxigraph's loader)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from .._errors import QueryError, StoreError

if TYPE_CHECKING:
    pass


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


_LANGUAGE = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def nt_iri(iri: str) -> str:
    """``<iri>``; StoreError if *iri* holds a character an IRI may not (a way out of the text)."""
    if _IRI_FORBIDDEN.search(iri) or not iri:
        raise StoreError(
            f"{iri!r} is not an IRI that can be written into SPARQL",
            hint='IRIs may not contain spaces, control characters or any of <>"{}|^`\\',
        )
    return f"<{iri}>"


def nt_literal(literal: Literal) -> str:
    """A literal in N-Triples syntax (valid SPARQL too); quotes, backslashes, newlines escaped."""
    lexical = str(literal)
    text = "".join(_ESCAPES.get(c, c) for c in lexical)
    # A "u" after a backslash is written as the escape \U00000075: SPARQL engines that undo \u
    # escapes before parsing (as the specification says, and rdflib does) would otherwise read
    # the text "\u0022" as an escaped quote. Eight digits, so no hex digit after it is taken in.
    if "\\" in lexical:
        text = re.sub(r"\\\\([uU])", lambda m: f"\\\\\\U{ord(m.group(1)):08X}", text)
    if literal.language:
        if not _LANGUAGE.match(literal.language):
            raise StoreError(f"{literal.language!r} is not a language tag")
        return f'"{text}"@{literal.language}'
    if literal.datatype is not None and literal.datatype != XSD.string:
        return f'"{text}"^^{nt_iri(str(literal.datatype))}'
    return f'"{text}"'


def nt_term(term: Node, bnodes: dict[BNode, str] | None = None) -> str:
    """*term* in N-Triples syntax. Blank nodes get labels ``_:b0`` … from *bnodes*;
    without a mapping a blank node is refused (a query cannot name one)."""
    if isinstance(term, URIRef):
        return nt_iri(str(term))
    if isinstance(term, Literal):
        return nt_literal(term)
    if isinstance(term, BNode):
        if bnodes is None:
            raise QueryError(
                "a blank node cannot be sent to a server as a query parameter",
                hint="name the node with an IRI",
            )
        if term not in bnodes:
            bnodes[term] = f"_:b{len(bnodes)}"
        return bnodes[term]
    raise StoreError(f"cannot write {term!r} in N-Triples")


def ntriples(triples: Iterable[tuple[Node, Node, Node]], bnodes: dict[BNode, str]) -> str:
    """Triples as N-Triples lines, blank nodes labelled through *bnodes*."""
    return "".join(
        f"{nt_term(s, bnodes)} {nt_term(p, bnodes)} {nt_term(o, bnodes)} .\n" for s, p, o in triples
    )
