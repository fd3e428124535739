"""Long work says what it is doing on a terminal (phases, counts, rates on standard
error) and nothing at all when standard error is not a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from support import REPO

ANSI = "\x1b["


def in_a_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``zonegraph ARGS`` with standard error on a pseudo-terminal (standard output a
    pipe, as when its data is redirected); what each received."""
    master, slave = pty.openpty()
    sink = tempfile.TemporaryFile()  # noqa: SIM115 - not a pipe: a large output must not block the command
    proc = subprocess.Popen(
        [sys.executable, "-m", "zonegraph", *args],
        stdout=sink,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "120", **(env or {})},
        cwd=REPO,
    )
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=300)
    os.close(master)
    sink.seek(0)
    out = sink.read()
    sink.close()
    return proc.returncode, out.decode(), err.decode(errors="replace")


def piped(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zonegraph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TERM": "xterm", **(env or {})},
        cwd=REPO,
        timeout=300,
    )


#: Show even quick work, so the shipped graph's load (a fraction of a second) is seen.
NOW = {"ZONEGRAPH_PROGRESS_DELAY": "0"}


def test_load_shows_its_phases_with_counts_on_a_terminal(tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'store'}"
    code, out, err = in_a_terminal("--store", store, "load", env=NOW)
    assert code == 0, err
    assert "loaded" in out and ANSI not in out  # the report on stdout, clean
    files = len(list((REPO / "kg").glob("*.ttl")))
    assert f"checking files  {files}/{files} files" in err
    assert f"loading into {store}" in err and " triples" in err
    assert "writing " in err and " graphs into " in err
    assert "✓" in err  # finished phases stay as lines
    assert err.rstrip("\r\n").endswith("\x1b[K")  # the status line is erased at the end


def test_check_shows_shapes_check_queries_and_consistency(tmp_path: Path) -> None:
    code, out, err = in_a_terminal("check", env=NOW)
    assert code in (0, 1), err
    checks = len(list((REPO / "queries" / "checks").glob("*.rq")))
    for phase in [
        "reading the shapes",
        "validating against ",
        f"check queries  {checks}/{checks} queries",
        "consistency (OWL 2 RL)",
    ]:
        assert phase in err
    assert ANSI not in out


def test_export_says_what_it_writes(tmp_path: Path) -> None:
    code, out, err = in_a_terminal("export", "--format", "ntriples", env=NOW)
    assert code == 0
    assert "writing ntriples" in err
    assert ANSI not in out and out.count(" .\n") > 1000


@pytest.mark.parametrize(
    "args", [("load",), ("check",), ("export", "--format", "ntriples"), ("query", "parks-of-zone")]
)
def test_no_progress_when_standard_error_is_not_a_terminal(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    store = ("--store", f"oxigraph:{tmp_path / 'store'}") if args == ("load",) else ()
    run = piped(*store, *args, env=NOW)
    assert run.returncode in (0, 1), run.stderr
    assert ANSI not in run.stderr and "\r" not in run.stderr
    for phase in ("checking files", "loading into", "reading the shapes", "writing ", "✓"):
        assert phase not in run.stderr


def test_quiet_silences_the_display_on_a_terminal(tmp_path: Path) -> None:
    code, _, err = in_a_terminal(
        "--quiet", "--store", f"oxigraph:{tmp_path / 'store'}", "load", env=NOW
    )
    assert code == 0
    assert "checking files" not in err and ANSI not in err
