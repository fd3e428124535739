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


# -- what the run skips, and how to install it (tests/optional_tools.py) ------------------


def pytest_report_header(config: pytest.Config) -> list[str]:
    """At the start: the optional tools that are missing, and the command installing each."""
    from optional_tools import missing

    absent = missing()
    if not absent:
        return ["optional tools: all installed (Chromium, rapper, Node tools, Java, dot, Virtuoso)"]
    lines = ["optional tools missing: their tests are skipped; to run them, install:"]
    lines += [f"  {t.name:<46} {t.install:<32} {t.tests}" for t in absent]
    return lines


#: The tests that take longest, measured (tests/slow-tests.txt says how): marked slow, so
#: that ``make test-quick`` leaves them out.
SLOW_TESTS = Path(__file__).parent / "slow-tests.txt"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of the browser and interop modules, and the tests listed in
    tests/slow-tests.txt as slow (for ``-m "not slow and not browser"``, make test-quick);
    the markers are declared in pyproject.toml."""
    marks = {"test_browser.py": pytest.mark.browser, "test_interop.py": pytest.mark.interop}
    lines = SLOW_TESTS.read_text(encoding="utf-8").splitlines() if SLOW_TESTS.exists() else []
    slow = tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    for item in items:
        mark = marks.get(item.path.name)
        if mark is not None:
            item.add_marker(mark)
        node = item.nodeid
        if any(node == s or node.startswith((f"{s}[", f"{s}::")) for s in slow):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """At the end: how many tests each missing tool skipped, and the command installing it."""
    from collections import Counter

    from optional_tools import TOOLS, missing

    skipped = terminalreporter.stats.get("skipped", [])
    absent = missing()
    if not skipped and not absent:
        return
    by_install: Counter[str] = Counter()
    other = 0
    for report in skipped:
        text = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        install = next((t.install for t in TOOLS if _install_key(t.install) in text), None)
        if install is None:
            other += 1
        else:
            by_install[install] += 1
    terminalreporter.write_sep("=", "skipped: optional tools")
    for install, count in by_install.most_common():
        names = ", ".join(t.name for t in TOOLS if t.install == install)
        terminalreporter.write_line(f"{count:5} skipped, need {names}: {install}")
    for t in absent:
        if t.install not in by_install:
            terminalreporter.write_line(f"    - missing {t.name}: {t.install}")
    if other:
        terminalreporter.write_line(f"{other:5} skipped for other reasons (listed above, -ra)")


def _install_key(install: str) -> str:
    """What a skip reason names of an install command: the script (.ci/install-interop),
    else the command itself."""
    return next((w for w in install.split() if w.startswith(".ci/")), install)
