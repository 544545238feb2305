"""``quiz doctor`` and ``quiz setup``: check and build the model and data assets.

Thin wrappers over :mod:`graders.assets`; the assets and their libraries load inside the commands.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console

_STYLES = {"OK": "green", "WARN": "yellow", "MISSING": "bold red", "built": "green", "up to date": "green"}


def quiet_libraries() -> None:
    # Set before TensorFlow, transformers and huggingface_hub are imported: they read these once, at import.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: long paths stay on one line, so every asset is exactly one line and easy to grep.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (a list of objects) instead.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check every model, data asset and sandbox feature the quiz and the graders use.

    Prints one line per asset: OK, WARN (optional feature unavailable) or MISSING (required), a detail,
    and how to fix anything that is not OK. Loads each model once, so it takes some seconds.

    Exit code: 0 when every required asset is OK, 1 otherwise.
    """
    quiet_libraries()
    from graders.assets import asset_report

    if as_json:
        statuses = asset_report()
        click.echo(json.dumps([status.to_dict() for status in statuses], indent=2))
    else:
        with _console(stderr=True).status("checking models and data assets..."):
            statuses = asset_report()
        from rich.text import Text

        console = _console()
        width = max(len(status.name) for status in statuses)
        for status in statuses:
            label = (f"{status.label:<7}", _STYLES[status.label])
            console.print(Text.assemble(label, f" {status.name:<{width}}  {status.detail}"))
            if status.fix:
                console.print(Text(f"{'':<7} {'':<{width}}  fix: {status.fix}"))
    missing = [status.name for status in statuses if status.required and not status.ok]
    if missing:
        if not as_json:
            click.echo(f"missing required assets: {', '.join(missing)} (see the fixes above)", err=True)
        ctx.exit(1)


@click.command()
@click.pass_context
def setup(ctx: click.Context) -> None:
    """Build the local assets: WordNet data for NLTK and the small reference GPT-2.

    WordNet is copied from Debian's wordnet-base/wordnet-sense-index files into an nltk_data folder
    (skipped when NLTK already finds WordNet); the small GPT-2 is trained reproducibly on the course's
    own text in about 10-30 s. Safe to re-run: an asset already built from the same recipe is skipped.
    The assets folder is $QUIZ_ASSETS_DIR, else the per-user data folder of attention-quiz.
    Run `quiz doctor` afterwards to check everything.
    """
    quiet_libraries()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from graders.assets import assets_dir, build_assets

    console = _console()
    console.print(f"assets folder: {assets_dir()}", markup=False)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task("building", total=None)
        results = build_assets(on_start=lambda name: progress.update(task, description=f"building {name}"))
    for result in results:
        label = (f"{result.status:<10}", _STYLES.get(result.status, "bold red"))
        console.print(Text.assemble(label, f" {result.name}  ({result.seconds:.1f} s)  {result.detail}"))
    failed = [result.name for result in results if not result.ok]
    if failed:
        click.echo(f"could not build: {', '.join(failed)} (see the fixes above)", err=True)
        ctx.exit(1)
