"""``zonegraph fmt``: the shipped files are in the canonical layout; formatting is idempotent."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import Graph

from support import REPO
from zonegraph.kgdir.format import canonical_text, format_files
from zonegraph.kgdir.layout import Layout


def _param(path: Path) -> object:
    return pytest.param(path, id=path.name)


FILES = [*sorted((REPO / "ontology").glob("*.ttl")), *sorted((REPO / "kg").glob("*.ttl"))]


def test_the_shipped_files_are_in_the_canonical_layout() -> None:
    assert format_files(Layout(REPO), write=False) == [], "run `zonegraph fmt`"


def shuffled(path: Path, seed: int) -> str:
    """The file's triples as N-Triples (valid Turtle) in a random order, after its
    leading comments."""
    comments = "".join(f"{line}\n" for line in leading_lines(path))
    lines = Graph().parse(path, format="turtle").serialize(format="nt").splitlines()
    random.Random(seed).shuffle(lines)
    return comments + "\n".join(lines) + "\n"


def leading_lines(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_formatting_a_shuffled_copy_gives_the_canonical_bytes(path: Path, tmp_path: Path) -> None:
    canonical = canonical_text(path)
    copy = tmp_path / path.name
    copy.write_text(shuffled(path, seed=7), encoding="utf-8")
    once = canonical_text(copy)
    assert once == canonical, "the layout does not depend on the order statements were written in"
    copy.write_text(once, encoding="utf-8")
    assert canonical_text(copy) == once, "formatting twice changes nothing"
