"""The key two labels share when they probably name the same thing.

``zgsh:DuplicateEntityShape`` (ontology/shapes.ttl) reports a new entity one of
whose labels, once normalised, equals a label of an existing entity of the
same most specific class. The normalisation, :func:`label_key`:

1. whitespace runs become one space, and the ends are trimmed
   (``"Haier "`` ~ ``"Haier"``);
2. Unicode compatibility forms are folded (NFKC: full-width letters such as
   U+FF28 for ``H``, ligatures, superscripts), and so is case (``HAIER`` ~
   ``haier``, ``STRASSE`` ~ ``Straße``);
3. letters of other scripts that look like Latin ones become the letter they
   imitate (``Haier`` spelt with U+0430 CYRILLIC SMALL LETTER A ~ ``Haier``):
   the confusables skeleton of Unicode TR39, as the ``disarm`` package
   computes it (``skeleton_key``), which also drops invisible characters
   (zero-width spaces, bidi controls).
   Digits stay digits (``Ha1er`` is not ``Haler``) and accents stay (``Haïer``
   is not ``Haier``);
4. the language tag is reduced to its primary subtag (``"Haier"@en-GB`` ~
   ``"Haier"@en``). Labels in two different languages are not compared: the
   same letters can name different things in two languages, and every entity
   has an English label to compare (zgsh:Labelled-english).

Case is folded before the skeleton, not after: TR39 maps a capital ``I`` to
``l``, so on cased text ``HAIER`` would become ``haler`` and miss ``Haier``.

The keys are data: :func:`label_keys` gives a triple ``entity zgsh:labelKey
key`` for each ``rdfs:label`` of a ``zgr:`` entity in the graph being
validated (the key a literal ``"haier"@en``), which the shape joins on as it
joined on the labels themselves, as cheaply, in any SHACL-SPARQL engine given
the same data (pySHACL, pyrudof, shacl-engine: tests/test_interop.py). They
come with the validation closure (_closure.validation_closure), which every
validation adds to the data it runs over, and never reach the KG's files or
its store.

Validating new facts fetches only the part of the store around the nodes the
change can affect. :func:`same_key` names, through the label index the KG
already builds (``KnowledgeGraph.labels``), the existing entities whose labels
share a key with the labels a change gives or takes away: the gate validates
them with the change (``_neighbourhood.focus_of_change``, its *partners*), so
their labels and types are fetched from whichever store holds them (memory,
Oxigraph, a SPARQL server) and their own new results are found too.

Cost, measured on 2 cores (scripts in the commit's report, not kept): over a
generated graph of 100k triples the 15,132 keys take 0.53 s, and the shape
alone, whole graph, ran 30.9 s against 34.9 s for the old join on the labels
themselves. The gate's lookup needs the label index: at 1M triples on
Oxigraph (157,114 labels) building it took 17 s (10 s of it turning the
query's rows into rdflib terms) and the key index 3.4 s more, once per
process and again after each ``add`` (which drops the index): a cold
``validate`` took 14 s instead of 1.3 s, a warm one 0.7-0.9 s instead of
0.2-0.4 s. Keeping the keys in the store (a graph of ``zgsh:labelKey``
triples written by ``load`` and ``add``, like the inferred graph) would make
the lookup one index search on every store; not done yet.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from ..rdf.namespaces import ZGR, ZGSH

if TYPE_CHECKING:
    from ..sparql.params import LabelIndex

#: The predicate of the key triples (in the shapes' namespace: not a term of the data).
LABEL_KEY = URIRef(ZGSH + "labelKey")

Triple = tuple[Node, Node, Node]


def text_key(text: str) -> str:
    """The key of a label's text, without its language; ``""`` when nothing visible is left.

    >>> variants = ["Haier", "haier", "HAIER", " Haier ", "H\\u0430ier", "\\uff28\\uff41ier"]
    >>> sorted({text_key(t) for t in variants})
    ['haier']
    >>> text_key("Sino-German   Ecopark")
    'sino-german ecopark'
    >>> text_key("Haïer"), text_key("Ha1er")
    ('haïer', 'ha1er')
    """
    from disarm import skeleton_key  # imported when first needed (80 ms)

    # the fold of the label index (_params.LabelIndex) comes first, so that a label and
    # its folded form have one key, and the index finds every candidate
    folded = " ".join(text.split()).casefold()
    return skeleton_key(unicodedata.normalize("NFKC", folded).casefold())


def language_key(language: str | None) -> str | None:
    """The primary subtag of a language tag, lower case (``en-GB`` -> ``en``)."""
    return language.split("-", 1)[0].lower() if language else None


def label_key(label: Literal) -> Literal | None:
    """The key of *label*: its :func:`text_key` tagged with :func:`language_key`;
    None when nothing visible is left.

    >>> label_key(Literal("Haier ", lang="en-GB")) == label_key(Literal("HAIER", lang="en"))
    True
    >>> label_key(Literal("Haier", lang="en")) == label_key(Literal("Haier", lang="de"))
    False
    >>> label_key(Literal("\\u200b")) is None
    True
    """
    key = text_key(str(label))
    if not key:
        return None
    return Literal(key, lang=language_key(label.language))


def label_keys(data: Graph | Iterable[Triple]) -> Iterator[Triple]:
    """``entity zgsh:labelKey key`` for each ``rdfs:label`` of a ``zgr:`` entity in *data*."""
    labels = (
        data.triples((None, RDFS.label, None))
        if isinstance(data, Graph)
        else (t for t in data if t[1] == RDFS.label)
    )
    for s, _p, o in labels:
        if isinstance(s, URIRef) and s.startswith(ZGR) and isinstance(o, Literal):
            key = label_key(o)
            if key is not None:
                yield s, LABEL_KEY, key


#: Per label index, its entities by the text key of their labels (built when first asked).
_BY_KEY: weakref.WeakKeyDictionary[LabelIndex, dict[str, set[URIRef]]] = weakref.WeakKeyDictionary()


def _by_key(labels: LabelIndex) -> dict[str, set[URIRef]]:
    index = _BY_KEY.get(labels)
    if index is None:
        grouped: dict[str, set[URIRef]] = defaultdict(set)
        for folded in labels.all_labels():
            key = text_key(folded)
            if key:
                grouped[key] |= labels.lookup(folded)
        index = _BY_KEY[labels] = dict(grouped)
    return index


def same_key(labels: LabelIndex, new: Graph | Iterable[Triple]) -> set[URIRef]:
    """The entities of *labels* (the graph's label index) with a label whose text has the
    key of a label the *new* facts give, other than the entities those labels are of.

    zgsh:DuplicateEntityShape compares an entity with these: validating the new facts
    must see them, on every store. The new labels are the ``rdfs:label`` values in *new*
    and, for an entity *new* gives a type without a label, its label in the index. The
    language and the class are not compared here (the shape does that), so this is a
    small superset of the duplicates: for a batch of new names, nothing.
    """
    mine: dict[Node, set[str]] = defaultdict(set)
    typed: set[URIRef] = set()
    for s, p, o in new:
        if p == RDFS.label and isinstance(o, Literal):
            mine[s].add(str(o))
        elif p == RDF.type and isinstance(s, URIRef):
            typed.add(s)
    for s in typed - set(mine):
        label = labels.label(s)
        if label is not None:
            mine[s].add(label)
    if not mine:
        return set()
    index = _by_key(labels)
    out: set[URIRef] = set()
    for texts in mine.values():
        for text in texts:
            key = text_key(text)
            if key:
                out |= index.get(key, set())
    return out - set(mine)
