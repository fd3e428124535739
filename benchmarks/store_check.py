"""Whole-graph validation: pySHACL against the shapes run as SPARQL inside the store.

    .venv/bin/python benchmarks/store_check.py                # 10k, 100k and 1M triples
    BENCH_SIZES=10000 .venv/bin/python benchmarks/store_check.py

For each size, a generated graph with known violations (zonegraph synth, seed 1,
invalid fraction 0.02, under benchmarks/data/), times the SHACL part of ``zonegraph
check`` (``KnowledgeGraph.check`` without its check queries and consistency check):

- pySHACL over the validation graph (``--engine pyshacl``, the memory store's default),
  once, in a child process bounded by BENCH_TIMEOUT (a lower bound when it times out);
- the SPARQL engine (validate/sparql_shacl.py) on the memory store (rdflib's SPARQL);
- the SPARQL engine on the Oxigraph store (oxigraph:DIR, loaded here; its default);
- the same store behind ``oxigraph serve`` (``sparql-union:URL``, tests/servers), skipped
  with BENCH_SERVER=0 or when the ``oxigraph`` command is absent.

pySHACL is not run above BENCH_PYSHACL_MAX triples (default: every size).

It prints a table (and whether the results are the same as pySHACL's, where pySHACL
finished) and writes benchmarks/results/store-check.md. Not a test: nothing here asserts.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench import DATA, RESULTS, SLOW_TIMEOUT, in_child  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
PYSHACL_MAX = int(os.environ.get("BENCH_PYSHACL_MAX", str(max(SIZES))))
SERVER = os.environ.get("BENCH_SERVER", "1") != "0"
#: The memory store's SPARQL (rdflib) is skipped above this size: minutes, and not a default.
MEMORY_SPARQL_MAX = int(os.environ.get("BENCH_MEMORY_SPARQL_MAX", "10000"))


def _keys(results: list[Any]) -> set[tuple[object, ...]]:
    from rdflib import Literal

    def term(n: object) -> object:
        return (n.datatype, n.value) if isinstance(n, Literal) and n.value is not None else n

    return {
        (r.severity, r.focus_node, r.path, term(r.value), r.constraint, r.source_shape)
        for r in results
    }


def graph(n: int) -> Path:
    from zonegraph.authoring.synth import synthesize

    kgdir = DATA / f"kg-check-{n}"
    if not kgdir.exists():
        synthesize(kgdir, triples=n, seed=1, invalid_fraction=0.02)
    for part in ("ontology", "queries"):  # the project's current shapes and queries
        shutil.rmtree(kgdir / part, ignore_errors=True)
        shutil.copytree(ROOT / part, kgdir / part)
    return kgdir


def shacl(kg: Any, engine: str, log: list[tuple[float, int, str]] | None = None) -> list[Any]:
    """The SHACL results ``check`` reports with *engine* (what KnowledgeGraph.check runs);
    with *log*, each of the SPARQL engine's queries is timed into it (seconds, rows, text):
    ``_kg_check._check_in_store`` with its select wrapped."""
    from zonegraph.validate.shacl import results_from_report, run_pyshacl

    if engine == "pyshacl":
        return results_from_report(run_pyshacl(kg._validation_graph(), kg.shapes))
    from zonegraph import _kg_check
    from zonegraph.validate import in_store

    select = _kg_check._select(kg)

    def timed(text: str) -> list[Any]:
        start = time.perf_counter()
        rows = select(text)
        if log is not None:
            log.append((time.perf_counter() - start, len(rows), text))
        return rows

    results, _notes = in_store.results(
        kg.shapes, kg.vocabulary, timed, kg._validation_graph, allow_network=kg.allow_network
    )
    return list(results)


def profile(log: list[tuple[float, int, str]], top: int = 12) -> str:
    """The slowest queries of one run, as a Markdown table (prefixes and VALUES elided)."""
    import re

    lines = [
        f"{len(log)} queries, {sum(t for t, _, _ in log):.1f} s in the store.\n",
        "| time | rows | query (start) |",
        "|---|---|---|",
    ]
    for took, rows, text in sorted(log, key=lambda x: -x[0])[:top]:
        body = re.sub(r"PREFIX [^\n]*\n", "", text)
        body = re.sub(r"VALUES \?this \{[^}]*\}", "VALUES ?this {...}", body)
        body = re.sub(r"<[^>]*[#/]([^>#/]+)>", r"\1", " ".join(body.split()))
        lines.append(f"| {took:.2f} s | {rows} | `{body[:150].replace('|', chr(92) + '|')}` |")
    return "\n".join(lines)


def measure(n: int, work: Path) -> dict[str, Any]:
    from zonegraph import open_kg
    from zonegraph._load import load
    from zonegraph.store.oxigraph import OxigraphStore

    kgdir = graph(n)
    kg = open_kg(kgdir)
    row: dict[str, Any] = {"size": n}
    py: list[str] | None = None
    if n <= PYSHACL_MAX:
        t_py, py = in_child(
            lambda: sorted(map(repr, _keys(shacl(kg, "pyshacl")))),
            SLOW_TIMEOUT,
        )
        row["pyshacl"] = t_py
        if t_py is None:  # timed out (or failed): nothing to compare with
            py = None
    if n <= MEMORY_SPARQL_MAX:
        t = time.perf_counter()
        mem = shacl(kg, "sparql")
        row["memory"] = time.perf_counter() - t
        row["memory_same"] = None if py is None else sorted(map(repr, _keys(mem))) == py
    where = work / f"ox-{n}"
    ox = open_kg(kgdir, store=OxigraphStore(where))
    try:
        t = time.perf_counter()
        load(ox)
        row["load"] = time.perf_counter() - t
        t = time.perf_counter()
        log: list[tuple[float, int, str]] = []
        oxr = shacl(ox, "sparql", log)
        row["oxigraph"] = time.perf_counter() - t
        row["profile"] = profile(log)
        row["results"] = len(oxr)
        row["oxigraph_same"] = None if py is None else sorted(map(repr, _keys(oxr))) == py
    finally:
        ox.store.close()
    if SERVER:
        row.update(server(kgdir, where, _keys(oxr)))
    return row


def server(kgdir: Path, where: Path, expected: set[tuple[object, ...]]) -> dict[str, Any]:
    """``check``'s SHACL part through ``oxigraph serve`` on the store just measured."""
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import OxigraphServer, oxigraph_binary  # type: ignore[import-not-found]
    from zonegraph import open_kg
    from zonegraph.store.base import open_store

    if oxigraph_binary() is None:
        return {}
    with OxigraphServer(where, union_default_graph=True) as srv:
        kg = open_kg(kgdir, store=open_store(f"sparql-union:{srv.query_url}"))
        t = time.perf_counter()
        got = shacl(kg, "sparql")
        return {"server": time.perf_counter() - t, "server_same": _keys(got) == expected}


def fmt(t: float | None) -> str:
    return f"> {SLOW_TIMEOUT:.0f} s" if t is None else f"{t:.1f} s"


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            print(f"== {n} triples", flush=True)
            rows.append(measure(n, Path(tmp)))
            print({k: v for k, v in rows[-1].items() if k != "profile"}, flush=True)
    head = (
        "| size | results | pySHACL | SPARQL, memory store | SPARQL, Oxigraph | "
        "pySHACL / Oxigraph | Oxigraph server (sparql-union) | server / embedded | "
        "same results |\n|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    same = {True: "yes", False: "NO", None: "pySHACL did not finish"}
    for r in rows:
        if "pyshacl" not in r:
            py, ratio = "not run (above BENCH_PYSHACL_MAX)", "-"
        elif r["pyshacl"] is None:
            py, ratio = fmt(None), f"> {SLOW_TIMEOUT / r['oxigraph']:.1f}x (lower bound)"
        else:
            py, ratio = fmt(r["pyshacl"]), f"{r['pyshacl'] / r['oxigraph']:.1f}x"
        mem = fmt(r["memory"]) if "memory" in r else "not run (above BENCH_MEMORY_SPARQL_MAX)"
        mem_same = f", memory {same[r['memory_same']]}" if "pyshacl" in r and "memory" in r else ""
        srv, srv_ratio, srv_same = "not run", "-", ""
        if "server" in r:
            srv, srv_ratio = fmt(r["server"]), f"{r['server'] / r['oxigraph']:.2f}x"
            srv_same = f", server as embedded: {'yes' if r['server_same'] else 'NO'}"
        vs_py = same[r.get("oxigraph_same")] if "pyshacl" in r else "pySHACL not run"
        lines.append(
            f"| {r['size']:,} | {r['results']} | {py} | {mem} | {fmt(r['oxigraph'])} | "
            f"{ratio} | {srv} | {srv_ratio} | Oxigraph {vs_py}{mem_same}{srv_same} |"
        )
    table = "\n".join(lines)
    print(table)
    goals = verdicts(rows)
    print(goals)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "store-check.md").write_text(
        f"# Whole-graph SHACL: pySHACL against SPARQL in the store\n\n"
        f"`benchmarks/store_check.py`, {when}, load average at the end {load} (2 cores, "
        f"shared), sizes {', '.join(map(str, SIZES))} "
        f"(zonegraph synth, seed 1, invalid fraction 0.02); the SHACL part of `check` only "
        f"(not its check queries or consistency check); pySHACL once, in a child process, "
        f"bounded by {SLOW_TIMEOUT:.0f} s; the SPARQL engine once.\n\n{table}\n\n"
        f"## Goals (issue 17, at the largest size)\n\n{goals}\n\n"
        f"## Slowest queries at {rows[-1]['size']:,} triples (Oxigraph, this run)\n\n"
        f"{rows[-1]['profile']}\n",
        encoding="utf-8",
    )


def verdicts(rows: list[dict[str, Any]]) -> str:
    """Met / not met for each of issue 17's goals for ``check``, at the largest size."""
    r = rows[-1]
    n, ox = r["size"], r["oxigraph"]
    lines = ["| goal | measured | verdict |", "|---|---|---|"]

    def add(goal: str, measured: str, met: bool | None) -> None:
        verdict = "unknown" if met is None else ("met" if met else "not met")
        lines.append(f"| {goal} | {measured} | {verdict} |")

    add(f"under 30 s at {n:,} triples (Oxigraph)", f"{ox:.1f} s", ox < 30)
    if "pyshacl" not in r:
        add("at least 20x pySHACL", "pySHACL not run at this size", None)
    elif r["pyshacl"] is None:
        bound = SLOW_TIMEOUT / ox
        add("at least 20x pySHACL", f"> {bound:.1f}x (timeout, lower bound)", bound >= 20 or None)
    else:
        add("at least 20x pySHACL", f"{r['pyshacl'] / ox:.1f}x", r["pyshacl"] / ox >= 20)
    if r.get("oxigraph_same") is not None:
        add("same results as pySHACL", "compared", bool(r["oxigraph_same"]))
    if "server" in r:
        add(
            "sparql-union server within 2x of embedded",
            f"{r['server']:.1f} s ({r['server'] / ox:.2f}x)",
            r["server"] <= 2 * ox and bool(r["server_same"]),
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
