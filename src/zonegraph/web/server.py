"""``zonegraph serve``: the graph on the web (Starlette app, run by uvicorn).

    /                        home page: what the graph holds, its sources, its parks, countries …
    /query                   query page: canned queries with a parameter form, an editor, results
    /sparql                  SPARQL 1.1 Protocol (GET, POST); a bare GET: the service description
    /store?default|graph=    Graph Store Protocol (reads; PUT, POST, DELETE when updates are on)
    /api/queries[/NAME]      the canned queries as a REST API
    /api/openapi.json        the OpenAPI document of that API
    /id/…, /source/…         every entity and source: HTML, or RDF (by Accept or a .ttl … suffix)
    /ontology[/TERM]         the ontology and each of its terms, the same way

Queries never run in the server's process: they go to a pool of worker
processes (:mod:`zonegraph.web.worker`) that can be killed at the time limit.
Updates are off unless the server is started with ``allow_updates`` and a
token; each is validated against the shapes before anything changes
(:mod:`zonegraph.web.update`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio.from_thread
from rdflib import Graph, URIRef
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import _write
from .._errors import UnknownQueryError, ZonegraphError
from ..rdf.export import serialize_graphs
from ..rdf.namespaces import ONTOLOGY_GRAPH
from ..validate.shacl import ValidationReport
from . import conneg as _conneg
from . import update as _update
from .limits import (
    ADHOC,
    CANNED,
    WRITES,
    Admission,
    QueueFull,
    QueueTimeout,
    client_key,
    header_timeout_protocol,
    parse_networks,
)
from .pages import WEB, Pages, iri_for_path, quote_path
from .service import catalogue_document, openapi_document, service_description
from .worker import (
    PoolBusy,
    QueryTask,
    QueryTimeout,
    Reply,
    Task,
    UpdateTask,
    ValidateTask,
    WorkerCrashed,
    WorkerPool,
)

log = logging.getLogger("zonegraph.server")

_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
        b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
_RDF_BODY_TYPES = ("text/turtle", "application/n-triples", "application/x-turtle")


@dataclass(frozen=True)
class ServerOptions:
    """How the server runs: limits, CORS, and whether (and with which token) it accepts updates."""

    #: Seconds a query may run before its worker is killed (and the longest wait for a worker).
    timeout: float = 10.0
    #: Rows (or triples) a result may hold.
    max_rows: int = 10_000
    #: Bytes a request body may hold.
    max_body: int = 1024 * 1024
    #: Worker processes running queries of every kind.
    workers: int = 2
    #: Address-space limit of each worker process in bytes (0: none).
    worker_memory: int = 2 * 1024**3
    #: Origins allowed to call the server from a browser ("*" for any); empty: CORS off.
    cors_origins: tuple[str, ...] = ()
    #: Accept SPARQL Update and Graph Store PUT / POST / DELETE (needs ``token``).
    allow_updates: bool = False
    #: The bearer token an update must carry.
    token: str | None = field(default=None, repr=False)
    #: The server's public URL (``https://example.org/kg``) for the OpenAPI ``servers`` and
    #: the service description's ``sd:endpoint``; None: the address the connection arrived at.
    #: The Host header is never used.
    base_url: str | None = None
    #: Seconds a connection has to send a request's line and headers (then 408, closed).
    header_timeout: float = 10.0
    #: Worker processes besides ``workers``, kept for canned queries and updates:
    #: ad-hoc SPARQL never runs on them.
    reserved_workers: int = 1
    #: Queries one client may run at once; more of them wait their turn.
    client_concurrency: int = 2
    #: Queries one client may have waiting; beyond that: 429.
    client_queue: int = 8
    #: Queries all clients together may have waiting; beyond that: 503.
    queue_size: int = 64
    #: Seconds a query may wait for a worker (then 503); None: twice ``timeout``.
    queue_timeout: float | None = None
    #: Reverse proxies (addresses or networks) whose X-Forwarded-For names the client.
    trusted_proxies: tuple[str, ...] = ()

    def check(self) -> ServerOptions:
        if self.allow_updates and not self.token:
            raise ZonegraphError(
                "updates need a token",
                hint="set ZONEGRAPH_TOKEN (or --token) to a long random secret",
            )
        if self.timeout <= 0 or self.max_rows <= 0 or self.max_body <= 0 or self.workers <= 0:
            raise ZonegraphError("timeout, max rows, max body and workers must be positive")
        if (
            self.header_timeout <= 0
            or self.client_concurrency <= 0
            or self.client_queue < 0
            or self.queue_size < 0
            or self.reserved_workers < 0
            or (self.queue_timeout is not None and self.queue_timeout <= 0)
        ):
            raise ZonegraphError(
                "the header timeout, queue timeout and client concurrency must be positive; "
                "queue sizes and reserved workers cannot be negative"
            )
        try:
            parse_networks(self.trusted_proxies)
        except ValueError as exc:
            raise ZonegraphError(str(exc), hint="give an address (10.0.0.1) or a network") from None
        if self.base_url is not None:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
                raise ZonegraphError(
                    f"the base URL must be an http(s) URL without a query: {self.base_url!r}",
                    hint="for example --base-url https://example.org/zonegraph",
                )
        return self

    @property
    def queue_wait(self) -> float:
        return self.queue_timeout if self.queue_timeout is not None else 2 * self.timeout

    def limits(self) -> str:
        return (
            f"Limits: {self.timeout:g} s per query, {self.max_rows:,} result rows, "
            f"{self.max_body:,} bytes per request body; "
            f"{self.client_concurrency} queries at once per client, "
            f"{self.queue_wait:g} s at most waiting for a worker."
        )


class HttpError(Exception):
    """An error answer: status, message and how to fix it."""

    def __init__(
        self,
        status: int,
        message: str,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.hint, self.headers = status, message, hint, headers or {}


class _SecurityHeaders:
    """Adds a strict Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class Server:
    """The routes, over one knowledge graph, one worker pool and the options."""

    def __init__(self, kg: Any, options: ServerOptions) -> None:
        self.kg = kg
        self.options = options
        self.pages = Pages(kg, updates=options.allow_updates)
        self.pool = WorkerPool(
            kg.layout.root,
            size=options.workers + options.reserved_workers,
            timeout=options.timeout,
            max_bytes=kg.max_bytes,
            memory_limit=options.worker_memory,
            store=kg.store.reader_spec(),
            reserved=options.reserved_workers,
        )
        self.update_lock = asyncio.Lock()
        self.admission = Admission(
            workers=options.workers + options.reserved_workers,
            reserved=options.reserved_workers,
            per_client=options.client_concurrency,
            client_queue=options.client_queue,
            queue_size=options.queue_size,
            wait=options.queue_wait,
            heavy=options.timeout / 2,
        )
        self.trusted = parse_networks(options.trusted_proxies)

    # -- helpers ------------------------------------------------------------------

    def client(self, request: Request) -> str:
        """Who sent *request* (for the per-client limits): its address, never a header
        unless the connection comes from a trusted proxy."""
        return client_key(request.scope, self.trusted)

    def base_url(self, request: Request) -> str:
        """The server's URL: ``--base-url``, else the address the connection arrived at.

        Never the Host header, which the client chooses."""
        if self.options.base_url:
            return self.options.base_url.rstrip("/")
        server = request.scope.get("server")
        if not server or server[1] is None:
            return ""
        host, port = server
        host = f"[{host}]" if ":" in host else host
        scheme = "https" if request.scope.get("scheme") == "https" else "http"
        return f"{scheme}://{host}:{port}"

    async def run(self, task: Task, client: str = "updates") -> Reply:
        """Run *task* on a worker, once the fair admission gives *client* its turn."""
        if isinstance(task, UpdateTask | ValidateTask):
            lane = WRITES
        else:
            lane = ADHOC if isinstance(task, QueryTask) and task.name is None else CANNED
        retry = {"Retry-After": str(math.ceil(self.options.timeout))}
        deadline = time.monotonic() + self.options.queue_wait
        try:
            async with self.admission.slot(client, lane) as reserved:
                # the slot is free; its worker may still be restarting after a kill
                wait = max(0.001, deadline - time.monotonic())
                return await self._run(task, reserved, wait)
        except QueueFull as exc:
            raise HttpError(
                429 if exc.client_bound else 503,
                exc.message,
                "wait for your queries to finish, then try again"
                if exc.client_bound
                else "try again in a moment",
                retry,
            ) from None
        except QueueTimeout:
            raise HttpError(
                503,
                "every query worker is busy: the query waited "
                f"{self.options.queue_wait:g} s for its turn",
                "try again in a moment",
                retry,
            ) from None

    async def _run(self, task: Task, reserved: bool, wait: float) -> Reply:
        try:
            return await self.pool.run(task, reserved=reserved, wait=wait)
        except QueryTimeout:
            if isinstance(task, ValidateTask):
                raise HttpError(
                    503,
                    f"validating the change ran longer than the limit of "
                    f"{self.options.timeout:g} s and was stopped; nothing was changed",
                    "send fewer triples at a time, or raise the server's --timeout",
                ) from None
            log.warning("a query ran past %g s and its worker was killed", self.options.timeout)
            raise HttpError(
                503,
                f"the query ran longer than the limit of {self.options.timeout:g} s "
                "and was stopped",
                "narrow the patterns, or add LIMIT; "
                "a query joining unrelated patterns grows very fast",
            ) from None
        except PoolBusy:  # the slot's worker was still restarting at the end of the wait
            raise HttpError(
                503,
                "every query worker is busy: the query waited "
                f"{self.options.queue_wait:g} s for its turn",
                "try again in a moment",
                {"Retry-After": str(math.ceil(self.options.timeout))},
            ) from None
        except WorkerCrashed:
            raise HttpError(
                500,
                "the query worker stopped unexpectedly (the query may need too much memory)",
                "narrow the query, or add LIMIT",
            ) from None

    async def body(self, request: Request) -> bytes:
        limit = self.options.max_body
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise HttpError(
                413, f"the request body is {int(length):,} bytes, over the limit of {limit:,}"
            )
        chunks: list[bytes] = []
        size = 0
        seconds = self.options.timeout
        try:
            async with asyncio.timeout(seconds):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise HttpError(
                            413, f"the request body is over the limit of {limit:,} bytes"
                        )
                    chunks.append(chunk)
        except TimeoutError:
            raise HttpError(
                408,
                f"the request body did not arrive within {seconds:g} s",
                "send the body at once",
                {"Connection": "close"},
            ) from None
        return b"".join(chunks)

    def authorize(self, request: Request) -> None:
        if not self.options.allow_updates:
            raise HttpError(
                403,
                "this server is read-only: updates are disabled",
                "start it with --allow-updates and a token to accept updates",
            )
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = (self.options.token or "").encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token):
            raise HttpError(
                401,
                "an update needs the server's token",
                "send 'Authorization: Bearer TOKEN'",
                {"WWW-Authenticate": 'Bearer realm="zonegraph"'},
            )

    @staticmethod
    def answer(reply: Reply) -> Response:
        if not reply.ok:
            raise HttpError(reply.status, reply.message, reply.hint)
        headers = {"Vary": "Accept"}
        if reply.count is not None:
            headers["X-Result-Count"] = str(reply.count)
        return Response(
            reply.body, media_type=_conneg.content_type(reply.media_type), headers=headers
        )

    def rdf(
        self, graphs: dict[URIRef, Graph], accept: str | None, fmt: str | None, location: str | None
    ) -> Response:
        offer = _conneg.choose(accept, fmt, _conneg.GRAPH_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot write the graph in the format asked for",
                f"ask for one of {_conneg.supported(_conneg.GRAPH_OFFERS)}",
            )
        text = serialize_graphs(graphs, offer.fmt)
        headers = {"Vary": "Accept"}
        if location:
            headers["Content-Location"] = location
        return Response(text, media_type=_conneg.content_type(offer.media_type), headers=headers)

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
        )
        return self.answer(await self.run(task, self.client(request)))

    def service_description(self, request: Request) -> Response:
        accept = request.headers.get("accept") or ""
        rdf = max(_conneg.quality(accept, t) for t in ("text/turtle", "application/ld+json"))
        if _conneg.quality(accept, "text/html") > rdf:  # a browser: show it the query page
            return RedirectResponse("/query", status_code=303)
        endpoint = self.base_url(request) + "/sparql"
        graph = service_description(
            self.kg,
            endpoint=endpoint,
            updates=self.options.allow_updates,
            limits=self.options.limits(),
        )
        offer = _conneg.choose(accept, request.query_params.get("format"), _conneg.GRAPH_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot write the service description in the format asked for",
                f"ask for one of {_conneg.supported(_conneg.GRAPH_OFFERS)}",
            )
        fmt = {"ntriples": "nt", "jsonld": "json-ld"}.get(offer.fmt, offer.fmt)
        return Response(
            graph.serialize(format=fmt),
            media_type=_conneg.content_type(offer.media_type),
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
            _conneg.Offer("application/json", "json"),
            _conneg.Offer("text/turtle", "turtle"),
            _conneg.Offer("text/plain", "text"),
        )
        offer = _conneg.negotiate(accept, offers) or offers[0]
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
        return Response(text, status_code=status, media_type=_conneg.content_type(offer.media_type))

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

    # -- the canned queries as a REST API -------------------------------------------

    def catalogue(self, request: Request) -> Response:
        return JSONResponse(catalogue_document(self.kg))

    async def canned(self, request: Request) -> Response:
        name = request.path_params["name"]
        try:
            self.kg.catalogue.get(name)
        except UnknownQueryError as exc:
            raise HttpError(404, exc.message, exc.hint) from None
        params = {k: v for k, v in request.query_params.items() if k != "format"}
        task = QueryTask(
            name=name,
            params=params,
            accept=request.headers.get("accept"),
            fmt=request.query_params.get("format"),
            max_rows=self.options.max_rows,
        )
        return self.answer(await self.run(task, self.client(request)))

    def openapi(self, request: Request) -> Response:
        return JSONResponse(
            openapi_document(
                self.kg,
                server_url=self.base_url(request) or "/",
                updates=self.options.allow_updates,
            )
        )

    def health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "triples": len(self.kg),
                "workers": len(self.pool.pids),
                "updates": self.options.allow_updates,
            }
        )

    # -- pages ------------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        return _html(self.pages.home())

    def query_page(self, request: Request) -> Response:
        return _html(self.pages.query_page())

    def resource(self, request: Request) -> Response:
        """``/id/…`` and ``/source/…``: an entity's page, or its description in RDF."""
        return self._describe(request, self.pages.entity)

    def term(self, request: Request) -> Response:
        """``/ontology/TERM``: a term's page, or its definition in RDF."""
        return self._describe(request, self.pages.term)

    def _describe(self, request: Request, render: Callable[..., str | None]) -> Response:
        path = request.scope["path"]  # decoded: an IRI's ? and # arrive as %3F and %23
        iri, fmt = URIRef(iri_for_path(path)), request.query_params.get("format")
        if not self.pages.describes(iri):
            stem, dot, ext = path.rpartition(".")
            if (
                dot
                and ext in _conneg.EXTENSIONS
                and self.pages.describes(URIRef(iri_for_path(stem)))
            ):
                iri, path, fmt = URIRef(iri_for_path(stem)), stem, _conneg.EXTENSIONS[ext]
            else:
                return self._not_found(request, str(iri))
        offer = _conneg.choose(request.headers.get("accept"), fmt, _conneg.PAGE_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot describe the entity in the format asked for",
                f"ask for one of {_conneg.supported(_conneg.PAGE_OFFERS)}",
            )
        href = quote_path(path)
        if offer.fmt == "html":
            page = render(iri, alternates=_alternates(href))
            if page is None:
                return self._not_found(request, str(iri))
            return _html(page, vary=True)
        return self.rdf(
            self.pages.description_graph(iri), None, offer.fmt, f"{href}.{_extension(offer.fmt)}"
        )

    def ontology(self, request: Request) -> Response:
        path = request.url.path
        fmt = request.query_params.get("format")
        if path != "/ontology":
            ext = path.rsplit(".", 1)[1]
            if ext not in _conneg.EXTENSIONS:
                return self._not_found(request, path)
            fmt = _conneg.EXTENSIONS[ext]
        offer = _conneg.choose(request.headers.get("accept"), fmt, _conneg.PAGE_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot write the ontology in the format asked for",
                f"ask for one of {_conneg.supported(_conneg.PAGE_OFFERS)}",
            )
        if offer.fmt == "html":
            return _html(self.pages.ontology(alternates=_alternates("/ontology")), vary=True)
        return self.rdf(
            {ONTOLOGY_GRAPH: self.kg.ontology},
            None,
            offer.fmt,
            f"/ontology.{_extension(offer.fmt)}",
        )

    def _not_found(self, request: Request, iri: str) -> Response:
        accept = request.headers.get("accept") or ""
        if _conneg.quality(accept, "text/html") > 0 and "text/html" in accept:
            return _html(self.pages.not_found(request.url.path, iri), status=404)
        raise HttpError(404, f"the graph says nothing about <{iri}>")

    # -- errors -------------------------------------------------------------------------

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HttpError)
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": exc.message, "hint": exc.hint, "status": exc.status},
                status_code=exc.status,
                headers=exc.headers,
            )
        accept = request.headers.get("accept") or ""
        if "text/html" in accept and _conneg.quality(accept, "text/html") >= _conneg.quality(
            accept, "text/plain"
        ):
            return _html(
                self.pages.error(exc.status, exc.message, exc.hint),
                status=exc.status,
                headers=exc.headers,
            )
        text = exc.message + (f"\nhint: {exc.hint}" if exc.hint else "") + "\n"
        return PlainTextResponse(text, status_code=exc.status, headers=exc.headers)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        detail = getattr(exc, "detail", "not found")
        return await self.http_error(
            request, HttpError(status, f"{request.url.path}: {detail}".lower())
        )

    # -- the app ---------------------------------------------------------------------------

    def routes(self) -> list[Route | Mount]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/query", self.query_page, methods=["GET"]),
            Route("/sparql", self.sparql, methods=["GET", "POST"]),
            Route("/store", self.store, methods=["GET", "PUT", "POST", "DELETE"]),
            Route("/api/queries", self.catalogue, methods=["GET"]),
            Route("/api/queries/{name}", self.canned, methods=["GET"]),
            Route("/api/openapi.json", self.openapi, methods=["GET"]),
            Route("/api/health", self.health, methods=["GET"]),
            Route("/id/{rest:path}", self.resource, methods=["GET"]),
            Route("/source/{rest:path}", self.resource, methods=["GET"]),
            Route("/ontology", self.ontology, methods=["GET"]),
            Route("/ontology.{ext}", self.ontology, methods=["GET"]),
            Route("/ontology/{term:path}", self.term, methods=["GET"]),
            Route(
                "/favicon.ico",
                lambda r: RedirectResponse("/static/favicon.svg", 301),
                methods=["GET"],
            ),
            Mount("/static", StaticFiles(directory=str(WEB / "static")), name="static"),
        ]

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.pool.start()
        log.info(
            "zonegraph: %d query workers ready; %s", len(self.pool.pids), self.options.limits()
        )
        try:
            yield
        finally:
            await self.pool.close()


def create_app(kg: Any, *, options: ServerOptions | None = None) -> Starlette:
    """The ASGI app serving the KnowledgeGraph *kg* (run it with uvicorn, or :func:`serve`)."""
    opts = (options or ServerOptions()).check()
    server = Server(kg, opts)
    middleware = [Middleware(_SecurityHeaders)]
    if opts.cors_origins:
        methods = ["GET", "HEAD", "POST"] + (["PUT", "DELETE"] if opts.allow_updates else [])
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(opts.cors_origins),
                allow_methods=methods,
                allow_headers=["Accept", "Content-Type", "Authorization"],
                expose_headers=["Content-Location", "X-Result-Count"],
                max_age=600,
            )
        )
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HttpError: server.http_error,
        404: server.not_found,
        405: server.not_found,
    }
    app = Starlette(
        routes=server.routes(),
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=server.lifespan,
    )
    app.state.server = server
    return app


def serve(
    kg: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    options: ServerOptions | None = None,
    log_level: str = "info",
) -> None:
    """Serve *kg* on http://HOST:PORT until interrupted."""
    import uvicorn

    opts = (options or ServerOptions()).check()
    if opts.allow_updates and not _is_loopback(host):
        log.warning(
            "updates are enabled on %s, reachable from other machines: keep the token secret "
            "and put TLS in front of the server",
            host,
        )
    uvicorn.Server(
        uvicorn_config(create_app(kg, options=opts), host=host, port=port, log_level=log_level)
    ).run()


def uvicorn_config(app: Starlette, *, host: str, port: int, **extra: Any) -> Any:
    """uvicorn's configuration for *app* (made by :func:`create_app`), with its limits.

    The connection's protocol closes connections whose headers take longer
    than ``header_timeout``; uvicorn's own proxy-header handling is off (the
    app decides whom to believe, from ``trusted_proxies``).
    """
    import uvicorn

    options: ServerOptions = app.state.server.options
    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "server_header": False,
        "proxy_headers": False,
        "lifespan": "on",
        "http": header_timeout_protocol(options.header_timeout),
        **extra,
    }
    return uvicorn.Config(app, **settings)


# -- small helpers -----------------------------------------------------------------------


def _html(
    text: str, *, status: int = 200, vary: bool = False, headers: dict[str, str] | None = None
) -> Response:
    extra = dict(headers or {})
    if vary:
        extra["Vary"] = "Accept"
    return Response(text, status_code=status, media_type="text/html; charset=utf-8", headers=extra)


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


def _extension(fmt: str) -> str:
    return next(ext for ext, f in _conneg.EXTENSIONS.items() if f == fmt)


def _alternates(path: str) -> list[tuple[str, str]]:
    return [
        ("text/turtle", f"{path}.ttl"),
        ("application/ld+json", f"{path}.jsonld"),
        ("application/n-triples", f"{path}.nt"),
        ("application/trig", f"{path}.trig"),
    ]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
