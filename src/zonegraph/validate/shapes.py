"""Reading the SHACL shapes (``ontology/shapes.ttl``): strictly, then checked before use
(valid SHACL, no reach outside the graph: :mod:`zonegraph.validate.shapecheck`)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .._errors import StoreError
from ..rdf.intake import parse_turtle
from .shapecheck import check_shapes_file


def read_shapes(path: Path, *, name: str, allow_network: bool = False) -> Graph:
    """The shapes in *path* (*name*: the file as messages show it); StoreError if there is
    no such file, InputError if it is not Turtle or the shapes fail their checks."""
    if not path.exists():
        raise StoreError(f"no shapes file at {name}", hint="add ontology/shapes.ttl")
    shapes = parse_turtle(path, max_bytes=None, display_name=name, allow_network=allow_network)
    check_shapes_file(shapes, path.read_bytes(), name=name, allow_network=allow_network)
    return shapes
