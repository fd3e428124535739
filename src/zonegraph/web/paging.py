"""Pages of a query's rows over HTTP: ``?limit=N&offset=M&total=false`` read from a URL,
and the links to the pages before and after (RFC 8288 ``Link``, ``X-Total-Count``), shared
by the REST API (server) and the query page (query_page). The page itself is applied by
sparql/paging.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .errors import HttpError

if TYPE_CHECKING:
    from .tasks import Reply

#: The URL parameters that choose a page, never a query parameter.
PAGING = ("offset", "limit", "total")


def page_of(url: Mapping[str, str], *, default_limit: int | None) -> tuple[int, int | None]:
    """The ``offset`` and ``limit`` a URL asks for; HttpError 400 for one that is not a
    whole number (``limit`` at least 1)."""
    out: list[int | None] = []
    for word, least, default in (("offset", 0, 0), ("limit", 1, default_limit)):
        given = url.get(word)
        if given is None or given == "":
            out.append(default)
            continue
        if not given.isdigit() or int(given) < least:
            raise HttpError(
                400,
                f"{word}={given!r} is not a whole number of rows",
                f"give {word}={least} or more" + (" (the page size)" if word == "limit" else ""),
            )
        out.append(int(given))
    return out[0] or 0, out[1]


def page_links(url: Mapping[str, str], path: str, reply: Reply) -> dict[str, str]:
    """The URLs of the pages before and after the one *reply* holds (``prev``, ``next``),
    as RFC 8288 names them; each is *url* with its ``offset`` changed."""
    links: dict[str, str] = {}
    if reply.limit is None:
        return links
    if reply.more:
        links["next"] = f"{path}?{urlencode({**url, 'offset': reply.offset + reply.limit})}"
    if reply.offset > 0:
        before = max(reply.offset - reply.limit, 0)
        links["prev"] = f"{path}?{urlencode({**url, 'offset': before})}"
    return links


def wants_total(url: Mapping[str, str]) -> bool:
    """Whether the whole listing is counted too (``?total=false`` skips the count)."""
    return url.get("total", "true").lower() not in ("false", "0", "no")


def headers(url: Mapping[str, str], path: str, reply: Reply) -> dict[str, str]:
    """The REST answer's paging headers: ``Link`` to the pages around it, and
    ``X-Total-Count`` when a page was asked for and the total counted."""
    out: dict[str, str] = {}
    links = page_links(url, path, reply)
    if links:
        out["Link"] = ", ".join(f'<{u}>; rel="{r}"' for r, u in links.items())
    if (reply.limit is not None or reply.offset) and reply.total is not None:
        out["X-Total-Count"] = str(reply.total)
    return out
