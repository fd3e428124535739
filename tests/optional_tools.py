"""The one table of the tools some tests need beyond the `dev` extra, and how to install each.

`make test` says at its start (conftest's report header) which are missing and the
command that installs each, and at its end (the terminal summary) how many tests each
missing tool skipped. A test that needs one of them skips with :func:`reason`, which
names that command. The install scripts are in `.ci/` (the README's "Tests" section
says what each does); `.ci/run` runs all three before `make test`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from servers import oxigraph_binary, virtuoso_binary
from support import REPO, SHARED

NODE_MODULES = REPO / "tests" / "interop" / "node_modules"


@dataclass(frozen=True)
class Tool:
    """A tool some tests need: its name, which tests, the one command that installs it."""

    name: str
    tests: str
    install: str
    present: Callable[[], bool]


def _command(name: str) -> Callable[[], bool]:
    return lambda: shutil.which(name) is not None


def _node_packages() -> bool:
    packages = ("n3", "@comunica/query-sparql", "shacl-engine")
    return shutil.which("node") is not None and all(
        (NODE_MODULES / p / "package.json").exists() for p in packages
    )


TOOLS: tuple[Tool, ...] = (
    Tool(
        "Chromium",
        "the browser tests (tests/test_browser.py, -m browser)",
        "bash .ci/install-browser",
        lambda: Path("/usr/bin/chromium").exists() or shutil.which("chromium") is not None,
    ),
    Tool(
        "rapper (raptor2-utils)",
        "the interop tests (-m interop)",
        "bash .ci/install-interop",
        _command("rapper"),
    ),
    Tool(
        "Node.js with N3.js, Comunica and shacl-engine",
        "the interop tests (-m interop)",
        "bash .ci/install-interop",
        _node_packages,
    ),
    Tool(
        "Java (HermiT, through owlready2)",
        "the interop tests (-m interop)",
        "bash .ci/install-interop",
        _command("java"),
    ),
    Tool(
        "Graphviz (dot)",
        "the drawings (tests/test_draw.py)",
        "bash .ci/install-interop",
        _command("dot"),
    ),
    Tool(
        "Virtuoso (virtuoso-t)",
        "the server tests (-m servers)",
        "sudo bash .ci/virtuoso-install",
        lambda: virtuoso_binary() is not None,
    ),
    Tool(
        "the oxigraph command",
        "the server tests (-m servers)",
        "pip install -e '.[dev]'",
        lambda: oxigraph_binary() is not None,
    ),
    Tool(
        "the W3C Turtle and SHACL test suites",
        "the conformance tests (tests/test_w3c_*.py)",
        f"a copy of /work/shared/w3c at {SHARED / 'w3c'}",
        lambda: (SHARED / "w3c" / "shacl-tests" / "manifest.ttl").exists(),
    ),
)


def tool(name: str) -> Tool:
    """The row of the table whose name starts with *name*."""
    return next(t for t in TOOLS if t.name.startswith(name))


def reason(name: str) -> str:
    """The skip reason of a test that needs the tool *name*: what is missing, how to install it."""
    row = tool(name)
    return f"{row.name} is not installed; install it with: {row.install}"


def missing() -> list[Tool]:
    """The tools this machine lacks."""
    return [t for t in TOOLS if not t.present()]
