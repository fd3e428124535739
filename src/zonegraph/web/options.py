"""How ``zonegraph serve`` runs: :class:`ServerOptions` (limits, CORS, updates and their
token, the public URL, trusted proxies), checked before the server starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .._errors import ZonegraphError
from .limits import parse_networks


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
