"""The authoring commands: ``draw`` (Graphviz), ``template`` (a skeleton for a new
entity), ``completion`` (the shell script) and ``synth`` (synthetic data)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .._errors import ZonegraphError
from ..authoring.draw import FORMATS as _DRAW_FORMATS
from .context import EPILOG_EXAMPLES, Context, fail, output_option, pass_ctx, write_output

_DRAW_EXAMPLES = (
    "zonegraph draw -o zone.svg\n"
    '  zonegraph draw --entity "Sino-German Ecopark" -o ecopark.png\n'
    "  zonegraph draw --ontology -o ontology.svg\n"
    "  zonegraph draw --timeline -o timeline.png"
)


@click.command("draw", epilog=EPILOG_EXAMPLES + _DRAW_EXAMPLES)
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
@output_option
@pass_ctx
def draw_cmd(
    ctx: Context,
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
            fail(
                ZonegraphError(
                    f"cannot draw into {output}: zonegraph draws only "
                    + ", ".join(f".{f}" for f in _DRAW_FORMATS),
                    hint="give -o a file ending in one of those (for another format, write "
                    ".dot and convert it with Graphviz: dot -Tjpg zone.dot -o zone.jpg)",
                )
            )
        if fmt is not None and fmt != suffix:
            fail(
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
        fail(exc)
    if output is None:
        sys.stdout.buffer.write(picture)
        sys.stdout.flush()
    else:
        try:
            write_output(output, picture)
        except ZonegraphError as exc:
            fail(exc)
        if not ctx.quiet:
            click.echo(f"wrote {output}", err=True)


@click.command(
    "template",
    epilog=EPILOG_EXAMPLES
    + "zonegraph template CooperationPark > park.ttl\n"
    + "zonegraph template --source xinhua-2020-12-18 NewsArticle CooperationPark Figure"
    + " > xinhua-2020-12-18.ttl",
)
@click.argument("classes", metavar="CLASS...", nargs=-1, required=True)
@click.option(
    "--source",
    metavar="SLUG",
    help="The new source's slug (e.g. xinhua-2020-12-18): every node's dct:source is filled in.",
)
@pass_ctx
def template_cmd(ctx: Context, classes: tuple[str, ...], source: str | None) -> None:
    """Print a fill-in Turtle skeleton for a new entity of each CLASS (zg:Name, Name or
    label), with the properties the shapes require, recommend and allow, in one file."""
    from ..authoring.template import template

    try:
        kg = ctx.kg()
        text = template(kg.ontology, kg.shapes, kg.data(), list(classes), source=source)
    except ZonegraphError as exc:
        fail(exc)
    click.echo(text, nl=False)


@click.command("completion", epilog=EPILOG_EXAMPLES + "zonegraph completion bash >> ~/.bashrc")
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script (commands, query names, parameters and values)."""
    from .complete import completion_script

    # the group this command is in (zonegraph.cli.main), found without importing it
    click.echo(completion_script(shell, command=click.get_current_context().find_root().command))


@click.command(
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
def synth_cmd(ctx: Context, triples: int, seed: int, invalid_fraction: float, output: Path) -> None:
    """Generate a synthetic graph that conforms to the shapes (for benchmarks and tests)."""
    from ..authoring.synth import synthesize

    summary = synthesize(output, triples=triples, seed=seed, invalid_fraction=invalid_fraction)
    if not ctx.quiet:
        click.echo(
            f"wrote {summary.triples} triples, {summary.sources} sources, "
            f"{summary.entities} entities, {len(summary.expected)} expected violations to {output}",
            err=True,
        )


COMMANDS = (draw_cmd, template_cmd, completion_cmd, synth_cmd)
