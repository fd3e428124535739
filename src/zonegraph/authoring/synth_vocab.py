"""The names synthetic data is made of (:mod:`zonegraph.authoring.synth` generates it).

What the tests and benchmarks need to know about a generated graph: the ways an entity is
made invalid and the shapes that must then report it (:data:`MUTATIONS`), the counterparts
of the shipped entities the canned queries default to (:data:`COUNTERPARTS`) and values for
their required parameters (:data:`REQUIRED_PARAMETERS`). Then the tables names are drawn
from (words, countries, currencies, sectors, roles), the Turtle terms of an entity
(:class:`Entity`, :func:`lit`, :func:`typed`) and the shared reference entities every
cluster links to (:func:`reference_entities`).

>>> lit("Qingdao"), typed("2011", "xsd:gYear")
('"Qingdao"@en', '"2011"^^xsd:gYear')
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

ZGR = "https://w3id.org/zonegraph/id/"
ZGSH = "https://w3id.org/zonegraph/shapes#"

#: The shipped entities the canned queries' parameters default to, and their counterparts
#: in every generated graph (the first cluster's zone, park and city).
COUNTERPARTS = {
    "zgr:qingdao-iecz": "zgr:synth-0000000-zone",
    "zgr:sino-german-ecopark": "zgr:synth-0000000-park-0",
    "zgr:qingdao": "zgr:synth-0000000-city",
}
#: Values for the canned queries' required parameters in a generated graph.
REQUIRED_PARAMETERS = {
    "entity-facts": {"entity": "zgr:synth-0000000-park-0"},
    "search-labels": {"text": "park"},
    "facts-of-source": {"source": "zgs:synth-0000000"},
}

#: The ways an entity is made invalid, and the shape(s) whose violation it causes
#: (each on the mutated entity unless the mutation names another focus node).
MUTATIONS: dict[str, tuple[str, ...]] = {
    "missing-label": ("Labelled-english",),
    "missing-source": ("Sourced-source",),
    "untagged-label": ("Labelled-english", "Labelled-tagged"),
    "located-in-person": ("Organization-locatedIn",),
    "undeclared-property": ("ClosedVocabularyShape",),
    "duplicate-label": ("DuplicateEntityShape",),
    "park-without-partner": ("CooperationPark-partnerCountry",),
    "post-without-holder": ("Post-heldBy",),
    "event-in-future": ("Event-dateNotFuture",),
    "figure-value-as-string": ("Figure-value",),
    "figure-date-as-string": ("Figure-holdsOnDatatype",),
    # the gaps the data-gaps query lists (as do missing-label and missing-source)
    "figure-without-date": ("Figure-holdsOn",),
    "event-without-date": ("Event-date",),
}

WORDS = (  # noqa: SIM905
    "amber birch cedar delta ember falcon granite harbor indigo juniper kestrel lotus maple nimbus "
    "onyx pearl quartz raven sierra tundra umber vector willow xenon yarrow zephyr aurora basalt "
    "cobalt dune estuary fjord glacier heron iris jade lagoon meadow"
).split()
COUNTRIES = [
    ("germany", "Germany", "DE", 183),
    ("united-kingdom", "United Kingdom", "GB", 145),
    ("france", "France", "FR", 142),
    ("finland", "Finland", "FI", 33),
    ("denmark", "Denmark", "DK", 35),
    ("italy", "Italy", "IT", 38),
    ("russia", "Russia", "RU", 159),
    ("south-korea", "South Korea", "KR", 884),
    ("japan", "Japan", "JP", 17),
    ("austria", "Austria", "AT", 40),
    ("israel", "Israel", "IL", 801),
    ("singapore", "Singapore", "SG", 334),
    ("netherlands", "Netherlands", "NL", 55),
    ("sweden", "Sweden", "SE", 34),
    ("switzerland", "Switzerland", "CH", 39),
]
CURRENCIES = [
    ("cny", "renminbi", "CNY", 39099),
    ("usd", "United States dollar", "USD", 4917),
    ("eur", "euro", "EUR", 4916),
]
SECTORS = [
    "intelligent manufacturing",
    "robotics",
    "new materials",
    "biomedicine",
    "logistics",
    "artificial intelligence",
    "marine industry",
    "energy saving",
    "creative design",
    "finance",
]
ROLES = ["director", "deputy director", "official", "chairman", "general manager"]
PROVINCES = 24
PUBLISHERS = 8
#: Standards the facilities of the clusters follow (shared, from the reference source).
STANDARDS = 6
#: Every DISAGREE_EVERY-th cluster has a second source that disagrees with the first on the
#: zone's area and on when its first park was launched (rows of the disagreements query).
DISAGREE_EVERY = 10
REFERENCE = "synth-reference"


@dataclass
class Entity:
    """One subject and its predicate-object pairs, in Turtle terms."""

    subject: str
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, p: str, o: str) -> Entity:
        self.pairs.append((p, o))
        return self

    def drop(self, p: str) -> None:
        self.pairs = [(q, o) for q, o in self.pairs if q != p]

    def turtle(self) -> str:
        body = " ;\n    ".join(f"{p} {o}" for p, o in self.pairs)
        return f"{self.subject}\n    {body} .\n"


def lit(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(text: str, datatype: str) -> str:
    return f'"{text}"^^{datatype}'


def random_name(rng: random.Random, words: int = 2) -> str:
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(words))


def reference_entities() -> list[Entity]:
    """The shared entities every cluster links to, stated by the reference source."""
    src = f"zgs:{REFERENCE}"
    out = [
        Entity(src)
        .add("a", "zg:ReferenceDataset")
        .add("rdfs:label", lit("Synthetic reference data"))
        .add("dct:title", lit("Synthetic reference data for zonegraph benchmarks"))
        .add("dct:publisher", "zgr:synth-news-0")
        .add("dct:issued", typed("2024-01-01", "xsd:date"))
        .add("schema:url", typed("https://example.org/zonegraph/synth/reference", "xsd:anyURI"))
        .add("dct:language", '"en"'),
        Entity("zgr:china")
        .add("a", "zg:Country")
        .add("rdfs:label", lit("China"))
        .add("dct:source", src)
        .add("zg:isoCode", '"CN"')
        .add("zg:wikidata", "wd:Q148"),
        Entity("zgr:sectors")
        .add("a", "skos:ConceptScheme")
        .add("rdfs:label", lit("zonegraph industry sectors"))
        .add("dct:source", src),
    ]
    for slug, label, iso, q in COUNTRIES:
        out.append(
            Entity(f"zgr:{slug}")
            .add("a", "zg:Country")
            .add("rdfs:label", lit(label))
            .add("dct:source", src)
            .add("zg:isoCode", f'"{iso}"')
            .add("zg:wikidata", f"wd:Q{q}")
        )
    for slug, label, code, q in CURRENCIES:
        out.append(
            Entity(f"zgr:currency-{slug}")
            .add("a", "zg:Currency")
            .add("rdfs:label", lit(label))
            .add("dct:source", src)
            .add("zg:currencyCode", f'"{code}"')
            .add("zg:wikidata", f"wd:Q{q}")
        )
    for label in SECTORS:
        slug = label.replace(" ", "-")
        out.append(
            Entity(f"zgr:sector-{slug}")
            .add("a", "zg:Sector")
            .add("rdfs:label", lit(label))
            .add("dct:source", src)
            .add("skos:inScheme", "zgr:sectors")
        )
    for label in ROLES:
        out.append(
            Entity(f"zgr:role-{label.replace(' ', '-')}")
            .add("a", "zg:Role")
            .add("rdfs:label", lit(label))
            .add("dct:source", src)
        )
    for i in range(PROVINCES):
        out.append(
            Entity(f"zgr:synth-province-{i}")
            .add("a", "zg:Province")
            .add("rdfs:label", lit(f"Synthetic Province {i}"))
            .add("dct:source", src)
            .add("zg:partOf", "zgr:china")
        )
    for i in range(PUBLISHERS):
        out.append(
            Entity(f"zgr:synth-news-{i}")
            .add("a", "zg:NewsOrganization")
            .add("rdfs:label", lit(f"Synthetic News {i}"))
            .add("dct:source", src)
        )
    for i in range(STANDARDS):
        out.append(
            Entity(f"zgr:synth-standard-{i}")
            .add("a", "zg:Standard")
            .add("rdfs:label", lit(f"Synthetic building standard {i}"))
            .add("dct:source", src)
            .add("skos:definition", lit(f"A voluntary standard for energy efficiency, number {i}."))
        )
    # every role is held somewhere: a reference post per role, so no role is unused (an Info result)
    gov = (
        Entity("zgr:synth-government")
        .add("a", "zg:Government")
        .add("rdfs:label", lit("Synthetic Government of China"))
    )
    gov.add("dct:source", src).add("zg:governmentOf", "zgr:china")
    out.append(gov)
    for label in ROLES:
        slug = label.replace(" ", "-")
        out.append(
            Entity(f"zgr:synth-reference-person-{slug}")
            .add("a", "zg:Person")
            .add("rdfs:label", lit(f"Reference holder of the post of {label}"))
            .add("dct:source", src)
        )
        out.append(
            Entity(f"zgr:synth-reference-post-{slug}")
            .add("a", "zg:Post")
            .add("rdfs:label", lit(f"Reference post of {label}"))
            .add("dct:source", src)
            .add("zg:postIn", "zgr:synth-government")
            .add("zg:heldBy", f"zgr:synth-reference-person-{slug}")
            .add("zg:role", f"zgr:role-{slug}")
            .add("zg:quotation", lit(f"The {label} of the government.", None))
        )
    return out
