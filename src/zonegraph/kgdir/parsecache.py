"""The KG's own files, read once per content.

Reading the ontology and the sources strictly is most of what a short command
such as ``zonegraph query`` spends on a KG directory. :func:`read_files` keeps
what was read of the files as N-Quads in the cache directory (_cache), keyed by
the files' content and by whether ``owl:imports`` was allowed, and reads that
back with Oxigraph's parser the next time. Any changed byte gives a new key, so
the changed files are read again, and their errors reported where they are.

The triples go straight into the graphs *into* gives (rdflib's memory store's
named graphs), each added once: at 200k triples, building per-file graphs and then
copying them into the store's Dataset doubled the cost of opening the KG.

It reads the ontology's files for every store, and the source files for rdflib's
memory store (``$ZONEGRAPH_MEMORY_ENGINE=rdflib``); the default store, Oxigraph in
memory, keeps its own cache of the sources' quads (sources.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph

from . import cache as _cache

#: Bump when what the strict reader makes of a file changes.
READER_VERSION = "1"
_FILE = "urn:zonegraph:file:"


def read_files(
    files: Sequence[Path],
    root: Path,
    parse: Callable[[Path], Graph],
    *,
    allow_network: bool,
    into: Callable[[Path], Graph] | None = None,
) -> dict[Path, Graph]:
    """Each of *files* as *parse* reads it, from the cache when the files are unchanged.

    *into* gives the empty graph each file's triples are put in (by default a new
    :class:`~rdflib.Graph`); the graphs returned are those.
    """
    from ..rdf.oxigraph_terms import TermCache, to_oxigraph

    salt = f"parsed {READER_VERSION} network={allow_network}"
    path = _cache.entry("parsed", _cache.content_key(files, root, salt=salt), "nq")
    names = {f"{_FILE}{f.relative_to(root)}": f for f in files}
    graphs: dict[Path, Graph] = {f: into(f) if into else Graph() for f in files}
    try:
        by_name = {name: graphs[f] for name, f in names.items()}
        terms = TermCache()
        for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            graph = by_name[q.graph_name.value]
            triple = (terms(q.subject), terms(q.predicate), terms(q.object))
            graph.store.add(triple, graph, False)  # as add_to_graph does, graph by graph
        return graphs
    except (OSError, SyntaxError, KeyError, AttributeError):
        for graph in graphs.values():  # a cache file cut short: read the files instead
            graph.remove((None, None, None))
    parsed = {f: parse(f) for f in files}
    for f, graph in graphs.items():
        graph += parsed[f]

    def write(tmp: Path) -> None:
        bnodes: dict[BNode, ox.BlankNode] = {}
        quads = (
            ox.Quad(
                to_oxigraph(s, bnodes),  # type: ignore[arg-type]
                to_oxigraph(p),  # type: ignore[arg-type]
                to_oxigraph(o, bnodes),
                ox.NamedNode(name),
            )
            for name, f in names.items()
            for s, p, o in parsed[f]
        )
        ox.serialize(quads, str(tmp), format=ox.RdfFormat.N_QUADS)

    _cache.store(path, write)
    return graphs
