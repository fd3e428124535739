"""The ``zonegraph`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints the
result. Exit codes: 0 success / conforms, 1 the facts do not conform,
2 unusable input or any other error (the message says what, where and how to fix).

Here: the group ``main`` (the entry point, ``zonegraph.cli:main``), its options and
its error handling. The commands live in modules by what they do (``queries``,
``graph``, ``serve``, ``authoring``) over ``context`` (what they share), and join the
group at the end of this module (click lists them by name).
"""

from __future__ import annotations

from pathlib import Path

import click

from .._errors import ZonegraphError
from ..rdf.intake_limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_COLLECTION,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_TRIPLES,
    MAX_DEPTH_CEILING,
    IntakeLimits,
)
from . import authoring, graph, queries, serve
from .context import Context, fail, os_error


class _Group(click.Group):
    """The command group; any error a command lets through becomes one message and exit 2."""

    def invoke(self, ctx: click.Context) -> object:
        import errno

        try:
            return super().invoke(ctx)
        except ZonegraphError as exc:
            fail(exc)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (| head): click handles it
                raise
            fail(os_error(exc))


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
    _collect_less_often()
    ctx.obj = Context(kg_dir, max_bytes, store, update_url, gsp_url, allow_network=allow_network)
    ctx.obj.quiet = quiet
    ctx.obj.limits = IntakeLimits(max_bytes, max_triples, max_depth, max_collection)


def _collect_less_often() -> None:
    """Run CPython's cycle collector less often than its default (every 700 new objects).

    A command at a million triples makes millions of short-lived terms and rows, few of
    them in cycles, and each full collection walks every object alive: ``validate`` at
    1M spent 1.2 of its 4.7 s there (docs/performance.md, "Label keys"). The command is one
    process that ends; the library leaves the setting to the program that uses it.
    """
    import gc

    gc.set_threshold(50_000, 20, 100)


for _module in (queries, graph, serve, authoring):
    for _command in _module.COMMANDS:
        main.add_command(_command)
