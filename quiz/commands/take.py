"""``quiz take`` (the theory quiz TUI) and ``quiz export`` (an attempt as CSV/JSON for grade-answers).

Only click and the store are imported at module level: the TUI and the bank load inside the
commands, and the grading model loads in a background worker once the first screen is up.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graders.errors import InputError

if TYPE_CHECKING:
    from quiz.app import Grader

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path, readable=False),
    default=None,
    help="Where attempts are stored (default: $QUIZ_DATA_DIR, else your user data folder).",
)


def load_grader(bank_name: str | None = None) -> Grader:
    """The real short-answer grader for a bank, with its calibration from 'quiz calibrate' if it has one
    (loads the embedding model: seconds, so call it off the UI thread)."""
    from graders.short_answer import ShortAnswerGrader

    return ShortAnswerGrader.load(bank=bank_name)


@click.command()
@click.option(
    "--bank", "bank_name", metavar="NAME|PATH", default=None, help="Question bank (default bank if omitted)."
)
@click.option(
    "--mode",
    type=click.Choice(["practice", "exam"]),
    default="practice",
    show_default=True,
    help="practice: feedback after each submit; exam: feedback when you finish.",
)
@click.option(
    "--student", "student_id", metavar="ID", default=None, help="Your student id (asked if omitted)."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="MINUTES",
    default=None,
    help="Exam time limit; the attempt is submitted when it runs out.",
)
@click.option("--shuffle", is_flag=True, help="Serve the questions in a random order.")
@click.option("--seed", type=int, default=None, help="Seed of the --shuffle order (reproducible).")
@data_dir_option
def take(
    bank_name: str | None,
    mode: str,
    student_id: str | None,
    time_limit: float | None,
    shuffle: bool,
    seed: int | None,
    data_dir: Path | None,
) -> None:
    """Take the theory quiz in the terminal. Answers are saved as you type; relaunch to resume."""
    from graders.bank import load_bank
    from quiz.app import QuizApp, QuizOptions
    from quiz.screens.start import STUDENT_ID
    from quiz.store import Mode, Store

    if time_limit is not None and mode != "exam":
        raise InputError("--time-limit only applies to exams", hint="add --mode exam, or drop --time-limit")
    if seed is not None and not shuffle:
        raise InputError("--seed only applies to a shuffled order", hint="add --shuffle, or drop --seed")
    if student_id is not None and not STUDENT_ID.match(student_id):
        raise InputError(f"invalid student id {student_id!r}", hint="use letters, digits and _ . @ - only")
    bank = load_bank(bank_name)
    options = QuizOptions(
        mode=Mode(mode),
        student_id=student_id,
        time_limit_s=time_limit * 60 if time_limit else None,
        shuffle=shuffle,
        seed=seed,
    )
    store = Store.open(data_dir)
    try:
        QuizApp(bank, store, functools.partial(load_grader, bank_name), options=options).run()
    finally:
        store.close()


@click.command()
@click.option(
    "--student", "student_id", metavar="ID", default=None, help="Export this student's latest attempt."
)
@click.option("--attempt", "attempt_id", type=int, metavar="ID", default=None, help="Export this attempt.")
@click.option("--bank", "bank_name", metavar="NAME|PATH", default=None, help="Only attempts at this bank.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Output file: .csv (student_id, question_id, answer) or .json (with metadata and grades).",
)
@data_dir_option
def export(
    student_id: str | None, attempt_id: int | None, bank_name: str | None, out: Path, data_dir: Path | None
) -> None:
    """Export a quiz attempt (default: the latest) in the format 'quiz grade-answers' reads."""
    from quiz.store import Store

    if out.suffix.lower() not in {".csv", ".json"}:
        raise InputError(f"cannot export to {out}: unknown format", hint="use a .csv or .json file")
    store = Store.open(data_dir, create=False)
    try:
        if attempt_id is not None:
            attempt = store.load_attempt(attempt_id)
        else:
            bank_id = None
            if bank_name is not None:
                from graders.bank import load_bank

                bank_id = load_bank(bank_name).id
            attempt = store.latest_attempt(student_id=student_id, bank_id=bank_id)
            if attempt is None:
                who = f" by student {student_id!r}" if student_id else ""
                raise InputError(
                    f"no quiz attempt{who} in {store.path}", hint="take the quiz with 'quiz take' first"
                )
        count = store.export(attempt, out)
    finally:
        store.close()
    state = "finished" if attempt.finished else "unfinished"
    click.echo(
        f"Wrote {count} answers of {state} attempt #{attempt.id} (student {attempt.student_id}) to {out}"
    )
