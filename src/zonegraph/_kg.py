"""The knowledge graph: a KG directory loaded into the embedded store.

:func:`open_kg` reads the ontology and every source file of a KG directory into
the memory store (rdflib's Dataset, or Oxigraph's in-memory store by choice:
store/base.memory_store), one named graph per source, or opens a
store of its own. The :class:`KnowledgeGraph` it returns offers every operation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rdflib import RDFS, Graph, URIRef
from rdflib.term import Node

from . import _kg_check, _write
from ._errors import StoreError
from ._progress import Progress, silent
from ._stats import Stats, compute_stats
from ._write import WriteResult
from .kgdir.journal import file_state, reading
from .kgdir.layout import Layout, installed_root, shipped_root
from .kgdir.parsecache import read_files
from .kgdir.sources import fill as fill_sources
from .rdf.bulk_reader import read_checked
from .rdf.intake import parse_turtle, read_facts
from .rdf.intake_limits import DEFAULT_MAX_BYTES, IntakeLimits
from .rdf.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, ZGS
from .rdf.oxigraph_terms import add_to_graph
from .rdf.turtle_writer import leading_comments
from .reason import inferred as _inferred
from .reason.core import Vocabulary, validation_ontology
from .reason.inferred_cache import InferredCache
from .reason.labelkey import KeyIndex
from .sparql import adhoc, lookup
from .sparql.catalogue import CannedQuery, Catalogue
from .sparql.paging import Page, keyset_page
from .sparql.params import LabelIndex
from .sparql.results import QueryResult
from .store import export
from .store.base import Store, memory_store
from .store.inferred import derived_for_store
from .store.plan import Plan
from .store.querying import run_query
from .validate.change import Dependencies
from .validate.shacl import ValidationReport
from .validate.shapes import read_shapes
from .validate.targets import Targets

#: What ``add`` returns (the one result type of every change, _write).
AddResult = WriteResult


class KnowledgeGraph:
    """A KG directory loaded into memory. Create one with :func:`open_kg`.

    >>> kg = open_kg()
    >>> [row["parkLabel"].value for row in kg.query("parks-of-zone").rows][:1]
    ['China-Britain Innovation Industry Park']
    """

    def __init__(
        self,
        layout: Layout,
        *,
        store: Store | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_network: bool = False,
        limits: IntakeLimits | None = None,
    ) -> None:
        self.layout = layout.check()
        # for input files and request bodies; the KG's own files are read whatever their size
        self.limits = limits if limits is not None else IntakeLimits(max_bytes=max_bytes)
        self.max_bytes: int = self.limits.max_bytes or max_bytes
        self.allow_network = allow_network  # SERVICE, owl:imports statements (never followed)
        self._inferred_cache = InferredCache()
        self.ontology = Graph()
        memory = store if store is not None else memory_store()
        # Under the shared lock, after finishing or undoing a change a crash interrupted.
        with reading(layout.kg_dir, also=[layout.root]):
            ontology_files = layout.ontology_files()
            source_files = layout.source_files() if memory.from_files else []
            self._kg_state: dict[str, tuple[int, int, int]] = file_state(source_files)
            sources = {p: URIRef(Layout.graph_name(p)) for p in source_files}
            own = memory.rdflib_dataset()  # rdflib's engine: into its graphs, each triple once
            # cached parses: kgdir/parsecache (ontology, rdflib's sources), sources (Oxigraph's)
            parsed = read_files(
                [*ontology_files, *(source_files if own is not None else [])],
                layout.root,
                self._read_own_file,
                allow_network=allow_network,
                into=lambda p: (
                    Graph() if own is None or p not in sources else own.graph(sources[p])
                ),
            )
            for path in ontology_files:
                self.ontology += parsed[path]
            self.catalogue = Catalogue(layout.queries_dir)
            if memory.from_files and own is None:  # the ontology's quads too, as Oxigraph's
                fill_sources(
                    {**dict.fromkeys(ontology_files, ONTOLOGY_GRAPH), **sources},
                    layout.root,
                    memory.fill_from_files,
                    display=self.display_path,
                    strict=self.parse_kg_file,
                    allow_network=allow_network,
                )
            elif memory.from_files:
                memory.insert({ONTOLOGY_GRAPH: self.ontology})
        self.store: Store = memory

    def read_kg_files(self) -> dict[URIRef, Graph]:
        """The KG directory's graphs as its files hold them: the ontology and one per source."""
        graphs: dict[URIRef, Graph] = {ONTOLOGY_GRAPH: self.ontology}
        paths = self.layout.source_files()
        self._kg_state = file_state(paths)
        for path in paths:
            graphs[URIRef(Layout.graph_name(path))] = self._read_own_file(path)
        return graphs

    def _read_own_file(self, path: Path) -> Graph:
        """One of the KG's own files, read as ``load`` reads it (rdf/bulk_reader: Oxigraph's
        parse, the strict reader's checks; the strict reader where they doubt): the strict
        reader alone took 31 s of a 48 s first open at 200k triples."""
        quads = read_checked(
            path, None, display_name=self.display_path(path), allow_network=self.allow_network
        )
        if quads is None:
            return self.parse_kg_file(path)
        graph = Graph()
        add_to_graph(graph, quads)
        return graph

    def parse_kg_file(self, path: Path) -> Graph:
        """One of the KG's own files, read strictly (whatever its size)."""
        return parse_turtle(
            path,
            max_bytes=None,
            display_name=self.display_path(path),
            allow_network=self.allow_network,
        )

    # -- basics ---------------------------------------------------------------

    def display_path(self, path: Path) -> str:
        """*path* as messages show it: relative to the KG directory where it lies inside."""
        try:
            return str(path.relative_to(self.layout.root))
        except ValueError:
            return str(path)

    def graph_names(self) -> list[URIRef]:
        """The named graphs: the ontology's and one per source."""
        return self.store.graph_names()

    def source_graphs(self) -> dict[URIRef, Graph]:
        """Each source's named graph, by the source's IRI."""
        return {n: self.store.graph(n) for n in self.graph_names() if str(n).startswith(str(ZGS))}

    def data(self) -> Graph:
        """The union of every source's facts (without the ontology)."""
        return self.store.union(n for n in self.graph_names() if str(n).startswith(str(ZGS)))

    def __len__(self) -> int:
        return len(self.store)

    # -- the inferred graph (_inferred) ----------------------------------------

    def content_key(self) -> str:
        """A hash of the ontology and source files: what the cached closure is keyed by."""
        files = [*self.layout.ontology_files(), *self.layout.source_files()]
        return _inferred.content_key(files, self.layout.root)

    def inferred_from_files(self) -> Graph:
        """The inferred graph of the KG directory's files: cached by their content, computed
        (and cached) on a miss."""
        key = self.content_key()
        return self._inferred_cache.of(key, self._file_facts, self.ontology, self.vocabulary)

    def _file_facts(self) -> Graph:
        """The facts of the KG directory's source files (the memory store holds them)."""
        if self.store.from_files:
            return self.data()
        data = Graph()
        for name, graph in self.read_kg_files().items():
            if name != ONTOLOGY_GRAPH:
                data += graph
        return data

    def inferred(self) -> Graph:
        """The closure's triples about the data (not asserted anywhere), for this store:
        from the cache for the memory store, the store's inferred graph if it has one,
        else computed from the store's facts."""
        if self.store.from_files:
            return self.inferred_from_files()
        if INFERRED_GRAPH in self.store.graph_names():
            return self.store.graph(INFERRED_GRAPH)
        return _inferred.compute(self.data(), self.ontology, self.vocabulary)

    @functools.cached_property
    def shapes(self) -> Graph:
        """The SHACL shapes (``ontology/shapes.ttl``); never part of the data."""
        path = self.layout.shapes_file
        return read_shapes(path, name=self.display_path(path), allow_network=self.allow_network)

    @functools.cached_property
    def targets(self) -> Targets:
        """The shapes' declarative targets, to validate chosen focus nodes only (_targets)."""
        return Targets.of(self.shapes)

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.ontology)

    @functools.cached_property
    def _validation_ontology(self) -> Graph:
        return validation_ontology(self.ontology)

    @functools.cached_property
    def plan(self) -> Plan:
        """What validating a node needs to see around it, read off the shapes (_neighbourhood)."""
        return Plan.from_shapes(self.shapes, self.vocabulary)

    @functools.cached_property
    def dependencies(self) -> Dependencies:
        """Which nodes a change can make valid or invalid, read off the shapes (the gate)."""
        return Dependencies.from_shapes(self.shapes, self.plan)

    def prepare_validation(self) -> None:
        """Read and compile what validating a change needs (the shapes, their plan, the
        label keys), so that the first change validates as fast as the next: the
        server's workers do this when they start."""
        for part in (self.targets, self.dependencies, self._validation_ontology, self.label_keys):
            assert part is not None

    @functools.cached_property
    def label_keys(self) -> KeyIndex:
        """The label keys of the graph's entities: what the gate finds a change's
        duplicate-label partners in (reason/labelkey.py)."""
        return _kg_check.label_keys(self)

    # -- lookups for parameters (sparql/lookup) --------------------------------

    @functools.cached_property
    def labels(self) -> LabelIndex:
        return lookup.label_index(self._run)

    def members(self, cls: str) -> set[URIRef]:
        """The entities whose type is *cls* (prefixed name or IRI) or one of its subclasses."""
        return lookup.members(self._run, cls)

    def is_member(self, iri: URIRef, cls: str) -> bool:
        """True when *iri* has the type *cls* (prefixed name or IRI) or one of its subclasses."""
        return lookup.is_member(self._run, iri, cls)

    def exists(self, iri: URIRef) -> bool:
        """True when *iri* is described in the graph (as a subject)."""
        return lookup.exists(self._run, iri)

    # -- queries --------------------------------------------------------------

    def queries(self) -> list[CannedQuery]:
        """The canned queries, sorted by name."""
        return sorted(self.catalogue, key=lambda q: q.name)

    def query(
        self,
        query: str,
        /,
        params: Mapping[str, object] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        total: bool = False,
        **kwargs: object,
    ) -> QueryResult:
        """Run a canned query by name (text without whitespace: ``"parks-of-zone"``) or
        SPARQL text (anything else); parameters by keyword or as a mapping, each bound as
        an RDF term (SPARQL text's: rdflib terms or int, Decimal, date...).

        *limit* and *offset* ask for one page of a SELECT's rows (``result.more`` says
        whether more follow); *total* also counts the whole listing (``result.total``).
        A query parameter named ``limit``, ``offset`` or ``total`` goes in *params*."""
        given = {**(params or {}), **kwargs}
        page = None if limit is None and offset == 0 else Page(offset, limit)
        if not adhoc.is_query_name(query):
            return self.sparql(query, bindings=adhoc.terms(query, given), page=page, total=total)
        adhoc.canned(self.catalogue, query)  # unknown: says how SPARQL text is told apart
        return self.canned(query, adhoc.as_text(given), page=page, total=total)

    def canned(
        self,
        name: str,
        params: Mapping[str, str | Node] | None = None,
        *,
        page: Page | None = None,
        total: bool = False,
    ) -> QueryResult:
        """Run the canned query *name* only (what a URL or the command names); an entity
        parameter takes an IRI, a prefixed name or a label; *page* and *total* as for
        :meth:`query`."""
        canned = self.catalogue.get(name)
        bindings = self.bind(canned, params or {})
        if page is not None and not total:  # a page by keys, where it has a key query
            keyed = keyset_page(
                self.catalogue,
                canned,
                bindings,
                page,
                lambda text, bound, where: self._run(text, bound, name=where),
            )
            if keyed is not None:
                return keyed
        return self._run(canned.text, bindings, name=f"queries/{name}.rq", page=page, total=total)

    def _run(
        self,
        text: str,
        bindings: Mapping[str, Node],
        *,
        name: str = "query",
        allow_service: bool = False,
        page: Page | None = None,
        total: bool = False,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
    ) -> QueryResult:
        return run_query(
            self.store,
            text,
            bindings,
            prologue=self.catalogue.prologue,
            name=name,
            allow_service=allow_service or self.allow_network,
            page=page,
            total=total,
            dataset=dataset,
        )

    def bind(self, canned: CannedQuery, given: Mapping[str, str | Node]) -> dict[str, Node]:
        """Resolve *given* parameter values of *canned* (with defaults) into RDF terms."""
        return lookup.bind(
            canned,
            given,
            labels=lambda: self.labels,
            exists=self.exists,
            members=self.members,
            is_member=self.is_member,
        )

    def sparql(
        self,
        text: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        allow_service: bool = False,
        name: str = "query",
        page: Page | None = None,
        total: bool = False,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
    ) -> QueryResult:
        """Run an ad-hoc SELECT, ASK, CONSTRUCT or DESCRIBE query (prefixes of queries/ apply);
        *name* (a file's path) starts the position in error messages; *page* and *total*
        as for :meth:`query`; *dataset* (default graphs, named graphs), as the SPARQL
        Protocol's parameters, replaces the query's FROM and FROM NAMED."""
        return self._run(
            text,
            bindings or {},
            name=name,
            allow_service=allow_service,
            page=page,
            total=total,
            dataset=dataset,
        )

    # -- validation -----------------------------------------------------------

    def read_facts(self, paths: Iterable[str | Path]) -> list[tuple[Path, Graph]]:
        """Parse new-facts files strictly (rdf/intake.read_facts: one input for the limits)."""
        return read_facts(paths, limits=self.limits, allow_network=self.allow_network)

    def validate(self, paths: Iterable[str | Path]) -> ValidationReport:
        """Validate new facts together with the graph they would join.

        Only the nodes the new facts touch are validated (their subjects and the
        entities they link to), against the shapes, over the data, the new
        facts, the ontology and the validation closure.
        """
        return self._validate_new(self.read_facts(paths))

    def _validate_new(
        self,
        added: Graph | Sequence[tuple[Path, Graph]],
        removed: Graph | None = None,
    ) -> ValidationReport:
        """The results a change adds anywhere in the graph (_kg_check.change: the gate)."""
        return _kg_check.change(self, added, removed)

    def _validation_graph(
        self, *, extra: Graph | None = None, around: set[Node] | None = None
    ) -> Graph:
        """What validation runs over (_kg_check.validation_graph)."""
        return _kg_check.validation_graph(self, extra=extra, around=around)

    def check(self, progress: Progress = silent, *, engine: str | None = None) -> ValidationReport:
        """Validate the whole graph: shapes, every check query, consistency (_kg_check.whole_graph:
        *engine* sparql runs the shapes inside the store, pyshacl copies the graph out)."""
        return _kg_check.whole_graph(self, progress, engine=engine)

    def clashes(self) -> list[str]:
        """What makes the facts and their closure contradict the ontology (_kg_check)."""
        return _kg_check.clashes(self)

    # -- changing the graph (_write) --------------------------------------------

    def add(self, inputs: Iterable[str | Path]) -> WriteResult:
        """Validate new facts, then merge each file into its source's graph.

        A file's facts go to the one source they cite (``dct:source``) or
        describe. On a violation, or any error, nothing changes. With the memory
        store the source's KG file is rewritten atomically, under a lock; with
        another store, the store's graph changes and ``kg/`` stays as it is.
        """
        files = self.read_facts(inputs)
        headers = {p: leading_comments(p.read_text(encoding="utf-8")) for p, _ in files}
        change = _write.facts_change((str(p), g, headers[p]) for p, g in files)
        return _write.apply(self, change)

    def refuse_writes_to_shipped(self) -> None:
        """StoreError when this graph is the copy inside an installed package (read-only)."""
        if self.store.from_files and self.layout.root == installed_root():
            raise StoreError(
                "the shipped graph inside the installed zonegraph package is read-only "
                "(a reinstall would lose what is written there)",
                hint="make a KG directory of your own with 'zonegraph init DIR', "
                "then write to it with 'zonegraph --kg DIR add ...'",
            )

    def keeps_files(self) -> bool:
        """True when the KG files are the store's truth (the memory store): a change
        rewrites them. False for a store that keeps its own copy (Oxigraph, a server)."""
        return self.store.from_files

    def refresh(self) -> bool:
        """Read again the KG files another process replaced since they were read (hold
        the KG's lock); True if they had changed. A no-op for stores of their own."""
        if self.store.from_files and file_state(self.layout.source_files()) != self._kg_state:
            fresh = self.read_kg_files()
            gone = [n for n in self.graph_names() if n not in fresh]
            self.store.replace_graphs({**fresh, **{n: Graph() for n in gone}})
            self.changed()
            return True
        return False

    def changed(
        self,
        *,
        inferred: Graph | None = None,
        added: Iterable[tuple[Node, Node, Node]] | None = None,
    ) -> None:
        """Forget what was derived from the graph before a change: the label index, the
        state of the files; *inferred* is the inferred graph after it, if known. The label
        keys are kept and given the labels of *added*, the triples a write added, when the
        write says so (the gate needs a superset of each key's entities, so a removed label's
        key may stay: reading the keys again took 2-3 s at a million triples); else forgotten."""
        self.__dict__.pop("labels", None)
        keys = self.__dict__.pop("label_keys", None)
        if keys is not None and added is not None and _kg_check.keeps_label_keys(self):
            keys.add((s, o) for s, p, o in added if p == RDFS.label)
            self.__dict__["label_keys"] = keys
        if self.store.from_files:
            self._kg_state = file_state(self.layout.source_files())
        if inferred is not None:  # the closure, extended rather than recomputed
            self._inferred_cache.put(self.content_key(), inferred)

    def validate_change(self, added: Graph, removed: Graph | None = None) -> ValidationReport:
        """The results that adding *added* and removing *removed* would bring, anywhere in
        the graph: the one validation of every change (the write path, _write, calls it)."""
        return self._validate_new(added, removed if removed is not None and len(removed) else None)

    def inferred_after(self, facts: Iterable[tuple[Node, Node, Node]]) -> Graph | None:
        """The inferred graph with what new *facts* derive, if the current one is known
        (computed or cached); None otherwise (it is computed when next asked for)."""
        key = self.content_key()
        return self._inferred_cache.extended(key, self.data, facts, self.ontology, self.vocabulary)

    def derived_for_store(self, facts: set[tuple[Node, Node, Node]]) -> Graph | None:
        """What new *facts* derive, for a store that keeps an inferred graph (else None)."""
        return derived_for_store(self.store, facts, self.ontology, self.vocabulary)

    # -- export and statistics -----------------------------------------------

    def export(self, fmt: str = "turtle", *, inferred: bool = False, ontology: bool = True) -> str:
        """The graph in an RDF format; TriG and N-Quads keep one named graph per source.

        With ``inferred``, the inferred graph (:meth:`inferred`, cached) is added
        as the graph ``https://w3id.org/zonegraph/graph/inferred``.
        """
        return export.export(
            self.store,
            fmt,
            ontology=self.ontology if ontology else None,
            inferred=self.inferred if inferred else None,
        )

    def stats(self) -> Stats:
        """Counts: triples per graph, entities per class, sources and the facts each states."""
        sources = [n for n in self.graph_names() if str(n).startswith(str(ZGS))]
        return compute_stats(self.store.summary(), sources, self.ontology)


def open_kg(
    root: str | Path | None = None,
    *,
    store: Store | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_network: bool = False,
    limits: IntakeLimits | None = None,
) -> KnowledgeGraph:
    """Open the KG directory *root* (``ontology/``, ``kg/``, ``queries/``).

    Without *root*, the shipped graph.

    Without *store*, the directory's files are loaded into a new in-memory store.
    *allow_network* lets queries and shapes use SERVICE (refused by default).
    *limits* bound every input file and request body (default: :class:`IntakeLimits`
    with *max_bytes*; docs/security.md, "Intake").
    """
    layout = Layout(Path(root) if root is not None else shipped_root())
    return KnowledgeGraph(
        layout, store=store, max_bytes=max_bytes, allow_network=allow_network, limits=limits
    )
