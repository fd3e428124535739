"""``zonegraph fmt``: keep ontology/ and kg/ in the canonical Turtle layout."""

from __future__ import annotations

from pathlib import Path

from ..rdf.intake import parse_turtle
from ..rdf.turtle_writer import leading_comments, to_turtle
from .journal import write_files
from .layout import Layout


def canonical_text(path: Path) -> str:
    """The canonical layout of the Turtle file *path*, its leading comments kept."""
    text = path.read_text(encoding="utf-8")
    return to_turtle(parse_turtle(path), header=leading_comments(text))


def format_files(layout: Layout, *, write: bool = True) -> list[Path]:
    """Files of ``ontology/`` and ``kg/`` not in the canonical layout; rewritten if *write*."""
    files = [*sorted(layout.ontology_dir.glob("*.ttl")), *layout.source_files()]
    changed = {p: new for p in files if (new := canonical_text(p)) != p.read_text(encoding="utf-8")}
    if write and changed:
        write_files(changed)
    return sorted(changed)
