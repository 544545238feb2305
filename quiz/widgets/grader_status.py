"""One line telling the student whether the grading model is loading, ready or unavailable."""

from __future__ import annotations

from textual.widgets import Static


class GraderStatus(Static):
    def on_mount(self) -> None:
        self.watch(self.app, "grader_message", self._show)

    def _show(self, message: str) -> None:
        state = getattr(self.app, "grader_state", "loading")
        self.update(message)
        for name in ("loading", "ready", "failed"):
            self.set_class(state == name, f"-{name}")
