"""The user-facing layer: the ``quiz`` command line and the Textual quiz app.

Everything here calls the headless core in ``graders`` and ``practicals``.
"""

__version__ = "0.1.0"
