"""``quiz bank list|show|validate`` through click's CliRunner: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quiz.__main__ import cli
from tests.test_bank import FIXTURES, marked_lines

# a wide terminal so that rich does not wrap the cells the tests look for
runner = CliRunner(env={"COLUMNS": "250"})


def quiz(*args: str) -> Result:
    result = runner.invoke(cli, ["bank", *args], prog_name="quiz")
    # a user mistake must end in a clean exit (SystemExit), never an uncaught exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("args", [[], ["list"], ["show"], ["validate"]])
def test_help(args: list[str]) -> None:
    result = quiz(*args, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: quiz bank {' '.join(args)}".rstrip())


def test_group_help_names_the_subcommands() -> None:
    output = quiz("--help").output
    assert all(name in output for name in ("list", "show", "validate"))


def test_list_shows_the_default_bank() -> None:
    result = quiz("list")
    assert result.exit_code == 0
    row = next(line for line in result.output.splitlines() if "attention-transfer" in line)
    cells = [cell.strip() for cell in re.split(r"[│|]", row) if cell.strip()]
    assert cells[:4] == ["attention-transfer", "Attention-based models and transfer learning", "20", "20"]
    assert cells[4].endswith("attention-transfer.toml")


def test_show_prints_the_whole_question() -> None:
    result = quiz("show", "q15")
    assert result.exit_code == 0
    output = result.output
    assert 'What is the role of the "position encoding" in a Transformer model?' in output
    assert "positional-encoding" in output  # topics
    assert "Position encoding in a Transformer model adds information" in output  # model answer
    assert "adds-position" in output and "38%" in output  # rubric id and weight share (1.5 of 4)
    assert "Positional encoding is needed because attention is too slow." in output
    assert "It is needed because attention ignores order, not for speed." in output


def test_show_json() -> None:
    result = quiz("show", "Q5", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == "Q5"
    assert data["prompt"] == "What is the difference between GPT-2 and BERT models?"
    assert [point["id"] for point in data["rubric"]][0] == "gpt2-left-to-right"
    assert len(data["misconceptions"]) >= 2


def test_show_without_an_id_lists_the_question_ids() -> None:
    """The question_id values a grade-answers CSV needs."""
    result = quiz("show")
    assert result.exit_code == 0
    ids = re.findall(r"^[│|] (Q\d+) ", result.output, re.MULTILINE)
    assert ids == [f"Q{i}" for i in range(1, 21)]
    assert "What is BERT and how does it work?" in result.output
    assert [q["id"] for q in json.loads(quiz("show", "--json").output)][:2] == ["Q1", "Q2"]


def test_show_from_a_bank_file() -> None:
    result = quiz("show", "M2", "--bank", str(FIXTURES / "valid.yaml"), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["points"] == 2


def test_show_unknown_question_suggests_a_close_id() -> None:
    result = quiz("show", "Q21")
    assert result.exit_code == 1
    assert "no question 'Q21' in bank 'attention-transfer' (did you mean 'Q2'?)" in result.output


def test_show_from_an_invalid_bank_lists_its_problems() -> None:
    path = FIXTURES / "unknown_field.toml"
    result = quiz("show", "Q1", "--bank", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:{marked_lines(path)['unknown promt']}: questions[Q1].promt: unknown field" in result.output
    )


def test_show_from_an_unknown_bank_name() -> None:
    result = quiz("show", "Q1", "--bank", "atention-transfer")
    assert result.exit_code == 1
    assert "did you mean 'attention-transfer'?" in result.output


@pytest.mark.parametrize("target", ["attention-transfer", "bank/attention-transfer.toml"])
def test_validate_the_default_bank(target: str) -> None:
    root = Path(__file__).resolve().parents[1]
    result = quiz("validate", target if "/" not in target else str(root / target))
    assert result.exit_code == 0
    assert result.output.startswith("OK: 20 questions, 20 points")


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FIXTURES.iterdir() if p.stem not in {"valid", "inline_style"})
)
def test_validate_reports_every_problem_as_file_line_field_message(name: str) -> None:
    path = FIXTURES / name
    result = quiz("validate", str(path))
    assert result.exit_code == 1
    reported = [line for line in result.stdout.splitlines() if line]
    assert reported, result.output
    for line in reported:
        assert re.match(rf"{re.escape(str(path))}:\d+: ", line), line
    marks = marked_lines(path)
    assert len(reported) >= len(marks)
    for number in marks.values():
        assert any(line.startswith(f"{path}:{number}: ") for line in reported), (number, reported)
    assert f"problem{'s' if len(reported) > 1 else ''} in {path}" in result.stderr


def test_validate_a_missing_file_or_a_directory(tmp_path: Path) -> None:
    missing = quiz("validate", str(tmp_path / "nope.toml"))
    assert (missing.exit_code, missing.stdout) == (1, f"{tmp_path / 'nope.toml'}: file not found\n")
    directory = quiz("validate", str(tmp_path))
    assert (directory.exit_code, directory.stdout) == (1, f"{tmp_path}: is a directory, not a bank file\n")


def test_validate_an_unknown_bank_name() -> None:
    result = quiz("validate", "attention")
    assert result.exit_code == 1
    assert "no bank named 'attention' (did you mean 'attention-transfer'?)" in result.output
