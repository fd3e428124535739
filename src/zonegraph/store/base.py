"""Where the triples live: the store interface and the embedded in-memory store.

zonegraph never implements a database of its own. A :class:`Store` is a thin
adapter over a real one: rdflib in memory (the default; Oxigraph's in memory by
choice), an embedded Oxigraph
store on disk, or any SPARQL 1.1 server reached through the standard
protocols. Every store keeps the ontology in the graph
``https://w3id.org/zonegraph/ontology`` and each source's facts in the named
graph whose name is the source's IRI; queries see the union of all graphs.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .._progress import Progress, silent
from ..rdf.namespaces import ZGS, bind_prefixes
from ..sparql import query as _query
from ..sparql.results import QueryResult

if TYPE_CHECKING:
    from ..reason.core import Vocabulary
    from .access import Access
    from .plan import Plan
    from .summary import Summary


@dataclass(frozen=True)
class GraphPrefix:
    """Every named graph whose IRI starts with *prefix*, found by the store itself: a store
    of thousands of sources is not asked to list them first."""

    prefix: str


#: The graphs of the sources, one per source: what validation reads.
SOURCE_GRAPHS = GraphPrefix(str(ZGS))

#: Named graphs given by name, or every one with an IRI prefix.
Graphs = Sequence[URIRef] | GraphPrefix

#: A triple with the name of the graph stating it.
Quad = tuple[Node, Node, Node, URIRef]


class Store(ABC):
    """A quad store holding named graphs, queried with SPARQL over their union."""

    #: How the store was named on the command line (``memory``, ``oxigraph:DIR`` …).
    spec: str = "memory"
    #: True when the store is loaded from the KG directory's files, which stay the truth:
    #: a change rewrites them (the memory store). False for a store that keeps its own copy.
    from_files: bool = False

    def rdflib_dataset(self) -> Dataset | None:
        """The rdflib Dataset the store is, if it is one (the memory store); else None."""
        return None

    #: True when the store keeps literals as written (``"202.0"`` stays ``202.0``); False
    #: for stores that keep values and give back a canonical form (Oxigraph, Virtuoso).
    keeps_lexical_forms: bool = False
    #: True when :meth:`load_files` streams Turtle files into the store itself.
    loads_files: bool = False
    #: True when :meth:`select_rows` with no graphs reads the union of the store's graphs,
    #: what every query of the facade sees (Oxigraph), so that the queries the engine
    #: generates itself can skip the facade's parse and guard (validate/in_store.py).
    own_dataset_is_union: bool = False

    def load_files(
        self, files: Mapping[URIRef, Path | Sequence[object]], progress: Progress = silent
    ) -> dict[URIRef, int]:
        """Replace each named graph of *files* with the triples of a Turtle file (checked
        already), streamed by the store's own loader, or with quads parsed already (what
        :func:`zonegraph.rdf.bulk_reader.read_checked` returned for the file); counts per
        graph, reported to *progress* as they grow. Only where :attr:`loads_files`."""
        raise NotImplementedError(f"the store {self.spec} does not load files itself")

    def fill_from_files(self, quads: Sequence[object], nquads: Path | None = None) -> None:
        """Add the KG files' *quads* (pyoxigraph's, checked already) and the N-Quads file
        *nquads* (the parsed-sources cache, kgdir/sources.py) to an empty store: only the
        default store, filled at each start. On an error (a cache cut short: OSError or
        SyntaxError) the store is left empty."""
        raise NotImplementedError(f"the store {self.spec} is not filled from the KG files")

    def dump(self, names: Sequence[URIRef], fmt: str) -> str | None:
        """The graphs *names* written in *fmt* by the store's own serializer, or None where
        the store has none (zonegraph then writes them)."""
        return None

    def reader_spec(self) -> str:
        """The spec another process opens to read this store while this one holds it
        (the server's query workers): the spec itself, unless the store has one writer."""
        return self.spec

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The non-empty named graphs, sorted."""

    @abstractmethod
    def graph(self, name: URIRef) -> Graph:
        """The triples of one named graph (a copy or a live view; do not modify it)."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace each named graph of *graphs* with the given triples (at once where possible)."""

    @abstractmethod
    def query(self, query: Query, text: str, bindings: Mapping[str, Node]) -> QueryResult:
        """Evaluate a query (parsed by rdflib as *query*, and as *text* with its prologue)."""

    def count(self, query: Query, text: str, bindings: Mapping[str, Node]) -> int:
        """How many rows the SELECT *query* has (the total of its pages); stores that can
        count without reading every row's terms do so."""
        return len(self.query(query, text, bindings).rows)

    def insert(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Add the triples of *graphs* to those named graphs, all at once where the store can."""
        merged: dict[URIRef, Graph] = {}
        for name, triples in graphs.items():
            merged[name] = Graph()
            merged[name] += self.graph(name)
            merged[name] += triples
        self.replace_graphs(merged)

    def select_rows(
        self, text: str, graphs: Sequence[URIRef] | None
    ) -> list[dict[str, Node | None]]:
        """Rows of a SELECT over the union of *graphs*, or with None over the store's own
        dataset, where ``GRAPH ?g`` reaches every named graph (stores reached through SPARQL)."""
        raise NotImplementedError(f"{type(self).__name__} cannot run SELECT over chosen graphs")

    def neighbourhood(
        self,
        nodes: Collection[URIRef],
        graphs: Graphs,
        vocabulary: Vocabulary,
        *,
        plan: Plan | None = None,
        extra: Graph | None = None,
    ) -> Graph:
        """Only the triples of *graphs* that validating *nodes* needs (see _neighbourhood),
        read through the store's :meth:`access`."""
        from .neighbourhood import extract
        from .plan import Plan

        access = self.access(graphs)
        return extract(access, nodes, plan or Plan.conservative(vocabulary), extra=extra)

    def access(self, graphs: Graphs) -> Access:
        """Pattern lookups over *graphs*: SELECT queries by default; the memory store reads
        its indexes instead. A :class:`GraphPrefix` is matched by each query (``GRAPH ?g``
        and a test of ?g), over the store's own dataset."""
        from .access import SelectAccess

        if isinstance(graphs, GraphPrefix):
            return SelectAccess(
                lambda text: self.select_rows(text, None), graph_prefix=graphs.prefix
            )
        return SelectAccess(lambda text: self.select_rows(text, graphs))

    def quads(
        self, subject: Node | None, predicate: Node | None, obj: Node | None
    ) -> Iterator[Quad]:
        """The triples of every named graph matching a pattern (None matches any term), each
        with the name of the graph stating it: what a page about one entity reads. By
        default each graph is read and matched; a store with indexes answers from them."""
        for name in self.graph_names():
            for s, p, o in self.graph(name).triples((subject, predicate, obj)):
                yield s, p, o, name

    def union(self, names: Iterable[URIRef] | None = None) -> Graph:
        """One graph with the triples of *names* (every graph by default)."""
        out = Graph()
        for name in names if names is not None else self.graph_names():
            out += self.graph(name)
        return out

    def __len__(self) -> int:
        return sum(len(self.graph(n)) for n in self.graph_names())

    def summary(self) -> Summary:
        """Each named graph's size, typed subjects and title, for ``stats``: by queries the
        store runs itself, never by copying its graphs out (store/summary.py)."""
        from .summary import by_queries

        return by_queries(self)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the store holds open."""


class MemoryStore(Store):
    """rdflib's in-memory :class:`~rdflib.Dataset`: the memory store's engine with
    ``$ZONEGRAPH_MEMORY_ENGINE=rdflib`` (:func:`memory_store`; the default is Oxigraph's
    in-memory store), where a program wants rdflib's graph itself and its lexical forms."""

    spec = "memory"
    from_files = True
    keeps_lexical_forms = True

    def __init__(self) -> None:
        self.dataset = Dataset(default_union=True)
        bind_prefixes(self.dataset)

    def graph_names(self) -> list[URIRef]:
        default = self.dataset.default_graph.identifier
        names = [
            URIRef(str(g.identifier))
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef) and g.identifier != default and len(g)
        ]
        # by their text, which is how URIRefs compare, without rdflib's slower comparisons
        # (a third of the time at 5,800 sources, and validating a batch lists them)
        return sorted(names, key=str)

    def graph(self, name: URIRef) -> Graph:
        return self.dataset.graph(name)

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        for name, triples in graphs.items():
            target = self.dataset.graph(name)
            target.remove((None, None, None))
            target += triples

    def query(self, query: Query, text: str, bindings: Mapping[str, Node]) -> QueryResult:
        return _query.run(self.dataset, query, bindings)

    def rdflib_dataset(self) -> Dataset:
        return self.dataset

    def summary(self) -> Summary:
        """One walk over the quads (rdflib's per-graph lookups would scan every graph)."""
        from .summary import by_quads

        return by_quads(self.dataset, self.graph_names())

    def quads(
        self, subject: Node | None, predicate: Node | None, obj: Node | None
    ) -> Iterator[Quad]:
        """From rdflib's indexes, over the named graphs (not the default graph)."""
        default = self.dataset.default_graph.identifier
        for s, p, o, g in self.dataset.quads((subject, predicate, obj, None)):
            name = getattr(g, "identifier", g)
            if isinstance(name, URIRef) and name != default:
                yield s, p, o, name

    def access(self, graphs: Graphs) -> Access:
        """Lookups through rdflib's indexes."""
        from .access import GraphAccess

        if isinstance(graphs, GraphPrefix):
            graphs = [n for n in self.graph_names() if str(n).startswith(graphs.prefix)]
        return GraphAccess(self.dataset, contexts=graphs)


#: Store backends by kind: "module:Class", imported on first use (like rdflib's plugin
#: registry), so this module, which every backend imports, imports none of them.
#: A new backend: a module with a Store subclass, and one line here.
BACKENDS: dict[str, str] = {
    "memory": "zonegraph.store.oxigraph:OxigraphMemoryStore",
    "oxigraph": "zonegraph.store.oxigraph:OxigraphStore",
    "sparql": "zonegraph.store.sparql_server:SparqlStore",
}


def backend(kind: str) -> Callable[..., Store]:
    """The store class registered as *kind* in :data:`BACKENDS`."""
    module, _, name = BACKENDS[kind].partition(":")
    cls: type[Store] = getattr(importlib.import_module(module), name)
    return cls


#: The memory store's engines: ``oxigraph`` (the default: Oxigraph's in-memory store,
#: :class:`~zonegraph.store.oxigraph.OxigraphMemoryStore`) or ``rdflib``
#: (:class:`MemoryStore`): docs/performance.md, "Start-up".
MEMORY_ENGINE_VARIABLE = "ZONEGRAPH_MEMORY_ENGINE"


def memory_store() -> Store:
    """A new, empty memory store (``--store memory``): Oxigraph's in-memory store, or
    rdflib's Dataset where ``$ZONEGRAPH_MEMORY_ENGINE`` is ``rdflib``. Oxigraph's is the
    default because at 200k triples every command took 2-19x less time on it
    (docs/performance.md, "Start-up"), with the same answers."""
    import os

    engine = os.environ.get(MEMORY_ENGINE_VARIABLE, "oxigraph") or "oxigraph"
    if engine == "rdflib":
        return MemoryStore()
    if engine != "oxigraph":
        from .._errors import StoreError

        raise StoreError(
            f"unknown memory engine {engine!r} in ${MEMORY_ENGINE_VARIABLE}",
            hint="use oxigraph (the default) or rdflib",
        )
    return backend("memory")()


def open_store(
    spec: str,
    *,
    update_url: str | None = None,
    gsp_url: str | None = None,
    create: bool = False,
) -> Store | None:
    """The store named by *spec*: ``memory`` (None: the KG's files are loaded into memory),
    ``oxigraph:DIR`` (an embedded Oxigraph store on disk), ``sparql:URL`` (a SPARQL 1.1 server)
    or ``sparql-union:URL`` (one whose default graph is the union of its named graphs).

    Only *create* (``zonegraph load``) makes a new Oxigraph store: otherwise a folder that
    holds no store, or a store that holds no triples, is a :class:`StoreError` that says how
    to fill it, not an empty graph that answers every question with nothing.
    """
    kind, _, where = spec.partition(":")
    if kind == "memory" and not where:
        return None
    if kind == "oxigraph-read-only" and where:  # a reader beside the process that writes
        OxigraphStore = backend("oxigraph")

        _check_oxigraph_folder(spec, where)
        return OxigraphStore(where, read_only=True)
    if kind == "oxigraph" and where:
        OxigraphStore = backend("oxigraph")

        if create:
            return OxigraphStore(where)
        _check_oxigraph_folder(spec, where)
        store = OxigraphStore(where)
        if not store.select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", None):
            store.close()
            from .._errors import StoreError

            raise StoreError(
                f"the Oxigraph store at {where} is empty",
                hint=f"fill it first: zonegraph --store {spec} load",
            )
        return store
    if kind in ("sparql", "sparql-union") and where:
        SparqlStore = backend("sparql")

        return SparqlStore(
            where,
            update_url=update_url,
            gsp_url=gsp_url,
            union_default_graph=kind == "sparql-union",
        )
    from .._errors import StoreError

    raise StoreError(
        f"unknown store {spec!r}",
        hint="use memory, oxigraph:DIR, sparql:URL or sparql-union:URL "
        "(for example sparql:http://127.0.0.1:7878/query)",
    )


def _check_oxigraph_folder(spec: str, where: str) -> None:
    """StoreError unless *where* is a folder with something in it (an Oxigraph store's
    files): reading never creates a store."""
    from pathlib import Path

    from .._errors import StoreError

    path = Path(where)
    how = f"load the graph into it first: zonegraph --store {spec} load (only load creates a store)"
    if not path.exists():
        raise StoreError(
            f"there is no Oxigraph store at {where}: the folder does not exist",
            hint=f"check the path, or {how}",
        )
    if not path.is_dir():
        raise StoreError(
            f"there is no Oxigraph store at {where}: it is a file, not a folder",
            hint="--store oxigraph:DIR names the folder zonegraph load made",
        )
    if not any(path.iterdir()):
        raise StoreError(
            f"there is no Oxigraph store at {where}: the folder is empty",
            hint=f"check the path, or {how}",
        )
