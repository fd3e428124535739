"""A bounded load test of `zonegraph serve` on loopback (issue #6).

    python benchmarks/load.py                       # 20,000 requests, 32 clients, 40 updates
    python benchmarks/load.py -n 2000 -c 16 --updates 10 --max-seconds 120

Starts `zonegraph serve --allow-updates` on a free 127.0.0.1 port against a
temporary copy of ontology/, kg/ and queries/, waits for /api/health, warms up,
then sends N requests from C concurrent clients (httpx.AsyncClient): canned
queries with parameters, SPARQL SELECT by GET and POST, entity pages (HTML and
Turtle), the home page, bad requests (400, 401, 404, 406) and, interleaved,
Graph Store POSTs each adding a new source with one company. Afterwards it
checks that every update landed (in the graph and as a kg/ file), samples the
RSS of the server and its worker processes every second, and reports
throughput, p50/p99 latency per kind of request and the status codes.

Writes benchmarks/results/load.md and load.json; exits non-zero on any
unexpected status (in particular any 5xx), a lost update, or a run cut short
by --max-seconds. tests/test_load.py runs the same code with a smaller load.

Each of the C clients connects from an address of its own in 127.0.1.0/24 (all
of 127.0.0.0/8 is loopback on Linux; the server is still only 127.0.0.1), so
the server's per-client limits see C clients, as they would C users.

    python benchmarks/load.py --fairness            # issue #20: the same load, then again
                                                    # beside 4 clients looping cross joins

--fairness runs the load twice on fresh servers, without and with --attackers
clients (from 127.0.2.0/24) sending `SELECT (COUNT(*) AS ?c) { ?a ?b ?c . ?d
?e ?f . ?g ?h ?i }` in a loop for the whole measured phase, and writes the
others' success rate and latency side by side to benchmarks/results/fairness.md
and fairness.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
TOKEN = "load-test-token-0123456789abcdef"
ZGR = "https://w3id.org/zonegraph/id/"
ZGS = "https://w3id.org/zonegraph/source/"
PREFIX = "PREFIX zg: <https://w3id.org/zonegraph/ontology#>\n"
PARKS = PREFIX + "SELECT ?park WHERE { ?park a zg:CooperationPark } ORDER BY ?park"
COUNT_CLASSES = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
ENTITIES = f"""SELECT DISTINCT ?s WHERE {{ ?s a ?c .
  FILTER(STRSTARTS(STR(?s), "{ZGR}")) }} ORDER BY ?s LIMIT 60"""
#: The attack of issue #20: a cross join that runs until the time limit stops it.
CROSS_JOIN = "SELECT (COUNT(*) AS ?c) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

#: (name, query parameters) of the canned queries asked for.
CANNED: list[tuple[str, dict[str, str]]] = [
    ("parks-of-zone", {}),
    ("zone-key-figures", {"zone": "zgr:qingdao-iecz"}),
    ("search-labels", {"text": "ecopark"}),
    ("search-labels", {"text": "qingdao"}),
    ("entity-facts", {"entity": "zgr:sino-german-ecopark"}),
    ("timeline", {}),
    ("countries-of-zone", {}),
    ("facts-per-source", {}),
]

#: Kinds of request and their weights in the mix (updates are added on top).
MIX: dict[str, int] = {
    "canned": 25,
    "sparql-get": 15,
    "sparql-post": 10,
    "entity-html": 15,
    "entity-turtle": 10,
    "home": 5,
    "bad-400": 5,
    "bad-404": 5,
    "bad-406": 5,
    "bad-401": 5,
}

SOURCE_TEMPLATE = """\
# A web page, made up by the load test (benchmarks/load.py).
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .

zgs:{slug} a zg:WebPage ;
    rdfs:label "Load test page {n}: a company of the Sino-German Ecopark"@en ;
    dct:title "Company {n} of the Sino-German Ecopark"@en ;
    dct:publisher zgr:iecz-management-committee ;
    dct:issued "2020-01-15"^^xsd:date ;
    schema:url "https://example.org/load/{slug}"^^xsd:anyURI ;
    dct:language "en" .

zgr:{slug}-company a zg:Company ;
    rdfs:label "Load Test Company {n}"@en ;
    zg:locatedIn zgr:sino-german-ecopark ;
    zg:quotation "Load Test Company {n} is located in the Sino-German Ecopark." ;
    dct:source zgs:{slug} .
"""


@dataclass
class Params:
    requests: int = 20_000
    concurrency: int = 32
    updates: int = 40
    warmup: int = 300
    max_seconds: float = 600.0
    workers: int = 2
    seed: int = 6
    timeout: float = 30.0  # client timeout per request
    attackers: int = 0  # clients looping cross joins beside the load


def client_address(i: int, block: int = 1) -> str:
    """The loopback address of client *i*: 127.0.<block>.<i + 1> (i < 254)."""
    if not 0 <= i < 254:
        raise ValueError("at most 254 clients")
    return f"127.0.{block}.{i + 1}"


@dataclass
class Sample:
    kind: str
    status: int  # 0: a transport error
    seconds: float
    expected: bool


@dataclass
class Outcome:
    params: Params
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    cut_short: bool = False
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)
    rss_after_warmup: int = 0
    rss_end: int = 0
    updates_sent: list[str] = field(default_factory=list)
    updates_missing: list[str] = field(default_factory=list)
    files_missing: list[str] = field(default_factory=list)
    server_log_errors: list[str] = field(default_factory=list)
    attack: list[Sample] = field(default_factory=list)

    # -- derived numbers --------------------------------------------------------------

    def statuses(self) -> dict[int, int]:
        return dict(sorted(Counter(s.status for s in self.samples).items()))

    def unexpected(self) -> list[Sample]:
        return [s for s in self.samples if not s.expected]

    def five_xx(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500)

    def success(self) -> float:
        """The share of the requests answered as expected (the attackers' not counted)."""
        return 1 - len(self.unexpected()) / len(self.samples) if self.samples else 0.0

    def throughput(self) -> float:
        return len(self.samples) / self.wall if self.wall else 0.0

    def per_kind(self) -> dict[str, dict[str, Any]]:
        kinds: dict[str, list[Sample]] = {}
        for s in self.samples:
            kinds.setdefault(s.kind, []).append(s)
        out = {}
        for kind, items in sorted(kinds.items()):
            secs = sorted(s.seconds for s in items)
            out[kind] = {
                "count": len(items),
                "p50_ms": round(1000 * percentile(secs, 50), 1),
                "p99_ms": round(1000 * percentile(secs, 99), 1),
                "max_ms": round(1000 * secs[-1], 1),
                "statuses": dict(sorted(Counter(s.status for s in items).items())),
                "unexpected": sum(1 for s in items if not s.expected),
            }
        return out

    def overall(self) -> dict[str, float]:
        secs = sorted(s.seconds for s in self.samples)
        return {
            "p50_ms": round(1000 * percentile(secs, 50), 1),
            "p99_ms": round(1000 * percentile(secs, 99), 1),
        }

    def rss_mid(self) -> int:
        return self.rss[len(self.rss) // 2][1] if self.rss else 0

    def problems(self) -> list[str]:
        out = []
        bad = self.unexpected()
        if bad:
            counts = Counter((s.kind, s.status) for s in bad)
            out.append(f"{len(bad)} unexpected answers: {dict(counts)}")
        if self.updates_missing:
            out.append(f"{len(self.updates_missing)} lost updates: {self.updates_missing[:5]}")
        if self.files_missing:
            out.append(f"{len(self.files_missing)} kg/ files missing: {self.files_missing[:5]}")
        if self.cut_short:
            out.append(f"cut short by --max-seconds {self.params.max_seconds:g}")
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "parameters": asdict(self.params),
            "requests_done": len(self.samples),
            "wall_seconds": round(self.wall, 2),
            "throughput_rps": round(self.throughput(), 1),
            "latency": self.overall(),
            "statuses": self.statuses(),
            "five_xx": self.five_xx(),
            "unexpected": len(self.unexpected()),
            "per_kind": self.per_kind(),
            "updates_sent": len(self.updates_sent),
            "updates_missing": self.updates_missing,
            "files_missing": self.files_missing,
            "rss_mib": {
                "after_warmup": mib(self.rss_after_warmup),
                "middle": mib(self.rss_mid()),
                "end": mib(self.rss_end),
                "max": mib(max((b for _, b in self.rss), default=0)),
                "samples": len(self.rss),
            },
            "server_log_errors": self.server_log_errors[:20],
            "cut_short": self.cut_short,
            "success_rate": round(self.success(), 5),
            "attackers": {
                "clients": self.params.attackers,
                "requests": len(self.attack),
                "statuses": dict(sorted(Counter(s.status for s in self.attack).items())),
            },
            "problems": self.problems(),
        }


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank percentile of *sorted_values* (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def mib(n: int) -> float:
    return round(n / 1024**2, 1)


# -- the server and its memory ----------------------------------------------------------


def copy_kg(target: Path) -> Path:
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(ROOT / part, target / part)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss(pid: int) -> int:
    """Resident bytes of *pid* and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[p] = int(line.split()[1]) * 1024
        except OSError:
            continue
    return sum(rss.values())


class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((round(time.monotonic() - self.t0, 2), tree_rss(self.pid)))
            self.stop.wait(self.interval)


class ServerProcess:
    """`zonegraph serve --allow-updates` on a copy of the KG, on a free loopback port."""

    def __init__(self, root: Path, workers: int) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "server.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "zonegraph", "--kg", str(root), "serve"),
                *("--port", str(self.port), "--workers", str(workers), "--allow-updates"),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ZONEGRAPH_TOKEN": TOKEN},
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not start:\n" + self.log_path.read_text())
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the server's own session only
                self.proc.wait(timeout=10)
        self._log.close()

    def log_errors(self) -> list[str]:
        lines = self.log_path.read_text(errors="replace").splitlines()
        keys = ("Traceback", "ERROR", "Exception", " 500 ", " 502 ", " 503 ", " 504 ")
        # the attackers' 503s (from 127.0.2.x) are the point of a --fairness run
        return [
            line
            for line in lines
            if any(k in line for k in keys) and not re.search(r"\b127\.0\.2\.\d+:", line)
        ]


# -- the requests -----------------------------------------------------------------------


@dataclass
class Req:
    kind: str
    method: str
    path: str
    expect: tuple[int, ...]
    params: dict[str, str] | None = None
    headers: dict[str, str] | None = None
    data: dict[str, str] | None = None
    content: bytes | None = None


def schedule(p: Params, entities: list[str], run_id: str, count: int, updates: int) -> list[Req]:
    """*count* requests of the mix, with *updates* Graph Store POSTs spread evenly among them."""
    rng = random.Random(p.seed + count)
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    reqs = [make(rng.choices(kinds, weights)[0], rng, entities) for _ in range(count)]
    for i in range(updates):
        slug = f"load-{run_id}-{i:04d}"
        body = SOURCE_TEMPLATE.format(slug=slug, n=i).encode()
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
        update = Req("update", "POST", "/store?default", (200,), headers=headers, content=body)
        reqs.insert((i + 1) * len(reqs) // (updates + 1), update)
    return reqs


def make(kind: str, rng: random.Random, entities: list[str]) -> Req:
    if kind == "canned":
        name, params = rng.choice(CANNED)
        return Req(kind, "GET", f"/api/queries/{name}", (200,), params=params)
    if kind == "sparql-get":
        return Req(
            kind, "GET", "/sparql", (200,), params={"query": rng.choice([PARKS, COUNT_CLASSES])}
        )
    if kind == "sparql-post":
        return Req(
            kind, "POST", "/sparql", (200,), data={"query": rng.choice([PARKS, COUNT_CLASSES])}
        )
    if kind == "entity-html":
        return Req(
            kind, "GET", "/id/" + rng.choice(entities), (200,), headers={"Accept": "text/html"}
        )
    if kind == "entity-turtle":
        return Req(
            kind, "GET", "/id/" + rng.choice(entities), (200,), headers={"Accept": "text/turtle"}
        )
    if kind == "home":
        return Req(kind, "GET", "/", (200,))
    if kind == "bad-400":
        query = rng.choice(["SELEC ?x WHERE { ?x ?y ?z }", "SELECT ?x WHERE { ?x ?y ", "ASK {"])
        return Req(kind, "GET", "/sparql", (400,), params={"query": query})
    if kind == "bad-404":
        path = rng.choice(["/api/queries/no-such-query", "/id/no-such-entity-load"])
        return Req(kind, "GET", path, (404,))
    if kind == "bad-406":
        return Req(
            kind, "GET", "/sparql", (406,), params={"query": PARKS}, headers={"Accept": "image/png"}
        )
    if kind == "bad-401":  # an update without the token: refused before anything is read
        headers = {"Content-Type": "text/turtle"}
        return Req(kind, "POST", "/store?default", (401,), headers=headers, content=b"")
    raise ValueError(kind)


def _client(url: str, p: Params, address: str) -> httpx.AsyncClient:
    """An HTTP client with one connection, from *address*."""
    return httpx.AsyncClient(
        base_url=url,
        timeout=p.timeout,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        transport=httpx.AsyncHTTPTransport(local_address=address),
    )


async def attack(url: str, p: Params, stop: asyncio.Event, samples: list[Sample]) -> None:
    """p.attackers clients, each sending the cross join in a loop until *stop*."""

    async def one(i: int) -> None:
        async with _client(url, p, client_address(i, block=2)) as c:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    status = (await c.get("/sparql", params={"query": CROSS_JOIN})).status_code
                except httpx.HTTPError:
                    status = 0
                samples.append(Sample("attack", status, time.perf_counter() - t, True))

    await asyncio.gather(*(one(i) for i in range(p.attackers)))


async def fire(
    reqs: list[Req],
    url: str,
    p: Params,
    deadline: float,
    attack_samples: list[Sample] | None = None,
) -> tuple[list[Sample], float, bool]:
    """Send *reqs* from p.concurrency clients; stop taking new ones at *deadline*.

    With *attack_samples*, p.attackers clients loop cross joins meanwhile."""
    samples: list[Sample] = []
    queue = iter(reqs)
    cut = False

    async def client(c: httpx.AsyncClient) -> None:
        nonlocal cut
        for r in queue:
            if time.monotonic() > deadline:
                cut = True
                return
            t = time.perf_counter()
            try:
                resp = await c.request(
                    r.method,
                    r.path,
                    params=r.params,
                    headers=r.headers,
                    data=r.data,
                    content=r.content,
                )
                await resp.aread()
                status = resp.status_code
            except httpx.HTTPError:
                status = 0
            samples.append(Sample(r.kind, status, time.perf_counter() - t, status in r.expect))

    stop = asyncio.Event()
    attacking = None
    if attack_samples is not None and p.attackers:
        attacking = asyncio.ensure_future(attack(url, p, stop, attack_samples))
        await asyncio.sleep(2 * 10.0 + 2)  # two rounds of cross joins at the default limit
    t0 = time.perf_counter()
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(_client(url, p, client_address(i)))
            for i in range(p.concurrency)
        ]
        await asyncio.gather(*(client(c) for c in clients))
    wall = time.perf_counter() - t0
    if attacking is not None:
        stop.set()
        await attacking
    return samples, wall, cut


def run(p: Params, workdir: Path | None = None, log: Any = print) -> Outcome:
    """Start the server on a copy of the KG, load it, check the updates; always stop it."""
    out = Outcome(p)
    t_start = time.monotonic()
    deadline = t_start + p.max_seconds
    with tempfile.TemporaryDirectory(prefix="zonegraph-load-", dir=workdir) as tmp:
        root = copy_kg(Path(tmp) / "kg-copy")
        server = ServerProcess(root, p.workers)
        sampler = RssSampler(server.proc.pid)
        try:
            sampler.start()
            r = httpx.get(server.url + "/sparql", params={"query": ENTITIES}, timeout=30)
            r.raise_for_status()
            entities = [b["s"]["value"][len(ZGR) :] for b in r.json()["results"]["bindings"]]
            run_id = f"{os.getpid()}-{int(time.time())}"
            warm = schedule(p, entities, run_id, p.warmup, 0)
            samples, _, _ = asyncio.run(fire(warm, server.url, p, deadline))
            bad = [s for s in samples if not s.expected]
            if bad:
                log(f"warm-up: {len(bad)} unexpected answers ({Counter(s.status for s in bad)})")
            time.sleep(1.0)
            out.rss_after_warmup = tree_rss(server.proc.pid)
            log(f"warm-up: {len(samples)} requests, RSS {mib(out.rss_after_warmup)} MiB")
            reqs = schedule(p, entities, run_id, p.requests, p.updates)
            out.updates_sent = [ZGS + f"load-{run_id}-{i:04d}" for i in range(p.updates)]
            rss_from = len(sampler.samples)
            out.samples, out.wall, out.cut_short = asyncio.run(
                fire(reqs, server.url, p, deadline, out.attack)
            )
            time.sleep(1.0)
            out.rss_end = tree_rss(server.proc.pid)
            out.rss = sampler.samples[rss_from:]
            # no lost updates: every new source is a graph, with its company, and has a file
            query = f"""PREFIX zg: <https://w3id.org/zonegraph/ontology#>
                SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?c a zg:Company }}
                FILTER(STRSTARTS(STR(?g), "{ZGS}load-{run_id}-")) }}"""
            r = httpx.get(server.url + "/sparql", params={"query": query}, timeout=60)
            r.raise_for_status()
            found = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
            out.updates_missing = [g for g in out.updates_sent if g not in found]
            out.files_missing = [
                g for g in out.updates_sent if not (root / "kg" / (g[len(ZGS) :] + ".ttl")).exists()
            ]
        finally:
            sampler.stop.set()
            server.stop()
            out.server_log_errors = server.log_errors()
    return out


# -- the report -------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("zonegraph", "rdflib", "starlette", "uvicorn", "httpx"):
        with contextlib.suppress(Exception):  # a missing package is simply not listed
            versions[pkg] = version(pkg)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        # the machine may be shared: its load average when the run started
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(summary: dict[str, Any], env: dict[str, Any]) -> str:
    p = summary["parameters"]
    rss = summary["rss_mib"]
    lines = [
        "# Load test of `zonegraph serve` (benchmarks/load.py)",
        "",
        f"{env['date']}, {env['cpu']} ({env['cores']} cores), Python {env['python']}; "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
        + ".",
        "",
        f"{p['requests']:,} requests (after {p['warmup']} of warm-up) from {p['concurrency']} "
        f"concurrent clients, plus {p['updates']} Graph Store POSTs, {p['workers']} query "
        "workers, client and server on the same machine over loopback.",
        "",
        f"- **Throughput: {summary['throughput_rps']:,} requests/s** "
        f"({summary['requests_done']:,} in {summary['wall_seconds']} s)",
        f"- Latency: p50 {summary['latency']['p50_ms']} ms, p99 {summary['latency']['p99_ms']} ms",
        f"- Status codes: {summary['statuses']}; 5xx: {summary['five_xx']}; "
        f"unexpected: {summary['unexpected']}",
        f"- Updates: {summary['updates_sent']} sent, {len(summary['updates_missing'])} lost",
        f"- RSS of the server and its workers: {rss['after_warmup']} MiB after warm-up, "
        f"{rss['middle']} MiB midway, {rss['end']} MiB at the end (max {rss['max']} MiB, "
        f"{rss['samples']} samples)",
        f"- Problems: {'; '.join(summary['problems']) or 'none'}",
        "",
        "| kind | requests | p50 ms | p99 ms | max ms | statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind, k in summary["per_kind"].items():
        lines.append(
            f"| {kind} | {k['count']:,} | {k['p50_ms']} | {k['p99_ms']} | {k['max_ms']} "
            f"| {k['statuses']} |"
        )
    return "\n".join(lines) + "\n"


def fairness_markdown(runs: dict[str, dict[str, Any]], env: dict[str, Any]) -> str:
    calm, attacked = runs["without"], runs["with"]
    p = attacked["parameters"]
    lines = [
        "# The endpoint beside four clients looping cross joins (benchmarks/load.py --fairness)",
        "",
        f"{env['date']}, {env['cpu']} ({env['cores']} cores), Python {env['python']}; "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
        + ".",
        "",
        f"The same load twice, each on a fresh `zonegraph serve` with the default limits "
        f"({p['workers']} workers and 1 reserved for canned queries, 10 s per query, "
        "2 queries at once per client): "
        f"{p['requests']:,} requests from {p['concurrency']} clients (each from an address of "
        f"its own), {p['updates']} Graph Store POSTs among them; the second time with "
        f"{p['attackers']} more clients sending `{CROSS_JOIN}` in a loop, from 22 s before the "
        "load starts until it ends. The numbers are the other clients' answers.",
        "",
        "| | without attackers | with attackers | with / without |",
        "|---|---:|---:|---:|",
    ]

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}x" if a else "-"

    def pick(summary: dict[str, Any], key: str) -> float:
        if key.startswith("latency."):
            return float(summary["latency"][key.split(".", 1)[1]])
        return float(summary[key])

    rows = [
        ("requests answered as expected", "success_rate", "{:.3%}"),
        ("throughput (requests/s)", "throughput_rps", "{:,}"),
        ("p50 latency (ms)", "latency.p50_ms", "{:,}"),
        ("p99 latency (ms)", "latency.p99_ms", "{:,}"),
        ("5xx answers", "five_xx", "{:,.0f}"),
    ]
    for label, key, fmt in rows:
        a, b = pick(calm, key), pick(attacked, key)
        lines.append(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio(a, b)} |")
    lines += [
        "",
        "Per kind of request (success: answered with the expected status):",
        "",
        "| kind | success without | success with | p50 ms without | p50 ms with "
        "| p99 ms without | p99 ms with | max ms with |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, k in attacked["per_kind"].items():
        c = calm["per_kind"].get(kind)
        if c is None:
            continue

        def rate(x: dict[str, Any]) -> str:
            return f"{100 * (1 - x['unexpected'] / x['count']):.1f} %"

        lines.append(
            f"| {kind} | {rate(c)} | {rate(k)} | {c['p50_ms']} | {k['p50_ms']} "
            f"| {c['p99_ms']} | {k['p99_ms']} | {k['max_ms']} |"
        )
    att = attacked["attackers"]
    lines += [
        "",
        f"The attackers sent {att['requests']} cross joins: statuses {att['statuses']} "
        "(503: stopped at the time limit, or turned away after waiting their turn).",
        f"Problems without attackers: {'; '.join(calm['problems']) or 'none'}; "
        f"with: {'; '.join(attacked['problems']) or 'none'}.",
        "",
        "The machine's load average (1, 5, 15 min) before each run: without "
        f"{calm['load_average_before']}, with {attacked['load_average_before']} "
        "(other work shared its cores; compare the two columns, not these numbers with "
        "load.md).",
    ]
    return "\n".join(lines) + "\n"


def fairness(p: Params, out_dir: Path) -> int:
    env = machine()
    runs = {}
    for label, attackers in (("without", 0), ("with", p.attackers or 4)):
        print(f"-- the load {label} attackers")
        load_before = [round(x, 2) for x in os.getloadavg()]
        outcome = run(Params(**{**asdict(p), "attackers": attackers}))
        runs[label] = {**outcome.summary(), "load_average_before": load_before}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "fairness.json").write_text(json.dumps({"machine": env, **runs}, indent=2) + "\n")
    text = fairness_markdown(runs, env)
    (out_dir / "fairness.md").write_text(text)
    print(text)
    return 1 if any(r["problems"] for r in runs.values()) else 0


def main(argv: list[str] | None = None) -> int:
    d = Params()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", "--requests", type=int, default=d.requests)
    ap.add_argument("-c", "--concurrency", type=int, default=d.concurrency)
    ap.add_argument("--updates", type=int, default=d.updates)
    ap.add_argument("--warmup", type=int, default=d.warmup)
    ap.add_argument("--max-seconds", type=float, default=d.max_seconds)
    ap.add_argument("--workers", type=int, default=d.workers)
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument(
        "--attackers", type=int, default=d.attackers, help="clients looping cross joins"
    )
    ap.add_argument(
        "--fairness",
        action="store_true",
        help="run without, then with --attackers (default 4); write fairness.md and .json",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="where load.md and load.json go")
    a = ap.parse_args(argv)
    p = Params(
        requests=a.requests,
        concurrency=a.concurrency,
        updates=a.updates,
        warmup=a.warmup,
        max_seconds=a.max_seconds,
        workers=a.workers,
        seed=a.seed,
        attackers=a.attackers,
    )
    if a.fairness:
        return fairness(p, a.out)
    outcome = run(p)
    summary = outcome.summary()
    env = machine()
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "load.json").write_text(json.dumps({"machine": env, **summary}, indent=2) + "\n")
    text = markdown(summary, env)
    (a.out / "load.md").write_text(text)
    print(text)
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
