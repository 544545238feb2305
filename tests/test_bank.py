"""The question-bank loader: the default bank, lookup by name/path/env, and precise error reports."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bank import BANK_DIR, DEFAULT_BANK
from graders.bank import (
    BANK_PATH_ENV,
    find_question,
    list_banks,
    load_bank,
    resolve_bank_path,
    user_bank_dir,
    validate_bank_file,
)
from graders.errors import BankError, BankProblem, InputError
from tests.test_cli import CANNOT_READ

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "data" / "banks"
COURSE = Path(__file__).parent / "data" / "course"
SEED = COURSE / "assignment.md"
DEV_SET = COURSE / "theory_dev.csv"


def marked_lines(path: Path) -> dict[str, int]:
    """``# ERROR: what`` comments in a fixture -> {what: line}, so tests do not hard-code line numbers."""
    marks = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "# ERROR: " in line:
            marks[line.split("# ERROR: ", 1)[1].strip()] = number
    return marks


def located(problems: list[BankProblem]) -> set[tuple[str, int | None]]:
    return {(problem.field, problem.line) for problem in problems}


def by_field(problems: list[BankProblem]) -> dict[str, BankProblem]:
    return {problem.field: problem for problem in problems}


# --- the default bank ---------------------------------------------------------------------------


def test_default_bank_file_is_valid() -> None:
    path = resolve_bank_path()
    assert path == BANK_DIR / f"{DEFAULT_BANK}.toml"
    assert validate_bank_file(path) == []


def test_default_bank_has_twenty_complete_questions() -> None:
    bank = load_bank()
    assert bank.id == DEFAULT_BANK
    assert bank.title == "Attention-based models and transfer learning"
    assert bank.description and bank.version
    assert [question.id for question in bank.questions] == [f"Q{number}" for number in range(1, 21)]
    for question in bank.questions:
        assert 2 <= len(question.rubric) <= 5, question.id
        assert len(question.misconceptions) >= 2, question.id
        assert question.topics, question.id
        assert question.points == 1
        assert all(item.explanation for item in question.misconceptions), question.id
        scores = [example.score for example in question.examples]
        assert 1.0 in scores and 0.5 in scores and min(scores) <= 0.25, question.id


def test_default_bank_misconceptions_differ_from_rubric_claims() -> None:
    for question in load_bank().questions:
        claims = {point.text.casefold() for point in question.rubric}
        wrong = {item.text.casefold() for item in question.misconceptions}
        assert not claims & wrong, question.id
        assert len(wrong) == len(question.misconceptions), question.id


def _seed_questions() -> dict[str, tuple[str, str]]:
    theory = SEED.read_text(encoding="utf-8").split("# Practical")[0]
    pattern = r"^Q(\d+)\. (.+?)\n\s*\nAnswer : (.+?)(?=\n\s*\nQ\d+\. |\Z)"
    return {
        f"Q{number}": (prompt.strip(), " ".join(answer.split()))
        for number, prompt, answer in re.findall(pattern, theory, re.S | re.M)
    }


def test_default_bank_prompts_and_model_answers_match_the_seed() -> None:
    seed = _seed_questions()
    assert len(seed) == 20
    for question in load_bank().questions:
        prompt, answer = seed[question.id]
        assert question.prompt == prompt
        assert " ".join(question.model_answer.split()) == answer


def test_default_bank_examples_are_independent_of_the_dev_set() -> None:
    def normal(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))

    with DEV_SET.open(encoding="utf-8", newline="") as handle:
        dev_answers = {normal(row["answer"]) for row in csv.DictReader(handle)}
    examples = {normal(example.answer) for question in load_bank().questions for example in question.examples}
    assert not examples & dev_answers


# --- finding and loading banks ------------------------------------------------------------------


@pytest.fixture
def bank_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty $QUIZ_BANK_PATH directory and an empty user bank folder, both under tmp_path."""
    env_dir = tmp_path / "env-banks"
    env_dir.mkdir()
    monkeypatch.setenv(BANK_PATH_ENV, str(env_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    user_dir = user_bank_dir()
    user_dir.mkdir(parents=True)
    assert user_dir.is_relative_to(tmp_path)
    return env_dir, user_dir


def test_list_banks_shows_the_default_bank() -> None:
    infos = {info.name: info for info in list_banks()}
    info = infos[DEFAULT_BANK]
    assert (info.title, info.questions, info.points, info.problems) == (
        "Attention-based models and transfer learning",
        20,
        20.0,
        0,
    )
    assert info.path == BANK_DIR / f"{DEFAULT_BANK}.toml"


def test_load_by_name_and_by_path_give_the_cached_bank() -> None:
    by_name = load_bank(DEFAULT_BANK)
    assert load_bank() is by_name
    assert load_bank(BANK_DIR / f"{DEFAULT_BANK}.toml") is by_name
    assert load_bank(str(BANK_DIR / f"{DEFAULT_BANK}.toml")) is by_name


def test_load_a_yaml_bank_by_path() -> None:
    bank = load_bank(FIXTURES / "valid.yaml")
    assert (bank.id, bank.version, [q.id for q in bank.questions]) == ("mini", "2", ["M1", "M2"])
    assert bank.question("M2").points == 2
    assert [point.weight for point in bank.question("M1").rubric] == [2.0, 1.0]


def test_load_by_name_from_env_dir_and_user_dir(bank_dirs: tuple[Path, Path]) -> None:
    env_dir, user_dir = bank_dirs
    shutil.copy(FIXTURES / "valid.yaml", env_dir / "course.yaml")
    shutil.copy(FIXTURES / "inline_style.toml", user_dir / "mine.toml")
    assert load_bank("course").id == "mini"
    assert load_bank("mine").id == "inline"
    names = {info.name: info.path for info in list_banks()}
    assert names["course"] == env_dir / "course.yaml"
    assert names["mine"] == user_dir / "mine.toml"
    assert DEFAULT_BANK in names


def test_env_bank_path_can_list_files_and_takes_precedence(
    bank_dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir, user_dir = bank_dirs
    shutil.copy(FIXTURES / "inline_style.toml", user_dir / f"{DEFAULT_BANK}.toml")
    assert load_bank(DEFAULT_BANK).id == "inline"  # the user folder shadows the shipped bank
    override = tmp_path / f"{DEFAULT_BANK}.yaml"
    shutil.copy(FIXTURES / "valid.yaml", override)
    monkeypatch.setenv(BANK_PATH_ENV, os.pathsep.join([str(override), str(env_dir)]))
    assert load_bank().id == "mini"  # and $QUIZ_BANK_PATH shadows both


def test_a_changed_bank_file_is_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    shutil.copy(FIXTURES / "valid.yaml", path)
    first = load_bank(path)
    assert load_bank(path) is first
    path.write_text(path.read_text().replace("title: Mini bank", "title: Renamed"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_bank(path).title == "Renamed"


def test_unknown_bank_name_suggests_a_close_one() -> None:
    with pytest.raises(
        BankError, match=r"no bank named 'attention-transfr' \(did you mean 'attention-transfer'\?\)"
    ):
        load_bank("attention-transfr")


@pytest.mark.parametrize("name", ["no/such/bank.toml", "missing.yaml"])
def test_missing_bank_file_is_a_bank_error(name: str) -> None:
    with pytest.raises(BankError, match="bank file not found"):
        load_bank(name)


def test_a_directory_is_not_a_bank() -> None:
    with pytest.raises(BankError, match="is a directory"):
        load_bank(FIXTURES)


def test_find_question_ignores_case_and_suggests_on_unknown_ids() -> None:
    bank = load_bank()
    assert find_question(bank, "q7").id == "Q7"
    with pytest.raises(BankError, match=r"no question 'Q21' .*did you mean 'Q2'") as caught:
        find_question(bank, "Q21")
    assert "Q20" in str(caught.value)


# --- error reports: file, field path, line --------------------------------------------------------

BOTH = pytest.mark.parametrize("suffix", ["toml", "yaml"])


@BOTH
def test_missing_fields_are_located(suffix: str) -> None:
    path = FIXTURES / f"missing_field.{suffix}"
    marks = marked_lines(path)
    problems = validate_bank_file(path)
    assert located(problems) == {
        ("questions[Q1].rubric[1].text", marks["rubric text missing"]),
        ("questions[Q2].model_answer", marks["model_answer missing"]),
    }
    assert {problem.message for problem in problems} == {"missing required field"}
    assert {problem.file for problem in problems} == {str(path)}


@BOTH
def test_unknown_fields_are_located_with_a_suggestion(suffix: str) -> None:
    path = FIXTURES / f"unknown_field.{suffix}"
    marks = marked_lines(path)
    problems = by_field(validate_bank_file(path))
    assert set(problems) == {"questions[Q1].promt", "questions[Q1].rubric[0].wieght"}
    assert problems["questions[Q1].promt"].line == marks["unknown promt"]
    assert problems["questions[Q1].promt"].message == "unknown field 'promt' (did you mean 'prompt'?)"
    assert problems["questions[Q1].rubric[0].wieght"].line == marks["unknown wieght"]
    assert "did you mean 'weight'?" in problems["questions[Q1].rubric[0].wieght"].message


def test_unknown_field_without_a_close_match_lists_the_allowed_fields(tmp_path: Path) -> None:
    path = tmp_path / "bank.toml"
    text = (FIXTURES / "inline_style.toml").read_text()
    path.write_text(text.replace('title = "Inline style"', 'title = "Inline style"\ncolour = "blue"'))
    [problem] = validate_bank_file(path)
    assert (problem.field, problem.line) == ("colour", 4)
    assert problem.message == "unknown field 'colour' (allowed: id, title, description, version, questions)"


@BOTH
def test_duplicate_ids_are_reported_at_the_second_occurrence(suffix: str) -> None:
    path = FIXTURES / f"duplicate_id.{suffix}"
    marks = marked_lines(path)
    problems = validate_bank_file(path)
    assert located(problems) == {
        ("questions[Q1].rubric[1].id", marks["duplicate rubric id"]),
        ("questions[Q1].id", marks["duplicate question id"]),
    }
    question = by_field(problems)["questions[Q1].id"]
    assert re.fullmatch(r"duplicate question id 'Q1' \(first used at line \d+\)", question.message)


@BOTH
def test_bad_types_and_values_are_located(suffix: str) -> None:
    path = FIXTURES / f"bad_type.{suffix}"
    marks = marked_lines(path)
    problems = by_field(validate_bank_file(path))
    assert {field: problem.line for field, problem in problems.items()} == {
        "questions[Q1].points": marks["points not a number"],
        "questions[Q1].topics": marks["topics not a list"],
        "questions[Q1].rubric[0].weight": marks["weight not positive"],
    }
    assert "valid number" in problems["questions[Q1].points"].message
    assert "(got 'one')" in problems["questions[Q1].points"].message
    assert "greater than 0" in problems["questions[Q1].rubric[0].weight"].message


@BOTH
def test_syntax_errors_give_the_parser_line(suffix: str) -> None:
    path = FIXTURES / f"syntax.{suffix}"
    [problem] = validate_bank_file(path)
    # both fixtures break on line 6: an unterminated string (TOML), a mis-indented key (YAML)
    assert (problem.file, problem.line) == (str(path), 6)
    assert problem.message.startswith(f"invalid {suffix.upper()}: ")


def test_duplicate_yaml_keys_are_errors_not_silently_overwritten() -> None:
    path = FIXTURES / "duplicate_key.yaml"
    [problem] = validate_bank_file(path)
    assert (problem.field, problem.line) == ("questions[Q1].prompt", marked_lines(path)["duplicate key"])
    assert problem.message == "duplicate key (first at line 5)"


def test_every_problem_is_reported_in_line_order() -> None:
    path = FIXTURES / "many_problems.toml"
    marks = marked_lines(path)
    problems = validate_bank_file(path)
    assert [(problem.field, problem.line) for problem in problems] == [
        ("title", 1),  # a missing top-level field has no line of its own: the file's first line
        ("titel", marks["unknown titel"]),
        ("questions[Q1].rubric", marks["too few rubric points"]),
        ("questions[Q2].prompt", marks["prompt missing"]),
        ("questions[Q2].rubric[0].weight", marks["weight not a number"]),
        ("questions[Q1].id", marks["duplicate question id"]),
    ]


def test_loading_an_invalid_bank_raises_with_every_problem() -> None:
    path = FIXTURES / "many_problems.toml"
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert len(caught.value.problems) == 6
    assert f"{path}:3: titel: unknown field 'titel'" in str(caught.value)
    assert "quiz bank validate" in str(caught.value)


def test_inline_tables_are_located_too(tmp_path: Path) -> None:
    text = (FIXTURES / "inline_style.toml").read_text()
    assert validate_bank_file(FIXTURES / "inline_style.toml") == []
    path = tmp_path / "bank.toml"
    path.write_text(text.replace("weight = 0.5", 'weight = "half"').replace('{ id = "bidirectional", ', "{ "))
    lines = text.splitlines()
    weight_line = next(n for n, line in enumerate(lines, 1) if "weight = 0.5" in line)
    misconception_line = next(n for n, line in enumerate(lines, 1) if line.startswith("misconceptions"))
    assert located(validate_bank_file(path)) == {
        ("questions[I1].rubric[1].weight", weight_line),
        ("questions[I1].misconceptions[0].id", misconception_line),
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bank.json", "{}", "unsupported file type"),
        ("empty.yaml", "", "not an empty file"),
        ("list.yaml", "- a\n- b\n", "not a list"),
        ("latin1.toml", None, "not UTF-8 text"),
    ],
)
def test_unusable_files_are_one_problem_each(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes('title = "caf\xe9"\n'.encode("latin-1"))
    else:
        path.write_text(content)
    [problem] = validate_bank_file(path)
    assert problem.file == str(path) and message in problem.message


def test_missing_file_and_directory_are_problems_not_exceptions(tmp_path: Path) -> None:
    assert [str(p) for p in validate_bank_file(tmp_path / "nope.toml")] == [
        f"{tmp_path / 'nope.toml'}: file not found"
    ]
    assert [p.message for p in validate_bank_file(tmp_path)] == ["is a directory, not a bank file"]


def test_a_bank_that_cannot_be_read_is_no_problem_in_it_but_is_still_listed(
    bank_dirs: tuple[Path, Path], chmod: Callable[[Path, int], None]
) -> None:
    """A bank file without read permission is ``cannot_read``'s error (no line in it to fix); 'quiz bank list'
    still lists it, as unusable."""
    env_dir, _ = bank_dirs
    path = env_dir / "course.yaml"
    shutil.copy(FIXTURES / "valid.yaml", path)
    chmod(path, 0)
    for read in (load_bank, validate_bank_file):
        with pytest.raises(InputError) as raised:
            read(path)
        assert str(raised.value) == CANNOT_READ.format(path)
    assert {info.name: info.problems for info in list_banks()}["course"] == 1


def test_the_bank_loader_does_not_import_ui_libraries() -> None:
    code = "import sys, graders.bank; print(sorted({'textual', 'rich', 'click'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
