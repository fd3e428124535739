"""The validation gate at scale: what a batch costs, whatever it names.

    .venv/bin/python benchmarks/gate.py                 # 10k and 100k triples
    BENCH_SIZES=10000 .venv/bin/python benchmarks/gate.py

For each size (the graph ``make bench`` generates: zonegraph synth, seed 1, under
benchmarks/data/), on the memory store and on Oxigraph (oxigraph:DIR, loaded here),
times ``KnowledgeGraph.validate`` on four kinds of batch:

- ``plain``: the benchmark's 100-triple batch (a new cluster's first triples);
- ``role``: the same with a new post naming an existing zg:Role (the sh:Info check
  ``FILTER NOT EXISTS { ?post zg:role $this }`` used to fetch every post of the role);
- ``duplicate``: the same with a new zg:MonetaryFigure carrying an existing zg:Figure's
  label (the violation is on the existing figure, which the batch does not name);
- ``chain``: one triple putting an existing city zg:partOf a company (the violations
  are on the places within the city).

Baseline, in the same run: pySHACL on the whole graph with the batch (once, in a child
process, bounded by BENCH_TIMEOUT). Also printed: how many triples the neighbourhood of
the role holds, fetched as the gate fetches it (one post) and as it used to (every post
with the role), which grows with the graph. Writes
benchmarks/results/gate-<date>-<sizes>.md.
Not a test: nothing here asserts.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import DATA, RESULTS, SLOW_TIMEOUT, _batch, _role_batch, in_child, timed  # noqa: E402


def batches(kgdir: Path) -> dict[str, Path]:
    from rdflib import RDF, RDFS, Graph, Literal, URIRef

    from zonegraph.authoring.synth import PREFIXES, cluster

    plain = _batch(kgdir)
    base = Graph().parse(plain, format="turtle")
    zg = "https://w3id.org/zonegraph/ontology#"
    ref = (kgdir / "kg" / "synth-0000001.ttl").read_text(encoding="utf-8")
    existing = Graph().parse(data=ref, format="turtle")
    out: dict[str, Path] = {"plain": plain}

    def write(name: str, g: Graph) -> None:
        path = kgdir.parent / f"{kgdir.name}-batch-{name}.ttl"
        g.serialize(path, format="turtle")
        out[name] = path

    out["role"] = _role_batch(kgdir, plain)  # a new post naming an existing zg:Role
    entities = cluster(10_000_000 + len(list((kgdir / "kg").glob("*.ttl"))), 1)
    g = Graph().parse(data=PREFIXES + "\n".join(e.turtle() for e in entities), format="turtle")
    figure = next(
        f
        for f in existing.subjects(RDF.type, URIRef(zg + "Figure"))
        if (f, URIRef(zg + "unit"), None) in existing
    )
    label = existing.value(figure, RDFS.label)
    assert isinstance(label, Literal)
    money = next(g.subjects(RDF.type, URIRef(zg + "MonetaryFigure")))
    dup = base + Graph()
    for s, p, o in g.triples((money, None, None)):
        dup.add((s, p, label if p == RDFS.label else o))
    write("duplicate", dup)
    chain = Graph()
    zgr = "https://w3id.org/zonegraph/id/"
    chain.add(
        (
            URIRef(zgr + "synth-0000001-city"),
            URIRef(zg + "partOf"),
            URIRef(zgr + "synth-0000001-company-0"),
        )
    )
    write("chain", chain)
    return out


def bench_size(n: int) -> list[dict[str, Any]]:
    from rdflib import Graph, URIRef

    from zonegraph._kg import open_kg
    from zonegraph._load import load
    from zonegraph.authoring.synth import synthesize
    from zonegraph.store.base import SOURCE_GRAPHS
    from zonegraph.store.neighbourhood import extract
    from zonegraph.store.oxigraph import OxigraphStore
    from zonegraph.validate.change import Dependencies
    from zonegraph.validate.shacl import results_from_report, run_pyshacl

    kgdir = DATA / f"kg-{n}"
    if not kgdir.exists():
        synthesize(kgdir, triples=n, seed=1)
    print(f"== {n} triples", flush=True)
    kg = open_kg(kgdir)
    _ = kg.shapes, kg.plan, kg.targets
    oxdir = Path(tempfile.mkdtemp(prefix="gate-ox-"))
    kg_ox = open_kg(kgdir, store=OxigraphStore(oxdir / "store"))
    load(kg_ox)
    files = batches(kgdir)
    rows: list[dict[str, Any]] = []

    def whole(path: Path) -> int:
        data = kg._validation_graph(extra=Graph().parse(path, format="turtle"))
        return len(results_from_report(run_pyshacl(data, kg.shapes)))

    t_whole, _ = in_child(lambda: whole(files["plain"]))
    for name, path in files.items():
        for store, k in (("memory", kg), ("Oxigraph", kg_ox)):
            k.validate([path])  # once untimed: shapes, targets, label index
            t, report = timed(functools.partial(k.validate, [path]))
            ratio = f"{t_whole / t:.0f}x" if t_whole else f">{SLOW_TIMEOUT / t:.0f}x"
            counts = report.counts()
            base = f"{t_whole:.1f}" if t_whole else f">{SLOW_TIMEOUT:.0f}"
            print(
                f"  {name:9} {store:8} {t:.3f} s  pySHACL whole graph {base} s ({ratio}) {counts}",
                flush=True,
            )
            rows.append(
                {
                    "size": n,
                    "batch": name,
                    "store": store,
                    "gate_s": t,
                    "baseline_s": t_whole,
                    "ratio": ratio,
                    "results": counts,
                }
            )
    role_p = URIRef("https://w3id.org/zonegraph/ontology#role")
    g = Graph().parse(files["role"], format="turtle")
    role = next(o for o in g.objects(None, role_p))
    deps = Dependencies.from_shapes(kg.shapes, kg.plan)
    for store, k in (("memory", kg), ("Oxigraph", kg_ox)):
        access = k.store.access(SOURCE_GRAPHS)
        now = len(extract(access, {role}, kg.plan, bounded=deps.bounded))
        before = len(extract(access, {role}, kg.plan))
        print(f"  role neighbourhood ({store}): {now} triples fetched; every post: {before}")
        rows.append({"size": n, "store": store, "role_fetch": now, "role_fetch_every_post": before})
    kg_ox.store.close()
    shutil.rmtree(oxdir, ignore_errors=True)
    return rows


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if s]
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    rows = [r for n in sizes for r in bench_size(n)]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"# The validation gate ({stamp})",
        "",
        "`.venv/bin/python benchmarks/gate.py` (median of BENCH_RUNS runs; baseline once).",
        "",
        "| size | batch | store | gate (s) | pySHACL whole graph + batch (s) | ratio | results |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "batch" in r:
            lines.append(
                f"| {r['size']} | {r['batch']} | {r['store']} | {r['gate_s']:.3f} | "
                f"{r['baseline_s'] if r['baseline_s'] else '> ' + str(SLOW_TIMEOUT)} | "
                f"{r['ratio']} | {r['results']} |"
            )
    lines += [
        "",
        "| size | store | role neighbourhood (triples) | fetching every post |",
        "| --- | --- | --- | --- |",
    ]
    for r in rows:
        if "role_fetch" in r:
            lines.append(
                f"| {r['size']} | {r['store']} | {r['role_fetch']} | {r['role_fetch_every_post']} |"
            )
    name = f"gate-{stamp}-{'-'.join(str(n) for n in sizes)}.md"
    (RESULTS / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
