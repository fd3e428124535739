"""The commands over the graph and its directory: ``export``, ``validate``, ``add``,
``init``, ``load``, ``check``, ``stats`` and ``fmt``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .._errors import ZonegraphError
from ..rdf.export import EXPORT_FORMATS
from .context import EPILOG_EXAMPLES, Context, fail, output_option, pass_ctx, write_output


@click.command(
    "export", epilog=EPILOG_EXAMPLES + "zonegraph export --format trig -o zonegraph.trig"
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="turtle", show_default=True
)
@click.option(
    "--inferred", is_flag=True, help="Add the OWL 2 RL inferences in a graph of their own."
)
@click.option("--no-ontology", is_flag=True, help="Leave the ontology out.")
@output_option
@pass_ctx
def export_cmd(
    ctx: Context, fmt: str, inferred: bool, no_ontology: bool, output: Path | None
) -> None:
    """Export the graph; TriG and N-Quads keep one named graph per source."""
    try:
        with ctx.progress() as progress:
            kg = ctx.kg()
            if inferred and kg.store.from_files:  # the long part, computed once and cached
                progress("inferring (OWL 2 RL)")
                kg.inferred()
            progress(f"{'inferring and ' if inferred else ''}writing {fmt}")
            text = kg.export(fmt, inferred=inferred, ontology=not no_ontology)
    except ZonegraphError as exc:
        fail(exc)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_output(output, text)
        except ZonegraphError as exc:
            fail(exc)
        click.echo(f"wrote {output}", err=True)


_REPORT_FORMATS = ("text", "turtle", "json")


@click.command(
    "validate", epilog=EPILOG_EXAMPLES + "zonegraph validate tests/data/valid/new-park.ttl"
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True
)
@pass_ctx
def validate_cmd(ctx: Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate new facts against the shapes, with the graph they would join.

    Exit 0 conforms, 1 does not conform, 2 unusable input.
    """
    try:
        with ctx.working("validating"):
            report = ctx.kg().validate(files)
    except ZonegraphError as exc:
        fail(exc)
    click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.conforms else 1)


@click.command("add", epilog=EPILOG_EXAMPLES + "zonegraph add new-source.ttl")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True
)
@pass_ctx
def add_cmd(ctx: Context, files: tuple[Path, ...], fmt: str) -> None:
    """Validate new facts, then merge them into their source's KG file atomically.

    On any violation or error nothing under kg/ changes (exit 1 or 2).
    """
    try:
        with ctx.working("validating"):
            result = ctx.kg().add(files)
    except ZonegraphError as exc:
        fail(exc)
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


@click.command(
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
        fail(exc)
    click.echo(f"made {made}: use it with --kg {made}", err=True)


@click.command(
    "load", epilog=EPILOG_EXAMPLES + "zonegraph --store oxigraph:zonegraph.db load --inferred"
)
@click.option(
    "--inferred", is_flag=True, help="Also load the OWL 2 RL inferences, in a graph of their own."
)
@click.option("--all-graphs", is_flag=True, help="List every graph loaded, not only the first 20.")
@pass_ctx
def load_cmd(ctx: Context, inferred: bool, all_graphs: bool) -> None:
    """Load the KG's files into the store chosen by --store, one named graph per source.

    Running it again replaces those graphs; it never duplicates triples.
    """
    from .._load import load

    try:
        with ctx.progress() as progress:
            report = load(ctx.kg(create_store=True), inferred=inferred, progress=progress)
    except ZonegraphError as exc:
        fail(exc)
    click.echo(report.render(limit=None) if all_graphs else report.render(), nl=False)


@click.command("check", epilog=EPILOG_EXAMPLES + "zonegraph check --format json")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_REPORT_FORMATS), default="text", show_default=True
)
@click.option(
    "--engine",
    type=click.Choice(["sparql", "pyshacl"]),
    default=None,
    help="sparql: the shapes run as SPARQL inside the store (the default on oxigraph: "
    "and sparql: stores); pyshacl: the graph is copied into pySHACL (the default on "
    "the memory store).",
)
@pass_ctx
def check_cmd(ctx: Context, fmt: str, engine: str | None) -> None:
    """Validate the whole graph: shapes, check queries, OWL RL consistency."""
    try:
        with ctx.progress() as progress:
            report = ctx.kg().check(progress, engine=engine)
    except ZonegraphError as exc:
        fail(exc)
    click.echo(report.render(fmt), nl=False)
    if fmt == "text":
        for name, rows in report.checks.items():
            click.echo(f"{'ok  ' if not rows else 'FAIL'} {name}")
    sys.exit(0 if report.conforms else 1)


@click.command("stats", epilog=EPILOG_EXAMPLES + "zonegraph stats --json")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def stats_cmd(ctx: Context, as_json: bool) -> None:
    """Count triples, entities per class, and the facts each source states."""
    try:
        stats = ctx.kg().stats()
    except ZonegraphError as exc:
        fail(exc)
    if as_json:
        import json

        click.echo(json.dumps(stats.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(stats.render(), nl=False)


@click.command("fmt", epilog=EPILOG_EXAMPLES + "zonegraph fmt --check")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only report files not in the canonical layout (exit 1).",
)
@pass_ctx
def fmt_cmd(ctx: Context, check_only: bool) -> None:
    """Rewrite ontology/ and kg/ in the canonical Turtle layout."""
    from ..kgdir.format import format_files

    try:
        changed = format_files(ctx.kg().layout, write=not check_only)
    except ZonegraphError as exc:
        fail(exc)
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}")
    if check_only and changed:
        sys.exit(1)


COMMANDS = (
    export_cmd,
    validate_cmd,
    add_cmd,
    init_cmd,
    load_cmd,
    check_cmd,
    stats_cmd,
    fmt_cmd,
)
