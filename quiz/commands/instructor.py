"""Instructor commands: ``quiz batch`` (grade a class), ``quiz review`` (decide unsure grades),
``quiz report`` (HTML report, gradebook CSV, per-student feedback). Thin wrappers over graders.batch,
graders.gradebook and graders.report."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graders.errors import InputError, first_of

if TYPE_CHECKING:
    from rich.console import Console

    from graders.batch import Outcome, Plan


def _refuse_overwrites(
    gradebook: Path, outputs: dict[str, Path | None], folders: dict[str, list[Path]] | None = None
) -> None:
    """Refuse, before anything is written, outputs that would replace each other or the gradebook.
    ``outputs`` maps each option to its path; ``folders`` maps an option whose path is a folder to the
    files it writes there. Refused: a file that is the gradebook or one of the files SQLite keeps beside
    it (``gradebook_files``), which would replace every grade and review decision; a path that two
    options write, where one output would replace the other; and a path inside the gradebook or a file
    another option writes, which cannot be a folder too. Resolved paths, so that a symlink or another
    spelling of the same file is caught too."""
    from graders.gradebook import gradebook_files

    folders = folders or {}
    # (option, its path, a path it writes, how a message names that path)
    claims = [(option, out, out, f"{option} {out}") for option, out in outputs.items() if out is not None]
    claims += [
        (option, outputs[option], file, f"{option} {outputs[option]} writes {file}, which")
        for option, files in folders.items()
        for file in files
    ]
    book = gradebook_files(gradebook)
    taken: dict[Path, str] = {}
    for option, _, path, what in claims:
        resolved = path.resolve()
        if resolved in book:
            raise InputError(
                f"{what} is the gradebook: writing it would replace every grade and review decision",
                hint=f"give {option} another path",
            )
        other = taken.setdefault(resolved, option)
        if other != option:
            raise InputError(
                f"{what} is the path of {other} too: one output would replace the other",
                hint=f"give {other} or {option} another path",
            )
    # the files whose path cannot be a folder too: the gradebook's ("") and the options' (by option)
    files = dict.fromkeys(book, "")
    files |= {
        path.resolve(): option for option, out, path, _ in claims if option not in folders or path != out
    }
    for option, _, path, what in claims:
        inside = next((parent for parent in path.resolve().parents if parent in files), None)
        if inside is not None:
            owner = files[inside]
            raise InputError(
                f"{what} is inside {inside}, {f'which {owner} writes' if owner else 'the gradebook'}: a file"
                " cannot be a folder too",
                hint=f"give {owner} or {option} another path" if owner else f"give {option} another path",
            )


@click.command()
@click.argument("root", type=click.Path(file_okay=False, path_type=Path, readable=False))
@click.option(
    "--out",
    "gradebook",
    type=click.Path(dir_okay=False, path_type=Path, readable=False),
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
    A rerun grades only what changed (content hash, checks or grader version) and whatever a killed run
    did not commit; a submission that fails is recorded as an error and the batch goes on, as it does
    past a file or student folder that it cannot read (an unusable input). Files written from the
    gradebook (reports, feedback, exports) are never read as student work, even inside ROOT, and neither
    are the reports of 'quiz grade --json/--gradescope', the graded CSVs of 'quiz grade-answers' and
    another gradebook's feedback and 'quiz review --export' (known by their content), nor any other file
    (a PDF, a zip, notes), nor anything in a folder inside a student folder (s1/lab3/spacy_ner.py). The
    summary names the files and folders skipped so, but for hidden ones, OS junk (Thumbs.db,
    desktop.ini), caches, virtualenvs and folders holding nothing else. Progress goes to stderr: a bar
    on a terminal, else a line at every tenth of the work.

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
    from rich.console import Console

    from graders.batch import connect_scheduler, read_inputs, run_batch
    from graders.gradebook import Gradebook

    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    # before the gradebook exists: a mistake leaves no file
    inputs = read_inputs(root, bank=bank_name, outputs=Gradebook.outputs_of(gradebook))
    client = connect_scheduler(scheduler) if scheduler else None  # likewise an unreachable scheduler
    err = Console(stderr=True)
    progress = _Bar(err) if err.is_terminal else _Lines()
    try:
        with Gradebook.open(gradebook) as book:
            try:
                outcome = run_batch(
                    inputs,
                    book,
                    workers=workers,
                    scheduler=client,
                    force=force,
                    on_plan=progress.plan,
                    on_progress=progress.advance,
                )
            finally:
                progress.stop()
            flags = len(book.similarity())
            review = len(book.review_queue())
    finally:
        if client is not None:
            client.close()
    for line in _not_graded_lines(outcome, root):
        click.echo(line)
    click.echo(
        f"graded {outcome.graded}, skipped {outcome.skipped} unchanged, {outcome.errors} failed"
        f" ({outcome.invalid} unusable inputs, {outcome.repeated} repeated answers); {review} answers to"
        f" review, {flags} similarity flags -> {gradebook}"
    )


def _not_graded_lines(outcome: Outcome, root: Path, *, shown: int = 5) -> list[str]:
    """A line per writer of the files in student folders that were not graded because the tool wrote them,
    then one for those that are neither a practical file nor a theory attempt, then one for the folders
    inside student folders (``discover``), each naming the first ``shown``: a student's work may be among
    them (an attempt, the report as a PDF, the work in a zip or in a folder). None when there are none,
    the usual case."""
    from graders.batch import THIS_GRADEBOOK

    by_what: dict[str, list[Path]] = {}
    for path, writer in outcome.tool_outputs:
        what = (
            "written from this gradebook (reports, feedback, exports)"
            if writer == THIS_GRADEBOOK
            else f"written by {writer}"
        )
        by_what.setdefault(what, []).append(path)
    if outcome.other_files:
        by_what["neither a practical nor a theory attempt"] = list(outcome.other_files)
    lines = []
    for what, paths in by_what.items():
        names = [_relative(path, root) for path in paths]
        lines.append(f"not graded, {what}: {_files(names)}, {first_of(names, shown)}")
    if outcome.other_folders:
        names = [f"{_relative(path, root)}{os.sep}" for path in outcome.other_folders]
        lines.append(
            "not graded, folders inside a student folder (only the files directly in it are read):"
            f" {_files(names, 'folder')}, {first_of(names, shown)}"
        )
    return lines


def _relative(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path


class _Bar:
    """``quiz batch``'s progress on a terminal: a rich bar with the remaining time, on stderr."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]grading[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=False,
        )
        self._task = self._progress.add_task("", total=None, visible=False)

    def plan(self, work: Plan) -> None:
        self._progress.update(
            self._task, total=work.total, visible=True, description=f"{work.skipped} unchanged, skipped"
        )
        self._progress.start()  # only now: planning errors print cleanly, without a bar

    def advance(self, units: int, what: str) -> None:
        self._progress.update(self._task, advance=units, description=what)

    def stop(self) -> None:
        self._progress.stop()


class _Lines:
    """``quiz batch``'s progress where no bar can be drawn (a log file, a pipe, a scheduler's job): a plain
    line on stderr each time another tenth of the work is done, and where it stopped if that was before
    the end."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._total = self._done = self._shown = 0

    def plan(self, work: Plan) -> None:
        self._total = work.total
        click.echo(f"grading {work.total} items ({work.skipped} unchanged, skipped)", err=True)

    def advance(self, units: int, what: str) -> None:
        self._done += units
        if self._done * 10 // self._total > self._shown * 10 // self._total:
            self._show(f"last: {what}")

    def stop(self) -> None:
        if self._done != self._shown:
            self._show("stopped before the end")

    def _show(self, note: str) -> None:
        self._shown = self._done
        click.echo(
            f"grading: {self._done}/{self._total} ({self._done / self._total:.0%}) after"
            f" {time.monotonic() - self._start:.0f}s; {note}",
            err=True,
        )


@click.command()
@click.argument("gradebook", type=click.Path(dir_okay=False, path_type=Path, readable=False))
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
        _refuse_overwrites(gradebook, {"--export": export_csv})
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
@click.argument("gradebook", type=click.Path(dir_okay=False, path_type=Path, readable=False))
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
    type=click.Path(file_okay=False, path_type=Path, readable=False),
    default=None,
    help="Per-student feedback.json and Gradescope results.json, in one folder per student (a file there"
    " that no gradebook wrote is never replaced).",
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
    from graders.report import feedback_files, feedback_in_the_way, write_csv, write_feedback, write_html

    if html is None and csv_out is None and feedback_dir is None:
        raise InputError("nothing to write", hint="pass --html FILE, --csv FILE and/or --feedback-dir DIR")
    with Gradebook.open(gradebook, create=False) as book:
        _refuse_overwrites(
            gradebook,
            {"--html": html, "--csv": csv_out, "--feedback-dir": feedback_dir},
            {"--feedback-dir": [p for pair in feedback_files(book, feedback_dir).values() for p in pair]}
            if feedback_dir is not None
            else None,
        )
        replaced: list[Path] = []
        if feedback_dir is not None:
            replaced, foreign = feedback_in_the_way(book, feedback_dir)
            if foreign:
                raise InputError(
                    f"--feedback-dir {feedback_dir} would replace {_files(foreign)} that no gradebook wrote:"
                    f" {first_of(foreign)}",
                    hint="move or rename them (a student's own work may have such a name), or give"
                    " --feedback-dir another folder",
                )
        if html is not None:
            write_html(book, html)
            click.echo(f"wrote {html}")
        if csv_out is not None:
            write_csv(book, csv_out)
            click.echo(f"wrote {csv_out}")
        if feedback_dir is not None:
            count = write_feedback(book, feedback_dir)
            click.echo(f"wrote feedback for {count} students to {feedback_dir}")
            if replaced:
                names = [p.relative_to(feedback_dir) for p in replaced]
                click.echo(
                    f"replaced {_files(replaced)} that another gradebook or 'quiz grade --gradescope' wrote:"
                    f" {first_of(names)}"
                )


def _files(paths: Sequence[object], noun: str = "file") -> str:
    return f"{len(paths)} {noun}{'' if len(paths) == 1 else 's'}"
