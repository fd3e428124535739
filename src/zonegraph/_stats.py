"""Counting what the graph holds: triples, entities per class, sources and their facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import RDF, Graph, URIRef

from .rdf.namespaces import DCT, shorten


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


def compute_stats(sources: dict[URIRef, Graph], ontology: Graph) -> Stats:
    """Count over the source graphs; entities are typed subjects, classes as asserted."""
    classes: Counter[str] = Counter()
    entities: set[object] = set()
    per_source: list[SourceStats] = []
    for iri, graph in sorted(sources.items()):
        typed = set()
        for s, cls in graph.subject_objects(RDF.type):
            typed.add(s)
            if s not in entities:
                classes[shorten(str(cls))] += 1
        entities |= typed
        title = graph.value(iri, DCT.title)
        per_source.append(SourceStats(str(iri), str(title or ""), len(graph), len(typed)))
    triples = sum(len(g) for g in sources.values())
    ordered = dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])))
    return Stats(triples, len(ontology), len(entities), ordered, per_source)
