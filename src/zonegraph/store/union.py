"""Whether a query's answer can change when the default graph repeats a triple.

Oxigraph's union default graph (``use_default_graph_as_union``) holds a triple once per
named graph that states it, where SPARQL's RDF merge, and rdflib, hold it once. The
default store (store/oxigraph.OxigraphMemoryStore) answers a query on Oxigraph's union
when repeated triples cannot change the answer, and on a default graph that holds the
merge, made once on first need, when they can: making it costs 0.7 s at 200k triples,
more than most queries do. :func:`sees_repeats` decides from rdflib's algebra of the
query, conservatively (whatever it does not know counts as seeing repeats).
"""

from __future__ import annotations

from rdflib.plugins.sparql.parserutils import CompValue

#: Aggregates whose value is the same over a multiset and its set.
_SET_AGGREGATES = {"Aggregate_Min", "Aggregate_Max", "Aggregate_Sample"}
#: Operators the top of a SELECT passes through before its rows are made a set.
_ON_TOP = {"Slice", "OrderBy", "Project", "Extend", "Filter"}


def sees_repeats(algebra: CompValue) -> bool:
    """True unless the answer of the query *algebra* is the same whether a triple of the
    default graph comes once or several times: an ASK, DESCRIBE or CONSTRUCT (without
    LIMIT or OFFSET), or a SELECT DISTINCT or grouped one, with no aggregate that counts
    repeats (COUNT, SUM, AVG, GROUP_CONCAT without DISTINCT) and no LIMIT or OFFSET
    inside a subquery."""
    # a CONSTRUCT's LIMIT counts solutions, which repeats change
    if _counts_repeats(algebra, inside=algebra.name == "ConstructQuery"):
        return True
    if algebra.name in ("AskQuery", "ConstructQuery", "DescribeQuery"):
        return False
    node = algebra.get("p")
    while isinstance(node, CompValue) and node.name in _ON_TOP:
        node = node.get("p")
    return not (isinstance(node, CompValue) and node.name in ("Distinct", "AggregateJoin"))


def _counts_repeats(node: object, *, inside: bool) -> bool:
    if isinstance(node, list | tuple):
        return any(_counts_repeats(n, inside=inside) for n in node)
    if not isinstance(node, CompValue):
        return False
    name = node.name
    counted = name.startswith("Aggregate_") and name not in _SET_AGGREGATES
    if counted and node.get("distinct") != "DISTINCT":
        return True
    if name == "Slice" and inside:
        return True
    inside = inside or name == "ToMultiSet"
    return any(
        _counts_repeats(v, inside=inside)
        for k, v in node.items()
        if k not in ("_vars", "PV", "datasetClause")
    )
