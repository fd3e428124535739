"""Loading a KG directory into a store: ``zonegraph --store SPEC load``.

Every file passes the strict Turtle intake's rules (into an Oxigraph store
through Oxigraph's own parser, rdf/bulk_reader: each file parsed once, and its
quads, once checked, are what the store loads), then each graph is handed to the
store whole: one named graph per source
(``https://w3id.org/zonegraph/source/<file stem>``), the ontology in
``https://w3id.org/zonegraph/ontology`` and, on request, the inferred graph
(_inferred: the same cached closure as ``export --inferred``) in
``https://w3id.org/zonegraph/graph/inferred``.

Loading replaces each of those graphs, so running it again gives the same
store, never duplicates. Without ``inferred`` the inferred graph is dropped,
since it would no longer follow from the data. Graphs the KG directory has no
file for (a source added to the store only) are left as they are and reported.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from ._errors import StoreError
from ._progress import Progress, silent
from .kgdir.layout import Layout
from .rdf.bulk_reader import read_checked
from .rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, shorten

if TYPE_CHECKING:
    from ._kg import KnowledgeGraph

#: Parsed quads ``load`` keeps between checking every file and loading them. Every file is
#: checked before anything is written, so a refused file leaves the store as it was. A
#: parsed quad costs about 520 bytes (measured at 200k: 100 MB), so up to a million triples
#: (about 0.5 GB) each file is parsed once; the files past that are not kept but parsed
#: again when they are loaded, which bounds the memory at any size.
KEEP_PARSED = 1_000_000


@dataclass
class LoadReport:
    """What ``load`` wrote: triples per named graph, and the store's graphs it left alone."""

    store: str
    graphs: dict[URIRef, int] = field(default_factory=dict)
    kept: list[URIRef] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def render(self, limit: int | None = 20) -> str:
        """One line per graph (at most *limit* of the loaded and of the kept ones, then how many
        more), and the totals. A generated KG has thousands of sources, one graph each."""
        lines = _listed(
            [f"{shorten(str(name))}  {count} triples" for name, count in self.graphs.items()],
            limit,
            "graphs loaded",
        )
        lines += _listed(
            [f"{shorten(str(name))}  kept (no file in the KG directory)" for name in self.kept],
            limit,
            "graphs kept",
        )
        lines.append(
            f"loaded {self.triples} triples in {len(self.graphs)} graphs into {self.store} "
            f"in {self.seconds:.1f} s"
        )
        return "\n".join(lines) + "\n"


def _listed(lines: list[str], limit: int | None, what: str) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return [
        *lines[:limit],
        f"... and {len(lines) - limit} more {what} (load --all-graphs lists them)",
    ]


def load(kg: KnowledgeGraph, *, inferred: bool = False, progress: Progress = silent) -> LoadReport:
    """Load *kg*'s files (and with *inferred* their inferred graph) into its store, telling
    *progress* each phase: checking the files, loading them, inferring, writing the graphs.

    >>> import tempfile, zonegraph
    >>> from zonegraph.store.oxigraph import OxigraphStore
    >>> store = OxigraphStore(tempfile.mkdtemp())
    >>> kg = zonegraph.open_kg(store=store)
    >>> load(kg).triples == load(kg).triples == len(store)
    True
    """
    if kg.store.from_files:
        raise StoreError(
            "the memory store lives only as long as one command; there is nothing to load into",
            hint="choose a store: zonegraph --store oxigraph:DIR load, or --store sparql:URL",
        )
    started = time.monotonic()
    before = set(kg.store.graph_names())
    counts: dict[URIRef, int] = {}
    graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: kg.ontology}
    if kg.store.loads_files:
        # Oxigraph's own parser, the strict reader's checks on its quads (rdf/bulk_reader)
        fast: dict[URIRef, Path | Sequence[object]] = {}
        paths = kg.layout.source_files()
        known_iris: set[str] = set()  # found valid in an earlier file: checked once per load
        kept = 0
        for i, path in enumerate(paths):
            shown = kg.display_path(path)
            progress("checking files", done=i, total=len(paths), unit="files", item=shown)
            name = URIRef(Layout.graph_name(path))
            parsed = read_checked(
                path,
                name,
                display_name=shown,
                allow_network=kg.allow_network,
                known_iris=known_iris,
            )
            if parsed is None:
                graphs[name] = kg.parse_kg_file(path)
            elif kept + len(parsed) <= KEEP_PARSED:
                fast[name], kept = parsed, kept + len(parsed)
            else:
                fast[name] = path
        progress("checking files", done=len(paths), total=len(paths), unit="files")
        counts.update(kg.store.load_files(fast, progress))
    else:
        progress(f"reading {len(kg.layout.source_files())} files")
        graphs.update(kg.read_kg_files())
    if inferred:  # the closure of the files, from the cache when it has been computed
        progress("inferring (OWL 2 RL)")
        graphs[INFERRED_GRAPH] = kg.inferred_from_files()
    else:
        graphs[INFERRED_GRAPH] = Graph()
    size = sum(len(g) for g in graphs.values())
    progress(f"writing {size:,} triples in {len(graphs)} graphs into {kg.store.spec}")
    kg.store.replace_graphs(graphs)
    kg.changed()
    counts.update({name: len(g) for name, g in graphs.items()})
    loaded = set(counts)
    return LoadReport(
        store=kg.store.spec,
        graphs={name: n for name, n in sorted(counts.items()) if n},
        kept=sorted(before - loaded),
        seconds=time.monotonic() - started,
    )
