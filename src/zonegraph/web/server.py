"""``zonegraph serve``: the graph on the web (Starlette app, run by uvicorn).

    /                        home page: what the graph holds, its sources, its parks, countries …
    /query                   query page: canned queries with a parameter form, an editor, results
    /search?q=TEXT           search page: the entities whose labels contain TEXT (any language)
    /sparql                  SPARQL 1.1 Protocol (GET, POST); a bare GET: the service description
    /store?default|graph=    Graph Store Protocol (reads; PUT, POST, DELETE when updates are on)
    /api/queries[/NAME]      the canned queries as a REST API
    /api/openapi.json        the OpenAPI document of that API
    /id/…, /source/…         every entity and source: HTML, or RDF (by Accept or a .ttl … suffix)
    /ontology[/TERM]         the ontology and each of its terms, the same way

Queries never run in the server's process: they go to a pool of worker
processes (:mod:`zonegraph.web.pool`, :mod:`zonegraph.web.worker`) that can be killed at
the time limit. Updates are off unless the server is started with ``allow_updates`` and a
token; each is validated against the shapes before anything changes
(:mod:`zonegraph.web.update`).

This module holds the app: the routes of the pages and the REST API (:class:`Server`),
:func:`create_app`, :func:`serve`. What the routes share is :mod:`zonegraph.web.core`; the
SPARQL and Graph Store Protocols are :mod:`zonegraph.web.protocol`; the options
:mod:`zonegraph.web.options`; error answers :mod:`zonegraph.web.errors`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from rdflib import OWL, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._errors import UnknownQueryError
from ..rdf.export import QUAD_FORMATS
from ..rdf.namespaces import ONTOLOGY_GRAPH, ZGSH
from . import conneg, paging, query_page, search
from .dataset import VOID_PATH, shape_entries, void_description
from .errors import HttpError, error_response, html_response
from .links import iri_for_path, local_path, quote_path
from .options import ServerOptions
from .pages import WEB
from .protocol import ProtocolRoutes
from .service import catalogue_document, openapi_document
from .tasks import QueryTask, Reply

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

__all__ = ["Server", "ServerOptions", "create_app"]

log = logging.getLogger("zonegraph.server")

#: What the query page's editor holds when its URL names no query.
DEFAULT_QUERY = """SELECT ?class (COUNT(?entity) AS ?entities)
WHERE { ?entity a ?class . FILTER(STRSTARTS(STR(?class), STR(zg:))) }
GROUP BY ?class
ORDER BY DESC(?entities)"""

#: Style attributes are allowed (``style-src-attr``), style elements and sheets only from
#: this server: the query page's editor (CodeMirror) sets ``style="tab-size: 4"`` on its
#: text, and Chromium's own editing of a contenteditable element adds style attributes as
#: one types. An attribute cannot hold selectors, the way CSS injection reads a page; a
#: ``<style>`` element could, and stays refused (the editor's sheets are constructed ones).
_EDITOR_STYLE = b"; style-src-attr 'unsafe-inline'"

_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'" + _EDITOR_STYLE + b"; "
        b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


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


class Server(ProtocolRoutes):
    """The routes, over one knowledge graph, one worker pool and the options: the pages
    and the REST API here, the protocols in :class:`~zonegraph.web.protocol.ProtocolRoutes`."""

    #: The VoID description with the base URL and pool generation it was counted for.
    _void: tuple[tuple[str, int], Graph] | None = None

    # -- the canned queries as a REST API -------------------------------------------

    def catalogue(self, request: Request) -> Response:
        return JSONResponse(catalogue_document(self.kg))

    async def canned(self, request: Request) -> Response:
        name = request.path_params["name"]
        try:
            self.kg.catalogue.get(name)
        except UnknownQueryError as exc:
            raise HttpError(404, exc.message, exc.hint) from None
        url = dict(request.query_params)
        params = {k: v for k, v in url.items() if k not in ("format", *paging.PAGING)}
        offset, limit = paging.page_of(url, default_limit=None)  # a page on request
        task = QueryTask(
            name=name,
            params=params,
            accept=request.headers.get("accept"),
            fmt=request.query_params.get("format"),
            max_rows=self.options.max_rows,
            offset=offset,
            limit=limit,
            total=paging.wants_total(url),
        )
        reply = await self.run(task, self.client(request))
        response = self.answer(reply)
        response.headers.update(paging.headers(url, request.url.path, reply))
        return response

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
        return html_response(self.pages.home())

    async def query_page(self, request: Request) -> Response:
        """``/query``: the editor; with ``?query=`` or ``?name=`` in the URL, also the results
        (run on a worker, rendered by the server: the page works without JavaScript)."""
        url = dict(request.query_params)
        wanted = query_page.state(self.kg, url, DEFAULT_QUERY)
        results = None
        if wanted.asked:
            try:
                reply = await self.run(wanted.task(self.options.max_rows), self.client(request))
            except HttpError as exc:
                reply = Reply(exc.status, message=exc.message, hint=exc.hint)
            results = query_page.results(self.pages, reply)
            results.links = paging.page_links(url, "/query", reply)
        share = f"/query?{urlencode(url)}" if wanted.asked else ""
        page = self.pages.query_page(
            text=wanted.text,
            canned=wanted.canned,
            params=wanted.params,
            results=results,
            share=share,
            editor_data={
                "prefixes": query_page.editor_prefixes(),
                "terms": query_page.editor_terms(self.kg, self.pages),
            },
        )
        return html_response(page)

    async def search(self, request: Request) -> Response:
        """``/search?q=TEXT``: the entities whose labels contain TEXT, found by the canned
        query ``search-labels`` (the same lookup as ``zonegraph query search-labels``)."""
        q = request.query_params.get("q", "").strip()
        hits: list[search.Hit] = []
        if q:
            task = QueryTask(
                name=search.QUERY,
                params={search.PARAMETER: q},
                fmt="json",
                max_rows=self.options.max_rows,
            )
            reply = await self.run(task, self.client(request))
            if not reply.ok:
                raise HttpError(reply.status, reply.message, reply.hint)
            hits = search.hits(self.pages, reply.body, q)
        return html_response(self.pages.search(q, hits))

    def resource(self, request: Request) -> Response:
        """``/id/…`` and ``/source/…``: an entity's page, or its description in RDF.

        The namespaces themselves (``/id/``, ``/source/``) answer with the dataset's VoID
        description for RDF clients and the home page (which lists the classes and the
        sources) for people, instead of a 404."""
        if request.scope["path"].rstrip("/") in ("/id", "/source"):
            accept = request.headers.get("accept") or ""
            if conneg.quality(accept, "text/html") > 0 and "text/html" in accept:
                anchor = "#sources" if request.scope["path"].startswith("/source") else ""
                return RedirectResponse(f"/{anchor}", status_code=303)
            return RedirectResponse(VOID_PATH, status_code=303)
        return self._describe(request, self.pages.entity)

    def term(self, request: Request) -> Response:
        """``/ontology/TERM``: a term's page, or its definition in RDF; the ontology's version
        IRI (``/ontology/0.1.0``) is the ontology itself."""
        version = self.kg.ontology.value(ONTOLOGY_GRAPH, OWL.versionIRI)
        if version is not None and local_path(str(version)) == request.url.path:
            return self.ontology(request, whole=True)
        return self._describe(request, self.pages.term)

    def void(self, request: Request) -> Response:
        """``/.well-known/void``: the dataset's VoID description (counted once per state)."""
        key = (self.base_url(request), self.pool.generation)
        if self._void is None or self._void[0] != key:
            self._void = (key, void_description(self.kg, base_url=key[0]))
        return self.rdf(
            {ONTOLOGY_GRAPH: self._void[1]},
            request.headers.get("accept"),
            request.query_params.get("format"),
            None,
        )

    def shapes(self, request: Request) -> Response:
        """``/shapes``: the shapes graph, where the shape IRIs of validation reports resolve."""
        offer = self._document_offer(request, "/shapes", "the shapes")
        if not isinstance(offer, conneg.Offer):
            return offer
        if offer.fmt == "html":
            page = self.pages.render(
                "shapes.html",
                title="Shapes",
                shapes=shape_entries(self.kg.shapes),
                alternates=_alternates("/shapes"),
            )
            return html_response(page, vary=True)
        return self.rdf(
            {URIRef(str(ZGSH).rstrip("#")): self.kg.shapes},
            None,
            offer.fmt,
            f"/shapes.{_extension(offer.fmt)}",
        )

    def _describe(self, request: Request, render: Callable[..., str | None]) -> Response:
        path = request.scope["path"]  # decoded: an IRI's ? and # arrive as %3F and %23
        iri, fmt = URIRef(iri_for_path(path)), request.query_params.get("format")
        if not self.pages.describes(iri):
            stem, dot, ext = path.rpartition(".")
            if (
                dot
                and ext in conneg.EXTENSIONS
                and self.pages.describes(URIRef(iri_for_path(stem)))
            ):
                iri, path, fmt = URIRef(iri_for_path(stem)), stem, conneg.EXTENSIONS[ext]
            else:
                return self._not_found(request, str(iri))
        offer = conneg.choose(request.headers.get("accept"), fmt, conneg.PAGE_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot describe the entity in the format asked for",
                f"ask for one of {conneg.supported(conneg.PAGE_OFFERS)}",
            )
        href = quote_path(path)
        if offer.fmt == "html":
            page = render(iri, alternates=_alternates(href))
            if page is None:
                return self._not_found(request, str(iri))
            return html_response(page, vary=True)
        graphs = self.pages.description_graph(iri)
        if offer.fmt in QUAD_FORMATS:
            # the description in the default graph, so that a client querying the document
            # with { ?s ?p ?o } (Comunica, rdflib) finds it, and beside it the same triples
            # in the graph of each source that states them
            union = Graph()
            for g in graphs.values():
                union += g
            graphs = {DATASET_DEFAULT_GRAPH_ID: union, **graphs}
        return self.rdf(graphs, None, offer.fmt, f"{href}.{_extension(offer.fmt)}")

    def _document_offer(
        self, request: Request, base: str, what: str, *, whole: bool = False
    ) -> conneg.Offer | Response:
        """The format a whole document (*base*, or *base*.EXT) is asked in: by its extension,
        ``?format=`` or Accept; a 404 answer for an unknown extension (*whole*: the path is
        the document itself, as the ontology's version IRI is)."""
        path = request.url.path
        fmt = request.query_params.get("format")
        if path != base and not whole:
            ext = path.rsplit(".", 1)[1]
            if ext not in conneg.EXTENSIONS:
                return self._not_found(request, path)
            fmt = conneg.EXTENSIONS[ext]
        offer = conneg.choose(request.headers.get("accept"), fmt, conneg.PAGE_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                f"cannot write {what} in the format asked for",
                f"ask for one of {conneg.supported(conneg.PAGE_OFFERS)}",
            )
        return offer

    def ontology(self, request: Request, *, whole: bool = False) -> Response:
        """``/ontology`` (or, *whole*, its version IRI): the ontology's page or its RDF."""
        offer = self._document_offer(request, "/ontology", "the ontology", whole=whole)
        if not isinstance(offer, conneg.Offer):
            return offer
        if offer.fmt == "html":
            return html_response(
                self.pages.ontology(alternates=_alternates("/ontology")), vary=True
            )
        return self.rdf(
            {ONTOLOGY_GRAPH: self.kg.ontology},
            None,
            offer.fmt,
            f"/ontology.{_extension(offer.fmt)}",
        )

    def _not_found(self, request: Request, iri: str) -> Response:
        accept = request.headers.get("accept") or ""
        if conneg.quality(accept, "text/html") > 0 and "text/html" in accept:
            return html_response(self.pages.not_found(request.url.path, iri), status=404)
        raise HttpError(404, f"the graph says nothing about <{iri}>")

    # -- errors -------------------------------------------------------------------------

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HttpError)
        return error_response(request, exc, self.pages)

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
            Route("/search", self.search, methods=["GET"]),
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
            Route("/shapes", self.shapes, methods=["GET"]),
            Route("/shapes.{ext}", self.shapes, methods=["GET"]),
            Route(VOID_PATH, self.void, methods=["GET"]),
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


def create_app(kg: KnowledgeGraph, *, options: ServerOptions | None = None) -> Starlette:
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
                expose_headers=["Content-Location", "X-Result-Count", "Link", "X-Total-Count"],
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


# -- small helpers -----------------------------------------------------------------------


def _extension(fmt: str) -> str:
    return next(ext for ext, f in conneg.EXTENSIONS.items() if f == fmt)


def _alternates(path: str) -> list[tuple[str, str]]:
    return [
        ("text/turtle", f"{path}.ttl"),
        ("application/ld+json", f"{path}.jsonld"),
        ("application/n-triples", f"{path}.nt"),
        ("application/trig", f"{path}.trig"),
    ]
