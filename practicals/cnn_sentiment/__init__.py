"""Practical 3: sentiment analysis with a 1-D CNN."""
