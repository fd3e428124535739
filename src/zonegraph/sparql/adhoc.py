"""What ``KnowledgeGraph.query`` was given: a canned query's name or SPARQL text.

The rule (README, "From Python"): text without whitespace (``parks-of-zone``) names a
canned query in ``queries/`` (mistyped, it gets "unknown query" with close names, not a
SPARQL syntax error); anything else is SPARQL text, as ``rdflib.Graph.query`` takes it.
Every query form is a keyword followed by a space in practice, so the two do not meet.

The parameters of SPARQL text have no declared types to resolve labels or prefixed
names against, so they must already be RDF terms (or Python values that have exactly
one literal form); they go to the store as bindings, like a canned query's, never
into the text.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from rdflib import Literal
from rdflib.term import Node

from .._errors import ParameterError, UnknownQueryError
from .catalogue import CannedQuery, Catalogue
from .text import tokens

#: Python values with one literal form each (``Literal(value)`` gives its XSD datatype).
_LITERAL_VALUES = (bool, int, float, Decimal, datetime.date, datetime.datetime)


def is_query_name(text: str) -> bool:
    """True when *text* names a canned query rather than being SPARQL text.

    >>> is_query_name("parks-of-zone"), is_query_name("ASK { ?s ?p ?o }")
    (True, False)
    """
    return not any(c.isspace() for c in text)


def canned(catalogue: Catalogue, name: str) -> CannedQuery:
    """The canned query *name*; UnknownQueryError saying how SPARQL text is told apart."""
    try:
        return catalogue.get(name)
    except UnknownQueryError as exc:
        raise UnknownQueryError(
            exc.message,
            hint=f"{exc.hint} (kg.query takes text without whitespace as a canned query's "
            "name, anything else as SPARQL text: kg.query('SELECT ...'))",
        ) from None


def terms(text: str, given: Mapping[str, object]) -> dict[str, Node]:
    """The parameters *given* for the SPARQL *text* as RDF terms; ParameterError for a
    variable the text does not use or a value that is not one RDF term."""
    used = {t.text for t in tokens(text) if t.kind == "var"}
    bound: dict[str, Node] = {}
    for name, value in given.items():
        if name not in used:
            raise ParameterError(
                f"the query has no variable ?{name} to bind",
                hint=f"its variables: {', '.join(f'?{v}' for v in sorted(used)) or 'none'}",
            )
        if isinstance(value, Node):
            bound[name] = value
        elif isinstance(value, _LITERAL_VALUES):
            bound[name] = Literal(value)
        else:
            raise ParameterError(
                f"?{name} = {value!r} is not an RDF term: a string could be an IRI, a "
                "prefixed name, a label or a literal",
                hint="pass rdflib.URIRef('https://...') for an IRI or rdflib.Literal(...) for "
                "a literal; labels and prefixed names are resolved for canned queries only",
            )
    return bound


def as_text(given: Mapping[str, object]) -> dict[str, str | Node]:
    """A canned query's parameters as its binder reads them: RDF terms as they are, other
    values (``2018``, a ``date``) as text, which the parameter's declared type parses."""
    return {k: v if isinstance(v, Node) else str(v) for k, v in given.items()}
