"""The canned queries: ``queries/<name>.rq`` files and their comment headers.

A header is a block of ``#`` comment lines at the top of the file::

    # summary: The parks of a zone, with their partner nations and launch dates.
    # param: ?zone iri zg:EconomicCooperationZone = zgr:qingdao-iecz
    #   The zone whose parks are listed.
    # returns: ?park ?parkLabel ?country ?countryLabel ?launched ?source
    # example: zonegraph query parks-of-zone -p zone="Sino-German Ecopark"

``param`` lines read ``?NAME TYPE [CLASS] [= DEFAULT | optional]``; a
parameter with neither a default nor ``optional`` is required. Indented
comment lines continue the description of the line above.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import InputError, Location, UnknownQueryError

PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "gyear", "boolean")
PREFIXES_FILE = "prefixes.rq"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a canned query."""

    name: str
    type: str
    cls: str | None = None
    default: str | None = None
    optional: bool = False
    description: str = ""

    @property
    def required(self) -> bool:
        """True when the query cannot run without a value for this parameter."""
        return self.default is None and not self.optional


@dataclass(frozen=True)
class CannedQuery:
    """A canned query: its name (the file's stem), header and SPARQL text."""

    name: str
    path: Path
    summary: str
    text: str
    params: tuple[Parameter, ...] = ()
    returns: str = ""
    example: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def param(self, name: str) -> Parameter | None:
        """The parameter called *name* (without '?'), or None."""
        return next((p for p in self.params if p.name == name), None)


_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(
    r"^\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)"
    r"(?:\s+(?P<cls>(?!optional\b)[^\s=]+))?"
    r"(?:\s*=\s*(?P<default>.+?)|\s+(?P<optional>optional))?\s*$"
)


def parse_query_file(path: Path) -> CannedQuery:
    """Read one ``.rq`` file and its header.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "parks.rq"
    >>> _ = p.write_text("# summary: Parks.\\n# param: ?zone iri zg:Zone = zgr:z\\n"
    ...                  "#   The zone.\\nSELECT ?park { ?park zg:partOf ?zone }\\n")
    >>> q = parse_query_file(p)
    >>> q.name, q.summary, q.params[0].name, q.params[0].default, q.params[0].description
    ('parks', 'Parks.', 'zone', 'zgr:z', 'The zone.')
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    last: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if not stripped.startswith("#"):
            if stripped.strip():
                break
            continue
        cont = _CONTINUATION.match(stripped)
        if cont and last is not None:
            value = cont.group("value").strip()
            if last == "param" and params:
                p = params[-1]
                desc = f"{p.description} {value}".strip()
                params[-1] = Parameter(p.name, p.type, p.cls, p.default, p.optional, desc)
            else:
                fields[last] = f"{fields.get(last, '')} {value}".strip()
            continue
        m = _HEADER.match(stripped)
        if not m:
            last = None
            continue
        key, value = m.group("key"), m.group("value").strip()
        last = key
        if key == "param":
            params.append(_parse_param(value, path, lineno))
        else:
            fields[key] = f"{fields[key]} {value}".strip() if key in fields else value
    summary = fields.pop("summary", "")
    return CannedQuery(
        name=path.stem,
        path=path,
        summary=summary,
        text=text,
        params=tuple(params),
        returns=fields.pop("returns", ""),
        example=fields.pop("example", ""),
        extra=fields,
    )


def _parse_param(value: str, path: Path, lineno: int) -> Parameter:
    m = _PARAM.match(value)
    if not m or m.group("type") not in PARAM_TYPES:
        raise InputError(
            f"malformed parameter line: {value!r}",
            where=Location(str(path), lineno, 1),
            hint="write '# param: ?NAME TYPE [CLASS] [= DEFAULT | optional]' with TYPE one of "
            + ", ".join(PARAM_TYPES),
        )
    return Parameter(
        name=m.group("name"),
        type=m.group("type"),
        cls=m.group("cls"),
        default=m.group("default"),
        optional=bool(m.group("optional")),
    )


class Catalogue:
    """The canned queries of one KG directory, by name."""

    def __init__(self, queries_dir: Path) -> None:
        self.dir = queries_dir
        self._queries = {
            q.name: q
            for q in (parse_query_file(p) for p in sorted(queries_dir.glob("*.rq")))
            if q.name != Path(PREFIXES_FILE).stem
        }
        prefixes = queries_dir / PREFIXES_FILE
        self.prologue = prefixes.read_text(encoding="utf-8") if prefixes.exists() else ""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def names(self) -> list[str]:
        return sorted(self._queries)

    def get(self, name: str) -> CannedQuery:
        """The query called *name*; UnknownQueryError suggests close names."""
        try:
            return self._queries[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._queries, n=3, cutoff=0.5)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else "run 'zonegraph queries' to list them"
            )
            raise UnknownQueryError(f"unknown query {name!r}", hint=hint) from None

    def checks(self) -> list[CannedQuery]:
        """The check queries (``checks/*-violation.rq``): each must return no rows."""
        folder = self.dir / "checks"
        return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))] if folder.is_dir() else []
