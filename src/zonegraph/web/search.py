"""The search page's results: the rows of the canned query ``search-labels`` (run by a
query worker, like every query), grouped by entity.

The search is that query, not a second implementation: it matches labels and
alternative labels (``rdfs:label``, ``skos:altLabel``) in every language, case-insensitively.
This module only reads its SPARQL JSON results into what the page lists: each entity once,
with its type and the labels that matched (with their language).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef

if TYPE_CHECKING:
    from .pages import Pages, TermView

#: The canned query the search runs, and its parameter.
QUERY = "search-labels"
PARAMETER = "text"


@dataclass
class Hit:
    """One entity found: its link, its type and the labels that matched."""

    entity: TermView
    types: list[TermView] = field(default_factory=list)
    matched: list[TermView] = field(default_factory=list)


def hits(pages: Pages, body: bytes, text: str) -> list[Hit]:
    """The entities of a ``search-labels`` answer (SPARQL 1.1 JSON results), best first:
    a label that is *text* itself, then one starting with it, then the shortest label
    (the query orders by label; "Sino-German Ecopark" should come before "Area of the
    Sino-German Ecopark, 2018" when one searches "ecopark")."""
    data = json.loads(body)
    found: dict[str, Hit] = {}
    for row in data["results"]["bindings"]:
        iri = row["entity"]["value"]
        hit = found.get(iri)
        if hit is None:
            hit = found[iri] = Hit(pages.view(URIRef(iri)))
        label = row.get("label")
        if label is not None:
            view = pages.view(Literal(label["value"], lang=label.get("xml:lang")))
            if view not in hit.matched:
                hit.matched.append(view)
        kind = row.get("type")
        if kind is not None:
            view = pages.view(URIRef(kind["value"]))
            if view not in hit.types:
                hit.types.append(view)
    wanted = text.casefold().strip()

    def rank(hit: Hit) -> tuple[int, int]:
        labels = [m.text.casefold() for m in hit.matched] or [hit.entity.text.casefold()]
        if wanted in labels:
            return (0, 0)
        starts = any(label.startswith(wanted) for label in labels)
        return (1 if starts else 2, min(len(label) for label in labels))

    return sorted(found.values(), key=rank)  # stable: the query's order among equals
