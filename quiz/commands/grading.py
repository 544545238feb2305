"""``quiz calibrate`` and ``quiz grade-answers``: thin layers over ``graders.short_answer``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from quiz.commands.bank import bank_option

CHUNK = 64  # answers per grade_many call: large enough to batch the encoder, small enough to show progress


def _report(problems: list, console: Console) -> None:
    for problem in problems:
        console.print(f"[yellow]skipped[/] {problem}", highlight=False)


@click.command("grade-answers")
@click.argument("in_csv", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@click.option(
    "--out",
    "out_csv",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Output CSV: the input columns plus score, points, verdict, confidence, needs_review, feedback.",
)
@bank_option
def grade_answers(in_csv: Path, out_csv: Path, bank_ref: str | None) -> None:
    """Grade a CSV of free-text answers.

    IN_CSV has the columns question_id and answer (questions of the bank; student_id and any other
    columns are kept), or question, reference_answer and answer for questions that are not in a bank.
    Commas, semicolons or tabs (an Excel "sep=;" first line is understood); quote answers that contain
    the delimiter. Bad rows are reported on stderr by row number and skipped: they stay in the output,
    with "Not graded: <why>" as their feedback. An input column named like an output column (a TA's
    score) is kept as input_<name>. The output is written atomically, never over IN_CSV, with IN_CSV's
    delimiter, in UTF-8 (with a byte-order mark when IN_CSV had one or was not UTF-8, so that Excel reads
    it right); cells that a spreadsheet would run as a formula (=, +, -, @) get a ' in front. When no
    row can be graded, nothing is written and the exit code is 1.
    """
    from graders.answer_csv import csv_format, output_table, read_answers, write_atomically
    from graders.bank import load_bank
    from graders.errors import InputError
    from graders.results import check_writable
    from graders.short_answer import ShortAnswerGrader

    try:
        same = out_csv.samefile(in_csv)
    except OSError:  # either is not there, or cannot be read: check_writable or read_answers says so
        same = False
    if same:
        raise InputError(
            f"--out {out_csv} is the input file: grading would replace the answers",
            hint="write the grades to another file, e.g. --out graded.csv",
        )
    check_writable(out_csv)
    err = Console(stderr=True, soft_wrap=True)  # one line per message, also in a log file
    bank = load_bank(bank_ref)
    header, rows, problems = read_answers(in_csv, bank)
    layout = csv_format(in_csv)  # the output's, read with the rows: the file may change while grading
    _report(problems, err)
    if not rows:
        raise InputError(
            f"{in_csv}: no answer to grade ({len(problems)} row(s) skipped); {out_csv} is left as it was",
            hint="fix the rows reported above",
        )
    with err.status("loading the grading models..."):
        grader = ShortAnswerGrader.load(bank=bank_ref)
    graded = []
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("grading", total=len(rows))
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            graded += zip(chunk, grader.grade_many((row.item, row.answer) for row in chunk), strict=True)
            progress.advance(task, len(chunk))
    write_atomically(
        out_csv, *output_table(header, graded, problems), delimiter=layout.delimiter, bom=layout.bom
    )
    review = sum(1 for _, grade in graded if grade.needs_review)
    kept = sum(1 for problem in problems if problem.values is not None)
    err.print(
        f"graded {len(graded)} answer(s) into {out_csv}; {review} need review; {len(problems)} row(s) skipped"
        + (f" ({kept} of them in the output as 'Not graded')" if kept else "")
    )


def _learn_answers(grader, bank, bank_ref: str | None, graded, err: Console, source: str) -> None:
    """Fit the bank's answer model on ``quiz calibrate``'s graded rows and the bank's examples and store
    it next to the bank; say so, or why nothing was learned."""
    from graders.answer_model import model_path
    from graders.errors import InputError
    from graders.results import check_writable
    from graders.training import fit_answer_model, graded_and_examples

    written = graded_and_examples(graded, bank)
    try:
        model = fit_answer_model(grader, bank, written, source=source)
    except InputError as exc:
        err.print(f"no answer model learned: {exc.message}", highlight=False)
        return
    path = model_path(bank_ref)
    check_writable(path)
    model.save(path)
    answers = sum(n for _, _, n in model.questions.values())
    err.print(
        f"answer model: learned {len(model.questions)} question(s) from {answers} graded answer(s); stored "
        f"{path} (delete it to grade without it)",
        highlight=False,
    )


@click.command("calibrate")
@click.argument("graded_csv", type=click.Path(path_type=Path, dir_okay=False, readable=False))
@bank_option
def calibrate(graded_csv: Path, bank_ref: str | None) -> None:
    """Fit the grader's calibration on instructor-graded answers and store it with the bank.

    GRADED_CSV has the columns question_id, answer and score (the fraction of full marks, 0 to 1).
    The fit starts from the shipped calibration and adjusts it, on these rows and (at half weight)
    the graded examples the bank gives with its questions; it needs at least 10 usable rows, of at
    least two questions, with more than one distinct score. The result is stored as
    <bank stem>.calibration.json next to a bank file, or in the user data folder for a packaged
    bank, and is used from then on by every grader built for that bank; delete that file (its path is
    printed) to go back to the shipped calibration.

    For a bank given by path, the same rows also teach the bank's answer model (which ways of answering
    each question were graded right; see README), for each question with at least 10 graded answers,
    some right (score 0.5 or more) and some wrong: it is stored as <bank stem>.answers.json next to the
    bank. A packaged bank keeps the answer model it ships with.
    """
    import numpy as np

    from graders.answer_csv import read_graded
    from graders.bank import is_packaged, load_bank
    from graders.calibration import Calibration, calibration_path, default_calibration
    from graders.errors import InputError
    from graders.results import check_writable
    from graders.short_answer import ShortAnswerGrader
    from graders.training import Graded, final_scores, fit_on, grade_examples

    err = Console(stderr=True, soft_wrap=True)  # one line per message, also in a log file
    bank = load_bank(bank_ref)
    rows, problems = read_graded(graded_csv, bank)
    _report(problems, err)
    questions = {row.item.id for row in rows}
    scores = {row.score for row in rows}
    if len(rows) < 10 or len(questions) < 2 or len(scores) < 2:
        raise InputError(
            f"{graded_csv}: {len(rows)} usable row(s) over {len(questions)} question(s) with "
            f"{len(scores)} distinct score(s): too little to calibrate",
            hint="grade at least 10 answers to 2 or more questions, with different scores",
        )
    path = calibration_path(bank_ref)
    check_writable(path)
    prior = default_calibration()
    with err.status(f"computing the grading signals of {len(rows)} answers..."):
        grader = ShortAnswerGrader.load(calibration=Calibration.untrained(), bank=bank_ref)
        grades = grader.grade_many((row.item, row.answer) for row in rows)
        examples = grade_examples(grader, bank)
    graded = Graded(
        [r.item for r in rows],
        [r.answer for r in rows],
        np.array([r.score for r in rows], dtype=float),
        [r.item.id for r in rows],
        grades,
    )
    source = f"quiz calibrate {graded_csv.name} (bank {bank.id})"
    calibration = fit_on(graded + examples, prior, source=source)
    before = float(np.abs(final_scores(graded, prior) - graded.scores).mean())
    after = float(np.abs(final_scores(graded, calibration) - graded.scores).mean())
    calibration.save(path)
    err.print(
        f"calibrated on {len(rows)} answer(s) to {len(questions)} question(s) and the bank's "
        f"{len(examples.answers)} graded example(s); {len(problems)} row(s) skipped\n"
        f"mean absolute error on these answers: {before:.3f} with the default -> {after:.3f}\n"
        f"stored {path} (delete it to go back to the shipped calibration)"
    )
    if after > before:
        # the fit also weighs the bank's examples and stays near the shipped calibration
        err.print(
            "[yellow]warning[/] the new calibration fits these answers no better than the shipped one: "
            "grade more answers, of more questions, before relying on it",
            highlight=False,
        )
    if not is_packaged(bank_ref):
        _learn_answers(grader, bank, bank_ref, graded, err, source)
