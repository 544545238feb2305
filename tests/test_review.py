"""Pilot tests of ``quiz review``: accept and override by keyboard and by mouse; decisions are stored; and
a snapshot of the screen (regenerate after a deliberate UI change with ``--snapshot-update``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import ListView, Static

from graders.gradebook import Gradebook, Item
from quiz.__main__ import cli
from quiz.review_app import ReviewApp
from quiz.screens.review import ReviewScreen
from tests.test_gradebook import theory_row

pytestmark = [pytest.mark.tui, pytest.mark.anyio]
SIZE = (110, 36)


@pytest.fixture
def book(tmp_path: Path) -> Gradebook:
    book = Gradebook.open(tmp_path / "class.sqlite")
    book.set_items(
        [Item("Q1", "theory", "What is BERT?", 2.0, 0, {"model_answer": "A bidirectional encoder."})]
    )
    book.put(
        [
            theory_row("s1", "Q1", 0.5, review=True, answer="BERT reads both ways"),
            theory_row("s2", "Q1", 0.25, review=True, answer="BERT is a robot"),
            theory_row("s3", "Q1", 1.0),
        ]
    )
    yield book
    book.close()


def shown(app: ReviewApp) -> str:
    return str(app.screen.query_one("#answer", Static).render())


async def test_queue_shows_answer_model_answer_rubric_and_score(book: Gradebook) -> None:
    async with ReviewApp(book).run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReviewScreen)
        assert len(pilot.app.screen.query_one("#queue", ListView).children) == 2
        text = shown(pilot.app)
        for part in ("BERT reads both ways", "A bidirectional encoder.", "a point", "1 / 2"):
            assert part in text


async def test_a_changed_answer_shows_the_decision_made_on_the_earlier_one(book: Gradebook) -> None:
    book.set_override("s3", "Q1", score=0.25, comment="Missing the encoder.")
    book.put([theory_row("s3", "Q1", 1.0, answer="BERT is a bidirectional Transformer encoder.")])
    async with ReviewApp(book).run_test(size=SIZE) as pilot:
        await pilot.pause()
        queue = pilot.app.screen.query_one("#queue", ListView)
        assert len(queue.children) == 3  # back in the queue though the grader is sure
        queue.index = 2
        await pilot.pause()
        text = shown(pilot.app)
        assert "Decided on an earlier answer" in text and "Missing the encoder." in text


async def test_keyboard_accept_then_override_with_comment(book: Gradebook) -> None:
    async with ReviewApp(book).run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")  # accept s1's proposed score
        await pilot.pause()
        assert "BERT is a robot" in shown(pilot.app)
        await pilot.press("o", "0", ".", "7", "5", "enter", *"see me", "enter")
        await pilot.pause()
        assert "All flagged answers are decided" in shown(pilot.app)
    decisions = book.overrides()
    assert decisions[("s1", "Q1")].action == "accept" and decisions[("s1", "Q1")].points == 1.0
    assert (decisions[("s2", "Q1")].points, decisions[("s2", "Q1")].comment) == (1.5, "see me")
    assert book.totals()["s2"] == 1.5 and book.review_queue() == []


async def test_mouse_override_and_bad_score(book: Gradebook) -> None:
    async with ReviewApp(book).run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#override")  # no score typed: nothing is stored
        await pilot.pause()
        assert book.overrides() == {}
        await pilot.click("#score")
        await pilot.press("1")
        await pilot.click("#override")
        await pilot.pause()
        await pilot.click("#accept")
        await pilot.pause()
    decisions = book.overrides()
    assert decisions[("s1", "Q1")].points == 2.0 and decisions[("s2", "Q1")].action == "accept"


def test_review_screen_snapshot(snap_compare, book: Gradebook) -> None:
    async def run_before(pilot: Pilot) -> None:
        await pilot.press("down")  # s2's answer, the second in the queue
        await pilot.pause()

    assert snap_compare(ReviewApp(book), terminal_size=SIZE, run_before=run_before)


def test_review_cli_export_and_empty_queue(book: Gradebook, tmp_path: Path) -> None:
    book.set_override("s1", "Q1", score=0.75)
    book.set_override("s2", "Q1")
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(cli, ["review", str(book.path), "--export", str(out)])
    assert result.exit_code == 0 and "wrote 2" in result.output
    assert out.read_text().splitlines()[0] == "question_id,answer,score"
    result = CliRunner().invoke(cli, ["review", str(book.path)])
    assert result.exit_code == 0 and "nothing to review" in result.output
    result = CliRunner().invoke(cli, ["review", str(tmp_path / "missing.sqlite")])
    assert result.exit_code != 0 and "does not exist" in result.output


@pytest.mark.parametrize("spelling", ["same", "relative", "symlink"])
def test_review_export_refuses_to_write_over_the_gradebook(
    book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    book.set_override("s1", "Q1", score=0.75)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    target = {"same": str(book.path), "relative": "../class.sqlite", "symlink": "../link.sqlite"}[spelling]
    (tmp_path / "link.sqlite").symlink_to(book.path)
    result = CliRunner().invoke(cli, ["review", str(book.path), "--export", target])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # an error, not a traceback
    assert f"--export {target} is the gradebook" in result.output
    with Gradebook.open(book.path, create=False) as again:
        assert again.overrides()[("s1", "Q1")].score == 0.75
