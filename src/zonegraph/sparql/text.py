"""SPARQL query text: a lexer, the WHERE group, VALUES blocks that bind parameters,
and a syntax check. Shared by every store and by ORDER BY in Python."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib.term import Node

from .._errors import QueryError, StoreError
from ..rdf.ntriples import nt_iri, nt_term

if TYPE_CHECKING:
    pass


Row = dict[str, Node | None]


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.:]*")


_VARNAME = re.compile(r"[A-Za-z0-9_\u00b7\u00c0-\ufffd]+")


_IRIREF = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "var", "punct", "string", "iri", "comment", "other"
    start: int
    end: int
    text: str


def tokens(text: str) -> Iterator[Token]:
    """SPARQL tokens, enough to find groups and variables: comments, strings and IRIs whole."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            yield Token("comment", i, end, text[i:end])
            i = end
            continue
        if c in "\"'":
            end = _skip_string(text, i)
            yield Token("string", i, end, text[i:end])
            i = end
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                yield Token("iri", i, m.end(), m.group())
                i = m.end()
                continue
        if c in "?$":
            m = _VARNAME.match(text, i + 1)
            if m:
                yield Token("var", i, m.end(), m.group())
                i = m.end()
                continue
        if c.isalpha() or c == "_":
            m = _WORD.match(text, i)
            assert m is not None
            yield Token("word", i, m.end(), m.group())
            i = m.end()
            continue
        yield Token("punct" if c in "{}()" else "other", i, i + 1, c)
        i += 1


def braced(text: str) -> Iterator[tuple[Token, int]]:
    """Each token of *text* but comments, with the brace depth after it (a ``{``
    counts itself): where a clause of the query's own (depth 0) starts and ends."""
    depth = 0
    for tok in tokens(text):
        if tok.kind == "comment":
            continue
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        yield tok, depth


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    long = text.startswith(quote * 3, i)
    i += 3 if long else 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if long and text.startswith(quote * 3, i):
            return i + 3
        if not long and c == quote:
            return i + 1
        i += 1
    return i


def where_group(text: str) -> int | None:
    """The offset of the ``{`` that opens the query's WHERE group (None if it has none).

    A CONSTRUCT template is not the WHERE group; the short form
    ``CONSTRUCT WHERE { … }``, whose group is also the template, raises QueryError.
    """
    form: str | None = None
    after_where = template_done = False
    depth = paren = 0
    for tok in tokens(text):
        if tok.kind == "word" and depth == 0 and paren == 0:
            word = tok.text.upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
                form = word
            elif word == "WHERE":
                after_where = True
        elif tok.text == "(":
            paren += 1
        elif tok.text == ")":
            paren -= 1
        elif tok.text == "{":
            if depth == 0 and paren == 0 and form is not None:
                if form != "CONSTRUCT" or template_done:
                    return tok.start
                if after_where:
                    raise QueryError(
                        "parameters cannot be bound into the short form CONSTRUCT WHERE { … }",
                        hint="write CONSTRUCT { template } WHERE { pattern }",
                    )
                template_done = True
            depth += 1
        elif tok.text == "}":
            depth -= 1
    return None


#: Words that start a solution modifier or trailing VALUES, after any dataset clause.
_AFTER_DATASET = {"GROUP", "ORDER", "LIMIT", "OFFSET", "HAVING", "VALUES"}


def with_dataset_clauses(text: str, default: Iterable[str], named: Iterable[str]) -> str:
    """*text* with its own ``FROM`` / ``FROM NAMED`` clauses replaced by *default* and
    *named* (the SPARQL Protocol's ``default-graph-uri`` / ``named-graph-uri``, which take
    precedence over the query's), so that a store that runs the text sees the dataset the
    protocol asked for. Each name is written as an IRI (:func:`nt_iri`), never as the
    request's text: QueryError for one that could leave the IRI.

    >>> text = with_dataset_clauses("SELECT * FROM <a:x> WHERE { ?s ?p ?o }", ["a:d"], ["a:n"])
    >>> " ".join(text.split())
    'SELECT * FROM <a:d> FROM NAMED <a:n> WHERE { ?s ?p ?o }'
    """
    clauses: list[str] = []
    for word, names, keyword in (("default", default, "FROM"), ("named", named, "FROM NAMED")):
        for g in names:
            try:
                clauses.append(f"{keyword} {nt_iri(g)}")
            except StoreError as exc:
                raise QueryError(f"{word}-graph-uri={g!r} is not an IRI", hint=exc.hint) from None
    at = where_group(text)
    cut: list[tuple[int, int]] = []  # the query's own dataset clauses
    insert: int | None = None
    clause_start: int | None = None
    seen_form = False
    for tok, depth in braced(text):
        if at is not None and tok.start >= at:
            break
        if depth != 0 or tok.text == "}":
            continue
        word = tok.text.upper() if tok.kind == "word" else ""
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            seen_form = True
        elif word == "FROM":
            clause_start = tok.start
        elif clause_start is not None and word != "NAMED":
            cut.append((clause_start, tok.end))
            clause_start = None
        elif insert is None and (
            word == "WHERE" or (seen_form and at is None and word in _AFTER_DATASET)
        ):
            insert = tok.start
    if insert is None:
        insert = at if at is not None else len(text)
    out, last = [], 0
    for start, end in cut:
        out += [text[last:start]]
        last = end
    out += [text[last:insert], " " + " ".join(clauses) + " ", text[insert:]]
    return "".join(out)


def values_block(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` for *bindings*, each term in N-Triples syntax."""
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"{name!r} is not a variable name")
    variables = " ".join(f"?{n}" for n in names)
    terms = " ".join(nt_term(bindings[n]) for n in names)
    return f"VALUES ({variables}) {{ ({terms}) }}"


def bind_values(text: str, bindings: Mapping[str, Node], *, check: bool = True) -> str:
    """*text* with *bindings* bound as rdflib's ``initBindings`` and pyoxigraph's
    ``substitutions`` bind them, for a server that has no way to bind a variable
    and for Oxigraph, whose optimizer sees VALUES but not substitutions.

    A VALUES block at the start of the WHERE group joins the values with the
    whole group (its patterns, FILTERs, projection, GROUP BY and ORDER BY see
    the variables bound); inside nested groups (OPTIONAL, UNION, GRAPH,
    EXISTS, subqueries), where a group is evaluated on its own, each use of a
    bound variable is replaced by the term itself. Terms are written from the
    RDF terms in N-Triples syntax, never from a user's text, each replacement
    between spaces (so a term never runs into the text beside it), and the
    result is parsed again before it is sent (``check``; the stores instead
    check the places themselves once per query text: :func:`binding_sites`,
    :func:`zonegraph.sparql.guard.check_bound`).

    >>> from rdflib import Literal
    >>> print(bind_values('SELECT ?t ?s { { ?s ?p ?o FILTER(CONTAINS(?o, ?t)) } }',
    ...                   {"t": Literal('x" } ')}))
    SELECT ?t ?s { VALUES (?t) { ("x\\" } ") }
     { ?s ?p ?o FILTER(CONTAINS(?o,  "x\\" } " )) } }
    """
    if not bindings:
        return text
    terms = {name: nt_term(term) for name, term in bindings.items()}
    bound = render_bindings(text, binding_sites(text, bindings), values_block(bindings), terms)
    if check:
        check_parses(bound)
    return bound


@dataclass(frozen=True)
class Site:
    """A place :func:`bind_values` writes a term: ``term`` replaces the variable, ``as``
    writes ``(term AS ?name)`` (a subquery's projection), ``paren`` writes ``(term)``."""

    start: int
    end: int
    name: str
    form: str


@dataclass(frozen=True)
class Sites:
    """Where the VALUES block goes (after the ``{`` at ``at``), and the variables replaced."""

    at: int
    replaced: tuple[Site, ...]


def render_bindings(text: str, sites: Sites, block: str, terms: Mapping[str, str]) -> str:
    """*text* with *block* after its WHERE group's ``{`` and each site's variable replaced
    by its term of *terms* (the text of a term, or of anything that stands for it)."""
    out: list[str] = [text[: sites.at + 1], f" {block}\n"]
    last = sites.at + 1
    for site in sites.replaced:
        term = terms[site.name]
        if site.form == "as":
            replacement = f"({term} AS ?{site.name})"
        elif site.form == "paren":
            replacement = f"({term})"
        else:
            replacement = term
        out += [text[last : site.start], f" {replacement} "]
        last = site.end
    out.append(text[last:])
    return "".join(out)


def binding_sites(text: str, names: Iterable[str]) -> Sites:
    """Where :func:`bind_values` writes the values of the variables *names* in *text*:
    found by this module's tokenizer, from the text alone (not from the values)."""
    names = set(names)
    at = where_group(text)
    if at is None:
        raise QueryError("the query has no WHERE group to bind parameters in")
    sites: list[Site] = []
    depth = 1
    paren = 0
    # Subqueries: for each open subquery, the brace depth of its group, whether
    # its own WHERE group has been seen, the paren depth where it started, and
    # its number (in order of opening).
    subqueries: list[list[int]] = []
    opened = 0
    # For each site in a subquery's projection or modifiers (``(term AS ?name)``,
    # ``GROUP BY (term)``), that subquery; and the (subquery, name) pairs that a
    # subquery nested in that subquery projects too.
    clause_of: dict[int, int] = {}
    projected_inside: set[tuple[int, str]] = set()
    # Open MINUS groups: each one's brace depth and how many subqueries were open at
    # its start. A variable of a MINUS group's own patterns stays a variable: MINUS
    # removes the rows that share a variable's value, and with the term in its place
    # it would share none and remove nothing (single-source-facts for one event node
    # listed the event's own statements, which the whole listing leaves out). The
    # VALUES block binds the variable for the comparison.
    minus: list[tuple[int, int]] = []
    previous: Token | None = None
    after_brace = False
    for tok in tokens(text[at + 1 :]):
        tok = Token(tok.kind, tok.start + at + 1, tok.end + at + 1, tok.text)
        if tok.kind == "comment":
            continue
        if after_brace and tok.kind == "word" and tok.text.upper() == "SELECT":
            subqueries.append([depth, 0, paren, opened])
            opened += 1
        after_brace = False
        if tok.text == "{":
            if subqueries and subqueries[-1][0] == depth and not subqueries[-1][1]:
                subqueries[-1][1] = 1
            depth += 1
            after_brace = True
            if previous is not None and previous.text.upper() == "MINUS":
                minus.append((depth, len(subqueries)))
        elif tok.text == "}":
            if minus and minus[-1][0] == depth:
                minus.pop()
            depth -= 1
            if subqueries and subqueries[-1][0] == depth + 1 and subqueries[-1][1]:
                subqueries.pop()
            if depth == 0:
                break
        elif tok.text == "(":
            paren += 1
        elif tok.text == ")":
            paren -= 1
        elif tok.kind == "var" and tok.text in names:
            if previous is not None and previous.kind == "word" and previous.text.upper() == "AS":
                raise QueryError(
                    f"?{tok.text} is a parameter, and the query assigns it (AS ?{tok.text})",
                    hint="rename the variable the query assigns",
                )
            in_clause = bool(subqueries) and subqueries[-1][0] == depth
            form: str | None
            if in_clause:  # a subquery's projection or solution modifiers
                projection = not subqueries[-1][1]
                top = paren == subqueries[-1][2]
                form = ("as" if projection else "paren") if top else "term"
            elif depth == 1 or (minus and minus[-1][1] == len(subqueries)):
                form = None  # bound by the VALUES block (in MINUS: see above)
            else:
                form = "term"
            if form in ("as", "paren"):
                clause_of[len(sites)] = subqueries[-1][3]
            if form == "as":
                projected_inside.update((outer[3], tok.text) for outer in subqueries[:-1])
            if form is not None:
                sites.append(Site(tok.start, tok.end, tok.text, form))
        previous = tok
    # Only the innermost of nested projections assigns the term: a subquery whose
    # own WHERE holds a subquery projecting the variable already has it in scope,
    # and assigning it there again would be a second AS of the same variable
    # (a syntax error). It projects the variable as it is, and groups and orders
    # by the variable too (``GROUP BY (term)`` would leave the variable it
    # projects ungrouped).
    kept = tuple(
        site
        for i, site in enumerate(sites)
        if i not in clause_of or (clause_of[i], site.name) not in projected_inside
    )
    return Sites(at, kept)


def check_parses(text: str) -> None:
    """Raise QueryError, saying the parameters are to blame, if rdflib cannot parse *text*."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(text)
    except Exception as exc:
        raise QueryError(
            f"the query cannot take its parameters on this store: {exc}",
            hint="use each parameter as a plain variable in the query's patterns and filters",
        ) from exc
