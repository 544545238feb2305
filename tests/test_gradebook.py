"""The gradebook: rows, the gradings log, overrides winning everywhere, the calibrate export."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from graders.answer_csv import read_graded
from graders.bank import load_bank
from graders.errors import InputError
from graders.grade import Grade, RubricHit, Verdict
from graders.gradebook import SCHEMA_VERSION, Gradebook, Item, Row


def theory_row(
    student: str, item: str, score: float, *, review: bool = False, answer: str = "an answer"
) -> Row:
    grade = Grade(
        item,
        score,
        score * 2,
        2.0,
        Verdict.PARTIAL,
        0.4,
        review,
        "half of it",
        (RubricHit("p1", "a point", 1.0, True, 0.8),),
    )
    return Row(
        student,
        item,
        "theory",
        "graded",
        grade.points,
        2.0,
        f"hash-{answer}",
        "v1",
        grade.to_dict(),
        needs_review=review,
        source=answer,
    )


@pytest.fixture
def book(tmp_path: Path) -> Gradebook:
    book = Gradebook.open(tmp_path / "class.sqlite")
    book.set_items(
        [
            Item("Q1", "theory", "What is BERT?", 2.0, 0, {"model_answer": "A bidirectional encoder."}),
            Item("Q2", "theory", "What is attention?", 2.0, 1, {}),
        ]
    )
    book.put(
        [
            theory_row("s1", "Q1", 0.5, review=True, answer="BERT reads both ways"),
            theory_row("s1", "Q2", 1.0),
            theory_row("s2", "Q1", 0.25),
        ]
    )
    yield book
    book.close()


def test_rows_and_totals(book: Gradebook) -> None:
    assert book.students() == ["s1", "s2"]
    assert book.totals() == {"s1": 3.0, "s2": 0.5}
    assert Grade.from_dict(book.row("s1", "Q1").result).rubric[0].covered
    assert book.grading_counts() == {("s1", "Q1"): 1, ("s1", "Q2"): 1, ("s2", "Q1"): 1}


def test_override_wins_and_leaves_the_review_queue(book: Gradebook) -> None:
    assert [(r.student_id, r.item) for r in book.review_queue()] == [("s1", "Q1")]
    book.set_override("s1", "Q1", score=0.75, comment="good enough")
    assert book.review_queue() == []
    assert book.effective_points()[("s1", "Q1")] == 1.5
    assert book.totals()["s1"] == 3.5
    # a regrade of the same answer does not discard the decision
    book.put([theory_row("s1", "Q1", 0.5, review=True, answer="BERT reads both ways")])
    assert book.totals()["s1"] == 3.5
    book.clear_override("s1", "Q1")
    assert book.totals()["s1"] == 3.0


def test_accept_keeps_machine_score(book: Gradebook) -> None:
    decision = book.set_override("s1", "Q1")
    assert (decision.action, decision.points) == ("accept", 1.0)
    assert book.review_queue() == []


def test_override_errors(book: Gradebook) -> None:
    with pytest.raises(InputError, match="out of range"):
        book.set_override("s1", "Q1", score=1.5)
    with pytest.raises(InputError, match="no graded answer"):
        book.set_override("s9", "Q1", score=1.0)


def test_export_graded_csv_reads_back_for_calibrate(book: Gradebook, tmp_path: Path) -> None:
    book.set_override("s1", "Q1", score=0.75)
    book.set_override("s2", "Q1")
    out = tmp_path / "graded.csv"
    assert book.export_graded_csv(out) == 2
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {"question_id": "Q1", "answer": "BERT reads both ways", "score": "0.75"},
        {"question_id": "Q1", "answer": "an answer", "score": "0.25"},
    ]


def test_export_graded_csv_runs_no_formula_and_reads_back_for_calibrate_as_it_was(
    book: Gradebook, tmp_path: Path
) -> None:
    """Answers that a spreadsheet would run as a formula get a ' in front (OWASP), a score stays a number,
    and calibrate's reader gives back every answer as the student wrote it, quotes of their own included."""
    answers = ["=1+1", "+A1", "-x", "@SUM(A1)", "\tTab", "\rCR", "'=quoted", "''-x", "'tis", "-0.5", "plain"]
    book.put([theory_row(f"s{i:02d}", "Q1", 0.5, answer=a) for i, a in enumerate(answers)])
    for i in range(len(answers)):
        book.set_override(f"s{i:02d}", "Q1", score=0.75)
    out = tmp_path / "graded.csv"
    assert book.export_graded_csv(out) == len(answers)
    with out.open(newline="") as handle:
        cells = [row[1:] for row in csv.reader(handle)][1:]
    written = ["'=1+1", "'+A1", "'-x", "'@SUM(A1)", "'\tTab", "'\rCR", "''=quoted", "'''-x", "'tis", "-0.5"]
    assert cells == [[text, "0.75"] for text in [*written, "plain"]]
    rows, problems = read_graded(out, load_bank())
    assert not problems and [(r.answer, r.score) for r in rows] == [(a, 0.75) for a in answers]


def test_forget_unusable_drops_no_grade_failure_or_decision(book: Gradebook) -> None:
    def row(student: str, item: str, status: str, content: str = "h") -> Row:
        return Row(student, item, "practical", status, 0.0, 0.0, content, "v", {}, error="not graded")

    book.set_override("s2", "Q1", score=1.0)  # on the answer of hash "hash-an answer"
    book.put(
        [
            row("s1", "file:helper.py", "invalid"),  # an input the batch could not use
            row("s1", "spacy_ner", "invalid"),  # a submission the runner rejected
            row("s1", "text_augmentation", "error"),  # the grader failed: retried, never forgotten
            row("s2", "Q1", "invalid", "hash-an answer"),  # unusable now, but decided on
        ]
    )
    keys = [(r.student_id, r.item) for r in book.rows()]
    book.forget_unusable(keys)
    assert [(r.student_id, r.item, r.status) for r in book.rows()] == [
        ("s1", "Q1", "graded"),
        ("s1", "Q2", "graded"),
        ("s1", "text_augmentation", "error"),
        ("s2", "Q1", "invalid"),
    ]
    assert book.overrides()[("s2", "Q1")].score == 1.0
    assert set(book.grading_counts()) == set(keys)  # the log keeps every grading


def test_failed_transaction_leaves_nothing(book: Gradebook) -> None:
    good = theory_row("s3", "Q1", 1.0)
    bad = Row("s3", "Q2", "theory", "graded", 1.0, 2.0, "h", "v", {"x": {1, 2}})  # a set is not JSON
    with pytest.raises(TypeError):
        book.put([good, bad])
    assert book.row("s3", "Q1") is None
    assert ("s3", "Q1") not in book.grading_counts()


def test_open_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        Gradebook.open(tmp_path / "missing.sqlite", create=False)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database " * 100)
    with pytest.raises(InputError, match="not a gradebook"):
        Gradebook.open(junk)


def test_committed_rows_survive_another_connection(book: Gradebook) -> None:
    with sqlite3.connect(book.path) as other:
        assert other.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 3


def test_decision_applies_only_to_the_answer_it_was_made_on(book: Gradebook, tmp_path: Path) -> None:
    book.set_override("s1", "Q1", score=0.25, comment="see me")
    # the attempt is re-exported with another answer, which the grader is sure about
    book.put([theory_row("s1", "Q1", 0.75, answer="BERT is a bidirectional encoder")])
    assert book.overrides() == {}
    assert book.effective_points()[("s1", "Q1")] == 1.5 and book.totals()["s1"] == 3.5
    [earlier] = book.earlier_overrides()
    assert (earlier.student_id, earlier.item, earlier.comment) == ("s1", "Q1", "see me")
    assert [(r.student_id, r.item) for r in book.review_queue()] == [("s1", "Q1")]
    assert book.export_graded_csv(tmp_path / "graded.csv") == 0  # never the new answer with the old score
    # deciding on the new answer keeps the earlier decision; going back to the old answer brings it back
    book.set_override("s1", "Q1", score=1.0)
    assert book.review_queue() == [] and book.totals()["s1"] == 4.0
    assert [o.comment for o in book.earlier_overrides()] == ["see me"]
    book.put([theory_row("s1", "Q1", 0.5, review=True, answer="BERT reads both ways")])
    assert (book.overrides()[("s1", "Q1")].comment, book.totals()["s1"]) == ("see me", 2.5)
    assert book.review_queue() == [] and book.earlier_overrides()[0].score == 1.0


def test_a_version_1_gradebook_keeps_its_decisions(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Gradebook.open(path) as book:
        book.put([theory_row("s1", "Q1", 0.5, review=True)])
    with sqlite3.connect(path) as db:  # the overrides table as version 1 made it: one decision per item
        db.execute("DROP TABLE overrides")
        db.execute(
            "CREATE TABLE overrides (student_id TEXT NOT NULL, item TEXT NOT NULL, action TEXT NOT NULL,"
            " score REAL NOT NULL, points REAL NOT NULL, comment TEXT NOT NULL DEFAULT '',"
            " content_hash TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (student_id, item))"
        )
        db.execute(
            "INSERT INTO overrides VALUES ('s1', 'Q1', 'override', 0.25, 0.5, 'see me', 'hash-an answer', 1)"
        )
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    with Gradebook.open(path) as book:
        assert book.overrides()[("s1", "Q1")].comment == "see me"
        book.put([theory_row("s1", "Q1", 0.75, answer="another answer")])
        book.set_override("s1", "Q1")
        assert [o.comment for o in book.earlier_overrides()] == ["see me"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == SCHEMA_VERSION
