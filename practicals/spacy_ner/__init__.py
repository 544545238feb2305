"""Practical 4: named entity recognition with spaCy."""
