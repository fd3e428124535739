"""Fair admission to the query workers (issue #20): a few clients running
runaway queries in a loop must not starve everyone else.

The clients are told apart by their address: each client here connects from
an address of its own in 127.0.0.0/8 (all of it is loopback on Linux), or,
for the proxy tests, sends X-Forwarded-For through a trusted proxy.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

import zonegraph
from serverkit import Running, copy_kg, running_server
from zonegraph.web.limits import client_key, parse_networks

RUNAWAY = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { ?s a zg:CooperationPark }"
TIMEOUT = 3.0  # the query time limit of these servers (the default is 10 s)


def client(url: str, address: str, timeout: float = 60) -> httpx.Client:
    """An HTTP client whose connections come from *address* (127.x.y.z)."""
    return httpx.Client(
        base_url=url, timeout=timeout, transport=httpx.HTTPTransport(local_address=address)
    )


def wait_until(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.05)


class Attackers:
    """Four clients, each sending the runaway cross join in a loop until stopped."""

    def __init__(self, url: str, count: int = 4, max_seconds: float = 120) -> None:
        self.url, self.stop = url, threading.Event()
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.deadline = time.monotonic() + max_seconds
        self.addresses = [f"127.0.0.{20 + i}" for i in range(count)]
        self.threads = [
            threading.Thread(target=self.loop, args=(address,), daemon=True)
            for address in self.addresses
        ]

    def loop(self, address: str) -> None:
        with client(self.url, address) as c:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                try:
                    status = c.get("/sparql", params={"query": RUNAWAY}).status_code
                except httpx.TransportError:
                    status = 0
                with self.lock:
                    self.statuses[status] += 1

    def __enter__(self) -> Attackers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The default limits (2 workers, 1 reserved, 2 queries per client, 20 s of waiting for a
    worker), with a shorter time limit for queries to keep the test short."""
    root = copy_kg(tmp_path_factory.mktemp("kg-fairness"))
    with running_server(zonegraph.open_kg(root), timeout=TIMEOUT, queue_timeout=20.0) as running:
        yield running


def test_four_clients_running_cross_joins_do_not_starve_the_others(
    default_server: Running,
) -> None:
    srv = default_server
    n = 6
    results: dict[str, list[int]] = {"sparql": [], "canned": [], "page": []}
    errors: list[str] = []

    def ad_hoc() -> None:
        with client(srv.url, "127.0.0.2") as c:
            for _ in range(n):
                r = c.get("/sparql", params={"query": ASK})
                results["sparql"].append(r.status_code)
                if r.status_code != 200:
                    errors.append(r.text)

    def canned() -> None:
        with client(srv.url, "127.0.0.3") as c:
            for i in range(n):
                name = ("parks-of-zone", "countries-of-zone", "timeline")[i % 3]
                results["canned"].append(c.get(f"/api/queries/{name}").status_code)
                results["page"].append(c.get("/id/sino-german-ecopark").status_code)

    pool = srv.server.pool
    killed_before = len(pool.killed)
    with Attackers(srv.url) as attackers:
        # the attack is repeated: every attacker has had cross joins stopped at the limit,
        # a cross join runs, and the other attackers wait their turn
        admission = srv.server.admission
        wait_until(
            lambda: (
                all(admission.usage(a) > 0 for a in attackers.addresses)
                and admission.waiting >= 2
                and admission.running >= 1
            ),
            seconds=90,
        )
        others = [threading.Thread(target=ad_hoc), threading.Thread(target=canned)]
        for t in others:
            t.start()
        for t in others:
            t.join(timeout=300)
    assert results == {
        "sparql": [200] * n,
        "canned": [200] * n,
        "page": [200] * n,
    }, (results, errors, attackers.statuses)
    # the attack was real: cross joins were stopped at the limit while the others were served
    assert len(pool.killed) - killed_before >= 2
    assert attackers.statuses[503] >= 4 and set(attackers.statuses) == {503}, attackers.statuses


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-strict"))
    with running_server(
        zonegraph.open_kg(root),
        timeout=TIMEOUT,
        client_concurrency=1,
        client_queue=1,
        trusted_proxies=("127.0.0.5",),
    ) as running:
        yield running


def _runaways(url: str, count: int, address: str, headers: dict[str, str] | None = None) -> list:
    out: list[httpx.Response] = []

    def send() -> None:
        with client(url, address) as c:
            out.append(c.get("/sparql", params={"query": RUNAWAY}, headers=headers or {}))

    threads = [threading.Thread(target=send) for _ in range(count)]
    for t in threads:
        t.start()
    return [out, threads]


def test_one_client_runs_one_query_at_a_time_and_queues_one_more(strict: Running) -> None:
    admission = strict.server.admission
    out, threads = _runaways(strict.url, 4, "127.0.0.30")
    # 1 runs, 1 waits, 2 are turned away at once
    wait_until(lambda: len(out) >= 2)
    refused = list(out)
    assert [r.status_code for r in refused] == [429, 429]
    for r in refused:
        assert r.headers["retry-after"] == "3"
        assert "already has 1 queries waiting" in r.text
    assert admission.running == 1 and admission.waiting == 1
    # another client still gets the second worker at once
    with client(strict.url, "127.0.0.31") as c:
        r = c.get("/sparql", params={"query": ASK})
        assert r.status_code == 200 and r.json()["boolean"] is True
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.status_code for r in out) == [429, 429, 503, 503]


def test_x_forwarded_for_names_the_client_only_through_a_trusted_proxy(strict: Running) -> None:
    # from an untrusted address the header is ignored: both requests are one client
    admission = strict.server.admission
    out, threads = _runaways(strict.url, 3, "127.0.0.40", {"X-Forwarded-For": "10.0.0.1"})
    # one runs, one waits, the third was turned away: the client's slots are full
    wait_until(lambda: len(out) >= 1 and admission.running == 1 and admission.waiting == 1)
    with client(strict.url, "127.0.0.40") as c:
        r = c.get("/sparql", params={"query": ASK}, headers={"X-Forwarded-For": "10.9.9.9"})
        assert r.status_code == 429
    for t in threads:
        t.join(timeout=60)
    # through the trusted proxy (127.0.0.5) each forwarded address is a client of its own
    proxy = {"X-Forwarded-For": "10.0.0.1"}
    out, threads = _runaways(strict.url, 3, "127.0.0.5", proxy)
    wait_until(lambda: len(out) >= 1 and admission.running == 1 and admission.waiting == 1)
    assert out[0].status_code == 429
    with client(strict.url, "127.0.0.5") as c:
        r = c.get("/sparql", params={"query": ASK}, headers={"X-Forwarded-For": "10.0.0.2"})
        assert r.status_code == 200
        # a client cannot hide behind an address of its own choosing: the proxy appends
        # the address it saw, and that right-most untrusted address is the client
        r = c.get(
            "/sparql", params={"query": ASK}, headers={"X-Forwarded-For": "10.0.0.2, 10.0.0.1"}
        )
        assert r.status_code == 429
    for t in threads:
        t.join(timeout=60)


def test_who_the_client_is() -> None:
    trusted = parse_networks(["10.1.0.0/16", "::1"])

    def scope(peer: str, xff: str | None = None) -> dict[str, object]:
        headers = [(b"x-forwarded-for", xff.encode())] if xff else []
        return {"client": (peer, 5555), "headers": headers}

    assert client_key(scope("192.0.2.7")) == "192.0.2.7"
    assert client_key(scope("192.0.2.7", "198.51.100.1"), trusted) == "192.0.2.7"
    assert client_key(scope("10.1.2.3", "198.51.100.1"), trusted) == "198.51.100.1"
    assert client_key(scope("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.1.9.9"), trusted) == (
        "198.51.100.1"
    )
    assert client_key(scope("10.1.2.3", "garbage, 198.51.100.1"), trusted) == "198.51.100.1"
    assert client_key(scope("10.1.2.3"), trusted) == "10.1.2.3"
    # an IPv6 client is its /64: one host commonly holds all of it
    assert client_key(scope("2001:db8:1:2::7")) == client_key(scope("2001:db8:1:2:ffff::1"))
    assert client_key(scope("2001:db8:1:2::7")) != client_key(scope("2001:db8:1:3::7"))
    assert client_key(scope("::ffff:192.0.2.7")) == "192.0.2.7"
