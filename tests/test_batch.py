"""``quiz batch`` on a synthetic class of 30 students (tests/classroom.py): kill mid-batch and resume,
totals, similarity flags, CSV, overrides; and the same grading through a Dask LocalCluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from graders.batch import discover, run_batch
from graders.errors import InputError
from graders.gradebook import Gradebook
from quiz.__main__ import cli
from quiz.store import Mode, Store
from tests.classroom import BROKEN_ATTEMPT, CODE_PAIR, STUDENTS, THEORY_PAIR, build_class, theory_assignment

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


def test_discover_reads_real_exports_and_reports_bad_files(tmp_path: Path) -> None:
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
    files, answers, invalid = discover(tmp_path / "class")
    assert files == {"s2": {"spacy_ner": tmp_path / "class" / "s2" / "spacy_ner.py"}}
    got = {(a.student_id, a.question_id): a.text for a in answers}
    assert got == {
        ("s1", "Q1"): 'weighted, "quoted"\nsecond line',
        ("s1", "Q2"): "",
        ("s2", "Q1"): 'weighted, "quoted"\nsecond line',
        ("s2", "Q2"): "",
    }
    assert [(r.student_id, r.item, r.status) for r in invalid] == [("s3", "attempt:answers.csv", "invalid")]
    assert "question_id" in invalid[0].error
    with pytest.raises(InputError, match="does not exist"):
        discover(tmp_path / "missing")


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
