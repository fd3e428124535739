"""Running the app (web/server.py's :func:`create_app`) with uvicorn: :func:`serve` for
``zonegraph serve``, and :func:`uvicorn_config`, its limits, for whoever runs it another way
(the tests' servers)."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from .limits import header_timeout_protocol
from .options import ServerOptions
from .server import create_app

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .._kg import KnowledgeGraph

__all__ = ["serve", "uvicorn_config"]

log = logging.getLogger("zonegraph.server")


def serve(
    kg: KnowledgeGraph,
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


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
