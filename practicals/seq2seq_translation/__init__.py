"""Practical 5: a sequence-to-sequence (encoder-decoder) LSTM for translation (Keras)."""
