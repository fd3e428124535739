"""The default (memory) store against the Oxigraph store, and `load` against Oxigraph alone
(issue 17, items 3 and 5).

    python benchmarks/default_store.py                       # 200k triples, seed 1
    python benchmarks/default_store.py --triples 20000 --timeout 60

Generates ``zonegraph synth --triples N --seed 1`` into a temporary KG directory, then
measures, each in a fresh process (CPU time, user + system, from wait4, so that other
work on a shared machine barely changes the figures; and the wall time):

- **load**: ``zonegraph --store oxigraph:DIR load`` against the baseline, Oxigraph alone
  on the same files in the same run: each file parsed by ``pyoxigraph.parse`` into its
  named graph and the quads handed to one ``Store.bulk_extend`` (``bulk_load`` called
  once per file is far slower: 146 s at 200k, each call a bulk load of its own), then
  ``Store.optimize()``, the compaction Oxigraph advises after a batch upload, which ``load``
  does too (queries on the compacted store ran 2.5-3x faster at 1M). Goal: within 1.5x.
- **commands**: ``stats``, three canned queries, ``export -f turtle``, ``validate`` of a
  small batch and ``check``, on the memory store (the parsed-file cache warmed first,
  as after any earlier command) against ``--store oxigraph:DIR`` (after ``load``).
  Goal: the memory store within 2x of the Oxigraph store. A command cut by --timeout
  gives a lower bound (">").

The memory store is measured with Oxigraph's in-memory engine, the default
(``$ZONEGRAPH_MEMORY_ENGINE=oxigraph``: docs/performance.md, "Start-up");
``--memory-engine rdflib`` measures rdflib's Dataset instead.

Writes benchmarks/results/default-store-N.md and .json with met / not met per row, and the
load average when the run started and ended (``os.getloadavg``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
ZG = [PY, "-m", "zonegraph", "-q"]
BATCH = REPO / "tests" / "data" / "valid" / "company-in-park.ttl"

OXIGRAPH_ALONE = """
import sys, pathlib, pyoxigraph as ox
store = ox.Store(sys.argv[2])
quads = []
for p in sorted(pathlib.Path(sys.argv[1]).glob('*.ttl')):
    g = ox.NamedNode('https://w3id.org/zonegraph/source/' + p.stem)
    quads.extend(ox.Quad(q.subject, q.predicate, q.object, g)
                 for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE,
                                   rename_blank_nodes=True))
store.bulk_extend(quads)
store.flush()
store.optimize()
print(len(store))
"""

COMMANDS: list[tuple[str, list[str]]] = [
    ("stats", ["stats"]),
    ("query countries-with-most-parks", ["query", "countries-with-most-parks"]),
    ("query data-gaps", ["query", "data-gaps"]),
    ("query search-labels text=park", ["query", "search-labels", "-p", "text=park"]),
    ("export -f turtle", ["export", "-f", "turtle"]),
    ("validate (small batch)", ["validate", str(BATCH)]),
    ("check", ["check"]),
]


def measure(args: list[str], timeout: float, env: dict[str, str]) -> tuple[float, float, bool]:
    """CPU seconds (user + system), wall seconds, and whether it finished within *timeout*."""
    started = time.monotonic()
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO
    )
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout:
            os.kill(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            return usage.ru_utime + usage.ru_stime, time.monotonic() - started, False
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    code = proc.returncode
    if code not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} exited {code}: {err[-2000:]}")
    return usage.ru_utime + usage.ru_stime, time.monotonic() - started, True


def row(name: str, ours: tuple[float, float, bool], base: tuple[float, float, bool], goal: float):
    ratio = ours[0] / base[0] if base[0] else float("inf")
    finished = ours[2] and base[2]
    return {
        "what": name,
        "cpu_s": round(ours[0], 2),
        "baseline_cpu_s": round(base[0], 2),
        "wall_s": round(ours[1], 2),
        "baseline_wall_s": round(base[1], 2),
        "ratio": round(ratio, 2),
        "lower_bound": not ours[2],
        "baseline_cut": not base[2],  # then no ratio can be told
        "goal": goal,
        "met": bool(finished and ratio <= goal),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=300.0, help="per command, seconds")
    parser.add_argument("--skip", action="append", default=[], help="a command to leave out")
    parser.add_argument("--src", help="run zonegraph from this src/ (e.g. an older checkout's)")
    parser.add_argument("--label", default="", help="added to the result files' names")
    parser.add_argument(
        "--memory-engine",
        choices=["oxigraph", "rdflib"],
        default="oxigraph",
        help="the memory store's engine ($ZONEGRAPH_MEMORY_ENGINE)",
    )
    opts = parser.parse_args()
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="zg-default-store-"))
    env = {
        **os.environ,
        "ZONEGRAPH_CACHE_DIR": str(work / "cache"),
        "ZONEGRAPH_MEMORY_ENGINE": opts.memory_engine,
    }
    if opts.src:
        env["PYTHONPATH"] = opts.src
    kg = work / "kg-dir"
    try:
        subprocess.run(
            [*ZG, "synth", "--triples", str(opts.triples), "--seed", "1", "-o", str(kg)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        rows = []
        base = measure([PY, "-c", OXIGRAPH_ALONE, str(kg / "kg"), str(work / "alone")], 900, env)
        ours = measure(
            [*ZG, "--kg", str(kg), "--store", f"oxigraph:{work / 'db'}", "load"], 900, env
        )
        rows.append(row("load vs Oxigraph alone (parse + bulk_extend + optimize)", ours, base, 1.5))
        print(_line(rows[-1]), flush=True)
        # the first command on the memory store fills the parsed-file cache (a cold open)
        cold = measure([*ZG, "--kg", str(kg), "stats"], opts.timeout, env)
        print(
            f"first open on the memory store (cold cache), stats: {cold[0]:.1f} s CPU", flush=True
        )
        for name, args in COMMANDS:
            if name.split()[0] in opts.skip:
                continue
            oxi = measure(
                [*ZG, "--kg", str(kg), "--store", f"oxigraph:{work / 'db'}", *args],
                opts.timeout,
                env,
            )
            mem = measure([*ZG, "--kg", str(kg), *args], opts.timeout, env)
            rows.append(row(f"{name}: memory vs oxigraph", mem, oxi, 2.0))
            print(_line(rows[-1]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    loads = (load_before, os.getloadavg())
    _write(rows, f"{opts.triples}{opts.label}", opts.triples, cold[0], opts.memory_engine, loads)


def _line(r: dict[str, object]) -> str:
    bound = ">" if r["lower_bound"] else ""
    return (
        f"{r['what']:58s} {bound}{r['cpu_s']:>8} s  baseline {r['baseline_cpu_s']:>8} s  "
        f"ratio {bound}{r['ratio']:>6}  goal {r['goal']}x  {'met' if r['met'] else 'NOT MET'}"
    )


def _write(
    rows: list[dict[str, object]],
    name: str,
    triples: int,
    cold: float,
    engine: str,
    loads: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> None:
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"default-store-{name}"
    summary = {
        "triples": triples,
        "memory_engine": engine,
        "load_average_start_end": [list(loads[0]), list(loads[1])],
        "cold_open_stats_cpu_s": cold,
        "rows": rows,
    }
    stem.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    shown = " -> ".join(", ".join(f"{x:.2f}" for x in load) for load in loads)
    lines = [
        f"# The default store and load at {triples:,} triples (benchmarks/default_store.py)",
        "",
        "CPU seconds (user + system) of a fresh process per command; the baseline measured "
        "in the same run. A '>' is a lower bound (cut at --timeout).",
        f"The memory store's engine: {engine}. Load average (1, 5, 15 min) at the start and "
        f"the end: {shown}.",
        "",
        "| what | CPU s | baseline CPU s | wall s | baseline wall s | ratio | goal | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        bound = ">" if r["lower_bound"] else ""
        lines.append(
            f"| {r['what']} | {bound}{r['cpu_s']} | {r['baseline_cpu_s']} | {r['wall_s']} | "
            f"{r['baseline_wall_s']} | {bound}{r['ratio']} | {r['goal']}x | "
            f"{'met' if r['met'] else 'not met'}"
            f"{' (the baseline was cut too: no ratio)' if r['baseline_cut'] else ''} |"
        )
    lines += [
        "",
        f"First command on the memory store (cold parsed-file cache), stats: {cold:.1f} s CPU.",
        "",
    ]
    stem.with_suffix(".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
