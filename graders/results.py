"""Grading results of a practical submission and their file formats (JSON, Gradescope, JUnit XML), and the
one CSV writer of every CSV an instructor opens in a spreadsheet (``write_csv``).

Every writer replaces its file atomically (temporary file in the same folder, fsync, rename), so a
runner killed half-way leaves either the previous file or none, never a truncated one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from graders.errors import InputError

Status = Literal["passed", "failed", "error", "timeout", "crashed", "not_submitted", "not_run"]
Visibility = Literal["visible", "hidden"]

# Gradescope shows "after_published" tests to students once grades are published.
_GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "after_published"}
# What starts a formula in a spreadsheet cell (OWASP's "CSV injection"); a number such as -0.5 does not.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d[\d.,]*")


@dataclass(frozen=True)
class CheckResult:
    practical: str
    name: str
    description: str
    points: float
    max_points: float
    status: Status
    message: str
    visibility: Visibility
    duration: float
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class Metadata:
    runner_version: str
    bundle_hash: str
    seed: int
    started: str
    duration: float
    isolation: tuple[str, ...]
    practicals: tuple[str, ...]
    visibility: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    submission: str
    checks: tuple[CheckResult, ...]
    metadata: Metadata

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_points for c in self.checks), 4)

    def by_practical(self) -> dict[str, list[CheckResult]]:
        grouped: dict[str, list[CheckResult]] = {}
        for result in self.checks:
            grouped.setdefault(result.practical, []).append(result)
        return grouped

    def to_dict(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "practicals": {
                practical: {
                    "score": round(sum(c.points for c in results), 4),
                    "max_score": round(sum(c.max_points for c in results), 4),
                }
                for practical, results in self.by_practical().items()
            },
            "checks": [asdict(c) for c in self.checks],
            "metadata": asdict(self.metadata),
        }


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (verbatim: CSV keeps its own line ends) to ``path`` so that readers see the old file or
    the complete new one. The file gets the permissions of the file it replaces, or those the umask gives a
    new file (a temporary file is private), so that what is written for TAs and students stays readable
    by them. A path that cannot be written is an ``InputError``, not a traceback."""
    path = Path(path)
    temporary = None
    try:
        mode = _mode_for(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    finally:
        if temporary is not None and Path(temporary).exists():
            Path(temporary).unlink()


def _needs_quote(text: str) -> bool:
    """A cell that a spreadsheet would run as a formula, or one that starts with quotes before such a text
    (which ``from_spreadsheet`` would otherwise take for an added quote)."""
    rest = text.lstrip("'")
    return rest.startswith(_FORMULA_START) and not _NUMBER.fullmatch(rest)


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows as text and never runs: with a single quote in front
    when it would start a formula (a student's "=HYPERLINK(...)"). ``from_spreadsheet`` undoes it."""
    return "'" + text if _needs_quote(text) else text


def from_spreadsheet(text: str) -> str:
    """The text of a cell ``spreadsheet_safe`` wrote (a spreadsheet's re-save keeps the quote or drops it:
    either reads back as the original)."""
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text


def write_csv(path: Path, rows: Iterable[Sequence[str]], *, delimiter: str = ",", bom: bool = False) -> None:
    """Write ``rows`` (the header first) with ``atomic_write_text``, every cell ``spreadsheet_safe``; ``bom``
    starts the file with UTF-8's byte-order mark, by which Excel reads it as UTF-8 whatever its code page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    atomic_write_text(path, ("\ufeff" if bom else "") + buffer.getvalue())


def check_writable(path: Path) -> None:
    """Raise ``InputError`` now, before any long work, if ``path`` could not be written later."""
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "it is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path.parent).close()
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(13, "permission denied")
    except OSError as exc:
        raise _unwritable(path, exc) from None


def _unwritable(path: Path, exc: OSError) -> InputError:
    return InputError(
        f"cannot write {path}: {exc.strerror or exc}", hint="choose a path you can write to"
    )


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # the only way to read it is to set it
        os.umask(umask)
        return 0o666 & ~umask


def write_json(report: Report, path: Path) -> None:
    atomic_write_text(path, json.dumps(report.to_dict(), indent=2) + "\n")


def gradescope_results(report: Report) -> dict[str, Any]:
    """The Gradescope autograder ``results.json`` structure."""
    tests = []
    for c in report.checks:
        output = c.message if not c.passed else "passed"
        if c.output and c.visibility == "visible":
            output += f"\n\nOutput of your code:\n{c.output}"
        tests.append(
            {
                "name": f"{c.practical}: {c.description}",
                "name_format": "text",
                "number": f"{c.practical}::{c.name}",
                "score": c.points,
                "max_score": c.max_points,
                "status": "passed" if c.passed else "failed",
                "output": output,
                "output_format": "text",
                "visibility": _GRADESCOPE_VISIBILITY[c.visibility],
            }
        )
    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.metadata.duration, 3),
        "output": f"Graded {len(report.checks)} checks (runner {report.metadata.runner_version}).",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def is_gradescope_results(data: Any) -> bool:
    """Whether JSON ``data`` is a Gradescope ``results.json`` (as ``gradescope_results`` makes one): an
    object with a score and a list of tests."""
    return isinstance(data, dict) and "score" in data and isinstance(data.get("tests"), list)


def write_gradescope(report: Report, path: Path) -> None:
    atomic_write_text(path, json.dumps(gradescope_results(report), indent=2) + "\n")


def junit_xml(report: Report) -> str:
    suites = ET.Element("testsuites", name="practicals", tests=str(len(report.checks)))
    for practical, results in report.by_practical().items():
        failures = sum(
            r.status in ("failed", "timeout", "crashed", "not_submitted", "not_run") for r in results
        )
        errors = sum(r.status == "error" for r in results)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=practical,
            tests=str(len(results)),
            failures=str(failures),
            errors=str(errors),
            time=f"{sum(r.duration for r in results):.3f}",
        )
        for r in results:
            case = ET.SubElement(
                suite, "testcase", classname=f"practicals.{practical}", name=r.name, time=f"{r.duration:.3f}"
            )
            ET.SubElement(case, "properties").extend(
                [
                    ET.Element("property", name="points", value=f"{r.points:g}"),
                    ET.Element("property", name="max_points", value=f"{r.max_points:g}"),
                    ET.Element("property", name="visibility", value=r.visibility),
                ]
            )
            if r.status == "error":
                ET.SubElement(case, "error", message=_xml_safe(r.message), type=r.status)
            elif not r.passed:
                ET.SubElement(case, "failure", message=_xml_safe(r.message), type=r.status)
            if r.output:
                ET.SubElement(case, "system-out").text = _xml_safe(r.output)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write_junit(report: Report, path: Path) -> None:
    atomic_write_text(path, junit_xml(report))


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (students print control characters)."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r"
        or (" " <= ch <= "\ud7ff")
        or ("\ue000" <= ch <= "\ufffd")
        or ("\U00010000" <= ch <= "\U0010ffff")
    )
