"""``quiz batch`` on a synthetic class of 30 students (tests/classroom.py): kill mid-batch and resume,
totals, similarity flags, CSV, overrides; and the same grading through a Dask LocalCluster. Then the
inputs instructors find in class folders: repeated answers, spreadsheet re-saves, near-miss file names,
and what each run reports about them."""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from graders import batch
from graders.answer_csv import Row as AnswerRow
from graders.answer_csv import output_table, write_atomically
from graders.batch import discover, read_inputs, run_batch
from graders.errors import InputError
from graders.grade import Grade, Verdict
from graders.gradebook import Gradebook, Row
from graders.report import class_data
from graders.results import CheckResult, Metadata, Report, write_gradescope, write_json
from quiz.__main__ import cli
from quiz.store import Mode, Store
from tests.classroom import BROKEN_ATTEMPT, CODE_PAIR, STUDENTS, THEORY_PAIR, build_class, theory_assignment
from tests.test_cli import CANNOT_READ

PROJECT = Path(__file__).resolve().parents[1]


def slow(test):  # grades with the real runner and embedding model
    return pytest.mark.slow(pytest.mark.models(test))


def batch_process(root: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "quiz", "batch", str(root), "--out", str(out), "--workers", "2"],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def committed(gradebook: Path) -> dict[tuple[str, str], tuple[str, float]]:
    if not gradebook.exists():
        return {}
    try:
        with sqlite3.connect(gradebook) as db:
            return {
                (s, i): (k, t)
                for s, i, k, t in db.execute("SELECT student_id, item, kind, graded_at FROM results")
            }
    except sqlite3.OperationalError:  # the schema is not there yet
        return {}


def copy_gradebook(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Grade the class: start a batch, SIGKILL it once a practical is committed, then rerun it."""
    base = tmp_path_factory.mktemp("class")
    root, gradebook = build_class(base / "class"), base / "class.sqlite"
    first = batch_process(root, gradebook)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and first.poll() is None:
        if any(kind == "practical" for kind, _ in committed(gradebook).values()):
            break
        time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    before_kill = committed(gradebook)
    second = batch_process(root, gradebook)
    output = second.communicate(timeout=1800)[0].decode()
    assert second.returncode == 0, output
    return {"root": root, "gradebook": gradebook, "before_kill": before_kill, "output": output}


@slow
def test_kill_and_resume_loses_nothing_and_grades_nothing_twice(graded: dict) -> None:
    before = graded["before_kill"]
    after = committed(graded["gradebook"])
    with sqlite3.connect(graded["gradebook"]) as db:
        log = db.execute("SELECT student_id, item, content_hash, version, graded_at FROM gradings").fetchall()
        rows = {
            (s, i): (h, v)
            for s, i, h, v in db.execute("SELECT student_id, item, content_hash, version FROM results")
        }
    assert before and len(before) < len(after), "the kill must land mid-batch"
    assert set(before) <= set(after)
    # nothing is graded twice: never the same content by the same version of the checks or grader
    assert len({entry[:4] for entry in log}) == len(log)
    # a row committed before the kill was kept, unless the grader or checks changed in between
    # (tests running next to edits of the grader see that; then it is regraded once, by the new version)
    for key, (_, graded_at) in before.items():
        first = {entry[4]: entry[3] for entry in log if entry[:2] == key}
        assert graded_at in first and (after[key][1] == graded_at or first[graded_at] != rows[key][1])


@slow
def test_gradebook_totals_and_scores(graded: dict) -> None:
    with Gradebook.open(graded["gradebook"], create=False) as book:
        rows = {(r.student_id, r.item): r for r in book.rows()}
        totals = book.totals()
    assert sorted(totals) == STUDENTS
    for student in STUDENTS:
        assert totals[student] == pytest.approx(sum(r.points for (s, _), r in rows.items() if s == student))
    ref_ner, ref_aug = rows[("s01", "spacy_ner")], rows[("s01", "text_augmentation")]
    assert ref_ner.points == ref_ner.max_points > 0 and ref_aug.points == ref_aug.max_points > 0
    for honest in ("s02", "s03", "s04", "s05"):  # independently written correct solutions
        assert rows[(honest, "spacy_ner")].points == ref_ner.max_points
    assert rows[("s06", "spacy_ner")].points == 0 and rows[("s08", "text_augmentation")].points == 0
    broken = rows[("s07", "spacy_ner")]
    assert broken.status == "graded" and broken.points == 0
    assert any(
        "extract_entities" in c["message"] or "syntax" in c["message"].lower()
        for c in broken.result["checks"]
    )
    assert 0 < rows[("s09", "text_augmentation")].points < ref_aug.max_points  # the planted bug costs points
    invalid = [r for r in rows.values() if r.status != "graded"]
    assert [(r.student_id, r.status) for r in invalid] == [(BROKEN_ATTEMPT, "invalid")]
    # the theory grades follow the human grades of the same answers
    machine, human = [], []
    for student, answers in theory_assignment().items():
        for answer in answers:
            if answer["score"]:
                row = rows[(student, answer["question_id"])]
                machine.append(row.points / row.max_points)
                human.append(float(answer["score"]))
    assert len(machine) == 120 and np.corrcoef(machine, human)[0, 1] > 0.5


@slow
def test_similarity_flags_find_both_planted_pairs_and_nothing_else(graded: dict) -> None:
    with Gradebook.open(graded["gradebook"], create=False) as book:
        flags = {(f.kind, f.item, f.student_a, f.student_b): f for f in book.similarity()}
    a, b, question = THEORY_PAIR
    c, d, practical = CODE_PAIR
    assert set(flags) == {("theory", question, a, b), ("practical", practical, c, d)}
    assert "huge amounts" in flags[("theory", question, a, b)].evidence["answer_a"]
    assert "_get_nlp" in flags[("practical", practical, c, d)].evidence["lines_b"]


@slow
def test_rerun_skips_unchanged_and_regrades_what_changed(graded: dict, tmp_path: Path) -> None:
    root = shutil.copytree(graded["root"], tmp_path / "class")
    gradebook = copy_gradebook(graded["gradebook"], tmp_path / "class.sqlite")
    with Gradebook.open(gradebook) as book:
        run_batch(
            root, book, similarity=False
        )  # regrades only if the grader was edited since the fixture ran
        counts = book.grading_counts()
        outcome = run_batch(root, book, similarity=False)
        assert outcome.graded == 0 and outcome.skipped == len(book.rows())
        attempt = root / "s02" / "attempt.csv"
        with attempt.open(newline="") as handle:
            records = list(csv.reader(handle))
        records[1][2] += " It also uses attention."
        with attempt.open("w", newline="") as handle:
            csv.writer(handle).writerows(records)
        outcome = run_batch(root, book, similarity=False)
        assert outcome.graded == 1
        changed = {key for key, count in book.grading_counts().items() if count != counts[key]}
        assert changed == {("s02", records[1][1])}


@slow
def test_csv_overrides_and_feedback(graded: dict, tmp_path: Path) -> None:
    gradebook = copy_gradebook(graded["gradebook"], tmp_path / "class.sqlite")
    with Gradebook.open(gradebook) as book:
        queue = book.review_queue()
        target = queue[0] if queue else book.rows(kind="theory")[0]
        book.set_override(target.student_id, target.item, score=1.0, comment="full marks after review")
        expected = book.totals()
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(gradebook),
            "--csv",
            str(out / "grades.csv"),
            "--feedback-dir",
            str(out / "feedback"),
            "--html",
            str(out / "report.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    with (out / "grades.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [r["student_id"] for r in table] == STUDENTS
    assert list(table[0])[0] == "student_id" and list(table[0])[-1] == "total"
    assert "Q1" in table[0] and "spacy_ner" in table[0]
    for row in table:
        items = sum(float(v) for k, v in row.items() if k not in ("student_id", "total"))
        assert (
            float(row["total"])
            == pytest.approx(items, abs=1e-3)
            == pytest.approx(expected[row["student_id"]])
        )
    overridden = next(r for r in table if r["student_id"] == target.student_id)
    assert float(overridden[target.item]) == target.max_points
    feedback = json.loads((out / "feedback" / target.student_id / "feedback.json").read_text())
    entry = next(e for e in feedback["items"] if e["item"] == target.item)
    assert (
        entry["points"] == target.max_points and entry["instructor"]["comment"] == "full marks after review"
    )
    gradescope = json.loads((out / "feedback" / target.student_id / "results.json").read_text())
    assert gradescope["score"] == pytest.approx(expected[target.student_id])
    assert "review" in (out / "report.html").read_text()


@slow
def test_dask_local_cluster_grades_like_local_workers(graded: dict, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    root = build_class(tmp_path / "class", students=["s01", "s04"], question_ids=["Q1", "Q6", "Q11"])
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Gradebook.open(tmp_path / "dask.sqlite") as book,
    ):
        outcome = run_batch(root, book, scheduler=cluster.scheduler_address, similarity=False)
        on_dask = {(r.student_id, r.item): r.points for r in book.rows()}
    assert outcome.errors == 0 and outcome.graded == len(on_dask) == 9  # 2 x 3 answers + 3 practicals
    # the practicals as in the class run; the theory as graded in this process from the same chunk
    with Gradebook.open(graded["gradebook"], create=False) as reference:
        for key in [("s01", "spacy_ner"), ("s01", "text_augmentation"), ("s04", "spacy_ner")]:
            assert on_dask[key] == reference.row(*key).points
    theory_only = shutil.copytree(root, tmp_path / "theory", ignore=shutil.ignore_patterns("*.py"))
    with Gradebook.open(tmp_path / "local.sqlite") as book:
        run_batch(theory_only, book, workers=1, similarity=False)
        local = {(r.student_id, r.item): r.points for r in book.rows()}
    assert local == {key: value for key, value in on_dask.items() if key[1].startswith("Q")}


def test_read_inputs_reads_real_exports_and_reports_bad_files(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    attempt = store.create_attempt(
        student_id="x", bank_id="attention-transfer", bank_title="t", mode=Mode.EXAM, order=["Q1", "Q2"]
    )
    store.submit(attempt, "Q1", 'weighted, "quoted"\nsecond line')
    store.export(attempt, tmp_path / "class" / "s1" / "attempt.json")
    store.export(attempt, tmp_path / "class" / "s2" / "attempt.csv")
    store.close()
    (tmp_path / "class" / "s2" / "spacy_ner.py").write_text("def extract_entities(text): ...\n")
    (tmp_path / "class" / "s3").mkdir()
    (tmp_path / "class" / "s3" / "answers.csv").write_text("\ufeffquestion,answer\nQ1,x\n")
    (tmp_path / "class" / "s3" / "notes.txt").write_text("ignored")
    inputs = read_inputs(tmp_path / "class")
    assert inputs.files == {"s2": {"spacy_ner": tmp_path / "class" / "s2" / "spacy_ner.py"}}
    got = {(a.student_id, a.question_id): a.text for a in inputs.answers}
    assert got == {
        ("s1", "Q1"): 'weighted, "quoted"\nsecond line',
        ("s1", "Q2"): "",
        ("s2", "Q1"): 'weighted, "quoted"\nsecond line',
        ("s2", "Q2"): "",
    }
    assert [(r.student_id, r.item, r.status) for r in inputs.invalid] == [
        ("s3", "attempt:answers.csv", "invalid")
    ]
    assert "question_id" in inputs.invalid[0].error
    with pytest.raises(InputError, match="does not exist"):
        discover(tmp_path / "missing")


def test_a_refitted_answer_model_changes_the_version_theory_answers_are_graded_by(tmp_path: Path) -> None:
    """``quiz calibrate`` refits a bank's answer model next to it: the next batch regrades."""
    bank = tmp_path / "tiny.toml"
    bank.write_text((Path(__file__).parent / "data" / "grading" / "tiny_bank.toml").read_text())
    _write(tmp_path / "class" / "s1" / "answers.csv", "question_id,answer\nT1,in parallel\n")
    before = read_inputs(tmp_path / "class", bank=str(bank))
    (tmp_path / "tiny.answers.json").write_text('{"format": 1}')
    after = read_inputs(tmp_path / "class", bank=str(bank))
    assert before.answer_model == "" and after.answer_model
    assert "answer_model.py" in batch.GRADER_SOURCES


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "Error: class folder {root} does not exist"),
        ("empty", "Error: no student submissions in {root}"),
        ("unknown bank", "Error: no bank named 'no-such-bank'"),
    ],
)
def test_batch_input_mistakes_fail_before_writing_anything(tmp_path: Path, case: str, message: str) -> None:
    root, out = tmp_path / "class", tmp_path / "results" / "class.sqlite"
    if case != "missing":
        root.mkdir()
    if case == "unknown bank":
        (root / "s1").mkdir()
        (root / "s1" / "attempt.csv").write_text("question_id,answer\nQ1,attention\n")
    before = sorted(tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(out), "--bank", "no-such-bank"])
    assert result.exit_code == 1, result.output
    error, *hint = result.output.splitlines()
    assert error.startswith(message.format(root=root)), result.output
    assert len(hint) <= 1 and all(line.startswith("  fix: ") for line in hint), result.output
    assert sorted(tmp_path.rglob("*")) == before


def test_batch_unreachable_scheduler_fails_before_writing_anything(tmp_path: Path) -> None:
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    root, out = tmp_path / "class", tmp_path / "results" / "class.sqlite"
    (root / "s1").mkdir(parents=True)
    (root / "s1" / "spacy_ner.py").write_text("def extract_entities(text): ...\n")
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    before = sorted(tmp_path.rglob("*"))
    start = time.monotonic()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(out), "--scheduler", address])
    assert result.exit_code == 1, result.output
    assert sorted(tmp_path.rglob("*")) == before  # no gradebook, not even its folder
    error, *hint = result.output.splitlines()
    assert error.startswith(f"Error: cannot reach the Dask scheduler at {address}"), result.output
    assert len(hint) <= 1 and all(line.startswith("  fix: ") for line in hint), result.output
    assert time.monotonic() - start < 20  # Dask's connect timeout applies, not a fixed 30 s


# --- inputs as instructors find them: repeated answers, spreadsheet re-saves, near-miss file names ---------


def _graded_without_model(task: batch.TheoryTask) -> list[Row]:
    """Stands in for the grader in tests of what the batch reads and keeps (the row's source tells which
    answer was graded): full marks for every answer, without loading the model."""
    return [
        Row(
            a.student_id,
            a.question_id,
            "theory",
            "graded",
            1.0,
            1.0,
            content,
            version,
            Grade(a.question_id, 1.0, 1.0, 1.0, Verdict.CORRECT, 0.9, False, "full marks").to_dict(),
            source=a.text,
            source_path=a.source_path,
        )
        for a, content, version in task.answers
    ]


def _checked_without_runner(task: batch.PracticalTask) -> list[Row]:
    """Stands in for the runner: a file whose code says ``unusable`` is rejected as the runner rejects a
    submission it cannot use (status ``invalid``), any other file gets full marks."""
    unusable = "unusable" in Path(task.path).read_text()
    return [
        Row(
            task.student_id,
            task.practical,
            "practical",
            "invalid" if unusable else "graded",
            0.0 if unusable else 1.0,
            0.0 if unusable else 1.0,
            task.content_hash,
            task.version,
            {},
            error="cannot use it" if unusable else "",
            source_path=task.path,
        )
    ]


def _write(path: Path, text: str | bytes, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_a_repeated_answer_is_graded_once_by_a_stated_rule_reported_and_not_regraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root = tmp_path / "class"
    good = "Attention lets every position weigh every other position by its relevance."
    # ann saved attempt1 last: the most recently modified file wins, whatever the names say; a blank
    # answer (an unanswered question in an export) is no answer and loses to any other
    _write(root / "ann" / "attempt1.csv", f"question_id,answer\nQ1,{good}\nQ3,\n", mtime=2_000_000_000)
    _write(
        root / "ann" / "attempt2.csv",
        "question_id,answer\nQ1,I don't know\nQ3,Softmax turns the scores into weights.\n",
        mtime=1_000_000_000,
    )
    _write(root / "bob" / "attempt.csv", "question_id,answer\nQ2,first try\nQ4,x\nQ2,second try\n")
    store = Store(tmp_path / "store.sqlite3")  # zoe exported the same attempt twice: nothing to report
    attempt = store.create_attempt(
        student_id="zoe", bank_id="attention-transfer", bank_title="t", mode=Mode.EXAM, order=["Q1", "Q2"]
    )
    store.submit(attempt, "Q1", 'weighted, "quoted"\nsecond line')
    store.export(attempt, root / "zoe" / "zoe.json")
    store.export(attempt, root / "zoe" / "zoe.csv")
    store.close()

    kept, counts, warnings = None, None, []
    with Gradebook.open(tmp_path / "class.sqlite") as book:
        for run in range(3):
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="graders.batch"):
                outcome = run_batch(root, book, similarity=False)
            assert outcome.repeated == 2  # ann's Q1 and bob's Q2, every run; not zoe's two copies of one
            warnings.append(sorted(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING))
            now = {(r.student_id, r.item): r.source for r in book.rows()}
            if run == 0:
                kept, counts = now, book.grading_counts()
            else:  # nothing changed: nothing is regraded, every grade stays
                assert outcome.graded == 0 and book.grading_counts() == counts and now == kept
    assert len(warnings[0]) == 2 and warnings[0] == warnings[1] == warnings[2], warnings  # every run says so
    ann, bob = warnings[0]
    assert all(word in ann for word in ("ann", "Q1", "attempt1.csv", "attempt2.csv")), ann
    assert all(word in bob for word in ("bob", "Q2", "attempt.csv row 2", "attempt.csv row 4")), bob
    assert kept[("ann", "Q1")] == good and kept[("ann", "Q3")] == "Softmax turns the scores into weights."
    assert kept[("bob", "Q2")] == "second try"  # within a file the last row
    assert kept[("zoe", "Q1")] == 'weighted, "quoted"\nsecond line'
    assert len(kept) == 6


def test_attempt_csvs_are_read_as_tolerantly_as_grade_answers_reads_them(tmp_path: Path) -> None:
    root = tmp_path / "class"
    # Excel's re-save: semicolons, a byte-order mark, CRLF; Excel on Windows: Windows-1252
    _write(root / "s1" / "excel.csv", "\ufeffstudent_id;question_id;answer\r\ns1;Q1;Scores, then softmax\r\n")
    _write(root / "s2" / "windows.csv", "question_id,answer\r\nQ2,Le modèle apprend\r\n".encode("cp1252"))
    # an LMS export: its own column names, ids in other case and spacing, one id not in the bank
    _write(root / "s3" / "lms.csv", "Question ID,Answer\nq1,x\n Q3,y\nQ21,z\n")
    _write(
        root / "s4" / "attempt.json",
        json.dumps(
            {"attempt": {}, "records": [{"question_id": "q5", "answer": "j"}, {"question_id": "Q55"}]}
        ),
    )
    inputs = read_inputs(root)
    assert {(a.student_id, a.question_id): a.text for a in inputs.answers} == {
        ("s1", "Q1"): "Scores, then softmax",
        ("s2", "Q2"): "Le modèle apprend",
        ("s3", "Q1"): "x",
        ("s3", "Q3"): "y",
        ("s4", "Q5"): "j",
    }
    problems = {(r.student_id, r.item): r.error for r in inputs.invalid}
    assert set(problems) == {("s3", "attempt:lms.csv row 4"), ("s4", "attempt:attempt.json record 2")}
    assert "unknown question id 'Q21'" in problems[("s3", "attempt:lms.csv row 4")]
    assert "did you mean 'Q2'?" in problems[("s3", "attempt:lms.csv row 4")]
    assert "did you mean 'Q5'?" in problems[("s4", "attempt:attempt.json record 2")]


def test_near_miss_practical_names_are_graded_when_unambiguous_and_reported_when_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    root = tmp_path / "class"
    code = "def extract_entities(text): ...\n"
    for student, name in [("a", "SpaCy_NER.py"), ("b", "spacy_ner (1).py"), ("c", "spacy_ner.PY")]:
        _write(root / student / name, code)
    # the exact name wins over a download copy; two near misses and no exact name: neither is guessed
    _write(root / "d" / "spacy_ner.py", code)
    _write(root / "d" / "spacy_ner (1).py", code)
    _write(root / "e" / "SpaCy_NER.py", code)
    _write(root / "e" / "spacy_ner (2).py", code)
    _write(root / "f" / "spacy-ner.py", code)
    _write(root / "f" / "notes.txt", "not code: ignored")
    discovered = discover(root)
    # named in the summary, not unusable
    assert discovered.other_files == (root / "f" / "notes.txt",) and discovered.other_folders == ()
    assert {s: {p: path.name for p, path in by.items()} for s, by in discovered.files.items()} == {
        "a": {"spacy_ner": "SpaCy_NER.py"},
        "b": {"spacy_ner": "spacy_ner (1).py"},
        "c": {"spacy_ner": "spacy_ner.PY"},
        "d": {"spacy_ner": "spacy_ner.py"},
    }
    problems = {(r.student_id, r.item): r.error for r in discovered.invalid}
    assert set(problems) == {
        ("d", "file:spacy_ner (1).py"),
        ("e", "file:SpaCy_NER.py"),
        ("e", "file:spacy_ner (2).py"),
        ("f", "file:spacy-ner.py"),
    }
    assert "did you mean 'spacy_ner'?" in problems[("f", "file:spacy-ner.py")]
    assert all("named spacy_ner.py" in m for key, m in problems.items() if key[0] != "f"), problems
    with Gradebook.open(tmp_path / "class.sqlite") as book:
        outcome = run_batch(root, book, similarity=False)
        reported = {(r.student_id, r.item) for r in class_data(book).problems}
        graded = {r.student_id for r in book.rows() if r.status == "graded"}
    assert outcome.invalid == 4 and reported == set(problems)  # "Work that could not be graded"
    assert graded == {"a", "b", "c", "d"}


@slow
def test_an_upper_case_suffix_is_graded_like_its_lower_case(tmp_path: Path) -> None:
    from practicals import PRACTICALS_DIR

    path = _write(tmp_path / "spacy_ner.PY", (PRACTICALS_DIR / "spacy_ner" / "solution.py").read_text())
    (row,) = batch.grade_practical(batch.PracticalTask("s1", "spacy_ner", str(path), "h", "v"))
    assert row.status == "graded" and row.points == row.max_points > 0, row.result
    assert row.result["submission"] == str(path)


def test_every_run_counts_the_inputs_that_are_unusable_now_and_the_repeated_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root = tmp_path / "class"
    _write(root / "s1" / "attempt.json", '{"records": [{"question_id": ')  # cut short
    _write(root / "s1" / "spacy_ner.py", "unusable")  # the runner rejects it
    _write(root / "s2" / "spacy_ner.py", "def extract_entities(text): ...\n")
    _write(root / "s2" / "helper.py", "x = 1\n")  # named after no practical
    _write(root / "s3" / "answers.csv", "question_id,answer\nQ21,not in the bank\n")
    _write(root / "s4" / "attempt.csv", "question_id,answer\nQ2,first try\nQ2,second try\n")
    out = tmp_path / "class.sqlite"
    summaries = []
    for _ in range(2):
        result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(out)])
        assert result.exit_code == 0, result.output
        summaries.append(result.output.strip().splitlines()[-1])
    counts = "0 failed (4 unusable inputs, 1 repeated answers)"
    assert summaries[0].startswith(f"graded 2, skipped 0 unchanged, {counts}"), summaries
    assert summaries[1].startswith(f"graded 0, skipped 6 unchanged, {counts}"), summaries


def test_progress_is_a_plain_line_per_tenth_where_no_bar_can_be_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    root = tmp_path / "class"
    for i in range(25):
        _write(root / f"s{i:02d}" / "spacy_ner.py", "def extract_entities(text): ...\n")
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "class.sqlite")])
    assert result.exit_code == 0, result.output
    first, *lines = result.stderr.splitlines()
    assert first == "grading 25 items (0 unchanged, skipped)"
    done = [
        re.match(r"grading: (\d+)/25 \((\d+)%\) after \d+s; last: s\d\d/spacy_ner$", line) for line in lines
    ]
    assert all(done), lines
    assert [int(m[1]) for m in done] == [3, 5, 8, 10, 13, 15, 18, 20, 23, 25]  # each tenth, then the end
    assert result.stdout.startswith("graded 25, skipped 0 unchanged")  # the summary stays on stdout
    assert len(result.stdout.splitlines()) == 1  # nothing skipped, nothing said of it
    # on a terminal: the rich bar instead (rich takes FORCE_COLOR for a terminal)
    result = CliRunner().invoke(
        cli, ["batch", str(root), "--out", str(tmp_path / "again.sqlite")], env={"FORCE_COLOR": "1"}
    )
    assert result.exit_code == 0 and "grading: " not in result.stderr and "25/25" in result.stderr


def test_files_written_from_the_gradebook_inside_the_class_folder_are_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gradebook, its report, CSV and review export in a folder of the class folder, and each student's
    feedback in their own folder: none of it is a student's work on the next run. What a student hands in
    is still read, whatever its name."""
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root = tmp_path / "class"
    _write(root / "s1" / "attempt.csv", "question_id,answer\nQ1,Attention weighs the words.\n")
    _write(root / "s2" / "grades.csv", "question_id,answer\nQ2,Softmax turns scores into weights.\n")
    book_path = root / "out" / "class.sqlite"

    def quiz(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1]

    quiz("batch", str(root), "--out", str(book_path))
    with Gradebook.open(book_path, create=False) as book:
        book.set_override("s1", "Q1", score=1.0)
        before = {(r.student_id, r.item): r.status for r in book.rows()}
    quiz("review", str(book_path), "--export", str(root / "out" / "decided.csv"))
    out = root / "out"
    quiz("report", str(book_path), "--csv", str(out / "grades.csv"), "--html", str(out / "report.html"))
    quiz("report", str(book_path), "--feedback-dir", str(root))  # feedback.json, results.json beside the work
    assert (root / "s1" / "feedback.json").is_file() and (root / "s2" / "results.json").is_file()
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(book_path)])
    assert result.exit_code == 0, result.output
    *skipped, summary = result.stdout.strip().splitlines()
    assert summary.startswith("graded 0, skipped 2 unchanged, 0 failed (0 unusable inputs"), summary
    # one line says what was not read, naming the first files: the gradebook's own files in out/ count too
    assert skipped == [
        "not graded, written from this gradebook (reports, feedback, exports): 8 files, out/class.sqlite,"
        " out/decided.csv, out/grades.csv, out/report.html, s1/feedback.json and 3 more"
    ], skipped
    with Gradebook.open(book_path, create=False) as book:
        assert (
            {(r.student_id, r.item): r.status for r in book.rows()}
            == before
            == {
                ("s1", "Q1"): "graded",
                ("s2", "Q2"): "graded",
            }
        )


def test_outputs_of_grade_and_grade_answers_in_a_student_folder_are_not_read_as_attempts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``quiz grade --json`` / ``--gradescope`` and ``quiz grade-answers --out`` keep no gradebook to note
    their outputs in: batch knows them by their content and skips them, saying so in a warning and in its
    summary. The attempts that ``quiz export`` wrote (CSV and JSON) are still read."""
    store = Store(tmp_path / "store.sqlite3")
    attempt = store.create_attempt(
        student_id="x", bank_id="attention-transfer", bank_title="t", mode=Mode.EXAM, order=["Q1"]
    )
    store.submit(attempt, "Q1", "Attention weighs the words.")
    root = tmp_path / "class"
    store.export(attempt, root / "s1" / "attempt.json")
    store.export(attempt, root / "s2" / "attempt.csv")
    store.close()
    check = CheckResult("spacy_ner", "check_0", "entities", 3.0, 3.0, "passed", "", "visible", 0.1)
    meta = Metadata("0.1", "abc", 0, "2026-01-01T00:00:00Z", 1.5, (), ("spacy_ner",), ("visible",))
    report = Report("s1/spacy_ner.py", (check,), meta)
    write_json(report, root / "s1" / "report.json")
    write_gradescope(report, root / "s1" / "results.json")
    grade = Grade("Q1", 0.5, 0.5, 1.0, Verdict.PARTIAL, 0.5, True, "explained", ())
    for name, delimiter, bom in (("graded.csv", ",", False), ("graded-excel.csv", ";", True)):
        header = ["student_id", "question_id", "answer", "score"]  # a TA's score is kept as input_score
        row = AnswerRow(2, dict(zip(header, ["s2", "Q1", "A graded answer.", "1"], strict=True)), None, "")
        columns, rows = output_table(header, [(row, grade)], [])
        write_atomically(root / "s2" / name, columns, rows, delimiter=delimiter, bom=bom)
    with caplog.at_level(logging.INFO, logger="graders.batch"):
        inputs = read_inputs(root)
    assert {(a.student_id, a.question_id, a.text) for a in inputs.answers} == {
        ("s1", "Q1", "Attention weighs the words."),
        ("s2", "Q1", "Attention weighs the words."),
    }
    assert inputs.invalid == []
    expected = [
        ("s1/report.json", "'quiz grade --json'"),
        ("s1/results.json", "'quiz grade --gradescope' or 'quiz report --feedback-dir'"),
        ("s2/graded-excel.csv", "'quiz grade-answers'"),
        ("s2/graded.csv", "'quiz grade-answers'"),
    ]
    # a warning each: a student may have handed one in, and would lose the work without a word
    skipped = {(r.levelno, r.getMessage()) for r in caplog.records if r.getMessage().startswith("ignoring")}
    assert skipped == {
        (logging.WARNING, f"ignoring {root / path} (written by {command}, not a theory attempt)")
        for path, command in expected
    }
    assert inputs.tool_outputs == tuple((root / path, command) for path, command in expected)
    # and the summary of 'quiz batch' names them, a line per command, before its last line
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "class.sqlite")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[:-1] == [
        "not graded, written by 'quiz grade --json': 1 file, s1/report.json",
        "not graded, written by 'quiz grade --gradescope' or 'quiz report --feedback-dir': 1 file,"
        " s1/results.json",
        "not graded, written by 'quiz grade-answers': 2 files, s2/graded-excel.csv, s2/graded.csv",
    ]
    assert result.stdout.strip().splitlines()[-1].startswith("graded 2, skipped 0 unchanged")


def _read_among_junk(root: Path, junk: list[str], caplog: pytest.LogCaptureFixture):
    """``read_inputs(root)`` with the files named in ``junk`` written first, batch's logs captured."""
    for name in junk:
        _write(root / name, b"\x00")
    with caplog.at_level(logging.INFO, logger="graders.batch"):
        return read_inputs(root)


def test_files_neither_practical_nor_attempt_are_named_in_the_summary_and_junk_is_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report handed in as a PDF, the work in a zip, notes: batch reads none of them, and its summary
    names them, as the student may have meant one of them to be graded. Hidden files and folders,
    ``__pycache__`` and what Finder and Explorer leave in folders are nobody's work: never named, nor is
    a ``__pycache__`` in the class folder a student. A notebook is a practical file, listed as such."""
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root = tmp_path / "class"
    _write(root / "s1" / "attempt.csv", "question_id,answer\nQ1,Attention weighs the words.\n")
    _write(root / "s1" / "report.pdf", b"%PDF-1.7\n")
    _write(root / "s2" / "spacy_ner.py", "def extract_entities(text): ...\n")
    _write(root / "s2" / "notes.txt", "see the zip")
    _write(root / "s2" / "work.zip", b"PK\x03\x04")
    _write(root / "s2" / "lab.ipynb", "{}")  # named after no practical: an unusable input instead
    junk = ["s1/.DS_Store", "s1/Thumbs.db", "s1/DESKTOP.INI", "s2/.notes.txt.swp", "s2/.git/config"]
    junk += ["s2/__pycache__/helper.cpython-312.pyc", "__pycache__/conftest.cpython-312.pyc"]
    junk += ["__MACOSX/s1/._attempt.csv", "s2/__MACOSX/._notes.txt"]  # a zip unpacked from a Mac
    inputs = _read_among_junk(root, junk, caplog)
    other = ["s1/report.pdf", "s2/notes.txt", "s2/work.zip"]
    assert inputs.other_files == tuple(root / name for name in other)
    assert inputs.students == ["s1", "s2"] and inputs.tool_outputs == ()
    assert [r.item for r in inputs.invalid] == ["file:lab.ipynb"]
    ignored = {r.getMessage() for r in caplog.records if r.getMessage().startswith("ignoring")}
    assert ignored == {
        f"ignoring {root / name} (neither a practical file nor a theory attempt)" for name in other
    }

    def quiz_batch() -> list[str]:
        result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "class.sqlite")])
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()

    *named, summary = quiz_batch()
    assert named == [
        "not graded, neither a practical nor a theory attempt: 3 files, s1/report.pdf, s2/notes.txt,"
        " s2/work.zip"
    ]
    assert summary.startswith("graded 2, skipped 0 unchanged, 0 failed (1 unusable inputs"), summary
    for name in other:
        (root / name).unlink()
    *named, summary = quiz_batch()  # the junk alone: only the summary
    assert named == [] and summary.startswith("graded 0, skipped 3 unchanged"), summary


def test_folders_inside_student_folders_are_named_in_the_summary_and_junk_folders_are_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the files directly in a student folder are read: work handed in as ``s1/lab3/spacy_ner.py``
    or in ``s2/submission/`` (even a folder named after a practical, or one whose work is deeper in it) is
    not graded, so the summary names each such folder, once, beside the files it did not read. Hidden
    folders, caches and virtualenvs are nobody's work: never named, nor is a folder that holds nothing else
    (empty, or only junk files and folders). Where the work is all in such folders, the error says so."""
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    root = tmp_path / "class"
    code = "def extract_entities(text): ...\n"
    _write(root / "s1" / "spacy_ner.py", code)
    _write(root / "s1" / "lab3" / "spacy_ner.py", code)
    _write(root / "s1" / "lab3" / "data" / "sample.txt", "nested: its folder is named, not it")
    _write(root / "s2" / "report.pdf", b"%PDF-1.7\n")
    _write(root / "s2" / "submission" / "attempt.csv", "question_id,answer\nQ1,Attention weighs.\n")
    _write(root / "s2" / "spacy_ner" / "spacy_ner.py", code)
    _write(root / "s2" / "unzipped" / "lab3" / "spacy_ner.py", code)  # beside a __MACOSX: still named
    junk = ["s1/.git/config", "s1/.ipynb_checkpoints/spacy_ner-checkpoint.py", "s1/__pycache__/x.pyc"]
    junk += ["s2/.venv/pyvenv.cfg", "s2/venv/pyvenv.cfg", "s2/env/pyvenv.cfg", "s2/venv/lib/x.py"]
    junk += ["s2/node_modules/x.js", "s2/site-packages/x.py", "s2/unzipped/__MACOSX/lab3/._spacy_ner.py"]
    # folders that hold nobody's work: empty, at any depth, or with only junk files and folders in them
    for name in ("s1/empty", "s2/drafts/old"):
        (root / name).mkdir(parents=True)
    junk += ["s1/lab4/.DS_Store", "s1/lab4/__pycache__/x.pyc"]
    junk += ["s2/scans/Thumbs.db", "s2/scans/.venv/pyvenv.cfg"]
    inputs = _read_among_junk(root, junk, caplog)
    folders = ["s1/lab3", "s2/spacy_ner", "s2/submission", "s2/unzipped"]
    assert inputs.other_folders == tuple(root / name for name in folders)
    assert inputs.other_files == (root / "s2" / "report.pdf",) and inputs.students == ["s1", "s2"]
    assert {s: list(by) for s, by in inputs.files.items()} == {"s1": ["spacy_ner"]}
    assert inputs.answers == [] and inputs.invalid == []
    ignored = {r.getMessage() for r in caplog.records if "(a folder" in r.getMessage()}
    assert ignored == {
        f"ignoring {root / name} (a folder: only the files directly in a student folder are read)"
        for name in folders
    }
    assert all(r.levelno == logging.INFO for r in caplog.records if "(a folder" in r.getMessage())

    def quiz_batch() -> list[str]:
        result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "class.sqlite")])
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()

    *named, summary = quiz_batch()
    assert named == [
        "not graded, neither a practical nor a theory attempt: 1 file, s2/report.pdf",
        "not graded, folders inside a student folder (only the files directly in it are read): 4 folders,"
        " s1/lab3/, s2/spacy_ner/, s2/submission/, s2/unzipped/",
    ]
    assert summary.startswith("graded 1, skipped 0 unchanged, 0 failed (0 unusable inputs"), summary
    shutil.rmtree(root / "s1" / "lab3")
    *named, summary = quiz_batch()
    assert named[-1].endswith(": 3 folders, s2/spacy_ner/, s2/submission/, s2/unzipped/"), named
    for name in folders[1:]:
        shutil.rmtree(root / name)
    (root / "s2" / "report.pdf").unlink()
    *named, summary = quiz_batch()  # the junk folders alone: only the summary
    assert named == [] and summary.startswith("graded 0, skipped 1 unchanged"), summary
    # the work all in folders inside the student folders: no submissions, and the hint says where they are
    (root / "s1" / "spacy_ner.py").unlink()
    _write(root / "s1" / "submission" / "spacy_ner.py", code)
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "other.sqlite")])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"Error: no student submissions in {root}",
        "  fix: ROOT must hold one folder per student, with the work directly in it: folders inside are not"
        " read (s1/submission/)",
    ]


def test_a_folder_that_cannot_be_read_is_named_as_one_that_may_hold_work(
    tmp_path: Path, chmod: Callable[[Path, int], None]
) -> None:
    """Whether a folder that cannot be read holds work is unknown: it, or the folder in a student folder
    that holds it, is named as a folder not read, neither passed over as one that holds nothing nor a
    crash of the run."""
    root = tmp_path / "class"
    _write(root / "s1" / "spacy_ner.py", "def extract_entities(text): ...\n")
    locked = [root / "s1" / "lab3" / "locked", root / "s1" / "locked"]
    for folder in locked:
        _write(folder / "spacy_ner.py", "def extract_entities(text): ...\n")
        chmod(folder, 0)
    assert discover(root).other_folders == (root / "s1" / "lab3", root / "s1" / "locked")


def _batch(root: Path, out: Path) -> tuple[str, dict[tuple[str, str], tuple[str, str]]]:
    """``quiz batch root --out out``'s summary, and the gradebook's (status, error) of each student x item."""
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with Gradebook.open(out, create=False) as book:
        rows = {(r.student_id, r.item): (r.status, r.error) for r in book.rows()}
    return result.stdout.strip().splitlines()[-1], rows


def test_a_student_folder_that_cannot_be_read_is_an_unusable_input_and_nothing_of_it_is_forgotten(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    chmod: Callable[[Path, int], None],
) -> None:
    """A student folder that cannot be read (no permissions, or none to search it) does not stop the run:
    it is an unusable input of that student, warned about, and as what it holds is unknown, nothing the
    gradebook holds of the student is forgotten; once it can be read, it is read as before. A class folder
    that cannot be read is an input mistake, before any gradebook is written."""
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root, out = tmp_path / "class", tmp_path / "class.sqlite"
    for student in ("s1", "s2"):
        _write(root / student / "spacy_ner.py", "def extract_entities(text): ...\n")
    _write(root / "s2" / "helper.py", "x = 1\n")  # named after no practical: an unusable input
    _write(root / "s3" / "attempt.csv", "question_id,answer\nQ1,Attention weighs the words.\n")
    summary, before = _batch(root, out)
    assert summary.startswith("graded 3, skipped 0 unchanged, 0 failed (1 unusable inputs"), summary
    locked = [root / "s2", root / "s3"]
    chmod(locked[0], 0)
    chmod(locked[1], 0o600)  # listed, but not searched: nothing in it can be told apart, nor read
    with caplog.at_level(logging.WARNING, logger="graders.batch"):
        discovered = discover(root)
    unreadable = {(f.name, f"folder:{f.name}"): ("invalid", CANNOT_READ.format(f)) for f in locked}
    assert discovered.students == ["s1"] and list(discovered.files) == ["s1"]
    assert {(r.student_id, r.item): (r.status, r.error) for r in discovered.invalid} == unreadable
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot read {folder}: Permission denied (the student's work in it is not graded)"
        for folder in locked
    ]
    summary, rows = _batch(root, out)
    assert summary.startswith("graded 0, skipped 1 unchanged, 0 failed (2 unusable inputs"), summary
    assert rows == before | unreadable  # the grades and unusable inputs found in them before: all there
    for folder in locked:
        chmod(folder, 0o700)
    summary, rows = _batch(root, out)
    assert summary.startswith("graded 0, skipped 4 unchanged, 0 failed (1 unusable inputs"), summary
    assert rows == before
    chmod(root, 0o600)  # the class folder itself, listed but not searched
    result = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "other.sqlite")])
    assert result.exit_code == 1 and not (tmp_path / "other.sqlite").exists(), result.output
    assert result.output == f"Error: {CANNOT_READ.format(root)}\n"


def test_a_file_that_cannot_be_read_is_an_unusable_input_and_the_grade_of_what_it_held_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chmod: Callable[[Path, int], None]
) -> None:
    """An attempt (CSV or JSON) or practical file that cannot be read does not stop the run: it is an
    unusable input that says so, in a row of its own, which replaces no grade of what the file held when it
    could be read, and goes once it can be again."""
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root, out = tmp_path / "class", tmp_path / "class.sqlite"
    code = "def extract_entities(text): ...\n"
    csv_file = _write(root / "s1" / "attempt.csv", "question_id,answer\nQ1,Attention weighs the words.\n")
    json_file = _write(
        root / "s2" / "attempt.json", '{"records": [{"question_id": "Q2", "answer": "Softmax."}]}'
    )
    code_file = _write(root / "s3" / "spacy_ner.py", code)
    # named after no practical: an unusable input already
    helper = _write(root / "s3" / "helper.py", "x = 1\n")
    _write(root / "s4" / "spacy_ner.py", code)
    summary, before = _batch(root, out)
    assert summary.startswith("graded 4, skipped 0 unchanged, 0 failed (1 unusable inputs"), summary
    for path in (csv_file, json_file, code_file, helper):
        chmod(path, 0)
    summary, rows = _batch(root, out)
    assert summary.startswith("graded 0, skipped 1 unchanged, 0 failed (4 unusable inputs"), summary
    assert rows == before | {
        ("s1", "attempt:attempt.csv"): ("invalid", CANNOT_READ.format(csv_file)),
        ("s2", "attempt:attempt.json"): ("invalid", CANNOT_READ.format(json_file)),
        ("s3", "file:spacy_ner.py"): ("invalid", CANNOT_READ.format(code_file)),
    }
    for path in (csv_file, json_file, code_file, helper):
        chmod(path, 0o600)
    summary, rows = _batch(root, out)
    assert summary.startswith("graded 0, skipped 4 unchanged, 0 failed (1 unusable inputs"), summary
    assert rows == before


def test_feedback_and_decided_answers_that_another_gradebook_wrote_into_the_class_folder_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``quiz report --feedback-dir`` the class folder and ``quiz review --export`` into a student folder from
    one gradebook, then ``quiz batch`` into another (a new gradebook for the same class, or one started
    afresh): the second gradebook never noted those files, so they are known by their content (the decided
    answers by their header, also as a spreadsheet re-saves it: its question_id and answer would read as an
    attempt), and skipped, not read as attempts; the summary names them, a line per writer."""
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root = tmp_path / "class"
    _write(root / "s1" / "attempt.csv", "question_id,answer\nQ1,Attention weighs the words.\n")
    _write(root / "s2" / "attempt.csv", "question_id,answer\nQ2,Softmax turns scores into weights.\n")
    first = tmp_path / "first.sqlite"

    def quiz(*args: str) -> list[str]:
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()

    quiz("batch", str(root), "--out", str(first))
    with Gradebook.open(first, create=False) as book:
        book.set_override("s1", "Q1", score=1.0)
    quiz("review", str(first), "--export", str(root / "s2" / "decided.csv"))
    _write(root / "s2" / "decided-excel.csv", "\ufeffQuestion ID;Answer;Score\r\nQ1;Attention weighs.;1\r\n")
    quiz("report", str(first), "--feedback-dir", str(root))
    *skipped, summary = quiz("batch", str(root), "--out", str(tmp_path / "second.sqlite"))
    assert summary.startswith("graded 2, skipped 0 unchanged, 0 failed (0 unusable inputs"), summary
    assert skipped == [
        "not graded, written by 'quiz report --feedback-dir': 2 files, s1/feedback.json, s2/feedback.json",
        "not graded, written by 'quiz grade --gradescope' or 'quiz report --feedback-dir': 2 files,"
        " s1/results.json, s2/results.json",
        "not graded, written by 'quiz review --export': 2 files, s2/decided-excel.csv, s2/decided.csv",
    ], skipped
    with Gradebook.open(tmp_path / "second.sqlite", create=False) as book:
        rows = {(r.student_id, r.item): r.status for r in book.rows()}
    assert rows == {("s1", "Q1"): "graded", ("s2", "Q2"): "graded"}


def test_an_unusable_input_that_is_gone_or_fixed_is_no_longer_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "grade_practical", _checked_without_runner)
    monkeypatch.setattr(batch, "grade_theory", _graded_without_model)
    root, other = tmp_path / "class", tmp_path / "section-b"
    _write(root / "s1" / "helper.py", "x = 1\n")  # named after no practical
    _write(root / "s1" / "spacy_ner.py", "unusable")  # the runner rejects it
    _write(root / "s2" / "attempt.csv", "question_id,answer\nQ1,Attention weighs words.\nQ21,x\n")
    _write(root / "s3" / "broken.json", '{"records": [')
    _write(root / "s3" / "text_augmentation.py", "unusable")
    _write(other / "t1" / "spacy_ner.py", "def extract_entities(text): ...\n")

    def problems(book: Gradebook) -> set[tuple[str, str]]:
        return {(r.student_id, r.item) for r in class_data(book).problems}

    with Gradebook.open(tmp_path / "class.sqlite") as book:
        assert run_batch(root, book, similarity=False).invalid == 5
        book.set_override("s2", "Q1", score=0.5)
        assert problems(book) == {
            ("s1", "file:helper.py"),
            ("s1", "spacy_ner"),
            ("s2", "attempt:attempt.csv row 3"),
            ("s3", "attempt:broken.json"),
            ("s3", "text_augmentation"),
        }
        (root / "s1" / "helper.py").rename(root / "s1" / "notes.txt")  # no longer a code file
        (root / "s1" / "spacy_ner.py").unlink()
        _write(root / "s2" / "attempt.csv", "question_id,answer\nQ1,Attention weighs words.\n")  # fixed
        (root / "s3" / "broken.json").unlink()
        run_batch(other, book, similarity=False)  # another folder: the class's entries are not its own
        assert len(problems(book)) == 5
        outcome = run_batch(root, book, similarity=False)
        assert outcome.invalid == 1 and problems(book) == {("s3", "text_augmentation")}  # still there
        assert book.overrides()[("s2", "Q1")].score == 0.5
        assert {(r.student_id, r.item) for r in book.rows() if r.status == "graded"} == {
            ("s2", "Q1"),
            ("t1", "spacy_ner"),
        }
