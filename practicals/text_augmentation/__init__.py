"""Practical 7: text augmentation by synonym replacement with WordNet."""
