"""Pictures of the graph: Graphviz DOT text (:mod:`zonegraph.authoring.pictures`), rendered
by ``dot``.

Four pictures, each a pure function of the graph (:func:`~zonegraph.authoring.pictures.zone_dot`,
:func:`~zonegraph.authoring.pictures.entity_dot`,
:func:`~zonegraph.authoring.pictures.ontology_dot`,
:func:`~zonegraph.authoring.pictures.timeline_dot`); the kinds of node, their colours and the
legend are in :mod:`zonegraph.authoring.dot`. :func:`render` turns DOT into SVG or PNG with
Graphviz's ``dot`` (Debian ``graphviz``); nothing here needs a Python package beyond rdflib.
:func:`draw` is what ``zonegraph draw`` makes.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

from rdflib import URIRef

from ..rdf.namespaces import shorten
from .dot import DrawError
from .pictures import entity_dot, ontology_dot, timeline_dot, zone_dot

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

FORMATS = ("svg", "png", "pdf", "dot")


# -- rendering -----------------------------------------------------------------------


def render(dot_text: str, fmt: str) -> bytes:
    """Render DOT text as ``svg``, ``png`` or ``pdf`` with Graphviz (``dot``: the text itself)."""
    if fmt == "dot":
        return dot_text.encode("utf-8")
    if fmt not in FORMATS:
        raise DrawError(f"unknown picture format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    dot = shutil.which("dot")
    pinned = "pos=" in dot_text and '!"' in dot_text
    if dot is None:
        raise DrawError(
            "Graphviz's dot is not installed",
            hint="install Graphviz (Debian: apt-get install graphviz), "
            "or write --format dot and render it elsewhere",
        )
    args = [dot, "-Kneato", "-n"] if pinned else [dot]
    args += [f"-T{fmt}"] + (["-Gdpi=110"] if fmt == "png" else [])
    proc = subprocess.run(
        args, input=dot_text.encode("utf-8"), capture_output=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        raise DrawError(f"dot failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


# -- the command's entry point -------------------------------------------------------


def draw(
    kg: KnowledgeGraph,
    *,
    entity: str | None = None,
    ontology: bool = False,
    timeline: bool = False,
    fmt: str = "svg",
) -> bytes:
    """The picture ``zonegraph draw`` makes: the zone view by default, one entity's
    neighbourhood (*entity*: IRI, prefixed name or label), the class diagram or the timeline."""
    if sum((entity is not None, ontology, timeline)) > 1:
        raise DrawError(
            "draw one picture at a time", hint="give one of --entity, --ontology, --timeline"
        )
    if ontology:
        text = ontology_dot(kg.ontology)
    elif timeline:
        text = timeline_dot(kg.data(), kg.ontology)
    elif entity is not None:
        text = entity_dot(kg.data(), kg.ontology, resolve_entity(kg, entity))
    else:
        text = zone_dot(kg.data(), kg.ontology)
    return render(text, fmt)


def resolve_entity(kg: KnowledgeGraph, text: str) -> URIRef:
    """The entity an IRI, prefixed name or label names (DrawError if none or several)."""
    from ..rdf.namespaces import expand_curie

    stripped = text.strip()
    if stripped.startswith("<") and stripped.endswith(">"):
        return URIRef(stripped[1:-1])
    iri = expand_curie(stripped)
    if iri is not None:
        return iri
    if stripped.startswith(("http://", "https://")):
        return URIRef(stripped)
    found = kg.labels.lookup(stripped)
    if len(found) == 1:
        return next(iter(found))
    if not found:
        import difflib

        close = difflib.get_close_matches(stripped, kg.labels.all_labels(), n=3, cutoff=0.6)
        raise DrawError(
            f"no entity is called {text!r}",
            hint=f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else "give an IRI or a prefixed name such as zgr:qingdao-iecz",
        )
    shown = ", ".join(sorted(shorten(str(i)) for i in found))
    raise DrawError(
        f"{text!r} names several entities: {shown}",
        hint="give the prefixed name of the one you mean",
    )
