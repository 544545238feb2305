"""Practical 8: a sequence-to-sequence model with an attention layer (Keras)."""
