"""The corpus of bad inputs (tests/data/bad/): each refused as its header says, changing nothing.

Every file of ``tests/data/bad/`` starts with a comment header::

    # what the case is
    # command: add {file}          (for .ttl files: add, then validate, unless a command is given)
    # exit: 2
    # message: <a substring the output must contain; repeatable>
    # absent: <a substring the output must not contain; repeatable>
    # setup: append-to-shapes      (optional: the file's text is appended to shapes.ttl first)

Where the header gives no command, a ``.ttl`` case is run with ``add`` and
then with ``validate``: both must give the same exit code and messages (the
source checks belong to ``add`` alone, so those cases name their command).
``{file}`` is the case's path, ``{good}`` a valid facts file and ``{value}``
the first line after the header (for ``.txt`` parameter cases); placeholders
are replaced after the command is split into words, so a value's quotes and
braces reach zonegraph as they are. Files that cannot carry a comment (binary,
JSON) are described in ``manifest.toml`` instead.

Each case runs against a private copy of the KG directory (ontology/, kg/,
queries/), whose every file must be byte-for-byte unchanged afterwards. No
case may end in a traceback, and every refusal (exit 2) must say how to fix it.
"""

from __future__ import annotations

import shlex
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from support import REPO
from zonegraph.cli import main

BAD = Path(__file__).parent / "data" / "bad"
GOOD = Path(__file__).parent / "data" / "valid" / "company-in-park.ttl"
_NOT_CASES = {"README.md", "manifest.toml"}


@dataclass
class Case:
    path: Path
    what: str = ""
    command: str = ""
    exit: int = 2
    messages: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    setup: str | None = None

    @property
    def value(self) -> str:
        """The first line after the header (a parameter value)."""
        lines = self.path.read_bytes().decode("utf-8").splitlines()
        return next(line for line in lines if not line.startswith("#"))

    @property
    def commands(self) -> list[str]:
        """The commands to run: the header's, or add and validate for a .ttl file."""
        if self.command:
            return [self.command]
        return ["add {file}", "validate {file}"]

    def argv(self, command: str) -> list[str]:
        words = shlex.split(command)
        subst = {"{file}": str(self.path), "{good}": str(GOOD)}
        if "{value}" in command:
            subst["{value}"] = self.value
        out = []
        for word in words:
            for key, new in subst.items():
                word = word.replace(key, new)
            out.append(word)
        return out

    def expected(self) -> list[str]:
        return [m.replace("{file}", str(self.path)) for m in self.messages]


def _header(path: Path) -> Case:
    case = Case(path)
    for raw in path.read_bytes().splitlines():
        if not raw.startswith(b"#"):
            break
        line = raw.decode("latin-1")[1:].strip()
        key, sep, value = line.partition(":")
        key = key.strip()
        if sep and key in ("command", "exit", "message", "absent", "setup"):
            value = value.strip()
            if key == "exit":
                case.exit = int(value)
            elif key == "message":
                case.messages.append(value)
            elif key == "absent":
                case.absent.append(value)
            elif key == "command":
                case.command = value
            else:
                case.setup = value
        elif not case.what and line:
            case.what = line
    return case


def load_cases() -> list[Case]:
    manifest = tomllib.loads((BAD / "manifest.toml").read_text(encoding="utf-8"))
    cases = []
    for path in sorted(p for p in BAD.iterdir() if p.is_file() and p.name not in _NOT_CASES):
        case = _header(path)
        entry = manifest.get(path.name)
        if entry is not None:
            case.what = entry.get("what", case.what)
            case.command = entry.get("command", case.command)
            case.exit = entry.get("exit", case.exit)
            case.messages = list(entry.get("messages", case.messages))
            case.absent = list(entry.get("absent", case.absent))
            case.setup = entry.get("setup", case.setup)
        cases.append(case)
    return cases


CASES = load_cases()


def _copy_kg(root: Path) -> Path:
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    return root


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the KG copy, byte for byte (the lock file aside: add creates it)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".zonegraph.lock"
    }


@pytest.fixture(scope="module")
def shared_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One KG copy for the cases that do not change the shapes (each must leave it as it was)."""
    return _copy_kg(tmp_path_factory.mktemp("bad-inputs-kg"))


def _invoke(kg: Path, argv: list[str]) -> Result:
    return CliRunner().invoke(main, ["--kg", str(kg), *argv], catch_exceptions=True)


def _check(case: Case, result: Result, argv: list[str]) -> None:
    output = result.stdout + result.stderr
    shown = f"zonegraph {shlex.join(argv)}\n{output}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback instead of a message:\n{shown}") from result.exception
    assert result.exit_code == case.exit, shown
    for message in case.expected():
        assert message in output, f"missing {message!r} in:\n{shown}"
    for secret in case.absent:
        assert secret not in output, f"{secret!r} must not be shown:\n{shown}"
    assert "Traceback" not in output, shown
    if case.exit == 2:
        assert output.startswith("error: ") or "\nerror: " in output, shown
        assert "hint: " in output, f"the message gives no fix:\n{shown}"


def test_the_corpus_is_large_and_every_case_says_what_it_expects() -> None:
    assert len(CASES) >= 60
    for case in CASES:
        assert case.what, f"{case.path.name}: no description"
        assert case.messages, f"{case.path.name}: no expected message"


@pytest.mark.parametrize("case", CASES, ids=[c.path.name for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(
    case: Case, shared_kg: Path, tmp_path: Path
) -> None:
    kg = shared_kg
    if case.setup == "append-to-shapes":
        kg = _copy_kg(tmp_path / "kg")
        extra = b"\n".join(
            line for line in case.path.read_bytes().splitlines() if not line.startswith(b"#")
        )
        with (kg / "ontology" / "shapes.ttl").open("ab") as handle:
            handle.write(b"\n" + extra + b"\n")
    else:
        assert case.setup is None, f"unknown setup {case.setup!r}"
    before = _files(kg)
    try:
        for command in case.commands:
            argv = case.argv(command)
            _check(case, _invoke(kg, argv), argv)
            assert _files(kg) == before, f"zonegraph {command} changed the KG directory"
    finally:
        if kg is shared_kg and _files(kg) != before:  # keep the other cases meaningful
            shutil.rmtree(kg)
            _copy_kg(kg)
