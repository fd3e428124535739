"""Counting what the graph holds: triples, entities per class, sources and their facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from .rdf.namespaces import shorten

if TYPE_CHECKING:
    from .store.summary import Summary


@dataclass(frozen=True)
class SourceStats:
    """One source: its IRI, title and how many facts (triples) it states."""

    iri: str
    title: str
    triples: int
    entities: int


@dataclass
class Stats:
    """What ``zonegraph stats`` prints."""

    triples: int
    ontology_triples: int
    entities: int
    classes: dict[str, int] = field(default_factory=dict)
    sources: list[SourceStats] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "ontologyTriples": self.ontology_triples,
            "entities": self.entities,
            "classes": self.classes,
            "sources": [s.__dict__ for s in self.sources],
        }

    def render(self) -> str:
        lines = [
            f"triples:  {self.triples:,} in {len(self.sources)} source graphs, "
            f"plus {self.ontology_triples:,} in the ontology",
            f"entities: {self.entities:,}",
            "",
            "entities per class:",
        ]
        width = max((len(c) for c in self.classes), default=0)
        lines += [f"  {c.ljust(width)}  {n:>6,}" for c, n in self.classes.items()]
        lines += ["", "sources (facts stated, entities described):"]
        for s in self.sources:
            lines.append(
                f"  {shorten(s.iri)}  {s.triples:,} facts, {s.entities:,} entities  {s.title}"
            )
        return "\n".join(lines) + "\n"


def compute_stats(summary: Summary, sources: list[URIRef], ontology: Graph) -> Stats:
    """Count over the source graphs *sources* of a store's *summary*: entities are typed
    subjects, each counted once (under its classes in the first source, by IRI, that types
    it), classes as asserted."""
    classes: Counter[str] = Counter()
    entities: set[object] = set()
    per_source: list[SourceStats] = []
    names: dict[str, str] = {}  # shorten() once per class, not once per entity
    for iri in sorted(sources):
        pairs = summary.typed.get(iri, [])
        typed = set()
        for s, cls in pairs:
            typed.add(s)
            if s not in entities:
                key = str(cls)
                short = names.get(key)
                if short is None:
                    short = names[key] = shorten(key)
                classes[short] += 1
        entities |= typed
        title = summary.titles.get(iri, "")
        per_source.append(SourceStats(str(iri), title, summary.sizes.get(iri, 0), len(typed)))
    triples = sum(summary.sizes.get(iri, 0) for iri in sources)
    ordered = dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])))
    return Stats(triples, len(ontology), len(entities), ordered, per_source)
