"""Strict intake: unusable Turtle is refused with file:line:column and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonegraph import InputError
from zonegraph.rdf.intake import parse_turtle, parse_turtle_text

PREFIX = (
    "@prefix zgr: <https://w3id.org/zonegraph/id/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


@pytest.mark.parametrize(
    ("body", "line", "column", "words"),
    [
        # a missing ';' between two predicates: the error is on line 4
        ('zgr:a rdfs:label "A"@en\n   rdfs:comment "x" .\n', 4, None, "syntax"),
        # an undeclared prefix
        ('zgx:a rdfs:label "A" .\n', 3, None, "prefix"),
        # an ill-typed date
        (
            'zgr:a zgr:when "2024-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
            3,
            16,
            "ill-typed",
        ),
        # a relative IRI and no base
        ('<a> rdfs:label "A" .\n', 3, 1, "relative IRI"),
        # an IRI with a space
        ('<https://example.org/a b> rdfs:label "A" .\n', 3, None, "IRI"),
        # a malformed language tag
        ('zgr:a rdfs:label "A"@en-toolongsubtag .\n', 3, None, "language tag"),
    ],
)
def test_bad_turtle_is_refused_with_a_location(
    body: str, line: int, column: int | None, words: str
) -> None:
    with pytest.raises(InputError) as info:
        parse_turtle_text(PREFIX + body, name="new.ttl")
    err = info.value
    assert err.where.file == "new.ttl"
    assert err.where.line == line
    if column is not None:
        assert err.where.column == column
    assert words.lower() in str(err).lower()
    assert err.hint


def test_missing_final_dot_is_an_input_error_not_a_traceback() -> None:
    with pytest.raises(InputError) as info:
        parse_turtle_text(PREFIX + 'zgr:a rdfs:label "A"', name="f.ttl")
    assert info.value.where.line is not None


def test_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes((PREFIX + 'zgr:a rdfs:label "Caf\xe9" .\n').encode("latin-1"))
    with pytest.raises(InputError) as info:
        parse_turtle(path)
    assert "UTF-8" in str(info.value)
    assert info.value.where.line == 3


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.ttl"
    path.write_text(PREFIX + 'zgr:a rdfs:label "A" .\n' * 10)
    with pytest.raises(InputError, match="over the limit"):
        parse_turtle(path, max_bytes=100)


def test_good_turtle_parses() -> None:
    g = parse_turtle_text(PREFIX + 'zgr:a rdfs:label "A"@en .\n', name="ok.ttl")
    assert len(g) == 1
