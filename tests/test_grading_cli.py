"""``quiz grade-answers`` and ``quiz calibrate`` through click's CliRunner."""

from __future__ import annotations

import codecs
import csv
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graders.answer_csv import read_answers
from graders.bank import load_bank
from graders.bank_schema import Question
from graders.calibration import Calibration
from graders.grade import Grade, Verdict
from quiz.__main__ import cli

DATA = Path(__file__).parent / "data" / "grading"
OUTPUT = ["score", "points", "verdict", "confidence", "needs_review", "feedback"]


@pytest.fixture()
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    shutil.copy(DATA / "tiny_bank.toml", path)
    return path


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


class EchoGrader:
    """Stands in for the grader, without loading a model: half marks for every answer, with the answer as
    the feedback; ``items`` are the items it was asked to grade by."""

    def __init__(self) -> None:
        self.items: list = []

    def grade_many(self, pairs):
        grades = []
        for item, answer in pairs:
            self.items.append(item)
            grades.append(Grade(item.id, 0.5, 1.0, 2.0, Verdict.PARTIAL, 0.5, False, answer))
        return grades


@pytest.fixture()
def echo(monkeypatch: pytest.MonkeyPatch) -> EchoGrader:
    grader = EchoGrader()
    monkeypatch.setattr("graders.short_answer.ShortAnswerGrader.load", lambda **_: grader)
    return grader


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
        header, row = list(csv.reader(fh, delimiter=";"))  # the input's delimiter
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
    # T2's 8 rows and 2 examples, right and wrong, teach the bank's answer model; T1's 8 rows are too few
    assert "answer model: learned 1 question(s) from 10 graded answer(s)" in result.output
    assert (tmp_path / "tiny.answers.json").exists()

    from graders.short_answer import ShortAnswerGrader

    grader = ShortAnswerGrader.load(bank=bank)
    assert grader.calibration.source.startswith("quiz calibrate g.csv")
    assert grader.answer_model is not None and set(grader.answer_model.questions) == {"T2"}
    assert [q.id for q in grader.questions] == ["T1", "T2"]
    # and so does the quiz in the terminal ('quiz take --bank')
    from quiz.commands.take import load_grader

    assert load_grader(str(bank)).calibration.source.startswith("quiz calibrate g.csv")


def test_grade_answers_output_runs_no_formula_and_reads_back_as_written(
    tmp_path: Path, bank: Path, echo: EchoGrader
) -> None:
    """A student's "=HYPERLINK(...)" is text in the spreadsheet the instructor opens (OWASP: a ' in front),
    numbers stay numbers, and our own reader gives back every cell as it was."""
    answers = [
        '=HYPERLINK("http://x","y")',
        "+1-1",
        "-dash",
        "@SUM(A1)",
        "\tTab",
        "-0.5",
        "plain",
    ]
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["question_id", "answer", "ta_score"], *(["T1", a, "-0.5"] for a in answers)]
        )
    out = tmp_path / "out.csv"
    assert _run("grade-answers", str(src), "--out", str(out), "--bank", str(bank)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    cells = {name: [row[header.index(name)] for row in rows] for name in ("answer", "ta_score", "feedback")}
    escaped = ["'" + a for a in answers[:5]] + ["-0.5", "plain"]
    assert cells["answer"] == cells["feedback"] == escaped
    assert cells["ta_score"] == ["-0.5"] * len(answers)
    assert {row[header.index("points")] for row in rows} == {"1.000"}
    _, read, _ = read_answers(out, load_bank(bank))
    assert [row.answer for row in read] == answers
    assert [row.values["feedback"] for row in read] == answers


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("utf-8", ",", False),
        ("utf-8", ";", False),  # Excel in a decimal-comma locale
        ("utf-8-sig", ";", True),  # Excel's "CSV UTF-8": with a byte-order mark
        ("cp1252", ",", True),  # Excel's "CSV (Comma delimited)" on Windows
        ("utf-16", "\t", True),  # Excel's "Unicode Text"
    ],
)
def test_grade_answers_output_keeps_the_delimiter_and_has_a_bom_when_excel_needs_one(
    tmp_path: Path, bank: Path, echo: EchoGrader, encoding: str, delimiter: str, bom: bool
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(f"question_id{delimiter}answer\r\nT1{delimiter}déjà vu\r\n".encode(encoding))
    assert _run("grade-answers", str(src), "--out", str(out), "--bank", str(bank)).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) == bom
    header, row = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=delimiter))
    assert header == ["question_id", "answer", *OUTPUT] and row[:2] == ["T1", "déjà vu"]


def test_grade_answers_grades_a_bank_question_by_the_bank_even_with_its_own_columns(
    tmp_path: Path, bank: Path, echo: EchoGrader, caplog: pytest.LogCaptureFixture
) -> None:
    """A question_id of the bank wins over the row's question and reference_answer: its rubric and
    misconceptions grade the answer, and rows whose own text differs are named, once."""
    tiny = load_bank(bank)
    t1, t2 = tiny.question("T1"), tiny.question("T2")
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["question_id", "question", "reference_answer", "answer"],
                ["T1", t1.prompt, "They have fewer parameters.", "a"],  # another reference
                ["t2", "  " + t2.prompt.upper(), t2.model_answer, "b"],  # the same, up to case and spaces
                ["T2", "What does the encoder do?", "", "c"],  # another question
                ["X9", "What is 2+2?", "Four.", "d"],  # not in the bank: its own columns grade it
            ]
        )
    with caplog.at_level(logging.WARNING, logger="graders.answer_csv"):
        result = _run("grade-answers", str(src), "--out", str(tmp_path / "out.csv"), "--bank", str(bank))
    assert result.exit_code == 0, result.output
    assert echo.items[:3] == [t1, t2, t2] and all(isinstance(item, Question) for item in echo.items[:3])
    assert echo.items[3].references == ("Four.",) and echo.items[3].id == "X9"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "row(s) 2, 4:" in warning and "bank 'tiny'" in warning and "not used" in warning
