"""SHACL validation: the report, validation of chosen focus nodes (targets), the
shapes' own checks before use, and consistency against the ontology."""
