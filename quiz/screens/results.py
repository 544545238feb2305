"""The results of a finished attempt: total, per question, per topic, and what an instructor must review.

Answers still ungraded (exam mode, or a practice answer submitted when finishing) are graded here in
a worker; the tables fill in as grades arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from graders.bank_schema import Bank, Question
from graders.grade import Grade
from quiz.store import Attempt
from quiz.widgets.grader_status import GraderStatus
from quiz.widgets.top_bar import TopBarTitle

if TYPE_CHECKING:
    from quiz.app import QuizApp


@dataclass(frozen=True)
class TopicScore:
    topic: str
    questions: int
    points: float
    max_points: float


@dataclass(frozen=True)
class Summary:
    points: float
    max_points: float
    graded: int
    pending: int
    topics: list[TopicScore]
    needs_review: list[str]


def summarize(attempt: Attempt, bank: Bank) -> Summary:
    """Scores so far; unanswered questions count 0, answers not graded yet count as ``pending``."""
    points = max_points = 0.0
    graded = pending = 0
    topics: dict[str, list[float]] = {}
    review: list[str] = []
    for qid in attempt.order:
        question, answer = bank.question(qid), attempt.answer(qid)
        earned = answer.grade.points if answer.grade else 0.0
        graded += answer.grade is not None
        pending += answer.grade is None and answer.submitted is not None
        points += earned
        max_points += question.points
        for topic in question.topics or ["(no topic)"]:
            totals = topics.setdefault(topic, [0, 0.0, 0.0])
            totals[0] += 1
            totals[1] += earned
            totals[2] += question.points
        if answer.grade is not None and answer.grade.needs_review:
            review.append(qid)
    return Summary(
        points=points,
        max_points=max_points,
        graded=graded,
        pending=pending,
        topics=[TopicScore(name, int(n), got, of) for name, (n, got, of) in sorted(topics.items())],
        needs_review=review,
    )


class ResultsScreen(Screen[None]):
    BINDINGS = [Binding("q", "app.quit", "Quit", show=False)]

    def __init__(self, attempt: Attempt) -> None:
        super().__init__()
        self.attempt = attempt

    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield TopBarTitle("Results", self.attempt.bank_title, self.attempt.student_id, id="topbar-title")
            yield GraderStatus(id="grader-status")
        with VerticalScroll(id="results"):
            yield Static(id="total")
            yield ProgressBar(id="grading-progress", show_eta=False)
            yield Static("Per question", classes="section")
            yield DataTable(id="per-question", cursor_type="row", zebra_stripes=True)
            yield Static("Per topic", classes="section")
            yield DataTable(id="per-topic", cursor_type="row", zebra_stripes=True)
            yield Static(id="flagged")
            export = f"quiz export --attempt {self.attempt.id} --out FILE.csv"
            yield Static(f"An instructor can regrade this attempt: {export}", id="export-hint")
        yield Footer()

    def on_mount(self) -> None:
        per_question = self.query_one("#per-question", DataTable)
        per_question.add_columns("#", "Question", "Score", "Points", "Verdict", "Review")
        self.query_one("#per-topic", DataTable).add_columns("Topic", "Questions", "Points", "Score")
        todo = [qid for qid in self.attempt.order if self._needs_grading(qid)]
        self.query_one(ProgressBar).update(total=len(todo), progress=0)
        self.refresh_results()
        if todo:
            self.grade_all(todo)

    def _needs_grading(self, question_id: str) -> bool:
        answer = self.attempt.answer(question_id)
        return answer.submitted is not None and answer.grade is None

    def refresh_results(self) -> None:
        summary = summarize(self.attempt, self.quiz.bank)
        share = summary.points / summary.max_points if summary.max_points else 0.0
        total = f"Total  {summary.points:g} / {summary.max_points:g} points  ({share:.0%})"
        if summary.pending:
            total += f"  · grading {summary.pending} more answer{'s' if summary.pending > 1 else ''}…"
        self.query_one("#total", Static).update(total)
        self.query_one(ProgressBar).display = summary.pending > 0

        per_question = self.query_one("#per-question", DataTable)
        per_question.clear()
        for index, qid in enumerate(self.attempt.order, start=1):
            question, answer = self.quiz.bank.question(qid), self.attempt.answer(qid)
            per_question.add_row(
                str(index), qid, *self._grade_cells(question, answer.grade, answer.submitted)
            )
        per_topic = self.query_one("#per-topic", DataTable)
        per_topic.clear()
        for topic in summary.topics:
            share = topic.points / topic.max_points if topic.max_points else 0.0
            per_topic.add_row(
                topic.topic, str(topic.questions), f"{topic.points:g}/{topic.max_points:g}", f"{share:.0%}"
            )
        flagged = ", ".join(summary.needs_review) or "none"
        self.query_one("#flagged", Static).update(f"Flagged for instructor review: {flagged}")

    @staticmethod
    def _grade_cells(question: Question, grade: Grade | None, submitted: str | None) -> tuple[str, ...]:
        if grade is not None:
            review = "yes" if grade.needs_review else ""
            return f"{grade.score:.0%}", f"{grade.points:g}/{grade.max_points:g}", grade.verdict.value, review
        if submitted is None:
            return "0%", f"0/{question.points:g}", "unanswered", ""
        return "…", f"?/{question.points:g}", "grading", ""

    @work(thread=True, group="grading", exit_on_error=False)
    def grade_all(self, question_ids: list[str]) -> None:
        for qid in question_ids:
            question, text = self.quiz.bank.question(qid), self.attempt.answer(qid).submitted
            assert text is not None
            try:
                grade = self.quiz.grader.grade(question, text)
            except Exception as exc:  # keep the answers; an instructor can regrade the export
                self.app.call_from_thread(self._grading_failed, exc)
                return
            self.app.call_from_thread(self._graded, qid, text, grade)

    def _graded(self, question_id: str, text: str, grade: Grade) -> None:
        self.quiz.store.save_grade(self.attempt, question_id, text, grade)
        self.query_one(ProgressBar).advance(1)
        self.refresh_results()

    def _grading_failed(self, exc: Exception) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#total", Static).update(
            f"Could not grade the remaining answers: {exc}\n"
            "They are saved: 'quiz export' writes them for 'quiz grade-answers'."
        )
