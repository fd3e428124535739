"""A large write through the server: its time, and the memory of the server and its workers.

Starts ``zonegraph serve --allow-updates`` on a fresh copy of the shipped graph (``zonegraph
init``), POSTs one Graph Store body of new companies (4 triples each, plus a source), and
prints the resident memory of the server process and of each query worker before and after
(from /proc, so Linux only). The change is validated in a worker (issue #20): the server
process should not grow by the validation's memory, and the worker gives it back.

    python benchmarks/server_write.py                  # 4,700 companies: 18,806 triples
    python benchmarks/server_write.py --companies 1000
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ZGS = "https://w3id.org/zonegraph/source/"
PREFIXES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
"""
TOKEN = "benchmark-token-0123456789abcdef"


def body(companies: int) -> bytes:
    source = f"<{ZGS}made-up-2019>"
    lines = [
        PREFIXES,
        f"{source} a zg:NewsArticle ; rdfs:label 'A made-up article'@en ;",
        "  dct:title 'A made-up article'@en ; dct:publisher zgr:china-daily ;",
        "  dct:issued '2019-01-02'^^xsd:date ;",
        "  schema:url 'https://example.org/made-up'^^xsd:anyURI .",
    ]
    lines += [
        f"zgr:made-up-company-{i} a zg:Company ; rdfs:label 'Made-up Company {i}'@en ;"
        f" zg:locatedIn zgr:sino-german-ecopark ; dct:source {source} ."
        for i in range(companies)
    ]
    return "\n".join(lines).encode()


def rss_mib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024


def workers(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=4700)
    args = parser.parse_args()
    zonegraph = [sys.executable, "-m", "zonegraph"]
    with tempfile.TemporaryDirectory() as tmp:
        kg = Path(tmp) / "kg"
        subprocess.run([*zonegraph, "init", str(kg)], check=True, capture_output=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        serve = [*zonegraph, "--kg", str(kg), "serve", "--port", str(port), "--allow-updates"]
        server = subprocess.Popen(
            [*serve, "--timeout", "300"],
            env={**os.environ, "ZONEGRAPH_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            time.sleep(3)  # the workers finish starting
            print(f"before: server {rss_mib(server.pid)} MiB, workers", end=" ")
            print([rss_mib(w) for w in workers(server.pid)], "MiB")
            data = body(args.companies)
            started = time.monotonic()
            reply = httpx.post(
                f"{url}/store?default",
                content=data,
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
                timeout=600,
            )
            took = time.monotonic() - started
            print(
                f"POST {args.companies * 4 + 6:,} triples: HTTP {reply.status_code} in {took:.1f} s"
            )
            time.sleep(2)
            print(f"after:  server {rss_mib(server.pid)} MiB, workers", end=" ")
            print([rss_mib(w) for w in workers(server.pid)], "MiB")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)


if __name__ == "__main__":
    main()
