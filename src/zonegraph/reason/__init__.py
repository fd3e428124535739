"""Reasoning: the vocabulary and OWL RL closure, the deliberate closure validation
sees, the inferred graph kept beside the facts, and the label keys the closure adds."""
