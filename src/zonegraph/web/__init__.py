"""``zonegraph serve``: the Starlette app, its HTML pages, content negotiation, limits
on clients, the query worker processes, service descriptions and validated updates.
``static/`` and ``templates/`` are its assets.  Nothing outside ``zonegraph.cli`` imports
this package; it needs the ``serve`` extra (starlette, uvicorn, jinja2)."""
