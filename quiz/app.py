"""The quiz app: holds the bank, the store and the (lazily loaded) grader; the screens do the rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from graders.bank_schema import Bank, Question
from graders.grade import Grade
from quiz.store import Mode, Store


class Grader(Protocol):
    """Anything that grades a free-text answer; the real one is graders.short_answer.ShortAnswerGrader."""

    def grade(self, question: Question, answer: str) -> Grade: ...


@dataclass(frozen=True)
class QuizOptions:
    mode: Mode = Mode.PRACTICE
    student_id: str | None = None
    time_limit_s: float | None = None
    shuffle: bool = False
    seed: int | None = None


class LazyGrader:
    """Builds the grader once, on first use, in whichever worker thread asks first.

    Loading the embedding model takes seconds, so it must never happen on the UI thread; a grading
    worker that starts before the model is ready simply waits on the lock.
    """

    def __init__(self, factory: Callable[[], Grader]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        # one grade at a time: the grader's caches are not promised to be thread-safe
        self._grading = threading.Lock()
        self._grader: Grader | None = None

    def get(self) -> Grader:
        with self._lock:
            if self._grader is None:
                self._grader = self._factory()
            return self._grader

    def grade(self, question: Question, answer: str) -> Grade:
        grader = self.get()
        with self._grading:
            return grader.grade(question, answer)


class QuizApp(App[None]):
    CSS_PATH = "quiz.tcss"
    TITLE = "attention-quiz"
    # ctrl+p is "previous question" here, so the command palette is off; ctrl+t switches the theme.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help", priority=True),
        # not a priority binding: a '?' typed into an answer must stay in the answer
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, priority=True),
    ]

    grader_state: reactive[str] = reactive("loading")
    grader_message: reactive[str] = reactive("Loading the grading model…")

    def __init__(
        self,
        bank: Bank,
        store: Store,
        grader_factory: Callable[[], Grader],
        *,
        options: QuizOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.bank = bank
        self.store = store
        self.grader = LazyGrader(grader_factory)
        self.options = options or QuizOptions()
        self.clock = clock

    def on_mount(self) -> None:
        from quiz.screens.start import StartScreen

        self.push_screen(StartScreen())
        # start loading the model only once the first screen is painted: the import competes for the GIL
        self.call_after_refresh(self.load_grader)

    @work(thread=True, group="grader", exit_on_error=False)
    def load_grader(self) -> None:
        try:
            self.grader.get()
        except Exception as exc:  # shown to the student; answers stay saved and can be regraded
            self.call_from_thread(self._grader_failed, exc)
        else:
            self.call_from_thread(self._set_grader_state, "ready", "Grader ready")

    def _grader_failed(self, exc: Exception) -> None:
        self._set_grader_state("failed", "Grader unavailable")
        self.notify(f"The grader could not load: {exc}", severity="error", timeout=30)

    def _set_grader_state(self, state: str, message: str) -> None:
        self.grader_state, self.grader_message = state, message

    def action_help(self) -> None:
        from quiz.screens.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    async def action_quit(self) -> None:
        # the focused widget may still hold keys typed just before ctrl+q: let it handle them first
        if self.focused is not None:
            self.focused.call_later(self._save_and_exit)
        else:
            self._save_and_exit()

    def _save_and_exit(self) -> None:
        for screen in self.screen_stack:
            save = getattr(screen, "save_state", None)
            if save is not None:
                save()
        self.exit()
