"""``zonegraph serve``: the Starlette app, its HTML pages, content negotiation, limits
on clients, the query worker processes, service descriptions and validated updates.
``static/`` and ``templates/`` are its assets.  Nothing outside ``zonegraph.cli`` imports
this package; it needs the ``serve`` extra (starlette, uvicorn, jinja2).

The public names: :func:`create_app` (the ASGI app over a KnowledgeGraph),
:class:`ServerOptions` (limits, CORS, updates) and :func:`serve` (run it with uvicorn)::

    from zonegraph import open_kg
    from zonegraph.web import ServerOptions, create_app

    app = create_app(open_kg("."), options=ServerOptions(timeout=5))

They are imported on first use, so that a query worker process
(``python -m zonegraph.web.worker``), which imports this package, does not load the web
framework.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .options import ServerOptions
    from .running import serve
    from .server import create_app

__all__ = ["ServerOptions", "create_app", "serve"]

_WHERE = {"ServerOptions": ".options", "create_app": ".server", "serve": ".running"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
