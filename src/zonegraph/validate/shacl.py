"""SHACL validation as a value: a report of results, rendered as text, JSON or Turtle.

"The data does not conform" is a result (:class:`ValidationReport` with
``conforms`` False, exit code 1); "validation could not run" is an error
(:class:`~zonegraph.ZonegraphError`, exit code 2). ``sh:Warning`` and
``sh:Info`` results are reported but do not make a graph non-conforming.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..rdf.namespaces import SH, bind_prefixes, shorten
from .targets import Targets

if TYPE_CHECKING:
    from ..reason.core import Vocabulary
    from ..store.access import Access
    from ..store.plan import Plan
    from .change import Dependencies

SEVERITIES = ("Violation", "Warning", "Info")
#: The severities that make facts unacceptable (exit code 1): the others are advice.
BLOCKING = ("Violation",)


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: which node, which property, what is wrong, from which shape."""

    severity: str
    focus_node: Node
    path: Node | None
    value: Node | None
    constraint: URIRef
    source_shape: Node
    message: str
    #: The results of nested shapes (``sh:node``, ``sh:or`` ...) that explain this one
    #: (``sh:detail``): their focus is a value node, not a node that was validated.
    details: tuple[ValidationResult, ...] = ()

    @property
    def blocking(self) -> bool:
        """True for a ``sh:Violation``, which stops facts from entering the graph."""
        return self.severity == "Violation"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focusNode": _iri_text(self.focus_node),
            "path": _iri_text(self.path),
            "value": _iri_text(self.value),
            "constraint": str(self.constraint),
            "sourceShape": _iri_text(self.source_shape),
            "message": self.message,
            **({"details": [d.as_dict() for d in self.details]} if self.details else {}),
        }


def _iri_text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms`` unless some result is a violation."""

    results: list[ValidationResult] = field(default_factory=list)
    checks: dict[str, list[str]] = field(default_factory=dict)
    #: How validation ran where the reader should know (a shape the SPARQL engine left to
    #: pySHACL, validate/sparql_shacl.py): shown in text and JSON, never a result.
    notes: list[str] = field(default_factory=list)
    #: Results the nodes a change touches already had and keep after it (the gate's
    #: "before" run): not the change's fault, so not in ``results``,
    #: but counted in the text and JSON so that "Conforms" does not hide them.
    already: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations and not any(self.checks.values())

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.severity == s) for s in SEVERITIES}

    def already_counts(self) -> dict[str, int]:
        """How many results of each severity the touched nodes already had (``already``)."""
        return {s: sum(1 for r in self.already if r.severity == s) for s in SEVERITIES}

    def render(self, fmt: str = "text") -> str:
        """The report as ``text`` (for people), ``json`` or ``turtle`` (a SHACL report graph).

        In ``turtle`` and ``json``, ``conforms`` is SHACL's: false whenever there is any
        result, a warning included. Whether the facts are accepted (the exit code) is
        ``accepted`` in JSON: only a violation or a failed check blocks.
        """
        if fmt == "text":
            return self._text()
        if fmt == "json":
            doc = {
                "conforms": self._shacl_conforms(),
                "accepted": self.conforms,
                "blocking": list(BLOCKING),
                "counts": self.counts(),
                "results": [r.as_dict() for r in self.results],
                "checks": self.checks,
                **({"notes": self.notes} if self.notes else {}),
                **({"alreadyOnTouchedNodes": self.already_counts()} if self.already else {}),
            }
            return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        if fmt == "turtle":
            return self.to_graph().serialize(format="turtle")
        raise ValueError(f"unknown report format {fmt!r}; choose text, json or turtle")

    def to_graph(self) -> Graph:
        """A ``sh:ValidationReport`` graph, as the SHACL specification defines it."""
        g = bind_prefixes(Graph())
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self._shacl_conforms())))
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            _add_result(g, node, r)
        return g

    def _shacl_conforms(self) -> bool:
        """SHACL's sh:conforms: true only when validation produced no result at all (and,
        for ``check``, no check query failed)."""
        return not self.results and not any(self.checks.values())

    def _text(self) -> str:
        counts = self.counts()
        failed_checks = {k: v for k, v in self.checks.items() if v}
        head = "Conforms" if self.conforms else "Does not conform"
        parts = [f"{counts[s]} {s.lower()}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES]
        lines = [f"{head}: {', '.join(parts)}."]
        if self.already:
            lines.append(_already_line(self.already_counts()))
        if self.results:
            lines.append(
                "Only violations block (exit code 1); warnings and infos are advice."
                + (
                    " As a SHACL report (--format turtle or json) it does not conform: "
                    "it has results."
                    if self.conforms
                    else ""
                )
            )
        order = {s: i for i, s in enumerate(SEVERITIES)}
        for r in sorted(
            self.results, key=lambda r: (order[r.severity], str(r.focus_node), str(r.path))
        ):
            where = (
                shorten(str(r.focus_node)) if isinstance(r.focus_node, URIRef) else "a blank node"
            )
            prop = f" {shorten(str(r.path))}" if isinstance(r.path, URIRef) else ""
            lines.append("")
            lines.append(f"{r.severity}: {where}{prop}")
            lines.append(f"  {r.message}")
            if r.value is not None:
                lines.append(
                    "  value: "
                    + (r.value.n3() if not isinstance(r.value, URIRef) else shorten(str(r.value)))
                )
            shape = (
                shorten(str(r.source_shape))
                if isinstance(r.source_shape, URIRef)
                else "(inline shape)"
            )
            lines.append(f"  shape: {shape} ({shorten(str(r.constraint))})")
            lines.extend(_detail_lines(r.details, "  because: "))
        for note in self.notes:
            lines.append("")
            lines.append(f"Note: {note}")
        for name, rows in failed_checks.items():
            lines.append("")
            lines.append(f"Check failed: {name}")
            lines.extend(f"  {row}" for row in rows)
        return "\n".join(lines) + "\n"


def _already_line(counts: dict[str, int]) -> str:
    """The sentence saying how many results the touched nodes already had."""
    parts = [f"{n} {s.lower()}{'s' if n != 1 else ''}" for s in SEVERITIES if (n := counts[s])]
    total = sum(counts.values())
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return (
        f"{listed} {'were' if total != 1 else 'was'} already on the nodes this change "
        "touches (not counted above); `zonegraph check` lists them."
    )


def _add_result(g: Graph, node: BNode, r: ValidationResult) -> None:
    g.add((node, RDF.type, SH.ValidationResult))
    g.add((node, SH.resultSeverity, SH[r.severity]))
    g.add((node, SH.focusNode, r.focus_node))
    if r.path is not None:
        g.add((node, SH.resultPath, r.path))
    if r.value is not None:
        g.add((node, SH.value, r.value))
    g.add((node, SH.sourceConstraintComponent, r.constraint))
    g.add((node, SH.sourceShape, r.source_shape))
    g.add((node, SH.resultMessage, Literal(r.message)))
    for d in r.details:
        child = BNode()
        g.add((node, SH.detail, child))
        _add_result(g, child, d)


def _detail_lines(details: Iterable[ValidationResult], lead: str) -> list[str]:
    lines = []
    for d in details:
        where = shorten(str(d.focus_node)) if isinstance(d.focus_node, URIRef) else "a blank node"
        prop = f" {shorten(str(d.path))}" if isinstance(d.path, URIRef) else ""
        lines.append(f"{lead}{where}{prop}: {d.message}")
        lines.extend(_detail_lines(d.details, "  " + lead))
    return lines


def results_from_report(
    report: Graph, *, keep: Iterable[Node] | None = None
) -> list[ValidationResult]:
    """Read the ``sh:ValidationResult`` nodes of a pySHACL report graph.

    Only the report's own results (``sh:result``); the results of nested shapes
    that explain them (``sh:detail``) become their ``details``. With *keep*,
    only results whose focus node is in *keep* are returned.
    """
    wanted = set(keep) if keep is not None else None
    out: list[ValidationResult] = []
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        if focus is None or (wanted is not None and focus not in wanted):
            continue
        out.append(_result(report, node, focus, set()))
    out.sort(key=lambda r: (r.severity, str(r.focus_node), str(r.path), r.message))
    return unique(out)


def _result(report: Graph, node: Node, focus: Node, seen: set[Node]) -> ValidationResult:
    seen = seen | {node}
    severity = report.value(node, SH.resultSeverity)
    messages = sorted(
        report.objects(node, SH.resultMessage),
        key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)),
    )
    details = tuple(
        _result(report, d, report.value(d, SH.focusNode) or focus, seen)
        for d in report.objects(node, SH.detail)
        if d not in seen
    )
    return ValidationResult(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus_node=focus,
        path=report.value(node, SH.resultPath),
        value=report.value(node, SH.value),
        constraint=URIRef(str(report.value(node, SH.sourceConstraintComponent))),
        source_shape=report.value(node, SH.sourceShape) or BNode(),
        message=str(messages[0]) if messages else "(no message)",
        details=tuple(sorted(details, key=lambda d: (str(d.focus_node), str(d.path), d.message))),
    )


def unique(
    results: Iterable[ValidationResult], *, with_message: bool = True
) -> list[ValidationResult]:
    """*results* in their order without repeats: the same severity, focus node, path,
    value, component and shape (and message, unless *with_message* is False)."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for r in results:
        key: tuple[object, ...] = (r.severity, r.focus_node, r.path, r.value, r.constraint)
        key += (r.source_shape, r.message) if with_message else (r.source_shape,)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def run_pyshacl(
    data: Graph,
    shapes: Graph,
    *,
    focus: Collection[Node] | None = None,
    targets: Targets | None = None,
) -> Graph:
    """Validate *data* (already holding the ontology and closure) against *shapes*.

    Returns pySHACL's report graph. No inference inside pySHACL (the caller
    decides which inferences validation sees), SHACL-AF targets and
    SPARQL-based constraints on, warnings non-blocking. With *focus*, only
    those nodes are validated by the declarative targets (_targets; pass the
    shapes' *targets* to reuse them), and SPARQL-based targets as they select.
    """
    from pyshacl import validate

    from .._errors import ZonegraphError

    if focus is not None:
        shapes = (targets or Targets.of(shapes)).focused(data, focus)
    try:
        result = validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            meta_shacl=False,
        )
    except ZonegraphError:
        raise
    except Exception as exc:  # pySHACL reports unusable shapes or data by raising
        raise ZonegraphError(
            f"SHACL validation could not run: {exc}",
            hint="check ontology/shapes.ttl (zonegraph check names the problem)",
        ) from exc
    report_graph = result[1]
    if not isinstance(report_graph, Graph):
        raise ZonegraphError(f"SHACL validation could not run: {result[2]}")
    return report_graph


def check_shapes(shapes: Graph) -> list[str]:
    """Problems found by validating *shapes* against the SHACL shapes for SHACL."""
    from pyshacl import validate

    try:
        conforms, _g, text = validate(
            Graph(), shacl_graph=shapes, meta_shacl=True, inference="none", advanced=True
        )
    except Exception as exc:  # pyshacl raises ReportableRuntimeError on bad shapes
        return [str(exc)]
    return [] if conforms else [str(text)]


def result_key(r: ValidationResult) -> tuple[object, ...]:
    """What makes two results the same result: severity, focus node, path, value,
    constraint component and source shape. Not the message, which may describe the value
    node's triples (pySHACL's default for ``sh:and`` does: the same fault reads
    differently once the node gains a triple), nor the details that explain it."""
    return (r.severity, r.focus_node, r.path, r.value, r.constraint, r.source_shape)


def gate(
    before: Access,
    added: Graph,
    removed: Graph,
    shapes: Graph,
    *,
    plan: Plan,
    deps: Dependencies,
    targets: Targets | None = None,
    vocabulary: Vocabulary | None = None,
    prepare: Callable[[Graph], Graph] = lambda g: g,
    is_vocabulary: Callable[[Node], bool] = lambda n: False,
    restated: bool = False,
    partners: Callable[[Graph], Collection[Node]] | None = None,
    allow_network: bool = False,
) -> tuple[list[ValidationResult], list[ValidationResult]]:
    """The results that the change (*added* triples, *removed* triples) adds to the graph
    that *before* reads, anywhere in it, and the results the nodes it re-validated
    already had and keep (found by the same two runs, at no extra cost).

    The focus nodes whose results the change can alter are found from the shapes
    (_neighbourhood.focus_of_change) and validated over their neighbourhood after the
    change; if any result, the nodes that can have had it are validated again over
    their neighbourhood before it: the results that were not there before are the
    change's, the others the graph already had (not the change's fault; the report
    counts them as ``already``). *prepare* adds what validation sees
    besides the data (the ontology, the closure) to a neighbourhood; *partners* names the
    nodes a join the store cannot look up compares changed nodes with (focus_of_change).
    pySHACL runs inside the audit guard (_guard); the store is read outside it (a SPARQL
    server is reached over the network).
    """
    from .._guard import guarded
    from ..store.access import ChangedAccess
    from ..store.neighbourhood import extract
    from .change import focus_of_change

    focus = focus_of_change(
        before,
        added,
        removed,
        plan,
        deps,
        vocabulary,
        is_vocabulary=is_vocabulary,
        partners=partners,
    )
    if not focus:
        return [], []
    targets = targets or Targets.of(shapes)

    def results(access: Access, nodes: set[Node]) -> list[ValidationResult]:
        data = prepare(extract(access, nodes, plan, bounded=deps.bounded))
        with guarded("SHACL validation", allow_network=allow_network):
            report = run_pyshacl(data, shapes, focus=nodes, targets=targets)
        return results_from_report(report, keep=nodes)

    after = results(ChangedAccess(before, added, removed, restated=restated), focus)
    if not after:  # nothing after the change: nothing new (a valid batch costs one run)
        return [], []
    if deps.deep:
        # All the focus nodes again: a result of a property shape nested in another names
        # the value node as its focus, and another focus node may have given it before.
        again = set(focus)
    else:
        # Each result's focus node is a validated focus node, whose results depend on its
        # own validation only; a node the graph did not have before had none (unless a
        # shape names it: sh:targetNode), so a batch of new nodes costs one run.
        suspects = {r.focus_node for r in after}
        named = set(shapes.objects(None, SH.targetNode))
        had = {t[0] for t in before.outgoing(suspects)}
        had |= {t[2] for t in before.incoming(suspects - had)}
        again = {n for n in suspects if n in had or n in named or isinstance(n, Literal)}
    if not again:
        return after, []
    old = {result_key(r) for r in results(before, again)}
    return (
        [r for r in after if result_key(r) not in old],
        [r for r in after if result_key(r) in old],
    )
