"""SELECT rows as a pandas DataFrame with a dtype per column read off the literals' datatypes.

pandas cannot guess these: it sees ``Decimal`` and ``datetime.date`` objects (what
rdflib's ``toPython`` gives) and makes ``object`` columns, on which ``.mean()``,
``.dt`` and sorting by time do not work. So each column's dtype is chosen from the
XSD datatypes of its values (unbound values are missing, ``<NA>`` / ``NaT``):

==============================================  =======================================
the column's values                             dtype
==============================================  =======================================
xsd:integer and its derived types               ``Int64`` (nullable integer)
xsd:decimal, xsd:double, xsd:float (+ integers) ``Float64`` (a decimal beyond 15 digits
                                                loses its last ones)
xsd:date, xsd:dateTime                          ``datetime64`` (in UTC where any value
                                                has a time zone)
xsd:gYear                                       ``Int64``, the year
xsd:gYearMonth                                  ``period[M]``
xsd:boolean                                     ``boolean``
anything else: IRIs, strings, language-tagged   ``string``: the IRI, or the literal's
strings, a column mixing the kinds above        lexical form (language tags are dropped)
==============================================  =======================================

A column mixing dates of different precision (``zg:date``: a year, a month or a day,
as the source gives it) stays ``string``: ISO forms still sort in time order, and a
datetime would invent a month or a day the source does not give.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

from rdflib import XSD, Literal
from rdflib.term import Node

_YEAR = re.compile(r"-?\d{4,}(?:-\d{2})?")
PANDAS_HINT = "pip install 'zonegraph[pandas]'"

_INTEGER = {
    XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger,
    XSD.negativeInteger, XSD.long, XSD.int, XSD.short, XSD.byte,
    XSD.unsignedLong, XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte,
}  # fmt: skip
_KINDS = {
    **dict.fromkeys(_INTEGER, "integer"),
    **dict.fromkeys((XSD.decimal, XSD.double, XSD.float), "float"),
    **dict.fromkeys((XSD.date, XSD.dateTime), "datetime"),
    XSD.gYear: "year",
    XSD.gYearMonth: "month",
    XSD.boolean: "boolean",
}


def pandas_module() -> Any:
    """pandas, or ImportError saying which extra installs it (it is optional)."""
    try:
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(f"QueryResult.to_dataframe() needs pandas: {PANDAS_HINT}") from exc


def kind(term: Node) -> str:
    """What a column of *term*'s datatype becomes (see the table above); "string" for
    IRIs, blank nodes and literals of other datatypes or ill-typed ones."""
    if isinstance(term, Literal) and term.datatype is not None and term.ill_typed is not True:
        return _KINDS.get(term.datatype, "string")
    return "string"


def to_dataframe(variables: Sequence[str], rows: Sequence[dict[str, Node | None]]) -> Any:
    """The DataFrame of SELECT *rows*: one column per variable, typed by :func:`kind`."""
    pd = pandas_module()
    columns = {v: _column(pd, [row.get(v) for row in rows]) for v in variables}
    return pd.DataFrame(columns, columns=list(variables), index=pd.RangeIndex(len(rows)))


def _column(pd: Any, terms: list[Node | None]) -> Any:
    kinds = {kind(t) for t in terms if t is not None}
    if kinds and kinds <= {"integer"}:
        return pd.array([None if t is None else int(_python(t)) for t in terms], dtype="Int64")
    if kinds and kinds <= {"integer", "float"}:
        return pd.array([None if t is None else float(_python(t)) for t in terms], dtype="Float64")
    if kinds == {"datetime"}:
        values = [None if t is None else _python(t) for t in terms]
        aware = any(getattr(v, "tzinfo", None) is not None for v in values)
        return pd.to_datetime(pd.Series(values, dtype=object), utc=aware)
    if kinds == {"year"}:
        return pd.array([None if t is None else int(_year(t)) for t in terms], dtype="Int64")
    if kinds == {"month"}:
        months = [pd.NaT if t is None else pd.Period(_year(t), "M") for t in terms]
        return pd.array(months, dtype="period[M]")
    if kinds == {"boolean"}:
        return pd.array([None if t is None else bool(_python(t)) for t in terms], dtype="boolean")
    return pd.array([None if t is None else str(t) for t in terms], dtype="string")


def _year(term: Node) -> str:
    """The year (gYear) or year-month (gYearMonth) of a literal, without its time zone."""
    match = _YEAR.match(str(term))
    assert match is not None  # a well-typed gYear or gYearMonth (kind)
    return match.group()


def _python(term: Node) -> Any:
    return term.toPython() if isinstance(term, Literal) else str(term)
