"""Reading Turtle strictly: a file enters whole and correct, or not at all.

rdflib's Turtle parser is lenient (it keeps ill-typed literals, resolves
relative IRIs against the working directory, accepts IRIs with spaces). This
module parses with rdflib and then checks what rdflib let through, turning
every problem into an :class:`InputError` with file:line:column and a fix.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from ._errors import InputError, Location

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024

# A base no real IRI has: anything resolved against it was relative in the file.
_NO_BASE = "http://no-base.zonegraph.invalid/"
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def parse_turtle(
    path: Path,
    *,
    base: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    display_name: str | None = None,
) -> Graph:
    """Parse one Turtle file strictly and return its graph.

    Raises :class:`InputError` (file:line:column, what, how to fix) for a file
    too large, not UTF-8, with a syntax error, a relative IRI without a base,
    an invalid IRI, an ill-typed literal or a malformed language tag.
    """
    name = display_name or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", where=Location(name)) from exc
    if size > max_bytes:
        raise InputError(
            f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes",
            where=Location(name),
            hint="split it into smaller files, or raise the limit with --max-bytes",
        )
    data = path.read_bytes()
    return parse_turtle_text(data, name=name, base=base)


def parse_turtle_text(data: bytes | str, *, name: str, base: str | None = None) -> Graph:
    """Parse Turtle given as bytes or text; see :func:`parse_turtle`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = _line_col_bytes(data, exc.start)
            raise InputError(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                where=Location(name, line, col),
                hint="save the file as UTF-8",
            ) from exc
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    graph = Graph()
    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs ill-typed literals; we report them
    try:
        graph.parse(data=text, format="turtle", publicID=base or _NO_BASE)
    except BadSyntax as exc:
        line, col = _line_col(text, exc._i)
        why = exc._why
        raise InputError(
            f"Turtle syntax error: {why}",
            where=Location(name, line, col),
            hint=_syntax_hint(why),
        ) from exc
    except Exception as exc:  # rdflib raises bare IndexError, ValueError, ... on some inputs
        line, col = _line_col(text, len(text.rstrip()))
        raise InputError(
            f"Turtle syntax error: {type(exc).__name__}: {exc}".rstrip(": "),
            where=Location(name, line, col),
            hint="check that the last statement ends with ' .'",
        ) from exc
    finally:
        logger.setLevel(level)
    _check_terms(graph, text, name)
    return graph


def _check_terms(graph: Graph, text: str, name: str) -> None:
    seen: set[object] = set()
    for triple in graph:
        for position, term in zip(("subject", "predicate", "object"), triple, strict=True):
            if term in seen:
                continue
            seen.add(term)
            if isinstance(term, URIRef):
                _check_iri(term, text, name)
            elif isinstance(term, Literal):
                if position == "subject":
                    raise InputError(
                        f"a literal cannot be a subject: {term.n3()}",
                        where=_locate(text, name, str(term)),
                        hint="use an IRI or a blank node as the subject",
                    )
                _check_literal(term, text, name)
            elif not isinstance(term, BNode):
                raise InputError(f"unsupported term {term!r}", where=Location(name))


def _check_iri(iri: URIRef, text: str, name: str) -> None:
    value = str(iri)
    if value.startswith(_NO_BASE):
        relative = value[len(_NO_BASE) :]
        raise InputError(
            f"relative IRI <{relative}> with no base to resolve it against",
            where=_locate(text, name, f"<{relative}>"),
            hint="write the full IRI (https://…) or declare @base at the top of the file",
        )
    bad = _BAD_IRI_CHARS.search(value)
    if bad:
        raise InputError(
            f"invalid IRI <{value}>: it contains {bad.group()!r}",
            where=_locate(text, name, value),
            hint="percent-encode the character (a space is %20)",
        )
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise InputError(
            f"invalid IRI <{value}>: it has no scheme",
            where=_locate(text, name, value),
            hint="write an absolute IRI such as https://w3id.org/zonegraph/id/…",
        )


def _check_literal(lit: Literal, text: str, name: str) -> None:
    if lit.datatype is not None and lit.ill_typed:
        raise InputError(
            f"ill-typed literal {lit.n3()}: {lit!s} is not a valid {_short(str(lit.datatype))}",
            where=_locate(text, name, f'"{lit!s}"'),
            hint="write a value of that datatype (xsd:date is YYYY-MM-DD) or change the datatype",
        )
    if lit.language is not None and not _LANG_TAG.match(lit.language):
        raise InputError(
            f"malformed language tag @{lit.language}",
            where=_locate(text, name, f"@{lit.language}"),
            hint="use a BCP 47 tag such as @en or @zh-Hans",
        )


def _short(iri: str) -> str:
    from ._namespaces import shorten

    return shorten(iri)


def _syntax_hint(why: str) -> str:
    lowered = why.lower()
    if "expected '.'" in lowered or "eof" in lowered:
        return "end each statement with ' .', and separate predicates with ';'"
    if "prefix" in lowered:
        return "declare the prefix with @prefix at the top of the file"
    return "see https://www.w3.org/TR/turtle/ for the syntax"


def _line_col(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _line_col_bytes(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    col = index - (data.rfind(b"\n", 0, index) + 1) + 1
    return line, col


def _locate(text: str, name: str, needle: str) -> Location:
    index = text.find(needle)
    if index < 0:
        return Location(name)
    line, col = _line_col(text, index)
    return Location(name, line, col)
