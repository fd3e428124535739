"""zonegraph benchmarks: the fast paths against plain rdflib / pyshacl / owlrl, same run.

    make bench                              # 10k and 100k triples
    BENCH_SIZES=10000,100000,1000000 make bench

Generates the data (zonegraph synth, seed 1) under benchmarks/data/, measures
each task (median of BENCH_RUNS runs for the fast paths; slow baselines once,
marked), and writes benchmarks/results/bench-<date>.md and .json with the
machine and the versions. Not a test: nothing here asserts.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SLOW_TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "300"))
PY = sys.executable
#: Parameter defaults that name shipped entities, mapped to their generated counterparts.
SYNTH_DEFAULTS = {
    "zgr:qingdao-iecz": "zgr:synth-0000000-zone",
    "zgr:sino-german-ecopark": "zgr:synth-0000000-park-0",
    "zgr:qingdao": "zgr:synth-0000000-city",
}


def timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def in_child(fn: Callable[[], Any], timeout: float = SLOW_TIMEOUT) -> tuple[float | None, Any]:
    """Run *fn* once in a forked child (which shares the loaded graphs); None on timeout."""
    ctx = mp.get_context("fork")
    q: mp.Queue[tuple[float, Any]] = ctx.Queue()

    def run() -> None:
        t = time.perf_counter()
        out = fn()
        q.put((time.perf_counter() - t, out))

    p = ctx.Process(target=run)
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()
        return None, "timeout"
    return q.get() if not q.empty() else (None, "error")


def peak_rss(code: str) -> float:
    """Peak resident memory (MB) of a child Python running *code* (ru_maxrss of the child)."""
    wrapper = f"{code}\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([PY, "-c", wrapper], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def bench_size(n: int) -> list[dict[str, Any]]:
    import pyoxigraph as ox
    from rdflib import Dataset, Graph, URIRef, Variable

    from zonegraph._catalogue import Catalogue
    from zonegraph._closure import fast_closure
    from zonegraph._kg import open_kg
    from zonegraph._namespaces import expand_curie
    from zonegraph._reason import owl_rl
    from zonegraph._synth import synthesize
    from zonegraph._validate import results_from_report, run_pyshacl

    rows: list[dict[str, Any]] = []

    def row(
        task: str,
        fast: float | None,
        base: float | None,
        goal: float | None = None,
        note: str = "",
        fast_name: str = "",
        base_name: str = "",
    ) -> None:
        ratio = base / fast if fast and base else None
        met = None if goal is None or ratio is None else ratio >= goal
        rows.append(
            {
                "size": n,
                "task": task,
                "fast_s": fast,
                "fast": fast_name,
                "baseline_s": base,
                "baseline": base_name,
                "ratio": ratio,
                "goal_ratio": goal,
                "met": met,
                "note": note,
            }
        )
        print(f"  {task}: {fast} vs {base} ({ratio and round(ratio, 1)}x) {note}", flush=True)

    kgdir, ttl = DATA / f"kg-{n}", DATA / f"synth-{n}.ttl"
    if not ttl.exists():
        synthesize(ttl, triples=n, seed=1)
    if not kgdir.exists():
        synthesize(kgdir, triples=n, seed=1)
    print(f"== {n} triples", flush=True)

    # loading
    t_ox, store = timed(lambda: _ox_load(ox, ttl))
    t_rdf, _g = in_child(lambda: len(Graph().parse(ttl, format="turtle")))
    row(
        "load Turtle",
        t_ox,
        t_rdf,
        20,
        fast_name="pyoxigraph Store.load",
        base_name="rdflib parse",
        note="baseline single run",
    )
    rdf = Dataset(default_union=True)
    rdf.default_graph.parse(ttl, format="turtle")

    # canned queries
    cat = Catalogue(ROOT / "queries")
    for q in sorted(cat, key=lambda q: q.name):
        binds: dict[str, Any] = {}
        skip = False
        for p in q.params:
            if p.default is None:
                skip = skip or p.required
                continue
            default = SYNTH_DEFAULTS.get(p.default, p.default)
            term = expand_curie(default) if ":" in default else None
            from rdflib import Literal

            binds[p.name] = term or Literal(default)
        if skip:
            continue
        text = f"{cat.prologue}\n{q.text}"
        subs = {
            ox.Variable(k): (ox.NamedNode(str(v)) if isinstance(v, URIRef) else ox.Literal(str(v)))
            for k, v in binds.items()
        }
        t_q, nrows = timed(
            lambda: len(
                list(store.query(text, substitutions=subs, use_default_graph_as_union=True))  # noqa: B023
            )
        )
        t_b, brows = in_child(
            lambda: len(rdf.query(text, initBindings={Variable(k): v for k, v in binds.items()}))  # noqa: B023
        )
        note = "baseline single run" + ("" if t_b is None else f"; rows {nrows} / rdflib {brows}")
        if t_b is None:
            note = f"rdflib: {brows} (limit {SLOW_TIMEOUT:.0f} s)"
        row(f"query {q.name}", t_q, t_b, 50, fast_name="pyoxigraph", base_name="rdflib", note=note)

    # validation: a 100-triple batch, incremental vs pyshacl on the whole graph
    kg = open_kg(kgdir)
    _ = kg.shapes, kg.plan
    batch = _batch(kgdir)
    t_inc, rep = timed(lambda: kg.validate([batch]))

    def whole() -> int:
        data = kg._validation_graph(extra=Graph().parse(batch, format="turtle"))
        return len(results_from_report(run_pyshacl(data, kg.shapes)))

    t_whole, _nres = in_child(whole, timeout=SLOW_TIMEOUT * 4)
    row(
        "validate 100-triple batch",
        t_inc,
        t_whole,
        100,
        fast_name="incremental (neighbourhood)",
        base_name="pyshacl whole graph + batch",
        note=f"baseline single run; {len(rep.results)} results",
    )
    row(
        "full check (pyshacl whole graph)",
        None,
        t_whole,
        None,
        base_name="pyshacl",
        note="single run" if t_whole else "timed out",
    )

    # closure
    union = kg.data()
    union += kg.ontology
    t_fast, added = timed(lambda: fast_closure(union, kg.ontology, kg.vocabulary), runs=1)
    if n <= 100_000:
        t_owl, inferred = in_child(lambda: len(owl_rl(union).inferred), timeout=SLOW_TIMEOUT * 4)
        note = f"fast {len(added)} triples, owlrl {inferred} (less noise); single runs"
    else:
        t_owl, note = None, "owlrl not run at this size (109 s at 100k in FIELD-NOTES)"
    row("closure", t_fast, t_owl, 20, fast_name="fast_closure", base_name="owlrl", note=note)

    # export
    t_dump, _ = timed(
        lambda: len(store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()))
    )
    t_ser, _ = in_child(lambda: len(rdf.default_graph.serialize(format="turtle")))
    row(
        "export Turtle",
        t_dump,
        t_ser,
        None,
        fast_name="pyoxigraph dump",
        base_name="rdflib serialize",
        note="baseline single run",
    )

    # memory
    m_ox = peak_rss(
        "import pyoxigraph as ox; s=ox.Store(); "
        f"s.load(path={str(ttl)!r}, format=ox.RdfFormat.TURTLE)"
    )
    m_rdf = peak_rss(f"from rdflib import Graph; g=Graph().parse({str(ttl)!r}, format='turtle')")
    rows.append(
        {
            "size": n,
            "task": "peak memory (MB)",
            "fast_s": m_ox,
            "fast": "pyoxigraph",
            "baseline_s": m_rdf,
            "baseline": "rdflib",
            "ratio": m_rdf / m_ox,
            "goal_ratio": 3,
            "met": m_rdf / m_ox >= 3,
            "note": "ru_maxrss of a child that loads the Turtle file",
        }
    )
    print(f"  memory {m_ox:.0f} MB vs {m_rdf:.0f} MB", flush=True)
    return rows


def _ox_load(ox: Any, ttl: Path) -> Any:
    s = ox.Store()
    s.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE)
    return s


def _batch(kgdir: Path) -> Path:
    """100 triples of a new source: a generated cluster beyond the graph's, trimmed."""
    from rdflib import Graph

    from zonegraph._synth import PREFIXES, cluster

    path = kgdir.parent / f"{kgdir.name}-batch.ttl"
    entities = cluster(10_000_000 + len(list((kgdir / "kg").glob("*.ttl"))), 1)
    g = Graph().parse(data=PREFIXES + "\n".join(e.turtle() for e in entities), format="turtle")
    out = Graph()
    for t in sorted(g)[:100]:
        out.add(t)
    # keep the batch's source described, so the batch is a plausible addition
    src = next(s for s in g.subjects() if "/source/" in str(s))
    for t in g.triples((src, None, None)):
        out.add(t)
    out.serialize(path, format="turtle")
    return path


def startup() -> list[dict[str, Any]]:
    exe = str(Path(PY).parent / "zonegraph")
    times = []
    for _ in range(max(RUNS, 5)):
        t = time.perf_counter()
        subprocess.run(
            [exe, "--quiet", "query", "parks-of-zone"], capture_output=True, check=True, cwd=ROOT
        )
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(f"startup {med:.3f} s", flush=True)
    return [
        {
            "size": "shipped",
            "task": "zonegraph query parks-of-zone (cold process)",
            "fast_s": med,
            "fast": "zonegraph",
            "baseline_s": None,
            "baseline": "",
            "ratio": None,
            "goal_ratio": None,
            "met": med < 0.5,
            "note": "goal: under 0.5 s wall-clock",
        }
    ]


def render(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    def f(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    lines = [
        f"# zonegraph benchmarks, {meta['date']}",
        "",
        f"Machine: {meta['machine']}",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        "",
        "| size | task | fast path | time (s) | baseline | time (s) | ratio | goal | met | note |",
        "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.1f}x"
        goal = "-" if r["goal_ratio"] is None else f"≥{r['goal_ratio']}x"
        met = {True: "yes", False: "**no**", None: "-"}[r["met"]]
        lines.append(
            f"| {r['size']} | {r['task']} | {r['fast']} | {f(r['fast_s'])} | {r['baseline']} | "
            f"{f(r['baseline_s'])} | {ratio} | {goal} | {met} | {r['note']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if s]
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    rows: list[dict[str, Any]] = []
    rows += startup()
    for n in sizes:
        rows += bench_size(n)
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()}",
        "versions": {
            p: version(p) for p in ("rdflib", "pyoxigraph", "pyshacl", "owlrl", "zonegraph")
        },
        "runs": RUNS,
        "sizes": sizes,
    }
    stem = "bench-" + "-".join(str(s) for s in sizes)
    (RESULTS / f"{stem}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    (RESULTS / f"{stem}.md").write_text(render(rows, meta))
    print(render(rows, meta))


if __name__ == "__main__":
    main()
