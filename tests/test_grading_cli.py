"""``quiz grade-answers`` and ``quiz calibrate`` through click's CliRunner."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graders.calibration import Calibration
from quiz.__main__ import cli

DATA = Path(__file__).parent / "data" / "grading"


@pytest.fixture()
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    shutil.copy(DATA / "tiny_bank.toml", path)
    return path


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.models
def test_grade_answers_keeps_columns_and_skips_bad_rows(tmp_path: Path, bank: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "student_id,question_id,answer\n"
        "s1,T1,Transformers process all tokens in parallel while RNNs go one step at a time.\n"
        "s2,T11,unknown question\n"
        "s3,T2,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = _run("grade-answers", str(src), "--out", str(out), "--bank", str(bank))
    assert result.exit_code == 0, result.output
    assert "row 3: unknown question id 'T11'" in result.output and "did you mean" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # the skipped row stays in its place, so that the output lines up with the input
    assert [r["student_id"] for r in rows] == ["s1", "s2", "s3"]
    assert set(rows[0]) >= {"score", "points", "verdict", "confidence", "needs_review", "feedback"}
    assert float(rows[0]["points"]) == pytest.approx(2 * float(rows[0]["score"]), abs=2e-3)
    assert rows[1]["score"] == "" and rows[1]["feedback"].startswith("Not graded: unknown question id 'T11'")
    assert rows[2]["score"] == "0.000" and rows[2]["verdict"] == "incorrect"
    assert "1 row(s) skipped (1 of them in the output as 'Not graded')" in result.output


@pytest.mark.models
def test_grade_answers_keeps_input_columns_named_like_its_own(tmp_path: Path, bank: Path) -> None:
    """A TA's score and two columns of one name come out beside the grade, not overwritten by it."""
    src = tmp_path / "in.csv"
    src.write_text(
        "question_id;answer;Score;comment;comment\r\n"
        "T1;Transformers process all tokens in parallel.;0,5;first note;second note\r\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = _run("grade-answers", str(src), "--out", str(out), "--bank", str(bank))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        header, row = list(csv.reader(fh))
    assert header[:5] == ["question_id", "answer", "input_Score", "comment", "comment (2)"]
    assert row[2:5] == ["0,5", "first note", "second note"]
    assert header[5:] == ["score", "points", "verdict", "confidence", "needs_review", "feedback"]


def test_grade_answers_with_no_usable_row_writes_nothing(tmp_path: Path, bank: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("question_id,answer\nT11,unknown question\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("earlier grades\n", encoding="utf-8")
    result = _run("grade-answers", str(src), "--out", str(out), "--bank", str(bank))
    assert result.exit_code != 0 and "no answer to grade (1 row(s) skipped)" in result.output
    assert out.read_text(encoding="utf-8") == "earlier grades\n"


def test_grade_answers_checks_its_output_path_before_grading(
    tmp_path: Path, bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_models(*args, **kwargs):
        raise AssertionError("the models were loaded before the output path was checked")

    monkeypatch.setattr("graders.short_answer.ShortAnswerGrader.load", no_models)
    src = tmp_path / "in.csv"
    src.write_text("question_id,answer\nT1,Tokens are processed in parallel.\n", encoding="utf-8")
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = _run("grade-answers", str(src), "--out", str(tmp_path / "file" / "out.csv"), "--bank", str(bank))
    assert result.exit_code != 0 and "cannot write" in result.output and "Traceback" not in result.output


def test_grade_answers_missing_column_is_a_clear_error(tmp_path: Path, bank: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("question_id,text\nT1,hello\n", encoding="utf-8")
    result = _run("grade-answers", str(src), "--out", str(tmp_path / "o.csv"), "--bank", str(bank))
    assert result.exit_code != 0 and "no 'answer' column" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_grade_answers_refuses_to_write_over_its_input(tmp_path: Path, bank: Path) -> None:
    src = tmp_path / "in.csv"
    text = "question_id,answer\nT1,Tokens are processed in parallel.\n"
    src.write_text(text, encoding="utf-8")
    result = _run("grade-answers", str(src), "--out", str(tmp_path / "." / "in.csv"), "--bank", str(bank))
    assert result.exit_code != 0 and "is the input file" in result.output
    assert src.read_text(encoding="utf-8") == text


def test_calibrate_refuses_too_little_data(tmp_path: Path, bank: Path) -> None:
    src = tmp_path / "g.csv"
    src.write_text("question_id,answer,score\nT1,a,1\nT1,b,0\n", encoding="utf-8")
    result = _run("calibrate", str(src), "--bank", str(bank))
    assert result.exit_code != 0 and "too little to calibrate" in result.output


@pytest.mark.models
def test_calibrate_stores_a_calibration_the_grader_uses(tmp_path: Path, bank: Path) -> None:
    good = {
        "T1": [
            "Transformers handle every token in parallel; RNNs go step by step, so training is faster.",
            "All positions are processed at once instead of sequentially, which speeds up GPU training.",
        ],
        "T2": [
            "It generates the output sequence token by token from the encoder's representation.",
            "Using the encoded input, the decoder writes the output one word at a time until an end token.",
        ],
    }
    bad = {
        "T1": ["Transformers have fewer parameters than RNNs.", "They are newer and better."],
        "T2": ["The decoder compresses the input into a vector.", "Seq2seq is used for chatbots."],
    }
    src = tmp_path / "g.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["question_id", "answer", "score"])
        for qid in good:
            writer.writerows([qid, a, 1.0] for a in good[qid] * 2)
            writer.writerows([qid, a, 0.0] for a in bad[qid] * 2)
        writer.writerow(["T7", "nope", 0.5])
    with bank.open("a", encoding="utf-8") as fh:  # the bank's own graded examples join the fit
        for score, answer in ((1.0, good["T2"][0]), (0.0, bad["T2"][0])):
            fh.write(f'\n[[questions.examples]]\nscore = {score}\nanswer = "{answer}"\n')
    result = _run("calibrate", str(src), "--bank", str(bank))
    assert result.exit_code == 0, result.output
    assert "row 18: unknown question id 'T7'" in result.output
    assert "16 answer(s) to 2 question(s) and the bank's 2 graded example(s)" in result.output
    stored = tmp_path / "tiny.calibration.json"
    assert stored.exists()
    assert Calibration.load(stored).n_rows == 18

    from graders.short_answer import ShortAnswerGrader

    grader = ShortAnswerGrader.load(bank=bank)
    assert grader.calibration.source.startswith("quiz calibrate g.csv")
    assert [q.id for q in grader.questions] == ["T1", "T2"]
    # and so does the quiz in the terminal ('quiz take --bank')
    from quiz.commands.take import load_grader

    assert load_grader(str(bank)).calibration.source.startswith("quiz calibrate g.csv")
