"""Shell completion: commands (click's own), canned query names, parameter names and values.

``zonegraph completion bash|zsh|fish`` prints the script to source; it calls
back into ``zonegraph`` with ``_ZONEGRAPH_COMPLETE`` set, and click asks the
functions here for candidates:

* ``query NAME``: the canned queries, with their summaries;
* ``query NAME -p …``: ``name=`` for each parameter of that query, then for a
  parameter naming an entity, the labels and prefixed names of the entities
  of its class (other types: the default, or true/false).

They read the KG directory given with ``--kg`` (or ``ZONEGRAPH_KG``), else the
shipped graph, and never fail: a broken directory completes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem, get_completion_class

SHELLS = ("bash", "zsh", "fish")


def completion_script(
    shell: str, prog: str = "zonegraph", *, command: click.Command | None = None
) -> str:
    """The completion script for *shell*, to be sourced by the shell's start-up file."""
    if command is None:
        command = click.get_current_context().find_root().command
    cls = get_completion_class(shell)
    if cls is None:
        raise click.BadParameter(f"no completion for {shell!r}; choose one of {', '.join(SHELLS)}")
    var = "_" + prog.replace("-", "_").upper() + "_COMPLETE"
    return cls(command, {}, prog, var).source()


def _root(ctx: click.Context) -> Path | None:
    value: Any = ctx.find_root().params.get("kg_dir")
    return Path(value) if value else None


def _catalogue(ctx: click.Context) -> Any:
    from ..kgdir.layout import Layout, shipped_root
    from ..sparql.catalogue import Catalogue

    root = _root(ctx) or shipped_root()
    return Catalogue(Layout(root).queries_dir)


def query_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Canned query names starting with *incomplete*."""
    try:
        catalogue = _catalogue(ctx)
    except Exception:  # completion must never fail
        return []
    return [
        CompletionItem(q.name, help=q.summary)
        for q in sorted(catalogue, key=lambda q: q.name)
        if q.name.startswith(incomplete)
    ]


def param_values(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """``name=`` for the parameters of the query being completed, then values for one."""
    try:
        # While "-p" waits for its value, click leaves the query name unparsed in ctx.args.
        name = ctx.params.get("name") or next(iter(ctx.args), "")
        canned = _catalogue(ctx).get(name)
    except Exception:
        return []
    key, sep, value = incomplete.partition("=")
    if not sep:
        return [
            CompletionItem(f"{p.name}=", help=p.description or p.type)
            for p in canned.params
            if p.name.startswith(key)
        ]
    p = canned.param(key)
    if p is None:
        return []
    if p.type == "boolean":
        choices = ["true", "false"]
    elif p.type == "iri":
        choices = _entity_names(ctx, p.cls)
    else:
        choices = [p.default] if p.default else []
    folded = value.casefold()
    return [CompletionItem(f"{key}={c}") for c in choices if c.casefold().startswith(folded)]


def _entity_names(ctx: click.Context, cls: str | None) -> list[str]:
    """Labels and prefixed names of the entities of *cls* (every labelled entity without one)."""
    try:
        from .._kg import open_kg
        from ..rdf.namespaces import shorten

        kg = open_kg(_root(ctx))
        members = kg.members(cls) if cls else None
        labels = kg.labels
        names: set[str] = set()
        for row in kg.sparql(
            "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l FILTER(isIRI(?s)) }"
        ).rows:
            s = row["s"]
            if members is not None and s not in members:
                continue
            names.add(shorten(str(s)))
            label = labels.label(s)  # type: ignore[arg-type]
            if label:
                names.add(label)
        return sorted(names, key=str.casefold)
    except Exception:
        return []
