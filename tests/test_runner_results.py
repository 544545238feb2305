"""Result formats (JSON, Gradescope, JUnit), atomic writes, and the practicals CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from graders.errors import InputError
from graders.results import (
    CheckResult,
    Metadata,
    Report,
    atomic_write_text,
    gradescope_results,
    junit_xml,
    write_gradescope,
    write_json,
)
from quiz.__main__ import cli
from tests.test_cli import CANNOT_READ
from tests.test_runner import DATA, make_submission, test_practicals  # noqa: F401 - fixture

PROJECT = Path(__file__).resolve().parent.parent


def _report() -> Report:
    def result(
        name: str, status: str, points: float, visibility: str = "visible", output: str = ""
    ) -> CheckResult:
        return CheckResult(
            "p1",
            name,
            f"{name} works",
            points,
            2.0,
            status,
            ""
            if status == "passed"  # type: ignore[arg-type]
            else "expected 1, observed 2 \x00\x1b[31m",
            visibility,
            0.25,
            output,
        )  # type: ignore[arg-type]

    checks = (
        result("test_a", "passed", 2.0, output="hello"),
        result("test_b", "failed", 0.0, output="printed <stuff> & more"),
        result("test_c", "timeout", 0.0, "hidden"),
        result("test_d", "error", 0.0),
    )
    metadata = Metadata(
        "0.1.0", "ab" * 32, 0, "2026-01-01T00:00:00Z", 1.5, ("bubblewrap",), ("p1",), ("visible",)
    )
    return Report("sub", checks, metadata)


def test_gradescope_results_follow_the_schema() -> None:
    results = gradescope_results(_report())
    assert results["score"] == 2.0 and results["max_score"] == 8.0
    assert isinstance(results["execution_time"], float)
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
    hidden = next(t for t in results["tests"] if t["number"] == "p1::test_c")
    assert hidden["visibility"] == "after_published" and hidden["status"] == "failed"
    failed = next(t for t in results["tests"] if t["number"] == "p1::test_b")
    assert "expected 1, observed 2" in failed["output"] and "printed <stuff>" in failed["output"]
    json.dumps(results)


def test_junit_xml_parses_and_counts() -> None:
    root = ET.fromstring(junit_xml(_report()).encode())
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "4"
    assert suite.get("failures") == "2" and suite.get("errors") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["test_a"].find("failure") is None
    assert cases["test_b"].find("failure").get("message").startswith("expected 1, observed 2")
    assert cases["test_d"].find("error") is not None
    assert cases["test_b"].find("system-out").text == "printed <stuff> & more"


def test_json_report_has_totals_and_metadata(tmp_path: Path) -> None:
    write_json(_report(), tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["score"] == 2.0 and data["practicals"]["p1"] == {"score": 2.0, "max_score": 8.0}
    assert {
        "practical",
        "name",
        "points",
        "max_points",
        "status",
        "message",
        "visibility",
        "duration",
    } <= set(data["checks"][0])
    assert data["metadata"]["bundle_hash"] == "ab" * 32 and data["metadata"]["seed"] == 0


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.json"
    target.write_text("old")

    def broken_replace(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(InputError, match="cannot write .*disk full"):  # a message, not a traceback
        write_gradescope(_report(), target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]
    monkeypatch.undo()
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


def test_killed_runner_leaves_no_result_file_and_can_rerun(tmp_path: Path) -> None:
    submission = make_submission(tmp_path / "sub", "sleep")
    out = tmp_path / "out" / "report.json"
    script = (
        "import sys, practicals; practicals.__path__.append(sys.argv[1]); "
        "practicals.PRACTICALS.update(adversary='a', bystander='b'); "
        "from quiz.__main__ import cli; cli(sys.argv[2:])"
    )
    command = [
        sys.executable,
        "-c",
        script,
        str(DATA / "practical"),
        "grade",
        str(submission),
        "-p",
        "adversary",
        "-p",
        "bystander",
        "--check-timeout",
        "3",
        "--json",
        str(out),
    ]
    process = subprocess.Popen(
        command, cwd=PROJECT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(2.5)  # inside the grading, before any result is written
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()  # killed while grading: no result file, and no half-written one
    assert not list(tmp_path.rglob("*.tmp"))
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["score"] == 5


def test_cli_grade_writes_all_formats(tmp_path: Path) -> None:
    submission = make_submission(tmp_path / "sub", "wrong_signature")
    outs = {name: tmp_path / f"out.{name}" for name in ("json", "gradescope", "junit")}
    result = CliRunner().invoke(
        cli,
        [
            "grade",
            str(submission),
            "-p",
            "adversary",
            "-p",
            "bystander",
            "--check-timeout",
            "5",
            "--json",
            str(outs["json"]),
            "--gradescope",
            str(outs["gradescope"]),
            "--junit",
            str(outs["junit"]),
        ],
    )
    assert result.exit_code == 0, result.output  # graded, whatever the score
    assert "Total: 2/6 points" in result.output
    assert json.loads(outs["json"].read_text())["score"] == 2
    assert json.loads(outs["gradescope"].read_text())["max_score"] == 6
    assert ET.parse(outs["junit"]).getroot().tag == "testsuites"


def test_cli_check_runs_visible_checks_only(tmp_path: Path) -> None:
    submission = make_submission(tmp_path / "sub", "missing_function")
    result = CliRunner().invoke(cli, ["check", str(submission), "-p", "adversary", "-p", "bystander"])
    assert result.exit_code == 0, result.output
    assert "hidden" not in result.output and "does not define `greet`" in result.output
    assert "FAILED" in result.output and "Total: 3/4 points" in result.output


def test_cli_check_says_in_one_line_that_no_practical_file_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["check", str(empty), "-p", "adversary", "-p", "bystander"])
    assert result.exit_code == 1
    assert result.output == f"no practical file (<practical id>.py or .ipynb) found in {empty}/\n"
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"  # set before TensorFlow loads: no start-up log lines
    (empty / "src").mkdir()
    shutil.copyfile(DATA / "cases" / "honest.py", empty / "src" / "adversary.py")
    result = CliRunner().invoke(cli, ["check", str(empty), "-p", "adversary"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"no practical file (adversary.py or adversary.ipynb) found in {empty}/",
        "  found src/adversary.py: move it to the folder's top level",
    ]


def test_cli_check_announces_each_practical_notes_skipped_code_and_sums_up_the_missing(
    tmp_path: Path,
) -> None:
    """A notebook named as a browser saves it, with demo code that would fail or hang if it ran."""
    import nbformat

    folder = tmp_path / "sub"
    folder.mkdir()
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell("%pip install something\nimport time"),
        nbformat.v4.new_code_cell((DATA / "cases" / "honest.py").read_text()),
        nbformat.v4.new_code_cell(
            "history = model.fit(X, epochs=20)\nfor epoch in range(3):\n    time.sleep(100)"
        ),
        nbformat.v4.new_code_cell("from IPython.display import display\ndisplay(add(1, 2))"),
        nbformat.v4.new_code_cell("%%bash\necho demo"),
    ]
    nbformat.write(book, folder / "Adversary (1).ipynb")
    result = CliRunner().invoke(
        cli, ["check", str(folder), "-p", "adversary", "-p", "bystander", "--check-timeout", "5"]
    )
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[0] == "checking adversary (Adversary (1).ipynb) ..."
    assert "adversary  3/3 points" in lines
    note = lines.index("note: not run when the checks import your file (demo code, see the README):")
    assert lines[note + 1 : note + 7] == [
        "cell 1, line 1: %pip install something  (IPython magic)",
        "cell 3, line 1: history = model.fit(X, epochs=20)  (runs .fit(...) on import)",
        "cell 3, line 2: for epoch in range(3):  (top-level for loop)",
        "cell 4, line 1: from IPython.display import display  (notebook-only module)",
        "cell 4, line 2: display(add(1, 2))  (top-level call)",
        "cell 5, line 1: %%bash  (cell magic %%bash: not Python)",
    ]
    assert "NOT SUBMITTED  0/1  bystander" in lines
    assert "NOT_SUBMITTED" not in result.output and "Total: 3/4 points" in result.output


def test_cli_user_errors_exit_non_zero_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["grade", str(tmp_path), "-p", "adversray"])
    assert result.exit_code == 1
    assert "did you mean 'adversary'" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_cli_a_submission_that_cannot_be_read_is_named_in_one_line(
    tmp_path: Path, chmod: Callable[[Path, int], None]
) -> None:
    """A submission that 'quiz check' or 'quiz grade' cannot read (its permissions), or a file or folder in
    it, is an input error that names it, before anything runs, not a traceback. What is not copied for the
    checks (a virtualenv, caches, what a link points to) is not read: it stops nothing."""
    folder = make_submission(tmp_path / "sub", "honest")
    file, data = folder / "adversary.py", folder / "data"
    data.mkdir()

    def said(*args: object) -> str:
        result = CliRunner().invoke(cli, [str(arg) for arg in args])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        return result.output

    def cannot_read(path: Path) -> str:
        return f"Error: {CANNOT_READ.format(path)}\n"

    for mode in (0, 0o600):  # no permissions; listed, but not searched
        chmod(folder, mode)
        assert said("check", folder) == said("grade", folder) == cannot_read(folder)
        assert said("check", file, "-p", "adversary") == cannot_read(file)
    chmod(folder, 0o700)
    chmod(file, 0)
    assert said("check", folder) == said("check", file, "-p", "adversary") == cannot_read(file)
    chmod(file, 0o600)
    chmod(data, 0)  # a folder of the student's, copied for the checks with the rest
    assert said("grade", folder) == cannot_read(data)
    chmod(data, 0o700)
    outside = tmp_path / "notes.txt"
    outside.write_text("")
    (folder / "notes.txt").symlink_to(outside)
    chmod(outside, 0)
    for name in (".venv", "__pycache__"):
        (folder / name).mkdir()
        chmod(folder / name, 0)
    result = CliRunner().invoke(cli, ["check", str(folder), "-p", "adversary"])
    assert result.exit_code == 0 and "Total: 3/3 points" in result.output, result.output


def test_practicals_init_writes_the_kit_and_refuses_to_overwrite(tmp_path: Path) -> None:
    from practicals import PRACTICALS, practical_dir

    kit = tmp_path / "kit"
    result = CliRunner().invoke(cli, ["practicals", "init", str(kit)])
    assert result.exit_code == 0, result.output
    assert (kit / "README.md").is_file()
    for practical in PRACTICALS:
        template = practical_dir(practical) / "template.py"
        if template.is_file():
            assert (kit / f"{practical}.py").read_text() == template.read_text()
        if (practical_dir(practical) / "task.md").is_file():
            assert (kit / "tasks" / f"{practical}.md").is_file()
    again = CliRunner().invoke(cli, ["practicals", "init", str(kit)])
    assert again.exit_code == 1 and "--force" in again.output
    forced = CliRunner().invoke(cli, ["practicals", "init", str(kit), "--force"])
    assert forced.exit_code == 0, forced.output


def test_practicals_init_where_it_cannot_search_or_write_says_so_in_one_line(
    tmp_path: Path, chmod: Callable[[Path, int], None]
) -> None:
    """A destination folder that 'quiz practicals init' cannot search (its permissions, or its folder's), or
    cannot write to, is an input error that names the file it stopped at, not a traceback."""

    def said(kit: Path) -> str:
        result = CliRunner().invoke(cli, ["practicals", "init", str(kit)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        return result.output

    kit = tmp_path / "locked" / "kit"
    kit.mkdir(parents=True)
    for folder in (kit, kit.parent):
        chmod(folder, 0o600)  # listed, but not searched
        assert said(kit) == f"Error: {CANNOT_READ.format(kit / 'README.md')}\n"
        chmod(folder, 0o700)
    (tmp_path / "file").write_text("")
    kit = tmp_path / "file" / "kit"  # a file where a folder must be: the OS refuses to write, as root too
    assert said(kit) == (
        f"Error: cannot write {kit / 'README.md'}: Not a directory\n"
        "  fix: choose a path you can write to\n"
    )


def test_practicals_list_names_every_practical() -> None:
    result = CliRunner().invoke(cli, ["practicals", "list"])
    assert result.exit_code == 0 and "spacy_ner" in result.output and "adversary" in result.output
