"""Grading speed: warm single ``grade`` latency, and ``grade_many`` against a bare ``model.encode``.

    python -m benchmarks.grading_speed [--data DIR] [--n 1000] [--single 200]

The 1,000 answers are theory_dev.csv's answers repeated (bank questions, so per-question encodings are
cached after the warm-up, as in real use). ``grade_many`` and a bare ``model.encode`` of the same
answers run alternately twice in one process; the best of each is compared. The machine's load
average is recorded with the figures because other processes share the CPU. The same measures are
then taken with each answer graded against its model answer's first sentence, as an ad-hoc item with a
short reference answer, which also runs the answer verifier.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.grading_quality import as_adhoc
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

    p50, p95 = _single(grader, rows, args.single)
    enc, grd = _against_encode(grader, rows, args.n)
    # Short reference answers (each theory_dev answer against its model answer's first sentence) also
    # run the answer verifier: one cross-encoder pass per answer.
    items, answers, _, _ = as_adhoc(
        bank, ([q for q, _ in rows], [a for _, a in rows], None, None), first_sentence=True
    )
    short = list(zip(items, answers, strict=True))
    grader.grade_many(short)  # warm-up, and the verifier's load
    s50, s95 = _single(grader, short, args.single)
    s_enc, s_grd = _against_encode(grader, short, args.n)
    load_after = os.getloadavg()
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
            f"| short reference answers (verifier included): warm `grade`, p50 / p95 | {s50:.1f} / "
            f"{s95:.1f} ms | |",
            f"| short reference answers: `grade_many` / encode of {args.n} answers (best of 2) | "
            f"{s_grd:.2f} s / {s_enc:.2f} s = {s_grd / s_enc:.2f}x | |",
        ]
    )
    write_section("Short-answer grading speed", "benchmarks.grading_speed", body)


def _single(grader: ShortAnswerGrader, rows: list, n: int) -> tuple[float, float]:
    """p50 and p95 in ms of ``n`` warm single ``grade`` calls."""
    latencies = []
    for i in range(n):
        question, answer = rows[i % len(rows)]
        t0 = time.perf_counter()
        grader.grade(question, answer)
        latencies.append((time.perf_counter() - t0) * 1000)
    p50, p95 = np.percentile(latencies, [50, 95])
    return float(p50), float(p95)


def _against_encode(grader: ShortAnswerGrader, rows: list, n: int) -> tuple[float, float]:
    """Best of two: a bare ``model.encode`` of ``n`` answers and ``grade_many`` of them, alternately."""
    pairs = [rows[i % len(rows)] for i in range(n)]
    answers = [answer for _, answer in pairs]
    encode_times, grade_times = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        grader.model.encode(answers, batch_size=64, show_progress_bar=False)
        encode_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        grader.grade_many(pairs)
        grade_times.append(time.perf_counter() - t0)
    return min(encode_times), min(grade_times)


if __name__ == "__main__":
    main()
