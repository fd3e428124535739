"""Shared fixtures: the shipped graph and a private copy of it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import zonegraph
from support import REPO, Counter, counting_server


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Computed closures go to a directory of the test run's, not the user's cache."""
    os.environ["ZONEGRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


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


@pytest.fixture(scope="module")
def counter() -> Iterator[Counter]:
    """A loopback HTTP server that counts the requests it gets (hostile input points at it)."""
    with counting_server() as server:
        yield server


@pytest.fixture
def address(counter: Counter) -> str:
    """The counter's host:port, its count cleared."""
    counter.requests.clear()
    host, port = counter.server_address[:2]
    return f"{host!s}:{port}"
