"""Practice-mode feedback on a submitted answer: score, verdict, rubric points, misconception."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from graders.bank_schema import Question
from graders.grade import Grade, Verdict

# theme variables, so that the colours suit both the dark and the light theme
VERDICT_STYLE = {
    Verdict.CORRECT: "bold $success",
    Verdict.PARTIAL: "bold $warning",
    Verdict.INCORRECT: "bold $error",
}


def render_grade(question: Question, grade: Grade, *, revised: bool) -> Content:
    head = Content.assemble(
        (f"Score {grade.score:.0%}", "bold"),
        f"  {grade.points:g}/{grade.max_points:g} points  ",
        (grade.verdict.value, VERDICT_STYLE[grade.verdict]),
    )
    if grade.needs_review:
        head += Content.styled("  · flagged for instructor review", "italic")
    lines = [head]
    if revised:
        lines.append(Content.styled("You edited the answer since: ctrl+s grades the new text.", "italic"))
    if grade.explanation:
        lines.append(Content(grade.explanation))
    for hit in grade.covered:
        lines.append(Content.assemble(("  ✓ ", "$success"), hit.text))
    for hit in grade.missed:
        lines.append(
            Content.assemble(("  ✗ ", "$error"), hit.text, (f" ({hit.note})" if hit.note else "", "italic"))
        )
    if grade.misconception is not None:
        hit = grade.misconception
        lines.append(Content.assemble(("Misconception: ", "bold $error"), hit.text))
        lines.append(Content.assemble(("  you wrote: ", "italic"), f"“{hit.sentence}”"))
        known = {m.id: m.explanation for m in question.misconceptions}
        if explanation := known.get(hit.misconception_id):
            lines.append(Content(f"  {explanation}"))
    return Content("\n").join(lines)


class FeedbackPanel(VerticalScroll):
    """Hidden until the current question has been submitted."""

    def compose(self) -> ComposeResult:
        yield Static(id="feedback-body")
        yield Static(id="model-answer")

    def on_mount(self) -> None:
        self.border_title = "Feedback"
        self.clear()

    def clear(self) -> None:
        self.display = False
        self.show_model_answer(None)

    def _body(self, content: Content, *, state: str) -> None:
        self.display = True
        self.query_one("#feedback-body", Static).update(content)
        for name in ("grading", "graded", "error"):
            self.set_class(state == name, f"-{name}")

    def show_grading(self, *, waiting_for_model: bool) -> None:
        note = " (waiting for the grading model to load)" if waiting_for_model else ""
        self._body(Content.styled(f"Grading your answer…{note}", "italic"), state="grading")

    def show_grade(self, question: Question, grade: Grade, *, revised: bool) -> None:
        self._body(render_grade(question, grade, revised=revised), state="graded")

    def show_error(self, message: str) -> None:
        self._body(Content(message), state="error")

    def show_model_answer(self, question: Question | None) -> None:
        model = self.query_one("#model-answer", Static)
        model.display = question is not None
        if question is not None:
            model.update(Content.assemble(("Model answer\n", "bold"), question.model_answer))

    @property
    def model_answer_shown(self) -> bool:
        return bool(self.query_one("#model-answer", Static).display)
