"""Intake, piece by piece: terms, language tags, NFC, blank nodes, IRIs, shapes, limits.

The corpus (test_bad_inputs.py) checks what the command says for each kind of
bad file; these tests pin the rules themselves.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from support import REPO, run_cli
from zonegraph import InputError, open_kg
from zonegraph.cli import main
from zonegraph.kgdir import cache as _cache
from zonegraph.rdf.intake import parse_turtle, parse_turtle_text
from zonegraph.rdf.intake_limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_COLLECTION,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_TRIPLES,
    MAX_DEPTH_CEILING,
    IntakeLimits,
)
from zonegraph.rdf.terms import iri_problem, lexical_problem, resolve_iri
from zonegraph.validate import shapecheck as _shapecheck

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


# -- limits: every input is bounded while it is read ------------------------------------


def _lines(n: int) -> str:
    return EX + "".join(f"ex:s{i} ex:p ex:o .\n" for i in range(n))


def test_the_limits_are_one_checked_object() -> None:
    assert IntakeLimits() == IntakeLimits(
        DEFAULT_MAX_BYTES, DEFAULT_MAX_TRIPLES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_COLLECTION
    )
    assert (DEFAULT_MAX_TRIPLES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_COLLECTION) == (20_000, 64, 10_000)
    for bad in ({"max_triples": 0}, {"max_depth": 0}, {"max_depth": 129}, {"max_bytes": 0}):
        with pytest.raises(ValueError):
            IntakeLimits(**bad)
    kg_files = IntakeLimits.kg_files()
    assert (kg_files.max_bytes, kg_files.max_triples, kg_files.max_collection) == (None,) * 3


def test_the_triple_limit_refuses_where_it_is_crossed() -> None:
    limits = IntakeLimits(max_triples=3)
    assert len(parse_turtle_text(_lines(3), name="t.ttl", limits=limits)) == 3
    with pytest.raises(InputError, match="more than 3 triples") as info:
        parse_turtle_text(_lines(5), name="t.ttl", limits=limits)
    assert (info.value.where.line, info.value.where.column) == (5, 12)  # the 4th triple's object
    assert "--max-triples" in (info.value.hint or "")


def test_objects_after_commas_count_one_triple_each() -> None:
    with pytest.raises(InputError, match="more than 2 triples") as info:
        parse_turtle_text(
            EX + "ex:s ex:p ex:a, ex:b, ex:c .", name="t", limits=IntakeLimits(max_triples=2)
        )
    assert (info.value.where.line, info.value.where.column) == (2, 23)


def test_a_collection_is_refused_at_the_element_over_the_limit() -> None:
    text = EX + "ex:s ex:p (" + " 1" * 1_000_000 + " ) ."  # 7 MB, 2 million triples
    with pytest.raises(InputError, match="more than 10,000 elements") as info:
        parse_turtle_text(text, name="t.ttl")
    assert (info.value.where.line, info.value.where.column) == (
        2,
        11 + 2 * 10_001,
    )  # the 10,001st element
    assert "--max-collection" in (info.value.hint or "")


def test_a_collection_counts_two_triples_per_element_before_they_are_made() -> None:
    text = EX + "ex:s ex:p ( 1 2 3 4 5 6 ) ."
    with pytest.raises(InputError, match="more than 10 triples") as info:
        parse_turtle_text(text, name="t.ttl", limits=IntakeLimits(max_triples=10))
    assert (info.value.where.line, info.value.where.column) == (2, 23)  # the 6th element
    assert len(parse_turtle_text(text, name="t.ttl", limits=IntakeLimits(max_triples=13))) == 13


@pytest.mark.parametrize(("open_", "close"), [("[ ex:p ", " ]"), ("( ", " )")])
def test_nesting_reads_up_to_the_ceiling_and_is_refused_beyond_the_limit(
    open_: str, close: str
) -> None:
    def nested(depth: int) -> str:
        return EX + "ex:s ex:p " + open_ * depth + "ex:o" + close * depth + " ."

    ceiling = IntakeLimits(max_depth=MAX_DEPTH_CEILING)
    assert len(parse_turtle_text(nested(MAX_DEPTH_CEILING), name="t", limits=ceiling)) > 128
    with pytest.raises(InputError, match="nest more than 128 deep"):
        parse_turtle_text(nested(MAX_DEPTH_CEILING + 1), name="t", limits=ceiling)
    with pytest.raises(InputError, match="nest more than 64 deep") as info:
        parse_turtle_text(nested(65), name="t")
    assert "--max-depth" in (info.value.hint or "")


def test_the_kg_files_are_read_without_the_input_limits(tmp_path: Path) -> None:
    path = tmp_path / "big.ttl"
    path.write_text(_lines(DEFAULT_MAX_TRIPLES + 1), encoding="utf-8")
    assert len(parse_turtle(path, max_bytes=None)) == DEFAULT_MAX_TRIPLES + 1
    with pytest.raises(InputError, match="more than 20,000 triples"):
        parse_turtle(path, limits=IntakeLimits())


def test_open_kg_keeps_the_limits_and_applies_them_to_new_facts(tmp_path: Path) -> None:
    kg = open_kg(limits=IntakeLimits(max_triples=2))
    assert kg.limits.max_triples == 2 and kg.max_bytes == DEFAULT_MAX_BYTES
    path = tmp_path / "new.ttl"
    path.write_text(_lines(3), encoding="utf-8")
    with pytest.raises(InputError, match="more than 2 triples") as info:
        kg.validate([path])
    assert info.value.where.file == str(path)


def test_request_bodies_go_through_the_same_reader_with_the_kgs_limits() -> None:
    from zonegraph.web.update import UpdateRefused, parse_body

    body = _lines(3).encode()
    assert len(parse_body(body)) == 3
    with pytest.raises(UpdateRefused, match=r"request body:4:12: the input has more than 2"):
        parse_body(body, IntakeLimits(max_triples=2))
    with pytest.raises(UpdateRefused, match="over the limit of 10 bytes"):
        parse_body(body, IntakeLimits(max_bytes=10))


def test_the_command_line_options_build_the_limits(tmp_path: Path) -> None:
    path = tmp_path / "new.ttl"
    path.write_text(EX + "ex:s ex:p ( [ ex:p ex:o ] 2 3 ) .", encoding="utf-8")
    for option, value, words in [
        ("--max-triples", "3", "more than 3 triples"),
        ("--max-collection", "2", "more than 2 elements"),
        ("--max-depth", "1", "nest more than 1 deep"),
    ]:
        result = CliRunner().invoke(main, [option, value, "validate", str(path)])
        assert result.exit_code == 2, result.output
        assert f"{path}:2:" in result.stderr and words in result.stderr, result.stderr
        assert f"{option} N" in result.stderr
    refused = CliRunner().invoke(main, ["--max-depth", "129", "validate", str(path)])
    assert refused.exit_code == 2 and "129" in refused.stderr


# -- what is read: regular files only, with no triples refused ------------------------------


def test_a_named_pipe_is_refused_instead_of_waited_on(tmp_path: Path) -> None:
    """A FIFO made the command wait forever for a writer; it is refused before it is opened."""
    fifo = tmp_path / "facts.ttl"
    os.mkfifo(fifo)
    for command in ("validate", "add"):
        # the timeout only ends a hang (a failure); the refusal takes a second
        result = run_cli("--kg", str(_kg_copy(tmp_path)), command, str(fifo))
        assert result.returncode == 2, result.stderr
        assert f"{fifo}: this is a named pipe (FIFO), not a regular file" in result.stderr
        assert "hint: save the Turtle to a file first" in result.stderr


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a device"), ("/tmp", "a folder")])
def test_devices_and_folders_are_refused(path: str, kind: str) -> None:
    with pytest.raises(InputError, match=f"this is {kind}, not a regular file"):
        parse_turtle(Path(path))


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "facts.ttl"
    target.write_text(_lines(1), encoding="utf-8")
    (tmp_path / "link.ttl").symlink_to(target)
    assert len(parse_turtle(tmp_path / "link.ttl")) == 1


def test_input_with_no_triples_is_refused_and_kg_files_may_have_none(tmp_path: Path) -> None:
    for text in ("", EX, "# only a comment\n"):
        path = tmp_path / "new.ttl"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match="holds no triples") as info:
            parse_turtle(path, require_triples=True)
        assert "zonegraph template" in (info.value.hint or "")
        assert len(parse_turtle(path)) == 0


# -- what a message shows of the file --------------------------------------------------------

SECRETS = [
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\n",
    "password: hunter2-hunter2\n",
    "<hunter2-hunter2> secret\n",
    '"hunter2-hunter2" .\n',
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
]


@pytest.mark.parametrize("text", SECRETS, ids=range(len(SECRETS)))
def test_a_file_that_is_not_turtle_is_refused_without_showing_it(text: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(text, encoding="utf-8")
    (tmp_path / "facts.ttl").symlink_to(secret)
    with pytest.raises(InputError) as info:
        parse_turtle(tmp_path / "facts.ttl")
    shown = f"{info.value.message} {info.value.hint}"
    for token in ("root", "daemon", "AWS", "wJalr", "hunter2", "password", "OPENSSH", "b3Bl"):
        assert token not in shown, shown
    assert info.value.where.line == 1 and "zonegraph reads Turtle" in shown


def test_etc_passwd_behind_a_symlink_is_not_echoed(tmp_path: Path) -> None:
    passwd = Path("/etc/passwd")
    first = passwd.read_text(encoding="utf-8").split(":", 1)[0]
    (tmp_path / "facts.ttl").symlink_to(passwd)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "facts.ttl")])
    assert result.exit_code == 2
    message = result.stderr.replace(str(tmp_path), "")
    assert f"'{first}" not in message and f"{first}:" not in message, message


def test_a_turtle_file_is_quoted_briefly_and_escaped() -> None:
    text = EX + "ex:s ex:p ex:o .\nex:s ex:p ex:o ex:" + "\u00e9" * 100 + " ."
    with pytest.raises(InputError, match="found ") as info:
        parse_turtle_text(text, name="t.ttl")
    assert "\\xe9" * 17 in info.value.message and "\\xe9" * 18 not in info.value.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"@context": {"zg": "https://w3id.org/zonegraph/ontology#"}}', "looks like JSON-LD"),
        ('[{"@id": "https://example.org/a"}]', "looks like JSON-LD"),
        ('<?xml version="1.0"?>\n<rdf:RDF></rdf:RDF>', "looks like RDF/XML"),
    ],
)
def test_other_rdf_formats_get_a_hint_to_convert(text: str, words: str) -> None:
    with pytest.raises(InputError, match="Turtle syntax error") as info:
        parse_turtle_text(text, name="facts")
    assert words in (info.value.hint or "") and "convert it to Turtle" in (info.value.hint or "")


def _kg_copy(tmp_path: Path) -> Path:
    root = tmp_path / "kg-copy"
    if not root.exists():
        for part in ("ontology", "kg", "queries"):
            shutil.copytree(REPO / part, root / part)
    return root


def test_the_files_of_one_command_count_together_towards_the_triple_limit(
    tmp_path: Path,
) -> None:
    """Ten files just under the limit would cost ten times the time the limit is there to bound."""
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text(_lines(3), encoding="utf-8")
    b.write_text(_lines(3), encoding="utf-8")
    result = CliRunner().invoke(main, ["--max-triples", "5", "validate", str(a), str(b)])
    assert result.exit_code == 2, result.output
    assert f"{b}:4:12: the input has more than 5 triples (the limit), counted over the files" in (
        result.stderr
    )
    assert "(3 in those before this one)" in result.stderr
    ok = CliRunner().invoke(main, ["--max-triples", "6", "validate", str(a), str(b)])
    assert "more than" not in ok.output


def test_the_server_refuses_a_request_body_over_the_kgs_limits(tmp_path: Path) -> None:
    """A Graph Store PUT and POST go through the same reader with the limits the KG was opened
    with (``zonegraph --max-triples N serve``); nothing of the KG changes."""
    import httpx

    from serverkit import TOKEN, copy_kg, running_server, snapshot

    root = copy_kg(tmp_path / "kg")
    before = snapshot(root)
    graph = "https://w3id.org/zonegraph/source/chinadaily-2018-06-10"
    body = _lines(3).encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    kg = open_kg(root, limits=IntakeLimits(max_triples=2))
    with (
        running_server(kg, allow_updates=True, token=TOKEN) as srv,
        httpx.Client(base_url=srv.url, timeout=60) as http,
    ):
        for method in ("PUT", "POST"):
            r = http.request(
                method, "/store", params={"graph": graph}, content=body, headers=headers
            )
            assert r.status_code == 400, r.text
            assert "request body:4:12: the input has more than 2 triples" in r.text, r.text
            assert "--max-triples" in r.text
    assert snapshot(root) == before


# -- what reading costs: no input amplifies its size --------------------------------------

_HUGE_TERMS = {
    "ill-typed literal": EX
    + 'ex:s ex:p "'
    + "1" * 100_000
    + '"^^<http://www.w3.org/2001/XMLSchema#date> .',
    "language tag": EX + 'ex:s ex:p "x"@a' + "-a" * 50_000 + " .",
    "relative IRI": EX + "ex:s ex:p <" + "a" * 100_000 + "> .",
    "undeclared prefix": EX + "ex:s ex:p ex:o .\n" + "p" * 100_000 + ":o ex:p ex:o .",
}


@pytest.mark.parametrize("text", _HUGE_TERMS.values(), ids=_HUGE_TERMS)
def test_a_message_repeats_at_most_a_clipped_term(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_turtle_text(text, name="t.ttl")
    assert len(info.value.message) < 400, info.value.message[:400]
    assert "characters)" in info.value.message  # says how long the term was


_AMPLIFIERS = {
    # each 20-30 MB; with backtracking regular expressions they cost 3.4-4.6 GB
    "comment lines": "'@prefix ex: <http://e/> .\\n' + '#\\n' * 10_000_000 + 'ex:s ex:p ex:o .'",
    "dots after a name": "'@prefix ex: <http://e/> .\\nex:s ex:p ex:a' + '.' * 30_000_000",
    "a long language tag": "'@prefix ex: <http://e/> .\\nex:s ex:p \"x\"@a' + '-a' * 15_000_000",
}


@pytest.mark.parametrize("expr", _AMPLIFIERS.values(), ids=_AMPLIFIERS)
def test_reading_needs_memory_in_proportion_to_the_input(expr: str) -> None:
    """Peak memory of a fresh process that reads 20-30 MB: under 1 GB (it was 3.4-4.6 GB)."""
    import subprocess
    import sys

    code = (
        "import resource\nfrom zonegraph.rdf.intake import parse_turtle_text\n"
        "from zonegraph import InputError\n"
        f"text = ({expr}).encode()\n"
        "try: parse_turtle_text(text, name='t')\nexcept InputError: pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) < 1024, f"peak {out.stdout.strip()} MB"
