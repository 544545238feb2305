"""The grading runner on purpose-written submissions of two test-only practicals.

``adversary`` has checks add/greet/attack (visible) and hidden_add (hidden, inputs 1234 and 4321);
``bystander`` has one honest check. Each adversarial submission (tests/data/submissions/cases/)
misbehaves in adversary.py; bystander.py is always honest, so every test also shows that the rest
of the submission is still graded.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

import practicals
from graders import runner, tiny_gpt2
from graders.errors import InputError
from graders.results import Report
from graders.runner import bundle_hash, grade_submission
from graders.sandbox import Limits

DATA = Path(__file__).resolve().parent / "data" / "submissions"
TEST_PRACTICALS = ("adversary", "bystander")
SECRET_FILES = (
    DATA / "practical" / "adversary" / "solution.py",
    DATA / "practical" / "adversary" / "checks.py",
)
# Small limits keep every adversarial case to a few seconds.
LIMITS = Limits(
    check_timeout=2, import_timeout=5, submission_timeout=60, memory_bytes=1024**3, max_processes=64
)


@pytest.fixture(autouse=True)
def test_practicals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make practicals.adversary and practicals.bystander importable and known to the registry."""
    monkeypatch.setattr(practicals, "__path__", [*practicals.__path__, str(DATA / "practical")])
    for practical in TEST_PRACTICALS:
        monkeypatch.setitem(practicals.PRACTICALS, practical, f"test-only practical {practical}")


def make_submission(folder: Path, case: str) -> Path:
    """adversary.py from cases/<case>.py (.txt: files ruff must not parse) plus the honest bystander."""
    folder.mkdir(parents=True, exist_ok=True)
    source = DATA / "cases" / f"{case}.py"
    shutil.copyfile(source if source.exists() else source.with_suffix(".txt"), folder / "adversary.py")
    shutil.copyfile(DATA / "bystander.py", folder / "bystander.py")
    return folder


def grade_case(tmp_path: Path, case: str, *, limits: Limits = LIMITS, **kwargs) -> Report:
    submission = make_submission(tmp_path / case, case)
    return grade_submission(submission, practicals=TEST_PRACTICALS, limits=limits, **kwargs)


def outcome(report: Report) -> dict[str, tuple[str, float]]:
    return {r.name: (r.status, r.points) for r in report.checks}


def assert_contained(
    report: Report, *, honest: tuple[str, ...] = ("test_add", "test_greet", "test_hidden_add")
) -> None:
    """Nothing unearned, nothing leaked, the honest checks and the bystander still graded."""
    result = outcome(report)
    assert result["test_attack"][1] == 0, result
    assert result["test_echo"] == ("passed", 1.0), result
    for name in honest:
        assert result[name][0] == "passed", (name, result)
    text = json.dumps(report.to_dict())
    assert "SECRET" not in text
    assert report.score == sum(r.max_points for r in report.checks if r.name in (*honest, "test_echo"))


def test_honest_submission_passes_everything(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "honest")
    assert all(r.passed for r in report.checks), outcome(report)
    assert report.score == report.max_score == 6
    assert report.metadata.practicals == TEST_PRACTICALS
    assert len(report.metadata.bundle_hash) == 64


@pytest.mark.parametrize("case", ["infinite_loop", "sleep"])
def test_endless_attack_times_out_and_grading_continues(tmp_path: Path, case: str) -> None:
    start = time.monotonic()
    report = grade_case(tmp_path, case)
    assert time.monotonic() - start < 20
    attack = next(r for r in report.checks if r.name == "test_attack")
    assert attack.status == "timeout"
    assert "per-check time limit of 2 s" in attack.message and "killed" in attack.message
    assert_contained(report)


def test_memory_bomb_hits_the_memory_limit(tmp_path: Path) -> None:
    report = grade_case(
        tmp_path, "memory_bomb", limits=dataclasses.replace(LIMITS, memory_bytes=256 * 1024**2)
    )
    attack = next(r for r in report.checks if r.name == "test_attack")
    assert attack.status in ("failed", "crashed")
    assert "MemoryError" in attack.message or "memory" in attack.message
    assert_contained(report)


def test_fork_bomb_hits_the_process_limit(tmp_path: Path) -> None:
    start = time.monotonic()
    report = grade_case(tmp_path, "fork_bomb")
    assert time.monotonic() - start < 30
    attack = next(r for r in report.checks if r.name == "test_attack")
    assert attack.status in ("failed", "crashed", "timeout")
    assert_contained(report)


def test_network_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    monkeypatch.setenv("QUIZ_TEST_PORT", str(server.getsockname()[1]))
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            received.append(connection.recv(100))
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        report = grade_case(tmp_path, "network")
    finally:
        stop.set()
        thread.join()
        server.close()
    assert received == []
    assert_contained(report)


def test_huge_output_is_capped_without_blocking(tmp_path: Path) -> None:
    start = time.monotonic()
    report = grade_case(tmp_path, "flood_output")
    assert time.monotonic() - start < 20
    attack = next(r for r in report.checks if r.name == "test_attack")
    assert attack.status == "failed"
    assert len(attack.output) <= LIMITS.output_bytes + 200
    assert "more bytes of output discarded" in attack.output
    assert_contained(report)


def test_exit_at_import_fails_that_practical_only(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "exit_at_import")
    result = outcome(report)
    assert all(result[n][1] == 0 for n in ("test_add", "test_greet", "test_attack", "test_hidden_add"))
    add = next(r for r in report.checks if r.name == "test_add")
    assert "adversary.py" in add.message and "exited with status 0" in add.message
    assert_contained(report, honest=())


def test_sys_exit_in_a_function_fails_that_check(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "sys_exit")
    attack = next(r for r in report.checks if r.name == "test_attack")
    assert attack.status == "failed" and "`attack` called sys.exit(0)" in attack.message
    assert_contained(report)


def test_monkeypatching_pytest_and_the_framework_gains_nothing(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "monkeypatch")
    result = outcome(report)
    assert result["test_add"] == ("failed", 0) and result["test_hidden_add"] == ("failed", 0)
    assert "expected 5, observed -1" in next(r.message for r in report.checks if r.name == "test_add")
    assert_contained(report, honest=("test_greet",))


def test_overriding_builtins_gains_nothing(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "builtins_override")
    assert all(r.points == 0 for r in report.checks if r.practical == "adversary")
    assert_contained(report, honest=())


def test_forged_result_files_and_fake_replies_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from quiz.__main__ import cli

    out = tmp_path / "report.json"
    monkeypatch.setenv("QUIZ_TEST_OUT", str(out))
    submission = make_submission(tmp_path / "forge", "forge_results")
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
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert written["score"] == 5 and written["max_score"] == 6
    assert not (submission / "results.json").exists()  # the student wrote into the sandbox's copy only
    statuses = {c["name"]: c["status"] for c in written["checks"]}
    assert statuses["test_attack"] == "failed"


def test_reference_solution_and_checks_are_not_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZ_TEST_SECRETS", ":".join(str(p) for p in SECRET_FILES))
    report = grade_case(tmp_path, "read_secrets")
    assert_contained(report)  # includes: "SECRET" appears nowhere in the report (messages, output)


def test_writes_outside_the_work_dir_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside, victim = tmp_path / "outside.txt", tmp_path / "victim.txt"
    victim.write_text("keep me")
    escaped = Path("/tmp/quiz-escaped.txt")
    escaped.unlink(missing_ok=True)
    monkeypatch.setenv("QUIZ_TEST_OUTSIDE", str(outside))
    monkeypatch.setenv("QUIZ_TEST_VICTIM", str(victim))
    report = grade_case(tmp_path, "write_outside")
    assert not outside.exists() and not escaped.exists() and not Path("/etc/escaped.txt").exists()
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "write_outside" / "escaped.txt").exists()
    assert_contained(report)


def test_syntax_error_fails_that_practical_with_the_line(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "syntax_error")
    add = next(r for r in report.checks if r.name == "test_add")
    assert add.message == "adversary.py has a syntax error at line 4: expected ':'"
    assert_contained(report, honest=())


def test_missing_function_fails_only_its_checks(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "missing_function")
    assert outcome(report)["test_greet"] == ("failed", 0)
    assert "does not define `greet`" in next(r.message for r in report.checks if r.name == "test_greet")
    assert outcome(report)["test_attack"] == ("passed", 1)


def test_wrong_signature_and_return_type_name_the_function(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "wrong_signature")
    messages = {r.name: r.message for r in report.checks}
    assert "`add` could not be called as the contract says" in messages["test_add"]
    assert "observed ['Ada']" in messages["test_greet"]
    assert outcome(report)["test_attack"] == ("passed", 1) and outcome(report)["test_echo"] == ("passed", 1)


def test_hidden_inputs_do_not_reach_the_feedback(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "hidden_leak")
    hidden = next(r for r in report.checks if r.name == "test_hidden_add")
    assert hidden.status == "failed" and hidden.message.startswith("`add` raised ValueError")
    text = json.dumps(report.to_dict())
    assert "1234" not in text and "4321" not in text
    assert "add got 2 and 3" in next(r.output for r in report.checks if r.name == "test_add")


def test_student_run_skips_hidden_checks(tmp_path: Path) -> None:
    report = grade_case(tmp_path, "honest", visibility=("visible",))
    assert {r.visibility for r in report.checks} == {"visible"}
    assert report.max_score == 4


def test_missing_practical_file_is_not_submitted(tmp_path: Path) -> None:
    folder = tmp_path / "partial"
    folder.mkdir()
    shutil.copyfile(DATA / "bystander.py", folder / "bystander.py")
    report = grade_submission(folder, practicals=TEST_PRACTICALS, limits=LIMITS)
    adversary = [r for r in report.checks if r.practical == "adversary"]
    assert {r.status for r in adversary} == {"not_submitted"} and all(r.points == 0 for r in adversary)
    assert "no adversary.py or adversary.ipynb" in adversary[0].message
    assert outcome(report)["test_echo"] == ("passed", 1)


def test_notebook_demo_code_is_skipped(tmp_path: Path) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("!pip install something\nimport time"),
        nbformat.v4.new_code_cell((DATA / "cases" / "honest.py").read_text()),
        nbformat.v4.new_code_cell("attack()\ntime.sleep(1000)\nprint('demo')"),
    ]
    file = tmp_path / "adversary.ipynb"
    nbformat.write(notebook, file)
    report = grade_submission(file, limits=LIMITS)
    assert report.metadata.practicals == ("adversary",)
    assert all(r.passed for r in report.checks), outcome(report)


def test_a_file_named_as_batch_accepts_it_is_graded_alone(tmp_path: Path) -> None:
    file = tmp_path / "Adversary (1).py"
    shutil.copyfile(DATA / "cases" / "honest.py", file)
    report = grade_submission(file, limits=LIMITS, visibility=("visible",))
    assert report.metadata.practicals == ("adversary",) and report.score == 3


def test_a_slow_import_says_that_top_level_code_runs_on_import(tmp_path: Path) -> None:
    folder = make_submission(tmp_path / "slow", "honest")
    with (folder / "adversary.py").open("a") as handle:
        handle.write("\n\ndef _spin():\n    while True:\n        pass\n\n\nready = _spin()\n")
    limits = dataclasses.replace(LIMITS, import_timeout=1, check_timeout=1)
    report = grade_submission(folder, practicals=TEST_PRACTICALS, limits=limits)
    add = next(r for r in report.checks if r.name == "test_add")
    assert add.status == "timeout" and add.message.startswith("adversary.py did not finish importing")
    assert add.message.endswith(
        'move slow set-up into your functions, and demo code under `if __name__ == "__main__":`)'
    )
    assert outcome(report)["test_echo"] == ("passed", 1)


@pytest.mark.models
@pytest.mark.skipif(
    importlib.util.find_spec("en_core_web_sm") is not None, reason="spaCy finds en_core_web_sm"
)
def test_spacy_load_of_en_core_web_sm_gets_the_course_pipeline(tmp_path: Path) -> None:
    """The seed's `spacy.load("en_core_web_sm")` works where the pipeline is installed under another name."""
    solution = (practicals.PRACTICALS_DIR / "spacy_ner" / "solution.py").read_text()
    file = tmp_path / "spacy_ner.py"
    file.write_text(solution + '\nnlp_default = spacy.load("en_core_web_sm")\n')
    report = grade_submission(file, visibility=("visible",))
    assert report.score == report.max_score, outcome(report)


def test_user_errors_are_quiz_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        grade_submission(tmp_path / "missing")
    with pytest.raises(InputError, match="did you mean 'adversary'"):
        grade_submission(tmp_path, practicals=["adversray"])
    stray = tmp_path / "homework.py"
    stray.write_text("x = 1\n")
    with pytest.raises(InputError, match="--practical"):
        grade_submission(stray)


def test_bundle_hash_covers_every_judge_side_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing anything the judges may use regrades; the starter template and task description do not."""
    folder = shutil.copytree(DATA / "practical" / "adversary", tmp_path / "judged")
    (folder / "reference.py").write_text("EXPECTED = 5\n")  # helpers that checks.py would import
    (folder / "alignment.py").write_text("def align(a, b): ...\n")
    (folder / "data").mkdir()
    (folder / "data" / "hidden_inputs.json").write_text("[1234, 4321]\n")
    (folder / "template.py").write_text("def add(a, b):\n    raise NotImplementedError\n")
    (folder / "task.md").write_text("# Add two numbers\n")
    monkeypatch.setattr(practicals, "__path__", [*practicals.__path__, str(tmp_path)])

    def edited(name: str) -> bool:
        before = bundle_hash(["judged"])
        with (folder / name).open("a") as handle:
            handle.write("\n# edited\n")
        return bundle_hash(["judged"]) != before

    judge_side = ["checks.py", "probes.py", "reference.py", "alignment.py", "solution.py", "__init__.py"]
    for name in [*judge_side, "data/hidden_inputs.json"]:
        assert edited(name), name
    for name in ("template.py", "task.md"):
        assert not edited(name), name
    (folder / "__pycache__").mkdir()
    assert not edited("__pycache__/reference.cpython-311.pyc")


def test_bundle_hash_covers_graders_code_probes_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The asset helpers and the small GPT-2's recipe can change a grade; theory calibrations cannot."""
    graders_dir = shutil.copytree(
        runner.GRADERS_DIR, tmp_path / "graders", ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(runner, "GRADERS_DIR", graders_dir)

    def edited(name: str) -> bool:
        before = bundle_hash(["spacy_ner"])
        with (graders_dir / name).open("a") as handle:
            handle.write("\n# edited\n")
        return bundle_hash(["spacy_ner"]) != before

    assert edited("assets/models.py") and edited("tiny_gpt2.py")
    assert not edited("data/default_calibration.json") and not edited("short_answer.py")
    before = bundle_hash(["spacy_ner"])
    (graders_dir / "assets" / ".#models.py").symlink_to(tmp_path / "editor-lock")  # dangling, hidden
    assert bundle_hash(["spacy_ner"]) == before
    before = bundle_hash(["spacy_ner"])
    monkeypatch.setattr(tiny_gpt2, "corpus_text", lambda: "another corpus")
    assert bundle_hash(["spacy_ner"]) != before
