"""The instructor's review queue: answers the grader flagged as unsure, one decision at a time."""

from __future__ import annotations

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, ListItem, ListView, Static

from graders.errors import InputError
from graders.gradebook import Gradebook, Row


class QueueEntry(ListItem):
    def __init__(self, row: Row) -> None:
        super().__init__(Label(f"{row.student_id}  {row.item}  {row.points:g}/{row.max_points:g}"))
        self.row = row


class ReviewScreen(Screen[None]):
    """Left: the queue. Right: the answer, model answer, rubric coverage, proposed score; decide below."""

    BINDINGS = [
        Binding("a", "accept", "Accept score"),
        Binding("o", "override", "Override"),
        Binding("escape", "focus_queue", "Back to list", show=False),
    ]

    def __init__(self, book: Gradebook) -> None:
        super().__init__()
        self.book = book
        self.items = {it.item: it for it in book.items("theory")}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield ListView(*(QueueEntry(row) for row in self.book.review_queue()), id="queue")
            with Vertical(id="detail"):
                with VerticalScroll(id="answer-view"):
                    yield Static(id="answer")
                with Horizontal(id="decision"):
                    yield Input(placeholder="score 0-1", id="score", restrict=r"[0-9.]*")
                    yield Input(placeholder="comment for the student (optional)", id="comment")
                    yield Button("Accept", id="accept", variant="success")
                    yield Button("Override", id="override", variant="warning")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#queue", ListView).focus()
        self._show()

    @property
    def current(self) -> Row | None:
        queue = self.query_one("#queue", ListView)
        entry = queue.highlighted_child
        return entry.row if isinstance(entry, QueueEntry) else None

    @on(ListView.Highlighted, "#queue")
    def _highlighted(self) -> None:
        self._show()

    def _show(self) -> None:
        row = self.current
        view = self.query_one("#answer", Static)
        remaining = len(self.query_one("#queue", ListView).children)
        self.sub_title = f"{remaining} answers to review"
        if row is None:
            view.update("[b]All flagged answers are decided.[/] Press ctrl+q to quit.")
            return
        item = self.items.get(row.item)
        grade = row.result
        rubric = "\n".join(
            f"  {'[green]✓[/]' if hit['covered'] else '[red]✗[/]'} {escape(hit['text'])}"
            + (f" [dim]({escape(hit['note'])})[/]" if hit.get("note") else "")
            for hit in grade.get("rubric", [])
        )
        misconception = grade.get("misconception")
        # a decision on an earlier version of this answer: no longer applied, shown for reference
        earlier = [
            o for o in self.book.earlier_overrides() if (o.student_id, o.item) == (row.student_id, row.item)
        ]
        view.update(
            f"[b]{escape(row.item)}[/] {escape(item.title if item else '')}\n\n"
            f"[b]Answer of {escape(row.student_id)}[/]\n{escape(row.source) or '[dim](empty)[/]'}\n\n"
            f"[b]Model answer[/]\n{escape(item.detail.get('model_answer', '') if item else '')}\n\n"
            f"[b]Rubric coverage[/]\n{rubric or '  (none)'}\n\n"
            + (
                f"[b]Misconception[/] {escape(misconception['text'])}\n  in: "
                f"{escape(misconception['sentence'])}\n\n"
                if misconception
                else ""
            )
            + (
                f"[b]Decided on an earlier answer[/] (not applied): {escape(earlier[-1].action)}, "
                f"{earlier[-1].points:g} / {row.max_points:g} {escape(earlier[-1].comment)}\n\n"
                if earlier
                else ""
            )
            + f"[b]Proposed score[/] {row.points:g} / {row.max_points:g} ({grade.get('verdict', '')},"
            f" confidence {grade.get('confidence', 0):.2f});"
            f" flags: {escape(', '.join(grade.get('flags', [])) or 'none')}\n"
            f"[dim]{escape(grade.get('explanation', ''))}[/]"
        )

    def action_focus_queue(self) -> None:
        self.query_one("#queue", ListView).focus()

    async def action_accept(self) -> None:
        await self._decide(None)

    def action_override(self) -> None:
        self.query_one("#score", Input).focus()

    @on(Button.Pressed, "#accept")
    async def _accept_pressed(self) -> None:
        await self._decide(None)

    @on(Button.Pressed, "#override")
    @on(Input.Submitted, "#comment")
    async def _override(self) -> None:
        text = self.query_one("#score", Input).value.strip()
        try:
            score = float(text)
        except ValueError:
            self.notify("Type a score between 0 and 1 first.", severity="warning")
            self.query_one("#score", Input).focus()
            return
        await self._decide(score)

    @on(Input.Submitted, "#score")
    def _score_entered(self) -> None:
        self.query_one("#comment", Input).focus()

    async def _decide(self, score: float | None) -> None:
        row = self.current
        if row is None:
            return
        comment = self.query_one("#comment", Input).value
        try:
            decision = self.book.set_override(row.student_id, row.item, score=score, comment=comment)
        except InputError as exc:
            self.notify(exc.message, severity="error")
            return
        verb = "accepted" if decision.action == "accept" else f"set to {decision.points:g}"
        self.notify(f"{row.student_id} {row.item}: {verb}")
        for field in ("#score", "#comment"):
            self.query_one(field, Input).value = ""
        queue = self.query_one("#queue", ListView)
        index = queue.index or 0
        entry = queue.highlighted_child
        if entry is not None:
            await entry.remove()
        if queue.children:
            queue.index = min(index, len(queue.children) - 1)
        queue.focus()
        self._show()
