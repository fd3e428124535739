"""The ``zonegraph`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints the
result. Exit codes: 0 success / conforms, 1 the facts do not conform,
2 unusable input or any other error (the message says what, where and how to fix).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ._errors import ZonegraphError
from ._export import EXPORT_FORMATS
from ._parse import DEFAULT_MAX_BYTES
from ._results import RESULT_FORMATS

if TYPE_CHECKING:
    from ._kg import KnowledgeGraph

EPILOG_EXAMPLES = "\b\nExample:\n  "


def _fail(exc: ZonegraphError) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


class _Context:
    def __init__(self, kg_dir: Path | None, max_bytes: int, store: str, update_url: str | None, gsp_url: str | None) -> None:
        self.kg_dir = kg_dir
        self.max_bytes = max_bytes
        self.store_spec = store
        self.update_url = update_url
        self.gsp_url = gsp_url
        self._kg: KnowledgeGraph | None = None

    def kg(self) -> KnowledgeGraph:
        """The KG the command works on, opened on first use."""
        if self._kg is None:
            from ._kg import open_kg
            from ._store import open_store

            store = open_store(self.store_spec, update_url=self.update_url, gsp_url=self.gsp_url)
            self._kg = open_kg(self.kg_dir, store=store, max_bytes=self.max_bytes)
        return self._kg


pass_ctx = click.make_pass_decorator(_Context)


@click.group(
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
    type=int,
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Largest Turtle file accepted.",
)
@click.option(
    "--store",
    default="memory",
    show_default=True,
    envvar="ZONEGRAPH_STORE",
    help="Where the triples live: memory, oxigraph:DIR or sparql:URL (see 'Scaling out').",
)
@click.option("--update-url", envvar="ZONEGRAPH_UPDATE_URL", help="SPARQL Update endpoint, where the server keeps it apart.")
@click.option("--gsp-url", envvar="ZONEGRAPH_GSP_URL", help="Graph Store Protocol endpoint, where the server keeps it apart.")
@click.version_option(package_name="zonegraph")
@click.pass_context
def main(
    ctx: click.Context,
    kg_dir: Path | None,
    max_bytes: int,
    store: str,
    update_url: str | None,
    gsp_url: str | None,
) -> None:
    """zonegraph: a sourced knowledge graph of international economic cooperation zones.

    Query it with canned or ad-hoc SPARQL, validate new facts against its SHACL
    shapes, add them, and export it for other linked-data tools.
    """
    ctx.obj = _Context(kg_dir, max_bytes, store, update_url, gsp_url)


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
        params = " ".join(f"{p.name}={'…' if p.required else (p.default or '')}".rstrip("=") for p in q.params)
        click.echo(f"{q.name.ljust(width)}  {q.summary}" + (f"  [{params}]" if params and not verbose else ""))
        if verbose:
            for p in q.params:
                req = "required" if p.required else (f"default {p.default}" if p.default else "optional")
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
    epilog=EPILOG_EXAMPLES + 'zonegraph query organisations-in-place -p place="Sino-German Ecopark" --format csv',
)
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter (repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True)
@pass_ctx
def query_cmd(ctx: _Context, name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run the canned query NAME; entity parameters take an IRI, prefixed name or label."""
    try:
        result = ctx.kg().query(name, _parse_params(params))
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(result.serialize(fmt), nl=fmt == "table")


@main.command("sparql", epilog=EPILOG_EXAMPLES + "zonegraph sparql 'SELECT ?c { ?c a zg:Country }' --format csv")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="Read the query from a file.")
@click.option("-f", "--format", "fmt", default="table", show_default=True, help=f"Results: {', '.join(RESULT_FORMATS)}; graphs: {', '.join(EXPORT_FORMATS)}.")
@pass_ctx
def sparql_cmd(ctx: _Context, text: str | None, file: Path | None, fmt: str) -> None:
    """Run an ad-hoc SELECT, ASK, CONSTRUCT or DESCRIBE query (the shared prefixes apply)."""
    if (text is None) == (file is None):
        raise click.UsageError("give the query as an argument or with --file, not both")
    query = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    try:
        result = ctx.kg().sparql(query)
        out = result.serialize(fmt)
    except ZonegraphError as exc:
        _fail(exc)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    click.echo(out, nl=not out.endswith("\n"))


@main.command("export", epilog=EPILOG_EXAMPLES + "zonegraph export --format trig -o zonegraph.trig")
@click.option("-f", "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True)
@click.option("--inferred", is_flag=True, help="Add the OWL 2 RL inferences in a graph of their own.")
@click.option("--no-ontology", is_flag=True, help="Leave the ontology out.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of standard output.")
@pass_ctx
def export_cmd(ctx: _Context, fmt: str, inferred: bool, no_ontology: bool, output: Path | None) -> None:
    """Export the graph; TriG and N-Quads keep one named graph per source."""
    try:
        text = ctx.kg().export(fmt, inferred=inferred, ontology=not no_ontology)
    except ZonegraphError as exc:
        _fail(exc)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


_REPORT_FORMATS = ("text", "turtle", "json")


@main.command("validate", epilog=EPILOG_EXAMPLES + "zonegraph validate tests/data/valid/new-park.ttl")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True)
@pass_ctx
def validate_cmd(ctx: _Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate new facts against the shapes, with the graph they would join.

    Exit 0 conforms, 1 does not conform, 2 unusable input.
    """
    try:
        report = ctx.kg().validate(files)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.conforms else 1)


@main.command("add", epilog=EPILOG_EXAMPLES + "zonegraph add new-source.ttl")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True)
@pass_ctx
def add_cmd(ctx: _Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate new facts, then merge them into their source's KG file atomically.

    On any violation or error nothing under kg/ changes (exit 1 or 2).
    """
    try:
        result = ctx.kg().add(files)
    except ZonegraphError as exc:
        _fail(exc)
    click.echo(result.report.render(fmt), nl=False)
    if not result.added:
        click.echo("nothing was added", err=True)
        sys.exit(1)
    for path in result.written:
        click.echo(f"wrote {path}", err=True)


@main.command("check", epilog=EPILOG_EXAMPLES + "zonegraph check --format json")
@click.option("-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True)
@pass_ctx
def check_cmd(ctx: _Context, fmt: str) -> None:
    """Validate the whole graph: shapes, check queries, OWL RL consistency."""
    try:
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
@click.option("--check", "check_only", is_flag=True, help="Only report files not in the canonical layout (exit 1).")
@pass_ctx
def fmt_cmd(ctx: _Context, check_only: bool) -> None:
    """Rewrite ontology/ and kg/ in the canonical Turtle layout."""
    from ._format import format_files

    try:
        changed = format_files(ctx.kg().layout, write=not check_only)
    except ZonegraphError as exc:
        _fail(exc)
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}")
    if check_only and changed:
        sys.exit(1)
