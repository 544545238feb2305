"""``quiz``: the command line. A thin click layer over the core; subcommands load lazily so that
``quiz --help`` and the first quiz screen do not pay for TensorFlow, torch or the embedding model.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from graders.errors import QuizError
from quiz import __version__

# name -> ("module:attribute", one-line help shown by ``quiz --help`` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "take": ("quiz.commands.take:take", "Take the theory quiz in the terminal (the main job)."),
    "export": ("quiz.commands.take:export", "Export a quiz attempt as CSV/JSON for grade-answers."),
    "bank": ("quiz.commands.bank:bank", "List, show and validate question banks."),
    "doctor": ("quiz.commands.doctor:doctor", "Check every model, data asset and sandbox feature."),
    "setup": ("quiz.commands.doctor:setup", "Build the local assets (WordNet data, small GPT-2)."),
    "calibrate": ("quiz.commands.grading:calibrate", "Fit the grader's calibration on graded answers."),
    "grade-answers": ("quiz.commands.grading:grade_answers", "Grade a CSV of free-text answers."),
    "practicals": ("quiz.commands.practicals:practicals", "Starter kit and information on the practicals."),
    "check": ("quiz.commands.practicals:check", "Run the visible checks on your practical submission."),
    "grade": ("quiz.commands.practicals:grade", "Grade a practical submission (visible + hidden checks)."),
    "batch": ("quiz.commands.instructor:batch", "Grade a whole class into a gradebook."),
    "review": ("quiz.commands.instructor:review", "Review answers the grader flagged as unsure."),
    "report": ("quiz.commands.instructor:report", "Write the HTML report and gradebook CSV."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        target, _ = COMMANDS[name]
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[override]
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            from graders.suggest import did_you_mean

            ctx.fail(f"no such command {name!r}{did_you_mean(name, COMMANDS)}. See 'quiz --help'.")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except QuizError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quiz")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Quiz and grading engine for 'Attention-based models and transfer learning'.

    Run `quiz take` to take the theory quiz, `quiz check` to check a practical,
    and `quiz doctor` to see whether every model and data asset is in place.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    cli(prog_name="quiz")


if __name__ == "__main__":
    sys.exit(main())
