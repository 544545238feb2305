"""Modal dialogs: keyboard help, and the confirmation before finishing an attempt."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from quiz.store import Mode

HELP = """\
[b]Keys[/b]  (the keys in the footer can be clicked too)
  ctrl+s     submit the answer (practice: grade it now)
  ctrl+n     next question          ctrl+p     previous question
  F2         model answer on/off (practice, after a submit)
  ctrl+f     finish the attempt and see the results
  ctrl+q     quit: everything is saved, relaunch to resume
  tab        move between the answer and the question list
  F1, ?      this help (? only outside the answer editor)
  ctrl+t     dark or light theme       esc     close this help

[b]Question list[/b]  (click a question to open it)
  ·  unanswered
  ✎  draft, or edited since the last submit
  ✓  submitted; in practice mode with the score of its grade

[b]Saving[/b]
  Your answer is saved as you type (within half a second) and on
  every move, submit and quit. If the terminal closes, run the same
  command again and choose Resume.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-card", classes="dialog"):
            yield Static(HELP, id="help-text")
            yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#help-card").border_title = "Help"

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmFinishScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Back to the quiz")]

    def __init__(self, *, unanswered: list[str], unsubmitted: list[str], mode: Mode) -> None:
        super().__init__()
        self.unanswered = unanswered
        self.unsubmitted = unsubmitted
        self.mode = mode

    def compose(self) -> ComposeResult:
        lines = ["Finish this attempt? You cannot change your answers afterwards."]
        if self.unanswered:
            lines.append(f"Unanswered ({len(self.unanswered)}, scored 0): {', '.join(self.unanswered)}")
        else:
            lines.append("Every question has an answer.")
        if self.unsubmitted:
            lines.append(f"Not yet submitted, will be submitted now: {', '.join(self.unsubmitted)}")
        if self.mode is Mode.EXAM:
            lines.append("Your answers are graded when you finish.")
        with Vertical(id="confirm-card", classes="dialog"):
            yield Static("\n\n".join(lines), id="confirm-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Finish", id="confirm", variant="error")
                yield Button("Back to the quiz", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-card").border_title = "Finish"
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
