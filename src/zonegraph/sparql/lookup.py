"""The graph lookups that resolve canned-query parameters, and the binding of a canned
query's parameters through them.

Each lookup is a small query run through *run* (the facade's query runner, which knows the
store): the label index, the members of a class (with its subclasses), membership and
existence. :func:`bind` turns the values given for a canned query into RDF terms
(:func:`~zonegraph.sparql.params.resolve`), with the defaults, or says which one is
unknown or missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib import URIRef
from rdflib.term import Node

from .._errors import ParameterError
from ..rdf.namespaces import expand_curie
from .catalogue import CannedQuery
from .params import LabelIndex, resolve
from .results import QueryResult

#: Runs a query text with bindings (``KnowledgeGraph._run``).
Run = Callable[[str, Mapping[str, Node]], QueryResult]

MEMBERS = "SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* ?class }"
IS_MEMBER = "ASK { ?s a/rdfs:subClassOf* ?class }"
EXISTS = "ASK { ?s ?p ?o }"
LABELS = """SELECT ?s ?p ?o WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel schema:name }
  ?s ?p ?o . FILTER(isIRI(?s) && isLiteral(?o))
}"""


def label_index(run: Run) -> LabelIndex:
    """Every label of every entity (``rdfs:label``, SKOS labels, ``schema:name``)."""
    rows = run(LABELS, {}).rows
    return LabelIndex((r["s"], r["p"], r["o"]) for r in rows)


def members(run: Run, cls: str) -> set[URIRef]:
    """The entities whose type is *cls* (prefixed name or IRI) or one of its subclasses."""
    rows = run(MEMBERS, {"class": as_iri(cls)}).rows
    return {r["s"] for r in rows if isinstance(r["s"], URIRef)}


def is_member(run: Run, iri: URIRef, cls: str) -> bool:
    """True when *iri* has the type *cls* (prefixed name or IRI) or one of its subclasses."""
    return bool(run(IS_MEMBER, {"s": iri, "class": as_iri(cls)}).boolean)


def exists(run: Run, iri: URIRef) -> bool:
    """True when *iri* is described in the graph (as a subject)."""
    return bool(run(EXISTS, {"s": iri}).boolean)


def as_iri(text: str) -> URIRef:
    """*text* as an IRI: a prefixed name expanded, anything else as it is."""
    return expand_curie(text) or URIRef(text)


def bind(
    canned: CannedQuery,
    given: Mapping[str, str | Node],
    *,
    labels: Callable[[], LabelIndex],
    exists: Callable[[URIRef], bool],
    members: Callable[[str], set[URIRef]],
    is_member: Callable[[URIRef, str], bool],
) -> dict[str, Node]:
    """Resolve *given* parameter values of *canned* (with defaults) into RDF terms."""
    unknown = sorted(set(given) - {p.name for p in canned.params})
    if unknown:
        names = ", ".join(p.name for p in canned.params) or "none"
        raise ParameterError(
            f"query {canned.name!r} has no parameter {unknown[0]!r}",
            hint=f"its parameters: {names}",
        )
    bindings: dict[str, Node] = {}
    for p in canned.params:
        value = given.get(p.name, p.default)
        if value is None:
            if p.required:
                raise ParameterError(
                    f"query {canned.name!r} needs parameter {p.name!r} ({p.type})",
                    hint=p.description or None,
                    missing=p.name,
                )
            continue
        bindings[p.name] = resolve(
            p,
            value,
            labels=labels,
            exists=exists,
            members=members,
            is_member=is_member,
        )
    return bindings
