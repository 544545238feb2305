"""Grading speed: warm single ``grade`` latency, and ``grade_many`` against a bare ``model.encode``.

    python -m benchmarks.grading_speed [--data DIR] [--n 1000] [--single 200]

The 1,000 answers are theory_dev.csv's answers repeated (bank questions, so per-question encodings are
cached after the warm-up, as in real use). ``grade_many`` and a bare ``model.encode`` of the same
answers run alternately twice in one process; the best of each is compared. The machine's load
average is recorded with the figures because other processes share the CPU.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.results import write_section
from graders.bank import load_bank
from graders.short_answer import ShortAnswerGrader

ROOT = Path(__file__).resolve().parents[1]


def _load(avg: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.1f}" for x in avg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=1000, help="answers for grade_many vs encode")
    parser.add_argument("--single", type=int, default=200, help="timed single grade calls")
    args = parser.parse_args()

    bank = load_bank()
    with open(args.data / "theory_dev.csv", encoding="utf-8", newline="") as fh:
        rows = [(bank.question(r["question_id"]), r["answer"]) for r in csv.DictReader(fh)]
    load_before = os.getloadavg()
    start = time.perf_counter()
    grader = ShortAnswerGrader.load()
    load_time = time.perf_counter() - start
    grader.grade_many(rows)  # warm-up: per-question encodings, lazy init of torch and spaCy

    latencies = []
    for i in range(args.single):
        question, answer = rows[i % len(rows)]
        t0 = time.perf_counter()
        grader.grade(question, answer)
        latencies.append((time.perf_counter() - t0) * 1000)
    p50, p95 = np.percentile(latencies, [50, 95])

    pairs = [rows[i % len(rows)] for i in range(args.n)]
    answers = [answer for _, answer in pairs]
    encode_times, grade_times = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        grader.model.encode(answers, batch_size=64, show_progress_bar=False)
        encode_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        grader.grade_many(pairs)
        grade_times.append(time.perf_counter() - t0)
    load_after = os.getloadavg()
    enc, grd = min(encode_times), min(grade_times)
    body = "\n".join(
        [
            f"Load average (1/5/15 min) before: {_load(load_before)}, after: {_load(load_after)}. "
            f"Grader load (model + spaCy): {load_time:.1f} s.",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| warm `grade`, p50 / p95 of {args.single} calls | {p50:.1f} / {p95:.1f} ms | p95 <= 50 ms |",
            f"| bare `model.encode` of {args.n} answers (best of 2) | {enc:.2f} s | |",
            f"| `grade_many` of the same {args.n} answers (best of 2) | {grd:.2f} s | |",
            f"| ratio grade_many / encode | {grd / enc:.2f}x | <= 2x |",
        ]
    )
    write_section("Short-answer grading speed", "benchmarks.grading_speed", body)


if __name__ == "__main__":
    main()
