"""The query page's state in its URL, and its results rendered by the server.

The page's address says what it runs, so that a result can be shared and a reload
brings it back: ``/query?name=NAME&PARAM=VALUE…`` for a canned query with its
parameters, ``/query?query=SPARQL`` for SPARQL typed in the editor (the form's own
GET, with or without JavaScript). When the address names a query, the server runs it
(on a query worker, as every query) and renders the results into the page: the page
works as a plain form with JavaScript off; with it on, the editor takes over.

A syntax error names the line and column in the text the user typed
(``query:LINE:COLUMN: …``, from :func:`zonegraph.sparql.query.prepare`); :func:`located`
reads them back so that the page can say "line 1, column 1" and mark the place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.term import Node

from .._errors import UnknownQueryError
from ..rdf.namespaces import PREFIXES, SKOS, shorten
from ..sparql.paging import DEFAULT_LIMIT
from .pages import Pages, TermView
from .paging import PAGING, page_of
from .tasks import QueryTask, Reply

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .._kg import KnowledgeGraph
    from ..sparql.catalogue import CannedQuery
    from .tasks import Reply

#: What the page asks the worker for: results as SPARQL JSON, a graph as Turtle.
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
#: ``name:line:column: message``, as a query's syntax error starts.
_PLACE = re.compile(r"^(?P<name>[^:\s]+):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$", re.S)


@dataclass
class QueryState:
    """What the page's URL asks for: a canned query (``canned`` with ``params``) or the
    SPARQL ``text``; ``text`` is also what the editor shows."""

    text: str
    canned: CannedQuery | None = None
    params: dict[str, str] = field(default_factory=dict)
    asked: bool = False  # the URL names a query to run
    #: The page of rows shown: ``offset`` and ``limit`` from the URL, DEFAULT_LIMIT rows
    #: by default (the total is counted on the first page only: docs/paging.md).
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    def task(self, max_rows: int) -> QueryTask:
        paging = {"offset": self.offset, "limit": self.limit, "total": self.offset == 0}
        if self.canned is not None:
            return QueryTask(
                name=self.canned.name,
                params=self.params,
                accept=ACCEPT,
                max_rows=max_rows,
                **paging,  # type: ignore[arg-type]
            )
        return QueryTask(text=self.text, accept=ACCEPT, max_rows=max_rows, **paging)  # type: ignore[arg-type]


#: The URL's words for paging, never a canned query's parameters.
def state(kg: KnowledgeGraph, url: Mapping[str, str], default: str) -> QueryState:
    """The page's state from its URL's parameters *url*; *default* is the editor's text
    when the URL names nothing. An unknown name is no error here: the editor shows the
    text, and the results say the name is unknown."""
    params = {k: v for k, v in url.items() if k not in ("name", "query", *PAGING)}
    offset, limit = page_of(url, default_limit=DEFAULT_LIMIT)
    text = url.get("query")
    name = url.get("name")
    if name:
        try:
            canned = kg.catalogue.get(name)
        except UnknownQueryError:
            canned = None
        if canned is not None and (text is None or _same(text, canned.text)):
            return QueryState(
                canned.text, canned, params, asked=True, offset=offset, limit=limit or DEFAULT_LIMIT
            )
    if text is not None and text.strip():
        return QueryState(
            text.replace("\r\n", "\n"), asked=True, offset=offset, limit=limit or DEFAULT_LIMIT
        )
    return QueryState(default)


def _same(a: str, b: str) -> bool:
    """The same text, whatever the line ends (a form sends CRLF)."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


@dataclass
class Results:
    """A worker's answer as the page shows it."""

    kind: str = ""
    vars: list[str] = field(default_factory=list)
    rows: list[list[TermView | None]] = field(default_factory=list)
    boolean: bool | None = None
    graph: str = ""
    error: str = ""
    message: str = ""  # the error without the place it names (``query:1:1: ``)
    hint: str = ""
    status: int = 200
    line: int | None = None
    column: int | None = None
    seconds: float = 0.0
    #: The page: its first row's number, the listing's rows (None: not counted), and the
    #: links to the pages before and after it.
    first: int = 1
    total: int | None = None
    links: dict[str, str] = field(default_factory=dict)


def results(pages: Pages, reply: Reply) -> Results:
    """The page's view of *reply*: a table, a yes/no, a graph's Turtle, or the error."""
    if not reply.ok:
        out = Results(error=reply.message, hint=reply.hint or "", status=reply.status)
        out.line, out.column, out.message = located(reply.message)
        return out
    out = Results(
        kind=reply.kind or "", seconds=reply.seconds, first=reply.offset + 1, total=reply.total
    )
    if "json" not in reply.media_type:
        out.graph = reply.body.decode("utf-8")
        return out
    data = json.loads(reply.body)
    if "boolean" in data:
        out.boolean = bool(data["boolean"])
        return out
    out.vars = list(data["head"]["vars"])
    for row in data["results"]["bindings"]:
        out.rows.append([_cell(pages, row.get(v)) for v in out.vars])
    return out


def located(message: str) -> tuple[int | None, int | None, str]:
    """The line and column an error *message* names (``query:1:1: …``), and the rest."""
    m = _PLACE.match(message)
    if m is None:
        return None, None, message
    return int(m["line"]), int(m["column"]), m["message"]


def _cell(pages: Pages, term: dict[str, str] | None) -> TermView | None:
    """A results cell as the editor's table shows it: IRIs as prefixed names (linked)."""
    if term is None:
        return None
    if term["type"] == "uri":
        view = pages.view(URIRef(term["value"]))
        short = shorten(term["value"])
        return TermView(short.strip("<>"), view.href, title=term["value"], external=view.external)
    if term["type"] == "bnode":
        return pages.view(Literal("_:" + term["value"]))
    node: Node = Literal(
        term["value"],
        lang=term.get("xml:lang"),
        datatype=URIRef(term["datatype"]) if "datatype" in term else None,
    )
    return pages.view(node)


def editor_terms(kg: KnowledgeGraph, pages: Pages) -> list[dict[str, str]]:
    """The ontology's terms for the editor's completion: prefixed name, label, kind and
    definition of each class, property and vocabulary term."""
    onto = kg.ontology
    kinds = {
        OWL.Class: "class",
        RDFS.Class: "class",
        OWL.ObjectProperty: "property",
        OWL.DatatypeProperty: "property",
        OWL.AnnotationProperty: "property",
        RDF.Property: "property",
    }
    out = []
    for s in set(onto.subjects(RDF.type, None)):
        if not isinstance(s, URIRef):
            continue
        curie = shorten(str(s))
        if curie.startswith("<") or ":" not in curie:
            continue
        types = set(onto.objects(s, RDF.type))
        kind = next((kinds[t] for t in types if isinstance(t, URIRef) and t in kinds), "constant")
        if OWL.Ontology in types:
            continue
        definition = onto.value(s, SKOS.definition) or onto.value(s, RDFS.comment)
        out.append(
            {
                "curie": curie,
                "label": pages.label(s) or "",
                "kind": kind,
                "definition": str(definition or ""),
            }
        )
    return sorted(out, key=lambda t: t["curie"].casefold())


def editor_prefixes() -> dict[str, str]:
    """The prefixes the editor completes: the catalogue's (every query has them declared)."""
    return dict(PREFIXES)
