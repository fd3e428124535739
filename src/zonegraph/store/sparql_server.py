"""A SPARQL 1.1 server as the store, reached only through the standard protocols.

:class:`SparqlStore` speaks the SPARQL 1.1 Protocol (queries and updates) and,
when it is given an endpoint for it, the Graph Store HTTP Protocol; nothing
else, so Oxigraph server, Virtuoso, Apache Jena Fuseki, GraphDB and Amazon
Neptune all serve. See docs/scaling-out.md for each server's endpoints.

What it does on top of plain HTTP:

* **Scope.** zonegraph's graphs are the named graphs whose IRI starts with
  ``https://w3id.org/zonegraph/``. Every query is sent with those graphs as its
  dataset (``default-graph-uri`` and ``named-graph-uri``, so the default graph
  is their union), so a shared server's other graphs, and Virtuoso's system
  graphs, are never seen.
* **Parameters.** The protocol has no way to bind a variable, so parameters
  are bound by a ``VALUES`` block injected at the start of the query's
  ``WHERE`` group (:func:`bind_values`). The block is written from the RDF
  terms (:func:`nt_term`, strict N-Triples with every IRI checked), never from
  the text a user typed.
* **HTTP** goes through :mod:`zonegraph.store.http` (httpx): credentials from the
  environment only, ``ZONEGRAPH_SPARQL_USER`` / ``ZONEGRAPH_SPARQL_PASSWORD`` (HTTP
  Basic or Digest, whichever the server asks for; ``ZONEGRAPH_SPARQL_AUTH=basic``
  sends Basic up front) or ``ZONEGRAPH_SPARQL_TOKEN`` (a bearer token).

The module also holds what the embedded Oxigraph store shares with it: the
N-Triples writer for update requests and the neighbourhood fetch that lets
``add`` and ``validate`` check new facts without downloading the whole graph
(see :mod:`zonegraph.store.neighbourhood`).
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from .._errors import StoreError
from ..rdf.namespaces import ONTOLOGY_GRAPH
from ..rdf.ntriples import nt_iri, ntriples
from ..sparql.results import QueryResult
from ..sparql.text import Row, bind_values
from .base import Quad, Store

if TYPE_CHECKING:
    from .http import Credentials, Response

#: The named graphs zonegraph reads and writes on a shared server start with this.
GRAPH_SPACE = "https://w3id.org/zonegraph/"


# -- N-Triples terms -----------------------------------------------------------


def insert_text(graphs: Mapping[URIRef, Iterable[tuple[Node, Node, Node]]]) -> str:
    """One SPARQL Update operation adding *graphs* ("" when there is nothing to add).

    ``INSERT DATA`` where the triples have no blank node; with blank nodes,
    ``INSERT { … } WHERE {}``, which means the same (fresh blank nodes) and which
    Virtuoso accepts (its INSERT DATA refuses blank nodes).
    """
    bnodes: dict[BNode, str] = {}
    parts = []
    for name, triples in graphs.items():
        body = ntriples(triples, bnodes)
        if body:
            parts.append(f"GRAPH {nt_iri(str(name))} {{\n{body}}}")
    if not parts:
        return ""
    body = "\n".join(parts)
    return f"INSERT {{\n{body}\n}} WHERE {{}}" if bnodes else f"INSERT DATA {{\n{body}\n}}"


def bnode_groups(graph: Graph, size: int) -> Iterator[list[tuple[Node, Node, Node]]]:
    """*graph*'s triples in chunks of about *size*, keeping every blank node's triples together.

    A blank node label means the same node only within one update request, so
    triples sharing a blank node must travel in the same request.
    """
    parent: dict[BNode, BNode] = {}

    def find(b: BNode) -> BNode:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    plain: list[tuple[Node, Node, Node]] = []
    with_bnodes: list[tuple[Node, Node, Node]] = []
    for t in graph:
        bs = [x for x in (t[0], t[2]) if isinstance(x, BNode)]
        if not bs:
            plain.append(t)
            continue
        with_bnodes.append(t)
        if len(bs) == 2:
            a, b = find(bs[0]), find(bs[1])
            if a != b:
                parent[a] = b
    groups: dict[BNode, list[tuple[Node, Node, Node]]] = {}
    for t in with_bnodes:
        first = t[0] if isinstance(t[0], BNode) else t[2]
        assert isinstance(first, BNode)
        groups.setdefault(find(first), []).append(t)
    chunk: list[tuple[Node, Node, Node]] = []
    for group in [*groups.values(), *([t] for t in plain)]:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


# -- binding parameters -----------------------------------------------------------


# -- SPARQL results ------------------------------------------------------------


def term_from_json(binding: Mapping[str, str]) -> Node:
    """An RDF term from a SPARQL 1.1 JSON results binding (and Virtuoso's ``typed-literal``)."""
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        if lang:
            return Literal(value, lang=lang)
        datatype = binding.get("datatype")
        if datatype and datatype not in (str(XSD.string), str(RDF.langString)):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise StoreError(f"the server answered with a term of unknown type {kind!r}")


def parse_json_results(body: bytes) -> QueryResult:
    """A SELECT or ASK answer in the SPARQL 1.1 Query Results JSON format."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise StoreError(f"the server's answer is not SPARQL JSON results: {body[:200]!r}") from exc
    if "boolean" in doc:
        return QueryResult(kind="ASK", boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows: list[Row] = []
    for b in doc.get("results", {}).get("bindings", []):
        rows.append({v: term_from_json(b[v]) if v in b else None for v in variables})
    return QueryResult(kind="SELECT", vars=variables, rows=rows)


# -- HTTP -------------------------------------------------------------------------


# -- the store ------------------------------------------------------------------

RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"
_RDF_PARSERS = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle"}


class SparqlStore(Store):
    """A SPARQL 1.1 server: queries to *url*, updates to *update_url* (default *url*),
    graphs through the Graph Store Protocol at *gsp_url* when given (else by query and update).

    Credentials come from the environment (:func:`credentials_from_env`) unless given.

    Each query names zonegraph's graphs as its dataset (``default-graph-uri`` and
    ``named-graph-uri``), so that no server setting is needed and a shared server's other
    graphs stay unseen. With *union_default_graph* (``--store sparql-union:URL``) the server's
    default graph is taken to be the union of its named graphs already (Oxigraph server
    ``--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph``) and queries name no graph:
    a request no longer grows with the number of sources (at 1M triples, 5,814 graphs named
    twice made a one-entity query take 1.6-3 s instead of 0.03 s), but every graph of the
    server is seen.
    """

    #: Triples per INSERT DATA request when a graph is written without the Graph Store Protocol.
    insert_chunk = 500

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float | None = None,
        union_default_graph: bool = False,
    ) -> None:
        for u in (url, update_url, gsp_url):
            if u is not None:
                _check_url(u)
        self.url = url
        self.update_url = update_url or url
        self.gsp_url = gsp_url
        self.union_default_graph = union_default_graph
        # the server's default graph is the union: what every facade query sees
        self.own_dataset_is_union = union_default_graph
        self.spec = f"{'sparql-union' if union_default_graph else 'sparql'}:{url}"
        if timeout is None:
            timeout = float(os.environ.get("ZONEGRAPH_SPARQL_TIMEOUT", "300"))
        from .http import HttpClient, credentials_from_env  # httpx, for this store only

        creds = credentials if credentials is not None else credentials_from_env()
        self.http = HttpClient(creds, timeout)
        self._names: list[URIRef] | None = None

    # -- protocol operations ------------------------------------------------

    def select(self, text: str, *, graphs: Sequence[URIRef] | None = None) -> list[Row]:
        """Run a SELECT over *graphs* (zonegraph's graphs by default) and return its rows."""
        return self._query(text, "SELECT", graphs=graphs).rows

    def _query(
        self, text: str, kind: str, *, graphs: Sequence[URIRef] | None = None, dataset: bool = True
    ) -> QueryResult:
        form: list[tuple[str, str]] = [("query", text)]
        if dataset and not (self.union_default_graph and graphs is None):
            names = list(graphs if graphs is not None else self.graph_names()) or [ONTOLOGY_GRAPH]
            form += [("default-graph-uri", str(g)) for g in names]
            form += [("named-graph-uri", str(g)) for g in names]
        graph_result = kind in ("CONSTRUCT", "DESCRIBE")
        resp = self.http.request(
            "POST",
            self.url,
            data=urllib.parse.urlencode(form).encode("utf-8"),
            content_type="application/x-www-form-urlencoded",
            accept=GRAPH_TYPES if graph_result else RESULTS_JSON,
        )
        _check_complete(resp)
        if graph_result:
            return QueryResult(kind=kind, graph=self._parse_graph(resp))
        result = parse_json_results(resp.body)
        if kind == "ASK" and result.boolean is None:
            raise StoreError("the server answered an ASK query without a boolean")
        return result

    def _parse_graph(self, resp: Response) -> Graph:
        fmt = _RDF_PARSERS.get(resp.content_type)
        if fmt is None:
            raise StoreError(
                f"the server answered with {resp.content_type or 'no content type'}, "
                "not an RDF graph"
            )
        graph = Graph()
        if resp.body.strip():
            try:
                graph.parse(data=resp.body.decode("utf-8"), format=fmt)
            except Exception as exc:
                raise StoreError(f"cannot read the server's {resp.content_type}: {exc}") from exc
        return graph

    def update(self, text: str) -> None:
        """Send one SPARQL Update request."""
        self.http.request(
            "POST",
            self.update_url,
            data=text.encode("utf-8"),
            content_type="application/sparql-update",
        )
        self._names = None

    def _gsp(self, name: URIRef) -> str:
        assert self.gsp_url is not None
        sep = "&" if "?" in self.gsp_url else "?"
        return f"{self.gsp_url}{sep}{urllib.parse.urlencode({'graph': str(name)})}"

    # -- the Store interface --------------------------------------------------

    def graph_names(self) -> list[URIRef]:
        if self._names is None:
            text = (
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(STRSTARTS(STR(?g), "{GRAPH_SPACE}")) }}'
            )
            rows = self._query(text, "SELECT", dataset=False).rows
            self._names = sorted(
                {URIRef(str(r["g"])) for r in rows if isinstance(r.get("g"), URIRef)}
            )
        return list(self._names)

    def quads(
        self, subject: Node | None, predicate: Node | None, obj: Node | None
    ) -> Iterator[Quad]:
        """One SELECT over the server's named graphs (zonegraph's only). A blank node has
        no name a second request could use, so a pattern with one reads each graph
        (:meth:`Store.quads`)."""
        terms = {"s": subject, "p": predicate, "o": obj}
        if any(isinstance(t, BNode) for t in terms.values()):
            yield from super().quads(subject, predicate, obj)
            return
        bound = {k: t for k, t in terms.items() if t is not None}
        names = set(self.graph_names())
        text = bind_values("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bound)
        for r in self._query(text, "SELECT", dataset=False).rows:
            s, p, o, g = r.get("s"), r.get("p"), r.get("o"), r.get("g")
            if s is not None and p is not None and o is not None and g in names:
                yield s, p, o, URIRef(str(g))

    def graph(self, name: URIRef) -> Graph:
        if self.gsp_url is not None:
            resp = self.http.request("GET", self._gsp(name), accept=GRAPH_TYPES, ok_missing=True)
            return Graph() if resp.status == 404 else self._parse_graph(resp)
        iri = nt_iri(str(name))
        graph = self._query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}",
            "CONSTRUCT",
            dataset=False,
        ).graph
        assert graph is not None
        # Virtuoso cuts a CONSTRUCT at ResultSetMaxRows without saying so: count to be sure.
        rows = self._query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}",
            "SELECT",
            dataset=False,
        ).rows
        n = rows[0].get("n") if rows else None
        expected = int(n.toPython()) if isinstance(n, Literal) else 0
        if len(graph) < expected:
            raise StoreError(
                f"the server sent only {len(graph)} of the {expected} triples of <{name}>",
                hint="give the Graph Store Protocol endpoint with --gsp-url, or raise the cap "
                "(Virtuoso: [SPARQL] ResultSetMaxRows in virtuoso.ini)",
            )
        return graph

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        try:
            for name, triples in graphs.items():
                if self.gsp_url is not None:
                    self._put_graph(name, triples)
                else:
                    self._write_graph(name, triples)
        finally:
            self._names = None

    def _put_graph(self, name: URIRef, triples: Graph) -> None:
        if not len(triples):
            self.http.request("DELETE", self._gsp(name), ok_missing=True)
            return
        # N-Triples is Turtle: every Graph Store implementation reads text/turtle.
        body = ntriples(triples, {}).encode("utf-8")
        self.http.request("PUT", self._gsp(name), data=body, content_type="text/turtle")

    def _write_graph(self, name: URIRef, triples: Graph) -> None:
        iri = nt_iri(str(name))
        chunks = list(bnode_groups(triples, self.insert_chunk))
        first = f"DROP SILENT GRAPH {iri}"
        if chunks:
            first += " ;\n" + insert_text({name: chunks[0]})
        self.update(first)
        for chunk in chunks[1:]:
            self.update(insert_text({name: chunk}))

    def insert(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Add the triples in one INSERT DATA request: all land, or none."""
        text = insert_text(graphs)
        if text:
            self.update(text)

    def query(self, query: Query, text: str, bindings: Mapping[str, Node]) -> QueryResult:
        """Send *text*, the canonical text that was checked (:func:`zonegraph.sparql.query.prepare`:
        no escape left for the server to decode), with the parameters bound in it at places
        proved to change none of its keywords (:func:`zonegraph.sparql.guard.check_bound`)."""
        from ..sparql.guard import check_bound

        kind = query.algebra.name.replace("Query", "").upper()
        own_dataset = bool(query.algebra.get("datasetClause"))
        if bindings:
            check_bound(text, bindings, query)
        sent = bind_values(text, bindings, check=False)
        return self._query(sent, kind, dataset=not own_dataset)

    def select_rows(self, text: str, graphs: Sequence[URIRef] | None) -> list[Row]:
        if graphs is None:  # the server's own dataset: GRAPH ?g reaches every named graph
            return self._query(text, "SELECT", dataset=False).rows
        return self.select(text, graphs=graphs)

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        n = rows[0].get("n") if rows else None
        return int(n.toPython()) if isinstance(n, Literal) else 0

    def close(self) -> None:
        self.http.close()


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(
            f"{url!r} is not an http(s) URL", hint="for example sparql:http://127.0.0.1:7878/query"
        )
    if parts.username is not None or parts.password is not None:
        raise StoreError(
            "credentials do not belong in the store URL "
            "(they would show in the process list and the shell history)",
            hint="set ZONEGRAPH_SPARQL_USER and ZONEGRAPH_SPARQL_PASSWORD "
            "(or ZONEGRAPH_SPARQL_TOKEN) instead",
        )


def _check_complete(resp: Response) -> None:
    """Refuse an answer the server cut short (Virtuoso's ResultSetMaxRows)."""
    for key, value in resp.headers.items():
        if key.lower() == "x-sparql-maxrows":
            raise StoreError(
                f"the server cut the answer at {value} rows (Virtuoso's ResultSetMaxRows)",
                hint="raise [SPARQL] ResultSetMaxRows in the server's virtuoso.ini, "
                "or give --gsp-url for whole graphs",
            )
