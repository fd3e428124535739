"""The KG's own files, read once per content.

Reading the ontology and the sources strictly (_reader, pure Python) is most of
what a short command such as ``zonegraph query`` spends on a KG directory.
:func:`read_files` keeps what the strict reader made of the files as N-Quads
in the cache directory (_cache), keyed by the files' content and by whether
``owl:imports`` was allowed, and reads that back with Oxigraph's parser the
next time. Any changed byte gives a new key, so the strict reader reads the
changed files again, and reports their errors where they are.
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
    files: Sequence[Path], root: Path, parse: Callable[[Path], Graph], *, allow_network: bool
) -> dict[Path, Graph]:
    """Each of *files* as *parse* reads it, from the cache when the files are unchanged."""
    from ..rdf.oxigraph_terms import from_oxigraph, to_oxigraph

    salt = f"parsed {READER_VERSION} network={allow_network}"
    path = _cache.entry("parsed", _cache.content_key(files, root, salt=salt), "nq")
    names = {f"{_FILE}{f.relative_to(root)}": f for f in files}
    try:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        graphs: dict[Path, Graph] = {f: Graph() for f in files}
        for q in quads:
            graphs[names[q.graph_name.value]].add(
                (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
            )
        return graphs
    except (OSError, SyntaxError, KeyError, AttributeError):
        pass
    graphs = {f: parse(f) for f in files}

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
            for s, p, o in graphs[f]
        )
        ox.serialize(quads, str(tmp), format=ox.RdfFormat.N_QUADS)

    _cache.store(path, write)
    return graphs
