"""``quiz practicals init|list``, ``quiz check`` (students) and ``quiz grade`` (instructors)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graders.errors import InputError

if TYPE_CHECKING:
    from graders.results import Report

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
`<id>.ipynb` works too: its code cells define the functions; top-level demo code is skipped.

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
    from practicals import PRACTICALS, practical_dir

    plan: dict[Path, Path | str] = {directory / "README.md": _README}
    for practical in PRACTICALS:
        folder = practical_dir(practical)
        if (folder / "template.py").is_file():
            plan[directory / f"{practical}.py"] = folder / "template.py"
        if (folder / "task.md").is_file():
            plan[directory / "tasks" / f"{practical}.md"] = folder / "task.md"
    existing = [path for path in plan if path.exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise InputError(
            f"{len(existing)} starter-kit files already exist: {names}",
            hint="choose an empty folder or pass --force to overwrite them",
        )
    for target, source in plan.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        else:
            target.write_text(source, encoding="utf-8")
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
    return click.argument("submission", type=click.Path(path_type=Path))(function)


def _grade(
    submission: Path, practical_ids: tuple[str, ...], check_timeout: float | None, visibility: tuple[str, ...]
) -> Report:
    from graders.runner import grade_submission
    from graders.sandbox import Limits

    limits = Limits() if check_timeout is None else Limits(check_timeout=check_timeout)
    return grade_submission(
        submission, practicals=practical_ids or None, visibility=visibility, limits=limits
    )


@click.command()
@_submission_options
def check(submission: Path, practical_ids: tuple[str, ...], check_timeout: float | None) -> None:
    """Run the visible checks on your practical submission (a folder or one file)."""
    report = _grade(submission, practical_ids, check_timeout, ("visible",))
    _print_report(report, show_output=True)


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

    report = _grade(submission, practical_ids, check_timeout, ("visible", "hidden"))
    for path, write in ((json_out, write_json), (gradescope, write_gradescope), (junit, write_junit)):
        if path is not None:
            write(report, path)
    _print_report(report, show_output=False)


def _print_report(report: Report, *, show_output: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    for practical, results in report.by_practical().items():
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
    console.print(
        f"\n[bold]Total: {report.score:g}/{report.max_score:g} points[/bold] "
        f"({len(report.checks)} checks, {report.metadata.duration:.1f} s)"
    )
