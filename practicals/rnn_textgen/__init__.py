"""Practical 2: character-level text generation with an RNN."""
