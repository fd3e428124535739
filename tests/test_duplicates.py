"""An existing entity again under a new IRI and a label spelt a little differently is refused.

``zgsh:DuplicateEntityShape`` compares labels by their normalised key
(src/zonegraph/reason/labelkey.py): case, whitespace, Unicode compatibility forms,
look-alike letters of other scripts and regional language subtags do not tell
two labels apart. Each variant of the shipped company ``zgr:haier`` ("Haier"@en),
added as a new ``zg:Company``, is refused by ``zonegraph validate`` and
``zonegraph add`` with exit code 1 and a message naming ``zgr:haier``, on the
memory store and on Oxigraph on disk (the neighbourhood fetched from the store
must hold the existing entity); a genuinely different name is accepted, and the
whole-graph ``zonegraph check`` finds a variant already in the files.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef

import zonegraph
from support import FACT_PREFIXES, REPO, run_cli, snapshot
from zonegraph.cli import main
from zonegraph.reason.labelkey import (
    LABEL_KEY,
    KeyIndex,
    label_key,
    label_keys,
    same_key,
    text_key,
)

ZGR = "https://w3id.org/zonegraph/id/"
ZG = "https://w3id.org/zonegraph/ontology#"
HAIER = URIRef(ZGR + "haier")
SHAPE = "https://w3id.org/zonegraph/shapes#DuplicateEntityShape"

#: Labels a new company may not have beside the shipped company "Haier"@en.
VARIANTS = {
    "lower-case": '"haier"@en',
    "upper-case": '"HAIER"@en',
    "trailing-space": '"Haier "@en',
    "cyrillic-a": '"H\u0430ier"@en',  # U+0430 CYRILLIC SMALL LETTER A
    "regional-tag": '"Haier"@en-GB',
    "full-width": '"\uff28\uff41\uff49\uff45\uff52"@en',  # FULLWIDTH LATIN ...
    "exact": '"Haier"@en',
}
DIFFERENT = '"Hisense"@en'


def facts(slug: str, label: str) -> str:
    """A new company ``zgr:test-<slug>`` labelled *label*, with its (made-up) source."""
    return (
        FACT_PREFIXES
        + f"""
zgs:test-duplicates a zg:WebPage ;
    rdfs:label "Test page: companies"@en ;
    dct:title "Companies"@en ;
    dct:publisher zgr:iecz-management-committee ;
    dct:issued "2020-01-15"^^xsd:date .

zgr:test-{slug} a zg:Company ;
    rdfs:label {label} ;
    dct:source zgs:test-duplicates .
"""
    )


def invoke(*args: str) -> tuple[int, str]:
    """Run ``zonegraph``: in this process on the memory store; in a process of its own on
    Oxigraph, whose store a process holds open (and locked) once it has opened it."""
    if "--store" in args:
        done = run_cli("-q", *args)
        return done.returncode, done.stdout + done.stderr
    result = CliRunner().invoke(main, ["-q", *args])
    return result.exit_code, result.stdout + result.stderr


def copy_kg(root: Path) -> Path:
    for part in ("ontology", "kg", "queries"):
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.fixture(scope="module")
def kg_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped KG directory: refused additions must leave it as it is."""
    return copy_kg(tmp_path_factory.mktemp("kg"))


@pytest.fixture(scope="module")
def oxigraph_dir(kg_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("ox") / "store"
    code, out = invoke("--kg", str(kg_copy), "--store", f"oxigraph:{where}", "load")
    assert code == 0, out
    return where


@pytest.fixture(params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest, oxigraph_dir: Path) -> Iterator[list[str]]:
    """The ``--store`` option of a command (none for the memory store)."""
    yield [] if request.param == "memory" else ["--store", f"oxigraph:{oxigraph_dir}"]


def duplicate_results(report: dict[str, object], slug: str) -> list[dict[str, str]]:
    results = report["results"]
    assert isinstance(results, list)
    return [
        r
        for r in results
        if r["focusNode"] == ZGR + "test-" + slug
        and r["sourceShape"] == SHAPE
        and r["severity"] == "Violation"
    ]


# -- the commands ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", VARIANTS)
def test_validate_refuses_a_variant_and_names_the_existing_entity(
    slug: str, kg_copy: Path, store: list[str], tmp_path: Path
) -> None:
    path = tmp_path / f"{slug}.ttl"
    path.write_text(facts(slug, VARIANTS[slug]), encoding="utf-8")
    code, out = invoke("--kg", str(kg_copy), *store, "validate", "--format", "json", str(path))
    assert code == 1, out
    found = duplicate_results(json.loads(out), slug)
    assert found, out
    assert all(r["value"] == str(HAIER) and "zgr:haier" in r["message"] for r in found), found


@pytest.mark.parametrize("slug", VARIANTS)
def test_add_refuses_a_variant_and_changes_nothing(
    slug: str, kg_copy: Path, store: list[str], tmp_path: Path
) -> None:
    path = tmp_path / f"{slug}.ttl"
    path.write_text(facts(slug, VARIANTS[slug]), encoding="utf-8")
    files = snapshot(kg_copy)
    code, out = invoke("--kg", str(kg_copy), *store, "add", str(path))
    assert code == 1, out
    assert re.search(rf"Violation: zgr:test-{slug}\n\s+Another entity, zgr:haier,", out), out
    assert snapshot(kg_copy) == files
    code, out = invoke(
        "--kg",
        str(kg_copy),
        *store,
        "sparql",
        "--format",
        "csv",
        f"ASK {{ zgr:test-{slug} ?p ?o }}",
    )
    assert code == 0 and "false" in out.lower(), out


def test_a_different_name_is_accepted(store: list[str], tmp_path: Path) -> None:
    root = copy_kg(tmp_path / "kg")
    if store:  # a store of its own, since the company is added to it
        where = tmp_path / "ox"
        store = ["--store", f"oxigraph:{where}"]
        code, out = invoke("--kg", str(root), *store, "load")
        assert code == 0, out
    path = tmp_path / "hisense.ttl"
    path.write_text(facts("hisense", DIFFERENT), encoding="utf-8")
    code, out = invoke("--kg", str(root), *store, "validate", str(path))
    assert code == 0, out
    code, out = invoke("--kg", str(root), *store, "add", str(path))
    assert code == 0, out
    code, out = invoke(
        "--kg",
        str(root),
        *store,
        "sparql",
        "--format",
        "csv",
        "ASK { zgr:test-hisense a zg:Company }",
    )
    assert code == 0 and "true" in out.lower(), out


def test_check_finds_a_variant_in_the_files(tmp_path: Path) -> None:
    """The whole-graph check (pySHACL over every file) finds what the gate would have refused."""
    root = copy_kg(tmp_path / "kg")
    shipped = root / "kg" / "chinadaily-2018-06-10.ttl"
    with shipped.open("a", encoding="utf-8") as f:
        f.write(
            '\nzgr:test-haier a zg:Company ;\n    rdfs:label "H\u0430IER "@en-GB ;\n'
            "    dct:source zgs:chinadaily-2018-06-10 .\n"
        )
    code, out = invoke("--kg", str(root), "check", "--format", "json")
    assert code == 1, out
    found = duplicate_results(json.loads(out), "haier")
    assert found and all("zgr:haier" in r["message"] for r in found), out


# -- the key --------------------------------------------------------------------------


def test_every_variant_has_the_key_of_the_shipped_label() -> None:
    shipped = label_key(Literal("Haier", lang="en"))
    assert shipped == Literal("haier", lang="en")
    for slug, turtle in VARIANTS.items():
        (label,) = Graph().parse(data=f"<urn:x> <urn:p> {turtle} .", format="turtle").objects()
        assert isinstance(label, Literal)
        assert label_key(label) == shipped, slug


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Literal("Haier", lang="en"), Literal("Hisense", lang="en")),
        (Literal("Haier", lang="en"), Literal("Haïer", lang="en")),  # accents count
        (Literal("Haier", lang="en"), Literal("Ha1er", lang="en")),  # digits are not letters
        (Literal("Haier", lang="en"), Literal("Haier", lang="de")),  # another language
        (Literal("Haier", lang="en"), Literal("Haier")),  # no language
        (Literal("Sino-German Ecopark", lang="en"), Literal("Sino German Ecopark", lang="en")),
    ],
)
def test_different_labels_have_different_keys(a: Literal, b: Literal) -> None:
    assert label_key(a) != label_key(b)


def test_a_label_with_nothing_visible_has_no_key() -> None:
    assert label_key(Literal("\u200b\u200d", lang="en")) is None
    assert label_key(Literal("   ", lang="en")) is None


@given(st.text(max_size=30))
def test_the_key_of_a_folded_label_is_the_labels_key(text: str) -> None:
    """The label index folds labels (whitespace, case) before it is searched by key: the
    fold must never change a key, or the gate would miss a candidate."""
    folded = " ".join(text.split()).casefold()
    assert text_key(folded) == text_key(text)


def test_label_keys_are_for_the_labels_of_zgr_entities_only() -> None:
    g = Graph()
    g.add((HAIER, RDFS.label, Literal("Haier", lang="en")))
    g.add((URIRef(ZG + "Company"), RDFS.label, Literal("company", lang="en")))
    g.add((BNode(), RDFS.label, Literal("anonymous", lang="en")))
    g.add((HAIER, RDF.type, URIRef(ZG + "Company")))
    assert set(label_keys(g)) == {(HAIER, LABEL_KEY, Literal("haier", lang="en"))}


def test_same_key_finds_the_existing_entity_through_the_label_keys(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    for slug, turtle in VARIANTS.items():
        new = Graph().parse(data=facts(slug, turtle), format="turtle")
        assert same_key(kg.label_keys, new) == {HAIER}, slug
    different = Graph().parse(data=facts("x", DIFFERENT), format="turtle")
    assert same_key(kg.label_keys, different) == set()


def test_same_key_finds_the_partners_of_an_entity_given_a_new_type() -> None:
    """A type added to an entity already labelled: its labels in the graph are compared,
    also when the change gives it a new label as well."""
    a, b = URIRef(ZGR + "a"), URIRef(ZGR + "b")
    keys = KeyIndex([(a, Literal("Haier", lang="en")), (b, Literal("HAIER", lang="en"))])
    retyped = Graph()
    retyped.add((b, RDF.type, URIRef(ZG + "Company")))
    assert same_key(keys, retyped) == {a}
    retyped.add((b, RDFS.label, Literal("Haier Group", lang="en")))
    assert same_key(keys, retyped) == {a}


@pytest.mark.parametrize("engine", ["memory", "oxigraph"])
def test_a_label_added_in_this_process_is_compared_with_the_next_batch(
    engine: str, tmp_path: Path
) -> None:
    """The label keys a process has read follow its own writes (``KnowledgeGraph.changed``
    adds the written labels' keys rather than reading them all again): a company added
    here, then a new one with a variant of its name, is a duplicate."""
    from zonegraph.store.oxigraph import OxigraphStore

    root = copy_kg(tmp_path / "kg")
    store = OxigraphStore(tmp_path / "ox") if engine == "oxigraph" else None
    kg = zonegraph.open_kg(root, store=store)
    if store is not None:
        from zonegraph._load import load

        load(kg)
    assert same_key(kg.label_keys, Graph()) == set()  # the keys are read now
    first = tmp_path / "first.ttl"
    first.write_text(facts("zhongyuan", '"Zhongyuan Widgets"@en'), encoding="utf-8")
    assert kg.add([first]).applied
    second = tmp_path / "second.ttl"
    second.write_text(facts("variant", '"ZHONGYUAN  widgets"@en'), encoding="utf-8")
    report = kg.validate([second])
    focus = {str(r.focus_node) for r in report.results if str(r.source_shape) == SHAPE}
    # each of the two now has a duplicate: a result the graph did not have, on both
    assert focus == {ZGR + "test-variant", ZGR + "test-zhongyuan"}, report.results
