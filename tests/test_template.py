"""``zonegraph template CLASS``: skeletons read off the shapes, which validate once filled in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import zonegraph
from zonegraph.authoring.template import PLACEHOLDER, TemplateBuilder, template
from zonegraph.cli import main

#: Classes whose skeletons are filled in and validated, together, in one file.
CLASSES = [
    "zg:CooperationPark",
    "zg:EconomicCooperationZone",
    "zg:Company",
    "zg:ResearchInstitute",
    "zg:Country",
    "zg:City",
    "zg:Person",
    "zg:Post",
    "zg:Launch",
    "zg:Figure",
    "zg:MonetaryFigure",
    "zg:Fund",
    "zg:Partnership",
    "zg:TechnologyCentre",
]


def fill(skeleton: str, slug: str) -> str:
    """Fill every placeholder with the example its line gives (``# such as …``), the
    label and slug with *slug*, and drop the prefixes (declared once for all skeletons)."""
    lines = []
    for line in skeleton.splitlines():
        if line.startswith("@prefix"):
            continue
        line = line.replace("{{slug}}", slug)
        if line.lstrip().startswith("rdfs:label {{"):
            # a label of its own: the shapes refuse two entities of a class with one label
            line = f'    rdfs:label "Template test {slug}"@en ;'
        elif PLACEHOLDER.search(line) and not line.lstrip().startswith("#"):
            example = re.search(r"  # such as (.+)$", line)
            assert example, f"no example to fill {line.strip()!r}"
            line = PLACEHOLDER.sub(example.group(1).replace("\\", "\\\\"), line[: example.start()])
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_a_skeleton_names_required_recommended_and_optional_properties(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    text = template(kg.ontology, kg.shapes, kg.data(), "zg:CooperationPark")
    assert "zgr:{{slug}} a zg:CooperationPark ;" in text
    assert re.search(r"# required: partner country.*zg:Country", text)
    assert "    zg:partnerCountry {{iri zg:Country}} ;" in text
    assert "    # zg:aim {{text@en}} ;" in text, "optional properties are commented out"
    assert "A cooperation park needs its partner country" in text, "the shapes' messages are quoted"


def test_an_optional_line_says_what_its_property_means_not_what_a_wrong_value_is(
    kg: zonegraph.KnowledgeGraph,
) -> None:
    """An optional line quotes the property shape's description; the message, written
    for a value that is already wrong, stays for the required lines."""
    text = template(kg.ontology, kg.shapes, kg.data(), "zg:CooperationPark")
    optional = re.search(
        r"# optional: developed by.*?\n(?=    # (?:optional|required|rec))", text, re.S
    )
    assert optional, text
    assert "The organisations that develop and operate the area" in optional.group(0)
    assert "but the linked node is not" not in optional.group(0)
    assert "but the linked node is not" not in text.split("# optional:", 1)[1]
    assert "A cooperation park needs its partner country" in text, "required lines keep it"


def test_a_figure_skeleton_follows_the_sparql_targeted_shapes(kg: zonegraph.KnowledgeGraph) -> None:
    text = template(kg.ontology, kg.shapes, kg.data(), "figure")
    assert "    zg:unit {{iri qudt:Unit}} ;" in text, (
        "from zgsh:UnitFigureShape, which a SPARQL target selects"
    )
    assert "# not allowed: zg:currency" in text
    monetary = template(kg.ontology, kg.shapes, kg.data(), "monetary figure")
    assert "    zg:currency {{iri zg:Currency}} ;" in monetary
    assert "# not allowed: zg:unit" in monetary


def test_an_unfilled_skeleton_is_refused_at_its_first_placeholder(
    kg: zonegraph.KnowledgeGraph, tmp_path: Path
) -> None:
    path = tmp_path / "new.ttl"
    path.write_text(template(kg.ontology, kg.shapes, kg.data(), "zg:Company"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:" in result.stderr


def test_filled_skeletons_validate(kg: zonegraph.KnowledgeGraph, tmp_path: Path) -> None:
    builder = TemplateBuilder(kg.ontology, kg.shapes, kg.data())
    prefixes = set()
    bodies = []
    for cls in CLASSES:
        text = builder.skeleton(builder.resolve_class(cls))
        prefixes |= {line for line in text.splitlines() if line.startswith("@prefix")}
        bodies.append(fill(text, f"template-test-{cls.split(':')[1].lower()}"))
    path = tmp_path / "filled.ttl"
    path.write_text("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(bodies), encoding="utf-8")
    report = kg.validate([path])
    assert report.conforms, report.render("text")


def test_the_command_prints_a_skeleton_and_suggests_classes() -> None:
    result = CliRunner().invoke(main, ["template", "CooperationPark"])
    assert result.exit_code == 0
    assert "zg:partnerCountry" in result.stdout
    result = CliRunner().invoke(main, ["template", "zg:CooperationParc"])
    assert result.exit_code == 2
    assert "zg:CooperationPark" in result.stderr


@pytest.mark.parametrize("name", ["zg:Country", "country", "Country"])
def test_a_class_by_prefixed_name_local_name_or_label(
    kg: zonegraph.KnowledgeGraph, name: str
) -> None:
    builder = TemplateBuilder(kg.ontology, kg.shapes, kg.data())
    assert str(builder.resolve_class(name)).endswith("#Country")


def test_a_class_by_a_label_with_spaces_makes_no_iri_warning() -> None:
    """``template "cooperation park"`` printed rdflib's "does not look like a valid URI"."""
    from support import run_cli

    proc = run_cli("template", "cooperation park")
    assert proc.returncode == 0, proc.stderr
    assert "zgr:{{slug}} a zg:CooperationPark ;" in proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize("name", ["zg:NewsArticle", "zg:WebPage", "zg:ReferenceDataset"])
def test_a_source_is_named_under_zgs(kg: zonegraph.KnowledgeGraph, name: str) -> None:
    text = template(kg.ontology, kg.shapes, kg.data(), name)
    assert f"zgs:{{{{slug}}}} a {name} ;" in text
    assert "@prefix zgs: <https://w3id.org/zonegraph/source/> ." in text
    assert "zgr:{{slug}}" not in text


def test_a_filled_source_skeleton_describes_a_source(
    kg: zonegraph.KnowledgeGraph, tmp_path: Path
) -> None:
    """Filled in, the news article's skeleton is a source that facts can cite."""
    text = template(kg.ontology, kg.shapes, kg.data(), "zg:NewsArticle")
    filled = fill(text, "template-test-article")
    prefixes = "\n".join(line for line in text.splitlines() if line.startswith("@prefix"))
    company = """
zgr:template-test-article-company a zg:Company ;
    rdfs:label "Template test article company"@en ;
    zg:locatedIn zgr:sino-german-ecopark ;
    dct:source zgs:template-test-article .
"""
    path = tmp_path / "article.ttl"
    path.write_text(prefixes + "\n" + filled + company, encoding="utf-8")
    report = kg.validate([path])
    assert report.conforms, report.render("text")
