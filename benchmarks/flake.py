"""Run every "learns" check (named ``test_learns_*``) N times on each reference solution with
different seeds and count failures. Usage: python -m benchmarks.flake [--runs 10] [PRACTICAL ...]"""

from __future__ import annotations

import argparse
import time

from benchmarks.results import RESULTS, write_section
from practicals import PRACTICALS, practical_dir
from tests.practicals.checkrun import run_checks

SECTION = "Flakiness of the learns checks"
HEAD = "| practical | learns checks | runs | failures | seconds |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("practicals", nargs="*", default=list(PRACTICALS))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = _previous_rows(exclude=args.practicals)
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
        rows[practical] = f"| {practical} | {len(names)} | {args.runs} | {len(failures)} | {elapsed:.0f} |"
        for failure in failures:
            print(f"FAIL {practical} {failure}")
    table = [HEAD, "|---|---|---|---|---|", *(rows[p] for p in PRACTICALS if p in rows)]
    write_section(SECTION, "benchmarks.flake", "\n".join(table))


def _previous_rows(*, exclude: list[str]) -> dict[str, str]:
    """Rows of practicals not rerun now, kept from the last run so one run never erases another's."""
    if not RESULTS.exists():
        return {}
    text = RESULTS.read_text(encoding="utf-8")
    start = text.find(f"<!-- begin {SECTION} -->")
    section = text[start : text.find(f"<!-- end {SECTION} -->")] if start >= 0 else ""
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("|") and cells[0] in PRACTICALS and cells[0] not in exclude:
            rows[cells[0]] = line
    return rows


if __name__ == "__main__":
    main()
