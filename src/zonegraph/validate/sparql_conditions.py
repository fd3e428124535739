"""Conditions of the SPARQL engine (validate/sparql_shacl.py): "this value node conforms
to that shape" as a SPARQL expression, for the value-type constraint components and the
shapes nested in ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone``, ``sh:node`` and
``sh:qualifiedValueShape`` (EXISTS over the shape's path for a nested property shape)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from .sparql_closure import ClosureView, Unsupported, nt

#: The constraint components compiled to SPARQL (with sh:sparql, the SPARQL-based ones).
COVERED = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "pattern",
    "in",
    "hasValue",
    "languageIn",
    "uniqueLang",
    "minInclusive",
    "minExclusive",
    "maxInclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "or",
    "and",
    "not",
    "xone",
    "node",
    "qualifiedValueShape",
    "sparql",
]

#: sh: predicates of a shape that are not constraints.
_NOT_CONSTRAINTS = {
    SH[n]
    for n in [
        "path",
        "name",
        "description",
        "message",
        "severity",
        "order",
        "group",
        "defaultValue",
        "deactivated",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "target",
        "property",
        "flags",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "prefixes",
        "declare",
        "labelTemplate",
    ]
}
#: The components that constrain each value node on its own (the rest count values, compare
#: them with each other or run the shape's own SPARQL).
_VALUE_COMPONENTS = [
    c
    for c in COVERED
    if c not in {"minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape", "sparql"}
]
_COMPARE = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
#: Datatypes whose lexical forms a SPARQL cast checks (an ill-typed literal fails sh:datatype).
_CASTS = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.dateTime}
#: ... and those whose lexical form a regular expression checks (rdflib casts no dates).
_LEXICAL = {
    XSD.date: r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.gYearMonth: r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.gYear: r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    XSD.boolean: r"^(true|false|1|0)$",
}
#: The integer types and their bounds (an out-of-range value is ill-typed).
_INTEGERS = {
    XSD.byte: (-128, 127),
    XSD.short: (-32768, 32767),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.unsignedByte: (0, 255),
    XSD.unsignedShort: (0, 65535),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.nonNegativeInteger: (0, None),
    XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1),
}


class Conditions:
    """Writes the conditions; :meth:`_check_known` refuses what it cannot write."""

    def __init__(self, shapes: Graph, view: ClosureView) -> None:
        self.g = shapes
        self.view = view
        self._n = count()

    def var(self) -> str:
        return f"?_v{next(self._n)}"

    def _check_known(self, shape: Node) -> None:
        names = sorted(
            str(p)[len(str(SH)) :]
            for p in set(self.g.predicates(shape, None))
            if str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS
        )
        missing = [f"sh:{n}" for n in names if n not in COVERED]
        if missing:
            raise Unsupported(f"{', '.join(missing)} not compiled to SPARQL")

    def conforms(self, shape: Node, v: str, seen: set[Node]) -> str:
        g = self.g
        if shape in seen:
            raise Unsupported("a recursive shape")
        seen = seen | {shape}
        self._check_known(shape)
        parts: list[str] = []
        path_node = g.value(shape, SH.path)
        if path_node is not None:
            parts.extend(self.nested_property(shape, v, seen))
        else:
            for name in _VALUE_COMPONENTS:
                for param in g.objects(shape, SH[name]):
                    parts.append(self.component(name, param, shape, v, seen))
            for value in g.objects(shape, SH.hasValue):
                parts.append(f"sameTerm({v}, {nt(value)})")
            for prop in g.objects(shape, SH.property):
                parts.append(self.conforms(prop, v, seen))
        if g.value(shape, SH.sparql) is not None:
            raise Unsupported("a SPARQL-based constraint in a nested shape")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def nested_property(self, ps: Node, v: str, seen: set[Node]) -> Iterator[str]:
        g = self.g
        path_node = g.value(ps, SH.path)
        assert path_node is not None
        path = self.view.path(g, path_node)
        for p in ("uniqueLang", "qualifiedValueShape"):
            if (ps, SH[p], None) in g:
                raise Unsupported(f"sh:{p} in a nested shape")
        for n in g.objects(ps, SH.minCount):
            vs = [self.var() for _ in range(int(str(n)))]
            if vs:
                yield f"EXISTS {{ {v} {path} {', '.join(vs)} . {_distinct(vs)} }}"
        for n in g.objects(ps, SH.maxCount):
            vs = [self.var() for _ in range(int(str(n)) + 1)]
            yield f"NOT EXISTS {{ {v} {path} {', '.join(vs)} . {_distinct(vs)} }}"
        for value in g.objects(ps, SH.hasValue):
            yield f"EXISTS {{ {v} {path} {nt(value)} }}"
        for name in _VALUE_COMPONENTS:
            for param in g.objects(ps, SH[name]):
                w = self.var()
                cond = self.component(name, param, ps, w, seen)
                yield f"NOT EXISTS {{ {v} {path} {w} FILTER(!({cond})) }}"

    def component(self, name: str, param: Node, shape: Node, v: str, seen: set[Node]) -> str:
        g = self.g
        if name == "class":
            return f"EXISTS {{ {v} {self.view.predicate(RDF.type)} {nt(param)} }}"
        if name == "datatype":
            test = f"(isLiteral({v}) && DATATYPE({v}) = {nt(param)})"
            if param in _CASTS:  # and well formed: the cast fails on an ill-typed literal
                cast = f"STRLEN(STR({nt(param)}(STR({v})))) >= 0"
                test = f"({test} && COALESCE({cast}, false))"
            if isinstance(param, URIRef) and param in _INTEGERS:
                low, high = _INTEGERS[param]
                n = f"{nt(XSD.integer)}(STR({v}))"
                bounds = [f"{n} >= {low}" if low is not None else "true"]
                bounds.append(f"{n} <= {high}" if high is not None else "true")
                ok = " && ".join(bounds)
                test = f'({test} && REGEX(STR({v}), "^[+-]?[0-9]+$") && COALESCE({ok}, false))'
            if isinstance(param, URIRef) and param in _LEXICAL:
                test = f"({test} && REGEX(STR({v}), {Literal(_LEXICAL[param]).n3()}))"
            return test
        if name == "nodeKind":
            if not isinstance(param, URIRef) or param not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {param}")
            return _NODE_KINDS[param].format(v=v)
        if name == "pattern":
            flags = g.value(shape, SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {Literal(str(param)).n3()}{extra}))"
        if name == "in":
            members = list(g.items(param))
            tests = " || ".join(f"sameTerm({v}, {nt(m)})" for m in members)
            return f"({tests})" if members else "false"
        if name == "languageIn":
            tags = [str(t) for t in g.items(param)]
            tests = " || ".join(f"LANGMATCHES(LANG({v}), {Literal(t).n3()})" for t in tags)
            return f"(isLiteral({v}) && ({tests or 'false'}))"
        if name in _COMPARE:
            if not isinstance(param, Literal):
                raise Unsupported(f"sh:{name} with a non-literal")
            op = _COMPARE[name]
            if isinstance(param.toPython(), (int, float)) or param.datatype == XSD.decimal:
                guard = f"isNumeric({v})"
            else:
                guard = f"(isLiteral({v}) && DATATYPE({v}) = {nt(param.datatype or XSD.string)})"
            return f"COALESCE({guard} && {v} {op} {nt(param)}, false)"
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {int(str(param))})"
        if name in ("or", "and", "xone"):
            conds = [self.conforms(m, v, seen) for m in g.items(param)]
            if name == "xone":
                total = " + ".join(f"IF({c}, 1, 0)" for c in conds) or "0"
                return f"({total} = 1)"
            joiner = " || " if name == "or" else " && "
            return (
                "(" + joiner.join(conds) + ")" if conds else ("false" if name == "or" else "true")
            )
        if name == "not":
            return f"(!{self.conforms(param, v, seen)})"
        if name == "node":
            return self.conforms(param, v, seen)
        raise Unsupported(f"sh:{name}")


def _is_true(value: Node | None) -> bool:
    """Only ``true`` switches a boolean parameter on: SHACL names no other form, and the
    W3C suite (core/property/uniqueLang-002) expects ``"1"^^xsd:boolean`` to be ignored."""
    return isinstance(value, Literal) and str(value) == "true" and value.datatype == XSD.boolean


def _distinct(vs: list[str]) -> str:
    pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :]]
    return f"FILTER({' && '.join(pairs)})" if pairs else ""
