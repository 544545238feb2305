"""Snapshots of the main screens (pytest-textual-snapshot). Regenerate after a deliberate UI change:
``pytest tests/tui/test_snapshots.py --snapshot-update`` and review the SVGs in __snapshots__/."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from quiz.store import Mode
from tests.tui.conftest import MakeApp, type_text, wait_until

pytestmark = pytest.mark.tui


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    for editor in pilot.app.screen.query(TextArea):
        editor.cursor_blink = False  # a blinking cursor would make the snapshot depend on timing
        # TextArea (textual 8.2) caches rendered lines under a key that leaves out cursor_blink: a line
        # cached in the blink's hidden phase would be reused without the now steady cursor
        editor.notify_style_update()
    await pilot.pause()


async def answer_first(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await type_text(pilot, "It computes a weighted sum of the values.")
    await pilot.press("ctrl+s")
    await settle(pilot)


def test_start_screen(snap_compare, make_app: MakeApp) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settle)


def test_question_screen_exam_with_countdown(snap_compare, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await type_text(pilot, "A draft answer")
        status = pilot.app.screen.query_one("#answer-status", Static)
        await wait_until(
            pilot, lambda: str(status.render()).startswith("Draft saved"), "the draft's save", 10
        )
        await settle(pilot)

    app = make_app(student_id="s1", mode=Mode.EXAM, time_limit_s=600)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_feedback_panel(snap_compare, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot) -> None:
        await answer_first(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(make_app(student_id="s1"), terminal_size=(100, 32), run_before=run_before)


def test_feedback_panel_light_theme_80x24(snap_compare, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot) -> None:
        await answer_first(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)

    assert snap_compare(make_app(student_id="s1"), terminal_size=(80, 24), run_before=run_before)


def test_results_screen(snap_compare, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot) -> None:
        await answer_first(pilot)
        await pilot.press("ctrl+n")
        await type_text(pilot, "left and right, unsure")
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.click("#confirm")
        await settle(pilot)

    assert snap_compare(make_app(student_id="s1"), terminal_size=(100, 32), run_before=run_before)


def test_help_screen(snap_compare, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("enter", "f1")
        await pilot.pause()

    assert snap_compare(make_app(student_id="s1"), terminal_size=(80, 24), run_before=run_before)
