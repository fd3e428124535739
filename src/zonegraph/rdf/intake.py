"""Reading Turtle strictly: a file enters whole and correct, or not at all.

The file-level rules live here (only regular files, a size limit, UTF-8, no
``owl:imports``, at least one triple for new facts); the grammar, the checks
of every term and the limits that apply while reading (triples, nesting depth,
collection length) are in :mod:`zonegraph.rdf.turtle_reader`. Every problem becomes an
:class:`InputError` with file:line:column and a fix.

:class:`IntakeLimits` is the one description of what an input may cost: the
command line (``--max-bytes``, ``--max-triples``, ``--max-depth``,
``--max-collection``), the library (``open_kg(limits=...)``) and the server's
request bodies share it. docs/security.md ("Intake") gives the figures.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, Graph

from .._errors import InputError, Location
from .intake_limits import DEFAULT_MAX_BYTES, IntakeLimits

_NO_IMPORTS_MESSAGE = (
    "owl:imports asks to load another ontology from the network or a file; "
    "zonegraph never follows it",
    "remove the owl:imports statement and put the terms you need in the KG's own files "
    "(--allow-network accepts the statement, which is still not followed)",
)
_NO_IMPORTS = {OWL.imports: _NO_IMPORTS_MESSAGE}
_SIZE_HINT = "split it into smaller files, or raise the limit with --max-bytes N"
_UNSET = -1


def parse_turtle(
    path: Path,
    *,
    base: str | None = None,
    max_bytes: int | None = _UNSET,
    limits: IntakeLimits | None = None,
    display_name: str | None = None,
    allow_network: bool = False,
    require_triples: bool = False,
    counted: int = 0,
) -> Graph:
    """Parse one Turtle file strictly and return its graph.

    Raises :class:`InputError` (file:line:column, what, how to fix) for
    something other than a regular file (a named pipe, a device, a folder), a
    file over a limit of *limits*, not UTF-8, with a syntax error, a relative
    IRI without a base, an invalid IRI, an ill-typed literal, a malformed
    language tag, (unless *allow_network*) an ``owl:imports`` statement, or
    (with *require_triples*) no triple at all. *counted* triples of other files
    read in the same batch count towards ``max_triples``: a batch of files is
    bounded as one input.

    Without *limits*, only *max_bytes* applies (the size; ``None``: none), as
    before the limits existed: callers that read the KG's own files (``fmt``)
    rely on it. Input files get their *limits* (``KnowledgeGraph.read_facts``).
    """
    if limits is None:
        limits = IntakeLimits(
            max_bytes=DEFAULT_MAX_BYTES if max_bytes == _UNSET else max_bytes,
            max_triples=None,
            max_collection=None,
        )
    name = display_name or str(path)
    data = read_regular_file(path, name, limits.max_bytes)
    graph = parse_turtle_text(
        data, name=name, base=base, allow_network=allow_network, limits=limits, counted=counted
    )
    if require_triples and not len(graph):
        raise InputError(
            "the file holds no triples (it is empty, or only prefixes and comments)",
            where=Location(name),
            hint="write the new facts in Turtle ('zonegraph template CLASS' prints a skeleton), "
            "or leave the file out",
        )
    return graph


def read_regular_file(path: Path, name: str, max_bytes: int | None) -> bytes:
    """The bytes of *path*, which must be a regular file of at most *max_bytes* bytes.

    A named pipe would block the read forever and a device (``/dev/zero``)
    never ends: anything but a regular file is refused before it is read,
    and the file is opened without blocking and checked again, so a pipe
    put in its place between the two checks is refused too.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unreadable(exc, name) from exc
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(info.st_mode, name)
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError(
            f"the file is {info.st_size:,} bytes, over the limit of {max_bytes:,} bytes",
            where=Location(name),
            hint=_SIZE_HINT,
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _unreadable(exc, name) from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise not_regular(mode, name)
        try:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        except OSError as exc:
            raise _unreadable(exc, name) from exc
    if max_bytes is not None and len(data) > max_bytes:  # it grew while it was read
        raise InputError(
            f"the file is over the limit of {max_bytes:,} bytes",
            where=Location(name),
            hint=_SIZE_HINT,
        )
    return data


def _unreadable(exc: OSError, name: str) -> InputError:
    return InputError(
        f"cannot read the file: {exc.strerror}",
        where=Location(name),
        hint="check the path and that the file is readable",
    )


def not_regular(mode: int, name: str) -> InputError:
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a folder"
        if stat.S_ISDIR(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return InputError(
        f"this is {kind}, not a regular file; zonegraph reads only regular files",
        where=Location(name),
        hint="save the Turtle to a file first (for a pipe: command > facts.ttl), "
        "then give that file",
    )


def read_facts(
    paths: Iterable[str | Path], *, limits: IntakeLimits, allow_network: bool = False
) -> list[tuple[Path, Graph]]:
    """Parse new-facts files strictly; InputError names file:line:column. The files are
    one input for the limits: their triples count together towards ``max_triples``."""
    files: list[tuple[Path, Graph]] = []
    counted = 0
    for p in paths:
        graph = parse_turtle(
            Path(p),
            limits=limits,
            allow_network=allow_network,
            require_triples=True,
            counted=counted,
        )
        counted += len(graph)
        files.append((Path(p), graph))
    return files


def parse_turtle_text(
    data: bytes | str,
    *,
    name: str,
    base: str | None = None,
    allow_network: bool = False,
    limits: IntakeLimits | None = None,
    counted: int = 0,
) -> Graph:
    """Parse Turtle given as bytes or text (a request body); see :func:`parse_turtle`.

    *limits* defaults to :class:`IntakeLimits`; text over its ``max_bytes`` is refused.
    """
    limits = limits or IntakeLimits()
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise InputError(
            f"the input is {size:,} bytes, over the limit of {limits.max_bytes:,} bytes",
            where=Location(name),
            hint=_SIZE_HINT,
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = _line_col_bytes(data, exc.start)
            raise InputError(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                where=Location(name, line, col),
                hint="save the file as UTF-8" + _other_format(data[:64].decode("latin-1")),
            ) from exc
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    from .turtle_reader import read_turtle  # imported when a file is read (not from the cache)

    try:
        triples = read_turtle(
            text,
            name=name,
            base=base,
            refuse=None if allow_network else _NO_IMPORTS,
            limits=limits,
            counted=counted,
        )
    except InputError as exc:
        other = _other_format(text, name)
        if other and exc.message.startswith("Turtle syntax error"):
            exc.hint = other.removeprefix("; ")
        raise
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _other_format(text: str, name: str = "") -> str:
    """A hint for a file in a format other than Turtle, or ""."""
    head = text.lstrip()[:200].lower()
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if (
        suffix in ("jsonld", "json")
        or head.startswith("{")
        or (head.startswith("[") and _is_json(text))
    ):
        return (
            "; zonegraph reads Turtle only, and this looks like JSON-LD (or JSON): convert it "
            "to Turtle first, e.g. 'rdfpipe -i json-ld -o turtle FILE > FILE.ttl' (rdflib) or "
            "'riot --output=turtle FILE' (Jena), after checking what its @context fetches"
        )
    if head.startswith("<?xml") or head.startswith("<rdf:rdf") or suffix in ("rdf", "owl", "xml"):
        return (
            "; zonegraph reads Turtle only, and this looks like RDF/XML: convert it to Turtle "
            "first, e.g. 'rdfpipe -i xml -o turtle FILE > FILE.ttl' or 'riot --output=turtle FILE'"
        )
    if head.startswith("<!doctype html") or head.startswith("<html"):
        return "; zonegraph reads Turtle only, and this looks like an HTML page"
    if text[:4] in ("\x1f\x8b\x08\x00", "\x1f\x8b\x08\x08") or text.startswith("\x1f\x8b"):
        return "; this looks like a gzip file: decompress it first (gunzip FILE)"
    return ""


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _line_col_bytes(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    start = data.rfind(b"\n", 0, index) + 1
    col = len(data[start:index].decode("utf-8", errors="replace")) + 1
    return line, col
