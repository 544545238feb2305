"""Quiz TUI responsiveness: time to the first screen, and ctrl+s -> feedback with a warm grader.

* First screen: the real ``quiz take`` is launched in a tmux pane and the pane is polled until the
  start screen's bank title shows (process start, imports, bank load and first paint included).
* ctrl+s -> feedback: the app runs headless (Textual Pilot) with the real ShortAnswerGrader on the
  default bank; after a warm-up pass over the same answers (per-question caches built), each answer
  is submitted with ctrl+s and the time until the feedback panel holds its score is recorded (it is
  painted on the next frame), then the same grades are timed without the UI.

Run: ``python -m benchmarks.tui_latency [--launches 5] [--answers 20]`` (needs tmux for the first part).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import write_section

ROOT = Path(__file__).resolve().parent.parent


def first_screen_seconds(launches: int) -> list[float]:
    from graders.bank import load_bank
    from tests.tui.tmux import Tmux

    title = load_bank().title
    times = []
    for run in range(launches):
        with tempfile.TemporaryDirectory() as tmp:
            tmux = Tmux(Path(tmp), {"QUIZ_DATA_DIR": str(Path(tmp) / "data"), "HF_HUB_OFFLINE": "1"})
            try:
                started = time.perf_counter()
                tmux.start(f"launch{run}", [sys.executable, "-m", "quiz", "take"], cwd=ROOT)
                tmux.wait_for(f"launch{run}", title, timeout=30)
                times.append(time.perf_counter() - started)
            finally:
                tmux.kill_server()
    return times


async def feedback_seconds(answers: int) -> tuple[float, list[float], list[float]]:
    from textual.widgets import Static

    from graders.bank import load_bank
    from quiz.app import QuizApp, QuizOptions
    from quiz.commands.take import load_grader
    from quiz.store import Store
    from quiz.widgets.feedback import FeedbackPanel

    bank = load_bank()
    started = time.perf_counter()
    grader = load_grader()
    load_s = time.perf_counter() - started
    texts = [(question, question.rubric[0].text) for question in bank.questions]  # plausible partial answers
    texts = [texts[i % len(texts)] for i in range(answers)]
    for question, text in texts:  # warm: per-question encodings cached, as after a student's first submit
        grader.grade(question, text)
    latencies = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(tmp)
        app = QuizApp(bank, store, lambda: grader, options=QuizOptions(student_id="bench"))
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            for _, text in texts:
                editor = app.screen.query_one("#answer")
                editor.load_text(text)
                panel = app.screen.query_one(FeedbackPanel)  # hidden until this question is submitted
                body = panel.query_one("#feedback-body", Static)
                sent = time.perf_counter()
                # pilot.press returns only once the app is idle again (well after the feedback is
                # set), so the key is pressed in a task and the panel polled on the event loop
                press = asyncio.create_task(pilot.press("ctrl+s"))
                while not (panel.display and str(body.render()).startswith("Score")):
                    await asyncio.sleep(0.001)
                latencies.append(time.perf_counter() - sent)
                await press
                await pilot.press("ctrl+n")
        store.close()
    bare = []
    for question, text in texts:  # the same grades without the UI, for the UI's share of the latency
        sent = time.perf_counter()
        grader.grade(question, text)
        bare.append(time.perf_counter() - sent)
    return load_s, bare, latencies


def describe(values: list[float], unit: str = "ms", scale: float = 1000.0) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(values) * scale:.0f} {unit}, p95 {p95 * scale:.0f} {unit}, "
        f"min {ordered[0] * scale:.0f} {unit}, max {ordered[-1] * scale:.0f} {unit} (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--answers", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    load_before = os.getloadavg()[0]
    lines = ["| measure | result |", "|---|---|"]
    if shutil.which("tmux"):
        launch = first_screen_seconds(args.launches)
        lines.append(
            f"| time to first screen (`quiz take` in tmux, launch to bank title) | {describe(launch)} |"
        )
    else:
        lines.append("| time to first screen | not measured: tmux missing |")
    load_s, bare, latencies = asyncio.run(feedback_seconds(args.answers))
    lines.append(f"| grader load (embedding model + spaCy, in a worker in the app) | {load_s:.1f} s |")
    lines.append(f"| ctrl+s -> feedback shown, warm grader (headless Pilot) | {describe(latencies)} |")
    lines.append(f"| the same grades called directly, without the UI | {describe(bare)} |")
    load_after = os.getloadavg()[0]
    lines.append("")
    lines.append(
        f"1-minute load average {load_before:.1f} before and {load_after:.1f} after the run "
        f"(on {os.cpu_count()} CPUs; other jobs running make every figure slower)."
    )
    write_section("TUI latency", "benchmarks.tui_latency", "\n".join(lines))


if __name__ == "__main__":
    main()
