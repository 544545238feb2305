"""Throughput of ``quiz batch``: theory answers per second and practical submissions per minute, with
1 and 2 local worker processes and through a Dask LocalCluster (2 worker processes).

The class is the synthetic one of the tests (tests/classroom.py). Each run grades into a fresh
gradebook, so every figure includes starting the workers and loading the model in each of them
(what an instructor's run pays). The load average is recorded: the machine may be shared.

Usage: python -m benchmarks.batch_throughput [--students 30] [--skip-practicals] [--skip-dask]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.results import write_section
from graders.batch import run_batch
from graders.gradebook import Gradebook
from tests.classroom import STUDENTS, build_class


def _timed(root: Path, **options: object) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp, Gradebook.open(Path(tmp) / "b.sqlite") as book:
        start = time.perf_counter()
        outcome = run_batch(root, book, similarity=False, **options)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - start
    assert outcome.errors == 0, outcome
    return elapsed, outcome.graded


def _with_dask(run: Callable[[str], tuple[float, int]]) -> tuple[float, int]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        return run(cluster.scheduler_address)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=len(STUDENTS))
    parser.add_argument("--skip-practicals", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = ["| work | executor | graded | seconds | throughput |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        theory = build_class(Path(tmp) / "theory", students=STUDENTS[: args.students])
        practical = build_class(Path(tmp) / "practical", students=STUDENTS[: args.students])
        for path in theory.glob("*/*.py"):
            path.unlink()
        for path in [*practical.glob("*/*.json"), *practical.glob("*/*.csv")]:
            path.unlink()
        kinds = [("theory answers", theory, lambda n, s: f"{n / s:.1f} answers/s")]
        if not args.skip_practicals:
            kinds.append(
                ("practical submissions", practical, lambda n, s: f"{60 * n / s:.1f} submissions/min")
            )
        for label, root, rate in kinds:
            runs: list[tuple[str, Callable[[], tuple[float, int]]]] = [
                ("1 process", lambda root=root: _timed(root, workers=1)),
                ("2 processes", lambda root=root: _timed(root, workers=2)),
            ]
            if not args.skip_dask:
                runs.append(
                    (
                        "Dask LocalCluster, 2 workers",
                        lambda root=root: _with_dask(lambda address: _timed(root, scheduler=address)),
                    )
                )
            for executor, run in runs:
                seconds, graded = run()
                rows.append(f"| {label} | {executor} | {graded} | {seconds:.1f} | {rate(graded, seconds)} |")
                print(rows[-1], flush=True)
    load_after = os.getloadavg()[0]
    body = "\n".join(rows) + (
        f"\n\nClass: {args.students} students (tests/classroom.py). Each figure includes worker start-up"
        " and one model load per worker. Load average (1 min) before/after: "
        f"{load_before:.1f} / {load_after:.1f} on {os.cpu_count()} CPUs; other jobs shared the machine, so"
        " the 2-worker and Dask figures are lower bounds of what an idle machine gives."
    )
    write_section("Batch throughput (quiz batch)", "benchmarks.batch_throughput", body)


if __name__ == "__main__":
    main()
