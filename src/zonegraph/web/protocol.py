"""The SPARQL 1.1 Protocol (``/sparql``: queries, updates, the service description) and
the Graph Store Protocol (``/store``): :class:`ProtocolRoutes`. Queries and the evaluation
of an update run on the worker pool; a change goes through the one write path
(:mod:`zonegraph.web.update`), validated by a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

import anyio.from_thread
from rdflib import Graph, URIRef
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from .. import _write
from ..validate.shacl import ValidationReport
from . import conneg, paging
from . import update as _update
from .core import ServerCore
from .errors import HttpError
from .service import service_description
from .tasks import QueryTask, UpdateTask, ValidateTask

_RDF_BODY_TYPES = ("text/turtle", "application/n-triples", "application/x-turtle")


class ProtocolRoutes(ServerCore):
    """The SPARQL Protocol and Graph Store Protocol routes."""

    #: The service description with the endpoint and pool generation it was counted for.
    _description: tuple[tuple[str, int], Graph] | None = None

    # -- SPARQL 1.1 Protocol -----------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        url_params = list(request.query_params.multi_items())
        params = url_params
        query: str | None = None
        update: str | None = None
        if request.method == "POST":
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await self.body(request)
            text = _decode(body)
            if kind == "application/x-www-form-urlencoded":
                params = parse_qsl(text, keep_blank_values=True)
            elif kind == "application/sparql-query":
                query = text
            elif kind == "application/sparql-update":
                update = text
            else:
                raise HttpError(
                    415,
                    f"a SPARQL POST cannot have Content-Type {kind or '(none)'}",
                    "send application/x-www-form-urlencoded, application/sparql-query "
                    "or application/sparql-update",
                )
        values = _multi(params)
        if len(values.get("query", [])) > 1 or len(values.get("update", [])) > 1:
            raise HttpError(400, "give one query (or one update) per request")
        query = query if query is not None else _one(values, "query")
        update = update if update is not None else _one(values, "update")
        if request.method != "POST" and update is not None:
            raise HttpError(400, "a SPARQL update must be sent with POST")
        if query is not None and update is not None:
            raise HttpError(400, "a request holds a query or an update, not both")
        if update is not None:
            return await self.sparql_update(request, update)
        if query is None:
            return self.service_description(request)
        url_values = _multi(url_params)
        # zonegraph's own extension, as on /api/queries: one page of a SELECT's rows
        # (?limit=N&offset=M&total=false; docs/paging.md). A request without them is
        # the protocol's.
        wanted = {
            word: given
            for word in paging.PAGING
            if (given := _one(values, word) or _one(url_values, word)) is not None
        }
        offset, limit = paging.page_of(wanted, default_limit=None)
        task = QueryTask(
            text=query,
            default_graphs=tuple(
                values.get("default-graph-uri", []) or url_values.get("default-graph-uri", [])
            ),
            named_graphs=tuple(
                values.get("named-graph-uri", []) or url_values.get("named-graph-uri", [])
            ),
            accept=request.headers.get("accept"),
            fmt=_one(values, "format") or _one(url_values, "format"),
            max_rows=self.options.max_rows,
            offset=offset,
            limit=limit,
            total=paging.wants_total(wanted),
        )
        reply = await self.run(task, self.client(request))
        response = self.answer(reply)
        if wanted:  # the pages around it as GET URLs: this request's parameters, moved on
            asked = {k: v[0] for k, v in (url_values | values).items() if v}
            response.headers.update(paging.headers(asked, request.url.path, reply))
        return response

    def service_description(self, request: Request) -> Response:
        accept = request.headers.get("accept") or ""
        rdf = max(conneg.quality(accept, t) for t in ("text/turtle", "application/ld+json"))
        if conneg.quality(accept, "text/html") > rdf:  # a browser: show it the query page
            return RedirectResponse("/query", status_code=303)
        endpoint = self.base_url(request) + "/sparql"
        key = (endpoint, self.pool.generation)
        cached = self._description
        if cached is None or cached[0] != key:
            # counted once per state of the graph (the pool's generation goes up on each
            # write), not once per request: the counts are queries over the whole store
            cached = (
                key,
                service_description(
                    self.kg,
                    endpoint=endpoint,
                    updates=self.options.allow_updates,
                    limits=self.options.limits(),
                ),
            )
            self._description = cached
        graph = cached[1]
        offer = conneg.choose(accept, request.query_params.get("format"), conneg.GRAPH_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot write the service description in the format asked for",
                f"ask for one of {conneg.supported(conneg.GRAPH_OFFERS)}",
            )
        fmt = {"ntriples": "nt", "jsonld": "json-ld"}.get(offer.fmt, offer.fmt)
        return Response(
            graph.serialize(format=fmt),
            media_type=conneg.content_type(offer.media_type),
            headers={"Vary": "Accept"},
        )

    async def sparql_update(self, request: Request, text: str) -> Response:
        self.authorize(request)
        async with self.update_lock:
            reply = await self.run(UpdateTask(text))
            if not reply.ok:
                raise HttpError(reply.status, reply.message, reply.hint)
            after = {}
            for name, triples in reply.graphs.items():
                g = Graph()
                for t in triples:
                    g.add(t)
                after[URIRef(name)] = g
            outcome = await self.apply(
                lambda validate: _update.replace_graphs(self.kg, after, validate=validate)
            )
        return self.outcome(request, outcome)

    async def apply(
        self, change: Callable[[_write.Validator], _update.UpdateOutcome]
    ) -> _update.UpdateOutcome:
        """Make a change through the write path, its validation run by a query worker: within
        the time limit (the worker is killed past it, and nothing is written), and in a
        process that gives the memory back."""

        def validate(added: Graph, removed: Graph) -> ValidationReport:
            task = ValidateTask(list(added), list(removed))
            reply = anyio.from_thread.run(self.run, task)
            if not reply.ok or reply.report is None:
                raise HttpError(reply.status, reply.message, reply.hint)
            return reply.report

        try:
            outcome = await run_in_threadpool(change, validate)
        except _update.UpdateRefused as exc:
            if exc.status == 409:  # the files changed on disk: the workers read them again
                self.pool.refresh()
            raise HttpError(exc.status, exc.message, exc.hint) from None
        if outcome.applied:
            self.pool.refresh()
        return outcome

    def outcome(
        self, request: Request, outcome: _update.UpdateOutcome, *, created: bool = False
    ) -> Response:
        status = 422 if not outcome.report.conforms else 201 if created and outcome.created else 200
        accept = request.headers.get("accept")
        offers = (
            conneg.Offer("application/json", "json"),
            conneg.Offer("text/turtle", "turtle"),
            conneg.Offer("text/plain", "text"),
        )
        offer = conneg.negotiate(accept, offers) or offers[0]
        if offer.fmt == "json":
            return JSONResponse(outcome.as_dict(self.kg.layout.root), status_code=status)
        text = outcome.report.render(offer.fmt)
        if offer.fmt == "text":
            head = (
                "applied"
                if outcome.applied
                else "nothing changed"
                if outcome.report.conforms
                else "refused"
            )
            text = f"{head}: {outcome.changes}\n{text}"
        return Response(text, status_code=status, media_type=conneg.content_type(offer.media_type))

    # -- Graph Store Protocol ------------------------------------------------------

    async def store(self, request: Request) -> Response:
        params = request.query_params
        default = "default" in params
        graph = params.get("graph")
        if default == (graph is not None):
            raise HttpError(
                400,
                "name the graph: ?default or ?graph=IRI (one of them)",
                "the named graphs are listed in the service description at /sparql",
            )
        if request.method in ("GET", "HEAD"):
            if default:
                graphs = {n: self.kg.store.graph(n) for n in self.kg.graph_names()}
            else:
                name = URIRef(str(graph))
                if name not in set(self.kg.graph_names()):
                    raise HttpError(404, f"no graph <{graph}> in the store")
                graphs = {name: self.kg.store.graph(name)}
            return await run_in_threadpool(
                self.rdf, graphs, request.headers.get("accept"), params.get("format"), None
            )
        self.authorize(request)
        body = b""
        if request.method in ("PUT", "POST"):
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in _RDF_BODY_TYPES:
                raise HttpError(
                    415,
                    f"the body must be Turtle or N-Triples, not {kind or '(none)'}",
                    "send Content-Type: text/turtle",
                )
            body = await self.body(request)
        async with self.update_lock:
            if request.method == "POST":
                outcome = await self.apply(
                    lambda validate: _update.add_facts(
                        self.kg, body, None if default else graph, validate=validate
                    )
                )
            elif default:
                raise HttpError(
                    405,
                    "the default graph is the union of the source graphs; "
                    f"{request.method} a source's graph (?graph=IRI) instead",
                    headers={"Allow": "GET, HEAD, POST"},
                )
            elif request.method == "PUT":
                outcome = await self.apply(
                    lambda validate: _update.put_graph(self.kg, body, str(graph), validate=validate)
                )
            else:
                outcome = await self.apply(
                    lambda validate: _update.delete_graph(self.kg, str(graph), validate=validate)
                )
        return self.outcome(request, outcome, created=request.method == "PUT")


# -- small helpers --------------------------------------------------------------------


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request body is not UTF-8 text") from None


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def _one(values: dict[str, list[str]], key: str) -> str | None:
    found = values.get(key)
    return found[-1] if found else None
