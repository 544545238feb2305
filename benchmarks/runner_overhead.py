"""Overhead of the sandboxed grading runner against plain pytest, on the reference solutions.

Both sides run end to end in a fresh interpreter, as a user would: ``pytest practicals/<id>/checks.py
--submission solution.py`` (all checks in one process) against ``quiz grade solution.py
--practical <id>`` (judges in the parent, probes in the sandboxed worker). Usage:
python -m benchmarks.runner_overhead [--runs 2] [PRACTICAL ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import write_section
from graders.runner import available_practicals
from graders.sandbox import features_in_use
from practicals import practical_dir
from tests.practicals.checkrun import run_checks

PROJECT = Path(__file__).resolve().parent.parent


def _pytest_seconds(practical: str) -> tuple[float, int]:
    start = time.perf_counter()
    outcomes = run_checks(practical, practical_dir(practical) / "solution.py")
    return time.perf_counter() - start, sum(o.passed for o in outcomes.values())


def _runner_seconds(practical: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "quiz",
                "grade",
                str(practical_dir(practical) / "solution.py"),
                "--practical",
                practical,
                "--json",
                str(out),
            ],
            check=True,
            capture_output=True,
            cwd=PROJECT,
            timeout=1200,
        )
        elapsed = time.perf_counter() - start
        checks = json.loads(out.read_text())["checks"]
    return elapsed, sum(c["status"] == "passed" for c in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("practicals", nargs="*", default=available_practicals())
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    rows = [
        "| practical | checks passed (pytest / runner) | pytest s (median) | runner s (median) | ratio |",
        "|---|---|---|---|---|",
    ]
    load_before = os.getloadavg()[0]
    total_pytest = total_runner = 0.0
    for practical in args.practicals:
        plain, graded = [], []
        for _ in range(args.runs):  # interleaved, so load from other work hits both sides alike
            seconds, plain_passed = _pytest_seconds(practical)
            plain.append(seconds)
            seconds, runner_passed = _runner_seconds(practical)
            graded.append(seconds)
        if plain_passed != runner_passed:
            raise SystemExit(f"{practical}: pytest passed {plain_passed} checks, the runner {runner_passed}")
        p, r = statistics.median(plain), statistics.median(graded)
        total_pytest, total_runner = total_pytest + p, total_runner + r
        rows.append(f"| {practical} | {plain_passed} / {runner_passed} | {p:.1f} | {r:.1f} | {r / p:.2f}x |")
    rows.append(
        f"| **total** | | {total_pytest:.1f} | {total_runner:.1f} | {total_runner / total_pytest:.2f}x |"
    )
    body = "\n".join(rows) + (
        f"\n\nTarget: runner <= 1.3x plain pytest. Load average (1 min) before/after: "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f}. Isolation in use: {', '.join(features_in_use())}. "
        "Design: one sandboxed worker per submission runs its probes sequentially (see graders/sandbox.py)."
    )
    write_section("Grading runner overhead", "benchmarks.runner_overhead", body)


if __name__ == "__main__":
    main()
