"""Shared fixtures: the shipped graph, a private copy of it, and a command runner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import zonegraph

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def kg() -> zonegraph.KnowledgeGraph:
    """The shipped graph, loaded once (read-only: tests must not change it)."""
    return zonegraph.open_kg()


@pytest.fixture
def kg_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped KG directory, for tests that write."""
    root = tmp_path / "kgdir"
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under kg/ of *root*, byte for byte."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "kg").glob("*.ttl"))}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``zonegraph`` command in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "zonegraph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
