"""Time every canned query on an on-disk Oxigraph store, through zonegraph's own path.

    .venv/bin/python benchmarks/queries.py --kg benchmarks/data/kg-100000 --store /tmp/ox100
    .venv/bin/python benchmarks/queries.py --kg benchmarks/data/kg-1000000 --store /tmp/ox1m \\
        --rdflib --rdflib-timeout 60 --only disagreements,latest-figures

Each query runs with its default parameters, the shipped entities mapped to the
synthetic ones (zonegraph.authoring.synth_vocab.COUNTERPARTS, as in bench.py); required
parameters without a default get REQUIRED_PARAMETERS. The queries are read from
--queries (the project's queries/ by default, not the KG directory's copy), so
edited queries are timed.
The store is opened read-only; with --in-memory its quads are copied into
pyoxigraph's in-memory store first, to show what the on-disk store (RocksDB)
costs. Prints a table: name, median seconds (of --runs),
rows; with --rdflib also rdflib's time on the same KG directory (in a forked
child, killed after --rdflib-timeout seconds) and whether the row counts agree.
Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from zonegraph.authoring.synth_vocab import COUNTERPARTS, REQUIRED_PARAMETERS  # noqa: E402


def params_for(q: Any, synthetic: bool) -> dict[str, str] | None:
    """The parameters to run *q* with; None when a required one has no value."""
    out: dict[str, str] = {}
    extra = REQUIRED_PARAMETERS.get(q.name, {}) if synthetic else {}
    for p in q.params:
        if p.name in extra:
            out[p.name] = extra[p.name]
        elif p.default is not None:
            out[p.name] = COUNTERPARTS.get(p.default, p.default) if synthetic else p.default
        elif p.required:
            return None
    return out


def median_time(fn: Any, runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def in_child(fn: Any, timeout: float) -> tuple[float | None, Any]:
    """Run *fn* once in a forked child; (None, "timeout") when it takes too long."""
    ctx = mp.get_context("fork")
    queue: Any = ctx.Queue()

    def run() -> None:
        try:
            t = time.perf_counter()
            out = fn()
            queue.put((time.perf_counter() - t, out))
        except Exception as exc:  # report, do not hang
            queue.put((None, f"error: {exc}"))

    proc = ctx.Process(target=run)
    proc.start()
    deadline = time.monotonic() + timeout
    result: tuple[float | None, Any] = (None, "timeout")
    while time.monotonic() < deadline:
        try:
            result = queue.get(timeout=0.2)
            break
        except Exception:
            if not proc.is_alive() and queue.empty():
                result = (None, "error")
                break
    if proc.is_alive():
        proc.kill()
    proc.join()
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--kg", default=str(HERE / "data" / "kg-100000"), help="KG directory")
    ap.add_argument("--store", default="/tmp/ox100", help="on-disk Oxigraph store directory")
    ap.add_argument("--queries", default=str(ROOT / "queries"), help="queries directory to time")
    ap.add_argument("--runs", type=int, default=3, help="runs per query (median)")
    ap.add_argument("--only", default="", help="comma-separated query names")
    ap.add_argument("--skip", default="", help="comma-separated query names not to run")
    ap.add_argument(
        "--shipped", action="store_true", help="shipped defaults (no synthetic mapping)"
    )
    ap.add_argument(
        "--in-memory",
        action="store_true",
        help="copy the store into an in-memory pyoxigraph Store first (what RocksDB costs)",
    )
    ap.add_argument("--rdflib", action="store_true", help="also time rdflib on the KG directory")
    ap.add_argument("--rdflib-timeout", type=float, default=60.0)
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)

    import zonegraph
    from zonegraph.sparql.catalogue import Catalogue
    from zonegraph.store.oxigraph import OxigraphStore

    t = time.perf_counter()
    store = OxigraphStore(args.store, read_only=True)
    if args.in_memory:  # the same quads in pyoxigraph's in-memory store, behind the same class
        import pyoxigraph as ox

        memory = ox.Store()
        memory.bulk_extend(store._store.quads_for_pattern(None, None, None, None))
        store._open = memory
    kg = zonegraph.open_kg(args.kg, store=store)
    catalogue = Catalogue(Path(args.queries))
    kg.catalogue = catalogue
    print(f"# opened {args.store} in {time.perf_counter() - t:.2f} s; queries from {args.queries}")
    rdf_kg = None
    if args.rdflib:
        t = time.perf_counter()
        rdf_kg = zonegraph.open_kg(args.kg)
        rdf_kg.catalogue = catalogue
        print(f"# rdflib: loaded {args.kg} in {time.perf_counter() - t:.1f} s")

    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    results = []
    header = f"{'query':32} {'oxigraph s':>11} {'rows':>7}"
    if rdf_kg is not None:
        header += f" {'rdflib s':>10} {'rows':>7} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for q in sorted(catalogue, key=lambda q: q.name):
        if (only and q.name not in only) or q.name in skip:
            continue
        params = params_for(q, synthetic=not args.shipped)
        if params is None:
            print(f"{q.name:32} {'(required parameter, skipped)':>19}")
            continue
        try:
            secs, res = median_time(lambda: kg.query(q.name, params), args.runs)  # noqa: B023
            rows: Any = len(res.rows) if res.kind == "SELECT" else len(res.graph or ())
        except Exception as exc:
            secs, rows = float("nan"), f"error: {exc}"
        line = f"{q.name:32} {secs:11.4f} {rows!s:>7}"
        entry: dict[str, Any] = {
            "query": q.name,
            "oxigraph_s": secs,
            "rows": rows,
            "params": params,
        }
        if rdf_kg is not None:
            r_secs, r_rows = in_child(
                lambda: len(rdf_kg.query(q.name, params).rows),  # noqa: B023
                args.rdflib_timeout,
            )
            if r_secs is None:
                line += f" {'>' + format(args.rdflib_timeout, 'g'):>10} {r_rows!s:>7}"
                ratio = f">{args.rdflib_timeout / secs:.0f}" if secs == secs and secs > 0 else ""
            else:
                ratio = f"{r_secs / secs:.0f}" if secs == secs and secs > 0 else ""
                line += f" {r_secs:10.3f} {r_rows!s:>7}"
            line += f" {ratio:>8}"
            if r_secs is not None and r_rows != rows:
                line += "  **rows differ**"
            entry.update(rdflib_s=r_secs, rdflib_rows=r_rows)
        print(line, flush=True)
        results.append(entry)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
