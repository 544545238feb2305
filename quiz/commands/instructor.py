"""Instructor commands: ``quiz batch`` (grade a class), ``quiz review`` (decide unsure grades),
``quiz report`` (HTML report, gradebook CSV, per-student feedback). Thin wrappers over graders.batch,
graders.gradebook and graders.report."""

from __future__ import annotations

from pathlib import Path

import click

from graders.errors import InputError


def _refuse_gradebook(gradebook: Path, outputs: dict[str, Path | None]) -> None:
    """Refuse, before anything is written, an output (option -> path) that is the gradebook or one of the
    files SQLite keeps beside it (the -wal holds committed decisions not yet copied into the gradebook):
    writing it would replace every grade and review decision. Resolved paths, so that a symlink or another
    spelling of the same file is caught too."""
    book = gradebook.resolve()
    files = {book, book.with_name(f"{book.name}-wal"), book.with_name(f"{book.name}-shm")}
    for option, out in outputs.items():
        if out is not None and out.resolve() in files:
            raise InputError(
                f"{option} {out} is the gradebook: writing it would replace every grade and review decision",
                hint=f"give {option} another path",
            )


@click.command()
@click.argument("root", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    "gradebook",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The SQLite gradebook to create or update.",
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="Grading processes on this machine (each theory worker loads the model once).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Grade on a Dask cluster instead, e.g. tcp://host:8786 (see below).",
)
@click.option("--bank", "bank_name", metavar="NAME|PATH", default=None, help="Bank of the theory attempts.")
@click.option("--force", is_flag=True, help="Regrade everything, even what is unchanged since the last run.")
def batch(
    root: Path, gradebook: Path, workers: int, scheduler: str | None, bank_name: str | None, force: bool
) -> None:
    """Grade a whole class into a gradebook.

    ROOT holds one folder per student, named by the student id, with practical files
    (<practical id>.py or .ipynb) and/or theory attempts exported by 'quiz export' (.json or .csv).
    A rerun grades only what changed (content hash, checks or grader version) and whatever a killed
    run did not commit; a submission that fails is recorded as an error and the batch goes on.

    \b
    Beyond one machine, run the work on Dask distributed:
      dask scheduler                          # on the head node, prints tcp://host:8786
      dask worker tcp://host:8786 --nworkers 4 --nthreads 1   # on each machine
      quiz batch ROOT --out class.sqlite --scheduler tcp://host:8786
    On a SLURM cluster, dask-jobqueue starts the workers as jobs, e.g. in Python:
      from dask_jobqueue import SLURMCluster
      cluster = SLURMCluster(cores=4, processes=4, memory="16GB", walltime="02:00:00")
      cluster.scale(jobs=10); print(cluster.scheduler_address)
    and pass that address to --scheduler. Every worker needs this package and its assets installed
    and must see ROOT at the same path (a shared file system). An unreachable scheduler fails after
    Dask's connect timeout, 30 s unless set, e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=2min.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from graders.batch import Plan, connect_scheduler, read_inputs, run_batch
    from graders.gradebook import Gradebook

    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    inputs = read_inputs(root, bank=bank_name)  # before the gradebook exists: a mistake leaves no file
    client = connect_scheduler(scheduler) if scheduler else None  # likewise an unreachable scheduler
    progress = Progress(
        TextColumn("[bold]grading[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=False,
    )
    task_id = progress.add_task("", total=None, visible=False)

    def on_plan(work: Plan) -> None:
        progress.update(
            task_id, total=work.total, visible=True, description=f"{work.skipped} unchanged, skipped"
        )
        progress.start()  # only now: planning errors print cleanly, without a bar

    def on_progress(units: int, what: str) -> None:
        progress.update(task_id, advance=units, description=what)

    try:
        with Gradebook.open(gradebook) as book:
            try:
                outcome = run_batch(
                    inputs,
                    book,
                    workers=workers,
                    scheduler=client,
                    force=force,
                    on_plan=on_plan,
                    on_progress=on_progress,
                )
            finally:
                progress.stop()
            flags = len(book.similarity())
            review = len(book.review_queue())
    finally:
        if client is not None:
            client.close()
    click.echo(
        f"graded {outcome.graded}, skipped {outcome.skipped} unchanged, {outcome.errors} failed"
        f" ({outcome.invalid} unusable inputs); {review} answers to review, {flags} similarity flags"
        f" -> {gradebook}"
    )


@click.command()
@click.argument("gradebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--export",
    "export_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Instead of reviewing, write the decided answers as question_id,answer,score for 'quiz calibrate'.",
)
def review(gradebook: Path, export_csv: Path | None) -> None:
    """Review the theory answers the grader was unsure about: accept or override each score."""
    from graders.gradebook import Gradebook

    book = Gradebook.open(gradebook, create=False)
    try:
        _refuse_gradebook(gradebook, {"--export": export_csv})
        if export_csv is not None:
            count = book.export_graded_csv(export_csv)
            click.echo(f"wrote {count} instructor-graded answers to {export_csv}")
            return
        if not book.review_queue():
            click.echo("nothing to review: no answer is flagged, or every flagged answer is decided")
            return
        from quiz.review_app import ReviewApp

        ReviewApp(book).run()
    finally:
        book.close()


@click.command()
@click.argument("gradebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--html",
    "html",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Self-contained HTML report (plots embedded, no network).",
)
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Gradebook CSV for Canvas/Moodle (see below).",
)
@click.option(
    "--feedback-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Per-student feedback.json and Gradescope results.json, in one folder per student.",
)
def report(gradebook: Path, html: Path | None, csv_out: Path | None, feedback_dir: Path | None) -> None:
    """Write the class report, the gradebook CSV and per-student feedback.

    \b
    The CSV has one row per student and the columns:
      student_id   the folder name the student's work was in
      <item>       one column per theory question (e.g. Q1) and per practical (e.g. spacy_ner),
                   in points; an instructor's override wins; missing work counts 0
      total        the sum of the items
    Canvas: Grades > Import, then match student_id to "SIS User ID"; each new column becomes an
    assignment. Moodle: Grades > Import > CSV file, map student_id to "ID number" and each item to a
    grade item (or "new grade item").
    """
    from graders.gradebook import Gradebook
    from graders.report import write_csv, write_feedback, write_html

    if html is None and csv_out is None and feedback_dir is None:
        raise InputError("nothing to write", hint="pass --html FILE, --csv FILE and/or --feedback-dir DIR")
    with Gradebook.open(gradebook, create=False) as book:
        _refuse_gradebook(gradebook, {"--html": html, "--csv": csv_out, "--feedback-dir": feedback_dir})
        if html is not None:
            write_html(book, html)
            click.echo(f"wrote {html}")
        if csv_out is not None:
            write_csv(book, csv_out)
            click.echo(f"wrote {csv_out}")
        if feedback_dir is not None:
            count = write_feedback(book, feedback_dir)
            click.echo(f"wrote feedback for {count} students to {feedback_dir}")
