"""Intake, piece by piece: terms, language tags, NFC, blank nodes, IRIs, shapes, limits.

The corpus (test_bad_inputs.py) checks what the command says for each kind of
bad file; these tests pin the rules themselves.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from support import REPO
from zonegraph import InputError, _cache, _shapecheck, open_kg
from zonegraph._parse import DEFAULT_MAX_BYTES, parse_turtle, parse_turtle_text
from zonegraph._terms import iri_problem, lexical_problem, resolve_iri
from zonegraph.cli import main

EX = "@prefix ex: <https://example.org/> .\n"


# -- the parser reads the project's own files as rdflib does --------------------


def _repo_turtle() -> list[Path]:
    files = [*(REPO / "kg").glob("*.ttl"), *(REPO / "ontology").glob("*.ttl")]
    files += (REPO / "tests" / "data" / "valid").glob("*.ttl")
    return sorted(files)


@pytest.mark.parametrize("path", _repo_turtle(), ids=lambda p: p.name)
def test_the_project_files_read_as_rdflib_reads_them(path: Path) -> None:
    ours = parse_turtle(path)
    theirs = Graph().parse(path, format="turtle")
    assert isomorphic(ours, theirs)


# -- language tags (BCP 47, RFC 5646 well-formedness) ----------------------------

GOOD_TAGS = [
    "en",
    "EN",
    "en-GB",
    "zh-Hans",
    "zh-Hans-CN",
    "de-CH-1996",
    "sr-Latn-RS",
    "es-419",
    "sgn-BE-FR",
    "x-private",
    "en-a-bbb-x-ccc",
    "i-klingon",
    "zh-min-nan",
    "hy-Latn-IT-arevela",
]
BAD_TAGS = ["e", "toolongtag", "en-toolongsubtag", "en-GB-b", "en-x", "a-DE", "en-a", "123"]


@pytest.mark.parametrize("tag", GOOD_TAGS)
def test_well_formed_language_tags_are_kept(tag: str) -> None:
    graph = parse_turtle_text(EX + f'ex:s ex:p "x"@{tag} .', name="t.ttl")
    (literal,) = graph.objects()
    assert isinstance(literal, Literal) and literal.language is not None
    assert literal.language.lower() == tag.lower()


@pytest.mark.parametrize("tag", BAD_TAGS)
def test_malformed_language_tags_are_refused_where_they_are(tag: str) -> None:
    with pytest.raises(InputError, match="language tag") as info:
        parse_turtle_text(EX + f'ex:s ex:p "x"@{tag} .', name="t.ttl")
    assert (info.value.where.line, info.value.where.column) == (2, 14)


# -- Unicode -------------------------------------------------------------------


def test_strings_are_normalised_to_nfc_and_iris_are_not() -> None:
    decomposed = "Cafe\u0301"  # e + combining acute accent
    text = EX + f'<https://example.org/{decomposed}> ex:p "{decomposed}"@fr, "{decomposed}" .'
    graph = parse_turtle_text(text, name="t.ttl")
    values = {str(o) for o in graph.objects()}
    assert values == {unicodedata.normalize("NFC", decomposed)}
    (subject,) = set(graph.subjects())
    assert str(subject).endswith(decomposed), "IRIs are compared code point by code point"


def test_escapes_are_decoded_and_normalised() -> None:
    graph = parse_turtle_text(EX + 'ex:s ex:p "Cafe\\u0301 \\U0001F600 \\t" .', name="t.ttl")
    assert {str(o) for o in graph.objects()} == {"Café \U0001f600 \t"}


def test_a_byte_order_mark_is_accepted() -> None:
    assert (
        len(parse_turtle_text(b"\xef\xbb\xbf" + (EX + "ex:s ex:p ex:o .").encode(), name="b")) == 1
    )


def test_text_that_is_not_utf8_names_line_and_column() -> None:
    data = (EX + 'ex:s ex:p "Caf\xe9" .').encode("latin-1")
    with pytest.raises(InputError, match="not UTF-8") as info:
        parse_turtle_text(data, name="t.ttl")
    assert (info.value.where.line, info.value.where.column) == (2, 15)


# -- blank nodes ----------------------------------------------------------------


def test_blank_nodes_of_two_files_never_collide(tmp_path: Path) -> None:
    for name in ("a.ttl", "b.ttl"):
        (tmp_path / name).write_text(EX + f'_:b1 ex:p "{name}" .', encoding="utf-8")
    graphs = [parse_turtle(tmp_path / "a.ttl"), parse_turtle(tmp_path / "b.ttl")]
    union = graphs[0] + graphs[1]
    subjects = set(union.subjects())
    assert len(subjects) == 2 and all(isinstance(s, BNode) for s in subjects)


def test_blank_nodes_are_fresh_for_each_parse() -> None:
    text = EX + "_:x ex:p ex:o ."
    first, second = parse_turtle_text(text, name="a"), parse_turtle_text(text, name="a")
    assert set(first.subjects()).isdisjoint(set(second.subjects()))


def test_one_label_is_one_blank_node_within_a_file() -> None:
    graph = parse_turtle_text(EX + "_:x ex:p ex:o . _:x ex:q ex:o . [] ex:p ex:o .", name="a")
    assert len(set(graph.subjects())) == 2


# -- IRIs -------------------------------------------------------------------------

# RFC 3986 §5.4: reference resolution examples, base http://a/b/c/d;p?q
RFC3986 = {
    "g:h": "g:h",
    "g": "http://a/b/c/g",
    "./g": "http://a/b/c/g",
    "g/": "http://a/b/c/g/",
    "/g": "http://a/g",
    "//g": "http://g",
    "?y": "http://a/b/c/d;p?y",
    "g?y": "http://a/b/c/g?y",
    "#s": "http://a/b/c/d;p?q#s",
    "g#s": "http://a/b/c/g#s",
    "g?y#s": "http://a/b/c/g?y#s",
    ";x": "http://a/b/c/;x",
    "g;x": "http://a/b/c/g;x",
    "": "http://a/b/c/d;p?q",
    ".": "http://a/b/c/",
    "./": "http://a/b/c/",
    "..": "http://a/b/",
    "../": "http://a/b/",
    "../g": "http://a/b/g",
    "../..": "http://a/",
    "../../g": "http://a/g",
    "../../../g": "http://a/g",
    "/./g": "http://a/g",
    "/../g": "http://a/g",
    "g.": "http://a/b/c/g.",
    ".g": "http://a/b/c/.g",
    "g..": "http://a/b/c/g..",
    "..g": "http://a/b/c/..g",
    "./../g": "http://a/b/g",
    "./g/.": "http://a/b/c/g/",
    "g/./h": "http://a/b/c/g/h",
    "g/../h": "http://a/b/c/h",
    "g;x=1/./y": "http://a/b/c/g;x=1/y",
    "g;x=1/../y": "http://a/b/c/y",
}


@pytest.mark.parametrize(("reference", "expected"), RFC3986.items())
def test_relative_iris_resolve_as_rfc3986_says(reference: str, expected: str) -> None:
    assert resolve_iri("http://a/b/c/d;p?q", reference) == expected


def test_at_base_in_the_file_resolves_relative_iris() -> None:
    graph = parse_turtle_text("@base <https://example.org/a/b> .\n<../c> <d> <#e> .", name="t")
    assert set(graph) == {
        (
            URIRef("https://example.org/c"),
            URIRef("https://example.org/a/d"),
            URIRef("https://example.org/a/b#e"),
        )
    }


@pytest.mark.parametrize(
    ("iri", "problem"),
    [
        ("https://example.org/a b", "contains ' '"),
        ("https://example.org/100%", "'%' is not followed"),
        ("https://example.org:80x/", "port"),
        ("https://example.org/#a#b", "more than one '#'"),
        ("example.org/a", "no scheme"),
        ("urn:a[1]", "'[' and ']'"),
    ],
)
def test_invalid_iris_are_named(iri: str, problem: str) -> None:
    assert problem in (iri_problem(iri) or "")


@pytest.mark.parametrize(
    "iri",
    [
        "https://example.org/a%20b",
        "urn:isbn:0451450523",
        "http://[::1]:8080/x",
        "mailto:a@b.c",
        "https://例え.jp/パス",
        "https://example.org/#",
    ],
)
def test_valid_iris_pass(iri: str) -> None:
    assert iri_problem(iri) is None


# -- literals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [
        ("2018-06-10", "date"),
        ("2020-02-29", "date"),
        ("2011", "gYear"),
        ("-0044", "gYear"),
        ("2018-04", "gYearMonth"),
        ("2018-06-10T09:30:00Z", "dateTime"),
        ("6.24", "decimal"),
        ("+50", "integer"),
        ("1e3", "double"),
        ("INF", "double"),
        ("true", "boolean"),
        ("0", "nonNegativeInteger"),
        ("P1Y2M", "duration"),
        ("127", "byte"),
        ("en-GB", "language"),
    ],
)
def test_valid_lexical_forms(lexical: str, datatype: str) -> None:
    assert lexical_problem(lexical, f"http://www.w3.org/2001/XMLSchema#{datatype}") is None


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [
        ("2019-02-29", "date"),
        ("2018-6-10", "date"),
        ("2018-06-31", "date"),
        ("11", "gYear"),
        ("2018-13", "gYearMonth"),
        ("2018-06-10 09:30", "dateTime"),
        ("6,24", "decimal"),
        ("5.0", "integer"),
        ("1e", "double"),
        ("yes", "boolean"),
        ("-1", "nonNegativeInteger"),
        ("P", "duration"),
        ("128", "byte"),
        ("0", "positiveInteger"),
    ],
)
def test_invalid_lexical_forms(lexical: str, datatype: str) -> None:
    assert lexical_problem(lexical, f"http://www.w3.org/2001/XMLSchema#{datatype}") is not None


def test_unknown_datatypes_are_not_judged() -> None:
    assert lexical_problem("anything", "https://example.org/myType") is None
    graph = parse_turtle_text(EX + 'ex:s ex:p "anything"^^ex:myType .', name="t")
    assert len(graph) == 1


# -- owl:imports and --allow-network ----------------------------------------------------


def test_owl_imports_is_refused_unless_network_is_allowed() -> None:
    owl = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    text = EX + owl + "ex:o owl:imports <https://example.org/x> ."
    with pytest.raises(InputError, match="owl:imports") as info:
        parse_turtle_text(text, name="t")
    assert (info.value.where.line, info.value.where.column) == (3, 6)
    assert len(parse_turtle_text(text, name="t", allow_network=True)) == 1


# -- size ----------------------------------------------------------------------------------


def test_the_size_limit_is_sensible_and_set_with_max_bytes(tmp_path: Path) -> None:
    assert DEFAULT_MAX_BYTES == 32 * 1024 * 1024
    path = tmp_path / "big.ttl"
    path.write_text(EX + "ex:s ex:p ex:o .\n" * 100, encoding="utf-8")
    result = CliRunner().invoke(main, ["--max-bytes", "500", "validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: the file is" in result.stderr and "--max-bytes" in result.stderr
    refused = CliRunner().invoke(main, ["--max-bytes", "0", "validate", str(path)])
    assert refused.exit_code == 2  # click refuses a limit below 1


def test_the_kg_files_themselves_are_read_whatever_the_limit(tmp_path: Path) -> None:
    """--max-bytes guards input; the KG's own files (which add makes grow) stay readable."""
    result = CliRunner().invoke(main, ["--max-bytes", "100", "stats"])
    assert result.exit_code == 0, result.stderr


# -- the shapes are checked before use, and the check is cached -------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_shapes_check_is_cached_by_content(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "kg"
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    calls: list[int] = []
    real = _shapecheck.meta_problems

    def counting(shapes: Graph) -> list[tuple[object, str]]:
        calls.append(1)
        return real(shapes)

    monkeypatch.setattr(_shapecheck, "meta_problems", counting)
    assert len(open_kg(root).shapes) > 0
    assert len(open_kg(root).shapes) > 0
    assert calls == [1], "the second opening uses the cache"
    assert len(list((cache / "shapes-checked").glob("*.ok"))) == 1
    with (root / "ontology" / "shapes.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the bytes, so the check runs again\n")
    assert len(open_kg(root).shapes) > 0
    assert calls == [1, 1]


def test_a_broken_shapes_file_is_refused_and_not_cached(cache: Path, tmp_path: Path) -> None:
    root = tmp_path / "kg"
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    with (root / "ontology" / "shapes.ttl").open("a", encoding="utf-8") as handle:
        handle.write(
            "\nzgsh:Broken a sh:NodeShape ; sh:targetClass zg:Company ;\n"
            '    sh:property [ sh:path zg:locatedIn ; sh:maxCount "many" ] .\n'
        )
    good = REPO / "tests" / "data" / "valid" / "company-in-park.ttl"
    for command in ("validate", "add"):
        result = CliRunner().invoke(main, ["--kg", str(root), command, str(good)])
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "ontology/shapes.ttl:" in result.stderr
        assert "not valid SHACL" in result.stderr and 'sh:maxCount "many"' in result.stderr
    assert not list(cache.rglob("*.ok"))


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ZONEGRAPH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_dir() == tmp_path / "zonegraph"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert _cache.cache_dir() == Path.home() / ".cache" / "zonegraph"


def test_an_unwritable_cache_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ZONEGRAPH_CACHE_DIR", str(blocker / "cache"))
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape .", format="turtle"
    )
    _shapecheck.check_shapes_file(shapes, b"x", name="shapes.ttl")  # no error
