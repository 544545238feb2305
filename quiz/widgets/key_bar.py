"""The key bar of the question screen: Textual's footer, whose keys can take two rows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyBar(Footer):
    """On a screen too narrow for its keys in one row, quiz.tcss lays them out in a grid of two rows
    (``QuestionScreen.-narrow``), so that none is cut off."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # Footer gives its grid one column per key, which would keep every key in one row
        self.styles.clear_rule("grid_size_columns")
