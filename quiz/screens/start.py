"""The first screen: what bank, how many questions, which mode, who is taking it, resume or start."""

from __future__ import annotations

import random
import re
import time
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from quiz.store import Attempt, Mode, Status
from quiz.widgets.grader_status import GraderStatus

if TYPE_CHECKING:
    from quiz.app import QuizApp

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")

MODE_NOTES = {
    Mode.PRACTICE: "Practice: feedback after every submit; revise and resubmit as often as you like.",
    Mode.EXAM: "Exam: no feedback until you finish; you can revise answers until then.",
}


def question_order(
    question_ids: list[str], *, shuffle: bool, seed: int | None
) -> tuple[list[str], int | None]:
    """The order questions are served in, and the seed that reproduces it (None when not shuffled)."""
    if not shuffle:
        return list(question_ids), None
    seed = seed if seed is not None else random.randrange(2**31)
    order = list(question_ids)
    random.Random(seed).shuffle(order)
    return order, seed


class StartScreen(Screen[None]):
    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        bank, options = self.quiz.bank, self.quiz.options
        facts = [
            f"{len(bank.questions)} questions",
            f"{bank.total_points:g} points",
            f"{options.mode.value} mode",
        ]
        if options.time_limit_s:
            facts.append(f"time limit {options.time_limit_s / 60:g} min")
        with Vertical(id="start-card"):
            yield Static(bank.title, id="start-title")
            yield Static(" · ".join(facts), id="start-facts")
            if bank.description:
                yield Static(bank.description, id="start-description")
            yield Static(MODE_NOTES[options.mode], id="start-mode")
            if options.student_id:
                yield Static(f"Student: {options.student_id}", id="student-fixed")
            else:
                student = Input(placeholder="your student id, then Enter", id="student")
                student.border_title = "Student id"
                yield student
            yield Static(id="resume-info")
            with Horizontal(id="start-buttons"):
                yield Button("Resume", id="resume", variant="primary")
                yield Button("Start", id="start", variant="default")
        yield GraderStatus(id="grader-status")
        yield Footer()

    def on_mount(self) -> None:
        self._check_resume(self.quiz.options.student_id or "")
        if not self.quiz.options.student_id:
            self.query_one("#student", Input).focus()

    def student_id(self) -> str:
        if self.quiz.options.student_id:
            return self.quiz.options.student_id
        return self.query_one("#student", Input).value.strip()

    @on(Input.Changed, "#student")
    def _student_changed(self, event: Input.Changed) -> None:
        self._check_resume(event.value.strip())

    def _check_resume(self, student_id: str) -> None:
        unfinished = self._unfinished(student_id)
        info = self.query_one("#resume-info", Static)
        resume, start = self.query_one("#resume", Button), self.query_one("#start", Button)
        resume.display = unfinished is not None
        start.label = "Start a new attempt" if unfinished else "Start"
        start.variant = "default" if unfinished else "primary"
        if self.quiz.options.student_id:
            (resume if unfinished else start).focus()
        if unfinished is None:
            info.update("")
            return
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(unfinished.started_at))
        answered = len(unfinished.order) - unfinished.count(Status.UNANSWERED)
        info.update(
            f"You have an unfinished {unfinished.mode.value} attempt from {started} "
            f"({answered} of {len(unfinished.order)} answered). Resume it?"
        )

    def _unfinished(self, student_id: str) -> Attempt | None:
        if not STUDENT_ID.match(student_id):
            return None
        attempt = self.quiz.store.unfinished_attempt(student_id, self.quiz.bank.id)
        known = {question.id for question in self.quiz.bank.questions}
        # a bank edited since (questions removed) cannot serve that attempt any more
        return attempt if attempt is not None and set(attempt.order) <= known else None

    @on(Input.Submitted, "#student")
    def _student_submitted(self) -> None:
        self._begin(resume=self.query_one("#resume", Button).display)

    @on(Button.Pressed, "#resume")
    def _resume_pressed(self) -> None:
        self._begin(resume=True)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self._begin(resume=False)

    def _begin(self, *, resume: bool) -> None:
        student_id = self.student_id()
        if not STUDENT_ID.match(student_id):
            self.notify("Enter a student id: letters, digits and _ . @ - only.", severity="error")
            return
        attempt = self._unfinished(student_id) if resume else None
        if attempt is None:
            attempt = self._new_attempt(student_id)
        from quiz.screens.question import QuestionScreen

        self.app.switch_screen(QuestionScreen(attempt))

    def _new_attempt(self, student_id: str) -> Attempt:
        bank, options = self.quiz.bank, self.quiz.options
        order, seed = question_order(
            [q.id for q in bank.questions], shuffle=options.shuffle, seed=options.seed
        )
        return self.quiz.store.create_attempt(
            student_id=student_id,
            bank_id=bank.id,
            bank_title=bank.title,
            mode=options.mode,
            order=order,
            seed=seed,
            time_limit_s=options.time_limit_s,
        )
