"""Query results as values, and their serializations.

SELECT results serialize to the SPARQL 1.1 results formats (JSON, XML, CSV,
TSV) and to a plain-text table; ASK to a boolean in the same formats;
CONSTRUCT and DESCRIBE to an RDF graph in any RDF format.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from ..rdf.namespaces import bind_prefixes
from .frames import pandas_module, to_dataframe
from .table import render as render_table

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "xml")


@dataclass
class QueryResult:
    """The answer to one query.

    ``kind`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``vars`` and
    ``rows`` (one dict per solution, variable name to RDF term or None when
    unbound); ASK fills ``boolean``; CONSTRUCT and DESCRIBE fill ``graph``.
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, Node | None]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    #: For a page (``limit``/``offset`` given): the rows skipped and the page size asked
    #: for, and ``total``, the rows of the whole listing where it was counted (else None).
    offset: int = 0
    limit: int | None = None
    total: int | None = None

    @property
    def more(self) -> bool:
        """Whether rows follow this page: known from ``total``; without it, a full page
        may have more (the next page, asked for, says)."""
        if self.limit is None:
            return False
        if self.total is not None:
            return self.offset + len(self.rows) < self.total
        return len(self.rows) >= self.limit > 0

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)

    def values(self, var: str) -> list[Any]:
        """The Python values of one column (``None`` where unbound).

        IRIs become str, literals their Python value (``Decimal``, ``date``, str…).
        """
        return [to_python(row.get(var)) for row in self.rows]

    def tuples(self, *variables: str) -> list[tuple[Any, ...]]:
        """Rows as tuples of Python values of *variables* (all variables by default)."""
        names = variables or tuple(self.vars)
        return [tuple(to_python(row.get(v)) for v in names) for row in self.rows]

    def __iter__(self) -> Iterator[Any]:
        """As rdflib's ``Result``: SELECT rows as ``rdflib.query.ResultRow`` (``row.park``,
        ``row["park"]``, ``row[0]``, ``row.asdict()``; None where unbound), the ASK answer,
        or the CONSTRUCT / DESCRIBE graph's triples."""
        if self.kind == "ASK":
            return iter([bool(self.boolean)])
        if self.graph is not None:
            return iter(self.graph)
        labels = [Variable(v) for v in self.vars]
        return (
            ResultRow(
                {Variable(k): cast(Identifier, t) for k, t in row.items() if t is not None}, labels
            )
            for row in self.rows
        )

    def __bool__(self) -> bool:
        """The answer of an ASK; otherwise whether there is any row or triple."""
        if self.kind == "ASK":
            return bool(self.boolean)
        return len(self) > 0

    def to_dataframe(self) -> Any:
        """The SELECT rows as a ``pandas.DataFrame``, one column per variable, typed by
        the literals' datatypes: ``Int64``, ``Float64``, ``datetime64``, ``string``...
        (:mod:`zonegraph.sparql.frames` gives the rules).

        pandas is optional: ``pip install 'zonegraph[pandas]'``.
        """
        pandas_module()  # ImportError naming the extra, before any other complaint
        if self.kind != "SELECT":
            raise ValueError(
                f"a {self.kind} result has no rows for a DataFrame"
                + (" (its graph is result.graph)" if self.graph is not None else "")
            )
        return to_dataframe(self.vars, self.rows)

    def serialize(self, fmt: str = "table", *, width: int | None = None) -> str:
        """Render as ``table``, ``csv``, ``tsv``, ``json``, ``xml``; a graph in an RDF format."""
        if self.graph is not None:
            rdf_format = "turtle" if fmt == "table" else fmt
            if rdf_format not in GRAPH_FORMATS:
                raise ValueError(f"a graph result cannot be written as {fmt!r}")
            bind_prefixes(self.graph)
            return self.graph.serialize(format=_rdflib_format(rdf_format))
        if fmt == "table":
            return render_table(self, width if width is not None else _terminal_width())
        writer = _WRITERS.get(fmt)
        if writer is None:
            raise ValueError(
                f"unknown results format {fmt!r}; choose one of {', '.join(RESULT_FORMATS)}"
            )
        return writer(self)


def to_python(term: Node | None) -> Any:
    """A term's Python value: str for IRIs and blank nodes, the literal's value."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


def _terminal_width() -> int:
    """The terminal's width ($COLUMNS first); 160 when output is not a terminal."""
    return shutil.get_terminal_size((160, 24)).columns


def _rdflib_format(fmt: str) -> str:
    return {"ntriples": "nt", "jsonld": "json-ld"}.get(fmt, fmt)


def _plain(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _csv(result: QueryResult) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if result.kind == "ASK":
        w.writerow(["boolean"])
        w.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    w.writerow(result.vars)
    for row in result.rows:
        w.writerow([_plain(row.get(v)) for v in result.vars])
    return out.getvalue()


def _tsv(result: QueryResult) -> str:
    if result.kind == "ASK":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result.rows:
        lines.append("\t".join(_n3(row.get(v)) for v in result.vars))
    return "\n".join(lines) + "\n"


def _n3(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    text = term.n3()
    return text.replace("\t", "\\t").replace("\n", "\\n")


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _json(result: QueryResult) -> str:
    if result.kind == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2) + "\n"
    bindings = [
        {v: _json_term(t) for v in result.vars if (t := row.get(v)) is not None}
        for row in result.rows
    ]
    doc = {"head": {"vars": result.vars}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ASK":
        out += [
            "  <head/>",
            f"  <boolean>{'true' if result.boolean else 'false'}</boolean>",
            "</sparql>",
        ]
        return "\n".join(out) + "\n"
    out.append("  <head>")
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.vars]
    out += ["  </head>", "  <results>"]
    for row in result.rows:
        out.append("    <result>")
        for v in result.vars:
            t = row.get(v)
            if t is None:
                continue
            out.append(f"      <binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(str(term))}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(str(term.datatype))}>{escape(str(term))}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


_WRITERS: dict[str, Callable[[QueryResult], str]] = {
    "csv": _csv,
    "tsv": _tsv,
    "json": _json,
    "xml": _xml,
}
