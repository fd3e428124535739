"""The server against hostile clients (issue #20): connections that never finish
their headers, a forged Host header, and IRIs made to look like links to
another host. Each test talks to a real server over real sockets on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from rdflib import Graph, URIRef

import zonegraph
from serverkit import Running, copy_kg, running_server
from support import FACT_PREFIXES, source_description

HEADER_TIMEOUT = 1.0
#: How much later than the limit a connection may close (a loaded test machine).
SLACK = 4.0
HTML = {"Accept": "text/html"}


def _port(running: Running) -> int:
    return int(running.url.rsplit(":", 1)[1])


def _closed_after(sock: socket.socket, limit: float) -> tuple[float, bytes]:
    """Read until the server closes *sock*; (seconds it took, bytes received).

    Fails when the connection is still open *limit* seconds later."""
    started = time.monotonic()
    sock.settimeout(limit)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the connection was still open after {limit:g} s; got {received!r}")
    except ConnectionResetError:
        pass
    return time.monotonic() - started, received


# -- 2. a connection must finish its headers in time ------------------------------------------


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = copy_kg(tmp_path_factory.mktemp("kg-header-timeout"))
    with running_server(zonegraph.open_kg(root), header_timeout=HEADER_TIMEOUT) as running:
        yield running


@pytest.mark.parametrize(
    "partial",
    [
        b"GET /api/hea",  # half a request line
        b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/pl",  # half the headers
        b"",  # nothing at all
    ],
)
def test_a_connection_that_does_not_finish_its_headers_is_closed(
    quick: Running, partial: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) as sock:
        sock.sendall(partial)
        seconds, received = _closed_after(sock, HEADER_TIMEOUT + SLACK)
    assert seconds >= HEADER_TIMEOUT * 0.9
    assert received.startswith(b"HTTP/1.1 408 ")


def test_a_keep_alive_connection_that_starts_a_second_request_and_stalls_is_closed(
    quick: Running,
) -> None:
    with socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while b'"status"' not in first:
            first += sock.recv(4096)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 1")  # and then nothing
        _seconds, received = _closed_after(sock, HEADER_TIMEOUT + SLACK)
    assert received.startswith(b"HTTP/1.1 408 ")


def test_many_half_open_connections_are_all_closed_and_the_server_keeps_answering(
    quick: Running,
) -> None:
    sockets = []
    try:
        for i in range(200):
            sock = socket.create_connection(("127.0.0.1", _port(quick)), timeout=5)
            sock.sendall(b"GET /id/sino-german-ecopark HTTP/1.1\r\nX-Slow: " + str(i).encode())
            sockets.append(sock)
        with httpx.Client(base_url=quick.url, timeout=10) as client:
            assert client.get("/api/health").status_code == 200
        deadline = time.monotonic() + HEADER_TIMEOUT + SLACK
        for sock in sockets:
            _seconds, received = _closed_after(sock, max(0.1, deadline - time.monotonic()))
            assert received.startswith(b"HTTP/1.1 408 ")
    finally:
        for sock in sockets:
            sock.close()


def test_a_slow_but_complete_request_is_answered(quick: Running) -> None:
    with socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) as sock:
        for part in (b"GET /api/health HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"\r\n"):
            sock.sendall(part)
            time.sleep(HEADER_TIMEOUT / 4)
        answer = b""
        while b'"status"' not in answer:
            answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200 ")


# -- 3. the Host header is never reflected ------------------------------------------------------


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = _kg_with_odd_iris(tmp_path_factory.mktemp("kg-limits"))
    with running_server(zonegraph.open_kg(root)) as running:
        yield running


FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
_SD_ENDPOINT = URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")


def test_a_forged_host_is_not_in_the_openapi_document(srv: Running) -> None:
    r = httpx.get(srv.url + "/api/openapi.json", headers=FORGED, timeout=30)
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert r.json()["servers"] == [{"url": srv.url}]


def test_a_forged_host_is_not_in_the_service_description(srv: Running) -> None:
    r = httpx.get(srv.url + "/sparql", headers={**FORGED, "Accept": "text/turtle"}, timeout=30)
    assert r.status_code == 200
    assert "evil.example" not in r.text
    g = Graph().parse(data=r.text, format="turtle")
    endpoints = {str(o) for o in g.objects(None, _SD_ENDPOINT)}
    assert endpoints == {srv.url + "/sparql"}


def test_the_configured_base_url_is_used(tmp_path: Path) -> None:
    root = copy_kg(tmp_path / "kg")
    base = "https://kg.example.org/zonegraph"
    with (
        running_server(zonegraph.open_kg(root), base_url=base + "/", workers=1) as running,
        httpx.Client(base_url=running.url, headers=FORGED, timeout=30) as client,
    ):
        assert client.get("/api/openapi.json").json()["servers"] == [{"url": base}]
        sd = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    g = Graph().parse(data=sd, format="turtle")
    assert {str(o) for o in g.objects(None, _SD_ENDPOINT)} == {base + "/sparql"}
    assert "evil.example" not in sd


def test_a_bad_base_url_is_refused(tmp_path: Path) -> None:
    from zonegraph._errors import ZonegraphError
    from zonegraph.web import ServerOptions

    for bad in ("evil.example", "javascript:alert(1)", "https://x.example/?a=b", "//x.example"):
        with pytest.raises(ZonegraphError, match="base URL"):
            ServerOptions(base_url=bad).check()


# -- 4. every link of a page stays on the server, or is the absolute IRI itself ----------------

BASE = "https://w3id.org/zonegraph/"
#: IRIs in the zonegraph namespace whose naive server path would leave the server,
#: or cut the IRI at ? or #.
ODD = [
    BASE + "/evil.example/x",
    BASE + "//evil.example/y",
    BASE + "id//evil.example/z",
    BASE + "id/odd?x=1#frag",
    BASE + "id/caf%C3%A9-100%25",
    BASE + "id/café",
]


def _kg_with_odd_iris(root: Path) -> Path:
    copy_kg(root)
    facts = [f"zgr:sino-german-ecopark rdfs:seeAlso <{iri}> ." for iri in ODD]
    facts += [f"<{iri}> a zg:Company ; zg:locatedIn zgr:sino-german-ecopark ." for iri in ODD]
    facts.append("zgr:sino-german-ecopark rdfs:seeAlso <javascript:alert(1)> .")
    facts.append("zgr:sino-german-ecopark rdfs:seeAlso <https://example.org/elsewhere> .")
    text = FACT_PREFIXES + source_description("odd-links", "Odd links") + "\n".join(facts) + "\n"
    (root / "kg" / "odd-links.ttl").write_text(text, encoding="utf-8")
    return root


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.hrefs.append(value)


def _hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return parser.hrefs


def _stays_or_is_an_iri(href: str, iris: set[str]) -> bool:
    if href in iris:
        return True  # the absolute IRI itself
    if href.startswith("#"):
        return True
    parts = urlsplit(href)
    # a path on this server: no scheme, no host, one leading slash (never // or /\)
    return (
        not parts.scheme
        and not parts.netloc
        and href.startswith("/")
        and not href.startswith(("//", "/\\"))
        and "\\" not in href
    )


def test_every_link_of_the_pages_stays_on_the_server_or_is_the_iri_itself(srv: Running) -> None:
    data_iris = set(ODD) | {"https://example.org/elsewhere"}
    for graph_name in srv.kg.graph_names():
        data_iris |= {str(n) for t in srv.kg.store.graph(graph_name) for n in t}
    pages = ["/", "/id/sino-german-ecopark", "/source/odd-links", "/ontology"]
    with httpx.Client(base_url=srv.url, headers=HTML, timeout=30) as client:
        seen = 0
        for page in pages:
            r = client.get(page)
            assert r.status_code == 200, page
            hrefs = _hrefs(r.text)
            bad = [h for h in hrefs if not _stays_or_is_an_iri(h, data_iris)]
            assert not bad, (page, bad)
            seen += len(hrefs)
            assert "javascript:" not in " ".join(hrefs)
        assert seen > 100
        ecopark = client.get("/id/sino-german-ecopark").text
        hrefs = _hrefs(ecopark)
        # the odd IRIs that cannot be a path here are linked as themselves
        for iri in ODD[:2]:
            assert iri in hrefs, iri
        # the others are paths that lead back to the same IRI's page
        for iri in ODD[2:]:
            local = [h for h in hrefs if h.startswith("/") and unquote(h) == "/" + iri[len(BASE) :]]
            assert local, (iri, [h for h in hrefs if "odd" in h or "caf" in h or "evil" in h])
            page = client.get(local[0])
            assert page.status_code == 200, (local[0], page.status_code)
            assert re.search(re.escape(iri.replace("&", "&amp;")), page.text), iri


def test_the_query_page_script_builds_no_scheme_relative_link(srv: Running) -> None:
    """query.js maps zonegraph IRIs to server paths the way the pages do."""
    script = httpx.get(srv.url + "/static/query.js", timeout=30).text
    body = script[script.index("function localPath") :]
    body = body[: body.index("\n  }\n")]
    assert 'startsWith("//")' in body and "encodeURIComponent" in body


def test_the_odd_iris_round_trip_through_their_paths() -> None:
    from zonegraph.web.links import iri_for_path, local_path

    for iri in ODD:
        path = local_path(iri)
        if path is None:
            continue
        assert path.startswith("/") and not path.startswith("//")
        assert iri_for_path(unquote(path)) == iri
    assert json.dumps(local_path(BASE + "//evil.example/y")) == "null"
