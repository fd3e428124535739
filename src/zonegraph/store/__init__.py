"""Where the triples live: the stores behind a knowledge graph.

Every store implements :class:`Store`; :func:`open_store` opens one by the spec
the command line takes (``memory``, ``oxigraph:DIR``, ``sparql:URL``,
``sparql-union:URL``). Pass one to :func:`zonegraph.open_kg`:

>>> import zonegraph, zonegraph.store
>>> zonegraph.store.open_store("memory") is None  # the KG's files, loaded into memory
True
>>> type(zonegraph.open_kg().store).__name__  # Oxigraph's (ZONEGRAPH_MEMORY_ENGINE=rdflib)
'OxigraphMemoryStore'
"""

from .base import GraphPrefix, MemoryStore, Store, memory_store, open_store
from .oxigraph import OxigraphMemoryStore, OxigraphStore
from .sparql_server import SparqlStore

__all__ = [
    "GraphPrefix",
    "MemoryStore",
    "OxigraphMemoryStore",
    "OxigraphStore",
    "SparqlStore",
    "Store",
    "memory_store",
    "open_store",
]
