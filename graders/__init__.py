"""Headless grading core: bank loading, answer grading, submission grading, assets.

Nothing in this package imports Textual or prints; the CLI and the TUI in ``quiz`` call it.
"""
