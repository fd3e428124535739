"""``check --engine sparql``: what the facade hands the store-side validator.

The SPARQL evaluation of the shapes is :mod:`zonegraph.validate.sparql_shacl`; this module
says what its queries run over (the sources' graphs and the ontology's, never an inferred
graph, whose domain and range types validation must not see) and how a shape it cannot
compile falls back to pySHACL on that shape's focus nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rdflib import Graph
from rdflib.term import Node

from ..rdf.namespaces import ONTOLOGY_GRAPH, ZGS
from ..sparql.text import tokens
from . import check
from .shacl import ValidationResult

if TYPE_CHECKING:
    from ..reason.core import Vocabulary
    from ..store.base import Store

Rows = list[dict[str, Node | None]]


def select_for_validation(store: Store, run_here: Callable[[str], Rows]) -> Callable[[str], Rows]:
    """A SELECT runner over what validation reads in *store*: on the store itself when it
    holds nothing else (or is rdflib's, where *run_here* runs on the dataset), else over
    the sources' and the ontology's graphs only. Through an Oxigraph server
    (``sparql-union:URL``) the facade's parse and guard of each query made ``check``
    4.6 times slower than on the embedded store at 10k triples."""
    names = store.graph_names()
    wanted = [n for n in names if n == ONTOLOGY_GRAPH or str(n).startswith(str(ZGS))]
    if store.rdflib_dataset() is not None:
        return run_here
    if len(wanted) == len(names):
        if store.own_dataset_is_union:  # Oxigraph, a sparql-union: server
            return lambda text: _direct(store, text, run_here)
        return run_here
    return lambda text: store.select_rows(text, wanted)


def _direct(store: Store, text: str, run_here: Callable[[str], Rows]) -> Rows:
    """*text* run on *store* as it is, unless it names a SERVICE or a FROM graph, which
    *run_here* (the facade's path) checks and refuses. The engine's queries are
    generated, so rdflib's parse of each, which the facade needs for a user's query,
    only costs time: about 0.1 s a query, most of ``check`` at 10k triples."""
    words = {t.text.upper() for t in tokens(text) if t.kind == "word"}
    # A codepoint escape (\u0053ERVICE) is a keyword where escapes are processed before
    # parsing, as SPARQL 1.1 (19.2) says, but not to this scan (Oxigraph 0.5 refuses it
    # as a syntax error): such text takes the guarded path, which names what it refuses.
    if words & {"SERVICE", "FROM"} or "\\u" in text.lower():
        return run_here(text)
    return store.select_rows(text, None)


def results(
    shapes: Graph,
    vocabulary: Vocabulary,
    select: Callable[[str], Rows],
    validation_graph: Callable[..., Graph],
    *,
    allow_network: bool,
) -> tuple[list[ValidationResult], list[str]]:
    """The shapes' results computed by the store, and the notes on what fell back."""
    from . import sparql_shacl

    def fallback(keep: set[Node], focus: set[Node] | None) -> list[ValidationResult]:
        data = validation_graph(around=focus) if focus else validation_graph()
        return check.fallback_results(shapes, data, keep, focus, allow_network=allow_network)

    return sparql_shacl.validate(shapes, vocabulary, select, fallback)
