"""The server's limits on its clients: fair admission to the query workers, who a
client is, and how long a connection may take to send its request's headers.

**Fair admission.** Every query (ad-hoc SPARQL, a canned query, the evaluation
of an update) needs one of the few worker processes. :class:`Admission` hands
out the workers:

- some workers are *reserved*: ad-hoc SPARQL never runs on them, so canned
  queries (and updates) find a worker whatever runs on the others (the server
  starts them besides its ``--workers``, which run queries of every kind);
- a client runs at most ``per_client`` queries at once; the rest of its
  queries wait, at most ``client_queue`` of them, and at most ``queue_size``
  for all clients together; beyond that the answer is immediate (429 for the
  client over its own bound, 503 for a full queue), with ``Retry-After``;
- a query waits at most ``wait`` seconds for its turn (then 503 with
  ``Retry-After``);
- a client one of whose queries held a worker for ``heavy`` seconds or more
  (the server: half the time limit) is *heavy* for the next ``heavy_for``
  seconds (a minute). Heavy clients together hold at most all the shared
  workers but one: however many of them loop runaway queries, one shared
  worker stays with the others;
- when a worker frees up, it goes to the waiting query whose client runs the
  fewest queries now, then to a client that is not heavy, then to the query
  that waited longest (first come, first served among equals, so that the
  wait of ordinary clients under load stays even).

**Who a client is.** The remote address of the connection; an IPv6 client is
its /64 network (one host commonly holds a whole /64). Behind a reverse
proxy every request comes from the proxy: with the proxy's address among
``trusted`` proxies, the client is the right-most address of
``X-Forwarded-For`` that is not itself a trusted proxy. The header is never
believed from anyone else.

**Header timeout.** uvicorn closes an idle keep-alive connection after a few
seconds, but a connection that sends part of a request line or of its headers
and then nothing stays open forever (h11 has no timeout of its own). The
protocol class :func:`header_timeout_protocol` gives each request
``seconds`` from its first byte (or from the connection's start) to finish
its headers, then answers 408 and closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Lanes: what a query is, for the reserved workers.
CANNED = "canned"
ADHOC = "adhoc"
#: The steps of a write (an update's evaluation, a change's validation): first in line,
#: since every other write waits on the KG's lock they hold.
WRITES = "writes"

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class QueueFull(Exception):
    """The query cannot even wait: its client's queue, or the whole queue, is full."""

    def __init__(self, message: str, *, client_bound: bool) -> None:
        super().__init__(message)
        self.message = message
        self.client_bound = client_bound


class QueueTimeout(Exception):
    """The query waited its longest for a worker."""


@dataclass
class _Waiter:
    client: str
    lane: str
    seq: int
    future: asyncio.Future[str]


@dataclass
class _Usage:
    seconds: float = 0.0
    at: float = 0.0


@dataclass
class Admission:
    """Who gets the next free worker; see the module's description."""

    workers: int
    reserved: int = 1
    per_client: int = 2
    client_queue: int = 8
    queue_size: int = 64
    wait: float = 20.0
    half_life: float = 60.0
    #: Seconds one query must hold a worker to make its client *heavy* (None: never).
    heavy: float | None = None
    #: Seconds a client stays heavy after such a query.
    heavy_for: float = 60.0
    _heavy_until: dict[str, float] = field(default_factory=dict)
    _waiting: list[_Waiter] = field(default_factory=list)
    _running: dict[str, int] = field(default_factory=dict)
    _usage: dict[str, _Usage] = field(default_factory=dict)
    _busy: dict[str, int] = field(default_factory=lambda: {"reserved": 0, "shared": 0, "heavy": 0})
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.workers = max(1, self.workers)
        # with one worker nothing can be reserved: it is shared
        self.reserved = min(max(0, self.reserved), self.workers - 1)

    # -- what the server shows --------------------------------------------------------

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return sum(self._busy.values())

    def usage(self, client: str) -> float:
        """The client's recent worker time in seconds (decayed)."""
        return self._decayed(client, time.monotonic())

    # -- admission ------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def slot(self, client: str, lane: str) -> AsyncIterator[bool]:
        """Wait for a worker slot for *client*'s query of *lane*; hold it for the block.

        The block gets True when the slot is one of the reserved workers'."""
        kind = await self._acquire(client, lane)
        started = time.monotonic()
        try:
            yield kind == "reserved"
        finally:
            self._release(client, kind, time.monotonic() - started)

    async def _acquire(self, client: str, lane: str) -> str:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        waiter = _Waiter(client, lane, next(self._seq), future)
        self._waiting.append(waiter)
        self._dispatch()
        if future.done():  # a worker was free
            return future.result()
        mine = sum(1 for w in self._waiting if w.client == client) - 1
        if mine >= self.client_queue:
            self._forget(waiter)
            raise QueueFull(
                f"this client already has {mine} queries waiting for a worker "
                f"(the limit is {self.client_queue}, with {self.per_client} running at once)",
                client_bound=True,
            )
        if len(self._waiting) - 1 >= self.queue_size:
            self._forget(waiter)
            raise QueueFull(
                f"{len(self._waiting)} queries are waiting for a worker, "
                "the most the server queues",
                client_bound=False,
            )
        timer = loop.call_later(self.wait, self._expire, waiter)
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._release(client, future.result(), 0.0)  # granted as we were cancelled
            else:
                self._forget(waiter)
            raise
        finally:
            timer.cancel()

    def _expire(self, waiter: _Waiter) -> None:
        if not waiter.future.done():
            self._forget(waiter)
            waiter.future.set_exception(QueueTimeout())

    def _forget(self, waiter: _Waiter) -> None:
        with contextlib.suppress(ValueError):
            self._waiting.remove(waiter)

    def _release(self, client: str, kind: str, seconds: float) -> None:
        self._busy[kind] -= 1
        left = self._running.get(client, 0) - 1
        if left > 0:
            self._running[client] = left
        else:
            self._running.pop(client, None)
        now = time.monotonic()
        self._usage[client] = _Usage(self._decayed(client, now) + seconds, now)
        if self.heavy is not None and seconds >= self.heavy:
            self._heavy_until[client] = now + self.heavy_for
        if len(self._usage) > 4096 or len(self._heavy_until) > 4096:
            self._prune(now)
        self._dispatch()

    def _decayed(self, client: str, now: float) -> float:
        usage = self._usage.get(client)
        if usage is None:
            return 0.0
        return float(usage.seconds * 0.5 ** ((now - usage.at) / self.half_life))

    def _prune(self, now: float) -> None:
        keep = {w.client for w in self._waiting} | set(self._running)
        for client in list(self._usage):
            if client not in keep and self._decayed(client, now) < 0.5:
                del self._usage[client]
        for client in list(self._heavy_until):
            if not self._is_heavy(client, now):
                del self._heavy_until[client]

    def _is_heavy(self, client: str, now: float) -> bool:
        return self._heavy_until.get(client, 0.0) > now

    def heavy_clients(self) -> list[str]:
        now = time.monotonic()
        return sorted(c for c in self._heavy_until if self._is_heavy(c, now))

    def _free(self, lane: str, heavy: bool = False) -> str | None:
        """The kind of slot a query of *lane* could take now, or None.

        Heavy clients together hold at most all shared workers but one, so
        that one is left to the others whatever the heavy ones send."""
        shared = self.workers - self.reserved
        if lane in (CANNED, WRITES) and self._busy["reserved"] < self.reserved:
            return "reserved"
        if self._busy["shared"] + self._busy["heavy"] >= shared:
            return None
        if not heavy:
            return "shared"
        return "heavy" if self._busy["heavy"] < max(1, shared - 1) else None

    def _dispatch(self) -> None:
        """Give every free slot to the fairest waiting query that may take it."""
        while self._waiting:
            now = time.monotonic()
            candidates = [
                w
                for w in self._waiting
                if not w.future.done()
                and self._running.get(w.client, 0) < self.per_client
                and self._free(w.lane, self._is_heavy(w.client, now)) is not None
            ]
            if not candidates:
                return
            best = min(
                candidates,
                key=lambda w: (
                    w.lane != WRITES,
                    self._running.get(w.client, 0),
                    self._is_heavy(w.client, now),
                    w.seq,
                ),
            )
            kind = self._free(best.lane, self._is_heavy(best.client, now))
            assert kind is not None
            self._waiting.remove(best)
            self._busy[kind] += 1
            self._running[best.client] = self._running.get(best.client, 0) + 1
            best.future.set_result(kind)


# -- who the client is -------------------------------------------------------------------


def parse_networks(specs: Iterable[str]) -> tuple[_Network, ...]:
    """Addresses or networks (``10.0.0.1``, ``10.0.0.0/8``, ``::1``); ValueError names a bad one."""
    out = []
    for spec in specs:
        try:
            out.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {spec!r}") from None
    return tuple(out)


def _address(text: str) -> _Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _key(address: _Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_key(scope: Mapping[str, Any], trusted: tuple[_Network, ...] = ()) -> str:
    """Who sent the request of the ASGI *scope*: an address, or an IPv6 /64 network."""
    peer_info = scope.get("client")
    peer = _address(peer_info[0]) if peer_info else None
    if peer is None:
        return str(peer_info[0]) if peer_info else "unknown"
    if not trusted or not any(peer in net for net in trusted):
        return _key(peer)
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name.lower() == b"x-forwarded-for"
    ]
    hops = [h for part in forwarded for h in part.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage: trust nothing to its left
            break
        client = address
        if not any(address in net for net in trusted):
            break
    return _key(client)


# -- the header timeout --------------------------------------------------------------------


_TIMEOUT_BODY = b"the request's headers did not arrive in time\n"
_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


def header_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, closing connections whose headers take over *seconds*."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutProtocol(H11Protocol):
        header_timeout = seconds

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            self._header_timer: asyncio.TimerHandle | None = None
            super().connection_made(transport)
            self._arm()

        def _in_request(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def data_received(self, data: bytes) -> None:
            if not self._in_request():
                self._arm()  # bytes of a new request: its headers must come in time
            super().data_received(data)
            if self._in_request():
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # a pipelined request may have started; else the keep-alive timer runs
            if self._in_request():
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _expired(self) -> None:
            self._header_timer = None
            if self._in_request() or self.transport.is_closing():
                return
            self.logger.info(
                "closed a connection from %s whose request headers took over %g s",
                self.client[0] if self.client else "?",
                self.header_timeout,
            )
            self.transport.write(_REQUEST_TIMEOUT)
            self.transport.close()

    return HeaderTimeoutProtocol
