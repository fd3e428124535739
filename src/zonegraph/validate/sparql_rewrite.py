"""The shapes' own SPARQL (SPARQL-based targets and constraints) rewritten token by
token to see the validation closure (:mod:`zonegraph.validate.sparql_closure` says what
each pattern becomes): predicates become their closure paths, a pattern with a variable
predicate a UNION (:meth:`ClosureView.derived_branches`, in the cheapest form that the
variables' other uses allow), ``zgsh:labelKey`` a VALUES block. Split from the closure
view, which the compiled SHACL Core constraints use as well.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import RDF, URIRef

from ..reason.labelkey import LABEL_KEY
from ..sparql.text import Token, tokens
from .sparql_closure import ClosureView, Unsupported, nt


def rewrite(text: str, prefixes: Mapping[str, str], view: ClosureView) -> str:
    """The query *text* (with *prefixes*, ``prefix -> namespace``) rewritten to see the
    validation closure; Unsupported where a pattern cannot be rewritten exactly."""
    return _Rewriter(text, prefixes, view).run()


class _Rewriter:
    def __init__(self, text: str, prefixes: Mapping[str, str], view: ClosureView) -> None:
        self.text = text
        self.toks: list[Token] = [t for t in tokens(text) if t.kind != "comment"]
        self.prefixes = prefixes
        self.view = view
        self.edits: list[tuple[int, int, str]] = []
        #: The character span of each pattern rewritten to a UNION, and its branches.
        self.unions: dict[tuple[int, int], list[str]] = {}
        #: How many (NOT) EXISTS groups the rewriter is in.
        self.in_exists = 0
        #: Each variable token and its scope (:meth:`once`), scanned when first asked.
        self._regions: list[tuple[Token, int]] | None = None

    def run(self) -> str:
        i = 0
        while i < len(self.toks) and self.toks[i].text != "{":
            i += 1
        if i < len(self.toks):
            self.group(i + 1)
        out = self.text
        for start, end, new in sorted(self.edits, reverse=True):
            out = out[:start] + new + out[end:]
        return out

    def at(self, i: int) -> str:
        return self.toks[i].text if i < len(self.toks) else ""

    def iri(self, tok: Token) -> URIRef | None:
        if tok.kind == "iri":
            return URIRef(tok.text[1:-1])
        if tok.kind == "word" and tok.text == "a":
            return URIRef(RDF.type)
        if tok.kind == "word" and ":" in tok.text:
            prefix, _, local = tok.text.partition(":")
            if prefix in self.prefixes:
                return URIRef(self.prefixes[prefix] + local)
        return None

    def group(self, i: int) -> int:
        """Rewrite the group whose ``{`` is before *i*; return the index after its ``}``."""
        after_select = False
        while i < len(self.toks):
            tok = self.toks[i]
            word = tok.text.upper() if tok.kind == "word" else ""
            if tok.text == "}":
                return i + 1
            if after_select:
                i += 1
            elif tok.text == "{":
                i = self.group(i + 1)
            elif tok.text == "." or word in ("OPTIONAL", "MINUS", "UNION"):
                i += 1
            elif word in ("GRAPH", "SERVICE"):
                i += 2
            elif word in ("FILTER", "BIND"):
                i = self.expression(i + 1)
            elif word == "VALUES":
                while self.at(i) != "{":
                    i += 1
                i = self.skip_block(i)
            elif word == "SELECT":
                while self.at(i) != "{":
                    i += 1
                i = self.group(i + 1)
                after_select = True  # GROUP BY, HAVING ... up to the closing brace
            else:
                i = self.statement(i)
        return i

    def skip_block(self, i: int) -> int:
        depth = 0
        while i < len(self.toks):
            if self.toks[i].text == "{":
                depth += 1
            elif self.toks[i].text == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i

    def exists(self, i: int) -> int:
        """Rewrite ``[NOT] EXISTS { ... }`` at *i*; return the index after it.

        A group that is nothing but one pattern with a variable predicate, which
        becomes a UNION, becomes the disjunction of one EXISTS per branch instead:
        Oxigraph 0.5 evaluates a UNION under (NOT) EXISTS whole, for every row (the
        closed vocabulary's ``FILTER NOT EXISTS { ?term ?p ?v }``: 32 s instead of 1 s at
        100k triples)."""
        first, negated = self.toks[i], self.at(i).upper() == "NOT"
        brace = i + 2 if negated else i + 1
        self.in_exists += 1
        end = self.group(brace + 1)
        self.in_exists -= 1
        inner = (self.toks[brace].end, self.toks[end - 1].start)
        for span, branches in self.unions.items():
            if not inner[0] <= span[0] <= span[1] <= inner[1]:
                continue
            before, after = self.text[inner[0] : span[0]], self.text[span[1] : inner[1]]
            if before.strip() or after.strip() not in ("", "."):
                continue
            either = " || ".join(f"EXISTS {b}" for b in branches)
            new = f"(!({either}))" if negated else f"({either})"
            self.edits = [e for e in self.edits if e[:2] != span]
            self.edits.append((first.start, self.toks[end - 1].end, new))
            break
        return end

    def expression(self, i: int) -> int:
        """Skip a FILTER or BIND expression, rewriting the groups of EXISTS inside it."""
        if self.at(i).upper() in ("NOT", "EXISTS"):
            return self.exists(i)
        if self.at(i) != "(":
            i += 1  # a function name: FILTER regex(...)
        depth = 0
        while i < len(self.toks):
            t = self.toks[i].text
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif (t.upper() == "EXISTS" and self.at(i + 1) == "{") or (
                t.upper() == "NOT" and self.at(i + 1).upper() == "EXISTS"
            ):
                i = self.exists(i)
                continue
            i += 1
        return i

    def term(self, i: int) -> int:
        """The index after the RDF term (subject or object) at *i*."""
        tok = self.toks[i]
        if tok.text in ("[", "("):
            raise Unsupported("blank node and collection syntax in a rewritten query")
        if tok.kind == "string":
            i += 1
            if self.at(i) == "@":
                return i + 2
            if self.at(i) == "^" and self.at(i + 1) == "^":
                return i + 3
            return i
        if tok.kind == "other":  # a number: its characters are tokens of their own
            end = tok.end
            i += 1
            while (
                i < len(self.toks)
                and self.toks[i].start == end
                and self.toks[i].kind
                in (
                    "other",
                    "word",
                )
            ):
                end = self.toks[i].end
                i += 1
            return i
        return i + 1

    def statement(self, i: int) -> int:
        """Rewrite one triples statement starting at the subject at *i*."""
        start = i
        i = self.term(i)
        subject = self.text[self.toks[start].start : self.toks[i - 1].end]
        first = True
        while True:
            verb = self.toks[i]
            special = verb.kind == "var" or self.iri(verb) == LABEL_KEY
            if special:
                if not first:
                    raise Unsupported("a variable or zgsh:labelKey predicate after ';'")
                obj_start = i + 1
                end = self.term(obj_start)
                if self.at(end) in (";", ","):
                    raise Unsupported("a variable or zgsh:labelKey predicate inside ';' or ','")
                obj = self.text[self.toks[obj_start].start : self.toks[end - 1].end]
                span = (self.toks[start].start, self.toks[end - 1].end)
                if verb.kind == "var":
                    s_once, o_once = self.once(self.toks[start]), self.once(self.toks[obj_start])
                    ends = self.once(verb) and (s_once or o_once)
                    name = self.text[verb.start : verb.end]
                    both = s_once and o_once
                    one = ""
                    if not (ends or both):
                        one = "subject" if o_once else "object" if s_once else ""
                    branches = self.view.derived_branches(
                        subject,
                        name,
                        obj,
                        only_ends=ends,
                        distinct_predicates=both and not ends,
                        one_end=one,
                        bound=self.in_exists > 0,
                    )
                    self.unions[span] = branches
                    new = " UNION ".join(branches)
                else:
                    new = self.label_values(subject, obj)
                self.edits.append((*span, new))
                return end
            i = self.path(i)
            i = self.term(i)
            while self.at(i) == ",":
                i = self.term(i + 1)
            if self.at(i) == ";":
                i += 1
                if self.at(i) in (".", "}", ";"):
                    return i
                first = False
                continue
            return i

    def once(self, tok: Token) -> bool:
        """True for a variable used nowhere else in its scope: the innermost sub-SELECT
        that does not project it, else the whole query. Uses inside a nested sub-SELECT
        that does not project it are another variable and do not count ($x and ?x are
        the same variable)."""
        if tok.kind != "var":
            return False
        if self._regions is None:
            self._regions = self._scan_regions()
        where = {t.start: r for t, r in self._regions}
        mine = where[tok.start]
        name = tok.text
        return sum(1 for t, r in self._regions if t.text == name and r == mine) == 1

    def _scan_regions(self) -> list[tuple[Token, int]]:
        """Each variable token with the scope it belongs to (a sub-SELECT's index, -1
        for the query)."""
        first = next((i for i, t in enumerate(self.toks) if t.text == "{"), len(self.toks))
        if any(t.text == "*" for t in self.toks[:first]):
            return [(t, i) for i, t in enumerate(self.toks) if t.kind == "var"]  # all used
        selects: list[tuple[int, int, set[str] | None]] = []
        for i in range(first, len(self.toks)):
            t = self.toks[i]
            if t.kind == "word" and t.text.upper() == "SELECT":
                j = i
                while j < len(self.toks) and self.toks[j].text != "{":
                    j += 1
                clause = self.toks[i:j]
                star = any(c.text == "*" for c in clause)
                names = None if star else {c.text for c in clause if c.kind == "var"}
                selects.append((i, self.skip_block(j), names))
        out = []
        for i, t in enumerate(self.toks):
            if t.kind != "var":
                continue
            region = -1
            inside = [k for k, (a, b, _) in enumerate(selects) if a <= i < b]
            for k in sorted(inside, key=lambda k: -selects[k][0]):  # innermost first
                names = selects[k][2]
                if names is not None and t.text not in names:
                    region = k
                    break
            out.append((t, region))
        return out

    def label_values(self, s: str, o: str) -> str:
        if not (s.startswith(("?", "$")) and o.startswith(("?", "$"))):
            raise Unsupported("zgsh:labelKey is joined on between two variables only")
        rows = " ".join(f"({nt(e)} {nt(k)})" for e, k in self.view.shared_keys())
        # no key shared: nothing joins (an empty VALUES block, which rdflib cannot run)
        return f"VALUES ({s} {o}) {{ {rows} }}" if rows else "FILTER(false)"

    def path(self, i: int) -> int:
        """Rewrite the property path (the verb) at *i*; return the index after it."""
        depth = 0
        while i < len(self.toks):
            tok = self.toks[i]
            if tok.text == "!":
                raise Unsupported("a negated property set cannot see the closure")
            if tok.text == "(":
                depth += 1
                i += 1
                continue
            if tok.text == "^":
                i += 1
                continue
            iri = self.iri(tok)
            if tok.text == ")":
                depth -= 1
            elif iri is not None:
                new = self.view.predicate(iri)
                if new != nt(iri):
                    self.edits.append((tok.start, tok.end, new))
            else:
                raise Unsupported(f"cannot read the predicate {tok.text!r}")
            i += 1
            while self.at(i) in ("*", "+", "?") and self.toks[i].kind == "other":
                i += 1
            if depth > 0 or self.at(i) in ("/", "|"):
                if self.at(i) in ("/", "|"):
                    i += 1
                continue
            return i
        return i
