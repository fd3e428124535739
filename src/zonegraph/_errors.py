"""Errors raised by zonegraph.

Every error is a :class:`ZonegraphError`; the command turns one into a message
on standard error and exit code 2. A validation that finds violations is not an
error: it returns a report (exit code 1).

    ZonegraphError                 something zonegraph could not do; says how to fix it
    ├── InputError                 a file is not usable input (where: file:line:column)
    ├── UnknownQueryError          no canned query by that name (suggests close names)
    ├── ParameterError             a query parameter is missing, unknown or cannot be resolved
    ├── QueryError                 a SPARQL text does not parse or asks for what is refused
    ├── SourceError                facts cannot be attributed to exactly one source
    ├── StoreError                 the store cannot be opened, read or written
    └── OutputError                an output file (-o) cannot be written
"""

from __future__ import annotations

from dataclasses import dataclass


class ZonegraphError(Exception):
    """Something zonegraph could not do. ``hint`` says how to fix it."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class Location:
    """Where in a file something is: 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


class InputError(ZonegraphError):
    """A file is not usable input: a syntax error, a bad IRI, an ill-typed literal."""

    def __init__(self, message: str, *, where: Location, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {super().__str__()}"


class UnknownQueryError(ZonegraphError):
    """No canned query has that name."""


class ParameterError(ZonegraphError):
    """A query parameter is missing, unknown, of the wrong type or names no entity.

    ``missing`` names a required parameter that was not given; :meth:`hint_for` then says
    how to give it where the query was asked: ``-p NAME=VALUE`` on the command line,
    ``?NAME=VALUE`` in a URL, ``NAME=VALUE`` as a keyword argument in Python.
    """

    def __init__(self, message: str, *, hint: str | None = None, missing: str | None = None):
        super().__init__(message, hint=hint)
        self.missing = missing

    def hint_for(self, where: str = "python") -> str | None:
        """The hint for a caller on the command line (``cli``), over HTTP (``url``) or in
        Python (``python``)."""
        if self.missing is None:
            return self.hint
        name = self.missing
        how = {
            "cli": f"add -p {name}=VALUE",
            "url": f"add the URL query parameter {name}=VALUE (?{name}=VALUE)",
            "python": f"pass {name}=VALUE",
        }[where]
        return how + (f"; {self.hint}" if self.hint else "")

    def __str__(self) -> str:
        hint = self.hint_for("python")
        return self.message if not hint else f"{self.message}\n  hint: {hint}"


class QueryError(ZonegraphError):
    """A SPARQL text does not parse, or asks for something refused (SERVICE, LOAD, FROM)."""


class SourceError(ZonegraphError):
    """New facts cannot be attributed to exactly one described source."""


class StoreError(ZonegraphError):
    """The knowledge-graph directory or store cannot be opened, read or written."""


class OutputError(ZonegraphError):
    """An output file (``-o FILE``) cannot be written: its folder is missing or not writable."""
