"""End to end in a real terminal: the real ``quiz take`` (default bank, real grader) inside tmux.

Type an answer, ctrl+s, see a score; type a draft on the next question; kill -9 the process;
relaunch: the draft and the submitted answer (with its grade) are still there.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.tmux import Tmux

pytestmark = [
    pytest.mark.tui,
    pytest.mark.models,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (apt-get install tmux)"),
]

ROOT = Path(__file__).resolve().parents[2]
ANSWER = "BERT is a pre-trained bidirectional Transformer encoder that is fine-tuned on tasks"
SIZE = (120, 32)  # wide enough that neither text wraps in the editor
DRAFT = "A draft about attention that was never submitted"


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    driver = Tmux(
        tmp_path, {"QUIZ_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1", "TERM": "xterm-256color"}
    )
    yield driver
    driver.kill_server()


def test_answer_survives_kill_9_and_resumes(tmux: Tmux) -> None:
    command = [sys.executable, "-m", "quiz", "take", "--student", "e2e"]
    tmux.start("first", command, cwd=ROOT, size=SIZE)
    tmux.wait_for("first", "Attention-based models and transfer learning")
    tmux.send("first", "Enter")
    tmux.wait_for("first", "Question 1 of 20")

    tmux.send("first", ANSWER, literal=True)
    tmux.send("first", "C-s")
    # the wait includes loading the embedding model
    screen = tmux.wait_for("first", "Score ", timeout=180, fail_on=("Could not grade", "Grader unavailable"))
    assert "points" in screen

    tmux.send("first", "C-n")
    tmux.wait_for("first", "Question 2 of 20")
    tmux.send("first", DRAFT, literal=True)
    tmux.wait_for("first", DRAFT)
    time.sleep(1.0)  # the draft is committed within half a second of the last keystroke
    os.kill(tmux.pane_pid("first"), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while tmux.alive("first") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not tmux.alive("first")

    tmux.start("second", command, cwd=ROOT, size=SIZE)
    screen = tmux.wait_for("second", "Resume it?")
    assert "2 of 20" in screen  # answered (the sentence may wrap)
    tmux.send("second", "Enter")  # Resume has the focus
    # wait for the texts themselves: the heading may repaint before the editor does
    screen = tmux.wait_for("second", DRAFT)
    assert "Question 2 of 20" in screen
    tmux.send("second", "C-p")
    screen = tmux.wait_for("second", ANSWER)
    assert "Question 1 of 20" in screen and "Submitted" in screen
    tmux.wait_for("second", "Score ", timeout=180, fail_on=("Could not grade", "Grader unavailable"))
    tmux.send("second", "C-q")
