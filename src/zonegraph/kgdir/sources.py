"""The KG's files into the default store, parsed once per content.

The memory store on its Oxigraph engine (opt-in: store/base.memory_store) is
Oxigraph's in-memory store, filled at each start. Each source
file is read as ``load`` reads it (:func:`zonegraph.rdf.bulk_reader.read_checked`:
Oxigraph's parse with the strict reader's checks, the strict reader where they
doubt), and the quads, in their sources' named graphs, are kept as one N-Quads file
in the cache directory (_cache), keyed by the files' content and by whether
``owl:imports`` was allowed. The next start hands that file to Oxigraph's bulk
loader: no Turtle parse, no checks, no Python object per triple.

Why a cache still, when the files are parsed by Oxigraph anyway: at 200k triples
the checked parse takes 1.3 s of CPU and loading the cached N-Quads 0.45 s, on a
command (``stats``) that takes 2 s on the store on disk. Why not the parsed-file
cache (parsecache.py): it keeps rdflib's view of each file under a name per file,
to be copied into rdflib graphs; here the quads go into the store as they are.
The ontology's files go in too (its graph in the store, without a copy from rdflib
terms), and are also read into rdflib graphs through parsecache.py: the facade needs
them there (reasoning, validation), and they are small.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from ..rdf.bulk_reader import read_checked
from ..rdf.oxigraph_terms import to_oxigraph
from . import cache as _cache

#: Bump when what the readers make of a file changes.
READER_VERSION = "1"


def fill(
    files: Mapping[Path, URIRef],
    root: Path,
    into: Callable[[Sequence[object], Path | None], None],
    *,
    display: Callable[[Path], str],
    strict: Callable[[Path], Graph],
    allow_network: bool,
) -> None:
    """Put the triples of the KG's *files* (each to the named graph it maps to: its
    source's, or the ontology's for the ontology's files) into a
    store through *into* (the store's ``fill_from_files``): the cached N-Quads where the
    files are unchanged, else each file as ``load`` reads it (*strict*: the strict
    reader, where the checks doubt; *display*: a file's name in messages), then cached."""
    if not files:
        return
    salt = f"sources {READER_VERSION} network={allow_network}"
    path = _cache.entry("sources", _cache.content_key(files, root, salt=salt), "nq")
    if path.is_file():
        try:
            into([], path)
            return
        except (OSError, SyntaxError):
            pass  # a cache file cut short (the store emptied itself): read the files
    quads: list[ox.Quad] = []
    known_iris: set[str] = set()  # found valid in an earlier file: checked once
    for f, graph in files.items():
        parsed = read_checked(
            f, graph, display_name=display(f), allow_network=allow_network, known_iris=known_iris
        )
        if parsed is None:  # what the strict reader makes of it (NFC), in the source's graph
            name, bnodes = ox.NamedNode(str(graph)), dict[BNode, ox.BlankNode]()
            parsed = [
                ox.Quad(to_oxigraph(s, bnodes), to_oxigraph(p), to_oxigraph(o, bnodes), name)  # type: ignore[arg-type]
                for s, p, o in strict(f)
            ]
        quads.extend(parsed)
    into(quads, None)

    def write(tmp: Path) -> None:
        ox.serialize(quads, str(tmp), format=ox.RdfFormat.N_QUADS)

    _cache.store(path, write)
