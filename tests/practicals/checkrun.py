"""Run a practical's reference checks with plain pytest in a subprocess, as an instructor would,
and read back each check's outcome from the JUnit XML."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from practicals import practical_dir


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str


def run_checks(
    practical: str, submission: Path, *, seed: int = 0, select: str | None = None, timeout: float = 600
) -> dict[str, Outcome]:
    """Outcome per check name; ``select`` is a pytest ``-k`` expression."""
    checks = practical_dir(practical) / "checks.py"
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(checks),
                f"--submission={submission}",
                f"--check-seed={seed}",
                "-p",
                "no:cacheprovider",
                "-q",
                f"--junitxml={junit}",
                "-o",
                "junit_family=xunit1",
                f"--rootdir={practical_dir(practical).parent.parent}",
                *(["-k", select] if select else []),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp,
        )
        if not junit.exists():
            raise AssertionError(f"pytest produced no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        outcomes: dict[str, Outcome] = {}
        for case in ET.parse(junit).getroot().iter("testcase"):
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            skipped = case.find("skipped")
            if skipped is not None:
                outcomes[case.get("name")] = Outcome(False, "skipped: " + (skipped.get("message") or ""))
            elif problem is None:
                outcomes[case.get("name")] = Outcome(True, "")
            else:
                outcomes[case.get("name")] = Outcome(False, problem.get("message") or problem.text or "")
        if not outcomes:
            raise AssertionError(f"no checks ran:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return outcomes


def failed(outcomes: dict[str, Outcome]) -> set[str]:
    """Names of the checks that did not pass."""
    return {name for name, outcome in outcomes.items() if not outcome.passed}


def messages(outcomes: dict[str, Outcome]) -> dict[str, str]:
    """Failure message per failed check (for assertion output)."""
    return {name: outcome.message for name, outcome in outcomes.items() if not outcome.passed}
