"""The HTTP side of a SPARQL server as the store: httpx, credentials, errors as StoreError.

Kept apart from the store's semantics (:mod:`zonegraph.store.sparql_server`), as rdflib keeps
``sparqlconnector`` apart from ``sparqlstore``; imported only when a SPARQL server is
the store, so the other stores start without httpx.

* **Credentials** come from the environment only (:func:`credentials_from_env`), never
  from the command line, and are never printed.
* A user and password answer the server's challenge, Basic or Digest
  (``ZONEGRAPH_SPARQL_AUTH=basic`` sends Basic up front); a token is sent as a bearer.
* Proxies and ``.netrc`` from the environment are not used: the store is the URL the
  user named.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx

from .._errors import StoreError


@dataclass(frozen=True)
class Credentials:
    """How to authenticate: a user and password (Basic or Digest) or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None
    #: "auto" answers the server's challenge (Basic or Digest); "basic" sends Basic up front.
    scheme: str = "auto"

    def __repr__(self) -> str:  # never print a secret
        password = "***" if self.password else None
        token = "***" if self.token else None
        scheme = self.scheme
        return f"Credentials(user={self.user!r}, password={password}, token={token}, {scheme=})"


def credentials_from_env(env: Mapping[str, str] | None = None) -> Credentials:
    """Credentials from ``ZONEGRAPH_SPARQL_USER`` / ``_PASSWORD`` / ``_TOKEN`` / ``_AUTH``."""
    env = os.environ if env is None else env
    scheme = env.get("ZONEGRAPH_SPARQL_AUTH", "auto").strip().lower() or "auto"
    if scheme not in ("auto", "basic"):
        raise StoreError(
            f"ZONEGRAPH_SPARQL_AUTH={scheme!r} is not a known scheme", hint="use auto or basic"
        )
    return Credentials(
        user=env.get("ZONEGRAPH_SPARQL_USER") or None,
        password=env.get("ZONEGRAPH_SPARQL_PASSWORD") or None,
        token=env.get("ZONEGRAPH_SPARQL_TOKEN") or None,
        scheme=scheme,
    )


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    headers: Mapping[str, str]
    body: bytes


class _ChallengeAuth(httpx.Auth):
    """A user and password given in answer to the server's challenge, Basic or Digest,
    whichever it asks for (httpx has an Auth for each, not one that chooses)."""

    requires_request_body = True  # the request is sent again with the credentials

    def __init__(self, user: str, password: str) -> None:
        self.basic = httpx.BasicAuth(user, password)
        self.digest = httpx.DigestAuth(user, password)
        self.scheme: httpx.Auth | None = None  # the one the server asked for, once known

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme is not None:
            yield from self.scheme.auth_flow(request)
            return
        response = yield request
        asked = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        if response.status_code != 401 or asked not in ("basic", "digest"):
            return
        self.scheme = self.digest if asked == "digest" else self.basic
        yield from self.scheme.auth_flow(request)


class HttpClient:
    """The HTTP client (httpx) with the credentials applied, and its errors as StoreErrors."""

    def __init__(self, credentials: Credentials, timeout: float) -> None:
        headers = {"User-Agent": "zonegraph"}
        auth: httpx.Auth | None = None
        if credentials.token:
            headers["Authorization"] = f"Bearer {credentials.token}"
        elif credentials.user is not None:
            password = credentials.password or ""
            if credentials.scheme == "basic":
                auth = httpx.BasicAuth(credentials.user, password)
            else:
                auth = _ChallengeAuth(credentials.user, password)
        # no proxies or netrc from the environment: the store is the URL the user named
        self.client = httpx.Client(headers=headers, auth=auth, timeout=timeout, trust_env=False)

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        ok_missing: bool = False,
    ) -> Response:
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        try:
            resp = self.client.request(method, url, content=data, headers=headers)
        except httpx.HTTPError as exc:
            raise StoreError(
                f"cannot reach the SPARQL server at {show_url(url)}: {exc}",
                hint="check that the server is running, and the URLs "
                "(--store sparql:URL, --update-url, --gsp-url)",
            ) from exc
        except OSError as exc:  # the audit guard refuses with PermissionError
            raise StoreError(
                f"cannot reach the SPARQL server at {show_url(url)}: {exc}",
                hint="check that the server is running, and the URLs "
                "(--store sparql:URL, --update-url, --gsp-url)",
            ) from exc
        if resp.status_code < 400 or (ok_missing and resp.status_code == 404):
            kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            return Response(resp.status_code, kind, dict(resp.headers.items()), resp.content)
        detail = resp.content.decode("utf-8", "replace").strip()[:500]
        hint = None
        if resp.status_code in (401, 403):
            hint = (
                "the server wants credentials: set ZONEGRAPH_SPARQL_USER and "
                "ZONEGRAPH_SPARQL_PASSWORD, "
                "or ZONEGRAPH_SPARQL_TOKEN, in the environment (never on the command line)"
            )
        raise StoreError(
            f"{method} {show_url(url)}: HTTP {resp.status_code} {resp.reason_phrase}: {detail}",
            hint=hint,
        )

    def close(self) -> None:
        self.client.close()


def show_url(url: str) -> str:
    """*url* without its query string (which may hold a whole query)."""
    return url.split("?", 1)[0]
