"""SPARQL as text and values: running queries on rdflib safely, the canned-query
catalogue, parameter values as RDF terms, the query text lexer and VALUES binder, ORDER BY
in Python, and results with their serializations.  Knows no store backend."""
