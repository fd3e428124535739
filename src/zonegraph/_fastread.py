"""Reading the KG's Turtle files with Oxigraph's parser, for loading at scale.

``zonegraph --store oxigraph:DIR load`` of a million triples would spend most
of its time in the strict reader (:mod:`zonegraph._reader`, pure Python) and
in rdflib graphs. Here each file is parsed twice by Oxigraph's Rust parser
(strict W3C Turtle, IRIs validated): once to check it, once to stream it into
the store. The check applies the strict reader's term rules to every distinct
term (_terms: absolute IRIs, XSD lexical spaces, BCP 47 tags) and refuses
``owl:imports``; a file the check doubts is handed to the strict reader,
which either reads it (literals it would normalise to NFC) or reports the
problem at file:line:column, as every other command does.
tests/test_fastread.py shows both readers accept the same files, with the
same triples, over the W3C Turtle suite and the project's bad-input corpus.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, XSD, Literal, URIRef

from ._errors import InputError, Location
from ._parse import parse_turtle
from ._reader import MAX_NESTING
from ._terms import iri_problem, language_tag_problem, lexical_problem

_XSD = str(XSD)
_STRINGS = {str(XSD.string), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
_IMPORTS = str(OWL.imports)


def checked(
    path: Path, *, display_name: str, allow_network: bool = False, base: str | None = None
) -> bool:
    """True when Oxigraph's parse of *path* is what the strict reader would read.

    False when the strict reader must read it instead (it normalises a literal
    to NFC). A file with a problem raises the strict reader's located
    :class:`InputError`.
    """
    try:
        if _problem(path, allow_network, base) is None:
            return True
    except (SyntaxError, ValueError, OSError) as exc:
        strict_or_raise(path, display_name, allow_network, base, f"Oxigraph cannot read it: {exc}")
        return False
    strict_or_raise(path, display_name, allow_network, base, None)
    return False


def strict_or_raise(
    path: Path, name: str, allow_network: bool, base: str | None, problem: str | None
) -> None:
    """Read *path* strictly, which raises the located error; if it reads, *problem* stands."""
    parse_turtle(path, max_bytes=None, display_name=name, allow_network=allow_network, base=base)
    if problem is not None:
        raise InputError(
            problem,
            where=Location(name),
            hint="fix the file; zonegraph fmt FILE shows what the strict reader makes of it",
        )


def _parse(path: Path, base: str | None) -> Iterator[ox.Quad]:
    return iter(
        ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base, rename_blank_nodes=True)
    )


def _problem(path: Path, allow_network: bool, base: str | None) -> str | None:
    iris: set[str] = set()
    literals: set[tuple[str, str, str | None]] = set()
    links: dict[str, set[str]] = {}
    for q in _parse(path, base):
        s, o = q.subject, q.object
        if isinstance(s, ox.NamedNode):
            iris.add(s.value)
        iris.add(q.predicate.value)
        if isinstance(o, ox.NamedNode):
            iris.add(o.value)
        elif isinstance(o, ox.Literal):
            literals.add((o.value, o.datatype.value, o.language))
        elif not isinstance(o, ox.BlankNode):
            return "it holds an RDF-star triple term"
        elif isinstance(s, ox.BlankNode):
            links.setdefault(s.value, set()).add(o.value)
        if q.predicate.value == _IMPORTS and not allow_network:
            return "owl:imports"
    if links and _longest_chain(links) > MAX_NESTING:
        return "blank nodes nested deeper than the strict reader allows (or a long list)"
    for iri in iris:
        if iri_problem(iri):
            return f"IRI <{iri}>"
    for value, datatype, language in literals:
        if not unicodedata.is_normalized("NFC", value):
            return "a literal not in NFC"
        if language is not None:
            if language_tag_problem(language):
                return f"language tag @{language}"
            continue
        iris_problem = iri_problem(datatype)
        if iris_problem:
            return f"datatype <{datatype}>"
        if datatype in _STRINGS:
            continue
        if lexical_problem(value, datatype) or (
            datatype.startswith(_XSD) and Literal(value, datatype=URIRef(datatype)).ill_typed
        ):
            return f'literal "{value}"^^<{datatype}>'
    return None


def _longest_chain(links: dict[str, set[str]]) -> int:
    """The longest path of blank node to blank node links (a bound on ``[``/``(`` nesting);
    a cycle counts as unbounded."""
    depth: dict[str, int] = {}
    for start in links:
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(links.get(start, ())))]
        on_path = {start}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                depth[node] = 1 + max((depth.get(c, 0) for c in links.get(node, ())), default=0)
            elif child in on_path:
                return MAX_NESTING + 1
            elif child not in depth and child in links:
                on_path.add(child)
                stack.append((child, iter(links[child])))
        if depth.get(start, 0) > MAX_NESTING:
            return depth[start]
    return max(depth.values(), default=0)


def quads(path: Path, graph: URIRef, *, base: str | None = None) -> Iterator[ox.Quad]:
    """The triples of *path* (already :func:`checked`) as quads in *graph*."""
    name = ox.NamedNode(str(graph))
    for q in _parse(path, base):
        yield ox.Quad(q.subject, q.predicate, q.object, name)
