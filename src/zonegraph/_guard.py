"""Defence in depth: no network, no files, no processes while untrusted input runs.

zonegraph refuses what would reach outside the graph by checking the parsed
input first (``SERVICE``, ``LOAD``, ``FROM``, ``owl:imports``, SPARQL in
shapes: see :mod:`zonegraph.sparql.guard` and :mod:`zonegraph.validate.shapecheck`). This
module is the second line, for what those checks might miss: while rdflib
evaluates a query or pySHACL validates, a Python audit hook (:pep:`578`)
refuses

- any socket, name lookup or URL request (unless the network is allowed),
- opening a file other than a Python module or package resource for reading,
- starting a process.

The hook is installed once per process and acts only inside :func:`guarded`
blocks of the current thread (a :class:`~contextvars.ContextVar`), so the
server, the stores and the tests, which open sockets and files on purpose,
are not affected. It does not replace isolation by the operating system
(containers, no outbound network) for a public endpoint; see docs/security.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._errors import ZonegraphError


class RefusedAccessError(ZonegraphError):
    """The input made zonegraph try to open a URL, a file or a process; it was refused."""


_NETWORK_EVENTS = frozenset(
    {
        "socket.__new__",
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
        "urllib.Request",
        "http.client.connect",
        "ftplib.connect",
        "smtplib.connect",
        "poplib.connect",
        "imaplib.open",
        "nntplib.connect",
        "telnetlib.Telnet.open",
        "webbrowser.open",
    }
)
_PROCESS_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
    }
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass
class _State:
    what: str
    allow_network: bool
    refused: list[str] = field(default_factory=list)


_ACTIVE: contextvars.ContextVar[_State | None] = contextvars.ContextVar(
    "zonegraph_guard", default=None
)
_NETWORK: contextvars.ContextVar[bool] = contextvars.ContextVar("zonegraph_network", default=False)
_IN_HOOK = threading.local()
_install_lock = threading.Lock()
_installed = False
_readable: tuple[str, ...] = ()


def _readable_roots() -> tuple[str, ...]:
    """Folders a guarded block may read from: the interpreter's and the import path's."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(p for p in sys.path if p and os.path.isabs(p))
    roots.add(os.path.dirname(os.path.abspath(__file__)))
    return tuple(sorted({os.path.join(os.path.realpath(r), "") for r in roots}))


def _hook(event: str, args: tuple[Any, ...]) -> None:
    state = _ACTIVE.get()
    if state is None or getattr(_IN_HOOK, "busy", False):
        return
    _IN_HOOK.busy = True
    try:
        why = _judge(event, args, state)
    finally:
        _IN_HOOK.busy = False
    if why is not None:
        state.refused.append(why)
        raise PermissionError(f"zonegraph refused {why} during {state.what}")


def _judge(event: str, args: tuple[Any, ...], state: _State) -> str | None:
    if event in _NETWORK_EVENTS:
        if state.allow_network:
            return None
        if event == "urllib.Request":
            return f"a request to {args[0]}"
        if event in ("socket.connect", "socket.sendto"):
            return f"a connection to {args[1]!r}"
        if event == "socket.getaddrinfo":
            return f"a name lookup of {args[0]!r}"
        return f"network access ({event})"
    if event in _PROCESS_EVENTS:
        return f"starting a process ({event})"
    if event == "open":
        path, mode, flags = (*args, None, None, None)[:3]
        if isinstance(path, int) or path is None:
            return None
        name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
        writes = (
            any(c in mode for c in "wax+")
            if isinstance(mode, str)
            else bool(isinstance(flags, int) and flags & _WRITE_FLAGS)
        )
        real = os.path.realpath(name)
        if not writes and real.startswith(_readable):
            return None
        return f"{'writing' if writes else 'reading'} the file {name}"
    return None


def _install() -> None:
    global _installed, _readable
    if _installed:
        return
    with _install_lock:
        if not _installed:
            _readable = _readable_roots()
            sys.addaudithook(_hook)
            _installed = True


@contextlib.contextmanager
def network_allowed(allow: bool = True) -> Iterator[None]:
    """Within this block, guarded blocks that do not say otherwise may use the network."""
    token = _NETWORK.set(allow)
    try:
        yield
    finally:
        _NETWORK.reset(token)


@contextlib.contextmanager
def guarded(what: str, *, allow_network: bool | None = None) -> Iterator[None]:
    """Refuse network, file and process access by the code in this block.

    *allow_network* None follows the enclosing :func:`network_allowed` block.
    If anything was refused, :class:`RefusedAccessError` is raised when the
    block ends, even if the library that tried swallowed the refusal.
    """
    _install()
    outer = _ACTIVE.get()
    if allow_network is None:
        allow_network = _NETWORK.get() if outer is None else outer.allow_network
    state = _State(what, allow_network)
    token = _ACTIVE.set(state)
    try:
        yield
    except BaseException as exc:
        _ACTIVE.reset(token)
        if state.refused and isinstance(exc, Exception):
            raise _refusal(state) from exc
        raise
    else:
        _ACTIVE.reset(token)
        if state.refused:
            raise _refusal(state)
    finally:
        if outer is not None and state.refused:
            outer.refused.extend(state.refused)


def _refusal(state: _State) -> RefusedAccessError:
    return RefusedAccessError(
        f"{state.what} tried {state.refused[0]}; zonegraph refused it",
        hint="zonegraph never opens URLs or files its input names; "
        "--allow-network permits network access (SERVICE) where you trust the input",
    )
