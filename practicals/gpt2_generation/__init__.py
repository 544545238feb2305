"""Practical 6: text generation with a pre-trained GPT-2 (transformers, PyTorch)."""
