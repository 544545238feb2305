"""One exception family for every failure a user can cause or fix.

Each message says what failed, where, and how to fix it. The CLI turns these into a one-line
error and a non-zero exit code instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def first_of(things: Sequence[object], shown: int = 5) -> str:
    """The first ``shown`` of ``things``, and how many more: what a message lists of what it is about."""
    more = f" and {len(things) - shown} more" if len(things) > shown else ""
    return ", ".join(str(t) for t in things[:shown]) + more


class QuizError(Exception):
    """Base class: a problem the user can understand and fix."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


class AssetMissingError(QuizError):
    """A model or data asset cannot be found offline."""


class BankError(QuizError):
    """A question bank cannot be found, parsed or validated."""

    def __init__(self, message: str, *, problems: list[BankProblem] | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.message, *(f"  {p}" for p in self.problems)]
        if self.hint:
            lines.append(f"  fix: {self.hint}")
        return "\n".join(lines)


class BankProblem:
    """One problem in a bank file, located by file, field path and line."""

    __slots__ = ("file", "field", "line", "message")

    def __init__(self, file: str, field: str, line: int | None, message: str) -> None:
        self.file, self.field, self.line, self.message = file, field, line, message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"BankProblem({self.file!r}, {self.field!r}, {self.line!r}, {self.message!r})"


class InputError(QuizError):
    """A user-supplied input file (CSV, submission, gradebook) is unusable."""


def cannot_read(path: Path, error: OSError) -> InputError:
    """The problem of ``path``, which cannot be read (``error``: its permissions, say)."""
    return InputError(
        f"cannot read {path}: {error.strerror}",
        hint="give the user who runs quiz permission to read it, then run it again",
    )


class GradingError(QuizError):
    """The grader itself could not produce a result (not a student's failure)."""
