"""Practical 1: text classification with an LSTM (Keras)."""
