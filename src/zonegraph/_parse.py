"""Reading Turtle strictly: a file enters whole and correct, or not at all.

The file-level rules live here (a size limit, UTF-8, no ``owl:imports``); the
grammar and the checks of every term are in :mod:`zonegraph._reader`. Every
problem becomes an :class:`InputError` with file:line:column and a fix.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, Graph

from ._errors import InputError, Location

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024

_NO_IMPORTS = {
    OWL.imports: (
        "owl:imports asks to load another ontology from the network or a file; "
        "zonegraph never follows it",
        "remove the owl:imports statement and put the terms you need in the KG's own files "
        "(--allow-network accepts the statement, which is still not followed)",
    )
}


def parse_turtle(
    path: Path,
    *,
    base: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    display_name: str | None = None,
    allow_network: bool = False,
) -> Graph:
    """Parse one Turtle file strictly and return its graph.

    Raises :class:`InputError` (file:line:column, what, how to fix) for a file
    too large, not UTF-8, with a syntax error, a relative IRI without a base,
    an invalid IRI, an ill-typed literal, a malformed language tag, or (unless
    *allow_network*) an ``owl:imports`` statement. *max_bytes* None reads the
    file whatever its size (for the KG's own files, which zonegraph writes).
    """
    name = display_name or str(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise InputError(
                f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes",
                where=Location(name),
                hint="split it into smaller files, or raise the limit with --max-bytes",
            )
        with path.open("rb") as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}",
            where=Location(name),
            hint="check the path and that the file is readable",
        ) from exc
    if max_bytes is not None and len(data) > max_bytes:  # it grew, or is not a regular file
        raise InputError(
            f"the file is over the limit of {max_bytes:,} bytes",
            where=Location(name),
            hint="split it into smaller files, or raise the limit with --max-bytes",
        )
    return parse_turtle_text(data, name=name, base=base, allow_network=allow_network)


def parse_turtle_text(
    data: bytes | str, *, name: str, base: str | None = None, allow_network: bool = False
) -> Graph:
    """Parse Turtle given as bytes or text; see :func:`parse_turtle`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = _line_col_bytes(data, exc.start)
            raise InputError(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                where=Location(name, line, col),
                hint="save the file as UTF-8",
            ) from exc
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    from ._reader import read_turtle  # imported when a file is read (not from the cache)

    triples = read_turtle(text, name=name, base=base, refuse=None if allow_network else _NO_IMPORTS)
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _line_col_bytes(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    start = data.rfind(b"\n", 0, index) + 1
    col = len(data[start:index].decode("utf-8", errors="replace")) + 1
    return line, col
