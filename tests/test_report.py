"""Class report: statistics, CSV, feedback files, and the HTML rendered by headless Chromium."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from graders.grade import Grade, RubricHit, Verdict
from graders.gradebook import Gradebook, Item, Row, SimilarityFlag
from graders.report import class_data, point_biserial, write_csv, write_feedback, write_html
from graders.results import CheckResult, Metadata, Report
from quiz.__main__ import cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# (student, Q1 fraction, Q2 fraction, spacy_ner checks passed of 2)
CLASS = [
    ("s1", 1.0, 1.0, 2),
    ("s2", 0.75, 0.5, 2),
    ("s3", 0.5, 0.5, 1),
    ("s4", 0.25, 0.0, 1),
    ("s5", 0.0, 0.25, 0),
]


def theory(student: str, item: str, score: float) -> Row:
    grade = Grade(
        item,
        score,
        score * 2,
        2.0,
        Verdict.PARTIAL,
        0.5,
        score == 0.5,
        "explained",
        (RubricHit("p1", "point one", 1.0, score > 0.4, 0.7),),
    )
    return Row(
        student,
        item,
        "theory",
        "graded",
        grade.points,
        2.0,
        f"h{score}",
        "v",
        grade.to_dict(),
        needs_review=grade.needs_review,
        source=f"answer of {student} to {item}",
    )


def practical(student: str, passed: int) -> Row:
    checks = tuple(
        CheckResult(
            "spacy_ner",
            f"check_{i}",
            f"check number {i}",
            3.0 if i < passed else 0.0,
            3.0,
            "passed" if i < passed else "failed",
            "" if i < passed else "wrong entities",
            "visible",
            0.1,
        )
        for i in range(2)
    )
    report = Report(
        f"{student}/spacy_ner.py",
        checks,
        Metadata("0.1", "abc", 0, "2026-01-01T00:00:00Z", 1.5, (), ("spacy_ner",), ("visible",)),
    )
    return Row(
        student,
        "spacy_ner",
        "practical",
        "graded",
        report.score,
        report.max_score,
        "h",
        "v",
        report.to_dict(),
        source="def extract_entities(text): ...",
    )


@pytest.fixture
def book(tmp_path: Path) -> Gradebook:
    book = Gradebook.open(tmp_path / "class.sqlite")
    book.set_items(
        [
            Item("Q1", "theory", "What is BERT?", 2.0, 0, {"model_answer": "An encoder."}),
            Item("Q2", "theory", "What is attention?", 2.0, 1, {}),
            Item("spacy_ner", "practical", "spacy_ner", 6.0, 0, {}),
        ]
    )
    for student, q1, q2, passed in CLASS:
        book.put([theory(student, "Q1", q1), theory(student, "Q2", q2), practical(student, passed)])
    book.put(
        [Row("s6", "attempt:old.json", "theory", "invalid", 0, 0, "h", "input", {}, error="not an attempt")]
    )
    book.set_similarity(
        [
            SimilarityFlag(
                "theory",
                "Q1",
                "s1",
                "s2",
                0.97,
                {"answer_a": "copied <b>text</b>", "answer_b": "copied text"},
            )
        ]
    )
    book.set_override("s5", "Q1", score=0.5, comment="partly right")
    yield book
    book.close()


def test_statistics(book: Gradebook) -> None:
    data = class_data(book)
    q1 = next(q for q in data.questions if q.item.item == "Q1")
    q1_points = np.array([2.0, 1.5, 1.0, 0.5, 1.0, 0.0])  # s5 overridden to 0.5; s6 has nothing graded
    totals = np.array([10.0, 8.5, 5.0, 3.5, 1.5, 0.0])
    assert q1.mean == pytest.approx(q1_points.mean())
    assert q1.difficulty == pytest.approx(q1_points.mean() / 2)
    assert q1.discrimination == pytest.approx(np.corrcoef(q1_points, totals - q1_points)[0, 1], abs=1e-3)
    assert point_biserial(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])) is None
    rates = {c.name: c.pass_rate for c in data.checks}
    assert rates == {"check_0": 0.8, "check_1": 0.4}
    assert [(r.student_id, r.item) for r in data.review] == [("s2", "Q2"), ("s3", "Q1"), ("s3", "Q2")]


def test_csv_and_feedback(book: Gradebook, tmp_path: Path) -> None:
    write_csv(book, tmp_path / "grades.csv")
    with (tmp_path / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student_id", "Q1", "Q2", "spacy_ner", "total"]
    s5 = next(r for r in rows if r["student_id"] == "s5")
    assert (s5["Q1"], s5["total"]) == ("1", "1.5")
    assert write_feedback(book, tmp_path / "fb") == 6
    s5_feedback = json.loads((tmp_path / "fb" / "s5" / "feedback.json").read_text())
    q1 = next(e for e in s5_feedback["items"] if e["item"] == "Q1")
    assert (q1["points"], q1["machine_points"], q1["instructor"]["comment"]) == (1.0, 0.0, "partly right")
    gradescope = json.loads((tmp_path / "fb" / "s5" / "results.json").read_text())
    assert gradescope["score"] == 1.5
    assert {t["name"] for t in gradescope["tests"]} >= {"Q1", "Q2", "spacy_ner: check number 0"}


def test_html_is_self_contained_and_escaped(book: Gradebook, tmp_path: Path) -> None:
    write_html(book, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "copied &lt;b&gt;text&lt;/b&gt;" in page
    assert page.count("data:image/png;base64,") == 4  # totals, items, one per question


def test_html_of_a_gradebook_with_nothing_graded_says_there_is_nothing_to_plot(tmp_path: Path) -> None:
    """'quiz report --html' on a gradebook without items (empty, or with students whose work could not be
    used) or without students skips the class summary's plots, saying why, instead of failing to plot."""
    invalid = Row(
        "s6", "attempt:old.json", "theory", "invalid", 0, 0, "h", "input", {}, error="not an attempt"
    )
    for name, items, rows in (
        ("empty", [], []),
        ("invalid", [], [invalid]),
        ("no-students", [Item("Q1", "theory", "What is BERT?", 2.0, 0, {})], []),
    ):
        with Gradebook.open(tmp_path / f"{name}.sqlite") as book:
            book.set_items(items)
            book.put(rows)
        html = tmp_path / f"{name}.html"
        result = CliRunner().invoke(cli, ["report", str(tmp_path / f"{name}.sqlite"), "--html", str(html)])
        assert result.exit_code == 0, result.output
        page = html.read_text()
        assert "Nothing to plot yet: no student has a graded item." in page
        assert page.count("data:image/png;base64,") == len(items)  # but each question's histogram


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_html_renders_in_headless_chromium(book: Gradebook, tmp_path: Path) -> None:
    write_html(book, tmp_path / "report.html")
    # a copy with a probe that records, once loaded, how every image decoded and how many rows each table has
    probe = (
        "<script>window.addEventListener('load', () => { document.body.dataset.images = "
        "[...document.images].map(i => i.complete ? i.naturalWidth : 0).join(','); "
        "document.body.dataset.rows = [...document.querySelectorAll('table')]"
        ".map(t => t.tBodies[0].rows.length).join(','); });</script>"
    )
    probed = tmp_path / "probed.html"
    probed.write_text((tmp_path / "report.html").read_text().replace("</body>", probe + "</body>"))
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,2000",
    ]
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={screenshot}", (tmp_path / "report.html").as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    dom = subprocess.run(
        [CHROMIUM, *flags, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    images = [int(w) for w in re.search(r'data-images="([\d,]*)"', dom).group(1).split(",")]
    rows = [int(n) for n in re.search(r'data-rows="([\d,]*)"', dom).group(1).split(",")]
    assert len(images) == 4 and all(width > 50 for width in images)
    assert len(rows) >= 6 and all(n >= 1 for n in rows)
    from PIL import Image

    shot = np.asarray(Image.open(screenshot).convert("L"))
    assert shot.shape[1] == 1280 and shot.std() > 10  # not blank


def test_a_decision_on_an_earlier_answer_is_listed_not_applied(book: Gradebook, tmp_path: Path) -> None:
    book.put([theory("s5", "Q1", 0.25)])  # s5's answer changed since "partly right"
    write_csv(book, tmp_path / "grades.csv")
    with (tmp_path / "grades.csv").open() as handle:
        s5 = next(r for r in csv.DictReader(handle) if r["student_id"] == "s5")
    assert (s5["Q1"], s5["total"]) == ("0.5", "1")
    write_feedback(book, tmp_path / "fb")
    feedback = json.loads((tmp_path / "fb" / "s5" / "feedback.json").read_text())
    q1 = next(e for e in feedback["items"] if e["item"] == "Q1")
    assert q1["points"] == 0.5 and "instructor" not in q1
    assert "partly right" not in (tmp_path / "fb" / "s5" / "results.json").read_text()
    data = class_data(book)
    assert ("s5", "Q1") in [(r.student_id, r.item) for r in data.review] and data.overrides == {}
    write_html(book, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "decided on an earlier answer" in page and "not applied" in page and "partly right" in page


@pytest.mark.parametrize("option", ["--csv", "--html"])
@pytest.mark.parametrize("spelling", ["same", "relative", "symlink", "wal"])
def test_report_refuses_to_write_over_the_gradebook(
    book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, spelling: str
) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    spellings = {"same": str(book.path), "relative": "../class.sqlite", "symlink": "../link.sqlite"}
    target = spellings.get(spelling, "../class.sqlite-wal")  # the WAL holds committed decisions too
    (tmp_path / "link.sqlite").symlink_to(book.path)
    result = CliRunner().invoke(cli, ["report", str(book.path), "--feedback-dir", "fb", option, target])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # an error, not a traceback
    assert f"{option} {target} is the gradebook" in result.output
    assert not (tmp_path / "work" / "fb").exists()  # nothing is written, not even the other outputs
    with Gradebook.open(book.path, create=False) as again:
        assert again.overrides()[("s5", "Q1")].comment == "partly right"


def test_report_refuses_a_feedback_folder_over_the_gradebook(book: Gradebook, tmp_path: Path) -> None:
    book.close()  # SQLite removes the WAL file: it only reappears once the report opens the gradebook
    grades = tmp_path / "grades.csv"
    for target, message in ((book.path, "is a file"), (Path(f"{book.path}-wal"), "is the gradebook")):
        result = CliRunner().invoke(
            cli, ["report", str(book.path), "--csv", str(grades), "--feedback-dir", str(target)]
        )
        assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
        assert message in result.output and not grades.exists()


@pytest.mark.parametrize(
    ("first", "second"), [("--html", "--csv"), ("--csv", "--html"), ("--csv", "--feedback-dir")]
)
def test_report_refuses_one_path_for_two_outputs(
    book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    monkeypatch.chdir(tmp_path)
    third = "--feedback-dir" if second != "--feedback-dir" else "--html"
    args = ["report", str(book.path), first, "out/x", second, f"{tmp_path}/out/./x", third, "fb"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # an error, not a traceback
    error = result.output.splitlines()[0]
    assert "is the path of" in error and "one output would replace the other" in error
    assert first in error and second in error
    assert not (tmp_path / "out").exists() and not (tmp_path / "fb").exists()  # nothing written at all


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--csv", "fb/s1/feedback.json"],
            "--feedback-dir fb writes fb/s1/feedback.json, which is the path of --csv",
        ),
        (
            ["--html", "fb/s2/results.json"],
            "--feedback-dir fb writes fb/s2/results.json, which is the path of --html",
        ),
        (
            ["--csv", "fb/s3"],
            "--feedback-dir fb writes fb/s3/feedback.json, which is inside {tmp}/fb/s3, which --csv",
        ),
        (
            ["--html", "out", "--csv", "out/grades.csv"],
            "--csv out/grades.csv is inside {tmp}/out, which --html",
        ),
    ],
)
def test_report_refuses_an_output_that_the_feedback_or_another_output_replaces(
    book: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """The feedback folder's files are outputs too (``<student>/feedback.json``, ``results.json``), and a
    file cannot be the folder another output writes into."""
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, ["report", str(book.path), "--feedback-dir", "fb", *args])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # an error, not a traceback
    assert result.output.startswith(f"Error: {message.format(tmp=tmp_path)}"), result.output
    assert sorted(tmp_path.rglob("*")) == before  # nothing written at all


def test_report_refuses_feedback_over_a_gradebook_in_the_feedback_folder(tmp_path: Path) -> None:
    path = tmp_path / "fb" / "s1" / "feedback.json"
    path.parent.mkdir(parents=True)
    with Gradebook.open(path) as book:
        book.put([theory("s1", "Q1", 1.0)])
    grades, folder = tmp_path / "grades.csv", tmp_path / "fb"
    result = CliRunner().invoke(
        cli, ["report", str(path), "--csv", str(grades), "--feedback-dir", str(folder)]
    )
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert f"--feedback-dir {folder} writes {path}, which is the gradebook" in result.output
    assert not grades.exists()
    with Gradebook.open(path, create=False) as again:
        assert again.row("s1", "Q1") is not None


def test_feedback_replaces_another_gradebooks_feedback_but_not_a_file_no_gradebook_wrote(
    book: Gradebook, tmp_path: Path
) -> None:
    """``--feedback-dir`` the class folder: a student's own file may be named feedback.json or
    results.json, and is refused before anything is written; the feedback another gradebook wrote there
    (known by its content: this one never noted it) is replaced, and the run says so."""
    folder = tmp_path / "class"
    with Gradebook.open(tmp_path / "other.sqlite") as other:
        other.put([theory("s1", "Q1", 0.5), theory("s2", "Q1", 0.5)])
        assert write_feedback(other, folder) == 2
    own = {
        folder / "s3" / "feedback.json": '{"attempt": {"student_id": "s3"}, "records": []}\n',  # quiz export
        folder / "s4" / "results.json": "my results, by hand\n",
    }
    for path, text in own.items():
        path.parent.mkdir(parents=True)
        path.write_text(text)
    before = {path: path.read_text() for path in folder.rglob("*.json")}
    grades = tmp_path / "grades.csv"
    args = ["report", str(book.path), "--csv", str(grades), "--feedback-dir", str(folder)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # an error, not a traceback
    assert result.output.startswith(
        f"Error: --feedback-dir {folder} would replace 2 files that no gradebook wrote:"
        f" {folder / 's3' / 'feedback.json'}, {folder / 's4' / 'results.json'}"
    ), result.output
    assert {path: path.read_text() for path in folder.rglob("*.json")} == before and not grades.exists()
    for path in own:
        path.unlink()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (
        "replaced 4 files that another gradebook or 'quiz grade --gradescope' wrote:"
        " s1/feedback.json, s1/results.json, s2/feedback.json, s2/results.json"
    ) in result.output
    s1 = json.loads((folder / "s1" / "feedback.json").read_text())
    assert {e["item"] for e in s1["items"]} == {"Q1", "Q2", "spacy_ner"}  # this gradebook's feedback
    result = CliRunner().invoke(cli, args)  # its own feedback: replaced without a word
    assert result.exit_code == 0 and "replaced" not in result.output, result.output


def test_csv_runs_no_formula_a_student_id_holds(book: Gradebook, tmp_path: Path) -> None:
    book.put([theory("=HYPERLINK(1)", "Q1", 0.25)])
    write_csv(book, tmp_path / "grades.csv")
    with (tmp_path / "grades.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert ["'=HYPERLINK(1)", "0.5", "0", "0", "0.5"] in rows
