"""A change to the KG lands whole or not at all, whenever the process dies.

The add used here touches two KG files: new facts citing an existing source
(they go into ``kg/chinadaily-2018-06-10.ttl``) and a new source with its facts
(a new ``kg/crash-test-source.ttl``). After every crash, the next opening of
the KG (which recovers an interrupted change under the lock) must find every
KG file parsing, and the directory must hold exactly the state before the add
or exactly the state after it, never a mix, and no leftover temporary file.

- ``test_sigkill_at_random_moments``: ``zonegraph add`` killed with SIGKILL
  30 times: a third at a random moment of the run, the rest at a random
  moment within milliseconds of the journal appearing (the commit);
- ``test_crash_after_every_step``: the add killed (``os._exit`` in a forked
  child) right after each of its file-system steps in turn (every fsync,
  rename and unlink), so every boundary of the commit protocol is hit.

Validation is not what is tested here, so the KG copy has a one-shape
``shapes.ttl``: an add then takes well under a second.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support import LIGHT_SHAPES, REPO, new_source_with_company
from zonegraph import open_kg
from zonegraph.kgdir import journal as _fsio

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() and SIGKILL")


FACTS = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .

zgr:crash-test-tenant a zg:Company ;
    rdfs:label "Crash Test Tenant"@en ;
    zg:locatedIn zgr:sino-german-ecopark ;
    dct:source zgs:chinadaily-2018-06-10 .
"""

NEW_SOURCE = new_source_with_company(
    "crash-test-source", "A crash test article", "crash-test-company", "Crash Test Company"
)


def kg_state(root: Path) -> dict[str, bytes]:
    """Every file of kg/ (the lock file aside), byte for byte."""
    return {
        p.name: p.read_bytes()
        for p in sorted((root / "kg").iterdir())
        if p.is_file() and p.name != _fsio.LOCK_NAME
    }


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A pristine KG copy, the two input files, and the states before and after the add."""
    base = tmp_path_factory.mktemp("crash")
    pristine = base / "pristine"
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, pristine / part)
    (pristine / "ontology" / "shapes.ttl").write_text(LIGHT_SHAPES, encoding="utf-8")
    inputs = [base / "facts.ttl", base / "new-source.ttl"]
    inputs[0].write_text(FACTS, encoding="utf-8")
    inputs[1].write_text(NEW_SOURCE, encoding="utf-8")
    reference = base / "reference"
    shutil.copytree(pristine, reference)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "zonegraph", "--kg", str(reference), "add", *map(str, inputs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    before, after = kg_state(pristine), kg_state(reference)
    assert set(after) - set(before) == {"crash-test-source.ttl"}
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"chinadaily-2018-06-10.ttl"}, "the add must touch two files"
    return {
        "pristine": pristine,
        "inputs": inputs,
        "before": before,
        "after": after,
        "duration": duration,
        "work": base / "work",
    }


def _reset(setup: dict[str, Any]) -> Path:
    work: Path = setup["work"]
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(setup["pristine"], work)
    return work


def _assert_whole(setup: dict[str, Any], work: Path) -> str:
    """Open the KG (which recovers), then check it holds the state before or after."""
    kg = open_kg(work)  # parses every KG file, after recovering an interrupted change
    assert len(kg) > 0
    state = kg_state(work)
    leftovers = [n for n in state if n.endswith(".tmp") or n.startswith(_fsio.JOURNAL_NAME)]
    assert not leftovers, f"left behind: {leftovers}"
    if state == setup["before"]:
        return "before"
    if state == setup["after"]:
        return "after"
    mixed = sorted(
        n for n in set(state) | set(setup["after"]) if state.get(n) != setup["after"].get(n)
    )
    raise AssertionError(f"a mix of before and after: {mixed} differ from the state after")


def _wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Return as soon as *path* exists, the process ends, or *timeout* passes."""
    end = time.monotonic() + timeout
    while not path.exists() and process.poll() is None and time.monotonic() < end:
        time.sleep(0.0005)


def test_sigkill_at_random_moments(setup: dict[str, Any]) -> None:
    rng = random.Random(20260611)
    duration: float = setup["duration"]
    seen: dict[str, int] = {"before": 0, "after": 0, "mid-commit": 0}
    for i in range(30):
        work = _reset(setup)
        command = ["add", *map(str, setup["inputs"])]
        process = subprocess.Popen(
            [sys.executable, "-m", "zonegraph", "--kg", str(work), *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if i % 3 == 0:  # anywhere in the run
            time.sleep(rng.uniform(0, duration))
        else:  # in the commit: once the journal exists, within a few milliseconds
            _wait_for(work / "kg" / _fsio.JOURNAL_NAME, process, timeout=3 * duration + 5)
            time.sleep(rng.uniform(0, 0.004))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if (work / "kg" / _fsio.JOURNAL_NAME).exists():
            seen["mid-commit"] += 1
        seen[_assert_whole(setup, work)] += 1
    assert seen["before"] + seen["after"] == 30
    print(
        f"30 kills: {seen['before']} before the commit, {seen['after']} after it; "
        f"{seen['mid-commit']} interrupted a commit and were recovered"
    )


def _count_steps(
    counter: list[int], limit: int
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            counter[0] += 1
            if counter[0] == limit:
                os._exit(77)  # die here: no cleanup, no finally blocks
            return result

        return step

    return wrap


def _add_in_child(work: Path, inputs: list[Path], limit: int, report: int) -> int:
    """Fork; the child runs the add, dying right after its *limit*-th file-system step."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            kg = open_kg(work)
            counter = [0]
            wrap = _count_steps(counter, limit)
            os.fsync, os.replace, os.unlink = wrap(os.fsync), wrap(os.replace), wrap(os.unlink)
            result = kg.add(inputs)
            os.write(report, f"{counter[0]}\n".encode())
            code = 0 if result.added else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_crash_after_every_step(setup: dict[str, Any]) -> None:
    read, write = os.pipe()
    work = _reset(setup)
    assert _add_in_child(work, setup["inputs"], limit=-1, report=write) == 0
    os.close(write)
    with os.fdopen(read) as pipe:
        steps = int(pipe.read().strip())
    assert _assert_whole(setup, work) == "after"
    assert steps >= 10, "the commit has its fsyncs, renames and unlinks"
    outcomes = []
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        for limit in range(1, steps + 1):
            work = _reset(setup)
            assert _add_in_child(work, setup["inputs"], limit=limit, report=sink) == 77
            outcomes.append(_assert_whole(setup, work))
    finally:
        os.close(sink)
    print(f"{steps} steps: crash outcomes {outcomes}")
    # Early crashes roll back, late ones roll forward, and once committed it stays so.
    assert outcomes[0] == "before" and outcomes[-1] == "after"
    assert outcomes == sorted(outcomes, key=["before", "after"].index)


def test_a_damaged_journal_is_discarded(tmp_path: Path) -> None:
    (tmp_path / _fsio.JOURNAL_NAME).write_text("{not json", encoding="utf-8")
    assert _fsio.recover(tmp_path) == "discarded an unreadable journal"
    assert not (tmp_path / _fsio.JOURNAL_NAME).exists()


def test_write_files_keeps_permissions_and_leaves_nothing_behind(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text("old a", encoding="utf-8")
    a.chmod(0o640)
    _fsio.write_files({a: "new a", b: "new b"})
    assert a.read_text(encoding="utf-8") == "new a" and b.read_text(encoding="utf-8") == "new b"
    assert a.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [_fsio.LOCK_NAME, "a.ttl", "b.ttl"]


def test_an_error_while_staging_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text("old a", encoding="utf-8")
    b.write_text("old b", encoding="utf-8")
    real = _fsio._write_synced
    calls = []

    def failing(path: Path, text: str, **kwargs: Any) -> None:
        calls.append(path)
        if len(calls) == 3:  # the journal, the first file, then the second fails
            raise OSError(28, "No space left on device")
        real(path, text, **kwargs)

    monkeypatch.setattr(_fsio, "_write_synced", failing)
    with pytest.raises(OSError, match="No space"):
        _fsio.write_files({a: "new a", b: "new b"})
    assert a.read_text(encoding="utf-8") == "old a" and b.read_text(encoding="utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == [_fsio.LOCK_NAME, "a.ttl", "b.ttl"]


def test_a_change_can_remove_files_too(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text("old a", encoding="utf-8")
    b.write_text("old b", encoding="utf-8")
    _fsio.write_files({a: "new a", b: None})
    assert a.read_text(encoding="utf-8") == "new a" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [_fsio.LOCK_NAME, "a.ttl"]


def test_a_committed_journal_is_finished_on_recovery(tmp_path: Path) -> None:
    """The state a crash right after the commit point leaves, finished by the next reader."""
    (tmp_path / "kg").mkdir()
    target, gone = tmp_path / "kg" / "a.ttl", tmp_path / "kg" / "b.ttl"
    target.write_text("old", encoding="utf-8")
    gone.write_text("old", encoding="utf-8")
    staged = tmp_path / "kg" / ".a.ttl.0.tmp"
    staged.write_text("new", encoding="utf-8")
    _fsio._write_journal(tmp_path / "kg", "committed", [(staged, target), (None, gone)])
    with _fsio.reading(tmp_path / "kg"):
        assert target.read_text(encoding="utf-8") == "new"
    assert not gone.exists() and not staged.exists()
    assert not (tmp_path / "kg" / _fsio.JOURNAL_NAME).exists()
