"""The question list: every question with its status (and score in practice mode); click to jump."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from quiz.store import Answer, Attempt, Mode, Status

GLYPHS = {Status.UNANSWERED: "·", Status.DRAFT: "✎", Status.SUBMITTED: "✓"}


def label(index: int, answer: Answer, mode: Mode) -> Text:
    glyph = "✎" if answer.revised else GLYPHS[answer.status]
    text = Text(f"{glyph} {index + 1:>2} {answer.question_id:<6}", style="dim" if glyph == "·" else "")
    if mode is Mode.PRACTICE and answer.grade is not None:
        text.append(f"{answer.grade.score:>5.0%}")
    elif answer.status is Status.SUBMITTED and mode is Mode.PRACTICE:
        text.append("   …")
    return text


class QuestionList(OptionList):
    """Options are keyed by question id; ``refresh_from`` redraws them from the attempt."""

    def __init__(self, attempt: Attempt, **kwargs: object) -> None:
        options = [
            Option(label(i, attempt.answer(qid), attempt.mode), id=qid) for i, qid in enumerate(attempt.order)
        ]
        super().__init__(*options, **kwargs)  # type: ignore[arg-type]
        self.attempt = attempt

    def refresh_from(self, question_id: str | None = None) -> None:
        ids = [question_id] if question_id else self.attempt.order
        for qid in ids:
            index = self.attempt.order.index(qid)
            self.replace_option_prompt(qid, label(index, self.attempt.answer(qid), self.attempt.mode))
        submitted = self.attempt.count(Status.SUBMITTED)
        self.border_subtitle = f"{submitted}/{len(self.attempt.order)} submitted"
