"""Synthetic zonegraph data: realistic, reproducible graphs of any size.

:func:`synthesize` writes a graph of about *triples* triples that conforms to
the ontology and the shapes: zones in new areas of cities of provinces,
cooperation parks with partner countries, management committees, companies
and research institutes, people in posts, launches, partnerships and figures
with values, units or currencies, qualifiers and dates. Each cluster of
entities is stated by one source of its own (a news article with title,
publisher, date and URL), so the graph has one named graph per source, as the
shipped one does; shared reference entities (countries, provinces,
currencies, sectors, roles, news organisations) come from one reference source.

Every cluster also has a fund and a training programme (rows of programmes-and-funds), a
technology centre following one of the shared standards (standards-and-facilities), and
every tenth cluster a second source that gives its zone another area and its first park
another launch year (disagreements). With ``invalid_fraction``, some of the mutations are
the gaps the data-gaps query lists (a missing label or source, a figure without its date),
so every canned query has rows to find at every size.

The output is written as it is generated, one source at a time, so 10 million
triples need no more memory than ten thousand. The same *seed* gives the
same bytes.

With ``invalid_fraction``, that fraction of the candidate entities is made
invalid in one of :data:`~zonegraph.authoring.synth_vocab.MUTATIONS`' known
ways, and the violations the shapes must then report (focus node and shape) are
returned and written beside the data as ``expected-violations.json``. The names
the data is made of are in :mod:`zonegraph.authoring.synth_vocab`.

>>> import io
>>> out = io.StringIO()
>>> summary = synthesize_to(out, triples=600, seed=1)
>>> summary.triples > 500, summary.expected
(True, [])
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from .synth_vocab import (
    COUNTRIES,
    DISAGREE_EVERY,
    MUTATIONS,
    PROVINCES,
    PUBLISHERS,
    REFERENCE,
    ROLES,
    SECTORS,
    STANDARDS,
    ZGR,
    ZGSH,
    Entity,
    lit,
    random_name,
    reference_entities,
    typed,
)

PREFIXES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix zg: <https://w3id.org/zonegraph/ontology#> .
@prefix zgr: <https://w3id.org/zonegraph/id/> .
@prefix zgs: <https://w3id.org/zonegraph/source/> .
"""


@dataclass(frozen=True)
class Expected:
    """A violation the shapes must report on synthetic data: which node, which shape, why."""

    focus: str
    shape: str
    mutation: str


@dataclass
class Summary:
    """What :func:`synthesize` wrote."""

    triples: int = 0
    sources: int = 0
    entities: int = 0
    expected: list[Expected] = field(default_factory=list)


def cluster(i: int, seed: int) -> list[Entity]:
    """The entities of cluster *i*: one source and the zone, parks, organisations, people,
    events and figures it states (about 300 triples)."""
    rng = random.Random(f"{seed}:{i}")
    slug = f"synth-{i:07d}"
    src = f"zgs:{slug}"
    year = rng.randint(2005, 2023)
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    name = f"{random_name(rng)} {i}"
    z = f"zgr:{slug}-zone"

    def ent(local: str, cls: str, label: str) -> Entity:
        return (
            Entity(f"zgr:{slug}-{local}")
            .add("a", cls)
            .add("rdfs:label", lit(label))
            .add("dct:source", src)
        )

    def quote(e: Entity, text: str) -> Entity:
        return e.add("zg:quotation", lit(text, None))

    out: list[Entity] = []
    out.append(_article(src, slug, day, f"the {name} zone grows", i % PUBLISHERS))
    city = ent("city", "zg:City", f"{name} City").add(
        "zg:partOf", f"zgr:synth-province-{i % PROVINCES}"
    )
    area = ent("new-area", "zg:NewArea", f"{name} New Area").add("zg:partOf", city.subject)
    committee = ent("committee", "zg:ManagementCommittee", f"{name} Zone Management Committee")
    zone = quote(
        ent(
            "zone", "zg:EconomicCooperationZone", f"{name} International Economic Cooperation Zone"
        ),
        f"The {name} zone was set up to attract foreign investment.",
    )
    zone.add("zg:partOf", area.subject).add("zg:managedBy", committee.subject)
    zone.add("zg:aim", lit(f"a platform for {name} to cooperate with the world"))
    zone.add("zg:targetsSector", f"zgr:sector-{rng.choice(SECTORS).replace(' ', '-')}")
    committee.add("zg:manages", z)
    out += [city, area, committee, zone]
    parks = []
    for k in range(3):
        country, country_label = rng.choice(COUNTRIES)[:2]
        park = quote(
            ent(f"park-{k}", "zg:CooperationPark", f"{name} {country_label} Park {k}"),
            f"The {country_label} park {k} opened in the {name} zone.",
        )
        park.add("zg:partOf", z).add("zg:partnerCountry", f"zgr:{country}")
        parks.append(park)
        launch = quote(
            ent(f"launch-park-{k}", "zg:Launch", f"Launch of the {name} {country_label} Park {k}"),
            f"The {country_label} park {k} was launched in {year}.",
        )
        launch.add("zg:concerns", park.subject).add(
            "zg:date", typed(str(year - rng.randint(0, 3)), "xsd:gYear")
        )
        out += [park, launch]
    companies = []
    for k in range(4):
        company = ent(f"company-{k}", "zg:Company", f"{random_name(rng)} Company {i}-{k}")
        company.add("zg:locatedIn", parks[k % 3].subject)
        companies.append(company)
        fig = quote(
            ent(
                f"figure-company-{k}-investment",
                "zg:MonetaryFigure",
                f"Investment of {random_name(rng, 1)} Company {i}-{k}",
            ),
            f"The company {k} invested {rng.randint(1, 900)} million yuan.",
        )
        fig.add("zg:figureOf", company.subject).add("zg:measure", "zg:Investment")
        fig.add("zg:value", f"{rng.randint(1, 900) * 1000000}.0").add(
            "zg:currency", "zgr:currency-cny"
        )
        fig.add("zg:qualifier", rng.choice(["zg:Exact", "zg:Approximately", "zg:MoreThan"]))
        fig.add("zg:holdsOn", typed(day, "xsd:date"))
        out += [company, fig]
    institute = ent("institute", "zg:ResearchInstitute", f"{name} Research Institute")
    institute.add("zg:locatedIn", z).add("zg:affiliatedWith", companies[0].subject)
    out.append(institute)
    for local, measure, value, unit in (
        ("area", "zg:Area", f"{rng.randint(5, 400)}.0", "unit:KiloM2"),
        (
            "registered-enterprises",
            "zg:RegisteredEnterprises",
            f"{rng.randint(10, 900)}.0",
            "unit:NUM",
        ),
    ):
        fig = quote(
            ent(f"figure-zone-{local}", "zg:Figure", f"{measure[3:]} of the {name} zone, {day}"),
            f"The {name} zone reports {value} for {measure[3:]}.",
        )
        fig.add("zg:figureOf", z).add("zg:measure", measure).add("zg:value", value).add(
            "zg:unit", unit
        )
        fig.add("zg:qualifier", "zg:Exact").add("zg:holdsOn", typed(day, "xsd:date"))
        out.append(fig)
    for k in range(2):
        person = ent(f"person-{k}", "zg:Person", f"{random_name(rng)} {i}-{k}")
        role = ROLES[(i + k) % len(ROLES)]
        post = quote(
            ent(
                f"post-{k}",
                "zg:Post",
                f"{role.capitalize()} {k} of the {name} Zone Management Committee",
            ),
            f"{person.pairs[1][1][1:-4]}, {role} of the committee, said the zone will grow.",
        )
        post.add("zg:postIn", committee.subject).add("zg:heldBy", person.subject).add(
            "zg:role", f"zgr:role-{role.replace(' ', '-')}"
        )
        out += [person, post]
    partnership = quote(
        ent("partnership", "zg:Partnership", f"Research partnership in the {name} zone"),
        f"Companies in the {name} zone partner with the institute.",
    )
    partnership.add("zg:partner", institute.subject).add("zg:partner", companies[1].subject)
    partnership.add("zg:partnershipIn", parks[0].subject).add(
        "zg:inSector", f"zgr:sector-{rng.choice(SECTORS).replace(' ', '-')}"
    )
    out.append(partnership)
    fund = quote(
        ent("fund", "zg:Fund", f"{name} Special Support Fund"),
        f"The {name} zone set up special support funds for manufacturing.",
    )
    fund.add("zg:establishedBy", committee.subject).add(
        "zg:supportsSector", f"zgr:sector-{rng.choice(SECTORS).replace(' ', '-')}"
    )
    fund.add("zg:purpose", lit("the upgrading of the manufacturing industry"))
    training = quote(
        ent("training", "zg:TrainingProgramme", f"{name} Doctoral Training Programme"),
        f"The {name} zone trains doctoral students with universities abroad.",
    )
    training.add("zg:runBy", z).add("zg:withPartnersIn", f"zgr:{rng.choice(COUNTRIES)[0]}")
    training.add("zg:participants", lit("experts from well-known universities"))
    centre = ent("technology-centre", "zg:TechnologyCentre", f"{name} Technology Centre")
    centre.add("zg:partOf", parks[0].subject).add(
        "zg:followsStandard", f"zgr:synth-standard-{i % STANDARDS}"
    )
    out += [fund, training, centre]
    return out


def second_source(i: int, seed: int) -> list[Entity]:
    """For every DISAGREE_EVERY-th cluster *i*, a second source that disagrees with the
    cluster's own: another area of the zone, another launch year of its first park."""
    rng = random.Random(f"{seed}:second:{i}")
    slug = f"synth-{i:07d}-second"
    src = f"zgs:{slug}"
    year = rng.randint(2005, 2023)
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    first = f"synth-{i:07d}"
    area = (
        Entity(f"zgr:{slug}-figure-zone-area")
        .add("a", "zg:Figure")
        .add("rdfs:label", lit(f"Area of zone {i} by a second source, {day}"))
        .add("dct:source", src)
        .add("zg:figureOf", f"zgr:{first}-zone")
        .add("zg:measure", "zg:Area")
        .add("zg:value", f"{rng.randint(401, 900)}.0")  # the first source's is 5-400
        .add("zg:unit", "unit:KiloM2")
        .add("zg:qualifier", "zg:Approximately")
        .add("zg:holdsOn", typed(day, "xsd:date"))
        .add("zg:quotation", lit("The zone covers a larger area than first reported.", None))
    )
    launch = (
        Entity(f"zgr:{slug}-launch-park-0")
        .add("a", "zg:Launch")
        .add("rdfs:label", lit(f"Launch of park 0 of zone {i} by a second source"))
        .add("dct:source", src)
        .add("zg:concerns", f"zgr:{first}-park-0")
        .add("zg:date", typed("2024", "xsd:gYear"))  # the first source's is 2002-2023
        .add("zg:quotation", lit("The first park was launched in 2024.", None))
    )
    article = _article(src, slug, day, f"a second look at zone {i}", (i + 1) % PUBLISHERS)
    return [article, area, launch]


def _article(src: str, slug: str, day: str, headline: str, publisher: int) -> Entity:
    """A synthetic news article: the source node of a cluster's file."""
    return (
        Entity(src)
        .add("a", "zg:NewsArticle")
        .add("rdfs:label", lit(f"Synthetic news, {day}: {headline}"))
        .add("dct:title", lit(headline[0].upper() + headline[1:]))
        .add("dct:publisher", f"zgr:synth-news-{publisher}")
        .add("dct:issued", typed(day, "xsd:date"))
        .add("schema:url", typed(f"https://example.org/zonegraph/synth/{slug}", "xsd:anyURI"))
        .add("dct:language", '"en"')
    )


def _mutate(entities: list[Entity], fraction: float, rng: random.Random) -> list[Expected]:
    """Make about *fraction* of the entities invalid in known ways; return the violations."""
    by_subject = {e.subject: e for e in entities}
    expected: list[Expected] = []
    for e in entities:
        kind = e.pairs[0][1]
        candidates = _candidates(e, kind)
        if not candidates or rng.random() >= fraction:
            continue
        mutation = rng.choice(candidates)
        focus = _iri(e.subject)
        if mutation == "missing-label":
            e.drop("rdfs:label")
        elif mutation == "missing-source":
            e.drop("dct:source")
        elif mutation == "untagged-label":
            label = dict(e.pairs)["rdfs:label"]
            e.drop("rdfs:label")
            e.add("rdfs:label", label.rsplit("@", 1)[0])
        elif mutation == "located-in-person":
            e.drop("zg:locatedIn")
            e.add("zg:locatedIn", e.subject.rsplit("-company-", 1)[0] + "-person-0")
        elif mutation == "undeclared-property":
            e.add("zg:partnerNaton", "zgr:germany")
        elif mutation == "duplicate-label":
            first = by_subject[e.subject.rsplit("-", 1)[0] + "-0"]
            e.drop("rdfs:label")
            e.add("rdfs:label", dict(first.pairs)["rdfs:label"])
            expected.append(Expected(_iri(first.subject), ZGSH + "DuplicateEntityShape", mutation))
        elif mutation == "park-without-partner":
            e.drop("zg:partnerCountry")
        elif mutation == "post-without-holder":
            e.drop("zg:heldBy")
        elif mutation == "event-in-future":
            e.drop("zg:date")
            e.add("zg:date", typed("2999", "xsd:gYear"))
        elif mutation == "figure-value-as-string":
            e.drop("zg:value")
            e.add("zg:value", '"about 5 million"')
        elif mutation == "figure-without-date":
            e.drop("zg:holdsOn")
        elif mutation == "event-without-date":
            e.drop("zg:date")
        elif mutation == "figure-date-as-string":
            # a plain string, not a year: "2018"^^xsd:gYear is a valid zg:holdsOn
            e.drop("zg:holdsOn")
            e.add("zg:holdsOn", '"2018"')
        expected += [Expected(focus, ZGSH + shape, mutation) for shape in MUTATIONS[mutation]]
    return expected


def _candidates(e: Entity, kind: str) -> list[str]:
    """The mutations that make exactly the expected violations on *e* (nothing elsewhere)."""
    if kind == "zg:Company":
        out = [
            "missing-label",
            "missing-source",
            "untagged-label",
            "located-in-person",
            "undeclared-property",
        ]
        # company-0 is the original the duplicates copy, so it keeps its label
        return [*out, "duplicate-label"] if not e.subject.endswith("-0") else out[1:2] + out[3:]
    if kind == "zg:CooperationPark":
        return ["park-without-partner", "missing-source"]
    if kind == "zg:Post":
        return ["post-without-holder", "missing-label"]
    if kind == "zg:Launch":
        return ["event-in-future", "event-without-date"]
    if kind == "zg:MonetaryFigure":
        return ["figure-value-as-string", "figure-date-as-string", "figure-without-date"]
    return []


def _iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    base = {"zgr": ZGR, "zgs": "https://w3id.org/zonegraph/source/"}[prefix]
    return base + local


def clusters_for(triples: int) -> int:
    """How many clusters make about *triples* triples with the reference data."""
    per = sum(len(e.pairs) for e in cluster(0, 0))
    ref = sum(len(e.pairs) for e in reference_entities())
    return max(1, round((triples - ref) / per))


def _sources(
    triples: int, seed: int, invalid_fraction: float
) -> Iterator[tuple[str, list[Entity], list[Expected]]]:
    yield REFERENCE, reference_entities(), []
    for i in range(clusters_for(triples)):
        entities = cluster(i, seed)
        expected: list[Expected] = []
        if invalid_fraction > 0:
            expected = _mutate(entities, invalid_fraction, random.Random(f"invalid:{seed}:{i}"))
        yield f"synth-{i:07d}", entities, expected
        if i % DISAGREE_EVERY == 0:
            yield f"synth-{i:07d}-second", second_source(i, seed), []


def synthesize_to(
    out: TextIO, *, triples: int, seed: int = 0, invalid_fraction: float = 0.0
) -> Summary:
    """Write the whole synthetic graph as one Turtle document to *out*."""
    summary = Summary()
    out.write(PREFIXES)
    for _slug, entities, expected in _sources(triples, seed, invalid_fraction):
        out.write("\n")
        for e in entities:
            out.write(e.turtle())
        _count(summary, entities, expected)
    return summary


def _count(summary: Summary, entities: list[Entity], expected: list[Expected]) -> None:
    summary.sources += 1
    summary.entities += len(entities)
    summary.triples += sum(len(e.pairs) for e in entities)
    summary.expected += expected


def synthesize(
    output: str | Path,
    *,
    triples: int,
    seed: int = 0,
    invalid_fraction: float = 0.0,
    template: Path | None = None,
) -> Summary:
    """Generate about *triples* triples into *output*.

    A path ending in ``.ttl`` gets one Turtle file; any other path becomes a KG
    directory (``kg/<slug>.ttl`` per source, with ``ontology/`` and ``queries/``
    copied from *template*, the shipped graph by default), ready for
    ``zonegraph --kg DIR``. With ``invalid_fraction``, the expected violations
    are written to ``expected-violations.json`` beside the data.
    """
    if not 0.0 <= invalid_fraction <= 1.0:
        raise ValueError("invalid_fraction is a fraction between 0 and 1")
    output = Path(output)
    if output.suffix == ".ttl":
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as f:
            summary = synthesize_to(
                f, triples=triples, seed=seed, invalid_fraction=invalid_fraction
            )
        report = output.with_name(output.stem + ".expected-violations.json")
    else:
        if template is None:
            from ..kgdir.layout import shipped_root

            template = shipped_root()
        kg_dir = output / "kg"
        kg_dir.mkdir(parents=True, exist_ok=True)
        for part in ("ontology", "queries"):
            if not (output / part).exists():
                shutil.copytree(template / part, output / part)
        summary = Summary()
        for slug, entities, expected in _sources(triples, seed, invalid_fraction):
            text = PREFIXES + "\n" + "\n".join(e.turtle() for e in entities)
            (kg_dir / f"{slug}.ttl").write_text(text, encoding="utf-8")
            _count(summary, entities, expected)
        report = output / "expected-violations.json"
    if invalid_fraction > 0:
        report.write_text(
            json.dumps([asdict(x) for x in summary.expected], indent=1) + "\n", encoding="utf-8"
        )
    return summary
