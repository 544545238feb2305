"""``quiz bank``: list, show and validate question banks (a thin layer over ``graders.bank``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bank import DEFAULT_BANK
from graders.bank import find_question, list_banks, load_bank, resolve_bank_path, validate_bank_file
from graders.bank_schema import Question


def bank_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--bank NAME|PATH``: the bank a command works on (default: the shipped default bank)."""
    return click.option(
        "--bank",
        "bank_ref",
        metavar="NAME|PATH",
        default=None,
        help=f"Bank name (see 'quiz bank list') or path of a .toml/.yaml file. Default: {DEFAULT_BANK}.",
    )(function)


@click.group()
def bank() -> None:
    """List, show and validate question banks.

    A bank is a TOML or YAML file of questions, each with a model answer, a weighted rubric and
    known misconceptions. Banks are found by name in $QUIZ_BANK_PATH, the user's bank folder and
    the banks shipped with the quiz; any command that takes --bank also accepts a file path.
    """


@bank.command("list")
def list_command() -> None:
    """List the banks that can be used by name."""
    table = Table("name", "title", "questions", "points", "file", title="Question banks")
    for info in list_banks():
        title = Text(info.title) if not info.problems else Text(f"invalid: {info.problems} problem(s)", "red")
        points = f"{info.points:g}" if not info.problems else "-"
        table.add_row(info.name, title, str(info.questions), points, Text(str(info.path), overflow="fold"))
    Console().print(table)


@bank.command()
@click.argument("question_id", metavar="[ID]", required=False)
@bank_option
@click.option("--json", "as_json", is_flag=True, help="Print the question as JSON.")
def show(question_id: str | None, bank_ref: str | None, as_json: bool) -> None:
    """Show one question of a bank, or list its questions.

    Prints question ID's prompt, points, topics, model answer, weighted rubric, known
    misconceptions and example answers (or all of it as JSON with --json). Without ID, lists the
    bank's question ids (the question_id values that grade-answers and calibrate read).
    """
    loaded = load_bank(bank_ref)
    question = None if question_id is None else find_question(loaded, question_id)
    if as_json:
        shown = [question] if question else loaded.questions
        data = [q.model_dump(mode="json") for q in shown]
        click.echo(json.dumps(data[0] if question else data, indent=2, ensure_ascii=False))
        return
    if question is None:
        table = Table("id", "points", "prompt", title=f"{loaded.title} ({loaded.id})")
        for q in loaded.questions:
            table.add_row(q.id, f"{q.points:g}", Text(q.prompt, overflow="fold"))
        Console().print(table)
        return
    _print_question(Console(), question, loaded.id)


@bank.command()
@click.argument("file", metavar="FILE")
def validate(file: str) -> None:
    """Check a bank file and report every problem.

    FILE is a .toml/.yaml/.yml file, or the name of a bank from 'quiz bank list'. Prints
    'OK: N questions' for a valid bank, else every problem as 'file:line: field: message'
    and exits with status 1.
    """
    path = Path(file)
    # a bank's name; exists() last, as it raises on a path whose folder cannot be searched
    if not path.suffix and path.name == file and not path.exists():
        path = resolve_bank_path(file)
    problems = validate_bank_file(path)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {path}", err=True)
        raise click.exceptions.Exit(1)
    loaded = load_bank(path)
    click.echo(f"OK: {len(loaded.questions)} questions, {loaded.total_points:g} points ({path})")


def _print_question(console: Console, question: Question, bank_id: str) -> None:
    points = f"{question.points:g} point{'s' if question.points != 1 else ''}"
    topics = ", ".join(question.topics) or "no topics"
    console.print(Text.assemble((question.id, "bold"), f"  {points} · {topics} · bank {bank_id}"))
    console.print(Text("\nPrompt", "bold"))
    console.print(Text(question.prompt))
    console.print(Text("\nModel answer", "bold"))
    console.print(Text(question.model_answer))

    rubric = _table("Rubric", "weight", "share", "id", "claim")
    for point in question.rubric:
        share = f"{point.weight / question.rubric_weight:.0%}"
        rubric.add_row(f"{point.weight:g}", share, point.id, Text(point.text))
    console.print(rubric)

    if question.misconceptions:
        wrong = _table("Misconceptions", "id", "wrong claim", "why it is wrong")
        for item in question.misconceptions:
            wrong.add_row(item.id, Text(item.text), Text(item.explanation or ""))
        console.print(wrong)

    if question.examples:
        examples = _table("Example answers", "score", "answer", "note")
        for example in question.examples:
            examples.add_row(f"{example.score:g}", Text(example.answer), Text(example.note or ""))
        console.print(examples)


def _table(title: str, *columns: str) -> Table:
    return Table(*columns, title=title, title_justify="left", expand=True)
