"""An embedded, persistent Oxigraph store on disk (pyoxigraph).

``--store oxigraph:DIR`` keeps the named graphs in a RocksDB folder: loaded
once (``zonegraph --store oxigraph:DIR load``), reopened in milliseconds, and
queried by Oxigraph's own SPARQL engine with the union of all graphs as the
default graph (``use_default_graph_as_union``). Parameters are bound as a VALUES
block of RDF terms (:func:`zonegraph.store.sparql_server.bind_values`), which Oxigraph's
optimizer plans around; pyoxigraph's ``substitutions`` bind them only after planning.

Terms cross between rdflib and pyoxigraph by :func:`to_oxigraph` and
:func:`from_oxigraph`. Oxigraph keeps values, not lexical forms, of some
literals: ``"202.0"^^xsd:decimal`` comes back as ``"202"``; compare numbers by
value. One process at a time may open a folder for writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .._errors import ParameterError, QueryError, StoreError
from .._progress import Progress, silent
from ..rdf.ntriples import nt_iri, ntriples
from ..rdf.oxigraph_terms import add_to_graph, from_oxigraph, to_oxigraph
from ..sparql.guard import check_bound
from ..sparql.ordering import plan_order
from ..sparql.paging import sliced_count
from ..sparql.results import QueryResult
from ..sparql.text import Row, bind_values
from .base import GraphPrefix, Graphs, Quad, Store

if TYPE_CHECKING:
    from .access import Access

#: Quads handed to Oxigraph's bulk loader at a time (it holds a call's quads in memory).
_BATCH = 50_000


_UNSEEN = object()


_NON_EMPTY_GRAPHS = "SELECT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"


def _lookup_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """*term* as the pyoxigraph term to look up: a blank node by its own label (one that
    came from this store), not a fresh one as :func:`to_oxigraph` makes for writing.
    ValueError for a term Oxigraph cannot hold (such a term is in no quad)."""
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    try:
        return to_oxigraph(term)
    except StoreError as exc:
        raise ValueError(str(exc)) from exc


def _check_iris(bindings: Mapping[str, Node]) -> None:
    """ParameterError for a bound IRI that Oxigraph would refuse in the query text: rdflib
    takes any text as a URIRef (and finds nothing), Oxigraph parses IRIs (RFC 3987)."""
    for name, term in bindings.items():
        if isinstance(term, URIRef):
            try:
                ox.NamedNode(str(term))
            except ValueError as exc:
                raise ParameterError(
                    f"parameter {name!r}: {str(term)!r} is not an IRI ({exc})",
                    hint="give an absolute IRI (https://...), a prefixed name or a label",
                ) from exc


class OxigraphStore(Store):
    """pyoxigraph's on-disk :class:`pyoxigraph.Store` in the folder *path* (created if
    missing), or with *path* None its in-memory store (:class:`OxigraphMemoryStore`)."""

    own_dataset_is_union = True

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else Path("(memory)")
        self.read_only = read_only
        self.spec = f"oxigraph:{path}" if path is not None else "memory"
        self._names: list[URIRef] | None = None
        try:
            if path is None:
                self._open: ox.Store | None = ox.Store()
            elif read_only:
                self._open = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._open = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the Oxigraph store at {self.path}: {exc}",
                hint="another process may hold it open for writing (one writer at a time); "
                "stop it, or put the store behind a server (oxigraph serve) and use sparql:URL",
            ) from exc

    loads_files = True

    def reader_spec(self) -> str:
        """RocksDB lets one process write: other processes open the folder read-only (each
        sees the store as it was when it opened it, so readers reopen after a write)."""
        return f"oxigraph-read-only:{self.path}"

    @property
    def _store(self) -> ox.Store:
        if self._open is None:
            raise StoreError(f"the Oxigraph store at {self.path} is closed")
        return self._open

    def graph_names(self) -> list[URIRef]:
        """The non-empty named graphs (listed once, then kept until this store writes)."""
        if self._names is None:
            # One query tests every graph for a quad, inside Oxigraph: at 10M triples (58,140
            # graphs) 1.1 s, against 1.8 s for a quads_for_pattern call from Python per graph.
            answer = self._store.query(_NON_EMPTY_GRAPHS)
            assert isinstance(answer, ox.QuerySolutions)
            names = [URIRef(s[0].value) for s in answer if isinstance(s[0], ox.NamedNode)]
            self._names = sorted(names)
        return list(self._names)

    def graph(self, name: URIRef) -> Graph:
        out = Graph()
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
            out.add((from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object)))
        return out

    def quads(
        self, subject: Node | None, predicate: Node | None, obj: Node | None
    ) -> Iterator[Quad]:
        """From Oxigraph's indexes, over the named graphs (not the default graph, which the
        memory engine fills with their merge): a blank node is looked up by its own label."""
        try:
            s, p, o = (None if t is None else _lookup_term(t) for t in (subject, predicate, obj))
        except ValueError:
            return
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode | None):
            return  # no quad has a literal subject or a predicate that is not an IRI
        for q in self._store.quads_for_pattern(s, p, o, None):
            if isinstance(q.graph_name, ox.NamedNode):
                yield (
                    from_oxigraph(q.subject),
                    from_oxigraph(q.predicate),
                    from_oxigraph(q.object),
                    URIRef(q.graph_name.value),
                )

    def union(self, names: Iterable[URIRef] | None = None) -> Graph:
        """One graph with the triples of *names* (every graph by default): one walk over the
        quads, each distinct term made an rdflib term once (rdf/oxigraph_terms.TermCache),
        for pySHACL and owlrl; a lookup per graph costs more than the walk where the graph
        has thousands of sources."""
        wanted = {
            ox.NamedNode(str(n)) for n in (names if names is not None else self.graph_names())
        }
        out = Graph()
        add_to_graph(out, (q for q in self._store if q.graph_name in wanted))
        return out

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace the graphs in one update, so that they change all at once."""
        bnodes: dict[BNode, str] = {}
        ops = []
        for name, triples in graphs.items():
            iri = nt_iri(str(name))
            ops.append(f"DROP SILENT GRAPH {iri}")
            if len(triples):
                ops.append(f"INSERT DATA {{ GRAPH {iri} {{\n{ntriples(triples, bnodes)}}} }}")
        if ops:
            self._update(" ;\n".join(ops))

    def load_files(
        self, files: Mapping[URIRef, Path | Sequence[object]], progress: Progress = silent
    ) -> dict[URIRef, int]:
        """Replace each named graph of *files* with the Turtle file's triples, streamed by
        Oxigraph's bulk loader: the quads :func:`zonegraph.rdf.bulk_reader.read_checked` parsed
        and checked, or a file it checked, parsed here.

        Fast, and not one transaction: the graphs are dropped, then filled; after
        an interruption, load again. Returns the triples loaded per graph.
        """
        from ..rdf.bulk_reader import quads

        counts = dict.fromkeys(files, 0)
        self._names = None
        if files:
            self._update(" ;\n".join(f"DROP SILENT GRAPH {nt_iri(str(n))}" for n in files))
        try:
            # In batches: one bulk load of a million quads holds them all in memory
            # (961 MB peak at 1M triples; 135 MB in batches of 50,000, as fast).
            batch: list[ox.Quad] = []
            loaded, phase = 0, f"loading into {self.spec}"
            for name, source in files.items():
                shown = source.name if isinstance(source, Path) else ""
                progress(phase, done=loaded + len(batch), unit="triples", item=shown)
                before = len(batch)
                if isinstance(source, Path):
                    batch.extend(quads(source, name))
                else:
                    batch.extend(cast("Sequence[ox.Quad]", source))
                counts[name] = len(batch) - before
                if len(batch) >= _BATCH:
                    self._store.bulk_extend(batch)
                    loaded, batch = loaded + len(batch), []
            self._store.bulk_extend(batch)
            progress(phase, done=loaded + len(batch), unit="triples")
            self._store.flush()
            # Bulk loading leaves many small files that every later read searches;
            # compacting them (Oxigraph's optimize, "useful after a batch upload") took
            # 2.4 s at 1M triples and made queries 2.5-3x faster (docs/performance.md).
            progress(f"compacting {self.spec}")
            self._store.optimize()
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load into the Oxigraph store at {self.path}: {exc}") from exc
        return counts

    def dump(self, names: Sequence[URIRef], fmt: str) -> str | None:
        """The graphs *names* written by Oxigraph's serializers (quad formats keep the
        graphs, triple formats get their union, each triple once), or None for a format
        zonegraph writes itself (JSON-LD, with its context)."""
        from ..rdf.namespaces import PREFIXES

        formats = {
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "turtle": ox.RdfFormat.TURTLE,
            "xml": ox.RdfFormat.RDF_XML,
        }
        if fmt not in formats:
            return None
        graphs = [ox.NamedNode(str(n)) for n in names]
        quads = (q for g in graphs for q in self._store.quads_for_pattern(None, None, None, g))
        prefixes = dict(PREFIXES) if fmt in ("turtle", "trig", "xml") else None
        if fmt in ("nquads", "trig"):
            data = ox.serialize(quads, format=formats[fmt], prefixes=prefixes)
        else:
            seen: set[ox.Triple] = set()

            def union() -> Iterator[ox.Triple]:
                for q in quads:
                    t = q.triple
                    if t not in seen:
                        seen.add(t)
                        yield t

            data = ox.serialize(union(), format=formats[fmt], prefixes=prefixes)
        return data.decode("utf-8") if data is not None else ""

    def insert(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Add the triples in one transaction: all land, or none."""
        self._names = None
        bnodes: dict[BNode, ox.BlankNode] = {}
        quads = [
            ox.Quad(
                to_oxigraph(s, bnodes),  # type: ignore[arg-type]
                to_oxigraph(p, bnodes),  # type: ignore[arg-type]
                to_oxigraph(o, bnodes),
                ox.NamedNode(str(name)),
            )
            for name, g in graphs.items()
            for s, p, o in g
        ]
        try:
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(f"cannot write to the Oxigraph store at {self.path}: {exc}") from exc

    def _update(self, text: str) -> None:
        self._names = None
        try:
            self._store.update(text)
        except SyntaxError as exc:
            raise StoreError(f"Oxigraph refused the update: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"cannot write to the Oxigraph store at {self.path}: {exc}") from exc

    def query(self, query: Query, text: str, bindings: Mapping[str, Node]) -> QueryResult:
        kind = query.algebra.name.replace("Query", "").upper()
        # A VALUES block at the start of the WHERE group, not pyoxigraph's
        # ``substitutions``: Oxigraph's optimizer plans the query around values it
        # sees, while substituted variables are bound only once the query is
        # evaluated (organisations-in-place at 1M triples: 1.3 s -> 1.4 ms).
        _check_iris(bindings)
        bound = bind_values(text, bindings, check=False)
        # Rows sorted in Python: Oxigraph's ORDER BY reads the terms' text from
        # RocksDB at every comparison (single-source-facts at 1M: 33.6 s -> 25.8 s).
        plan = plan_order(query, bound)
        if bindings:
            # The text Oxigraph runs is not the one checked: the places the values went
            # are proved to change no keyword of it (once per query text and parameter
            # names), and rdflib's parser says whether a binding is to blame if Oxigraph
            # cannot parse it. Cutting ORDER BY only drops the end of the text.
            check_bound(text, bindings, query)
        result = self._run(plan.text if plan else bound, kind, union=self._union_for(query))
        if plan is not None:
            if plan.sliced:  # a page of the sorted rows: the whole listing's size is known
                result.total = len(result.rows)
            result.rows = plan.page(result.rows)
        return result

    def _union_for(self, query: Query) -> bool:
        """Whether *query* runs on Oxigraph's union default graph (unless it names its own)."""
        return not query.algebra.get("datasetClause")

    def count(self, query: Query, text: str, bindings: Mapping[str, Node]) -> int:
        """The rows of *query*, counted as Oxigraph hands them over: unsorted (a cut
        ORDER BY changes no count) and not converted to rdflib terms."""
        _check_iris(bindings)
        bound = bind_values(text, bindings, check=False)
        if bindings:
            check_bound(text, bindings, query)
        plan = plan_order(query, bound)
        try:
            answer = self._store.query(
                plan.text if plan else bound,
                use_default_graph_as_union=self._union_for(query),
            )
            rows = sum(1 for _ in cast(ox.QuerySolutions, answer))
        except SyntaxError as exc:
            raise QueryError(f"Oxigraph cannot parse the query: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the query failed in Oxigraph: {exc}") from exc
        return sliced_count(rows, plan.start, plan.length) if plan is not None else rows

    def _run(
        self,
        text: str,
        kind: str,
        *,
        union: bool = True,
        default_graph: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        kwargs: dict[str, object] = {}
        if default_graph is not None:
            names = [ox.NamedNode(str(g)) for g in default_graph]
            kwargs.update(default_graph=names, named_graphs=names)
        else:
            kwargs["use_default_graph_as_union"] = self._as_union(union)
        try:
            answer = self._store.query(text, **kwargs)  # type: ignore[arg-type]
            return self._read(answer, kind)
        except SyntaxError as exc:
            raise QueryError(f"Oxigraph cannot parse the query: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the query failed in Oxigraph: {exc}") from exc
        except (QueryError, StoreError, MemoryError):
            raise  # MemoryError: the worker's memory limit, said as such (web/tasks.py)
        except Exception as exc:  # whatever else Oxigraph raises, also while rows are read
            raise QueryError(
                f"the query failed in Oxigraph: {exc}",
                hint="check the query; Oxigraph's message says what it could not do",
            ) from exc

    def _as_union(self, union: bool) -> bool:
        """Whether a query asked to run on the union runs on Oxigraph's union default graph
        (the memory engine's answer changes once it holds the merge)."""
        return union

    def _read(
        self, answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, kind: str
    ) -> QueryResult:
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult(kind="ASK", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            graph = Graph()
            for t in answer:
                graph.add(
                    (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
                )
            return QueryResult(
                kind=kind if kind in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", graph=graph
            )
        variables = [v.value for v in answer.variables]
        rows: list[Row] = []
        # Each distinct term converted once: sources, measures, units and labels repeat
        # down a listing, and making an rdflib Literal costs microseconds. A solution
        # is read by iterating it (its values in the order of ``variables``, None where
        # unbound), not by name: single-source-facts' 220,944 rows at 1M triples,
        # 5.7 s -> 3.1 s of conversion (docs/performance.md).
        terms: dict[object, object] = {None: None}
        known = terms.get
        for solution in answer:
            values = []
            for value in solution:
                term = known(value, _UNSEEN)
                if term is _UNSEEN:
                    term = terms[value] = from_oxigraph(value)
                values.append(term)
            rows.append(cast(Row, dict(zip(variables, values, strict=True))))
        return QueryResult(kind="SELECT", vars=variables, rows=rows)

    def select_rows(self, text: str, graphs: Sequence[URIRef] | None) -> list[Row]:
        if graphs is None:
            return self._run(text, "SELECT", union=True).rows
        return self._run(text, "SELECT", default_graph=graphs).rows

    def access(self, graphs: Graphs) -> Access:
        """SELECT lookups over every named graph, testing each triple's graph: against the
        prefix, or against those not in *graphs* (Oxigraph searches a dataset of thousands
        of listed graphs one graph at a time)."""
        from .access import SelectAccess

        if isinstance(graphs, GraphPrefix):
            return super().access(graphs)
        others = sorted(set(self.graph_names()) - set(graphs))
        return SelectAccess(lambda text: self.select_rows(text, None), except_graphs=others)

    def __len__(self) -> int:
        rows = self._run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT").rows
        n = rows[0].get("n") if rows else None
        return int(n.toPython()) if isinstance(n, Literal) else 0

    def close(self) -> None:
        """Flush and let go of the folder (its lock is released), so another process may open it."""
        if self._open is not None:
            if not self.read_only:
                self._open.flush()
            self._open = None


class OxigraphMemoryStore(OxigraphStore):
    """The memory store on its Oxigraph engine (the default; ``$ZONEGRAPH_MEMORY_ENGINE=rdflib``
    chooses rdflib's: store/base.memory_store): Oxigraph's in-memory store, filled from the
    KG directory's files at each start (kgdir/sources.py), queried by Oxigraph's SPARQL
    engine like the store on disk. The files stay the truth (a change rewrites them,
    through zonegraph._write).

    rdflib graphs are made from it only where pySHACL and owlrl need them (``check
    --engine pyshacl``, the consistency check's fallback, the inferred graph): the
    rdflib Dataset it replaces cost most of every command at 200k triples (its open
    adds each triple to rdflib's indexes; its queries run on rdflib's SPARQL engine),
    docs/performance.md, "Start-up". Oxigraph keeps values: literals come back in
    their canonical form (``"202.0"^^xsd:decimal`` as ``"202"``), as from every store
    but rdflib's; the KG files keep the forms they were written in.
    """

    from_files = True
    loads_files = False  # ``load`` fills a store of its own; this one lives for one command
    _merged = False  # whether the default graph holds the merge of the named graphs now

    def __init__(self) -> None:
        super().__init__(None)

    def reader_spec(self) -> str:
        """Another process reads the KG directory's files itself."""
        return "memory"

    def fill_from_files(self, quads: Sequence[object], nquads: Path | None = None) -> None:
        """Load the N-Quads file *nquads* and add *quads* (see :meth:`Store.fill_from_files`).

        The file is loaded *lenient*ly (Oxigraph skips its IRI and literal checks): zonegraph
        wrote it from quads that passed the strict checks. 0.45 s at 200k triples instead of
        0.62 s (``bulk_load``: 0.67 s, its batching is for stores on disk)."""
        self._names = None
        try:
            if nquads is not None:
                self._store.load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
            self._store.bulk_extend(cast("Sequence[ox.Quad]", quads))
        except (OSError, SyntaxError):
            self._store.clear()
            raise
        self._merged = False

    def insert(self, graphs: Mapping[URIRef, Graph]) -> None:
        super().insert(graphs)
        self._drop_merge()

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        super().replace_graphs(graphs)
        self._drop_merge()

    def _drop_merge(self) -> None:
        """Forget the merge a write made stale: Oxigraph's union default graph includes
        the default graph itself, so a stale merge left there showed removed triples to
        every query over the union, and each triple twice."""
        if self._merged:
            self._store.clear_graph(ox.DefaultGraph())
            self._merged = False

    def _as_union(self, union: bool) -> bool:
        """Over the merge once it is made (the union as a set), not the union of the named
        graphs and the default graph that holds it (every triple twice)."""
        return union and not self._merged

    def _union_for(self, query: Query) -> bool:
        """Oxigraph's union where repeated triples cannot change *query*'s answer, else the
        merge (store/union.py), made now if the fill or a write made it stale.

        SPARQL's default graph here is the union of the sources, and a query over it must
        see a set, as rdflib's: Oxigraph's union default graph holds a triple once per
        graph that states it (``SELECT (COUNT(*) ...) { ?p a zg:CooperationPark }``
        counted 55 of the shipped graph's 14 parks). The merge is one update inside
        Oxigraph: 0.7 s at 200k triples (a copy through Python: 1.5 s), twice the quads.
        The queries zonegraph generates itself (:meth:`select_rows`: validation, stats)
        run on Oxigraph's union, as on the Oxigraph store. Once the merge is made, every
        query runs on it (:meth:`_as_union`): the union would hold each triple twice.
        """
        from .union import sees_repeats

        if query.algebra.get("datasetClause"):
            return False  # the query's own FROM / FROM NAMED
        if not sees_repeats(query.algebra):
            return not self._merged
        if not self._merged:
            self._store.update(
                "DROP SILENT DEFAULT ; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
            )
            self._merged = True
        return False

    def close(self) -> None:
        """Let go of the triples (nothing to flush)."""
        self._open = None
