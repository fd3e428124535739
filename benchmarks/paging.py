"""First page against whole listing: every canned query on an on-disk Oxigraph store.

    .venv/bin/python benchmarks/paging.py --kg /tmp/pg1m --store /tmp/pg1m.db --size 1000000 \\
        --markdown benchmarks/results/paging-1000000.md

For each canned query (parameters as benchmarks/queries.py gives them: the synthetic
counterparts of the shipped defaults), in the same run and on the same store:

- whole: the listing read whole (``kg.query(name, params)``), the baseline;
- first page: ``kg.query(name, params, limit=N, total=True)``, the first N rows and the
  listing's total, what the command, the API and the query page ask for first;
- next page: ``offset=N`` without the total, what a "next" link asks for;
- keyset: the first page without the total, for a query with a key query
  (``queries/keys/NAME.rq``: docs/paging.md, "Keyset pages"), against the same page
  taken of the whole listing (plain: the same catalogue without ``keys/``), and the key
  query alone; "path" says whether the page was filled by keys or fell back;
- per entity: where the query takes an entity parameter, the whole listing of that one
  entity (the synthetic counterpart of the shipped default; without a default, the
  entity of the whole listing's first row).

The goal (issue #17, item 4): every first page under 0.5 s; a whole listing of one
entity under 0.5 s. The ratio is whole / first page. Medians of --runs; the machine's
load average is printed with the table, since other work on the machine slows every
column alike. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from queries import median_time, params_for  # noqa: E402

GOAL = 0.5
ENTITY_PARAMS = ("entity", "organisation", "person", "park", "zone", "place", "source")


def one_entity(
    q: Any, full: dict[str, Any], every: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The parameters of one entity's listing: the synthetic counterpart of the shipped
    default where the query has one; else the entity of the whole listing's first row
    (every canned entity parameter is projected), so that a query without a default
    entity (single-source-facts, latest-figures, post-holders, people-and-roles) is
    timed for one entity too; None for a query without an optional entity parameter."""
    names = [p.name for p in q.params if p.name in ENTITY_PARAMS and not p.required]
    if not names:
        return None
    if full != every:
        return full
    for name in names:
        term = rows[0].get(name) if rows else None
        if term is not None:
            return {**every, name: term}
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--kg", required=True, help="KG directory (made by zonegraph synth)")
    ap.add_argument("--store", required=True, help="its on-disk Oxigraph store")
    ap.add_argument("--size", default="?", help="the KG's size, for the table")
    ap.add_argument("--queries", default=str(ROOT / "queries"), help="queries directory")
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--only", default="", help="comma-separated query names")
    ap.add_argument(
        "--keyset-only",
        action="store_true",
        help="time only the keys and the first page without a total (plain and keyset), "
        "for a query whose whole listing takes minutes; other columns say '-'",
    )
    ap.add_argument("--markdown", help="also write the table to this Markdown file")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)

    import shutil
    import tempfile

    import zonegraph
    import zonegraph._kg as facade
    from zonegraph.sparql import paging
    from zonegraph.sparql.catalogue import Catalogue
    from zonegraph.store.oxigraph import OxigraphStore

    store = OxigraphStore(args.store, read_only=True)
    kg = zonegraph.open_kg(args.kg, store=store)
    kg.catalogue = Catalogue(Path(args.queries))
    # the plain path: the same queries without their key queries, on the same store
    plain_dir = Path(tempfile.mkdtemp(prefix="paging-plain-")) / "queries"
    shutil.copytree(args.queries, plain_dir, ignore=shutil.ignore_patterns(paging.KEYS_DIR))
    plain = zonegraph.open_kg(args.kg, store=store)
    plain.catalogue = Catalogue(plain_dir)
    keyed: list[bool] = []  # whether each keyset_page call filled its page by keys

    def recording(*a: Any, **k: Any) -> Any:
        out = paging.keyset_page(*a, **k)
        keyed.append(out is not None)
        return out

    facade.keyset_page = recording  # type: ignore[attr-defined]
    only = {n for n in args.only.split(",") if n}
    n = args.page_size
    header = (
        f"| query | rows | whole (s) | first page of {n} + total (s) | next page (s) | "
        "whole / first | first page < 0.5 s | one entity, whole (s) | one entity < 0.5 s | "
        f"keys (s) | first page of {n}, no total: plain (s) | keyset (s) | path | "
        "keyset < 0.5 s |"
    )
    lines = [
        header,
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: "
        "| --- | --- |",
    ]
    print(header, flush=True)
    results: list[dict[str, Any]] = []
    for q in sorted(kg.catalogue, key=lambda q: q.name):
        if only and q.name not in only:
            continue
        full = params_for(q, synthetic=True)
        if full is None:
            continue
        # the listing of everything: optional entity parameters left out
        every = {
            k: v
            for k, v in full.items()
            if not any(p.name == k and not p.required for p in q.params)
        }
        whole_s = first_s = next_s = None
        whole_rows: list[dict[str, Any]] | None = None
        entity_s: float | None = None
        if not args.keyset_only:
            whole_s, whole = median_time(lambda: kg.query(q.name, every), args.runs)  # noqa: B023
            whole_rows = whole.rows
            first_s, first = median_time(
                lambda: kg.query(q.name, every, limit=n, total=True),  # noqa: B023
                args.runs,
            )
            next_s, _ = median_time(
                lambda: kg.query(q.name, every, limit=n, offset=n),  # noqa: B023
                args.runs,
            )
            assert first.total == len(whole.rows), (q.name, first.total, len(whole.rows))
            assert first.rows == whole.rows[:n], q.name
            one = one_entity(q, full, every, whole.rows)
            if one is not None:
                entity_s, _ = median_time(lambda: kg.query(q.name, one), args.runs)  # noqa: B023
        keys_s = plain_s = keyset_s = None
        path = "-"
        if paging.key_query(kg.catalogue, q) is not None:
            keys_text = (Path(args.queries) / paging.KEYS_DIR / f"{q.name}.rq").read_text()
            keys_s, _ = median_time(lambda: kg.sparql(keys_text), args.runs)  # noqa: B023
            plain_s, plain_page = median_time(
                lambda: plain.query(q.name, every, limit=n),  # noqa: B023
                args.runs,
            )
            keyed.clear()
            keyset_s, keyset_page = median_time(
                lambda: kg.query(q.name, every, limit=n),  # noqa: B023
                args.runs,
            )
            path = "keys" if all(keyed) else "fell back"
            assert keyset_page.rows == plain_page.rows, q.name
            assert whole_rows is None or plain_page.rows == whole_rows[:n], q.name
        ratio = f"{whole_s / first_s:.1f}x" if whole_s and first_s else "-"
        met = "-" if first_s is None else ("yes" if first_s < GOAL else "**no**")
        e_cell = "-" if entity_s is None else f"{entity_s:.3f}"
        e_met = "-" if entity_s is None else ("yes" if entity_s < GOAL else "**no**")

        def cell(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        k_met = "-" if keyset_s is None else ("yes" if keyset_s < GOAL else "**no**")
        line = (
            f"| {q.name} | {'-' if whole_rows is None else len(whole_rows)} | {cell(whole_s)} | "
            f"{cell(first_s)} | {cell(next_s)} | {ratio} | {met} | {e_cell} | {e_met} | "
            f"{cell(keys_s)} | {cell(plain_s)} | "
            f"{cell(keyset_s)} | {path} | {k_met} |"
        )
        print(line, flush=True)
        lines.append(line)
        results.append(
            {
                "query": q.name,
                "rows": None if whole_rows is None else len(whole_rows),
                "whole_s": whole_s,
                "first_page_s": first_s,
                "next_page_s": next_s,
                "entity_whole_s": entity_s,
                "keys_s": keys_s,
                "first_page_no_total_plain_s": plain_s,
                "first_page_no_total_keyset_s": keyset_s,
                "keyset_path": path,
            }
        )
    load = os.getloadavg()
    met_all = sum(1 for r in results if r["first_page_s"] is not None and r["first_page_s"] < GOAL)
    keyset_met = sum(
        1
        for r in results
        if r["first_page_no_total_keyset_s"] is not None
        and r["first_page_no_total_keyset_s"] < GOAL
    )
    keyset_all = sum(1 for r in results if r["first_page_no_total_keyset_s"] is not None)
    intro = [
        f"# Paging benchmark, {args.size} triples, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {load[0]:.1f} "
        f"(other work on the machine slows every column alike). Store: on-disk Oxigraph "
        f"({args.store}); medians of {args.runs}; page size {n}. Command: "
        f"`python benchmarks/paging.py {' '.join(sys.argv[1:] if argv is None else argv)}`.",
        "",
        f"First page under {GOAL} s: {met_all} of {len(results)} queries; "
        f"without a total, by keys: {keyset_met} of {keyset_all}.",
        "",
    ]
    if args.markdown:
        Path(args.markdown).write_text("\n".join(intro + lines) + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(intro[-2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
