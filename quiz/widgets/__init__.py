"""Widgets of the quiz app."""
