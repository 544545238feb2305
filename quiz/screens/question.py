"""The question screen: prompt, answer editor, question list, feedback (practice) or countdown (exam)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static, TextArea

from graders.bank_schema import Question
from graders.grade import Grade
from quiz.store import Attempt, Mode, Status
from quiz.widgets.countdown import Countdown
from quiz.widgets.feedback import FeedbackPanel
from quiz.widgets.grader_status import GraderStatus
from quiz.widgets.key_bar import KeyBar
from quiz.widgets.sidebar import QuestionList
from quiz.widgets.top_bar import TopBarTitle

if TYPE_CHECKING:
    from quiz.app import QuizApp

# A draft is written at most this long after the keystroke that changed it (a throttle, not a
# debounce: steady typing must not postpone the save indefinitely).
SAVE_DELAY_S = 0.5


class QuestionScreen(Screen[None]):
    # the editor, not the first focusable widget (the question list): while the list has the focus,
    # its highlight messages count as navigation (see _sidebar_moved)
    AUTO_FOCUS = "#answer"
    # the footer's keys need 75 columns in one row: below 80 the screen is narrow (quiz.tcss)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]
    BINDINGS = [
        # priority: these must work while the answer editor has focus
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("ctrl+p", "previous", "Prev", priority=True),
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("f2", "model_answer", "Model answer", priority=True),
        Binding("ctrl+f", "finish", "Finish", priority=True),
    ]

    def __init__(self, attempt: Attempt) -> None:
        super().__init__()
        self.attempt = attempt
        self._save_timer: Timer | None = None
        self._finishing = False

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    @property
    def question(self) -> Question:
        return self.quiz.bank.question(self.attempt.order[self.attempt.current])

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield TopBarTitle(self.attempt.bank_title, self.attempt.student_id, id="topbar-title")
            if self.attempt.deadline is not None:
                yield Countdown(self.attempt.deadline, self.quiz.clock, id="countdown")
            yield GraderStatus(id="grader-status")
        with Horizontal(id="body"):
            sidebar = QuestionList(self.attempt, id="sidebar")
            sidebar.border_title = "Questions"
            yield sidebar
            with Vertical(id="main"):
                yield Static(id="question-heading")
                with VerticalScroll(id="prompt-box"):
                    yield Static(id="prompt")
                yield TextArea(id="answer", soft_wrap=True, placeholder="Type your answer here…")
                yield Static(id="answer-status")
                yield FeedbackPanel(id="feedback")
        yield KeyBar()

    def on_mount(self) -> None:
        self.attempt.current = min(self.attempt.current, len(self.attempt.order) - 1)
        self.query_one(QuestionList).refresh_from()
        self.show_question()
        if self.attempt.mode is Mode.PRACTICE:
            # submitted before a crash or quit but never graded: grade them now
            for qid in self.attempt.order:
                answer = self.attempt.answer(qid)
                if answer.submitted is not None and answer.grade is None:
                    self.grade(self.quiz.bank.question(qid), answer.submitted)

    def on_resize(self) -> None:
        self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        """A narrow screen hides the question list: if it had the focus, the editor takes it (unless the
        screen is gone or under a dialog: back on top it focuses the editor itself, AUTO_FOCUS)."""
        if self.is_active and self.focused is None:
            self.query_one("#answer", TextArea).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "model_answer":
            return self.attempt.mode is Mode.PRACTICE
        return True

    # --- showing a question -------------------------------------------------------------------

    def show_question(self, *, focus_editor: bool = True) -> None:
        question, index = self.question, self.attempt.current
        answer = self.attempt.answer(question.id)
        count = len(self.attempt.order)
        points = f"{question.points:g} point{'' if question.points == 1 else 's'}"
        heading = [f"Question {index + 1} of {count}", question.id, points]
        if question.topics:
            heading.append(", ".join(question.topics))
        self.query_one("#question-heading", Static).update(" · ".join(heading))
        self.query_one("#prompt", Static).update(question.prompt)
        self.query_one("#prompt-box").scroll_home(animate=False)
        editor = self.query_one("#answer", TextArea)
        with editor.prevent(TextArea.Changed):
            editor.load_text(answer.draft)
        editor.move_cursor(editor.document.end)
        if focus_editor:
            editor.focus()
        sidebar = self.query_one(QuestionList)
        # following the quiz is not the student moving the highlight: that would navigate again
        with sidebar.prevent(OptionList.OptionHighlighted):
            sidebar.highlighted = index
        self._show_answer_status()
        self.query_one(FeedbackPanel).show_model_answer(None)
        self._show_feedback()

    def _show_answer_status(self, *, unsaved: bool = False) -> None:
        answer = self.attempt.answer(self.question.id)
        if unsaved:
            text = "Editing…"
        elif answer.revised:
            text = "Draft saved · edited since your last submit (ctrl+s to resubmit)"
        elif answer.status is Status.SUBMITTED:
            text = "Submitted" + (
                " · you can revise it until you finish" if self.attempt.mode is Mode.EXAM else ""
            )
        elif answer.status is Status.DRAFT:
            text = "Draft saved · ctrl+s to submit"
        else:
            text = "Not answered yet"
        self.query_one("#answer-status", Static).update(text)

    def _show_feedback(self) -> None:
        panel = self.query_one(FeedbackPanel)
        answer = self.attempt.answer(self.question.id)
        if self.attempt.mode is Mode.EXAM or answer.submitted is None:
            panel.clear()
        elif answer.grade is not None:
            panel.show_grade(self.question, answer.grade, revised=answer.revised)
        else:
            panel.show_grading(waiting_for_model=self.quiz.grader_state == "loading")

    # --- saving drafts ------------------------------------------------------------------------

    @on(TextArea.Changed, "#answer")
    def _answer_changed(self) -> None:
        if self._save_timer is None:
            self._save_timer = self.set_timer(SAVE_DELAY_S, self.save_state)
            self._show_answer_status(unsaved=True)

    def _cancel_pending_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None

    def save_state(self) -> None:
        """Write the editor's text as the current question's draft (now, not later)."""
        self._cancel_pending_save()
        question_id = self.question.id
        text = self.query_one("#answer", TextArea).text
        if text != self.attempt.answer(question_id).draft:
            self.quiz.store.save_draft(self.attempt, question_id, text)
            self.query_one(QuestionList).refresh_from(question_id)
            self._show_feedback()  # it may now say that the answer was edited since it was graded
        self._show_answer_status()

    # --- navigation ---------------------------------------------------------------------------

    def go_to(self, index: int, *, focus_editor: bool = True) -> None:
        if not 0 <= index < len(self.attempt.order) or index == self.attempt.current:
            return
        self.save_state()
        self.quiz.store.set_current(self.attempt, index)
        self.show_question(focus_editor=focus_editor)

    def after_typing(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the editor has handled the keys already queued for it.

        Priority bindings run as soon as the app reads their key, possibly before the editor has
        inserted the characters typed just before (fast typists, pastes, tmux send-keys): without
        this, ctrl+s could submit a stale text and ctrl+n carry the last keys to the next question.
        """
        self.query_one("#answer", TextArea).call_later(callback)

    def action_next(self) -> None:
        self.after_typing(lambda: self.go_to(self.attempt.current + 1))

    def action_previous(self) -> None:
        self.after_typing(lambda: self.go_to(self.attempt.current - 1))

    @on(OptionList.OptionHighlighted, "#sidebar")
    def _sidebar_moved(self, event: OptionList.OptionHighlighted) -> None:
        # only a student browsing the list with the arrow keys moves the quiz (the focus stays in the
        # list); highlights the list makes itself, e.g. when mounted, are not navigation. A message
        # can arrive after the highlight moved on (the list highlights its first option when built,
        # queued behind a resume to question 2): acting on it would move the quiz back.
        if event.option_list.has_focus and event.option_index == event.option_list.highlighted:
            self.go_to(event.option_index, focus_editor=False)

    @on(OptionList.OptionSelected, "#sidebar")
    def _sidebar_selected(self, event: OptionList.OptionSelected) -> None:
        self.go_to(event.option_index)
        self.query_one("#answer", TextArea).focus()

    # --- submitting and grading ---------------------------------------------------------------

    def action_submit(self) -> None:
        self.after_typing(self.submit)

    def submit(self) -> None:
        question = self.question
        text = self.query_one("#answer", TextArea).text
        if not text.strip():
            self.notify("Write an answer before submitting.", severity="warning")
            return
        self._cancel_pending_save()  # the submit below saves the text as the draft too
        self.quiz.store.submit(self.attempt, question.id, text)
        self.query_one(QuestionList).refresh_from(question.id)
        self._show_answer_status()
        if self.attempt.mode is Mode.EXAM:
            self.notify(f"{question.id} submitted. Feedback comes when you finish.")
            return
        self._show_feedback()
        self.grade(question, text)

    @work(thread=True, group="grading", exit_on_error=False)
    def grade(self, question: Question, text: str) -> None:
        try:
            grade = self.quiz.grader.grade(question, text)
        except Exception as exc:  # the answer stays submitted; the student can resubmit to retry
            self.app.call_from_thread(self._grading_failed, question.id, text, exc)
        else:
            self.app.call_from_thread(self._graded, question.id, text, grade)

    def _graded(self, question_id: str, text: str, grade: Grade) -> None:
        if not self.quiz.store.save_grade(self.attempt, question_id, text, grade):
            return  # resubmitted meanwhile: the newer submission's grade will arrive
        if self.is_mounted:
            self.query_one(QuestionList).refresh_from(question_id)
            if question_id == self.question.id:
                self._show_feedback()

    def _grading_failed(self, question_id: str, text: str, exc: Exception) -> None:
        message = f"Could not grade {question_id}: {exc}. Your answer is saved; press ctrl+s to try again."
        if (
            self.is_mounted
            and question_id == self.question.id
            and self.attempt.answer(question_id).submitted == text
        ):
            self.query_one(FeedbackPanel).show_error(message)
        else:
            self.notify(message, severity="error")

    def action_model_answer(self) -> None:
        answer = self.attempt.answer(self.question.id)
        if answer.submitted is None:
            self.notify("Submit an answer first; then F2 shows the model answer.", severity="warning")
            return
        panel = self.query_one(FeedbackPanel)
        panel.show_model_answer(None if panel.model_answer_shown else self.question)

    # --- finishing ----------------------------------------------------------------------------

    def action_finish(self) -> None:
        self.after_typing(self.confirm_finish)

    def confirm_finish(self) -> None:
        from quiz.screens.dialogs import ConfirmFinishScreen

        self.save_state()
        answers = [self.attempt.answer(qid) for qid in self.attempt.order]
        unanswered = [a.question_id for a in answers if a.status is Status.UNANSWERED]
        unsubmitted = [a.question_id for a in answers if a.pending]
        dialog = ConfirmFinishScreen(unanswered=unanswered, unsubmitted=unsubmitted, mode=self.attempt.mode)
        self.app.push_screen(dialog, self._finish_confirmed)

    def _finish_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.finish()

    @on(Countdown.Expired)
    def _time_up(self) -> None:
        self.notify("Time is up: your answers have been submitted.", severity="warning", timeout=8)
        self.finish()

    def finish(self) -> None:
        """Submit every draft that differs from its submitted text, close the attempt, show results."""
        if self._finishing:
            return
        self._finishing = True
        self.save_state()
        for qid in self.attempt.order:
            answer = self.attempt.answer(qid)
            if answer.pending:
                self.quiz.store.submit(self.attempt, qid, answer.draft)
        self.quiz.store.finish(self.attempt)
        from quiz.screens.results import ResultsScreen

        # a dialog (help, confirm) may sit on top when the time runs out
        while self.app.screen is not self:
            self.app.pop_screen()
        self.app.switch_screen(ResultsScreen(self.attempt))
