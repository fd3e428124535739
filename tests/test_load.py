"""A bounded load test of the server (issue #6): benchmarks/load.py with a smaller load.

`zonegraph serve --allow-updates` runs as a subprocess on a copy of the KG directory,
on a free loopback port; 1,500 requests from 16 concurrent clients mix canned
queries, SPARQL GET and POST, entity pages, the home page and bad requests, with
10 Graph Store POSTs of new sources interleaved. `make bench` runs the full size.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "zonegraph_bench_load", REPO / "benchmarks" / "load.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


load = _load_module()


@pytest.mark.slow
def test_the_server_under_a_bounded_load(tmp_path: Path) -> None:
    params = load.Params(
        requests=1500, concurrency=16, updates=10, warmup=200, max_seconds=150, seed=6
    )
    outcome = load.run(params, workdir=tmp_path, log=lambda _: None)
    summary = outcome.summary()
    print(
        f"\n{summary['requests_done']} requests in {summary['wall_seconds']} s: "
        f"{summary['throughput_rps']} req/s, p50 {summary['latency']['p50_ms']} ms, "
        f"p99 {summary['latency']['p99_ms']} ms; statuses {summary['statuses']}; "
        f"RSS {summary['rss_mib']}"
    )
    for kind, k in summary["per_kind"].items():
        print(f"  {kind:14} {k['count']:5}  p50 {k['p50_ms']:7} ms  p99 {k['p99_ms']:7} ms")

    assert not outcome.cut_short
    assert summary["requests_done"] == params.requests + params.updates
    # no 5xx at all (this mix provokes none), and no other unexpected answer
    assert summary["five_xx"] == 0, summary["statuses"]
    assert summary["unexpected"] == 0, summary["per_kind"]
    # every bad request got its 4xx
    for kind, status in [("bad-400", 400), ("bad-401", 401), ("bad-404", 404), ("bad-406", 406)]:
        assert summary["per_kind"][kind]["statuses"] == {status: summary["per_kind"][kind]["count"]}
    # no lost updates: each new source is in the graph and has its kg/ file
    assert len(outcome.updates_sent) == params.updates
    assert outcome.updates_missing == [] and outcome.files_missing == []
    # memory stays flat: the server and its workers after the run vs after the warm-up
    assert outcome.rss_after_warmup > 0
    assert outcome.rss_end < 1.5 * outcome.rss_after_warmup, summary["rss_mib"]
    # and the server logged no error
    assert outcome.server_log_errors == []
