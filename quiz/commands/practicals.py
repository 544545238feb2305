"""``quiz practicals init|list``, ``quiz check`` (students) and ``quiz grade`` (instructors)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graders.errors import InputError, cannot_read

if TYPE_CHECKING:
    from rich.console import Console

    from graders.results import Report
    from practicals.submission import Skipped

_STATUS_STYLE = {
    "passed": "green",
    "failed": "red",
    "error": "red",
    "timeout": "yellow",
    "crashed": "red",
    "not_submitted": "dim",
    "not_run": "yellow",
}

_README = """# Practicals starter kit

Each `<id>.py` file is the template of one practical: implement the functions it declares (keep
their names and parameters) and read `tasks/<id>.md` for the task and its conventions. A notebook
`<id>.ipynb` works too: its code cells define the functions. Top-level demo code (prints, plots, training
runs, demo loops) does not run when the checks import your file; `quiz check` lists what it skipped.

Check your work with the visible checks (the hidden ones are run by your instructor):

    quiz check .                                  # every practical in this folder
    quiz check lstm_classifier.py                 # one file
"""


@click.group()
def practicals() -> None:
    """Starter kit and information on the practicals."""


@practicals.command("list")
def list_practicals() -> None:
    """List the practicals and whether their checks are available."""
    from rich.console import Console
    from rich.table import Table

    from graders.runner import available_practicals
    from practicals import PRACTICALS

    ready = set(available_practicals())
    table = Table("id", "practical", "checks")
    for practical, title in PRACTICALS.items():
        table.add_row(practical, title, "yes" if practical in ready else "not yet")
    Console().print(table)


@practicals.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Write the starter kit (templates, task descriptions, README) into DIRECTORY."""
    from graders.results import atomic_write_text
    from practicals import PRACTICALS, practical_dir

    plan: dict[Path, Path | str] = {directory / "README.md": _README}
    for practical in PRACTICALS:
        folder = practical_dir(practical)
        if (folder / "template.py").is_file():
            plan[directory / f"{practical}.py"] = folder / "template.py"
        if (folder / "task.md").is_file():
            plan[directory / "tasks" / f"{practical}.md"] = folder / "task.md"
    try:  # Path.exists raises where a folder that holds it cannot be searched
        existing = [path for path in plan if path.exists()]
    except OSError as exc:
        raise cannot_read(Path(exc.filename), exc) from None
    if existing and not force:
        names = ", ".join(str(path) for path in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise InputError(
            f"{len(existing)} starter-kit files already exist: {names}",
            hint="choose an empty folder or pass --force to overwrite them",
        )
    for target, source in plan.items():  # a file that cannot be written is an InputError: "cannot write"
        atomic_write_text(target, source.read_text(encoding="utf-8") if isinstance(source, Path) else source)
    templates = sum(1 for target in plan if target.suffix == ".py")
    click.echo(
        f"Wrote {templates} practical templates, their task descriptions and README.md to {directory}/"
    )


def _submission_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--practical",
        "-p",
        "practical_ids",
        multiple=True,
        metavar="ID",
        help="Grade only this practical (repeatable; needed for a single file not named <id>.py).",
    )(function)
    function = click.option("--check-timeout", type=float, help="Cap on each check's time limit (seconds).")(
        function
    )
    return click.argument("submission", type=click.Path(path_type=Path, readable=False))(function)


class _Progress:
    """Says when each practical's checks start (a slow import is then not silence) and keeps, per practical,
    what of its file was skipped as demo code."""

    def __init__(self) -> None:
        self.skipped: dict[str, tuple[Skipped, ...]] = {}

    def __call__(self, practical: str, file: Path) -> None:
        from practicals.submission import SubmissionError, prepare

        click.echo(f"checking {practical} ({file.name}) ...", err=True)
        try:
            self.skipped[practical] = prepare(file).skipped
        except SubmissionError:
            self.skipped[practical] = ()  # the checks report why the file cannot be used


def _grade(
    submission: Path, practical_ids: tuple[str, ...], check_timeout: float | None, visibility: tuple[str, ...]
) -> tuple[Report, _Progress]:
    from quiz.commands.doctor import quiet_libraries

    quiet_libraries()  # before anything imports TensorFlow
    from graders.runner import grade_submission
    from graders.sandbox import Limits

    limits = Limits() if check_timeout is None else Limits(check_timeout=check_timeout)
    progress = _Progress()
    report = grade_submission(
        submission, practicals=practical_ids or None, visibility=visibility, limits=limits, on_start=progress
    )
    return report, progress


@click.command()
@_submission_options
@click.pass_context
def check(
    ctx: click.Context, submission: Path, practical_ids: tuple[str, ...], check_timeout: float | None
) -> None:
    """Run the visible checks on your practical submission (a folder or one file).

    A folder is searched for <practical id>.py or .ipynb files (any case; a browser's " (1)" is fine).
    Demo code at the top level of a file (prints, plots, training runs, demo loops) is skipped and listed.

    Exit code: 0 when the checks ran, whatever the score; 1 when no practical file was found or the
    submission cannot be used; 2 when the command line is wrong.
    """
    report, progress = _grade(submission, practical_ids, check_timeout, ("visible",))
    if not _print_report(report, progress.skipped, show_output=True):
        ctx.exit(1)


@click.command()
@_submission_options
@click.option(
    "--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the full report."
)
@click.option(
    "--gradescope", type=click.Path(dir_okay=False, path_type=Path), help="Write Gradescope results.json."
)
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML.")
def grade(
    submission: Path,
    practical_ids: tuple[str, ...],
    check_timeout: float | None,
    json_out: Path | None,
    gradescope: Path | None,
    junit: Path | None,
) -> None:
    """Grade a practical submission with the visible and hidden checks."""
    from graders.results import write_gradescope, write_json, write_junit

    report, progress = _grade(submission, practical_ids, check_timeout, ("visible", "hidden"))
    for path, write in ((json_out, write_json), (gradescope, write_gradescope), (junit, write_junit)):
        if path is not None:
            write(report, path)
    _print_report(report, progress.skipped, show_output=False)


def _print_report(report: Report, skipped: dict[str, tuple[Skipped, ...]], *, show_output: bool) -> bool:
    """Print the report; return whether any practical file was found."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    grouped = report.by_practical()
    missing = [p for p, results in grouped.items() if all(r.status == "not_submitted" for r in results)]
    if missing and len(missing) == len(grouped):
        wanted = (
            f"{missing[0]}.py or {missing[0]}.ipynb" if len(missing) == 1 else "<practical id>.py or .ipynb"
        )
        console.print(
            f"no practical file ({wanted}) found in {escape(str(Path(report.submission)))}/", soft_wrap=True
        )
        _print_hints(console, report, missing)
        return False
    for practical, results in grouped.items():
        if practical in missing:
            continue
        earned, total = sum(r.points for r in results), sum(r.max_points for r in results)
        console.print(f"\n[bold]{practical}[/bold]  {earned:g}/{total:g} points")
        for r in results:
            style = _STATUS_STYLE.get(r.status, "white")
            hidden = " [dim](hidden)[/dim]" if r.visibility == "hidden" else ""
            console.print(
                f"  [{style}]{r.status.upper():<13}[/{style}] {r.points:g}/{r.max_points:g}  "
                f"{escape(r.description)}{hidden}"
            )
            if not r.passed and r.message:
                console.print(f"      {escape(r.message)}", style=style)
            if show_output and not r.passed and r.output.strip():
                tail = r.output.strip().splitlines()[-10:]
                console.print("      [dim]output of your code (last lines):[/dim]")
                for line in tail:
                    console.print(f"        {escape(line[:200])}", style="dim")
        _print_skipped(console, skipped.get(practical, ()))
    if missing:
        points = sum(r.max_points for p in missing for r in grouped[p])
        console.print(f"\n[dim]NOT SUBMITTED  0/{points:g}  {', '.join(missing)}[/dim]")
        _print_hints(console, report, missing)
    console.print(
        f"\n[bold]Total: {report.score:g}/{report.max_score:g} points[/bold] "
        f"({len(report.checks)} checks, {report.metadata.duration:.1f} s)"
    )
    return True


def _print_hints(console: Console, report: Report, missing: list[str]) -> None:
    """Say what in the folder looks meant for a missing practical (a misplaced or misnamed file, a .zip)."""
    from rich.markup import escape

    from practicals.submission import missing_file_hints

    folder = Path(report.submission)
    if folder.is_dir():
        hints = dict.fromkeys(hint for practical in missing for hint in missing_file_hints(folder, practical))
        for hint in hints:
            console.print(f"  {escape(hint)}", style="yellow", soft_wrap=True)


_SKIPPED_SHOWN = 8


def _print_skipped(console: Console, skipped: tuple[Skipped, ...]) -> None:
    from rich.markup import escape

    if not skipped:
        return
    console.print("  [dim]note: not run when the checks import your file (demo code, see the README):[/dim]")
    for item in skipped[:_SKIPPED_SHOWN]:
        console.print(f"      {escape(str(item))}", style="dim", soft_wrap=True)
    if len(skipped) > _SKIPPED_SHOWN:
        console.print(f"      ... and {len(skipped) - _SKIPPED_SHOWN} more", style="dim")
