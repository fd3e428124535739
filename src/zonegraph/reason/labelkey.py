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
change can affect. :func:`same_key` names, through the graph's :class:`KeyIndex`
(``KnowledgeGraph.label_keys``, read by validate/label_keys.py with the query
``check`` joins on), the existing entities whose labels share a key with the
labels a change gives or takes away, or with the labels of an entity it types:
the gate validates them with the change (``validate.change.focus_of_change``,
its *partners*), so their labels and types are fetched from whichever store
holds them (memory, Oxigraph, a SPARQL server) and their own new results are
found too.

Cost, measured on 2 cores: over a generated graph of 100k triples the 15,132
keys take 0.53 s, and the shape alone, whole graph, ran 30.9 s against 34.9 s
for the old join on the labels themselves. At 1M triples on Oxigraph (152,918
labels of ``zgr:`` entities) the index is read once per process, and follows
the process's own writes (:meth:`KeyIndex.add`); a cold ``validate`` pays it
(docs/performance.md, "Label keys"). Keeping the keys in the store would make
the lookup one index search, but a store's queries see the union of its
graphs, so a graph of keys would show in every user's query and page:
docs/performance.md says why it is not done.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from ..rdf.namespaces import ZGR, ZGSH

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
    # the fold of the label index (_params.LabelIndex) comes first, so that a label and
    # its folded form have one key, and the index finds every candidate
    folded = " ".join(text.split()).casefold()
    return _skeleton()(unicodedata.normalize("NFKC", folded).casefold())


@functools.cache
def _skeleton() -> Callable[[str], str]:
    """disarm's ``skeleton_key``, imported when first needed (80 ms): an import statement
    in :func:`text_key` cost more than the key itself over 150k labels."""
    from disarm import skeleton_key

    return skeleton_key


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


class KeyIndex:
    """The label keys of a graph's ``zgr:`` entities: which entities have a label with a
    given key, and which keys each entity's labels have (what :func:`label_keys` adds,
    read from a store: validate/label_keys.py).

    >>> a, b, c = (URIRef(ZGR + x) for x in "abc")
    >>> index = KeyIndex([(a, Literal("Haier", lang="en")),
    ...                   (b, Literal("HAIER ", lang="en-GB")),
    ...                   (c, Literal("Haier", lang="de"))])
    >>> sorted(e.removeprefix(ZGR) for e in index.with_text_key("haier"))
    ['a', 'b', 'c']
    >>> [(e.removeprefix(ZGR), str(k), k.language) for e, k in index.shared()]
    [('a', 'haier', 'en'), ('b', 'haier', 'en')]
    """

    def __init__(self, labels: Iterable[tuple[Node, Node]]) -> None:
        # Keys as (text, language) pairs and entities looked up by their text: an rdflib
        # Literal per label, and rdflib's hash of a term (a Python method), cost more
        # than the 150k keys themselves at 1M triples.
        self._by_key: dict[tuple[str, str | None], list[Node]] = defaultdict(list)
        self._by_text: dict[str, list[Node]] = defaultdict(list)
        self._of: dict[str, list[str]] = defaultdict(list)
        self.add(labels)

    def add(self, labels: Iterable[tuple[Node, Node]]) -> None:
        """Index *labels* too: ``(entity, label)`` pairs, those of ``zgr:`` entities kept."""
        for entity, label in labels:
            if not (isinstance(entity, URIRef) and entity.startswith(ZGR)):
                continue
            if not isinstance(label, Literal):
                continue
            key = text_key(label)
            if key:
                self._by_key[key, language_key(label.language)].append(entity)
                self._by_text[key].append(entity)
                self._of[str(entity)].append(key)

    def with_text_key(self, key: str) -> set[Node]:
        """The entities with a label whose :func:`text_key` is *key*, in any language."""
        return set(self._by_text.get(key, ()))

    def text_keys_of(self, entity: Node) -> set[str]:
        """The text keys of *entity*'s labels."""
        return set(self._of.get(str(entity), ()))

    def shared(self) -> list[tuple[Node, Literal]]:
        """``(entity, key)`` for each key (text and language) that two or more entities
        share: the only ``zgsh:labelKey`` triples a join on keys between two entities
        can match. Sorted, so that queries made of them are the same on every run."""
        shared = sorted(
            ((text, lang or ""), sorted(set(es), key=str))
            for (text, lang), es in self._by_key.items()
            if len(set(es)) > 1
        )
        return [(e, Literal(text, lang=lang or None)) for (text, lang), es in shared for e in es]


def same_key(keys: KeyIndex, new: Graph | Iterable[Triple]) -> set[Node]:
    """The entities of *keys* (the graph's label keys) with a label whose text has the
    key of a label the *new* facts give, other than the entities those labels are of.

    zgsh:DuplicateEntityShape compares an entity with these: validating the new facts
    must see them, on every store. The new labels are the ``rdfs:label`` values in *new*
    and, for an entity *new* gives a type, its labels in the graph. The
    language and the class are not compared here (the shape does that), so this is a
    small superset of the duplicates: for a batch of new names, nothing.
    """
    mine: dict[Node, set[str]] = defaultdict(set)
    typed: set[Node] = set()
    for s, p, o in new:
        if p == RDFS.label and isinstance(o, Literal):
            key = text_key(str(o))
            if key:
                mine[s].add(key)
        elif p == RDF.type and isinstance(s, URIRef):
            typed.add(s)
    for s in typed:  # a new type makes its old labels compared with another class's
        mine[s] |= keys.text_keys_of(s)
    out: set[Node] = set()
    for texts in mine.values():
        for key in texts:
            out |= keys.with_text_key(key)
    return out - set(mine)
