"""The ``zonegraph`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints the
result. Exit codes: 0 success / conforms, 1 the facts do not conform,
2 unusable input or any other error (the message says what, where and how to fix).
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .._errors import ZonegraphError
from ..authoring.draw import FORMATS as _DRAW_FORMATS
from ..rdf.export import EXPORT_FORMATS
from ..rdf.intake_limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_COLLECTION,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_TRIPLES,
    MAX_DEPTH_CEILING,
    IntakeLimits,
)
from ..sparql.results import RESULT_FORMATS
from .complete import param_values, query_names

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

EPILOG_EXAMPLES = "\b\nExample:\n  "


def _fail(exc: ZonegraphError) -> NoReturn:
    from .._errors import ParameterError

    text = str(exc)
    if isinstance(exc, ParameterError):  # the hint in the command line's own words (-p NAME=…)
        text = exc.message + (f"\n  hint: {hint}" if (hint := exc.hint_for("cli")) else "")
    click.echo(f"error: {text}", err=True)
    sys.exit(2)


def _os_error(exc: OSError) -> ZonegraphError:
    """An operating-system error zonegraph did not expect, as one message with a hint."""
    if exc.filename:
        return ZonegraphError(
            f"cannot use {exc.filename}: {exc.strerror or exc}",
            hint="check that the path exists and that you may read or write it",
        )
    return ZonegraphError(
        f"reading or writing failed: {exc.strerror or exc}",
        hint="check the free space and the permissions where the input and output are",
    )


def _write_output(path: Path, data: str | bytes) -> None:
    """Write the output file *path* (-o); a ZonegraphError says why it cannot be written."""
    from .._errors import OutputError

    folder = path.parent
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except FileNotFoundError as exc:
        if folder.is_dir():  # the folder is there, yet the file cannot be made in it
            raise OutputError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint="give -o a path in a folder you may write to",
            ) from None
        raise OutputError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint=f"create it first (mkdir -p {folder}), or give -o a path in an existing folder",
        ) from None
    except NotADirectoryError:
        raise OutputError(
            f"cannot write {path}: {folder} is not a folder",
            hint="give -o a path in an existing folder",
        ) from None
    except IsADirectoryError:
        raise OutputError(
            f"cannot write {path}: it is a folder", hint="give -o a file name, not a folder"
        ) from None
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="check that you may write there, or give -o another path",
        ) from None


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
        _fail(
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
                _fail(_port_error(host, port, f"port {port} of {host} is already in use"))
            if exc.errno == errno.EACCES:
                _fail(
                    ZonegraphError(
                        f"no permission to listen on port {port} of {host}",
                        hint="ports below 1024 need privileges: choose a port from 1024 up",
                    )
                )
            _fail(_port_error(host, port, f"cannot listen on {host}:{port}: {exc.strerror or exc}"))


class _Group(click.Group):
    """The command group; any error a command lets through becomes one message and exit 2."""

    def invoke(self, ctx: click.Context) -> object:
        import errno

        try:
            return super().invoke(ctx)
        except ZonegraphError as exc:
            _fail(exc)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (| head): click handles it
                raise
            _fail(_os_error(exc))


class _Context:
    #: No progress display or notes on standard error (--quiet).
    quiet: bool = False
    #: What one input file or request body may cost (--max-bytes, --max-triples, ...).
    limits: IntakeLimits | None = None

    def __init__(
        self,
        kg_dir: Path | None,
        max_bytes: int,
        store: str,
        update_url: str | None,
        gsp_url: str | None,
        *,
        allow_network: bool = False,
    ) -> None:
        self.kg_dir = kg_dir
        self.allow_network = allow_network
        self.max_bytes = max_bytes
        self.store_spec = store
        self.update_url = update_url
        self.gsp_url = gsp_url
        self._kg: KnowledgeGraph | None = None

    def kg(self, *, create_store: bool = False) -> KnowledgeGraph:
        """The KG the command works on, opened on first use; only *create_store* (load)
        makes a new store."""
        if self._kg is None:
            from .._kg import open_kg
            from ..store.base import open_store

            store = open_store(
                self.store_spec,
                update_url=self.update_url,
                gsp_url=self.gsp_url,
                create=create_store,
            )
            with self.working("loading the graph"):
                self._kg = open_kg(
                    self.kg_dir,
                    store=store,
                    max_bytes=self.max_bytes,
                    limits=self.limits,
                    allow_network=self.allow_network,
                )
        return self._kg

    def working(self, what: str) -> AbstractContextManager[None]:
        """A progress display while *what* runs (on a terminal, without --quiet)."""
        from .progress import working

        return working(what, enabled=not self.quiet)


pass_ctx = click.make_pass_decorator(_Context)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="\b\nExamples:\n  zonegraph queries\n  zonegraph query parks-of-zone\n"
    "  zonegraph validate new-facts.ttl",
)
@click.option(
    "--kg",
    "kg_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ZONEGRAPH_KG",
    help="KG directory (with ontology/, kg/, queries/); default: the shipped graph.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Largest Turtle file accepted.",
)
@click.option(
    "--max-triples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_TRIPLES,
    show_default=True,
    help="Most triples in one input file or request body (validating 20,000 takes about 30 s).",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=1, max=MAX_DEPTH_CEILING),
    default=DEFAULT_MAX_DEPTH,
    show_default=True,
    help="Deepest nesting of [ ] and ( ) in input.",
)
@click.option(
    "--max-collection",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_COLLECTION,
    show_default=True,
    help="Most elements of one collection ( ) in input.",
)
@click.option(
    "--store",
    default="memory",
    show_default=True,
    envvar="ZONEGRAPH_STORE",
    help="Where the triples live: memory, oxigraph:DIR, sparql:URL, or sparql-union:URL for a "
    "server whose default graph is the union of its graphs (see docs/scaling-out.md).",
)
@click.option(
    "--update-url",
    envvar="ZONEGRAPH_UPDATE_URL",
    help="SPARQL Update endpoint, where the server keeps it apart.",
)
@click.option(
    "--gsp-url",
    envvar="ZONEGRAPH_GSP_URL",
    help="Graph Store Protocol endpoint, where the server keeps it apart.",
)
@click.option(
    "--allow-network",
    is_flag=True,
    help="Let queries and SHACL-SPARQL shapes use SERVICE (federation). Off by default: "
    "zonegraph opens no URL and no file its input names (see docs/security.md).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    envvar="ZONEGRAPH_QUIET",
    help="No progress display on standard error.",
)
@click.version_option(package_name="zonegraph")
@click.pass_context
def main(
    ctx: click.Context,
    kg_dir: Path | None,
    max_bytes: int,
    max_triples: int,
    max_depth: int,
    max_collection: int,
    store: str,
    update_url: str | None,
    gsp_url: str | None,
    allow_network: bool,
    quiet: bool,
) -> None:
    """zonegraph: a sourced knowledge graph of international economic cooperation zones.

    Query it with canned or ad-hoc SPARQL, validate new facts against its SHACL
    shapes, add them, and export it for other linked-data tools.
    """
    ctx.obj = _Context(kg_dir, max_bytes, store, update_url, gsp_url, allow_network=allow_network)
    ctx.obj.quiet = quiet
    ctx.obj.limits = IntakeLimits(max_bytes, max_triples, max_depth, max_collection)


@main.command("queries", epilog=EPILOG_EXAMPLES + "zonegraph queries --verbose")
@click.option("-v", "--verbose", is_flag=True, help="Show parameters, returns and examples.")
@pass_ctx
def queries_cmd(ctx: _Context, verbose: bool) -> None:
    """List the canned queries: name, summary and parameters."""
    try:
        items = ctx.kg().queries()
    except ZonegraphError as exc:
        _fail(exc)
    width = max((len(q.name) for q in items), default=0)
    for q in items:
        params = " ".join(
            f"{p.name}={'…' if p.required else (p.default or '')}".rstrip("=") for p in q.params
        )
        click.echo(
            f"{q.name.ljust(width)}  {q.summary}"
            + (f"  [{params}]" if params and not verbose else "")
        )
        if verbose:
            for p in q.params:
                req = (
                    "required"
                    if p.required
                    else (f"default {p.default}" if p.default else "optional")
                )
                cls = f" {p.cls}" if p.cls else ""
                click.echo(f"{'':{width}}    -p {p.name}=<{p.type}{cls}> ({req}) {p.description}")
            if q.returns:
                click.echo(f"{'':{width}}    returns: {q.returns}")
            if q.example:
                click.echo(f"{'':{width}}    example: {q.example}")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="-p")
        out[key.strip()] = value
    return out


@main.command(
    "query",
    epilog=EPILOG_EXAMPLES + "zonegraph query organisations-in-place "
    '-p place="China-Britain Innovation Industry Park" --format csv',
)
@click.argument("name", shell_complete=query_names)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter (repeatable).",
    shell_complete=param_values,
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True
)
@pass_ctx
def query_cmd(ctx: _Context, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run the canned query NAME; entity parameters take an IRI, prefixed name or label."""
    try:
        result = ctx.kg().query(name, _parse_params(params))
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(result.serialize(fmt), nl=fmt == "table")


@main.command(
    "sparql",
    epilog=EPILOG_EXAMPLES + "zonegraph sparql 'SELECT ?c { ?c a zg:Country }' --format csv",
)
@click.argument("text", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read the query from a file.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help=f"Results: {', '.join(RESULT_FORMATS)}; graphs: {', '.join(EXPORT_FORMATS)}.",
)
@pass_ctx
def sparql_cmd(ctx: _Context, text: str | None, file: Path | None, fmt: str) -> None:
    """Run an ad-hoc SELECT, ASK, CONSTRUCT or DESCRIBE query (the shared prefixes apply)."""
    if text is None and file is None:
        raise click.UsageError(
            "no query: give it as an argument (zonegraph sparql 'SELECT ...') or with --file FILE"
        )
    if text is not None and file is not None:
        raise click.UsageError("give the query as an argument or with --file, not both")
    query = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    try:
        result = ctx.kg().sparql(query, name=str(file) if file is not None else "query")
        out = result.serialize(fmt)
    except ZonegraphError as exc:
        _fail(exc)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    click.echo(out, nl=not out.endswith("\n"))


@main.command("export", epilog=EPILOG_EXAMPLES + "zonegraph export --format trig -o zonegraph.trig")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True
)
@click.option(
    "--inferred", is_flag=True, help="Add the OWL 2 RL inferences in a graph of their own."
)
@click.option("--no-ontology", is_flag=True, help="Leave the ontology out.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of standard output.",
)
@pass_ctx
def export_cmd(
    ctx: _Context, fmt: str, inferred: bool, no_ontology: bool, output: Path | None
) -> None:
    """Export the graph; TriG and N-Quads keep one named graph per source."""
    try:
        with ctx.working("reasoning" if inferred else "exporting"):
            text = ctx.kg().export(fmt, inferred=inferred, ontology=not no_ontology)
    except ZonegraphError as exc:
        _fail(exc)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            _write_output(output, text)
        except ZonegraphError as exc:
            _fail(exc)
        click.echo(f"wrote {output}", err=True)


_REPORT_FORMATS = ("text", "turtle", "json")


@main.command(
    "validate", epilog=EPILOG_EXAMPLES + "zonegraph validate tests/data/valid/new-park.ttl"
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True
)
@pass_ctx
def validate_cmd(ctx: _Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate new facts against the shapes, with the graph they would join.

    Exit 0 conforms, 1 does not conform, 2 unusable input.
    """
    try:
        with ctx.working("validating"):
            report = ctx.kg().validate(files)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.conforms else 1)


@main.command("add", epilog=EPILOG_EXAMPLES + "zonegraph add new-source.ttl")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True
)
@pass_ctx
def add_cmd(ctx: _Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate new facts, then merge them into their source's KG file atomically.

    On any violation or error nothing under kg/ changes (exit 1 or 2).
    """
    try:
        with ctx.working("validating"):
            result = ctx.kg().add(files)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(result.report.render(fmt), nl=False)
    if not result.report.conforms:
        click.echo("nothing was added", err=True)
        sys.exit(1)
    if not result.added:
        click.echo("nothing new: every fact is in the graph already", err=True)
        return
    for path in result.written:
        click.echo(f"wrote {path}", err=True)
    for graph in result.stored:
        click.echo(f"added to <{graph}> in {ctx.store_spec}", err=True)


@main.command(
    "init", epilog=EPILOG_EXAMPLES + "zonegraph init my-graph && zonegraph --kg my-graph stats"
)
@click.argument("directory", type=click.Path(path_type=Path))
def init_cmd(directory: Path) -> None:
    """Make a KG directory of your own: a copy of the shipped graph to add facts to.

    DIRECTORY must not exist or be empty. Then use it with --kg DIRECTORY
    (or ZONEGRAPH_KG=DIRECTORY).
    """
    from ..kgdir.layout import init_directory

    try:
        made = init_directory(directory)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(f"made {made}: use it with --kg {made}", err=True)


@main.command(
    "load", epilog=EPILOG_EXAMPLES + "zonegraph --store oxigraph:zonegraph.db load --inferred"
)
@click.option(
    "--inferred", is_flag=True, help="Also load the OWL 2 RL inferences, in a graph of their own."
)
@click.option("--all-graphs", is_flag=True, help="List every graph loaded, not only the first 20.")
@pass_ctx
def load_cmd(ctx: _Context, inferred: bool, all_graphs: bool) -> None:
    """Load the KG's files into the store chosen by --store, one named graph per source.

    Running it again replaces those graphs; it never duplicates triples.
    """
    from .._load import load

    try:
        report = load(ctx.kg(create_store=True), inferred=inferred)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(report.render(limit=None) if all_graphs else report.render(), nl=False)


@main.command("check", epilog=EPILOG_EXAMPLES + "zonegraph check --format json")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True
)
@pass_ctx
def check_cmd(ctx: _Context, fmt: str) -> None:
    """Validate the whole graph: shapes, check queries, OWL RL consistency."""
    try:
        with ctx.working("checking"):
            report = ctx.kg().check()
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(report.render(fmt), nl=False)
    if fmt == "text":
        for name, rows in report.checks.items():
            click.echo(f"{'ok  ' if not rows else 'FAIL'} {name}")
    sys.exit(0 if report.conforms else 1)


@main.command("stats", epilog=EPILOG_EXAMPLES + "zonegraph stats --json")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def stats_cmd(ctx: _Context, as_json: bool) -> None:
    """Count triples, entities per class, and the facts each source states."""
    try:
        stats = ctx.kg().stats()
    except ZonegraphError as exc:
        _fail(exc)
    if as_json:
        import json

        click.echo(json.dumps(stats.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(stats.render(), nl=False)


@main.command("fmt", epilog=EPILOG_EXAMPLES + "zonegraph fmt --check")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only report files not in the canonical layout (exit 1).",
)
@pass_ctx
def fmt_cmd(ctx: _Context, check_only: bool) -> None:
    """Rewrite ontology/ and kg/ in the canonical Turtle layout."""
    from ..kgdir.format import format_files

    try:
        changed = format_files(ctx.kg().layout, write=not check_only)
    except ZonegraphError as exc:
        _fail(exc)
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}")
    if check_only and changed:
        sys.exit(1)


@main.command("serve", epilog=EPILOG_EXAMPLES + "zonegraph serve --port 8000")
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
    ctx: _Context,
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
        from ..web.server import ServerOptions, serve
    except ImportError as exc:
        _fail(ZonegraphError(f"the server needs {exc.name}", hint="pip install 'zonegraph[serve]'"))
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
        _fail(exc)
    except SystemExit as exc:  # uvicorn could not start; it logged why just above
        if exc.code not in (0, None):
            _fail(_port_error(host, port, f"the server could not start on {host}:{port}"))
        raise


_DRAW_EXAMPLES = (
    "zonegraph draw -o zone.svg\n"
    '  zonegraph draw --entity "Sino-German Ecopark" -o ecopark.png\n'
    "  zonegraph draw --ontology -o ontology.svg\n"
    "  zonegraph draw --timeline -o timeline.png"
)


@main.command("draw", epilog=EPILOG_EXAMPLES + _DRAW_EXAMPLES)
@click.option("--entity", metavar="ENTITY", help="One entity and its neighbours.")
@click.option("--ontology", is_flag=True, help="Draw the class diagram of the ontology.")
@click.option("--timeline", is_flag=True, help="Launches, events and dated figures on a time axis.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(_DRAW_FORMATS),
    help="Picture format; default: from -o's extension, else svg.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of standard output.",
)
@pass_ctx
def draw_cmd(
    ctx: _Context,
    entity: str | None,
    ontology: bool,
    timeline: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Draw the graph with Graphviz: by default the zone with its parks, partner
    countries, institutes and companies; or one entity (IRI, prefixed name or label),
    the ontology, a timeline."""
    from ..authoring.draw import draw

    if output is not None:
        suffix = output.suffix.lstrip(".").lower()
        if suffix not in _DRAW_FORMATS:
            _fail(
                ZonegraphError(
                    f"cannot draw into {output}: zonegraph draws only "
                    + ", ".join(f".{f}" for f in _DRAW_FORMATS),
                    hint="give -o a file ending in one of those (for another format, write "
                    ".dot and convert it with Graphviz: dot -Tjpg zone.dot -o zone.jpg)",
                )
            )
        if fmt is not None and fmt != suffix:
            _fail(
                ZonegraphError(
                    f"--format {fmt} does not match the extension of {output}",
                    hint=f"leave --format out (-o picks {suffix} from the name), "
                    f"or name the file *.{fmt}",
                )
            )
        fmt = suffix
    fmt = fmt or "svg"
    try:
        with ctx.working("drawing"):
            picture = draw(ctx.kg(), entity=entity, ontology=ontology, timeline=timeline, fmt=fmt)
    except ZonegraphError as exc:
        _fail(exc)
    if output is None:
        sys.stdout.buffer.write(picture)
        sys.stdout.flush()
    else:
        try:
            _write_output(output, picture)
        except ZonegraphError as exc:
            _fail(exc)
        if not ctx.quiet:
            click.echo(f"wrote {output}", err=True)


@main.command("template", epilog=EPILOG_EXAMPLES + "zonegraph template CooperationPark > park.ttl")
@click.argument("cls", metavar="CLASS")
@pass_ctx
def template_cmd(ctx: _Context, cls: str) -> None:
    """Print a fill-in Turtle skeleton for a new entity of CLASS (zg:Name, Name or label),
    with the properties the shapes require, recommend and allow."""
    from ..authoring.template import template

    try:
        kg = ctx.kg()
        text = template(kg.ontology, kg.shapes, kg.data(), cls)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(text, nl=False)


@main.command("completion", epilog=EPILOG_EXAMPLES + "zonegraph completion bash >> ~/.bashrc")
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script (commands, query names, parameters and values)."""
    from .complete import completion_script

    click.echo(completion_script(shell, command=main))


@main.command(
    "synth", epilog=EPILOG_EXAMPLES + "zonegraph synth --triples 100000 --seed 1 -o synth-100k"
)
@click.option(
    "--triples", type=click.IntRange(1), required=True, help="About how many triples to generate."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The same seed gives the same data."
)
@click.option(
    "--invalid-fraction",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Make this fraction of entities invalid in known ways "
    "(listed in expected-violations.json).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="A .ttl file, or a KG directory (kg/ one file per source, with ontology/ and queries/).",
)
@pass_ctx
def synth_cmd(
    ctx: _Context, triples: int, seed: int, invalid_fraction: float, output: Path
) -> None:
    """Generate a synthetic graph that conforms to the shapes (for benchmarks and tests)."""
    from ..authoring.synth import synthesize

    summary = synthesize(output, triples=triples, seed=seed, invalid_fraction=invalid_fraction)
    if not ctx.quiet:
        click.echo(
            f"wrote {summary.triples} triples, {summary.sources} sources, "
            f"{summary.entities} entities, {len(summary.expected)} expected violations to {output}",
            err=True,
        )
