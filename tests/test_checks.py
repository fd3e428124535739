"""The checks of ``queries/checks/``: each returns no rows on the shipped graph,
and rows on a small graph broken in the way it looks for.

Every broken case adds a few lines of Turtle to a private copy of the shipped
KG directory (a new ``kg/`` file is a new source graph, a new ``ontology/``
file joins the ontology graph) and states exactly which rows the check must
return. When pyoxigraph is installed, each case also runs on Oxigraph, which
must return the same rows: rdflib's bottom-up/top-down differences and the
duplicates of Oxigraph's union default graph are the usual ways a check passes
on one engine and not the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Literal, URIRef

import zonegraph

REPO = Path(__file__).resolve().parent.parent
CHECKS_DIR = REPO / "queries" / "checks"
ONTOLOGY_GRAPH = "https://w3id.org/zonegraph/ontology"
ZGS = "https://w3id.org/zonegraph/source/"
SHORT = {
    "https://w3id.org/zonegraph/ontology#": "zg:",
    "https://w3id.org/zonegraph/id/": "zgr:",
    "https://w3id.org/zonegraph/source/": "zgs:",
}

TTL_PREFIXES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .
"""

# A well-described source for the broken facts to come from.
PAGE = """
zgs:broken-page a zg:WebPage ;
    rdfs:label "A page with broken facts"@en .
"""


def check_files() -> list[Path]:
    return sorted(CHECKS_DIR.glob("*.rq"))


def short(term: Any) -> str | None:
    """An IRI with the zonegraph prefixes, a literal's text, None when unbound."""
    if term is None:
        return None
    text = str(term)
    for ns, prefix in SHORT.items():
        if text.startswith(ns):
            return prefix + text[len(ns) :]
    return text


def row_set(rows: list[dict[str, Any]], names: list[str]) -> set[tuple[str | None, ...]]:
    return {tuple(short(r[n]) for n in names) for r in rows}


# -- on the shipped graph ----------------------------------------------------------


def test_there_are_checks() -> None:
    names = [p.name for p in check_files()]
    assert len(names) >= 6
    assert all(n.endswith("-violation.rq") for n in names)


@pytest.mark.parametrize("path", check_files(), ids=lambda p: p.stem)
def test_check_file_header(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# summary: ") and lines[0].endswith(".")
    assert not any(line.startswith("# param:") for line in lines), "checks take no parameters"
    assert not any(line.upper().startswith("PREFIX") for line in lines), "prefixes.rq applies"


@pytest.mark.parametrize("path", check_files(), ids=lambda p: p.stem)
def test_check_passes_on_shipped_graph(kg: zonegraph.KnowledgeGraph, path: Path) -> None:
    res = kg.sparql(path.read_text(encoding="utf-8"))
    assert res.rows == [], f"{path.name} found: {res.rows[:5]}"


def test_every_check_has_a_broken_case() -> None:
    covered = {case[0] for case in BROKEN}
    assert covered == {p.stem for p in check_files()}


# -- on broken graphs ----------------------------------------------------------------

# (check, files to add to a copy of the KG directory, the exact rows it must return)
BROKEN: list[tuple[str, dict[str, str], set[tuple[str | None, ...]]]] = [
    (
        "undefined-term-violation",
        {
            "ontology/broken.ttl": """
zg:Widget a owl:Class ; rdfs:subClassOf zg:Party .
zg:Gadget a owl:Class ; rdfs:subClassOf zg:Party ;
    rdfs:label "gadget"@fr ; skos:definition "A gadget."@en .
zg:Hectare a zg:Measure ; rdfs:label "hectare"@en .
"""
        },
        {
            ("zg:Widget", "no rdfs:label in English"),
            ("zg:Widget", "no skos:definition"),
            ("zg:Gadget", "no rdfs:label in English"),
            ("zg:Hectare", "no skos:definition"),
        },
    ),
    (
        "orphan-class-violation",
        {
            "ontology/broken.ttl": """
zg:Gizmo a owl:Class ; rdfs:label "gizmo"@en ; skos:definition "A gizmo."@en .
zg:Doohickey a owl:Class ; rdfs:subClassOf zg:Thingamajig ;
    rdfs:label "doohickey"@en ; skos:definition "A doohickey."@en .
"""
        },
        {
            ("zg:Gizmo", "no parent class"),
            (
                "zg:Doohickey",
                "parent class not declared: https://w3id.org/zonegraph/ontology#Thingamajig",
            ),
        },
    ),
    (
        "property-without-domain-or-range-violation",
        {
            "ontology/broken.ttl": """
zg:nickname a owl:DatatypeProperty ; rdfs:range xsd:string ;
    rdfs:label "nickname"@en ; skos:definition "A nickname."@en .
zg:twinnedWith a owl:ObjectProperty ; rdfs:domain zg:Place ;
    rdfs:label "twinned with"@en ; skos:definition "A twin place."@en .
"""
        },
        {("zg:nickname", "no rdfs:domain"), ("zg:twinnedWith", "no rdfs:range")},
    ),
    (
        "undeclared-term-violation",
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:qingdao-iecz a zg:FreeTradeZone ;
    zg:nickname "West Coast zone"@en ;
    dct:source zgs:broken-page .
"""
        },
        {("zg:FreeTradeZone", "zgs:broken-page"), ("zg:nickname", "zgs:broken-page")},
    ),
    (
        "unsourced-entity-violation",
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:new-park a zg:CooperationPark ; rdfs:label "New park"@en ;
    zg:partOf zgr:qingdao-iecz .
zgr:old-park a zg:CooperationPark ; rdfs:label "Old park"@en ;
    dct:source zgs:chinadaily-2018-06-10 .
"""
        },
        {("zgr:new-park", "zgs:broken-page"), ("zgr:old-park", "zgs:broken-page")},
    ),
    (
        "source-not-a-source-violation",
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:rumour a zg:Company ; rdfs:label "Rumour Ltd"@en ;
    dct:source zgs:broken-page, zgr:china-daily .
""",
            "kg/undescribed.ttl": """
zgr:ghost a zg:Company ; rdfs:label "Ghost"@en ;
    dct:source zgs:undescribed .
""",
        },
        {
            ("zgr:rumour", "dct:source is not a zg:Source", "zgr:china-daily"),
            ("zgr:ghost", "dct:source is not a zg:Source", "zgs:undescribed"),
            ("zgs:undescribed", "named graph is not a source it describes", None),
        },
    ),
    (
        "incomplete-figure-violation",
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:figure-a a zg:Figure ; rdfs:label "A"@en ;
    zg:figureOf zgr:qingdao-iecz ; zg:measure zg:Area ;
    zg:value "202"^^xsd:decimal ; zg:unit unit:KiloM2 ;
    dct:source zgs:broken-page .
zgr:figure-b a zg:MonetaryFigure ; rdfs:label "B"@en ;
    zg:figureOf zgr:qingdao-iecz ; zg:measure zg:Investment ;
    zg:value "approx. 5 million" ; zg:qualifier zg:Approximately ;
    zg:holdsOn "June 2018" ;
    dct:source zgs:broken-page .
zgr:figure-c rdfs:label "C"@en ;
    zg:figureOf zgr:qingdao-iecz ; zg:value "7"^^xsd:decimal ;
    dct:source zgs:broken-page .
"""
        },
        {
            ("zgr:figure-a", "no date (zg:holdsOn)"),
            ("zgr:figure-a", "no qualifier (zg:qualifier)"),
            ("zgr:figure-b", "monetary figure without currency"),
            ("zgr:figure-b", "no unit or currency"),
            ("zgr:figure-b", "value is not an xsd:decimal"),
            ("zgr:figure-b", "zg:holdsOn is not an xsd:date, xsd:gYearMonth or xsd:gYear"),
            ("zgr:figure-c", "not typed as zg:Figure"),
        },
    ),
    (
        "incomplete-event-violation",
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:launch-x a zg:Launch ; rdfs:label "X"@en ;
    zg:concerns zgr:sino-german-ecopark ; dct:source zgs:broken-page .
zgr:agreement-y a zg:Agreement ; rdfs:label "Y"@en ;
    zg:date "2019-05-01"^^xsd:date ; dct:source zgs:broken-page .
zgr:launch-z a zg:Launch ; rdfs:label "Z"@en ;
    zg:concerns zgr:sino-russian-cooperation-park ; zg:date "April 21" ;
    dct:source zgs:broken-page .
"""
        },
        {
            ("zgr:launch-x", "no zg:date"),
            ("zgr:agreement-y", "no zg:concerns"),
            ("zgr:launch-z", "zg:date is not an xsd:date, xsd:gYearMonth or xsd:gYear"),
        },
    ),
    (
        "unlabelled-entity-violation",
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:nameless a zg:Company ; dct:source zgs:broken-page .
"""
        },
        {("zgr:nameless", "zgs:broken-page")},
    ),
]


def write_case(root: Path, files: dict[str, str]) -> None:
    for rel, body in files.items():
        (root / rel).write_text(TTL_PREFIXES + body, encoding="utf-8")


@pytest.mark.parametrize(("check", "files", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_check_catches_its_violation(
    kg_dir: Path, check: str, files: dict[str, str], expected: set[tuple[str | None, ...]]
) -> None:
    write_case(kg_dir, files)
    text = (CHECKS_DIR / f"{check}.rq").read_text(encoding="utf-8")
    res = zonegraph.open_kg(kg_dir).sparql(text)
    assert row_set(res.rows, res.vars) == expected

    ox = pytest.importorskip("pyoxigraph")
    names, rows = oxigraph_select(ox, kg_dir, text)
    assert names == res.vars
    assert {tuple(short(v) for v in r) for r in rows} == expected


def test_ill_typed_figure_value_is_caught() -> None:
    """The package refuses ill-typed literals on load; a store that keeps them is still checked."""
    ds = contract_dataset(
        {
            "kg/broken-page.ttl": PAGE
            + """
zgr:figure-d a zg:Figure ; rdfs:label "D"@en ;
    zg:figureOf zgr:qingdao-iecz ; zg:measure zg:ForeignInvestmentProjects ;
    zg:value "more than 50"^^xsd:decimal ; zg:unit unit:NUM ;
    zg:qualifier zg:MoreThan ; zg:holdsOn "2018-06-10"^^xsd:date ;
    dct:source zgs:broken-page .
"""
        }
    )
    prologue = (REPO / "queries" / "prefixes.rq").read_text(encoding="utf-8")
    text = (CHECKS_DIR / "incomplete-figure-violation.rq").read_text(encoding="utf-8")
    res = ds.query(prologue + text)
    got = {(short(r[0]), short(r[1])) for r in res}  # type: ignore[index]
    assert got == {("zgr:figure-d", "value is not a valid xsd:decimal")}


# -- helpers: the same directory on plain rdflib and on Oxigraph -----------------------


def contract_dataset(files: dict[str, str]) -> Dataset:
    """The shipped graph plus *files*, loaded as docs/data-model.md says, by plain rdflib."""
    ds = Dataset(default_union=True)
    ontology = ds.graph(URIRef(ONTOLOGY_GRAPH))
    ontology.parse(REPO / "ontology" / "zonegraph.ttl", format="turtle")
    for path in sorted((REPO / "kg").glob("*.ttl")):
        ds.graph(URIRef(ZGS + path.stem)).parse(path, format="turtle")
    for rel, body in files.items():
        stem = Path(rel).stem
        name = ONTOLOGY_GRAPH if rel.startswith("ontology/") else ZGS + stem
        ds.graph(URIRef(name)).parse(data=TTL_PREFIXES + body, format="turtle")
    return ds


def oxigraph_select(ox: Any, root: Path, text: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Load the KG directory *root* into Oxigraph (one named graph per file) and run *text*."""
    store = ox.Store()
    for path in sorted((root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            store.load(
                path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH)
            )
    for path in sorted((root / "kg").glob("*.ttl")):
        store.load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ZGS + path.stem)
        )
    prologue = (root / "queries" / "prefixes.rq").read_text(encoding="utf-8")
    result = store.query(prologue + text, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    rows = [tuple(_value(sol[v]) for v in names) for sol in result]
    return names, rows


def _value(term: Any) -> Any:
    if term is None:
        return None
    return Literal(term.value) if hasattr(term, "datatype") else URIRef(term.value)
