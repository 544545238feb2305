"""The attempt store and ``quiz export``: what is saved, and the files grade-answers reads."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.__main__ import cli
from quiz.screens.start import question_order
from quiz.store import Mode, Status, Store, default_data_dir
from tests.tui.doubles import BANK, KeywordGrader

ORDER = ["Q2", "Q1", "Q3"]


def filled(store: Store):
    attempt = store.create_attempt(
        student_id="s7", bank_id=BANK.id, bank_title=BANK.title, mode=Mode.PRACTICE, order=ORDER, seed=4
    )
    store.submit(attempt, "Q1", 'weighted, "quoted"\nsecond line')
    store.save_grade(
        attempt,
        "Q1",
        'weighted, "quoted"\nsecond line',
        KeywordGrader().grade(BANK.question("Q1"), "weighted"),
    )
    store.save_draft(attempt, "Q2", "left only, a draft")
    return attempt


def test_store_uses_wal_and_normal_sync(store: Store) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: durable across SIGKILL


def test_answers_round_trip_and_statuses(store: Store) -> None:
    attempt = filled(store)
    loaded = store.load_attempt(attempt.id)
    assert loaded.order == ORDER and loaded.seed == 4
    assert [loaded.answer(q).status for q in ORDER] == [Status.DRAFT, Status.SUBMITTED, Status.UNANSWERED]
    assert loaded.answer("Q1").grade == attempt.answer("Q1").grade
    store.save_draft(loaded, "Q1", "revised")
    assert store.load_attempt(attempt.id).answer("Q1").revised


def test_a_stale_grade_is_not_stored_over_a_resubmission(store: Store) -> None:
    attempt = filled(store)
    store.submit(attempt, "Q1", "new text")
    old = KeywordGrader().grade(BANK.question("Q1"), "old")
    assert not store.save_grade(attempt, "Q1", "old text", old)
    assert store.load_attempt(attempt.id).answer("Q1").grade is None


def test_unfinished_attempt_is_found_until_finished(store: Store) -> None:
    attempt = filled(store)
    assert store.unfinished_attempt("s7", BANK.id).id == attempt.id
    assert store.unfinished_attempt("s8", BANK.id) is None
    store.finish(attempt)
    assert store.unfinished_attempt("s7", BANK.id) is None
    assert store.latest_attempt(student_id="s7").finished


def test_committed_writes_survive_sigkill(tmp_path: Path) -> None:
    """A process that saves a draft and is then killed without closing anything loses nothing."""
    script = (
        "import os, signal, sys\n"
        "from quiz.store import Mode, Store\n"
        "store = Store.open(sys.argv[1])\n"
        "a = store.create_attempt(student_id='k', bank_id='b', bank_title='B', mode=Mode.EXAM,"
        " order=['Q1'])\n"
        "store.save_draft(a, 'Q1', 'typed before the kill')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=Path(__file__).parents[2])
    assert result.returncode == -9
    store = Store.open(tmp_path)
    assert store.unfinished_attempt("k", "b").answer("Q1").draft == "typed before the kill"
    store.close()


def test_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUIZ_DATA_DIR", str(tmp_path / "here"))
    assert default_data_dir() == tmp_path / "here"
    monkeypatch.delenv("QUIZ_DATA_DIR")
    assert default_data_dir().name == "attention-quiz"


def test_export_csv_is_what_grade_answers_reads(store: Store, tmp_path: Path) -> None:
    filled(store)
    out = tmp_path / "out" / "s7.csv"
    result = CliRunner().invoke(
        cli, ["export", "--student", "s7", "--out", str(out), "--data-dir", str(store.path.parent)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 answers of unfinished attempt #1 (student s7)" in result.output
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student_id", "question_id", "answer"]
    assert [(r["question_id"], r["answer"]) for r in rows] == [
        ("Q2", "left only, a draft"),
        ("Q1", 'weighted, "quoted"\nsecond line'),
        ("Q3", ""),
    ]
    assert {r["student_id"] for r in rows} == {"s7"}
    assert [p.name for p in out.parent.iterdir()] == ["s7.csv"]  # no temp file left behind


def test_export_json_has_metadata_and_grades(store: Store, tmp_path: Path) -> None:
    attempt = filled(store)
    out = tmp_path / "a.json"
    args = ["export", "--attempt", str(attempt.id), "--out", str(out), "--data-dir", str(store.path.parent)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["attempt"]["student_id"] == "s7" and data["attempt"]["mode"] == "practice"
    assert data["attempt"]["question_order"] == ORDER and data["attempt"]["finished_at"] is None
    records = {r["question_id"]: r for r in data["records"]}
    assert records["Q1"]["grade"]["score"] == 0.5 and records["Q1"]["status"] == "submitted"
    assert records["Q2"]["grade"] is None and records["Q2"]["status"] == "draft"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--student", "nobody", "--out", "x.csv"], "no quiz attempt by student 'nobody'"),
        (["--attempt", "99", "--out", "x.csv"], "no quiz attempt #99"),
        (["--out", "x.txt"], "unknown format"),
    ],
)
def test_export_errors_are_one_clear_line(
    store: Store, tmp_path: Path, args: list[str], message: str
) -> None:
    filled(store)
    result = CliRunner().invoke(cli, ["export", *args, "--data-dir", str(store.path.parent)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--time-limit", "5"], "--time-limit only applies to exams"),
        (["--seed", "3"], "--seed only applies to a shuffled order"),
        (["--student", "two words"], "invalid student id"),
        (["--bank", "no-such-bank"], "no bank named 'no-such-bank'"),
    ],
)
def test_take_rejects_bad_options_before_starting(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["take", *args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and message in result.output


def test_no_heavy_import_before_the_first_screen() -> None:
    """The TUI modules and the commands must not pull in torch, TensorFlow or sentence-transformers."""
    code = (
        "import sys, quiz.__main__, quiz.commands.take, quiz.app, quiz.screens.start, quiz.screens.question,"
        " quiz.screens.results, quiz.screens.dialogs, graders.bank\n"
        "heavy = [m for m in ('torch', 'tensorflow', 'sentence_transformers', 'transformers', 'spacy')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_exported_csv_is_read_by_grade_answers_reader(store: Store, tmp_path: Path) -> None:
    from graders.answer_csv import read_answers

    store.export(filled(store), tmp_path / "a.csv")
    header, rows, problems = read_answers(tmp_path / "a.csv", BANK)
    assert header == ["student_id", "question_id", "answer"] and problems == []
    assert [(row.item.id, row.answer) for row in rows] == [
        ("Q2", "left only, a draft"),
        ("Q1", 'weighted, "quoted"\nsecond line'),
        ("Q3", ""),  # unanswered: graded (as empty) so that it scores 0
    ]


def test_shuffled_order_is_reproducible_from_its_seed() -> None:
    ids = [f"Q{i}" for i in range(1, 21)]
    order, seed = question_order(ids, shuffle=True, seed=11)
    assert seed == 11 and sorted(order) == sorted(ids) and order != ids
    assert question_order(ids, shuffle=True, seed=11)[0] == order
    assert question_order(ids, shuffle=False, seed=None) == (ids, None)
    _, drawn = question_order(ids, shuffle=True, seed=None)
    assert drawn is not None  # stored with the attempt, so the order can be reproduced
