"""Data files shipped with the grading core (read with importlib.resources)."""
