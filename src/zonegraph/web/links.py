"""Where a zonegraph IRI lives on the server, and back.

Every IRI under ``https://w3id.org/zonegraph/`` has a page on the server:
``…/id/<slug>`` at ``/id/<slug>``, ``…/source/<slug>`` at ``/source/<slug>``,
``…/ontology#<Term>`` at ``/ontology/<Term>`` (the whole ontology at
``/ontology``, where each term also has an anchor), and ``…/shapes#<Shape>`` at
``/shapes#<Shape>`` (one page of all shapes).

>>> local_path("https://w3id.org/zonegraph/ontology#CooperationPark")
'/ontology/CooperationPark'
>>> local_path("https://w3id.org/zonegraph/shapes#FigureShape")
'/shapes#FigureShape'
>>> iri_for_path("/id/sino-german-ecopark")
'https://w3id.org/zonegraph/id/sino-german-ecopark'
"""

from __future__ import annotations

from urllib.parse import quote

#: The namespace whose IRIs have pages here.
BASE = "https://w3id.org/zonegraph/"

#: Characters a path keeps as they are; everything else (``?``, ``#``, ``%``, ``\\``, spaces,
#: non-ASCII …) is percent-encoded, so that the server decodes the path back to the IRI.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def local_path(iri: str) -> str | None:
    """The server path of a zonegraph IRI, or None for IRIs outside its namespace.

    The path always names this server: it starts with one ``/`` followed by
    something else, never ``//`` (which a browser reads as another host).
    An IRI whose path would start so (``https://w3id.org/zonegraph//evil.example/x``)
    has no page here, and is linked as itself.

    >>> local_path("https://w3id.org/zonegraph//evil.example/x") is None
    True
    >>> local_path("https://w3id.org/zonegraph/id/a b?c#d")
    '/id/a%20b%3Fc%23d'
    """
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest.startswith("shapes#"):  # one page for all shapes, each with its anchor
        return "/shapes#" + quote(rest[len("shapes#") :], safe=_PATH_SAFE)
    if rest.startswith("ontology#"):
        rest = "ontology/" + rest[len("ontology#") :]
    path = quote_path("/" + rest)
    if path.startswith("//"):
        return None
    return path


def quote_path(path: str) -> str:
    """*path* (as the server decoded it) percent-encoded again, fit for a link."""
    return quote(path, safe=_PATH_SAFE)


def iri_for_path(path: str) -> str:
    """The zonegraph IRI a server path stands for (the inverse of :func:`local_path`)."""
    rest = path.lstrip("/")
    if rest.startswith("ontology/"):
        return f"{BASE}ontology#{rest[len('ontology/') :]}"
    return BASE + rest
