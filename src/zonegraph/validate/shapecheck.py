"""Checking the shapes before they are used: valid SHACL, and no reach outside the graph.

Two checks run on ``ontology/shapes.ttl`` before any validation uses it:

- every SPARQL text in it (``sh:select``, ``sh:ask``, ``sh:construct``,
  ``sh:update``) parses, and uses neither ``SERVICE`` nor ``FROM`` nor
  ``LOAD``; a SPARQL-based constraint follows SHACL's rules too (no
  ``MINUS``, ``VALUES``, ``AS $this``, and sub-queries return ``$this``),
  which pySHACL would otherwise stop on in the middle of a validation.
  The check walks the parse tree (the parser decodes ``\\u`` escapes first);
  pySHACL's own check is a regular expression that ``SERV\\u0049CE`` gets past;
- the shapes conform to the SHACL shapes for SHACL (pySHACL's meta
  validation): ``sh:minCount "one"`` is refused, not silently ignored.

The meta validation takes a second or two, so its success is cached, keyed by
the SHA-256 of the file's bytes (and the pySHACL version), in
``$ZONEGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/zonegraph``, else
``~/.cache/zonegraph``. A failure is never cached. A cache that cannot be
written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue

from .._errors import InputError, Location
from .._guard import guarded
from ..kgdir import cache as _cache
from ..rdf.namespaces import SH, shorten

#: Part of the cache key: change it whenever what the check refuses changes.
CACHE_VERSION = "3"
_SPARQL_PROPERTIES = (SH.select, SH.ask, SH.construct, SH.update)
_OUTSIDE_HINT = (
    "SPARQL in shapes must only read the data graph: no SERVICE, FROM or LOAD "
    "(--allow-network permits SERVICE in SPARQL targets and rules where you trust the shapes)"
)
_SYNTAX_HINT = (
    "fix the SPARQL at the position given (SPARQL 1.1 Query, https://www.w3.org/TR/sparql11-query/)"
)
_SHACL_RULES_HINT = (
    "rewrite the query within SHACL's rules for SPARQL-based constraints: "
    "https://www.w3.org/TR/shacl/#sparql-constraints-syntax"
)
_NOT_IN_CONSTRAINTS = {
    "MinusGraphPattern": "MINUS",
    "InlineData": "VALUES",
    "ValuesClause": "VALUES",
    "ServiceGraphPattern": "SERVICE (federation)",
}
_OUTSIDE = {
    "ServiceGraphPattern": "SERVICE (federation), which would send requests to another server",
    "DatasetClause": "FROM or FROM NAMED, which would load a graph from outside",
    "Load": "LOAD, which would read a document from the network or the file system",
}


def check_shapes_file(
    shapes: Graph, data: bytes, *, name: str, allow_network: bool = False
) -> None:
    """Refuse (InputError, exit code 2) shapes that reach outside the graph or are not SHACL.

    *data* is the file's bytes (the cache key); *name* the file as shown in messages.
    """
    import pyshacl

    digest = hashlib.sha256()
    for part in (CACHE_VERSION, pyshacl.__version__, str(allow_network)):
        digest.update(part.encode() + b"\0")
    digest.update(data)
    marker = _cache.cache_dir() / "shapes-checked" / f"{digest.hexdigest()}.ok"
    if marker.exists():
        return
    text = data.decode("utf-8", errors="replace")
    for shape, prop, problem in sparql_problems(shapes, allow_network=allow_network):
        raise InputError(
            f"{shorten(str(prop))} of shape {_show(shapes, shape)}: {problem}",
            where=_locate(text, name, _named(shapes, shape)),
            hint=_SHACL_RULES_HINT
            if "SHACL 5.3.1" in problem
            else _SYNTAX_HINT
            if problem.startswith("not valid SPARQL")
            else _OUTSIDE_HINT,
        )
    problems = meta_problems(shapes)
    if problems:
        shown = "; ".join(message for _, message in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InputError(
            f"the shapes are not valid SHACL: {shown}{more}",
            where=_locate(text, name, problems[0][0]),
            hint="fix the shape as the message says (see https://www.w3.org/TR/shacl/)",
        )
    _touch(marker)


def sparql_problems(
    shapes: Graph, *, allow_network: bool = False
) -> Iterator[tuple[Any, URIRef, str]]:
    """(shape, property, problem) for each SPARQL text of *shapes* that is refused.

    Every text must parse. A SPARQL-based constraint (the object of
    ``sh:sparql``, or a validator of a constraint component) must not use
    MINUS, VALUES or SERVICE (SHACL §5.3.1; pySHACL would fail on them later).
    No text may use SERVICE, FROM or LOAD unless *allow_network*.
    """
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    constraints = set(shapes.objects(None, SH.sparql))
    validators: set[Any] = set()
    for validator in (SH.validator, SH.nodeValidator, SH.propertyValidator):
        validators.update(shapes.objects(None, validator))
    for prop in _SPARQL_PROPERTIES:
        for shape, value in shapes.subject_objects(prop):
            if not isinstance(value, Literal):
                yield shape, prop, "the SPARQL text must be a literal"
                continue
            parse = parseUpdate if prop == SH.update else parseQuery
            try:
                tree = parse(str(value))
            except Exception as exc:
                yield shape, prop, f"not valid SPARQL: {exc}"
                continue
            if shape in constraints or shape in validators:
                found = _find(tree, set(_NOT_IN_CONSTRAINTS))
                prebound = _PREBOUND | ({Variable("value")} if shape in validators else set())
                problem = (
                    f"a SPARQL-based constraint may not use {_NOT_IN_CONSTRAINTS[found]}"
                    if found is not None
                    else _prebinding_problem(tree, prebound)
                )
                if problem is not None:
                    yield shape, prop, f"{problem} (SHACL 5.3.1)"
                    continue
            found = None if allow_network else _find(tree, set(_OUTSIDE))
            if found is not None:
                yield shape, prop, f"the SPARQL text uses {_OUTSIDE[found]}"


def meta_problems(shapes: Graph) -> list[tuple[Any, str]]:
    """What pySHACL's meta validation (SHACL shapes for SHACL) finds wrong with *shapes*."""
    from pyshacl.entrypoints import meta_validate

    from .shacl import results_from_report

    try:
        with guarded("checking the shapes"):
            conforms, report, _text = meta_validate(
                shapes, inference="rdfs", advanced=True, allow_warnings=True
            )
    except InputError:
        raise
    except Exception as exc:  # pySHACL raises on shapes it cannot even load
        return [(None, str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))]
    if conforms:
        return []
    assert isinstance(report, Graph)
    out = []
    for result in results_from_report(report):
        if not result.blocking:
            continue
        where = _show(shapes, result.focus_node)
        path = f" {shorten(str(result.path))}" if isinstance(result.path, URIRef) else ""
        value = f" {result.value.n3()}" if result.value is not None else ""
        message = f"{where}{path}{value}: {result.message}"
        out.append((_named(shapes, result.focus_node), message))
    return out or [(None, "the shapes do not conform to the SHACL shapes for SHACL")]


#: Pre-bound in every SPARQL-based constraint; a validator of a component also has $value.
_PREBOUND = frozenset({Variable("this"), Variable("shapesGraph"), Variable("currentShape")})


def _prebinding_problem(tree: Any, prebound: frozenset[Variable]) -> str | None:
    """Why a SPARQL-based constraint breaks the rules of pre-bound variables, or None."""
    if Variable("shapesGraph") in _terms(tree):
        return "pySHACL cannot run a SPARQL-based constraint that uses $shapesGraph"
    for node in _walk(tree):
        if node.name in ("Bind", "vars"):
            bound = _field(node, "var" if node.name == "Bind" else "evar")
            if isinstance(bound, Variable) and bound in prebound:
                return f"a SPARQL-based constraint may not bind the pre-bound ${bound} with AS"
        elif node.name == "SubSelect":
            projection = _field(node, "projection")
            this = Variable("this")
            if projection:
                names = {_field(v, "var") or _field(v, "evar") for v in projection}
                if this not in names:
                    return "a sub-query of a SPARQL-based constraint must return $this"
            elif not any(this in _terms(b) for b in _walk(_field(node, "where"), "TriplesBlock")):
                return "a sub-query of a SPARQL-based constraint must return $this"
    return None


def _field(node: Any, key: str) -> Any:
    """A field of a parse-tree node (CompValue.get answers the key's name for a missing key)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _walk(node: Any, name: str | None = None) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        if name is None or node.name == name:
            yield node
        for value in node.values():
            yield from _walk(value, name)
    elif isinstance(node, list | tuple) or hasattr(node, "asList"):
        for value in node:
            yield from _walk(value, name)


def _terms(node: Any) -> set[Any]:
    out: set[Any] = set()
    if isinstance(node, CompValue):
        for value in node.values():
            out |= _terms(value)
    elif isinstance(node, list | tuple) or hasattr(node, "asList"):
        for value in node:
            out |= _terms(value)
    else:
        out.add(node)
    return out


def _find(node: Any, names: set[str]) -> str | None:
    if isinstance(node, CompValue):
        if node.name in names:
            return str(node.name)
        return next((f for v in node.values() if (f := _find(v, names)) is not None), None)
    if isinstance(node, str):
        return None
    if isinstance(node, list | tuple) or hasattr(node, "asList"):
        return next((f for v in node if (f := _find(v, names)) is not None), None)
    return None


def _named(shapes: Graph, node: Any) -> Any:
    """*node*, or for a blank node the nearest named node that refers to it."""
    seen = set()
    while node is not None and not isinstance(node, URIRef) and node not in seen:
        seen.add(node)
        node = next(iter(shapes.subjects(None, node)), None)
    return node


def _show(shapes: Graph, node: Any) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node))
    owner = _named(shapes, node)
    return f"[a blank node in {shorten(str(owner))}]" if owner is not None else "[a blank node]"


def _locate(text: str, name: str, shape: Any) -> Location:
    if isinstance(shape, URIRef):
        for needle in (shorten(str(shape)), str(shape)):
            index = text.find(needle)
            if index >= 0:
                line = text.count("\n", 0, index) + 1
                return Location(name, line, index - (text.rfind("\n", 0, index) + 1) + 1)
    return Location(name)


def _touch(marker: Path) -> None:
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=marker.parent, suffix=".tmp")
        os.close(fd)
        os.replace(temporary, marker)
