"""Real SPARQL servers for the tests, started on free loopback ports and stopped again.

* :class:`OxigraphServer` runs ``oxigraph serve`` (PyPI package ``oxigraph``)
  on a fresh folder.
* :class:`VirtuosoServer` runs Debian's ``virtuoso-t`` through
  ``.ci/virtuoso-start`` / ``.ci/virtuoso-stop`` (a private ini bound to
  127.0.0.1, a fresh database in a temporary folder).

Both are context managers; ``stop()`` is safe to call twice and waits until the
process is gone, so no server outlives the tests that started it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[2]
CI = REPO / ".ci"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command of this virtual environment (or PATH), if installed."""
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when *url* (a SPARQL query endpoint) answers ``ASK {}``."""
    full = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    req = urllib.request.Request(full, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


class _Server:
    def __enter__(self) -> _Server:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class OxigraphServer(_Server):
    """``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (read-write, no auth).

    With ``union_default_graph`` the server is started with
    ``--union-default-graph``; zonegraph does not need it (it names its graphs
    in every request) but other clients of the same server may.
    """

    def __init__(self, location: Path, *, union_default_graph: bool = False) -> None:
        self.location = location
        self.union_default_graph = union_default_graph
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/store"

    def start(self) -> None:
        binary = oxigraph_binary()
        if binary is None:
            raise RuntimeError("the oxigraph command is not installed (pip install oxigraph)")
        self.location.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        cmd = [
            binary,
            "serve",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        self.log = self.location.parent / f"{self.location.name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {self.log.read_text(errors='replace')}")
            if answers(self.query_url):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None


class VirtuosoServer(_Server):
    """Debian's Virtuoso, run by ``.ci/virtuoso-start DIR`` on loopback with a fresh database.

    Its ``dba`` account has the password ``dba``; queries and updates go to
    ``/sparql-auth`` and the Graph Store Protocol to
    ``/sparql-graph-crud-auth``, both with HTTP Digest authentication.
    """

    user = "dba"
    password = "dba"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env: dict[str, str] = {}

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["bash", str(CI / "virtuoso-start"), str(self.folder)],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "VIRTUOSO_MAX_ROWS": os.environ.get("VIRTUOSO_MAX_ROWS", "1000000")},
        )
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"virtuoso-start failed ({done.returncode}): {done.stderr}")
        for line in (self.folder / "virtuoso.env").read_text().splitlines():
            key, _, value = line.partition("=")
            self.env[key] = value

    @property
    def pid(self) -> int:
        return int(self.env["VIRTUOSO_PID"])

    @property
    def query_url(self) -> str:
        return self.env["VIRTUOSO_SPARQL_AUTH_URL"]

    @property
    def public_url(self) -> str:
        return self.env["VIRTUOSO_SPARQL_URL"]

    @property
    def gsp_url(self) -> str:
        return self.env["VIRTUOSO_GSP_AUTH_URL"]

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(CI / "virtuoso-stop"), str(self.folder)], timeout=120, check=False
        )


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
