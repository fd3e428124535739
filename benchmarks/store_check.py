"""Whole-graph validation: pySHACL against the shapes run as SPARQL inside the store.

    .venv/bin/python benchmarks/store_check.py                # 10k and 100k triples
    BENCH_SIZES=10000 .venv/bin/python benchmarks/store_check.py

For each size, a generated graph with known violations (zonegraph synth, seed 1,
invalid fraction 0.02, under benchmarks/data/), times the SHACL part of ``zonegraph
check`` (``KnowledgeGraph.check`` without its check queries and consistency check):

- pySHACL over the validation graph (``--engine pyshacl``, the memory store's default),
  once, in a child process bounded by BENCH_TIMEOUT (a lower bound when it times out);
- the SPARQL engine (validate/sparql_shacl.py) on the memory store (rdflib's SPARQL);
- the SPARQL engine on the Oxigraph store (oxigraph:DIR, loaded here; its default).

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

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
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


def shacl(kg: Any, engine: str) -> list[Any]:
    """The SHACL results ``check`` reports with *engine* (what KnowledgeGraph.check runs)."""
    from zonegraph.validate.shacl import results_from_report, run_pyshacl

    if engine == "pyshacl":
        return results_from_report(run_pyshacl(kg._validation_graph(), kg.shapes))
    from zonegraph._kg_check import _check_in_store

    results, _notes = _check_in_store(kg)
    return list(results)


def measure(n: int, work: Path) -> dict[str, Any]:
    from zonegraph import open_kg
    from zonegraph._load import load
    from zonegraph.store.oxigraph import OxigraphStore

    kgdir = graph(n)
    kg = open_kg(kgdir)
    row: dict[str, Any] = {"size": n}
    t_py, py = in_child(
        lambda: sorted(map(repr, _keys(shacl(kg, "pyshacl")))),
        SLOW_TIMEOUT,
    )
    row["pyshacl"] = t_py
    if n <= MEMORY_SPARQL_MAX:
        t = time.perf_counter()
        mem = shacl(kg, "sparql")
        row["memory"] = time.perf_counter() - t
        row["memory_same"] = None if t_py is None else sorted(map(repr, _keys(mem))) == py
    ox = open_kg(kgdir, store=OxigraphStore(work / f"ox-{n}"))
    try:
        t = time.perf_counter()
        load(ox)
        row["load"] = time.perf_counter() - t
        t = time.perf_counter()
        oxr = shacl(ox, "sparql")
        row["oxigraph"] = time.perf_counter() - t
        row["results"] = len(oxr)
        row["oxigraph_same"] = None if t_py is None else sorted(map(repr, _keys(oxr))) == py
    finally:
        ox.store.close()
    return row


def fmt(t: float | None) -> str:
    return f"> {SLOW_TIMEOUT:.0f} s" if t is None else f"{t:.1f} s"


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            print(f"== {n} triples", flush=True)
            rows.append(measure(n, Path(tmp)))
            print(rows[-1], flush=True)
    head = (
        "| size | results | pySHACL | SPARQL, memory store | SPARQL, Oxigraph | "
        "pySHACL / Oxigraph | same results |\n|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        ratio = (
            f"> {SLOW_TIMEOUT / r['oxigraph']:.1f}x (lower bound)"
            if r["pyshacl"] is None
            else f"{r['pyshacl'] / r['oxigraph']:.1f}x"
        )
        same = {True: "yes", False: "NO", None: "pySHACL did not finish"}
        mem = fmt(r["memory"]) if "memory" in r else "not run (above BENCH_MEMORY_SPARQL_MAX)"
        mem_same = f", memory {same[r['memory_same']]}" if "memory_same" in r else ""
        lines.append(
            f"| {r['size']:,} | {r['results']} | {fmt(r['pyshacl'])} | {mem} | "
            f"{fmt(r['oxigraph'])} | {ratio} | Oxigraph {same[r['oxigraph_same']]}{mem_same} |"
        )
    table = "\n".join(lines)
    print(table)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "store-check.md").write_text(
        f"# Whole-graph SHACL: pySHACL against SPARQL in the store\n\n"
        f"`benchmarks/store_check.py`, {when}, sizes {', '.join(map(str, SIZES))} "
        f"(zonegraph synth, seed 1, invalid fraction 0.02); the SHACL part of `check` only "
        f"(not its check queries or consistency check); pySHACL once, in a child process, "
        f"bounded by {SLOW_TIMEOUT:.0f} s; the SPARQL engine once.\n\n{table}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
