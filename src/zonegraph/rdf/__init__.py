"""Reading and writing RDF: the strict Turtle reader and its intake checks, the bulk
reader (Oxigraph's parser), the canonical Turtle writer, N-Triples, exports (JSON-LD ...),
the term rules, the namespaces, and rdflib <-> pyoxigraph term conversion.
The bottom layer: imports nothing from zonegraph but ``zonegraph._errors``."""
