"""Query results as a table a person reads in a terminal (``--format table``).

What it does, in the order it tries:

1. **Labels before IRIs.** Where a result has both ``?park`` and ``?parkLabel``,
   the table first tries to show both (the IRI compact, ``zgr:...``); where that
   does not fit, one column ``park`` shows the label (the compact IRI where there
   is no label). A lone ``?unitLabel`` is headed ``unit``.
2. **The terminal's width.** Cells are never cut: a table whose columns fit is
   printed as it is; one that fits only with long cells wrapped on spaces is
   wrapped within the width; one that cannot fit readably (its unbreakable
   words alone are wider than the terminal) becomes a record view, one
   ``field: value`` block per row, with label and IRI side by side.
3. **What a row is.** A canned query's header says it (``# row:``, or the
   "One row per ..." sentence of ``# returns:``); the table starts with that
   sentence, shows the query's parameters that are the same in every row once
   above it, and ends with a count line that says why there are more rows than
   things: "3 parks in 6 rows: a park's rows differ in source".

Why hand-written rather than rich or tabulate: neither is a dependency of
zonegraph (click is, and it draws no tables), the output must stay plain text
(no box drawing, no colour, stable for tests and for pasting into an issue),
and what makes these tables readable is RDF-specific (labels paired with their
IRIs, the query's own description as caption and count), which a table
library would not do. The generic part is small: widths by Unicode East Asian
width (:mod:`unicodedata`), so Chinese labels line up, and wrapping on spaces.

Machine formats (CSV, TSV, JSON, XML) are written by :mod:`.results` and do not
pass through here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..rdf.namespaces import shorten

if TYPE_CHECKING:
    from .catalogue import CannedQuery
    from .results import QueryResult

GAP = "  "
#: Numbers at least this large are written with thousands separators.
_GROUP_FROM = 10_000
_NUMERIC = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.int, XSD.long}


@dataclass(frozen=True)
class Caption:
    """What a table's rows are, from its canned query's header.

    ``text`` is the sentence saying what a row is; ``per`` the variable a row
    is "per" (counted in the count line); ``given`` the query's parameter
    names, shown once above the table when a column holds the same value in
    every row.
    """

    text: str = ""
    per: str | None = None
    given: tuple[str, ...] = ()


_ROW_SENTENCE = re.compile(r"\bone row per\b[^.;]*", re.IGNORECASE)


def caption_of(query: CannedQuery) -> Caption:
    """The caption of a canned query's table: its ``# row:`` line, else the
    "One row per ..." sentence of its ``# returns:`` description.

    >>> from pathlib import Path
    >>> from zonegraph.sparql.catalogue import CannedQuery
    >>> q = CannedQuery("p", Path("p.rq"), "Parks.", "", returns="?park ?parkLabel ?country "
    ...                 "One row per park and partner country, by park name; ?zone is ...")
    >>> caption_of(q)
    Caption(text='One row per park and partner country, by park name', per='park', given=())
    """
    variables = set(re.findall(r"\?([A-Za-z_]\w*)", query.returns))
    text = query.extra.get("row", "").strip().rstrip(".")
    if not text:
        match = _ROW_SENTENCE.search(query.returns)
        text = match.group(0).strip().rstrip(",") if match else ""
    per = None
    words = re.findall(r"[A-Za-z_]\w*", re.sub(r"(?i)^.*?\bper\b", "", text, count=1))
    if words and words[0] in variables:
        per = words[0]
    if text:
        text = text[0].upper() + text[1:]
    return Caption(text=text, per=per, given=tuple(p.name for p in query.params))


def display(term: Node | None) -> str:
    """A term as a person reads it: prefixed names, numbers without ``.0``, thousands
    separators from 10,000.

    >>> display(Literal(Decimal("40000000000.0"))), display(URIRef("https://w3id.org/zonegraph/id/china"))
    ('40,000,000,000', 'zgr:china')
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            value = value.normalize()
            if value == value.to_integral_value():
                value = value.quantize(Decimal(1))
            return format(value, ",f") if abs(value) >= _GROUP_FROM else format(value, "f")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _GROUP_FROM:
            return format(value, ",")
        return str(term)
    return str(term)


def width_of(text: str) -> int:
    """The columns *text* takes in a terminal (CJK characters take two, combining marks none).

    >>> width_of("中德生态园"), width_of("Ecopark")
    (10, 7)
    """
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def wrap(text: str, width: int) -> list[str]:
    """*text* in lines of at most *width* columns, broken at spaces; a word wider
    than the width is broken where it must be. Line breaks in the text are kept.

    >>> wrap("one row per park and partner country", 12)
    ['one row per', 'park and', 'partner', 'country']
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            while width_of(word) > width:
                if line:
                    lines.append(line)
                    line = ""
                head, word = _split_at(word, width)
                lines.append(head)
            if not line:
                line = word
            elif width_of(line) + 1 + width_of(word) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines or [""]


def _split_at(word: str, width: int) -> tuple[str, str]:
    used = 0
    for i, c in enumerate(word):
        used += width_of(c)
        if used > width:
            return word[: max(i, 1)], word[max(i, 1) :]
    return word, ""


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - width_of(text))
    return fill + text if right else text + fill


@dataclass
class _Column:
    name: str
    cells: list[str]
    right: bool = False

    def natural(self) -> int:
        return max([width_of(self.name), *(width_of(c) for c in self.cells)])

    def least(self) -> int:
        """The narrowest this column gets without breaking a word."""
        words = (w for c in self.cells for line in c.split("\n") for w in line.split())
        return max([width_of(self.name), *(_unbreakable(w) for w in words)])


def _unbreakable(word: str) -> int:
    """The widest part of *word* that cannot be broken: Chinese and Japanese text
    breaks between any two characters, other scripts only at spaces."""
    runs = re.split(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]", word)
    wide = 2 if len(runs) > 1 else 0
    return max([wide, *(width_of(r) for r in runs)])


def _numeric(terms: Sequence[Node | None]) -> bool:
    bound = [t for t in terms if t is not None]
    return bool(bound) and all(isinstance(t, Literal) and t.datatype in _NUMERIC for t in bound)


def _label_of(var: str, variables: Sequence[str]) -> str | None:
    label = f"{var}Label"
    return label if label in variables else None


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\r", "")


def _columns(result: QueryResult, shown: list[str], merged: bool) -> list[_Column]:
    """The table's columns: every variable (*merged* False) or labels in place of
    their IRIs (*merged* True)."""
    columns: list[_Column] = []
    for var in shown:
        terms = [row.get(var) for row in result.rows]
        base = var[: -len("Label")] if var.endswith("Label") else None
        if merged and base and base in shown:
            continue  # shown in its IRI's column
        label = _label_of(var, shown)
        if merged and label:
            cells = [
                display(row.get(label)) if row.get(label) is not None else display(row.get(var))
                for row in result.rows
            ]
            columns.append(_Column(var, [_clean(c) for c in cells]))
            continue
        name = base if merged and base else var
        cells = [_clean(display(t)) for t in terms]
        columns.append(_Column(name, cells, right=_numeric(terms)))
    return columns


def _fits(columns: list[_Column], limit: int) -> bool:
    return sum(c.natural() for c in columns) + len(GAP) * (len(columns) - 1) <= limit


def _grid(columns: list[_Column], widths: list[int]) -> list[str]:
    def line(cells: list[str]) -> str:
        return GAP.join(
            _pad(c, w, col.right) for c, w, col in zip(cells, widths, columns, strict=True)
        ).rstrip()

    out = [
        line([c.name for c in columns]),
        GAP.join("-" * w for w in widths),
    ]
    count = len(columns[0].cells) if columns else 0
    blocks = []
    for i in range(count):
        wrapped = [wrap(c.cells[i], w) for c, w in zip(columns, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        blocks.append(
            [
                line([w[k] if k < len(w) else "" for w in wrapped])  # one line of the row
                for k in range(height)
            ]
        )
    spaced = any(len(b) > 1 for b in blocks)
    for i, block in enumerate(blocks):
        if spaced and i:
            out.append("")
        out.extend(block)
    return out


#: A wrapped table is readable while no cell takes more lines than this; past it, records.
MAX_CELL_LINES = 3


def _share(columns: list[_Column], limit: int) -> list[int] | None:
    """Column widths within *limit*, wrapping the longest cells; None if even
    unbroken words do not fit, or a cell would take more than MAX_CELL_LINES lines."""
    widths = [c.least() for c in columns]
    room = limit - sum(widths) - len(GAP) * (len(columns) - 1)
    if room < 0:
        return None
    # the columns that need least to be whole first (fewest wrapped columns), then the rest
    # to the column that lacks most
    natural = [c.natural() for c in columns]
    for i in sorted(range(len(columns)), key=lambda i: natural[i] - widths[i]):
        if 0 < natural[i] - widths[i] <= room:
            room -= natural[i] - widths[i]
            widths[i] = natural[i]
    while room > 0:
        wants = [n - w for n, w in zip(natural, widths, strict=True)]
        most = max(wants)
        if most <= 0:
            break
        widths[wants.index(most)] += 1
        room -= 1
    for column, w in zip(columns, widths, strict=True):
        if w < column.natural() and any(len(wrap(c, w)) > MAX_CELL_LINES for c in column.cells):
            return None
    return widths


def _records(result: QueryResult, shown: list[str], limit: int) -> list[str]:
    """One ``field: value`` block per row, the label beside its compact IRI."""
    names = [v for v in shown if not (v.endswith("Label") and v[: -len("Label")] in shown)]
    heads = {
        v: (v[: -len("Label")] if v.endswith("Label") else v) for v in names
    }  # a lone ?unitLabel reads "unit"
    pad = max((width_of(h) for h in heads.values()), default=0) + 2
    out: list[str] = []
    total = len(result.rows)
    for i, row in enumerate(result.rows, start=1):
        if i > 1:
            out.append("")
        head = f"-[ {i} of {total} ]"
        out.append(head + "-" * max(0, min(limit, 40) - len(head)))
        for var in names:
            label = _label_of(var, shown)
            term, text = row.get(var), display(row.get(var))
            room = max(limit - pad, 10)
            if label and row.get(label) is not None:
                name = display(row.get(label))
                # the compact IRI only where it fits whole on a line
                fits = term is not None and width_of(text) + 2 <= room
                text = f"{name} ({text})" if fits else name
            if not text:
                continue
            lines = wrap(_clean(text), room)
            out.append(_pad(f"{heads[var]}:", pad) + lines[0])
            out.extend(" " * pad + rest for rest in lines[1:])
    return out


def _count_line(result: QueryResult, caption: Caption, columns: list[_Column]) -> str:
    total = len(result.rows)
    rows = f"{total} row{'' if total == 1 else 's'}"
    per = caption.per
    if not per or per not in result.vars or not total:
        return f"({rows})"
    keys = [display(row.get(per)) for row in result.rows]
    things = len(set(keys))
    if things == total:
        return f"({rows})"
    differ = []
    for column in columns:
        if column.name == per:
            continue
        seen: dict[str, str] = {}
        for key, cell in zip(keys, column.cells, strict=True):
            if seen.setdefault(key, cell) != cell:
                differ.append(column.name)
                break
    why = f": {_possessive(per)} rows differ in {_listed(differ)}" if differ else ""
    return f"({_plural(things, per)} in {rows}{why})"


def _plural(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{n} {noun[:-1]}ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{n} {noun}es"
    return f"{n} {noun}s"


def _possessive(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}'s"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def render(result: QueryResult, width: int, caption: Caption | None = None) -> str:
    """The result as text lines within *width* columns (see the module's docstring).

    An ASK result reads ``yes`` or ``no``.
    """
    if result.kind == "ASK":
        return "yes" if result.boolean else "no"
    if not result.vars:
        return "(no columns)"
    caption = caption or Caption()
    limit = max(width, 20)
    out: list[str] = []
    if caption.text:
        out.extend(wrap(caption.text + ".", limit))
    shown = list(result.vars)
    for var in caption.given:
        values = {display(row.get(var)) for row in result.rows}
        if var in shown and len(values) == 1 and result.rows:
            (value,) = values
            label = _label_of(var, shown)
            labels = {display(row.get(label)) for row in result.rows} if label else set()
            if len(labels) == 1 and "" not in labels:
                value = f"{labels.pop()}  ({value})"
            out.extend(wrap(f"{var}: {value}", limit))
            shown = [v for v in shown if v not in (var, label)]
    if out:
        out.append("")
    full = _columns(result, shown, merged=False)
    merged = _columns(result, shown, merged=True)
    if not shown:
        pass
    elif _fits(full, limit):
        out.extend(_grid(full, [c.natural() for c in full]))
    elif (widths := _share(merged, limit)) is not None:
        out.extend(_grid(merged, widths))
    else:
        out.extend(_records(result, shown, limit))
    if "" in out[-3:]:  # rows apart: the count apart too
        out.append("")
    out.extend(wrap(_count_line(result, caption, merged), limit))
    return "\n".join(out)
