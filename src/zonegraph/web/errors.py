"""The server's error answers: :class:`HttpError` (a status, a message, how to fix it),
and how it is written for the client asking (JSON under ``/api/``, an HTML page for a
browser, plain text otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from . import conneg

if TYPE_CHECKING:
    from .pages import Pages


class HttpError(Exception):
    """An error answer: status, message and how to fix it."""

    def __init__(
        self,
        status: int,
        message: str,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.hint, self.headers = status, message, hint, headers or {}


def error_response(request: Request, exc: HttpError, pages: Pages) -> Response:
    """*exc* as the answer to *request*: JSON for the API, HTML for a browser, else text."""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"error": exc.message, "hint": exc.hint, "status": exc.status},
            status_code=exc.status,
            headers=exc.headers,
        )
    accept = request.headers.get("accept") or ""
    if "text/html" in accept and conneg.quality(accept, "text/html") >= conneg.quality(
        accept, "text/plain"
    ):
        return html_response(
            pages.error(exc.status, exc.message, exc.hint),
            status=exc.status,
            headers=exc.headers,
        )
    text = exc.message + (f"\nhint: {exc.hint}" if exc.hint else "") + "\n"
    return PlainTextResponse(text, status_code=exc.status, headers=exc.headers)


def html_response(
    text: str, *, status: int = 200, vary: bool = False, headers: dict[str, str] | None = None
) -> Response:
    extra = dict(headers or {})
    if vary:
        extra["Vary"] = "Accept"
    return Response(text, status_code=status, media_type="text/html; charset=utf-8", headers=extra)
