"""`make test` says what it skips and how to install it: at the start (the report header)
and at the end (the terminal summary), from tests/optional_tools.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from optional_tools import TOOLS
from support import REPO

ARGS = ("tests/test_draw.py", "-k", "byte_stable", "-rs")


def test_a_missing_tool_is_named_at_the_start_and_the_end_with_its_install_command(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "bin"  # a PATH with no tools on it: no dot, rapper, java, node
    empty.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *ARGS],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PATH": str(empty)},
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    head, _, tail = run.stdout.partition("test session starts")[2].partition("skipped: optional")
    assert "optional tools missing" in head
    assert "Graphviz (dot)" in head and "bash .ci/install-interop" in head
    # the end: how many tests the missing tool skipped, and the command
    assert "2 skipped, need " in tail and "Graphviz (dot)" in tail
    assert "bash .ci/install-interop" in tail


def test_every_tool_names_one_command() -> None:
    for tool in TOOLS:
        assert tool.install and tool.tests, tool
    scripts = {t.install.split()[-1] for t in TOOLS if ".ci/" in t.install}
    assert scripts == {".ci/install-browser", ".ci/install-interop", ".ci/virtuoso-install"}
    for script in scripts:
        assert (REPO / script).is_file()
        assert f"bash {script}" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
