"""``zonegraph fmt``: keep ontology/ and kg/ in the canonical Turtle layout."""

from __future__ import annotations

from pathlib import Path

from ._fsio import write_files
from ._layout import Layout
from ._parse import parse_turtle
from ._turtle import leading_comments, to_turtle


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
