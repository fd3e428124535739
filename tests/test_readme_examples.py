"""Every query example a user is shown runs and answers something.

The examples are read from where a user meets them: the ``sh`` blocks of README.md,
the ``--help`` of every command, and the ``# example:`` line of every canned query
(``zonegraph queries --verbose``). Each must exit 0 and return at least one row;
a canned query whose header says "No rows means ..." (a report of gaps, which the
shipped graph has none of) must exit 0 and return none.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from support import REPO, run_cli
from zonegraph.cli import main

#: The commands whose examples are run.
QUERY_COMMANDS = ("query", "sparql")

#: A query file the README's ``sparql --file my-query.rq`` example reads: the user's own.
MY_QUERY = "SELECT ?country ?code { ?country zg:isoCode ?code } ORDER BY ?code\n"


def _command_lines(text: str) -> list[str]:
    """The lines of *text* that run ``zonegraph`` (a leading ``$ `` prompt dropped)."""
    out = []
    for raw in text.splitlines():
        line = raw.strip().removeprefix("$ ")
        if line.startswith("zonegraph "):
            out.append(line)
    return out


def _readme_examples() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|console)\n(.*?)```", readme, flags=re.S)
    return [line for block in blocks for line in _command_lines(block)]


def _help_examples() -> list[str]:
    out = []
    for args in ([], *([name] for name in sorted(main.commands))):  # type: ignore[attr-defined]
        result = CliRunner().invoke(main, [*args, "--help"], terminal_width=400)
        assert result.exit_code == 0, result.output
        out += _command_lines(result.stdout.split("Example", 1)[-1])
    return out


def _query_file_examples() -> list[str]:
    out = []
    for path in sorted((REPO / "queries").glob("*.rq")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# example:"):
                out.append(line.removeprefix("# example:").strip())
    return out


def _split(line: str) -> tuple[list[str], list[str], str | None]:
    """The global options, the subcommand's arguments and the subcommand of a line."""
    words = shlex.split(line, comments=True)[1:]
    i = 0
    globals_: list[str] = []
    while i < len(words) and words[i].startswith("-"):
        takes_value = words[i] in ("--kg", "--store", "--max-bytes", "--update-url", "--gsp-url")
        globals_ += words[i : i + 1 + takes_value]
        i += 1 + takes_value
    if i == len(words):
        return globals_, [], None
    return globals_, words[i + 1 :], words[i]


def _examples() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for where, lines in (
        ("README.md", _readme_examples()),
        ("--help", _help_examples()),
        ("queries/*.rq", _query_file_examples()),
    ):
        for line in lines:
            if _split(line)[2] in QUERY_COMMANDS:
                found.setdefault(line, where)
    return sorted((where, line) for line, where in found.items())


EXAMPLES = _examples()


def test_the_examples_are_found() -> None:
    """The extraction itself: the README's examples and the help's are among them."""
    places = {where for where, _ in EXAMPLES}
    assert places == {"README.md", "--help", "queries/*.rq"}
    lines = {line for _, line in EXAMPLES}
    assert any("organisations-in-place" in line for line in lines)
    assert any(line.startswith("zonegraph sparql --file") for line in lines)
    assert any("--store oxigraph:" in line for line in lines)
    assert len(EXAMPLES) >= 25


def _without_format(args: list[str]) -> list[str]:
    """*args* without the example's own ``--format`` (to ask for JSON and count rows)."""
    out: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word in ("-f", "--format"):
            skip = True
        elif not word.startswith("--format="):
            out.append(word)
    return out


def _expects_no_rows(name: str) -> bool:
    """A canned query whose header documents that no rows is the good answer."""
    path = REPO / "queries" / f"{name}.rq"
    return path.exists() and "No rows means" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("where", "line"), EXAMPLES, ids=[line for _, line in EXAMPLES])
def test_every_query_example_answers(
    where: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where the user's own files (my-query.rq, a store) go
    (tmp_path / "my-query.rq").write_text(MY_QUERY, encoding="utf-8")
    globals_, args, command = _split(line)
    assert command is not None
    # an on-disk store stays open while its process runs: those examples run as the
    # user runs them, each in a process of its own, after filling the store
    own_process = any(g.startswith("oxigraph:") for g in globals_)

    def run(*words: str) -> tuple[int, str, str]:
        if own_process:
            proc = run_cli(*words, cwd=tmp_path)
            return proc.returncode, proc.stdout, proc.stderr
        result = CliRunner().invoke(main, list(words))
        return result.exit_code, result.stdout, result.output

    if own_process:
        code, _, err = run(*globals_, "--quiet", "load")
        assert code == 0, err

    code, out, err = run(*globals_, command, *args)
    assert code == 0, f"{line} (from {where}) failed: {err}"
    assert out.strip(), f"{line} (from {where}) printed nothing"

    plain = _without_format(args)
    code, out, err = run(*globals_, command, *plain, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    rows = len(doc["results"]["bindings"]) if "results" in doc else int(bool(doc.get("boolean")))
    if command == "query" and _expects_no_rows(args[0]):
        assert rows == 0, f"{line}: the shipped graph should have no {args[0]}"
    else:
        assert rows >= 1, f"{line} (from {where}) returns no rows"


def test_the_readme_lists_every_canned_query() -> None:
    """The README's table of canned queries names each query in queries/, and no other."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The canned queries", 1)[1].split("\n### ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M))
    shipped = {p.stem for p in (REPO / "queries").glob("*.rq") if p.stem != "prefixes"}
    assert listed == shipped
