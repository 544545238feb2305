"""The title in a screen's top bar: what the screen shows, then whose attempt it is."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

SEPARATOR = " · "
# a part cut shorter than this says too little to be worth its cells: it is dropped instead
MIN_CUT = 8


def fit_title(parts: Sequence[str], width: int) -> str:
    """``parts`` joined by " · " in at most ``width`` cells, the last one (the student id) kept whole.

    When they do not fit, the parts before the last give way, the one next to it first: cut short with
    an ellipsis while at least ``MIN_CUT`` cells of it are left, dropped otherwise. The last part is cut
    only on a bar too narrow for it alone.
    """
    *before, last = parts
    while before:
        text = SEPARATOR.join([*before, last])
        over = cell_len(text) - width
        if over <= 0:
            return text
        room = cell_len(before[-1]) - over
        if room >= MIN_CUT:
            before[-1] = Content(before[-1]).truncate(room, ellipsis=True).plain
            return SEPARATOR.join([*before, last])
        before.pop()
    return Content(last).truncate(max(width, 0), ellipsis=True).plain


class TopBarTitle(Widget):
    """A title that fits its width (see ``fit_title``): on a narrow terminal the student still sees whose
    attempt is open, and the bank's title gives way instead."""

    DEFAULT_CSS = """
    TopBarTitle {
        height: 1;
    }
    """

    def __init__(self, *parts: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parts = parts

    def render(self) -> Content:
        # plain text, not markup: a bank title or student id may hold square brackets
        return Content(fit_title(self.parts, self.size.width))
