"""``zonegraph serve``: the options, a check that the port can be listened on, then
zonegraph.web's server (imported when the command runs)."""

from __future__ import annotations

import click

from .._errors import ZonegraphError
from .context import EPILOG_EXAMPLES, Context, fail, pass_ctx


def _port_error(host: str, port: int, what: str) -> ZonegraphError:
    return ZonegraphError(
        what,
        hint=f"choose another port (--port {port + 1 if port < 65535 else 8000}), or stop the "
        f"program listening on port {port} (ss -ltnp 'sport = :{port}' shows it)",
    )


def _check_port(host: str, port: int) -> None:
    """Exit 2 with a message when *host*:*port* cannot be listened on (in use, not an
    address of this machine), before the graph is loaded and the workers start."""
    import socket

    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        fail(
            ZonegraphError(
                f"cannot listen on {host!r}: {exc.strerror or exc}",
                hint="give --host an address of this machine (127.0.0.1, or 0.0.0.0 for all)",
            )
        )
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as exc:
            import errno

            if exc.errno == errno.EADDRINUSE:
                fail(_port_error(host, port, f"port {port} of {host} is already in use"))
            if exc.errno == errno.EACCES:
                fail(
                    ZonegraphError(
                        f"no permission to listen on port {port} of {host}",
                        hint="ports below 1024 need privileges: choose a port from 1024 up",
                    )
                )
            fail(_port_error(host, port, f"cannot listen on {host}:{port}: {exc.strerror or exc}"))


@click.command("serve", epilog=EPILOG_EXAMPLES + "zonegraph serve --port 8000")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run.",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows a result may hold.",
)
@click.option(
    "--max-body",
    default=1024 * 1024,
    show_default=True,
    type=click.IntRange(min=1),
    help="Bytes a request body may hold.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Query worker processes.",
)
@click.option(
    "--worker-memory",
    default=2048,
    show_default=True,
    type=click.IntRange(min=0),
    help="MiB of memory per worker (0: no limit).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Allow browser calls from ORIGIN ('*' for any; repeatable). Off by default.",
)
@click.option("--allow-updates", is_flag=True, help="Accept SPARQL Update and Graph Store writes.")
@click.option(
    "--token",
    envvar="ZONEGRAPH_TOKEN",
    help="Bearer token updates must carry (better: the ZONEGRAPH_TOKEN variable).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The server's public URL, for the OpenAPI document and the service description "
    "(default: the address it listens on; never the Host header).",
)
@click.option(
    "--header-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a connection has to send a request's headers (then it is closed).",
)
@click.option(
    "--reserved-workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Worker processes besides --workers, kept for canned queries and updates "
    "(ad-hoc SPARQL never runs on them).",
)
@click.option(
    "--client-concurrency",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries one client may run at once (more wait their turn).",
)
@click.option(
    "--client-queue",
    default=8,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries one client may have waiting (beyond: 429).",
)
@click.option(
    "--queue-size",
    default=64,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries all clients may have waiting (beyond: 503).",
)
@click.option(
    "--queue-timeout",
    type=click.FloatRange(min=0.1),
    help="Seconds a query may wait for a worker, then 503 (default: twice --timeout).",
)
@click.option(
    "--trust-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    help="A reverse proxy (address or network) whose X-Forwarded-For names the client; "
    "repeatable. Off by default: the client is the connection's address.",
)
@pass_ctx
def serve_cmd(
    ctx: Context,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_body: int,
    workers: int,
    worker_memory: int,
    cors_origins: tuple[str, ...],
    allow_updates: bool,
    token: str | None,
    base_url: str | None,
    header_timeout: float,
    reserved_workers: int,
    client_concurrency: int,
    client_queue: int,
    queue_size: int,
    queue_timeout: float | None,
    trusted_proxies: tuple[str, ...],
) -> None:
    """Serve the graph: SPARQL endpoint, entity pages and a query page (read-only by default)."""
    try:
        from ..web.options import ServerOptions
        from ..web.running import serve
    except ImportError as exc:
        if (exc.name or "").startswith("zonegraph"):
            raise  # a bug of zonegraph's own, not a missing extra: show it as one
        fail(ZonegraphError(f"the server needs {exc.name}", hint="pip install 'zonegraph[serve]'"))
    options = ServerOptions(
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers,
        worker_memory=worker_memory * 1024 * 1024,
        cors_origins=cors_origins,
        allow_updates=allow_updates,
        token=token,
        base_url=base_url,
        header_timeout=header_timeout,
        reserved_workers=reserved_workers,
        client_concurrency=client_concurrency,
        client_queue=client_queue,
        queue_size=queue_size,
        queue_timeout=queue_timeout,
        trusted_proxies=trusted_proxies,
    )
    _check_port(host, port)
    try:
        serve(ctx.kg(), host=host, port=port, options=options.check())
    except ZonegraphError as exc:
        fail(exc)
    except SystemExit as exc:  # uvicorn could not start; it logged why just above
        if exc.code not in (0, None):
            fail(_port_error(host, port, f"the server could not start on {host}:{port}"))
        raise


COMMANDS = (serve_cmd,)
