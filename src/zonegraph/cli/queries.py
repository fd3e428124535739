"""The query commands: ``queries`` (the catalogue), ``query`` (a canned query),
``sparql`` (an ad-hoc query)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from .._errors import ZonegraphError
from ..rdf.export import EXPORT_FORMATS
from ..sparql.paging import Page
from ..sparql.results import RESULT_FORMATS, QueryResult
from ..sparql.table import caption_of
from ..sparql.table import render as render_table
from .complete import param_values, query_names
from .context import EPILOG_EXAMPLES, Context, fail, pass_ctx, terminal_width


@click.command("queries", epilog=EPILOG_EXAMPLES + "zonegraph queries --verbose")
@click.option("-v", "--verbose", is_flag=True, help="Show parameters, returns and examples.")
@pass_ctx
def queries_cmd(ctx: Context, verbose: bool) -> None:
    """List the canned queries: name, summary and parameters."""
    try:
        items = ctx.kg().queries()
    except ZonegraphError as exc:
        fail(exc)
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


def paging_options(command: Callable[..., None]) -> Callable[..., None]:
    """--limit, --offset and --total, the same on every command that lists rows."""
    command = click.option(
        "--total/--no-total",
        default=True,
        show_default=True,
        help="With --limit/--offset, also count the whole listing (may cost a second query).",
    )(command)
    command = click.option(
        "--offset",
        type=click.IntRange(min=0),
        default=0,
        metavar="M",
        help="Skip the first M rows (the rows of every page together are the whole listing).",
    )(command)
    return click.option(
        "--limit",
        type=click.IntRange(min=1),
        metavar="N",
        help="Only N rows: one page (with --offset, the page after M rows).",
    )(command)


@click.command(
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
@paging_options
@pass_ctx
def query_cmd(
    ctx: Context,
    name: str,
    params: tuple[str, ...],
    fmt: str,
    limit: int | None,
    offset: int,
    total: bool,
) -> None:
    """Run the canned query NAME; entity parameters take an IRI, prefixed name or label.

    With --limit (and --offset), one page of the rows; where the page is and how to
    ask for the next one is written to standard error, so the output stays the page."""
    page = None if limit is None and offset == 0 else Page(offset, limit)
    try:
        kg = ctx.kg()
        result = kg.canned(name, _parse_params(params), page=page, total=total)
    except ZonegraphError as exc:
        fail(exc)
    if fmt != "table":
        click.echo(result.serialize(fmt), nl=False)
    else:
        canned = next(q for q in kg.queries() if q.name == name)
        click.echo(render_table(result, terminal_width(), caption_of(canned)))
    if page is not None:
        click.echo(page_note(result), err=True)


def page_note(result: QueryResult) -> str:
    """Where a page lies in the listing and the option that asks for the next one:
    ``rows 51-100 of 2,314; next: --offset 100``."""
    first, last = result.offset + 1, result.offset + len(result.rows)
    where = f"rows {first}-{last}" if result.rows else f"no rows after row {result.offset}"
    if result.total is not None:
        where += f" of {result.total:,}"
    if result.more:
        where += f"; next: --offset {last}" + (f" --limit {result.limit}" if result.limit else "")
    return where


@click.command(
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
@paging_options
@pass_ctx
def sparql_cmd(
    ctx: Context,
    text: str | None,
    file: Path | None,
    fmt: str,
    limit: int | None,
    offset: int,
    total: bool,
) -> None:
    """Run an ad-hoc SELECT, ASK, CONSTRUCT or DESCRIBE query (the shared prefixes apply).

    With --limit (and --offset), one page of a SELECT's rows, as for `query`."""
    if text is None and file is None:
        raise click.UsageError(
            "no query: give it as an argument (zonegraph sparql 'SELECT ...') or with --file FILE"
        )
    if text is not None and file is not None:
        raise click.UsageError("give the query as an argument or with --file, not both")
    query = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    page = None if limit is None and offset == 0 else Page(offset, limit)
    try:
        name = str(file) if file is not None else "query"
        result = ctx.kg().sparql(query, name=name, page=page, total=total)
        out = (
            render_table(result, terminal_width())
            if fmt == "table" and result.graph is None
            else result.serialize(fmt)
        )
    except ZonegraphError as exc:
        fail(exc)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    click.echo(out, nl=not out.endswith("\n"))
    if page is not None:
        click.echo(page_note(result), err=True)


COMMANDS = (queries_cmd, query_cmd, sparql_cmd)
