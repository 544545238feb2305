"""Run every benchmark in turn (each writes its own section of benchmarks/RESULTS.md).

Usage: python -m benchmarks.run_all [NAME ...]   (names: see BENCHMARKS; default all)
Run on a quiet machine: the figures are wall-clock times on this machine's cores.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "grading_quality",
    "grading_speed",
    "tui_latency",
    "runner_overhead",
    "batch_throughput",
    "flake",
)


def main() -> int:
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = [name for name in names if subprocess.call([sys.executable, "-m", f"benchmarks.{name}"]) != 0]
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
