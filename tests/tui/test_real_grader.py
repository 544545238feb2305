"""The app with the real ShortAnswerGrader and the default bank (loads the embedding model)."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Static

from graders.bank import load_bank
from quiz.app import QuizApp, QuizOptions
from quiz.commands.take import load_grader
from quiz.store import Store
from tests.tui.conftest import type_text

pytestmark = [pytest.mark.tui, pytest.mark.models, pytest.mark.anyio]


async def test_submit_is_graded_by_the_real_grader_without_blocking(tmp_path) -> None:
    bank = load_bank()
    store = Store.open(tmp_path)
    app = QuizApp(bank, store, load_grader, options=QuizOptions(student_id="s1"))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await type_text(
            pilot, "BERT is a pre-trained bidirectional Transformer encoder, fine-tuned on tasks."
        )
        await pilot.press("ctrl+s")
        body = app.screen.query_one("#feedback-body", Static)
        assert "Grading your answer" in str(body.render())  # the UI came back before the grade
        await pilot.press("ctrl+n", "ctrl+p")  # and keeps answering keys meanwhile
        deadline = time.monotonic() + 240
        while app.screen.attempt.answer("Q1").grade is None and app.grader_state != "failed":
            assert time.monotonic() < deadline, "no grade within 240 s"
            await pilot.pause(0.1)
        assert app.grader_state == "ready"
        await pilot.pause()
        grade = app.screen.attempt.answer("Q1").grade
        assert str(body.render()).startswith(f"Score {grade.score:.0%}")
        assert grade.score >= 0.5
    store.close()
