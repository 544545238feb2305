"""Every command has --help; unknown commands get a did-you-mean; user errors are not tracebacks."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from graders.answer_csv import read_answers
from graders.bank import load_bank, resolve_bank_path
from graders.gradebook import Gradebook
from quiz.__main__ import COMMANDS, cli
from quiz.store import DB_NAME, Mode, Store
from tests.test_gradebook import theory_row

# what a command says of a file or folder that it cannot read (its permissions), for its path
CANNOT_READ = (
    "cannot read {}: Permission denied\n  fix: give the user who runs quiz permission to read it, then run it"
    " again"
)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_unknown_command_suggests_the_closest() -> None:
    result = CliRunner().invoke(cli, ["doctr"])
    assert result.exit_code == 2
    assert "did you mean 'doctor'" in result.output


def test_python_dash_m_quiz_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quiz", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "quiz" in proc.stdout


@pytest.mark.parametrize("where", ["missing folder", "empty folder"])
def test_a_failed_export_creates_no_store(tmp_path: Path, where: str) -> None:
    data = tmp_path / "data"
    if where == "empty folder":
        data.mkdir()
    before = sorted(tmp_path.rglob("*"))
    result = CliRunner().invoke(
        cli, ["export", "--student", "s1", "--out", str(tmp_path / "s1.csv"), "--data-dir", str(data)]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # an error, not a traceback
    assert result.output.startswith(f"Error: no quiz attempts in {data}: attempts.sqlite3 does not exist")
    assert sorted(tmp_path.rglob("*")) == before  # no attempts.sqlite3, no folder, no export


def test_an_exported_attempt_runs_no_formula_and_reads_back_as_typed(tmp_path: Path) -> None:
    typed = {"Q1": '=WEBSERVICE("http://x")', "Q2": "-1+2", "Q3": "-0.5"}
    store = Store(tmp_path / "attempts.sqlite3")
    attempt = store.create_attempt(
        student_id="s1", bank_id="attention-transfer", bank_title="t", mode=Mode.EXAM, order=list(typed)
    )
    for question, text in typed.items():
        store.submit(attempt, question, text)
    store.close()
    out = tmp_path / "s1.csv"
    args = ["export", "--student", "s1", "--out", str(out), "--data-dir", str(tmp_path)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        assert [row[2] for row in csv.reader(handle)][1:] == ["'" + typed["Q1"], "'" + typed["Q2"], "-0.5"]
    _, rows, problems = read_answers(out, load_bank())
    assert not problems and {row.item.id: row.answer for row in rows} == typed


def test_a_path_that_a_command_cannot_read_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chmod: Callable[[Path, int], None]
) -> None:
    """A file or folder given to a command that it cannot read (no permissions, or its folder cannot be
    searched), or what it must read in a folder it writes to, is an input error that names it, with exit
    code 1 as for a missing one, not a traceback (nor click's usage error, exit code 2, where only the
    permission to read it is missing)."""
    locked = tmp_path / "locked"
    answers, book, bank, data, root = (
        locked / name for name in ("answers.csv", "class.sqlite", "bank.toml", "data", "class")
    )
    root.mkdir(parents=True)
    answers.write_text("question_id,answer,score\nQ1,Attention weighs the words.,1\n", encoding="utf-8")
    with Gradebook.open(book) as opened:
        opened.put([theory_row("s1", "Q1", 0.5)])
    shutil.copyfile(resolve_bank_path(), bank)
    Store(data / DB_NAME).close()
    out, empty = tmp_path / "out", tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "graded.csv").write_text("", encoding="utf-8")
    reads = {  # path -> the commands that read it
        answers: [["grade-answers", answers, "--out", tmp_path / "graded.csv"], ["calibrate", answers]],
        book: [
            ["report", book, "--csv", out / "grades.csv"],
            ["review", book, "--export", out / "decided.csv"],
            ["batch", empty, "--out", book],
        ],
        bank: [["bank", "show", "--bank", bank], ["bank", "validate", bank]],
        data: [["export", "--out", out / "s1.csv", "--data-dir", data]],
        root: [["batch", root, "--out", out / "class.sqlite"]],
    }

    def said(args: list[object]) -> str:
        result = CliRunner().invoke(cli, [str(arg) for arg in args])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        return result.output

    def cannot_read(path: Path) -> str:
        return f"Error: {CANNOT_READ.format(path)}\n"

    for path, commands in reads.items():
        chmod(path, 0)
        for args in commands:
            assert said(args) == cannot_read(path), args
        chmod(path, 0o700 if path.is_dir() else 0o600)
    feedback = tmp_path / "feedback"
    (feedback / "s1").mkdir(parents=True)
    chmod(feedback / "s1", 0o600)  # whether a file there is another's work is unknown
    feedback_json = feedback / "s1" / "feedback.json"
    assert said(["report", book, "--feedback-dir", feedback]) == cannot_read(feedback_json)
    chmod(locked, 0o600)  # listed, but not searched
    for path, commands in reads.items():
        for args in commands:
            assert said(args) == cannot_read(path), args
    monkeypatch.setenv("QUIZ_BANK_PATH", str(locked))  # a bank it holds may be the one a name means
    assert said(["bank", "list"]) == cannot_read(locked)
    assert not out.exists()
