"""Pilot tests of the quiz app with the deterministic KeywordGrader (fast; no model)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Button, DataTable, Input, OptionList, Static, TextArea

from quiz.screens.dialogs import ConfirmFinishScreen, HelpScreen
from quiz.screens.question import QuestionScreen
from quiz.screens.results import ResultsScreen
from quiz.screens.start import StartScreen
from quiz.store import Mode, Status, Store
from quiz.widgets.feedback import FeedbackPanel
from quiz.widgets.sidebar import QuestionList
from quiz.widgets.top_bar import fit_title
from tests.tui.conftest import MakeApp, type_text, wait_until
from tests.tui.doubles import BANK, FakeClock, GatedGrader

pytestmark = [pytest.mark.tui, pytest.mark.anyio]
SIZE = (100, 32)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def start(pilot, student: str = "s1") -> QuestionScreen:
    """From the start screen (no --student) to the first question."""
    assert isinstance(pilot.app.screen, StartScreen)
    await type_text(pilot, student)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, QuestionScreen)
    return pilot.app.screen


async def finish(pilot, app) -> None:
    """Finish the exam (confirmed) and wait for the results screen's grades."""
    await pilot.press("ctrl+f")
    await pilot.click("#confirm")
    await pilot.pause()
    assert isinstance(app.screen, ResultsScreen)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_start_screen_shows_bank_and_asks_for_student(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert text_of(app, "#start-title") == "Tiny attention bank"
        assert "3 questions · 4 points · practice mode" in text_of(app, "#start-facts")
        assert app.focused is app.screen.query_one("#student", Input)
        assert not app.screen.query_one("#resume", Button).display
        await pilot.press("enter")  # no id yet: refused with a message, stays here
        assert isinstance(app.screen, StartScreen)
        screen = await start(pilot)
        assert screen.attempt.student_id == "s1"
        assert text_of(app, "#question-heading").startswith("Question 1 of 3 · Q1 · 2 points")


async def test_answer_submit_feedback_and_model_answer(make_app: MakeApp, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await type_text(pilot, "a weighted sum")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answer = screen.attempt.answer("Q1")
        assert answer.submitted == "a weighted sum" and answer.grade is not None
        feedback = str(app.screen.query_one("#feedback-body", Static).render())
        assert "Score 50%" in feedback and "1/2 points" in feedback and "partial" in feedback
        assert "✓ It computes a weighted sum" in feedback and "✗ The weights come from" in feedback
        assert "50%" in str(app.screen.query_one(QuestionList).get_option("Q1").prompt)
        # the model answer only on request
        assert not app.screen.query_one("#model-answer").display
        await pilot.press("f2")
        assert app.screen.query_one("#model-answer").display
        assert "query-key similarity" in text_of(app, "#model-answer")
    assert store.load_attempt(screen.attempt.id).answer("Q1").grade is not None


async def test_revise_and_resubmit_replaces_the_grade(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await type_text(pilot, "attention weights are random")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        feedback = str(app.screen.query_one("#feedback-body", Static).render())
        assert "Misconception: Attention weights are random." in feedback
        assert "computed from the input" in feedback  # the bank's explanation
        await pilot.press("ctrl+a")  # start of line: rewrite the whole answer
        await pilot.press(*["shift+end"], "backspace")
        await type_text(pilot, "weighted by similarity")
        await wait_until(
            pilot,
            lambda: (
                "You edited the answer since" in str(app.screen.query_one("#feedback-body", Static).render())
            ),
            "the note that the graded answer was edited",
            10,
        )
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        grade = screen.attempt.answer("Q1").grade
        assert grade is not None and grade.score == 1.0
        assert "Score 100%" in str(app.screen.query_one("#feedback-body", Static).render())


async def test_grading_runs_in_a_worker_and_the_ui_stays_live(make_app: MakeApp) -> None:
    grader = GatedGrader()
    app = make_app(grader_=grader)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await type_text(pilot, "left")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Grading your answer" in str(app.screen.query_one("#feedback-body", Static).render())
        await pilot.press("ctrl+n")  # the UI answers while the grade is pending
        assert screen.attempt.current == 1
        grader.gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.attempt.answer("Q1").grade is not None
        assert not app.screen.query_one(FeedbackPanel).display  # Q2 has no submission


async def test_navigation_by_keys_and_mouse_keeps_drafts(make_app: MakeApp, store: Store) -> None:
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # student given: Start has the focus
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        await type_text(pilot, "first")
        await pilot.press("ctrl+n")
        assert "Question 2 of 3" in text_of(app, "#question-heading")
        await type_text(pilot, "second")
        await pilot.press("ctrl+p")
        assert screen.query_one("#answer", TextArea).text == "first"
        await pilot.press("ctrl+p")  # already at the first question: stays
        assert screen.attempt.current == 0
        await pilot.click("#sidebar", offset=(3, 3))  # third row of the list: Q3
        await pilot.pause()
        assert screen.attempt.current == 2
        assert app.focused is screen.query_one("#answer", TextArea)
        await pilot.click("#sidebar", offset=(3, 2))
        await pilot.pause()
        assert screen.query_one("#answer", TextArea).text == "second"
        labels = [str(screen.query_one(QuestionList).get_option(q).prompt) for q in ("Q1", "Q2", "Q3")]
        assert labels[0].startswith("✎") and labels[1].startswith("✎") and labels[2].startswith("·")
    saved = store.load_attempt(screen.attempt.id)
    assert (saved.answer("Q1").draft, saved.answer("Q2").draft, saved.current) == ("first", "second", 1)


async def test_a_stale_highlight_message_from_the_question_list_does_not_navigate(
    make_app: MakeApp, store: Store
) -> None:
    """The list highlights its first option when built; on a resume at question 2 that message can be
    handled after the screen highlighted question 2, and must not move the quiz back to question 1."""
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        await pilot.press("ctrl+n")
        sidebar = screen.query_one(QuestionList)
        sidebar.focus()
        await pilot.pause()
        sidebar.post_message(OptionList.OptionHighlighted(sidebar, sidebar.get_option_at_index(0), 0))
        await pilot.pause()
        assert screen.attempt.current == 1
        assert store.load_attempt(screen.attempt.id).current == 1
        await pilot.press("up")  # the student moving the highlight still navigates
        assert screen.attempt.current == 0
        assert store.load_attempt(screen.attempt.id).current == 0


async def test_a_narrow_terminal_keeps_every_key_on_screen_and_a_wide_one_the_question_list(
    make_app: MakeApp,
) -> None:
    """At 60x20 the question list hides and the keys take two rows, so that none is cut off; resized to
    a wide terminal, the list is back, one line per question, and the keys take one row; narrow again, the
    editor takes the focus the list had."""

    def keys(width: int, height: int) -> set[int]:
        """The rows of the keys, each of them wholly on screen."""
        shown = {key.description: key.region for key in app.screen.query("FooterKey")}
        assert sorted(shown) == sorted(["Submit", "Prev", "Next", "Model answer", "Finish", "Quit", "Help"])
        assert all(Region(0, 0, width, height).contains_region(r) for r in shown.values()), shown
        return {region.y for region in shown.values()}

    app = make_app(student_id="s1")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        sidebar = screen.query_one(QuestionList)
        assert not sidebar.display and screen.query_one("#main").region.width == 60
        assert keys(60, 20) == {18, 19}
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert sidebar.display and sidebar.region.width == 20
        assert sidebar.virtual_size.height == 3  # one line per question, none wrapped
        assert keys(*SIZE) == {SIZE[1] - 1}
        sidebar.focus()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert not sidebar.display and keys(60, 20) == {18, 19}
        assert app.focused is screen.query_one("#answer", TextArea)


async def test_a_narrow_top_bar_cuts_the_bank_title_not_the_student_id(make_app: MakeApp) -> None:
    """At 60 columns a long bank title and an exam's countdown leave too little room for the whole title:
    the bank's title is cut short (then dropped, on the results screen), the student id stays whole, on
    one row; wide again, the title is whole."""
    bank = BANK.model_copy(update={"title": "Attention-based models and transfer learning"})
    app = make_app(bank_=bank, student_id="s1234567", mode=Mode.EXAM, time_limit_s=600)

    def top_bar() -> str:
        title = app.screen.query_one("#topbar-title")
        text = str(title.render())
        assert title.region.height == 1 and cell_len(text) <= title.region.width, (text, title.region)
        return text

    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert top_bar() == "Attention-base… · s1234567"
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert top_bar() == "Attention-based models and transfer learning · s1234567"
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await finish(pilot, app)
        assert top_bar().endswith(" · s1234567") and top_bar().startswith("Results · Attention")
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert top_bar() == "Results · s1234567"


def test_fit_title_gives_way_from_the_part_next_to_the_student_id() -> None:
    parts = ("Results", "Attention-based models", "s1")
    assert fit_title(parts, 80) == "Results · Attention-based models · s1"
    assert fit_title(parts, 28) == "Results · Attention-ba… · s1"
    assert fit_title(parts, 22) == "Results · s1"  # 7 cells of the bank title would say too little
    assert fit_title(parts, 5) == "s1"
    assert fit_title(("Bank", "a-very-long-student-id"), 10) == "a-very-lo…"  # alone, it is cut at last
    assert fit_title(("Bank", "s1"), 0) == ""


async def test_help_by_f1_always_and_question_mark_outside_the_editor(make_app: MakeApp) -> None:
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        screen = app.screen
        await type_text(pilot, "why?")
        assert screen.query_one("#answer", TextArea).text == "why?"  # '?' is typed, not swallowed
        assert app.screen is screen
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("tab")  # focus leaves the editor
        assert app.focused is not screen.query_one("#answer", TextArea)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_draft_is_saved_within_half_a_second_while_typing(make_app: MakeApp, tmp_path: Path) -> None:
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        attempt = app.screen.attempt
        reader = Store(app.store.path)  # a second connection sees only what is committed
        text = "saved while typing, at most half a second behind"
        await type_text(pilot, text)
        assert text.startswith(reader.load_attempt(attempt.id).answer("Q1").draft)
        # half a second after the last key; a loaded machine may run the timer late, not never
        await wait_until(
            pilot, lambda: reader.load_attempt(attempt.id).answer("Q1").draft == text, "the draft's save", 10
        )
        reader.close()


async def test_resume_after_a_crash(
    make_app: MakeApp, store: Store, tmp_path: Path, clock: FakeClock
) -> None:
    """Copy the database files while the app is still running (what a SIGKILL leaves on disk), then
    relaunch on the copy: the draft and the submitted, graded answer are offered for resume."""
    crashed = tmp_path / "crashed"
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await type_text(pilot, "weighted similarity")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+n")
        await type_text(pilot, "left and")
        reader = Store(store.path)
        await wait_until(  # the throttled save
            pilot,
            lambda: reader.load_attempt(app.screen.attempt.id).answer("Q2").draft == "left and",
            "the save",
            10,
        )
        reader.close()
        crashed.mkdir()
        for file in store.path.parent.iterdir():
            shutil.copy(file, crashed / file.name)

    reopened = Store(crashed / store.path.name, clock=clock)
    app = make_app(store_=reopened, student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#resume", Button).display
        assert "1 of 3 answered" not in text_of(app, "#resume-info")
        assert "2 of 3 answered" in text_of(app, "#resume-info")
        await pilot.press("enter")  # Resume has the focus
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert screen.attempt.current == 1
        assert app.focused is screen.query_one("#answer", TextArea)
        assert screen.query_one("#answer", TextArea).text == "left and"
        await pilot.press("ctrl+p")
        assert screen.query_one("#answer", TextArea).text == "weighted similarity"
        assert "Score 100%" in str(screen.query_one("#feedback-body", Static).render())
    reopened.close()


async def test_start_new_attempt_instead_of_resuming(make_app: MakeApp, store: Store) -> None:
    old = store.create_attempt(
        student_id="s1", bank_id="tiny-bank", bank_title="Tiny", mode=Mode.PRACTICE, order=["Q1", "Q2", "Q3"]
    )
    store.save_draft(old, "Q1", "old draft")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "s2")
        assert not app.screen.query_one("#resume", Button).display  # another student
        await pilot.press("backspace", "1")
        assert app.screen.query_one("#resume", Button).display
        await pilot.click("#start")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.attempt.id != old.id
        assert app.screen.query_one("#answer", TextArea).text == ""


async def test_exam_finish_confirms_unanswered_then_grades(make_app: MakeApp, grader) -> None:
    app = make_app(student_id="s1", mode=Mode.EXAM)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        screen = app.screen
        await type_text(pilot, "weighted")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not screen.query_one(FeedbackPanel).display  # no feedback in an exam
        assert grader.calls == []
        assert "Q1" in str(screen.query_one(QuestionList).get_option("Q1").prompt)
        assert "%" not in str(screen.query_one(QuestionList).get_option("Q1").prompt)
        await pilot.press("ctrl+n")
        await type_text(pilot, "left right")  # a draft, never submitted
        await pilot.press("ctrl+f")
        dialog = app.screen
        assert isinstance(dialog, ConfirmFinishScreen)
        text = str(dialog.query_one("#confirm-text", Static).render())
        assert "Unanswered (1, scored 0): Q3" in text and "will be submitted now: Q2" in text
        await pilot.press("escape")  # back to the quiz
        assert app.screen is screen
        await finish(pilot, app)
        assert sorted(grader.calls) == [("Q1", "weighted"), ("Q2", "left right")]
        assert "Total  2 / 4 points  (50%)" in text_of(app, "#total")
        rows = app.screen.query_one("#per-question", DataTable)
        assert [rows.get_row_at(i)[4] for i in range(3)] == ["partial", "correct", "unanswered"]
        topics = app.screen.query_one("#per-topic", DataTable)
        assert [topics.get_row_at(i)[0] for i in range(topics.row_count)] == ["attention", "bert", "transfer"]
        assert topics.get_row_at(1)[2:] == ["1/2", "50%"]  # bert: Q2 right, Q3 unanswered
        assert screen.attempt.finished


async def test_exam_time_out_submits_automatically(make_app: MakeApp, clock: FakeClock, store: Store) -> None:
    app = make_app(student_id="s1", mode=Mode.EXAM, time_limit_s=120)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert text_of(app, "#countdown") == "Time left 2:00"
        await type_text(pilot, "similarity unsure")
        clock.advance(90)
        await wait_until(pilot, lambda: text_of(app, "#countdown") == "Time left 0:30", "the countdown", 10)
        assert screen.query_one("#countdown").has_class("-warning")
        await pilot.press("f1")  # a dialog open when the time runs out
        clock.advance(31)
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results", 10)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Flagged for instructor review: Q1" in text_of(app, "#flagged")
    attempt = store.load_attempt(screen.attempt.id)
    assert attempt.finished and attempt.answer("Q1").submitted == "similarity unsure"
    assert attempt.answer("Q1").status is Status.SUBMITTED


async def test_resumed_exam_past_its_deadline_finishes_at_once(make_app: MakeApp, store, clock) -> None:
    attempt = store.create_attempt(
        student_id="s1",
        bank_id="tiny-bank",
        bank_title="Tiny",
        mode=Mode.EXAM,
        order=["Q1", "Q2", "Q3"],
        time_limit_s=60,
    )
    store.save_draft(attempt, "Q2", "left")
    clock.advance(3600)  # the terminal was closed for an hour
    app = make_app(student_id="s1", mode=Mode.EXAM)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results", 10)
    assert store.load_attempt(attempt.id).answer("Q2").submitted == "left"


async def test_quit_saves_the_draft_at_once(make_app: MakeApp, store: Store) -> None:
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        attempt_id = app.screen.attempt.id
        await type_text(pilot, "typed just before quitting")
        await pilot.press("ctrl+q")
    assert store.load_attempt(attempt_id).answer("Q1").draft == "typed just before quitting"


async def test_grader_failure_is_shown_and_the_answer_kept(make_app: MakeApp, store: Store) -> None:
    class BrokenGrader:
        def grade(self, question, answer):
            raise RuntimeError("model file is corrupt")

    app = make_app(grader_=BrokenGrader(), student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await type_text(pilot, "weighted")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = str(app.screen.query_one("#feedback-body", Static).render())
        assert "Could not grade Q1: model file is corrupt" in body
        assert app.screen.attempt.answer("Q1").submitted == "weighted"


async def test_empty_answer_is_not_submitted(make_app: MakeApp, grader) -> None:
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        assert app.screen.attempt.answer("Q1").submitted is None and grader.calls == []


async def test_an_answer_submitted_but_not_graded_before_a_crash_is_graded_on_resume(
    make_app: MakeApp, store: Store, grader
) -> None:
    attempt = store.create_attempt(
        student_id="s1", bank_id="tiny-bank", bank_title="Tiny", mode=Mode.PRACTICE, order=["Q1", "Q2", "Q3"]
    )
    store.submit(attempt, "Q1", "weighted")  # the process died before the grade came back
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert grader.calls == [("Q1", "weighted")]
        assert "Score 50%" in str(app.screen.query_one("#feedback-body", Static).render())
    assert store.load_attempt(attempt.id).answer("Q1").grade is not None


async def test_model_answer_is_hidden_again_on_another_question(make_app: MakeApp) -> None:
    app = make_app(student_id="s1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        for text in ("weighted", "left"):
            await type_text(pilot, text)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.press("ctrl+n")
        await pilot.press("ctrl+p", "ctrl+p", "f2")
        assert app.screen.query_one("#model-answer").display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.query_one(FeedbackPanel).display  # Q2's own feedback...
        assert not app.screen.query_one("#model-answer").display  # ...without Q1's model answer


async def test_shuffle_with_seed_serves_the_seeded_order(make_app: MakeApp, store: Store) -> None:
    from quiz.screens.start import question_order

    app = make_app(student_id="s1", shuffle=True, seed=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        attempt = app.screen.attempt
        expected, _ = question_order(["Q1", "Q2", "Q3"], shuffle=True, seed=5)
        assert attempt.order == expected and attempt.seed == 5
        assert f"· {expected[0]} ·" in text_of(app, "#question-heading")
    assert store.load_attempt(attempt.id).order == expected
