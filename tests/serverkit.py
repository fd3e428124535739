"""Running the zonegraph server for tests: on a copy of the KG, on a free loopback port.

The server runs in a thread of the test process (uvicorn on a socket bound to
127.0.0.1 port 0), with its query workers as real child processes, and is
reached over real HTTP.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

import zonegraph
from zonegraph.web import ServerOptions, create_app
from zonegraph.web.running import uvicorn_config

REPO = Path(__file__).resolve().parent.parent
TOKEN = "test-token-0123456789abcdef"


def copy_kg(target: Path) -> Path:
    """Copy ontology/, kg/ and queries/ of the repository into *target*."""
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, target / part)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under kg/ of *root*, byte for byte."""
    return {p.name: p.read_bytes() for p in sorted((root / "kg").glob("*.ttl"))}


@dataclass
class Running:
    url: str
    app: Any
    kg: zonegraph.KnowledgeGraph

    @property
    def server(self) -> Any:
        return self.app.state.server


@contextlib.contextmanager
def running_server(kg: zonegraph.KnowledgeGraph, **options: Any) -> Iterator[Running]:
    """Serve *kg* with *options* (ServerOptions fields) until the block ends."""
    app = create_app(kg, options=ServerOptions(**options))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # uvicorn binds the port itself: with a socket handed to it, every request
    # waited 40 ms (delayed ACK) on this machine.
    server = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Running(f"http://127.0.0.1:{port}", app, kg)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
