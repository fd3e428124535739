"""zonegraph: a sourced knowledge graph of international economic cooperation zones.

>>> import zonegraph
>>> kg = zonegraph.open_kg()
>>> sorted(q.name for q in kg.queries())[:2]
['collaboration-network', 'countries-of-zone']
"""

from ._errors import (
    InputError,
    Location,
    ParameterError,
    QueryError,
    SourceError,
    StoreError,
    UnknownQueryError,
    ZonegraphError,
)
from ._kg import AddResult, KnowledgeGraph, open_kg
from ._stats import SourceStats, Stats
from .rdf.intake_limits import IntakeLimits
from .rdf.namespaces import PREFIXES, ZG, ZGR, ZGS
from .sparql.catalogue import CannedQuery, Parameter
from .sparql.paging import Page
from .sparql.results import QueryResult
from .validate.shacl import ValidationReport, ValidationResult

__all__ = [
    "PREFIXES",
    "ZG",
    "ZGR",
    "ZGS",
    "AddResult",
    "CannedQuery",
    "InputError",
    "IntakeLimits",
    "KnowledgeGraph",
    "Location",
    "Page",
    "Parameter",
    "ParameterError",
    "QueryError",
    "QueryResult",
    "SourceError",
    "SourceStats",
    "Stats",
    "StoreError",
    "UnknownQueryError",
    "ValidationReport",
    "ValidationResult",
    "ZonegraphError",
    "open_kg",
]
