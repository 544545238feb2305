"""Every command has --help; unknown commands get a did-you-mean; user errors are not tracebacks."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graders.answer_csv import read_answers
from graders.bank import load_bank
from quiz.__main__ import COMMANDS, cli
from quiz.store import Mode, Store


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
