"""Turning parameter values given as text into RDF terms.

An entity parameter (type ``iri``) accepts a full IRI (``https://…`` or
``<…>``), a prefixed name (``zgr:sino-german-ecopark``) or any of the entity's
labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``, case-insensitive).
Other types become typed literals. The result is bound into the query as a
term; parameter text never becomes query text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from rdflib import RDFS, XSD, Literal, URIRef
from rdflib.term import Node

from .._errors import ParameterError
from ..rdf.namespaces import expand_curie, shorten
from .catalogue import Parameter

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|[^\s:]*$)")


class LabelIndex:
    """Every label of every entity, folded for case-insensitive lookup."""

    def __init__(self, triples: Iterable[tuple[Node | None, Node | None, Node | None]]) -> None:
        self._by_label: dict[str, set[URIRef]] = defaultdict(set)
        self._labels: dict[URIRef, str] = {}
        for s, prop, o in triples:
            if isinstance(s, URIRef) and isinstance(o, Literal):
                self._by_label[_fold(str(o))].add(s)
                if prop == RDFS.label and (s not in self._labels or o.language == "en"):
                    self._labels[s] = str(o)

    def lookup(self, label: str) -> set[URIRef]:
        return set(self._by_label.get(_fold(label), ()))

    def label(self, iri: URIRef) -> str | None:
        return self._labels.get(iri)

    def all_labels(self) -> list[str]:
        return list(self._by_label)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve(
    param: Parameter,
    value: str | Node,
    *,
    labels: LabelIndex | Callable[[], LabelIndex],
    exists: Callable[[URIRef], bool],
    members: Callable[[str], set[URIRef]],
    is_member: Callable[[URIRef, str], bool] | None = None,
) -> Node:
    """The RDF term for *value* given to *param*; ParameterError if it cannot be one.

    *is_member* answers whether one entity is of a class; without it, *members*
    lists the class (which costs what the class holds; it is only needed for
    the hints of an error then). *labels* may be given as a function, called
    only when a label must be looked up (an IRI needs no label index).
    """
    if param.type == "iri":
        return _resolve_entity(
            param,
            value,
            labels=labels if callable(labels) else (lambda: labels),
            exists=exists,
            members=members,
            is_member=is_member or (lambda iri, cls: iri in members(cls)),
        )
    if isinstance(value, Literal):
        return value
    return _literal(param, str(value))


def _resolve_entity(
    param: Parameter,
    value: str | Node,
    *,
    labels: Callable[[], LabelIndex],
    exists: Callable[[URIRef], bool],
    members: Callable[[str], set[URIRef]],
    is_member: Callable[[URIRef, str], bool],
) -> URIRef:
    kind = f" (a {param.cls})" if param.cls else ""
    if isinstance(value, URIRef):
        candidates = {value}
    elif isinstance(value, Node):
        raise ParameterError(f"parameter {param.name!r} takes an entity, not {value.n3()}")
    else:
        text = value.strip()
        iri = _as_iri(text)
        candidates = {iri} if iri is not None else labels().lookup(text)
        if not candidates:
            allowed = members(param.cls) if param.cls else None
            index = labels()
            pool = sorted({index.label(i) or "" for i in allowed} - {""}) if allowed else None
            close = difflib.get_close_matches(text, pool or index.all_labels(), n=3, cutoff=0.6)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else ("give an IRI, a prefixed name such as zgr:qingdao-iecz, or an entity's label")
            )
            raise ParameterError(
                f"no entity{kind} is called {text!r} (parameter {param.name!r})", hint=hint
            )
    if param.cls:
        matching = {c for c in candidates if is_member(c, param.cls)}
        if not matching:
            shown = ", ".join(sorted(shorten(str(c)) for c in candidates))
            raise ParameterError(
                f"parameter {param.name!r} needs a {param.cls}; {shown} is not one",
                hint=_choices(members(param.cls), labels()),
            )
        candidates = matching
    if len(candidates) > 1:
        shown = ", ".join(sorted(shorten(str(c)) for c in candidates))
        raise ParameterError(
            f"{value!s} names several entities: {shown} (parameter {param.name!r})",
            hint="give the IRI or prefixed name of the one you mean",
        )
    (iri,) = candidates
    if not param.cls and not exists(iri):  # an entity of the class exists
        raise ParameterError(
            f"{shorten(str(iri))} is not in the graph (parameter {param.name!r})",
            hint="check the spelling; 'zonegraph query search-labels -p text=…' finds entities",
        )
    return iri


def _choices(allowed: Iterable[URIRef], labels: LabelIndex) -> str:
    names = sorted(f"{shorten(str(i))} ({labels.label(i) or '?'})" for i in allowed)
    if not names:
        return "the graph has no such entity"
    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
    return "choose one of " + ", ".join(names[:8]) + more


def _as_iri(text: str) -> URIRef | None:
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    curie = expand_curie(text)
    if curie is not None:
        return curie
    if _ABSOLUTE_IRI.match(text) and " " not in text:
        return URIRef(text)
    return None


def _literal(param: Parameter, text: str) -> Literal:
    try:
        if param.type == "string":
            return Literal(text)
        if param.type == "integer":
            return Literal(int(text), datatype=XSD.integer)
        if param.type == "decimal":
            return Literal(Decimal(text), datatype=XSD.decimal)
        if param.type == "date":
            return Literal(dt.date.fromisoformat(text), datatype=XSD.date)
        if param.type == "gyear":
            if not re.fullmatch(r"-?\d{4,}", text):
                raise ValueError(text)
            return Literal(text, datatype=XSD.gYear)
        if param.type == "boolean":
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return Literal(text.lower() in ("true", "1"), datatype=XSD.boolean)
    except (ValueError, InvalidOperation) as exc:
        raise ParameterError(
            f"parameter {param.name!r} takes a {param.type}, not {text!r}",
            hint=_EXAMPLES.get(param.type, ""),
        ) from exc
    raise ParameterError(f"parameter {param.name!r} has an unknown type {param.type!r}")


_EXAMPLES = {
    "integer": "write a whole number such as 50",
    "decimal": "write a number such as 6.24",
    "date": "write a date as YYYY-MM-DD, such as 2018-06-10",
    "gyear": "write a year such as 2011",
    "boolean": "write true or false",
}
