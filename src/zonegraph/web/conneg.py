"""Content negotiation: which media type answers a request.

The server offers, per kind of answer, a list of media types in its own order
of preference; :func:`negotiate` picks the one the client's ``Accept`` header
rates highest (RFC 9110, section 12.5.1), ties going to the server's order.
A ``format`` request parameter (``csv``, ``turtle``, ``jsonld`` … or a media
type) overrides ``Accept``, so a link can name its format.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULT_OFFERS)
Offer(media_type='application/sparql-results+json', fmt='json')
>>> negotiate("image/png", RESULT_OFFERS) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    """One way to answer: a media type and the serializer format that writes it."""

    media_type: str
    fmt: str


#: SELECT and ASK results (SPARQL 1.1 Query Results formats); the first is the default.
RESULT_OFFERS: tuple[Offer, ...] = (
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("text/csv", "csv"),
    Offer("text/tab-separated-values", "tsv"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
)

#: RDF graphs (CONSTRUCT, DESCRIBE, Graph Store reads, entity descriptions).
GRAPH_OFFERS: tuple[Offer, ...] = (
    Offer("text/turtle", "turtle"),
    Offer("application/ld+json", "jsonld"),
    Offer("application/n-triples", "ntriples"),
    Offer("application/rdf+xml", "xml"),
    Offer("application/trig", "trig"),
    Offer("application/n-quads", "nquads"),
    Offer("application/x-turtle", "turtle"),
    Offer("application/json", "jsonld"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
)

#: Pages: HTML for people first, then the RDF formats for linked-data clients.
PAGE_OFFERS: tuple[Offer, ...] = (
    Offer("text/html", "html"),
    Offer("application/xhtml+xml", "html"),
    *GRAPH_OFFERS,
)

#: File extensions that name a format in a page's path (``/id/x.ttl``).
EXTENSIONS: dict[str, str] = {
    "html": "html",
    "ttl": "turtle",
    "jsonld": "jsonld",
    "nt": "ntriples",
    "rdf": "xml",
    "trig": "trig",
    "nq": "nquads",
}

#: ``format=`` parameter values and what they mean, per kind of answer.
FORMAT_NAMES: dict[str, str] = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "xml",
    "rdf": "xml",
    "trig": "trig",
    "nquads": "nquads",
    "nq": "nquads",
    "html": "html",
}

_TEXT_TYPES = (
    "text/",
    "application/sparql-results+",
    "application/ld+json",
    "application/json",
    "application/n-",
    "application/trig",
    "application/rdf+xml",
    "application/xml",
)


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    specificity: int


def _parse_accept(header: str) -> list[_Range]:
    ranges: list[_Range] = []
    for part in header.split(","):
        items = [p.strip() for p in part.split(";")]
        media = items[0].lower()
        if not media:
            continue
        type_, _, subtype = media.partition("/")
        if not subtype:
            if type_ == "*":
                subtype = "*"
            else:
                continue
        q = 1.0
        params = 0
        for item in items[1:]:
            key, _, value = item.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            else:
                params += 1
        specificity = 0 if type_ == "*" else 1 if subtype == "*" else 2 + params
        ranges.append(_Range(type_, subtype, q, specificity))
    return ranges


def quality(accept: str, media_type: str) -> float:
    """How much the client accepts *media_type* (0 = not at all), by the most specific range."""
    type_, _, subtype = media_type.lower().partition("/")
    best: _Range | None = None
    for r in _parse_accept(accept):
        matches = (r.type in ("*", type_)) and (r.subtype in ("*", subtype))
        if matches and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def negotiate(accept: str | None, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer the client prefers; the server's first offer when there is no ``Accept``."""
    if not accept or not accept.strip():
        return offers[0]
    best: Offer | None = None
    best_q = 0.0
    for offer in offers:
        q = quality(accept, offer.media_type)
        if q > best_q:
            best, best_q = offer, q
    return best


def by_format(name: str, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer named by a ``format=`` value (a short name or a media type), or None.

    >>> by_format("csv", RESULT_OFFERS).media_type
    'text/csv'
    >>> by_format("xml", GRAPH_OFFERS).media_type
    'application/rdf+xml'
    """
    key = name.strip().lower()
    if "/" in key:
        return next((o for o in offers if o.media_type == key), None)
    fmt = FORMAT_NAMES.get(key)
    return next((o for o in offers if o.fmt == fmt), None)


def choose(accept: str | None, fmt: str | None, offers: tuple[Offer, ...]) -> Offer | None:
    """``format=`` when given, else negotiation on ``Accept``."""
    if fmt:
        return by_format(fmt, offers)
    return negotiate(accept, offers)


def content_type(media_type: str) -> str:
    """The ``Content-Type`` header value: text formats get ``charset=utf-8``."""
    if media_type.startswith(_TEXT_TYPES) and "charset" not in media_type:
        return f"{media_type}; charset=utf-8"
    return media_type


def supported(offers: tuple[Offer, ...]) -> str:
    """The offered media types, for a 406 message."""
    return ", ".join(dict.fromkeys(o.media_type for o in offers))
