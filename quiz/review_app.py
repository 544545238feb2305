"""``quiz review``: a small Textual app around the review screen (separate from the student's quiz app)."""

from __future__ import annotations

from textual.app import App

from graders.gradebook import Gradebook
from quiz.screens.review import ReviewScreen


class ReviewApp(App[None]):
    CSS_PATH = "review.tcss"
    TITLE = "quiz review"

    def __init__(self, book: Gradebook) -> None:
        super().__init__()
        self.book = book

    def on_mount(self) -> None:
        self.sub_title = str(self.book.path)
        self.push_screen(ReviewScreen(self.book))
