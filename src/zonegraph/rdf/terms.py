"""The rules RDF terms must keep: IRIs, language tags, typed literals.

- IRIs: resolution against a base as RFC 3986 §5.2 says (dot segments
  removed), and the checks of an absolute IRI (RFC 3987): a scheme, no
  character an IRI cannot hold, well-formed percent-encoding, a numeric port,
  one fragment;
- language tags: well-formed BCP 47 (RFC 5646 §2.1), not checked against the
  IANA registry;
- literals: the lexical space of the XSD datatypes (XML Schema 1.1 Part 2),
  with the value ranges of the integer types and real calendar days.

:mod:`zonegraph.rdf.turtle_reader` applies them to every term it reads.
"""

from __future__ import annotations

import re

from rdflib import XSD

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')

# -- RFC 3986 / 3987 ----------------------------------------------------------

_URI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_PORT = re.compile(r"^(?:[^@]*@)?(\[[^\]]*\]|[^:\[\]]*)(?::([^:]*))?$")

# -- BCP 47 (RFC 5646 §2.1, well-formed tags) -----------------------------------

_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn"
    "|i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn"
    "|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_BCP47 = re.compile(
    r"^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language (+ extlang)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
    rf"|x(?:-[a-z0-9]{{1,8}})+|{_GRANDFATHERED})$",
    re.IGNORECASE,
)

# -- XSD lexical spaces (XML Schema 1.1 Part 2) ---------------------------------

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_TZ_REQUIRED = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TZ = f"{_TZ_REQUIRED}?"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_INT = r"[+-]?[0-9]+"
_LEXICAL: dict[str, re.Pattern[str]] = {
    name: re.compile(f"^(?:{pattern})$")
    for name, pattern in {
        "boolean": r"true|false|1|0",
        "decimal": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)",
        "integer": _INT,
        "double": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
        "float": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
        "date": f"{_YEAR}-{_MONTH}-{_DAY}{_TZ}",
        "dateTime": f"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_TZ}",
        "dateTimeStamp": f"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_TZ_REQUIRED}",
        "time": f"{_TIME}{_TZ}",
        "gYear": f"{_YEAR}{_TZ}",
        "gYearMonth": f"{_YEAR}-{_MONTH}{_TZ}",
        "gMonth": f"--{_MONTH}{_TZ}",
        "gDay": f"---{_DAY}{_TZ}",
        "gMonthDay": f"--{_MONTH}-{_DAY}{_TZ}",
        "duration": r"-?P(?=[0-9]|T[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
        r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?",
        "hexBinary": r"(?:[0-9a-fA-F]{2})*",
        "language": r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*",
    }.items()
}
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DATE_PART = re.compile(r"^-?([0-9]{4,})-([0-9]{2})-([0-9]{2})")


def has_scheme(iri: str) -> bool:
    """True when *iri* is absolute (starts with a scheme such as ``https:``)."""
    m = _URI_PARTS.match(iri)
    return m is not None and m.group(1) is not None and bool(_SCHEME.match(m.group(1)))


def language_tag_problem(tag: str) -> str | None:
    """Why *tag* is not a well-formed BCP 47 language tag, or None.

    >>> language_tag_problem("zh-Hans-CN") is None, language_tag_problem("en-britishenglish")
    (True, 'not a BCP 47 tag')
    """
    return None if _BCP47.match(tag) else "not a BCP 47 tag"


def lexical_problem(lexical: str, datatype: str) -> str | None:
    """Why *lexical* is outside the lexical space of XSD *datatype*; None if inside, or unknown."""
    xsd = str(XSD)
    if not datatype.startswith(xsd):
        return None
    local = datatype[len(xsd) :]
    if local in _INTEGER_RANGES:
        if not re.fullmatch(_INT, lexical):
            return f"{lexical!r} is not an integer"
        low, high = _INTEGER_RANGES[local]
        value = int(lexical)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{value} is out of the range of xsd:{local}"
        return None
    pattern = _LEXICAL.get(local)
    if pattern is None:
        return None
    if not pattern.match(lexical):
        return f"{lexical!r} is not a valid xsd:{local}"
    if local in ("date", "dateTime", "dateTimeStamp"):
        m = _DATE_PART.match(lexical)
        if m:
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
            leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            limit = 29 if month == 2 and leap else 28 if month == 2 else _DAYS_IN_MONTH[month - 1]
            if day > limit:
                return f"{lexical!r} is not a valid xsd:{local}: month {month} has no day {day}"
    return None


def resolve_iri(base: str, reference: str) -> str:
    """*reference* resolved against *base* (RFC 3986 §5.2.2, strict).

    >>> resolve_iri("http://a/b/c/d;p?q", "../g")
    'http://a/b/g'
    >>> resolve_iri("http://a/b/c/d;p?q", "g/./h")
    'http://a/b/c/g/h'
    """
    r = _URI_PARTS.match(reference)
    b = _URI_PARTS.match(base)
    assert r is not None and b is not None
    r_scheme, r_auth, r_path, r_query, r_frag = r.groups()
    b_scheme, b_auth, b_path, b_query, _ = b.groups()
    if r_scheme is not None:
        scheme, auth, path, query = r_scheme, r_auth, _remove_dot_segments(r_path), r_query
    else:
        scheme = b_scheme
        if r_auth is not None:
            auth, path, query = r_auth, _remove_dot_segments(r_path), r_query
        else:
            auth = b_auth
            if r_path == "":
                path = b_path
                query = r_query if r_query is not None else b_query
            else:
                if r_path.startswith("/"):
                    path = _remove_dot_segments(r_path)
                elif b_auth is not None and b_path == "":
                    path = _remove_dot_segments("/" + r_path)
                else:
                    path = _remove_dot_segments(b_path[: b_path.rfind("/") + 1] + r_path)
                query = r_query
    out = f"{scheme}:" if scheme is not None else ""
    if auth is not None:
        out += f"//{auth}"
    out += path
    if query is not None:
        out += f"?{query}"
    if r_frag is not None:
        out += f"#{r_frag}"
    return out


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            segment = path if cut < 0 else path[:cut]
            output.append(segment)
            path = "" if cut < 0 else path[cut:]
    return "".join(output)


def iri_problem(iri: str) -> str | None:
    """Why *iri* is not an absolute IRI (RFC 3987), or None."""
    m = _URI_PARTS.match(iri)
    if m is None or m.group(1) is None or not _SCHEME.match(m.group(1)):
        return "it has no scheme (such as https:)"
    bad = _IRI_FORBIDDEN.search(iri)
    if bad:
        return f"it contains {bad.group()!r}"
    if _BAD_PERCENT.search(iri):
        return "'%' is not followed by two hex digits (write %25 for a percent sign)"
    authority = m.group(2)
    if authority is not None:
        hp = _HOST_PORT.match(authority)
        if hp is None:
            return f"its authority {authority!r} is malformed"
        port = hp.group(2)
        if port is not None and not port.isdigit() and port != "":
            return f"its port {port!r} is not a number"
    elif (
        "[" in iri.split("#", 1)[0].split("?", 1)[0] or "]" in iri.split("#", 1)[0].split("?", 1)[0]
    ):
        return "'[' and ']' may only enclose an IP address in the host"
    fragment = m.group(5)
    if fragment is not None and "#" in fragment:
        return "it has more than one '#'"
    return None
