"""Reading the KG's Turtle files with Oxigraph's parser, for loading at scale.

``zonegraph --store oxigraph:DIR load`` of a million triples would spend most
of its time in the strict reader (:mod:`zonegraph.rdf.turtle_reader`, pure Python) and
in rdflib graphs. Here each file is parsed once by Oxigraph's Rust parser
(strict W3C Turtle, IRIs validated) into a list of quads, which are both
checked and handed to the store (:func:`read_checked`). The check applies the
strict reader's term rules to every distinct term (_terms: absolute IRIs, XSD
lexical spaces, BCP 47 tags) and refuses ``owl:imports``; a file the check
doubts is handed to the strict reader, which either reads it (literals it would
normalise to NFC) or reports the problem at file:line:column, as every other
command does.

Why parse once into a list rather than check one parse and stream a second
one into the store: at 200k triples the second parse cost as much as the
checks (benchmarks/intake_load.py); holding one file's quads is cheap, since
the KG's files are one per source. IRIs already found valid in earlier files
of the same load (*known_iris*: the ontology's terms recur in every file) are
not checked again.
tests/test_fastread.py shows both readers accept the same files, with the
same triples, over the W3C Turtle suite and the project's bad-input corpus.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, XSD, Literal, URIRef

from .._errors import InputError, Location
from .intake import not_regular, parse_turtle
from .terms import iri_problem, language_tag_problem, lexical_problem
from .turtle_reader import MAX_NESTING

_XSD = str(XSD)
_STRINGS = {str(XSD.string), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
_IMPORTS_NODE = ox.NamedNode(str(OWL.imports))


def checked(
    path: Path, *, display_name: str, allow_network: bool = False, base: str | None = None
) -> bool:
    """True when Oxigraph's parse of *path* is what the strict reader would read.

    False when the strict reader must read it instead (it normalises a literal
    to NFC). A file with a problem raises the strict reader's located
    :class:`InputError`; anything but a regular file (a named pipe would block
    Oxigraph's read) is refused before it is opened.
    """
    return (
        read_checked(path, None, display_name=display_name, allow_network=allow_network, base=base)
        is not None
    )


def read_checked(
    path: Path,
    graph: URIRef | None,
    *,
    display_name: str,
    allow_network: bool = False,
    base: str | None = None,
    known_iris: set[str] | None = None,
) -> list[ox.Quad] | None:
    """The triples of *path*, parsed once, as quads in *graph* (the default graph for None),
    when Oxigraph's parse is what the strict reader would read; None when the strict reader
    must read the file instead (see :func:`checked`, which raises as this does).

    *known_iris*, shared by the files of one load, holds the IRIs found valid so far; the
    ones this file adds are put in it once the whole file passes.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG  # the strict reader below says why it cannot be read
    if not stat.S_ISREG(mode):
        raise not_regular(mode, display_name)
    try:
        parsed = list(_parse(path, base))
        problem = _problem(parsed, allow_network, known_iris)
    except (SyntaxError, ValueError, OSError) as exc:
        strict_or_raise(path, display_name, allow_network, base, f"Oxigraph cannot read it: {exc}")
        return None
    if problem is not None:
        strict_or_raise(path, display_name, allow_network, base, None)
        return None
    if graph is None:
        return parsed
    name = ox.NamedNode(str(graph))
    return [ox.Quad(q.subject, q.predicate, q.object, name) for q in parsed]


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


def _problem(
    parsed: list[ox.Quad], allow_network: bool, known_iris: set[str] | None = None
) -> str | None:
    # The distinct terms of the parse (Oxigraph hashes them); the rules below run once
    # per distinct term of the file, not once per triple.
    subjects: set[object] = set()
    predicates: set[ox.NamedNode] = set()
    objects: set[object] = set()
    for q in parsed:
        subjects.add(q.subject)
        predicates.add(q.predicate)
        objects.add(q.object)
    if not allow_network and _IMPORTS_NODE in predicates:
        return "owl:imports"
    iris: set[str] = {p.value for p in predicates}
    literals: list[ox.Literal] = []
    bnode_objects = False
    for term in chain(subjects, objects):
        kind = type(term)
        if kind is ox.NamedNode:
            iris.add(term.value)  # type: ignore[attr-defined]
        elif kind is ox.Literal:
            literals.append(term)  # type: ignore[arg-type]
        elif kind is ox.BlankNode:
            bnode_objects = bnode_objects or term in objects
        else:
            return "it holds an RDF-star triple term"
    if bnode_objects and _longest_chain(_bnode_links(parsed)) > MAX_NESTING:
        return "blank nodes nested deeper than the strict reader allows (or a long list)"
    if known_iris is not None:
        iris -= known_iris
    for iri in iris:
        if iri_problem(iri):
            return f"IRI <{iri}>"
    for literal in literals:
        problem = _literal_problem(literal)
        if problem:
            return problem
    if known_iris is not None:
        known_iris |= iris
    return None


def _literal_problem(literal: ox.Literal) -> str | None:
    value, datatype, language = literal.value, literal.datatype.value, literal.language
    if not unicodedata.is_normalized("NFC", value):
        return "a literal not in NFC"
    if language is not None:
        return f"language tag @{language}" if language_tag_problem(language) else None
    if iri_problem(datatype):
        return f"datatype <{datatype}>"
    if datatype in _STRINGS:
        return None
    if lexical_problem(value, datatype) or (
        datatype.startswith(_XSD) and Literal(value, datatype=URIRef(datatype)).ill_typed
    ):
        return f'literal "{value}"^^<{datatype}>'
    return None


def _bnode_links(parsed: list[ox.Quad]) -> dict[str, set[str]]:
    """Blank node to blank node links of a file's quads."""
    links: dict[str, set[str]] = {}
    for q in parsed:
        s, o = q.subject, q.object
        if type(s) is ox.BlankNode and type(o) is ox.BlankNode:
            links.setdefault(s.value, set()).add(o.value)
    return links


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
