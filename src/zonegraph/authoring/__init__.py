"""Tools for people who write the graph and its documentation: drawings (Graphviz),
fill-in templates read off the shapes, the generated ontology reference, synthetic data."""
