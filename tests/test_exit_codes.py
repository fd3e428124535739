"""Every command keeps the exit-code promise: 0 success, 1 "does not conform",
2 any error, told in one message on standard error (what, where, how to fix), never a
traceback.

The commands are read from the click group, so a new command is covered as soon as it
exists: its file parameters must be listed below as inputs or outputs, and the
arguments it cannot run without given in ``NEEDS``, or the first tests fail and say so.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from support import new_source_with_company
from zonegraph.cli import main

COMMANDS: dict[str, click.Command] = main.commands  # type: ignore[attr-defined]

#: What each command needs on its command line to get past its own parsing.
#: ``{good}`` is a file of new facts that conform.
NEEDS: dict[str, list[str]] = {
    "query": ["parks-of-zone"],
    "sparql": ["ASK { ?s ?p ?o }"],
    "validate": ["{good}"],
    "add": ["{good}"],
    "template": ["zg:Company"],
    "completion": ["bash"],
    "synth": ["--triples", "10"],
    "draw": ["--format", "dot"],
}

#: The parameters that name a file or folder the command writes (with a file name for it).
OUTPUTS: dict[tuple[str, str], str] = {
    ("export", "output"): "out.ttl",
    ("draw", "output"): "out.dot",
    ("synth", "output"): "out",
    ("init", "directory"): "my-graph",
}

#: The parameters that name a file the command reads (and how it is given).
INPUTS: dict[tuple[str, str], list[str]] = {
    ("validate", "files"): ["{path}"],
    ("add", "files"): ["{path}"],
    ("sparql", "file"): ["--file", "{path}"],
}

#: Commands that do not read the KG directory (--kg) nor the store (--store).
NO_KG = {"completion", "synth", "init"}

#: Commands that run until stopped: run in a process of their own, with a time limit.
LONG_RUNNING = {"serve"}


def _required(command: click.Command) -> list[str]:
    return [p.name or "" for p in command.params if p.required]


def _args(name: str, tmp_path: Path, *, skip: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """The command's needed arguments (without the parameters in *skip*), with a valid
    output where one is required."""
    good = tmp_path / "good.ttl"
    good.write_text(
        new_source_with_company("exit-code-test", "A test article", "exit-code-co", "Exit Co"),
        encoding="utf-8",
    )
    words = [w.replace("{good}", str(good)) for w in NEEDS.get(name, [])]
    for (cmd, param), filename in OUTPUTS.items():
        if cmd == name and param not in skip and param in _required(COMMANDS[name]):
            option = next(p for p in COMMANDS[name].params if p.name == param)
            path = str(tmp_path / "fine" / filename)
            words += [path] if isinstance(option, click.Argument) else [option.opts[0], path]
    return words


def _run(name: str, words: list[str]) -> tuple[int, str]:
    """Run ``zonegraph *words`` (a long-running command in a process of its own)."""
    if name in LONG_RUNNING:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "zonegraph", *words],
                capture_output=True,
                text=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"zonegraph {' '.join(words)} kept running instead of failing")
        return proc.returncode, proc.stdout + proc.stderr
    result = CliRunner().invoke(main, words)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback the user would see
    return result.exit_code, result.output


def _assert_one_error(code: int, output: str, *, names: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output, output
    assert "error:" in output.lower(), output
    assert names in output, f"the message does not name {names}: {output}"


def test_every_command_is_covered() -> None:
    """Each file parameter is an input or an output; each required one is given."""
    for name, command in COMMANDS.items():
        for param in command.params:
            if isinstance(param.type, click.Path):
                assert (name, param.name) in OUTPUTS or (name, param.name) in INPUTS, (
                    f"{name}'s {param.name} names a file: add it to OUTPUTS or INPUTS"
                )
        for param in _required(command):
            covered = name in NEEDS or (name, param) in OUTPUTS or (name, param) in INPUTS
            assert covered, f"{name} needs {param}: add what it takes to NEEDS"


@pytest.mark.parametrize(("name", "param"), sorted(k for k in OUTPUTS if k[0] in COMMANDS))
def test_an_unwritable_output_is_one_message_and_exit_2(
    name: str, param: str, tmp_path: Path
) -> None:
    """The output's folder is a file: nobody (not even root) can write there."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    target = blocker / OUTPUTS[(name, param)]
    option = next(p for p in COMMANDS[name].params if p.name == param)
    given = [str(target)] if isinstance(option, click.Argument) else [option.opts[0], str(target)]
    code, output = _run(name, [name, *_args(name, tmp_path, skip={param}), *given])
    _assert_one_error(code, output, names=str(blocker))


@pytest.mark.parametrize(("name", "param"), sorted(k for k in INPUTS if k[0] in COMMANDS))
def test_a_missing_input_file_is_one_message_and_exit_2(
    name: str, param: str, tmp_path: Path
) -> None:
    missing = tmp_path / "missing" / "facts.ttl"
    given = [w.replace("{path}", str(missing)) for w in INPUTS[(name, param)]]
    needs = [w for w in NEEDS.get(name, []) if w != "{good}" and not w.startswith("ASK")]
    code, output = _run(name, [name, *needs, *given])
    _assert_one_error(code, output, names=str(missing))


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NO_KG))
def test_a_missing_kg_directory_is_one_message_and_exit_2(name: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-kg"
    words = ["--kg", str(missing), name, *_args(name, tmp_path)]
    if name == "serve":
        words += ["--port", "0"]
    code, output = _run(name, words)
    _assert_one_error(code, output, names=str(missing))


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NO_KG - {"load"}))
def test_a_mistyped_store_is_reported_and_never_created(name: str, tmp_path: Path) -> None:
    """Only ``load`` makes a store: reading from a store that is not there says how to
    fill one, and leaves nothing behind."""
    store = tmp_path / "typo.db"
    words = ["--store", f"oxigraph:{store}", name, *_args(name, tmp_path)]
    if name == "serve":
        words += ["--port", "0"]
    code, output = _run(name, words)
    _assert_one_error(code, output, names=str(store))
    assert "no Oxigraph store" in output and f"--store oxigraph:{store} load" in output
    assert not store.exists(), f"{name} created the store"


def test_an_empty_store_says_so_and_how_to_load_it(tmp_path: Path) -> None:
    from zonegraph.store.oxigraph import OxigraphStore

    store = tmp_path / "empty.db"
    OxigraphStore(store).close()  # a store with no triples in it
    code, output = _run("query", ["--store", f"oxigraph:{store}", "query", "parks-of-zone"])
    _assert_one_error(code, output, names=str(store))
    assert "is empty" in output and f"zonegraph --store oxigraph:{store} load" in output
    assert "is not one" not in output


def test_load_creates_the_store_that_queries_then_read(tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'made.db'}"
    for words in (
        ["--store", store, "load"],
        ["--store", store, "query", "parks-of-zone", "--format", "csv"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "zonegraph", "--quiet", *words],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
    assert "Sino-German Ecopark" in proc.stdout


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_serve_on_a_busy_port_is_one_message_and_exit_2(busy_port: int) -> None:
    code, output = _run("serve", ["serve", "--port", str(busy_port)])
    _assert_one_error(code, output, names=f"port {busy_port}")
    assert "in use" in output and "--port" in output


def test_export_and_draw_into_a_missing_folder(tmp_path: Path) -> None:
    """The cases of the issue, as a user types them."""
    for words, name in ((["export", "-o"], "x.trig"), (["draw", "-o"], "x.dot")):
        target = tmp_path / "missing" / "dir" / name
        code, output = _run(words[0], [*words, str(target)])
        _assert_one_error(code, output, names=str(target))
        assert f"mkdir -p {target.parent}" in output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_is_one_message_and_exit_2() -> None:
    """Standard output that cannot be written (a full disk) is an error like any other."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "zonegraph", "query", "parks-of-zone", "--format", "csv"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    _assert_one_error(proc.returncode, proc.stderr, names="No space left on device")
