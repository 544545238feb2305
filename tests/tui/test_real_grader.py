"""The app with the real ShortAnswerGrader and the default bank (loads the embedding model)."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Static, TextArea

from graders.bank import load_bank
from quiz.app import Grader, QuizApp, QuizOptions
from quiz.commands.take import load_grader
from quiz.screens.question import QuestionScreen
from quiz.store import Store
from tests.tui.conftest import type_text, wait_until
from tests.tui.doubles import GatedGrader

pytestmark = [pytest.mark.tui, pytest.mark.models, pytest.mark.anyio]


async def test_submit_is_graded_by_the_real_grader_without_blocking(tmp_path) -> None:
    bank = load_bank()
    store = Store.open(tmp_path)
    # the real grader, loaded by the app in its worker; its grades wait for the gate, so the test
    # surely sees the UI answering keys while a grade is pending, however fast the grader is
    gate = threading.Event()

    def gated_real_grader() -> Grader:
        return GatedGrader(load_grader(), gate=gate)

    app = QuizApp(bank, store, gated_real_grader, options=QuizOptions(student_id="s1"))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        await type_text(
            pilot,
            "BERT is a pre-trained bidirectional Transformer encoder from Google, fine-tuned on downstream "
            "tasks.",
        )
        await pilot.press("ctrl+s")
        body = screen.query_one("#feedback-body", Static)
        await wait_until(pilot, lambda: "Grading your answer" in str(body.render()), "the grading state")
        await pilot.press("ctrl+n")  # the UI keeps answering keys while the grade is pending
        assert screen.attempt.current == 1
        await type_text(pilot, "meanwhile")
        assert screen.query_one("#answer", TextArea).text == "meanwhile"
        await pilot.press("ctrl+p")
        assert screen.attempt.current == 0
        assert screen.attempt.answer("Q1").grade is None
        assert "Grading your answer" in str(body.render())

        gate.set()
        await wait_until(
            pilot,
            lambda: screen.attempt.answer("Q1").grade is not None or app.grader_state == "failed",
            "a grade",
        )
        assert app.grader_state == "ready"
        await pilot.pause()
        grade = screen.attempt.answer("Q1").grade
        assert grade is not None and grade.score >= 0.5
        assert str(body.render()).startswith(f"Score {grade.score:.0%}")
    store.close()
