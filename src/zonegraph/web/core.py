"""What every route of the server shares: :class:`ServerCore` holds the knowledge graph,
the options, the worker pool and the fair admission in front of it, and answers the
questions each route asks (who is the client, the server's URL, run a task on a worker,
read a bounded body, is the update authorized, a worker's reply or a graph as a response).

The routes are its subclasses: :class:`zonegraph.web.protocol.ProtocolRoutes` (SPARQL
Protocol, Graph Store Protocol) and :class:`zonegraph.web.server.Server` (pages, the REST
API, the app).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import time
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from starlette.requests import Request
from starlette.responses import Response

from ..rdf.export import serialize_graphs
from . import conneg
from .errors import HttpError
from .limits import (
    ADHOC,
    CANNED,
    WRITES,
    Admission,
    QueueFull,
    QueueTimeout,
    client_key,
    parse_networks,
)
from .options import ServerOptions
from .pages import Pages
from .pool import PoolBusy, QueryTimeout, WorkerCrashed, WorkerPool
from .tasks import OUT_OF_MEMORY, QueryTask, Reply, Task, UpdateTask, ValidateTask

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

log = logging.getLogger("zonegraph.server")


class ServerCore:
    """The state and the shared steps of the routes, over one knowledge graph, one worker
    pool and the options."""

    def __init__(self, kg: KnowledgeGraph, options: ServerOptions) -> None:
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
        except WorkerCrashed as exc:
            if exc.out_of_memory:  # the message a worker gives for Python's MemoryError
                raise HttpError(500, OUT_OF_MEMORY, "narrow the query, or add LIMIT") from None
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
            reply.body, media_type=conneg.content_type(reply.media_type), headers=headers
        )

    def rdf(
        self, graphs: dict[URIRef, Graph], accept: str | None, fmt: str | None, location: str | None
    ) -> Response:
        offer = conneg.choose(accept, fmt, conneg.GRAPH_OFFERS)
        if offer is None:
            raise HttpError(
                406,
                "cannot write the graph in the format asked for",
                f"ask for one of {conneg.supported(conneg.GRAPH_OFFERS)}",
            )
        text = serialize_graphs(graphs, offer.fmt)
        headers = {"Vary": "Accept"}
        if location:
            headers["Content-Location"] = location
        return Response(text, media_type=conneg.content_type(offer.media_type), headers=headers)
