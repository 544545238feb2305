"""Run every "learns" check (named ``test_learns_*``) N times on each reference solution with
different seeds and count failures. Usage: python -m benchmarks.flake [--runs 10] [PRACTICAL ...]"""

from __future__ import annotations

import argparse
import time

from benchmarks.results import write_section
from practicals import PRACTICALS, practical_dir
from tests.practicals.checkrun import run_checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("practicals", nargs="*", default=list(PRACTICALS))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = ["| practical | learns checks | runs | failures | seconds |", "|---|---|---|---|---|"]
    for practical in args.practicals:
        solution = practical_dir(practical) / "solution.py"
        failures, names, start = [], set(), time.perf_counter()
        for seed in range(1, args.runs + 1):
            try:
                outcomes = run_checks(practical, solution, seed=seed, select="learns")
            except AssertionError:  # no learns check in this practical
                break
            names.update(outcomes)
            failures += [f"seed {seed}: {name}: {o.message}" for name, o in outcomes.items() if not o.passed]
        if not names:
            continue
        elapsed = time.perf_counter() - start
        rows.append(f"| {practical} | {len(names)} | {args.runs} | {len(failures)} | {elapsed:.0f} |")
        for failure in failures:
            print(f"FAIL {practical} {failure}")
    write_section("Flakiness of the learns checks", "benchmarks.flake", "\n".join(rows))


if __name__ == "__main__":
    main()
